//! Homeward storage: the append-only event log with optimistic concurrency, the read
//! models updated in the same transaction, accounts, sessions and the hash-chained audit
//! log, on SQLite (default, a local file) or PostgreSQL (by URL).
//!
//! Only this crate knows SQL. Both backends run the same queries (`shared/`, compiled
//! inside each backend module for its store type); what differs (connection, write
//! transactions, locking, backup) each backend supplies through `Dialect`.

/// `sqlx::FromRow` for a struct of named fields, each read from the column of its name,
/// on both databases: what sqlx's derive does, without its proc macro, which compiled both
/// database drivers, SQLite's C source and TLS a second time (for the compiler's host) in
/// every first build. A field left out does not compile.
macro_rules! from_row {
    ($t:ident { $($f:ident $(=> $decode:path)?),* $(,)? }) => {
        impl<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> for $t {
            fn from_row(row: &'r sqlx::sqlite::SqliteRow) -> Result<Self, sqlx::Error> {
                use sqlx::Row;
                Ok($t { $($f: from_row!(@column row, $f $(, $decode)?),)* })
            }
        }
        impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for $t {
            fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
                use sqlx::Row;
                Ok($t { $($f: from_row!(@column row, $f $(, $decode)?),)* })
            }
        }
    };
    (@column $row:ident, $f:ident) => {
        $row.try_get(stringify!($f))?
    };
    // A column decoded once, here, into the domain's type: a value the domain does not
    // know is an error naming the column, never a default.
    (@column $row:ident, $f:ident, $decode:path) => {
        $decode($row.try_get(stringify!($f))?).map_err(|e| sqlx::Error::ColumnDecode {
            index: stringify!($f).to_string(),
            source: e.into(),
        })?
    };
}

pub mod audit;
mod decode;
mod dialect;
mod error;
mod migrations;
mod postgres;
pub mod projection;
mod queries;
mod records;
mod rows;
mod sqlite;
mod stored_events;
#[cfg(feature = "testing")]
pub mod testing;

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use homeward_domain::access::Role;
use homeward_domain::ids::{BudgetLineId, CaseId, OfficeId, OrganisationId, ProgrammeId, UserId};
use homeward_domain::{RecordedEvent, Stage};
use serde::Serialize;
use uuid::Uuid;

pub use error::*;
pub use queries::*;
pub use records::*;

pub use audit::{AuditDraft, AuditEntry, ChainBreak};
pub use rows::{
    BudgetCell, BudgetHouseholds, BudgetRow, CaseRow, Commit, CommunityCell, CommunityRow,
    DurationRow, FollowUpCount, FollowUpRow, FollowUpTotals, HouseholdsBy, InterruptionCount,
    InterruptionRow, MonthRows, NewCase, PersonRow, PipelineRow, ReferralRow, ReturnRow, SCORE_ANY,
    SCORE_NONE, ScoreBy, ScoreCell, ScoreRow, StageCount, StatRows,
};
pub use sqlite::forgo_memory_statistics;
pub use stored_events::decode_event;
use stored_events::{EventBatch, EventRow, decode_joined};

/// How long anything waits on the database before it gives up, so that a request fails
/// with a clear 503 within seconds and the server recovers by itself, rather than waiting
/// for ever behind a stalled peer (ARCHITECTURE.md, "Waits"). Bulk work that runs long on
/// purpose (rebuilding the read models, migrations, digests) lifts the PostgreSQL limits
/// for its own transaction or connection (`unhurried`).
pub mod waits {
    use std::time::Duration;

    /// A connection from one of the store's pools (both backends).
    pub const POOL_ACQUIRE: Duration = Duration::from_secs(5);
    /// A lock held by another transaction: PostgreSQL's `lock_timeout` (the audit lock,
    /// a row), SQLite's busy timeout (the database's write lock).
    pub const LOCK: Duration = Duration::from_secs(5);
    /// PostgreSQL's `idle_in_transaction_session_timeout`: a session whose client stopped
    /// in the middle of a transaction (a process paused or cut off) is ended by the
    /// database, and the locks it held with it. No transaction of ours waits on anything
    /// but its own statements, so none is ever idle that long while its client lives.
    pub const IDLE_IN_TRANSACTION: Duration = Duration::from_secs(5);
    /// PostgreSQL's `statement_timeout`: one statement of the server's.
    pub const STATEMENT: Duration = Duration::from_secs(60);
    /// `/readyz`: the database answers a ping within this, or the server is not ready.
    pub const READY: Duration = Duration::from_secs(2);

    /// A duration as PostgreSQL's settings take it, in milliseconds.
    pub(crate) fn millis(d: Duration) -> String {
        format!("{}ms", d.as_millis())
    }
}

/// The keys of PostgreSQL's advisory lock that guards the audit chain and orders the
/// events' positions with commits, as SQL arguments: one lock per schema (the second key
/// is the schema's name hashed), so that installations or tests sharing a database in
/// schemas of their own do not wait on each other. Public for the tests that hold it.
pub const POSTGRES_AUDIT_LOCK: &str = "1215262053, hashtext(current_schema())";

/// A storage backend, chosen by URL at start-up.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

/// Offices as the SQL binds them.
fn raw_offices(offices: Option<&[OfficeId]>) -> Option<Vec<Uuid>> {
    offices.map(|o| o.iter().map(|o| o.0).collect())
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Store::Sqlite($s) => $e,
            Store::Postgres($s) => $e,
        }
    };
}

impl Store {
    /// Connects to `sqlite:path` (`sqlite::memory:` for a throw-away database) or
    /// `postgres://...`. A SQLite file is created if missing.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::Postgres(
                postgres::PgStore::connect(url, None).await?,
            ))
        } else if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.trim_start_matches("//");
            Ok(Store::Sqlite(sqlite::SqliteStore::open(path).await?))
        } else {
            Err(StoreError::Unsupported(format!(
                "database URL '{url}': use sqlite:PATH or postgres://..."
            )))
        }
    }

    /// Connects to PostgreSQL with every table in `schema` (created if missing): lets
    /// tests share one database.
    pub async fn connect_postgres_schema(url: &str, schema: &str) -> Result<Store> {
        Ok(Store::Postgres(
            postgres::PgStore::connect(url, Some(schema)).await?,
        ))
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Creates or upgrades the schema; then fills what a migration added to the read
    /// models (a column, a table of statistics rows) for the cases already stored: a
    /// database that applied any migration now, and is not new (nothing to fill), is
    /// rebuilt from its log.
    pub async fn migrate(&self) -> Result<()> {
        let applied = dispatch!(self, s => s.migrate().await)?;
        let upgraded = !applied.is_empty() && !applied.contains(&1);
        if upgraded || dispatch!(self, s => s.search_words_missing().await)? {
            self.rebuild_read_models().await?;
        }
        Ok(())
    }

    /// Whether the database answers (readiness).
    pub async fn ping(&self) -> Result<()> {
        dispatch!(self, s => s.ping().await)
    }

    pub async fn close(&self) {
        dispatch!(self, s => s.close().await)
    }

    // ---- events -------------------------------------------------------------------

    /// Appends one case's events with its read-model rows and audit entry. Commits that
    /// arrive while the writer is busy are written together in its next transaction
    /// (group commit); each is answered once its transaction has committed.
    pub async fn append(&self, commit: Commit) -> Result<()> {
        dispatch!(self, s => s.append(commit).await)
    }

    /// Several commits in one transaction, as group commit writes them: a conflicting
    /// commit writes nothing and the others go on; if one fails otherwise, each is tried
    /// alone. The outcome of each, in order.
    pub async fn append_group(&self, commits: &[&Commit]) -> Vec<Result<()>> {
        dispatch!(self, s => s.append_group(commits).await)
    }

    /// Many new cases in one transaction (bulk loads); see the backends' doc.
    pub async fn append_new_cases(
        &self,
        cases: &[NewCase],
        references: &[(String, i64)],
        audit: &AuditDraft,
    ) -> Result<()> {
        dispatch!(self, s => s.append_new_cases(cases, references, audit).await)
    }

    pub async fn load_events(&self, case: CaseId) -> Result<Vec<RecordedEvent>> {
        dispatch!(self, s => s.load_events(case).await)
    }

    pub async fn next_reference_number(&self, key: &str) -> Result<i64> {
        dispatch!(self, s => s.next_reference_number(key).await)
    }

    pub async fn count_events(&self) -> Result<i64> {
        dispatch!(self, s => s.count_events().await)
    }

    // ---- read models --------------------------------------------------------------

    pub async fn case_row(&self, scope: &Scope, case: CaseId) -> Result<Option<CaseRow>> {
        dispatch!(self, s => s.case_row(scope, case).await)
    }

    pub async fn list_cases(
        &self,
        scope: &Scope,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> Result<Page<CaseRow>> {
        dispatch!(self, s => s.list_cases(scope, filter, page).await)
    }

    /// What the programme's cases other than `case` commit on each of `lines`.
    pub async fn committed_elsewhere(
        &self,
        programme: ProgrammeId,
        case: CaseId,
        lines: &[BudgetLineId],
    ) -> Result<Vec<(BudgetLineId, i64)>> {
        let lines: Vec<Uuid> = lines.iter().map(|l| l.0).collect();
        let committed =
            dispatch!(self, s => s.committed_elsewhere(programme.0, case.0, &lines).await)?;
        Ok(committed
            .into_iter()
            .map(|(line, c)| (BudgetLineId(line), c))
            .collect())
    }

    /// What the programme's cases commit on each of `lines`.
    pub async fn committed_on(
        &self,
        programme: ProgrammeId,
        lines: &[BudgetLineId],
    ) -> Result<Vec<(BudgetLineId, i64)>> {
        // No case has the nil id: every case's.
        self.committed_elsewhere(programme, CaseId(Uuid::nil()), lines)
            .await
    }

    /// The programme's budget rows summed by line, assistance type, country and office.
    pub async fn budget_cells(
        &self,
        programme: ProgrammeId,
        offices: Option<&[OfficeId]>,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<BudgetCell>> {
        let offices = raw_offices(offices);
        dispatch!(self, s => s.budget_cells(programme.0, offices.as_deref(), as_of).await)
    }

    /// Households with a plan on the programme's budget, by assistance type or country;
    /// as the month `as_of` ended when given.
    pub async fn budget_households(
        &self,
        programme: ProgrammeId,
        offices: Option<&[OfficeId]>,
        by: HouseholdsBy,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<BudgetHouseholds>> {
        let offices = raw_offices(offices);
        dispatch!(self, s => s.budget_households(programme.0, offices.as_deref(), by, as_of).await)
    }

    /// A programme's community projects by country of return, of the cases `offices`
    /// host or lead (all when `None`), from the kept sums: as the month `as_of` ended
    /// when given (`community_totals`).
    pub async fn community_cells(
        &self,
        programme: ProgrammeId,
        offices: Option<&[OfficeId]>,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<CommunityCell>> {
        let offices = raw_offices(offices);
        dispatch!(self, s => s.community_cells(programme.0, offices.as_deref(), as_of).await)
    }

    /// A programme's scheduled follow-ups counted by follow-up, where they stand on
    /// `today` and whether their cases are followed up; the returned cases to count and
    /// those held (`scope`: all when `None`). As recorded up to the end of the month of
    /// `recorded_until`, or as they stand (`None`).
    pub async fn follow_up_counts(
        &self,
        programme: ProgrammeId,
        scope: Option<&Scope>,
        today: NaiveDate,
        recorded_until: Option<NaiveDate>,
    ) -> Result<(Vec<FollowUpCount>, i64, i64)> {
        dispatch!(self, s => s.follow_up_counts(programme.0, scope, today, recorded_until).await)
    }

    pub async fn follow_ups_waiting(
        &self,
        scope: &Scope,
        wait: FollowUpWait,
        page: PageRequest,
    ) -> Result<Page<WaitingFollowUp>> {
        dispatch!(self, s => s.follow_ups_waiting(scope, wait, page).await)
    }

    /// The referrals of cases in scope that wait for an answer as `wait` says, longest
    /// overdue first.
    pub async fn referrals_waiting(
        &self,
        scope: &Scope,
        wait: ReferralWait,
        page: PageRequest,
    ) -> Result<Page<WaitingReferral>> {
        dispatch!(self, s => s.referrals_waiting(scope, wait, page).await)
    }

    pub async fn create_inbound(
        &self,
        r: &homeward_domain::inbound::InboundReferral,
    ) -> Result<()> {
        dispatch!(self, s => s.create_inbound(r).await)
    }

    pub async fn inbound(
        &self,
        id: Uuid,
    ) -> Result<Option<homeward_domain::inbound::InboundReferral>> {
        dispatch!(self, s => s.inbound(id).await)
    }

    /// Writes a decision (the referral as it stands after it) on a referral still
    /// waiting: whether it was. Registering is written with the case (`Commit::inbound`).
    pub async fn decide_inbound(
        &self,
        r: &homeward_domain::inbound::InboundReferral,
    ) -> Result<bool> {
        dispatch!(self, s => s.decide_inbound(r).await)
    }

    /// The inbound referrals addressed to these offices in one of `statuses`: waiting
    /// ones urgent first, then oldest first; decided ones latest decided first.
    pub async fn inbound_for_offices(
        &self,
        offices: &[OfficeId],
        statuses: &[homeward_domain::inbound::InboundStatus],
        page: PageRequest,
    ) -> Result<Page<homeward_domain::inbound::InboundReferral>> {
        dispatch!(self, s => s.inbound_list(InboundOf::Offices(offices), statuses, page).await)
    }

    /// The inbound referrals an organisation sent, in one of `statuses`.
    pub async fn inbound_of_organisation(
        &self,
        organisation: OrganisationId,
        statuses: &[homeward_domain::inbound::InboundStatus],
        page: PageRequest,
    ) -> Result<Page<homeward_domain::inbound::InboundReferral>> {
        dispatch!(self, s => s.inbound_list(InboundOf::Organisation(organisation), statuses, page).await)
    }

    pub async fn create_referral_link(&self, link: &ReferralLink) -> Result<()> {
        dispatch!(self, s => s.create_referral_link(link).await)
    }

    /// The link whose secret hashes to `secret_hash`, used or not, expired or not.
    pub async fn referral_link(&self, secret_hash: &str) -> Result<Option<ReferralLink>> {
        dispatch!(self, s => s.referral_link(secret_hash).await)
    }

    /// Marks a link used at `at`, if it was not: whether this call did (one answer per
    /// link, however many arrive at once).
    pub async fn use_referral_link(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool> {
        dispatch!(self, s => s.use_referral_link(id, at).await)
    }

    /// Ends every link of a referral still working (sent to the wrong address, say): how
    /// many.
    pub async fn withdraw_referral_links(
        &self,
        case_id: CaseId,
        referral_id: homeward_domain::ids::ReferralId,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        dispatch!(self, s => s.withdraw_referral_links(case_id.0, referral_id.0, at).await)
    }

    /// Gives back a link its caller marked used and whose answer was then not recorded.
    pub async fn release_referral_link(&self, id: Uuid) -> Result<()> {
        dispatch!(self, s => s.release_referral_link(id).await)
    }

    /// Referrals of `offices` sent between `since` and `until`, counted by need,
    /// organisation and outcome.
    pub async fn referral_figures(
        &self,
        offices: &[OfficeId],
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> Result<Vec<ReferralFigure>> {
        dispatch!(self, s => s.referral_figures(offices, since, until).await)
    }

    /// The referrals addressed to an organisation in one of `statuses` (codes).
    pub async fn organisation_referrals(
        &self,
        organisation: OrganisationId,
        statuses: &[&str],
        page: PageRequest,
    ) -> Result<Page<OrganisationReferral>> {
        dispatch!(self, s => s.organisation_referrals(organisation, statuses, page).await)
    }

    /// Per status: how many referrals an organisation has, and how many were due before
    /// `today`.
    pub async fn organisation_referral_counts(
        &self,
        organisation: OrganisationId,
        today: NaiveDate,
    ) -> Result<Vec<(String, i64, i64)>> {
        dispatch!(self, s => s.organisation_referral_counts(organisation, today).await)
    }

    pub async fn search_people(
        &self,
        scope: &Scope,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> Result<Page<PersonRow>> {
        dispatch!(self, s => s.search_people(scope, filter, page).await)
    }

    /// Returns grouped by `dims`: people and (distinct) cases per group.
    pub async fn count_returns(
        &self,
        dims: &[Dim],
        filter: &StatFilter,
    ) -> Result<Vec<ReturnCount>> {
        dispatch!(self, s => s.count_returns(dims, filter).await)
    }

    /// Withdrawals, rejections and no-shows by kind, year and stage.
    pub async fn count_interruptions(&self, filter: &StatFilter) -> Result<Vec<InterruptionCount>> {
        dispatch!(self, s => s.count_interruptions(filter).await)
    }

    /// The cases interrupted in the filter's period, by kind, each case once.
    pub async fn count_interrupted_cases(&self, filter: &StatFilter) -> Result<Vec<(String, i64)>> {
        dispatch!(self, s => s.count_interrupted_cases(filter).await)
    }

    /// Cases and people by current stage.
    pub async fn count_by_stage(&self, filter: &StatFilter) -> Result<Vec<StageCount>> {
        dispatch!(self, s => s.count_by_stage(filter).await)
    }

    /// For departed cases: (departed_at, registered_at, applied_at, country of return),
    /// streamed to `f` (at a million cases, half a million rows: never all in memory).
    pub async fn for_each_departure(
        &self,
        filter: &StatFilter,
        f: impl FnMut(DurationRow),
    ) -> Result<()> {
        dispatch!(self, s => s.for_each_departure(filter, f).await)
    }

    /// The position of the last event written (0: none); every event up to it is visible.
    pub async fn last_event_position(&self) -> Result<i64> {
        dispatch!(self, s => s.last_event_position().await)
    }

    /// The cases with an event at a position in `(after, upto]`.
    pub async fn cases_changed_between(&self, after: i64, upto: i64) -> Result<Vec<Uuid>> {
        dispatch!(self, s => s.cases_changed_between(after, upto).await)
    }

    /// The returns rows of these cases.
    pub async fn return_rows_of(&self, cases: &[Uuid]) -> Result<Vec<ReturnRow>> {
        dispatch!(self, s => s.return_rows_of(cases).await)
    }

    /// The options taken up of these cases, each as its returnee's row.
    pub async fn taken_up_rows_of(&self, cases: &[Uuid]) -> Result<Vec<ReturnRow>> {
        dispatch!(self, s => s.taken_up_rows_of(cases).await)
    }

    /// Every option taken up as its returnee's row, streamed to `f` in case order.
    pub async fn for_each_taken_up_row(&self, f: impl FnMut(ReturnRow)) -> Result<()> {
        dispatch!(self, s => s.for_each_taken_up_row(f).await)
    }

    /// Every returns row, streamed to `f` in case order.
    pub async fn for_each_return_row(&self, f: impl FnMut(ReturnRow)) -> Result<()> {
        dispatch!(self, s => s.for_each_return_row(f).await)
    }

    /// What the pipeline figures need of these cases, one row per case.
    pub async fn pipeline_rows_of(&self, cases: &[Uuid]) -> Result<Vec<PipelineRow>> {
        dispatch!(self, s => s.pipeline_rows_of(cases).await)
    }

    /// What the pipeline figures need of every case, streamed to `f`.
    pub async fn for_each_pipeline_row(&self, f: impl FnMut(PipelineRow)) -> Result<()> {
        dispatch!(self, s => s.for_each_pipeline_row(f).await)
    }

    /// The withdrawals, rejections and no-shows of these cases.
    pub async fn interruption_rows_of(&self, cases: &[Uuid]) -> Result<Vec<InterruptionRow>> {
        dispatch!(self, s => s.interruption_rows_of(cases).await)
    }

    /// Every withdrawal, rejection and no-show, streamed to `f`.
    pub async fn for_each_interruption_row(&self, f: impl FnMut(InterruptionRow)) -> Result<()> {
        dispatch!(self, s => s.for_each_interruption_row(f).await)
    }

    /// Every statistics row, in a stable order (for comparing with a rebuild).
    pub async fn stats_snapshot(&self) -> Result<StatRows> {
        dispatch!(self, s => s.stats_snapshot().await)
    }

    pub async fn rebuild_read_models(&self) -> Result<RebuildStats> {
        let stats = dispatch!(self, s => s.rebuild_read_models().await)?;
        self.analyze().await?;
        Ok(stats)
    }

    /// The secondary indexes of the read models, as (name, the statement that creates it).
    pub async fn read_model_indexes(&self) -> Result<Vec<(String, String)>> {
        dispatch!(self, s => s.read_model_indexes().await)
    }

    /// Every read-model row, in a stable order (for comparing with a rebuild).
    pub async fn read_model_snapshot(&self) -> Result<(Vec<CaseRow>, Vec<PersonRow>)> {
        dispatch!(self, s => s.read_model_snapshot().await)
    }

    /// A digest of every read model's rows (see the backends' `read_model_digest`):
    /// compares a database's read models before and after a rebuild in flat memory.
    pub async fn read_model_digest(&self) -> Result<[u8; 32]> {
        dispatch!(self, s => s.read_model_digest().await)
    }

    // ---- offices and programmes ---------------------------------------------------

    pub async fn create_office(&self, o: &OfficeRow) -> Result<()> {
        dispatch!(self, s => s.create_office(o).await)
    }

    /// The display names of these users (unknown ids left out).
    pub async fn user_names(&self, ids: &[UserId]) -> Result<Vec<(UserId, String)>> {
        let names = dispatch!(self, s => s.user_names(ids).await)?;
        Ok(names.into_iter().map(|(id, n)| (UserId(id), n)).collect())
    }

    /// Changes an office's name or time zone (each if given); false if there is no such
    /// office.
    pub async fn update_office(
        &self,
        id: OfficeId,
        name: Option<&str>,
        time_zone: Option<&str>,
    ) -> Result<bool> {
        dispatch!(self, s => s.update_office(id, name, time_zone).await)
    }

    pub async fn list_offices(&self) -> Result<Vec<OfficeRow>> {
        dispatch!(self, s => s.list_offices().await)
    }

    pub async fn office(&self, id: OfficeId) -> Result<Option<OfficeRow>> {
        dispatch!(self, s => s.office(id).await)
    }

    pub async fn create_programme(&self, p: &ProgrammeRow) -> Result<()> {
        dispatch!(self, s => s.create_programme(p).await)
    }

    pub async fn update_programme(&self, p: &ProgrammeRow) -> Result<()> {
        dispatch!(self, s => s.update_programme(p).await)
    }

    /// Updates a programme only if its settings are still those `read`: false when
    /// someone changed them since.
    pub async fn update_programme_from(&self, p: &ProgrammeRow, read: &str) -> Result<bool> {
        dispatch!(self, s => s.update_programme_from(p, read).await)
    }

    pub async fn programme_has_arrivals(&self, programme: ProgrammeId) -> Result<bool> {
        dispatch!(self, s => s.programme_has_arrivals(programme.0).await)
    }

    pub async fn create_organisation(&self, o: &OrganisationRow) -> Result<()> {
        dispatch!(self, s => s.create_organisation(o).await)
    }

    pub async fn update_organisation(&self, o: &OrganisationRow) -> Result<()> {
        dispatch!(self, s => s.update_organisation(o).await)
    }

    /// Adds or replaces organisations (by id), all in one transaction.
    pub async fn upsert_organisations(&self, rows: &[OrganisationRow]) -> Result<()> {
        dispatch!(self, s => s.upsert_organisations(rows).await)
    }

    /// Every organisation, by name.
    pub async fn list_organisations(&self) -> Result<Vec<OrganisationRow>> {
        dispatch!(self, s => s.list_organisations().await)
    }

    pub async fn organisation(&self, id: OrganisationId) -> Result<Option<OrganisationRow>> {
        dispatch!(self, s => s.organisation(id.0).await)
    }

    /// Adds a survey version: `Duplicate` if that version of the survey exists (someone
    /// imported one meanwhile). Versions are never changed.
    pub async fn insert_survey(&self, row: &SurveyRow) -> Result<()> {
        dispatch!(self, s => s.insert_survey(row).await)
    }

    /// The programme's survey scores summed by survey, version, band of time since return
    /// and `by`, of the cases `offices` host or lead (all when `None`), as the month
    /// `as_of` ended when given (`score_totals`, the kept sums).
    pub async fn score_cells(
        &self,
        programme: ProgrammeId,
        offices: Option<&[OfficeId]>,
        by: ScoreBy,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<ScoreCell>> {
        let offices = raw_offices(offices);
        dispatch!(self, s => s.score_cells(programme.0, offices.as_deref(), by, as_of).await)
    }

    /// Every version of every survey, by survey and version.
    pub async fn list_surveys(&self) -> Result<Vec<SurveyRow>> {
        dispatch!(self, s => s.list_surveys().await)
    }

    /// The versions of a survey and when each was imported, oldest first (without their
    /// definitions).
    pub async fn survey_versions(&self, key: &str) -> Result<Vec<(i64, DateTime<Utc>)>> {
        dispatch!(self, s => s.survey_versions(key).await)
    }

    /// A version of a survey; without `version`, its latest.
    pub async fn survey(&self, key: &str, version: Option<i64>) -> Result<Option<SurveyRow>> {
        dispatch!(self, s => s.survey(key, version).await)
    }

    pub async fn list_programmes(&self) -> Result<Vec<ProgrammeRow>> {
        dispatch!(self, s => s.list_programmes().await)
    }

    pub async fn programme(&self, id: ProgrammeId) -> Result<Option<ProgrammeRow>> {
        dispatch!(self, s => s.programme(id.0).await)
    }

    // ---- users and sessions -------------------------------------------------------

    pub async fn create_user(&self, u: &UserRecord) -> Result<()> {
        dispatch!(self, s => s.create_user(u).await)
    }

    pub async fn update_user(&self, id: UserId, change: &UserChange) -> Result<()> {
        dispatch!(self, s => s.update_user(id, change).await)
    }

    pub async fn user(&self, id: UserId) -> Result<Option<UserRecord>> {
        dispatch!(self, s => s.user(id).await)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        dispatch!(self, s => s.user_by_username(username).await)
    }

    pub async fn list_users(&self) -> Result<Vec<UserRecord>> {
        dispatch!(self, s => s.list_users().await)
    }

    pub async fn count_users(&self) -> Result<i64> {
        dispatch!(self, s => s.count_users().await)
    }

    pub async fn create_session(&self, session: &AuthSession) -> Result<()> {
        dispatch!(self, s => s.create_session(session).await)
    }

    /// A session with the directory generation read in the same query: a number that
    /// every change to users, their roles and offices, or programmes raises in the same
    /// transaction, whichever process makes it. What was loaded under a generation is
    /// current while the generation is.
    pub async fn session_in_directory(&self, id: &str) -> Result<Option<(AuthSession, i64)>> {
        dispatch!(self, s => s.session_in_directory(id).await)
    }

    pub async fn directory_generation(&self) -> Result<i64> {
        dispatch!(self, s => s.directory_generation().await)
    }

    pub async fn touch_session(&self, id: &str, at: DateTime<Utc>) -> Result<()> {
        dispatch!(self, s => s.touch_session(id, at).await)
    }

    pub async fn delete_session(&self, id: &str) -> Result<()> {
        dispatch!(self, s => s.delete_session(id).await)
    }

    /// Ends every session and token of a user ("log out everywhere").
    pub async fn delete_user_sessions(&self, user: UserId) -> Result<u64> {
        dispatch!(self, s => s.delete_user_sessions(user).await)
    }

    pub async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        dispatch!(self, s => s.delete_expired_sessions(now).await)
    }

    pub async fn record_login_failure(&self, keys: &[String], at: DateTime<Utc>) -> Result<()> {
        dispatch!(self, s => s.record_login_failure(keys, at).await)
    }

    pub async fn count_login_failures(&self, key: &str, since: DateTime<Utc>) -> Result<i64> {
        dispatch!(self, s => s.count_login_failures(key, since).await)
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        dispatch!(self, s => s.clear_login_failures(key).await)
    }

    // ---- audit --------------------------------------------------------------------

    /// Appends an entry on its own (reads of sensitive data, administration).
    pub async fn append_audit(&self, draft: &AuditDraft) -> Result<AuditEntry> {
        dispatch!(self, s => s.append_audit(draft).await)
    }

    /// Entries newest first.
    pub async fn list_audit(&self, page: PageRequest) -> Result<Page<AuditEntry>> {
        dispatch!(self, s => s.list_audit(page).await)
    }

    /// Entries from `after_seq` on, oldest first, at most `limit`.
    pub async fn audit_chunk(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        dispatch!(self, s => s.audit_chunk(after_seq, limit).await)
    }

    /// Walks the whole chain; the first entry that does not match, if any.
    pub async fn verify_audit(&self) -> Result<Result<u64, ChainBreak>> {
        let mut prev = audit::GENESIS.to_string();
        let mut after = 0;
        let mut count = 0u64;
        loop {
            let chunk = self.audit_chunk(after, 1000).await?;
            if chunk.is_empty() {
                return Ok(Ok(count));
            }
            for e in &chunk {
                if let Err(b) = audit::check(e, &prev, after + 1) {
                    return Ok(Err(b));
                }
                prev = e.hash.clone();
                after = e.seq;
                count += 1;
            }
        }
    }

    /// A consistent copy of the database, taken while it serves (SQLite only).
    pub async fn backup(&self, to: &std::path::Path) -> Result<()> {
        match self {
            Store::Sqlite(s) => s.backup(to).await,
            Store::Postgres(_) => Err(StoreError::Unsupported(
                "backups of PostgreSQL are taken with pg_dump".into(),
            )),
        }
    }

    /// The database's own consistency check: SQLite's `PRAGMA integrity_check` (its
    /// findings; `["ok"]` when sound). PostgreSQL checks itself continuously: `["ok"]`
    /// once it answers.
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        match self {
            Store::Sqlite(s) => s.integrity_check().await,
            Store::Postgres(s) => s.ping().await.map(|()| vec!["ok".to_string()]),
        }
    }

    /// The benchmark harness's floor: a bare single-row insert transaction.
    #[doc(hidden)]
    pub async fn floor_insert(&self, n: i64, payload: &str) -> Result<()> {
        dispatch!(self, s => s.floor_insert(n, payload).await)
    }

    /// Refreshes the query planner's statistics (and, for the read models, the visibility
    /// maps) after a bulk load or a rebuild, so that searches use their indexes at once
    /// rather than when autovacuum gets to it (which may be never where it is switched off). PostgreSQL only: SQLite plans from its
    /// schema, and its plans are the ones the tests and benchmarks measure.
    pub async fn analyze(&self) -> Result<()> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Postgres(s) => {
                s.execute_unchecked("ANALYZE").await?;
                // The read models' visibility maps too, so that list totals and statistics
                // read their covering indexes without visiting the table (3 s at a million
                // cases; the event log is left to autovacuum).
                s.execute_unchecked(
                    "VACUUM case_summaries, case_people, person_tokens, stat_returns, \
                     stat_interruptions, stat_taken_up",
                )
                .await
                .map(|_| ())
            }
        }
    }

    /// Gives the writer more memory from now on, for a process that writes in bulk
    /// (generating a programme): on SQLite a page cache of 256 MB and no soft heap limit,
    /// as a rebuild has. Not for the server.
    pub async fn use_bulk_memory(&self) -> Result<()> {
        dispatch!(self, s => s.use_bulk_memory().await)
    }

    /// The writer's memory settings, as text (for tests: a rebuild gives back the memory
    /// it took).
    #[doc(hidden)]
    pub async fn writer_memory(&self) -> Result<String> {
        dispatch!(self, s => s.writer_memory().await)
    }

    /// Runs raw SQL: for tests that tamper with the database on purpose.
    #[doc(hidden)]
    pub async fn execute_unchecked(&self, sql: &str) -> Result<u64> {
        dispatch!(self, s => s.execute_unchecked(sql).await)
    }
}
