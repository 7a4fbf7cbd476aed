//! The read models' rows: one column list and one writer per table, used alike by a
//! commit, a bulk load and a rebuild.

use super::prelude::*;

/// Read-model rows of cases whose rows are not there yet (a bulk load, a rebuild), and
/// their kept rows as each of their months ended added to the kept sums (`kept`).
pub(crate) async fn insert_read_models(
    tx: &mut sqlx::Transaction<'_, Db>,
    rows: &[&CaseRow],
    people: &[&PersonRow],
    stats: &[&StatRows],
    kept: super::kept::KeptSums,
) -> CResult<()> {
    let mut w = Writes::new();
    push_case_rows(tx, &mut w, rows, None).await?;
    push_people_rows(tx, &mut w, people).await?;
    push_stat_rows(tx, &mut w, stats).await?;
    w.send(tx).await?;
    kept.write(tx).await?;
    insert_tokens(tx, people).await
}

/// How many values a row of these columns binds.
fn binds_per_row(columns: &str) -> usize {
    columns.split(',').count()
}

/// People rows into `w`.
async fn push_people_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    people: &[&PersonRow],
) -> CResult<()> {
    for chunk in people.chunks(ROWS) {
        let q = w
            .part(tx, chunk.len() * binds_per_row(PERSON_COLUMNS))
            .await?;
        q.push(format!("INSERT INTO case_people ({PERSON_COLUMNS}) "));
        q.push_values(chunk, |mut b, p| {
            b.push_bind(p.case_id.0)
                .push_bind(p.person_id.0)
                .push_bind(&p.relationship)
                .push_bind(&p.given_name)
                .push_bind(&p.family_name)
                .push_bind(&p.search_name)
                .push_bind(p.birth_date)
                .push_bind(p.birth_year)
                .push_bind(p.birth_estimated)
                .push_bind(crate::projection::code(&p.sex))
                .push_bind(&p.nationality)
                .push_bind(p.vulnerabilities);
        });
    }
    Ok(())
}

/// The words and sounds people are found by (after their rows).
async fn insert_tokens(tx: &mut sqlx::Transaction<'_, Db>, people: &[&PersonRow]) -> CResult<()> {
    let mut tokens: Vec<(String, Uuid, Uuid)> = people
        .iter()
        .flat_map(|p| {
            // The names as written (for words joined by apostrophes or hyphens), and the
            // search name (which also holds the Latin spellings).
            homeward_domain::values::name_tokens(&format!(
                "{} {} {}",
                p.given_name,
                p.family_name.as_deref().unwrap_or(""),
                p.search_name
            ))
            .into_iter()
            .map(|t| (t, p.person_id.0, p.case_id.0))
        })
        .collect();
    // In the primary key's order (words compare byte by byte in both databases): each
    // statement then walks the key's tree once, left to right, not to a random leaf a row.
    tokens.sort_unstable();
    Backend::insert_tokens(tx, &tokens).await
}

/// The statistics rows of some cases into `w`.
async fn push_stat_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    stats: &[&StatRows],
) -> CResult<()> {
    let returns: Vec<&ReturnRow> = stats.iter().flat_map(|s| &s.returns).collect();
    let interruptions: Vec<&InterruptionRow> =
        stats.iter().flat_map(|s| &s.interruptions).collect();
    let follow_ups: Vec<&FollowUpRow> = stats.iter().flat_map(|s| &s.follow_ups).collect();
    let referrals: Vec<&ReferralRow> = stats.iter().flat_map(|s| &s.referrals).collect();
    let budget: Vec<&BudgetRow> = stats.iter().flat_map(|s| &s.budget).collect();
    let taken_up: Vec<&ReturnRow> = stats.iter().flat_map(|s| &s.taken_up).collect();
    let scores: Vec<&ScoreRow> = stats.iter().flat_map(|s| &s.scores).collect();
    let community: Vec<&CommunityRow> = stats.iter().flat_map(|s| &s.community).collect();
    push_return_rows(tx, w, "stat_returns", &returns).await?;
    push_return_rows(tx, w, "stat_taken_up", &taken_up).await?;
    push_interruption_rows(tx, w, &interruptions).await?;
    push_follow_up_rows(tx, w, &follow_ups).await?;
    push_referral_rows(tx, w, &referrals).await?;
    push_score_rows(tx, w, &scores).await?;
    push_community_rows(tx, w, &community).await?;
    push_budget_rows(tx, w, &budget).await
}

/// Survey score rows into `w`.
async fn push_score_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    rows: &[&ScoreRow],
) -> CResult<()> {
    for chunk in rows.chunks(ROWS) {
        let q = w
            .part(tx, chunk.len() * binds_per_row(SCORE_COLUMNS))
            .await?;
        q.push(format!("INSERT INTO stat_scores ({SCORE_COLUMNS}) "));
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.case_id)
                .push_bind(r.band)
                .push_bind(r.answered_on)
                .push_bind(&r.survey_key)
                .push_bind(r.survey_version)
                .push_bind(r.economic)
                .push_bind(r.social)
                .push_bind(r.psychosocial)
                .push_bind(r.composite)
                .push_bind(&r.return_country)
                .push_bind(&r.sex)
                .push_bind(&r.age_group)
                .push_bind(r.vulnerabilities)
                .push_bind(r.programme)
                .push_bind(r.host_office)
                .push_bind(r.office)
                .push_bind(r.sustainable)
                .push_bind(r.assistance);
        });
    }
    Ok(())
}

/// Community project rows into `w`.
async fn push_community_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    rows: &[&CommunityRow],
) -> CResult<()> {
    for chunk in rows.chunks(ROWS) {
        let q = w
            .part(tx, chunk.len() * binds_per_row(COMMUNITY_COLUMNS))
            .await?;
        q.push(format!("INSERT INTO stat_community ({COMMUNITY_COLUMNS}) "));
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.case_id)
                .push_bind(r.item_id)
                .push_bind(r.programme)
                .push_bind(r.host_office)
                .push_bind(r.office)
                .push_bind(&r.return_country)
                .push_bind(r.committed)
                .push_bind(r.delivered)
                .push_bind(r.people_reached);
        });
    }
    Ok(())
}

/// Budget rows into `w`.
async fn push_budget_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    rows: &[&BudgetRow],
) -> CResult<()> {
    for chunk in rows.chunks(ROWS) {
        let q = w
            .part(tx, chunk.len() * binds_per_row(BUDGET_COLUMNS))
            .await?;
        q.push(format!("INSERT INTO case_budget ({BUDGET_COLUMNS}) "));
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.case_id)
                .push_bind(r.line_id)
                .push_bind(&r.assistance)
                .push_bind(r.programme)
                .push_bind(r.office)
                .push_bind(&r.country_of_return)
                .push_bind(r.committed)
                .push_bind(r.disbursed)
                .push_bind(r.people);
        });
    }
    Ok(())
}

/// Referral rows into `w`.
async fn push_referral_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    rows: &[&ReferralRow],
) -> CResult<()> {
    for chunk in rows.chunks(ROWS) {
        let q = w
            .part(tx, chunk.len() * binds_per_row(REFERRAL_COLUMNS))
            .await?;
        q.push(format!("INSERT INTO case_referrals ({REFERRAL_COLUMNS}) "));
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.case_id)
                .push_bind(r.referral_id)
                .push_bind(r.organisation_id)
                .push_bind(&r.organisation_name)
                .push_bind(&r.service)
                .push_bind(&r.status)
                .push_bind(r.sent_on)
                .push_bind(r.answer_due)
                .push_bind(r.escalate_on)
                .push_bind(r.office)
                .push_bind(&r.outcome)
                .push_bind(r.days_to_answer);
        });
    }
    Ok(())
}

/// Scheduled follow-up rows into `w`.
async fn push_follow_up_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    rows: &[&FollowUpRow],
) -> CResult<()> {
    for chunk in rows.chunks(ROWS) {
        let q = w
            .part(tx, chunk.len() * binds_per_row(FOLLOW_UP_COLUMNS))
            .await?;
        q.push(format!(
            "INSERT INTO stat_follow_ups ({FOLLOW_UP_COLUMNS}) "
        ));
        q.push_values(chunk, |mut b, f| {
            b.push_bind(f.case_id)
                .push_bind(f.number)
                .push_bind(f.due_on)
                .push_bind(f.opens_on)
                .push_bind(f.closes_on)
                .push_bind(f.missed_from)
                .push_bind(f.held_on)
                .push_bind(f.programme)
                .push_bind(f.office)
                .push_bind(&f.return_country);
        });
    }
    Ok(())
}

/// Returns rows into `w`.
async fn push_return_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    table: &str,
    returns: &[&ReturnRow],
) -> CResult<()> {
    for chunk in returns.chunks(ROWS) {
        let q = w
            .part(tx, chunk.len() * binds_per_row(RETURN_COLUMNS))
            .await?;
        q.push(format!("INSERT INTO {table} ({RETURN_COLUMNS}) "));
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.case_id)
                .push_bind(r.person_id)
                .push_bind(r.departed_on)
                .push_bind(r.year)
                .push_bind(&r.host_country)
                .push_bind(&r.host_region)
                .push_bind(&r.host_subregion)
                .push_bind(&r.return_country)
                .push_bind(&r.return_region)
                .push_bind(&r.return_subregion)
                .push_bind(&r.sex)
                .push_bind(&r.age_group)
                .push_bind(r.vulnerabilities)
                .push_bind(&r.legal_situation)
                .push_bind(r.programme)
                .push_bind(r.office)
                .push_bind(&r.host_or_transit)
                .push_bind(r.assistance);
        });
    }
    Ok(())
}

/// Interruption rows into `w`.
async fn push_interruption_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    interruptions: &[&InterruptionRow],
) -> CResult<()> {
    for chunk in interruptions.chunks(ROWS) {
        let q = w
            .part(tx, chunk.len() * binds_per_row(INTERRUPTION_COLUMNS))
            .await?;
        q.push(format!(
            "INSERT INTO stat_interruptions ({INTERRUPTION_COLUMNS}) "
        ));
        q.push_values(chunk, |mut b, x| {
            b.push_bind(x.case_id)
                .push_bind(x.seq)
                .push_bind(&x.kind)
                .push_bind(x.occurred_on)
                .push_bind(x.year)
                .push_bind(&x.stage)
                .push_bind(&x.host_country)
                .push_bind(&x.return_country)
                .push_bind(x.programme)
                .push_bind(x.office);
        });
    }
    Ok(())
}

/// Case rows into `w`: inserted only (`update` None), left as they are if there
/// (`Some([])`), or with these columns set from the new row.
pub(crate) async fn push_case_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    rows: &[&CaseRow],
    update: Option<&[&str]>,
) -> CResult<()> {
    for chunk in rows.chunks(ROWS / 2) {
        let q = w
            .part(tx, chunk.len() * binds_per_row(CASE_COLUMNS))
            .await?;
        q.push(format!("INSERT INTO case_summaries ({CASE_COLUMNS}) "));
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.case_id.0)
                .push_bind(&r.reference)
                .push_bind(r.host_office.0)
                .push_bind(r.return_office.map(|o| o.0))
                .push_bind(r.programme.0)
                .push_bind(r.stage.code())
                .push_bind(&r.outcome)
                .push_bind(&r.country_of_return)
                .push_bind(&r.principal_name)
                .push_bind(r.members)
                .push_bind(r.vulnerabilities)
                .push_bind(r.registered_at)
                .push_bind(r.first_counselling_at)
                .push_bind(r.applied_at)
                .push_bind(r.decided_at)
                .push_bind(r.departed_at)
                .push_bind(r.arrived_at)
                .push_bind(r.withdrawn_at)
                .push_bind(r.closed_at)
                .push_bind(r.version)
                .push_bind(r.updated_at)
                .push_bind(r.departs_at)
                .push_bind(r.owner.map(|o| o.0))
                .push_bind(r.unreached)
                .push_bind(r.items_due_on)
                .push_bind(r.documents_expire_on)
                .push_bind(r.plan_work.map(|w| w.code()))
                .push_bind(r.plan_exceptions);
        });
        match update {
            None => {}
            Some([]) => {
                q.push(" ON CONFLICT (case_id) DO NOTHING");
            }
            Some(columns) => {
                let set = columns
                    .iter()
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                q.push(format!(" ON CONFLICT (case_id) DO UPDATE SET {set}"));
            }
        }
    }
    Ok(())
}

/// The columns a group's upsert of case rows must set: those any of its commits changed.
pub(crate) fn columns_to_update(commits: &[&Commit]) -> Vec<&'static str> {
    let mut changed: Vec<&'static str> = vec![];
    for c in commits.iter().filter(|c| c.expected_version > 0) {
        let columns = match &c.changed {
            Some(columns) => columns.as_slice(),
            None => &crate::rows::CASE_COLUMN_NAMES[1..],
        };
        for name in columns {
            if !changed.contains(name) {
                changed.push(name);
            }
        }
    }
    changed
}

/// A case's rows in these read-model tables (names written here, never taken from input).
async fn delete_case_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    tables: &[&str],
    case_id: Uuid,
) -> CResult<()> {
    for table in tables {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE case_id = $1"
        )))
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A case's people rows, replaced (a commit that changed them).
pub(crate) async fn replace_people(
    tx: &mut sqlx::Transaction<'_, Db>,
    case_id: Uuid,
    people: &[PersonRow],
) -> CResult<()> {
    delete_case_rows(tx, &["person_tokens", "case_people"], case_id).await?;
    let people: Vec<&PersonRow> = people.iter().collect();
    let mut w = Writes::new();
    push_people_rows(tx, &mut w, &people).await?;
    w.send(tx).await?;
    insert_tokens(tx, &people).await
}

/// A case's statistics rows, replaced (a commit that changed them); the kept sums of
/// `month` lose `before`, the kept rows replaced, and gain the new ones.
pub(crate) async fn replace_stats(
    tx: &mut sqlx::Transaction<'_, Db>,
    case_id: Uuid,
    rows: &StatRows,
    before: &crate::MonthRows,
    month: chrono::NaiveDate,
) -> CResult<()> {
    delete_case_rows(
        tx,
        &[
            "stat_returns",
            "stat_taken_up",
            "stat_interruptions",
            "stat_follow_ups",
            "stat_scores",
            "stat_community",
            "case_referrals",
            "case_budget",
        ],
        case_id,
    )
    .await?;
    let mut w = Writes::new();
    push_stat_rows(tx, &mut w, &[rows]).await?;
    w.send(tx).await?;
    let mut sums = super::kept::KeptSums::default();
    sums.replace(before, rows, month);
    sums.write(tx).await
}
