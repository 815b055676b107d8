//! Risk evaluation of one list (3 items) against 1,000 generated rules and
//! 100 active warnings. Target: under 20 µs per list on one core.
//!
//! `cargo bench -p cbec-risk --bench evaluate -- --warm-up-time 1 --measurement-time 4`

use std::hint::black_box;

use cbec_risk::{Engine, RuleSet, Warnings};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/generate.rs"]
#[allow(dead_code)]
mod generate;

fn bench(c: &mut Criterion) {
    let rules = match RuleSet::parse(&generate::rule_file(1000)) {
        Ok(rules) => rules,
        Err(e) => panic!("generated rules refused: {e}"),
    };
    let engine = Engine::new(rules);
    let warnings = Warnings::new(&generate::warnings(100), 1_000);
    assert_eq!(warnings.len(), 100);
    let subjects: Vec<_> = (0..1024).map(generate::subject).collect();
    let decisions: Vec<_> = subjects.iter().map(|s| engine.evaluate(s, &warnings, 1)).collect();
    let per_list = |n: usize| n as f64 / subjects.len() as f64;
    eprintln!(
        "1,000 rules, 100 warnings: per list {:.2} rules fired, {:.2} warnings hit",
        per_list(decisions.iter().map(|d| d.fired.len()).sum()),
        per_list(decisions.iter().map(|d| d.warnings.len()).sum()),
    );

    let mut group = c.benchmark_group("risk");
    let mut i = 0usize;
    group.bench_function("evaluate_1000_rules_100_warnings", |b| {
        b.iter(|| {
            i = (i + 1) % subjects.len();
            black_box(engine.evaluate(black_box(&subjects[i]), &warnings, 42))
        })
    });
    let list = generate::warnings(100);
    group.bench_function("warnings_index_100", |b| b.iter(|| Warnings::new(black_box(&list), 1_000)));
    group.bench_function("parse_and_compile_1000_rules", |b| {
        let text = generate::rule_file(1000);
        b.iter(|| RuleSet::parse(black_box(&text)).map(Engine::new).is_ok())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
