//! The codes of signature errors: the stable diagnostic code of cbec's
//! registry, the DXP transport code of the spec (table 7-1: 1001 invalid
//! signature, 1002 signature expired, 1004 signature does not match the
//! data) and the import-list business code (−621029, "signature
//! verification failed", table 7-2).

use cbec_model::diag::{Code, Diagnostic};
use cbec_xml::XmlErrorKind;

use crate::Error;

impl Error {
    /// The stable diagnostic code (`signature.digest_mismatch`, …).
    pub fn code(&self) -> Code {
        match self {
            Error::Xml(e) => match e.kind {
                XmlErrorKind::Malformed => Code::XmlMalformed,
                XmlErrorKind::Encoding => Code::XmlEncoding,
                XmlErrorKind::DtdForbidden => Code::XmlDtdForbidden,
                XmlErrorKind::EntityUndefined => Code::XmlEntityUndefined,
                XmlErrorKind::TooLarge => Code::XmlTooLarge,
                XmlErrorKind::TooDeep => Code::XmlTooDeep,
                XmlErrorKind::TooManyNodes => Code::XmlTooManyNodes,
                XmlErrorKind::NamespaceUndeclared => Code::XmlNamespaceUndeclared,
            },
            Error::SignatureMissing => Code::SignatureMissing,
            Error::MultipleSignatures { .. } => Code::SignatureMultiple,
            Error::SignatureMisplaced { .. } => Code::SignatureMisplaced,
            Error::SignatureMalformed { .. } => Code::SignatureMalformed,
            Error::ProfileViolation { .. } => Code::SignatureProfile,
            Error::UnsupportedCanonicalization { .. } | Error::UnsupportedAlgorithm { .. } => {
                Code::SignatureUnsupportedAlgorithm
            }
            Error::CertificateUnparsable { .. } => Code::SignatureCertificateUnparsable,
            Error::DigestMismatch { .. } => Code::SignatureDigestMismatch,
            Error::SignatureInvalid { .. } => Code::SignatureInvalid,
            Error::KeyNameMismatch { .. } => Code::SignatureKeyNameMismatch,
            Error::CertificateExpired { .. } => Code::SignatureCertificateExpired,
            Error::CertificateNotYetValid { .. } => Code::SignatureCertificateNotYetValid,
            Error::UntrustedIssuer { .. } => Code::SignatureUntrustedIssuer,
            Error::PinMismatch { .. } => Code::SignaturePinMismatch,
            Error::AlreadySigned { .. } => Code::SignatureAlreadySigned,
            Error::KeyUnreadable { .. } => Code::SignatureKeyUnreadable,
            Error::KeyCertificateMismatch { .. } | Error::AlgorithmKeyMismatch { .. } => Code::SignatureKeyMismatch,
            Error::CertificateIssue { .. } | Error::SigningFailed { .. } => Code::SignatureSigningFailed,
        }
    }

    /// The spec's DXP transport error code (table 7-1), as a number to be
    /// written with four digits: 1 (`0001`, bad format) for unreadable XML,
    /// 1004 when the document does not match its digest, 1002 for a
    /// certificate outside its validity period, 1001 for every other
    /// signature failure, 1999 ("other security error") for signing errors.
    pub fn spec_code(&self) -> u16 {
        match self {
            Error::Xml(_) => 1,
            Error::DigestMismatch { .. } => 1004,
            Error::CertificateExpired { .. } | Error::CertificateNotYetValid { .. } => 1002,
            Error::AlreadySigned { .. }
            | Error::KeyUnreadable { .. }
            | Error::KeyCertificateMismatch { .. }
            | Error::AlgorithmKeyMismatch { .. }
            | Error::CertificateIssue { .. }
            | Error::SigningFailed { .. } => 1999,
            _ => 1001,
        }
    }

    /// The import-list business code (table 7-2): −621029 "signature
    /// verification failed" for every verification failure of a CEB621;
    /// `None` for errors that are not a signature verdict.
    pub fn list_code(&self) -> Option<i32> {
        match self.spec_code() {
            1001 | 1002 | 1004 => Some(-621_029),
            _ => None,
        }
    }

    /// Whether this error is a verdict on a signature (as opposed to an
    /// unreadable document or a signing-side problem).
    pub fn is_verification_failure(&self) -> bool {
        self.list_code().is_some()
    }

    /// The error as a diagnostic of the validation report, under the path
    /// `Signature`.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let line = match self {
            Error::SignatureMisplaced { line, .. }
            | Error::SignatureMalformed { line, .. }
            | Error::ProfileViolation { line, .. }
            | Error::AlreadySigned { line } => Some(*line),
            Error::Xml(e) if e.line > 0 => Some(e.line),
            _ => None,
        };
        let d = Diagnostic::new(self.code(), "Signature", self.to_string());
        match line {
            Some(l) => d.with_line(l),
            None => d,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn spec_codes() {
        let digest = Error::DigestMismatch { algorithm: "sha1", expected: "a".into(), computed: "b".into() };
        assert_eq!((digest.spec_code(), digest.list_code()), (1004, Some(-621_029)));
        assert_eq!(digest.code().as_str(), "signature.digest_mismatch");
        let t = crate::UtcTime::from_unix_seconds(0);
        let expired = Error::CertificateExpired { subject: "s".into(), serial: "1".into(), not_after: t, at: t };
        assert_eq!(expired.spec_code(), 1002);
        assert_eq!(Error::SignatureMissing.spec_code(), 1001);
        assert_eq!(Error::AlreadySigned { line: 1 }.list_code(), None);
        assert_eq!(Error::SignatureMissing.to_diagnostic().path, "Signature");
    }
}
