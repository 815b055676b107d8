//! The compiled rule set and the evaluation of one list.

use std::collections::HashMap;
use std::fmt::Write as _;

use cbec_model::filing::CreditRating;
use rust_decimal::Decimal;

use crate::active::{Warnings, measure_lane};
use crate::decision::{Decision, Draw, Fired};
use crate::draw::{SELECTION_STREAM, draw};
use crate::rules::{Conditions, Lane, Route, Rule, RuleSet};
use crate::subject::Subject;
use crate::view::{FastMap, HsIndex, ItemView, View, Words};
use crate::warning::Measure;

/// What a rule needs beyond its conditions: the ids of its words in the
/// engine's word sets.
#[derive(Debug, Clone)]
struct Compiled {
    name_words: Vec<u32>,
    brand_words: Vec<u32>,
    item_level: bool,
}

/// Rules by their most selective condition, so an evaluation looks only at
/// the rules that can fire.
#[derive(Debug, Clone, Default)]
struct Index {
    by_hs: HsIndex,
    by_enterprise: FastMap<String, Vec<u32>>,
    by_name_word: FastMap<u32, Vec<u32>>,
    by_brand_word: FastMap<u32, Vec<u32>>,
    by_origin: FastMap<String, Vec<u32>>,
    by_customs: FastMap<String, Vec<u32>>,
    by_port: FastMap<String, Vec<u32>>,
    by_seller_credit: FastMap<CreditRating, Vec<u32>>,
    by_trade_mode: FastMap<String, Vec<u32>>,
    /// Rules with none of the above.
    always: Vec<u32>,
}

/// A rule set compiled for evaluation.
#[derive(Debug, Clone)]
pub struct Engine {
    rules: RuleSet,
    compiled: Vec<Compiled>,
    names: Words,
    brands: Words,
    index: Index,
}

fn word_ids(words: &[String], ids: &mut HashMap<String, u32>, all: &mut Vec<String>) -> Vec<u32> {
    let mut out: Vec<u32> = words
        .iter()
        .map(|w| {
            let w = w.to_lowercase();
            *ids.entry(w.clone()).or_insert_with(|| {
                all.push(w);
                (all.len() - 1) as u32
            })
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl Engine {
    /// Compiles and indexes the rules.
    pub fn new(rules: RuleSet) -> Engine {
        let (mut name_ids, mut names) = (HashMap::new(), Vec::new());
        let (mut brand_ids, mut brands) = (HashMap::new(), Vec::new());
        let mut index = Index::default();
        let mut compiled = Vec::with_capacity(rules.rules.len());
        for (i, rule) in rules.rules.iter().enumerate() {
            let i = i as u32;
            let w = &rule.when;
            let c = Compiled {
                name_words: word_ids(&w.name_keyword, &mut name_ids, &mut names),
                brand_words: word_ids(&w.brand, &mut brand_ids, &mut brands),
                item_level: w.has_item_conditions(),
            };
            let push = |map: &mut FastMap<String, Vec<u32>>, keys: &[String], upper: bool| {
                for k in keys {
                    let k = if upper { k.to_ascii_uppercase() } else { k.clone() };
                    let list = map.entry(k).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            };
            let by_word = |map: &mut FastMap<u32, Vec<u32>>, ids: &[u32]| {
                for id in ids {
                    map.entry(*id).or_default().push(i);
                }
            };
            // The most selective condition first.
            if !w.hs_prefix.is_empty() {
                // Validation guarantees two leading digits; should a prefix
                // lack them, the rule is checked for every list.
                let mut filed = true;
                for p in &w.hs_prefix {
                    filed &= index.by_hs.insert(p, i);
                }
                if !filed {
                    index.always.push(i);
                }
            } else if !w.enterprise.is_empty() {
                push(&mut index.by_enterprise, &w.enterprise, true);
            } else if !c.name_words.is_empty() {
                by_word(&mut index.by_name_word, &c.name_words);
            } else if !c.brand_words.is_empty() {
                by_word(&mut index.by_brand_word, &c.brand_words);
            } else if !w.origin_country.is_empty() {
                push(&mut index.by_origin, &w.origin_country, false);
            } else if !w.port_code.is_empty() {
                push(&mut index.by_port, &w.port_code, false);
            } else if !w.customs_code.is_empty() {
                push(&mut index.by_customs, &w.customs_code, false);
            } else if !w.seller_credit.is_empty() {
                for c in &w.seller_credit {
                    index.by_seller_credit.entry(*c).or_default().push(i);
                }
            } else if !w.trade_mode.is_empty() {
                push(&mut index.by_trade_mode, &w.trade_mode, false);
            } else {
                index.always.push(i);
            }
            compiled.push(c);
        }
        Engine { rules, compiled, names: Words::new(names, false), brands: Words::new(brands, false), index }
    }

    /// The rule file's version.
    pub fn version(&self) -> &str {
        self.rules.version()
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Decides the lane of a list (see the crate documentation for the
    /// semantics); deterministic in the rules, the warnings, the subject and
    /// the seed.
    pub fn evaluate(&self, subject: &Subject, warnings: &Warnings, seed: u64) -> Decision {
        let view = View::new(subject, &self.names, &self.brands);
        let mut fired = Vec::new();
        for i in self.candidates(&view) {
            let (Some(rule), Some(c)) = (self.rules.rules.get(i as usize), self.compiled.get(i as usize)) else {
                continue;
            };
            let Some(item) = matches(rule, c, &view) else { continue };
            let mut sample = None;
            if rule.rate < 1.0 {
                let u = draw(seed, &subject.key, &rule.id);
                if u >= rule.rate {
                    continue;
                }
                sample = Some(u);
            }
            let mut reason = describe(&rule.when, &view, item);
            if let Some(u) = sample {
                let _ = write!(reason, "; sampled {u:.4} < rate {}", rule.rate);
            }
            fired.push(Fired { rule_id: rule.id.clone(), lane: rule.lane, reason });
        }
        let hits = warnings.hits(&view);

        let mut lane = fired.iter().map(|f| f.lane).chain(hits.iter().map(|h| measure_lane(h.measure))).max();
        let refused = hits.iter().any(|h| h.measure == Measure::RefuseEntry);
        let mut random = None;
        if lane.is_none_or(|l| l == Lane::Green) {
            // Nothing selected the list (or only "trusted" green rules did):
            // the random and credit-driven selection decides.
            let rates = self.rules.rates.selection(view.seller.and_then(|p| p.credit), lane.is_some());
            let value = draw(seed, &subject.key, SELECTION_STREAM);
            let (picked, rate) = if value < rates.red {
                (Lane::Red, rates.red)
            } else if value < rates.red + rates.yellow {
                (Lane::Yellow, rates.yellow)
            } else {
                (Lane::Green, rates.green)
            };
            lane = Some(picked);
            random = Some(Draw { value, rate, lane: picked, red_rate: rates.red, yellow_rate: rates.yellow });
        }
        Decision {
            lane: lane.unwrap_or(Lane::Green),
            refused,
            fired,
            warnings: hits,
            random,
            rules_version: self.rules.version.clone(),
            seed,
        }
    }

    /// The ids of the rules whose conditions hold, checking every rule
    /// (the index's reference).
    #[cfg(test)]
    pub(crate) fn matching_unindexed(&self, subject: &Subject) -> Vec<String> {
        let view = View::new(subject, &self.names, &self.brands);
        self.rules
            .rules
            .iter()
            .zip(&self.compiled)
            .filter(|(rule, c)| matches(rule, c, &view).is_some())
            .map(|(rule, _)| rule.id.clone())
            .collect()
    }

    /// The ids of the rules whose conditions hold, through the index.
    #[cfg(test)]
    pub(crate) fn matching_indexed(&self, subject: &Subject) -> Vec<String> {
        let view = View::new(subject, &self.names, &self.brands);
        self.candidates(&view)
            .into_iter()
            .filter_map(|i| {
                let (rule, c) = (self.rules.rules.get(i as usize)?, self.compiled.get(i as usize)?);
                matches(rule, c, &view).map(|_| rule.id.clone())
            })
            .collect()
    }

    /// The rules that may fire, in file order, each once.
    fn candidates(&self, view: &View<'_>) -> Vec<u32> {
        let ix = &self.index;
        let mut marks = vec![0u64; self.compiled.len().div_ceil(64)];
        let mut mark = |list: &[u32]| {
            for &i in list {
                if let Some(word) = marks.get_mut(i as usize / 64) {
                    *word |= 1 << (i % 64);
                }
            }
        };
        mark(&ix.always);
        for iv in &view.items {
            ix.by_hs.lookup(iv, &mut mark);
            for w in &iv.name_words {
                if let Some(list) = ix.by_name_word.get(w) {
                    mark(list);
                }
            }
            for w in &iv.brand_words {
                if let Some(list) = ix.by_brand_word.get(w) {
                    mark(list);
                }
            }
            if let Some(list) = ix.by_origin.get(iv.origin) {
                mark(list);
            }
        }
        for code in &view.party_codes {
            if let Some(list) = ix.by_enterprise.get(code.as_ref()) {
                mark(list);
            }
        }
        if let Some(list) = view.seller.and_then(|p| p.credit).and_then(|c| ix.by_seller_credit.get(&c)) {
            mark(list);
        }
        for (map, key) in
            [(&ix.by_port, view.port_code), (&ix.by_customs, view.customs_code), (&ix.by_trade_mode, view.trade_mode)]
        {
            if let Some(list) = map.get(key) {
                mark(list);
            }
        }
        let mut out = Vec::new();
        for (w, &bits) in marks.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                out.push(w as u32 * 64 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        out
    }
}

fn any_eq(values: &[String], x: &str) -> bool {
    values.iter().any(|v| v == x)
}

fn above(threshold: Option<Decimal>, x: Option<Decimal>) -> bool {
    threshold.is_none_or(|t| x.is_some_and(|x| x > t))
}

fn below(threshold: Option<Decimal>, x: Option<Decimal>) -> bool {
    threshold.is_none_or(|t| x.is_some_and(|x| x < t))
}

/// Whether the list-level conditions hold.
fn list_holds(w: &Conditions, view: &View<'_>) -> bool {
    let s = view.subject;
    let seller = view.seller;
    w.direction.is_none_or(|d| d == s.direction)
        && (w.trade_mode.is_empty() || any_eq(&w.trade_mode, view.trade_mode))
        && (w.customs_code.is_empty() || any_eq(&w.customs_code, view.customs_code))
        && (w.port_code.is_empty() || any_eq(&w.port_code, view.port_code))
        && (w.traf_mode.is_empty() || any_eq(&w.traf_mode, view.traf_mode))
        && (w.country.is_empty() || any_eq(&w.country, view.country))
        && w.route.is_none_or(|r| view.same_district() == Some(r == Route::SamePort))
        && above(w.total_value_above, Some(s.total_value))
        && below(w.total_value_below, Some(s.total_value))
        && (w.buyer_id.is_empty() || w.buyer_id.iter().any(|b| b.eq_ignore_ascii_case(s.buyer_id.trim())))
        && (w.consignee_keyword.is_empty() || {
            let address = s.consignee_address.to_lowercase();
            w.consignee_keyword.iter().any(|k| address.contains(k.as_str()))
        })
        && (w.enterprise.is_empty()
            || view.party_codes.iter().any(|c| w.enterprise.iter().any(|e| e.as_str() == c.as_ref())))
        && (w.enterprise_type.is_empty()
            || s.parties.iter().any(|p| p.types.iter().any(|t| w.enterprise_type.iter().any(|e| e == t.trim()))))
        && (w.seller_credit.is_empty() || seller.and_then(|p| p.credit).is_some_and(|c| w.seller_credit.contains(&c)))
        && w.filed_days_below.is_none_or(|n| seller.and_then(|p| p.filed_days).is_some_and(|d| d < n))
        && w.violations_at_least.is_none_or(|n| seller.is_some_and(|p| p.violations >= n))
}

/// Whether the item-level conditions hold on one item.
fn item_holds(w: &Conditions, c: &Compiled, iv: &ItemView<'_>) -> bool {
    let item = iv.item;
    (w.hs_prefix.is_empty() || w.hs_prefix.iter().any(|p| iv.hs.starts_with(p.as_str())))
        && (w.origin_country.is_empty() || any_eq(&w.origin_country, iv.origin))
        && (c.name_words.is_empty() || c.name_words.iter().any(|id| iv.name_words.binary_search(id).is_ok()))
        && (c.brand_words.is_empty() || c.brand_words.iter().any(|id| iv.brand_words.binary_search(id).is_ok()))
        && above(w.unit_value_above, Some(item.unit_price))
        && below(w.unit_value_below, Some(item.unit_price))
        && above(w.value_per_kg_above, iv.value_per_kg)
        && below(w.value_per_kg_below, iv.value_per_kg)
}

/// `None` if the rule does not match; `Some(None)` if it matches a list
/// without item conditions; `Some(Some(i))` with the first matching item.
fn matches(rule: &Rule, c: &Compiled, view: &View<'_>) -> Option<Option<usize>> {
    if !list_holds(&rule.when, view) {
        return None;
    }
    if !c.item_level {
        return Some(None);
    }
    view.items.iter().position(|iv| item_holds(&rule.when, c, iv)).map(Some)
}

/// A reason being written: parts separated by "; ".
struct Reason(String);

impl Reason {
    /// The string to write the next part to.
    fn part(&mut self) -> &mut String {
        if !self.0.is_empty() {
            self.0.push_str("; ");
        }
        &mut self.0
    }
}

/// What matched, for a rule that fired: the item and its matching values
/// first, then the list's. (Writing into one string: this runs for every
/// fired rule, so it avoids a string per part.)
fn describe(w: &Conditions, view: &View<'_>, item: Option<usize>) -> String {
    let s = view.subject;
    let mut r = Reason(String::with_capacity(64));
    if let Some(iv) = item.and_then(|i| view.items.get(i)) {
        let it = iv.item;
        let _ = write!(r.part(), "item {}", it.gnum);
        if let Some(p) = w.hs_prefix.iter().find(|p| iv.hs.starts_with(p.as_str())) {
            let _ = write!(r.0, " hs {} matches hs_prefix {p}", iv.hs);
        }
        if !w.origin_country.is_empty() {
            let _ = write!(r.part(), "origin {}", iv.origin);
        }
        for (words, text, what) in [(&w.name_keyword, &iv.name, "name"), (&w.brand, &iv.brand, "brand")] {
            if let Some(word) = words.iter().find(|word| text.contains(&word.to_lowercase())) {
                let _ = write!(r.part(), "{what} contains \"{word}\"");
            }
        }
        if let Some(t) = w.unit_value_above {
            let _ = write!(r.part(), "unit value {} > {t}", it.unit_price.normalize());
        }
        if let Some(t) = w.unit_value_below {
            let _ = write!(r.part(), "unit value {} < {t}", it.unit_price.normalize());
        }
        if let Some(v) = iv.value_per_kg {
            let v = v.round_dp(2).normalize();
            if let Some(t) = w.value_per_kg_above {
                let _ = write!(r.part(), "value/kg {v} > {t}");
            }
            if let Some(t) = w.value_per_kg_below {
                let _ = write!(r.part(), "value/kg {v} < {t}");
            }
        }
    }
    if w.direction.is_some() {
        let direction = if s.direction == crate::Direction::Import { "import" } else { "export" };
        let _ = write!(r.part(), "direction {direction}");
    }
    if !w.trade_mode.is_empty() {
        let _ = write!(r.part(), "trade mode {}", view.trade_mode);
    }
    if !w.customs_code.is_empty() {
        let _ = write!(r.part(), "customs {}", view.customs_code);
    }
    if !w.port_code.is_empty() {
        let _ = write!(r.part(), "port {}", view.port_code);
    }
    if let Some(route) = w.route {
        let _ = write!(r.part(), "route {} (customs {} port {})", route.as_str(), view.customs_code, view.port_code);
    }
    if !w.traf_mode.is_empty() {
        let _ = write!(r.part(), "transport {}", view.traf_mode);
    }
    if !w.country.is_empty() {
        let _ = write!(r.part(), "country {}", view.country);
    }
    if let Some(t) = w.total_value_above {
        let _ = write!(r.part(), "total value {} > {t}", s.total_value.normalize());
    }
    if let Some(t) = w.total_value_below {
        let _ = write!(r.part(), "total value {} < {t}", s.total_value.normalize());
    }
    if !w.buyer_id.is_empty() {
        let _ = write!(r.part(), "buyer {}", s.buyer_id.trim());
    }
    if let Some(k) = w.consignee_keyword.iter().find(|k| s.consignee_address.to_lowercase().contains(k.as_str())) {
        let _ = write!(r.part(), "consignee address contains {k:?}");
    }
    if let Some(code) = view.party_codes.iter().find(|c| w.enterprise.iter().any(|e| e.as_str() == c.as_ref())) {
        let _ = write!(r.part(), "enterprise {code}");
    }
    if !w.enterprise_type.is_empty()
        && let Some(p) =
            s.parties.iter().find(|p| p.types.iter().any(|t| w.enterprise_type.iter().any(|e| e == t.trim())))
    {
        let _ = write!(r.part(), "enterprise type {} ({})", w.enterprise_type.join("/"), p.code.trim());
    }
    if let Some(p) = view.seller {
        let code = p.code.trim();
        if let (false, Some(c)) = (w.seller_credit.is_empty(), p.credit) {
            let _ = write!(r.part(), "seller {code} credit {}", c.as_str());
        }
        if let (Some(n), Some(d)) = (w.filed_days_below, p.filed_days) {
            let _ = write!(r.part(), "seller {code} filed {d} days ago < {n}");
        }
        if let Some(n) = w.violations_at_least {
            let _ = write!(r.part(), "seller {code} violations {} >= {n}", p.violations);
        }
    }
    r.0
}
