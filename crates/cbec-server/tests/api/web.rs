//! The web interface: sign-in pages, sessions, CSRF and languages, through
//! the real router.

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use cbec_server::web::{hash_password, session_id};
use cbec_store::{Actor, Millis, Principal};
use serde_json::json;
use tower::ServiceExt as _;

use crate::helpers::{START, TestApp, new_uscc, record};

pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Page {
    pub(crate) fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
    }

    /// The value a Set-Cookie of this answer gives `name`.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    }

    pub(crate) fn set_cookie_line(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The hidden CSRF field of the page's form.
    pub(crate) fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
        self.body[at..].split('"').next().unwrap().to_owned()
    }

    pub(crate) fn location(&self) -> &str {
        self.headers.get(header::LOCATION).map_or("", |v| v.to_str().unwrap())
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    cookies: &[(&str, &str)],
    form: Option<&[(&str, &str)]>,
) -> Page {
    let mut builder = Request::builder().method(method).uri(path);
    if !cookies.is_empty() {
        let line = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        builder = builder.header(header::COOKIE, line);
    }
    let request = match form {
        Some(fields) => {
            let body = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
            builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(body)).unwrap()
        }
        None => builder.body(Body::empty()).unwrap(),
    };
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Page { status, headers, body: String::from_utf8(bytes.to_vec()).unwrap() }
}

pub(crate) async fn set_password(app: &TestApp, principal: Principal, password: &str) {
    let actor = Actor { principal: Principal::System("test".into()), at: Millis(START) };
    app.state.store.set_password(&principal, &hash_password(password).unwrap(), &actor).await.unwrap();
}

pub(crate) async fn officer_principal(app: &TestApp, name: &str) -> Principal {
    Principal::Officer(app.state.store.officer_by_name(name).await.unwrap().unwrap().id)
}

/// Gets the sign-in form, then posts it; returns the answer.
pub(crate) async fn sign_in(app: &TestApp, name: &str, password: &str) -> Page {
    let form = send(app, Method::GET, "/login", &[], None).await;
    let pre = form.cookie("cbec_csrf").expect("a pre-session cookie");
    let csrf = form.csrf();
    send(
        app,
        Method::POST,
        "/login",
        &[("cbec_csrf", &pre)],
        Some(&[("csrf", &csrf), ("name", name), ("password", password)]),
    )
    .await
}

#[tokio::test]
async fn signed_out_visitors_go_to_the_sign_in_page() {
    let app = TestApp::spawn().await;
    let home = send(&app, Method::GET, "/", &[], None).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), "/login");
    // A made-up session cookie is no session.
    let home = send(&app, Method::GET, "/", &[("cbec_session", "made-up")], None).await;
    assert_eq!(home.location(), "/login");

    let login = send(&app, Method::GET, "/login", &[], None).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(login.body.contains("<html lang=\"zh-CN\">"), "Chinese by default");
    assert!(login.body.contains("登录"));
    assert!(login.body.contains("<label for=\"name\">") && login.body.contains("<label for=\"password\">"));
    assert!(login.body.contains("autofocus"));
    assert!(login.body.contains("href=\"/assets/app.css\""));
    assert!(!login.body.contains("<script"), "no JavaScript");
    let csrf = login.csrf();
    assert!(csrf.len() >= 32);
    assert_eq!(login.cookie("cbec_csrf").as_deref(), Some(csrf.as_str()), "bound to the pre-session cookie");
    let line = login.set_cookie_line("cbec_csrf").unwrap();
    assert!(line.contains("HttpOnly") && line.contains("SameSite=Strict"), "{line}");

    let css = send(&app, Method::GET, "/assets/app.css", &[], None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/css"));
    assert!(css.body.contains("body"));
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    app.officer("rita", "reviewer").await;
    set_password(&app, officer_principal(&app, "rita").await, "rita-password-1").await;
    let form = send(&app, Method::GET, "/login", &[], None).await;
    let pre = form.cookie("cbec_csrf").unwrap();
    let fields = [("name", "rita"), ("password", "rita-password-1")];
    // No token in the form, no cookie, or a token that is not the cookie's.
    let missing = send(&app, Method::POST, "/login", &[("cbec_csrf", &pre)], Some(&fields)).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("CSRF"), "{}", missing.body);
    let csrf = form.csrf();
    let with = [("csrf", csrf.as_str()), ("name", "rita"), ("password", "rita-password-1")];
    assert_eq!(send(&app, Method::POST, "/login", &[], Some(&with)).await.status, StatusCode::FORBIDDEN);
    let other = [("csrf", "x".repeat(43)), ("name", "rita".into()), ("password", "rita-password-1".into())];
    let other: Vec<(&str, &str)> = other.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let wrong = send(&app, Method::POST, "/login", &[("cbec_csrf", &pre)], Some(&other)).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(wrong.cookie("cbec_session"), None);
}

#[tokio::test]
async fn officers_sign_in_and_out() {
    let app = TestApp::spawn().await;
    app.officer("rita", "reviewer").await;
    app.officer("nopass", "reviewer").await;
    set_password(&app, officer_principal(&app, "rita").await, "rita-password-1").await;

    // Wrong password, unknown name, an account without a password: the same 401.
    let wrong = sign_in(&app, "rita", "not-her-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.cookie("cbec_session"), None);
    assert!(wrong.body.contains("用户名或密码错误"));
    for (name, password) in [("nobody", "rita-password-1"), ("nopass", "rita-password-1"), ("", "")] {
        let refused = sign_in(&app, name, password).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(refused.cookie("cbec_session"), None);
    }

    let ok = sign_in(&app, "rita", "rita-password-1").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/");
    let line = ok.set_cookie_line("cbec_session").expect("a session cookie");
    assert!(line.contains("HttpOnly"), "{line}");
    assert!(line.contains("SameSite=Strict"), "{line}");
    assert!(line.contains("Path=/"), "{line}");
    assert!(!line.contains("Secure"), "plain HTTP: {line}");
    let token = ok.cookie("cbec_session").unwrap();

    // The store holds the token's hash only.
    let row = app.state.store.session(&session_id(&token)).await.unwrap().expect("the session");
    assert_eq!(row.principal, officer_principal(&app, "rita").await);
    assert_ne!(row.token_hash, token);
    let db = rusqlite::Connection::open(app._dir.path().join("cbec.db")).unwrap();
    let (id, dump): (String, String) = db
        .query_row("SELECT id, id || principal || csrf FROM web_sessions", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(id, session_id(&token));
    assert!(!dump.contains(&token), "the token itself is stored");
    let audit: String = db.query_row("SELECT group_concat(entity_id || coalesce(after_json, '') || coalesce(before_json, ''), '') FROM audit_log", [], |r| r.get(0)).unwrap();
    assert!(!audit.contains(&token) && !audit.contains(&id) && !audit.contains("argon2"), "secrets in the audit log");

    // An officer's home is the workbench's dashboard.
    let home = send(&app, Method::GET, "/", &[("cbec_session", &token)], None).await;
    assert_eq!((home.status, home.location()), (StatusCode::SEE_OTHER, "/dashboard"));
    let home = send(&app, Method::GET, "/dashboard", &[("cbec_session", &token)], None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("rita"), "{}", home.body);
    assert!(home.body.contains("reviewer"));
    assert!(home.body.contains("action=\"/logout\""));

    // Sign-out needs the session's CSRF token.
    let refused = send(&app, Method::POST, "/logout", &[("cbec_session", &token)], Some(&[("csrf", "wrong")])).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(app.state.store.session(&session_id(&token)).await.unwrap().is_some());
    let csrf = home.csrf();
    let out = send(&app, Method::POST, "/logout", &[("cbec_session", &token)], Some(&[("csrf", &csrf)])).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/login");
    assert!(out.set_cookie_line("cbec_session").unwrap().contains("Max-Age=0"));
    assert_eq!(app.state.store.session(&session_id(&token)).await.unwrap(), None, "the session is gone");
    let home = send(&app, Method::GET, "/", &[("cbec_session", &token)], None).await;
    assert_eq!(home.location(), "/login");
}

#[tokio::test]
async fn sessions_expire_and_cookies_are_secure_behind_tls() {
    let app = TestApp::spawn().await;
    app.officer("rita", "reviewer").await;
    set_password(&app, officer_principal(&app, "rita").await, "rita-password-1").await;

    let form = send(&app, Method::GET, "/login", &[], None).await;
    let pre = form.cookie("cbec_csrf").unwrap();
    let csrf = form.csrf();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::COOKIE, format!("cbec_csrf={pre}"))
        .header("x-forwarded-proto", "https")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}&name=rita&password=rita-password-1")))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let line = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("cbec_session="))
        .unwrap();
    assert!(line.contains("; Secure"), "{line}");
    let token = line["cbec_session=".len()..].split(';').next().unwrap().to_owned();

    assert_eq!(send(&app, Method::GET, "/dashboard", &[("cbec_session", &token)], None).await.status, StatusCode::OK);
    app.set_time(START + 13 * 3_600_000);
    let later = send(&app, Method::GET, "/dashboard", &[("cbec_session", &token)], None).await;
    assert_eq!(later.status, StatusCode::SEE_OTHER, "expired after 12 hours");
}

#[tokio::test]
async fn enterprises_sign_in_with_their_code() {
    let app = TestApp::spawn().await;
    let reviewer = app.officer("rita", "reviewer").await;
    let supervisor = app.officer("sam", "supervisor").await;
    let uscc = new_uscc();
    let id = app.file(&reviewer, &supervisor, json!({"record": record(&uscc, &["ebc"])})).await;
    set_password(&app, Principal::Enterprise(id), "shop-password-1").await;

    let ok = sign_in(&app, &uscc, "shop-password-1").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let token = ok.cookie("cbec_session").unwrap();
    // An enterprise's home is its portal.
    let home = send(&app, Method::GET, "/?lang=en", &[("cbec_session", &token)], None).await;
    assert_eq!((home.status, home.location()), (StatusCode::SEE_OTHER, "/portal"));
    let portal = send(&app, Method::GET, "/portal?lang=en", &[("cbec_session", &token)], None).await;
    assert_eq!(portal.status, StatusCode::OK);
    assert!(portal.body.contains(&uscc), "{}", portal.body);
    assert!(portal.body.contains("action=\"/logout\""));
}

#[tokio::test]
async fn the_language_switches_and_is_remembered() {
    let app = TestApp::spawn().await;
    let en = send(&app, Method::GET, "/login?lang=en", &[], None).await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(en.body.contains(">Sign in</h1>"));
    assert!(en.body.contains("<label for=\"password\">Password</label>"));
    assert!(!en.body.contains("密码</label>"));
    assert_eq!(en.cookie("cbec_lang").as_deref(), Some("en"));
    // The cookie keeps English; ?lang=zh goes back.
    let again = send(&app, Method::GET, "/login", &[("cbec_lang", "en")], None).await;
    assert!(again.body.contains(">Sign in</h1>"));
    let zh = send(&app, Method::GET, "/login?lang=zh", &[("cbec_lang", "en")], None).await;
    assert!(zh.body.contains("<html lang=\"zh-CN\">") && zh.body.contains("<label for=\"password\">密码</label>"));
    assert_eq!(zh.cookie("cbec_lang").as_deref(), Some("zh"));
    // The switch links are on every page.
    assert!(zh.body.contains("href=\"?lang=en\"") && zh.body.contains("href=\"?lang=zh\""));
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_slowed_down() {
    let app = TestApp::spawn().await;
    app.officer("rita", "reviewer").await;
    set_password(&app, officer_principal(&app, "rita").await, "rita-password-1").await;

    // The test clock moves one second a reading: it is set back before each
    // attempt, so they all come within the same second or two.
    for _ in 0..cbec_server::web::throttle::FREE {
        app.set_time(START);
        assert_eq!(sign_in(&app, "rita", "guess-guess-1").await.status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password has to wait, and the page says how long.
    app.set_time(START);
    let held = sign_in(&app, "RITA", "rita-password-1").await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = held.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=3).contains(&wait), "{wait}");
    assert!(held.body.contains(&format!("{wait} 秒后再试")), "{}", held.body);
    assert_eq!(held.cookie("cbec_session"), None);
    // Another name is not affected.
    assert_eq!(sign_in(&app, "sam", "whatever-123").await.status, StatusCode::UNAUTHORIZED);
    // Once the wait is over the right password gets in, and clears the count.
    app.set_time(START + 10_000);
    let ok = sign_in(&app, "rita", "rita-password-1").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(sign_in(&app, "rita", "guess-guess-1").await.status, StatusCode::UNAUTHORIZED);
}
