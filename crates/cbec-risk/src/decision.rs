//! What the engine decided about one list, and why.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::rules::Lane;
use crate::warning::{Measure, Severity};

/// The longest [`Decision::explain`] text, in characters.
pub const EXPLAIN_MAX_CHARS: usize = 300;

/// A rule that fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fired {
    pub rule_id: String,
    pub lane: Lane,
    /// What matched, e.g. `item 2 hs 1901101000 matches hs_prefix 1901; origin 116`.
    pub reason: String,
}

/// An active warning that matched the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningHit {
    pub warning_id: String,
    pub measure: Measure,
    pub severity: Severity,
    /// The `gnum` of the item it matched; `None` for a warning on an
    /// enterprise alone.
    pub item: Option<i32>,
    pub reason: String,
}

/// The random selection, when it decided the lane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draw {
    /// The list's draw in `[0, 1)` (see [`crate::draw`]).
    pub value: f64,
    /// The probability of the lane drawn: the red rate for red, the yellow
    /// rate for yellow, what is left for green.
    pub rate: f64,
    pub lane: Lane,
    /// The thresholds: red when `value < red_rate`, yellow when
    /// `value < red_rate + yellow_rate`.
    pub red_rate: f64,
    pub yellow_rate: f64,
}

/// The engine's decision about one list: reproducible from the rule file
/// version, the active warnings, the list and the seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub lane: Lane,
    /// A matching warning refuses entry (the lane is then `hold`).
    pub refused: bool,
    /// The rules that fired, in file order.
    pub fired: Vec<Fired>,
    /// The active warnings that matched, in the order given.
    pub warnings: Vec<WarningHit>,
    /// The random selection, when no rule or warning chose a lane above green.
    pub random: Option<Draw>,
    pub rules_version: String,
    pub seed: u64,
}

impl Decision {
    /// A one-line summary for receipts and logs (at most
    /// [`EXPLAIN_MAX_CHARS`] characters), e.g.
    /// `red (rules 2026.11-1, seed 7): R-0001 red; warning W-9 hold_for_inspection item 1`.
    pub fn explain(&self) -> String {
        let mut s = String::new();
        let _ = write!(s, "{}", self.lane);
        if self.refused {
            s.push_str(", refused");
        }
        let _ = write!(s, " (rules {}, seed {})", self.rules_version, self.seed);
        let mut parts: Vec<String> = Vec::new();
        const SHOWN: usize = 6;
        if !self.fired.is_empty() {
            let mut p: Vec<String> =
                self.fired.iter().take(SHOWN).map(|f| format!("{} {}", f.rule_id, f.lane)).collect();
            if self.fired.len() > SHOWN {
                p.push(format!("+{} more", self.fired.len() - SHOWN));
            }
            parts.push(format!("rules {}", p.join(", ")));
        }
        if !self.warnings.is_empty() {
            let mut p: Vec<String> = self
                .warnings
                .iter()
                .take(SHOWN)
                .map(|w| {
                    let measure = serde_json_name(w.measure);
                    match w.item {
                        Some(item) => format!("{} {measure} item {item}", w.warning_id),
                        None => format!("{} {measure}", w.warning_id),
                    }
                })
                .collect();
            if self.warnings.len() > SHOWN {
                p.push(format!("+{} more", self.warnings.len() - SHOWN));
            }
            parts.push(format!("warnings {}", p.join(", ")));
        }
        if let Some(d) = &self.random {
            let text = match d.lane {
                Lane::Red => format!("random {:.4} < red rate {:.4}", d.value, d.red_rate),
                Lane::Yellow => format!("random {:.4} < red {:.4} + yellow {:.4}", d.value, d.red_rate, d.yellow_rate),
                _ => format!("random {:.4} >= red {:.4} + yellow {:.4}", d.value, d.red_rate, d.yellow_rate),
            };
            parts.push(text);
        }
        if !parts.is_empty() {
            s.push_str(": ");
            s.push_str(&parts.join("; "));
        }
        truncate_chars(s, EXPLAIN_MAX_CHARS)
    }
}

/// The serde (snake_case) name of a measure.
pub(crate) fn serde_json_name(m: Measure) -> &'static str {
    match m {
        Measure::HoldForInspection => "hold_for_inspection",
        Measure::FullInspection => "full_inspection",
        Measure::RefuseEntry => "refuse_entry",
    }
}

fn truncate_chars(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision() -> Decision {
        Decision {
            lane: Lane::Red,
            refused: false,
            fired: vec![Fired { rule_id: "R-1".into(), lane: Lane::Red, reason: "x".into() }],
            warnings: vec![WarningHit {
                warning_id: "W-1".into(),
                measure: Measure::HoldForInspection,
                severity: Severity::High,
                item: Some(2),
                reason: "y".into(),
            }],
            random: None,
            rules_version: "v1".into(),
            seed: 7,
        }
    }

    #[test]
    fn explain_names_rules_and_warnings() {
        assert_eq!(
            decision().explain(),
            "red (rules v1, seed 7): rules R-1 red; warnings W-1 hold_for_inspection item 2"
        );
    }

    #[test]
    fn explain_is_bounded() {
        let mut d = decision();
        d.rules_version = "v".repeat(1000);
        let text = d.explain();
        assert_eq!(text.chars().count(), EXPLAIN_MAX_CHARS);
        assert!(text.ends_with('…'));
        let mut d = decision();
        d.fired =
            (0..50).map(|i| Fired { rule_id: format!("R-{i}"), lane: Lane::Yellow, reason: String::new() }).collect();
        let text = d.explain();
        assert!(text.contains("+44 more"), "{text}");
        assert!(text.chars().count() <= EXPLAIN_MAX_CHARS);
    }

    #[test]
    fn decision_round_trips_through_json() {
        let d = decision();
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains("\"lane\":\"red\""), "{json}");
        assert!(json.contains("\"measure\":\"hold_for_inspection\""), "{json}");
        assert_eq!(serde_json::from_str::<Decision>(&json).unwrap(), d);
    }
}
