//! Errors of the storage layer. The API maps each variant to an HTTP status in one place.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row matched; within an institution, so another tenant's row is also "not found".
    #[error("record not found")]
    NotFound,
    /// A uniqueness rule was broken (an email or slug already taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database could not be reached or the pool had no connection in time.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("migration failed: {0}")]
    Migration(String),
    /// Stored data that cannot be read back (corrupt JSON, an unknown status).
    #[error("corrupt data: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(DieselError),
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => StoreError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Conflict(info.constraint_name().unwrap_or(info.message()).to_string())
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => StoreError::Unavailable(info.message().to_string()),
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, ref info)
                if is_unavailable_message(info.message()) =>
            {
                StoreError::Unavailable(info.message().to_string())
            }
            DieselError::BrokenTransactionManager => {
                StoreError::Unavailable("connection lost during a transaction".into())
            }
            other => StoreError::Database(other),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(error: r2d2::Error) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        StoreError::Corrupt(error.to_string())
    }
}

/// Messages with which libpq and SQLite report a server or file they cannot use.
fn is_unavailable_message(message: &str) -> bool {
    let lower = message.to_lowercase();
    [
        "server closed the connection",
        "terminating connection",
        "connection refused",
        "no connection to the server",
        "database is locked",
        "could not connect",
        "the database system is",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}
