//! Homeward's application services: the one place where the interfaces (HTTP JSON, HTML,
//! the command line) meet the domain and storage.
//!
//! Each service authenticates and authorises through the domain's access rules, loads
//! what a decision needs, calls the domain, and stores the result with its audit entry.
//! No business rule is written here; the rules are in `homeward-domain`.

pub mod admin;
pub mod auth;
pub mod budget;
pub mod cases;
pub mod communities;
pub mod cube;
pub mod demo;
mod directory;
pub mod impact;
pub mod inbound;
pub mod input;
pub mod links;
pub mod organisations;
pub mod partners;
pub mod performance;
mod recent;
pub mod referral_stats;
pub mod stats;
pub mod survey_template;
pub mod surveys;
pub mod views;
pub mod workbook;
pub mod xlsform;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use homeward_domain::Violation;
use homeward_domain::rules::Refusal;
use homeward_store::{AuditDraft, Store, StoreError};

pub use auth::Principal;

/// Settings of the application layer.
#[derive(Debug, Clone)]
pub struct Config {
    /// A browser session ends after this long without a request.
    pub session_idle: Duration,
    /// A browser session ends this long after sign-in, however active.
    pub session_absolute: Duration,
    /// API tokens expire after this long.
    pub token_lifetime: Duration,
    /// Failed sign-ins are counted over this window, and sign-in is refused (with
    /// Retry-After) beyond this many for one account from one network address: a wrong
    /// password, or a noisy client, locks that account from that address only...
    pub login_window: Duration,
    pub login_max_per_account_address: i64,
    /// ...or this many for one account from every address together (guessing spread over
    /// many addresses)...
    pub login_max_per_account: i64,
    /// ...or this many from one address for every account together (trying many
    /// accounts), except for accounts that signed in from it within 90 days: an office's
    /// staff behind one NAT or proxy.
    pub login_max_per_address: i64,
    /// Counts below this are suppressed for readers who may not see small numbers.
    pub stats_threshold: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            session_idle: Duration::minutes(30),
            session_absolute: Duration::hours(12),
            token_lifetime: Duration::days(90),
            login_window: Duration::minutes(15),
            login_max_per_account_address: 5,
            login_max_per_account: 50,
            login_max_per_address: 100,
            stats_threshold: 5,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("the case was changed by someone else: it is now at version {current}")]
    Conflict { current: u64 },
    #[error("{0} already exists")]
    Duplicate(String),
    #[error("invalid input")]
    Invalid(Vec<Violation>),
    #[error("{0}")]
    Refused(Refusal),
    #[error("too many attempts: try again in {retry_after_secs} seconds")]
    Throttled { retry_after_secs: u64 },
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(#[source] InternalError),
}

/// What went wrong on our side: what was being done, and its cause kept (logged whole,
/// never shown to the user).
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub struct InternalError {
    context: String,
    #[source]
    cause: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl InternalError {
    /// The message and each cause after it, outermost first: "a: b: c".
    pub fn chain(&self) -> String {
        let mut out = self.context.clone();
        let mut next = std::error::Error::source(self);
        while let Some(cause) = next {
            out.push_str(": ");
            out.push_str(&cause.to_string());
            next = cause.source();
        }
        out
    }
}

/// `.internal("what was being done")`: an error of ours, its cause kept.
pub trait Internally<T> {
    fn internal(self, context: &str) -> Result<T>;
}

impl<T, E: Into<Box<dyn std::error::Error + Send + Sync>>> Internally<T>
    for std::result::Result<T, E>
{
    fn internal(self, context: &str) -> Result<T> {
        self.map_err(|e| AppError::internal_from(context, e))
    }
}

impl AppError {
    pub fn invalid(v: Violation) -> Self {
        AppError::Invalid(vec![v])
    }

    /// An error of ours with no cause beyond what it says.
    pub fn internal(context: impl Into<String>) -> Self {
        AppError::Internal(InternalError {
            context: context.into(),
            cause: None,
        })
    }

    /// An error of ours, and its cause.
    pub fn internal_from(
        context: impl Into<String>,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        AppError::Internal(InternalError {
            context: context.into(),
            cause: Some(cause.into()),
        })
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { current } => AppError::Conflict { current },
            StoreError::Duplicate(what) => AppError::Duplicate(what),
            StoreError::NotFound => AppError::NotFound,
            // Only an inbound referral is taken by a write that expects it waiting.
            StoreError::Taken(_) => {
                AppError::Refused(Refusal::one(homeward_domain::inbound::not_waiting()))
            }
            // Another plan on the line was written first (two approved at once): the
            // decision that let this one through read the line before it.
            StoreError::OverBudget { line, .. } => AppError::Refused(Refusal::one(
                Violation::new(
                    "budget.over_committed",
                    "another plan committed this budget line meanwhile, and this one no longer fits in what is left: read the case again and record why, as an exception, for a second person to approve",
                )
                .param("line", line),
            )),
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            other => AppError::internal_from("storage", other),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Refused(r)
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The current time, at the microsecond precision both databases keep.
pub fn now() -> DateTime<Utc> {
    homeward_store::audit::truncate_micros(Utc::now())
}

/// The application: shared by every request.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: Config,
    stats: cube::StatsCube,
    joint: stats::JointCache,
    settled_follow_ups: performance::SettledFollowUps,
    directory: directory::Directory,
    recent: recent::RecentCases,
    /// Password hashes computed at once: each takes Argon2's 19 MiB and a core for tens
    /// of milliseconds, so a burst of sign-ins queues here instead of taking the memory of
    /// all of them at once.
    passwords: tokio::sync::Semaphore,
}

/// The cores this process may use (two if the system does not say): the bound of the
/// work that takes a core each (statistics passes, password hashes).
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

impl App {
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                config,
                stats: cube::StatsCube::default(),
                joint: stats::JointCache::default(),
                settled_follow_ups: performance::SettledFollowUps::default(),
                directory: directory::Directory::default(),
                recent: recent::RecentCases::default(),
                passwords: tokio::sync::Semaphore::new(cores()),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub(crate) fn directory(&self) -> &directory::Directory {
        &self.inner.directory
    }

    pub(crate) fn recent(&self) -> &recent::RecentCases {
        &self.inner.recent
    }

    pub(crate) fn stats_cube(&self) -> &cube::StatsCube {
        &self.inner.stats
    }

    pub(crate) fn joint_cache(&self) -> &stats::JointCache {
        &self.inner.joint
    }

    /// Hashes or verifies a password off the request threads, at most one per core.
    pub(crate) async fn password_work<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let _slot = self
            .inner
            .passwords
            .acquire()
            .await
            .internal("the password worker")?;
        tokio::task::spawn_blocking(f)
            .await
            .internal("the password worker")
    }

    /// Records an audit entry on its own transaction.
    pub(crate) async fn audit(&self, draft: AuditDraft) -> Result<()> {
        self.store().append_audit(&draft).await?;
        Ok(())
    }
}

/// Fresh identifiers: time-ordered UUIDs (v7), kind to B-tree indexes.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

#[cfg(test)]
mod internal_tests {
    use super::*;

    #[test]
    fn an_internal_error_keeps_its_cause() {
        let parsed: std::result::Result<u8, _> = "300".parse::<u8>();
        let Err(AppError::Internal(e)) = parsed.internal("reading a setting") else {
            unreachable!("a number too large for u8 is an error");
        };
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(
            e.chain(),
            "reading a setting: number too large to fit in target type"
        );
        let from_store = AppError::from(StoreError::Corrupt("event 3".into()));
        let AppError::Internal(e) = from_store else {
            unreachable!("a corrupt store is an internal error");
        };
        assert!(e.chain().starts_with("storage: "), "{}", e.chain());
    }
}
