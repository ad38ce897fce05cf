//! The order of the renderings: whole phrases first, complete renderings
//! before partial ones, the parts of a term rendered on their own, and
//! longer phrases that carry a shorter one's segments.

use super::padding::Padding;
use super::*;

/// A candidate rendering being ranked: (G², candidate id, term segments holding it).
type Scored = (f64, u32, usize);

/// The renderings of the term in `subset` of the segments, best first, and
/// the rendering found for each part of the term (see [`completeness`]).
pub(super) fn rank(
    segs: &[Seg],
    subset: &[usize],
    keys: &[String],
    parts: &[Vec<bool>],
    padding: &Padding,
    limit: usize,
) -> (Vec<Rendering>, Vec<Option<String>>) {
    let n1 = subset.iter().filter(|&&i| segs[i].has_term).count() as f64;
    let n2 = subset.len() as f64 - n1;
    if n1 == 0.0 {
        return (Vec::new(), Vec::new());
    }
    let (with, without) = segment_counts(segs, subset);
    let key = |c: u32| keys[c as usize].as_str();
    let taken = part_renderings(segs, subset, keys, parts);
    let protected: HashSet<&str> = taken
        .iter()
        .flatten()
        .flat_map(|&c| key(c).split(' '))
        .collect();
    let id_of: HashMap<&str, u32> = with.keys().map(|&c| (key(c), c)).collect();
    let may_show = may_show(&with, &without, (n1, n2), &key, limit);
    let padded = |longer: u32, shorter: u32| {
        may_show.contains(&shorter) && padding.padded(key(longer), key(shorter), &protected)
    };
    let mut scored = whole_phrases(&with, &without, (n1, n2), &key, &id_of, &padded);
    let (head, unmerged_head) = groups(&scored, &key, &id_of, &padded, &may_show);
    order(&mut scored, &head, &unmerged_head, &key);
    let complete = completeness(keys, &taken, &scored);
    complete_first(&mut scored, &complete, n1, &key, padding, &protected);
    let part_renderings = taken
        .into_iter()
        .map(|t| t.map(|c| key(c).to_string()))
        .collect();
    let lines = scored
        .into_iter()
        .take(limit)
        .map(|scored| line(segs, subset, key(scored.1), scored, n1, &complete))
        .collect();
    (lines, part_renderings)
}

/// Per candidate: the segments with the term and those without it that hold it.
fn segment_counts(segs: &[Seg], subset: &[usize]) -> (HashMap<u32, usize>, HashMap<u32, usize>) {
    let mut with: HashMap<u32, usize> = HashMap::new();
    let mut without: HashMap<u32, usize> = HashMap::new();
    for &i in subset {
        let s = &segs[i];
        let map = if s.has_term { &mut with } else { &mut without };
        for &c in &s.present {
            *map.entry(c).or_default() += 1;
        }
    }
    (with, without)
}

/// The candidates that may be shown: padding is checked only where such a
/// line is concerned — those with the highest G² (the check reads every
/// segment; lines far down the list keep the plain rules).
fn may_show<'k>(
    with: &HashMap<u32, usize>,
    without: &HashMap<u32, usize>,
    (n1, n2): (f64, f64),
    key: &impl Fn(u32) -> &'k str,
    limit: usize,
) -> HashSet<u32> {
    let shown_at_most = (3 * limit).max(30);
    let mut by_score: Vec<(f64, u32)> = with
        .iter()
        .filter(|&(_, &a)| a >= 2)
        .map(|(&g, &a)| {
            let b = without.get(&g).copied().unwrap_or(0) as f64;
            (
                crate::emerging::log_likelihood(a as f64, b, n1, n2.max(1.0)),
                g,
            )
        })
        .collect();
    by_score.sort_by(|x, y| y.0.total_cmp(&x.0).then(key(x.1).cmp(key(y.1))));
    by_score
        .iter()
        .take(shown_at_most)
        .map(|&(_, g)| g)
        .collect()
}

/// Whole phrases: the candidates in at least two term segments that rise
/// with the term, scored, less those a longer candidate holds in ≥ 90 % of
/// their term segments (unless it pads them). Each candidate's longer
/// holders are found by listing the parts of every candidate (at most 8
/// words or 12 characters: a few dozen each), not by comparing all pairs.
fn whole_phrases<'k>(
    with: &HashMap<u32, usize>,
    without: &HashMap<u32, usize>,
    (n1, n2): (f64, f64),
    key: &impl Fn(u32) -> &'k str,
    id_of: &HashMap<&str, u32>,
    padded: &impl Fn(u32, u32) -> bool,
) -> Vec<Scored> {
    let mut best_holder: HashMap<u32, usize> = HashMap::new();
    for (&h, &m) in with {
        if m < 2 {
            continue;
        }
        for part in sub_units(key(h)) {
            if let Some(&g) = id_of.get(part) {
                // Only a holder that would drop the part is checked for
                // padding (the check reads every segment).
                let e = best_holder.entry(g).or_default();
                if m > *e && m as f64 >= 0.9 * with[&g] as f64 && !padded(h, g) {
                    *e = m;
                }
            }
        }
    }
    with.iter()
        .filter(|&(g, &n)| {
            n >= 2
                && best_holder
                    .get(g)
                    .is_none_or(|&m| (m as f64) < 0.9 * n as f64)
        })
        .filter_map(|(&g, &a)| {
            let b = without.get(&g).copied().unwrap_or(0) as f64;
            let a = a as f64;
            (a / n1 > b / n2.max(1.0)).then(|| {
                (
                    crate::emerging::log_likelihood(a, b, n1, n2.max(1.0)),
                    g,
                    a as usize,
                )
            })
        })
        .collect()
}

/// Each candidate's group head, after and before padded groups are put
/// under the line they pad.
///
/// Whole phrases first: a longer rendering that carries most (≥ 2/3) of a
/// shorter one's term segments ("zero-sum game" of "zero-sum") takes the
/// shorter one's place in the order, the shorter one listed right after it
/// as an alternative; of several such, the one with the most segments. A
/// padded phrase never stands above the shorter line it pads: a group
/// headed by one that would rank higher goes under that line (the one with
/// the most segments), listed after its own members ("second question"
/// under "second" for 第二个). A padded group ranked lower stays where it is.
fn groups<'k>(
    scored: &[Scored],
    key: &impl Fn(u32) -> &'k str,
    id_of: &HashMap<&str, u32>,
    padded: &impl Fn(u32, u32) -> bool,
    may_show: &HashSet<u32>,
) -> (HashMap<u32, u32>, HashMap<u32, u32>) {
    let scored_pairs: HashMap<u32, usize> = scored.iter().map(|&(_, g, n)| (g, n)).collect();
    let mut carrier: HashMap<u32, (usize, u32)> = HashMap::new();
    for &(_, h, m) in scored {
        for part in sub_units(key(h)) {
            let Some(&g) = id_of.get(part) else { continue };
            let Some(&n) = scored_pairs.get(&g) else {
                continue;
            };
            let better = match carrier.get(&g) {
                None => true,
                Some(&(bm, bh)) => m > bm || (m == bm && key(h) < key(bh)),
            };
            if better && m as f64 >= WHOLE_SHARE * n as f64 && !padded(h, g) {
                carrier.insert(g, (m, h));
            }
        }
    }
    let carrier: HashMap<u32, u32> = carrier.into_iter().map(|(g, (_, h))| (g, h)).collect();
    // Each candidate's group: the end of its chain of carriers (chains are
    // short and acyclic, each step being longer).
    let head: HashMap<u32, u32> = scored
        .iter()
        .map(|&(_, g, _)| {
            let mut h = g;
            while let Some(&next) = carrier.get(&h) {
                h = next;
            }
            (g, h)
        })
        .collect();
    let mut unmerged_score: HashMap<u32, f64> = HashMap::new();
    for &(sc, g, _) in scored {
        let e = unmerged_score.entry(head[&g]).or_insert(0.0);
        *e = e.max(sc);
    }
    let mut merge: HashMap<u32, u32> = HashMap::new();
    // Only a line that may be shown can have a padded line put under it.
    let showable: Vec<Scored> = scored
        .iter()
        .copied()
        .filter(|(_, g, _)| may_show.contains(g))
        .collect();
    for &(_, h, m) in scored {
        if head[&h] != h {
            continue;
        }
        let under = showable
            .iter()
            .filter(|&&(_, g, n)| {
                g != h
                    && n >= m
                    && head[&g] != h
                    && unmerged_score[&h] > unmerged_score[&head[&g]]
                    && contains_unit(key(h), key(g))
                    && padded(h, g)
            })
            .max_by(|a, b| a.2.cmp(&b.2).then(key(b.1).cmp(key(a.1))));
        if let Some(&(_, g, _)) = under {
            merge.insert(h, g);
        }
    }
    let merged: HashMap<u32, u32> = head
        .iter()
        .map(|(&g, &h0)| {
            let mut h = h0;
            let mut seen = HashSet::from([h]);
            while let Some(&under) = merge.get(&h) {
                let next = head[&under];
                if !seen.insert(next) {
                    break;
                }
                h = next;
            }
            (g, h)
        })
        .collect();
    (merged, head)
}

/// Groups by their best G²; within a group the head, then its own members
/// longer before shorter, then the padded lines put under it.
fn order<'k>(
    scored: &mut [Scored],
    head: &HashMap<u32, u32>,
    unmerged_head: &HashMap<u32, u32>,
    key: &impl Fn(u32) -> &'k str,
) {
    let own: HashMap<u32, f64> = scored.iter().map(|&(sc, g, _)| (g, sc)).collect();
    let mut group_score: HashMap<u32, f64> = HashMap::new();
    for &(sc, g, _) in scored.iter() {
        let e = group_score.entry(head[&g]).or_insert(0.0);
        *e = e.max(sc);
    }
    scored.sort_by(|x, y| {
        let (hx, hy) = (head[&x.1], head[&y.1]);
        group_score[&hy]
            .total_cmp(&group_score[&hx])
            .then(key(hx).cmp(key(hy)))
            .then((y.1 == hy).cmp(&(x.1 == hx)))
            .then((unmerged_head[&x.1] != hx).cmp(&(unmerged_head[&y.1] != hy)))
            .then(key(y.1).len().cmp(&key(x.1).len()))
            .then(own[&y.1].total_cmp(&own[&x.1]))
            .then(key(x.1).cmp(key(y.1)))
    });
}

/// The complete rendering first, then the whole phrase over a fragment.
///
/// A longer phrase holding the first line that renders more parts of the
/// term (南海 + 问题 → "south china sea issue" over "south china sea"), with
/// at least MIN_COMPLETE_SHARE of the term's segments, moves to the top.
/// Then a longer line holding the first one whose added words render the
/// term's own characters (and pad nothing) comes first when it holds at
/// least MIN_COMPLETE_SHARE of the term's segments: 公安部 → "ministry of
/// public security" over "public security", 上周末 → "last weekend" over
/// "weekend". Of several, the one with the most segments.
fn complete_first<'k>(
    scored: &mut Vec<Scored>,
    complete: &HashMap<u32, usize>,
    n1: f64,
    key: &impl Fn(u32) -> &'k str,
    padding: &Padding,
    protected: &HashSet<&str>,
) {
    if let Some(&(_, first, _)) = scored.first() {
        let covered_first = complete.get(&first).copied().unwrap_or(0);
        let best =
            scored
                .iter()
                .enumerate()
                .filter(|(_, c)| c.2 as f64 >= MIN_COMPLETE_SHARE * n1)
                .filter(|(_, c)| contains_unit(key(c.1), key(first)))
                .filter(|(_, c)| complete.get(&c.1).copied().unwrap_or(0) > covered_first)
                .max_by(|(_, a), (_, b)| {
                    // Rendering more of the term first; then one that is not
                    // padded (if every complete phrase pads, the commonest of
                    // them still renders the whole term: 不干涉内政 →
                    // "non-interference in each other's internal affairs").
                    complete[&a.1]
                        .cmp(&complete[&b.1])
                        .then(
                            (!padding.padded(key(a.1), key(first), protected))
                                .cmp(&!padding.padded(key(b.1), key(first), protected)),
                        )
                        .then(a.2.cmp(&b.2))
                        .then(a.0.total_cmp(&b.0))
                })
                .map(|(i, _)| i);
        if let Some(i) = best {
            let line = scored.remove(i);
            scored.insert(0, line);
        }
    }
    if let Some(&(_, first, _)) = scored.first() {
        let whole = scored
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, c)| c.2 as f64 >= MIN_COMPLETE_SHARE * n1)
            .filter(|(_, c)| contains_unit(key(c.1), key(first)))
            .filter(|(_, c)| padding.extends(key(c.1), key(first), protected))
            .max_by(|(_, a), (_, b)| a.2.cmp(&b.2).then(key(b.1).cmp(key(a.1))))
            .map(|(i, _)| i);
        if let Some(i) = whole {
            let line = scored.remove(i);
            scored.insert(0, line);
        }
    }
}

/// One listed rendering: its spellings (commonest first), dates, share and
/// the shortest segment holding it as the example.
fn line(
    segs: &[Seg],
    subset: &[usize],
    key: &str,
    (score, g, pairs): Scored,
    n1: f64,
    complete: &HashMap<u32, usize>,
) -> Rendering {
    let holding: Vec<&Seg> = subset
        .iter()
        .map(|&i| &segs[i])
        .filter(|s| s.has_term && s.holds(g))
        .collect();
    let mut spellings: HashMap<&str, usize> = HashMap::new();
    for s in &holding {
        let surface = s
            .grams
            .as_ref()
            .and_then(|m| m.get(key))
            .map_or(key, String::as_str);
        *spellings.entry(surface).or_default() += 1;
    }
    let mut spellings: Vec<(&str, usize)> = spellings.into_iter().collect();
    spellings.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut dates: Vec<&str> = holding.iter().map(|s| s.pair.date.as_str()).collect();
    dates.sort();
    let example = holding
        .iter()
        .min_by(|a, b| a.source.len().cmp(&b.source.len()))
        .map(|s| s.example());
    Rendering {
        text: spellings.first().map_or(key, |s| s.0).to_string(),
        id: g,
        by_year: BTreeMap::new(),
        spellings: spellings.iter().map(|s| s.0.to_string()).collect(),
        share: pairs as f64 / n1,
        pairs,
        score: (score * 100.0).round() / 100.0,
        renders_parts: complete.get(&g).copied(),
        first: dates.first().map_or(String::new(), |d| d.to_string()),
        last: dates.last().map_or(String::new(), |d| d.to_string()),
        example: example.unwrap_or(Example {
            id: String::new(),
            pair: String::new(),
            segment: 0,
            date: String::new(),
            source: String::new(),
            target: String::new(),
        }),
    }
}

/// How many parts of the term each scored candidate renders. A part's
/// rendering is the candidate (of this term's) most associated with the part
/// over all segments (Dice coefficient, positive association only) that is
/// also found with the
/// part where the whole term is not (see below), the parts' renderings kept
/// apart: taken strongest association first, a candidate that holds or is
/// held by a rendering already taken is not another part's (冷战 → "cold
/// war", so 思维 → "mentality", not "cold war" again). A candidate renders
/// a part when it contains the part's rendering: 南海 → "south china sea",
/// 问题 → "issue", both in "south china sea issue". Empty when the term has
/// fewer than two parts.
pub(super) fn completeness(
    keys: &[String],
    taken: &[Option<u32>],
    scored: &[(f64, u32, usize)],
) -> HashMap<u32, usize> {
    let key = |c: u32| keys[c as usize].as_str();
    let mut out: HashMap<u32, usize> = HashMap::new();
    for &rendering in taken.iter().flatten() {
        for &(_, c, _) in scored {
            if c == rendering || contains_unit(key(c), key(rendering)) {
                *out.entry(c).or_default() += 1;
            }
        }
    }
    out
}

/// Each part's own rendering (see [`completeness`]), or none.
pub(super) fn part_renderings(
    segs: &[Seg],
    subset: &[usize],
    keys: &[String],
    parts: &[Vec<bool>],
) -> Vec<Option<u32>> {
    if parts.is_empty() {
        return Vec::new();
    }
    // A part's rendering may be any candidate of the term (also one dropped
    // from the list for a longer one: "community").
    let mut in_term: HashMap<u32, usize> = HashMap::new();
    for &i in subset.iter().filter(|&&i| segs[i].has_term) {
        for &c in &segs[i].present {
            *in_term.entry(c).or_default() += 1;
        }
    }
    let wanted: HashSet<u32> = in_term
        .into_iter()
        .filter(|&(_, n)| n >= 2)
        .map(|(c, _)| c)
        .collect();
    let key = |c: u32| keys[c as usize].as_str();
    // (G², part, candidate) for every positive association.
    let mut associations: Vec<(f64, usize, u32)> = Vec::new();
    // Counts of candidates in segments with / without the part: over all
    // segments, and over those without the whole term.
    let table = |part: &[bool], of: &mut dyn Iterator<Item = usize>| {
        let (mut with, mut without) = (HashMap::new(), HashMap::new());
        let (mut n1, mut n2) = (0.0, 0.0);
        for i in of {
            let (map, n) = if part[i] {
                (&mut with, &mut n1)
            } else {
                (&mut without, &mut n2)
            };
            *n += 1.0;
            for c in segs[i].present.iter().filter(|c| wanted.contains(c)) {
                *map.entry(*c).or_insert(0usize) += 1;
            }
        }
        (with, without, n1, n2)
    };
    for (p, part) in parts.iter().enumerate() {
        let (with, without, n1, n2) = table(part, &mut subset.iter().copied());
        // The part on its own: a rendering of it must be found with it
        // (at least twice, positively associated) where the whole term is
        // not, or it would be a word of the term's context ("basis" for
        // 和平共处, always said "on the basis of" the Five Principles).
        let (own_with, own_without, m1, m2) = table(
            part,
            &mut subset.iter().copied().filter(|&i| !segs[i].has_term),
        );
        if n1 == 0.0 || n2 == 0.0 || m1 == 0.0 || m2 == 0.0 {
            continue;
        }
        for (&c, &a) in &with {
            let (a, b) = (a as f64, without.get(&c).copied().unwrap_or(0) as f64);
            let own = own_with.get(&c).copied().unwrap_or(0) as f64;
            let own_b = own_without.get(&c).copied().unwrap_or(0) as f64;
            if a / n1 > b / n2 && own >= 2.0 && own / m1 > own_b / m2 {
                // Dice, not G²: a translation is the candidate found where
                // the part is and rarely elsewhere ("interfere" for 干涉,
                // not the frequent "affairs" of 干涉内政).
                associations.push((2.0 * a / (n1 + a + b), p, c));
            }
        }
    }
    associations.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then(x.1.cmp(&y.1))
            .then(key(x.2).cmp(key(y.2)))
    });
    let mut taken: Vec<Option<u32>> = vec![None; parts.len()];
    for (_, p, c) in associations {
        if taken[p].is_some() {
            continue;
        }
        let overlaps = taken
            .iter()
            .flatten()
            .any(|&t| t == c || contains_unit(key(t), key(c)) || contains_unit(key(c), key(t)));
        if !overlaps {
            taken[p] = Some(c);
        }
    }
    taken
}

/// A word found in `a` of `n1` segments with a string and `b` of `n2`
/// without it goes with the string: at least twice as often with it
/// (add-one-half smoothed) and not by chance (G² ≥ 3.84, p < 0.05).
pub(super) fn goes_with(a: f64, n1: f64, b: f64, n2: f64) -> bool {
    n1 > 0.0
        && (a + 0.5) / (n1 + 1.0) >= 2.0 * (b + 0.5) / (n2 + 1.0)
        && crate::emerging::log_likelihood(a, b, n1, n2.max(1.0)) >= 3.84
}

/// Share of a shorter rendering's term segments a longer one must carry to
/// be listed before it.
pub const WHOLE_SHARE: f64 = 2.0 / 3.0;

/// The proper whole-unit parts of `h`: its shorter runs of words (English,
/// space-separated keys) or of two or more characters (Chinese).
pub(super) fn sub_units(h: &str) -> Vec<&str> {
    let mut out = Vec::new();
    if h.chars().any(crate::text::is_cjk) {
        let bounds: Vec<usize> = h
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(h.len()))
            .collect();
        let n = bounds.len() - 1;
        for i in 0..n {
            for j in i + 2..=n {
                if j - i < n {
                    out.push(&h[bounds[i]..bounds[j]]);
                }
            }
        }
    } else {
        // Word starts and ends, as byte offsets.
        let mut starts = vec![0];
        let mut ends = Vec::new();
        for (i, c) in h.char_indices() {
            if c == ' ' {
                ends.push(i);
                starts.push(i + 1);
            }
        }
        ends.push(h.len());
        for (a, &s) in starts.iter().enumerate() {
            for &e in &ends[a..] {
                if e - s < h.len() {
                    out.push(&h[s..e]);
                }
            }
        }
    }
    out
}

/// `g` is a whole-unit part of `h` (words for English, characters for Chinese).
pub(super) fn contains_unit(h: &str, g: &str) -> bool {
    if g.chars().any(crate::text::is_cjk) {
        return h.contains(g);
    }
    format!(" {h} ").contains(&format!(" {g} "))
}
