//! One retail import as customs sees it: the platform's order (CEB311), the
//! payment enterprise's voucher (CEB411), the logistics enterprise's waybill
//! (CEB511) and the agent's list (CEB621), made from a seed and consistent
//! with each other the way customs matches them (domain guide §4.3), plus
//! the agent's follow-ups on the list: cancellation (CEB623) and return
//! (CEB625).
//!
//! [`import_case`] builds an [`ImportCase`]; [`ImportCase::with_value`] sets
//! its transaction value exactly, for the single (5,000 CNY) and annual
//! (26,000 CNY) limits. The list, cancellation and return are left unsigned
//! (`signature` empty): callers sign them with cbec-dsig or put
//! [`UNVERIFIED_SIGNATURE`](crate::UNVERIFIED_SIGNATURE) in.

use cbec_ceb::import::{
    self, BaseTransfer, CEB311Order, CEB411Payment, CEB511Logistics, CEB621Inventory, CEB625InvtRefund, InventoryHead,
    InventoryList, InvtCancel, InvtRefundHead, InvtRefundList, LogisticsHead, OrderHead, OrderList, PaymentHead,
};
use cbec_ceb::{Message, RawXml};
use cbec_model::Decimal;
use cbec_model::money::Amount;

use crate::{Parties, Rng, id_number, uscc};

/// The two retail-import modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// 9610 direct purchase: bought abroad, flown in as one parcel per order.
    DirectPurchase,
    /// 1210 bonded: stocked in a bonded zone, released per order.
    Bonded,
}

impl ImportMode {
    /// The `tradeMode` code: 9610 or 1210.
    pub fn trade_mode(self) -> &'static str {
        match self {
            ImportMode::DirectPurchase => "9610",
            ImportMode::Bonded => "1210",
        }
    }

    /// The letter that keeps the business keys of the two modes apart, so
    /// the same seed in both modes gives two distinct imports.
    fn tag(self) -> char {
        match self {
            ImportMode::DirectPurchase => 'Z',
            ImportMode::Bonded => 'B',
        }
    }

    fn salt(self) -> u64 {
        match self {
            ImportMode::DirectPurchase => 0x9610_D1EC_7000_0001,
            ImportMode::Bonded => 0x1210_B0DE_D000_0002,
        }
    }
}

/// The four documents of one retail import, consistent with each other.
#[derive(Debug, Clone)]
pub struct ImportCase {
    pub order: import::CEB311Message,
    pub payment: import::CEB411Message,
    pub waybill: import::CEB511Message,
    pub list: import::CEB621Message,
}

/// A product on sale: all are taxed at 13 % VAT without consumption tax,
/// so the composite retail-import rate is exactly 9.1 % for each of them.
struct Goods {
    gcode: &'static str,
    name: &'static str,
    model: &'static str,
    unit: &'static str,
    /// First legal unit; with `second_kg` the legal quantity is the
    /// declared one and the weight is the second legal quantity.
    unit1: &'static str,
    second_kg: bool,
    /// Net weight of one unit in grams.
    net_g: i64,
    /// Price range in fen and the most units one buyer takes.
    min_fen: u64,
    max_fen: u64,
    max_qty: u64,
    /// Country of origin.
    origin: &'static str,
}

const fn goods(
    gcode: &'static str,
    name: &'static str,
    model: &'static str,
    units: (&'static str, &'static str, bool),
    net_g: i64,
    fen: (u64, u64, u64),
    origin: &'static str,
) -> Goods {
    let (unit, unit1, second_kg) = units;
    let (min_fen, max_fen, max_qty) = fen;
    Goods { gcode, name, model, unit, unit1, second_kg, net_g, min_fen, max_fen, max_qty, origin }
}

/// Any five of these (qty at most `max_qty`, price at most `max_fen`) plus
/// the highest freight stay below the 5,000 CNY single-transaction limit;
/// a test checks the bound.
const GOODS: &[Goods] = &[
    goods("1901101000", "婴儿配方奶粉", "900g/罐 1段 牛奶基", ("122", "035", false), 900, (16_800, 30_800, 3), "309"),
    goods("2106909090", "维生素C软胶囊", "60粒/瓶 膳食补充剂", ("142", "035", false), 90, (5_900, 25_900, 3), "502"),
    goods("3401300000", "氨基酸洗面奶", "120g/支 洁面", ("012", "035", false), 120, (3_900, 12_900, 3), "116"),
    goods("3305100000", "无硅油洗发水", "500ml/瓶 洗发", ("142", "035", false), 560, (4_900, 15_900, 3), "133"),
    goods("6403990090", "运动鞋", "42码/双 皮革鞋面 橡胶底", ("025", "025", true), 850, (29_900, 69_900, 1), "304"),
    goods("4202210000", "真皮手提包", "牛皮革面 中号", ("007", "007", true), 700, (39_900, 89_900, 1), "307"),
    goods("6109100021", "纯棉T恤", "M码/件 100%棉 针织", ("011", "011", true), 200, (7_900, 19_900, 3), "116"),
    goods("1806320000", "黑巧克力", "200g/盒 可可含量70%", ("140", "035", false), 220, (3_900, 9_900, 3), "301"),
];

const BUYERS: &[&str] = &["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄俊", "周婷", "吴强"];

/// Streets with the 6-digit administrative division of their district.
const STREETS: &[(&str, &str)] = &[
    ("上海市浦东新区世纪大道", "310115"),
    ("北京市朝阳区建国路", "110105"),
    ("广东省深圳市南山区科技园南路", "440305"),
    ("浙江省杭州市西湖区文三路", "330106"),
    ("江苏省南京市鼓楼区中山北路", "320106"),
    ("四川省成都市武侯区天府大道", "510107"),
];

const FLIGHTS: &[&str] = &["NH919", "MU5102", "KE893", "LH728", "CA934"];

const EBP_NAME: &str = "示例跨境电商平台有限公司";
const EBC_NAME: &str = "示例跨境电商企业有限公司";
const LOGISTICS_NAME: &str = "示例国际物流有限公司";
const PAY_NAME: &str = "示例支付有限公司";
const AGENT_NAME: &str = "示例报关有限公司";
const AREA_NAME: &str = "示例保税仓储有限公司";
/// The bonded zone warehouse's account book (Pudong airport district).
const EMS_NO: &str = "T2244W000123";
/// Pudong airport customs: declaration and port of entry.
const CUSTOMS: &str = "2244";

/// The documents of one retail import of `items` goods (1..=99) in `mode`
/// between `parties`. The same seed and mode always give the same case;
/// different seeds or modes give different order, payment, waybill and copNo
/// numbers and guids. With 1..=5 items the transaction value stays within the
/// 5,000 CNY single limit.
pub fn import_case(seed: u64, mode: ImportMode, items: usize, parties: &Parties) -> ImportCase {
    let mut r = Rng::new(seed ^ mode.salt());
    let bonded = mode == ImportMode::Bonded;
    let tag = mode.tag();

    // When: a day in November 2026 during working hours; each document
    // follows the one it depends on by minutes.
    let day = 1 + r.below(25);
    let t0 = 8 * 3600 + r.below(10 * 3600);
    let at = |after: u64| format!("202611{day:02}{}", hhmmss(t0 + after));
    let date8 = format!("202611{day:02}");

    // Who: the buyer pays and receives the parcel.
    let buyer_name = BUYERS[(seed % BUYERS.len() as u64) as usize].to_string();
    let buyer_id = id_number(seed);
    let buyer_reg_no = format!("U{:010}", r.below(10_000_000_000));
    let telephone = format!("1{}{:08}", r.pick(&["38", "39", "58", "86", "37"]), r.below(100_000_000));
    let (street, district) = *r.pick(STREETS);
    let address =
        format!("{street}{}号{}栋{}室", 1 + r.below(300), 1 + r.below(20), 100 * (1 + r.below(30)) + 1 + r.below(4));

    // What: distinct goods (up to the table's size), modest prices.
    let n = items.clamp(1, 99);
    let first = r.below(GOODS.len() as u64) as usize;
    let mut list_items = Vec::with_capacity(n);
    let mut net_g = 0i64;
    let mut goods_info = Vec::with_capacity(n);
    for g in 0..n {
        let idx = (first + g) % GOODS.len();
        let goods = &GOODS[idx];
        let units = 1 + r.below(goods.max_qty);
        let fen = goods.min_fen + r.below(goods.max_fen - goods.min_fen + 1);
        let qty = Decimal::from(units);
        let price = Decimal::new(fen as i64, 2);
        let item_net_g = goods.net_g * units as i64;
        net_g += item_net_g;
        let weight = Decimal::new(item_net_g, 3);
        let (qty1, qty2, unit2) =
            if goods.second_kg { (qty, Some(weight), Some("035".to_string())) } else { (weight, None, None) };
        goods_info.push(format!("{}*{units}", goods.name));
        list_items.push(InventoryList {
            gnum: g as i32 + 1,
            item_record_no: bonded.then(|| format!("{}", 101 + idx)),
            item_no: Some(sku(idx)),
            item_name: Some(goods.name.to_string()),
            gcode: goods.gcode.to_string(),
            gname: goods.name.to_string(),
            gmodel: goods.model.to_string(),
            bar_code: None,
            country: goods.origin.to_string(),
            trade_country: None,
            currency: "142".into(),
            qty,
            unit: goods.unit.to_string(),
            qty1,
            unit1: goods.unit1.to_string(),
            qty2,
            unit2,
            price,
            total_price: qty * price,
            note: None,
        });
    }
    let order_items = list_items
        .iter()
        .map(|l| OrderList {
            gnum: l.gnum,
            item_no: l.item_no.clone(),
            item_name: l.gname.clone(),
            gmodel: l.gmodel.clone(),
            item_describe: None,
            bar_code: None,
            unit: l.unit.clone(),
            qty: l.qty,
            price: l.price,
            total_price: l.total_price,
            currency: "142".into(),
            country: l.country.clone(),
            note: None,
        })
        .collect::<Vec<_>>();

    // How: international freight by air for direct purchase, domestic
    // delivery from the zone for bonded goods.
    let freight = if bonded {
        Decimal::new(*r.pick(&[0i64, 800, 1000]), 2)
    } else {
        Decimal::new(*r.pick(&[1500i64, 2000, 2500, 3000]), 2)
    };
    let net_weight = Decimal::new(net_g, 3);
    let gross_weight = Decimal::new(net_g + 200, 3);
    let awb = r.below(10_000_000);
    let flight = r.pick(FLIGHTS).to_string();
    let bill_no = (!bonded).then(|| format!("781-{awb:07}{}", awb % 7));

    let order_no = format!("ORD{tag}{seed:012}");
    let logistics_no = format!("LN{tag}{seed:012}");
    let pay_transaction_id = format!("PAY{tag}{date8}{seed:012}");
    let cop_no = format!("COP{tag}{seed:016X}");

    let order_time = at(0);
    let pay_time = at(60 + r.below(240));
    let payment_time = at(400 + r.below(200));
    let waybill_time = at(1200 + r.below(600));
    let list_time = at(2400 + r.below(1200));

    let order = import::CEB311Message {
        guid: r.guid(),
        version: "1.0".into(),
        order: vec![CEB311Order {
            order_head: OrderHead {
                guid: r.guid(),
                app_type: "1".into(),
                app_time: order_time,
                app_status: "2".into(),
                order_type: "I".into(),
                order_no: order_no.clone(),
                ebp_code: parties.ebp.clone(),
                ebp_name: EBP_NAME.into(),
                ebc_code: parties.ebc.clone(),
                ebc_name: EBC_NAME.into(),
                goods_value: Decimal::ZERO,
                freight,
                discount: fen(Decimal::ZERO),
                tax_total: Decimal::ZERO,
                actural_paid: Decimal::ZERO,
                currency: "142".into(),
                buyer_reg_no,
                buyer_name: buyer_name.clone(),
                buyer_telephone: telephone.clone(),
                buyer_id_type: "1".into(),
                buyer_id_number: buyer_id.clone(),
                pay_code: Some(parties.pay.clone()),
                pay_name: Some(PAY_NAME.into()),
                pay_transaction_id: Some(pay_transaction_id.clone()),
                batch_numbers: None,
                consignee: buyer_name.clone(),
                consignee_telephone: telephone.clone(),
                consignee_address: address.clone(),
                consignee_district: Some(district.into()),
                note: None,
            },
            order_list: order_items,
        }],
        base_transfer: transfer(&parties.ebp, EBP_NAME, 1),
        base_subscribe: Vec::new(),
        extend_message: None,
        signature: None,
    };

    let payment = import::CEB411Message {
        guid: r.guid(),
        version: "1.0".into(),
        payment: vec![CEB411Payment {
            payment_head: PaymentHead {
                guid: r.guid(),
                app_type: "1".into(),
                app_time: payment_time,
                app_status: "2".into(),
                pay_code: parties.pay.clone(),
                pay_name: PAY_NAME.into(),
                pay_transaction_id,
                order_no: order_no.clone(),
                ebp_code: parties.ebp.clone(),
                ebp_name: EBP_NAME.into(),
                payer_id_type: "1".into(),
                payer_id_number: buyer_id.clone(),
                payer_name: buyer_name.clone(),
                telephone: Some(telephone.clone()),
                amount_paid: Decimal::ZERO,
                currency: "142".into(),
                pay_time,
                note: None,
            },
        }],
        base_transfer: transfer(&parties.pay, PAY_NAME, 4),
        base_subscribe: Vec::new(),
        extend_message: None,
        signature: None,
    };

    let mut info = goods_info.join(";");
    if info.chars().count() > 200 {
        info = info.chars().take(200).collect();
    }
    let waybill = import::CEB511Message {
        guid: r.guid(),
        version: "1.0".into(),
        logistics: vec![CEB511Logistics {
            logistics_head: LogisticsHead {
                guid: r.guid(),
                app_type: "1".into(),
                app_time: waybill_time,
                app_status: "2".into(),
                logistics_code: parties.logistics.clone(),
                logistics_name: LOGISTICS_NAME.into(),
                logistics_no: logistics_no.clone(),
                bill_no: bill_no.clone(),
                order_no: order_no.clone(),
                freight: Some(freight),
                insured_fee: Some(fen(Decimal::ZERO)),
                currency: "142".into(),
                weight: gross_weight,
                pack_no: 1,
                goods_info: Some(info),
                consignee: buyer_name.clone(),
                consignee_address: address.clone(),
                consignee_telephone: telephone.clone(),
                note: None,
            },
        }],
        base_transfer: transfer(&parties.logistics, LOGISTICS_NAME, 3),
        base_subscribe: Vec::new(),
        extend_message: None,
        signature: None,
    };

    let head = InventoryHead {
        guid: r.guid(),
        app_type: "1".into(),
        app_time: list_time,
        app_status: "2".into(),
        order_no,
        ebp_code: parties.ebp.clone(),
        ebp_name: EBP_NAME.into(),
        ebc_code: parties.ebc.clone(),
        ebc_name: EBC_NAME.into(),
        logistics_no,
        logistics_code: parties.logistics.clone(),
        logistics_name: LOGISTICS_NAME.into(),
        cop_no: Some(cop_no),
        pre_no: None,
        assure_code: parties.ebc.clone(),
        ems_no: bonded.then(|| EMS_NO.to_string()),
        invt_no: None,
        ie_flag: "I".into(),
        decl_time: date8.clone(),
        customs_code: CUSTOMS.into(),
        port_code: CUSTOMS.into(),
        ie_date: None,
        buyer_id_type: "1".into(),
        buyer_id_number: buyer_id,
        buyer_name,
        buyer_telephone: telephone,
        consignee_address: address,
        agent_code: parties.agent.clone(),
        agent_name: AGENT_NAME.into(),
        area_code: bonded.then(|| uscc(6)),
        area_name: bonded.then(|| AREA_NAME.to_string()),
        trade_mode: mode.trade_mode().into(),
        // Bonded goods leave the zone by road (the second-line exit).
        traf_mode: if bonded { "4" } else { "5" }.into(),
        traf_no: (!bonded).then_some(flight),
        voyage_no: (!bonded).then_some(date8),
        bill_no,
        loct_no: None,
        license_no: None,
        country: if bonded { "142" } else { GOODS[first].origin }.into(),
        freight,
        insured_fee: fen(Decimal::ZERO),
        currency: "142".into(),
        wrap_type: Some("2".into()),
        pack_no: 1,
        gross_weight,
        net_weight,
        note: None,
    };
    let list = import::CEB621Message {
        guid: r.guid(),
        version: "1.0".into(),
        inventory: vec![CEB621Inventory { inventory_head: head, inventory_list: list_items }],
        base_transfer: transfer(&parties.agent, AGENT_NAME, 5),
        base_subscribe: Vec::new(),
        extend_message: None,
        signature: RawXml::default(),
    };

    let mut case = ImportCase { order, payment, waybill, list };
    case.settle();
    case
}

impl ImportCase {
    /// Each as a `Message`: order, payment, waybill, list.
    pub fn messages(&self) -> [Message; 4] {
        [
            Message::CEB311Message(Box::new(self.order.clone())),
            Message::CEB411Message(Box::new(self.payment.clone())),
            Message::CEB511Message(Box::new(self.waybill.clone())),
            Message::CEB621Message(Box::new(self.list.clone())),
        ]
    }

    /// A CEB623 cancellation of this list once customs numbered it
    /// (`invt_no`), from the list's agent, the day after the list. Unsigned.
    pub fn cancel(&self, invt_no: &str, reason: &str, seed: u64) -> import::CEB623Message {
        let h = self.list_head();
        let mut r = self.follow_up_rng(seed, 0x0623);
        let app_time = follow_up_time(&h.app_time, 1, &mut r);
        import::CEB623Message {
            guid: r.guid(),
            version: "1.0".into(),
            invt_cancel: vec![InvtCancel {
                guid: r.guid(),
                app_type: "1".into(),
                app_time,
                app_status: "2".into(),
                customs_code: h.customs_code.clone(),
                order_no: h.order_no.clone(),
                ebp_code: h.ebp_code.clone(),
                ebp_name: h.ebp_name.clone(),
                ebc_code: h.ebc_code.clone(),
                ebc_name: h.ebc_name.clone(),
                logistics_no: h.logistics_no.clone(),
                logistics_code: h.logistics_code.clone(),
                logistics_name: h.logistics_name.clone(),
                cop_no: h.cop_no.clone(),
                pre_no: None,
                invt_no: invt_no.to_string(),
                buyer_id_type: h.buyer_id_type.clone(),
                buyer_id_number: h.buyer_id_number.clone(),
                buyer_name: h.buyer_name.clone(),
                buyer_telephone: h.buyer_telephone.clone(),
                agent_code: h.agent_code.clone(),
                agent_name: h.agent_name.clone(),
                reason: reason.to_string(),
                note: None,
            }],
            base_transfer: self.list.base_transfer.clone(),
            base_subscribe: Vec::new(),
            extend_message: None,
            signature: RawXml::default(),
        }
    }

    /// A CEB625 return of some items `(gnum, qty)` of this list (numbered
    /// `invt_no` by customs), from the list's agent, a week after the list.
    /// Quantities are taken as given (a test may return more than was
    /// bought); a gnum that is not on the list is left out. Unsigned.
    pub fn refund(&self, invt_no: &str, items: &[(i32, Decimal)], reason: &str, seed: u64) -> import::CEB625Message {
        let h = self.list_head();
        let mut r = self.follow_up_rng(seed, 0x0625);
        let app_time = follow_up_time(&h.app_time, 7, &mut r);
        let list = self.list.inventory.first().map(|i| i.inventory_list.as_slice()).unwrap_or_default();
        let refund_list = items
            .iter()
            .filter_map(|&(gnum, qty)| {
                let l = list.iter().find(|l| l.gnum == gnum)?;
                Some(InvtRefundList {
                    gnum,
                    gcode: l.gcode.clone(),
                    gname: l.gname.clone(),
                    qty,
                    unit: l.unit.clone(),
                    note: None,
                })
            })
            .collect();
        import::CEB625Message {
            guid: r.guid(),
            version: "1.0".into(),
            invt_refund: vec![CEB625InvtRefund {
                invt_refund_head: InvtRefundHead {
                    guid: r.guid(),
                    app_type: "1".into(),
                    app_time,
                    app_status: "2".into(),
                    customs_code: h.customs_code.clone(),
                    order_no: h.order_no.clone(),
                    ebp_code: h.ebp_code.clone(),
                    ebp_name: h.ebp_name.clone(),
                    ebc_code: h.ebc_code.clone(),
                    ebc_name: h.ebc_name.clone(),
                    logistics_no: h.logistics_no.clone(),
                    logistics_code: h.logistics_code.clone(),
                    logistics_name: h.logistics_name.clone(),
                    cop_no: h.cop_no.clone(),
                    pre_no: None,
                    invt_no: invt_no.to_string(),
                    buyer_id_type: h.buyer_id_type.clone(),
                    buyer_id_number: h.buyer_id_number.clone(),
                    buyer_name: h.buyer_name.clone(),
                    buyer_telephone: h.buyer_telephone.clone(),
                    agent_code: h.agent_code.clone(),
                    agent_name: h.agent_name.clone(),
                    reason: reason.to_string(),
                    note: None,
                },
                invt_refund_list: refund_list,
            }],
            base_transfer: self.list.base_transfer.clone(),
            base_subscribe: Vec::new(),
            extend_message: None,
            signature: RawXml::default(),
        }
    }

    /// The buyer's ID number (as on the list).
    pub fn buyer_id(&self) -> &str {
        self.list.inventory.first().map_or("", |i| i.inventory_head.buyer_id_number.as_str())
    }

    /// The transaction value that counts against the limits: the list's
    /// items' totalPrice plus freight and insuredFee.
    pub fn value(&self) -> Decimal {
        self.list.inventory.first().map_or(Decimal::ZERO, |i| {
            let h = &i.inventory_head;
            i.inventory_list.iter().map(|l| l.total_price).sum::<Decimal>() + h.freight + h.insured_fee
        })
    }

    /// The same case with its item prices rescaled so that [`value`] is
    /// exactly `target` (rounded to the fen). Quantities stay; each price is
    /// a whole fen and the fen left over by rounding go to the freight. If
    /// `target` is below the freight, the freight is dropped. Order, payment
    /// and waybill amounts follow.
    ///
    /// [`value`]: ImportCase::value
    pub fn with_value(mut self, target: Decimal) -> ImportCase {
        let target = fen(target.max(Decimal::ZERO));
        let Some(inv) = self.list.inventory.first_mut() else { return self };
        let head = &mut inv.inventory_head;
        let items = &mut inv.inventory_list;
        let insured = head.insured_fee;
        let cent = Decimal::new(1, 2);
        let least = items.iter().map(|l| l.qty * cent).sum::<Decimal>();
        let mut goods_target = target - insured - head.freight;
        if goods_target < least {
            goods_target = target - insured;
        }
        let goods_target = goods_target.max(Decimal::ZERO);
        let current = items.iter().map(|l| l.total_price).sum::<Decimal>();
        let count = Decimal::from(items.len().max(1) as u64);
        for l in items.iter_mut() {
            let share = if current > Decimal::ZERO {
                (goods_target * l.total_price).checked_div(current)
            } else {
                goods_target.checked_div(count)
            };
            let price = share.and_then(|s| s.checked_div(l.qty)).unwrap_or(Decimal::ZERO);
            l.price = fen((price * Decimal::ONE_HUNDRED).floor() / Decimal::ONE_HUNDRED);
            l.total_price = l.price * l.qty;
        }
        let goods = items.iter().map(|l| l.total_price).sum::<Decimal>();
        head.freight = fen((target - insured - goods).max(Decimal::ZERO));
        self.settle();
        self
    }

    /// The same case bought, paid and received by another person (for the
    /// annual limit: several cases of one buyer).
    pub fn with_buyer(mut self, name: &str, id_number: &str) -> ImportCase {
        for o in &mut self.order.order {
            let h = &mut o.order_head;
            h.buyer_name = name.to_string();
            h.buyer_id_number = id_number.to_string();
            h.consignee = name.to_string();
        }
        for p in &mut self.payment.payment {
            p.payment_head.payer_name = name.to_string();
            p.payment_head.payer_id_number = id_number.to_string();
        }
        for w in &mut self.waybill.logistics {
            w.logistics_head.consignee = name.to_string();
        }
        for i in &mut self.list.inventory {
            i.inventory_head.buyer_name = name.to_string();
            i.inventory_head.buyer_id_number = id_number.to_string();
        }
        self
    }

    /// Brings the order, payment and waybill amounts in line with the list:
    /// items, goods value, freight, the 9.1 % composite tax and the amount
    /// paid.
    fn settle(&mut self) {
        let Some(inv) = self.list.inventory.first() else { return };
        let freight = inv.inventory_head.freight;
        let items: Vec<(i32, Decimal, Decimal, Decimal)> =
            inv.inventory_list.iter().map(|l| (l.gnum, l.qty, l.price, l.total_price)).collect();
        let goods = items.iter().map(|i| i.3).sum::<Decimal>();
        let tax = fen((goods + freight) * Decimal::new(91, 3));
        let mut paid = Decimal::ZERO;
        for o in &mut self.order.order {
            for ol in &mut o.order_list {
                if let Some(&(_, qty, price, total)) = items.iter().find(|i| i.0 == ol.gnum) {
                    ol.qty = qty;
                    ol.price = price;
                    ol.total_price = total;
                }
            }
            let h = &mut o.order_head;
            h.goods_value = goods;
            h.freight = freight;
            h.tax_total = tax;
            h.actural_paid = h.goods_value + h.freight + h.tax_total - h.discount;
            paid = h.actural_paid;
        }
        for p in &mut self.payment.payment {
            p.payment_head.amount_paid = paid;
        }
        for w in &mut self.waybill.logistics {
            w.logistics_head.freight = Some(freight);
        }
    }

    fn list_head(&self) -> InventoryHead {
        self.list.inventory.first().map(|i| i.inventory_head.clone()).unwrap_or_default()
    }

    /// A generator for a follow-up document that differs from the case's own
    /// guids and from other follow-ups (by `seed` and `kind`).
    fn follow_up_rng(&self, seed: u64, kind: u64) -> Rng {
        Rng::new(fnv1a(self.list.guid.as_bytes()) ^ seed.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ kind)
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

fn sku(idx: usize) -> String {
    format!("SKU{}{:02}", &GOODS[idx].gcode[..6], idx + 1)
}

/// Rounded to the fen (half away from zero) with exactly two decimals.
fn fen(d: Decimal) -> Decimal {
    Amount::from_decimal(d).round_fen().to_decimal()
}

fn hhmmss(secs: u64) -> String {
    let secs = secs % 86_400;
    format!("{:02}{:02}{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// `days` after the date of `app_time` (YYYYMMDDhhmmss), in working hours.
fn follow_up_time(app_time: &str, days: i64, r: &mut Rng) -> String {
    let time = hhmmss(9 * 3600 + r.below(8 * 3600));
    let date = app_time
        .get(..8)
        .and_then(|d| Some((d.get(..4)?.parse().ok()?, d.get(4..6)?.parse().ok()?, d.get(6..8)?.parse().ok()?)))
        .map(|(y, m, d)| civil_from_days(days_from_civil(y, m, d) + days))
        .unwrap_or((2026, 12, 1));
    format!("{:04}{:02}{:02}{time}", date.0, date.1, date.2)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashSet;

    use cbec_ceb::{DecodeOptions, Limits, decode, encode, validate_schema};
    use cbec_model::ident::{AppTime, Guid, PrcIdNumber};
    use cbec_rules::{RuleConfig, check_message};

    use super::*;
    use crate::UNVERIFIED_SIGNATURE;

    const SEEDS: &[u64] = &[0, 1, 7, 42, 2026, 987_654_321, u64::MAX];
    const MODES: [ImportMode; 2] = [ImportMode::DirectPurchase, ImportMode::Bonded];

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// The message with the placeholder signature where the XSD requires one.
    fn with_signature(msg: Message) -> Message {
        let sig = RawXml(UNVERIFIED_SIGNATURE.into());
        match msg {
            Message::CEB621Message(mut m) => {
                m.signature = sig;
                Message::CEB621Message(m)
            }
            Message::CEB623Message(mut m) => {
                m.signature = sig;
                Message::CEB623Message(m)
            }
            Message::CEB625Message(mut m) => {
                m.signature = sig;
                Message::CEB625Message(m)
            }
            other => other,
        }
    }

    /// Encodes, validates against the XSD, decodes back to the same value
    /// and runs the message rules.
    fn assert_valid(msg: Message, what: &str) -> String {
        let msg = with_signature(msg);
        let xml = encode(&msg);
        let report = validate_schema(xml.as_bytes(), &Limits::default());
        assert!(report.is_valid(), "{what}: {:#?}\n{xml}", report.diagnostics);
        let decoded = decode(xml.as_bytes(), &DecodeOptions::default()).unwrap();
        assert_eq!(decoded.message, msg, "{what}: the decoded message differs");
        let diags = check_message(&msg, &RuleConfig::default());
        let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}\n{xml}");
        xml
    }

    fn guid_ok(g: &str, what: &str) {
        let parsed = Guid::parse(g).unwrap_or_else(|e| panic!("{what}: guid {g}: {e}"));
        assert!(parsed.is_upper_case(), "{what}: guid {g} is not upper case");
    }

    fn time_ok(t: &str, what: &str) {
        assert!(AppTime::parse(t).is_ok(), "{what}: appTime {t}");
    }

    fn guids(c: &ImportCase) -> Vec<String> {
        vec![
            c.order.guid.clone(),
            c.order.order[0].order_head.guid.clone(),
            c.payment.guid.clone(),
            c.payment.payment[0].payment_head.guid.clone(),
            c.waybill.guid.clone(),
            c.waybill.logistics[0].logistics_head.guid.clone(),
            c.list.guid.clone(),
            c.list.inventory[0].inventory_head.guid.clone(),
        ]
    }

    /// Every consistency rule of the brief, on the values.
    fn assert_consistent(c: &ImportCase, mode: ImportMode, parties: &Parties, what: &str) {
        assert_eq!(c.order.order.len(), 1, "{what}");
        assert_eq!(c.payment.payment.len(), 1, "{what}");
        assert_eq!(c.waybill.logistics.len(), 1, "{what}");
        assert_eq!(c.list.inventory.len(), 1, "{what}");
        let order = &c.order.order[0];
        let oh = &order.order_head;
        let p = &c.payment.payment[0].payment_head;
        let w = &c.waybill.logistics[0].logistics_head;
        let inv = &c.list.inventory[0];
        let lh = &inv.inventory_head;

        // order ↔ list
        assert_eq!(oh.order_no, lh.order_no, "{what}");
        assert_eq!(oh.ebp_code, lh.ebp_code, "{what}");
        assert_eq!(oh.ebc_code, lh.ebc_code, "{what}");
        assert_eq!(oh.ebp_code, parties.ebp, "{what}");
        assert_eq!(oh.ebc_code, parties.ebc, "{what}");
        assert_eq!(order.order_list.len(), inv.inventory_list.len(), "{what}");
        let gnums: HashSet<i32> = inv.inventory_list.iter().map(|l| l.gnum).collect();
        assert_eq!(gnums.len(), inv.inventory_list.len(), "{what}: gnum repeats");
        for (i, l) in inv.inventory_list.iter().enumerate() {
            assert_eq!(l.gnum, i as i32 + 1, "{what}");
            let matching: Vec<_> = order.order_list.iter().filter(|o| o.gnum == l.gnum).collect();
            assert_eq!(matching.len(), 1, "{what}: gnum {}", l.gnum);
            let o = matching[0];
            assert_eq!(o.item_name, l.gname, "{what}");
            assert_eq!(l.item_name.as_deref(), Some(l.gname.as_str()), "{what}");
            assert_eq!(o.qty, l.qty, "{what}");
            assert_eq!(o.price, l.price, "{what}");
            assert_eq!(o.total_price, l.total_price, "{what}");
            assert_eq!(o.unit, l.unit, "{what}");
            assert_eq!(o.item_no, l.item_no, "{what}");
            assert_eq!(l.price * l.qty, l.total_price, "{what}");
            assert_eq!(o.price * o.qty, o.total_price, "{what}");
            assert_eq!(l.currency, "142", "{what}");
            assert_eq!(o.currency, "142", "{what}");
            assert!(l.qty > Decimal::ZERO && l.price >= Decimal::ZERO, "{what}");
            assert_eq!(l.price.scale(), 2, "{what}: prices are whole fen");
            if mode == ImportMode::Bonded {
                assert!(l.item_record_no.is_some(), "{what}");
            } else {
                assert!(l.item_record_no.is_none(), "{what}");
            }
        }
        let goods: Decimal = inv.inventory_list.iter().map(|l| l.total_price).sum();
        assert_eq!(oh.goods_value, goods, "{what}");
        for cur in [&oh.currency, &lh.currency, &p.currency, &w.currency] {
            assert_eq!(cur, "142", "{what}");
        }

        // order amounts
        assert_eq!(oh.order_type, "I", "{what}");
        assert_eq!(oh.discount, Decimal::ZERO, "{what}");
        assert_eq!(oh.freight, lh.freight, "{what}");
        assert_eq!(oh.tax_total, fen((oh.goods_value + oh.freight) * dec("0.091")), "{what}");
        assert_eq!(oh.actural_paid, oh.goods_value + oh.freight + oh.tax_total - oh.discount, "{what}");
        assert_eq!(oh.buyer_id_type, "1", "{what}");
        assert!(PrcIdNumber::parse(&oh.buyer_id_number).is_ok(), "{what}");

        // payment
        assert_eq!(p.order_no, oh.order_no, "{what}");
        assert_eq!(p.ebp_code, oh.ebp_code, "{what}");
        assert_eq!(p.amount_paid, oh.actural_paid, "{what}");
        assert_eq!(p.payer_name, oh.buyer_name, "{what}");
        assert_eq!(p.payer_id_number, oh.buyer_id_number, "{what}");
        assert_eq!(p.payer_id_type, "1", "{what}");
        assert_eq!(p.pay_code, parties.pay, "{what}");
        assert_eq!(oh.pay_code.as_deref(), Some(p.pay_code.as_str()), "{what}");
        assert_eq!(oh.pay_transaction_id.as_deref(), Some(p.pay_transaction_id.as_str()), "{what}");
        time_ok(&p.pay_time, what);

        // waybill
        assert_eq!(w.logistics_code, parties.logistics, "{what}");
        assert_eq!(w.logistics_code, lh.logistics_code, "{what}");
        assert_eq!(w.logistics_no, lh.logistics_no, "{what}");
        assert_eq!(w.order_no, oh.order_no, "{what}");
        assert_eq!(w.consignee, oh.consignee, "{what}");
        assert_eq!(w.consignee_telephone, oh.consignee_telephone, "{what}");
        assert_eq!(w.consignee_address, oh.consignee_address, "{what}");
        assert_eq!(w.pack_no, 1, "{what}");
        assert_eq!(w.freight, Some(lh.freight), "{what}");
        assert_eq!(w.bill_no, lh.bill_no, "{what}");

        // list
        assert_eq!(lh.buyer_name, oh.buyer_name, "{what}");
        assert_eq!(lh.buyer_id_number, oh.buyer_id_number, "{what}");
        assert_eq!(lh.buyer_telephone, oh.buyer_telephone, "{what}");
        assert_eq!(lh.consignee_address, oh.consignee_address, "{what}");
        assert_eq!(lh.assure_code, parties.ebc, "{what}");
        assert_eq!(lh.agent_code, parties.agent, "{what}");
        assert_eq!(lh.trade_mode, mode.trade_mode(), "{what}");
        assert_eq!(lh.pack_no, 1, "{what}");
        assert!(lh.customs_code.len() == 4 && lh.customs_code.bytes().all(|b| b.is_ascii_digit()), "{what}");
        assert!(lh.invt_no.is_none() && lh.pre_no.is_none(), "{what}");
        assert!(lh.cop_no.as_ref().is_some_and(|c| !c.is_empty() && c.len() <= 20), "{what}");
        assert!(lh.net_weight <= lh.gross_weight, "{what}");
        match mode {
            ImportMode::DirectPurchase => {
                assert!(lh.traf_no.is_some() && lh.voyage_no.is_some() && lh.bill_no.is_some(), "{what}");
                assert!(lh.ems_no.is_none() && lh.area_code.is_none() && lh.area_name.is_none(), "{what}");
                assert_ne!(lh.country, "142", "{what}");
            }
            ImportMode::Bonded => {
                assert!(lh.traf_no.is_none() && lh.voyage_no.is_none() && lh.bill_no.is_none(), "{what}");
                assert!(lh.ems_no.is_some() && lh.area_code.is_some() && lh.area_name.is_some(), "{what}");
                assert_eq!(lh.country, "142", "{what}");
            }
        }
        assert!(c.list.signature.0.is_empty(), "{what}: the list is left for the caller to sign");

        // senders
        assert_eq!(c.order.base_transfer.cop_code, parties.ebp, "{what}");
        assert_eq!(c.payment.base_transfer.cop_code, parties.pay, "{what}");
        assert_eq!(c.waybill.base_transfer.cop_code, parties.logistics, "{what}");
        assert_eq!(c.list.base_transfer.cop_code, parties.agent, "{what}");
        for bt in [&c.order.base_transfer, &c.payment.base_transfer, &c.waybill.base_transfer, &c.list.base_transfer] {
            assert_eq!(bt.dxp_mode, "DXP", "{what}");
        }

        // heads
        for (t, s, time) in [
            (&oh.app_type, &oh.app_status, &oh.app_time),
            (&p.app_type, &p.app_status, &p.app_time),
            (&w.app_type, &w.app_status, &w.app_time),
            (&lh.app_type, &lh.app_status, &lh.app_time),
        ] {
            assert_eq!(t, "1", "{what}");
            assert_eq!(s, "2", "{what}");
            time_ok(time, what);
        }
        let all = guids(c);
        for g in &all {
            guid_ok(g, what);
        }
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len(), "{what}: guids repeat");

        // value
        assert_eq!(c.value(), goods + lh.freight + lh.insured_fee, "{what}");
        assert_eq!(c.buyer_id(), lh.buyer_id_number, "{what}");
    }

    fn assert_follow_ups_valid(c: &ImportCase, seed: u64, what: &str) {
        let invt_no = "22442026I000000123";
        let cancel = c.cancel(invt_no, "消费者取消订单", seed);
        let items = c.list.inventory[0].inventory_list.len() as i32;
        let refund = c.refund(invt_no, &[(1, Decimal::ONE), (items, Decimal::ONE)], "商品质量问题退货", seed);
        assert_eq!(cancel.base_transfer.cop_code, c.list.base_transfer.cop_code, "{what}");
        assert_eq!(refund.base_transfer.cop_code, c.list.base_transfer.cop_code, "{what}");
        assert!(cancel.signature.0.is_empty() && refund.signature.0.is_empty(), "{what}");
        assert_valid(Message::CEB623Message(Box::new(cancel)), &format!("{what} cancel"));
        assert_valid(Message::CEB625Message(Box::new(refund)), &format!("{what} refund"));
    }

    #[test]
    fn cases_are_consistent_and_schema_and_rule_valid() {
        let parties = Parties::default();
        for &seed in SEEDS {
            for mode in MODES {
                for items in 1..=5 {
                    let what = format!("seed {seed} {mode:?} items {items}");
                    let c = import_case(seed, mode, items, &parties);
                    assert_consistent(&c, mode, &parties, &what);
                    assert_eq!(c.list.inventory[0].inventory_list.len(), items, "{what}");
                    assert!(c.value() <= dec("5000"), "{what}: value {}", c.value());
                    let xml: Vec<String> = c.messages().into_iter().map(|m| assert_valid(m, &what)).collect::<Vec<_>>();
                    assert_follow_ups_valid(&c, seed, &what);
                    // Determinism: the same seed gives the same bytes.
                    let again = import_case(seed, mode, items, &parties);
                    let xml2: Vec<String> = again.messages().iter().map(encode).collect();
                    let signed: Vec<String> =
                        again.messages().into_iter().map(|m| encode(&with_signature(m))).collect();
                    assert_eq!(xml, signed, "{what}: not deterministic");
                    let unsigned: Vec<String> = c.messages().iter().map(encode).collect();
                    assert_eq!(unsigned, xml2, "{what}: not deterministic");
                    let cancel = |c: &ImportCase| encode(&Message::CEB623Message(Box::new(c.cancel("x", "y", 5))));
                    assert_eq!(cancel(&c), cancel(&again), "{what}");
                }
            }
        }
    }

    #[test]
    fn other_parties_are_used_throughout() {
        let parties = Parties { ebp: uscc(11), ebc: uscc(12), logistics: uscc(13), pay: uscc(14), agent: uscc(15) };
        for mode in MODES {
            let c = import_case(3, mode, 2, &parties);
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
        for seed in 0..300u64 {
            for mode in MODES {
                let c = import_case(seed, mode, 1 + (seed % 5) as usize, &parties);
                let lh = &c.list.inventory[0].inventory_head;
                let p = &c.payment.payment[0].payment_head;
                for key in [
                    format!("order {}", lh.order_no),
                    format!("waybill {}", lh.logistics_no),
                    format!("pay {}", p.pay_transaction_id),
                    format!("cop {}", lh.cop_no.clone().unwrap()),
                ] {
                    assert!(keys.insert(key.clone()), "{key} repeats (seed {seed} {mode:?})");
                }
                let cancel = c.cancel("22442026I000000001", "取消", seed);
                let refund = c.refund("22442026I000000001", &[(1, Decimal::ONE)], "退货", seed);
                let mut gs = guids(&c);
                gs.extend([cancel.guid, cancel.invt_cancel[0].guid.clone()]);
                gs.extend([refund.guid, refund.invt_refund[0].invt_refund_head.guid.clone()]);
                for g in gs {
                    count += 1;
                    assert!(all_guids.insert(g.clone()), "guid {g} repeats (seed {seed} {mode:?})");
                }
            }
        }
        assert_eq!(all_guids.len(), count);
    }

    #[test]
    fn value_stays_within_the_single_limit() {
        // The bound by construction: the five dearest items at their
        // highest quantity, plus the highest freight.
        let mut dearest: Vec<u64> = GOODS.iter().map(|g| g.max_fen * g.max_qty).collect();
        dearest.sort_unstable_by(|a, b| b.cmp(a));
        let worst: u64 = dearest.iter().take(5).sum::<u64>() + 3000;
        assert!(worst <= 500_000, "the goods table allows {worst} fen");
        let parties = Parties::default();
        for seed in 0..2000u64 {
            for mode in MODES {
                let c = import_case(seed, mode, 1 + (seed % 5) as usize, &parties);
                assert!(c.value() <= dec("5000") && c.value() > Decimal::ZERO, "seed {seed}: {}", c.value());
            }
        }
    }

    #[test]
    fn with_value_hits_the_target_exactly() {
        let parties = Parties::default();
        for target in ["4999.99", "5000.01", "12000", "5000", "0.05", "1.00", "26000"] {
            let target = dec(target);
            for &seed in &SEEDS[..4] {
                for mode in MODES {
                    for items in 1..=5 {
                        let what = format!("target {target} seed {seed} {mode:?} items {items}");
                        let base = import_case(seed, mode, items, &parties);
                        let c = base.clone().with_value(target);
                        assert_eq!(c.value(), target, "{what}");
                        assert_consistent(&c, mode, &parties, &what);
                        // Only amounts change.
                        let (b, l) = (&base.list.inventory[0], &c.list.inventory[0]);
                        assert_eq!(b.inventory_head.order_no, l.inventory_head.order_no, "{what}");
                        for (x, y) in b.inventory_list.iter().zip(&l.inventory_list) {
                            assert_eq!(x.qty, y.qty, "{what}");
                            assert_eq!(x.gname, y.gname, "{what}");
                        }
                        assert!(l.inventory_head.freight >= Decimal::ZERO, "{what}");
                        for m in c.messages() {
                            assert_valid(m, &what);
                        }
                        let again = base.clone().with_value(target);
                        assert_eq!(encode(&c.messages()[3]), encode(&again.messages()[3]), "{what}");
                    }
                }
            }
        }
    }

    #[test]
    fn annual_limit_can_be_built_from_one_buyers_cases() {
        let parties = Parties::default();
        let (name, id) = ("李娜", id_number(4242));
        let values = ["5000", "5000", "5000", "5000", "4999.99", "1000.01"];
        let cases: Vec<ImportCase> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mode = if i % 2 == 0 { ImportMode::DirectPurchase } else { ImportMode::Bonded };
                import_case(100 + i as u64, mode, 1 + i % 5, &parties).with_buyer(name, &id).with_value(dec(v))
            })
            .collect();
        let total: Decimal = cases.iter().map(ImportCase::value).sum();
        assert_eq!(total, dec("26000"));
        let orders: HashSet<_> = cases.iter().map(|c| c.order.order[0].order_head.order_no.clone()).collect();
        assert_eq!(orders.len(), cases.len());
        for (i, c) in cases.iter().enumerate() {
            let mode = if i % 2 == 0 { ImportMode::DirectPurchase } else { ImportMode::Bonded };
            assert_eq!(c.buyer_id(), id);
            assert_eq!(c.order.order[0].order_head.buyer_name, name);
            assert_consistent(c, mode, &parties, &format!("case {i}"));
            for m in c.messages() {
                assert_valid(m, &format!("case {i}"));
            }
        }
    }

    #[test]
    fn cancel_and_refund_follow_the_list() {
        let parties = Parties::default();
        let c = import_case(9, ImportMode::Bonded, 3, &parties);
        let lh = &c.list.inventory[0].inventory_head;
        let invt_no = "22442026I000004711";

        let cancel = c.cancel(invt_no, "买家申请取消", 1);
        let x = &cancel.invt_cancel[0];
        assert_eq!(cancel.invt_cancel.len(), 1);
        assert_eq!(x.invt_no, invt_no);
        assert_eq!(x.reason, "买家申请取消");
        assert_eq!((&x.order_no, &x.ebp_code, &x.ebc_code), (&lh.order_no, &lh.ebp_code, &lh.ebc_code));
        assert_eq!((&x.logistics_no, &x.logistics_code), (&lh.logistics_no, &lh.logistics_code));
        assert_eq!((&x.buyer_id_number, &x.buyer_name), (&lh.buyer_id_number, &lh.buyer_name));
        assert_eq!((&x.agent_code, &x.customs_code), (&parties.agent, &lh.customs_code));
        assert_eq!(cancel.base_transfer.cop_code, parties.agent);
        assert!(x.app_time > lh.app_time);
        assert_ne!(c.cancel(invt_no, "r", 1).guid, c.cancel(invt_no, "r", 2).guid);

        let items = &c.list.inventory[0].inventory_list;
        let refund = c.refund(invt_no, &[(2, dec("1")), (9, dec("1")), (3, dec("0.5"))], "七天无理由退货", 1);
        let rh = &refund.invt_refund[0].invt_refund_head;
        let rl = &refund.invt_refund[0].invt_refund_list;
        assert_eq!(rh.invt_no, invt_no);
        assert_eq!(rh.agent_code, parties.agent);
        assert_eq!(refund.base_transfer.cop_code, parties.agent);
        assert_eq!(rl.len(), 2, "gnum 9 is not on the list");
        for (r, gnum, qty) in [(&rl[0], 2, dec("1")), (&rl[1], 3, dec("0.5"))] {
            let l = &items[gnum as usize - 1];
            assert_eq!((r.gnum, &r.gcode, &r.gname, &r.unit, r.qty), (gnum, &l.gcode, &l.gname, &l.unit, qty));
        }
        assert!(rh.app_time > x.app_time);
        assert_ne!(refund.guid, cancel.guid);
    }

    #[test]
    fn follow_up_dates_cross_month_and_year_ends() {
        let mut r = Rng::new(1);
        assert!(follow_up_time("20261130235959", 1, &mut r).starts_with("20261201"));
        assert!(follow_up_time("20261230100000", 7, &mut r).starts_with("20270106"));
        assert!(follow_up_time("20280228100000", 1, &mut r).starts_with("20280229"));
        for days in [0, 1, 59, 365, 20_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }
}

/// One way to make the four documents of a case disagree, with the field a
/// clearance engine must name and the `returnStatus` it must answer.
#[derive(Debug, Clone, Copy)]
pub struct Mismatch {
    /// Text the refusal must contain (the field's name).
    pub field: &'static str,
    /// `100` for a three-order mismatch; the list family's rule code when
    /// the list breaks the spec's own rules before any matching.
    pub status: &'static str,
    pub apply: fn(&mut ImportCase),
}

/// Every mismatch kind of retail import three-order matching.
pub fn mismatches() -> Vec<Mismatch> {
    fn pay(c: &mut ImportCase) -> &mut import::PaymentHead {
        &mut c.payment.payment[0].payment_head
    }
    fn waybill(c: &mut ImportCase) -> &mut import::LogisticsHead {
        &mut c.waybill.logistics[0].logistics_head
    }
    fn list(c: &mut ImportCase) -> &mut InventoryHead {
        &mut c.list.inventory[0].inventory_head
    }
    vec![
        Mismatch { field: "payment.amountPaid", status: "100", apply: |c| pay(c).amount_paid += Decimal::ONE },
        Mismatch { field: "waybill.consignee", status: "100", apply: |c| waybill(c).consignee = "李四".into() },
        Mismatch {
            field: "waybill.consigneeTelephone",
            status: "100",
            apply: |c| waybill(c).consignee_telephone = "13900000000".into(),
        },
        Mismatch {
            field: "waybill.consigneeAddress",
            status: "100",
            apply: |c| waybill(c).consignee_address = "北京市东城区1号".into(),
        },
        Mismatch { field: "payment.payerName", status: "100", apply: |c| pay(c).payer_name = "王五".into() },
        Mismatch { field: "list.buyerName", status: "100", apply: |c| list(c).buyer_name = "赵六".into() },
        Mismatch {
            field: "gname",
            status: "100",
            apply: |c| c.list.inventory[0].inventory_list[0].gname = "另一种商品".into(),
        },
        Mismatch {
            field: "assureCode",
            status: "-621010",
            apply: |c| {
                let agent = list(c).agent_code.clone();
                list(c).assure_code = agent;
            },
        },
    ]
}
