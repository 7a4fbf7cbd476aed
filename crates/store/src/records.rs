//! The directory's and sessions' rows: offices, programmes, organisations, surveys, users
//! and sessions as stored.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficeRow {
    pub id: OfficeId,
    pub code: String,
    pub name: String,
    pub country: String,
    pub created_at: DateTime<Utc>,
    /// An IANA time zone name (`Africa/Dakar`), as the application checked it.
    pub time_zone: String,
}

from_row!(OfficeRow {
    id => crate::decode::office,
    code,
    name,
    country,
    created_at,
    time_zone
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeRow {
    pub id: ProgrammeId,
    pub code: String,
    pub name: String,
    /// JSON of [`homeward_domain::programme::ProgrammeSettings`].
    pub settings: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

from_row!(ProgrammeRow {
    id => crate::decode::programme,
    code,
    name,
    settings,
    created_at,
    updated_at
});

/// An organisation of the stakeholder directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationRow {
    pub id: OrganisationId,
    pub name: String,
    /// JSON of [`homeward_domain::organisation::OrganisationDetails`].
    pub details: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

from_row!(OrganisationRow {
    id => crate::decode::organisation,
    name,
    details,
    created_at,
    updated_at
});

/// A version of a survey, as imported; never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    pub survey_key: String,
    pub version: i64,
    /// Its title in its first language.
    pub title: String,
    /// JSON of [`homeward_domain::survey::Survey`].
    pub definition: String,
    /// SHA-256 of `definition`, in hex.
    pub digest: String,
    pub imported_by: UserId,
    pub imported_at: DateTime<Utc>,
}

from_row!(SurveyRow {
    survey_key,
    version,
    title,
    definition,
    digest,
    imported_by => crate::decode::user,
    imported_at
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub active: bool,
    pub roles: BTreeSet<Role>,
    pub offices: BTreeSet<OfficeId>,
    /// A partner's organisation.
    pub organisation: Option<OrganisationId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct UserBase {
    pub(crate) id: Uuid,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) password_hash: String,
    pub(crate) active: bool,
    pub(crate) organisation_id: Option<Uuid>,
    pub(crate) created_at: DateTime<Utc>,
}

from_row!(UserBase {
    id,
    username,
    display_name,
    password_hash,
    active,
    organisation_id,
    created_at
});

/// The columns of a `UserBase`.
pub(crate) const USER_COLUMNS: &str =
    "id, username, display_name, password_hash, active, organisation_id, created_at";

/// A change to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub active: Option<bool>,
    pub roles: Option<BTreeSet<Role>>,
    pub offices: Option<BTreeSet<OfficeId>>,
    /// `Some(None)` takes the user out of its organisation.
    pub organisation: Option<Option<OrganisationId>>,
    pub password_hash: Option<String>,
}

/// A referral's single-use answer link. Only a hash of the secret is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralLink {
    pub id: Uuid,
    /// SHA-256 of the secret, hex.
    pub secret_hash: String,
    pub case_id: Uuid,
    pub referral_id: Uuid,
    pub organisation_id: Uuid,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

from_row!(ReferralLink {
    id,
    secret_hash,
    case_id,
    referral_id,
    organisation_id,
    created_by,
    created_at,
    expires_at,
    used_at
});

/// A browser session or an API token. Only a hash of the secret is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSession {
    /// SHA-256 of the secret, hex.
    pub id: String,
    pub user_id: Uuid,
    /// `browser` or `token`.
    pub kind: String,
    pub name: Option<String>,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub idle_timeout_secs: Option<i64>,
}

from_row!(AuthSession {
    id,
    user_id,
    kind,
    name,
    csrf_token,
    created_at,
    last_seen_at,
    expires_at,
    idle_timeout_secs
});

/// A session and the directory generation read with it.
#[derive(Debug)]
pub(crate) struct SessionInDirectory {
    pub session: AuthSession,
    pub generation: i64,
}

// The session's columns and the generation, in one row.
impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for SessionInDirectory
where
    AuthSession: sqlx::FromRow<'r, R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'static str: sqlx::ColumnIndex<R>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(SessionInDirectory {
            session: AuthSession::from_row(row)?,
            generation: row.try_get("generation")?,
        })
    }
}

/// What a rebuild of the read models did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RebuildStats {
    pub cases: u64,
    pub events: u64,
}
