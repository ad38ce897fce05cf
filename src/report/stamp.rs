//! The reproducibility stamp: which tifa, which index generation and which
//! corpus (its content hash) gave a figure, and the command or address that
//! gives it again. Dossiers, `--json` outputs, web pages and Python tables
//! carry it.

use serde::Serialize;

use crate::engine::Engine;

/// What reproduces an output: the tool, the index it read and the corpus behind it.
#[derive(Clone, Debug, Serialize)]
pub struct Stamp {
    /// `tifa` and its version.
    pub tool: String,
    /// The index generation (a new one with every build or update).
    pub generation: String,
    /// [`crate::index::Manifest::corpus_hash`].
    pub corpus_hash: String,
    /// When the index was built (UTC date): the "accessed" date of citations.
    pub built: String,
    /// Documents in the index.
    pub documents: u64,
    /// The command that gives the same page.
    pub command: String,
}

impl Stamp {
    /// The stamp of `command` run on this index.
    pub fn of(engine: &Engine, command: String) -> Stamp {
        let m = &engine.manifest;
        Stamp {
            tool: format!("tifa {}", env!("CARGO_PKG_VERSION")),
            generation: engine.generation_name(),
            corpus_hash: m.corpus_hash.clone(),
            built: unix_date(m.built_at_unix),
            documents: m.documents,
            command,
        }
    }

    /// The stamp as an HTTP header value (`X-Tifa-Stamp` of a CSV download):
    /// the full corpus hash, ASCII separators, and any byte outside visible
    /// ASCII (an address the client sent unencoded) percent-encoded.
    pub fn header(&self) -> String {
        format!(
            "{}; index {} built {}; corpus {} ({} documents); reproduce: {}",
            self.tool, self.generation, self.built, self.corpus_hash, self.documents, self.command
        )
        .bytes()
        .map(|b| {
            if (0x20..0x7f).contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
    }

    /// One line for a footer.
    pub fn line(&self) -> String {
        format!(
            "{} · index {} built {} · corpus {} ({} documents) · reproduce: {}",
            self.tool,
            self.generation,
            self.built,
            crate::index::short_hash(&self.corpus_hash),
            self.documents,
            self.command
        )
    }
}

/// YYYY-MM-DD of a Unix time (UTC), by the civil-from-days algorithm.
pub fn unix_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// An output with its stamp beside its own keys (`{…, "stamp": {…}}`).
#[derive(Serialize)]
pub struct Stamped<'a, T: Serialize + ?Sized> {
    #[serde(flatten)]
    /// The answer.
    pub inner: &'a T,
    /// Its stamp.
    pub stamp: &'a Stamp,
}

#[cfg(test)]
mod tests {
    use super::Stamp;

    #[test]
    fn header_is_ascii_with_the_address_percent_encoded() {
        let stamp = Stamp {
            tool: "tifa 0.1.0".into(),
            generation: "gen-1".into(),
            corpus_hash: "ab12".into(),
            built: "2026-12-07".into(),
            documents: 3,
            command: "/export/search.csv?q=网".into(),
        };
        assert_eq!(
            stamp.header(),
            "tifa 0.1.0; index gen-1 built 2026-12-07; corpus ab12 (3 documents); reproduce: /export/search.csv?q=%E7%BD%91"
        );
    }
}
