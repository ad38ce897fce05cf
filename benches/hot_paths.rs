//! Criterion benches of the hot paths: the gram tokenizer, NFKC with offset
//! maps, the stored-text matcher, and phrase queries on a fixture index built
//! from generated policy-like text. The full-corpus figures come from
//! `bench/run.sh`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tifa::engine::{Engine, Filter};
use tifa::matcher::Literal;
use tifa::text::{GramTokenizer, Normalized};

const PARAGRAPH: &str = "推动构建网络空间命运共同体，尊重网络主权，维护和平安全。We will build a community with a shared future in cyberspace and respect cyber sovereignty. 加大5G网络建设，推进互联网＋政务服务。\n";

fn text() -> String {
    PARAGRAPH.repeat(200)
}

fn tokenizer(c: &mut Criterion) {
    let t = text();
    let mut g = c.benchmark_group("analysis");
    g.throughput(Throughput::Bytes(t.len() as u64));
    let mut tokens = Vec::new();
    g.bench_function("gram tokenizer", |b| {
        b.iter(|| GramTokenizer::tokenize_into(black_box(&t), &mut tokens))
    });
    // Chinese text is rarely NFKC already: full-width punctuation (，＋) normalises to ASCII.
    g.bench_function("NFKC with offset map (Chinese paragraph)", |b| {
        b.iter(|| Normalized::new(black_box(&t)))
    });
    let normalised: String = t.replace('，', ",").replace('＋', "+");
    g.bench_function("NFKC with offset map (already normalised)", |b| {
        b.iter(|| Normalized::new(black_box(&normalised)))
    });
    g.finish();
}

fn matcher(c: &mut Criterion) {
    let t = text();
    let chinese = Literal::new("网络空间命运共同体").expect("term");
    let english = Literal::new("community with a shared future").expect("term");
    let mut g = c.benchmark_group("verify stored text");
    g.throughput(Throughput::Bytes(t.len() as u64));
    g.bench_function("Chinese term", |b| b.iter(|| chinese.count(black_box(&t))));
    g.bench_function("English term", |b| b.iter(|| english.count(black_box(&t))));
    g.finish();
}

fn queries(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tmp");
    let corpus = dir.path().join("c.jsonl");
    let mut lines = String::new();
    for i in 0..3000 {
        let body = PARAGRAPH.repeat(1 + i % 7).replace('\n', "\\n");
        lines.push_str(&format!("{{\"id\":\"d{i}\",\"lang\":\"zh\",\"date\":\"{}\",\"title\":\"文件{i}\",\"text\":\"{body}第{i}号\"}}\n", 2000 + i % 25));
    }
    std::fs::write(&corpus, lines).expect("write");
    let index = dir.path().join("idx");
    tifa::index::build(Path::new(&index), &[corpus], &Default::default(), |_| {}).expect("build");
    let engine = Engine::open(&index).expect("open");
    let allowed = engine.allowed(&Filter::default()).expect("filter");
    let mut g = c.benchmark_group("exact evaluation (3,000 docs)");
    for term in [
        "网络主权",
        "网络空间命运共同体",
        "网",
        "community with a shared future",
        "互联网+",
    ] {
        let literal = Literal::new(term).expect("term");
        g.bench_function(term, |b| {
            b.iter(|| {
                engine
                    .evaluate(black_box(&literal), &allowed)
                    .expect("evaluate")
                    .len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, tokenizer, matcher, queries);
criterion_main!(benches);
