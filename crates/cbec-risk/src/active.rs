//! The index of the risk warnings valid at one instant.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::decision::WarningHit;
use crate::rules::Lane;
use crate::view::{FastMap, HsIndex, ItemView, View, Words};
use crate::warning::{Measure, Severity, Warning};

/// The lane a warning's measure imposes at least: inspection (red) for a
/// hold or 100 % inspection, hold for a refusal.
pub fn measure_lane(measure: Measure) -> Lane {
    match measure {
        Measure::HoldForInspection | Measure::FullInspection => Lane::Red,
        Measure::RefuseEntry => Lane::Hold,
    }
}

#[derive(Debug, Clone)]
struct Active {
    id: String,
    measure: Measure,
    severity: Severity,
    hs_prefix: Option<String>,
    /// Ids in the product and brand word sets (lower-cased).
    product: Option<u32>,
    brand: Option<u32>,
    /// Upper-cased.
    enterprise: Option<String>,
    origin_country: Option<String>,
}

impl Active {
    fn has_item_scope(&self) -> bool {
        self.hs_prefix.is_some() || self.product.is_some() || self.brand.is_some() || self.origin_country.is_some()
    }

    fn item_matches(&self, iv: &ItemView<'_>, product_words: &[u32], brand_words: &[u32]) -> bool {
        self.hs_prefix.as_deref().is_none_or(|p| iv.hs.starts_with(p))
            && self.product.is_none_or(|p| product_words.binary_search(&p).is_ok())
            && self.brand.is_none_or(|b| brand_words.binary_search(&b).is_ok())
            && self.origin_country.as_deref().is_none_or(|c| iv.origin == c)
    }

    fn item_reason(&self, iv: &ItemView<'_>, products: &Words, brands: &Words) -> String {
        let mut reason = format!("item {}", iv.item.gnum);
        if let Some(p) = &self.hs_prefix {
            let _ = write!(reason, " hs {} matches hs_prefix {p}", iv.hs);
        }
        if let Some(p) = self.product.and_then(|p| products.words.get(p as usize)) {
            let _ = write!(reason, " name contains \"{p}\"");
        }
        if let Some(b) = self.brand.and_then(|b| brands.words.get(b as usize)) {
            let _ = write!(reason, " brand contains \"{b}\"");
        }
        if let Some(c) = &self.origin_country {
            let _ = write!(reason, " origin {c}");
        }
        reason
    }
}

/// What a warning was left out for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedWarning {
    pub warning_id: String,
    pub reason: String,
}

/// The warnings valid at one instant (`valid_from <= now < valid_until`),
/// built once and shared by the evaluations until [`Warnings::next_change`],
/// indexed by HS heading or chapter, product and brand words, enterprise
/// and origin. A warning whose scope gives no field is skipped (it would hit
/// every list) and listed in [`Warnings::skipped`].
#[derive(Debug, Clone, Default)]
pub struct Warnings {
    active: Vec<Active>,
    products: Words,
    brands: Words,
    by_hs: HsIndex,
    by_product: FastMap<u32, Vec<u32>>,
    by_brand: FastMap<u32, Vec<u32>>,
    by_enterprise: FastMap<String, Vec<u32>>,
    by_origin: FastMap<String, Vec<u32>>,
    /// Warnings no index can hold.
    others: Vec<u32>,
    next_change: Option<i64>,
    skipped: Vec<SkippedWarning>,
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The id of a word in a growing word list.
fn word_id(word: Option<&str>, ids: &mut HashMap<String, u32>, words: &mut Vec<String>) -> Option<u32> {
    let word = word?.to_lowercase();
    Some(*ids.entry(word.clone()).or_insert_with(|| {
        words.push(word);
        (words.len() - 1) as u32
    }))
}

impl Warnings {
    /// No warnings.
    pub fn none() -> Warnings {
        Warnings::default()
    }

    pub fn new(warnings: &[Warning], now_ms: i64) -> Warnings {
        let mut w = Warnings::default();
        let (mut product_ids, mut products) = (HashMap::new(), Vec::new());
        let (mut brand_ids, mut brands) = (HashMap::new(), Vec::new());
        for warning in warnings {
            let boundary = if now_ms < warning.valid_from { warning.valid_from } else { warning.valid_until };
            if boundary > now_ms {
                w.next_change = Some(w.next_change.map_or(boundary, |n| n.min(boundary)));
            }
            if !(warning.valid_from <= now_ms && now_ms < warning.valid_until) {
                continue;
            }
            let scope = &warning.scope;
            let active = Active {
                id: warning.id.clone(),
                measure: warning.measure,
                severity: warning.severity,
                hs_prefix: given(&scope.hs_prefix).map(str::to_owned),
                product: word_id(given(&scope.product), &mut product_ids, &mut products),
                brand: word_id(given(&scope.brand), &mut brand_ids, &mut brands),
                enterprise: given(&scope.enterprise).map(str::to_ascii_uppercase),
                origin_country: given(&scope.origin_country).map(str::to_owned),
            };
            if !active.has_item_scope() && active.enterprise.is_none() {
                w.skipped.push(SkippedWarning {
                    warning_id: warning.id.clone(),
                    reason: "empty scope: it would hit every list".to_owned(),
                });
                continue;
            }
            let i = w.active.len() as u32;
            // The most selective field first; every warning has one of them.
            let by_hs = active.hs_prefix.as_deref().is_some_and(|p| w.by_hs.insert(p, i));
            if by_hs {
                // Filed under its HS heading or chapter.
            } else if let Some(p) = active.product {
                w.by_product.entry(p).or_default().push(i);
            } else if let Some(b) = active.brand {
                w.by_brand.entry(b).or_default().push(i);
            } else if let Some(e) = &active.enterprise {
                w.by_enterprise.entry(e.clone()).or_default().push(i);
            } else if let Some(c) = &active.origin_country {
                w.by_origin.entry(c.clone()).or_default().push(i);
            } else {
                // An HS prefix not starting with two digits.
                w.others.push(i);
            }
            w.active.push(active);
        }
        w.products = Words::new(products, true);
        w.brands = Words::new(brands, true);
        w
    }

    /// How many warnings are active (and not skipped).
    pub fn len(&self) -> usize {
        self.active.len()
    }

    pub fn is_empty(&self) -> bool {
        self.active.is_empty()
    }

    /// The first instant after `now_ms` at which a warning becomes valid or
    /// expires: the index stays right until then, so it can be kept and
    /// rebuilt when that passes or the warnings change. `None`: never.
    pub fn next_change(&self) -> Option<i64> {
        self.next_change
    }

    /// Valid warnings left out, with the reason.
    pub fn skipped(&self) -> &[SkippedWarning] {
        &self.skipped
    }

    /// The warnings hitting a list, in the order they were given.
    pub(crate) fn hits(&self, view: &View<'_>) -> Vec<WarningHit> {
        if self.active.is_empty() {
            return Vec::new();
        }
        // Per item, the ids of the product and brand words found.
        let mut words: Vec<(Vec<u32>, Vec<u32>)> = Vec::with_capacity(view.items.len());
        let mut candidates: Vec<u32> = self.others.clone();
        for iv in &view.items {
            let (mut products, mut brands) = (Vec::new(), Vec::new());
            self.products.find(&iv.name, &mut products);
            self.brands.find(&iv.brand, &mut brands);
            self.by_hs.lookup(iv, |list| candidates.extend_from_slice(list));
            for (ids, map) in [(&products, &self.by_product), (&brands, &self.by_brand)] {
                for id in ids {
                    if let Some(list) = map.get(id) {
                        candidates.extend_from_slice(list);
                    }
                }
            }
            if let Some(list) = self.by_origin.get(iv.origin) {
                candidates.extend_from_slice(list);
            }
            words.push((products, brands));
        }
        for code in &view.party_codes {
            if let Some(list) = self.by_enterprise.get(code.as_ref()) {
                candidates.extend_from_slice(list);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut hits = Vec::new();
        for i in candidates {
            let Some(a) = self.active.get(i as usize) else { continue };
            if let Some(e) = &a.enterprise
                && !view.party_codes.iter().any(|c| c.as_ref() == e.as_str())
            {
                continue;
            }
            let (item, mut reason) = if a.has_item_scope() {
                let found = view.items.iter().zip(&words).find(|(iv, (p, b))| a.item_matches(iv, p, b));
                let Some((iv, _)) = found else { continue };
                (Some(iv.item.gnum), a.item_reason(iv, &self.products, &self.brands))
            } else {
                (None, String::new())
            };
            if let Some(e) = &a.enterprise {
                if !reason.is_empty() {
                    reason.push_str("; ");
                }
                let _ = write!(reason, "enterprise {e}");
            }
            hits.push(WarningHit { warning_id: a.id.clone(), measure: a.measure, severity: a.severity, item, reason });
        }
        hits
    }
}
