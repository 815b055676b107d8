//! Keys and signature algorithms: SM2 with SM3 (GB/T 32918, default user ID
//! `1234567812345678`) and RSA PKCS#1 v1.5 with SHA-1 or SHA-256.
//!
//! [`VerifyingKey`] is what the verifier caches per certificate (building
//! one costs more than a hash of the message, so it is built once);
//! [`SigningKey`] signs for `cbec sign` and issues certificates for
//! `cbec keygen`, and reads and writes PKCS#8 (`-----BEGIN PRIVATE KEY-----`),
//! the form OpenSSL and xmlsec1 read too. The SM2 verification backend sits
//! behind the small [`Sm2Verify`] trait so a faster implementation (per-key
//! precomputed tables) replaces the stock RustCrypto verifier by changing
//! the [`Sm2Key`] alias alone.

use std::fmt;
use std::sync::Arc;

use ::sm2::dsa::signature::{Signer as _, Verifier as _};
use ::sm2::elliptic_curve::Generate as _;
use der::Decode as _;
use pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use rand_core::CryptoRng;
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::traits::PublicKeyParts as _;

use crate::Error;

/// `SignatureMethod` SM2 with SM3 in the W3C namespace: what China E-Port
/// UKeys send, and what `cbec sign` writes.
pub const SM2_SM3: &str = "http://www.w3.org/2000/09/xmldsig#sm2-sm3";
/// `SignatureMethod` SM2 with SM3 as the 202205 spec names it.
pub const SM2_SM3_CHINAPORT: &str = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3";
/// `SignatureMethod` RSA PKCS#1 v1.5 with SHA-1.
pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
/// `SignatureMethod` RSA PKCS#1 v1.5 with SHA-256.
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

/// The SM2 distinguishing identifier every CEB signer uses (GM/T 0009).
pub const SM2_DEFAULT_ID: &str = "1234567812345678";

/// OIDs of the keys and certificate signatures cbec handles.
pub(crate) mod oid {
    use der::asn1::ObjectIdentifier as Oid;
    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    /// The SM2 curve (`sm2p256v1`); also used, by some issuers, as the key
    /// algorithm itself.
    pub const SM2_CURVE: Oid = Oid::new_unwrap("1.2.156.10197.1.301");
    /// SM3 with SM2 (`SM2-with-SM3`).
    pub const SM3_WITH_SM2: Oid = Oid::new_unwrap("1.2.156.10197.1.501");
    pub const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
    pub const KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
    pub const SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
    pub const AUTHORITY_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.35");
}

/// A kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    Sm2,
    Rsa,
}

impl KeyAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::Sm2 => "SM2",
            KeyAlgorithm::Rsa => "RSA",
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `SignatureMethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// SM2 over SM3 of `Z || SignedInfo` (GB/T 32918.2, default ID).
    Sm2Sm3,
    RsaSha1,
    RsaSha256,
}

impl SignatureAlgorithm {
    /// The algorithm named by a `SignatureMethod` URI (both SM2 URIs).
    pub fn from_uri(uri: &str) -> Option<SignatureAlgorithm> {
        match uri {
            SM2_SM3 | SM2_SM3_CHINAPORT => Some(SignatureAlgorithm::Sm2Sm3),
            RSA_SHA1 => Some(SignatureAlgorithm::RsaSha1),
            RSA_SHA256 => Some(SignatureAlgorithm::RsaSha256),
            _ => None,
        }
    }

    /// The URI written when signing (for SM2 the W3C-namespace form that
    /// real UKeys send).
    pub fn uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::Sm2Sm3 => SM2_SM3,
            SignatureAlgorithm::RsaSha1 => RSA_SHA1,
            SignatureAlgorithm::RsaSha256 => RSA_SHA256,
        }
    }

    /// The short name: `sm2-sm3`, `rsa-sha1` or `rsa-sha256`.
    pub fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::Sm2Sm3 => "sm2-sm3",
            SignatureAlgorithm::RsaSha1 => "rsa-sha1",
            SignatureAlgorithm::RsaSha256 => "rsa-sha256",
        }
    }

    /// The algorithm with this short name.
    pub fn from_name(name: &str) -> Option<SignatureAlgorithm> {
        match name {
            "sm2-sm3" => Some(SignatureAlgorithm::Sm2Sm3),
            "rsa-sha1" => Some(SignatureAlgorithm::RsaSha1),
            "rsa-sha256" => Some(SignatureAlgorithm::RsaSha256),
            _ => None,
        }
    }

    /// The kind of key the algorithm needs.
    pub fn key_algorithm(self) -> KeyAlgorithm {
        match self {
            SignatureAlgorithm::Sm2Sm3 => KeyAlgorithm::Sm2,
            SignatureAlgorithm::RsaSha1 | SignatureAlgorithm::RsaSha256 => KeyAlgorithm::Rsa,
        }
    }
}

/// An SM2 verification backend: builds a key from an uncompressed SEC1
/// point and checks a signature (raw `r || s` or DER) over a message with
/// the default user ID.
pub trait Sm2Verify: Sized + Send + Sync {
    fn from_sec1(point: &[u8]) -> Result<Self, String>;
    fn verify_message(&self, msg: &[u8], signature: &[u8]) -> Result<(), String>;
}

/// The SM2 backend in use: [`crate::sm2::PreparedKey`], with a per-key
/// precomputed table. (`::sm2::dsa::VerifyingKey`, the stock RustCrypto
/// verifier, implements [`Sm2Verify`] too and is the reference the tests
/// compare against.)
pub type Sm2Key = crate::sm2::PreparedKey;

/// The crate's own SM2 verifier with a per-key precomputed table
/// ([`crate::sm2::PreparedKey`]): build once per certificate, verify fast.
impl Sm2Verify for crate::sm2::PreparedKey {
    fn from_sec1(point: &[u8]) -> Result<Self, String> {
        crate::sm2::PreparedKey::from_sec1(point)
            .map_err(|_| "the public key is not a point on the SM2 curve".to_owned())
    }

    fn verify_message(&self, msg: &[u8], signature: &[u8]) -> Result<(), String> {
        let sig = crate::sm2::Signature::parse(signature).map_err(|_| {
            format!("a {}-byte value is neither raw r||s (64 bytes) nor a DER SM2 signature", signature.len())
        })?;
        if self.verify(msg, &sig) { Ok(()) } else { Err("the SM2 signature does not match".to_owned()) }
    }
}

/// An SM2 signature from raw `r || s` (64 bytes) or DER.
fn sm2_signature(bytes: &[u8]) -> Result<::sm2::dsa::Signature, String> {
    if bytes.len() == 64 {
        ::sm2::dsa::Signature::from_slice(bytes).map_err(|_| "r or s is out of range".to_owned())
    } else {
        ::sm2::dsa::Signature::from_der(bytes)
            .map_err(|_| format!("a {}-byte value is neither raw r||s (64 bytes) nor a DER SM2 signature", bytes.len()))
    }
}

impl Sm2Verify for ::sm2::dsa::VerifyingKey {
    fn from_sec1(point: &[u8]) -> Result<Self, String> {
        ::sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DEFAULT_ID, point)
            .map_err(|_| "the public key is not a point on the SM2 curve".to_owned())
    }

    fn verify_message(&self, msg: &[u8], signature: &[u8]) -> Result<(), String> {
        let sig = sm2_signature(signature)?;
        self.verify(msg, &sig).map_err(|_| "the SM2 signature does not match".to_owned())
    }
}

/// A public key ready to verify signatures, built once per certificate.
#[derive(Clone)]
pub struct VerifyingKey(Public);

#[derive(Clone)]
enum Public {
    /// Shared, not copied: a prepared SM2 key may hold a large table.
    Sm2(Arc<Sm2Key>),
    Rsa(Arc<rsa::PublicKey>),
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey({})", self.description())
    }
}

impl VerifyingKey {
    /// The key of a DER `SubjectPublicKeyInfo`: RSA (`rsaEncryption`) or SM2
    /// (`id-ecPublicKey` on the SM2 curve, or the SM2 OID itself).
    pub fn from_spki_der(der: &[u8]) -> Result<VerifyingKey, String> {
        let spki =
            spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|e| format!("bad SubjectPublicKeyInfo: {e}"))?;
        let bits = spki.subject_public_key.as_bytes().ok_or("the public key BIT STRING has unused bits")?;
        let alg = spki.algorithm.oid;
        if alg == oid::RSA_ENCRYPTION {
            let key = rsa::PublicKey::from_pkcs1_der(bits).map_err(|e| format!("bad RSA public key: {e}"))?;
            Ok(VerifyingKey(Public::Rsa(Arc::new(key))))
        } else if alg == oid::EC_PUBLIC_KEY || alg == oid::SM2_CURVE {
            let curve = spki.algorithm.parameters.map(|p| p.decode_as::<der::asn1::ObjectIdentifier>());
            match curve {
                Some(Ok(c)) if c == oid::SM2_CURVE => {}
                None if alg == oid::SM2_CURVE => {}
                Some(Ok(c)) => return Err(format!("elliptic curve {c} is not SM2 (1.2.156.10197.1.301)")),
                _ => return Err("EC public key without a named curve".to_owned()),
            }
            let key = <Sm2Key as Sm2Verify>::from_sec1(bits)?;
            Ok(VerifyingKey(Public::Sm2(Arc::new(key))))
        } else {
            Err(format!("public key algorithm {alg} is neither RSA nor SM2"))
        }
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.0 {
            Public::Sm2(_) => KeyAlgorithm::Sm2,
            Public::Rsa(_) => KeyAlgorithm::Rsa,
        }
    }

    /// `SM2` or `RSA-2048` and so on.
    pub fn description(&self) -> String {
        match &self.0 {
            Public::Sm2(_) => "SM2".to_owned(),
            Public::Rsa(k) => format!("RSA-{}", k.size() * 8),
        }
    }

    /// Checks `signature` over `msg` under `alg`. The error says why it
    /// failed (wrong kind of key, unreadable value, no match).
    pub fn verify(&self, alg: SignatureAlgorithm, msg: &[u8], signature: &[u8]) -> Result<(), String> {
        match (&self.0, alg) {
            (Public::Sm2(k), SignatureAlgorithm::Sm2Sm3) => k.verify_message(msg, signature),
            (Public::Rsa(k), SignatureAlgorithm::RsaSha1) => rsa_verify::<sha1::Sha1>(k, msg, signature),
            (Public::Rsa(k), SignatureAlgorithm::RsaSha256) => rsa_verify::<sha2::Sha256>(k, msg, signature),
            (_, alg) => Err(format!(
                "{} needs an {} key but the certificate holds an {} key",
                alg.name(),
                alg.key_algorithm(),
                self.description()
            )),
        }
    }

    /// Checks a certificate signature: `sig_alg` is the certificate's
    /// `signatureAlgorithm` OID; SM2 signatures there are DER.
    pub(crate) fn verify_certificate_signature(
        &self,
        sig_alg: der::asn1::ObjectIdentifier,
        tbs: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        match &self.0 {
            Public::Sm2(k) if sig_alg == oid::SM3_WITH_SM2 => k.verify_message(tbs, signature),
            Public::Rsa(k) if sig_alg == oid::SHA1_WITH_RSA => rsa_verify::<sha1::Sha1>(k, tbs, signature),
            Public::Rsa(k) if sig_alg == oid::SHA256_WITH_RSA => rsa_verify::<sha2::Sha256>(k, tbs, signature),
            Public::Rsa(k) if sig_alg == oid::SHA384_WITH_RSA => rsa_verify::<sha2::Sha384>(k, tbs, signature),
            Public::Rsa(k) if sig_alg == oid::SHA512_WITH_RSA => rsa_verify::<sha2::Sha512>(k, tbs, signature),
            _ => Err(format!("signature algorithm {sig_alg} does not fit the issuer's {} key", self.description())),
        }
    }
}

fn rsa_verify<D: sha2::Digest + der::oid::AssociatedOid>(
    key: &rsa::PublicKey,
    msg: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let hashed = D::digest(msg);
    key.verify(rsa::Pkcs1v15Sign::new::<D>(), &hashed, signature)
        .map_err(|_| "the RSA PKCS#1 v1.5 signature does not match".to_owned())
}

/// A private key for signing messages and issuing certificates.
#[derive(Clone)]
pub struct SigningKey(Private);

#[derive(Clone)]
enum Private {
    Sm2(Box<::sm2::dsa::SigningKey>),
    Rsa(Box<rsa::PrivateKey>),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({}, ..)", self.algorithm())
    }
}

fn unreadable(reason: impl fmt::Display) -> Error {
    Error::KeyUnreadable { reason: reason.to_string() }
}

impl SigningKey {
    /// A new random key: SM2, or RSA with a 2048-bit modulus.
    pub fn generate<R: CryptoRng + ?Sized>(alg: KeyAlgorithm, rng: &mut R) -> Result<SigningKey, Error> {
        match alg {
            KeyAlgorithm::Sm2 => {
                let scalar = ::sm2::NonZeroScalar::generate_from_rng(rng);
                let key = ::sm2::dsa::SigningKey::from_nonzero_scalar(SM2_DEFAULT_ID, scalar)
                    .map_err(|_| Error::SigningFailed { reason: "SM2 key generation failed".to_owned() })?;
                Ok(SigningKey(Private::Sm2(Box::new(key))))
            }
            KeyAlgorithm::Rsa => {
                let key = rsa::PrivateKey::new(rng, 2048)
                    .map_err(|e| Error::SigningFailed { reason: format!("RSA key generation failed: {e}") })?;
                Ok(SigningKey(Private::Rsa(Box::new(key))))
            }
        }
    }

    /// Reads an unencrypted PKCS#8 `PrivateKeyInfo` (DER) holding an RSA or
    /// an SM2 key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<SigningKey, Error> {
        let info = pkcs8::PrivateKeyInfoRef::try_from(der).map_err(|e| unreadable(format!("not PKCS#8: {e}")))?;
        let alg = info.algorithm.oid;
        if alg == oid::RSA_ENCRYPTION {
            let key = rsa::PrivateKey::from_pkcs8_der(der).map_err(|e| unreadable(format!("RSA key: {e}")))?;
            Ok(SigningKey(Private::Rsa(Box::new(key))))
        } else if alg == oid::EC_PUBLIC_KEY || alg == oid::SM2_CURVE {
            let secret = ::sm2::SecretKey::from_pkcs8_der(der)
                .map_err(|e| unreadable(format!("not an SM2 key (only the SM2 curve is supported): {e}")))?;
            let key = ::sm2::dsa::SigningKey::new(SM2_DEFAULT_ID, &secret).map_err(|_| unreadable("bad SM2 key"))?;
            Ok(SigningKey(Private::Sm2(Box::new(key))))
        } else {
            Err(unreadable(format!("key algorithm {alg} is neither RSA nor SM2")))
        }
    }

    /// Reads a PEM `PRIVATE KEY` (PKCS#8).
    pub fn from_pkcs8_pem(pem: &str) -> Result<SigningKey, Error> {
        let (label, der) = pem_decode(pem).map_err(unreadable)?;
        if label != "PRIVATE KEY" {
            return Err(unreadable(format!(
                "PEM label is {label:?}; expected \"PRIVATE KEY\" (unencrypted PKCS#8, e.g. `openssl pkcs8 -topk8 -nocrypt`)"
            )));
        }
        SigningKey::from_pkcs8_der(&der)
    }

    /// The key as PKCS#8 DER.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, Error> {
        let doc = match &self.0 {
            Private::Sm2(k) => ::sm2::SecretKey::from(k.as_nonzero_scalar()).to_pkcs8_der(),
            Private::Rsa(k) => k.to_pkcs8_der(),
        };
        doc.map(|d| d.as_bytes().to_vec()).map_err(|e| Error::SigningFailed { reason: format!("PKCS#8: {e}") })
    }

    /// The key as a PEM `PRIVATE KEY`.
    pub fn to_pkcs8_pem(&self) -> Result<String, Error> {
        Ok(pem_encode("PRIVATE KEY", &self.to_pkcs8_der()?))
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.0 {
            Private::Sm2(_) => KeyAlgorithm::Sm2,
            Private::Rsa(_) => KeyAlgorithm::Rsa,
        }
    }

    /// The public key as a DER `SubjectPublicKeyInfo`.
    pub fn public_key_der(&self) -> Result<Vec<u8>, Error> {
        let doc = match &self.0 {
            Private::Sm2(k) => k.verifying_key().to_public_key_der(),
            Private::Rsa(k) => k.to_public_key().to_public_key_der(),
        };
        doc.map(|d| d.as_bytes().to_vec()).map_err(|e| Error::SigningFailed { reason: format!("public key: {e}") })
    }

    /// Signs `msg`: SM2 gives raw `r || s` (64 bytes, as UKeys do), RSA a
    /// PKCS#1 v1.5 signature.
    pub fn sign(&self, alg: SignatureAlgorithm, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let failed = |e: &dyn fmt::Display| Error::SigningFailed { reason: e.to_string() };
        match (&self.0, alg) {
            (Private::Sm2(k), SignatureAlgorithm::Sm2Sm3) => {
                let sig: ::sm2::dsa::Signature = k.try_sign(msg).map_err(|e| failed(&e))?;
                Ok(sig.to_bytes().to_vec())
            }
            (Private::Rsa(k), SignatureAlgorithm::RsaSha1) => {
                k.sign(rsa::Pkcs1v15Sign::new::<sha1::Sha1>(), &sha1::Sha1::digest(msg)).map_err(|e| failed(&e))
            }
            (Private::Rsa(k), SignatureAlgorithm::RsaSha256) => {
                k.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &sha2::Sha256::digest(msg)).map_err(|e| failed(&e))
            }
            (_, alg) => Err(Error::AlgorithmKeyMismatch {
                algorithm: alg.name(),
                needed: alg.key_algorithm().name(),
                actual: self.algorithm().name(),
            }),
        }
    }

    /// Signs a `tbsCertificate`: returns the `signatureAlgorithm` DER and
    /// the signature bytes (DER for SM2, as X.509 wants).
    pub(crate) fn sign_certificate(&self, tbs: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
        use crate::asn1;
        match &self.0 {
            Private::Sm2(k) => {
                let sig: ::sm2::dsa::Signature =
                    k.try_sign(tbs).map_err(|e| Error::SigningFailed { reason: e.to_string() })?;
                let alg = asn1::seq(&[&asn1::oid(oid::SM3_WITH_SM2.as_bytes())]);
                let der = sig.to_der().to_vec();
                Ok((alg, der))
            }
            Private::Rsa(_) => {
                let alg = asn1::seq(&[&asn1::oid(oid::SHA256_WITH_RSA.as_bytes()), &asn1::null()]);
                Ok((alg, self.sign(SignatureAlgorithm::RsaSha256, tbs)?))
            }
        }
    }
}

use sha1::Digest as _;

/// The label and bytes of the first PEM block in `text`.
pub(crate) fn pem_decode(text: &str) -> Result<(String, Vec<u8>), String> {
    use base64::Engine as _;
    let begin = text.find("-----BEGIN ").ok_or("no PEM block (-----BEGIN ...-----)")?;
    let rest = &text[begin + 11..];
    let label_end = rest.find("-----").ok_or("unterminated PEM header")?;
    let label = &rest[..label_end];
    let body = &rest[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let end = body.find(&end_marker).ok_or_else(|| format!("no {end_marker}"))?;
    let b64: String = body[..end].chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if b64.contains(':') {
        return Err("encrypted PEM is not supported: decrypt the key first".to_owned());
    }
    let der = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|e| format!("bad PEM base64: {e}"))?;
    Ok((label.to_owned(), der))
}

/// Every PEM block of `label` in `text`, in order.
pub(crate) fn pem_decode_all(text: &str, label: &str) -> Result<Vec<Vec<u8>>, String> {
    let marker = format!("-----BEGIN {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(&marker) {
        let (l, der) = pem_decode(&rest[at..])?;
        debug_assert_eq!(l, label);
        out.push(der);
        let end_marker = format!("-----END {label}-----");
        match rest[at..].find(&end_marker) {
            Some(e) => rest = &rest[at + e + end_marker.len()..],
            None => break,
        }
    }
    Ok(out)
}

/// PEM with 64-character lines.
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct TestRng(u64);
    impl rand_core::TryRng for TestRng {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(self.try_next_u64()? as u32)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            // splitmix64: deterministic, good enough for test keys.
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            Ok(z ^ (z >> 31))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for chunk in dst.chunks_mut(8) {
                let v = self.try_next_u64()?.to_le_bytes();
                chunk.copy_from_slice(&v[..chunk.len()]);
            }
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for TestRng {}

    #[test]
    fn sm2_sign_verify_and_pkcs8_round_trip() {
        let key = SigningKey::generate(KeyAlgorithm::Sm2, &mut TestRng(1)).unwrap();
        let pem = key.to_pkcs8_pem().unwrap();
        let back = SigningKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(back.to_pkcs8_der().unwrap(), key.to_pkcs8_der().unwrap());
        let sig = back.sign(SignatureAlgorithm::Sm2Sm3, b"hello").unwrap();
        assert_eq!(sig.len(), 64);
        let vk = VerifyingKey::from_spki_der(&key.public_key_der().unwrap()).unwrap();
        vk.verify(SignatureAlgorithm::Sm2Sm3, b"hello", &sig).unwrap();
        // DER is accepted too.
        let der = ::sm2::dsa::Signature::from_slice(&sig).unwrap().to_der().to_vec();
        vk.verify(SignatureAlgorithm::Sm2Sm3, b"hello", &der).unwrap();
        assert!(vk.verify(SignatureAlgorithm::Sm2Sm3, b"hellO", &sig).is_err());
        let err = vk.verify(SignatureAlgorithm::RsaSha1, b"hello", &sig).unwrap_err();
        assert!(err.contains("needs an RSA key"), "{err}");
        assert!(matches!(key.sign(SignatureAlgorithm::RsaSha256, b"x"), Err(Error::AlgorithmKeyMismatch { .. })));
    }

    #[test]
    fn pem_labels_are_checked() {
        let err = SigningKey::from_pkcs8_pem("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n")
            .unwrap_err();
        assert!(err.to_string().contains("PRIVATE KEY"), "{err}");
        assert!(SigningKey::from_pkcs8_pem("nothing here").is_err());
    }
}
