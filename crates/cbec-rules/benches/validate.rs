//! Decode and decode + full validation of import lists.
//! `cargo bench -p cbec-rules --bench validate`

use cbec_ceb::{DecodeOptions, Limits};
use cbec_rules::{Level, RuleConfig, validate};
use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let rules = RuleConfig::default();
    let opts = DecodeOptions::default();
    for (name, items) in [("list_4kb", 2usize), ("list_99_items", 99)] {
        let xml = cbec_ceb::encode(&cbec_fixtures::import_list_message(42, items));
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(xml.len() as u64));
        g.bench_function("decode", |b| {
            b.iter(|| cbec_ceb::decode(black_box(xml.as_bytes()), &opts).map(|d| d.message))
        });
        g.bench_function("decode_full_validation", |b| {
            b.iter(|| validate(black_box(xml.as_bytes()), Level::Full, &limits, &rules).diagnostics.len())
        });
        g.finish();
        eprintln!("{name}: {} bytes", xml.len());
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
