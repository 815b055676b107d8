//! Message-level rules (validation level `full` beyond the XSD).

use cbec_ceb::{Message, dxp, export, import};
use cbec_model::Decimal;
use cbec_model::codes::{MessageType, ReturnStatus, TableId};
use cbec_model::diag::{Code, Diagnostic};
use cbec_model::ident::ReturnTime;

use crate::check::{Ck, fen};

/// Configurable limits of the message-level rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleConfig {
    /// Most business records per message (the XSD allows 100).
    pub max_records: usize,
    /// Most items per record (the XSD allows 99 or 100).
    pub max_items: usize,
}

impl Default for RuleConfig {
    fn default() -> Self {
        RuleConfig { max_records: 100, max_items: 100 }
    }
}

const APP_TYPE: &[(&str, &str)] = &[("1", "new"), ("2", "change"), ("3", "delete")];
const APP_STATUS: &[(&str, &str)] = &[("1", "temporary save"), ("2", "declare")];
const ID_TYPE: &[(&str, &str)] = &[("1", "PRC ID card"), ("2", "other")];
const IE_FLAG: &[(&str, &str)] = &[("I", "import"), ("E", "export")];
const IMPORT_MODES: &[(&str, &str)] = &[("9610", "direct purchase"), ("1210", "bonded")];
const EXPORT_MODES: &[(&str, &str)] = &[
    ("9610", "retail export"),
    ("1210", "bonded retail export"),
    ("9710", "B2B direct export"),
    ("9810", "export overseas warehouse"),
];
const RETURN_MODES: &[(&str, &str)] = &[("9661", "return of 9610 export"), ("1261", "return of 1210 export")];
const CHARGE_FLAG: &[(&str, &str)] = &[("1", "rate"), ("2", "unit price"), ("3", "total")];

/// Checks a decoded message against the rules that need only the message.
pub fn check_message(msg: &Message, cfg: &RuleConfig) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut ck = Ck::new(msg.schema(), &mut diags);
    match msg {
        Message::CEB311Message(m) => ceb311(&mut ck, m, cfg),
        Message::CEB411Message(m) => ceb411(&mut ck, m, cfg),
        Message::CEB511Message(m) => ceb511(&mut ck, m, cfg),
        Message::CEB513Message(m) => ceb513(&mut ck, m, cfg),
        Message::CEB621Message(m) => ceb621(&mut ck, m, cfg),
        Message::CEB623Message(m) => ceb623(&mut ck, m, cfg),
        Message::CEB625Message(m) => ceb625(&mut ck, m, cfg),
        Message::CEB711Message(m) => ceb711(&mut ck, m, cfg),
        Message::CEB303Message(m) => ceb303(&mut ck, m, cfg),
        Message::CEB403Message(m) => ceb403(&mut ck, m, cfg),
        Message::CEB505Message(m) => ceb505(&mut ck, m, cfg),
        Message::CEB507Message(m) => ceb507(&mut ck, m, cfg),
        Message::CEB509Message(m) => ceb509(&mut ck, m, cfg),
        Message::CEB603Message(m) => ceb603(&mut ck, m, cfg),
        Message::CEB605Message(m) => ceb605(&mut ck, m, cfg),
        Message::CEB607Message(m) => ceb607(&mut ck, m, cfg),
        Message::CEB213Message(m) => ceb213(&mut ck, m, cfg),
        Message::CEB215Message(m) => ceb215(&mut ck, m, cfg),
        Message::CEB701Message(m) => ceb701(&mut ck, m, cfg),
        Message::CEB792Message(m) => ceb792(&mut ck, m),
        Message::CEB816Message(m) => ceb816(&mut ck, m),
        Message::CEB818Message(m) => {
            ck.guid("@guid", &m.guid);
            for (i, t) in m.tax.iter().enumerate() {
                ck.at("Tax", Some(i + 1), |ck| {
                    ck.at("TaxHeadStatus", None, |ck| {
                        let h = &t.tax_head_status;
                        ck.guid("guid", &h.guid);
                        return_time(ck, &h.return_time);
                        ck.invt_no("invtNo", Some(&h.invt_no));
                        ck.one_of("status", &h.status, &[("1", "generated"), ("2", "summarised"), ("3", "void")]);
                    })
                });
            }
        }
        Message::CEB900Message(m) => {
            ck.guid("@guid", &m.guid);
            ck.at("MessageReturn", None, |ck| {
                return_time(ck, &m.message_return.return_time);
                if !m.message_return.return_status.starts_with('-') {
                    let v = m.message_return.return_status.clone();
                    ck.err(
                        Code::CodeNotAllowed,
                        "returnStatus",
                        &v,
                        "a CEB900 format-error receipt carries a negative returnStatus".into(),
                    );
                }
            });
        }
        Message::DxpMsg(m) => dxp_msg(&mut ck, m),
        Message::DxpRep(_) => {}
        other => receipt(&mut ck, other),
    }
    diags
}

// ---------------------------------------------------------------- shared

macro_rules! head {
    ($ck:expr, $h:expr) => {{
        $ck.guid("guid", &$h.guid);
        $ck.one_of("appType", &$h.app_type, APP_TYPE);
        $ck.app_time("appTime", &$h.app_time);
        $ck.one_of("appStatus", &$h.app_status, APP_STATUS);
    }};
}

macro_rules! transfer {
    ($ck:expr, $m:expr) => {{
        $ck.guid("@guid", &$m.guid);
        let bt = &$m.base_transfer;
        $ck.at("BaseTransfer", None, |ck| {
            ck.enterprise("copCode", &bt.cop_code);
            ck.fixed("dxpMode", &bt.dxp_mode, "DXP", "(the only transfer mode)");
        });
        for (i, s) in $m.base_subscribe.iter().enumerate() {
            $ck.at("BaseSubscribe", Some(i + 1), |ck| {
                ck.one_of(
                    "status",
                    &s.status,
                    &[("ALL", "data and receipts"), ("DATA", "data only"), ("RET", "receipts only")],
                );
                ck.fixed("dxpMode", &s.dxp_mode, "DXP", "(the only transfer mode)");
            });
        }
    }};
}

fn records(ck: &mut Ck, name: &str, n: usize, cfg: &RuleConfig) {
    if n > cfg.max_records {
        let msg = format!(
            "the message carries {n} {name} records; this service accepts at most {} per message",
            cfg.max_records
        );
        ck.err(Code::LimitRecords, name, &n.to_string(), msg);
    }
}

fn items(ck: &mut Ck, name: &str, n: usize, cfg: &RuleConfig) {
    if n > cfg.max_items {
        let msg = format!("the record carries {n} {name} items; this service accepts at most {}", cfg.max_items);
        ck.err(Code::LimitItems, name, &n.to_string(), msg);
    }
}

/// The PDF (and for some messages the XSD) requires a signature on a
/// declared message.
fn signature_required(ck: &mut Ck, signed: bool, declared: bool, root: &str) {
    if declared && !signed {
        let msg = format!("{root} with appStatus 2 (declare) must carry a ds:Signature; sign it with `cbec sign`");
        ck.err(Code::SignatureRequired, "Signature", "", msg);
    }
}

fn return_time(ck: &mut Ck, v: &str) {
    if let Err(e) = ReturnTime::parse(v) {
        let msg = format!("returnTime (回执时间): {e}; the form is yyyyMMddHHmmssSSS");
        ck.err(Code::FormatDateTime17, "returnTime", v, msg);
    }
}

fn sum(mut values: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    values.try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
}

fn not_allowed(ck: &mut Ck, field: &str, v: Option<&String>, why: &str) {
    if let Some(v) = v.filter(|v| !v.is_empty()) {
        let msg = format!("{} is filled, but {why}", ck.name(field));
        ck.err(Code::ConsistencyNotAllowedForMode, field, v, msg);
    }
}

fn required(ck: &mut Ck, field: &str, v: Option<&String>, why: &str) {
    if v.is_none_or(|v| v.trim().is_empty()) {
        let msg = format!("{} is required {why}", ck.name(field));
        ck.err(Code::ConsistencyRequiredForMode, field, "", msg);
    }
}

fn reason(ck: &mut Ck, v: &str) {
    ck.placeholder_text("reason", v);
    if !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()) {
        let msg = format!("reason (原因) '{v}' is a number; state the reason in words");
        ck.err(Code::PlaceholderValue, "reason", v, msg);
    }
}

fn gcode(ck: &mut Ck, v: &str) {
    ck.hs_code("gcode", v);
    if v.len() == 10 && v.contains("1234") {
        let msg = format!("gcode (商品编码) '{v}' looks like a keyboard placeholder, not a tariff line");
        ck.err(Code::PlaceholderValue, "gcode", v, msg);
    }
}

// ---------------------------------------------------------------- import

fn ceb311(ck: &mut Ck, m: &import::CEB311Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "Order", m.order.len(), cfg);
    for (i, o) in m.order.iter().enumerate() {
        ck.at("Order", Some(i + 1), |ck| {
            let h = &o.order_head;
            ck.at("OrderHead", None, |ck| {
                head!(ck, h);
                ck.fixed("orderType", &h.order_type, "I", "(I = import order)");
                ck.platform("ebpCode", &h.ebp_code);
                ck.enterprise("ebcCode", &h.ebc_code);
                ck.opt_enterprise("payCode", h.pay_code.as_ref());
                ck.one_of("buyerIdType", &h.buyer_id_type, ID_TYPE);
                ck.id_number("buyerIdNumber", &h.buyer_id_type, &h.buyer_id_number);
                ck.placeholder_text("buyerName", &h.buyer_name);
                ck.placeholder_number("goodsValue", h.goods_value);
                if let Some(d) = h.consignee_district.as_ref().filter(|d| !d.is_empty())
                    && (d.len() != 6 || !d.bytes().all(|b| b.is_ascii_digit())) {
                        let msg = "consigneeDistrict (收货地址行政区划代码) is the 6-digit administrative division code".to_string();
                        ck.err(Code::FormatNumber, "consigneeDistrict", d, msg);
                    }
                let expected = h.goods_value + h.freight + h.tax_total - h.discount;
                if (expected - h.actural_paid).abs() >= fen() {
                    let msg = format!(
                        "acturalPaid (实际支付金额) is {}, but goodsValue {} + freight {} + taxTotal {} − discount {} = {expected}",
                        h.actural_paid, h.goods_value, h.freight, h.tax_total, h.discount
                    );
                    ck.err(Code::ArithActuralPaid, "acturalPaid", &h.actural_paid.to_string(), msg);
                }
            });
            items(ck, "OrderList", o.order_list.len(), cfg);
            ck.gnums("OrderList", o.order_list.iter().map(|l| l.gnum));
            for (j, l) in o.order_list.iter().enumerate() {
                ck.at("OrderList", Some(j + 1), |ck| {
                    ck.placeholder_text("itemName", &l.item_name);
                    ck.table("unit", &l.unit, TableId::Unit);
                    ck.table("country", &l.country, TableId::Country);
                    ck.total_price(l.qty, l.price, l.total_price);
                });
            }
            if let Some(total) = sum(o.order_list.iter().map(|l| l.total_price)) {
                let gv = o.order_head.goods_value;
                if (total - gv).abs() >= fen() {
                    ck.at("OrderHead", None, |ck| {
                        let msg = format!("goodsValue (商品价格) is {gv}, but the items' totalPrice add up to {total}");
                        ck.err(Code::ArithGoodsValue, "goodsValue", &gv.to_string(), msg);
                    });
                }
            }
        });
    }
}

fn ceb411(ck: &mut Ck, m: &import::CEB411Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "Payment", m.payment.len(), cfg);
    for (i, p) in m.payment.iter().enumerate() {
        ck.at("Payment", Some(i + 1), |ck| {
            ck.at("PaymentHead", None, |ck| {
                let h = &p.payment_head;
                head!(ck, h);
                ck.enterprise("payCode", &h.pay_code);
                ck.platform("ebpCode", &h.ebp_code);
                ck.one_of("payerIdType", &h.payer_id_type, ID_TYPE);
                ck.id_number("payerIdNumber", &h.payer_id_type, &h.payer_id_number);
                ck.placeholder_text("payerName", &h.payer_name);
                ck.app_time("payTime", &h.pay_time);
                ck.positive("amountPaid", h.amount_paid, "");
            });
        });
    }
}

fn ceb511(ck: &mut Ck, m: &import::CEB511Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "Logistics", m.logistics.len(), cfg);
    for (i, l) in m.logistics.iter().enumerate() {
        ck.at("Logistics", Some(i + 1), |ck| {
            ck.at("LogisticsHead", None, |ck| {
                let h = &l.logistics_head;
                head!(ck, h);
                ck.enterprise("logisticsCode", &h.logistics_code);
                ck.placeholder_text("consignee", &h.consignee);
                ck.positive("weight", h.weight, "kg");
            });
        });
    }
}

fn ceb513(ck: &mut Ck, m: &import::CEB513Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "LogisticsStatus", m.logistics_status.len(), cfg);
    for (i, s) in m.logistics_status.iter().enumerate() {
        ck.at("LogisticsStatus", Some(i + 1), |ck| {
            head!(ck, s);
            ck.enterprise("logisticsCode", &s.logistics_code);
            ck.fixed("logisticsStatus", &s.logistics_status, "S", "(S = signed for, the only status the spec defines)");
            ck.app_time("logisticsTime", &s.logistics_time);
        });
    }
}

fn ceb621(ck: &mut Ck, m: &import::CEB621Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "Inventory", m.inventory.len(), cfg);
    for (i, inv) in m.inventory.iter().enumerate() {
        ck.at("Inventory", Some(i + 1), |ck| {
            let h = &inv.inventory_head;
            let bonded = h.trade_mode == "1210";
            ck.at("InventoryHead", None, |ck| {
                head!(ck, h);
                ck.platform("ebpCode", &h.ebp_code);
                ck.enterprise("ebcCode", &h.ebc_code);
                ck.enterprise("logisticsCode", &h.logistics_code);
                ck.enterprise("agentCode", &h.agent_code);
                ck.enterprise("assureCode", &h.assure_code);
                if ![&h.ebp_code, &h.ebc_code, &h.logistics_code].contains(&&h.assure_code) {
                    let msg = "assureCode (担保企业编号) must be the list's platform, e-commerce enterprise or logistics enterprise (ebpCode, ebcCode or logisticsCode)".to_string();
                    ck.err(Code::ConsistencyMismatch, "assureCode", &h.assure_code, msg);
                }
                ck.pre_no("preNo", h.pre_no.as_ref());
                ck.invt_no("invtNo", h.invt_no.as_ref());
                ck.fixed("ieFlag", &h.ie_flag, "I", "(I = import)");
                ck.date8("declTime", &h.decl_time);
                if let Some(d) = h.ie_date.as_ref().filter(|d| !d.is_empty()) {
                    ck.date8("ieDate", d);
                }
                ck.customs("customsCode", &h.customs_code);
                ck.customs("portCode", &h.port_code);
                ck.one_of("buyerIdType", &h.buyer_id_type, ID_TYPE);
                ck.id_number("buyerIdNumber", &h.buyer_id_type, &h.buyer_id_number);
                ck.placeholder_text("buyerName", &h.buyer_name);
                ck.one_of("tradeMode", &h.trade_mode, IMPORT_MODES);
                ck.table("trafMode", &h.traf_mode, TableId::TransportMode);
                ck.table("country", &h.country, TableId::Country);
                ck.opt_table("wrapType", h.wrap_type.as_ref(), TableId::WrapType);
                if h.pack_no != 1 {
                    let msg = format!("packNo (件数) is {}; an import list covers exactly one parcel, so it must be 1", h.pack_no);
                    ck.err(Code::ConsistencyMismatch, "packNo", &h.pack_no.to_string(), msg);
                }
                if bonded {
                    required(ck, "emsNo", h.ems_no.as_ref(), "for bonded import (1210): the zone account book");
                    required(ck, "areaCode", h.area_code.as_ref(), "for bonded import (1210): the zone warehouse enterprise");
                    if h.country != "142" {
                        let msg = "country (起运国) is 142 (China) for bonded import (1210): the goods leave a domestic zone".to_string();
                        ck.err(Code::ConsistencyMismatch, "country", &h.country, msg);
                    }
                } else if h.trade_mode == "9610" {
                    not_allowed(ck, "emsNo", h.ems_no.as_ref(), "the account book is only for bonded import (1210)");
                    not_allowed(ck, "areaCode", h.area_code.as_ref(), "the zone enterprise is only for bonded import (1210)");
                    if h.traf_mode == "0" {
                        let msg = "trafMode 0 (非保税区) is not a way of carrying direct-purchase (9610) goods; give the real mode (5 air, 2 water, 4 road, 6 mail…)".to_string();
                        ck.err(Code::CodeNotAllowed, "trafMode", &h.traf_mode, msg);
                    }
                }
            });
            items(ck, "InventoryList", inv.inventory_list.len(), cfg);
            ck.gnums("InventoryList", inv.inventory_list.iter().map(|l| l.gnum));
            for (j, l) in inv.inventory_list.iter().enumerate() {
                ck.at("InventoryList", Some(j + 1), |ck| {
                    gcode(ck, &l.gcode);
                    ck.table("country", &l.country, TableId::Country);
                    ck.table("unit", &l.unit, TableId::Unit);
                    ck.table("unit1", &l.unit1, TableId::Unit);
                    ck.opt_table("unit2", l.unit2.as_ref(), TableId::Unit);
                    ck.total_price(l.qty, l.price, l.total_price);
                    if bonded {
                        required(ck, "itemRecordNo", l.item_record_no.as_ref(), "for bonded import (1210): the account-book item");
                    }
                });
            }
        });
    }
}

fn ceb623(ck: &mut Ck, m: &import::CEB623Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "InvtCancel", m.invt_cancel.len(), cfg);
    for (i, c) in m.invt_cancel.iter().enumerate() {
        ck.at("InvtCancel", Some(i + 1), |ck| {
            head!(ck, c);
            ck.customs("customsCode", &c.customs_code);
            ck.platform("ebpCode", &c.ebp_code);
            ck.enterprise("ebcCode", &c.ebc_code);
            ck.enterprise("logisticsCode", &c.logistics_code);
            ck.enterprise("agentCode", &c.agent_code);
            ck.invt_no("invtNo", Some(&c.invt_no));
            ck.one_of("buyerIdType", &c.buyer_id_type, ID_TYPE);
            ck.id_number("buyerIdNumber", &c.buyer_id_type, &c.buyer_id_number);
            reason(ck, &c.reason);
        });
    }
}

fn ceb625(ck: &mut Ck, m: &import::CEB625Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "InvtRefund", m.invt_refund.len(), cfg);
    for (i, r) in m.invt_refund.iter().enumerate() {
        ck.at("InvtRefund", Some(i + 1), |ck| {
            ck.at("InvtRefundHead", None, |ck| {
                let h = &r.invt_refund_head;
                head!(ck, h);
                ck.customs("customsCode", &h.customs_code);
                ck.platform("ebpCode", &h.ebp_code);
                ck.enterprise("ebcCode", &h.ebc_code);
                ck.enterprise("logisticsCode", &h.logistics_code);
                ck.enterprise("agentCode", &h.agent_code);
                ck.invt_no("invtNo", Some(&h.invt_no));
                ck.one_of("buyerIdType", &h.buyer_id_type, ID_TYPE);
                ck.id_number("buyerIdNumber", &h.buyer_id_type, &h.buyer_id_number);
                reason(ck, &h.reason);
            });
            items(ck, "InvtRefundList", r.invt_refund_list.len(), cfg);
            for (j, l) in r.invt_refund_list.iter().enumerate() {
                ck.at("InvtRefundList", Some(j + 1), |ck| {
                    gcode(ck, &l.gcode);
                    ck.table("unit", &l.unit, TableId::Unit);
                    ck.positive("qty", l.qty, "");
                });
            }
        });
    }
}

fn ceb711(ck: &mut Ck, m: &import::CEB711Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    let d = &m.delivery;
    ck.at("Delivery", None, |ck| {
        ck.at("DeliveryHead", None, |ck| {
            let h = &d.delivery_head;
            head!(ck, h);
            ck.customs("customsCode", &h.customs_code);
            ck.enterprise("operatorCode", &h.operator_code);
            ck.enterprise("logisticsCode", &h.logistics_code);
            ck.fixed("ieFlag", &h.ie_flag, "I", "(I = import)");
            ck.table("trafMode", &h.traf_mode, TableId::TransportMode);
            ck.pre_no("preNo", h.pre_no.as_ref());
        });
        ck.gnums("DeliveryList", d.delivery_list.iter().map(|l| l.gnum));
        items(ck, "DeliveryList", d.delivery_list.len(), &RuleConfig { max_items: usize::MAX, ..cfg.clone() });
    });
}

// ---------------------------------------------------------------- export

fn ceb303(ck: &mut Ck, m: &export::CEB303Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "Order", m.order.len(), cfg);
    for (i, o) in m.order.iter().enumerate() {
        ck.at("Order", Some(i + 1), |ck| {
            let h = &o.order_head;
            ck.at("OrderHead", None, |ck| {
                head!(ck, h);
                ck.one_of(
                    "orderType",
                    &h.order_type,
                    &[("E", "B2C export"), ("B", "B2B export (9710)"), ("W", "overseas-warehouse booking (9810)")],
                );
                ck.platform("ebpCode", &h.ebp_code);
                ck.enterprise("ebcCode", &h.ebc_code);
                ck.table("currency", &h.currency, TableId::Currency);
                ck.placeholder_number("goodsValue", h.goods_value);
            });
            items(ck, "OrderList", o.order_list.len(), cfg);
            ck.gnums("OrderList", o.order_list.iter().map(|l| l.gnum));
            for (j, l) in o.order_list.iter().enumerate() {
                ck.at("OrderList", Some(j + 1), |ck| {
                    ck.table("unit", &l.unit, TableId::Unit);
                    ck.table("currency", &l.currency, TableId::Currency);
                    ck.placeholder_text("itemName", &l.item_name);
                    ck.total_price(l.qty, l.price, l.total_price);
                });
            }
            if let Some(total) = sum(o.order_list.iter().map(|l| l.total_price)) {
                let gv = h.goods_value;
                if (total - gv).abs() >= fen() {
                    ck.at("OrderHead", None, |ck| {
                        let msg = format!("goodsValue (商品价格) is {gv}, but the items' totalPrice add up to {total}");
                        ck.err(Code::ArithGoodsValue, "goodsValue", &gv.to_string(), msg);
                    });
                }
            }
        });
    }
}

fn ceb403(ck: &mut Ck, m: &export::CEB403Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "Receipts", m.receipts.len(), cfg);
    for (i, r) in m.receipts.iter().enumerate() {
        ck.at("Receipts", Some(i + 1), |ck| {
            head!(ck, r);
            ck.platform("ebpCode", &r.ebp_code);
            ck.enterprise("ebcCode", &r.ebc_code);
            ck.opt_enterprise("payCode", r.pay_code.as_ref());
            ck.table("currency", &r.currency, TableId::Currency);
            ck.app_time("accountingDate", &r.accounting_date);
        });
    }
}

fn ceb505(ck: &mut Ck, m: &export::CEB505Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "Logistics", m.logistics.len(), cfg);
    for (i, l) in m.logistics.iter().enumerate() {
        ck.at("Logistics", Some(i + 1), |ck| {
            head!(ck, l);
            ck.enterprise("logisticsCode", &l.logistics_code);
            ck.opt_enterprise("ebcCode", l.ebc_code.as_ref());
            ck.table("currency", &l.currency, TableId::Currency);
            ck.positive("grossWeight", l.gross_weight, "kg");
        });
    }
}

fn ceb507(ck: &mut Ck, m: &export::CEB507Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "Arrival", m.arrival.len(), cfg);
    let declared = m.arrival.iter().any(|a| a.arrival_head.app_status == "2");
    signature_required(ck, m.signature.is_some(), declared, "CEB507");
    for (i, a) in m.arrival.iter().enumerate() {
        ck.at("Arrival", Some(i + 1), |ck| {
            ck.at("ArrivalHead", None, |ck| {
                let h = &a.arrival_head;
                head!(ck, h);
                ck.customs("customsCode", &h.customs_code);
                ck.enterprise("operatorCode", &h.operator_code);
                ck.enterprise("logisticsCode", &h.logistics_code);
                ck.one_of("ieFlag", &h.ie_flag, IE_FLAG);
                ck.table("trafMode", &h.traf_mode, TableId::TransportMode);
                ck.msg_seq(h.msg_count, h.msg_seq_no);
            });
            ck.gnums("ArrivalList", a.arrival_list.iter().map(|l| l.gnum));
        });
    }
}

fn ceb509(ck: &mut Ck, m: &export::CEB509Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "Departure", m.departure.len(), cfg);
    let declared = m.departure.iter().any(|a| a.departure_head.app_status == "2");
    signature_required(ck, m.signature.is_some(), declared, "CEB509");
    for (i, d) in m.departure.iter().enumerate() {
        ck.at("Departure", Some(i + 1), |ck| {
            ck.at("DepartureHead", None, |ck| {
                let h = &d.departure_head;
                head!(ck, h);
                ck.customs("customsCode", &h.customs_code);
                ck.enterprise("logisticsCode", &h.logistics_code);
                ck.table("trafMode", &h.traf_mode, TableId::TransportMode);
                ck.app_time("leaveTime", &h.leave_time);
                ck.msg_seq(h.msg_count, h.msg_seq_no);
            });
            ck.gnums("DepartureList", d.departure_list.iter().map(|l| l.gnum));
        });
    }
}

fn ceb603(ck: &mut Ck, m: &export::CEB603Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "Inventory", m.inventory.len(), cfg);
    let declared = m.inventory.iter().any(|a| a.inventory_head.app_status == "2");
    signature_required(ck, m.signature.is_some(), declared, "CEB603");
    for (i, inv) in m.inventory.iter().enumerate() {
        ck.at("Inventory", Some(i + 1), |ck| {
            let h = &inv.inventory_head;
            let bonded = h.trade_mode == "1210";
            ck.at("InventoryHead", None, |ck| {
                head!(ck, h);
                ck.customs("customsCode", &h.customs_code);
                ck.customs("portCode", &h.port_code);
                ck.platform("ebpCode", &h.ebp_code);
                ck.enterprise("ebcCode", &h.ebc_code);
                ck.enterprise("logisticsCode", &h.logistics_code);
                ck.enterprise("agentCode", &h.agent_code);
                if h.owner_code != "NO" {
                    ck.enterprise("ownerCode", &h.owner_code);
                }
                ck.pre_no("preNo", h.pre_no.as_ref());
                ck.invt_no("invtNo", h.invt_no.as_ref());
                ck.fixed("ieFlag", &h.ie_flag, "E", "(E = export)");
                ck.date8("ieDate", &h.ie_date);
                ck.one_of(
                    "statisticsFlag",
                    &h.statistics_flag,
                    &[("A", "simplified declaration"), ("B", "summary declaration")],
                );
                ck.one_of("tradeMode", &h.trade_mode, EXPORT_MODES);
                ck.table("trafMode", &h.traf_mode, TableId::TransportMode);
                ck.table("country", &h.country, TableId::Country);
                if h.pod.len() == 3 && h.pod.starts_with("00") {
                    let msg = format!("POD (指运港代码) '{}' is a placeholder, not a port of destination", h.pod);
                    ck.err(Code::PlaceholderValue, "POD", &h.pod, msg);
                }
                ck.table("fCurrency", &h.f_currency, TableId::Currency);
                ck.table("iCurrency", &h.i_currency, TableId::Currency);
                ck.one_of("fFlag", &h.f_flag, CHARGE_FLAG);
                ck.one_of("iFlag", &h.i_flag, CHARGE_FLAG);
                ck.table("wrapType", &h.wrap_type, TableId::WrapType);
                if bonded {
                    required(
                        ck,
                        "iacCode",
                        h.iac_code.as_ref(),
                        "for bonded export (1210): the zone warehouse enterprise",
                    );
                    required(ck, "emsNo", h.ems_no.as_ref(), "for bonded export (1210): the zone account book");
                } else {
                    not_allowed(ck, "emsNo", h.ems_no.as_ref(), "the account book is only for bonded export (1210)");
                }
                if h.net_weight > h.gross_weight {
                    let msg =
                        format!("netWeight (净重) {} exceeds grossWeight (毛重) {}", h.net_weight, h.gross_weight);
                    ck.err(Code::ConsistencyMismatch, "netWeight", &h.net_weight.to_string(), msg);
                }
            });
            items(ck, "InventoryList", inv.inventory_list.len(), cfg);
            ck.gnums("InventoryList", inv.inventory_list.iter().map(|l| l.gnum));
            for (j, l) in inv.inventory_list.iter().enumerate() {
                ck.at("InventoryList", Some(j + 1), |ck| {
                    gcode(ck, &l.gcode);
                    ck.table("country", &l.country, TableId::Country);
                    ck.table("currency", &l.currency, TableId::Currency);
                    ck.table("unit", &l.unit, TableId::Unit);
                    ck.table("unit1", &l.unit1, TableId::Unit);
                    ck.opt_table("unit2", l.unit2.as_ref(), TableId::Unit);
                    ck.total_price(l.qty, l.price, l.total_price);
                    if !bonded {
                        not_allowed(
                            ck,
                            "itemRecordNo",
                            l.item_record_no.as_ref(),
                            "account-book items are only for bonded export (1210)",
                        );
                    }
                });
            }
        });
    }
}

fn ceb605(ck: &mut Ck, m: &export::CEB605Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "InvtCancel", m.invt_cancel.len(), cfg);
    let declared = m.invt_cancel.iter().any(|a| a.app_status == "2");
    signature_required(ck, m.signature.is_some(), declared, "CEB605");
    for (i, c) in m.invt_cancel.iter().enumerate() {
        ck.at("InvtCancel", Some(i + 1), |ck| {
            head!(ck, c);
            ck.customs("customsCode", &c.customs_code);
            ck.invt_no("invtNo", Some(&c.invt_no));
            ck.enterprise("agentCode", &c.agent_code);
            ck.enterprise("ebcCode", &c.ebc_code);
            reason(ck, &c.reason);
        });
    }
}

fn ceb607(ck: &mut Ck, m: &export::CEB607Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "WayBill", m.way_bill.len(), cfg);
    let declared = m.way_bill.iter().any(|a| a.way_bill_head.app_status == "2");
    signature_required(ck, m.signature.is_some(), declared, "CEB607");
    for (i, w) in m.way_bill.iter().enumerate() {
        ck.at("WayBill", Some(i + 1), |ck| {
            ck.at("WayBillHead", None, |ck| {
                let h = &w.way_bill_head;
                head!(ck, h);
                ck.customs("customsCode", &h.customs_code);
                ck.enterprise("agentCode", &h.agent_code);
                ck.enterprise("logisticsCode", &h.logistics_code);
                ck.table("trafMode", &h.traf_mode, TableId::TransportMode);
                ck.msg_seq(h.msg_count, h.msg_seq_no);
            });
            ck.gnums("WayBillList", w.way_bill_list.iter().map(|l| l.gnum));
            for (j, l) in w.way_bill_list.iter().enumerate() {
                ck.at("WayBillList", Some(j + 1), |ck| ck.invt_no("invtNo", l.invt_no.as_ref()));
            }
        });
    }
}

fn ceb213(ck: &mut Ck, m: &export::CEB213Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "InvtRefund", m.invt_refund.len(), cfg);
    for (i, r) in m.invt_refund.iter().enumerate() {
        ck.at("InvtRefund", Some(i + 1), |ck| {
            ck.at("InvtRefundHead", None, |ck| {
                let h = &r.invt_refund_head;
                head!(ck, h);
                ck.customs("customsCode", &h.customs_code);
                ck.customs("portCode", &h.port_code);
                ck.platform("ebpCode", &h.ebp_code);
                ck.enterprise("ebcCode", &h.ebc_code);
                ck.enterprise("logisticsCode", &h.logistics_code);
                ck.enterprise("agentCode", &h.agent_code);
                ck.invt_no("invtNo", Some(&h.invt_no));
                if let Some(tm) = h.trade_mode.as_ref().filter(|t| !t.is_empty()) {
                    ck.one_of("tradeMode", tm, RETURN_MODES);
                }
                ck.fixed("ieFlag", &h.ie_flag, "I", "(a return comes back in: I)");
                ck.table("trafMode", &h.traf_mode, TableId::TransportMode);
                ck.table("country", &h.country, TableId::Country);
                if h.country == "142" {
                    let msg =
                        "country (起运国) is the country the goods are returned from, which cannot be China (142)"
                            .to_string();
                    ck.err(Code::CodeNotAllowed, "country", &h.country, msg);
                }
                reason(ck, &h.reason);
            });
            items(ck, "InvtRefundList", r.invt_refund_list.len(), cfg);
            ck.gnums("InvtRefundList", r.invt_refund_list.iter().map(|l| l.gnum));
            for (j, l) in r.invt_refund_list.iter().enumerate() {
                ck.at("InvtRefundList", Some(j + 1), |ck| {
                    gcode(ck, &l.gcode);
                    ck.table("unit", &l.unit, TableId::Unit);
                    ck.table("unit1", &l.unit1, TableId::Unit);
                    ck.opt_table("unit2", l.unit2.as_ref(), TableId::Unit);
                });
            }
        });
    }
}

fn ceb215(ck: &mut Ck, m: &export::CEB215Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "InvtRefundDetail", m.invt_refund_detail.len(), cfg);
    for (i, d) in m.invt_refund_detail.iter().enumerate() {
        ck.at("InvtRefundDetail", Some(i + 1), |ck| {
            head!(ck, d);
            ck.customs("customsCode", &d.customs_code);
            ck.enterprise("operatorCode", &d.operator_code);
            ck.enterprise("logisticsCode", &d.logistics_code);
            ck.invt_no("invtNo", d.invt_no.as_ref());
            ck.fixed("ieFlag", &d.ie_flag, "I", "(a return comes back in: I)");
            ck.table("trafMode", &d.traf_mode, TableId::TransportMode);
        });
    }
}

fn ceb701(ck: &mut Ck, m: &export::CEB701Message, cfg: &RuleConfig) {
    transfer!(ck, m);
    records(ck, "SummaryApply", m.summary_apply.len(), cfg);
    let declared = m.summary_apply.iter().any(|a| a.summary_apply_head.app_status == "2");
    signature_required(ck, m.signature.is_some(), declared, "CEB701");
    for (i, s) in m.summary_apply.iter().enumerate() {
        ck.at("SummaryApply", Some(i + 1), |ck| {
            ck.at("SummaryApplyHead", None, |ck| {
                let h = &s.summary_apply_head;
                head!(ck, h);
                ck.customs("customsCode", &h.customs_code);
                ck.enterprise("agentCode", &h.agent_code);
                ck.enterprise("ebcCode", &h.ebc_code);
                ck.enterprise("declAgentCode", &h.decl_agent_code);
                ck.one_of(
                    "summaryFlag",
                    &h.summary_flag,
                    &[("1", "by consignor"), ("2", "by consignor and producer/seller")],
                );
                for (f, v) in [("startTime", &h.start_time), ("endTime", &h.end_time)] {
                    if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                        ck.app_time(f, v);
                    }
                }
                ck.msg_seq(h.msg_count, h.msg_seq_no);
            });
            for (j, l) in s.summary_apply_list.iter().enumerate() {
                ck.at("SummaryApplyList", Some(j + 1), |ck| ck.invt_no("invtNo", Some(&l.invt_no)));
            }
        });
    }
}

fn ceb792(ck: &mut Ck, m: &export::CEB792Message) {
    ck.guid("@guid", &m.guid);
    for (i, s) in m.summary_result.iter().enumerate() {
        ck.at("SummaryResult", Some(i + 1), |ck| {
            ck.at("SummaryResultHead", None, |ck| {
                let h = &s.summary_result_head;
                ck.guid("guid", &h.guid);
                ck.customs("customsCode", &h.customs_code);
                return_time_field(ck, "opDate", &h.op_date);
                ck.enterprise("agentCode", &h.agent_code);
                ck.enterprise("ebcCode", &h.ebc_code);
                ck.enterprise("declAgentCode", &h.decl_agent_code);
                ck.placeholder_number("grossWeight", h.gross_weight);
                ck.placeholder_number("netWeight", h.net_weight);
                ck.msg_seq(h.msg_count, h.msg_seq_no);
            });
            for (j, l) in s.summary_result_list.iter().enumerate() {
                ck.at("SummaryResultList", Some(j + 1), |ck| {
                    ck.invt_no("invtNo", Some(&l.invt_no));
                    gcode(ck, &l.gcode);
                });
            }
        });
    }
}

fn return_time_field(ck: &mut Ck, field: &str, v: &str) {
    if ReturnTime::parse(v).is_err() {
        let msg = format!("{} must be a yyyyMMddHHmmssSSS timestamp", ck.name(field));
        ck.err(Code::FormatDateTime17, field, v, msg);
    }
}

fn ceb816(ck: &mut Ck, m: &import::CEB816Message) {
    ck.guid("@guid", &m.guid);
    for (i, t) in m.tax.iter().enumerate() {
        ck.at("Tax", Some(i + 1), |ck| {
            ck.at("TaxHeadRd", None, |ck| {
                let h = &t.tax_head_rd;
                ck.guid("guid", &h.guid);
                return_time(ck, &h.return_time);
                ck.invt_no("invtNo", Some(&h.invt_no));
                ck.one_of("status", &h.status, &[("1", "generated"), ("2", "summarised"), ("3", "void")]);
            });
            ck.gnums("TaxListRd", t.tax_list_rd.iter().map(|l| l.gnum));
        });
    }
}

fn dxp_msg(ck: &mut Ck, m: &dxp::DxpMsg) {
    ck.at("TransInfo", None, |ck| {
        let t = &m.trans_info;
        if MessageType::from_root_name(&t.msg_type).is_none() {
            let msg = format!("MsgType '{}' is not a CEB message type (e.g. CEB311Message)", t.msg_type);
            ck.err(Code::CodeUnknown, "MsgType", &t.msg_type, msg);
        }
    });
}

/// Customs→enterprise receipts: guid, returnTime and a returnStatus this
/// receipt type may carry.
fn receipt(ck: &mut Ck, msg: &Message) {
    let Some(mt) = MessageType::from_root_name(msg.root_name()) else { return };
    let Ok(value) = serde_json::to_value(msg) else { return };
    let Some(body) = value.get(msg.root_name()) else { return };
    if let Some(g) = body.get("guid").and_then(|g| g.as_str()) {
        ck.guid("@guid", g);
    }
    let Some(obj) = body.as_object() else { return };
    for (name, records) in obj {
        let Some(records) = records.as_array() else { continue };
        for (i, r) in records.iter().enumerate() {
            ck.at(name, Some(i + 1), |ck| {
                let s = |k: &str| r.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                if r.get("guid").is_some() {
                    ck.guid("guid", &s("guid"));
                }
                if r.get("returnTime").is_some() {
                    return_time(ck, &s("returnTime"));
                }
                let status = s("returnStatus");
                match ReturnStatus::parse(&status) {
                    Some(rs) if rs.is_error() || rs.applies_to(mt) => {}
                    Some(_) => {
                        let msg = format!("returnStatus {status} is not a status of {} receipts", mt.as_str());
                        ck.err(Code::CodeNotAllowed, "returnStatus", &status, msg);
                    }
                    None if r.get("returnStatus").is_some() => {
                        let msg = format!("returnStatus '{status}' is not an official status code");
                        ck.err(Code::CodeUnknown, "returnStatus", &status, msg);
                    }
                    None => {}
                }
            });
        }
    }
}
