//! The customs side's outgoing CEB messages, built as typed
//! [`cbec_ceb::Message`] values and encoded as XSD-valid XML.
//!
//! - **Receipts** (回执) answer the enterprise business messages:
//!   [`ReceiptType`] says which receipt answers which message (CEB311 →
//!   CEB312, CEB621 → CEB622, …); [`receipt_message`] / [`receipt_xml`]
//!   build one receipt message with one return element per
//!   [`ReceiptItem`] (the business [`ReceiptKeys`] plus `returnStatus`,
//!   `returnTime` and `returnInfo`). [`receipt_keys`] reads the keys out of
//!   a decoded business message.
//! - **CEB900** ([`message_return_xml`], [`MessageReturn`]): the
//!   format-check failure receipt, which echoes the original message.
//! - **CEB816 / CEB818** ([`tax_bill_xml`], [`TaxBill`]; [`tax_status_xml`],
//!   [`TaxStatus`]): the electronic tax bill and its status.
//!
//! Failures are a [`ReceiptError`] naming the message, the field path
//! (`InventoryReturn[2]/preNo`) and the reason.
//!
//! The crate is pure: no I/O, no clock (every `returnTime` is passed in), no
//! randomness (every guid is passed in or taken from the business
//! document).
//!
//! # Choices
//!
//! - **No issuer block.** The receipt, CEB816, CEB818 and CEB900 roots of
//!   the 202205 XSDs have only `guid` and `version` attributes and their
//!   return elements: no `BaseTransfer`, `BaseSubscribe` or signature. The
//!   customs side identifies itself in the `DxpMsg` envelope (`SenderId`),
//!   which `cbec_ceb::envelope` writes, so no sender parameter is taken.
//! - **Limits come from the XSD tables.** Lengths, digits and occurrence
//!   bounds are read from the schema tables `cbec-ceb` generates from the
//!   official XSDs, and values are judged by the validator's own function;
//!   the `*_xml` functions also run the schema validator on the encoded
//!   bytes and refuse to return a message that fails it.
//! - **Root guid.** A receipt's root `guid` is the first item's business
//!   guid, as in the official samples (CEB304, CEB312, CEB622);
//!   [`receipt_message_with_guid`] takes one instead. CEB816, CEB818 and
//!   CEB900 take a guid from the caller.
//! - **Required keys.** Each receipt type writes the keys its XSD has and
//!   ignores the others. A key the XSD requires but the caller lacks is a
//!   [`ReceiptError::Missing`] (an empty string where the XSD needs a
//!   character counts as lacking); a required value the XSD refuses is a
//!   [`ReceiptError::Invalid`], never written. An *optional* key the
//!   receipt's XSD refuses is left out instead: the enterprise's message
//!   passed its own XSD, and some receipts are stricter about the same field
//!   (an import `invtNo` may have up to 18 characters in CEB621/623/625 but
//!   needs exactly 18 in their receipts; likewise CEB701/702 `sumNo`), so
//!   refusing would leave a valid message without an answer; the document
//!   stays identified by its guid and required keys. [`receipt_keys`] reads
//!   an empty business element as no key. The exceptions, where a value is
//!   derivable:
//!   - CEB214/CEB216 `coElNo` falls back to `cop_no` (the same enterprise
//!     number under the export return messages' name);
//!   - CEB508 `billNo` is written empty when unknown (CEB507 may carry none;
//!     the receipt's type admits the empty string);
//!   - CEB604 `invtNo` is written empty when unknown (a list refused before
//!     customs numbered it has none; the type admits the empty string).
//!   - `returnStatus` is always required, even where an export XSD would
//!     admit it empty.
//!
//!   | receipt | element | required keys | optional keys |
//!   |---|---|---|---|
//!   | CEB304, CEB312 | `OrderReturn` | ebpCode, ebcCode, orderNo | |
//!   | CEB404 | `ReceiptsReturn` | ebcCode, orderNo | payNo |
//!   | CEB412 | `PaymentReturn` | payCode, payTransactionId | |
//!   | CEB506, CEB512 | `LogisticsReturn` | logisticsCode, logisticsNo | |
//!   | CEB508 | `ArrivalReturn` | operatorCode, logisticsCode, preNo, copNo, msgSeqNo | billNo ("") |
//!   | CEB510 | `DepartureReturn` | logisticsCode, copNo, preNo, msgSeqNo | |
//!   | CEB514 | `LogisticsStatusReturn` | logisticsCode, logisticsNo, logisticsStatus | |
//!   | CEB604 | `InventoryReturn` | agentCode, copNo, preNo, ebcCode, ebpCode, orderNo, statisticsFlag | invtNo ("") |
//!   | CEB606 | `InvtCancelReturn` | agentCode, copNo, preNo, invtNo | |
//!   | CEB608 | `WayBillReturn` | agentCode, logisticsCode, copNo, preNo, billNo, msgSeqNo | |
//!   | CEB214 | `RefundReturn` | agentCode, coElNo, invtNo | ebpCode, ebcCode, preNo |
//!   | CEB216 | `InvtRefundDetailReturn` | operatorCode, logisticsCode, logisticsNo, coElNo | preNo |
//!   | CEB622, CEB624, CEB626 | `InventoryReturn` … | copNo, preNo | customsCode, ebpCode, ebcCode, agentCode, invtNo |
//!   | CEB702 | `SummaryReturn` | agentCode, ebcCode, copNo, preNo, msgSeqNo | sumNo |
//!   | CEB712 | `DeliveryReturn` | | customsCode, operatorCode, copNo, preNo, rkdNo |
//!
//!   `guid` is required everywhere. `("")`: written empty when unknown, as
//!   above; CEB624 and CEB626 use `InvtCancelReturn` and `InvtRefundReturn`.
//! - **Free text is fitted, never refused for length.** `returnInfo` (≤ 1000
//!   characters in business receipts, ≤ 5000 in CEB900), the tax bill
//!   `note`, and CEB900's `oriCopMsgId` are cut on a character boundary to
//!   the XSD maximum, ending with "…", because `returnInfo` is built from
//!   lists of mismatches of any length. Characters XML 1.0 cannot carry
//!   (most C0 controls, U+FFFE, U+FFFF) become U+FFFD in free text; in keys
//!   they are an error.
//! - **Statuses are not judged here.** Whether a `returnStatus` suits a
//!   receipt type (e.g. 800 only on CEB604/CEB622) is a business rule
//!   (`cbec-rules`); this crate checks only what the XSD checks (1 to 10
//!   characters), plus that CEB900's status is negative.
//! - **Amounts** (`Decimal`) are rounded half away from zero to the 5
//!   fraction digits of `N19,5`; more than 19 significant digits is an
//!   error.
//! - **CEB900** is producible for any input: the original bytes are decoded
//!   in their declared encoding (else as lossy UTF-8) and written as escaped
//!   character data, which carries `]]>` and markup safely (it reads back as
//!   the same text a CDATA section would give); `oriMessageType` is the
//!   given type if it names a CEB message, else the original's root element
//!   if that names one, else `Unknown`; `returnStatus` must be a negative
//!   code.

mod ceb900;
mod error;
mod fields;
mod keys;
mod kind;
mod receipt;
mod summary;
mod tax;

use cbec_ceb::Message;

pub use ceb900::{MessageReturn, UNKNOWN_MESSAGE_TYPE, message_return_message, message_return_xml};
pub use error::ReceiptError;
pub use keys::{ReceiptItem, ReceiptKeys, receipt_keys};
pub use kind::ReceiptType;
pub use receipt::{receipt_message, receipt_message_with_guid, receipt_xml};
pub use summary::{
    MAX_DECLARATIONS_PER_MESSAGE, SummaryDeclaration, SummaryLine, SummaryResultDoc, summary_result_message,
    summary_result_xml,
};
pub use tax::{
    TaxBill, TaxBillHead, TaxBillItem, TaxBillStatus, TaxStatus, tax_bill_message, tax_bill_xml, tax_status_message,
    tax_status_xml,
};

/// Encodes a message and checks the bytes against the XSD before handing
/// them out.
fn to_xml(message: &Message) -> Result<Vec<u8>, ReceiptError> {
    let bytes = cbec_ceb::encode(message).into_bytes();
    let defaults = cbec_ceb::Limits::default();
    // A CEB900 echoes a whole message, so it may exceed the input limits.
    let limits = cbec_ceb::Limits { max_bytes: defaults.max_bytes.max(bytes.len()), ..defaults };
    let report = cbec_ceb::validate_schema(&bytes, &limits);
    if report.is_valid() {
        Ok(bytes)
    } else {
        Err(ReceiptError::Schema { message: message.root_name(), diagnostics: report.diagnostics })
    }
}
