//! The real and official signed vectors of the spec folder (domain README
//! §3.7), through the library: the China E-Port UKey SM2 signature
//! verifies, the damaged Hainan signature and the illustrative official
//! signatures fail with the code that explains why.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "dsig_support.rs"]
mod support;

use cbec_dsig::{Certificate, Error, Pin, Policy, Trust, TrustStore, Verifier};
use cbec_xml::{Document, Limits};
use support::*;

const UKEY: &str = "samples/real/CEB621Message_sm2_eport_ukey.xml";

fn embedded_certificate(text: &str) -> Certificate {
    let start = text.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len();
    let end = text.find("</ds:X509Certificate>").unwrap();
    Certificate::from_base64(&text[start..end]).unwrap()
}

fn reject(text: &str, policy: Policy, at: cbec_dsig::UtcTime) -> Error {
    let doc = Document::parse(text, &Limits::default()).unwrap();
    Verifier::new(policy).verify(&doc, at).expect_err("must not verify").error
}

#[test]
fn the_ukey_sm2_vector_verifies_pinned_to_its_own_certificate() {
    let text = spec_text(UKEY);
    let cert = embedded_certificate(&text);
    let report = verify_with(&text, pinned(&cert), at(2025, 6, 1)).unwrap();
    assert_eq!(report.trust, Trust::Pinned);
    assert_eq!(report.algorithm.name(), "sm2-sm3");
    assert_eq!(report.details.algorithm_uri.as_deref(), Some("http://www.w3.org/2000/09/xmldsig#sm2-sm3"));
    assert_eq!(report.digest_algorithm.name(), "sha1");
    assert_eq!(report.details.key_name.as_deref(), Some("03000000000cde6f"));
    assert_eq!(report.details.serial.as_deref(), Some("03000000000cde6f"));
    // Also pinned by KeyName / serial, and with no policy at all.
    let by_serial = Policy::embedded().pin(Pin::Serial("03000000000CDE6F".into()));
    assert_eq!(verify_with(&text, by_serial, at(2030, 1, 1)).unwrap().trust, Trust::Pinned);
    assert_eq!(verify_with(&text, Policy::embedded(), at(2023, 3, 29)).unwrap().trust, Trust::Untrusted);
}

#[test]
fn the_ukey_vector_is_checked_against_its_validity_period() {
    let text = spec_text(UKEY);
    let cert = embedded_certificate(&text);
    let e = reject(&text, pinned(&cert), at(2033, 3, 30));
    assert!(matches!(e, Error::CertificateExpired { .. }), "{e}");
    assert_eq!((e.code().as_str(), e.spec_code()), ("signature.certificate_expired", 1002));
    let e = reject(&text, pinned(&cert), at(2023, 3, 28));
    assert_eq!(e.code().as_str(), "signature.certificate_not_yet_valid");
    assert!(e.to_string().contains("2023-03-29T00:00:00Z"), "{e}");
}

#[test]
fn changing_any_business_character_of_the_ukey_vector_is_a_digest_mismatch() {
    let text = spec_text(UKEY);
    let cert = embedded_certificate(&text);
    let sig = text.find("<ds:Signature").unwrap();
    // A few positions: the root attribute, a head field, Chinese text, an
    // item amount, BaseTransfer, and whitespace between elements.
    let changes = [
        ("_0034\"", "_0035\""),
        (">48037605991776256<", ">48037605991776257<"),
        ("海南星创互联网医药有限公司</ceb:ebpName>", "海南新创互联网医药有限公司</ceb:ebpName>"),
        (">0.01</ceb:price>", ">0.02</ceb:price>"),
        (">DXPENT0000458763<", ">DXPENT0000458764<"),
        ("\n    <ceb:BaseTransfer>", "\n     <ceb:BaseTransfer>"),
    ];
    for (from, to) in changes {
        let pos = text.find(from).unwrap_or_else(|| panic!("{from}"));
        assert!(pos < sig);
        let changed = text.replacen(from, to, 1);
        let e = reject(&changed, pinned(&cert), at(2025, 6, 1));
        assert_eq!(e.code().as_str(), "signature.digest_mismatch", "{from}: {e}");
        assert_eq!((e.spec_code(), e.list_code()), (1004, Some(-621_029)));
        let Error::DigestMismatch { expected, computed, .. } = e else { unreachable!() };
        assert_eq!(expected, "b2FtM/jHvW4fnJpMMPWk/177RwA=");
        assert_ne!(computed, expected);
    }
}

#[test]
fn the_signed_hainan_sample_has_an_unparsable_certificate() {
    let e = reject(&spec_text("samples/real/CEB621Message_signed_hainan.xml"), Policy::embedded(), now());
    assert_eq!(e.code().as_str(), "signature.certificate_unparsable", "{e}");
}

#[test]
fn the_official_illustrative_signatures_are_digest_mismatches() {
    let mut signed = 0;
    for dir in ["samples/import", "samples/export"] {
        for entry in std::fs::read_dir(spec_path(dir)).unwrap() {
            let path = entry.unwrap().path();
            let rel = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            let text = spec_text(&rel);
            if !text.contains("<ds:Signature") {
                assert_eq!(reject(&text, Policy::embedded(), now()).code().as_str(), "signature.missing", "{rel}");
                continue;
            }
            signed += 1;
            let e = reject(&text, Policy::embedded(), now());
            assert_eq!(e.code().as_str(), "signature.digest_mismatch", "{rel}: {e}");
            assert!(e.to_string().contains("SF/P+2sVsRQ9dJIqJSroW6ajb0Y="), "{rel}: {e}");
        }
    }
    assert_eq!(signed, 19);
}

#[test]
fn a_trust_store_without_the_eport_ca_refuses_the_ukey_vector() {
    let text = spec_text(UKEY);
    let (other_ca, _) = ca(cbec_dsig::KeyAlgorithm::Sm2, 91, "Unrelated CA");
    let e = reject(&text, Policy::embedded().trust(TrustStore::new(vec![other_ca])), now());
    assert_eq!(e.code().as_str(), "signature.untrusted_issuer");
    assert!(e.to_string().contains("中国电子业务证书管理中心"), "names the missing issuer: {e}");
    // Pinning another certificate is a pin mismatch.
    let (someone, _) = signer_cert(cbec_dsig::KeyAlgorithm::Sm2, 92, "Someone", None);
    let e = reject(&text, pinned(&someone), now());
    assert_eq!(e.code().as_str(), "signature.pin_mismatch");
    // The leaf itself configured as an anchor is trusted directly.
    let leaf = embedded_certificate(&text);
    let r = verify_with(&text, Policy::embedded().trust(TrustStore::new(vec![leaf])), now()).unwrap();
    assert!(matches!(r.trust, Trust::Chained { .. }));
}
