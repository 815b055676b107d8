//! Goods reference data for clearance: the tariff, the retail-import
//! positive list and the prohibited and restricted goods catalogue.
//!
//! Each table is read from UTF-8 CSV with a header row naming at least the
//! columns of its kind ([`Kind::columns`]; other columns are ignored). A
//! table is taken whole or not at all: [`parse`] returns every bad row with
//! its line, column, value and the reason, so an officer importing an
//! official table fixes them all in one go. The shipped tables
//! (`data/*.csv`) are representative; `cbec refdata import` loads the full
//! official ones.
//!
//! Lookups are in memory and cheap enough for every list: a tariff line by
//! its 10-digit code, the positive-list entry of a code (its own 10-digit
//! line, else its 8-digit line), and the catalogue entries a list item hits
//! (by HS prefix, by keyword in its name, by origin country).

// Tests may unwrap; library code may not (workspace lint `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod positive;
mod prohibited;
mod report;
mod tariff;

pub use positive::{PositiveEntry, PositiveList};
pub use prohibited::{Direction, Goods, MatchKind, Prohibited, ProhibitedEntry};
pub use report::{Rejected, RowError};
pub use tariff::{Tariff, TariffLine};

/// The kinds of reference table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Tariff,
    PositiveList,
    Prohibited,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Tariff, Kind::PositiveList, Kind::Prohibited];

    /// The name used on the command line and in storage.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Tariff => "tariff",
            Kind::PositiveList => "positive-list",
            Kind::Prohibited => "prohibited",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The columns a file of this kind must have.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Tariff => tariff::COLUMNS,
            Kind::PositiveList => positive::COLUMNS,
            Kind::Prohibited => prohibited::COLUMNS,
        }
    }
}

/// A table read whole.
#[derive(Debug, Clone, PartialEq)]
pub enum Table {
    Tariff(Tariff),
    PositiveList(PositiveList),
    Prohibited(Prohibited),
}

impl Table {
    pub fn kind(&self) -> Kind {
        match self {
            Table::Tariff(_) => Kind::Tariff,
            Table::PositiveList(_) => Kind::PositiveList,
            Table::Prohibited(_) => Kind::Prohibited,
        }
    }

    /// How many rows it holds.
    pub fn len(&self) -> usize {
        match self {
            Table::Tariff(t) => t.len(),
            Table::PositiveList(t) => t.len(),
            Table::Prohibited(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads a table of `kind` from CSV text: the whole table, or every bad
/// row.
pub fn parse(kind: Kind, text: &str) -> Result<Table, Rejected> {
    Ok(match kind {
        Kind::Tariff => Table::Tariff(Tariff::from_csv(text)?),
        Kind::PositiveList => Table::PositiveList(PositiveList::from_csv(text)?),
        Kind::Prohibited => Table::Prohibited(Prohibited::from_csv(text)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_their_interface_names() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.name()), Some(k));
        }
        assert_eq!(Kind::parse("tariffs"), None);
        assert_eq!(
            Kind::Tariff.columns(),
            [
                "hs_code",
                "name",
                "unit1",
                "unit2",
                "tariff_rate",
                "vat_rate",
                "consumption_tax_rate",
                "export_duty_rate",
                "licence_required",
                "inspection_required"
            ]
        );
        assert_eq!(Kind::PositiveList.columns(), ["hs_code", "name", "remark", "annual_qty_cap", "cap_unit"]);
        assert_eq!(Kind::Prohibited.columns(), ["kind", "value", "direction", "reason"]);
    }

    #[test]
    fn the_shipped_tables_read() {
        assert!(Tariff::representative().len() >= 20);
        assert!(PositiveList::representative().len() >= 10);
        assert!(Prohibited::representative().len() >= 5);
    }
}
