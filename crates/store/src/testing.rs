//! Test databases (feature `testing`): a fresh SQLite file, or a fresh schema in the PostgreSQL test database.
//!
//! PostgreSQL is at `HOMEWARD_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When it cannot be reached the PostgreSQL
//! variant of each test is skipped with a notice, except under `CI=true`, where a missing
//! database is a failure.

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

/// Turns each `async fn name(db: &TestDb) { ... }` into a test on SQLite and one on
/// PostgreSQL (skipped, with a notice, when PostgreSQL is unreachable outside CI).
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($db:ident: &TestDb) $body:block)*) => {
        $(
            async fn $name($db: &$crate::testing::TestDb) $body
        )*
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::testing::TestDb::sqlite().await.expect("a SQLite test database");
                    super::$name(&db).await;
                    db.finish().await.expect("clean-up");
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::testing::TestDb::postgres().await.expect("a PostgreSQL test database") else { return };
                    super::$name(&db).await;
                    db.finish().await.expect("clean-up");
                }
            )*
        }
    };
}
