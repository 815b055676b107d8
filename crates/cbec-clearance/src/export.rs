//! When a B2B export (9710, 9810) may be declared by a list in the export
//! unified system rather than by a full customs declaration form (H2018):
//! a ticket of at most 5,000 CNY whose goods need no export licence, bear no
//! export duty and need no inspection (domain guide §4.1). Retail export
//! (9610, 1210) is always declared by lists. Which goods need a licence,
//! duty or inspection comes from the tariff in force (its
//! `licence_required`, `export_duty_rate` and `inspection_required`).

use std::sync::OnceLock;

use cbec_refdata::Tariff;
use rust_decimal::Decimal;

use crate::facts::ExportListFacts;

/// The most a B2B list ticket may be worth, CNY (inclusive).
pub const B2B_LIST_LIMIT: Decimal = Decimal::from_parts(5000, 0, 0, false, 0);

/// What goods need on export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Control {
    pub licence: bool,
    pub export_duty: bool,
    pub inspection: bool,
}

/// The export controls of an HS code in the tariff, with the name of its
/// line: the line itself, or, for a code shortened by a simplified
/// declaration, every line under its prefix (any that needs a licence, duty
/// or inspection counts). `None`: no line of the tariff.
pub fn controls(gcode: &str, tariff: &Tariff) -> Option<(Control, String)> {
    if let Some(line) = tariff.line(gcode) {
        let c = Control {
            licence: line.licence_required,
            export_duty: line.export_duty_rate > Decimal::ZERO,
            inspection: line.inspection_required,
        };
        return Some((c, line.name.clone()));
    }
    let prefix = gcode.trim_end_matches('0');
    let prefix = if prefix.len() < 4 { gcode.get(..4).unwrap_or(gcode) } else { prefix };
    let mut found: Option<(Control, String)> = None;
    for line in tariff.lines_under(prefix) {
        let (c, _) = found.get_or_insert_with(|| (Control::default(), format!("heading {prefix}")));
        c.licence |= line.licence_required;
        c.export_duty |= line.export_duty_rate > Decimal::ZERO;
        c.inspection |= line.inspection_required;
    }
    found
}

/// The customs districts (first two digits of a customs code) that host a
/// comprehensive pilot zone, from the embedded representative table
/// (`data/pilot_zone_customs.csv`).
pub fn pilot_zone_districts() -> &'static [(String, String)] {
    static TABLE: OnceLock<Vec<(String, String)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("../data/pilot_zone_customs.csv")
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once(','))
            .map(|(d, c)| (d.trim().to_string(), c.trim().to_string()))
            .collect()
    })
}

/// Whether an export list may use `statisticsFlag` A (simplified
/// declaration, 简化申报, with the HS code simplified to 6 digits for B2B
/// lists and 4 for retail): only when declared at the customs of a
/// comprehensive pilot zone, and only for goods that need no export licence
/// and bear no export duty ([SPEC22] §2.12.4); otherwise every reason, so
/// the list is declared with B (summary declaration) instead.
pub fn simplified_allowed(list: &ExportListFacts, tariff: &Tariff) -> Result<(), Vec<String>> {
    if list.statistics_flag != "A" {
        return Ok(());
    }
    let mut reasons = Vec::new();
    let district = list.customs_code.get(..2).unwrap_or_default();
    if !pilot_zone_districts().iter().any(|(d, _)| d == district) {
        reasons.push(format!(
            "customs {} is not the customs of a comprehensive pilot zone, where alone simplified declaration is allowed",
            list.customs_code
        ));
    }
    if let Some(licence) = &list.license_no {
        reasons.push(format!("the goods need an export licence (licenseNo {licence})"));
    }
    for item in &list.items {
        if let Some((c, what)) = controls(&item.gcode, tariff) {
            let at = format!("item {} ({}, {what})", item.gnum, item.gcode);
            if c.licence {
                reasons.push(format!("{at} needs an export licence"));
            }
            if c.export_duty {
                reasons.push(format!("{at} bears export duty"));
            }
        }
    }
    if reasons.is_empty() { Ok(()) } else { Err(reasons) }
}

/// Whether the HS codes of an export list fit the tariff: a tariff line, or,
/// on a simplified declaration (`statisticsFlag` A, which
/// [`simplified_allowed`] admits only at the customs of a pilot zone), a
/// code whose first 4 digits (retail) or 6 digits (B2B) are a heading or
/// subheading of the tariff; otherwise every reason.
pub fn hs_codes_allowed(list: &ExportListFacts, tariff: &Tariff) -> Result<(), Vec<String>> {
    let b2b = matches!(list.trade_mode.as_str(), "9710" | "9810");
    let (digits, what) = if b2b { (6, "subheading") } else { (4, "heading") };
    let mut reasons = Vec::new();
    for item in &list.items {
        let code = item.gcode.as_str();
        if tariff.line(code).is_some() {
            continue;
        }
        let prefix = code.get(..digits).unwrap_or(code);
        if list.statistics_flag == "A" {
            if !tariff.has_prefix(prefix) {
                reasons.push(format!(
                    "item {} gcode {code}: its first {digits} digits ({prefix}) are not a {what} of the tariff",
                    item.gnum
                ));
            }
        } else {
            reasons.push(format!(
                "item {} gcode {code} is not a line of the tariff: a list with statisticsFlag B needs the full \
                 10-digit code (a code simplified to {digits} digits only with statisticsFlag A, at the customs of a \
                 comprehensive pilot zone)",
                item.gnum
            ));
        }
    }
    if reasons.is_empty() { Ok(()) } else { Err(reasons) }
}

/// Whether a B2B export list may be declared as a list; otherwise every
/// reason a declaration form is required.
pub fn list_allowed(list: &ExportListFacts, tariff: &Tariff) -> Result<(), Vec<String>> {
    if !matches!(list.trade_mode.as_str(), "9710" | "9810") {
        return Ok(());
    }
    let mut reasons = Vec::new();
    let value: Decimal = list.items.iter().map(|i| i.total_price).sum();
    if value > B2B_LIST_LIMIT {
        reasons.push(format!(
            "the ticket is worth {} CNY, above the {B2B_LIST_LIMIT} CNY a B2B list may carry",
            value.normalize()
        ));
    }
    if let Some(licence) = &list.license_no {
        reasons.push(format!("the goods need an export licence (licenseNo {licence})"));
    }
    for item in &list.items {
        if let Some((c, what)) = controls(&item.gcode, tariff) {
            let at = format!("item {} ({}, {what})", item.gnum, item.gcode);
            if c.licence && list.license_no.is_none() {
                reasons.push(format!("{at} needs an export licence"));
            }
            if c.export_duty {
                reasons.push(format!("{at} bears export duty"));
            }
            if c.inspection {
                reasons.push(format!("{at} needs inspection"));
            }
        }
    }
    if reasons.is_empty() { Ok(()) } else { Err(reasons) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ExportItem;

    fn t() -> &'static Tariff {
        Tariff::representative()
    }

    fn list(trade_mode: &str, items: &[(&str, i64)]) -> ExportListFacts {
        ExportListFacts {
            order_no: "O".into(),
            ebp_code: "P".into(),
            ebc_code: "C".into(),
            logistics_code: "L".into(),
            logistics_no: "N".into(),
            cop_no: "X".into(),
            pre_no: None,
            invt_no: None,
            customs_code: "5300".into(),
            port_code: "5301".into(),
            trade_mode: trade_mode.into(),
            statistics_flag: "B".into(),
            agent_code: "A".into(),
            owner_code: "C".into(),
            license_no: None,
            freight: Decimal::ZERO,
            country: "502".into(),
            traf_mode: "5".into(),
            bill_no: None,
            voyage_no: None,
            gross_weight: Decimal::ONE,
            net_weight: Decimal::ONE,
            released_on: None,
            sandbox: None,
            parties: Vec::new(),
            items: items
                .iter()
                .enumerate()
                .map(|(n, (gcode, total))| ExportItem {
                    gnum: n as i32 + 1,
                    gcode: gcode.to_string(),
                    gname: "g".into(),
                    qty: Decimal::ONE,
                    unit: "007".into(),
                    price: Decimal::from(*total),
                    total_price: Decimal::from(*total),
                    currency: "142".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn each_reason_for_a_declaration_form() {
        assert!(list_allowed(&list("9710", &[("6109100021", 4000)]), t()).is_ok());
        assert!(list_allowed(&list("9710", &[("6109100021", 5000)]), t()).is_ok());
        let over = list_allowed(&list("9810", &[("6109100021", 5001)]), t()).unwrap_err();
        assert!(over[0].contains("5001"), "{over:?}");
        let duty = list_allowed(&list("9710", &[("7601100000", 100)]), t()).unwrap_err();
        assert!(duty[0].contains("export duty"), "{duty:?}");
        let inspection = list_allowed(&list("9710", &[("0201100000", 100)]), t()).unwrap_err();
        assert!(inspection[0].contains("inspection"), "{inspection:?}");
        let licence = list_allowed(&list("9710", &[("9302000000", 100)]), t()).unwrap_err();
        assert!(licence[0].contains("licence"), "{licence:?}");
        let mut with_licence = list("9710", &[("6109100021", 100)]);
        with_licence.license_no = Some("LIC-1".into());
        assert!(list_allowed(&with_licence, t()).unwrap_err()[0].contains("LIC-1"));
        // Retail export is declared by lists whatever its value.
        assert!(list_allowed(&list("9610", &[("7601100000", 9000)]), t()).is_ok());
    }

    #[test]
    fn hs_codes_fit_the_tariff_or_are_simplified_where_allowed() {
        let tariff = cbec_refdata::Tariff::representative();
        let check = |mode: &str, flag: &str, gcode: &str| {
            let mut l = list(mode, &[(gcode, 100)]);
            l.statistics_flag = flag.into();
            hs_codes_allowed(&l, tariff)
        };
        assert!(check("9610", "B", "6109100021").is_ok(), "a tariff line");
        assert!(check("9610", "A", "6109000000").is_ok(), "retail: 4 digits");
        assert!(check("9710", "A", "6109100000").is_ok(), "B2B: 6 digits");
        assert!(check("9710", "A", "6109000000").unwrap_err()[0].contains("(610900) are not a subheading"));
        assert!(check("9610", "A", "8471000000").unwrap_err()[0].contains("(8471) are not a heading"));
        let full = check("9610", "B", "6109100000").unwrap_err();
        assert!(full[0].contains("not a line of the tariff") && full[0].contains("statisticsFlag A"), "{full:?}");
    }

    #[test]
    fn simplified_declaration_needs_goods_without_licence_or_duty() {
        let simplified = |gcode: &str| {
            let mut l = list("9610", &[(gcode, 100)]);
            l.statistics_flag = "A".into();
            simplified_allowed(&l, t())
        };
        assert!(simplified("6109100021").is_ok());
        // Inspection alone does not stop a simplified declaration.
        assert!(simplified("0201100000").is_ok());
        assert!(simplified("7601100000").unwrap_err()[0].contains("export duty"));
        // Only at the customs of a comprehensive pilot zone.
        let mut elsewhere = list("9710", &[("6109100021", 100)]);
        elsewhere.statistics_flag = "A".into();
        elsewhere.customs_code = "7200".into();
        assert!(simplified_allowed(&elsewhere, t()).unwrap_err()[0].contains("pilot zone"));
        assert!(pilot_zone_districts().iter().any(|(d, c)| d == "53" && c == "Shenzhen"));
        assert!(simplified("9302000000").unwrap_err()[0].contains("licence"));
        // B (summary declaration) takes any goods.
        assert!(simplified_allowed(&list("9610", &[("7601100000", 100)]), t()).is_ok());
    }
}
