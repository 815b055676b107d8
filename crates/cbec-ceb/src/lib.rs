//! CEB messages: the typed model of every message in the official 2022 XSDs,
//! the XML codec, schema validation and the `DxpMsg` envelope.
//!
//! - [`Message`] is an enum over every message root (`CEB311Message`, …,
//!   `DxpMsg`), each variant a struct generated from the XSD by `xsdgen`
//!   (modules [`import`], [`export`], [`dxp`]). The same structs give the
//!   documented JSON form through serde.
//! - [`decode`] reads bytes into a [`Message`]: strict by default (a message
//!   that fails the schema is refused with every diagnostic), lenient on
//!   request (repairs recorded as warnings).
//! - [`validate_schema`] gives the verdict of `xmllint --schema` on the
//!   official XSDs, with coded, located diagnostics.
//! - [`encode`] writes a message as XSD-valid XML with the `ceb:` prefix.
//! - [`envelope`] wraps and unwraps the `DxpMsg` transport envelope.
//!
//! This is the only crate that knows the CEB XML vocabulary.

// Tests may unwrap; library code may not (workspace lint `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod codec;
mod dsig_schema;
pub mod envelope;
#[rustfmt::skip]
mod generated;
pub mod schema;

use cbec_model::diag::{Code, Diagnostic};
use cbec_xml::{Document, XmlError, XmlErrorKind};

pub use cbec_xml::Limits;
pub use codec::RawXml;
pub use generated::{Message, dxp, export, import};

/// How to decode.
#[derive(Debug, Clone, Default)]
pub struct DecodeOptions {
    pub limits: Limits,
    /// Accept schema-invalid messages, repairing what can be repaired (see
    /// [`codec::Cx`]); the repairs and schema errors come back as
    /// diagnostics. For looking at broken messages, never for clearance.
    pub lenient: bool,
}

/// A decoded message and what was noticed while decoding it.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub message: Message,
    /// Schema problems: empty for a strictly decoded message.
    pub diagnostics: Vec<Diagnostic>,
    /// What lenient decoding repaired to build the value (warnings).
    pub repairs: Vec<Diagnostic>,
}

/// The result of schema validation.
#[derive(Debug, Clone)]
pub struct SchemaReport {
    /// The root element name when it is a known message.
    pub message_type: Option<&'static str>,
    pub diagnostics: Vec<Diagnostic>,
}

impl SchemaReport {
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Maps an XML reading error to a diagnostic.
pub fn xml_error_diagnostic(e: &XmlError) -> Diagnostic {
    let code = match e.kind {
        XmlErrorKind::Malformed => Code::XmlMalformed,
        XmlErrorKind::Encoding => Code::XmlEncoding,
        XmlErrorKind::DtdForbidden => Code::XmlDtdForbidden,
        XmlErrorKind::EntityUndefined => Code::XmlEntityUndefined,
        XmlErrorKind::TooLarge => Code::XmlTooLarge,
        XmlErrorKind::TooDeep => Code::XmlTooDeep,
        XmlErrorKind::TooManyNodes => Code::XmlTooManyNodes,
        XmlErrorKind::NamespaceUndeclared => Code::XmlNamespaceUndeclared,
    };
    let d = Diagnostic::new(code, "", e.message.clone());
    if e.line > 0 { d.with_line(e.line) } else { d }
}

/// Reads bytes (any accepted encoding) and runs `f` on the parsed document.
pub fn with_document<T>(bytes: &[u8], limits: &Limits, f: impl FnOnce(&Document) -> T) -> Result<T, Diagnostic> {
    let (text, _) = cbec_xml::decode_input(bytes, limits.max_bytes).map_err(|e| xml_error_diagnostic(&e))?;
    let doc = Document::parse(&text, limits).map_err(|e| xml_error_diagnostic(&e))?;
    Ok(f(&doc))
}

/// Validates a message against its official XSD.
pub fn validate_schema(bytes: &[u8], limits: &Limits) -> SchemaReport {
    match with_document(bytes, limits, validate_document_schema) {
        Ok(r) => r,
        Err(d) => SchemaReport { message_type: None, diagnostics: vec![d] },
    }
}

/// Validates a parsed document against its official XSD.
pub fn validate_document_schema(doc: &Document) -> SchemaReport {
    let mut diagnostics = Vec::new();
    let found = schema::validate_document(doc, &mut diagnostics);
    SchemaReport { message_type: found.map(|(_, d)| d.name), diagnostics }
}

/// Decodes a parsed document.
pub fn decode_document(doc: &Document, lenient: bool) -> Result<Decoded, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let root = doc.root();
    let found = schema::validate_document(doc, &mut diagnostics).or_else(|| lenient_root(root.local_name(), lenient));
    let Some((schema, decl)) = found else {
        return Err(diagnostics);
    };
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    if has_errors && !lenient {
        return Err(diagnostics);
    }
    let mut cx = codec::Cx::default();
    let Some(message) = Message::decode_root(schema.name, decl.name, root, &mut cx) else {
        return Err(diagnostics);
    };
    if !lenient && !cx.repairs.is_empty() {
        // The validator and the decoder disagree: never hand out a repaired
        // value as a valid one.
        diagnostics.extend(cx.repairs);
        return Err(diagnostics);
    }
    Ok(Decoded { message, diagnostics, repairs: cx.repairs })
}

/// Lenient decoding of a root written without the `Message` suffix (as in
/// the official CEB214 sample).
fn lenient_root(local: &str, lenient: bool) -> Option<(&'static schema::Schema, &'static schema::ElementDecl)> {
    if !lenient {
        return None;
    }
    schema::find_root(Some(schema::CEB_NS), &format!("{local}Message"))
}

/// Decodes a message from bytes.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<Decoded, Vec<Diagnostic>> {
    with_document(bytes, &opts.limits, |doc| decode_document(doc, opts.lenient)).map_err(|d| vec![d])?
}

/// Writes a message as indented UTF-8 XML that validates against its XSD
/// when the message is complete.
pub fn encode(message: &Message) -> String {
    let mut w = cbec_xml::XmlWriter::new(Some("  "));
    message.encode_root(&mut w);
    w.finish()
}

/// The JSON form of a message: `{"CEB311Message": {…}}`.
pub fn to_json(message: &Message) -> String {
    serde_json::to_string_pretty(message).unwrap_or_default()
}

/// Reads the JSON form, reporting the path of the first problem.
pub fn from_json(json: &str) -> Result<Message, Diagnostic> {
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Diagnostic::new(Code::JsonInvalid, path.replace('.', "/"), e.inner().to_string())
    })
}
