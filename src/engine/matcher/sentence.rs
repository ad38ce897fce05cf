//! The sentence or window around a match, for evidence and concordances.

/// The span of `text` around byte range `start..end` up to sentence ends
/// (。！？!?.) or line breaks, capped at `max_chars` on each side.
pub fn sentence_around(text: &str, start: usize, end: usize, max_chars: usize) -> (usize, usize) {
    let is_end = |i: usize, c: char| {
        matches!(c, '。' | '！' | '？' | '!' | '?' | '\n' | '\r')
            || (c == '.' && !abbreviation_before(text, i))
    };
    let mut s = start;
    for (taken, (i, c)) in text[..start].char_indices().rev().enumerate() {
        if is_end(i, c) || taken >= max_chars {
            break;
        }
        s = i;
    }
    let mut e = end;
    for (taken, (i, c)) in text[end..].char_indices().enumerate() {
        if taken >= max_chars || c == '\n' || c == '\r' {
            break;
        }
        e = end + i + c.len_utf8();
        if is_end(end + i, c) {
            break;
        }
    }
    (s, e)
}

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: [&str; 18] = [
    "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "No", "Nos", "Jr", "Sr", "vs", "etc", "e.g", "i.e",
    "U.S", "U.N", "U.K", "E.U",
];

/// True when the full stop at byte `dot` closes an abbreviation (Mr., U.S.)
/// or an initial (the U of U.S.), not a sentence.
fn abbreviation_before(text: &str, dot: usize) -> bool {
    let word_start = text[..dot]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || matches!(c, '(' | '"' | '“' | '\''))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &text[word_start..dot];
    let initial = word.chars().count() == 1 && word.chars().all(|c| c.is_ascii_uppercase());
    initial || ABBREVIATIONS.contains(&word)
}

/// A window of at most `width` characters either side, within the line.
pub fn window_around(text: &str, start: usize, end: usize, width: usize) -> (usize, usize) {
    let mut s = start;
    for (taken, (i, c)) in text[..start].char_indices().rev().enumerate() {
        if taken >= width || c == '\n' {
            break;
        }
        s = i;
    }
    let mut e = end;
    for (taken, (i, c)) in text[end..].char_indices().enumerate() {
        if taken >= width || c == '\n' {
            break;
        }
        e = end + i + c.len_utf8();
    }
    (s, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_span() {
        let t = "第一句。构建网络空间命运共同体！第三句";
        let s = t.find("网络").unwrap_or(0);
        let (a, b) = sentence_around(t, s, s + 6, 200);
        assert_eq!(&t[a..b], "构建网络空间命运共同体！");
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let t = "He left. Mr. Li met the U.S. and U.N. envoys on cyber sovereignty today. Next.";
        let s = t.find("cyber").unwrap_or(0);
        let (a, b) = sentence_around(t, s, s + 5, 200);
        assert_eq!(
            t[a..b].trim(),
            "Mr. Li met the U.S. and U.N. envoys on cyber sovereignty today."
        );
        let t = "See No. 5 of the law. Dr. Wang said so.";
        let s = t.find("Wang").unwrap_or(0);
        let (a, b) = sentence_around(t, s, s + 4, 200);
        assert_eq!(t[a..b].trim(), "Dr. Wang said so.");
    }
}
