//! The CEB message catalogue (GACC spec 202205; domain guide §3.2 and
//! `message_types.csv`).

use std::borrow::Cow;
use std::fmt;

use super::CodeEntry;

/// Which business XSD defines a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `ceb-import-202205.xsd` (CEB900 is defined there too).
    Import,
    /// `ceb-export-202205.xsd`.
    Export,
}

/// Who sends a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// An enterprise, to customs.
    Enterprise,
    /// Customs or China E-Port, to the enterprise (receipts, CEB792, tax bills).
    Customs,
    /// The data exchange platform (CEB900 format-check receipt).
    Platform,
}

/// Whether the XSD lets a message carry `ds:Signature`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureRule {
    /// No signature element (customs-side messages).
    Absent,
    /// `ds:Signature` may be present.
    Optional,
    /// `ds:Signature` is required.
    Mandatory,
}

macro_rules! messages {
    ($(
        $variant:ident = $code:literal, $dir:ident, $origin:ident, $element:literal, $max:expr, $sig:ident, $pdf:literal $(, receipt $receipt:ident)?;
    )*) => {
        /// A CEB message type, e.g. [`MessageType::Ceb311`] (root `CEB311Message`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum MessageType {
            $(
                #[doc = concat!("`", $code, "Message` (`", $element, "`).")]
                $variant,
            )*
        }

        impl MessageType {
            /// Every message type, export first, in catalogue order.
            pub const ALL: &'static [MessageType] = &[$(MessageType::$variant,)*];

            /// Reads a code such as `"CEB311"`.
            pub fn parse(s: &str) -> Option<MessageType> {
                match s {
                    $($code => Some(MessageType::$variant),)*
                    _ => None,
                }
            }

            /// The code, e.g. `"CEB311"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(MessageType::$variant => $code,)*
                }
            }

            /// The root element's local name, e.g. `"CEB311Message"`.
            pub fn root_name(self) -> &'static str {
                match self {
                    $(MessageType::$variant => concat!($code, "Message"),)*
                }
            }

            /// The type of a root element's local name (exact match:
            /// `"CEB214"`, the root of a broken sample, is not one).
            pub fn from_root_name(name: &str) -> Option<MessageType> {
                match name {
                    $(concat!($code, "Message") => Some(MessageType::$variant),)*
                    _ => None,
                }
            }

            /// The XSD that defines the message.
            pub fn direction(self) -> Direction {
                match self {
                    $(MessageType::$variant => Direction::$dir,)*
                }
            }

            /// Who sends it.
            pub fn origin(self) -> Origin {
                match self {
                    $(MessageType::$variant => Origin::$origin,)*
                }
            }

            /// The local name of the business element under the root, e.g.
            /// `"Order"` or `"InventoryReturn"`.
            pub fn business_element(self) -> &'static str {
                match self {
                    $(MessageType::$variant => $element,)*
                }
            }

            /// How many business elements one message may carry (`None`:
            /// unbounded).
            pub fn max_records(self) -> Option<u32> {
                match self {
                    $(MessageType::$variant => $max,)*
                }
            }

            /// What the XSD says about `ds:Signature`.
            pub fn signature(self) -> SignatureRule {
                match self {
                    $(MessageType::$variant => SignatureRule::$sig,)*
                }
            }

            /// True when the spec text requires a signature on a declared
            /// message even where the XSD leaves it optional (CEB509, CEB603,
            /// CEB605, CEB607 and CEB701; CEB507 when `appStatus` is 2), and
            /// for every message whose XSD makes it mandatory.
            pub fn pdf_requires_signature(self) -> bool {
                match self {
                    $(MessageType::$variant => $pdf,)*
                }
            }

            /// The receipt customs returns for this enterprise message, e.g.
            /// CEB311 → CEB312, CEB621 → CEB622.
            pub fn receipt_type(self) -> Option<MessageType> {
                match self {
                    $($(MessageType::$variant => Some(MessageType::$receipt),)?)*
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }
        }
    };
}

messages! {
    // --- Export (ceb-export-202205.xsd) ---
    Ceb303 = "CEB303", Export, Enterprise, "Order", Some(100), Optional, false, receipt Ceb304;
    Ceb304 = "CEB304", Export, Customs, "OrderReturn", Some(100), Absent, false;
    Ceb403 = "CEB403", Export, Enterprise, "Receipts", Some(100), Optional, false, receipt Ceb404;
    Ceb404 = "CEB404", Export, Customs, "ReceiptsReturn", Some(100), Absent, false;
    Ceb505 = "CEB505", Export, Enterprise, "Logistics", Some(100), Optional, false, receipt Ceb506;
    Ceb506 = "CEB506", Export, Customs, "LogisticsReturn", Some(100), Absent, false;
    Ceb507 = "CEB507", Export, Enterprise, "Arrival", Some(100), Optional, true, receipt Ceb508;
    Ceb508 = "CEB508", Export, Customs, "ArrivalReturn", Some(100), Absent, false;
    Ceb509 = "CEB509", Export, Enterprise, "Departure", Some(100), Optional, true, receipt Ceb510;
    Ceb510 = "CEB510", Export, Customs, "DepartureReturn", Some(100), Absent, false;
    Ceb603 = "CEB603", Export, Enterprise, "Inventory", Some(100), Optional, true, receipt Ceb604;
    Ceb604 = "CEB604", Export, Customs, "InventoryReturn", Some(100), Absent, false;
    Ceb605 = "CEB605", Export, Enterprise, "InvtCancel", Some(100), Optional, true, receipt Ceb606;
    Ceb606 = "CEB606", Export, Customs, "InvtCancelReturn", Some(100), Absent, false;
    Ceb607 = "CEB607", Export, Enterprise, "WayBill", Some(100), Optional, true, receipt Ceb608;
    Ceb608 = "CEB608", Export, Customs, "WayBillReturn", Some(100), Absent, false;
    Ceb213 = "CEB213", Export, Enterprise, "InvtRefund", Some(100), Optional, false, receipt Ceb214;
    Ceb214 = "CEB214", Export, Customs, "RefundReturn", Some(100), Absent, false;
    Ceb215 = "CEB215", Export, Enterprise, "InvtRefundDetail", Some(100), Optional, false, receipt Ceb216;
    Ceb216 = "CEB216", Export, Customs, "InvtRefundDetailReturn", Some(100), Absent, false;
    Ceb701 = "CEB701", Export, Enterprise, "SummaryApply", Some(100), Optional, true, receipt Ceb702;
    Ceb702 = "CEB702", Export, Customs, "SummaryReturn", Some(100), Absent, false;
    Ceb792 = "CEB792", Export, Customs, "SummaryResult", Some(100), Absent, false;
    // --- Import (ceb-import-202205.xsd) ---
    Ceb311 = "CEB311", Import, Enterprise, "Order", Some(100), Optional, false, receipt Ceb312;
    Ceb312 = "CEB312", Import, Customs, "OrderReturn", Some(100), Absent, false;
    Ceb411 = "CEB411", Import, Enterprise, "Payment", Some(100), Optional, false, receipt Ceb412;
    Ceb412 = "CEB412", Import, Customs, "PaymentReturn", Some(100), Absent, false;
    Ceb511 = "CEB511", Import, Enterprise, "Logistics", Some(100), Optional, false, receipt Ceb512;
    Ceb512 = "CEB512", Import, Customs, "LogisticsReturn", Some(100), Absent, false;
    Ceb513 = "CEB513", Import, Enterprise, "LogisticsStatus", Some(100), Optional, false, receipt Ceb514;
    Ceb514 = "CEB514", Import, Customs, "LogisticsStatusReturn", Some(100), Absent, false;
    Ceb621 = "CEB621", Import, Enterprise, "Inventory", Some(100), Mandatory, true, receipt Ceb622;
    Ceb622 = "CEB622", Import, Customs, "InventoryReturn", Some(100), Absent, false;
    Ceb623 = "CEB623", Import, Enterprise, "InvtCancel", Some(100), Mandatory, true, receipt Ceb624;
    Ceb624 = "CEB624", Import, Customs, "InvtCancelReturn", Some(100), Absent, false;
    Ceb625 = "CEB625", Import, Enterprise, "InvtRefund", Some(100), Mandatory, true, receipt Ceb626;
    Ceb626 = "CEB626", Import, Customs, "InvtRefundReturn", Some(100), Absent, false;
    Ceb711 = "CEB711", Import, Enterprise, "Delivery", Some(1), Mandatory, true, receipt Ceb712;
    Ceb712 = "CEB712", Import, Customs, "DeliveryReturn", Some(100), Absent, false;
    Ceb816 = "CEB816", Import, Customs, "Tax", None, Absent, false;
    Ceb818 = "CEB818", Import, Customs, "Tax", None, Absent, false;
    Ceb900 = "CEB900", Import, Platform, "MessageReturn", Some(1), Absent, false;
}

impl MessageType {
    /// The enterprise message a receipt answers, e.g. CEB622 → CEB621.
    pub fn receipt_of(self) -> Option<MessageType> {
        MessageType::ALL.iter().copied().find(|m| m.receipt_type() == Some(self))
    }

    /// Receipts: the answers to enterprise messages (CEB304 … CEB712) and
    /// the platform's CEB900. CEB792 and the tax bills are documents of
    /// their own, not receipts.
    pub fn is_receipt(self) -> bool {
        self == MessageType::Ceb900 || self.receipt_of().is_some()
    }

    /// Its row in `message_types.csv` (sender, purpose, …).
    pub fn table_entry(self) -> Option<&'static CodeEntry> {
        super::message_type(self.as_str())
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for MessageType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for MessageType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        MessageType::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not a CEB message type")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MessageType as M;

    #[test]
    fn catalogue_matches_the_csv() {
        let table = super::super::table(super::super::TableId::MessageType);
        let codes: Vec<&str> = table.iter().map(|e| e.code.as_str()).collect();
        let ours: Vec<&str> = M::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(codes, ours);
        for &m in M::ALL {
            let e = m.table_entry().unwrap();
            assert_eq!(e.field("root"), Some(m.root_name()));
            let (dir, origin) = match e.field("direction").unwrap() {
                "export_to_customs" => (Direction::Export, Origin::Enterprise),
                "export_from_customs" => (Direction::Export, Origin::Customs),
                "import_to_customs" => (Direction::Import, Origin::Enterprise),
                "import_from_customs" => (Direction::Import, Origin::Customs),
                "from_platform" => (Direction::Import, Origin::Platform),
                other => panic!("unknown direction {other}"),
            };
            assert_eq!((m.direction(), m.origin()), (dir, origin), "{m}");
            let max = e.field("max_records").unwrap();
            assert_eq!(m.max_records(), max.parse().ok(), "{m}");
            assert!(e.field("business_element").unwrap().starts_with(m.business_element()), "{m}");
            let sig = e.field("signature").unwrap();
            let rule = match sig.split(' ').next().unwrap() {
                "none" => SignatureRule::Absent,
                "optional" => SignatureRule::Optional,
                "mandatory" => SignatureRule::Mandatory,
                other => panic!("unknown signature rule {other}"),
            };
            assert_eq!(m.signature(), rule, "{m}");
            let pdf = sig.contains("PDF: required") || rule == SignatureRule::Mandatory || m == M::Ceb507;
            assert_eq!(m.pdf_requires_signature(), pdf, "{m}");
        }
    }

    #[test]
    fn codes_and_root_names() {
        for &m in M::ALL {
            assert_eq!(M::parse(m.as_str()), Some(m));
            assert_eq!(M::from_root_name(m.root_name()), Some(m));
            assert_eq!(m.root_name(), format!("{}Message", m.as_str()));
            assert_eq!(m.to_string(), m.as_str());
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<M>(&json).unwrap(), m);
        }
        assert_eq!(M::ALL.len(), 42);
        assert_eq!(M::from_root_name("CEB311Message"), Some(M::Ceb311));
        assert_eq!(M::from_root_name("CEB214"), None);
        assert_eq!(M::from_root_name("ceb311message"), None);
        assert_eq!(M::parse("CEB311Message"), None);
        assert_eq!(M::parse("CEB999"), None);
        assert_eq!(M::Ceb900.root_name(), "CEB900Message");
    }

    #[test]
    fn receipts() {
        assert_eq!(M::Ceb311.receipt_type(), Some(M::Ceb312));
        assert_eq!(M::Ceb621.receipt_type(), Some(M::Ceb622));
        assert_eq!(M::Ceb303.receipt_type(), Some(M::Ceb304));
        assert_eq!(M::Ceb213.receipt_type(), Some(M::Ceb214));
        assert_eq!(M::Ceb701.receipt_type(), Some(M::Ceb702));
        assert_eq!(M::Ceb711.receipt_type(), Some(M::Ceb712));
        assert_eq!(M::Ceb622.receipt_of(), Some(M::Ceb621));
        assert_eq!(M::Ceb622.receipt_type(), None);
        assert_eq!(M::Ceb792.receipt_type(), None);
        assert_eq!(M::Ceb816.receipt_of(), None);
        for &m in M::ALL {
            // Every enterprise message has a receipt one code above it.
            if m.origin() == Origin::Enterprise {
                let r = m.receipt_type().unwrap();
                assert_eq!(r.direction(), m.direction());
                let (a, b): (u32, u32) = (m.as_str()[3..].parse().unwrap(), r.as_str()[3..].parse().unwrap());
                assert_eq!(b, a + 1, "{m}");
                assert!(r.is_receipt());
                assert!(!m.is_receipt());
                assert!(r.business_element().ends_with("Return"));
            } else {
                assert_eq!(m.receipt_type(), None);
                assert_eq!(m.signature(), SignatureRule::Absent);
            }
        }
        assert!(M::Ceb900.is_receipt());
        assert!(!M::Ceb792.is_receipt());
        assert!(!M::Ceb816.is_receipt());
        assert_eq!(M::Ceb816.max_records(), None);
        assert_eq!(M::Ceb711.max_records(), Some(1));
        assert_eq!(M::Ceb621.signature(), SignatureRule::Mandatory);
        assert_eq!(M::Ceb603.signature(), SignatureRule::Optional);
        assert!(M::Ceb603.pdf_requires_signature());
        assert!(!M::Ceb311.pdf_requires_signature());
        assert_eq!(M::Ceb303.direction(), Direction::Export);
        assert_eq!(M::Ceb513.direction(), Direction::Import);
    }
}
