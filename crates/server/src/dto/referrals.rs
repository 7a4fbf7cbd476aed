//! Request bodies of referrals: one made, one step recorded.

use homeward_domain::case::referrals::{DataGroup, ExceptionGround, ReferralStatus};
use homeward_domain::organisation::ServiceType;

use super::*;

command_body!(MakeReferralIn {
    /// Generated when absent; give it to retry safely.
    referral_id: Option<Id>,
    /// An organisation of the directory that offers `service` and still works.
    organisation: Id,
    /// The one need referred for.
    service: ServiceType,
    /// Where the service is given (ISO 3166-1 alpha-2): the case's host country or its
    /// country of return, and one the organisation works in.
    #[schema(value_type = CountryCode)]
    country: String,
    /// The people of the case referred.
    people: Vec<Id>,
    /// The people for whom consent to this referral and to sharing `shared` was given
    /// (by themselves or whoever decides for them): every person referred.
    consent_for: Vec<Id>,
    /// The groups of data the organisation receives. Medical data is shared only by
    /// medical officers; trafficking and violence history only by the roles that read it.
    shared: Vec<DataGroup>,
    /// Days the organisation has to answer (1 to 90); overdue after, escalated to the
    /// programme manager after twice that.
    #[schema(minimum = 1, maximum = 90)]
    answer_within_days: u16,
    /// What is asked, for the organisation.
    #[schema(value_type = Option<OptionalLongText>)]
    note: Option<String>,
    /// Referring people who have not consented, on a ground the programme allows
    /// (`consent_exceptions` of its settings): the referral waits for a programme
    /// manager other than you to approve it before anything is sent.
    exception: Option<ExceptionIn>,
});

/// A ground for referring without consent, and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionIn {
    pub ground: ExceptionGround,
    #[schema(value_type = LongText)]
    pub reason: String,
}

command_body!(ExceptionDecisionIn {
    /// A referral made without consent, waiting for approval.
    referral_id: Id,
    /// True: the referral is sent to the organisation. False: it is withdrawn.
    approved: bool,
    /// Why (required to refuse).
    #[schema(value_type = Option<OptionalLongText>)]
    reason: Option<String>,
});

impl ExceptionDecisionIn {
    pub fn parse(
        &self,
        p: &mut Parse,
    ) -> Option<homeward_domain::case::referrals::ExceptionDecision> {
        let reason = p.opt_text("reason", &self.reason)?;
        Some(homeward_domain::case::referrals::ExceptionDecision {
            referral_id: homeward_domain::ids::ReferralId(self.referral_id.0),
            approved: self.approved,
            reason,
        })
    }
}

impl MakeReferralIn {
    /// The request; the organisation's name is added once it is found in the directory.
    pub fn parse(
        &self,
        p: &mut Parse,
        country: Option<CountryCode>,
        organisation_name: Option<ShortText>,
    ) -> Option<homeward_domain::case::referrals::ReferralRequest> {
        let note = p.opt_text("note", &self.note)?;
        let exception = match &self.exception {
            Some(e) => Some(homeward_domain::case::referrals::ConsentException {
                ground: e.ground,
                reason: p.text("exception/reason", &e.reason)?,
            }),
            None => None,
        };
        let organisation_name = organisation_name?;
        let country = country?;
        Some(homeward_domain::case::referrals::ReferralRequest {
            referral_id: homeward_domain::ids::ReferralId(
                self.referral_id
                    .map_or_else(homeward_app::new_id, Uuid::from),
            ),
            organisation: homeward_domain::ids::OrganisationId(self.organisation.0),
            organisation_name,
            service: self.service,
            country: Some(country),
            people: self.people.iter().map(|u| PersonId(u.0)).collect(),
            consent_for: self.consent_for.iter().map(|u| PersonId(u.0)).collect(),
            shared: self.shared.iter().copied().collect(),
            answer_within_days: self.answer_within_days,
            note,
            exception,
        })
    }
}

command_body!(ReferralStepIn {
    referral_id: Id,
    /// What happened: `accepted`, `declined` (with `reason`), `in_progress`, `delivered`
    /// (with `what`), `closed` (after a delivery or a decline), `revoked` (with `reason`).
    #[schema(schema_with = step_taken_schema)]
    step: ReferralStatus,
    /// Why it was declined or revoked.
    #[schema(value_type = Option<OptionalLongText>)]
    reason: Option<String>,
    /// What was delivered.
    #[schema(value_type = Option<OptionalLongText>)]
    what: Option<String>,
    #[schema(value_type = Option<OptionalLongText>)]
    note: Option<String>,
    /// The person or body who receives the people referred at arrival, as the
    /// organisation names them (needed before a child travelling alone departs).
    #[schema(value_type = Option<OptionalShortText>)]
    receiver: Option<String>,
});

/// The steps a referral takes after it is sent (those some status leads to): it is sent
/// once, when it is made.
fn steps_taken() -> impl Iterator<Item = (ReferralStatus, String)> {
    ReferralStatus::ALL
        .into_iter()
        .filter(|s| !s.reached_from().is_empty())
        .map(|s| {
            let code = serde_json::to_value(s).ok();
            (
                s,
                code.and_then(|c| c.as_str().map(String::from))
                    .unwrap_or_default(),
            )
        })
}

fn step_taken_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(steps_taken().map(|(_, code)| code)))
        .build()
}

impl ReferralStepIn {
    /// JSON Schema's way of saying that a decline and a revocation carry a `reason`, and
    /// a delivery says `what` (`ReferralStatus::text_needed`): `if` the step is one of
    /// them, `then` that text is required.
    pub fn conditions() -> serde_json::Value {
        let text = serde_json::json!({"$ref": "#/components/schemas/Text10000"});
        serde_json::Value::Array(
            steps_taken()
                .filter_map(|(status, step)| {
                    status.text_needed().map(|field| {
                        serde_json::json!({
                            "if": {"properties": {"step": {"const": step}}, "required": ["step"]},
                            "then": {"properties": {field: text.clone()}, "required": [field]},
                        })
                    })
                })
                .collect(),
        )
    }

    pub fn parse(&self, p: &mut Parse) -> Option<homeward_domain::case::referrals::ReferralUpdate> {
        let note = p.opt_text("note", &self.note);
        let receiver = p.opt_text("receiver", &self.receiver);
        let step = homeward_app::input::referral_step(p, self.step, &self.reason, &self.what);
        Some(homeward_domain::case::referrals::ReferralUpdate {
            referral_id: homeward_domain::ids::ReferralId(self.referral_id.0),
            step: step?,
            note: note?,
            receiver: receiver?,
            answered_by: None,
        })
    }
}
