//! The SQL both backends run, one text for both. This directory is compiled once inside
//! each backend module (`sqlite.rs`, `postgres.rs` mount it with `#[path]`), where `Backend`
//! is that module's store type; what differs between the databases is asked of it through
//! `Dialect` (crate::dialect), which the compiler checks each backend implements.
//! Parameters are written `$1`, which both databases accept.

mod audit_log;
mod budget;
mod case_list;
mod commit;
mod community;
mod directory;
mod follow_ups;
mod inbound;
mod kept;
mod rebuild;
mod referrals;
mod rows;
mod scores;
mod statistics;
mod writes;

pub(super) use commit::GroupQueue;

/// What every shared module sees.
mod prelude {
    pub(super) use std::collections::BTreeSet;

    pub(super) use chrono::{DateTime, Utc};
    pub(super) use homeward_domain::RecordedEvent;
    pub(super) use homeward_domain::access::Role;
    pub(super) use homeward_domain::ids::{CaseId, OfficeId, OrganisationId, UserId};
    pub(super) use sqlx::{QueryBuilder, Row};
    pub(super) use uuid::Uuid;

    pub(super) use crate::audit::{self as audit_chain, AuditDraft, AuditEntry};
    pub(super) use crate::dialect::{Dialect, ROWS};
    pub(super) use crate::rows::{
        BUDGET_COLUMNS, CASE_COLUMNS, COMMUNITY_COLUMNS, FOLLOW_UP_COLUMNS, INTERRUPTION_COLUMNS,
        PERSON_COLUMNS, PIPELINE_COLUMNS, REFERRAL_COLUMNS, RETURN_COLUMNS, SCORE_COLUMNS,
    };
    pub(super) use crate::{
        AuthSession, BudgetCell, BudgetHouseholds, BudgetRow, COUNT_BOUND, CaseFilter, CaseRow,
        Commit, CommunityCell, CommunityRow, Dim, DurationRow, EventBatch, EventRow, FollowUpCount,
        FollowUpRow, FollowUpWait, HouseholdsBy, InterruptionCount, InterruptionRow, ListOrder,
        NewCase, OfficeRow, OrganisationReferral, OrganisationRow, Page, PageRequest, PersonRow,
        PipelineRow, ProgrammeRow, RebuildStats, ReferralFigure, ReferralLink, ReferralRow,
        ReferralWait, ReturnCount, ReturnRow, SEARCH_BOUND, Scope, ScoreRow, SessionInDirectory,
        StageCount, StatFilter, StatRows, StoreError, SurveyRow, USER_COLUMNS, UserBase,
        UserChange, UserRecord, WaitingFollowUp, WaitingReferral, decode_joined,
    };

    pub(super) use super::super::Backend;
    pub(super) use super::audit_log::*;
    pub(super) use super::rows::*;
    pub(super) use super::writes::*;

    /// The backend's sqlx database.
    pub(super) type Db = <Backend as Dialect>::Db;
    pub(super) type CResult<T> = std::result::Result<T, StoreError>;
}

use prelude::*;

/// How long a pooled connection may have been idle and still be handed out unchecked.
const TRUSTED_IDLE: std::time::Duration = std::time::Duration::from_secs(10);

/// The pool options both backends start from. By default sqlx pings every connection it
/// hands out: a round trip (to the server, or to SQLite's driver thread) before every
/// query run on the pool, three per command (the session, the case's events, the write).
/// Here only a connection idle for longer than `TRUSTED_IDLE`, one the server may have
/// closed meanwhile, is pinged first (and replaced if the ping fails); one that breaks
/// while in use fails its query as it would have anyway.
///
/// Waiting for a connection is bounded (`waits::POOL_ACQUIRE`): past it the caller gets
/// `Unavailable` (503), never a wait without end.
pub(crate) fn pool_options() -> sqlx::pool::PoolOptions<Db> {
    sqlx::pool::PoolOptions::<Db>::new()
        .acquire_timeout(crate::waits::POOL_ACQUIRE)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > TRUSTED_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

impl Backend {
    pub async fn ping(&self) -> CResult<()> {
        sqlx::query("SELECT 1").execute(self.reader()).await?;
        Ok(())
    }

    /// The database floor of the benchmark harness: one transaction that inserts one row
    /// into `bench_floor` (which the harness creates), through the same writer as every
    /// command.
    pub async fn floor_insert(&self, n: i64, payload: &str) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO bench_floor (n, payload) VALUES ($1, $2)")
            .bind(n)
            .bind(payload)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Runs raw SQL on the writer's connection, outside any transaction (so that a
    /// test can also set the connection's pragmas, or undo what forbids writing).
    pub async fn execute_unchecked(&self, sql: &str) -> CResult<u64> {
        let n = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(self.writer())
            .await?
            .rows_affected();
        Ok(n)
    }
}
