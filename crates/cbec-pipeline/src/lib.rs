//! The clearance pipeline: one signed message in, a receipt out, the
//! message and every consequence durable before the answer.
//!
//! [`Pipeline::submit`] runs the stages of intake:
//! 1. **Admission**: at most [`PipelineConfig::max_in_flight`] messages are
//!    in the pipeline at once; beyond that the caller is told
//!    [`PipelineError::Saturated`] at once (HTTP 429), so a burst queues at
//!    the senders instead of in memory.
//! 2. **Prepare** on one of [`PipelineConfig::prepare_workers`] threads (off
//!    the async reactor, one per core by default; messages wait their turn
//!    in one queue, `pool`): read the bytes, open a
//!    `DxpMsg` envelope, verify the signature, decode against the official
//!    XSD, run the message rules and extract the documents (`prepare`). A message that cannot be read or
//!    fails the XSD is answered with a CEB900.
//! 3. **Sender and parties** against the filing records: `copCode` must be
//!    the authenticated enterprise ([`PipelineError::CopCode`], HTTP 403);
//!    the signing certificate must be bound to it and unrevoked; every
//!    party code must be a filed enterprise of the right type with the
//!    licence its role needs (cached briefly, `parties`).
//! 4. **Decide and commit** through [`Store::process`]: the decision of
//!    `cbec-clearance` over the related stored documents, written with the
//!    raw message, the receipts and one audit entry in one transaction (on
//!    SQLite inside the writer's group commit).
//!
//! Officer actions ([`Pipeline::act`]) and passed deadlines
//! ([`Pipeline::expire_due`]) go through the same decide-and-commit stage.

mod decider;
pub mod monitoring;
mod parties;
mod pool;
mod prepare;
pub mod traffic;

use std::sync::Arc;
use std::time::Duration;

use cbec_clearance::decide::Action;
use cbec_clearance::{Config as ClearanceConfig, Facts, Kind, Refusal};
use cbec_dsig::{Policy, Verifier};
use cbec_receipts::MessageReturn;
use cbec_store::{
    Actor, Id, Millis, NewMessage, NewReceipt, Principal, Processed, ReceiptRow, Store, StoreError, Work, new_id,
};
use tokio::sync::Semaphore;

pub use decider::{receipt_keys, return_time};
pub use prepare::{FORMAT_SCHEMA, FORMAT_UNREADABLE, FORMAT_UNSUPPORTED};

use crate::decider::{
    ActDecider, DocCache, ExpireDecider, FormDecider, FormatDecider, MessageDecider, Seen, fresh_guid,
};
use crate::parties::Parties;
use crate::pool::PreparePool;
use crate::prepare::{Prepared, Signature};

/// How the pipeline runs.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub clearance: ClearanceConfig,
    pub limits: cbec_ceb::Limits,
    pub rules: cbec_rules::RuleConfig,
    /// Messages admitted at once (being prepared, checked or committed).
    pub max_in_flight: usize,
    /// Threads that verify and decode messages. One per core: more only add
    /// threads that take turns on the same cores (and the store's writer
    /// thread) and evict each other's caches.
    pub prepare_workers: usize,
    /// How long a party's filing record is reused before it is read again.
    pub party_cache_ttl: Duration,
    /// A sandbox for integrators: markers in a document's `note` force its
    /// outcome ([`cbec_clearance::sandbox`]). Never on real traffic.
    pub sandbox: bool,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            clearance: ClearanceConfig::default(),
            limits: cbec_ceb::Limits::default(),
            rules: cbec_rules::RuleConfig::default(),
            max_in_flight: 1024,
            prepare_workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            party_cache_ttl: Duration::from_secs(2),
            sandbox: false,
        }
    }
}

/// The authenticated enterprise that sends a message.
#[derive(Debug, Clone)]
pub struct Sender {
    pub id: Id,
    /// Its customs code and USCC (either may be the `copCode`).
    pub codes: Vec<String>,
}

/// The answer to a message.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The receipt XML (the message type's receipt, or a CEB900).
    pub xml: Vec<u8>,
    /// The same sender sent this guid before; this is the first answer.
    pub duplicate: bool,
    pub message_id: Id,
    /// The receipts issued (empty for a duplicate).
    pub receipts: Vec<ReceiptRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Too many messages in flight: try again shortly.
    #[error("the clearance pipeline is saturated; retry shortly")]
    Saturated,
    /// `BaseTransfer/copCode` is not the authenticated enterprise.
    #[error("BaseTransfer/copCode {found} is not the authenticated enterprise ({expected})")]
    CopCode { found: String, expected: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

/// The clearance pipeline over one store.
pub struct Pipeline {
    store: Arc<dyn Store>,
    verifier: Arc<Verifier>,
    config: Arc<PipelineConfig>,
    /// Replaced whole when reference data is (re)loaded.
    clearance: std::sync::RwLock<Arc<ClearanceConfig>>,
    /// The id of the imported version loaded of each reference kind
    /// (`None`: the builtin table), in the order of `cbec_refdata::Kind::ALL`.
    refdata_loaded: std::sync::Mutex<[Option<String>; 3]>,
    /// Held while the clearance settings are rebuilt (reference data, risk),
    /// so two reloads never overwrite each other's part.
    reloading: tokio::sync::Mutex<()>,
    /// The id of the active risk rule set loaded (`None`: none active).
    rules_loaded: std::sync::Mutex<Option<String>>,
    /// The warnings not lifted (in force, not yet valid or expired), and
    /// when the index of those valid must next be rebuilt.
    warnings: std::sync::Mutex<(Arc<Vec<cbec_risk::Warning>>, Option<i64>)>,
    /// Upheld violations by enterprise code (rectification orders).
    violations: std::sync::RwLock<Arc<std::collections::HashMap<String, u32>>>,
    admission: Arc<Semaphore>,
    /// The [`PipelineConfig::prepare_workers`] threads.
    prepare: PreparePool,
    parties: Parties,
    /// Documents parsed lately, shared by the decisions.
    docs: Arc<DocCache>,
}

impl Pipeline {
    pub fn new(store: Arc<dyn Store>, config: PipelineConfig) -> Pipeline {
        // Signatures are verified under the embedded certificate; who may
        // sign is decided by the certificate bindings of the filing records.
        let verifier = Arc::new(Verifier::new(Policy::embedded()));
        let parties = Parties::new(store.clone(), config.party_cache_ttl);
        Pipeline {
            store,
            verifier,
            clearance: std::sync::RwLock::new(Arc::new(config.clearance.clone())),
            refdata_loaded: std::sync::Mutex::new([None, None, None]),
            reloading: tokio::sync::Mutex::new(()),
            rules_loaded: std::sync::Mutex::new(None),
            violations: std::sync::RwLock::new(Arc::new(std::collections::HashMap::new())),
            warnings: std::sync::Mutex::new((Arc::new(Vec::new()), None)),
            admission: Arc::new(Semaphore::new(config.max_in_flight.max(1))),
            prepare: PreparePool::new(config.prepare_workers),
            config: Arc::new(config),
            parties,
            docs: Arc::default(),
        }
    }

    /// A decision's view of the store, reading through the shared cache of
    /// parsed documents.
    fn seen(&self) -> Seen {
        Seen::new(self.docs.clone())
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Messages in flight now (for metrics).
    pub fn in_flight(&self) -> usize {
        self.config.max_in_flight.max(1) - self.admission.available_permits()
    }

    /// Holds one admission slot until the permit is dropped (for a caller
    /// that must keep room, e.g. a batch importer; and for tests of
    /// saturation). `None` when the pipeline is full.
    pub fn reserve(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.admission.clone().try_acquire_owned().ok()
    }

    /// Takes one message from an authenticated enterprise.
    pub async fn submit(&self, sender: &Sender, body: Vec<u8>, now: Millis) -> Result<Answer, PipelineError> {
        let _permit = self.admission.clone().try_acquire_owned().map_err(|_| PipelineError::Saturated)?;
        let started = std::time::Instant::now();
        let verifier = self.verifier.clone();
        let config = self.config.clone();
        let (body, prepared) = self
            .prepare
            .run(move || {
                let p = prepare::prepare(&body, &verifier, &config, now.0);
                (body, p)
            })
            .await
            .ok_or_else(|| PipelineError::Internal("a prepare worker failed on this message".into()))?;
        let message_id = new_id();
        let actor = Actor { principal: Principal::Enterprise(sender.id.clone()), at: now };
        match prepared {
            Prepared::Format { status, info, message_type, cop_msg_id } => {
                let receipt =
                    self.format_receipt(sender, &body, status, &info, message_type.clone(), cop_msg_id, now)?;
                let work = Work {
                    actor,
                    message: Some(NewMessage::new(
                        message_id.clone(),
                        sender.id.clone(),
                        None,
                        message_type.unwrap_or_else(|| "Unknown".into()),
                        now,
                        body,
                    )),
                    entity: ("message", message_id.clone()),
                };
                let processed = self.store.process(work, Box::new(FormatDecider { receipt, started })).await?;
                Ok(answer(processed, message_id))
            }
            Prepared::Documents { message_type, guid, cop_code, mut incoming, signature, rule_refusals } => {
                if !sender.codes.iter().any(|c| c == &cop_code) {
                    return Err(PipelineError::CopCode { found: cop_code, expected: sender.codes.join(" / ") });
                }
                let mut refusals = rule_refusals;
                // The signature: verified, and the certificate bound to the sender.
                let sig_refusal = match &signature {
                    Signature::Absent => None,
                    Signature::Refused { spec_code, info } => Some((*spec_code, info.clone())),
                    Signature::Verified { fingerprint, subject, serial } => {
                        match self.parties.binding(fingerprint).await? {
                            Some((owner, revoked)) if owner == sender.id && revoked.is_none_or(|t| t > now) => None,
                            Some((owner, _)) if owner == sender.id => {
                                Some((1001, format!("the signing certificate {serial} ({subject}) was revoked")))
                            }
                            _ => Some((
                                1001,
                                format!(
                                    "the signing certificate {serial} ({subject}) is not bound to the sending enterprise \
                                 {cop_code}: bind it through a certificate application"
                                ),
                            )),
                        }
                    }
                };
                if let Some((spec_code, info)) = sig_refusal {
                    for (i, inc) in incoming.iter().enumerate() {
                        let code = signature_code(inc.facts.kind(), spec_code);
                        refusals[i] = Some(Refusal { code, info: info.clone() });
                    }
                }
                // Parties: filed, of the right type, with the licence the role needs.
                for (i, inc) in incoming.iter().enumerate() {
                    if refusals[i].is_none() {
                        refusals[i] = self.parties.check(&inc.facts, &cop_code, now).await?;
                    }
                }
                // Lists carry their parties' records to the risk engine.
                let violations = self.violations();
                for (inc, refusal) in incoming.iter_mut().zip(&refusals) {
                    if refusal.is_some() {
                        continue;
                    }
                    let parties = match &inc.facts {
                        Facts::List(_) | Facts::ExportList(_) => {
                            self.parties.risk_parties(&inc.facts, &violations, now).await?
                        }
                        _ => continue,
                    };
                    match &mut inc.facts {
                        Facts::List(l) => l.parties = parties,
                        Facts::ExportList(l) => l.parties = parties,
                        _ => {}
                    }
                }
                if self.config.sandbox {
                    sandbox_markers(&mut incoming, &mut refusals);
                }
                let ids: Vec<String> = incoming.iter().map(|_| new_id()).collect();
                let decider = MessageDecider {
                    incoming,
                    ids,
                    refusals,
                    cop_code,
                    message_id: message_id.clone(),
                    message_type: message_type.root_name().to_string(),
                    guid: guid.clone(),
                    config: self.clearance_at(now).await,
                    now: now.0,
                    seen: self.seen(),
                    started,
                };
                let work = Work {
                    actor,
                    message: Some(NewMessage::new(
                        message_id.clone(),
                        sender.id.clone(),
                        (!guid.is_empty()).then_some(guid),
                        message_type.root_name().to_string(),
                        now,
                        body,
                    )),
                    entity: ("message", message_id.clone()),
                };
                let processed = self.store.process(work, Box::new(decider)).await?;
                Ok(answer(processed, message_id))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn format_receipt(
        &self,
        sender: &Sender,
        body: &[u8],
        status: &str,
        info: &str,
        message_type: Option<String>,
        cop_msg_id: Option<String>,
        now: Millis,
    ) -> Result<NewReceipt, PipelineError> {
        let r = MessageReturn {
            guid: fresh_guid(),
            return_status: status.to_string(),
            return_info: info.to_string(),
            return_time: return_time(now.0),
            ori_cop_msg_id: cop_msg_id,
            ori_message_type: message_type.clone(),
            ori_biz_message: body.to_vec(),
        };
        let message = cbec_receipts::message_return_message(&r)
            .map_err(|e| PipelineError::Internal(format!("the CEB900 receipt cannot be written: {e}")))?;
        let xml = cbec_ceb::encode(&message);
        Ok(NewReceipt {
            id: new_id(),
            doc_id: None,
            message_type: "CEB900Message".into(),
            return_status: status.to_string(),
            return_info: info.chars().take(1000).collect(),
            business_key: message_type.unwrap_or_else(|| "Unknown".into()),
            xml,
            recipients: sender.codes.first().cloned().into_iter().collect(),
        })
    }

    /// An officer action on a document (see [`Action`]); the receipts it
    /// issued.
    pub async fn act(
        &self,
        doc: &Id,
        action: Action,
        reason: &str,
        actor: &Actor,
    ) -> Result<Vec<ReceiptRow>, PipelineError> {
        let decider = ActDecider {
            id: doc.clone(),
            action,
            reason: reason.to_string(),
            config: self.clearance_at(actor.at).await,
            now: actor.at.0,
            seen: self.seen(),
        };
        let work = Work { actor: actor.clone(), message: None, entity: ("document", doc.clone()) };
        match self.store.process(work, Box::new(decider)).await? {
            Processed::Done { receipts, .. } => Ok(receipts),
            Processed::Duplicate { .. } => Ok(Vec::new()),
        }
    }

    /// Records a B2B export declaration form (H2018) and links it to the
    /// order or booking its 10000004 attached document names
    /// ([`cbec_clearance::decide::link_form`]); the e-commerce enterprise
    /// must be filed, and for 9810 hold the overseas warehouse filing and a
    /// general credit rating. The id of the new document.
    pub async fn link_declaration_form(
        &self,
        form: cbec_clearance::facts::FormFacts,
        actor: &Actor,
    ) -> Result<Id, PipelineError> {
        let facts = cbec_clearance::Facts::DeclarationForm(form.clone());
        if let Some(r) = self.parties.check(&facts, &form.ebc_code, actor.at).await? {
            return Err(PipelineError::Store(cbec_store::StoreError::InvalidState(r.info)));
        }
        let id = new_id();
        let config = self.clearance_at(actor.at).await;
        let decider = FormDecider { id: id.clone(), form, config, now: actor.at.0, seen: self.seen() };
        let work = Work { actor: actor.clone(), message: None, entity: ("document", id.clone()) };
        self.store.process(work, Box::new(decider)).await?;
        Ok(id)
    }

    /// The clearance settings decisions use now.
    fn clearance(&self) -> Arc<ClearanceConfig> {
        self.clearance.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Loads the reference data in force on `today` (`YYYY-MM-DD`): for
    /// each kind (tariff, positive list, prohibited goods) the imported
    /// version in force, or the builtin table when none is. A table is read
    /// only when its version changed. Returns the versions later decisions
    /// use (and record).
    pub async fn load_reference_data(&self, today: &str) -> Result<cbec_clearance::goods::Basis, PipelineError> {
        use cbec_refdata::Kind as RefKind;
        let _one_at_a_time = self.reloading.lock().await;
        let loaded = self.refdata_loaded.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let mut now_loaded = loaded.clone();
        let mut config: Option<ClearanceConfig> = None;
        for (n, kind) in RefKind::ALL.into_iter().enumerate() {
            let active = self.store.refdata_active(kind.name(), today).await?;
            let id = active.as_ref().map(|v| v.id.to_string());
            if id == loaded[n] {
                continue;
            }
            let goods = &mut config.get_or_insert_with(|| (*self.clearance()).clone()).goods;
            match active {
                // Only a change of version reads the table (it may be megabytes).
                Some(v) => {
                    let csv = self.store.refdata_content(&v.id).await?;
                    let table = cbec_refdata::parse(kind, &csv).map_err(|e| {
                        PipelineError::Internal(format!("{} version {} does not read: {e}", kind.name(), v.version))
                    })?;
                    goods.install(format!("v{}", v.version), table);
                }
                None => goods.install_builtin(kind),
            }
            now_loaded[n] = id;
        }
        if let Some(config) = config {
            *self.clearance.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(config);
            *self.refdata_loaded.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = now_loaded;
        }
        Ok(self.clearance().goods.basis())
    }

    /// The clearance settings for a decision at `now`: when a warning has
    /// become valid or expired since the warnings were indexed, the index
    /// is rebuilt first (rarely: building it costs a few evaluations).
    async fn clearance_at(&self, now: Millis) -> Arc<ClearanceConfig> {
        let due = |next: Option<i64>| next.is_some_and(|t| now.0 >= t);
        if due(self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1) {
            let _one_at_a_time = self.reloading.lock().await;
            let (list, next) = self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
            if due(next) {
                let index = cbec_risk::Warnings::new(&list, now.0);
                let next = index.next_change();
                let mut config = (*self.clearance()).clone();
                config.risk.warnings = Arc::new(index);
                *self.clearance.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(config);
                *self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = (list, next);
            }
        }
        self.clearance()
    }

    /// Upheld violations by enterprise code, as last loaded.
    fn violations(&self) -> Arc<std::collections::HashMap<String, u32>> {
        self.violations.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Loads what risk control uses at `now`: the active rule set (read
    /// only when another one was activated), the risk warnings in force and
    /// the violations on enterprises' records. The service calls it at
    /// start, every minute and after each change to rules or monitoring
    /// records. Returns the rule set version and the number of warnings in
    /// force.
    pub async fn load_risk(&self, now: Millis) -> Result<(String, usize), PipelineError> {
        use cbec_clearance::risk::{Risk, no_rules};
        let _one_at_a_time = self.reloading.lock().await;
        let active = self.store.active_rule_set().await?;
        let id = active.as_ref().map(|(row, _)| row.id.to_string());
        let loaded = self.rules_loaded.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let engine = if id == loaded {
            None
        } else {
            Some(Arc::new(match &active {
                Some((row, text)) => {
                    let rules = cbec_risk::RuleSet::parse(text).map_err(|e| {
                        PipelineError::Internal(format!("active rule set {} does not read: {e}", row.version))
                    })?;
                    cbec_risk::Engine::new(rules)
                }
                None => no_rules(),
            }))
        };
        // Only warnings not lifted and orders verified are read: the store
        // filters by the records' state.
        let store = self.store.as_ref();
        let warnings: Vec<cbec_monitoring::WarningRecord> = monitoring::load_all(store, Some("active")).await?;
        let standing: Vec<cbec_risk::Warning> = warnings.into_iter().map(|w| w.warning).collect();
        let index = cbec_risk::Warnings::new(&standing, now.0);
        let next = index.next_change();
        let verified: Vec<cbec_monitoring::RectificationOrder> = monitoring::load_all(store, Some("verified")).await?;
        let mut by_enterprise: std::collections::HashMap<String, Vec<cbec_monitoring::RectificationOrder>> =
            std::collections::HashMap::new();
        for o in verified {
            by_enterprise.entry(o.enterprise.clone()).or_default().push(o);
        }
        let violations = by_enterprise
            .iter()
            .map(|(code, orders)| (code.clone(), cbec_monitoring::violations(orders, code)))
            .collect();
        *self.violations.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(violations);
        let mut config = (*self.clearance()).clone();
        let seed = config.risk.seed;
        let engine = engine.unwrap_or_else(|| config.risk.engine.clone());
        let count = index.len();
        config.risk = Risk { engine, warnings: Arc::new(index), seed };
        *self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = (Arc::new(standing), next);
        let version = config.risk.engine.version().to_string();
        *self.clearance.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(config);
        *self.rules_loaded.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = id;
        Ok((version, count))
    }

    /// Applies every passed deadline (at most `limit`); how many documents
    /// were looked at.
    pub async fn expire_due(&self, now: Millis, limit: u32) -> Result<usize, PipelineError> {
        let due = self.store.due_documents(now, limit).await?;
        for id in &due {
            let config = self.clearance_at(now).await;
            let decider = ExpireDecider { id: id.clone(), config, now: now.0, seen: self.seen() };
            let actor = Actor { principal: Principal::System("clearance-deadline".into()), at: now };
            let work = Work { actor, message: None, entity: ("document", id.clone()) };
            self.store.process(work, Box::new(decider)).await?;
        }
        Ok(due.len())
    }
}

fn answer(processed: Processed, message_id: Id) -> Answer {
    match processed {
        Processed::Done { response, receipts, .. } => {
            Answer { xml: response.unwrap_or_default(), duplicate: false, message_id, receipts }
        }
        Processed::Duplicate { message_id, response } => {
            Answer { xml: response, duplicate: true, message_id, receipts: Vec::new() }
        }
    }
}

/// The `returnStatus` of a document refused for its signature: the list
/// family's codes for lists, cancellations and returns (−621028 signed data
/// differs, −621029 verification failed), the DXP security codes (negated)
/// for the others (−1001 invalid, −1002 expired, −1004 data differs).
pub fn signature_code(kind: Kind, spec_code: u16) -> i32 {
    match kind {
        Kind::List | Kind::Cancel | Kind::Refund => {
            if spec_code == 1004 {
                -621028
            } else {
                -621029
            }
        }
        _ => -i32::from(spec_code),
    }
}

/// On a sandbox server: a document's marker forces its outcome. A rejection
/// is a refusal before the decision; other outcomes ride on a list's facts
/// to be applied once it is accepted. A document refused for real keeps its
/// real refusal.
fn sandbox_markers(incoming: &mut [cbec_clearance::Incoming], refusals: &mut [Option<Refusal>]) {
    use cbec_clearance::sandbox::{self, Forced};
    for (inc, refusal) in incoming.iter_mut().zip(refusals.iter_mut()) {
        if refusal.is_some() {
            continue;
        }
        let Some(parsed) = inc.note.as_deref().and_then(sandbox::parse) else { continue };
        let kind = inc.facts.kind();
        *refusal = match (parsed, &mut inc.facts) {
            (Ok(Forced::Reject(code)), _) => Some(Refusal {
                code,
                info: format!("[sandbox] rejection forced by the marker {}", Forced::Reject(code).marker()),
            }),
            (Ok(f), cbec_clearance::Facts::List(l)) => {
                l.sandbox = Some(f);
                None
            }
            (Ok(f), cbec_clearance::Facts::ExportList(l)) => {
                l.sandbox = Some(f);
                None
            }
            (Ok(f), _) => Some(Refusal {
                code: prepare::rule_code(kind),
                info: format!(
                    "[sandbox] the marker {} applies to lists (CEB621, CEB603); a {} can only be rejected (reject=CODE)",
                    f.marker(),
                    kind.label()
                ),
            }),
            (Err(why), _) => Some(Refusal { code: prepare::rule_code(kind), info: format!("[sandbox] {why}") }),
        };
    }
}
