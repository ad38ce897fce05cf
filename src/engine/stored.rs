//! Reading stored documents: whole, the head (id, lang, kind, title) alone,
//! or the id alone — the partial reads stop after the fields they need.

use super::*;

/// Stored fields of a document.
#[derive(Clone, Debug)]
pub struct StoredDoc {
    /// The document's id.
    pub id: String,
    /// Its language.
    pub lang: String,
    /// Its kind.
    pub kind: String,
    /// Its date as written, if it has one.
    pub date: Option<String>,
    /// Its title.
    pub title: String,
    /// Its text.
    pub text: String,
    /// Its other metadata fields.
    pub meta: BTreeMap<String, String>,
}

/// The leading stored fields of a document (see [`Engine::stored_head`]).
pub struct StoredHead {
    /// The document's id.
    pub id: String,
    /// Its language.
    pub lang: String,
    /// Its kind.
    pub kind: String,
    /// Its title.
    pub title: String,
}

impl From<StoredDoc> for StoredHead {
    fn from(doc: StoredDoc) -> StoredHead {
        StoredHead {
            id: doc.id,
            lang: doc.lang,
            kind: doc.kind,
            title: doc.title,
        }
    }
}

/// The first `N` stored values of a document (fewer if it has fewer), as
/// strings; the rest is not read.
struct LeadingStoredValues<const N: usize>(Vec<(tantivy::schema::Field, String)>);

impl<const N: usize> tantivy::schema::document::DocumentDeserialize for LeadingStoredValues<N> {
    fn deserialize<'de, D>(
        mut deserializer: D,
    ) -> Result<Self, tantivy::schema::document::DeserializeError>
    where
        D: tantivy::schema::document::DocumentDeserializer<'de>,
    {
        let mut values = Vec::with_capacity(N);
        while values.len() < N {
            match deserializer.next_field::<String>()? {
                Some(value) => values.push(value),
                None => break,
            }
        }
        Ok(LeadingStoredValues(values))
    }
}

impl Engine {
    /// The document with this id (the first, should several share it).
    pub fn address_of(&self, id: &str) -> Result<Option<DocAddress>> {
        let term = Term::from_field_text(self.fields.id, id);
        for (s, reader) in self.searcher.segment_readers().iter().enumerate() {
            let inverted = reader.inverted_index(self.fields.id)?;
            if let Some(p) = inverted.read_postings(&term, IndexRecordOption::Basic)?
                && p.doc() != TERMINATED
            {
                return Ok(Some(DocAddress::new(s as u32, p.doc())));
            }
        }
        Ok(None)
    }

    /// The id of a stored document, without reading its text when the id is
    /// the first stored value (as tifa writes it): ties in result order are
    /// broken by id, and those ids were most of the text read per query.
    pub fn stored_id(&self, address: DocAddress) -> Result<String> {
        if let Ok(LeadingStoredValues::<1>(values)) = self.searcher.doc(address)
            && let [(field, id)] = values.as_slice()
            && *field == self.fields.id
        {
            return Ok(id.clone());
        }
        Ok(self.stored(address)?.id)
    }

    /// Id, language, kind and title of a stored document, without reading its
    /// text when they are its first stored values (as tifa writes them): a
    /// trace lists many documents by title and quotes from one.
    pub fn stored_head(&self, address: DocAddress) -> Result<StoredHead> {
        let f = &self.fields;
        if let Ok(LeadingStoredValues::<4>(values)) = self.searcher.doc(address)
            && let [(a, id), (b, lang), (c, kind), (d, title)] = values.as_slice()
            && [*a, *b, *c, *d] == [f.id, f.lang, f.kind, f.title]
        {
            return Ok(StoredHead {
                id: id.clone(),
                lang: lang.clone(),
                kind: kind.clone(),
                title: title.clone(),
            });
        }
        Ok(self.stored(address)?.into())
    }

    /// The whole stored document.
    pub fn stored(&self, address: DocAddress) -> Result<StoredDoc> {
        let doc: TantivyDocument = self.searcher.doc(address).map_err(|e| {
            anyhow::anyhow!("cannot read a stored document ({e}): rebuild with `tifa index`")
        })?;
        let get = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let meta: BTreeMap<String, String> =
            serde_json::from_str(&get(self.fields.meta)).unwrap_or_default();
        let date = get(self.fields.date);
        Ok(StoredDoc {
            id: get(self.fields.id),
            lang: get(self.fields.lang),
            kind: get(self.fields.kind),
            date: (!date.is_empty()).then_some(date),
            title: get(self.fields.title),
            text: get(self.fields.text),
            meta,
        })
    }
}
