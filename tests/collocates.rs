//! `tifa collocates` on a fixture whose counts are known by construction.

mod common;

use common::{build_index, json, tifa, write};

fn record(id: &str, date: &str, text: &str) -> String {
    serde_json::json!({"id": id, "lang": "zh", "kind": "article", "date": date, "title": "t", "text": text})
        .to_string()
}

#[test]
fn neighbours_per_collection_with_corpus_frequencies() {
    let dir = tempfile::tempdir().expect("tmp");
    // Spaces make the word boundaries certain whatever jieba's dictionary says.
    let news: Vec<String> = (0..4)
        .map(|i| {
            record(
                &format!("n{i}"),
                &format!("2015-01-0{}", i + 1),
                "要 传播 正能量 。 传播 文化",
            )
        })
        .collect();
    let mfa: Vec<String> = (0..3)
        .map(|i| {
            record(
                &format!("m{i}"),
                &format!("2016-01-0{}", i + 1),
                "为 世界 注入 正能量",
            )
        })
        .collect();
    write(
        dir.path(),
        "corpus/news.jsonl",
        (news.join("\n") + "\n").as_bytes(),
    );
    let corpus = write(
        dir.path(),
        "corpus/mfa.jsonl",
        (mfa.join("\n") + "\n").as_bytes(),
    );
    let index = build_index(dir.path(), corpus.parent().expect("folder"));
    let v = json(
        &index,
        &[
            "collocates",
            "正能量",
            "--side",
            "left",
            "--window",
            "1",
            "--by",
            "collection",
            "--min-freq",
            "1",
            "--json",
        ],
    );
    let groups = v["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 2);
    let top = |name: &str| {
        let g = groups.iter().find(|g| g["group"] == name).expect("group");
        (g["occurrences"].clone(), g["collocates"][0].clone())
    };
    let (occ, c) = top("news.jsonl");
    assert_eq!(occ, 4);
    assert_eq!(c["word"], "传播");
    assert_eq!(c["freq"], 4);
    // 传播 occurs twice in each news document.
    assert_eq!(c["corpus_freq"], 8);
    let dice = c["log_dice"].as_f64().expect("dice");
    assert!(
        (dice - (14.0 + (2.0 * 4.0 / 12.0f64).log2())).abs() < 1e-9,
        "{dice}"
    );
    let (occ, c) = top("mfa.jsonl");
    assert_eq!(occ, 3);
    assert_eq!(c["word"], "注入");
    assert_eq!(c["freq"], 3);
    assert_eq!(c["corpus_freq"], 3);
    // Right side: 。 is no word, so the next word, 传播, is the neighbour (not 文化).
    let v = json(
        &index,
        &[
            "collocates",
            "正能量",
            "--side",
            "right",
            "--window",
            "1",
            "--min-freq",
            "1",
            "--json",
        ],
    );
    let words: Vec<&str> = v["groups"][0]["collocates"]
        .as_array()
        .expect("collocates")
        .iter()
        .map(|c| c["word"].as_str().expect("word"))
        .collect();
    assert_eq!(words, ["传播"]);
    // --stop-words drops 为/要; a bad window is an error.
    let v = json(
        &index,
        &[
            "collocates",
            "正能量",
            "--side",
            "left",
            "--window",
            "2",
            "--min-freq",
            "1",
            "--stop-words",
            "--json",
        ],
    );
    let words: Vec<&str> = v["groups"][0]["collocates"]
        .as_array()
        .expect("collocates")
        .iter()
        .map(|c| c["word"].as_str().expect("word"))
        .collect();
    assert!(
        !words.contains(&"要") && !words.contains(&"为"),
        "{words:?}"
    );
    tifa(&index)
        .args(["collocates", "正能量", "--window", "0"])
        .assert()
        .failure();
}

/// Places close together share their context: a word token counts once,
/// however many windows it falls in, and the places themselves are not
/// context. So f(n,c) never exceeds f(c) and logDice stays at most 14.
#[test]
fn each_co_occurrence_counts_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let corpus = write(
        dir.path(),
        "c.jsonl",
        (record("a", "2015-01-01", "正能量 正能量 正能量 文化 正能量") + "\n").as_bytes(),
    );
    let index = build_index(dir.path(), &corpus);
    let v = json(
        &index,
        &[
            "collocates",
            "正能量",
            "--window",
            "5",
            "--min-freq",
            "1",
            "--json",
        ],
    );
    let list = v["groups"][0]["collocates"].as_array().expect("collocates");
    let culture = list
        .iter()
        .find(|c| c["word"] == "文化")
        .expect("文化 is a collocate");
    assert_eq!(culture["freq"], 1, "{v}");
    assert_eq!(culture["corpus_freq"], 1, "{v}");
    for c in list {
        assert!(
            c["word"] != "正能量",
            "the term is not its own collocate: {v}"
        );
        assert!(c["log_dice"].as_f64().expect("logDice") <= 14.0, "{c}");
    }
    tifa(&index)
        .args(["collocates", "正能量", "--window", "100000"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "--window must be between 1 and 50",
        ));
}
