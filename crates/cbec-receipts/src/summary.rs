//! The summary result (CEB792, 汇总结果单): customs' answer to an accepted
//! summary application (CEB701), one `SummaryResult` per customs
//! declaration, each naming the list items it covers.

use cbec_ceb::{Message, export};
use cbec_model::ident::{Guid, ReturnTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ReceiptError;
use crate::fields::{Fields, Node, VERSION, check_count};

/// At most this many declarations (`SummaryResult`) in one CEB792 message
/// (the XSD's `maxOccurs`); a larger summary is sent in several messages.
pub const MAX_DECLARATIONS_PER_MESSAGE: usize = 100;

/// One CEB792 message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SummaryResultDoc {
    /// The message's own guid (root attribute).
    pub guid: Guid,
    /// The summary application's guid (`SummaryResultHead/guid`).
    pub apply_guid: String,
    pub customs_code: String,
    /// The summary number (汇总申请编号, 18 characters).
    pub sum_no: String,
    /// When customs summarised (`opDate`, C17).
    pub op_date: ReturnTime,
    /// Declaration state (`decState`, "value set by customs").
    pub dec_state: String,
    pub agent_code: String,
    pub agent_name: String,
    pub ebc_code: String,
    pub ebc_name: String,
    pub decl_agent_code: String,
    pub decl_agent_name: String,
    pub declarations: Vec<SummaryDeclaration>,
}

/// One customs declaration of the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SummaryDeclaration {
    /// `declSeqNo`, one-to-one with a customs declaration (18 characters).
    pub decl_seq_no: String,
    pub gross_weight: Decimal,
    pub net_weight: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub lines: Vec<SummaryLine>,
}

/// A list item and the declaration item it is merged into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SummaryLine {
    pub invt_no: String,
    pub logistics_no: String,
    /// The item number on the declaration (报关单商品序号).
    pub gseqno: i32,
    /// The item number on the list.
    pub gnum: i32,
    pub gcode: String,
}

const CEB792: &str = "CEB792Message";

/// The CEB792 message of a summary result.
pub fn summary_result_message(doc: &SummaryResultDoc) -> Result<Message, ReceiptError> {
    let root = Node::root(CEB792);
    let result = root.and_then(|n| n.child("SummaryResult"));
    let head_node = result.and_then(|n| n.child("SummaryResultHead"));
    let list_node = result.and_then(|n| n.child("SummaryResultList"));
    check_count(CEB792, "SummaryResult", result, doc.declarations.len())?;
    let guid = Fields::new(CEB792, root, String::new()).attr("guid", doc.guid.as_str())?;
    let summary_result = doc
        .declarations
        .iter()
        .enumerate()
        .map(|(n, d)| {
            let path = format!("SummaryResult[{}]", n + 1);
            let f = Fields::new(CEB792, head_node, format!("{path}/SummaryResultHead"));
            let summary_result_head = export::SummaryResultHead {
                guid: f.value("guid", &doc.apply_guid)?,
                customs_code: f.value("customsCode", &doc.customs_code)?,
                sum_no: f.value("sumNo", &doc.sum_no)?,
                op_date: f.value("opDate", doc.op_date.as_str())?,
                decl_seq_no: f.value("declSeqNo", &d.decl_seq_no)?,
                dec_tmp_no: None,
                dec_pre_no: None,
                entry_id: None,
                dec_state: f.value("decState", &doc.dec_state)?,
                agent_code: f.value("agentCode", &doc.agent_code)?,
                agent_name: f.value("agentName", &doc.agent_name)?,
                ebc_code: f.value("ebcCode", &doc.ebc_code)?,
                ebc_name: f.value("ebcName", &doc.ebc_name)?,
                decl_agent_code: f.value("declAgentCode", &doc.decl_agent_code)?,
                decl_agent_name: f.value("declAgentName", &doc.decl_agent_name)?,
                gross_weight: f.decimal("grossWeight", d.gross_weight)?,
                net_weight: f.decimal("netWeight", d.net_weight)?,
                msg_count: f.int("msgCount", Some(1))?,
                msg_seq_no: f.int("msgSeqNo", Some(1))?,
                note: d.note.as_deref().map(|t| f.text("note", t)).transpose()?,
            };
            let summary_result_list = d
                .lines
                .iter()
                .enumerate()
                .map(|(k, l)| {
                    let f = Fields::new(CEB792, list_node, format!("{path}/SummaryResultList[{}]", k + 1));
                    Ok(export::SummaryResultList {
                        invt_no: f.value("invtNo", &l.invt_no)?,
                        logistics_no: f.value("logisticsNo", &l.logistics_no)?,
                        gseqno: f.int("gseqno", Some(l.gseqno))?,
                        gnum: f.int("gnum", Some(l.gnum))?,
                        gcode: f.value("gcode", &l.gcode)?,
                    })
                })
                .collect::<Result<Vec<_>, ReceiptError>>()?;
            Ok(export::SummaryResult { summary_result_head, summary_result_list })
        })
        .collect::<Result<Vec<_>, ReceiptError>>()?;
    Ok(Message::CEB792Message(Box::new(export::CEB792Message { guid, version: VERSION.to_string(), summary_result })))
}

/// [`summary_result_message`] encoded as XML, checked against the XSD.
pub fn summary_result_xml(doc: &SummaryResultDoc) -> Result<Vec<u8>, ReceiptError> {
    crate::to_xml(&summary_result_message(doc)?)
}
