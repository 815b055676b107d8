//! The `returnStatus` of receipts (GACC spec 202205 receipt tables; domain guide §3.5).

use std::borrow::Cow;
use std::fmt;

use super::{CodeEntry, MessageType};

macro_rules! return_statuses {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $text:literal, $en:literal, $zh:literal; )*) => {
        /// A receipt's `returnStatus`: one of the official codes, or a
        /// negative code for a processing error.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ReturnStatus {
            $( $(#[$doc])* $variant, )*
            /// A negative code: a format-check or business error (see
            /// [`super::error_code_meaning`]). Always holds a negative number.
            Error(i32),
        }

        impl ReturnStatus {
            /// The official (non-error) statuses, in code order.
            pub const OFFICIAL: &'static [ReturnStatus] = &[$(ReturnStatus::$variant,)*];

            /// The numeric code.
            pub fn code(self) -> i32 {
                match self {
                    $(ReturnStatus::$variant => $code,)*
                    ReturnStatus::Error(n) => n,
                }
            }

            fn official(code: i32) -> Option<ReturnStatus> {
                match code {
                    $($code => Some(ReturnStatus::$variant),)*
                    _ => None,
                }
            }

            /// The code as written in the message, e.g. `"120"`, `"-621005"`.
            pub fn as_str(self) -> Cow<'static, str> {
                match self {
                    $(ReturnStatus::$variant => Cow::Borrowed($text),)*
                    ReturnStatus::Error(n) => Cow::Owned(n.to_string()),
                }
            }

            /// The English meaning, as in `return_status.csv`.
            pub fn meaning_en(self) -> &'static str {
                match self {
                    $(ReturnStatus::$variant => $en,)*
                    ReturnStatus::Error(_) => "processing error (format-check or business error)",
                }
            }

            /// The Chinese meaning, as in `return_status.csv`.
            pub fn meaning_zh(self) -> &'static str {
                match self {
                    $(ReturnStatus::$variant => $zh,)*
                    ReturnStatus::Error(_) => "处理异常回执",
                }
            }
        }
    };
}

return_statuses! {
    /// 1 电子口岸已暂存.
    Saved = 1, "1", "e-port saved (temporary save)", "电子口岸已暂存";
    /// 2 电子口岸申报中.
    Declaring = 2, "2", "e-port declaring", "电子口岸申报中";
    /// 3 发送海关成功.
    SentToCustoms = 3, "3", "sent to customs successfully", "发送海关成功";
    /// 4 发送海关失败.
    SendFailed = 4, "4", "sending to customs failed", "发送海关失败";
    /// 100 海关退单.
    Rejected = 100, "100", "customs rejected", "海关退单";
    /// 120 海关入库.
    Accepted = 120, "120", "customs accepted (into the customs system)", "海关入库";
    /// 300 人工审核 (CEB214: 待人工审核).
    ManualReview = 300, "300", "manual review (CEB214: awaiting manual review)", "人工审核 / 待人工审核";
    /// 399 海关审结.
    Concluded = 399, "399", "customs concluded", "海关审结";
    /// 500 海关查验.
    Inspection = 500, "500", "inspection", "海关查验 / 查验";
    /// 501 扣留移送通关.
    DetainedToClearance = 501, "501", "detained, passed to clearance", "扣留移送通关";
    /// 502 扣留移送缉私.
    DetainedToAntiSmuggling = 502, "502", "detained, passed to anti-smuggling", "扣留移送缉私";
    /// 503 扣留移送法规.
    DetainedToLegal = 503, "503", "detained, passed to the legal department", "扣留移送法规";
    /// 505 移交.
    Transferred = 505, "505", "transferred (handed over)", "移交";
    /// 599 其它扣留.
    OtherDetention = 599, "599", "other detention", "其它扣留";
    /// 600 挂起.
    Suspended = 600, "600", "suspended", "挂起";
    /// 700 退运.
    Returned = 700, "700", "returned / re-exported", "退运";
    /// 800 放行.
    Released = 800, "800", "released", "放行";
    /// 899 结关.
    Closed = 899, "899", "closed", "结关";
}

impl ReturnStatus {
    /// Reads a `returnStatus`: an official code, or any negative number.
    /// The text must be canonical (no sign on positive codes, no leading
    /// zeros, no white space); anything else is `None`.
    pub fn parse(s: &str) -> Option<ReturnStatus> {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, s),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
            return None;
        }
        let n: i32 = digits.parse().ok()?;
        if negative { Some(ReturnStatus::Error(-n)) } else { ReturnStatus::official(n) }
    }

    /// The status of a code: an official one, or `Error` for a negative
    /// number; `None` for other non-negative numbers.
    pub fn from_code(code: i32) -> Option<ReturnStatus> {
        if code < 0 { Some(ReturnStatus::Error(code)) } else { ReturnStatus::official(code) }
    }

    /// Negative codes: the message failed a format check or a business rule.
    pub fn is_error(self) -> bool {
        matches!(self, ReturnStatus::Error(_))
    }

    /// True when no later status can follow for the declared record,
    /// whatever the receipt: sending to customs failed (4), rejected (100),
    /// returned (700), closed (899) or an error. The last success status of
    /// each receipt type is final too; see [`ReturnStatus::is_final_for`].
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ReturnStatus::SendFailed
                | ReturnStatus::Rejected
                | ReturnStatus::Returned
                | ReturnStatus::Closed
                | ReturnStatus::Error(_)
        )
    }

    /// Whether the spec lists this status for the receipt type (e.g. 800
    /// for CEB622 but not for CEB312). Errors apply to every receipt.
    pub fn applies_to(self, receipt: MessageType) -> bool {
        self.table_entry()
            .and_then(|e| e.field("receipts"))
            .is_some_and(|list| list.split_whitespace().any(|c| c == receipt.as_str()))
    }

    /// True when this status ends the record for that receipt type: a
    /// [final](ReturnStatus::is_final) status, or the highest success status
    /// the spec lists for it (120 for the order receipt CEB312, 399 for
    /// CEB712, 800 for CEB214, 899 for the list receipts CEB604 and CEB622).
    pub fn is_final_for(self, receipt: MessageType) -> bool {
        if !self.applies_to(receipt) {
            return false;
        }
        if self.is_final() {
            return true;
        }
        // The highest success status; the failure endings are not successes.
        let last = ReturnStatus::OFFICIAL
            .iter()
            .filter(|s| !matches!(s, ReturnStatus::SendFailed | ReturnStatus::Rejected | ReturnStatus::Returned))
            .filter(|s| s.applies_to(receipt))
            .map(|s| s.code())
            .max();
        last == Some(self.code())
    }

    /// Its row in `return_status.csv` (the `<0` row for errors).
    pub fn table_entry(self) -> Option<&'static CodeEntry> {
        match self {
            ReturnStatus::Error(_) => super::return_status("<0"),
            s => super::return_status(&s.as_str()),
        }
    }

    /// For an error, the meaning of its code from `error_codes.csv`.
    pub fn error_meaning(self) -> Option<&'static CodeEntry> {
        match self {
            ReturnStatus::Error(n) => super::error_code_meaning(i64::from(n)),
            _ => None,
        }
    }
}

impl fmt::Display for ReturnStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl serde::Serialize for ReturnStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ReturnStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        ReturnStatus::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not a valid returnStatus")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_codes_match_the_table() {
        let table = super::super::table(super::super::TableId::ReturnStatus);
        let codes: Vec<&str> = table.iter().map(|e| e.code.as_str()).filter(|c| *c != "<0").collect();
        let ours: Vec<Cow<'static, str>> = ReturnStatus::OFFICIAL.iter().map(|s| s.as_str()).collect();
        assert_eq!(codes, ours);
        for &s in ReturnStatus::OFFICIAL {
            let e = s.table_entry().unwrap();
            assert_eq!(e.name_en, s.meaning_en(), "{s}");
            assert_eq!(e.name_zh, s.meaning_zh(), "{s}");
            assert_eq!(ReturnStatus::parse(&s.as_str()), Some(s));
            assert_eq!(ReturnStatus::from_code(s.code()), Some(s));
            assert!(!s.is_error());
        }
        assert_eq!(ReturnStatus::Error(-1).table_entry().unwrap().name_zh, ReturnStatus::Error(-1).meaning_zh());
    }

    #[test]
    fn parse_codes_and_errors() {
        assert_eq!(ReturnStatus::parse("120"), Some(ReturnStatus::Accepted));
        assert_eq!(ReturnStatus::parse("-621005"), Some(ReturnStatus::Error(-621005)));
        assert_eq!(ReturnStatus::parse("-1"), Some(ReturnStatus::Error(-1)));
        assert_eq!(ReturnStatus::parse("0"), None);
        assert_eq!(ReturnStatus::parse("-0"), None);
        assert_eq!(ReturnStatus::parse("5"), None);
        assert_eq!(ReturnStatus::parse("0120"), None);
        assert_eq!(ReturnStatus::parse("+120"), None);
        assert_eq!(ReturnStatus::parse(" 120"), None);
        assert_eq!(ReturnStatus::parse("-"), None);
        assert_eq!(ReturnStatus::parse("--1"), None);
        assert_eq!(ReturnStatus::parse("-99999999999"), None, "beyond i32");
        assert_eq!(ReturnStatus::from_code(-5), Some(ReturnStatus::Error(-5)));
        assert_eq!(ReturnStatus::from_code(0), None);
        let e = ReturnStatus::Error(-621018);
        assert!(e.is_error());
        assert_eq!(e.as_str(), "-621018");
        assert_eq!(e.code(), -621018);
        assert_eq!(e.to_string(), "-621018");
        assert_eq!(
            e.error_meaning().unwrap().name_en,
            "buyer's used quota plus this purchase exceeds the annual limit"
        );
        assert_eq!(ReturnStatus::Error(-621007).error_meaning().unwrap().name_en, "import list errors");
        assert!(ReturnStatus::Released.error_meaning().is_none());
        assert_eq!(ReturnStatus::Released.meaning_en(), "released");
        assert_eq!(ReturnStatus::Released.meaning_zh(), "放行");
    }

    #[test]
    fn receipts_and_finality() {
        use MessageType as M;
        assert!(ReturnStatus::Released.applies_to(M::Ceb622));
        assert!(!ReturnStatus::Released.applies_to(M::Ceb312));
        assert!(!ReturnStatus::Saved.applies_to(M::Ceb312), "import three-order receipts start at 2");
        assert!(ReturnStatus::Error(-1).applies_to(M::Ceb900));
        assert!(!ReturnStatus::Accepted.applies_to(M::Ceb900));
        assert!(ReturnStatus::Transferred.applies_to(M::Ceb214));

        assert!(ReturnStatus::Rejected.is_final());
        assert!(ReturnStatus::Closed.is_final());
        assert!(ReturnStatus::Error(-10102).is_final());
        assert!(!ReturnStatus::Accepted.is_final());
        assert!(!ReturnStatus::Released.is_final());

        assert!(ReturnStatus::Accepted.is_final_for(M::Ceb312));
        assert!(!ReturnStatus::Accepted.is_final_for(M::Ceb622));
        assert!(ReturnStatus::Concluded.is_final_for(M::Ceb712));
        assert!(ReturnStatus::Released.is_final_for(M::Ceb214));
        assert!(!ReturnStatus::Released.is_final_for(M::Ceb622));
        assert!(ReturnStatus::Closed.is_final_for(M::Ceb604));
        assert!(ReturnStatus::Rejected.is_final_for(M::Ceb304));
        assert!(!ReturnStatus::Closed.is_final_for(M::Ceb312), "not a status of that receipt");
        // Every receipt type has a final success status.
        for &m in M::ALL.iter().filter(|m| m.is_receipt() && **m != M::Ceb900) {
            let successes = ReturnStatus::OFFICIAL.iter().filter(|s| s.code() >= 120 && s.code() != 700);
            assert_eq!(successes.filter(|s| s.is_final_for(m)).count(), 1, "{m}");
        }
    }

    #[test]
    fn serde_as_string() {
        assert_eq!(serde_json::to_string(&ReturnStatus::Accepted).unwrap(), "\"120\"");
        assert_eq!(serde_json::from_str::<ReturnStatus>("\"-301010\"").unwrap(), ReturnStatus::Error(-301010));
        assert!(serde_json::from_str::<ReturnStatus>("\"7\"").is_err());
    }
}
