//! `tifa emerging` on a small fixture whose answers are known by construction:
//! a new formulation, its fragments, a one-day story, an event that fades,
//! and a phrase as common before as after.

mod common;

use std::path::Path;

use common::{build_index, json, tifa, write};
use serde_json::Value;

const FORMULATION: &str = "网络空间命运共同体";

/// One JSONL record.
fn record(id: &str, date: &str, text: &str) -> String {
    serde_json::json!({"id": id, "lang": "zh", "kind": "article", "date": date, "title": "新闻", "text": text})
        .to_string()
}

fn fixture(dir: &Path) -> std::path::PathBuf {
    let mut lines = Vec::new();
    let steady = "我们要坚持改革开放，推动经济发展，改善人民生活。";
    // Reference: 2013 and 2014, the steady phrase only.
    for (i, date) in [
        "2013-03-01",
        "2013-06-02",
        "2013-09-03",
        "2014-01-04",
        "2014-04-05",
        "2014-07-06",
        "2014-10-07",
        "2014-12-08",
    ]
    .iter()
    .enumerate()
    {
        lines.push(record(&format!("ref-{i}"), date, steady));
    }
    // 2015: the formulation in six documents on six dates, each in its own context.
    let contexts = [
        "共同构建{F}，推动经济发展。",
        "大会呼吁携手{F}。",
        "他说，{F}符合各国利益。",
        "专家认为{F}理念深入人心。",
        "各方表示支持{F}建设。",
        "论坛讨论了{F}的内涵。",
    ];
    for (i, c) in contexts.iter().enumerate() {
        let date = format!("2015-{:02}-1{}", i + 2, i);
        lines.push(record(
            &format!("p-{i}"),
            &date,
            &c.replace("{F}", FORMULATION),
        ));
    }
    // 2015: a story told six times on one day, and an event that fades.
    for i in 0..6 {
        lines.push(record(
            &format!("day-{i}"),
            "2015-12-16",
            "乌镇峰会隆重开幕，嘉宾云集。",
        ));
        let date = format!("2015-{:02}-2{}", i + 3, i);
        lines.push(record(
            &format!("event-{i}"),
            &date,
            "东方之星客轮搜救工作继续进行。",
        ));
    }
    // Ten more 2015 documents with the steady phrase (the period's size).
    for i in 0..10 {
        lines.push(record(
            &format!("p-steady-{i}"),
            &format!("2015-11-{:02}", i + 1),
            steady,
        ));
    }
    // 2016-2017: the formulation holds, the event is gone.
    for i in 0..12 {
        let text = if i % 2 == 0 {
            format!("继续推进{FORMULATION}。")
        } else {
            steady.to_string()
        };
        lines.push(record(
            &format!("after-{i}"),
            &format!("{}-{:02}-05", 2016 + i / 6, i % 6 + 1),
            &text,
        ));
    }
    let corpus = write(
        dir,
        "corpus/news.jsonl",
        (lines.join("\n") + "\n").as_bytes(),
    );
    build_index(dir, corpus.parent().expect("folder"))
}

fn terms(e: &Value) -> Vec<String> {
    e["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["term"].as_str().expect("term").to_string())
        .collect()
}

#[test]
fn a_new_formulation_is_listed_whole_with_exact_figures() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let e = json(&index, &["emerging", "--period", "2015", "--json"]);
    let listed = terms(&e);
    assert_eq!(
        listed.first().map(String::as_str),
        Some(FORMULATION),
        "{listed:?}"
    );
    let c = &e["candidates"][0];
    assert_eq!(c["docs"], 6);
    assert_eq!(c["occurrences"], 6);
    assert_eq!(c["ref_docs"], 0);
    assert_eq!(c["new"], true);
    assert_eq!(c["first"]["id"], "p-0");
    assert_eq!(c["first"]["date"], "2015-02-10");
    // The evidence: the sentence of its first occurrence, as trace gives it.
    assert_eq!(
        c["first"]["sentence"],
        "共同构建网络空间命运共同体，推动经济发展。"
    );
    assert_eq!(c["by_year"]["2016"], 3);
    // Fragments of it (命运共同体, 网络空间, 空间命运 …) are not listed on their own.
    for t in &listed {
        assert!(
            t == FORMULATION || !FORMULATION.contains(t.as_str()),
            "fragment {t} listed: {listed:?}"
        );
    }
    // The same figures as timeline.
    let tl = json(&index, &["timeline", FORMULATION, "--json"]);
    assert_eq!(tl["by_year"]["2015"]["docs"], c["docs"]);
    assert_eq!(tl["by_year"]["2015"]["occurrences"], c["occurrences"]);
    let pm = tl["by_year"]["2015"]["per_million"].as_f64().expect("pm");
    assert!((pm - c["per_million"].as_f64().expect("pm")).abs() < 1e-9);
    assert_eq!(e["period_docs"], 28);
    assert_eq!(e["reference_docs"], 8);
}

#[test]
fn one_day_stories_faded_events_and_steady_phrases_are_left_out() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    let e = json(&index, &["emerging", "--period", "2015", "--json"]);
    let listed = terms(&e);
    for absent in ["乌镇峰会", "东方之星", "经济发展", "改革开放"] {
        assert!(
            !listed.iter().any(|t| t.contains(absent)),
            "{absent} listed: {listed:?}"
        );
    }
    assert!(e["faded"].as_u64().expect("faded") >= 1);
    // The faded event comes back on request, its `held` below one half.
    let all = json(
        &index,
        &[
            "emerging",
            "--period",
            "2015",
            "--json",
            "--include-faded",
            "--show",
            "all",
        ],
    );
    let event = all["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .find(|c| c["term"].as_str().is_some_and(|t| t.contains("东方之星")))
        .expect("the event with --include-faded");
    assert_eq!(event["held"].as_f64(), Some(0.0));
    // Six documents telling it in one identical sentence: a template, listed
    // under its class with the signal that decided it.
    assert_eq!(event["class"], "boilerplate", "{event}");
    assert!(event["signals"]["frame_share"].as_f64().expect("share") >= 0.99);
    // Nothing hidden: the classes add up to the qualified candidates, and
    // the default list holds formulations only.
    let classes = all["classes"].as_object().expect("classes");
    let sum: u64 = classes.values().map(|n| n.as_u64().expect("count")).sum();
    assert_eq!(Some(sum), all["qualified"].as_u64());
    assert!(
        e["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .all(|c| c["class"] == "formulation")
    );
    // Too few authoritative documents in this corpus to test "news only".
    assert!(event["signals"]["authoritative_docs"].is_null());
    // With one date required (and faded ones shown), the one-day story qualifies.
    let loose = json(
        &index,
        &[
            "emerging",
            "--period",
            "2015",
            "--json",
            "--min-dates",
            "1",
            "--include-faded",
            "--show",
            "all",
        ],
    );
    assert!(
        terms(&loose).iter().any(|t| t.contains("乌镇峰会")),
        "{:?}",
        terms(&loose)
    );
}

#[test]
fn reference_choices_and_mistakes() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = fixture(dir.path());
    // (reference, its documents): 2013; 2013–2014 and 2016–2017.
    for (against, docs) in [("2013", 3), ("all-other", 20)] {
        let e = json(
            &index,
            &[
                "emerging",
                "--period",
                "2015",
                "--against",
                against,
                "--json",
            ],
        );
        assert_eq!(e["reference_docs"], docs, "{against}");
    }
    for (args, needle) in [
        (vec!["--period", "2015..2013"], "earlier year first"),
        (vec!["--period", "15"], "not a period"),
        (
            vec!["--period", "2015", "--against", "2014..2016"],
            "overlaps",
        ),
        (
            vec!["--period", "2015", "--against", "earlier"],
            "unknown --against",
        ),
        (
            vec!["--period", "2015", "--from", "2014"],
            "--period and --against",
        ),
        (vec!["--period", "2015", "--show", "news"], "unknown --show"),
        (
            vec!["--period", "2015", "--show", ","],
            "--show needs a class",
        ),
        (vec!["--period", "2015", "--rank", "tf"], "unknown --rank"),
    ] {
        let out = tifa(&index)
            .arg("emerging")
            .args(&args)
            .output()
            .expect("run");
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // --rank spread orders by the summed keyness per kind of text, keyness
    // (the default) by G²; both list the same candidates.
    let order = |rank: &str, key: &str| -> Vec<(String, f64)> {
        let e = json(
            &index,
            &[
                "emerging",
                "--period",
                "2015",
                "--json",
                "--show",
                "all",
                "--include-faded",
                "--min-log-ratio",
                "0",
                "--rank",
                rank,
            ],
        );
        e["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .map(|c| {
                (
                    c["term"].as_str().expect("term").to_string(),
                    c[key].as_f64().expect("score"),
                )
            })
            .collect()
    };
    let (spread, keyness) = (order("spread", "spread_score"), order("keyness", "score"));
    assert!(spread.len() > 1, "{spread:?}");
    for list in [&spread, &keyness] {
        assert!(list.windows(2).all(|w| w[0].1 >= w[1].1), "{list:?}");
    }
    let mut a: Vec<&String> = spread.iter().map(|(t, _)| t).collect();
    let mut b: Vec<&String> = keyness.iter().map(|(t, _)| t).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // CSV for scripts, human table for people.
    let out = tifa(&index)
        .args(["emerging", "--period", "2015", "--csv"])
        .output()
        .expect("run");
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.starts_with("term,docs,occurrences,ref_docs,ref_occurrences,"),
        "{csv}"
    );
    assert!(csv.contains(FORMULATION));
    let out = tifa(&index)
        .args(["emerging", "--period", "2015"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(FORMULATION) && text.contains("new"), "{text}");
}

/// A second fixture for the signals of round 2: a campaign that runs two
/// years (held by its next year although the year after drops it), a
/// string that the same character continues in most documents (a piece of
/// a longer expression), and the default order by the held rise.
#[test]
fn campaigns_hold_pieces_are_fragments_and_the_held_rise_ranks() {
    let dir = tempfile::tempdir().expect("tmp");
    let steady = "我们要坚持改革开放，推动经济发展，改善人民生活。";
    let mut lines = Vec::new();
    let mut add = |id: String, date: String, text: String| lines.push(record(&id, &date, &text));
    for i in 0..10 {
        add(
            format!("ref-{i}"),
            format!("2013-{:02}-03", i + 1),
            steady.into(),
        );
    }
    // 2015: the campaign (6 documents), the piece 维护多边 (continued by 主
    // in 4 of 7 documents, by 贸 in 3), and the size of the year.
    let uses = [
        "各地开展三严三实专题教育。",
        "落实三严三实要求。",
        "他说，三严三实，成效明显。",
        "践行三严三实的精神。",
        "深入推进三严三实教育。",
        "以三严三实贯彻始终。",
    ];
    for (i, text) in uses.iter().enumerate() {
        add(
            format!("campaign-{i}"),
            format!("2015-{:02}-0{}", i + 1, i + 1),
            text.to_string(),
        );
    }
    for i in 0..7 {
        let tail = if i < 4 {
            "主义，反对单边做法"
        } else {
            "贸易体制，反对保护"
        };
        add(
            format!("piece-{i}"),
            format!("2015-{:02}-1{}", i + 1, i),
            format!(
                "{}维护多边{tail}。",
                [
                    "中方坚定",
                    "各国共同",
                    "我们要",
                    "必须",
                    "大家一起",
                    "应当",
                    "合力"
                ][i]
            ),
        );
    }
    for i in 0..7 {
        add(
            format!("p-{i}"),
            format!("2015-10-{:02}", i + 1),
            steady.into(),
        );
    }
    // 2016: the campaign in 5 of 10 documents, the piece in 5; 2017: 20
    // documents, neither.
    for i in 0..10 {
        let text = match i {
            0..5 => "继续开展三严三实教育。".to_string(),
            _ => "中方坚定维护多边主义。".to_string(),
        };
        add(format!("y16-{i}"), format!("2016-{:02}-07", i + 1), text);
    }
    for i in 0..20 {
        add(
            format!("y17-{i}"),
            format!("2017-{:02}-{:02}", i % 12 + 1, i + 1),
            steady.into(),
        );
    }
    let corpus = write(
        dir.path(),
        "corpus/news.jsonl",
        (lines.join("\n") + "\n").as_bytes(),
    );
    let index = build_index(dir.path(), corpus.parent().expect("folder"));
    let all = json(
        &index,
        &[
            "emerging", "--period", "2015", "--json", "--show", "all", "--limit", "1000",
        ],
    );
    let find = |term: &str| -> Value {
        all["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .find(|c| c["term"] == term)
            .cloned()
            .unwrap_or_else(|| panic!("{term} not a candidate: {:?}", terms(&all)))
    };
    // 2016–2017 pooled: 5 of 30 documents (1/6 against 6/20 in 2015, under
    // one half); 2016 alone: 5 of 10 — the campaign held.
    let campaign = find("三严三实");
    let held = campaign["held"].as_f64().expect("held");
    assert!((held - (0.5 / 0.3)).abs() < 1e-9, "{campaign}");
    assert_eq!(campaign["class"], "formulation", "{campaign}");
    // 主 follows 维护多边 in 4 of its 7 documents of 2015.
    let piece = find("维护多边");
    assert_eq!(piece["class"], "fragment", "{piece}");
    assert_eq!(piece["signals"]["continuation"], "主");
    let share = piece["signals"]["continuation_share"]
        .as_f64()
        .expect("share");
    assert!((share - 4.0 / 7.0).abs() < 1e-9, "{piece}");
    // The default order is the held rise, --rank keyness the period's G².
    for (rank, key) in [("held", "held_score"), ("keyness", "score")] {
        let e = json(
            &index,
            &[
                "emerging", "--period", "2015", "--json", "--show", "all", "--rank", rank,
            ],
        );
        let scores: Vec<f64> = e["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .map(|c| c[key].as_f64().expect("score"))
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "{rank}: {scores:?}"
        );
    }
    let default = json(
        &index,
        &["emerging", "--period", "2015", "--json", "--show", "all"],
    );
    let held_order = json(
        &index,
        &[
            "emerging", "--period", "2015", "--json", "--show", "all", "--rank", "held",
        ],
    );
    assert_eq!(terms(&default), terms(&held_order));
    // The held score adds the following years to the period's side: for
    // the campaign, 11 of 30 period-and-following documents against none of
    // the 10 before.
    let g2 = |a: f64, b: f64, n1: f64, n2: f64| -> f64 {
        let (e1, e2) = (n1 * (a + b) / (n1 + n2), n2 * (a + b) / (n1 + n2));
        let part = |o: f64, e: f64| if o > 0.0 { o * (o / e).ln() } else { 0.0 };
        2.0 * (part(a, e1) + part(b, e2) + part(n1 - a, n1 - e1) + part(n2 - b, n2 - e2))
    };
    let got = campaign["held_score"].as_f64().expect("held score");
    assert!((got - g2(11.0, 0.0, 50.0, 10.0)).abs() < 1e-6, "{got}");
}
