//! Who may do what, where, and see which fields (DESIGN.md, "The people who use it" and
//! "Data protection"). The application layer asks these questions; it never answers
//! them itself.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::case::referrals::{ReferralRecord, ReferralStep};
use crate::case::{Case, Command, CommandKind};
use crate::ids::{OfficeId, OrganisationId, UserId};
use crate::rules::Violation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Counsellor,
    Approver,
    MedicalOfficer,
    MovementOfficer,
    ReintegrationOfficer,
    MonitoringOfficer,
    Partner,
    Administrator,
    Donor,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Counsellor,
        Role::Approver,
        Role::MedicalOfficer,
        Role::MovementOfficer,
        Role::ReintegrationOfficer,
        Role::MonitoringOfficer,
        Role::Partner,
        Role::Administrator,
        Role::Donor,
        Role::Auditor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Counsellor => "counsellor",
            Role::Approver => "approver",
            Role::MedicalOfficer => "medical_officer",
            Role::MovementOfficer => "movement_officer",
            Role::ReintegrationOfficer => "reintegration_officer",
            Role::MonitoringOfficer => "monitoring_officer",
            Role::Partner => "partner",
            Role::Administrator => "administrator",
            Role::Donor => "donor",
            Role::Auditor => "auditor",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }

    /// Roles that work on cases and read personal data.
    pub fn reads_cases(self) -> bool {
        matches!(
            self,
            Role::Counsellor
                | Role::Approver
                | Role::MedicalOfficer
                | Role::MovementOfficer
                | Role::ReintegrationOfficer
                | Role::MonitoringOfficer
        )
    }
}

/// The user acting: their roles and the offices they belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: UserId,
    pub roles: BTreeSet<Role>,
    pub offices: BTreeSet<OfficeId>,
    /// A partner's organisation, in the directory.
    #[serde(default)]
    pub organisation: Option<OrganisationId>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.roles.contains(r))
    }

    /// Reads personal data of cases at all.
    pub fn reads_cases(&self) -> bool {
        self.roles.iter().any(|r| r.reads_cases())
    }

    /// Offices whose cases this actor may see. Empty for roles that see no cases.
    pub fn case_scope(&self) -> Vec<OfficeId> {
        if self.reads_cases() {
            self.offices.iter().copied().collect()
        } else {
            Vec::new()
        }
    }

    pub fn may_register_cases(&self) -> bool {
        self.has(Role::Counsellor)
    }

    pub fn may_administer(&self) -> bool {
        self.has(Role::Administrator)
    }

    /// Who keeps the stakeholder directory: administrators and programme managers.
    pub fn may_keep_directory(&self) -> bool {
        self.has_any(&[Role::Administrator, Role::Approver])
    }

    /// Works for the programme (any role but a partner organisation's): reads its
    /// programmes' settings.
    pub fn is_staff(&self) -> bool {
        self.roles.iter().any(|r| *r != Role::Partner)
    }

    /// The organisation whose referrals this actor answers: a partner's.
    pub fn partner_of(&self) -> Option<OrganisationId> {
        if self.has(Role::Partner) {
            self.organisation
        } else {
            None
        }
    }

    pub fn may_read_audit(&self) -> bool {
        self.has_any(&[Role::Auditor, Role::Administrator])
    }

    /// How this actor may read the programme's statistics, if at all.
    pub fn statistics_access(&self) -> Option<StatisticsAccess> {
        if self.has_any(&[Role::Approver, Role::MonitoringOfficer]) {
            // Exact numbers, for their own offices: they see those cases anyway.
            Some(StatisticsAccess {
                exact: true,
                offices: Some(self.offices.clone()),
            })
        } else if self.has_any(&[Role::Donor, Role::Auditor, Role::Administrator]) {
            // Every office, small numbers protected (`crate::disclosure`).
            Some(StatisticsAccess {
                exact: false,
                offices: None,
            })
        } else {
            None
        }
    }
}

/// How a reader may see statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsAccess {
    /// Small numbers as counted (else protected, and periods in whole months).
    pub exact: bool,
    /// Only these offices' figures; `None`: every office.
    pub offices: Option<BTreeSet<OfficeId>>,
}

/// Whether the actor may see the case at all: a case is visible to the users of its host
/// office and of its office of return. Everyone else gets "not found".
pub fn can_see(actor: &Actor, case: &Case) -> bool {
    actor.reads_cases()
        && (actor.offices.contains(&case.host_office)
            || case
                .return_office
                .is_some_and(|o| actor.offices.contains(&o)))
}

/// Why an account's roles, offices and organisation do not fit together. A partner
/// works for one organisation of the directory and has no other role or office (it
/// sees referrals, never cases); no one else belongs to an organisation.
pub fn account_violations(
    roles: &BTreeSet<Role>,
    offices: &BTreeSet<OfficeId>,
    organisation: Option<OrganisationId>,
) -> Vec<Violation> {
    let mut v = vec![];
    if roles.contains(&Role::Partner) {
        if organisation.is_none() {
            v.push(
                Violation::new(
                    "user.partner_organisation",
                    "a partner user belongs to an organisation of the directory: choose it",
                )
                .at("organisation"),
            );
        }
        if roles.len() > 1 {
            v.push(
                Violation::new(
                    "user.partner_alone",
                    "a partner user has no other role: partners see only the referrals addressed to them",
                )
                .at("roles"),
            );
        }
        if !offices.is_empty() {
            v.push(
                Violation::new(
                    "user.partner_offices",
                    "a partner user works for its organisation, not for an office",
                )
                .at("offices"),
            );
        }
    } else if organisation.is_some() {
        v.push(
            Violation::new(
                "user.organisation_not_partner",
                "only partner users belong to an organisation",
            )
            .at("organisation"),
        );
    }
    v
}

/// Whether the actor reaches the case for this command at all: a reader of the case's
/// offices (`can_see`), or a partner answering a referral addressed to its organisation.
/// Anyone else is told the case does not exist.
pub fn reaches(actor: &Actor, case: &Case, cmd: &Command) -> bool {
    can_see(actor, case) || answered_as_partner(actor, case, cmd).is_some()
}

/// The answer, when `cmd` is a partner's answer to a referral addressed to its
/// organisation.
fn answered_as_partner<'a>(
    actor: &Actor,
    case: &Case,
    cmd: &'a Command,
) -> Option<&'a crate::case::referrals::ReferralUpdate> {
    match cmd {
        Command::UpdateReferral(u)
            if case
                .referrals
                .get(u.referral_id)
                .is_some_and(|r| partner_sees(actor, r)) =>
        {
            Some(u)
        }
        _ => None,
    }
}

/// Who answers through a referral's single-use link: the organisation the referral is
/// addressed to, acting as its partner users would (`partner_sees`, `authorize`), under
/// the link's own id. The application lets it act on that one referral only.
pub fn link_actor(link: uuid::Uuid, organisation: OrganisationId) -> Actor {
    Actor {
        user_id: UserId(link),
        roles: [Role::Partner].into(),
        offices: BTreeSet::new(),
        organisation: Some(organisation),
    }
}

/// Whether the actor sees this referral as its organisation: a partner, of the
/// organisation it is addressed to. Anyone else is told it does not exist.
pub fn partner_sees(actor: &Actor, referral: &ReferralRecord) -> bool {
    // A referral made without consent is sent only once a second person approves it.
    actor.partner_of() == Some(referral.request.organisation) && referral.was_sent()
}

/// Whether a partner who sees the referral may record this step: the organisation's
/// steps (accept, decline, start, deliver), never the sender's (close, revoke).
pub fn authorize_partner_step(actor: &Actor, step: &ReferralStep) -> Result<(), Denied> {
    if !actor.has(Role::Partner) {
        return Err(Denied::Role(vec![Role::Partner]));
    }
    if step.is_organisations() {
        Ok(())
    } else {
        Err(Denied::Sender)
    }
}

/// Whether the actor may date what it records in the past (`occurred_at`): the
/// programme's staff, recording what happened away from the system. A partner's answer
/// is dated when it is recorded: an overdue answer cannot be made to look on time.
pub fn may_backdate(actor: &Actor) -> bool {
    actor.partner_of().is_none()
}

/// The roles that may issue a command (`CommandKind::spec`).
pub fn roles_for(kind: CommandKind) -> &'static [Role] {
    kind.spec().roles
}

/// Why an actor who can see a case may not issue a command on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("this action needs one of the roles: {}", .0.iter().map(|r| r.code()).collect::<Vec<_>>().join(", "))]
    Role(Vec<Role>),
    #[error("this action is taken by the office that leads the case")]
    Office,
    #[error("the programme that sent the referral closes or revokes it")]
    Sender,
}

/// Whether the actor may issue `cmd` on `case`. Before arrival the host office leads;
/// the office of return records the arrival and leads from then on, while the host office
/// keeps read access.
pub fn authorize(actor: &Actor, case: &Case, cmd: &Command) -> Result<(), Denied> {
    if let Some(u) = answered_as_partner(actor, case, cmd) {
        return authorize_partner_step(actor, &u.step);
    }
    let roles = match cmd {
        Command::Correct { replacement, .. } => roles_for_detail(replacement),
        other => roles_in(case, other.kind()),
    };
    check(actor, case, cmd.kind(), roles)?;
    // A sensitive note is written by someone who may read it.
    let written = match cmd {
        Command::AddNote(n) => n.sensitivity,
        Command::Correct { replacement, .. } => match replacement.as_ref() {
            crate::case::Event::NoteAdded(n) => n.sensitivity,
            _ => None,
        },
        _ => None,
    };
    if let Some(kind) = written
        && !may_read(actor, kind)
    {
        return Err(Denied::Role(readers_of(kind).to_vec()));
    }
    // Sensitive data is shared with an organisation only by someone who may read it.
    if let Command::MakeReferral(r) = cmd
        && let Some(kind) = r
            .shared
            .iter()
            .flat_map(|g| g.sensitivity().iter().copied())
            .find(|k| !may_read(actor, *k))
    {
        return Err(Denied::Role(readers_of(kind).to_vec()));
    }
    Ok(())
}

/// Whether an interface should offer this kind of command to the actor now (the rules
/// may still refuse the command itself).
pub fn may_offer(actor: &Actor, case: &Case, kind: CommandKind) -> Result<(), Denied> {
    check(actor, case, kind, roles_in(case, kind))
}

/// The roles for a kind of command on this case.
fn roles_in(case: &Case, kind: CommandKind) -> &'static [Role] {
    match kind {
        // Before departure, closing is the counsellor's; after, the return side's.
        CommandKind::Close if !case.stage.is_after_departure() => &[Role::Counsellor],
        CommandKind::Close => &[Role::ReintegrationOfficer, Role::MonitoringOfficer],
        other => roles_for(other),
    }
}

fn check(actor: &Actor, case: &Case, kind: CommandKind, roles: &[Role]) -> Result<(), Denied> {
    if !actor.has_any(roles) {
        return Err(Denied::Role(roles.to_vec()));
    }
    let office_ok = match kind {
        CommandKind::RecordArrival => {
            let receiving = case.return_office.unwrap_or(case.host_office);
            actor.offices.contains(&receiving)
        }
        _ => actor.offices.contains(&case.lead_office()),
    };
    if office_ok {
        Ok(())
    } else {
        Err(Denied::Office)
    }
}

/// Who may correct a detail: whoever may record it.
fn roles_for_detail(e: &crate::case::Event) -> &'static [Role] {
    use crate::case::Event as E;
    use Role::*;
    match e {
        E::HealthAssessed(_) => &[MedicalOfficer],
        E::TravelDocumentRecorded(_)
        | E::EscortAssigned(_)
        | E::ShelterArranged(_)
        | E::NoShowRecorded { .. } => &[MovementOfficer],
        E::AllowancePaid(_) => &[MovementOfficer, ReintegrationOfficer],
        E::ArrivalRecorded(_) | E::NeedsAssessed(_) => &[ReintegrationOfficer],
        E::FollowUpRecorded(_) => &[ReintegrationOfficer, MonitoringOfficer],
        E::NoteAdded(_) => &[
            Counsellor,
            Approver,
            MedicalOfficer,
            MovementOfficer,
            ReintegrationOfficer,
            MonitoringOfficer,
        ],
        E::PersonDetailsUpdated { .. } | E::MemberAdded(_) => &[Counsellor, ReintegrationOfficer],
        E::ApplicationRejected { .. } => &[Approver],
        E::ConsentWithdrawn { .. } => &[Counsellor, MovementOfficer],
        _ => &[Counsellor],
    }
}

/// Kinds of sensitive data (DESIGN.md, "Data protection").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Sensitive {
    /// Health assessment details.
    Medical,
    /// Victim-of-trafficking status and risk assessments.
    Trafficking,
    /// Victim of abuse, violence or exploitation.
    Violence,
    /// Confidential counselling notes, capacity and best-interests notes.
    CounsellingNotes,
    /// Health and psychosocial needs in a reintegration needs assessment, and what a
    /// returnee tells in a follow-up.
    ReintegrationNeeds,
}

impl Sensitive {
    pub const ALL: [Sensitive; 5] = [
        Sensitive::Medical,
        Sensitive::Trafficking,
        Sensitive::Violence,
        Sensitive::CounsellingNotes,
        Sensitive::ReintegrationNeeds,
    ];
}

/// Whether the actor's roles need to read this kind of sensitive data.
pub fn may_read(actor: &Actor, kind: Sensitive) -> bool {
    actor.has_any(readers_of(kind))
}

/// The roles that read this kind of sensitive data.
pub fn readers_of(kind: Sensitive) -> &'static [Role] {
    use Role::*;
    match kind {
        Sensitive::Medical => &[MedicalOfficer],
        Sensitive::Trafficking | Sensitive::Violence => {
            &[Counsellor, Approver, ReintegrationOfficer]
        }
        Sensitive::CounsellingNotes => &[Counsellor],
        // Who plans and follows the assistance, and medical staff.
        Sensitive::ReintegrationNeeds => &[ReintegrationOfficer, MonitoringOfficer, MedicalOfficer],
    }
}
