//! What differs between the databases, asked of a backend by the SQL both share
//! (`shared/`). Each backend module implements it for its store type; the compiler checks
//! that each supplies every hook with the same signature.

use sqlx::{Database, Pool, QueryBuilder, Transaction};
use uuid::Uuid;

use crate::{EventBatch, StoreError};

type R<T> = Result<T, StoreError>;

/// Rows per multi-row statement, under both databases' limits on bound parameters.
pub(crate) const ROWS: usize = 1000;

// Only this crate implements or calls it, always on a concrete store type: the futures of
// its `async fn`s are then known, and whether they are `Send` with them.
#[allow(async_fn_in_trait)]
pub(crate) trait Dialect {
    /// The sqlx database.
    type Db: Database;
    /// The group-commit writer's hold on its connection, kept between groups where the
    /// backend keeps one (`group_connection`).
    type GroupConnection;
    /// What a rebuild of the read models writes on (`rebuild_connection`).
    type RebuildConnection;

    /// How to compare text byte by byte (appended to a column's name).
    const BYTE_ORDER: &'static str;
    /// The cases of the people a name's word `w` finds; the word's condition follows.
    const CASES_OF_WORD: &'static str;
    /// What makes a case list read newest first whatever its office (after the table).
    const NEWEST_FIRST: &'static str;

    /// Connections for reads.
    fn reader(&self) -> &Pool<Self::Db>;
    /// Connections for writes (SQLite: its one writer).
    fn writer(&self) -> &Pool<Self::Db>;
    /// Connections that read while the writer holds a transaction, if there are any.
    fn side_reader(&self) -> Option<Pool<Self::Db>>;

    /// A write transaction.
    async fn begin_write(&self) -> R<Transaction<'static, Self::Db>>;
    /// A write transaction that holds the audit lock.
    async fn begin_audited(&self) -> R<Transaction<'static, Self::Db>>;
    /// Takes the audit lock in a transaction begun otherwise.
    async fn lock_audit(tx: &mut Transaction<'_, Self::Db>) -> R<()>;
    /// Lifts the bounded waits for a transaction that runs long on purpose.
    async fn unhurried(tx: &mut Transaction<'_, Self::Db>) -> R<()>;

    /// The group-commit writer's connection for the next group.
    async fn group_connection(&self) -> R<Self::GroupConnection>;
    /// Gives it back after an error (it may be broken).
    fn release_group_connection(held: &mut Self::GroupConnection);
    /// The group's transaction, holding the audit lock.
    async fn begin_group<'c>(
        &self,
        held: &'c mut Self::GroupConnection,
    ) -> R<Transaction<'c, Self::Db>>;
    /// Joins one more statement to a `Writes` that holds `parts` already.
    fn join_writes(q: &mut QueryBuilder<Self::Db>, parts: usize);
    /// Ends a `Writes` statement.
    fn end_writes(q: &mut QueryBuilder<Self::Db>);
    /// Name words (token, person, case), in the primary key's order.
    async fn insert_tokens(
        tx: &mut Transaction<'_, Self::Db>,
        tokens: &[(String, Uuid, Uuid)],
    ) -> R<()>;

    /// The events of the cases from `first` to `last`, for a rebuild.
    async fn batch_events(
        conn: &mut <Self::Db as Database>::Connection,
        first: Uuid,
        last: Uuid,
    ) -> R<EventBatch>;
    /// The rebuild's connection, had before it takes the audit lock.
    async fn rebuild_connection(&self) -> R<Self::RebuildConnection>;
    /// The rebuild's transaction.
    async fn begin_rebuild(conn: &mut Self::RebuildConnection) -> R<Transaction<'_, Self::Db>>;
    /// The indexes of these tables that are not keys or unique: (name, its `CREATE`).
    async fn secondary_indexes(
        conn: &mut <Self::Db as Database>::Connection,
        tables: &[&str],
    ) -> R<Vec<(String, String)>>;
    /// Drops what the rebuild builds last; the statements that make it again.
    async fn suspend_keys(tx: &mut Transaction<'_, Self::Db>, tables: &[&str]) -> R<Vec<String>>;
    /// Empties these tables.
    async fn empty_tables(conn: &mut <Self::Db as Database>::Connection, tables: &[&str]) -> R<()>;
    /// More memory for the rebuild in `tx`.
    async fn rebuild_memory(tx: &mut Transaction<'_, Self::Db>) -> R<()>;
    /// The usual memory again, after a rebuild.
    async fn usual_memory(&self) -> R<()>;
}

/// Index definitions from the catalogue, refused unless their names are plain (they are
/// written into `DROP INDEX`).
pub(crate) fn checked_indexes(found: Vec<(String, String)>) -> R<Vec<(String, String)>> {
    match found.iter().find(|(name, _)| !plain_identifier(name)) {
        Some((name, _)) => Err(StoreError::Unsupported(format!(
            "an index named {name:?} on a read model"
        ))),
        None => Ok(found),
    }
}

/// Whether a name from the catalogue may be written into a statement as it is.
pub(crate) fn plain_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
