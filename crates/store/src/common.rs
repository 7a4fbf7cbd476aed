// Queries shared by both backends. This file is `include!`d into `sqlite.rs` and
// `postgres.rs`, each of which defines `Db` (the sqlx database), `Backend` (its store
// type) and the backend-specific `reader`, `begin_write`, `begin_audited`, the group
// writer's `group_connection` and `begin_group`, `lock_audit` and how `Writes` joins
// statements. Parameters are written `$1`, which both databases accept.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use homeward_domain::RecordedEvent;
use homeward_domain::access::Role;
use homeward_domain::ids::{CaseId, OfficeId, UserId};
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use crate::audit::{self as audit_chain, AuditDraft, AuditEntry};
use crate::{
    AuthSession, COUNT_BOUND, CaseFilter, CaseRow, Commit, Dim, DurationRow, EventBatch, EventRow,
    InterruptionRow, NewCase, OfficeRow, Page, PageRequest, PersonRow, PipelineRow, ProgrammeRow,
    RebuildStats, ReturnCount, ReturnRow, SEARCH_BOUND, Scope, SessionInDirectory, StatFilter,
    StatRows, StoreError, UserBase, UserChange, UserRecord, decode_joined,
};

type CResult<T> = std::result::Result<T, StoreError>;

const CASE_COLUMNS: &str = "case_id, reference, host_office, return_office, programme, stage, \
    outcome, country_of_return, principal_name, members, vulnerabilities, registered_at, \
    first_counselling_at, applied_at, decided_at, departed_at, arrived_at, withdrawn_at, \
    closed_at, version, updated_at, departs_at";

const PERSON_COLUMNS: &str = "case_id, person_id, relationship, given_name, family_name, \
    search_name, birth_date, birth_year, birth_estimated, sex, nationality, vulnerabilities";

/// How long a pooled connection may have been idle and still be handed out unchecked.
const TRUSTED_IDLE: std::time::Duration = std::time::Duration::from_secs(10);

/// The pool options both backends start from. By default sqlx pings every connection it
/// hands out: a round trip (to the server, or to SQLite's driver thread) before every
/// query run on the pool, three per command (the session, the case's events, the write).
/// Here only a connection idle for longer than `TRUSTED_IDLE`, one the server may have
/// closed meanwhile, is pinged first (and replaced if the ping fails); one that breaks
/// while in use fails its query as it would have anyway.
///
/// Waiting for a connection is bounded (`waits::POOL_ACQUIRE`): past it the caller gets
/// `Unavailable` (503), never a wait without end.
fn pool_options() -> sqlx::pool::PoolOptions<Db> {
    sqlx::pool::PoolOptions::<Db>::new()
        .acquire_timeout(crate::waits::POOL_ACQUIRE)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > TRUSTED_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

/// Restricts a query on `case_summaries cs` to the scope's offices.
fn push_scope(q: &mut QueryBuilder<Db>, scope: &Scope) {
    if scope.offices.is_empty() {
        q.push(" AND 1 = 0");
        return;
    }
    q.push(" AND (cs.host_office IN (");
    let mut s = q.separated(", ");
    for o in &scope.offices {
        s.push_bind(o.0);
    }
    q.push(") OR cs.return_office IN (");
    let mut s = q.separated(", ");
    for o in &scope.offices {
        s.push_bind(o.0);
    }
    q.push("))");
}

/// Cases a search that finds more than `SEARCH_BOUND` reads newest first, at most, for its
/// page (`search_cases`); a page they do not fill is gathered instead. Each is checked
/// against the search (~8 µs each at a million cases on SQLite): at most ~80 ms, where
/// gathering a thousand cases found takes ~55 ms and every further thousand as much.
const WALKED_CASES: i64 = 10_000;

/// Offices in a merged read of one list, at most: two ordered reads each, under SQLite's
/// limit on a compound statement's parts (500) and both databases' on bound parameters.
const MERGED_OFFICES: usize = 100;

/// The offices a case list is read for, newest first, one ordered read per office and
/// side (`list_cases_by_office`), if it is a list to read that way: one that does not
/// search (a search starts from what it finds: `search_cases`) and has no stage or
/// departure dates (each has its own index, in the list's order). Without it such a list
/// gathers every case in scope and sorts them: seconds at a million cases, for the first
/// page anyone sees.
fn merged_offices(scope: &Scope, f: &CaseFilter) -> Option<Vec<Uuid>> {
    if searches(f) || f.stage.is_some() || f.departing.is_some() || scope.offices.is_empty() {
        return None;
    }
    let offices: BTreeSet<Uuid> = match f.office {
        Some(o) => [o.0].into(),
        None => scope.offices.iter().map(|o| o.0).collect(),
    };
    (offices.len() <= MERGED_OFFICES).then(|| offices.into_iter().collect())
}

/// The filters of a case list other than what it searches for.
fn push_filter(q: &mut QueryBuilder<Db>, f: &CaseFilter) {
    if let Some(stage) = f.stage {
        q.push(" AND cs.stage = ").push_bind(stage.code());
    }
    if let Some(o) = f.office {
        q.push(" AND (cs.host_office = ")
            .push_bind(o.0)
            .push(" OR cs.return_office = ")
            .push_bind(o.0)
            .push(")");
    }
    if let Some(c) = &f.country_of_return {
        q.push(" AND cs.country_of_return = ").push_bind(c.clone());
    }
    if let Some(p) = f.programme {
        q.push(" AND cs.programme = ").push_bind(p);
    }
    if let Some((from, until)) = f.departing {
        q.push(" AND cs.departs_at >= ")
            .push_bind(from)
            .push(" AND cs.departs_at < ")
            .push_bind(until);
    }
    if let Some(mask) = f.vulnerabilities {
        q.push(" AND (cs.vulnerabilities & ")
            .push_bind(mask)
            .push(") <> 0");
    }
}

/// Whether a filter searches (by name, reference or date of birth).
fn searches(f: &CaseFilter) -> bool {
    f.birth_date.is_some() || f.text.as_deref().is_some_and(|t| !t.trim().is_empty())
}

/// `FROM` of a case list. A search is driven by what it finds (people by the index of
/// their names' words, or their date of birth; cases by reference), joined to the cases
/// afterwards, so that it reads what it found and not every case in scope. (Written as
/// `case_id IN (found)`, SQLite reads every case of a one-office scope through the
/// office's index instead: 3 ms became 185 ms at a million cases.) What is found comes
/// as it is found, each case once: a search that stops early (`search_cases`) reads no
/// more than it needs.
fn push_cases_from(q: &mut QueryBuilder<Db>, f: &CaseFilter) {
    if !searches(f) {
        q.push(" FROM case_summaries cs WHERE 1 = 1");
        return;
    }
    q.push(" FROM (SELECT DISTINCT found_id FROM (");
    push_found(q, f);
    q.push(") f) found CROSS JOIN case_summaries cs WHERE cs.case_id = found.found_id");
}

/// `FROM` and `WHERE` of a case list read whole: the cases (or what a search finds), in
/// scope, through the filter.
fn push_listed(q: &mut QueryBuilder<Db>, scope: &Scope, f: &CaseFilter) {
    push_cases_from(q, f);
    push_scope(q, scope);
    push_filter(q, f);
}

/// What a search looks for: a reference (a prefix), or someone whose names have every
/// word (and who was born on the day given). References are letters, digits and dashes;
/// names are matched folded. A text that is neither matches nothing (never everything).
struct Sought {
    reference: Option<String>,
    words: Vec<String>,
    /// Whether people are sought: by their names' words, their date of birth or both.
    people: bool,
}

fn sought(f: &CaseFilter) -> Sought {
    let text = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let reference = text
        .map(|t| {
            t.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>()
                .to_uppercase()
        })
        .filter(|r| !r.is_empty());
    let words = text
        .map(homeward_domain::values::search_words)
        .unwrap_or_default();
    Sought {
        reference,
        people: text.is_none() || !words.is_empty(),
        words,
    }
}

/// What `push_found` finds, as a condition on one case `cs`: for a search read in the
/// list's order, case by case (`search_cases`).
fn push_sought_case(q: &mut QueryBuilder<Db>, f: &CaseFilter) {
    let Sought {
        reference,
        words,
        people,
    } = sought(f);
    q.push(" AND (1 = 0");
    if let Some(r) = reference {
        q.push(" OR ");
        push_prefix(q, &format!("cs.reference{BYTE_ORDER}"), &r);
    }
    if people {
        q.push(" OR EXISTS (SELECT 1 FROM case_people cp WHERE cp.case_id = cs.case_id");
        push_name_match(q, "cp.person_id", &words);
        if let Some(d) = f.birth_date {
            q.push(" AND cp.birth_date = ").push_bind(d);
        }
        q.push(")");
    }
    q.push(")");
}

/// The ids of the cases a search finds (see `Sought`), as they are found: a case may come
/// more than once (by reference and by name, or for each of its people found).
fn push_found(q: &mut QueryBuilder<Db>, f: &CaseFilter) {
    let Sought {
        reference,
        words,
        people,
    } = sought(f);
    let mut parts = 0;
    if let Some(r) = reference {
        q.push("SELECT case_id AS found_id FROM case_summaries WHERE ");
        push_prefix(q, &format!("reference{BYTE_ORDER}"), &r);
        parts += 1;
    }
    if people {
        if parts > 0 {
            q.push(" UNION ALL ");
        }
        match f.birth_date {
            // A date of birth leaves a handful of people: each one's words are checked.
            Some(d) => {
                q.push("SELECT cp.case_id AS found_id FROM case_people cp WHERE cp.birth_date = ")
                    .push_bind(d);
                push_name_match(q, "cp.person_id", &words);
            }
            // The people of one word, read through the word index as they come (the
            // longest word: the one likely to have the fewest), each one's other words
            // checked. Collecting every word's people and intersecting them read every
            // person with a common first name (tens of thousands at a million cases) to
            // find the few hundred with both names.
            None => match driving_word(&words) {
                Some((driver, others)) => {
                    q.push(CASES_OF_WORD);
                    push_word(q, "w", driver);
                    push_name_match(q, "w.person_id", &others);
                }
                None => {
                    q.push("SELECT case_id AS found_id FROM case_summaries WHERE 1 = 0");
                }
            },
        }
        parts += 1;
    }
    if parts == 0 {
        q.push("SELECT case_id AS found_id FROM case_summaries WHERE 1 = 0");
    }
}

/// The word whose people a search reads first: the longest (the one likely to have the
/// fewest; the first of them, so that the same words give the same query), and the others.
fn driving_word(words: &[String]) -> Option<(&str, Vec<String>)> {
    let longest = words.iter().map(|w| w.chars().count()).max()?;
    let first = words.iter().position(|w| w.chars().count() == longest)?;
    let others = words
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != first)
        .map(|(_, w)| w.clone())
        .collect();
    Some((words[first].as_str(), others))
}

/// `person` is someone with, for every word, a name that starts with it or sounds like it:
/// each word checked among the person's own words, through `person_tokens_person`.
fn push_name_match(q: &mut QueryBuilder<Db>, person: &str, words: &[String]) {
    for w in words {
        q.push(format!(
            " AND EXISTS (SELECT 1 FROM person_tokens t WHERE t.person_id = {person} AND "
        ));
        push_word(q, "t", w);
        q.push(")");
    }
}

/// `person_tokens` row `t` is a word that starts with `w`, or one that sounds like it.
fn push_word(q: &mut QueryBuilder<Db>, t: &str, w: &str) {
    q.push("(");
    push_prefix(q, &format!("{t}.token"), w);
    q.push(format!(" OR {t}.token = "))
        .push_bind(format!("~{}", homeward_domain::values::sound_key(w)))
        .push(")");
}

/// `column` starts with `prefix` (compared byte by byte: the caller's column says so where
/// the database would not), as a range an index on it reads.
fn push_prefix(q: &mut QueryBuilder<Db>, column: &str, prefix: &str) {
    q.push(format!("({column} >= "))
        .push_bind(prefix.to_string())
        .push(format!(" AND {column} < "))
        .push_bind(format!("{prefix}\u{7f}"))
        .push(")");
}

/// The column a counted page's rows carry after their own (see `counted_page`).
const COUNTED: &str = ", COUNT(*) OVER () AS found_total";

/// A page of a search, read with how many it finds in all (`COUNTED` in `q`): one pass
/// over what it finds instead of two (a common name finds thousands of people; counting
/// them apart read them all twice). A page past the last has no row to carry the count:
/// `count` (the same search's `COUNT(*)`) is asked then.
async fn counted_page<T>(
    pool: &sqlx::Pool<Db>,
    mut q: QueryBuilder<Db>,
    mut count: QueryBuilder<Db>,
) -> CResult<Page<T>>
where
    T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row>,
{
    let rows = q.build().fetch_all(pool).await?;
    let total = match rows.first() {
        Some(first) => first.try_get::<i64, _>("found_total")?,
        None => count.build_query_as::<(i64,)>().fetch_one(pool).await?.0,
    };
    let items = rows
        .iter()
        .map(T::from_row)
        .collect::<Result<Vec<T>, sqlx::Error>>()?;
    Ok(Page {
        items,
        total,
        total_exact: true,
    })
}

fn page_bounds(q: &mut QueryBuilder<Db>, page: PageRequest) {
    q.push(" LIMIT ")
        .push_bind(i64::from(page.per_page))
        .push(" OFFSET ")
        .push_bind(page.offset());
}

/// Rows per multi-row statement, under both databases' limits on bound parameters.
const ROWS: usize = 1000;

/// Read-model rows of cases whose rows are not there yet, with multi-row inserts.
async fn insert_read_models(
    tx: &mut sqlx::Transaction<'_, Db>,
    rows: &[&CaseRow],
    people: &[&PersonRow],
    returns: &[&ReturnRow],
    interruptions: &[&InterruptionRow],
) -> CResult<()> {
    write_case_rows(tx, rows, None).await?;
    insert_people_rows(tx, people).await?;
    for chunk in returns.chunks(ROWS) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO stat_returns (case_id, person_id, departed_on, year, host_country, \
                 host_region, host_subregion, return_country, return_region, return_subregion, \
                 sex, age_group, vulnerabilities, legal_situation, programme, office) ",
        );
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
                .push_bind(r.office);
        });
        q.build().execute(&mut **tx).await?;
    }
    for chunk in interruptions.chunks(ROWS) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO stat_interruptions (case_id, seq, kind, occurred_on, year, stage, \
                 host_country, return_country, programme, office) ",
        );
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
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// People rows, and the words and sounds they are found by.
async fn insert_people_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    people: &[&PersonRow],
) -> CResult<()> {
    for chunk in people.chunks(ROWS) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO case_people (case_id, person_id, relationship, given_name, \
                 family_name, search_name, birth_date, birth_year, birth_estimated, sex, \
                 nationality, vulnerabilities) ",
        );
        q.push_values(chunk, |mut b, p| {
            b.push_bind(p.case_id)
                .push_bind(p.person_id)
                .push_bind(&p.relationship)
                .push_bind(&p.given_name)
                .push_bind(&p.family_name)
                .push_bind(&p.search_name)
                .push_bind(p.birth_date)
                .push_bind(p.birth_year)
                .push_bind(p.birth_estimated)
                .push_bind(&p.sex)
                .push_bind(&p.nationality)
                .push_bind(p.vulnerabilities);
        });
        q.build().execute(&mut **tx).await?;
    }
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
            .map(|t| (t, p.person_id, p.case_id))
        })
        .collect();
    // In the primary key's order (words compare byte by byte in both databases): each
    // statement then walks the key's tree once, left to right, not to a random leaf a row.
    tokens.sort_unstable();
    Backend::insert_tokens(tx, &tokens).await
}

async fn insert_people(tx: &mut sqlx::Transaction<'_, Db>, people: &[PersonRow]) -> CResult<()> {
    let people: Vec<&PersonRow> = people.iter().collect();
    insert_people_rows(tx, &people).await
}

/// Case rows, with multi-row statements; `update` says what to do with rows already
/// there (see `push_case_rows`).
async fn write_case_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    rows: &[&CaseRow],
    update: Option<&[&str]>,
) -> CResult<()> {
    let mut w = Writes::new();
    push_case_rows(tx, &mut w, rows, update).await?;
    w.send(tx).await
}

/// Case rows into `w`: inserted only (`update` None), left as they are if there
/// (`Some([])`), or with these columns set from the new row.
async fn push_case_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    rows: &[&CaseRow],
    update: Option<&[&str]>,
) -> CResult<()> {
    for chunk in rows.chunks(ROWS / 2) {
        let q = w.part(tx, chunk.len() * 22).await?;
        q.push(format!("INSERT INTO case_summaries ({CASE_COLUMNS}) "));
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.case_id)
                .push_bind(&r.reference)
                .push_bind(r.host_office)
                .push_bind(r.return_office)
                .push_bind(r.programme)
                .push_bind(&r.stage)
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
                .push_bind(r.departs_at);
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

/// Each column of a case row after its key, and whether it differs between two rows.
fn case_columns_changed(a: &CaseRow, b: &CaseRow) -> [(&'static str, bool); 21] {
    [
        ("reference", a.reference != b.reference),
        ("host_office", a.host_office != b.host_office),
        ("return_office", a.return_office != b.return_office),
        ("programme", a.programme != b.programme),
        ("stage", a.stage != b.stage),
        ("outcome", a.outcome != b.outcome),
        (
            "country_of_return",
            a.country_of_return != b.country_of_return,
        ),
        ("principal_name", a.principal_name != b.principal_name),
        ("members", a.members != b.members),
        ("vulnerabilities", a.vulnerabilities != b.vulnerabilities),
        ("registered_at", a.registered_at != b.registered_at),
        (
            "first_counselling_at",
            a.first_counselling_at != b.first_counselling_at,
        ),
        ("applied_at", a.applied_at != b.applied_at),
        ("decided_at", a.decided_at != b.decided_at),
        ("departed_at", a.departed_at != b.departed_at),
        ("arrived_at", a.arrived_at != b.arrived_at),
        ("withdrawn_at", a.withdrawn_at != b.withdrawn_at),
        ("closed_at", a.closed_at != b.closed_at),
        ("version", a.version != b.version),
        ("updated_at", a.updated_at != b.updated_at),
        ("departs_at", a.departs_at != b.departs_at),
    ]
}

/// The columns a group's upsert of case rows must set: those any of its commits changed
/// (every one, for a commit that does not say what the row was).
fn columns_to_update(commits: &[&Commit]) -> Vec<&'static str> {
    let mut changed: Vec<&'static str> = vec![];
    for c in commits.iter().filter(|c| c.expected_version > 0) {
        let previous = c.previous_row.as_ref();
        let columns = case_columns_changed(previous.unwrap_or(&c.case_row), &c.case_row);
        for (name, differs) in columns {
            if (differs || previous.is_none()) && !changed.contains(&name) {
                changed.push(name);
            }
        }
    }
    changed
}

async fn delete_people(tx: &mut sqlx::Transaction<'_, Db>, case_id: Uuid) -> CResult<()> {
    sqlx::query("DELETE FROM person_tokens WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM case_people WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Commits the group-commit writer takes at most in one transaction.
const MAX_GROUP: usize = 32;

/// A commit waiting for the writer, and where its outcome goes.
#[derive(Debug)]
struct Pending {
    commit: Commit,
    reply: tokio::sync::oneshot::Sender<CResult<()>>,
}

/// The group-commit writer's queue; the writer task starts on the first commit.
type GroupQueue =
    std::sync::Arc<std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedSender<Pending>>>>;

/// How a group's transaction failed.
enum Together {
    /// Before `COMMIT`: nothing was written.
    BeforeCommit(StoreError),
    /// At `COMMIT`: unknown whether it took effect.
    AtCommit(StoreError),
}

/// Commits in the writer's transaction, each case's events, read-model rows and audit
/// entry; the outcome of each. A commit's first statement compares-and-sets its stream's
/// version, and one that conflicts writes nothing. The accepted commits' events, case rows
/// and audit entries are then written with one multi-row statement each: a group costs a
/// few round trips to the database more than one commit does, not a few per commit.
async fn write_commits(
    tx: &mut sqlx::Transaction<'_, Db>,
    commits: &[&Commit],
) -> CResult<Vec<CResult<()>>> {
    let (outcomes, accepted, head) = claim_streams(tx, commits).await?;
    let Some(mut head) = head else {
        return Ok(outcomes);
    };
    let events: Vec<(Uuid, &RecordedEvent)> = accepted
        .iter()
        .flat_map(|c| c.events.iter().map(move |e| (c.case_id.0, e)))
        .collect();
    let events = event_binds(&events)?;
    // A case written twice in one group (two commits in a row) keeps its last row.
    let mut rows: Vec<&CaseRow> = vec![];
    for c in accepted.iter().rev() {
        if !rows.iter().any(|r| r.case_id == c.case_row.case_id) {
            rows.push(&c.case_row);
        }
    }
    // A new case's row is inserted whole; the others set what their commits changed.
    let columns = columns_to_update(&accepted);
    let mut entries = Vec::with_capacity(accepted.len());
    for c in &accepted {
        let e = audit_chain::seal(&c.audit, head.0, &head.1);
        head = (e.seq, e.hash.clone());
        entries.push(e);
    }
    // Events, case rows and audit entries in one statement.
    let mut w = Writes::new();
    push_events(tx, &mut w, &events).await?;
    push_case_rows(tx, &mut w, &rows, Some(&columns)).await?;
    push_audit_entries(tx, &mut w, &entries).await?;
    w.send(tx).await?;
    // Only what changed: most commands change the case row alone.
    for c in &accepted {
        if let Some(people) = &c.people {
            delete_people(tx, c.case_id.0).await?;
            insert_people(tx, people).await?;
        }
        if let Some(stats) = &c.stats {
            write_stats(tx, c.case_id.0, stats).await?;
        }
    }
    Ok(outcomes)
}

/// What a stream's claim returns beside its own columns: the audit chain's head (its
/// sequence number and hash), read by the same statement (see `claimed_head`).
macro_rules! audit_head_columns {
    () => {
        "(SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1), \
         (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)"
    };
}

/// Claims the streams of a group's commits (see `claim_stream`): the outcome of each, the
/// commits accepted, in order, and the audit chain's head (none when nothing was accepted).
/// The commits of existing cases that appear once in the group are claimed together, in
/// one statement: a group of sixteen cost sixteen round trips before its writes began.
/// A new case, or a case written twice in the group (each commit at the version the
/// one before it sets), is claimed alone, in order.
async fn claim_streams<'c>(
    tx: &mut sqlx::Transaction<'_, Db>,
    commits: &[&'c Commit],
) -> CResult<(Vec<CResult<()>>, Vec<&'c Commit>, Option<AuditHead>)> {
    let together = |c: &Commit| {
        c.expected_version > 0 && commits.iter().filter(|o| o.case_id == c.case_id).count() == 1
    };
    let batch: Vec<&Commit> = commits.iter().copied().filter(|c| together(c)).collect();
    // Nothing is written to the audit log between the claims: each reads the same head.
    let mut head = None;
    let mut claimed = std::collections::HashSet::new();
    if batch.len() > 1 {
        let mut q = QueryBuilder::<Db>::new("UPDATE case_streams SET version = v.column3 FROM (");
        q.push_values(&batch, |mut b, c| {
            b.push_bind(c.case_id.0)
                .push_bind(c.expected_version as i64)
                .push_bind((c.expected_version + c.events.len() as u64) as i64);
        });
        q.push(concat!(
            ") AS v WHERE case_streams.case_id = v.column1 AND case_streams.version = v.column2 \
             RETURNING case_streams.case_id, ",
            audit_head_columns!()
        ));
        let rows: Vec<(Uuid, Option<i64>, Option<String>)> =
            q.build_query_as().fetch_all(&mut **tx).await?;
        for (case_id, seq, hash) in rows {
            claimed.insert(case_id);
            head.get_or_insert(claimed_head(seq, hash));
        }
    }
    let mut outcomes = Vec::with_capacity(commits.len());
    let mut accepted = Vec::with_capacity(commits.len());
    for &c in commits {
        let claim = if batch.len() > 1 && together(c) {
            if claimed.contains(&c.case_id.0) {
                Ok(())
            } else {
                let current = Backend::stream_version(tx, c.case_id).await?;
                Err(StoreError::Conflict { current })
            }
        } else {
            claim_stream(tx, c).await.map(|h| {
                head.get_or_insert(h);
            })
        };
        match claim {
            Ok(()) => {
                accepted.push(c);
                outcomes.push(Ok(()));
            }
            Err(StoreError::Conflict { current }) => {
                outcomes.push(Err(StoreError::Conflict { current }));
            }
            Err(e) => return Err(e),
        }
    }
    Ok((outcomes, accepted, head))
}

/// The audit chain's head as a claim reads it: the genesis when the log is empty.
fn claimed_head(seq: Option<i64>, hash: Option<String>) -> AuditHead {
    match (seq, hash) {
        (Some(seq), Some(hash)) => (seq, hash),
        _ => (0, audit_chain::GENESIS.to_string()),
    }
}

/// Compares-and-sets the version of a commit's stream (creates it for a new case). The
/// same statement reads the audit chain's head, which the caller's audit lock holds still
/// (see `append_together`).
async fn claim_stream(tx: &mut sqlx::Transaction<'_, Db>, c: &Commit) -> CResult<AuditHead> {
    let new_version = c.expected_version + c.events.len() as u64;
    let created = c
        .events
        .first()
        .map(|e| e.meta.recorded_at)
        .unwrap_or(c.audit.at);
    let claimed: Option<(Option<i64>, Option<String>)> = if c.expected_version == 0 {
        sqlx::query_as(concat!(
            "INSERT INTO case_streams (case_id, version, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (case_id) DO NOTHING RETURNING ",
            audit_head_columns!()
        ))
        .bind(c.case_id.0)
        .bind(new_version as i64)
        .bind(created)
        .fetch_optional(&mut **tx)
        .await?
    } else {
        sqlx::query_as(concat!(
            "UPDATE case_streams SET version = $1 WHERE case_id = $2 AND version = $3 \
             RETURNING ",
            audit_head_columns!()
        ))
        .bind(new_version as i64)
        .bind(c.case_id.0)
        .bind(c.expected_version as i64)
        .fetch_optional(&mut **tx)
        .await?
    };
    match claimed {
        None => {
            let current = Backend::stream_version(tx, c.case_id).await?;
            Err(StoreError::Conflict { current })
        }
        Some((seq, hash)) => Ok(claimed_head(seq, hash)),
    }
}

/// An event as its row is bound: the case, the event, its payload as JSON.
type EventBinds<'e> = (Uuid, &'e RecordedEvent, Box<serde_json::value::RawValue>);

fn event_binds<'e>(events: &[(Uuid, &'e RecordedEvent)]) -> CResult<Vec<EventBinds<'e>>> {
    events
        .iter()
        .map(|&(id, e)| {
            serde_json::value::to_raw_value(&e.event)
                .map(|v| (id, e, v))
                .map_err(|err| StoreError::Corrupt(err.to_string()))
        })
        .collect()
}

/// Events of one or more cases, with multi-row inserts.
async fn insert_events(
    tx: &mut sqlx::Transaction<'_, Db>,
    events: &[(Uuid, &RecordedEvent)],
) -> CResult<()> {
    let events = event_binds(events)?;
    let mut w = Writes::new();
    push_events(tx, &mut w, &events).await?;
    w.send(tx).await
}

async fn push_events(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    events: &[EventBinds<'_>],
) -> CResult<()> {
    for chunk in events.chunks(ROWS) {
        let q = w.part(tx, chunk.len() * 8).await?;
        q.push(
            "INSERT INTO events (case_id, version, event_type, event_version, payload, actor, \
             occurred_at, recorded_at) ",
        );
        q.push_values(chunk, |mut b, (id, e, payload)| {
            b.push_bind(*id)
                .push_bind(e.meta.version as i64)
                .push_bind(e.event.kind())
                .push_bind(i64::from(e.event.schema_version()))
                .push_bind(sqlx::types::Json(payload))
                .push_bind(e.meta.actor.0)
                .push_bind(e.meta.occurred_at)
                .push_bind(e.meta.recorded_at);
        });
    }
    Ok(())
}

/// Writes sent to the database as one statement where they would be one each: one round
/// trip, not one per write. SQLite runs statements joined by semicolons in one call;
/// PostgreSQL runs data-modifying statements together in a `WITH`, where they all see the
/// database as it was before the statement: no part may need another's rows (foreign keys
/// are checked at the statement's end, so a part may hold rows whose parent another part
/// writes). Past `WRITE_BINDS` parameters what is gathered is sent and a new statement
/// begins.
struct Writes {
    q: QueryBuilder<Db>,
    parts: usize,
    binds: usize,
}

/// Parameters bound in one `Writes` statement at most: under SQLite's 32,766 per
/// statement and PostgreSQL's 65,535.
const WRITE_BINDS: usize = 30_000;

impl Writes {
    fn new() -> Self {
        Writes {
            q: QueryBuilder::new(""),
            parts: 0,
            binds: 0,
        }
    }

    /// The builder, ready for one more write of `binds` parameters.
    async fn part(
        &mut self,
        tx: &mut sqlx::Transaction<'_, Db>,
        binds: usize,
    ) -> CResult<&mut QueryBuilder<Db>> {
        if self.parts > 0 && self.binds + binds > WRITE_BINDS {
            self.send(tx).await?;
        }
        Backend::join_writes(&mut self.q, self.parts);
        self.parts += 1;
        self.binds += binds;
        Ok(&mut self.q)
    }

    /// Sends what is gathered.
    async fn send(&mut self, tx: &mut sqlx::Transaction<'_, Db>) -> CResult<()> {
        if self.parts == 0 {
            return Ok(());
        }
        Backend::end_writes(&mut self.q);
        self.q.build().execute(&mut **tx).await?;
        self.q.reset();
        self.parts = 0;
        self.binds = 0;
        Ok(())
    }
}

/// The last entry of the audit chain: its sequence number and hash.
type AuditHead = (i64, String);

/// Read under the audit lock (PostgreSQL) or the single writer (SQLite).
async fn audit_head(tx: &mut sqlx::Transaction<'_, Db>) -> CResult<AuditHead> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
    Ok(last.unwrap_or((0, audit_chain::GENESIS.to_string())))
}

async fn insert_audit(
    tx: &mut sqlx::Transaction<'_, Db>,
    draft: &AuditDraft,
) -> CResult<AuditEntry> {
    Backend::lock_audit(tx).await?;
    let head = audit_head(tx).await?;
    write_audit(tx, draft, &head).await
}

async fn write_audit(
    tx: &mut sqlx::Transaction<'_, Db>,
    draft: &AuditDraft,
    (seq, prev): &AuditHead,
) -> CResult<AuditEntry> {
    let e = audit_chain::seal(draft, *seq, prev);
    insert_audit_entries(tx, std::slice::from_ref(&e)).await?;
    Ok(e)
}

async fn insert_audit_entries(
    tx: &mut sqlx::Transaction<'_, Db>,
    entries: &[AuditEntry],
) -> CResult<()> {
    let mut w = Writes::new();
    push_audit_entries(tx, &mut w, entries).await?;
    w.send(tx).await
}

async fn push_audit_entries(
    tx: &mut sqlx::Transaction<'_, Db>,
    w: &mut Writes,
    entries: &[AuditEntry],
) -> CResult<()> {
    for chunk in entries.chunks(ROWS / 8) {
        let q = w.part(tx, chunk.len() * 8).await?;
        q.push("INSERT INTO audit_log (seq, at, actor, action, case_id, detail, prev_hash, hash) ");
        q.push_values(chunk, |mut b, e| {
            b.push_bind(e.seq)
                .push_bind(e.at)
                .push_bind(e.actor)
                .push_bind(&e.action)
                .push_bind(e.case_id)
                .push_bind(&e.detail)
                .push_bind(&e.prev_hash)
                .push_bind(&e.hash);
        });
    }
    Ok(())
}

async fn load_user_extras(pool: &sqlx::Pool<Db>, base: UserBase) -> CResult<UserRecord> {
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
        created_at: base.created_at,
    })
}

async fn write_user_links(
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

async fn write_stats(
    tx: &mut sqlx::Transaction<'_, Db>,
    case_id: Uuid,
    rows: &StatRows,
) -> CResult<()> {
    sqlx::query("DELETE FROM stat_returns WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM stat_interruptions WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    for r in &rows.returns {
        sqlx::query(
            "INSERT INTO stat_returns (case_id, person_id, departed_on, year, host_country, \
             host_region, host_subregion, return_country, return_region, return_subregion, sex, \
             age_group, vulnerabilities, legal_situation, programme, office) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(r.case_id)
        .bind(r.person_id)
        .bind(r.departed_on)
        .bind(r.year)
        .bind(&r.host_country)
        .bind(&r.host_region)
        .bind(&r.host_subregion)
        .bind(&r.return_country)
        .bind(&r.return_region)
        .bind(&r.return_subregion)
        .bind(&r.sex)
        .bind(&r.age_group)
        .bind(r.vulnerabilities)
        .bind(&r.legal_situation)
        .bind(r.programme)
        .bind(r.office)
        .execute(&mut **tx)
        .await?;
    }
    for x in &rows.interruptions {
        sqlx::query(
            "INSERT INTO stat_interruptions (case_id, seq, kind, occurred_on, year, stage, \
             host_country, return_country, programme, office) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(x.case_id)
        .bind(x.seq)
        .bind(&x.kind)
        .bind(x.occurred_on)
        .bind(x.year)
        .bind(&x.stage)
        .bind(&x.host_country)
        .bind(&x.return_country)
        .bind(x.programme)
        .bind(x.office)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The read models: what a rebuild writes again from the log.
const READ_MODEL_TABLES: [&str; 5] = [
    "person_tokens",
    "case_people",
    "case_summaries",
    "stat_returns",
    "stat_interruptions",
];

/// The read-model rows of a batch of cases.
#[derive(Default)]
struct Rebuilt {
    cases: u64,
    events: u64,
    rows: Vec<CaseRow>,
    people: Vec<PersonRow>,
    returns: Vec<ReturnRow>,
    interruptions: Vec<InterruptionRow>,
}

/// The events of the next thousand cases after `after` (in case-id order), or `None`
/// once every case has been read.
async fn next_events(
    conn: &mut <Db as sqlx::Database>::Connection,
    after: &mut Option<Uuid>,
) -> CResult<Option<EventBatch>> {
    let mut q = QueryBuilder::<Db>::new("SELECT case_id FROM case_streams");
    if let Some(a) = *after {
        q.push(" WHERE case_id > ").push_bind(a);
    }
    q.push(" ORDER BY case_id LIMIT 1000");
    let ids: Vec<(Uuid,)> = q.build_query_as().fetch_all(&mut *conn).await?;
    let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
        return Ok(None);
    };
    *after = Some(last.0);
    Ok(Some(Backend::batch_events(conn, first.0, last.0).await?))
}

/// Writes the rows of a replayed batch.
async fn write_rebuilt(
    tx: &mut sqlx::Transaction<'_, Db>,
    replayed: tokio::task::JoinHandle<CResult<Rebuilt>>,
    stats: &mut RebuildStats,
) -> CResult<()> {
    let built = replayed
        .await
        .map_err(|e| StoreError::Corrupt(format!("replaying cases failed: {e}")))??;
    stats.cases += built.cases;
    stats.events += built.events;
    let rows: Vec<&CaseRow> = built.rows.iter().collect();
    let people: Vec<&PersonRow> = built.people.iter().collect();
    let returns: Vec<&ReturnRow> = built.returns.iter().collect();
    let interruptions: Vec<&InterruptionRow> = built.interruptions.iter().collect();
    insert_read_models(tx, &rows, &people, &returns, &interruptions).await
}

/// Replays the events of a batch of cases into their rows.
fn replay_batch(batch: EventBatch) -> CResult<Rebuilt> {
    let mut built = Rebuilt::default();
    match batch {
        EventBatch::Joined(cases) => {
            for (id, joined) in cases {
                replay_case(&mut built, id, &decode_joined(id, &joined)?)?;
            }
        }
        EventBatch::Rows(mut rows) => {
            rows.sort_unstable_by_key(|r| (r.case_id, r.version));
            let mut events: Vec<RecordedEvent> = vec![];
            let mut rows = rows.into_iter().peekable();
            while let Some(row) = rows.next() {
                let id = row.case_id;
                events.push(row.decode()?);
                if rows.peek().is_some_and(|next| next.case_id == id) {
                    continue;
                }
                replay_case(&mut built, id, &events)?;
                events.clear();
            }
        }
    }
    Ok(built)
}

/// One case's rows from its events (in version order).
fn replay_case(built: &mut Rebuilt, id: Uuid, events: &[RecordedEvent]) -> CResult<()> {
    let case = homeward_domain::Case::replay(events)
        .map_err(|e| StoreError::Corrupt(format!("case {id}: {e}")))?;
    let updated = events
        .last()
        .map(|e| e.meta.recorded_at)
        .unwrap_or_default();
    let (row, people) = crate::projection::project(&case, updated);
    let stat = crate::projection::stat_rows(&case, events);
    built.cases += 1;
    built.events += events.len() as u64;
    built.rows.push(row);
    built.people.extend(people);
    built.returns.extend(stat.returns);
    built.interruptions.extend(stat.interruptions);
    Ok(())
}

/// Index definitions from the catalogue, refused unless their names are plain (they are
/// written into `DROP INDEX`).
fn checked_indexes(found: Vec<(String, String)>) -> CResult<Vec<(String, String)>> {
    match found.iter().find(|(name, _)| !plain_identifier(name)) {
        Some((name, _)) => Err(StoreError::Unsupported(format!(
            "an index named {name:?} on a read model"
        ))),
        None => Ok(found),
    }
}

/// Whether a name from the catalogue may be written into a statement as it is.
fn plain_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The columns of a `PipelineRow`.
const PIPELINE_COLUMNS: &str = "case_id, stage, members, host_office, programme, \
    country_of_return, registered_at, applied_at, departed_at";

/// The columns of an `InterruptionRow`.
const INTERRUPTION_COLUMNS: &str = "case_id, seq, kind, occurred_on, year, stage, host_country, \
    return_country, programme, office";

/// The columns of a `ReturnRow`.
const RETURN_COLUMNS: &str = "case_id, person_id, departed_on, year, host_country, host_region, \
     host_subregion, return_country, return_region, return_subregion, sex, age_group, \
     vulnerabilities, legal_situation, programme, office";

/// The filters of a statistics query; `date` and `office` name the table's columns.
fn push_stat_filter(
    q: &mut QueryBuilder<Db>,
    f: &StatFilter,
    date: &str,
    office: &str,
    country: &str,
) {
    if let Some(d) = f.from {
        q.push(format!(" AND {date} >= ")).push_bind(d);
    }
    if let Some(d) = f.until {
        q.push(format!(" AND {date} <= ")).push_bind(d);
    }
    if let Some(offices) = &f.offices {
        if offices.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(format!(" AND {office} IN ("));
            let mut sep = q.separated(", ");
            for o in offices {
                sep.push_bind(*o);
            }
            q.push(")");
        }
    }
    if let Some(p) = f.programme {
        q.push(" AND programme = ").push_bind(p);
    }
    if let Some(c) = &f.return_country {
        q.push(format!(" AND {country} = ")).push_bind(c.clone());
    }
}

impl Backend {
    pub async fn ping(&self) -> CResult<()> {
        sqlx::query("SELECT 1").execute(self.reader()).await?;
        Ok(())
    }

    // ---- events -------------------------------------------------------------------

    /// Appends a commit. Commits are written by one task per store, which takes every commit
    /// waiting when it is free and writes them in one transaction (group commit): under
    /// load, one transaction and one flush to disk serve many commands, which the single
    /// writer (SQLite) or the commit lock (PostgreSQL) would otherwise take one at a time.
    /// A commit is answered only once its transaction has committed. One commit's conflict
    /// does not touch the others: it is found by the first statement, before it writes.
    pub async fn append(&self, c: Commit) -> CResult<()> {
        let (reply, outcome) = tokio::sync::oneshot::channel();
        self.group_queue()
            .send(Pending { commit: c, reply })
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        outcome.await.map_err(|_| {
            StoreError::Unavailable("the writer stopped before the write was done".into())
        })?
    }

    /// The queue of the writer task, started on first use (and again should it have
    /// ended, for instance with the runtime that ran it).
    fn group_queue(&self) -> tokio::sync::mpsc::UnboundedSender<Pending> {
        let mut slot = self
            .group
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*slot {
            Some(queue) if !queue.is_closed() => queue.clone(),
            _ => {
                let (queue, waiting) = tokio::sync::mpsc::unbounded_channel();
                // The task holds the pools, not the queue: when the last handle of the
                // store is dropped, the queue closes and the task ends.
                let writer = Backend {
                    group: Default::default(),
                    ..self.clone()
                };
                tokio::spawn(writer.write_groups(waiting));
                *slot = Some(queue.clone());
                queue
            }
        }
    }

    async fn write_groups(self, mut waiting: tokio::sync::mpsc::UnboundedReceiver<Pending>) {
        let mut group = Vec::with_capacity(MAX_GROUP);
        while waiting.recv_many(&mut group, MAX_GROUP).await > 0 {
            let commits: Vec<&Commit> = group.iter().map(|p| &p.commit).collect();
            let outcomes = self.append_group(&commits).await;
            for (p, outcome) in group.drain(..).zip(outcomes) {
                // The caller may have gone (a closed connection): the write stands.
                let _ = p.reply.send(outcome);
            }
        }
    }

    /// Commits in one transaction where possible; the outcome of each, in order.
    pub async fn append_group(&self, group: &[&Commit]) -> Vec<CResult<()>> {
        match self.append_together(group).await {
            Ok(outcomes) => outcomes,
            Err(Together::BeforeCommit(e) | Together::AtCommit(e)) if group.len() == 1 => {
                vec![Err(e)]
            }
            // The database is not there in time (a wait that gave up, a connection lost):
            // no commit of the group is to blame, and trying each alone would make every
            // caller wait that long again, one after the other.
            Err(Together::BeforeCommit(e @ StoreError::Unavailable(_))) => {
                group.iter().map(|_| Err(e.shared())).collect()
            }
            // Nothing of the group was committed: each is tried alone, so that one commit's
            // failure is not the others'.
            Err(Together::BeforeCommit(e)) => {
                tracing::debug!(
                    "a group of {} commits failed ({e}); one by one",
                    group.len()
                );
                let mut outcomes = Vec::with_capacity(group.len());
                for &c in group {
                    outcomes.push(match self.append_together(&[c]).await {
                        Ok(mut one) => one.pop().unwrap_or(Ok(())),
                        Err(Together::BeforeCommit(e) | Together::AtCommit(e)) => Err(e),
                    });
                }
                outcomes
            }
            // The commit itself failed: whether it took effect is unknown, and retrying could
            // write twice. Every commit of the group gets the error.
            Err(Together::AtCommit(e)) => group.iter().map(|_| Err(e.shared())).collect(),
        }
    }

    /// Commits in one transaction; the outcome of each (`Conflict` or done).
    async fn append_together(&self, group: &[&Commit]) -> Result<Vec<CResult<()>>, Together> {
        if group.is_empty() {
            return Ok(vec![]);
        }
        let mut held = self
            .group_connection()
            .await
            .map_err(Together::BeforeCommit)?;
        let written = self.write_together(&mut held, group).await;
        if written.is_err() {
            // The connection may be broken: the next group takes another.
            Backend::release_group_connection(&mut held);
        }
        written
    }

    async fn write_together(
        &self,
        held: &mut GroupConnection,
        group: &[&Commit],
    ) -> Result<Vec<CResult<()>>, Together> {
        // The audit lock, before the first event takes its position: positions then commit
        // in order, which the statistics' catch-up (`last_event_position`) relies on.
        let mut tx = self
            .begin_group(held)
            .await
            .map_err(Together::BeforeCommit)?;
        // Every way out ends the transaction on the database before it returns. A dropped
        // transaction only queues its `ROLLBACK` for the connection's next use, and this
        // connection is kept between groups: a group whose commits all conflicted left it
        // idle in its transaction, holding the audit lock, until the next group came, and
        // every audited read (the requests that would bring that group) waited for the
        // lock: the server hung for good (ARCHITECTURE.md, "Waits").
        let outcomes = match write_commits(&mut tx, group).await {
            Ok(outcomes) => outcomes,
            Err(e) => {
                // The caller gives the connection back to its pool, whose test of it
                // ends what this rollback could not.
                let _ = tx.rollback().await;
                return Err(Together::BeforeCommit(e));
            }
        };
        if outcomes.iter().all(Result::is_err) {
            // Nothing was written.
            tx.rollback()
                .await
                .map_err(|e| Together::BeforeCommit(e.into()))?;
            return Ok(outcomes);
        }
        tx.commit()
            .await
            .map_err(|e| Together::AtCommit(e.into()))?;
        Ok(outcomes)
    }

    /// Writes many new cases in one transaction, with multi-row inserts, and one audit
    /// entry for them all; raises each reference sequence to at least the number given.
    /// A stream that already exists fails the whole load.
    pub async fn append_new_cases(
        &self,
        cases: &[NewCase],
        references: &[(String, i64)],
        audit: &AuditDraft,
    ) -> CResult<()> {
        let mut tx = self.begin_audited().await?;
        for chunk in cases.chunks(ROWS) {
            let mut q =
                QueryBuilder::<Db>::new("INSERT INTO case_streams (case_id, version, created_at) ");
            q.push_values(chunk, |mut b, c| {
                b.push_bind(c.case_id.0)
                    .push_bind(c.events.len() as i64)
                    .push_bind(
                        c.events
                            .first()
                            .map(|e| e.meta.recorded_at)
                            .unwrap_or(audit.at),
                    );
            });
            q.build().execute(&mut *tx).await?;
        }
        let events: Vec<(Uuid, &RecordedEvent)> = cases
            .iter()
            .flat_map(|c| c.events.iter().map(move |e| (c.case_id.0, e)))
            .collect();
        insert_events(&mut tx, &events).await?;
        let rows: Vec<&CaseRow> = cases.iter().map(|c| &c.case_row).collect();
        let people: Vec<&PersonRow> = cases.iter().flat_map(|c| c.people.iter()).collect();
        let returns: Vec<&ReturnRow> = cases.iter().flat_map(|c| c.stats.returns.iter()).collect();
        let interruptions: Vec<&InterruptionRow> = cases
            .iter()
            .flat_map(|c| c.stats.interruptions.iter())
            .collect();
        insert_read_models(&mut tx, &rows, &people, &returns, &interruptions).await?;
        for (key, last) in references {
            sqlx::query(
                "INSERT INTO reference_sequences (key, last) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET last = CASE \
                 WHEN excluded.last > reference_sequences.last THEN excluded.last \
                 ELSE reference_sequences.last END",
            )
            .bind(key)
            .bind(last)
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn stream_version(tx: &mut sqlx::Transaction<'_, Db>, case: CaseId) -> CResult<u64> {
        let v: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM case_streams WHERE case_id = $1")
                .bind(case.0)
                .fetch_optional(&mut **tx)
                .await?;
        Ok(v.map(|(v,)| v as u64).unwrap_or(0))
    }

    pub async fn load_events(&self, case: CaseId) -> CResult<Vec<RecordedEvent>> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT case_id, version, event_type, event_version, payload, actor, occurred_at, \
             recorded_at FROM events WHERE case_id = $1 ORDER BY version",
        )
        .bind(case.0)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(EventRow::decode).collect()
    }

    pub async fn next_reference_number(&self, key: &str) -> CResult<i64> {
        let mut tx = self.begin_write().await?;
        let (n,): (i64,) = sqlx::query_as(
            "INSERT INTO reference_sequences (key, last) VALUES ($1, 1) \
             ON CONFLICT (key) DO UPDATE SET last = reference_sequences.last + 1 RETURNING last",
        )
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn count_events(&self) -> CResult<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events")
            .fetch_one(self.reader())
            .await?;
        Ok(n)
    }

    // ---- read models --------------------------------------------------------------

    pub async fn case_row(&self, scope: &Scope, case: CaseId) -> CResult<Option<CaseRow>> {
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {CASE_COLUMNS} FROM case_summaries cs WHERE cs.case_id = "
        ));
        q.push_bind(case.0);
        push_scope(&mut q, scope);
        Ok(q.build_query_as().fetch_optional(self.reader()).await?)
    }

    pub async fn list_cases(
        &self,
        scope: &Scope,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> CResult<Page<CaseRow>> {
        if let Some(offices) = merged_offices(scope, filter) {
            return self
                .list_cases_by_office(scope, filter, page, &offices)
                .await;
        }
        if searches(filter) {
            return self.search_cases(scope, filter, page).await;
        }
        self.gather_cases(scope, filter, page).await
    }

    /// A search, read the way what it finds asks for. Up to `SEARCH_BOUND` cases found
    /// (nearly every search: a name and a date of birth, a reference, an uncommon name),
    /// they are read through the index of what was sought (as they come, stopping past the
    /// bound), and the page taken from them. More (a common name alone: thousands at a
    /// million cases), the page is read in the list's order, every case newest first, each
    /// checked against the scope and the search, stopping at the page's end instead of
    /// gathering and sorting thousands of cases for fifty; the total then says "more
    /// than". A page past the bound gathers everything found and counts it.
    async fn search_cases(
        &self,
        scope: &Scope,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> CResult<Page<CaseRow>> {
        let mut probe = QueryBuilder::<Db>::new("SELECT cs.case_id");
        push_listed(&mut probe, scope, filter);
        probe.push(" LIMIT ").push_bind(SEARCH_BOUND + 1);
        let found: Vec<(Uuid,)> = probe.build_query_as().fetch_all(self.reader()).await?;
        let total = found.len() as i64;
        if total <= SEARCH_BOUND {
            if total == 0 {
                return Ok(Page {
                    items: vec![],
                    total,
                    total_exact: true,
                });
            }
            let mut q = QueryBuilder::<Db>::new(format!(
                "SELECT {CASE_COLUMNS} FROM case_summaries cs WHERE cs.case_id IN ("
            ));
            let mut ids = q.separated(", ");
            for (id,) in &found {
                ids.push_bind(*id);
            }
            q.push(") ORDER BY cs.updated_at DESC, cs.case_id");
            page_bounds(&mut q, page);
            return Ok(Page {
                items: q.build_query_as().fetch_all(self.reader()).await?,
                total,
                total_exact: true,
            });
        }
        if page.offset() + i64::from(page.per_page) > SEARCH_BOUND {
            return self.gather_cases(scope, filter, page).await;
        }
        // The newest `WALKED_CASES` in scope, at most: a page not filled by them (the
        // search's cases are too few among them, or it is the last page) is gathered.
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {CASE_COLUMNS} FROM (SELECT cs.case_id AS listed_id FROM \
             (SELECT cs.case_id, cs.updated_at, cs.reference \
             FROM case_summaries cs{NEWEST_FIRST} WHERE 1 = 1"
        ));
        push_scope(&mut q, scope);
        push_filter(&mut q, filter);
        q.push(" ORDER BY cs.updated_at DESC, cs.case_id LIMIT ")
            .push_bind(WALKED_CASES)
            .push(") cs WHERE 1 = 1");
        push_sought_case(&mut q, filter);
        q.push(" ORDER BY cs.updated_at DESC, cs.case_id");
        page_bounds(&mut q, page);
        q.push(
            ") page CROSS JOIN case_summaries cs WHERE cs.case_id = page.listed_id \
             ORDER BY cs.updated_at DESC, cs.case_id",
        );
        let items: Vec<CaseRow> = q.build_query_as().fetch_all(self.reader()).await?;
        if items.len() < page.per_page as usize {
            return self.gather_cases(scope, filter, page).await;
        }
        Ok(Page {
            items,
            total: SEARCH_BOUND,
            total_exact: false,
        })
    }

    /// A case list gathered whole, sorted and counted.
    async fn gather_cases(
        &self,
        scope: &Scope,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> CResult<Page<CaseRow>> {
        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*)");
        push_listed(&mut count, scope, filter);
        let counted = searches(filter);
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {CASE_COLUMNS}"));
        if counted {
            q.push(COUNTED);
        }
        push_listed(&mut q, scope, filter);
        q.push(" ORDER BY cs.updated_at DESC, cs.case_id");
        page_bounds(&mut q, page);
        if counted {
            return counted_page(self.reader(), q, count).await;
        }
        let (total,): (i64,) = count.build_query_as().fetch_one(self.reader()).await?;
        let items = q.build_query_as().fetch_all(self.reader()).await?;
        Ok(Page {
            items,
            total,
            total_exact: true,
        })
    }

    /// A case list read as ordered reads merged (see `merged_offices`): for each office,
    /// its cases as the host office and as the office of return, each newest first through
    /// its index and no longer than the page's end, put together and cut to the page. The
    /// total counts the host side and the return side whose host office is not one of them
    /// (so that no case counts twice), each in its index and each up to `COUNT_BOUND` (or
    /// the page's end): past that the total is a lower bound.
    async fn list_cases_by_office(
        &self,
        scope: &Scope,
        filter: &CaseFilter,
        page: PageRequest,
        offices: &[Uuid],
    ) -> CResult<Page<CaseRow>> {
        // The scope and the filter, in every read: the scope is implied by the office
        // read unless the filter names an office (which need not be in scope).
        let conditions = |q: &mut QueryBuilder<Db>| {
            if filter.office.is_some() {
                push_scope(q, scope);
            }
            push_filter(q, filter);
        };
        let in_offices = |q: &mut QueryBuilder<Db>| {
            q.push(" IN (");
            let mut s = q.separated(", ");
            for o in offices {
                s.push_bind(*o);
            }
            q.push(")");
        };
        let end = page.offset() + i64::from(page.per_page);
        let bound = COUNT_BOUND.max(end);
        let mut count = QueryBuilder::<Db>::new(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM case_summaries cs WHERE cs.host_office",
        );
        in_offices(&mut count);
        conditions(&mut count);
        count.push(" LIMIT ").push_bind(bound + 1).push(
            ") h), (SELECT COUNT(*) FROM (SELECT 1 FROM case_summaries cs \
                 WHERE cs.return_office",
        );
        in_offices(&mut count);
        count.push(" AND cs.host_office NOT");
        in_offices(&mut count);
        conditions(&mut count);
        count.push(" LIMIT ").push_bind(bound + 1).push(") r)");
        let (host, ret): (i64, i64) = count.build_query_as().fetch_one(self.reader()).await?;
        let total_exact = host <= bound && ret <= bound;

        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {CASE_COLUMNS} FROM (SELECT listed.case_id AS listed_id FROM ("
        ));
        let sides = offices
            .iter()
            .flat_map(|o| [("host_office", *o), ("return_office", *o)]);
        for (n, (side, office)) in sides.enumerate() {
            if n > 0 {
                q.push(" UNION ");
            }
            q.push(format!(
                "SELECT * FROM (SELECT cs.case_id, cs.updated_at FROM case_summaries cs \
                 WHERE cs.{side} = "
            ))
            .push_bind(office);
            conditions(&mut q);
            q.push(" ORDER BY cs.updated_at DESC, cs.case_id LIMIT ")
                .push_bind(end)
                .push(format!(") side{n}"));
        }
        q.push(") listed ORDER BY listed.updated_at DESC, listed.case_id");
        page_bounds(&mut q, page);
        q.push(
            ") page CROSS JOIN case_summaries cs WHERE cs.case_id = page.listed_id \
             ORDER BY cs.updated_at DESC, cs.case_id",
        );
        let items = q.build_query_as().fetch_all(self.reader()).await?;
        Ok(Page {
            items,
            total: if total_exact { host + ret } else { bound },
            total_exact,
        })
    }

    pub async fn search_people(
        &self,
        scope: &Scope,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> CResult<Page<PersonRow>> {
        // Driven by the people found, then their cases (for the scope).
        let base = "FROM case_people p CROSS JOIN case_summaries cs WHERE cs.case_id = p.case_id";
        let push_person = |q: &mut QueryBuilder<Db>| {
            if let Some(t) = filter
                .text
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                let words = homeward_domain::values::search_words(t);
                match driving_word(&words) {
                    None => {
                        q.push(" AND 1 = 0");
                    }
                    // A date of birth leaves a handful: each one's words are checked.
                    Some(_) if filter.birth_date.is_some() => {
                        push_name_match(q, "p.person_id", &words);
                    }
                    Some((driver, others)) => {
                        q.push(
                            " AND p.person_id IN (SELECT w.person_id FROM person_tokens w WHERE ",
                        );
                        push_word(q, "w", driver);
                        q.push(")");
                        push_name_match(q, "p.person_id", &others);
                    }
                }
            }
            if let Some(d) = filter.birth_date {
                q.push(" AND p.birth_date = ").push_bind(d);
            }
        };
        let mut count = QueryBuilder::<Db>::new(format!("SELECT COUNT(*) {base}"));
        push_scope(&mut count, scope);
        push_person(&mut count);
        let cols = PERSON_COLUMNS
            .split(", ")
            .map(|c| format!("p.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {cols}{COUNTED} {base}"));
        push_scope(&mut q, scope);
        push_person(&mut q);
        q.push(" ORDER BY p.search_name, p.person_id");
        page_bounds(&mut q, page);
        counted_page(self.reader(), q, count).await
    }

    /// Every read model again from the log, in one transaction that holds the commit
    /// lock (no event is written meanwhile). The tables' secondary indexes are dropped
    /// first and created again once the rows are in (one sorted build each, instead of an
    /// insert into each for every row); their foreign keys are not checked row by row, and
    /// PostgreSQL's primary keys are built last too (`suspend_keys`,
    /// `rebuild_connection`). Three stages overlap: the events of a batch of cases are
    /// read on another connection, the batch before is replayed on a blocking thread, and
    /// the one before that is written. The rebuild has more memory than the server's
    /// usual (`rebuild_memory`), given back when it ends, however it ends.
    pub async fn rebuild_read_models(&self) -> CResult<RebuildStats> {
        let rebuilt = self.rebuild_read_models_in_one().await;
        let usual = self.usual_memory().await;
        let stats = rebuilt?;
        usual?;
        Ok(stats)
    }

    async fn rebuild_read_models_in_one(&self) -> CResult<RebuildStats> {
        let mut stats = RebuildStats::default();
        // Every connection the rebuild uses is had before it takes the audit lock: while
        // it holds the lock it waits only on its own statements, on work that holds no
        // lock (the replay threads) and on the reading connection already its own, never
        // on a pool the lock's other waiters hold (ARCHITECTURE.md, "Waits").
        let side = match self.side_reader() {
            Some(pool) => Some(pool.acquire().await?),
            None => None,
        };
        let mut conn = self.rebuild_connection().await?;
        let mut tx = Backend::begin_rebuild(&mut conn).await?;
        // It runs long on purpose, and waits for the lock as long as the server holds it.
        Self::unhurried(&mut tx).await?;
        Self::lock_audit(&mut tx).await?;
        Self::rebuild_memory(&mut tx).await?;
        let indexes = Self::secondary_indexes(&mut tx, &READ_MODEL_TABLES).await?;
        for (name, _) in &indexes {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
                .execute(&mut *tx)
                .await?;
        }
        let keys = Self::suspend_keys(&mut tx, &READ_MODEL_TABLES).await?;
        Self::empty_tables(&mut tx, &READ_MODEL_TABLES).await?;
        match side {
            Some(mut conn) => {
                type Replaying = tokio::task::JoinHandle<CResult<Rebuilt>>;
                let (send, mut batches) = tokio::sync::mpsc::channel::<CResult<Replaying>>(2);
                let reading = tokio::spawn(async move {
                    let mut after = None;
                    loop {
                        let next = match next_events(&mut conn, &mut after).await {
                            Ok(Some(rows)) => {
                                Ok(tokio::task::spawn_blocking(move || replay_batch(rows)))
                            }
                            Ok(None) => break,
                            Err(e) => Err(e),
                        };
                        let failed = next.is_err();
                        // The receiver is gone when the writing failed: stop reading.
                        if send.send(next).await.is_err() || failed {
                            break;
                        }
                    }
                });
                while let Some(batch) = batches.recv().await {
                    write_rebuilt(&mut tx, batch?, &mut stats).await?;
                }
                reading
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("reading events failed: {e}")))?;
            }
            None => {
                // One connection (an in-memory database): read on it between writes.
                let mut after = None;
                while let Some(rows) = next_events(&mut tx, &mut after).await? {
                    let replayed = tokio::task::spawn_blocking(move || replay_batch(rows));
                    write_rebuilt(&mut tx, replayed, &mut stats).await?;
                }
            }
        }
        for statement in indexes.into_iter().map(|(_, create)| create).chain(keys) {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(stats)
    }

    pub async fn read_model_indexes(&self) -> CResult<Vec<(String, String)>> {
        let mut conn = self.reader().acquire().await?;
        Self::secondary_indexes(&mut conn, &READ_MODEL_TABLES).await
    }

    /// Whether the people's search words are missing (a database from before migration
    /// 0004 that has people): the read models must then be rebuilt.
    pub async fn search_words_missing(&self) -> CResult<bool> {
        let (people,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM case_people LIMIT 1) x")
                .fetch_one(self.reader())
                .await?;
        let (words,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM person_tokens LIMIT 1) x")
                .fetch_one(self.reader())
                .await?;
        Ok(people > 0 && words == 0)
    }

    pub async fn count_returns(&self, dims: &[Dim], f: &StatFilter) -> CResult<Vec<ReturnCount>> {
        let cols: Vec<&str> = dims.iter().map(|d| d.column()).collect();
        let mut select = dims
            .iter()
            .map(|d| d.select())
            .collect::<Vec<_>>()
            .join(", ");
        if !select.is_empty() {
            select.push_str(", ");
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {select}COUNT(*) AS people, COUNT(DISTINCT case_id) AS cases FROM stat_returns WHERE 1 = 1"
        ));
        push_stat_filter(&mut q, f, "departed_on", "office", "return_country");
        if let Some(mask) = f.vulnerabilities {
            q.push(" AND (vulnerabilities & ")
                .push_bind(mask)
                .push(") <> 0");
        }
        if !cols.is_empty() {
            q.push(format!(" GROUP BY {}", cols.join(", ")));
            q.push(format!(" ORDER BY {}", cols.join(", ")));
        }
        let rows = q.build().fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                // Each column decoded as its type, then written as text.
                let keys = dims
                    .iter()
                    .map(|d| match d {
                        Dim::Year => r.try_get::<i64, _>(d.column()).map(|y| y.to_string()),
                        Dim::Programme | Dim::Office => {
                            r.try_get::<Uuid, _>(d.column()).map(|u| u.to_string())
                        }
                        _ => r.try_get::<String, _>(d.column()),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(ReturnCount {
                    keys,
                    people: r.try_get("people")?,
                    cases: r.try_get("cases")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub async fn count_interruptions(
        &self,
        f: &StatFilter,
    ) -> CResult<Vec<(String, i64, String, i64)>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT kind, year, stage, COUNT(*) FROM stat_interruptions WHERE 1 = 1",
        );
        push_stat_filter(&mut q, f, "occurred_on", "office", "return_country");
        q.push(" GROUP BY kind, year, stage ORDER BY kind, year, stage");
        Ok(q.build_query_as().fetch_all(self.reader()).await?)
    }

    pub async fn count_by_stage(&self, f: &StatFilter) -> CResult<Vec<(String, i64, i64)>> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT stage, COUNT(*), CAST(SUM(members) AS BIGINT) FROM case_summaries WHERE 1 = 1",
        );
        let period = StatFilter {
            from: None,
            until: None,
            ..f.clone()
        };
        push_stat_filter(
            &mut q,
            &period,
            "registered_at",
            "host_office",
            "country_of_return",
        );
        q.push(" GROUP BY stage ORDER BY stage");
        let rows: Vec<(String, i64, Option<i64>)> =
            q.build_query_as().fetch_all(self.reader()).await?;
        Ok(rows
            .into_iter()
            .map(|(s, c, p)| (s, c, p.unwrap_or(0)))
            .collect())
    }

    pub async fn for_each_departure(
        &self,
        f: &StatFilter,
        mut each: impl FnMut(DurationRow),
    ) -> CResult<()> {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT departed_at, registered_at, applied_at, country_of_return FROM case_summaries \
             WHERE departed_at IS NOT NULL",
        );
        let period = StatFilter {
            from: None,
            until: None,
            ..f.clone()
        };
        push_stat_filter(
            &mut q,
            &period,
            "departed_at",
            "host_office",
            "country_of_return",
        );
        use futures_util::TryStreamExt;
        let mut rows = q.build_query_as::<DurationRow>().fetch(self.reader());
        while let Some(row) = rows.try_next().await? {
            each(row);
        }
        Ok(())
    }

    /// The position of the last event written (0: none). Commits take positions in the
    /// order they commit (SQLite has one writer; PostgreSQL's writers hold the commit lock
    /// from before their first event), so every event up to it is visible.
    pub async fn last_event_position(&self) -> CResult<i64> {
        let (p,): (Option<i64>,) = sqlx::query_as("SELECT MAX(position) FROM events")
            .fetch_one(self.reader())
            .await?;
        Ok(p.unwrap_or(0))
    }

    /// The cases with an event after position `after`, up to and including `upto`.
    pub async fn cases_changed_between(&self, after: i64, upto: i64) -> CResult<Vec<Uuid>> {
        let rows: Vec<(Uuid,)> = sqlx::query_as(
            "SELECT DISTINCT case_id FROM events WHERE position > $1 AND position <= $2",
        )
        .bind(after)
        .bind(upto)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    /// Rows of these cases from one table, by case (`select` names the columns of `T`).
    async fn rows_of<T>(&self, select: &str, table: &str, cases: &[Uuid]) -> CResult<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
    {
        let mut rows = Vec::new();
        for chunk in cases.chunks(ROWS) {
            let mut q =
                QueryBuilder::<Db>::new(format!("SELECT {select} FROM {table} WHERE case_id IN ("));
            let mut sep = q.separated(", ");
            for c in chunk {
                sep.push_bind(*c);
            }
            q.push(") ORDER BY case_id");
            rows.extend(q.build_query_as::<T>().fetch_all(self.reader()).await?);
        }
        Ok(rows)
    }

    /// Every row of a query, one at a time (never all in memory at once).
    async fn for_each_row<T>(&self, sql: String, mut f: impl FnMut(T)) -> CResult<()>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
    {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql)).fetch(self.reader());
        while let Some(row) = rows.try_next().await? {
            f(row);
        }
        Ok(())
    }

    /// The returns rows of these cases, by case.
    pub async fn return_rows_of(&self, cases: &[Uuid]) -> CResult<Vec<ReturnRow>> {
        let mut rows: Vec<ReturnRow> = self.rows_of(RETURN_COLUMNS, "stat_returns", cases).await?;
        rows.sort_by_key(|r| (r.case_id, r.person_id));
        Ok(rows)
    }

    /// Every returns row, by case.
    pub async fn for_each_return_row(&self, f: impl FnMut(ReturnRow)) -> CResult<()> {
        let sql = format!("SELECT {RETURN_COLUMNS} FROM stat_returns ORDER BY case_id, person_id");
        self.for_each_row(sql, f).await
    }

    pub async fn pipeline_rows_of(&self, cases: &[Uuid]) -> CResult<Vec<PipelineRow>> {
        self.rows_of(PIPELINE_COLUMNS, "case_summaries", cases)
            .await
    }

    pub async fn for_each_pipeline_row(&self, f: impl FnMut(PipelineRow)) -> CResult<()> {
        let sql = format!("SELECT {PIPELINE_COLUMNS} FROM case_summaries");
        self.for_each_row(sql, f).await
    }

    pub async fn interruption_rows_of(&self, cases: &[Uuid]) -> CResult<Vec<InterruptionRow>> {
        let mut rows: Vec<InterruptionRow> = self
            .rows_of(INTERRUPTION_COLUMNS, "stat_interruptions", cases)
            .await?;
        rows.sort_by_key(|r| (r.case_id, r.seq));
        Ok(rows)
    }

    pub async fn for_each_interruption_row(&self, f: impl FnMut(InterruptionRow)) -> CResult<()> {
        let sql = format!("SELECT {INTERRUPTION_COLUMNS} FROM stat_interruptions");
        self.for_each_row(sql, f).await
    }

    pub async fn stats_snapshot(&self) -> CResult<StatRows> {
        let returns: Vec<ReturnRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RETURN_COLUMNS} FROM stat_returns ORDER BY case_id, person_id"
        )))
        .fetch_all(self.reader())
        .await?;
        let interruptions: Vec<InterruptionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {INTERRUPTION_COLUMNS} FROM stat_interruptions ORDER BY case_id, seq"
        )))
        .fetch_all(self.reader())
        .await?;
        Ok(StatRows {
            returns,
            interruptions,
        })
    }

    pub async fn read_model_snapshot(&self) -> CResult<(Vec<CaseRow>, Vec<PersonRow>)> {
        let cases = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM case_summaries ORDER BY case_id"
        )))
        .fetch_all(self.reader())
        .await?;
        let people = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM case_people ORDER BY case_id, person_id"
        )))
        .fetch_all(self.reader())
        .await?;
        Ok((cases, people))
    }

    /// A digest (SHA-256) of every read model's rows, each table in a stable order: equal
    /// digests, equal read models. The rows are streamed, so that memory stays flat at any
    /// size (a snapshot of a million cases took 2.2 GB to compare).
    pub async fn read_model_digest(&self) -> CResult<[u8; 32]> {
        use sha2::Digest;
        let mut hash = sha2::Sha256::new();
        // One transaction: one snapshot of every table, and no statement limit (at a
        // million cases a table is read for longer than a request's statement may run).
        let mut tx = self.reader().begin().await?;
        Self::unhurried(&mut tx).await?;
        digest_rows::<CaseRow>(
            &mut tx,
            &format!("SELECT {CASE_COLUMNS} FROM case_summaries ORDER BY case_id"),
            &mut hash,
        )
        .await?;
        digest_rows::<PersonRow>(
            &mut tx,
            &format!("SELECT {PERSON_COLUMNS} FROM case_people ORDER BY case_id, person_id"),
            &mut hash,
        )
        .await?;
        digest_rows::<(String, Uuid, Uuid)>(
            &mut tx,
            "SELECT token, person_id, case_id FROM person_tokens ORDER BY token, person_id",
            &mut hash,
        )
        .await?;
        digest_rows::<ReturnRow>(
            &mut tx,
            &format!("SELECT {RETURN_COLUMNS} FROM stat_returns ORDER BY case_id, person_id"),
            &mut hash,
        )
        .await?;
        digest_rows::<InterruptionRow>(
            &mut tx,
            &format!("SELECT {INTERRUPTION_COLUMNS} FROM stat_interruptions ORDER BY case_id, seq"),
            &mut hash,
        )
        .await?;
        tx.rollback().await?;
        Ok(hash.finalize().into())
    }

    // ---- offices and programmes ---------------------------------------------------

    pub async fn create_office(&self, o: &OfficeRow) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO offices (id, code, name, country, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(o.id)
        .bind(&o.code)
        .bind(&o.name)
        .bind(&o.country)
        .bind(o.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_offices(&self) -> CResult<Vec<OfficeRow>> {
        Ok(
            sqlx::query_as("SELECT id, code, name, country, created_at FROM offices ORDER BY code")
                .fetch_all(self.reader())
                .await?,
        )
    }

    pub async fn office(&self, id: OfficeId) -> CResult<Option<OfficeRow>> {
        Ok(
            sqlx::query_as("SELECT id, code, name, country, created_at FROM offices WHERE id = $1")
                .bind(id.0)
                .fetch_optional(self.reader())
                .await?,
        )
    }

    pub async fn create_programme(&self, p: &ProgrammeRow) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO programmes (id, code, name, settings, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(p.id)
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
        .bind(p.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
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

    // ---- users and sessions -------------------------------------------------------

    pub async fn create_user(&self, u: &UserRecord) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO users (id, username, display_name, password_hash, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(u.id.0)
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.password_hash)
        .bind(u.active)
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
        let base: Option<UserBase> = sqlx::query_as(
            "SELECT id, username, display_name, password_hash, active, created_at FROM users WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(self.reader())
        .await?;
        match base {
            Some(b) => Ok(Some(load_user_extras(self.reader(), b).await?)),
            None => Ok(None),
        }
    }

    pub async fn user_by_username(&self, username: &str) -> CResult<Option<UserRecord>> {
        let base: Option<UserBase> = sqlx::query_as(
            "SELECT id, username, display_name, password_hash, active, created_at FROM users \
             WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(self.reader())
        .await?;
        match base {
            Some(b) => Ok(Some(load_user_extras(self.reader(), b).await?)),
            None => Ok(None),
        }
    }

    pub async fn list_users(&self) -> CResult<Vec<UserRecord>> {
        let bases: Vec<UserBase> = sqlx::query_as(
            "SELECT id, username, display_name, password_hash, active, created_at FROM users ORDER BY username",
        )
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

    // ---- audit --------------------------------------------------------------------

    pub async fn append_audit(&self, draft: &AuditDraft) -> CResult<AuditEntry> {
        let mut tx = self.begin_write().await?;
        let e = insert_audit(&mut tx, draft).await?;
        tx.commit().await?;
        Ok(e)
    }

    pub async fn list_audit(&self, page: PageRequest) -> CResult<Page<AuditEntry>> {
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
            .fetch_one(self.reader())
            .await?;
        let items = sqlx::query_as(
            "SELECT seq, at, actor, action, case_id, detail, prev_hash, hash FROM audit_log \
             ORDER BY seq DESC LIMIT $1 OFFSET $2",
        )
        .bind(i64::from(page.per_page))
        .bind(page.offset())
        .fetch_all(self.reader())
        .await?;
        Ok(Page {
            items,
            total,
            total_exact: true,
        })
    }

    pub async fn audit_chunk(&self, after_seq: i64, limit: i64) -> CResult<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT seq, at, actor, action, case_id, detail, prev_hash, hash FROM audit_log \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(self.reader())
        .await?)
    }

    /// The database floor of the benchmark harness: one transaction that inserts one row
    /// into `bench_floor` (which the harness creates), through the same writer as every
    /// command.
    pub async fn floor_insert(&self, n: i64, payload: &str) -> CResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO bench_floor (n, payload) VALUES ($1, $2)")
            .bind(n)
            .bind(payload)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Runs raw SQL on the writer's connection, outside any transaction (so that a
    /// test can also set the connection's pragmas, or undo what forbids writing).
    pub async fn execute_unchecked(&self, sql: &str) -> CResult<u64> {
        let n = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(self.writer())
            .await?
            .rows_affected();
        Ok(n)
    }
}

/// Adds the rows `sql` reads, each as its debug form and a separator, to `hash`, one row
/// in memory at a time. The statement goes first: rows moved between tables differ.
async fn digest_rows<T>(
    tx: &mut sqlx::Transaction<'_, Db>,
    sql: &str,
    hash: &mut sha2::Sha256,
) -> CResult<()>
where
    T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + std::fmt::Debug + Send + Unpin,
{
    use futures_util::TryStreamExt;
    use sha2::Digest;
    hash.update(sql.as_bytes());
    let mut rows = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql.to_string())).fetch(&mut **tx);
    while let Some(row) = rows.try_next().await? {
        hash.update(format!("{row:?}\u{1e}").as_bytes());
    }
    Ok(())
}
