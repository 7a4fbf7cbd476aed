//! What a write carries: the events of one case with the rows of its new state (and of
//! the rows stored before, only what changed), a new case, and a case's rows as each of
//! its months ended.

use super::*;

/// Events to append to one case, with the read-model rows of the resulting state and
/// the audit entry of the command, all written in one transaction.
#[derive(Debug)]
pub struct Commit {
    pub case_id: CaseId,
    /// The version the writer read; 0 for a new case.
    pub expected_version: u64,
    pub events: Vec<RecordedEvent>,
    pub case_row: CaseRow,
    /// The case row's columns these events change (see `Commit::of`): only they are
    /// written to a row already stored, so the indexes of the others are left alone.
    /// `None`: every column.
    pub(crate) changed: Option<Vec<&'static str>>,
    /// The people rows, or `None` when they are as before (a new case always has them).
    pub people: Option<Vec<PersonRow>>,
    /// The statistics rows, or `None` when they are as before.
    pub stats: Option<StatRows>,
    /// The budget and score rows `stats` replaces (those the state read projects to):
    /// taken from the kept sums as the new ones are added, without reading them back.
    pub(crate) kept_before: MonthRows,
    /// The month the change to the kept sums counts in (`projection::commit_month`).
    pub(crate) kept_month: NaiveDate,
    /// What it changes in the kept counts of scheduled follow-ups (a closure changes them
    /// without changing a row), as they stand and in `kept_month`.
    pub(crate) follow_ups: FollowUpTotals,
    pub audit: AuditDraft,
    /// The inbound referral a new case is registered from, as it stands once registered:
    /// written with the case only if it is still waiting (else `StoreError::Taken`).
    pub inbound: Option<homeward_domain::inbound::InboundReferral>,
    /// Budget lines this commit commits more of, each with the most the programme's cases
    /// may commit on it together (`homeward_domain::case::budget_limits`): if, with the
    /// commits written before it, they would commit more, nothing of it is written
    /// (`StoreError::OverBudget`).
    pub budget_limits: Vec<(Uuid, i64)>,
}

/// A case written whole, in a bulk load (`homeward generate`, the demo): its stream is new.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub case_id: CaseId,
    pub events: Vec<RecordedEvent>,
    pub case_row: CaseRow,
    pub people: Vec<PersonRow>,
    pub stats: StatRows,
    /// Its rows of the kept sums as each of its months ended (`projection::kept_history`).
    pub history: Vec<MonthRows>,
}

/// A case's rows that the kept sums add up (the budget's, the survey scores', the
/// community projects', the scheduled follow-ups' counts), as a month ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthRows {
    pub month: NaiveDate,
    pub budget: Vec<BudgetRow>,
    pub scores: Vec<ScoreRow>,
    pub community: Vec<CommunityRow>,
    pub follow_ups: FollowUpTotals,
}

impl MonthRows {
    /// The same rows, whatever the month.
    pub fn same_rows(&self, other: &MonthRows) -> bool {
        self.budget == other.budget
            && self.scores == other.scores
            && self.community == other.community
            && self.follow_ups == other.follow_ups
    }

    /// The kept rows of `stats` (and the follow-up counts of the case they are of), as of
    /// `month`.
    pub(crate) fn of(stats: StatRows, follow_ups: FollowUpTotals, month: NaiveDate) -> MonthRows {
        MonthRows {
            month,
            budget: stats.budget,
            scores: stats.scores,
            community: stats.community,
            follow_ups,
        }
    }
}

impl Commit {
    /// The commit of a case's last `new` events (of `all`, its events in order): `case` is
    /// its state after them, `before` the state the writer read (after the others), `None`
    /// for a new case. The read-model rows are projected here; of the rows stored (those
    /// `before` projects to) only what differs is written: the case row's columns that
    /// changed, the people and statistics rows only if they changed.
    pub fn of(
        before: Option<&Case>,
        case: &Case,
        all: &[RecordedEvent],
        new: usize,
        audit: AuditDraft,
    ) -> Commit {
        let read = all.len().saturating_sub(new);
        let (history, events) = all.split_at(read);
        let at = events.last().map_or(audit.at, |e| e.meta.recorded_at);
        let (case_row, people) = project(case, at);
        let month = crate::projection::commit_month(all)
            .unwrap_or_else(|| homeward_domain::stats::first_of_month(at.date_naive()));
        let (changed, people, stats, kept_before, follow_ups) = match before {
            Some(prev) => {
                // The rows as the last event the writer read had them written.
                let stored_at = history.last().map_or(at, |e| e.meta.recorded_at);
                let (row, stored_people) = project(prev, stored_at);
                let stored_stats = stat_rows(prev, history);
                let stats = crate::projection::stat_rows_after(case, all, prev, &stored_stats);
                let stored_follow_ups = FollowUpTotals::of(&stored_stats, &row);
                let follow_ups = FollowUpTotals::change(
                    &stored_follow_ups,
                    &FollowUpTotals::of(&stats, &case_row),
                );
                let changed = stored_stats != stats;
                (
                    Some(changed_columns(&row, &case_row)),
                    (stored_people != people).then_some(people),
                    changed.then_some(stats),
                    MonthRows::of(stored_stats, stored_follow_ups, month),
                    follow_ups,
                )
            }
            None => {
                let stats = stat_rows(case, all);
                let follow_ups = FollowUpTotals::of(&stats, &case_row);
                (
                    None,
                    Some(people),
                    Some(stats),
                    MonthRows::default(),
                    follow_ups,
                )
            }
        };
        Commit {
            case_id: case.id,
            expected_version: read as u64,
            kept_month: month,
            follow_ups,
            events: events.to_vec(),
            case_row,
            changed,
            people,
            stats,
            kept_before,
            audit,
            inbound: None,
            budget_limits: vec![],
        }
    }
}

impl Commit {
    /// The commit, registering its new case from this inbound referral (see `inbound`).
    pub fn with_inbound(self, inbound: Option<homeward_domain::inbound::InboundReferral>) -> Self {
        Commit { inbound, ..self }
    }

    /// The commit, held to these budget limits (see `budget_limits`).
    pub fn with_budget_limits(self, budget_limits: Vec<(Uuid, i64)>) -> Self {
        Commit {
            budget_limits,
            ..self
        }
    }
}

/// The columns after the key in which two rows of a case differ.
pub(crate) fn changed_columns(a: &CaseRow, b: &CaseRow) -> Vec<&'static str> {
    let differs = [
        a.reference != b.reference,
        a.host_office != b.host_office,
        a.return_office != b.return_office,
        a.programme != b.programme,
        a.stage != b.stage,
        a.outcome != b.outcome,
        a.country_of_return != b.country_of_return,
        a.principal_name != b.principal_name,
        a.members != b.members,
        a.vulnerabilities != b.vulnerabilities,
        a.registered_at != b.registered_at,
        a.first_counselling_at != b.first_counselling_at,
        a.applied_at != b.applied_at,
        a.decided_at != b.decided_at,
        a.departed_at != b.departed_at,
        a.arrived_at != b.arrived_at,
        a.withdrawn_at != b.withdrawn_at,
        a.closed_at != b.closed_at,
        a.version != b.version,
        a.updated_at != b.updated_at,
        a.departs_at != b.departs_at,
        a.owner != b.owner,
        a.unreached != b.unreached,
        a.items_due_on != b.items_due_on,
        a.documents_expire_on != b.documents_expire_on,
        a.plan_work != b.plan_work,
        a.plan_exceptions != b.plan_exceptions,
    ];
    CASE_COLUMN_NAMES[1..]
        .iter()
        .zip(differs)
        .filter_map(|(name, d)| d.then_some(*name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_column_names_are_the_column_list() {
        let listed: Vec<&str> = CASE_COLUMNS.split(',').map(str::trim).collect();
        assert_eq!(listed, CASE_COLUMN_NAMES);
    }
}
