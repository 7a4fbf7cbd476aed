//! The kept sums together: the budget's (`budget`), the survey scores' (`scores`), the
//! community projects' (`community`) and the scheduled follow-ups' counts
//! (`rows::follow_ups`, in `follow_up_months`), each by the month its change was recorded
//! in, and the follow-ups' counts as they stand too (`follow_up_totals`, their sum over
//! the months), added alike by a commit (its change, to its month), a bulk load and a
//! rebuild (each case's rows as each of its months ended).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::query_builder::Separated;

use super::prelude::*;
use crate::MonthRows;

/// Adds `other`'s sums into `into`, key by key.
pub(crate) fn merge_sums<K: Ord, const N: usize>(
    into: &mut BTreeMap<K, [i64; N]>,
    other: BTreeMap<K, [i64; N]>,
) {
    for (key, s) in other {
        let e = into.entry(key).or_insert([0; N]);
        for (a, b) in e.iter_mut().zip(s) {
            *a += b;
        }
    }
}

/// Adds `sums` (each key's change, in `sum_columns`' order) into the kept sums `table`,
/// keyed by `key_columns` (bound by `bind_key`), `per_statement` rows at a time: a key's
/// row already there adds them. Changes that add nothing are not written.
pub(crate) async fn write_sums<K, const N: usize>(
    tx: &mut sqlx::Transaction<'_, Db>,
    table: &str,
    key_columns: &str,
    sum_columns: &str,
    per_statement: usize,
    sums: BTreeMap<K, [i64; N]>,
    bind_key: impl Fn(&mut Separated<'_, Db, &'static str>, &K),
) -> CResult<()> {
    let sums: Vec<_> = sums
        .into_iter()
        .filter(|(_, s)| s.iter().any(|v| *v != 0))
        .collect();
    for chunk in sums.chunks(per_statement) {
        let mut q = QueryBuilder::<Db>::new(format!(
            "INSERT INTO {table} ({key_columns}, {sum_columns}) "
        ));
        q.push_values(chunk, |mut b, (key, s)| {
            bind_key(&mut b, key);
            for v in s {
                b.push_bind(*v);
            }
        });
        q.push(format!(" ON CONFLICT ({key_columns}) DO UPDATE SET "));
        let mut set = q.separated(", ");
        for c in sum_columns.split(", ") {
            set.push(format!("{c} = {table}.{c} + excluded.{c}"));
        }
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Changes to every kept sum, gathered before they are written.
#[derive(Debug, Default)]
pub(crate) struct KeptSums {
    budget: super::budget::BudgetSums,
    scores: super::scores::ScoreSums,
    community: super::community::CommunitySums,
    /// The scheduled follow-ups' counts, as they stand (not by month).
    follow_ups: crate::FollowUpTotals,
    /// The same changes, by the month each counts in.
    follow_up_months: BTreeMap<(NaiveDate, crate::rows::FollowUpKey), [i64; 1]>,
}

/// The kept follow-up counts by month's key columns: the month, then `FOLLOW_UP_KEY`.
const FOLLOW_UP_MONTH_KEY: &str = "month, programme, host_office, office, number, opens_on, \
     closes_on, missed_from, held, followed";

/// Binds a follow-up count's key, in `FOLLOW_UP_KEY`'s order.
fn bind_follow_up_key(b: &mut Separated<'_, Db, &'static str>, k: &crate::rows::FollowUpKey) {
    b.push_bind(k.0)
        .push_bind(k.1)
        .push_bind(k.2)
        .push_bind(k.3)
        .push_bind(k.4)
        .push_bind(k.5)
        .push_bind(k.6)
        .push_bind(k.7)
        .push_bind(k.8);
}

/// The follow-up counts' key columns, in `FollowUpKey`'s order.
const FOLLOW_UP_KEY: &str =
    "programme, host_office, office, number, opens_on, closes_on, missed_from, held, followed";

/// The kept follow-up counts by month in the order the digest reads them.
pub(crate) const FOLLOW_UP_MONTHS_DIGEST: &str = "SELECT programme, month, host_office, \
     office, number, opens_on, closes_on, missed_from, held, followed, slots FROM \
     follow_up_months WHERE slots <> 0 ORDER BY programme, month, host_office, office, \
     number, opens_on, closes_on, missed_from, held, followed";

/// The kept follow-up counts in the order the digest reads them.
pub(crate) const FOLLOW_UP_TOTALS_DIGEST: &str = "SELECT programme, host_office, office, \
     number, opens_on, closes_on, missed_from, held, followed, slots FROM follow_up_totals \
     WHERE slots <> 0 ORDER BY programme, host_office, office, number, opens_on, closes_on, \
     missed_from, held, followed";

impl KeptSums {
    /// `after` replacing `before` in the sums of `month`.
    pub(crate) fn replace(&mut self, before: &MonthRows, after: &StatRows, month: NaiveDate) {
        if before.budget != after.budget {
            self.budget
                .add(&before.budget.iter().collect::<Vec<_>>(), -1, month);
            self.budget
                .add(&after.budget.iter().collect::<Vec<_>>(), 1, month);
        }
        if before.scores != after.scores {
            self.scores.add(&before.scores, -1, month);
            self.scores.add(&after.scores, 1, month);
        }
        if before.community != after.community {
            self.community.add(&before.community, -1, month);
            self.community.add(&after.community, 1, month);
        }
    }

    /// Adds a case's rows as each of its months ended (`projection::kept_history`): each
    /// month, its rows then less those of the month before.
    pub(crate) fn add_history(&mut self, history: &[MonthRows]) {
        let mut before: Option<&MonthRows> = None;
        for rows in history {
            let (budget, scores, community) = before.map_or((&[][..], &[][..], &[][..]), |b| {
                (
                    b.budget.as_slice(),
                    b.scores.as_slice(),
                    b.community.as_slice(),
                )
            });
            self.budget
                .add(&budget.iter().collect::<Vec<_>>(), -1, rows.month);
            self.budget
                .add(&rows.budget.iter().collect::<Vec<_>>(), 1, rows.month);
            self.scores.add(scores, -1, rows.month);
            self.scores.add(&rows.scores, 1, rows.month);
            self.community.add(community, -1, rows.month);
            self.community.add(&rows.community, 1, rows.month);
            let mut follow_ups = rows.follow_ups.clone();
            if let Some(b) = before {
                follow_ups = crate::FollowUpTotals::change(&b.follow_ups, &follow_ups);
            }
            self.add_follow_ups(follow_ups, rows.month);
            before = Some(rows);
        }
    }

    /// Adds changes to the follow-up counts, as they stand and in `month`.
    pub(crate) fn add_follow_ups(&mut self, change: crate::FollowUpTotals, month: NaiveDate) {
        for (key, n) in &change.sums {
            let e = self.follow_up_months.entry((month, *key)).or_insert([0]);
            e[0] += n[0];
        }
        self.follow_ups.merge(change);
    }

    /// Adds `other`'s changes to these.
    pub(crate) fn merge(&mut self, other: KeptSums) {
        self.budget.merge(other.budget);
        self.scores.merge(other.scores);
        self.community.merge(other.community);
        self.follow_ups.merge(other.follow_ups);
        merge_sums(&mut self.follow_up_months, other.follow_up_months);
    }

    /// Writes the changes into the kept sums.
    pub(crate) async fn write(self, tx: &mut sqlx::Transaction<'_, Db>) -> CResult<()> {
        self.budget.write(tx).await?;
        self.scores.write(tx).await?;
        self.community.write(tx).await?;
        // Ten values a row.
        write_sums(
            tx,
            "follow_up_totals",
            FOLLOW_UP_KEY,
            "slots",
            400,
            self.follow_ups.sums,
            bind_follow_up_key,
        )
        .await?;
        // Eleven.
        write_sums(
            tx,
            "follow_up_months",
            FOLLOW_UP_MONTH_KEY,
            "slots",
            360,
            self.follow_up_months,
            |b, (month, k)| {
                b.push_bind(*month);
                bind_follow_up_key(b, k);
            },
        )
        .await
    }
}
