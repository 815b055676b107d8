//! Business receipts: CEB304 … CEB712.

use cbec_ceb::{Message, export, import};
use cbec_model::ident::Guid;

use crate::fields::{Fields, Node, VERSION, check_count};
use crate::{ReceiptError, ReceiptItem, ReceiptType};

/// One receipt message with one return element per item (1 to 100 items,
/// all answered by the same receipt type), in the order given.
///
/// The root `guid` attribute is the first item's business guid, as in the
/// official samples (CEB304, CEB312, CEB622); use
/// [`receipt_message_with_guid`] to give the receipt a guid of its own.
pub fn receipt_message(kind: ReceiptType, items: &[ReceiptItem]) -> Result<Message, ReceiptError> {
    let guid = items.first().map(|i| i.keys.guid.as_str()).unwrap_or_default();
    build(kind, guid, items)
}

/// [`receipt_message`] with the root `guid` attribute given.
pub fn receipt_message_with_guid(
    kind: ReceiptType,
    guid: &Guid,
    items: &[ReceiptItem],
) -> Result<Message, ReceiptError> {
    build(kind, guid.as_str(), items)
}

/// [`receipt_message`] encoded as XML: UTF-8, with the `ceb:` prefix, and
/// checked against the XSD before it is returned.
pub fn receipt_xml(kind: ReceiptType, items: &[ReceiptItem]) -> Result<Vec<u8>, ReceiptError> {
    crate::to_xml(&receipt_message(kind, items)?)
}

/// One return element being built: its position, its keys and its verdict.
struct Item<'a> {
    f: Fields,
    item: &'a ReceiptItem,
}

impl Item<'_> {
    fn guid(&self) -> Result<String, ReceiptError> {
        self.f.value("guid", &self.item.keys.guid)
    }

    fn status(&self) -> Result<String, ReceiptError> {
        // Some export receipts leave returnStatus without a minimum length,
        // but a receipt without a status says nothing: always required.
        if self.item.return_status.is_empty() {
            return Err(self.f.missing("returnStatus"));
        }
        self.f.value("returnStatus", &self.item.return_status)
    }

    fn time(&self) -> Result<String, ReceiptError> {
        self.f.value("returnTime", self.item.return_time.as_str())
    }

    fn info(&self) -> Result<String, ReceiptError> {
        self.f.text("returnInfo", &self.item.return_info)
    }
}

fn build(kind: ReceiptType, guid: &str, items: &[ReceiptItem]) -> Result<Message, ReceiptError> {
    let message = kind.root();
    let root = Node::root(message);
    let node = root.and_then(|r| r.child(kind.element()));
    check_count(message, kind.element(), node, items.len())?;
    if let Some(first) = items.first() {
        // The root guid may be the first item's: report a bad one there.
        Fields::new(message, node, format!("{}[1]", kind.element())).value("guid", &first.keys.guid)?;
    }
    let guid = Fields::new(message, root, String::new()).attr("guid", guid)?;
    let version = VERSION.to_string();

    // Builds one return element per item with `$body`, where `$r` is the
    // item being built and `$k` its keys.
    macro_rules! rows {
        (|$r:ident, $k:ident| $body:expr) => {
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let $r = Item { f: Fields::new(message, node, format!("{}[{}]", kind.element(), i + 1)), item };
                    let $k = &item.keys;
                    Ok($body)
                })
                .collect::<Result<Vec<_>, ReceiptError>>()?
        };
    }

    Ok(match kind {
        ReceiptType::Ceb304 => Message::CEB304Message(Box::new(export::CEB304Message {
            guid,
            version,
            order_return: rows!(|r, k| export::OrderReturn {
                guid: r.guid()?,
                ebp_code: r.f.req("ebpCode", k.ebp_code.as_ref())?,
                ebc_code: r.f.req("ebcCode", k.ebc_code.as_ref())?,
                order_no: r.f.req("orderNo", k.order_no.as_ref())?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb312 => Message::CEB312Message(Box::new(import::CEB312Message {
            guid,
            version,
            order_return: rows!(|r, k| import::OrderReturn {
                guid: r.guid()?,
                ebp_code: r.f.req("ebpCode", k.ebp_code.as_ref())?,
                ebc_code: r.f.req("ebcCode", k.ebc_code.as_ref())?,
                order_no: r.f.req("orderNo", k.order_no.as_ref())?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb404 => Message::CEB404Message(Box::new(export::CEB404Message {
            guid,
            version,
            receipts_return: rows!(|r, k| export::ReceiptsReturn {
                guid: r.guid()?,
                ebc_code: r.f.req("ebcCode", k.ebc_code.as_ref())?,
                order_no: r.f.req("orderNo", k.order_no.as_ref())?,
                pay_no: r.f.echo("payNo", k.pay_no.as_ref()),
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb412 => Message::CEB412Message(Box::new(import::CEB412Message {
            guid,
            version,
            payment_return: rows!(|r, k| import::PaymentReturn {
                guid: r.guid()?,
                pay_code: r.f.req("payCode", k.pay_code.as_ref())?,
                pay_transaction_id: r.f.req("payTransactionId", k.pay_transaction_id.as_ref())?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb506 => Message::CEB506Message(Box::new(export::CEB506Message {
            guid,
            version,
            logistics_return: rows!(|r, k| export::LogisticsReturn {
                guid: r.guid()?,
                logistics_code: r.f.req("logisticsCode", k.logistics_code.as_ref())?,
                logistics_no: r.f.req("logisticsNo", k.logistics_no.as_ref())?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb508 => Message::CEB508Message(Box::new(export::CEB508Message {
            guid,
            version,
            arrival_return: rows!(|r, k| export::ArrivalReturn {
                guid: r.guid()?,
                operator_code: r.f.req("operatorCode", k.operator_code.as_ref())?,
                logistics_code: r.f.req("logisticsCode", k.logistics_code.as_ref())?,
                pre_no: r.f.req("preNo", k.pre_no.as_ref())?,
                cop_no: r.f.req("copNo", k.cop_no.as_ref())?,
                // CEB507 may have no bill of lading (billNo is optional
                // there); the receipt's billNo admits the empty string.
                bill_no: r.f.or_empty("billNo", k.bill_no.as_ref())?,
                msg_seq_no: r.f.int("msgSeqNo", k.msg_seq_no)?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb510 => Message::CEB510Message(Box::new(export::CEB510Message {
            guid,
            version,
            departure_return: rows!(|r, k| export::DepartureReturn {
                guid: r.guid()?,
                logistics_code: r.f.req("logisticsCode", k.logistics_code.as_ref())?,
                cop_no: r.f.req("copNo", k.cop_no.as_ref())?,
                pre_no: r.f.req("preNo", k.pre_no.as_ref())?,
                msg_seq_no: r.f.int("msgSeqNo", k.msg_seq_no)?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb512 => Message::CEB512Message(Box::new(import::CEB512Message {
            guid,
            version,
            logistics_return: rows!(|r, k| import::LogisticsReturn {
                guid: r.guid()?,
                logistics_code: r.f.req("logisticsCode", k.logistics_code.as_ref())?,
                logistics_no: r.f.req("logisticsNo", k.logistics_no.as_ref())?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb514 => Message::CEB514Message(Box::new(import::CEB514Message {
            guid,
            version,
            logistics_status_return: rows!(|r, k| import::LogisticsStatusReturn {
                guid: r.guid()?,
                logistics_code: r.f.req("logisticsCode", k.logistics_code.as_ref())?,
                logistics_no: r.f.req("logisticsNo", k.logistics_no.as_ref())?,
                logistics_status: r.f.req("logisticsStatus", k.logistics_status.as_ref())?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb604 => Message::CEB604Message(Box::new(export::CEB604Message {
            guid,
            version,
            inventory_return: rows!(|r, k| export::InventoryReturn {
                guid: r.guid()?,
                agent_code: r.f.req("agentCode", k.agent_code.as_ref())?,
                cop_no: r.f.req("copNo", k.cop_no.as_ref())?,
                pre_no: r.f.req("preNo", k.pre_no.as_ref())?,
                // A list refused before customs numbered it has no invtNo;
                // the export receipt's invtNo admits the empty string.
                invt_no: r.f.or_empty("invtNo", k.invt_no.as_ref())?,
                ebc_code: r.f.req("ebcCode", k.ebc_code.as_ref())?,
                ebp_code: r.f.req("ebpCode", k.ebp_code.as_ref())?,
                order_no: r.f.req("orderNo", k.order_no.as_ref())?,
                statistics_flag: r.f.req("statisticsFlag", k.statistics_flag.as_ref())?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb606 => Message::CEB606Message(Box::new(export::CEB606Message {
            guid,
            version,
            invt_cancel_return: rows!(|r, k| export::InvtCancelReturn {
                guid: r.guid()?,
                agent_code: r.f.req("agentCode", k.agent_code.as_ref())?,
                cop_no: r.f.req("copNo", k.cop_no.as_ref())?,
                pre_no: r.f.req("preNo", k.pre_no.as_ref())?,
                invt_no: r.f.req("invtNo", k.invt_no.as_ref())?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb608 => Message::CEB608Message(Box::new(export::CEB608Message {
            guid,
            version,
            way_bill_return: rows!(|r, k| export::WayBillReturn {
                guid: r.guid()?,
                agent_code: r.f.req("agentCode", k.agent_code.as_ref())?,
                logistics_code: r.f.req("logisticsCode", k.logistics_code.as_ref())?,
                cop_no: r.f.req("copNo", k.cop_no.as_ref())?,
                pre_no: r.f.req("preNo", k.pre_no.as_ref())?,
                bill_no: r.f.req("billNo", k.bill_no.as_ref())?,
                msg_seq_no: r.f.int("msgSeqNo", k.msg_seq_no)?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb214 => Message::CEB214Message(Box::new(export::CEB214Message {
            guid,
            version,
            refund_return: rows!(|r, k| export::RefundReturn {
                guid: r.guid()?,
                ebp_code: r.f.echo("ebpCode", k.ebp_code.as_ref()),
                ebc_code: r.f.echo("ebcCode", k.ebc_code.as_ref()),
                agent_code: r.f.req("agentCode", k.agent_code.as_ref())?,
                co_el_no: r.f.req("coElNo", k.co_el_no.as_ref().or(k.cop_no.as_ref()))?,
                pre_no: r.f.echo("preNo", k.pre_no.as_ref()),
                invt_no: r.f.req("invtNo", k.invt_no.as_ref())?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb216 => Message::CEB216Message(Box::new(export::CEB216Message {
            guid,
            version,
            invt_refund_detail_return: rows!(|r, k| export::InvtRefundDetailReturn {
                guid: r.guid()?,
                operator_code: r.f.req("operatorCode", k.operator_code.as_ref())?,
                logistics_code: r.f.req("logisticsCode", k.logistics_code.as_ref())?,
                logistics_no: r.f.req("logisticsNo", k.logistics_no.as_ref())?,
                co_el_no: r.f.req("coElNo", k.co_el_no.as_ref().or(k.cop_no.as_ref()))?,
                pre_no: r.f.echo("preNo", k.pre_no.as_ref()),
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb622 => Message::CEB622Message(Box::new(import::CEB622Message {
            guid,
            version,
            inventory_return: rows!(|r, k| import::InventoryReturn {
                guid: r.guid()?,
                customs_code: r.f.echo("customsCode", k.customs_code.as_ref()),
                ebp_code: r.f.echo("ebpCode", k.ebp_code.as_ref()),
                ebc_code: r.f.echo("ebcCode", k.ebc_code.as_ref()),
                agent_code: r.f.echo("agentCode", k.agent_code.as_ref()),
                cop_no: r.f.req("copNo", k.cop_no.as_ref())?,
                pre_no: r.f.req("preNo", k.pre_no.as_ref())?,
                invt_no: r.f.echo("invtNo", k.invt_no.as_ref()),
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb624 => Message::CEB624Message(Box::new(import::CEB624Message {
            guid,
            version,
            invt_cancel_return: rows!(|r, k| import::InvtCancelReturn {
                guid: r.guid()?,
                customs_code: r.f.echo("customsCode", k.customs_code.as_ref()),
                agent_code: r.f.echo("agentCode", k.agent_code.as_ref()),
                ebp_code: r.f.echo("ebpCode", k.ebp_code.as_ref()),
                ebc_code: r.f.echo("ebcCode", k.ebc_code.as_ref()),
                cop_no: r.f.req("copNo", k.cop_no.as_ref())?,
                pre_no: r.f.req("preNo", k.pre_no.as_ref())?,
                invt_no: r.f.echo("invtNo", k.invt_no.as_ref()),
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb626 => Message::CEB626Message(Box::new(import::CEB626Message {
            guid,
            version,
            invt_refund_return: rows!(|r, k| import::InvtRefundReturn {
                guid: r.guid()?,
                customs_code: r.f.echo("customsCode", k.customs_code.as_ref()),
                agent_code: r.f.echo("agentCode", k.agent_code.as_ref()),
                ebp_code: r.f.echo("ebpCode", k.ebp_code.as_ref()),
                ebc_code: r.f.echo("ebcCode", k.ebc_code.as_ref()),
                cop_no: r.f.req("copNo", k.cop_no.as_ref())?,
                pre_no: r.f.req("preNo", k.pre_no.as_ref())?,
                invt_no: r.f.echo("invtNo", k.invt_no.as_ref()),
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb702 => Message::CEB702Message(Box::new(export::CEB702Message {
            guid,
            version,
            summary_return: rows!(|r, k| export::SummaryReturn {
                guid: r.guid()?,
                agent_code: r.f.req("agentCode", k.agent_code.as_ref())?,
                ebc_code: r.f.req("ebcCode", k.ebc_code.as_ref())?,
                cop_no: r.f.req("copNo", k.cop_no.as_ref())?,
                pre_no: r.f.req("preNo", k.pre_no.as_ref())?,
                sum_no: r.f.echo("sumNo", k.sum_no.as_ref()),
                msg_seq_no: r.f.int("msgSeqNo", k.msg_seq_no)?,
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
        ReceiptType::Ceb712 => Message::CEB712Message(Box::new(import::CEB712Message {
            guid,
            version,
            delivery_return: rows!(|r, k| import::DeliveryReturn {
                guid: r.guid()?,
                customs_code: r.f.echo("customsCode", k.customs_code.as_ref()),
                operator_code: r.f.echo("operatorCode", k.operator_code.as_ref()),
                cop_no: r.f.echo("copNo", k.cop_no.as_ref()),
                pre_no: r.f.echo("preNo", k.pre_no.as_ref()),
                rkd_no: r.f.echo("rkdNo", k.rkd_no.as_ref()),
                return_status: r.status()?,
                return_time: r.time()?,
                return_info: r.info()?,
            }),
        })),
    })
}
