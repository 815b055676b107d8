//! X.509 certificates: reading RSA and SM2 certificates (the China E-Port
//! ones included), validity against a caller-supplied time, chains to
//! configured trust anchors, and issuing certificates for `cbec keygen`.
//!
//! A [`Certificate`] is parsed once and carries its [`VerifyingKey`], so
//! the key is built once per certificate (the verifier caches certificates
//! by the SHA-256 of their DER, see [`crate::cache`]). Chains are checked by
//! [`TrustStore::build_chain`]: names are matched on their DER, every
//! issuer must be a CA and its signature on the certificate below it must
//! verify, SM2 (SM3withSM2, default ID) and RSA (PKCS#1 v1.5 with SHA-1/2)
//! alike. No function here reads the clock: times are parameters.

use std::fmt;
use std::str::FromStr as _;
use std::sync::Arc;

use der::{Decode as _, Encode as _};
use x509_cert::ext::pkix::{BasicConstraints, SubjectKeyIdentifier};

use crate::keys::{self, VerifyingKey, oid};
use crate::{Error, SigningKey, UtcTime, asn1};

/// A parsed X.509 certificate with its public key ready for verification.
#[derive(Clone)]
pub struct Certificate(Arc<Inner>);

struct Inner {
    der: Vec<u8>,
    fingerprint: [u8; 32],
    serial: Vec<u8>,
    subject: String,
    issuer: String,
    subject_der: Vec<u8>,
    issuer_der: Vec<u8>,
    not_before: UtcTime,
    not_after: UtcTime,
    /// `Some(true)`: basicConstraints cA; `Some(false)`: the extension says
    /// not a CA; `None`: no basicConstraints.
    ca: Option<bool>,
    spki_der: Vec<u8>,
    key_identifier: Option<Vec<u8>>,
    tbs: std::ops::Range<usize>,
    signature_algorithm: der::asn1::ObjectIdentifier,
    signature: Vec<u8>,
    key: VerifyingKey,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.0.subject)
            .field("serial", &self.serial_hex())
            .field("key", &self.0.key)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.0.fingerprint == other.0.fingerprint
    }
}
impl Eq for Certificate {}

fn unparsable(reason: impl Into<String>) -> Error {
    Error::CertificateUnparsable { reason: reason.into() }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The SHA-256 of `bytes`: the key of certificates in caches and pins.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

/// A serial number as written in `KeyName` or given on a command line,
/// reduced for comparison: hex digits, lower case, no leading zeros.
fn normalize_serial(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
    let digits: String = s.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0').to_ascii_lowercase();
    Some(if trimmed.is_empty() { "0".to_owned() } else { trimmed })
}

impl Certificate {
    /// Parses a DER certificate and builds its verifying key. Any failure,
    /// an unsupported key included, is [`Error::CertificateUnparsable`].
    pub fn from_der(der: &[u8]) -> Result<Certificate, Error> {
        if der.first() != Some(&0x30) {
            return Err(unparsable(format!(
                "the bytes do not start with a DER SEQUENCE (first byte {})",
                der.first().map_or("none".to_owned(), |b| format!("0x{b:02x}"))
            )));
        }
        let cert =
            x509_cert::Certificate::from_der(der).map_err(|e| unparsable(format!("not an X.509 certificate: {e}")))?;
        let (tbs_raw, _) = asn1::raw_tbs(der).ok_or_else(|| unparsable("no tbsCertificate"))?;
        let tbs_start = tbs_raw.as_ptr() as usize - der.as_ptr() as usize;
        let tbs = cert.tbs_certificate();
        if tbs.signature().oid != cert.signature_algorithm().oid {
            return Err(unparsable("the inner and outer signature algorithms differ"));
        }
        let spki_der = tbs.subject_public_key_info().to_der().map_err(|e| unparsable(e.to_string()))?;
        let key = VerifyingKey::from_spki_der(&spki_der).map_err(|e| unparsable(format!("public key: {e}")))?;
        let ca = match tbs.get_extension::<BasicConstraints>() {
            Ok(Some((_, bc))) => Some(bc.ca),
            Ok(None) => None,
            Err(e) => return Err(unparsable(format!("basicConstraints: {e}"))),
        };
        let key_identifier = match tbs.get_extension::<SubjectKeyIdentifier>() {
            Ok(Some((_, ski))) => Some(ski.0.as_bytes().to_vec()),
            _ => None,
        };
        let serial_raw = tbs.serial_number().as_bytes();
        let skip = serial_raw.iter().take_while(|&&b| b == 0).count().min(serial_raw.len().saturating_sub(1));
        let signature =
            cert.signature().as_bytes().ok_or_else(|| unparsable("the signature BIT STRING has unused bits"))?.to_vec();
        let validity = tbs.validity();
        let time = |t: x509_cert::time::Time| {
            let d = t.to_unix_duration();
            UtcTime::from_unix_seconds(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        };
        Ok(Certificate(Arc::new(Inner {
            der: der.to_vec(),
            fingerprint: sha256(der),
            serial: serial_raw[skip..].to_vec(),
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            subject_der: tbs.subject().to_der().map_err(|e| unparsable(e.to_string()))?,
            issuer_der: tbs.issuer().to_der().map_err(|e| unparsable(e.to_string()))?,
            not_before: time(validity.not_before),
            not_after: time(validity.not_after),
            ca,
            spki_der,
            key_identifier,
            tbs: tbs_start..tbs_start + tbs_raw.len(),
            signature_algorithm: cert.signature_algorithm().oid,
            signature,
            key,
        })))
    }

    /// Parses the base64 text of an `X509Certificate` element (whitespace
    /// allowed anywhere, as XML-DSig's base64Binary does).
    pub fn from_base64(text: &str) -> Result<Certificate, Error> {
        use base64::Engine as _;
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|e| unparsable(format!("X509Certificate is not base64: {e}")))?;
        Certificate::from_der(&der)
    }

    /// Parses the first `CERTIFICATE` of a PEM text.
    pub fn from_pem(pem: &str) -> Result<Certificate, Error> {
        let all = Certificate::from_pem_all(pem)?;
        all.into_iter().next().ok_or_else(|| unparsable("no -----BEGIN CERTIFICATE----- block"))
    }

    /// Parses every `CERTIFICATE` of a PEM text (a bundle of anchors).
    pub fn from_pem_all(pem: &str) -> Result<Vec<Certificate>, Error> {
        let ders = keys::pem_decode_all(pem, "CERTIFICATE").map_err(unparsable)?;
        ders.iter().map(|d| Certificate::from_der(d)).collect()
    }

    /// The certificate as PEM.
    pub fn to_pem(&self) -> String {
        keys::pem_encode("CERTIFICATE", &self.0.der)
    }

    /// The certificate as base64 on one line, as `X509Certificate` holds it.
    pub fn to_base64(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&self.0.der)
    }

    pub fn der(&self) -> &[u8] {
        &self.0.der
    }

    /// SHA-256 of the DER.
    pub fn fingerprint(&self) -> &[u8; 32] {
        &self.0.fingerprint
    }

    /// The serial number in lower-case hex, byte by byte without a sign
    /// byte: what a UKey writes in `KeyName` (e.g. `03000000000cde6f`).
    pub fn serial_hex(&self) -> String {
        hex(&self.0.serial)
    }

    /// Whether `text` (a `KeyName`, a pin) names this certificate's serial
    /// number: hex, case and leading zeros ignored, `:` separators allowed.
    pub fn matches_serial(&self, text: &str) -> bool {
        normalize_serial(text) == normalize_serial(&self.serial_hex())
    }

    /// The subject as an RFC 4514 string.
    pub fn subject(&self) -> &str {
        &self.0.subject
    }

    pub fn issuer(&self) -> &str {
        &self.0.issuer
    }

    pub fn not_before(&self) -> UtcTime {
        self.0.not_before
    }

    pub fn not_after(&self) -> UtcTime {
        self.0.not_after
    }

    /// Whether basicConstraints marks this certificate as a CA.
    pub fn is_ca(&self) -> bool {
        self.0.ca == Some(true)
    }

    /// Whether the subject and issuer names are the same.
    pub fn is_self_issued(&self) -> bool {
        self.0.subject_der == self.0.issuer_der
    }

    /// The DER `SubjectPublicKeyInfo`.
    pub fn public_key_der(&self) -> &[u8] {
        &self.0.spki_der
    }

    /// The certificate's public key, built when it was parsed.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.0.key
    }

    /// Checks that `at` lies within notBefore..=notAfter.
    pub fn check_validity(&self, at: UtcTime) -> Result<(), Error> {
        if at < self.0.not_before {
            return Err(Error::CertificateNotYetValid {
                subject: self.0.subject.clone(),
                serial: self.serial_hex(),
                not_before: self.0.not_before,
                at,
            });
        }
        if at > self.0.not_after {
            return Err(Error::CertificateExpired {
                subject: self.0.subject.clone(),
                serial: self.serial_hex(),
                not_after: self.0.not_after,
                at,
            });
        }
        Ok(())
    }

    /// Whether `issuer` issued this certificate: the names match, `issuer`
    /// may issue certificates, and its signature over our
    /// `tbsCertificate` verifies. The error says which of these failed.
    pub fn check_issued_by(&self, issuer: &Certificate) -> Result<(), String> {
        if self.0.issuer_der != issuer.0.subject_der {
            return Err(format!("issuer name {} is not {}", self.0.issuer, issuer.0.subject));
        }
        if issuer.0.ca == Some(false) {
            return Err(format!("{} is not a CA certificate (basicConstraints cA=false)", issuer.0.subject));
        }
        let tbs = &self.0.der[self.0.tbs.clone()];
        issuer
            .0
            .key
            .verify_certificate_signature(self.0.signature_algorithm, tbs, &self.0.signature)
            .map_err(|e| format!("the signature of {} on this certificate does not verify: {e}", issuer.0.subject))
    }
}

/// What a new certificate says (see [`issue`]).
#[derive(Debug, Clone)]
pub struct CertificateParams {
    /// The subject as an RFC 4514 distinguished name, most significant
    /// last, e.g. `CN=Test Signer,O=Example Ltd,C=CN`.
    pub subject: String,
    /// The serial number, big-endian magnitude (a leading zero byte is
    /// added when needed to keep it positive).
    pub serial: Vec<u8>,
    pub not_before: UtcTime,
    pub not_after: UtcTime,
    /// A CA certificate (basicConstraints cA=TRUE, keyCertSign and cRLSign)
    /// or an end-entity signing certificate (digitalSignature and
    /// nonRepudiation).
    pub is_ca: bool,
}

fn issue_error(reason: impl Into<String>) -> Error {
    Error::CertificateIssue { reason: reason.into() }
}

/// The extension `SEQUENCE { extnID, critical, extnValue }`.
fn extension(id: der::asn1::ObjectIdentifier, critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        asn1::seq(&[&asn1::oid(id.as_bytes()), &asn1::boolean(true), &asn1::octet_string(value)])
    } else {
        asn1::seq(&[&asn1::oid(id.as_bytes()), &asn1::octet_string(value)])
    }
}

/// The key identifier of a public key: SHA-1 of the subjectPublicKey bits
/// (RFC 5280 §4.2.1.2, method 1).
fn key_identifier(spki_der: &[u8]) -> Result<Vec<u8>, Error> {
    use sha1::Digest as _;
    let spki = spki::SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|e| issue_error(e.to_string()))?;
    let bits = spki.subject_public_key.raw_bytes();
    Ok(sha1::Sha1::digest(bits).to_vec())
}

/// Issues a certificate for `subject_key`'s public key. With `issuer` the
/// certificate is signed by that CA (its certificate and private key);
/// without, it is self-signed. RSA issuers sign with SHA-256, SM2 issuers
/// with SM3withSM2.
pub fn issue(
    params: &CertificateParams,
    subject_key: &SigningKey,
    issuer: Option<(&Certificate, &SigningKey)>,
) -> Result<Certificate, Error> {
    if params.not_after < params.not_before {
        return Err(issue_error("notAfter is before notBefore"));
    }
    let subject = x509_cert::name::Name::from_str(&params.subject)
        .map_err(|e| issue_error(format!("subject {:?} is not an RFC 4514 name: {e}", params.subject)))?;
    if subject.is_empty() {
        return Err(issue_error("the subject is empty"));
    }
    let subject_der = subject.to_der().map_err(|e| issue_error(e.to_string()))?;
    let spki = subject_key.public_key_der()?;
    let ski = key_identifier(&spki)?;
    let (issuer_der, signer, aki) = match issuer {
        Some((ca, ca_key)) => {
            if ca_key.public_key_der()? != ca.public_key_der() {
                return Err(Error::KeyCertificateMismatch { serial: ca.serial_hex() });
            }
            if !ca.is_ca() {
                return Err(issue_error(format!(
                    "{} is not a CA certificate (basicConstraints cA is not set); make it with --is-ca",
                    ca.subject()
                )));
            }
            let aki = match &ca.0.key_identifier {
                Some(k) => k.clone(),
                None => key_identifier(ca.public_key_der())?,
            };
            (ca.0.subject_der.clone(), ca_key, aki)
        }
        None => (subject_der.clone(), subject_key, ski.clone()),
    };
    // The signature algorithm is written inside the TBS as well; it
    // depends only on the kind of the issuer's key.
    let sig_alg = match signer.algorithm() {
        keys::KeyAlgorithm::Sm2 => asn1::seq(&[&asn1::oid(oid::SM3_WITH_SM2.as_bytes())]),
        keys::KeyAlgorithm::Rsa => asn1::seq(&[&asn1::oid(oid::SHA256_WITH_RSA.as_bytes()), &asn1::null()]),
    };
    let basic = if params.is_ca { asn1::seq(&[&asn1::boolean(true)]) } else { asn1::seq(&[]) };
    // keyUsage bits: digitalSignature(0), nonRepudiation(1), keyCertSign(5),
    // cRLSign(6); DER drops trailing zero bits and counts them.
    let usage = if params.is_ca {
        asn1::tlv(asn1::tag::BIT_STRING, &[1, 0x86])
    } else {
        asn1::tlv(asn1::tag::BIT_STRING, &[6, 0xc0])
    };
    let extensions = asn1::seq(&[
        &extension(oid::BASIC_CONSTRAINTS, true, &basic),
        &extension(oid::KEY_USAGE, true, &usage),
        &extension(oid::SUBJECT_KEY_IDENTIFIER, false, &asn1::octet_string(&ski)),
        &extension(oid::AUTHORITY_KEY_IDENTIFIER, false, &asn1::seq(&[&asn1::tlv(0x80, &aki)])),
    ]);
    let tbs = asn1::seq(&[
        &asn1::explicit(0, &asn1::uint(&[2])),
        &asn1::uint(&params.serial),
        &sig_alg,
        &issuer_der,
        &asn1::seq(&[&asn1::time(params.not_before), &asn1::time(params.not_after)]),
        &subject_der,
        &spki,
        &asn1::explicit(3, &extensions),
    ]);
    let (alg, signature) = signer.sign_certificate(&tbs)?;
    debug_assert_eq!(alg, sig_alg);
    let der = asn1::seq(&[&tbs, &sig_alg, &asn1::bit_string(&signature)]);
    Certificate::from_der(&der).map_err(|e| issue_error(format!("the new certificate does not parse back: {e}")))
}

/// A validated path from a certificate to a trust anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The subject of the anchor the path ends at.
    pub anchor: String,
    /// Certificates above the leaf (0: the leaf itself is an anchor).
    pub length: usize,
    /// The latest notBefore and earliest notAfter of the certificates
    /// above the leaf: the path holds only within that window.
    pub not_before: UtcTime,
    pub not_after: UtcTime,
}

/// Trust anchors (and optional intermediate CA certificates) that signing
/// certificates must chain to.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
    intermediates: Vec<Certificate>,
}

/// Longest path searched, in certificates above the leaf.
const MAX_DEPTH: usize = 6;

impl TrustStore {
    pub fn new(anchors: Vec<Certificate>) -> TrustStore {
        TrustStore { anchors, intermediates: Vec::new() }
    }

    /// Adds CA certificates that may sit between a signing certificate and
    /// an anchor; they are not trusted by themselves.
    pub fn with_intermediates(mut self, intermediates: Vec<Certificate>) -> TrustStore {
        self.intermediates = intermediates;
        self
    }

    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Finds a path from `leaf` to an anchor, checking names, CA flags and
    /// signatures but not times (the [`Chain`] window says when it holds,
    /// so a path found once can be reused at any time). The error explains
    /// the closest miss.
    pub fn build_chain(&self, leaf: &Certificate) -> Result<Chain, String> {
        if let Some(a) = self.anchors.iter().find(|a| *a == leaf) {
            return Ok(Chain {
                anchor: a.subject().to_owned(),
                length: 0,
                not_before: UtcTime::from_unix_seconds(i64::MIN),
                not_after: UtcTime::from_unix_seconds(i64::MAX),
            });
        }
        let mut miss = None;
        self.search(leaf, 1, &mut miss).ok_or_else(|| {
            miss.unwrap_or_else(|| format!("no configured trust anchor or CA has the subject {}", leaf.issuer()))
        })
    }

    fn search(&self, cert: &Certificate, depth: usize, miss: &mut Option<String>) -> Option<Chain> {
        let window = |c: &Certificate, mut chain: Chain| {
            chain.length += 1;
            chain.not_before = chain.not_before.max(c.not_before());
            chain.not_after = chain.not_after.min(c.not_after());
            chain
        };
        for anchor in self.anchors.iter().filter(|a| a.0.subject_der == cert.0.issuer_der) {
            match cert.check_issued_by(anchor) {
                Ok(()) => {
                    let base = Chain {
                        anchor: anchor.subject().to_owned(),
                        length: 0,
                        not_before: UtcTime::from_unix_seconds(i64::MIN),
                        not_after: UtcTime::from_unix_seconds(i64::MAX),
                    };
                    return Some(window(anchor, base));
                }
                Err(e) => *miss = Some(e),
            }
        }
        if depth >= MAX_DEPTH {
            return None;
        }
        for ca in self.intermediates.iter().filter(|c| c.0.subject_der == cert.0.issuer_der && *c != cert) {
            if !ca.is_ca() {
                *miss = Some(format!("{} is not a CA certificate", ca.subject()));
                continue;
            }
            match cert.check_issued_by(ca) {
                Ok(()) => {
                    if let Some(chain) = self.search(ca, depth + 1, miss) {
                        return Some(window(ca, chain));
                    }
                }
                Err(e) => *miss = Some(e),
            }
        }
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const EPORT_CERT: &str = "MIIEoDCCBESgAwIBAgIIAwAAAAAM3m8wDAYIKoEcz1UBg3UFADCBmDELMAkGA1UEBhMCQ04xDzANBgNVBAgMBuWMl+S6rDEPMA0GA1UEBwwG5YyX5LqsMRswGQYDVQQKDBLkuK3lm73nlLXlrZDlj6PlsrgxGzAZBgNVBAsMEuivgeS5pueuoeeQhuS4reW/gzEtMCsGA1UEAwwk5Lit5Zu955S15a2Q5Lia5Yqh6K+B5Lmm566h55CG5Lit5b+DMB4XDTIzMDMyOTAwMDAwMFoXDTMzMDMyOTAwMDAwMFowVjELMAkGA1UEBhMCQ04xMzAxBgNVBAsMKua1t+WNl+ecgeiNo+iqiei/m+WHuuWPo+i0uOaYk+aciemZkOWFrOWPuDESMBAGA1UEAwwJ5p2o5aaC6YeRMFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE0vOQmplAr9igPZrA8F1msqnFd0U++6G6NhG5rNuIUWft0BwQn7eSJkt5/fvSSoe7pUg2/awHUWPnzkeeQc7oVqOCArUwggKxMBEGCWCGSAGG+EIBAQQEAwIFoDAOBgNVHQ8BAf8EBAMCBsAwCQYDVR0TBAIwADApBgNVHSUEIjAgBggrBgEFBQcDAgYIKwYBBQUHAwQGCisGAQQBgjcUAgIwHwYDVR0jBBgwFoAURCQxt0wEvoAVXmuo4N1bjKXTh0UwHQYDVR0OBBYEFAytGob5L0WqhOCZ5l6Lf2jUdNrAMGgGA1UdIARhMF8wXQYEVR0gADBVMFMGCCsGAQUFBwIBFkdodHRwczovL3d3dy5jaGluYXBvcnQuZ292LmNuL3RjbXNmaWxlL3UvY21zL3d3dy8yMDIyMDQvMTIxMzI5NDh4dDZwLnBkZjB/BgNVHR8EeDB2MHSgcqBwhm5sZGFwOi8vbGRhcC5jaGluYXBvcnQuZ292LmNuOjM4OS9jbj1jcmwwMzAwMDAsb3U9Y3JsMDAsb3U9Y3JsLGM9Y24/Y2VydGlmaWNhdGVSZXZvY2F0aW9uTGlzdD9iYXNlP2NuPWNybDAzMDAwMDA+BggrBgEFBQcBAQQyMDAwLgYIKwYBBQUHMAGGImh0dHA6Ly9vY3NwLmNoaW5hcG9ydC5nb3YuY246ODgwMC8wOgYKKwYBBAGpQ2QFAQQsDCrmtbfljZfnnIHojaPoqonov5vlh7rlj6PotLjmmJPmnInpmZDlhazlj7gwEgYKKwYBBAGpQ2QFAwQEDAIwMTAiBgorBgEEAalDZAUIBBQMEjUxMjMyNDE5NjQxMDE3Mjk3WDAgBgorBgEEAalDZAUJBBIMEDAzLUpKMEc5MDAyMjA3NTIwGQYKKwYBBAGpQ2QFCwQLDAlNQTVUTkZHWTkwEgYKKwYBBAGpQ2QFDAQEDAIwMDASBgorBgEEAalDZAIBBAQMAjEyMBIGCisGAQQBqUNkAgQEBAwCMTQwDAYIKoEcz1UBg3UFAANIADBFAiBM4OVAc8aaCZU4XFfcVMkC7bWIIenRnPLxrnwVeYO3CQIhANQ767YIurkJCoLtwyqQPbUZe/+3BjGZcIWqB1mAl9T+";

    #[test]
    fn the_real_eport_sm2_certificate_parses() {
        let c = Certificate::from_base64(EPORT_CERT).unwrap();
        assert_eq!(c.serial_hex(), "03000000000cde6f");
        assert!(c.matches_serial("03000000000CDE6F"));
        assert!(c.matches_serial("3000000000cde6f"));
        assert!(!c.matches_serial("03000000000cde6e"));
        assert_eq!(c.verifying_key().algorithm(), keys::KeyAlgorithm::Sm2);
        assert_eq!(c.not_before().to_string(), "2023-03-29T00:00:00Z");
        assert_eq!(c.not_after().to_string(), "2033-03-29T00:00:00Z");
        assert!(!c.is_ca());
        assert!(c.subject().contains("CN="), "{}", c.subject());
        let inside = UtcTime::from_civil(2025, 6, 1, 0, 0, 0).unwrap();
        c.check_validity(inside).unwrap();
        let after = UtcTime::from_civil(2033, 3, 29, 0, 0, 1).unwrap();
        assert!(matches!(c.check_validity(after), Err(Error::CertificateExpired { .. })));
        let before = UtcTime::from_civil(2023, 3, 28, 23, 59, 59).unwrap();
        assert!(matches!(c.check_validity(before), Err(Error::CertificateNotYetValid { .. })));
    }

    #[test]
    fn garbage_is_unparsable_with_a_reason() {
        let e = Certificate::from_der(&[0x04, 0x00]).unwrap_err();
        assert!(e.to_string().contains("DER SEQUENCE"), "{e}");
        let e = Certificate::from_base64("not base64!").unwrap_err();
        assert!(matches!(e, Error::CertificateUnparsable { .. }));
    }

    #[test]
    fn serials_normalize() {
        assert_eq!(normalize_serial("00:0A:bc").as_deref(), Some("abc"));
        assert_eq!(normalize_serial("0x0001").as_deref(), Some("1"));
        assert_eq!(normalize_serial("zz"), None);
    }
}
