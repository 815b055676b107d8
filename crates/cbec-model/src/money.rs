//! Decimal amounts and quantities of the CEB messages.
//!
//! [`Amount`] wraps a [`Decimal`] and is what every `N19,5` field of the
//! spec (xs:decimal, totalDigits 19, fractionDigits 5) holds: prices,
//! totals, freight, tax, weights and quantities. Floats are never used.
//!
//! * [`Amount::parse`] reads the XML Schema decimal lexical form and enforces
//!   `N19,5` with the schema's own (value-space) counting: leading zeros and
//!   trailing fraction zeros are not significant, so `"20.000000"` is valid
//!   while `"0.123456"` has 6 fraction digits and is not.
//! * The scale of the text is kept: `"20.00"` prints back as `"20.00"`.
//! * Arithmetic ([`Amount::checked_add`], [`Amount::checked_sub`],
//!   [`Amount::checked_mul`]) is exact or returns `None`; it never rounds
//!   silently. Results may need more digits than `N19,5`, which
//!   [`Amount::check_n19_5`] tells.
//! * Rounding is explicit and half away from zero (四舍五入), as customs
//!   rounds tax to the fen: [`Amount::round_fen`], [`Amount::to_fen`].

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::ident::{IdentError, IdentKind};

/// The largest mantissa a [`Decimal`] holds, 2^96 - 1.
const MAX_MANTISSA: u128 = (1u128 << 96) - 1;
/// The largest scale a [`Decimal`] holds.
const MAX_SCALE: u32 = 28;

/// A decimal amount or quantity. Equality, ordering and hashing are by
/// value (`20.00 == 20`); `Display` keeps the scale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(Decimal);

/// The digits of a decimal literal after sign and white space are removed.
struct Literal<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
}

fn not_decimal(reason: &'static str) -> IdentError {
    IdentError::NotDecimal { kind: IdentKind::Amount, reason }
}

/// Splits the XML Schema decimal lexical form `(+|-)?([0-9]+(.[0-9]*)?|.[0-9]+)`,
/// after collapsing the surrounding XML white space (the type's
/// whiteSpace facet).
fn lex(s: &str) -> Result<Literal<'_>, IdentError> {
    let t = s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
    if t.is_empty() {
        return Err(if s.is_empty() {
            IdentError::Empty { kind: IdentKind::Amount }
        } else {
            not_decimal("it is only white space")
        });
    }
    let (negative, body) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..).unwrap_or_default()),
        Some(b'+') => (false, t.get(1..).unwrap_or_default()),
        _ => (false, t),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return Err(not_decimal(if body.is_empty() {
            "there are no digits after the sign"
        } else {
            "a decimal point needs at least one digit"
        }));
    }
    if let Some(c) = int.chars().chain(frac.chars()).find(|c| !c.is_ascii_digit()) {
        return Err(not_decimal(match c {
            'e' | 'E' => "exponent notation is not allowed",
            '.' => "there is more than one decimal point",
            ',' => "digit group separators are not allowed",
            '+' | '-' => "a sign is only allowed at the start",
            c if c.is_whitespace() => "white space is not allowed inside a number",
            _ => "only digits, one decimal point and a leading sign are allowed",
        }));
    }
    Ok(Literal { negative, int, frac })
}

/// Parses a decimal literal with at most `max_total` significant digits and
/// `max_frac` significant fraction digits, keeping the literal's scale where
/// a [`Decimal`] can hold it.
fn parse_limited(s: &str, max_total: usize, max_frac: usize) -> Result<Decimal, IdentError> {
    let kind = IdentKind::Amount;
    let lit = lex(s)?;
    let int = lit.int.trim_start_matches('0');
    let frac_sig = lit.frac.trim_end_matches('0');
    if frac_sig.len() > max_frac {
        return Err(IdentError::FractionDigits { kind, found: frac_sig.len(), max: max_frac });
    }
    // Significant digits: from the first non-zero digit to the last
    // significant fraction digit.
    let total = if int.is_empty() { frac_sig.trim_start_matches('0').len() } else { int.len() + frac_sig.len() };
    if total > max_total {
        return Err(IdentError::TotalDigits { kind, found: total, max: max_total });
    }
    // Keep the literal scale, dropping only insignificant trailing zeros
    // when the mantissa would otherwise need more than 28 digits.
    let mut scale = lit.frac.len();
    while scale > frac_sig.len() && (int.len() + scale > MAX_SCALE as usize || scale > MAX_SCALE as usize) {
        scale -= 1;
    }
    let mantissa = int
        .bytes()
        .chain(lit.frac.bytes().take(scale))
        .try_fold(0i128, |acc, b| acc.checked_mul(10)?.checked_add(i128::from(b - b'0')))
        .ok_or(IdentError::TotalDigits { kind, found: total, max: max_total })?;
    let mantissa = if lit.negative { -mantissa } else { mantissa };
    let scale = u32::try_from(scale).unwrap_or(MAX_SCALE);
    let d = Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| IdentError::TotalDigits {
        kind,
        found: total,
        max: max_total,
    })?;
    Ok(canonical_zero(d))
}

/// Zero is always positive, so that "-0" prints as "0".
fn canonical_zero(mut d: Decimal) -> Decimal {
    if d.is_zero() {
        d.set_sign_positive(true);
    }
    d
}

/// A [`Decimal`] with this exact mantissa and scale, dropping trailing zeros
/// if it would not fit otherwise; `None` if the value cannot be held exactly.
fn fit(mut mantissa: i128, mut scale: u32) -> Option<Decimal> {
    while (scale > MAX_SCALE || mantissa.unsigned_abs() > MAX_MANTISSA) && scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    Decimal::try_from_i128_with_scale(mantissa, scale).ok().map(canonical_zero)
}

/// Both mantissas brought to the larger of the two scales.
fn align(a: Decimal, b: Decimal) -> Option<(i128, i128, u32)> {
    let scale = a.scale().max(b.scale());
    let ma = a.mantissa().checked_mul(10i128.checked_pow(scale - a.scale())?)?;
    let mb = b.mantissa().checked_mul(10i128.checked_pow(scale - b.scale())?)?;
    Some((ma, mb, scale))
}

impl Amount {
    /// Zero, scale 0.
    pub const ZERO: Amount = Amount(Decimal::ZERO);
    /// `N19,5`: at most 19 significant digits ...
    pub const MAX_TOTAL_DIGITS: usize = 19;
    /// ... of which at most 5 after the decimal point.
    pub const MAX_FRACTION_DIGITS: usize = 5;

    /// Parses a CEB `N19,5` value (see the module documentation). White
    /// space around the number is ignored, as XML Schema collapses it.
    pub fn parse(s: &str) -> Result<Amount, IdentError> {
        parse_limited(s, Self::MAX_TOTAL_DIGITS, Self::MAX_FRACTION_DIGITS).map(Amount)
    }

    /// Parses any decimal literal a [`Decimal`] holds exactly (up to 28
    /// significant digits and 28 fraction digits), without the `N19,5`
    /// limits. Deserialisation uses this, so that results of arithmetic,
    /// which may exceed `N19,5`, read back.
    pub fn parse_decimal(s: &str) -> Result<Amount, IdentError> {
        parse_limited(s, MAX_SCALE as usize, MAX_SCALE as usize).map(Amount)
    }

    /// Wraps a [`Decimal`] as it is (no `N19,5` check).
    pub fn from_decimal(d: Decimal) -> Amount {
        Amount(canonical_zero(d))
    }

    /// An amount of `fen` hundredths of a yuan, with scale 2.
    pub fn from_fen(fen: i64) -> Amount {
        Amount(canonical_zero(Decimal::new(fen, 2)))
    }

    /// The underlying decimal.
    pub fn to_decimal(self) -> Decimal {
        self.0
    }

    /// The number of digits after the decimal point as written (`20.00` → 2).
    pub fn scale(self) -> u32 {
        self.0.scale()
    }

    /// The significant digits as XML Schema counts them for totalDigits and
    /// fractionDigits: `(total, fraction)`.
    pub fn significant_digits(self) -> (usize, usize) {
        let mut m = self.0.mantissa().unsigned_abs();
        let mut scale = self.0.scale();
        while scale > 0 && m.is_multiple_of(10) {
            m /= 10;
            scale -= 1;
        }
        let mut total = 0;
        while m > 0 {
            m /= 10;
            total += 1;
        }
        (total, scale as usize)
    }

    /// Checks the `N19,5` limits, for values computed rather than parsed.
    pub fn check_n19_5(self) -> Result<(), IdentError> {
        let kind = IdentKind::Amount;
        let (total, frac) = self.significant_digits();
        if frac > Self::MAX_FRACTION_DIGITS {
            return Err(IdentError::FractionDigits { kind, found: frac, max: Self::MAX_FRACTION_DIGITS });
        }
        if total > Self::MAX_TOTAL_DIGITS {
            return Err(IdentError::TotalDigits { kind, found: total, max: Self::MAX_TOTAL_DIGITS });
        }
        Ok(())
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// True below zero (never for zero).
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn abs(self) -> Amount {
        Amount(self.0.abs())
    }

    /// The exact sum, with the larger scale of the two; `None` if it cannot
    /// be held exactly.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        let (a, b, scale) = align(self.0, other.0)?;
        fit(a.checked_add(b)?, scale).map(Amount)
    }

    /// The exact difference, with the larger scale of the two; `None` if it
    /// cannot be held exactly.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        let (a, b, scale) = align(self.0, other.0)?;
        fit(a.checked_sub(b)?, scale).map(Amount)
    }

    /// The exact product, with the sum of the scales (`2.50 × 3.0` =
    /// `7.500`); `None` if it cannot be held exactly.
    pub fn checked_mul(self, other: Amount) -> Option<Amount> {
        let m = self.0.mantissa().checked_mul(other.0.mantissa())?;
        fit(m, self.0.scale() + other.0.scale()).map(Amount)
    }

    /// The exact sum of all the amounts (zero when empty).
    pub fn checked_sum<I: IntoIterator<Item = Amount>>(amounts: I) -> Option<Amount> {
        amounts.into_iter().try_fold(Amount::ZERO, Amount::checked_add)
    }

    /// Rounds to `dp` decimal places, half away from zero, and gives the
    /// result exactly `dp` places (`20` → `20.00`) where a [`Decimal`] can.
    pub fn round_dp(self, dp: u32) -> Amount {
        let d = self.0.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
        let d = match d.scale().cmp(&dp) {
            Ordering::Less => 10i128
                .checked_pow(dp - d.scale())
                .and_then(|f| d.mantissa().checked_mul(f))
                .and_then(|m| Decimal::try_from_i128_with_scale(m, dp).ok())
                .unwrap_or(d),
            _ => d,
        };
        Amount(canonical_zero(d))
    }

    /// Rounds to the fen (0.01 yuan), half away from zero, as customs rounds
    /// tax: `0.125` → `0.13`, `-0.125` → `-0.13`.
    pub fn round_fen(self) -> Amount {
        self.round_dp(2)
    }

    /// The amount in whole fen after [`Amount::round_fen`]; `None` if it
    /// does not fit an `i64`.
    pub fn to_fen(self) -> Option<i64> {
        let r = self.round_fen().0;
        let m = r.mantissa().checked_mul(10i128.checked_pow(2u32.checked_sub(r.scale())?)?)?;
        i64::try_from(m).ok()
    }
}

impl From<i64> for Amount {
    fn from(n: i64) -> Self {
        Amount(Decimal::from(n))
    }
}

impl From<Amount> for Decimal {
    fn from(a: Amount) -> Self {
        a.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Amount {
    type Err = IdentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Amount::parse(s)
    }
}

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Amount::parse_decimal(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use proptest::prelude::*;

    fn a(s: &str) -> Amount {
        Amount::parse(s).unwrap()
    }

    #[test]
    fn parse_keeps_the_scale() {
        for s in
            ["20.00", "0", "0.5", "100", "12345678912345.12345", "-3.10", "19050", "0.00001", "1234567890123456789"]
        {
            assert_eq!(a(s).to_string(), s);
        }
        assert_eq!(a("20.00"), a("20"), "equality is by value");
        assert_eq!(a("20.00").scale(), 2);
    }

    #[test]
    fn parse_accepts_the_xsd_lexical_variants() {
        assert_eq!(a("+1.5").to_string(), "1.5");
        assert_eq!(a(".5").to_string(), "0.5");
        assert_eq!(a("5.").to_string(), "5");
        assert_eq!(a("-0").to_string(), "0");
        assert_eq!(a("-0.00").to_string(), "0.00");
        assert_eq!(a("007.10").to_string(), "7.10");
        assert_eq!(a(" 1.5\n").to_string(), "1.5", "XML white space is collapsed");
        // Insignificant zeros do not count (XML Schema value space).
        assert_eq!(a("20.000000").to_string(), "20.000000");
        assert!(Amount::parse("00000000000000000001234567890123456789").is_ok());
        assert_eq!(
            a("1234567890123456789.000000000000000000000").to_string(),
            "1234567890123456789.000000000",
            "trimmed to 28 digits"
        );
    }

    #[test]
    fn parse_rejects_non_decimals() {
        let k = IdentKind::Amount;
        assert_eq!(Amount::parse("").unwrap_err(), IdentError::Empty { kind: k });
        assert_eq!(Amount::parse(".").unwrap_err(), not_decimal("a decimal point needs at least one digit"));
        assert_eq!(Amount::parse("1e3").unwrap_err(), not_decimal("exponent notation is not allowed"));
        assert_eq!(Amount::parse("1.5E2").unwrap_err(), not_decimal("exponent notation is not allowed"));
        assert_eq!(Amount::parse("-").unwrap_err(), not_decimal("there are no digits after the sign"));
        assert_eq!(Amount::parse("1.2.3").unwrap_err(), not_decimal("there is more than one decimal point"));
        assert!(Amount::parse("1,000").is_err());
        assert!(Amount::parse("--1").is_err());
        assert!(Amount::parse("1 000").is_err());
        assert!(Amount::parse("  ").is_err());
        assert!(Amount::parse("NaN").is_err());
        assert!(Amount::parse("INF").is_err());
        assert!(Amount::parse("0x10").is_err());
        assert!(Amount::parse("１").is_err(), "full-width digit");
        assert_eq!(Amount::parse("abc").unwrap_err().code(), Code::SchemaNotDecimal);
    }

    #[test]
    fn parse_enforces_n19_5_with_distinct_errors() {
        let k = IdentKind::Amount;
        assert_eq!(Amount::parse("0.123456").unwrap_err(), IdentError::FractionDigits { kind: k, found: 6, max: 5 });
        assert_eq!(Amount::parse("0.123456").unwrap_err().code(), Code::SchemaFractionDigits);
        assert_eq!(
            Amount::parse("12345678901234567890").unwrap_err(),
            IdentError::TotalDigits { kind: k, found: 20, max: 19 }
        );
        assert_eq!(Amount::parse("12345678901234567890").unwrap_err().code(), Code::SchemaTotalDigits);
        assert_eq!(
            Amount::parse("123456789012345.12345").unwrap_err(),
            IdentError::TotalDigits { kind: k, found: 20, max: 19 }
        );
        assert!(Amount::parse("99999999999999.99999").is_ok());
        assert!(Amount::parse("0.00001").is_ok());
        assert!(Amount::parse("0.000001").is_err());
        assert!(Amount::parse_decimal("0.000001").is_ok());
        assert!(Amount::parse_decimal("12345678901234567890.123456").is_ok());
        assert!(Amount::parse_decimal("99999999999999999999999999999").is_err(), "29 digits");
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(a("20.00").checked_add(a("1.5")).unwrap().to_string(), "21.50");
        assert_eq!(a("20.00").checked_sub(a("20")).unwrap().to_string(), "0.00");
        assert_eq!(a("2.50").checked_mul(a("3.0")).unwrap().to_string(), "7.500");
        assert_eq!(a("0.1").checked_mul(a("-0.1")).unwrap().to_string(), "-0.01");
        assert_eq!(a("0").checked_mul(a("-5")).unwrap().to_string(), "0");
        // qty × price of the largest N19,5 values: exact, more than N19,5.
        let big = a("99999999999999.99999");
        let p = big.checked_mul(big);
        assert!(p.is_none(), "needs 38 digits, more than a Decimal holds exactly");
        let p = a("12345.12345").checked_mul(a("12345.12345")).unwrap();
        assert_eq!(p.to_string(), "152402072.9957399025");
        assert_eq!(p.check_n19_5().unwrap_err().code(), Code::SchemaFractionDigits);
        let sum = Amount::checked_sum([a("1.10"), a("2.205"), a("-0.3")]).unwrap();
        assert_eq!(sum.to_string(), "3.005");
        assert_eq!(Amount::checked_sum(std::iter::empty()).unwrap(), Amount::ZERO);
        let max = Amount::from_decimal(Decimal::MAX);
        assert!(max.checked_add(a("1")).is_none());
        assert!(max.checked_add(a("0.5")).is_none());
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(a("0.125").round_fen().to_string(), "0.13");
        assert_eq!(a("0.135").round_fen().to_string(), "0.14");
        assert_eq!(a("-0.125").round_fen().to_string(), "-0.13");
        assert_eq!(a("0.124").round_fen().to_string(), "0.12");
        assert_eq!(a("2.5").round_dp(0).to_string(), "3");
        assert_eq!(a("20").round_fen().to_string(), "20.00");
        assert_eq!(a("-0.001").round_fen().to_string(), "0.00");
        // 1000 × 9.1 % = 91, a tax at the fen.
        let tax = a("1000").checked_mul(a("0.091")).unwrap();
        assert_eq!(tax.round_fen().to_string(), "91.00");
        assert_eq!(tax.to_fen(), Some(9100));
    }

    #[test]
    fn fen_conversions() {
        assert_eq!(a("190.50").to_fen(), Some(19050));
        assert_eq!(a("0.005").to_fen(), Some(1));
        assert_eq!(a("-0.005").to_fen(), Some(-1));
        assert_eq!(a("1234567890123456789").to_fen(), None, "more than i64::MAX fen");
        assert_eq!(Amount::from_fen(19050).to_string(), "190.50");
        assert_eq!(Amount::from_fen(-1).to_string(), "-0.01");
        assert_eq!(Amount::from(5).to_string(), "5");
    }

    #[test]
    fn signs_and_digits() {
        assert!(a("-0.01").is_negative());
        assert!(!a("-0").is_negative());
        assert!(a("0.000").is_zero());
        assert_eq!(a("-2.5").abs(), a("2.5"));
        assert_eq!(a("00120.500").significant_digits(), (4, 1));
        assert_eq!(a("0.00012").significant_digits(), (2, 5));
        assert_eq!(a("0").significant_digits(), (0, 0));
        assert!(a("1").check_n19_5().is_ok());
        assert!(a("2") > a("1.99999"));
    }

    #[test]
    fn serde_as_string() {
        let v = a("20.00");
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"20.00\"");
        assert_eq!(serde_json::from_str::<Amount>("\"20.00\"").unwrap().to_string(), "20.00");
        let p = a("1.5").checked_mul(a("1.00001")).unwrap();
        let back: Amount = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back.to_string(), p.to_string(), "computed values read back");
        assert!(serde_json::from_str::<Amount>("\"1e3\"").is_err());
        assert!(serde_json::from_str::<Amount>("12").is_err(), "numbers must be strings");
    }

    /// A canonical N19,5 literal: no leading zeros, up to `max_int` + 5
    /// digits, never "-0".
    fn literal_with(max_int: usize) -> impl Strategy<Value = String> {
        let int = proptest::string::string_regex(&format!("(0|[1-9][0-9]{{0,{}}})", max_int - 1)).unwrap();
        (any::<bool>(), int, proptest::option::of("[0-9]{1,5}")).prop_map(|(neg, int, frac)| {
            let mut s = String::new();
            let zero = int == "0" && frac.as_deref().is_none_or(|f| f.bytes().all(|b| b == b'0'));
            if neg && !zero {
                s.push('-');
            }
            s.push_str(&int);
            if let Some(f) = frac {
                s.push('.');
                s.push_str(&f);
            }
            s
        })
    }

    /// Any canonical N19,5 literal (14 + 5 digits at most).
    fn literal() -> impl Strategy<Value = String> {
        literal_with(14)
    }

    /// A literal of at most 7 + 5 digits, so that products fit a Decimal.
    fn small_literal() -> impl Strategy<Value = String> {
        literal_with(7)
    }

    proptest! {
        #[test]
        fn prop_parse_print_round_trip(s in literal()) {
            let v = Amount::parse(&s).unwrap();
            prop_assert_eq!(v.to_string(), s.clone());
            prop_assert_eq!(Amount::parse(&v.to_string()).unwrap(), v);
            let json = serde_json::to_string(&v).unwrap();
            prop_assert_eq!(serde_json::from_str::<Amount>(&json).unwrap().to_string(), s);
        }

        #[test]
        fn prop_leading_zeros_and_plus_do_not_change_the_value(s in literal(), zeros in 0usize..5) {
            let v = Amount::parse(&s).unwrap();
            let unsigned = s.trim_start_matches('-');
            let padded = format!("{}{}{}", if v.is_negative() { "-" } else { "+" }, "0".repeat(zeros), unsigned);
            let w = Amount::parse(&padded).unwrap();
            prop_assert_eq!(w, v);
            prop_assert_eq!(w.scale(), v.scale());
        }

        #[test]
        fn prop_add_sub_identities(x in literal(), y in literal()) {
            let a = Amount::parse(&x).unwrap();
            let b = Amount::parse(&y).unwrap();
            let sum = a.checked_add(b).unwrap();
            prop_assert_eq!(sum, b.checked_add(a).unwrap());
            prop_assert_eq!(sum.checked_sub(b).unwrap(), a);
            prop_assert_eq!(sum.checked_sub(a).unwrap(), b);
            prop_assert!(a.checked_sub(a).unwrap().is_zero());
            prop_assert_eq!(a.checked_add(Amount::ZERO).unwrap().to_string(), a.to_string());
            prop_assert_eq!(sum.scale(), a.scale().max(b.scale()));
        }

        #[test]
        fn prop_mul_of_small_values_matches_decimal(x in small_literal(), y in small_literal()) {
            let a = Amount::parse(&x).unwrap();
            let b = Amount::parse(&y).unwrap();
            let p = a.checked_mul(b).unwrap();
            prop_assert_eq!(p, b.checked_mul(a).unwrap());
            prop_assert_eq!(p.to_decimal(), a.to_decimal() * b.to_decimal());
            prop_assert_eq!(p.scale(), a.scale() + b.scale());
        }

        #[test]
        fn prop_mul_is_exact_or_none(x in literal(), y in literal()) {
            let a = Amount::parse(&x).unwrap();
            let b = Amount::parse(&y).unwrap();
            // Two N19,5 mantissas multiply within i128.
            let exact = a.to_decimal().mantissa() * b.to_decimal().mantissa();
            let scale = a.scale() + b.scale();
            if let Some(p) = a.checked_mul(b) {
                let p = p.to_decimal();
                prop_assert!(p.scale() <= scale);
                prop_assert_eq!(p.mantissa() * 10i128.pow(scale - p.scale()), exact);
            } else {
                prop_assert!(exact.unsigned_abs() > MAX_MANTISSA);
            }
        }

        #[test]
        fn prop_fen_round_trip(fen in -1_000_000_000_000i64..1_000_000_000_000) {
            let v = Amount::from_fen(fen);
            prop_assert_eq!(v.to_fen(), Some(fen));
            prop_assert_eq!(Amount::parse(&v.to_string()).unwrap(), v);
            prop_assert_eq!(v.round_fen().to_string(), v.to_string());
        }

        #[test]
        fn prop_round_fen_is_within_half_a_fen(s in literal()) {
            let v = Amount::parse(&s).unwrap();
            let r = v.round_fen();
            prop_assert_eq!(r.scale(), 2);
            let diff = r.checked_sub(v).unwrap().abs();
            prop_assert!(diff <= Amount::parse("0.005").unwrap());
        }
    }
}
