//! The case list: filters that carry no personal data travel in the URL; a search by
//! name or date of birth is a form post, so it never sits in a URL, a history or a log.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use homeward_app::views::CaseSummary;
use homeward_domain::Stage;
use homeward_domain::person::Vulnerability;
use homeward_store::{CaseFilter, PageRequest};
use serde::Deserialize;

use super::{app_error, consume_flash};
use crate::WebState;
use crate::actions::{Opt, country_options, options};
use crate::chrome::{Chrome, ok};
use crate::forms::{self, FormData, FormErrors};
use crate::i18n::I18n;
use crate::session::SignedIn;

const PER_PAGE: u32 = 25;

pub struct Row {
    pub href: String,
    pub reference: String,
    pub name: String,
    pub stage: String,
    pub country: String,
    pub members: String,
    pub updated: String,
    pub vulnerabilities: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
pub struct CasesPage {
    pub c: Chrome,
    pub rows: Vec<Row>,
    pub total: String,
    pub page_label: String,
    pub prev: Option<u32>,
    pub next: Option<u32>,
    pub searching: bool,
    pub q: String,
    pub dob_day: String,
    pub dob_month: String,
    pub dob_year: String,
    pub stages: Vec<Opt>,
    pub countries: Vec<Opt>,
    pub vulnerabilities: Vec<Opt>,
    pub offices: Vec<Opt>,
    pub programmes: Vec<Opt>,
    /// Only the reader's own cases.
    pub mine: bool,
    pub errors: FormErrors,
    /// The query string of the filters (for pagination links).
    pub filter_query: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub stage: Option<String>,
    pub country: Option<String>,
    pub vulnerability: Option<String>,
    pub office: Option<String>,
    pub programme: Option<String>,
    /// `1`: only the reader's own cases.
    pub mine: Option<String>,
    pub page: Option<u32>,
}

fn row(i: &I18n, s: CaseSummary) -> Row {
    Row {
        href: format!("/cases/{}", s.id),
        reference: s.reference,
        name: s.principal_name,
        stage: i.t(&format!("stage-{}", s.stage.code())),
        country: i.country(&s.country_of_return),
        members: i.number(s.members),
        updated: i.day(s.updated_at),
        vulnerabilities: s
            .vulnerabilities
            .iter()
            .map(|v| i.opt("vuln", v.code()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn parse_filters(q: &ListQuery) -> CaseFilter {
    CaseFilter {
        stage: q.stage.as_deref().and_then(Stage::from_code),
        country_of_return: q
            .country
            .as_deref()
            .and_then(|c| homeward_domain::values::CountryCode::parse(c).ok())
            .map(|c| c.to_string()),
        vulnerabilities: q
            .vulnerability
            .as_deref()
            .and_then(|v| Vulnerability::ALL.into_iter().find(|x| x.code() == v))
            .map(|v| v.bit()),
        office: q
            .office
            .as_deref()
            .and_then(|o| o.parse().ok())
            .map(homeward_domain::ids::OfficeId),
        programme: q.programme.as_deref().and_then(|p| p.parse().ok()),
        ..Default::default()
    }
}

async fn render(
    st: &WebState,
    v: &crate::session::Visitor,
    p: &homeward_app::Principal,
    q: &ListQuery,
    search: Option<(&str, &FormData)>,
) -> Response {
    let i = v.i;
    let mut filter = parse_filters(q);
    let mine = q.mine.as_deref() == Some("1");
    if mine {
        filter.owner = Some(p.actor.user_id);
    }
    let mut errors = FormErrors::default();
    let (mut text, mut d, mut m, mut y) =
        (String::new(), String::new(), String::new(), String::new());
    if let Some((t, form)) = search {
        text = t.to_string();
        filter.text = Some(text.clone()).filter(|t| !t.trim().is_empty());
        d = form.get("dob-day").to_string();
        m = form.get("dob-month").to_string();
        y = form.get("dob-year").to_string();
        match forms::date(form, "dob") {
            Ok(date) => filter.birth_date = date,
            Err(_) => errors.add("dob-day", i.t("err-date-invalid")),
        }
    }
    let page = q.page.unwrap_or(1).max(1);
    let result = st
        .app
        .list_cases(
            p,
            &filter,
            PageRequest {
                page,
                per_page: PER_PAGE,
            },
        )
        .await;
    let result = match result {
        Ok(r) => r,
        Err(e) => return app_error(v, e),
    };
    let mut qs = vec![];
    for (k, val) in [
        ("stage", &q.stage),
        ("country", &q.country),
        ("vulnerability", &q.vulnerability),
        ("office", &q.office),
        ("programme", &q.programme),
        ("mine", &q.mine),
    ] {
        if let Some(x) = val.as_deref().filter(|x| !x.is_empty()) {
            qs.push(format!("{k}={x}"));
        }
    }
    let visible = homeward_app::views::Visibility::of(&p.actor);
    // The offices whose cases the reader sees, and the programmes.
    let offices = super::my_offices(st, p).await;
    let programmes: Vec<(String, String)> = st
        .app
        .list_programmes()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|pr| (pr.id.to_string(), pr.name.to_string()))
        .collect();
    let paging = Paging::new(&i, result.total, result.total_exact, page);
    let t = CasesPage {
        c: Chrome::new(v, i.t("cases-title")),
        total: paging.total,
        page_label: paging.page_label,
        rows: result.items.into_iter().map(|s| row(&i, s)).collect(),
        prev: paging.prev,
        next: paging.next,
        searching: search.is_some(),
        q: text,
        dob_day: d,
        dob_month: m,
        dob_year: y,
        stages: options(
            Stage::ALL
                .iter()
                .map(|s| (s.code().to_string(), i.t(&format!("stage-{}", s.code()))))
                .collect(),
            q.stage.as_deref().unwrap_or(""),
            i.t("any"),
        ),
        countries: options(
            country_options(&i),
            q.country.as_deref().unwrap_or(""),
            i.t("any"),
        ),
        vulnerabilities: options(
            Vulnerability::ALL
                .into_iter()
                .filter(|x| visible.sees(*x))
                .map(|x| (x.code().to_string(), i.opt("vuln", x.code())))
                .collect(),
            q.vulnerability.as_deref().unwrap_or(""),
            i.t("any"),
        ),
        offices: options(offices, q.office.as_deref().unwrap_or(""), i.t("any")),
        programmes: options(programmes, q.programme.as_deref().unwrap_or(""), i.t("any")),
        mine,
        errors,
        filter_query: qs.join("&"),
    };
    consume_flash(v, ok(&t))
}

pub async fn list(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    render(&st, &v, &p, &q, None).await
}

pub async fn search(State(st): State<WebState>, SignedIn(v, p): SignedIn, body: Bytes) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) {
        return super::message(
            &v,
            axum::http::StatusCode::FORBIDDEN,
            "forbidden-title",
            "forbidden-body",
        );
    }
    let q = ListQuery {
        stage: f.opt("stage"),
        country: f.opt("country"),
        vulnerability: f.opt("vulnerability"),
        office: f.opt("office"),
        programme: f.opt("programme"),
        mine: f.opt("mine"),
        page: f.get("page").parse().ok(),
    };
    let text = f.get("q").to_string();
    render(&st, &v, &p, &q, Some((&text, &f))).await
}

/// The count, the page's label and the links of a page of the list.
#[derive(Debug, PartialEq)]
pub(crate) struct Paging {
    pub total: String,
    pub page_label: String,
    pub prev: Option<u32>,
    pub next: Option<u32>,
}

impl Paging {
    /// For page `page` of `total` cases, counted to the end (`exact`) or until the store
    /// stopped counting (then there are more pages than those counted, and always a next).
    pub(crate) fn new(i: &I18n, total: i64, exact: bool, page: u32) -> Paging {
        Self::of(i, total, exact, page, PER_PAGE)
    }

    /// The same, for pages of `per_page` rows.
    pub(crate) fn of(i: &I18n, total: i64, exact: bool, page: u32, per_page: u32) -> Paging {
        let pages = u32::try_from(total.max(1))
            .unwrap_or(u32::MAX)
            .div_ceil(per_page.max(1));
        // An exact count chooses the message's plural form; "more than" has none, and
        // shows its bound grouped as the language writes numbers.
        let (total, page_key) = if exact {
            (i.ta("results", &[("count", total.into())]), "page-of")
        } else {
            (
                i.ta("results-more", &[("count", i.number(total).into())]),
                "page-of-more",
            )
        };
        Paging {
            total,
            page_label: i.ta(
                page_key,
                &[
                    ("page", i.number(i64::from(page)).into()),
                    ("pages", i.number(i64::from(pages)).into()),
                ],
            ),
            prev: (page > 1).then(|| page - 1),
            next: (page < pages || !exact).then(|| page + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// Fluent isolates arguments with Unicode marks; the tests read the words.
    fn plain(s: &str) -> String {
        s.chars()
            .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
            .collect()
    }

    fn paging(lang: Lang, total: i64, exact: bool, page: u32) -> Paging {
        let p = Paging::new(&I18n::new(lang), total, exact, page);
        Paging {
            total: plain(&p.total),
            page_label: plain(&p.page_label),
            ..p
        }
    }

    #[test]
    fn a_counted_list_names_its_pages() {
        let p = paging(Lang::En, 300, true, 2);
        assert_eq!(p.total, "300 results");
        assert_eq!(p.page_label, "Page 2 of 12");
        assert_eq!((p.prev, p.next), (Some(1), Some(3)));
        let last = paging(Lang::En, 300, true, 12);
        assert_eq!((last.prev, last.next), (Some(11), None));
        let none = paging(Lang::En, 0, true, 1);
        assert_eq!(none.page_label, "Page 1 of 1");
        assert_eq!((none.prev, none.next), (None, None));
    }

    #[test]
    fn a_list_counted_only_so_far_says_more_than_and_goes_on() {
        let p = paging(Lang::En, 10_000, false, 1);
        assert_eq!(p.total, "More than 10,000 results");
        assert_eq!(p.page_label, "Page 1 of more than 400");
        assert_eq!((p.prev, p.next), (None, Some(2)));
        // Past the pages counted there is still a next page.
        let far = paging(Lang::En, 10_000, false, 400);
        assert_eq!(far.next, Some(401));
        let fr = paging(Lang::Fr, 10_000, false, 1);
        assert_eq!(fr.page_label, "Page 1 sur plus de 400");
        assert!(fr.total.starts_with("Plus de 10"), "{}", fr.total);
    }
}
