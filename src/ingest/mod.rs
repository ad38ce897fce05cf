//! **The ingest layer** (`src/ingest/`): from files on disk to documents —
//! corpus files and records with their validation and limits ([`corpus`]),
//! text out of HTML, PDF, scans and Word files ([`extract`]), and the
//! metadata sheets beside own documents ([`sheet`]). It may use `text`,
//! `date`, `error` and `output`; nothing that reads an index.

pub mod corpus;
pub mod extract;
pub mod sheet;
