//! Term history on fixture corpora: `coverage`, `trace` with its evidence,
//! the concordance (`kwic`) and their CSV outputs.

mod common;

use common::{build_index, indexed_fixture, json, search_ids, tifa, write};
use predicates::prelude::*;
use serde_json::Value;

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
