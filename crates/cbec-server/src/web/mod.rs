//! The web interface of `cbec serve` (first slice: sign-in).
//!
//! Pages are rendered here from hand-written templates; the one style sheet
//! is compiled into the binary and served at `/assets/app.css`, so nothing
//! comes from a CDN and no JavaScript is needed. Every string of a page is
//! in [`TEXTS`] in Chinese (the default) and English; `?lang=zh|en` switches
//! and is remembered in the `cbec_lang` cookie.
//!
//! Officers and enterprises sign in with a name (an officer's name, or an
//! enterprise's customs code or USCC) and a password set with `cbec admin
//! set-password`; passwords are kept as Argon2id PHC strings ([`hash_password`],
//! [`verify_password`]), separate from API tokens. A session is a random
//! token in the `cbec_session` cookie (HttpOnly, SameSite=Strict, Path=/,
//! Secure when the request came over TLS as far as the service can tell: an
//! `https` URI or `X-Forwarded-Proto: https`); the store keeps only its
//! SHA-256. Every form carries a CSRF token: the sign-in form the one of a
//! pre-session cookie (`cbec_csrf`, double submit), later forms the one
//! stored with the session. A form without the right token gets 403.
//!
//! These routes are not part of the JSON API and not in the OpenAPI document.
//!
//! The officers' workbench lives in submodules ([`officer`] and the pages
//! it routes to: [`dashboard`], [`queues`], [`documents`], [`enterprises`],
//! [`risk`], [`search`]); they share the helpers below (layout, texts,
//! escaping, cookies, sessions, CSRF), which are `pub(crate)` for them.

use std::collections::HashMap;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher as _, PasswordVerifier as _};
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use cbec_store::{Millis, NewSession, Principal, SessionRow, Store, StoreError};
use sha2::{Digest as _, Sha256};

use crate::AppState;

pub(crate) mod dashboard;
pub(crate) mod documents;
pub(crate) mod enterprises;
pub(crate) mod fields;
pub(crate) mod html;
pub(crate) mod officer;
mod portal;
pub(crate) mod queues;
pub(crate) mod risk;
pub(crate) mod search;
pub(crate) mod svg;
pub(crate) mod texts;
pub mod throttle;

/// The session cookie.
pub const SESSION_COOKIE: &str = "cbec_session";
/// The pre-session cookie holding the sign-in form's CSRF token.
pub const CSRF_COOKIE: &str = "cbec_csrf";
/// The language cookie (`zh` or `en`).
pub const LANG_COOKIE: &str = "cbec_lang";
/// How long a session lasts.
pub const SESSION_TTL_MS: i64 = 12 * 3_600_000;
/// The shortest password `cbec admin set-password` accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;

const CSS: &str = include_str!("../../assets/app.css");

// ---- passwords -----------------------------------------------------------------

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("no randomness for a salt: {0}")]
    Random(String),
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// The Argon2id PHC string of a password, with a fresh random salt and the
/// crate's default parameters.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PasswordError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches a PHC string (false for a malformed one). The
/// comparison is the crate's, in constant time.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the name is unknown, so an unknown name
/// costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("cbec-no-such-account").unwrap_or_default())
}

// ---- accounts ------------------------------------------------------------------

/// Someone who can sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub principal: Principal,
    /// The officer's name or the enterprise's name.
    pub name: String,
    /// The officer's role, or `enterprise`.
    pub role: String,
}

/// Finds an account by name: an officer by name first, else an enterprise by
/// its customs code or USCC.
pub async fn account_by_name(store: &dyn Store, name: &str) -> Result<Option<Account>, StoreError> {
    if let Some(o) = store.officer_by_name(name).await? {
        return Ok(Some(Account { principal: Principal::Officer(o.id), name: o.name, role: o.role.to_string() }));
    }
    if let Some(e) = store.enterprise_by_code(name).await? {
        return Ok(Some(Account {
            principal: Principal::Enterprise(e.id),
            name: e.record.name,
            role: "enterprise".into(),
        }));
    }
    Ok(None)
}

pub(crate) async fn account_of(store: &dyn Store, principal: &Principal) -> Result<Option<Account>, StoreError> {
    let found = match principal {
        Principal::Officer(id) => store.officer(id).await.map(|o| Account {
            principal: principal.clone(),
            name: o.name,
            role: o.role.to_string(),
        }),
        Principal::Enterprise(id) => store.enterprise(id).await.map(|e| Account {
            principal: principal.clone(),
            name: e.record.name,
            role: "enterprise".into(),
        }),
        Principal::System(_) => return Ok(None),
    };
    match found {
        Ok(a) => Ok(Some(a)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

// ---- languages -----------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub(crate) fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The strings of the sign-in pages and those the workbench and the portal
/// share: (key, Chinese, English).
pub(crate) const TEXTS: &[(&str, &str, &str)] = &[
    ("app", "跨境电商海关监管平台", "Cross-border e-commerce customs supervision"),
    ("sign_in", "登录", "Sign in"),
    ("name", "用户名（关员姓名、海关编码或统一社会信用代码）", "Name (officer name, customs code or USCC)"),
    ("password", "密码", "Password"),
    ("bad_login", "用户名或密码错误。", "The name or the password is wrong."),
    (
        "throttled",
        "登录失败次数过多，请 {seconds} 秒后再试。",
        "Too many failed sign-ins for this name: try again in {seconds} s.",
    ),
    ("home", "首页", "Home"),
    ("sign_out", "退出登录", "Sign out"),
    ("language", "语言", "Language"),
    ("forbidden", "请求被拒绝", "Request refused"),
    (
        "bad_csrf",
        "表单缺少有效的安全令牌（CSRF），可能已过期。请返回并重新提交。",
        "The form did not carry a valid security (CSRF) token; it may have expired. Go back and submit it again.",
    ),
    ("back", "返回登录页", "Back to the sign-in page"),
    ("error", "出错了", "Something went wrong"),
    (
        "server_error",
        "服务暂时无法处理该请求，请稍后再试。",
        "The service cannot handle the request now; try again later.",
    ),
    // shared by the workbench and the portal
    ("applications", "申请", "Applications"),
    ("field", "字段", "Field"),
    ("credit", "信用等级", "Credit rating"),
    ("licences", "许可证", "Licences"),
    ("warehouses", "海外仓", "Overseas warehouses"),
    ("credit_history", "信用等级变更", "Credit rating history"),
    ("state", "状态", "State"),
    ("application", "申请", "Application"),
    ("message_type", "报文类型", "Message type"),
    ("document", "单证", "Document"),
    ("status", "状态", "Status"),
    ("sender", "发送企业", "Sender"),
    ("history", "状态历史", "Status history"),
    ("description", "说明", "Description"),
    ("deadline", "期限", "Deadline"),
];

/// The text of `key` in `lang` on the workbench and the sign-in pages: from
/// [`TEXTS`], else the workbench's ([`texts::OFFICER`]); `?` for an unknown
/// key (a test checks every key the pages use).
pub(crate) fn t(lang: Lang, key: &str) -> &'static str {
    texts::lookup(&[TEXTS, texts::OFFICER], lang, key)
}

// ---- HTTP helpers --------------------------------------------------------------

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the request came over TLS, as far as the service can tell.
pub(crate) fn over_tls(headers: &HeaderMap, uri: &Uri) -> bool {
    uri.scheme_str() == Some("https")
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').next().is_some_and(|p| p.trim().eq_ignore_ascii_case("https")))
}

pub(crate) fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

pub(crate) fn random_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 (hex) of a session token: the session's id in the store.
pub fn session_id(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two tokens in time independent of where they differ.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The language of a request and, when `?lang=` chose one, its cookie.
pub(crate) fn language(headers: &HeaderMap, query: &HashMap<String, String>, secure: bool) -> (Lang, Option<String>) {
    if let Some(lang) = query.get("lang").and_then(|l| Lang::parse(l)) {
        return (lang, Some(set_cookie(LANG_COOKIE, lang.code(), Some(365 * 86_400), secure)));
    }
    (cookie(headers, LANG_COOKIE).and_then(Lang::parse).unwrap_or(Lang::Zh), None)
}

pub(crate) fn page(status: StatusCode, lang: Lang, title: &str, body: &str, cookies: &[String]) -> Response {
    page_with(status, lang, title, &Layout::default(), body, cookies)
}

/// What a page adds to the plain layout: a navigation bar (HTML, after the
/// brand), a wide main column, and HTML after the language switch (who is
/// signed in, the sign-out button).
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    pub nav: String,
    pub wide: bool,
    pub account: String,
}

/// A page: the layout around `body`, with the security headers.
pub(crate) fn page_with(
    status: StatusCode,
    lang: Lang,
    title: &str,
    layout: &Layout,
    body: &str,
    cookies: &[String],
) -> Response {
    let switch = [(Lang::Zh, "中文"), (Lang::En, "English")]
        .iter()
        .map(|(l, label)| {
            let current = if *l == lang { " aria-current=\"true\"" } else { "" };
            format!("<a href=\"?lang={}\" lang=\"{}\"{current}>{label}</a>", l.code(), l.html())
        })
        .collect::<String>();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang_attr}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · cbec</title>\n<link rel=\"stylesheet\" href=\"/assets/app.css\">\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">{skip}</a>\n<header><span class=\"brand\">{app}</span>{nav}<nav class=\"lang\" aria-label=\"{language}\">{switch}</nav>{account}</header>\n\
         <main id=\"main\"{wide}>\n<h1>{title}</h1>\n{body}</main>\n</body>\n</html>\n",
        lang_attr = lang.html(),
        title = escape(title),
        app = t(lang, "app"),
        language = t(lang, "language"),
        skip = t(lang, "skip_to_main"),
        nav = layout.nav,
        account = layout.account,
        wide = if layout.wide { " class=\"wide\"" } else { "" },
    );
    let mut response = (status, html).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'"),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    response
}

pub(crate) fn see_other(to: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    h.insert(header::LOCATION, HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/")));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    response
}

pub(crate) fn forbidden(lang: Lang) -> Response {
    let body = format!(
        "<p class=\"error\" role=\"alert\">{}</p>\n<p><a href=\"/login\">{}</a></p>\n",
        t(lang, "bad_csrf"),
        t(lang, "back")
    );
    page(StatusCode::FORBIDDEN, lang, t(lang, "forbidden"), &body, &[])
}

pub(crate) fn failure(lang: Lang, e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "web page failed");
    let body = format!("<p class=\"error\" role=\"alert\">{}</p>\n", t(lang, "server_error"));
    page(StatusCode::INTERNAL_SERVER_ERROR, lang, t(lang, "error"), &body, &[])
}

/// The session of a request, if its cookie names one that has not expired.
pub(crate) async fn current_session(state: &AppState, headers: &HeaderMap) -> Result<Option<SessionRow>, StoreError> {
    let Some(token) = cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let Some(session) = state.store.session(&session_id(token)).await? else {
        return Ok(None);
    };
    Ok((session.expires_at > state.now()).then_some(session))
}

// ---- routes --------------------------------------------------------------------

/// The routes of the web interface.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/assets/app.css", get(stylesheet))
        .merge(officer::routes())
        .merge(portal::routes())
}

async fn stylesheet() -> Response {
    let mut response = CSS.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

async fn home(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let secure = over_tls(&headers, &uri);
    let (lang, lang_cookie) = language(&headers, &query, secure);
    let cookies: Vec<String> = lang_cookie.into_iter().collect();
    let session = match current_session(&state, &headers).await {
        Ok(s) => s,
        Err(e) => return failure(lang, &e),
    };
    let Some(session) = session else {
        return see_other("/login", &cookies);
    };
    let account = match account_of(&*state.store, &session.principal).await {
        Ok(Some(a)) => a,
        Ok(None) => return see_other("/login", &cookies),
        Err(e) => return failure(lang, &e),
    };
    // An officer's home is the dashboard of the workbench, an enterprise's
    // the portal.
    match account.principal {
        Principal::Officer(_) => see_other("/dashboard", &cookies),
        Principal::Enterprise(_) => see_other("/portal", &cookies),
        Principal::System(_) => see_other("/login", &cookies),
    }
}

fn login_page(
    status: StatusCode,
    lang: Lang,
    csrf: &str,
    name: &str,
    error: Option<&str>,
    cookies: &[String],
) -> Response {
    let error = error.map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>\n", escape(e))).unwrap_or_default();
    let body = format!(
        "{error}<form method=\"post\" action=\"/login\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n\
         <label for=\"name\">{name_label}</label>\n\
         <input type=\"text\" id=\"name\" name=\"name\" value=\"{name}\" autocomplete=\"username\" required autofocus>\n\
         <label for=\"password\">{password_label}</label>\n\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\n\
         <button type=\"submit\">{sign_in}</button>\n</form>\n",
        csrf = escape(csrf),
        name_label = t(lang, "name"),
        name = escape(name),
        password_label = t(lang, "password"),
        sign_in = t(lang, "sign_in"),
    );
    page(status, lang, t(lang, "sign_in"), &body, cookies)
}

async fn login_form(Query(query): Query<HashMap<String, String>>, uri: Uri, headers: HeaderMap) -> Response {
    let secure = over_tls(&headers, &uri);
    let (lang, lang_cookie) = language(&headers, &query, secure);
    let mut cookies: Vec<String> = lang_cookie.into_iter().collect();
    // Keep the pre-session token the browser has, so two open tabs both work.
    let csrf = match cookie(&headers, CSRF_COOKIE).filter(|c| c.len() >= 32) {
        Some(c) => c.to_owned(),
        None => match random_token() {
            Some(c) => {
                cookies.push(set_cookie(CSRF_COOKIE, &c, None, secure));
                c
            }
            None => return failure(lang, &"no randomness"),
        },
    };
    login_page(StatusCode::OK, lang, &csrf, "", None, &cookies)
}

async fn login(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let secure = over_tls(&headers, &uri);
    let (lang, _) = language(&headers, &HashMap::new(), secure);
    let expected = cookie(&headers, CSRF_COOKIE).unwrap_or_default();
    let given = form.get("csrf").map(String::as_str).unwrap_or_default();
    if expected.is_empty() || !same_token(expected, given) {
        return forbidden(lang);
    }
    let name = form.get("name").map(|n| n.trim().to_owned()).unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    if let Err(wait_ms) = state.sign_in.check(&name, state.now()) {
        tracing::warn!(name = %name, wait_ms, "web sign-in throttled");
        return throttled(lang, expected, &name, wait_ms);
    }
    let (account, phc) = match find_with_hash(&*state.store, &name).await {
        Ok(found) => found,
        Err(e) => return failure(lang, &e),
    };
    let phc = phc.unwrap_or_else(|| dummy_hash().to_owned());
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await.unwrap_or(false);
    let account = match account {
        Some(a) if verified => a,
        _ => {
            tracing::info!(name = %name, "web sign-in refused");
            state.sign_in.failed(&name, state.now());
            return login_page(StatusCode::UNAUTHORIZED, lang, expected, &name, Some(t(lang, "bad_login")), &[]);
        }
    };
    state.sign_in.succeeded(&name);
    let (Some(token), Some(csrf)) = (random_token(), random_token()) else {
        return failure(lang, &"no randomness");
    };
    let now = state.now();
    let new = NewSession {
        token_hash: session_id(&token),
        principal: account.principal.clone(),
        csrf,
        created_at: now,
        expires_at: Millis(now.0 + SESSION_TTL_MS),
    };
    if let Err(e) = state.store.create_session(new).await {
        return failure(lang, &e);
    }
    tracing::info!(principal = %account.principal, "web sign-in");
    let cookies = [
        set_cookie(SESSION_COOKIE, &token, Some(SESSION_TTL_MS / 1000), secure),
        // The pre-session token has done its job.
        set_cookie(CSRF_COOKIE, "", Some(0), secure),
    ];
    see_other("/", &cookies)
}

/// 429 with `Retry-After`: the name has failed too often lately.
fn throttled(lang: Lang, csrf: &str, name: &str, wait_ms: i64) -> Response {
    let seconds = ((wait_ms + 999) / 1000).to_string();
    let notice = t(lang, "throttled").replace("{seconds}", &seconds);
    let mut response = login_page(StatusCode::TOO_MANY_REQUESTS, lang, csrf, name, Some(&notice), &[]);
    if let Ok(v) = header::HeaderValue::from_str(&seconds) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// The account of a name and its password hash, if both exist.
async fn find_with_hash(store: &dyn Store, name: &str) -> Result<(Option<Account>, Option<String>), StoreError> {
    if name.is_empty() {
        return Ok((None, None));
    }
    let Some(account) = account_by_name(store, name).await? else {
        return Ok((None, None));
    };
    let phc = store.password_hash(&account.principal).await?;
    Ok((phc.is_some().then_some(account), phc))
}

async fn logout(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let secure = over_tls(&headers, &uri);
    let (lang, _) = language(&headers, &HashMap::new(), secure);
    let session = match current_session(&state, &headers).await {
        Ok(s) => s,
        Err(e) => return failure(lang, &e),
    };
    let Some(session) = session else {
        return forbidden(lang);
    };
    let given = form.get("csrf").map(String::as_str).unwrap_or_default();
    if !same_token(&session.csrf, given) {
        return forbidden(lang);
    }
    if let Err(e) = state.store.delete_session(&session.token_hash, state.now()).await {
        return failure(lang, &e);
    }
    see_other("/login", &[set_cookie(SESSION_COOKIE, "", Some(0), secure)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("wrong horse battery", &phc));
        assert!(!verify_password("correct horse battery", "not a phc string"));
        assert_ne!(hash_password("correct horse battery").unwrap(), phc, "salts differ");
    }

    #[test]
    fn every_string_has_both_languages() {
        for (key, zh, en) in TEXTS {
            assert!(!zh.is_empty() && !en.is_empty(), "{key}");
        }
        assert_eq!(t(Lang::En, "sign_in"), "Sign in");
        assert_eq!(t(Lang::Zh, "sign_in"), "登录");
    }

    #[test]
    fn cookies_and_escaping() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; cbec_session=tok; cbec_lang=en"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&h, "missing"), None);
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("abc", "ab"));
    }
}
