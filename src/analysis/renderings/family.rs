//! Family suggestions: the renderings specific enough to join a term's
//! family of spellings (`--suggest-family`).

use super::*;

/// A rendering proposed for a family with the term (`--suggest-family`).
#[derive(Clone, Debug, Serialize)]
pub struct FamilySuggestion {
    /// The rendering, in its commonest spelling.
    pub text: String,
    /// Of the paired documents that contain the rendering, the share whose
    /// translation contains the term.
    pub specificity: f64,
    /// The rendering's first dated use in the corpus, under the filter.
    pub first: Option<String>,
}

/// The least [`FamilySuggestion::specificity`] of a rendering proposed.
pub const MIN_SPECIFICITY: f64 = 0.5;

/// Renderings worth putting in a family with the term: specific ones (at
/// least half of the paired documents that contain them are translations of
/// a document with the term) that do not start years before the term (a
/// generic phrase — "vision", "positive energy" in a 1997 UN speech — would
/// date the family by unrelated uses). At most `max`, in the ranking's order.
pub fn family_suggestions(
    engine: &Engine,
    r: &Renderings,
    filter: &Filter,
    max: usize,
) -> Result<Vec<FamilySuggestion>> {
    let allowed = engine.allowed(filter)?;
    let term = Literal::new(&r.term).map_err(crate::error::UserError::BadQuery)?;
    let term_matches = engine.evaluate(&term, &allowed)?;
    let with_term: HashSet<tantivy::DocAddress> = term_matches.iter().map(|m| m.address).collect();
    let first_year = |matches: &[crate::engine::Match]| {
        matches
            .iter()
            .map(|m| engine.date_key(m.address))
            .filter(|&k| k != 0)
            .min()
    };
    let term_first = first_year(&term_matches);
    let pairs = engine.field_values("pair")?;
    let mut out = Vec::new();
    for x in &r.renderings {
        let Ok(lit) = Literal::new(&x.text) else {
            continue;
        };
        let matches = engine.evaluate(&lit, &allowed)?;
        let mut paired = 0usize;
        let mut translating = 0usize;
        for m in &matches {
            let Some(pair) = pairs.get(m.address) else {
                continue;
            };
            paired += 1;
            if let Some(a) = engine.address_of(pair)?
                && with_term.contains(&a)
            {
                translating += 1;
            }
        }
        let specificity = if paired == 0 {
            0.0
        } else {
            translating as f64 / paired as f64
        };
        let first = first_year(&matches);
        let too_early = match (first, term_first) {
            (Some(f), Some(t)) => {
                (t / 10_000) as i32 - (f / 10_000) as i32
                    >= crate::history::series::GENERIC_MEMBER_YEARS
            }
            _ => false,
        };
        if specificity >= MIN_SPECIFICITY && !too_early {
            out.push(FamilySuggestion {
                text: x.text.clone(),
                specificity,
                first: first.map(|k| crate::date::DocDate::from_key(k).to_string()),
            });
        }
        if out.len() >= max {
            break;
        }
    }
    Ok(out)
}
