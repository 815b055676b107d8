//! [`UtcTime`]: a point in time, UTC, to the second.
//!
//! Certificate checks need "now", but this crate never reads the clock: the
//! caller passes the time in (the CLI reads the clock or `--at`, a service
//! its own clock, a test a fixed instant). The type is a thin wrapper over
//! Unix seconds with a proleptic Gregorian calendar for display and for the
//! certificate times `cbec keygen` writes; it has no time zones and no leap
//! seconds, like X.509 itself.

use std::fmt;

/// A point in time, UTC, in whole seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTime(i64);

/// Days from 1970-01-01 to the given civil date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl UtcTime {
    /// The time `secs` seconds after the Unix epoch (negative: before it).
    pub const fn from_unix_seconds(secs: i64) -> UtcTime {
        UtcTime(secs)
    }

    /// Seconds since the Unix epoch.
    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The time of a calendar date and time of day, if they exist (years
    /// 0–9999).
    pub fn from_civil(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<UtcTime> {
        let ok = (0..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60;
        ok.then(|| {
            let days = days_from_civil(year, month, day);
            UtcTime(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
        })
    }

    /// Year, month, day, hour, minute and second.
    pub fn to_civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
    }

    /// This time plus `secs` seconds, if it does not overflow.
    pub fn checked_add_seconds(self, secs: i64) -> Option<UtcTime> {
        self.0.checked_add(secs).map(UtcTime)
    }
}

/// RFC 3339, e.g. `2023-03-29T00:00:00Z`.
impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.to_civil();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for secs in [-86_400 * 365 * 30, -1, 0, 1, 951_782_400, 1_680_048_000, 4_102_444_799, 253_402_300_799] {
            let t = UtcTime::from_unix_seconds(secs);
            let (y, mo, d, h, mi, s) = t.to_civil();
            assert_eq!(UtcTime::from_civil(y, mo, d, h, mi, s), Some(t), "{secs}");
        }
    }

    #[test]
    fn known_instants() {
        assert_eq!(UtcTime::from_civil(1970, 1, 1, 0, 0, 0).unwrap().unix_seconds(), 0);
        assert_eq!(UtcTime::from_civil(2000, 2, 29, 0, 0, 0).unwrap().unix_seconds(), 951_782_400);
        assert_eq!(UtcTime::from_unix_seconds(1_680_048_000).to_string(), "2023-03-29T00:00:00Z");
        assert_eq!(UtcTime::from_civil(2023, 2, 29, 0, 0, 0), None);
        assert_eq!(UtcTime::from_civil(2024, 13, 1, 0, 0, 0), None);
    }
}
