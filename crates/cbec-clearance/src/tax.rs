//! Limits and tax of retail imports (财关税〔2016〕18号 as amended by
//! 〔2018〕49号; domain guide §4.3).
//!
//! - The transaction value of a list is the sum of its items' `totalPrice`
//!   plus freight and insurance; each item's dutiable value is its
//!   `totalPrice` plus its share (by value) of freight and insurance.
//! - Within the limits (transaction ≤ [`SINGLE_LIMIT`], annual total ≤
//!   [`ANNUAL_LIMIT`], both inclusive): tariff 0, import VAT and consumption
//!   tax at 70 % of the statutory amount: consumption tax =
//!   value × ct / (1 − ct) × 70 %, VAT = (value + full consumption tax) ×
//!   vat × 70 %, which is the composite rate (ct + vat) / (1 − ct) × 70 %.
//! - A single indivisible item (one line, quantity 1) above the single limit
//!   may still clear, taxed in full: duty = value × d, consumption tax =
//!   (value + duty) × ct / (1 − ct), VAT = (value + duty + ct) × vat; it
//!   still counts toward the annual total.
//! - Anything else above the single limit is refused (−621005); a purchase
//!   that takes the buyer's calendar-year total above the annual limit is
//!   refused (−621018).
//!
//! Rates come from a [`RateTable`] by longest HS-code prefix; the embedded
//! [`RateTable::representative`] table is a representative subset.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::facts::ListFacts;

/// Single-transaction limit, CNY (inclusive).
pub const SINGLE_LIMIT: Decimal = Decimal::from_parts(5000, 0, 0, false, 0);
/// Annual limit per buyer, CNY (inclusive).
pub const ANNUAL_LIMIT: Decimal = Decimal::from_parts(26000, 0, 0, false, 0);
/// The share of VAT and consumption tax levied within the limits.
const SEVENTY_PERCENT: Decimal = Decimal::from_parts(7, 0, 0, false, 1);

/// The statutory rates of one tariff heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    pub vat: Decimal,
    pub consumption: Decimal,
    pub tariff: Decimal,
}

/// Rates by HS-code prefix, with a default.
#[derive(Debug, Clone)]
pub struct RateTable {
    /// Sorted longest prefix first.
    entries: Vec<(String, Rates)>,
    default: Rates,
}

const REPRESENTATIVE: &str = include_str!("../data/tax_rates.csv");

impl RateTable {
    /// The embedded representative table (`data/tax_rates.csv`).
    pub fn representative() -> RateTable {
        RateTable::from_csv(REPRESENTATIVE).unwrap_or_else(|_| RateTable {
            entries: Vec::new(),
            default: Rates { vat: Decimal::new(13, 2), consumption: Decimal::ZERO, tariff: Decimal::ZERO },
        })
    }

    /// Reads `hs_prefix,vat,consumption,tariff,description` rows (`#`
    /// comments; prefix `*` is the default).
    pub fn from_csv(text: &str) -> Result<RateTable, String> {
        let mut entries = Vec::new();
        let mut default = None;
        for (n, line) in text.lines().enumerate().skip(1) {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.splitn(5, ',').collect();
            let rate = |i: usize| -> Result<Decimal, String> {
                cols.get(i)
                    .and_then(|s| s.trim().parse::<Decimal>().ok())
                    .ok_or_else(|| format!("line {}: column {} is not a rate", n + 1, i + 1))
            };
            let rates = Rates { vat: rate(1)?, consumption: rate(2)?, tariff: rate(3)? };
            if rates.consumption >= Decimal::ONE {
                return Err(format!("line {}: a consumption-tax rate must be below 1", n + 1));
            }
            match cols.first().map(|s| s.trim()) {
                Some("*") => default = Some(rates),
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    entries.push((p.to_string(), rates))
                }
                _ => return Err(format!("line {}: the HS prefix must be digits or *", n + 1)),
            }
        }
        entries.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Ok(RateTable { entries, default: default.ok_or("no default row (*)")? })
    }

    pub fn rates(&self, gcode: &str) -> Rates {
        self.entries.iter().find(|(p, _)| gcode.starts_with(p.as_str())).map_or(self.default, |(_, r)| *r)
    }
}

/// How a list is taxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Within the limits: tariff 0, VAT and consumption tax at 70 %.
    Cbec,
    /// A single indivisible item above the single limit: full tax.
    FullTax,
}

/// The tax of one list item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemTax {
    pub gnum: i32,
    pub gcode: String,
    /// Dutiable value (完税价格).
    pub tax_price: Decimal,
    pub customs_tax: Decimal,
    pub value_added_tax: Decimal,
    pub consumption_tax: Decimal,
}

/// The tax of a list (the CEB816 tax bill's content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub regime: Regime,
    /// Transaction value counted toward the limits.
    pub value: Decimal,
    pub items: Vec<ItemTax>,
    pub customs_tax: Decimal,
    pub value_added_tax: Decimal,
    pub consumption_tax: Decimal,
}

impl Assessment {
    pub fn total(&self) -> Decimal {
        self.customs_tax + self.value_added_tax + self.consumption_tax
    }
}

/// Why the limits refuse a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LimitError {
    /// −621005: above the single-transaction limit (and not a single item).
    Single { value: Decimal },
    /// −621018: used + this > annual limit.
    Annual { used: Decimal, value: Decimal },
}

impl LimitError {
    pub fn code(&self) -> i32 {
        match self {
            LimitError::Single { .. } => -621005,
            LimitError::Annual { .. } => -621018,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            LimitError::Single { value } => format!(
                "transaction value {} CNY exceeds the single-transaction limit of {SINGLE_LIMIT} CNY",
                value.normalize()
            ),
            LimitError::Annual { used, value } => format!(
                "annual limit {ANNUAL_LIMIT} CNY exceeded: {} CNY used this year + {} CNY = {} CNY",
                used.normalize(),
                value.normalize(),
                (*used + *value).normalize()
            ),
        }
    }
}

fn fen(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The transaction value of a list: items + freight + insurance.
pub fn transaction_value(list: &ListFacts) -> Decimal {
    list.items.iter().map(|i| i.total_price).sum::<Decimal>() + list.freight + list.insured_fee
}

/// Checks the limits for a buyer who has already used `used` this calendar
/// year, and computes the tax.
pub fn assess(list: &ListFacts, used: Decimal, table: &RateTable) -> Result<Assessment, LimitError> {
    let value = transaction_value(list);
    let single_item = list.items.len() == 1 && list.items.iter().all(|i| i.qty == Decimal::ONE);
    let regime = if value <= SINGLE_LIMIT {
        Regime::Cbec
    } else if single_item {
        Regime::FullTax
    } else {
        return Err(LimitError::Single { value });
    };
    if used + value > ANNUAL_LIMIT {
        return Err(LimitError::Annual { used, value });
    }
    let goods: Decimal = list.items.iter().map(|i| i.total_price).sum();
    let charges = list.freight + list.insured_fee;
    let mut items = Vec::with_capacity(list.items.len());
    let mut allotted = Decimal::ZERO;
    for (n, item) in list.items.iter().enumerate() {
        // Freight and insurance by value share; the last item takes the rest so the parts add up.
        let share = if n + 1 == list.items.len() {
            charges - allotted
        } else if goods.is_zero() {
            Decimal::ZERO
        } else {
            fen(charges * item.total_price / goods)
        };
        allotted += share;
        let tax_price = item.total_price + share;
        let r = table.rates(&item.gcode);
        let one_minus_ct = Decimal::ONE - r.consumption;
        let (duty, ct, vat) = match regime {
            Regime::Cbec => {
                let ct_full = tax_price * r.consumption / one_minus_ct;
                let vat_full = (tax_price + ct_full) * r.vat;
                (Decimal::ZERO, ct_full * SEVENTY_PERCENT, vat_full * SEVENTY_PERCENT)
            }
            Regime::FullTax => {
                let duty = tax_price * r.tariff;
                let ct = (tax_price + duty) * r.consumption / one_minus_ct;
                let vat = (tax_price + duty + ct) * r.vat;
                (duty, ct, vat)
            }
        };
        items.push(ItemTax {
            gnum: item.gnum,
            gcode: item.gcode.clone(),
            tax_price: fen(tax_price),
            customs_tax: fen(duty),
            value_added_tax: fen(vat),
            consumption_tax: fen(ct),
        });
    }
    let sum = |f: fn(&ItemTax) -> Decimal| items.iter().map(f).sum::<Decimal>();
    Ok(Assessment {
        regime,
        value,
        customs_tax: sum(|i| i.customs_tax),
        value_added_tax: sum(|i| i.value_added_tax),
        consumption_tax: sum(|i| i.consumption_tax),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ListItem;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    fn list(items: &[(&str, &str, &str)], freight: &str) -> ListFacts {
        let (mut l, ..) = crate::matching::tests::four();
        l.freight = d(freight);
        l.items = items
            .iter()
            .enumerate()
            .map(|(n, (gcode, qty, total))| ListItem {
                gnum: n as i32 + 1,
                gcode: gcode.to_string(),
                gname: "x".into(),
                item_record_no: None,
                qty: d(qty),
                unit: "007".into(),
                price: d(total) / d(qty),
                total_price: d(total),
                gmodel: String::new(),
                country: "116".into(),
                qty1: d(qty),
                unit1: "007".into(),
            })
            .collect();
        l
    }

    #[test]
    fn composite_rate_without_consumption_tax_is_9_1_percent() {
        let t = RateTable::representative();
        let a =
            assess(&list(&[("8517130000", "1", "1000")], "0"), Decimal::ZERO, &t).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(a.regime, Regime::Cbec);
        assert_eq!(a.total(), d("91.00"));
        assert_eq!(a.customs_tax, Decimal::ZERO);
    }

    #[test]
    fn composite_rate_with_consumption_tax() {
        // Cosmetics: (0.15 + 0.13) / 0.85 × 0.7 = 23.0588…%.
        let t = RateTable::representative();
        let a =
            assess(&list(&[("3304990000", "2", "850")], "0"), Decimal::ZERO, &t).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(a.consumption_tax, d("105.00"));
        assert_eq!(a.value_added_tax, d("91.00"));
    }

    #[test]
    fn freight_is_apportioned_by_value_and_adds_up() {
        let t = RateTable::representative();
        let a = assess(&list(&[("8517130000", "1", "100"), ("9503000000", "1", "200")], "10"), Decimal::ZERO, &t)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(a.items[0].tax_price, d("103.33"));
        assert_eq!(a.items[1].tax_price, d("206.67"));
        assert_eq!(a.value, d("310"));
    }

    #[test]
    fn limits_are_inclusive() {
        let t = RateTable::representative();
        assert!(assess(&list(&[("8517130000", "2", "5000")], "0"), Decimal::ZERO, &t).is_ok());
        assert_eq!(
            assess(&list(&[("8517130000", "2", "5000")], "0.01"), Decimal::ZERO, &t).map_err(|e| e.code()),
            Err(-621005)
        );
        assert!(assess(&list(&[("8517130000", "2", "1000")], "0"), d("25000"), &t).is_ok());
        assert_eq!(
            assess(&list(&[("8517130000", "2", "1000")], "0"), d("25000.01"), &t).map_err(|e| e.code()),
            Err(-621018)
        );
    }

    #[test]
    fn a_single_indivisible_item_above_5000_is_taxed_in_full() {
        // Watch, 8,000 CNY: (0.08 + 0.13 + 0.20 + 0.08 × 0.13) / 0.8 = 52.55 %.
        let t = RateTable::representative();
        let a =
            assess(&list(&[("9102110000", "1", "8000")], "0"), Decimal::ZERO, &t).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(a.regime, Regime::FullTax);
        assert_eq!(a.total(), d("4204.00"));
        assert_eq!(a.customs_tax, d("640.00"));
        // Two pieces of the same value are not one indivisible item.
        assert!(assess(&list(&[("9102110000", "2", "8000")], "0"), Decimal::ZERO, &t).is_err());
    }

    #[test]
    fn the_representative_table_reads() {
        let t = RateTable::representative();
        assert_eq!(t.rates("0402210000").vat, d("0.09"));
        assert_eq!(t.rates("9999999999").vat, d("0.13"));
        assert!(RateTable::from_csv("h\n12a,0.1,0,0,x\n").is_err());
    }
}
