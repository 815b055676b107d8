//! `cbec bench verify --alg sm2|rsa [--seconds N] [--items N]`
//!
//! Measures signature verification as the service does it, on one thread:
//! a deterministic import list (4.4 KB signed with SM2, 5.2 KB with RSA,
//! with the default single item) is signed once with a fresh key whose
//! certificate is issued by a fresh CA, parsed once, and then verified in a
//! loop by a [`Verifier`] that trusts the CA, so each iteration is the
//! profile checks, the C14N and digest of the document, the C14N of
//! SignedInfo, the signature verification and
//! the (cached) certificate and chain lookups. Prints one JSON line.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use cbec_ceb::{Limits, Message, RawXml};
use cbec_dsig::{CertificateParams, KeyAlgorithm, Policy, SignOptions, Signer, SigningKey, TrustStore, Verifier};

use crate::Outcome;

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Signature verification throughput (one thread, cached key).
    Verify(VerifyArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum AlgArg {
    /// SM2 with SM3, SHA-1 document digest (what UKeys send).
    Sm2,
    /// RSA-2048 with SHA-1.
    Rsa,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[arg(long, value_enum)]
    alg: AlgArg,
    /// How long to measure, after a short warm-up.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Items in the import list: one gives a 4.4 KB message signed with
    /// SM2 (5.2 KB with RSA, whose certificate and signature are larger),
    /// each further item about 0.55 KB.
    #[arg(long, default_value_t = 1)]
    items: usize,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(serde::Serialize)]
struct Result {
    bench: &'static str,
    alg: &'static str,
    signature_method: &'static str,
    digest: &'static str,
    message_bytes: usize,
    items: usize,
    threads: usize,
    seconds: f64,
    verifies: u64,
    verifies_per_second: f64,
    micros_per_verify: f64,
    /// Parts of one verification, measured alone: the C14N and digest of
    /// the document, and the signature check over SignedInfo (its C14N
    /// included).
    c14n_digest_micros: f64,
    signature_micros: f64,
    /// XML parsing of the same message, not included above.
    parse_micros: f64,
}

pub fn run(a: Args) -> anyhow::Result<Outcome> {
    let What::Verify(v) = a.what;
    if !(v.seconds > 0.0 && v.seconds.is_finite()) {
        anyhow::bail!("--seconds must be a positive number");
    }
    let alg = match v.alg {
        AlgArg::Sm2 => KeyAlgorithm::Sm2,
        AlgArg::Rsa => KeyAlgorithm::Rsa,
    };
    let now = crate::verify::now()?;
    let mut rng = rand::rng();
    let params = |subject: &str, is_ca: bool, serial: u8| CertificateParams {
        subject: subject.to_owned(),
        serial: vec![serial, 1, 2, 3, 4, 5, 6, 7],
        not_before: now.checked_add_seconds(-3600).unwrap_or(now),
        not_after: now.checked_add_seconds(86_400).unwrap_or(now),
        is_ca,
    };
    let ca_key = SigningKey::generate(alg, &mut rng)?;
    let ca = cbec_dsig::cert::issue(&params("CN=bench CA,O=cbec,C=CN", true, 0x11), &ca_key, None)?;
    let key = SigningKey::generate(alg, &mut rng)?;
    let cert = cbec_dsig::cert::issue(&params("CN=bench signer,O=cbec,C=CN", false, 0x22), &key, Some((&ca, &ca_key)))?;
    let options = SignOptions::for_key(alg);
    let (signature_method, digest) = (options.algorithm.name(), options.digest.name());
    let signer = Signer::new(key, cert, options)?;

    let mut message = cbec_fixtures::import_list_message(20_250_601, v.items);
    if let Message::CEB621Message(list) = &mut message {
        list.signature = RawXml(String::new());
    }
    let unsigned = cbec_ceb::encode(&message);
    let limits = Limits::default();
    let signed = signer.sign(&unsigned, &limits).context("signing the benchmark message")?;

    let verifier = Verifier::new(Policy::embedded().trust(TrustStore::new(vec![ca])));
    let t = Instant::now();
    cbec_ceb::with_document(signed.as_bytes(), &limits, |_| ()).map_err(|d| anyhow::anyhow!("{}", d.message))?;
    let parse_micros = t.elapsed().as_secs_f64() * 1e6;

    let budget = Duration::from_secs_f64(v.seconds);
    let measured = cbec_ceb::with_document(signed.as_bytes(), &limits, |doc| -> anyhow::Result<(u64, Duration)> {
        // Warm-up: fills the certificate and chain caches, as a running
        // service has them.
        let warm = Instant::now();
        while warm.elapsed() < Duration::from_millis(200) {
            verifier.verify(doc, now).map_err(|r| anyhow::anyhow!("the benchmark message does not verify: {r}"))?;
        }
        let start = Instant::now();
        let mut n = 0u64;
        loop {
            for _ in 0..16 {
                if verifier.verify(doc, now).is_err() {
                    anyhow::bail!("verification failed during the benchmark");
                }
            }
            n += 16;
            let e = start.elapsed();
            if e >= budget {
                return Ok((n, e));
            }
        }
    });
    let (n, elapsed) = measured.map_err(|d| anyhow::anyhow!("{}", d.message))??;
    let parts = cbec_ceb::with_document(signed.as_bytes(), &limits, |doc| breakdown(doc, &verifier, budget / 4))
        .map_err(|d| anyhow::anyhow!("{}", d.message))??;
    let secs = elapsed.as_secs_f64();
    let r = Result {
        bench: "verify",
        alg: match v.alg {
            AlgArg::Sm2 => "sm2",
            AlgArg::Rsa => "rsa",
        },
        signature_method,
        digest,
        message_bytes: signed.len(),
        items: v.items,
        threads: 1,
        seconds: (secs * 1000.0).round() / 1000.0,
        verifies: n,
        verifies_per_second: (n as f64 / secs).round(),
        micros_per_verify: (secs * 1e6 / n as f64 * 10.0).round() / 10.0,
        c14n_digest_micros: (parts.0 * 10.0).round() / 10.0,
        signature_micros: (parts.1 * 10.0).round() / 10.0,
        parse_micros: (parse_micros * 10.0).round() / 10.0,
    };
    println!("{}", serde_json::to_string(&r)?);
    Ok(Outcome::Ok)
}

/// Mean microseconds of the document C14N + digest and of the signature
/// check, each run for about `budget`.
fn breakdown(doc: &cbec_xml::Document<'_>, verifier: &Verifier, budget: Duration) -> anyhow::Result<(f64, f64)> {
    let parts = cbec_dsig::profile::parse(doc)?;
    let report = verifier.verify(doc, crate::verify::now()?).map_err(|r| anyhow::anyhow!("{r}"))?.into_report();
    let key = report.certificate.verifying_key();
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < budget || n == 0 {
            f();
            n += 1;
        }
        start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
    };
    let digest = time(&mut || {
        let mut h = parts.digest_algorithm.hasher();
        cbec_dsig::canonicalize_document(doc, &parts.reference_canonicalization, Some(parts.signature), &mut h);
        std::hint::black_box(h.finish());
    });
    let mut ok = true;
    let signature = time(&mut || {
        let mut si = Vec::with_capacity(1024);
        cbec_dsig::canonicalize_subtree(doc, parts.signed_info, &parts.canonicalization, &mut si);
        ok &= key.verify(parts.signature_algorithm, &si, &parts.signature_value).is_ok();
    });
    anyhow::ensure!(ok, "the signature stopped verifying");
    Ok((digest, signature))
}
