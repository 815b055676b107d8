//! CEB900 (format-check receipt), CEB816 (tax bill), CEB818 (tax bill
//! status) and CEB792 (summary result) against both schema oracles, decoded
//! back.
#![allow(clippy::unwrap_used)]

mod support;

use cbec_ceb::Message;
use cbec_model::ident::Guid;
use cbec_receipts::{
    MAX_DECLARATIONS_PER_MESSAGE, MessageReturn, ReceiptError, SummaryDeclaration, SummaryLine, SummaryResultDoc,
    TaxBill, TaxBillHead, TaxBillItem, TaxBillStatus, TaxStatus, UNKNOWN_MESSAGE_TYPE, message_return_xml,
    summary_result_message, summary_result_xml, tax_bill_message, tax_bill_xml, tax_status_xml,
};
use rust_decimal::Decimal;
use support::*;

fn guid(s: &str) -> Guid {
    Guid::parse(s).expect("guid")
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn format_error(original: &[u8]) -> MessageReturn {
    MessageReturn {
        guid: guid("7D3C2B1A-0F9E-4D8C-B7A6-958473625140"),
        return_status: "-1".into(),
        return_info: "报文格式错误: Order[1]/OrderHead/orderNo is missing".into(),
        return_time: rt("20240315103000123"),
        ori_cop_msg_id: Some("1105910159_20240315103000_000001".into()),
        ori_message_type: None,
        ori_biz_message: original.to_vec(),
    }
}

fn ceb900(bytes: &[u8], what: &str) -> cbec_ceb::import::MessageReturn {
    let Message::CEB900Message(m) = check_valid(bytes, what) else { panic!("{what}: not a CEB900") };
    assert_eq!(m.guid, "7D3C2B1A-0F9E-4D8C-B7A6-958473625140");
    assert_eq!(m.version, "1.0");
    m.message_return
}

#[test]
fn ceb900_echoes_an_official_message() {
    let original = sample("CEB311Message");
    let r = ceb900(&message_return_xml(&format_error(&original)).unwrap(), "ceb900-sample");
    assert_eq!(r.guid, "7D3C2B1A-0F9E-4D8C-B7A6-958473625140");
    assert_eq!(r.return_status, "-1");
    assert_eq!(r.return_info, "报文格式错误: Order[1]/OrderHead/orderNo is missing");
    assert_eq!(r.return_time, "20240315103000123");
    assert_eq!(r.ori_cop_msg_id, "1105910159_20240315103000_000001");
    assert_eq!(r.ori_message_type, "CEB311Message", "recognised from the root element");
    // The sample starts with a UTF-8 BOM, which is not part of the text.
    let text = std::str::from_utf8(original.strip_prefix(b"\xEF\xBB\xBF").unwrap()).unwrap();
    assert_eq!(r.ori_biz_message, text);
}

#[test]
fn ceb900_survives_hostile_content() {
    let mut original = b"<?xml version=\"1.0\"?>\r\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n\
        <ceb:CEB621Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\">&e; ]]> <![CDATA[ x ]]> \
        </ceb:oriBizMessage></ceb:MessageReturn>&amp; & < > \" ' \r lone CR\t tab"
        .to_vec();
    original.extend_from_slice(b" NUL:\x00 ESC:\x1b FFFE:\xEF\xBF\xBE bad:\xFF\xFE\xC3 surrogate:\xED\xA0\x80 ");
    original.extend_from_slice("中文 😀 ".as_bytes());
    let expected: String = String::from_utf8_lossy(&original)
        .chars()
        .map(|c| match c {
            '\u{0}' | '\u{1b}' | '\u{FFFE}' => '\u{FFFD}',
            c => c,
        })
        .collect();
    let r = ceb900(&message_return_xml(&format_error(&original)).unwrap(), "ceb900-hostile");
    assert_eq!(r.ori_biz_message, expected);
    assert_eq!(r.ori_message_type, "CEB621Message");

    // Nothing at all, and bytes that are not text.
    for (i, original) in [&b""[..], b"\xFF\xFF\xFF", b"\x00\x01\x02", b"]]>", b"<<<<"].into_iter().enumerate() {
        let r = ceb900(&message_return_xml(&format_error(original)).unwrap(), &format!("ceb900-junk-{i}"));
        assert_eq!(r.ori_message_type, UNKNOWN_MESSAGE_TYPE);
        assert_eq!(r.ori_biz_message.chars().count(), String::from_utf8_lossy(original).chars().count());
    }
}

#[test]
fn ceb900_reads_the_declared_encoding() {
    let original = b"<?xml version=\"1.0\" encoding=\"GB2312\"?><CEB311Message>\xD6\xD0\xB9\xFA</CEB311Message>";
    let r = ceb900(&message_return_xml(&format_error(original)).unwrap(), "ceb900-gb2312");
    assert_eq!(r.ori_biz_message, "<?xml version=\"1.0\" encoding=\"GB2312\"?><CEB311Message>中国</CEB311Message>");
    assert_eq!(r.ori_message_type, "CEB311Message");
}

#[test]
fn ceb900_message_type_is_given_recognised_or_unknown() {
    let original = sample("CEB621Message");
    let cases = [
        (Some("CEB623Message"), &original[..], "CEB623Message"),
        (Some("Bogus"), &original[..], "CEB621Message"),
        (Some("CEB311MessageWithAVeryLongTail"), &b"garbage"[..], UNKNOWN_MESSAGE_TYPE),
        (None, &b"<DxpMsg/>"[..], UNKNOWN_MESSAGE_TYPE),
        (None, &b"<ceb:CEB214 xmlns:ceb=\"x\"/>"[..], UNKNOWN_MESSAGE_TYPE),
    ];
    for (i, (given, bytes, expected)) in cases.into_iter().enumerate() {
        let mut m = format_error(bytes);
        m.ori_message_type = given.map(str::to_string);
        let r = ceb900(&message_return_xml(&m).unwrap(), &format!("ceb900-type-{i}"));
        assert_eq!(r.ori_message_type, expected, "{given:?}");
    }
}

#[test]
fn ceb900_long_texts_are_cut() {
    let mut m = format_error(b"<x/>");
    m.return_info = "错误;".repeat(3000);
    m.ori_cop_msg_id = Some("c".repeat(300));
    let r = ceb900(&message_return_xml(&m).unwrap(), "ceb900-long");
    assert_eq!(r.return_info.chars().count(), 5000);
    assert!(r.return_info.ends_with('…'));
    assert!(r.return_info.starts_with("错误;错误;"));
    assert_eq!(r.ori_cop_msg_id.chars().count(), 255);
    assert!(r.ori_cop_msg_id.ends_with('…'));

    m.ori_cop_msg_id = None;
    m.return_info = String::new();
    let r = ceb900(&message_return_xml(&m).unwrap(), "ceb900-empty");
    assert_eq!((r.ori_cop_msg_id.as_str(), r.return_info.as_str()), ("", ""));
}

#[test]
fn ceb900_larger_than_the_input_limit() {
    // A 2.2 MB message whose escaped echo exceeds the 10 MiB input limit
    // of the decoder (each '&' is written as "&amp;").
    let mut original = b"<ceb:CEB311Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\">".to_vec();
    original.resize(2_200_000, b'&');
    let bytes = message_return_xml(&format_error(&original)).unwrap();
    assert!(bytes.len() > 10 * 1024 * 1024);
    let r = ceb900(&bytes, "ceb900-big");
    assert_eq!(r.ori_biz_message.len(), original.len());
}

#[test]
fn ceb900_status_must_be_a_negative_code() {
    for status in ["1", "0", "-0", "-", "-1a", "+1", " -1"] {
        let mut m = format_error(b"<x/>");
        m.return_status = status.into();
        let e = message_return_xml(&m).unwrap_err();
        assert_eq!(e.path(), Some("MessageReturn/returnStatus"), "{status}");
        assert!(matches!(e, ReceiptError::Invalid { .. }), "{status}");
    }
    let mut m = format_error(b"<x/>");
    m.return_status = String::new();
    assert!(matches!(message_return_xml(&m), Err(ReceiptError::Missing { .. })));
    m.return_status = "-1234567890".into();
    assert_eq!(message_return_xml(&m).unwrap_err().field(), Some("returnStatus"), "11 characters");
    m.return_status = "-301001".into();
    assert!(message_return_xml(&m).is_ok());
}

/// A bill for two items of the Hainan list (cross-border rates: duty 0,
/// VAT and consumption tax at 70 % of the statutory rates).
fn tax_bill() -> TaxBill {
    TaxBill {
        head: TaxBillHead {
            guid: guid("8E5F0D0C-6B7A-4C3D-9E2F-1A0B9C8D7E6F"),
            return_time: rt("20220208180512345"),
            invt_no: "46012022I000000035".into(),
            tax_no: "46012022I00000003501".into(),
            customs_tax: dec("0"),
            value_added_tax: dec("36.2635"),
            consumption_tax: dec("0.00"),
            status: TaxBillStatus::Generated,
            ent_duty_no: Some("460120220000035001".into()),
            note: Some("跨境电商零售进口税款".into()),
            assure_code: Some("4101960AGP".into()),
            ebc_code: Some("46121601BC".into()),
            logistics_code: Some("4101986180".into()),
            agent_code: Some("46121601BC".into()),
            customs_code: Some("4601".into()),
        },
        items: vec![
            TaxBillItem {
                gnum: 1,
                gcode: "2106909090".into(),
                tax_price: dec("298.00"),
                customs_tax: dec("0"),
                value_added_tax: dec("27.118"),
                consumption_tax: dec("0"),
            },
            TaxBillItem {
                gnum: 2,
                gcode: "3304990099".into(),
                tax_price: dec("100.5"),
                customs_tax: dec("0"),
                value_added_tax: dec("9.1455"),
                consumption_tax: dec("10.5525123456"),
            },
        ],
    }
}

#[test]
fn ceb816_is_valid_and_decodes_back() {
    let bill = tax_bill();
    let bytes = tax_bill_xml(&bill).unwrap();
    let Message::CEB816Message(m) = check_valid(&bytes, "ceb816") else { panic!("CEB816") };
    assert_eq!(m.guid, bill.head.guid.as_str());
    assert_eq!(m.tax.len(), 1);
    let h = &m.tax[0].tax_head_rd;
    assert_eq!(h.guid, "8E5F0D0C-6B7A-4C3D-9E2F-1A0B9C8D7E6F");
    assert_eq!(h.return_time, "20220208180512345");
    assert_eq!((h.invt_no.as_str(), h.tax_no.as_str()), ("46012022I000000035", "46012022I00000003501"));
    assert_eq!(
        (h.customs_tax.to_string(), h.value_added_tax.to_string(), h.consumption_tax.to_string()),
        ("0".into(), "36.2635".into(), "0.00".into())
    );
    assert_eq!(h.status, "1");
    assert_eq!(h.ent_duty_no.as_deref(), Some("460120220000035001"));
    assert_eq!(h.note.as_deref(), Some("跨境电商零售进口税款"));
    assert_eq!(h.assure_code.as_deref(), Some("4101960AGP"));
    assert_eq!(h.ebc_code.as_deref(), Some("46121601BC"));
    assert_eq!(h.logistics_code.as_deref(), Some("4101986180"));
    assert_eq!(h.agent_code.as_deref(), Some("46121601BC"));
    assert_eq!(h.customs_code.as_deref(), Some("4601"));
    let items = &m.tax[0].tax_list_rd;
    assert_eq!(items.len(), 2);
    assert_eq!((items[0].gnum, items[0].gcode.as_str()), (1, "2106909090"));
    assert_eq!(items[0].tax_price.to_string(), "298.00");
    assert_eq!(items[0].value_added_tax.to_string(), "27.118");
    assert_eq!(items[1].tax_price.to_string(), "100.5");
    // Rounded half away from zero to the XSD's 5 fraction digits.
    assert_eq!(items[1].consumption_tax.to_string(), "10.55251");
    assert_eq!(items[1].value_added_tax, dec("9.1455"));

    // The typed message and the decoded one are the same.
    assert_eq!(tax_bill_message(&bill).unwrap(), Message::CEB816Message(m));
}

#[test]
fn ceb816_limits() {
    let one = tax_bill().items[0].clone();
    let mut bill = tax_bill();
    bill.items = (1..=99).map(|g| TaxBillItem { gnum: g, ..one.clone() }).collect();
    check_valid(&tax_bill_xml(&bill).unwrap(), "ceb816-99");
    for n in [0, 100] {
        bill.items = (1..=n).map(|g| TaxBillItem { gnum: g, ..one.clone() }).collect();
        assert_eq!(
            tax_bill_xml(&bill).unwrap_err(),
            ReceiptError::Count { message: "CEB816Message", element: "TaxListRd", count: n as usize, min: 1, max: 99 }
        );
    }

    let mut bill = tax_bill();
    bill.items[1].gcode = "330499009".into();
    assert_eq!(tax_bill_xml(&bill).unwrap_err().path(), Some("Tax[1]/TaxListRd[2]/gcode"));

    let mut bill = tax_bill();
    // 15 integer digits and 5 fraction digits after rounding: 20 > 19.
    bill.head.value_added_tax = dec("123456789012345.123456");
    let e = tax_bill_xml(&bill).unwrap_err();
    assert_eq!(e.path(), Some("Tax[1]/TaxHeadRd/valueAddedTax"), "{e}");

    let mut bill = tax_bill();
    bill.items[0].gnum = u32::MAX;
    assert_eq!(tax_bill_xml(&bill).unwrap_err().field(), Some("gnum"));

    // The customs side's own optional values are checked, not dropped.
    let mut bill = tax_bill();
    bill.head.customs_code = Some("46010".into());
    assert_eq!(tax_bill_xml(&bill).unwrap_err().field(), Some("customsCode"));
    let mut bill = tax_bill();
    bill.head.invt_no = String::new();
    assert!(matches!(tax_bill_xml(&bill).unwrap_err(), ReceiptError::Missing { .. }));

    // The note is free text: cut, not refused.
    let mut bill = tax_bill();
    bill.head.note = Some("备注".repeat(800));
    let Message::CEB816Message(m) = check_valid(&tax_bill_xml(&bill).unwrap(), "ceb816-note") else { panic!() };
    let note = m.tax[0].tax_head_rd.note.clone().unwrap();
    assert_eq!(note.chars().count(), 1000);
    assert!(note.ends_with('…'));
}

#[test]
fn ceb818_is_valid_and_decodes_back() {
    for (status, code) in
        [(TaxBillStatus::Generated, "1"), (TaxBillStatus::Summarised, "2"), (TaxBillStatus::Void, "3")]
    {
        let s = TaxStatus {
            guid: guid("1C2D3E4F-5A6B-4C7D-8E9F-0A1B2C3D4E5F"),
            return_time: rt("20220310090000000"),
            invt_no: "46012022I000000035".into(),
            tax_no: "46012022I00000003501".into(),
            status,
            ent_duty_no: Some("460120220000035001".into()),
            assure_code: (status != TaxBillStatus::Void).then(|| "4101960AGP".into()),
        };
        let bytes = tax_status_xml(&s).unwrap();
        let Message::CEB818Message(m) = check_valid(&bytes, &format!("ceb818-{code}")) else { panic!("CEB818") };
        assert_eq!(m.guid, "1C2D3E4F-5A6B-4C7D-8E9F-0A1B2C3D4E5F");
        let h = &m.tax[0].tax_head_status;
        assert_eq!(h.guid, m.guid);
        assert_eq!(h.return_time, "20220310090000000");
        assert_eq!(h.invt_no, "46012022I000000035");
        assert_eq!(h.tax_no, "46012022I00000003501");
        assert_eq!(h.status, code);
        assert_eq!(TaxBillStatus::parse(&h.status), Some(status));
        assert_eq!(h.ent_duty_no.as_deref(), Some("460120220000035001"));
        assert_eq!(h.assure_code, s.assure_code);
    }
}

#[test]
fn tax_documents_have_a_json_form() {
    let bill = tax_bill();
    let json = serde_json::to_value(&bill).unwrap();
    assert_eq!(json["head"]["status"], "1");
    assert_eq!(json["head"]["valueAddedTax"], "36.2635");
    assert_eq!(json["items"][0]["gcode"], "2106909090");
    let back: TaxBill = serde_json::from_value(json).unwrap();
    assert_eq!(back, bill);
}

fn summary_result(declarations: usize) -> SummaryResultDoc {
    SummaryResultDoc {
        guid: guid("6C1D2E3F-4A5B-4C7D-8E9F-0A1B2C3D4E5F"),
        apply_guid: "1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9".into(),
        customs_code: "5141".into(),
        sum_no: "S20261127000000001".into(),
        op_date: rt("20261127101112012"),
        dec_state: "A".into(),
        agent_code: "4401960AGT".into(),
        agent_name: "广州报关代理有限公司".into(),
        ebc_code: "4401960EBC".into(),
        ebc_name: "广州跨境电商企业".into(),
        decl_agent_code: "4401960DCL".into(),
        decl_agent_name: "广州报关行".into(),
        declarations: (0..declarations)
            .map(|n| SummaryDeclaration {
                decl_seq_no: format!("D20261127{:09}", n + 1),
                gross_weight: dec("12.5"),
                net_weight: dec("10.123456"),
                note: None,
                lines: vec![
                    SummaryLine {
                        invt_no: "51412026E000000001".into(),
                        logistics_no: "LP0001".into(),
                        gseqno: 1,
                        gnum: 1,
                        gcode: "6109100021".into(),
                    },
                    SummaryLine {
                        invt_no: "51412026E000000002".into(),
                        logistics_no: "LP0002".into(),
                        gseqno: 1,
                        gnum: 1,
                        gcode: "6109100021".into(),
                    },
                ],
            })
            .collect(),
    }
}

#[test]
fn ceb792_is_valid_and_decodes_back() {
    let doc = summary_result(2);
    let bytes = summary_result_xml(&doc).unwrap();
    let Message::CEB792Message(m) = check_valid(&bytes, "ceb792") else { panic!("CEB792") };
    assert_eq!(m.summary_result.len(), 2);
    let h = &m.summary_result[1].summary_result_head;
    assert_eq!((h.sum_no.as_str(), h.decl_seq_no.as_str()), ("S20261127000000001", "D20261127000000002"));
    assert_eq!(h.guid, "1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9");
    // Rounded to the XSD's 5 fraction digits.
    assert_eq!(h.net_weight.to_string(), "10.12346");
    assert_eq!(m.summary_result[0].summary_result_list.len(), 2);
    assert_eq!(m.summary_result[0].summary_result_list[1].invt_no, "51412026E000000002");
    assert_eq!(summary_result_message(&doc).unwrap(), Message::CEB792Message(m));
}

#[test]
fn ceb792_limits() {
    assert!(summary_result_xml(&summary_result(MAX_DECLARATIONS_PER_MESSAGE)).is_ok());
    let err = summary_result_xml(&summary_result(MAX_DECLARATIONS_PER_MESSAGE + 1)).unwrap_err();
    assert!(matches!(err, ReceiptError::Count { element: "SummaryResult", .. }), "{err}");
    let mut bad = summary_result(1);
    bad.sum_no = "S2026".into();
    let err = summary_result_xml(&bad).unwrap_err().to_string();
    assert!(err.contains("sumNo"), "{err}");
}
