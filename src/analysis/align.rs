//! Paragraph alignment of a Chinese document and its English pair, Gale–Church
//! style: a dynamic programme over 1–1, 1–2, 2–1, 1–0 and 0–1 links whose cost
//! is the improbability of the link type plus that of the length difference
//! (English characters against Chinese characters times the pair's own
//! ratio), lowered by anchors both sides share (numbers, Latin words). No
//! model weights: everything comes from the two texts.

use serde::{Deserialize, Serialize};

/// One link: the paragraphs (indexes) of each side; an empty side is a 1–0 or 0–1 link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Indices of the Chinese paragraphs of this link.
    pub zh: Vec<usize>,
    /// Indices of the English paragraphs of this link.
    pub en: Vec<usize>,
}

/// An aligned pair of documents, paragraphs joined per link.
#[derive(Clone, Debug, Serialize)]
pub struct Aligned {
    /// The Chinese document's id.
    pub id: String,
    /// The English document's id.
    pub pair: String,
    /// The aligned segments, in document order.
    pub segments: Vec<Segment>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// One aligned segment: the text of each side.
pub struct Segment {
    /// The Chinese side (its paragraphs joined).
    pub zh: String,
    /// The English side (its paragraphs joined).
    pub en: String,
}

/// `tifa pair ID`: the document and its pair (either may be given), aligned.
pub fn pair(engine: &crate::engine::Engine, id: &str) -> anyhow::Result<Aligned> {
    use crate::error::UserError;
    let doc = match engine.address_of(id)? {
        Some(a) => engine.stored(a)?,
        None => return Err(UserError::BadQuery(format!("no document with the id {id:?}")).into()),
    };
    let Some(other_id) = doc.meta.get("pair").cloned() else {
        return Err(UserError::BadQuery(format!(
            "{id} has no pair (a `pair` field naming its translation): in the shared corpus the Foreign Ministry's press conferences have them, e.g. `tifa search 记者会 --where lang=zh --collection mfa_press_conferences.jsonl`"
        ))
        .into());
    };
    let other = match engine.address_of(&other_id)? {
        Some(a) => engine.stored(a)?,
        None => {
            return Err(
                UserError::BadQuery(format!("{id}'s pair {other_id} is not in the index")).into(),
            );
        }
    };
    let (zh, en) = if doc.lang == "en" {
        (&other, &doc)
    } else {
        (&doc, &other)
    };
    // Stored at index time; aligned now only for an index without them.
    if let Some(stored) = engine.stored_alignment(&zh.id)?
        && stored.pair == en.id
    {
        return Ok(Aligned {
            id: stored.id,
            pair: stored.pair,
            segments: stored.segments,
        });
    }
    let texts = |d: &crate::engine::StoredDoc| format!("{}\n{}", d.title, d.text);
    Ok(Aligned {
        id: zh.id.clone(),
        pair: en.id.clone(),
        segments: segments(&texts(zh), &texts(en)),
    })
}

/// The alignment stored at index time for a document already read and its
/// pair, without reading either again (None when the index holds none):
/// what a search page needs for each paired hit.
pub fn stored_for(
    engine: &crate::engine::Engine,
    doc: &crate::engine::StoredDoc,
) -> anyhow::Result<Option<Aligned>> {
    let Some(other) = doc.meta.get("pair") else {
        return Ok(None);
    };
    let (zh, en) = if doc.lang == "en" {
        (other.as_str(), doc.id.as_str())
    } else {
        (doc.id.as_str(), other.as_str())
    };
    Ok(engine
        .stored_alignment(zh)?
        .filter(|stored| stored.pair == en)
        .map(|stored| Aligned {
            id: stored.id,
            pair: stored.pair,
            segments: stored.segments,
        }))
}

/// The non-empty lines of a text: its paragraphs.
pub fn paragraphs(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Prior probabilities of the link types (Gale & Church 1993, Table 5).
const P_11: f64 = 0.89;
const P_12: f64 = 0.0445;
const P_10: f64 = 0.0049;
/// Variance of the length ratio per character (Gale & Church's s² = 6.8).
const VARIANCE: f64 = 6.8;

fn units(s: &str) -> f64 {
    s.chars().filter(|c| !c.is_whitespace()).count() as f64
}

/// Numbers and Latin words of 2+ letters (lower-cased): what a translation keeps.
fn anchors(s: &str) -> Vec<String> {
    let mut out: Vec<String> = s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            w.chars().any(|c| c.is_ascii_digit())
                || (w.len() >= 2 && w.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        })
        .map(str::to_lowercase)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// −log of the two-sided tail probability of the standardised length difference.
fn length_cost(zh: f64, en: f64, ratio: f64) -> f64 {
    if zh == 0.0 && en == 0.0 {
        return 0.0;
    }
    let mean = (zh + en / ratio) / 2.0;
    let delta = (en - zh * ratio) / (mean.max(1.0) * VARIANCE).sqrt();
    let p = 2.0 * (1.0 - normal_cdf(delta.abs()));
    -(p.max(1e-12)).ln()
}

fn normal_cdf(x: f64) -> f64 {
    // Abramowitz–Stegun 26.2.17.
    let t = 1.0 / (1.0 + 0.231_641_9 * x);
    let poly = t
        * (0.319_381_530
            + t * (-0.356_563_782
                + t * (1.781_477_937 + t * (-1.821_255_978 + t * 1.330_274_429))));
    1.0 - (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt() * poly
}

/// The links of the best alignment, in order.
pub fn align(zh: &[&str], en: &[&str]) -> Vec<Link> {
    let (n, m) = (zh.len(), en.len());
    let zl: Vec<f64> = zh.iter().map(|p| units(p)).collect();
    let el: Vec<f64> = en.iter().map(|p| units(p)).collect();
    let za: Vec<Vec<String>> = zh.iter().map(|p| anchors(p)).collect();
    let ea: Vec<Vec<String>> = en.iter().map(|p| anchors(p)).collect();
    // The pair's own ratio of English to Chinese characters.
    let ratio = {
        let (a, b): (f64, f64) = (zl.iter().sum(), el.iter().sum());
        if a > 0.0 && b > 0.0 { b / a } else { 1.0 }
    };
    let shared = |zs: &[usize], es: &[usize]| -> f64 {
        let mut z: Vec<&String> = zs.iter().flat_map(|&i| &za[i]).collect();
        let mut e: Vec<&String> = es.iter().flat_map(|&j| &ea[j]).collect();
        z.sort();
        z.dedup();
        e.sort();
        e.dedup();
        z.iter().filter(|x| e.binary_search(x).is_ok()).count() as f64
    };
    let moves: [(usize, usize, f64); 5] = [
        (1, 1, P_11),
        (1, 2, P_12),
        (2, 1, P_12),
        (1, 0, P_10),
        (0, 1, P_10),
    ];
    let mut cost = vec![vec![f64::INFINITY; m + 1]; n + 1];
    let mut back = vec![vec![(0usize, 0usize); m + 1]; n + 1];
    cost[0][0] = 0.0;
    for i in 0..=n {
        for j in 0..=m {
            if i == 0 && j == 0 {
                continue;
            }
            for &(di, dj, prior) in &moves {
                if di > i || dj > j || !cost[i - di][j - dj].is_finite() {
                    continue;
                }
                let zs: Vec<usize> = (i - di..i).collect();
                let es: Vec<usize> = (j - dj..j).collect();
                let lz: f64 = zs.iter().map(|&k| zl[k]).sum();
                let le: f64 = es.iter().map(|&k| el[k]).sum();
                // A paragraph left without a counterpart has no length to compare.
                let lengths = if di == 0 || dj == 0 {
                    0.0
                } else {
                    length_cost(lz, le, ratio)
                };
                let mut c = -prior.ln() + lengths;
                // Each shared anchor is strong evidence that the two belong together.
                c -= 2.0 * shared(&zs, &es);
                let total = cost[i - di][j - dj] + c;
                if total < cost[i][j] {
                    cost[i][j] = total;
                    back[i][j] = (di, dj);
                }
            }
        }
    }
    let mut links = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let (di, dj) = back[i][j];
        if di == 0 && dj == 0 {
            break;
        }
        links.push(Link {
            zh: (i - di..i).collect(),
            en: (j - dj..j).collect(),
        });
        i -= di;
        j -= dj;
    }
    links.reverse();
    links
}

/// The aligned segments of two texts (paragraphs of a link joined by a line break).
pub fn segments(zh_text: &str, en_text: &str) -> Vec<Segment> {
    let (zh, en) = (paragraphs(zh_text), paragraphs(en_text));
    align(&zh, &en)
        .into_iter()
        .map(|l| Segment {
            zh: l.zh.iter().map(|&i| zh[i]).collect::<Vec<_>>().join("\n"),
            en: l.en.iter().map(|&j| en[j]).collect::<Vec<_>>().join("\n"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(zh: &[&str], en: &[&str]) -> Vec<(Vec<usize>, Vec<usize>)> {
        align(zh, en).into_iter().map(|l| (l.zh, l.en)).collect()
    }

    #[test]
    fn one_to_one_when_lengths_agree() {
        let zh = [
            "今天天气很好。",
            "我们在2018年5月11日举行记者会，讨论了很多问题和很多事情。",
            "谢谢。",
        ];
        let en = [
            "The weather is fine today.",
            "We held a press conference on 11 May 2018 and discussed many issues and many things.",
            "Thank you.",
        ];
        assert_eq!(
            links(&zh, &en),
            vec![(vec![0], vec![0]), (vec![1], vec![1]), (vec![2], vec![2])]
        );
    }

    #[test]
    fn one_to_two_and_one_to_zero() {
        let zh = [
            "问：日本首相安倍晋三5月9日访问东京时说了什么？中方有何评论？",
            "答：我们注意到有关报道。中方的立场是一贯的、明确的，我们希望日方同中方一道努力，推动两国关系持续改善和发展，造福两国人民。",
            "（本段无英文译文。）",
            "问：还有问题吗？",
        ];
        let en = [
            "Q: What did Japanese Prime Minister Shinzo Abe say during his visit to Tokyo on May 9? What is China's comment?",
            "A: We have noted the relevant reports. China's position is consistent and clear.",
            "We hope that Japan will work with China to promote the sustained improvement and development of bilateral relations for the benefit of the two peoples.",
            "Q: Any other questions?",
        ];
        assert_eq!(
            links(&zh, &en),
            vec![
                (vec![0], vec![0]),
                (vec![1], vec![1, 2]),
                (vec![2], vec![]),
                (vec![3], vec![3]),
            ]
        );
    }
}
