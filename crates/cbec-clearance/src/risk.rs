//! Risk control of lists: what the risk engine (`cbec-risk`) sees of an
//! import or export list, the engine and warnings decisions use, and what a
//! lane does to an accepted list.
//!
//! - refused by an active warning (control measure "refuse entry"): the
//!   list is rejected (`goods.refused_by_warning`);
//! - green: released (import, with `auto_release`; export, on arrival);
//! - yellow: manual document review (**300**);
//! - red: inspection (**500**);
//! - hold: detained (**599**) until an officer decides.
//!
//! The decision (lane, rules fired, warnings hit, the random draw, the rule
//! set version and seed) is kept on the list, so it can be explained and
//! reproduced.

use std::sync::Arc;

use cbec_risk::{Decision, Direction, Engine, Item, Lane, RuleSet, Subject, Warnings};
use rust_decimal::Decimal;

use crate::facts::{ExportListFacts, ListFacts};
use crate::status::{Event, Status};

/// The version name of the rule set in force when none is active: no
/// rules, no random selection; active warnings still apply.
pub const NO_RULES: &str = "none";

/// The risk engine and warnings decisions use.
#[derive(Debug, Clone)]
pub struct Risk {
    pub engine: Arc<Engine>,
    pub warnings: Arc<Warnings>,
    /// Fixes the random draws: with the list's id it reproduces a decision.
    pub seed: u64,
}

impl Risk {
    /// No rule set and no warnings.
    pub fn none() -> Risk {
        Risk { engine: Arc::new(no_rules()), warnings: Arc::new(Warnings::none()), seed: 0 }
    }

    pub fn evaluate(&self, subject: &Subject) -> Decision {
        self.engine.evaluate(subject, &self.warnings, self.seed)
    }
}

/// An engine with no rules and no random selection.
pub fn no_rules() -> Engine {
    let text = format!("version = \"{NO_RULES}\"\n[rates]\nminimum_random_inspection = 0.0\nyellow = 0.0\n");
    match RuleSet::parse(&text) {
        Ok(rules) => Engine::new(rules),
        // The text above is fixed and valid (a unit test reads it).
        Err(e) => unreachable!("the empty rule set does not parse: {e}"),
    }
}

/// What the engine sees of an import list (`key`: its document id).
pub fn import_subject(key: &str, l: &ListFacts) -> Subject {
    Subject {
        key: key.to_string(),
        direction: Direction::Import,
        trade_mode: l.trade_mode.clone(),
        customs_code: l.customs_code.clone(),
        port_code: l.port_code.clone(),
        country: l.country.clone(),
        traf_mode: l.traf_mode.clone(),
        total_value: l.items.iter().map(|i| i.total_price).sum(),
        net_weight: (l.net_weight > Decimal::ZERO).then_some(l.net_weight),
        parties: l.parties.clone(),
        items: l
            .items
            .iter()
            .map(|i| Item {
                gnum: i.gnum,
                hs_code: i.gcode.clone(),
                name: i.gname.clone(),
                brand: i.gmodel.clone(),
                origin_country: if i.country.is_empty() { l.country.clone() } else { i.country.clone() },
                qty: i.qty,
                unit: i.unit.clone(),
                unit_price: i.price,
                total_price: i.total_price,
            })
            .collect(),
        buyer_id: l.buyer_id_number.clone(),
        consignee_address: String::new(),
    }
}

/// What the engine sees of an export list (`key`: its document id). Export
/// goods are of Chinese origin; the head country is the destination.
pub fn export_subject(key: &str, l: &ExportListFacts) -> Subject {
    Subject {
        key: key.to_string(),
        direction: Direction::Export,
        trade_mode: l.trade_mode.clone(),
        customs_code: l.customs_code.clone(),
        port_code: l.port_code.clone(),
        country: l.country.clone(),
        traf_mode: l.traf_mode.clone(),
        total_value: l.items.iter().map(|i| i.total_price).sum(),
        net_weight: (l.net_weight > Decimal::ZERO).then_some(l.net_weight),
        parties: l.parties.clone(),
        items: l
            .items
            .iter()
            .map(|i| Item {
                gnum: i.gnum,
                hs_code: i.gcode.clone(),
                name: i.gname.clone(),
                brand: String::new(),
                origin_country: "142".into(),
                qty: i.qty,
                unit: i.unit.clone(),
                unit_price: i.price,
                total_price: i.total_price,
            })
            .collect(),
        buyer_id: String::new(),
        consignee_address: String::new(),
    }
}

/// The status change a lane asks of an accepted list, with its reason;
/// `None` for green (release follows the usual rule). The reason goes into
/// the enterprise's receipt, so it names the outcome and not the selection
/// criteria: the rules, warnings, draw and seed stay in the list's `risk`
/// decision, which only officers see.
pub fn lane_move(d: &Decision) -> Option<(Event, Status, String)> {
    match d.lane {
        Lane::Green => None,
        Lane::Yellow => {
            Some((Event::Review, Status::ManualReview, "人工审核: selected by risk control for document review".into()))
        }
        Lane::Red => Some((Event::Inspect, Status::Inspection, "查验: selected by risk control for inspection".into())),
        Lane::Hold => {
            Some((Event::Detain, Status::DetainedOther, "扣留: held by risk control until an officer decides".into()))
        }
    }
}

/// `returnInfo` of a list refused by warnings.
pub fn refusal_info(d: &Decision) -> String {
    let hits: Vec<String> = d
        .warnings
        .iter()
        .filter(|w| w.measure == cbec_risk::Measure::RefuseEntry)
        .map(|w| match w.item {
            Some(item) => format!("[goods.refused_by_warning] item {item}: warning {} ({})", w.warning_id, w.reason),
            None => format!("[goods.refused_by_warning] warning {} ({})", w.warning_id, w.reason),
        })
        .collect();
    format!("goods control ({}): {}; entry refused by active risk warnings", hits.len(), hits.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_rules_every_list_is_green() {
        let (l, ..) = crate::matching::tests::four();
        let d = Risk::none().evaluate(&import_subject("doc-1", &l));
        assert_eq!((d.lane, d.refused, d.rules_version.as_str()), (Lane::Green, false, NO_RULES));
        assert!(lane_move(&d).is_none());
    }

    #[test]
    fn a_refusing_warning_rejects_and_a_holding_one_inspects() {
        let (l, ..) = crate::matching::tests::four();
        let warning = |id: &str, measure| cbec_risk::Warning {
            id: id.into(),
            scope: cbec_risk::Scope { hs_prefix: Some("0402".into()), ..Default::default() },
            severity: cbec_risk::Severity::High,
            measure,
            valid_from: 0,
            valid_until: 10,
        };
        let mut risk = Risk::none();
        risk.warnings = Arc::new(Warnings::new(&[warning("W-1", cbec_risk::Measure::HoldForInspection)], 5));
        let d = risk.evaluate(&import_subject("doc-1", &l));
        assert_eq!(lane_move(&d).map(|m| m.1), Some(Status::Inspection));
        risk.warnings = Arc::new(Warnings::new(&[warning("W-2", cbec_risk::Measure::RefuseEntry)], 5));
        let d = risk.evaluate(&import_subject("doc-1", &l));
        assert!(d.refused);
        assert!(refusal_info(&d).contains("warning W-2"), "{}", refusal_info(&d));
        // Expired: no longer applies.
        risk.warnings = Arc::new(Warnings::new(&[warning("W-2", cbec_risk::Measure::RefuseEntry)], 10));
        assert_eq!(risk.evaluate(&import_subject("doc-1", &l)).lane, Lane::Green);
    }
}
