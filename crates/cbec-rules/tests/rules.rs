//! The `full` validation level: the placeholders of the official samples,
//! and each rule against a business-valid message.

#![allow(clippy::unwrap_used)] // a test may unwrap

use cbec_ceb::{DecodeOptions, Message, decode, encode};
use cbec_rules::{Level, RuleConfig, check_message, validate};

fn spec(rel: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec").join(rel)).expect("sample")
}

fn lenient(bytes: &[u8]) -> Message {
    decode(bytes, &DecodeOptions { lenient: true, ..DecodeOptions::default() }).expect("decodes").message
}

fn full(bytes: &[u8]) -> cbec_rules::Report {
    validate(bytes, Level::Full, &cbec_ceb::Limits::default(), &RuleConfig::default())
}

/// Every placeholder the domain guide lists for the official samples is
/// reported, with the path of its field.
#[test]
fn each_known_placeholder_is_reported_with_its_path() {
    let cases: &[(&str, &str, &str, &str)] = &[
        ("samples/export/CEB303Message.xml", "code.unknown", "Order[1]/OrderList[1]/unit", "aaa"),
        ("samples/export/CEB303Message.xml", "code.unknown", "Order[1]/OrderList[1]/currency", "aaa"),
        (
            "samples/export/CEB303Message.xml",
            "placeholder.value",
            "Order[1]/OrderHead/goodsValue",
            "12345678912345.12345",
        ),
        ("samples/export/CEB603Message.xml", "code.not_allowed", "Inventory[1]/InventoryHead/ieFlag", "a"),
        ("samples/export/CEB603Message.xml", "code.unknown", "Inventory[1]/InventoryHead/tradeMode", "0101"),
        ("samples/export/CEB603Message.xml", "code.unknown", "Inventory[1]/InventoryHead/country", "001"),
        ("samples/export/CEB603Message.xml", "placeholder.value", "Inventory[1]/InventoryHead/POD", "002"),
        (
            "samples/export/CEB603Message.xml",
            "consistency.not_allowed_for_mode",
            "Inventory[1]/InventoryList[1]/itemRecordNo",
            "1210",
        ),
        ("samples/export/CEB603Message.xml", "arith.total_price", "Inventory[1]/InventoryList[1]/totalPrice", "200"),
        (
            "samples/export/CEB792Message.xml",
            "placeholder.value",
            "SummaryResult[1]/SummaryResultHead/grossWeight",
            "12345678912345.12345",
        ),
        (
            "samples/export/CEB792Message.xml",
            "placeholder.value",
            "SummaryResult[1]/SummaryResultHead/netWeight",
            "12345678912345.12345",
        ),
        (
            "samples/export/CEB792Message.xml",
            "schema.missing_element",
            "SummaryResult[1]/SummaryResultList[1]/gseqno",
            "",
        ),
        (
            "samples/export/CEB792Message.xml",
            "format.guid",
            "SummaryResult[1]/SummaryResultHead/guid",
            "123ent97-2b80-4568-aecf-cb6c90530012",
        ),
        (
            "samples/export/CEB701Message.xml",
            "format.guid",
            "SummaryApply[1]/SummaryApplyHead/guid",
            "123ent97-2b80-4568-aecf-cb6c90530012",
        ),
        ("samples/import/CEB311Message.xml", "placeholder.value", "Order[1]/OrderHead/buyerName", "aa"),
        ("samples/import/CEB311Message.xml", "placeholder.value", "Order[1]/OrderList[1]/itemName", "b"),
        ("samples/import/CEB311Message.xml", "placeholder.value", "Order[1]/OrderList[2]/itemName", "v"),
        ("samples/import/CEB311Message.xml", "arith.total_price", "Order[1]/OrderList[2]/totalPrice", "12000"),
        (
            "samples/import/CEB621Message.xml",
            "format.enterprise_code",
            "Inventory[1]/InventoryHead/assureCode",
            "ass201603081155",
        ),
        (
            "samples/import/CEB621Message.xml",
            "consistency.mismatch",
            "Inventory[1]/InventoryHead/assureCode",
            "ass201603081155",
        ),
        ("samples/import/CEB621Message.xml", "arith.total_price", "Inventory[1]/InventoryList[1]/totalPrice", "20"),
        ("samples/import/CEB621Message.xml", "arith.total_price", "Inventory[1]/InventoryList[2]/totalPrice", "12"),
        ("samples/import/CEB621Message.xml", "code.not_allowed", "Inventory[1]/InventoryHead/trafMode", "0"),
        ("samples/import/CEB621Message.xml", "consistency.mismatch", "Inventory[1]/InventoryHead/packNo", "6000"),
        (
            "samples/import/CEB621Message.xml",
            "consistency.not_allowed_for_mode",
            "Inventory[1]/InventoryHead/emsNo",
            "S1501I000164",
        ),
        (
            "samples/import/CEB621Message.xml",
            "consistency.not_allowed_for_mode",
            "Inventory[1]/InventoryHead/areaCode",
            "110108130000000007",
        ),
        ("samples/import/CEB623Message.xml", "placeholder.value", "InvtCancel[1]/reason", "a"),
        ("samples/import/CEB625Message.xml", "placeholder.value", "InvtRefund[1]/InvtRefundHead/reason", "1105910158"),
        (
            "samples/import/CEB625Message.xml",
            "placeholder.value",
            "InvtRefund[1]/InvtRefundList[1]/gcode",
            "2412342134",
        ),
        ("samples/import/CEB625Message.xml", "format.guid", "@guid", "5923DGGB-9940-415B-B666-C09BOO7F40B2"),
        ("samples/import/CEB711Message.xml", "format.guid", "@guid", "5923DGGB-9940-415B-B666-C09BOO7F40B2"),
        ("samples/import/CEB712Message.xml", "format.guid", "@guid", "5923DGGB-9940-415B-B666-C09BOO7F40B2"),
        ("samples/import/CEB513Message.xml", "code.not_allowed", "LogisticsStatus[1]/logisticsStatus", "R"),
        ("samples/export/CEB213Message.xml", "format.invt_no", "InvtRefund[1]/InvtRefundHead/invtNo", "111222333"),
        ("samples/export/CEB214Message.xml", "schema.unknown_root", "", "ceb:CEB214"),
    ];
    let mut missing = Vec::new();
    for (file, code, path, value) in cases {
        let report = full(&spec(file));
        let hit = report.diagnostics.iter().any(|d| {
            d.code.as_str() == *code && d.path == *path && (value.is_empty() || d.value.as_deref() == Some(*value))
        });
        if !hit {
            missing.push(format!("{file}: {code} at {path} = {value:?}"));
        }
    }
    assert!(missing.is_empty(), "not reported:\n{}", missing.join("\n"));
}

/// The real UKey-signed list, with its non-UUID guids and its guarantor
/// fixed, is a business-valid 9610 list.
fn valid_list() -> Message {
    let mut m = lenient(&spec("samples/real/CEB621Message_sm2_eport_ukey.xml"));
    let Message::CEB621Message(l) = &mut m else { panic!("not a list") };
    l.guid = "0B6C1F3A-7E1D-4C6B-9E62-3D1E5A7F9C21".into();
    let h = &mut l.inventory[0].inventory_head;
    h.guid = "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF".into();
    h.assure_code = h.ebc_code.clone();
    m
}

fn errors(m: &Message) -> Vec<String> {
    check_message(m, &RuleConfig::default())
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.code, d.path))
        .collect()
}

#[test]
fn a_business_valid_list_passes_and_each_rule_fires_on_its_field() {
    let base = valid_list();
    assert!(errors(&base).is_empty(), "{:?}", errors(&base));
    // And it still passes the XSD and the full level as XML.
    let xml = encode(&base);
    let report = full(xml.as_bytes());
    assert!(report.is_valid(), "{:#?}", report.diagnostics);

    type Edit = fn(&mut cbec_ceb::import::CEB621Message);
    let cases: &[(&str, &str, Edit)] = &[
        ("arith.total_price Inventory[1]/InventoryList[1]/totalPrice", "", |l| {
            l.inventory[0].inventory_list[0].qty += cbec_model::Decimal::ONE;
        }),
        ("format.id_number Inventory[1]/InventoryHead/buyerIdNumber", "", |l| {
            let h = &mut l.inventory[0].inventory_head;
            let last = if h.buyer_id_number.ends_with('1') { '2' } else { '1' };
            h.buyer_id_number.pop();
            h.buyer_id_number.push(last);
        }),
        ("consistency.required_for_mode Inventory[1]/InventoryHead/emsNo", "", |l| {
            l.inventory[0].inventory_head.trade_mode = "1210".into();
        }),
        ("code.unknown Inventory[1]/InventoryHead/tradeMode", "", |l| {
            l.inventory[0].inventory_head.trade_mode = "0110".into()
        }),
        ("arith.gnum_sequence Inventory[1]/InventoryList[1]/gnum", "", |l| l.inventory[0].inventory_list[0].gnum = 2),
        ("code.unknown Inventory[1]/InventoryList[1]/unit", "", |l| {
            l.inventory[0].inventory_list[0].unit = "999".into()
        }),
        ("format.hs_code Inventory[1]/InventoryList[1]/gcode", "", |l| {
            l.inventory[0].inventory_list[0].gcode = "33049900".into()
        }),
        ("format.enterprise_code Inventory[1]/InventoryHead/ebcCode", "", |l| {
            l.inventory[0].inventory_head.ebc_code = "91350100M000100Y4X".into()
        }),
        ("code.unknown Inventory[1]/InventoryHead/customsCode", "", |l| {
            l.inventory[0].inventory_head.customs_code = "9999".into()
        }),
        ("format.date8 Inventory[1]/InventoryHead/declTime", "", |l| {
            l.inventory[0].inventory_head.decl_time = "20230230".into()
        }),
        ("format.datetime14 Inventory[1]/InventoryHead/appTime", "", |l| {
            l.inventory[0].inventory_head.app_time = "20231301120000".into()
        }),
        ("code.unknown Inventory[1]/InventoryHead/appType", "", |l| {
            l.inventory[0].inventory_head.app_type = "4".into()
        }),
        ("format.guid @guid", "", |l| l.guid = "not-a-guid-not-a-guid-not-a-guid-123".into()),
    ];
    for (want, _, edit) in cases {
        let mut m = base.clone();
        let Message::CEB621Message(l) = &mut m else { unreachable!() };
        edit(l);
        let errs = errors(&m);
        assert!(errs.iter().any(|e| e == want), "expected {want}, got {errs:?}");
    }
}

#[test]
fn order_arithmetic_and_limits() {
    let mut m = lenient(&spec("samples/import/CEB311Message.xml"));
    let Message::CEB311Message(o) = &mut m else { panic!() };
    o.order.truncate(1);
    let order = &mut o.order[0];
    order.order_head.buyer_name = "张三".into();
    order.order_head.buyer_id_number =
        cbec_model::ident::PrcIdNumber::with_check("11010519491231002").unwrap().to_string();
    for (i, l) in order.order_list.iter_mut().enumerate() {
        l.item_name = format!("商品{i}");
        l.total_price = l.qty * l.price;
    }
    let total: cbec_model::Decimal = order.order_list.iter().map(|l| l.total_price).sum();
    let h = &mut order.order_head;
    h.goods_value = total;
    h.actural_paid = h.goods_value + h.freight + h.tax_total - h.discount;
    assert!(errors(&m).is_empty(), "{:?}", errors(&m));

    let mut bad = m.clone();
    let Message::CEB311Message(o) = &mut bad else { panic!() };
    o.order[0].order_head.actural_paid += cbec_model::Decimal::ONE;
    assert!(errors(&bad).contains(&"arith.actural_paid Order[1]/OrderHead/acturalPaid".to_string()));

    let mut bad = m.clone();
    let Message::CEB311Message(o) = &mut bad else { panic!() };
    o.order[0].order_head.goods_value += cbec_model::Decimal::ONE;
    let errs = errors(&bad);
    assert!(errs.contains(&"arith.goods_value Order[1]/OrderHead/goodsValue".to_string()), "{errs:?}");

    let tight = RuleConfig { max_records: 1, max_items: 1 };
    let codes: Vec<_> = check_message(&m, &tight).into_iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"limit.items"), "{codes:?}");
}

/// The seeded fixtures used by benchmarks and the sandbox are valid at the
/// full level, whatever their size.
#[test]
fn seeded_fixture_lists_pass_full_validation() {
    for seed in 0..40u64 {
        let items = 1 + (seed as usize * 7) % 99;
        let xml = encode(&cbec_fixtures::import_list_message(seed, items));
        let report = full(xml.as_bytes());
        assert!(report.is_valid(), "seed {seed}: {:#?}", report.diagnostics);
    }
}
