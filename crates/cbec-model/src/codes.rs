//! Code tables and enumerations of the CEB spec.
//!
//! The code tables (currency, country, unit, customs district, trade mode,
//! transport mode, package type, return status, error codes, message types)
//! are the CSV files of `data/`, copied from `spec/codes/` and embedded at
//! compile time. Each is parsed once, on first use, into a [`CodeTable`] of
//! [`CodeEntry`] values: look codes up with [`currency`], [`country`], … or
//! through [`table`] with a [`TableId`]. The tables are the sourced subsets
//! of the domain guide (§5), not the complete customs code lists.
//!
//! The fixed enumerations of the message fields are Rust enums with
//! `parse(&str) -> Option<Self>` and `as_str()`: [`AppType`], [`AppStatus`],
//! [`OrderType`], [`IeFlag`], [`TradeMode`], [`StatisticsFlag`],
//! [`ChargeFlag`], [`IdType`], [`SummaryFlag`], [`SubscribeStatus`],
//! [`TaxStatus`], the receipt status [`ReturnStatus`] and the message
//! catalogue [`MessageType`].

use std::collections::HashMap;
use std::sync::OnceLock;

pub mod csv;
mod enums;
mod message;
mod status;

pub use enums::{
    AppStatus, AppType, ChargeFlag, IdType, IeFlag, OrderType, StatisticsFlag, SubscribeStatus, SummaryFlag, TaxStatus,
    TradeMode,
};
pub use message::{Direction, MessageType, Origin, SignatureRule};
pub use status::ReturnStatus;

/// One row of a code table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    /// The code as written in the messages, e.g. `"142"`, `"0100"`, `"W"`.
    pub code: String,
    /// The Chinese name (empty where the source gives none).
    pub name_zh: String,
    /// The English name or meaning (empty where the source gives none).
    pub name_en: String,
    /// Every column of the row, by header name, including the three above.
    fields: Vec<(String, String)>,
}

impl CodeEntry {
    /// The value of another column, e.g. `field("iso")` of a currency.
    /// `None` if the table has no such column.
    pub fn field(&self, column: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == column).map(|(_, v)| v.as_str())
    }

    /// The `note` column, when the table has one and it is filled.
    pub fn note(&self) -> Option<&str> {
        self.field("note").filter(|n| !n.is_empty())
    }
}

/// A parsed code table.
#[derive(Debug, Clone, Default)]
pub struct CodeTable {
    id: Option<TableId>,
    columns: Vec<String>,
    entries: Vec<CodeEntry>,
    index: HashMap<String, usize>,
}

impl CodeTable {
    /// Which table this is.
    pub fn id(&self) -> Option<TableId> {
        self.id
    }

    /// The entry of a code, if the table has it.
    pub fn get(&self, code: &str) -> Option<&CodeEntry> {
        self.index.get(code).and_then(|&i| self.entries.get(i))
    }

    pub fn contains(&self, code: &str) -> bool {
        self.index.contains_key(code)
    }

    /// The entries in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, CodeEntry> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The header row.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Builds a table from CSV text with a header row. The first column is
    /// the code; the Chinese name comes from `name_zh` or `meaning_zh`, the
    /// English one from `name_en`, `meaning_en` or `purpose`.
    fn from_csv(id: TableId, text: &str) -> Result<CodeTable, csv::CsvError> {
        let mut rows = csv::parse(text)?.into_iter();
        let columns = rows.next().ok_or(csv::CsvError { line: 1, message: "no header row" })?;
        let find = |names: &[&str]| columns.iter().position(|c| names.contains(&c.as_str()));
        let zh = find(&["name_zh", "meaning_zh"]);
        let en = find(&["name_en", "meaning_en", "purpose"]);
        let mut table = CodeTable { id: Some(id), columns: columns.clone(), ..CodeTable::default() };
        for (n, row) in rows.enumerate() {
            if row.len() != columns.len() {
                return Err(csv::CsvError {
                    line: n + 2,
                    message: "the row has a different number of fields than the header",
                });
            }
            let get = |i: Option<usize>| i.and_then(|i| row.get(i)).cloned().unwrap_or_default();
            let code = get(Some(0));
            if code.is_empty() || table.index.contains_key(&code) {
                return Err(csv::CsvError { line: n + 2, message: "the code is empty or repeated" });
            }
            let entry = CodeEntry {
                name_zh: get(zh),
                name_en: get(en),
                fields: columns.iter().cloned().zip(row.iter().cloned()).collect(),
                code,
            };
            table.index.insert(entry.code.clone(), table.entries.len());
            table.entries.push(entry);
        }
        Ok(table)
    }
}

impl<'a> IntoIterator for &'a CodeTable {
    type Item = &'a CodeEntry;
    type IntoIter = std::slice::Iter<'a, CodeEntry>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

macro_rules! tables {
    ($( $(#[$doc:meta])* $variant:ident, $lookup:ident, $file:literal; )*) => {
        /// The embedded code tables.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum TableId {
            $( $(#[$doc])* $variant, )*
        }

        impl TableId {
            /// Every table.
            pub const ALL: &'static [TableId] = &[$(TableId::$variant,)*];

            /// The CSV file name under `data/`, e.g. `"currency.csv"`.
            pub fn file_name(self) -> &'static str {
                match self { $(TableId::$variant => $file,)* }
            }

            fn source(self) -> &'static str {
                match self { $(TableId::$variant => include_str!(concat!("../data/", $file)),)* }
            }

            fn cell(self) -> &'static OnceLock<CodeTable> {
                match self {
                    $(TableId::$variant => {
                        static CELL: OnceLock<CodeTable> = OnceLock::new();
                        &CELL
                    })*
                }
            }
        }

        $(
            $(#[$doc])*
            #[doc = concat!("\n\nLooks a code up in `", $file, "`.")]
            pub fn $lookup(code: &str) -> Option<&'static CodeEntry> {
                table(TableId::$variant).get(code)
            }
        )*
    };
}

tables! {
    /// Currency (币制), 3-digit JGS-20 codes such as `142` CNY.
    Currency, currency, "currency.csv";
    /// Country (国别), old 3-digit codes such as `142` China.
    Country, country, "country.csv";
    /// Unit of measure (计量单位), 3 digits such as `007` piece.
    Unit, unit, "unit.csv";
    /// Customs district (关区代码), 4 digits such as `5300` Shenzhen.
    CustomsDistrict, customs_district, "customs_district.csv";
    /// Supervision / trade mode (监管方式), e.g. `9610`.
    TradeMode, trade_mode, "trade_mode.csv";
    /// Transport mode (`trafMode`, C1), e.g. `5` air.
    TransportMode, transport_mode, "transport_mode.csv";
    /// Package type (`wrapType`, C1), e.g. `2` carton.
    WrapType, wrap_type, "wrap_type.csv";
    /// Receipt `returnStatus` codes, with the receipts that use each; `<0`
    /// stands for every negative (error) code.
    ReturnStatus, return_status, "return_status.csv";
    /// DXP and business error codes (GACC spec 202205, §7); range rows are written
    /// `low..high`. See also [`error_code_meaning`].
    ErrorCode, error_code, "error_codes.csv";
    /// The CEB message catalogue.
    MessageType, message_type, "message_types.csv";
}

/// A code table, parsed on first use.
///
/// The CSV files are embedded and a unit test checks that each one parses,
/// so the empty table that a malformed file would give is never seen.
pub fn table(id: TableId) -> &'static CodeTable {
    id.cell().get_or_init(|| CodeTable::from_csv(id, id.source()).unwrap_or_default())
}

/// The meaning of a DXP or business error code: its own row if the table
/// lists it, otherwise the narrowest range that contains it (`-621007` →
/// "import list errors").
pub fn error_code_meaning(code: i64) -> Option<&'static CodeEntry> {
    let t = table(TableId::ErrorCode);
    if let Some(e) =
        t.iter().find(|e| e.field("range_or_exact") == Some("exact") && e.code.parse::<i64>().ok() == Some(code))
    {
        return Some(e);
    }
    t.iter()
        .filter_map(|e| {
            let (lo, hi) = e.code.split_once("..")?;
            let (lo, hi) = (lo.parse::<i64>().ok()?, hi.parse::<i64>().ok()?);
            let (lo, hi) = (lo.min(hi), lo.max(hi));
            (lo..=hi).contains(&code).then_some((hi - lo, e))
        })
        .min_by_key(|(width, _)| *width)
        .map(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_table_parses() {
        for &id in TableId::ALL {
            let t = CodeTable::from_csv(id, id.source()).unwrap_or_else(|e| panic!("{}: {e:?}", id.file_name()));
            assert!(!t.is_empty(), "{}", id.file_name());
            assert_eq!(table(id).len(), t.len());
            assert_eq!(table(id).id(), Some(id));
            for e in t.iter() {
                assert_eq!(t.get(&e.code), Some(e));
                assert!(!e.name_en.is_empty() || id == TableId::CustomsDistrict, "{} {}", id.file_name(), e.code);
            }
        }
    }

    #[test]
    fn the_embedded_copies_match_the_spec_files() {
        // The data/ copies must stay identical to spec/codes/ when that folder is there.
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/codes");
        if !spec.is_dir() {
            return;
        }
        for &id in TableId::ALL {
            let original = std::fs::read_to_string(spec.join(id.file_name())).unwrap();
            assert_eq!(original, id.source(), "{} differs from spec/codes", id.file_name());
        }
    }

    #[test]
    fn lookups() {
        let cny = currency("142").unwrap();
        assert_eq!((cny.name_zh.as_str(), cny.name_en.as_str()), ("人民币", "Chinese yuan (renminbi)"));
        assert_eq!(cny.field("iso"), Some("CNY"));
        assert_eq!(cny.field("nope"), None);
        assert_eq!(currency("502").and_then(|e| e.field("iso")), Some("USD"));
        assert!(currency("CNY").is_none(), "CEB uses the numeric codes");
        assert!(currency("aaa").is_none(), "CEB303 sample placeholder");
        assert_eq!(country("116").unwrap().name_en, "Japan");
        assert!(country("142").unwrap().note().unwrap().contains("bonded"));
        assert!(country("110").unwrap().note().is_none());
        assert_eq!(unit("007").unwrap().name_zh, "个");
        assert!(unit("7").is_none(), "leading zeros matter");
        assert_eq!(customs_district("0100").unwrap().name_en, "Beijing");
        assert_eq!(customs_district("1501").unwrap().name_zh, "");
        assert_eq!(trade_mode("1210").unwrap().name_zh, "保税跨境贸易电子商务");
        assert_eq!(transport_mode("W").unwrap().name_en, "logistics centre");
        assert_eq!(wrap_type("2").unwrap().name_en, "carton");
        assert_eq!(return_status("800").unwrap().name_zh, "放行");
        assert_eq!(return_status("<0").unwrap().field("receipts").map(|r| r.contains("CEB900")), Some(true));
        assert_eq!(message_type("CEB621").unwrap().field("signature"), Some("mandatory"));
        assert_eq!(
            message_type("CEB621").unwrap().name_en,
            "import list: the customs declaration for 9610/1210 retail import"
        );
        assert_eq!(error_code("-621005").unwrap().name_en, "purchase amount exceeds the single-transaction limit");
        let t = table(TableId::Currency);
        assert!(t.contains("300"));
        assert_eq!(t.columns(), ["code", "iso", "name_zh", "name_en"]);
        assert_eq!(t.iter().count(), 17);
        assert_eq!(t.into_iter().next().unwrap().code, "110");
    }

    #[test]
    fn error_meanings() {
        assert_eq!(error_code_meaning(-621005).unwrap().code, "-621005");
        assert_eq!(error_code_meaning(-621007).unwrap().name_en, "import list errors");
        assert_eq!(error_code_meaning(-504500).unwrap().code, "-504000..-505017");
        assert_eq!(error_code_meaning(2).unwrap().name_en, "DXP: data package fails schema validation");
        assert_eq!(error_code_meaning(5).unwrap().code, "0001..0999");
        assert_eq!(error_code_meaning(4321).unwrap().code, "4000..9999");
        assert!(error_code_meaning(-1).is_none());
        assert!(error_code_meaning(0).is_none());
    }
}
