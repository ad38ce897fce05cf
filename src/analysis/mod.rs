//! **The analysis layer** (`src/analysis/`): answers computed from the
//! engine's exact matches — search hits and passages ([`search`]), the
//! concordance ([`kwic`]), collocates ([`collocates`]), paragraph alignment of
//! translated pairs ([`align`]), renderings ([`renderings`]) and emerging
//! formulations ([`emerging`]). It uses `engine`, `index`, `text`, `date`,
//! `error` and `output`, and `history` beside it (take-off years, evidence,
//! citations); never `report` or `server`.

pub mod align;
pub mod collocates;
pub mod emerging;
pub mod kwic;
pub mod renderings;
pub mod search;
