use std::path::PathBuf;

/// What can go wrong in the store. Variants for the caller's input (`Invalid`, `NotFound`,
/// `Conflict`, `Exists`) carry the field or entity they are about; the others are the
/// database's or the file system's.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL `{url}`: {message}")]
    Url { url: String, message: String },
    #[error("cannot connect to `{url}`: {message}")]
    Connect { url: String, message: String },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("no {kind} `{id}`")]
    NotFound { kind: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("`{0}` exists already")]
    Exists(PathBuf),
    #[error("`{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "this database was written by a newer lifeline (schema version {found}; this one knows {known})"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("{0}")]
    Unsupported(&'static str),
    #[error("sensitive fields need a key file and none was given")]
    NoKeyring,
    #[error(transparent)]
    Key(#[from] crate::crypto::KeyError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// A short value kept in a column of its own: 1 to `max` characters, no control or bidi
/// characters (PostgreSQL holds no NUL; pages and reports want none of the others).
pub(crate) fn check_text(field: &str, value: &str, max: usize) -> Result<(), StoreError> {
    if value.is_empty()
        || value.chars().count() > max
        || value.chars().any(lifeline_text::is_unsafe)
    {
        return Err(StoreError::invalid(
            field,
            format!("must be 1 to {max} characters without control or bidi characters"),
        ));
    }
    Ok(())
}

/// No `kind` `id` (the id escaped for the message).
pub(crate) fn not_found(kind: &'static str, id: &str) -> StoreError {
    StoreError::NotFound {
        kind,
        id: lifeline_text::escaped(id).into_owned(),
    }
}

impl StoreError {
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> StoreError {
        StoreError::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The result of an insert, with a refusal for a UNIQUE or PRIMARY KEY constraint
    /// turned into [`StoreError::Conflict`] with `message`.
    pub(crate) fn taken<T>(
        result: Result<T, sqlx::Error>,
        message: impl FnOnce() -> String,
    ) -> Result<T, StoreError> {
        match result {
            Err(e) if StoreError::is_unique_violation(&e) => Err(StoreError::Conflict(message())),
            other => Ok(other?),
        }
    }

    /// Whether the database refused a row for a UNIQUE or PRIMARY KEY constraint.
    pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
        match error {
            sqlx::Error::Database(db) => {
                db.is_unique_violation()
                    || db.message().contains("UNIQUE constraint failed")
                    || db.code().as_deref() == Some("23505")
            }
            _ => false,
        }
    }
}
