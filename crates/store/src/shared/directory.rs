//! Offices, programmes, users, sessions and login failures.

use super::prelude::*;

const SURVEY_COLUMNS: &str =
    "survey_key, version, title, definition, digest, imported_by, imported_at";

pub(crate) async fn load_user_extras(pool: &sqlx::Pool<Db>, base: UserBase) -> CResult<UserRecord> {
    let roles: Vec<(String,)> =
        sqlx::query_as("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
            .bind(base.id)
            .fetch_all(pool)
            .await?;
    let offices: Vec<(Uuid,)> =
        sqlx::query_as("SELECT office_id FROM user_offices WHERE user_id = $1")
            .bind(base.id)
            .fetch_all(pool)
            .await?;
    Ok(UserRecord {
        id: UserId(base.id),
        username: base.username,
        display_name: base.display_name,
        password_hash: base.password_hash,
        active: base.active,
        roles: roles
            .into_iter()
            .filter_map(|(r,)| Role::from_code(&r))
            .collect::<BTreeSet<_>>(),
        offices: offices.into_iter().map(|(o,)| OfficeId(o)).collect(),
        organisation: base.organisation_id.map(OrganisationId),
        created_at: base.created_at,
    })
}

pub(crate) async fn write_user_links(
    tx: &mut sqlx::Transaction<'_, Db>,
    id: Uuid,
    roles: Option<&BTreeSet<Role>>,
    offices: Option<&BTreeSet<OfficeId>>,
) -> CResult<()> {
    if let Some(roles) = roles {
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        for r in roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(id)
                .bind(r.code())
                .execute(&mut **tx)
                .await?;
        }
    }
    if let Some(offices) = offices {
        sqlx::query("DELETE FROM user_offices WHERE user_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        for o in offices {
            sqlx::query("INSERT INTO user_offices (user_id, office_id) VALUES ($1, $2)")
                .bind(id)
                .bind(o.0)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

impl Backend {
    // ---- offices and programmes ---------------------------------------------------

    pub async fn create_office(&self, o: &OfficeRow) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO offices (id, code, name, country, created_at, time_zone) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(o.id.0)
        .bind(&o.code)
        .bind(&o.name)
        .bind(&o.country)
        .bind(o.created_at)
        .bind(&o.time_zone)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn update_office(
        &self,
        id: OfficeId,
        name: Option<&str>,
        time_zone: Option<&str>,
    ) -> CResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE offices SET name = COALESCE($1, name), time_zone = COALESCE($2, time_zone) \
             WHERE id = $3",
        )
        .bind(name)
        .bind(time_zone)
        .bind(id.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(done == 1)
    }

    /// The display names of these users, in one read.
    pub async fn user_names(&self, ids: &[UserId]) -> CResult<Vec<(Uuid, String)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut q = QueryBuilder::<Db>::new("SELECT id, display_name FROM users WHERE id IN (");
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.0);
        }
        q.push(")");
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }

    pub async fn list_offices(&self) -> CResult<Vec<OfficeRow>> {
        Ok(sqlx::query_as(
            "SELECT id, code, name, country, created_at, time_zone FROM offices ORDER BY code",
        )
        .fetch_all(self.reader())
        .await?)
    }

    pub async fn office(&self, id: OfficeId) -> CResult<Option<OfficeRow>> {
        Ok(sqlx::query_as(
            "SELECT id, code, name, country, created_at, time_zone FROM offices WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(self.reader())
        .await?)
    }

    pub async fn create_programme(&self, p: &ProgrammeRow) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO programmes (id, code, name, settings, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(p.id.0)
        .bind(&p.code)
        .bind(&p.name)
        .bind(&p.settings)
        .bind(p.created_at)
        .bind(p.updated_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn update_programme(&self, p: &ProgrammeRow) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE programmes SET name = $1, settings = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(&p.name)
        .bind(&p.settings)
        .bind(p.updated_at)
        .bind(p.id.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// `update_programme`, only if its settings are still `read` (as stored when the
    /// caller read them): false, and nothing written, when someone changed them since.
    pub async fn update_programme_from(&self, p: &ProgrammeRow, read: &str) -> CResult<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE programmes SET name = $1, settings = $2, updated_at = $3 \
             WHERE id = $4 AND settings = $5",
        )
        .bind(&p.name)
        .bind(&p.settings)
        .bind(p.updated_at)
        .bind(p.id.0)
        .bind(read)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Whether any case of the programme has arrived (its plans, if any, are in the
    /// programme's currency).
    pub async fn programme_has_arrivals(&self, programme: Uuid) -> CResult<bool> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM (SELECT 1 FROM case_summaries \
             WHERE programme = $1 AND arrived_at IS NOT NULL LIMIT 1) x",
        )
        .bind(programme)
        .fetch_one(self.reader())
        .await?;
        Ok(n > 0)
    }

    pub async fn list_programmes(&self) -> CResult<Vec<ProgrammeRow>> {
        Ok(sqlx::query_as(
            "SELECT id, code, name, settings, created_at, updated_at FROM programmes ORDER BY code",
        )
        .fetch_all(self.reader())
        .await?)
    }

    pub async fn programme(&self, id: Uuid) -> CResult<Option<ProgrammeRow>> {
        Ok(sqlx::query_as(
            "SELECT id, code, name, settings, created_at, updated_at FROM programmes WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?)
    }

    // ---- the stakeholder directory --------------------------------------------------

    pub async fn create_organisation(&self, o: &OrganisationRow) -> CResult<()> {
        self.upsert_organisations(std::slice::from_ref(o)).await
    }

    pub async fn update_organisation(&self, o: &OrganisationRow) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE organisations SET name = $1, details = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(&o.name)
        .bind(&o.details)
        .bind(o.updated_at)
        .bind(o.id.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds or replaces organisations (by id) in one transaction: all of them or none.
    pub async fn upsert_organisations(&self, rows: &[OrganisationRow]) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        for o in rows {
            sqlx::query(
                "INSERT INTO organisations (id, name, details, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
                 details = excluded.details, updated_at = excluded.updated_at",
            )
            .bind(o.id.0)
            .bind(&o.name)
            .bind(&o.details)
            .bind(o.created_at)
            .bind(o.updated_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_organisations(&self) -> CResult<Vec<OrganisationRow>> {
        Ok(sqlx::query_as(
            "SELECT id, name, details, created_at, updated_at FROM organisations \
             ORDER BY name, id",
        )
        .fetch_all(self.reader())
        .await?)
    }

    pub async fn organisation(&self, id: Uuid) -> CResult<Option<OrganisationRow>> {
        Ok(sqlx::query_as(
            "SELECT id, name, details, created_at, updated_at FROM organisations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?)
    }

    // ---- surveys ---------------------------------------------------------------------

    pub async fn insert_survey(&self, r: &SurveyRow) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO survey_versions ({SURVEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )))
        .bind(&r.survey_key)
        .bind(r.version)
        .bind(&r.title)
        .bind(&r.definition)
        .bind(&r.digest)
        .bind(r.imported_by.0)
        .bind(r.imported_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_surveys(&self) -> CResult<Vec<SurveyRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SURVEY_COLUMNS} FROM survey_versions ORDER BY survey_key, version"
        )))
        .fetch_all(self.reader())
        .await?)
    }

    pub async fn survey_versions(&self, key: &str) -> CResult<Vec<(i64, DateTime<Utc>)>> {
        Ok(sqlx::query_as(
            "SELECT version, imported_at FROM survey_versions WHERE survey_key = $1 \
             ORDER BY version",
        )
        .bind(key)
        .fetch_all(self.reader())
        .await?)
    }

    pub async fn survey(&self, key: &str, version: Option<i64>) -> CResult<Option<SurveyRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SURVEY_COLUMNS} FROM survey_versions WHERE survey_key = $1 \
             AND ($2 IS NULL OR version = $2) ORDER BY version DESC LIMIT 1"
        )))
        .bind(key)
        .bind(version)
        .fetch_optional(self.reader())
        .await?)
    }

    // ---- users and sessions -------------------------------------------------------

    pub async fn create_user(&self, u: &UserRecord) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO users (id, username, display_name, password_hash, active, organisation_id, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(u.id.0)
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.password_hash)
        .bind(u.active)
        .bind(u.organisation.map(|o| o.0))
        .bind(u.created_at)
        .execute(&mut *tx)
        .await?;
        write_user_links(&mut tx, u.id.0, Some(&u.roles), Some(&u.offices)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn update_user(&self, id: UserId, c: &UserChange) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        let exists: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        if let Some(n) = &c.display_name {
            sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
                .bind(n)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(a) = c.active {
            sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
                .bind(a)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(o) = c.organisation {
            sqlx::query("UPDATE users SET organisation_id = $1 WHERE id = $2")
                .bind(o.map(|o| o.0))
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(h) = &c.password_hash {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(h)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        write_user_links(&mut tx, id.0, c.roles.as_ref(), c.offices.as_ref()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn user(&self, id: UserId) -> CResult<Option<UserRecord>> {
        let base: Option<UserBase> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(self.reader())
        .await?;
        match base {
            Some(b) => Ok(Some(load_user_extras(self.reader(), b).await?)),
            None => Ok(None),
        }
    }

    pub async fn user_by_username(&self, username: &str) -> CResult<Option<UserRecord>> {
        let base: Option<UserBase> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
        )))
        .bind(username)
        .fetch_optional(self.reader())
        .await?;
        match base {
            Some(b) => Ok(Some(load_user_extras(self.reader(), b).await?)),
            None => Ok(None),
        }
    }

    pub async fn list_users(&self) -> CResult<Vec<UserRecord>> {
        let bases: Vec<UserBase> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY username"
        )))
        .fetch_all(self.reader())
        .await?;
        let mut out = Vec::with_capacity(bases.len());
        for b in bases {
            out.push(load_user_extras(self.reader(), b).await?);
        }
        Ok(out)
    }

    pub async fn count_users(&self) -> CResult<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(self.reader())
            .await?;
        Ok(n)
    }

    pub async fn create_session(&self, s: &AuthSession) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO auth_sessions (id, user_id, kind, name, csrf_token, created_at, \
             last_seen_at, expires_at, idle_timeout_secs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&s.id)
        .bind(s.user_id)
        .bind(&s.kind)
        .bind(&s.name)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .bind(s.idle_timeout_secs)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A session with the directory generation (see migration 0007), in one query.
    pub async fn session_in_directory(&self, id: &str) -> CResult<Option<(AuthSession, i64)>> {
        let row: Option<SessionInDirectory> = sqlx::query_as(
            "SELECT id, user_id, kind, name, csrf_token, created_at, last_seen_at, expires_at, \
             idle_timeout_secs, (SELECT generation FROM directory_generation WHERE id = 1) \
             AS generation FROM auth_sessions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|r| (r.session, r.generation)))
    }

    /// The directory generation alone.
    pub async fn directory_generation(&self) -> CResult<i64> {
        let (g,): (i64,) =
            sqlx::query_as("SELECT generation FROM directory_generation WHERE id = 1")
                .fetch_one(self.reader())
                .await?;
        Ok(g)
    }

    pub async fn touch_session(&self, id: &str, at: DateTime<Utc>) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE auth_sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_session(&self, id: &str) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM auth_sessions WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_user_sessions(&self, user: UserId) -> CResult<u64> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    pub async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> CResult<u64> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM auth_sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    pub async fn record_login_failure(&self, keys: &[String], at: DateTime<Utc>) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        for k in keys {
            sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                .bind(k)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn count_login_failures(&self, key: &str, since: DateTime<Utc>) -> CResult<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2")
                .bind(key)
                .bind(since)
                .fetch_one(self.reader())
                .await?;
        Ok(n)
    }

    pub async fn clear_login_failures(&self, key: &str) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
