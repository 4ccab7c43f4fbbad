//! Store errors, phrased for the person who has to fix them.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("cannot open database {url}: {source}")]
    Connect {
        /// The URL, without a password.
        url: String,
        /// The driver error.
        source: sqlx::Error,
    },
    /// A query failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Input the store refuses.
    #[error("{0}")]
    Invalid(String),
    /// A name or id is already taken.
    #[error("{0}")]
    Conflict(String),
    /// Unknown, or not visible to the caller (the two are not told apart).
    #[error("not found: {0}")]
    NotFound(String),
    /// Visible but not permitted.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A stored value the store cannot read back.
    #[error("unexpected stored value: {0}")]
    Corrupt(String),
    /// The system random source failed.
    #[error("cannot generate a token: {0}")]
    Random(String),
}

impl StoreError {
    pub(crate) fn connect(url: &str, source: sqlx::Error) -> StoreError {
        StoreError::Connect {
            url: redact(url),
            source,
        }
    }

    /// Maps constraint violations on a write to a readable message.
    pub(crate) fn from_write(error: sqlx::Error, constraint_message: &str) -> StoreError {
        match &error {
            sqlx::Error::Database(db) if db.kind() != sqlx::error::ErrorKind::Other => {
                StoreError::Invalid(constraint_message.to_string())
            }
            _ => StoreError::Database(error),
        }
    }
}

/// Drops the password from `scheme://user:password@host/...`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
