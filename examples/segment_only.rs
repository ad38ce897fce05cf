//! The speed limit for indexing: jieba-rs segmentation alone over the same
//! texts (title + text, NFKC) with the same number of threads, no index.
//! `jieba_s` is jieba-rs's own `cut` (no HMM) over each text; `words_s` is
//! tifa's word tokenizer (CJK runs cut by jieba, other words lower-cased), the
//! stream the index's word field reads. Both include NFKC.
//! Usage: segment_only THREADS PATH...
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

// The allocator of the `tifa` binary, so that the figures are what users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(2);
    let paths: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let started = Instant::now();
    let jieba = Arc::new(jieba_rs::Jieba::new());
    let mut docs = Vec::new();
    let mut report = tifa::corpus::LoadReport::default();
    tifa::corpus::load(
        &paths,
        tifa::corpus::Limits::default(),
        &mut report,
        |d| {
            docs.push(format!("{}\n{}", d.title, d.text));
            Ok(())
        },
        |_| {},
    )?;
    let loaded = started.elapsed().as_secs_f64();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let jieba_start = Instant::now();
    let cut: usize = pool.install(|| {
        docs.par_iter()
            .map(|d| jieba.cut(&tifa::text::nfkc(d), false).len())
            .sum()
    });
    let jieba_s = jieba_start.elapsed().as_secs_f64();
    let seg_start = Instant::now();
    let words: usize = pool.install(|| {
        docs.par_iter()
            .map(|d| tifa::text::WordTokenizer::words(&jieba, &tifa::text::nfkc(d)).len())
            .sum()
    });
    let seg = seg_start.elapsed().as_secs_f64();
    let bytes: usize = docs.iter().map(String::len).sum();
    println!(
        "{{\"docs\":{},\"bytes\":{},\"jieba_tokens\":{},\"words\":{},\"load_s\":{:.3},\"jieba_s\":{:.3},\"words_s\":{:.3},\"total_s\":{:.3}}}",
        docs.len(),
        bytes,
        cut,
        words,
        loaded,
        jieba_s,
        seg,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
