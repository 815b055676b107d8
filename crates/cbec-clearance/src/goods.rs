//! Goods control on lists: the checks every import and export list passes
//! against the reference data in force (tariff, positive list, prohibited
//! and restricted goods catalogue), each finding a [`Diagnostic`] with a
//! stable `goods.*` code naming the item and field; and the per-person
//! annual quantity caps of the positive list, kept in the quota ledger like
//! the value quota.
//!
//! Which version of each table a decision used is recorded on the list
//! ([`Basis`]), so a decision can be explained after a new version is
//! imported.

use std::sync::Arc;

use cbec_model::diag::{Code, Diagnostic};
use cbec_refdata::{Direction, Goods, MatchKind, PositiveList, Prohibited, Tariff};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::facts::{ExportListFacts, ListFacts, ListItem};

/// The version name of the tables shipped in the repository, in force until
/// an official table of the kind is imported.
pub const BUILTIN: &str = "builtin";

/// A reference table with the version it came from.
#[derive(Debug, Clone)]
pub struct Versioned<T> {
    /// The imported version (`cbec refdata list`), or [`BUILTIN`].
    pub version: String,
    pub table: Arc<T>,
}

impl<T> Versioned<T> {
    pub fn new(version: impl Into<String>, table: T) -> Versioned<T> {
        Versioned { version: version.into(), table: Arc::new(table) }
    }
}

/// The goods reference data decisions use.
#[derive(Debug, Clone)]
pub struct Reference {
    pub tariff: Versioned<Tariff>,
    pub positive: Versioned<PositiveList>,
    pub prohibited: Versioned<Prohibited>,
}

impl Reference {
    /// The shipped representative tables.
    pub fn builtin() -> Reference {
        Reference {
            tariff: Versioned::new(BUILTIN, Tariff::representative().clone()),
            positive: Versioned::new(BUILTIN, PositiveList::representative().clone()),
            prohibited: Versioned::new(BUILTIN, Prohibited::representative().clone()),
        }
    }

    /// Puts an imported table in force as `version`.
    pub fn install(&mut self, version: impl Into<String>, table: cbec_refdata::Table) {
        use cbec_refdata::Table;
        match table {
            Table::Tariff(t) => self.tariff = Versioned::new(version, t),
            Table::PositiveList(t) => self.positive = Versioned::new(version, t),
            Table::Prohibited(t) => self.prohibited = Versioned::new(version, t),
        }
    }

    /// Puts the shipped table of `kind` back in force (no version of it is).
    pub fn install_builtin(&mut self, kind: cbec_refdata::Kind) {
        use cbec_refdata::Kind;
        match kind {
            Kind::Tariff => self.tariff = Versioned::new(BUILTIN, Tariff::representative().clone()),
            Kind::PositiveList => self.positive = Versioned::new(BUILTIN, PositiveList::representative().clone()),
            Kind::Prohibited => self.prohibited = Versioned::new(BUILTIN, Prohibited::representative().clone()),
        }
    }

    /// The versions, for the record of a decision.
    pub fn basis(&self) -> Basis {
        Basis {
            tariff: self.tariff.version.clone(),
            positive_list: self.positive.version.clone(),
            prohibited: self.prohibited.version.clone(),
            rules: None,
        }
    }
}

/// The versions of the reference data (and risk rules) a decision used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    pub tariff: String,
    pub positive_list: String,
    pub prohibited: String,
    /// The risk rule set, when the risk engine decided the lane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
}

/// A quantity reserved against a positive-list annual cap: the ledger key
/// ([`qty_key`]), the item and the amount in thousandths of the cap's unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QtyHold {
    pub key: String,
    pub gnum: i32,
    pub milli: i64,
}

/// The `returnStatus` of a goods finding: in a range of cbec's own next to
/// the official list ranges, −6219xx on import lists (CEB621) and −6039xx
/// on export lists (CEB603); see docs/diagnostics.md.
pub fn return_status(code: Code, export: bool) -> i32 {
    let n = match code {
        Code::GoodsHsMalformed => 1,
        Code::GoodsHsUnknown => 2,
        Code::GoodsProhibitedHs => 3,
        Code::GoodsProhibitedKeyword => 4,
        Code::GoodsProhibitedOrigin => 5,
        Code::GoodsNotOnPositiveList => 6,
        Code::GoodsPositiveListExclusion => 7,
        Code::GoodsAnnualQtyCap => 8,
        Code::GoodsCapUnit => 9,
        Code::GoodsRefusedByWarning => 10,
        _ => 99,
    };
    if export { -603_900 - n } else { -621_900 - n }
}

/// `returnInfo` for findings: each with its code, field and explanation.
pub fn findings_info(findings: &[Diagnostic]) -> String {
    let lines: Vec<String> = findings
        .iter()
        .map(|d| match &d.value {
            Some(v) => format!("[{}] {} {v:?}: {}", d.code, d.path, d.message),
            None => format!("[{}] {}: {}", d.code, d.path, d.message),
        })
        .collect();
    format!("goods control ({}): {}", findings.len(), lines.join("; "))
}

fn is_hs_code(code: &str) -> bool {
    code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit())
}

fn item_path(export: bool, index: usize, field: &str) -> String {
    let list = if export { "GoodsList" } else { "InventoryList" };
    format!("{list}[{}]/{field}", index + 1)
}

/// The catalogue entries goods hit, as findings.
fn prohibited_findings(
    out: &mut Vec<Diagnostic>,
    reference: &Reference,
    goods: Goods<'_>,
    way: Direction,
    (export, index): (bool, usize),
) {
    let version = &reference.prohibited.version;
    for e in reference.prohibited.table.hits(goods, way) {
        let (code, field, value, how) = match e.kind {
            MatchKind::HsPrefix => (Code::GoodsProhibitedHs, "gcode", goods.gcode, format!("HS {}", e.value)),
            MatchKind::Keyword => {
                (Code::GoodsProhibitedKeyword, "gname", goods.gname, format!("keyword {:?}", e.value))
            }
            MatchKind::OriginCountry => (
                Code::GoodsProhibitedOrigin,
                "country",
                goods.origin.unwrap_or_default(),
                format!("origin country {}", e.value),
            ),
        };
        let message = format!("{} (catalogue entry {how}, version {version}); the goods may not be declared", e.reason);
        out.push(Diagnostic::new(code, item_path(export, index, field), message).with_value(value));
    }
}

/// The goods findings of an import list: HS codes (10 digits, a line of the
/// tariff), the prohibited goods catalogue (by HS, keyword and origin) and,
/// for retail import, the positive list and its exclusion remarks.
pub fn import_findings(l: &ListFacts, reference: &Reference) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (index, item) in l.items.iter().enumerate() {
        let code = item.gcode.as_str();
        if !is_hs_code(code) {
            out.push(
                Diagnostic::new(
                    Code::GoodsHsMalformed,
                    item_path(false, index, "gcode"),
                    "an HS code is 10 digits: the 8-digit tariff line and its 2-digit supplementary code",
                )
                .with_value(code),
            );
            continue;
        }
        if reference.tariff.table.line(code).is_none() {
            out.push(
                Diagnostic::new(
                    Code::GoodsHsUnknown,
                    item_path(false, index, "gcode"),
                    format!(
                        "not a line of the tariff in force (version {}); declare the goods under their tariff line",
                        reference.tariff.version
                    ),
                )
                .with_value(code),
            );
        }
        let origin = (!item.country.is_empty()).then_some(item.country.as_str());
        let goods = Goods { gcode: code, gname: &item.gname, origin };
        prohibited_findings(&mut out, reference, goods, Direction::Import, (false, index));
        match reference.positive.table.entry(code) {
            None => out.push(
                Diagnostic::new(
                    Code::GoodsNotOnPositiveList,
                    item_path(false, index, "gcode"),
                    format!(
                        "not on the Cross-border E-commerce Retail Import Goods List (version {}): retail import may \
                         carry only goods of the list; such goods enter through general trade",
                        reference.positive.version
                    ),
                )
                .with_value(code),
            ),
            Some(entry) => {
                if let Some(term) = entry.excluded_by(&item.gname) {
                    out.push(
                        Diagnostic::new(
                            Code::GoodsPositiveListExclusion,
                            item_path(false, index, "gname"),
                            format!(
                                "positive-list line {} ({}) excludes {term:?}: remark {:?}",
                                entry.hs_code,
                                entry.name,
                                entry.remark.as_deref().unwrap_or_default()
                            ),
                        )
                        .with_value(&item.gname),
                    );
                }
            }
        }
    }
    out
}

/// The goods findings of an export list: malformed HS codes (a simplified
/// declaration may shorten them, see `export::hs_codes_allowed`) and the
/// prohibited goods catalogue.
pub fn export_findings(l: &ExportListFacts, reference: &Reference) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (index, item) in l.items.iter().enumerate() {
        let code = item.gcode.as_str();
        if code.is_empty() || code.len() > 10 || !code.bytes().all(|b| b.is_ascii_digit()) {
            out.push(
                Diagnostic::new(Code::GoodsHsMalformed, item_path(true, index, "gcode"), "an HS code is 10 digits")
                    .with_value(code),
            );
            continue;
        }
        let goods = Goods { gcode: code, gname: &item.gname, origin: None };
        prohibited_findings(&mut out, reference, goods, Direction::Export, (true, index));
    }
    out
}

/// The ledger key of a buyer's annual quantity of the goods of one
/// positive-list line, in the calendar year of `year`.
pub fn qty_key(buyer_id: &str, line: &str, year: i32) -> String {
    format!("qty|{buyer_id}|{year}|{line}")
}

/// The positive-list lines an item may fall under (8 and 10 digits): the
/// ledger keys a decision reads before it knows which one the list has.
pub fn qty_key_candidates(buyer_id: &str, item: &ListItem, year: i32) -> Vec<String> {
    let code = item.gcode.as_str();
    let mut keys = vec![qty_key(buyer_id, code, year)];
    if let Some(line) = code.get(..8) {
        keys.push(qty_key(buyer_id, line, year));
    }
    keys
}

/// One item's use of an annual cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapUse {
    pub index: usize,
    pub gnum: i32,
    /// The positive-list line whose cap it counts against.
    pub line: String,
    pub milli: i64,
    pub cap_milli: i64,
    pub unit: String,
}

fn to_milli(q: Decimal) -> i64 {
    let m = (q * Decimal::from(1000)).round();
    i64::try_from(m).unwrap_or(i64::MAX)
}

/// What a list's items take of the annual caps of their positive-list
/// lines: the quantity in the cap's unit (`qty` in `unit`, else `qty1` in
/// `unit1`); goods declared in neither unit are findings.
pub fn cap_uses(l: &ListFacts, positive: &PositiveList) -> Result<Vec<CapUse>, Vec<Diagnostic>> {
    let mut uses = Vec::new();
    let mut problems = Vec::new();
    for (index, item) in l.items.iter().enumerate() {
        let Some(entry) = positive.entry(&item.gcode) else { continue };
        let (Some(cap), Some(unit)) = (entry.annual_qty_cap, entry.cap_unit.as_deref()) else { continue };
        let qty = if item.unit == unit {
            item.qty
        } else if item.unit1 == unit {
            item.qty1
        } else {
            problems.push(
                Diagnostic::new(
                    Code::GoodsCapUnit,
                    item_path(false, index, "unit"),
                    format!(
                        "positive-list line {} caps each buyer at {} (unit {unit}) a year; declare qty or qty1 in unit \
                         {unit}",
                        entry.hs_code,
                        cap.normalize()
                    ),
                )
                .with_value(format!("{} / {}", item.unit, item.unit1)),
            );
            continue;
        };
        uses.push(CapUse {
            index,
            gnum: item.gnum,
            line: entry.hs_code.clone(),
            milli: to_milli(qty),
            cap_milli: to_milli(cap),
            unit: unit.to_string(),
        });
    }
    if problems.is_empty() { Ok(uses) } else { Err(problems) }
}

/// The uses that would take the buyer past a cap, given what the buyer has
/// bought this year (`used(key)`, thousandths), as findings.
pub fn cap_findings(l: &ListFacts, uses: &[CapUse], year: i32, used: impl Fn(&str) -> i64) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut lines: Vec<&str> = uses.iter().map(|u| u.line.as_str()).collect();
    lines.sort_unstable();
    lines.dedup();
    for line in lines {
        let mine: Vec<&CapUse> = uses.iter().filter(|u| u.line == line).collect();
        let this: i64 = mine.iter().map(|u| u.milli).sum();
        let before = used(&qty_key(&l.buyer_id_number, line, year));
        let (cap, unit, first) = (mine[0].cap_milli, &mine[0].unit, mine[0].index);
        if before + this > cap {
            let q = |m: i64| Decimal::new(m, 3).normalize();
            out.push(
                Diagnostic::new(
                    Code::GoodsAnnualQtyCap,
                    item_path(false, first, "qty"),
                    format!(
                        "the buyer has bought {} of the {} (unit {unit}) a person may buy in {year} under \
                         positive-list line {line}; this list adds {}",
                        q(before),
                        q(cap),
                        q(this)
                    ),
                )
                .with_value(q(this).to_string()),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(positive: &str, prohibited: &str) -> Reference {
        let pos = PositiveList::from_csv(&format!("hs_code,name,remark,annual_qty_cap,cap_unit\n{positive}")).unwrap();
        let pro = Prohibited::from_csv(&format!("kind,value,direction,reason\n{prohibited}")).unwrap();
        Reference {
            tariff: Versioned::new("t1", Tariff::representative().clone()),
            positive: Versioned::new("p1", pos),
            prohibited: Versioned::new("x1", pro),
        }
    }

    fn list(items: &[(&str, &str, &str, &str, &str)]) -> ListFacts {
        let (mut l, ..) = crate::matching::tests::four();
        l.items = items
            .iter()
            .enumerate()
            .map(|(n, (gcode, gname, country, qty, unit))| {
                let mut i = l.items[0].clone();
                i.gnum = n as i32 + 1;
                (i.gcode, i.gname, i.country) = (gcode.to_string(), gname.to_string(), country.to_string());
                (i.qty, i.unit) = (qty.parse().unwrap(), unit.to_string());
                i
            })
            .collect();
        l
    }

    fn codes(d: &[Diagnostic]) -> Vec<(&str, &str)> {
        d.iter().map(|d| (d.code.as_str(), d.path.as_str())).collect()
    }

    #[test]
    fn each_check_finds_and_names_the_item() {
        let r = reference(
            "19011010,配方奶粉,,,\n21069090,其他食品,不包括药品,,\n",
            "hs_prefix,2939,import,麻醉药品\nkeyword,象牙,both,濒危物种\norigin_country,301,import,疫区\n",
        );
        let l = list(&[
            ("1901101000", "婴儿配方奶粉", "309", "1", "122"),
            ("19011", "奶粉", "309", "1", "122"),
            ("1901101099", "配方奶粉", "309", "1", "122"),
            ("2939110000", "镇痛剂", "309", "1", "007"),
            ("1901101000", "象牙色奶粉", "301", "1", "122"),
            ("2106909090", "处方药品", "502", "1", "142"),
            ("3305100000", "洗发水", "133", "1", "142"),
        ]);
        assert_eq!(
            codes(&import_findings(&l, &r)),
            [
                ("goods.hs_malformed", "InventoryList[2]/gcode"),
                ("goods.hs_unknown", "InventoryList[3]/gcode"),
                ("goods.hs_unknown", "InventoryList[4]/gcode"),
                ("goods.prohibited_hs", "InventoryList[4]/gcode"),
                ("goods.not_on_positive_list", "InventoryList[4]/gcode"),
                ("goods.prohibited_origin", "InventoryList[5]/country"),
                ("goods.prohibited_keyword", "InventoryList[5]/gname"),
                ("goods.positive_list_exclusion", "InventoryList[6]/gname"),
                ("goods.not_on_positive_list", "InventoryList[7]/gcode"),
            ]
        );
        let info = findings_info(&import_findings(&l, &r));
        assert!(info.contains("version p1") && info.contains("excludes \"药品\""), "{info}");
        assert_eq!(return_status(Code::GoodsProhibitedKeyword, false), -621_904);
        assert_eq!(return_status(Code::GoodsProhibitedKeyword, true), -603_904);
    }

    #[test]
    fn goods_on_the_list_pass() {
        let r = reference("19011010,配方奶粉,,,\n", "keyword,象牙,both,濒危物种\n");
        assert!(import_findings(&list(&[("1901101000", "婴儿配方奶粉", "309", "1", "122")]), &r).is_empty());
    }

    #[test]
    fn caps_count_in_the_cap_unit_across_items_and_the_year() {
        let r = reference("19011010,配方奶粉,,6,122\n", "");
        let l = list(&[("1901101000", "奶粉一段", "309", "2", "122"), ("1901101000", "奶粉二段", "309", "3", "122")]);
        let uses = cap_uses(&l, &r.positive.table).unwrap();
        assert_eq!(uses.iter().map(|u| u.milli).sum::<i64>(), 5000);
        assert!(cap_findings(&l, &uses, 2026, |_| 1000).is_empty(), "1 + 5 = 6 is within the cap");
        let f =
            cap_findings(
                &l,
                &uses,
                2026,
                |k| if k == qty_key(&l.buyer_id_number, "19011010", 2026) { 2000 } else { 0 },
            );
        assert_eq!(codes(&f), [("goods.annual_qty_cap", "InventoryList[1]/qty")]);
        assert!(f[0].message.contains("bought 2 of the 6"), "{}", f[0].message);
        // Declared by weight only: qty1 in the cap unit counts; neither is a finding.
        let mut by_weight = list(&[("1901101000", "奶粉", "309", "0.9", "035")]);
        by_weight.items[0].unit1 = "122".into();
        by_weight.items[0].qty1 = Decimal::ONE;
        assert_eq!(cap_uses(&by_weight, &r.positive.table).unwrap()[0].milli, 1000);
        by_weight.items[0].unit1 = "035".into();
        let e = cap_uses(&by_weight, &r.positive.table).unwrap_err();
        assert_eq!(codes(&e), [("goods.cap_unit", "InventoryList[1]/unit")]);
    }
}
