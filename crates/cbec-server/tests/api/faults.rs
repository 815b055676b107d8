//! When the database fails: `/readyz` answers 503, and API calls answer a
//! generic 500 that leaks nothing of the failure (which is logged).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::Method;
use cbec_server::{AppState, Config, app};
use cbec_store::audit::AuditEntry;
use cbec_store::*;

use crate::helpers::{Reply, TestApp};

/// A store that delegates to a real one until it is switched off.
struct Faulty {
    inner: Arc<dyn Store>,
    down: AtomicBool,
}

const SECRET: &str = "disk I/O error in /var/lib/cbec/secret-path.db";

macro_rules! delegate {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        if $self.down.load(Ordering::SeqCst) {
            Err(StoreError::Backend(SECRET.into()))
        } else {
            $self.inner.$method($($arg),*).await
        }
    };
}

#[async_trait::async_trait]
impl Store for Faulty {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    async fn ping(&self) -> Result<()> {
        delegate!(self.ping())
    }
    async fn create_officer(&self, new: NewOfficer, token: NewToken, actor: &Actor) -> Result<Officer> {
        delegate!(self.create_officer(new, token, actor))
    }
    async fn officer(&self, id: &Id) -> Result<Officer> {
        delegate!(self.officer(id))
    }
    async fn officer_by_name(&self, name: &str) -> Result<Option<Officer>> {
        delegate!(self.officer_by_name(name))
    }
    async fn list_officers(&self) -> Result<Vec<Officer>> {
        delegate!(self.list_officers())
    }
    async fn create_token(&self, token: NewToken, actor: &Actor) -> Result<ApiToken> {
        delegate!(self.create_token(token, actor))
    }
    async fn revoke_token(&self, token_id: &Id, actor: &Actor, at: Millis) -> Result<()> {
        delegate!(self.revoke_token(token_id, actor, at))
    }
    async fn token_by_hash(&self, hash: &[u8; 32]) -> Result<Option<ApiToken>> {
        delegate!(self.token_by_hash(hash))
    }
    async fn list_tokens(&self, owner: &Principal) -> Result<Vec<ApiToken>> {
        delegate!(self.list_tokens(owner))
    }
    async fn enterprise(&self, id: &Id) -> Result<Enterprise> {
        delegate!(self.enterprise(id))
    }
    async fn enterprise_by_code(&self, code: &str) -> Result<Option<Enterprise>> {
        delegate!(self.enterprise_by_code(code))
    }
    async fn list_enterprises(&self, page: Page) -> Result<Vec<Enterprise>> {
        delegate!(self.list_enterprises(page))
    }
    async fn enterprise_versions(&self, id: &Id) -> Result<Vec<EnterpriseVersion>> {
        delegate!(self.enterprise_versions(id))
    }
    async fn enterprise_as_of(&self, id: &Id, at: Millis) -> Result<Option<EnterpriseVersion>> {
        delegate!(self.enterprise_as_of(id, at))
    }
    async fn licences(&self, enterprise: &Id) -> Result<Vec<Licence>> {
        delegate!(self.licences(enterprise))
    }
    async fn certificates(&self, enterprise: &Id) -> Result<Vec<Certificate>> {
        delegate!(self.certificates(enterprise))
    }
    async fn certificate_by_fingerprint(&self, sha256: &[u8; 32]) -> Result<Option<Certificate>> {
        delegate!(self.certificate_by_fingerprint(sha256))
    }
    async fn credit_history(&self, enterprise: &Id) -> Result<Vec<CreditChange>> {
        delegate!(self.credit_history(enterprise))
    }
    async fn warehouses(&self, enterprise: &Id) -> Result<Vec<OverseasWarehouse>> {
        delegate!(self.warehouses(enterprise))
    }
    async fn set_credit_rating(&self, enterprise: &Id, change: NewCreditChange, actor: &Actor) -> Result<Enterprise> {
        delegate!(self.set_credit_rating(enterprise, change, actor))
    }
    async fn revoke_certificate(
        &self,
        certificate: &Id,
        reason: &str,
        actor: &Actor,
        at: Millis,
    ) -> Result<Certificate> {
        delegate!(self.revoke_certificate(certificate, reason, actor, at))
    }
    async fn submit_application(&self, new: NewApplication, actor: &Actor) -> Result<Application> {
        delegate!(self.submit_application(new, actor))
    }
    async fn application(&self, id: &Id) -> Result<Application> {
        delegate!(self.application(id))
    }
    async fn list_applications(&self, filter: ApplicationFilter) -> Result<Vec<Application>> {
        delegate!(self.list_applications(filter))
    }
    async fn withdraw_application(&self, id: &Id, actor: &Actor, at: Millis) -> Result<Application> {
        delegate!(self.withdraw_application(id, actor, at))
    }
    async fn reject_application(&self, id: &Id, reason: &str, actor: &Actor, at: Millis) -> Result<Application> {
        delegate!(self.reject_application(id, reason, actor, at))
    }
    async fn approve_application(&self, id: &Id, effect: Effect, actor: &Actor, at: Millis) -> Result<Application> {
        delegate!(self.approve_application(id, effect, actor, at))
    }
    async fn audit_entries(&self, after: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        delegate!(self.audit_entries(after, limit))
    }
    async fn process(&self, work: Work, decider: Box<dyn Decider>) -> Result<Processed> {
        delegate!(self.process(work, decider))
    }
    async fn message(&self, id: &Id) -> Result<StoredMessage> {
        delegate!(self.message(id))
    }
    async fn document(&self, id: &Id) -> Result<DocRow> {
        delegate!(self.document(id))
    }
    async fn documents(&self, filter: DocFilter) -> Result<Vec<DocRow>> {
        delegate!(self.documents(filter))
    }
    async fn document_moves(&self, id: &Id) -> Result<Vec<StoredMove>> {
        delegate!(self.document_moves(id))
    }
    async fn document_receipts(&self, id: &Id) -> Result<Vec<ReceiptRow>> {
        delegate!(self.document_receipts(id))
    }
    async fn due_documents(&self, now: Millis, limit: u32) -> Result<Vec<Id>> {
        delegate!(self.due_documents(now, limit))
    }
    async fn receipts_for(&self, codes: &[String], after: i64, limit: u32) -> Result<Vec<ReceiptRow>> {
        delegate!(self.receipts_for(codes, after, limit))
    }
    async fn receipt_cursor(&self, enterprise: &Id) -> Result<i64> {
        delegate!(self.receipt_cursor(enterprise))
    }
    async fn ack_receipts(&self, enterprise: &Id, seq: i64, actor: &Actor) -> Result<i64> {
        delegate!(self.ack_receipts(enterprise, seq, actor))
    }
    async fn quota_used(&self, key: &str) -> Result<i64> {
        delegate!(self.quota_used(key))
    }
    async fn webhook(&self, enterprise: &Id) -> Result<Option<Webhook>> {
        delegate!(self.webhook(enterprise))
    }
    async fn set_webhook(&self, enterprise: &Id, hook: Option<Webhook>, actor: &Actor) -> Result<()> {
        delegate!(self.set_webhook(enterprise, hook, actor))
    }
    async fn due_pushes(&self, now: Millis, limit: u32) -> Result<Vec<DuePush>> {
        delegate!(self.due_pushes(now, limit))
    }
    async fn record_push(&self, enterprise: &Id, seq: i64, result: PushResult) -> Result<()> {
        delegate!(self.record_push(enterprise, seq, result))
    }
    async fn repush(&self, enterprise: &Id, after: i64, actor: &Actor) -> Result<u64> {
        delegate!(self.repush(enterprise, after, actor))
    }
    async fn pushes(&self, enterprise: &Id, after: i64, limit: u32) -> Result<Vec<PushRow>> {
        delegate!(self.pushes(enterprise, after, limit))
    }
    async fn claim_mode(&self, mode: StoreMode, actor: &Actor) -> Result<StoreMode> {
        delegate!(self.claim_mode(mode, actor))
    }
    async fn import_refdata(&self, new: NewRefdata, actor: &Actor) -> Result<RefdataVersion> {
        delegate!(self.import_refdata(new, actor))
    }
    async fn refdata_versions(&self, kind: Option<&str>) -> Result<Vec<RefdataVersion>> {
        delegate!(self.refdata_versions(kind))
    }
    async fn refdata_active(&self, kind: &str, on: &str) -> Result<Option<RefdataVersion>> {
        delegate!(self.refdata_active(kind, on))
    }
    async fn refdata_content(&self, id: &Id) -> Result<String> {
        delegate!(self.refdata_content(id))
    }
    async fn put_rule_set(&self, version: &str, rules: i64, content: &str, actor: &Actor) -> Result<RuleSetRow> {
        delegate!(self.put_rule_set(version, rules, content, actor))
    }
    async fn rule_sets(&self) -> Result<Vec<RuleSetRow>> {
        delegate!(self.rule_sets())
    }
    async fn rule_set(&self, id: &Id) -> Result<(RuleSetRow, String)> {
        delegate!(self.rule_set(id))
    }
    async fn decide_rule_set(&self, id: &Id, approve: bool, note: &str, actor: &Actor) -> Result<RuleSetRow> {
        delegate!(self.decide_rule_set(id, approve, note, actor))
    }
    async fn active_rule_set(&self) -> Result<Option<(RuleSetRow, String)>> {
        delegate!(self.active_rule_set())
    }
    async fn put_monitoring(
        &self,
        row: MonitoringRow,
        expected_version: Option<i64>,
        action: &str,
        summary: serde_json::Value,
        actor: &Actor,
    ) -> Result<MonitoringRow> {
        delegate!(self.put_monitoring(row, expected_version, action, summary, actor))
    }
    async fn put_monitoring_with_rating(
        &self,
        row: MonitoringRow,
        expected_version: i64,
        action: &str,
        summary: serde_json::Value,
        rating: RatingChange,
        actor: &Actor,
    ) -> Result<(MonitoringRow, Enterprise)> {
        delegate!(self.put_monitoring_with_rating(row, expected_version, action, summary, rating, actor))
    }
    async fn monitoring_records(&self, filter: &MonitoringFilter) -> Result<Vec<MonitoringRow>> {
        delegate!(self.monitoring_records(filter))
    }
    async fn monitoring_record(&self, id: &Id) -> Result<MonitoringRow> {
        delegate!(self.monitoring_record(id))
    }

    async fn set_password(&self, principal: &Principal, phc_hash: &str, actor: &Actor) -> Result<()> {
        delegate!(self.set_password(principal, phc_hash, actor))
    }

    async fn password_hash(&self, principal: &Principal) -> Result<Option<String>> {
        delegate!(self.password_hash(principal))
    }

    async fn create_session(&self, new: NewSession) -> Result<SessionRow> {
        delegate!(self.create_session(new))
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        delegate!(self.session(token_hash))
    }

    async fn delete_session(&self, token_hash: &str, at: Millis) -> Result<()> {
        delegate!(self.delete_session(token_hash, at))
    }
    async fn delete_expired_sessions(&self, actor: &Actor) -> Result<u64> {
        delegate!(self.delete_expired_sessions(actor))
    }

    async fn recent_receipts_for(&self, codes: &[String], before: Option<i64>, limit: u32) -> Result<Vec<ReceiptRow>> {
        delegate!(self.recent_receipts_for(codes, before, limit))
    }

    async fn recent_documents_for(
        &self,
        codes: &[String],
        kind: Option<&str>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DocRow>> {
        delegate!(self.recent_documents_for(codes, kind, before, limit))
    }
    async fn traffic(&self, enterprise: Option<&Id>, from: Millis, to: Millis) -> Result<Vec<TrafficRow>> {
        delegate!(self.traffic(enterprise, from, to))
    }

    async fn count_documents(&self, status: &str, cap: u32) -> Result<u64> {
        delegate!(self.count_documents(status, cap))
    }

    async fn documents_in_status(&self, status: &str, before: Option<(Millis, Id)>, limit: u32) -> Result<Vec<DocRow>> {
        delegate!(self.documents_in_status(status, before, limit))
    }

    async fn documents_by_keys(&self, keys: &[String], limit: u32) -> Result<Vec<DocRow>> {
        delegate!(self.documents_by_keys(keys, limit))
    }

    async fn enterprises_named(&self, prefix: &str, limit: u32) -> Result<Vec<Enterprise>> {
        delegate!(self.enterprises_named(prefix, limit))
    }
}

#[tokio::test]
async fn a_failing_database_is_503_on_readyz_and_an_opaque_500_elsewhere() {
    let base = TestApp::spawn().await;
    let faulty = Arc::new(Faulty { inner: base.state.store.clone(), down: AtomicBool::new(false) });
    let state = AppState::new(faulty.clone(), base.state.clock.clone(), Config::default());
    let app = TestApp { router: app(state.clone()), state, ..base };

    app.call(Method::GET, "/readyz", None, None).await.expect(200);
    app.get("/api/v1/officers", &app.admin).await.expect(200);

    faulty.down.store(true, Ordering::SeqCst);
    let r = app.call(Method::GET, "/readyz", None, None).await.expect(503);
    assert_eq!(r.code(), "service.unavailable");
    app.call(Method::GET, "/healthz", None, None).await.expect(200);
    for reply in [app.get("/api/v1/officers", &app.admin).await, app.get("/api/v1/audit/verify", &app.admin).await] {
        let reply: Reply = reply.expect(500);
        assert_eq!(reply.code(), "internal");
        let text = reply.body.to_string();
        assert!(!text.contains("secret") && !text.contains("disk"), "internals leaked: {text}");
    }
}
