//! Hardened XML for CEB messages.
//!
//! Enterprises send CEB messages from systems we do not control, so reading
//! XML is the first line of defence. This crate turns bytes into a
//! namespace-resolved [`Document`] tree and nothing else:
//!
//! - [`decode_input`] detects the character encoding (UTF-8 with or without
//!   BOM, UTF-16 by BOM, and the GB2312/GBK/GB18030 family that Chinese
//!   senders declare) and yields UTF-8 text;
//! - [`Document::parse`] is a small, strict XML 1.0 + Namespaces parser. It
//!   refuses any `<!DOCTYPE` (so no external entities, no entity expansion,
//!   no "billion laughs"), resolves only the five predefined entities and
//!   character references, normalizes line ends and attribute values as the
//!   XML spec says, and enforces [`Limits`] on size, depth and node count;
//! - [`XmlWriter`] writes escaped XML.
//!
//! The tree keeps everything XML canonicalization needs (namespace
//! declarations in source order, comments, processing instructions,
//! whitespace), so the codec and the signature verifier read the very same
//! infoset.

// Tests may unwrap; library code may not (workspace lint `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod encoding;
mod parser;
mod tree;
mod writer;

pub use encoding::{DeclaredEncoding, decode_input};
pub use parser::Limits;
pub use tree::{Attribute, Document, Element, NodeId, NodeKind, NsDecl, XML_NS};
pub use writer::{XmlWriter, escape_attr, escape_text, serialize_children, serialize_element};

/// What went wrong while reading a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlErrorKind {
    /// Not well-formed.
    Malformed,
    /// Unsupported or inconsistent character encoding.
    Encoding,
    /// A `<!DOCTYPE` declaration (refused outright).
    DtdForbidden,
    /// An entity reference other than the predefined five.
    EntityUndefined,
    /// Larger than [`Limits::max_bytes`].
    TooLarge,
    /// Deeper than [`Limits::max_depth`].
    TooDeep,
    /// More nodes than [`Limits::max_nodes`].
    TooManyNodes,
    /// A namespace prefix without a declaration.
    NamespaceUndeclared,
}

/// A document that could not be read, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (line {line}, column {column})")]
pub struct XmlError {
    pub kind: XmlErrorKind,
    pub message: String,
    /// 1-based line of the problem (0 when not tied to a position).
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl XmlError {
    pub(crate) fn new(kind: XmlErrorKind, message: impl Into<String>) -> Self {
        XmlError { kind, message: message.into(), line: 0, column: 0 }
    }

    pub(crate) fn at(kind: XmlErrorKind, message: impl Into<String>, src: &str, offset: usize) -> Self {
        let (line, column) = line_col(src, offset);
        XmlError { kind, message: message.into(), line, column }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX))
}
