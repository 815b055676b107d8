//! [`Verifier`]: checks the enveloped signature of a CEB message against a
//! trust [`Policy`], at a time the caller gives.
//!
//! The checks run in a fixed order, and the first failure is the verdict,
//! so that each failure names the most useful thing: the profile
//! ([`crate::profile`]), then the certificate (is it readable?), then the
//! document digest (was the message changed?), then the signature value,
//! then `KeyName` against the certificate serial, the validity period, the
//! pins and the chain to the trust anchors. A [`Verified`] value, which
//! only this module can make, is the proof that a document passed; it
//! hands out the very [`Document`] that was checked, so the codec reads the
//! same infoset the signature covered.
//!
//! Certificates (with their keys) come from a shared
//! [`CertificateCache`]; chain results are cached per certificate as a
//! validity window, so a busy verifier does the expensive work once per
//! signer.

use std::sync::Arc;

use base64::Engine as _;
use cbec_xml::{Document, Limits};

use crate::cache::{CertificateCache, VerdictCache};
use crate::cert::{Certificate, Chain, TrustStore};
use crate::digest::DigestAlgorithm;
use crate::keys::SignatureAlgorithm;
use crate::{Error, UtcTime, c14n, profile};

/// Who the signing certificate must be.
#[derive(Debug, Clone)]
pub enum Pin {
    /// Exactly this certificate (compared by DER).
    Certificate(Certificate),
    /// A certificate with this serial number (hex, as in `KeyName`).
    Serial(String),
}

impl Pin {
    fn matches(&self, cert: &Certificate) -> bool {
        match self {
            Pin::Certificate(c) => c == cert,
            Pin::Serial(s) => cert.matches_serial(s),
        }
    }
}

/// What makes a signing certificate acceptable. With neither pins nor
/// anchors, the embedded certificate is taken at its word and the result
/// says [`Trust::Untrusted`].
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pins: Vec<Pin>,
    anchors: Option<TrustStore>,
}

impl Policy {
    /// No pins, no anchors: signatures are checked under the embedded
    /// certificate, which is reported as untrusted.
    pub fn embedded() -> Policy {
        Policy::default()
    }

    /// Adds a pin: the signing certificate must match one of the pins.
    pub fn pin(mut self, pin: Pin) -> Policy {
        self.pins.push(pin);
        self
    }

    /// The signing certificate must chain to one of these anchors.
    pub fn trust(mut self, store: TrustStore) -> Policy {
        self.anchors = Some(store);
        self
    }

    pub fn pins(&self) -> &[Pin] {
        &self.pins
    }

    pub fn trust_store(&self) -> Option<&TrustStore> {
        self.anchors.as_ref()
    }
}

/// Why the signing certificate was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// It chains to a configured anchor (and matched a pin, if any).
    Chained { anchor: String },
    /// It matched a pin; no anchors were configured.
    Pinned,
    /// Nothing vouches for it: the signature is valid under the embedded
    /// certificate, which anyone can make.
    Untrusted,
}

/// What is known about a signature, as far as verification got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Details {
    pub algorithm: Option<SignatureAlgorithm>,
    pub algorithm_uri: Option<String>,
    pub digest_algorithm: Option<DigestAlgorithm>,
    pub digest_uri: Option<String>,
    pub key_name: Option<String>,
    pub subject: Option<String>,
    pub issuer: Option<String>,
    pub serial: Option<String>,
}

/// A failed verification: the error, and what was learnt before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub error: Error,
    pub details: Box<Details>,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for Rejection {}

/// The facts of a verified signature.
#[derive(Debug, Clone)]
pub struct Report {
    pub details: Details,
    pub algorithm: SignatureAlgorithm,
    pub digest_algorithm: DigestAlgorithm,
    pub certificate: Certificate,
    pub trust: Trust,
}

/// A document whose signature verified. Only [`Verifier`] makes these.
#[derive(Debug)]
pub struct Verified<'d, 'a> {
    doc: &'d Document<'a>,
    report: Report,
}

impl<'d, 'a> Verified<'d, 'a> {
    /// The document that was verified, for decoding.
    pub fn document(&self) -> &'d Document<'a> {
        self.doc
    }

    pub fn report(&self) -> &Report {
        &self.report
    }

    pub fn into_report(self) -> Report {
        self.report
    }
}

/// Verifies CEB signatures under one policy. Cheap to share across
/// threads (`&Verifier` is enough to verify).
#[derive(Debug)]
pub struct Verifier {
    policy: Policy,
    certificates: Arc<CertificateCache>,
    chains: VerdictCache<Result<Chain, String>>,
}

impl Verifier {
    /// A verifier with its own certificate cache.
    pub fn new(policy: Policy) -> Verifier {
        Verifier::with_cache(policy, Arc::new(CertificateCache::default()))
    }

    /// A verifier sharing a certificate cache with others.
    pub fn with_cache(policy: Policy, certificates: Arc<CertificateCache>) -> Verifier {
        let capacity = certificates.capacity();
        Verifier { policy, certificates, chains: VerdictCache::new(capacity) }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn certificate_cache(&self) -> &Arc<CertificateCache> {
        &self.certificates
    }

    /// Reads `bytes` (any encoding `cbec_xml::decode_input` accepts) and
    /// verifies the document's signature at time `at`.
    pub fn verify_bytes(&self, bytes: &[u8], limits: &Limits, at: UtcTime) -> Result<Report, Rejection> {
        let reject = |error| Rejection { error, details: Box::default() };
        let (text, _) = cbec_xml::decode_input(bytes, limits.max_bytes).map_err(|e| reject(Error::Xml(e)))?;
        let doc = Document::parse(&text, limits).map_err(|e| reject(Error::Xml(e)))?;
        self.verify(&doc, at).map(Verified::into_report)
    }

    /// Verifies the signature of a parsed document at time `at`.
    pub fn verify<'d, 'a>(&self, doc: &'d Document<'a>, at: UtcTime) -> Result<Verified<'d, 'a>, Rejection> {
        let mut details = Details::default();
        match self.check(doc, at, &mut details) {
            Ok((algorithm, digest_algorithm, certificate, trust)) => {
                Ok(Verified { doc, report: Report { details, algorithm, digest_algorithm, certificate, trust } })
            }
            Err(error) => Err(Rejection { error, details: Box::new(details) }),
        }
    }

    fn check(
        &self,
        doc: &Document<'_>,
        at: UtcTime,
        details: &mut Details,
    ) -> Result<(SignatureAlgorithm, DigestAlgorithm, Certificate, Trust), Error> {
        let parts = profile::parse(doc)?;
        details.algorithm = Some(parts.signature_algorithm);
        details.algorithm_uri = Some(parts.signature_method_uri.clone());
        details.digest_algorithm = Some(parts.digest_algorithm);
        details.digest_uri = Some(parts.digest_method_uri.clone());
        details.key_name.clone_from(&parts.key_name);

        let der = {
            let compact: String = parts.certificate_base64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .map_err(|e| Error::CertificateUnparsable { reason: format!("X509Certificate is not base64: {e}") })?
        };
        let cert = self.certificates.get_or_parse(&der)?;
        details.subject = Some(cert.subject().to_owned());
        details.issuer = Some(cert.issuer().to_owned());
        details.serial = Some(cert.serial_hex());

        // The document, minus the signature, as it was signed.
        let mut hasher = parts.digest_algorithm.hasher();
        c14n::canonicalize_document(doc, &parts.reference_canonicalization, Some(parts.signature), &mut hasher);
        let computed = hasher.finish();
        if computed != parts.digest_value {
            let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
            return Err(Error::DigestMismatch {
                algorithm: parts.digest_algorithm.name(),
                expected: b64(&parts.digest_value),
                computed: b64(&computed),
            });
        }

        let mut signed_info = Vec::with_capacity(1024);
        c14n::canonicalize_subtree(doc, parts.signed_info, &parts.canonicalization, &mut signed_info);
        cert.verifying_key().verify(parts.signature_algorithm, &signed_info, &parts.signature_value).map_err(
            |reason| Error::SignatureInvalid {
                algorithm: parts.signature_algorithm.name(),
                serial: cert.serial_hex(),
                reason,
            },
        )?;

        if let Some(name) = &parts.key_name
            && !cert.matches_serial(name)
        {
            return Err(Error::KeyNameMismatch { key_name: name.clone(), serial: cert.serial_hex() });
        }

        cert.check_validity(at)?;

        if !self.policy.pins.is_empty() && !self.policy.pins.iter().any(|p| p.matches(&cert)) {
            return Err(Error::PinMismatch { subject: cert.subject().to_owned(), serial: cert.serial_hex() });
        }

        let trust = match &self.policy.anchors {
            Some(store) => {
                let chain = self.chains.get_or_insert_with(cert.fingerprint(), || store.build_chain(&cert));
                let untrusted = |reason: String| Error::UntrustedIssuer {
                    subject: cert.subject().to_owned(),
                    serial: cert.serial_hex(),
                    issuer: cert.issuer().to_owned(),
                    reason,
                };
                let chain = chain.map_err(untrusted)?;
                if at < chain.not_before || at > chain.not_after {
                    return Err(untrusted(format!(
                        "the issuing CA certificates are valid only from {} to {}, not at {at}",
                        chain.not_before, chain.not_after
                    )));
                }
                Trust::Chained { anchor: chain.anchor }
            }
            None if !self.policy.pins.is_empty() => Trust::Pinned,
            None => Trust::Untrusted,
        };
        Ok((parts.signature_algorithm, parts.digest_algorithm, cert, trust))
    }
}
