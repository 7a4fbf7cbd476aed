//! The kept counts of scheduled follow-ups (`follow_up_totals`), for the performance
//! report: instead of every case's slots, how many share the dates their status is read
//! from. A slot not held is kept by its window's opening and closing and the day it is
//! missed from (`SlotStatus::of` reads its status on a day from those); a held one by
//! whether it was held on time alone, as its status no longer changes. With them, a row
//! per case (`number` 0) tells when it is first to be reached, or that it was. Keyed by
//! programme and the two offices that see the case, and whether the case is still
//! followed up. The rows are bounded by days of arrival, offices and schedule, not by
//! cases; every commit adds its change, a bulk load and a rebuild every case's rows.
//! Written twice (`shared::kept`): as they stand (`follow_up_totals`) and by the month
//! each change counts in (`follow_up_months`, for the counts as a month ended).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::FollowUpRow;

/// The date kept where a date does not matter: a held slot's dates, a slot never missed
/// (the last of the schedule), a reached case's. Later than any day the report is read.
pub const NEVER: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Programme, host office, lead office, number (0: the case), opens, closes, missed
/// from, held (0 not held, 1 on time, 2 late; a case's: 1 reached), followed (1, 0).
pub type FollowUpKey = (
    Uuid,
    Uuid,
    Uuid,
    i64,
    NaiveDate,
    NaiveDate,
    NaiveDate,
    i64,
    i64,
);

/// Changes to the kept counts, gathered before they are written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowUpTotals {
    pub(crate) sums: BTreeMap<FollowUpKey, [i64; 1]>,
}

impl FollowUpTotals {
    /// The counts of one case's slots `rows` (its `host_office`, whether it is followed
    /// up), `sign` times: +1 for rows written, -1 for rows replaced.
    pub fn add(&mut self, rows: &[FollowUpRow], host_office: Uuid, followed: bool, sign: i64) {
        let Some(first) = rows.first() else {
            return;
        };
        let followed = i64::from(followed);
        let mut add = |key: FollowUpKey| self.sums.entry(key).or_insert([0])[0] += sign;
        for r in rows {
            let (dates, held) = match r.held_on {
                None => ((r.opens_on, r.closes_on, r.missed_from.unwrap_or(NEVER)), 0),
                Some(on) => ((NEVER, NEVER, NEVER), if on <= r.closes_on { 1 } else { 2 }),
            };
            add((
                r.programme,
                host_office,
                r.office,
                r.number,
                dates.0,
                dates.1,
                dates.2,
                held,
                followed,
            ));
        }
        // The case: reached, or from when a slot of it counts (followed: its first
        // window's opening; closed: the day after its first window closed).
        let reached = rows.iter().any(|r| r.held_on.is_some());
        let (opens, closes) = match reached {
            true => (NEVER, NEVER),
            false => (
                rows.iter().map(|r| r.opens_on).min().unwrap_or(NEVER),
                rows.iter().map(|r| r.closes_on).min().unwrap_or(NEVER),
            ),
        };
        add((
            first.programme,
            host_office,
            first.office,
            0,
            opens,
            closes,
            NEVER,
            i64::from(reached),
            followed,
        ));
    }

    /// The counts of a case's slots, as its rows and its case row stand.
    pub fn of(stats: &super::StatRows, row: &super::CaseRow) -> FollowUpTotals {
        let mut t = FollowUpTotals::default();
        t.add(&stats.follow_ups, row.host_office.0, followed(row.stage), 1);
        t
    }

    /// The counts of a case's slots, from the case (`of` its projected rows: the same).
    pub fn of_case(case: &homeward_domain::Case) -> FollowUpTotals {
        let mut t = FollowUpTotals::default();
        t.add(
            &crate::projection::follow_up_rows(case),
            case.host_office.0,
            followed(case.stage),
            1,
        );
        t
    }

    /// `after` less `before`: what a commit changes.
    pub fn change(before: &FollowUpTotals, after: &FollowUpTotals) -> FollowUpTotals {
        let mut out = after.clone();
        for (key, [n]) in &before.sums {
            out.sums.entry(*key).or_insert([0])[0] -= n;
        }
        out.sums.retain(|_, [n]| *n != 0);
        out
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: FollowUpTotals) {
        for (key, [n]) in other.sums {
            self.sums.entry(key).or_insert([0])[0] += n;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sums.is_empty()
    }
}

/// Whether a case in `stage` is still followed up: in a stage a follow-up can be
/// recorded in.
pub fn followed(stage: homeward_domain::Stage) -> bool {
    homeward_domain::CommandKind::RecordFollowUp
        .spec()
        .stages
        .contains(&stage)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap_or(NaiveDate::MIN)
    }

    fn slot(number: i64, opens: NaiveDate, held_on: Option<NaiveDate>) -> FollowUpRow {
        FollowUpRow {
            case_id: Uuid::from_u128(1),
            number,
            due_on: opens + chrono::Days::new(30),
            opens_on: opens,
            closes_on: opens + chrono::Days::new(60),
            missed_from: (number < 2).then(|| opens + chrono::Days::new(90)),
            held_on,
            programme: Uuid::from_u128(2),
            office: Uuid::from_u128(3),
            return_country: "SN".into(),
        }
    }

    /// A held slot is kept by whether it was on time alone, one not held by its dates (the
    /// last, never missed, by `NEVER`), and the case by when it is first to be reached,
    /// or that it was; a commit writes only what changed.
    #[test]
    fn slots_are_kept_by_what_their_status_is_read_from() {
        let host = Uuid::from_u128(4);
        let before = vec![slot(1, day(3, 1), None), slot(2, day(6, 1), None)];
        let mut t = FollowUpTotals::default();
        t.add(&before, host, true, 1);
        let keys: Vec<(i64, NaiveDate, NaiveDate, i64)> =
            t.sums.keys().map(|k| (k.3, k.4, k.6, k.7)).collect();
        assert_eq!(
            keys,
            [
                (0, day(3, 1), NEVER, 0),
                (1, day(3, 1), day(5, 30), 0),
                (2, day(6, 1), NEVER, 0)
            ]
        );
        // Held late (after its window closed): its dates no longer matter.
        let after = vec![slot(1, day(3, 1), Some(day(5, 5))), before[1].clone()];
        let mut u = FollowUpTotals::default();
        u.add(&after, host, true, 1);
        assert!(u.sums.contains_key(&(
            Uuid::from_u128(2),
            host,
            Uuid::from_u128(3),
            1,
            NEVER,
            NEVER,
            NEVER,
            2,
            1
        )));
        let change = FollowUpTotals::change(&t, &u);
        let changed: Vec<(i64, i64, i64)> =
            change.sums.iter().map(|(k, [n])| (k.3, k.7, *n)).collect();
        // The case is reached (-1 not, +1 reached), slot 1 held late; slot 2 unchanged.
        assert_eq!(changed, [(0, 0, -1), (0, 1, 1), (1, 0, -1), (1, 2, 1)]);
        assert!(FollowUpTotals::change(&u, &u).is_empty());
        // Closed: every row moves to `followed` 0.
        let mut closed = FollowUpTotals::default();
        closed.add(&after, host, false, 1);
        assert_eq!(FollowUpTotals::change(&u, &closed).sums.len(), 6);
    }
}
