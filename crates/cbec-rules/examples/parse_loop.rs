//! Parses one list many times (for instruction-level profiling).

#![allow(clippy::unwrap_used)] // a test may unwrap
fn main() {
    let xml = cbec_ceb::encode(&cbec_fixtures::import_list_message(42, 4));
    let limits = cbec_ceb::Limits::default();
    let what = std::env::args().nth(1).unwrap_or_default();
    for _ in 0..2000 {
        match what.as_str() {
            "schema" => {
                cbec_ceb::with_document(xml.as_bytes(), &limits, |d| {
                    cbec_ceb::validate_document_schema(d).diagnostics.len()
                })
                .unwrap();
            }
            "full" => {
                std::hint::black_box(cbec_rules::validate(
                    xml.as_bytes(),
                    cbec_rules::Level::Full,
                    &limits,
                    &Default::default(),
                ));
            }
            _ => {
                let d = cbec_xml::Document::parse(&xml, &limits).unwrap();
                std::hint::black_box(d.node_count());
            }
        }
    }
}
