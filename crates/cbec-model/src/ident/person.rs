//! The PRC resident identity number of buyers and payers
//! (`buyerIdNumber`, `payerIdNumber` with id type 1).

use std::fmt;

use super::{Date8, IdentError, IdentKind, expect_digits, expect_len, text_ident};

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Validates the first 17 characters (digits and birth date) and returns
/// their ISO 7064 MOD 11-2 check character.
fn id_check(first17: &str) -> Result<char, IdentError> {
    let kind = IdentKind::PrcIdNumber;
    expect_digits(kind, first17, 0)?;
    let birth = first17.get(6..14).unwrap_or_default();
    Date8::parse(birth).map_err(|e| match e {
        IdentError::OutOfRange { field, value, min, max, .. } => {
            IdentError::OutOfRange { kind, field, value, min, max }
        }
        _ => IdentError::Format { kind, reason: "positions 7-14 are not a birth date YYYYMMDD" },
    })?;
    let sum: u32 = first17.bytes().zip(ID_WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Ok(ID_CHECK.get((sum % 11) as usize).map_or('0', |&b| char::from(b)))
}

/// An 18-character PRC resident ID number (GB 11643-1999): 6-digit
/// administrative division, 8-digit birth date (a real date, year >= 1900),
/// 3-digit sequence and an ISO 7064 MOD 11-2 check character (0-9 or X).
/// A lower-case `x` is accepted and stored as `X`.
///
/// Whether the birth date lies in the future is not checked here (this crate
/// has no clock). `Debug` masks the middle digits so that ID numbers do not
/// end up in logs; `Display` and `as_str` give the full number.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrcIdNumber(String);

impl PrcIdNumber {
    pub fn parse(s: &str) -> Result<PrcIdNumber, IdentError> {
        let kind = IdentKind::PrcIdNumber;
        expect_len(kind, s, 18, "18")?;
        let split = s.char_indices().nth(17).map_or(s.len(), |(i, _)| i);
        let (first17, last) = s.split_at(split);
        let found = last.chars().next().unwrap_or_default();
        let expected = id_check(first17)?;
        let found = match found {
            'x' => 'X',
            c if c.is_ascii_digit() || c == 'X' => c,
            c => return Err(IdentError::Char { kind, position: 18, found: c, expected: "a check digit 0-9 or X" }),
        };
        if found != expected {
            return Err(IdentError::CheckChar { kind, expected, found });
        }
        let mut text = String::with_capacity(18);
        text.push_str(first17);
        text.push(found);
        Ok(PrcIdNumber(text))
    }

    /// Completes 17 digits with their check character. Handy for tests and
    /// fixtures: `PrcIdNumber::with_check("11010519491231002")`.
    pub fn with_check(first17: &str) -> Result<PrcIdNumber, IdentError> {
        expect_len(IdentKind::PrcIdNumber, first17, 17, "17 (without the check character)")?;
        let check = id_check(first17)?;
        let mut text = String::with_capacity(18);
        text.push_str(first17);
        text.push(check);
        Ok(PrcIdNumber(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit administrative division code of the place of registration.
    pub fn division_code(&self) -> &str {
        self.0.get(..6).unwrap_or_default()
    }

    /// The birth date (positions 7-14).
    pub fn birth_date(&self) -> Date8 {
        Date8::from_validated(self.0.get(6..14).unwrap_or_default())
    }

    /// The number with the birth date and sequence hidden, for logs and
    /// screens: `110105********002X`.
    pub fn masked(&self) -> String {
        let mut out = String::with_capacity(18);
        out.push_str(self.0.get(..6).unwrap_or_default());
        out.push_str("********");
        out.push_str(self.0.get(14..).unwrap_or_default());
        out
    }
}
text_ident!(PrcIdNumber, PrcIdNumber::parse);

impl fmt::Debug for PrcIdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PrcIdNumber").field(&self.masked()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    #[test]
    fn gb11643_example_and_helper() {
        // The example number of GB 11643-1999.
        let id = PrcIdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date().as_str(), "19491231");
        assert_eq!(id.division_code(), "110105");
        assert_eq!(PrcIdNumber::with_check("11010519491231002").unwrap(), id);
        // Check digits computed independently of this code.
        assert_eq!(PrcIdNumber::with_check("44030319900307123").unwrap().as_str(), "440303199003071233");
        assert_eq!(PrcIdNumber::with_check("11010120000229001").unwrap().as_str(), "110101200002290018");
        assert_eq!(PrcIdNumber::with_check("11010119000101001").unwrap().as_str(), "110101190001010014");
    }

    #[test]
    fn lower_case_x_is_normalized() {
        let id = PrcIdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.to_string(), "11010519491231002X");
    }

    #[test]
    fn invalid_numbers() {
        let k = IdentKind::PrcIdNumber;
        assert_eq!(
            PrcIdNumber::parse("110105194912310021").unwrap_err(),
            IdentError::CheckChar { kind: k, expected: 'X', found: '1' }
        );
        assert!(matches!(PrcIdNumber::parse("440303199003071232"), Err(IdentError::CheckChar { expected: '3', .. })));
        assert!(matches!(PrcIdNumber::parse("11010519491231002"), Err(IdentError::Length { found: 17, .. })));
        // 15-digit first-generation numbers are not accepted.
        assert!(PrcIdNumber::parse("110105491231002").is_err());
        assert!(matches!(PrcIdNumber::parse("1101051949123100XX"), Err(IdentError::Char { position: 17, .. })));
        assert!(matches!(PrcIdNumber::parse("11010519491231002Y"), Err(IdentError::Char { position: 18, .. })));
        // Birth dates: not a calendar date, or before 1900.
        assert!(matches!(
            PrcIdNumber::with_check("11010120010229001"),
            Err(IdentError::OutOfRange { field: "day", .. })
        ));
        assert!(matches!(
            PrcIdNumber::with_check("11010118991231001"),
            Err(IdentError::OutOfRange { field: "year", .. })
        ));
        assert!(matches!(
            PrcIdNumber::with_check("11010120011301001"),
            Err(IdentError::OutOfRange { field: "month", .. })
        ));
        assert_eq!(PrcIdNumber::parse("").unwrap_err().code(), Code::FormatIdNumber);
        assert_eq!(PrcIdNumber::with_check("11010120010229001").unwrap_err().kind(), k);
    }

    #[test]
    fn debug_masks_the_number() {
        let id = PrcIdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(format!("{id:?}"), "PrcIdNumber(\"110105********002X\")");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"11010519491231002X\"");
        assert_eq!(serde_json::from_str::<PrcIdNumber>("\"11010519491231002x\"").unwrap(), id);
    }
}
