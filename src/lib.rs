#![warn(missing_docs)]
//! tifa: grep-exact search, first appearances and timelines of formulations
//! (提法) in a bilingual Chinese–English corpus of policy texts.
//!
//! Data flows one way, and the folders are its layers: [`ingest`] (files to
//! documents) → [`index`] (builds, generations) → [`engine`] (the exact
//! answer to a term) → [`analysis`] and [`history`] (what is computed from
//! the matches) → [`report`] (reports, dossiers, charts, stamps) →
//! [`server`], [`api`] and the CLI. [`text`], [`date`], [`error`] and
//! [`output`] are shared by every layer; [`export`] writes the corpus for
//! distributed engines. docs/architecture.md has the data flow step by step.
//!
//! Each command of the CLI (`src/cli/`, in the binary) parses its arguments,
//! makes one call into this library and renders the result; the library's
//! `Serialize` results are what `--json` prints. Mistakes of the user come back
//! as [`error::UserError`].

pub mod analysis;
pub mod api;
pub mod date;
pub mod engine;
pub mod error;
pub mod export;
pub mod history;
pub mod index;
pub mod ingest;
pub mod output;
pub mod report;
pub mod server;
pub mod text;

// The modules by their own names too (`tifa::corpus`, `tifa::search`…), as
// before they had folders: the library's paths stay what callers use.
pub use analysis::{align, collocates, emerging, kwic, renderings, search};
pub use engine::{matcher, query, terms};
pub use index::alignments;
pub use ingest::{corpus, extract, sheet};
pub use report::{chart, dossier, stamp};
