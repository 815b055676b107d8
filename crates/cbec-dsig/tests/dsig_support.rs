//! Helpers shared by the `dsig_*` integration tests (included with
//! `#[path]`): deterministic keys and certificates, fixture messages, and a
//! one-call verification that returns the diagnostic code of a failure.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use cbec_dsig::{
    Certificate, CertificateParams, KeyAlgorithm, Pin, Policy, Report, SignOptions, Signer, SigningKey, UtcTime,
    Verifier,
};
use cbec_xml::{Document, Limits};

/// splitmix64: deterministic randomness, so every run makes the same keys.
pub struct TestRng(u64);

impl rand_core::TryRng for TestRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for TestRng {}

pub fn at(y: i64, m: u32, d: u32) -> UtcTime {
    UtcTime::from_civil(y, m, d, 0, 0, 0).unwrap()
}

/// The injected "now" of the tests.
pub fn now() -> UtcTime {
    at(2025, 6, 1)
}

pub fn key(alg: KeyAlgorithm, seed: u64) -> SigningKey {
    SigningKey::generate(alg, &mut TestRng(seed)).unwrap()
}

pub fn params(subject: &str, serial: u8, is_ca: bool) -> CertificateParams {
    CertificateParams {
        subject: subject.to_owned(),
        serial: vec![serial, 0xc0, 0xde],
        not_before: at(2024, 1, 1),
        not_after: at(2027, 1, 1),
        is_ca,
    }
}

/// A self-signed CA.
pub fn ca(alg: KeyAlgorithm, seed: u64, name: &str) -> (Certificate, SigningKey) {
    let k = key(alg, seed);
    let c =
        cbec_dsig::cert::issue(&params(&format!("CN={name},O=cbec tests,C=CN"), seed as u8, true), &k, None).unwrap();
    (c, k)
}

/// A signing certificate, issued by `issuer` or self-signed.
pub fn signer_cert(
    alg: KeyAlgorithm,
    seed: u64,
    name: &str,
    issuer: Option<&(Certificate, SigningKey)>,
) -> (Certificate, SigningKey) {
    let k = key(alg, seed);
    let c = cbec_dsig::cert::issue(
        &params(&format!("CN={name},O=cbec tests,C=CN"), seed as u8, false),
        &k,
        issuer.map(|(c, k)| (c, k)),
    )
    .unwrap();
    (c, k)
}

pub fn signer(cert_key: &(Certificate, SigningKey), options: Option<SignOptions>) -> Signer {
    let (c, k) = cert_key;
    let options = options.unwrap_or_else(|| SignOptions::for_key(k.algorithm()));
    Signer::new(k.clone(), c.clone(), options).unwrap()
}

/// A business-valid import list without any signature.
pub fn unsigned_list(seed: u64, items: usize) -> String {
    let mut m = cbec_fixtures::import_list_message(seed, items);
    if let cbec_ceb::Message::CEB621Message(l) = &mut m {
        l.signature = cbec_ceb::RawXml(String::new());
    }
    cbec_ceb::encode(&m)
}

pub fn spec_path(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec").join(rel)
}

/// A spec file as text (BOM dropped).
pub fn spec_text(rel: &str) -> String {
    let bytes = std::fs::read(spec_path(rel)).unwrap();
    let (text, _) = cbec_xml::decode_input(&bytes, usize::MAX).unwrap();
    text.into_owned()
}

/// `text` without its `ds:Signature` element (as written by a signer).
pub fn strip_signature(text: &str) -> String {
    let start = text.find("<ds:Signature").expect("a ds:Signature");
    let end = text.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    format!("{}{}", &text[..start], &text[end..])
}

/// Verifies `text` under `policy` at `at`.
pub fn verify_with(text: &str, policy: Policy, at: UtcTime) -> Result<Report, String> {
    let doc = Document::parse(text, &Limits::default()).map_err(|e| format!("xml: {e}"))?;
    Verifier::new(policy).verify(&doc, at).map(|v| v.into_report()).map_err(|r| r.error.code().as_str().to_owned())
}

/// Verifies under the embedded certificate at [`now`].
pub fn verify(text: &str) -> Result<Report, String> {
    verify_with(text, Policy::embedded(), now())
}

/// The failure code (panics if it verifies).
pub fn code(text: &str) -> String {
    match verify(text) {
        Ok(_) => panic!("expected a failure, but it verifies"),
        Err(c) => c,
    }
}

pub fn pinned(cert: &Certificate) -> Policy {
    Policy::embedded().pin(Pin::Certificate(cert.clone()))
}

/// Replaces the text of the first `<ds:{name}>` element.
pub fn replace_text(text: &str, name: &str, value: &str) -> String {
    replace_text_in(text, "ds", name, value)
}

/// Replaces the text of the first `<{prefix}:{name}>` element.
pub fn replace_text_in(text: &str, prefix: &str, name: &str, value: &str) -> String {
    let open = format!("<{prefix}:{name}>");
    let close = format!("</{prefix}:{name}>");
    let start = text.find(&open).unwrap_or_else(|| panic!("no {open}")) + open.len();
    let end = start + text[start..].find(&close).unwrap();
    format!("{}{}{}", &text[..start], value, &text[end..])
}

/// DER `SEQUENCE { INTEGER r, INTEGER s }` of a raw SM2 `r || s`.
pub fn sm2_der(raw: &[u8]) -> Vec<u8> {
    let int = |b: &[u8]| {
        let b = &b[b.iter().take_while(|&&x| x == 0).count()..];
        let mut v = vec![0x02];
        let pad = b.first().is_some_and(|&x| x & 0x80 != 0);
        v.push((b.len() + usize::from(pad)) as u8);
        if pad {
            v.push(0);
        }
        v.extend_from_slice(b);
        v
    };
    let body = [int(&raw[..32]), int(&raw[32..])].concat();
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

/// Recomputes the `DigestValue` (of the document minus its one
/// `ds:Signature`, inclusive C14N, with the `DigestMethod` named in it)
/// and the `SignatureValue` (over `SignedInfo` with its own
/// `CanonicalizationMethod`), as a signer that accepts whatever shape the
/// document has would: used to show that shape checks, not crypto, refuse
/// a trick.
pub fn reseal(text: &str, key: &SigningKey, alg: cbec_dsig::SignatureAlgorithm, der: bool) -> String {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let dsig = "http://www.w3.org/2000/09/xmldsig#";
    let prefix = {
        let doc = Document::parse(text, &Limits::default()).unwrap();
        cbec_dsig::profile::find_signatures(&doc)[0].prefix().to_owned()
    };
    let text = {
        let doc = Document::parse(text, &Limits::default()).unwrap();
        let sig = cbec_dsig::profile::find_signatures(&doc)[0];
        let dm = descendants(sig).into_iter().find(|e| e.is(dsig, "DigestMethod")).unwrap();
        let alg = cbec_dsig::DigestAlgorithm::from_uri(dm.attribute("Algorithm").unwrap())
            .unwrap_or(cbec_dsig::DigestAlgorithm::Sha1);
        let mut h = alg.hasher();
        cbec_dsig::canonicalize_document(&doc, &cbec_dsig::Method::Inclusive, Some(sig.id()), &mut h);
        replace_text_in(text, &prefix, "DigestValue", &b64(&h.finish()))
    };
    let doc = Document::parse(&text, &Limits::default()).unwrap();
    let sig = cbec_dsig::profile::find_signatures(&doc)[0];
    let si = descendants(sig).into_iter().find(|e| e.is(dsig, "SignedInfo")).unwrap();
    let cm = si.child_elements().find(|e| e.is(dsig, "CanonicalizationMethod")).unwrap();
    let method = cbec_dsig::Method::from_uri(cm.attribute("Algorithm").unwrap(), "").unwrap();
    let mut canonical = Vec::new();
    cbec_dsig::canonicalize_subtree(&doc, si.id(), &method, &mut canonical);
    let mut value = key.sign(alg, &canonical).unwrap();
    if der {
        value = sm2_der(&value);
    }
    replace_text_in(&text, &prefix, "SignatureValue", &b64(&value))
}

/// `el` and all its descendant elements, in document order.
pub fn descendants<'d, 'a>(el: cbec_xml::Element<'d, 'a>) -> Vec<cbec_xml::Element<'d, 'a>> {
    let mut out = vec![el];
    let mut i = 0;
    while i < out.len() {
        let children: Vec<_> = out[i].child_elements().collect();
        out.splice(i + 1..i + 1, children);
        i += 1;
    }
    out
}
