//! The electronic tax bill (CEB816) and its status (CEB818).

use cbec_ceb::{Message, import};
use cbec_model::ident::{Guid, ReturnTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ReceiptError;
use crate::fields::{Fields, Node, VERSION, check_count};

/// A tax bill's `status` (税单状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaxBillStatus {
    /// `1`: generated (已生成).
    #[serde(rename = "1")]
    Generated,
    /// `2`: summarised (已汇总).
    #[serde(rename = "2")]
    Summarised,
    /// `3`: void (作废).
    #[serde(rename = "3")]
    Void,
}

impl TaxBillStatus {
    /// The code written in the message: `"1"`, `"2"` or `"3"`.
    pub fn code(self) -> &'static str {
        match self {
            TaxBillStatus::Generated => "1",
            TaxBillStatus::Summarised => "2",
            TaxBillStatus::Void => "3",
        }
    }

    /// Reads a code.
    pub fn parse(s: &str) -> Option<TaxBillStatus> {
        match s {
            "1" => Some(TaxBillStatus::Generated),
            "2" => Some(TaxBillStatus::Summarised),
            "3" => Some(TaxBillStatus::Void),
            _ => None,
        }
    }
}

/// A CEB816 electronic tax bill (电子税单): the head (`TaxHeadRd`) and one
/// item per list item taxed (`TaxListRd`, 1 to 99).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaxBill {
    pub head: TaxBillHead,
    pub items: Vec<TaxBillItem>,
}

/// `TaxHeadRd`. Amounts are rounded half away from zero to 5 decimal places
/// (the XSD's `N19,5`) when written; customs normally gives them in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaxBillHead {
    /// The tax bill's own guid; also the message's root `guid`.
    pub guid: Guid,
    pub return_time: ReturnTime,
    /// The import list the bill taxes (C..18).
    pub invt_no: String,
    /// The tax bill number (电子税单编号, C..50).
    pub tax_no: String,
    /// Customs duty (应征关税).
    pub customs_tax: Decimal,
    /// Import VAT (应征增值税).
    pub value_added_tax: Decimal,
    /// Consumption tax (应征消费税).
    pub consumption_tax: Decimal,
    pub status: TaxBillStatus,
    /// Payment form number (缴款书编号, C..50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ent_duty_no: Option<String>,
    /// Free text, cut to 1000 characters with "…" if longer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Guarantor (担保企业编号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assure_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebc_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logistics_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_code: Option<String>,
    /// Customs of declaration (4 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customs_code: Option<String>,
}

/// `TaxListRd`: the tax of one list item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaxBillItem {
    /// The list item number (商品序号).
    pub gnum: u32,
    /// HS code, 10 characters.
    pub gcode: String,
    /// Dutiable value (完税总价格).
    pub tax_price: Decimal,
    pub customs_tax: Decimal,
    pub value_added_tax: Decimal,
    pub consumption_tax: Decimal,
}

/// A CEB818 tax bill status (电子税单状态): `TaxHeadStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaxStatus {
    /// The status message's own guid; also the message's root `guid`.
    pub guid: Guid,
    pub return_time: ReturnTime,
    pub invt_no: String,
    pub tax_no: String,
    pub status: TaxBillStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ent_duty_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assure_code: Option<String>,
}

const CEB816: &str = "CEB816Message";
const CEB818: &str = "CEB818Message";

/// The CEB816 message of one tax bill.
pub fn tax_bill_message(bill: &TaxBill) -> Result<Message, ReceiptError> {
    let root = Node::root(CEB816);
    let tax = root.and_then(|n| n.child("Tax"));
    let head_node = tax.and_then(|n| n.child("TaxHeadRd"));
    let list_node = tax.and_then(|n| n.child("TaxListRd"));
    check_count(CEB816, "TaxListRd", list_node, bill.items.len())?;

    let guid = Fields::new(CEB816, root, String::new()).attr("guid", bill.head.guid.as_str())?;
    let h = &bill.head;
    let f = Fields::new(CEB816, head_node, "Tax[1]/TaxHeadRd".into());
    let tax_head_rd = import::TaxHeadRd {
        guid: f.value("guid", h.guid.as_str())?,
        return_time: f.value("returnTime", h.return_time.as_str())?,
        invt_no: f.value("invtNo", &h.invt_no)?,
        tax_no: f.value("taxNo", &h.tax_no)?,
        customs_tax: f.decimal("customsTax", h.customs_tax)?,
        value_added_tax: f.decimal("valueAddedTax", h.value_added_tax)?,
        consumption_tax: f.decimal("consumptionTax", h.consumption_tax)?,
        status: f.value("status", h.status.code())?,
        ent_duty_no: f.opt("entDutyNo", h.ent_duty_no.as_ref())?,
        note: h.note.as_deref().map(|n| f.text("note", n)).transpose()?,
        assure_code: f.opt("assureCode", h.assure_code.as_ref())?,
        ebc_code: f.opt("ebcCode", h.ebc_code.as_ref())?,
        logistics_code: f.opt("logisticsCode", h.logistics_code.as_ref())?,
        agent_code: f.opt("agentCode", h.agent_code.as_ref())?,
        customs_code: f.opt("customsCode", h.customs_code.as_ref())?,
    };
    let tax_list_rd = bill
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let f = Fields::new(CEB816, list_node, format!("Tax[1]/TaxListRd[{}]", i + 1));
            let gnum = i32::try_from(it.gnum)
                .map_err(|_| f.invalid("gnum", &it.gnum.to_string(), "an xs:int is at most 2147483647"))?;
            Ok(import::TaxListRd {
                gnum: f.int("gnum", Some(gnum))?,
                gcode: f.value("gcode", &it.gcode)?,
                tax_price: f.decimal("taxPrice", it.tax_price)?,
                customs_tax: f.decimal("customsTax", it.customs_tax)?,
                value_added_tax: f.decimal("valueAddedTax", it.value_added_tax)?,
                consumption_tax: f.decimal("consumptionTax", it.consumption_tax)?,
            })
        })
        .collect::<Result<Vec<_>, ReceiptError>>()?;
    Ok(Message::CEB816Message(Box::new(import::CEB816Message {
        guid,
        version: VERSION.to_string(),
        tax: vec![import::CEB816Tax { tax_head_rd, tax_list_rd }],
    })))
}

/// [`tax_bill_message`] encoded as XML, checked against the XSD.
pub fn tax_bill_xml(bill: &TaxBill) -> Result<Vec<u8>, ReceiptError> {
    crate::to_xml(&tax_bill_message(bill)?)
}

/// The CEB818 message of one tax bill status.
pub fn tax_status_message(s: &TaxStatus) -> Result<Message, ReceiptError> {
    let root = Node::root(CEB818);
    let head_node = root.and_then(|n| n.child("Tax")).and_then(|n| n.child("TaxHeadStatus"));
    let guid = Fields::new(CEB818, root, String::new()).attr("guid", s.guid.as_str())?;
    let f = Fields::new(CEB818, head_node, "Tax[1]/TaxHeadStatus".into());
    let tax_head_status = import::TaxHeadStatus {
        guid: f.value("guid", s.guid.as_str())?,
        return_time: f.value("returnTime", s.return_time.as_str())?,
        invt_no: f.value("invtNo", &s.invt_no)?,
        tax_no: f.value("taxNo", &s.tax_no)?,
        status: f.value("status", s.status.code())?,
        ent_duty_no: f.opt("entDutyNo", s.ent_duty_no.as_ref())?,
        assure_code: f.opt("assureCode", s.assure_code.as_ref())?,
    };
    Ok(Message::CEB818Message(Box::new(import::CEB818Message {
        guid,
        version: VERSION.to_string(),
        tax: vec![import::CEB818Tax { tax_head_status }],
    })))
}

/// [`tax_status_message`] encoded as XML, checked against the XSD.
pub fn tax_status_xml(s: &TaxStatus) -> Result<Vec<u8>, ReceiptError> {
    crate::to_xml(&tax_status_message(s)?)
}
