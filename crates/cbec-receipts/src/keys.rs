//! The business keys a receipt echoes, and where they come from.

use cbec_ceb::{Message, export, import};
use cbec_model::ident::ReturnTime;
use serde::{Deserialize, Serialize};

use crate::ReceiptType;

/// The keys a receipt element carries: the union of the key fields of all
/// receipt XSDs. Each receipt type writes the ones its XSD has and ignores
/// the others. Values are strings as received (the XSD names in camelCase in
/// the JSON form), except `msgSeqNo`, an `xs:int` in both the business
/// message and the receipt.
///
/// Which receipt uses which key, and whether the XSD requires it, is listed
/// in the crate documentation. A required key that is missing or refused by
/// the receipt's XSD is an error; an optional one the XSD refuses is left
/// out of the receipt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReceiptKeys {
    /// The business document's guid (every receipt; 36 characters).
    pub guid: String,
    /// Customs of declaration (申报地海关代码).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customs_code: Option<String>,
    /// E-commerce platform (电商平台代码).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebp_code: Option<String>,
    /// E-commerce enterprise (电商企业代码).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebc_code: Option<String>,
    /// Declaring agent (申报企业代码).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_code: Option<String>,
    /// Supervised-site operator (监管场所经营人代码).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_code: Option<String>,
    /// Order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_no: Option<String>,
    /// Payment enterprise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_code: Option<String>,
    /// Payment transaction number (支付交易编号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_transaction_id: Option<String>,
    /// Export receipt-of-payment number (收款单号, CEB403/404).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_no: Option<String>,
    /// Logistics enterprise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logistics_code: Option<String>,
    /// Waybill number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logistics_no: Option<String>,
    /// Waybill status (CEB513/514, `S`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logistics_status: Option<String>,
    /// Bill of lading / master bill (提运单号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_no: Option<String>,
    /// The enterprise's own document number (企业内部编号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cop_no: Option<String>,
    /// The same under the name the export return messages use (CEB213 …
    /// CEB216, `coElNo`). CEB214/216 fall back to `cop_no` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_el_no: Option<String>,
    /// E-port number (电子口岸标识编号), assigned by the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_no: Option<String>,
    /// Customs list number (清单编号), assigned by customs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invt_no: Option<String>,
    /// Summary application number (汇总申请编号, CEB702).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum_no: Option<String>,
    /// Inbound list number (入库单编号, CEB712).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rkd_no: Option<String>,
    /// Export list statistics flag (CEB603/604, `A` or `B`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics_flag: Option<String>,
    /// Sequence number of a split manifest (CEB507/509/607/701 and their
    /// receipts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_seq_no: Option<i32>,
}

/// One return element: the keys of the business document and the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReceiptItem {
    pub keys: ReceiptKeys,
    /// `returnStatus` as a string: `"120"`, `"-621005"` (1 to 10 characters).
    pub return_status: String,
    pub return_time: ReturnTime,
    /// `returnInfo`: cut to the XSD maximum (1000 characters) with "…" if
    /// longer; must not be empty on import receipts.
    pub return_info: String,
}

/// A key read from a business message: an empty element carries none.
fn some(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// An optional key read from a business message, as [`some`].
fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().and_then(some)
}

/// The receipt type and the keys of every business element of an
/// enterprise message, in document order (one receipt item each; CEB711 has
/// one). `None` for messages that are not answered by a receipt.
///
/// The keys are those the business message carries; an empty element
/// gives no key. Numbers the customs
/// side assigns (`preNo`, `invtNo`, `sumNo`, `rkdNo`) are filled only when
/// the enterprise sent them (on a change or deletion); set them before
/// building a receipt that requires them.
pub fn receipt_keys(message: &Message) -> Option<(ReceiptType, Vec<ReceiptKeys>)> {
    let kind = ReceiptType::for_message(message.root_name())?;
    let keys = match message {
        Message::CEB311Message(m) => m.order.iter().map(|o| import_order(&o.order_head)).collect(),
        Message::CEB411Message(m) => m.payment.iter().map(|p| import_payment(&p.payment_head)).collect(),
        Message::CEB511Message(m) => m.logistics.iter().map(|l| import_logistics(&l.logistics_head)).collect(),
        Message::CEB513Message(m) => m.logistics_status.iter().map(import_logistics_status).collect(),
        Message::CEB621Message(m) => m.inventory.iter().map(|i| import_inventory(&i.inventory_head)).collect(),
        Message::CEB623Message(m) => m.invt_cancel.iter().map(import_cancel).collect(),
        Message::CEB625Message(m) => m.invt_refund.iter().map(|r| import_refund(&r.invt_refund_head)).collect(),
        Message::CEB711Message(m) => vec![import_delivery(&m.delivery.delivery_head)],
        Message::CEB303Message(m) => m.order.iter().map(|o| export_order(&o.order_head)).collect(),
        Message::CEB403Message(m) => m.receipts.iter().map(export_receipts).collect(),
        Message::CEB505Message(m) => m.logistics.iter().map(export_logistics).collect(),
        Message::CEB507Message(m) => m.arrival.iter().map(|a| export_arrival(&a.arrival_head)).collect(),
        Message::CEB509Message(m) => m.departure.iter().map(|d| export_departure(&d.departure_head)).collect(),
        Message::CEB603Message(m) => m.inventory.iter().map(|i| export_inventory(&i.inventory_head)).collect(),
        Message::CEB605Message(m) => m.invt_cancel.iter().map(export_cancel).collect(),
        Message::CEB607Message(m) => m.way_bill.iter().map(|w| export_way_bill(&w.way_bill_head)).collect(),
        Message::CEB213Message(m) => m.invt_refund.iter().map(|r| export_refund(&r.invt_refund_head)).collect(),
        Message::CEB215Message(m) => m.invt_refund_detail.iter().map(export_refund_detail).collect(),
        Message::CEB701Message(m) => m.summary_apply.iter().map(|s| export_summary(&s.summary_apply_head)).collect(),
        _ => return None,
    };
    Some((kind, keys))
}

fn import_order(h: &import::OrderHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        ebp_code: some(&h.ebp_code),
        ebc_code: some(&h.ebc_code),
        order_no: some(&h.order_no),
        pay_code: opt(&h.pay_code),
        pay_transaction_id: opt(&h.pay_transaction_id),
        ..ReceiptKeys::default()
    }
}

fn import_payment(h: &import::PaymentHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        pay_code: some(&h.pay_code),
        pay_transaction_id: some(&h.pay_transaction_id),
        order_no: some(&h.order_no),
        ebp_code: some(&h.ebp_code),
        ..ReceiptKeys::default()
    }
}

fn import_logistics(h: &import::LogisticsHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        logistics_code: some(&h.logistics_code),
        logistics_no: some(&h.logistics_no),
        bill_no: opt(&h.bill_no),
        order_no: some(&h.order_no),
        ..ReceiptKeys::default()
    }
}

fn import_logistics_status(h: &import::LogisticsStatus) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        logistics_code: some(&h.logistics_code),
        logistics_no: some(&h.logistics_no),
        logistics_status: some(&h.logistics_status),
        ..ReceiptKeys::default()
    }
}

fn import_inventory(h: &import::InventoryHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        order_no: some(&h.order_no),
        ebp_code: some(&h.ebp_code),
        ebc_code: some(&h.ebc_code),
        agent_code: some(&h.agent_code),
        logistics_code: some(&h.logistics_code),
        logistics_no: some(&h.logistics_no),
        bill_no: opt(&h.bill_no),
        cop_no: opt(&h.cop_no),
        pre_no: opt(&h.pre_no),
        invt_no: opt(&h.invt_no),
        ..ReceiptKeys::default()
    }
}

fn import_cancel(h: &import::InvtCancel) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        order_no: some(&h.order_no),
        ebp_code: some(&h.ebp_code),
        ebc_code: some(&h.ebc_code),
        agent_code: some(&h.agent_code),
        logistics_code: some(&h.logistics_code),
        logistics_no: some(&h.logistics_no),
        cop_no: opt(&h.cop_no),
        pre_no: opt(&h.pre_no),
        invt_no: some(&h.invt_no),
        ..ReceiptKeys::default()
    }
}

fn import_refund(h: &import::InvtRefundHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        order_no: some(&h.order_no),
        ebp_code: some(&h.ebp_code),
        ebc_code: some(&h.ebc_code),
        agent_code: some(&h.agent_code),
        logistics_code: some(&h.logistics_code),
        logistics_no: some(&h.logistics_no),
        cop_no: opt(&h.cop_no),
        pre_no: opt(&h.pre_no),
        invt_no: some(&h.invt_no),
        ..ReceiptKeys::default()
    }
}

fn import_delivery(h: &import::DeliveryHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        operator_code: some(&h.operator_code),
        logistics_code: some(&h.logistics_code),
        bill_no: some(&h.bill_no),
        cop_no: opt(&h.cop_no),
        pre_no: opt(&h.pre_no),
        rkd_no: opt(&h.rkd_no),
        ..ReceiptKeys::default()
    }
}

fn export_order(h: &export::OrderHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        ebp_code: some(&h.ebp_code),
        ebc_code: some(&h.ebc_code),
        order_no: some(&h.order_no),
        ..ReceiptKeys::default()
    }
}

fn export_receipts(h: &export::Receipts) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        ebp_code: some(&h.ebp_code),
        ebc_code: some(&h.ebc_code),
        order_no: some(&h.order_no),
        pay_code: opt(&h.pay_code),
        pay_no: opt(&h.pay_no),
        ..ReceiptKeys::default()
    }
}

fn export_logistics(h: &export::Logistics) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        logistics_code: some(&h.logistics_code),
        logistics_no: some(&h.logistics_no),
        ebc_code: opt(&h.ebc_code),
        ..ReceiptKeys::default()
    }
}

fn export_arrival(h: &export::ArrivalHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        operator_code: some(&h.operator_code),
        logistics_code: some(&h.logistics_code),
        bill_no: opt(&h.bill_no),
        cop_no: some(&h.cop_no),
        pre_no: opt(&h.pre_no),
        msg_seq_no: Some(h.msg_seq_no),
        ..ReceiptKeys::default()
    }
}

fn export_departure(h: &export::DepartureHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        logistics_code: some(&h.logistics_code),
        bill_no: opt(&h.bill_no),
        cop_no: some(&h.cop_no),
        pre_no: opt(&h.pre_no),
        msg_seq_no: Some(h.msg_seq_no),
        ..ReceiptKeys::default()
    }
}

fn export_inventory(h: &export::InventoryHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        ebp_code: some(&h.ebp_code),
        ebc_code: some(&h.ebc_code),
        agent_code: some(&h.agent_code),
        order_no: some(&h.order_no),
        logistics_code: some(&h.logistics_code),
        logistics_no: some(&h.logistics_no),
        bill_no: opt(&h.bill_no),
        cop_no: some(&h.cop_no),
        pre_no: opt(&h.pre_no),
        invt_no: opt(&h.invt_no),
        statistics_flag: some(&h.statistics_flag),
        ..ReceiptKeys::default()
    }
}

fn export_cancel(h: &export::InvtCancel) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        agent_code: some(&h.agent_code),
        ebc_code: some(&h.ebc_code),
        cop_no: some(&h.cop_no),
        pre_no: opt(&h.pre_no),
        invt_no: some(&h.invt_no),
        ..ReceiptKeys::default()
    }
}

fn export_way_bill(h: &export::WayBillHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        agent_code: some(&h.agent_code),
        logistics_code: some(&h.logistics_code),
        bill_no: some(&h.bill_no),
        cop_no: some(&h.cop_no),
        pre_no: opt(&h.pre_no),
        msg_seq_no: Some(h.msg_seq_no),
        ..ReceiptKeys::default()
    }
}

fn export_refund(h: &export::InvtRefundHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        ebp_code: some(&h.ebp_code),
        ebc_code: some(&h.ebc_code),
        agent_code: some(&h.agent_code),
        logistics_code: some(&h.logistics_code),
        logistics_no: some(&h.logistics_no),
        bill_no: some(&h.bill_no),
        co_el_no: some(&h.co_el_no),
        pre_no: opt(&h.pre_no),
        invt_no: some(&h.invt_no),
        ..ReceiptKeys::default()
    }
}

fn export_refund_detail(h: &export::InvtRefundDetail) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        operator_code: some(&h.operator_code),
        logistics_code: some(&h.logistics_code),
        logistics_no: some(&h.logistics_no),
        bill_no: some(&h.bill_no),
        co_el_no: some(&h.co_el_no),
        pre_no: opt(&h.pre_no),
        invt_no: opt(&h.invt_no),
        ..ReceiptKeys::default()
    }
}

fn export_summary(h: &export::SummaryApplyHead) -> ReceiptKeys {
    ReceiptKeys {
        guid: h.guid.clone(),
        customs_code: some(&h.customs_code),
        agent_code: some(&h.agent_code),
        ebc_code: some(&h.ebc_code),
        cop_no: some(&h.cop_no),
        pre_no: opt(&h.pre_no),
        sum_no: opt(&h.sum_no),
        msg_seq_no: Some(h.msg_seq_no),
        ..ReceiptKeys::default()
    }
}
