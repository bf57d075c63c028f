//! Query execution per query class, facets and snippets, in-process on an in-RAM index of the
//! seeds copied 40 times (200 documents, ~880 articles). Corpus-scale figures come from the
//! HTTP load tool (issue "Performance at a million articles").

use criterion::{criterion_group, criterion_main, Criterion};
use zhengsou::index;
use zhengsou::search::{Engine, Params, Request};

fn engine() -> Engine {
    let (idx, fields) = index::in_ram();
    let mut w: tantivy::IndexWriter = idx.writer(100_000_000).unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        for copy in 0..40 {
            let source = format!("copy{copy}/{}", p.file_name().unwrap().to_string_lossy());
            let doc = zhengsou::ingest::parse(&source, &text);
            for t in index::to_tantivy(&fields, &doc, "0:0:0") {
                w.add_document(t).unwrap();
            }
        }
    }
    w.commit().unwrap();
    let engine = Engine::new(idx, fields).unwrap();
    engine.reader.reload().unwrap();
    engine
}

fn request(pairs: &[(&str, &str)]) -> Request {
    let mut p = Params::default();
    for (k, v) in pairs {
        let v = Some(v.to_string());
        match *k {
            "q" => p.q = v,
            "region" => p.region = v,
            "year" => p.year = v,
            "facets" => p.facets = v,
            "snippets" => p.snippets = v,
            "from" => p.from = v,
            _ => unreachable!(),
        }
    }
    Request::from_params(&p).unwrap()
}

fn bench(c: &mut Criterion) {
    let e = engine();
    let classes: &[(&str, &[(&str, &str)])] = &[
        ("word", &[("q", "政务公开")]),
        ("common_word", &[("q", "政府")]),
        ("one_char", &[("q", "网")]),
        ("two_terms_and", &[("q", "政务服务 帮办代办")]),
        ("phrase", &[("q", "\"一链办理\"")]),
        (
            "filtered",
            &[("q", "服务"), ("region", "赣州市"), ("year", "2019")],
        ),
        ("browse_region", &[("region", "南昌市")]),
        (
            "bare_topk",
            &[
                ("q", "政务公开"),
                ("facets", "false"),
                ("snippets", "false"),
            ],
        ),
        ("deep_page", &[("q", "工作"), ("from", "500")]),
    ];
    let mut g = c.benchmark_group("query");
    for (name, params) in classes {
        let req = request(params);
        g.bench_function(*name, |b| b.iter(|| e.search(&req).unwrap().total));
    }
    g.finish();
    let text = e
        .document(&zhengsou::ingest::doc_id("copy0/001_0e7416a05388d94d.txt"))
        .unwrap()
        .text;
    c.bench_function("snippet_long_notice", |b| {
        b.iter(|| zhengsou::search::snippet::snippet(&text, &["政务服务".into(), "热线".into()], 2))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
