//! Monitoring after return (DESIGN.md, "Monitoring and evaluation"): the follow-up
//! schedule a case takes from its programme at arrival, the follow-ups recorded and
//! whether they reached the returnee, and the one definition of due, overdue and missed
//! that pages, lists and figures all read.
//!
//! The records and the state live here; the rules are in `decide::monitoring`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::events::{Event, EventMeta};
use super::records::Outcome;
use crate::ids::{FollowUpId, PersonId, ReferralId, UserId};
use crate::programme::FollowUpSlot;
use crate::values::{LanguageCode, LongText};

snake_enum!(
    /// How a follow-up was held.
    pub enum FollowUpMode {
        Visit,
        Phone,
        Remote,
    }
);

impl FollowUpMode {
    pub const ALL: [FollowUpMode; 3] = [
        FollowUpMode::Visit,
        FollowUpMode::Phone,
        FollowUpMode::Remote,
    ];
}

snake_enum!(
    /// Whether a follow-up reached the returnee, and if not, what was found.
    pub enum ContactResult {
        /// Spoken to.
        Reached,
        /// Tried, not reached this time.
        NotReached,
        /// Reached, and declined to take part.
        Refused,
        /// Every known way to reach them has failed: the case closes as lost contact.
        LostContact,
        /// Moved away from where they were known to live.
        Moved,
        /// Left the country of return again.
        Remigrated,
        /// Died: the case closes as deceased.
        Deceased,
    }
);

impl ContactResult {
    pub const ALL: [ContactResult; 7] = [
        ContactResult::Reached,
        ContactResult::NotReached,
        ContactResult::Refused,
        ContactResult::LostContact,
        ContactResult::Moved,
        ContactResult::Remigrated,
        ContactResult::Deceased,
    ];

    /// The returnee was spoken to (declining to take part is contact too): the follow-up
    /// counts as held, and failures in a row start again from zero.
    pub fn is_contact(self) -> bool {
        matches!(self, ContactResult::Reached | ContactResult::Refused)
    }

    /// The outcome the case is closed with as this result is recorded, if any.
    pub fn closes_as(self) -> Option<Outcome> {
        match self {
            ContactResult::LostContact => Some(Outcome::LostContact),
            ContactResult::Deceased => Some(Outcome::Deceased),
            _ => None,
        }
    }
}

snake_enum!(
    /// Whether the returnee received a service they were referred for, as they tell it
    /// at a follow-up.
    pub enum ServiceReceived {
        Received,
        Partly,
        NotReceived,
    }
);

impl ServiceReceived {
    pub const ALL: [ServiceReceived; 3] = [
        ServiceReceived::Received,
        ServiceReceived::Partly,
        ServiceReceived::NotReceived,
    ];
}

/// What the returnee says, at a follow-up, of the service of one referral of the case:
/// the referral's outcome as monitoring confirms it (DESIGN.md: the National Referral
/// Mechanism's "follow up"; the issue: referral outcomes feed monitoring).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceCheck {
    pub referral_id: ReferralId,
    pub received: ServiceReceived,
}

/// A follow-up: a visit, a call or a remote interview. When it happened is the event's
/// `occurred_at`; who held it, the event's actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    pub follow_up_id: FollowUpId,
    pub mode: FollowUpMode,
    pub result: ContactResult,
    /// The people of the case who took part; none when nobody was reached.
    pub with: Vec<PersonId>,
    /// The language it was held in.
    pub language: Option<LanguageCode>,
    /// Sensitive: what the returnee told, read by the roles that may read reintegration
    /// needs.
    pub notes: Option<LongText>,
    /// Whether the returnee received the services of the case's referrals, those asked
    /// about (only when the follow-up reached them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceCheck>,
    /// Sensitive: the programme's survey as the returnee answered it, with its scores
    /// (only when the follow-up reached them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<crate::survey::SurveyAnswers>,
}

/// A follow-up as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpRecord {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub follow_up: FollowUp,
}

impl Monitoring {
    /// The surveys answered in follow-ups, in the order the follow-ups happened: the
    /// returnee's scores over time.
    pub fn score_history(&self) -> Vec<(DateTime<Utc>, &crate::survey::SurveyAnswers)> {
        self.follow_ups
            .iter()
            .filter_map(|r| r.follow_up.survey.as_ref().map(|s| (r.at, s)))
            .collect()
    }

    /// What the returnee last said of a referral's service, and when: the latest follow-up
    /// that asked.
    pub fn service_said(&self, referral: ReferralId) -> Option<(DateTime<Utc>, ServiceReceived)> {
        self.follow_ups.iter().rev().find_map(|r| {
            r.follow_up
                .services
                .iter()
                .find(|s| s.referral_id == referral)
                .map(|s| (r.at, s.received))
        })
    }
}

/// A case's monitoring: its schedule (fixed at arrival from the programme's) and its
/// follow-ups in the order they happened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Monitoring {
    pub schedule: Vec<FollowUpSlot>,
    /// After this many failures in a row, contact is lost.
    pub lost_contact_after: u8,
    pub follow_ups: Vec<FollowUpRecord>,
}

/// Where a scheduled follow-up stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SlotStatus {
    /// Its window has not opened.
    Upcoming,
    /// Its window is open and it has not been held.
    Due,
    /// Its window has closed, it has not been held, and it still may be (late).
    Overdue,
    /// Not held before the next follow-up's window opened: it will not be.
    Missed,
    /// Held (the returnee reached) on this day, on time or late.
    Held { on: NaiveDate, on_time: bool },
}

impl SlotStatus {
    /// Where a scheduled follow-up whose window is `opens` to `closes`, missed from
    /// `missed_from` and held on `held_on` stands on `today`: the one definition (the
    /// queues' SQL, `follow_ups_waiting`, is held to it by a test; the performance report
    /// calls it).
    pub fn of(
        opens: NaiveDate,
        closes: NaiveDate,
        missed_from: Option<NaiveDate>,
        held_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> SlotStatus {
        match held_on {
            Some(on) => SlotStatus::Held {
                on,
                on_time: on <= closes,
            },
            None if today < opens => SlotStatus::Upcoming,
            None if today <= closes => SlotStatus::Due,
            None if missed_from.is_some_and(|m| today >= m) => SlotStatus::Missed,
            None => SlotStatus::Overdue,
        }
    }
}

/// Where a scheduled follow-up counts in a programme's figures: `SlotStatus` without its
/// day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SlotCount {
    Upcoming,
    Due,
    Overdue,
    Missed,
    HeldOnTime,
    HeldLate,
}

impl SlotCount {
    pub const ALL: [SlotCount; 6] = [
        SlotCount::Upcoming,
        SlotCount::Due,
        SlotCount::Overdue,
        SlotCount::Missed,
        SlotCount::HeldOnTime,
        SlotCount::HeldLate,
    ];

    /// Its name where follow-ups are counted (the store's counts).
    pub fn code(self) -> &'static str {
        match self {
            SlotCount::Upcoming => "upcoming",
            SlotCount::Due => "due",
            SlotCount::Overdue => "overdue",
            SlotCount::Missed => "missed",
            SlotCount::HeldOnTime => "held_on_time",
            SlotCount::HeldLate => "held_late",
        }
    }

    pub fn from_code(code: &str) -> Option<SlotCount> {
        SlotCount::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn of(status: SlotStatus) -> SlotCount {
        match status {
            SlotStatus::Upcoming => SlotCount::Upcoming,
            SlotStatus::Due => SlotCount::Due,
            SlotStatus::Overdue => SlotCount::Overdue,
            SlotStatus::Missed => SlotCount::Missed,
            SlotStatus::Held { on_time: true, .. } => SlotCount::HeldOnTime,
            SlotStatus::Held { on_time: false, .. } => SlotCount::HeldLate,
        }
    }

    /// Where it counts given whether its case is still followed up (in a stage a
    /// follow-up can be recorded in): a closed case's follow-up not held will not be,
    /// missed once its window closed, not counted before.
    pub fn counted(self, followed: bool) -> Option<SlotCount> {
        match (self, followed) {
            (s, true) | (s @ (SlotCount::HeldOnTime | SlotCount::HeldLate), false) => Some(s),
            (SlotCount::Overdue | SlotCount::Missed, false) => Some(SlotCount::Missed),
            (_, false) => None,
        }
    }
}

/// A scheduled follow-up of a case, with its dates and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduledFollowUp {
    /// From 1, in the schedule's order.
    pub number: u8,
    pub months_after_arrival: u8,
    pub due: NaiveDate,
    /// The first and last day it is on time.
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    /// From this day it is missed if not held (the next one's window opens); never for
    /// the last one.
    pub missed_from: Option<NaiveDate>,
    /// When it was held, if it was: the first follow-up that reached the returnee from
    /// the day its window opened until it was missed.
    pub held_on: Option<NaiveDate>,
}

impl ScheduledFollowUp {
    /// Where it stands on `today`.
    pub fn status(&self, today: NaiveDate) -> SlotStatus {
        SlotStatus::of(
            self.opens,
            self.closes,
            self.missed_from,
            self.held_on,
            today,
        )
    }

    /// Whether it still asks for work on `today` (due or overdue).
    pub fn wants_work(&self, today: NaiveDate) -> bool {
        matches!(self.status(today), SlotStatus::Due | SlotStatus::Overdue)
    }
}

impl Monitoring {
    /// The schedule's follow-ups after an arrival on `arrived`, each with the day it was
    /// held. A follow-up that reached the returnee counts for the scheduled one whose
    /// time it falls in (from its window's opening until the next one's); one before the
    /// first window, or a second in the same time, is an extra visit.
    pub fn scheduled(&self, arrived: NaiveDate) -> Vec<ScheduledFollowUp> {
        let windows: Vec<(NaiveDate, NaiveDate)> =
            self.schedule.iter().map(|s| s.window(arrived)).collect();
        self.schedule
            .iter()
            .enumerate()
            .map(|(n, slot)| {
                let (opens, closes) = windows[n];
                let missed_from = windows.get(n + 1).map(|w| w.0);
                let held_on = self
                    .follow_ups
                    .iter()
                    .filter(|f| f.follow_up.result.is_contact())
                    .map(|f| f.at.date_naive())
                    .filter(|d| *d >= opens && missed_from.is_none_or(|m| *d < m))
                    .min();
                ScheduledFollowUp {
                    number: u8::try_from(n + 1).unwrap_or(u8::MAX),
                    months_after_arrival: slot.months_after_arrival,
                    due: slot.due(arrived),
                    opens,
                    closes,
                    missed_from,
                    held_on,
                }
            })
            .collect()
    }

    /// The scheduled follow-up whose time a follow-up on `on` falls in, after an arrival
    /// on `arrived`: the last whose window has opened (from its window's opening until
    /// the next one's, as `scheduled` holds); none before the first window opens.
    pub fn slot_at(&self, arrived: NaiveDate, on: NaiveDate) -> Option<&FollowUpSlot> {
        self.schedule
            .iter()
            .rev()
            .find(|s| s.window(arrived).0 <= on)
    }

    /// The survey a follow-up on `on` asks, as the programme's monitoring rules say now:
    /// that of the programme's follow-up at the months after arrival of the case's
    /// scheduled follow-up whose time `on` falls in, or the programme's own survey where
    /// that one names none, and before the first window opens (the baseline). The case
    /// keeps its schedule's timing from arrival; which survey is asked is the programme's
    /// as it is when the follow-up is recorded, as a survey's latest version is. The one
    /// definition the rules, the forms and the API read.
    pub fn survey_asked<'a>(
        &self,
        arrived: NaiveDate,
        on: NaiveDate,
        programme: &'a crate::programme::MonitoringRules,
    ) -> Option<&'a str> {
        self.slot_at(arrived, on)
            .and_then(|slot| {
                programme
                    .schedule
                    .iter()
                    .find(|s| s.months_after_arrival == slot.months_after_arrival)
            })
            .and_then(|s| s.survey.as_deref())
            .or(programme.survey.as_deref())
    }

    /// Follow-ups since the returnee was last reached (all of them if never) that did
    /// not reach them.
    pub fn failures_in_a_row(&self) -> usize {
        self.follow_ups
            .iter()
            .rev()
            .take_while(|f| !f.follow_up.result.is_contact())
            .count()
    }

    /// The last follow-up's result, if any.
    pub fn last_result(&self) -> Option<ContactResult> {
        self.follow_ups.last().map(|f| f.follow_up.result)
    }

    pub(crate) fn apply(&mut self, meta: &EventMeta, event: &Event) {
        match event {
            Event::FollowUpsScheduled {
                schedule,
                lost_contact_after,
            } => {
                self.schedule = schedule.clone();
                self.lost_contact_after = *lost_contact_after;
            }
            Event::FollowUpRecorded(f) => {
                self.follow_ups
                    .retain(|r| r.follow_up.follow_up_id != f.follow_up_id);
                let record = FollowUpRecord {
                    at: meta.occurred_at,
                    by: meta.actor,
                    follow_up: f.clone(),
                };
                // In the order they happened (a correction may move one).
                let at = self.follow_ups.partition_point(|r| r.at <= record.at);
                self.follow_ups.insert(at, record);
            }
            _ => {}
        }
    }
}
