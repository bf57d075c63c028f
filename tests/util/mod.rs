//! Helpers for the integration tests: a real `zhengsou serve` on a loopback port, an HTTP
//! client, and folders made from the seeds.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Generous limit for anything asynchronous (freshness is measured, not asserted, elsewhere).
pub const PATIENCE: Duration = Duration::from_secs(30);

pub fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// A temp folder holding a copy of the seeds, and an empty one for the index.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn with_seeds() -> Workspace {
        let ws = Workspace::empty();
        for entry in std::fs::read_dir(seeds_dir()).unwrap() {
            let p = entry.unwrap().path();
            std::fs::copy(&p, ws.docs().join(p.file_name().unwrap())).unwrap();
        }
        ws
    }
    pub fn empty() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("docs")).unwrap();
        Workspace { dir }
    }
    pub fn docs(&self) -> PathBuf {
        self.dir.path().join("docs")
    }
    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }
    pub fn log(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }
}

/// A running server; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub started: Instant,
    pub ready_after: Duration,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_zhengsou")
}

impl Server {
    /// Starts `zhengsou serve` on the workspace and waits until its first reconciliation is
    /// committed (`ready`).
    pub fn start(ws: &Workspace) -> Server {
        Server::start_with(ws, &[])
    }

    /// As [`Server::start`], with extra `serve` arguments (e.g. `--poll 0.2`).
    pub fn start_with(ws: &Workspace, extra: &[&str]) -> Server {
        let port = free_port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(ws.log())
            .unwrap();
        let started = Instant::now();
        let child = Command::new(bin())
            .args(["serve", "--docs"])
            .arg(ws.docs())
            .arg("--index")
            .arg(ws.index())
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env("RUST_LOG", "info,tantivy=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start zhengsou");
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            started,
            ready_after: Duration::ZERO,
        };
        let mut responding = None;
        let ok = wait_until(PATIENCE, || {
            let h = server.try_get("/api/health");
            if h.is_some() && responding.is_none() {
                responding = Some(started.elapsed());
            }
            h.is_some_and(|(_, v)| v["ready"] == true)
        });
        assert!(
            ok,
            "server did not become ready; log:\n{}",
            std::fs::read_to_string(ws.log()).unwrap_or_default()
        );
        server.ready_after = responding.unwrap_or_default();
        server
    }

    fn try_get(&self, path: &str) -> Option<(u16, Value)> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let mut resp = agent.get(&format!("{}{}", self.base, path)).call().ok()?;
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string().ok()?;
        Some((
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        ))
    }

    /// GET a path; returns the status and the JSON body.
    pub fn get(&self, path: &str) -> (u16, Value) {
        self.try_get(path)
            .unwrap_or_else(|| panic!("GET {path} failed"))
    }

    /// GET a search with the given (unencoded) parameters.
    pub fn search(&self, params: &[(&str, &str)]) -> Value {
        let (status, v) = self.get(&format!("/api/search?{}", query_string(params)));
        assert_eq!(status, 200, "search {params:?}: {v}");
        v
    }

    /// Sources of the hits of a search, in order.
    pub fn sources(&self, params: &[(&str, &str)]) -> Vec<String> {
        self.search(params)["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["source"].as_str().unwrap().to_string())
            .collect()
    }
}

/// Percent-encodes every byte outside the unreserved set.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn query_string(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Polls `f` every 50 ms until it holds or `limit` passes.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A small deterministic random generator (xorshift), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
