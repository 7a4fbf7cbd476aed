//! Request bodies of inbound referrals: one sent by a partner, one registered or declined
//! by the office.

use homeward_domain::inbound::{DeclineReason, InboundConsent, InboundDetails};

use super::*;

/// The person's consent to being referred, and to their data being given to the
/// programme.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundConsentIn {
    /// The day the person (or their representative) consented; not in the future.
    pub given_on: Day,
    /// Who consented on the person's behalf: required for a child (a person of uncertain
    /// age is a child while in doubt).
    #[schema(value_type = Option<OptionalShortText>)]
    pub representative: Option<String>,
}

/// A person referred to the programme by your organisation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundIn {
    /// The programme's office the person is referred to (`GET /api/offices`).
    pub office: Id,
    /// Your own file number for the person: you see it in your lists, always.
    #[schema(value_type = Option<OptionalShortText>)]
    pub referrer_reference: Option<String>,
    pub person: PersonIn,
    /// Others of the household who would return too.
    #[schema(value_type = Option<OptionalLongText>)]
    pub household: Option<String>,
    /// Where the person wishes to return (ISO 3166-1 alpha-2), if known.
    #[schema(example = "SN")]
    #[schema(value_type = Option<CountryCode>)]
    pub country_of_return: Option<String>,
    /// Why the person is referred and what they need.
    #[schema(value_type = LongText)]
    pub reason: String,
    /// The person must be seen soon (a departure order, a health or protection risk).
    #[serde(default)]
    pub urgent: bool,
    pub consent: InboundConsentIn,
}

impl InboundIn {
    pub fn parse(&self) -> Result<InboundDetails, Problem> {
        let mut p = Parse::exact();
        let reference = p.opt_text("referrer_reference", &self.referrer_reference);
        let person = self.person.parse(&mut p, "person");
        let household = p.opt_text("household", &self.household);
        let country = p.opt_country("country_of_return", &self.country_of_return);
        let reason = p.text("reason", &self.reason);
        let representative = p.opt_text("consent/representative", &self.consent.representative);
        let details = (|| {
            Some(InboundDetails {
                office: OfficeId(self.office.0),
                referrer_reference: reference?,
                person: person?,
                household: household?,
                country_of_return: country?,
                reason: reason?,
                urgent: self.urgent,
                consent: InboundConsent {
                    given_on: self.consent.given_on.0,
                    representative: representative?,
                },
            })
        })();
        p.finish(details).map_err(Problem::from)
    }
}

/// Registering the person of an inbound referral: the case's source is the referral.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundRegistrationIn {
    /// One of your offices, in a host country of the programme.
    pub host_office: Id,
    pub programme: Id,
    pub proposal: ProposalIn,
    /// The principal applicant (relationship `principal`) and the family, as confirmed
    /// with them (start from the referral's details).
    pub members: Vec<MemberIn>,
    /// When the registration happened (UTC); now when absent.
    pub occurred_at: Option<Instant>,
}

impl InboundRegistrationIn {
    pub fn parse(&self, inbound: InboundId) -> Result<homeward_app::cases::RegisterInput, Problem> {
        RegisterCaseIn {
            host_office: self.host_office,
            programme: self.programme,
            // Replaced by the inbound referral's own source.
            referral: ReferralIn {
                source: ReferralSource::Partner,
                referred_by: None,
            },
            proposal: self.proposal.clone(),
            members: self.members.clone(),
            occurred_at: self.occurred_at,
        }
        .parse()
        .map(|input| homeward_app::cases::RegisterInput {
            inbound: Some(inbound),
            ..input
        })
    }
}

/// Why the office does not register the person; the referrer reads both.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundDeclineIn {
    pub reason: DeclineReason,
    /// Required when the reason is `other`. The referring organisation reads it.
    #[schema(value_type = Option<OptionalLongText>)]
    pub note: Option<String>,
}

impl InboundDeclineIn {
    pub fn parse(&self) -> Result<(DeclineReason, Option<LongText>), Problem> {
        let mut p = Parse::exact();
        let note = p.opt_text("note", &self.note);
        p.finish(note.map(|n| (self.reason, n)))
            .map_err(Problem::from)
    }
}
