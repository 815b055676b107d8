//! A minimal DER reader and writer for the few X.509 structures cbec builds
//! or takes apart byte by byte.
//!
//! Certificates are decoded with `x509-cert`, but two things need the raw
//! bytes: the issuer signature covers the `tbsCertificate` exactly as it was
//! encoded (re-encoding a decoded structure is not guaranteed to give the
//! same bytes), and `cbec keygen` writes certificates whose every field we
//! choose. Both need only definite-length DER with single-byte tags, which
//! is all this module handles.

use crate::UtcTime;

/// One DER element: its tag byte, its content and the whole encoding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub whole: &'a [u8],
}

/// Reads one element from the front of `input`; returns it and the rest.
/// `None` for anything that is not definite-length DER with a one-byte tag.
pub(crate) fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let mut len = 0usize;
        for &b in &rest[..n] {
            len = (len << 8) | usize::from(b);
        }
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return None;
    }
    let header = input.len() - rest.len();
    let whole = &input[..header + len];
    Some((Tlv { tag, content: &rest[..len], whole }, &rest[len..]))
}

/// The `tbsCertificate` of a DER certificate exactly as encoded, and the
/// certificate's total length (so trailing bytes can be refused).
pub(crate) fn raw_tbs(cert_der: &[u8]) -> Option<(&[u8], usize)> {
    let (outer, _) = read_tlv(cert_der)?;
    if outer.tag != 0x30 {
        return None;
    }
    let (tbs, _) = read_tlv(outer.content)?;
    (tbs.tag == 0x30).then_some((tbs.whole, outer.whole.len()))
}

/// DER tag numbers used by the writer.
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
}

/// Encodes one element.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already encoded elements.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &parts.concat())
}

/// A non-negative INTEGER from big-endian magnitude bytes.
pub(crate) fn uint(magnitude: &[u8]) -> Vec<u8> {
    let trimmed = {
        let skip = magnitude.iter().take_while(|&&b| b == 0).count();
        &magnitude[skip..]
    };
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(trimmed);
    tlv(tag::INTEGER, &content)
}

/// An OBJECT IDENTIFIER from its encoded arcs (`const_oid` `as_bytes`).
pub(crate) fn oid(arcs: &[u8]) -> Vec<u8> {
    tlv(tag::OID, arcs)
}

/// A BIT STRING with no unused bits.
pub(crate) fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(bytes.len() + 1);
    content.push(0);
    content.extend_from_slice(bytes);
    tlv(tag::BIT_STRING, &content)
}

pub(crate) fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(tag::OCTET_STRING, bytes)
}

pub(crate) fn boolean(v: bool) -> Vec<u8> {
    tlv(tag::BOOLEAN, &[if v { 0xff } else { 0 }])
}

pub(crate) fn null() -> Vec<u8> {
    tlv(tag::NULL, &[])
}

/// A context-specific constructed (EXPLICIT) tag around `inner`.
pub(crate) fn explicit(number: u8, inner: &[u8]) -> Vec<u8> {
    tlv(0xa0 | number, inner)
}

/// A certificate time: UTCTime for 1950–2049, GeneralizedTime otherwise
/// (RFC 5280 §4.1.2.5).
pub(crate) fn time(t: UtcTime) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = t.to_civil();
    if (1950..2050).contains(&y) {
        let text = format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100);
        tlv(tag::UTC_TIME, text.as_bytes())
    } else {
        let text = format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z");
        tlv(tag::GENERALIZED_TIME, text.as_bytes())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let content = vec![7u8; len];
            let enc = tlv(0x04, &content);
            let (t, rest) = read_tlv(&enc).unwrap();
            assert_eq!((t.tag, t.content.len(), t.whole.len(), rest.len()), (0x04, len, enc.len(), 0));
        }
    }

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(uint(&[0, 0, 1]), vec![2, 1, 1]);
        assert_eq!(uint(&[0x80]), vec![2, 2, 0, 0x80]);
        assert_eq!(uint(&[]), vec![2, 1, 0]);
    }

    #[test]
    fn truncated_input_is_refused() {
        assert!(read_tlv(&[0x30, 0x05, 1, 2]).is_none());
        assert!(read_tlv(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_none());
        assert!(read_tlv(&[]).is_none());
    }

    #[test]
    fn times_switch_to_generalized_after_2049() {
        let t = UtcTime::from_civil(2049, 12, 31, 23, 59, 59).unwrap();
        assert_eq!(time(t), tlv(tag::UTC_TIME, b"491231235959Z"));
        let t = UtcTime::from_civil(2050, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(time(t), tlv(tag::GENERALIZED_TIME, b"20500101000000Z"));
    }
}
