//! PostgreSQL, by URL. Appends to the audit chain are serialised by a transaction-scoped
//! advisory lock; optimistic concurrency on cases needs no lock (the stream head update
//! compares versions).

use std::str::FromStr;

use crate::dialect::{Dialect, checked_indexes, plain_identifier};
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Pool, Transaction};
use uuid::Uuid;

use crate::waits;

type Db = sqlx::Postgres;
/// The store the shared SQL (`shared/`) is compiled for in this module.
type Backend = PgStore;

/// How to compare text byte by byte, whatever the database's collation.
const BYTE_ORDER: &str = " COLLATE \"C\"";

/// Cases read newest first whatever their office (`search_cases`): PostgreSQL's planner
/// chooses the index itself.
const NEWEST_FIRST: &str = "";

/// The cases of the people a name's word `w` finds (`push_found`), the word's condition
/// to follow: the case its row names. Joined to the people rows for the case, PostgreSQL
/// hashed every person (docs/decisions/0005).
const CASES_OF_WORD: &str = "SELECT w.case_id AS found_id FROM person_tokens w WHERE ";

const AUDIT_LOCK: &str = crate::POSTGRES_AUDIT_LOCK;

/// Begins a transaction and takes the audit lock (see `lock_audit`) in one round trip.
fn begin_audited_statement() -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!("BEGIN; SELECT pg_advisory_xact_lock({AUDIT_LOCK})"))
}

/// See `PgStore::rebuild_connection`.
type RebuildConnection = sqlx::pool::PoolConnection<Db>;

#[derive(Debug, Clone)]
pub struct PgStore {
    pool: Pool<Db>,
    /// The group-commit writer's own connection (see `begin_group`), kept between groups
    /// in `held`.
    committer: Pool<Db>,
    held: std::sync::Arc<tokio::sync::Mutex<Option<PoolConnection<Db>>>>,
    group: GroupQueue,
}

/// The group-commit writer's connection while it writes a group (see `group_connection`).
type GroupConnection = tokio::sync::OwnedMutexGuard<Option<PoolConnection<Db>>>;

impl PgStore {
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self, crate::StoreError> {
        // Every wait is bounded (`crate::waits`): a lock not had in time, a statement too
        // long, or a transaction whose client stopped (its session ends, and its locks
        // with it) is an error, never a server that hangs until restarted.
        let mut options = PgConnectOptions::from_str(url)?
            .application_name("homeward")
            .options([
                ("lock_timeout", waits::millis(waits::LOCK)),
                ("statement_timeout", waits::millis(waits::STATEMENT)),
                (
                    "idle_in_transaction_session_timeout",
                    waits::millis(waits::IDLE_IN_TRANSACTION),
                ),
            ]);
        if let Some(schema) = schema {
            if !schema
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(crate::StoreError::Unsupported(format!(
                    "schema name {schema}"
                )));
            }
            let mut conn = options.clone().connect().await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}"
            )))
            .execute(&mut conn)
            .await?;
            conn.close().await?;
            options = options.options([("search_path", schema)]);
        }
        let pool = pool_options()
            .max_connections(16)
            .connect_with(options.clone())
            .await?;
        // Connected when the first commit comes: a store that only reads has none.
        let committer = pool_options().max_connections(1).connect_lazy_with(options);
        Ok(Self {
            pool,
            committer,
            held: Default::default(),
            group: GroupQueue::default(),
        })
    }

    /// Migrates on a connection of its own, without the limits of `crate::waits`: a
    /// migration may rewrite a large table, and a server that starts while another
    /// migrates waits for it (sqlx's migration lock) rather than fail. The connection is
    /// closed afterwards, so that no pooled connection keeps those settings.
    /// The versions applied now.
    pub async fn migrate(&self) -> Result<Vec<i64>, crate::StoreError> {
        let mut conn = self.pool.acquire().await?.detach();
        sqlx::raw_sql(
            "SET statement_timeout = 0; SET lock_timeout = 0; \
             SET idle_in_transaction_session_timeout = 0",
        )
        .execute(&mut conn)
        .await?;
        let migrated = crate::migrations::run(&crate::migrations::postgres()?, &mut conn).await;
        let closed = conn.close().await;
        let applied = migrated?;
        closed?;
        Ok(applied)
    }

    pub async fn close(&self) {
        // A pool closes once its connections are back: the held one first.
        self.held.lock().await.take();
        self.committer.close().await;
        self.pool.close().await;
    }

    /// Nothing to do: the server's memory is its own.
    pub async fn use_bulk_memory(&self) -> Result<(), crate::StoreError> {
        Ok(())
    }

    pub async fn writer_memory(&self) -> Result<String, crate::StoreError> {
        let (mem,): (String,) = sqlx::query_as("SHOW maintenance_work_mem")
            .fetch_one(&self.pool)
            .await?;
        Ok(format!("maintenance_work_mem {mem}"))
    }
}

// The SQL both backends share, compiled here for this backend (and in the other module
// for the other): loading it twice is the point.
#[allow(clippy::duplicate_mod)]
#[path = "shared/mod.rs"]
mod shared;

use shared::{GroupQueue, pool_options};

impl Dialect for PgStore {
    type Db = Db;
    type GroupConnection = GroupConnection;
    type RebuildConnection = RebuildConnection;

    const BYTE_ORDER: &'static str = BYTE_ORDER;
    const CASES_OF_WORD: &'static str = CASES_OF_WORD;
    const NEWEST_FIRST: &'static str = NEWEST_FIRST;

    fn reader(&self) -> &Pool<Db> {
        &self.pool
    }

    fn writer(&self) -> &Pool<Db> {
        &self.pool
    }

    /// Connections that read while the writer holds a transaction.
    fn side_reader(&self) -> Option<Pool<Db>> {
        Some(self.pool.clone())
    }

    /// The rebuild's connection: one of the pool's.
    async fn rebuild_connection(&self) -> Result<RebuildConnection, crate::StoreError> {
        Ok(self.pool.acquire().await?)
    }

    async fn begin_rebuild(
        conn: &mut RebuildConnection,
    ) -> Result<Transaction<'_, Db>, crate::StoreError> {
        Ok(Connection::begin(&mut **conn).await?)
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Db>, crate::StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// A write transaction holding the audit lock (see `lock_audit`), begun and locked in
    /// one round trip.
    async fn begin_audited(&self) -> Result<Transaction<'static, Db>, crate::StoreError> {
        Ok(self.pool.begin_with(begin_audited_statement()).await?)
    }

    /// The group-commit writer's connection, taken from its pool of one for the first
    /// group and kept for the next (`release_group_connection` gives it back). A pool
    /// tests each connection given back to it with a round trip (sqlx pings on release),
    /// and with a pool of one the next group waited for it.
    async fn group_connection(&self) -> Result<GroupConnection, crate::StoreError> {
        let mut held = self.held.clone().lock_owned().await;
        if held.is_none() {
            *held = Some(self.committer.acquire().await?);
        }
        Ok(held)
    }

    /// Gives the group-commit writer's connection back to its pool (after an error: the
    /// pool's test closes it if it is broken, and the next group takes another).
    fn release_group_connection(held: &mut GroupConnection) {
        held.take();
    }

    /// The group-commit writer's transaction (`append_together`), as `begin_audited`, on
    /// its own connection. Its statements depend on the group's size (a row of `VALUES` a
    /// commit), and each connection prepares and plans a statement anew until it has run
    /// it a few times: on any of the pool's sixteen connections, a group in four parsed its
    /// statements again (a log of 1,000 groups at 16 clients: 229 and 225 parses of the
    /// writes and the claims) and most were planned afresh.
    async fn begin_group<'c>(
        &self,
        held: &'c mut GroupConnection,
    ) -> Result<Transaction<'c, Db>, crate::StoreError> {
        let Some(conn) = held.as_mut() else {
            return Err(crate::StoreError::Unavailable(
                "the writer's connection was given back".into(),
            ));
        };
        Ok(conn.begin_with(begin_audited_statement()).await?)
    }

    /// The events of the cases from `first` to `last` (a rebuild's batch), a row each, in
    /// the table's order: sorted here, each batch spilled to disk; the replay threads sort
    /// them (docs/decisions/0006).
    async fn batch_events(
        conn: &mut <Db as sqlx::Database>::Connection,
        first: Uuid,
        last: Uuid,
    ) -> Result<crate::EventBatch, crate::StoreError> {
        let rows: Vec<crate::EventRow> = sqlx::query_as(
            "SELECT case_id, version, event_type, event_version, payload, actor, occurred_at, \
             recorded_at FROM events WHERE case_id >= $1 AND case_id <= $2",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&mut *conn)
        .await?;
        Ok(crate::EventBatch::Rows(rows))
    }

    /// The indexes of these tables (in the current schema) that are not keys or unique,
    /// as (name, the statement that creates it).
    async fn secondary_indexes(
        conn: &mut <Db as sqlx::Database>::Connection,
        tables: &[&str],
    ) -> Result<Vec<(String, String)>, crate::StoreError> {
        let found: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.relname::text, pg_get_indexdef(i.oid) FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
             WHERE t.relnamespace = current_schema()::regnamespace \
             AND t.relname::text = ANY($1) AND NOT x.indisunique ORDER BY 1",
        )
        .bind(tables)
        .fetch_all(&mut *conn)
        .await?;
        checked_indexes(found)
    }

    /// Drops the keys of these tables (in the rebuild's transaction); the statements that
    /// add them again, primary and unique keys before the foreign keys that refer to
    /// them. A rebuild's rows come from one replay of each case, parents first: checked
    /// one by one, by a trigger per row, the foreign keys took most of the writer's time;
    /// added again at the end, each is checked by one join. A primary key kept during the
    /// load is an index every row is inserted into where its key falls (the name words'
    /// at random); added again at the end, it is built from one sort, as the secondary
    /// indexes are.
    async fn suspend_keys(
        tx: &mut Transaction<'_, Db>,
        tables: &[&str],
    ) -> Result<Vec<String>, crate::StoreError> {
        // Foreign keys first: a key another table's foreign key refers to cannot go first.
        let found: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT t.relname::text, c.conname::text, pg_get_constraintdef(c.oid) \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
             WHERE c.contype IN ('f', 'p', 'u') \
             AND t.relnamespace = current_schema()::regnamespace \
             AND t.relname::text = ANY($1) ORDER BY c.contype <> 'f', 1, 2",
        )
        .bind(tables)
        .fetch_all(&mut **tx)
        .await?;
        let mut restore = Vec::with_capacity(found.len());
        for (table, name, definition) in found {
            if !plain_identifier(&table) || !plain_identifier(&name) {
                return Err(crate::StoreError::Unsupported(format!(
                    "a key named {name:?} on {table:?}"
                )));
            }
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "ALTER TABLE {table} DROP CONSTRAINT {name}"
            )))
            .execute(&mut **tx)
            .await?;
            restore.push(format!(
                "ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            ));
        }
        // Added again in the reverse order: the keys, then the foreign keys.
        restore.reverse();
        Ok(restore)
    }

    /// Empties tables at once. A `DELETE` leaves dead rows behind, and every case row
    /// deleted would then have its foreign keys checked against children full of them
    /// (once their indexes are dropped, by a scan each: a rebuild at 100,000 cases sat in
    /// the `DELETE` for minutes).
    async fn empty_tables(
        conn: &mut <Db as sqlx::Database>::Connection,
        tables: &[&str],
    ) -> Result<(), crate::StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "TRUNCATE {}",
            tables.join(", ")
        )))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Lets the rebuild in `tx` sort more in memory when it creates the indexes again
    /// (for this transaction only).
    async fn rebuild_memory(tx: &mut Transaction<'_, Db>) -> Result<(), crate::StoreError> {
        sqlx::query("SET LOCAL maintenance_work_mem = '256MB'")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Nothing to undo: the settings of `rebuild_memory` ended with its transaction.
    async fn usual_memory(&self) -> Result<(), crate::StoreError> {
        Ok(())
    }

    /// Joins the statements of a `Writes`: data-modifying statements in one `WITH`.
    fn join_writes(q: &mut sqlx::QueryBuilder<Db>, parts: usize) {
        if parts == 0 {
            q.push("WITH w0 AS (");
        } else {
            q.push(format!("), w{parts} AS ("));
        }
    }

    fn end_writes(q: &mut sqlx::QueryBuilder<Db>) {
        q.push(") SELECT 1");
    }

    /// Name words, bound as three arrays: one statement of three parameters, where a
    /// multi-row insert binds three a row and PostgreSQL plans every row of its `VALUES`.
    async fn insert_tokens(
        tx: &mut Transaction<'_, Db>,
        tokens: &[(String, Uuid, Uuid)],
    ) -> Result<(), crate::StoreError> {
        if tokens.is_empty() {
            return Ok(());
        }
        let words: Vec<&str> = tokens.iter().map(|(t, _, _)| t.as_str()).collect();
        let people: Vec<Uuid> = tokens.iter().map(|(_, p, _)| *p).collect();
        let cases: Vec<Uuid> = tokens.iter().map(|(_, _, c)| *c).collect();
        sqlx::query(
            "INSERT INTO person_tokens (token, person_id, case_id) \
             SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::uuid[])",
        )
        .bind(&words)
        .bind(&people)
        .bind(&cases)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Lifts the limits of `crate::waits` for this transaction only: bulk work that runs
    /// long on purpose (a rebuild, a digest of every table).
    async fn unhurried(tx: &mut Transaction<'_, Db>) -> Result<(), crate::StoreError> {
        sqlx::raw_sql(
            "SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0; \
             SET LOCAL idle_in_transaction_session_timeout = 0",
        )
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn lock_audit(tx: &mut Transaction<'_, Db>) -> Result<(), crate::StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT pg_advisory_xact_lock({AUDIT_LOCK})"
        )))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
