//! The records the store keeps.

use cbec_model::filing::{
    ApplicationKind, ApplicationState, CreditRating, EnterpriseType, LicenceKind, Role, Trade, WarehouseNature,
};
use serde::{Deserialize, Serialize};

/// A record id: a time-ordered UUID (v7) in text form, so ids sort by
/// creation time and index well.
pub type Id = String;

/// A new time-ordered id.
pub fn new_id() -> Id {
    uuid::Uuid::now_v7().to_string()
}

/// UTC milliseconds since the Unix epoch. Time is always passed in by the
/// caller (the service reads the clock), never read by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Millis(pub i64);

impl Millis {
    /// RFC 3339 in UTC, e.g. `2026-11-27T09:30:00.000Z`.
    pub fn to_rfc3339(self) -> String {
        let nanos = i128::from(self.0) * 1_000_000;
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_default()
    }

    pub fn parse_rfc3339(s: &str) -> Option<Millis> {
        let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
        i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok().map(Millis)
    }
}

/// Who did something: an officer, an enterprise (by its token), or the
/// system (administrative commands, migrations).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Principal {
    Officer(Id),
    Enterprise(Id),
    System(String),
}

impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Principal::Officer(id) => write!(f, "officer:{id}"),
            Principal::Enterprise(id) => write!(f, "enterprise:{id}"),
            Principal::System(what) => write!(f, "system:{what}"),
        }
    }
}

/// The principal of a change and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub principal: Principal,
    pub at: Millis,
}

/// A window of a list: skip `offset` items, return at most `limit`
/// (`limit == 0` means no limit, so `Page::default()` is the whole list).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    pub offset: u32,
    pub limit: u32,
}

// ---- principals ------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOfficer {
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    pub id: Id,
    pub name: String,
    pub role: Role,
    pub created_at: Millis,
}

/// A token to create: the secret is shown once to its owner and only its
/// SHA-256 is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// Filled by the store for `create_officer` (the new officer).
    pub owner: Option<Principal>,
    pub hash: [u8; 32],
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: Id,
    pub owner: Principal,
    pub label: String,
    pub created_at: Millis,
    pub revoked_at: Option<Millis>,
}

// ---- enterprises -------------------------------------------------------------

/// The filed information of an enterprise: what an information change
/// changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseRecord {
    /// 10-character customs registration code.
    pub customs_code: Option<String>,
    /// 18-character unified social credit code.
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
    /// 4-digit customs district of filing.
    #[serde(default)]
    pub customs_district: String,
    #[serde(default)]
    pub dxp_id: Option<String>,
    pub types: Vec<EnterpriseType>,
    pub trade: Trade,
    /// Declared B2B direct export (9710) business.
    #[serde(default)]
    pub b2b_export: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enterprise {
    pub id: Id,
    /// Increases by one with every approved change.
    pub version: i64,
    pub record: EnterpriseRecord,
    pub credit: CreditRating,
    pub filed_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseVersion {
    pub enterprise_id: Id,
    pub version: i64,
    pub record: EnterpriseRecord,
    /// In force from this time (the approval).
    pub valid_from: Millis,
    /// The application that made this version, if any.
    pub application_id: Option<Id>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLicence {
    pub kind: LicenceKind,
    pub number: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub scope: String,
    /// YYYY-MM-DD.
    pub valid_from: String,
    /// YYYY-MM-DD (inclusive).
    pub valid_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub id: Id,
    pub enterprise_id: Id,
    #[serde(flatten)]
    pub licence: NewLicence,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCertificate {
    /// Serial number in hex: the `KeyName` of the enterprise's signatures.
    pub serial: String,
    pub subject: String,
    pub issuer: String,
    pub not_before: Millis,
    pub not_after: Millis,
    /// SHA-256 of the DER.
    pub fingerprint: [u8; 32],
    pub der: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub id: Id,
    pub enterprise_id: Id,
    #[serde(flatten)]
    pub cert: NewCertificate,
    pub bound_at: Millis,
    pub revoked_at: Option<Millis>,
    pub revoke_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCreditChange {
    pub rating: CreditRating,
    pub reason: String,
}

/// A credit rating change that applies only if the enterprise is still
/// rated `from` (e.g. an approved downgrade proposal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingChange {
    pub enterprise: Id,
    pub from: CreditRating,
    pub change: NewCreditChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditChange {
    pub rating: CreditRating,
    pub reason: String,
    pub changed_by: Principal,
    pub at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWarehouse {
    pub name: String,
    /// 3-digit country code.
    pub country: String,
    pub address: String,
    /// Area in m², as a decimal string.
    pub area_m2: String,
    pub nature: WarehouseNature,
    /// Lease or title document reference.
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub operator: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverseasWarehouse {
    pub id: Id,
    pub enterprise_id: Id,
    #[serde(flatten)]
    pub warehouse: NewWarehouse,
    pub approved_at: Millis,
    pub application_id: Option<Id>,
}

// ---- applications -----------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApplication {
    pub kind: ApplicationKind,
    /// The enterprise concerned; `None` for an initial filing.
    pub enterprise_id: Option<Id>,
    /// The kind's payload as submitted (JSON).
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: Id,
    pub kind: ApplicationKind,
    /// Set for every kind once approved (an initial filing creates it).
    pub enterprise_id: Option<Id>,
    pub payload: serde_json::Value,
    pub state: ApplicationState,
    pub submitted_by: Principal,
    pub submitted_at: Millis,
    pub decided_by: Option<Principal>,
    pub decided_at: Option<Millis>,
    /// The reason of a rejection or withdrawal.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationFilter {
    pub state: Option<ApplicationState>,
    pub kind: Option<ApplicationKind>,
    pub enterprise_id: Option<Id>,
    pub page: Page,
}

/// What approving an application does, applied atomically with the
/// approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Initial filing: a new enterprise with its first version.
    CreateEnterprise {
        record: EnterpriseRecord,
        credit: CreditRating,
        licences: Vec<NewLicence>,
        certificates: Vec<NewCertificate>,
    },
    /// A new version of the filed information.
    UpdateRecord {
        record: EnterpriseRecord,
    },
    BindCertificate {
        certificate: NewCertificate,
    },
    /// Adds or replaces (same kind and number) licences.
    UpdateLicences {
        licences: Vec<NewLicence>,
    },
    AddWarehouse {
        warehouse: NewWarehouse,
    },
}
