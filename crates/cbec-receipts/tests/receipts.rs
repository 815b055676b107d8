//! Business receipts: every receipt type against both schema oracles, the
//! official samples rebuilt from their keys, the key policy, the item limits
//! and the truncation of `returnInfo`.
#![allow(clippy::unwrap_used)]

mod support;

use cbec_ceb::schema::{CEB_NS, Content, SimpleType, check_simple, find_root};
use cbec_ceb::{Message, import};
use cbec_model::ident::Guid;
use cbec_receipts::{
    ReceiptError, ReceiptItem, ReceiptKeys, ReceiptType, receipt_keys, receipt_message, receipt_message_with_guid,
    receipt_xml,
};
use serde_json::Value;
use support::*;

/// The return elements of a message in its JSON form (XSD names).
fn return_elements(message: &Message, kind: ReceiptType) -> Vec<serde_json::Map<String, Value>> {
    let json: Value = serde_json::from_str(&cbec_ceb::to_json(message)).expect("json");
    json[kind.root()][kind.element()]
        .as_array()
        .unwrap_or_else(|| panic!("{kind}: no {} array", kind.element()))
        .iter()
        .map(|v| v.as_object().expect("object").clone())
        .collect()
}

/// The items of an existing receipt: its keys and verdicts.
fn items_of(message: &Message, kind: ReceiptType) -> Vec<ReceiptItem> {
    return_elements(message, kind)
        .into_iter()
        .map(|mut o| {
            let mut take = |k: &str| o.remove(k).and_then(|v| v.as_str().map(str::to_string)).expect(k);
            let return_status = take("returnStatus");
            let return_time = rt(&take("returnTime"));
            let return_info = take("returnInfo");
            let keys: ReceiptKeys = serde_json::from_value(Value::Object(o)).expect("every receipt field is a key");
            ReceiptItem { keys, return_status, return_time, return_info }
        })
        .collect()
}

/// The child elements of a receipt's return element, from the XSD tables:
/// (name, minOccurs, simple type).
fn xsd_children(kind: ReceiptType) -> Vec<(&'static str, u32, Option<&'static SimpleType>)> {
    let (schema, root) = find_root(Some(CEB_NS), kind.root()).expect("root");
    let Content::Complex { parts, .. } = &root.content else { panic!("{kind}: root content") };
    let item = &schema.elements[parts[0].elem];
    assert_eq!(item.name, kind.element());
    let Content::Complex { parts, .. } = &item.content else { panic!("{kind}: item content") };
    parts
        .iter()
        .map(|p| {
            let d = &schema.elements[p.elem];
            let ty = match &d.content {
                Content::Simple(t) => Some(t),
                _ => None,
            };
            (d.name, p.min, ty)
        })
        .collect()
}

/// Every field written must be the key or verdict given (or the documented
/// derivation), and every key the receipt's XSD has must be written, unless
/// it is an optional echo the receipt's XSD refuses.
fn assert_fields_match(message: &Message, kind: ReceiptType, items: &[ReceiptItem]) {
    let children = xsd_children(kind);
    let elements = return_elements(message, kind);
    assert_eq!(elements.len(), items.len(), "{kind}");
    for (el, item) in elements.iter().zip(items) {
        let keys = serde_json::to_value(&item.keys).expect("json");
        for (name, value) in el {
            let derived = match (kind, name.as_str()) {
                (ReceiptType::Ceb214 | ReceiptType::Ceb216, "coElNo") => keys.get("copNo").cloned(),
                (ReceiptType::Ceb508, "billNo") | (ReceiptType::Ceb604, "invtNo") => Some(Value::from("")),
                _ => None,
            };
            let expected = match name.as_str() {
                "returnStatus" => Value::from(item.return_status.clone()),
                "returnTime" => Value::from(item.return_time.as_str()),
                "returnInfo" => Value::from(item.return_info.clone()),
                other => keys
                    .get(other)
                    .cloned()
                    .or(derived)
                    .unwrap_or_else(|| panic!("{kind}: {other} written but not given")),
            };
            assert_eq!(value, &expected, "{kind}: {name}");
            assert!(children.iter().any(|c| c.0 == name), "{kind}: {name} is not in the XSD");
        }
        for (name, value) in keys.as_object().expect("object") {
            let Some(&(_, min, ty)) = children.iter().find(|c| c.0 == name) else { continue };
            if !el.contains_key(name) {
                let refused = value.as_str().is_some_and(|v| ty.and_then(|t| check_simple(v, t)).is_some());
                assert!(min == 0 && refused, "{kind}: {name} = {value} given but not written");
            }
        }
    }
}

#[test]
fn every_official_receipt_sample_is_rebuilt_from_its_keys() {
    for &kind in ReceiptType::ALL {
        let official = decode_lenient(&sample(kind.root()));
        let items = items_of(&official, kind);
        let built = receipt_message(kind, &items).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(return_elements(&built, kind), return_elements(&official, kind), "{kind}");
        assert_fields_match(&built, kind, &items);

        let bytes = receipt_xml(kind, &items).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let decoded = check_valid(&bytes, kind.root());
        assert_eq!(decoded, built, "{kind}: decoding the XML gives back the message");
        assert_eq!(decoded.root_name(), kind.root());
    }
}

/// Realistic keys for every receipt type: the Hainan list for CEB622, the
/// official samples' values elsewhere, the numbers customs assigns in their
/// documented formats.
fn realistic_keys(kind: ReceiptType) -> ReceiptKeys {
    let s = |v: &str| Some(v.to_string());
    let guid = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94".to_string();
    let k = ReceiptKeys { guid, ..ReceiptKeys::default() };
    match kind {
        ReceiptType::Ceb304 | ReceiptType::Ceb312 => ReceiptKeys {
            ebp_code: s("1105910159"),
            ebc_code: s("1105910159"),
            order_no: s("order20160321116420545"),
            ..k
        },
        ReceiptType::Ceb404 => ReceiptKeys {
            ebc_code: s("1105910159"),
            order_no: s("order2018050711340001"),
            pay_no: s("P20180507001"),
            ..k
        },
        ReceiptType::Ceb412 => ReceiptKeys { pay_code: s("1105910159"), pay_transaction_id: s("P0321000433"), ..k },
        ReceiptType::Ceb506 => ReceiptKeys { logistics_code: s("1105910159"), logistics_no: s("L2018050700001"), ..k },
        ReceiptType::Ceb512 => {
            ReceiptKeys { logistics_code: s("4101986180"), logistics_no: s("L201603081138007"), ..k }
        }
        ReceiptType::Ceb514 => ReceiptKeys {
            logistics_code: s("1105910158"),
            logistics_no: s("L20160384156465231"),
            logistics_status: s("S"),
            ..k
        },
        ReceiptType::Ceb508 => ReceiptKeys {
            operator_code: s("1105910159"),
            logistics_code: s("1105910159"),
            pre_no: s("B20180507000000001"),
            cop_no: s("Cop20180507001"),
            bill_no: s("B00024204001"),
            msg_seq_no: Some(1),
            ..k
        },
        ReceiptType::Ceb510 => ReceiptKeys {
            logistics_code: s("1105910159"),
            cop_no: s("CoP20180507000000001"),
            pre_no: s("B20180507000000002"),
            msg_seq_no: Some(2),
            ..k
        },
        ReceiptType::Ceb604 => ReceiptKeys {
            agent_code: s("1105910159"),
            cop_no: s("Cop20180507001"),
            pre_no: s("B20180507000000001"),
            invt_no: s("01022018E000000001"),
            ebc_code: s("1105910159"),
            ebp_code: s("1105910159"),
            order_no: s("order2018050711340001"),
            statistics_flag: s("A"),
            ..k
        },
        ReceiptType::Ceb606 => ReceiptKeys {
            agent_code: s("1105910159"),
            cop_no: s("Cop20180507001"),
            pre_no: s("B20180507000000001"),
            invt_no: s("01022018E000000001"),
            ..k
        },
        ReceiptType::Ceb608 => ReceiptKeys {
            agent_code: s("1105910159"),
            logistics_code: s("1105910159"),
            cop_no: s("Cop20180507001"),
            pre_no: s("B20180507000000001"),
            bill_no: s("B20180508001"),
            msg_seq_no: Some(1),
            ..k
        },
        ReceiptType::Ceb214 => ReceiptKeys {
            ebp_code: s("1105910159"),
            ebc_code: s("1105910159"),
            agent_code: s("1105910159"),
            co_el_no: s("Cop20220407001"),
            pre_no: s("B20200102102400001"),
            invt_no: s("01022020E000000002"),
            ..k
        },
        ReceiptType::Ceb216 => ReceiptKeys {
            operator_code: s("A000080003"),
            logistics_code: s("1105910152"),
            logistics_no: s("L2018050700003"),
            co_el_no: s("Cop20180507056"),
            pre_no: s("O20200401000310507"),
            ..k
        },
        ReceiptType::Ceb622 => ReceiptKeys {
            guid: "CEB621_HNZB_FXJK_20220208175055_0035".into(),
            customs_code: s("4601"),
            ebp_code: s("46121601BC"),
            ebc_code: s("46121601BC"),
            agent_code: s("46121601BC"),
            cop_no: s("4101W68006"),
            pre_no: s("B20220208000000035"),
            invt_no: s("46012022I000000035"),
            order_no: s("48037605991776256"),
            logistics_code: s("4101986180"),
            logistics_no: s("2222222"),
            ..k
        },
        ReceiptType::Ceb624 | ReceiptType::Ceb626 => ReceiptKeys {
            customs_code: s("0102"),
            agent_code: s("1105910158"),
            ebp_code: s("1105910158"),
            ebc_code: s("1105910158"),
            cop_no: s("cop2016032210052"),
            pre_no: s("B20160321000000152"),
            invt_no: s("01022016I000000520"),
            ..k
        },
        ReceiptType::Ceb702 => ReceiptKeys {
            agent_code: s("1105910159"),
            ebc_code: s("1105910159"),
            cop_no: s("C201805080001"),
            pre_no: s("B20180507000000001"),
            sum_no: s("01022018E000000001"),
            msg_seq_no: Some(1),
            ..k
        },
        ReceiptType::Ceb712 => ReceiptKeys {
            customs_code: s("0102"),
            operator_code: s("1105910158"),
            cop_no: s("cop0160308021"),
            pre_no: s("R20160401000000007"),
            rkd_no: s("010220160308000008"),
            ..k
        },
    }
}

fn item(kind: ReceiptType, status: &str, info: &str) -> ReceiptItem {
    ReceiptItem {
        keys: realistic_keys(kind),
        return_status: status.into(),
        return_time: rt("20240315103000123"),
        return_info: info.into(),
    }
}

#[test]
fn every_receipt_type_with_realistic_keys_is_valid_and_round_trips() {
    for &kind in ReceiptType::ALL {
        let mut second = item(kind, "-621005", "订购人购买金额超过单次限值[5000.00 > 5000]");
        second.keys.guid = "9A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9".into();
        let items = [item(kind, "120", "新增申报成功[4CDE1CFD-EDED-46B1-946C-B8022E42FC94]"), second];
        let message = receipt_message(kind, &items).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_fields_match(&message, kind, &items);
        let bytes = receipt_xml(kind, &items).expect("xml");
        assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        let decoded = check_valid(&bytes, &format!("realistic-{kind}"));
        assert_eq!(decoded, message, "{kind}");
    }
}

#[test]
fn the_root_guid_is_the_first_business_guid_unless_given() {
    let kind = ReceiptType::Ceb622;
    let items = [item(kind, "120", "ok")];
    let Message::CEB622Message(m) = receipt_message(kind, &items).unwrap() else { panic!("CEB622") };
    assert_eq!(m.guid, "CEB621_HNZB_FXJK_20220208175055_0035");
    assert_eq!(m.version, "1.0");
    let own = Guid::parse("0B5B1F7E-3C4D-4E5F-8A9B-0C1D2E3F4A5B").unwrap();
    let Message::CEB622Message(m) = receipt_message_with_guid(kind, &own, &items).unwrap() else { panic!("CEB622") };
    assert_eq!(m.guid, own.as_str());
    assert_eq!(m.inventory_return[0].guid, "CEB621_HNZB_FXJK_20220208175055_0035");
}

#[test]
fn the_ceb622_receipt_matches_its_golden_file() {
    let kind = ReceiptType::Ceb622;
    let accepted = item(kind, "120", "新增申报成功[CEB621_HNZB_FXJK_20220208175055_0035]");
    let mut refused = item(kind, "-621005", "订购人购买金额超过单次限值：5012.00 > 5000 & <备注>");
    refused.keys.guid = "CEB621_HNZB_FXJK_20220208175056_0036".into();
    refused.keys.cop_no = Some("4101W68007".into());
    refused.keys.pre_no = Some("B20220208000000036".into());
    refused.keys.invt_no = None;
    let bytes = receipt_xml(kind, &[accepted, refused]).unwrap();
    let golden = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/CEB622Message.xml"))
        .expect("golden file");
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(&golden),
        "the encoded CEB622 differs from tests/golden/CEB622Message.xml"
    );
    assert_eq!(bytes, golden);
    check_valid(&golden, "golden-CEB622");
}

#[test]
fn business_samples_give_the_keys_of_their_receipts() {
    let mut answered = Vec::new();
    for dir in ["import", "export"] {
        for (name, bytes) in samples_in(dir) {
            let message = decode_lenient(&bytes);
            let Some((kind, keys)) = receipt_keys(&message) else {
                assert!(ReceiptType::for_message(message.root_name()).is_none(), "{name}");
                continue;
            };
            assert_eq!(ReceiptType::for_message(message.root_name()), Some(kind), "{name}");
            assert!(!keys.is_empty(), "{name}");
            let items: Vec<ReceiptItem> = keys
                .into_iter()
                .enumerate()
                .map(|(i, mut keys)| {
                    // The numbers the customs side assigns on acceptance.
                    keys.pre_no.get_or_insert_with(|| format!("B20240315{:09}", i + 1));
                    keys.sum_no.get_or_insert_with(|| format!("01022024E{:09}", i + 1));
                    ReceiptItem {
                        keys,
                        return_status: "120".into(),
                        return_time: rt("20240315103000123"),
                        return_info: "新增申报成功".into(),
                    }
                })
                .collect();
            let bytes = receipt_xml(kind, &items).unwrap_or_else(|e| panic!("{name}: {e}"));
            let decoded = check_valid(&bytes, &format!("from-{name}"));
            assert_fields_match(&decoded, kind, &items);
            answered.push(kind);
        }
    }
    answered.sort();
    answered.dedup();
    assert_eq!(answered, ReceiptType::ALL, "every receipt type answers an official business sample");
}

#[test]
fn a_required_key_the_caller_lacks_is_an_error_naming_the_field() {
    let kind = ReceiptType::Ceb622;
    let ok = item(kind, "120", "ok");
    let mut no_pre = item(kind, "120", "ok");
    no_pre.keys.pre_no = None;
    let e = receipt_message(kind, &[ok.clone(), no_pre]).unwrap_err();
    assert_eq!(e.field(), Some("preNo"));
    assert_eq!(e.path(), Some("InventoryReturn[2]/preNo"));
    assert!(matches!(e, ReceiptError::Missing { message: "CEB622Message", .. }));
    assert!(e.to_string().contains("InventoryReturn[2]/preNo"), "{e}");
    assert!(e.to_string().contains("电子口岸标识编号"), "{e}");

    // CEB621 may omit copNo, but its receipt requires it.
    let mut no_cop = ok.clone();
    no_cop.keys.cop_no = None;
    assert_eq!(receipt_xml(kind, &[no_cop]).unwrap_err().field(), Some("copNo"));

    // An empty value where the XSD needs a character counts as missing.
    let mut empty = ok.clone();
    empty.keys.pre_no = Some(String::new());
    assert!(matches!(receipt_xml(kind, &[empty]).unwrap_err(), ReceiptError::Missing { .. }));

    let mut no_seq = item(ReceiptType::Ceb508, "120", "ok");
    no_seq.keys.msg_seq_no = None;
    assert_eq!(receipt_xml(ReceiptType::Ceb508, &[no_seq]).unwrap_err().field(), Some("msgSeqNo"));

    let mut no_status = ok.clone();
    no_status.return_status = String::new();
    assert_eq!(receipt_xml(kind, &[no_status]).unwrap_err().field(), Some("returnStatus"));
    let mut no_status = item(ReceiptType::Ceb216, "120", "ok");
    no_status.return_status = String::new();
    assert_eq!(receipt_xml(ReceiptType::Ceb216, &[no_status]).unwrap_err().field(), Some("returnStatus"));

    // Import receipts need some returnInfo; export ones admit none.
    let mut no_info = ok;
    no_info.return_info = String::new();
    assert_eq!(receipt_xml(kind, &[no_info]).unwrap_err().field(), Some("returnInfo"));
    let bytes = receipt_xml(ReceiptType::Ceb304, &[item(ReceiptType::Ceb304, "100", "")]).unwrap();
    check_valid(&bytes, "export-empty-info");
}

#[test]
fn invalid_values_are_refused_not_written() {
    let kind = ReceiptType::Ceb622;
    type Spoil = fn(&mut ReceiptItem);
    let cases: [(&str, Spoil); 5] = [
        ("preNo", |i| i.keys.pre_no = Some("B2022020800000003".into())),
        ("copNo", |i| i.keys.cop_no = Some("C".repeat(21))),
        ("copNo", |i| i.keys.cop_no = Some("4101\u{1}W68006".into())),
        ("guid", |i| i.keys.guid = "too-short".into()),
        ("returnStatus", |i| i.return_status = "-6210050000".repeat(2)),
    ];
    for (field, spoil) in cases {
        let mut it = item(kind, "120", "ok");
        spoil(&mut it);
        let e = receipt_xml(kind, &[it]).unwrap_err();
        assert_eq!(e.field(), Some(field), "{e}");
        assert!(matches!(e, ReceiptError::Invalid { .. }), "{field}: {e:?}");
    }
    // A bad first guid is reported on the item, not on the root it becomes.
    let mut bad = item(ReceiptType::Ceb304, "120", "ok");
    bad.keys.guid = "x".repeat(37);
    assert_eq!(receipt_xml(ReceiptType::Ceb304, &[bad]).unwrap_err().path(), Some("OrderReturn[1]/guid"));

    let mut big = item(ReceiptType::Ceb702, "120", "ok");
    big.keys.msg_seq_no = Some(1_000_000_000);
    assert_eq!(receipt_xml(ReceiptType::Ceb702, &[big]).unwrap_err().field(), Some("msgSeqNo"));
    let mut long = item(ReceiptType::Ceb506, "120", "ok");
    long.keys.logistics_no = Some("L".repeat(33));
    assert_eq!(receipt_xml(ReceiptType::Ceb506, &[long]).unwrap_err().field(), Some("logisticsNo"));
}

#[test]
fn derivable_values_are_derived() {
    // CEB507 without a bill of lading: the receipt's billNo is empty.
    let mut arrival = item(ReceiptType::Ceb508, "120", "ok");
    arrival.keys.bill_no = None;
    let Message::CEB508Message(m) = check_valid(&receipt_xml(ReceiptType::Ceb508, &[arrival]).unwrap(), "508-no-bill")
    else {
        panic!("CEB508")
    };
    assert_eq!(m.arrival_return[0].bill_no, "");

    // An export list refused before numbering: invtNo is empty.
    let mut list = item(ReceiptType::Ceb604, "100", "退单");
    list.keys.invt_no = None;
    let Message::CEB604Message(m) = check_valid(&receipt_xml(ReceiptType::Ceb604, &[list]).unwrap(), "604-no-invt")
    else {
        panic!("CEB604")
    };
    assert_eq!(m.inventory_return[0].invt_no, "");

    // coElNo falls back to copNo.
    let mut refund = item(ReceiptType::Ceb214, "120", "ok");
    refund.keys.co_el_no = None;
    refund.keys.cop_no = Some("Cop20220407009".into());
    let Message::CEB214Message(m) = receipt_message(ReceiptType::Ceb214, &[refund.clone()]).unwrap() else {
        panic!("CEB214")
    };
    assert_eq!(m.refund_return[0].co_el_no, "Cop20220407009");
    refund.keys.cop_no = None;
    assert_eq!(receipt_xml(ReceiptType::Ceb214, &[refund]).unwrap_err().field(), Some("coElNo"));
}

#[test]
fn optional_echoes_the_receipt_refuses_are_left_out() {
    // A CEB625 may carry an invtNo of up to 18 characters; its receipt's
    // optional invtNo must have exactly 18: the receipt omits it.
    let kind = ReceiptType::Ceb626;
    let mut it = item(kind, "100", "清单不存在");
    it.keys.invt_no = Some("15003213300400111".into());
    it.keys.customs_code = Some("46010".into());
    it.keys.ebc_code = Some("4612\u{1}1601BC".into());
    let Message::CEB626Message(m) = check_valid(&receipt_xml(kind, &[it]).unwrap(), "626-echoes") else {
        panic!("CEB626")
    };
    let r = &m.invt_refund_return[0];
    assert_eq!((r.invt_no.as_deref(), r.customs_code.as_deref(), r.ebc_code.as_deref()), (None, None, None));
    assert_eq!(r.ebp_code.as_deref(), Some("1105910158"));
    assert_eq!(r.cop_no, "cop2016032210052");
}

#[test]
fn one_to_a_hundred_items() {
    let kind = ReceiptType::Ceb312;
    let items: Vec<ReceiptItem> = (0..101)
        .map(|i| {
            let mut it = item(kind, "120", "新增申报成功");
            it.keys.guid = format!("4CDE1CFD-EDED-46B1-946C-B8022E42{i:04X}");
            it.keys.order_no = Some(format!("order2024031500{i:03}"));
            it
        })
        .collect();
    let bytes = receipt_xml(kind, &items[..100]).unwrap();
    let Message::CEB312Message(m) = check_valid(&bytes, "100-items") else { panic!("CEB312") };
    assert_eq!(m.order_return.len(), 100);
    assert_eq!(m.order_return[99].order_no, "order2024031500099");

    for n in [0, 101] {
        let e = receipt_xml(kind, &items[..n]).unwrap_err();
        assert_eq!(
            e,
            ReceiptError::Count { message: "CEB312Message", element: "OrderReturn", count: n, min: 1, max: 100 },
            "{n}"
        );
        assert!(receipt_message(kind, &items[..n]).is_err());
    }
    for &kind in ReceiptType::ALL {
        assert!(matches!(receipt_message(kind, &[]), Err(ReceiptError::Count { max: 100, .. })), "{kind}");
    }
}

#[test]
fn long_return_info_is_cut_on_a_char_boundary() {
    // Mismatch lists of any length: Chinese, ASCII and a 4-byte character.
    let mut long = String::new();
    for i in 0..300 {
        long.push_str(&format!("商品{i}不一致😀;"));
    }
    assert!(long.chars().count() > 1000);
    for kind in [ReceiptType::Ceb622, ReceiptType::Ceb304] {
        let it = item(kind, "100", &long);
        let message = receipt_message(kind, std::slice::from_ref(&it)).unwrap();
        let info = return_elements(&message, kind)[0]["returnInfo"].as_str().unwrap().to_string();
        assert_eq!(info.chars().count(), 1000, "{kind}");
        assert!(info.ends_with('…'));
        let kept: String = long.chars().take(999).collect();
        assert!(info.starts_with(&kept));
        check_valid(&receipt_xml(kind, &[it]).unwrap(), &format!("long-info-{kind}"));
    }

    // Exactly at the limit: unchanged.
    let exact: String = "明".repeat(1000);
    let message = receipt_message(ReceiptType::Ceb622, &[item(ReceiptType::Ceb622, "100", &exact)]).unwrap();
    let Message::CEB622Message(m) = message else { panic!("CEB622") };
    assert_eq!(m.inventory_return[0].return_info, exact);

    // Characters XML cannot carry become U+FFFD; markup is escaped.
    let it = item(ReceiptType::Ceb622, "100", "a\u{0}b\u{1B}c ]]> <x/> & \r\n");
    let Message::CEB622Message(m) = check_valid(&receipt_xml(ReceiptType::Ceb622, &[it]).unwrap(), "info-controls")
    else {
        panic!("CEB622")
    };
    assert_eq!(m.inventory_return[0].return_info, "a\u{FFFD}b\u{FFFD}c ]]> <x/> & \r\n");
}

#[test]
fn typed_fields_of_a_ceb622_receipt() {
    let it = item(ReceiptType::Ceb622, "800", "放行");
    let Message::CEB622Message(m) = receipt_message(ReceiptType::Ceb622, &[it]).unwrap() else { panic!("CEB622") };
    assert_eq!(
        m.inventory_return[0],
        import::InventoryReturn {
            guid: "CEB621_HNZB_FXJK_20220208175055_0035".into(),
            customs_code: Some("4601".into()),
            ebp_code: Some("46121601BC".into()),
            ebc_code: Some("46121601BC".into()),
            agent_code: Some("46121601BC".into()),
            cop_no: "4101W68006".into(),
            pre_no: "B20220208000000035".into(),
            invt_no: Some("46012022I000000035".into()),
            return_status: "800".into(),
            return_time: "20240315103000123".into(),
            return_info: "放行".into(),
        }
    );
}

#[test]
fn keys_have_a_camel_case_json_form() {
    let it = item(ReceiptType::Ceb508, "120", "ok");
    let json = serde_json::to_value(&it).unwrap();
    assert_eq!(json["keys"]["msgSeqNo"], 1);
    assert_eq!(json["keys"]["preNo"], "B20180507000000001");
    assert_eq!(json["returnTime"], "20240315103000123");
    assert!(json["keys"].get("invtNo").is_none());
    let back: ReceiptItem = serde_json::from_value(json).unwrap();
    assert_eq!(back, it);
    assert!(serde_json::from_str::<ReceiptKeys>(r#"{"guid":"x","bogus":"1"}"#).is_err());
    assert_eq!(serde_json::to_value(ReceiptType::Ceb622).unwrap(), "CEB622");
}
