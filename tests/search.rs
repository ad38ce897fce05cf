//! `tifa search` on fixture corpora: matching rules, JSON and CSV shapes,
//! query errors, filters that never fail silently, empty results with their
//! near misses, capped lists.

mod common;

use common::{GOOD, build_index, indexed_fixture, json, run_report, search_ids, tifa, write};
use predicates::prelude::*;
use serde_json::Value;

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
