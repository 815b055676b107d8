//! Writing XML: escaping and a small element writer.

use std::borrow::Cow;

/// Escapes character data: `&`, `<`, `>` and carriage returns (so that they
/// survive line-end normalization on the way back in).
pub fn escape_text(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Escapes an attribute value for double quotes; tabs and line ends become
/// character references so that attribute normalization keeps them.
pub fn escape_attr(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn escape(s: &str, attr: bool) -> Cow<'_, str> {
    let needs =
        s.bytes().any(|b| matches!(b, b'&' | b'<' | b'>' | b'\r') || (attr && matches!(b, b'"' | b'\t' | b'\n')));
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            '"' if attr => out.push_str("&quot;"),
            '\t' if attr => out.push_str("&#x9;"),
            '\n' if attr => out.push_str("&#xA;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Writes elements into a string, optionally indented. Element names are
/// written as given (the caller chooses prefixes).
#[derive(Debug)]
pub struct XmlWriter {
    out: String,
    indent: Option<&'static str>,
    depth: usize,
    /// Whether the current element has had child elements written (for
    /// placing the closing tag on its own line).
    had_children: Vec<bool>,
    open_tag: bool,
}

impl XmlWriter {
    /// A writer that emits the XML declaration first.
    pub fn new(indent: Option<&'static str>) -> Self {
        let mut out = String::with_capacity(4096);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        XmlWriter { out, indent, depth: 0, had_children: Vec::new(), open_tag: false }
    }

    fn close_open_tag(&mut self) {
        if self.open_tag {
            self.out.push('>');
            self.open_tag = false;
        }
    }

    fn newline(&mut self) {
        if let Some(ind) = self.indent {
            if self.depth > 0 || !self.out.ends_with('\n') {
                self.out.push('\n');
            }
            for _ in 0..self.depth {
                self.out.push_str(ind);
            }
        }
    }

    /// Opens `<name attr="v" …` (the tag stays open for more attributes).
    pub fn start(&mut self, name: &str) {
        self.close_open_tag();
        if let Some(h) = self.had_children.last_mut() {
            *h = true;
        }
        if self.depth > 0 {
            self.newline();
        }
        self.out.push('<');
        self.out.push_str(name);
        self.open_tag = true;
        self.depth += 1;
        self.had_children.push(false);
    }

    pub fn attr(&mut self, name: &str, value: &str) {
        debug_assert!(self.open_tag, "attributes go right after start()");
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        self.out.push_str(&escape_attr(value));
        self.out.push('"');
    }

    pub fn text(&mut self, text: &str) {
        self.close_open_tag();
        self.out.push_str(&escape_text(text));
    }

    /// Writes already-serialized XML verbatim (for `xs:any` content).
    ///
    /// Raw content does not count as child elements for indentation: an
    /// element holding only raw content is closed right after it, so the
    /// content reads back exactly as written (no indentation whitespace is
    /// added to it).
    pub fn raw(&mut self, xml: &str) {
        self.close_open_tag();
        self.out.push_str(xml);
    }

    pub fn end(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        let had_children = self.had_children.pop().unwrap_or(false);
        if self.open_tag && !had_children {
            // Written as <a></a> rather than <a/>: both are the same XML, and
            // the long form is what the official samples and most enterprise
            // systems use.
            self.out.push_str("></");
            self.open_tag = false;
        } else {
            self.close_open_tag();
            if had_children {
                self.newline();
            }
            self.out.push_str("</");
        }
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name>text</name>`.
    pub fn leaf(&mut self, name: &str, text: &str) {
        self.start(name);
        self.text(text);
        self.end(name);
    }

    pub fn finish(mut self) -> String {
        self.close_open_tag();
        if self.indent.is_some() {
            self.out.push('\n');
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_and_escaped() {
        let mut w = XmlWriter::new(Some("  "));
        w.start("ceb:A");
        w.attr("x", "a\"b\tc");
        w.leaf("ceb:b", "1 < 2 & 3");
        w.leaf("ceb:c", "");
        w.end("ceb:A");
        let s = w.finish();
        assert_eq!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ceb:A x=\"a&quot;b&#x9;c\">\n  <ceb:b>1 &lt; 2 &amp; 3</ceb:b>\n  <ceb:c></ceb:c>\n</ceb:A>\n"
        );
    }

    #[test]
    fn raw_content_is_written_verbatim() {
        let mut w = XmlWriter::new(Some("  "));
        w.start("ceb:A");
        for raw in ["", "<x:n xmlns:x=\"urn:x\">1</x:n>"] {
            w.start("ceb:Message");
            w.raw(raw);
            w.end("ceb:Message");
        }
        w.raw("<ds:Signature xmlns:ds=\"urn:ds\"></ds:Signature>");
        w.end("ceb:A");
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ceb:A>\n  <ceb:Message></ceb:Message>\n  \
             <ceb:Message><x:n xmlns:x=\"urn:x\">1</x:n></ceb:Message><ds:Signature xmlns:ds=\"urn:ds\"></ds:Signature>\n</ceb:A>\n"
        );
    }
}

/// Serializes an element and its subtree as standalone XML: prefixes are
/// kept as written, each element repeats the namespace declarations it was
/// written with, and the declarations its own name and attributes need from
/// ancestors are added where they are first used. Serializing the result
/// again gives the same string.
pub fn serialize_element(el: crate::Element<'_, '_>) -> String {
    let mut out = String::new();
    write_element(el, &mut out, &mut Scope::default());
    out
}

/// Serializes the children of an element (text, elements, comments, PIs) as
/// standalone XML fragments, as [`serialize_element`] does.
pub fn serialize_children(el: crate::Element<'_, '_>) -> String {
    let mut out = String::new();
    let mut scope = Scope::default();
    for id in el.children() {
        write_node(el.document(), id, &mut out, &mut scope);
    }
    out
}

/// The namespace declarations written so far: by prefix, innermost last, so
/// that looking a prefix up does not scan every declaration in scope; and
/// in the order written, to leave an element's scope.
#[derive(Default)]
struct Scope {
    by_prefix: std::collections::HashMap<String, Vec<String>>,
    order: Vec<String>,
}

impl Scope {
    fn bound(&self, prefix: &str) -> Option<&str> {
        self.by_prefix.get(prefix).and_then(|uris| uris.last()).map(String::as_str)
    }

    fn push(&mut self, prefix: &str, uri: &str) {
        self.by_prefix.entry(prefix.to_string()).or_default().push(uri.to_string());
        self.order.push(prefix.to_string());
    }

    fn truncate(&mut self, mark: usize) {
        for prefix in self.order.drain(mark..) {
            if let Some(uris) = self.by_prefix.get_mut(&prefix) {
                uris.pop();
            }
        }
    }

    /// Writes a declaration unless the binding is already in scope.
    fn declare(&mut self, out: &mut String, prefix: &str, uri: &str) {
        if prefix == "xml"
            || self.bound(prefix) == Some(uri)
            || (prefix.is_empty() && uri.is_empty() && self.bound("").is_none())
        {
            return;
        }
        out.push_str(if prefix.is_empty() { " xmlns" } else { " xmlns:" });
        out.push_str(prefix);
        out.push_str("=\"");
        out.push_str(&escape_attr(uri));
        out.push('"');
        self.push(prefix, uri);
    }
}

fn write_node(doc: &crate::Document<'_>, id: crate::NodeId, out: &mut String, scope: &mut Scope) {
    match doc.kind(id) {
        crate::NodeKind::Element(e) => write_element(e, out, scope),
        crate::NodeKind::Text(t) => out.push_str(&escape_text(t)),
        crate::NodeKind::Comment(c) => {
            out.push_str("<!--");
            out.push_str(c);
            out.push_str("-->");
        }
        crate::NodeKind::Pi { target, data } => {
            out.push_str("<?");
            out.push_str(target);
            if !data.is_empty() {
                out.push(' ');
                out.push_str(data);
            }
            out.push_str("?>");
        }
    }
}

fn write_element(el: crate::Element<'_, '_>, out: &mut String, scope: &mut Scope) {
    let mark = scope.order.len();
    out.push('<');
    out.push_str(el.qname());
    for d in el.ns_decls() {
        scope.declare(out, d.prefix, &d.uri);
    }
    scope.declare(out, el.prefix(), el.namespace().unwrap_or(""));
    for a in el.attributes() {
        if !a.prefix().is_empty() {
            scope.declare(out, a.prefix(), el.attribute_namespace(a).unwrap_or(""));
        }
    }
    for a in el.attributes() {
        out.push(' ');
        out.push_str(a.qname);
        out.push_str("=\"");
        out.push_str(&escape_attr(&a.value));
        out.push('"');
    }
    out.push('>');
    for id in el.children() {
        write_node(el.document(), id, out, scope);
    }
    out.push_str("</");
    out.push_str(el.qname());
    out.push('>');
    scope.truncate(mark);
}
