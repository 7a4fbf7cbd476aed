//! What readers receive: cases, timelines and lists with the sensitive fields their roles
//! may not read taken out (the policy is `homeward_domain::access::may_read`).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use homeward_domain::access::{Actor, Sensitive, may_read};
use homeward_domain::case::SessionRecord;
use homeward_domain::case::monitoring::{FollowUp, FollowUpRecord, Monitoring};
use homeward_domain::case::records::ConsentGiver;
use homeward_domain::case::records::{
    BestInterestsDetermination, CapacityAssessment, CounsellingSession, HealthAssessment,
};
use homeward_domain::case::reintegration::{NeedsAssessment, NeedsRecord, Reintegration};
use homeward_domain::case::voluntariness::{ConsentPath, consent_path, consent_possible_from};
use homeward_domain::ids::{CaseId, OfficeId, PersonId, ProgrammeId, UserId};
use homeward_domain::person::{Member, PersonDetails, Sex, Vulnerability};
use homeward_domain::programme::ProgrammeSettings;
use homeward_domain::{Case, Event, Stage, Violation};
use serde::Serialize;

/// The kinds of sensitive data a reader may see.
#[derive(Debug, Clone, Copy)]
pub struct Visibility {
    pub medical: bool,
    pub trafficking: bool,
    pub violence: bool,
    pub notes: bool,
    /// Health and psychosocial needs in a reintegration needs assessment.
    pub needs: bool,
}

impl Visibility {
    pub fn of(actor: &Actor) -> Self {
        Self {
            medical: may_read(actor, Sensitive::Medical),
            trafficking: may_read(actor, Sensitive::Trafficking),
            violence: may_read(actor, Sensitive::Violence),
            notes: may_read(actor, Sensitive::CounsellingNotes),
            needs: may_read(actor, Sensitive::ReintegrationNeeds),
        }
    }

    pub fn withheld(&self) -> Vec<Sensitive> {
        let mut v = vec![];
        if !self.medical {
            v.push(Sensitive::Medical);
        }
        if !self.trafficking {
            v.push(Sensitive::Trafficking);
        }
        if !self.violence {
            v.push(Sensitive::Violence);
        }
        if !self.notes {
            v.push(Sensitive::CounsellingNotes);
        }
        if !self.needs {
            v.push(Sensitive::ReintegrationNeeds);
        }
        v
    }

    /// Whether this reader sees this kind of sensitive data.
    pub fn sees_kind(&self, kind: Sensitive) -> bool {
        match kind {
            Sensitive::Medical => self.medical,
            Sensitive::Trafficking => self.trafficking,
            Sensitive::Violence => self.violence,
            Sensitive::CounsellingNotes => self.notes,
            Sensitive::ReintegrationNeeds => self.needs,
        }
    }

    /// The vulnerabilities this reader may see, as a mask.
    pub fn vulnerability_mask(&self) -> i64 {
        Vulnerability::ALL
            .into_iter()
            .filter(|v| self.sees(*v))
            .fold(0, |m, v| m | v.bit())
    }

    pub fn sees(&self, v: Vulnerability) -> bool {
        match v {
            Vulnerability::VictimOfTrafficking => self.trafficking,
            Vulnerability::VictimOfViolence => self.violence,
            _ => true,
        }
    }

    fn filter_vulns(&self, set: &mut BTreeSet<Vulnerability>) {
        set.retain(|v| self.sees(*v));
    }
}

/// The kinds of sensitive data a case holds.
pub fn sensitive_present(case: &Case) -> BTreeSet<Sensitive> {
    let mut out = BTreeSet::new();
    let has = |v| case.members.iter().any(|m| m.details.has(v));
    if case.health.values().any(|h| h.medical_details.is_some()) {
        out.insert(Sensitive::Medical);
    }
    if has(Vulnerability::VictimOfTrafficking) || !case.risk.is_empty() {
        out.insert(Sensitive::Trafficking);
    }
    if has(Vulnerability::VictimOfViolence) {
        out.insert(Sensitive::Violence);
    }
    if case.sessions.iter().any(|s| s.session.notes.is_some())
        || case.capacity.values().any(|c| c.notes.is_some())
        || case.best_interests.values().any(|b| b.notes.is_some())
    {
        out.insert(Sensitive::CounsellingNotes);
    }
    if case
        .reintegration
        .needs
        .iter()
        .any(|n| n.assessment.health_needs.is_some() || n.assessment.psychosocial_needs.is_some())
        || case
            .monitoring
            .follow_ups
            .iter()
            .any(|f| f.follow_up.notes.is_some() || f.follow_up.survey.is_some())
    {
        out.insert(Sensitive::ReintegrationNeeds);
    }
    // A note is of the kind its writer said.
    out.extend(case.notes.iter().filter_map(|r| r.note.sensitivity));
    out
}

/// Which of the sensitive kinds present the reader sees (and the read is audited).
pub fn sensitive_read(case: &Case, vis: &Visibility) -> Vec<Sensitive> {
    sensitive_present(case)
        .into_iter()
        .filter(|k| vis.sees_kind(*k))
        .collect()
}

/// The case as this reader may see it. An allow-list: every field of the case and of the
/// records that hold sensitive data is named here (no `..`), so that a field added to any
/// of them does not compile until someone decides who may read it.
pub fn redacted_case(case: Case, vis: &Visibility) -> Case {
    let Case {
        id,
        reference,
        host_office,
        host_country,
        return_office,
        programme,
        referral,
        stage,
        outcome,
        members,
        removed_members,
        proposal,
        proposal_revision,
        sessions,
        consents,
        capacity,
        best_interests,
        representatives,
        screening,
        application,
        health,
        risk,
        documents,
        escorts,
        shelters,
        itinerary,
        allowances,
        no_shows,
        arrival,
        reintegration,
        monitoring,
        referrals,
        withdrawn_by,
        withdrawals,
        last_step_at,
        dates,
        host_or_transit,
        owner,
        notes,
        flags,
        version,
    } = case;
    Case {
        // Seen by every reader of the case.
        id,
        reference,
        host_office,
        host_country,
        return_office,
        programme,
        referral,
        stage,
        outcome,
        proposal,
        proposal_revision,
        consents,
        representatives,
        screening,
        application,
        documents,
        escorts,
        shelters,
        itinerary,
        allowances,
        no_shows,
        arrival,
        withdrawn_by,
        withdrawals,
        last_step_at,
        dates,
        host_or_transit,
        owner,
        flags,
        // Referrals are the case's work with other organisations: who, for what need,
        // which groups of data were shared (the names of the groups, not the data),
        // each answer. Every reader of the case follows them.
        referrals,
        // A note of a kind the reader may not read is left out.
        notes: notes
            .into_iter()
            .filter(|r| r.note.sensitivity.is_none_or(|k| vis.sees_kind(k)))
            .collect(),
        version,
        // Vulnerabilities: trafficking and violence to those who may read them.
        members: members.into_iter().map(|m| vis.member(m)).collect(),
        removed_members: removed_members.into_iter().map(|m| vis.member(m)).collect(),
        // Health and psychosocial needs to those who plan and follow the assistance.
        reintegration: vis.reintegration(reintegration),
        // What returnees tell in follow-ups, likewise.
        monitoring: vis.monitoring(monitoring),
        // Medical details to medical staff.
        health: health
            .into_iter()
            .map(|(p, h)| (p, vis.health(h)))
            .collect(),
        // A risk assessment (trafficking) to protection staff.
        risk: if vis.trafficking {
            risk
        } else {
            Default::default()
        },
        // Counselling and assessment notes to counsellors.
        sessions: sessions
            .into_iter()
            .map(|SessionRecord { at, session }| SessionRecord {
                at,
                session: vis.session(session),
            })
            .collect(),
        capacity: capacity
            .into_iter()
            .map(|(p, c)| (p, vis.capacity(c)))
            .collect(),
        best_interests: best_interests
            .into_iter()
            .map(|(p, b)| (p, vis.best_interests(b)))
            .collect(),
    }
}

/// The records that hold sensitive data, as a reader may see them; each names every
/// field it keeps (see `redacted_case`).
impl Visibility {
    fn member(&self, m: Member) -> Member {
        let Member {
            person_id,
            relationship,
            details,
        } = m;
        Member {
            person_id,
            relationship,
            details: self.person(details),
        }
    }

    fn person(&self, details: PersonDetails) -> PersonDetails {
        let PersonDetails {
            name,
            date_of_birth,
            sex,
            nationality,
            languages,
            contact,
            legal_situation,
            mut vulnerabilities,
        } = details;
        self.filter_vulns(&mut vulnerabilities);
        PersonDetails {
            name,
            date_of_birth,
            sex,
            nationality,
            languages,
            contact,
            legal_situation,
            vulnerabilities,
        }
    }

    fn reintegration(&self, r: Reintegration) -> Reintegration {
        let Reintegration {
            needs,
            versions,
            deliveries,
            declined_items,
            declined_all,
            closed_items,
            case_closed,
        } = r;
        Reintegration {
            needs: needs
                .into_iter()
                .map(|NeedsRecord { at, assessment }| NeedsRecord {
                    at,
                    assessment: self.needs(assessment),
                })
                .collect(),
            versions,
            deliveries,
            declined_items,
            declined_all,
            closed_items,
            case_closed,
        }
    }

    fn monitoring(&self, m: Monitoring) -> Monitoring {
        let Monitoring {
            schedule,
            lost_contact_after,
            follow_ups,
        } = m;
        Monitoring {
            schedule,
            lost_contact_after,
            follow_ups: follow_ups
                .into_iter()
                .map(|FollowUpRecord { at, by, follow_up }| FollowUpRecord {
                    at,
                    by,
                    follow_up: self.follow_up(follow_up),
                })
                .collect(),
        }
    }

    fn follow_up(&self, f: FollowUp) -> FollowUp {
        let FollowUp {
            follow_up_id,
            mode,
            result,
            with,
            language,
            notes,
            services,
            survey,
        } = f;
        FollowUp {
            follow_up_id,
            mode,
            result,
            with,
            language,
            notes: notes.filter(|_| self.needs),
            // As visible as the referrals they are about.
            services,
            // What the returnee answered (distress, debt, safety) is as sensitive as
            // their needs, and so are the scores that give it away.
            survey: survey.filter(|_| self.needs),
        }
    }

    fn needs(&self, n: NeedsAssessment) -> NeedsAssessment {
        let NeedsAssessment {
            person_id,
            skills,
            education,
            work_experience,
            reasons_for_return,
            housing,
            health_needs,
            psychosocial_needs,
            family_situation,
            priorities,
        } = n;
        NeedsAssessment {
            person_id,
            skills,
            education,
            work_experience,
            reasons_for_return,
            housing,
            health_needs: health_needs.filter(|_| self.needs),
            psychosocial_needs: psychosocial_needs.filter(|_| self.needs),
            family_situation,
            priorities,
        }
    }

    fn health(&self, h: HealthAssessment) -> HealthAssessment {
        let HealthAssessment {
            person_id,
            fitness,
            assessed_by,
            medical_details,
        } = h;
        HealthAssessment {
            person_id,
            fitness,
            assessed_by,
            medical_details: medical_details.filter(|_| self.medical),
        }
    }

    fn session(&self, s: CounsellingSession) -> CounsellingSession {
        let CounsellingSession {
            session_id,
            counsellor,
            language,
            interpreter_present,
            topics,
            attendees,
            notes,
        } = s;
        CounsellingSession {
            session_id,
            counsellor,
            language,
            interpreter_present,
            topics,
            attendees,
            notes: notes.filter(|_| self.notes),
        }
    }

    fn capacity(&self, c: CapacityAssessment) -> CapacityAssessment {
        let CapacityAssessment {
            person_id,
            professional,
            qualification,
            lacks_capacity,
            notes,
        } = c;
        CapacityAssessment {
            person_id,
            professional,
            qualification,
            lacks_capacity,
            notes: notes.filter(|_| self.notes),
        }
    }

    fn best_interests(&self, b: BestInterestsDetermination) -> BestInterestsDetermination {
        let BestInterestsDetermination {
            person_id,
            determined_by,
            return_in_best_interests,
            notes,
        } = b;
        BestInterestsDetermination {
            person_id,
            determined_by,
            return_in_best_interests,
            notes: notes.filter(|_| self.notes),
        }
    }
}

/// What a reader sees in place of a withheld text.
pub const WITHHELD: &str = "(withheld)";

/// An event of the timeline as this reader may see it, or `None` when the whole event is
/// withheld. Every event type is named: a new one does not compile until someone decides
/// what of it each reader sees.
pub fn redacted_event(e: Event, vis: &Visibility) -> Option<Event> {
    Some(match e {
        Event::MemberAdded(m) => Event::MemberAdded(vis.member(m)),
        Event::PersonDetailsUpdated { person_id, details } => Event::PersonDetailsUpdated {
            person_id,
            details: vis.person(details),
        },
        Event::CounsellingSessionRecorded(s) => Event::CounsellingSessionRecorded(vis.session(s)),
        Event::CapacityAssessed(c) => Event::CapacityAssessed(vis.capacity(c)),
        Event::BestInterestsDetermined(b) => Event::BestInterestsDetermined(vis.best_interests(b)),
        Event::HealthAssessed(h) => Event::HealthAssessed(vis.health(h)),
        Event::NeedsAssessed(n) => Event::NeedsAssessed(vis.needs(n)),
        Event::FollowUpRecorded(f) => Event::FollowUpRecorded(vis.follow_up(f)),
        // A note of a kind the reader may not read is not shown at all.
        Event::NoteAdded(n) => {
            if n.sensitivity.is_some_and(|k| !vis.sees_kind(k)) {
                return None;
            }
            Event::NoteAdded(n)
        }
        Event::RiskAssessed(r) => {
            if !vis.trafficking {
                return None;
            }
            Event::RiskAssessed(r)
        }
        Event::Corrected {
            corrects,
            occurred_at,
            replacement,
            reason,
        } => {
            let withheld = match replacement.as_ref() {
                Event::HealthAssessed(_) => !vis.medical,
                Event::NeedsAssessed(_) | Event::FollowUpRecorded(_) => !vis.needs,
                Event::CounsellingSessionRecorded(_)
                | Event::CapacityAssessed(_)
                | Event::BestInterestsDetermined(_) => !vis.notes,
                Event::MemberAdded(_) | Event::PersonDetailsUpdated { .. } => {
                    !(vis.trafficking && vis.violence)
                }
                _ => false,
            };
            // The reason may say what was corrected in a withheld detail.
            let reason = match homeward_domain::values::LongText::parse(WITHHELD) {
                Ok(r) if withheld => r,
                _ => reason,
            };
            Event::Corrected {
                corrects,
                occurred_at,
                replacement: Box::new(redacted_event(*replacement, vis)?),
                reason,
            }
        }
        // Nothing sensitive in these.
        e @ (Event::CaseRegistered(_)
        | Event::ReferralMade(_)
        | Event::ReferralUpdated(_)
        | Event::ReferralExceptionDecided(_)
        | Event::MemberRemoved { .. }
        | Event::EligibilityScreened(_)
        | Event::ConsentRecorded { .. }
        | Event::ConsentReconfirmed { .. }
        | Event::ConsentWithdrawn { .. }
        | Event::CaseWithdrawn { .. }
        | Event::CaseReopened { .. }
        | Event::RepresentativeAppointed(_)
        | Event::ApplicationSubmitted
        | Event::ApplicationApproved { .. }
        | Event::ApplicationRejected { .. }
        | Event::ProposalChanged(_)
        | Event::ReturnOfficeAssigned(_)
        | Event::TravelDocumentRecorded(_)
        | Event::EscortAssigned(_)
        | Event::EscortReleased { .. }
        | Event::ShelterArranged(_)
        | Event::ItinerarySet(_)
        | Event::AllowancePaid(_)
        | Event::MarkedReadyToDepart
        | Event::DepartureConfirmed { .. }
        | Event::NoShowRecorded { .. }
        | Event::ArrivalRecorded(_)
        | Event::ReintegrationStarted
        | Event::MonitoringStarted
        | Event::PlanDrafted { .. }
        | Event::PlanResponded(_)
        | Event::PlanApproved { .. }
        | Event::PlanReturned { .. }
        | Event::AssistanceDeclined(_)
        | Event::DeliveryRecorded { .. }
        | Event::DeliveryCountersigned { .. }
        | Event::DeliveryReversed { .. }
        | Event::PlanItemClosed { .. }
        | Event::FollowUpsScheduled { .. }
        | Event::CaseworkerAssigned { .. }
        | Event::CaseClosed { .. }) => e,
    })
}

/// Redacts the unmet departure conditions: a reader who may not know that a person is a
/// victim of trafficking (or has the vulnerability a protection condition is about)
/// learns only that a protection requirement is unmet.
pub fn redact_conditions(vs: Vec<Violation>, vis: &Visibility) -> Vec<Violation> {
    vs.into_iter()
        .map(|mut v| {
            let concerns = v
                .params
                .get("vulnerability")
                .and_then(|code| Vulnerability::ALL.into_iter().find(|x| x.code() == code));
            let may_know = match concerns {
                Some(x) => vis.sees(x),
                None => vis.trafficking,
            };
            if v.code.starts_with("protection.") && !may_know {
                // Not even who it concerns: that alone would tell.
                v = Violation::new(
                    "protection.requirement_unmet",
                    "a protection requirement is not met (details restricted to protection staff)",
                );
            }
            let hidden = v
                .params
                .get("vulnerability")
                .and_then(|code| Vulnerability::ALL.into_iter().find(|x| x.code() == code))
                .is_some_and(|x| !vis.sees(x));
            if hidden {
                v.params.remove("vulnerability");
                v.message = "the programme requires an escort for this person".into();
            }
            v
        })
        .collect()
}

/// Where a member stands on consent.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentStatus {
    pub person_id: PersonId,
    /// `own`, `representative` or `covered_by_family`.
    pub path: &'static str,
    /// When the reflection period allows consent to be recorded; absent until an
    /// information session informed whoever consents.
    pub possible_from: Option<DateTime<Utc>>,
}

pub fn consent_status(
    case: &Case,
    programme: &ProgrammeSettings,
    at: DateTime<Utc>,
) -> Vec<ConsentStatus> {
    case.members
        .iter()
        .map(|m| {
            let path = consent_path(case, m, at.date_naive());
            let (code, giver) = match path {
                ConsentPath::Own => ("own", Some(ConsentGiver::Person)),
                ConsentPath::Representative { .. } => {
                    ("representative", Some(ConsentGiver::Representative))
                }
                ConsentPath::CoveredByFamily => ("covered_by_family", None),
            };
            ConsentStatus {
                person_id: m.person_id,
                path: code,
                possible_from: giver
                    .and_then(|g| consent_possible_from(case, m.person_id, g, programme)),
            }
        })
        .collect()
}

/// A leg's times at its airports, for people who read local times.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegLocalTimes {
    pub from: String,
    pub to: String,
    /// `2026-12-03 14:05 (+01:00)`; absent for an airport without known time zone.
    pub departs_local: Option<String>,
    pub arrives_local: Option<String>,
}

pub fn local_times(case: &Case) -> Vec<LegLocalTimes> {
    use homeward_domain::airports::local_time;
    case.itinerary
        .iter()
        .flat_map(|i| &i.legs)
        .map(|l| LegLocalTimes {
            from: l.from.to_string(),
            to: l.to.to_string(),
            departs_local: local_time(&l.from, l.departs_at),
            arrives_local: local_time(&l.to, l.arrives_at),
        })
        .collect()
}

/// A case as its reader may see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    pub case: Case,
    /// Send it back with the next command on this case.
    pub version: u64,
    pub lead_office: OfficeId,
    /// Kinds of sensitive data withheld from this reader.
    pub withheld: Vec<Sensitive>,
    /// What stands between the case and departure now (empty: it may depart).
    pub departure_conditions: Vec<Violation>,
    pub consent: Vec<ConsentStatus>,
    /// The itinerary's times in each airport's local time (UTC is in `case.itinerary`).
    pub itinerary_local_times: Vec<LegLocalTimes>,
    /// What the case waits for now and who takes it, overdue first (empty once closed).
    pub next_steps: Vec<homeward_domain::case::next::NextStep>,
    /// The caseworker's name (`case.owner` is their id).
    pub owner_name: Option<String>,
}

/// One line of a case's timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub version: u64,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub actor: UserId,
    pub actor_name: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// The event's data; absent when withheld from this reader.
    pub data: Option<serde_json::Value>,
    /// Versions of the corrections that replaced this entry's details.
    pub corrected_by: Vec<u64>,
}

/// A row of the case list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    pub id: CaseId,
    pub reference: String,
    pub stage: Stage,
    pub outcome: Option<String>,
    pub host_office: OfficeId,
    pub return_office: Option<OfficeId>,
    pub programme: ProgrammeId,
    pub country_of_return: String,
    pub principal_name: String,
    pub members: i64,
    pub vulnerabilities: Vec<Vulnerability>,
    pub registered_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
    pub departed_at: Option<DateTime<Utc>>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the booked itinerary's first flight leaves.
    pub departs_at: Option<DateTime<Utc>>,
    /// The caseworker who owns the case.
    pub owner: Option<UserId>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    /// The soonest due day of the reintegration plan's items still to deliver.
    pub items_due_on: Option<NaiveDate>,
    /// The day someone's last travel document runs out before the booked flight.
    pub documents_expire_on: Option<NaiveDate>,
    /// What the reintegration plan waits for: its draft, the returnee's answer, or a
    /// second person's approval.
    pub plan_work: Option<homeward_domain::case::reintegration::PlanWork>,
    /// What the plan version awaiting approval asks its approver to accept with it.
    pub plan_exceptions: Vec<homeward_domain::case::reintegration::PlanException>,
}

impl CaseSummary {
    pub fn from_row(r: homeward_store::CaseRow, vis: &Visibility) -> Self {
        CaseSummary {
            id: r.case_id,
            reference: r.reference,
            stage: r.stage,
            outcome: r.outcome,
            host_office: r.host_office,
            return_office: r.return_office,
            programme: r.programme,
            country_of_return: r.country_of_return,
            principal_name: r.principal_name,
            members: r.members,
            vulnerabilities: Vulnerability::from_mask(r.vulnerabilities & vis.vulnerability_mask())
                .into_iter()
                .collect(),
            registered_at: r.registered_at,
            applied_at: r.applied_at,
            departed_at: r.departed_at,
            arrived_at: r.arrived_at,
            closed_at: r.closed_at,
            departs_at: r.departs_at,
            owner: r.owner,
            version: r.version,
            updated_at: r.updated_at,
            items_due_on: r.items_due_on,
            documents_expire_on: r.documents_expire_on,
            plan_work: r.plan_work,
            plan_exceptions: homeward_domain::case::reintegration::PlanException::of_mask(
                r.plan_exceptions,
            ),
        }
    }
}

/// A person found by search.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSummary {
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub relationship: String,
    pub given_name: String,
    pub family_name: Option<String>,
    pub birth_date: Option<chrono::NaiveDate>,
    pub birth_year: i64,
    pub birth_estimated: bool,
    pub sex: Sex,
    pub nationality: Option<String>,
}

impl From<homeward_store::PersonRow> for PersonSummary {
    fn from(r: homeward_store::PersonRow) -> Self {
        PersonSummary {
            case_id: r.case_id,
            person_id: r.person_id,
            relationship: r.relationship,
            given_name: r.given_name,
            family_name: r.family_name,
            birth_date: r.birth_date,
            birth_year: r.birth_year,
            birth_estimated: r.birth_estimated,
            sex: r.sex,
            nationality: r.nationality,
        }
    }
}
