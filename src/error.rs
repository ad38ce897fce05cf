//! Mistakes of the user (a bad query, date, filter, field or family), told
//! apart from failures of tifa or the machine: the CLI prints both the same
//! way, a server answers the first kind with 400 and the second with 500.

/// A request tifa cannot answer as asked; the message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{0}")]
    BadQuery(String),
    #[error("{0}")]
    BadDate(String),
    #[error("{0}")]
    BadFilter(String),
    #[error("{0}")]
    UnknownField(String),
    #[error("{0}")]
    UnknownFamily(String),
    #[error("{0}")]
    BadTermFile(String),
}

/// True when `e` (or one of its causes) is a [`UserError`].
pub fn is_user_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<UserError>().is_some())
}
