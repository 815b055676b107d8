//! Party checks against the filing records: each enterprise a document
//! names must be filed, under a type its role allows, with the licence the
//! type needs; and the sender must play a role that may send the document.
//! Filing records are cached for a short time (they change only through
//! approved applications).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use cbec_clearance::{Facts, Kind, Refusal};
use cbec_model::filing::EnterpriseType;
use cbec_store::{Millis, Store, StoreError};

/// −10101: the enterprise is filed, but not as what the document says.
pub const INVALID_TYPE: i32 = -10101;
/// −10102: no filed enterprise has this code.
pub const INVALID_CODE: i32 = -10102;

/// What the cache keeps of a filed enterprise.
#[derive(Debug, Clone)]
struct Filed {
    types: Vec<EnterpriseType>,
    credit: cbec_model::filing::CreditRating,
    /// Approved overseas warehouses (the 9810 business-model filing).
    warehouses: usize,
    /// Licence kinds with their validity (`YYYY-MM-DD` inclusive bounds).
    licences: Vec<(cbec_model::filing::LicenceKind, String, String)>,
    /// When it was filed.
    filed_at: Millis,
}

/// A certificate binding: the enterprise id, and when it was revoked.
type Binding = (String, Option<Millis>);

/// What was read when (`None`: not there).
type Cache<K, V> = Mutex<HashMap<K, (Instant, Option<V>)>>;

pub(crate) struct Parties {
    store: Arc<dyn Store>,
    ttl: Duration,
    cache: Cache<String, Filed>,
    /// Certificate bindings by SHA-256 of the DER.
    bindings: Cache<[u8; 32], Binding>,
}

/// The enterprise types a role may be filed as.
fn allowed(role: &str) -> &'static [EnterpriseType] {
    use EnterpriseType as T;
    match role {
        "ebp" => &[T::Ebp],
        "ebc" => &[T::Ebc, T::Agent],
        "pay" => &[T::Pay],
        "logistics" => &[T::Logistics],
        "agent" => &[T::Agent, T::Ebc, T::Logistics, T::Warehouse],
        "operator" => &[T::Operator],
        _ => &[],
    }
}

/// The roles whose enterprise may send a document of this kind.
fn senders(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Order | Kind::ExportOrder => &["ebp", "ebc"],
        Kind::Payment => &["pay"],
        // A receipt of payment comes from the payment enterprise, or from the
        // e-commerce enterprise when paid offline (no payCode).
        Kind::Collection => &["pay", "ebc"],
        Kind::Waybill | Kind::ExportWaybill => &["logistics"],
        Kind::List | Kind::ExportList | Kind::Cancel | Kind::ExportCancel | Kind::Refund => &["agent", "ebc"],
        Kind::Arrival => &["operator"],
        Kind::ExportRefund => &["ebc", "agent"],
        Kind::Departure => &["logistics"],
        Kind::Summary => &["agent"],
        Kind::ExportTally => &["operator"],
        Kind::BillLink => &["agent"],
        // Recorded by customs for the enterprise that declared the form.
        Kind::DeclarationForm => &["ebc"],
    }
}

fn role_name(role: &str) -> &'static str {
    match role {
        "ebp" => "e-commerce platform (ebpCode)",
        "ebc" => "e-commerce enterprise (ebcCode)",
        "pay" => "payment enterprise (payCode)",
        "logistics" => "logistics enterprise (logisticsCode)",
        "agent" => "declaring agent (agentCode)",
        "operator" => "supervised-site operator (operatorCode)",
        _ => "party",
    }
}

/// `YYYY-MM-DD` in China time.
fn china_day(now: Millis) -> String {
    let d = cbec_clearance::decide::china_date(now.0);
    format!("{}-{}-{}", &d[0..4], &d[4..6], &d[6..8])
}

impl Parties {
    pub(crate) fn new(store: Arc<dyn Store>, ttl: Duration) -> Parties {
        Parties { store, ttl, cache: Mutex::new(HashMap::new()), bindings: Mutex::new(HashMap::new()) }
    }

    /// The enterprise a certificate is bound to and when the binding was
    /// revoked, read again after the cache lifetime (like filing records:
    /// a revocation takes effect within it).
    pub(crate) async fn binding(&self, fingerprint: &[u8; 32]) -> Result<Option<Binding>, StoreError> {
        if let Some((at, b)) = self.bindings.lock().unwrap_or_else(PoisonError::into_inner).get(fingerprint)
            && at.elapsed() < self.ttl
        {
            return Ok(b.clone());
        }
        let found = self.store.certificate_by_fingerprint(fingerprint).await?.map(|c| (c.enterprise_id, c.revoked_at));
        let mut cache = self.bindings.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() > 100_000 {
            cache.clear();
        }
        cache.insert(*fingerprint, (Instant::now(), found.clone()));
        Ok(found)
    }

    async fn filed(&self, code: &str) -> Result<Option<Filed>, StoreError> {
        if let Some((at, f)) = self.cache.lock().unwrap_or_else(PoisonError::into_inner).get(code)
            && at.elapsed() < self.ttl
        {
            return Ok(f.clone());
        }
        let found = match self.store.enterprise_by_code(code).await? {
            Some(e) => {
                let licences = self.store.licences(&e.id).await?;
                // Only an e-commerce enterprise (or its agent) can export to an
                // overseas warehouse: other parties are spared the read.
                let ebc = e.record.types.iter().any(|t| matches!(t, EnterpriseType::Ebc | EnterpriseType::Agent));
                let warehouses = if ebc { self.store.warehouses(&e.id).await?.len() } else { 0 };
                Some(Filed {
                    types: e.record.types.clone(),
                    credit: e.credit,
                    warehouses,
                    filed_at: e.filed_at,
                    licences: licences
                        .into_iter()
                        .map(|l| (l.licence.kind, l.licence.valid_from, l.licence.valid_to))
                        .collect(),
                })
            }
            None => None,
        };
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() > 100_000 {
            cache.clear();
        }
        cache.insert(code.to_string(), (Instant::now(), found.clone()));
        Ok(found)
    }

    /// The enterprises behind a list as the risk engine sees them: filed
    /// types, credit rating, days since filing and violations on record
    /// (`violations` by enterprise code). Unfiled parties are left out (the
    /// list is refused for them anyway).
    pub(crate) async fn risk_parties(
        &self,
        facts: &Facts,
        violations: &HashMap<String, u32>,
        now: Millis,
    ) -> Result<Vec<cbec_risk::Party>, StoreError> {
        use cbec_risk::PartyRole;
        let mut out = Vec::new();
        for (role, code) in facts.parties() {
            let role = match role {
                "ebp" => PartyRole::Ebp,
                "ebc" => PartyRole::Ebc,
                "logistics" => PartyRole::Logistics,
                "pay" => PartyRole::Payment,
                "agent" => PartyRole::Agent,
                _ => continue,
            };
            let Some(filed) = self.filed(&code).await? else { continue };
            out.push(cbec_risk::Party {
                role,
                types: filed.types.iter().map(|t| t.as_str().to_string()).collect(),
                credit: Some(filed.credit),
                filed_days: Some((now.0 - filed.filed_at.0).div_euclid(86_400_000)),
                violations: violations.get(&code).copied().unwrap_or(0),
                code,
            });
        }
        Ok(out)
    }

    /// The refusal of a document whose parties do not check out, if any.
    pub(crate) async fn check(&self, facts: &Facts, sender: &str, now: Millis) -> Result<Option<Refusal>, StoreError> {
        let parties = facts.parties();
        let kind = facts.kind();
        let may_send = senders(kind);
        if !parties.iter().any(|(role, code)| code == sender && may_send.contains(role)) {
            let roles: Vec<&str> = may_send.iter().map(|r| role_name(r)).collect();
            return Ok(Some(Refusal {
                code: INVALID_TYPE,
                info: format!("the sender {sender} is not the {} named in this {}", roles.join(" or "), kind.label()),
            }));
        }
        let today = china_day(now);
        for (role, code) in parties {
            let Some(filed) = self.filed(&code).await? else {
                return Ok(Some(Refusal {
                    code: INVALID_CODE,
                    info: format!("{} {code} is not a filed enterprise: file it with customs first", role_name(role)),
                }));
            };
            let types = allowed(role);
            let Some(t) = filed.types.iter().find(|t| types.contains(t)) else {
                let want: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
                let have: Vec<&str> = filed.types.iter().map(|t| t.as_str()).collect();
                return Ok(Some(Refusal {
                    code: INVALID_TYPE,
                    info: format!(
                        "{} {code} is filed as {} but the role needs {}",
                        role_name(role),
                        have.join(", "),
                        want.join(" or ")
                    ),
                }));
            };
            let needed = t.required_licences();
            if !needed.is_empty()
                && !filed.licences.iter().any(|(k, from, to)| {
                    needed.contains(k) && from.as_str() <= today.as_str() && today.as_str() <= to.as_str()
                })
            {
                let want: Vec<&str> = needed.iter().map(|k| k.as_str()).collect();
                return Ok(Some(Refusal {
                    code: INVALID_TYPE,
                    info: format!("{} {code} has no valid {} licence on {today}", role_name(role), want.join(" or ")),
                }));
            }
        }
        self.overseas_warehouse(facts).await
    }

    /// Export to an overseas warehouse (9810 lists, W bookings): the
    /// e-commerce enterprise needs the business-model filing (an approved
    /// overseas warehouse) and a credit rating of general or better.
    async fn overseas_warehouse(&self, facts: &Facts) -> Result<Option<Refusal>, StoreError> {
        let ebc = match facts {
            Facts::ExportList(l) if l.trade_mode == "9810" => &l.ebc_code,
            Facts::ExportOrder(o) if o.order_type == "W" => &o.ebc_code,
            Facts::DeclarationForm(f) if f.trade_mode == "9810" => &f.ebc_code,
            _ => return Ok(None),
        };
        let Some(filed) = self.filed(ebc).await? else { return Ok(None) };
        if filed.warehouses == 0 {
            return Ok(Some(Refusal {
                code: 100,
                info: format!(
                    "9810 export to an overseas warehouse: e-commerce enterprise {ebc} has no approved overseas \
                     warehouse business-model filing (出口海外仓业务模式备案); apply with an overseas_warehouse application"
                ),
            }));
        }
        if !filed.credit.is_general_or_better() {
            return Ok(Some(Refusal {
                code: 100,
                info: format!(
                    "9810 export to an overseas warehouse: e-commerce enterprise {ebc} is rated {} ({}); general \
                     credit or better is required",
                    filed.credit.as_str(),
                    filed.credit.name_zh()
                ),
            }));
        }
        Ok(None)
    }
}
