//! **The history layer** (`src/history/`): the life of a term in the
//! corpus — first appearance and its evidence, take-off, timelines,
//! coverage. It uses `engine`, `text`, `date` and `output`, and two answers
//! of `analysis` beside it: the punctuated-form hint of `search` and the
//! aligned translation (`align`) of a first appearance; never `report` or
//! `server`.
//!
//! Term history: first appearances (`trace`) and use over time (`timeline`).
//!
//! Documents are ordered by the key (year, month or 0, day or 0, id in byte
//! order): a date of lower precision sorts as the start of its period.
//! Undated documents count in the totals but are never first or last.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use serde::Serialize;
use tantivy::DocAddress;

use crate::date::{DateRange, DocDate};
use crate::engine::{Allowed, Engine, Match};
use crate::matcher::sentence_around;
use crate::terms::{self, Subject, Units};

pub mod coverage;
pub mod evidence;
pub mod series;
mod timeline;
mod trace;

pub use timeline::*;
pub use trace::*;
