//! The Cross-border E-commerce Retail Import Goods List (the positive
//! list): goods retail import may carry, with remarks and per-person annual
//! quantity caps.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::Kind;
use crate::report::{Check, Rejected, Rows, finish};

pub(crate) const COLUMNS: &[&str] = &["hs_code", "name", "remark", "annual_qty_cap", "cap_unit"];

/// One line of the positive list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PositiveEntry {
    /// 8 digits (covering its 10-digit lines) or 10 digits.
    pub hs_code: String,
    pub name: String,
    /// The list's remark (备注), e.g. an exclusion or a condition.
    pub remark: Option<String>,
    /// The most one person may buy in a calendar year, in `cap_unit`.
    pub annual_qty_cap: Option<Decimal>,
    pub cap_unit: Option<String>,
    /// What the remark excludes, lower-cased: the phrases after 不包括, 不含
    /// or "excluding", and before 除外, split at 、 , ， / and " and ", " or "
    /// (not at 和 or 及, which occur inside names such as 中华人民共和国). A
    /// goods name containing one is not covered by this line.
    pub exclusions: Vec<String>,
}

impl PositiveEntry {
    /// The first exclusion of the remark a goods name contains.
    pub fn excluded_by(&self, goods_name: &str) -> Option<&str> {
        if self.exclusions.is_empty() {
            return None;
        }
        let name = goods_name.to_lowercase();
        self.exclusions.iter().find(|x| name.contains(x.as_str())).map(String::as_str)
    }
}

/// The exclusions a remark states (see [`PositiveEntry::exclusions`]).
pub fn exclusions(remark: &str) -> Vec<String> {
    let mut out = Vec::new();
    for clause in remark.split(['；', ';', '。', '\n']) {
        let clause = clause.trim();
        let lower = clause.to_lowercase();
        let phrase = ["不包括", "不含", "excluding ", "except "]
            .iter()
            .find_map(|m| lower.find(m).map(|at| lower[at + m.len()..].to_string()))
            .or_else(|| lower.strip_suffix("除外").map(str::to_string));
        let Some(phrase) = phrase else { continue };
        for part in phrase.split(['、', ',', '，', '/']) {
            let part = part.split(" and ").flat_map(|p| p.split(" or ")).collect::<Vec<_>>();
            for term in part {
                let term = term.trim().trim_end_matches('的').trim_start_matches("列入").trim();
                if term.chars().count() >= 2 && !out.iter().any(|t: &String| t == term) {
                    out.push(term.to_string());
                }
            }
        }
    }
    out
}

/// The positive list, by code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PositiveList {
    entries: BTreeMap<String, PositiveEntry>,
}

impl PositiveList {
    /// Reads a `positive-list` CSV ([`COLUMNS`]).
    pub fn from_csv(text: &str) -> Result<PositiveList, Rejected> {
        let rows = Rows::read(Kind::PositiveList, text)?;
        let mut errors = Vec::new();
        let mut entries = BTreeMap::new();
        let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
        for r in &rows.records {
            let mut c = Check { line: r.line, errors: &mut errors };
            let code = c.digits("hs_code", rows.get(r, "hs_code"), &[8, 10]);
            let name = c.required("name", rows.get(r, "name"));
            let remark = rows.get(r, "remark");
            let (cap, unit) = (rows.get(r, "annual_qty_cap"), rows.get(r, "cap_unit"));
            let annual_qty_cap = match cap.parse::<Decimal>() {
                _ if cap.is_empty() => None,
                Ok(q) if q > Decimal::ZERO => Some(q),
                _ => {
                    c.bad("annual_qty_cap", cap, "a positive quantity, or empty for no cap");
                    None
                }
            };
            let cap_unit = match (cap.is_empty(), unit.is_empty()) {
                (false, true) => {
                    c.bad("cap_unit", unit, "required with annual_qty_cap (a unit code, e.g. 122 can)");
                    None
                }
                (true, false) => {
                    c.bad("cap_unit", unit, "given without annual_qty_cap");
                    None
                }
                (false, false) => Some(c.unit("cap_unit", unit)),
                (true, true) => None,
            };
            if let Some(first) = first_line.get(&code) {
                c.bad("hs_code", &code, format!("listed twice (first on line {first})"));
                continue;
            }
            first_line.insert(code.clone(), r.line);
            let remark = (!remark.is_empty()).then(|| remark.to_string());
            let exclusions = remark.as_deref().map(exclusions).unwrap_or_default();
            entries.insert(
                code.clone(),
                PositiveEntry { hs_code: code, name, remark, annual_qty_cap, cap_unit, exclusions },
            );
        }
        finish(Kind::PositiveList, rows.records.len(), errors, PositiveList { entries })
    }

    /// The shipped representative list (`data/positive_list.csv`).
    pub fn representative() -> &'static PositiveList {
        static TABLE: OnceLock<PositiveList> = OnceLock::new();
        TABLE.get_or_init(|| PositiveList::from_csv(include_str!("../data/positive_list.csv")).unwrap_or_default())
    }

    /// The entry covering a 10-digit code: its own line, else its 8-digit
    /// line.
    pub fn entry(&self, code: &str) -> Option<&PositiveEntry> {
        self.entries.get(code).or_else(|| code.get(..8).and_then(|c| self.entries.get(c)))
    }

    pub fn entries(&self) -> impl Iterator<Item = &PositiveEntry> {
        self.entries.values()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "hs_code,name,remark,annual_qty_cap,cap_unit\n";

    #[test]
    fn eight_digit_lines_cover_their_ten_digit_codes() {
        let l = PositiveList::from_csv(&format!(
            "{HEADER}19011010,婴儿配方奶粉,,36,122\n3304990099,其他护肤品,不含医用化妆品,,\n"
        ))
        .unwrap();
        let milk = l.entry("1901101000").unwrap();
        assert_eq!((milk.annual_qty_cap, milk.cap_unit.as_deref()), (Some(Decimal::from(36)), Some("122")));
        assert_eq!(l.entry("3304990099").unwrap().remark.as_deref(), Some("不含医用化妆品"));
        assert!(l.entry("3304990090").is_none(), "a 10-digit line covers only itself");
        assert!(l.entry("1902101000").is_none());
    }

    #[test]
    fn remarks_state_exclusions() {
        assert_eq!(exclusions("不包括药品；列入《中华人民共和国药典》的除外"), ["药品", "《中华人民共和国药典》"]);
        assert_eq!(exclusions("不含医用化妆品、特殊用途化妆品"), ["医用化妆品", "特殊用途化妆品"]);
        assert_eq!(exclusions("Excluding medical devices and drugs"), ["medical devices", "drugs"]);
        assert!(exclusions("须符合国家食品安全标准").is_empty(), "a condition is not an exclusion");
        let l = PositiveList::from_csv(&format!("{HEADER}21069090,其他食品,不包括药品,,\n")).unwrap();
        let e = l.entry("2106909090").unwrap();
        assert_eq!(e.excluded_by("处方药品 维生素"), Some("药品"));
        assert_eq!(e.excluded_by("维生素C软胶囊"), None);
    }

    #[test]
    fn caps_and_units_go_together() {
        let err = PositiveList::from_csv(&format!(
            "{HEADER}19011010,奶粉,,36,\n21069090,膳食补充剂,,,142\n3401300,洗面奶,,0,142\n19011010,奶粉,,,\n"
        ))
        .unwrap_err();
        let got: Vec<(usize, &str)> = err.errors.iter().map(|e| (e.line, e.column.as_deref().unwrap())).collect();
        assert_eq!(got, [(2, "cap_unit"), (3, "cap_unit"), (4, "hs_code"), (4, "annual_qty_cap"), (5, "hs_code")]);
    }
}
