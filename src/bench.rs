//! HTTP load generator: C keep-alive connections replay a query mix (`/api/search` by default,
//! also `/api/suggest` and `/api/articles/{id}/similar`) for a fixed time and report throughput,
//! latency percentiles and errors.
//!
//! The client is hyper-util's pooled client on a single-threaded runtime by default: the
//! machine that runs the server usually runs the load too, and every cycle the client spends
//! is taken from the server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Uri;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde::Serialize;

/// The query mix shipped with the binary (`benches/queries.txt`).
pub const DEFAULT_QUERIES: &str = include_str!("../benches/queries.txt");

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// `http://host:port` of the server.
    pub url: String,
    /// The query mix.
    pub queries: Vec<Query>,
    pub concurrency: usize,
    pub duration: Duration,
    /// Run before measuring, excluded from every figure (connections, caches, page cache).
    pub warmup: Duration,
    /// A request taking longer is an error.
    pub timeout: Duration,
    /// Runtime threads of the client.
    pub threads: usize,
}

/// What a line of a queries file asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `q=…`: the query string of `/api/search`.
    Search,
    /// `/api/…`: a path with its query string, as is (`/api/suggest?q=wsxf`).
    Path,
    /// `@similar q=…`: `/api/articles/{id}/similar` of the first hit of that search, resolved
    /// once before the load starts (article ids differ between corpora).
    Similar,
}

/// One line of a queries file.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The query string (after `/api/search?`, or the path, or the search to resolve),
    /// percent-encoded.
    pub text: String,
    pub target: Target,
    /// The `# --- name ---` heading above it (empty before the first), for figures per class.
    pub section: String,
}

/// Figures of one section of the queries file (a query class) within the mixed run.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SectionStats {
    pub section: String,
    pub requests: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// A query (decoded, as written) and its mean latency.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Slow {
    pub query: String,
    pub mean_ms: f64,
    pub count: u64,
}

/// The figures, as printed with `--json`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Report {
    pub qps: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// Requests started after the warm-up (successful or not).
    pub requests: u64,
    /// Non-2xx answers, transport errors and timeouts.
    pub errors: u64,
    pub non_2xx: u64,
    pub transport_errors: u64,
    pub timeouts: u64,
    pub concurrency: usize,
    pub duration_s: f64,
    pub queries: usize,
    /// Successful requests per section of the queries file.
    pub sections: Vec<SectionStats>,
    /// The queries with the highest mean latency (at most 10).
    pub slowest: Vec<Slow>,
}

/// Parses a queries file: one query string per line, `#` comments and blank lines ignored,
/// each line percent-encoded where needed; a `# --- name ---` comment starts a section.
pub fn parse_queries(text: &str) -> Vec<Query> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(c) = line.strip_prefix('#') {
            if let Some(name) = c.trim().strip_prefix("---") {
                section = name.trim().trim_end_matches('-').trim().to_string();
            }
            continue;
        }
        let similar = line
            .strip_prefix("@similar")
            .filter(|rest| rest.starts_with(char::is_whitespace));
        let (target, line) = if let Some(rest) = similar {
            (Target::Similar, rest.trim())
        } else if line.starts_with('/') {
            (Target::Path, line)
        } else {
            (Target::Search, line)
        };
        out.push(Query {
            text: encode_query(line),
            target,
            section: section.clone(),
        });
    }
    out
}

/// Decodes a query string for people (`+` and `%XX` as a form decoder reads them).
pub fn decode_query(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|&c| (c as char).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes what may not appear in a URI query (non-ASCII, spaces, quotes); `%`
/// escapes, `=` and `&` are kept, so lines already encoded pass unchanged.
pub fn encode_query(line: &str) -> String {
    const KEEP: &[u8] = b"-_.~!$&'()*+,;=:@/?%";
    let mut out = String::with_capacity(line.len() * 3);
    for &b in line.as_bytes() {
        if b.is_ascii_alphanumeric() || KEEP.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Nearest-rank percentile of sorted values (`p` in 0..=100); 0 for no values.
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `host:port` or `http://host:port/` → `http://host:port`.
pub fn base_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    if url.starts_with("https://") {
        bail!("--url {url}: https is not supported; give the server's http:// address");
    }
    let url = if url.starts_with("http://") {
        url.to_string()
    } else {
        format!("http://{url}")
    };
    url.parse::<Uri>()
        .with_context(|| format!("--url {url} is not a valid URL"))?;
    Ok(url)
}

/// Per-worker results.
#[derive(Default)]
struct Tally {
    /// (query index, latency in µs) of the measured successful requests.
    samples: Vec<(u32, u32)>,
    requests: u64,
    non_2xx: u64,
    transport: u64,
    timeouts: u64,
    /// A few error descriptions for the log.
    examples: Vec<String>,
    last_done: Option<Instant>,
}

impl Tally {
    fn error(&mut self, what: String) {
        if self.examples.len() < 3 {
            self.examples.push(what);
        }
    }
}

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

fn client(concurrency: usize) -> HttpClient {
    let mut conn = HttpConnector::new();
    // Requests are tiny; waiting to coalesce them would only add latency.
    conn.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(concurrency)
        .build(conn)
}

/// Status and body size of one GET (the body is read to its end: a server is not done
/// before the client has it all).
async fn get(client: &HttpClient, uri: Uri) -> Result<(u16, usize), String> {
    let (status, body) = get_body(client, uri).await?;
    Ok((status, body.len()))
}

async fn get_body(client: &HttpClient, uri: Uri) -> Result<(u16, Bytes), String> {
    let resp = client.get(uri).await.map_err(|e| format!("{e:#}"))?;
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("reading body: {e}"))?;
    Ok((status, body.to_bytes()))
}

/// The path of `q`'s request; a similar-articles line asks the server for its first hit.
async fn resolve(client: &HttpClient, base: &str, q: &Query) -> anyhow::Result<String> {
    let text = &q.text;
    match q.target {
        Target::Search => Ok(format!("{base}/api/search?{text}")),
        Target::Path => Ok(format!("{base}{text}")),
        Target::Similar => {
            // The first hit, bare: the line's own paging and response options give way.
            let search: Vec<&str> = text
                .split('&')
                .filter(|kv| {
                    let k = kv.split('=').next().unwrap_or("");
                    !matches!(k, "size" | "from" | "facets" | "snippets")
                })
                .collect();
            let search = search.join("&");
            let uri: Uri =
                format!("{base}/api/search?{search}&size=1&facets=false&snippets=false").parse()?;
            let (status, body) = get_body(client, uri).await.map_err(anyhow::Error::msg)?;
            if status != 200 {
                bail!("HTTP {status}");
            }
            let v: serde_json::Value = serde_json::from_slice(&body)?;
            let id = v["hits"][0]["id"]
                .as_str()
                .context("the search finds nothing in this corpus")?;
            Ok(format!("{base}/api/articles/{id}/similar"))
        }
    }
}

async fn worker(
    client: HttpClient,
    uris: Arc<Vec<Uri>>,
    offset: usize,
    measure_from: Instant,
    end: Instant,
    timeout: Duration,
) -> Tally {
    let mut t = Tally::default();
    let mut i = offset;
    loop {
        let start = Instant::now();
        if start >= end {
            break;
        }
        let q = i % uris.len();
        i += 1;
        let result = tokio::time::timeout(timeout, get(&client, uris[q].clone())).await;
        let done = Instant::now();
        if start < measure_from {
            continue;
        }
        t.requests += 1;
        t.last_done = Some(done);
        match result {
            Ok(Ok((status, _))) if (200..300).contains(&status) => {
                let us = (done - start).as_micros().min(u32::MAX as u128) as u32;
                t.samples.push((q as u32, us));
            }
            Ok(Ok((status, _))) => {
                t.non_2xx += 1;
                t.error(format!("HTTP {status} for {}", uris[q]));
            }
            Ok(Err(e)) => {
                t.transport += 1;
                t.error(format!("{e} for {}", uris[q]));
            }
            Err(_) => {
                t.timeouts += 1;
                t.error(format!("timeout after {timeout:?} for {}", uris[q]));
            }
        }
    }
    t
}

/// Runs the load and returns the figures.
pub fn run(opts: &Options) -> anyhow::Result<Report> {
    if opts.queries.is_empty() {
        bail!("the query list is empty");
    }
    if opts.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    let base = base_url(&opts.url)?;
    let runtime = if opts.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(opts.threads)
            .enable_all()
            .build()?
    };
    runtime.block_on(async {
        let client = client(opts.concurrency);
        let health: Uri = format!("{base}/api/health").parse()?;
        match tokio::time::timeout(opts.timeout, get(&client, health)).await {
            Ok(Ok((status, _))) if (200..300).contains(&status) => {}
            Ok(Ok((status, _))) => tracing::warn!("{base}/api/health answered HTTP {status}"),
            Ok(Err(e)) => bail!("cannot reach {base}: {e}"),
            Err(_) => bail!("{base}/api/health did not answer within {:?}", opts.timeout),
        }
        // A similar-articles line whose search finds nothing in this corpus is left out (with a
        // warning): the mix is meant to run against any corpus.
        let mut uris: Vec<Uri> = Vec::with_capacity(opts.queries.len());
        let mut kept: Vec<Query> = Vec::with_capacity(opts.queries.len());
        for (n, q) in opts.queries.iter().enumerate() {
            let what = || format!("query {} ({:?})", n + 1, decode_query(&q.text));
            let url = match resolve(&client, &base, q).await {
                Ok(url) => url,
                Err(e) => {
                    tracing::warn!("{}: left out, cannot resolve the article: {e:#}", what());
                    continue;
                }
            };
            uris.push(
                url.parse::<Uri>()
                    .with_context(|| format!("{} does not make a valid URL", what()))?,
            );
            kept.push(q.clone());
        }
        if uris.is_empty() {
            bail!("no query of the mix could be run against {base}");
        }
        let uris = Arc::new(uris);
        tracing::info!(
            url = %base,
            queries = uris.len(),
            concurrency = opts.concurrency,
            warmup_s = opts.warmup.as_secs_f64(),
            duration_s = opts.duration.as_secs_f64(),
            "load starts"
        );
        let t0 = Instant::now();
        let measure_from = t0 + opts.warmup;
        let end = measure_from + opts.duration;
        let n = uris.len();
        let handles: Vec<_> = (0..opts.concurrency)
            .map(|w| {
                // Spread the workers over the list so the mix is not replayed in lockstep.
                let offset = w * n / opts.concurrency;
                tokio::spawn(worker(
                    client.clone(),
                    uris.clone(),
                    offset,
                    measure_from,
                    end,
                    opts.timeout,
                ))
            })
            .collect();
        let mut tallies = Vec::new();
        for h in handles {
            tallies.push(h.await.context("a load worker failed")?);
        }
        Ok(summarise(&kept, opts.concurrency, measure_from, tallies))
    })
}

fn summarise(queries: &[Query], concurrency: usize, from: Instant, tallies: Vec<Tally>) -> Report {
    let mut lat: Vec<u32> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for q in queries {
        if !names.contains(&q.section.as_str()) {
            names.push(&q.section);
        }
    }
    let mut by_section: Vec<Vec<u32>> = vec![Vec::new(); names.len()];
    let mut per_query: Vec<(u64, u64)> = vec![(0, 0); queries.len()];
    let (mut requests, mut non_2xx, mut transport, mut timeouts) = (0, 0, 0, 0);
    let mut last = from;
    for t in tallies {
        requests += t.requests;
        non_2xx += t.non_2xx;
        transport += t.transport;
        timeouts += t.timeouts;
        last = last.max(t.last_done.unwrap_or(from));
        for e in &t.examples {
            tracing::warn!("{e}");
        }
        for (q, us) in t.samples {
            lat.push(us);
            let section = &queries[q as usize].section;
            if let Some(k) = names.iter().position(|n| n == section) {
                by_section[k].push(us);
            }
            let e = &mut per_query[q as usize];
            e.0 += 1;
            e.1 += us as u64;
        }
    }
    lat.sort_unstable();
    let secs = (last - from).as_secs_f64().max(1e-9);
    let ms = |us: u32| (us as f64 / 1000.0 * 1000.0).round() / 1000.0;
    let mean = if lat.is_empty() {
        0.0
    } else {
        lat.iter().map(|&x| x as f64).sum::<f64>() / lat.len() as f64 / 1000.0
    };
    let mut slow: Vec<Slow> = per_query
        .iter()
        .enumerate()
        .filter(|(_, (n, _))| *n > 0)
        .map(|(i, (n, sum))| Slow {
            query: decode_query(&queries[i].text),
            mean_ms: (*sum as f64 / *n as f64 / 1000.0 * 1000.0).round() / 1000.0,
            count: *n,
        })
        .collect();
    slow.sort_by(|a, b| b.mean_ms.total_cmp(&a.mean_ms));
    slow.truncate(10);
    let sections = names
        .iter()
        .zip(by_section.iter_mut())
        .filter(|(_, v)| !v.is_empty())
        .map(|(name, v)| {
            v.sort_unstable();
            let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64 / 1000.0;
            SectionStats {
                section: name.to_string(),
                requests: v.len() as u64,
                mean_ms: (mean * 1000.0).round() / 1000.0,
                p50_ms: ms(percentile(v, 50.0)),
                p99_ms: ms(percentile(v, 99.0)),
            }
        })
        .collect();
    Report {
        qps: (requests as f64 / secs * 10.0).round() / 10.0,
        p50_ms: ms(percentile(&lat, 50.0)),
        p90_ms: ms(percentile(&lat, 90.0)),
        p99_ms: ms(percentile(&lat, 99.0)),
        max_ms: ms(lat.last().copied().unwrap_or(0)),
        mean_ms: (mean * 1000.0).round() / 1000.0,
        requests,
        errors: non_2xx + transport + timeouts,
        non_2xx,
        transport_errors: transport,
        timeouts,
        concurrency,
        duration_s: (secs * 1000.0).round() / 1000.0,
        queries: queries.len(),
        sections,
        slowest: slow,
    }
}

/// The report as a person reads it.
pub fn render(r: &Report) -> String {
    let mut s = format!(
        "{} requests in {:.1} s at concurrency {} over {} queries: {:.1} QPS\n\
         latency ms: p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}  mean {:.3}\n\
         errors: {} (non-2xx {}, transport {}, timeouts {})\n",
        r.requests,
        r.duration_s,
        r.concurrency,
        r.queries,
        r.qps,
        r.p50_ms,
        r.p90_ms,
        r.p99_ms,
        r.max_ms,
        r.mean_ms,
        r.errors,
        r.non_2xx,
        r.transport_errors,
        r.timeouts
    );
    if !r.sections.is_empty() {
        s.push_str("per section (requests, mean / p50 / p99 ms):\n");
        for x in &r.sections {
            s.push_str(&format!(
                "  {:>6}  {:>8.3} {:>8.3} {:>8.3}  {}\n",
                x.requests, x.mean_ms, x.p50_ms, x.p99_ms, x.section
            ));
        }
    }
    if !r.slowest.is_empty() {
        s.push_str("slowest queries (mean ms, requests):\n");
        for q in &r.slowest {
            s.push_str(&format!(
                "  {:>8.3} {:>6}  {}\n",
                q.mean_ms, q.count, q.query
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_file_lines_are_encoded_and_comments_skipped() {
        let text = "# a comment\n\nq=网上信访&region=赣州市\n  q=%E7%BD%91&size=10  \n# --- phrases ---\nq=\"政务 公开\"\n# q=skipped\nq=a b&facets=false\n";
        let parsed = parse_queries(text);
        let sections: Vec<&str> = parsed.iter().map(|q| q.section.as_str()).collect();
        assert_eq!(sections, ["", "", "phrases", "phrases"]);
        assert!(parsed.iter().all(|q| q.target == Target::Search));
        let other = parse_queries("/api/suggest?q=网上\n@similar q=赣服通\n@similarq=x\n");
        assert_eq!(other[2].target, Target::Search);
        assert_eq!(other[0].target, Target::Path);
        assert_eq!(other[0].text, "/api/suggest?q=%E7%BD%91%E4%B8%8A");
        assert_eq!(other[1].target, Target::Similar);
        assert_eq!(other[1].text, "q=%E8%B5%A3%E6%9C%8D%E9%80%9A");
        assert_eq!(decode_query(&parsed[0].text), "q=网上信访&region=赣州市");
        assert_eq!(decode_query("q=a+b%2B%zz"), "q=a b+%zz");
        assert_eq!(
            parsed.iter().map(|q| q.text.as_str()).collect::<Vec<_>>(),
            [
                "q=%E7%BD%91%E4%B8%8A%E4%BF%A1%E8%AE%BF&region=%E8%B5%A3%E5%B7%9E%E5%B8%82",
                "q=%E7%BD%91&size=10",
                "q=%22%E6%94%BF%E5%8A%A1%20%E5%85%AC%E5%BC%80%22",
                "q=a%20b&facets=false",
            ]
        );
    }

    #[test]
    fn default_mix_is_large_and_valid() {
        let q = parse_queries(DEFAULT_QUERIES);
        assert!(q.len() >= 200, "{} queries", q.len());
        for line in &q {
            format!("http://127.0.0.1:1/api/search?{}", line.text)
                .parse::<Uri>()
                .unwrap();
        }
        for t in [Target::Path, Target::Similar] {
            assert!(q.iter().filter(|l| l.target == t).count() >= 10, "{t:?}");
        }
    }

    #[test]
    fn default_mix_is_accepted_by_the_server_validation() {
        for line in parse_queries(DEFAULT_QUERIES) {
            let line = match line.target {
                Target::Search | Target::Similar => line.text,
                // Suggest parameters are checked by the server test of the whole mix.
                Target::Path => continue,
            };
            let map: serde_json::Map<String, serde_json::Value> = line
                .split('&')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (decode_query(k), serde_json::Value::String(decode_query(v)))
                })
                .collect();
            let params: crate::search::Params =
                serde_json::from_value(serde_json::Value::Object(map)).unwrap();
            if let Err(e) = crate::search::Request::from_params(&params) {
                panic!("{line}: {e}");
            }
        }
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 90.0), 90);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&v, 0.0), 1);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
        let v = [10, 20, 30, 40];
        assert_eq!(percentile(&v, 50.0), 20);
        assert_eq!(percentile(&v, 51.0), 30);
    }

    #[test]
    fn summary_counts_and_orders_slow_queries() {
        let from = Instant::now();
        let t = Tally {
            samples: vec![(0, 1000), (1, 3000), (1, 5000), (0, 2000)],
            requests: 5,
            non_2xx: 1,
            last_done: Some(from + Duration::from_secs(2)),
            ..Tally::default()
        };
        let q = |t: &str, s: &str| Query {
            text: t.into(),
            target: Target::Search,
            section: s.into(),
        };
        let r = summarise(&[q("a", "x"), q("b", "y")], 1, from, vec![t]);
        assert_eq!(r.requests, 5);
        assert_eq!(r.errors, 1);
        assert_eq!(r.qps, 2.5);
        assert_eq!(r.p50_ms, 2.0);
        assert_eq!(r.max_ms, 5.0);
        assert_eq!(r.mean_ms, 2.75);
        assert_eq!(r.slowest[0].query, "b");
        assert_eq!(r.slowest[0].mean_ms, 4.0);
        assert_eq!(r.sections.len(), 2);
        assert_eq!(
            (r.sections[1].section.as_str(), r.sections[1].requests),
            ("y", 2)
        );
        assert_eq!(r.sections[1].p99_ms, 5.0);
    }

    #[test]
    fn urls() {
        assert_eq!(
            base_url("127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base_url("http://localhost:1").unwrap(),
            "http://localhost:1"
        );
        assert!(base_url("https://x").is_err());
    }
}
