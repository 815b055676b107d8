//! Which receipt answers which business message.

use std::fmt;

use cbec_model::codes::MessageType;

macro_rules! receipt_types {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $code:literal, $root:literal, $element:literal, $mt:ident, answers $business:literal;
    )*) => {
        /// Which receipt message answers which business message: one variant
        /// per customs→enterprise receipt of the 202205 XSDs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ReceiptType {
            $( $(#[$doc])* $variant, )*
        }

        impl ReceiptType {
            /// Every receipt type, export first, in catalogue order.
            pub const ALL: &'static [ReceiptType] = &[$(ReceiptType::$variant,)*];

            /// The receipt type answering a business message root name
            /// (the local name, e.g. `"CEB311Message"` → [`ReceiptType::Ceb312`]).
            /// `None` for everything that is not an enterprise business
            /// message: the receipts themselves, CEB792, CEB816, CEB818,
            /// CEB900, `DxpMsg`, and misspelt roots such as `CEB214`.
            pub fn for_message(root: &str) -> Option<ReceiptType> {
                match root {
                    $($business => Some(ReceiptType::$variant),)*
                    _ => None,
                }
            }

            /// The receipt's root element name, e.g. `"CEB312Message"`.
            pub fn root(self) -> &'static str {
                match self {
                    $(ReceiptType::$variant => $root,)*
                }
            }

            /// The code, e.g. `"CEB312"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ReceiptType::$variant => $code,)*
                }
            }

            /// Reads a code such as `"CEB312"` or a root name such as
            /// `"CEB312Message"`.
            pub fn parse(s: &str) -> Option<ReceiptType> {
                match s {
                    $($code | $root => Some(ReceiptType::$variant),)*
                    _ => None,
                }
            }

            /// The return element under the root, e.g. `"OrderReturn"`.
            pub fn element(self) -> &'static str {
                match self {
                    $(ReceiptType::$variant => $element,)*
                }
            }

            /// The root of the business message this receipt answers, e.g.
            /// `"CEB311Message"`.
            pub fn answers(self) -> &'static str {
                match self {
                    $(ReceiptType::$variant => $business,)*
                }
            }

            /// The receipt in the message catalogue of `cbec-model`.
            pub fn message_type(self) -> MessageType {
                match self {
                    $(ReceiptType::$variant => MessageType::$mt,)*
                }
            }
        }
    };
}

receipt_types! {
    /// Export order receipt (`OrderReturn`), answering CEB303.
    Ceb304 = "CEB304", "CEB304Message", "OrderReturn", Ceb304, answers "CEB303Message";
    /// Import order receipt (`OrderReturn`), answering CEB311.
    Ceb312 = "CEB312", "CEB312Message", "OrderReturn", Ceb312, answers "CEB311Message";
    /// Export receipt-of-payment receipt (`ReceiptsReturn`), answering CEB403.
    Ceb404 = "CEB404", "CEB404Message", "ReceiptsReturn", Ceb404, answers "CEB403Message";
    /// Import payment receipt (`PaymentReturn`), answering CEB411.
    Ceb412 = "CEB412", "CEB412Message", "PaymentReturn", Ceb412, answers "CEB411Message";
    /// Export waybill receipt (`LogisticsReturn`), answering CEB505.
    Ceb506 = "CEB506", "CEB506Message", "LogisticsReturn", Ceb506, answers "CEB505Message";
    /// Arrival receipt (`ArrivalReturn`), answering CEB507.
    Ceb508 = "CEB508", "CEB508Message", "ArrivalReturn", Ceb508, answers "CEB507Message";
    /// Departure receipt (`DepartureReturn`), answering CEB509.
    Ceb510 = "CEB510", "CEB510Message", "DepartureReturn", Ceb510, answers "CEB509Message";
    /// Import waybill receipt (`LogisticsReturn`), answering CEB511.
    Ceb512 = "CEB512", "CEB512Message", "LogisticsReturn", Ceb512, answers "CEB511Message";
    /// Waybill status receipt (`LogisticsStatusReturn`), answering CEB513.
    Ceb514 = "CEB514", "CEB514Message", "LogisticsStatusReturn", Ceb514, answers "CEB513Message";
    /// Export list receipt (`InventoryReturn`), answering CEB603.
    Ceb604 = "CEB604", "CEB604Message", "InventoryReturn", Ceb604, answers "CEB603Message";
    /// Export list cancellation receipt (`InvtCancelReturn`), answering CEB605.
    Ceb606 = "CEB606", "CEB606Message", "InvtCancelReturn", Ceb606, answers "CEB605Message";
    /// Master/house bill link receipt (`WayBillReturn`), answering CEB607.
    Ceb608 = "CEB608", "CEB608Message", "WayBillReturn", Ceb608, answers "CEB607Message";
    /// Export return receipt (`RefundReturn`), answering CEB213.
    Ceb214 = "CEB214", "CEB214Message", "RefundReturn", Ceb214, answers "CEB213Message";
    /// Return tally detail receipt (`InvtRefundDetailReturn`), answering CEB215.
    Ceb216 = "CEB216", "CEB216Message", "InvtRefundDetailReturn", Ceb216, answers "CEB215Message";
    /// Import list receipt (`InventoryReturn`), answering CEB621.
    Ceb622 = "CEB622", "CEB622Message", "InventoryReturn", Ceb622, answers "CEB621Message";
    /// Import list cancellation receipt (`InvtCancelReturn`), answering CEB623.
    Ceb624 = "CEB624", "CEB624Message", "InvtCancelReturn", Ceb624, answers "CEB623Message";
    /// Import return receipt (`InvtRefundReturn`), answering CEB625.
    Ceb626 = "CEB626", "CEB626Message", "InvtRefundReturn", Ceb626, answers "CEB625Message";
    /// Summary application receipt (`SummaryReturn`), answering CEB701.
    Ceb702 = "CEB702", "CEB702Message", "SummaryReturn", Ceb702, answers "CEB701Message";
    /// Inbound detail list receipt (`DeliveryReturn`), answering CEB711.
    Ceb712 = "CEB712", "CEB712Message", "DeliveryReturn", Ceb712, answers "CEB711Message";
}

impl fmt::Display for ReceiptType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ReceiptType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ReceiptType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        ReceiptType::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not a CEB receipt type")))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_message_catalogue() {
        for &kind in ReceiptType::ALL {
            let mt = kind.message_type();
            assert_eq!(mt.root_name(), kind.root());
            assert_eq!(mt.business_element(), kind.element(), "{kind}");
            let business = mt.receipt_of().unwrap_or_else(|| panic!("{kind} answers nothing in the catalogue"));
            assert_eq!(business.root_name(), kind.answers());
            assert_eq!(ReceiptType::for_message(kind.answers()), Some(kind));
            assert_eq!(ReceiptType::parse(kind.as_str()), Some(kind));
            assert_eq!(ReceiptType::parse(kind.root()), Some(kind));
        }
        // Every enterprise message of the catalogue has its receipt here.
        for mt in MessageType::ALL {
            if let Some(r) = mt.receipt_type() {
                assert_eq!(ReceiptType::for_message(mt.root_name()).map(ReceiptType::message_type), Some(r));
            }
        }
    }

    #[test]
    fn non_business_roots_have_no_receipt() {
        for root in [
            "CEB312Message",
            "CEB622Message",
            "CEB792Message",
            "CEB816Message",
            "CEB818Message",
            "CEB900Message",
            "DxpMsg",
            "CEB214",
            "ceb:CEB311Message",
            "",
        ] {
            assert_eq!(ReceiptType::for_message(root), None, "{root}");
        }
        assert_eq!(ReceiptType::for_message("CEB311Message"), Some(ReceiptType::Ceb312));
        assert_eq!(ReceiptType::for_message("CEB213Message"), Some(ReceiptType::Ceb214));
        assert_eq!(ReceiptType::Ceb312.root(), "CEB312Message");
    }
}
