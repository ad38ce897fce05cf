//! `tifa serve` over plain HTTP: the page's and the API's numbers are the
//! CLI's, breakdown counts equal the totals of the searches they link to,
//! corpus text is escaped, the security headers are there.

mod common;

use std::path::Path;

use common::{build_index, enc, get, get_with, json, serve, serve_with, write};
use serde_json::Value;

fn record(
    id: &str,
    lang: &str,
    date: &str,
    title: &str,
    text: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut v = serde_json::json!({"id": id, "lang": lang, "kind": "speech", "date": date, "title": title, "text": text});
    for (k, x) in extra {
        v[*k] = Value::String((*x).to_string());
    }
    v.to_string()
}

fn fixture(dir: &Path) -> std::path::PathBuf {
    let mut lines = vec![
        record(
            "zh-1",
            "zh",
            "2014-11-19",
            "尊重网络主权",
            "各国应尊重网络主权。网络主权是前提。",
            &[("pair", "en-1")],
        ),
        record(
            "en-1",
            "en",
            "2014-11-19",
            "Respect cyber sovereignty",
            "Countries should respect cyber sovereignty.",
            &[("pair", "zh-1")],
        ),
        record(
            "zh-2",
            "zh",
            "2015-12-16",
            "网络空间命运共同体",
            "共同构建网络空间命运共同体，尊重网络主权。",
            &[],
        ),
        record(
            "zh-3",
            "zh",
            "2016",
            "年度报告",
            "网络主权和网络安全。",
            &[],
        ),
        record(
            "xss",
            "zh",
            "2016-05-05",
            "<script>alert(1)</script>\"><img src=x onerror=alert(2)>",
            "网络主权 <a href=\"javascript:alert(3)\">点击</a> </textarea><script>alert(4)</script>",
            &[("source", "javascript:alert(5)")],
        ),
    ];
    lines.push(record(
        "zh-4",
        "zh",
        "2017-01-02",
        "其他",
        "没有这个词。",
        &[],
    ));
    let corpus = write(
        dir,
        "corpus/docs.jsonl",
        (lines.join("\n") + "\n").as_bytes(),
    );
    build_index(dir, corpus.parent().expect("folder"))
}

/// The number in `<b id="ID">N</b>`.
fn number(body: &str, id: &str) -> u64 {
    let at = body
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("{id} in {body}"));
    body[at..]
        .split('>')
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a number at {id}"))
}

#[test]
fn pages_and_api_give_the_cli_numbers() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    let cli = json(&index, &["search", "网络主权", "--all", "--json"]);
    let (status, head, api) = get(
        &server.base,
        &format!("/api/search?q={}&all=true", enc("网络主权")),
    );
    assert_eq!(status, 200);
    assert!(head.contains("application/json"));
    let api: Value = serde_json::from_str(&api).expect("json");
    assert_eq!(api["total"], cli["total"]);
    assert_eq!(
        api["hits"].as_array().map(Vec::len),
        cli["hits"].as_array().map(Vec::len)
    );
    let (_, _, page) = get(&server.base, &format!("/search?q={}", enc("网络主权")));
    assert_eq!(
        number(&page, "total"),
        cli["total"].as_u64().expect("total")
    );
    let occ: u64 = cli["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["occurrences"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(number(&page, "occurrences"), occ);
    assert!(page.contains("<mark>网络主权</mark>"));
    // Every breakdown count links to a search whose total is that count.
    let mut links = 0;
    for part in page.split("<a class=\"count\" href=\"").skip(1) {
        let href = part.split('"').next().expect("href").replace("&amp;", "&");
        let count: u64 = part
            .split('>')
            .nth(1)
            .and_then(|s| s.split('<').next())
            .and_then(|s| s.parse().ok())
            .expect("count");
        let (_, _, filtered) = get(&server.base, &href);
        assert_eq!(number(&filtered, "total"), count, "{href}");
        links += 1;
    }
    assert!(links >= 6, "{links} breakdown links");
    // trace and timeline: the CLI's JSON.
    let cli_trace = json(&index, &["trace", "网络主权", "--json"]);
    let (_, _, t) = get(
        &server.base,
        &format!("/api/trace?term={}", enc("网络主权")),
    );
    let t: Value = serde_json::from_str(&t).expect("json");
    assert_eq!(t["docs"], cli_trace["docs"]);
    assert_eq!(t["first"]["id"], cli_trace["first"]["id"]);
    let cli_tl = json(&index, &["timeline", "网络主权", "--json"]);
    let (_, _, tl) = get(
        &server.base,
        &format!("/api/timeline?term={}", enc("网络主权")),
    );
    let mut tl: Value = serde_json::from_str(&tl).expect("json");
    // The stamps differ only in what reproduces them: the address, the command.
    let (api_stamp, cli_stamp) = (tl["stamp"].take(), cli_tl["stamp"].clone());
    let mut cli_tl = cli_tl;
    cli_tl["stamp"].take();
    assert_eq!(tl, cli_tl);
    assert_eq!(api_stamp["corpus_hash"], cli_stamp["corpus_hash"]);
    assert_eq!(api_stamp["generation"], cli_stamp["generation"]);
    assert!(
        api_stamp["command"]
            .as_str()
            .is_some_and(|c| c.starts_with("/api/timeline?term=")),
        "{api_stamp}"
    );
    assert!(
        cli_stamp["command"]
            .as_str()
            .is_some_and(|c| c.ends_with("timeline 网络主权 --json")),
        "{cli_stamp}"
    );
    // The server keeps a timeline's corpus-wide figures per filter: after
    // the unfiltered one, filtered and monthly ones still equal the CLI's.
    for (query, args) in [
        ("&from=2016", vec!["--from", "2016"]),
        ("&kind=speech", vec!["--kind", "speech"]),
        ("&by=month", vec!["--by", "month"]),
    ] {
        let mut cli_args = vec!["timeline", "网络主权", "--json"];
        cli_args.extend(args);
        let mut want = json(&index, &cli_args);
        let (_, _, got) = get(
            &server.base,
            &format!("/api/timeline?term={}{query}", enc("网络主权")),
        );
        let mut got: Value = serde_json::from_str(&got).expect("json");
        want["stamp"].take();
        got["stamp"].take();
        assert_eq!(got, want, "{query}");
    }
    // Every page has the stamp in its footer.
    let hash = cli_stamp["corpus_hash"].as_str().expect("hash");
    for page in [
        "/search?q=%E7%BD%91%E7%BB%9C%E4%B8%BB%E6%9D%83",
        "/timeline?term=x",
        "/fields",
    ] {
        let (_, _, html) = get(&server.base, page);
        let footer = html
            .split("<footer class=\"stamp\">")
            .nth(1)
            .unwrap_or_else(|| panic!("{page}: no stamp"));
        assert!(footer.contains(&hash[..12]), "{page}: {footer}");
        assert!(footer.contains("reproduce: /"), "{page}: {footer}");
    }
    let (_, _, trace_page) = get(&server.base, &format!("/trace?term={}", enc("网络主权")));
    assert_eq!(
        number(&trace_page, "trace-docs"),
        cli_trace["docs"].as_u64().expect("docs")
    );
    // The concordance has one line per occurrence.
    let (_, _, kwic) = get(&server.base, &format!("/kwic?q={}", enc("网络主权")));
    assert_eq!(number(&kwic, "kwic-total"), occ);
    // The CSV export has every document.
    let (_, head, csv) = get(
        &server.base,
        &format!("/export/search.csv?q={}", enc("网络主权")),
    );
    assert!(head.contains("attachment"));
    assert_eq!(
        csv.lines().count() as u64,
        1 + cli["total"].as_u64().expect("total")
    );
    // Read as Excel reads it: a UTF-8 byte-order mark, then the header.
    let header = csv
        .strip_prefix('\u{feff}')
        .and_then(|rest| rest.lines().next())
        .expect("a CSV download starts with a UTF-8 BOM");
    assert!(header.starts_with("id,"), "{header}");
    // Its stamp travels in a header (the table stays plain).
    let stamp = head
        .lines()
        .find_map(|l| l.strip_prefix("x-tifa-stamp: "))
        .expect("a CSV download carries X-Tifa-Stamp");
    assert!(stamp.starts_with("tifa "), "{stamp}");
    assert!(stamp.contains(&hash.to_lowercase()), "{stamp}");
    assert!(
        stamp.ends_with(
            &format!("reproduce: /export/search.csv?q={}", enc("网络主权")).to_lowercase()
        ),
        "{stamp}"
    );
    // A report, downloaded, is the CLI's report.csv.
    let terms = "网络主权\n@cyber-sovereignty\n";
    let (_, _, report_csv) = get(
        &server.base,
        &format!("/export/report/report.csv?terms={}", enc(terms)),
    );
    let tf = write(dir.path(), "terms.txt", terms.as_bytes());
    let out = dir.path().join("report");
    common::run_report(&index, &tf, &out);
    assert_eq!(
        report_csv.strip_prefix('\u{feff}').expect("BOM"),
        std::fs::read_to_string(out.join("report.csv")).expect("csv")
    );
    // Its report.json has one stamp, naming the download that reproduces it.
    let address = format!("/export/report/report.json?terms={}", enc(terms));
    let (_, _, report_json) = get(&server.base, &address);
    assert_eq!(report_json.matches("\"stamp\"").count(), 1, "{report_json}");
    let v: serde_json::Value = serde_json::from_str(&report_json).expect("json");
    assert_eq!(
        v["stamp"]["command"].as_str().map(str::to_lowercase),
        Some(address.to_lowercase()),
        "{}",
        v["stamp"]
    );
    assert_eq!(v["terms"], {
        let cli: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).expect("json"))
                .expect("json");
        cli["terms"].clone()
    });
}

#[test]
fn corpus_text_is_escaped_and_headers_protect_the_page() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    for path in [
        format!("/search?q={}", enc("网络主权")),
        "/doc/xss?q=%E7%BD%91%E7%BB%9C%E4%B8%BB%E6%9D%83".to_string(),
        format!("/kwic?q={}", enc("网络主权")),
        format!("/trace?term={}", enc("网络主权")),
        format!("/search?q={}", enc("<script>alert(9)</script>")),
    ] {
        let (status, head, body) = get(&server.base, &path);
        assert_eq!(status, 200, "{path}");
        assert!(
            head.contains("content-security-policy: default-src 'none'"),
            "{path}"
        );
        assert!(!body.contains("<script"), "{path}: raw script tag");
        assert!(!body.contains("<img"), "{path}: raw img tag");
        assert!(
            !body.contains("href=\"javascript:"),
            "{path}: javascript link"
        );
    }
    let (_, _, doc) = get(&server.base, "/doc/xss");
    assert!(doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(doc.contains("javascript:alert(5)"), "shown as text");
    // A paired document is shown aligned, row by row: each segment's
    // Chinese and English in one row, the query marked on both sides.
    let (_, _, pair) = get(
        &server.base,
        &format!(
            "/doc/zh-1?q={}&r={}",
            enc("网络主权"),
            enc("cyber sovereignty")
        ),
    );
    assert!(
        pair.contains("<table class=\"aligned\" id=\"pair\">"),
        "{pair}"
    );
    let row = pair
        .split("<tr id=\"seg-2\">")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("row 2");
    assert!(
        row.contains("各国应尊重<mark>网络主权</mark>")
            && row.contains("Countries should respect <mark>cyber sovereignty</mark>."),
        "{row}"
    );
    // A query is marked by its terms, as on the document itself.
    let (_, _, near) = get(
        &server.base,
        &format!("/doc/zh-1?q={}", enc("网络 NEAR/3 主权")),
    );
    let row = near
        .split("<tr id=\"seg-2\">")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("row 2");
    // (adjacent places are merged into one mark, as everywhere)
    assert!(row.contains("各国应尊重<mark>网络主权</mark>"), "{row}");
    // The same pair from the command line, aligned (title and sentence: two 1–1 links).
    let aligned = json(&index, &["pair", "en-1", "--json"]);
    assert_eq!(aligned["id"], "zh-1");
    assert_eq!(aligned["pair"], "en-1");
    assert_eq!(
        aligned["segments"][1]["en"],
        "Countries should respect cyber sovereignty."
    );
    assert_eq!(
        aligned["segments"][1]["zh"],
        "各国应尊重网络主权。网络主权是前提。"
    );
    common::tifa(&index)
        .args(["pair", "zh-2"])
        .assert()
        .failure();
    // Mistakes are 400 with the CLI's message; unknown documents 404.
    let (status, _, body) = get(
        &server.base,
        &format!("/search?q={}&kind=speeches", enc("网络主权")),
    );
    assert_eq!(status, 400);
    assert!(body.contains("speech"), "{body}");
    let (status, _, body) = get(&server.base, "/api/search?q=%22unbalanced");
    assert_eq!(status, 400);
    assert!(body.contains("\"error\""));
    let (status, _, _) = get(&server.base, "/doc/nope");
    assert_eq!(status, 404);
    let (status, _, _) = get(
        &server.base,
        "/export/report/..%2F..%2Fetc%2Fpasswd?terms=x",
    );
    assert_eq!(status, 404);
    let (status, _, _) = get(&server.base, "/api/search?q=a&limit=100000");
    assert_eq!(status, 400);
    let (status, head, css) = get(&server.base, "/assets/tifa.css");
    assert_eq!(status, 200);
    assert!(head.contains("text/css") && css.contains("mark"));
}

#[test]
fn a_rebuilt_index_is_served_without_a_restart() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    let path = format!("/api/search?q={}", enc("新词语"));
    let (_, _, before) = get(&server.base, &path);
    assert_eq!(
        serde_json::from_str::<Value>(&before).expect("json")["total"],
        0
    );
    let more = write(
        dir.path(),
        "corpus2/new.jsonl",
        (record("new-1", "zh", "2020-01-01", "新", "一个新词语。", &[]) + "\n").as_bytes(),
    );
    common::tifa(&index)
        .arg("index")
        .arg(more.parent().expect("folder"))
        .assert()
        .success();
    let (_, _, after) = get(&server.base, &path);
    assert_eq!(
        serde_json::from_str::<Value>(&after).expect("json")["total"],
        1
    );
}

/// DNS rebinding and cross-site reads: a request naming another host gets
/// 421; the API and exports refuse cross-site requests that are not
/// navigations; the page itself, localhost and the bound address work.
#[test]
fn other_hosts_and_cross_site_reads_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    let port = server.base.rsplit(':').next().expect("port").to_string();
    let api = format!("/api/search?q={}", enc("网络主权"));
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "localhost".to_string(),
    ] {
        let (status, _, _) = get_with(&server.base, &api, &[("Host", &host)]);
        assert_eq!(status, 200, "{host}");
    }
    let (status, _, body) = get_with(
        &server.base,
        &api,
        &[("Host", &format!("rebind.attacker.example:{port}"))],
    );
    assert_eq!(status, 421, "{body}");
    assert!(body.contains("--allow-host"), "{body}");
    // Cross-site fetches of the API and exports are refused…
    for (headers, path) in [
        (
            vec![("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Mode", "cors")],
            api.clone(),
        ),
        (vec![("Origin", "http://attacker.example")], api.clone()),
        (
            vec![("Origin", "null")],
            format!("/export/search.csv?q={}", enc("网络主权")),
        ),
    ] {
        let (status, _, body) = get_with(&server.base, &path, &headers);
        assert_eq!(status, 403, "{headers:?} {path}: {body}");
    }
    // …but not the page's own requests, nor a link followed from elsewhere.
    let own_origin = format!("http://127.0.0.1:{port}");
    let (status, _, _) = get_with(
        &server.base,
        &api,
        &[("Origin", &own_origin), ("Sec-Fetch-Site", "same-origin")],
    );
    assert_eq!(status, 200);
    let (status, _, _) = get_with(
        &server.base,
        &format!("/search?q={}", enc("网络主权")),
        &[
            ("Sec-Fetch-Site", "cross-site"),
            ("Sec-Fetch-Mode", "navigate"),
        ],
    );
    assert_eq!(status, 200);
}

/// The concordance API honours its 1,000-line cap (`limit`, `offset`), with
/// `total` still counting every occurrence; bidi overrides in corpus strings
/// are shown as visible escapes on pages.
#[test]
fn the_concordance_api_is_capped_and_bidi_overrides_are_inert() {
    let dir = tempfile::tempdir().expect("tmp");
    let corpus = write(
        dir.path(),
        "c.jsonl",
        (0..3)
            .map(|i| {
                record(
                    &format!("k{i}"),
                    "zh",
                    "2015-01-01",
                    "evil\u{202e}txt.exe",
                    "网络主权，网络主权，网络主权。",
                    &[],
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
            .as_bytes(),
    );
    let index = build_index(dir.path(), &corpus);
    let server = serve(&index);
    let (status, _, body) = get(
        &server.base,
        &format!("/api/kwic?q={}&limit=2&offset=1", enc("网络主权")),
    );
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["total"], 9);
    assert_eq!(v["lines"].as_array().map(Vec::len), Some(2));
    let (status, _, _) = get(
        &server.base,
        &format!("/api/kwic?q={}&limit=5000", enc("网络主权")),
    );
    assert_eq!(status, 400);
    let (status, _, body) = get(&server.base, &format!("/search?q={}", enc("网络主权")));
    assert_eq!(status, 200);
    assert!(
        !body.contains('\u{202e}'),
        "a raw bidi override on the page"
    );
    assert!(body.contains("evil\\u{202e}txt.exe"), "{body}");
}

/// A connection that sends nothing is closed after the idle timeout (at
/// least the time budget and 5 s), so idle connections cannot hold every
/// file descriptor; a request on a fresh connection is answered.
#[test]
fn idle_connections_are_closed() {
    use std::io::Read;
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve_with(&index, &["--idle-timeout", "1", "--time-budget", "1"]);
    let address = server.base.trim_start_matches("http://").to_string();
    let mut idle = std::net::TcpStream::connect(&address).expect("connect");
    idle.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("timeout");
    let started = std::time::Instant::now();
    let mut buf = [0u8; 16];
    let n = idle.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "the server closes the idle connection");
    let waited = started.elapsed().as_secs_f64();
    assert!((4.0..20.0).contains(&waited), "{waited}");
    let (status, _, _) = get(&server.base, "/api/fields");
    assert_eq!(status, 200);
}

/// `/renderings` and `/api/renderings` give the CLI's renderings; each
/// example links to its aligned pair at the segment, both sides marked.
#[test]
fn renderings_page_and_api_give_the_cli_renderings() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    let cli = json(&index, &["renderings", "网络主权", "--json"]);
    let (status, _, api) = get(
        &server.base,
        &format!("/api/renderings?term={}", enc("网络主权")),
    );
    assert_eq!(status, 200);
    let mut api: Value = serde_json::from_str(&api).expect("json");
    let mut cli = cli;
    // The stamps name the same index; what reproduces them differs.
    assert_eq!(api["stamp"]["corpus_hash"], cli["stamp"]["corpus_hash"]);
    api["stamp"].take();
    cli["stamp"].take();
    assert_eq!(api, cli);
    // Two segments only (title and sentence): "respect cyber sovereignty" holds both.
    assert!(
        cli["renderings"][0]["text"]
            .as_str()
            .expect("a rendering")
            .contains("cyber sovereignty"),
        "{cli}"
    );
    let (status, _, page) = get(
        &server.base,
        &format!("/renderings?term={}", enc("网络主权")),
    );
    assert_eq!(status, 200);
    assert_eq!(
        number(&page, "segments-with-term"),
        cli["segments_with_term"].as_u64().expect("count")
    );
    let shown: Vec<&str> = page
        .split("<span class=\"rendering\">")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .collect();
    let expected: Vec<&str> = cli["renderings"]
        .as_array()
        .expect("renderings")
        .iter()
        .filter_map(|r| r["text"].as_str())
        .collect();
    assert_eq!(shown, expected);
    assert!(page.contains("id=\"renderings-chart\""), "drift chart");
    // The first example's link opens the pair at its segment.
    let segment = cli["renderings"][0]["example"]["segment"]
        .as_u64()
        .expect("segment");
    let href = page
        .split("<a class=\"example\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("example link");
    assert!(href.ends_with(&format!("#seg-{segment}")), "{href}");
    let (status, _, doc) = get(&server.base, href.replace("&amp;", "&").as_str());
    assert_eq!(status, 200);
    let row = doc
        .split(&format!("<tr id=\"seg-{segment}\">"))
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("the example's row");
    let english = row
        .split("<td class=\"en\" lang=\"en\">")
        .nth(1)
        .expect("english side");
    assert!(
        row.contains("<mark>网络主权</mark>")
            && english
                .to_lowercase()
                .contains("<mark>respect cyber sovereignty</mark>"),
        "{row}"
    );
    // No term: the page asks for one, the API says what to give.
    let (status, _, empty) = get(&server.base, "/renderings");
    assert_eq!(status, 200);
    assert!(empty.contains("name=\"term\""));
    let (status, _, body) = get(&server.base, "/api/renderings");
    assert_eq!(status, 400);
    assert!(body.contains("give a term"), "{body}");
}

/// The header keeps the current term: search → trace → timeline →
/// concordance → renderings → search, each one click, each the same term.
#[test]
fn the_header_walks_every_view_of_the_same_term() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    let nav = |page: &str, key: &str| -> String {
        let marker = format!("<a id=\"nav-{key}\" href=\"");
        page.split(&marker)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("no header link {key}"))
            .replace("&amp;", "&")
    };
    let term = enc("网络主权");
    let (status, _, search) = get(&server.base, &format!("/search?q={term}"));
    assert_eq!(status, 200);
    let total = number(&search, "total");
    let mut page = search;
    for (key, expected, id) in [
        ("trace", format!("/trace?term={term}"), "trace-docs"),
        (
            "timeline",
            format!("/timeline?term={term}"),
            "timeline-chart",
        ),
        ("kwic", format!("/kwic?q={term}"), "kwic-total"),
        (
            "renderings",
            format!("/renderings?term={term}"),
            "renderings-summary",
        ),
        ("search", format!("/search?q={term}"), "total"),
    ] {
        let href = nav(&page, key);
        assert_eq!(href, expected, "{key}");
        let (status, _, next) = get(&server.base, &href);
        assert_eq!(status, 200, "{href}");
        assert!(next.contains(&format!("id=\"{id}\"")), "{href}: no #{id}");
        if id == "trace-docs" || id == "total" {
            assert_eq!(number(&next, id), total, "{href}");
        }
        page = next;
    }
    // Without a term the header links are the bare views.
    let (_, _, bare) = get(&server.base, "/search");
    assert_eq!(nav(&bare, "trace"), "/trace");
    // Filters go with the term: the trace opened from a filtered search
    // counts the same documents, and the concordance its occurrences.
    let filters = "&from=2015&kind=speech";
    let (status, _, search) = get(&server.base, &format!("/search?q={term}{filters}"));
    assert_eq!(status, 200);
    let total = number(&search, "total");
    let occurrences = number(&search, "occurrences");
    let all = number(&get(&server.base, &format!("/search?q={term}")).2, "total");
    assert!(total < all, "the filter narrows: {total} of {all}");
    let href = nav(&search, "trace");
    assert!(href.ends_with("&kind=speech&from=2015"), "{href}");
    assert_eq!(number(&get(&server.base, &href).2, "trace-docs"), total);
    let href = nav(&search, "kwic");
    assert_eq!(
        number(&get(&server.base, &href).2, "kwic-total"),
        occurrences
    );
}

/// A concordance line shows its document's title and opens the document at
/// its own match: the page's marks are numbered as the lines count them.
#[test]
fn concordance_lines_open_their_match() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    let (_, _, kwic) = get(&server.base, &format!("/kwic?q={}", enc("网络主权")));
    let total = number(&kwic, "kwic-total");
    let mut per_doc: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    let mut lines = 0;
    let mut titles = Vec::new();
    for part in kwic.split("<a class=\"line-doc\" href=\"").skip(1) {
        let href = part.split('"').next().expect("href").replace("&amp;", "&");
        let title = part
            .split('>')
            .nth(1)
            .and_then(|t| t.split('<').next())
            .expect("title");
        let (path, k) = href.split_once("#m").expect("a match anchor");
        let k: u64 = k.parse().expect("match number");
        let (_, _, doc) = get(&server.base, path);
        assert!(
            doc.contains(&format!("<mark id=\"m{k}\">网络主权</mark>")),
            "{href}: no mark m{k}"
        );
        titles.push(title.to_string());
        per_doc.entry(path.to_string()).or_default().push(k);
        lines += 1;
    }
    assert_eq!(lines, total, "one link per line");
    // Lines show titles (the id is the link's tooltip).
    assert!(titles.iter().any(|t| t == "尊重网络主权"), "{titles:?}");
    // Within a document the lines are its matches 1, 2, … each once.
    for (path, mut ks) in per_doc {
        ks.sort_unstable();
        let expected: Vec<u64> = (1..=ks.len() as u64).collect();
        assert_eq!(ks, expected, "{path}");
    }
}

/// The pages of collocates, coverage and fields show the API's (and so the
/// CLI's) numbers; every value on the fields page is a filter link whose
/// coverage total is that value's count.
#[test]
fn collocates_coverage_and_fields_pages_give_the_api_numbers() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    // Collocates: the page's table has the API's words and counts, in order.
    let query = format!("term={}&min_freq=1", enc("网络主权"));
    let (status, _, api) = get(&server.base, &format!("/api/collocates?{query}"));
    assert_eq!(status, 200, "{api}");
    let api: Value = serde_json::from_str(&api).expect("json");
    let cli = json(
        &index,
        &["collocates", "网络主权", "--min-freq", "1", "--json"],
    );
    assert_eq!(api["groups"], cli["groups"]);
    let (status, _, page) = get(&server.base, &format!("/collocates?{query}"));
    assert_eq!(status, 200, "{page}");
    let words = api["groups"][0]["collocates"]
        .as_array()
        .expect("collocates");
    assert!(!words.is_empty());
    let mut at = 0;
    for w in words {
        let cell = format!(
            ">{}</a></td><td>{}</td>",
            w["word"].as_str().expect("word"),
            w["freq"]
        );
        let found = page[at..]
            .find(&cell)
            .unwrap_or_else(|| panic!("{cell} after {at}"));
        at += found + cell.len();
    }
    // Coverage: the page's total is the API's, each collection's documents shown.
    let (_, _, api) = get(&server.base, "/api/coverage");
    let api: Value = serde_json::from_str(&api).expect("json");
    let total: u64 = api["collections"]
        .as_array()
        .expect("collections")
        .iter()
        .map(|c| c["docs"].as_u64().expect("docs"))
        .sum();
    let (status, _, page) = get(&server.base, "/coverage");
    assert_eq!(status, 200);
    assert_eq!(number(&page, "coverage-docs"), total);
    // Fields: each kind is a link to the coverage under that filter, whose
    // total is the count shown beside it.
    let (status, _, page) = get(&server.base, "/fields");
    assert_eq!(status, 200);
    let at = page
        .find("<section class=\"field\" id=\"field-kind\">")
        .expect("kinds");
    let link = "<a href=\"/coverage?kind=speech\">speech</a> <span class=\"small\">";
    let count: u64 = page[at..]
        .split(link)
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|n| n.parse().ok())
        .expect("speech's count");
    let (status, _, filtered) = get(&server.base, "/coverage?kind=speech");
    assert_eq!(status, 200);
    assert_eq!(number(&filtered, "coverage-docs"), count);
    // The header reaches the three pages.
    for key in ["collocates", "coverage", "fields"] {
        assert!(page.contains(&format!("id=\"nav-{key}\"")), "{key}");
    }
}

/// A mistake is shown above the form as it was filled, in the page's words
/// (no CLI flags), its suggestion a link to the corrected request; the
/// filters offer the index's values as pick-lists.
#[test]
fn errors_keep_the_form_and_filters_are_pick_lists() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    for path in ["/search?q=", "/kwic?q=", "/trace?term=", "/timeline?term="] {
        let (status, _, page) = get(
            &server.base,
            &format!("{path}{}&kind=speeches", enc("网络主权")),
        );
        assert_eq!(status, 400, "{path}: {page}");
        assert!(page.contains("id=\"error\""), "{path}");
        assert!(!page.contains("--kind"), "{path}: CLI words: {page}");
        assert!(
            page.contains("value=\"网络主权\""),
            "{path}: the form is kept: {page}"
        );
        let start = page
            .find("class=\"suggestion\" href=\"")
            .expect("suggestion")
            + "class=\"suggestion\" href=\"".len();
        let href = page[start..]
            .split('"')
            .next()
            .expect("href")
            .replace("&amp;", "&");
        assert!(
            href.contains("kind=speech") && !href.contains("speeches"),
            "{href}"
        );
        let (status, _, fixed) = get(&server.base, &href);
        assert_eq!(status, 200, "{href}: {fixed}");
    }
    // Pick-lists: the kinds and collections of the index, with counts.
    let (_, _, page) = get(&server.base, "/search");
    assert!(page.contains("<input type=\"text\" name=\"kind\" value=\"\" placeholder=\"any\" size=\"12\" list=\"kinds\">"), "{page}");
    assert!(
        page.contains("<datalist id=\"kinds\"><option value=\"speech\">speech ("),
        "{page}"
    );
    assert!(
        page.contains("<datalist id=\"collections\"><option value=\"docs.jsonl\">"),
        "{page}"
    );
    // field=value suggestions are the records' own fields, not identifiers
    // (one value per document) nor the fields with boxes of their own.
    let pairs = page
        .split("<datalist id=\"field-values\">")
        .nth(1)
        .and_then(|d| d.split("</datalist>").next())
        .expect("field=value pick-list");
    for absent in ["value=\"id=", "value=\"kind=", "value=\"collection="] {
        assert!(!pairs.contains(absent), "{absent} in {pairs}");
    }
}

/// The timeline page names its unit and defines it, warns when terms are
/// counted in different units, offers per month, and shows a period a term
/// lacks as 0.
#[test]
fn the_timeline_names_its_units() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    let (status, _, page) = get(
        &server.base,
        &format!(
            "/timeline?term={}&term={}",
            enc("网络主权"),
            enc("cyber sovereignty")
        ),
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"timeline-unit\">Per million: occurrences per million Han characters / English words"), "{page}");
    assert!(page.contains("counted in different units"), "{page}");
    assert!(page.contains("per million Han characters</th>"), "{page}");
    assert!(
        page.contains("<option value=\"month\">month</option>"),
        "{page}"
    );
    // "cyber sovereignty" is only in 2014: its 2015 cells are 0, not blank.
    let row = page
        .split("<tr><td>2015</td>")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("the 2015 row");
    assert!(
        row.ends_with(
            "<td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">0.00</td>"
        ),
        "{row}"
    );
    let (_, _, page) = get(
        &server.base,
        &format!("/timeline?term={}&by=month&unit=docs", enc("网络主权")),
    );
    assert!(
        page.contains("<option value=\"month\" selected>month</option>"),
        "{page}"
    );
    assert!(page.contains("<tr><td>2015-12</td>"), "{page}");
    assert!(!page.contains("different units"));
}

/// `/families`: every built-in family with its variants; the documents of a
/// family and of each variant are what trace and search count.
#[test]
fn families_page_lists_the_families_with_the_cli_counts() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    let (status, _, page) = get(&server.base, "/families");
    assert_eq!(status, 200, "{page}");
    let section = page
        .split("<section class=\"family\" id=\"family-cyber-sovereignty\">")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the @cyber-sovereignty section");
    let trace = json(&index, &["trace", "@cyber-sovereignty", "--json"]);
    assert_eq!(
        number(section, "docs-cyber-sovereignty"),
        trace["docs"].as_u64().expect("docs")
    );
    let cli = json(&index, &["search", "\"网络主权\"", "--json"]);
    assert!(
        section.contains(&format!(
            "网络主权</td><td class=\"n\">{}</td>",
            cli["total"]
        )),
        "{section}"
    );
    assert!(
        section.contains("href=\"/trace?term=%40cyber-sovereignty\""),
        "{section}"
    );
    assert!(page.contains("id=\"nav-families\""));
}

/// The search page puts the aligned paragraph of a paired document's
/// translation under its passage (the CLI's `search --pair`), unless pair=0.
#[test]
fn search_page_shows_the_translation_under_a_paired_hit() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let server = serve(&index);
    let cli = json(&index, &["search", "网络主权", "--pair", "--all", "--json"]);
    let pairs: Vec<String> = cli["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .flat_map(|h| h["snippets"].as_array().cloned().unwrap_or_default())
        .filter_map(|s| s["pair"].as_str().map(str::to_string))
        .collect();
    assert!(!pairs.is_empty(), "the fixture has a paired hit: {cli}");
    let (status, _, page) = get(&server.base, &format!("/search?q={}", enc("网络主权")));
    assert_eq!(status, 200);
    for pair in &pairs {
        assert!(
            page.contains(&format!("<div class=\"pair\" lang=\"en\">⟷ {pair}</div>")),
            "{pair} not under its passage: {page}"
        );
    }
    assert!(page.contains("id=\"pair-toggle\""));
    let (_, _, hidden) = get(
        &server.base,
        &format!("/search?q={}&pair=0", enc("网络主权")),
    );
    assert!(!hidden.contains("class=\"pair\""), "{hidden}");
    assert!(hidden.contains("Show them"));
}

/// A `pair` field that is empty or names a document the index lacks: the
/// search (page and CLI --pair) still answers, without a translation.
#[test]
fn search_survives_an_empty_or_dangling_pair() {
    let dir = tempfile::tempdir().expect("tmp");
    let lines = [
        record(
            "a",
            "zh",
            "2015-01-01",
            "甲",
            "尊重网络主权。",
            &[("pair", "")],
        ),
        record(
            "b",
            "zh",
            "2015-01-02",
            "乙",
            "维护网络主权。",
            &[("pair", "missing")],
        ),
    ];
    let corpus = write(
        dir.path(),
        "corpus/docs.jsonl",
        (lines.join("\n") + "\n").as_bytes(),
    );
    let index = build_index(dir.path(), corpus.parent().expect("folder"));
    let cli = json(&index, &["search", "网络主权", "--pair", "--json"]);
    assert_eq!(cli["total"], 2);
    let server = serve(&index);
    let (status, _, page) = get(&server.base, &format!("/search?q={}", enc("网络主权")));
    assert_eq!(status, 200, "{page}");
    assert_eq!(number(&page, "total"), 2);
    assert!(!page.contains("class=\"pair\""));
}

/// `tifa serve --families FILE`: the researcher's own @name words work on
/// every page as they do in the CLI, the families page lists them, and a
/// file that cannot be read stops the server before it starts.
#[test]
fn the_server_takes_an_extra_families_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let families = write(
        dir.path(),
        "mine.toml",
        "[mine]\ndescription = \"my own family\"\nvariants = [\"网络空间命运共同体\", \"网络安全\"]\n"
            .as_bytes(),
    );
    let cli = json(
        &index,
        &["search", "@mine", "--families", path(&families), "--json"],
    );
    assert_eq!(cli["total"], 2, "{cli}");
    let server = serve_with(&index, &["--families", path(&families)]);
    let (status, _, page) = get(&server.base, &format!("/search?q={}", enc("@mine")));
    assert_eq!(status, 200, "{page}");
    assert_eq!(number(&page, "total"), 2);
    let (status, _, page) = get(&server.base, &format!("/kwic?q={}", enc("@mine")));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("zh-2") && page.contains("zh-3"), "{page}");
    let (status, _, page) = get(&server.base, &format!("/trace?term={}", enc("@mine")));
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("网络空间命运共同体") && page.contains("网络安全"),
        "{page}"
    );
    let (status, _, api) = get(&server.base, &format!("/api/search?q={}", enc("@mine")));
    assert_eq!(status, 200, "{api}");
    let api: Value = serde_json::from_str(&api).expect("json");
    assert_eq!(api["total"], 2, "{api}");
    let (status, _, page) = get(&server.base, "/families");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"family-mine\""), "{page}");
    assert!(page.contains("mine.toml"), "{page}");
    drop(server);
    // Without the file, @mine is an unknown family, said on the page.
    let server = serve(&index);
    let (status, _, page) = get(&server.base, &format!("/search?q={}", enc("@mine")));
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("mine"), "{page}");
    drop(server);
    let missing = dir.path().join("missing.toml");
    let out = common::tifa(&index)
        .args(["serve", "--port", "0", "--families", path(&missing)])
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("cannot read the families file"), "{err}");
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}
