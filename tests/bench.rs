//! The benchmark tools end to end: `zhengsou synth` writes a corpus, the real server indexes it,
//! and `zhengsou bench --json` replays the default query mix against it without errors.

mod util;

use std::process::Command;

use util::{bin, seeds_dir, Server, Workspace};

#[test]
fn synth_serve_bench() {
    let ws = Workspace::empty();
    let out = Command::new(bin())
        .args(["synth", "--articles", "300", "--seed", "3", "--out"])
        .arg(ws.docs())
        .arg("--source")
        .arg(seeds_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("wrote 300 articles"), "{stdout}");

    let server = Server::start(&ws);
    let (_, health) = server.get("/api/health");
    assert_eq!(health["articles"], 300, "{health}");
    assert_eq!(health["failed"].as_array().unwrap().len(), 0, "{health}");

    let out = Command::new(bin())
        .args(["bench", "--url", &server.base])
        .args([
            "--duration",
            "1",
            "--warmup",
            "0.2",
            "--concurrency",
            "4",
            "--json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.lines().count(),
        1,
        "stdout must be one JSON line: {stdout}"
    );
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["errors"], 0, "{r}\n{stderr}");
    assert!(r["requests"].as_u64().unwrap() > 0, "{r}");
    for k in ["qps", "p50_ms", "p90_ms", "p99_ms", "max_ms"] {
        assert!(r[k].as_f64().unwrap() > 0.0, "{k}: {r}");
    }
    assert!(r["p50_ms"].as_f64() <= r["p99_ms"].as_f64(), "{r}");
    // Suggestions and similar articles are part of the mix, reported as their own classes.
    for class in ["suggest", "similar", "word", "filter"] {
        let sec = r["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["section"] == class)
            .unwrap_or_else(|| panic!("no section {class}: {r}"));
        assert!(sec["requests"].as_u64().unwrap() > 0, "{class}: {r}");
    }
}

#[test]
fn bench_reports_an_unreachable_server_clearly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new(bin())
        .args(["bench", "--url", &format!("http://127.0.0.1:{port}")])
        .args(["--duration", "1", "--json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot reach"), "{stderr}");
}
