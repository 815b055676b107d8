//! Slows down password guessing on the sign-in form.
//!
//! Failures are counted per account name (trimmed, lower-cased), in this
//! process. The first [`FREE`] failures cost nothing; after that each
//! further attempt for the name must wait twice as long as the one before
//! (1 s, 2 s, 4 s, … at most [`MAX_WAIT_MS`]) from the last failure, and an
//! attempt made too early is refused before any password is checked (so a
//! flood of guesses also costs no Argon2 work). A success clears the name;
//! a name left alone for [`FORGET_MS`] starts again from zero.
//!
//! The rule is per name rather than per address: behind a reverse proxy
//! every client may share one address, and the account is what a guesser
//! attacks. The real user is never locked out, only made to wait.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use cbec_store::Millis;

/// Failures allowed without a wait.
pub const FREE: u32 = 5;
/// The longest wait between attempts for one name.
pub const MAX_WAIT_MS: i64 = 15 * 60 * 1000;
/// A name without failures for this long is forgotten.
pub const FORGET_MS: i64 = 24 * 3_600_000;
/// Names kept before the forgotten ones are swept out.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Millis,
}

/// Failed sign-ins by account name.
#[derive(Debug, Default)]
pub struct Throttle {
    names: Mutex<HashMap<String, Failures>>,
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// How long after its last failure a name may try again.
fn wait_ms(count: u32) -> i64 {
    match count.checked_sub(FREE) {
        None => 0,
        Some(over) => 1000i64.checked_shl(over).filter(|w| *w > 0).map_or(MAX_WAIT_MS, |w| w.min(MAX_WAIT_MS)),
    }
}

impl Throttle {
    /// `Err(ms)` when the name must wait that much longer before trying.
    pub fn check(&self, name: &str, now: Millis) -> Result<(), i64> {
        let names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        match names.get(&key(name)) {
            Some(f) if wait_ms(f.count) > 0 => {
                let ready = f.last.0.saturating_add(wait_ms(f.count));
                if now.0 < ready { Err(ready - now.0) } else { Ok(()) }
            }
            Some(_) => Ok(()),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt.
    pub fn failed(&self, name: &str, now: Millis) {
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        if names.len() >= SWEEP_AT {
            names.retain(|_, f| now.0 - f.last.0 < FORGET_MS);
        }
        let f = names.entry(key(name)).or_insert(Failures { count: 0, last: now });
        if now.0 - f.last.0 >= FORGET_MS {
            f.count = 0;
        }
        f.count = f.count.saturating_add(1);
        f.last = now;
    }

    /// A successful sign-in clears the name's failures.
    pub fn succeeded(&self, name: &str) {
        self.names.lock().unwrap_or_else(PoisonError::into_inner).remove(&key(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failures_are_free_then_waits_double() {
        let t = Throttle::default();
        let mut now = 1_000_000;
        for _ in 0..FREE {
            assert_eq!(t.check("Rita", Millis(now)), Ok(()));
            t.failed("Rita", Millis(now));
            now += 10;
        }
        // The sixth attempt waits 1 s from the fifth failure, whatever the case.
        assert_eq!(t.check(" rita ", Millis(now)), Err(990));
        now += 990;
        assert_eq!(t.check("rita", Millis(now)), Ok(()));
        t.failed("rita", Millis(now));
        assert_eq!(t.check("rita", Millis(now)), Err(2000));
        t.failed("rita", Millis(now + 2000));
        assert_eq!(t.check("rita", Millis(now + 2000)), Err(4000));
        // Others are not affected.
        assert_eq!(t.check("sam", Millis(now)), Ok(()));
        t.succeeded("RITA");
        assert_eq!(t.check("rita", Millis(now + 2000)), Ok(()));
    }

    #[test]
    fn waits_are_capped_and_old_failures_forgotten() {
        assert_eq!(wait_ms(FREE - 1), 0);
        assert_eq!(wait_ms(FREE), 1000);
        assert_eq!(wait_ms(FREE + 3), 8000);
        assert_eq!(wait_ms(FREE + 20), MAX_WAIT_MS);
        assert_eq!(wait_ms(u32::MAX), MAX_WAIT_MS);
        let t = Throttle::default();
        for _ in 0..FREE + 30 {
            t.failed("x", Millis(0));
        }
        assert_eq!(t.check("x", Millis(0)), Err(MAX_WAIT_MS));
        // A day later the name starts from zero.
        t.failed("x", Millis(FORGET_MS));
        assert_eq!(t.check("x", Millis(FORGET_MS)), Ok(()));
    }
}
