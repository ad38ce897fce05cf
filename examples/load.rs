//! Load generator for `tifa serve` (bench/serve.sh): N clients for S seconds
//! over a mix of search pages, traces and timelines of the dev terms, with
//! plain HTTP/1.1 requests; prints latency percentiles and errors as JSON.
//!
//!   cargo run --release --example load -- http://127.0.0.1:8717 TERMS CLIENTS SECONDS

use std::io::{Read, Write};
use std::time::{Duration, Instant};

fn get(host: &str, path: &str) -> Result<u16, String> {
    let mut s = std::net::TcpStream::connect(host).map_err(|e| e.to_string())?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).map_err(|e| e.to_string())?;
    let head = String::from_utf8_lossy(&buf[..buf.len().min(64)]).to_string();
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| "no status".to_string())
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args.get(1).map_or("http://127.0.0.1:8717", String::as_str);
    let host = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let terms: Vec<String> = std::fs::read_to_string(
        args.get(2)
            .map_or("../shared/terms/dev-terms.txt", String::as_str),
    )
    .expect("terms")
    .lines()
    .map(str::trim)
    .filter(|l| !l.is_empty() && !l.starts_with('#'))
    .map(str::to_string)
    .collect();
    let clients: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(32);
    let seconds: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(30);
    let mut paths = Vec::new();
    for t in &terms {
        let q = enc(&format!("\"{t}\""));
        paths.push(("search", format!("/search?q={q}")));
        paths.push(("trace", format!("/api/trace?term={}", enc(t))));
        paths.push(("timeline", format!("/api/timeline?term={}", enc(t))));
    }
    // One pass alone first: the single-client latency of a search page.
    let mut single = Vec::new();
    for (kind, p) in &paths {
        if *kind == "search" {
            let t0 = Instant::now();
            let _ = get(&host, p);
            single.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
    }
    single.sort_by(f64::total_cmp);
    let end = Instant::now() + Duration::from_secs(seconds);
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let (host, paths) = (host.clone(), paths.clone());
            std::thread::spawn(move || {
                let mut out = Vec::new();
                let mut i = c * 7;
                while Instant::now() < end {
                    let (kind, p) = &paths[i % paths.len()];
                    let t0 = Instant::now();
                    let ok = matches!(get(&host, p), Ok(200));
                    out.push((*kind, t0.elapsed().as_secs_f64() * 1000.0, ok));
                    i += 1;
                }
                out
            })
        })
        .collect();
    let all: Vec<(&str, f64, bool)> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("client"))
        .collect();
    let mut report = serde_json::Map::new();
    report.insert("clients".into(), clients.into());
    report.insert("seconds".into(), seconds.into());
    report.insert("requests".into(), all.len().into());
    report.insert("errors".into(), all.iter().filter(|r| !r.2).count().into());
    report.insert(
        "single_client_search_page_ms".into(),
        serde_json::json!({"p50": percentile(&single, 0.5), "p95": percentile(&single, 0.95), "max": percentile(&single, 1.0)}),
    );
    for kind in ["search", "trace", "timeline", "all"] {
        let mut v: Vec<f64> = all
            .iter()
            .filter(|r| kind == "all" || r.0 == kind)
            .map(|r| r.1)
            .collect();
        v.sort_by(f64::total_cmp);
        report.insert(
            kind.into(),
            serde_json::json!({"requests": v.len(), "p50_ms": percentile(&v, 0.5), "p99_ms": percentile(&v, 0.99)}),
        );
    }
    println!("{}", serde_json::Value::Object(report));
}
