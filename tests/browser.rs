//! `tifa serve` in a real browser: headless Chromium driven over WebDriver
//! (chromedriver). `.ci/run` installs Debian's chromium and chromium-driver and
//! sets TIFA_BROWSER_TESTS=1, under which a missing driver is a failure; on a
//! machine without them the test says so on stderr and does nothing.
//!
//! TIFA_SCREENSHOTS=DIR saves a PNG of each view into DIR (docs/ for the
//! README), TIFA_SERVE_INDEX=DIR runs against that index instead of the fixture.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{build_index, enc, get, serve, write};
use fantoccini::{Client, ClientBuilder, Locator};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn driver_path() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn browser(port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en"]
        }),
    );
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(c) = ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("cannot reach chromedriver on port {port}");
}

fn fixture(dir: &Path) -> PathBuf {
    let rec = |id: &str, lang: &str, date: &str, title: &str, text: &str, pair: &str| {
        serde_json::json!({"id": id, "lang": lang, "kind": "speech", "date": date, "title": title, "text": text, "pair": pair}).to_string()
    };
    let mut lines = vec![
        rec(
            "zh-1",
            "zh",
            "2014-11-19",
            "尊重网络主权",
            "各国应尊重网络主权。网络主权是前提。",
            "en-1",
        ),
        rec(
            "en-1",
            "en",
            "2014-11-19",
            "Respect cyber sovereignty",
            "Countries should respect cyber sovereignty.",
            "zh-1",
        ),
    ];
    // A line whose left context is longer than its cell: the cell must cut
    // its far end, never the characters next to the hit.
    lines.push(rec(
        "zh-long",
        "zh",
        "2018-05-05",
        "长句",
        &format!(
            "{}各方都应该坚定维护网络主权。",
            "这是一个很长的上下文".repeat(8)
        ),
        "",
    ));
    for (i, (year, left)) in [
        (2015, "甲方维护"),
        (2015, "乙方坚持"),
        (2016, "丙方尊重"),
        (2017, "丁方捍卫"),
    ]
    .iter()
    .enumerate()
    {
        lines.push(rec(
            &format!("zh-{}", i + 2),
            "zh",
            &format!("{year}-0{}-01", i + 1),
            "文件",
            &format!("{left}网络主权。"),
            "",
        ));
    }
    let corpus = write(
        dir,
        "corpus/docs.jsonl",
        (lines.join("\n") + "\n").as_bytes(),
    );
    build_index(dir, corpus.parent().expect("folder"))
}

/// Clicks an element that leads to another page and waits until that page
/// has loaded (click() returns before the navigation: reading the old page's
/// elements after it made this test flaky).
async fn click_and_load(c: &Client, element: fantoccini::elements::Element, what: &str) {
    let before = c.current_url().await.expect("url");
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {what}: {e}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let now = c.current_url().await.expect("url");
        let ready = c
            .execute("return document.readyState", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(|s| s == "complete"))
            .unwrap_or(false);
        if now != before && ready {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: no new page after 20 s (still {now})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The number shown in the element with this id.
async fn number(c: &Client, id: &str) -> u64 {
    // Waits for the element: a submitted form loads its page after click() returns.
    let text = c
        .wait()
        .at_most(std::time::Duration::from_secs(20))
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .text()
        .await
        .expect("text");
    text.parse()
        .unwrap_or_else(|_| panic!("#{id}: {text:?} is not a number"))
}

/// Clicks the first element matching a CSS selector and waits for the page
/// it leads to.
async fn follow(c: &Client, css: &str, what: &str) {
    let element = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css} ({what})"));
    click_and_load(c, element, what).await;
}

/// The text of the first element matching a CSS selector.
async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"))
        .text()
        .await
        .expect("text")
}

async fn shot(c: &Client, name: &str) {
    if let Ok(dir) = std::env::var("TIFA_SCREENSHOTS") {
        let png = c.screenshot().await.expect("screenshot");
        std::fs::write(Path::new(&dir).join(format!("screenshot-{name}.png")), png).expect("save");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn search_click_sort_open_and_download_in_chromium() {
    let Some(driver) = driver_path() else {
        if std::env::var_os("TIFA_BROWSER_TESTS").is_some() {
            panic!(
                "TIFA_BROWSER_TESTS is set but chromedriver is missing: apt-get install chromium chromium-driver"
            );
        }
        eprintln!(
            "SKIPPED: no chromedriver on this machine (.ci/run installs it and runs this test)"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let index = match std::env::var_os("TIFA_SERVE_INDEX") {
        Some(i) => PathBuf::from(i),
        None => fixture(dir.path()),
    };
    let server = serve(&index);
    let port = free_port();
    let _driver = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let c = browser(port).await;
    let term = std::env::var("TIFA_BROWSER_TERM").unwrap_or_else(|_| "网络主权".into());

    // Type a query and submit: the total and the highlighted snippets appear.
    c.goto(&format!("{}/search", server.base))
        .await
        .expect("open");
    let q = c
        .find(Locator::Css("input[name=q]"))
        .await
        .expect("query box");
    q.send_keys(&term).await.expect("type");
    follow(&c, "#go", "submit").await;
    let total: u64 = number(&c, "total").await;
    assert!(total > 0);
    let marks = c
        .find_all(Locator::Css(".snippet mark"))
        .await
        .expect("marks");
    assert!(!marks.is_empty());
    assert_eq!(marks[0].text().await.expect("mark"), term);
    shot(&c, "search").await;
    // The sort box offers the three orders, the help line its examples as links.
    let orders = c
        .execute(
            "return Array.from(document.querySelector('select[name=sort]').options).map(o => o.value)",
            vec![],
        )
        .await
        .expect("sort options");
    assert_eq!(orders, serde_json::json!(["relevance", "date", "-date"]));
    let examples = c
        .find_all(Locator::Css("#search-help a"))
        .await
        .expect("examples");
    assert!(!examples.is_empty(), "the help line's examples are links");

    // Click a year in the breakdown: the filtered total is the number clicked.
    let year = c
        .find(Locator::Css("#by-year a.count"))
        .await
        .expect("a year");
    let clicked: u64 = year.text().await.expect("text").parse().expect("count");
    click_and_load(&c, year, "a year").await;
    let filtered: u64 = number(&c, "total").await;
    assert_eq!(filtered, clicked);

    // The CSV export of the unfiltered search has one row per document.
    c.goto(&format!("{}/search?q={}", server.base, enc(&term)))
        .await
        .expect("back");
    let href = c
        .find(Locator::Id("export-csv"))
        .await
        .expect("csv link")
        .attr("href")
        .await
        .expect("attr")
        .expect("href");
    let path = href.trim_start_matches(&server.base).to_string();
    let (status, _, csv) = get(&server.base, &path);
    assert_eq!(status, 200);
    assert_eq!(csv.lines().count() as u64, total + 1);

    // The concordance, sorted by the left context (nearest character first).
    follow(&c, "#to-kwic", "concordance link").await;
    follow(&c, "#sort-left", "sort by left context").await;
    let lefts = c
        .find_all(Locator::Css("#kwic td.left"))
        .await
        .expect("lines");
    assert!(lefts.len() as u64 >= total);
    let mut keys = Vec::new();
    for l in &lefts {
        let t = l.text().await.expect("text");
        // Nearest character first; spaces are not characters of the key.
        keys.push(
            t.to_lowercase()
                .chars()
                .rev()
                .filter(|c| !c.is_whitespace())
                .collect::<String>(),
        );
    }
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        keys, sorted,
        "lines sorted by the left context read leftwards"
    );
    shot(&c, "concordance").await;
    // Every context is shown whole, the left one ending next to the hit,
    // also at the widest context: a wide concordance scrolls sideways in
    // its box instead of cutting a context; the cells hold what the API's
    // lines hold.
    c.goto(&format!("{}/kwic?q={}&width=200", server.base, enc(&term)))
        .await
        .expect("wide concordance");
    let cells = c
        .execute(
            "return Array.from(document.querySelectorAll('#kwic td.left')).map(td => { const r = td.querySelector('.ctx').getBoundingClientRect(), t = td.getBoundingClientRect(), h = td.nextElementSibling.getBoundingClientRect(); return [t.right - r.right, r.width <= t.width + 0.5, h.left - t.right, td.textContent, td.nextElementSibling.nextElementSibling.textContent]; })",
            vec![],
        )
        .await
        .expect("left cells");
    let cells = cells.as_array().expect("array");
    let (_, _, api) = get(
        &server.base,
        &format!("/api/kwic?q={}&width=200&limit=1000", enc(&term)),
    );
    let api: serde_json::Value = serde_json::from_str(&api).expect("kwic json");
    let lines = api["lines"].as_array().expect("lines");
    assert_eq!(cells.len(), lines.len().min(200), "one row per line");
    for (cell, line) in cells.iter().zip(lines) {
        let padding = cell[0].as_f64().expect("padding");
        assert!(
            padding < 12.0,
            "the left context does not end at the hit: {cell}"
        );
        assert_eq!(
            cell[1],
            serde_json::json!(true),
            "a left context is cut: {cell}"
        );
        assert!(cell[2].as_f64().expect("gap").abs() < 1.0, "{cell}");
        assert_eq!(cell[3], line["left"], "left context");
        assert_eq!(cell[4], line["right"], "right context");
    }
    if std::env::var_os("TIFA_SERVE_INDEX").is_none() {
        let scrolls = c
            .execute(
                "const b = document.querySelector('.kwic-box'); return b.scrollWidth > b.clientWidth && document.documentElement.scrollWidth <= window.innerWidth + 1",
                vec![],
            )
            .await
            .expect("box");
        assert_eq!(
            scrolls,
            serde_json::json!(true),
            "the long line scrolls in its box, not the page"
        );
    }

    // A paired document: its aligned segments row by row, both sides marked;
    // reached from the renderings page's example link.
    if std::env::var_os("TIFA_SERVE_INDEX").is_none() {
        c.goto(&format!("{}/renderings?term={}", server.base, enc(&term)))
            .await
            .expect("renderings");
        c.wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Id("renderings-chart"))
            .await
            .expect("drift chart");
        let rendering = text_of(&c, "#renderings .rendering").await;
        assert!(rendering.contains("cyber sovereignty"), "{rendering}");
        shot(&c, "renderings").await;
        follow(&c, "#renderings a.example", "example pair").await;
        let rows = c
            .find_all(Locator::Css("#pair tbody tr"))
            .await
            .expect("aligned rows");
        assert_eq!(rows.len(), 2, "title and sentence, one row each");
        let marks = c
            .find_all(Locator::Css("#pair tr:target mark"))
            .await
            .expect("marks in the targeted row");
        let mut marked = Vec::new();
        for m in &marks {
            marked.push(m.text().await.expect("mark").to_lowercase());
        }
        assert!(
            marked.contains(&term.to_lowercase())
                && marked.iter().any(|m| m.contains("cyber sovereignty")),
            "{marked:?}"
        );
        let html = c.source().await.expect("source");
        assert!(html.contains("Countries should respect"));
        shot(&c, "document").await;
        // On a phone (390 px) each row's Chinese stands above its English,
        // and nothing is wider than the window.
        c.set_window_size(390, 844).await.expect("resize");
        let zh = c
            .find(Locator::Css("#seg-2 td.zh"))
            .await
            .expect("zh cell")
            .rectangle()
            .await
            .expect("rect");
        let en = c
            .find(Locator::Css("#seg-2 td.en"))
            .await
            .expect("en cell")
            .rectangle()
            .await
            .expect("rect");
        assert!(en.1 >= zh.1 + zh.3 - 1.0, "stacked: zh {zh:?}, en {en:?}");
        let width = c
            .execute("return document.documentElement.scrollWidth", vec![])
            .await
            .expect("width");
        let inner = c
            .execute("return window.innerWidth", vec![])
            .await
            .expect("inner");
        assert!(
            width.as_f64().unwrap_or(f64::MAX) <= inner.as_f64().unwrap_or(0.0),
            "page {width} wider than the window {inner}"
        );
        shot(&c, "document-390px").await;
        c.set_window_size(1400, 900).await.expect("resize back");
        // A concordance line's link opens the folded full text at its match.
        c.goto(&format!("{}/doc/zh-1?q={}#m2", server.base, enc(&term)))
            .await
            .expect("doc at a match");
        let shown = c
            .find(Locator::Id("m2"))
            .await
            .expect("mark m2")
            .is_displayed()
            .await
            .expect("displayed");
        assert!(shown, "the match a concordance line opens is visible");
    }

    // A walk through the header's links, which carry the term: search →
    // trace → timeline → concordance, each page about the same documents.
    c.goto(&format!("{}/search?q={}", server.base, enc(&term)))
        .await
        .expect("search");
    follow(&c, "#nav-trace", "the header's trace link").await;
    let docs: u64 = number(&c, "trace-docs").await;
    assert_eq!(docs, total, "trace reached from the search page");
    shot(&c, "trace").await;
    follow(&c, "#nav-timeline", "the header's timeline link").await;
    c.find(Locator::Id("timeline-chart")).await.expect("chart");
    assert_eq!(text_of(&c, "h1").await, format!("{term} — timeline"));
    let documents_in_table: u64 = c
        .execute(
            "const t = document.getElementById('timeline'); const col = Array.from(t.rows[0].cells).findIndex(c => c.textContent.trim().endsWith(' docs')); return Array.from(t.rows).slice(1).map(r => parseInt(r.cells[col].textContent, 10) || 0).reduce((a, b) => a + b, 0)",
            vec![],
        )
        .await
        .expect("the timeline's documents")
        .as_u64()
        .expect("a number");
    assert_eq!(documents_in_table, total, "timeline's documents per year");
    shot(&c, "timeline").await;
    follow(&c, "#nav-kwic", "the header's concordance link").await;
    let shown_term = text_of(&c, "p.summary q").await;
    assert_eq!(shown_term, term, "the concordance keeps the term");
    let occurrences = text_of(&c, "#kwic-total").await;
    assert!(occurrences.parse::<u64>().expect("a number") >= total);

    // The translation under a paired hit, and the switch that hides it.
    if std::env::var_os("TIFA_SERVE_INDEX").is_none() {
        c.goto(&format!("{}/search?q={}", server.base, enc(&term)))
            .await
            .expect("search");
        let pair = text_of(&c, "div.pair").await;
        assert!(pair.contains("cyber sovereignty"), "{pair}");
        // Hide, then show again: the same documents, with and without.
        for shown in [false, true] {
            follow(&c, "#pair-toggle a", "the translations' switch").await;
            assert_eq!(number(&c, "total").await, total);
            let pairs = c.find_all(Locator::Css("div.pair")).await.expect("pairs");
            assert_eq!(!pairs.is_empty(), shown, "translations shown: {shown}");
        }

        // The families page: a family's number of documents is what its
        // search link finds, and more than one of its variants finds.
        c.goto(&format!("{}/families", server.base))
            .await
            .expect("families");
        let family_docs: u64 = number(&c, "docs-cyber-sovereignty").await;
        assert_eq!(
            family_docs,
            total + 1,
            "网络主权 documents and the English one"
        );
        follow(
            &c,
            "#family-cyber-sovereignty p.small a",
            "the family's search",
        )
        .await;
        assert_eq!(number(&c, "total").await, family_docs);
    }

    // A mistake keeps the form: an unknown kind is named above the filled
    // form, its suggestion a link that gives the results.
    if std::env::var_os("TIFA_SERVE_INDEX").is_none() {
        c.goto(&format!(
            "{}/search?q={}&kind=speeches",
            server.base,
            enc(&term)
        ))
        .await
        .expect("a bad filter");
        let error = c.find(Locator::Id("error")).await.expect("the error");
        assert!(error.is_displayed().await.expect("shown"));
        let q_value = c
            .find(Locator::Css("form.query input[name=q]"))
            .await
            .expect("the form is kept")
            .prop("value")
            .await
            .expect("value");
        assert_eq!(q_value.as_deref(), Some(term.as_str()));
        // The kind box offers the index's kinds as a pick-list.
        let options = c
            .execute(
                "return Array.from(document.querySelector('input[name=kind]').list.options).map(o => o.value)",
                vec![],
            )
            .await
            .expect("pick-list");
        assert_eq!(options, serde_json::json!(["speech"]), "{options}");
        shot(&c, "error-keeps-form").await;
        follow(&c, "#error a.suggestion", "the suggestion").await;
        assert_eq!(number(&c, "total").await, total);
    }
    // Every page: one <h1>, a language on the document, a label for every
    // box and pick-list (item 9), in the rendered page as a screen reader
    // sees it.
    for path in [
        "/search",
        "/kwic",
        "/trace",
        "/timeline",
        "/report",
        "/emerging",
        "/renderings",
        "/collocates",
        "/dossier",
        "/coverage",
        "/fields",
        "/families",
    ] {
        let url = if path == "/report"
            || path == "/emerging"
            || path == "/coverage"
            || path == "/fields"
            || path == "/families"
        {
            format!("{}{path}", server.base)
        } else {
            format!("{}{path}?q={t}&term={t}", server.base, t = enc(&term))
        };
        c.goto(&url).await.expect("page");
        let audit = c
            .execute(
                "return { h1: document.querySelectorAll('h1').length, lang: document.documentElement.lang, unlabelled: Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name) }",
                vec![],
            )
            .await
            .expect("audit");
        assert_eq!(audit["h1"], 1, "{path}: {audit}");
        // English pages; the dossier of a Chinese term is a Chinese page.
        assert!(
            matches!(audit["lang"].as_str(), Some("en" | "zh")),
            "{path}: {audit}"
        );
        assert_eq!(
            audit["unlabelled"],
            serde_json::json!([]),
            "{path}: {audit}"
        );
        // Chinese text (outside charts) stands in an element marked zh.
        let unmarked = c
            .execute(
                "const out = []; const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); let n; while ((n = w.nextNode())) { const el = n.parentElement; if (!/[\\u4e00-\\u9fff]/.test(n.textContent) || el.closest('svg, option, title')) continue; const l = el.closest('[lang]'); if (!l || l.lang !== 'zh') out.push(n.textContent.slice(0, 40)); } return out;",
                vec![],
            )
            .await
            .expect("Chinese text");
        assert_eq!(
            unmarked,
            serde_json::json!([]),
            "{path}: Chinese text without lang=zh"
        );
    }

    // The dossier: the page `tifa dossier` writes, complete without a single
    // request beyond itself (no script, style or image from anywhere) — of a
    // term and of a family.
    for subject in [term.clone(), "@cyber-sovereignty".to_string()] {
        c.goto(&format!("{}/dossier?term={}", server.base, enc(&subject)))
            .await
            .expect("dossier");
        let h1 = text_of(&c, "h1").await;
        assert_eq!(h1, format!("Dossier: {subject}"));
        let answer = text_of(&c, "p.answer").await;
        // "on" a day, "in" a year or month.
        assert!(
            answer.contains("first appears in the corpus on")
                || answer.contains("first appears in the corpus in"),
            "{answer}"
        );
        let requests = c
            .execute(
                "return performance.getEntriesByType('resource').map(e => e.name)",
                vec![],
            )
            .await
            .expect("resources");
        assert_eq!(requests, serde_json::json!([]), "{requests}");
        // The chart is drawn (inline SVG with one point per year).
        let points = c
            .find_all(Locator::Css("svg.chart circle"))
            .await
            .expect("points");
        assert!(!points.is_empty(), "{subject}: no chart points");
        if subject == term {
            shot(&c, "dossier").await;
        }
    }
    c.close().await.expect("close");
}
