//! Between the filing rules and the store: reads an application's payload,
//! gathers what the rules need (the enterprise as filed, its licences and
//! warehouses, the certificates already bound), runs the `check_*` of its
//! kind and turns the outcome into the store's [`Effect`].
//!
//! The rules crate is pure and knows neither the store nor X.509, so the
//! records are mirrored there; the conversions below map them field by
//! field, so a field added on either side fails to compile here rather than
//! being lost.

use cbec_dsig::Certificate as X509;
use cbec_model::diag::{Code, Diagnostic};
use cbec_model::filing::ApplicationKind;
use cbec_rules::filing::{self as rules, At, CertificateInput, Outcome, Payload};
use cbec_store::{Effect, Enterprise, Id, Millis, NewCertificate, Store};

use crate::error::ApiError;

// ---- conversions ------------------------------------------------------------------

pub(crate) fn record_to_store(r: rules::EnterpriseRecord) -> cbec_store::EnterpriseRecord {
    let rules::EnterpriseRecord {
        customs_code,
        uscc,
        name,
        name_en,
        address,
        contact,
        telephone,
        customs_district,
        dxp_id,
        types,
        trade,
        b2b_export,
    } = r;
    cbec_store::EnterpriseRecord {
        customs_code,
        uscc,
        name,
        name_en,
        address,
        contact,
        telephone,
        customs_district,
        dxp_id,
        types,
        trade,
        b2b_export,
    }
}

pub(crate) fn record_from_store(r: cbec_store::EnterpriseRecord) -> rules::EnterpriseRecord {
    let cbec_store::EnterpriseRecord {
        customs_code,
        uscc,
        name,
        name_en,
        address,
        contact,
        telephone,
        customs_district,
        dxp_id,
        types,
        trade,
        b2b_export,
    } = r;
    rules::EnterpriseRecord {
        customs_code,
        uscc,
        name,
        name_en,
        address,
        contact,
        telephone,
        customs_district,
        dxp_id,
        types,
        trade,
        b2b_export,
    }
}

fn licence_to_store(l: rules::Licence) -> cbec_store::NewLicence {
    let rules::Licence { kind, number, issuer, scope, valid_from, valid_to } = l;
    cbec_store::NewLicence { kind, number, issuer, scope, valid_from, valid_to }
}

fn licence_from_store(l: cbec_store::NewLicence) -> rules::Licence {
    let cbec_store::NewLicence { kind, number, issuer, scope, valid_from, valid_to } = l;
    rules::Licence { kind, number, issuer, scope, valid_from, valid_to }
}

fn warehouse_to_store(w: rules::Warehouse) -> cbec_store::NewWarehouse {
    let rules::Warehouse { name, country, address, area_m2, nature, document, operator } = w;
    cbec_store::NewWarehouse { name, country, address, area_m2, nature, document, operator }
}

fn warehouse_from_store(w: cbec_store::NewWarehouse) -> rules::Warehouse {
    let cbec_store::NewWarehouse { name, country, address, area_m2, nature, document, operator } = w;
    rules::Warehouse { name, country, address, area_m2, nature, document, operator }
}

// ---- certificates ---------------------------------------------------------------------

/// Seconds → milliseconds, saturating.
fn secs_to_millis(secs: i64) -> Millis {
    Millis(secs.saturating_mul(1000))
}

/// What the store keeps of a parsed certificate.
pub(crate) fn new_certificate(cert: &X509) -> NewCertificate {
    NewCertificate {
        serial: cert.serial_hex(),
        subject: cert.subject().to_owned(),
        issuer: cert.issuer().to_owned(),
        not_before: secs_to_millis(cert.not_before().unix_seconds()),
        not_after: secs_to_millis(cert.not_after().unix_seconds()),
        fingerprint: *cert.fingerprint(),
        der: cert.der().to_vec(),
    }
}

/// Parses the PEM certificates of a payload and asks the store which are
/// bound already. `Some` entries are the certificates to bind.
async fn read_certificates(
    store: &dyn Store,
    pems: &[String],
) -> Result<(Vec<CertificateInput>, Vec<Option<NewCertificate>>), ApiError> {
    let mut inputs = Vec::with_capacity(pems.len());
    let mut parsed: Vec<Option<NewCertificate>> = Vec::with_capacity(pems.len());
    for pem in pems {
        match X509::from_pem(pem) {
            Err(e) => {
                inputs.push(CertificateInput::Unparsable { reason: e.to_string() });
                parsed.push(None);
            }
            Ok(cert) => {
                let new = new_certificate(&cert);
                let earlier = parsed.iter().flatten().any(|c| c.fingerprint == new.fingerprint);
                let bound =
                    store.certificate_by_fingerprint(&new.fingerprint).await?.is_some_and(|c| c.revoked_at.is_none());
                inputs.push(CertificateInput::Parsed {
                    serial: new.serial.clone(),
                    subject: new.subject.clone(),
                    not_before_ms: new.not_before.0,
                    not_after_ms: new.not_after.0,
                    already_bound: earlier || bound,
                });
                parsed.push(Some(new));
            }
        }
    }
    Ok((inputs, parsed))
}

// ---- evaluation -----------------------------------------------------------------------

/// Reads a payload of `kind`, or `400 json.invalid` with its diagnostics.
pub(crate) fn parse_payload(kind: ApplicationKind, payload: &serde_json::Value) -> Result<Payload, ApiError> {
    Payload::parse(kind, payload).map_err(|diagnostics| ApiError::InvalidJson {
        message: format!("the payload does not have the shape of a {} application", kind.as_str()),
        diagnostics,
    })
}

/// An enterprise as the rules see it.
async fn filed(store: &dyn Store, enterprise: &Enterprise) -> Result<rules::Filed, ApiError> {
    let licences = store.licences(&enterprise.id).await?;
    let warehouses = store.warehouses(&enterprise.id).await?;
    Ok(rules::Filed {
        record: record_from_store(enterprise.record.clone()),
        credit: enterprise.credit,
        licences: licences.into_iter().map(|l| licence_from_store(l.licence)).collect(),
        warehouses: warehouses.into_iter().map(|w| warehouse_from_store(w.warehouse)).collect(),
    })
}

/// `filing.already_filed` for each identity code of `record` that another
/// enterprise (not `except`) already has.
async fn codes_in_use(
    store: &dyn Store,
    record: &rules::EnterpriseRecord,
    except: Option<&Id>,
) -> Result<Vec<Diagnostic>, ApiError> {
    let mut d = Vec::new();
    for (field, code) in [("customs_code", &record.customs_code), ("uscc", &record.uscc)] {
        let Some(code) = code else { continue };
        if let Some(other) = store.enterprise_by_code(code).await?
            && Some(&other.id) != except
        {
            d.push(
                Diagnostic::new(
                    Code::FilingAlreadyFiled,
                    format!("record/{field}"),
                    format!("{code} is already filed as enterprise {} ({})", other.id, other.record.name),
                )
                .with_value(code.as_str()),
            );
        }
    }
    Ok(d)
}

/// Merges store-side diagnostics into a rule result.
fn merge(result: Result<Outcome, Vec<Diagnostic>>, mut extra: Vec<Diagnostic>) -> Result<Outcome, ApiError> {
    match result {
        Ok(o) if extra.is_empty() => Ok(o),
        Ok(_) => Err(ApiError::Refused(extra)),
        Err(mut d) => {
            d.append(&mut extra);
            Err(ApiError::Refused(d))
        }
    }
}

/// Checks an application of `kind` for the enterprise `enterprise_id`
/// (`None` for an initial filing) against the current data at `now`, and
/// computes what approving it does. `422 filing.refused` with the
/// diagnostics if the rules refuse it.
pub(crate) async fn evaluate(
    store: &dyn Store,
    kind: ApplicationKind,
    enterprise_id: Option<&Id>,
    payload: &serde_json::Value,
    now: Millis,
) -> Result<Effect, ApiError> {
    let payload = parse_payload(kind, payload)?;
    let at =
        At::from_unix_ms(now.0).ok_or_else(|| ApiError::internal(format!("the clock is out of range: {}", now.0)))?;
    let enterprise = match (kind, enterprise_id) {
        (ApplicationKind::InitialFiling, _) => None,
        (_, Some(id)) => Some(store.enterprise(id).await?),
        (_, None) => return Err(ApiError::bad_request(format!("a {} application needs enterprise_id", kind.as_str()))),
    };
    let filed_of = |e: &Option<Enterprise>| e.clone().ok_or_else(|| ApiError::internal("no enterprise loaded"));
    match payload {
        Payload::InitialFiling(p) => {
            let (inputs, certs) = read_certificates(store, &p.certificates).await?;
            let extra = codes_in_use(store, &p.record, None).await?;
            match merge(rules::check_initial_filing(&p, &inputs, &at), extra)? {
                Outcome::CreateEnterprise { record, credit, licences } => Ok(Effect::CreateEnterprise {
                    record: record_to_store(record),
                    credit,
                    licences: licences.into_iter().map(licence_to_store).collect(),
                    certificates: certs.into_iter().flatten().collect(),
                }),
                other => Err(ApiError::internal(format!("initial filing gave {other:?}"))),
            }
        }
        Payload::InfoChange(p) => {
            let e = filed_of(&enterprise)?;
            let f = filed(store, &e).await?;
            let extra = codes_in_use(store, &p.record, Some(&e.id)).await?;
            match merge(rules::check_info_change(&f, &p, &at), extra)? {
                Outcome::UpdateRecord { record } => Ok(Effect::UpdateRecord { record: record_to_store(record) }),
                other => Err(ApiError::internal(format!("information change gave {other:?}"))),
            }
        }
        Payload::CertificateBinding(p) => {
            let (inputs, certs) = read_certificates(store, std::slice::from_ref(&p.certificate)).await?;
            let input = inputs.into_iter().next().ok_or_else(|| ApiError::internal("no certificate read"))?;
            rules::check_certificate_binding(&input, &at).map_err(ApiError::Refused)?;
            let certificate =
                certs.into_iter().flatten().next().ok_or_else(|| ApiError::internal("no certificate parsed"))?;
            Ok(Effect::BindCertificate { certificate })
        }
        Payload::LicenceUpdate(p) => {
            let f = filed(store, &filed_of(&enterprise)?).await?;
            match rules::check_licence_update(&f, &p, &at).map_err(ApiError::Refused)? {
                Outcome::UpdateLicences { licences } => {
                    Ok(Effect::UpdateLicences { licences: licences.into_iter().map(licence_to_store).collect() })
                }
                other => Err(ApiError::internal(format!("licence update gave {other:?}"))),
            }
        }
        Payload::OverseasWarehouse(p) => {
            let f = filed(store, &filed_of(&enterprise)?).await?;
            match rules::check_overseas_warehouse(&f, &p).map_err(ApiError::Refused)? {
                Outcome::AddWarehouse { warehouse } => {
                    Ok(Effect::AddWarehouse { warehouse: warehouse_to_store(warehouse) })
                }
                other => Err(ApiError::internal(format!("overseas warehouse gave {other:?}"))),
            }
        }
        Payload::B2bExport(p) => {
            let f = filed(store, &filed_of(&enterprise)?).await?;
            match rules::check_b2b_export(&f, &p).map_err(ApiError::Refused)? {
                Outcome::UpdateRecord { record } => Ok(Effect::UpdateRecord { record: record_to_store(record) }),
                other => Err(ApiError::internal(format!("B2B export gave {other:?}"))),
            }
        }
    }
}

/// Files and approves an application in one administrative step (the
/// `cbec admin` commands, for onboarding and migration): the application is
/// submitted and approved by the system actor `system:<who>`, checked by the
/// same rules as the API at both steps, and both steps are in the audit log.
pub async fn submit_and_approve(
    store: &dyn Store,
    kind: ApplicationKind,
    enterprise_id: Option<Id>,
    payload: serde_json::Value,
    who: &str,
    now: Millis,
) -> Result<cbec_store::Application, ApiError> {
    let actor = cbec_store::Actor { principal: cbec_store::Principal::System(who.to_owned()), at: now };
    evaluate(store, kind, enterprise_id.as_ref(), &payload, now).await?;
    let submitted =
        store.submit_application(cbec_store::NewApplication { kind, enterprise_id, payload }, &actor).await?;
    let effect = evaluate(store, kind, submitted.enterprise_id.as_ref(), &submitted.payload, now).await?;
    Ok(store.approve_application(&submitted.id, effect, &actor, now).await?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use cbec_model::filing::{EnterpriseType, LicenceKind, Trade, WarehouseNature};

    #[test]
    fn conversions_round_trip_and_match_the_json_shape() {
        let record = rules::EnterpriseRecord {
            customs_code: Some("2201960ABC".into()),
            uscc: None,
            name: "n".into(),
            name_en: Some("N".into()),
            address: "a".into(),
            contact: "c".into(),
            telephone: "t".into(),
            customs_district: "1500".into(),
            dxp_id: Some("DXPENT0000000001".into()),
            types: vec![EnterpriseType::Ebc],
            trade: Trade::Export,
            b2b_export: true,
        };
        let store = record_to_store(record.clone());
        assert_eq!(serde_json::to_value(&store).unwrap(), serde_json::to_value(&record).unwrap());
        assert_eq!(record_from_store(store), record);
        let l = rules::Licence {
            kind: LicenceKind::Express,
            number: "1".into(),
            issuer: "i".into(),
            scope: "s".into(),
            valid_from: "2020-01-01".into(),
            valid_to: "2030-01-01".into(),
        };
        assert_eq!(serde_json::to_value(licence_to_store(l.clone())).unwrap(), serde_json::to_value(&l).unwrap());
        assert_eq!(licence_from_store(licence_to_store(l.clone())), l);
        let w = rules::Warehouse {
            name: "w".into(),
            country: "304".into(),
            address: "a".into(),
            area_m2: "1".into(),
            nature: WarehouseNature::Owned,
            document: None,
            operator: Some("o".into()),
        };
        assert_eq!(serde_json::to_value(warehouse_to_store(w.clone())).unwrap(), serde_json::to_value(&w).unwrap());
        assert_eq!(warehouse_from_store(warehouse_to_store(w.clone())), w);
    }
}
