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

#![forbid(unsafe_code)]

pub mod c14n;

pub use c14n::{Method, Sink, canonicalize_document, canonicalize_subtree};

/// What went wrong while handling a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A `CanonicalizationMethod` or `Transform` names an algorithm this
    /// crate does not implement.
    #[error("unsupported canonicalization method {uri}")]
    UnsupportedCanonicalization { uri: String },
}

impl Method {
    /// Like [`Method::from_uri`], but says which URI was refused.
    pub fn parse(uri: &str, prefix_list: &str) -> Result<Method, Error> {
        Method::from_uri(uri, prefix_list).ok_or_else(|| Error::UnsupportedCanonicalization { uri: uri.to_owned() })
    }
}
