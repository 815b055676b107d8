//! Filed enterprises with real keys and signed import traffic, for the
//! pipeline benchmark, the end-to-end tests and the sandbox: every party
//! of a retail import (platform, e-commerce enterprise, payment,
//! logistics, declaring agent) filed through the store's approval path
//! with a freshly generated SM2 or RSA key and a certificate bound to it.

use cbec_ceb::{Message, RawXml};
use cbec_dsig::{CertificateParams, KeyAlgorithm, SignOptions, Signer, SigningKey, UtcTime};
use cbec_model::filing::{ApplicationKind, CreditRating, EnterpriseType, LicenceKind, Trade};
use cbec_store::{
    Actor, Effect, EnterpriseRecord, Id, Millis, NewApplication, NewCertificate, NewLicence, Principal, Store,
    StoreError,
};

/// One filed enterprise and its signing key.
pub struct Party {
    pub id: Id,
    /// Its USCC, the code its messages use.
    pub code: String,
    pub signer: Signer,
}

impl Party {
    /// Signs an encoded message (enveloped XML-DSig with this party's key).
    pub fn sign(&self, message: &Message) -> Result<Vec<u8>, cbec_dsig::Error> {
        let mut message = message.clone();
        clear_signature(&mut message);
        let text = cbec_ceb::encode(&message);
        Ok(self.signer.sign(&text, &cbec_ceb::Limits::default())?.into_bytes())
    }
}

/// Removes any signature element so the message can be signed.
pub fn clear_signature(m: &mut Message) {
    match m {
        Message::CEB311Message(x) => x.signature = None,
        Message::CEB411Message(x) => x.signature = None,
        Message::CEB511Message(x) => x.signature = None,
        Message::CEB621Message(x) => x.signature = RawXml::default(),
        Message::CEB623Message(x) => x.signature = RawXml::default(),
        Message::CEB625Message(x) => x.signature = RawXml::default(),
        _ => {}
    }
}

/// The five parties of a retail import.
pub struct World {
    pub ebp: Party,
    pub ebc: Party,
    pub pay: Party,
    pub logistics: Party,
    pub agent: Party,
}

impl World {
    /// Their codes, as the fixtures take them.
    pub fn codes(&self) -> cbec_fixtures::Parties {
        cbec_fixtures::Parties {
            ebp: self.ebp.code.clone(),
            ebc: self.ebc.code.clone(),
            logistics: self.logistics.code.clone(),
            pay: self.pay.code.clone(),
            agent: self.agent.code.clone(),
        }
    }

    /// Signs each document of a case with its sender's key: order (platform),
    /// payment, waybill (logistics), list (agent).
    pub fn sign_case(&self, case: &cbec_fixtures::ImportCase) -> Result<[Vec<u8>; 4], cbec_dsig::Error> {
        let [order, payment, waybill, list] = case.messages();
        Ok([self.ebp.sign(&order)?, self.pay.sign(&payment)?, self.logistics.sign(&waybill)?, self.agent.sign(&list)?])
    }
}

fn utc(ms: Millis) -> UtcTime {
    UtcTime::from_unix_seconds(ms.0.div_euclid(1000))
}

fn certificate(c: &cbec_dsig::Certificate) -> NewCertificate {
    let ms = |t: UtcTime| Millis(t.unix_seconds().saturating_mul(1000));
    NewCertificate {
        serial: c.serial_hex(),
        subject: c.subject().to_string(),
        issuer: c.issuer().to_string(),
        not_before: ms(c.not_before()),
        not_after: ms(c.not_after()),
        fingerprint: *c.fingerprint(),
        der: c.der().to_vec(),
    }
}

/// Files one enterprise (initial filing approved by `system:traffic`) with
/// a new key and bound certificate.
pub async fn file_party(
    store: &dyn Store,
    code: &str,
    name: &str,
    types: &[EnterpriseType],
    alg: KeyAlgorithm,
    serial: u64,
    now: Millis,
) -> Result<Party, StoreError> {
    let fail = |e: cbec_dsig::Error| StoreError::Backend(format!("key or certificate for {code}: {e}"));
    let key = SigningKey::generate(alg, &mut rand::rng()).map_err(fail)?;
    let start = utc(now);
    let params = CertificateParams {
        subject: format!("CN={name},O={code},C=CN"),
        serial: serial.to_be_bytes().to_vec(),
        not_before: start.checked_add_seconds(-86_400).unwrap_or(start),
        not_after: start.checked_add_seconds(2 * 365 * 86_400).unwrap_or(start),
        is_ca: false,
    };
    let cert = cbec_dsig::cert::issue(&params, &key, None).map_err(fail)?;
    let signer = Signer::new(key, cert.clone(), SignOptions::for_key(alg)).map_err(fail)?;
    let licences: Vec<NewLicence> = types
        .iter()
        .flat_map(|t| t.required_licences().first().copied())
        .map(|kind: LicenceKind| NewLicence {
            kind,
            number: format!("{}-{code}", kind.as_str()),
            issuer: "issuing authority".into(),
            scope: "internet payment; express delivery".into(),
            valid_from: "2020-01-01".into(),
            valid_to: "2099-12-31".into(),
        })
        .collect();
    let record = EnterpriseRecord {
        customs_code: None,
        uscc: Some(code.to_string()),
        name: name.to_string(),
        name_en: None,
        address: "上海市浦东新区世纪大道100号".into(),
        contact: "张经理".into(),
        telephone: "021-12345678".into(),
        customs_district: "2200".into(),
        dxp_id: Some("DXPENT0000000001".into()),
        types: types.to_vec(),
        trade: Trade::Both,
        b2b_export: false,
    };
    let actor = Actor { principal: Principal::System("traffic".into()), at: now };
    let app = store
        .submit_application(
            NewApplication {
                kind: ApplicationKind::InitialFiling,
                enterprise_id: None,
                payload: serde_json::json!({"uscc": code, "name": name}),
            },
            &actor,
        )
        .await?;
    let effect = Effect::CreateEnterprise {
        record,
        credit: CreditRating::General,
        licences,
        certificates: vec![certificate(&cert)],
    };
    let approved = store.approve_application(&app.id, effect, &actor, now).await?;
    let id = approved.enterprise_id.ok_or_else(|| StoreError::Backend("approval created no enterprise".into()))?;
    Ok(Party { id, code: code.to_string(), signer })
}

/// Files the five parties of `codes` (fixture USCCs) with keys of `alg`.
pub async fn file_world(
    store: &dyn Store,
    codes: &cbec_fixtures::Parties,
    alg: KeyAlgorithm,
    now: Millis,
) -> Result<World, StoreError> {
    use EnterpriseType as T;
    Ok(World {
        ebp: file_party(store, &codes.ebp, "示例跨境电商平台有限公司", &[T::Ebp], alg, 0x0100_0001, now).await?,
        ebc: file_party(store, &codes.ebc, "示例跨境电商企业有限公司", &[T::Ebc], alg, 0x0100_0002, now).await?,
        pay: file_party(store, &codes.pay, "示例支付有限公司", &[T::Pay], alg, 0x0100_0003, now).await?,
        logistics: file_party(store, &codes.logistics, "示例国际物流有限公司", &[T::Logistics], alg, 0x0100_0004, now)
            .await?,
        agent: file_party(store, &codes.agent, "示例报关有限公司", &[T::Agent], alg, 0x0100_0005, now).await?,
    })
}
