//! Values checked against the XSD before they go into a message.
//!
//! The limits are not copied into this crate: they are read from the schema
//! tables `cbec-ceb` generates from the official XSDs, and every value is
//! judged by the same function the schema validator uses
//! ([`cbec_ceb::schema::check_simple`]), so what passes here passes
//! `xmllint`.

use std::borrow::Cow;

use cbec_ceb::schema::{self, CEB_NS, Content, ElementDecl, Schema, SimpleType};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{ReceiptError, preview};

/// The `version` attribute every message root carries ("默认1.0").
pub(crate) const VERSION: &str = "1.0";

/// The mark that ends a truncated text.
pub(crate) const ELLIPSIS: char = '…';

/// An element declaration of the CEB schemas, with the occurrence bounds of
/// the particle that introduced it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    schema: &'static Schema,
    decl: &'static ElementDecl,
    pub min: u32,
    pub max: u32,
}

impl Node {
    /// The root declaration of a CEB message, e.g. `CEB622Message`.
    pub fn root(name: &str) -> Option<Node> {
        let (schema, decl) = schema::find_root(Some(CEB_NS), name)?;
        Some(Node { schema, decl, min: 1, max: 1 })
    }

    /// The child element `name` of this element's sequence.
    pub fn child(self, name: &str) -> Option<Node> {
        let Content::Complex { parts, .. } = &self.decl.content else {
            return None;
        };
        parts.iter().find_map(|p| {
            let decl = self.schema.elements.get(p.elem)?;
            (decl.name == name).then_some(Node { schema: self.schema, decl, min: p.min, max: p.max })
        })
    }

    /// The names of the child elements, in XSD order.
    #[cfg(test)]
    pub fn child_names(self) -> Vec<&'static str> {
        match &self.decl.content {
            Content::Complex { parts, .. } => {
                parts.iter().filter_map(|p| self.schema.elements.get(p.elem)).map(|d| d.name).collect()
            }
            _ => Vec::new(),
        }
    }

    pub fn label(self) -> &'static str {
        self.decl.label
    }

    fn simple(self) -> Option<&'static SimpleType> {
        match &self.decl.content {
            Content::Simple(t) => Some(t),
            _ => None,
        }
    }

    fn attr(self, name: &str) -> Option<(&'static SimpleType, &'static str)> {
        self.decl.attrs.iter().find(|a| a.name == name).map(|a| (&a.ty, a.label))
    }
}

/// Checks the element count of a repeated child against its particle.
pub(crate) fn check_count(
    message: &'static str,
    element: &'static str,
    node: Option<Node>,
    count: usize,
) -> Result<(), ReceiptError> {
    let (min, max) = node.map_or((1, u32::MAX), |n| (n.min, n.max));
    let ok = u32::try_from(count).is_ok_and(|c| (min..=max).contains(&c));
    if ok { Ok(()) } else { Err(ReceiptError::Count { message, element, count, min, max }) }
}

/// Builds the values of one element (`InventoryReturn[3]`, `TaxHeadRd`),
/// checking each against its declaration.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    message: &'static str,
    node: Option<Node>,
    path: String,
}

impl Fields {
    pub fn new(message: &'static str, node: Option<Node>, path: String) -> Fields {
        Fields { message, node, path }
    }

    fn child(&self, field: &str) -> Option<Node> {
        self.node.and_then(|n| n.child(field))
    }

    fn path_of(&self, field: &str) -> String {
        if self.path.is_empty() { field.to_string() } else { format!("{}/{field}", self.path) }
    }

    pub fn missing(&self, field: &str) -> ReceiptError {
        let label = self.child(field).map_or("", Node::label);
        ReceiptError::Missing { message: self.message, path: self.path_of(field), label }
    }

    pub fn invalid(&self, field: &str, value: &str, reason: impl Into<String>) -> ReceiptError {
        let label = self.child(field).map_or("", Node::label);
        ReceiptError::Invalid {
            message: self.message,
            path: self.path_of(field),
            label,
            value: preview(value),
            reason: reason.into(),
        }
    }

    /// Checks a value against the field's simple type. An empty value the
    /// type refuses is reported as missing.
    fn check_as(&self, field: &str, value: &str, ty: Option<&SimpleType>) -> Result<(), ReceiptError> {
        if let Some(c) = value.chars().find(|&c| !is_xml_char(c)) {
            return Err(self.invalid(
                field,
                value,
                format!("it contains the character U+{:04X}, which XML 1.0 cannot carry", u32::from(c)),
            ));
        }
        match ty.and_then(|t| schema::check_simple(value, t)) {
            None => Ok(()),
            Some(_) if value.is_empty() => Err(self.missing(field)),
            Some((_, reason)) => Err(self.invalid(field, value, reason)),
        }
    }

    /// A value as given, checked.
    pub fn value(&self, field: &str, value: &str) -> Result<String, ReceiptError> {
        self.check_as(field, value, self.child(field).and_then(Node::simple))?;
        Ok(value.to_string())
    }

    /// A value the XSD requires: missing if the caller has none.
    pub fn req(&self, field: &str, value: Option<&String>) -> Result<String, ReceiptError> {
        match value {
            Some(v) => self.value(field, v),
            None => Err(self.missing(field)),
        }
    }

    /// An optional value: written only if given, and then checked.
    pub fn opt(&self, field: &str, value: Option<&String>) -> Result<Option<String>, ReceiptError> {
        value.map(|v| self.value(field, v)).transpose()
    }

    /// An optional key echoed from the business document: written if the
    /// XSD accepts it, left out otherwise. The enterprise's message passed
    /// its own XSD, and some receipt XSDs are stricter about the same field
    /// (an import `invtNo` of up to 18 characters in CEB621/623/625 must be
    /// exactly 18 in their receipts; likewise CEB701 `sumNo`), so refusing
    /// would leave a valid message without an answer.
    pub fn echo(&self, field: &str, value: Option<&String>) -> Option<String> {
        value.and_then(|v| self.value(field, v).ok())
    }

    /// A required element whose value may legitimately not exist yet, and
    /// whose XSD type admits the empty string: written empty when the
    /// caller has none (see the crate documentation for where this applies).
    pub fn or_empty(&self, field: &str, value: Option<&String>) -> Result<String, ReceiptError> {
        self.value(field, value.map_or("", String::as_str))
    }

    /// Free text (`returnInfo`, `note`, `oriBizMessage`): characters XML
    /// cannot carry become U+FFFD, and a text longer than the XSD allows is
    /// cut on a character boundary and ends with "…". Never fails for being
    /// long; fails only if the XSD needs a character and the text is empty.
    pub fn text(&self, field: &str, value: &str) -> Result<String, ReceiptError> {
        let ty = self.child(field).and_then(Node::simple);
        let safe = xml_safe(value);
        let fitted = match ty.and_then(|t| t.max_length.or(t.length)) {
            Some(max) => fit_chars(&safe, max as usize),
            None => safe,
        };
        self.check_as(field, &fitted, ty)?;
        Ok(fitted.into_owned())
    }

    /// An `xs:int` value, checked (e.g. `msgSeqNo`, at most 9 digits).
    pub fn int(&self, field: &str, value: Option<i32>) -> Result<i32, ReceiptError> {
        let v = value.ok_or_else(|| self.missing(field))?;
        self.check_as(field, &v.to_string(), self.child(field).and_then(Node::simple))?;
        Ok(v)
    }

    /// An amount, rounded half away from zero to the fraction digits the
    /// XSD allows (5 for `N19,5`) and checked for total digits.
    pub fn decimal(&self, field: &str, value: Decimal) -> Result<Decimal, ReceiptError> {
        let ty = self.child(field).and_then(Node::simple);
        let dp = ty.and_then(|t| t.fraction_digits).unwrap_or(5);
        let mut d = if value.scale() > dp {
            value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
        } else {
            value
        };
        if d.is_zero() {
            // "-0" is a valid decimal, but not a sensible amount to print.
            d.set_sign_positive(true);
        }
        self.check_as(field, &d.to_string(), ty)?;
        Ok(d)
    }

    /// A root attribute (`guid`), checked against its declaration.
    pub fn attr(&self, name: &str, value: &str) -> Result<String, ReceiptError> {
        let field = format!("@{name}");
        let decl = self.node.and_then(|n| n.attr(name));
        let err_label = decl.map_or("", |(_, l)| l);
        self.check_as(&field, value, decl.map(|(t, _)| t)).map_err(|e| match e {
            ReceiptError::Missing { message, path, .. } => ReceiptError::Missing { message, path, label: err_label },
            ReceiptError::Invalid { message, path, value, reason, .. } => {
                ReceiptError::Invalid { message, path, label: err_label, value, reason }
            }
            other => other,
        })?;
        Ok(value.to_string())
    }
}

/// True for the characters XML 1.0 allows in a document.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The text with every character XML 1.0 cannot carry replaced by U+FFFD.
pub(crate) fn xml_safe(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_xml_char) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if is_xml_char(c) { c } else { char::REPLACEMENT_CHARACTER }).collect())
}

/// The text cut to at most `max` characters: if it is longer, its first
/// `max - 1` characters followed by "…".
pub(crate) fn fit_chars(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some(_) if max == 0 => Cow::Borrowed(""),
        Some(_) => {
            let cut = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
            let mut out = String::with_capacity(cut + ELLIPSIS.len_utf8());
            out.push_str(&s[..cut]);
            out.push(ELLIPSIS);
            Cow::Owned(out)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_on_char_boundaries() {
        assert_eq!(fit_chars("abc", 3), "abc");
        assert_eq!(fit_chars("abcd", 3), "ab…");
        assert_eq!(fit_chars("新增申报成功", 4), "新增申…");
        assert_eq!(fit_chars("新增申报成功", 6), "新增申报成功");
        assert_eq!(fit_chars("😀😀😀", 2), "😀…");
        assert_eq!(fit_chars("ab", 0), "");
        assert_eq!(fit_chars("", 0), "");
    }

    #[test]
    fn xml_safe_replaces_what_xml_cannot_carry() {
        assert_eq!(xml_safe("a\tb\r\nc"), "a\tb\r\nc");
        assert_eq!(xml_safe("a\u{0}b\u{1B}c\u{FFFE}"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}");
        assert!(matches!(xml_safe("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn nodes_read_the_schema_tables() {
        let root = Node::root("CEB622Message").unwrap();
        let item = root.child("InventoryReturn").unwrap();
        assert_eq!((item.min, item.max), (1, 100));
        assert_eq!(
            item.child_names(),
            [
                "guid",
                "customsCode",
                "ebpCode",
                "ebcCode",
                "agentCode",
                "copNo",
                "preNo",
                "invtNo",
                "returnStatus",
                "returnTime",
                "returnInfo"
            ]
        );
        let info = item.child("returnInfo").unwrap().simple().unwrap();
        assert_eq!(info.max_length, Some(1000));
        assert!(Node::root("CEB621Message").unwrap().child("InventoryReturn").is_none());
    }

    #[test]
    fn decimals_are_rounded_half_away_from_zero() {
        let f = Fields::new("CEB816Message", Node::root("CEB816Message").and_then(|n| n.child("Tax")), String::new());
        let f = Fields::new("CEB816Message", f.child("TaxListRd"), "TaxListRd[1]".into());
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(f.decimal("taxPrice", d("1.234565")).unwrap().to_string(), "1.23457");
        assert_eq!(f.decimal("taxPrice", d("-1.234565")).unwrap().to_string(), "-1.23457");
        assert_eq!(f.decimal("taxPrice", d("12.50")).unwrap().to_string(), "12.50");
        assert_eq!(f.decimal("taxPrice", d("-0.000001")).unwrap().to_string(), "0.00000");
        let e = f.decimal("taxPrice", d("123456789012345.12345")).unwrap_err();
        assert_eq!(e.field(), Some("taxPrice"));
    }
}
