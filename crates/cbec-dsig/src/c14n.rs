//! Canonical XML 1.0 and Exclusive XML Canonicalization 1.0, streamed.
//!
//! Both W3C recommendations are implemented exactly, for the two kinds of
//! document subset XML-DSig needs:
//!
//! - the whole document, optionally without one subtree (the enveloped
//!   signature transform removes the `ds:Signature` element);
//! - one element subtree in the context of its document (the apex, used for
//!   `ds:SignedInfo`).
//!
//! The canonical form is written piece by piece into a [`Sink`], so a digest
//! can consume it without the whole form ever being held in memory: small
//! pieces are staged in one 4 KiB buffer and reach the sink in chunks. The
//! walk is iterative and reuses a handful of stacks, so the per-element work
//! is namespace bookkeeping, attribute sorting in a reused buffer and
//! escaped copies in runs, with no allocation once the stacks have grown.
//!
//! References: <http://www.w3.org/TR/2001/REC-xml-c14n-20010315> and
//! <http://www.w3.org/TR/2002/REC-xml-exc-c14n-20020718/>.

use cbec_xml::{Attribute, Document, Element, NodeId, NodeKind, XML_NS};

/// Canonical XML 1.0, comments omitted.
pub const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// Canonical XML 1.0, comments kept.
pub const C14N_WITH_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
/// Exclusive XML Canonicalization 1.0, comments omitted.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// Exclusive XML Canonicalization 1.0, comments kept.
pub const EXC_C14N_WITH_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

/// Where canonical bytes go: a buffer, or (later) a digest.
pub trait Sink {
    fn write(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn write(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn write(&mut self, bytes: &[u8]) {
        (**self).write(bytes);
    }
}

/// A canonicalization algorithm, as named by a `CanonicalizationMethod` or a
/// `Transform` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// Canonical XML 1.0.
    Inclusive,
    /// Canonical XML 1.0 with comments.
    InclusiveWithComments,
    /// Exclusive XML Canonicalization 1.0. `inclusive_prefixes` is the
    /// `InclusiveNamespaces` `PrefixList`: prefixes treated as in inclusive
    /// C14N, `#default` standing for the default namespace.
    Exclusive { inclusive_prefixes: Vec<String> },
    /// Exclusive XML Canonicalization 1.0 with comments.
    ExclusiveWithComments { inclusive_prefixes: Vec<String> },
}

impl Method {
    /// The method named by an algorithm URI. `prefix_list` is the
    /// whitespace-separated `PrefixList` of an `ec:InclusiveNamespaces`
    /// child (empty when there is none); inclusive methods ignore it.
    pub fn from_uri(uri: &str, prefix_list: &str) -> Option<Method> {
        let prefixes = || -> Vec<String> {
            prefix_list.split([' ', '\t', '\n', '\r']).filter(|p| !p.is_empty()).map(str::to_owned).collect()
        };
        match uri {
            C14N => Some(Method::Inclusive),
            C14N_WITH_COMMENTS => Some(Method::InclusiveWithComments),
            EXC_C14N => Some(Method::Exclusive { inclusive_prefixes: prefixes() }),
            EXC_C14N_WITH_COMMENTS => Some(Method::ExclusiveWithComments { inclusive_prefixes: prefixes() }),
            _ => None,
        }
    }

    /// The algorithm URI of this method.
    pub fn uri(&self) -> &'static str {
        match self {
            Method::Inclusive => C14N,
            Method::InclusiveWithComments => C14N_WITH_COMMENTS,
            Method::Exclusive { .. } => EXC_C14N,
            Method::ExclusiveWithComments { .. } => EXC_C14N_WITH_COMMENTS,
        }
    }

    /// Whether comment nodes are part of the canonical form.
    pub fn with_comments(&self) -> bool {
        matches!(self, Method::InclusiveWithComments | Method::ExclusiveWithComments { .. })
    }

    /// Whether this is exclusive canonicalization.
    pub fn is_exclusive(&self) -> bool {
        matches!(self, Method::Exclusive { .. } | Method::ExclusiveWithComments { .. })
    }

    /// The `InclusiveNamespaces` prefixes (always empty for inclusive C14N).
    pub fn inclusive_prefixes(&self) -> &[String] {
        match self {
            Method::Exclusive { inclusive_prefixes } | Method::ExclusiveWithComments { inclusive_prefixes } => {
                inclusive_prefixes
            }
            Method::Inclusive | Method::InclusiveWithComments => &[],
        }
    }
}

/// Canonicalizes the whole document (the document subset is every node),
/// optionally omitting one node and, for an element, all its descendants.
///
/// The omission is the enveloped-signature transform: pass the
/// `ds:Signature` element. Comments and processing instructions before the
/// document element are each followed by `#xA`, those after it each preceded
/// by one; whitespace outside the document element is dropped.
pub fn canonicalize_document(
    doc: &Document<'_>,
    method: &Method,
    exclude: Option<NodeId>,
    out: &mut (impl Sink + ?Sized),
) {
    let mut c = Canonicalizer::new(doc, method, out);
    let root = doc.root();
    let mut after_root = false;
    for id in doc.top_level() {
        if id == root.id() {
            after_root = true;
            if Some(id) != exclude {
                c.render_tree(root, false, exclude);
            }
            continue;
        }
        if Some(id) == exclude {
            continue;
        }
        let node = doc.kind(id);
        match node {
            NodeKind::Comment(_) if !c.comments => continue,
            NodeKind::Comment(_) | NodeKind::Pi { .. } => {}
            NodeKind::Element(_) | NodeKind::Text(_) => continue,
        }
        if after_root {
            c.out.write(b"\n");
        }
        c.render_leaf(node);
        if !after_root {
            c.out.write(b"\n");
        }
    }
    c.out.flush();
}

/// Canonicalizes the subtree rooted at `element` as a document subset in the
/// context of its document, as XML-DSig does for `ds:SignedInfo`.
///
/// With inclusive C14N the apex renders every namespace in scope from its
/// ancestors (but never `xmlns=""`) and inherits the `xml:*` attributes of
/// its ancestors that it does not carry itself (C14N 1.0 §2.4). With
/// exclusive C14N it renders only the namespaces it visibly utilizes, plus
/// those of the `InclusiveNamespaces` prefixes, and inherits nothing.
/// Nothing is written if `element` is not an element of `doc`.
pub fn canonicalize_subtree(doc: &Document<'_>, element: NodeId, method: &Method, out: &mut (impl Sink + ?Sized)) {
    let Some(apex) = doc.element(element) else {
        return;
    };
    let mut c = Canonicalizer::new(doc, method, out);
    // Namespaces in scope from the ancestors, outermost first, so that later
    // declarations shadow earlier ones in lookups.
    let mut ancestors = Vec::new();
    let mut cur = apex.parent();
    while let Some(p) = cur {
        ancestors.push(p);
        cur = p.parent();
    }
    for p in ancestors.iter().rev() {
        c.scope.extend(p.ns_decls().iter().map(|d| (d.prefix, d.uri.as_ref())));
    }
    c.render_tree(apex, true, None);
    c.out.flush();
}

/// Staging buffer size: small writes (a `<`, a name, an escape) are
/// gathered into chunks of about this size before they reach the sink, so a
/// digest sees a few large updates instead of thousands of tiny ones.
const CHUNK: usize = 4096;

/// A [`Sink`] adapter that stages small writes. It never grows beyond
/// `2 * CHUNK` bytes: long runs bypass it.
struct Staged<'m, S: Sink + ?Sized> {
    sink: &'m mut S,
    buf: Vec<u8>,
}

impl<S: Sink + ?Sized> Staged<'_, S> {
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.sink.write(&self.buf);
            self.buf.clear();
        }
    }
}

impl<S: Sink + ?Sized> Sink for Staged<'_, S> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        if bytes.len() >= CHUNK {
            self.flush();
            self.sink.write(bytes);
        } else {
            self.buf.extend_from_slice(bytes);
            if self.buf.len() >= CHUNK {
                self.flush();
            }
        }
    }
}

/// The binding of `prefix` in a stack of bindings, latest first; "" when
/// unbound (for the default prefix, "" also means "no default namespace").
fn lookup<'d>(bindings: &[(&'d str, &'d str)], prefix: &str) -> &'d str {
    bindings.iter().rev().find(|b| b.0 == prefix).map_or("", |b| b.1)
}

struct Canonicalizer<'d, 'a, 'm, S: Sink + ?Sized> {
    doc: &'d Document<'a>,
    out: Staged<'m, S>,
    comments: bool,
    exclusive: bool,
    inclusive_prefixes: &'m [String],
    /// Namespace bindings declared by the open elements (and, for a subtree,
    /// by the apex's ancestors), outermost first. `("", "")` is `xmlns=""`.
    scope: Vec<(&'d str, &'d str)>,
    /// Exclusive C14N: the bindings rendered by the open output elements.
    rendered: Vec<(&'d str, &'d str)>,
    /// The namespace declarations to write on the current element.
    ns_buf: Vec<(&'d str, &'d str)>,
    /// The attributes to write on the current element.
    attr_buf: Vec<&'d Attribute<'a>>,
}

impl<'d, 'a, 'm, S: Sink + ?Sized> Canonicalizer<'d, 'a, 'm, S> {
    fn new(doc: &'d Document<'a>, method: &'m Method, out: &'m mut S) -> Self {
        Canonicalizer {
            doc,
            out: Staged { sink: out, buf: Vec::with_capacity(2 * CHUNK) },
            comments: method.with_comments(),
            exclusive: method.is_exclusive(),
            inclusive_prefixes: method.inclusive_prefixes(),
            scope: Vec::with_capacity(16),
            rendered: Vec::with_capacity(16),
            ns_buf: Vec::with_capacity(8),
            attr_buf: Vec::with_capacity(16),
        }
    }

    /// Renders `top` and its descendants (except `exclude`), iteratively.
    fn render_tree(&mut self, top: Element<'d, 'a>, apex: bool, exclude: Option<NodeId>) {
        let marks = self.start_tag(top, apex);
        let mut stack = Vec::with_capacity(32);
        stack.push((top.children(), top, marks));
        while let Some((children, elem, marks)) = stack.last_mut() {
            let Some(id) = children.next() else {
                let (qname, marks) = (elem.qname(), *marks);
                stack.pop();
                self.out.write(b"</");
                self.out.write(qname.as_bytes());
                self.out.write(b">");
                self.scope.truncate(marks.0);
                self.rendered.truncate(marks.1);
                continue;
            };
            if Some(id) == exclude {
                continue;
            }
            match self.doc.kind(id) {
                NodeKind::Element(e) => {
                    let marks = self.start_tag(e, false);
                    stack.push((e.children(), e, marks));
                }
                leaf => self.render_leaf(leaf),
            }
        }
    }

    /// Renders a text, comment or processing-instruction node.
    fn render_leaf(&mut self, node: NodeKind<'d, 'a>) {
        match node {
            NodeKind::Text(t) => write_escaped_text(&mut self.out, t),
            NodeKind::Comment(c) => {
                if self.comments {
                    self.out.write(b"<!--");
                    write_line_normalized(&mut self.out, c);
                    self.out.write(b"-->");
                }
            }
            NodeKind::Pi { target, data } => {
                self.out.write(b"<?");
                self.out.write(target.as_bytes());
                if !data.is_empty() {
                    self.out.write(b" ");
                    write_line_normalized(&mut self.out, data);
                }
                self.out.write(b"?>");
            }
            NodeKind::Element(_) => {}
        }
    }

    /// Writes the start tag of `e` and opens its namespace scope. Returns the
    /// stack marks to restore when `e` closes.
    fn start_tag(&mut self, e: Element<'d, 'a>, apex: bool) -> (usize, usize) {
        let marks = (self.scope.len(), self.rendered.len());
        let decls = e.ns_decls();
        self.ns_buf.clear();
        if self.exclusive {
            self.scope.extend(decls.iter().map(|d| (d.prefix, d.uri.as_ref())));
            self.exclusive_namespaces(e);
            self.rendered.extend_from_slice(&self.ns_buf);
        } else if apex {
            // The apex's output parent does not exist, so every namespace in
            // scope is rendered, except an empty default and `xml`.
            self.scope.extend(decls.iter().map(|d| (d.prefix, d.uri.as_ref())));
            for &(p, u) in self.scope.iter().rev() {
                if p != "xml" && !self.ns_buf.iter().any(|b| b.0 == p) {
                    self.ns_buf.push((p, u));
                }
            }
            self.ns_buf.retain(|b| !b.1.is_empty());
        } else {
            // The parent is output and rendered (or inherited) its whole
            // scope, so only this element's own changes to it are rendered.
            // A redeclaration to the same URI is superfluous; `xmlns=""` is
            // rendered only when the parent has a non-empty default.
            for d in decls {
                let (p, u) = (d.prefix, d.uri.as_ref());
                if p != "xml" && lookup(&self.scope, p) != u {
                    self.ns_buf.push((p, u));
                }
            }
            self.scope.extend(decls.iter().map(|d| (d.prefix, d.uri.as_ref())));
        }
        if self.ns_buf.len() > 1 {
            self.ns_buf.sort_unstable_by(|a, b| a.0.cmp(b.0));
        }

        self.attr_buf.clear();
        self.attr_buf.extend(e.attributes());
        if apex && !self.exclusive {
            self.inherit_xml_attributes(e);
        }
        if self.attr_buf.len() > 1 {
            self.attr_buf.sort_unstable_by(|a, b| {
                let ka = (e.attribute_namespace(a).unwrap_or(""), a.local_name());
                let kb = (e.attribute_namespace(b).unwrap_or(""), b.local_name());
                ka.cmp(&kb)
            });
        }

        let out = &mut self.out;
        out.write(b"<");
        out.write(e.qname().as_bytes());
        for &(prefix, uri) in &self.ns_buf {
            if prefix.is_empty() {
                out.write(b" xmlns=\"");
            } else {
                out.write(b" xmlns:");
                out.write(prefix.as_bytes());
                out.write(b"=\"");
            }
            write_escaped_attr(out, uri);
            out.write(b"\"");
        }
        for a in &self.attr_buf {
            out.write(b" ");
            out.write(a.qname.as_bytes());
            out.write(b"=\"");
            write_escaped_attr(out, &a.value);
            out.write(b"\"");
        }
        out.write(b">");
        marks
    }

    /// Exclusive C14N: fills `ns_buf` with the namespaces `e` visibly
    /// utilizes (its own prefix, or the default namespace when it has none;
    /// the prefixes of its attributes) and those of the `InclusiveNamespaces`
    /// prefixes in scope, minus those already rendered with the same URI by
    /// an output ancestor. `scope` already holds `e`'s declarations.
    fn exclusive_namespaces(&mut self, e: Element<'d, 'a>) {
        self.consider(e.prefix(), e.namespace().unwrap_or(""));
        for a in e.attributes() {
            let p = a.prefix();
            if !p.is_empty() {
                self.consider(p, e.attribute_namespace(a).unwrap_or(""));
            }
        }
        let listed = self.inclusive_prefixes;
        for token in listed {
            let prefix = if token == "#default" { "" } else { token.as_str() };
            match self.scope.iter().rev().find(|b| b.0 == prefix).copied() {
                Some((p, u)) => self.consider(p, u),
                // No default namespace in scope: `xmlns=""` is rendered if
                // an output ancestor rendered a non-empty default.
                None if prefix.is_empty() => self.consider("", ""),
                None => {}
            }
        }
    }

    fn consider(&mut self, prefix: &'d str, uri: &'d str) {
        if prefix == "xml" || self.ns_buf.iter().any(|b| b.0 == prefix) {
            return;
        }
        if lookup(&self.rendered, prefix) != uri {
            self.ns_buf.push((prefix, uri));
        }
    }

    /// Inclusive C14N of a subtree: the apex inherits the `xml:*` attributes
    /// of its ancestors, the nearest occurrence of each name winning, unless
    /// it has the attribute itself.
    fn inherit_xml_attributes(&mut self, e: Element<'d, 'a>) {
        let own = self.attr_buf.len();
        let mut cur = e.parent();
        while let Some(p) = cur {
            for a in p.attributes() {
                if p.attribute_namespace(a) != Some(XML_NS) {
                    continue;
                }
                let present = self.attr_buf.iter().enumerate().any(|(i, b)| {
                    b.local_name() == a.local_name() && (i >= own || e.attribute_namespace(b) == Some(XML_NS))
                });
                if !present {
                    self.attr_buf.push(a);
                }
            }
            cur = p.parent();
        }
    }
}

/// Which bytes need escaping in text (1) and in attribute values (2).
const ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'&' as usize] = 1 | 2;
    t[b'<' as usize] = 1 | 2;
    t[b'>' as usize] = 1;
    t[b'\r' as usize] = 1 | 2;
    t[b'"' as usize] = 2;
    t[b'\t' as usize] = 2;
    t[b'\n' as usize] = 2;
    t
};
const IN_TEXT: u8 = 1;
const IN_ATTR: u8 = 2;

/// Writes `s` with the bytes marked `class` in [`ESCAPE`] replaced by their
/// C14N escapes, copying the runs in between in one write each.
fn write_escaped(out: &mut (impl Sink + ?Sized), s: &str, class: u8) {
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if ESCAPE[b as usize] & class == 0 {
            continue;
        }
        let escaped: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\t' => b"&#x9;",
            b'\n' => b"&#xA;",
            _ => b"&#xD;",
        };
        if run < i {
            out.write(&bytes[run..i]);
        }
        out.write(escaped);
        run = i + 1;
    }
    if run < bytes.len() {
        out.write(&bytes[run..]);
    }
}

/// Writes text content escaped for C14N: `&`, `<`, `>` and `#xD`.
fn write_escaped_text(out: &mut (impl Sink + ?Sized), s: &str) {
    write_escaped(out, s, IN_TEXT);
}

/// Writes an attribute (or namespace) value escaped for C14N: `&`, `<`,
/// `"`, `#x9`, `#xA` and `#xD`.
fn write_escaped_attr(out: &mut (impl Sink + ?Sized), s: &str) {
    write_escaped(out, s, IN_ATTR);
}

/// Writes comment or processing-instruction content with XML line ends
/// normalized (`#xD#xA` and a lone `#xD` become `#xA`). The parser keeps
/// that content as written, but the infoset C14N works on has its line ends
/// normalized (XML 1.0 §2.11), and no reference can put a `#xD` there.
fn write_line_normalized(out: &mut (impl Sink + ?Sized), s: &str) {
    let bytes = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' {
            out.write(&bytes[run..i]);
            out.write(b"\n");
            i += if bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            run = i;
        } else {
            i += 1;
        }
    }
    if run < bytes.len() {
        out.write(&bytes[run..]);
    }
}

#[cfg(test)]
mod tests;
