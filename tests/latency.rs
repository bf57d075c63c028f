//! File-to-searchable latency while queries run: the time from a file's write completing to the
//! first search that finds it, under a continuous query load from two client threads.
//! A measurement, not an assertion: `cargo test --release --test latency -- --ignored --nocapture`.

mod util;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use util::{Server, Workspace};

#[test]
#[ignore = "measurement: run with --release --ignored --nocapture"]
fn file_to_searchable_under_query_load() {
    let ws = Workspace::with_seeds();
    let s = Arc::new(Server::start(&ws));
    let stop = Arc::new(AtomicBool::new(false));
    let queries = Arc::new(AtomicUsize::new(0));
    let load: Vec<_> = (0..2)
        .map(|t| {
            let (s, stop, queries) = (s.clone(), stop.clone(), queries.clone());
            std::thread::spawn(move || {
                let qs = [
                    "政务公开",
                    "网上信访",
                    "服务",
                    "赣服通 帮办代办",
                    "十县百乡",
                    "政府",
                    "工作",
                ];
                let mut i = t;
                while !stop.load(Ordering::SeqCst) {
                    s.search(&[("q", qs[i % qs.len()])]);
                    queries.fetch_add(1, Ordering::SeqCst);
                    i += 1;
                }
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let t0 = Instant::now();
    for i in 0..60 {
        let marker = format!(
            "延迟测量标记{}号",
            "甲乙丙丁戊己庚辛壬癸"
                .chars()
                .nth(i % 10)
                .unwrap()
                .to_string()
                + &i.to_string()
        );
        let path = ws.docs().join(format!("latency/{i}.txt"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("某县推行{marker}做法，成效明显。\n")).unwrap();
        let written = Instant::now();
        loop {
            if s.search(&[("q", &marker), ("facets", "false"), ("snippets", "false")])["total"] == 1
            {
                break;
            }
            assert!(
                written.elapsed() < Duration::from_secs(30),
                "{marker} never found"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        latencies.push(written.elapsed());
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::SeqCst);
    for t in load {
        t.join().unwrap();
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    let qps = queries.load(Ordering::SeqCst) as f64 / t0.elapsed().as_secs_f64();
    eprintln!(
        "file-to-searchable over {} files under {:.0} queries/s: p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        qps,
        pct(0.5),
        pct(0.99),
        latencies.last().unwrap()
    );
}
