//! Validated identifiers of the CEB messages.
//!
//! Every type here is a newtype that can only be built by `parse` (or a
//! checked constructor such as [`Uscc::with_check`]), so holding one is proof
//! that the text follows the rule of its field: [`Uscc`] and
//! [`CustomsCode10`] (joined in [`EnterpriseCode`]), [`PrcIdNumber`],
//! [`Guid`], the timestamps [`AppTime`], [`Date8`] and [`ReturnTime`],
//! [`HsCode`], the document numbers [`InvtNo`] and [`PreNo`],
//! [`CustomsDistrictCode`], and the free-form keys [`OrderNo`] and
//! [`LogisticsNo`].
//!
//! Every type keeps the text it was parsed from (except where the rule says
//! to normalise, such as the lower-case `x` of an ID number), prints it back
//! with `Display` and `as_str()`, serialises as a plain string and
//! deserialises through its parser. Every parse failure of the crate is an
//! [`IdentError`], which names the kind of value and what is wrong with it,
//! and maps to a stable diagnostic [`Code`] through [`IdentError::code`].

use std::fmt;

use crate::diag::Code;

mod docno;
mod enterprise;
mod person;
mod time;

pub use docno::{InvtNo, PreNo};
pub use enterprise::{CustomsCode10, EnterpriseCode, Uscc};
pub use person::PrcIdNumber;
pub use time::{AppTime, Date8, ReturnTime};

/// The kind of value an [`IdentError`] is about. Its `Display` form is the
/// English name used in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentKind {
    /// Unified social credit code (统一社会信用代码), GB 32100-2015.
    Uscc,
    /// 10-character customs registration code (海关注册编码).
    CustomsCode10,
    /// Enterprise code field: a customs code or a USCC.
    EnterpriseCode,
    /// PRC resident identity card number (居民身份证号码), GB 11643.
    PrcIdNumber,
    /// Message or record guid.
    Guid,
    /// `appTime`, YYYYMMDDhhmmss.
    AppTime,
    /// An 8-digit date, YYYYMMDD.
    Date8,
    /// Receipt `returnTime`, yyyyMMddHHmmssSSS.
    ReturnTime,
    /// HS commodity code (`gcode`).
    HsCode,
    /// Customs list number (`invtNo`).
    InvtNo,
    /// E-port number (`preNo`).
    PreNo,
    /// Customs district code (`customsCode`, `portCode`).
    CustomsDistrictCode,
    /// Order number (`orderNo`).
    OrderNo,
    /// Waybill number (`logisticsNo`).
    LogisticsNo,
    /// A CEB `N19,5` decimal amount or quantity.
    Amount,
}

impl IdentKind {
    /// The English name used in messages, e.g. "unified social credit code".
    pub fn name(self) -> &'static str {
        match self {
            IdentKind::Uscc => "unified social credit code",
            IdentKind::CustomsCode10 => "customs registration code",
            IdentKind::EnterpriseCode => "enterprise code",
            IdentKind::PrcIdNumber => "resident ID number",
            IdentKind::Guid => "guid",
            IdentKind::AppTime => "timestamp (YYYYMMDDhhmmss)",
            IdentKind::Date8 => "date (YYYYMMDD)",
            IdentKind::ReturnTime => "receipt time (yyyyMMddHHmmssSSS)",
            IdentKind::HsCode => "HS code",
            IdentKind::InvtNo => "list number (invtNo)",
            IdentKind::PreNo => "e-port number (preNo)",
            IdentKind::CustomsDistrictCode => "customs district code",
            IdentKind::OrderNo => "order number",
            IdentKind::LogisticsNo => "waybill number",
            IdentKind::Amount => "decimal amount",
        }
    }
}

impl fmt::Display for IdentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a value could not be parsed. The one parse error of this crate: the
/// identifiers of this module and [`crate::money::Amount`] all return it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentError {
    /// Nothing was given.
    #[error("{kind} is empty")]
    Empty { kind: IdentKind },

    /// The value has the wrong number of characters.
    #[error("{kind} must be {expected} characters long, but has {found}")]
    Length { kind: IdentKind, expected: &'static str, found: usize },

    /// The value is longer than its field allows.
    #[error("{kind} must be at most {max} characters long, but has {found}")]
    TooLong { kind: IdentKind, max: usize, found: usize },

    /// A character is not allowed at its position (1-based).
    #[error("{kind} has {found:?} at position {position}, where {expected} is required")]
    Char { kind: IdentKind, position: usize, found: char, expected: &'static str },

    /// The check character does not match the rest of the value.
    #[error("{kind} has the check character {found:?}, but the other characters give {expected:?}")]
    CheckChar { kind: IdentKind, expected: char, found: char },

    /// A date or time field is outside its calendar range.
    #[error("{kind} has {field} {value}, which is outside {min}..={max}")]
    OutOfRange { kind: IdentKind, field: &'static str, value: u32, min: u32, max: u32 },

    /// The value breaks a structural rule of its field.
    #[error("{kind} is malformed: {reason}")]
    Format { kind: IdentKind, reason: &'static str },

    /// The value is not in the XML Schema decimal lexical form.
    #[error("{kind} is not a decimal number: {reason}")]
    NotDecimal { kind: IdentKind, reason: &'static str },

    /// The number has more significant digits than the field allows.
    #[error("{kind} has {found} significant digits, but at most {max} are allowed")]
    TotalDigits { kind: IdentKind, found: usize, max: usize },

    /// The number has more (significant) fraction digits than the field allows.
    #[error("{kind} has {found} fraction digits, but at most {max} are allowed")]
    FractionDigits { kind: IdentKind, found: usize, max: usize },

    /// "无" was given for an enterprise code other than the platform code.
    #[error("\"无\" (none) is only allowed as the platform code (ebpCode) of a foreign platform")]
    NoneNotAllowed,
}

impl IdentError {
    /// The kind of value that failed to parse.
    pub fn kind(&self) -> IdentKind {
        match self {
            IdentError::Empty { kind }
            | IdentError::Length { kind, .. }
            | IdentError::TooLong { kind, .. }
            | IdentError::Char { kind, .. }
            | IdentError::CheckChar { kind, .. }
            | IdentError::OutOfRange { kind, .. }
            | IdentError::Format { kind, .. }
            | IdentError::NotDecimal { kind, .. }
            | IdentError::TotalDigits { kind, .. }
            | IdentError::FractionDigits { kind, .. } => *kind,
            IdentError::NoneNotAllowed => IdentKind::EnterpriseCode,
        }
    }

    /// The stable diagnostic code a validator reports for this failure.
    pub fn code(&self) -> Code {
        match self.kind() {
            IdentKind::Uscc | IdentKind::CustomsCode10 | IdentKind::EnterpriseCode => Code::FormatEnterpriseCode,
            IdentKind::PrcIdNumber => Code::FormatIdNumber,
            IdentKind::Guid => Code::FormatGuid,
            IdentKind::AppTime => Code::FormatDateTime14,
            IdentKind::Date8 => Code::FormatDate8,
            IdentKind::ReturnTime => Code::FormatDateTime17,
            IdentKind::HsCode => Code::FormatHsCode,
            IdentKind::InvtNo => Code::FormatInvtNo,
            IdentKind::PreNo => Code::FormatPreNo,
            IdentKind::CustomsDistrictCode => Code::FormatCustomsCode,
            IdentKind::OrderNo | IdentKind::LogisticsNo => match self {
                IdentError::Empty { .. } | IdentError::TooLong { .. } => Code::SchemaLength,
                _ => Code::SchemaInvalidValue,
            },
            IdentKind::Amount => match self {
                IdentError::TotalDigits { .. } => Code::SchemaTotalDigits,
                IdentError::FractionDigits { .. } => Code::SchemaFractionDigits,
                _ => Code::SchemaNotDecimal,
            },
        }
    }
}

/// Implements `Display`, `FromStr`, `AsRef<str>`, `Serialize` (as a string)
/// and `Deserialize` (through the given parser, or a second, wider one) for a
/// type with `as_str()`.
macro_rules! text_ident {
    ($t:ty, $parse:expr) => {
        $crate::ident::text_ident!($t, $parse, $parse);
    };
    ($t:ty, $parse:expr, $deserialize:expr) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $t {
            type Err = $crate::ident::IdentError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $parse(s)
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::serde::Serialize for $t {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $t {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                $deserialize(&s).map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    };
}
pub(crate) use text_ident;

/// Checks that `s` has exactly `len` characters.
fn expect_len(kind: IdentKind, s: &str, len: usize, expected: &'static str) -> Result<(), IdentError> {
    let found = s.chars().count();
    if found == 0 {
        return Err(IdentError::Empty { kind });
    }
    if found != len {
        return Err(IdentError::Length { kind, expected, found });
    }
    Ok(())
}

/// Checks that every character of `s` is an ASCII digit.
fn expect_digits(kind: IdentKind, s: &str, offset: usize) -> Result<(), IdentError> {
    for (i, c) in s.chars().enumerate() {
        if !c.is_ascii_digit() {
            return Err(IdentError::Char { kind, position: offset + i + 1, found: c, expected: "a digit 0-9" });
        }
    }
    Ok(())
}

/// The value of a run of ASCII digits. Callers validate the digits first;
/// runs are short (at most 9 digits), so the sum cannot overflow.
fn digits_value(s: &str) -> u32 {
    s.bytes().fold(0u32, |acc, b| acc.wrapping_mul(10).wrapping_add(u32::from(b.wrapping_sub(b'0'))))
}

/// A message or record guid: 36 characters in the 8-4-4-4-12 hexadecimal
/// UUID layout. The spec asks for upper case, but many senders use lower
/// case; both parse, the original text is kept, and [`Guid::is_upper_case`]
/// lets a validator warn.
///
/// The placeholders of the official samples ("5923DGGB-9940-415B-B666-C09BOO7F40B2",
/// "123ent97-…") and the Hainan "CEB621_HNZB_…" guid are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(String);

impl Guid {
    pub fn parse(s: &str) -> Result<Guid, IdentError> {
        let kind = IdentKind::Guid;
        expect_len(kind, s, 36, "36")?;
        for (i, c) in s.chars().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if c != '-' {
                    return Err(IdentError::Char { kind, position: i + 1, found: c, expected: "a hyphen '-'" });
                }
            } else if !c.is_ascii_hexdigit() {
                return Err(IdentError::Char {
                    kind,
                    position: i + 1,
                    found: c,
                    expected: "a hexadecimal digit 0-9 or A-F",
                });
            }
        }
        Ok(Guid(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when no hexadecimal letter is lower case, as the spec asks.
    pub fn is_upper_case(&self) -> bool {
        !self.0.bytes().any(|b| b.is_ascii_lowercase())
    }

    /// The same guid in upper case.
    pub fn to_upper_case(&self) -> Guid {
        Guid(self.0.to_ascii_uppercase())
    }
}
text_ident!(Guid, Guid::parse);

/// A 10-digit HS commodity code (`gcode`): the 8-digit Chinese tariff line
/// followed by a 2-digit supplementary code. Chapter `00` does not exist.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HsCode(String);

impl HsCode {
    pub fn parse(s: &str) -> Result<HsCode, IdentError> {
        let kind = IdentKind::HsCode;
        expect_len(kind, s, 10, "10")?;
        expect_digits(kind, s, 0)?;
        if s.starts_with("00") {
            return Err(IdentError::Format {
                kind,
                reason: "chapter 00 does not exist (the first two digits must be 01-99)",
            });
        }
        Ok(HsCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 2-digit chapter, e.g. "04".
    pub fn chapter2(&self) -> &str {
        self.0.get(..2).unwrap_or_default()
    }

    /// The 4-digit heading, e.g. "0402" (what simplified declaration checks).
    pub fn heading4(&self) -> &str {
        self.0.get(..4).unwrap_or_default()
    }

    /// The 6-digit HS subheading, e.g. "040221".
    pub fn subheading6(&self) -> &str {
        self.0.get(..6).unwrap_or_default()
    }

    /// The 8-digit Chinese tariff line, e.g. "04022100" (what the positive
    /// list names).
    pub fn tariff_line8(&self) -> &str {
        self.0.get(..8).unwrap_or_default()
    }
}
text_ident!(HsCode, HsCode::parse);

/// A 4-digit customs district code (关区代码, JGS/T 18), as in `customsCode`
/// and `portCode`. Any 4 digits parse; [`CustomsDistrictCode::table_entry`]
/// tells whether the (partial) code table knows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomsDistrictCode(String);

impl CustomsDistrictCode {
    pub fn parse(s: &str) -> Result<CustomsDistrictCode, IdentError> {
        let kind = IdentKind::CustomsDistrictCode;
        expect_len(kind, s, 4, "4")?;
        expect_digits(kind, s, 0)?;
        Ok(CustomsDistrictCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The entry of the customs district code table, when it has one.
    pub fn table_entry(&self) -> Option<&'static crate::codes::CodeEntry> {
        crate::codes::customs_district(&self.0)
    }
}
text_ident!(CustomsDistrictCode, CustomsDistrictCode::parse);

/// Checks a free-form key: not empty, at most `max` characters, no control
/// characters, no leading or trailing white space.
fn parse_free_key(kind: IdentKind, s: &str, max: usize) -> Result<(), IdentError> {
    let found = s.chars().count();
    if found == 0 {
        return Err(IdentError::Empty { kind });
    }
    if found > max {
        return Err(IdentError::TooLong { kind, max, found });
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(IdentError::Char { kind, position: i + 1, found: c, expected: "a printable character" });
    }
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return Err(IdentError::Format { kind, reason: "it starts or ends with white space" });
    }
    Ok(())
}

/// An order number (`orderNo`, C..60), unique within one platform. Free
/// form: not empty, no control characters, no surrounding white space.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderNo(String);

impl OrderNo {
    /// The XSD maximum length of `orderNo`.
    pub const MAX_LEN: usize = 60;

    /// Parses with the field maximum [`OrderNo::MAX_LEN`].
    pub fn parse(s: &str) -> Result<OrderNo, IdentError> {
        OrderNo::parse_max(s, OrderNo::MAX_LEN)
    }

    /// Parses with the maximum length of the caller's field.
    pub fn parse_max(s: &str, max: usize) -> Result<OrderNo, IdentError> {
        parse_free_key(IdentKind::OrderNo, s, max)?;
        Ok(OrderNo(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
text_ident!(OrderNo, OrderNo::parse);

/// A waybill number (`logisticsNo`). Its maximum length depends on the
/// message: C..60 on import, C..32 on export (since 202205), C..80 on the
/// return messages; use [`LogisticsNo::parse_max`] with the field's limit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogisticsNo(String);

impl LogisticsNo {
    /// Import messages (CEB511, CEB621, …).
    pub const MAX_LEN_IMPORT: usize = 60;
    /// Export messages since 202205 (CEB505, CEB603, …).
    pub const MAX_LEN_EXPORT: usize = 32;
    /// Return messages (CEB213), which may use the inbound carrier's number.
    pub const MAX_LEN_RETURN: usize = 80;

    /// Parses with the widest limit, [`LogisticsNo::MAX_LEN_RETURN`].
    pub fn parse(s: &str) -> Result<LogisticsNo, IdentError> {
        LogisticsNo::parse_max(s, LogisticsNo::MAX_LEN_RETURN)
    }

    /// Parses with the maximum length of the caller's field.
    pub fn parse_max(s: &str, max: usize) -> Result<LogisticsNo, IdentError> {
        parse_free_key(IdentKind::LogisticsNo, s, max)?;
        Ok(LogisticsNo(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
text_ident!(LogisticsNo, LogisticsNo::parse);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_accepts_both_cases_and_reports_case() {
        let g = Guid::parse("E8A1F1C2-3B4D-4E5F-8A9B-0C1D2E3F4A5B").unwrap();
        assert!(g.is_upper_case());
        assert_eq!(g.to_string(), "E8A1F1C2-3B4D-4E5F-8A9B-0C1D2E3F4A5B");
        let g = Guid::parse("e8a1f1c2-3b4d-4e5f-8a9b-0c1d2e3f4a5b").unwrap();
        assert!(!g.is_upper_case());
        assert_eq!(g.as_str(), "e8a1f1c2-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "the original text is kept");
        assert_eq!(g.to_upper_case().as_str(), "E8A1F1C2-3B4D-4E5F-8A9B-0C1D2E3F4A5B");
    }

    #[test]
    fn guid_rejects_official_placeholders() {
        // Roots of the CEB625, CEB711 and CEB712 samples: 'G' and 'O' are not hex.
        let e = Guid::parse("5923DGGB-9940-415B-B666-C09BOO7F40B2").unwrap_err();
        assert_eq!(
            e,
            IdentError::Char {
                kind: IdentKind::Guid,
                position: 6,
                found: 'G',
                expected: "a hexadecimal digit 0-9 or A-F"
            }
        );
        assert_eq!(e.code(), Code::FormatGuid);
        // Bodies of CEB701 and CEB792.
        assert!(Guid::parse("123ent97-2b80-4568-aecf-cb6c90530012").is_err());
        // The Hainan list: 36 characters, but not a UUID.
        assert!(Guid::parse("CEB621_HNZB_FXJK_20220208175054_0034").is_err());
    }

    #[test]
    fn guid_rejects_bad_layout() {
        assert!(matches!(Guid::parse(""), Err(IdentError::Empty { .. })));
        assert!(matches!(
            Guid::parse("E8A1F1C2-3B4D-4E5F-8A9B-0C1D2E3F4A5"),
            Err(IdentError::Length { found: 35, .. })
        ));
        assert!(matches!(Guid::parse("E8A1F1C2-3B4D-4E5F-8A9B-0C1D2E3F4A5BB"), Err(IdentError::Length { .. })));
        // Hyphen in the wrong place.
        assert!(matches!(
            Guid::parse("E8A1F1C23-B4D-4E5F-8A9B-0C1D2E3F4A5B"),
            Err(IdentError::Char { position: 9, .. })
        ));
        // No hyphens at all, padded to 36.
        assert!(Guid::parse("E8A1F1C23B4D4E5F8A9B0C1D2E3F4A5B0000").is_err());
        // Braces are not part of the CEB form.
        assert!(Guid::parse("{8A1F1C2-3B4D-4E5F-8A9B-0C1D2E3F4A5B}").is_err());
    }

    #[test]
    fn hs_code_prefixes() {
        let h = HsCode::parse("0402210000").unwrap();
        assert_eq!(h.chapter2(), "04");
        assert_eq!(h.heading4(), "0402");
        assert_eq!(h.subheading6(), "040221");
        assert_eq!(h.tariff_line8(), "04022100");
        assert_eq!(h.to_string(), "0402210000");
        // Placeholder gcodes of the samples are still well-formed HS codes.
        assert!(HsCode::parse("2412342134").is_ok());
    }

    #[test]
    fn hs_code_rejects_bad_values() {
        assert!(matches!(HsCode::parse("04022100"), Err(IdentError::Length { found: 8, .. })));
        assert!(matches!(HsCode::parse("04022100001"), Err(IdentError::Length { .. })));
        assert!(matches!(HsCode::parse("040221000A"), Err(IdentError::Char { position: 10, .. })));
        assert!(matches!(HsCode::parse("0002210000"), Err(IdentError::Format { .. })));
        assert!(
            matches!(HsCode::parse("０４０２２１００００"), Err(IdentError::Char { position: 1, .. })),
            "full-width digits"
        );
        assert_eq!(HsCode::parse("").unwrap_err().code(), Code::FormatHsCode);
    }

    #[test]
    fn customs_district_code() {
        let c = CustomsDistrictCode::parse("1500").unwrap();
        assert_eq!(c.as_str(), "1500");
        assert_eq!(c.table_entry().map(|e| e.name_en.as_str()), Some("Changchun"));
        let c = CustomsDistrictCode::parse("1234").unwrap();
        assert!(c.table_entry().is_none(), "parses, but the partial table does not know it");
        assert!(CustomsDistrictCode::parse("150").is_err());
        assert!(CustomsDistrictCode::parse("15000").is_err());
        let e = CustomsDistrictCode::parse("15A0").unwrap_err();
        assert_eq!(e.code(), Code::FormatCustomsCode);
    }

    #[test]
    fn order_and_logistics_numbers() {
        assert_eq!(OrderNo::parse("order20160321116421002").unwrap().as_str(), "order20160321116421002");
        assert!(OrderNo::parse(&"a".repeat(60)).is_ok());
        let e = OrderNo::parse(&"a".repeat(61)).unwrap_err();
        assert_eq!(e, IdentError::TooLong { kind: IdentKind::OrderNo, max: 60, found: 61 });
        assert_eq!(e.code(), Code::SchemaLength);
        assert!(matches!(OrderNo::parse(""), Err(IdentError::Empty { .. })));
        assert!(matches!(OrderNo::parse(" A1"), Err(IdentError::Format { .. })));
        assert!(matches!(OrderNo::parse("A\u{0}1"), Err(IdentError::Char { position: 2, .. })));
        assert_eq!(OrderNo::parse("A\t1").unwrap_err().code(), Code::SchemaInvalidValue);
        // Length counts characters, not bytes.
        assert!(OrderNo::parse_max("订单订单", 4).is_ok());
        assert!(OrderNo::parse_max("订单订单订", 4).is_err());

        let long = "L".repeat(33);
        assert!(LogisticsNo::parse_max(&long, LogisticsNo::MAX_LEN_EXPORT).is_err());
        assert!(LogisticsNo::parse_max(&long, LogisticsNo::MAX_LEN_IMPORT).is_ok());
        assert!(LogisticsNo::parse(&"L".repeat(80)).is_ok());
        assert!(LogisticsNo::parse(&"L".repeat(81)).is_err());
        assert_eq!(LogisticsNo::parse("L201603081138007").unwrap().to_string(), "L201603081138007");
    }

    #[test]
    fn errors_read_as_english_sentences() {
        let e = HsCode::parse("123").unwrap_err();
        assert_eq!(e.to_string(), "HS code must be 10 characters long, but has 3");
        let e = Guid::parse("5923DGGB-9940-415B-B666-C09BOO7F40B2").unwrap_err();
        assert_eq!(e.to_string(), "guid has 'G' at position 6, where a hexadecimal digit 0-9 or A-F is required");
        assert_eq!(IdentError::NoneNotAllowed.kind(), IdentKind::EnterpriseCode);
    }

    #[test]
    fn serde_goes_through_parse() {
        let g: Guid = serde_json::from_str("\"E8A1F1C2-3B4D-4E5F-8A9B-0C1D2E3F4A5B\"").unwrap();
        assert_eq!(serde_json::to_string(&g).unwrap(), "\"E8A1F1C2-3B4D-4E5F-8A9B-0C1D2E3F4A5B\"");
        let e = serde_json::from_str::<Guid>("\"5923DGGB-9940-415B-B666-C09BOO7F40B2\"").unwrap_err();
        assert!(e.to_string().contains("hexadecimal"), "{e}");
        assert!(serde_json::from_str::<HsCode>("\"12\"").is_err());
        let h: HsCode = "0402210000".parse().unwrap();
        assert_eq!(serde_json::to_value(&h).unwrap(), serde_json::json!("0402210000"));
    }
}
