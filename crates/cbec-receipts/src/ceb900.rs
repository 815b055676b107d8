//! The CEB900 format-check failure receipt.

use std::borrow::Cow;

use cbec_ceb::{Message, import};
use cbec_model::codes::MessageType;
use cbec_model::ident::{Guid, ReturnTime};

use crate::ReceiptError;
use crate::fields::{Fields, Node, VERSION, xml_safe};

/// What the CEB900 receipt says about a message that failed the format
/// check (schema or parse errors). Every field is fitted rather than
/// refused where the input is the enterprise's, because the receipt must be
/// producible for any input, however broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageReturn {
    /// A fresh guid for the receipt (the root `guid` and `MessageReturn/guid`).
    pub guid: Guid,
    /// The negative format-check code, e.g. `"-1"` or `"-301001"`.
    pub return_status: String,
    /// What is wrong; cut to 5000 characters with "…" if longer.
    pub return_info: String,
    pub return_time: ReturnTime,
    /// The `CopMsgId` of the envelope that carried the message, if it was
    /// read; written empty otherwise, cut to 255 characters with "…".
    pub ori_cop_msg_id: Option<String>,
    /// The message type (`CEB311Message`), e.g. the envelope's `MsgType`.
    /// Used when it names a CEB message; otherwise the type is recognised
    /// from the root element of `ori_biz_message`, and failing that it is
    /// `Unknown`.
    pub ori_message_type: Option<String>,
    /// The original message bytes. Written as text: decoded in their
    /// declared encoding (UTF-8, UTF-16, GB18030 family) where that works,
    /// else as lossy UTF-8; characters XML cannot carry become U+FFFD.
    /// Echoed whole: note that libxml2-based readers refuse a text node over
    /// 10,000,000 bytes unless told to accept huge documents, far above any
    /// legal CEB message (about 6 MB at most).
    pub ori_biz_message: Vec<u8>,
}

const CEB900: &str = "CEB900Message";

/// The `oriMessageType` written when the type cannot be recognised.
pub const UNKNOWN_MESSAGE_TYPE: &str = "Unknown";

/// The CEB900 message.
pub fn message_return_message(r: &MessageReturn) -> Result<Message, ReceiptError> {
    let root = Node::root(CEB900);
    let node = root.and_then(|n| n.child("MessageReturn"));
    let guid = Fields::new(CEB900, root, String::new()).attr("guid", r.guid.as_str())?;
    let f = Fields::new(CEB900, node, "MessageReturn".into());

    let status = r.return_status.trim_start_matches('-');
    let negative = r.return_status.starts_with('-') && !status.is_empty() && status.bytes().all(|b| b.is_ascii_digit());
    if r.return_status.is_empty() {
        return Err(f.missing("returnStatus"));
    }
    if !negative || status.bytes().all(|b| b == b'0') {
        return Err(f.invalid(
            "returnStatus",
            &r.return_status,
            "a CEB900 returnStatus is a negative format-check code, such as -1",
        ));
    }

    let text = original_text(&r.ori_biz_message);
    let ori_message_type = r
        .ori_message_type
        .as_deref()
        .and_then(known_type)
        .or_else(|| root_name(&text).and_then(known_type))
        .unwrap_or(UNKNOWN_MESSAGE_TYPE);

    let message_return = import::MessageReturn {
        guid: f.value("guid", r.guid.as_str())?,
        return_status: f.value("returnStatus", &r.return_status)?,
        return_info: f.text("returnInfo", &r.return_info)?,
        return_time: f.value("returnTime", r.return_time.as_str())?,
        ori_cop_msg_id: f.text("oriCopMsgId", r.ori_cop_msg_id.as_deref().unwrap_or_default())?,
        ori_message_type: f.value("oriMessageType", ori_message_type)?,
        ori_biz_message: f.text("oriBizMessage", &text)?,
    };
    Ok(Message::CEB900Message(Box::new(import::CEB900Message { guid, version: VERSION.to_string(), message_return })))
}

/// The CEB900 format-check receipt as XML, checked against the XSD.
pub fn message_return_xml(r: &MessageReturn) -> Result<Vec<u8>, ReceiptError> {
    crate::to_xml(&message_return_message(r)?)
}

/// The original bytes as text, as the format checker read them if it could.
fn original_text(bytes: &[u8]) -> Cow<'_, str> {
    let text = match cbec_xml::decode_input(bytes, usize::MAX) {
        Ok((text, _)) => text,
        Err(_) => String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)),
    };
    match xml_safe(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(s) => Cow::Owned(s),
    }
}

/// The name if it is the root of a CEB message.
fn known_type(name: &str) -> Option<&'static str> {
    MessageType::from_root_name(name).map(MessageType::root_name)
}

/// The local name of the first element of a document, read without
/// parsing the rest (the document may be broken anywhere after it).
fn root_name(text: &str) -> Option<&str> {
    // Enough for any prolog a message has; a root further in is not found.
    const MAX_SCAN: usize = 64 * 1024;
    let mut rest = text.get(..MAX_SCAN).unwrap_or(text).trim_start_matches('\u{FEFF}');
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>")?.1;
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->")?.1;
        } else if let Some(r) = rest.strip_prefix("<!") {
            // A DOCTYPE, possibly with an internal subset in brackets.
            let close = r.find('>')?;
            rest = match r.find('[') {
                Some(open) if open < close => r[open..].split_once(']')?.1.split_once('>')?.1,
                _ => &r[close + 1..],
            };
        } else if let Some(r) = rest.strip_prefix('<') {
            let end = r.find(|c: char| c.is_whitespace() || matches!(c, '>' | '/')).unwrap_or(r.len());
            let qname = &r[..end];
            return Some(qname.rsplit(':').next().unwrap_or(qname));
        } else {
            return None;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn root_names_are_found_past_the_prolog() {
        assert_eq!(root_name("<?xml version=\"1.0\"?>\n<ceb:CEB311Message xmlns:ceb=\"x\">"), Some("CEB311Message"));
        assert_eq!(root_name("\u{FEFF}<!-- c --><!DOCTYPE x><CEB621Message>broken &"), Some("CEB621Message"));
        assert_eq!(
            root_name("<!DOCTYPE x [<!ENTITY e \"v\"> <!ENTITY f 'w'>]>\n<ceb:CEB623Message>"),
            Some("CEB623Message")
        );
        assert_eq!(root_name("<a:b:CEB622Message/>"), Some("CEB622Message"));
        assert_eq!(root_name("not xml"), None);
        assert_eq!(root_name("<?xml never closed"), None);
        assert_eq!(root_name(""), None);
    }

    #[test]
    fn only_ceb_roots_are_message_types() {
        assert_eq!(known_type("CEB311Message"), Some("CEB311Message"));
        assert_eq!(known_type("CEB214"), None);
        assert_eq!(known_type("DxpMsg"), None);
        assert_eq!(known_type("CEB311MessageXXXXXXXXXXXXXX"), None);
    }

    #[test]
    fn original_text_honours_the_declared_encoding() {
        let gbk = b"<?xml version=\"1.0\" encoding=\"GBK\"?><a>\xD6\xD0\xB9\xFA</a>";
        assert_eq!(original_text(gbk), "<?xml version=\"1.0\" encoding=\"GBK\"?><a>中国</a>");
        assert_eq!(original_text(b"\xEF\xBB\xBF<a>\xFF</a>"), "<a>\u{FFFD}</a>");
        assert_eq!(original_text(b"<a>\x01</a>"), "<a>\u{FFFD}</a>");
    }
}
