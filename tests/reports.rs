//! Reports and dossiers on fixture corpora: the reproducibility stamp in
//! every output and file, the dossier's pages, batches and own families.

use std::path::{Path, PathBuf};

mod common;

use common::{build_index, json, tifa, write};

/// An index of one speech (id d1, 2015-12-16) in `lang` with `text`.
fn one_record_index(dir: &Path, lang: &str, text: &str) -> PathBuf {
    let record = serde_json::json!({"id": "d1", "lang": lang, "kind": "speech",
        "date": "2015-12-16", "title": "t", "text": text});
    let corpus = write(dir, "corpus/docs.jsonl", format!("{record}\n").as_bytes());
    build_index(dir, corpus.parent().expect("folder"))
}

/// The JSON of search, kwic, timeline and trace carries the stamp: tifa's
/// version, the index generation, the corpus hash of `tifa info`, and the
/// command that gives the same answer.
#[test]
fn json_outputs_carry_the_stamp() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = one_record_index(dir.path(), "zh", "尊重网络主权。");
    let info = json(&index, &["info"]);
    for args in [
        ["search", "网络主权", "--json"],
        ["kwic", "网络主权", "--json"],
        ["timeline", "网络主权", "--json"],
        ["trace", "网络主权", "--json"],
    ] {
        let v = json(&index, &args);
        let stamp = &v["stamp"];
        assert_eq!(stamp["corpus_hash"], info["corpus_hash"], "{args:?}");
        assert_eq!(stamp["documents"], info["documents"], "{args:?}");
        assert_eq!(
            stamp["tool"],
            format!("tifa {}", env!("CARGO_PKG_VERSION")).as_str()
        );
        assert!(
            stamp["generation"].as_str().is_some_and(|g| !g.is_empty()),
            "{stamp}"
        );
        let command = stamp["command"].as_str().expect("command");
        assert!(
            command.starts_with("tifa ") && command.ends_with(&args.join(" ")),
            "{command}"
        );
    }
    // A CSV stays a plain table; its stamp (the footer's line) goes to stderr.
    for args in [
        ["search", "网络主权", "--csv"],
        ["kwic", "网络主权", "--csv"],
        ["timeline", "网络主权", "--csv"],
    ] {
        let out = tifa(&index).args(args).output().expect("run");
        assert!(out.status.success(), "{args:?}");
        let stdout = String::from_utf8(out.stdout).expect("utf8");
        assert!(!stdout.contains("stamp"), "{args:?}: {stdout}");
        let stderr = String::from_utf8(out.stderr).expect("utf8");
        let line = stderr
            .lines()
            .find(|l| l.starts_with("tifa: stamp: tifa "))
            .unwrap_or_else(|| panic!("{args:?}: no stamp on stderr: {stderr}"));
        let hash = info["corpus_hash"].as_str().expect("hash");
        assert!(line.contains(&hash[..12]), "{line}");
        assert!(line.ends_with(&args.join(" ")), "{line}");
    }
}

/// A dossier in Markdown: its chart is an SVG file beside it, and the chart
/// carries the stamp (it travels without the page).
#[test]
fn dossier_markdown_chart_carries_the_stamp() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = one_record_index(dir.path(), "zh", "尊重网络主权。");
    let page = dir.path().join("page.md");
    tifa(&index)
        .args(["dossier", "网络主权", "--out"])
        .arg(&page)
        .assert()
        .success();
    let md = std::fs::read_to_string(&page).expect("md");
    assert!(md.contains("page.svg"), "{md}");
    let svg = std::fs::read_to_string(dir.path().join("page.svg")).expect("svg");
    let hash = json(&index, &["info"])["corpus_hash"]
        .as_str()
        .expect("hash")
        .to_string();
    assert!(svg.contains(&hash[..16]), "{svg}");
    assert!(svg.contains("reproduce: tifa"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
}

/// A report's files carry the stamp: report.json as a key, report.md as a
/// line under the source, every chart in its footer (the CSV stays a plain
/// table, as the test of the report's columns reads it).
#[test]
fn report_files_carry_the_stamp() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = one_record_index(dir.path(), "zh", "尊重网络主权。");
    let terms = write(dir.path(), "terms.txt", "网络主权\n".as_bytes());
    let out = dir.path().join("out");
    tifa(&index)
        .arg("report")
        .arg("--terms")
        .arg(&terms)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let info = json(&index, &["info"]);
    let hash = info["corpus_hash"].as_str().expect("hash");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).expect("json"))
            .expect("report.json");
    let stamp = &report["stamp"];
    assert_eq!(stamp["corpus_hash"], info["corpus_hash"], "{stamp}");
    assert_eq!(stamp["documents"], info["documents"], "{stamp}");
    let command = stamp["command"].as_str().expect("command");
    // Absolute paths are written as their file names (a stamp travels with
    // charts and papers; where the files lay is the machine's).
    assert!(
        command.starts_with("tifa ") && command.contains(" report --terms terms.txt --out out"),
        "{command}"
    );
    assert!(
        !command.contains(dir.path().to_string_lossy().as_ref()),
        "{command}"
    );
    let md = std::fs::read_to_string(out.join("report.md")).expect("md");
    let line = md
        .lines()
        .find(|l| l.starts_with("Stamp: tifa "))
        .unwrap_or_else(|| panic!("no stamp line: {md}"));
    assert!(
        line.contains(&hash[..16]) && line.contains("reproduce: tifa"),
        "{line}"
    );
    let svg = std::fs::read_to_string(out.join("overview.svg")).expect("svg");
    assert!(
        svg.contains(&hash[..16]) && svg.contains("reproduce: tifa"),
        "{svg}"
    );
    let csv = std::fs::read_to_string(out.join("report.csv")).expect("csv");
    assert!(csv.starts_with("term,") && !csv.contains("stamp"), "{csv}");
}

/// A family from `--families FILE`: the dossier's concordance lines are the
/// members', and `search`/`kwic` read `@name` from the same file.
#[test]
fn dossier_of_an_own_family_has_its_concordance() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = one_record_index(dir.path(), "zh", "尊重网络主权。坚持网络空间主权。");
    let families = write(
        dir.path(),
        "mine.toml",
        "[mine]\ndescription = \"test\"\nvariants = [\"网络主权\", \"网络空间主权\"]\n".as_bytes(),
    );
    let families = families.display().to_string();
    let d = json(
        &index,
        &["dossier", "@mine", "--families", &families, "--json"],
    );
    assert_eq!(d["sample"]["total"], 2, "{}", d["sample"]);
    assert_eq!(d["trace"]["occurrences"], 2);
    // search and kwic read @mine from the same file, with other words too.
    let s = json(
        &index,
        &[
            "search",
            "@mine",
            "AND",
            "尊重",
            "--families",
            &families,
            "--json",
        ],
    );
    assert_eq!(s["total"], 1, "{s}");
    // Occurrences of each term of the query: the two members and 尊重.
    assert_eq!(s["hits"][0]["occurrences"], 3, "{s}");
    // The query reported is the one searched, the members written out.
    assert_eq!(s["query"], "(\"网络主权\" OR \"网络空间主权\") AND 尊重");
    let k = json(
        &index,
        &["kwic", "@mine", "--families", &families, "--json"],
    );
    assert_eq!(k["lines"].as_array().map(Vec::len), Some(2), "{k}");
    // Without the file the name is unknown, and the error says which exist.
    tifa(&index)
        .args(["search", "@mine"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("unknown family @mine"));
    // A built-in family still answers with the file given.
    let built_in = json(
        &index,
        &[
            "search",
            "@cyber-sovereignty",
            "--families",
            &families,
            "--json",
        ],
    );
    assert_eq!(built_in["total"], 1, "{built_in}");
}

/// `tifa dossier --terms FILE --out DIR`: one page per term and an index
/// linking them; two terms whose names make the same file name both keep a page.
#[test]
fn dossier_batch_writes_a_page_per_term_and_an_index() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = one_record_index(dir.path(), "en", "We respect cyber sovereignty.");
    let terms = write(
        dir.path(),
        "terms.txt",
        b"cyber sovereignty\ncyber_sovereignty\n",
    );
    let out = dir.path().join("pages");
    tifa(&index)
        .args(["dossier", "--terms"])
        .arg(&terms)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let first = std::fs::read_to_string(out.join("cyber_sovereignty.html")).expect("first page");
    let second =
        std::fs::read_to_string(out.join("cyber_sovereignty-2.html")).expect("second page");
    assert!(
        first.contains("<h1>Dossier: cyber sovereignty</h1>"),
        "{first}"
    );
    assert!(second.contains("<h1>Dossier: cyber_sovereignty</h1>"));
    assert!(first.contains("first appears in the corpus on 2015-12-16"));
    let listing = std::fs::read_to_string(out.join("index.html")).expect("index page");
    assert!(listing.contains("href=\"cyber_sovereignty.html\""));
    assert!(listing.contains("href=\"cyber_sovereignty-2.html\""));
}
