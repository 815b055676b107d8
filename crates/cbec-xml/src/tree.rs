//! The parsed document: an arena of nodes with namespace-resolved names.

use std::borrow::Cow;

use crate::XmlError;
use crate::parser::{self, Limits};

/// The namespace bound to the `xml` prefix.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// The index of a node in its [`Document`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

pub(crate) const NONE: u32 = u32::MAX;
/// `ns` value of a name in no namespace.
pub(crate) const NS_NONE: u32 = u32::MAX;
/// `ns` value of a name in the `xml` namespace.
pub(crate) const NS_XML: u32 = u32::MAX - 1;

/// A namespace declaration (`xmlns="…"` or `xmlns:p="…"`) as written on an
/// element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsDecl<'a> {
    /// The declared prefix; empty for the default namespace.
    pub prefix: &'a str,
    /// The namespace URI; empty only when undeclaring the default namespace.
    pub uri: Cow<'a, str>,
}

/// An attribute other than a namespace declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// The name as written, e.g. `xsi:type`.
    pub qname: &'a str,
    pub(crate) prefix_len: usize,
    pub(crate) ns: u32,
    /// The normalized value (references resolved, whitespace characters
    /// replaced by spaces as XML 1.0 §3.3.3 requires).
    pub value: Cow<'a, str>,
    pub(crate) offset: u32,
}

impl<'a> Attribute<'a> {
    pub fn prefix(&self) -> &'a str {
        &self.qname[..self.prefix_len]
    }

    pub fn local_name(&self) -> &'a str {
        if self.prefix_len == 0 { self.qname } else { &self.qname[self.prefix_len + 1..] }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ElemRec<'a> {
    pub qname: &'a str,
    pub prefix_len: usize,
    pub ns: u32,
    pub attrs: (u32, u32),
    pub decls: (u32, u32),
}

#[derive(Debug, Clone)]
pub(crate) enum NodeRec<'a> {
    Element(ElemRec<'a>),
    /// Text, and whether it is ignorable: only XML whitespace, written
    /// without CDATA (schema validation treats the two differently).
    Text(Cow<'a, str>, bool),
    Comment(Cow<'a, str>),
    Pi {
        target: &'a str,
        data: Cow<'a, str>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    pub rec: NodeRec<'a>,
    pub parent: u32,
    pub first_child: u32,
    pub last_child: u32,
    pub next_sibling: u32,
    pub offset: u32,
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind<'d, 'a> {
    Element(Element<'d, 'a>),
    Text(&'d str),
    /// Comment text, line ends normalized.
    Comment(&'d str),
    /// Processing instruction, data with line ends normalized.
    Pi {
        target: &'a str,
        data: &'d str,
    },
}

/// A parsed XML document.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    pub(crate) src: &'a str,
    pub(crate) nodes: Vec<Node<'a>>,
    pub(crate) attrs: Vec<Attribute<'a>>,
    pub(crate) decls: Vec<NsDecl<'a>>,
    /// Children of the document node: prolog comments and PIs, the root
    /// element, epilog comments and PIs.
    pub(crate) top: Vec<u32>,
    pub(crate) root: u32,
    pub(crate) has_xml_decl: bool,
    /// Byte offsets where lines start, computed on first use: locating a
    /// node (as every diagnostic does) is then a binary search instead of a
    /// scan of the document, which made many diagnostics quadratic.
    pub(crate) line_starts: std::sync::OnceLock<Vec<u32>>,
}

impl<'a> Document<'a> {
    /// Parses a document held in memory as UTF-8 (see
    /// [`decode_input`](crate::decode_input) for raw bytes).
    pub fn parse(src: &'a str, limits: &Limits) -> Result<Document<'a>, XmlError> {
        parser::parse(src, limits)
    }

    /// The source text the document was parsed from.
    pub fn source(&self) -> &'a str {
        self.src
    }

    /// Whether the source started with an XML declaration.
    pub fn has_xml_declaration(&self) -> bool {
        self.has_xml_decl
    }

    /// The document (root) element.
    pub fn root(&self) -> Element<'_, 'a> {
        Element { doc: self, id: self.root }
    }

    /// The children of the document node, in order.
    pub fn top_level(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.top.iter().map(|&i| NodeId(i))
    }

    /// Number of nodes (elements, text, comments, PIs).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn kind(&self, id: NodeId) -> NodeKind<'_, 'a> {
        match &self.nodes[id.0 as usize].rec {
            NodeRec::Element(_) => NodeKind::Element(Element { doc: self, id: id.0 }),
            NodeRec::Text(t, _) => NodeKind::Text(t.as_ref()),
            NodeRec::Comment(c) => NodeKind::Comment(c.as_ref()),
            NodeRec::Pi { target, data } => NodeKind::Pi { target, data: data.as_ref() },
        }
    }

    /// The element with this id, if the node is an element.
    pub fn element(&self, id: NodeId) -> Option<Element<'_, 'a>> {
        match self.nodes.get(id.0 as usize)?.rec {
            NodeRec::Element(_) => Some(Element { doc: self, id: id.0 }),
            _ => None,
        }
    }

    /// True for a text node of only whitespace characters written without
    /// a CDATA section: the whitespace that indents element-only content.
    pub fn is_ignorable_whitespace(&self, id: NodeId) -> bool {
        matches!(self.nodes.get(id.0 as usize), Some(Node { rec: NodeRec::Text(_, true), .. }))
    }

    /// Byte offset of the node's start in the source.
    pub fn offset(&self, id: NodeId) -> usize {
        self.nodes[id.0 as usize].offset as usize
    }

    /// 1-based line of the node's start in the source.
    pub fn line(&self, id: NodeId) -> u32 {
        self.line_at(self.offset(id))
    }

    /// 1-based line of a byte offset, as [`line_col`](crate::line_col).
    pub fn line_at(&self, offset: usize) -> u32 {
        let starts = self.line_starts.get_or_init(|| {
            let newlines = self.src.bytes().enumerate().filter(|&(_, b)| b == b'\n');
            std::iter::once(0).chain(newlines.map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX))).collect()
        });
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        u32::try_from(starts.partition_point(|&s| s <= offset)).unwrap_or(u32::MAX)
    }

    pub(crate) fn ns_uri(&self, ns: u32) -> Option<&str> {
        match ns {
            NS_NONE => None,
            NS_XML => Some(XML_NS),
            i => Some(self.decls[i as usize].uri.as_ref()),
        }
    }
}

/// A handle to an element of a [`Document`].
#[derive(Clone, Copy)]
pub struct Element<'d, 'a> {
    doc: &'d Document<'a>,
    id: u32,
}

impl PartialEq for Element<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.doc, other.doc) && self.id == other.id
    }
}
impl Eq for Element<'_, '_> {}

impl std::fmt::Debug for Element<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Element({}#{})", self.qname(), self.id)
    }
}

impl<'d, 'a> Element<'d, 'a> {
    fn rec(&self) -> &'d ElemRec<'a> {
        match &self.doc.nodes[self.id as usize].rec {
            NodeRec::Element(e) => e,
            // An Element handle is only ever made for element nodes.
            _ => unreachable!("element handle on a non-element node"),
        }
    }

    pub fn id(&self) -> NodeId {
        NodeId(self.id)
    }

    pub fn document(&self) -> &'d Document<'a> {
        self.doc
    }

    /// The name as written, e.g. `ceb:OrderHead`.
    pub fn qname(&self) -> &'a str {
        self.rec().qname
    }

    pub fn prefix(&self) -> &'a str {
        let r = self.rec();
        &r.qname[..r.prefix_len]
    }

    pub fn local_name(&self) -> &'a str {
        let r = self.rec();
        if r.prefix_len == 0 { r.qname } else { &r.qname[r.prefix_len + 1..] }
    }

    /// The namespace URI of the element's name, if any.
    pub fn namespace(&self) -> Option<&'d str> {
        self.doc.ns_uri(self.rec().ns)
    }

    /// True if the element is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.local_name() == local && self.namespace() == Some(ns)
    }

    /// Attributes (namespace declarations excluded), in source order.
    pub fn attributes(&self) -> &'d [Attribute<'a>] {
        let (s, e) = self.rec().attrs;
        &self.doc.attrs[s as usize..e as usize]
    }

    /// Namespace URI of an attribute.
    pub fn attribute_namespace(&self, attr: &Attribute<'a>) -> Option<&'d str> {
        self.doc.ns_uri(attr.ns)
    }

    /// The value of an attribute in no namespace.
    pub fn attribute(&self, local: &str) -> Option<&'d str> {
        self.attributes().iter().find(|a| a.ns == NS_NONE && a.qname == local).map(|a| a.value.as_ref())
    }

    /// Namespace declarations written on this element, in source order.
    pub fn ns_decls(&self) -> &'d [NsDecl<'a>] {
        let (s, e) = self.rec().decls;
        &self.doc.decls[s as usize..e as usize]
    }

    pub fn parent(&self) -> Option<Element<'d, 'a>> {
        let p = self.doc.nodes[self.id as usize].parent;
        (p != NONE).then_some(Element { doc: self.doc, id: p })
    }

    /// All child nodes in order.
    pub fn children(&self) -> Children<'d, 'a> {
        Children { doc: self.doc, next: self.doc.nodes[self.id as usize].first_child }
    }

    /// Child elements in order.
    pub fn child_elements(&self) -> impl Iterator<Item = Element<'d, 'a>> + use<'d, 'a> {
        let doc = self.doc;
        self.children().filter_map(move |id| doc.element(id))
    }

    /// The concatenated text of the direct text children.
    pub fn text(&self) -> Cow<'d, str> {
        let mut texts = self.children().filter_map(|id| match &self.doc.nodes[id.0 as usize].rec {
            NodeRec::Text(t, _) => Some(t.as_ref()),
            _ => None,
        });
        match (texts.next(), texts.next()) {
            (None, _) => Cow::Borrowed(""),
            (Some(t), None) => Cow::Borrowed(t),
            (Some(a), Some(b)) => {
                let mut s = String::from(a);
                s.push_str(b);
                texts.for_each(|t| s.push_str(t));
                Cow::Owned(s)
            }
        }
    }

    /// Byte offset of the start tag in the source.
    pub fn offset(&self) -> usize {
        self.doc.nodes[self.id as usize].offset as usize
    }

    /// 1-based line of the start tag.
    pub fn line(&self) -> u32 {
        self.doc.line_at(self.offset())
    }

    /// The namespace URI a prefix resolves to at this element ("" for the
    /// default namespace).
    pub fn lookup_namespace(&self, prefix: &str) -> Option<&'d str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        let mut cur = Some(*self);
        while let Some(e) = cur {
            if let Some(d) = e.ns_decls().iter().rev().find(|d| d.prefix == prefix) {
                return (!d.uri.is_empty()).then_some(d.uri.as_ref());
            }
            cur = e.parent();
        }
        None
    }
}

/// Iterator over the child nodes of an element.
pub struct Children<'d, 'a> {
    doc: &'d Document<'a>,
    next: u32,
}

impl Iterator for Children<'_, '_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self.doc.nodes[id as usize].next_sibling;
        Some(NodeId(id))
    }
}
