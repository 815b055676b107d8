//! The CPU stage of intake, run on a blocking worker: read the bytes,
//! open a `DxpMsg` envelope, verify the signature, decode against the XSD,
//! run the message rules and extract the clearance documents. Nothing here
//! touches the store.

use cbec_ceb::{Message, xml_error_diagnostic};
use cbec_clearance::Refusal;
use cbec_clearance::facts::{self, Incoming, Kind};
use cbec_dsig::{UtcTime, Verifier};
use cbec_model::codes::{MessageType, SignatureRule};
use cbec_model::diag::Diagnostic;
use cbec_xml::Document;

use crate::PipelineConfig;

/// `returnStatus` of a CEB900 for bytes that are not a readable XML document
/// (DXP 0001, bad format).
pub const FORMAT_UNREADABLE: &str = "-1";
/// `returnStatus` of a CEB900 for a message that fails the official XSD
/// (DXP 0002).
pub const FORMAT_SCHEMA: &str = "-2";
/// `returnStatus` of a CEB900 for a well-formed message of a type this
/// service does not take (receipts, customs-side messages, export messages
/// not yet supported).
pub const FORMAT_UNSUPPORTED: &str = "-3";

/// What the signature check found.
#[derive(Debug, Clone)]
pub(crate) enum Signature {
    /// Valid under the embedded certificate at receipt time; whether that
    /// certificate belongs to the sender is checked against the store.
    Verified { fingerprint: [u8; 32], subject: String, serial: String },
    /// None, and none required.
    Absent,
    /// Refused: the refusal every document of the message gets.
    Refused { spec_code: u16, info: String },
}

/// A message read and checked as far as the bytes alone allow.
#[derive(Debug, Clone)]
pub(crate) enum Prepared {
    /// Answer with a CEB900.
    Format { status: &'static str, info: String, message_type: Option<String>, cop_msg_id: Option<String> },
    /// Clearance documents to decide.
    Documents {
        message_type: MessageType,
        guid: String,
        cop_code: String,
        incoming: Vec<Incoming>,
        signature: Signature,
        /// One per document: a refusal found by the message rules.
        rule_refusals: Vec<Option<Refusal>>,
    },
}

fn describe(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            if d.path.is_empty() {
                format!("{}: {}", d.code, d.message)
            } else {
                format!("{} at {}: {}", d.code, d.path, d.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn utc(ms: i64) -> UtcTime {
    UtcTime::from_unix_seconds(ms.div_euclid(1000))
}

/// Reads and checks one received body.
pub(crate) fn prepare(bytes: &[u8], verifier: &Verifier, cfg: &PipelineConfig, now_ms: i64) -> Prepared {
    let limits = &cfg.limits;
    let text = match cbec_xml::decode_input(bytes, limits.max_bytes) {
        Ok((text, _)) => text,
        Err(e) => return unreadable(&xml_error_diagnostic(&e), None, None),
    };
    let doc = match Document::parse(&text, limits) {
        Ok(doc) => doc,
        Err(e) => return unreadable(&xml_error_diagnostic(&e), None, None),
    };
    if doc.root().local_name() != "DxpMsg" {
        return business(&doc, verifier, cfg, now_ms, None);
    }
    // The terminal-node envelope: the business message is in Data.
    let env = match cbec_ceb::decode_document(&doc, false) {
        Ok(d) => match d.message {
            Message::DxpMsg(env) => env,
            _ => return unreadable_text(FORMAT_SCHEMA, "DxpMsg: not an envelope".into(), None, None),
        },
        Err(diags) => {
            return unreadable_text(FORMAT_SCHEMA, format!("DxpMsg envelope: {}", describe(&diags)), None, None);
        }
    };
    let cop_msg_id = Some(env.trans_info.cop_msg_id.clone());
    let msg_type = env.trans_info.msg_type.clone();
    let opened = match cbec_ceb::envelope::open(*env) {
        Ok(o) => o,
        Err(d) => return unreadable_text(FORMAT_SCHEMA, describe(&[d]), Some(msg_type), cop_msg_id),
    };
    let inner_text = match cbec_xml::decode_input(&opened.payload, limits.max_bytes) {
        Ok((t, _)) => t,
        Err(e) => return unreadable(&xml_error_diagnostic(&e), Some(msg_type), cop_msg_id),
    };
    let inner = match Document::parse(&inner_text, limits) {
        Ok(d) => d,
        Err(e) => return unreadable(&xml_error_diagnostic(&e), Some(msg_type), cop_msg_id),
    };
    if inner.root().local_name() != msg_type {
        let info =
            format!("the envelope's MsgType is {msg_type} but Data holds a {} message", inner.root().local_name());
        return unreadable_text(FORMAT_SCHEMA, info, Some(msg_type), cop_msg_id);
    }
    business(&inner, verifier, cfg, now_ms, cop_msg_id)
}

fn unreadable(d: &Diagnostic, message_type: Option<String>, cop_msg_id: Option<String>) -> Prepared {
    let info = match d.line {
        Some(line) => format!("{} (line {line}): {}", d.code, d.message),
        None => format!("{}: {}", d.code, d.message),
    };
    unreadable_text(FORMAT_UNREADABLE, info, message_type, cop_msg_id)
}

fn unreadable_text(
    status: &'static str,
    info: String,
    message_type: Option<String>,
    cop_msg_id: Option<String>,
) -> Prepared {
    Prepared::Format { status, info, message_type, cop_msg_id }
}

/// The message types clearance takes in.
fn taken(t: MessageType) -> bool {
    matches!(
        t,
        MessageType::Ceb311
            | MessageType::Ceb411
            | MessageType::Ceb511
            | MessageType::Ceb621
            | MessageType::Ceb623
            | MessageType::Ceb625
            | MessageType::Ceb303
            | MessageType::Ceb403
            | MessageType::Ceb505
            | MessageType::Ceb603
            | MessageType::Ceb605
            | MessageType::Ceb507
            | MessageType::Ceb509
            | MessageType::Ceb213
            | MessageType::Ceb701
            | MessageType::Ceb215
            | MessageType::Ceb607
    )
}

fn business(
    doc: &Document,
    verifier: &Verifier,
    cfg: &PipelineConfig,
    now_ms: i64,
    cop_msg_id: Option<String>,
) -> Prepared {
    let root = doc.root().local_name().to_string();
    let guid = doc.root().attribute("guid").map(str::to_string);
    let format = |status, info| Prepared::Format {
        status,
        info,
        message_type: Some(root.clone()),
        cop_msg_id: cop_msg_id.clone(),
    };
    let Some(message_type) = MessageType::from_root_name(&root) else {
        return format(FORMAT_SCHEMA, format!("{root} is not a CEB message (schema.unknown_root)"));
    };
    if !taken(message_type) {
        return format(
            FORMAT_UNSUPPORTED,
            format!(
                "{root} is not taken by this service (yet): send an import order, payment, waybill, list, cancellation or \
                 return, or an export order, receipt of payment, waybill, list, list cancellation, bill link, arrival, departure, return, return tally or summary application"
            ),
        );
    }
    // The signature: verified whenever present, required where the spec requires it.
    let present = !cbec_dsig::profile::find_signatures(doc).is_empty();
    let required = message_type.signature() == SignatureRule::Mandatory || message_type.pdf_requires_signature();
    let signature = if present {
        match verifier.verify(doc, utc(now_ms)) {
            Ok(v) => {
                let c = &v.report().certificate;
                Signature::Verified {
                    fingerprint: *c.fingerprint(),
                    subject: c.subject().to_string(),
                    serial: c.serial_hex(),
                }
            }
            Err(r) => Signature::Refused {
                spec_code: r.error.spec_code(),
                info: format!("signature verification failed: {}", r.error),
            },
        }
    } else if required {
        Signature::Refused {
            spec_code: 1001,
            info: format!(
                "{root} must be signed (ds:Signature is required); sign it with the enterprise's certificate"
            ),
        }
    } else {
        Signature::Absent
    };
    // Decode against the XSD. A message refused for a missing signature is
    // decoded leniently so that its documents can be answered.
    let missing_signature = !present && required;
    let decoded = match cbec_ceb::decode_document(doc, missing_signature) {
        Ok(d) => d,
        Err(diags) => return format(FORMAT_SCHEMA, describe(&diags)),
    };
    if missing_signature {
        let other: Vec<Diagnostic> = decoded
            .diagnostics
            .into_iter()
            .filter(|d| d.is_error() && !d.path.contains("Signature") && !d.message.contains("Signature"))
            .collect();
        if !other.is_empty() {
            return format(FORMAT_SCHEMA, describe(&other));
        }
    }
    let message = decoded.message;
    let Some(incoming) = facts::documents(&message) else {
        return format(FORMAT_UNSUPPORTED, format!("{root} carries no clearance document"));
    };
    let cop_code = base_transfer_cop_code(&message).unwrap_or_default();
    // The message rules, assigned to the document their path names.
    let mut rule_refusals: Vec<Option<Refusal>> = vec![None; incoming.len()];
    let diags: Vec<Diagnostic> =
        cbec_rules::check_message(&message, &cfg.rules).into_iter().filter(Diagnostic::is_error).collect();
    if !diags.is_empty() {
        let mut per_doc: Vec<Vec<Diagnostic>> = vec![Vec::new(); incoming.len()];
        for d in diags {
            match element_index(&d.path).filter(|i| *i < incoming.len()) {
                Some(i) => per_doc[i].push(d),
                None => per_doc.iter_mut().for_each(|v| v.push(d.clone())),
            }
        }
        for (i, ds) in per_doc.into_iter().enumerate() {
            if !ds.is_empty() {
                let kind = incoming[i].facts.kind();
                rule_refusals[i] = Some(Refusal { code: rule_code(kind), info: describe(&ds) });
            }
        }
    }
    Prepared::Documents { message_type, guid: guid.unwrap_or_default(), cop_code, incoming, signature, rule_refusals }
}

/// The 0-based business element a diagnostic path names (`Order[2]/…` → 1).
fn element_index(path: &str) -> Option<usize> {
    let first = path.split('/').next()?;
    let open = first.find('[')?;
    let n: usize = first[open + 1..].strip_suffix(']')?.parse().ok()?;
    n.checked_sub(1)
}

/// The code of a document refused by the message rules (the first code of
/// its family's range: a field that breaks the spec's rules).
pub(crate) fn rule_code(kind: Kind) -> i32 {
    match kind {
        Kind::Order => -301002,
        Kind::Payment => -401002,
        Kind::Waybill => -504002,
        Kind::List => -621010,
        Kind::Cancel => -623010,
        Kind::Refund => -625010,
        // The spec names no business error range for export documents: 100 (rejected).
        Kind::ExportOrder
        | Kind::Collection
        | Kind::ExportWaybill
        | Kind::ExportList
        | Kind::ExportCancel
        | Kind::Arrival
        | Kind::Departure
        | Kind::ExportRefund
        | Kind::Summary
        | Kind::ExportTally
        | Kind::BillLink
        | Kind::DeclarationForm => 100,
    }
}

fn base_transfer_cop_code(m: &Message) -> Option<String> {
    Some(match m {
        Message::CEB311Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB411Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB511Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB621Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB623Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB625Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB303Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB403Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB505Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB603Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB605Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB507Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB509Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB213Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB701Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB215Message(m) => m.base_transfer.cop_code.clone(),
        Message::CEB607Message(m) => m.base_transfer.cop_code.clone(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_indexes() {
        assert_eq!(element_index("Order[2]/OrderHead/x"), Some(1));
        assert_eq!(element_index("Inventory[1]"), Some(0));
        assert_eq!(element_index("BaseTransfer/copCode"), None);
        assert_eq!(element_index(""), None);
    }
}
