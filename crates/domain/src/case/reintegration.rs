//! The reintegration half of a case (DESIGN.md, "Assistance, grants and budgets"): the
//! needs assessment, the plan (versions, the returnee's answer, four-eyes approval, the
//! programme's cap and its exceptions), deliveries (tranches, second signatures,
//! reversals), items declined by the returnee and items closed with a reason.
//!
//! The records and the state live here; the rules are in `decide::reintegration`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::events::{Event, EventMeta};
use super::records::ConsentGiver;
use crate::ids::{BudgetLineId, DeliveryId, PersonId, PlanItemId, UserId};
use crate::values::{ExchangeRate, LongText, Money, ShortText};

mod apply;

/// The needs and profile of a returnee (or of the household) at or after arrival: the
/// baseline the plan starts from and monitoring compares with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedsAssessment {
    /// The person assessed; the household when absent.
    pub person_id: Option<PersonId>,
    pub skills: Option<LongText>,
    pub education: Option<LongText>,
    pub work_experience: Option<LongText>,
    pub reasons_for_return: Option<LongText>,
    pub housing: Option<LongText>,
    /// Sensitive: read by the roles that may read reintegration needs.
    pub health_needs: Option<LongText>,
    /// Sensitive: read by the roles that may read reintegration needs.
    pub psychosocial_needs: Option<LongText>,
    pub family_situation: Option<LongText>,
    /// The returnee's own priorities, in their words.
    pub priorities: Option<LongText>,
}

impl NeedsAssessment {
    /// The text fields, in order, by the names the API and the forms use.
    pub const TEXT_FIELDS: [&'static str; 9] = [
        "skills",
        "education",
        "work_experience",
        "reasons_for_return",
        "housing",
        "health_needs",
        "psychosocial_needs",
        "family_situation",
        "priorities",
    ];

    /// An assessment from its text fields, in the order of [`Self::TEXT_FIELDS`].
    pub fn from_texts(person_id: Option<PersonId>, texts: [Option<LongText>; 9]) -> Self {
        let [
            skills,
            education,
            work_experience,
            reasons_for_return,
            housing,
            health_needs,
            psychosocial_needs,
            family_situation,
            priorities,
        ] = texts;
        Self {
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
        }
    }

    /// The text fields with their names, in the order of [`Self::TEXT_FIELDS`].
    pub fn texts(&self) -> [(&'static str, Option<&LongText>); 9] {
        let values = [
            &self.skills,
            &self.education,
            &self.work_experience,
            &self.reasons_for_return,
            &self.housing,
            &self.health_needs,
            &self.psychosocial_needs,
            &self.family_situation,
            &self.priorities,
        ];
        std::array::from_fn(|n| (Self::TEXT_FIELDS[n], values[n].as_ref()))
    }

    /// Whom the assessment is about, as a correction key.
    pub fn subject(&self) -> String {
        self.person_id
            .map_or_else(|| "household".to_string(), |p| p.to_string())
    }
}

snake_enum!(
    /// Reintegration assistance types (the seed's table, and the case-by-case types).
    pub enum AssistanceType {
        ReintegrationAllowance,
        TemporaryReception,
        BusinessDevelopment,
        CommunityAssistance,
        SelfEmploymentPromotion,
        OnTheJobTraining,
        InKindEducation,
        InKindBusinessSetUp,
        InKindTraining,
        VocationalTraining,
        EducationSupport,
        MedicalCare,
        Housing,
        PsychosocialSupport,
        LegalAssistance,
    }
);

impl AssistanceType {
    /// Its code, as serde writes it.
    pub fn code(self) -> &'static str {
        match self {
            AssistanceType::ReintegrationAllowance => "reintegration_allowance",
            AssistanceType::TemporaryReception => "temporary_reception",
            AssistanceType::BusinessDevelopment => "business_development",
            AssistanceType::CommunityAssistance => "community_assistance",
            AssistanceType::SelfEmploymentPromotion => "self_employment_promotion",
            AssistanceType::OnTheJobTraining => "on_the_job_training",
            AssistanceType::InKindEducation => "in_kind_education",
            AssistanceType::InKindBusinessSetUp => "in_kind_business_set_up",
            AssistanceType::InKindTraining => "in_kind_training",
            AssistanceType::VocationalTraining => "vocational_training",
            AssistanceType::EducationSupport => "education_support",
            AssistanceType::MedicalCare => "medical_care",
            AssistanceType::Housing => "housing",
            AssistanceType::PsychosocialSupport => "psychosocial_support",
            AssistanceType::LegalAssistance => "legal_assistance",
        }
    }

    pub fn from_code(code: &str) -> Option<AssistanceType> {
        AssistanceType::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Its bit in a mask of types: the statistics' rows hold what each person received
    /// as one (16 bits in the in-memory figures). The bits follow the declaration's
    /// order: a type added among the others changes them, and needs a migration, which
    /// rebuilds the rows; `the_assistance_bits_are_pinned` holds them.
    pub fn bit(self) -> i64 {
        1 << (self as u32)
    }

    /// The types of a mask.
    pub fn of_mask(mask: i64) -> Vec<AssistanceType> {
        AssistanceType::ALL
            .into_iter()
            .filter(|a| mask & a.bit() != 0)
            .collect()
    }

    pub const ALL: [AssistanceType; 15] = [
        AssistanceType::ReintegrationAllowance,
        AssistanceType::TemporaryReception,
        AssistanceType::BusinessDevelopment,
        AssistanceType::CommunityAssistance,
        AssistanceType::SelfEmploymentPromotion,
        AssistanceType::OnTheJobTraining,
        AssistanceType::InKindEducation,
        AssistanceType::InKindBusinessSetUp,
        AssistanceType::InKindTraining,
        AssistanceType::VocationalTraining,
        AssistanceType::EducationSupport,
        AssistanceType::MedicalCare,
        AssistanceType::Housing,
        AssistanceType::PsychosocialSupport,
        AssistanceType::LegalAssistance,
    ];
}

snake_enum!(
    /// How an item is given.
    pub enum AssistanceForm {
        Cash,
        InKind,
        Service,
    }
);

impl AssistanceForm {
    pub const ALL: [AssistanceForm; 3] = [
        AssistanceForm::Cash,
        AssistanceForm::InKind,
        AssistanceForm::Service,
    ];
}

/// One item of a reintegration plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanItem {
    /// Kept from version to version: deliveries are recorded against it.
    pub item_id: PlanItemId,
    pub assistance: AssistanceType,
    pub form: AssistanceForm,
    pub description: ShortText,
    /// The person it is for; the household when absent.
    pub beneficiary: Option<PersonId>,
    /// The amount, or the value of what is given in kind, in the programme's currency.
    pub value: Money,
    /// Who provides it: a service provider or a vendor.
    pub provider: Option<ShortText>,
    pub due: Option<NaiveDate>,
    /// The budget line it draws on: one of the programme's grants' lines, for its
    /// assistance type (required when the programme has grants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_line: Option<BudgetLineId>,
}

/// A version of the plan as the reintegration officer drafts it with the returnee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanDraft {
    pub items: Vec<PlanItem>,
    /// Why the plan goes above the programme's cap: required when it does, and approved
    /// (or not) with the plan by a second person.
    pub cap_exception: Option<LongText>,
    /// Why the plan may commit a budget line beyond what is left of it: required when it
    /// does, and approved (or not) with the plan by a second person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_exception: Option<LongText>,
}

snake_enum!(
    /// The returnee's answer to a version of the plan.
    pub enum PlanAnswer {
        Agreed,
        ChangeRequested,
    }
);

/// The returnee's answer to a version of the plan, recorded as consent is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanResponse {
    pub version: u32,
    /// Who answers: an adult member, or a member through their representative.
    pub person_id: PersonId,
    pub given_by: ConsentGiver,
    pub answer: PlanAnswer,
    pub own_words: Option<LongText>,
}

/// The returnee declines an item, or the whole support. Nothing forces it; agreeing to
/// the plan again takes it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decline {
    pub person_id: PersonId,
    /// The item declined; the whole support when absent.
    pub item_id: Option<PlanItemId>,
    pub own_words: Option<LongText>,
}

snake_enum!(
    /// How a tranche was delivered.
    pub enum DeliveryChannel {
        CashToReturnee,
        PaidToVendor,
        InKind,
        Reimbursed,
    }
);

impl DeliveryChannel {
    pub const ALL: [DeliveryChannel; 4] = [
        DeliveryChannel::CashToReturnee,
        DeliveryChannel::PaidToVendor,
        DeliveryChannel::InKind,
        DeliveryChannel::Reimbursed,
    ];
}

/// The rate a payment in another currency was converted at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exchange {
    /// Units of the plan's currency one unit of the paid currency is worth.
    pub rate: ExchangeRate,
    /// The date of the rate.
    pub on: NaiveDate,
}

/// A tranche of a plan item, delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub delivery_id: DeliveryId,
    pub item_id: PlanItemId,
    pub channel: DeliveryChannel,
    /// What was paid or given, in the currency paid.
    pub amount: Money,
    /// Required when the currency paid is not the plan's, refused otherwise.
    pub exchange: Option<Exchange>,
    /// A receipt or voucher reference.
    pub proof: Option<ShortText>,
    /// Of a community project (an item of community assistance): the people of the
    /// community it has reached so far, as this delivery leaves it; refused for another
    /// item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people_reached: Option<u32>,
}

snake_enum!(
    /// Where a version of the plan stands.
    pub enum PlanStatus {
        /// Waiting for the returnee's agreement and a second person's approval.
        Draft,
        /// Sent back by the approver, with a reason.
        Returned,
        /// Approved: in force until a later version is approved.
        Approved,
        /// Replaced by a later version.
        Superseded,
    }
);

snake_enum!(
    /// What a case's reintegration plan waits for, and from whom: the reintegration
    /// officer's and the approver's work queues.
    pub enum PlanWork {
        /// No plan yet, or its last version was sent back or the returnee asked for a
        /// change: the reintegration officer drafts (again).
        ToDraft,
        /// Drafted, waiting for the returnee's answer.
        ToAgree,
        /// Agreed by the returnee, waiting for a second person's approval (an exception
        /// above the cap with it).
        ToApprove,
    }
);

impl PlanWork {
    pub const ALL: [PlanWork; 3] = [PlanWork::ToDraft, PlanWork::ToAgree, PlanWork::ToApprove];

    pub fn code(self) -> &'static str {
        match self {
            PlanWork::ToDraft => "to_draft",
            PlanWork::ToAgree => "to_agree",
            PlanWork::ToApprove => "to_approve",
        }
    }

    pub fn from_code(code: &str) -> Option<PlanWork> {
        PlanWork::ALL.into_iter().find(|w| w.code() == code)
    }
}

snake_enum!(
    /// What a plan version asks its approver to accept with it.
    pub enum PlanException {
        /// Above the programme's cap (`PlanDraft::cap_exception`).
        AboveCap,
        /// Beyond what a budget line has left (`PlanDraft::budget_exception`).
        OverBudget,
    }
);

impl PlanException {
    pub const ALL: [PlanException; 2] = [PlanException::AboveCap, PlanException::OverBudget];

    pub fn code(self) -> &'static str {
        match self {
            PlanException::AboveCap => "above_cap",
            PlanException::OverBudget => "over_budget",
        }
    }

    /// Its bit in a mask (the case list's row keeps those of the version awaiting
    /// approval as one): fixed, whatever the declaration's order.
    pub fn bit(self) -> i64 {
        match self {
            PlanException::AboveCap => 1,
            PlanException::OverBudget => 2,
        }
    }

    pub fn of_mask(mask: i64) -> Vec<PlanException> {
        PlanException::ALL
            .into_iter()
            .filter(|e| mask & e.bit() != 0)
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedsRecord {
    pub at: DateTime<Utc>,
    pub assessment: NeedsAssessment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseRecord {
    pub at: DateTime<Utc>,
    pub response: PlanResponse,
}

/// A version of the plan and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanVersion {
    /// From 1.
    pub version: u32,
    pub drafted_by: UserId,
    pub drafted_at: DateTime<Utc>,
    pub items: Vec<PlanItem>,
    pub cap_exception: Option<LongText>,
    /// Why it may commit budget lines beyond what is left of them (see `PlanDraft`).
    pub budget_exception: Option<LongText>,
    /// The sum of the items' values.
    pub total: Money,
    /// The programme's cap for this household when drafted; none without a package.
    pub cap: Option<Money>,
    pub status: PlanStatus,
    pub responses: Vec<ResponseRecord>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The approver's comment, or why the version was sent back.
    pub decision_note: Option<LongText>,
    /// Approved above the cap, as an exception.
    pub approved_above_cap: bool,
}

impl PlanVersion {
    /// The exceptions it asks its approver to accept: above the cap when its total is
    /// (a reason given for a plan within the cap asks nothing); beyond a budget line when
    /// it carries a reason for it (whether a line is short depends on the other cases'
    /// plans when it is approved).
    pub fn exceptions(&self) -> Vec<PlanException> {
        let above_cap = self.cap_exception.is_some()
            && self
                .cap
                .as_ref()
                .is_some_and(|cap| self.total.amount_minor > cap.amount_minor);
        [
            (above_cap, PlanException::AboveCap),
            (self.budget_exception.is_some(), PlanException::OverBudget),
        ]
        .into_iter()
        .filter_map(|(has, e)| has.then_some(e))
        .collect()
    }

    pub fn item(&self, id: PlanItemId) -> Option<&PlanItem> {
        self.items.iter().find(|i| i.item_id == id)
    }

    /// The last answer of the returnee to this version.
    pub fn answer(&self) -> Option<PlanAnswer> {
        self.responses.last().map(|r| r.response.answer)
    }

    pub fn above_cap(&self) -> bool {
        self.cap
            .as_ref()
            .is_some_and(|cap| self.total.amount_minor > cap.amount_minor)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclineRecord {
    pub at: DateTime<Utc>,
    pub decline: Decline,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reversal {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub reason: LongText,
}

/// A community project of a plan (`Reintegration::community_projects`), minor units of
/// the plan's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityProject {
    pub item_id: PlanItemId,
    pub committed: i64,
    pub delivered: i64,
    /// None until a counted delivery says how many.
    pub people_reached: Option<u32>,
}

/// A delivery and its signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryRecord {
    pub at: DateTime<Utc>,
    pub recorded_by: UserId,
    pub delivery: Delivery,
    /// Its worth in the plan's currency.
    pub value: Money,
    /// Above the programme's threshold: it counts once a second person signs.
    pub needs_second_signature: bool,
    pub countersigned_by: Option<UserId>,
    pub reversed: Option<Reversal>,
}

impl DeliveryRecord {
    /// Not reversed: it uses up the item's allowance, signed or not.
    pub fn standing(&self) -> bool {
        self.reversed.is_none()
    }

    /// Delivered: standing, and signed by a second person where that is needed.
    pub fn counts(&self) -> bool {
        self.standing() && (!self.needs_second_signature || self.countersigned_by.is_some())
    }

    pub fn awaits_signature(&self) -> bool {
        self.standing() && self.needs_second_signature && self.countersigned_by.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemClosure {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub reason: LongText,
}

/// Where an item of the plan in force stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Open,
    Delivered,
    Declined,
    Closed,
}

/// The reintegration part of a case's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reintegration {
    /// One per subject (a person, or the household): the latest.
    pub needs: Vec<NeedsRecord>,
    pub versions: Vec<PlanVersion>,
    pub deliveries: Vec<DeliveryRecord>,
    /// Items the returnee declined, and has not agreed to again since.
    pub declined_items: BTreeMap<PlanItemId, DeclineRecord>,
    /// The whole support declined, until the returnee agrees to a plan again.
    pub declined_all: Option<DeclineRecord>,
    pub closed_items: BTreeMap<PlanItemId, ItemClosure>,
    /// The case is closed: nothing more will be delivered, so its plan commits only what
    /// was delivered (a case closed as lost contact or deceased releases the rest).
    #[serde(default)]
    pub case_closed: bool,
}

impl Reintegration {
    /// The latest version, whatever its status.
    pub fn latest(&self) -> Option<&PlanVersion> {
        self.versions.last()
    }

    /// The version in force: the last one approved.
    pub fn in_force(&self) -> Option<&PlanVersion> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.status == PlanStatus::Approved)
    }

    /// A version drafted and not yet decided.
    pub fn awaiting_approval(&self) -> Option<&PlanVersion> {
        self.latest().filter(|v| v.status == PlanStatus::Draft)
    }

    /// The exceptions the version awaiting approval asks its approver to accept.
    pub fn exceptions_to_approve(&self) -> Vec<PlanException> {
        self.awaiting_approval()
            .map(PlanVersion::exceptions)
            .unwrap_or_default()
    }

    pub fn delivery(&self, id: DeliveryId) -> Option<&DeliveryRecord> {
        self.deliveries
            .iter()
            .find(|d| d.delivery.delivery_id == id)
    }

    /// What the standing deliveries of an item are worth (signed or not), in the plan's
    /// currency.
    pub fn standing_of(&self, item: PlanItemId) -> i64 {
        self.deliveries
            .iter()
            .filter(|d| d.delivery.item_id == item && d.standing())
            .map(|d| d.value.amount_minor)
            .sum()
    }

    /// What has been delivered of an item (counted deliveries only).
    pub fn delivered_of(&self, item: PlanItemId) -> i64 {
        self.deliveries
            .iter()
            .filter(|d| d.delivery.item_id == item && d.counts())
            .map(|d| d.value.amount_minor)
            .sum()
    }

    pub fn item_state(&self, item: &PlanItem) -> ItemState {
        if self.closed_items.contains_key(&item.item_id) {
            ItemState::Closed
        } else if self.declined_all.is_some() || self.declined_items.contains_key(&item.item_id) {
            ItemState::Declined
        } else if self.delivered_of(item.item_id) >= item.value.amount_minor {
            ItemState::Delivered
        } else {
            ItemState::Open
        }
    }

    /// What an item commits: its value, or once it is declined or closed, or its case
    /// is, only its standing deliveries (those awaiting a second signature too, so that
    /// signing one later commits nothing more).
    fn commitment_of_item(&self, i: &PlanItem) -> i64 {
        match self.item_state(i) {
            _ if self.case_closed => self.standing_of(i.item_id),
            ItemState::Declined | ItemState::Closed => self.standing_of(i.item_id),
            ItemState::Open | ItemState::Delivered => i.value.amount_minor,
        }
    }

    /// Committed: the plan in force, less what declined or closed items will no longer
    /// use (for those, only what was delivered stays committed). Minor units of the plan's
    /// currency.
    pub fn committed(&self) -> i64 {
        self.in_force().map_or(0, |plan| {
            plan.items.iter().fold(0i64, |sum, i| {
                sum.saturating_add(self.commitment_of_item(i))
            })
        })
    }

    /// What a version of the plan commits on each budget line it draws on, were it in
    /// force (with what is declined, closed and delivered now).
    pub fn commitment_of(&self, plan: &PlanVersion) -> BTreeMap<BudgetLineId, i64> {
        let mut out = BTreeMap::new();
        for i in &plan.items {
            if let Some(line) = i.budget_line {
                let sum = out.entry(line).or_insert(0i64);
                *sum = sum.saturating_add(self.commitment_of_item(i));
            }
        }
        out
    }

    /// Committed per budget line: the plan in force's items that draw on one.
    pub fn committed_by_line(&self) -> BTreeMap<BudgetLineId, i64> {
        self.in_force()
            .map(|plan| self.commitment_of(plan))
            .unwrap_or_default()
    }

    /// Disbursed per budget line: the deliveries that count, on the line their item
    /// draws on in the plan in force.
    pub fn disbursed_by_line(&self) -> BTreeMap<BudgetLineId, i64> {
        let mut out = BTreeMap::new();
        let Some(plan) = self.in_force() else {
            return out;
        };
        for d in self.deliveries.iter().filter(|d| d.counts()) {
            if let Some(line) = plan.item(d.delivery.item_id).and_then(|i| i.budget_line) {
                let sum = out.entry(line).or_insert(0i64);
                *sum = sum.saturating_add(d.value.amount_minor);
            }
        }
        out
    }

    /// The assistance `person` received, as a mask of `AssistanceType::bit`: the type of
    /// every item with a delivery that counts (not reversed, signed by a second person
    /// where that is needed) for them or, when the item names no one, for the household.
    /// An item is read as the plan in force holds it, else as the last version in force
    /// that did (a delivered item keeps its type and beneficiary from version to version:
    /// `decide::reintegration`).
    pub fn received_by(&self, person: PersonId) -> i64 {
        let was_in_force = |v: &&PlanVersion| {
            matches!(v.status, PlanStatus::Approved | PlanStatus::Superseded)
                && v.decided_by.is_some()
        };
        self.deliveries
            .iter()
            .filter(|d| d.counts() && d.value.amount_minor > 0)
            .filter_map(|d| {
                let id = d.delivery.item_id;
                self.in_force().and_then(|p| p.item(id)).or_else(|| {
                    self.versions
                        .iter()
                        .rev()
                        .filter(was_in_force)
                        .find_map(|v| v.item(id))
                })
            })
            .filter(|i| i.beneficiary.is_none_or(|b| b == person))
            .fold(0, |mask, i| mask | i.assistance.bit())
    }

    /// The community projects of the plan in force (its items of community assistance),
    /// each with what it commits, what was delivered of it and the people it has reached
    /// as its latest counted delivery that says so tells it (each tranche tells the
    /// people reached so far, not those it adds).
    pub fn community_projects(&self) -> Vec<CommunityProject> {
        let Some(plan) = self.in_force() else {
            return vec![];
        };
        plan.items
            .iter()
            .filter(|i| i.assistance == AssistanceType::CommunityAssistance)
            .map(|i| CommunityProject {
                item_id: i.item_id,
                committed: self.commitment_of_item(i),
                delivered: self.delivered_of(i.item_id),
                people_reached: self
                    .deliveries
                    .iter()
                    .filter(|d| d.delivery.item_id == i.item_id && d.counts())
                    .filter_map(|d| d.delivery.people_reached)
                    .next_back(),
            })
            .collect()
    }

    /// Disbursed: every delivery that counts, in the plan's currency.
    pub fn disbursed(&self) -> i64 {
        self.deliveries
            .iter()
            .filter(|d| d.counts())
            .map(|d| d.value.amount_minor)
            .sum()
    }

    /// The soonest due day of the items still to deliver, unless the returnee declined all
    /// support: the day the plan's delivery is late from the day after.
    pub fn items_due(&self) -> Option<NaiveDate> {
        if self.declined_all.is_some() {
            return None;
        }
        self.open_items().iter().filter_map(|i| i.due).min()
    }

    /// What the plan waits for, whatever the case's stage (see `Case::plan_work`), read
    /// by the work queues and by what happens next. To draft: no plan yet, a change the
    /// returnee asked for (of a draft or of the plan in force), or a first plan sent back.
    /// Nothing once a version is in force and no change is asked (a revision sent back
    /// leaves the plan in force standing), or when the returnee declined all support
    /// (nothing forces it on them).
    pub fn plan_work(&self) -> Option<PlanWork> {
        if self.declined_all.is_some() {
            return None;
        }
        let Some(latest) = self.latest() else {
            return Some(PlanWork::ToDraft);
        };
        match (latest.status, latest.answer()) {
            (PlanStatus::Returned, _) if self.in_force().is_some() => None,
            (PlanStatus::Returned, _) => Some(PlanWork::ToDraft),
            (PlanStatus::Draft, None) => Some(PlanWork::ToAgree),
            (PlanStatus::Draft | PlanStatus::Approved, Some(PlanAnswer::ChangeRequested)) => {
                Some(PlanWork::ToDraft)
            }
            (PlanStatus::Draft, Some(PlanAnswer::Agreed)) => Some(PlanWork::ToApprove),
            (PlanStatus::Approved | PlanStatus::Superseded, _) => None,
        }
    }

    /// Items of the plan in force still to deliver.
    pub fn open_items(&self) -> Vec<&PlanItem> {
        self.in_force().map_or_else(Vec::new, |plan| {
            plan.items
                .iter()
                .filter(|i| self.item_state(i) == ItemState::Open)
                .collect()
        })
    }
}

impl super::Case {
    /// What the case's reintegration plan waits for: only while a plan may be drafted
    /// (after arrival, until the case is closed).
    pub fn plan_work(&self) -> Option<PlanWork> {
        super::CommandKind::DraftPlan
            .spec()
            .stages
            .contains(&self.stage)
            .then(|| self.reintegration.plan_work())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::AssistanceType;

    #[test]
    fn an_assistance_types_code_is_its_serde_name() {
        for a in AssistanceType::ALL {
            assert_eq!(
                serde_json::to_value(a).unwrap(),
                serde_json::Value::String(a.code().into())
            );
            assert_eq!(AssistanceType::from_code(a.code()), Some(a));
        }
    }

    /// Stored masks read the same after a change to the list only if its bits stay:
    /// a new type goes last (else a migration rebuilds the rows), and 16 fit the
    /// in-memory figures.
    #[test]
    fn the_assistance_bits_are_pinned() {
        assert_eq!(AssistanceType::ReintegrationAllowance.bit(), 1);
        assert_eq!(AssistanceType::Housing.bit(), 1 << 12);
        assert_eq!(AssistanceType::LegalAssistance.bit(), 1 << 14);
        assert!(AssistanceType::ALL.len() <= 16);
        let all = AssistanceType::ALL.iter().fold(0, |m, a| m | a.bit());
        assert_eq!(AssistanceType::of_mask(all), AssistanceType::ALL.to_vec());
    }
}
