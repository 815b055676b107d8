//! The CEB signature profile: what a `ds:Signature` must look like before
//! any cryptography is attempted.
//!
//! CEB messages are signed whole (domain README §3.7): one enveloped
//! XML-DSig signature, a child of the root element, with one `Reference`
//! whose `URI=""` names the whole document, the enveloped-signature
//! transform (optionally followed by one canonicalization), and a `KeyInfo`
//! carrying the signing certificate. Accepting only that shape is what
//! defeats the classic XML-DSig tricks: with no ID references there is
//! nothing to wrap, so [`parse`] refuses every other shape up front, each
//! with an error naming what it found:
//!
//! - no `ds:Signature`, or more than one anywhere in the document (a second
//!   one hidden in `ExtendMessage` could be what a careless reader uses);
//! - a `ds:Signature` that is not a direct child of the root;
//! - `Reference` URIs other than `""`, more than one `Reference`, transforms
//!   other than enveloped-signature plus an optional C14N, `ds:Object`
//!   (and with it `Manifest`), `KeyInfo` children other than `KeyName` and
//!   one `X509Data/X509Certificate` (no `RetrievalMethod`, no `KeyValue`);
//! - unknown algorithms, named by their URI.
//!
//! Comments and processing instructions may appear: with `URI=""` the
//! digested node-set never contains comments, and anything inside
//! `SignedInfo` is covered by the signature itself.

use base64::Engine as _;
use cbec_xml::{Document, Element, NodeId, NodeKind};

use crate::Error;
use crate::c14n::{self, Method};
use crate::digest::DigestAlgorithm;
use crate::keys::SignatureAlgorithm;

/// The XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The enveloped-signature transform.
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// The namespace of `ec:InclusiveNamespaces` (exclusive C14N).
pub const EXC_C14N_NS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// A `ds:Signature` that fits the profile, taken apart.
#[derive(Debug, Clone)]
pub struct SignatureParts {
    /// The `ds:Signature` element (excluded from the document digest).
    pub signature: NodeId,
    /// The `ds:SignedInfo` element (canonicalized and signed).
    pub signed_info: NodeId,
    /// `CanonicalizationMethod` of `SignedInfo`.
    pub canonicalization: Method,
    pub signature_method_uri: String,
    pub signature_algorithm: SignatureAlgorithm,
    /// How the referenced document is canonicalized for its digest: the
    /// C14N transform if there is one, else inclusive C14N, and never with
    /// comments (a same-document `URI=""` excludes them).
    pub reference_canonicalization: Method,
    pub digest_method_uri: String,
    pub digest_algorithm: DigestAlgorithm,
    pub digest_value: Vec<u8>,
    pub signature_value: Vec<u8>,
    /// `KeyName`, trimmed, when present.
    pub key_name: Option<String>,
    /// The `X509Certificate` text (base64, not yet decoded).
    pub certificate_base64: String,
}

fn malformed(what: impl Into<String>, el: &Element<'_, '_>) -> Error {
    Error::SignatureMalformed { what: what.into(), line: el.line() }
}

fn profile(what: impl Into<String>, el: &Element<'_, '_>) -> Error {
    Error::ProfileViolation { what: what.into(), line: el.line() }
}

/// Every `ds:Signature` element of the document, in document order.
pub fn find_signatures<'d, 'a>(doc: &'d Document<'a>) -> Vec<Element<'d, 'a>> {
    let mut found = Vec::new();
    let mut stack = vec![doc.root()];
    while let Some(el) = stack.pop() {
        if el.is(DSIG_NS, "Signature") {
            found.push(el);
        }
        let before = stack.len();
        stack.extend(el.child_elements());
        stack[before..].reverse();
    }
    found
}

/// The element children of `el`, refusing non-whitespace text (comments
/// and processing instructions are skipped).
fn element_children<'d, 'a>(el: Element<'d, 'a>) -> Result<Vec<Element<'d, 'a>>, Error> {
    let doc = el.document();
    let mut out = Vec::new();
    for id in el.children() {
        match doc.kind(id) {
            NodeKind::Element(e) => out.push(e),
            NodeKind::Text(t) if t.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) => {}
            NodeKind::Text(_) => return Err(malformed(format!("text inside {}", el.qname()), &el)),
            NodeKind::Comment(_) | NodeKind::Pi { .. } => {}
        }
    }
    Ok(out)
}

/// Refuses attributes other than `allowed` (in no namespace).
fn check_attributes(el: &Element<'_, '_>, allowed: &[&str]) -> Result<(), Error> {
    for a in el.attributes() {
        if el.attribute_namespace(a).is_some() || !allowed.contains(&a.qname) {
            return Err(malformed(format!("unexpected attribute {} on {}", a.qname, el.qname()), el));
        }
    }
    Ok(())
}

/// Checks that `el` is `ds:{local}`.
fn expect<'d, 'a>(
    el: Option<&Element<'d, 'a>>,
    local: &str,
    parent: &Element<'d, 'a>,
) -> Result<Element<'d, 'a>, Error> {
    match el {
        Some(e) if e.is(DSIG_NS, local) => Ok(*e),
        Some(e) => Err(malformed(format!("found {} where ds:{local} belongs in {}", e.qname(), parent.qname()), e)),
        None => Err(malformed(format!("ds:{local} is missing from {}", parent.qname()), parent)),
    }
}

fn algorithm<'d>(el: &Element<'d, '_>) -> Result<&'d str, Error> {
    el.attribute("Algorithm").ok_or_else(|| malformed(format!("{} has no Algorithm", el.qname()), el))
}

/// Text content with no element children, for leaf elements.
fn leaf_text(el: &Element<'_, '_>) -> Result<String, Error> {
    if let Some(child) = el.child_elements().next() {
        return Err(malformed(format!("{} inside {}, which must hold text only", child.qname(), el.qname()), &child));
    }
    Ok(el.text().into_owned())
}

fn base64_value(el: &Element<'_, '_>) -> Result<Vec<u8>, Error> {
    let text = leaf_text(el)?;
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\r')).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| malformed(format!("{} is not base64: {e}", el.qname()), el))
}

/// A canonicalization method element (`CanonicalizationMethod` or a C14N
/// `Transform`), with its `ec:InclusiveNamespaces` prefix list.
fn c14n_method(el: &Element<'_, '_>, role: &'static str) -> Result<Method, Error> {
    let uri = algorithm(el)?;
    let mut prefixes = String::new();
    for child in element_children(*el)? {
        if child.is(EXC_C14N_NS, "InclusiveNamespaces")
            && c14n::Method::from_uri(uri, "").is_some_and(|m| m.is_exclusive())
        {
            check_attributes(&child, &["PrefixList"])?;
            prefixes = child.attribute("PrefixList").unwrap_or("").to_owned();
        } else {
            return Err(malformed(format!("unexpected {} inside {}", child.qname(), el.qname()), &child));
        }
    }
    Method::from_uri(uri, &prefixes).ok_or_else(|| Error::UnsupportedAlgorithm { role, uri: uri.to_owned() })
}

fn without_comments(m: Method) -> Method {
    match m {
        Method::InclusiveWithComments => Method::Inclusive,
        Method::ExclusiveWithComments { inclusive_prefixes } => Method::Exclusive { inclusive_prefixes },
        other => other,
    }
}

/// Finds the document's signature and checks it against the profile.
pub fn parse(doc: &Document<'_>) -> Result<SignatureParts, Error> {
    let root = doc.root();
    let signatures = find_signatures(doc);
    let sig = match signatures.as_slice() {
        [] => return Err(Error::SignatureMissing),
        [one] => *one,
        many => {
            return Err(Error::MultipleSignatures {
                count: many.len(),
                lines: many.iter().map(|s| s.line()).collect(),
            });
        }
    };
    if sig.parent() != Some(root) {
        let parent = sig.parent().map_or_else(String::new, |p| p.qname().to_owned());
        return Err(Error::SignatureMisplaced { parent, root: root.qname().to_owned(), line: sig.line() });
    }

    let parts = element_children(sig)?;
    let signed_info = expect(parts.first(), "SignedInfo", &sig)?;
    let signature_value = expect(parts.get(1), "SignatureValue", &sig)?;
    let key_info = match parts.get(2) {
        Some(e) if e.is(DSIG_NS, "KeyInfo") => *e,
        Some(e) if e.is(DSIG_NS, "Object") => {
            return Err(profile(
                "ds:Object is not allowed in a CEB signature (it could carry signed content that is not the message)",
                e,
            ));
        }
        Some(e) => return Err(malformed(format!("found {} where ds:KeyInfo belongs", e.qname()), e)),
        None => return Err(malformed("ds:KeyInfo with the signing certificate is missing", &sig)),
    };
    if let Some(extra) = parts.get(3) {
        if extra.is(DSIG_NS, "Object") {
            return Err(profile(
                "ds:Object is not allowed in a CEB signature (it could carry signed content that is not the message)",
                extra,
            ));
        }
        return Err(malformed(format!("unexpected {} after ds:KeyInfo", extra.qname()), extra));
    }

    // SignedInfo: CanonicalizationMethod, SignatureMethod, one Reference.
    check_attributes(&signed_info, &["Id"])?;
    let si = element_children(signed_info)?;
    let cm = expect(si.first(), "CanonicalizationMethod", &signed_info)?;
    check_attributes(&cm, &["Algorithm"])?;
    let canonicalization = c14n_method(&cm, "CanonicalizationMethod")?;
    let sm = expect(si.get(1), "SignatureMethod", &signed_info)?;
    check_attributes(&sm, &["Algorithm"])?;
    let signature_method_uri = algorithm(&sm)?.to_owned();
    if let Some(child) = element_children(sm)?.first() {
        return Err(profile(format!("{} inside ds:SignatureMethod is not allowed", child.qname()), child));
    }
    let signature_algorithm = SignatureAlgorithm::from_uri(&signature_method_uri)
        .ok_or_else(|| Error::UnsupportedAlgorithm { role: "SignatureMethod", uri: signature_method_uri.clone() })?;
    let reference = expect(si.get(2), "Reference", &signed_info)?;
    if let Some(extra) = si.get(3) {
        if extra.is(DSIG_NS, "Reference") {
            return Err(profile(
                "more than one ds:Reference: the profile signs the whole document with exactly one",
                extra,
            ));
        }
        return Err(malformed(format!("unexpected {} in ds:SignedInfo", extra.qname()), extra));
    }

    // Reference URI="": the whole document.
    check_attributes(&reference, &["URI", "Id", "Type"])?;
    match reference.attribute("URI") {
        Some("") => {}
        Some(uri) => {
            return Err(profile(
                format!("Reference URI {uri:?} is not allowed: the profile signs the whole document (URI=\"\")"),
                &reference,
            ));
        }
        None => return Err(profile("Reference has no URI attribute: the profile requires URI=\"\"", &reference)),
    }
    let rc = element_children(reference)?;
    let (transforms, rest) = match rc.first() {
        Some(t) if t.is(DSIG_NS, "Transforms") => (Some(*t), &rc[1..]),
        _ => (None, &rc[..]),
    };
    let Some(transforms) = transforms else {
        return Err(profile(
            "ds:Reference has no Transforms: the enveloped-signature transform is required",
            &reference,
        ));
    };
    check_attributes(&transforms, &[])?;
    let list = element_children(transforms)?;
    let mut reference_canonicalization = Method::Inclusive;
    for (i, t) in list.iter().enumerate() {
        if !t.is(DSIG_NS, "Transform") {
            return Err(malformed(format!("unexpected {} in ds:Transforms", t.qname()), t));
        }
        check_attributes(t, &["Algorithm"])?;
        let uri = algorithm(t)?;
        let allowed = |what: &str| {
            profile(
                format!(
                    "Transform {uri} {what}: only enveloped-signature, optionally followed by one canonicalization, is allowed"
                ),
                t,
            )
        };
        match (i, uri) {
            (0, ENVELOPED_SIGNATURE) => {
                if let Some(child) = element_children(*t)?.first() {
                    return Err(malformed(
                        format!("unexpected {} inside the enveloped-signature Transform", child.qname()),
                        child,
                    ));
                }
            }
            (0, _) => return Err(allowed("comes first")),
            (1, _) if Method::from_uri(uri, "").is_some() => {
                reference_canonicalization = without_comments(c14n_method(t, "Transform")?);
            }
            _ => return Err(allowed("is not allowed here")),
        }
    }
    if list.is_empty() {
        return Err(profile("ds:Transforms is empty: the enveloped-signature transform is required", &transforms));
    }
    let dm = expect(rest.first(), "DigestMethod", &reference)?;
    check_attributes(&dm, &["Algorithm"])?;
    let digest_method_uri = algorithm(&dm)?.to_owned();
    if let Some(child) = element_children(dm)?.first() {
        return Err(malformed(format!("unexpected {} inside ds:DigestMethod", child.qname()), child));
    }
    let digest_algorithm = DigestAlgorithm::from_uri(&digest_method_uri)
        .ok_or_else(|| Error::UnsupportedAlgorithm { role: "DigestMethod", uri: digest_method_uri.clone() })?;
    let dv = expect(rest.get(1), "DigestValue", &reference)?;
    check_attributes(&dv, &[])?;
    let digest_value = base64_value(&dv)?;
    if let Some(extra) = rest.get(2) {
        return Err(malformed(format!("unexpected {} after ds:DigestValue", extra.qname()), extra));
    }

    check_attributes(&signature_value, &["Id"])?;
    let signature_value_bytes = base64_value(&signature_value)?;

    // KeyInfo: KeyName?, X509Data with exactly one X509Certificate.
    check_attributes(&key_info, &["Id"])?;
    let mut key_name = None;
    let mut certificate = None;
    for child in element_children(key_info)? {
        if child.is(DSIG_NS, "KeyName") && key_name.is_none() && certificate.is_none() {
            check_attributes(&child, &[])?;
            key_name = Some(leaf_text(&child)?.trim().to_owned());
        } else if child.is(DSIG_NS, "X509Data") && certificate.is_none() {
            check_attributes(&child, &[])?;
            let certs = element_children(child)?;
            match certs.as_slice() {
                [c] if c.is(DSIG_NS, "X509Certificate") => {
                    check_attributes(c, &[])?;
                    certificate = Some(leaf_text(c)?);
                }
                [] => return Err(malformed("ds:X509Data is empty", &child)),
                [c] => {
                    return Err(profile(
                        format!("{} in ds:X509Data is not allowed: only one X509Certificate", c.qname()),
                        c,
                    ));
                }
                [_, second, ..] => {
                    return Err(profile(
                        format!(
                            "{} after the certificate in ds:X509Data: exactly one X509Certificate is allowed",
                            second.qname()
                        ),
                        second,
                    ));
                }
            }
        } else {
            return Err(profile(
                format!(
                    "{} in ds:KeyInfo is not allowed: only KeyName and one X509Data/X509Certificate",
                    child.qname()
                ),
                &child,
            ));
        }
    }
    let certificate_base64 = certificate
        .ok_or_else(|| malformed("ds:KeyInfo has no X509Data/X509Certificate (the signing certificate)", &key_info))?;

    Ok(SignatureParts {
        signature: sig.id(),
        signed_info: signed_info.id(),
        canonicalization,
        signature_method_uri,
        signature_algorithm,
        reference_canonicalization,
        digest_method_uri,
        digest_algorithm,
        digest_value,
        signature_value: signature_value_bytes,
        key_name,
        certificate_base64,
    })
}
