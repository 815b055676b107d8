//! XML digital signatures for CEB messages.
//!
//! Enterprises sign every CEB message with an enveloped XML-DSig signature
//! (domain README §3.7), and customs verifies it before anything else reads
//! the message. This crate holds the signature machinery, built on the
//! [`cbec_xml::Document`] tree so that the verifier reads the very same
//! infoset as the codec. Its first piece is [`c14n`]: exact, streaming
//! Canonical XML 1.0 and Exclusive XML Canonicalization 1.0
//! ([`c14n::canonicalize_document`], [`c14n::canonicalize_subtree`]),
//! selected by a [`c14n::Method`] and writing into any [`c14n::Sink`], so a
//! digest can be computed without buffering the canonical form.
//!
//! On top of it sits the CEB signature profile. [`Verifier`] checks a
//! document against a [`Policy`] (pinned certificates or serials, a
//! [`TrustStore`] of anchors, or neither) at a time the caller passes as a
//! [`UtcTime`] (the crate never reads the clock), and returns a
//! [`Verified`] document or a [`Rejection`] whose [`Error`] has a stable
//! diagnostic code ([`Error::code`]) and the spec's error code
//! ([`Error::spec_code`]). [`profile`] holds the shape checks that refuse
//! signature tricks; [`Certificate`] reads RSA and SM2 X.509 certificates
//! and [`cert::issue`] makes them; [`CertificateCache`] builds each
//! certificate's [`VerifyingKey`] once; [`Signer`] signs messages with a
//! [`SigningKey`] as China E-Port UKeys do.

// Tests may unwrap; library code may not (workspace lint `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]
#![forbid(unsafe_code)]

mod asn1;
pub mod c14n;
pub mod cache;
pub mod cert;
pub mod digest;
mod error;
pub mod keys;
pub mod profile;
pub mod sign;
pub mod sm2;
mod utc;
pub mod verify;

pub use c14n::{Method, Sink, canonicalize_document, canonicalize_subtree};
pub use cache::CertificateCache;
pub use cert::{Certificate, CertificateParams, Chain, TrustStore};
pub use digest::DigestAlgorithm;
pub use keys::{KeyAlgorithm, SignatureAlgorithm, SigningKey, VerifyingKey};
pub use sign::{SignOptions, Signer};
pub use utc::UtcTime;
pub use verify::{Details, Pin, Policy, Rejection, Report, Trust, Verified, Verifier};

/// What went wrong while handling a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A `CanonicalizationMethod` or `Transform` names an algorithm this
    /// crate does not implement.
    #[error("unsupported canonicalization method {uri}")]
    UnsupportedCanonicalization { uri: String },
    /// The document could not be read as XML.
    #[error("the document is not readable XML: {0}")]
    Xml(cbec_xml::XmlError),
    /// The document has no `ds:Signature` element.
    #[error("no ds:Signature element: the message is not signed")]
    SignatureMissing,
    /// More than one `ds:Signature`, wherever they are.
    #[error("{count} ds:Signature elements (lines {lines:?}): exactly one, a child of the root, is allowed")]
    MultipleSignatures { count: usize, lines: Vec<u32> },
    /// The `ds:Signature` is not a direct child of the root element.
    #[error("ds:Signature (line {line}) is inside {parent}: it must be a direct child of the root element {root}")]
    SignatureMisplaced { parent: String, root: String, line: u32 },
    /// A part of `ds:Signature` is missing, repeated, misplaced or unreadable.
    #[error("malformed ds:Signature: {what} (line {line})")]
    SignatureMalformed { what: String, line: u32 },
    /// A construct outside the CEB enveloped whole-document profile.
    #[error("signature outside the CEB profile: {what} (line {line})")]
    ProfileViolation { what: String, line: u32 },
    /// An algorithm URI that is not accepted; `role` is the element naming
    /// it (`SignatureMethod`, `DigestMethod`, `CanonicalizationMethod`,
    /// `Transform`).
    #[error("unsupported {role} algorithm {uri}")]
    UnsupportedAlgorithm { role: &'static str, uri: String },
    /// The embedded certificate cannot be read.
    #[error("the signing certificate is unparsable: {reason}")]
    CertificateUnparsable { reason: String },
    /// The document does not digest to the signed `DigestValue`.
    #[error(
        "digest mismatch ({algorithm}): DigestValue is {expected} but the document digests to {computed}; the signed content was changed"
    )]
    DigestMismatch { algorithm: &'static str, expected: String, computed: String },
    /// The `SignatureValue` does not verify over `SignedInfo`.
    #[error("the SignatureValue ({algorithm}) does not verify with certificate {serial}: {reason}")]
    SignatureInvalid { algorithm: &'static str, serial: String, reason: String },
    /// `KeyName` names another certificate than the embedded one.
    #[error("KeyName {key_name} does not name the embedded certificate (serial {serial})")]
    KeyNameMismatch { key_name: String, serial: String },
    /// The signing certificate expired before the verification time.
    #[error("certificate {serial} ({subject}) expired at {not_after}; checked at {at}")]
    CertificateExpired { subject: String, serial: String, not_after: UtcTime, at: UtcTime },
    /// The signing certificate is not valid yet at the verification time.
    #[error("certificate {serial} ({subject}) is valid only from {not_before}; checked at {at}")]
    CertificateNotYetValid { subject: String, serial: String, not_before: UtcTime, at: UtcTime },
    /// The signing certificate does not chain to a trust anchor.
    #[error("certificate {serial} ({subject}, issued by {issuer}) is not trusted: {reason}")]
    UntrustedIssuer { subject: String, serial: String, issuer: String, reason: String },
    /// The signing certificate is not one of the pinned ones.
    #[error("certificate {serial} ({subject}) is not bound to the sender: it matches none of the pinned certificates")]
    PinMismatch { subject: String, serial: String },
    /// Signing: the document already has a `ds:Signature`.
    #[error("the document is already signed (ds:Signature at line {line})")]
    AlreadySigned { line: u32 },
    /// Signing: the private key cannot be read.
    #[error("unreadable private key: {reason}")]
    KeyUnreadable { reason: String },
    /// Signing: the private key does not belong to the certificate.
    #[error("the private key does not belong to certificate {serial}")]
    KeyCertificateMismatch { serial: String },
    /// A signature algorithm used with the wrong kind of key.
    #[error("{algorithm} needs an {needed} key, but the key is {actual}")]
    AlgorithmKeyMismatch { algorithm: &'static str, needed: &'static str, actual: &'static str },
    /// Issuing a certificate failed.
    #[error("cannot issue the certificate: {reason}")]
    CertificateIssue { reason: String },
    /// Signing failed.
    #[error("signing failed: {reason}")]
    SigningFailed { reason: String },
}

impl Method {
    /// Like [`Method::from_uri`], but says which URI was refused.
    pub fn parse(uri: &str, prefix_list: &str) -> Result<Method, Error> {
        Method::from_uri(uri, prefix_list).ok_or_else(|| Error::UnsupportedCanonicalization { uri: uri.to_owned() })
    }
}
