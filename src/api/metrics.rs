//! `GET /metrics` in the Prometheus text format (0.0.4): request counts and latency histograms
//! per route and status (recorded by a middleware on every route), and the index's state read
//! at scrape time (documents, articles, bytes on disk, segments, pending and failed files,
//! commits, reader generation).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

use super::AppState;
use crate::error::Error;

/// The labels of a request: the route pattern (never the raw path, so a scan of random URLs
/// cannot grow the label set), the method and the status code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

fn latency_histogram() -> Histogram {
    // 50 µs … about 1.6 s: the targets are in milliseconds, the tail in hundreds of them.
    Histogram::new(exponential_buckets(0.00005, 2.0, 16))
}

/// Request metrics, shared by every clone of the state.
#[derive(Clone, Debug)]
pub struct Metrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
    started: Instant,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            started: Instant::now(),
        }
    }
}

/// Counts and times every request, labelled by the route that answered it.
pub async fn track(State(m): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let t0 = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = match *req.method() {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
    .to_string();
    let resp = next.run(req).await;
    let labels = RequestLabels {
        method,
        route,
        status: resp.status().as_u16(),
    };
    m.requests.get_or_create(&labels).inc();
    m.latency
        .get_or_create(&labels)
        .observe(t0.elapsed().as_secs_f64());
    resp
}

fn gauge(registry: &mut Registry, name: &str, help: &str, value: i64) {
    let g: Gauge = Gauge::default();
    g.set(value);
    registry.register(name, help, g);
}

/// The metrics of the server, in the Prometheus text format.
pub async fn metrics(State(s): State<AppState>) -> Result<Response, Error> {
    let engine = s.engine.clone();
    let (documents, articles, segments, generation) = super::blocking(move || {
        let searcher = engine.reader.searcher();
        let (d, a) = crate::index::writer::counts(&searcher, &engine.fields);
        Ok((
            d,
            a,
            searcher.segment_readers().len(),
            searcher.generation().generation_id(),
        ))
    })
    .await?;
    let index_bytes = match s.index_dir.clone() {
        Some(dir) => super::blocking(move || Ok(crate::index::dir_bytes(&dir))).await?,
        None => 0,
    };

    let mut r = Registry::with_prefix("zhengsou");
    let m = &s.metrics;
    r.register(
        "http_requests",
        "HTTP requests answered, by route, method and status",
        m.requests.clone(),
    );
    r.register_with_unit(
        "http_request_duration",
        "Time from request to response headers, by route, method and status",
        Unit::Seconds,
        m.latency.clone(),
    );
    gauge(
        &mut r,
        "documents",
        "Documents (files) in the index",
        documents as i64,
    );
    gauge(&mut r, "articles", "Articles in the index", articles as i64);
    gauge(
        &mut r,
        "index_segments",
        "Segments of the index",
        segments as i64,
    );
    gauge(
        &mut r,
        "reader_generation",
        "Generation of the index reader that answers searches (grows with every reload)",
        generation as i64,
    );
    let up: Gauge<f64, std::sync::atomic::AtomicU64> = Gauge::default();
    up.set(m.started.elapsed().as_secs_f64());
    r.register_with_unit("uptime", "Time since the server started", Unit::Seconds, up);
    let bytes: Gauge = Gauge::default();
    bytes.set(index_bytes as i64);
    r.register_with_unit(
        "index_size",
        "Size of the index files on disk",
        Unit::Bytes,
        bytes,
    );
    if let Some(w) = &s.writer {
        let st = &w.status;
        let n = |v: usize| v as i64;
        gauge(
            &mut r,
            "pending_files",
            "Files waiting to be indexed or removed (searchable at the next commit)",
            n(st.pending.load(Ordering::SeqCst)),
        );
        gauge(
            &mut r,
            "failed_files",
            "Files that could not be read (listed in /api/health)",
            n(st.failed.lock().unwrap().len()),
        );
        gauge(
            &mut r,
            "skipped_files",
            "Files of a type this version does not read",
            n(st.skipped.lock().unwrap().len()),
        );
        gauge(
            &mut r,
            "ready",
            "1 once the startup scan is committed and nothing is pending",
            i64::from(st.ready.load(Ordering::SeqCst) && st.pending.load(Ordering::SeqCst) == 0),
        );
        let processed: Counter = Counter::default();
        processed.inc_by(st.processed.load(Ordering::Relaxed) as u64);
        r.register("files_processed", "Files read since start", processed);
        let read: Counter = Counter::default();
        read.inc_by(st.bytes.load(Ordering::Relaxed));
        r.register_with_unit(
            "files_read",
            "Bytes of files read since start",
            Unit::Bytes,
            read,
        );
        r.register_with_unit(
            "commit_duration",
            "Time per index commit, including the reader reload",
            Unit::Seconds,
            st.commit_seconds.0.clone(),
        );
        let failures: Counter = Counter::default();
        failures.inc_by(st.commit_failures.load(Ordering::Relaxed));
        r.register(
            "commit_failures",
            "Commits that failed and were rolled back",
            failures,
        );
    }
    let mut body = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut body, &r)
        .map_err(|e| Error::Internal(anyhow::anyhow!("encoding metrics: {e}")))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
        )],
        body,
    )
        .into_response())
}
