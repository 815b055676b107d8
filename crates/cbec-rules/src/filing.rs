//! Enterprise filing rules (备案): what customs checks before it approves an
//! application, and what the approval then does.
//!
//! Each [`ApplicationKind`] has a typed payload ([`InitialFiling`],
//! [`InfoChange`], [`CertificateBinding`], [`LicenceUpdate`],
//! [`OverseasWarehouse`], [`B2bExport`]; [`Payload::parse`] reads one from
//! the JSON an application carries) and a `check_*` function that validates
//! everything at once and, when nothing is wrong, returns the [`Outcome`] of
//! approving it: plain data that the service turns into the store's effect.
//!
//! The rules (domain guide §2 and §4.1, the Changchun customs Q&A):
//! - an enterprise has a 10-character customs code and/or a valid
//!   18-character unified social credit code, a name, at least one CBEC
//!   enterprise type and a known customs district;
//! - a payment enterprise needs an unexpired PBOC payment business licence
//!   (支付业务许可证) whose scope covers internet payment (互联网支付), or,
//!   being a bank, a financial licence (金融许可证); a logistics enterprise
//!   needs an unexpired express delivery licence (快递业务经营许可证);
//! - the export overseas warehouse model (出口海外仓业务模式备案) needs an
//!   enterprise filed as a cross-border e-commerce enterprise (跨境电子商务企业)
//!   for export, with customs credit "general credit or above"
//!   (一般信用及以上), and a warehouse outside China with a name, address,
//!   area and, when leased, the lease document.
//!
//! Like every rule of this crate these are pure: the time ([`At`]) and the
//! enterprise's current data are passed in, and certificates arrive already
//! parsed ([`CertificateInput`]), since reading X.509 belongs to the
//! signature crate.

use std::fmt;
use std::str::FromStr as _;

use cbec_model::Decimal;
use cbec_model::codes;
use cbec_model::diag::{Code, Diagnostic};
use cbec_model::filing::{ApplicationKind, CreditRating, EnterpriseType, LicenceKind, Trade, WarehouseNature};
use cbec_model::ident::{CustomsCode10, Uscc};
use serde::{Deserialize, Serialize};

// ---- time --------------------------------------------------------------------

/// A calendar date (proleptic Gregorian), written `YYYY-MM-DD` as licences
/// give their validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The date, if it exists (years 1–9999).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = s.get(r)?;
            if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        let month = u8::try_from(digits(5..7)?).ok()?;
        let day = u8::try_from(digits(8..10)?).ok()?;
        Date::new(year, month, day)
    }

    /// The date of a day number counted from 1970-01-01 (H. Hinnant's
    /// `civil_from_days`).
    pub fn from_days_since_epoch(z: i64) -> Option<Date> {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(i32::try_from(year).ok()?, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// When a check runs: the instant (for certificates, which are valid to the
/// second) and the calendar date in China (for licences, whose validity is
/// given in dates). Built from a time the caller read; the rules never read
/// the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// Milliseconds since the Unix epoch, UTC.
    pub unix_ms: i64,
    /// Today's date in China Standard Time (UTC+8).
    pub today: Date,
}

impl At {
    /// China Standard Time is UTC+8 all year (no daylight saving time).
    const CST_OFFSET_MS: i64 = 8 * 3600 * 1000;

    /// The instant `unix_ms` with its date in China (UTC+8). `None` only for
    /// instants outside the years 1–9999.
    pub fn from_unix_ms(unix_ms: i64) -> Option<At> {
        let local = unix_ms.checked_add(Self::CST_OFFSET_MS)?;
        let today = Date::from_days_since_epoch(local.div_euclid(86_400_000))?;
        Some(At { unix_ms, today })
    }
}

// ---- records -------------------------------------------------------------------

/// The filed information of an enterprise (the same JSON shape as the
/// store's record). Optional text fields may be left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseRecord {
    /// 10-character customs registration code (海关注册编码).
    #[serde(default)]
    pub customs_code: Option<String>,
    /// 18-character unified social credit code (统一社会信用代码).
    #[serde(default)]
    pub uscc: Option<String>,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub telephone: String,
    /// 4-digit customs district of filing (关区代码).
    #[serde(default)]
    pub customs_district: String,
    /// DXP user number (`dxpId`), once the e-port has assigned one.
    #[serde(default)]
    pub dxp_id: Option<String>,
    /// The CBEC enterprise types (跨境电子商务企业类型).
    pub types: Vec<EnterpriseType>,
    pub trade: Trade,
    /// Declared B2B direct export (9710) business.
    #[serde(default)]
    pub b2b_export: bool,
}

/// A licence as filed (the store's `NewLicence`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    pub kind: LicenceKind,
    pub number: String,
    #[serde(default)]
    pub issuer: String,
    /// The business scope (业务类型 / 业务范围) as printed on the licence.
    #[serde(default)]
    pub scope: String,
    /// YYYY-MM-DD.
    pub valid_from: String,
    /// YYYY-MM-DD, inclusive.
    pub valid_to: String,
}

impl Licence {
    /// Whether the licence is in force on `day` (both ends inclusive).
    /// Unreadable dates count as not in force.
    pub fn in_force_on(&self, day: Date) -> bool {
        matches!((Date::parse(&self.valid_from), Date::parse(&self.valid_to)), (Some(f), Some(t)) if f <= day && day <= t)
    }

    /// Whether the scope covers internet payment ("互联网支付", or "internet
    /// payment" in any case).
    pub fn covers_internet_payment(&self) -> bool {
        self.scope.contains("互联网支付") || self.scope.to_lowercase().contains("internet payment")
    }
}

/// An overseas warehouse (the store's `NewWarehouse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warehouse {
    pub name: String,
    /// 3-digit country code (国别代码), not 142 (China).
    pub country: String,
    pub address: String,
    /// Area in m², a decimal string greater than zero.
    pub area_m2: String,
    pub nature: WarehouseNature,
    /// Reference of the title document (owned) or the lease (leased).
    #[serde(default)]
    pub document: Option<String>,
    /// Who runs the warehouse, when not the enterprise itself.
    #[serde(default)]
    pub operator: Option<String>,
}

/// What the rules know of an enterprise already filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub record: EnterpriseRecord,
    pub credit: CreditRating,
    pub licences: Vec<Licence>,
    pub warehouses: Vec<Warehouse>,
}

/// A certificate of a payload, as the service read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateInput {
    /// The PEM text is not a readable RSA or SM2 X.509 certificate.
    Unparsable { reason: String },
    Parsed {
        /// Serial number in hex (the `KeyName` of the signatures).
        serial: String,
        subject: String,
        /// Validity, milliseconds since the Unix epoch.
        not_before_ms: i64,
        not_after_ms: i64,
        /// Whether an unrevoked binding of the same certificate exists (to
        /// any enterprise), or it appears earlier in the same payload.
        already_bound: bool,
    },
}

// ---- payloads --------------------------------------------------------------------

/// 备案: files a new enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitialFiling {
    pub record: EnterpriseRecord,
    /// The credit rating to start with; general credit (一般信用企业) if left out.
    #[serde(default)]
    pub credit: Option<CreditRating>,
    #[serde(default)]
    pub licences: Vec<Licence>,
    /// Signing certificates to bind, PEM.
    #[serde(default)]
    pub certificates: Vec<String>,
}

/// 信息变更: replaces the filed information with a full new record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoChange {
    pub record: EnterpriseRecord,
}

/// 证书绑定: binds a signing certificate (PEM) to the enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateBinding {
    pub certificate: String,
}

/// 许可证更新: adds licences, or replaces those of the same kind and number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceUpdate {
    pub licences: Vec<Licence>,
}

/// 出口海外仓业务模式备案: files the export overseas warehouse model with one
/// warehouse (one application per warehouse, as the customs form has one
/// sheet per warehouse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverseasWarehouse {
    pub warehouse: Warehouse,
}

/// 跨境电商B2B直接出口 (9710): declares B2B direct export business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct B2bExport {}

/// The payload of any application kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    InitialFiling(InitialFiling),
    InfoChange(InfoChange),
    CertificateBinding(CertificateBinding),
    LicenceUpdate(LicenceUpdate),
    OverseasWarehouse(OverseasWarehouse),
    B2bExport(B2bExport),
}

impl Payload {
    /// Reads the payload of an application of `kind`. A payload that does
    /// not have the kind's shape is one `json.invalid` diagnostic at
    /// `payload`. (`null` is taken as `{}`, so a B2B export needs none.)
    pub fn parse(kind: ApplicationKind, value: &serde_json::Value) -> Result<Payload, Vec<Diagnostic>> {
        fn read<T: serde::de::DeserializeOwned>(
            kind: ApplicationKind,
            v: &serde_json::Value,
        ) -> Result<T, Vec<Diagnostic>> {
            let v = if v.is_null() { serde_json::Value::Object(serde_json::Map::new()) } else { v.clone() };
            serde_json::from_value(v).map_err(|e| {
                vec![Diagnostic::new(
                    Code::JsonInvalid,
                    "payload",
                    format!("the payload is not a valid {} ({}) payload: {e}", kind.as_str(), kind.name_zh()),
                )]
            })
        }
        Ok(match kind {
            ApplicationKind::InitialFiling => Payload::InitialFiling(read(kind, value)?),
            ApplicationKind::InfoChange => Payload::InfoChange(read(kind, value)?),
            ApplicationKind::CertificateBinding => Payload::CertificateBinding(read(kind, value)?),
            ApplicationKind::LicenceUpdate => Payload::LicenceUpdate(read(kind, value)?),
            ApplicationKind::OverseasWarehouse => Payload::OverseasWarehouse(read(kind, value)?),
            ApplicationKind::B2bExport => Payload::B2bExport(read(kind, value)?),
        })
    }

    pub fn kind(&self) -> ApplicationKind {
        match self {
            Payload::InitialFiling(_) => ApplicationKind::InitialFiling,
            Payload::InfoChange(_) => ApplicationKind::InfoChange,
            Payload::CertificateBinding(_) => ApplicationKind::CertificateBinding,
            Payload::LicenceUpdate(_) => ApplicationKind::LicenceUpdate,
            Payload::OverseasWarehouse(_) => ApplicationKind::OverseasWarehouse,
            Payload::B2bExport(_) => ApplicationKind::B2bExport,
        }
    }
}

// ---- outcomes ------------------------------------------------------------------------

/// What approving an application does. Certificates are not repeated here:
/// the service binds the ones it parsed from the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new enterprise with its first version, its licences and the
    /// payload's certificates.
    CreateEnterprise {
        record: EnterpriseRecord,
        credit: CreditRating,
        licences: Vec<Licence>,
    },
    /// A new version of the filed information.
    UpdateRecord {
        record: EnterpriseRecord,
    },
    /// Binds the payload's certificate.
    BindCertificate,
    /// Adds or replaces (same kind and number) licences.
    UpdateLicences {
        licences: Vec<Licence>,
    },
    AddWarehouse {
        warehouse: Warehouse,
    },
}

type Checked = Result<Outcome, Vec<Diagnostic>>;

fn finish(diags: Vec<Diagnostic>, outcome: impl FnOnce() -> Outcome) -> Checked {
    if diags.iter().any(Diagnostic::is_error) { Err(diags) } else { Ok(outcome()) }
}

fn err(code: Code, path: impl Into<String>, value: Option<&str>, message: impl Into<String>) -> Diagnostic {
    let d = Diagnostic::new(code, path, message);
    match value {
        Some(v) => d.with_value(v),
        None => d,
    }
}

fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() { field.to_owned() } else { format!("{prefix}/{field}") }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

// ---- the record -------------------------------------------------------------------------

/// Checks a record on its own (identity, name, types, district, trade).
/// `prefix` is the path of the record in the payload, e.g. `record`.
pub fn check_record(record: &EnterpriseRecord, prefix: &str) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let path = |f: &str| join(prefix, f);
    match &record.customs_code {
        Some(c) => {
            if let Err(e) = CustomsCode10::parse(c) {
                d.push(err(
                    Code::FormatEnterpriseCode,
                    path("customs_code"),
                    Some(c),
                    format!("customs_code (海关注册编码): {e}; give the 10-character code, or leave the field out if the enterprise has none"),
                ));
            }
        }
        None if record.uscc.is_none() => d.push(err(
            Code::FilingNoIdentity,
            prefix.to_owned(),
            None,
            "the enterprise has neither a customs code (海关注册编码, 10 characters) nor a unified social credit code (统一社会信用代码, 18 characters): give at least one",
        )),
        None => {}
    }
    if let Some(u) = &record.uscc
        && let Err(e) = Uscc::parse(u)
    {
        d.push(err(
            Code::FormatEnterpriseCode,
            path("uscc"),
            Some(u),
            format!("uscc (统一社会信用代码): {e}; copy the 18-character code from the business licence"),
        ));
    }
    if blank(&record.name) {
        d.push(err(Code::FilingMissingField, path("name"), None, "name (企业名称) is empty: give the registered name"));
    }
    if record.types.is_empty() {
        d.push(err(
            Code::FilingNoType,
            path("types"),
            None,
            format!(
                "no CBEC enterprise type (跨境电子商务企业类型) is selected: choose at least one of {}",
                EnterpriseType::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    d.extend(check_district(&record.customs_district, &path("customs_district")));
    if let Some(dxp) = &record.dxp_id {
        let n = dxp.chars().count();
        if n == 0 || n > 30 || dxp.chars().any(char::is_whitespace) {
            d.push(err(
                Code::FormatNumber,
                path("dxp_id"),
                Some(dxp),
                "dxp_id (DXP用户编号) must be 1 to 30 characters without spaces, e.g. DXPENT0000458763; leave it out until the e-port assigns one",
            ));
        }
    }
    if record.b2b_export && record.trade == Trade::Import {
        d.push(err(
            Code::FilingTypeRequired,
            path("b2b_export"),
            None,
            "B2B direct export (9710) needs an enterprise filed for export: set trade to export or both",
        ));
    }
    d
}

/// A known customs district: in the code table itself, or a subordinate
/// office whose XX00 head district is.
fn check_district(code: &str, path: &str) -> Vec<Diagnostic> {
    if code.is_empty() {
        return vec![err(
            Code::FilingMissingField,
            path,
            None,
            "customs_district (主管海关) is empty: give the 4-digit customs district of filing, e.g. 1500 (Changchun)",
        )];
    }
    if code.len() != 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return vec![err(
            Code::FormatCustomsCode,
            path,
            Some(code),
            "customs_district (主管海关) must be a 4-digit customs district code (关区代码), e.g. 1500",
        )];
    }
    let head = format!("{}00", &code[..2]);
    if codes::customs_district(code).is_none() && codes::customs_district(&head).is_none() {
        return vec![err(
            Code::CodeUnknown,
            path,
            Some(code),
            format!(
                "customs_district (主管海关) {code} is not a known customs district, nor is its head district {head}"
            ),
        )];
    }
    Vec::new()
}

fn check_licence_format(l: &Licence, path: &str) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let name = format!("{} ({})", l.kind.name_zh(), l.kind.as_str());
    if blank(&l.number) {
        d.push(err(Code::FilingMissingField, join(path, "number"), None, format!("the number of the {name} is empty")));
    }
    let from = Date::parse(&l.valid_from);
    let to = Date::parse(&l.valid_to);
    for (field, value, parsed) in [("valid_from", &l.valid_from, from), ("valid_to", &l.valid_to, to)] {
        if parsed.is_none() {
            d.push(err(
                Code::FilingLicenceInvalid,
                join(path, field),
                Some(value),
                format!("{field} of the {name} is not a date: write YYYY-MM-DD, e.g. 2026-12-31"),
            ));
        }
    }
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        d.push(err(
            Code::FilingLicenceInvalid,
            join(path, "valid_to"),
            Some(&l.valid_to),
            format!("the {name} ends ({t}) before it starts ({f})"),
        ));
    }
    d
}

/// What one enterprise type needs, in words, for the messages.
fn requirement_text(t: EnterpriseType) -> &'static str {
    match t {
        EnterpriseType::Pay => {
            "a payment enterprise (支付企业) needs a PBOC payment business licence (支付业务许可证, kind payment) in force whose scope covers internet payment (互联网支付), or, if it is a bank, a financial licence (金融许可证, kind bank)"
        }
        EnterpriseType::Logistics => {
            "a logistics enterprise (物流企业) needs an express delivery business licence (快递业务经营许可证, kind express) in force"
        }
        _ => "",
    }
}

/// Checks that `licences` give every type of `types` the licence it needs
/// on `today`. Diagnostics point at `types_path` when a licence is missing
/// and at the offending licence (under `licences_path`) when one exists but
/// does not count.
fn check_required_licences(
    types: &[EnterpriseType],
    licences: &[Licence],
    today: Date,
    types_path: &str,
    licences_path: Option<&str>,
) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let mut seen = Vec::new();
    for &t in types {
        let kinds = t.required_licences();
        if kinds.is_empty() || seen.contains(&t) {
            continue;
        }
        seen.push(t);
        let counts = |l: &Licence| {
            kinds.contains(&l.kind)
                && l.in_force_on(today)
                && (l.kind != LicenceKind::Payment || l.covers_internet_payment())
        };
        if licences.iter().any(counts) {
            continue;
        }
        let at = |i: usize, f: &str| match licences_path {
            Some(p) => format!("{p}[{}]/{f}", i + 1),
            None => format!("licences[{}]/{f}", i + 1),
        };
        let mut explained = false;
        for (i, l) in licences.iter().enumerate().filter(|(_, l)| kinds.contains(&l.kind)) {
            let name = format!("{} {} ({})", l.kind.name_zh(), l.number, l.kind.as_str());
            match (Date::parse(&l.valid_from), Date::parse(&l.valid_to)) {
                (Some(_), Some(to)) if to < today => {
                    d.push(err(
                        Code::FilingLicenceExpired,
                        at(i, "valid_to"),
                        Some(&l.valid_to),
                        format!(
                            "the {name} expired on {to}: {}; apply for a licence update (licence_update) with the renewed licence",
                            requirement_text(t)
                        ),
                    ));
                    explained = true;
                }
                (Some(from), Some(_)) if today < from => {
                    d.push(err(
                        Code::FilingLicenceExpired,
                        at(i, "valid_from"),
                        Some(&l.valid_from),
                        format!(
                            "the {name} is not in force until {from}: {}; apply again once it is",
                            requirement_text(t)
                        ),
                    ));
                    explained = true;
                }
                (Some(_), Some(_)) if l.kind == LicenceKind::Payment => {
                    d.push(err(
                        Code::FilingLicenceScope,
                        at(i, "scope"),
                        Some(&l.scope),
                        format!(
                            "the scope of the {name} does not cover internet payment (互联网支付): {}; submit a licence whose scope includes 互联网支付",
                            requirement_text(t)
                        ),
                    ));
                    explained = true;
                }
                // Unreadable dates are reported by the format check.
                _ => {}
            }
        }
        if !explained {
            d.push(err(
                Code::FilingLicenceMissing,
                types_path.to_owned(),
                Some(t.as_str()),
                format!("{}; add it to the licences (licence_update for a filed enterprise)", requirement_text(t)),
            ));
        }
    }
    d
}

fn check_certificate(c: &CertificateInput, at: &At, path: &str) -> Vec<Diagnostic> {
    match c {
        CertificateInput::Unparsable { reason } => vec![err(
            Code::FilingCertificateUnparsable,
            path,
            None,
            format!(
                "the certificate is not a readable RSA or SM2 X.509 certificate in PEM ({reason}); export it from the UKey as -----BEGIN CERTIFICATE-----"
            ),
        )],
        CertificateInput::Parsed { serial, subject, not_before_ms, not_after_ms, already_bound } => {
            let mut d = Vec::new();
            let name = format!("certificate {serial} ({subject})");
            if at.unix_ms > *not_after_ms {
                d.push(err(
                    Code::FilingCertificateNotValid,
                    path,
                    Some(serial),
                    format!("the {name} has expired; bind the renewed certificate of the UKey"),
                ));
            } else if at.unix_ms < *not_before_ms {
                d.push(err(
                    Code::FilingCertificateNotValid,
                    path,
                    Some(serial),
                    format!("the {name} is not valid yet; bind it once it is in force"),
                ));
            }
            if *already_bound {
                d.push(err(
                    Code::FilingCertificateBound,
                    path,
                    Some(serial),
                    format!("the {name} is already bound; a certificate belongs to one enterprise (revoke the old binding first)"),
                ));
            }
            d
        }
    }
}

fn normalized(mut record: EnterpriseRecord) -> EnterpriseRecord {
    record.types.sort();
    record.types.dedup();
    record
}

// ---- the checks --------------------------------------------------------------------

/// 备案: a new enterprise with its licences and certificates.
/// `certificates` are the payload's certificates, in order, as parsed.
pub fn check_initial_filing(p: &InitialFiling, certificates: &[CertificateInput], at: &At) -> Checked {
    let mut d = check_record(&p.record, "record");
    for (i, l) in p.licences.iter().enumerate() {
        d.extend(check_licence_format(l, &format!("licences[{}]", i + 1)));
    }
    d.extend(check_required_licences(&p.record.types, &p.licences, at.today, "record/types", None));
    for (i, c) in certificates.iter().enumerate() {
        d.extend(check_certificate(c, at, &format!("certificates[{}]", i + 1)));
    }
    finish(d, || Outcome::CreateEnterprise {
        record: normalized(p.record.clone()),
        credit: p.credit.unwrap_or(CreditRating::General),
        licences: p.licences.clone(),
    })
}

/// 信息变更: the new record replaces the filed one. The enterprise's
/// identity codes may be added but not changed, and its licences must cover
/// the new types.
pub fn check_info_change(filed: &Filed, p: &InfoChange, at: &At) -> Checked {
    let mut d = check_record(&p.record, "record");
    for (field, old, new, zh) in [
        ("uscc", &filed.record.uscc, &p.record.uscc, "统一社会信用代码"),
        ("customs_code", &filed.record.customs_code, &p.record.customs_code, "海关注册编码"),
    ] {
        if let Some(old) = old
            && new.as_ref() != Some(old)
        {
            d.push(err(
                Code::FilingIdentityChanged,
                format!("record/{field}"),
                new.as_deref(),
                format!("{field} ({zh}) {old} identifies the enterprise and cannot be changed or removed by an information change; a different legal entity files anew"),
            ));
        }
    }
    d.extend(check_required_licences(&p.record.types, &filed.licences, at.today, "record/types", Some("licences")));
    let record = normalized(p.record.clone());
    if record == normalized(filed.record.clone()) {
        d.push(err(
            Code::FilingNoChange,
            "record",
            None,
            "the new record is the same as the filed one: there is nothing to change",
        ));
    }
    finish(d, || Outcome::UpdateRecord { record })
}

/// 证书绑定: one certificate, readable, in force and bound nowhere else.
pub fn check_certificate_binding(certificate: &CertificateInput, at: &At) -> Checked {
    let d = check_certificate(certificate, at, "certificate");
    finish(d, || Outcome::BindCertificate)
}

/// 许可证更新: the licences must be well formed and in force, and the
/// enterprise's licences after the update must still cover its types.
pub fn check_licence_update(filed: &Filed, p: &LicenceUpdate, at: &At) -> Checked {
    let mut d = Vec::new();
    if p.licences.is_empty() {
        d.push(err(
            Code::FilingMissingField,
            "licences",
            None,
            "no licence is given: list the licences to add or renew",
        ));
    }
    for (i, l) in p.licences.iter().enumerate() {
        let path = format!("licences[{}]", i + 1);
        let format = check_licence_format(l, &path);
        if format.is_empty()
            && let Some(to) = Date::parse(&l.valid_to).filter(|to| *to < at.today)
        {
            d.push(err(
                Code::FilingLicenceExpired,
                format!("{path}/valid_to"),
                Some(&l.valid_to),
                format!("the {} {} expired on {to}: submit the renewed licence instead", l.kind.name_zh(), l.number),
            ));
        }
        d.extend(format);
    }
    // The licences after the update: same kind and number are replaced.
    let mut after: Vec<Licence> = filed
        .licences
        .iter()
        .filter(|old| !p.licences.iter().any(|new| new.kind == old.kind && new.number == old.number))
        .cloned()
        .collect();
    after.extend(p.licences.iter().cloned());
    if d.is_empty() {
        d.extend(check_required_licences(&filed.record.types, &after, at.today, "licences", Some("licences")));
    }
    finish(d, || Outcome::UpdateLicences { licences: p.licences.clone() })
}

/// Checks the fields of an overseas warehouse. `prefix` is its path.
pub fn check_warehouse(w: &Warehouse, prefix: &str) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let path = |f: &str| join(prefix, f);
    if blank(&w.name) {
        d.push(err(
            Code::FilingMissingField,
            path("name"),
            None,
            "name (海外仓名称) is empty: give the warehouse's name",
        ));
    }
    if blank(&w.address) {
        d.push(err(
            Code::FilingMissingField,
            path("address"),
            None,
            "address (海外仓地址) is empty: give the warehouse's full address",
        ));
    }
    let country_ok = w.country.len() == 3 && w.country.bytes().all(|b| b.is_ascii_digit());
    match codes::country(&w.country) {
        _ if !country_ok => d.push(err(
            Code::CodeUnknown,
            path("country"),
            Some(&w.country),
            "country (所在国家/地区) must be a 3-digit country code (国别代码), e.g. 304 for Germany",
        )),
        None => d.push(err(
            Code::CodeUnknown,
            path("country"),
            Some(&w.country),
            format!("country (所在国家/地区) {} is not in the country code table", w.country),
        )),
        Some(c) if c.code == "142" => d.push(err(
            Code::CodeNotAllowed,
            path("country"),
            Some(&w.country),
            "an overseas warehouse (海外仓) lies outside China: country 142 (中国) is not allowed",
        )),
        Some(c) if c.note().is_some_and(|n| n.contains("aggregate")) => d.push(err(
            Code::CodeNotAllowed,
            path("country"),
            Some(&w.country),
            format!("country {} ({}) is a region, not a country: give the warehouse's country", c.code, c.name_zh),
        )),
        Some(_) => {}
    }
    match Decimal::from_str(w.area_m2.trim()) {
        Err(_) => d.push(err(
            Code::FormatNumber,
            path("area_m2"),
            Some(&w.area_m2),
            "area_m2 (面积, m²) is not a decimal number, e.g. 1200.5",
        )),
        Ok(a) if a <= Decimal::ZERO => d.push(err(
            Code::FilingWarehouseArea,
            path("area_m2"),
            Some(&w.area_m2),
            "area_m2 (面积, m²) must be greater than zero",
        )),
        Ok(_) => {}
    }
    if w.nature == WarehouseNature::Leased && w.document.as_deref().is_none_or(blank) {
        d.push(err(
            Code::FilingDocumentRequired,
            path("document"),
            None,
            "a leased (租赁) warehouse needs its lease (租赁合同): give the document reference",
        ));
    }
    d
}

/// 出口海外仓业务模式备案: the enterprise must be filed as a cross-border
/// e-commerce enterprise for export with credit "general or above", and the
/// warehouse must be valid and not filed already.
pub fn check_overseas_warehouse(filed: &Filed, p: &OverseasWarehouse) -> Checked {
    let mut d = Vec::new();
    if !filed.record.types.contains(&EnterpriseType::Ebc) {
        d.push(err(
            Code::FilingTypeRequired,
            "record/types",
            None,
            "the export overseas warehouse model needs an enterprise filed with the type cross-border e-commerce enterprise (跨境电子商务企业, ebc): apply for an information change adding it first",
        ));
    }
    if filed.record.trade == Trade::Import {
        d.push(err(
            Code::FilingTypeRequired,
            "record/trade",
            Some(filed.record.trade.as_str()),
            "the export overseas warehouse model is an export business: apply for an information change to trade export or both first",
        ));
    }
    if !filed.credit.is_general_or_better() {
        d.push(err(
            Code::FilingCreditInsufficient,
            "credit",
            Some(filed.credit.as_str()),
            format!(
                "the export overseas warehouse model needs customs credit general or above (一般信用及以上); the enterprise is rated {} ({})",
                filed.credit.name_zh(),
                filed.credit.as_str()
            ),
        ));
    }
    d.extend(check_warehouse(&p.warehouse, "warehouse"));
    let same = |w: &Warehouse| {
        w.country == p.warehouse.country
            && w.name.trim() == p.warehouse.name.trim()
            && w.address.trim() == p.warehouse.address.trim()
    };
    if filed.warehouses.iter().any(same) {
        d.push(err(
            Code::FilingAlreadyDone,
            "warehouse",
            Some(&p.warehouse.name),
            "this warehouse (same name, country and address) is already filed",
        ));
    }
    finish(d, || Outcome::AddWarehouse { warehouse: p.warehouse.clone() })
}

/// 跨境电商B2B直接出口 (9710): sets `b2b_export` on an enterprise filed for
/// export with a CBEC type.
pub fn check_b2b_export(filed: &Filed, _p: &B2bExport) -> Checked {
    let mut d = Vec::new();
    if filed.record.types.is_empty() {
        d.push(err(
            Code::FilingNoType,
            "record/types",
            None,
            "B2B direct export needs an enterprise filed with a CBEC enterprise type: apply for an information change first",
        ));
    }
    if filed.record.trade == Trade::Import {
        d.push(err(
            Code::FilingTypeRequired,
            "record/trade",
            Some(filed.record.trade.as_str()),
            "B2B direct export (9710) needs an enterprise filed for export: apply for an information change to trade export or both first",
        ));
    }
    if filed.record.b2b_export {
        d.push(err(Code::FilingAlreadyDone, "record/b2b_export", None, "B2B direct export is already declared"));
    }
    let mut record = filed.record.clone();
    record.b2b_export = true;
    finish(d, || Outcome::UpdateRecord { record })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(date: &str) -> At {
        let d = Date::parse(date).unwrap();
        // Noon in China of that day.
        let days = {
            let mut n = 0i64;
            let mut probe = Date::from_days_since_epoch(0).unwrap();
            while probe < d {
                n += 1;
                probe = Date::from_days_since_epoch(n).unwrap();
            }
            n
        };
        At { unix_ms: days * 86_400_000 + 4 * 3_600_000, today: d }
    }

    fn record(types: &[EnterpriseType]) -> EnterpriseRecord {
        EnterpriseRecord {
            customs_code: Some("2201960ABC".into()),
            uscc: Some("91350100M000100Y43".into()),
            name: "长春某跨境电商有限公司".into(),
            name_en: None,
            address: "长春市".into(),
            contact: "张三".into(),
            telephone: "0431-12345678".into(),
            customs_district: "1500".into(),
            dxp_id: None,
            types: types.to_vec(),
            trade: Trade::Both,
            b2b_export: false,
        }
    }

    fn licence(kind: LicenceKind, scope: &str, from: &str, to: &str) -> Licence {
        Licence {
            kind,
            number: "Z2000000000001".into(),
            issuer: "中国人民银行".into(),
            scope: scope.into(),
            valid_from: from.into(),
            valid_to: to.into(),
        }
    }

    fn filing(types: &[EnterpriseType], licences: Vec<Licence>) -> InitialFiling {
        InitialFiling { record: record(types), credit: None, licences, certificates: vec![] }
    }

    fn codes_of(r: Checked) -> Vec<&'static str> {
        r.err().unwrap_or_default().iter().map(|d| d.code.as_str()).collect()
    }

    fn filed(types: &[EnterpriseType]) -> Filed {
        Filed { record: record(types), credit: CreditRating::General, licences: vec![], warehouses: vec![] }
    }

    fn warehouse() -> Warehouse {
        Warehouse {
            name: "Hamburg DC".into(),
            country: "304".into(),
            address: "Am Hafen 1, Hamburg".into(),
            area_m2: "1200.5".into(),
            nature: WarehouseNature::Leased,
            document: Some("lease 2026/17".into()),
            operator: None,
        }
    }

    #[test]
    fn dates() {
        assert_eq!(Date::parse("2024-02-29").map(|d| d.to_string()).as_deref(), Some("2024-02-29"));
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2023-2-28").is_none());
        assert!(Date::parse("2023-13-01").is_none());
        assert!(Date::parse("+023-01-01").is_none());
        assert_eq!(Date::from_days_since_epoch(0), Date::new(1970, 1, 1));
        assert_eq!(Date::from_days_since_epoch(19_782), Date::new(2024, 2, 29));
        // 2026-01-01T16:00:00Z is already 2026-01-02 in China.
        assert_eq!(At::from_unix_ms(1_767_283_200_000).map(|a| a.today), Date::new(2026, 1, 2));
        assert_eq!(At::from_unix_ms(1_767_283_199_999).map(|a| a.today), Date::new(2026, 1, 1));
    }

    #[test]
    fn a_plain_ebc_files() {
        let p = filing(&[EnterpriseType::Ebc, EnterpriseType::Ebc], vec![]);
        match check_initial_filing(&p, &[], &at("2026-01-15")) {
            Ok(Outcome::CreateEnterprise { record, credit, licences }) => {
                assert_eq!(record.types, vec![EnterpriseType::Ebc], "types are deduplicated");
                assert_eq!(credit, CreditRating::General);
                assert!(licences.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn record_rules() {
        let today = at("2026-01-15");
        let mut p = filing(&[], vec![]);
        p.record.customs_code = None;
        p.record.uscc = None;
        p.record.name = "  ".into();
        p.record.customs_district = "9999".into();
        assert_eq!(
            codes_of(check_initial_filing(&p, &[], &today)),
            ["filing.no_identity", "filing.missing_field", "filing.no_type", "code.unknown"]
        );

        let mut p = filing(&[EnterpriseType::Ebc], vec![]);
        p.record.uscc = Some("91350100M000100Y44".into());
        p.record.customs_code = Some("2201960abc".into());
        p.record.customs_district = "15".into();
        assert_eq!(
            codes_of(check_initial_filing(&p, &[], &today)),
            ["format.enterprise_code", "format.enterprise_code", "format.customs_code"]
        );

        // Either code alone is enough; a subordinate office of a known district is known.
        let mut p = filing(&[EnterpriseType::Ebc], vec![]);
        p.record.customs_code = None;
        p.record.customs_district = "1502".into();
        assert!(check_initial_filing(&p, &[], &today).is_ok());
        let mut p = filing(&[EnterpriseType::Ebc], vec![]);
        p.record.uscc = None;
        p.record.customs_district = "".into();
        assert_eq!(codes_of(check_initial_filing(&p, &[], &today)), ["filing.missing_field"]);

        // B2B export needs export trade.
        let mut p = filing(&[EnterpriseType::Ebc], vec![]);
        p.record.trade = Trade::Import;
        p.record.b2b_export = true;
        assert_eq!(codes_of(check_initial_filing(&p, &[], &today)), ["filing.type_required"]);
    }

    #[test]
    fn payment_enterprise_needs_an_internet_payment_or_bank_licence() {
        let today = at("2026-01-15");
        let pay = [EnterpriseType::Pay];
        let missing = check_initial_filing(&filing(&pay, vec![]), &[], &today).unwrap_err();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].code, Code::FilingLicenceMissing);
        assert_eq!(missing[0].path, "record/types");
        assert!(missing[0].message.contains("支付业务许可证") && missing[0].message.contains("金融许可证"));

        for scope in ["互联网支付、移动电话支付", "Internet Payment; prepaid cards", "INTERNET PAYMENT"] {
            let ok = filing(&pay, vec![licence(LicenceKind::Payment, scope, "2021-05-03", "2026-05-02")]);
            assert!(check_initial_filing(&ok, &[], &today).is_ok(), "{scope}");
        }
        let bank = filing(&pay, vec![licence(LicenceKind::Bank, "", "2001-01-01", "2099-12-31")]);
        assert!(check_initial_filing(&bank, &[], &today).is_ok());

        let scope = filing(&pay, vec![licence(LicenceKind::Payment, "预付卡发行与受理", "2021-05-03", "2026-05-02")]);
        let d = check_initial_filing(&scope, &[], &today).unwrap_err();
        assert_eq!((d[0].code, d[0].path.as_str()), (Code::FilingLicenceScope, "licences[1]/scope"));

        let expired = filing(&pay, vec![licence(LicenceKind::Payment, "互联网支付", "2016-05-03", "2026-01-14")]);
        let d = check_initial_filing(&expired, &[], &today).unwrap_err();
        assert_eq!((d[0].code, d[0].path.as_str()), (Code::FilingLicenceExpired, "licences[1]/valid_to"));
        assert!(d[0].message.contains("支付业务许可证") && d[0].message.contains("licence_update"), "{}", d[0].message);
        // The last day is still valid.
        let last_day = filing(&pay, vec![licence(LicenceKind::Payment, "互联网支付", "2016-05-03", "2026-01-15")]);
        assert!(check_initial_filing(&last_day, &[], &today).is_ok());
        let future = filing(&pay, vec![licence(LicenceKind::Payment, "互联网支付", "2026-02-01", "2031-01-31")]);
        assert_eq!(codes_of(check_initial_filing(&future, &[], &today)), ["filing.licence_expired"]);

        // An express licence does not help a payment enterprise.
        let wrong = filing(&pay, vec![licence(LicenceKind::Express, "", "2020-01-01", "2030-01-01")]);
        assert_eq!(codes_of(check_initial_filing(&wrong, &[], &today)), ["filing.licence_missing"]);
        // One good licence among bad ones is enough.
        let mixed = filing(
            &pay,
            vec![
                licence(LicenceKind::Payment, "互联网支付", "2010-01-01", "2015-01-01"),
                licence(LicenceKind::Bank, "", "2010-01-01", "2030-01-01"),
            ],
        );
        assert!(check_initial_filing(&mixed, &[], &today).is_ok());
    }

    #[test]
    fn logistics_enterprise_needs_an_express_licence() {
        let today = at("2026-01-15");
        let lg = [EnterpriseType::Logistics, EnterpriseType::Ebc];
        assert_eq!(codes_of(check_initial_filing(&filing(&lg, vec![]), &[], &today)), ["filing.licence_missing"]);
        let ok = filing(&lg, vec![licence(LicenceKind::Express, "国内快递", "2022-01-01", "2027-01-01")]);
        assert!(check_initial_filing(&ok, &[], &today).is_ok());
        let old = filing(&lg, vec![licence(LicenceKind::Express, "国内快递", "2017-01-01", "2022-01-01")]);
        let d = check_initial_filing(&old, &[], &today).unwrap_err();
        assert_eq!(d[0].code, Code::FilingLicenceExpired);
        assert!(d[0].message.contains("快递业务经营许可证"));
    }

    #[test]
    fn licence_format() {
        let today = at("2026-01-15");
        let mut l = licence(LicenceKind::Express, "", "2027-01-01", "2022-01-01");
        l.number = "".into();
        let p = filing(&[EnterpriseType::Ebc], vec![l, licence(LicenceKind::Bank, "", "2020-1-1", "2030-01-01")]);
        let d = check_initial_filing(&p, &[], &today).unwrap_err();
        let got: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.path.as_str())).collect();
        assert_eq!(
            got,
            [
                ("filing.missing_field", "licences[1]/number"),
                ("filing.licence_invalid", "licences[1]/valid_to"),
                ("filing.licence_invalid", "licences[2]/valid_from"),
            ]
        );
    }

    #[test]
    fn certificates_in_a_filing() {
        let now = at("2026-01-15");
        let parsed = |nb: i64, na: i64, bound: bool| CertificateInput::Parsed {
            serial: "03000000000cde6f".into(),
            subject: "CN=test".into(),
            not_before_ms: nb,
            not_after_ms: na,
            already_bound: bound,
        };
        let p = filing(&[EnterpriseType::Ebc], vec![]);
        let good = parsed(now.unix_ms - 1, now.unix_ms + 1, false);
        assert!(check_initial_filing(&p, std::slice::from_ref(&good), &now).is_ok());
        let certs = [
            CertificateInput::Unparsable { reason: "no PEM block".into() },
            parsed(now.unix_ms - 10, now.unix_ms - 1, false),
            parsed(now.unix_ms + 1, now.unix_ms + 10, false),
            parsed(now.unix_ms - 1, now.unix_ms + 1, true),
        ];
        let d = check_initial_filing(&p, &certs, &now).unwrap_err();
        let got: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.path.as_str())).collect();
        assert_eq!(
            got,
            [
                ("filing.certificate_unparsable", "certificates[1]"),
                ("filing.certificate_not_valid", "certificates[2]"),
                ("filing.certificate_not_valid", "certificates[3]"),
                ("filing.certificate_bound", "certificates[4]"),
            ]
        );
        assert!(check_certificate_binding(&good, &now).is_ok());
        assert_eq!(codes_of(check_certificate_binding(&certs[3], &now)), ["filing.certificate_bound"]);
    }

    #[test]
    fn info_change() {
        let today = at("2026-01-15");
        let f = filed(&[EnterpriseType::Ebc]);
        let mut new = record(&[EnterpriseType::Ebc, EnterpriseType::Ebp]);
        new.address = "长春市南关区".into();
        let r = check_info_change(&f, &InfoChange { record: new.clone() }, &today).unwrap();
        assert_eq!(r, Outcome::UpdateRecord { record: new.clone() });

        // Nothing changed.
        let same = InfoChange { record: record(&[EnterpriseType::Ebc]) };
        assert_eq!(codes_of(check_info_change(&f, &same, &today)), ["filing.no_change"]);

        // Identity codes stay; a code may be added.
        let mut changed = new.clone();
        changed.uscc = Some("91110000600037341L".into());
        changed.customs_code = None;
        assert_eq!(
            codes_of(check_info_change(&f, &InfoChange { record: changed }, &today)),
            ["filing.identity_changed", "filing.identity_changed"]
        );
        let mut only_uscc = filed(&[EnterpriseType::Ebc]);
        only_uscc.record.customs_code = None;
        assert!(check_info_change(&only_uscc, &InfoChange { record: new.clone() }, &today).is_ok());

        // Becoming a payment enterprise needs the licence on file.
        let mut pay = new.clone();
        pay.types.push(EnterpriseType::Pay);
        assert_eq!(
            codes_of(check_info_change(&f, &InfoChange { record: pay.clone() }, &today)),
            ["filing.licence_missing"]
        );
        let mut licensed = filed(&[EnterpriseType::Ebc]);
        licensed.licences.push(licence(LicenceKind::Payment, "互联网支付", "2021-01-01", "2026-12-31"));
        assert!(check_info_change(&licensed, &InfoChange { record: pay }, &today).is_ok());
    }

    #[test]
    fn licence_update() {
        let today = at("2026-01-15");
        let mut f = filed(&[EnterpriseType::Pay]);
        f.licences.push(licence(LicenceKind::Payment, "互联网支付", "2016-01-01", "2025-12-31"));
        // Renewing the expired licence (same number) is what fixes the enterprise.
        let renewed = licence(LicenceKind::Payment, "互联网支付", "2026-01-01", "2030-12-31");
        let ok = check_licence_update(&f, &LicenceUpdate { licences: vec![renewed.clone()] }, &today);
        assert_eq!(ok, Ok(Outcome::UpdateLicences { licences: vec![renewed] }));

        let none = check_licence_update(&f, &LicenceUpdate { licences: vec![] }, &today);
        assert_eq!(codes_of(none), ["filing.missing_field"]);
        let stale = licence(LicenceKind::Payment, "互联网支付", "2016-01-01", "2025-12-31");
        assert_eq!(
            codes_of(check_licence_update(&f, &LicenceUpdate { licences: vec![stale] }, &today)),
            ["filing.licence_expired"]
        );
        // Replacing the licence by one without internet payment leaves the enterprise uncovered.
        let narrow = licence(LicenceKind::Payment, "银行卡收单", "2026-01-01", "2030-12-31");
        assert_eq!(
            codes_of(check_licence_update(&f, &LicenceUpdate { licences: vec![narrow] }, &today)),
            ["filing.licence_scope"]
        );
    }

    #[test]
    fn overseas_warehouse() {
        let ebc = filed(&[EnterpriseType::Ebc]);
        let p = OverseasWarehouse { warehouse: warehouse() };
        assert_eq!(check_overseas_warehouse(&ebc, &p), Ok(Outcome::AddWarehouse { warehouse: warehouse() }));

        // Credit: general or better.
        for (credit, ok) in [
            (CreditRating::Advanced, true),
            (CreditRating::GeneralCertified, true),
            (CreditRating::General, true),
            (CreditRating::Dishonest, false),
        ] {
            let f = Filed { credit, ..ebc.clone() };
            assert_eq!(check_overseas_warehouse(&f, &p).is_ok(), ok, "{credit:?}");
        }
        let dishonest = Filed { credit: CreditRating::Dishonest, ..ebc.clone() };
        let d = check_overseas_warehouse(&dishonest, &p).unwrap_err();
        assert_eq!(d[0].code, Code::FilingCreditInsufficient);
        assert!(d[0].message.contains("一般信用及以上"));

        // Filed as an e-commerce enterprise for export.
        let mut platform = filed(&[EnterpriseType::Ebp]);
        platform.record.trade = Trade::Import;
        assert_eq!(codes_of(check_overseas_warehouse(&platform, &p)), ["filing.type_required", "filing.type_required"]);

        // Warehouse fields.
        let bad = |f: fn(&mut Warehouse)| {
            let mut w = warehouse();
            f(&mut w);
            codes_of(check_overseas_warehouse(&ebc, &OverseasWarehouse { warehouse: w }))
        };
        assert_eq!(bad(|w| w.country = "142".into()), ["code.not_allowed"]);
        assert_eq!(bad(|w| w.country = "100".into()), ["code.not_allowed"]);
        assert_eq!(bad(|w| w.country = "999".into()), ["code.unknown"]);
        assert_eq!(bad(|w| w.country = "DE".into()), ["code.unknown"]);
        assert_eq!(bad(|w| w.area_m2 = "0".into()), ["filing.warehouse_area"]);
        assert_eq!(bad(|w| w.area_m2 = "-3.5".into()), ["filing.warehouse_area"]);
        assert_eq!(bad(|w| w.area_m2 = "big".into()), ["format.number"]);
        assert_eq!(bad(|w| w.name = " ".into()), ["filing.missing_field"]);
        assert_eq!(bad(|w| w.address = "".into()), ["filing.missing_field"]);
        assert_eq!(bad(|w| w.document = None), ["filing.document_required"]);
        assert_eq!(bad(|w| w.document = Some(" ".into())), ["filing.document_required"]);
        assert_eq!(
            bad(|w| {
                w.nature = WarehouseNature::Owned;
                w.document = None;
            }),
            Vec::<&str>::new()
        );

        // The same warehouse twice.
        let again = Filed { warehouses: vec![warehouse()], ..ebc };
        assert_eq!(codes_of(check_overseas_warehouse(&again, &p)), ["filing.already_done"]);
    }

    #[test]
    fn b2b_export() {
        let f = filed(&[EnterpriseType::Ebc]);
        match check_b2b_export(&f, &B2bExport {}) {
            Ok(Outcome::UpdateRecord { record }) => assert!(record.b2b_export),
            other => panic!("{other:?}"),
        }
        let mut done = f.clone();
        done.record.b2b_export = true;
        assert_eq!(codes_of(check_b2b_export(&done, &B2bExport {})), ["filing.already_done"]);
        let mut import = f;
        import.record.trade = Trade::Import;
        assert_eq!(codes_of(check_b2b_export(&import, &B2bExport {})), ["filing.type_required"]);
    }

    #[test]
    fn payloads_parse_by_kind() {
        let v = serde_json::json!({"warehouse": {"name": "A", "country": "304", "address": "x", "area_m2": "1", "nature": "owned"}});
        assert!(matches!(Payload::parse(ApplicationKind::OverseasWarehouse, &v), Ok(Payload::OverseasWarehouse(_))));
        let d = Payload::parse(ApplicationKind::LicenceUpdate, &v).unwrap_err();
        assert_eq!((d[0].code, d[0].path.as_str()), (Code::JsonInvalid, "payload"));
        assert!(matches!(
            Payload::parse(ApplicationKind::B2bExport, &serde_json::Value::Null),
            Ok(Payload::B2bExport(_))
        ));
        let typo = serde_json::json!({"certificate": "x", "extra": 1});
        assert!(Payload::parse(ApplicationKind::CertificateBinding, &typo).is_err(), "unknown fields are refused");
        let filing = serde_json::json!({"record": {"uscc": "91350100M000100Y43", "name": "n", "types": ["ebc"], "trade": "export", "customs_district": "1500"}});
        let p = Payload::parse(ApplicationKind::InitialFiling, &filing).unwrap();
        assert_eq!(p.kind(), ApplicationKind::InitialFiling);
    }
}
