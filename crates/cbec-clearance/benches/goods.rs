//! Goods control of one list against full-size reference tables: a tariff
//! of 12,000 lines, a positive list of 1,500 lines and a prohibited goods
//! catalogue of 5,000 keywords, 500 HS prefixes and 50 origin countries.
//! `cargo bench -p cbec-clearance --bench goods`

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;

use cbec_clearance::goods::{Reference, Versioned, import_findings};
use cbec_refdata::{PositiveList, Prohibited, Tariff};
use criterion::{Criterion, black_box, criterion_group, criterion_main};

fn tables() -> Reference {
    let mut tariff = String::from(
        "hs_code,name,unit1,unit2,tariff_rate,vat_rate,consumption_tax_rate,export_duty_rate,licence_required,inspection_required\n",
    );
    let mut positive = String::from("hs_code,name,remark,annual_qty_cap,cap_unit\n");
    for n in 0..12_000u64 {
        let code = format!("{:08}{:02}", 1_000_000 + n * 7919 % 98_000_000, n % 100);
        writeln!(tariff, "{code},商品{n},035,,0.1,0.13,0,0,0,0").unwrap();
        if n % 8 == 0 {
            writeln!(positive, "{},商品{n},不包括药品、医疗器械,,", &code[..8]).unwrap();
        }
    }
    for real in ["1901101000", "2106909090", "3304990099"] {
        writeln!(tariff, "{real},实,035,,0.1,0.13,0,0,0,0").unwrap();
        writeln!(positive, "{},实,不包括药品,,", &real[..8]).unwrap();
    }
    let mut prohibited = String::from("kind,value,direction,reason\n");
    for n in 0..5_000 {
        writeln!(prohibited, "keyword,违禁词{n}号,both,禁止进出境").unwrap();
    }
    for n in 0..500 {
        writeln!(prohibited, "hs_prefix,{:06},import,限制进口", 930_000 + n).unwrap();
    }
    for c in ["110", "116", "133", "301", "302", "303", "304", "305", "306", "307", "309", "312", "501", "502", "601"] {
        writeln!(prohibited, "origin_country,{c},export,test").unwrap();
    }
    Reference {
        tariff: Versioned::new("bench", Tariff::from_csv(&tariff).unwrap()),
        positive: Versioned::new("bench", PositiveList::from_csv(&positive).unwrap()),
        prohibited: Versioned::new("bench", Prohibited::from_csv(&prohibited).unwrap()),
    }
}

fn bench(c: &mut Criterion) {
    let reference = tables();
    let mut list: cbec_clearance::facts::ListFacts =
        serde_json::from_str(include_str!("list.json")).expect("benches/list.json reads");
    let template = list.items[0].clone();
    list.items = [("1901101000", "婴儿配方奶粉 900g"), ("2106909090", "维生素C软胶囊"), ("3304990099", "保湿面霜")]
        .iter()
        .enumerate()
        .map(|(n, (gcode, gname))| {
            let mut i = template.clone();
            (i.gnum, i.gcode, i.gname) = (n as i32 + 1, gcode.to_string(), gname.to_string());
            i
        })
        .collect();
    assert!(import_findings(&list, &reference).is_empty(), "the bench list passes");
    c.bench_function("goods control, 3-item list, full-size tables", |b| {
        b.iter(|| import_findings(black_box(&list), black_box(&reference)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
