//! Three-order matching of a retail import list against its order, payment
//! and waybill (domain guide §4.3; [SPEC22] §3): every disagreement is one
//! [`Mismatch`] naming the field, what was expected (and from which
//! document) and what was found.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::facts::{
    CollectionFacts, ExportListFacts, ExportOrderFacts, ExportWaybillFacts, Kind, ListFacts, OrderFacts, PaymentFacts,
    WaybillFacts,
};

/// One field that does not agree between two documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The field, as `document.field` in the spec's names, e.g.
    /// `payment.amountPaid`.
    pub field: String,
    /// The document the field was found in.
    pub document: Kind,
    /// What the rule expects, and the document the expectation comes from.
    pub expected: String,
    pub expected_from: String,
    pub found: String,
}

impl Mismatch {
    /// One line for `returnInfo`.
    pub fn describe(&self) -> String {
        format!("{}: expected {} ({}), found {}", self.field, self.expected, self.expected_from, self.found)
    }
}

struct Out(Vec<Mismatch>);

impl Out {
    fn eq(&mut self, field: &str, document: Kind, expected: &str, from: &str, found: &str) {
        if expected.trim() != found.trim() {
            self.0.push(Mismatch {
                field: field.to_string(),
                document,
                expected: expected.to_string(),
                expected_from: from.to_string(),
                found: found.to_string(),
            });
        }
    }

    fn amount(&mut self, field: &str, document: Kind, expected: Decimal, from: &str, found: Decimal) {
        if expected != found {
            self.eq(field, document, &expected.normalize().to_string(), from, &found.normalize().to_string());
        }
    }
}

/// `acturalPaid` as the order's own amounts define it.
pub fn computed_paid(o: &OrderFacts) -> Decimal {
    o.goods_value + o.freight + o.tax_total - o.discount
}

/// Compares a list with its three orders. The documents are the ones its
/// links found (list↔order by orderNo + ebpCode + ebcCode, list↔waybill by
/// logisticsCode + logisticsNo, order↔payment by orderNo + ebpCode).
pub fn match_list(
    list: &ListFacts,
    order: &OrderFacts,
    payment: &PaymentFacts,
    waybill: &WaybillFacts,
) -> Vec<Mismatch> {
    let mut out = Out(Vec::new());
    use Kind::{List, Order, Payment, Waybill};

    // Links that the keys do not already guarantee.
    out.eq("order.ebcCode", Order, &list.ebc_code, "list.ebcCode", &order.ebc_code);
    if let (Some(code), Some(tx)) = (&order.pay_code, &order.pay_transaction_id) {
        out.eq("payment.payCode", Payment, code, "order.payCode", &payment.pay_code);
        out.eq("payment.payTransactionId", Payment, tx, "order.payTransactionId", &payment.pay_transaction_id);
    }

    // Amounts: acturalPaid = goodsValue + freight + taxTotal − discount = amountPaid.
    out.amount(
        "order.acturalPaid",
        Order,
        computed_paid(order),
        "order goodsValue + freight + taxTotal − discount",
        order.actural_paid,
    );
    out.amount("payment.amountPaid", Payment, order.actural_paid, "order.acturalPaid", payment.amount_paid);
    let goods: Decimal = order.items.iter().map(|i| i.total_price).sum();
    out.amount("order.goodsValue", Order, goods, "sum of order item totalPrice", order.goods_value);

    // Consignee on the order equals the waybill's.
    out.eq("waybill.consignee", Waybill, &order.consignee, "order.consignee", &waybill.consignee);
    out.eq(
        "waybill.consigneeTelephone",
        Waybill,
        &order.consignee_telephone,
        "order.consigneeTelephone",
        &waybill.consignee_telephone,
    );
    out.eq(
        "waybill.consigneeAddress",
        Waybill,
        &order.consignee_address,
        "order.consigneeAddress",
        &waybill.consignee_address,
    );
    if !waybill.order_no.is_empty() {
        out.eq("waybill.orderNo", Waybill, &order.order_no, "order.orderNo", &waybill.order_no);
    }

    // One buyer: order, payer, list.
    out.eq("list.buyerName", List, &order.buyer_name, "order.buyerName", &list.buyer_name);
    out.eq("list.buyerIdNumber", List, &order.buyer_id_number, "order.buyerIdNumber", &list.buyer_id_number);
    out.eq("payment.payerName", Payment, &order.buyer_name, "order.buyerName", &payment.payer_name);
    out.eq("payment.payerIdNumber", Payment, &order.buyer_id_number, "order.buyerIdNumber", &payment.payer_id_number);

    // Items one-to-one by gnum, equal names and amounts.
    let order_items: BTreeMap<i32, _> = order.items.iter().map(|i| (i.gnum, i)).collect();
    let list_items: BTreeMap<i32, _> = list.items.iter().map(|i| (i.gnum, i)).collect();
    for (gnum, li) in &list_items {
        let Some(oi) = order_items.get(gnum) else {
            out.eq(&format!("list.InventoryList[gnum={gnum}]"), List, "no such item", "order.OrderList", "an item");
            continue;
        };
        let at = |f: &str| format!("list.InventoryList[gnum={gnum}].{f}");
        out.eq(&at("gname"), List, &oi.item_name, &format!("order.OrderList[gnum={gnum}].itemName"), &li.gname);
        out.amount(&at("qty"), List, oi.qty, &format!("order.OrderList[gnum={gnum}].qty"), li.qty);
        out.amount(
            &at("totalPrice"),
            List,
            oi.total_price,
            &format!("order.OrderList[gnum={gnum}].totalPrice"),
            li.total_price,
        );
    }
    for gnum in order_items.keys().filter(|g| !list_items.contains_key(g)) {
        out.eq(&format!("list.InventoryList[gnum={gnum}]"), List, "an item", "order.OrderList", "none");
    }

    // The guarantor is the platform, the e-commerce enterprise or the logistics enterprise.
    if ![&list.ebp_code, &list.ebc_code, &list.logistics_code].contains(&&list.assure_code) {
        out.eq(
            "list.assureCode",
            List,
            &format!("{} | {} | {}", list.ebp_code, list.ebc_code, list.logistics_code),
            "list ebpCode | ebcCode | logisticsCode",
            &list.assure_code,
        );
    }

    // Bonded (1210): the zone account book, the zone enterprise and each item's account-book record.
    if list.trade_mode == "1210" {
        if list.ems_no.is_none() {
            out.eq("list.emsNo", List, "the bonded account book number", "trade mode 1210", "none");
        }
        if list.area_code.is_none() {
            out.eq("list.areaCode", List, "the zone warehouse enterprise", "trade mode 1210", "none");
        }
        for item in list.items.iter().filter(|i| i.item_record_no.is_none()) {
            out.eq(
                &format!("list.InventoryList[gnum={}].itemRecordNo", item.gnum),
                List,
                "the account-book item number",
                "trade mode 1210",
                "none",
            );
        }
    }
    out.0
}

/// Compares an export list with its order, receipt of payment (when the
/// mode needs one) and waybill: links by orderNo + ebpCode + ebcCode and
/// logisticsCode + logisticsNo; the order's goods value is its items' sum;
/// the payment received is goods value + freight; items one-to-one by gnum
/// with equal names, quantities and totals.
pub fn match_export_list(
    list: &ExportListFacts,
    order: &ExportOrderFacts,
    collection: Option<&CollectionFacts>,
    waybill: &ExportWaybillFacts,
) -> Vec<Mismatch> {
    use Kind::{Collection, ExportList, ExportOrder, ExportWaybill};
    let mut out = Out(Vec::new());
    out.eq("order.ebcCode", ExportOrder, &list.ebc_code, "list.ebcCode", &order.ebc_code);
    let expected_type = match list.trade_mode.as_str() {
        "9710" => "B",
        "9810" => "W",
        _ => "E",
    };
    out.eq(
        "order.orderType",
        ExportOrder,
        expected_type,
        &format!("list.tradeMode {}", list.trade_mode),
        &order.order_type,
    );
    let goods: Decimal = order.items.iter().map(|i| i.total_price).sum();
    out.amount("order.goodsValue", ExportOrder, goods, "sum of order item totalPrice", order.goods_value);
    if let Some(c) = collection {
        out.eq("receipts.ebcCode", Collection, &order.ebc_code, "order.ebcCode", &c.ebc_code);
        out.amount(
            "receipts.charge",
            Collection,
            order.goods_value + order.freight,
            "order goodsValue + freight",
            c.charge,
        );
        out.eq("receipts.currency", Collection, &order.currency, "order.currency", &c.currency);
    }
    if let Some(ebc) = &waybill.ebc_code {
        out.eq("waybill.ebcCode", ExportWaybill, &list.ebc_code, "list.ebcCode", ebc);
    }
    let order_items: BTreeMap<i32, _> = order.items.iter().map(|i| (i.gnum, i)).collect();
    let list_items: BTreeMap<i32, _> = list.items.iter().map(|i| (i.gnum, i)).collect();
    for (gnum, li) in &list_items {
        let Some(oi) = order_items.get(gnum) else {
            out.eq(
                &format!("list.InventoryList[gnum={gnum}]"),
                ExportList,
                "no such item",
                "order.OrderList",
                "an item",
            );
            continue;
        };
        let at = |f: &str| format!("list.InventoryList[gnum={gnum}].{f}");
        let from = |f: &str| format!("order.OrderList[gnum={gnum}].{f}");
        out.eq(&at("gname"), ExportList, &oi.item_name, &from("itemName"), &li.gname);
        out.amount(&at("qty"), ExportList, oi.qty, &from("qty"), li.qty);
        out.amount(&at("totalPrice"), ExportList, oi.total_price, &from("totalPrice"), li.total_price);
    }
    for gnum in order_items.keys().filter(|g| !list_items.contains_key(g)) {
        out.eq(&format!("list.InventoryList[gnum={gnum}]"), ExportList, "an item", "order.OrderList", "none");
    }
    out.0
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::facts::{ListItem, OrderItem};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    pub(crate) fn four() -> Four {
        let order = OrderFacts {
            order_no: "O1".into(),
            ebp_code: "EBP".into(),
            ebc_code: "EBC".into(),
            goods_value: d("100"),
            freight: d("10"),
            discount: d("5"),
            tax_total: d("9.1"),
            actural_paid: d("114.1"),
            buyer_name: "张三".into(),
            buyer_id_number: "110101199003074514".into(),
            pay_code: None,
            pay_transaction_id: None,
            consignee: "张三".into(),
            consignee_telephone: "13800000000".into(),
            consignee_address: "北京".into(),
            items: vec![OrderItem {
                gnum: 1,
                item_name: "奶粉".into(),
                qty: d("2"),
                price: d("50"),
                total_price: d("100"),
            }],
        };
        let payment = PaymentFacts {
            pay_code: "PAY".into(),
            pay_transaction_id: "T1".into(),
            order_no: "O1".into(),
            ebp_code: "EBP".into(),
            payer_name: "张三".into(),
            payer_id_number: "110101199003074514".into(),
            amount_paid: d("114.1"),
        };
        let waybill = WaybillFacts {
            logistics_code: "LOG".into(),
            logistics_no: "W1".into(),
            order_no: "O1".into(),
            consignee: "张三".into(),
            consignee_telephone: "13800000000".into(),
            consignee_address: "北京".into(),
        };
        let list = ListFacts {
            order_no: "O1".into(),
            ebp_code: "EBP".into(),
            ebc_code: "EBC".into(),
            logistics_code: "LOG".into(),
            logistics_no: "W1".into(),
            cop_no: None,
            pre_no: None,
            invt_no: None,
            assure_code: "EBC".into(),
            agent_code: "AG".into(),
            customs_code: "3700".into(),
            trade_mode: "9610".into(),
            ems_no: None,
            area_code: None,
            buyer_name: "张三".into(),
            buyer_id_number: "110101199003074514".into(),
            freight: d("10"),
            insured_fee: d("0"),
            port_code: "3700".into(),
            country: "116".into(),
            traf_mode: "5".into(),
            net_weight: d("1.8"),
            sandbox: None,
            parties: Vec::new(),
            items: vec![ListItem {
                gnum: 1,
                gcode: "0402210000".into(),
                gname: "奶粉".into(),
                item_record_no: None,
                qty: d("2"),
                unit: "122".into(),
                price: d("50"),
                total_price: d("100"),
                gmodel: "900g/罐".into(),
                country: "116".into(),
                qty1: d("1.8"),
                unit1: "035".into(),
            }],
        };
        (list, order, payment, waybill)
    }

    #[test]
    fn agreeing_documents_match() {
        let (l, o, p, w) = four();
        assert_eq!(match_list(&l, &o, &p, &w), vec![]);
    }

    type Four = (ListFacts, OrderFacts, PaymentFacts, WaybillFacts);
    type Change = Box<dyn Fn(&mut Four)>;

    #[test]
    fn each_mismatch_names_its_field() {
        let cases: Vec<(&str, Change)> = vec![
            ("payment.amountPaid", Box::new(|f| f.2.amount_paid = d("114"))),
            ("order.acturalPaid", Box::new(|f| f.1.actural_paid = d("1"))),
            ("waybill.consignee", Box::new(|f| f.3.consignee = "李四".into())),
            ("waybill.consigneeTelephone", Box::new(|f| f.3.consignee_telephone = "1".into())),
            ("waybill.consigneeAddress", Box::new(|f| f.3.consignee_address = "上海".into())),
            ("list.buyerIdNumber", Box::new(|f| f.0.buyer_id_number = "x".into())),
            ("payment.payerName", Box::new(|f| f.2.payer_name = "王五".into())),
            ("list.InventoryList[gnum=1].gname", Box::new(|f| f.0.items[0].gname = "糖".into())),
            ("list.InventoryList[gnum=2]", Box::new(|f| f.0.items[0].gnum = 2)),
            ("list.assureCode", Box::new(|f| f.0.assure_code = "OTHER".into())),
            ("list.emsNo", Box::new(|f| f.0.trade_mode = "1210".into())),
        ];
        for (field, change) in cases {
            let mut f = four();
            change(&mut f);
            let m = match_list(&f.0, &f.1, &f.2, &f.3);
            assert!(m.iter().any(|m| m.field == field), "{field}: {m:?}");
        }
    }
}
