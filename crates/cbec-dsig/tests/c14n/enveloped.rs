//! The enveloped-signature transform on the real Hainan vectors (domain
//! README §3.7), digested straight from the sink.

use base64::Engine as _;
use cbec_dsig::c14n::{self, Method, Sink};
use cbec_xml::{Document, Element};
use sha1::{Digest as _, Sha1};

use crate::support;

const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// A SHA-1 digest fed by the canonicalizer, as the verifier will do.
struct Sha1Sink(Sha1);

impl Sink for Sha1Sink {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

fn sample(name: &str) -> String {
    support::read_text(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/samples/real").join(name))
}

fn signature<'d, 'a>(doc: &'d Document<'a>) -> Element<'d, 'a> {
    doc.root().child_elements().find(|e| e.is(DSIG_NS, "Signature")).expect("a ds:Signature child of the root")
}

fn digest(doc: &Document<'_>, exclude: Option<cbec_xml::NodeId>) -> String {
    let mut sink = Sha1Sink(Sha1::new());
    c14n::canonicalize_document(doc, &Method::Inclusive, exclude, &mut sink);
    // The streamed digest equals the digest of the buffered form.
    let mut buffered = Vec::new();
    c14n::canonicalize_document(doc, &Method::Inclusive, exclude, &mut buffered);
    let streamed = sink.0.finalize();
    assert_eq!(streamed, Sha1::digest(&buffered));
    base64::engine::general_purpose::STANDARD.encode(streamed)
}

fn digest_value<'d>(sig: Element<'d, '_>) -> String {
    let si = sig.child_elements().find(|e| e.is(DSIG_NS, "SignedInfo")).unwrap();
    let reference = si.child_elements().find(|e| e.is(DSIG_NS, "Reference")).unwrap();
    reference.child_elements().find(|e| e.is(DSIG_NS, "DigestValue")).unwrap().text().into_owned()
}

#[test]
fn unsigned_hainan_digest_is_the_published_digest_value() {
    let text = sample("CEB621Message_unsigned_hainan.xml");
    let doc = support::parse(&text);
    assert_eq!(digest(&doc, None), "b2FtM/jHvW4fnJpMMPWk/177RwA=");
}

#[test]
fn signed_hainan_without_its_signature_differs_by_the_inserted_whitespace() {
    let text = sample("CEB621Message_signed_hainan.xml");
    let doc = support::parse(&text);
    let sig = signature(&doc);
    assert_eq!(digest_value(sig), "b2FtM/jHvW4fnJpMMPWk/177RwA=");
    assert_eq!(digest(&doc, Some(sig.id())), "KXuab/ys6G4FY+2jmflg0im9S7g=");
    // Keeping the signature changes the digest: the exclusion is real.
    assert_ne!(digest(&doc, None), "KXuab/ys6G4FY+2jmflg0im9S7g=");
}

#[test]
fn sm2_ukey_vector_reference_digest_verifies() {
    let text = sample("CEB621Message_sm2_eport_ukey.xml");
    let doc = support::parse(&text);
    let sig = signature(&doc);
    assert_eq!(digest(&doc, Some(sig.id())), digest_value(sig));
    assert_eq!(digest_value(sig), "b2FtM/jHvW4fnJpMMPWk/177RwA=");
    // SignedInfo carries the namespaces in scope from the root and from
    // ds:Signature, as the UKey signed it (§3.7).
    let si = sig.child_elements().find(|e| e.is(DSIG_NS, "SignedInfo")).unwrap();
    let mut out = Vec::new();
    c14n::canonicalize_subtree(&doc, si.id(), &Method::Inclusive, &mut out);
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.starts_with(r#"<ds:SignedInfo xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"></ds:CanonicalizationMethod>"#),
        "{out}"
    );
    assert!(out.ends_with("</ds:Reference></ds:SignedInfo>"), "{out}");
}
