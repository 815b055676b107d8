//! Enterprise codes: the 18-character unified social credit code, the
//! 10-character customs registration code, and the enterprise-code field that
//! holds either (plus "无" for a foreign platform's `ebpCode`).

use super::{IdentError, IdentKind, expect_len, text_ident};

/// The 31 characters of GB 32100-2015, in value order (no I, O, S, V, Z).
const USCC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const USCC_EXPECTED: &str = "a digit or an upper-case letter other than I, O, S, V, Z";

fn uscc_value(c: char) -> Option<u32> {
    let b = u8::try_from(c).ok()?;
    USCC_CHARSET.iter().position(|&x| x == b).and_then(|p| u32::try_from(p).ok())
}

/// Validates the first 17 characters of a USCC (positions 3–8 are the
/// 6-digit administrative division code) and returns their check character.
fn uscc_check(first17: &str) -> Result<char, IdentError> {
    let kind = IdentKind::Uscc;
    let mut sum = 0u32;
    for ((i, c), w) in first17.chars().enumerate().zip(USCC_WEIGHTS) {
        if (2..8).contains(&i) && !c.is_ascii_digit() {
            return Err(IdentError::Char {
                kind,
                position: i + 1,
                found: c,
                expected: "a digit 0-9 (administrative division code)",
            });
        }
        let v = uscc_value(c).ok_or(IdentError::Char { kind, position: i + 1, found: c, expected: USCC_EXPECTED })?;
        sum += v * w;
    }
    let check = (31 - sum % 31) % 31;
    Ok(USCC_CHARSET.get(check as usize).map_or('0', |&b| char::from(b)))
}

/// An 18-character unified social credit code (统一社会信用代码, GB 32100-2015):
/// registration authority, organisation type, 6-digit administrative
/// division code, 9-character organisation code and a mod-31 check
/// character. Only upper case is accepted, as the standard's character set
/// has no lower-case letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

impl Uscc {
    pub fn parse(s: &str) -> Result<Uscc, IdentError> {
        let kind = IdentKind::Uscc;
        expect_len(kind, s, 18, "18")?;
        let (first17, last) = s.split_at(s.char_indices().nth(17).map_or(s.len(), |(i, _)| i));
        let expected = uscc_check(first17)?;
        let found = last.chars().next().unwrap_or_default();
        if uscc_value(found).is_none() {
            return Err(IdentError::Char { kind, position: 18, found, expected: USCC_EXPECTED });
        }
        if found != expected {
            return Err(IdentError::CheckChar { kind, expected, found });
        }
        Ok(Uscc(s.to_owned()))
    }

    /// Completes 17 characters with their check character. Handy for tests
    /// and fixtures: `Uscc::with_check("91350100M000100Y4")`.
    pub fn with_check(first17: &str) -> Result<Uscc, IdentError> {
        expect_len(IdentKind::Uscc, first17, 17, "17 (without the check character)")?;
        let check = uscc_check(first17)?;
        let mut s = String::with_capacity(18);
        s.push_str(first17);
        s.push(check);
        Ok(Uscc(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit administrative division code (positions 3–8).
    pub fn division_code(&self) -> &str {
        self.0.get(2..8).unwrap_or_default()
    }

    /// The 9-character organisation code (positions 9–17).
    pub fn organization_code(&self) -> &str {
        self.0.get(8..17).unwrap_or_default()
    }
}
text_ident!(Uscc, Uscc::parse);

/// A 10-character customs registration code (海关注册编码): digits and
/// upper-case ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomsCode10(String);

impl CustomsCode10 {
    pub fn parse(s: &str) -> Result<CustomsCode10, IdentError> {
        let kind = IdentKind::CustomsCode10;
        expect_len(kind, s, 10, "10")?;
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !(c.is_ascii_digit() || c.is_ascii_uppercase())) {
            return Err(IdentError::Char {
                kind,
                position: i + 1,
                found: c,
                expected: "a digit or an upper-case letter A-Z",
            });
        }
        Ok(CustomsCode10(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
text_ident!(CustomsCode10, CustomsCode10::parse);

/// An enterprise code field (`ebpCode`, `ebcCode`, `logisticsCode`,
/// `payCode`, `agentCode`, `copCode`, …, C..18): a customs registration code
/// or a unified social credit code, told apart by length.
///
/// Since 202205 a foreign platform without a code gives `ebpCode` = "无";
/// that is [`EnterpriseCode::None`], accepted only by
/// [`EnterpriseCode::parse_ebp`]. `FromStr` is [`EnterpriseCode::parse`];
/// `Deserialize` goes through `parse_ebp`, so that every value of the type,
/// `None` included, reads back from its serialised form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EnterpriseCode {
    /// 10-character customs registration code.
    Customs(CustomsCode10),
    /// 18-character unified social credit code.
    Uscc(Uscc),
    /// "无": a foreign platform without a code (`ebpCode` only).
    None,
}

impl EnterpriseCode {
    /// The text of [`EnterpriseCode::None`].
    pub const NONE_TEXT: &'static str = "无";

    /// Parses a code of any enterprise field; "无" is rejected.
    pub fn parse(s: &str) -> Result<EnterpriseCode, IdentError> {
        let kind = IdentKind::EnterpriseCode;
        if s == Self::NONE_TEXT {
            return Err(IdentError::NoneNotAllowed);
        }
        match s.chars().count() {
            0 => Err(IdentError::Empty { kind }),
            10 => CustomsCode10::parse(s).map(EnterpriseCode::Customs),
            18 => Uscc::parse(s).map(EnterpriseCode::Uscc),
            found => Err(IdentError::Length {
                kind,
                expected: "10 (customs code) or 18 (unified social credit code)",
                found,
            }),
        }
    }

    /// Parses a platform code (`ebpCode`), which may also be "无".
    pub fn parse_ebp(s: &str) -> Result<EnterpriseCode, IdentError> {
        if s == Self::NONE_TEXT { Ok(EnterpriseCode::None) } else { EnterpriseCode::parse(s) }
    }

    pub fn as_str(&self) -> &str {
        match self {
            EnterpriseCode::Customs(c) => c.as_str(),
            EnterpriseCode::Uscc(c) => c.as_str(),
            EnterpriseCode::None => Self::NONE_TEXT,
        }
    }

    /// True for "无".
    pub fn is_none(&self) -> bool {
        matches!(self, EnterpriseCode::None)
    }
}
text_ident!(EnterpriseCode, EnterpriseCode::parse, EnterpriseCode::parse_ebp);

impl From<Uscc> for EnterpriseCode {
    fn from(c: Uscc) -> Self {
        EnterpriseCode::Uscc(c)
    }
}

impl From<CustomsCode10> for EnterpriseCode {
    fn from(c: CustomsCode10) -> Self {
        EnterpriseCode::Customs(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    #[test]
    fn uscc_with_check_computes_gb32100_check_character() {
        // Check characters computed independently of this code from the GB 32100 weights.
        assert_eq!(Uscc::with_check("91350100M000100Y4").unwrap().as_str(), "91350100M000100Y43");
        assert_eq!(Uscc::with_check("91110000600037341").unwrap().as_str(), "91110000600037341L");
        assert_eq!(Uscc::with_check("00000000000000000").unwrap().as_str(), "000000000000000000");
        // Every computed code parses back.
        for first17 in ["91310000MA1FL4XK3", "12100000400000624", "52440300MJL1234AB", "Y1440300TTTTTTTTT"] {
            let u = Uscc::with_check(first17).unwrap();
            assert_eq!(Uscc::parse(u.as_str()).unwrap(), u);
        }
    }

    #[test]
    fn uscc_parse_valid() {
        let u = Uscc::parse("91350100M000100Y43").unwrap();
        assert_eq!(u.division_code(), "350100");
        assert_eq!(u.organization_code(), "M000100Y4");
        assert_eq!(u.to_string(), "91350100M000100Y43");
        assert_eq!("91110000600037341L".parse::<Uscc>().unwrap().as_str(), "91110000600037341L");
    }

    #[test]
    fn uscc_parse_invalid() {
        let k = IdentKind::Uscc;
        assert_eq!(
            Uscc::parse("91350100M000100Y44").unwrap_err(),
            IdentError::CheckChar { kind: k, expected: '3', found: '4' }
        );
        assert!(matches!(Uscc::parse("91350100M000100Y4"), Err(IdentError::Length { found: 17, .. })));
        assert!(matches!(Uscc::parse("91350100M000100Y433"), Err(IdentError::Length { .. })));
        // I, O, S, V and Z are not in the character set.
        assert!(matches!(Uscc::parse("91350100I000100Y43"), Err(IdentError::Char { position: 9, found: 'I', .. })));
        assert!(matches!(Uscc::parse("91350100O000100Y43"), Err(IdentError::Char { found: 'O', .. })));
        assert!(matches!(Uscc::parse("91350100M000100Y4S"), Err(IdentError::Char { position: 18, .. })));
        // Lower case is not in the character set either.
        assert!(matches!(Uscc::parse("91350100m000100Y43"), Err(IdentError::Char { found: 'm', .. })));
        // The division code is numeric.
        assert!(matches!(Uscc::parse("913501A0M000100Y43"), Err(IdentError::Char { position: 7, found: 'A', .. })));
        assert!(Uscc::parse("9135010０M000100Y43").is_err(), "full-width digit");
        assert!(Uscc::with_check("9135010").is_err());
        assert_eq!(Uscc::parse("").unwrap_err().code(), Code::FormatEnterpriseCode);
    }

    #[test]
    fn customs_code10() {
        assert_eq!(CustomsCode10::parse("3301960ABC").unwrap().as_str(), "3301960ABC");
        assert!(CustomsCode10::parse("1105910158").is_ok());
        assert!(matches!(CustomsCode10::parse("3301960abc"), Err(IdentError::Char { position: 8, .. })));
        assert!(matches!(CustomsCode10::parse("3301960AB"), Err(IdentError::Length { .. })));
        assert!(CustomsCode10::parse("3301960AB-").is_err());
    }

    #[test]
    fn enterprise_code_by_length() {
        let u = Uscc::with_check("91350100M000100Y4").unwrap();
        assert_eq!(EnterpriseCode::parse(u.as_str()).unwrap(), EnterpriseCode::Uscc(u.clone()));
        assert_eq!(EnterpriseCode::from(u).as_str(), "91350100M000100Y43");
        assert!(matches!(EnterpriseCode::parse("3301960ABC").unwrap(), EnterpriseCode::Customs(_)));
        let e = EnterpriseCode::parse("ass201603081155").unwrap_err();
        assert!(matches!(e, IdentError::Length { kind: IdentKind::EnterpriseCode, found: 15, .. }), "{e}");
        assert!(matches!(EnterpriseCode::parse(""), Err(IdentError::Empty { .. })));
        // An 18-character code must pass the USCC check.
        assert!(matches!(EnterpriseCode::parse("91350100M000100Y44"), Err(IdentError::CheckChar { .. })));
    }

    #[test]
    fn enterprise_code_none_only_for_platforms() {
        assert_eq!(EnterpriseCode::parse("无").unwrap_err(), IdentError::NoneNotAllowed);
        let none = EnterpriseCode::parse_ebp("无").unwrap();
        assert!(none.is_none());
        assert_eq!(none.as_str(), "无");
        assert!(EnterpriseCode::parse_ebp("3301960ABC").is_ok());
        assert!(EnterpriseCode::parse_ebp("无无").is_err());
        assert_eq!("无".parse::<EnterpriseCode>().unwrap_err(), IdentError::NoneNotAllowed);
        // Every value reads back.
        let json = serde_json::to_string(&none).unwrap();
        assert_eq!(serde_json::from_str::<EnterpriseCode>(&json).unwrap(), none);
    }
}
