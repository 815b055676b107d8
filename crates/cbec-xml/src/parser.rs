//! A strict, non-validating XML 1.0 + Namespaces parser without DTD support.

use std::borrow::Cow;

use crate::tree::{Attribute, Document, ElemRec, NONE, NS_NONE, NS_XML, Node, NodeRec, NsDecl, XML_NS};
use crate::{XmlError, XmlErrorKind as K};

const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Resource limits applied while parsing. Every limit fails fast: the parser
/// stops at the first byte past it, so memory stays bounded by the limits,
/// not by the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted document, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted element nesting (the root is depth 1).
    pub max_depth: usize,
    /// Most nodes (elements, attributes, text runs, comments, PIs).
    pub max_nodes: usize,
    /// Most attributes on one element.
    pub max_attributes: usize,
}

impl Default for Limits {
    /// Sized for the largest legal CEB message (100 records of 99 items,
    /// about 6 MB) with room to spare.
    fn default() -> Self {
        Limits { max_bytes: 10 * 1024 * 1024, max_depth: 64, max_nodes: 500_000, max_attributes: 64 }
    }
}

struct Open<'a> {
    node: u32,
    qname: &'a str,
    scope_len: usize,
}

struct Parser<'a, 'l> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    limits: &'l Limits,
    nodes: Vec<Node<'a>>,
    attrs: Vec<Attribute<'a>>,
    decls: Vec<NsDecl<'a>>,
    /// In-scope prefix bindings in declaration order: (prefix, index into
    /// `decls`).
    scope: Vec<(&'a str, u32)>,
    /// The same bindings by prefix, innermost last, so that resolving a
    /// prefix does not scan every declaration in scope (64 levels of 64
    /// declarations made each element cost thousands of comparisons).
    bindings: std::collections::HashMap<&'a str, Vec<u32>>,
    stack: Vec<Open<'a>>,
    count: usize,
    // Pending text run.
    text_start: usize,
    text_owned: Option<String>,
    text_borrowed: Option<(usize, usize)>,
    /// Whether the pending text run holds a CDATA section.
    text_cdata: bool,
    raw_attrs: Vec<(&'a str, Cow<'a, str>, usize)>,
}

pub(crate) fn parse<'a>(src: &'a str, limits: &Limits) -> Result<Document<'a>, XmlError> {
    if src.len() > limits.max_bytes {
        return Err(XmlError::new(
            K::TooLarge,
            format!("the message is {} bytes, above the limit of {} bytes", src.len(), limits.max_bytes),
        ));
    }
    let p = Parser {
        src,
        b: src.as_bytes(),
        pos: 0,
        limits,
        nodes: Vec::with_capacity(src.len() / 24),
        attrs: Vec::new(),
        decls: Vec::new(),
        scope: Vec::new(),
        bindings: std::collections::HashMap::new(),
        stack: Vec::new(),
        count: 0,
        text_start: 0,
        text_owned: None,
        text_borrowed: None,
        text_cdata: false,
        raw_attrs: Vec::new(),
    };
    p.run()
}

/// Bytes that end a plain run of character data: markup, references,
/// carriage returns, `]` (for `]]>`), control characters and 0xEF (the lead
/// byte of U+FFFE and U+FFFF).
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = !(i == 0x09 || i == 0x0A);
        i += 1;
    }
    t[b'<' as usize] = true;
    t[b'&' as usize] = true;
    t[b']' as usize] = true;
    t[0xEF] = true;
    t
};

/// ASCII name characters.
static NAME_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric() || c == b'_' || c == b':' || c == b'-' || c == b'.';
        i += 1;
    }
    t
};

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic()
        || c == '_'
        || c == ':'
        || matches!(c, '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}'
            | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
            | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || c.is_ascii_digit()
        || c == '-'
        || c == '.'
        || c == '\u{B7}'
        || matches!(c, '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// XML 1.0 §2.11: `\r\n` and a lone `\r` become `\n`.
fn normalize_line_ends(s: &str) -> Cow<'_, str> {
    if s.contains('\r') { Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n")) } else { Cow::Borrowed(s) }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

impl<'a> Parser<'a, '_> {
    fn err(&self, kind: K, msg: impl Into<String>) -> XmlError {
        XmlError::at(kind, msg, self.src, self.pos)
    }

    fn malformed(&self, msg: impl Into<String>) -> XmlError {
        self.err(K::Malformed, msg)
    }

    fn starts_with(&self, s: &str) -> bool {
        self.b[self.pos..].starts_with(s.as_bytes())
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
        self.pos > start
    }

    fn expect(&mut self, s: &str) -> Result<(), XmlError> {
        if self.starts_with(s) {
            self.pos += s.len();
            Ok(())
        } else {
            Err(self.malformed(format!("expected '{s}'")))
        }
    }

    fn bump_count(&mut self) -> Result<(), XmlError> {
        self.count += 1;
        if self.count > self.limits.max_nodes {
            return Err(self.err(K::TooManyNodes, format!("more than {} nodes", self.limits.max_nodes)));
        }
        Ok(())
    }

    fn read_name(&mut self) -> Result<&'a str, XmlError> {
        let start = self.pos;
        // Fast path: ASCII names, which are all names in CEB messages.
        let mut i = start;
        match self.b.get(i) {
            Some(&c) if c < 0x80 => {
                if !(c.is_ascii_alphabetic() || c == b'_' || c == b':') {
                    return Err(self.malformed(format!("'{}' cannot start a name", (c as char).escape_debug())));
                }
                i += 1;
                let b = self.b;
                while i < b.len() && NAME_CHAR[b[i] as usize] {
                    i += 1;
                }
                if self.b.get(i).is_none_or(|&c| c < 0x80) {
                    self.pos = i;
                    return Ok(&self.src[start..i]);
                }
            }
            Some(_) => {}
            None => return Err(self.malformed("unexpected end of document, expected a name")),
        }
        // General path: names with non-ASCII characters.
        let rest = &self.src[start..];
        let mut chars = rest.char_indices();
        match chars.next() {
            Some((_, c)) if is_name_start(c) => {}
            Some((_, c)) => return Err(self.malformed(format!("'{}' cannot start a name", c.escape_debug()))),
            None => return Err(self.malformed("unexpected end of document, expected a name")),
        }
        let mut end = rest.len();
        for (i, c) in chars {
            if !is_name_char(c) {
                end = i;
                break;
            }
        }
        self.pos = start + end;
        Ok(&self.src[start..start + end])
    }

    /// Splits a QName and checks it is namespace-well-formed.
    fn split_qname(&self, q: &str) -> Result<usize, XmlError> {
        match q.bytes().position(|b| b == b':') {
            None => Ok(0),
            Some(i) => {
                let local = &q[i + 1..];
                if i == 0 || local.is_empty() || local.contains(':') || !local.starts_with(is_name_start) {
                    Err(self.malformed(format!("'{q}' is not a valid qualified name")))
                } else {
                    Ok(i)
                }
            }
        }
    }

    fn run(mut self) -> Result<Document<'a>, XmlError> {
        let mut top = Vec::new();
        let mut has_xml_decl = false;
        if self.starts_with("<?xml") && matches!(self.b.get(5), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.xml_decl()?;
            has_xml_decl = true;
        }
        // Prolog.
        let root = loop {
            self.skip_ws();
            if self.pos >= self.b.len() {
                return Err(self.malformed("the document has no root element"));
            }
            if self.starts_with("<!--") {
                top.push(self.comment()?);
            } else if self.starts_with("<!DOCTYPE") || self.starts_with("<!doctype") {
                return Err(self.err(
                    K::DtdForbidden,
                    "a <!DOCTYPE> declaration is not accepted in CEB messages (entity declarations and external references are refused)",
                ));
            } else if self.starts_with("<?") {
                top.push(self.pi()?);
            } else if self.peek() == Some(b'<') {
                let r = self.content()?;
                top.push(r);
                break r;
            } else {
                return Err(self.malformed("text before the root element"));
            }
        };
        // Epilog.
        loop {
            self.skip_ws();
            if self.pos >= self.b.len() {
                break;
            }
            if self.starts_with("<!--") {
                top.push(self.comment()?);
            } else if self.starts_with("<?") {
                top.push(self.pi()?);
            } else if self.starts_with("<!DOCTYPE") {
                return Err(self.err(K::DtdForbidden, "a <!DOCTYPE> declaration is not accepted"));
            } else {
                return Err(self.malformed("content after the root element"));
            }
        }
        Ok(Document {
            src: self.src,
            nodes: self.nodes,
            attrs: self.attrs,
            decls: self.decls,
            top,
            root,
            has_xml_decl,
            line_starts: std::sync::OnceLock::new(),
        })
    }

    fn xml_decl(&mut self) -> Result<(), XmlError> {
        self.pos += 5;
        let end = self.src[self.pos..].find("?>").ok_or_else(|| self.malformed("unterminated XML declaration"))?;
        let body = &self.src[self.pos..self.pos + end];
        if !body.trim_start().starts_with("version") {
            return Err(self.malformed("the XML declaration must start with version"));
        }
        if body.contains(['<', '>']) {
            return Err(self.malformed("malformed XML declaration"));
        }
        self.pos += end + 2;
        Ok(())
    }

    fn push_node(&mut self, rec: NodeRec<'a>, offset: usize) -> u32 {
        let id = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX - 2);
        let parent = self.stack.last().map_or(NONE, |o| o.node);
        self.nodes.push(Node {
            rec,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            offset: u32::try_from(offset).unwrap_or(u32::MAX),
        });
        if parent != NONE {
            let p = parent as usize;
            let last = self.nodes[p].last_child;
            if last == NONE {
                self.nodes[p].first_child = id;
            } else {
                self.nodes[last as usize].next_sibling = id;
            }
            self.nodes[p].last_child = id;
        }
        id
    }

    fn comment(&mut self) -> Result<u32, XmlError> {
        let start = self.pos;
        self.pos += 4;
        let end = self.src[self.pos..].find("--").ok_or_else(|| self.malformed("unterminated comment"))?;
        let body = &self.src[self.pos..self.pos + end];
        self.pos += end;
        if !self.starts_with("-->") {
            return Err(self.malformed("'--' is not allowed inside a comment"));
        }
        self.check_chars(body, start)?;
        self.pos += 3;
        self.bump_count()?;
        Ok(self.push_node(NodeRec::Comment(normalize_line_ends(body)), start))
    }

    fn pi(&mut self) -> Result<u32, XmlError> {
        let start = self.pos;
        self.pos += 2;
        let target = self.read_name()?;
        if target.eq_ignore_ascii_case("xml") {
            return Err(self.malformed("the XML declaration is only allowed at the very start of the document"));
        }
        let data;
        if self.starts_with("?>") {
            data = "";
            self.pos += 2;
        } else {
            if !self.skip_ws() {
                return Err(self.malformed("expected whitespace after the processing instruction target"));
            }
            let end =
                self.src[self.pos..].find("?>").ok_or_else(|| self.malformed("unterminated processing instruction"))?;
            data = &self.src[self.pos..self.pos + end];
            self.check_chars(data, self.pos)?;
            self.pos += end + 2;
        }
        self.bump_count()?;
        Ok(self.push_node(NodeRec::Pi { target, data: normalize_line_ends(data) }, start))
    }

    fn check_chars(&self, s: &str, offset: usize) -> Result<(), XmlError> {
        if let Some((i, c)) = s.char_indices().find(|&(_, c)| !is_xml_char(c)) {
            return Err(XmlError::at(
                K::Malformed,
                format!("character U+{:04X} is not allowed in XML", c as u32),
                self.src,
                offset + i,
            ));
        }
        Ok(())
    }

    // ---- text runs ----

    fn text_push_borrowed(&mut self, start: usize, end: usize) {
        if start == end {
            return;
        }
        if let Some(s) = self.text_owned.as_mut() {
            s.push_str(&self.src[start..end]);
        } else if let Some((bs, be)) = self.text_borrowed {
            let mut s = String::with_capacity(be - bs + end - start + 16);
            s.push_str(&self.src[bs..be]);
            s.push_str(&self.src[start..end]);
            self.text_owned = Some(s);
            self.text_borrowed = None;
        } else {
            self.text_start = start;
            self.text_borrowed = Some((start, end));
        }
    }

    fn text_owned_mut(&mut self, at: usize) -> &mut String {
        if self.text_owned.is_none() {
            let s = match self.text_borrowed.take() {
                Some((bs, be)) => String::from(&self.src[bs..be]),
                None => {
                    self.text_start = at;
                    String::new()
                }
            };
            self.text_owned = Some(s);
        }
        self.text_owned.get_or_insert_with(String::new)
    }

    fn flush_text(&mut self) -> Result<(), XmlError> {
        let cdata = std::mem::take(&mut self.text_cdata);
        let text = if let Some(s) = self.text_owned.take() {
            Cow::Owned(s)
        } else if let Some((s, e)) = self.text_borrowed.take() {
            Cow::Borrowed(&self.src[s..e])
        } else {
            return Ok(());
        };
        let ignorable = !cdata && text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        let rec = NodeRec::Text(text, ignorable);
        if self.stack.is_empty() {
            return Ok(());
        }
        self.bump_count()?;
        self.push_node(rec, self.text_start);
        Ok(())
    }

    /// Character data up to the next `<`.
    fn char_data(&mut self) -> Result<(), XmlError> {
        let mut run = self.pos;
        while self.pos < self.b.len() {
            // Skip plain characters in one tight loop.
            while let Some(&c) = self.b.get(self.pos) {
                if SPECIAL[c as usize] {
                    break;
                }
                self.pos += 1;
            }
            let Some(&c) = self.b.get(self.pos) else { break };
            match c {
                b'<' => break,
                b'&' => {
                    self.text_push_borrowed(run, self.pos);
                    let at = self.pos;
                    let c = self.reference()?;
                    self.text_owned_mut(at).push(c);
                    run = self.pos;
                }
                b'\r' => {
                    self.text_push_borrowed(run, self.pos);
                    let at = self.pos;
                    self.text_owned_mut(at).push('\n');
                    self.pos += 1;
                    if self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    run = self.pos;
                }
                b']' if self.starts_with("]]>") => {
                    return Err(self.malformed("']]>' is not allowed in text"));
                }
                c if c < 0x20 && c != b'\t' && c != b'\n' => {
                    return Err(self.malformed(format!("control character U+{c:04X} is not allowed in XML")));
                }
                0xEF if self.starts_with("\u{FFFE}") || self.starts_with("\u{FFFF}") => {
                    return Err(self.malformed("characters U+FFFE and U+FFFF are not allowed in XML"));
                }
                _ => self.pos += 1,
            }
        }
        self.text_push_borrowed(run, self.pos);
        Ok(())
    }

    /// An entity or character reference at `self.pos` (which is `&`).
    fn reference(&mut self) -> Result<char, XmlError> {
        let start = self.pos;
        let rest = &self.src[start + 1..];
        let end = rest.find(';').filter(|&e| e <= 12).ok_or_else(|| {
            self.malformed("'&' must start an entity or character reference (write &amp; for a literal '&')")
        })?;
        let name = &rest[..end];
        self.pos = start + 1 + end + 1;
        let c = match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            _ if name.starts_with("#x") => u32::from_str_radix(&name[2..], 16)
                .ok()
                .filter(|_| !name[2..].is_empty() && name[2..].bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(char::from_u32)
                .filter(|&c| is_xml_char(c))
                .ok_or_else(|| {
                    XmlError::at(K::Malformed, format!("&{name}; is not a valid character reference"), self.src, start)
                })?,
            _ if name.starts_with('#') => name[1..]
                .parse::<u32>()
                .ok()
                .filter(|_| name[1..].bytes().all(|b| b.is_ascii_digit()))
                .and_then(char::from_u32)
                .filter(|&c| is_xml_char(c))
                .ok_or_else(|| {
                    XmlError::at(K::Malformed, format!("&{name}; is not a valid character reference"), self.src, start)
                })?,
            _ => {
                return Err(XmlError::at(
                    K::EntityUndefined,
                    format!(
                        "entity &{name}; is not defined; only &lt; &gt; &amp; &apos; &quot; and character references are accepted"
                    ),
                    self.src,
                    start,
                ));
            }
        };
        Ok(c)
    }

    /// The root element and everything in it, iteratively.
    fn content(&mut self) -> Result<u32, XmlError> {
        let root = self.start_tag()?;
        if self.stack.is_empty() {
            return Ok(root);
        }
        loop {
            if self.pos >= self.b.len() {
                let open = self.stack.last().map_or("", |o| o.qname);
                return Err(self.malformed(format!("unexpected end of document: <{open}> is not closed")));
            }
            if self.b[self.pos] != b'<' {
                self.char_data()?;
                continue;
            }
            if self.starts_with("</") {
                self.flush_text()?;
                self.pos += 2;
                let Some(open) = self.stack.pop() else {
                    return Err(self.malformed("unexpected end tag"));
                };
                // The end tag must repeat the start tag's name exactly.
                let n = open.qname.len();
                let same = self.b[self.pos..].starts_with(open.qname.as_bytes())
                    && self.b.get(self.pos + n).is_none_or(|&c| !NAME_CHAR[c as usize] && c < 0x80);
                if same {
                    self.pos += n;
                } else {
                    let name = self.read_name()?;
                    return Err(self.malformed(format!("end tag </{name}> does not match start tag <{}>", open.qname)));
                }
                self.skip_ws();
                self.expect(">")?;
                self.unbind_to(open.scope_len);
                if self.stack.is_empty() {
                    return Ok(root);
                }
            } else if self.starts_with("<!--") {
                self.flush_text()?;
                self.comment()?;
            } else if self.starts_with("<![CDATA[") {
                let at = self.pos;
                self.pos += 9;
                self.text_cdata = true;
                let end =
                    self.src[self.pos..].find("]]>").ok_or_else(|| self.malformed("unterminated CDATA section"))?;
                let body = &self.src[self.pos..self.pos + end];
                self.check_chars(body, self.pos)?;
                if body.contains('\r') {
                    let norm = body.replace("\r\n", "\n").replace('\r', "\n");
                    self.text_owned_mut(at).push_str(&norm);
                } else if self.text_owned.is_none() && self.text_borrowed.is_none() {
                    self.text_start = at;
                    self.text_borrowed = Some((self.pos, self.pos + end));
                } else {
                    self.text_owned_mut(at).push_str(body);
                }
                self.pos += end + 3;
            } else if self.starts_with("<?") {
                self.flush_text()?;
                self.pi()?;
            } else if self.starts_with("<!DOCTYPE") {
                return Err(self.err(K::DtdForbidden, "a <!DOCTYPE> declaration is not accepted"));
            } else if self.starts_with("<!") {
                return Err(self.malformed("unexpected markup declaration"));
            } else {
                self.flush_text()?;
                self.start_tag()?;
            }
        }
    }

    fn attr_value(&mut self) -> Result<Cow<'a, str>, XmlError> {
        let quote = match self.peek() {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return Err(self.malformed("attribute values must be quoted")),
        };
        self.pos += 1;
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.malformed("unterminated attribute value"));
            };
            match c {
                _ if c == quote => break,
                b'<' => return Err(self.malformed("'<' is not allowed in an attribute value (write &lt;)")),
                b'&' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.src[run..self.pos]);
                    let ch = self.reference()?;
                    owned.get_or_insert_with(String::new).push(ch);
                    run = self.pos;
                }
                b'\t' | b'\n' | b'\r' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.src[run..self.pos]);
                    s.push(' ');
                    if c == b'\r' && self.b.get(self.pos + 1) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    self.pos += 1;
                    run = self.pos;
                }
                c if c < 0x20 => {
                    return Err(self.malformed(format!("control character U+{c:04X} is not allowed in XML")));
                }
                0xEF if self.starts_with("\u{FFFE}") || self.starts_with("\u{FFFF}") => {
                    return Err(self.malformed("characters U+FFFE and U+FFFF are not allowed in XML"));
                }
                _ => self.pos += 1,
            }
        }
        let value = match owned {
            Some(mut s) => {
                s.push_str(&self.src[run..self.pos]);
                Cow::Owned(s)
            }
            None => Cow::Borrowed(&self.src[start..self.pos]),
        };
        self.pos += 1;
        Ok(value)
    }

    /// Leaves the scope of the declarations made since `scope_len`.
    fn unbind_to(&mut self, scope_len: usize) {
        for (prefix, _) in self.scope.drain(scope_len..) {
            if let Some(b) = self.bindings.get_mut(prefix) {
                b.pop();
            }
        }
    }

    fn resolve(&self, prefix: &str) -> Option<u32> {
        if prefix == "xml" {
            return Some(NS_XML);
        }
        // A handful of bindings (every real message) is fastest to scan; the
        // map keeps pathological documents with thousands of declarations in
        // scope linear.
        if self.scope.len() <= 16 {
            return self.scope.iter().rev().find(|(p, _)| *p == prefix).map(|&(_, i)| i);
        }
        self.bindings.get(prefix).and_then(|b| b.last().copied())
    }

    /// A start tag at `self.pos` (which is `<`). Returns the new element.
    fn start_tag(&mut self) -> Result<u32, XmlError> {
        let start = self.pos;
        self.pos += 1;
        let qname = self.read_name()?;
        let prefix_len = self.split_qname(qname)?;
        self.bump_count()?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(
                self.err(K::TooDeep, format!("elements are nested deeper than {} levels", self.limits.max_depth))
            );
        }
        let mut raw = std::mem::take(&mut self.raw_attrs);
        raw.clear();
        let empty;
        loop {
            let had_ws = self.skip_ws();
            match self.peek() {
                Some(b'>') => {
                    self.pos += 1;
                    empty = false;
                    break;
                }
                Some(b'/') => {
                    self.pos += 1;
                    self.expect(">")?;
                    empty = true;
                    break;
                }
                None => return Err(self.malformed(format!("unterminated start tag <{qname}"))),
                _ => {}
            }
            if !had_ws {
                return Err(self.malformed("expected whitespace between attributes"));
            }
            let at = self.pos;
            let name = self.read_name()?;
            self.skip_ws();
            self.expect("=")?;
            self.skip_ws();
            let value = self.attr_value()?;
            if raw.iter().any(|(n, _, _)| *n == name) {
                return Err(XmlError::at(K::Malformed, format!("attribute '{name}' is repeated"), self.src, at));
            }
            if raw.len() >= self.limits.max_attributes {
                return Err(XmlError::at(
                    K::TooManyNodes,
                    format!("more than {} attributes on <{qname}>", self.limits.max_attributes),
                    self.src,
                    at,
                ));
            }
            raw.push((name, value, at));
        }
        let scope_len = self.scope.len();
        let decl_start = self.decls.len();
        // Namespace declarations first: they apply to the element's own name
        // and attributes.
        for (name, value, at) in &raw {
            let prefix = if *name == "xmlns" {
                ""
            } else if let Some(p) = name.strip_prefix("xmlns:") {
                p
            } else {
                continue;
            };
            let bad = |m: String| XmlError::at(K::Malformed, m, self.src, *at);
            if prefix == "xmlns" {
                return Err(bad("the prefix 'xmlns' cannot be declared".into()));
            }
            if prefix == "xml" && value.as_ref() != XML_NS {
                return Err(bad("the prefix 'xml' can only be bound to its own namespace".into()));
            }
            if prefix != "xml" && (value.as_ref() == XML_NS || value.as_ref() == XMLNS_NS) {
                return Err(bad(format!("the namespace {value} cannot be bound to '{prefix}'")));
            }
            if !prefix.is_empty() && value.is_empty() {
                return Err(bad(format!("the prefix '{prefix}' cannot be undeclared")));
            }
            if prefix.contains(':') {
                return Err(bad(format!("'{name}' is not a valid namespace declaration")));
            }
            let idx = u32::try_from(self.decls.len()).unwrap_or(u32::MAX - 2);
            self.decls.push(NsDecl { prefix, uri: value.clone() });
            self.scope.push((prefix, idx));
            self.bindings.entry(prefix).or_default().push(idx);
        }
        let decl_end = self.decls.len();
        let ns = {
            let prefix = &qname[..prefix_len];
            match self.resolve(prefix) {
                Some(i) if i != NS_XML && self.decls[i as usize].uri.is_empty() => NS_NONE,
                Some(i) => i,
                None if prefix.is_empty() => NS_NONE,
                None => {
                    return Err(XmlError::at(
                        K::NamespaceUndeclared,
                        format!("the prefix '{prefix}' of <{qname}> is not declared"),
                        self.src,
                        start,
                    ));
                }
            }
        };
        let attr_start = self.attrs.len();
        for (name, value, at) in raw.drain(..) {
            if name == "xmlns" || name.starts_with("xmlns:") {
                continue;
            }
            self.bump_count()?;
            let plen = self.split_qname(name)?;
            let ans = if plen == 0 {
                NS_NONE
            } else {
                let prefix = &name[..plen];
                match self.resolve(prefix) {
                    Some(i) => i,
                    None => {
                        return Err(XmlError::at(
                            K::NamespaceUndeclared,
                            format!("the prefix '{prefix}' of attribute '{name}' is not declared"),
                            self.src,
                            at,
                        ));
                    }
                }
            };
            if plen > 0 {
                let uri = self.uri_of(ans);
                let local = &name[plen + 1..];
                let dup = self.attrs[attr_start..]
                    .iter()
                    .any(|a| a.ns != NS_NONE && a.local_name() == local && self.uri_of(a.ns) == uri);
                if dup {
                    return Err(XmlError::at(
                        K::Malformed,
                        format!("attribute '{name}' is repeated (same namespace and name)"),
                        self.src,
                        at,
                    ));
                }
            }
            self.attrs.push(Attribute {
                qname: name,
                prefix_len: plen,
                ns: ans,
                value,
                offset: u32::try_from(at).unwrap_or(u32::MAX),
            });
        }
        self.raw_attrs = raw;
        let rec = ElemRec {
            qname,
            prefix_len,
            ns,
            attrs: (attr_start as u32, self.attrs.len() as u32),
            decls: (decl_start as u32, decl_end as u32),
        };
        let id = self.push_node(NodeRec::Element(rec), start);
        if empty {
            self.unbind_to(scope_len);
        } else {
            self.stack.push(Open { node: id, qname, scope_len });
        }
        Ok(id)
    }

    fn uri_of(&self, ns: u32) -> &str {
        match ns {
            NS_NONE => "",
            NS_XML => XML_NS,
            i => self.decls[i as usize].uri.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Document, Limits, NodeKind, XmlErrorKind};

    fn parse(s: &str) -> Result<Document<'_>, crate::XmlError> {
        Document::parse(s, &Limits::default())
    }

    #[test]
    fn namespaces_resolve_by_uri_not_prefix() {
        let a = parse(r#"<ceb:A xmlns:ceb="urn:x"><ceb:b>1</ceb:b></ceb:A>"#).unwrap();
        let b = parse(r#"<A xmlns="urn:x"><b>1</b></A>"#).unwrap();
        for d in [&a, &b] {
            let root = d.root();
            assert!(root.is("urn:x", "A"));
            let child = root.child_elements().next().unwrap();
            assert!(child.is("urn:x", "b"));
            assert_eq!(child.text(), "1");
        }
    }

    #[test]
    fn references_and_line_ends_are_normalized() {
        let d = parse("<a x=\"1&#9;2\t3&amp;\">x&lt;y&#x4E2D;\r\nz<![CDATA[<q>]]></a>").unwrap();
        let root = d.root();
        assert_eq!(root.attribute("x").unwrap(), "1\t2 3&");
        assert_eq!(root.text(), "x<y中\nz<q>");
        let d = parse("<a> <b/><![CDATA[ ]]><c/>\n</a>").unwrap();
        let ws: Vec<_> = d
            .root()
            .children()
            .filter(|&id| matches!(d.kind(id), NodeKind::Text(_)))
            .map(|id| d.is_ignorable_whitespace(id))
            .collect();
        assert_eq!(ws, [true, false, true]);
    }

    #[test]
    fn dtd_and_unknown_entities_are_refused() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>"#;
        assert_eq!(parse(xxe).unwrap_err().kind, XmlErrorKind::DtdForbidden);
        assert_eq!(parse("<a>&x;</a>").unwrap_err().kind, XmlErrorKind::EntityUndefined);
    }

    #[test]
    fn malformed_documents_are_refused() {
        for bad in [
            "<a>",
            "<a></b>",
            "<a x='1' x='2'/>",
            "<p:a/>",
            "<a>]]></a>",
            "<a/><b/>",
            "text<a/>",
            "<a>\u{1}</a>",
            "<a><!-- x -- y --></a>",
            "<a b=c/>",
            "<a>&#0;</a>",
            "<a>&amp</a>",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn depth_and_node_limits() {
        let deep = "<a>".repeat(10_000) + &"</a>".repeat(10_000);
        assert_eq!(parse(&deep).unwrap_err().kind, XmlErrorKind::TooDeep);
        let limits = Limits { max_nodes: 10, ..Limits::default() };
        let many = format!("<a>{}</a>", "<b/>".repeat(20));
        assert_eq!(Document::parse(&many, &limits).unwrap_err().kind, XmlErrorKind::TooManyNodes);
    }

    #[test]
    fn lines_of_nodes_match_line_col() {
        let src = "<a>\n<b/>\r\n\n<c/>\n</a>\n";
        let d = parse(src).unwrap();
        let lines: Vec<u32> = d.root().child_elements().map(|e| e.line()).collect();
        assert_eq!(lines, [2, 4]);
        for offset in 0..=src.len() + 1 {
            assert_eq!(d.line_at(offset), crate::line_col(src, offset).0, "offset {offset}");
        }
    }

    #[test]
    fn comments_pis_and_whitespace_are_kept() {
        let d = parse("<?xml version=\"1.0\"?>\n<!--c--><a> <?p d?><!--x--></a>").unwrap();
        assert!(d.has_xml_declaration());
        assert_eq!(d.top_level().count(), 2);
        let kinds: Vec<_> = d.root().children().map(|id| d.kind(id)).collect();
        assert!(matches!(kinds[0], NodeKind::Text(" ")));
        assert!(matches!(kinds[1], NodeKind::Pi { target: "p", data: "d" }));
        assert!(matches!(kinds[2], NodeKind::Comment("x")));
        let d = parse("<a><!--1\r\n2\r3--><?p x\r\ny?></a>").unwrap();
        let kinds: Vec<_> = d.root().children().map(|id| d.kind(id)).collect();
        assert!(matches!(kinds[0], NodeKind::Comment("1\n2\n3")));
        assert!(matches!(kinds[1], NodeKind::Pi { target: "p", data: "x\ny" }));
    }
}
