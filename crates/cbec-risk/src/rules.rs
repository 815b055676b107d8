//! The rule file as typed values: lanes, rates and rules with their
//! conditions. Built only by [`RuleSet::parse`] (in `parse.rs`), so every
//! value here has passed validation.

use std::fmt;

use cbec_model::filing::CreditRating;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::subject::Direction;

/// Where a list goes, ordered by severity: green < yellow < red < hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lane {
    /// Release.
    Green,
    /// Document review.
    Yellow,
    /// Physical inspection.
    Red,
    /// Hold (the list is stopped; with a refusing warning, refused).
    Hold,
}

impl Lane {
    pub const ALL: [Lane; 4] = [Lane::Green, Lane::Yellow, Lane::Red, Lane::Hold];

    /// The name used in rule files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Green => "green",
            Lane::Yellow => "yellow",
            Lane::Red => "red",
            Lane::Hold => "hold",
        }
    }

    /// The lane of a name (exact, lower case).
    pub fn parse(s: &str) -> Option<Lane> {
        Lane::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

impl fmt::Display for Lane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declaring customs against the entry/exit port, by customs district (the
/// first two digits of the 4-digit customs code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Declared in the district of the port.
    SamePort,
    /// Declared in another district than the port's (transit declaration).
    OtherPort,
}

impl Route {
    pub fn as_str(self) -> &'static str {
        match self {
            Route::SamePort => "same_port",
            Route::OtherPort => "other_port",
        }
    }
}

/// The random selection rates (`[rates]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rates {
    /// Random physical inspection (red) of lists nothing else selected; the
    /// floor of every credit-driven rate.
    pub minimum_random_inspection: f64,
    /// Random document review (yellow) of lists nothing else selected.
    pub yellow: f64,
    /// Random red rate by the seller's credit rating; `None` = the minimum.
    pub credit: CreditRates,
}

/// `[rates.credit]`: the random red rate by the credit rating of the list's
/// e-commerce enterprise (`ebc` party).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreditRates {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advanced: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub general_certified: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub general: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dishonest: Option<f64>,
}

impl CreditRates {
    /// The configured rate of a rating (before the floor).
    pub fn of(&self, credit: CreditRating) -> Option<f64> {
        match credit {
            CreditRating::Advanced => self.advanced,
            CreditRating::GeneralCertified => self.general_certified,
            CreditRating::General => self.general,
            CreditRating::Dishonest => self.dishonest,
        }
    }
}

/// The expected share of lists per lane from random selection alone (lists
/// no rule and no warning selected).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ExpectedRates {
    pub red: f64,
    pub yellow: f64,
    pub green: f64,
}

impl Rates {
    /// The random red rate of a seller credit rating: its configured rate,
    /// never below `minimum_random_inspection`; the minimum when the rating
    /// is unknown or has no rate.
    pub fn red_rate(&self, credit: Option<CreditRating>) -> f64 {
        let configured = credit.and_then(|c| self.credit.of(c)).unwrap_or(self.minimum_random_inspection);
        configured.max(self.minimum_random_inspection)
    }

    /// Red and yellow rates of the random selection for a seller credit
    /// rating. `trusted` (a green rule fired) leaves only the minimum
    /// random inspection and no random document review.
    pub fn selection(&self, credit: Option<CreditRating>, trusted: bool) -> ExpectedRates {
        let (red, yellow) =
            if trusted { (self.minimum_random_inspection, 0.0) } else { (self.red_rate(credit), self.yellow) };
        // Validation keeps red + yellow <= 1; clamp anyway so the green
        // share is never negative through rounding.
        let yellow = yellow.min(1.0 - red).max(0.0);
        ExpectedRates { red, yellow, green: (1.0 - red - yellow).max(0.0) }
    }
}

/// One rule of the file (`[[rule]]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub id: String,
    pub description: String,
    /// The lane the rule selects when it fires.
    pub lane: Lane,
    /// Probability that the rule fires when its conditions hold (a sampling
    /// rule when below 1), decided by the seeded draw of the list in the
    /// rule's own stream.
    pub rate: f64,
    pub when: Conditions,
    /// The line of its `[[rule]]` header in the file.
    pub line: usize,
}

/// `[rule.when]`: every condition given must hold; a list of values is
/// "any of". Item conditions (`hs_prefix`, `name_keyword`, `brand`,
/// `origin_country`, `unit_value_*`, `value_per_kg_*`) must all hold on the
/// same item.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Conditions {
    // The list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// 4-digit trade modes (`9610`, `1210`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trade_mode: Vec<String>,
    /// 4-digit customs of declaration.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub customs_code: Vec<String>,
    /// 4-digit entry/exit port customs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub port_code: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<Route>,
    /// Transport modes (`trafMode`, one character).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub traf_mode: Vec<String>,
    /// 3-digit head country (origin on import, destination on export).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub country: Vec<String>,
    /// The list's total value is above (strictly).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_value_above: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_value_below: Option<Decimal>,

    // The three orders.
    /// The buyer's ID number is one of these (upper-cased), e.g. identities
    /// found misused.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buyer_id: Vec<String>,
    /// Words in the consignee's address on the waybill (case-insensitive
    /// substring, lower-cased), e.g. a known consolidation address.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consignee_keyword: Vec<String>,

    // The enterprises.
    /// Any party's code (upper-cased; codes compare ignoring ASCII case).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enterprise: Vec<String>,
    /// Any party has one of these filed enterprise types.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enterprise_type: Vec<String>,
    /// The seller's (`ebc` party's) credit rating.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub seller_credit: Vec<CreditRating>,
    /// The seller's filing is younger than this many days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filed_days_below: Option<i64>,
    /// The seller has at least this many violations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violations_at_least: Option<u32>,

    // One item.
    /// HS code prefixes, 2 to 10 digits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hs_prefix: Vec<String>,
    /// Words in the goods name (case-insensitive substring).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub name_keyword: Vec<String>,
    /// Words in the brand/model (case-insensitive substring).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub brand: Vec<String>,
    /// 3-digit origin country of the item.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub origin_country: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_value_above: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_value_below: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_per_kg_above: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_per_kg_below: Option<Decimal>,
}

impl Conditions {
    /// Whether any item-level condition is given.
    pub fn has_item_conditions(&self) -> bool {
        !self.hs_prefix.is_empty()
            || !self.name_keyword.is_empty()
            || !self.brand.is_empty()
            || !self.origin_country.is_empty()
            || self.unit_value_above.is_some()
            || self.unit_value_below.is_some()
            || self.value_per_kg_above.is_some()
            || self.value_per_kg_below.is_some()
    }
}

/// A validated, versioned rule file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleSet {
    pub(crate) version: String,
    pub(crate) rates: Rates,
    pub(crate) rules: Vec<Rule>,
}

impl RuleSet {
    /// The file's `version`, recorded in every decision.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The rules in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rates(&self) -> &Rates {
        &self.rates
    }

    /// The rule of an id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The expected lane shares of random selection for lists of a seller
    /// with this credit rating that no rule or warning selected.
    pub fn expected_rates(&self, credit: Option<CreditRating>) -> ExpectedRates {
        self.rates.selection(credit, false)
    }
}
