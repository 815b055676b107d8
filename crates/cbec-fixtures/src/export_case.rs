//! One cross-border export as customs sees it: the platform's order
//! (CEB303), the payment enterprise's receipt of payment (CEB403, 收款单),
//! the logistics enterprise's waybill (CEB505) and the agent's declaration
//! list (CEB603), made from a seed and consistent with each other the way a
//! clearance engine matches them (domain guide §3.4, §4.1–4.2).
//!
//! [`export_case`] builds an [`ExportCase`] in one of three modes
//! ([`ExportMode`]): a 9610 retail parcel within the 5,000 CNY per-ticket
//! bound of list declaration, or a 9710 / 9810 B2B shipment worth tens of
//! thousands. Every document is left unsigned (`signature: None`): callers
//! sign them with cbec-dsig or put
//! [`UNVERIFIED_SIGNATURE`](crate::UNVERIFIED_SIGNATURE) in. The XSD leaves
//! the signature optional everywhere, but the spec text (and cbec-rules)
//! requires one on a declared CEB603.

use cbec_ceb::Message;
use cbec_ceb::export::{
    self, BaseTransfer, Inventory, InventoryHead, InventoryList, Logistics, Order, OrderHead, OrderList, Receipts,
};
use cbec_model::Decimal;
use cbec_model::money::Amount;

use crate::{Parties, Rng};

/// The three export modes a list (CEB603) can declare here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportMode {
    /// 9610 retail export: one parcel per consumer order (orderType E).
    Retail,
    /// 9710 B2B direct export: goods sold to a foreign enterprise (orderType B).
    B2bDirect,
    /// 9810 export to an overseas warehouse: the order is the warehouse
    /// booking (orderType W).
    B2bWarehouse,
}

impl ExportMode {
    /// The list's `tradeMode`: 9610, 9710 or 9810.
    pub fn trade_mode(self) -> &'static str {
        match self {
            ExportMode::Retail => "9610",
            ExportMode::B2bDirect => "9710",
            ExportMode::B2bWarehouse => "9810",
        }
    }

    /// The order's `orderType`: E, B or W.
    pub fn order_type(self) -> &'static str {
        match self {
            ExportMode::Retail => "E",
            ExportMode::B2bDirect => "B",
            ExportMode::B2bWarehouse => "W",
        }
    }

    /// `A` (simplified declaration) for retail parcels, whose goods need no
    /// licence, pay no export duty and claim no rebate; `B` (summary
    /// declaration) for B2B shipments (domain guide §4.1).
    fn statistics_flag(self) -> &'static str {
        match self {
            ExportMode::Retail => "A",
            ExportMode::B2bDirect | ExportMode::B2bWarehouse => "B",
        }
    }

    /// Air parcels for retail, sea freight for B2B shipments.
    fn traf_mode(self) -> &'static str {
        match self {
            ExportMode::Retail => "5",
            ExportMode::B2bDirect | ExportMode::B2bWarehouse => "2",
        }
    }

    fn is_b2b(self) -> bool {
        self != ExportMode::Retail
    }

    fn salt(self) -> u64 {
        match self {
            ExportMode::Retail => 0x9610_E0E0_7000_0001,
            ExportMode::B2bDirect => 0x9710_B2B0_D000_0002,
            ExportMode::B2bWarehouse => 0x9810_0A2E_4000_0003,
        }
    }
}

/// The four documents of one export, consistent with each other.
#[derive(Debug, Clone)]
pub struct ExportCase {
    pub order: export::CEB303Message,
    pub receipt: export::CEB403Message,
    pub waybill: export::CEB505Message,
    pub list: export::CEB603Message,
}

/// A product made in China for export; none needs a licence or pays export
/// duty.
struct Goods {
    gcode: &'static str,
    name: &'static str,
    model: &'static str,
    /// Declared unit.
    unit: &'static str,
    /// First legal unit: the declared unit, or kilograms (then the legal
    /// quantity is the net weight).
    unit1: &'static str,
    /// Second legal unit (kilograms) where the tariff line has one.
    unit2: Option<&'static str>,
    /// Net weight of one unit in grams.
    net_g: i64,
    /// Retail price range in fen and the most units one consumer takes.
    retail_fen: (u64, u64),
    max_qty: u64,
    /// Wholesale (B2B) price range in fen.
    b2b_fen: (u64, u64),
}

const KG: &str = "035";

/// Any five of these at their highest retail price and quantity, plus the
/// highest retail freight, stay below 5,000 CNY; a test checks the bound.
const GOODS: &[Goods] = &[
    Goods {
        gcode: "6109100021",
        name: "纯棉T恤",
        model: "M码/件 100%棉 针织 圆领",
        unit: "011",
        unit1: "011",
        unit2: Some(KG),
        net_g: 200,
        retail_fen: (3_900, 12_900),
        max_qty: 3,
        b2b_fen: (1_500, 4_500),
    },
    Goods {
        gcode: "6403990090",
        name: "运动鞋",
        model: "42码/双 皮革鞋面 橡胶底",
        unit: "025",
        unit1: "025",
        unit2: Some(KG),
        net_g: 850,
        retail_fen: (15_900, 45_900),
        max_qty: 2,
        b2b_fen: (6_000, 18_000),
    },
    Goods {
        gcode: "4202210000",
        name: "真皮手提包",
        model: "牛皮革面 中号",
        unit: "007",
        unit1: "007",
        unit2: Some(KG),
        net_g: 700,
        retail_fen: (29_900, 89_900),
        max_qty: 1,
        b2b_fen: (12_000, 35_000),
    },
    Goods {
        gcode: "8516500000",
        name: "微波炉",
        model: "20L 700W 机械式 220V",
        unit: "001",
        unit1: "001",
        unit2: None,
        net_g: 11_500,
        retail_fen: (39_900, 89_900),
        max_qty: 1,
        b2b_fen: (18_000, 38_000),
    },
    Goods {
        gcode: "3924100000",
        name: "塑料餐具",
        model: "6件/套 聚丙烯 可微波",
        unit: "006",
        unit1: KG,
        unit2: None,
        net_g: 600,
        retail_fen: (2_900, 9_900),
        max_qty: 3,
        b2b_fen: (1_200, 3_500),
    },
    Goods {
        gcode: "3304990099",
        name: "保湿面霜",
        model: "50ml/瓶 护肤用",
        unit: "142",
        unit1: KG,
        unit2: None,
        net_g: 80,
        retail_fen: (5_900, 25_900),
        max_qty: 3,
        b2b_fen: (2_500, 9_000),
    },
];

/// Where the goods go: the country code (old 3-digit table, also the items'
/// `country`) and the overseas warehouse of a 9810 booking there.
const DESTINATIONS: &[(&str, &str)] = &[
    ("502", "洛杉矶"),
    ("303", "伦敦"),
    ("304", "法兰克福"),
    ("305", "巴黎"),
    ("116", "东京"),
    ("601", "悉尼"),
    ("501", "多伦多"),
];

/// Retail air-parcel freight in fen.
const RETAIL_FREIGHT_FEN: &[i64] = &[3_000, 4_500, 6_000, 8_000];

/// Each B2B item line is worth 20,000..=40,000 CNY (in fen), so one to five
/// lines make 20,000..=200,000 CNY.
const B2B_LINE_FEN: (u64, u64) = (2_000_000, 4_000_000);

const EBP_NAME: &str = "示例跨境电商平台有限公司";
const EBC_NAME: &str = "示例跨境电商企业有限公司";
const LOGISTICS_NAME: &str = "示例国际物流有限公司";
const PAY_NAME: &str = "示例支付有限公司";
const AGENT_NAME: &str = "示例报关有限公司";
/// Shenzhen customs: declaration; 5301 (within the 53xx district): exit.
const CUSTOMS: &str = "5300";
const PORT: &str = "5301";

/// The documents of one export of `items` goods (1..=99) in `mode` between
/// `parties`. The same seed and mode always give the same case; different
/// seeds or modes give different order, receipt (payNo), waybill and copNo
/// numbers and guids. A 9610 case with 1..=5 items stays within 5,000 CNY
/// (goods and freight); a 9710 / 9810 case with 1..=5 items is worth
/// 20,000..=200,000 CNY of goods.
pub fn export_case(seed: u64, mode: ExportMode, items: usize, parties: &Parties) -> ExportCase {
    let mut r = Rng::new(seed ^ mode.salt());
    let b2b = mode.is_b2b();
    let tag = mode.order_type();

    // When: a day in November 2026 during working hours; each document
    // follows the one it depends on by minutes, and the goods leave the
    // next day.
    let day = 1 + r.below(24);
    let t0 = 8 * 3600 + r.below(9 * 3600);
    let at = |after: u64| format!("202611{day:02}{}", hhmmss(t0 + after));
    let date8 = format!("202611{day:02}");
    let ie_date = format!("202611{:02}", day + 1);

    // Where to.
    let (country, city) = *r.pick(DESTINATIONS);

    // What: distinct goods (cycling through the table past its size).
    let n = items.clamp(1, 99);
    let first = r.below(GOODS.len() as u64) as usize;
    let mut list_items = Vec::with_capacity(n);
    let mut net_g = 0i64;
    let mut goods_info = Vec::with_capacity(n);
    for g in 0..n {
        let idx = (first + g) % GOODS.len();
        let goods = &GOODS[idx];
        let (fen, units) = if b2b {
            let fen = between(&mut r, goods.b2b_fen);
            let least = B2B_LINE_FEN.0.div_ceil(fen);
            let most = (B2B_LINE_FEN.1 / fen).max(least);
            (fen, least + r.below(most - least + 1))
        } else {
            (between(&mut r, goods.retail_fen), 1 + r.below(goods.max_qty))
        };
        let qty = Decimal::from(units);
        let price = Decimal::new(fen as i64, 2);
        let item_net_g = goods.net_g * units as i64;
        net_g += item_net_g;
        let weight = Decimal::new(item_net_g, 3);
        let qty1 = if goods.unit1 == KG { weight } else { qty };
        goods_info.push(format!("{}*{units}", goods.name));
        list_items.push(InventoryList {
            gnum: g as i32 + 1,
            item_no: sku(idx),
            item_record_no: None,
            item_name: Some(goods.name.to_string()),
            gcode: goods.gcode.to_string(),
            gname: goods.name.to_string(),
            gmodel: goods.model.to_string(),
            bar_code: "无".into(),
            country: country.to_string(),
            currency: "142".into(),
            qty,
            qty1,
            qty2: goods.unit2.map(|_| weight),
            unit: goods.unit.to_string(),
            unit1: goods.unit1.to_string(),
            unit2: goods.unit2.map(str::to_string),
            price,
            total_price: qty * price,
            note: None,
        });
    }
    let goods_value: Decimal = list_items.iter().map(|l| l.total_price).sum();
    let order_items = list_items
        .iter()
        .map(|l| OrderList {
            gnum: l.gnum,
            item_no: l.item_no.clone(),
            item_name: l.gname.clone(),
            item_describe: Some(l.gmodel.clone()),
            bar_code: None,
            unit: l.unit.clone(),
            currency: "142".into(),
            qty: l.qty,
            price: l.price,
            total_price: l.total_price,
            note: None,
        })
        .collect::<Vec<_>>();

    // How: a carton by air for a parcel; a consolidated sea shipment (a
    // fixed fee plus a rate per kg) for B2B.
    let (gross_g, freight) = if b2b {
        let gross_g = net_g + net_g / 20 + 1_000;
        let rate_fen_per_kg = 60 + r.below(91) as i64;
        let freight = fen(Decimal::new(50_000, 2) + Decimal::new(gross_g * rate_fen_per_kg, 5));
        (gross_g, freight)
    } else {
        (net_g + 150, Decimal::new(*r.pick(RETAIL_FREIGHT_FEN), 2))
    };
    let net_weight = Decimal::new(net_g, 3);
    let gross_weight = Decimal::new(gross_g, 3);

    let order_no = format!("EXO{tag}{seed:012}");
    let logistics_no = format!("EXL{tag}{seed:012}");
    let pay_no = format!("RCV{tag}{date8}{seed:012}");
    let cop_no = format!("EC{tag}{seed:016X}");
    // An overseas-warehouse booking names the warehouse where an order
    // names the platform (§3.4).
    let ebp_name = if mode == ExportMode::B2bWarehouse {
        format!("示例海外仓储({city})有限公司")
    } else {
        EBP_NAME.to_string()
    };

    let order_time = at(0);
    let accounting_date = at(30 + r.below(270));
    let receipt_time = at(600 + r.below(300));
    let waybill_time = at(1200 + r.below(600));
    let list_time = at(2400 + r.below(1200));

    let order = export::CEB303Message {
        guid: r.guid(),
        version: "1.0".into(),
        order: vec![Order {
            order_head: OrderHead {
                guid: r.guid(),
                app_type: "1".into(),
                app_time: order_time,
                app_status: "2".into(),
                order_type: mode.order_type().into(),
                order_no: order_no.clone(),
                ebp_code: parties.ebp.clone(),
                ebp_name: ebp_name.clone(),
                ebc_code: parties.ebc.clone(),
                ebc_name: EBC_NAME.into(),
                goods_value,
                freight,
                currency: "142".into(),
                note: None,
            },
            order_list: order_items,
        }],
        base_transfer: transfer(&parties.ebp, &ebp_name, 1),
        base_subscribe: Vec::new(),
        signature: None,
        extend_message: None,
    };

    let receipt = export::CEB403Message {
        guid: r.guid(),
        version: "1.0".into(),
        receipts: vec![Receipts {
            guid: r.guid(),
            app_type: "1".into(),
            app_time: receipt_time,
            app_status: "2".into(),
            ebp_code: parties.ebp.clone(),
            ebp_name: ebp_name.clone(),
            ebc_code: parties.ebc.clone(),
            ebc_name: EBC_NAME.into(),
            order_no: order_no.clone(),
            pay_code: Some(parties.pay.clone()),
            pay_name: PAY_NAME.into(),
            pay_no: Some(pay_no),
            charge: goods_value + freight,
            currency: "142".into(),
            accounting_date,
            note: None,
        }],
        base_transfer: transfer(&parties.pay, PAY_NAME, 4),
        base_subscribe: Vec::new(),
        signature: None,
        extend_message: None,
    };

    let mut info = goods_info.join(";");
    if info.chars().count() > 200 {
        info = info.chars().take(200).collect();
    }
    let waybill = export::CEB505Message {
        guid: r.guid(),
        version: "1.0".into(),
        logistics: vec![Logistics {
            guid: r.guid(),
            app_type: "1".into(),
            app_time: waybill_time,
            app_status: "2".into(),
            logistics_code: parties.logistics.clone(),
            logistics_name: LOGISTICS_NAME.into(),
            logistics_no: logistics_no.clone(),
            freight,
            insured_fee: fen(Decimal::ZERO),
            currency: "142".into(),
            gross_weight,
            pack_no: 1,
            goods_info: info,
            ebc_code: Some(parties.ebc.clone()),
            ebc_name: Some(EBC_NAME.into()),
            ebc_telephone: None,
            note: None,
        }],
        base_transfer: transfer(&parties.logistics, LOGISTICS_NAME, 3),
        base_subscribe: Vec::new(),
        signature: None,
        extend_message: None,
    };

    let head = InventoryHead {
        guid: r.guid(),
        app_type: "1".into(),
        app_time: list_time,
        app_status: "2".into(),
        customs_code: CUSTOMS.into(),
        ebp_code: parties.ebp.clone(),
        ebp_name,
        order_no,
        logistics_code: parties.logistics.clone(),
        logistics_name: LOGISTICS_NAME.into(),
        logistics_no,
        cop_no,
        pre_no: None,
        invt_no: None,
        ie_flag: "E".into(),
        port_code: PORT.into(),
        ie_date,
        statistics_flag: mode.statistics_flag().into(),
        agent_code: parties.agent.clone(),
        agent_name: AGENT_NAME.into(),
        ebc_code: parties.ebc.clone(),
        ebc_name: EBC_NAME.into(),
        owner_code: parties.ebc.clone(),
        owner_name: EBC_NAME.into(),
        iac_code: None,
        iac_name: None,
        ems_no: None,
        trade_mode: mode.trade_mode().into(),
        traf_mode: mode.traf_mode().into(),
        // Carrier, voyage, bill and total package are usually unknown when
        // the list is declared; the waybill list (CEB607) fills them later.
        traf_name: None,
        voyage_no: None,
        bill_no: None,
        total_package_no: None,
        loct_no: None,
        license_no: None,
        country: country.into(),
        // No port-of-destination table is available to the project, so the
        // destination country's code stands in (C3..4 in the XSD).
        pod: country.into(),
        freight,
        f_currency: "142".into(),
        f_flag: "3".into(),
        insured_fee: fen(Decimal::ZERO),
        i_currency: "142".into(),
        i_flag: "3".into(),
        wrap_type: "2".into(),
        pack_no: 1,
        gross_weight,
        net_weight,
        note: None,
    };
    let list = export::CEB603Message {
        guid: r.guid(),
        version: "1.0".into(),
        inventory: vec![Inventory { inventory_head: head, inventory_list: list_items }],
        base_transfer: transfer(&parties.agent, AGENT_NAME, 5),
        base_subscribe: Vec::new(),
        signature: None,
        extend_message: None,
    };

    ExportCase { order, receipt, waybill, list }
}

impl ExportCase {
    /// Each as a `Message`: order, receipt of payment, waybill, list.
    pub fn messages(&self) -> [Message; 4] {
        [
            Message::CEB303Message(Box::new(self.order.clone())),
            Message::CEB403Message(Box::new(self.receipt.clone())),
            Message::CEB505Message(Box::new(self.waybill.clone())),
            Message::CEB603Message(Box::new(self.list.clone())),
        ]
    }

    /// The list's value: the sum of its items' totalPrice (FOB, without
    /// freight).
    pub fn value(&self) -> Decimal {
        self.list.inventory.iter().flat_map(|i| &i.inventory_list).map(|l| l.total_price).sum()
    }

    /// The case made small enough for a B2B list (at most 5,000 CNY a
    /// ticket): one unit of each item at 100 CNY, on the order, the receipt
    /// of payment and the list alike.
    pub fn small(mut self) -> ExportCase {
        let hundred = Decimal::from(100);
        let order = &mut self.order.order[0];
        for i in &mut order.order_list {
            (i.qty, i.price, i.total_price) = (Decimal::ONE, hundred, hundred);
        }
        order.order_head.goods_value = hundred * Decimal::from(order.order_list.len());
        let charge = order.order_head.goods_value + order.order_head.freight;
        self.receipt.receipts[0].charge = charge;
        for i in &mut self.list.inventory[0].inventory_list {
            (i.qty, i.qty1, i.price, i.total_price) = (Decimal::ONE, Decimal::ONE, hundred, hundred);
            i.qty2 = i.qty2.map(|_| Decimal::ONE);
        }
        self
    }
}

fn transfer(code: &str, name: &str, dxp: u32) -> BaseTransfer {
    BaseTransfer {
        cop_code: code.to_string(),
        cop_name: name.to_string(),
        dxp_mode: "DXP".into(),
        dxp_id: format!("DXPENT{dxp:010}"),
        note: None,
    }
}

/// Uniform in `lo..=hi`.
fn between(r: &mut Rng, (lo, hi): (u64, u64)) -> u64 {
    lo + r.below(hi - lo + 1)
}

fn sku(idx: usize) -> String {
    format!("EXP{}{:02}", &GOODS[idx].gcode[..6], idx + 1)
}

/// Rounded to the fen (half away from zero) with exactly two decimals.
fn fen(d: Decimal) -> Decimal {
    Amount::from_decimal(d).round_fen().to_decimal()
}

fn hhmmss(secs: u64) -> String {
    let secs = secs % 86_400;
    format!("{:02}{:02}{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashSet;

    use cbec_ceb::{DecodeOptions, Limits, RawXml, decode, encode, validate_schema};
    use cbec_model::codes::{self, TableId};
    use cbec_model::diag::Code;
    use cbec_model::ident::{AppTime, Date8, Guid, HsCode};
    use cbec_rules::{RuleConfig, check_message};

    use super::*;
    use crate::{UNVERIFIED_SIGNATURE, uscc};

    const SEEDS: &[u64] = &[0, 1, 7, 42, 2026, 987_654_321, u64::MAX];
    const MODES: [ExportMode; 3] = [ExportMode::Retail, ExportMode::B2bDirect, ExportMode::B2bWarehouse];

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// The list with the placeholder signature that a declared CEB603 needs
    /// for the rules; other messages unchanged.
    fn with_signature(msg: Message) -> Message {
        match msg {
            Message::CEB603Message(mut m) => {
                m.signature = Some(RawXml(UNVERIFIED_SIGNATURE.into()));
                Message::CEB603Message(m)
            }
            other => other,
        }
    }

    /// Encodes, validates against the XSD, decodes back to the same value
    /// and runs the message rules; the unsigned message must fail the rules
    /// on nothing but the list's missing signature.
    fn assert_valid(msg: Message, what: &str) -> String {
        let xml = encode(&msg);
        let report = validate_schema(xml.as_bytes(), &Limits::default());
        assert!(report.is_valid(), "{what}: {:#?}\n{xml}", report.diagnostics);
        let decoded = decode(xml.as_bytes(), &DecodeOptions::default()).unwrap();
        assert_eq!(decoded.message, msg, "{what}: the decoded message differs");
        let unsigned_errors: Vec<_> =
            check_message(&msg, &RuleConfig::default()).into_iter().filter(|d| d.is_error()).collect();
        assert!(unsigned_errors.iter().all(|d| d.code == Code::SignatureRequired), "{what}: {unsigned_errors:#?}");

        let signed = with_signature(msg);
        let signed_xml = encode(&signed);
        let report = validate_schema(signed_xml.as_bytes(), &Limits::default());
        assert!(report.is_valid(), "{what}: {:#?}\n{signed_xml}", report.diagnostics);
        let errors: Vec<_> =
            check_message(&signed, &RuleConfig::default()).into_iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}\n{signed_xml}");
        xml
    }

    fn guids(c: &ExportCase) -> Vec<String> {
        vec![
            c.order.guid.clone(),
            c.order.order[0].order_head.guid.clone(),
            c.receipt.guid.clone(),
            c.receipt.receipts[0].guid.clone(),
            c.waybill.guid.clone(),
            c.waybill.logistics[0].guid.clone(),
            c.list.guid.clone(),
            c.list.inventory[0].inventory_head.guid.clone(),
        ]
    }

    fn time_ok(t: &str, what: &str) {
        assert!(AppTime::parse(t).is_ok(), "{what}: time {t}");
    }

    /// Every consistency rule of the brief, on the values.
    fn assert_consistent(c: &ExportCase, mode: ExportMode, parties: &Parties, what: &str) {
        assert_eq!(c.order.order.len(), 1, "{what}");
        assert_eq!(c.receipt.receipts.len(), 1, "{what}");
        assert_eq!(c.waybill.logistics.len(), 1, "{what}");
        assert_eq!(c.list.inventory.len(), 1, "{what}");
        let order = &c.order.order[0];
        let oh = &order.order_head;
        let p = &c.receipt.receipts[0];
        let w = &c.waybill.logistics[0];
        let inv = &c.list.inventory[0];
        let lh = &inv.inventory_head;

        // order ↔ list
        assert_eq!(oh.order_type, mode.order_type(), "{what}");
        assert_eq!((&oh.order_no, &oh.ebp_code, &oh.ebc_code), (&lh.order_no, &lh.ebp_code, &lh.ebc_code), "{what}");
        assert_eq!((&oh.ebp_code, &oh.ebc_code), (&parties.ebp, &parties.ebc), "{what}");
        assert_eq!(oh.ebp_name, lh.ebp_name, "{what}");
        assert_eq!(order.order_list.len(), inv.inventory_list.len(), "{what}");
        for (i, l) in inv.inventory_list.iter().enumerate() {
            assert_eq!(l.gnum, i as i32 + 1, "{what}");
            let matching: Vec<_> = order.order_list.iter().filter(|o| o.gnum == l.gnum).collect();
            assert_eq!(matching.len(), 1, "{what}: gnum {}", l.gnum);
            let o = matching[0];
            assert_eq!(o.item_name, l.gname, "{what}");
            assert_eq!(l.item_name.as_deref(), Some(l.gname.as_str()), "{what}");
            assert_eq!((o.qty, o.price, o.total_price), (l.qty, l.price, l.total_price), "{what}");
            assert_eq!((&o.unit, &o.item_no), (&l.unit, &l.item_no), "{what}");
            assert_eq!(l.price * l.qty, l.total_price, "{what}");
            assert_eq!(o.price * o.qty, o.total_price, "{what}");
            assert_eq!((l.currency.as_str(), o.currency.as_str()), ("142", "142"), "{what}");
            assert!(l.qty > Decimal::ZERO && l.price > Decimal::ZERO, "{what}");
            assert_eq!(l.price.scale(), 2, "{what}: prices are whole fen");
            assert!(HsCode::parse(&l.gcode).is_ok(), "{what}: gcode {}", l.gcode);
            assert_eq!(l.country, lh.country, "{what}: items go where the list goes");
            for unit in [Some(&l.unit), Some(&l.unit1), l.unit2.as_ref()].into_iter().flatten() {
                assert!(codes::table(TableId::Unit).contains(unit), "{what}: unit {unit}");
            }
            assert_eq!(l.qty2.is_some(), l.unit2.is_some(), "{what}");
            assert!(l.qty1 > Decimal::ZERO, "{what}");
            assert!(l.item_record_no.is_none(), "{what}: no account book outside 1210");
            assert!(!l.item_no.is_empty() && l.item_no.len() <= 20, "{what}");
        }
        let goods: Decimal = inv.inventory_list.iter().map(|l| l.total_price).sum();
        assert_eq!(oh.goods_value, goods, "{what}");
        assert_eq!(c.value(), goods, "{what}");
        assert_eq!(oh.currency, "142", "{what}");
        assert!(oh.freight > Decimal::ZERO, "{what}");

        // receipt of payment
        assert_eq!((&p.order_no, &p.ebp_code, &p.ebc_code), (&oh.order_no, &oh.ebp_code, &oh.ebc_code), "{what}");
        assert_eq!(p.charge, oh.goods_value + oh.freight, "{what}");
        assert_eq!(p.pay_code.as_deref(), Some(parties.pay.as_str()), "{what}");
        assert!(!p.pay_name.is_empty(), "{what}");
        assert!(p.pay_no.as_ref().is_some_and(|n| !n.is_empty() && n.len() <= 60), "{what}");
        assert_eq!(p.currency, "142", "{what}");
        time_ok(&p.accounting_date, what);
        assert!(p.accounting_date >= oh.app_time && p.accounting_date <= p.app_time, "{what}");

        // waybill
        assert_eq!(w.logistics_code, parties.logistics, "{what}");
        assert_eq!((&w.logistics_code, &w.logistics_no), (&lh.logistics_code, &lh.logistics_no), "{what}");
        assert!(!w.logistics_no.is_empty() && w.logistics_no.len() <= 32, "{what}");
        assert_eq!(w.freight, oh.freight, "{what}");
        assert_eq!(w.insured_fee, Decimal::ZERO, "{what}");
        assert_eq!(w.currency, "142", "{what}");
        assert!(w.gross_weight > Decimal::ZERO, "{what}");
        assert_eq!(w.gross_weight, lh.gross_weight, "{what}");
        assert_eq!(w.pack_no, 1, "{what}");
        assert!(!w.goods_info.is_empty() && w.goods_info.chars().count() <= 200, "{what}");
        assert_eq!(w.ebc_code.as_deref(), Some(parties.ebc.as_str()), "{what}");

        // list
        assert_eq!(lh.logistics_code, parties.logistics, "{what}");
        assert_eq!(lh.agent_code, parties.agent, "{what}");
        assert_eq!(lh.owner_code, parties.ebc, "{what}");
        assert_eq!((lh.customs_code.as_str(), lh.port_code.as_str()), ("5300", "5301"), "{what}");
        assert!(codes::customs_district(&lh.customs_code).is_some(), "{what}");
        assert_eq!(lh.ie_flag, "E", "{what}");
        assert_eq!(lh.trade_mode, mode.trade_mode(), "{what}");
        let flag = if mode == ExportMode::Retail { "A" } else { "B" };
        assert_eq!(lh.statistics_flag, flag, "{what}");
        assert!(!lh.cop_no.is_empty() && lh.cop_no.len() <= 20, "{what}");
        assert!(lh.pre_no.is_none() && lh.invt_no.is_none(), "{what}");
        assert!(lh.ems_no.is_none() && lh.iac_code.is_none(), "{what}");
        assert!(codes::table(TableId::Country).contains(&lh.country), "{what}");
        assert_ne!(lh.country, "142", "{what}: goods leave China");
        assert!((3..=4).contains(&lh.pod.len()) && !lh.pod.starts_with("00"), "{what}: POD {}", lh.pod);
        assert_eq!(lh.freight, oh.freight, "{what}");
        assert_eq!((lh.f_currency.as_str(), lh.i_currency.as_str()), ("142", "142"), "{what}");
        assert_eq!((lh.f_flag.as_str(), lh.i_flag.as_str(), lh.wrap_type.as_str()), ("3", "3", "2"), "{what}");
        assert_eq!(lh.insured_fee, Decimal::ZERO, "{what}");
        assert_eq!(lh.pack_no, 1, "{what}");
        assert!(lh.net_weight > Decimal::ZERO && lh.gross_weight >= lh.net_weight, "{what}");
        assert!(Date8::parse(&lh.ie_date).is_ok(), "{what}: ieDate {}", lh.ie_date);
        assert!(lh.ie_date.as_str() > &lh.app_time[..8], "{what}: the goods leave after the list");

        // unsigned
        assert!(c.order.signature.is_none() && c.receipt.signature.is_none(), "{what}");
        assert!(c.waybill.signature.is_none() && c.list.signature.is_none(), "{what}");

        // senders
        assert_eq!(c.order.base_transfer.cop_code, parties.ebp, "{what}");
        assert_eq!(c.receipt.base_transfer.cop_code, parties.pay, "{what}");
        assert_eq!(c.waybill.base_transfer.cop_code, parties.logistics, "{what}");
        assert_eq!(c.list.base_transfer.cop_code, parties.agent, "{what}");
        for bt in [&c.order.base_transfer, &c.receipt.base_transfer, &c.waybill.base_transfer, &c.list.base_transfer] {
            assert_eq!(bt.dxp_mode, "DXP", "{what}");
        }

        // heads: appType, appStatus, appTime, in document order
        let heads = [
            (&oh.app_type, &oh.app_status, &oh.app_time),
            (&p.app_type, &p.app_status, &p.app_time),
            (&w.app_type, &w.app_status, &w.app_time),
            (&lh.app_type, &lh.app_status, &lh.app_time),
        ];
        for (t, s, time) in heads {
            assert_eq!((t.as_str(), s.as_str()), ("1", "2"), "{what}");
            time_ok(time, what);
        }
        assert!(heads.windows(2).all(|h| h[0].2 < h[1].2), "{what}: documents out of order");
        let all = guids(c);
        for g in &all {
            let parsed = Guid::parse(g).unwrap_or_else(|e| panic!("{what}: guid {g}: {e}"));
            assert!(parsed.is_upper_case(), "{what}: guid {g} is not upper case");
        }
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len(), "{what}: guids repeat");
    }

    #[test]
    fn cases_are_consistent_and_schema_and_rule_valid() {
        let parties = Parties::default();
        for &seed in SEEDS {
            for mode in MODES {
                for items in 1..=5 {
                    let what = format!("seed {seed} {mode:?} items {items}");
                    let c = export_case(seed, mode, items, &parties);
                    assert_consistent(&c, mode, &parties, &what);
                    assert_eq!(c.list.inventory[0].inventory_list.len(), items, "{what}");
                    let xml: Vec<String> = c.messages().into_iter().map(|m| assert_valid(m, &what)).collect();
                    // Determinism: the same seed gives the same bytes.
                    let again: Vec<String> =
                        export_case(seed, mode, items, &parties).messages().iter().map(encode).collect();
                    assert_eq!(xml, again, "{what}: not deterministic");
                }
            }
        }
    }

    #[test]
    fn values_stay_within_the_bounds_of_each_mode() {
        // Retail, by construction: the five dearest lines at their highest
        // quantity, plus the highest freight.
        let mut dearest: Vec<u64> = GOODS.iter().map(|g| g.retail_fen.1 * g.max_qty).collect();
        dearest.sort_unstable_by(|a, b| b.cmp(a));
        let worst = dearest.iter().take(5).sum::<u64>() + RETAIL_FREIGHT_FEN.iter().max().copied().unwrap() as u64;
        assert!(worst <= 500_000, "the goods table allows {worst} fen");
        for g in GOODS {
            assert!(g.b2b_fen.1 <= B2B_LINE_FEN.0, "{}: a B2B line could not reach its floor", g.name);
            assert!(g.b2b_fen.0 > 0 && g.retail_fen.0 > 0 && g.max_qty > 0, "{}", g.name);
        }
        let parties = Parties::default();
        for seed in 0..1000u64 {
            for mode in MODES {
                let items = 1 + (seed % 5) as usize;
                let c = export_case(seed, mode, items, &parties);
                let (v, freight) = (c.value(), c.order.order[0].order_head.freight);
                if mode == ExportMode::Retail {
                    assert!(v > Decimal::ZERO && v + freight <= dec("5000"), "seed {seed}: {v} + {freight}");
                } else {
                    assert!(v >= dec("20000") && v <= dec("200000"), "seed {seed} {mode:?}: {v}");
                    let per_line = dec("20000") * Decimal::from(items as u64);
                    assert!(v >= per_line, "seed {seed} {mode:?}: {v}");
                    let qty: Decimal = c.list.inventory[0].inventory_list.iter().map(|l| l.qty).sum();
                    assert!(qty >= Decimal::from(50u64), "seed {seed} {mode:?}: only {qty} units");
                }
            }
        }
    }

    #[test]
    fn other_parties_are_used_throughout() {
        let parties = Parties { ebp: uscc(21), ebc: uscc(22), logistics: uscc(23), pay: uscc(24), agent: uscc(25) };
        for mode in MODES {
            let c = export_case(3, mode, 2, &parties);
            assert_consistent(&c, mode, &parties, "other parties");
            for m in c.messages() {
                assert_valid(m, "other parties");
            }
        }
    }

    #[test]
    fn keys_and_guids_are_unique_across_seeds_and_modes() {
        let parties = Parties::default();
        let mut keys = HashSet::new();
        let mut all_guids = HashSet::new();
        let mut count = 0;
        for seed in (0..300u64).chain([u64::MAX - 1, u64::MAX]) {
            for mode in MODES {
                let c = export_case(seed, mode, 1 + (seed % 5) as usize, &parties);
                let lh = &c.list.inventory[0].inventory_head;
                let p = &c.receipt.receipts[0];
                for key in [
                    format!("order {}", lh.order_no),
                    format!("waybill {}", lh.logistics_no),
                    format!("pay {}", p.pay_no.clone().unwrap()),
                    format!("cop {}", lh.cop_no),
                ] {
                    assert!(keys.insert(key.clone()), "{key} repeats (seed {seed} {mode:?})");
                }
                for g in guids(&c) {
                    count += 1;
                    assert!(all_guids.insert(g.clone()), "guid {g} repeats (seed {seed} {mode:?})");
                }
            }
        }
        assert_eq!(all_guids.len(), count);
    }

    #[test]
    fn modes_set_their_codes() {
        let codes: Vec<_> = MODES.iter().map(|m| (m.trade_mode(), m.order_type())).collect();
        assert_eq!(codes, [("9610", "E"), ("9710", "B"), ("9810", "W")]);
        let parties = Parties::default();
        let warehouse = export_case(5, ExportMode::B2bWarehouse, 1, &parties);
        let name = &warehouse.order.order[0].order_head.ebp_name;
        assert!(name.contains("海外仓"), "a 9810 booking names the overseas warehouse: {name}");
        assert_eq!(&warehouse.receipt.receipts[0].ebp_name, name);
        assert_eq!(&warehouse.order.base_transfer.cop_name, name, "the warehouse sends its booking");
    }
}
