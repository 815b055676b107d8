//! Signing and verifying with every supported algorithm, placement by the
//! XSD, certificates and chains, pins, signing errors and the shared
//! certificate cache.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "dsig_support.rs"]
mod support;

use std::sync::Arc;

use cbec_dsig::{
    CertificateCache, DigestAlgorithm, Error, KeyAlgorithm, Method, Pin, Policy, SignOptions, SignatureAlgorithm,
    Trust, TrustStore, Verifier,
};
use cbec_xml::{Document, Limits};
use support::*;

const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

#[test]
fn every_algorithm_digest_and_canonicalization_round_trips() {
    let unsigned = unsigned_list(11, 3);
    let sm2 = signer_cert(KeyAlgorithm::Sm2, 1, "SM2 signer", None);
    let rsa = signer_cert(KeyAlgorithm::Rsa, 2, "RSA signer", None);
    let methods = [
        Method::Inclusive,
        Method::InclusiveWithComments,
        Method::Exclusive { inclusive_prefixes: vec![] },
        Method::ExclusiveWithComments { inclusive_prefixes: vec!["ceb".into()] },
    ];
    for (who, algorithm) in
        [(&sm2, SignatureAlgorithm::Sm2Sm3), (&rsa, SignatureAlgorithm::RsaSha1), (&rsa, SignatureAlgorithm::RsaSha256)]
    {
        for digest in [DigestAlgorithm::Sha1, DigestAlgorithm::Sha256, DigestAlgorithm::Sm3] {
            for canonicalization in methods.clone() {
                let options = SignOptions { algorithm, digest, canonicalization: canonicalization.clone() };
                let signed = signer(who, Some(options)).sign(&unsigned, &Limits::default()).unwrap();
                let r = verify_with(&signed, pinned(&who.0), now())
                    .unwrap_or_else(|c| panic!("{algorithm:?}/{digest:?}/{canonicalization:?}: {c}"));
                assert_eq!((r.algorithm, r.digest_algorithm, r.trust), (algorithm, digest, Trust::Pinned));
                assert_eq!(r.details.key_name.as_deref(), Some(who.0.serial_hex().as_str()));
                // Any change to the business content breaks it.
                let tampered = signed.replacen("<ceb:qty>", "<ceb:qty>1", 1);
                assert_eq!(code(&tampered), "signature.digest_mismatch");
            }
        }
    }
}

#[test]
fn defaults_follow_the_ukeys() {
    let o = SignOptions::for_key(KeyAlgorithm::Sm2);
    assert_eq!(
        (o.algorithm, o.digest, o.canonicalization),
        (SignatureAlgorithm::Sm2Sm3, DigestAlgorithm::Sha1, Method::Inclusive)
    );
    let o = SignOptions::for_key(KeyAlgorithm::Rsa);
    assert_eq!((o.algorithm, o.digest), (SignatureAlgorithm::RsaSha1, DigestAlgorithm::Sha1));
    let sm2 = signer_cert(KeyAlgorithm::Sm2, 1, "SM2 signer", None);
    let signed = signer(&sm2, None).sign(&unsigned_list(12, 1), &Limits::default()).unwrap();
    assert!(signed.contains(r#"<ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sm2-sm3">"#));
    assert!(signed.contains(r#"<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1">"#));
    assert!(signed.contains(&format!("<ds:KeyName>{}</ds:KeyName>", sm2.0.serial_hex())));
    let value = signed.split("<ds:SignatureValue>").nth(1).unwrap().split('<').next().unwrap();
    assert_eq!(value.len(), 88, "raw r||s, 64 bytes in base64: {value}");
}

fn root_children(text: &str) -> Vec<String> {
    let doc = Document::parse(text, &Limits::default()).unwrap();
    doc.root().child_elements().map(|e| e.local_name().to_owned()).collect()
}

const EXTEND: &str = "<ceb:ExtendMessage><ceb:name>ext</ceb:name><ceb:version>1</ceb:version><ceb:Message><x xmlns=\"urn:x\">1</x></ceb:Message></ceb:ExtendMessage>";

#[test]
fn import_messages_get_the_signature_after_extend_message() {
    let unsigned = unsigned_list(13, 2).replacen("</ceb:BaseTransfer>", &format!("</ceb:BaseTransfer>\n  {EXTEND}"), 1);
    let sm2 = signer_cert(KeyAlgorithm::Sm2, 1, "SM2 signer", None);
    let signed = signer(&sm2, None).sign(&unsigned, &Limits::default()).unwrap();
    assert_eq!(root_children(&signed), ["Inventory", "BaseTransfer", "ExtendMessage", "Signature"]);
    assert!(
        signed.ends_with("</ds:Signature>\n</ceb:CEB621Message>\n")
            || signed.ends_with("</ds:Signature>\n</ceb:CEB621Message>"),
        "{}",
        &signed[signed.len() - 80..]
    );
    let report = cbec_ceb::validate_schema(signed.as_bytes(), &Limits::default());
    assert!(report.is_valid(), "{:#?}", report.diagnostics);
    verify(&signed).unwrap();
    // Everything but the signature is byte for byte the input.
    assert_eq!(strip_signature(&signed).replace("  \n", ""), unsigned.replace("  \n", ""));
}

#[test]
fn export_messages_get_the_signature_before_extend_message() {
    let sample = strip_signature(&spec_text("samples/export/CEB701Message.xml"));
    let unsigned = sample.replacen("</ceb:BaseTransfer>", &format!("</ceb:BaseTransfer>\n\t{EXTEND}"), 1);
    let rsa = signer_cert(KeyAlgorithm::Rsa, 2, "RSA signer", None);
    let signed = signer(&rsa, None).sign(&unsigned, &Limits::default()).unwrap();
    assert_eq!(root_children(&signed).split_off(10), ["BaseTransfer", "Signature", "ExtendMessage"]);
    let report = cbec_ceb::validate_schema(signed.as_bytes(), &Limits::default());
    assert!(report.is_valid(), "{:#?}", report.diagnostics);
    verify(&signed).unwrap();
    // Without ExtendMessage the signature is the last child.
    let signed = signer(&rsa, None).sign(&sample, &Limits::default()).unwrap();
    assert_eq!(root_children(&signed).last().map(String::as_str), Some("Signature"));
    verify(&signed).unwrap();
}

#[test]
fn both_sm2_and_both_sm3_uris_and_der_values_are_accepted() {
    let sm2 = signer_cert(KeyAlgorithm::Sm2, 1, "SM2 signer", None);
    let options = SignOptions { digest: DigestAlgorithm::Sm3, ..SignOptions::for_key(KeyAlgorithm::Sm2) };
    let signed = signer(&sm2, Some(options)).sign(&unsigned_list(14, 1), &Limits::default()).unwrap();
    assert!(signed.contains("http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"));
    let chinaport = signed
        .replace("http://www.w3.org/2000/09/xmldsig#sm2-sm3", "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3");
    assert_eq!(code(&chinaport), "signature.invalid", "SignedInfo changed, so the old value fails");
    let resealed = reseal(&chinaport, &sm2.1, SignatureAlgorithm::Sm2Sm3, false);
    assert_eq!(
        verify(&resealed).unwrap().details.algorithm_uri.as_deref(),
        Some("http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3")
    );
    let w3c_sm3 =
        signed.replace("http://www.chinaport.gov.cn/2022/04/xmldsig#sm3", "http://www.w3.org/2000/09/xmldsig#sm3");
    let resealed = reseal(&w3c_sm3, &sm2.1, SignatureAlgorithm::Sm2Sm3, true);
    let value = resealed.split("<ds:SignatureValue>").nth(1).unwrap().split('<').next().unwrap();
    assert!(value.len() > 88, "a DER value: {value}");
    let r = verify(&resealed).unwrap();
    assert_eq!(r.digest_algorithm, DigestAlgorithm::Sm3);
}

#[test]
fn chains_mix_rsa_and_sm2_and_pass_through_intermediates() {
    let unsigned = unsigned_list(15, 1);
    let rsa_ca = ca(KeyAlgorithm::Rsa, 20, "RSA Root");
    let sm2_ca = ca(KeyAlgorithm::Sm2, 21, "SM2 Root");
    // An SM2 signer under the RSA CA and an RSA signer under the SM2 CA.
    for (issuer, alg, seed) in [(&rsa_ca, KeyAlgorithm::Sm2, 22), (&sm2_ca, KeyAlgorithm::Rsa, 23)] {
        let leaf = signer_cert(alg, seed, "Leaf", Some(issuer));
        assert_eq!(leaf.0.issuer(), issuer.0.subject());
        let signed = signer(&leaf, None).sign(&unsigned, &Limits::default()).unwrap();
        let policy = Policy::embedded().trust(TrustStore::new(vec![rsa_ca.0.clone(), sm2_ca.0.clone()]));
        let r = verify_with(&signed, policy, now()).unwrap();
        assert_eq!(r.trust, Trust::Chained { anchor: issuer.0.subject().to_owned() });
        // The other anchor alone does not do.
        let other = if issuer.0 == rsa_ca.0 { &sm2_ca } else { &rsa_ca };
        let policy = Policy::embedded().trust(TrustStore::new(vec![other.0.clone()]));
        assert_eq!(verify_with(&signed, policy, now()).unwrap_err(), "signature.untrusted_issuer");
    }
    // Root -> intermediate -> leaf, the intermediate supplied separately.
    let k = key(KeyAlgorithm::Sm2, 24);
    let inter_cert = cbec_dsig::cert::issue(
        &params("CN=SM2 Intermediate,O=cbec tests,C=CN", 24, true),
        &k,
        Some((&sm2_ca.0, &sm2_ca.1)),
    )
    .unwrap();
    let inter = (inter_cert, k);
    let leaf = signer_cert(KeyAlgorithm::Sm2, 25, "Deep leaf", Some(&inter));
    let signed = signer(&leaf, None).sign(&unsigned, &Limits::default()).unwrap();
    let store = TrustStore::new(vec![sm2_ca.0.clone()]).with_intermediates(vec![inter.0.clone()]);
    let r = verify_with(&signed, Policy::embedded().trust(store.clone()), now()).unwrap();
    assert_eq!(r.trust, Trust::Chained { anchor: sm2_ca.0.subject().to_owned() });
    let chain = store.build_chain(&leaf.0).unwrap();
    assert_eq!(chain.length, 2);
    assert_eq!(
        verify_with(&signed, Policy::embedded().trust(TrustStore::new(vec![sm2_ca.0.clone()])), now()).unwrap_err(),
        "signature.untrusted_issuer"
    );
}

#[test]
fn a_forged_issuer_with_the_right_name_does_not_verify() {
    let real = ca(KeyAlgorithm::Sm2, 30, "Same Name CA");
    let forged = ca(KeyAlgorithm::Sm2, 31, "Same Name CA");
    assert_eq!(real.0.subject(), forged.0.subject());
    let leaf = signer_cert(KeyAlgorithm::Sm2, 32, "Leaf", Some(&forged));
    let signed = signer(&leaf, None).sign(&unsigned_list(16, 1), &Limits::default()).unwrap();
    let doc = Document::parse(&signed, &Limits::default()).unwrap();
    let e =
        Verifier::new(Policy::embedded().trust(TrustStore::new(vec![real.0.clone()]))).verify(&doc, now()).unwrap_err();
    assert_eq!(e.error.code().as_str(), "signature.untrusted_issuer");
    assert!(e.error.to_string().contains("does not verify"), "{}", e.error);
}

#[test]
fn issuing_needs_a_ca_and_validity_is_checked_along_the_chain() {
    let not_ca = signer_cert(KeyAlgorithm::Sm2, 40, "Not a CA", None);
    let k = key(KeyAlgorithm::Sm2, 41);
    let e = cbec_dsig::cert::issue(&params("CN=x", 41, false), &k, Some((&not_ca.0, &not_ca.1))).unwrap_err();
    assert_eq!(e.code().as_str(), "signature.signing_failed");
    let wrong_key = key(KeyAlgorithm::Sm2, 42);
    let root = ca(KeyAlgorithm::Sm2, 43, "Root");
    let e = cbec_dsig::cert::issue(&params("CN=x", 42, false), &k, Some((&root.0, &wrong_key))).unwrap_err();
    assert_eq!(e.code().as_str(), "signature.key_mismatch");

    // A CA that expires before its leaf: the chain holds only while both do.
    let short = {
        let k = key(KeyAlgorithm::Rsa, 44);
        let mut p = params("CN=Short CA,O=cbec tests,C=CN", 44, true);
        p.not_after = at(2025, 1, 1);
        (cbec_dsig::cert::issue(&p, &k, None).unwrap(), k)
    };
    let leaf = signer_cert(KeyAlgorithm::Sm2, 45, "Leaf", Some(&short));
    let signed = signer(&leaf, None).sign(&unsigned_list(17, 1), &Limits::default()).unwrap();
    let policy = || Policy::embedded().trust(TrustStore::new(vec![short.0.clone()]));
    verify_with(&signed, policy(), at(2024, 6, 1)).unwrap();
    assert_eq!(verify_with(&signed, policy(), at(2025, 6, 1)).unwrap_err(), "signature.untrusted_issuer");
    assert_eq!(verify_with(&signed, policy(), at(2028, 1, 1)).unwrap_err(), "signature.certificate_expired");
}

#[test]
fn pins_bind_the_certificate_to_the_sender() {
    let a = signer_cert(KeyAlgorithm::Sm2, 50, "Sender A", None);
    let b = signer_cert(KeyAlgorithm::Sm2, 51, "Sender B", None);
    let signed = signer(&a, None).sign(&unsigned_list(18, 1), &Limits::default()).unwrap();
    assert_eq!(verify_with(&signed, pinned(&b.0), now()).unwrap_err(), "signature.pin_mismatch");
    let either = Policy::embedded().pin(Pin::Certificate(b.0.clone())).pin(Pin::Serial(a.0.serial_hex()));
    assert_eq!(verify_with(&signed, either, now()).unwrap().trust, Trust::Pinned);
    let wrong_serial = Policy::embedded().pin(Pin::Serial(b.0.serial_hex()));
    assert_eq!(verify_with(&signed, wrong_serial, now()).unwrap_err(), "signature.pin_mismatch");
}

#[test]
fn key_name_must_name_the_embedded_certificate() {
    let a = signer_cert(KeyAlgorithm::Sm2, 52, "Sender", None);
    let signed = signer(&a, None).sign(&unsigned_list(19, 1), &Limits::default()).unwrap();
    // KeyName is outside SignedInfo, so only this check catches a change.
    assert_eq!(code(&replace_text(&signed, "KeyName", "0001")), "signature.key_name_mismatch");
    let upper = replace_text(&signed, "KeyName", &format!("00{}", a.0.serial_hex().to_uppercase()));
    verify(&upper).unwrap();
    let without = signed.replace(&format!("<ds:KeyName>{}</ds:KeyName>", a.0.serial_hex()), "");
    assert_eq!(verify(&without).unwrap().details.key_name, None);
}

#[test]
fn signing_refuses_what_it_cannot_sign() {
    let sm2 = signer_cert(KeyAlgorithm::Sm2, 60, "SM2", None);
    let rsa = signer_cert(KeyAlgorithm::Rsa, 61, "RSA", None);
    let s = signer(&sm2, None);
    let signed = s.sign(&unsigned_list(20, 1), &Limits::default()).unwrap();
    assert!(matches!(s.sign(&signed, &Limits::default()), Err(Error::AlreadySigned { .. })));
    assert!(matches!(s.sign("<a><b></a>", &Limits::default()), Err(Error::Xml(_))));
    assert!(s.sign("<a/>", &Limits::default()).is_err());
    let gbk = b"<?xml version=\"1.0\" encoding=\"GBK\"?><a><b/></a>";
    assert_eq!(s.sign_bytes(gbk, &Limits::default()).unwrap_err().code().as_str(), "signature.signing_failed");
    let bom = [&[0xef, 0xbb, 0xbf][..], unsigned_list(20, 1).as_bytes()].concat();
    verify(&s.sign_bytes(&bom, &Limits::default()).unwrap()).unwrap();
    // The key must match the certificate and the algorithm.
    let e = cbec_dsig::Signer::new(sm2.1.clone(), rsa.0.clone(), SignOptions::for_key(KeyAlgorithm::Sm2)).unwrap_err();
    assert!(matches!(e, Error::KeyCertificateMismatch { .. }));
    let e = cbec_dsig::Signer::new(rsa.1.clone(), rsa.0.clone(), SignOptions::for_key(KeyAlgorithm::Sm2)).unwrap_err();
    assert!(matches!(e, Error::AlgorithmKeyMismatch { .. }), "{e}");
    assert!(e.to_string().contains("sm2-sm3 needs an SM2 key"), "{e}");
}

#[test]
fn a_mismatched_key_kind_names_both() {
    // An RSA certificate under an SM2 SignatureMethod.
    let rsa = signer_cert(KeyAlgorithm::Rsa, 62, "RSA", None);
    let signed = signer(&rsa, None).sign(&unsigned_list(21, 1), &Limits::default()).unwrap();
    let lying = reseal(
        &signed.replace("http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sm2-sm3"),
        &rsa.1,
        SignatureAlgorithm::RsaSha1,
        false,
    );
    let doc = Document::parse(&lying, &Limits::default()).unwrap();
    let e = Verifier::new(Policy::embedded()).verify(&doc, now()).unwrap_err().error;
    assert_eq!(e.code().as_str(), "signature.invalid");
    assert!(e.to_string().contains("sm2-sm3 needs an SM2 key but the certificate holds an RSA-2048 key"), "{e}");
}

#[test]
fn the_certificate_cache_is_shared_across_threads_and_bounded() {
    let signers: Vec<_> = (0..3).map(|i| signer_cert(KeyAlgorithm::Sm2, 70 + i, &format!("S{i}"), None)).collect();
    let docs: Vec<String> = signers
        .iter()
        .enumerate()
        .map(|(i, s)| signer(s, None).sign(&unsigned_list(30 + i as u64, 1), &Limits::default()).unwrap())
        .collect();
    let cache = Arc::new(CertificateCache::new(16));
    let verifier = Arc::new(Verifier::with_cache(Policy::embedded(), cache.clone()));
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (verifier, docs) = (verifier.clone(), &docs);
            scope.spawn(move || {
                for i in 0..12 {
                    let text = &docs[(i + t) % docs.len()];
                    let doc = Document::parse(text, &Limits::default()).unwrap();
                    verifier.verify(&doc, now()).unwrap();
                }
            });
        }
    });
    assert_eq!(cache.len(), 3);
    let small = Arc::new(CertificateCache::new(2));
    let v = Verifier::with_cache(Policy::embedded(), small.clone());
    for text in &docs {
        v.verify(&Document::parse(text, &Limits::default()).unwrap(), now()).unwrap();
    }
    assert_eq!(small.len(), 2);
    assert_eq!(small.capacity(), 2);
}

#[test]
fn a_verified_document_decodes() {
    let sm2 = signer_cert(KeyAlgorithm::Sm2, 80, "SM2", None);
    let signed = signer(&sm2, None).sign(&unsigned_list(40, 2), &Limits::default()).unwrap();
    let doc = Document::parse(&signed, &Limits::default()).unwrap();
    let verifier = Verifier::new(pinned(&sm2.0));
    let verified = verifier.verify(&doc, now()).unwrap();
    let decoded = cbec_ceb::decode_document(verified.document(), false).unwrap();
    assert!(matches!(decoded.message, cbec_ceb::Message::CEB621Message(_)));
    assert!(verified.document().root().child_elements().any(|e| e.is(DSIG, "Signature")));
}
