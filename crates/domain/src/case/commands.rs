//! Commands: what a user asks to do to a case (each declared in `catalogue`), and
//! registering a new one. [`super::decide`] accepts or refuses them.

use serde::{Deserialize, Serialize};

pub use super::catalogue::{Command, CommandKind};
use super::records::*;
use crate::ids::{CaseId, OfficeId, ProgrammeId};
use crate::person::Member;
use crate::values::{CountryCode, ShortText};

/// A user to be a case's caseworker, as the caller found them in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignee {
    pub user_id: crate::ids::UserId,
    /// The offices they work in.
    pub offices: Vec<OfficeId>,
    /// Whether a role of theirs works on cases (not an administrator, donor, auditor or
    /// partner), and the account is active.
    pub works_on_cases: bool,
}

/// Registers a new case with its principal applicant and family members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterCase {
    pub case_id: CaseId,
    /// Allocated by the caller, unique per deployment (office code, year, sequence).
    pub reference: ShortText,
    pub host_office: OfficeId,
    pub host_country: CountryCode,
    pub programme: ProgrammeId,
    pub referral: Referral,
    pub proposal: Proposal,
    /// The principal applicant first (relationship `principal`), then the family.
    pub members: Vec<Member>,
}

impl CommandKind {
    /// A stable name, used in the audit log and by interfaces.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn from_name(name: &str) -> Option<CommandKind> {
        CommandKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl Command {
    /// A stable name, used in the audit log and in authorisation.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}
