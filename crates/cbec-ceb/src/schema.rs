//! The official XSDs as tables, and a validator that gives the same verdict
//! as `xmllint --schema` on them.
//!
//! The tables in `generated/` are written by `xsdgen` from `spec/xsd/`. The
//! validator walks a parsed document against them and reports every problem
//! at once, each with a stable code and a path such as
//! `Order[1]/OrderList[2]/qty`. Where libxml2 (the engine of `xmllint`) reads
//! XML Schema in a particular way, the validator follows libxml2, because
//! enterprises test their messages with it: `xs:int` values may carry no
//! surrounding whitespace, `totalDigits` ignores leading zeros and trailing
//! fraction zeros, and an element `default` or `fixed` value only replaces
//! an element that is completely empty.

use cbec_model::diag::{Code, Diagnostic};
use cbec_xml::{Document, Element};

use crate::generated;

pub const CEB_NS: &str = "http://www.chinaport.gov.cn/ceb";
pub const DXP_NS: &str = "http://www.chinaport.gov.cn/dxp";
pub const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The namespace of the XML Schema built-in types, as named by `xsi:type`.
pub const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
/// Placeholder for namespaces the generator does not know (never emitted).
pub const UNKNOWN_NS: &str = "";

/// One XSD file as a table of element declarations.
#[derive(Debug)]
pub struct Schema {
    /// `import`, `export` or `dxp`.
    pub name: &'static str,
    pub xsd_file: &'static str,
    pub ns: &'static str,
    pub prefix: &'static str,
    pub elements: &'static [ElementDecl],
    /// Indices of the message root declarations.
    pub roots: &'static [usize],
}

impl Schema {
    /// The root declaration with this local name.
    pub fn root(&self, local: &str) -> Option<&'static ElementDecl> {
        self.roots.iter().map(|&i| &self.elements[i]).find(|d| d.name == local)
    }
}

/// An element declaration.
#[derive(Debug)]
pub struct ElementDecl {
    pub name: &'static str,
    pub ns: &'static str,
    /// The Chinese field name (the start of the XSD documentation).
    pub label: &'static str,
    /// The full XSD documentation.
    pub doc: &'static str,
    pub content: Content,
    pub attrs: &'static [AttrDecl],
    pub default: Option<&'static str>,
    pub fixed: Option<&'static str>,
}

/// What an element may contain.
#[derive(Debug)]
pub enum Content {
    /// Text of a simple type.
    Simple(SimpleType),
    /// A sequence of child elements (or, with `text`, simple content with
    /// attributes).
    Complex { parts: &'static [Particle], text: Option<SimpleType> },
    /// At most one element of any namespace, not validated (`xs:any
    /// processContents="skip"`).
    Any,
    /// Anything (`xs:anyType`).
    AnyType,
    /// An XML-DSig `ds:Signature`.
    Signature,
}

/// A member of a sequence.
#[derive(Debug, Clone, Copy)]
pub struct Particle {
    /// Index into the schema's element table.
    pub elem: usize,
    pub min: u32,
    /// `u32::MAX` for unbounded.
    pub max: u32,
}

#[derive(Debug)]
pub struct AttrDecl {
    pub name: &'static str,
    pub required: bool,
    pub ty: SimpleType,
    pub fixed: Option<&'static str>,
    pub label: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    String,
    Decimal,
    Int,
    Date,
    DateTime,
    Base64,
    Id,
}

/// A restriction of a built-in type.
#[derive(Debug, Clone, Copy)]
pub struct SimpleType {
    pub base: Base,
    pub length: Option<u32>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub total_digits: Option<u32>,
    pub fraction_digits: Option<u32>,
    /// `whiteSpace="collapse"`.
    pub collapse: bool,
}

/// All schemas.
pub fn schemas() -> [&'static Schema; 3] {
    [&generated::import::SCHEMA, &generated::export::SCHEMA, &generated::dxp::SCHEMA]
}

/// Finds the schema and declaration of a root element.
pub fn find_root(ns: Option<&str>, local: &str) -> Option<(&'static Schema, &'static ElementDecl)> {
    schemas().into_iter().filter(|s| Some(s.ns) == ns).find_map(|s| s.root(local).map(|d| (s, d)))
}

fn is_xml_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// XML Schema whitespace collapse.
pub fn collapse(s: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = s.trim_matches(is_xml_ws);
    let needs = trimmed.len() != s.len() || trimmed.contains(['\t', '\n', '\r']) || trimmed.contains("  ");
    if !needs {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut ws = false;
    for c in trimmed.chars() {
        if is_xml_ws(c) {
            ws = true;
        } else {
            if ws {
                out.push(' ');
                ws = false;
            }
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Checks a lexical value against a simple type. Returns the problem, if any.
pub fn check_simple(raw: &str, ty: &SimpleType) -> Option<(Code, String)> {
    match ty.base {
        Base::String => {
            let v = if ty.collapse { collapse(raw) } else { std::borrow::Cow::Borrowed(raw) };
            check_length(&v, ty)
        }
        Base::Decimal => {
            let v = raw.trim_matches(is_xml_ws);
            let Some((int_digits, frac_digits)) = decimal_digits(v) else {
                return Some((
                    Code::SchemaNotDecimal,
                    format!("'{v}' is not a decimal number (write digits with an optional '.' and sign, e.g. 12.50)"),
                ));
            };
            if let Some(max) = ty.total_digits
                && int_digits + frac_digits > max
            {
                return Some((
                    Code::SchemaTotalDigits,
                    format!("'{v}' has {} significant digits; at most {max} are allowed", int_digits + frac_digits),
                ));
            }
            if let Some(max) = ty.fraction_digits
                && frac_digits > max
            {
                return Some((
                    Code::SchemaFractionDigits,
                    format!("'{v}' has {frac_digits} digits after the decimal point; at most {max} are allowed"),
                ));
            }
            None
        }
        Base::Int => {
            let digits = raw.strip_prefix(['+', '-']).unwrap_or(raw);
            if digits.is_empty()
                || !digits.bytes().all(|b| b.is_ascii_digit())
                || raw.parse::<i64>().map_or(true, |n| i32::try_from(n).is_err())
            {
                return Some((
                    Code::SchemaNotInteger,
                    format!("'{raw}' is not an integer between -2147483648 and 2147483647 (no spaces allowed)"),
                ));
            }
            if let Some(max) = ty.total_digits {
                let sig = digits.trim_start_matches('0').len().max(1) as u32;
                if sig > max {
                    return Some((
                        Code::SchemaTotalDigits,
                        format!("'{raw}' has {sig} digits; at most {max} are allowed"),
                    ));
                }
            }
            None
        }
        Base::Date => {
            let v = raw.trim_matches(is_xml_ws);
            (!is_xsd_date(v)).then(|| (Code::SchemaNotDate, format!("'{v}' is not a date of the form YYYY-MM-DD")))
        }
        Base::DateTime => {
            let v = raw.trim_matches(is_xml_ws);
            (!is_xsd_datetime(v))
                .then(|| (Code::SchemaNotDate, format!("'{v}' is not a dateTime of the form YYYY-MM-DDThh:mm:ss")))
        }
        Base::Base64 => (!is_base64(raw)).then(|| (Code::SchemaNotBase64, "the value is not valid base64".to_string())),
        Base::Id => {
            let v = raw.trim_matches(is_xml_ws);
            let ok = v.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && v.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
            (!ok).then(|| (Code::SchemaInvalidValue, format!("'{v}' is not a valid xs:ID")))
        }
    }
}

fn check_length(v: &str, ty: &SimpleType) -> Option<(Code, String)> {
    if ty.length.is_none() && ty.min_length.is_none() && ty.max_length.is_none() {
        return None;
    }
    let n = v.chars().count() as u32;
    if let Some(l) = ty.length
        && n != l
    {
        return Some((Code::SchemaLength, format!("the value has {n} characters; exactly {l} are required")));
    }
    if let Some(min) = ty.min_length
        && n < min
    {
        return Some((Code::SchemaLength, format!("the value has {n} characters; at least {min} are required")));
    }
    if let Some(max) = ty.max_length
        && n > max
    {
        return Some((Code::SchemaLength, format!("the value has {n} characters; at most {max} are allowed")));
    }
    None
}

/// Significant integer and fraction digits of an XSD decimal, or `None` if
/// it is not one.
///
/// libxml2 reads at most 24 digits after the leading zeros, trailing
/// fraction zeros included, and refuses a value with more (with a decimal
/// point, at most 23 of them may come before it), so `1.` followed by 24
/// zeros is not a decimal for it although its value is 1.
fn decimal_digits(v: &str) -> Option<(u32, u32)> {
    let body = v.strip_prefix(['+', '-']).unwrap_or(v);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int_len = int.trim_start_matches('0').len();
    let readable = if body.contains('.') { int_len <= 23 && int_len + frac.len() <= 24 } else { int_len <= 24 };
    if !readable {
        return None;
    }
    let int_sig = int_len as u32;
    let frac_sig = frac.trim_end_matches('0').len() as u32;
    Some((int_sig, frac_sig))
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

fn valid_ymd(date: &str) -> bool {
    let date = date.strip_prefix('-').unwrap_or(date);
    let mut it = date.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (it.next(), it.next(), it.next()) else { return false };
    let (Some(y), Some(m), Some(d)) =
        (if y.len() >= 4 { digits(y, y.len()) } else { None }, digits(m, 2), digits(d, 2))
    else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=dim).contains(&d)
}

fn strip_tz(v: &str) -> Option<&str> {
    if let Some(rest) = v.strip_suffix('Z') {
        return Some(rest);
    }
    // Look at the last six bytes before slicing: they may split a character
    // (found by fuzzing), but not once they start with an ASCII sign.
    let b = v.as_bytes();
    if b.len() > 6 && matches!(b[b.len() - 6], b'+' | b'-') && b[b.len() - 3] == b':' {
        let (head, tz) = v.split_at(v.len() - 6);
        let h = digits(tz.get(1..3)?, 2)?;
        let m = digits(tz.get(4..6)?, 2)?;
        return (h <= 14 && m <= 59).then_some(head);
    }
    Some(v)
}

fn is_xsd_date(v: &str) -> bool {
    strip_tz(v).is_some_and(valid_ymd)
}

fn is_xsd_datetime(v: &str) -> bool {
    let Some(v) = strip_tz(v) else { return false };
    let Some((date, time)) = v.split_once('T') else { return false };
    if !valid_ymd(date) {
        return false;
    }
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut it = hms.split(':');
    let (Some(h), Some(m), Some(s), None) = (it.next(), it.next(), it.next(), it.next()) else { return false };
    matches!((digits(h, 2), digits(m, 2), digits(s, 2)), (Some(h), Some(m), Some(s)) if h < 24 && m < 60 && s < 60)
}

/// base64Binary as libxml2 checks it: characters outside the base64
/// alphabet (whitespace, but any other stray character too) are ignored, only
/// `=` may follow the first `=`, the data characters come in groups of four,
/// and with padding the last data character carries no stray bits.
pub fn is_base64(v: &str) -> bool {
    let mut data = 0usize;
    let mut pad = 0usize;
    let mut last = 0u8;
    for b in v.bytes() {
        let d = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            _ => continue,
        };
        if pad > 0 {
            return false;
        }
        data += 1;
        last = d;
    }
    match pad {
        0 => data.is_multiple_of(4),
        1 => data % 4 == 3 && last & !0x3c == 0,
        2 => data % 4 == 2 && last & !0x30 == 0,
        _ => false,
    }
}

/// xs:anyURI as libxml2 2.9 checks it: the collapsed value, with spaces,
/// non-ASCII and a few other characters replaced by `_`, must parse as an
/// RFC 3986 URI reference by libxml2's parser. That parser never recognises
/// an IPv4 address (every host is a reg-name), takes anything between `[`
/// and `]` as an IP literal, and allows `[` and `]` in fragments.
pub(crate) fn is_any_uri(v: &str) -> bool {
    let v = collapse(v);
    let s: Vec<u8> =
        v.bytes().map(|b| if !(32..127).contains(&b) || b" <>\"{}|\\^`'".contains(&b) { b'_' } else { b }).collect();
    s.is_empty() || uri::is_absolute(&s) || uri::is_relative(&s)
}

/// A port of libxml2's RFC 3986 parser (uri.c), as a recogniser.
mod uri {
    fn at(s: &[u8], i: usize) -> u8 {
        s.get(i).copied().unwrap_or(0)
    }

    fn unreserved(c: u8) -> bool {
        c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
    }

    fn sub_delim(c: u8) -> bool {
        matches!(c, b'!' | b'$' | b'&' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=')
    }

    fn pct(s: &[u8], i: usize) -> bool {
        at(s, i) == b'%' && at(s, i + 1).is_ascii_hexdigit() && at(s, i + 2).is_ascii_hexdigit()
    }

    fn pchar(s: &[u8], i: usize) -> bool {
        let c = at(s, i);
        unreserved(c) || pct(s, i) || sub_delim(c) || c == b':' || c == b'@'
    }

    fn next(s: &[u8], i: usize) -> usize {
        if at(s, i) == b'%' { i + 3 } else { i + 1 }
    }

    fn segment(s: &[u8], i: &mut usize, forbid: u8, empty: bool) -> bool {
        if !pchar(s, *i) {
            return empty;
        }
        while pchar(s, *i) && at(s, *i) != forbid {
            *i = next(s, *i);
        }
        true
    }

    /// `"/" segment` repeated.
    fn more_segments(s: &[u8], i: &mut usize) {
        while at(s, *i) == b'/' {
            *i += 1;
            segment(s, i, 0, true);
        }
    }

    fn authority(s: &[u8], i: &mut usize) -> bool {
        let mut c = *i;
        while unreserved(at(s, c)) || pct(s, c) || sub_delim(at(s, c)) || at(s, c) == b':' {
            c = next(s, c);
        }
        if at(s, c) == b'@' {
            *i = c + 1;
        }
        if at(s, *i) == b'[' {
            while at(s, *i) != b']' && at(s, *i) != 0 {
                *i += 1;
            }
            if at(s, *i) != b']' {
                return false;
            }
            *i += 1;
        } else {
            while unreserved(at(s, *i)) || pct(s, *i) || sub_delim(at(s, *i)) {
                *i = next(s, *i);
            }
        }
        if at(s, *i) == b':' {
            *i += 1;
            if !at(s, *i).is_ascii_digit() {
                return false;
            }
            while at(s, *i).is_ascii_digit() {
                *i += 1;
            }
        }
        true
    }

    /// The parts shared by absolute and relative references after the
    /// scheme: a path of the given kind, query, fragment, end of input.
    fn rest(s: &[u8], mut i: usize, forbid: u8) -> bool {
        if at(s, i) == b'/' && at(s, i + 1) == b'/' {
            i += 2;
            if !authority(s, &mut i) {
                return false;
            }
            more_segments(s, &mut i);
        } else if at(s, i) == b'/' {
            i += 1;
            if segment(s, &mut i, 0, false) {
                more_segments(s, &mut i);
            }
        } else if pchar(s, i) {
            segment(s, &mut i, forbid, false);
            more_segments(s, &mut i);
        }
        if at(s, i) == b'?' {
            i += 1;
            while pchar(s, i) || matches!(at(s, i), b'/' | b'?') {
                i = next(s, i);
            }
        }
        if at(s, i) == b'#' {
            i += 1;
            while pchar(s, i) || matches!(at(s, i), b'/' | b'?' | b'[' | b']') {
                i = next(s, i);
            }
        }
        i == s.len()
    }

    /// `scheme ":" hier-part [ "?" query ] [ "#" fragment ]`
    pub(super) fn is_absolute(s: &[u8]) -> bool {
        if !at(s, 0).is_ascii_alphabetic() {
            return false;
        }
        let mut i = 1;
        while at(s, i).is_ascii_alphanumeric() || matches!(at(s, i), b'+' | b'-' | b'.') {
            i += 1;
        }
        at(s, i) == b':' && rest(s, i + 1, 0)
    }

    /// `relative-part [ "?" query ] [ "#" fragment ]`; the first segment of
    /// a relative path may hold no colon.
    pub(super) fn is_relative(s: &[u8]) -> bool {
        rest(s, 0, b':')
    }
}

/// Whether a text node is character content, which element-only content may
/// not hold: anything but XML whitespace, and any CDATA section, even an
/// empty or blank one (libxml2 keeps CDATA sections as nodes and only skips
/// blank text nodes). The parser merges CDATA sections into the text node,
/// so the source is consulted: a text run ends at the first `<` that does
/// not open a CDATA section.
pub(crate) fn is_character_content(doc: &Document, id: cbec_xml::NodeId) -> bool {
    !doc.is_ignorable_whitespace(id)
}

// ---------------------------------------------------------------- validator

/// Validates a parsed document against the schema of its root element.
/// Returns the schema and root declaration it was validated against, or
/// `None` (with a diagnostic) when the root is not a known message.
pub fn validate_document(
    doc: &Document,
    diags: &mut Vec<Diagnostic>,
) -> Option<(&'static Schema, &'static ElementDecl)> {
    let root = doc.root();
    let Some((schema, decl)) = find_root(root.namespace(), root.local_name()) else {
        diags.push(unknown_root(root));
        return None;
    };
    let mut v = Validator { schema, diags, path: String::new() };
    v.element(root, decl);
    Some((schema, decl))
}

pub(crate) fn unknown_root(root: Element) -> Diagnostic {
    let local = root.local_name();
    let hint = match root.namespace() {
        None if find_root(Some(CEB_NS), local).is_some() => {
            format!("; the element is in no namespace: declare xmlns=\"{CEB_NS}\" (or the ceb: prefix) on it")
        }
        _ if find_root(Some(CEB_NS), &format!("{local}Message")).is_some() => {
            format!("; did you mean {local}Message?")
        }
        Some(ns) if ns != CEB_NS && ns != DXP_NS && find_root(Some(CEB_NS), local).is_some() => {
            format!("; its namespace is {ns}, but CEB messages use {CEB_NS}")
        }
        _ => String::new(),
    };
    Diagnostic::new(
        Code::SchemaUnknownRoot,
        "",
        format!(
            "the root element {{{}}}{} is not a message of the 2022 CEB schemas{hint}",
            root.namespace().unwrap_or(""),
            local
        ),
    )
    .with_value(root.qname())
    .with_line(root.line())
}

struct Validator<'v> {
    schema: &'static Schema,
    diags: &'v mut Vec<Diagnostic>,
    path: String,
}

impl Validator<'_> {
    fn push(&mut self, name: &str, index: Option<usize>) -> usize {
        let len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('/');
        }
        self.path.push_str(name);
        if let Some(i) = index {
            use std::fmt::Write as _;
            let _ = write!(self.path, "[{i}]");
        }
        len
    }

    fn field_path(&self, name: &str) -> String {
        if self.path.is_empty() { name.to_string() } else { format!("{}/{name}", self.path) }
    }

    fn report(&mut self, code: Code, path: String, message: String, value: Option<&str>, line: u32) {
        let mut d = Diagnostic::new(code, path, message).with_line(line);
        if let Some(v) = value {
            d = d.with_value(v);
        }
        self.diags.push(d);
    }

    fn decl(&self, i: usize) -> &'static ElementDecl {
        &self.schema.elements[i]
    }

    fn element(&mut self, el: Element, d: &'static ElementDecl) {
        if let Content::Signature = d.content {
            crate::dsig_schema::validate_signature(el, &self.path, self.diags);
            return;
        }
        self.attributes(el, d);
        match &d.content {
            Content::Simple(ty) => self.simple(el, d, ty),
            Content::Complex { text: Some(ty), .. } => self.simple(el, d, ty),
            Content::Complex { parts, text: None } => self.sequence(el, d, parts),
            Content::Any => {
                self.no_text(el, d);
                if let Some(extra) = el.child_elements().nth(1) {
                    self.report(
                        Code::SchemaUnexpectedElement,
                        self.field_path(extra.local_name()),
                        format!("{} may hold only one element", d.name),
                        None,
                        extra.line(),
                    );
                }
            }
            Content::AnyType => {}
            Content::Signature => {}
        }
    }

    fn label(d: &ElementDecl) -> String {
        if d.label.is_empty() { String::new() } else { format!(" ({})", d.label) }
    }

    fn simple(&mut self, el: Element, d: &'static ElementDecl, ty: &SimpleType) {
        if let Some(child) = el.child_elements().next() {
            self.report(
                Code::SchemaUnexpectedElement,
                self.path.clone(),
                format!("{}{} holds a value, not elements; found <{}>", d.name, Self::label(d), child.qname()),
                None,
                child.line(),
            );
            return;
        }
        let text = el.text();
        // libxml2 applies a default or fixed value only to an element without
        // any character content: an empty CDATA section (which the parser
        // keeps as an empty text node) is content, a comment is not.
        let doc = el.document();
        let completely_empty = !el.children().any(|id| matches!(doc.kind(id), cbec_xml::NodeKind::Text(_)));
        let value: &str = if completely_empty { d.fixed.or(d.default).unwrap_or("") } else { &text };
        if let Some((code, msg)) = check_simple(value, ty) {
            self.report(
                code,
                self.path.clone(),
                format!("{}{}: {msg}", d.name, Self::label(d)),
                Some(value),
                el.line(),
            );
            return;
        }
        if let Some(fixed) = d.fixed
            && value != fixed
            && !(ty.base == Base::Decimal && same_decimal(value, fixed))
        {
            self.report(
                Code::SchemaFixedValue,
                self.path.clone(),
                format!("{}{} must be {fixed}", d.name, Self::label(d)),
                Some(value),
                el.line(),
            );
        }
    }

    fn attributes(&mut self, el: Element, d: &'static ElementDecl) {
        for a in el.attributes() {
            let ns = el.attribute_namespace(a);
            if ns == Some(XSI_NS) && self.xsi_attribute(el, d, a) {
                continue;
            }
            let decl = if ns.is_none() { d.attrs.iter().find(|ad| ad.name == a.qname) } else { None };
            let path = self.field_path(&format!("@{}", a.qname));
            let Some(ad) = decl else {
                let known = d.attrs.iter().map(|a| a.name).collect::<Vec<_>>().join(", ");
                let allowed =
                    if known.is_empty() { "it has no attributes".to_string() } else { format!("allowed: {known}") };
                self.report(
                    Code::SchemaUnexpectedAttribute,
                    path,
                    format!("attribute {} is not allowed on {} ({allowed})", a.qname, d.name),
                    Some(&a.value),
                    el.line(),
                );
                continue;
            };
            if let Some((code, msg)) = check_simple(&a.value, &ad.ty) {
                self.report(code, path, format!("attribute {}: {msg}", ad.name), Some(&a.value), el.line());
            } else if let Some(f) = ad.fixed
                && a.value.as_ref() != f
            {
                self.report(
                    Code::SchemaFixedValue,
                    path,
                    format!("attribute {} must be {f}", ad.name),
                    Some(&a.value),
                    el.line(),
                );
            }
        }
        for ad in d.attrs.iter().filter(|ad| ad.required) {
            if el.attribute(ad.name).is_none() {
                self.report(
                    Code::SchemaMissingAttribute,
                    self.field_path(&format!("@{}", ad.name)),
                    format!(
                        "{} needs the attribute {}{}",
                        d.name,
                        ad.name,
                        if ad.label.is_empty() { String::new() } else { format!(" ({})", ad.label) }
                    ),
                    None,
                    el.line(),
                );
            }
        }
    }

    /// Checks an `xsi:` attribute the way libxml2 does; returns false for
    /// attributes XML Schema does not define (reported as unexpected).
    fn xsi_attribute(&mut self, el: Element, d: &'static ElementDecl, a: &cbec_xml::Attribute) -> bool {
        let path = self.field_path(&format!("@{}", a.qname));
        match a.local_name() {
            "schemaLocation" | "noNamespaceSchemaLocation" => {}
            // No element of the CEB and DXP schemas is nillable, and libxml2
            // refuses xsi:nil on such an element whatever its value.
            "nil" => self.report(
                Code::SchemaUnexpectedAttribute,
                path,
                format!("attribute {} is not allowed: {} is not nillable", a.qname, d.name),
                Some(&a.value),
                el.line(),
            ),
            "type" if !xsi_type_names_declared_type(el, self.schema, d, &a.value) => self.report(
                Code::SchemaInvalidValue,
                path,
                format!(
                    "attribute {}: {} is not the declared type of {}; leave xsi:type out",
                    a.qname,
                    a.value.trim(),
                    d.name
                ),
                Some(&a.value),
                el.line(),
            ),
            "type" => {}
            _ => return false,
        }
        true
    }

    fn no_text(&mut self, el: Element, d: &ElementDecl) {
        for id in el.children() {
            if let cbec_xml::NodeKind::Text(t) = el.document().kind(id)
                && is_character_content(el.document(), id)
            {
                self.report(
                    Code::SchemaUnexpectedText,
                    self.path.clone(),
                    match t.trim() {
                        "" => format!("{} contains only elements, but has a CDATA section", d.name),
                        t => format!(
                            "{} contains only elements, but has the text '{}'",
                            d.name,
                            t.chars().take(40).collect::<String>()
                        ),
                    },
                    None,
                    el.document().line(id),
                );
                return;
            }
        }
    }

    fn matches(&self, el: Element, p: &Particle) -> bool {
        let d = self.decl(p.elem);
        el.local_name() == d.name && el.namespace() == Some(d.ns)
    }

    fn sequence(&mut self, el: Element, d: &'static ElementDecl, parts: &'static [Particle]) {
        self.no_text(el, d);
        let mut pi = 0usize;
        let mut count = 0u32;
        let mut last_matched: Option<&'static str> = None;
        for child in el.child_elements() {
            loop {
                if pi < parts.len() && self.matches(child, &parts[pi]) {
                    let p = parts[pi];
                    count += 1;
                    let cd = self.decl(p.elem);
                    if count > p.max {
                        self.report(
                            Code::SchemaTooManyOccurrences,
                            self.field_path(&format!("{}[{count}]", cd.name)),
                            format!("{}{} may occur at most {} time(s) here", cd.name, Self::label(cd), p.max),
                            None,
                            child.line(),
                        );
                    } else {
                        let len = self.push(cd.name, (p.max > 1).then_some(count as usize));
                        self.element(child, cd);
                        self.path.truncate(len);
                    }
                    last_matched = Some(cd.name);
                    break;
                }
                if pi < parts.len() && count >= parts[pi].min {
                    pi += 1;
                    count = 0;
                    continue;
                }
                // The current particle still needs occurrences, or the
                // sequence is over. Resynchronise on a later particle.
                if let Some(j) = (pi..parts.len()).find(|&j| self.matches(child, &parts[j])) {
                    for (k, &part) in parts.iter().enumerate().take(j).skip(pi) {
                        let have = if k == pi { count } else { 0 };
                        if have < part.min {
                            self.missing(el, part, last_matched);
                        }
                    }
                    pi = j;
                    count = 0;
                    continue;
                }
                let earlier = parts[..pi.min(parts.len())].iter().any(|p| self.matches(child, p));
                let expected = parts
                    .get(pi)
                    .map(|p| self.decl(p.elem).name)
                    .map_or("nothing more".to_string(), |n| format!("{n} next"));
                let msg = if earlier {
                    format!("<{}> is out of order in {}: the schema expects {expected}", child.local_name(), d.name)
                } else {
                    format!("<{}> is not an element of {} (expected {expected})", child.qname(), d.name)
                };
                self.report(
                    Code::SchemaUnexpectedElement,
                    self.field_path(child.local_name()),
                    msg,
                    None,
                    child.line(),
                );
                break;
            }
        }
        if pi < parts.len() {
            if count < parts[pi].min {
                self.missing(el, parts[pi], last_matched);
            }
            for p in &parts[pi + 1..] {
                if p.min > 0 {
                    self.missing(el, *p, last_matched);
                }
            }
        }
    }

    fn missing(&mut self, el: Element, p: Particle, after: Option<&str>) {
        let cd = self.decl(p.elem);
        let place = after.map_or(String::new(), |a| format!(" (after {a})"));
        let path = self.field_path(cd.name);
        self.report(
            Code::SchemaMissingElement,
            path,
            format!("missing required element {}{}{place}", cd.name, Self::label(cd)),
            None,
            el.line(),
        );
    }
}

/// The named type an element is declared with, if any. Almost every element
/// of the CEB schemas has an anonymous type, which no `xsi:type` can name;
/// the exceptions are the `xs:int` item numbers, the `ceb:XMLElement` of
/// `ExtendMessage/Message` and a few types of the terminal-node schema. The
/// tables do not record type names, so the terminal-node ones are listed.
fn declared_type(schema: &Schema, d: &ElementDecl) -> Option<(&'static str, &'static str)> {
    if schema.ns == DXP_NS {
        match d.name {
            "TransInfo" | "OriHead" => return Some((DXP_NS, "TransInfoType")),
            "Data" => return Some((DXP_NS, "Data")),
            "AddInfo" => return Some((DXP_NS, "AddInfo")),
            _ => {}
        }
    }
    let builtin = |base| match base {
        Base::Int => Some((XSD_NS, "int")),
        Base::Date => Some((XSD_NS, "date")),
        Base::DateTime => Some((XSD_NS, "dateTime")),
        _ => None,
    };
    match &d.content {
        Content::Any => Some((CEB_NS, "XMLElement")),
        Content::Simple(SimpleType {
            base,
            length: None,
            min_length: None,
            max_length: None,
            total_digits: None,
            fraction_digits: None,
            ..
        }) => builtin(*base),
        _ => None,
    }
}

/// Whether an `xsi:type` value names the declared type of the element (for
/// `xs:anyType` any type will do). Types derived from the declared one,
/// which libxml2 accepts too, are not recognised: no CEB sender uses them.
fn xsi_type_names_declared_type(el: Element, schema: &Schema, d: &ElementDecl, value: &str) -> bool {
    if matches!(d.content, Content::AnyType) {
        return true;
    }
    let value = value.trim_matches(is_xml_ws);
    let (prefix, local) = value.split_once(':').unwrap_or(("", value));
    let Some(ns) = el.lookup_namespace(prefix) else { return false };
    declared_type(schema, d) == Some((ns, local))
}

fn same_decimal(a: &str, b: &str) -> bool {
    match (a.trim().parse::<cbec_model::Decimal>(), b.parse::<cbec_model::Decimal>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The Chinese field name of the first element called `name` in a schema
/// (field names mean the same wherever they occur in one schema).
pub fn label_of(schema: &Schema, name: &str) -> &'static str {
    schema.elements.iter().find(|d| d.name == name && !d.label.is_empty()).map_or("", |d| d.label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(total: u32, frac: u32) -> SimpleType {
        SimpleType {
            base: Base::Decimal,
            length: None,
            min_length: None,
            max_length: None,
            total_digits: Some(total),
            fraction_digits: Some(frac),
            collapse: true,
        }
    }

    #[test]
    fn decimal_digits_follow_libxml2() {
        let t = dec(5, 2);
        for ok in ["123.45", "0123.45", "123.450", "12345", "-123.45", "+1.5", ".5", "5.", " 12.5 ", "1.20000"] {
            assert!(check_simple(ok, &t).is_none(), "{ok}");
        }
        for bad in ["123.456", "123456", "0.001", "1e3", "", "1 2", "- 1"] {
            assert!(check_simple(bad, &t).is_some(), "{bad}");
        }
        // libxml2 reads at most 24 digits after the leading zeros.
        let zeros = |n| "0".repeat(n);
        assert!(check_simple(&format!("0001.5{}", zeros(22)), &t).is_none());
        assert!(check_simple(&format!("1.5{}", zeros(23)), &t).is_some());
        assert!(check_simple(&format!("0.{}", zeros(24)), &t).is_none());
        assert!(check_simple(&format!("0.{}", zeros(25)), &t).is_some());
    }

    #[test]
    fn int_allows_no_whitespace() {
        let t = SimpleType {
            base: Base::Int,
            length: None,
            min_length: None,
            max_length: None,
            total_digits: Some(2),
            fraction_digits: None,
            collapse: true,
        };
        for ok in ["99", "-99", "099", "+5", "-0"] {
            assert!(check_simple(ok, &t).is_none(), "{ok}");
        }
        for bad in ["100", "1.0", " 5 ", "5\n", "", "2147483648"] {
            assert!(check_simple(bad, &t).is_some(), "{bad}");
        }
    }

    #[test]
    fn base64_follows_libxml2() {
        // Stray characters are ignored; padding must be complete and clean.
        for ok in ["", "@@@@", "AQ==", "AAE=", "QQ== ", "Q Q = =", "中AAAA", "AAAA\nBBBB"] {
            assert!(is_base64(ok), "{ok}");
        }
        for bad in ["AAA", "A===", "AB==", "AAB=", "QQ==AAAA", "QQ=x=", "AAAA====", "=", "AAAAA"] {
            assert!(!is_base64(bad), "{bad}");
        }
    }

    #[test]
    fn any_uri_follows_libxml2() {
        for ok in [
            "",
            "#x",
            "a b",
            "http://[::1]:80/a",
            "%41",
            "a:b",
            "//a@b:1/c?d#e[f]",
            "http://1.2.3.4abc",
            "a?b?c",
            "中文",
            "#",
            "?",
            "#a[b]",
            "file:///C:/x",
            "a/b:c",
            "//",
            "///a",
            "http://h#",
            "mailto:a@b",
            "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        ] {
            assert!(is_any_uri(ok), "{ok}");
        }
        for bad in ["http://[::1", "http://h:/a", "http://h:x", "%zz", ":a", "x#a#b", "a[b]", "http://a%2", "a@b:c/d"] {
            assert!(!is_any_uri(bad), "{bad}");
        }
    }

    #[test]
    fn dates_with_multibyte_characters_do_not_panic() {
        // Found by fuzzing: the time-zone check sliced inside a character.
        assert!(!is_xsd_datetime("2022-05-20T10:0\u{feff}0:00"));
        assert!(!is_xsd_date("2022-05-2\u{feff}"));
        assert!(!is_xsd_datetime("2022-05-20T10:00:00+0中:00"));
        assert!(!is_xsd_datetime("中国中国"));
    }

    #[test]
    fn dates() {
        assert!(is_xsd_datetime("2026-11-27T10:00:00"));
        assert!(is_xsd_datetime("2026-11-27T10:00:00.5+08:00"));
        assert!(!is_xsd_datetime("2026-02-30T10:00:00"));
        assert!(is_xsd_date("2024-02-29"));
        assert!(!is_xsd_date("2023-02-29"));
    }
}
