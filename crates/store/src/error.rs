//! The store's errors: what a caller may act on (a conflict, a duplicate, a wait that
//! gave up) and the rest, with their causes.

use super::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A write expected an older version of the case.
    #[error("the case was changed by someone else: it is now at version {current}")]
    Conflict { current: u64 },
    /// A unique value (username, office code, reference) is taken.
    #[error("{0} already exists")]
    Duplicate(String),
    #[error("not found")]
    NotFound,
    /// What a write would decide was decided by someone else first (an inbound referral
    /// registered or declined meanwhile).
    #[error("{0}")]
    Taken(String),
    /// A plan would commit a budget line beyond its amount, with the plans written before
    /// it (`Commit::budget_limits`).
    #[error("budget line {line} would be committed to {committed}, above its {limit}")]
    OverBudget {
        line: Uuid,
        committed: i64,
        limit: i64,
    },
    /// The database cannot take writes or cannot be reached (disk full, read-only,
    /// connection lost). Reads may still work.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Stored data does not decode: a bug or tampering.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Duplicate(db.constraint().unwrap_or("value").to_string())
            }
            sqlx::Error::Database(db) => {
                let msg = db.message().to_string();
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                // SQLite: 8 READONLY, 10 IOERR, 13 FULL, 5/6 BUSY/LOCKED (extended codes
                // keep the primary code in their low byte); PostgreSQL: 53 (insufficient
                // resources), 57P (operator intervention), 25006 (read-only transaction),
                // and the waits that gave up (`waits`): 55P03 a lock not had in time,
                // 57014 a statement cancelled at its timeout, 25P03 a transaction left
                // idle too long, 40001/40P01 a serialisation failure or deadlock.
                let sqlite_primary = code.parse::<i64>().ok().map(|c| c & 0xff);
                let unavailable = matches!(sqlite_primary, Some(5 | 6 | 8 | 10 | 13 | 14))
                    || code.starts_with("53")
                    || code.starts_with("57P")
                    || matches!(
                        code.as_str(),
                        "25006" | "55P03" | "57014" | "25P03" | "40001" | "40P01"
                    );
                if unavailable {
                    StoreError::Unavailable(msg)
                } else {
                    StoreError::Database(e)
                }
            }
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            _ => StoreError::Database(e),
        }
    }
}

impl StoreError {
    /// The same error for another caller (one failure answered to every commit of a
    /// group): same kind, same message.
    pub(crate) fn shared(&self) -> StoreError {
        match self {
            StoreError::Conflict { current } => StoreError::Conflict { current: *current },
            StoreError::Duplicate(m) => StoreError::Duplicate(m.clone()),
            StoreError::NotFound => StoreError::NotFound,
            StoreError::Taken(m) => StoreError::Taken(m.clone()),
            StoreError::OverBudget {
                line,
                committed,
                limit,
            } => StoreError::OverBudget {
                line: *line,
                committed: *committed,
                limit: *limit,
            },
            StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
            StoreError::Corrupt(m) => StoreError::Corrupt(m.clone()),
            StoreError::Unsupported(m) => StoreError::Unsupported(m.clone()),
            StoreError::Database(_) | StoreError::Migration(_) => {
                StoreError::Database(sqlx::Error::Protocol(self.to_string()))
            }
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
