//! tifa: grep-exact search, first appearances and timelines of formulations
//! (提法) in a bilingual Chinese–English corpus of policy texts.
//!
//! Data flows one way: [`corpus`] → [`text`] (analysis) → [`index`] →
//! [`engine`]/[`query`] → [`search`], [`history`], [`report`] → [`output`].

pub mod cli;
pub mod corpus;
pub mod date;
pub mod engine;
pub mod history;
pub mod index;
pub mod matcher;
pub mod output;
pub mod query;
pub mod report;
pub mod search;
pub mod terms;
pub mod text;
