//! The digit-string timestamps of the CEB messages: [`AppTime`]
//! (YYYYMMDDhhmmss), [`Date8`] (YYYYMMDD) and [`ReturnTime`]
//! (yyyyMMddHHmmssSSS).
//!
//! All three are wall-clock values without a zone (in practice Beijing
//! time). Each keeps its text, so the derived ordering, being over
//! fixed-width digits, is chronological. A small proleptic Gregorian
//! calendar checks that dates exist; years before 1900 are rejected as
//! certainly wrong in this domain.

use super::{IdentError, IdentKind, digits_value, expect_digits, expect_len, text_ident};

/// The earliest year any CEB date may carry.
pub const MIN_YEAR: u32 = 1900;

pub(crate) fn is_leap_year(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

pub(crate) fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

fn range(kind: IdentKind, field: &'static str, value: u32, min: u32, max: u32) -> Result<(), IdentError> {
    if (min..=max).contains(&value) { Ok(()) } else { Err(IdentError::OutOfRange { kind, field, value, min, max }) }
}

fn check_ymd(kind: IdentKind, y: u32, m: u32, d: u32) -> Result<(), IdentError> {
    range(kind, "year", y, MIN_YEAR, 9999)?;
    range(kind, "month", m, 1, 12)?;
    range(kind, "day", d, 1, days_in_month(y, m))
}

fn check_hms(kind: IdentKind, h: u32, mi: u32, s: u32) -> Result<(), IdentError> {
    range(kind, "hour", h, 0, 23)?;
    range(kind, "minute", mi, 0, 59)?;
    range(kind, "second", s, 0, 59)
}

/// The digits `from..to` of a validated all-digit string.
fn field(s: &str, from: usize, to: usize) -> u32 {
    s.get(from..to).map_or(0, digits_value)
}

/// Parses `len` digits and checks the calendar fields they hold.
fn parse_digits(kind: IdentKind, s: &str, len: usize, expected: &'static str) -> Result<(), IdentError> {
    expect_len(kind, s, len, expected)?;
    expect_digits(kind, s, 0)?;
    check_ymd(kind, field(s, 0, 4), field(s, 4, 6), field(s, 6, 8))?;
    if len >= 14 {
        check_hms(kind, field(s, 8, 10), field(s, 10, 12), field(s, 12, 14))?;
    }
    Ok(())
}

/// Days since 1970-01-01 of a valid date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: u32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, u32::try_from(m).unwrap_or(0), u32::try_from(d).unwrap_or(0))
}

/// A calendar date, YYYYMMDD (`declTime`, `ieDate`, the date in `preNo`, the
/// birth date in an ID number).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date8(String);

impl Date8 {
    pub fn parse(s: &str) -> Result<Date8, IdentError> {
        parse_digits(IdentKind::Date8, s, 8, "8")?;
        Ok(Date8(s.to_owned()))
    }

    /// Builds a date from its fields, checking that it exists.
    pub fn from_ymd(year: u32, month: u32, day: u32) -> Result<Date8, IdentError> {
        check_ymd(IdentKind::Date8, year, month, day)?;
        Ok(Date8(format!("{year:04}{month:02}{day:02}")))
    }

    /// Wraps text that the caller has already validated as a date.
    pub(crate) fn from_validated(s: &str) -> Date8 {
        Date8(s.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn year(&self) -> u32 {
        field(&self.0, 0, 4)
    }

    pub fn month(&self) -> u32 {
        field(&self.0, 4, 6)
    }

    pub fn day(&self) -> u32 {
        field(&self.0, 6, 8)
    }

    /// Days since 1970-01-01 (negative before it), for date arithmetic such
    /// as the 30-day return window.
    pub fn day_number(&self) -> i64 {
        days_from_civil(self.year(), self.month(), self.day())
    }

    /// The date of a day number, if it lies in the years 1900..=9999.
    pub fn from_day_number(days: i64) -> Option<Date8> {
        let (y, m, d) = civil_from_days(days);
        Date8::from_ymd(u32::try_from(y).ok()?, m, d).ok()
    }

    /// The year of a day number, if it lies in the years 1900..=9999 (what
    /// [`Date8::from_day_number`] gives, without building the date).
    pub fn year_of_day_number(days: i64) -> Option<u32> {
        let (y, _, _) = civil_from_days(days);
        u32::try_from(y).ok().filter(|y| (1900..=9999).contains(y))
    }

    /// The date `days` days later (earlier if negative), if it lies in the
    /// years 1900..=9999.
    pub fn add_days(&self, days: i64) -> Option<Date8> {
        Date8::from_day_number(self.day_number().checked_add(days)?)
    }
}
text_ident!(Date8, Date8::parse);

/// `appTime` and the other 14-digit timestamps, YYYYMMDDhhmmss.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppTime(String);

impl AppTime {
    pub fn parse(s: &str) -> Result<AppTime, IdentError> {
        parse_digits(IdentKind::AppTime, s, 14, "14")?;
        Ok(AppTime(s.to_owned()))
    }

    /// Builds a timestamp from its fields, checking that it exists.
    pub fn from_parts(
        year: u32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Result<AppTime, IdentError> {
        let kind = IdentKind::AppTime;
        check_ymd(kind, year, month, day)?;
        check_hms(kind, hour, minute, second)?;
        Ok(AppTime(format!("{year:04}{month:02}{day:02}{hour:02}{minute:02}{second:02}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn year(&self) -> u32 {
        field(&self.0, 0, 4)
    }

    pub fn month(&self) -> u32 {
        field(&self.0, 4, 6)
    }

    pub fn day(&self) -> u32 {
        field(&self.0, 6, 8)
    }

    pub fn hour(&self) -> u32 {
        field(&self.0, 8, 10)
    }

    pub fn minute(&self) -> u32 {
        field(&self.0, 10, 12)
    }

    pub fn second(&self) -> u32 {
        field(&self.0, 12, 14)
    }

    /// The calendar date.
    pub fn date(&self) -> Date8 {
        Date8(self.0.get(..8).unwrap_or_default().to_owned())
    }

    /// Seconds since 1970-01-01 00:00:00 of the same (zone-less) wall clock;
    /// differences between two values are exact.
    pub fn naive_seconds(&self) -> i64 {
        days_from_civil(self.year(), self.month(), self.day()) * 86_400
            + i64::from(self.hour() * 3600 + self.minute() * 60 + self.second())
    }
}
text_ident!(AppTime, AppTime::parse);

/// A receipt's `returnTime`, yyyyMMddHHmmssSSS (17 digits, milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReturnTime(String);

impl ReturnTime {
    pub fn parse(s: &str) -> Result<ReturnTime, IdentError> {
        parse_digits(IdentKind::ReturnTime, s, 17, "17")?;
        Ok(ReturnTime(s.to_owned()))
    }

    /// Builds a receipt time from its fields, checking that it exists. The
    /// platform calls this with the injected clock's reading.
    pub fn from_parts(
        year: u32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        millisecond: u32,
    ) -> Result<ReturnTime, IdentError> {
        let kind = IdentKind::ReturnTime;
        check_ymd(kind, year, month, day)?;
        check_hms(kind, hour, minute, second)?;
        range(kind, "millisecond", millisecond, 0, 999)?;
        Ok(ReturnTime(format!("{year:04}{month:02}{day:02}{hour:02}{minute:02}{second:02}{millisecond:03}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn year(&self) -> u32 {
        field(&self.0, 0, 4)
    }

    pub fn month(&self) -> u32 {
        field(&self.0, 4, 6)
    }

    pub fn day(&self) -> u32 {
        field(&self.0, 6, 8)
    }

    pub fn hour(&self) -> u32 {
        field(&self.0, 8, 10)
    }

    pub fn minute(&self) -> u32 {
        field(&self.0, 10, 12)
    }

    pub fn second(&self) -> u32 {
        field(&self.0, 12, 14)
    }

    pub fn millisecond(&self) -> u32 {
        field(&self.0, 14, 17)
    }

    /// The calendar date.
    pub fn date(&self) -> Date8 {
        Date8(self.0.get(..8).unwrap_or_default().to_owned())
    }

    /// The time truncated to whole seconds.
    pub fn to_app_time(&self) -> AppTime {
        AppTime(self.0.get(..14).unwrap_or_default().to_owned())
    }

    /// Milliseconds since 1970-01-01 00:00:00.000 of the same (zone-less)
    /// wall clock; differences between two values are exact.
    pub fn naive_millis(&self) -> i64 {
        self.to_app_time().naive_seconds() * 1000 + i64::from(self.millisecond())
    }
}
text_ident!(ReturnTime, ReturnTime::parse);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    #[test]
    fn leap_years() {
        assert!(is_leap_year(2000));
        assert!(is_leap_year(2024));
        assert!(!is_leap_year(1900));
        assert!(!is_leap_year(2100));
        assert!(!is_leap_year(2023));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2023, 4), 30);
        assert_eq!(days_in_month(2023, 13), 0);
    }

    #[test]
    fn date8_valid_and_invalid() {
        let d = Date8::parse("20240229").unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2024, 2, 29));
        assert_eq!(Date8::from_ymd(2024, 2, 29).unwrap(), d);
        assert_eq!(Date8::from_ymd(2024, 2, 3).unwrap().as_str(), "20240203");
        assert_eq!(
            Date8::parse("20230229").unwrap_err(),
            IdentError::OutOfRange { kind: IdentKind::Date8, field: "day", value: 29, min: 1, max: 28 }
        );
        assert!(Date8::parse("20000229").is_ok());
        assert!(Date8::parse("19000229").is_err());
        assert!(Date8::parse("20241301").is_err());
        assert!(Date8::parse("20240001").is_err());
        assert!(Date8::parse("20240100").is_err());
        assert!(Date8::parse("20240431").is_err());
        assert!(matches!(Date8::parse("18991231"), Err(IdentError::OutOfRange { field: "year", .. })));
        assert!(matches!(Date8::parse("2024-1-1"), Err(IdentError::Char { position: 5, .. })));
        assert!(matches!(Date8::parse("2024011"), Err(IdentError::Length { .. })));
        assert_eq!(Date8::parse("x").unwrap_err().code(), Code::FormatDate8);
    }

    #[test]
    fn date8_day_numbers() {
        assert_eq!(Date8::parse("19700101").unwrap().day_number(), 0);
        assert_eq!(Date8::parse("20000301").unwrap().day_number(), 11_017);
        assert_eq!(Date8::parse("19000101").unwrap().day_number(), -25_567);
        let d = Date8::parse("20241231").unwrap();
        assert_eq!(d.add_days(1).unwrap().as_str(), "20250101");
        assert_eq!(d.add_days(-306).unwrap().as_str(), "20240229");
        assert_eq!(Date8::parse("20240301").unwrap().add_days(-1).unwrap().as_str(), "20240229");
        assert!(Date8::parse("19000101").unwrap().add_days(-1).is_none());
        // Round trip over several centuries.
        for n in (-25_567..2_932_896).step_by(997) {
            let d = Date8::from_day_number(n).unwrap();
            assert_eq!(d.day_number(), n, "{d}");
        }
    }

    #[test]
    fn app_time_valid_and_invalid() {
        let t = AppTime::parse("20240229235959").unwrap();
        assert_eq!((t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second()), (2024, 2, 29, 23, 59, 59));
        assert_eq!(t.date().as_str(), "20240229");
        assert_eq!(AppTime::from_parts(2024, 2, 29, 23, 59, 59).unwrap(), t);
        assert!(matches!(AppTime::parse("20240229240000"), Err(IdentError::OutOfRange { field: "hour", .. })));
        assert!(matches!(AppTime::parse("20240229236000"), Err(IdentError::OutOfRange { field: "minute", .. })));
        assert!(matches!(AppTime::parse("20240229235960"), Err(IdentError::OutOfRange { field: "second", .. })));
        assert!(AppTime::parse("20230229120000").is_err());
        assert!(AppTime::parse("2024022912000").is_err());
        assert!(AppTime::parse("2024-02-29T12:00:00").is_err());
        assert!(AppTime::from_parts(2024, 2, 30, 0, 0, 0).is_err());
        assert_eq!(AppTime::parse("").unwrap_err().code(), Code::FormatDateTime14);
        let a = AppTime::parse("20231231235959").unwrap();
        let b = AppTime::parse("20240101000000").unwrap();
        assert!(a < b);
        assert_eq!(b.naive_seconds() - a.naive_seconds(), 1);
        assert_eq!(AppTime::parse("19700101000001").unwrap().naive_seconds(), 1);
    }

    #[test]
    fn return_time_parts_and_order() {
        let r = ReturnTime::from_parts(2016, 3, 8, 11, 55, 1, 7).unwrap();
        assert_eq!(r.as_str(), "20160308115501007");
        assert_eq!(ReturnTime::parse("20160308115501007").unwrap(), r);
        assert_eq!(r.millisecond(), 7);
        assert_eq!((r.year(), r.month(), r.day(), r.hour(), r.minute(), r.second()), (2016, 3, 8, 11, 55, 1));
        assert_eq!(r.date().as_str(), "20160308");
        assert_eq!(r.to_app_time().as_str(), "20160308115501");
        let later = ReturnTime::from_parts(2016, 3, 8, 11, 55, 1, 8).unwrap();
        assert!(r < later);
        assert_eq!(later.naive_millis() - r.naive_millis(), 1);
        let next_day = ReturnTime::from_parts(2016, 3, 9, 0, 0, 0, 0).unwrap();
        assert!(later < next_day);
        assert!(matches!(
            ReturnTime::from_parts(2016, 3, 8, 11, 55, 1, 1000),
            Err(IdentError::OutOfRange { field: "millisecond", .. })
        ));
        assert!(ReturnTime::from_parts(2015, 2, 29, 0, 0, 0, 0).is_err());
        assert!(ReturnTime::parse("2016030811550100").is_err());
        assert!(ReturnTime::parse("20160308115501007Z").is_err());
        assert_eq!(ReturnTime::parse("20160308255501007").unwrap_err().code(), Code::FormatDateTime17);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, "\"20160308115501007\"");
        assert_eq!(serde_json::from_str::<ReturnTime>(&json).unwrap(), r);
    }
}
