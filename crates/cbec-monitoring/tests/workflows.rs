//! The monitoring workflows through the public API: every state machine's
//! allowed and refused transitions, the derived states, the views and the
//! serde form of every record.

#![allow(clippy::unwrap_used)]

use cbec_model::filing::{CreditRating, Role};
use cbec_monitoring::*;
use cbec_risk::{Measure, Scope, Severity};
use serde::Serialize;
use serde::de::DeserializeOwned;

const T0: Millis = 1_700_000_000_000;
const ENT: &str = "3301960001";
const OTHER: &str = "1101910002";
const HS: &str = "0402210000";

fn risk(id: &str) -> Actor {
    Actor::officer(id, Role::RiskOfficer)
}
fn sup(id: &str) -> Actor {
    Actor::officer(id, Role::Supervisor)
}
fn reviewer() -> Actor {
    Actor::officer("rev1", Role::Reviewer)
}
fn ent(code: &str) -> Actor {
    Actor::enterprise(code)
}

fn code<T: std::fmt::Debug>(r: Result<T>) -> &'static str {
    r.unwrap_err().code()
}

fn fields<T: std::fmt::Debug>(r: Result<T>) -> Vec<String> {
    let e = r.unwrap_err();
    assert_eq!(e.code(), "monitoring.invalid_field", "{e}");
    e.problems().iter().map(|p| p.field.clone()).collect()
}

fn product() -> Product {
    Product {
        hs_code: HS.into(),
        name: "Infant formula milk powder stage 1".into(),
        brand: Some("Acme".into()),
        item_no: Some("ITEM-001".into()),
        enterprise: ENT.into(),
        batch: "LOT-2024-07".into(),
        origin_country: Some("554".into()),
    }
}

fn failing() -> Outcome {
    Outcome::Fail { findings: vec!["Enterobacter sakazakii detected".into()], hazard: Hazard::Microbial }
}

fn new_result(outcome: Outcome) -> NewResult {
    NewResult {
        plan_id: None,
        product: product(),
        lab: "Changchun technical centre".into(),
        sampled_at: T0 - 10 * DAY_MS,
        tested_at: T0 - DAY_MS,
        outcome,
    }
}

fn failed_result() -> TestResult {
    record_result("r1", new_result(failing()), None, &risk("o1"), T0).unwrap().record
}

fn warning() -> WarningRecord {
    warning_from_result("w1", &failed_result(), WarningTerms::for_severity(Severity::High), &risk("o1"), T0)
        .unwrap()
        .record
}

fn new_plan() -> NewPlan {
    NewPlan {
        scope: Scope { hs_prefix: Some("0402".into()), ..Scope::default() },
        sampling: Sampling::Count { count: 5, period: Period::Month },
        starts_at: T0 - 30 * DAY_MS,
        ends_at: Some(T0 + 300 * DAY_MS),
        reason: "infant formula: national monitoring programme".into(),
    }
}

fn reduction() -> ReductionOrder {
    let input = NewReductionOrder {
        enterprise: ENT.into(),
        action: ReductionAction::Recall,
        goods: "Acme infant formula, lot LOT-2024-07, 1,200 tins".into(),
        scope: None,
        warning_id: Some("w1".into()),
        result_id: Some("r1".into()),
        deadline: T0 + 10 * DAY_MS,
    };
    issue_reduction("d1", input, &risk("o1"), T0).unwrap().record
}

fn rectification(id: &str, enterprise: &str) -> RectificationOrder {
    let input = NewRectificationOrder {
        enterprise: enterprise.into(),
        violation: ViolationKind::IdentityMisuse,
        description: "lists declared under 40 buyers' identities bought by one person".into(),
        documents: vec!["INVT-1".into(), "INVT-2".into()],
        deadline: T0 + 30 * DAY_MS,
    };
    issue_rectification(id, input, &risk("o1"), T0).unwrap().record
}

fn verified(id: &str, enterprise: &str, upheld: bool) -> RectificationOrder {
    let o = rectification(id, enterprise);
    let cmd = RectificationCommand::Verify { upheld, note: "checked the order records".into() };
    o.apply(1, cmd, &risk("o2"), T0 + DAY_MS).unwrap().record
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, value, "{json}");
}

// ---- sampling plans ----

#[test]
fn plan_is_created_amended_and_closed_by_risk_officers() {
    let a = create_plan("p1", new_plan(), &risk("o1"), T0).unwrap();
    assert_eq!((a.record.version, a.record.created_by.as_str()), (1, "o1"));
    assert_eq!(a.event.kind, EventKind::PlanCreated);
    assert_eq!(a.record.status(T0), PlanStatus::Active);
    assert_eq!(a.record.status(T0 - 31 * DAY_MS), PlanStatus::Scheduled);
    assert_eq!(a.record.status(T0 + 300 * DAY_MS), PlanStatus::Ended);

    let amend = PlanCommand::Amend { sampling: Sampling::Rate { per_mille: 50 }, reason: "more".into() };
    let b = a.record.apply(1, amend, &risk("o2"), T0 + 1).unwrap();
    assert_eq!((b.record.version, b.record.sampling), (2, Sampling::Rate { per_mille: 50 }));
    assert_eq!((b.event.kind, b.event.version), (EventKind::PlanAmended, 2));

    let c = b.record.apply(2, PlanCommand::Close { reason: "programme done".into() }, &sup("s1"), T0 + 2).unwrap();
    assert_eq!(c.record.status(T0 + 2), PlanStatus::Closed);
    assert_eq!(c.event.kind, EventKind::PlanClosed);
    let again = c.record.apply(3, PlanCommand::Close { reason: "again".into() }, &risk("o1"), T0 + 3);
    assert_eq!(code(again), "monitoring.bad_state");
}

#[test]
fn plan_refusals() {
    assert_eq!(code(create_plan("p1", new_plan(), &reviewer(), T0)), "monitoring.not_allowed");
    assert_eq!(code(create_plan("p1", new_plan(), &ent(ENT), T0)), "monitoring.not_allowed");

    let mut bad = new_plan();
    bad.scope = Scope { hs_prefix: Some("4".into()), origin_country: Some("JP".into()), ..Scope::default() };
    bad.sampling = Sampling::Rate { per_mille: 0 };
    bad.reason = " ".into();
    let f = fields(create_plan("p1", bad, &risk("o1"), T0));
    assert_eq!(f, ["scope.hs_prefix", "scope.origin_country", "sampling.per_mille", "reason"]);

    let mut empty = new_plan();
    empty.scope = Scope::default();
    assert_eq!(fields(create_plan("p1", empty, &risk("o1"), T0)), ["scope"]);

    let plan = create_plan("p1", new_plan(), &risk("o1"), T0).unwrap().record;
    let close = || PlanCommand::Close { reason: "done".into() };
    assert_eq!(code(plan.apply(2, close(), &risk("o1"), T0)), "monitoring.stale_version");
    assert_eq!(code(plan.apply(1, close(), &reviewer(), T0)), "monitoring.not_allowed");
    assert_eq!(code(plan.apply(1, close(), &risk("o1"), T0 + 300 * DAY_MS)), "monitoring.bad_state");
}

// ---- test results ----

#[test]
fn results_are_recorded_under_a_plan_only_within_its_scope_and_time() {
    let plan = create_plan("p1", new_plan(), &risk("o1"), T0 - 40 * DAY_MS).unwrap().record;
    let mut input = new_result(Outcome::Pass);
    input.plan_id = Some("p1".into());
    let a = record_result("r1", input.clone(), Some(&plan), &risk("o1"), T0).unwrap();
    assert!(!a.record.failed());
    assert_eq!((a.event.kind, a.record.version), (EventKind::ResultRecorded, 1));

    let other = create_plan("p2", new_plan(), &risk("o1"), T0 - 40 * DAY_MS).unwrap().record;
    assert_eq!(code(record_result("r1", input.clone(), Some(&other), &risk("o1"), T0)), "monitoring.wrong_link");
    assert_eq!(code(record_result("r1", input.clone(), None, &risk("o1"), T0)), "monitoring.wrong_link");

    let mut outside = input.clone();
    outside.product.hs_code = "2106909090".into();
    assert_eq!(fields(record_result("r1", outside, Some(&plan), &risk("o1"), T0)), ["product"]);

    let mut early = input;
    early.sampled_at = T0 - 60 * DAY_MS;
    assert_eq!(fields(record_result("r1", early, Some(&plan), &risk("o1"), T0)), ["sampled_at"]);
}

#[test]
fn result_field_checks() {
    let mut bad = new_result(Outcome::Fail { findings: vec![], hazard: Hazard::Other(String::new()) });
    bad.product.hs_code = "04022".into();
    bad.product.enterprise = "ACME".into();
    bad.product.batch = String::new();
    bad.tested_at = T0 + 1;
    let f = fields(record_result("r1", bad, None, &risk("o1"), T0));
    assert_eq!(
        f,
        ["product.hs_code", "product.enterprise", "product.batch", "tested_at", "outcome.findings", "outcome.hazard"]
    );
    assert_eq!(code(record_result("r1", new_result(Outcome::Pass), None, &ent(ENT), T0)), "monitoring.not_allowed");
}

#[test]
fn withdrawn_result_no_longer_raises_warnings() {
    let r = failed_result();
    let w = r.apply(1, ResultCommand::Withdraw { reason: "sample mixed up".into() }, &risk("o2"), T0).unwrap();
    assert_eq!((w.record.version, w.event.kind), (2, EventKind::ResultWithdrawn));
    let again = w.record.apply(2, ResultCommand::Withdraw { reason: "x".into() }, &risk("o2"), T0);
    assert_eq!(code(again), "monitoring.bad_state");
    let terms = WarningTerms::for_severity(Severity::High);
    assert_eq!(code(warning_from_result("w1", &w.record, terms, &risk("o1"), T0)), "monitoring.bad_state");
}

// ---- warnings ----

#[test]
fn failed_result_raises_a_warning_with_the_derived_scope() {
    let r = failed_result();
    let a = warning_from_result("w1", &r, WarningTerms::for_severity(Severity::Critical), &risk("o1"), T0).unwrap();
    let w = &a.record.warning;
    assert_eq!(w.id, "w1");
    assert_eq!(
        w.scope,
        Scope {
            hs_prefix: Some(HS.into()),
            product: None,
            brand: Some("Acme".into()),
            enterprise: Some(ENT.into()),
            origin_country: Some("554".into()),
        }
    );
    assert_eq!((w.severity, w.measure), (Severity::Critical, Measure::RefuseEntry));
    assert_eq!((w.valid_from, w.valid_until), (T0, T0 + 90 * DAY_MS));
    assert_eq!(a.record.source, WarningSource::TestResult { result_id: "r1".into(), hazard: Hazard::Microbial });
    assert_eq!((a.event.kind, a.event.record, a.event.at), (EventKind::WarningCreated, RecordKind::Warning, T0));
    assert!(a.event.summary.contains("critical severity, measure refuse_entry"), "{}", a.event.summary);

    // A passing result raises none.
    let pass = record_result("r2", new_result(Outcome::Pass), None, &risk("o1"), T0).unwrap().record;
    let terms = WarningTerms::for_severity(Severity::High);
    assert_eq!(code(warning_from_result("w2", &pass, terms, &risk("o1"), T0)), "monitoring.bad_state");
    // Only writers raise warnings.
    let terms = WarningTerms::for_severity(Severity::High);
    assert_eq!(code(warning_from_result("w2", &r, terms, &reviewer(), T0)), "monitoring.not_allowed");
}

#[test]
fn default_measures_by_severity_and_officer_chosen_terms() {
    assert_eq!(default_measure(Severity::Critical), Measure::RefuseEntry);
    assert_eq!(default_measure(Severity::High), Measure::FullInspection);
    assert_eq!(default_measure(Severity::Medium), Measure::HoldForInspection);
    assert_eq!(default_measure(Severity::Low), Measure::HoldForInspection);

    let r = failed_result();
    let terms = WarningTerms {
        severity: Severity::Low,
        measure: Measure::FullInspection,
        valid_for_ms: 7 * DAY_MS,
        scope: Some(Scope { brand: Some("Acme".into()), ..Scope::default() }),
    };
    let w = warning_from_result("w1", &r, terms, &risk("o1"), T0).unwrap().record.warning;
    assert_eq!((w.measure, w.valid_until, w.scope.hs_prefix), (Measure::FullInspection, T0 + 7 * DAY_MS, None));

    let bad =
        WarningTerms { valid_for_ms: 0, scope: Some(Scope::default()), ..WarningTerms::for_severity(Severity::Low) };
    assert_eq!(fields(warning_from_result("w1", &r, bad, &risk("o1"), T0)), ["valid_for_ms", "scope", "valid_until"]);
}

#[test]
fn warning_from_finding_checks_scope_and_validity() {
    let finding = Finding {
        scope: Scope { hs_prefix: Some("3304".into()), origin_country: Some("410".into()), ..Scope::default() },
        severity: Severity::Medium,
        measure: Measure::HoldForInspection,
        valid_until: T0 + 30 * DAY_MS,
        finding: "notified: mercury in whitening creams".into(),
    };
    let a = warning_from_finding("w9", finding.clone(), &risk("o1"), T0).unwrap();
    assert!(matches!(a.record.source, WarningSource::Finding { .. }));
    assert!(a.record.in_force(T0).is_some());

    let mut bad = finding;
    bad.scope.hs_prefix = Some("33041000001".into());
    bad.scope.origin_country = Some("41".into());
    bad.scope.enterprise = Some("nope".into());
    bad.valid_until = T0;
    bad.finding = String::new();
    let f = fields(warning_from_finding("w9", bad, &risk("o1"), T0));
    assert_eq!(f, ["finding", "scope.hs_prefix", "scope.enterprise", "scope.origin_country", "valid_until"]);
}

#[test]
fn lifted_warning_is_no_longer_active() {
    let w = warning();
    assert_eq!(active_warnings(std::slice::from_ref(&w), T0).len(), 1);

    assert_eq!(fields(w.apply(1, WarningCommand::Lift { reason: "  ".into() }, &risk("o2"), T0 + 1)), ["reason"]);
    let lift = || WarningCommand::Lift { reason: "re-test of the lot passed".into() };
    assert_eq!(code(w.apply(1, lift(), &reviewer(), T0 + 1)), "monitoring.not_allowed");
    assert_eq!(code(w.apply(1, lift(), &ent(ENT), T0 + 1)), "monitoring.not_allowed");
    assert_eq!(code(w.apply(0, lift(), &risk("o2"), T0 + 1)), "monitoring.stale_version");

    let lifted = w.apply(1, lift(), &risk("o2"), T0 + 1).unwrap();
    assert_eq!((lifted.record.version, lifted.event.kind), (2, EventKind::WarningLifted));
    assert_eq!(lifted.record.status(T0 + 1), WarningStatus::Lifted);
    assert!(
        matches!(&lifted.record.state, WarningState::Lifted { by, reason, .. } if by == "o2" && reason.starts_with("re-test"))
    );
    assert!(active_warnings(std::slice::from_ref(&lifted.record), T0 + 1).is_empty());
    assert!(lifted.record.in_force(T0 + 1).is_none());

    assert_eq!(code(lifted.record.apply(2, lift(), &risk("o2"), T0 + 2)), "monitoring.bad_state");
    let extend = WarningCommand::Extend { until: T0 + 200 * DAY_MS };
    assert_eq!(code(lifted.record.apply(2, extend, &risk("o2"), T0 + 2)), "monitoring.bad_state");
}

#[test]
fn warning_expires_and_can_be_extended_before() {
    let w = warning();
    let end = T0 + 90 * DAY_MS;
    assert!(w.in_force(end - 1).is_some());
    assert!(w.in_force(end).is_none());
    assert_eq!(w.status(end), WarningStatus::Expired);
    assert!(active_warnings(std::slice::from_ref(&w), end).is_empty());

    let lift = WarningCommand::Lift { reason: "too late".into() };
    assert_eq!(code(w.apply(1, lift, &risk("o2"), end)), "monitoring.bad_state");
    assert_eq!(fields(w.apply(1, WarningCommand::Extend { until: end }, &risk("o2"), T0)), ["until"]);

    let ext = w.apply(1, WarningCommand::Extend { until: end + 30 * DAY_MS }, &risk("o2"), T0).unwrap();
    assert_eq!((ext.record.warning.valid_until, ext.event.kind), (end + 30 * DAY_MS, EventKind::WarningExtended));
    assert!(ext.record.in_force(end).is_some());
    assert_eq!(active_warnings(&[w, ext.record], end).len(), 1);
}

// ---- reduction orders ----

#[test]
fn reduction_order_respond_reject_respond_close() {
    let o = reduction();
    assert_eq!((o.status(T0), o.version), (OrderStatus::Issued, 1));
    let respond =
        |text: &str| ReductionCommand::Respond { text: text.into(), evidence: vec!["recall-notice.pdf".into()] };

    assert_eq!(code(o.apply(1, respond("done"), &ent(OTHER), T0 + 1)), "monitoring.not_allowed");
    assert_eq!(code(o.apply(1, respond("done"), &risk("o1"), T0 + 1)), "monitoring.not_allowed");
    assert_eq!(
        code(o.apply(1, ReductionCommand::Close { note: String::new() }, &risk("o1"), T0)),
        "monitoring.bad_state"
    );

    let a = o.apply(1, respond("recalled 1,150 tins"), &ent(ENT), T0 + DAY_MS).unwrap();
    assert_eq!((a.record.status(T0 + DAY_MS), a.event.kind), (OrderStatus::Responded, EventKind::ReductionResponded));
    assert_eq!(a.event.details["late"], false);
    assert_eq!(code(a.record.apply(2, respond("again"), &ent(ENT), T0 + DAY_MS)), "monitoring.bad_state");
    let close = || ReductionCommand::Close { note: "ok".into() };
    assert_eq!(code(a.record.apply(2, close(), &ent(ENT), T0 + DAY_MS)), "monitoring.not_allowed");
    assert_eq!(code(a.record.apply(1, close(), &risk("o1"), T0 + DAY_MS)), "monitoring.stale_version");

    let reject = ReductionCommand::Reject { reason: "50 tins unaccounted for".into(), deadline: T0 + DAY_MS };
    assert_eq!(fields(a.record.apply(2, reject, &risk("o1"), T0 + DAY_MS)), ["deadline"]);
    let reject = ReductionCommand::Reject { reason: "50 tins unaccounted for".into(), deadline: T0 + 20 * DAY_MS };
    let b = a.record.apply(2, reject, &risk("o1"), T0 + 2 * DAY_MS).unwrap();
    assert_eq!((b.record.status(T0 + 15 * DAY_MS), b.record.deadline), (OrderStatus::Issued, T0 + 20 * DAY_MS));
    assert_eq!(b.record.rejections.len(), 1);
    assert_eq!(b.record.rejections[0].response.text, "recalled 1,150 tins");

    let c = b.record.apply(3, respond("all 1,200 recalled"), &ent(ENT), T0 + 3 * DAY_MS).unwrap();
    let d = c.record.apply(4, close(), &risk("o2"), T0 + 4 * DAY_MS).unwrap();
    assert_eq!((d.record.status(T0 + 99 * DAY_MS), d.record.version), (OrderStatus::Closed, 5));
    assert_eq!(d.event.kind, EventKind::ReductionClosed);
    assert_eq!(d.record.last_response().unwrap().text, "all 1,200 recalled");
    assert_eq!(code(d.record.apply(5, close(), &risk("o2"), T0 + 4 * DAY_MS)), "monitoring.bad_state");
    let withdraw = ReductionCommand::Withdraw { reason: "x".into() };
    assert_eq!(code(d.record.apply(5, withdraw, &risk("o2"), T0 + 4 * DAY_MS)), "monitoring.bad_state");
}

#[test]
fn reduction_order_overdue_and_late_response() {
    let o = reduction();
    let deadline = T0 + 10 * DAY_MS;
    assert_eq!(o.status(deadline), OrderStatus::Issued);
    assert_eq!(o.status(deadline + 1), OrderStatus::Overdue);
    assert!(due(std::slice::from_ref(&o), &[], deadline).is_empty());
    let d = due(std::slice::from_ref(&o), &[], deadline + 5);
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].kind, d[0].id.as_str(), d[0].overdue_ms), (OrderKind::Reduction, "d1", 5));

    let late = o
        .apply(1, ReductionCommand::Respond { text: "destroyed".into(), evidence: vec![] }, &ent(ENT), deadline + 5)
        .unwrap();
    assert_eq!(late.event.details["late"], true);
    assert!(late.event.summary.contains("(late)"));
    assert!(due(&[late.record], &[], deadline + 6).is_empty(), "a responded order waits for the officer");
}

#[test]
fn reduction_order_issue_checks_and_withdrawal() {
    let input = NewReductionOrder {
        enterprise: "x".into(),
        action: ReductionAction::StopSale,
        goods: String::new(),
        scope: Some(Scope::default()),
        warning_id: None,
        result_id: None,
        deadline: T0,
    };
    assert_eq!(
        fields(issue_reduction("d1", input.clone(), &risk("o1"), T0)),
        ["enterprise", "goods", "scope", "deadline"]
    );
    assert_eq!(code(issue_reduction("d1", input, &ent(ENT), T0)), "monitoring.not_allowed");

    let o = reduction();
    let w = o.apply(1, ReductionCommand::Withdraw { reason: "warning lifted".into() }, &risk("o1"), T0).unwrap();
    assert_eq!(
        (w.record.status(T0 + 99 * DAY_MS), w.event.kind),
        (OrderStatus::Withdrawn, EventKind::ReductionWithdrawn)
    );
    let respond = ReductionCommand::Respond { text: "x".into(), evidence: vec![] };
    assert_eq!(code(w.record.apply(2, respond, &ent(ENT), T0)), "monitoring.bad_state");
}

// ---- rectification orders ----

#[test]
fn rectification_follow_up_respond_reopen_verify() {
    let o = rectification("k1", ENT);
    let f =
        o.apply(1, RectificationCommand::FollowUp { note: "visited the warehouse".into() }, &risk("o2"), T0).unwrap();
    assert_eq!((f.record.follow_ups.len(), f.event.kind), (1, EventKind::RectificationFollowedUp));
    let fu = RectificationCommand::FollowUp { note: "x".into() };
    assert_eq!(code(f.record.apply(2, fu, &ent(ENT), T0)), "monitoring.not_allowed");

    let respond = |t: &str| RectificationCommand::Respond { text: t.into(), evidence: vec![] };
    assert_eq!(code(f.record.apply(2, respond("x"), &ent(OTHER), T0)), "monitoring.not_allowed");
    let r = f.record.apply(2, respond("identity checks added"), &ent(ENT), T0 + DAY_MS).unwrap();
    assert_eq!(r.record.status(T0 + DAY_MS), OrderStatus::Responded);

    let reopen = RectificationCommand::Reopen { reason: "no audit of past orders".into(), deadline: T0 + 40 * DAY_MS };
    assert_eq!(code(r.record.apply(3, reopen.clone(), &ent(ENT), T0)), "monitoring.not_allowed");
    let ro = r.record.apply(3, reopen.clone(), &risk("o2"), T0 + 2 * DAY_MS).unwrap();
    assert_eq!((ro.record.status(T0 + 2 * DAY_MS), ro.record.deadline), (OrderStatus::Issued, T0 + 40 * DAY_MS));
    assert_eq!(code(ro.record.apply(4, reopen, &risk("o2"), T0)), "monitoring.bad_state");
    assert_eq!(ro.record.status(T0 + 40 * DAY_MS + 1), OrderStatus::Overdue);

    let r2 = ro.record.apply(4, respond("audit attached"), &ent(ENT), T0 + 3 * DAY_MS).unwrap();
    let verify = RectificationCommand::Verify { upheld: true, note: "violation confirmed, rectified".into() };
    assert_eq!(code(r2.record.apply(5, verify.clone(), &ent(ENT), T0)), "monitoring.not_allowed");
    let v = r2.record.apply(5, verify.clone(), &risk("o1"), T0 + 4 * DAY_MS).unwrap();
    assert_eq!(
        (v.record.upheld(), v.record.status(T0), v.event.kind),
        (Some(true), OrderStatus::Closed, EventKind::RectificationVerified)
    );
    assert_eq!(v.record.last_response().unwrap().text, "audit attached");
    assert_eq!(code(v.record.apply(6, verify, &risk("o1"), T0)), "monitoring.bad_state");
    let fu = RectificationCommand::FollowUp { note: "late note".into() };
    assert_eq!(code(v.record.apply(6, fu, &risk("o1"), T0)), "monitoring.bad_state");
    assert_eq!(code(v.record.apply(5, respond("x"), &ent(ENT), T0)), "monitoring.stale_version");
}

#[test]
fn only_upheld_rectifications_count_as_violations() {
    let open = rectification("k1", ENT);
    let upheld = verified("k2", ENT, true);
    let dismissed = verified("k3", ENT, false);
    let other = verified("k4", OTHER, true);
    let withdrawn = rectification("k5", ENT)
        .apply(1, RectificationCommand::Withdraw { reason: "duplicate".into() }, &risk("o1"), T0)
        .unwrap()
        .record;
    let all = [open, upheld.clone(), dismissed, other, withdrawn];
    assert_eq!(violations(&all, ENT), 1);
    assert_eq!(violations(&all, OTHER), 1);
    assert_eq!(violations(&all, "9999999999"), 0);
    let second = verified("k6", ENT, true);
    assert_eq!(violations(&[upheld, second], ENT), 2);
}

#[test]
fn rectification_issue_checks() {
    let input = NewRectificationOrder {
        enterprise: ENT.into(),
        violation: ViolationKind::Other(String::new()),
        description: String::new(),
        documents: vec![String::new()],
        deadline: T0 - 1,
    };
    assert_eq!(
        fields(issue_rectification("k1", input, &risk("o1"), T0)),
        ["violation", "description", "documents[0]", "deadline"]
    );
}

// ---- credit proposals ----

fn proposal_input(from: CreditRating, to: CreditRating) -> NewCreditProposal {
    NewCreditProposal {
        enterprise: ENT.into(),
        from,
        to,
        reason: "identity misuse upheld".into(),
        rectification_id: "k2".into(),
    }
}

#[test]
fn downgrade_must_be_lower_and_grounded_on_an_upheld_violation() {
    let upheld = verified("k2", ENT, true);
    for (from, to) in [
        (CreditRating::General, CreditRating::General),
        (CreditRating::General, CreditRating::Advanced),
        (CreditRating::Dishonest, CreditRating::General),
        (CreditRating::GeneralCertified, CreditRating::Advanced),
    ] {
        assert_eq!(fields(propose_downgrade("c1", proposal_input(from, to), &upheld, &risk("o1"), T0)), ["to"]);
    }
    assert!(is_downgrade(CreditRating::Advanced, CreditRating::GeneralCertified));
    assert!(is_downgrade(CreditRating::General, CreditRating::Dishonest));

    let dismissed = verified("k2", ENT, false);
    let input = proposal_input(CreditRating::General, CreditRating::Dishonest);
    assert_eq!(code(propose_downgrade("c1", input.clone(), &dismissed, &risk("o1"), T0)), "monitoring.bad_state");
    let open = rectification("k2", ENT);
    assert_eq!(code(propose_downgrade("c1", input.clone(), &open, &risk("o1"), T0)), "monitoring.bad_state");
    let elsewhere = verified("k2", OTHER, true);
    assert_eq!(code(propose_downgrade("c1", input.clone(), &elsewhere, &risk("o1"), T0)), "monitoring.wrong_link");
    let another = verified("k7", ENT, true);
    assert_eq!(code(propose_downgrade("c1", input.clone(), &another, &risk("o1"), T0)), "monitoring.wrong_link");
    assert_eq!(code(propose_downgrade("c1", input.clone(), &upheld, &ent(ENT), T0)), "monitoring.not_allowed");

    let a = propose_downgrade("c1", input, &upheld, &risk("o1"), T0).unwrap();
    assert_eq!((a.record.version, a.event.kind), (1, EventKind::CreditProposed));
    assert_eq!(a.record.rating_change(), None);
}

#[test]
fn downgrade_is_decided_by_another_supervisor() {
    let upheld = verified("k2", ENT, true);
    let input = proposal_input(CreditRating::GeneralCertified, CreditRating::General);
    let p = propose_downgrade("c1", input, &upheld, &sup("s1"), T0).unwrap().record;
    let approve = || ProposalCommand::Decide { approve: true, note: String::new() };

    assert_eq!(code(p.apply(1, approve(), &risk("o1"), T0)), "monitoring.not_allowed");
    assert_eq!(code(p.apply(1, approve(), &ent(ENT), T0)), "monitoring.not_allowed");
    assert_eq!(code(p.apply(1, approve(), &sup("s1"), T0)), "monitoring.four_eyes");
    assert_eq!(code(p.apply(2, approve(), &sup("s2"), T0)), "monitoring.stale_version");
    let reject = ProposalCommand::Decide { approve: false, note: " ".into() };
    assert_eq!(fields(p.apply(1, reject, &sup("s2"), T0)), ["note"]);

    let a = p.apply(1, approve(), &sup("s2"), T0 + 1).unwrap();
    assert_eq!((a.record.version, a.event.kind), (2, EventKind::CreditApproved));
    assert_eq!(a.record.rating_change(), Some((ENT, CreditRating::GeneralCertified, CreditRating::General)));
    assert_eq!(
        a.event.details["apply"],
        serde_json::json!({ "enterprise": ENT, "from": "general_certified", "to": "general" })
    );
    assert!(a.event.summary.contains("general_certified → general"), "{}", a.event.summary);
    assert_eq!(code(a.record.apply(2, approve(), &sup("s3"), T0 + 2)), "monitoring.bad_state");

    let r =
        p.apply(1, ProposalCommand::Decide { approve: false, note: "first offence".into() }, &sup("s2"), T0).unwrap();
    assert_eq!((r.event.kind, r.record.rating_change()), (EventKind::CreditRejected, None));
}

// ---- views ----

#[test]
fn enterprise_sees_its_orders_without_internal_notes() {
    let d1 = reduction();
    let k1 = rectification("k1", ENT)
        .apply(1, RectificationCommand::FollowUp { note: "INTERNAL-NOTE".into() }, &risk("o2"), T0)
        .unwrap()
        .record;
    let k2 = verified("k2", ENT, true);
    let k3 = rectification("k3", OTHER);
    let v = enterprise_view(&[d1], &[k1, k2, k3], ENT, T0 + 11 * DAY_MS);
    let ids: Vec<&str> = v.orders.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["d1", "k1", "k2"], "waiting orders first, by deadline; then closed ones");
    assert_eq!(v.orders[0].status, OrderStatus::Overdue);
    assert_eq!(v.orders[0].subject, "recall");
    assert_eq!(v.orders[1].status, OrderStatus::Issued);
    assert_eq!((v.orders[2].status, v.orders[2].upheld), (OrderStatus::Closed, Some(true)));
    assert_eq!(v.violations, 1);
    let json = serde_json::to_string(&v).unwrap();
    assert!(!json.contains("INTERNAL-NOTE") && !json.contains("\"o1\"") && !json.contains("\"o2\""), "{json}");
    round_trip(&v);

    let rejected = reduction()
        .apply(1, ReductionCommand::Respond { text: "done".into(), evidence: vec![] }, &ent(ENT), T0)
        .unwrap()
        .record
        .apply(2, ReductionCommand::Reject { reason: "no proof".into(), deadline: T0 + 5 * DAY_MS }, &risk("o1"), T0)
        .unwrap()
        .record;
    let v = enterprise_view(&[rejected], &[], ENT, T0);
    assert_eq!(v.orders[0].rejected_because.as_deref(), Some("no proof"));
    assert_eq!(v.orders[0].response.as_ref().unwrap().text, "done");
}

#[test]
fn due_lists_both_kinds_most_overdue_first() {
    let d1 = reduction(); // deadline T0 + 10 days
    let k1 = rectification("k1", ENT); // deadline T0 + 30 days
    let k2 = verified("k2", ENT, true);
    let now = T0 + 31 * DAY_MS;
    let d = due(&[d1], &[k1, k2], now);
    let got: Vec<(OrderKind, &str)> = d.iter().map(|d| (d.kind, d.id.as_str())).collect();
    assert_eq!(got, [(OrderKind::Reduction, "d1"), (OrderKind::Rectification, "k1")]);
    assert_eq!(d[1].overdue_ms, DAY_MS);
}

// ---- serde ----

#[test]
fn every_record_and_event_round_trips() {
    let plan = create_plan("p1", new_plan(), &risk("o1"), T0).unwrap();
    round_trip(&plan.record);
    round_trip(&plan.event);
    let closed = plan.record.apply(1, PlanCommand::Close { reason: "done".into() }, &risk("o1"), T0).unwrap();
    round_trip(&closed.record);

    let result = record_result("r1", new_result(failing()), None, &risk("o1"), T0).unwrap();
    round_trip(&result.record);
    round_trip(&result.event);
    let mut other = new_result(Outcome::Fail { findings: vec!["x".into()], hazard: Hazard::Other("radiation".into()) });
    other.product.brand = None;
    round_trip(&record_result("r2", other, None, &risk("o1"), T0).unwrap().record);
    let withdrawn = result.record.apply(1, ResultCommand::Withdraw { reason: "x".into() }, &risk("o1"), T0).unwrap();
    round_trip(&withdrawn.record);

    let w = warning();
    round_trip(&w);
    let lifted = w.apply(1, WarningCommand::Lift { reason: "ok".into() }, &risk("o1"), T0).unwrap();
    round_trip(&lifted.record);
    round_trip(&lifted.event);

    let d = reduction();
    round_trip(&d);
    let responded =
        d.apply(1, ReductionCommand::Respond { text: "t".into(), evidence: vec!["e".into()] }, &ent(ENT), T0).unwrap();
    round_trip(&responded.record);
    let rejected = responded
        .record
        .apply(2, ReductionCommand::Reject { reason: "r".into(), deadline: T0 + DAY_MS }, &risk("o1"), T0)
        .unwrap();
    round_trip(&rejected.record);

    round_trip(&rectification("k1", ENT));
    let k = verified("k2", ENT, true);
    round_trip(&k);
    let p =
        propose_downgrade("c1", proposal_input(CreditRating::General, CreditRating::Dishonest), &k, &risk("o1"), T0)
            .unwrap();
    round_trip(&p.record);
    let decided = p.record.apply(1, ProposalCommand::Decide { approve: true, note: String::new() }, &sup("s2"), T0);
    round_trip(&decided.unwrap().record);

    // Commands come from JSON bodies: tagged by "command", snake_case.
    let cmd: WarningCommand = serde_json::from_str(r#"{"command":"lift","reason":"ok"}"#).unwrap();
    assert_eq!(cmd, WarningCommand::Lift { reason: "ok".into() });
    let cmd: RectificationCommand = serde_json::from_str(r#"{"command":"verify","upheld":true,"note":"n"}"#).unwrap();
    assert_eq!(cmd, RectificationCommand::Verify { upheld: true, note: "n".into() });
    let actor: Actor = serde_json::from_str(r#"{"kind":"officer","id":"o1","role":"risk_officer"}"#).unwrap();
    assert_eq!(actor, risk("o1"));
    let v = serde_json::to_value(&lifted.record).unwrap();
    assert_eq!(v["state"]["state"], "lifted");
    assert_eq!(v["warning"]["measure"], "full_inspection");
}

#[test]
fn event_kind_names_are_the_serialised_names() {
    for kind in EventKind::ALL {
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        let back: EventKind = serde_json::from_value(serde_json::Value::from(kind.as_str())).unwrap();
        assert_eq!(back, *kind);
    }
    let mut names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), EventKind::ALL.len());
}

#[test]
fn errors_name_the_field_and_the_fix() {
    let w = warning();
    let e = w.apply(1, WarningCommand::Lift { reason: String::new() }, &risk("o1"), T0).unwrap_err();
    assert_eq!(e.to_string(), "invalid reason: is empty (say why the warning is lifted)");
    let e = w.apply(7, WarningCommand::Lift { reason: "x".into() }, &risk("o1"), T0).unwrap_err();
    assert_eq!(e.to_string(), "warning w1 is at version 1, not 7: read it again and retry");
    let e = w.apply(1, WarningCommand::Lift { reason: "x".into() }, &reviewer(), T0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "officer rev1 (reviewer) may not lift a warning: only officers with the role risk_officer or supervisor may"
    );
}
