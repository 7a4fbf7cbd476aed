//! Case services: register, run a lifecycle command, read a case, its timeline, lists.

use crate::Internally;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use homeward_domain::access::{self, Actor};
use homeward_domain::case::guard::unmet_departure_conditions;
use homeward_domain::case::records::{OfficeRef, Proposal, Referral};
use homeward_domain::case::{
    Context, EventMeta, RegisterCase, budget_limits, decide, may_commit_more, register,
};
use homeward_domain::ids::{BudgetLineId, CaseId, InboundId, OfficeId, ProgrammeId, UserId};
use homeward_domain::inbound::InboundReferral;
use homeward_domain::person::Member;
use homeward_domain::programme::ProgrammeSettings;
use homeward_domain::values::{CountryCode, ShortText};
use homeward_domain::{Case, Command, Event, RecordedEvent, Stage, Violation};
use homeward_store::{AuditDraft, CaseFilter, Commit, Page, PageRequest, Scope};
use serde::Serialize;

use crate::auth::Principal;
use crate::recent::Replayed;
use crate::views::{
    CaseSummary, CaseView, PersonSummary, TimelineEntry, Visibility, consent_status,
    redact_conditions, redacted_case, redacted_event, sensitive_read,
};
use crate::{App, AppError, Result, new_id, now};

/// A new case as submitted.
#[derive(Debug, Clone)]
pub struct RegisterInput {
    pub host_office: OfficeId,
    pub programme: ProgrammeId,
    pub referral: Referral,
    pub proposal: Proposal,
    pub members: Vec<Member>,
    pub occurred_at: Option<DateTime<Utc>>,
    /// The inbound referral the case is registered from: it becomes the case's source
    /// (`referral` is replaced by it) and is registered with the case, once.
    pub inbound: Option<InboundId>,
}

/// The result of a command.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Executed {
    pub case_id: CaseId,
    pub reference: String,
    pub stage: Stage,
    /// The case's new version: send it with the next command.
    pub version: u64,
}

pub fn scope_of(actor: &Actor) -> Scope {
    Scope {
        offices: actor.case_scope(),
    }
}

/// The reader's scope narrowed to `office`: nothing if it is not one of theirs.
pub fn scope_in(actor: &Actor, office: Option<OfficeId>) -> Scope {
    let mut scope = scope_of(actor);
    if let Some(o) = office {
        scope.offices.retain(|x| *x == o);
    }
    scope
}

fn recorded(
    case_version: u64,
    actor: UserId,
    occurred_at: DateTime<Utc>,
    at: DateTime<Utc>,
    events: Vec<Event>,
) -> Vec<RecordedEvent> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, event)| RecordedEvent {
            meta: EventMeta {
                version: case_version + i as u64 + 1,
                actor,
                occurred_at,
                recorded_at: at,
            },
            event,
        })
        .collect()
}

/// What a commit carries beside its events: the inbound referral a new case is registered
/// from, or the programme whose budget lines a command on a case is held to.
enum Beside<'a> {
    Registering(Option<Box<InboundReferral>>),
    Deciding(&'a ProgrammeSettings),
}

impl App {
    pub async fn programme_settings(&self, id: ProgrammeId) -> Result<ProgrammeSettings> {
        let row = self
            .store()
            .programme(id)
            .await?
            .ok_or(AppError::NotFound)?;
        serde_json::from_str(&row.settings)
            .map_err(|e| AppError::internal_from(format!("programme {} settings", row.code), e))
    }

    /// A programme's settings for a request: from memory when the directory has not
    /// changed since they were read.
    pub async fn programme_for(&self, p: &Principal, id: ProgrammeId) -> Result<ProgrammeSettings> {
        self.programme_at(p.directory_generation, id).await
    }

    /// A programme's settings as of a directory generation read with a request.
    pub(crate) async fn programme_at(
        &self,
        generation: i64,
        id: ProgrammeId,
    ) -> Result<ProgrammeSettings> {
        if let Some(settings) = self.directory().programme(generation, id) {
            return Ok(settings);
        }
        let settings = self.programme_settings(id).await?;
        self.directory().keep_programme(generation, id, &settings);
        Ok(settings)
    }

    /// Resolves an office for a command that names one.
    pub async fn office_ref(&self, id: OfficeId, field: &str) -> Result<OfficeRef> {
        let office = self.store().office(id).await?.ok_or_else(|| {
            AppError::invalid(Violation::new("office.unknown", "there is no such office").at(field))
        })?;
        let country = CountryCode::parse(&office.country)
            .map_err(|e| AppError::internal_from(format!("office {}", office.code), e))?;
        Ok(OfficeRef {
            office_id: id,
            country,
        })
    }

    /// A user as a caseworker: their offices, and whether they may be one (active, with a
    /// role that works on cases). The domain decides whether they may own this case.
    pub async fn assignee(&self, id: UserId, field: &str) -> Result<homeward_domain::Assignee> {
        let user = self.store().user(id).await?.ok_or_else(|| {
            AppError::invalid(
                Violation::new("caseworker.unknown", "there is no such user").at(field),
            )
        })?;
        Ok(assignee_of(&user))
    }

    /// The users who may own this case: active, working on cases, in the office that
    /// leads it; by name.
    pub async fn caseworkers(&self, p: &Principal, id: CaseId) -> Result<Vec<(UserId, String)>> {
        let read = self.load_visible(p, id).await?;
        // Whoever the domain's rule lets own it.
        let mut users: Vec<(UserId, String)> = self
            .store()
            .list_users()
            .await?
            .into_iter()
            .filter(|u| {
                homeward_domain::case::caseworker_violations(&read.case, &assignee_of(u)).is_empty()
            })
            .map(|u| (u.id, u.display_name))
            .collect();
        users.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(users)
    }

    /// Stores new events of a case with its read models and the audit entry; the case
    /// they make is kept in memory (see `recent`).
    async fn commit(
        &self,
        actor: UserId,
        history: &[RecordedEvent],
        before: Option<&Case>,
        new: &[RecordedEvent],
        action: &str,
        beside: Beside<'_>,
    ) -> Result<Arc<Replayed>> {
        let (inbound, programme) = match beside {
            Beside::Registering(inbound) => (inbound.map(|b| *b), None),
            Beside::Deciding(programme) => (None, Some(programme)),
        };
        let all: Vec<RecordedEvent> = history.iter().chain(new).cloned().collect();
        // The case read, advanced by the new events: its history is not folded again.
        let case = match before {
            Some(prev) => prev.advance(history, new),
            None => Case::replay(&all),
        }
        .internal("replaying the case with its new events")?;
        let at = new.last().map(|e| e.meta.recorded_at).unwrap_or_else(now);
        let audit = AuditDraft {
            at,
            actor: Some(actor.0),
            action: format!("case.{action}"),
            case_id: Some(case.id.0),
            detail: match &inbound {
                None => serde_json::json!({
                    "events": new.iter().map(|e| e.event.kind()).collect::<Vec<_>>(),
                    "version": case.version,
                }),
                Some(r) => serde_json::json!({
                    "events": new.iter().map(|e| e.event.kind()).collect::<Vec<_>>(),
                    "version": case.version,
                    "inbound": r.id,
                }),
            },
        };
        let limits = match (before, programme) {
            (Some(prev), Some(programme)) => budget_limits(prev, &case, programme)
                .into_iter()
                .map(|(line, limit)| (line.0, limit))
                .collect(),
            _ => vec![],
        };
        let written = self
            .store()
            .append(
                Commit::of(before, &case, &all, new.len(), audit)
                    .with_inbound(inbound)
                    .with_budget_limits(limits),
            )
            .await;
        if let Err(e) = written {
            // Whether it was written may be unknown: what is kept of the case may be old.
            self.recent().forget(case.id);
            return Err(e.into());
        }
        let replayed = Arc::new(Replayed { events: all, case });
        self.recent().keep(replayed.case.id, replayed.clone());
        Ok(replayed)
    }

    #[tracing::instrument(skip_all, fields(user = %p.actor.user_id.0))]
    pub async fn register_case(&self, p: &Principal, input: RegisterInput) -> Result<Executed> {
        self.register_as(&p.actor, p.directory_generation, input)
            .await
    }

    /// Registers a case as `actor`, with the directory and programmes of `generation`.
    pub(crate) async fn register_as(
        &self,
        actor: &Actor,
        generation: i64,
        input: RegisterInput,
    ) -> Result<Executed> {
        if !actor.may_register_cases() {
            return Err(AppError::Forbidden(
                "registering a case needs the counsellor role".into(),
            ));
        }
        if !actor.offices.contains(&input.host_office) {
            return Err(AppError::invalid(
                Violation::new(
                    "office.not_yours",
                    "you can register cases only in your own offices",
                )
                .at("host_office"),
            ));
        }
        let office = self
            .store()
            .office(input.host_office)
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    Violation::new("office.unknown", "there is no such office").at("host_office"),
                )
            })?;
        let programme = self
            .programme_at(generation, input.programme)
            .await
            .map_err(|e| match e {
                AppError::NotFound => AppError::invalid(
                    Violation::new("programme.unknown", "there is no such programme")
                        .at("programme"),
                ),
                other => other,
            })?;
        // A referral received is checked before a reference number is taken.
        let inbound = match input.inbound {
            Some(id) => Some(
                self.inbound_to_register(actor, id, input.host_office)
                    .await?,
            ),
            None => None,
        };
        let at = now();
        let occurred_at = input.occurred_at.unwrap_or(at);
        let year = occurred_at.year();
        let seq = self
            .store()
            .next_reference_number(&format!("{}-{year}", office.code))
            .await?;
        let reference = ShortText::parse(&format!("{}-{year}-{seq:05}", office.code))
            .internal("the new case's reference")?;
        let host_country = CountryCode::parse(&office.country).internal("the office's country")?;
        let case_id = CaseId(new_id());
        let (referral, inbound) = match inbound {
            Some(r) => (
                r.case_referral(),
                Some(r.registered(actor.user_id, at, case_id, reference.clone())?),
            ),
            None => (input.referral, None),
        };
        let ctx = Context {
            actor: actor.user_id,
            occurred_at,
            now: at,
            programme: &programme,
            history: &[],
            committed_elsewhere: &homeward_domain::case::NOTHING_ELSEWHERE,
        };
        let events = register(
            RegisterCase {
                case_id,
                reference,
                host_office: input.host_office,
                host_country,
                programme: input.programme,
                referral,
                proposal: input.proposal,
                members: input.members,
            },
            &ctx,
        )?;
        let new = recorded(0, actor.user_id, occurred_at, at, events);
        let done = self
            .commit(
                actor.user_id,
                &[],
                None,
                &new,
                "register",
                Beside::Registering(inbound.map(Box::new)),
            )
            .await?;
        Ok(Executed {
            case_id,
            reference: done.case.reference.to_string(),
            stage: done.case.stage,
            version: done.case.version,
        })
    }

    /// Reads a case's events from the database and replays them; keeps the case in
    /// memory for the commands that may follow (see `recent`).
    pub(crate) async fn load(&self, id: CaseId) -> Result<Option<Arc<Replayed>>> {
        let events = self.store().load_events(id).await?;
        if events.is_empty() {
            return Ok(None);
        }
        let case = Case::replay(&events).internal("replaying a stored case")?;
        let replayed = Arc::new(Replayed { events, case });
        self.recent().keep(id, replayed.clone());
        Ok(Some(replayed))
    }

    /// Loads a case the principal may see, or "not found" (never "forbidden": a case of
    /// another office does not exist for this user). Whether the user may see it is the
    /// domain's rule (`access::can_see`), asked of the case its events make.
    pub(crate) async fn load_visible(&self, p: &Principal, id: CaseId) -> Result<Arc<Replayed>> {
        let replayed = self.load(id).await?.ok_or(AppError::NotFound)?;
        if !access::can_see(&p.actor, &replayed.case) {
            return Err(AppError::NotFound);
        }
        Ok(replayed)
    }

    /// Runs a lifecycle command on a case the caller read at `expected_version`.
    ///
    /// When this process keeps the case at that version, the command is decided on it
    /// without reading the case's events. Whatever the answer then depends on the case
    /// (a conflict, a refusal, "not found") may come from a case another process has
    /// changed since: the kept case is forgotten and the command runs again on the case
    /// read from the database, so the caller gets the answer it would have had without
    /// the memory. A write is never made on an old case: the store refuses it (`Conflict`).
    #[tracing::instrument(skip_all, fields(case = %id.0, command = cmd.name(), version = expected_version))]
    pub async fn execute(
        &self,
        p: &Principal,
        id: CaseId,
        expected_version: u64,
        occurred_at: Option<DateTime<Utc>>,
        cmd: Command,
    ) -> Result<Executed> {
        if let Some(kept) = self.recent().at(id, expected_version) {
            match self
                .execute_on(p, &kept, expected_version, occurred_at, cmd.clone())
                .await
            {
                Ok(done) => return Ok(done),
                Err(e @ (AppError::Unavailable(_) | AppError::Internal(_))) => {
                    self.recent().forget(id);
                    return Err(e);
                }
                Err(_) => self.recent().forget(id),
            }
        }
        let read = self.load(id).await?.ok_or(AppError::NotFound)?;
        self.execute_on(p, &read, expected_version, occurred_at, cmd)
            .await
    }

    async fn execute_on(
        &self,
        p: &Principal,
        read: &Replayed,
        expected_version: u64,
        occurred_at: Option<DateTime<Utc>>,
        cmd: Command,
    ) -> Result<Executed> {
        self.execute_as(
            &p.actor,
            p.directory_generation,
            read,
            expected_version,
            occurred_at,
            cmd,
        )
        .await
    }

    /// Runs a command as `actor` (a signed-in user's, or a referral link's) on a case
    /// read, with the programme settings of the directory `generation`.
    pub(crate) async fn execute_as(
        &self,
        actor: &Actor,
        generation: i64,
        read: &Replayed,
        expected_version: u64,
        occurred_at: Option<DateTime<Utc>>,
        cmd: Command,
    ) -> Result<Executed> {
        let (history, case) = (&read.events, &read.case);
        if !access::reaches(actor, case, &cmd) {
            return Err(AppError::NotFound);
        }
        if case.version != expected_version {
            return Err(AppError::Conflict {
                current: case.version,
            });
        }
        access::authorize(actor, case, &cmd).map_err(|d| AppError::Forbidden(d.to_string()))?;
        if occurred_at.is_some() && !access::may_backdate(actor) {
            return Err(AppError::invalid(
                Violation::new(
                    "time.not_backdated",
                    "an organisation's answer is dated when it is recorded: leave out occurred_at",
                )
                .at("occurred_at"),
            ));
        }
        let programme = self.programme_at(generation, case.programme).await?;
        let cmd = self.score_surveys(cmd, occurred_at).await?;
        let at = now();
        let occurred_at = occurred_at.unwrap_or(at);
        let name = cmd.name();
        let elsewhere = self.committed_elsewhere(case, &cmd, &programme).await?;
        let ctx = Context {
            actor: actor.user_id,
            occurred_at,
            now: at,
            programme: &programme,
            history,
            committed_elsewhere: &elsewhere,
        };
        let events = decide(case, cmd, &ctx).map_err(|r| {
            // A refusal tells no more than the case view would.
            AppError::Refused(homeward_domain::Refusal {
                violations: redact_conditions(r.violations, &Visibility::of(actor)),
            })
        })?;
        let new = recorded(case.version, actor.user_id, occurred_at, at, events);
        let done = self
            .commit(
                actor.user_id,
                history,
                Some(case),
                &new,
                name,
                Beside::Deciding(&programme),
            )
            .await?;
        Ok(Executed {
            case_id: case.id,
            reference: done.case.reference.to_string(),
            stage: done.case.stage,
            version: done.case.version,
        })
    }

    /// What the programme's other cases commit on its budget lines, for a command that
    /// may commit more of them (nothing is read for the others).
    async fn committed_elsewhere(
        &self,
        case: &Case,
        cmd: &Command,
        programme: &ProgrammeSettings,
    ) -> Result<BTreeMap<BudgetLineId, i64>> {
        if !may_commit_more(cmd) || programme.funding.is_empty() {
            return Ok(BTreeMap::new());
        }
        Ok(self
            .store()
            .committed_elsewhere(case.programme, case.id, &programme.budget_line_ids())
            .await?
            .into_iter()
            .collect())
    }

    async fn audit_sensitive_read(
        &self,
        p: &Principal,
        case: &Case,
        what: &str,
        vis: &Visibility,
    ) -> Result<()> {
        let read = sensitive_read(case, vis);
        if read.is_empty() {
            return Ok(());
        }
        self.audit(AuditDraft {
            at: now(),
            actor: Some(p.actor.user_id.0),
            action: "case.read_sensitive".into(),
            case_id: Some(case.id.0),
            detail: serde_json::json!({ "view": what, "kinds": read }),
        })
        .await
    }

    /// When consent to return becomes possible on a case (the latest of its people's
    /// reflection periods), if it is still ahead: what a work queue shows of a case in
    /// counselling. Nothing sensitive is read, so nothing is audited; the case must be in
    /// the reader's scope like any other.
    #[tracing::instrument(skip_all, fields(case = %id.0))]
    pub async fn consent_possible_from(
        &self,
        p: &Principal,
        id: CaseId,
    ) -> Result<Option<DateTime<Utc>>> {
        let read = self.load_visible(p, id).await?;
        let programme = self.programme_for(p, read.case.programme).await?;
        let at = now();
        Ok(consent_status(&read.case, &programme, at)
            .iter()
            .filter_map(|c| c.possible_from)
            .max()
            .filter(|from| *from > at))
    }

    /// The kinds of the case's entries that were recorded late (`events::recorded_late`),
    /// each once, in the order they happened: what an approver is shown. Scoped as the case
    /// is, and not audited: it reads no details.
    pub async fn late_entries(&self, p: &Principal, id: CaseId) -> Result<Vec<&'static str>> {
        let read = self.load_visible(p, id).await?;
        let mut kinds = vec![];
        for e in &read.events {
            let kind = e.event.kind();
            if homeward_domain::case::events::recorded_late(e.meta.occurred_at, e.meta.recorded_at)
                && !kinds.contains(&kind)
            {
                kinds.push(kind);
            }
        }
        Ok(kinds)
    }

    #[tracing::instrument(skip_all, fields(case = %id.0))]
    pub async fn case_view(&self, p: &Principal, id: CaseId) -> Result<CaseView> {
        let case = self.load_visible(p, id).await?.case.clone();
        let vis = Visibility::of(&p.actor);
        self.audit_sensitive_read(p, &case, "case", &vis).await?;
        let programme = self.programme_for(p, case.programme).await?;
        let at = now();
        let conditions = if case.stage.is_active_before_departure() {
            redact_conditions(unmet_departure_conditions(&case, at, &programme), &vis)
        } else {
            vec![]
        };
        let consent = consent_status(&case, &programme, at);
        let next_steps = homeward_domain::case::next::next_steps(&case, &programme, at);
        let owner_name = match case.owner {
            Some(u) => self.store().user(u).await?.map(|u| u.display_name),
            None => None,
        };
        let itinerary_local_times = crate::views::local_times(&case);
        let lead_office = case.lead_office();
        let version = case.version;
        Ok(CaseView {
            case: redacted_case(case, &vis),
            version,
            lead_office,
            withheld: vis.withheld(),
            departure_conditions: conditions,
            consent,
            itinerary_local_times,
            next_steps,
            owner_name,
        })
    }

    #[tracing::instrument(skip_all, fields(case = %id.0))]
    pub async fn timeline(&self, p: &Principal, id: CaseId) -> Result<Vec<TimelineEntry>> {
        let read = self.load_visible(p, id).await?;
        let (events, case) = (&read.events, &read.case);
        let vis = Visibility::of(&p.actor);
        self.audit_sensitive_read(p, case, "timeline", &vis).await?;
        let mut corrected_by: HashMap<u64, Vec<u64>> = HashMap::new();
        for e in events {
            if let Event::Corrected { corrects, .. } = &e.event {
                corrected_by
                    .entry(*corrects)
                    .or_default()
                    .push(e.meta.version);
            }
        }
        let mut names: HashMap<UserId, Option<String>> = HashMap::new();
        let mut out = Vec::with_capacity(events.len());
        for e in events {
            let actor = e.meta.actor;
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(actor) {
                slot.insert(self.store().user(actor).await?.map(|u| u.display_name));
            }
            let kind = e.event.kind();
            let Some(event) = redacted_event(e.event.clone(), &vis) else {
                continue;
            };
            let data = serde_json::to_value(&event)
                .ok()
                .and_then(|v| v.get("data").cloned());
            out.push(TimelineEntry {
                version: e.meta.version,
                kind,
                actor,
                actor_name: names.get(&actor).cloned().flatten(),
                occurred_at: e.meta.occurred_at,
                recorded_at: e.meta.recorded_at,
                data,
                corrected_by: corrected_by.remove(&e.meta.version).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// Refuses filters on vulnerabilities the reader may not see.
    fn check_filter(&self, p: &Principal, filter: &CaseFilter) -> Result<()> {
        let vis = Visibility::of(&p.actor);
        if let Some(mask) = filter.vulnerabilities
            && mask & !vis.vulnerability_mask() != 0
        {
            return Err(AppError::invalid(
                Violation::new(
                    "filter.vulnerability_restricted",
                    "your role may not filter on this vulnerability",
                )
                .at("vulnerability"),
            ));
        }
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn list_cases(
        &self,
        p: &Principal,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> Result<Page<CaseSummary>> {
        self.check_filter(p, filter)?;
        let vis = Visibility::of(&p.actor);
        let rows = self
            .store()
            .list_cases(&scope_of(&p.actor), filter, page)
            .await?;
        Ok(Page {
            total: rows.total,
            total_exact: rows.total_exact,
            items: rows
                .items
                .into_iter()
                .map(|r| CaseSummary::from_row(r, &vis))
                .collect(),
        })
    }

    /// The names of these users (caseworkers owning cases a list shows), in one read;
    /// unknown ids are left out.
    pub async fn user_names(
        &self,
        ids: &[UserId],
    ) -> Result<std::collections::BTreeMap<UserId, String>> {
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        Ok(self.store().user_names(&ids).await?.into_iter().collect())
    }

    /// The scheduled follow-ups in the reader's offices (or one of them) that wait for work on `today`:
    /// those due (their window open, or opening within `DUE_SOON_DAYS`) or overdue (the
    /// window closed, not yet missed), soonest due first. The same definition as
    /// `ScheduledFollowUp::status`, read from the follow-up rows.
    #[tracing::instrument(skip_all)]
    pub async fn follow_ups_waiting(
        &self,
        p: &Principal,
        office: Option<OfficeId>,
        queue: FollowUpQueue,
        today: chrono::NaiveDate,
        page: PageRequest,
    ) -> Result<Page<FollowUpDue>> {
        let wait = match queue {
            FollowUpQueue::Due => homeward_store::FollowUpWait::Due {
                today,
                until: today + chrono::Days::new(DUE_SOON_DAYS),
            },
            FollowUpQueue::Overdue => homeward_store::FollowUpWait::Overdue { today },
        };
        let vis = Visibility::of(&p.actor);
        let rows = self
            .store()
            .follow_ups_waiting(&scope_in(&p.actor, office), wait, page)
            .await?;
        Ok(rows.map(|r| FollowUpDue {
            number: r.number,
            due: r.due_on,
            opens: r.opens_on,
            closes: r.closes_on,
            case: CaseSummary::from_row(r.case, &vis),
        }))
    }

    /// The referrals of cases in the reader's offices (or one of them) that wait for an answer past their
    /// time on `today` (overdue; or escalated, past twice their time), longest waiting
    /// first: `ReferralRecord::answer_status`, read from the referral rows.
    #[tracing::instrument(skip_all)]
    pub async fn referrals_waiting(
        &self,
        p: &Principal,
        office: Option<OfficeId>,
        queue: ReferralQueue,
        today: chrono::NaiveDate,
        page: PageRequest,
    ) -> Result<Page<ReferralDue>> {
        let wait = match queue {
            ReferralQueue::Overdue => homeward_store::ReferralWait::Overdue { today },
            ReferralQueue::Escalated => homeward_store::ReferralWait::Escalated { today },
        };
        let vis = Visibility::of(&p.actor);
        let rows = self
            .store()
            .referrals_waiting(&scope_in(&p.actor, office), wait, page)
            .await?;
        Ok(rows.map(|r| ReferralDue {
            referral_id: homeward_domain::ids::ReferralId(r.referral_id),
            organisation_name: r.organisation_name,
            service: homeward_domain::organisation::ServiceType::from_code(&r.service),
            sent: r.sent_on,
            due: r.answer_due,
            escalated_after: r.escalate_on,
            case: CaseSummary::from_row(r.case, &vis),
        }))
    }

    #[tracing::instrument(skip_all)]
    pub async fn search_people(
        &self,
        p: &Principal,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> Result<Page<PersonSummary>> {
        let rows = self
            .store()
            .search_people(&scope_of(&p.actor), filter, page)
            .await?;
        Ok(Page {
            total: rows.total,
            total_exact: rows.total_exact,
            items: rows.items.into_iter().map(PersonSummary::from).collect(),
        })
    }
}

/// How far ahead "due" looks: a follow-up whose window opens within a week is due now
/// (the home page's "this week").
pub const DUE_SOON_DAYS: u64 = 7;

/// Which follow-ups a queue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FollowUpQueue {
    /// Not held, the window open or opening within a week.
    Due,
    /// Not held, the window closed, and not yet missed (the next one's window has not
    /// opened).
    Overdue,
}

/// A scheduled follow-up that waits for work, and its case.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpDue {
    pub case: CaseSummary,
    /// From 1, in the case's schedule.
    pub number: i64,
    pub due: chrono::NaiveDate,
    /// The first and last day it is on time.
    pub opens: chrono::NaiveDate,
    pub closes: chrono::NaiveDate,
}

/// Which referrals a queue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReferralQueue {
    /// Not answered by its due day (the escalated ones too).
    Overdue,
    /// Not answered after twice its time: the programme manager's to chase.
    Escalated,
}

/// A referral that waits for an answer, and its case.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralDue {
    pub case: CaseSummary,
    pub referral_id: homeward_domain::ids::ReferralId,
    pub organisation_name: String,
    /// The need referred for (absent only for a code this version does not know).
    pub service: Option<homeward_domain::organisation::ServiceType>,
    pub sent: chrono::NaiveDate,
    /// The last day of its time to answer.
    pub due: chrono::NaiveDate,
    /// Escalated to the programme manager after this day.
    pub escalated_after: chrono::NaiveDate,
}

/// A user as the domain sees a would-be caseworker.
fn assignee_of(user: &homeward_store::UserRecord) -> homeward_domain::Assignee {
    homeward_domain::Assignee {
        user_id: user.id,
        offices: user.offices.iter().copied().collect(),
        works_on_cases: user.active && user.roles.iter().any(|r| r.reads_cases()),
    }
}
