//! The commands: `serve` (the default), `index`, `search`, `stats`, `inspect`, and for
//! benchmarks `synth` and `bench`.
//!
//! Logs go to stderr; stdout carries only a command's output, so `--json` and `inspect` output
//! can be piped.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use serde_json::json;

use crate::api::{self, AppState};
use crate::index::{self, writer::Writer};
use crate::ingest;
use crate::search::{Engine, Params, Request};
use crate::watch;

#[derive(Parser, Debug)]
#[command(
    name = "zhengsou",
    version,
    about = "政搜: search Chinese government bulletins and notices"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Index the docs folder, keep it in sync and serve the HTTP API (the default).
    Serve(ServeArgs),
    /// Index the docs folder once (adds new and changed files, removes deleted ones) and exit.
    Index(Paths),
    /// Search the index from the terminal.
    Search(Box<SearchArgs>),
    /// Print index statistics as JSON: documents, articles, size on disk, bytes per field.
    Stats {
        #[arg(long, default_value = "index")]
        index: PathBuf,
    },
    /// Print what ingest understands of each file, one JSON object per line.
    Inspect {
        /// Files to read.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The docs folder: a file inside it gets the same `source` and `doc_id` as in the server.
        #[arg(long, default_value = "seeds")]
        docs: PathBuf,
        /// Also print why each value was chosen (which line gave the title, which token the locality).
        #[arg(long)]
        explain: bool,
    },
    /// Write a deterministic synthetic corpus (bulletins and notices recombined from real text).
    Synth(SynthArgs),
    /// Replay a query mix against a running server and report QPS and latency percentiles.
    Bench(BenchArgs),
}

#[derive(Args, Debug)]
struct SynthArgs {
    /// Number of articles to write (a notice is one article, a bulletin several).
    #[arg(long)]
    articles: usize,
    /// Output folder (files go in YEAR/NNN/ sub-folders).
    #[arg(long)]
    out: PathBuf,
    /// Seed: the same seed and sources give byte-identical files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder of real text (.jsonl with a `text` field, .txt, .md); repeatable. Default:
    /// ../shared/data/laws_lawrefbook, ../shared/data/gov_work_reports_wikisource and seeds.
    #[arg(long = "source", value_name = "DIR")]
    sources: Vec<PathBuf>,
}

#[derive(Args, Debug)]
struct BenchArgs {
    /// Server address, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    url: String,
    /// Query file: one query string (after /api/search?) per line, or a path (/api/suggest?q=…),
    /// or `@similar SEARCH` (the similar articles of that search's first hit); default: the
    /// shipped mix (benches/queries.txt).
    #[arg(long)]
    queries: Option<PathBuf>,
    /// Concurrent keep-alive connections, each replaying the mix from its own offset.
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Measured seconds.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds of load before measuring, excluded from the figures.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Seconds after which a request counts as an error.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Client runtime threads (1 keeps the client's share of a small machine low).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Print one JSON line instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug, Clone)]
struct Paths {
    /// Folder of documents (watched recursively by `serve`).
    #[arg(long, default_value = "seeds")]
    docs: PathBuf,
    /// Folder of the on-disk index.
    #[arg(long, default_value = "index")]
    index: PathBuf,
}

#[derive(Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    paths: Paths,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Scan the folder every SECONDS instead of using change notifications.
    #[arg(long, value_name = "SECONDS")]
    poll: Option<f64>,
    /// Origin allowed to call the read-only API from a browser (repeatable); default: any.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Bearer key that switches on the admin routes (/api/admin/*); off without one.
    #[arg(long, env = "ZHENGSOU_ADMIN_KEY", hide_env_values = true)]
    admin_key: Option<String>,
}

#[derive(Args, Debug)]
struct SearchArgs {
    /// The query (whitespace = AND, "phrase", -exclude, A OR B, title:词); quote it as one
    /// argument when it holds an exclusion: `zhengsou search "十县百乡 -章贡区"`.
    query: Vec<String>,
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Region name or code at any level (江西省, 赣州市, 章贡区, 360702).
    #[arg(long)]
    region: Option<String>,
    #[arg(long)]
    date_from: Option<String>,
    #[arg(long)]
    date_to: Option<String>,
    #[arg(long)]
    year: Option<String>,
    /// 五型 category: 忠诚型 创新型 担当型 服务型 过硬型.
    #[arg(long)]
    category: Option<String>,
    /// notice, bulletin or other.
    #[arg(long)]
    kind: Option<String>,
    /// 文号, brackets in any style.
    #[arg(long)]
    number: Option<String>,
    #[arg(long)]
    issuer: Option<String>,
    #[arg(long)]
    department: Option<String>,
    /// relevance or date.
    #[arg(long)]
    sort: Option<String>,
    #[arg(long, default_value_t = 0)]
    from: usize,
    #[arg(long, default_value_t = 10)]
    size: usize,
    /// Print the JSON response (as /api/search) instead of text.
    #[arg(long)]
    json: bool,
}

fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Entry point of the binary: runs the command, maps errors to exit codes.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs {
        paths: Paths {
            docs: "seeds".into(),
            index: "index".into(),
        },
        addr: "127.0.0.1:8080".parse().expect("valid address"),
        poll: None,
        cors_origins: Vec::new(),
        admin_key: std::env::var("ZHENGSOU_ADMIN_KEY").ok(),
    }));
    let result = match command {
        Command::Serve(a) => {
            init_logging("info,tantivy=warn");
            serve(a)
        }
        Command::Index(p) => {
            init_logging("warn");
            index_once(&p)
        }
        Command::Search(a) => {
            init_logging("warn");
            search(*a)
        }
        Command::Stats { index } => {
            init_logging("warn");
            stats(&index)
        }
        Command::Inspect {
            files,
            docs,
            explain,
        } => {
            init_logging("warn");
            inspect(&files, &docs, explain)
        }
        Command::Synth(a) => {
            init_logging("info");
            synth(a)
        }
        Command::Bench(a) => {
            init_logging("info");
            bench(a)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("zhengsou: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn docs_root(docs: &Path) -> anyhow::Result<PathBuf> {
    let root = docs
        .canonicalize()
        .with_context(|| format!("docs folder {} not found", docs.display()))?;
    if !root.is_dir() {
        bail!("{} is not a folder", docs.display());
    }
    Ok(root)
}

/// Opens the index and starts the writer on the docs folder.
fn open_writer(p: &Paths, commit_interval: Duration) -> anyhow::Result<(Engine, Writer, PathBuf)> {
    let root = docs_root(&p.docs)?;
    let (idx, fields) = index::open(&p.index)?;
    let engine = Engine::new(idx.clone(), fields)?;
    let reader = engine.reader.clone();
    let writer =
        Writer::spawn_with(idx, fields, reader, root.clone(), commit_interval).map_err(|e| {
            if e.downcast_ref::<tantivy::TantivyError>()
                .is_some_and(|t| matches!(t, tantivy::TantivyError::LockFailure(..)))
            {
                anyhow::anyhow!(
                    "the index at {} is in use by another zhengsou process (a running `serve`?)",
                    p.index.display()
                )
            } else {
                e
            }
        })?;
    Ok((engine, writer, root))
}

fn serve(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    // Load the dictionary and gazetteer off the request path, so the first search is not slow.
    std::thread::spawn(|| crate::analysis::words("预热"));
    let (engine, writer, root) = open_writer(&a.paths, index::writer::COMMIT_INTERVAL)?;
    let poll = match a.poll {
        Some(p) if !(0.1..=86_400.0).contains(&p) => {
            bail!("--poll must be between 0.1 and 86400 seconds, got {p}")
        }
        p => p.map(Duration::from_secs_f64),
    };
    // Watch first, then reconcile: nothing that changes in between is missed. Installing the
    // watcher reads every file's id (0.8 s for 305k files), so it happens beside the server,
    // which answers from the index as it is meanwhile (`ready` turns true after the
    // reconciliation). The thread's result holds the watcher until serving ends.
    let watching = {
        let (root, writer) = (root.clone(), writer.clone());
        std::thread::Builder::new()
            .name("zhengsou-watch-start".into())
            .spawn(move || {
                let watcher = watch::start(&root, writer.clone(), poll);
                if let Err(e) = &watcher {
                    tracing::error!(
                        "cannot watch {}: {e:#}; changes are picked up only at the next start",
                        root.display()
                    );
                }
                writer.send(index::writer::Op::Reconcile);
                watcher.ok()
            })?
    };
    let (docs, articles) = engine.counts();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.addr)
            .await
            .with_context(|| format!("cannot listen on {}", a.addr))?;
        tracing::info!(
            docs = %root.display(),
            index = %a.paths.index.display(),
            documents = docs,
            articles,
            startup_ms = t0.elapsed().as_millis() as u64,
            "serving on http://{}",
            listener.local_addr()?
        );
        let app = api::app(AppState {
            writer: Some(writer),
            docs: Some(root.clone()),
            index_dir: Some(a.paths.index.clone()),
            admin_key: a.admin_key.as_deref().map(Into::into),
            cors_origins: a.cors_origins.clone(),
            ..AppState::new(engine)
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown())
            .await?;
        anyhow::Ok(())
    })?;
    drop(watching.join());
    Ok(ExitCode::SUCCESS)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

fn index_once(p: &Paths) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    // A bulk build commits rarely: fewer, larger segments, and less time in commits.
    let (engine, writer, _) = open_writer(p, Duration::from_secs(10))?;
    writer.send(index::writer::Op::Reconcile);
    let status = writer.status.clone();
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} files {msg}",
        )
        .expect("valid template"),
    );
    let done = {
        let w = writer.clone();
        std::thread::spawn(move || w.flush())
    };
    while !done.is_finished() {
        let processed = status.processed.load(Ordering::SeqCst) as u64;
        bar.set_length(processed + status.pending.load(Ordering::SeqCst) as u64);
        bar.set_position(processed);
        let mb = status.bytes.load(Ordering::SeqCst) as f64 / 1e6;
        bar.set_message(format!(
            "{:.1} MB/s",
            mb / t0.elapsed().as_secs_f64().max(1e-3)
        ));
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = done.join();
    let secs = t0.elapsed().as_secs_f64();
    bar.set_message("merging segments");
    bar.enable_steady_tick(Duration::from_millis(200));
    let t1 = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    writer.send(index::writer::Op::Merge(tx));
    let _ = rx.recv();
    bar.finish_and_clear();
    let merge = t1.elapsed().as_secs_f64();
    let (docs, articles) = engine.counts();
    let failed = status.failed.lock().unwrap().clone();
    let mb = status.bytes.load(Ordering::SeqCst) as f64 / 1e6;
    let segments = engine.reader.searcher().segment_readers().len();
    println!(
        "indexed {} changed files ({mb:.1} MB) in {secs:.1} s ({:.1} MB/s), merged into {segments} segment(s) in {merge:.1} s; index holds {docs} documents, {articles} articles; {} failed",
        status.processed.load(Ordering::SeqCst),
        mb / secs.max(1e-3),
        failed.len()
    );
    for (source, reason) in &failed {
        println!("  failed: {source}: {reason}");
    }
    Ok(ExitCode::SUCCESS)
}

fn search(a: SearchArgs) -> anyhow::Result<ExitCode> {
    let (idx, fields) = index::open_existing(&a.index)?;
    let engine = Engine::new(idx, fields)?;
    let params = Params {
        q: Some(a.query.join(" ")),
        region: a.region,
        date_from: a.date_from,
        date_to: a.date_to,
        year: a.year,
        category: a.category,
        kind: a.kind,
        number: a.number,
        issuer: a.issuer,
        department: a.department,
        sort: a.sort,
        from: Some(a.from.to_string()),
        size: Some(a.size.to_string()),
        facets: Some(a.json.to_string()),
        snippets: None,
    };
    let req = Request::from_params(&params).map_err(|e| anyhow::anyhow!("{e}"))?;
    let resp = engine.search(&req).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer(&mut out, &resp)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{} articles ({} ms)", resp.total, resp.took_ms)?;
    for (i, h) in resp.hits.iter().enumerate() {
        let place = h.meta.locality.as_deref().unwrap_or("—");
        let dept = h
            .meta
            .department
            .as_deref()
            .map(|d| format!(" · {d}"))
            .unwrap_or_default();
        writeln!(out, "\n{:>2}. {}", req.from + i + 1, h.meta.title)?;
        writeln!(
            out,
            "    {place}{dept} · {} · {} [{}]",
            h.meta.date.as_deref().unwrap_or("日期不详"),
            h.meta.doc_title,
            h.meta.source
        )?;
        let plain = h
            .snippet
            .replace("<mark>", "\x1b[1;31m")
            .replace("</mark>", "\x1b[0m");
        let plain = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            plain
        } else {
            h.snippet.replace("<mark>", "【").replace("</mark>", "】")
        };
        writeln!(out, "    {}", unescape(&plain).replace('\n', " "))?;
    }
    Ok(if resp.total == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn stats(dir: &Path) -> anyhow::Result<ExitCode> {
    let (idx, fields) = index::open_existing(dir)?;
    let engine = Engine::new(idx, fields)?;
    let v = index::stats(&engine.reader.searcher(), &engine.fields, dir)?;
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(ExitCode::SUCCESS)
}

fn inspect(files: &[PathBuf], docs: &Path, explain: bool) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let mut code = ExitCode::SUCCESS;
    let root = docs.canonicalize().ok();
    for file in files {
        let inside = root
            .as_ref()
            .zip(file.canonicalize().ok())
            .and_then(|(r, f)| index::writer::source_of(r, &f));
        let source = inside.unwrap_or_else(|| file.to_string_lossy().into_owned());
        let value = match ingest::read_file(file, &source) {
            Ok(doc) => {
                let mut v = serde_json::to_value(&doc)?;
                v["source"] = json!(source);
                if explain {
                    let mut why = doc.explain.clone();
                    why.extend(doc.articles.iter().map(|a| {
                        format!(
                            "article {}: locality {}: {}",
                            a.id,
                            a.locality.as_deref().unwrap_or("none"),
                            a.why
                        )
                    }));
                    v["explain"] = json!(why);
                }
                v
            }
            Err(e) => {
                code = ExitCode::from(1);
                json!({"source": source, "error": e.to_string()})
            }
        };
        serde_json::to_writer(&mut out, &value)?;
        writeln!(out)?;
    }
    Ok(code)
}

fn synth(a: SynthArgs) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    let dirs: Vec<PathBuf> = if a.sources.is_empty() {
        crate::synth::DEFAULT_SOURCES
            .iter()
            .map(PathBuf::from)
            .collect()
    } else {
        a.sources
    };
    if a.articles == 0 {
        bail!("--articles must be at least 1");
    }
    let src = crate::synth::Sources::load(&dirs)?;
    let (prose, legal) = src.counts();
    tracing::info!(
        files = src.files.len(),
        prose_sentences = prose,
        legal_sentences = legal,
        secs = format!("{:.1}", t0.elapsed().as_secs_f64()),
        "sources read"
    );
    let sum = crate::synth::write(&src, a.seed, a.articles, &a.out)?;
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "wrote {} articles in {} files ({:.1} MB) to {} in {secs:.1} s",
        sum.articles,
        sum.documents,
        sum.bytes as f64 / 1e6,
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn bench(a: BenchArgs) -> anyhow::Result<ExitCode> {
    let text = match &a.queries {
        Some(p) => std::fs::read_to_string(p)
            .with_context(|| format!("cannot read query file {}", p.display()))?,
        None => crate::bench::DEFAULT_QUERIES.to_string(),
    };
    let seconds = |name: &str, v: f64| -> anyhow::Result<Duration> {
        if !(0.0..=86_400.0).contains(&v) {
            bail!("--{name} must be between 0 and 86400 seconds, got {v}");
        }
        Ok(Duration::from_secs_f64(v))
    };
    let opts = crate::bench::Options {
        url: a.url,
        queries: crate::bench::parse_queries(&text),
        concurrency: a.concurrency,
        duration: seconds("duration", a.duration)?,
        warmup: seconds("warmup", a.warmup)?,
        timeout: seconds("timeout", a.timeout)?,
        threads: a.threads,
    };
    if opts.duration.is_zero() {
        bail!("--duration must be more than 0 seconds");
    }
    let report = crate::bench::run(&opts)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", crate::bench::render(&report))?;
    }
    Ok(if report.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
