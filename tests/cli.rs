//! CLI behaviour on small fixture corpora written by the tests themselves:
//! loading rules, bad input, strict mode, atomic and locked builds, damaged
//! indexes, query errors.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{build_index, json, run_report, search_ids, tifa, write};
use predicates::prelude::*;
use serde_json::Value;

const GOOD: &str = r#"{"id":"a","lang":"zh","date":"2015-12-16","title":"第二届世界互联网大会","kind":"article","source":"t","text":"推动构建网络空间命运共同体。\n尊重网络主权。"}
{"id":"b","lang":"en","date":"2015","title":"Statement","kind":"speech","source":"t","text":"We support Cyber  Sovereignty's principles and win-win cooperation.","country":"PAK"}
{"id":"c","lang":"zh","title":"无日期","kind":"regulation","source":"t","text":"加大5G网络建设，发展互联网＋。"}
"#;

/// A temporary folder with the GOOD fixture indexed: (folder, corpus file, index).
fn indexed_fixture() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(tmp.path(), "a.jsonl", GOOD.as_bytes());
    let index = build_index(tmp.path(), &f);
    (tmp, f, index)
}

#[test]
fn builds_and_searches_a_small_corpus() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = tmp.path().join("corpus");
    write(&corpus, "a.jsonl", GOOD.as_bytes());
    write(
        &corpus,
        "papers/wp.md",
        "---\nid: wp\nlang: zh\ndate: 2022-11\ntitle: 携手构建网络空间命运共同体\nkind: white_paper\n---\n网络主权是前提。\n".as_bytes(),
    );
    write(&corpus, "README.md", b"# notes, not a document\n");
    write(&corpus, "families.toml", b"[x]\n");
    let index = tmp.path().join("idx");
    tifa(&index)
        .arg("index")
        .arg(&corpus)
        .assert()
        .success()
        .stdout(predicate::str::contains("Indexed 4 documents"))
        .stdout(predicate::str::contains("undated: 1"))
        .stdout(predicate::str::contains("2 files ignored"));
    assert_eq!(search_ids(&index, &["网络主权"]), vec!["a", "wp"]);
    assert_eq!(search_ids(&index, &["命运共同体"]), vec!["a", "wp"]);
    assert_eq!(search_ids(&index, &["\"cyber sovereignty\""]), vec!["b"]);
    assert_eq!(search_ids(&index, &["5G"]), vec!["c"]);
    assert_eq!(search_ids(&index, &["互联网+"]), vec!["c"]);
    assert_eq!(
        search_ids(&index, &["网络主权 OR \"win-win cooperation\""]),
        vec!["b", "a", "wp"]
    );
    assert_eq!(
        search_ids(&index, &["网络主权 NOT 命运共同体"]),
        Vec::<String>::new()
    );
    assert_eq!(
        search_ids(&index, &["网络主权", "--where", "kind=white_paper"]),
        vec!["wp"]
    );
    assert_eq!(
        search_ids(&index, &["sovereignty", "--where", "country=PAK"]),
        vec!["b"]
    );
    // Date filters: periods overlap; undated documents are dropped.
    assert_eq!(
        search_ids(&index, &["网络", "--from", "2015-06", "--to", "2016"]),
        vec!["a"]
    );
    assert_eq!(search_ids(&index, &["网络"]), vec!["a", "wp", "c"]);
    assert_eq!(
        search_ids(&index, &["\"win-win\"", "--from", "2015-12-31"]),
        vec!["b"]
    );
}

#[test]
fn json_output_has_the_documented_shape() {
    let (_tmp, _f, index) = indexed_fixture();
    let v = json(&index, &["search", "网络主权", "--json", "--limit", "1"]);
    assert_eq!(v["query"], "网络主权");
    assert_eq!(v["total"], 1);
    let hit = &v["hits"][0];
    for key in [
        "id",
        "date",
        "title",
        "lang",
        "kind",
        "score",
        "occurrences",
        "snippets",
    ] {
        assert!(hit.get(key).is_some(), "missing {key}");
    }
    let s = &hit["snippets"][0];
    assert_eq!(s["field"], "text");
    assert_eq!(s["start"], 17);
    assert_eq!(s["end"], 21);
    let v = json(&index, &["search", "5G", "--json"]);
    assert_eq!(v["hits"][0]["date"], Value::Null);
    // Extra fields are kept and shown.
    let v = json(&index, &["search", "sovereignty", "--json"]);
    assert_eq!(v["hits"][0]["meta"]["country"], "PAK");
    tifa(&index)
        .args(["search", "sovereignty"])
        .assert()
        .success()
        .stdout(predicate::str::contains("country=PAK"));
}

#[test]
fn bad_records_are_reported_and_skipped_and_strict_refuses_them() {
    let tmp = tempfile::tempdir().expect("tmp");
    let good = write(tmp.path(), "good.jsonl", GOOD.as_bytes());
    let index = build_index(tmp.path(), &good);

    let mut bad = Vec::new();
    bad.extend_from_slice(b"{\"id\":\"n1\",\"text\":\"new record \xe7\xbd\x91\xe7\xbb\x9c\xe4\xb8\xbb\xe6\x9d\x83\"}\n");
    bad.extend_from_slice(b"{not json\n");
    bad.extend_from_slice(b"{\"id\":\"n2\",\"text\":\"gbk \xcd\xf8\xc2\xe7\"}\n");
    bad.extend_from_slice(b"{\"id\":\"n3\",\"date\":\"2015-13-01\",\"text\":\"x\"}\n");
    bad.extend_from_slice(b"{\"id\":\"a\",\"text\":\"repeated\"}\n");
    let badf = write(tmp.path(), "bad.jsonl", &bad);

    // Strict: non-zero exit, the previous index keeps answering.
    tifa(&index)
        .arg("index")
        .arg("--strict")
        .arg(&good)
        .arg(&badf)
        .assert()
        .failure()
        .stderr(predicate::str::contains("bad.jsonl:2"))
        .stderr(predicate::str::contains("previous index is unchanged"));
    assert_eq!(search_ids(&index, &["网络主权"]), vec!["a"]);

    // Lenient: reported with file and line, the rest indexed.
    tifa(&index)
        .arg("index")
        .arg(&good)
        .arg(&badf)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "bad.jsonl:2: skipped: invalid JSON",
        ))
        .stderr(predicate::str::contains(
            "bad.jsonl:3: skipped: not valid UTF-8",
        ))
        .stderr(predicate::str::contains("iconv -f GBK"))
        .stderr(predicate::str::contains("bad.jsonl:4: warning"))
        .stderr(predicate::str::contains(
            "bad.jsonl:5: skipped: repeated id",
        ))
        .stdout(predicate::str::contains("3 records skipped, 1 warnings"));
    assert_eq!(search_ids(&index, &["网络主权"]), vec!["a", "n1"]);
}

#[test]
fn missing_paths_and_indexes_get_clear_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let index = tmp.path().join("idx");
    tifa(&index)
        .args(["index", "/no/such/corpus"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("/no/such/corpus"));
    tifa(&index)
        .args(["search", "网络"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("build one with `tifa index`"));
}

#[test]
fn damaged_or_incompatible_indexes_ask_for_a_rebuild() {
    let (_tmp, _f, index) = indexed_fixture();
    let generation = generation(&index);
    let manifest = generation.join("tifa.json");
    let original = std::fs::read_to_string(&manifest).expect("manifest");

    std::fs::write(
        &manifest,
        original.replace("\"format_version\": 1", "\"format_version\": 999"),
    )
    .expect("write");
    tifa(&index)
        .args(["search", "网络"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("rebuild with `tifa index`"));

    std::fs::write(&manifest, &original).expect("write");
    std::fs::write(generation.join("meta.json"), b"{garbage").expect("write");
    tifa(&index)
        .args(["search", "网络"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("rebuild with `tifa index`"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn unreadable_queries_fail_cleanly() {
    let (_tmp, _f, index) = indexed_fixture();
    for (q, msg) in [
        ("\"open", "unbalanced quote"),
        ("(a OR b", "not closed"),
        ("", "empty query"),
        ("a OR", "term"),
    ] {
        tifa(&index)
            .args(["search", q])
            .assert()
            .failure()
            .stderr(predicate::str::contains(msg));
    }
}

#[test]
fn killed_build_leaves_the_old_index_and_a_second_build_is_refused() {
    let (tmp, f, index) = indexed_fixture();

    let mut big = String::new();
    for i in 0..50 {
        big.push_str(&format!("{{\"id\":\"x{i}\",\"text\":\"网络主权 {i}\"}}\n"));
    }
    let bigf = write(tmp.path(), "big.jsonl", big.as_bytes());
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("tifa"))
        .arg("--index")
        .arg(&index)
        .arg("index")
        .arg(&bigf)
        .env("TIFA_TEST_PAUSE_AFTER_DOCS", "10")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_until_building(&index);
    std::thread::sleep(Duration::from_millis(300));
    tifa(&index)
        .arg("index")
        .arg(&f)
        .assert()
        .failure()
        .stderr(predicate::str::contains("being built by another process"));
    // Searches keep answering from the complete old index.
    assert_eq!(search_ids(&index, &["网络主权"]), vec!["a"]);
    child.kill().expect("kill -9");
    child.wait().expect("wait");
    assert_eq!(search_ids(&index, &["网络主权"]), vec!["a"]);
    // The next build succeeds and clears the dead build's folder.
    tifa(&index).arg("index").arg(&bigf).assert().success();
    assert_eq!(search_ids(&index, &["网络主权"]).len(), 50);
    let leftovers = std::fs::read_dir(&index)
        .expect("index dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".build-"))
        .count();
    assert_eq!(leftovers, 0);
}

/// Waits until a (paused) build of `index` has created its build folder.
fn wait_until_building(index: &Path) {
    let started = Instant::now();
    while !std::fs::read_dir(index)
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with(".build-"))
        })
        .unwrap_or(false)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "build did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn generation(index: &Path) -> PathBuf {
    index.join(
        std::fs::read_to_string(index.join("CURRENT"))
            .expect("current")
            .trim(),
    )
}

#[test]
fn missing_or_truncated_index_files_ask_for_a_rebuild() {
    for (suffix, damage) in [
        ("idx", "delete"),
        ("store", "truncate"),
        ("term", "truncate"),
    ] {
        let (_tmp, _f, index) = indexed_fixture();
        let file = std::fs::read_dir(generation(&index))
            .expect("generation")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == suffix))
            .expect("segment file");
        if damage == "delete" {
            std::fs::remove_file(&file).expect("delete");
        } else {
            std::fs::write(&file, b"0123").expect("truncate");
        }
        tifa(&index)
            .args(["search", "网络"])
            .assert()
            .failure()
            .stderr(predicate::str::contains("rebuild with `tifa index`"))
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn corrupt_gzip_keeps_earlier_records_and_strict_refuses_it() {
    use std::io::Write;
    let tmp = tempfile::tempdir().expect("tmp");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..3000 {
        writeln!(enc, "{{\"id\":\"g{i}\",\"text\":\"网络主权 record {i} with padding to make the file longer\"}}").expect("write");
    }
    let full = enc.finish().expect("gzip");
    let gz = write(tmp.path(), "cut.jsonl.gz", &full[..full.len() / 2]);
    let good = write(tmp.path(), "a.jsonl", GOOD.as_bytes());
    let index = build_index(tmp.path(), &good);
    tifa(&index)
        .arg("index")
        .arg("--strict")
        .arg(&gz)
        .assert()
        .failure()
        .stderr(predicate::str::contains("cut.jsonl.gz"))
        .stderr(predicate::str::contains("gzip"));
    assert_eq!(search_ids(&index, &["网络主权"]), vec!["a"]);
    tifa(&index)
        .arg("index")
        .arg(&gz)
        .assert()
        .success()
        .stdout(predicate::str::contains("damaged:"));
    let n = search_ids(&index, &["网络主权"]).len();
    assert!(n > 100 && n < 3000, "{n} records kept");
}

#[test]
fn control_characters_are_kept_with_a_warning_and_escaped_on_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(
        tmp.path(),
        "evil.jsonl",
        "{\"id\":\"e\",\"title\":\"evil \\u001b[2J title\",\"text\":\"网络主权 and a NUL \\u0000 here\"}\n".as_bytes(),
    );
    let index = tmp.path().join("idx");
    tifa(&index)
        .arg("index")
        .arg(&f)
        .assert()
        .success()
        .stderr(predicate::str::contains("evil.jsonl:1: warning"))
        .stderr(predicate::str::contains("control character"));
    let out = tifa(&index)
        .args(["search", "网络主权"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(
        !out.stdout.contains(&0x1b),
        "raw ESC reached the terminal output"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\\u{001b}"));
}

#[test]
fn a_fifty_megabyte_document_is_accepted() {
    let tmp = tempfile::tempdir().expect("tmp");
    let para = "网络主权是国家主权在网络空间的自然延伸。The principle of cyber sovereignty.\\n";
    let body = para.repeat(50_000_000 / para.len());
    let f = write(
        tmp.path(),
        "big.jsonl",
        format!("{{\"id\":\"big\",\"date\":\"2020\",\"text\":\"{body}末尾独有词\"}}\n").as_bytes(),
    );
    let index = tmp.path().join("idx");
    tifa(&index)
        .arg("index")
        .arg(&f)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 records skipped, 0 warnings"));
    assert_eq!(search_ids(&index, &["末尾独有词"]), vec!["big"]);
    let v = json(&index, &["trace", "cyber sovereignty", "--json"]);
    assert_eq!(
        v["occurrences"].as_u64(),
        Some((50_000_000 / para.len()) as u64)
    );
}

#[test]
fn wait_queues_behind_a_running_build() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(tmp.path(), "a.jsonl", GOOD.as_bytes());
    let index = tmp.path().join("idx");
    let mut first = StdCommand::new(assert_cmd::cargo::cargo_bin("tifa"))
        .arg("--index")
        .arg(&index)
        .arg("index")
        .arg(&f)
        .env("TIFA_TEST_PAUSE_AFTER_DOCS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_until_building(&index);
    let mut second = StdCommand::new(assert_cmd::cargo::cargo_bin("tifa"))
        .arg("--index")
        .arg(&index)
        .args(["index", "--wait"])
        .arg(&f)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        second.try_wait().expect("try_wait").is_none(),
        "--wait did not wait"
    );
    first.kill().expect("kill");
    first.wait().expect("wait");
    let status = second.wait().expect("wait");
    assert!(status.success());
    assert_eq!(search_ids(&index, &["网络主权"]), vec!["a"]);
}

#[test]
fn csv_output_quotes_fields_and_defuses_formulas() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(
        tmp.path(),
        "a.jsonl",
        b"{\"id\":\"a\",\"date\":\"2015\",\"text\":\"say \\\"one, two\\\" and =SUM(1) here\"}\n",
    );
    let index = build_index(tmp.path(), &f);
    let out = tifa(&index)
        .args(["timeline", "say \"one, two\"", "=SUM(1)", "--csv"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).expect("utf8");
    assert!(csv.contains("\"say \"\"one, two\"\"\",2015,1,1,"), "{csv}");
    assert!(csv.contains("'=SUM(1),2015,1,1,"), "{csv}");
}

#[test]
fn a_phrase_with_no_hits_says_what_does_exist_and_terms_take_quotes() {
    let (_tmp, _f, index) = indexed_fixture();
    // Both words occur, never adjacent in that order.
    let v = json(&index, &["search", "sovereignty cyber", "--json"]);
    assert_eq!(v["total"], 0);
    assert_eq!(
        v["hint"],
        "0 documents contain the phrase \"sovereignty cyber\"; 1 contain all its words: search `sovereignty AND cyber`"
    );
    tifa(&index)
        .args(["search", "sovereignty cyber"])
        .assert()
        .success()
        .stdout(predicate::str::contains("search `sovereignty AND cyber`"));
    // A pattern with no match says how patterns read; quoted, ? is a character.
    tifa(&index)
        .args(["search", "网络?霸"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "no document matches the pattern 网络?霸",
        ));
    tifa(&index)
        .args(["search", "\"网络?权\""])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "without quotes they are wildcards",
        ));
    // Lower-case operators are words of the phrase, with a note.
    tifa(&index)
        .args(["search", "cyber or sovereignty"])
        .assert()
        .success()
        .stderr(predicate::str::contains("write OR in upper case"));
    // Terms of trace/timeline and term files: quotes dropped, operators refused.
    let trace = |term: &str| -> Value {
        let out = tifa(&index)
            .args(["trace", term, "--json"])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    };
    assert_eq!(trace("\"cyber sovereignty\"")["docs"], 1);
    assert_eq!(trace("\"网络主权\"")["docs"], 1);
    // Chinese quotation marks next to Chinese characters are text, not quotes.
    assert_eq!(trace("“网络主权”")["term"], "“网络主权”");
    tifa(&index)
        .args(["trace", "网络主权 OR 网络空间"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("OR is a query operator"));
    let tmp = tempfile::tempdir().expect("tmp");
    let terms = write(tmp.path(), "t.txt", "\"cyber sovereignty\"\n".as_bytes());
    let out = tmp.path().join("out");
    run_report(&index, &terms, &out);
    let csv = std::fs::read_to_string(out.join("report.csv")).expect("csv");
    assert!(csv.contains("cyber sovereignty,,2015,1,1,"), "{csv}");
}

#[test]
fn filters_never_fail_silently() {
    let (_tmp, _f, index) = indexed_fixture();
    for (args, says) in [
        (
            vec!["--kind", "articles"],
            "Did you mean kind=article (1 documents)?",
        ),
        (
            vec!["--lang", "cn"],
            "The values of lang are: zh (2), en (1)",
        ),
        (
            vec!["--where", "country=pak"],
            "Did you mean country=PAK (1 documents)?",
        ),
        (
            vec!["--where-not", "country=XX"],
            "no document has country=XX",
        ),
    ] {
        tifa(&index)
            .arg("search")
            .arg("网络")
            .args(&args)
            .assert()
            .failure()
            .stderr(predicate::str::contains(says));
    }
    // Values of one field are alternatives; --where-not excludes.
    let q = "网络主权 OR cyber sovereignty";
    assert_eq!(
        search_ids(&index, &[q, "--where", "id=a", "--where", "id=b"]),
        vec!["b", "a"]
    );
    assert_eq!(search_ids(&index, &[q, "--where-not", "id=a"]), vec!["b"]);
    // Documents without the group-by field are a group of their own.
    let v = json(
        &index,
        &["trace", "网络", "--group-by", "country", "--json"],
    );
    assert_eq!(v["groups"]["(none)"]["docs"], 2, "{v}");
    // tifa fields lists what the filters accept.
    tifa(&index)
        .arg("fields")
        .assert()
        .success()
        .stdout(predicate::str::contains("country  1 documents, 1 values"))
        .stdout(predicate::str::contains("PAK"))
        .stdout(predicate::str::contains("kind  3 documents, 3 values"));
}

#[test]
fn nested_literals_in_a_query_count_each_place_once() {
    let (_tmp, _f, index) = indexed_fixture();
    let v = json(
        &index,
        &["search", "网络空间命运共同体 OR 命运共同体", "--json"],
    );
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["occurrences"], 1, "{v}");
    let v = json(
        &index,
        &["search", "网络 OR 主权", "--json", "--where", "id=a"],
    );
    // 网络空间, 网络主权 (网络 twice) and 主权 inside 网络主权: 网络 and 主权 do
    // not overlap, so three places.
    assert_eq!(v["hits"][0]["occurrences"], 3, "{v}");
}

#[test]
fn capped_lists_say_so_and_family_labels_keep_their_form() {
    let tmp = tempfile::tempdir().expect("tmp");
    // 25 records dated only "2015" and one precisely dated record of 2015: the
    // precise one is first, the year-only ones "possibly earlier" (capped at 20).
    let mut corpus = String::from(
        "{\"id\":\"p\",\"lang\":\"zh\",\"date\":\"2015-03-01\",\"text\":\"网络主权\"}\n",
    );
    for i in 1..=25 {
        corpus.push_str(&format!(
            "{{\"id\":\"y{i:02}\",\"lang\":\"zh\",\"date\":\"2015\",\"text\":\"尊重网络主权\"}}\n"
        ));
    }
    let f = write(tmp.path(), "c.jsonl", corpus.as_bytes());
    let index = build_index(tmp.path(), &f);
    tifa(&index)
        .args(["trace", "网络主权"])
        .assert()
        .success()
        .stdout(predicate::str::contains("first:    2015-03-01  "))
        .stdout(predicate::str::contains(
            "possibly earlier (dated only to a year or month that includes the first) (the first 20 of 25):",
        ));
    let v = json(&index, &["trace", "网络主权", "--json"]);
    assert_eq!(v["first"]["id"], "p");
    assert_eq!(v["first"]["approximate"], false);
    assert_eq!(v["first"]["possibly_earlier_total"], 25);
    assert_eq!(
        v["first"]["possibly_earlier"].as_array().map(Vec::len),
        Some(20)
    );
    assert_eq!(v["first"]["possibly_earlier"][0]["id"], "y01");
    // Family labels: `@name` in the timeline CSV, a family column in report.csv.
    let out = tifa(&index)
        .args(["timeline", "@cyber-sovereignty", "--csv"])
        .output()
        .expect("run");
    let csv = String::from_utf8(out.stdout).expect("utf8");
    assert!(csv.contains("\n@cyber-sovereignty,2015,26,26,"), "{csv}");
    let terms = write(tmp.path(), "t.txt", b"@cyber-sovereignty\n");
    let out_dir = tmp.path().join("out");
    run_report(&index, &terms, &out_dir);
    let csv = std::fs::read_to_string(out_dir.join("report.csv")).expect("csv");
    assert!(csv.starts_with("term,family,year,"), "{csv}");
    assert!(csv.contains("\n@cyber-sovereignty,,2015,26,26,"), "{csv}");
    assert!(
        csv.contains("\n网络主权,@cyber-sovereignty,2015,26,26,"),
        "{csv}"
    );
    // tifa families lists them, without an index.
    tifa(&tmp.path().join("no-index"))
        .arg("families")
        .assert()
        .success()
        .stdout(predicate::str::contains("@cyber-sovereignty"))
        .stdout(predicate::str::contains("    cyber sovereignty"));
}

#[test]
fn typographic_quotes_fold_for_english_terms() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(
        tmp.path(),
        "q.jsonl",
        "{\"id\":\"straight\",\"text\":\"China's development helps\"}\n{\"id\":\"curly\",\"text\":\"China’s development helps\"}\n{\"id\":\"zh\",\"text\":\"他说“网络主权”很重要\"}\n".as_bytes(),
    );
    let index = build_index(tmp.path(), &f);
    for q in [
        "\"China's development\"",
        "China’s development",
        "china‘s DEVELOPMENT",
    ] {
        let mut ids = search_ids(&index, &[q]);
        ids.sort();
        assert_eq!(ids, vec!["curly", "straight"], "{q}");
    }
    // Chinese terms stay exact: the curly quotes of the text are not folded for them.
    let v = json(&index, &["trace", "说\"网络主权", "--json"]);
    assert_eq!(v["docs"], 0, "{v}");
}

#[test]
fn collections_and_coverage() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = tmp.path().join("corpus");
    write(
        &corpus,
        "reports.jsonl",
        b"{\"id\":\"r13\",\"date\":\"2013\",\"text\":\"\xe7\xbd\x91\xe7\xbb\x9c\xe4\xb8\xbb\xe6\x9d\x83\"}\n{\"id\":\"r15\",\"date\":\"2015\",\"text\":\"x\"}\n",
    );
    // Daily news with an empty month (2015-02).
    let mut news = String::new();
    for (m, days) in [(1, 5), (3, 5)] {
        for d in 1..=days {
            news.push_str(&format!(
                "{{\"id\":\"n{m}-{d}\",\"date\":\"2015-{m:02}-{d:02}\",\"text\":\"网络\"}}\n"
            ));
        }
    }
    write(&corpus, "news/daily.jsonl", news.as_bytes());
    write(
        &corpus,
        "papers/wp.md",
        "---\nid: wp\ndate: 2015-06-01\n---\n网络主权\n".as_bytes(),
    );
    let index = build_index(tmp.path(), &corpus);
    let v = json(&index, &["coverage", "--json"]);
    let by_name = |name: &str| -> Value {
        v["collections"]
            .as_array()
            .expect("collections")
            .iter()
            .find(|c| c["collection"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no collection {name}: {v}"))
    };
    let reports = by_name("reports.jsonl");
    assert_eq!(reports["docs"], 2);
    assert_eq!(reports["gaps"], serde_json::json!(["2014"]));
    assert_eq!(reports["by_year"]["2013"]["han_chars"], 4);
    let news = by_name("news/daily.jsonl");
    assert_eq!(news["daily"], true);
    assert_eq!(news["gaps"], serde_json::json!(["2015-02"]));
    assert_eq!(news["first"], "2015-01-01");
    assert_eq!(by_name("papers")["docs"], 1);
    // --collection filters, --group-by collection groups, an unknown one is an error.
    assert_eq!(
        search_ids(&index, &["网络主权", "--collection", "papers"]),
        vec!["wp"]
    );
    let t = json(
        &index,
        &["trace", "网络", "--group-by", "collection", "--json"],
    );
    assert_eq!(t["groups"]["news/daily.jsonl"]["docs"], 10);
    tifa(&index)
        .args(["search", "网络", "--collection", "news"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("Did you mean collection="));
    let svg = tmp.path().join("cov.svg");
    tifa(&index)
        .args(["coverage", "--svg"])
        .arg(&svg)
        .assert()
        .success()
        .stdout(predicate::str::contains("news/daily.jsonl"))
        .stdout(predicate::str::contains("gaps (1): 2014"));
    let drawn = std::fs::read_to_string(&svg).expect("svg");
    assert!(drawn.contains("<rect") && drawn.contains("news/daily.jsonl"));
    let out = tifa(&index)
        .args(["coverage", "--csv"])
        .output()
        .expect("run");
    let csv = String::from_utf8(out.stdout).expect("utf8");
    assert!(csv.starts_with("collection,period,docs,han_chars,en_words\n"));
    assert!(csv.contains("news/daily.jsonl,2015,10,20,0"), "{csv}");
}

#[test]
fn first_appearances_come_with_their_evidence() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut corpus = String::new();
    // A lone quoted mention in 2005, news without it in 2010, then common use
    // from 2015.
    corpus.push_str("{\"id\":\"old\",\"lang\":\"zh\",\"date\":\"2005-03-01\",\"text\":\"所谓“网络主权”一说\"}\n");
    corpus.push_str(
        "{\"id\":\"mid\",\"lang\":\"zh\",\"date\":\"2010-05-01\",\"text\":\"别的新闻\"}\n",
    );
    for (year, n) in [(2015, 5), (2016, 5), (2017, 6)] {
        for i in 0..n {
            corpus.push_str(&format!(
                "{{\"id\":\"n{year}-{i}\",\"lang\":\"zh\",\"date\":\"{year}-0{}-01\",\"text\":\"尊重网络主权\"}}\n",
                i + 1
            ));
        }
    }
    let file = write(tmp.path(), "c/news.jsonl", corpus.as_bytes());
    write(
        tmp.path(),
        "c/other.jsonl",
        // Two Chinese documents before the first, and an English one that
        // says nothing about a Chinese term (not counted).
        "{\"id\":\"o1\",\"lang\":\"zh\",\"date\":\"2004-06-01\",\"text\":\"别的\"}\n{\"id\":\"o2\",\"lang\":\"zh\",\"date\":\"2004-09-01\",\"text\":\"别的\"}\n{\"id\":\"o3\",\"lang\":\"en\",\"date\":\"2004-10-01\",\"text\":\"other\"}\n".as_bytes(),
    );
    let index = tmp.path().join("idx");
    tifa(&index)
        .arg("index")
        .arg(file.parent().expect("folder"))
        .assert()
        .success();
    let t = json(&index, &["trace", "网络主权", "--json"]);
    assert_eq!(t["take_off"], serde_json::json!({"year": 2015, "docs": 5}));
    assert_eq!(t["evidence_lang"], "zh");
    assert_eq!(t["early_total"], 1);
    assert_eq!(t["early"][0]["id"], "old");
    assert_eq!(
        t["early"][0]["note"],
        "no match in 2006–2014 although its collection news.jsonl has 1 document then"
    );
    // Without documents of its collection in the gap, the gap says nothing.
    let quiet = json(
        &index,
        &["trace", "网络主权", "--json", "--where-not", "id=mid"],
    );
    assert_eq!(quiet["early_total"], 0);
    assert_eq!(t["first"]["id"], "old");
    assert_eq!(t["first"]["quoted"], true);
    let c = &t["coverage_before"];
    assert_eq!(c["from"], "2004-03-01");
    assert_eq!(c["to"], "2005-03-01");
    assert_eq!(c["docs"], 2);
    assert_eq!(c["lang"], "zh");
    assert_eq!(c["by_collection"]["other.jsonl"], 2);
    assert_eq!(c["collection"], "news.jsonl");
    assert!(c["nearest_same_collection"].is_null());
    tifa(&index)
        .args(["trace", "网络主权"])
        .assert()
        .success()
        .stdout(predicate::str::contains("take-off: 2015 (5 documents"))
        .stdout(predicate::str::contains("early:    1 match far before"))
        .stdout(predicate::str::contains("quoted: the match stands inside"))
        .stdout(predicate::str::contains(
            "news.jsonl has no earlier document",
        ));
}

#[test]
fn kwic_is_one_line_per_occurrence_sorted_on_the_nearest_context() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(
        tmp.path(),
        "k.jsonl",
        "{\"id\":\"a\",\"date\":\"2016\",\"text\":\"甲网络主权乙\\n丙网络主权丁\"}\n{\"id\":\"b\",\"date\":\"2015\",\"text\":\"乙网络主权甲\"}\n{\"id\":\"e\",\"date\":\"2017\",\"text\":\"We respect cyber sovereignty today. Big cyber sovereignty claims.\"}\n"
            .as_bytes(),
    );
    let index = build_index(tmp.path(), &f);
    let kwic = |args: &[&str]| -> Value {
        let out = tifa(&index)
            .arg("kwic")
            .args(args)
            .arg("--json")
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let v = kwic(&["网络主权", "--width", "1"]);
    assert_eq!(v["total"], 3);
    let lines = v["lines"].as_array().expect("lines");
    // Default order: by date.
    assert_eq!(lines[0]["id"], "b");
    assert_eq!(lines[1]["left"], "甲");
    assert_eq!(lines[2]["line"], 2);
    assert_eq!(lines[2]["line_start"], 1);
    assert_eq!(lines[2]["start"], 8);
    let order = |v: &Value| -> Vec<String> {
        v["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| {
                format!(
                    "{}{}",
                    l["left"].as_str().unwrap_or(""),
                    l["right"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    // Left sort reads the left context from the hit outwards: 丙 < 乙 < 甲.
    assert_eq!(
        order(&kwic(&["网络主权", "--width", "1", "--sort", "left"])),
        vec!["丙丁", "乙甲", "甲乙"]
    );
    assert_eq!(
        order(&kwic(&["网络主权", "--width", "1", "--sort", "right"])),
        vec!["丙丁", "甲乙", "乙甲"]
    );
    // English contexts are words.
    let v = kwic(&["cyber sovereignty", "--width", "1", "--sort", "left"]);
    let lines = v["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["left"], "Big ");
    assert_eq!(lines[0]["right"], " claims.");
    assert_eq!(lines[1]["left"], "respect ");
    // A sample is reproducible and says so.
    let a = kwic(&["网络主权", "--sample", "2", "--seed", "7"]);
    let b = kwic(&["网络主权", "--sample", "2", "--seed", "7"]);
    assert_eq!(a["lines"], b["lines"]);
    assert_eq!(a["lines"].as_array().map(Vec::len), Some(2));
    assert_eq!(a["total"], 3);
    tifa(&index)
        .args(["kwic", "网络主权", "--sample", "2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("3 occurrences in 2 documents"))
        .stdout(predicate::str::contains("(a sample of 2, --seed 1)"));
    let out = tifa(&index)
        .args(["kwic", "网络主权", "--csv"])
        .output()
        .expect("run");
    let csv = String::from_utf8(out.stdout).expect("utf8");
    assert_eq!(csv.lines().count(), 4, "{csv}");
}

/// Machine outputs carry what a citation needs: `search --csv` and `kwic
/// --csv` have the title, collection and source (cells inert in a
/// spreadsheet); `trace`/`timeline` take `--scan` for a pattern with no
/// literal part and name it when it is missing.
#[test]
fn csv_outputs_cite_and_patterns_scan_in_trace() {
    let (_tmp, _f, index) = indexed_fixture();
    let out = tifa(&index)
        .args(["search", "网络主权", "--csv"])
        .output()
        .expect("run");
    let csv = String::from_utf8(out.stdout).expect("utf8");
    assert!(
        csv.starts_with("id,date,title,lang,kind,collection,url,source,occurrences,score\n"),
        "{csv}"
    );
    assert!(
        csv.contains("a,2015-12-16,第二届世界互联网大会,zh,article,a.jsonl,,t,1,"),
        "{csv}"
    );
    let out = tifa(&index)
        .args(["kwic", "网络主权", "--csv"])
        .output()
        .expect("run");
    let csv = String::from_utf8(out.stdout).expect("utf8");
    assert!(
        csv.lines()
            .next()
            .is_some_and(|h| h.ends_with(",title,collection,url,source")),
        "{csv}"
    );
    assert!(csv.contains(",第二届世界互联网大会,a.jsonl,,t\n"), "{csv}");
    tifa(&index)
        .args(["trace", "/\\d+/"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("add --scan"));
    let v = json(&index, &["trace", "/\\d+/", "--scan", "--json"]);
    assert_eq!(v["docs"], 1, "{v}");
    // The pattern's line, then one per distinct string it matched.
    let out = tifa(&index)
        .args(["timeline", "/\\d+/", "--scan", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let first: Value = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .next()
        .expect("a line")
        .expect("json");
    assert_eq!(first["term"], "/\\d+/");
}

/// The corpus hash of `tifa info`: the same files give the same hash wherever
/// they lie and however the index was made (full build or update); a changed
/// byte changes it.
#[test]
fn corpus_hash_follows_the_content_of_the_corpus() {
    let dir = tempfile::tempdir().expect("tmp");
    let record = |id: &str, text: &str| {
        format!(
            "{{\"id\":\"{id}\",\"lang\":\"zh\",\"kind\":\"speech\",\"date\":\"2015-12-16\",\"title\":\"t\",\"text\":\"{text}\"}}\n"
        )
    };
    let a = write(
        dir.path(),
        "a/corpus/docs.jsonl",
        record("d1", "网络主权").as_bytes(),
    );
    let b = write(
        dir.path(),
        "b/corpus/docs.jsonl",
        record("d1", "网络主权").as_bytes(),
    );
    let hash = |index: &Path| -> String {
        json(index, &["info"])["corpus_hash"]
            .as_str()
            .expect("corpus_hash")
            .to_string()
    };
    let ia = build_index(&dir.path().join("a"), a.parent().expect("folder"));
    let ib = build_index(&dir.path().join("b"), b.parent().expect("folder"));
    let first = hash(&ia);
    assert_eq!(first.len(), 64);
    assert_eq!(first, hash(&ib), "the same corpus in another folder");
    // One character changed: another hash; updating the first index to it
    // gives what a full build gives.
    std::fs::write(&b, record("d1", "网络主權")).expect("write");
    let ib2 = build_index(&dir.path().join("b2"), b.parent().expect("folder"));
    assert_ne!(first, hash(&ib2));
    std::fs::write(&a, record("d1", "网络主權")).expect("write");
    common::update_index(&ia, &[a.parent().expect("folder")]);
    assert_eq!(hash(&ia), hash(&ib2), "update and full build agree");
}

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
