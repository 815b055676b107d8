//! The runtime the generated decoders and encoders call.

use std::borrow::Cow;

use cbec_model::Decimal;
use cbec_model::diag::{Code, Diagnostic, Severity};
use cbec_xml::{Element, XmlWriter};
use serde::{Deserialize, Serialize};

use crate::schema::{Base, Content, ElementDecl, SimpleType, collapse};

/// XML kept as text: a `ds:Signature` element, or the content of an
/// `ExtendMessage/Message` (`xs:any`). Serialized standalone, with the
/// namespace declarations it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawXml(pub String);

impl RawXml {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A generated message struct that can be read from an element.
pub trait Decode: Sized {
    /// The element declaration the type was generated from.
    const DECL: &'static ElementDecl;
    fn decode(el: Element<'_, '_>, cx: &mut Cx) -> Self;
}

/// A generated message struct that can be written as an element.
pub trait Encode {
    /// Writes the element as `tag`; `root_ns` adds a namespace declaration
    /// (for the root element).
    fn encode(&self, w: &mut XmlWriter, tag: &str, root_ns: Option<(&str, &str)>);
}

/// Decoding context. Decoding is total: whatever the document, it yields a
/// value. Anything it had to repair (a missing required element filled with
/// an empty value, a repeated element dropped, an unknown element ignored)
/// is recorded here, so callers can refuse the value unless the document was
/// schema-valid (strict decoding) or show what was repaired (lenient).
#[derive(Debug, Default)]
pub struct Cx {
    path: String,
    pub(crate) repairs: Vec<Diagnostic>,
}

impl Cx {
    fn repair(&mut self, code: Code, path: String, message: String, line: u32) {
        let mut d = Diagnostic::new(code, path, message).with_line(line);
        d.severity = Severity::Warning;
        self.repairs.push(d);
    }

    fn field_path(&self, name: &str) -> String {
        if self.path.is_empty() { name.to_string() } else { format!("{}/{name}", self.path) }
    }

    pub fn child<T: Decode>(&mut self, c: Element<'_, '_>, name: &str, index: Option<usize>) -> T {
        let len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('/');
        }
        self.path.push_str(name);
        if let Some(i) = index {
            use std::fmt::Write as _;
            let _ = write!(self.path, "[{i}]");
        }
        let v = T::decode(c, self);
        self.path.truncate(len);
        v
    }

    fn simple_text<'e>(&mut self, c: Element<'e, '_>, d: &ElementDecl) -> Cow<'e, str> {
        let text = c.text();
        if text.is_empty()
            && let Some(v) = d.fixed.or(d.default)
        {
            return Cow::Owned(v.to_string());
        }
        text
    }

    pub fn leaf_string(&mut self, c: Element<'_, '_>, d: &ElementDecl) -> String {
        let text = self.simple_text(c, d);
        let collapse_it = match &d.content {
            Content::Simple(SimpleType { collapse: true, .. }) => true,
            Content::Simple(SimpleType { base, .. }) => *base != Base::String,
            _ => false,
        };
        if collapse_it { collapse(&text).into_owned() } else { text.into_owned() }
    }

    pub fn leaf_decimal(&mut self, c: Element<'_, '_>, d: &ElementDecl) -> Decimal {
        let text = self.simple_text(c, d);
        match parse_decimal(&text) {
            Some(v) => v,
            None => {
                self.repair(
                    Code::SchemaNotDecimal,
                    self.field_path(d.name),
                    format!("'{}' is not a decimal number; read as 0", text.trim()),
                    c.line(),
                );
                Decimal::ZERO
            }
        }
    }

    pub fn leaf_int(&mut self, c: Element<'_, '_>, d: &ElementDecl) -> i32 {
        let text = self.simple_text(c, d);
        match text.trim().parse::<i32>() {
            Ok(v) => v,
            Err(_) => {
                self.repair(
                    Code::SchemaNotInteger,
                    self.field_path(d.name),
                    format!("'{}' is not an integer; read as 0", text.trim()),
                    c.line(),
                );
                0
            }
        }
    }

    pub fn raw_element(&mut self, c: Element<'_, '_>) -> RawXml {
        RawXml(cbec_xml::serialize_element(c))
    }

    pub fn raw_content(&mut self, c: Element<'_, '_>) -> RawXml {
        RawXml(cbec_xml::serialize_children(c))
    }

    pub fn attr_required(&mut self, el: Element<'_, '_>, d: &ElementDecl, i: usize) -> String {
        let a = &d.attrs[i];
        match el.attribute(a.name) {
            Some(v) => v.to_string(),
            None => {
                self.repair(
                    Code::SchemaMissingAttribute,
                    self.field_path(&format!("@{}", a.name)),
                    format!("attribute {} is missing; read as empty", a.name),
                    el.line(),
                );
                a.fixed.unwrap_or("").to_string()
            }
        }
    }

    pub fn attr_optional(&mut self, el: Element<'_, '_>, d: &ElementDecl, i: usize) -> Option<String> {
        el.attribute(d.attrs[i].name).map(str::to_string)
    }

    pub fn text_content(&mut self, el: Element<'_, '_>, _d: &ElementDecl) -> String {
        el.text().into_owned()
    }

    pub fn repeated(&mut self, c: Element<'_, '_>) {
        self.repair(
            Code::SchemaTooManyOccurrences,
            self.field_path(c.local_name()),
            format!("a repeated <{}> was ignored; only the first is kept", c.local_name()),
            c.line(),
        );
    }

    pub fn unexpected(&mut self, c: Element<'_, '_>) {
        self.repair(
            Code::SchemaUnexpectedElement,
            self.field_path(c.local_name()),
            format!("<{}> is not part of the schema and was ignored", c.qname()),
            c.line(),
        );
    }

    pub fn required<T: Default>(&mut self, v: Option<T>, el: Element<'_, '_>, name: &str) -> T {
        match v {
            Some(v) => v,
            None => {
                self.repair(
                    Code::SchemaMissingElement,
                    self.field_path(name),
                    format!("required element {name} is missing; read as empty"),
                    el.line(),
                );
                T::default()
            }
        }
    }
}

/// Parses an XSD decimal lexical value (`+1.5`, `.5`, `5.`, ` 12 `) exactly,
/// keeping its scale.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = s.trim_matches([' ', '\t', '\n', '\r']);
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int = int.trim_start_matches('0');
    let mut norm = String::with_capacity(body.len() + 2);
    if neg {
        norm.push('-');
    }
    norm.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        norm.push('.');
        norm.push_str(frac);
    }
    norm.parse::<Decimal>().ok()
}

/// Serde for required decimals: written as strings (exact), read from
/// strings or JSON integers. JSON fractions are refused, because a binary
/// float cannot carry an amount exactly.
pub mod decimal {
    use super::*;

    pub fn serialize<S: serde::Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(DecVisitor)
    }

    pub(super) struct DecVisitor;

    impl serde::de::Visitor<'_> for DecVisitor {
        type Value = Decimal;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a decimal number as a string, e.g. \"12.50\"")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
            parse_decimal(v).ok_or_else(|| E::custom(format!("'{v}' is not a decimal number; write it like \"12.50\"")))
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Decimal, E> {
            Err(E::custom(format!(
                "{v} is a JSON fraction; write amounts as strings, e.g. \"{v}\", so they stay exact"
            )))
        }
    }
}

/// Serde for optional decimals, as [`decimal`].
pub mod opt_decimal {
    use super::*;

    pub fn serialize<S: serde::Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        struct OptVisitor;
        impl<'de> serde::de::Visitor<'de> for OptVisitor {
            type Value = Option<Decimal>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a decimal number as a string, or null")
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D2: serde::Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                d.deserialize_any(decimal::DecVisitor).map(Some)
            }
        }
        d.deserialize_option(OptVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_scale_and_accept_xsd_forms() {
        assert_eq!(parse_decimal("20.00").unwrap().to_string(), "20.00");
        assert_eq!(parse_decimal("+1.5").unwrap().to_string(), "1.5");
        assert_eq!(parse_decimal(".5").unwrap().to_string(), "0.5");
        assert_eq!(parse_decimal("5.").unwrap().to_string(), "5");
        assert_eq!(parse_decimal(" 000012 ").unwrap().to_string(), "12");
        assert_eq!(parse_decimal("12345678912345.12345").unwrap().to_string(), "12345678912345.12345");
        assert!(parse_decimal("1e3").is_none());
        assert!(parse_decimal(".").is_none());
        assert!(parse_decimal("").is_none());
    }
}
