//! Alignments of paired documents are computed when the index is built and
//! stored beside it (#22): `pair` and `renderings` read them; an update
//! re-aligns only the pairs whose texts changed; an index without them (built
//! by an older tifa) still answers, aligning on the fly.

mod common;

use std::path::Path;

use common::{build_index, json, run_ok, tifa, write};
use serde_json::Value;

fn pair_records(n: usize, changed: Option<usize>) -> String {
    let mut lines = Vec::new();
    for i in 0..n {
        let extra = if changed == Some(i) {
            "新增一段。\nA new paragraph.\n"
        } else {
            ""
        };
        let zh = serde_json::json!({
            "id": format!("zh-{i}"), "lang": "zh", "kind": "press_conference",
            "date": format!("201{}-05-0{}", 8 + i % 2, 1 + i), "title": format!("第{i}次记者会"),
            "text": format!("问：南海问题有何进展？{extra}\n答：我们坚持通过谈判协商解决南海问题。\n零和博弈已经过时。"),
            "pair": format!("en-{i}"),
        });
        let extra_en = if changed == Some(i) {
            "Here is a new paragraph.\n"
        } else {
            ""
        };
        let en = serde_json::json!({
            "id": format!("en-{i}"), "lang": "en", "kind": "press_conference",
            "date": format!("201{}-05-0{}", 8 + i % 2, 1 + i), "title": format!("Press conference {i}"),
            "text": format!("Q: Is there progress on the South China Sea issue?\n{extra_en}A: We insist on resolving the South China Sea issue through negotiation and consultation.\nThe zero-sum game is outdated."),
            "pair": format!("zh-{i}"),
        });
        lines.push(zh.to_string());
        lines.push(en.to_string());
    }
    lines.join("\n") + "\n"
}

fn generation(index: &Path) -> std::path::PathBuf {
    let name = std::fs::read_to_string(index.join("CURRENT")).expect("CURRENT");
    index.join(name.trim())
}

fn manifest(index: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(generation(index).join("tifa.json")).expect("manifest"))
        .expect("json")
}

/// The segments `tifa::align` gives two records of the fixture (title and text).
fn fresh_segments(records: &str, zh: &str, en: &str) -> Vec<(String, String)> {
    let doc = |id: &str| {
        let d: Value = records
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("record"))
            .find(|d| d["id"] == id)
            .expect("record");
        format!(
            "{}\n{}",
            d["title"].as_str().expect("title"),
            d["text"].as_str().expect("text")
        )
    };
    tifa::align::segments(&doc(zh), &doc(en))
        .into_iter()
        .map(|s| (s.zh, s.en))
        .collect()
}

fn stored_segments(index: &Path, id: &str) -> Vec<(String, String)> {
    json(index, &["pair", id, "--json"])["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .map(|s| {
            (
                s["zh"].as_str().expect("zh").to_string(),
                s["en"].as_str().expect("en").to_string(),
            )
        })
        .collect()
}

#[test]
fn alignments_are_stored_reused_by_updates_and_equal_a_fresh_alignment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let records = pair_records(3, None);
    let corpus = write(dir.path(), "corpus/pairs.jsonl", records.as_bytes());
    let index = build_index(dir.path(), &corpus);
    let m = manifest(&index);
    assert_eq!(m["alignments"]["pairs"], 3, "{m}");
    assert_eq!(m["alignments"]["aligned"], 3);
    assert!(generation(&index).join("alignments.jsonl").is_file());
    // What `pair` reads from the store is what aligning the texts now gives,
    // from either side of the pair.
    for i in 0..3 {
        let (zh, en) = (format!("zh-{i}"), format!("en-{i}"));
        let fresh = fresh_segments(&records, &zh, &en);
        assert_eq!(stored_segments(&index, &zh), fresh);
        assert_eq!(stored_segments(&index, &en), fresh);
    }
    let before = json(&index, &["renderings", "南海问题", "--json"]);
    assert_eq!(before["segments_with_term"], 6, "{before}");
    assert_eq!(
        before["renderings"][0]["text"], "south china sea issue",
        "{before}"
    );
    // One pair changes: the update aligns it alone and reuses the others.
    let records = pair_records(3, Some(1));
    write(dir.path(), "corpus/pairs.jsonl", records.as_bytes());
    let said = run_ok(
        &index,
        &["index", "--update", corpus.to_str().expect("utf8 path")],
    );
    assert!(said.contains("2 unchanged, reused"), "{said}");
    let m = manifest(&index);
    assert_eq!(m["alignments"]["aligned"], 1, "{m}");
    assert_eq!(m["alignments"]["reused"], 2, "{m}");
    let fresh = fresh_segments(&records, "zh-1", "en-1");
    assert!(
        fresh.iter().any(|(_, en)| en.contains("a new paragraph")),
        "{fresh:?}"
    );
    assert_eq!(stored_segments(&index, "zh-1"), fresh);
    // An index without stored alignments (an older tifa's) aligns on the fly
    // and answers the same.
    let g = generation(&index);
    let after = json(&index, &["renderings", "南海问题", "--json"]);
    for f in ["alignments.jsonl", "alignments-index.json"] {
        std::fs::remove_file(g.join(f)).expect("remove");
    }
    let mut m = manifest(&index);
    for f in ["alignments.jsonl", "alignments-index.json"] {
        m["files"]
            .as_object_mut()
            .expect("files")
            .remove(f)
            .expect("listed");
    }
    std::fs::write(g.join("tifa.json"), m.to_string()).expect("write manifest");
    assert_eq!(stored_segments(&index, "zh-1"), fresh);
    assert_eq!(json(&index, &["renderings", "南海问题", "--json"]), after);
    // A damaged store is named, with what to do.
    write(&g, "alignments.jsonl", b"{not json\n");
    let mut m = manifest(&index);
    m["files"]["alignments.jsonl"] = Value::from(10);
    std::fs::write(g.join("tifa.json"), m.to_string()).expect("write manifest");
    let out = tifa(&index)
        .args(["renderings", "南海问题"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("alignments.jsonl line 1") && err.contains("tifa index"),
        "{err}"
    );
}
