//! Document numbers assigned by customs and the e-port: the list number
//! `invtNo` and the e-port number `preNo`.

use super::{Date8, IdentError, IdentKind, expect_digits, text_ident};
use crate::codes::IeFlag;

/// A customs list number (`invtNo`): 4-digit customs code, 4-digit year,
/// the I/E flag, then a serial. Import lists have a 9-digit serial (18
/// characters in all); export lists allow 9 to 11 digits (18 to 20
/// characters, since 202205).
///
/// The CEB213 sample's "111222333" is rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvtNo(String);

impl InvtNo {
    pub fn parse(s: &str) -> Result<InvtNo, IdentError> {
        let kind = IdentKind::InvtNo;
        let found = s.chars().count();
        if found == 0 {
            return Err(IdentError::Empty { kind });
        }
        if !(18..=20).contains(&found) {
            return Err(IdentError::Length { kind, expected: "18 (import) or 18 to 20 (export)", found });
        }
        // From here on the first nine characters must be ASCII for the
        // layout to hold, so byte offsets equal character positions.
        let head = s.get(..8).ok_or(IdentError::Format { kind, reason: "the first 8 characters must be digits" })?;
        expect_digits(kind, head, 0)?;
        let flag = s.get(8..9).ok_or(IdentError::Format { kind, reason: "the 9th character must be I or E" })?;
        let serial = s.get(9..).unwrap_or_default();
        match flag {
            "I" if found != 18 => Err(IdentError::Format {
                kind,
                reason: "an import list number has a 9-digit serial after the I (18 characters in all)",
            }),
            "I" | "E" => {
                expect_digits(kind, serial, 9)?;
                Ok(InvtNo(s.to_owned()))
            }
            _ => Err(IdentError::Char {
                kind,
                position: 9,
                found: flag.chars().next().unwrap_or_default(),
                expected: "the import/export flag I or E",
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 4-digit code of the customs that registered the list.
    pub fn customs_code(&self) -> &str {
        self.0.get(..4).unwrap_or_default()
    }

    /// The 4-digit year.
    pub fn year(&self) -> &str {
        self.0.get(4..8).unwrap_or_default()
    }

    /// Import or export list.
    pub fn ie_flag(&self) -> IeFlag {
        if self.0.get(8..9) == Some("E") { IeFlag::Export } else { IeFlag::Import }
    }

    /// The serial after the flag (9 to 11 digits).
    pub fn serial(&self) -> &str {
        self.0.get(9..).unwrap_or_default()
    }
}
text_ident!(InvtNo, InvtNo::parse);

/// An e-port number (`preNo`): "B", an 8-digit date YYYYMMDD and a 9-digit
/// serial, 18 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PreNo(String);

impl PreNo {
    pub fn parse(s: &str) -> Result<PreNo, IdentError> {
        let kind = IdentKind::PreNo;
        super::expect_len(kind, s, 18, "18")?;
        let first = s.chars().next().unwrap_or_default();
        if first != 'B' {
            return Err(IdentError::Char { kind, position: 1, found: first, expected: "the letter B" });
        }
        let date = s.get(1..9).ok_or(IdentError::Format { kind, reason: "characters 2-9 must be a date YYYYMMDD" })?;
        expect_digits(kind, date, 1)?;
        Date8::parse(date).map_err(|e| match e {
            IdentError::OutOfRange { field, value, min, max, .. } => {
                IdentError::OutOfRange { kind, field, value, min, max }
            }
            _ => IdentError::Format { kind, reason: "characters 2-9 must be a date YYYYMMDD" },
        })?;
        let serial =
            s.get(9..).ok_or(IdentError::Format { kind, reason: "characters 10-18 must be a 9-digit serial" })?;
        expect_digits(kind, serial, 9)?;
        Ok(PreNo(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The date part.
    pub fn date(&self) -> Date8 {
        Date8::from_validated(self.0.get(1..9).unwrap_or_default())
    }

    /// The 9-digit serial.
    pub fn serial(&self) -> &str {
        self.0.get(9..).unwrap_or_default()
    }
}
text_ident!(PreNo, PreNo::parse);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    #[test]
    fn import_list_numbers() {
        let n = InvtNo::parse("37002024I000000123").unwrap();
        assert_eq!(n.customs_code(), "3700");
        assert_eq!(n.year(), "2024");
        assert_eq!(n.ie_flag(), IeFlag::Import);
        assert_eq!(n.serial(), "000000123");
        assert_eq!(n.to_string(), "37002024I000000123");
        assert!(matches!(InvtNo::parse("37002024I0000001234"), Err(IdentError::Format { .. })));
        assert!(matches!(InvtNo::parse("37002024I00000012"), Err(IdentError::Length { found: 17, .. })));
    }

    #[test]
    fn export_list_numbers() {
        for s in ["15002024E000000123", "15002024E0000001234", "15002024E00000012345"] {
            let n = InvtNo::parse(s).unwrap();
            assert_eq!(n.ie_flag(), IeFlag::Export);
            assert_eq!(n.customs_code(), "1500");
        }
        assert!(matches!(InvtNo::parse("15002024E000000123456"), Err(IdentError::Length { found: 21, .. })));
    }

    #[test]
    fn malformed_list_numbers() {
        // The CEB213 sample's placeholder.
        let e = InvtNo::parse("111222333").unwrap_err();
        assert_eq!(e.code(), Code::FormatInvtNo);
        assert!(matches!(InvtNo::parse("15002024X000000123"), Err(IdentError::Char { position: 9, found: 'X', .. })));
        assert!(matches!(InvtNo::parse("15002024i000000123"), Err(IdentError::Char { position: 9, .. })));
        assert!(matches!(InvtNo::parse("1500A024E000000123"), Err(IdentError::Char { position: 5, .. })));
        assert!(matches!(InvtNo::parse("15002024E00000012A"), Err(IdentError::Char { position: 18, .. })));
        assert!(InvtNo::parse("海关2024E000000123456").is_err());
        assert!(InvtNo::parse("").is_err());
    }

    #[test]
    fn pre_numbers() {
        let p = PreNo::parse("B20240229000000001").unwrap();
        assert_eq!(p.date().as_str(), "20240229");
        assert_eq!(p.serial(), "000000001");
        assert_eq!(p.as_str(), "B20240229000000001");
        assert!(matches!(PreNo::parse("A20240229000000001"), Err(IdentError::Char { position: 1, .. })));
        assert!(matches!(PreNo::parse("b20240229000000001"), Err(IdentError::Char { position: 1, .. })));
        assert!(matches!(
            PreNo::parse("B20230229000000001"),
            Err(IdentError::OutOfRange { kind: IdentKind::PreNo, field: "day", .. })
        ));
        assert!(matches!(PreNo::parse("B2024022900000000X"), Err(IdentError::Char { position: 18, .. })));
        assert!(matches!(PreNo::parse("B2024022900000001"), Err(IdentError::Length { .. })));
        assert_eq!(PreNo::parse("B2024x229000000001").unwrap_err().code(), Code::FormatPreNo);
    }
}
