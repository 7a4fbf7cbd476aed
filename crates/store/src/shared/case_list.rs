//! The case list and people search: which plan reads a list (a search from what it
//! finds, an ordered read per office merged, or gathered whole) and the conditions each
//! writes.

use super::prelude::*;

/// Restricts a query on `case_summaries cs` to the scope's offices.
pub(crate) fn push_scope(q: &mut QueryBuilder<Db>, scope: &Scope) {
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
/// against the search: bounded work, where gathering grows with what is found
/// (docs/decisions/0005).
pub(crate) const WALKED_CASES: i64 = 10_000;

/// Offices in a merged read of one list, at most: two ordered reads each, under SQLite's
/// limit on a compound statement's parts (500) and both databases' on bound parameters.
pub(crate) const MERGED_OFFICES: usize = 100;

/// The offices a case list is read for, newest first, one ordered read per office and
/// side (`list_cases_by_office`), if it is a list to read that way: one that does not
/// search (a search starts from what it finds: `search_cases`) and has no stage or
/// departure dates (each has its own index, in the list's order). Without it such a list
/// gathers every case in scope and sorts them: seconds at a million cases, for the first
/// page anyone sees.
pub(crate) fn merged_offices(scope: &Scope, f: &CaseFilter) -> Option<Vec<Uuid>> {
    if searches(f)
        || f.stage.is_some()
        || !f.stages.is_empty()
        || f.order != ListOrder::Newest
        || f.owner.is_some()
        || f.unreached
        || f.departing.is_some()
        || f.items_due_before.is_some()
        || f.documents_expiring
        || !f.plan_work.is_empty()
        || f.led_in_scope
        || scope.offices.is_empty()
    {
        return None;
    }
    let offices: BTreeSet<Uuid> = match f.office {
        Some(o) => [o.0].into(),
        None => scope.offices.iter().map(|o| o.0).collect(),
    };
    (offices.len() <= MERGED_OFFICES).then(|| offices.into_iter().collect())
}

/// The filters of a case list other than what it searches for (the scope for
/// `led_in_scope`).
pub(crate) fn push_filter(q: &mut QueryBuilder<Db>, scope: &Scope, f: &CaseFilter) {
    if let Some(stage) = f.stage {
        q.push(" AND cs.stage = ").push_bind(stage.code());
    }
    if !f.stages.is_empty() {
        q.push(" AND cs.stage IN (");
        let mut s = q.separated(", ");
        for stage in &f.stages {
            s.push_bind(stage.code());
        }
        q.push(")");
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
    if let Some(o) = f.owner {
        q.push(" AND cs.owner = ").push_bind(o.0);
    }
    if f.unreached {
        q.push(" AND cs.unreached > 0");
    }
    if let Some(day) = f.items_due_before {
        q.push(" AND cs.items_due_on < ").push_bind(day);
    }
    if f.documents_expiring {
        q.push(" AND cs.documents_expire_on IS NOT NULL");
    }
    if f.led_in_scope {
        // `Case::lead_office`: the office of return once the case arrived (if one was
        // assigned), the host office before.
        q.push(
            " AND (CASE WHEN cs.arrived_at IS NOT NULL AND cs.return_office IS NOT NULL \
             THEN cs.return_office ELSE cs.host_office END) IN (",
        );
        let mut s = q.separated(", ");
        for o in &scope.offices {
            s.push_bind(o.0);
        }
        q.push(")");
    }
    if !f.plan_work.is_empty() {
        q.push(" AND cs.plan_work IN (");
        let mut s = q.separated(", ");
        for w in &f.plan_work {
            s.push_bind(w.code());
        }
        q.push(")");
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
pub(crate) fn searches(f: &CaseFilter) -> bool {
    f.birth_date.is_some() || f.text.as_deref().is_some_and(|t| !t.trim().is_empty())
}

/// `FROM` of a case list. A search is driven by what it finds (people by the index of
/// their names' words, or their date of birth; cases by reference), joined to the cases
/// afterwards, so that it reads what it found and not every case in scope. (Written as
/// `case_id IN (found)`, SQLite reads every case of a one-office scope through the
/// office's index instead: docs/decisions/0005.) What is found comes
/// as it is found, each case once: a search that stops early (`search_cases`) reads no
/// more than it needs.
pub(crate) fn push_cases_from(q: &mut QueryBuilder<Db>, f: &CaseFilter) {
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
pub(crate) fn push_listed(q: &mut QueryBuilder<Db>, scope: &Scope, f: &CaseFilter) {
    push_cases_from(q, f);
    push_scope(q, scope);
    push_filter(q, scope, f);
}

/// What a search looks for: a reference (a prefix), or someone whose names have every
/// word (and who was born on the day given). References are letters, digits and dashes;
/// names are matched folded. A text that is neither matches nothing (never everything).
pub(crate) struct Sought {
    reference: Option<String>,
    words: Vec<String>,
    /// Whether people are sought: by their names' words, their date of birth or both.
    people: bool,
}

pub(crate) fn sought(f: &CaseFilter) -> Sought {
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
pub(crate) fn push_sought_case(q: &mut QueryBuilder<Db>, f: &CaseFilter) {
    let Sought {
        reference,
        words,
        people,
    } = sought(f);
    q.push(" AND (1 = 0");
    if let Some(r) = reference {
        q.push(" OR ");
        push_prefix(q, &format!("cs.reference{}", Backend::BYTE_ORDER), &r);
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
pub(crate) fn push_found(q: &mut QueryBuilder<Db>, f: &CaseFilter) {
    let Sought {
        reference,
        words,
        people,
    } = sought(f);
    let mut parts = 0;
    if let Some(r) = reference {
        q.push("SELECT case_id AS found_id FROM case_summaries WHERE ");
        push_prefix(q, &format!("reference{}", Backend::BYTE_ORDER), &r);
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
                    q.push(Backend::CASES_OF_WORD);
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
pub(crate) fn driving_word(words: &[String]) -> Option<(&str, Vec<String>)> {
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
pub(crate) fn push_name_match(q: &mut QueryBuilder<Db>, person: &str, words: &[String]) {
    for w in words {
        q.push(format!(
            " AND EXISTS (SELECT 1 FROM person_tokens t WHERE t.person_id = {person} AND "
        ));
        push_word(q, "t", w);
        q.push(")");
    }
}

/// `person_tokens` row `t` is a word that starts with `w`, or one that sounds like it.
pub(crate) fn push_word(q: &mut QueryBuilder<Db>, t: &str, w: &str) {
    q.push("(");
    push_prefix(q, &format!("{t}.token"), w);
    q.push(format!(" OR {t}.token = "))
        .push_bind(format!("~{}", homeward_domain::values::sound_key(w)))
        .push(")");
}

/// `column` starts with `prefix` (compared byte by byte: the caller's column says so where
/// the database would not), as a range an index on it reads.
pub(crate) fn push_prefix(q: &mut QueryBuilder<Db>, column: &str, prefix: &str) {
    q.push(format!("({column} >= "))
        .push_bind(prefix.to_string())
        .push(format!(" AND {column} < "))
        .push_bind(format!("{prefix}\u{7f}"))
        .push(")");
}

/// The column a counted page's rows carry after their own (see `counted_page`).
pub(crate) const COUNTED: &str = ", COUNT(*) OVER () AS found_total";

/// A page of a search, read with how many it finds in all (`COUNTED` in `q`): one pass
/// over what it finds instead of two (a common name finds thousands of people; counting
/// them apart read them all twice). A page past the last has no row to carry the count:
/// `count` (the same search's `COUNT(*)`) is asked then.
pub(crate) async fn counted_page<T>(
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

pub(crate) fn page_bounds(q: &mut QueryBuilder<Db>, page: PageRequest) {
    q.push(" LIMIT ")
        .push_bind(i64::from(page.per_page))
        .push(" OFFSET ")
        .push_bind(page.offset());
}

impl Backend {
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
             FROM case_summaries cs{newest} WHERE 1 = 1",
            newest = Backend::NEWEST_FIRST
        ));
        push_scope(&mut q, scope);
        push_filter(&mut q, scope, filter);
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
        q.push(match (counted, filter.order) {
            (false, ListOrder::LongestWaiting) => " ORDER BY cs.updated_at, cs.case_id",
            // Cases without a flight last.
            (false, ListOrder::SoonestDeparture) => {
                " ORDER BY CASE WHEN cs.departs_at IS NULL THEN 1 ELSE 0 END, cs.departs_at, \
                 cs.case_id"
            }
            // Each by its own day. Lists by items or documents keep only cases that have
            // one; cases never applied come last on both databases (which sort a missing
            // day apart, SQLite first and PostgreSQL last).
            (false, ListOrder::OldestApplication) => {
                " ORDER BY CASE WHEN cs.applied_at IS NULL THEN 1 ELSE 0 END, cs.applied_at, \
                 cs.case_id"
            }
            (false, ListOrder::ItemsDue) => " ORDER BY cs.items_due_on, cs.case_id",
            (false, ListOrder::DocumentsExpire) => " ORDER BY cs.documents_expire_on, cs.case_id",
            _ => " ORDER BY cs.updated_at DESC, cs.case_id",
        });
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
            push_filter(q, scope, filter);
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
}
