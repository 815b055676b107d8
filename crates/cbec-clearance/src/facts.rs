//! The facts of a business document that clearance decides on, taken from a
//! decoded message ([`documents`]).
//!
//! A CEB message carries up to 100 business elements; each becomes one
//! [`Incoming`] document with its kind, its `appType`, its business keys
//! ([`Facts::keys`], by which related documents are found) and the fields
//! the matching rules compare. Facts are stored with the document (as
//! JSON) so later decisions read them without re-parsing the raw message.

use cbec_ceb::{Message, export, import};
use cbec_model::ident::{AppTime, Date8};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The kinds of documents clearance tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// CEB311 import order.
    Order,
    /// CEB411 payment voucher.
    Payment,
    /// CEB511 import waybill.
    Waybill,
    /// CEB621 import declaration list.
    List,
    /// CEB623 import list cancellation.
    Cancel,
    /// CEB625 import return application.
    Refund,
    /// CEB303 export order (orderType E), B2B order (B) or overseas
    /// warehouse booking (W).
    ExportOrder,
    /// CEB403 export receipt of payment (收款单).
    Collection,
    /// CEB505 export waybill.
    ExportWaybill,
    /// CEB603 export declaration list (9610, 1210, 9710, 9810).
    ExportList,
    /// CEB605 export list cancellation.
    ExportCancel,
    /// CEB507 arrival of export goods at the supervised site (运抵).
    Arrival,
    /// CEB509 departure of export goods (离境).
    Departure,
    /// CEB213 retail export return application (退货申请).
    ExportRefund,
    /// CEB701 summary application (汇总申请): released retail export lists
    /// gathered into customs declarations.
    Summary,
    /// CEB215 return tally detail (退货理货明细): the supervised site
    /// confirms that the goods of an export return are back.
    ExportTally,
    /// CEB607 master/house bill link (清单总分单): export waybills put on a
    /// bill of lading and voyage, possibly in several parts.
    BillLink,
    /// A B2B export declared on a full customs declaration form (H2018, not
    /// a CEB message), linked to its CEB303 order or booking by the attached
    /// document of type 10000004 (跨境B2B出口单证).
    DeclarationForm,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Order => "order",
            Kind::Payment => "payment",
            Kind::Waybill => "waybill",
            Kind::List => "list",
            Kind::Cancel => "cancel",
            Kind::Refund => "refund",
            Kind::ExportOrder => "export_order",
            Kind::Collection => "collection",
            Kind::ExportWaybill => "export_waybill",
            Kind::ExportList => "export_list",
            Kind::ExportCancel => "export_cancel",
            Kind::Arrival => "arrival",
            Kind::Departure => "departure",
            Kind::ExportRefund => "export_refund",
            Kind::Summary => "summary",
            Kind::ExportTally => "export_tally",
            Kind::BillLink => "bill_link",
            Kind::DeclarationForm => "declaration_form",
        }
    }

    pub const ALL: [Kind; 18] = [
        Kind::Order,
        Kind::Payment,
        Kind::Waybill,
        Kind::List,
        Kind::Cancel,
        Kind::Refund,
        Kind::ExportOrder,
        Kind::Collection,
        Kind::ExportWaybill,
        Kind::ExportList,
        Kind::ExportCancel,
        Kind::Arrival,
        Kind::Departure,
        Kind::ExportRefund,
        Kind::Summary,
        Kind::ExportTally,
        Kind::BillLink,
        Kind::DeclarationForm,
    ];

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// A declaration list (import or export).
    pub fn is_list(self) -> bool {
        matches!(self, Kind::List | Kind::ExportList)
    }

    /// The business message root carrying this kind.
    pub fn message_type(self) -> &'static str {
        match self {
            Kind::Order => "CEB311Message",
            Kind::Payment => "CEB411Message",
            Kind::Waybill => "CEB511Message",
            Kind::List => "CEB621Message",
            Kind::Cancel => "CEB623Message",
            Kind::Refund => "CEB625Message",
            Kind::ExportOrder => "CEB303Message",
            Kind::Collection => "CEB403Message",
            Kind::ExportWaybill => "CEB505Message",
            Kind::ExportList => "CEB603Message",
            Kind::ExportCancel => "CEB605Message",
            Kind::Arrival => "CEB507Message",
            Kind::Departure => "CEB509Message",
            Kind::ExportRefund => "CEB213Message",
            Kind::Summary => "CEB701Message",
            Kind::ExportTally => "CEB215Message",
            Kind::BillLink => "CEB607Message",
            Kind::DeclarationForm => "H2018",
        }
    }

    /// The receipt root answering this kind (none for a declaration form,
    /// which is not a CEB message).
    pub fn receipt_type(self) -> Option<&'static str> {
        match self {
            Kind::Order => Some("CEB312Message"),
            Kind::Payment => Some("CEB412Message"),
            Kind::Waybill => Some("CEB512Message"),
            Kind::List => Some("CEB622Message"),
            Kind::Cancel => Some("CEB624Message"),
            Kind::Refund => Some("CEB626Message"),
            Kind::ExportOrder => Some("CEB304Message"),
            Kind::Collection => Some("CEB404Message"),
            Kind::ExportWaybill => Some("CEB506Message"),
            Kind::ExportList => Some("CEB604Message"),
            Kind::ExportCancel => Some("CEB606Message"),
            Kind::Arrival => Some("CEB508Message"),
            Kind::Departure => Some("CEB510Message"),
            Kind::ExportRefund => Some("CEB214Message"),
            Kind::Summary => Some("CEB702Message"),
            Kind::ExportTally => Some("CEB216Message"),
            Kind::BillLink => Some("CEB608Message"),
            Kind::DeclarationForm => None,
        }
    }

    /// In the words of the spec (for mismatch reports).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Order => "order (CEB311)",
            Kind::Payment => "payment (CEB411)",
            Kind::Waybill => "waybill (CEB511)",
            Kind::List => "list (CEB621)",
            Kind::Cancel => "cancellation (CEB623)",
            Kind::Refund => "return (CEB625)",
            Kind::ExportOrder => "export order (CEB303)",
            Kind::Collection => "receipt of payment (CEB403)",
            Kind::ExportWaybill => "export waybill (CEB505)",
            Kind::ExportList => "export list (CEB603)",
            Kind::ExportCancel => "export cancellation (CEB605)",
            Kind::Arrival => "arrival (CEB507)",
            Kind::Departure => "departure (CEB509)",
            Kind::ExportRefund => "export return (CEB213)",
            Kind::Summary => "summary application (CEB701)",
            Kind::ExportTally => "return tally detail (CEB215)",
            Kind::BillLink => "bill link (CEB607)",
            Kind::DeclarationForm => "declaration form (H2018, 10000004)",
        }
    }
}

/// `appType`: what the document asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppType {
    New,
    Change,
    Delete,
}

impl AppType {
    fn parse(s: &str) -> AppType {
        match s {
            "2" => AppType::Change,
            "3" => AppType::Delete,
            _ => AppType::New,
        }
    }
}

/// One goods line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    pub gnum: i32,
    pub item_name: String,
    pub qty: Decimal,
    pub price: Decimal,
    pub total_price: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFacts {
    pub order_no: String,
    pub ebp_code: String,
    pub ebc_code: String,
    pub goods_value: Decimal,
    pub freight: Decimal,
    pub discount: Decimal,
    pub tax_total: Decimal,
    pub actural_paid: Decimal,
    pub buyer_name: String,
    pub buyer_id_number: String,
    pub pay_code: Option<String>,
    pub pay_transaction_id: Option<String>,
    pub consignee: String,
    pub consignee_telephone: String,
    pub consignee_address: String,
    pub items: Vec<OrderItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFacts {
    pub pay_code: String,
    pub pay_transaction_id: String,
    pub order_no: String,
    pub ebp_code: String,
    pub payer_name: String,
    pub payer_id_number: String,
    pub amount_paid: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaybillFacts {
    pub logistics_code: String,
    pub logistics_no: String,
    pub order_no: String,
    pub consignee: String,
    pub consignee_telephone: String,
    pub consignee_address: String,
}

/// One goods line of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListItem {
    pub gnum: i32,
    pub gcode: String,
    pub gname: String,
    pub item_record_no: Option<String>,
    pub qty: Decimal,
    pub unit: String,
    pub price: Decimal,
    pub total_price: Decimal,
    /// Brand, specification and model (`gmodel`).
    #[serde(default)]
    pub gmodel: String,
    /// Origin country (`country`, 3 digits).
    #[serde(default)]
    pub country: String,
    /// Quantity in the first legal unit (`qty1`, `unit1`).
    #[serde(default)]
    pub qty1: Decimal,
    #[serde(default)]
    pub unit1: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListFacts {
    pub order_no: String,
    pub ebp_code: String,
    pub ebc_code: String,
    pub logistics_code: String,
    pub logistics_no: String,
    pub cop_no: Option<String>,
    /// Assigned by customs on acceptance when the enterprise gives none.
    pub pre_no: Option<String>,
    pub invt_no: Option<String>,
    pub assure_code: String,
    pub agent_code: String,
    pub customs_code: String,
    pub trade_mode: String,
    pub ems_no: Option<String>,
    pub area_code: Option<String>,
    pub buyer_name: String,
    pub buyer_id_number: String,
    pub freight: Decimal,
    pub insured_fee: Decimal,
    /// The entry port customs (`portCode`), origin country (`country`),
    /// transport mode and net weight (kg): what the risk engine looks at.
    #[serde(default)]
    pub port_code: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub traf_mode: String,
    #[serde(default)]
    pub net_weight: Decimal,
    /// An outcome forced by a sandbox marker (set only on a sandbox server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<crate::sandbox::Forced>,
    /// The enterprises behind the list as filed when it arrived (credit,
    /// types, filing age, violations), for the risk engine; set by the
    /// service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<cbec_risk::Party>,
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelFacts {
    pub invt_no: String,
    pub order_no: String,
    pub ebp_code: String,
    pub ebc_code: String,
    pub logistics_code: String,
    pub logistics_no: String,
    pub agent_code: String,
    pub customs_code: String,
    pub cop_no: Option<String>,
    /// The e-port number; assigned on receipt when the enterprise gives none.
    pub pre_no: Option<String>,
    pub reason: String,
}

/// One returned goods line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundItem {
    pub gnum: i32,
    pub gcode: String,
    pub gname: String,
    pub qty: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundFacts {
    pub invt_no: String,
    pub order_no: String,
    pub ebp_code: String,
    pub ebc_code: String,
    pub logistics_code: String,
    pub logistics_no: String,
    pub agent_code: String,
    pub customs_code: String,
    pub cop_no: Option<String>,
    /// The e-port number; assigned on receipt when the enterprise gives none.
    pub pre_no: Option<String>,
    pub reason: String,
    pub items: Vec<RefundItem>,
}

/// An export order, B2B order or overseas warehouse booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOrderFacts {
    /// `E`, `B` or `W`.
    pub order_type: String,
    pub order_no: String,
    pub ebp_code: String,
    pub ebc_code: String,
    pub goods_value: Decimal,
    pub freight: Decimal,
    pub currency: String,
    pub items: Vec<OrderItem>,
}

/// An export receipt of payment (收款单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionFacts {
    pub order_no: String,
    pub ebp_code: String,
    pub ebc_code: String,
    pub pay_code: Option<String>,
    pub pay_no: Option<String>,
    pub charge: Decimal,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportWaybillFacts {
    pub logistics_code: String,
    pub logistics_no: String,
    pub freight: Decimal,
    pub ebc_code: Option<String>,
}

/// One goods line of an export list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportItem {
    pub gnum: i32,
    pub gcode: String,
    pub gname: String,
    pub qty: Decimal,
    pub unit: String,
    pub price: Decimal,
    pub total_price: Decimal,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportListFacts {
    pub order_no: String,
    pub ebp_code: String,
    pub ebc_code: String,
    pub logistics_code: String,
    pub logistics_no: String,
    pub cop_no: String,
    pub pre_no: Option<String>,
    pub invt_no: Option<String>,
    /// The customs of declaration.
    pub customs_code: String,
    /// The customs code of the actual exit port.
    pub port_code: String,
    pub trade_mode: String,
    /// `A` simplified declaration, `B` summary declaration.
    pub statistics_flag: String,
    pub agent_code: String,
    pub owner_code: String,
    /// An export licence number, when the goods need one.
    #[serde(default)]
    pub license_no: Option<String>,
    pub freight: Decimal,
    /// Destination country (运抵国), transport mode and weights: the keys
    /// and totals of a summary declaration.
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub traf_mode: String,
    #[serde(default)]
    pub gross_weight: Decimal,
    #[serde(default)]
    pub net_weight: Decimal,
    /// The bill of lading and voyage the list's waybill was put on by a bill
    /// link (CEB607).
    #[serde(default)]
    pub bill_no: Option<String>,
    #[serde(default)]
    pub voyage_no: Option<String>,
    /// The China date (`yyyymmdd`) the list was released, set by customs;
    /// summary applications by time window find lists by it.
    #[serde(default)]
    pub released_on: Option<String>,
    /// An outcome forced by a sandbox marker (set only on a sandbox server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<crate::sandbox::Forced>,
    /// The enterprises behind the list, for the risk engine (see
    /// [`ListFacts::parties`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<cbec_risk::Party>,
    pub items: Vec<ExportItem>,
}

/// The attached-document type that links a B2B export declaration form
/// to its order or booking (跨境B2B出口单证).
pub const B2B_ATTACHMENT: &str = "10000004";

/// A customs declaration form of a B2B export (9710, 9810) as customs
/// records it: its number and the order or booking its 10000004 attached
/// document names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormFacts {
    /// The declaration number (报关单号, 18 characters).
    pub entry_id: String,
    /// 9710 or 9810.
    pub trade_mode: String,
    pub customs_code: String,
    pub ebc_code: String,
    /// The order or booking of the 10000004 document: platform + number.
    pub ebp_code: String,
    pub order_no: String,
}

/// One part of a master/house bill link (CEB607).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillLinkFacts {
    pub customs_code: String,
    pub cop_no: String,
    pub pre_no: Option<String>,
    pub agent_code: String,
    pub logistics_code: String,
    pub traf_mode: String,
    pub voyage_no: String,
    pub bill_no: String,
    pub msg_count: i32,
    pub msg_seq_no: i32,
    /// The waybills (house bills) of this part and their package numbers.
    pub waybills: Vec<BillLinkWaybill>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillLinkWaybill {
    pub logistics_no: String,
    pub total_package_no: Option<String>,
}

/// A return tally detail (CEB215): the goods of an export return, counted
/// in at the supervised site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyFacts {
    pub customs_code: String,
    pub operator_code: String,
    pub logistics_code: String,
    /// The inbound waybill of the returned goods.
    pub logistics_no: String,
    /// The original export list, when given.
    pub invt_no: Option<String>,
    /// The return's own number (`coElNo` of the CEB213).
    pub co_el_no: String,
    pub pre_no: Option<String>,
    pub bill_no: String,
    pub location: Option<String>,
}

/// A summary application (CEB701): released retail export lists of one
/// e-commerce enterprise to be gathered into customs declarations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryFacts {
    /// The customs of declaration.
    pub customs_code: String,
    pub cop_no: String,
    pub pre_no: Option<String>,
    /// Assigned by customs when the application is accepted.
    pub sum_no: Option<String>,
    pub agent_code: String,
    pub agent_name: String,
    pub ebc_code: String,
    pub ebc_name: String,
    /// The customs broker of the follow-up declaration.
    pub decl_agent_code: String,
    pub decl_agent_name: String,
    /// The time window (`yyyyMMddhhmmss`, China time); when given, the
    /// body list is ignored and every eligible list released in it is taken.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// `1`: one declaration per consignor; `2`: per consignor and
    /// producer/seller.
    pub summary_flag: String,
    /// `1`: items merged under their original name as well.
    pub item_name_flag: String,
    pub msg_count: i32,
    pub msg_seq_no: i32,
    /// The lists named in the body (`invtNo`).
    pub invt_nos: Vec<String>,
}

/// The days a summary window covers, as `yyyymmdd`, or why it is not a
/// window: both ends real times `yyyyMMddhhmmss`, the start not after the
/// end, at most [`MAX_WINDOW_DAYS`] days.
pub fn window_days(start: &str, end: &str) -> Result<Vec<String>, String> {
    let day = |t: &str, name: &str| {
        AppTime::parse(t)
            .ok()
            .and_then(|_| Date8::parse(t.get(..8)?).ok())
            .map(|d| d.day_number())
            .ok_or_else(|| format!("{name} {t:?} is not a time yyyyMMddhhmmss"))
    };
    let (a, b) = (day(start, "startTime")?, day(end, "endTime")?);
    if b < a || end < start {
        return Err(format!("startTime {start} is after endTime {end}"));
    }
    if b - a + 1 > MAX_WINDOW_DAYS {
        return Err(format!(
            "the window {start}–{end} spans {} days; summarise at most {MAX_WINDOW_DAYS} days at a time",
            b - a + 1
        ));
    }
    Ok((a..=b).filter_map(Date8::from_day_number).map(|d| d.as_str().to_string()).collect())
}

/// The longest summary window: a calendar month.
pub const MAX_WINDOW_DAYS: i64 = 31;

/// An export list cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportCancelFacts {
    pub invt_no: String,
    pub customs_code: String,
    pub cop_no: String,
    pub pre_no: Option<String>,
    pub agent_code: String,
    pub ebc_code: String,
    pub reason: String,
}

/// An arrival or a departure: one manifest part naming waybills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementFacts {
    /// Where it happens (the customs of the supervised site, or of exit).
    pub customs_code: String,
    pub cop_no: String,
    pub pre_no: Option<String>,
    /// The supervised-site operator (arrivals).
    pub operator_code: Option<String>,
    pub logistics_code: String,
    pub msg_count: i32,
    pub msg_seq_no: i32,
    /// The waybill numbers of the goods.
    pub logistics_nos: Vec<String>,
}

/// A retail export return application (CEB213).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRefundFacts {
    /// The original export list.
    pub invt_no: String,
    /// The enterprise's own number (`coElNo`).
    pub co_el_no: String,
    pub pre_no: Option<String>,
    pub ebp_code: String,
    pub ebc_code: String,
    pub agent_code: String,
    pub logistics_code: String,
    pub logistics_no: String,
    /// 9661 (retail export return) or 1261 (bonded), when given.
    pub trade_mode: Option<String>,
    /// The country the goods come back from.
    pub country: String,
    pub items: Vec<RefundItem>,
}

/// The facts of one document, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Facts {
    Order(OrderFacts),
    Payment(PaymentFacts),
    Waybill(WaybillFacts),
    List(ListFacts),
    Cancel(CancelFacts),
    Refund(RefundFacts),
    ExportOrder(ExportOrderFacts),
    Collection(CollectionFacts),
    ExportWaybill(ExportWaybillFacts),
    ExportList(ExportListFacts),
    ExportCancel(ExportCancelFacts),
    Arrival(MovementFacts),
    Departure(MovementFacts),
    ExportRefund(ExportRefundFacts),
    Summary(SummaryFacts),
    ExportTally(TallyFacts),
    BillLink(BillLinkFacts),
    DeclarationForm(FormFacts),
}

/// Business-key strings. Two documents are related when they share one.
pub mod key {
    /// A buyer's identity number, for searches only: no decision reads it
    /// (see [`Facts::search_keys`](super::Facts::search_keys)).
    pub fn buyer(id_number: &str) -> String {
        format!("buyer|{}", id_number.trim().to_uppercase())
    }
    /// A list's own number given by its sender (copNo), for searches only.
    pub fn cop(cop_no: &str) -> String {
        format!("cop|{}", cop_no.trim())
    }
    /// An order and everything declared against it: platform + order number.
    pub fn order(ebp: &str, order_no: &str) -> String {
        format!("order|{ebp}|{order_no}")
    }
    /// A payment transaction: payment enterprise + transaction id.
    pub fn payment(pay_code: &str, transaction: &str) -> String {
        format!("pay|{pay_code}|{transaction}")
    }
    /// A waybill: logistics enterprise + waybill number.
    pub fn waybill(logistics_code: &str, logistics_no: &str) -> String {
        format!("waybill|{logistics_code}|{logistics_no}")
    }
    /// A customs list number.
    pub fn invt(invt_no: &str) -> String {
        format!("invt|{invt_no}")
    }
    /// An export order and what is declared against it.
    pub fn export_order(ebp: &str, order_no: &str) -> String {
        format!("xorder|{ebp}|{order_no}")
    }
    /// An export waybill.
    pub fn export_waybill(logistics_code: &str, logistics_no: &str) -> String {
        format!("xwaybill|{logistics_code}|{logistics_no}")
    }
    /// The export lists of an e-commerce enterprise released on a China
    /// date (`yyyymmdd`): how summary windows find them. Not followed when
    /// gathering a document's relations.
    pub fn released(ebc_code: &str, date: &str) -> String {
        format!("{RELEASED}{ebc_code}|{date}")
    }
    /// A bill link (all its parts): agent + its own number.
    pub fn bill_link(agent_code: &str, cop_no: &str) -> String {
        format!("xbill|{agent_code}|{cop_no}")
    }
    /// All parts of one split arrival or departure manifest: its kind, the
    /// customs where it happens and the enterprise's number.
    pub fn manifest(kind: super::Kind, customs_code: &str, cop_no: &str) -> String {
        format!("manifest|{}|{customs_code}|{cop_no}", kind.name())
    }
    /// A customs declaration form by its number.
    pub fn form(entry_id: &str) -> String {
        format!("form|{entry_id}")
    }
    /// An export return and its tally: the inbound waybill of the goods.
    pub fn export_return(logistics_code: &str, logistics_no: &str) -> String {
        format!("xreturn|{logistics_code}|{logistics_no}")
    }
    /// The prefix of [`released`] keys.
    pub const RELEASED: &str = "xrel|";
    /// A summary application (all its parts): agent + its own number.
    pub fn summary(agent_code: &str, cop_no: &str) -> String {
        format!("xsum|{agent_code}|{cop_no}")
    }
}

impl Facts {
    pub fn kind(&self) -> Kind {
        match self {
            Facts::Order(_) => Kind::Order,
            Facts::Payment(_) => Kind::Payment,
            Facts::Waybill(_) => Kind::Waybill,
            Facts::List(_) => Kind::List,
            Facts::Cancel(_) => Kind::Cancel,
            Facts::Refund(_) => Kind::Refund,
            Facts::ExportOrder(_) => Kind::ExportOrder,
            Facts::Collection(_) => Kind::Collection,
            Facts::ExportWaybill(_) => Kind::ExportWaybill,
            Facts::ExportList(_) => Kind::ExportList,
            Facts::ExportCancel(_) => Kind::ExportCancel,
            Facts::Arrival(_) => Kind::Arrival,
            Facts::Departure(_) => Kind::Departure,
            Facts::ExportRefund(_) => Kind::ExportRefund,
            Facts::Summary(_) => Kind::Summary,
            Facts::ExportTally(_) => Kind::ExportTally,
            Facts::BillLink(_) => Kind::BillLink,
            Facts::DeclarationForm(_) => Kind::DeclarationForm,
        }
    }

    /// The keys this document is found by.
    pub fn keys(&self) -> Vec<String> {
        match self {
            Facts::Order(o) => {
                let mut keys = vec![key::order(&o.ebp_code, &o.order_no)];
                if let (Some(p), Some(t)) = (&o.pay_code, &o.pay_transaction_id) {
                    keys.push(key::payment(p, t));
                }
                keys
            }
            Facts::Payment(p) => {
                vec![key::order(&p.ebp_code, &p.order_no), key::payment(&p.pay_code, &p.pay_transaction_id)]
            }
            Facts::Waybill(w) => vec![key::waybill(&w.logistics_code, &w.logistics_no)],
            Facts::List(l) => {
                let mut keys =
                    vec![key::order(&l.ebp_code, &l.order_no), key::waybill(&l.logistics_code, &l.logistics_no)];
                if let Some(n) = &l.invt_no {
                    keys.push(key::invt(n));
                }
                keys
            }
            Facts::Cancel(c) => vec![key::invt(&c.invt_no)],
            Facts::Refund(r) => vec![key::invt(&r.invt_no)],
            Facts::ExportOrder(o) => vec![key::export_order(&o.ebp_code, &o.order_no)],
            Facts::Collection(c) => vec![key::export_order(&c.ebp_code, &c.order_no)],
            Facts::ExportWaybill(w) => vec![key::export_waybill(&w.logistics_code, &w.logistics_no)],
            Facts::ExportCancel(c) => vec![key::invt(&c.invt_no)],
            Facts::ExportRefund(r) => {
                vec![key::invt(&r.invt_no), key::export_return(&r.logistics_code, &r.logistics_no)]
            }
            Facts::ExportTally(t) => vec![key::export_return(&t.logistics_code, &t.logistics_no)],
            Facts::BillLink(b) => vec![key::bill_link(&b.agent_code, &b.cop_no)],
            Facts::DeclarationForm(f) => vec![key::form(&f.entry_id), key::export_order(&f.ebp_code, &f.order_no)],
            Facts::Arrival(m) | Facts::Departure(m) => {
                let mut keys: Vec<String> =
                    m.logistics_nos.iter().map(|n| key::export_waybill(&m.logistics_code, n)).collect();
                keys.push(key::manifest(self.kind(), &m.customs_code, &m.cop_no));
                keys
            }
            Facts::ExportList(l) => {
                let mut keys = vec![
                    key::export_order(&l.ebp_code, &l.order_no),
                    key::export_waybill(&l.logistics_code, &l.logistics_no),
                ];
                if let Some(n) = &l.invt_no {
                    keys.push(key::invt(n));
                }
                if let Some(day) = &l.released_on {
                    keys.push(key::released(&l.ebc_code, day));
                }
                keys
            }
            Facts::Summary(s) => vec![key::summary(&s.agent_code, &s.cop_no)],
        }
    }

    /// The keys people search documents by that no decision reads: the
    /// buyer's identity number (orders, lists) and a list's copNo. The
    /// store indexes them beside [`keys`](Facts::keys); [`wants`](Facts::wants)
    /// never names them.
    pub fn search_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        let mut add = |k: Option<String>| {
            if let Some(k) = k.filter(|k| !k.ends_with('|')) {
                keys.push(k);
            }
        };
        match self {
            Facts::Order(o) => add(Some(key::buyer(&o.buyer_id_number))),
            Facts::List(l) => {
                add(Some(key::buyer(&l.buyer_id_number)));
                add(l.cop_no.as_deref().map(key::cop));
            }
            Facts::ExportList(l) => add(Some(key::cop(&l.cop_no))),
            _ => {}
        }
        keys
    }

    /// The keys to read when this document is decided: its own
    /// ([`keys`](Facts::keys)) and, for a summary application, the lists it
    /// names or the days of its window.
    pub fn wants(&self) -> Vec<String> {
        let mut keys = self.keys();
        if let Facts::BillLink(b) = self {
            keys.extend(b.waybills.iter().map(|w| key::export_waybill(&b.logistics_code, &w.logistics_no)));
        }
        if let Facts::Summary(s) = self {
            match (&s.start_time, &s.end_time) {
                (Some(a), Some(b)) => {
                    keys.extend(window_days(a, b).unwrap_or_default().iter().map(|d| key::released(&s.ebc_code, d)))
                }
                _ => keys.extend(s.invt_nos.iter().map(|n| key::invt(n))),
            }
        }
        keys
    }

    /// The key shown to people and in the receipts API: orderNo,
    /// logisticsNo, payTransactionId or invtNo.
    pub fn business_key(&self) -> String {
        match self {
            Facts::Order(o) => o.order_no.clone(),
            Facts::Payment(p) => p.pay_transaction_id.clone(),
            Facts::Waybill(w) => w.logistics_no.clone(),
            Facts::List(l) => l.invt_no.clone().or_else(|| l.cop_no.clone()).unwrap_or_else(|| l.order_no.clone()),
            Facts::Cancel(c) => c.invt_no.clone(),
            Facts::Refund(r) => r.invt_no.clone(),
            Facts::ExportOrder(o) => o.order_no.clone(),
            Facts::Collection(c) => c.pay_no.clone().unwrap_or_else(|| c.order_no.clone()),
            Facts::ExportWaybill(w) => w.logistics_no.clone(),
            Facts::ExportList(l) => l.invt_no.clone().unwrap_or_else(|| l.cop_no.clone()),
            Facts::ExportCancel(c) => c.invt_no.clone(),
            Facts::Arrival(m) | Facts::Departure(m) => m.cop_no.clone(),
            Facts::ExportRefund(r) => r.invt_no.clone(),
            Facts::Summary(s) => s.sum_no.clone().unwrap_or_else(|| s.cop_no.clone()),
            Facts::ExportTally(t) => t.co_el_no.clone(),
            Facts::BillLink(b) => b.bill_no.clone(),
            Facts::DeclarationForm(f) => f.entry_id.clone(),
        }
    }

    /// The e-port number of a list, cancellation or return (`None` for
    /// kinds without one).
    pub fn pre_no(&self) -> Option<&Option<String>> {
        match self {
            Facts::List(l) => Some(&l.pre_no),
            Facts::ExportList(l) => Some(&l.pre_no),
            Facts::Cancel(c) => Some(&c.pre_no),
            Facts::ExportCancel(c) => Some(&c.pre_no),
            Facts::Arrival(m) | Facts::Departure(m) => Some(&m.pre_no),
            Facts::ExportRefund(r) => Some(&r.pre_no),
            Facts::Refund(r) => Some(&r.pre_no),
            Facts::Summary(s) => Some(&s.pre_no),
            Facts::ExportTally(t) => Some(&t.pre_no),
            Facts::BillLink(b) => Some(&b.pre_no),
            _ => None,
        }
    }

    /// The e-port number of a list, cancellation or return, to be filled
    /// on receipt when missing; `None` for other kinds.
    pub fn pre_no_mut(&mut self) -> Option<&mut Option<String>> {
        match self {
            Facts::List(l) => Some(&mut l.pre_no),
            Facts::ExportList(l) => Some(&mut l.pre_no),
            Facts::ExportCancel(c) => Some(&mut c.pre_no),
            Facts::Arrival(m) | Facts::Departure(m) => Some(&mut m.pre_no),
            Facts::ExportRefund(r) => Some(&mut r.pre_no),
            Facts::Cancel(c) => Some(&mut c.pre_no),
            Facts::Refund(r) => Some(&mut r.pre_no),
            Facts::Summary(s) => Some(&mut s.pre_no),
            Facts::ExportTally(t) => Some(&mut t.pre_no),
            Facts::BillLink(b) => Some(&mut b.pre_no),
            _ => None,
        }
    }

    /// The enterprises named in the document, with the role each plays
    /// (`ebp`, `ebc`, `pay`, `logistics`, `agent`, `assure`), which receive
    /// its receipts and must be filed.
    pub fn parties(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut add = |role: &'static str, code: &str| {
            if !code.is_empty() && code != "无" && !out.iter().any(|(r, c): &(&str, String)| *r == role && c == code) {
                out.push((role, code.to_string()));
            }
        };
        match self {
            Facts::Order(o) => {
                add("ebp", &o.ebp_code);
                add("ebc", &o.ebc_code);
            }
            Facts::Payment(p) => {
                add("pay", &p.pay_code);
                add("ebp", &p.ebp_code);
            }
            Facts::Waybill(w) => add("logistics", &w.logistics_code),
            Facts::List(l) => {
                add("ebp", &l.ebp_code);
                add("ebc", &l.ebc_code);
                add("logistics", &l.logistics_code);
                add("agent", &l.agent_code);
            }
            Facts::Cancel(c) => {
                add("ebp", &c.ebp_code);
                add("ebc", &c.ebc_code);
                add("logistics", &c.logistics_code);
                add("agent", &c.agent_code);
            }
            Facts::Refund(r) => {
                add("ebp", &r.ebp_code);
                add("ebc", &r.ebc_code);
                add("logistics", &r.logistics_code);
                add("agent", &r.agent_code);
            }
            Facts::ExportOrder(o) => {
                add("ebp", &o.ebp_code);
                add("ebc", &o.ebc_code);
            }
            Facts::Collection(c) => {
                add("ebp", &c.ebp_code);
                add("ebc", &c.ebc_code);
                if let Some(p) = &c.pay_code {
                    add("pay", p);
                }
            }
            Facts::ExportWaybill(w) => add("logistics", &w.logistics_code),
            Facts::ExportList(l) => {
                add("ebp", &l.ebp_code);
                add("ebc", &l.ebc_code);
                add("logistics", &l.logistics_code);
                add("agent", &l.agent_code);
            }
            Facts::ExportCancel(c) => {
                add("ebc", &c.ebc_code);
                add("agent", &c.agent_code);
            }
            Facts::Arrival(m) | Facts::Departure(m) => {
                if let Some(op) = &m.operator_code {
                    add("operator", op);
                }
                add("logistics", &m.logistics_code);
            }
            Facts::ExportRefund(r) => {
                add("ebp", &r.ebp_code);
                add("ebc", &r.ebc_code);
                add("agent", &r.agent_code);
                add("logistics", &r.logistics_code);
            }
            Facts::Summary(s) => {
                add("agent", &s.agent_code);
                add("ebc", &s.ebc_code);
            }
            Facts::ExportTally(t) => {
                add("operator", &t.operator_code);
                add("logistics", &t.logistics_code);
            }
            Facts::BillLink(b) => {
                add("agent", &b.agent_code);
                add("logistics", &b.logistics_code);
            }
            Facts::DeclarationForm(f) => {
                add("ebc", &f.ebc_code);
                add("ebp", &f.ebp_code);
            }
        }
        out
    }
}

/// One business element of an incoming message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The element's own `guid` (receipts carry it).
    pub guid: String,
    pub app_type: AppType,
    /// `appStatus` 1 (temporary save) or 2 (declare).
    pub declared: bool,
    /// The element's `note` (where a sandbox marker goes).
    pub note: Option<String>,
    pub facts: Facts,
}

fn owned(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The clearance documents of a decoded import message, in message order.
/// `None` for message types clearance does not (yet) take in.
pub fn documents(message: &Message) -> Option<Vec<Incoming>> {
    let docs = match message {
        Message::CEB311Message(m) => m.order.iter().map(order).collect(),
        Message::CEB411Message(m) => m.payment.iter().map(|p| payment(&p.payment_head)).collect(),
        Message::CEB511Message(m) => m.logistics.iter().map(|l| waybill(&l.logistics_head)).collect(),
        Message::CEB621Message(m) => m.inventory.iter().map(list).collect(),
        Message::CEB623Message(m) => m.invt_cancel.iter().map(cancel).collect(),
        Message::CEB625Message(m) => m.invt_refund.iter().map(refund).collect(),
        Message::CEB303Message(m) => m.order.iter().map(export_order).collect(),
        Message::CEB403Message(m) => m.receipts.iter().map(collection).collect(),
        Message::CEB505Message(m) => m.logistics.iter().map(export_waybill).collect(),
        Message::CEB603Message(m) => m.inventory.iter().map(export_list).collect(),
        Message::CEB605Message(m) => m.invt_cancel.iter().map(export_cancel).collect(),
        Message::CEB507Message(m) => m.arrival.iter().map(arrival).collect(),
        Message::CEB509Message(m) => m.departure.iter().map(departure).collect(),
        Message::CEB213Message(m) => m.invt_refund.iter().map(export_refund).collect(),
        Message::CEB701Message(m) => m.summary_apply.iter().map(summary).collect(),
        Message::CEB215Message(m) => m.invt_refund_detail.iter().map(tally).collect(),
        Message::CEB607Message(m) => m.way_bill.iter().map(bill_link).collect(),
        _ => return None,
    };
    Some(docs)
}

fn incoming(guid: &str, app_type: &str, app_status: &str, note: &Option<String>, facts: Facts) -> Incoming {
    Incoming {
        guid: guid.to_string(),
        app_type: AppType::parse(app_type),
        declared: app_status != "1",
        note: owned(note),
        facts,
    }
}

fn order(o: &import::CEB311Order) -> Incoming {
    let h = &o.order_head;
    let facts = OrderFacts {
        order_no: h.order_no.clone(),
        ebp_code: h.ebp_code.clone(),
        ebc_code: h.ebc_code.clone(),
        goods_value: h.goods_value,
        freight: h.freight,
        discount: h.discount,
        tax_total: h.tax_total,
        actural_paid: h.actural_paid,
        buyer_name: h.buyer_name.clone(),
        buyer_id_number: h.buyer_id_number.clone(),
        pay_code: owned(&h.pay_code),
        pay_transaction_id: owned(&h.pay_transaction_id),
        consignee: h.consignee.clone(),
        consignee_telephone: h.consignee_telephone.clone(),
        consignee_address: h.consignee_address.clone(),
        items: o
            .order_list
            .iter()
            .map(|i| OrderItem {
                gnum: i.gnum,
                item_name: i.item_name.clone(),
                qty: i.qty,
                price: i.price,
                total_price: i.total_price,
            })
            .collect(),
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::Order(facts))
}

fn payment(h: &import::PaymentHead) -> Incoming {
    let facts = PaymentFacts {
        pay_code: h.pay_code.clone(),
        pay_transaction_id: h.pay_transaction_id.clone(),
        order_no: h.order_no.clone(),
        ebp_code: h.ebp_code.clone(),
        payer_name: h.payer_name.clone(),
        payer_id_number: h.payer_id_number.clone(),
        amount_paid: h.amount_paid,
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::Payment(facts))
}

fn waybill(h: &import::LogisticsHead) -> Incoming {
    let facts = WaybillFacts {
        logistics_code: h.logistics_code.clone(),
        logistics_no: h.logistics_no.clone(),
        order_no: h.order_no.clone(),
        consignee: h.consignee.clone(),
        consignee_telephone: h.consignee_telephone.clone(),
        consignee_address: h.consignee_address.clone(),
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::Waybill(facts))
}

fn list(i: &import::CEB621Inventory) -> Incoming {
    let h = &i.inventory_head;
    let facts = ListFacts {
        order_no: h.order_no.clone(),
        ebp_code: h.ebp_code.clone(),
        ebc_code: h.ebc_code.clone(),
        logistics_code: h.logistics_code.clone(),
        logistics_no: h.logistics_no.clone(),
        cop_no: owned(&h.cop_no),
        pre_no: owned(&h.pre_no),
        invt_no: owned(&h.invt_no),
        assure_code: h.assure_code.clone(),
        agent_code: h.agent_code.clone(),
        customs_code: h.customs_code.clone(),
        trade_mode: h.trade_mode.clone(),
        ems_no: owned(&h.ems_no),
        area_code: owned(&h.area_code),
        buyer_name: h.buyer_name.clone(),
        buyer_id_number: h.buyer_id_number.clone(),
        freight: h.freight,
        insured_fee: h.insured_fee,
        port_code: h.port_code.clone(),
        country: h.country.clone(),
        traf_mode: h.traf_mode.clone(),
        net_weight: h.net_weight,
        sandbox: None,
        parties: Vec::new(),
        items: i
            .inventory_list
            .iter()
            .map(|l| ListItem {
                gnum: l.gnum,
                gcode: l.gcode.clone(),
                gname: l.gname.clone(),
                item_record_no: owned(&l.item_record_no),
                qty: l.qty,
                unit: l.unit.clone(),
                price: l.price,
                total_price: l.total_price,
                gmodel: l.gmodel.clone(),
                country: l.country.clone(),
                qty1: l.qty1,
                unit1: l.unit1.clone(),
            })
            .collect(),
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::List(facts))
}

fn cancel(c: &import::InvtCancel) -> Incoming {
    let facts = CancelFacts {
        invt_no: c.invt_no.clone(),
        order_no: c.order_no.clone(),
        ebp_code: c.ebp_code.clone(),
        ebc_code: c.ebc_code.clone(),
        logistics_code: c.logistics_code.clone(),
        logistics_no: c.logistics_no.clone(),
        agent_code: c.agent_code.clone(),
        customs_code: c.customs_code.clone(),
        cop_no: owned(&c.cop_no),
        pre_no: owned(&c.pre_no),
        reason: c.reason.clone(),
    };
    incoming(&c.guid, &c.app_type, &c.app_status, &c.note, Facts::Cancel(facts))
}

fn refund(r: &import::CEB625InvtRefund) -> Incoming {
    let h = &r.invt_refund_head;
    let facts = RefundFacts {
        invt_no: h.invt_no.clone(),
        order_no: h.order_no.clone(),
        ebp_code: h.ebp_code.clone(),
        ebc_code: h.ebc_code.clone(),
        logistics_code: h.logistics_code.clone(),
        logistics_no: h.logistics_no.clone(),
        agent_code: h.agent_code.clone(),
        customs_code: h.customs_code.clone(),
        cop_no: owned(&h.cop_no),
        pre_no: owned(&h.pre_no),
        reason: h.reason.clone(),
        items: r
            .invt_refund_list
            .iter()
            .map(|i| RefundItem { gnum: i.gnum, gcode: i.gcode.clone(), gname: i.gname.clone(), qty: i.qty })
            .collect(),
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::Refund(facts))
}

fn export_order(o: &export::Order) -> Incoming {
    let h = &o.order_head;
    let facts = ExportOrderFacts {
        order_type: h.order_type.clone(),
        order_no: h.order_no.clone(),
        ebp_code: h.ebp_code.clone(),
        ebc_code: h.ebc_code.clone(),
        goods_value: h.goods_value,
        freight: h.freight,
        currency: h.currency.clone(),
        items: o
            .order_list
            .iter()
            .map(|i| OrderItem {
                gnum: i.gnum,
                item_name: i.item_name.clone(),
                qty: i.qty,
                price: i.price,
                total_price: i.total_price,
            })
            .collect(),
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::ExportOrder(facts))
}

fn collection(r: &export::Receipts) -> Incoming {
    let facts = CollectionFacts {
        order_no: r.order_no.clone(),
        ebp_code: r.ebp_code.clone(),
        ebc_code: r.ebc_code.clone(),
        pay_code: owned(&r.pay_code),
        pay_no: owned(&r.pay_no),
        charge: r.charge,
        currency: r.currency.clone(),
    };
    incoming(&r.guid, &r.app_type, &r.app_status, &r.note, Facts::Collection(facts))
}

fn export_waybill(l: &export::Logistics) -> Incoming {
    let facts = ExportWaybillFacts {
        logistics_code: l.logistics_code.clone(),
        logistics_no: l.logistics_no.clone(),
        freight: l.freight,
        ebc_code: owned(&l.ebc_code),
    };
    incoming(&l.guid, &l.app_type, &l.app_status, &l.note, Facts::ExportWaybill(facts))
}

fn export_list(i: &export::Inventory) -> Incoming {
    let h = &i.inventory_head;
    let facts = ExportListFacts {
        order_no: h.order_no.clone(),
        ebp_code: h.ebp_code.clone(),
        ebc_code: h.ebc_code.clone(),
        logistics_code: h.logistics_code.clone(),
        logistics_no: h.logistics_no.clone(),
        cop_no: h.cop_no.clone(),
        pre_no: owned(&h.pre_no),
        invt_no: owned(&h.invt_no),
        customs_code: h.customs_code.clone(),
        port_code: h.port_code.clone(),
        trade_mode: h.trade_mode.clone(),
        statistics_flag: h.statistics_flag.clone(),
        agent_code: h.agent_code.clone(),
        owner_code: h.owner_code.clone(),
        license_no: owned(&h.license_no),
        freight: h.freight,
        country: h.country.clone(),
        traf_mode: h.traf_mode.clone(),
        bill_no: owned(&h.bill_no),
        voyage_no: owned(&h.voyage_no),
        gross_weight: h.gross_weight,
        net_weight: h.net_weight,
        released_on: None,
        sandbox: None,
        parties: Vec::new(),
        items: i
            .inventory_list
            .iter()
            .map(|l| ExportItem {
                gnum: l.gnum,
                gcode: l.gcode.clone(),
                gname: l.gname.clone(),
                qty: l.qty,
                unit: l.unit.clone(),
                price: l.price,
                total_price: l.total_price,
                currency: l.currency.clone(),
            })
            .collect(),
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::ExportList(facts))
}

fn export_cancel(c: &export::InvtCancel) -> Incoming {
    let facts = ExportCancelFacts {
        invt_no: c.invt_no.clone(),
        customs_code: c.customs_code.clone(),
        cop_no: c.cop_no.clone(),
        pre_no: owned(&c.pre_no),
        agent_code: c.agent_code.clone(),
        ebc_code: c.ebc_code.clone(),
        reason: c.reason.clone(),
    };
    incoming(&c.guid, &c.app_type, &c.app_status, &c.note, Facts::ExportCancel(facts))
}

fn arrival(a: &export::Arrival) -> Incoming {
    let h = &a.arrival_head;
    let facts = MovementFacts {
        customs_code: h.customs_code.clone(),
        cop_no: h.cop_no.clone(),
        pre_no: owned(&h.pre_no),
        operator_code: Some(h.operator_code.clone()),
        logistics_code: h.logistics_code.clone(),
        msg_count: h.msg_count,
        msg_seq_no: h.msg_seq_no,
        logistics_nos: a.arrival_list.iter().map(|l| l.logistics_no.clone()).collect(),
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::Arrival(facts))
}

fn departure(d: &export::Departure) -> Incoming {
    let h = &d.departure_head;
    let facts = MovementFacts {
        customs_code: h.customs_code.clone(),
        cop_no: h.cop_no.clone(),
        pre_no: owned(&h.pre_no),
        operator_code: None,
        logistics_code: h.logistics_code.clone(),
        msg_count: h.msg_count,
        msg_seq_no: h.msg_seq_no,
        logistics_nos: d.departure_list.iter().map(|l| l.logistics_no.clone()).collect(),
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::Departure(facts))
}

fn export_refund(r: &export::InvtRefund) -> Incoming {
    let h = &r.invt_refund_head;
    let facts = ExportRefundFacts {
        invt_no: h.invt_no.clone(),
        co_el_no: h.co_el_no.clone(),
        pre_no: owned(&h.pre_no),
        ebp_code: h.ebp_code.clone(),
        ebc_code: h.ebc_code.clone(),
        agent_code: h.agent_code.clone(),
        logistics_code: h.logistics_code.clone(),
        logistics_no: h.logistics_no.clone(),
        trade_mode: owned(&h.trade_mode),
        country: h.country.clone(),
        items: r
            .invt_refund_list
            .iter()
            .map(|i| RefundItem { gnum: i.gnum, gcode: i.gcode.clone(), gname: i.gname.clone(), qty: i.qty })
            .collect(),
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::ExportRefund(facts))
}

fn bill_link(b: &export::WayBill) -> Incoming {
    let h = &b.way_bill_head;
    let facts = BillLinkFacts {
        customs_code: h.customs_code.clone(),
        cop_no: h.cop_no.clone(),
        pre_no: owned(&h.pre_no),
        agent_code: h.agent_code.clone(),
        logistics_code: h.logistics_code.clone(),
        traf_mode: h.traf_mode.clone(),
        voyage_no: h.voyage_no.clone(),
        bill_no: h.bill_no.clone(),
        msg_count: h.msg_count,
        msg_seq_no: h.msg_seq_no,
        waybills: b
            .way_bill_list
            .iter()
            .map(|w| BillLinkWaybill {
                logistics_no: w.logistics_no.trim().to_string(),
                total_package_no: owned(&w.total_package_no),
            })
            .collect(),
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::BillLink(facts))
}

fn tally(t: &export::InvtRefundDetail) -> Incoming {
    let facts = TallyFacts {
        customs_code: t.customs_code.clone(),
        operator_code: t.operator_code.clone(),
        logistics_code: t.logistics_code.clone(),
        logistics_no: t.logistics_no.clone(),
        invt_no: owned(&t.invt_no),
        co_el_no: t.co_el_no.clone(),
        pre_no: owned(&t.pre_no),
        bill_no: t.bill_no.clone(),
        location: owned(&t.location),
    };
    incoming(&t.guid, &t.app_type, &t.app_status, &t.note, Facts::ExportTally(facts))
}

fn summary(a: &export::SummaryApply) -> Incoming {
    let h = &a.summary_apply_head;
    let facts = SummaryFacts {
        customs_code: h.customs_code.clone(),
        cop_no: h.cop_no.clone(),
        pre_no: owned(&h.pre_no),
        sum_no: owned(&h.sum_no),
        agent_code: h.agent_code.clone(),
        agent_name: h.agent_name.clone(),
        ebc_code: h.ebc_code.clone(),
        ebc_name: h.ebc_name.clone(),
        decl_agent_code: h.decl_agent_code.clone(),
        decl_agent_name: h.decl_agent_name.clone(),
        start_time: owned(&h.start_time),
        end_time: owned(&h.end_time),
        summary_flag: h.summary_flag.clone(),
        item_name_flag: h.item_name_flag.clone(),
        msg_count: h.msg_count,
        msg_seq_no: h.msg_seq_no,
        invt_nos: a.summary_apply_list.iter().map(|l| l.invt_no.trim().to_string()).collect(),
    };
    incoming(&h.guid, &h.app_type, &h.app_status, &h.note, Facts::Summary(facts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_windows() {
        assert_eq!(window_days("20261130000000", "20261202235959").unwrap(), ["20261130", "20261201", "20261202"]);
        assert_eq!(window_days("20261127090000", "20261127100000").unwrap(), ["20261127"]);
        assert_eq!(window_days("20261201000000", "20261231235959").unwrap().len(), 31);
        let err = |a: &str, b: &str| window_days(a, b).unwrap_err();
        assert!(err("20261201000000", "20270101000000").contains("32 days"));
        assert!(err("20261202000000", "20261201000000").contains("after"));
        assert!(err("20261127100000", "20261127090000").contains("after"));
        assert!(err("2026-11-27", "20261127090000").contains("startTime"));
        assert!(err("20261127090000", "20261327090000").contains("endTime"));
    }
}
