//! Analysis and ingest throughput on the seed documents (MB/s of input text).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tantivy::tokenizer::{TokenStream, Tokenizer};
use zhengsou::analysis::{BigramTokenizer, WordTokenizer};

fn seeds() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn count_tokens(tok: &mut impl Tokenizer, text: &str) -> usize {
    let mut ts = tok.token_stream(text);
    let mut n = 0;
    while ts.advance() {
        n += 1;
    }
    n
}

fn bench(c: &mut Criterion) {
    let docs = seeds();
    let bytes: usize = docs.iter().map(|(_, t)| t.len()).sum();
    // Warm the shared jieba dictionary outside the measurement.
    zhengsou::analysis::words("预热");
    let mut g = c.benchmark_group("analysis");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("bigram_tokenizer", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, t)| count_tokens(&mut BigramTokenizer, t))
                .sum::<usize>()
        })
    });
    g.bench_function("word_tokenizer_jieba", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, t)| count_tokens(&mut WordTokenizer, t))
                .sum::<usize>()
        })
    });
    g.bench_function("ingest_parse", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(n, t)| zhengsou::ingest::parse(n, t).articles.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
