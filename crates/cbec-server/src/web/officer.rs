//! The frame of the officers' workbench: who may see it (a signed-in
//! officer; an enterprise session is refused with 403, a visitor without a
//! session is sent to `/login`), the page layout with its navigation bar,
//! the CSRF check and the confirmation step of every action, and how an
//! error of the API's handlers becomes a page.
//!
//! Actions never re-implement the API: a form is turned into the API's
//! request and handed to the same handler function the JSON route calls,
//! with the signed-in officer as its [`Caller`], so the role checks, the
//! rules and the audit entries are those of the API by construction.

use std::collections::HashMap;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use cbec_store::{Officer, Principal, StoreError};

use super::{
    Lang, Layout, current_session, escape, forbidden, language, over_tls, page_with, same_token, see_other, t,
};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

/// The workbench's routes (every one needs an officer's session).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(super::dashboard::dashboard))
        .route("/dashboard/{file}", get(super::dashboard::csv_file))
        .route("/queues", get(super::queues::overview))
        .route("/queues/applications", get(super::queues::applications))
        .route("/queues/lists", get(super::queues::lists))
        .route("/queues/orders", get(super::queues::orders))
        .route("/applications/{id}", get(super::queues::application))
        .route("/applications/{id}/decision", post(super::queues::decide_application))
        .route("/documents/{id}", get(super::documents::document))
        .route("/documents/{id}/raw", get(super::documents::raw))
        .route("/documents/{id}/action", post(super::documents::act))
        .route("/enterprises", get(super::enterprises::list))
        .route("/enterprises/{id}", get(super::enterprises::enterprise))
        .route("/risk", get(super::risk::overview))
        .route("/risk/rule-sets", post(super::risk::upload))
        .route("/risk/rule-sets/{id}", get(super::risk::rule_set))
        .route("/risk/rule-sets/{id}/decision", post(super::risk::decide))
        .route("/risk/dry-run", post(super::risk::dry_run))
        .route("/risk/warnings", get(super::risk::warnings).post(super::risk::create_warning))
        .route("/risk/warnings/{id}/lift", post(super::risk::lift_warning))
        .route("/risk/sampling", get(super::risk::sampling))
        .route("/search", get(super::search::search))
}

/// A request of a signed-in officer.
pub(crate) struct Ctx {
    pub state: AppState,
    pub lang: Lang,
    pub caller: Caller,
    pub officer: Officer,
    /// The session's form token.
    pub csrf: String,
    /// Cookies to set with the answer (the language chosen by `?lang=`).
    pub cookies: Vec<String>,
}

/// The officer of a request, or the answer to give instead: `/login` for a
/// visitor without a (valid) session, 403 for an enterprise.
pub(crate) async fn officer(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    query: &HashMap<String, String>,
) -> Result<Ctx, Response> {
    let secure = over_tls(headers, uri);
    let (lang, lang_cookie) = language(headers, query, secure);
    let cookies: Vec<String> = lang_cookie.into_iter().collect();
    let session = match current_session(state, headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return Err(see_other("/login", &cookies)),
        Err(e) => return Err(super::failure(lang, &e)),
    };
    let id = match &session.principal {
        Principal::Officer(id) => id.clone(),
        _ => return Err(refused(lang, t(lang, "officers_only"))),
    };
    let officer = match state.store.officer(&id).await {
        Ok(o) => o,
        Err(StoreError::NotFound { .. }) => return Err(see_other("/login", &cookies)),
        Err(e) => return Err(super::failure(lang, &e)),
    };
    Ok(Ctx {
        state: state.clone(),
        lang,
        caller: Caller::Officer(officer.clone()),
        officer,
        csrf: session.csrf,
        cookies,
    })
}

/// The [`Ctx`] of a page request (`officer_ctx!(state, headers, uri, query)`),
/// or return the answer to give instead.
macro_rules! officer_ctx {
    ($state:expr, $headers:expr, $uri:expr, $query:expr) => {
        match $crate::web::officer::officer(&$state, &$headers, &$uri, &$query).await {
            Ok(ctx) => ctx,
            Err(response) => return response,
        }
    };
}
pub(crate) use officer_ctx;

/// The [`Ctx`] of a form (`officer_form!(state, headers, uri, form)`): a
/// signed-in officer whose form carries the session's CSRF token, or
/// return the answer to give instead.
macro_rules! officer_form {
    ($state:expr, $headers:expr, $uri:expr, $form:expr) => {{
        let ctx = $crate::web::officer::officer_ctx!($state, $headers, $uri, std::collections::HashMap::new());
        if let Err(response) = ctx.check_csrf(&$form) {
            return response;
        }
        ctx
    }};
}
pub(crate) use officer_form;

/// A 403 page for a signed-in principal without the right.
pub(crate) fn refused(lang: Lang, message: &str) -> Response {
    let body = format!(
        "<p class=\"error\" role=\"alert\">{}</p>\n<p><a href=\"/\">{}</a></p>\n",
        escape(message),
        t(lang, "home")
    );
    page_with(StatusCode::FORBIDDEN, lang, t(lang, "forbidden"), &Layout::default(), &body, &[])
}

/// The sections of the navigation bar: (text key, path).
const NAV: &[(&str, &str)] = &[
    ("nav_dashboard", "/dashboard"),
    ("nav_queues", "/queues"),
    ("nav_search", "/search"),
    ("nav_risk", "/risk"),
    ("nav_enterprises", "/enterprises"),
];

impl Ctx {
    pub fn t(&self, key: &str) -> &'static str {
        t(self.lang, key)
    }

    /// A page of the workbench: the navigation bar (`section` marked as the
    /// current one), who is signed in and the sign-out button.
    pub fn page(&self, status: StatusCode, section: &str, title: &str, body: &str) -> Response {
        let items: String = NAV
            .iter()
            .map(|(key, path)| {
                let current = if *path == section { " aria-current=\"page\"" } else { "" };
                format!("<li><a href=\"{path}\"{current}>{}</a></li>", self.t(key))
            })
            .collect();
        let nav = format!("<nav class=\"main\" aria-label=\"{}\"><ul>{items}</ul></nav>", self.t("nav_label"));
        let account = format!(
            "<div class=\"account\"><span>{name} · {role}</span>\
             <form method=\"post\" action=\"/logout\" class=\"inline\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button type=\"submit\" id=\"sign-out\" class=\"link\">{sign_out}</button></form></div>",
            name = escape(&self.officer.name),
            role = escape(self.officer.role.as_str()),
            csrf = escape(&self.csrf),
            sign_out = self.t("sign_out"),
        );
        let layout = Layout { nav, wide: true, account };
        page_with(status, self.lang, title, &layout, body, &self.cookies)
    }

    pub fn ok(&self, section: &str, title: &str, body: &str) -> Response {
        self.page(StatusCode::OK, section, title, body)
    }

    /// The hidden CSRF field of a form.
    pub fn csrf_field(&self) -> String {
        super::html::csrf_field(&self.csrf)
    }

    /// 403 unless the form carries the session's token.
    #[allow(clippy::result_large_err)] // the page to answer instead, as every handler's early return
    pub fn check_csrf(&self, form: &HashMap<String, String>) -> Result<(), Response> {
        let given = form.get("csrf").map(String::as_str).unwrap_or_default();
        if same_token(&self.csrf, given) { Ok(()) } else { Err(forbidden(self.lang)) }
    }

    /// The page of an error of an API handler, with its status: the
    /// message the API would give (never an internal detail), and the
    /// diagnostics of a refusal.
    pub fn api_error(&self, section: &str, e: ApiError) -> Response {
        let status = e.status();
        let message = match &e {
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "web page failed");
                self.t("server_error").to_string()
            }
            other => other.to_string(),
        };
        let mut body =
            format!("<p class=\"error\" role=\"alert\"><code>{}</code> {}</p>\n", escape(e.code()), escape(&message));
        let details: Vec<String> = match &e {
            ApiError::Refused(d) | ApiError::InvalidJson { diagnostics: d, .. } => {
                d.iter().map(|d| format!("{} {}: {}", d.code.as_str(), d.path, d.message)).collect()
            }
            ApiError::RulesInvalid(errors) => errors.iter().map(ToString::to_string).collect(),
            _ => Vec::new(),
        };
        if !details.is_empty() {
            body.push_str("<ul class=\"problems\">");
            for d in details {
                body.push_str(&format!("<li>{}</li>", escape(&d)));
            }
            body.push_str("</ul>\n");
        }
        body.push_str(&format!("<p><a href=\"{section}\">{}</a></p>\n", self.t("back_to_section")));
        self.page(status, section, self.t("error"), &body)
    }

    /// The page of a store error.
    pub fn store_error(&self, section: &str, e: StoreError) -> Response {
        self.api_error(section, ApiError::from(e))
    }

    /// The confirmation step of an action: what it will do, and a form that
    /// posts the same fields again with `confirm=1` (and the token).
    pub fn confirm(
        &self,
        section: &str,
        action_url: &str,
        summary: &str,
        fields: &[(&str, &str)],
        cancel_url: &str,
    ) -> Response {
        let hidden = super::html::hidden_fields(fields);
        let body = format!(
            "<section class=\"confirm\" aria-labelledby=\"confirm-what\">\n<p id=\"confirm-what\">{intro}</p>\n\
             <div class=\"summary\">{summary}</div>\n\
             <form method=\"post\" action=\"{action}\">{csrf}{hidden}\
             <button type=\"submit\" name=\"confirm\" value=\"1\" id=\"confirm\">{yes}</button> \
             <a href=\"{cancel}\" id=\"cancel\">{no}</a></form>\n</section>\n",
            intro = self.t("confirm_intro"),
            action = escape(action_url),
            csrf = self.csrf_field(),
            yes = self.t("confirm_yes"),
            cancel = escape(cancel_url),
            no = self.t("confirm_no"),
        );
        self.ok(section, self.t("confirm_title"), &body)
    }

    /// The time in China (UTC+8), `YYYY-MM-DD HH:MM:SS`.
    pub fn time(&self, ms: i64) -> String {
        china_time(ms)
    }
}

/// `YYYY-MM-DD HH:MM:SS` in China time (UTC+8).
pub(crate) fn china_time(ms: i64) -> String {
    let text = cbec_store::Millis(ms.saturating_add(8 * 3_600_000)).to_rfc3339();
    match text.get(..19) {
        Some(s) => s.replacen('T', " ", 1),
        None => ms.to_string(),
    }
}

/// Whether the form asks to act (the confirmation step was passed).
pub(crate) fn confirmed(form: &HashMap<String, String>) -> bool {
    form.get("confirm").is_some_and(|v| v == "1")
}

/// `?done=…` after an action: a notice at the top of the page it leads to.
pub(crate) fn notice(ctx: &Ctx, query: &HashMap<String, String>) -> String {
    match query.get("done") {
        Some(what) => format!(
            "<p class=\"notice\" role=\"status\" id=\"notice\">{} <code>{}</code></p>\n",
            ctx.t("done"),
            escape(what)
        ),
        None => String::new(),
    }
}

/// A query parameter, trimmed, if present and not empty.
pub(crate) fn param<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// Percent-encodes a query value.
pub(crate) fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_china_time() {
        // 2026-03-01T00:00:00Z is 08:00 in Beijing.
        assert_eq!(china_time(1_772_323_200_000), "2026-03-01 08:00:00");
        assert_eq!(url_encode("a b&c/é"), "a%20b%26c%2F%C3%A9");
    }
}
