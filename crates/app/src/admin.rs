//! Administration: offices, programmes, users, and the audit log. Administrators manage
//! these; they do not read case contents (their roles give them no case scope).

use crate::Internally;
use std::collections::BTreeSet;

use homeward_domain::Violation;
use homeward_domain::access::Role;
use homeward_domain::ids::{OfficeId, OrganisationId, ProgrammeId, UserId};
use homeward_domain::programme::{Programme, ProgrammeSettings};
use homeward_domain::values::{ShortText, TimeZone};
use homeward_store::{
    AuditDraft, AuditEntry, ChainBreak, OfficeRow, Page, PageRequest, ProgrammeRow, UserChange,
    UserRecord,
};
use serde::Serialize;

use crate::auth::{Principal, check_password_strength, hash_password, random_password};
use crate::input::{Parse, Spelling};
use crate::{App, AppError, Result, new_id, now};

/// A user as administrators see it (never the password hash).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub active: bool,
    pub roles: BTreeSet<Role>,
    pub offices: BTreeSet<OfficeId>,
    /// A partner's organisation.
    pub organisation: Option<OrganisationId>,
}

impl From<UserRecord> for UserView {
    fn from(u: UserRecord) -> Self {
        UserView {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            active: u.active,
            roles: u.roles,
            offices: u.offices,
            organisation: u.organisation,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeView {
    pub id: OfficeId,
    pub code: String,
    pub name: String,
    pub country: String,
    /// The time zone its staff enter and read times in (an IANA name).
    pub time_zone: String,
}

impl From<OfficeRow> for OfficeView {
    fn from(o: OfficeRow) -> Self {
        OfficeView {
            id: o.id,
            code: o.code,
            name: o.name,
            country: o.country,
            time_zone: o.time_zone,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub roles: BTreeSet<Role>,
    pub offices: BTreeSet<OfficeId>,
    /// A partner's organisation, in the directory.
    pub organisation: Option<OrganisationId>,
    /// Generated (and returned once) when absent.
    pub password: Option<String>,
}

/// The result of verifying the audit chain.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainReport {
    pub valid: bool,
    pub entries: u64,
    /// The first entry that does not match, if any.
    pub first_break: Option<i64>,
    pub reason: Option<String>,
}

fn forbid_unless(ok: bool, what: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("{what} is for administrators")))
    }
}

/// Partner organisations' users read their referrals, not the programme's settings.
fn forbid_outsiders(p: &Principal) -> Result<()> {
    if p.actor.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "programme settings are for the programme's staff".into(),
        ))
    }
}

fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

pub fn parse_programme(row: &ProgrammeRow) -> Result<Programme> {
    let settings: ProgrammeSettings = serde_json::from_str(&row.settings)
        .map_err(|e| AppError::internal_from(format!("programme {}", row.code), e))?;
    Ok(Programme {
        id: row.id,
        code: ShortText::parse(&row.code).internal("programme settings")?,
        name: ShortText::parse(&row.name).internal("programme settings")?,
        settings,
    })
}

/// A short digest of a programme's settings: a form sends back the one it was opened
/// with (`App::update_programme_seen`).
pub fn settings_digest(s: &ProgrammeSettings) -> String {
    use sha2::Digest;
    let text = serde_json::to_string(s).unwrap_or_default();
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Violations of a part of the settings, their fields named from the request's body
/// (`settings/` and the part's path).
fn under(prefix: &str, vs: Vec<Violation>) -> impl Iterator<Item = Violation> + '_ {
    vs.into_iter().map(move |mut x| {
        x.field = Some(format!(
            "{prefix}{}",
            x.field.as_deref().unwrap_or_default()
        ));
        x
    })
}

fn check_settings(s: &ProgrammeSettings) -> Result<()> {
    let mut v = vec![];
    if s.host_countries.is_empty() {
        v.push(
            Violation::new(
                "programme.no_host_country",
                "a programme runs in at least one host country",
            )
            .at("settings/host_countries"),
        );
    }
    v.extend(under("settings/", s.transit_violations()));
    v.extend(under("settings/", s.decision_violations()));
    if s.reflection_period_days > 90 {
        v.push(
            Violation::new(
                "programme.reflection_period",
                "the reflection period is at most 90 days",
            )
            .at("settings/reflection_period_days"),
        );
    }
    v.extend(under("settings/", s.funding_violations()));
    v.extend(under("settings/monitoring/", s.monitoring.violations()));
    if v.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(v))
    }
}

impl App {
    pub(crate) async fn audit_admin(
        &self,
        p: Option<&Principal>,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        self.audit(AuditDraft {
            at: now(),
            actor: p.map(|p| p.actor.user_id.0),
            action: action.into(),
            case_id: None,
            detail,
        })
        .await
    }

    // ---- offices --------------------------------------------------------------------

    /// Creates an office (administrators), its country and time zone read as `spelling`
    /// says: the API's exactly, a form's forgivingly (where an empty time zone is UTC).
    pub async fn create_office(
        &self,
        p: &Principal,
        code: &str,
        name: &str,
        country: &str,
        time_zone: &str,
        spelling: Spelling,
    ) -> Result<OfficeView> {
        forbid_unless(p.actor.may_administer(), "creating offices")?;
        self.create_office_spelled(Some(p), code, name, country, time_zone, spelling)
            .await
    }

    /// Creates an office without a principal (set-up and demo). An empty time zone is UTC.
    pub async fn create_office_unchecked(
        &self,
        p: Option<&Principal>,
        code: &str,
        name: &str,
        country: &str,
        time_zone: &str,
    ) -> Result<OfficeView> {
        self.create_office_spelled(p, code, name, country, time_zone, Spelling::Forgiving)
            .await
    }

    async fn create_office_spelled(
        &self,
        p: Option<&Principal>,
        code: &str,
        name: &str,
        country: &str,
        time_zone: &str,
        spelling: Spelling,
    ) -> Result<OfficeView> {
        let mut v = vec![];
        let code = code.trim().to_uppercase();
        if !(2..=10).contains(&code.len())
            || !code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            v.push(
                Violation::new("office.code", "an office code is 2 to 10 letters or digits")
                    .at("code"),
            );
        }
        if let Err(e) = ShortText::parse(name) {
            v.push(Violation::from_value_error(e, "name"));
        }
        let mut parse = Parse::spelled(spelling);
        let country = parse.country("country", country);
        let zone = match spelling == Spelling::Forgiving && time_zone.trim().is_empty() {
            true => Some(TimeZone::UTC),
            false => parse.time_zone("time_zone", time_zone),
        };
        v.extend(parse.errors);
        let zone = zone.unwrap_or(TimeZone::UTC);
        let Some(country) = country.filter(|_| v.is_empty()) else {
            return Err(AppError::Invalid(v));
        };
        let row = OfficeRow {
            id: OfficeId(new_id()),
            code: code.clone(),
            name: name.trim().to_string(),
            country: country.to_string(),
            created_at: now(),
            time_zone: zone.name().to_string(),
        };
        self.store().create_office(&row).await?;
        self.audit_admin(p, "office.create", serde_json::json!({"code": code}))
            .await?;
        Ok(row.into())
    }

    /// Changes an office's name or time zone (administrators): each if given.
    pub async fn update_office(
        &self,
        p: &Principal,
        id: OfficeId,
        name: Option<&str>,
        time_zone: Option<&str>,
        spelling: Spelling,
    ) -> Result<OfficeView> {
        forbid_unless(p.actor.may_administer(), "changing offices")?;
        let mut v = vec![];
        if let Some(Err(e)) = name.map(ShortText::parse) {
            v.push(Violation::from_value_error(e, "name"));
        }
        // Changed, a zone is named (an empty one is not "back to UTC").
        let mut parse = Parse::spelled(spelling);
        let zone = time_zone.and_then(|z| parse.time_zone("time_zone", z));
        v.extend(parse.errors);
        if !v.is_empty() {
            return Err(AppError::Invalid(v));
        }
        let name = name.map(str::trim);
        if !self
            .store()
            .update_office(id, name, zone.map(|z| z.name()))
            .await?
        {
            return Err(AppError::NotFound);
        }
        self.audit_admin(
            Some(p),
            "office.update",
            serde_json::json!({"office": id.0, "name": name, "time_zone": zone.map(|z| z.name())}),
        )
        .await?;
        let office = self.store().office(id).await?.ok_or(AppError::NotFound)?;
        Ok(office.into())
    }

    /// Offices are reference data every signed-in user may list.
    pub async fn list_offices(&self) -> Result<Vec<OfficeView>> {
        Ok(self
            .store()
            .list_offices()
            .await?
            .into_iter()
            .map(OfficeView::from)
            .collect())
    }

    // ---- programmes -----------------------------------------------------------------

    pub async fn create_programme(
        &self,
        p: Option<&Principal>,
        code: &str,
        name: &str,
        settings: ProgrammeSettings,
    ) -> Result<Programme> {
        if let Some(p) = p {
            forbid_unless(p.actor.may_administer(), "creating programmes")?;
        }
        let mut v = vec![];
        let code_t = ShortText::parse(code)
            .map_err(|e| v.push(Violation::from_value_error(e, "code")))
            .ok();
        let name_t = ShortText::parse(name)
            .map_err(|e| v.push(Violation::from_value_error(e, "name")))
            .ok();
        if let Err(AppError::Invalid(more)) = check_settings(&settings) {
            v.extend(more);
        }
        if let Err(AppError::Invalid(more)) = self.check_survey_known(&settings).await {
            v.extend(more);
        }
        let (Some(code), Some(name)) = (code_t, name_t) else {
            return Err(AppError::Invalid(v));
        };
        if !v.is_empty() {
            return Err(AppError::Invalid(v));
        }
        let at = now();
        let row = ProgrammeRow {
            id: ProgrammeId(new_id()),
            code: code.to_string(),
            name: name.to_string(),
            settings: serde_json::to_string(&settings).internal("programme settings")?,
            created_at: at,
            updated_at: at,
        };
        self.store().create_programme(&row).await?;
        self.audit_admin(p, "programme.create", serde_json::json!({"code": row.code}))
            .await?;
        parse_programme(&row)
    }

    pub async fn update_programme(
        &self,
        p: &Principal,
        id: ProgrammeId,
        name: Option<&str>,
        settings: Option<ProgrammeSettings>,
    ) -> Result<Programme> {
        self.update_programme_seen(p, id, name, settings, None)
            .await
    }

    /// `update_programme`, refused when its settings are no longer those the editor read
    /// (`seen`: their `settings_digest`), so that two administrators' forms do not undo
    /// each other's changes. The settings are checked and written only while they stay
    /// those read: a save that finds them changed in between reads them again.
    pub async fn update_programme_seen(
        &self,
        p: &Principal,
        id: ProgrammeId,
        name: Option<&str>,
        settings: Option<ProgrammeSettings>,
        seen: Option<&str>,
    ) -> Result<Programme> {
        forbid_unless(p.actor.may_administer(), "changing programmes")?;
        for _ in 0..3 {
            let mut row = self
                .store()
                .programme(id)
                .await?
                .ok_or(AppError::NotFound)?;
            let read = row.settings.clone();
            let current = parse_programme(&row)?.settings;
            if seen.is_some_and(|seen| settings_digest(&current) != seen) {
                return Err(AppError::invalid(
                    Violation::new(
                        "programme.changed_meanwhile",
                        "someone changed the programme's settings since this form was opened: open it again to see them, then make your change",
                    )
                    .at("settings"),
                ));
            }
            if let Some(n) = name {
                row.name = ShortText::parse(n)
                    .map_err(|e| AppError::invalid(Violation::from_value_error(e, "name")))?
                    .to_string();
            }
            if let Some(s) = &settings {
                check_settings(s)?;
                let has_plans = self.store().programme_has_arrivals(id).await?;
                let v: Vec<Violation> =
                    under("settings/", current.change_violations(s, has_plans)).collect();
                if !v.is_empty() {
                    return Err(AppError::Invalid(v));
                }
                self.check_lines_in_use(id, &current, s).await?;
                self.check_survey_known(s).await?;
                row.settings = serde_json::to_string(s).internal("programme settings")?;
            }
            row.updated_at = now();
            if self.store().update_programme_from(&row, &read).await? {
                self.audit_admin(
                    Some(p),
                    "programme.update",
                    serde_json::json!({"code": row.code, "settings": row.settings}),
                )
                .await?;
                return parse_programme(&row);
            }
        }
        Err(AppError::Unavailable(
            "the programme's settings kept changing while they were saved: try again".into(),
        ))
    }

    /// The surveys a programme asks at follow-ups, its own and each scheduled
    /// follow-up's, are ones imported; every one that is not is named.
    async fn check_survey_known(&self, s: &ProgrammeSettings) -> Result<()> {
        let m = &s.monitoring;
        let named = std::iter::once((m.survey.as_deref(), "survey".to_string())).chain(
            m.schedule
                .iter()
                .enumerate()
                .map(|(n, slot)| (slot.survey.as_deref(), format!("schedule/{n}/survey"))),
        );
        let mut unknown = vec![];
        for (key, at) in named {
            if let Some(key) = key
                && self.store().survey(key, None).await?.is_none()
            {
                unknown.push(
                    Violation::new(
                        "monitoring.survey_unknown",
                        format!("no survey {key} has been imported"),
                    )
                    .at(format!("settings/monitoring/{at}")),
                );
            }
        }
        match unknown.is_empty() {
            true => Ok(()),
            false => Err(AppError::Invalid(unknown)),
        }
    }

    /// A programme's new grants keep every line its cases commit
    /// (`funding::lines_in_use_violations`), and every line in the budget's figures
    /// (`funding::lines_in_figures_violations`).
    async fn check_lines_in_use(
        &self,
        id: ProgrammeId,
        old: &ProgrammeSettings,
        new: &ProgrammeSettings,
    ) -> Result<()> {
        let committed = self
            .store()
            .committed_on(id, &old.budget_line_ids())
            .await?
            .into_iter()
            .collect();
        // Lines with households in the figures read now, or as the last settled month
        // ended (a protected reader's), apart from those committed now.
        let settled = homeward_domain::stats::settled_month_end(now());
        let settled = homeward_domain::stats::first_of_month(settled);
        let mut in_figures = std::collections::BTreeSet::new();
        for as_of in [None, Some(settled)] {
            for cell in self.store().budget_cells(id, None, as_of).await? {
                in_figures.insert(homeward_domain::ids::BudgetLineId(cell.line_id));
            }
        }
        let committed: std::collections::BTreeMap<_, _> = committed;
        let mut used = in_figures.clone();
        used.extend(committed.iter().filter(|(_, c)| **c > 0).map(|(l, _)| *l));
        let rates =
            homeward_domain::funding::rates_in_use_violations(&old.funding, &new.funding, &used);
        in_figures.retain(|l| committed.get(l).is_none_or(|c| *c <= 0));
        let mut v = homeward_domain::funding::lines_in_use_violations(
            &old.funding,
            &new.funding,
            &committed,
            &new.currency,
        );
        v.extend(homeward_domain::funding::lines_in_figures_violations(
            &old.funding,
            &new.funding,
            &in_figures,
        ));
        v.extend(rates);
        match v.is_empty() {
            true => Ok(()),
            false => Err(AppError::Invalid(under("settings/", v).collect())),
        }
    }

    pub async fn list_programmes(&self) -> Result<Vec<Programme>> {
        self.store()
            .list_programmes()
            .await?
            .iter()
            .map(parse_programme)
            .collect()
    }

    /// The programmes, for a reader who works for the programme (not a partner).
    pub async fn programmes_for(&self, p: &Principal) -> Result<Vec<Programme>> {
        forbid_outsiders(p)?;
        self.list_programmes().await
    }

    /// One programme, for a reader who works for the programme (not a partner).
    pub async fn programme_for_reader(&self, p: &Principal, id: ProgrammeId) -> Result<Programme> {
        forbid_outsiders(p)?;
        self.get_programme(id).await
    }

    pub async fn get_programme(&self, id: ProgrammeId) -> Result<Programme> {
        let row = self
            .store()
            .programme(id)
            .await?
            .ok_or(AppError::NotFound)?;
        parse_programme(&row)
    }

    // ---- users ----------------------------------------------------------------------

    /// Creates a user; returns it and the password (generated if none was given).
    pub async fn create_user(
        &self,
        p: Option<&Principal>,
        new: NewUser,
    ) -> Result<(UserView, String)> {
        if let Some(p) = p {
            forbid_unless(p.actor.may_administer(), "creating users")?;
        }
        let username = new.username.trim().to_lowercase();
        let mut v = vec![];
        if !valid_username(&username) {
            v.push(
                Violation::new(
                    "user.username",
                    "a user name is 3 to 64 lower-case letters, digits, '.', '_' or '-'",
                )
                .at("username"),
            );
        }
        if let Err(e) = ShortText::parse(&new.display_name) {
            v.push(Violation::from_value_error(e, "display_name"));
        }
        for (i, o) in new.offices.iter().enumerate() {
            if self.store().office(*o).await?.is_none() {
                v.push(
                    Violation::new("office.unknown", "there is no such office")
                        .at(format!("offices/{i}")),
                );
            }
        }
        v.extend(
            self.account_violations(&new.roles, &new.offices, new.organisation)
                .await?,
        );
        if let Some(pw) = &new.password
            && let Err(AppError::Invalid(more)) = check_password_strength(pw, "password")
        {
            v.extend(more);
        }
        if !v.is_empty() {
            return Err(AppError::Invalid(v));
        }
        let password = new.password.unwrap_or_else(|| random_password(16));
        let hash = {
            let pw = password.clone();
            self.password_work(move || hash_password(&pw)).await??
        };
        let user = UserRecord {
            id: UserId(new_id()),
            username: username.clone(),
            display_name: new.display_name.trim().to_string(),
            password_hash: hash,
            active: true,
            roles: new.roles,
            offices: new.offices,
            organisation: new.organisation,
            created_at: now(),
        };
        self.store().create_user(&user).await?;
        self.audit_admin(
            p,
            "user.create",
            serde_json::json!({
                "username": username,
                "roles": user.roles,
                "offices": user.offices,
                "organisation": user.organisation,
            }),
        )
        .await?;
        Ok((user.into(), password))
    }

    pub async fn update_user(
        &self,
        p: &Principal,
        id: UserId,
        change: UserChange,
        new_password: Option<String>,
    ) -> Result<UserView> {
        forbid_unless(p.actor.may_administer(), "changing users")?;
        if id == p.actor.user_id
            && (change.roles.is_some() || change.offices.is_some() || change.active.is_some())
        {
            // Four eyes: nobody grants themselves access to cases.
            return Err(AppError::Forbidden(
                "administrators do not change their own roles, offices or status; ask another administrator".into(),
            ));
        }
        let mut change = change;
        if let Some(offices) = &change.offices {
            for o in offices {
                if self.store().office(*o).await?.is_none() {
                    return Err(AppError::invalid(
                        Violation::new("office.unknown", "there is no such office").at("offices"),
                    ));
                }
            }
        }
        if change.roles.is_some() || change.offices.is_some() || change.organisation.is_some() {
            let current = self.store().user(id).await?.ok_or(AppError::NotFound)?;
            let v = self
                .account_violations(
                    change.roles.as_ref().unwrap_or(&current.roles),
                    change.offices.as_ref().unwrap_or(&current.offices),
                    change.organisation.unwrap_or(current.organisation),
                )
                .await?;
            if !v.is_empty() {
                return Err(AppError::Invalid(v));
            }
        }
        if let Some(pw) = &new_password {
            check_password_strength(pw, "password")?;
            change.password_hash = Some(hash_password(pw)?);
        }
        if let Some(n) = &change.display_name {
            ShortText::parse(n)
                .map_err(|e| AppError::invalid(Violation::from_value_error(e, "display_name")))?;
        }
        self.store().update_user(id, &change).await?;
        // A changed password, deactivation or new roles end the user's sessions.
        if change.password_hash.is_some()
            || change.active == Some(false)
            || change.roles.is_some()
            || change.offices.is_some()
            || change.organisation.is_some()
        {
            self.store().delete_user_sessions(id).await?;
        }
        self.audit_admin(
            Some(p),
            "user.update",
            serde_json::json!({
                "user": id,
                "roles": change.roles,
                "offices": change.offices,
                "organisation": change.organisation,
                "active": change.active,
                "password_reset": change.password_hash.is_some(),
            }),
        )
        .await?;
        self.store()
            .user(id)
            .await?
            .map(UserView::from)
            .ok_or(AppError::NotFound)
    }

    /// Whether roles, offices and an organisation fit together (`access::
    /// account_violations`), and the organisation is in the directory.
    async fn account_violations(
        &self,
        roles: &BTreeSet<Role>,
        offices: &BTreeSet<OfficeId>,
        organisation: Option<OrganisationId>,
    ) -> Result<Vec<Violation>> {
        let mut v = homeward_domain::access::account_violations(roles, offices, organisation);
        if let Some(o) = organisation
            && self.store().organisation(o).await?.is_none()
        {
            v.push(
                Violation::new(
                    "organisation.unknown",
                    "there is no such organisation in the directory",
                )
                .at("organisation"),
            );
        }
        Ok(v)
    }

    pub async fn list_users(&self, p: &Principal) -> Result<Vec<UserView>> {
        forbid_unless(p.actor.may_administer(), "listing users")?;
        Ok(self
            .store()
            .list_users()
            .await?
            .into_iter()
            .map(UserView::from)
            .collect())
    }

    /// On first start: an administrator with a one-time password, if there is no user.
    pub async fn ensure_administrator(&self) -> Result<Option<(String, String)>> {
        if self.store().count_users().await? > 0 {
            return Ok(None);
        }
        let (user, password) = self
            .create_user(
                None,
                NewUser {
                    username: "admin".into(),
                    display_name: "Administrator".into(),
                    roles: [Role::Administrator].into_iter().collect(),
                    offices: BTreeSet::new(),
                    organisation: None,
                    password: None,
                },
            )
            .await?;
        Ok(Some((user.username, password)))
    }

    // ---- audit ----------------------------------------------------------------------

    pub async fn audit_log(&self, p: &Principal, page: PageRequest) -> Result<Page<AuditEntry>> {
        if !p.actor.may_read_audit() {
            return Err(AppError::Forbidden(
                "the audit log is for auditors and administrators".into(),
            ));
        }
        Ok(self.store().list_audit(page).await?)
    }

    pub async fn verify_audit_chain(&self) -> Result<ChainReport> {
        Ok(match self.store().verify_audit().await? {
            Ok(n) => ChainReport {
                valid: true,
                entries: n,
                first_break: None,
                reason: None,
            },
            Err(ChainBreak { seq, reason }) => ChainReport {
                valid: false,
                entries: 0,
                first_break: Some(seq),
                reason: Some(reason),
            },
        })
    }
}
