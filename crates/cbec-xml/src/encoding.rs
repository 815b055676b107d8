//! Character encoding detection and decoding to UTF-8.

use std::borrow::Cow;

use crate::{XmlError, XmlErrorKind};

/// The encoding a document was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclaredEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// GB2312, GBK or GB18030: all decoded with the GB18030 decoder, which is
    /// a superset of the other two.
    Gb18030,
}

/// Decodes raw message bytes into UTF-8 text.
///
/// A UTF-8 byte-order mark is skipped; UTF-16 is recognised by its BOM; any
/// other encoding must be named in the XML declaration. Only UTF-8, UTF-16
/// and the GB family are accepted: a message declared in anything else, or
/// whose bytes are invalid in its encoding, is refused rather than guessed.
pub fn decode_input(bytes: &[u8], max_bytes: usize) -> Result<(Cow<'_, str>, DeclaredEncoding), XmlError> {
    if bytes.len() > max_bytes {
        return Err(XmlError::new(
            XmlErrorKind::TooLarge,
            format!("the message is {} bytes, above the limit of {} bytes", bytes.len(), max_bytes),
        ));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        let declared = declared_label(rest);
        if let Some(label) = declared.as_deref()
            && !is_utf8_label(label)
        {
            return Err(XmlError::new(
                XmlErrorKind::Encoding,
                format!("the document starts with a UTF-8 byte-order mark but declares encoding=\"{label}\""),
            ));
        }
        return utf8(rest).map(|s| (Cow::Borrowed(s), DeclaredEncoding::Utf8));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (enc, kind) = if bytes[0] == 0xFF {
            (encoding_rs::UTF_16LE, DeclaredEncoding::Utf16Le)
        } else {
            (encoding_rs::UTF_16BE, DeclaredEncoding::Utf16Be)
        };
        let (text, had_errors) = enc.decode_with_bom_removal(bytes);
        if had_errors {
            return Err(XmlError::new(XmlErrorKind::Encoding, "the UTF-16 bytes are not valid"));
        }
        return Ok((Cow::Owned(text.into_owned()), kind));
    }
    match declared_label(bytes) {
        None => utf8(bytes).map(|s| (Cow::Borrowed(s), DeclaredEncoding::Utf8)),
        Some(label) if is_utf8_label(&label) => utf8(bytes).map(|s| (Cow::Borrowed(s), DeclaredEncoding::Utf8)),
        Some(label) => {
            let lower = label.to_ascii_lowercase();
            let gb = matches!(
                lower.as_str(),
                "gb2312"
                    | "gbk"
                    | "gb18030"
                    | "gb_2312-80"
                    | "gb_2312"
                    | "csgb2312"
                    | "x-gbk"
                    | "cp936"
                    | "ms936"
                    | "windows-936"
                    | "euc-cn"
            );
            if !gb {
                return Err(XmlError::new(
                    XmlErrorKind::Encoding,
                    format!("encoding=\"{label}\" is not accepted; send UTF-8 (preferred) or GB2312/GBK/GB18030"),
                ));
            }
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                return Err(XmlError::new(
                    XmlErrorKind::Encoding,
                    format!("the bytes are not valid {label}; check the encoding your system writes"),
                ));
            }
            Ok((Cow::Owned(text.into_owned()), DeclaredEncoding::Gb18030))
        }
    }
}

fn is_utf8_label(label: &str) -> bool {
    label.eq_ignore_ascii_case("utf-8") || label.eq_ignore_ascii_case("utf8")
}

fn utf8(bytes: &[u8]) -> Result<&str, XmlError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let text = std::str::from_utf8(valid).unwrap_or("");
        let (line, column) = crate::line_col(text, text.len());
        XmlError {
            kind: XmlErrorKind::Encoding,
            message: format!(
                "invalid UTF-8 at byte {}; if the message is in GBK or GB18030, declare it in the XML declaration",
                e.valid_up_to()
            ),
            line,
            column,
        }
    })
}

/// The `encoding` pseudo-attribute of the XML declaration, read from the
/// ASCII-compatible prefix of the document.
fn declared_label(bytes: &[u8]) -> Option<String> {
    if !bytes.starts_with(b"<?xml") {
        return None;
    }
    let end = bytes.windows(2).take(512).position(|w| w == b"?>")?;
    let decl = &bytes[..end];
    let pos = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = &decl[pos + 8..];
    let rest = trim_ascii_start(rest).strip_prefix(b"=")?;
    let rest = trim_ascii_start(rest);
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value = &rest[1..];
    let close = value.iter().position(|&b| b == quote)?;
    Some(String::from_utf8_lossy(&value[..close]).into_owned())
}

fn trim_ascii_start(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if first.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let (t, e) = decode_input(b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>", 1000).unwrap();
        assert_eq!(e, DeclaredEncoding::Utf8);
        assert!(t.starts_with("<?xml"));
        let (t, _) = decode_input(b"<a/>", 1000).unwrap();
        assert_eq!(t, "<a/>");
    }

    #[test]
    fn gb2312_is_transcoded() {
        let (bytes, _, _) = encoding_rs::GBK.encode("<?xml version=\"1.0\" encoding=\"gb2312\"?><a>海关</a>");
        let (t, e) = decode_input(&bytes, 1000).unwrap();
        assert_eq!(e, DeclaredEncoding::Gb18030);
        assert!(t.contains("海关"));
    }

    #[test]
    fn unknown_encoding_and_bad_bytes_are_refused() {
        let err = decode_input(b"<?xml version=\"1.0\" encoding=\"ISO-8859-5\"?><a/>", 1000).unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::Encoding);
        let err = decode_input(b"<a>\xFF\xFE\xFD</a>", 1000).unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::Encoding);
    }

    #[test]
    fn size_limit() {
        let err = decode_input(&[b' '; 2000], 1000).unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::TooLarge);
    }
}
