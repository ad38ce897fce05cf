//! Building an index on fixture corpora the tests write: bad records and
//! strict mode, atomic and locked builds, damaged or incompatible indexes,
//! cut gzip files, control characters, large documents, the corpus hash.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{GOOD, build_index, indexed_fixture, json, search_ids, tifa, write};
use predicates::prelude::*;

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
