//! Reading and validating a rule file: the TOML document is parsed into a
//! spanned tree (`toml::de::DeTable`) and walked by hand, so every problem is
//! reported with the line and column of the key or value at fault, and all
//! of them at once.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use cbec_model::filing::{CreditRating, EnterpriseType};
use rust_decimal::Decimal;
use serde::Serialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::rules::{Conditions, CreditRates, Lane, Rates, Route, Rule, RuleSet};
use crate::subject::Direction;

/// One problem of a rule file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, naming the key, and the fix where it helps.
    pub reason: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.reason)
    }
}

/// A refused rule file: every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct RuleFileError {
    pub errors: Vec<RuleError>,
}

impl fmt::Display for RuleFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [one] => write!(f, "rule file refused: {one}"),
            errors => {
                write!(f, "rule file refused ({} errors): ", errors.len())?;
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

type Value<'i> = Spanned<DeValue<'i>>;
type Table<'i> = DeTable<'i>;

const TOP_KEYS: &[&str] = &["version", "rates", "rule"];
const RATES_KEYS: &[&str] = &["minimum_random_inspection", "yellow", "credit"];
const CREDIT_KEYS: &[&str] = &["advanced", "general_certified", "general", "dishonest"];
const RULE_KEYS: &[&str] = &["id", "description", "lane", "rate", "when"];
const WHEN_KEYS: &[&str] = &[
    "direction",
    "trade_mode",
    "customs_code",
    "port_code",
    "route",
    "traf_mode",
    "country",
    "total_value_above",
    "total_value_below",
    "enterprise",
    "enterprise_type",
    "seller_credit",
    "filed_days_below",
    "violations_at_least",
    "buyer_id",
    "consignee_keyword",
    "hs_prefix",
    "name_keyword",
    "brand",
    "origin_country",
    "unit_value_above",
    "unit_value_below",
    "value_per_kg_above",
    "value_per_kg_below",
];

/// Parses and validates a rule file (see the crate documentation).
pub(crate) fn parse(text: &str) -> Result<RuleSet, RuleFileError> {
    let mut c = Checker::new(text);
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let mut reason = format!("TOML syntax: {}", e.message());
            if let Some(s) = text.get(span.clone()).filter(|s| !s.is_empty() && s.len() <= 40 && !s.contains('\n')) {
                reason.push_str(&format!(" at `{s}`"));
            }
            c.error(span, reason);
            return Err(c.finish_err());
        }
    };

    let mut version = None;
    let mut version_seen = false;
    let mut rates = None;
    let mut rates_seen = false;
    let mut rules = Some(Vec::new());
    for (key, value) in root.get_ref().iter() {
        match key.get_ref().as_ref() {
            "version" => {
                version_seen = true;
                version = c.string(value, "version").and_then(|s| {
                    if s.trim().is_empty() {
                        c.error(value.span(), "version is empty (give the file's version, e.g. \"2026.11-1\")");
                        None
                    } else {
                        Some(s.to_owned())
                    }
                });
            }
            "rates" => {
                rates_seen = true;
                rates = c.rates(value);
            }
            "rule" => rules = c.rules(value),
            other => c.unknown_key(key.span(), other, TOP_KEYS, "at the top level"),
        }
    }
    if !version_seen {
        c.error(0..0, "missing key \"version\" (e.g. version = \"2026.11-1\" at the top of the file)");
    }
    if !rates_seen {
        c.error(0..0, "missing table [rates] (give at least minimum_random_inspection)");
    }
    match (version, rates, rules, c.errors.is_empty()) {
        (Some(version), Some(rates), Some(rules), true) => Ok(RuleSet { version, rates, rules }),
        _ => Err(c.finish_err()),
    }
}

struct Checker<'t> {
    text: &'t str,
    /// Byte offsets of the line starts.
    line_starts: Vec<usize>,
    errors: Vec<(usize, RuleError)>,
}

impl<'t> Checker<'t> {
    fn new(text: &'t str) -> Checker<'t> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Checker { text, line_starts, errors: Vec::new() }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).max(1)
    }

    fn error(&mut self, span: Range<usize>, reason: impl Into<String>) {
        let offset = span.start.min(self.text.len());
        let line = self.line_of(offset);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self.text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        self.errors.push((offset, RuleError { line, column, reason: reason.into() }));
    }

    fn finish_err(mut self) -> RuleFileError {
        // Stable sort: errors at one place keep the order they were found in.
        self.errors.sort_by_key(|(offset, _)| *offset);
        RuleFileError { errors: self.errors.into_iter().map(|(_, e)| e).collect() }
    }

    /// The source text of a value, as written (for messages).
    fn source(&self, v: &Value<'_>) -> &'t str {
        self.text.get(v.span()).unwrap_or("").trim()
    }

    fn unknown_key(&mut self, span: Range<usize>, key: &str, known: &[&str], place: &str) {
        let mut reason = format!("unknown key \"{key}\" {place}");
        match suggestion(key, known) {
            Some(s) => reason.push_str(&format!(" (did you mean \"{s}\"?)")),
            None => reason.push_str(&format!(" (known: {})", known.join(", "))),
        }
        self.error(span, reason);
    }

    fn table<'a, 'i>(&mut self, v: &'a Value<'i>, what: &str) -> Option<&'a Table<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.error(v.span(), format!("{what} must be a table, found {}", other.type_str()));
                None
            }
        }
    }

    fn string<'a>(&mut self, v: &'a Value<'_>, key: &str) -> Option<&'a str> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            other => {
                self.error(v.span(), format!("{key} must be a string, found {}", other.type_str()));
                None
            }
        }
    }

    /// A probability in `0..=1`, written as an integer or a float.
    fn rate(&mut self, v: &Value<'_>, key: &str) -> Option<f64> {
        let x = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|i| i as f64),
            DeValue::Float(f) => f64::from_str(f.as_str()).ok(),
            other => {
                self.error(v.span(), format!("{key} must be a number between 0 and 1, found {}", other.type_str()));
                return None;
            }
        };
        match x {
            Some(x) if (0.0..=1.0).contains(&x) => Some(x),
            _ => {
                self.error(v.span(), format!("{key} {} out of range 0..=1", self.source(v)));
                None
            }
        }
    }

    /// A non-negative decimal, written as a string or a number.
    fn decimal(&mut self, v: &Value<'_>, key: &str) -> Option<Decimal> {
        let parsed = match v.get_ref() {
            DeValue::String(s) => parse_decimal(s.trim()),
            DeValue::Integer(i) if i.radix() == 10 => parse_decimal(i.as_str()),
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(Decimal::from),
            DeValue::Float(f) => parse_decimal(f.as_str()),
            other => {
                self.error(
                    v.span(),
                    format!("{key} must be a decimal (a number or a string), found {}", other.type_str()),
                );
                return None;
            }
        };
        match parsed {
            Some(d) if d.is_sign_negative() && !d.is_zero() => {
                self.error(v.span(), format!("{key} {} must not be negative", self.source(v)));
                None
            }
            Some(d) => Some(d.normalize()),
            None => {
                self.error(v.span(), format!("{key} {} is not a decimal number", self.source(v)));
                None
            }
        }
    }

    /// A non-negative integer up to `max`.
    fn count(&mut self, v: &Value<'_>, key: &str, max: i64) -> Option<i64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            other => {
                self.error(v.span(), format!("{key} must be a whole number, found {}", other.type_str()));
                return None;
            }
        };
        match n {
            Some(n) if (0..=max).contains(&n) => Some(n),
            _ => {
                self.error(v.span(), format!("{key} {} out of range 0..={max}", self.source(v)));
                None
            }
        }
    }

    /// A string or an array of strings, each checked by `check` (which
    /// returns the problem with the value); `None` if anything is wrong.
    fn strings(
        &mut self,
        v: &Value<'_>,
        key: &str,
        check: impl Fn(&str) -> Result<String, String>,
    ) -> Option<Vec<String>> {
        let values: Vec<&Value<'_>> = match v.get_ref() {
            DeValue::String(_) => vec![v],
            DeValue::Array(a) if a.is_empty() => {
                self.error(v.span(), format!("{key} is empty (give at least one value or remove the key)"));
                return None;
            }
            DeValue::Array(a) => a.iter().collect(),
            other => {
                self.error(
                    v.span(),
                    format!("{key} must be a string or an array of strings, found {}", other.type_str()),
                );
                return None;
            }
        };
        let mut out = Vec::with_capacity(values.len());
        let mut ok = true;
        for e in values {
            match e.get_ref() {
                DeValue::String(s) => match check(s.as_ref()) {
                    Ok(s) => out.push(s),
                    Err(reason) => {
                        self.error(e.span(), reason);
                        ok = false;
                    }
                },
                other => {
                    self.error(e.span(), format!("{key} must hold strings, found {}", other.type_str()));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    fn rates(&mut self, v: &Value<'_>) -> Option<Rates> {
        let t = self.table(v, "rates")?;
        let mut minimum = None;
        let mut minimum_seen = false;
        let mut yellow = Some(0.0);
        let mut yellow_span = None;
        let mut credit = Some(CreditRates::default());
        let mut credit_spans = Vec::new();
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "minimum_random_inspection" => {
                    minimum_seen = true;
                    minimum = self.rate(value, "rates.minimum_random_inspection");
                }
                "yellow" => {
                    yellow = self.rate(value, "rates.yellow");
                    yellow_span = Some(value.span());
                }
                "credit" => {
                    credit = self.credit_rates(value, &mut credit_spans);
                }
                other => self.unknown_key(key.span(), other, RATES_KEYS, "in [rates]"),
            }
        }
        if !minimum_seen {
            self.error(v.span(), "missing key \"minimum_random_inspection\" in [rates] (e.g. 0.01)");
        }
        let (minimum, yellow, credit) = (minimum?, yellow?, credit?);
        if minimum + yellow > 1.0 {
            let span = yellow_span.unwrap_or(v.span());
            self.error(span, format!("rates.minimum_random_inspection {minimum} plus rates.yellow {yellow} exceed 1"));
            return None;
        }
        let mut ok = true;
        for (rating, span) in credit_spans {
            let red = credit.of(rating).unwrap_or(minimum).max(minimum);
            if red + yellow > 1.0 {
                self.error(span, format!("rates.credit.{rating} {red} plus rates.yellow {yellow} exceed 1"));
                ok = false;
            }
        }
        ok.then_some(Rates { minimum_random_inspection: minimum, yellow, credit })
    }

    fn credit_rates(&mut self, v: &Value<'_>, spans: &mut Vec<(CreditRating, Range<usize>)>) -> Option<CreditRates> {
        let t = self.table(v, "rates.credit")?;
        let mut out = CreditRates::default();
        let mut ok = true;
        for (key, value) in t.iter() {
            let name = key.get_ref().as_ref();
            let Some(rating) = CreditRating::parse(name) else {
                self.error(
                    key.span(),
                    format!("unknown credit rating \"{name}\" in [rates.credit] (use {})", or_list(CREDIT_KEYS)),
                );
                ok = false;
                continue;
            };
            let Some(rate) = self.rate(value, &format!("rates.credit.{name}")) else {
                ok = false;
                continue;
            };
            spans.push((rating, value.span()));
            match rating {
                CreditRating::Advanced => out.advanced = Some(rate),
                CreditRating::GeneralCertified => out.general_certified = Some(rate),
                CreditRating::General => out.general = Some(rate),
                CreditRating::Dishonest => out.dishonest = Some(rate),
            }
        }
        ok.then_some(out)
    }

    fn rules(&mut self, v: &Value<'_>) -> Option<Vec<Rule>> {
        let elements = match v.get_ref() {
            DeValue::Array(a) => a,
            DeValue::Table(_) => {
                self.error(v.span(), "rule must be an array of tables: write [[rule]] (two brackets) for each rule");
                return None;
            }
            other => {
                self.error(v.span(), format!("rule must be an array of tables ([[rule]]), found {}", other.type_str()));
                return None;
            }
        };
        let mut rules = Vec::with_capacity(elements.len());
        let mut ok = true;
        let mut first_line: HashMap<String, usize> = HashMap::new();
        for e in elements.iter() {
            let DeValue::Table(t) = e.get_ref() else {
                self.error(e.span(), format!("each rule must be a table ([[rule]]), found {}", e.get_ref().type_str()));
                ok = false;
                continue;
            };
            let line = self.line_of(e.span().start);
            // Duplicate ids are checked even when the rule has other errors.
            if let Some(id) = t.get("id")
                && let DeValue::String(s) = id.get_ref()
            {
                if let Some(first) = first_line.get(s.as_ref()) {
                    self.error(id.span(), format!("duplicate rule id \"{s}\" (first at line {first})"));
                    ok = false;
                } else {
                    first_line.insert(s.to_string(), line);
                }
            }
            match self.rule(t, e.span(), line) {
                Some(rule) => rules.push(rule),
                None => ok = false,
            }
        }
        ok.then_some(rules)
    }

    fn rule(&mut self, t: &Table<'_>, span: Range<usize>, line: usize) -> Option<Rule> {
        let errors_before = self.errors.len();
        let (mut id, mut description, mut lane, mut rate, mut when) = (None, None, None, Some(1.0), None);
        let mut seen = [false; 4];
        for (key, value) in t.iter() {
            match key.get_ref().as_ref() {
                "id" => {
                    seen[0] = true;
                    id = self.string(value, "id").and_then(|s| match check_rule_id(s) {
                        Ok(()) => Some(s.to_owned()),
                        Err(reason) => {
                            self.error(value.span(), reason);
                            None
                        }
                    });
                }
                "description" => {
                    seen[1] = true;
                    description = self.string(value, "description").and_then(|s| {
                        if s.trim().is_empty() {
                            self.error(value.span(), "description is empty (say what the rule targets)");
                            None
                        } else {
                            Some(s.trim().to_owned())
                        }
                    });
                }
                "lane" => {
                    seen[2] = true;
                    lane = self.string(value, "lane").and_then(|s| match Lane::parse(s) {
                        Some(l) => Some(l),
                        None => {
                            self.error(value.span(), format!("unknown lane \"{s}\" (use green, yellow, red or hold)"));
                            None
                        }
                    });
                }
                "rate" => rate = self.rate(value, "rate"),
                "when" => {
                    seen[3] = true;
                    when = self.table(value, "when").and_then(|w| self.conditions(w, value.span()));
                }
                other => self.unknown_key(key.span(), other, RULE_KEYS, "in [[rule]]"),
            }
        }
        for (seen, what) in seen.iter().zip([
            "missing key \"id\" in [[rule]] (e.g. id = \"R-0001\")",
            "missing key \"description\" in [[rule]]",
            "missing key \"lane\" in [[rule]] (green, yellow, red or hold)",
            "missing table [rule.when] (at least one condition)",
        ]) {
            if !seen {
                self.error(span.clone(), what);
            }
        }
        if self.errors.len() != errors_before {
            return None;
        }
        Some(Rule { id: id?, description: description?, lane: lane?, rate: rate?, when: when?, line })
    }

    fn conditions(&mut self, t: &Table<'_>, span: Range<usize>) -> Option<Conditions> {
        if t.is_empty() {
            self.error(span, "[rule.when] is empty (give at least one condition)");
            return None;
        }
        let errors_before = self.errors.len();
        let mut w = Conditions::default();
        let mut spans: HashMap<&str, Range<usize>> = HashMap::new();
        for (key, value) in t.iter() {
            let k = key.get_ref().as_ref();
            if let Some(known) = WHEN_KEYS.iter().find(|&&w| w == k) {
                spans.insert(*known, value.span());
            }
            match k {
                "direction" => {
                    w.direction = self.string(value, k).and_then(|s| match s {
                        "import" => Some(Direction::Import),
                        "export" => Some(Direction::Export),
                        _ => {
                            self.error(value.span(), format!("unknown direction \"{s}\" (use import or export)"));
                            None
                        }
                    })
                }
                "route" => {
                    w.route = self.string(value, k).and_then(|s| match s {
                        "same_port" => Some(Route::SamePort),
                        "other_port" => Some(Route::OtherPort),
                        _ => {
                            self.error(value.span(), format!("unknown route \"{s}\" (use same_port or other_port)"));
                            None
                        }
                    })
                }
                "trade_mode" => w.trade_mode = self.strings(value, k, |s| digits(k, s, 4, 4)).unwrap_or_default(),
                "customs_code" => w.customs_code = self.strings(value, k, |s| digits(k, s, 4, 4)).unwrap_or_default(),
                "port_code" => w.port_code = self.strings(value, k, |s| digits(k, s, 4, 4)).unwrap_or_default(),
                "country" => w.country = self.strings(value, k, |s| digits(k, s, 3, 3)).unwrap_or_default(),
                "origin_country" => {
                    w.origin_country = self.strings(value, k, |s| digits(k, s, 3, 3)).unwrap_or_default()
                }
                "hs_prefix" => w.hs_prefix = self.strings(value, k, |s| digits(k, s, 2, 10)).unwrap_or_default(),
                "buyer_id" => {
                    w.buyer_id = self
                        .strings(value, k, |s| {
                            let s = s.trim();
                            if (6..=30).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
                                Ok(s.to_ascii_uppercase())
                            } else {
                                Err(format!("buyer_id \"{s}\" must be an ID number (6 to 30 letters or digits)"))
                            }
                        })
                        .unwrap_or_default()
                }
                "consignee_keyword" => {
                    w.consignee_keyword = self
                        .strings(value, k, |s| {
                            let s = s.trim();
                            if s.is_empty() {
                                Err("consignee_keyword must not be empty".to_owned())
                            } else {
                                Ok(s.to_lowercase())
                            }
                        })
                        .unwrap_or_default()
                }
                "traf_mode" => {
                    w.traf_mode = self
                        .strings(value, k, |s| {
                            if s.len() == 1 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
                                Ok(s.to_owned())
                            } else {
                                Err(format!("traf_mode \"{s}\" must be one letter or digit"))
                            }
                        })
                        .unwrap_or_default()
                }
                "enterprise" => w.enterprise = self
                    .strings(value, k, |s| {
                        let s = s.trim();
                        if matches!(s.len(), 10 | 18) && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
                            Ok(s.to_ascii_uppercase())
                        } else {
                            Err(format!(
                                "enterprise \"{s}\" must be a 10-character customs code or an 18-character credit code"
                            ))
                        }
                    })
                    .unwrap_or_default(),
                "enterprise_type" => {
                    w.enterprise_type = self
                        .strings(value, k, |s| match EnterpriseType::parse(s) {
                            Some(t) => Ok(t.as_str().to_owned()),
                            None => {
                                let names: Vec<&str> = EnterpriseType::ALL.iter().map(|t| t.as_str()).collect();
                                Err(format!("unknown enterprise_type \"{s}\" (use {})", or_list(&names)))
                            }
                        })
                        .unwrap_or_default()
                }
                "seller_credit" => {
                    w.seller_credit = self
                        .strings(value, k, |s| match CreditRating::parse(s) {
                            Some(c) => Ok(c.as_str().to_owned()),
                            None => Err(format!("unknown seller_credit \"{s}\" (use {})", or_list(CREDIT_KEYS))),
                        })
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|s| CreditRating::parse(s))
                        .collect()
                }
                "name_keyword" | "brand" => {
                    let words = self
                        .strings(value, k, |s| {
                            if s.trim().is_empty() {
                                Err(format!("{k} holds an empty word"))
                            } else {
                                Ok(s.trim().to_owned())
                            }
                        })
                        .unwrap_or_default();
                    if k == "brand" {
                        w.brand = words;
                    } else {
                        w.name_keyword = words;
                    }
                }
                "filed_days_below" => w.filed_days_below = self.count(value, k, 100_000),
                "violations_at_least" => {
                    w.violations_at_least =
                        self.count(value, k, i64::from(u32::MAX)).and_then(|n| u32::try_from(n).ok())
                }
                "total_value_above" => w.total_value_above = self.decimal(value, k),
                "total_value_below" => w.total_value_below = self.decimal(value, k),
                "unit_value_above" => w.unit_value_above = self.decimal(value, k),
                "unit_value_below" => w.unit_value_below = self.decimal(value, k),
                "value_per_kg_above" => w.value_per_kg_above = self.decimal(value, k),
                "value_per_kg_below" => w.value_per_kg_below = self.decimal(value, k),
                other => self.unknown_key(key.span(), other, WHEN_KEYS, "in [rule.when]"),
            }
        }
        for (above, below, a, b) in [
            (w.total_value_above, w.total_value_below, "total_value_above", "total_value_below"),
            (w.unit_value_above, w.unit_value_below, "unit_value_above", "unit_value_below"),
            (w.value_per_kg_above, w.value_per_kg_below, "value_per_kg_above", "value_per_kg_below"),
        ] {
            if let (Some(above), Some(below)) = (above, below)
                && above >= below
            {
                let span = spans.get(b).cloned().unwrap_or(span.clone());
                self.error(span, format!("{b} {below} is not above {a} {above}: the rule could never fire"));
            }
        }
        (self.errors.len() == errors_before).then_some(w)
    }
}

fn parse_decimal(s: &str) -> Option<Decimal> {
    if s.contains(['e', 'E']) { Decimal::from_scientific(s).ok() } else { Decimal::from_str(s).ok() }
}

/// `min..=max` ASCII digits.
fn digits(key: &str, s: &str, min: usize, max: usize) -> Result<String, String> {
    if (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else if min == max {
        Err(format!("{key} \"{s}\" must be {min} digits"))
    } else {
        Err(format!("{key} \"{s}\" must be {min} to {max} digits"))
    }
}

fn check_rule_id(s: &str) -> Result<(), String> {
    let ok = (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok { Ok(()) } else { Err(format!("id \"{s}\" must be 1 to 64 letters, digits, '.', '_' or '-'")) }
}

/// "a, b, c or d".
fn or_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The known key closest to an unknown one, if it is a plausible typo.
fn suggestion<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 5))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(cur).min(row[j]) };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_and_suggestion() {
        assert_eq!(edit_distance("hs_prefx", "hs_prefix"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(suggestion("hs_prefx", WHEN_KEYS), Some("hs_prefix"));
        assert_eq!(suggestion("colour", WHEN_KEYS), None);
        assert_eq!(or_list(&["a", "b", "c"]), "a, b or c");
    }
}
