//! Building state from events. Replay applies no rules: the rules ran when the events
//! were decided. Corrections are applied by substituting each corrected event with its
//! latest replacement before the fold.

use std::collections::HashMap;

use super::events::{CaseRegistered, Event, EventMeta, RecordedEvent};
use super::{Application, Case, ConsentState, KeyDates, SessionRecord, Stage, Withdrawal};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("the stream is empty")]
    Empty,
    #[error("the first event is {0}, not case_registered")]
    NotRegisteredFirst(&'static str),
    #[error("event {version} is out of sequence (expected {expected})")]
    OutOfSequence { version: u64, expected: u64 },
    #[error("event {0} registers the case a second time")]
    RegisteredTwice(u64),
    #[error("correction {correction} names event {target}, which does not precede it")]
    BadCorrection { correction: u64, target: u64 },
}

pub(super) fn replay(events: &[RecordedEvent]) -> Result<Case, ReplayError> {
    for (i, e) in events.iter().enumerate() {
        let expected = i as u64 + 1;
        if e.meta.version != expected {
            return Err(ReplayError::OutOfSequence {
                version: e.meta.version,
                expected,
            });
        }
    }
    let replacements = corrections(events)?;
    let first = events.first().ok_or(ReplayError::Empty)?;
    let mut case = match &first.event {
        Event::CaseRegistered(r) => registered(&first.meta, r),
        other => return Err(ReplayError::NotRegisteredFirst(other.kind())),
    };
    for e in &events[1..] {
        match replacements.get(&e.meta.version) {
            Some((meta, event)) => case.apply(meta, event)?,
            None => case.apply(&e.meta, &e.event)?,
        }
        case.version = e.meta.version;
    }
    Ok(case)
}

/// `case`, replayed from `history`, after the events `new` that follow it: the state
/// `replay` of the whole stream gives, without folding the history again. New events are
/// applied one by one unless one of them is a correction, which changes an earlier event:
/// then the whole stream is replayed.
pub(super) fn advance(
    case: &Case,
    history: &[RecordedEvent],
    new: &[RecordedEvent],
) -> Result<Case, ReplayError> {
    let corrects = new
        .iter()
        .any(|e| matches!(e.event, Event::Corrected { .. }));
    if corrects || case.version != history.len() as u64 {
        let all: Vec<RecordedEvent> = history.iter().chain(new).cloned().collect();
        return replay(&all);
    }
    let mut next = case.clone();
    for e in new {
        let expected = next.version + 1;
        if e.meta.version != expected {
            return Err(ReplayError::OutOfSequence {
                version: e.meta.version,
                expected,
            });
        }
        next.apply(&e.meta, &e.event)?;
        next.version = e.meta.version;
    }
    Ok(next)
}

/// The latest replacement of each corrected event, with the corrected time.
fn corrections(events: &[RecordedEvent]) -> Result<HashMap<u64, (EventMeta, Event)>, ReplayError> {
    let mut out: HashMap<u64, (EventMeta, Event)> = HashMap::new();
    for e in events {
        if let Event::Corrected {
            corrects,
            occurred_at,
            replacement,
            ..
        } = &e.event
        {
            let target = resolve_target(events, *corrects);
            let original = target
                .filter(|t| *t < e.meta.version)
                .and_then(|t| events.get((t - 1) as usize))
                .ok_or(ReplayError::BadCorrection {
                    correction: e.meta.version,
                    target: *corrects,
                })?;
            let meta = EventMeta {
                occurred_at: *occurred_at,
                ..original.meta.clone()
            };
            out.insert(original.meta.version, (meta, (**replacement).clone()));
        }
    }
    Ok(out)
}

/// A correction of a correction corrects the original event.
pub(crate) fn resolve_target(events: &[RecordedEvent], mut version: u64) -> Option<u64> {
    for _ in 0..events.len() {
        let e = events.get(version.checked_sub(1)? as usize)?;
        match &e.event {
            Event::Corrected { corrects, .. } => version = *corrects,
            _ => return Some(version),
        }
    }
    None
}

fn registered(meta: &EventMeta, r: &CaseRegistered) -> Case {
    Case {
        id: r.case_id,
        reference: r.reference.clone(),
        host_office: r.host_office,
        host_country: r.host_country.clone(),
        return_office: None,
        programme: r.programme,
        referral: r.referral.clone(),
        stage: Stage::Registered,
        outcome: None,
        members: Vec::new(),
        removed_members: Vec::new(),
        proposal: r.proposal.clone(),
        proposal_revision: 1,
        sessions: Vec::new(),
        consents: Default::default(),
        capacity: Default::default(),
        best_interests: Default::default(),
        representatives: Default::default(),
        screening: None,
        application: None,
        health: Default::default(),
        risk: Default::default(),
        documents: Default::default(),
        escorts: Default::default(),
        shelters: Vec::new(),
        itinerary: None,
        allowances: Vec::new(),
        no_shows: 0,
        arrival: None,
        reintegration: Default::default(),
        monitoring: Default::default(),
        referrals: Default::default(),
        owner: Some(meta.actor),
        notes: Vec::new(),
        flags: Default::default(),
        withdrawn_by: None,
        withdrawals: Default::default(),
        last_step_at: Some(meta.occurred_at),
        dates: KeyDates {
            registered: Some(meta.occurred_at),
            ..KeyDates::default()
        },
        host_or_transit: None,
        version: meta.version,
    }
}

impl Case {
    /// Pre-departure work in an approved case moves it into pre-departure.
    fn enter_pre_departure(&mut self) {
        if self.stage == Stage::Approved {
            self.stage = Stage::PreDeparture;
        }
    }

    fn apply(&mut self, meta: &EventMeta, event: &Event) -> Result<(), ReplayError> {
        let at = meta.occurred_at;
        if is_step(event) {
            self.last_step_at = Some(self.last_step_at.map_or(at, |l| l.max(at)));
        }
        match event {
            Event::CaseRegistered(_) => return Err(ReplayError::RegisteredTwice(meta.version)),
            Event::MemberAdded(m) => {
                match self.members.iter_mut().find(|x| x.person_id == m.person_id) {
                    Some(existing) => *existing = m.clone(),
                    None => self.members.push(m.clone()),
                }
            }
            Event::MemberRemoved { person_id, .. } => {
                if let Some(i) = self.members.iter().position(|m| m.person_id == *person_id) {
                    let m = self.members.remove(i);
                    self.removed_members.push(m);
                }
                self.consents.remove(person_id);
                self.withdrawals.remove(person_id);
                for e in self.escorts.values_mut() {
                    e.accompanies.remove(person_id);
                }
            }
            Event::PersonDetailsUpdated { person_id, details } => {
                if let Some(m) = self.members.iter_mut().find(|m| m.person_id == *person_id) {
                    m.details = details.clone();
                }
            }
            Event::CounsellingSessionRecorded(s) => {
                match self
                    .sessions
                    .iter_mut()
                    .find(|r| r.session.session_id == s.session_id)
                {
                    Some(r) => {
                        r.at = at;
                        r.session = s.clone();
                    }
                    None => self.sessions.push(SessionRecord {
                        at,
                        session: s.clone(),
                    }),
                }
                self.sessions.sort_by_key(|r| r.at);
                if self.stage == Stage::Registered {
                    self.stage = Stage::Counselling;
                }
                let first = self.sessions.first().map(|r| r.at);
                self.dates.first_counselling = first;
            }
            Event::EligibilityScreened(s) => self.screening = Some(s.clone()),
            Event::ConsentRecorded {
                declaration,
                information_session,
                proposal_revision,
            } => {
                self.withdrawals.remove(&declaration.person_id);
                self.consents.insert(
                    declaration.person_id,
                    ConsentState {
                        given_by: declaration.given_by,
                        given_at: at,
                        information_session: *information_session,
                        proposal_revision: *proposal_revision,
                        statement: declaration.statement.clone(),
                        withdrawn_at: None,
                        withdrawal_words: None,
                    },
                );
            }
            Event::ConsentReconfirmed {
                reconfirmation,
                proposal_revision,
            } => {
                if let Some(c) = self.consents.get_mut(&reconfirmation.person_id) {
                    c.proposal_revision = *proposal_revision;
                }
            }
            Event::ConsentWithdrawn {
                person_id,
                own_words,
            } => {
                if let Some(c) = self.consents.get_mut(person_id) {
                    c.withdrawn_at = Some(at);
                    c.withdrawal_words = own_words.clone();
                }
                self.withdrawals.insert(
                    *person_id,
                    Withdrawal {
                        at,
                        own_words: own_words.clone(),
                    },
                );
            }
            Event::CaseWithdrawn { person_id } => {
                self.stage = Stage::Withdrawn;
                self.withdrawn_by = Some(*person_id);
                self.dates.withdrawn = Some(at);
            }
            Event::CaseReopened { .. } => {
                self.reintegration.case_closed = false;
                self.stage = Stage::Counselling;
                self.consents.clear();
                self.withdrawals.clear();
                self.application = None;
                self.withdrawn_by = None;
                self.outcome = None;
                self.dates.applied = None;
                self.dates.decided = None;
                self.dates.closed = None;
            }
            Event::CapacityAssessed(a) => {
                self.capacity.insert(a.person_id, a.clone());
            }
            Event::BestInterestsDetermined(b) => {
                self.best_interests.insert(b.person_id, b.clone());
            }
            Event::RepresentativeAppointed(r) => {
                self.representatives.insert(r.person_id, r.clone());
            }
            Event::ApplicationSubmitted => {
                self.stage = Stage::Applied;
                self.application = Some(Application {
                    submitted_by: meta.actor,
                    submitted_at: at,
                    decided_by: None,
                    decided_at: None,
                    approved: None,
                    rejection_reason: None,
                    comment: None,
                });
                self.dates.applied = Some(at);
            }
            Event::ApplicationApproved { comment } => {
                self.stage = Stage::Approved;
                if let Some(a) = self.application.as_mut() {
                    a.decided_by = Some(meta.actor);
                    a.decided_at = Some(at);
                    a.approved = Some(true);
                    a.comment = comment.clone();
                }
                self.dates.decided = Some(at);
            }
            Event::ApplicationRejected { reason } => {
                self.stage = Stage::Rejected;
                if let Some(a) = self.application.as_mut() {
                    a.decided_by = Some(meta.actor);
                    a.decided_at = Some(at);
                    a.approved = Some(false);
                    a.rejection_reason = Some(reason.clone());
                }
                self.dates.decided = Some(at);
            }
            Event::ProposalChanged(p) => {
                // An office of return in another country no longer fits.
                if p.country_of_return != self.proposal.country_of_return {
                    self.return_office = None;
                }
                self.proposal = p.clone();
                self.proposal_revision += 1;
            }
            Event::ReturnOfficeAssigned(o) => self.return_office = Some(o.office_id),
            Event::HealthAssessed(h) => {
                self.health.insert(h.person_id, h.clone());
                self.enter_pre_departure();
            }
            Event::RiskAssessed(r) => {
                self.risk.insert(r.person_id, r.clone());
            }
            Event::TravelDocumentRecorded(d) => {
                self.documents.insert(d.document_id, d.clone());
                self.enter_pre_departure();
            }
            Event::EscortAssigned(e) => {
                self.escorts.insert(e.escort_id, e.clone());
                self.enter_pre_departure();
            }
            Event::EscortReleased { escort_id, .. } => {
                self.escorts.remove(escort_id);
            }
            Event::ShelterArranged(s) => {
                self.shelters.push(s.clone());
                self.enter_pre_departure();
            }
            Event::ItinerarySet(i) => {
                if self.itinerary.as_ref().is_some_and(|old| old != i) {
                    self.proposal_revision += 1;
                }
                self.itinerary = Some(i.clone());
                self.enter_pre_departure();
            }
            Event::AllowancePaid(a) => {
                self.allowances.push(a.clone());
                self.enter_pre_departure();
            }
            Event::MarkedReadyToDepart => self.stage = Stage::ReadyToDepart,
            Event::DepartureConfirmed { host_or_transit } => {
                self.stage = Stage::Departed;
                self.dates.departed = Some(at);
                self.host_or_transit = *host_or_transit;
            }
            Event::NoShowRecorded { .. } => {
                self.stage = Stage::PreDeparture;
                self.no_shows += 1;
                self.itinerary = None;
                self.proposal_revision += 1;
            }
            Event::ArrivalRecorded(a) => {
                // The office of return leads from now on: who received the case owns it.
                self.owner = Some(meta.actor);
                self.stage = Stage::Arrived;
                self.arrival = Some(a.clone());
                self.dates.arrived = Some(at);
            }
            Event::ReintegrationStarted => self.stage = Stage::Reintegration,
            Event::MonitoringStarted => self.stage = Stage::Monitoring,
            Event::NeedsAssessed(_)
            | Event::PlanDrafted { .. }
            | Event::PlanResponded(_)
            | Event::PlanApproved { .. }
            | Event::PlanReturned { .. }
            | Event::AssistanceDeclined(_)
            | Event::DeliveryRecorded { .. }
            | Event::DeliveryCountersigned { .. }
            | Event::DeliveryReversed { .. }
            | Event::PlanItemClosed { .. } => {
                self.reintegration.apply(meta, event);
                // Drafting a plan on arrival starts reintegration.
                if matches!(event, Event::PlanDrafted { .. }) && self.stage == Stage::Arrived {
                    self.stage = Stage::Reintegration;
                }
            }
            Event::CaseworkerAssigned { user_id } => self.owner = Some(*user_id),
            Event::NoteAdded(n) => {
                self.notes.retain(|r| r.note.note_id != n.note_id);
                self.notes.push(super::NoteRecord {
                    at,
                    by: meta.actor,
                    note: n.clone(),
                });
                // Flags as the notes in order leave them (a correction may change one).
                self.flags.clear();
                for r in &self.notes {
                    if let Some(f) = r.note.clears {
                        self.flags.remove(&f);
                    }
                    if let Some(f) = r.note.raises {
                        self.flags.insert(f);
                    }
                }
            }
            Event::FollowUpsScheduled { .. } | Event::FollowUpRecorded(_) => {
                self.monitoring.apply(meta, event);
            }
            Event::ReferralMade(_)
            | Event::ReferralUpdated(_)
            | Event::ReferralExceptionDecided(_) => {
                self.referrals.apply(meta, event);
            }
            Event::CaseClosed { outcome, .. } => {
                self.stage = Stage::Closed;
                self.outcome = Some(*outcome);
                self.dates.closed = Some(at);
                self.reintegration.case_closed = true;
            }
            // The replacement was substituted for the corrected event before the fold.
            Event::Corrected { .. } => {}
        }
        Ok(())
    }
}

/// Events that move the case from one step of its lifecycle to the next: each is dated no
/// earlier than the step before.
pub(crate) fn is_step(e: &Event) -> bool {
    matches!(
        e,
        Event::ApplicationSubmitted
            | Event::ApplicationApproved { .. }
            | Event::ApplicationRejected { .. }
            | Event::MarkedReadyToDepart
            | Event::DepartureConfirmed { .. }
            | Event::NoShowRecorded { .. }
            | Event::ArrivalRecorded(_)
            | Event::ReintegrationStarted
            | Event::MonitoringStarted
            | Event::CaseClosed { .. }
            | Event::CaseWithdrawn { .. }
            | Event::CaseReopened { .. }
    )
}
