//! The small fixed enumerations of the message fields (GACC spec 202205, domain
//! guide §3.3 and §5).

/// Defines a field enumeration with `ALL`, `parse`, `as_str`,
/// `description`, `Display` and string serde.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $field:literal {
            $( $(#[$vdoc:meta])* $variant:ident = $code:literal, $desc:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
        }

        impl $name {
            /// Every value, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            /// The XML field(s) this enumeration is the value set of.
            pub const FIELD: &'static str = $field;

            /// The value of its code as written in the message; `None` for
            /// anything else (codes are case-sensitive and never trimmed).
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The code as written in the message.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// The English meaning.
            pub fn description(self) -> &'static str {
                match self {
                    $($name::$variant => $desc,)*
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    <D::Error as ::serde::de::Error>::custom(format!("{:?} is not a valid {} value", s, $field))
                })
            }
        }
    };
}

code_enum! {
    /// `appType`: what the declaration does to the record.
    AppType, "appType" {
        /// 新增: a new record.
        New = "1", "new";
        /// 变更: a change to a record.
        Change = "2", "change";
        /// 删除: deletion of a record.
        Delete = "3", "delete";
    }
}

code_enum! {
    /// `appStatus`: whether the enterprise only saves the record or declares
    /// it. `2` on CEB621, CEB623, CEB625 or CEB507 requires a signature.
    AppStatus, "appStatus" {
        /// 暂存: temporary save (draft).
        Draft = "1", "temporary save";
        /// 申报: declare to customs.
        Declare = "2", "declare";
    }
}

code_enum! {
    /// `orderType` of CEB303 (E, B, W) and CEB311 (I).
    OrderType, "orderType" {
        /// B2C retail export order.
        ExportRetail = "E", "B2C export order";
        /// B2B export order (9710).
        ExportB2b = "B", "B2B export order";
        /// Overseas-warehouse booking (订仓单, 9810).
        OverseasWarehouse = "W", "overseas-warehouse booking";
        /// Import order.
        Import = "I", "import order";
    }
}

impl OrderType {
    /// Import for `I`, export for the others.
    pub fn ie_flag(self) -> IeFlag {
        if self == OrderType::Import { IeFlag::Import } else { IeFlag::Export }
    }
}

code_enum! {
    /// `ieFlag`: import or export.
    IeFlag, "ieFlag" {
        Import = "I", "import";
        Export = "E", "export";
    }
}

code_enum! {
    /// `tradeMode`: the customs supervision mode (监管方式) of CBEC.
    TradeMode, "tradeMode" {
        /// 9610 跨境贸易电子商务: retail via a platform; direct purchase on import.
        CrossBorderEcommerce = "9610", "CBEC retail import/export via platform";
        /// 1210 保税跨境贸易电子商务: through special zones or bonded centres (B).
        BondedEcommerce = "1210", "bonded CBEC";
        /// 1239 保税跨境贸易电子商务A: bonded retail import at the first line.
        BondedEcommerceA = "1239", "bonded CBEC A";
        /// 9710 跨境电子商务企业对企业直接出口.
        B2bDirectExport = "9710", "CBEC B2B direct export";
        /// 9810 跨境电子商务出口海外仓.
        OverseasWarehouseExport = "9810", "CBEC export to overseas warehouse";
        /// 9661: return of an ordinary (9610) retail export (CEB213).
        RetailExportReturn = "9661", "return of ordinary (9610) retail export";
        /// 1261: return of a special-zone (1210) retail export (CEB213).
        BondedExportReturn = "1261", "return of special-zone (1210) retail export";
    }
}

impl TradeMode {
    /// The bonded modes, which go through a special customs zone or bonded
    /// logistics centre (B): 1210, 1239 and 1261.
    pub fn is_bonded(self) -> bool {
        matches!(self, TradeMode::BondedEcommerce | TradeMode::BondedEcommerceA | TradeMode::BondedExportReturn)
    }

    /// The return modes of CEB213: 9661 and 1261.
    pub fn is_return(self) -> bool {
        matches!(self, TradeMode::RetailExportReturn | TradeMode::BondedExportReturn)
    }

    /// The B2B export modes: 9710 and 9810.
    pub fn is_b2b(self) -> bool {
        matches!(self, TradeMode::B2bDirectExport | TradeMode::OverseasWarehouseExport)
    }

    /// Its row in the trade-mode code table.
    pub fn table_entry(self) -> Option<&'static super::CodeEntry> {
        super::trade_mode(self.as_str())
    }
}

code_enum! {
    /// `statisticsFlag` of the export list (CEB603/CEB604).
    StatisticsFlag, "statisticsFlag" {
        /// 简化申报: simplified declaration.
        Simplified = "A", "simplified declaration";
        /// 汇总申报: summary declaration.
        Summary = "B", "summary declaration";
    }
}

code_enum! {
    /// `fFlag` (freight) and `iFlag` (insurance): how the charge is given.
    ChargeFlag, "fFlag, iFlag" {
        /// 率: a rate.
        Rate = "1", "rate";
        /// 单价: a unit price.
        UnitPrice = "2", "unit price";
        /// 总价: a total.
        Total = "3", "total";
    }
}

code_enum! {
    /// `buyerIdType`, `payerIdType`: the kind of identity document.
    IdType, "buyerIdType, payerIdType" {
        /// 身份证: PRC resident identity card (required for buyers).
        IdCard = "1", "resident identity card";
        /// 其它: another document.
        Other = "2", "other";
    }
}

code_enum! {
    /// `summaryFlag` of CEB701: how released lists are aggregated.
    SummaryFlag, "summaryFlag" {
        /// By consignor only.
        Consignor = "1", "aggregate by consignor";
        /// By consignor and producer/seller.
        ConsignorAndOwner = "2", "aggregate by consignor and producer/seller";
    }
}

code_enum! {
    /// `BaseSubscribe/status`: what a subscriber receives copies of.
    SubscribeStatus, "BaseSubscribe/status" {
        /// Data and receipts.
        All = "ALL", "data and receipts";
        /// Data only.
        Data = "DATA", "data only";
        /// Receipts only.
        Receipts = "RET", "receipts only";
    }
}

code_enum! {
    /// `status` of the CEB816/CEB818 electronic tax bill.
    TaxStatus, "Tax/status" {
        /// 已生成: generated.
        Generated = "1", "generated";
        /// 已汇总: summarised.
        Summarized = "2", "summarised";
        /// 作废: void.
        Void = "3", "void";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value parses back from its code, codes are unique, and serde
    /// uses the code.
    macro_rules! check_round_trip {
        ($($t:ty),*) => {$(
            let mut seen = std::collections::HashSet::new();
            for &v in <$t>::ALL {
                assert_eq!(<$t>::parse(v.as_str()), Some(v));
                assert!(seen.insert(v.as_str()));
                assert!(!v.description().is_empty());
                assert_eq!(v.to_string(), v.as_str());
                let json = serde_json::to_string(&v).unwrap();
                assert_eq!(json, format!("\"{}\"", v.as_str()));
                assert_eq!(serde_json::from_str::<$t>(&json).unwrap(), v);
            }
            assert_eq!(<$t>::parse(""), None);
            assert_eq!(<$t>::parse("x"), None);
            assert!(serde_json::from_str::<$t>("\"x\"").unwrap_err().to_string().contains(<$t>::FIELD));
        )*};
    }

    #[test]
    fn all_enums_round_trip() {
        check_round_trip!(
            AppType,
            AppStatus,
            OrderType,
            IeFlag,
            TradeMode,
            StatisticsFlag,
            ChargeFlag,
            IdType,
            SummaryFlag,
            SubscribeStatus,
            TaxStatus
        );
    }

    #[test]
    fn spec_values() {
        assert_eq!(AppType::parse("1"), Some(AppType::New));
        assert_eq!(AppType::parse("3"), Some(AppType::Delete));
        assert_eq!(AppType::parse("4"), None);
        assert_eq!(AppType::parse(" 1"), None, "not trimmed");
        assert_eq!(AppStatus::parse("2"), Some(AppStatus::Declare));
        assert_eq!(AppStatus::Draft.description(), "temporary save");
        assert_eq!(OrderType::parse("W"), Some(OrderType::OverseasWarehouse));
        assert_eq!(OrderType::parse("w"), None, "case-sensitive");
        assert_eq!(OrderType::Import.ie_flag(), IeFlag::Import);
        assert_eq!(OrderType::ExportB2b.ie_flag(), IeFlag::Export);
        // Placeholder of the CEB603 sample.
        assert_eq!(IeFlag::parse("a"), None);
        assert_eq!(TradeMode::ALL.len(), 7);
        assert_eq!(TradeMode::parse("0101"), None, "CEB603 sample placeholder");
        assert!(TradeMode::BondedEcommerce.is_bonded());
        assert!(!TradeMode::CrossBorderEcommerce.is_bonded());
        assert!(TradeMode::BondedExportReturn.is_return());
        assert!(TradeMode::OverseasWarehouseExport.is_b2b());
        assert_eq!(StatisticsFlag::parse("A"), Some(StatisticsFlag::Simplified));
        assert_eq!(ChargeFlag::parse("2"), Some(ChargeFlag::UnitPrice));
        assert_eq!(IdType::parse("1"), Some(IdType::IdCard));
        assert_eq!(SummaryFlag::parse("2"), Some(SummaryFlag::ConsignorAndOwner));
        assert_eq!(SubscribeStatus::parse("RET"), Some(SubscribeStatus::Receipts));
        assert_eq!(SubscribeStatus::parse("all"), None);
        assert_eq!(TaxStatus::parse("3"), Some(TaxStatus::Void));
    }

    #[test]
    fn trade_modes_match_the_code_table() {
        let table = super::super::table(super::super::TableId::TradeMode);
        assert_eq!(table.len(), TradeMode::ALL.len());
        for &m in TradeMode::ALL {
            let e = m.table_entry().unwrap();
            assert_eq!(e.name_en, m.description(), "{m}");
        }
    }
}
