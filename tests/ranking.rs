//! Ranking quality on judged queries (`tests/judged/seeds.tsv`): nDCG@10 and MRR over the seeds
//! (as the hidden judged set is). Prints a per-query table; asserts the targets.
//!
//! Properties the judged set checks:
//! 1. a practice name ranks the article that describes it first, over articles mentioning it once;
//! 2. a place name ranks the article about that place first;
//! 3. partial words (扫黑, 快递, 信访) behave like the whole practice;
//! 4. a theme shared by several articles (政务公开) ranks all of them on top.

mod util;

use zhengsou::index;
use zhengsou::search::{Engine, Params, Request};

fn engine() -> Engine {
    let (idx, fields) = index::in_ram();
    let mut w: tantivy::IndexWriter = idx.writer(100_000_000).unwrap();
    for dir in [util::seeds_dir()] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "txt") {
                continue;
            }
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let doc = zhengsou::ingest::parse(&name, &std::fs::read_to_string(&p).unwrap());
            for t in index::to_tantivy(&fields, &doc, "0:0:0") {
                w.add_document(t).unwrap();
            }
        }
    }
    w.commit().unwrap();
    let e = Engine::new(idx, fields).unwrap();
    e.reader.reload().unwrap();
    e
}

struct Judgement {
    grade: u32,
    seed: String,
    title: String,
}

fn judged() -> Vec<(String, Vec<Judgement>)> {
    include_str!("judged/seeds.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (q, js) = l.split_once('\t').unwrap();
            let js = js
                .split(';')
                .map(|j| {
                    let mut p = j.splitn(3, ':');
                    Judgement {
                        grade: p.next().unwrap().parse().unwrap(),
                        seed: p.next().unwrap().to_string(),
                        title: p.next().unwrap().to_string(),
                    }
                })
                .collect();
            (q.to_string(), js)
        })
        .collect()
}

fn gain(grade: u32) -> f64 {
    (2f64.powi(grade as i32)) - 1.0
}

#[test]
fn judged_queries_ndcg_and_mrr() {
    let e = engine();
    let set = judged();
    let (mut ndcg_sum, mut rr_sum) = (0.0, 0.0);
    let mut report = String::new();
    for (q, js) in &set {
        let params = Params {
            q: Some(q.clone()),
            size: Some("10".into()),
            ..Params::default()
        };
        let resp = e.search(&Request::from_params(&params).unwrap()).unwrap();
        let grade_of = |h: &zhengsou::search::Hit| {
            js.iter()
                .filter(|j| {
                    h.meta.source.starts_with(&format!("{}_", j.seed))
                        && h.meta.title.contains(&j.title)
                })
                .map(|j| j.grade)
                .max()
                .unwrap_or(0)
        };
        let grades: Vec<u32> = resp.hits.iter().map(grade_of).collect();
        let dcg: f64 = grades
            .iter()
            .enumerate()
            .map(|(i, &g)| gain(g) / ((i + 2) as f64).log2())
            .sum();
        let mut ideal: Vec<u32> = js.iter().map(|j| j.grade).collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let idcg: f64 = ideal
            .iter()
            .take(10)
            .enumerate()
            .map(|(i, &g)| gain(g) / ((i + 2) as f64).log2())
            .sum();
        let ndcg = dcg / idcg;
        let top = js.iter().map(|j| j.grade).max().unwrap();
        let rr = grades
            .iter()
            .position(|&g| g == top)
            .map_or(0.0, |r| 1.0 / (r + 1) as f64);
        ndcg_sum += ndcg;
        rr_sum += rr;
        report.push_str(&format!(
            "{q:<14} nDCG@10 {ndcg:.3}  RR {rr:.2}  top: {}\n",
            resp.hits
                .first()
                .map(|h| format!(
                    "{} {}",
                    &h.meta.source[..h.meta.source.len().min(8)],
                    h.meta.title
                ))
                .unwrap_or_default()
        ));
    }
    let n = set.len() as f64;
    let (ndcg, mrr) = (ndcg_sum / n, rr_sum / n);
    eprintln!(
        "{report}judged queries: {}  nDCG@10 {ndcg:.3}  MRR {mrr:.3}",
        set.len()
    );
    assert!(ndcg >= 0.90, "nDCG@10 {ndcg:.3} < 0.90\n{report}");
    assert!(mrr >= 0.95, "MRR {mrr:.3} < 0.95\n{report}");
}
