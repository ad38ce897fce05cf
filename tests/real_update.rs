//! `tifa index --update` on real texts (#12): a copy of part of the shared
//! corpus is indexed, then a day of CCTV news arrives, a file is corrected
//! (records dropped, one changed) and a file is withdrawn; the updated index
//! must answer every dev term exactly as a full rebuild over the same files.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use common::{answers, assert_same, tifa, update_index};
use serde_json::Value;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

const COPIED: [&str; 9] = [
    "cyber_initiatives_zh.jsonl",
    "gov_work_reports.jsonl",
    "party_congress_reports.jsonl",
    "speeches_xi.jsonl",
    "speeches_xi_en.jsonl",
    "un_general_debate_china.jsonl",
    "undated.jsonl",
    "xi_governance_of_china_v2_zh.jsonl",
    "mfa_press_conferences.jsonl",
];

/// The CCTV news records of one day, read from the shared gzip file.
fn news_of(day: &str) -> Vec<String> {
    let file = std::fs::File::open(shared().join("corpus/large/xwlb_cctv_news_2012_2026.jsonl.gz"))
        .expect("the CCTV news file");
    let wanted = format!("\"date\": \"{day}\"");
    let wanted_compact = format!("\"date\":\"{day}\"");
    BufReader::new(flate2::read::MultiGzDecoder::new(file))
        .lines()
        .map(|l| l.expect("line"))
        .filter(|l| l.contains(&wanted) || l.contains(&wanted_compact))
        .filter(|l| serde_json::from_str::<Value>(l).expect("json")["date"].as_str() == Some(day))
        .collect()
}

#[test]
fn update_on_real_texts_equals_a_full_rebuild_for_every_dev_term() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).expect("mkdir");
    for name in COPIED {
        std::fs::copy(shared().join("corpus").join(name), corpus.join(name)).expect("copy");
    }
    let index = dir.path().join("idx");
    tifa(&index).arg("index").arg(&corpus).assert().success();

    let day = news_of("2015-12-16");
    assert!(day.len() > 5, "the day's news: {} records", day.len());
    std::fs::create_dir_all(corpus.join("news")).expect("mkdir");
    std::fs::write(corpus.join("news/2015-12-16.jsonl"), day.join("\n") + "\n").expect("write");
    let mfa = corpus.join("mfa_press_conferences.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(&mfa)
        .expect("mfa")
        .lines()
        .map(str::to_string)
        .collect();
    let mut corrected: Vec<String> = lines[10..].to_vec();
    let mut changed: Value = serde_json::from_str(&corrected[20]).expect("json");
    let text = changed["text"].as_str().expect("text").to_string();
    changed["text"] = Value::String(format!("{text}\n（更正）网络空间命运共同体。"));
    corrected[20] = changed.to_string();
    std::fs::write(&mfa, corrected.join("\n") + "\n").expect("write");
    std::fs::remove_file(corpus.join("undated.jsonl")).expect("rm");

    let said = update_index(&index, &[&corpus]);
    assert!(
        said.contains("1 files added (news/2015-12-16.jsonl), 1 replaced (mfa_press_conferences.jsonl), 1 removed (undated.jsonl), 7 unchanged"),
        "{said}"
    );

    let rebuilt = dir.path().join("rebuilt");
    tifa(&rebuilt).arg("index").arg(&corpus).assert().success();
    let terms: Vec<String> = std::fs::read_to_string(shared().join("terms/dev-terms.txt"))
        .expect("dev terms")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let terms: Vec<&str> = terms.iter().map(String::as_str).collect();
    let updated = answers(&index, &terms);
    assert_same(&updated, &answers(&rebuilt, &terms));
    // The update's own answers changed as the files did.
    let changed_id = changed["id"].as_str().expect("id");
    assert!(
        common::search_ids(&index, &["（更正）网络空间命运共同体"]) == [changed_id],
        "the corrected record is searchable"
    );
    let first_day_id = serde_json::from_str::<Value>(&day[0]).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert!(
        updated["inputs"].to_string().contains(&first_day_id),
        "the day's news is in the index"
    );
}
