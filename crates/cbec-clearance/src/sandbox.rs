//! Sandbox outcomes: on a server started with `cbec serve --sandbox`, an
//! integrator forces what customs does with a document by a marker in its
//! `note`, to test their own system end to end:
//!
//! | marker | effect |
//! |---|---|
//! | `CBEC-SANDBOX:reject=CODE` | any document is refused with `CODE` (e.g. `-621005`, `100`) |
//! | `CBEC-SANDBOX:review` | a list, once accepted, goes to manual review (300) |
//! | `CBEC-SANDBOX:inspect` | … to inspection (500) |
//! | `CBEC-SANDBOX:release` | … is released (800) at once, import or export |
//! | `CBEC-SANDBOX:detain=CODE` | … is detained (501, 502, 503 or 599) |
//! | `CBEC-SANDBOX:return` | … is inspected (500) and its goods returned (700) |
//!
//! A list still goes through matching, limits and tax first: the marker
//! decides only what follows acceptance, so a list that does not match is
//! refused as it would be for real. Outside the sandbox markers are plain
//! text and change nothing.

use serde::{Deserialize, Serialize};

use crate::decide::Action;

/// What a marker starts.
pub const MARKER: &str = "CBEC-SANDBOX:";

/// A forced outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Forced {
    Reject(i32),
    Review,
    Inspect,
    Release,
    Detain(u16),
    Return,
}

impl Forced {
    /// The marker text of this outcome.
    pub fn marker(self) -> String {
        match self {
            Forced::Reject(code) => format!("{MARKER}reject={code}"),
            Forced::Review => format!("{MARKER}review"),
            Forced::Inspect => format!("{MARKER}inspect"),
            Forced::Release => format!("{MARKER}release"),
            Forced::Detain(code) => format!("{MARKER}detain={code}"),
            Forced::Return => format!("{MARKER}return"),
        }
    }

    /// The officer actions that produce it after acceptance (none for a
    /// rejection, which happens before the decision).
    pub fn actions(self) -> &'static [Action] {
        match self {
            Forced::Reject(_) => &[],
            Forced::Review => &[Action::Review],
            Forced::Inspect => &[Action::Inspect],
            Forced::Release => &[Action::Release],
            Forced::Detain(501) => &[Action::Detain(501)],
            Forced::Detain(502) => &[Action::Detain(502)],
            Forced::Detain(503) => &[Action::Detain(503)],
            Forced::Detain(_) => &[Action::Detain(599)],
            Forced::Return => &[Action::Inspect, Action::ReturnGoods],
        }
    }
}

/// The marker in a note, if there is one: the outcome, or why the marker
/// is not understood (naming the markers that are).
pub fn parse(note: &str) -> Option<Result<Forced, String>> {
    let at = note.find(MARKER)?;
    let word: String = note[at + MARKER.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '=' | '-' | '_'))
        .collect();
    let (name, arg) = word.split_once('=').map_or((word.as_str(), None), |(n, a)| (n, Some(a)));
    let bad = |why: &str| {
        Err(format!(
            "sandbox marker {MARKER}{word}: {why}; use reject=CODE, review, inspect, release, detain=501|502|503|599 or return"
        ))
    };
    Some(match (name, arg) {
        ("reject", Some(code)) => match code.parse::<i32>() {
            Ok(c) if c != 0 && (c < 0 || c == 100) => Ok(Forced::Reject(c)),
            _ => bad("a rejection code is negative (an error code) or 100"),
        },
        ("review", None) => Ok(Forced::Review),
        ("inspect", None) => Ok(Forced::Inspect),
        ("release", None) => Ok(Forced::Release),
        ("detain", Some(code)) => match code.parse::<u16>() {
            Ok(c @ (501 | 502 | 503 | 599)) => Ok(Forced::Detain(c)),
            _ => bad("a detention code is 501, 502, 503 or 599"),
        },
        ("return", None) => Ok(Forced::Return),
        _ => bad("unknown outcome"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_parse_and_print_back() {
        for f in [
            Forced::Reject(-621005),
            Forced::Reject(100),
            Forced::Review,
            Forced::Inspect,
            Forced::Release,
            Forced::Detain(502),
            Forced::Return,
        ] {
            assert_eq!(parse(&format!("test parcel {} please", f.marker())), Some(Ok(f)));
        }
        assert_eq!(parse("an ordinary note"), None);
        for bad in ["reject=0", "reject=120", "reject=x", "detain=500", "detain", "explode", "review=1"] {
            let err = parse(&format!("{MARKER}{bad}")).unwrap().unwrap_err();
            assert!(err.contains(bad) && err.contains("use reject=CODE"), "{err}");
        }
    }
}
