//! Warm in-process query latency: each term as a phrase query, top 10 with
//! the exact total, repeated; prints p50/p95 in milliseconds as JSON.
//! Usage: query_latency INDEX TERMS_FILE [REPEATS]
use std::path::Path;
use std::time::Instant;

use tifa::engine::{Engine, Filter};
use tifa::search::{SearchOptions, Sort, search};

// The allocator of the `tifa` binary, so that the figures are what users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let index = args.get(1).map(String::as_str).unwrap_or("index");
    let terms_file = args
        .get(2)
        .map(String::as_str)
        .unwrap_or("../shared/terms/dev-terms.txt");
    let repeats: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(20);
    let engine = Engine::open(Path::new(index))?;
    let terms: Vec<String> = std::fs::read_to_string(terms_file)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|t| format!("\"{t}\""))
        .collect();
    let snippets = std::env::var("SNIPPETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let options = SearchOptions {
        limit: Some(10),
        sort: Sort::Relevance,
        filter: Filter::default(),
        snippets,
        pair: false,
        query: Default::default(),
    };
    for t in &terms {
        search(&engine, t, &options)?; // warm-up
    }
    let mut per_term = Vec::new();
    let mut all = Vec::new();
    for t in &terms {
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..repeats {
            let s = Instant::now();
            total = search(&engine, t, &options)?.total;
            times.push(s.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        per_term.push(format!(
            "{{\"term\":{},\"total\":{},\"p50_ms\":{:.3}}}",
            serde_json::to_string(t)?,
            total,
            times[times.len() / 2]
        ));
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{{\"queries\":{},\"p50_ms\":{:.3},\"p95_ms\":{:.3},\"terms\":[{}]}}",
        all.len(),
        pct(0.5),
        pct(0.95),
        per_term.join(",")
    );
    Ok(())
}
