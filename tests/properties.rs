//! Property tests over the query parser and the analysis chain: arbitrary
//! Unicode never panics or hangs, and the chunked NFKC used for offsets equals
//! whole-text NFKC. `PROPTEST_CASES=100000 cargo test --test properties` runs longer.

use proptest::prelude::*;
use tifa::matcher::Literal;
use tifa::text::{GramTokenizer, Normalized};
use unicode_normalization::UnicodeNormalization;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(512),
        ..ProptestConfig::default()
    }
}

/// Strings mixing the scripts and the query syntax the parser must survive.
fn messy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            any::<char>().prop_map(|c| c.to_string()),
            Just("\"".to_string()),
            Just("(".to_string()),
            Just(")".to_string()),
            Just(" AND ".to_string()),
            Just(" OR ".to_string()),
            Just("NOT ".to_string()),
            Just("网络主权".to_string()),
            Just("ｅ\u{301}".to_string()),
            Just("\u{1b}[2J".to_string()),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parser_never_panics(q in messy()) {
        let _ = tifa::query::parse(&q);
    }

    #[test]
    fn matching_never_panics_and_offsets_are_char_boundaries(term in messy(), text in messy()) {
        if let Ok(l) = Literal::new(&term) {
            for (s, e) in l.find(&text) {
                prop_assert!(s <= e && e <= text.len());
                prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            }
        }
    }

    #[test]
    fn chunked_nfkc_equals_whole_nfkc(text in messy()) {
        let whole: String = text.nfkc().collect();
        prop_assert_eq!(Normalized::new(&text).text, whole);
    }

    #[test]
    fn tokenizer_positions_increase(text in messy()) {
        let normalized: String = text.nfkc().collect();
        let mut tokens = Vec::new();
        let n = GramTokenizer::tokenize_into(&normalized, &mut tokens);
        for w in tokens[..n].windows(2) {
            prop_assert!(w[0].position < w[1].position);
        }
    }
}

#[test]
fn huge_queries_are_refused_quickly() {
    let q = "网".repeat(20_000);
    let started = std::time::Instant::now();
    assert!(tifa::query::parse(&q).is_err());
    let deep = "(".repeat(5_000) + "a" + &")".repeat(5_000);
    assert!(tifa::query::parse(&deep).is_err());
    assert!(started.elapsed().as_secs() < 5);
}
