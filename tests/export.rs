//! `tifa export` and `tifa verify` on a fixture (#13): the files an engine
//! needs, the conformance file equal to tifa's answers, and verification that
//! drops candidates without the term and names unknown ids. The real engine
//! run is in tests/real_corpus.rs (Sphinx shards).

mod common;

use common::{search_ids, tifa, write};
use serde_json::Value;

fn fixture(dir: &std::path::Path) -> std::path::PathBuf {
    let corpus = dir.join("corpus");
    write(
        &corpus,
        "a.jsonl",
        concat!(
            r#"{"id":"a1","date":"2015-12-16","lang":"zh","title":"网络主权","text":"尊重网络主权。<b>&amp;</b>"}"#,
            "\n",
            r#"{"id":"a2","date":"2016","lang":"zh","title":"t","text":"网络\n主权 不连在一起"}"#,
            "\n",
            r#"{"id":"e1","date":"2017-01-02","lang":"en","title":"Cyber","text":"China’s Cyber-Sovereignty and CYBER SOVEREIGNTY."}"#,
            "\n"
        )
        .as_bytes(),
    );
    corpus
}

#[test]
fn export_writes_engine_files_and_tifas_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = fixture(dir.path());
    let index = common::build_index(dir.path(), &corpus);
    let terms = write(
        dir.path(),
        "terms.txt",
        "# t\n网络主权\ncyber sovereignty\nChina's\n".as_bytes(),
    );
    let out = dir.path().join("export");
    tifa(&index)
        .args(["export", "--to", "manticore", "--shards", "3", "--out"])
        .arg(&out)
        .arg("--terms")
        .arg(&terms)
        .assert()
        .success()
        .stdout(predicates::str::contains("Exported 3 documents"));
    let m = out.join("manticore");
    let mut documents = 0;
    for k in 0..3 {
        let xml = std::fs::read_to_string(m.join(format!("shard-{k}.xml"))).expect("xml");
        assert!(xml.ends_with("</sphinx:docset>\n"));
        documents += xml.matches("<sphinx:document ").count();
        if xml.contains("<tid>a1</tid>") {
            // Text escaped, normalised and lower-cased as the engine must see it.
            assert!(
                xml.contains("尊重网络主权。&lt;b&gt;&amp;amp;&lt;/b&gt;"),
                "{xml}"
            );
        }
        if xml.contains("<tid>e1</tid>") {
            assert!(
                xml.contains("china’s cyber-sovereignty and cyber sovereignty."),
                "{xml}"
            );
        }
        let conf = std::fs::read_to_string(m.join(format!("shard-{k}.conf"))).expect("conf");
        assert!(
            conf.contains("ngram_len = 1") && conf.contains("U+4E00..U+9FFF"),
            "{conf}"
        );
    }
    assert_eq!(documents, 3);
    let front = std::fs::read_to_string(m.join("front.conf")).expect("front");
    assert!(front.contains("type = distributed"));
    assert_eq!(front.matches("agent = 127.0.0.1:").count(), 3);
    let conformance: Vec<Value> = std::fs::read_to_string(out.join("conformance.jsonl"))
        .expect("conformance")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(conformance.len(), 3);
    for c in &conformance {
        let term = c["query"].as_str().expect("query");
        let mut want = search_ids(&index, &[term]);
        want.sort();
        let ids: Vec<String> = c["ids"]
            .as_array()
            .expect("ids")
            .iter()
            .map(|v| v.as_str().expect("id").to_string())
            .collect();
        assert_eq!(ids, want, "{term}");
    }
    assert_eq!(
        conformance[1]["sphinxql"],
        "SELECT tid FROM dist WHERE MATCH('\"cyber sovereignty\"') LIMIT 0,1000000 OPTION max_matches=1000000"
    );
    // An apostrophe never reaches the engine's query syntax.
    assert!(
        conformance[2]["sphinxql"]
            .as_str()
            .expect("sql")
            .contains("MATCH('\"china s\"')")
    );

    let os = dir.path().join("export-os");
    tifa(&index)
        .args(["export", "--to", "opensearch", "--out"])
        .arg(&os)
        .assert()
        .success();
    let bulk = std::fs::read_to_string(os.join("opensearch/bulk.ndjson")).expect("bulk");
    assert_eq!(bulk.lines().count(), 6);
    let mapping: Value = serde_json::from_str(
        &std::fs::read_to_string(os.join("opensearch/index.json")).expect("index"),
    )
    .expect("json");
    assert_eq!(
        mapping["settings"]["analysis"]["filter"]["tifa_bigrams_and_unigrams"]["output_unigrams"],
        true
    );
    assert_eq!(
        mapping["settings"]["analysis"]["filter"]["tifa_bigrams"]["output_unigrams"],
        false
    );
    // A second export into the same folder is refused.
    tifa(&index)
        .args(["export", "--to", "opensearch", "--out"])
        .arg(&os)
        .assert()
        .failure()
        .stderr(predicates::str::contains("is not empty"));
}

#[test]
fn verify_keeps_only_candidates_with_the_term() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = fixture(dir.path());
    let index = common::build_index(dir.path(), &corpus);
    // What a character-level engine returns for the phrase 网络主权: a2 too
    // (the line break separates words there), and an id it made up.
    let candidates = write(
        dir.path(),
        "candidates.jsonl",
        "{\"query\":\"网络主权\",\"ids\":[\"a1\",\"a2\",\"ghost\"]}\n{\"query\":\"cyber sovereignty\",\"ids\":[\"e1\"]}\n".as_bytes(),
    );
    let lines: Vec<Value> = common::run_ok(
        &index,
        &[
            "verify".as_ref(),
            "--candidates".as_ref(),
            candidates.as_os_str(),
        ],
    )
    .lines()
    .map(|l| serde_json::from_str(l).expect("json"))
    .collect();
    assert_eq!(lines[0]["ids"], serde_json::json!(["a1"]));
    assert_eq!(lines[0]["candidates"], 3);
    assert_eq!(lines[0]["unknown"], 1);
    assert_eq!(lines[1]["ids"], serde_json::json!(["e1"]));
    // Against a conformance file: a missing document is a difference (exit 1).
    let expect = write(
        dir.path(),
        "expect.jsonl",
        "{\"query\":\"网络主权\",\"sphinxql\":\"\",\"opensearch\":null,\"documents\":1,\"ids\":[\"a1\"]}\n{\"query\":\"cyber sovereignty\",\"sphinxql\":\"\",\"opensearch\":null,\"documents\":2,\"ids\":[\"e0\",\"e1\"]}\n".as_bytes(),
    );
    tifa(&index)
        .args(["verify", "--candidates"])
        .arg(&candidates)
        .arg("--expect")
        .arg(&expect)
        .assert()
        .failure()
        .stdout(predicates::str::contains("网络主权: equal"))
        .stdout(predicates::str::contains(
            "cyber sovereignty: DIFFERS: 1 of tifa's documents missing",
        ))
        .stdout(predicates::str::contains("verify: 1/2 terms equal"));
}

/// The export is not a shell: the folder is single-quoted in the command
/// Sphinx runs (a space or a `;` in it neither breaks nor runs anything),
/// ids with control characters become valid XML with a warning, and a term
/// with nothing an engine can match is refused instead of an empty MATCH.
#[test]
fn export_paths_are_quoted_and_xml_is_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    write(
        &corpus,
        "a.jsonl",
        "{\"id\":\"ok\",\"date\":\"2015-01-01\",\"lang\":\"zh\",\"text\":\"网络主权\"}\n{\"id\":\"bell\\u0007id\",\"date\":\"2015-01-02\",\"lang\":\"zh\",\"text\":\"网络主权\"}\n"
            .as_bytes(),
    );
    let index = common::build_index(dir.path(), &corpus);
    let out = dir.path().join("my export; touch pwned");
    let run = tifa(&index)
        .args(["export", "--to", "manticore", "--shards", "1", "--out"])
        .arg(&out)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("control characters"), "{stderr}");
    let m = std::fs::canonicalize(out.join("manticore")).expect("folder");
    let conf = std::fs::read_to_string(m.join("shard-0.conf")).expect("conf");
    let command = conf
        .lines()
        .find(|l| l.trim_start().starts_with("xmlpipe_command"))
        .expect("xmlpipe_command");
    assert_eq!(
        command.trim(),
        format!(
            "xmlpipe_command = cat '{}'",
            m.join("shard-0.xml").display()
        )
    );
    // The command the config names prints the shard, and runs nothing else.
    let shell = std::process::Command::new("sh")
        .arg("-c")
        .arg(command.split_once("= ").expect("value").1)
        .current_dir(dir.path())
        .output()
        .expect("sh");
    assert!(shell.status.success());
    assert!(String::from_utf8_lossy(&shell.stdout).contains("<tid>bellid</tid>"));
    assert!(!dir.path().join("pwned").exists());
    // No control character reaches the XML.
    let xml = std::fs::read_to_string(m.join("shard-0.xml")).expect("xml");
    assert!(!xml.chars().any(|c| c == '\u{7}'));
    // A term an engine cannot match is refused, not sent as MATCH('""').
    let terms = write(dir.path(), "terms.txt", "——\n".as_bytes());
    tifa(&index)
        .args(["export", "--to", "manticore", "--out"])
        .arg(dir.path().join("second"))
        .arg("--terms")
        .arg(&terms)
        .assert()
        .failure()
        .stderr(predicates::str::contains("its MATCH would be empty"));
}
