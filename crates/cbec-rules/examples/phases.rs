//! Times each validation phase on one list (a quick profile aid).

#![allow(clippy::unwrap_used)] // a test may unwrap
use std::time::Instant;
fn main() {
    let items: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(4);
    let xml = cbec_ceb::encode(&cbec_fixtures::import_list_message(42, items));
    let bytes = xml.as_bytes();
    let limits = cbec_ceb::Limits::default();
    let n = 20_000 / items.max(1);
    let t = |name: &str, f: &mut dyn FnMut()| {
        for _ in 0..n / 10 {
            f();
        }
        let s = Instant::now();
        for _ in 0..n {
            f();
        }
        println!("{name:>24}: {:>8.2} µs", s.elapsed().as_secs_f64() * 1e6 / n as f64);
    };
    println!("{} bytes", bytes.len());
    t("parse", &mut || {
        let (s, _) = cbec_xml::decode_input(bytes, limits.max_bytes).unwrap();
        let d = cbec_xml::Document::parse(&s, &limits).unwrap();
        std::hint::black_box(d.node_count());
    });
    t("parse+schema", &mut || {
        cbec_ceb::with_document(bytes, &limits, |d| cbec_ceb::validate_document_schema(d).diagnostics.len()).unwrap();
    });
    t("parse+schema+decode", &mut || {
        cbec_ceb::with_document(bytes, &limits, |d| cbec_ceb::decode_document(d, false).map(|x| x.diagnostics.len()))
            .unwrap()
            .unwrap();
    });
    let m = cbec_ceb::decode(bytes, &Default::default()).unwrap().message;
    t("rules", &mut || {
        std::hint::black_box(cbec_rules::check_message(&m, &Default::default()));
    });
    t("full", &mut || {
        std::hint::black_box(cbec_rules::validate(bytes, cbec_rules::Level::Full, &limits, &Default::default()));
    });
}
