//! Retrieval on real corpora, in-process against a plain scan: every document that contains a
//! string is returned, and nothing else (but for text shown with Markdown removed).
//!
//! CI indexes the seeds, the dev documents and a slice of the laws corpus; the full corpus runs
//! with `cargo test --release --test retrieval -- --ignored`.

mod util;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use util::Rng;
use zhengsou::chars::{marked as stream, occurs, Marked};
use zhengsou::index;
use zhengsou::search::{Engine, Params, Request};

struct Corpus {
    engine: Engine,
    /// (source, stream of the raw text, streams of the displayed lines)
    docs: Vec<(String, Vec<Marked>, Vec<Vec<Marked>>)>,
    /// Article id → the streams a hit on it may legitimately match: its own title and text,
    /// its document's header, and the windows across its two boundaries.
    articles: HashMap<String, Vec<Vec<Marked>>>,
}

/// What each article of a document may match, computed from the displayed text.
fn article_truth(doc: &zhengsou::ingest::Document, out: &mut HashMap<String, Vec<Vec<Marked>>>) {
    let all = stream(&doc.text);
    let header = stream(&doc.header);
    for a in &doc.articles {
        let title = stream(&a.title);
        let body = stream(&a.text);
        let mut streams = vec![stream(&format!("{}\n{}", a.title, a.text)), header.clone()];
        if let Some(pos) = (!body.is_empty())
            .then(|| all.windows(body.len()).position(|w| same(w, &body)))
            .flatten()
        {
            let start = if pos >= title.len() && same(&all[pos - title.len()..pos], &title) {
                pos - title.len()
            } else {
                pos
            };
            let end = pos + body.len();
            let e = zhengsou::ingest::EDGE;
            // Boundary windows are indexed without soft gaps (`analysis::EdgeTokenizer`).
            let window = |a: usize, b: usize| {
                all[a..b]
                    .iter()
                    .map(|m| Marked { soft: false, ..*m })
                    .collect()
            };
            streams.push(window(start.saturating_sub(e), (start + e).min(all.len())));
            streams.push(window(end.saturating_sub(e), (end + e).min(all.len())));
        }
        out.insert(a.id.clone(), streams);
    }
}

fn shared_data() -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    p.is_dir().then_some(p)
}

/// Seeds, dev documents, and up to `laws` documents of the laws corpus (every n-th, so all
/// its files are represented).
fn corpus(laws: usize) -> Corpus {
    let mut texts: Vec<(String, String)> = Vec::new();
    for e in std::fs::read_dir(util::seeds_dir()).unwrap() {
        let p = e.unwrap().path();
        texts.push((
            p.file_name().unwrap().to_string_lossy().into(),
            std::fs::read_to_string(&p).unwrap(),
        ));
    }
    if let Some(data) = shared_data() {
        for e in std::fs::read_dir(data.join("dev_docs")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "txt") {
                texts.push((
                    format!("dev/{}", p.file_name().unwrap().to_string_lossy()),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
        let mut all_laws = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(data.join("laws_lawrefbook"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "jsonl"))
        {
            for line in std::fs::read_to_string(f).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let text = format!(
                    "{}\n{}",
                    v["title"].as_str().unwrap(),
                    v["text"].as_str().unwrap()
                );
                all_laws.push((format!("laws/{}.md", v["id"].as_str().unwrap()), text));
            }
        }
        let step = (all_laws.len() / laws.max(1)).max(1);
        texts.extend(all_laws.into_iter().step_by(step).take(laws));
    } else {
        eprintln!("../shared/data not found: recall checked on the seeds only");
    }
    let (idx, fields) = index::in_ram();
    let mut w: tantivy::IndexWriter = idx.writer(200_000_000).unwrap();
    let mut docs = Vec::new();
    let mut articles = HashMap::new();
    for (source, text) in &texts {
        let doc = zhengsou::ingest::parse(source, text);
        article_truth(&doc, &mut articles);
        for t in index::to_tantivy(&fields, &doc, "0:0:0") {
            w.add_document(t).unwrap();
        }
        let shown = zhengsou::ingest::text::lines(text)
            .iter()
            .map(|l| stream(&l.text))
            .collect();
        docs.push((source.clone(), stream(text), shown));
    }
    w.commit().unwrap();
    let engine = Engine::new(idx, fields).unwrap();
    engine.reader.reload().unwrap();
    Corpus {
        engine,
        docs,
        articles,
    }
}

/// The same characters (wherever they came from).
fn same(a: &[Marked], b: &[Marked]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.c == y.c)
}

/// Whether `needle` occurs in `hay` as the index matches it (`chars::occurs`: not beginning or
/// ending across a quotation mark).
fn has(hay: &[Marked], needle: &[Marked]) -> bool {
    occurs(hay, needle)
}

impl Corpus {
    /// Sources of every article hit for `q` (all pages).
    fn found(&self, q: &str) -> BTreeSet<String> {
        self.hits(q).into_iter().map(|(source, _)| source).collect()
    }

    /// (source, article id) of every hit for `q` (all pages).
    fn hits(&self, q: &str) -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        let mut from = 0;
        loop {
            let params = Params {
                q: Some(q.to_string()),
                from: Some(from.to_string()),
                size: Some("100".into()),
                facets: Some("false".into()),
                snippets: Some("false".into()),
                ..Params::default()
            };
            let resp = self
                .engine
                .search(&Request::from_params(&params).unwrap())
                .unwrap();
            out.extend(
                resp.hits
                    .iter()
                    .map(|h| (h.meta.source.clone(), h.meta.id.clone())),
            );
            from += 100;
            if from >= resp.total || from + 100 > 10_000 {
                return out;
            }
        }
    }

    /// Checks one probe: recall against the raw text, precision up to displayed lines.
    fn check(&self, probe: &str) {
        let needle = stream(probe);
        let want: BTreeSet<String> = self
            .docs
            .iter()
            .filter(|(_, s, _)| has(s, &needle))
            .map(|(n, ..)| n.clone())
            .collect();
        if probe.contains('"') {
            return; // a quote cannot be typed inside a phrase; covered by the tokenizer tests
        }
        // Quoted: the exact string, without synonym expansion.
        let hits = self.hits(&format!("\"{probe}\""));
        // Article level, for strings of ideographs (what survives every cleaning step): each hit
        // contains the probe in its own text, its document's header, or across its boundary.
        if probe.chars().all(zhengsou::chars::is_cjk) {
            for (source, id) in &hits {
                let ok = self.articles[id].iter().any(|s| has(s, &needle));
                assert!(
                    ok,
                    "probe {probe:?}: article {id} of {source} does not contain it"
                );
            }
        }
        let got: BTreeSet<String> = hits.into_iter().map(|(s, _)| s).collect();
        let missed: Vec<&String> = want.difference(&got).collect();
        assert!(missed.is_empty(), "probe {probe:?}: missed {missed:?}");
        let extra: Vec<&String> = got
            .difference(&want)
            .filter(|n| {
                !self
                    .docs
                    .iter()
                    .any(|(m, _, lines)| m == *n && lines.iter().any(|l| has(l, &needle)))
            })
            .collect();
        assert!(
            extra.is_empty(),
            "probe {probe:?}: returned {extra:?}, which do not contain it"
        );
    }

    fn random_probes(&self, n: usize, seed: u64) -> Vec<String> {
        let mut rng = Rng(seed);
        let mut out = Vec::new();
        while out.len() < n {
            let (_, chars, _) = &self.docs[rng.below(self.docs.len())];
            let len = 1 + rng.below(8);
            if chars.len() <= len {
                continue;
            }
            let start = rng.below(chars.len() - len);
            out.push(chars[start..start + len].iter().map(|m| m.c).collect());
        }
        out
    }
}

/// Simplified → one traditional form, from the shipped table (for traditional-script queries).
fn to_traditional(s: &str) -> String {
    let table = include_str!("../data/t2s.txt");
    let map: HashMap<char, char> = table
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace().map(|w| w.chars().next());
            let (t, s) = (it.next()??, it.next()??);
            Some((s, t))
        })
        .collect();
    s.chars().map(|c| *map.get(&c).unwrap_or(&c)).collect()
}

fn explicit_cases(c: &Corpus) {
    for probe in [
        "业发展", // cross-word: 农业发展银行
        "农业发展银行",
        "处理",
        "网", // one character
        "〇",
        "12345", // digits alone and inside mixed runs
        "2345热线",
        "12345热线",
        "EMS",
        "ems免费",
        "H5",
        "ATM",
        "5G",
        "第15期", // header line
        "访问量",
        "gzswxzf", // inside a Markdown link
        "赣府厅字〔2020〕9号",
        "作风", // broken across lines in seed 000
    ] {
        c.check(probe);
    }
    // Traditional queries find simplified text, and simplified queries find traditional text.
    for simplified in ["政务服务", "国务院", "发展", "办公厅关于"] {
        let trad = to_traditional(simplified);
        assert_ne!(trad, simplified);
        assert_eq!(
            c.found(&trad),
            c.found(simplified),
            "{trad} vs {simplified}"
        );
        assert!(
            !c.found(simplified).is_empty(),
            "{simplified} found nothing"
        );
    }
}

#[test]
fn substring_recall_ci_slice() {
    let c = corpus(150);
    explicit_cases(&c);
    for probe in c.random_probes(1500, 0x00c0_ffee_1234) {
        c.check(&probe);
    }
}

#[test]
#[ignore = "full laws corpus (3,475 documents): run with --release --ignored"]
fn substring_recall_full_corpus() {
    let t0 = std::time::Instant::now();
    let c = corpus(usize::MAX / 2);
    eprintln!("indexed {} documents in {:?}", c.docs.len(), t0.elapsed());
    explicit_cases(&c);
    let probes = c.random_probes(5000, 0x005e_ed0f_1aa5);
    for probe in &probes {
        c.check(probe);
    }
    eprintln!(
        "substring recall 1.000 on {} random probes (+ explicit cases), {:?}",
        probes.len(),
        t0.elapsed()
    );
}

/// Arbitrary query strings never fail (the API maps any error to 4xx; here none may occur).
#[test]
fn arbitrary_queries_never_fail() {
    let c = corpus(5);
    let mut rng = Rng(0xf022);
    let alphabet: Vec<char> = "政务服务网上信访赣州市\"-: OR title:（）〔〕【】\u{0}\u{1}\u{7f}\u{200b}\u{feff}ＡＢａｂ12345 \t\n國務".chars().collect();
    for _ in 0..2000 {
        let len = rng.below(40);
        let q: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let params = Params {
            q: Some(q.clone()),
            ..Params::default()
        };
        let req = Request::from_params(&params).unwrap();
        c.engine
            .search(&req)
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
    let long = "很长的查询".repeat(10_000);
    let req = Request::from_params(&Params {
        q: Some(long),
        ..Params::default()
    })
    .unwrap();
    c.engine.search(&req).unwrap();
}

/// Large matching sets are counted from a sample and their top k pruned (`search::topk`):
/// with thresholds lowered so that this small corpus counts as large, every page must hold
/// exactly the hits a full evaluation gives, in the same order, and say its counts are
/// estimates.
#[test]
fn pruned_search_gives_the_hits_of_a_full_search() {
    let c = corpus(150);
    let mut pruned = Engine::new(c.engine.index.clone(), c.engine.fields).unwrap();
    pruned.reader.reload().unwrap();
    pruned.pruning = zhengsou::search::topk::Pruning {
        exact_up_to: 20,
        quota: 2,
    };
    let mut approximate = 0;
    for q in [
        "应当",
        "规定",
        "人民政府",
        "\"人民政府\"",
        "工作",
        "服务",
        "政务服务",
        "政府",
        "发展",
        "管理",
        "国家",
        "五型",
        "应当 规定",
        "政务服务&region=江西省",
        "法",
    ] {
        for extra in ["", "&sort=date", "&from=20", "&facets=false&snippets=false"] {
            let mut params: Params =
                serde_urlencoded::from_str(extra.trim_start_matches('&')).unwrap();
            let (text, filter) = q.split_once('&').unwrap_or((q, ""));
            params.q = Some(text.to_string());
            if let Some(r) = filter.strip_prefix("region=") {
                params.region = Some(r.to_string());
            }
            let req = Request::from_params(&params).unwrap();
            let full = c.engine.search(&req).unwrap();
            let fast = pruned.search(&req).unwrap();
            assert!(!full.approximate, "{q}{extra}");
            let ids = |r: &zhengsou::search::Response| -> Vec<String> {
                r.hits.iter().map(|h| h.meta.id.clone()).collect()
            };
            assert_eq!(ids(&full), ids(&fast), "{q}{extra}");
            if req.sort == zhengsou::search::Sort::Relevance {
                for (a, b) in full.hits.iter().zip(&fast.hits) {
                    assert!((a.score - b.score).abs() < 1e-3, "{q}{extra}");
                }
            }
            if fast.approximate {
                approximate += 1;
                // An estimate from 2 matches per range: the right order of magnitude.
                assert!(
                    fast.total * 3 >= full.total && fast.total <= full.total * 3,
                    "{q}{extra}: {} estimated, {} true",
                    fast.total,
                    full.total
                );
                assert_eq!(fast.facets.is_some(), full.facets.is_some());
            } else {
                assert_eq!(fast.total, full.total, "{q}{extra}");
                assert_eq!(fast.facets, full.facets, "{q}{extra}");
            }
        }
    }
    // The seeds alone are too small for a sample to fall short of them.
    if shared_data().is_some() {
        assert!(
            approximate >= 20,
            "only {approximate} searches took the pruned path"
        );
    }
}
