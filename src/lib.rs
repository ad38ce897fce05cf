//! tifa: grep-exact search, first appearances and timelines of formulations
//! (提法) in a bilingual Chinese–English corpus of policy texts.
//!
//! Data flows one way: [`corpus`] → [`text`] (analysis) → [`index`] →
//! [`engine`]/[`query`] → [`search`], [`history`], [`report`] → [`output`].
//!
//! Each command of the CLI (`src/cli/`, in the binary) parses its arguments,
//! makes one call into this library and renders the result; the library's
//! `Serialize` results are what `--json` prints. Mistakes of the user come back
//! as [`error::UserError`].

pub mod align;
pub mod alignments;
pub mod api;
pub mod chart;
pub mod collocates;
pub mod corpus;
pub mod date;
pub mod dossier;
pub mod emerging;
pub mod engine;
pub mod error;
pub mod export;
pub mod extract;
pub mod history;
pub mod index;
pub mod kwic;
pub mod matcher;
pub mod output;
pub mod query;
pub mod renderings;
pub mod report;
pub mod search;
pub mod server;
pub mod sheet;
pub mod stamp;
pub mod terms;
pub mod text;
