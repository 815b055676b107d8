//! Enterprise filing (备案): the CBEC enterprise types, licences, credit
//! ratings, business-model filings, applications and officer roles.
//!
//! Customs supervises enterprises before goods: every participant files with
//! its local customs under one or more CBEC enterprise types; payment and
//! logistics enterprises need licences; changes are applied for and take
//! effect when customs approves; the export overseas warehouse model (9810)
//! needs its own filing and a credit rating of general credit or better
//! (domain guide §2, the Changchun customs Q&A).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal, $zh:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)*];

            /// The stable name used in the API, the CLI and storage.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)* }
            }

            /// The Chinese name.
            pub fn name_zh(self) -> &'static str {
                match self { $($name::$v => $zh,)* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$v),)* _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                $name::parse(s).ok_or_else(|| {
                    let all: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    format!("'{s}' is not one of {}", all.join(", "))
                })
            }
        }
    };
}

named_enum! {
    /// The CBEC enterprise types of the customs filing (跨境电子商务企业类型).
    EnterpriseType {
        /// E-commerce enterprise (cargo owner).
        Ebc = "ebc", "跨境电子商务企业";
        /// Domestic agent of an overseas e-commerce enterprise.
        Agent = "agent", "跨境电子商务企业境内代理人";
        /// E-commerce platform.
        Ebp = "ebp", "跨境电子商务平台企业";
        Pay = "pay", "支付企业";
        Logistics = "logistics", "物流企业";
        /// Supervised-site operator.
        Operator = "operator", "监管场所经营人";
        /// Bonded-zone warehouse enterprise.
        Warehouse = "warehouse", "区内仓储企业";
    }
}

named_enum! {
    /// Which trade directions an enterprise is filed for.
    Trade {
        Import = "import", "进口";
        Export = "export", "出口";
        Both = "both", "进出口";
    }
}

named_enum! {
    /// Licences that CBEC roles require.
    LicenceKind {
        /// PBOC payment business licence (支付业务许可证); its scope must
        /// cover internet payment.
        Payment = "payment", "支付业务许可证";
        /// Financial (banking) licence (金融许可证).
        Bank = "bank", "金融许可证";
        /// Express delivery business licence (快递业务经营许可证).
        Express = "express", "快递业务经营许可证";
    }
}

named_enum! {
    /// Customs credit rating (海关信用等级). "General certified" belongs to
    /// the older Order 237 tiers and stays representable.
    CreditRating {
        Advanced = "advanced", "高级认证企业";
        GeneralCertified = "general_certified", "一般认证企业";
        General = "general", "一般信用企业";
        Dishonest = "dishonest", "失信企业";
    }
}

impl CreditRating {
    /// "General credit or above" (一般信用及以上), required for the export
    /// overseas warehouse model.
    pub fn is_general_or_better(self) -> bool {
        self != CreditRating::Dishonest
    }
}

named_enum! {
    /// Officer roles.
    Role {
        Reviewer = "reviewer", "审核员";
        RiskOfficer = "risk_officer", "风险管理员";
        Supervisor = "supervisor", "主管";
        Administrator = "administrator", "系统管理员";
    }
}

named_enum! {
    /// What an application asks customs to do.
    ApplicationKind {
        InitialFiling = "initial_filing", "备案";
        InfoChange = "info_change", "信息变更";
        CertificateBinding = "certificate_binding", "证书绑定";
        LicenceUpdate = "licence_update", "许可证更新";
        OverseasWarehouse = "overseas_warehouse", "出口海外仓业务模式备案";
        B2bExport = "b2b_export", "跨境电商B2B直接出口业务";
    }
}

named_enum! {
    /// Where an application stands.
    ApplicationState {
        Submitted = "submitted", "已提交";
        Approved = "approved", "已批准";
        Rejected = "rejected", "已退回";
        Withdrawn = "withdrawn", "已撤回";
    }
}

impl ApplicationState {
    /// Whether the state can still change.
    pub fn is_open(self) -> bool {
        self == ApplicationState::Submitted
    }
}

named_enum! {
    /// Whether an overseas warehouse is owned or leased.
    WarehouseNature {
        Owned = "owned", "自有";
        Leased = "leased", "租赁";
    }
}

impl EnterpriseType {
    /// The licences, any one of which the role requires; empty when none.
    pub fn required_licences(self) -> &'static [LicenceKind] {
        match self {
            EnterpriseType::Pay => &[LicenceKind::Payment, LicenceKind::Bank],
            EnterpriseType::Logistics => &[LicenceKind::Express],
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in EnterpriseType::ALL {
            assert_eq!(EnterpriseType::parse(t.as_str()), Some(*t));
            assert_eq!(serde_json::to_string(t).unwrap(), format!("\"{}\"", t.as_str()));
        }
        assert!("nope".parse::<Role>().unwrap_err().contains("reviewer"));
        assert!(!CreditRating::Dishonest.is_general_or_better());
        assert!(CreditRating::GeneralCertified.is_general_or_better());
    }
}
