//! lifeline-server: `lifeline serve`, one shared service for a hospital, its suppliers and
//! partners. A front end like the CLI: handlers check who is calling, read and write
//! through `lifeline-store`, and call the analysis libraries; they hold no analysis.
//!
//! - `/api/v1/...`: the JSON API, described by the OpenAPI 3.1 document at
//!   `/api/v1/openapi.json`, generated from the handlers' annotations (utoipa).
//! - `/taxii2/...`: the TAXII 2.1 server (`routes::taxii`).
//! - `/healthz`, `/readyz`, `/metrics`: for operators.
//! - everything else: the dashboard's pages for browsers ([`web`]).

mod analysis;
pub mod auth;
pub mod config;
pub mod error;
mod extract;
mod jobs;
mod metrics;
pub mod notify;
mod routes;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use lifeline_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

pub use config::{Config, ConfigError, Limits, LogFormat, NotifyConfig};
use error::ApiError;
pub use routes::partners::{drill_inputs, drill_report, recipient_statuses};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    jobs: jobs::Runner,
    metrics: Arc<metrics::Metrics>,
    login_limiter: Arc<auth::LoginLimiter>,
    /// The one-time setup token, while no user exists.
    setup_token: Arc<Mutex<Option<String>>>,
    /// Each organisation's advisories as lifeline-vuln's index, while unchanged.
    advisories: Arc<routes::vuln::AdvisoryCache>,
    /// What the dashboard's pages keep between requests.
    web_cache: Arc<web::WebCache>,
    cookie_secure: bool,
    /// Whether the server itself speaks HTTPS.
    tls: bool,
    session_hours: u32,
    /// `[notify]`: the SMTP relay, ack links, the escalation worker.
    pub(crate) notify: Arc<config::NotifyConfig>,
}

impl AppState {
    /// The state for `store`; starts the job runner, which picks up the jobs a previous
    /// run left unfinished. Must be called inside a tokio runtime.
    pub async fn new(
        store: Store,
        config: &Config,
    ) -> Result<AppState, lifeline_store::StoreError> {
        let metrics = Arc::new(metrics::Metrics::new());
        let runner = jobs::Runner::start(store.clone(), Arc::clone(&metrics));
        for job in store.unfinished_jobs().await? {
            tracing::info!(job = %job.id, "resuming a job left unfinished");
            runner.submit(job.id);
        }
        let setup_token = if store.count_users().await? == 0 {
            Some(lifeline_store::new_secret("setup"))
        } else {
            None
        };
        Ok(AppState {
            store,
            jobs: runner,
            metrics,
            login_limiter: Arc::new(auth::LoginLimiter::new(
                config.limits.login_failures,
                Duration::from_secs(15 * 60),
            )),
            setup_token: Arc::new(Mutex::new(setup_token)),
            advisories: Arc::default(),
            web_cache: Arc::default(),
            cookie_secure: config.cookie_secure.unwrap_or(true),
            tls: config.tls.is_some(),
            session_hours: config.session_hours.unwrap_or(12).clamp(1, 24 * 30),
            notify: Arc::new(config.notify.clone()),
        })
    }

    /// The one-time setup token, while no user exists.
    pub fn setup_token(&self) -> Option<String> {
        self.setup_token.lock().ok().and_then(|t| t.clone())
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lifeline API",
        description = "Cyber resilience of healthcare supply chains: networks, stress tests, \
                       simulations and Monte Carlo runs, per organisation.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "account", description = "Setup, login, tokens, users, audit log"),
        (name = "networks", description = "Supply networks and their versions"),
        (name = "jobs", description = "Stress tests, simulations and Monte Carlo runs"),
        (name = "vulnerabilities", description = "SBOMs, OSV/KEV/VEX advisories and device reports"),
        (name = "epcis", description = "EPCIS 2.0 capture, queries, product history, findings and verification"),
        (name = "vendors", description = "The vendor cyber-risk register: vendors, questionnaire links, evidence files, risk scores"),
        (name = "incidents", description = "Incident response: playbooks, incidents declared on a network, tasks, the hash-chained timeline, after-action reports"),
        (name = "partners", description = "Trusted lines between partners: the partner directory, the signing key, alerts and their acknowledgements, channel drills")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::new(auth::SESSION_COOKIE),
            )),
        );
    }
}

/// The API's routes and their OpenAPI document.
fn api(limits: &Limits) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let uploads = routes::networks::upload_router()
        .merge(routes::vuln::upload_router())
        .merge(routes::epcis::upload_router())
        .merge(routes::vendors::upload_router())
        .merge(routes::exercises::upload_router())
        .layer(DefaultBodyLimit::max(limits.upload_bytes));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::account::router())
        .merge(routes::networks::router())
        .merge(routes::jobs::router())
        .merge(routes::vuln::router())
        .merge(routes::epcis::router())
        .merge(routes::vendors::router())
        .merge(routes::incidents::router())
        .merge(routes::exercises::router())
        .merge(routes::partners::router())
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .merge(uploads)
        .split_for_parts()
}

/// The whole application: the API under `/api/v1`, the operators' endpoints, and the
/// layers every response passes (security headers, metrics, panics caught as 500 JSON).
pub fn app(state: AppState, config: &Config) -> Router {
    let (api, openapi) = api(&config.limits);
    let openapi = Arc::new(openapi);
    let document = move || {
        let openapi = Arc::clone(&openapi);
        async move { Json(openapi.as_ref().clone()) }
    };
    let api = api
        .route("/openapi.json", get(document))
        .fallback(|| async { ApiError::not_found("route", "this path") })
        .method_not_allowed_fallback(|| async {
            ApiError::new_status(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this method is not allowed here",
            )
        });
    let tls = config.tls.is_some();
    let mut router = Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::serve))
        .merge(routes::taxii::router(config.limits.upload_bytes))
        .merge(web::router(&config.limits))
        .fallback(web::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("handler", &"a handler panicked").into_response()
        }))
        .layer(TraceLayer::new_for_http())
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state);
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        (
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
        ("cache-control", "no-store"),
    ] {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    if tls {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    router
}

/// `GET /readyz`: 200 when the database answers, 503 when it does not.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n"),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] lifeline_store::StoreError),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Opens the store named by `config` with its key file.
pub async fn open_store(config: &Config) -> Result<Store, ServeError> {
    let url = config.database_url()?;
    let keyring = lifeline_store::Keyring::open_or_create(&config.key_path()?)
        .map_err(lifeline_store::StoreError::from)?;
    Ok(Store::open(&url).await?.with_keyring(keyring))
}

/// Runs the server until `shutdown` resolves, then stops taking connections, lets the
/// requests in flight finish (up to 30 s: every write is one transaction, so none is
/// left half-done), and closes the database.
pub async fn serve(
    config: &Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_listening: impl FnOnce(SocketAddr, Option<&str>) + Send,
) -> Result<(), ServeError> {
    let addr = config.listen_addr()?;
    config.notify.check()?;
    let store = open_store(config).await?;
    let state = AppState::new(store.clone(), config).await?;
    notify::start_worker(state.clone());
    let setup = state.setup_token();
    let app = app(state, config).into_make_service_with_connect_info::<SocketAddr>();

    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing the requests in flight");
        stopper.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    let listening = handle.clone();
    let announce = async move {
        if let Some(addr) = listening.listening().await {
            on_listening(addr, setup.as_deref());
        }
    };
    let served = async {
        match &config.tls {
            Some(tls) => {
                // ring: the provider that builds with a C compiler alone (aws-lc needs cmake
                // and more); installing twice is harmless. rustls marks it deprecated for
                // lacking post-quantum key exchange, which aws-lc-rs would bring.
                #[allow(deprecated)]
                let _ = rustls::crypto::ring::default_provider().install_default();
                let rustls =
                    axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
                        .await
                        .map_err(|e| {
                            ServeError::Tls(format!(
                                "`{}` / `{}`: {e}",
                                tls.cert.display(),
                                tls.key.display()
                            ))
                        })?;
                axum_server::bind_rustls(addr, rustls)
                    .handle(handle)
                    .serve(app)
                    .await
            }
            None => axum_server::bind(addr).handle(handle).serve(app).await,
        }
        .map_err(|source| ServeError::Listen { addr, source })
    };
    let (served, ()) = tokio::join!(served, announce);
    served?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Logs to stderr, as text or JSON lines; `RUST_LOG` filters (default `info`).
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Runs blocking work (parsing, solving, hashing) off the async threads; a task that
/// panicked or was cancelled is the server's failure (500), logged under `context`.
pub(crate) async fn blocking<T: Send + 'static>(
    context: &'static str,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(context, &e))?
}
