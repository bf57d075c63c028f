//! Crash safety: files dropped in bursts while the server is killed with SIGKILL at random
//! moments, files deleted while it is down; after a restart every file present is found exactly
//! once and deleted ones are gone.
//!
//! CI runs one round (four kills); a longer run: `ZHENGSOU_CRASH_ROUNDS=20 cargo test --release
//! --test crash -- --nocapture`.

mod util;

use std::time::{Duration, Instant};

use util::{wait_until, Rng, Server, Workspace, PATIENCE};

const FILES_PER_ROUND: usize = 600;
const KILLS: usize = 4;
const DELETED_WHILE_DOWN: usize = 50;

/// Unique marker phrase for file `i` of round `r`: characters that occur nowhere else.
fn marker(r: usize, i: usize) -> String {
    const DIGITS: [char; 10] = ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸'];
    let n = r * 10_000 + i;
    let code: String = format!("{n:06}")
        .chars()
        .map(|c| DIGITS[c.to_digit(10).unwrap() as usize])
        .collect();
    format!("标记{code}号")
}

fn write_file(ws: &Workspace, r: usize, i: usize) {
    let dir = ws.docs().join(format!("round{r}/batch{}", i / 100));
    std::fs::create_dir_all(&dir).unwrap();
    let text = format!(
        "某县“五型”政府建设工作简报\n\n第 {i} 期\n\n2024年3月{}日\n\n某县推行{}做法\n\n某县推行{}做法，群众满意率明显提升，办事时间缩短。\n",
        1 + i % 28,
        marker(r, i),
        marker(r, i)
    );
    // Write then rename, as a careful copier would; half of the files are written in place.
    let path = dir.join(format!("{i:04}.txt"));
    if i.is_multiple_of(2) {
        let tmp = dir.join(format!(".{i:04}.txt.part"));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    } else {
        std::fs::write(&path, text).unwrap();
    }
}

fn round(r: usize, rng: &mut Rng) {
    let ws = Workspace::empty();
    let t0 = Instant::now();
    let mut written = 0;
    for kill in 0..KILLS {
        let server = Server::start(&ws);
        let burst = FILES_PER_ROUND / KILLS;
        // Write the burst in small groups with random pauses; kill at a random point in it.
        let kill_after = rng.below(burst);
        for _ in 0..burst {
            write_file(&ws, r, written);
            written += 1;
            if written % burst == kill_after {
                std::thread::sleep(Duration::from_millis(rng.below(400) as u64));
                drop(server); // SIGKILL
                break;
            }
            if rng.below(20) == 0 {
                std::thread::sleep(Duration::from_millis(rng.below(200) as u64));
            }
        }
        // Files written while the server is down count too.
        while written < (kill + 1) * burst {
            write_file(&ws, r, written);
            written += 1;
        }
    }
    // Delete some while it is down.
    let mut deleted = std::collections::BTreeSet::new();
    while deleted.len() < DELETED_WHILE_DOWN {
        let i = rng.below(written);
        if deleted.insert(i) {
            let path = ws
                .docs()
                .join(format!("round{r}/batch{}/{i:04}.txt", i / 100));
            std::fs::remove_file(path).unwrap();
        }
    }
    let s = Server::start(&ws);
    let expected = written - deleted.len();
    assert!(
        wait_until(PATIENCE * 4, || {
            let (_, h) = s.get("/api/health");
            h["documents"] == expected && h["pending"] == 0
        }),
        "round {r}: health {} after restart, expected {expected} documents",
        s.get("/api/health").1
    );
    for i in 0..written {
        let v = s.search(&[
            ("q", &marker(r, i)),
            ("facets", "false"),
            ("snippets", "false"),
        ]);
        let want = if deleted.contains(&i) { 0 } else { 1 };
        assert_eq!(
            v["total"], want,
            "round {r}: file {i} found {} times, expected {want}",
            v["total"]
        );
    }
    let (_, h) = s.get("/api/health");
    assert_eq!(h["documents"], expected);
    assert_eq!(h["articles"], expected);
    assert!(h["failed"].as_array().unwrap().is_empty(), "{h}");
    eprintln!("crash round {r}: {written} files, {KILLS} kills, {} deleted while down, all consistent ({:?})", deleted.len(), t0.elapsed());
}

#[test]
fn sigkill_during_bursts_loses_nothing() {
    let rounds: usize = std::env::var("ZHENGSOU_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut rng = Rng(0xc0ff_ee00 + rounds as u64);
    for r in 0..rounds {
        round(r, &mut rng);
    }
    eprintln!("crash test: {rounds} rounds, 0 failures");
}
