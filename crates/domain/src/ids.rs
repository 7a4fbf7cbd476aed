//! Identifiers. They are generated outside the domain (the domain draws no random
//! numbers) and passed in with the commands.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id!(
    /// A person referred to the programme by an outside organisation, before a case.
    InboundId
);
id!(
    /// A case: one household's return.
    CaseId
);
id!(
    /// A person recorded on a case.
    PersonId
);
id!(
    /// A user account.
    UserId
);
id!(
    /// An office of the organisation, in one country.
    OfficeId
);
id!(
    /// A programme (a funded AVRR project).
    ProgrammeId
);
id!(
    /// A counselling session recorded on a case.
    SessionId
);
id!(
    /// An identity or travel document recorded on a case.
    DocumentId
);
id!(
    /// An escort assigned to a case.
    EscortId
);
id!(
    /// An item of a case's reintegration plan; it keeps its id across plan versions.
    PlanItemId
);
id!(
    /// A delivery (a tranche) of a reintegration plan item.
    DeliveryId
);
id!(
    /// A follow-up of a returnee after arrival.
    FollowUpId
);
id!(
    /// A note on a case.
    NoteId
);
id!(
    /// An organisation of the stakeholder directory.
    OrganisationId
);
id!(
    /// A referral of a case to an organisation.
    ReferralId
);
id!(
    /// A grant agreement that funds a programme.
    GrantId
);
id!(
    /// A budget line of a grant: one assistance type, in one country of return or any.
    BudgetLineId
);
