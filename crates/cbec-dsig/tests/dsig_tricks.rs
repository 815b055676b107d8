//! Signature tricks, one test each: every variant is refused with the code
//! that names it, or, where a change is harmless by construction (comments
//! that C14N drops, C14N-equivalent rewrites), shown to be harmless.
//! Several tricks are "resealed" (digest and signature recomputed by a
//! naive signer) to show that the profile, not a failing digest, refuses
//! them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "dsig_support.rs"]
mod support;

use cbec_dsig::{KeyAlgorithm, Policy, SignatureAlgorithm, Trust, TrustStore};
use cbec_xml::{Document, Limits};
use support::*;

const EXTEND: &str = "<ceb:ExtendMessage><ceb:name>ext</ceb:name><ceb:version>1</ceb:version><ceb:Message><x xmlns=\"urn:x\">1</x></ceb:Message></ceb:ExtendMessage>";
const ENVELOPED: &str =
    "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>";

struct Case {
    signed: String,
    who: (cbec_dsig::Certificate, cbec_dsig::SigningKey),
}

impl Case {
    fn new() -> Case {
        let unsigned =
            unsigned_list(99, 2).replacen("</ceb:BaseTransfer>", &format!("</ceb:BaseTransfer>\n  {EXTEND}"), 1);
        let who = signer_cert(KeyAlgorithm::Sm2, 7, "Honest Sender", None);
        let signed = signer(&who, None).sign(&unsigned, &Limits::default()).unwrap();
        verify(&signed).unwrap();
        Case { signed, who }
    }

    fn signature(&self) -> &str {
        let start = self.signed.find("<ds:Signature").unwrap();
        let end = self.signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
        &self.signed[start..end]
    }

    /// Recomputes digest and signature as a naive signer would.
    fn reseal(&self, text: &str) -> String {
        reseal(text, &self.who.1, SignatureAlgorithm::Sm2Sm3, false)
    }

    /// The signed document with `from` replaced by `to` in the signature,
    /// resealed.
    fn edit_signature(&self, from: &str, to: &str) -> String {
        assert!(self.signature().contains(from), "{from}");
        self.reseal(&self.signed.replacen(from, to, 1))
    }
}

#[test]
fn no_signature_at_all() {
    let c = Case::new();
    assert_eq!(code(&strip_signature(&c.signed)), "signature.missing");
}

#[test]
fn signature_moved_into_extend_message() {
    let c = Case::new();
    let moved = strip_signature(&c.signed).replacen("<x xmlns=\"urn:x\">1</x>", c.signature(), 1);
    assert_eq!(code(&moved), "signature.misplaced");
    assert_eq!(code(&c.reseal(&moved)), "signature.misplaced");
}

#[test]
fn signature_copied_into_extend_message() {
    let c = Case::new();
    let copied = c.signed.replacen("<x xmlns=\"urn:x\">1</x>", c.signature(), 1);
    assert_eq!(code(&copied), "signature.multiple");
    // A default-namespace stub counts as a signature too: matching is by
    // namespace, not prefix.
    let stub =
        c.signed.replacen("<x xmlns=\"urn:x\">1</x>", "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>", 1);
    assert_eq!(code(&stub), "signature.multiple");
}

#[test]
fn signature_nested_in_a_business_element() {
    let c = Case::new();
    let nested = strip_signature(&c.signed).replacen(
        "</ceb:InventoryHead>",
        &format!("</ceb:InventoryHead>{}", c.signature()),
        1,
    );
    assert_eq!(code(&nested), "signature.misplaced");
}

#[test]
fn duplicated_business_element() {
    let c = Case::new();
    let start = c.signed.find("<ceb:Inventory>").unwrap();
    let end = c.signed.find("</ceb:Inventory>").unwrap() + "</ceb:Inventory>".len();
    let inventory = &c.signed[start..end];
    let doubled = c.signed.replacen(inventory, &format!("{inventory}{inventory}"), 1);
    assert_eq!(code(&doubled), "signature.digest_mismatch");
    // An altered copy placed first, so a reader taking the first one sees it.
    let altered = inventory.replacen("<ceb:qty>", "<ceb:qty>9", 1);
    let prepended = c.signed.replacen(inventory, &format!("{altered}{inventory}"), 1);
    assert_eq!(code(&prepended), "signature.digest_mismatch");
}

#[test]
fn signed_document_wrapped_inside_a_forged_one() {
    let c = Case::new();
    let original = c.signed.trim_start_matches(|ch| ch != '<');
    let original = original.strip_prefix("<?xml").map_or(original, |r| &r[r.find("?>").unwrap() + 2..]).trim_start();
    // The forged outer message carries the genuine signed one in its
    // ExtendMessage: the only signature is not a child of the root.
    let forged = strip_signature(&c.signed).replacen("<ceb:qty>", "<ceb:qty>9", 1).replacen(
        "<x xmlns=\"urn:x\">1</x>",
        original,
        1,
    );
    assert_eq!(code(&forged), "signature.misplaced");
    // Signed again by the attacker: now there are two signatures.
    let attacker = signer_cert(KeyAlgorithm::Sm2, 666, "Attacker", None);
    let outer_sig = signer(&attacker, None)
        .sign(&strip_signature(&c.signed).replacen("<ceb:qty>", "<ceb:qty>9", 1), &Limits::default())
        .unwrap();
    let both = outer_sig.replacen("<x xmlns=\"urn:x\">1</x>", original, 1);
    assert_eq!(code(&both), "signature.multiple");
}

#[test]
fn reference_uris_other_than_empty() {
    let c = Case::new();
    for uri in ["#xpointer(/)", "#CEB621", "other.xml", "http://example.com/doc.xml"] {
        let t = c.edit_signature("<ds:Reference URI=\"\">", &format!("<ds:Reference URI=\"{uri}\">"));
        assert_eq!(code(&t), "signature.profile", "{uri}");
    }
    let t = c.edit_signature("<ds:Reference URI=\"\">", "<ds:Reference>");
    assert_eq!(code(&t), "signature.profile");
    // Harmless attributes the schema allows are fine.
    let t = c.edit_signature("<ds:Reference URI=\"\">", "<ds:Reference URI=\"\" Id=\"r1\" Type=\"urn:t\">");
    verify(&t).unwrap();
}

#[test]
fn more_than_one_reference() {
    let c = Case::new();
    let reference = {
        let s = c.signature();
        let start = s.find("<ds:Reference").unwrap();
        let end = s.find("</ds:Reference>").unwrap() + "</ds:Reference>".len();
        s[start..end].to_owned()
    };
    let t = c.edit_signature(&reference, &format!("{reference}{reference}"));
    assert_eq!(code(&t), "signature.profile");
}

#[test]
fn transforms_other_than_enveloped_plus_c14n() {
    let c = Case::new();
    let xpath = "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"><ds:XPath>not(ancestor-or-self::ceb:Inventory)</ds:XPath></ds:Transform>";
    let xslt = "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"></ds:Transform>";
    let c14n = "<ds:Transform Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"></ds:Transform>";
    let c14n11 = "<ds:Transform Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"></ds:Transform>";
    let base64 = "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#base64\"></ds:Transform>";
    for transforms in [
        format!("{ENVELOPED}{xpath}"),
        format!("{ENVELOPED}{xslt}"),
        format!("{ENVELOPED}{base64}"),
        format!("{ENVELOPED}{c14n11}"),
        c14n.to_owned(),
        format!("{c14n}{ENVELOPED}"),
        format!("{ENVELOPED}{ENVELOPED}"),
        format!("{ENVELOPED}{c14n}{c14n}"),
        String::new(),
    ] {
        let t = c.edit_signature(
            &format!("<ds:Transforms>{ENVELOPED}</ds:Transforms>"),
            &format!("<ds:Transforms>{transforms}</ds:Transforms>"),
        );
        assert_eq!(code(&t), "signature.profile", "{transforms}");
    }
    let t = c.edit_signature(&format!("<ds:Transforms>{ENVELOPED}</ds:Transforms>"), "");
    assert_eq!(code(&t), "signature.profile", "no Transforms");
    // Enveloped followed by one C14N is the profile.
    let t = c.edit_signature(ENVELOPED, &format!("{ENVELOPED}{c14n}"));
    verify(&t).unwrap();
}

#[test]
fn comments_never_enter_the_document_digest() {
    // A same-document URI="" excludes comments even under a
    // WithComments transform (XML-DSig §4.3.3.3), so a comment added
    // anywhere in the business content changes nothing that is signed.
    let c = Case::new();
    let with_comments =
        "<ds:Transform Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments\"></ds:Transform>";
    let t = c.edit_signature(ENVELOPED, &format!("{ENVELOPED}{with_comments}"));
    verify(&t).unwrap();
    let commented = t.replacen("<ceb:orderNo>", "<ceb:orderNo><!-- hello -->", 1);
    verify(&commented).unwrap();
}

#[test]
fn a_comment_inside_a_business_value_does_not_change_what_is_read() {
    let c = Case::new();
    let start = c.signed.find("<ceb:orderNo>").unwrap() + "<ceb:orderNo>".len();
    let end = start + c.signed[start..].find('<').unwrap();
    let order_no = &c.signed[start..end];
    let (a, b) = order_no.split_at(order_no.len() / 2);
    let split = format!("{}{a}<!--x-->{b}{}", &c.signed[..start], &c.signed[end..]);
    verify(&split).unwrap();
    let doc = Document::parse(&split, &Limits::default()).unwrap();
    let read = all_elements(&doc).into_iter().find(|e| e.local_name() == "orderNo").unwrap().text().into_owned();
    assert_eq!(read, order_no);
}

fn all_elements<'d, 'a>(doc: &'d Document<'a>) -> Vec<cbec_xml::Element<'d, 'a>> {
    descendants(doc.root())
}

#[test]
fn a_processing_instruction_in_the_content_is_a_digest_mismatch() {
    let c = Case::new();
    let t = c.signed.replacen("<ceb:orderNo>", "<ceb:orderNo><?pi data?>", 1);
    assert_eq!(code(&t), "signature.digest_mismatch");
}

#[test]
fn comments_inside_signed_info() {
    let c = Case::new();
    // Harmless with a canonicalization without comments.
    let t = c.signed.replacen("<ds:SignedInfo>", "<ds:SignedInfo><!-- note -->", 1);
    verify(&t).unwrap();
    // Signed with comments, an added comment breaks the signature.
    let with = c.edit_signature(
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"></ds:CanonicalizationMethod>",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments\"></ds:CanonicalizationMethod>",
    );
    verify(&with).unwrap();
    let t = with.replacen("<ds:SignedInfo>", "<ds:SignedInfo><!-- note -->", 1);
    assert_eq!(code(&t), "signature.invalid");
}

#[test]
fn c14n_equivalent_rewrites_still_verify() {
    let c = Case::new();
    let t =
        c.signed.replacen("version=\"1.0\"", "version='1.0'", 1).replacen("<ceb:appType>1<", "<ceb:appType>&#x31;<", 1);
    assert_ne!(t, c.signed);
    verify(&t).unwrap();
}

#[test]
fn object_elements_are_refused() {
    let c = Case::new();
    let object = "<ds:Object><ceb:Inventory xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"/></ds:Object>";
    let after = c.signed.replacen("</ds:KeyInfo>", &format!("</ds:KeyInfo>{object}"), 1);
    assert_eq!(code(&after), "signature.profile");
    let before = c.signed.replacen("<ds:KeyInfo>", &format!("{object}<ds:KeyInfo>"), 1);
    assert_eq!(code(&before), "signature.profile");
}

#[test]
fn key_info_holds_only_key_name_and_one_certificate() {
    let c = Case::new();
    let cert = c.who.0.to_base64();
    let x509 = format!("<ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data>");
    let cases = [
        format!("<ds:RetrievalMethod URI=\"http://example.com/cert\"></ds:RetrievalMethod>{x509}"),
        format!("<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AA==</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>{x509}"),
        format!("<ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data>"),
        "<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>CN=x</ds:X509IssuerName><ds:X509SerialNumber>1</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>".to_owned(),
        format!("{x509}{x509}"),
    ];
    let original = {
        let s = c.signature();
        let start = s.find("<ds:X509Data>").unwrap();
        let end = s.find("</ds:X509Data>").unwrap() + "</ds:X509Data>".len();
        s[start..end].to_owned()
    };
    for replacement in cases {
        let t = c.signed.replacen(&original, &replacement, 1);
        assert_eq!(code(&t), "signature.profile", "{replacement}");
    }
    let t = c.signed.replacen(&original, "", 1);
    assert_eq!(code(&t), "signature.malformed");
}

#[test]
fn structural_damage_is_malformed() {
    let c = Case::new();
    let value = {
        let s = c.signature();
        let start = s.find("<ds:SignatureValue>").unwrap();
        let end = s.find("</ds:SignatureValue>").unwrap() + "</ds:SignatureValue>".len();
        s[start..end].to_owned()
    };
    assert_eq!(code(&c.signed.replacen(&value, "", 1)), "signature.malformed");
    assert_eq!(code(&c.signed.replacen("<ds:SignedInfo>", "stray text<ds:SignedInfo>", 1)), "signature.malformed");
    assert_eq!(code(&replace_text(&c.signed, "DigestValue", "not base64!")), "signature.malformed");
    let no_alg = c.signed.replacen("<ds:SignatureMethod Algorithm=", "<ds:SignatureMethod Other=", 1);
    assert_eq!(code(&no_alg), "signature.malformed");
}

#[test]
fn unsupported_algorithms_are_named() {
    let c = Case::new();
    for (from, to) in [
        ("http://www.w3.org/2000/09/xmldsig#sm2-sm3", "http://www.w3.org/2000/09/xmldsig#hmac-sha1"),
        ("http://www.w3.org/2000/09/xmldsig#sha1", "http://www.w3.org/2001/04/xmldsig-more#md5"),
        ("http://www.w3.org/TR/2001/REC-xml-c14n-20010315", "http://www.w3.org/2006/12/xml-c14n11"),
    ] {
        let t = c.signed.replacen(from, to, 1);
        let doc = Document::parse(&t, &Limits::default()).unwrap();
        let e = cbec_dsig::Verifier::new(Policy::embedded()).verify(&doc, now()).unwrap_err().error;
        assert_eq!(e.code().as_str(), "signature.unsupported_algorithm");
        assert!(e.to_string().contains(to), "{e}");
    }
    // An HMAC output length (a truncation trick) is refused as such.
    let t = c.signed.replacen(
        "#sm2-sm3\"></ds:SignatureMethod>",
        "#sm2-sm3\"><ds:HMACOutputLength>8</ds:HMACOutputLength></ds:SignatureMethod>",
        1,
    );
    assert_eq!(code(&t), "signature.profile");
}

#[test]
fn doctype_and_entities_are_refused_before_anything_else() {
    let c = Case::new();
    let with_dtd = format!(
        "<!DOCTYPE x [<!ENTITY e \"1\">]>{}",
        c.signed.trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    );
    assert!(verify(&with_dtd).unwrap_err().starts_with("xml:"), "the parser refuses it");
    let doc = cbec_xml::decode_input(with_dtd.as_bytes(), usize::MAX).unwrap().0.into_owned();
    let e = cbec_dsig::Verifier::new(Policy::embedded())
        .verify_bytes(doc.as_bytes(), &Limits::default(), now())
        .unwrap_err()
        .error;
    assert_eq!(e.code().as_str(), "xml.dtd_forbidden");
    assert_eq!(e.spec_code(), 1);
}

#[test]
fn an_attacker_resigning_with_another_key() {
    let c = Case::new();
    let attacker = signer_cert(KeyAlgorithm::Sm2, 666, "Honest Sender", None);
    let forged = signer(&attacker, None)
        .sign(&strip_signature(&c.signed).replacen("<ceb:qty>", "<ceb:qty>9", 1), &Limits::default())
        .unwrap();
    // Valid under its own embedded certificate, which is why that mode
    // reports it as untrusted...
    assert_eq!(verify(&forged).unwrap().trust, Trust::Untrusted);
    // ...and why a pinned certificate or a trust anchor refuses it.
    assert_eq!(verify_with(&forged, pinned(&c.who.0), now()).unwrap_err(), "signature.pin_mismatch");
    let anchor = ca(KeyAlgorithm::Sm2, 8, "Real CA");
    let policy = Policy::embedded().trust(TrustStore::new(vec![anchor.0]));
    assert_eq!(verify_with(&forged, policy, now()).unwrap_err(), "signature.untrusted_issuer");
}

#[test]
fn swapped_certificate_or_altered_value() {
    let c = Case::new();
    let other = signer_cert(KeyAlgorithm::Sm2, 9, "Other", None);
    let swapped = replace_text(&c.signed, "X509Certificate", &other.0.to_base64());
    let swapped = replace_text(&swapped, "KeyName", &other.0.serial_hex());
    assert_eq!(code(&swapped), "signature.invalid");
    let value = c.signed.split("<ds:SignatureValue>").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let flipped = format!("{}{}", if value.starts_with('A') { "B" } else { "A" }, &value[1..]);
    assert_eq!(code(&replace_text(&c.signed, "SignatureValue", &flipped)), "signature.invalid");
    assert_eq!(code(&replace_text(&c.signed, "SignatureValue", "AAAA")), "signature.invalid");
}

#[test]
fn other_prefixes_are_fine() {
    let c = Case::new();
    let renamed = c.signed.replace("ds:", "dsig:").replace("xmlns:ds=", "xmlns:dsig=");
    // The prefix is part of the signed SignedInfo, so renaming alone breaks
    // the signature value (but nothing is misread)...
    assert_eq!(code(&renamed), "signature.invalid");
    // ...and signed with that prefix it verifies: matching is by namespace.
    let resealed = reseal(&renamed, &c.who.1, SignatureAlgorithm::Sm2Sm3, false);
    assert!(resealed.contains("<dsig:SignedInfo>"));
    verify(&resealed).unwrap();
}
