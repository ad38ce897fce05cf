//! Mistakes of the user (a bad query, date, filter, field or family), told
//! apart from failures of tifa or the machine: the CLI prints both the same
//! way, a server answers the first kind with 400 and the second with 500.

/// A request tifa cannot answer as asked; the message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{0}")]
    /// A query that cannot be read.
    BadQuery(String),
    #[error("{0}")]
    /// A date that cannot be read or a span that makes no sense.
    BadDate(String),
    #[error("{0}")]
    /// A filter that cannot be read.
    BadFilter(String),
    #[error("{0}")]
    /// A metadata field the index does not have.
    UnknownField(String),
    #[error("{0}")]
    /// A family that is not defined.
    UnknownFamily(String),
    #[error("{0}")]
    /// A term file that cannot be read.
    BadTermFile(String),
}

/// True when `e` (or one of its causes) is a [`UserError`].
pub fn is_user_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<UserError>().is_some())
}
