//! Test databases: a fresh SQLite file, or a fresh schema in the PostgreSQL test database.
//!
//! PostgreSQL is at `HOMEWARD_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When it cannot be reached the PostgreSQL
//! variant of each test is skipped with a notice, except under `CI=true`, where a missing
//! database is a failure.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use homeward_store::Store;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub struct TestDb {
    pub store: Store,
    schema: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("homeward.db");
        let store = Store::connect(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        TestDb {
            store,
            schema: None,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Option<TestDb> {
        let url = std::env::var("HOMEWARD_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string());
        let schema = format!("hw_test_{}", uuid::Uuid::new_v4().simple());
        match Store::connect_postgres_schema(&url, &schema).await {
            Ok(store) => {
                store.migrate().await.unwrap();
                Some(TestDb {
                    store,
                    schema: Some((url, schema)),
                    _dir: None,
                })
            }
            Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("PostgreSQL at {url} is required in CI: {e}")
            }
            Err(e) => {
                eprintln!("skipping the PostgreSQL variant: {url} unreachable ({e})");
                None
            }
        }
    }

    /// Drops the test schema.
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((url, schema)) = self.schema {
            let admin = Store::connect(&url).await.unwrap();
            admin
                .execute_unchecked(&format!("DROP SCHEMA {schema} CASCADE"))
                .await
                .unwrap();
            admin.close().await;
        }
    }
}

/// Turns each `async fn name(db: &TestDb) { ... }` into a test on SQLite and one on
/// PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($db:ident: &TestDb) $body:block)*) => {
        $(
            async fn $name($db: &TestDb) $body
        )*
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::support::TestDb::sqlite().await;
                    super::$name(&db).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::support::TestDb::postgres().await else { return };
                    super::$name(&db).await;
                    db.finish().await;
                }
            )*
        }
    };
}
