//! Routing, the HTTP server, graceful shutdown and background sweeps.

use std::future::Future;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use crosswatch_store::Store;
use tokio::net::TcpListener;

use crate::config::HubConfig;
use crate::state::AppState;
use crate::taxii::handlers as taxii;
use crate::{HubError, rest};

/// Routes outside TAXII, each described in `rest/openapi.json`.
#[cfg(test)]
pub(crate) const NATIVE_ROUTES: &[&str] = &[
    "/api/incidents",
    "/api/indicators",
    "/api/feed",
    "/api/feed/stream",
    "/api/feedback",
    "/api/audit",
    "/api/openapi.json",
    "/healthz",
    "/metrics",
];

/// The full application: TAXII under `/taxii2/` and `/api1/`, native JSON
/// under `/api/`, and `/healthz` and `/metrics` without authentication.
pub fn router(state: AppState) -> Router {
    let limit = state.max_body_bytes;
    Router::new()
        .route("/taxii2/", get(taxii::discovery))
        .route("/api1/", get(taxii::api_root))
        .route("/api1/collections/", get(taxii::list_collections))
        .route("/api1/collections/{id}/", get(taxii::get_collection))
        .route(
            "/api1/collections/{id}/objects/",
            get(taxii::get_objects).post(taxii::post_objects),
        )
        .route(
            "/api1/collections/{id}/objects/{object_id}/",
            get(taxii::get_object).delete(taxii::delete_object),
        )
        .route(
            "/api1/collections/{id}/objects/{object_id}/versions/",
            get(taxii::get_versions),
        )
        .route("/api1/collections/{id}/manifest/", get(taxii::get_manifest))
        .route("/api1/status/{status_id}/", get(taxii::get_status))
        .route(
            "/api/incidents",
            get(rest::search_incidents).post(rest::submit),
        )
        .route("/api/indicators", get(rest::search_indicators))
        .route("/api/feed", get(rest::feed))
        .route("/api/feed/stream", get(rest::feed_stream))
        .route(
            "/api/feedback",
            get(rest::get_feedback).post(rest::post_feedback),
        )
        .route("/api/audit", get(rest::audit))
        .route("/api/openapi.json", get(rest::openapi::document))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_responses,
        ))
        .with_state(state)
}

async fn count_responses(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    state.metrics.record_status(response.status().as_u16());
    tracing::debug!(%method, %path, status = response.status().as_u16(), "request");
    response
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.latest_seq().await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let seq = state.store.latest_seq().await.unwrap_or(-1);
    let mut response = state.metrics.render(seq).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError::not_found("this endpoint")
}

/// Opens the configured database (creating the data directory and the
/// SQLite file on first start) and runs migrations.
pub async fn open_store(config: &HubConfig) -> Result<Store, HubError> {
    match &config.database_url {
        Some(url) => Ok(Store::open(url).await?),
        None => {
            std::fs::create_dir_all(&config.data_dir).map_err(|source| HubError::Io {
                context: format!("cannot create data directory {}", config.data_dir.display()),
                source,
            })?;
            Ok(Store::open_sqlite(&config.sqlite_path()).await?)
        }
    }
}

/// Runs the hub until SIGTERM or Ctrl-C. In-flight requests finish (and
/// their writes commit) before the database is closed.
pub async fn serve(config: HubConfig) -> Result<(), HubError> {
    let store = open_store(&config).await?;
    if store.list_orgs().await?.is_empty() {
        eprintln!(
            "The hub has no organisations yet. Create the first one and a token:\n  \
             crosswatch admin org create \"My Organisation\"\n  \
             crosswatch admin token create --org \"My Organisation\" --role admin\n\
             (add the same --data-dir/--database options as for serve)"
        );
    }
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| HubError::Io {
            context: format!("cannot listen on {}", config.listen),
            source,
        })?;
    serve_on(listener, store, &config, shutdown_signal()).await
}

/// Serves on an already-bound listener until `shutdown` completes (used by
/// tests and embedding).
pub async fn serve_on(
    listener: TcpListener,
    store: Store,
    config: &HubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), HubError> {
    let address = listener.local_addr().ok();
    let state = AppState::new(store.clone(), config.max_body_bytes);
    let sweeper = (config.retention_sweep_seconds > 0).then(|| {
        let state = state.clone();
        let period = std::time::Duration::from_secs(config.retention_sweep_seconds);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(period);
            loop {
                ticker.tick().await;
                match state
                    .store
                    .sweep_retention(time::OffsetDateTime::now_utc())
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => {
                        state.changed();
                        tracing::info!(expired = n, "retention sweep");
                    }
                    Err(error) => tracing::warn!(%error, "retention sweep failed"),
                }
            }
        })
    });
    tracing::info!(?address, backend = ?store.backend(), "crosswatch hub listening");
    let stopping = state.stopping.clone();
    let shutdown = async move {
        shutdown.await;
        stopping.send_replace(true);
    };
    let result = axum::serve(listener, router(state.clone()))
        .with_graceful_shutdown(shutdown)
        .await;
    if let Some(sweeper) = sweeper {
        sweeper.abort();
    }
    store.close().await;
    tracing::info!("crosswatch hub stopped");
    result.map_err(|source| HubError::Io {
        context: "the HTTP server failed".into(),
        source,
    })
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
