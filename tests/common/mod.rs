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

/// Runs `tifa --index INDEX ARGS`, which must succeed; what it printed.
pub fn run_ok<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(index: &Path, args: &[S]) -> String {
    let out = tifa(index).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "tifa {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Runs `tifa --index INDEX ARGS` (which must succeed) and parses its JSON output.
pub fn json(index: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&run_ok(index, args)).expect("json")
}

/// The JSON lines of `tifa --index INDEX ARGS` (one object per term), as an array.
pub fn json_lines(index: &Path, args: &[&str]) -> Value {
    Value::Array(
        run_ok(index, args)
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect(),
    )
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

/// A running `tifa serve` on a free port, stopped when dropped.
pub struct Server {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Server {
    /// CPU time the server process has used, in clock ticks (Linux).
    pub fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .expect("/proc/PID/stat");
        // Fields after the command name (which is in parentheses).
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime: fields 14 and 15 of stat, 12 and 13 after ')'.
        fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `tifa --index INDEX serve --port 0` and waits for its address.
pub fn serve(index: &Path) -> Server {
    serve_with(index, &[])
}

/// [`serve`] with more options.
pub fn serve_with(index: &Path, options: &[&str]) -> Server {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tifa"))
        .arg("--index")
        .arg(index)
        .args(["serve", "--port", "0"])
        .args(options)
        .env_remove("TIFA_INDEX")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("start tifa serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the address line");
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("an address")
        .trim_end_matches('/')
        .to_string();
    Server { child, base }
}

/// A plain HTTP/1.1 GET: (status, headers in lower case, body).
pub fn get(base: &str, path: &str) -> (u16, String, String) {
    get_with(base, path, &[])
}

/// [`get`] with extra request headers; a `Host` among them replaces the
/// address's.
pub fn get_with(base: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    use std::io::{Read, Write};
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    let host = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("host"))
        .map_or(address, |(_, v)| *v);
    let extra: String = headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n"
    )
    .expect("request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("response");
    let raw = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let head = head.to_lowercase();
    // The pages wrap each run of Chinese text in <span lang="zh"> (tested in
    // the browser and in a unit test); the tests that read numbers and
    // titles out of the HTML read it without those spans.
    let body = if head.contains("content-type: text/html") {
        without_chinese_marks(body)
    } else {
        body.to_string()
    };
    (status, head, body)
}

/// HTML without the `<span lang="zh">…</span>` around runs of Chinese text
/// (the spans never hold a tag).
pub fn without_chinese_marks(html: &str) -> String {
    const OPEN: &str = "<span lang=\"zh\">";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let inner = &rest[at + OPEN.len()..];
        match inner.find('<') {
            Some(end) if inner[end..].starts_with("</span>") => {
                out.push_str(&inner[..end]);
                rest = &inner[end + "</span>".len()..];
            }
            _ => {
                out.push_str(OPEN);
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Percent-encodes a query parameter value.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Everything an index answers for `terms`, with what depends on the build
/// (times, sizes, generation names) left out.
pub fn answers(index: &Path, terms: &[&str]) -> Value {
    let generation = index.join(
        std::fs::read_to_string(index.join("CURRENT"))
            .expect("CURRENT")
            .trim(),
    );
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(generation.join("tifa.json")).expect("tifa.json"))
            .expect("manifest json");
    for volatile in ["build_seconds", "built_at_unix", "index_bytes", "files"] {
        manifest.as_object_mut().expect("object").remove(volatile);
    }
    // How long aligning took, and how many pairs were aligned afresh or
    // reused, differ by nature between an update and a rebuild; the pairs
    // and segments must not.
    if let Some(stats) = manifest
        .get_mut("alignments")
        .and_then(|a| a.as_object_mut())
    {
        stats.remove("seconds");
        stats.remove("reused");
        stats.remove("aligned");
    }
    let inputs: Value =
        serde_json::from_slice(&std::fs::read(generation.join("inputs.json")).expect("inputs"))
            .expect("inputs json");
    let mut out = serde_json::json!({
        "manifest": manifest,
        "inputs": inputs,
        "fields": stdout(index, &["fields", "--json"]),
        "timeline": json_lines(index, &[&["timeline"], terms, &["--json"]].concat()),
    });
    for term in terms {
        out[format!("search {term}")] = json(index, &["search", term, "--all", "--json"]);
        out[format!("search {term} by date")] = json(
            index,
            &["search", term, "--all", "--json", "--sort", "date"],
        );
        out[format!("trace {term}")] = json_lines(index, &["trace", term, "--json"]);
    }
    let terms_file = index.with_extension("terms.txt");
    std::fs::write(&terms_file, terms.join("\n")).expect("terms");
    let report_dir = index.with_extension("report");
    run_report(index, &terms_file, &report_dir);
    out["report.csv"] =
        Value::String(std::fs::read_to_string(report_dir.join("report.csv")).expect("report.csv"));
    out
}

/// What `tifa --index INDEX ARGS` prints (the run must succeed).
pub fn stdout(index: &Path, args: &[&str]) -> Value {
    Value::String(run_ok(index, args))
}

/// A JSON answer without the parts of its stamp that name the index folder,
/// its generation and build date (which differ between two indexes by
/// design); the tool, corpus hash and documents stay compared.
fn without_index_names(v: &Value) -> Value {
    let mut v = v.clone();
    match &mut v {
        Value::Object(map) => {
            if let Some(Value::Object(stamp)) = map.get_mut("stamp") {
                for key in ["command", "generation", "built"] {
                    stamp.remove(key);
                }
            }
            for (key, inner) in map.iter_mut() {
                if key != "stamp" {
                    *inner = without_index_names(inner);
                }
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = without_index_names(item);
            }
        }
        _ => {}
    }
    v
}

/// Compares field by field, so that a failure names what differs.
pub fn assert_same(updated: &Value, rebuilt: &Value) {
    let (updated, rebuilt) = (without_index_names(updated), without_index_names(rebuilt));
    let (Some(a), Some(b)) = (updated.as_object(), rebuilt.as_object()) else {
        panic!("not objects");
    };
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in a {
        if let (Some(x), Some(y)) = (v.as_str(), b[k].as_str()) {
            // Long outputs: show where they part.
            let at = x
                .char_indices()
                .zip(y.chars())
                .find(|((_, c), d)| c != d)
                .map_or(x.len().min(y.len()), |((i, _), _)| i);
            let from = x.floor_char_boundary(at.saturating_sub(300));
            assert!(
                x == y,
                "`{k}` differs between --update and a full rebuild at byte {at}:\n  updated: …{}\n  rebuilt: …{}",
                &x[from..x.floor_char_boundary((at + 300).min(x.len()))],
                &y[y.floor_char_boundary(from.min(y.len()))
                    ..y.floor_char_boundary((at + 300).min(y.len()))]
            );
        }
        assert_eq!(
            v, &b[k],
            "`{k}` differs between --update and a full rebuild"
        );
    }
}

/// `tifa index --update PATHS`, which must succeed; what it printed.
pub fn update_index(index: &Path, paths: &[&Path]) -> String {
    let mut args: Vec<&std::ffi::OsStr> = vec!["index".as_ref(), "--update".as_ref()];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    run_ok(index, &args)
}

/// A small corpus of three records: Chinese with a date, English with a
/// year-only date and a country, Chinese undated.
pub const GOOD: &str = r#"{"id":"a","lang":"zh","date":"2015-12-16","title":"第二届世界互联网大会","kind":"article","source":"t","text":"推动构建网络空间命运共同体。\n尊重网络主权。"}
{"id":"b","lang":"en","date":"2015","title":"Statement","kind":"speech","source":"t","text":"We support Cyber  Sovereignty's principles and win-win cooperation.","country":"PAK"}
{"id":"c","lang":"zh","title":"无日期","kind":"regulation","source":"t","text":"加大5G网络建设，发展互联网＋。"}
"#;

/// A temporary folder with the GOOD fixture indexed: (folder, corpus file, index).
pub fn indexed_fixture() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = write(tmp.path(), "a.jsonl", GOOD.as_bytes());
    let index = build_index(tmp.path(), &f);
    (tmp, f, index)
}
