//! The cbec HTTP service, and the only crate that knows HTTP.
//!
//! [`app`] builds the axum [`Router`] over an [`AppState`] (the
//! [`Store`], an injected [`Clock`], the [`metrics::Metrics`] registry and
//! the resolved [`config::Config`]); [`serve`] runs it on a listener with
//! structured logs and graceful shutdown, and [`run`] is what `cbec serve`
//! calls. Every route is declared once in [`routes::table`], from which both
//! the router and the OpenAPI document ([`openapi::document`]) are built.
//!
//! The API (prefix `/api/v1`) is the enterprise filing workflow of customs:
//! officers and enterprises authenticate with bearer tokens ([`auth`]);
//! applications ([`ApplicationKind`](cbec_model::filing::ApplicationKind))
//! are checked by the pure filing rules of `cbec_rules::filing` when they
//! are submitted and again when a reviewer approves them, and the approval
//! applies the computed [`Effect`](cbec_store::Effect) atomically in the
//! store. Clearance runs through [`cbec_pipeline`]; the risk engine's rule
//! sets (`/risk/…`: upload, four-eyes activation, dry runs) and quality and
//! safety monitoring (`/monitoring/…`: plans, results, warnings, orders,
//! credit proposals) reload the pipeline's risk settings when they change
//! what applies to the next list. Errors are one [`error::ApiError`] type
//! answering `{"error": {"code", "message", "diagnostics"?, "rule_errors"?,
//! "problems"?}}`.
//!
//! Beside the API, [`web`] serves the HTML pages of the web interface
//! (sign-in with passwords and session cookies, CSRF-checked forms, Chinese
//! and English) with every asset compiled into the binary.

// The OpenAPI schemas are one large `json!` literal.
#![recursion_limit = "512"]
// Tests may unwrap; library code may not (workspace lint `unwrap_used`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod filing;
pub mod json;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod telemetry;
pub mod web;
pub mod workers;

use std::future::{Future, IntoFuture};
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use cbec_model::filing::Role;
use cbec_store::{Actor, Millis, NewOfficer, NewToken, Officer, Principal, Store, StoreError, StoreMode};
use tokio::net::TcpListener;

pub use config::Config;
pub use error::ApiError;

/// Where the service reads the time: the system clock in production, a
/// controllable one in tests. Nothing else in the service reads the clock.
pub type Clock = Arc<dyn Fn() -> Millis + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Millis(ms)
    })
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Clock,
    pub metrics: Arc<metrics::Metrics>,
    pub config: Arc<Config>,
    /// The clearance pipeline (intake, decisions, officer actions).
    pub pipeline: Arc<cbec_pipeline::Pipeline>,
    /// Failed web sign-ins by account name (see [`web::throttle`]).
    pub sign_in: Arc<web::throttle::Throttle>,
}

/// A seed from the operating system's randomness (through the hasher keys
/// std draws for each `RandomState`).
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    h.finish()
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, clock: Clock, config: Config) -> AppState {
        let mut pipeline = cbec_pipeline::PipelineConfig::default();
        pipeline.clearance.pending_deadline_ms = i64::try_from(config.pending_deadline.as_millis()).unwrap_or(i64::MAX);
        pipeline.clearance.auto_release = config.auto_release;
        pipeline.max_in_flight = config.max_in_flight;
        pipeline.sandbox = config.sandbox;
        pipeline.clearance.risk.seed = config.risk_seed.unwrap_or_else(random_seed);
        let pipeline = Arc::new(cbec_pipeline::Pipeline::new(store.clone(), pipeline));
        AppState {
            store,
            clock,
            metrics: Arc::new(metrics::Metrics::new()),
            config: Arc::new(config),
            pipeline,
            sign_in: Arc::default(),
        }
    }

    /// The current time, from the state's clock.
    pub fn now(&self) -> Millis {
        (self.clock)()
    }
}

/// The service: every route of [`routes::table`], JSON errors for unknown
/// routes and methods, the body limit, and the request log and metrics.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new();
    for route in routes::table() {
        router = router.route(route.doc.path, route.handler);
    }
    // The web pages (sign-in first) are not API routes: outside the table
    // and the OpenAPI document.
    router
        .merge(web::routes())
        .fallback(|| async { ApiError::RouteNotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Logs every request and records it in the metrics, by route template.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map_or(metrics::UNMATCHED, |p| p.as_str()).to_owned();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if state.config.sandbox {
        // Every answer of a sandbox says so, so no one mistakes it for customs.
        response.headers_mut().insert("x-cbec-sandbox", axum::http::HeaderValue::from_static("true"));
    }
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.observe(&route, method.as_str(), status, elapsed);
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    if matches!(route.as_str(), "/healthz" | "/readyz" | "/metrics") {
        tracing::debug!(%method, %route, %path, status, latency_ms, "request");
    } else if status >= 500 {
        tracing::error!(%method, %route, %path, status, latency_ms, "request");
    } else {
        tracing::info!(%method, %route, %path, status, latency_ms, "request");
    }
    response.into_response()
}

/// Creates the first administrator, named `name`, if the store has no
/// officer yet, and returns it with its API token (to show once).
pub async fn bootstrap_administrator(
    store: &dyn Store,
    name: &str,
    now: Millis,
) -> Result<Option<(Officer, String)>, ServeError> {
    if !store.list_officers().await?.is_empty() {
        return Ok(None);
    }
    let (token, hash) = auth::generate_token().map_err(|e| ServeError::Random(e.to_string()))?;
    let actor = Actor { principal: Principal::System("bootstrap".to_owned()), at: now };
    let officer = store
        .create_officer(
            NewOfficer { name: name.to_owned(), role: Role::Administrator },
            NewToken { owner: None, hash, label: "bootstrap".to_owned() },
            &actor,
        )
        .await?;
    Ok(Some((officer, token)))
}

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("no randomness for the first administrator's token: {0}")]
    Random(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("{url} is a {found} database; this server was started as {wanted}: {hint}")]
    Mode { url: String, found: &'static str, wanted: &'static str, hint: &'static str },
}

/// A future that completes on ctrl-c (SIGINT) or SIGTERM. The handlers are
/// installed when this is called (inside a runtime), not when the future is
/// first polled, so a signal that arrives while the service starts is not
/// lost.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

/// Serves `app(state)` on `listener` until `shutdown` completes, then stops
/// accepting connections and lets in-flight requests finish for at most
/// `grace`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (tx, mut rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app(state)).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!(grace_secs = grace.as_secs_f64(), "shutting down: finishing in-flight requests");
        let _ = tx.send(true);
    });
    let deadline = async move {
        if rx.wait_for(|stopping| *stopping).await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server.into_future() => result?,
        () = deadline => tracing::warn!("the shutdown grace expired; closing the remaining connections"),
    }
    tracing::info!("stopped");
    Ok(())
}

/// Claims the database for this server's mode: a sandbox server never
/// opens a database of real traffic, nor a real server a sandbox's.
pub async fn claim_mode(store: &dyn Store, config: &Config, now: Millis) -> Result<(), ServeError> {
    let wanted = if config.sandbox { StoreMode::Sandbox } else { StoreMode::Production };
    let actor = Actor { principal: Principal::System("serve".to_owned()), at: now };
    let found = store.claim_mode(wanted, &actor).await?;
    if found == wanted {
        return Ok(());
    }
    Err(ServeError::Mode {
        url: redact_url(&config.database_url),
        found: found.name(),
        wanted: wanted.name(),
        hint: if config.sandbox {
            "a sandbox never touches real data; give it its own database (--db), by default sqlite://cbec-data/cbec-sandbox.db"
        } else {
            "start it with `cbec serve --sandbox`, or name the production database with --db"
        },
    })
}

/// A database URL without its password.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// `cbec serve`: opens (creating) the database, creates the first
/// administrator if there is none (its token is written to `notices`, the
/// only time it is shown), listens, and serves until ctrl-c or SIGTERM.
pub fn run(config: Config, notices: &mut (dyn Write + Send)) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(ServeError::Runtime)?;
    runtime.block_on(async {
        let stop = shutdown_signal()?;
        if let Some(dir) = config.sqlite_path().and_then(std::path::Path::parent)
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|source| ServeError::DataDir { path: dir.display().to_string(), source })?;
        }
        let store = cbec_store::open(&config.database_url).await?;
        let clock = system_clock();
        claim_mode(&*store, &config, clock()).await?;
        if let Some((officer, token)) = bootstrap_administrator(&*store, &config.bootstrap_admin, clock()).await? {
            tracing::info!(officer = %officer.id, name = %officer.name, "created the first administrator");
            let _ = writeln!(
                notices,
                "cbec: created the first administrator {:?} (id {}). Its API token, shown only this once:\n\n    {token}\n",
                officer.name, officer.id
            );
        }
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| ServeError::Bind { addr: config.listen, source })?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, backend = store.backend(), "listening");
        let _ = writeln!(notices, "cbec: listening on http://{addr}");
        let _ = notices.flush();
        let grace = config.shutdown_grace;
        let state = AppState::new(store, clock, config);
        workers::load_reference_data(&state).await;
        workers::load_risk(&state).await;
        let background = workers::spawn(state.clone());
        let served = serve(listener, state, stop, grace).await;
        background.abort();
        served?;
        Ok(())
    })
}
