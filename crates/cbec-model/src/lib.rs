//! Domain types of cbec, shared by every other crate: validated identifiers
//! ([`ident`]: [`ident::Uscc`], [`ident::EnterpriseCode`],
//! [`ident::PrcIdNumber`], [`ident::Guid`], [`ident::AppTime`],
//! [`ident::HsCode`], [`ident::InvtNo`], …), the `N19,5` decimal
//! [`money::Amount`], code tables and the spec's enumerations ([`codes`]:
//! [`codes::CodeTable`], [`codes::MessageType`], [`codes::ReturnStatus`],
//! [`codes::TradeMode`], …), and the diagnostic type with its registry of
//! stable codes ([`diag`]). Every parse failure is an [`IdentError`].
//! No IO, no XML, no SQL, no clock.
//!
//! ```
//! use cbec_model::codes::{self, MessageType, ReturnStatus};
//! use cbec_model::ident::{EnterpriseCode, Guid, Uscc};
//! use cbec_model::money::Amount;
//!
//! let ebc = EnterpriseCode::parse(Uscc::with_check("91350100M000100Y4")?.as_str())?;
//! assert_eq!(ebc.as_str(), "91350100M000100Y43");
//! assert!(Guid::parse("5923DGGB-9940-415B-B666-C09BOO7F40B2").is_err());
//!
//! let paid = Amount::parse("190.50")?.checked_add(Amount::parse("9.1")?);
//! assert_eq!(paid.map(|a| a.to_string()).as_deref(), Some("199.60"));
//!
//! assert_eq!(MessageType::from_root_name("CEB621Message").and_then(MessageType::receipt_type), Some(MessageType::Ceb622));
//! assert_eq!(ReturnStatus::parse("800").map(ReturnStatus::meaning_zh), Some("放行"));
//! assert_eq!(codes::currency("142").map(|c| c.name_zh.as_str()), Some("人民币"));
//! # Ok::<(), cbec_model::IdentError>(())
//! ```

// Tests may unwrap; library code may not (workspace lint `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod codes;
pub mod diag;
pub mod filing;
pub mod ident;
pub mod money;

pub use ident::IdentError;
pub use rust_decimal::Decimal;
