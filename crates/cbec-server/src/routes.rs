//! The route table: every route once, with its handler and its
//! documentation. The router ([`crate::app`]) and the OpenAPI document
//! ([`crate::openapi::document`]) are both built from [`table`], so they
//! cannot disagree; a test checks the real router against the document.

use axum::handler::Handler;
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::AppState;
use crate::api::{applications, audit, clearance, enterprises, monitoring, officers, risk, system};

/// An HTTP method of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verb {
    Get,
    Post,
    Delete,
}

impl Verb {
    pub const ALL: [Verb; 3] = [Verb::Get, Verb::Post, Verb::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Delete => "DELETE",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Delete => MethodFilter::DELETE,
        }
    }
}

/// A query parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    /// JSON Schema of the value.
    pub schema: &'static str,
    pub required: bool,
    pub description: &'static str,
}

/// What a successful call answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `text/plain`.
    Text,
    /// The Prometheus exposition format.
    Metrics,
    /// A JSON value of a component schema.
    Json(&'static str),
    /// A JSON array of a component schema.
    JsonList(&'static str),
    /// Any JSON object (the OpenAPI document itself).
    AnyJson,
    /// No body.
    Empty,
    /// A CEB XML message (`application/xml`): a receipt.
    Xml,
    /// Bytes exactly as stored (`application/xml`, any encoding).
    Raw,
}

/// The documentation of a route.
#[derive(Debug, Clone, Copy)]
pub struct RouteDoc {
    pub verb: Verb,
    /// The path template, `{name}` for parameters (as axum and OpenAPI
    /// write them).
    pub path: &'static str,
    pub operation_id: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    /// Who may call it.
    pub access: &'static str,
    /// Whether a bearer token is needed.
    pub auth: bool,
    pub query: &'static [Param],
    /// The component schema of the JSON body, if any.
    pub body: Option<&'static str>,
    /// Whether the body may be left out.
    pub body_optional: bool,
    pub status: u16,
    pub answer: Answer,
    /// The error statuses it may answer besides 401 (and 500).
    pub errors: &'static [u16],
}

/// A route: documentation and handler.
pub struct Route {
    pub doc: RouteDoc,
    pub(crate) handler: MethodRouter<AppState>,
}

const PAGE: &[Param] = &[
    Param { name: "offset", schema: "integer", required: false, description: "Records to skip (default 0)." },
    Param {
        name: "limit",
        schema: "integer",
        required: false,
        description: "Records to return, 1 to 1000 (default 100).",
    },
];

const APPLICATION_FILTER: &[Param] = &[
    Param {
        name: "state",
        schema: "ApplicationState",
        required: false,
        description: "Only applications in this state.",
    },
    Param { name: "kind", schema: "ApplicationKind", required: false, description: "Only applications of this kind." },
    Param {
        name: "enterprise_id",
        schema: "string",
        required: false,
        description: "Only applications of this enterprise (an enterprise always sees only its own).",
    },
    PAGE[0],
    PAGE[1],
];

const RECEIPTS: &[Param] = &[
    Param {
        name: "after",
        schema: "integer",
        required: false,
        description: "Receipts after this cursor (a receipt's seq); default: the acknowledged cursor.",
    },
    PAGE[1],
];

const DOCUMENTS: &[Param] = &[
    Param { name: "kind", schema: "DocumentKind", required: false, description: "Only documents of this kind." },
    Param { name: "status", schema: "DocumentStatus", required: false, description: "Only documents in this status." },
    Param {
        name: "business_key",
        schema: "string",
        required: false,
        description: "Only the document(s) with this orderNo, logisticsNo, payTransactionId or invtNo.",
    },
    PAGE[1],
];

const AS_OF: &[Param] = &[Param {
    name: "at",
    schema: "string",
    required: true,
    description: "RFC 3339 time, e.g. 2026-03-01T08:00:00+08:00.",
}];

const AUDIT: &[Param] = &[
    Param {
        name: "after",
        schema: "integer",
        required: false,
        description: "Entries with seq greater than this (default 0).",
    },
    PAGE[1],
];

const DRY_RUN: &[Param] = &[
    Param {
        name: "rule_set",
        schema: "string",
        required: false,
        description: "A stored rule set (a draft, typically) to try instead of a rule file in the body.",
    },
    Param {
        name: "limit",
        schema: "integer",
        required: false,
        description: "The most recent lists (import and export) to try, 1 to 50000 (default 10000).",
    },
    Param {
        name: "from",
        schema: "string",
        required: false,
        description: "Only lists received from this day (YYYY-MM-DD, China time) or RFC 3339 time.",
    },
    Param {
        name: "to",
        schema: "string",
        required: false,
        description: "Only lists received before this RFC 3339 time, or up to and including this day (YYYY-MM-DD).",
    },
];

const MONITORING_FILTER: &[Param] = &[
    Param { name: "kind", schema: "MonitoringKind", required: false, description: "Only records of this kind." },
    Param {
        name: "state",
        schema: "string",
        required: false,
        description: "Only records in this stored state (active, lifted, issued, responded, verified, proposed, …).",
    },
    Param {
        name: "enterprise",
        schema: "string",
        required: false,
        description: "Only records concerning or addressed to this enterprise code.",
    },
    PAGE[1],
];

const OFFICERS: &str = "Any officer";
const WRITERS: &str = "risk_officer, supervisor";
const OFFICERS_OR_SELF: &str = "Any officer, or the enterprise itself";

struct Builder(Vec<Route>);

impl Builder {
    fn add<H, T>(&mut self, doc: RouteDoc, handler: H)
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.0.push(Route { handler: on(doc.verb.filter(), handler), doc });
    }
}

fn doc(verb: Verb, path: &'static str, operation_id: &'static str, tag: &'static str) -> RouteDoc {
    RouteDoc {
        verb,
        path,
        operation_id,
        tag,
        summary: "",
        access: "",
        auth: true,
        query: &[],
        body: None,
        body_optional: false,
        status: 200,
        answer: Answer::Empty,
        errors: &[],
    }
}

/// Every route of the service.
pub fn table() -> Vec<Route> {
    use Verb::{Delete, Get, Post};
    let mut b = Builder(Vec::new());

    // ---- operations -----------------------------------------------------------
    let public = |d: RouteDoc| RouteDoc { auth: false, access: "Anyone (no token)", ..d };
    b.add(
        RouteDoc {
            summary: "Liveness: the process answers \"ok\".",
            answer: Answer::Text,
            ..public(doc(Get, "/healthz", "healthz", "operations"))
        },
        system::healthz,
    );
    b.add(
        RouteDoc {
            summary: "Readiness: \"ok\" when the database answers, 503 otherwise.",
            answer: Answer::Text,
            errors: &[503],
            ..public(doc(Get, "/readyz", "readyz", "operations"))
        },
        system::readyz,
    );
    b.add(
        RouteDoc {
            summary: "Prometheus metrics (text format 0.0.4): requests by route, method and status; latency histogram; uptime.",
            answer: Answer::Metrics,
            ..public(doc(Get, "/metrics", "metrics", "operations"))
        },
        system::metrics,
    );
    b.add(
        RouteDoc {
            summary: "This OpenAPI 3.0 document.",
            answer: Answer::AnyJson,
            ..public(doc(Get, "/api/v1/openapi.json", "openapi", "operations"))
        },
        system::openapi,
    );
    b.add(
        RouteDoc {
            summary: "The caller: an officer (with role) or an enterprise.",
            access: "Any token",
            answer: Answer::Json("Me"),
            ..doc(Get, "/api/v1/me", "me", "auth")
        },
        system::me,
    );

    // ---- officers and tokens -------------------------------------------------------
    b.add(
        RouteDoc {
            summary: "Creates an officer and its first API token (shown once).",
            access: "administrator",
            body: Some("CreateOfficer"),
            status: 201,
            answer: Answer::Json("OfficerCreated"),
            errors: &[400, 403, 409],
            ..doc(Post, "/api/v1/officers", "create_officer", "officers")
        },
        officers::create_officer,
    );
    b.add(
        RouteDoc {
            summary: "Lists the officers.",
            access: "administrator",
            answer: Answer::JsonList("Officer"),
            errors: &[403],
            ..doc(Get, "/api/v1/officers", "list_officers", "officers")
        },
        officers::list_officers,
    );
    b.add(
        RouteDoc {
            summary: "Creates an API token for an enterprise (the secret is shown once).",
            access: "administrator, or the enterprise itself",
            body: Some("CreateToken"),
            body_optional: true,
            status: 201,
            answer: Answer::Json("TokenCreated"),
            errors: &[400, 403, 404],
            ..doc(Post, "/api/v1/enterprises/{id}/tokens", "create_enterprise_token", "tokens")
        },
        officers::create_enterprise_token,
    );
    b.add(
        RouteDoc {
            summary: "Lists an enterprise's API tokens (never their secrets).",
            access: "administrator, or the enterprise itself",
            answer: Answer::JsonList("ApiToken"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/enterprises/{id}/tokens", "list_enterprise_tokens", "tokens")
        },
        officers::list_enterprise_tokens,
    );
    b.add(
        RouteDoc {
            summary: "Revokes an API token.",
            access: "the token's owner, or an administrator",
            status: 204,
            answer: Answer::Empty,
            errors: &[403, 404],
            ..doc(Delete, "/api/v1/tokens/{id}", "revoke_token", "tokens")
        },
        officers::revoke_token,
    );

    // ---- applications ---------------------------------------------------------------
    b.add(
        RouteDoc {
            summary: "Submits an application. The filing rules run at once (422 with diagnostics if they refuse it) and again at approval.",
            access: "initial_filing: reviewer, supervisor, administrator (on the enterprise's behalf); other kinds: the enterprise itself, or a reviewer, supervisor or administrator",
            body: Some("SubmitApplication"),
            status: 201,
            answer: Answer::Json("Application"),
            errors: &[400, 403, 404, 409, 422],
            ..doc(Post, "/api/v1/applications", "submit_application", "applications")
        },
        applications::submit_application,
    );
    b.add(
        RouteDoc {
            summary: "Lists applications.",
            access: "Any officer (all), an enterprise (its own)",
            query: APPLICATION_FILTER,
            answer: Answer::JsonList("Application"),
            errors: &[400, 403],
            ..doc(Get, "/api/v1/applications", "list_applications", "applications")
        },
        applications::list_applications,
    );
    b.add(
        RouteDoc {
            summary: "Reads an application.",
            access: "Any officer, or the enterprise it concerns",
            answer: Answer::Json("Application"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/applications/{id}", "get_application", "applications")
        },
        applications::get_application,
    );
    b.add(
        RouteDoc {
            summary: "Approves a submitted application: runs the filing rules against the current data and applies the effect.",
            access: "reviewer, supervisor; never the officer who submitted it",
            answer: Answer::Json("Application"),
            errors: &[400, 403, 404, 409, 422],
            ..doc(Post, "/api/v1/applications/{id}/approve", "approve_application", "applications")
        },
        applications::approve_application,
    );
    b.add(
        RouteDoc {
            summary: "Rejects a submitted application with a reason.",
            access: "reviewer, supervisor",
            body: Some("Reason"),
            answer: Answer::Json("Application"),
            errors: &[400, 403, 404, 409],
            ..doc(Post, "/api/v1/applications/{id}/reject", "reject_application", "applications")
        },
        applications::reject_application,
    );
    b.add(
        RouteDoc {
            summary: "Withdraws a submitted application.",
            access: "the submitter",
            answer: Answer::Json("Application"),
            errors: &[403, 404, 409],
            ..doc(Post, "/api/v1/applications/{id}/withdraw", "withdraw_application", "applications")
        },
        applications::withdraw_application,
    );

    // ---- enterprises ------------------------------------------------------------------
    b.add(
        RouteDoc {
            summary: "Lists the filed enterprises.",
            access: OFFICERS,
            query: PAGE,
            answer: Answer::JsonList("Enterprise"),
            errors: &[400, 403],
            ..doc(Get, "/api/v1/enterprises", "list_enterprises", "enterprises")
        },
        enterprises::list_enterprises,
    );
    b.add(
        RouteDoc {
            summary: "Reads an enterprise (its current version).",
            access: OFFICERS_OR_SELF,
            answer: Answer::Json("Enterprise"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/enterprises/{id}", "get_enterprise", "enterprises")
        },
        enterprises::get_enterprise,
    );
    b.add(
        RouteDoc {
            summary: "Every approved version of the enterprise's record, oldest first.",
            access: OFFICERS_OR_SELF,
            answer: Answer::JsonList("EnterpriseVersion"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/enterprises/{id}/versions", "list_enterprise_versions", "enterprises")
        },
        enterprises::list_versions,
    );
    b.add(
        RouteDoc {
            summary: "The version of the record in force at a time (404 if not filed yet).",
            access: OFFICERS_OR_SELF,
            query: AS_OF,
            answer: Answer::Json("EnterpriseVersion"),
            errors: &[400, 403, 404],
            ..doc(Get, "/api/v1/enterprises/{id}/as-of", "get_enterprise_as_of", "enterprises")
        },
        enterprises::as_of,
    );
    b.add(
        RouteDoc {
            summary: "The enterprise's licences.",
            access: OFFICERS_OR_SELF,
            answer: Answer::JsonList("Licence"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/enterprises/{id}/licences", "list_licences", "enterprises")
        },
        enterprises::list_licences,
    );
    b.add(
        RouteDoc {
            summary: "The enterprise's bound signing certificates.",
            access: OFFICERS_OR_SELF,
            answer: Answer::JsonList("Certificate"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/enterprises/{id}/certificates", "list_certificates", "enterprises")
        },
        enterprises::list_certificates,
    );
    b.add(
        RouteDoc {
            summary: "The enterprise's credit rating and its history.",
            access: OFFICERS_OR_SELF,
            answer: Answer::Json("Credit"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/enterprises/{id}/credit", "get_credit", "enterprises")
        },
        enterprises::get_credit,
    );
    b.add(
        RouteDoc {
            summary: "Changes the enterprise's customs credit rating, with a reason.",
            access: "supervisor",
            body: Some("SetCredit"),
            answer: Answer::Json("Enterprise"),
            errors: &[400, 403, 404],
            ..doc(Post, "/api/v1/enterprises/{id}/credit", "set_credit", "enterprises")
        },
        enterprises::set_credit,
    );
    b.add(
        RouteDoc {
            summary: "The enterprise's filed overseas warehouses.",
            access: OFFICERS_OR_SELF,
            answer: Answer::JsonList("OverseasWarehouse"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/enterprises/{id}/warehouses", "list_warehouses", "enterprises")
        },
        enterprises::list_warehouses,
    );
    b.add(
        RouteDoc {
            summary: "Revokes a bound certificate, with a reason.",
            access: "reviewer, supervisor, or the enterprise that owns it",
            body: Some("Reason"),
            answer: Answer::Json("Certificate"),
            errors: &[400, 403, 404, 409],
            ..doc(Post, "/api/v1/certificates/{id}/revoke", "revoke_certificate", "enterprises")
        },
        enterprises::revoke_certificate,
    );

    // ---- clearance -----------------------------------------------------------------------
    let enterprise = "An enterprise (its own data)";
    b.add(
        RouteDoc {
            summary: "Takes one signed CEB message (bare, or in a DxpMsg envelope) and answers its receipt: the \
                      message type's own receipt, or a CEB900 when the message cannot be read or fails the XSD. The \
                      message is durable before the answer; the same guid again answers the same receipt.",
            access: enterprise,
            body: Some("CebMessage"),
            answer: Answer::Xml,
            errors: &[403, 429],
            ..doc(Post, "/api/v1/messages", "submit_message", "clearance")
        },
        clearance::submit_message,
    );
    b.add(
        RouteDoc {
            summary: "A received message: sender, guid, type, time and the SHA-256 of its bytes.",
            access: "Any officer, or the sender",
            answer: Answer::Json("StoredMessage"),
            errors: &[404],
            ..doc(Get, "/api/v1/messages/{id}", "get_message", "clearance")
        },
        clearance::get_message,
    );
    b.add(
        RouteDoc {
            summary: "The bytes of a received message exactly as received (to verify its signature again).",
            access: "Any officer, or the sender",
            answer: Answer::Raw,
            errors: &[404],
            ..doc(Get, "/api/v1/messages/{id}/raw", "get_message_raw", "clearance")
        },
        clearance::get_message_raw,
    );
    b.add(
        RouteDoc {
            summary: "The caller's receipts in issue order: those of its own messages and those of every document \
                      naming it (platform, e-commerce enterprise, payment, logistics, agent).",
            access: enterprise,
            query: RECEIPTS,
            answer: Answer::Json("ReceiptPage"),
            errors: &[400, 403],
            ..doc(Get, "/api/v1/receipts", "list_receipts", "receipts")
        },
        clearance::list_receipts,
    );
    b.add(
        RouteDoc {
            summary: "Acknowledges every receipt up to a cursor; later pulls without `after` start there.",
            access: enterprise,
            body: Some("ReceiptAck"),
            answer: Answer::Json("ReceiptAcked"),
            errors: &[400, 403, 409],
            ..doc(Post, "/api/v1/receipts/ack", "ack_receipts", "receipts")
        },
        clearance::ack_receipts,
    );
    b.add(
        RouteDoc {
            summary: "Sets the webhook receipts are pushed to (JSON POST per receipt, HMAC-signed, retried with \
                      back-off, dead-lettered after the configured attempts). The secret is shown once.",
            access: enterprise,
            body: Some("WebhookSet"),
            status: 201,
            answer: Answer::Json("Webhook"),
            errors: &[400, 403],
            ..doc(Post, "/api/v1/webhook", "set_webhook", "receipts")
        },
        clearance::set_webhook,
    );
    b.add(
        RouteDoc {
            summary: "The caller's webhook.",
            access: enterprise,
            answer: Answer::Json("Webhook"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/webhook", "get_webhook", "receipts")
        },
        clearance::get_webhook,
    );
    b.add(
        RouteDoc {
            summary: "Removes the caller's webhook (receipts can still be pulled).",
            access: enterprise,
            status: 204,
            errors: &[403, 404],
            ..doc(Delete, "/api/v1/webhook", "delete_webhook", "receipts")
        },
        clearance::delete_webhook,
    );
    b.add(
        RouteDoc {
            summary: "Pushes receipts after a cursor again, delivered and dead-lettered ones included.",
            access: enterprise,
            body: Some("Redeliver"),
            answer: Answer::Json("Redelivered"),
            errors: &[400, 403, 409],
            ..doc(Post, "/api/v1/webhook/redeliver", "redeliver", "receipts")
        },
        clearance::redeliver,
    );
    b.add(
        RouteDoc {
            summary: "The push state of the caller's receipts: pending, delivered or dead, with attempts and the \
                      last error.",
            access: enterprise,
            query: RECEIPTS,
            answer: Answer::JsonList("Delivery"),
            errors: &[400, 403],
            ..doc(Get, "/api/v1/webhook/deliveries", "list_deliveries", "receipts")
        },
        clearance::deliveries,
    );
    b.add(
        RouteDoc {
            summary: "Clearance documents (orders, payments, waybills, lists, cancellations, returns), newest first.",
            access: "Any officer; an enterprise sees the documents naming it",
            query: DOCUMENTS,
            answer: Answer::JsonList("Document"),
            errors: &[400, 403],
            ..doc(Get, "/api/v1/documents", "list_documents", "clearance")
        },
        clearance::list_documents,
    );
    b.add(
        RouteDoc {
            summary: "A document with its facts, every status move (actor, reason, time) and every receipt; for a list \
                      also the reference data basis and, to officers, the risk engine's decision.",
            access: "Any officer; an enterprise, a document naming it",
            answer: Answer::Json("DocumentDetail"),
            errors: &[404],
            ..doc(Get, "/api/v1/documents/{id}", "get_document", "clearance")
        },
        clearance::get_document,
    );
    b.add(
        RouteDoc {
            summary: "An officer action: review, inspect, inspection_passed, release, detain (with code 501, 502, \
                      503 or 599), return_goods, reject, close, or goods_returned (a return's goods are back: the \
                      quota is credited). Moves the document by the transition table and issues its receipt.",
            access: "reviewer, risk_officer, supervisor",
            body: Some("DocumentAction"),
            answer: Answer::Json("DocumentActed"),
            errors: &[400, 403, 404, 409],
            ..doc(Post, "/api/v1/documents/{id}/actions", "act_on_document", "clearance")
        },
        clearance::act,
    );
    b.add(
        RouteDoc {
            summary: "Records a B2B export (9710, 9810) customs declaration form (H2018) and links it, by its \
                      attached document of type 10000004, to the order or booking the e-commerce enterprise \
                      transmitted (CEB303, orderType B or W). The order must exist for that enterprise and be \
                      declared neither by a list nor by another form; a list for it is refused afterwards.",
            access: "reviewer, risk_officer, supervisor",
            body: Some("DeclarationForm"),
            answer: Answer::Json("Document"),
            errors: &[400, 403, 409],
            ..doc(Post, "/api/v1/declaration-forms", "link_declaration_form", "clearance")
        },
        clearance::link_form,
    );

    // ---- risk rule sets ----------------------------------------------------------------
    b.add(
        RouteDoc {
            summary: "Uploads a risk rule file (TOML). It is validated at once: an invalid file is refused with \
                      every problem by line and column (422 risk.rules_invalid); a valid one is stored as a draft \
                      under its own version.",
            access: WRITERS,
            body: Some(crate::openapi::RULE_FILE),
            status: 201,
            answer: Answer::Json("RuleSet"),
            errors: &[400, 403, 409, 422],
            ..doc(Post, "/api/v1/risk/rule-sets", "upload_rule_set", "risk")
        },
        risk::upload,
    );
    b.add(
        RouteDoc {
            summary: "The rule sets, newest upload first (drafts, the active one, retired and rejected ones).",
            access: OFFICERS,
            answer: Answer::JsonList("RuleSet"),
            errors: &[403],
            ..doc(Get, "/api/v1/risk/rule-sets", "list_rule_sets", "risk")
        },
        risk::list,
    );
    b.add(
        RouteDoc {
            summary: "A rule set with its file, the rules as the engine reads them and the expected lane shares of \
                      random selection per seller credit rating.",
            access: OFFICERS,
            answer: Answer::Json("RuleSetDetail"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/risk/rule-sets/{id}", "get_rule_set", "risk")
        },
        risk::get,
    );
    b.add(
        RouteDoc {
            summary: "Approves (activates; the active rule set is retired and lists decided from now on use it) \
                      or rejects (with a note) a draft.",
            access: "supervisor; never the officer who uploaded it",
            body: Some("RuleSetDecision"),
            answer: Answer::Json("RuleSet"),
            errors: &[400, 403, 404, 409, 422],
            ..doc(Post, "/api/v1/risk/rule-sets/{id}/decision", "decide_rule_set", "risk")
        },
        risk::decide,
    );
    b.add(
        RouteDoc {
            summary: "What a candidate rule file (the body, TOML) or a stored rule set (?rule_set=ID) would have \
                      hit: evaluated over the most recent stored lists beside the active rule set, with the \
                      pipeline's seed and no warnings.",
            access: WRITERS,
            query: DRY_RUN,
            body: Some(crate::openapi::RULE_FILE),
            body_optional: true,
            answer: Answer::Json("DryRun"),
            errors: &[400, 403, 404, 422],
            ..doc(Post, "/api/v1/risk/dry-run", "dry_run_rules", "risk")
        },
        risk::dry_run,
    );
    b.add(
        RouteDoc {
            summary: "The risk settings in force: the active rule set, the number of warnings in force and the seed.",
            access: OFFICERS,
            answer: Answer::Json("RiskActive"),
            errors: &[403],
            ..doc(Get, "/api/v1/risk/active", "get_active_risk", "risk")
        },
        risk::active,
    );

    // ---- quality and safety monitoring ---------------------------------------------------
    let create = |summary, body, path, id| RouteDoc {
        summary,
        access: WRITERS,
        body: Some(body),
        status: 201,
        answer: Answer::Json("MonitoringRecord"),
        errors: &[400, 403, 409, 422],
        ..doc(Post, path, id, "monitoring")
    };
    b.add(
        create(
            "Creates a sampling plan: the goods (scope), how much to sample, from when until when, and why.",
            "NewSamplingPlan",
            "/api/v1/monitoring/sampling-plans",
            "create_sampling_plan",
        ),
        monitoring::create_plan,
    );
    b.add(
        create(
            "Records a laboratory test result of a sampled product (pass, or fail with findings and hazard).",
            "NewTestResult",
            "/api/v1/monitoring/test-results",
            "record_test_result",
        ),
        monitoring::record_result,
    );
    b.add(
        create(
            "Raises a risk warning on a failed test result (from_result) or an officer's finding. It applies its \
             control measure to matching lists from the next one on.",
            "NewWarning",
            "/api/v1/monitoring/warnings",
            "create_warning",
        ),
        monitoring::create_warning,
    );
    b.add(
        create(
            "Issues a risk reduction order (stop sale, recall, return, destroy) to an enterprise, with a deadline.",
            "NewReductionOrder",
            "/api/v1/monitoring/reduction-orders",
            "issue_reduction_order",
        ),
        monitoring::issue_reduction,
    );
    b.add(
        create(
            "Issues a rectification order for a violation to an enterprise, with a deadline.",
            "NewRectificationOrder",
            "/api/v1/monitoring/rectification-orders",
            "issue_rectification_order",
        ),
        monitoring::issue_rectification,
    );
    b.add(
        create(
            "Proposes to lower an enterprise's credit rating on an upheld rectification order; `from` must be its \
             rating now. Another supervisor decides.",
            "NewCreditProposal",
            "/api/v1/monitoring/credit-proposals",
            "propose_credit_downgrade",
        ),
        monitoring::propose_downgrade,
    );
    let command = |summary, access, body, path, id| RouteDoc {
        summary,
        access,
        body: Some(body),
        answer: Answer::Json("MonitoringRecord"),
        errors: &[400, 403, 404, 409, 422],
        ..doc(Post, path, id, "monitoring")
    };
    b.add(
        command(
            "A command on a sampling plan: amend, close.",
            WRITERS,
            "PlanCommand",
            "/api/v1/monitoring/sampling-plans/{id}/commands",
            "command_sampling_plan",
        ),
        monitoring::plan_command,
    );
    b.add(
        command(
            "A command on a test result: withdraw.",
            WRITERS,
            "ResultCommand",
            "/api/v1/monitoring/test-results/{id}/commands",
            "command_test_result",
        ),
        monitoring::result_command,
    );
    b.add(
        command(
            "A command on a warning: lift (with a reason), extend. Applies to the next list.",
            WRITERS,
            "WarningCommand",
            "/api/v1/monitoring/warnings/{id}/commands",
            "command_warning",
        ),
        monitoring::warning_command,
    );
    b.add(
        command(
            "A command on a risk reduction order: respond (the enterprise addressed), reject, close, withdraw.",
            "respond: the enterprise the order is addressed to; the others: risk_officer, supervisor",
            "ReductionCommand",
            "/api/v1/monitoring/reduction-orders/{id}/commands",
            "command_reduction_order",
        ),
        monitoring::reduction_command,
    );
    b.add(
        command(
            "A command on a rectification order: respond (the enterprise addressed), follow_up, reopen, verify \
             (upheld or not; an upheld violation counts on the enterprise's record), withdraw.",
            "respond: the enterprise the order is addressed to; the others: risk_officer, supervisor",
            "RectificationCommand",
            "/api/v1/monitoring/rectification-orders/{id}/commands",
            "command_rectification_order",
        ),
        monitoring::rectification_command,
    );
    b.add(
        command(
            "Decides a credit downgrade proposal. Approval lowers the enterprise's rating at once, only if it is \
             still the proposal's `from` (else 409, nothing changes).",
            "supervisor; never the officer who proposed it",
            "ProposalCommand",
            "/api/v1/monitoring/credit-proposals/{id}/commands",
            "command_credit_proposal",
        ),
        monitoring::proposal_command,
    );
    b.add(
        RouteDoc {
            summary: "Monitoring records, newest first, with their state now (derived: expired, overdue, …).",
            access: OFFICERS,
            query: MONITORING_FILTER,
            answer: Answer::JsonList("MonitoringRecord"),
            errors: &[400, 403],
            ..doc(Get, "/api/v1/monitoring/records", "list_monitoring_records", "monitoring")
        },
        monitoring::list_records,
    );
    b.add(
        RouteDoc {
            summary: "A monitoring record (the record's kind names its command route).",
            access: OFFICERS,
            answer: Answer::Json("MonitoringRecord"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/monitoring/records/{id}", "get_monitoring_record", "monitoring")
        },
        monitoring::get_record,
    );
    b.add(
        RouteDoc {
            summary: "Reduction and rectification orders past their deadline without a response, most overdue first.",
            access: OFFICERS,
            answer: Answer::JsonList("DueOrder"),
            errors: &[403],
            ..doc(Get, "/api/v1/monitoring/due", "list_due_orders", "monitoring")
        },
        monitoring::due,
    );
    b.add(
        RouteDoc {
            summary: "The reduction and rectification orders addressed to the enterprise, as it sees them, and the \
                      violations on its record.",
            access: OFFICERS_OR_SELF,
            answer: Answer::Json("EnterpriseOrders"),
            errors: &[403, 404],
            ..doc(Get, "/api/v1/enterprises/{id}/monitoring-orders", "list_enterprise_orders", "monitoring")
        },
        monitoring::enterprise_orders,
    );

    // ---- audit ---------------------------------------------------------------------------
    b.add(
        RouteDoc {
            summary: "Audit log entries in order.",
            access: "supervisor, administrator",
            query: AUDIT,
            answer: Answer::JsonList("AuditEntry"),
            errors: &[400, 403],
            ..doc(Get, "/api/v1/audit", "list_audit", "audit")
        },
        audit::list_audit,
    );
    b.add(
        RouteDoc {
            summary: "Verifies the audit log's hash chain from the first entry.",
            access: "supervisor, administrator",
            answer: Answer::Json("AuditVerification"),
            errors: &[403],
            ..doc(Get, "/api/v1/audit/verify", "verify_audit", "audit")
        },
        audit::verify_audit,
    );
    b.0
}

/// The documentation of every route (without building handlers twice in
/// callers that only need the docs).
pub fn docs() -> Vec<RouteDoc> {
    table().into_iter().map(|r| r.doc).collect()
}
