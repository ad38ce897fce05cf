//! Reliability against hostile or careless use (issue 14), on fixtures the
//! tests write: folders that are not tifa's, empty rebuilds, escape codes in
//! every field, special files, over-long lines, read-only indexes, damaged
//! bytes, stale report files and the smaller holes.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

mod common;

use assert_cmd::Command;
use common::{build_index, json, run_report, search_ids, tifa, write};
use predicates::prelude::*;
use serde_json::Value;

const ONE: &str = r#"{"id":"a","lang":"zh","date":"2015-12-16","title":"第二届世界互联网大会","kind":"speech","text":"推动构建网络空间命运共同体。尊重网络主权。"}
{"id":"b","lang":"en","date":"2016","title":"Statement","kind":"speech","text":"We respect cyber sovereignty.","country":"PAK"}
"#;

/// The ids of the documents containing `query`, oldest first.
fn hits(index: &Path, query: &str) -> Vec<String> {
    search_ids(index, &[query])
}

/// Runs a command with a deadline: a hang is a failure, not a stuck suite.
fn run_with_deadline(cmd: &mut StdCommand, secs: u64) -> std::process::Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            panic!("command did not finish within {secs} s: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn tifa_std(index: &Path) -> StdCommand {
    let mut c = StdCommand::new(assert_cmd::cargo::cargo_bin("tifa"));
    c.arg("--index").arg(index).env_remove("TIFA_INDEX");
    c
}

#[test]
fn a_folder_that_is_not_a_tifa_index_is_never_touched() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = write(tmp.path(), "one.jsonl", ONE.as_bytes());
    let proj = tmp.path().join("proj");
    write(&proj, "gen-figures/fig1.png", b"figure");
    write(&proj, ".build-cache/x", b"cache");
    write(&proj, "CURRENT", b"notes\n");
    for via_env in [false, true] {
        let mut cmd = Command::cargo_bin("tifa").expect("binary");
        if via_env {
            cmd.env("TIFA_INDEX", &proj);
        } else {
            cmd.arg("--index").arg(&proj);
        }
        cmd.arg("index")
            .arg(&corpus)
            .assert()
            .failure()
            .stderr(predicate::str::contains("holds no tifa index"))
            .stderr(predicate::str::contains("choose another --index folder"));
        assert_eq!(
            std::fs::read(proj.join("gen-figures/fig1.png")).expect("kept"),
            b"figure"
        );
        assert_eq!(
            std::fs::read(proj.join(".build-cache/x")).expect("kept"),
            b"cache"
        );
        assert_eq!(
            std::fs::read(proj.join("CURRENT")).expect("kept"),
            b"notes\n"
        );
    }

    // A real index with look-alike entries of the user's beside it: rebuilds
    // remove only tifa's own old generations.
    let index = build_index(tmp.path(), &corpus);
    write(&index, "gen-figures/fig1.png", b"figure");
    write(&index, ".build-cache/x", b"cache");
    write(&index, "gen-123/notes.txt", b"not a generation");
    for _ in 0..3 {
        tifa(&index).arg("index").arg(&corpus).assert().success();
    }
    assert!(index.join("gen-figures/fig1.png").exists());
    assert!(index.join(".build-cache/x").exists());
    assert!(index.join("gen-123/notes.txt").exists());
    let generations = std::fs::read_dir(&index)
        .expect("read")
        .flatten()
        .filter(|e| e.path().join("tifa.json").exists())
        .count();
    assert_eq!(generations, 2, "the live generation and the previous one");
    assert_eq!(hits(&index, "网络主权"), vec!["a"]);

    // An empty folder (or one with only a .gitignore) is fine.
    let fresh = tmp.path().join("fresh");
    write(&fresh, ".gitignore", b"*\n");
    tifa(&fresh).arg("index").arg(&corpus).assert().success();
}

#[test]
fn an_empty_build_never_replaces_a_populated_index_and_rollback_undoes_a_build() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = write(tmp.path(), "one.jsonl", ONE.as_bytes());
    let empty = tmp.path().join("empty-corpus");
    write(&empty, "README.md", b"# notes only\n");
    let index = build_index(tmp.path(), &corpus);

    tifa(&index)
        .arg("index")
        .arg(&empty)
        .assert()
        .failure()
        .stderr(predicate::str::contains("0 documents"))
        .stderr(predicate::str::contains("previous index is unchanged"))
        .stderr(predicate::str::contains("--allow-empty"));
    assert_eq!(hits(&index, "网络主权"), vec!["a"]);

    tifa(&index)
        .args(["index", "--allow-empty"])
        .arg(&empty)
        .assert()
        .success();
    tifa(&index)
        .args(["search", "网络主权"])
        .assert()
        .success()
        .stderr(predicate::str::contains("is empty"))
        .stderr(predicate::str::contains("--rollback"));

    tifa(&index)
        .args(["index", "--rollback"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2 documents"));
    assert_eq!(hits(&index, "网络主权"), vec!["a"]);
    // Rolling back twice swaps back to the empty build.
    tifa(&index)
        .args(["index", "--rollback"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 documents"));
    assert!(hits(&index, "网络主权").is_empty());
}

/// Bytes a terminal must never receive raw.
fn raw_unsafe(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    text.chars()
        .find(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .map(|c| format!("U+{:04X} in {text:?}", c as u32))
}

#[test]
fn every_corpus_string_is_escaped_on_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    // ESC sequences (screen clear, OSC 52 clipboard write), C1 CSI, NUL, CR,
    // a bidi override: in the id, lang, kind, title, text, a field name and
    // value, the date-less group value, and the file name.
    let evil = r"\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u009b31m\u0000\r\u202e";
    let record = format!(
        "{{\"id\":\"id{evil}\",\"lang\":\"zh{evil}\",\"kind\":\"k{evil}\",\"date\":\"2015-01-02\",\"title\":\"t{evil}\",\"text\":\"网络主权{evil}网络主权\",\"country{evil}\":\"v{evil}\",\"speaker\":\"s{evil}\"}}\n"
    );
    let corpus = tmp.path().join("corpus");
    let file = write(&corpus, "evil\u{1b}[2Jname.jsonl", record.as_bytes());
    write(&corpus, "bad\u{1b}[2J.jsonl", b"{not json\n");
    let index = tmp.path().join("idx");
    let terms = write(tmp.path(), "terms.txt", "网络主权\n".as_bytes());
    let out_dir = tmp.path().join("report");

    let runs: Vec<Vec<String>> = vec![
        vec!["index".into(), corpus.display().to_string()],
        vec!["search".into(), "网络主权".into()],
        vec!["search".into(), "网络主权".into(), "--json".into()],
        vec![
            "trace".into(),
            "网络主权".into(),
            "--group-by".into(),
            "speaker".into(),
        ],
        vec!["trace".into(), "网络主权".into(), "--json".into()],
        vec!["timeline".into(), "网络主权".into()],
        vec![
            "report".into(),
            "--terms".into(),
            terms.display().to_string(),
            "--out".into(),
            out_dir.display().to_string(),
        ],
        vec!["info".into()],
        vec!["check".into()],
        vec![
            "search".into(),
            "x".into(),
            "--where".into(),
            format!("no{}field=1", '\u{1b}'),
        ],
        vec!["search".into(), format!("\"{}", '\u{1b}')],
        vec![
            "index".into(),
            file.display().to_string(),
            tmp.path().join("missing\u{1b}[2J").display().to_string(),
        ],
    ];
    for args in &runs {
        let out = tifa(&index).args(args).output().expect("run");
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            if let Some(found) = raw_unsafe(bytes) {
                panic!("tifa {args:?} wrote a raw {found} to {stream}");
            }
        }
    }
    let md = std::fs::read_to_string(out_dir.join("report.md")).expect("report.md");
    assert!(
        raw_unsafe(md.replace('\n', "").as_bytes()).is_none(),
        "{md}"
    );
    // JSON stays faithful: the escapes decode to the original characters.
    let v = json(&index, &["search", "网络主权", "--json"]);
    assert!(
        v["hits"][0]["id"]
            .as_str()
            .expect("id")
            .contains('\u{202e}')
    );
    // The loader says which fields hold control characters.
    tifa(&index)
        .arg("index")
        .arg(&corpus)
        .assert()
        .success()
        .stderr(predicate::str::contains("control characters"))
        .stderr(predicate::str::contains("id (U+001B)"))
        .stderr(predicate::str::contains("kind (U+001B)"));
}

#[test]
fn report_markdown_cells_are_inert() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = write(
        tmp.path(),
        "md.jsonl",
        "{\"id\":\"x`y|z\",\"lang\":\"zh\",\"date\":\"2015\",\"title\":\"<script>alert(1)</script> ![img](http://e/x.png) a|b `code`\\r\",\"text\":\"网络主权\"}\n".as_bytes(),
    );
    let index = build_index(tmp.path(), &corpus);
    let terms = write(tmp.path(), "terms.txt", "网络主权\n".as_bytes());
    let out = tmp.path().join("out");
    run_report(&index, &terms, &out);
    let md = std::fs::read_to_string(out.join("report.md")).expect("md");
    let row = md.lines().last().expect("row");
    assert!(!md.contains("<script>"), "{md}");
    assert!(!md.contains("!["), "{md}");
    assert!(!md.contains('\r'), "{md}");
    assert!(row.contains("&lt;script&gt;"), "{row}");
    // Every '|' and '`' in a cell is escaped: 8 columns → 9 bare pipes.
    let bare_pipes = row
        .char_indices()
        .filter(|&(i, c)| c == '|' && (i == 0 || row.as_bytes()[i - 1] != b'\\'))
        .count();
    assert_eq!(bare_pipes, 9, "{row}");
    assert!(!row.replace("\\`", "").contains('`'), "{row}");
}

#[test]
fn special_files_and_broken_links_are_skipped_not_fatal() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = tmp.path().join("corpus");
    write(&corpus, "one.jsonl", ONE.as_bytes());
    let fifo = corpus.join("pipe.jsonl");
    assert!(
        StdCommand::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    std::os::unix::fs::symlink(corpus.join("nowhere.jsonl"), corpus.join("dangling.jsonl"))
        .expect("symlink");
    std::os::unix::fs::symlink(&corpus, corpus.join("loop")).expect("symlink");
    std::os::unix::fs::symlink("/dev/zero", corpus.join("zero.jsonl")).expect("symlink");
    let index = tmp.path().join("idx");
    let out = run_with_deadline(tifa_std(&index).arg("index").arg(&corpus), 60);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("pipe.jsonl: skipped: a FIFO"), "{stderr}");
    assert!(
        stderr.contains("dangling.jsonl: skipped: a broken"),
        "{stderr}"
    );
    assert!(
        stderr.contains("zero.jsonl: skipped: a link to /dev/zero, outside the folder indexed"),
        "{stderr}"
    );
    assert!(stderr.contains("loop: skipped: a link back"), "{stderr}");
    assert_eq!(hits(&index, "网络主权"), vec!["a"]);

    // A CURRENT that is a FIFO is refused at once, not read.
    let gen_name = std::fs::read_to_string(index.join("CURRENT")).expect("current");
    std::fs::remove_file(index.join("CURRENT")).expect("rm");
    assert!(
        StdCommand::new("mkfifo")
            .arg(index.join("CURRENT"))
            .status()
            .expect("mkfifo")
            .success()
    );
    let out = run_with_deadline(tifa_std(&index).args(["search", "网络主权"]), 30);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("a FIFO"));
    std::fs::remove_file(index.join("CURRENT")).expect("rm");
    std::fs::write(index.join("CURRENT"), gen_name).expect("restore");
    assert_eq!(hits(&index, "网络主权"), vec!["a"]);
}

#[test]
fn over_long_lines_and_documents_are_skipped_with_bounded_memory() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = tmp.path().join("corpus");
    let mut content = ONE.as_bytes().to_vec();
    // A 3 MiB "line" with no newline at the end of the file.
    content.extend(std::iter::repeat_n(b'x', 6 << 20));
    write(&corpus, "long.jsonl", &content);
    let big_text = "网".repeat(1 << 20); // 3 MiB of text in a valid record
    write(
        &corpus,
        "big.jsonl",
        format!("{{\"id\":\"big\",\"text\":\"{big_text}\"}}\n").as_bytes(),
    );
    // 8 MiB under a 16 MiB line limit: more than a 1 MiB document can take
    // as JSON, skipped before it is parsed.
    write(
        &corpus,
        "huge.jsonl",
        format!("{{\"id\":\"huge\",\"text\":\"{}\"}}\n", "x".repeat(8 << 20)).as_bytes(),
    );
    let index = tmp.path().join("idx");
    tifa(&index)
        .args(["index", "--max-line-mb", "16", "--max-doc-mb", "1"])
        .arg(&corpus)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "huge.jsonl:1: skipped: a record of 8388631 bytes, more than a document within the document limit",
        ));
    tifa(&index)
        .args(["index", "--max-line-mb", "4", "--max-doc-mb", "1"])
        .arg(&corpus)
        .assert()
        .success()
        .stderr(predicate::str::contains("long.jsonl:3: skipped: line longer than 4194304 bytes"))
        .stderr(predicate::str::contains(
            "big.jsonl:1: skipped: record \"big\" has 3145728 bytes of text, over the document limit",
        ));
    assert_eq!(hits(&index, "网络主权"), vec!["a"]);
    // With the defaults both are read.
    tifa(&index).arg("index").arg(&corpus).assert().success();
    assert_eq!(hits(&index, "网网网"), vec!["big"]);
}

#[test]
fn an_index_owned_by_someone_else_or_read_only_is_searchable() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = write(tmp.path(), "one.jsonl", ONE.as_bytes());
    let index = build_index(tmp.path(), &corpus);
    let set_mode = |mode: &str| {
        let status = StdCommand::new("chmod")
            .args(["-R", mode])
            .arg(tmp.path())
            .status()
            .expect("chmod");
        assert!(status.success());
    };
    // Only the temporary folder is opened up: the index's own files must be
    // readable by others as tifa wrote them (a team share).
    let status = StdCommand::new("chmod")
        .arg("a+rx")
        .arg(tmp.path())
        .status()
        .expect("chmod");
    assert!(status.success());
    let listing = |dir: &Path| -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = walk_files(dir);
        v.sort();
        v
    };
    let before = listing(&index);
    let is_root = StdCommand::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let binary = assert_cmd::cargo::cargo_bin("tifa");
    let mut search = if is_root {
        // root can write anywhere: search as an unprivileged user instead.
        let mut c = StdCommand::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ]);
        c.arg(&binary);
        c
    } else {
        set_mode("a-w");
        StdCommand::new(&binary)
    };
    // Every folder from / to the binary must be readable by that user.
    let readable = binary.ancestors().all(|p| {
        std::fs::metadata(p).is_ok_and(|m| {
            use std::os::unix::fs::PermissionsExt;
            m.permissions().mode() & 0o005 == 0o005
        })
    });
    if is_root && !readable {
        eprintln!("skipped: the test binary is not readable by another user here");
        return;
    }
    let out = search
        .arg("--index")
        .arg(&index)
        .args(["search", "网络主权", "--json"])
        .env_remove("TIFA_INDEX")
        .output()
        .expect("run");
    if !is_root {
        set_mode("u+w");
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["total"], 1);
    // Nothing was created or changed in the index folder.
    assert_eq!(before, listing(&index));
}

fn walk_files(dir: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            let m = std::fs::metadata(&p).expect("meta");
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64);
            out.push((p.display().to_string(), mtime ^ m.len()));
        }
    }
    out
}

#[test]
fn check_finds_a_flipped_byte_that_the_open_time_checks_miss() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = write(tmp.path(), "one.jsonl", ONE.as_bytes());
    let index = build_index(tmp.path(), &corpus);
    tifa(&index)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("ok (2 documents"));
    let generation = index.join(
        std::fs::read_to_string(index.join("CURRENT"))
            .expect("current")
            .trim(),
    );
    let victim = std::fs::read_dir(&generation)
        .expect("gen")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .expect("an .idx file");
    let mut bytes = std::fs::read(&victim).expect("read");
    bytes[0] ^= 0xff;
    std::fs::write(&victim, &bytes).expect("write");
    tifa(&index)
        .arg("check")
        .assert()
        .failure()
        .stdout(predicate::str::contains("DAMAGED"))
        .stdout(predicate::str::contains("checksum mismatch"));
    // `check` fails (exit 1) here, and still prints its JSON.
    let out = tifa(&index)
        .args(["check", "--json"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["damaged"].as_array().map(Vec::len), Some(1));
}

#[test]
fn report_lists_only_files_written_and_removes_its_own_stale_ones() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = write(tmp.path(), "one.jsonl", ONE.as_bytes());
    let index = build_index(tmp.path(), &corpus);
    let families = write(
        tmp.path(),
        "fam.toml",
        "[sov]\nvariants = [\"网络主权\", \"cyber sovereignty\"]\n".as_bytes(),
    );
    let terms = write(tmp.path(), "terms.txt", b"@sov\n");
    let out = tmp.path().join("out");
    write(&out, "my-notes.svg", b"<svg/>");
    let report = |extra: &[&str]| {
        let o = tifa(&index)
            .args(["report", "--terms"])
            .arg(&terms)
            .arg("--families")
            .arg(&families)
            .arg("--out")
            .arg(&out)
            .args(extra)
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let first = report(&[]);
    assert!(first.contains("chart-sov.svg"), "{first}");
    assert!(out.join("chart-sov.svg").exists());
    // No data in 2020: no chart written, none listed, the stale one removed.
    let second = report(&["--from", "2020"]);
    assert!(!second.contains("chart-sov.svg"), "{second}");
    assert!(!out.join("chart-sov.svg").exists());
    assert!(!out.join("overview.svg").exists());
    for line in second.lines().skip(1) {
        assert!(
            Path::new(line.trim()).exists(),
            "listed but missing: {line}"
        );
    }
    assert!(
        out.join("my-notes.svg").exists(),
        "another file was removed"
    );
}

#[test]
fn smaller_holes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let long_value = "v".repeat(70_000);
    let long_record = format!(r#"{{"id":"long","text":"x","note":"{long_value}"}}"#);
    let content = format!(
        "{}{}\n{}\n{long_record}\n",
        ONE,
        r#"{"id":"eq","text":"网络主权","a=b":"c","score":1e2,"ratio":0.10,"flag":true}"#,
        r#"{"id":"sur","text":"网络主权 \ud800 lone"}"#,
    );
    let corpus = write(tmp.path(), "c.jsonl", content.as_bytes());
    let index = tmp.path().join("idx");
    tifa(&index)
        .arg("index")
        .arg(&corpus)
        .assert()
        .success()
        .stderr(predicate::str::contains("field name \"a=b\" contains '='"))
        .stderr(predicate::str::contains("lone UTF-16 surrogate"))
        .stderr(predicate::str::contains("longer than 65530 bytes"));
    // The record with a lone surrogate is kept, the escape replaced.
    // (eq and sur are undated: their order between them is not defined.)
    let mut found = hits(&index, "网络主权");
    found.sort();
    assert_eq!(found, vec!["a", "eq", "sur"]);
    let v = json(&index, &["search", "lone", "--json"]);
    let snippet = v["hits"][0]["snippets"][0]["context"]
        .as_str()
        .expect("snippet");
    assert!(snippet.contains('\u{fffd}'), "{snippet}");
    // Numbers and booleans are kept as written.
    let v = json(
        &index,
        &["search", "网络主权", "--where", "id=eq", "--json"],
    );
    let meta = &v["hits"][0]["meta"];
    assert_eq!(meta["score"], "1e2");
    assert_eq!(meta["ratio"], "0.10");
    assert_eq!(meta["flag"], "true");
    assert_eq!(meta["a=b"], "c");
    // Unknown fields are errors naming the usable ones.
    for args in [
        vec!["search", "网络主权", "--where", "date=2015"],
        vec!["trace", "网络主权", "--group-by", "date"],
        vec!["search", "网络主权", "--where", "a=b=c"],
    ] {
        tifa(&index)
            .args(&args)
            .assert()
            .failure()
            .stderr(predicate::str::contains("no document has the field"))
            .stderr(predicate::str::contains("country (1 documents)"));
    }
    // A 10,000-character query of dashes ends quickly.
    let dashes = vec!["-"; 5000].join(" ");
    let out = run_with_deadline(tifa_std(&index).args(["search", "--", &dashes]), 60);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mixed: String = (1..=135)
        .map(|n| "-".repeat(n))
        .collect::<Vec<_>>()
        .join(" ");
    let out = run_with_deadline(tifa_std(&index).args(["search", "--", &mixed]), 60);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn closed_pipes_end_quietly_and_full_disks_are_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    let many: String = (0..3000)
        .map(|i| {
            format!(
                "{{\"id\":\"d{i}\",\"lang\":\"zh\",\"date\":\"2015\",\"text\":\"网络主权 {i}\"}}\n"
            )
        })
        .collect();
    let corpus = write(tmp.path(), "many.jsonl", many.as_bytes());
    let index = build_index(tmp.path(), &corpus);
    for args in [
        vec!["search", "网络主权", "--all"],
        vec!["search", "网络主权", "--all", "--json"],
        vec!["info"],
    ] {
        let mut child = tifa_std(&index)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Close our end at once, like `| head -0`.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{args:?}: {:?}", out.status);
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for args in [vec!["search", "网络主权", "--all"], vec!["info"]] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full");
        let out = tifa_std(&index)
            .args(&args)
            .stdout(full)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains("No space left"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// Unmounts a test file system when the test ends, pass or fail.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = StdCommand::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_during_a_build_leaves_the_previous_index_live() {
    let tmp = tempfile::tempdir().expect("tmp");
    let small = tmp.path().join("small");
    std::fs::create_dir_all(&small).expect("mkdir");
    // A 2 MiB file system holds one index of this corpus, not two.
    let mounted = StdCommand::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&small)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    }
    let _guard = Mount(small.clone());
    let many: String = (0..5000)
        .map(|i| {
            format!(
                "{{\"id\":\"d{i}\",\"lang\":\"zh\",\"date\":\"2015\",\"text\":\"{}{i}\"}}\n",
                "网络主权推动构建网络空间命运共同体".repeat(20)
            )
        })
        .collect();
    let corpus = write(tmp.path(), "many.jsonl", many.as_bytes());
    let index = small.join("idx");
    tifa(&index).arg("index").arg(&corpus).assert().success();
    tifa(&index)
        .arg("index")
        .arg(&corpus)
        .assert()
        .failure()
        .stderr(predicate::str::contains("the previous index is unchanged"))
        .stderr(predicate::str::contains("No space left on device"));
    assert_eq!(hits(&index, "网络主权").len(), 5000);
    tifa(&index).arg("check").assert().success();
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    if StdCommand::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = write(tmp.path(), "one.jsonl", ONE.as_bytes());
    let index = build_index(tmp.path(), &corpus);
    let binary = assert_cmd::cargo::cargo_bin("tifa");
    // `script` gives tifa a terminal for stdout.
    let on_terminal = |no_color: bool| -> Vec<u8> {
        let line = format!(
            "{} --index {} search 网络主权",
            binary.display(),
            index.display()
        );
        let mut cmd = StdCommand::new("script");
        cmd.args(["-qec", &line, "/dev/null"])
            .env_remove("TIFA_INDEX");
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        let out = run_with_deadline(&mut cmd, 30);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let coloured = on_terminal(false);
    assert!(coloured.contains(&0x1b), "no colour on a terminal");
    let plain = on_terminal(true);
    assert!(String::from_utf8_lossy(&plain).contains("网络主权"));
    assert!(!plain.contains(&0x1b), "colour despite NO_COLOR");
    assert!(String::from_utf8_lossy(&plain).contains("⟦网络主权⟧"));
}

#[test]
fn a_word_longer_than_the_index_can_hold_is_found_by_verification() {
    let tmp = tempfile::tempdir().expect("tmp");
    let word = "a".repeat(66_000);
    let corpus = write(
        tmp.path(),
        "w.jsonl",
        format!("{{\"id\":\"long\",\"date\":\"2015\",\"text\":\"see {word} here\"}}\n{{\"id\":\"short\",\"text\":\"see here\"}}\n")
            .as_bytes(),
    );
    let index = tmp.path().join("idx");
    tifa(&index)
        .arg("index")
        .arg(&corpus)
        .assert()
        .success()
        .stderr(predicate::str::contains("longer than the index can hold"));
    for term in [word.clone(), format!("see {word}")] {
        let v = json(&index, &["trace", &term, "--json"]);
        assert_eq!(v["docs"], 1);
        assert_eq!(v["first"]["id"], "long");
    }
}

/// A link whose target lies outside the folder indexed (a saved page linking
/// to /etc/passwd) is skipped with a warning unless --follow-links says
/// otherwise; links inside the folder are read as before.
#[test]
fn links_outside_the_indexed_folder_are_not_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = tmp.path().join("corpus");
    write(&corpus, "one.jsonl", ONE.as_bytes());
    let secret = write(
        tmp.path(),
        "secret.jsonl",
        "{\"id\":\"secret\",\"lang\":\"zh\",\"date\":\"2015-01-01\",\"text\":\"网络主权 私人笔记\"}\n".as_bytes(),
    );
    std::os::unix::fs::symlink(&secret, corpus.join("notes.jsonl")).expect("symlink");
    std::fs::create_dir_all(corpus.join("sub")).expect("dir");
    std::os::unix::fs::symlink(corpus.join("one.jsonl"), corpus.join("sub/again.jsonl"))
        .expect("symlink");
    let index = tmp.path().join("idx");
    let out = run_with_deadline(tifa_std(&index).arg("index").arg(&corpus), 60);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("notes.jsonl: skipped: a link to")
            && stderr.contains("outside the folder indexed (add --follow-links to read it)"),
        "{stderr}"
    );
    assert_eq!(hits(&index, "私人笔记"), Vec::<String>::new());
    // The link inside the folder is read (its records are the same ids: kept once).
    assert_eq!(hits(&index, "网络主权"), vec!["a"]);
    let followed = tmp.path().join("idx2");
    let out = run_with_deadline(
        tifa_std(&followed)
            .arg("index")
            .arg(&corpus)
            .arg("--follow-links"),
        60,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(hits(&followed, "私人笔记"), vec!["secret"]);
}

/// Hostile or damaged pages: 50,000 nested elements are read (no stack
/// overflow aborting the build), UTF-8 with a few bad bytes stays UTF-8 (the
/// Chinese text is kept, the bad bytes replaced and named), and a charset
/// tifa cannot decode is named instead of yielding one replacement character.
#[test]
fn deep_pages_damaged_utf8_and_unsupported_charsets() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = tmp.path().join("corpus");
    let depth = 50_000;
    let deep = format!(
        "<html><body>{}网络主权深处{}</body></html>",
        "<b>".repeat(depth),
        "</b>".repeat(depth)
    );
    write(&corpus, "deep.html", deep.as_bytes());
    let mut damaged = "<html><body><p>".as_bytes().to_vec();
    for _ in 0..40 {
        damaged.extend_from_slice("尊重网络主权。".as_bytes());
    }
    damaged.extend_from_slice(b"\xff\xfe broken \xc3");
    damaged.extend_from_slice("</p><p>网络空间命运共同体</p></body></html>".as_bytes());
    write(&corpus, "damaged.html", &damaged);
    write(
        &corpus,
        "hz.html",
        b"<html><head><meta charset=\"HZ-GB-2312\"></head><body>~{<R;~}</body></html>",
    );
    let index = tmp.path().join("idx");
    let out = run_with_deadline(tifa_std(&index).arg("index").arg(&corpus), 120);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(hits(&index, "网络主权深处"), vec!["deep.html"]);
    assert_eq!(hits(&index, "尊重网络主权"), vec!["damaged.html"]);
    assert_eq!(hits(&index, "网络空间命运共同体"), vec!["damaged.html"]);
    assert!(
        stderr.contains("hz.html") && stderr.contains("\"HZ-GB-2312\", which tifa cannot decode"),
        "{stderr}"
    );
}

/// Clear words for small mistakes: an empty `.gz`, blank lines before a
/// front matter (read as front matter), an empty `TIFA_INDEX=`.
#[test]
fn small_mistakes_get_clear_words() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = tmp.path().join("corpus");
    write(&corpus, "empty.jsonl.gz", b"");
    write(
        &corpus,
        "notes/blank.md",
        "\n\n---\ntitle: 笔记\ndate: 2015-01-01\n---\n网络主权笔记\n".as_bytes(),
    );
    let index = tmp.path().join("idx");
    let out = run_with_deadline(tifa_std(&index).arg("index").arg(&corpus), 60);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("empty.jsonl.gz:1: skipped: an empty file (0 bytes), not gzip data"),
        "{stderr}"
    );
    assert_eq!(hits(&index, "网络主权笔记"), vec!["notes/blank.md"]);
    let out = run_with_deadline(
        StdCommand::new(assert_cmd::cargo::cargo_bin("tifa"))
            .env("TIFA_INDEX", "")
            .args(["search", "网络主权"]),
        30,
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("TIFA_INDEX is set but empty"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Bombs are refused before a parser sees them: a PDF whose compressed
/// stream inflates past --max-doc-mb ("decompressed size over the limit",
/// not "run OCR"), a page that leaves thousands of formatting elements
/// unclosed. The rest of the folder is indexed.
#[test]
fn decompression_and_formatting_bombs_are_refused() {
    use std::io::Write as _;
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = tmp.path().join("corpus");
    write(&corpus, "one.jsonl", ONE.as_bytes());
    // 4 MiB of zeros in a few KB, as a content stream.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![0u8; 4 << 20]).expect("deflate");
    let packed = z.finish().expect("deflate");
    let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec();
    pdf.extend_from_slice(
        format!(
            "4 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n",
            packed.len()
        )
        .as_bytes(),
    );
    pdf.extend_from_slice(&packed);
    pdf.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    assert!(pdf.len() < 64 * 1024);
    write(&corpus, "bomb.pdf", &pdf);
    let page = format!(
        "<html><body>{}网络主权</body></html>",
        "<b><p>x".repeat(2_000)
    );
    write(&corpus, "bomb.html", page.as_bytes());
    let index = tmp.path().join("idx");
    let out = index_with_small_documents(&index, &corpus);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("bomb.pdf:1: skipped: a compressed stream")
            && stderr.contains("decompressed size over the limit")
            && !stderr.contains("OCR"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bomb.html:1: skipped: the page leaves 2000 formatting elements"),
        "{stderr}"
    );
    assert_eq!(hits(&index, "网络主权"), vec!["a"]);
}

/// `tifa index CORPUS --max-doc-mb 1`.
fn index_with_small_documents(index: &Path, corpus: &Path) -> std::process::Output {
    run_with_deadline(
        tifa_std(index)
            .arg("index")
            .arg(corpus)
            .args(["--max-doc-mb", "1"]),
        60,
    )
}

/// `index --update` under other size limits reads the files again: a
/// document skipped under `--max-doc-mb 1` reappears, as in a full build.
#[test]
fn update_under_new_limits_reads_files_again() {
    let tmp = tempfile::tempdir().expect("tmp");
    let corpus = tmp.path().join("corpus");
    let big = format!(
        "{{\"id\":\"big\",\"lang\":\"zh\",\"date\":\"2015-01-01\",\"text\":\"网络主权{}\"}}\n",
        "文".repeat(600_000)
    );
    write(&corpus, "big.jsonl", big.as_bytes());
    write(&corpus, "one.jsonl", ONE.as_bytes());
    let index = tmp.path().join("idx");
    let out = index_with_small_documents(&index, &corpus);
    assert!(out.status.success());
    assert_eq!(hits(&index, "网络主权"), vec!["a"]);
    let out = run_with_deadline(
        tifa_std(&index).args(["index", "--update"]).arg(&corpus),
        60,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found = hits(&index, "网络主权");
    found.sort();
    assert_eq!(found, vec!["a", "big"]);
}

/// A concordance costs one pass per document: 8,000 matches on one 1.6
/// million-character line (24–46 s before, one pass per match) finish well
/// inside the deadline, with the right offsets.
#[test]
fn kwic_is_linear_in_document_length() {
    let tmp = tempfile::tempdir().expect("tmp");
    let text = format!("网络主权{}", "的".repeat(200)).repeat(8_000);
    let record =
        serde_json::json!({"id": "long", "lang": "zh", "date": "2015-01-01", "text": text});
    let corpus = write(tmp.path(), "long.jsonl", format!("{record}\n").as_bytes());
    let index = tmp.path().join("idx");
    let out = run_with_deadline(tifa_std(&index).arg("index").arg(&corpus), 60);
    assert!(out.status.success());
    let started = std::time::Instant::now();
    // (Its 2 MB of output is read while it runs: `output`, not the deadline
    // helper, which reads after the exit and would block a full pipe.)
    let out = tifa_std(&index)
        .args(["kwic", "网络主权", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["total"], 8_000);
    let last = &v["lines"][7_999];
    assert_eq!(last["start"], 7_999 * 204);
    assert_eq!(last["line"], 1);
    assert_eq!(last["left"].as_str().map(|l| l.chars().count()), Some(20));
}

/// A sheet beside a file indexed on its own is checked like every input: a
/// FIFO named `manifest.csv` is named and not read (it used to hang the
/// build), the file is indexed.
#[test]
fn a_sheet_beside_a_single_file_is_checked() {
    let tmp = tempfile::tempdir().expect("tmp");
    let one = write(tmp.path(), "one.jsonl", ONE.as_bytes());
    assert!(
        StdCommand::new("mkfifo")
            .arg(tmp.path().join("manifest.csv"))
            .status()
            .expect("mkfifo")
            .success()
    );
    let index = tmp.path().join("idx");
    let out = run_with_deadline(tifa_std(&index).arg("index").arg(&one), 30);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("manifest.csv: skipped: not a regular file"),
        "{stderr}"
    );
    assert_eq!(hits(&index, "网络主权"), vec!["a"]);
}
