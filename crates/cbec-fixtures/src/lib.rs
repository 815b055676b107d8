//! Business-valid CEB messages made from a seed, for tests, benchmarks and
//! demos. The same seed always gives the same message; every message passes
//! the `full` validation level.
//!
//! The values are realistic (valid unified social credit codes and ID
//! numbers with correct check characters, real customs districts, HS codes
//! and units) but fictitious.
//!
//! [`import_list`] makes a single list; [`import_case`] the four documents
//! of one retail import ([`ImportCase`]: order, payment, waybill and list)
//! consistent with each other, with the list's cancellation and return;
//! [`export_case`] those of one 9610 / 9710 / 9810 export ([`ExportCase`]:
//! order, receipt of payment, waybill and list).

mod export_case;
pub mod export_messages;
mod import_case;

pub use export_case::{ExportCase, ExportMode, export_case};
pub use import_case::{ImportCase, ImportMode, Mismatch, import_case, mismatches};

use cbec_ceb::import::{self, CEB621Inventory, InventoryHead, InventoryList};
use cbec_ceb::{Message, RawXml};
use cbec_model::Decimal;
use cbec_model::ident::{PrcIdNumber, Uscc};

/// A small deterministic generator (xorshift64*), so fixtures need no
/// dependency and never change between versions of a crate.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An upper-case UUID-shaped guid.
    pub fn guid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08X}-{:04X}-4{:03X}-{:04X}-{:012X}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFF,
            0x8000 | (b >> 48) & 0x3FFF,
            b & 0xFFFF_FFFF_FFFF
        )
    }
}

/// A valid unified social credit code derived from a number.
pub fn uscc(n: u64) -> String {
    let body = format!("913101{:09}", n % 1_000_000_000);
    let mut first17 = body;
    first17.push_str(&format!("{:02}", n % 97)[..2]);
    first17.truncate(17);
    Uscc::with_check(&first17).map(|u| u.to_string()).unwrap_or_default()
}

/// A valid PRC ID number derived from a number (born 1960–1999).
pub fn id_number(n: u64) -> String {
    let year = 1960 + n % 40;
    let month = 1 + (n / 40) % 12;
    let day = 1 + (n / 480) % 28;
    let first17 = format!("310104{year:04}{month:02}{day:02}{:03}", n % 1000);
    PrcIdNumber::with_check(&first17).map(|p| p.to_string()).unwrap_or_default()
}

/// The parties of a retail import: platform, e-commerce enterprise,
/// logistics, payment and declaring agent.
#[derive(Debug, Clone)]
pub struct Parties {
    pub ebp: String,
    pub ebc: String,
    pub logistics: String,
    pub pay: String,
    pub agent: String,
}

impl Default for Parties {
    fn default() -> Self {
        Parties { ebp: uscc(1), ebc: uscc(2), logistics: uscc(3), pay: uscc(4), agent: uscc(5) }
    }
}

const GOODS: &[(&str, &str, &str, &str)] = &[
    ("3304990099", "面霜", "50ml/瓶", "142"),
    ("1901101000", "婴儿配方奶粉", "900g/罐", "122"),
    ("3401300000", "洗面奶", "120g/支", "012"),
    ("2106909090", "维生素软胶囊", "60粒/瓶", "142"),
    ("6403990090", "运动鞋", "42码/双", "025"),
];

/// A business-valid 9610 import list with `items` goods (1..=99).
pub fn import_list(seed: u64, items: usize, parties: &Parties) -> import::CEB621Message {
    let mut r = Rng::new(seed);
    let n = r.next_u64();
    let mut list = Vec::with_capacity(items);
    for g in 0..items.clamp(1, 99) {
        let (gcode, gname, gmodel, unit) = *r.pick(GOODS);
        let qty = Decimal::from(1 + r.below(3));
        let price = Decimal::new(1000 + r.below(20_000) as i64, 2);
        list.push(InventoryList {
            gnum: g as i32 + 1,
            item_record_no: None,
            item_no: Some(format!("SKU{:06}", r.below(1_000_000))),
            item_name: Some(gname.to_string()),
            gcode: gcode.to_string(),
            gname: gname.to_string(),
            gmodel: gmodel.to_string(),
            bar_code: None,
            country: "116".into(),
            trade_country: None,
            currency: "142".into(),
            qty,
            unit: unit.to_string(),
            qty1: qty,
            unit1: "035".into(),
            qty2: None,
            unit2: None,
            price,
            total_price: qty * price,
            note: None,
        });
    }
    let head = InventoryHead {
        guid: r.guid(),
        app_type: "1".into(),
        app_time: format!("202611{:02}{:02}{:02}{:02}", 1 + n % 27, n % 24, (n / 24) % 60, (n / 1440) % 60),
        app_status: "2".into(),
        order_no: format!("ORD{seed:012}"),
        ebp_code: parties.ebp.clone(),
        ebp_name: "示例跨境电商平台有限公司".into(),
        ebc_code: parties.ebc.clone(),
        ebc_name: "示例跨境电商企业有限公司".into(),
        logistics_no: format!("LN{seed:012}"),
        logistics_code: parties.logistics.clone(),
        logistics_name: "示例国际物流有限公司".into(),
        cop_no: Some(format!("COP{seed:012}")),
        pre_no: None,
        assure_code: parties.ebc.clone(),
        ems_no: None,
        invt_no: None,
        ie_flag: "I".into(),
        decl_time: "20261126".into(),
        customs_code: "2244".into(),
        port_code: "2244".into(),
        ie_date: None,
        buyer_id_type: "1".into(),
        buyer_id_number: id_number(seed),
        buyer_name: "张三".into(),
        buyer_telephone: "13800138000".into(),
        consignee_address: "上海市浦东新区世纪大道100号".into(),
        agent_code: parties.agent.clone(),
        agent_name: "示例报关有限公司".into(),
        area_code: None,
        area_name: None,
        trade_mode: "9610".into(),
        traf_mode: "5".into(),
        traf_no: Some("MU5101".into()),
        voyage_no: Some("20261126".into()),
        bill_no: Some(format!("781-{:08}", seed % 100_000_000)),
        loct_no: None,
        license_no: None,
        country: "116".into(),
        freight: Decimal::new(1000, 2),
        insured_fee: Decimal::ZERO,
        currency: "142".into(),
        wrap_type: Some("2".into()),
        pack_no: 1,
        gross_weight: Decimal::new(1250, 3),
        net_weight: Decimal::new(1000, 3),
        note: None,
    };
    import::CEB621Message {
        guid: r.guid(),
        version: "1.0".into(),
        inventory: vec![CEB621Inventory { inventory_head: head, inventory_list: list }],
        base_transfer: import::BaseTransfer {
            cop_code: parties.agent.clone(),
            cop_name: "示例报关有限公司".into(),
            dxp_mode: "DXP".into(),
            dxp_id: "DXPENT0000000001".into(),
            note: None,
        },
        base_subscribe: Vec::new(),
        extend_message: None,
        signature: RawXml::default(),
    }
}

/// A list as a [`Message`], with a placeholder signature element that the
/// schema accepts (tests and benchmarks that do not verify signatures).
pub fn import_list_message(seed: u64, items: usize) -> Message {
    let mut l = import_list(seed, items, &Parties::default());
    l.signature = RawXml(UNVERIFIED_SIGNATURE.to_string());
    Message::CEB621Message(Box::new(l))
}

/// A structurally complete `ds:Signature` that verifies nothing: for
/// exercising the codec without keys. Never accepted by the verifier.
pub const UNVERIFIED_SIGNATURE: &str = concat!(
    "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>",
    "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"></ds:CanonicalizationMethod>",
    "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sm2-sm3\"></ds:SignatureMethod>",
    "<ds:Reference URI=\"\"><ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform></ds:Transforms>",
    "<ds:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"></ds:DigestMethod>",
    "<ds:DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAA=</ds:DigestValue></ds:Reference></ds:SignedInfo>",
    "<ds:SignatureValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==</ds:SignatureValue>",
    "<ds:KeyInfo><ds:KeyName>00</ds:KeyName></ds:KeyInfo></ds:Signature>"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_are_deterministic_and_schema_valid() {
        let a = cbec_ceb::encode(&import_list_message(7, 3));
        let b = cbec_ceb::encode(&import_list_message(7, 3));
        assert_eq!(a, b);
        let report = cbec_ceb::validate_schema(a.as_bytes(), &cbec_ceb::Limits::default());
        assert!(report.is_valid(), "{:#?}", report.diagnostics);
        assert!(Uscc::parse(&uscc(12345)).is_ok());
        assert!(PrcIdNumber::parse(&id_number(987)).is_ok());
    }
}
