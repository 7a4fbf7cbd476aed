//! SQLite: a local file in WAL mode with foreign keys on. One writer connection (writes
//! begin with `BEGIN IMMEDIATE`, so they queue instead of failing with SQLITE_BUSY) beside
//! a pool of read-only connections.

use std::path::Path;
use std::str::FromStr;

use crate::dialect::{Dialect, ROWS, checked_indexes};
use sqlx::QueryBuilder;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Pool, Transaction};
use uuid::Uuid;

type Db = sqlx::Sqlite;
/// The store the shared SQL (`shared/`) is compiled for in this module.
type Backend = SqliteStore;

/// How to compare text byte by byte (SQLite always does).
const BYTE_ORDER: &str = "";

/// The cases of the people a name's word `w` finds (`push_found`), the word's condition
/// to follow: through the people rows. Told the case of the word's row instead, SQLite
/// planned some searches badly (docs/decisions/0005).
const CASES_OF_WORD: &str = "SELECT cp.case_id AS found_id FROM person_tokens w \
    CROSS JOIN case_people cp WHERE cp.person_id = w.person_id AND ";

/// Cases read newest first whatever their office (`search_cases`): SQLite, which keeps no
/// statistics here, would otherwise read a one-office scope through the office's index and
/// sort every case of it.
const NEWEST_FIRST: &str = " INDEXED BY case_summaries_updated";

/// Bytes of memory SQLite keeps for caches and temporary tables, all connections together.
const SOFT_HEAP_LIMIT: u64 = 8 * 1024 * 1024;

/// Each connection's page cache, in KiB (SQLite's default).
const CACHE_KIB: u64 = 2000;

/// The writer's page cache while it writes in bulk (a rebuild of the read models, a
/// generated programme), in KiB. With the usual cache (and the soft heap limit) the
/// inserts evict the pages they are about to change: in a rebuild a third of the
/// writer's time went to reading them back from the file.
const BULK_CACHE_KIB: u64 = 256 * 1024;

/// The group-commit writer's connection: nothing kept (see `group_connection`).
pub(crate) struct GroupConnection;

/// See `SqliteStore::rebuild_connection`.
pub(crate) struct RebuildConnection {
    own: Option<sqlx::SqliteConnection>,
    writer: sqlx::pool::PoolConnection<Db>,
}

/// Turns SQLite's memory statistics off for this process, for a process that writes in
/// bulk and serves nobody (a rebuild of the read models, a generated programme). With them
/// on (SQLite's default) every allocation SQLite makes takes one mutex for the whole
/// process, and a rebuild's reading and writing connections, which allocate all the
/// time, contend for it; the price is the soft heap limit, which needs them and which
/// such a process does without anyway (see `use_bulk_memory`). Must be called before the
/// process opens its first SQLite connection: afterwards SQLite refuses and nothing
/// changes. Whether it took effect.
#[allow(unsafe_code)]
pub fn forgo_memory_statistics() -> bool {
    // SAFETY: `sqlite3_config` takes an option and, for this one, a plain int. It is not
    // safe against a concurrent `sqlite3_initialize` (a first connection opened on another
    // thread meanwhile), which callers exclude by calling it first thing; once SQLite is
    // initialised it only returns SQLITE_MISUSE.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_config(
            libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
            0 as std::ffi::c_int,
        )
    };
    rc == libsqlite3_sys::SQLITE_OK
}

#[derive(Debug, Clone)]
pub struct SqliteStore {
    read: Pool<Db>,
    write: Pool<Db>,
    /// An in-memory database, read through its one writer connection.
    in_memory: bool,
    options: Box<SqliteConnectOptions>,
    group: GroupQueue,
}

impl SqliteStore {
    pub async fn open(path: &str) -> Result<Self, crate::StoreError> {
        let memory = path.is_empty() || path.starts_with(":memory:");
        let options = if memory {
            SqliteConnectOptions::from_str("sqlite::memory:")?
        } else {
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
        };
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(crate::waits::LOCK)
            // Sorts and DISTINCTs too big for the page cache spill to temporary files
            // rather than grow the server (at a million cases they would be megabytes per
            // reader).
            .pragma("temp_store", "file")
            .pragma("cache_size", format!("-{CACHE_KIB}"))
            // SQLite's own memory, every connection together, bounded: concurrent
            // searches otherwise grow the server (docs/decisions/0001).
            .pragma("soft_heap_limit", SOFT_HEAP_LIMIT.to_string());
        let write = pool_options()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        // An in-memory database exists once per connection: read through the writer.
        let read = if memory {
            write.clone()
        } else {
            pool_options()
                .max_connections(8)
                .connect_with(options.clone().read_only(true))
                .await?
        };
        Ok(Self {
            read,
            write,
            in_memory: memory,
            options: Box::new(options),
            group: GroupQueue::default(),
        })
    }

    /// The versions applied now.
    pub async fn migrate(&self) -> Result<Vec<i64>, crate::StoreError> {
        let mut conn = self.write.acquire().await?;
        crate::migrations::run(&crate::migrations::sqlite()?, &mut *conn).await
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// For a process that writes in bulk from now on (generating): the rebuild's memory,
    /// for as long as the store is open.
    pub async fn use_bulk_memory(&self) -> Result<(), crate::StoreError> {
        let mut conn = self.write.acquire().await?;
        Self::set_memory(&mut conn, BULK_CACHE_KIB, 0).await
    }

    /// The writer's page cache (the soft heap limit, set with it, is the process's: other
    /// stores in the same process, as in tests, change it too).
    pub async fn writer_memory(&self) -> Result<String, crate::StoreError> {
        let (cache,): (i64,) = sqlx::query_as("PRAGMA cache_size")
            .fetch_one(&self.write)
            .await?;
        Ok(format!("cache_size {cache}"))
    }

    async fn set_memory(
        conn: &mut sqlx::SqliteConnection,
        cache_kib: u64,
        heap_limit: u64,
    ) -> Result<(), crate::StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA cache_size = -{cache_kib}"
        )))
        .execute(&mut *conn)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA soft_heap_limit = {heap_limit}"
        )))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub async fn integrity_check(&self) -> Result<Vec<String>, crate::StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
            .fetch_all(self.reader())
            .await?;
        Ok(rows.into_iter().map(|(r,)| r).collect())
    }

    /// `VACUUM INTO` a new file: a consistent snapshot, taken while others write.
    pub async fn backup(&self, to: &Path) -> Result<(), crate::StoreError> {
        if to.exists() {
            return Err(crate::StoreError::Duplicate(format!(
                "backup file {}",
                to.display()
            )));
        }
        let mut conn = self.options.clone().connect().await?;
        sqlx::query("VACUUM INTO $1")
            .bind(to.to_string_lossy().to_string())
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Ok(())
    }
}

// The SQL both backends share, compiled here for this backend (and in the other module
// for the other): loading it twice is the point.
#[allow(clippy::duplicate_mod)]
#[path = "shared/mod.rs"]
mod shared;

use shared::{GroupQueue, pool_options};

impl Dialect for SqliteStore {
    type Db = Db;
    type GroupConnection = GroupConnection;
    type RebuildConnection = RebuildConnection;

    const BYTE_ORDER: &'static str = BYTE_ORDER;
    const CASES_OF_WORD: &'static str = CASES_OF_WORD;
    const NEWEST_FIRST: &'static str = NEWEST_FIRST;

    fn reader(&self) -> &Pool<Db> {
        &self.read
    }

    fn writer(&self) -> &Pool<Db> {
        &self.write
    }

    /// Connections that read while the writer holds a transaction (none in memory: the
    /// writer is the only connection).
    fn side_reader(&self) -> Option<Pool<Db>> {
        (!self.in_memory).then(|| self.read.clone())
    }

    /// The events of the cases from `first` to `last` (a rebuild's batch), a row per case
    /// with its events joined (see `EventBatch::Joined`).
    async fn batch_events(
        conn: &mut <Db as sqlx::Database>::Connection,
        first: uuid::Uuid,
        last: uuid::Uuid,
    ) -> Result<crate::EventBatch, crate::StoreError> {
        let cases: Vec<(uuid::Uuid, String)> = sqlx::query_as(
            "SELECT case_id, group_concat(version || char(31) || event_type || char(31) || \
             event_version || char(31) || hex(actor) || char(31) || occurred_at || char(31) || \
             recorded_at || char(31) || payload, char(30)) FROM events \
             WHERE case_id >= $1 AND case_id <= $2 GROUP BY case_id ORDER BY case_id",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&mut *conn)
        .await?;
        Ok(crate::EventBatch::Joined(cases))
    }

    /// The rebuild's connection. On a file, a connection of its own with foreign keys off:
    /// its rows come from one replay of each case, parents before children, and checking
    /// each child's parent cost a sixth of the rebuild (docs/decisions/0006). The pool's writer is held idle
    /// meanwhile, so this process's commits wait for the rebuild as for any write. In
    /// memory, the writer itself (the database is its connection), foreign keys on.
    async fn rebuild_connection(&self) -> Result<RebuildConnection, crate::StoreError> {
        let writer = self.write.acquire().await?;
        let own = if self.in_memory {
            None
        } else {
            Some(
                self.options
                    .as_ref()
                    .clone()
                    .foreign_keys(false)
                    .connect()
                    .await?,
            )
        };
        Ok(RebuildConnection { own, writer })
    }

    async fn begin_rebuild(
        conn: &mut RebuildConnection,
    ) -> Result<Transaction<'_, Db>, crate::StoreError> {
        let conn = match &mut conn.own {
            Some(own) => own,
            None => &mut *conn.writer,
        };
        Ok(conn.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// A write transaction holding the audit lock: `BEGIN IMMEDIATE` takes the database's
    /// one write lock, which is that lock on SQLite.
    async fn begin_audited(&self) -> Result<Transaction<'static, Db>, crate::StoreError> {
        self.begin_write().await
    }

    /// The group-commit writer's connection: the pool's one writer, taken by `begin_group`
    /// (other writes share it).
    async fn group_connection(&self) -> Result<GroupConnection, crate::StoreError> {
        Ok(GroupConnection)
    }

    fn release_group_connection(_held: &mut GroupConnection) {}

    /// The group-commit writer's transaction: on the one writer connection.
    async fn begin_group<'c>(
        &self,
        _held: &'c mut GroupConnection,
    ) -> Result<Transaction<'c, Db>, crate::StoreError> {
        self.begin_write().await
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Db>, crate::StoreError> {
        match self.write.begin_with("BEGIN IMMEDIATE").await {
            // SQLite rolls a transaction back by itself on some errors (a full disk, an
            // I/O error); the driver then still counts it open, fails to roll it back,
            // and refuses every later BEGIN on that connection. Replace the connection.
            Err(sqlx::Error::InvalidSavePointStatement) => {
                tracing::warn!("replacing the writer connection after SQLite ended a transaction");
                let mut conn = self.write.acquire().await?;
                conn.close_on_drop();
                drop(conn);
                Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
            }
            r => Ok(r?),
        }
    }

    /// The indexes of these tables that are not keys or unique, as (name, the statement
    /// that creates it).
    async fn secondary_indexes(
        conn: &mut <Db as sqlx::Database>::Connection,
        tables: &[&str],
    ) -> Result<Vec<(String, String)>, crate::StoreError> {
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (",
        );
        let mut sep = q.separated(", ");
        for t in tables {
            sep.push_bind(*t);
        }
        q.push(") ORDER BY name");
        let found: Vec<(String, String)> = q.build_query_as().fetch_all(&mut *conn).await?;
        checked_indexes(found)
    }

    /// Nothing to drop: the rebuild's connection has foreign keys off
    /// (`rebuild_connection`), and a primary key cannot be dropped.
    async fn suspend_keys(
        _tx: &mut Transaction<'_, Db>,
        _tables: &[&str],
    ) -> Result<Vec<String>, crate::StoreError> {
        Ok(vec![])
    }

    /// Empties tables, children before parents (deleted rows are gone at once, so the
    /// foreign-key checks of the parents' rows find empty children).
    async fn empty_tables(
        conn: &mut <Db as sqlx::Database>::Connection,
        tables: &[&str],
    ) -> Result<(), crate::StoreError> {
        for table in tables {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Lets the rebuild in `tx` use more memory: a larger page cache on the writer and,
    /// for the process, no soft heap limit (which would otherwise hold the cache to it).
    async fn rebuild_memory(tx: &mut Transaction<'_, Db>) -> Result<(), crate::StoreError> {
        Self::set_memory(tx, BULK_CACHE_KIB, 0).await
    }

    /// After a rebuild, whether it committed or not: the usual memory again. (A reader
    /// connection opened meanwhile sets the soft heap limit back already: the rebuild is
    /// then only slower.)
    async fn usual_memory(&self) -> Result<(), crate::StoreError> {
        let mut conn = self.write.acquire().await?;
        Self::set_memory(&mut conn, CACHE_KIB, SOFT_HEAP_LIMIT).await
    }

    /// Joins the statements of a `Writes`: SQLite runs them one after the other, in one
    /// call.
    fn join_writes(q: &mut sqlx::QueryBuilder<Db>, parts: usize) {
        if parts > 0 {
            q.push("; ");
        }
    }

    fn end_writes(_q: &mut sqlx::QueryBuilder<Db>) {}

    /// Name words, with multi-row inserts.
    async fn insert_tokens(
        tx: &mut Transaction<'_, Db>,
        tokens: &[(String, Uuid, Uuid)],
    ) -> Result<(), crate::StoreError> {
        for chunk in tokens.chunks(ROWS) {
            let mut q =
                QueryBuilder::<Db>::new("INSERT INTO person_tokens (token, person_id, case_id) ");
            q.push_values(chunk, |mut b, (t, person, case)| {
                b.push_bind(t).push_bind(*person).push_bind(*case);
            });
            q.build().execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// The single writer already serialises appends to the audit chain.
    /// Nothing to lift: SQLite's only limit is its busy timeout, which a transaction
    /// that already writes no longer meets.
    async fn unhurried(_tx: &mut Transaction<'_, Db>) -> Result<(), crate::StoreError> {
        Ok(())
    }

    async fn lock_audit(_tx: &mut Transaction<'_, Db>) -> Result<(), crate::StoreError> {
        Ok(())
    }
}
