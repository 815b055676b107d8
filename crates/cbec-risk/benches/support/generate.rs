//! Generated rule files, warnings and lists for the benchmark and the
//! index tests (included by `benches/evaluate.rs` and `src/tests.rs`).
//! Pseudo-random but fixed: every choice is a `cbec_risk::draw` of the
//! generator's own keys.

use std::fmt::Write as _;

use cbec_model::filing::CreditRating;
use rust_decimal::Decimal;

use cbec_risk::{Direction, Item, Measure, Party, PartyRole, Scope, Severity, Subject, Warning, draw};

const SEED: u64 = 0x5eed;

/// A number in `0..n` for (`what`, `i`).
fn pick(what: &str, i: u64, n: usize) -> usize {
    (draw(SEED, what, &i.to_string()) * n as f64) as usize % n.max(1)
}

/// HS codes of goods commonly seen in cross-border retail.
pub const HS_CODES: &[&str] = &[
    "1901101000",
    "0402210000",
    "3304990099",
    "3304100000",
    "2106909090",
    "8507600090",
    "0201300000",
    "2204210000",
    "9102110000",
    "4202210000",
    "6403990000",
    "8517130000",
    "8471300000",
    "3401110000",
    "6109100021",
    "9503008900",
    "2008999000",
    "1704900000",
    "3305100000",
    "8509800000",
    "4901990000",
    "7113191000",
    "3004909099",
    "0904110000",
    "8516320000",
];

pub const WORDS: &[&str] = &[
    "formula",
    "奶粉",
    "sunscreen",
    "美白",
    "replica",
    "高仿",
    "vitamin",
    "collagen",
    "probiotic",
    "fish oil",
    "lipstick",
    "serum",
    "mask",
    "watch",
    "handbag",
    "sneaker",
    "phone",
    "laptop",
    "toy",
    "wine",
    "honey",
    "chocolate",
    "shampoo",
    "razor",
    "perfume",
    "battery",
    "power bank",
    "e-cigarette",
    "seed",
    "herbal",
];

/// Goods names no rule or warning looks for.
pub const NEUTRAL: &[&str] = &[
    "cotton t-shirt",
    "纯棉T恤",
    "ceramic mug",
    "yoga mat",
    "phone case",
    "notebook",
    "desk lamp",
    "water bottle",
    "wool socks",
    "backpack",
    "hair clip",
    "umbrella",
    "kitchen scale",
    "pillow",
    "puzzle",
    "bath towel",
];

pub const BRANDS: &[&str] =
    &["chanel", "gucci", "rolex", "apple", "a2", "aptamil", "sk-ii", "shiseido", "dyson", "nike", "lego", "swisse"];

const COUNTRIES: &[&str] = &["116", "133", "303", "502", "601", "304", "344", "110", "142", "143"];

fn enterprise(i: u64) -> String {
    format!("33{:02}96{:04}", i % 90 + 10, i % 9973)
}

/// A rule file of `n` rules: 60 % HS prefix (some with an origin or a unit
/// value), 12 % goods-name keywords, 3 % brands, 10 % enterprises, 8 % list
/// value by trade mode, 2 % origin and unit value, 2 % port and violations,
/// 3 % seller credit or route and customs.
pub fn rule_file(n: usize) -> String {
    let mut s = String::from(
        "version = \"bench-1\"\n[rates]\nminimum_random_inspection = 0.01\nyellow = 0.03\n\
         [rates.credit]\nadvanced = 0.005\ngeneral = 0.02\ndishonest = 0.3\n",
    );
    let lanes = ["yellow", "red", "red", "hold", "green"];
    for i in 0..n as u64 {
        let lane = lanes[pick("lane", i, lanes.len())];
        let _ = write!(s, "\n[[rule]]\nid = \"G-{i:05}\"\ndescription = \"generated {i}\"\nlane = \"{lane}\"\n");
        if pick("sampled", i, 10) == 0 {
            s.push_str("rate = 0.25\n");
        }
        s.push_str("[rule.when]\n");
        let kind = pick("kind", i, 100);
        if kind < 60 {
            // A prefix of 4 to 8 digits: of a common code (20 %) or a
            // random one in chapters 01..97.
            let len = 4 + 2 * pick("len", i, 3);
            let prefix = if pick("common", i, 20) == 0 {
                HS_CODES[pick("code", i, HS_CODES.len())][..len].to_owned()
            } else {
                let chapter = 1 + pick("chapter", i, 97);
                let rest = format!("{:06}", pick("rest", i, 1_000_000));
                format!("{chapter:02}{rest}")[..len].to_owned()
            };
            let _ = writeln!(s, "hs_prefix = [\"{prefix}\"]");
            match pick("extra", i, 4) {
                0 => {
                    let _ = writeln!(s, "origin_country = \"{}\"", COUNTRIES[pick("country", i, COUNTRIES.len())]);
                }
                1 => {
                    let _ = writeln!(s, "unit_value_above = \"{}\"", 100 * (1 + pick("value", i, 50)));
                }
                _ => {}
            }
        } else if kind < 72 {
            // Mostly words of rare goods, sometimes a common one.
            let word = |what: &str| match pick(what, i, 10) {
                0 => WORDS[pick(what, i + 7, WORDS.len())].to_owned(),
                n => format!("rare{n}-{}", pick(what, i + 11, 500)),
            };
            let (a, b) = (word("word"), word("word2"));
            let _ = writeln!(s, "name_keyword = [\"{a}\", \"{b}\"]");
            if pick("brand", i, 3) == 0 {
                let _ = writeln!(s, "brand = \"{}\"", BRANDS[pick("brandname", i, BRANDS.len())]);
            }
        } else if kind < 75 {
            let _ = writeln!(s, "brand = [\"{}\"]", BRANDS[pick("brandname", i, BRANDS.len())]);
        } else if kind < 85 {
            let _ = writeln!(s, "enterprise = [\"{}\"]", enterprise(pick("ent", i, 5000) as u64));
        } else if kind < 93 {
            let mode = ["9610", "1210", "9710", "9810"][pick("mode", i, 4)];
            let _ =
                writeln!(s, "trade_mode = \"{mode}\"\ntotal_value_above = \"{}\"", 4000 + 100 * pick("total", i, 40));
        } else if kind < 95 {
            let _ = writeln!(s, "origin_country = \"{}\"", COUNTRIES[pick("country", i, COUNTRIES.len())]);
            let _ = writeln!(s, "unit_value_above = \"{}\"", 500 + 100 * pick("ovalue", i, 30));
        } else if kind < 97 {
            let _ = writeln!(s, "port_code = \"{}\"\nviolations_at_least = 1", 2200 + pick("port", i, 60));
        } else if pick("credit", i, 2) == 0 {
            let _ = writeln!(s, "seller_credit = \"dishonest\"\nviolations_at_least = {}", 1 + pick("viol", i, 3));
        } else {
            let _ = writeln!(s, "direction = \"export\"\nroute = \"other_port\"\ncustoms_code = \"{}\"", 2200 + i % 50);
        }
    }
    s
}

/// `n` warnings valid from 0 to 10^13: by HS prefix, product, brand,
/// enterprise and origin.
pub fn warnings(n: usize) -> Vec<Warning> {
    let measures = [Measure::HoldForInspection, Measure::FullInspection, Measure::RefuseEntry];
    (0..n as u64)
        .map(|i| {
            let mut scope = Scope::default();
            match pick("wkind", i, 5) {
                0 | 1 => {
                    // One in four on goods of the common codes.
                    scope.hs_prefix = Some(if pick("wcommon", i, 4) == 0 {
                        HS_CODES[pick("wcode", i, HS_CODES.len())][..6].to_owned()
                    } else {
                        format!("{:02}{:04}", 1 + pick("wch", i, 97), pick("wrest", i, 10_000))
                    });
                    if pick("worigin", i, 2) == 0 {
                        scope.origin_country = Some(COUNTRIES[pick("wc", i, COUNTRIES.len())].to_owned());
                    }
                }
                2 => {
                    scope.product = Some(match pick("wrare", i, 3) {
                        0 => WORDS[pick("wword", i, WORDS.len())].to_owned(),
                        _ => format!("rare1-{}", pick("wword", i, 500)),
                    })
                }
                3 => scope.brand = Some(BRANDS[pick("wbrand", i, BRANDS.len())].to_owned()),
                _ => scope.enterprise = Some(enterprise(pick("went", i, 5000) as u64)),
            }
            Warning {
                id: format!("W-{i:04}"),
                scope,
                severity: Severity::High,
                measure: measures[pick("measure", i, 3)],
                valid_from: 0,
                valid_until: 10_000_000_000_000,
            }
        })
        .collect()
}

/// A list with three items.
pub fn subject(i: u64) -> Subject {
    let credit = match pick("credit", i, 20) {
        0 => Some(CreditRating::Dishonest),
        1..=4 => Some(CreditRating::Advanced),
        5 | 6 => Some(CreditRating::GeneralCertified),
        7 => None,
        _ => Some(CreditRating::General),
    };
    let items: Vec<Item> = (0..3)
        .map(|g| {
            let j = i * 3 + g;
            let code = HS_CODES[pick("scode", j, HS_CODES.len())];
            let price = Decimal::from(10 + pick("price", j, 800) as i64);
            let qty = Decimal::from(1 + pick("qty", j, 3) as i64);
            Item {
                gnum: g as i32 + 1,
                hs_code: code.to_owned(),
                name: if pick("real", j, 3) == 0 {
                    format!("Imported {} gift set", WORDS[pick("sword", j, WORDS.len())])
                } else {
                    format!("Imported {}", NEUTRAL[pick("sword", j, NEUTRAL.len())])
                },
                brand: if pick("famous", j, 4) == 0 {
                    format!("{} model {}", BRANDS[pick("sbrand", j, BRANDS.len())].to_uppercase(), j % 100)
                } else {
                    format!("Generic {}", j % 100)
                },
                origin_country: COUNTRIES[pick("scountry", j, COUNTRIES.len())].to_owned(),
                qty,
                unit: ["007", "035", "036", "011"][pick("unit", j, 4)].to_owned(),
                unit_price: price,
                total_price: price * qty,
            }
        })
        .collect();
    let total_value = items.iter().map(|it| it.total_price).sum();
    let party = |role, code: String, types: &[&str], credit| Party {
        role,
        code,
        types: types.iter().map(|t| t.to_string()).collect(),
        credit,
        filed_days: Some(30 + pick("filed", i, 1000) as i64),
        violations: pick("violations", i, 3) as u32,
    };
    Subject {
        key: format!("L{i:010}"),
        direction: if pick("dir", i, 5) == 0 { Direction::Export } else { Direction::Import },
        trade_mode: ["9610", "1210", "9710", "9810"][pick("smode", i, 4)].to_owned(),
        customs_code: format!("{}", 2200 + pick("customs", i, 60)),
        port_code: format!("{}", [2200, 5100, 4600, 3100][pick("district", i, 4)] + pick("port", i, 60)),
        country: COUNTRIES[pick("hcountry", i, COUNTRIES.len())].to_owned(),
        traf_mode: ["2", "4", "5"][pick("traf", i, 3)].to_owned(),
        total_value,
        net_weight: Some(Decimal::from(1 + pick("weight", i, 20) as i64)),
        parties: vec![
            party(PartyRole::Ebp, enterprise(pick("ebp", i, 5000) as u64), &["ebp"], Some(CreditRating::General)),
            party(PartyRole::Ebc, enterprise(pick("ebc", i, 5000) as u64), &["ebc"], credit),
            party(PartyRole::Logistics, enterprise(pick("log", i, 5000) as u64), &["logistics"], None),
        ],
        items,
        buyer_id: format!("1101011990{:08}", pick("buyer", i, 100_000_000)),
        consignee_address: ["杭州市西湖区文三路", "上海市浦东新区", "广州市天河区"][pick("addr", i, 3)].to_owned(),
    }
}
