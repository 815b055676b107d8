//! What the risk engine sees of one list.

use cbec_model::filing::CreditRating;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Import or export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Import,
    Export,
}

/// The role an enterprise plays on a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartyRole {
    /// The e-commerce platform (`ebpCode`).
    Ebp,
    /// The e-commerce enterprise, seller (`ebcCode`).
    Ebc,
    /// The logistics enterprise (`logisticsCode`).
    Logistics,
    /// The payment enterprise (`payCode`).
    Payment,
    /// The declaring agent (`agentCode`).
    Agent,
}

/// An enterprise behind a list, as filed with customs when it was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub role: PartyRole,
    /// Its customs code (10 characters) or unified social credit code.
    pub code: String,
    /// Its filed enterprise types (`ebp`, `ebc`, `logistics`, … as in
    /// `cbec_model::filing::EnterpriseType`).
    pub types: Vec<String>,
    /// Its credit rating; `None` when not filed.
    pub credit: Option<CreditRating>,
    /// Days since its filing was approved; `None` when not known.
    pub filed_days: Option<i64>,
    /// Violations on its record (rectification orders upheld against it).
    pub violations: u32,
}

/// One goods line of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub gnum: i32,
    /// The 10-digit HS code (`gcode`), as declared.
    pub hs_code: String,
    /// The goods name (`gname`).
    pub name: String,
    /// Brand, specification and model as declared (`gmodel`); empty when
    /// not declared.
    pub brand: String,
    /// Origin country (3-digit code); empty when not declared.
    pub origin_country: String,
    pub qty: Decimal,
    /// Unit code (3 digits: `035` kilogram, `036` gram, `007` piece, …).
    pub unit: String,
    /// Declared unit price, CNY.
    pub unit_price: Decimal,
    /// Declared total price, CNY.
    pub total_price: Decimal,
}

/// One list as the risk engine sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// A stable key of the list (its document id): with the seed it fixes
    /// the random draws, so a decision is reproducible.
    pub key: String,
    pub direction: Direction,
    /// `tradeMode`: 9610, 1210, 9710, 9810, …
    pub trade_mode: String,
    /// The customs of declaration (`customsCode`).
    pub customs_code: String,
    /// The entry or exit port customs (`portCode`).
    pub port_code: String,
    /// The head country: origin (import) or destination (export).
    pub country: String,
    /// Transport mode (`trafMode`).
    pub traf_mode: String,
    /// Sum of the items' total prices, CNY.
    pub total_value: Decimal,
    /// Net weight of the list, kg, when declared.
    pub net_weight: Option<Decimal>,
    pub parties: Vec<Party>,
    pub items: Vec<Item>,
    /// From the three orders: the buyer's (payer's) ID number, and the
    /// consignee's address on the waybill; empty when not known.
    #[serde(default)]
    pub buyer_id: String,
    #[serde(default)]
    pub consignee_address: String,
}
