//! Test databases (feature `testing`): a fresh SQLite file, or a fresh schema in the PostgreSQL test database.
//!
//! PostgreSQL is at `HOMEWARD_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When it cannot be reached the PostgreSQL
//! variant of each test is skipped with a notice the harness does not capture, counted,
//! except under `CI=true`, where a missing database is a failure.

use crate::{Store, StoreError};

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub struct TestDb {
    pub store: Store,
    schema: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn sqlite() -> Result<TestDb, StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let path = dir.path().join("homeward.db");
        let store = Store::connect(&format!("sqlite:{}", path.display())).await?;
        store.migrate().await?;
        Ok(TestDb {
            store,
            schema: None,
            _dir: Some(dir),
        })
    }

    /// The SQLite file, for tests that run the `homeward` binary on it.
    pub fn sqlite_url(&self) -> Option<String> {
        self._dir
            .as_ref()
            .map(|d| format!("sqlite:{}", d.path().join("homeward.db").display()))
    }

    /// The URL of this database, for tests that run the `homeward` binary on it.
    pub fn url(&self) -> String {
        match (&self.schema, self.sqlite_url()) {
            (Some((url, schema)), _) => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}options%5Bsearch_path%5D={schema}")
            }
            (None, Some(url)) => url,
            (None, None) => String::new(),
        }
    }

    /// A fresh schema in the PostgreSQL test database; `Ok(None)` when PostgreSQL is
    /// unreachable outside CI. Under `CI=true` an unreachable database is an error.
    pub async fn postgres() -> Result<Option<TestDb>, StoreError> {
        let url = std::env::var("HOMEWARD_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string());
        let schema = format!("hw_test_{}", uuid::Uuid::new_v4().simple());
        match Store::connect_postgres_schema(&url, &schema).await {
            Ok(store) => {
                store.migrate().await?;
                Ok(Some(TestDb {
                    store,
                    schema: Some((url, schema)),
                    _dir: None,
                }))
            }
            Err(e) if std::env::var("CI").as_deref() == Ok("true") => Err(StoreError::Unavailable(
                format!("PostgreSQL at {url} is required in CI: {e}"),
            )),
            Err(e) => {
                eprintln!("skipping the PostgreSQL variant: {url} unreachable ({e})");
                Ok(None)
            }
        }
    }

    /// Drops the test schema.
    pub async fn finish(self) -> Result<(), StoreError> {
        self.store.close().await;
        if let Some((url, schema)) = self.schema {
            let admin = Store::connect(&url).await?;
            admin
                .execute_unchecked(&format!("DROP SCHEMA {schema} CASCADE"))
                .await?;
            admin.close().await;
        }
        Ok(())
    }
}

/// PostgreSQL variants skipped by this test binary so far.
static SKIPPED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs a database test on a fresh SQLite database.
// Test set-up: a database that cannot be had fails the test.
#[allow(clippy::expect_used)]
pub async fn on_sqlite(test: impl AsyncFnOnce(&TestDb)) {
    let db = TestDb::sqlite().await.expect("a SQLite test database");
    test(&db).await;
    db.finish().await.expect("clean-up");
}

/// Runs a database test on a fresh PostgreSQL schema. Where PostgreSQL cannot be reached
/// (outside CI) the test is skipped, and says so where the test harness's capture does
/// not hide it, with how many this binary has skipped: a skip never looks like a pass.
#[allow(clippy::expect_used)]
pub async fn on_postgres(name: &str, test: impl AsyncFnOnce(&TestDb)) {
    let Some(db) = TestDb::postgres()
        .await
        .expect("a PostgreSQL test database")
    else {
        use std::io::Write;
        let n = SKIPPED.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        // Written to the process's stderr itself: `eprintln!` is captured, and shown only
        // for a test that fails.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED postgres::{name}: PostgreSQL unreachable ({n} skipped in this binary; \
             set HOMEWARD_TEST_POSTGRES_URL, or run with CI=true to make it a failure)"
        );
        return;
    };
    test(&db).await;
    db.finish().await.expect("clean-up");
}

/// A test on SQLite (`sqlite::name`) and one on PostgreSQL (`postgres::name`) for each
/// `async fn name(db: &TestDb)` named: the functions stay ordinary code, which rustfmt
/// formats, and one left out of the list is dead code, which the lints refuse.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::testing::on_sqlite(super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::testing::on_postgres(stringify!($name), super::$name).await;
                }
            )*
        }
    };
}
