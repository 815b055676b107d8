//! The prohibited and restricted goods catalogue: entries by HS code
//! prefix, by keyword in the goods name, or by origin country, each for
//! import, export or both.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Serialize;

use crate::Kind;
use crate::report::{Check, Rejected, Rows, finish};

pub(crate) const COLUMNS: &[&str] = &["kind", "value", "direction", "reason"];

/// What an entry matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The goods' 10-digit code starts with the value.
    HsPrefix,
    /// The goods' name contains the value (letters compared without case).
    Keyword,
    /// The goods come from the country (3-digit code of the country table).
    OriginCountry,
}

/// Which trade an entry covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Import,
    Export,
    Both,
}

impl Direction {
    /// Whether an entry of this direction applies to goods going `way`
    /// ([`Direction::Import`] or [`Direction::Export`]).
    pub fn covers(self, way: Direction) -> bool {
        self == Direction::Both || self == way
    }
}

/// One catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProhibitedEntry {
    pub kind: MatchKind,
    pub value: String,
    pub direction: Direction,
    pub reason: String,
}

/// What a list item is, for matching.
#[derive(Debug, Clone, Copy)]
pub struct Goods<'a> {
    pub gcode: &'a str,
    pub gname: &'a str,
    /// Origin country (3-digit code), when known.
    pub origin: Option<&'a str>,
}

/// The catalogue.
#[derive(Debug, Clone, Default)]
pub struct Prohibited {
    entries: Vec<ProhibitedEntry>,
    /// Entry indexes by HS prefix and by origin country: an item is looked
    /// up by each prefix of its code, not compared with every entry.
    by_prefix: HashMap<String, Vec<usize>>,
    by_origin: HashMap<String, Vec<usize>>,
    /// The entry index of each keyword pattern of `matcher`.
    keywords: Vec<usize>,
    /// Every keyword, lower-cased, in one automaton: a goods name is
    /// scanned once however large the catalogue (Aho-Corasick).
    matcher: Option<aho_corasick::AhoCorasick>,
}

impl PartialEq for Prohibited {
    fn eq(&self, other: &Prohibited) -> bool {
        self.entries == other.entries
    }
}

impl Prohibited {
    /// Reads a `prohibited` CSV ([`COLUMNS`]).
    pub fn from_csv(text: &str) -> Result<Prohibited, Rejected> {
        let rows = Rows::read(Kind::Prohibited, text)?;
        let mut errors = Vec::new();
        let mut entries: Vec<ProhibitedEntry> = Vec::new();
        let mut first_line: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        for r in &rows.records {
            let mut c = Check { line: r.line, errors: &mut errors };
            let (kind_text, value) = (rows.get(r, "kind"), rows.get(r, "value"));
            let kind = match kind_text {
                "hs_prefix" => Some(MatchKind::HsPrefix),
                "keyword" => Some(MatchKind::Keyword),
                "origin_country" => Some(MatchKind::OriginCountry),
                _ => {
                    c.bad("kind", kind_text, "hs_prefix, keyword or origin_country");
                    None
                }
            };
            match kind {
                Some(MatchKind::HsPrefix)
                    if !(2..=10).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    c.bad("value", value, "an HS prefix of 2 to 10 digits")
                }
                Some(MatchKind::Keyword) if value.is_empty() => c.bad("value", value, "a keyword is required"),
                Some(MatchKind::OriginCountry) if cbec_model::codes::country(value).is_none() => {
                    c.bad("value", value, "not a code of the country table (3 digits, e.g. 502)")
                }
                _ => {}
            }
            let direction_text = rows.get(r, "direction");
            let direction = match direction_text {
                "import" => Direction::Import,
                "export" => Direction::Export,
                "both" => Direction::Both,
                _ => {
                    c.bad("direction", direction_text, "import, export or both");
                    Direction::Both
                }
            };
            let reason = c.required("reason", rows.get(r, "reason"));
            let identity = (kind_text.to_string(), value.to_lowercase(), direction_text.to_string());
            if let Some(first) = first_line.get(&identity) {
                c.bad("value", value, format!("the same entry is on line {first}"));
                continue;
            }
            first_line.insert(identity, r.line);
            if let Some(kind) = kind {
                entries.push(ProhibitedEntry { kind, value: value.to_string(), direction, reason });
            }
        }
        let (keywords, patterns): (Vec<usize>, Vec<String>) = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == MatchKind::Keyword)
            .map(|(i, e)| (i, e.value.to_lowercase()))
            .unzip();
        let matcher = if patterns.is_empty() {
            None
        } else {
            match aho_corasick::AhoCorasick::new(&patterns) {
                Ok(m) => Some(m),
                Err(e) => {
                    errors.push(crate::report::RowError {
                        line: 0,
                        column: Some("value".into()),
                        value: String::new(),
                        reason: format!("the keywords do not build a matcher: {e}"),
                    });
                    None
                }
            }
        };
        let mut by_prefix: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_origin: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            match e.kind {
                MatchKind::HsPrefix => by_prefix.entry(e.value.clone()).or_default().push(i),
                MatchKind::OriginCountry => by_origin.entry(e.value.clone()).or_default().push(i),
                MatchKind::Keyword => {}
            }
        }
        let table = Prohibited { entries, by_prefix, by_origin, keywords, matcher };
        finish(Kind::Prohibited, rows.records.len(), errors, table)
    }

    /// The shipped representative catalogue (`data/prohibited.csv`).
    pub fn representative() -> &'static Prohibited {
        static TABLE: OnceLock<Prohibited> = OnceLock::new();
        TABLE.get_or_init(|| Prohibited::from_csv(include_str!("../data/prohibited.csv")).unwrap_or_default())
    }

    /// Every entry that goods going `way` (import or export) hit.
    pub fn hits(&self, goods: Goods<'_>, way: Direction) -> Vec<&ProhibitedEntry> {
        let mut found: Vec<usize> = Vec::new();
        for len in 1..=goods.gcode.len() {
            if let Some(ids) = goods.gcode.get(..len).and_then(|p| self.by_prefix.get(p)) {
                found.extend(ids);
            }
        }
        if let Some(ids) = goods.origin.and_then(|o| self.by_origin.get(o)) {
            found.extend(ids);
        }
        // In catalogue order, as before the indexes.
        found.sort_unstable();
        let mut out: Vec<&ProhibitedEntry> =
            found.into_iter().map(|i| &self.entries[i]).filter(|e| e.direction.covers(way)).collect();
        if self.matcher.is_none() {
            return out;
        }
        let name = goods.gname.to_lowercase();
        if let Some(m) = &self.matcher {
            let mut seen = Vec::new();
            for hit in m.find_overlapping_iter(&name) {
                let i = self.keywords[hit.pattern().as_usize()];
                let e = &self.entries[i];
                if e.direction.covers(way) && !seen.contains(&i) {
                    seen.push(i);
                    out.push(e);
                }
            }
        }
        out
    }

    pub fn entries(&self) -> &[ProhibitedEntry] {
        &self.entries
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

    const HEADER: &str = "kind,value,direction,reason\n";

    fn catalogue() -> Prohibited {
        Prohibited::from_csv(&format!(
            "{HEADER}hs_prefix,9301,both,军用武器\nkeyword,象牙,both,濒危野生动物制品\nkeyword,Ivory,import,endangered species\norigin_country,116,import,test entry\n"
        ))
        .unwrap()
    }

    fn reasons(p: &Prohibited, gcode: &str, gname: &str, origin: Option<&str>, way: Direction) -> Vec<String> {
        p.hits(Goods { gcode, gname, origin }, way).iter().map(|e| e.reason.clone()).collect()
    }

    #[test]
    fn matches_by_prefix_keyword_and_origin_in_a_direction() {
        let p = catalogue();
        assert_eq!(reasons(&p, "9301100000", "榴弹炮", None, Direction::Export), ["军用武器"]);
        assert_eq!(reasons(&p, "9601100000", "象牙雕刻摆件", None, Direction::Export), ["濒危野生动物制品"]);
        assert_eq!(reasons(&p, "9601100000", "Carved IVORY box", None, Direction::Import), ["endangered species"]);
        assert!(reasons(&p, "9601100000", "Carved IVORY box", None, Direction::Export).is_empty());
        assert_eq!(reasons(&p, "6109100021", "纯棉T恤", Some("116"), Direction::Import), ["test entry"]);
        assert!(reasons(&p, "6109100021", "纯棉T恤", Some("502"), Direction::Import).is_empty());
        assert!(reasons(&p, "6109100021", "纯棉T恤", Some("116"), Direction::Export).is_empty());
    }

    #[test]
    fn bad_rows_are_each_reported() {
        let err = Prohibited::from_csv(&format!(
            "{HEADER}hs_prefix,93a,both,x\nbrand,Foo,both,x\nkeyword,,import,x\norigin_country,999,both,x\nkeyword,象牙,inbound,\nhs_prefix,9301,both,a\nhs_prefix,9301,both,b\n"
        ))
        .unwrap_err();
        let got: Vec<(usize, &str)> = err.errors.iter().map(|e| (e.line, e.column.as_deref().unwrap())).collect();
        assert_eq!(
            got,
            [(2, "value"), (3, "kind"), (4, "value"), (5, "value"), (6, "direction"), (6, "reason"), (8, "value")]
        );
    }
}
