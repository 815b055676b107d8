//! [`ApiError`]: every error the API answers with, as JSON
//! `{"error": {"code": "...", "message": "...", "diagnostics": [...]}}`.
//!
//! The `code` is stable (clients match on it); `diagnostics` appear only
//! where the filing rules or a payload produced coded
//! [`Diagnostic`]s. Internal errors (the database failed, …) answer a
//! generic message and are logged in full here, so nothing internal ever
//! reaches a client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cbec_model::diag::Diagnostic;
use cbec_monitoring::FieldProblem;
use cbec_risk::RuleError;
use cbec_store::StoreError;
use serde::Serialize;

/// An error of the API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No bearer token, or a token that is unknown or revoked (401).
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// The caller is known but may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// The record does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// No route has this path (404).
    #[error("no route matches this path")]
    RouteNotFound,
    /// The route exists but not with this method (405).
    #[error("this method is not allowed on this path")]
    MethodNotAllowed,
    /// A path or query parameter, or a field, is unusable (400).
    #[error("{0}")]
    BadRequest(String),
    /// The body is not JSON of the expected shape (400); a payload of the
    /// wrong shape carries its diagnostics.
    #[error("{message}")]
    InvalidJson { message: String, diagnostics: Vec<Diagnostic> },
    /// The body is not `application/json` (415).
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    /// A message body that is not `application/xml` (415).
    #[error("the request body must be a CEB XML message (Content-Type: application/xml)")]
    NotXml,
    /// A rule file body that is not `application/toml` or `text/plain` (415).
    #[error("the request body must be a TOML rule file (Content-Type: application/toml or text/plain)")]
    NotToml,
    /// A risk rule file fails validation (422): every problem with its
    /// line and column.
    #[error("{}", rules_message(.0))]
    RulesInvalid(Vec<RuleError>),
    /// A monitoring command or record is refused (403, 409 or 422 by its
    /// code; see [`ApiError::status`]).
    #[error("{0}")]
    Monitoring(cbec_monitoring::Error),
    /// The clearance pipeline is saturated (429, with `Retry-After`).
    #[error("the clearance pipeline is saturated; retry after the time in Retry-After")]
    Saturated,
    /// The body exceeds the configured limit (413).
    #[error("the request body is larger than the configured limit")]
    PayloadTooLarge,
    /// The filing rules refuse the application (422).
    #[error("the application does not meet the filing rules")]
    Refused(Vec<Diagnostic>),
    /// A uniqueness rule would be broken (409).
    #[error("{0}")]
    Conflict(String),
    /// The record's state does not allow this (409), e.g. approving a
    /// withdrawn application.
    #[error("{0}")]
    InvalidState(String),
    /// The store is not reachable (503).
    #[error("the service is not ready: the database does not answer")]
    Unavailable,
    /// Anything else (500). The detail is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

#[derive(Serialize)]
struct Body<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnostics: Option<&'a [Diagnostic]>,
    /// A refused rule file: every problem with its line and column.
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_errors: Option<&'a [RuleError]>,
    /// A refused monitoring record or command: every invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    problems: Option<&'a [FieldProblem]>,
}

fn rules_message(errors: &[RuleError]) -> String {
    match errors {
        [one] => format!("the rule file is refused: {one}"),
        all => {
            format!("the rule file is refused: {} problems, each in rule_errors with its line and column", all.len())
        }
    }
}

/// The status of a monitoring refusal, by its stable code.
fn monitoring_status(e: &cbec_monitoring::Error) -> StatusCode {
    use cbec_monitoring::Error as E;
    match e {
        E::NotAllowed { .. } | E::FourEyes { .. } => StatusCode::FORBIDDEN,
        E::StaleVersion { .. } | E::BadState { .. } => StatusCode::CONFLICT,
        E::InvalidField(_) | E::WrongLink { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BadRequest(_) | ApiError::InvalidJson { .. } => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType | ApiError::NotXml | ApiError::NotToml => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Saturated => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Refused(_) | ApiError::RulesInvalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Monitoring(e) => monitoring_status(e),
            ApiError::Conflict(_) | ApiError::InvalidState(_) => StatusCode::CONFLICT,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable error code of the body.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "auth.unauthorized",
            ApiError::Forbidden(_) => "auth.forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::RouteNotFound => "route.not_found",
            ApiError::MethodNotAllowed => "route.method_not_allowed",
            ApiError::BadRequest(_) => "request.invalid",
            ApiError::InvalidJson { .. } => "json.invalid",
            ApiError::UnsupportedMediaType | ApiError::NotXml | ApiError::NotToml => "request.unsupported_media_type",
            ApiError::Saturated => "service.saturated",
            ApiError::PayloadTooLarge => "request.too_large",
            ApiError::Refused(_) => "filing.refused",
            ApiError::RulesInvalid(_) => "risk.rules_invalid",
            ApiError::Monitoring(e) => e.code(),
            ApiError::Conflict(_) => "conflict",
            ApiError::InvalidState(_) => "state.conflict",
            ApiError::Unavailable => "service.unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// Every code with its status, for the API documentation.
    pub const CODES: &'static [(&'static str, u16, &'static str)] = &[
        ("auth.unauthorized", 401, "no bearer token, or an unknown or revoked one"),
        ("auth.forbidden", 403, "the caller may not do this (role, ownership, own submission)"),
        ("not_found", 404, "the record does not exist"),
        ("route.not_found", 404, "no route has this path"),
        ("route.method_not_allowed", 405, "the path exists but not with this method"),
        ("request.invalid", 400, "a path or query parameter or a field is unusable"),
        ("json.invalid", 400, "the body is not JSON of the expected shape (diagnostics for payloads)"),
        (
            "request.unsupported_media_type",
            415,
            "the body is not application/json (application/xml for messages, application/toml for rule files)",
        ),
        ("service.saturated", 429, "the clearance pipeline is full; retry after Retry-After seconds"),
        ("request.too_large", 413, "the body exceeds the configured limit"),
        ("filing.refused", 422, "the filing rules refuse the application (diagnostics say why)"),
        ("risk.rules_invalid", 422, "the risk rule file is invalid (rule_errors: every problem by line and column)"),
        ("monitoring.not_allowed", 403, "the actor's role or the order's addressee does not allow the action"),
        ("monitoring.four_eyes", 403, "the proposer of a credit downgrade may not decide it (four eyes)"),
        ("monitoring.stale_version", 409, "the record changed since it was read (expected_version); read it again"),
        ("monitoring.bad_state", 409, "the monitoring record's state does not allow the command"),
        ("monitoring.invalid_field", 422, "a field is missing or invalid (problems: each field with the fix)"),
        ("monitoring.wrong_link", 422, "a linked record does not exist or does not match the one named"),
        ("conflict", 409, "a uniqueness rule would be broken"),
        ("state.conflict", 409, "the record's state does not allow this"),
        ("service.unavailable", 503, "the database does not answer"),
        ("internal", 500, "an internal error; details are in the server log"),
    ];

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::Forbidden(message.into())
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::BadRequest(message.into())
    }

    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(detail.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => ApiError::NotFound(format!("{entity} {id} not found")),
            StoreError::Conflict(m) => ApiError::Conflict(m),
            StoreError::InvalidState(m) => ApiError::InvalidState(m),
            e @ (StoreError::BadUrl(_) | StoreError::Backend(_)) => ApiError::Internal(format!("store: {e}")),
        }
    }
}

impl From<cbec_risk::RuleFileError> for ApiError {
    fn from(e: cbec_risk::RuleFileError) -> Self {
        ApiError::RulesInvalid(e.errors)
    }
}

impl From<cbec_monitoring::Error> for ApiError {
    fn from(e: cbec_monitoring::Error) -> Self {
        ApiError::Monitoring(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                "internal error; the details are in the server log".to_owned()
            }
            other => other.to_string(),
        };
        let diagnostics = match &self {
            ApiError::Refused(d) => Some(d.as_slice()),
            ApiError::InvalidJson { diagnostics, .. } if !diagnostics.is_empty() => Some(diagnostics.as_slice()),
            _ => None,
        };
        let rule_errors = match &self {
            ApiError::RulesInvalid(e) => Some(e.as_slice()),
            _ => None,
        };
        let problems = match &self {
            ApiError::Monitoring(e @ cbec_monitoring::Error::InvalidField(_)) => Some(e.problems()),
            _ => None,
        };
        let body = Body { error: ErrorBody { code: self.code(), message, diagnostics, rule_errors, problems } };
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
