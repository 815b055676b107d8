//! The real China E-Port UKey SM2 signature (domain README §3.7): the
//! `SignatureValue` of `spec/samples/real/CEB621Message_sm2_eport_ukey.xml`
//! over the inclusive C14N of its `ds:SignedInfo` in document context, with
//! the public key of the embedded certificate. Both the stock `sm2` verifier
//! and [`PreparedKey`] must accept it, and reject it after any one-byte
//! change.

#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use cbec_dsig::c14n::{Method, canonicalize_subtree};
use cbec_dsig::sm2::{DEFAULT_ID, PreparedKey, Signature};
use cbec_xml::{Document, Element, Limits};
use sm2::dsa::signature::Verifier as _;

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/samples/real/CEB621Message_sm2_eport_ukey.xml");

struct Vector {
    signed_info_c14n: Vec<u8>,
    signature_value: Vec<u8>,
    public_key: Vec<u8>,
}

fn child<'d, 'a>(el: Element<'d, 'a>, local: &str) -> Element<'d, 'a> {
    el.child_elements().find(|c| c.is(DS, local)).unwrap_or_else(|| panic!("no ds:{local} in {}", el.qname()))
}

fn b64(text: &str) -> Vec<u8> {
    let clean: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).expect("base64")
}

/// One DER TLV: (tag, content, rest).
fn tlv(der: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = der[0];
    let (len, hdr) = match der[1] {
        l if l < 0x80 => (usize::from(l), 2),
        0x81 => (usize::from(der[2]), 3),
        0x82 => ((usize::from(der[2]) << 8) | usize::from(der[3]), 4),
        other => panic!("unsupported DER length byte {other:#x}"),
    };
    (tag, &der[hdr..hdr + len], &der[hdr + len..])
}

/// The subjectPublicKey of an X.509 certificate, checked to be an SM2 key
/// (id-ecPublicKey with the SM2 curve OID 1.2.156.10197.1.301).
fn spki_point(cert: &[u8]) -> Vec<u8> {
    let (tag, certificate, _) = tlv(cert);
    assert_eq!(tag, 0x30, "Certificate SEQUENCE");
    let (tag, tbs, _) = tlv(certificate);
    assert_eq!(tag, 0x30, "TBSCertificate SEQUENCE");
    let mut rest = tbs;
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let (tag, content, next) = tlv(rest);
        fields.push((tag, content));
        rest = next;
    }
    // [0] version, serial, signature, issuer, validity, subject, SPKI, ...
    let start = usize::from(fields[0].0 == 0xA0);
    let (tag, spki) = fields[start + 5];
    assert_eq!(tag, 0x30, "SubjectPublicKeyInfo SEQUENCE");
    let (tag, alg, rest) = tlv(spki);
    assert_eq!(tag, 0x30);
    let sm2_curve_oid = [0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D];
    assert!(alg.windows(sm2_curve_oid.len()).any(|w| w == sm2_curve_oid), "SM2 curve OID in the SPKI algorithm");
    let (tag, bits, _) = tlv(rest);
    assert_eq!(tag, 0x03, "BIT STRING");
    assert_eq!(bits[0], 0, "no unused bits");
    bits[1..].to_vec()
}

fn vector() -> Vector {
    let xml = std::fs::read_to_string(SAMPLE).expect("read the UKey sample");
    let doc = Document::parse(&xml, &Limits::default()).expect("parse");
    let sig = child(doc.root(), "Signature");
    let signed_info = child(sig, "SignedInfo");
    let mut signed_info_c14n = Vec::new();
    canonicalize_subtree(&doc, signed_info.id(), &Method::Inclusive, &mut signed_info_c14n);
    let signature_value = b64(&child(sig, "SignatureValue").text());
    let cert = b64(&child(child(child(sig, "KeyInfo"), "X509Data"), "X509Certificate").text());
    Vector { signed_info_c14n, signature_value, public_key: spki_point(&cert) }
}

fn stock_verifies(public_key: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let key = sm2::dsa::VerifyingKey::from_sec1_bytes("1234567812345678", public_key).expect("stock key");
    match sm2::dsa::Signature::from_slice(sig) {
        Ok(sig) => key.verify(msg, &sig).is_ok(),
        Err(_) => false,
    }
}

#[test]
fn canonical_signed_info_inherits_the_document_namespaces() {
    let v = vector();
    let text = String::from_utf8(v.signed_info_c14n.clone()).expect("utf-8");
    assert!(
        text.starts_with(
            r#"<ds:SignedInfo xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#
        ),
        "{text}"
    );
    assert!(text.ends_with("</ds:SignedInfo>"));
    assert_eq!(v.signature_value.len(), 64, "raw r || s");
    assert_eq!(v.public_key.len(), 65);
    assert_eq!(v.public_key[0], 4);
}

#[test]
fn ukey_signature_verifies_with_stock_and_prepared_key() {
    let v = vector();
    assert!(stock_verifies(&v.public_key, &v.signed_info_c14n, &v.signature_value), "stock sm2 verifier");
    let key = PreparedKey::from_sec1(&v.public_key).expect("prepared key");
    assert_eq!(&key.sec1()[..], &v.public_key[..]);
    let sig = Signature::parse(&v.signature_value).expect("signature");
    assert!(key.verify(&v.signed_info_c14n, &sig), "PreparedKey::verify");

    // Z for the default ID, then e = SM3(Z || M) through verify_digest.
    use sm3::Digest as _;
    let mut h = sm3::Sm3::new();
    h.update(key.z());
    h.update(&v.signed_info_c14n);
    let e: [u8; 32] = h.finalize().into();
    assert!(key.verify_digest(&e, &sig));

    // The same signature in DER, and with other table widths.
    let der = sig.to_der();
    assert!(key.verify(&v.signed_info_c14n, &Signature::parse(&der).expect("der")));
    for w in [2u32, 4, 6, 10] {
        let k = PreparedKey::from_sec1_with(&v.public_key, DEFAULT_ID, w).expect("prepared key");
        assert!(k.verify(&v.signed_info_c14n, &sig), "window {w}");
    }
}

#[test]
fn compressed_certificate_key_gives_the_same_prepared_key() {
    let v = vector();
    let mut compressed = vec![2 | (v.public_key[64] & 1)];
    compressed.extend_from_slice(&v.public_key[1..33]);
    let key = PreparedKey::from_sec1(&compressed).expect("compressed");
    assert_eq!(&key.sec1()[..], &v.public_key[..]);
    let sig = Signature::parse(&v.signature_value).expect("signature");
    assert!(key.verify(&v.signed_info_c14n, &sig));
}

#[test]
fn any_changed_byte_fails() {
    let v = vector();
    let key = PreparedKey::from_sec1(&v.public_key).expect("prepared key");
    // Every byte of the signature, one bit at a time for a few of them.
    for i in 0..64 {
        for flip in [0x01u8, 0x80] {
            let mut bad = v.signature_value.clone();
            bad[i] ^= flip;
            let sig = Signature::from_raw(&bad).expect("raw");
            assert!(!key.verify(&v.signed_info_c14n, &sig), "signature byte {i} ^ {flip:#x}");
            assert!(!stock_verifies(&v.public_key, &v.signed_info_c14n, &bad));
        }
    }
    // A spread of bytes of the canonical SignedInfo.
    let sig = Signature::from_raw(&v.signature_value).expect("raw");
    let len = v.signed_info_c14n.len();
    for i in (0..len).step_by(len / 40).chain([len - 1]) {
        let mut bad = v.signed_info_c14n.clone();
        bad[i] ^= 0x20;
        assert!(!key.verify(&bad, &sig), "SignedInfo byte {i}");
        assert!(!stock_verifies(&v.public_key, &bad, &v.signature_value));
    }
    // A changed DigestValue character (what tampering with the document
    // and recomputing its digest would do).
    let text = String::from_utf8(v.signed_info_c14n.clone()).expect("utf-8");
    let tampered = text.replace("b2FtM/jHvW4fnJpMMPWk/177RwA=", "b2FtM/jHvW4fnJpMMPWk/177RwB=");
    assert_ne!(tampered, text);
    assert!(!key.verify(tampered.as_bytes(), &sig));
    // A changed public key byte: another point (or none at all).
    let mut other = v.public_key.clone();
    other[10] ^= 1;
    if let Ok(k) = PreparedKey::from_sec1(&other) {
        assert!(!k.verify(&v.signed_info_c14n, &sig));
    }
}
