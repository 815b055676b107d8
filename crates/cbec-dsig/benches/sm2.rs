//! SM2 verification: the stock RustCrypto `sm2` verifier against
//! [`PreparedKey`] (fixed-base tables), table build times per window width,
//! and `openssl speed sm2` run in the same session so the figures sit side by
//! side.
//!
//! `cargo bench -p cbec-dsig --bench sm2` runs everything; extra arguments
//! are criterion filters (e.g. `-- verify`). Set `SM2_BENCH_SKIP_OPENSSL=1`
//! to skip the OpenSSL run and `SM2_BENCH_SUMMARY_SECS` (default 3) for the
//! length of each summary measurement.

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use cbec_dsig::sm2::{DEFAULT_ID, DEFAULT_WINDOW, PreparedKey, Signature, SigningKey};
use criterion::{BenchmarkId, Criterion};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sm2::dsa::signature::Verifier;

const ID: &str = "1234567812345678";

struct Fixture {
    msg: Vec<u8>,
    sig: Signature,
    stock_sig: sm2::dsa::Signature,
    sec1: [u8; 65],
    stock: sm2::dsa::VerifyingKey,
    prepared: PreparedKey,
}

fn fixture() -> Fixture {
    assert_eq!(DEFAULT_ID, ID.as_bytes());
    let mut rng = StdRng::seed_from_u64(0x5132_0001);
    let key = SigningKey::generate(&mut rng).expect("key");
    // About the size of a canonical ds:SignedInfo.
    let msg: Vec<u8> = (0..700u32).map(|i| b"<ds:SignedInfo>"[i as usize % 15]).collect();
    let sig = key.sign(&msg).expect("sign");
    let sec1 = key.verifying_key_sec1();
    let stock = sm2::dsa::VerifyingKey::from_sec1_bytes(ID, &sec1).expect("stock key");
    let stock_sig = sm2::dsa::Signature::from_slice(&sig.to_raw()).expect("stock sig");
    let prepared = PreparedKey::from_sec1(&sec1).expect("prepared");
    assert!(stock.verify(&msg, &stock_sig).is_ok());
    assert!(prepared.verify(&msg, &sig));
    PreparedKey::warm_up();
    Fixture { msg, sig, stock_sig, sec1, stock, prepared }
}

fn criterion_benches(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group("sm2_verify");
    g.bench_function("stock_sm2_0.14", |b| {
        b.iter(|| f.stock.verify(black_box(&f.msg), black_box(&f.stock_sig)).is_ok())
    });
    g.bench_function(format!("prepared_default_w{DEFAULT_WINDOW}"), |b| {
        b.iter(|| f.prepared.verify(black_box(&f.msg), black_box(&f.sig)))
    });
    for w in (4u32..=8).filter(|&w| w != DEFAULT_WINDOW) {
        let k = PreparedKey::from_sec1_with(&f.sec1, DEFAULT_ID, w).expect("prepared");
        g.bench_with_input(BenchmarkId::new("prepared", format!("w{w}")), &k, |b, k| {
            b.iter(|| k.verify(black_box(&f.msg), black_box(&f.sig)))
        });
    }
    g.finish();

    // The base-field multiplication all of it rests on (the `sm2` crate's
    // fiat-crypto Montgomery code): 100 dependent multiplications.
    type Fe = <sm2::Sm2 as sm2::elliptic_curve::hazmat::FieldArithmetic>::FieldElement;
    let mut g = c.benchmark_group("sm2_field");
    let a = Fe::from_u64(0x1234_5678_9abc_def1);
    let b = Fe::from_u64(0x0fed_cba9_8765_4321).square().square();
    g.bench_function("mul_x100", |bn| {
        bn.iter(|| {
            let mut x = black_box(a);
            for _ in 0..100 {
                x *= b;
            }
            x
        })
    });
    g.bench_function("square_x100", |bn| {
        bn.iter(|| {
            let mut x = black_box(a);
            for _ in 0..100 {
                x = x.square();
            }
            x
        })
    });
    g.finish();

    let mut g = c.benchmark_group("sm2_key_build");
    g.sample_size(10);
    g.bench_function("stock_from_sec1", |b| b.iter(|| sm2::dsa::VerifyingKey::from_sec1_bytes(ID, black_box(&f.sec1))));
    for w in [4u32, 6, 8] {
        g.bench_with_input(BenchmarkId::new("prepared_table", format!("w{w}")), &w, |b, &w| {
            b.iter(|| PreparedKey::from_sec1_with(black_box(&f.sec1), DEFAULT_ID, w))
        });
    }
    g.finish();
}

/// CPU time of the calling thread in nanoseconds (Linux), from
/// `/proc/thread-self/schedstat`. `openssl speed` divides by CPU time too
/// (unless given `-elapsed`), so rates per CPU second compare with it even
/// on a machine shared with other work.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat").ok()?.split_whitespace().next()?.parse().ok()
}

/// Runs `op` repeatedly for about `secs` of wall time; returns operations per
/// CPU second (falling back to per wall second) and per wall second.
fn rate(secs: f64, mut op: impl FnMut() -> bool) -> (f64, f64) {
    for _ in 0..50 {
        black_box(op());
    }
    let budget = Duration::from_secs_f64(secs);
    let cpu0 = thread_cpu_ns();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..20 {
            assert!(black_box(op()));
        }
        n += 20;
    }
    let wall = n as f64 / start.elapsed().as_secs_f64();
    let cpu = match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => n as f64 / ((b - a) as f64 * 1e-9),
        _ => wall,
    };
    (cpu, wall)
}

fn summary(f: &Fixture) {
    let secs: f64 = std::env::var("SM2_BENCH_SUMMARY_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    println!("\n== SM2 verify summary (one thread, {secs} s each, message {} bytes) ==", f.msg.len());
    println!("(rates per CPU second of the measuring thread; per wall second in brackets)");
    let (stock, stock_wall) = rate(secs, || f.stock.verify(&f.msg, &f.stock_sig).is_ok());
    println!(
        "stock sm2 0.14 VerifyingKey::verify      {stock:>10.0} verifies/s  ({:.1} µs) [{stock_wall:.0}/s]",
        1e6 / stock
    );
    let mut ours_default = 0.0;
    for w in [8u32, 7, 6, 5, 4] {
        let k = PreparedKey::from_sec1_with(&f.sec1, DEFAULT_ID, w).expect("prepared");
        let (r, r_wall) = rate(secs, || k.verify(&f.msg, &f.sig));
        if w == DEFAULT_WINDOW {
            ours_default = r;
        }
        println!(
            "PreparedKey::verify w={w} ({:>4} KiB)      {r:>10.0} verifies/s  ({:.1} µs, {:.1}x stock) [{r_wall:.0}/s]",
            k.memory_bytes() / 1024,
            1e6 / r,
            r / stock
        );
    }
    for w in [8u32, 6, 4] {
        let (builds, _) = rate(1.0, || PreparedKey::from_sec1_with(&f.sec1, DEFAULT_ID, w).is_ok());
        println!("PreparedKey table build, w={w}            {:>10.2} ms (CPU)", 1e3 / builds);
    }

    if std::env::var_os("SM2_BENCH_SKIP_OPENSSL").is_some() {
        return;
    }
    println!("\n== openssl speed -seconds 3 sm2 (same session) ==");
    match Command::new("openssl").args(["speed", "-seconds", "3", "sm2"]).output() {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            let mut openssl_verify = None;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                println!("  {line}");
                // "  256 bits SM2 (CurveSM2)   0.0003s   0.0004s   3000.0   2500.0"
                if line.contains("SM2 (") {
                    openssl_verify = line.split_whitespace().last().and_then(|v| v.parse::<f64>().ok());
                }
            }
            if let Some(v) = openssl_verify {
                println!("openssl sm2 verify                       {v:>10.0} verifies/s  ({:.1} µs)", 1e6 / v);
                println!(
                    "PreparedKey (default w={DEFAULT_WINDOW}) vs openssl: {:.1}x; vs stock: {:.1}x",
                    ours_default / v,
                    ours_default / stock
                );
            }
        }
        Err(e) => println!("  openssl not runnable: {e}"),
    }
}

fn main() {
    let f = fixture();
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &f);
    c.final_summary();
    summary(&f);
}
