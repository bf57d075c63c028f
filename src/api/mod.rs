//! The HTTP front end: `fn app(State) -> Router` with the JSON API, the search page
//! ([`web`]), the OpenAPI description ([`openapi`]), admin routes, and the one error shape
//! `{"error":{"code","message"}}`.
//!
//! Searches and suggestions run on the runtime worker (see [`inline`]), file and whole-document
//! work on the blocking pool; every user mistake is a 4xx with a JSON body, internal failures
//! are logged and shown as a generic 500.

pub mod metrics;
pub mod openapi;
pub mod web;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;
use utoipa::ToSchema;

use crate::error::Error;
use crate::index::writer::{Op, Writer};
use crate::ingest::Document;
use crate::search::suggest::{Suggestions, MAX_SUGGEST};
use crate::search::{Engine, Filters, Params, Request, Similar};

/// Shared state of the server: cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    /// The writer, for its status (pending, failed, last commit) and admin reindexing.
    pub writer: Option<Writer>,
    /// The docs folder, for serving original files.
    pub docs: Option<PathBuf>,
    /// The index folder, for statistics.
    pub index_dir: Option<PathBuf>,
    /// Bearer key of the admin routes; `None` switches them off.
    pub admin_key: Option<Arc<str>>,
    /// Origins allowed to call the read-only API from a browser; empty = any.
    pub cors_origins: Vec<String>,
    /// Request counts and latencies for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// A state with only an engine: no writer, no docs folder, admin off, CORS for any origin.
    pub fn new(engine: Engine) -> AppState {
        AppState {
            engine,
            writer: None,
            docs: None,
            index_dir: None,
            admin_key: None,
            cors_origins: Vec::new(),
            metrics: Arc::default(),
        }
    }
}

/// The JSON error body.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// bad_request, not_found, unauthorized, forbidden, method_not_allowed or internal.
    pub code: String,
    pub message: String,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = match &self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::Internal(e) => {
                tracing::error!("internal error: {e:#}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let message = match &self {
            Error::Internal(_) => "internal error".to_string(),
            other => other.to_string(),
        };
        let body = Json(json!({"error": {"code": self.code(), "message": message}}));
        if status == StatusCode::UNAUTHORIZED {
            return (status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        (status, body).into_response()
    }
}

/// The router with every route, CORS on the read-only API, and request tracing.
pub fn app(state: AppState) -> Router {
    let origins: Vec<HeaderValue> = state
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let allow = if origins.is_empty() {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins)
    };
    let cors = CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE]);
    let read_only = Router::new()
        .route("/api/health", get(health))
        .route("/api/search", get(search))
        .route("/api/documents/{doc_id}", get(document))
        .route("/api/documents/{doc_id}/raw", get(raw))
        .route("/api/suggest", get(suggest))
        .route("/api/articles/{id}/similar", get(similar))
        .route("/api/openapi.json", get(openapi::json))
        .layer(cors);
    let admin = Router::new()
        .route("/api/admin/reindex", post(reindex))
        .route("/api/admin/stats", get(admin_stats));
    Router::new()
        .merge(read_only)
        .merge(admin)
        .route("/api/docs", get(openapi::docs))
        .route("/metrics", get(metrics::metrics))
        .merge(web::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A file that was not indexed, and why.
#[derive(Serialize, ToSchema)]
pub struct FileIssue {
    pub source: String,
    pub reason: String,
}

/// Service health and indexing state.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    pub documents: usize,
    pub articles: usize,
    /// Files waiting to be indexed or removed.
    pub pending: usize,
    /// Files that could not be read.
    pub failed: Vec<FileIssue>,
    /// Files of a type this version does not read (.doc, .wps …).
    pub skipped: Vec<FileIssue>,
    /// Time of the last commit (ISO 8601, UTC).
    pub last_commit: Option<String>,
    /// The startup scan is committed and nothing is pending.
    pub ready: bool,
}

fn health_of(s: &AppState, (documents, articles): (usize, usize)) -> Health {
    let list = |m: &std::sync::Mutex<std::collections::BTreeMap<String, String>>| {
        m.lock()
            .unwrap()
            .iter()
            .map(|(source, reason)| FileIssue {
                source: source.clone(),
                reason: reason.clone(),
            })
            .collect()
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
    Health {
        status: "ok".into(),
        documents,
        articles,
        pending,
        failed,
        skipped,
        last_commit,
        ready,
    }
}

/// Runs index work on the current runtime worker. Measured on 2 cores, this beats handing it to
/// the blocking pool on every figure (peers corpus p50 0.55 → 0.47 ms; 100k mix at 16
/// connections 445 → 526 QPS, p99 156 → 61 ms): searches are CPU work, the hand-off costs two
/// thread wake-ups, and a pool of many threads only time-slices the same two cores. A panic is a
/// 500, as it was from the pool.
pub(crate) fn inline<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| {
        let what = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Error::Internal(anyhow::anyhow!("panic: {what}")))
    })
}

/// Runs file or bulk work on the blocking pool (it may wait on the disk).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(e.into()))?
}

/// Service health: counts, pending files, files that failed or were skipped.
#[utoipa::path(get, path = "/api/health", tag = "service",
    responses((status = 200, description = "The service is up", body = Health)))]
pub async fn health(State(s): State<AppState>) -> Result<Json<Health>, Error> {
    let engine = s.engine.clone();
    let counts = blocking(move || Ok(engine.counts())).await?;
    Ok(Json(health_of(&s, counts)))
}

/// Ranked, faceted search over articles.
#[utoipa::path(get, path = "/api/search", tag = "search", params(Params),
    responses(
        (status = 200, description = "Hits, total, facets", body = crate::search::Response),
        (status = 400, description = "A malformed parameter", body = ErrorBody)))]
pub async fn search(
    State(s): State<AppState>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, Error> {
    let Query(params) =
        params.map_err(|e| Error::BadRequest(format!("bad query string: {}", e.body_text())))?;
    let req = Request::from_params(&params)?;
    let resp = inline(|| s.engine.search(&req))?;
    Ok(Json(resp).into_response())
}

/// `/api/suggest` parameters.
#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What the user has typed so far: characters, or pinyin (`wsxf`, `ganfutong`).
    pub q: Option<String>,
    /// How many, 1–20 (default 8).
    pub size: Option<String>,
}

fn size_param(v: &Option<String>, default: usize, max: usize) -> Result<usize, Error> {
    match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                Error::BadRequest(format!("size must be between 1 and {max}, got {s:?}"))
            }),
    }
}

/// Completions of a prefix from the corpus's vocabulary: practice names, title words, titles,
/// 文号, places; pinyin initials or full pinyin for names and places.
#[utoipa::path(get, path = "/api/suggest", tag = "search", params(SuggestParams),
    responses(
        (status = 200, description = "Suggestions, best first", body = Suggestions),
        (status = 400, description = "A malformed parameter", body = ErrorBody)))]
pub async fn suggest(
    State(s): State<AppState>,
    params: Result<Query<SuggestParams>, QueryRejection>,
) -> Result<Json<Suggestions>, Error> {
    let Query(p) =
        params.map_err(|e| Error::BadRequest(format!("bad query string: {}", e.body_text())))?;
    let size = size_param(&p.size, 8, MAX_SUGGEST)?;
    let q: String = p.q.unwrap_or_default().chars().take(64).collect();
    let engine = s.engine.clone();
    let suggestions = inline(|| Ok(engine.suggest(&q, size)))?;
    Ok(Json(Suggestions { suggestions }))
}

/// `/api/articles/{id}/similar` parameters.
#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// How many, 1–50 (default 10).
    pub size: Option<String>,
    /// Only articles in this region (name or code, any level).
    pub region: Option<String>,
    /// Leave out the other articles of the same document (default true).
    pub exclude_same_doc: Option<String>,
}

/// Articles about the same practice elsewhere (more-like-this on the article's distinctive
/// words), each with its locality.
#[utoipa::path(get, path = "/api/articles/{id}/similar", tag = "search",
    params(("id" = String, Path, description = "An article id (`id` of a hit)"), SimilarParams),
    responses(
        (status = 200, description = "Similar articles, best first", body = Similar),
        (status = 400, description = "A malformed parameter", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody)))]
pub async fn similar(
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    params: Result<Query<SimilarParams>, QueryRejection>,
) -> Result<Json<Similar>, Error> {
    let Path(id) = id.map_err(|_| Error::NotFound("no such article".into()))?;
    let valid = id.rsplit_once('-').is_some_and(|(d, n)| {
        !d.is_empty()
            && d.len() <= 64
            && d.chars().all(|c| c.is_ascii_alphanumeric())
            && !n.is_empty()
            && n.len() <= 6
            && n.chars().all(|c| c.is_ascii_digit())
    });
    if !valid {
        return Err(Error::NotFound(format!("no article with id {id:?}")));
    }
    let Query(p) =
        params.map_err(|e| Error::BadRequest(format!("bad query string: {}", e.body_text())))?;
    let size = size_param(&p.size, 10, 50)?;
    let exclude_same_doc = match p.exclude_same_doc.as_deref().map(str::trim) {
        None | Some("") | Some("true") | Some("1") => true,
        Some("false") | Some("0") => false,
        Some(o) => {
            return Err(Error::BadRequest(format!(
                "exclude_same_doc must be true or false, got {o:?}"
            )))
        }
    };
    // Region validation is the search's: the same names and codes, the same 400.
    let filters: Filters = Request::from_params(&Params {
        region: p.region,
        ..Params::default()
    })?
    .filters;
    let engine = s.engine.clone();
    // On the pool: it reads the whole document and runs TF-IDF over it, however long it is.
    let out = blocking(move || engine.similar(&id, size, &filters, exclude_same_doc)).await?;
    Ok(Json(out))
}

fn valid_doc_id(doc_id: Result<Path<String>, PathRejection>) -> Result<String, Error> {
    let Path(doc_id) = doc_id.map_err(|_| Error::NotFound("no such document".into()))?;
    if doc_id.is_empty() || doc_id.len() > 64 || !doc_id.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(Error::NotFound(format!("no document with id {doc_id:?}")));
    }
    Ok(doc_id)
}

/// One document as ingest understood it: metadata, header and every article.
#[utoipa::path(get, path = "/api/documents/{doc_id}", tag = "search",
    params(("doc_id" = String, Path, description = "The document id (`doc_id` of a hit)")),
    responses(
        (status = 200, description = "The document", body = Document),
        (status = 404, description = "No such document", body = ErrorBody)))]
pub async fn document(
    State(s): State<AppState>,
    doc_id: Result<Path<String>, PathRejection>,
) -> Result<Response, Error> {
    let doc_id = valid_doc_id(doc_id)?;
    let engine = s.engine.clone();
    let doc = blocking(move || engine.document(&doc_id)).await?;
    Ok(Json(doc).into_response())
}

/// Content type and disposition for an original file. Saved web pages are served as HTML but
/// sandboxed (no scripts, a unique origin), so a portal page cannot act on this site.
fn raw_headers(source: &str, encoding: &str) -> (String, &'static str, bool) {
    let ext = std::path::Path::new(source)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let charset = match encoding {
        "" => "utf-8".to_string(),
        e => e.to_ascii_lowercase(),
    };
    match ext.as_str() {
        "pdf" => ("application/pdf".into(), "inline", false),
        "docx" => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
            "attachment",
            true,
        ),
        "html" | "htm" => (format!("text/html; charset={charset}"), "inline", true),
        "md" => (format!("text/markdown; charset={charset}"), "inline", true),
        "txt" => (format!("text/plain; charset={charset}"), "inline", true),
        _ => ("application/octet-stream".into(), "attachment", true),
    }
}

/// The original file of a document, as it is in the docs folder.
#[utoipa::path(get, path = "/api/documents/{doc_id}/raw", tag = "search",
    params(("doc_id" = String, Path, description = "The document id")),
    responses(
        (status = 200, description = "The file's bytes with its content type"),
        (status = 404, description = "No such document, or its file is gone", body = ErrorBody)))]
pub async fn raw(
    State(s): State<AppState>,
    doc_id: Result<Path<String>, PathRejection>,
) -> Result<Response, Error> {
    let doc_id = valid_doc_id(doc_id)?;
    let root = s
        .docs
        .clone()
        .ok_or_else(|| Error::NotFound("this server has no docs folder".into()))?;
    let engine = s.engine.clone();
    let (doc, bytes) = blocking(move || {
        let doc = engine.document(&doc_id)?;
        let gone = || {
            Error::NotFound(format!(
                "the file of {doc_id} is no longer in the docs folder"
            ))
        };
        // The source comes from the index, but a symlink inside the folder may point anywhere:
        // only files whose real path lies inside the real docs folder are served.
        let root = root.canonicalize().map_err(|_| gone())?;
        let path = root.join(&doc.source).canonicalize().map_err(|_| gone())?;
        if !path.starts_with(&root) || !path.is_file() {
            return Err(Error::NotFound(format!(
                "the file of {doc_id} is outside the docs folder"
            )));
        }
        let bytes = std::fs::read(&path).map_err(|_| gone())?;
        Ok((doc, bytes))
    })
    .await?;
    let (ctype, disposition, sandbox) = raw_headers(&doc.source, &doc.encoding);
    let name = std::path::Path::new(&doc.source)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("document");
    let encoded: String = serde_urlencoded::to_string([("", name)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .replace('+', "%20");
    let mut h = HeaderMap::new();
    let set = |h: &mut HeaderMap, k, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    set(&mut h, header::CONTENT_TYPE, &ctype);
    set(
        &mut h,
        header::CONTENT_DISPOSITION,
        &format!("{disposition}; filename*=UTF-8''{encoded}"),
    );
    set(&mut h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if sandbox {
        set(
            &mut h,
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
        );
    }
    Ok((h, bytes).into_response())
}

fn check_admin(s: &AppState, headers: &HeaderMap) -> Result<(), Error> {
    let Some(key) = &s.admin_key else {
        return Err(Error::Forbidden(
            "admin routes are off: start the server with --admin-key KEY (or ZHENGSOU_ADMIN_KEY)"
                .into(),
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| Error::Unauthorized("send Authorization: Bearer <admin key>".into()))?;
    // blake3's Hash compares in constant time.
    if blake3::hash(given.trim().as_bytes()) != blake3::hash(key.as_bytes()) {
        return Err(Error::Unauthorized("wrong admin key".into()));
    }
    Ok(())
}

/// Reindex: re-read every file in the docs folder (needs the admin key).
#[utoipa::path(post, path = "/api/admin/reindex", tag = "admin",
    security(("admin_key" = [])),
    responses(
        (status = 202, description = "Reindexing started; watch `pending` in /api/health"),
        (status = 401, description = "Missing or wrong key", body = ErrorBody),
        (status = 403, description = "Admin routes are off", body = ErrorBody)))]
pub async fn reindex(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    check_admin(&s, &headers)?;
    let writer = s
        .writer
        .as_ref()
        .ok_or_else(|| Error::Forbidden("this server has no writer".into()))?;
    writer.send(Op::Reindex);
    tracing::info!("admin: reindex requested");
    Ok((StatusCode::ACCEPTED, Json(json!({"status": "reindexing"}))).into_response())
}

/// Index statistics and writer state (needs the admin key).
#[utoipa::path(get, path = "/api/admin/stats", tag = "admin",
    security(("admin_key" = [])),
    responses(
        (status = 200, description = "Counts, segments, bytes per field, writer state"),
        (status = 401, description = "Missing or wrong key", body = ErrorBody),
        (status = 403, description = "Admin routes are off", body = ErrorBody)))]
pub async fn admin_stats(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    check_admin(&s, &headers)?;
    let engine = s.engine.clone();
    let dir = s.index_dir.clone();
    let (mut stats, counts) = blocking(move || {
        let searcher = engine.reader.searcher();
        let stats = match &dir {
            Some(d) => crate::index::stats(&searcher, &engine.fields, d)?,
            None => json!({}),
        };
        Ok((stats, engine.counts()))
    })
    .await?;
    let health =
        serde_json::to_value(health_of(&s, counts)).map_err(|e| Error::Internal(e.into()))?;
    if let (Some(obj), Some(w)) = (stats.as_object_mut(), &s.writer) {
        obj.insert("writer".into(), health);
        obj.insert(
            "processed".into(),
            json!(w.status.processed.load(Ordering::SeqCst)),
        );
    }
    Ok(Json(stats).into_response())
}

async fn method_not_allowed() -> Response {
    let body = json!({"error": {"code": "method_not_allowed", "message": "this method is not supported on this route"}});
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

async fn not_found() -> Error {
    Error::NotFound("no such route; see /api/docs".into())
}
