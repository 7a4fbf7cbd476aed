//! The kept sums together: the budget's (`budget`), the survey scores' (`scores`) and
//! the community projects' (`community`),
//! each by the month its change was recorded in, added alike by a commit (its change, to
//! its month), a bulk load and a rebuild (each case's rows as each of its months ended).

use chrono::NaiveDate;

use super::prelude::*;
use crate::MonthRows;

/// Changes to every kept sum, gathered before they are written.
#[derive(Debug, Default)]
pub(crate) struct KeptSums {
    budget: super::budget::BudgetSums,
    scores: super::scores::ScoreSums,
    community: super::community::CommunitySums,
}

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
            before = Some(rows);
        }
    }

    /// Adds `other`'s changes to these.
    pub(crate) fn merge(&mut self, other: KeptSums) {
        self.budget.merge(other.budget);
        self.scores.merge(other.scores);
        self.community.merge(other.community);
    }

    /// Writes the changes into the kept sums.
    pub(crate) async fn write(self, tx: &mut sqlx::Transaction<'_, Db>) -> CResult<()> {
        self.budget.write(tx).await?;
        self.scores.write(tx).await?;
        self.community.write(tx).await
    }
}
