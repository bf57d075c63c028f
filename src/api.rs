//! The HTTP API: `fn app(State) -> Router`, routes, and the one error shape
//! `{"error":{"code","message"}}`.
//!
//! Searches run on the blocking pool (they are CPU work); every user mistake is a 4xx with a
//! JSON body, internal failures are logged and shown as a generic 500.

use std::sync::atomic::Ordering;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::error::Error;
use crate::index::writer::Writer;
use crate::search::{Engine, Params, Request};

/// Shared state of the server: cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    /// The writer, for its status (pending, failed, last commit).
    pub writer: Option<Writer>,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = match &self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Internal(e) => {
                tracing::error!("internal error: {e:#}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let message = match &self {
            Error::Internal(_) => "internal error".to_string(),
            other => other.to_string(),
        };
        (
            status,
            Json(json!({"error": {"code": self.code(), "message": message}})),
        )
            .into_response()
    }
}

/// The router with every route, CORS for read-only routes and request tracing.
pub fn app(state: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE]);
    Router::new()
        .route("/api/health", get(health))
        .route("/api/search", get(search))
        .route("/api/documents/{doc_id}", get(document))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(cors)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn health(State(s): State<AppState>) -> Response {
    let engine = s.engine.clone();
    let (documents, articles) = match tokio::task::spawn_blocking(move || engine.counts()).await {
        Ok(c) => c,
        Err(e) => return Error::Internal(e.into()).into_response(),
    };
    let list = |m: &std::sync::Mutex<std::collections::BTreeMap<String, String>>| -> Vec<serde_json::Value> {
        m.lock().unwrap().iter().map(|(source, reason)| json!({"source": source, "reason": reason})).collect()
    };
    let (pending, failed, skipped, last_commit, ready) = match &s.writer {
        Some(w) => {
            let st = &w.status;
            (
                st.pending.load(Ordering::SeqCst),
                list(&st.failed),
                list(&st.skipped),
                st.last_commit.lock().unwrap().clone(),
                // Ready: the startup reconciliation is committed and no file is waiting.
                st.ready.load(Ordering::SeqCst) && st.pending.load(Ordering::SeqCst) == 0,
            )
        }
        None => (0, Vec::new(), Vec::new(), None, true),
    };
    Json(json!({
        "status": "ok",
        "documents": documents,
        "articles": articles,
        "pending": pending,
        "failed": failed,
        "skipped": skipped,
        "last_commit": last_commit,
        "ready": ready,
    }))
    .into_response()
}

async fn search(
    State(s): State<AppState>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, Error> {
    let Query(params) =
        params.map_err(|e| Error::BadRequest(format!("bad query string: {}", e.body_text())))?;
    let req = Request::from_params(&params)?;
    let engine = s.engine.clone();
    let resp = tokio::task::spawn_blocking(move || engine.search(&req))
        .await
        .map_err(|e| Error::Internal(e.into()))??;
    Ok(Json(resp).into_response())
}

async fn document(
    State(s): State<AppState>,
    doc_id: Result<Path<String>, PathRejection>,
) -> Result<Response, Error> {
    let Path(doc_id) = doc_id.map_err(|_| Error::NotFound("no such document".into()))?;
    if doc_id.len() > 64 || !doc_id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::NotFound(format!("no document with id {doc_id:?}")));
    }
    let engine = s.engine.clone();
    let doc = tokio::task::spawn_blocking(move || engine.document(&doc_id))
        .await
        .map_err(|e| Error::Internal(e.into()))??;
    Ok(Json(doc).into_response())
}

async fn method_not_allowed() -> Response {
    let body = json!({"error": {"code": "method_not_allowed", "message": "only GET is supported on this route"}});
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

async fn not_found() -> Error {
    Error::NotFound("no such route; see /api/health, /api/search, /api/documents/{doc_id}".into())
}
