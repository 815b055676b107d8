//! Digest algorithms of the CEB signature profile: SHA-1, SHA-256 and SM3,
//! named by their `DigestMethod` URIs.
//!
//! A [`Hasher`] is a [`Sink`], so the canonicalizer streams the canonical
//! form of the document straight into the digest without buffering it.
//! SM3 has two URIs in circulation: the spec's
//! `http://www.chinaport.gov.cn/2022/04/xmldsig#sm3` and the W3C-namespace
//! form some signers send; both are accepted, and the spec's is written.

use sha1::Digest as _;

use crate::c14n::Sink;

/// `DigestMethod` SHA-1.
pub const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
/// `DigestMethod` SHA-256.
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// `DigestMethod` SM3 as the 202205 spec names it.
pub const SM3: &str = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3";
/// `DigestMethod` SM3 in the W3C namespace, as some signers write it.
pub const SM3_W3C: &str = "http://www.w3.org/2000/09/xmldsig#sm3";

/// A digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    Sha1,
    Sha256,
    Sm3,
}

impl DigestAlgorithm {
    /// The algorithm named by a `DigestMethod` URI.
    pub fn from_uri(uri: &str) -> Option<DigestAlgorithm> {
        match uri {
            SHA1 => Some(DigestAlgorithm::Sha1),
            SHA256 => Some(DigestAlgorithm::Sha256),
            SM3 | SM3_W3C => Some(DigestAlgorithm::Sm3),
            _ => None,
        }
    }

    /// The URI written when signing.
    pub fn uri(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => SHA1,
            DigestAlgorithm::Sha256 => SHA256,
            DigestAlgorithm::Sm3 => SM3,
        }
    }

    /// The short name: `sha1`, `sha256` or `sm3`.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "sha1",
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sm3 => "sm3",
        }
    }

    /// The algorithm with this short name.
    pub fn from_name(name: &str) -> Option<DigestAlgorithm> {
        match name {
            "sha1" => Some(DigestAlgorithm::Sha1),
            "sha256" => Some(DigestAlgorithm::Sha256),
            "sm3" => Some(DigestAlgorithm::Sm3),
            _ => None,
        }
    }

    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha1 => 20,
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sm3 => 32,
        }
    }

    /// A fresh streaming hasher.
    pub fn hasher(self) -> Hasher {
        match self {
            DigestAlgorithm::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            DigestAlgorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            DigestAlgorithm::Sm3 => Hasher::Sm3(sm3::Sm3::new()),
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.write(data);
        h.finish()
    }
}

/// A running digest, fed through [`Sink`].
#[derive(Clone)]
pub enum Hasher {
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Sm3(sm3::Sm3),
}

impl Hasher {
    /// The digest of everything written.
    pub fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sm3(h) => h.finalize().to_vec(),
        }
    }
}

impl Sink for Hasher {
    fn write(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(bytes),
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sm3(h) => h.update(bytes),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn known_answers() {
        assert_eq!(hex(&DigestAlgorithm::Sha1.digest(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex(&DigestAlgorithm::Sha256.digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // GB/T 32905-2016 example 1.
        assert_eq!(
            hex(&DigestAlgorithm::Sm3.digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn both_sm3_uris_are_accepted_and_the_spec_one_is_written() {
        assert_eq!(DigestAlgorithm::from_uri(SM3), Some(DigestAlgorithm::Sm3));
        assert_eq!(DigestAlgorithm::from_uri(SM3_W3C), Some(DigestAlgorithm::Sm3));
        assert_eq!(DigestAlgorithm::Sm3.uri(), SM3);
        assert_eq!(DigestAlgorithm::from_uri("http://www.w3.org/2001/04/xmldsig-more#md5"), None);
    }
}
