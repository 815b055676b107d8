//! [`Signer`]: signs a CEB message the way China E-Port UKeys do, for
//! `cbec sign`, test fixtures and the sandbox.
//!
//! The signature is enveloped and covers the whole document: the
//! `ds:Signature` element is inserted as a child of the root where the
//! message's XSD puts it (export messages: after `BaseSubscribe`, before
//! `ExtendMessage`; import messages: after `ExtendMessage`, last), found
//! from the schema tables of `cbec_ceb`. The document text is otherwise
//! left byte for byte as it was; the digest is taken of the document with
//! the signature in place and then excluded, exactly as a verifier does, so
//! the whitespace around the inserted element is covered too.
//!
//! Defaults follow the real UKeys: SM2 keys sign with the W3C-namespace
//! `sm2-sm3` URI over a SHA-1 document digest, RSA keys with `rsa-sha1`;
//! `SignedInfo` is inclusive C14N; the SM2 `SignatureValue` is raw
//! `r || s`; `KeyName` is the certificate serial in hex.

use std::sync::Arc;

use base64::Engine as _;
use cbec_ceb::schema::{self, Content};
use cbec_xml::{DeclaredEncoding, Document, Element, Limits};

use crate::c14n::{self, Method};
use crate::digest::DigestAlgorithm;
use crate::keys::{KeyAlgorithm, SignatureAlgorithm};
use crate::profile::{DSIG_NS, ENVELOPED_SIGNATURE, EXC_C14N_NS};
use crate::verify::{Policy, Verifier};
use crate::{Certificate, CertificateCache, Error, SigningKey};

/// How to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOptions {
    pub algorithm: SignatureAlgorithm,
    pub digest: DigestAlgorithm,
    /// `CanonicalizationMethod` of `SignedInfo`. An exclusive method also
    /// adds the matching C14N transform (without comments) to the
    /// `Reference`.
    pub canonicalization: Method,
}

impl SignOptions {
    /// What a real UKey does for this kind of key: `sm2-sm3` or `rsa-sha1`,
    /// both with a SHA-1 document digest and inclusive C14N.
    pub fn for_key(alg: KeyAlgorithm) -> SignOptions {
        let algorithm = match alg {
            KeyAlgorithm::Sm2 => SignatureAlgorithm::Sm2Sm3,
            KeyAlgorithm::Rsa => SignatureAlgorithm::RsaSha1,
        };
        SignOptions { algorithm, digest: DigestAlgorithm::Sha1, canonicalization: Method::Inclusive }
    }
}

/// A private key with its certificate, ready to sign messages.
#[derive(Debug, Clone)]
pub struct Signer {
    key: SigningKey,
    certificate: Certificate,
    options: SignOptions,
    /// Checks every signature made, with the signer's certificate (and its
    /// prepared key) cached once.
    check: Arc<Verifier>,
}

fn failed(reason: impl Into<String>) -> Error {
    Error::SigningFailed { reason: reason.into() }
}

impl Signer {
    /// Checks that the key belongs to the certificate and fits the
    /// algorithm.
    pub fn new(key: SigningKey, certificate: Certificate, options: SignOptions) -> Result<Signer, Error> {
        if key.public_key_der()? != certificate.public_key_der() {
            return Err(Error::KeyCertificateMismatch { serial: certificate.serial_hex() });
        }
        let needed = options.algorithm.key_algorithm();
        if needed != key.algorithm() {
            return Err(Error::AlgorithmKeyMismatch {
                algorithm: options.algorithm.name(),
                needed: needed.name(),
                actual: key.algorithm().name(),
            });
        }
        let check = Arc::new(Verifier::with_cache(Policy::embedded(), Arc::new(CertificateCache::new(1))));
        Ok(Signer { key, certificate, options, check })
    }

    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    pub fn options(&self) -> &SignOptions {
        &self.options
    }

    /// Signs a message given as bytes (UTF-8, with or without BOM; other
    /// encodings are refused, since the output is UTF-8). Returns the signed
    /// document as UTF-8 text, without a BOM.
    pub fn sign_bytes(&self, bytes: &[u8], limits: &Limits) -> Result<String, Error> {
        let (text, encoding) = cbec_xml::decode_input(bytes, limits.max_bytes).map_err(Error::Xml)?;
        if encoding != DeclaredEncoding::Utf8 {
            return Err(failed(format!(
                "the message is encoded as {encoding:?}; re-encode it as UTF-8 before signing"
            )));
        }
        self.sign(&text, limits)
    }

    /// Signs a message held as text and returns the signed text.
    pub fn sign(&self, text: &str, limits: &Limits) -> Result<String, Error> {
        let doc = Document::parse(text, limits).map_err(Error::Xml)?;
        if let Some(existing) = crate::profile::find_signatures(&doc).first() {
            return Err(Error::AlreadySigned { line: existing.line() });
        }
        let (offset, before, after) = insertion_point(&doc)?;

        let (head, mid, tail) = self.template();
        let mut signed = String::with_capacity(text.len() + head.len() + mid.len() + tail.len() + 512);
        signed.push_str(&text[..offset]);
        signed.push_str(&before);
        signed.push_str(&head);
        let digest_at = signed.len();
        signed.push_str(&mid);
        signed.push_str(&tail);
        signed.push_str(&after);
        signed.push_str(&text[offset..]);

        // Digest the document with the signature in place, excluding it.
        let digest = {
            let doc = Document::parse(&signed, limits).map_err(Error::Xml)?;
            let sig = signature_of(&doc)?;
            let mut h = self.options.digest.hasher();
            c14n::canonicalize_document(&doc, &self.reference_method(), Some(sig.id()), &mut h);
            base64::engine::general_purpose::STANDARD.encode(h.finish())
        };
        signed.insert_str(digest_at, &digest);
        let value_at = digest_at + digest.len() + mid.len();

        let value = {
            let doc = Document::parse(&signed, limits).map_err(Error::Xml)?;
            let sig = signature_of(&doc)?;
            let si = sig
                .child_elements()
                .find(|e| e.is(DSIG_NS, "SignedInfo"))
                .ok_or_else(|| failed("the template lost its SignedInfo"))?;
            let mut canonical = Vec::with_capacity(1024);
            c14n::canonicalize_subtree(&doc, si.id(), &self.options.canonicalization, &mut canonical);
            let raw = self.key.sign(self.options.algorithm, &canonical)?;
            base64::engine::general_purpose::STANDARD.encode(raw)
        };
        signed.insert_str(value_at, &value);

        // Never hand out a signature our own verifier would refuse.
        let doc = Document::parse(&signed, limits).map_err(Error::Xml)?;
        self.check
            .verify(&doc, self.certificate.not_before())
            .map_err(|r| failed(format!("the signed document does not verify: {}", r.error)))?;
        Ok(signed)
    }

    /// The C14N that digests the document (comments never count).
    fn reference_method(&self) -> Method {
        match &self.options.canonicalization {
            Method::Exclusive { inclusive_prefixes } | Method::ExclusiveWithComments { inclusive_prefixes } => {
                Method::Exclusive { inclusive_prefixes: inclusive_prefixes.clone() }
            }
            Method::Inclusive | Method::InclusiveWithComments => Method::Inclusive,
        }
    }

    /// The signature element in three pieces: up to the `DigestValue`
    /// text, from there to the `SignatureValue` text, and the rest.
    fn template(&self) -> (String, String, String) {
        let method = |m: &Method, name: &str| {
            let prefixes = m.inclusive_prefixes();
            if prefixes.is_empty() {
                format!("<ds:{name} Algorithm=\"{}\"></ds:{name}>", m.uri())
            } else {
                format!(
                    "<ds:{name} Algorithm=\"{}\"><ec:InclusiveNamespaces xmlns:ec=\"{EXC_C14N_NS}\" PrefixList=\"{}\"></ec:InclusiveNamespaces></ds:{name}>",
                    m.uri(),
                    cbec_xml::escape_attr(&prefixes.join(" "))
                )
            }
        };
        let mut head = format!("<ds:Signature xmlns:ds=\"{DSIG_NS}\"><ds:SignedInfo>");
        head.push_str(&method(&self.options.canonicalization, "CanonicalizationMethod"));
        head.push_str(&format!(
            "<ds:SignatureMethod Algorithm=\"{}\"></ds:SignatureMethod><ds:Reference URI=\"\"><ds:Transforms><ds:Transform Algorithm=\"{ENVELOPED_SIGNATURE}\"></ds:Transform>",
            self.options.algorithm.uri()
        ));
        if self.options.canonicalization.is_exclusive() {
            head.push_str(&method(&self.reference_method(), "Transform"));
        }
        head.push_str(&format!(
            "</ds:Transforms><ds:DigestMethod Algorithm=\"{}\"></ds:DigestMethod><ds:DigestValue>",
            self.options.digest.uri()
        ));
        let mid = "</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>".to_owned();
        let tail = format!(
            "</ds:SignatureValue><ds:KeyInfo><ds:KeyName>{}</ds:KeyName><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>",
            self.certificate.serial_hex(),
            self.certificate.to_base64()
        );
        (head, mid, tail)
    }
}

fn signature_of<'d, 'a>(doc: &'d Document<'a>) -> Result<Element<'d, 'a>, Error> {
    doc.root()
        .child_elements()
        .find(|e| e.is(DSIG_NS, "Signature"))
        .ok_or_else(|| failed("the signature was not inserted"))
}

fn is_blank(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t'))
}

/// The indentation of the line `offset` is on, if only blanks precede it.
fn indentation(src: &str, offset: usize) -> Option<&str> {
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &src[line_start..offset];
    (line_start > 0 && is_blank(prefix)).then_some(prefix)
}

/// Where `ds:Signature` goes in this document, and the whitespace to put
/// before and after it so the result stays indented like its siblings.
fn insertion_point(doc: &Document<'_>) -> Result<(usize, String, String), Error> {
    let src = doc.source();
    let root = doc.root();
    let children: Vec<Element<'_, '_>> = root.child_elements().collect();

    // The position of each child in the root's XSD sequence, and that of
    // the signature; unknown roots (not CEB, not DXP) get it last.
    let next = schema::find_root(root.namespace(), root.local_name()).and_then(|(schema, decl)| {
        let Content::Complex { parts, .. } = &decl.content else {
            return None;
        };
        let index_of = |e: &Element<'_, '_>| {
            parts.iter().position(|p| {
                let d = &schema.elements[p.elem];
                d.name == e.local_name() && e.namespace() == Some(d.ns)
            })
        };
        let sig = parts.iter().position(|p| matches!(schema.elements[p.elem].content, Content::Signature))?;
        children.iter().find(|c| index_of(c).is_some_and(|i| i > sig)).copied()
    });

    if let Some(next) = next {
        let offset = next.offset();
        return Ok(match indentation(src, offset) {
            Some(indent) => (offset, String::new(), format!("\n{indent}")),
            None => (offset, String::new(), String::new()),
        });
    }

    // Before the root's end tag: find it between the last child and the
    // first node after the root.
    let root_id = root.id();
    let epilog = doc.top_level().skip_while(|&id| id != root_id).nth(1).map_or(src.len(), |id| doc.offset(id));
    let end_tag = format!("</{}", root.qname());
    let end = src[..epilog]
        .rfind(&end_tag)
        .filter(|&at| at > root.offset() && root.children().next().is_some())
        .ok_or_else(|| failed("the root element is empty; there is nothing to sign"))?;
    let child_indent = children.last().and_then(|c| indentation(src, c.offset())).unwrap_or("");
    let line_start = src[..end].rfind('\n').map(|i| i + 1);
    match line_start {
        Some(ls) if is_blank(&src[ls..end]) => Ok((ls, child_indent.to_owned(), "\n".to_owned())),
        _ => Ok((end, String::new(), String::new())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn placement_follows_the_xsd() {
        let import = r#"<ceb:CEB621Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0">
  <ceb:Inventory/>
  <ceb:BaseTransfer/>
  <ceb:ExtendMessage/>
</ceb:CEB621Message>"#;
        let doc = Document::parse(import, &Limits::default()).unwrap();
        let (off, before, after) = insertion_point(&doc).unwrap();
        assert_eq!(&import[off..], "</ceb:CEB621Message>");
        assert_eq!((before.as_str(), after.as_str()), ("  ", "\n"));

        let export = r#"<ceb:CEB303Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0">
    <ceb:Order/>
    <ceb:BaseTransfer/>
    <ceb:ExtendMessage/>
</ceb:CEB303Message>"#;
        let doc = Document::parse(export, &Limits::default()).unwrap();
        let (off, before, after) = insertion_point(&doc).unwrap();
        assert!(export[off..].starts_with("<ceb:ExtendMessage/>"));
        assert_eq!((before.as_str(), after.as_str()), ("", "\n    "));
    }

    #[test]
    fn compact_documents_get_no_whitespace() {
        let text = r#"<a:X xmlns:a="urn:x"><a:y/></a:X>"#;
        let doc = Document::parse(text, &Limits::default()).unwrap();
        let (off, before, after) = insertion_point(&doc).unwrap();
        assert_eq!(&text[off..], "</a:X>");
        assert_eq!((before.as_str(), after.as_str()), ("", ""));
        let empty = Document::parse("<a/>", &Limits::default()).unwrap();
        assert!(insertion_point(&empty).is_err());
    }
}
