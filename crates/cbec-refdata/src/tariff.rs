//! The tariff: 10-digit lines with their units, rates and controls.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::Kind;
use crate::report::{Check, Rejected, Rows, finish};

pub(crate) const COLUMNS: &[&str] = &[
    "hs_code",
    "name",
    "unit1",
    "unit2",
    "tariff_rate",
    "vat_rate",
    "consumption_tax_rate",
    "export_duty_rate",
    "licence_required",
    "inspection_required",
];

/// One tariff line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TariffLine {
    /// 10 digits: the 8-digit tariff line and the 2-digit supplementary code.
    pub hs_code: String,
    pub name: String,
    /// First and second legal units of quantity.
    pub unit1: String,
    pub unit2: Option<String>,
    /// Import duty (MFN), VAT and consumption tax, as fractions.
    pub tariff_rate: Decimal,
    pub vat_rate: Decimal,
    pub consumption_tax_rate: Decimal,
    pub export_duty_rate: Decimal,
    /// An export licence (or import licence) is required.
    pub licence_required: bool,
    /// Inspection and quarantine are required.
    pub inspection_required: bool,
}

/// The tariff, by code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tariff {
    lines: BTreeMap<String, TariffLine>,
}

impl Tariff {
    /// Reads a `tariff` CSV ([`COLUMNS`]).
    pub fn from_csv(text: &str) -> Result<Tariff, Rejected> {
        let rows = Rows::read(Kind::Tariff, text)?;
        let mut errors = Vec::new();
        let mut lines: BTreeMap<String, TariffLine> = BTreeMap::new();
        let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
        let hundred = Decimal::ONE_HUNDRED;
        for r in &rows.records {
            let mut c = Check { line: r.line, errors: &mut errors };
            let code = c.digits("hs_code", rows.get(r, "hs_code"), &[10]);
            let unit2 = rows.get(r, "unit2");
            let line = TariffLine {
                name: c.required("name", rows.get(r, "name")),
                unit1: c.unit("unit1", rows.get(r, "unit1")),
                unit2: (!unit2.is_empty()).then(|| c.unit("unit2", unit2)),
                // Specific and compound duties show up as high ad valorem
                // equivalents; anything above 100 (10,000 %) is a typo.
                tariff_rate: c.rate("tariff_rate", rows.get(r, "tariff_rate"), hundred),
                vat_rate: c.rate("vat_rate", rows.get(r, "vat_rate"), Decimal::ONE),
                consumption_tax_rate: c.rate("consumption_tax_rate", rows.get(r, "consumption_tax_rate"), hundred),
                export_duty_rate: c.rate("export_duty_rate", rows.get(r, "export_duty_rate"), hundred),
                licence_required: c.flag("licence_required", rows.get(r, "licence_required")),
                inspection_required: c.flag("inspection_required", rows.get(r, "inspection_required")),
                hs_code: code.clone(),
            };
            if let Some(first) = first_line.get(&code) {
                c.bad("hs_code", &code, format!("listed twice (first on line {first})"));
            } else {
                first_line.insert(code.clone(), r.line);
                lines.insert(code, line);
            }
        }
        finish(Kind::Tariff, rows.records.len(), errors, Tariff { lines })
    }

    /// The shipped representative tariff (`data/tariff.csv`).
    pub fn representative() -> &'static Tariff {
        static TABLE: OnceLock<Tariff> = OnceLock::new();
        TABLE.get_or_init(|| Tariff::from_csv(include_str!("../data/tariff.csv")).unwrap_or_default())
    }

    /// The line of a 10-digit code.
    pub fn line(&self, code: &str) -> Option<&TariffLine> {
        self.lines.get(code)
    }

    /// Whether any line starts with `prefix` (a 4-digit heading, a 6-digit
    /// subheading, …).
    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.lines.range(prefix.to_string()..).next().is_some_and(|(k, _)| k.starts_with(prefix))
    }

    /// The lines under a prefix (a heading, a subheading or a whole code).
    pub fn lines_under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a TariffLine> + 'a {
        self.lines.range(prefix.to_string()..).take_while(move |(k, _)| k.starts_with(prefix)).map(|(_, l)| l)
    }

    pub fn lines(&self) -> impl Iterator<Item = &TariffLine> {
        self.lines.values()
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "hs_code,name,unit1,unit2,tariff_rate,vat_rate,consumption_tax_rate,export_duty_rate,licence_required,inspection_required\n";

    #[test]
    fn reads_lines_and_finds_headings() {
        let t = Tariff::from_csv(&format!(
            "{HEADER}6109100021,棉制针织T恤衫,011,035,0.06,0.13,0,0,0,0\n\"3304990099\",\"其他美容品, 护肤品\",035,,0.01,0.13,0.15,0,0,1\n"
        ))
        .unwrap();
        assert_eq!(t.len(), 2);
        let l = t.line("3304990099").unwrap();
        assert_eq!((l.name.as_str(), l.unit2.as_deref(), l.inspection_required), ("其他美容品, 护肤品", None, true));
        assert_eq!(l.consumption_tax_rate, Decimal::new(15, 2));
        assert!(t.has_prefix("6109") && t.has_prefix("610910") && t.has_prefix("6109100021"));
        assert!(!t.has_prefix("6110") && !t.has_prefix("610990"));
        assert!(t.line("6109100022").is_none());
    }

    #[test]
    fn every_bad_value_is_reported_with_line_and_column() {
        let text = format!(
            "{HEADER}610910002,,999,035,6%,1.13,0,0,yes,0\n6109100021,T恤,011,,0.06,0.13,0,0,0,0\n6109100021,T恤,011,,0.06,0.13,0,0,0,0\n"
        );
        let err = Tariff::from_csv(&text).unwrap_err();
        assert_eq!(err.rows, 3);
        let got: Vec<(usize, &str)> = err.errors.iter().map(|e| (e.line, e.column.as_deref().unwrap())).collect();
        assert_eq!(
            got,
            [
                (2, "hs_code"),
                (2, "name"),
                (2, "unit1"),
                (2, "tariff_rate"),
                (2, "vat_rate"),
                (2, "licence_required"),
                (4, "hs_code")
            ]
        );
        assert!(err.errors[6].reason.contains("first on line 3"), "{}", err.errors[6]);
        assert!(err.to_string().contains("tariff table has 7 problem(s)"), "{err}");
    }

    #[test]
    fn a_missing_column_or_no_csv_is_refused_whole() {
        let err = Tariff::from_csv("hs_code,name\n6109100021,T恤\n").unwrap_err();
        assert!(err.errors[0].reason.contains("unit1") && err.errors[0].reason.contains("export_duty_rate"), "{err}");
        assert!(Tariff::from_csv("").unwrap_err().errors[0].reason.contains("empty"));
        assert!(Tariff::from_csv(&format!("{HEADER}\"6109")).unwrap_err().errors[0].reason.contains("not CSV"));
    }
}
