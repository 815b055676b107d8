//! The `DxpMsg` transport envelope: the business message travels Base64
//! encoded in `Data`, with routing data in `TransInfo` and `AddInfo`.

use base64::Engine as _;
use cbec_model::diag::{Code, Diagnostic};

use crate::Message;
use crate::dxp::{DxpMsg, TransInfoType};

/// What an envelope carried.
#[derive(Debug, Clone)]
pub struct Opened {
    pub envelope: DxpMsg,
    /// The business message bytes, exactly as they were encoded in `Data`.
    pub payload: Vec<u8>,
}

/// Decodes the payload of an envelope.
pub fn open(envelope: DxpMsg) -> Result<Opened, Diagnostic> {
    let data: String = envelope.data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let payload = base64::engine::general_purpose::STANDARD.decode(data.as_bytes()).map_err(|e| {
        Diagnostic::new(Code::SchemaNotBase64, "Data", format!("the DxpMsg Data is not valid base64: {e}"))
    })?;
    Ok(Opened { envelope, payload })
}

/// Wraps a business message into an envelope.
pub fn seal(payload: &[u8], trans_info: TransInfoType) -> Message {
    let data = base64::engine::general_purpose::STANDARD.encode(payload);
    Message::DxpMsg(Box::new(DxpMsg { ver: "1.0".into(), id: None, trans_info, data, add_info: None, signature: None }))
}
