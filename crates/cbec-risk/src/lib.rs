//! The risk engine of clearance (selectivity, in ASYCUDA's words).
//!
//! A [`Subject`] is what the engine sees of one list: its head, its goods,
//! its route and the enterprises behind it. A [`RuleSet`] is a declarative,
//! versioned rule file ([`RuleSet::parse`], refused with a [`RuleFileError`]
//! listing every problem by line and column); an [`Engine`] is a rule set
//! compiled and indexed for evaluation. Active risk [`Warning`]s (from
//! quality and safety monitoring), indexed at one instant by [`Warnings`],
//! apply their control [`Measure`] to every list in their [`Scope`].
//! [`Engine::evaluate`] gives a [`Decision`]: the [`Lane`], the rules that
//! fired, the warnings that hit and the random draw. [`dry_run`] tries a
//! candidate rule set over stored traffic. Everything is pure: the time and
//! the seed are passed in, so a decision can be reproduced.
//!
//! # The rule file
//!
//! ```toml
//! version = "2026.11-1"             # required, recorded in every decision
//! [rates]
//! minimum_random_inspection = 0.01  # required: random red, floor of every credit rate
//! yellow = 0.03                     # random document review (default 0)
//! [rates.credit]                    # random red by the seller's credit; missing = minimum
//! advanced = 0.005                  # below the minimum: the minimum applies
//! general = 0.02
//! dishonest = 0.30
//!
//! [[rule]]
//! id = "R-0001"                     # unique; letters, digits, . _ -
//! description = "Infant formula from Japan"
//! lane = "red"                      # green, yellow, red or hold
//! rate = 1.0                        # optional sampling probability, default 1
//! [rule.when]                       # every key must hold; a list means "any of"
//! hs_prefix = ["1901"]
//! origin_country = "116"
//! ```
//!
//! Conditions of `[rule.when]` (a value may be one string or an array of
//! strings where a list is allowed; decimals may be strings or numbers):
//!
//! - the list: `direction` (`import`/`export`), `trade_mode`,
//!   `customs_code`, `port_code` (4 digits), `route` (`same_port`: the
//!   customs district, the first two digits, of the declaring customs equals
//!   the port's; `other_port`: it differs), `traf_mode` (one character),
//!   `country` (3 digits, the head's origin/destination),
//!   `total_value_above`/`_below`;
//! - the three orders: `buyer_id` (the buyer's ID number is one of these,
//!   e.g. identities found misused), `consignee_keyword` (a word in the
//!   consignee's address on the waybill, without case);
//! - the enterprises: `enterprise` (any party's code, 10 or 18 characters),
//!   `enterprise_type` (any party has the filed type: `ebc`, `agent`, `ebp`,
//!   `pay`, `logistics`, `operator`, `warehouse`), and of the seller (the
//!   first `ebc` party): `seller_credit` (`advanced`, `general_certified`,
//!   `general`, `dishonest`), `filed_days_below`, `violations_at_least`;
//!   a seller condition does not hold when the value is unknown;
//! - one item (all item conditions must hold on the same item):
//!   `hs_prefix` (2 to 10 digits), `name_keyword` and `brand`
//!   (case-insensitive substring of the goods name / `gmodel`),
//!   `origin_country` (3 digits), `unit_value_above`/`_below` (unit price),
//!   `value_per_kg_above`/`_below`. Value per kg of an item is its total
//!   price over its quantity when the unit is `035` (kg), over quantity/1000
//!   when `036` (g); otherwise the list's total value over its net weight
//!   when that is positive; otherwise the condition does not hold.
//!
//! "Above" and "below" are strict. Validation refuses unknown keys (with a
//! suggestion), wrong types, rates outside `0..=1` or whose red plus yellow
//! exceed 1, malformed codes, empty lists, an empty or missing `when`, a
//! `_below` not above its `_above`, and duplicate ids; TOML syntax errors
//! are reported as the parser gives them.
//!
//! # The decision
//!
//! 1. Every rule whose conditions hold fires; a sampling rule (`rate < 1`)
//!    fires only if the list's draw in the rule's stream (its id) is below
//!    its rate. Each fired rule is listed with what matched.
//! 2. Every active warning whose scope holds (item fields on one item, the
//!    enterprise among the parties) applies its measure: hold for inspection
//!    and full inspection put the list at least in red; refuse entry sets
//!    `refused` and the lane `hold`.
//! 3. The lane is the most severe of those. If it is none, or green (a
//!    green rule marks trusted goods), the random selection decides: with
//!    `u` = the list's draw in the empty stream, red if `u < red`, yellow if
//!    `u < red + yellow`, else green, where `red` is the seller's credit rate
//!    floored at `minimum_random_inspection` and `yellow` is `rates.yellow`;
//!    after a green rule only the minimum applies (`red` = minimum, no
//!    yellow). The expected shares are [`RuleSet::expected_rates`].
//!
//! The draws are [`draw()`]: FNV-1a of the key and stream, mixed with the
//! seed by SplitMix64; the exact function is documented there.
//!
//! # Cost
//!
//! [`Engine::new`] indexes the rules by their most selective condition (HS
//! heading or chapter, enterprise, keyword, brand, origin, port, customs,
//! seller credit, trade mode), so an evaluation looks at the few rules that
//! can fire: about 13 µs per list with 1,000 rules and 100 warnings
//! (`docs/BENCHMARKS.md`). Build [`Warnings`] once and keep it until
//! [`Warnings::next_change`] or until the warnings change: building it
//! costs a few evaluations.

// Tests may unwrap; library code may not (workspace lint `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod active;
mod decision;
mod draw;
mod dry_run;
mod engine;
mod parse;
mod rules;
mod subject;
mod view;
mod warning;

pub use active::{SkippedWarning, Warnings, measure_lane};
pub use decision::{Decision, Draw, EXPLAIN_MAX_CHARS, Fired, WarningHit};
pub use draw::{SELECTION_STREAM, draw};
pub use dry_run::{DRY_RUN_EXAMPLES, DryRun, HitExample, LaneChange, LaneCounts, RuleHits, dry_run, map_on_cores};
pub use engine::Engine;
pub use parse::{RuleError, RuleFileError};
pub use rules::{Conditions, CreditRates, ExpectedRates, Lane, Rates, Route, Rule, RuleSet};
pub use subject::{Direction, Item, Party, PartyRole, Subject};
pub use warning::{Measure, Scope, Severity, Warning};

impl RuleSet {
    /// Reads and validates a rule file; every problem found is reported with
    /// its line and column.
    pub fn parse(text: &str) -> Result<RuleSet, RuleFileError> {
        parse::parse(text)
    }
}

// The generator shared with the benchmark names this crate `cbec_risk`.
#[cfg(test)]
extern crate self as cbec_risk;

#[cfg(test)]
mod tests;
