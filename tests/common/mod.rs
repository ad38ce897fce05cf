//! Helpers shared by the fixture test files: running tifa on an index,
//! writing fixture files, reading the ids a search returns.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// `tifa --index INDEX`, with no TIFA_INDEX from the environment.
pub fn tifa(index: &Path) -> Command {
    let mut c = Command::cargo_bin("tifa").expect("binary");
    c.arg("--index").arg(index).env_remove("TIFA_INDEX");
    c
}

/// Writes a fixture file (and its folders).
pub fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, content).expect("write");
    p
}

/// The ids `search ARGS --all --json --sort date` returns (the run must succeed).
pub fn search_ids(index: &Path, args: &[&str]) -> Vec<String> {
    let out = tifa(index)
        .arg("search")
        .args(args)
        .args(["--all", "--json", "--sort", "date"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect()
}

/// Runs `tifa --index INDEX ARGS` (which must succeed) and parses its JSON output.
pub fn json(index: &Path, args: &[&str]) -> Value {
    let out = tifa(index).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "tifa {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// Indexes `corpus` (a file or folder) into `dir/idx`, which must succeed;
/// returns the index folder.
pub fn build_index(dir: &Path, corpus: &Path) -> PathBuf {
    let index = dir.join("idx");
    tifa(&index).arg("index").arg(corpus).assert().success();
    index
}

/// `tifa report --terms TERMS --out OUT`, which must succeed.
pub fn run_report(index: &Path, terms: &Path, out: &Path) {
    tifa(index)
        .args(["report", "--terms"])
        .arg(terms)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}
