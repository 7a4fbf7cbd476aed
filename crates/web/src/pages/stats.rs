//! Statistics for programme managers and donors: returns per year, top countries of
//! return, composition by sex and age, the pipeline by stage, and a table of any two
//! dimensions. Charts are SVG drawn here, each beside a table of the same numbers.

use super::forbidden;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use homeward_app::stats::{ByEach, Pipeline, ReturnsQuery, ReturnsTable, access};
use homeward_domain::stats::Cell;
use homeward_store::{Dim, StatFilter};
use serde::Deserialize;

use super::app_error;
use crate::WebState;
use crate::actions::{Field, Opt, country_options, options};
use crate::chrome::{Chrome, ok};
use crate::forms::{DayAsked, PeriodQuery};
use crate::i18n::I18n;
use crate::session::SignedIn;

/// A chart with the table of its numbers.
pub struct Figure {
    pub id: String,
    pub title: String,
    pub bars: Vec<Bar>,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The query of its downloads (none: no download).
    pub download: String,
}

#[derive(Template)]
#[template(path = "stats.html")]
pub struct StatsPage {
    pub c: Chrome,
    pub figures: Vec<Figure>,
    /// The way home as tables: interruptions, days to departure.
    pub tables: Vec<Figure>,
    pub cross: Option<Figure>,
    pub definitions: Vec<String>,
    pub protected: Option<String>,
    pub dims: Vec<Opt>,
    pub dims2: Vec<Opt>,
    pub offices: Vec<Opt>,
    pub programmes: Vec<Opt>,
    pub countries: Vec<Opt>,
    pub errors: Vec<String>,
    /// The period's first and last day, each asked as day, month and year.
    pub from: Field,
    pub until: Field,
    /// The period read (what the crossed table's form carries on).
    pub period: (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>),
    pub query: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct StatsParams {
    #[serde(flatten)]
    pub period: PeriodQuery,
    pub office: Option<String>,
    pub programme: Option<String>,
    pub country: Option<String>,
    pub rows: Option<String>,
    pub columns: Option<String>,
}

/// One bar of a chart: what it stands for, its number as written, and its length in
/// thousandths of the longest (none where the number is not shown).
pub struct Bar {
    pub label: String,
    pub value: String,
    pub length: Option<u32>,
}

/// Bars of a chart, the longest for the largest value.
pub fn bars(i: &I18n, labels: &[String], values: &[Cell]) -> Vec<Bar> {
    let max = values
        .iter()
        .filter_map(|c| c.count())
        .max()
        .unwrap_or(0)
        .max(1);
    labels
        .iter()
        .zip(values)
        .map(|(label, v)| Bar {
            label: label.clone(),
            value: shown(i, v),
            length: v.count().map(|n| {
                // A bar for any count above zero is at least visible.
                let l = (n.max(0) as f64 / max as f64 * 1000.0).round() as u32;
                if n > 0 { l.max(4) } else { 0 }
            }),
        })
        .collect()
}

fn shown(i: &I18n, c: &Cell) -> String {
    match c {
        Cell::Count(n) => i.number(*n),
        Cell::Suppressed => "—".into(),
    }
}

/// How a key of a dimension reads.
pub fn key_label(i: &I18n, dim: Option<&str>, code: &str, name: &Option<String>) -> String {
    if let Some(n) = name {
        return n.clone();
    }
    match dim {
        Some(_) if code.is_empty() => i.t("stats-unknown"),
        Some("host_country" | "return_country") => i.country(code),
        Some(
            "host_region" | "return_region" | "host_subregion" | "return_subregion"
            | "host_region_iom" | "return_region_iom",
        ) => i.t(&format!("region-{code}")),
        Some("sex") => i.opt("sex", code),
        Some("host_or_transit") => i.t(&format!("stats-{code}-country")),
        Some("legal_situation") => i.opt("legal", code),
        Some("vulnerability") => i.opt("vuln", code),
        Some("assistance") => i.opt("assistance", code),
        Some("children") => i.opt("children", code),
        Some("year" | "age_group") => i.digits(code),
        None if code.is_empty() => i.t("stats-all"),
        _ => code.to_string(),
    }
}

/// What a one-dimension figure shows.
struct Spec<'a> {
    id: &'a str,
    title_key: &'a str,
    /// The largest first, only so many.
    top: Option<usize>,
    /// All returns, of which each bar is a share (none: no shares).
    of: Option<i64>,
}

/// A share of all returns, in whole percent ("38 %"); none where the count is not shown.
fn share(i: &I18n, c: &Cell, of: Option<i64>) -> Option<String> {
    let (n, d) = (c.count()?, of.filter(|d| *d > 0)?);
    let pct = (n as f64 * 100.0 / d as f64).round() as i64;
    Some(i.t1("stats-percent", "n", i.number(pct)))
}

fn one_dim_figure(i: &I18n, spec: Spec, t: &ReturnsTable, query: &str) -> Figure {
    let mut rows: Vec<(String, Cell, Cell)> = t
        .row_keys
        .iter()
        .enumerate()
        .map(|(n, k)| {
            (
                key_label(i, t.rows.as_deref(), &k.code, &k.name),
                t.people.cells[n][0],
                t.cases.cells[n][0],
            )
        })
        .collect();
    if let Some(top) = spec.top {
        rows.sort_by_key(|r| std::cmp::Reverse(r.1.count().unwrap_or(0)));
        rows.truncate(top);
    }
    let title = i.t(spec.title_key);
    if rows.iter().all(|r| r.1.count() == Some(0)) {
        return Figure {
            id: spec.id.to_string(),
            title,
            bars: vec![],
            head: vec![],
            rows: vec![],
            download: String::new(),
        };
    }
    let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let values: Vec<Cell> = rows.iter().map(|r| r.1).collect();
    let mut bars = bars(i, &labels, &values);
    for (b, r) in bars.iter_mut().zip(&rows) {
        if let Some(s) = share(i, &r.1, spec.of) {
            b.value = format!("{} ({s})", b.value);
        }
    }
    let mut head = vec![
        i.t(&format!("dim-{}", t.rows.clone().unwrap_or_default())),
        i.t("stats-people"),
        i.t("stats-cases"),
    ];
    if spec.of.is_some() {
        head.push(i.t("stats-share"));
    }
    Figure {
        id: spec.id.to_string(),
        bars,
        title,
        head,
        rows: rows
            .iter()
            .map(|r| {
                let mut line = vec![r.0.clone(), shown(i, &r.1), shown(i, &r.2)];
                if spec.of.is_some() {
                    line.push(share(i, &r.1, spec.of).unwrap_or_else(|| "—".into()));
                }
                line
            })
            .collect(),
        download: format!("rows={}{query}", t.rows.clone().unwrap_or_default()),
    }
}

fn table_figure(id: &str, title: String, head: Vec<String>, rows: Vec<Vec<String>>) -> Figure {
    Figure {
        id: id.to_string(),
        title,
        bars: vec![],
        head,
        rows,
        download: String::new(),
    }
}

/// Withdrawals, rejections and no-shows by year and by the stage they happened at; days
/// to departure by year and country of return.
fn pipeline_tables(i: &I18n, p: &Pipeline) -> Vec<Figure> {
    let kind = |k: &String| i.t(&format!("interruption-{k}"));
    // By year: a row per kind, a column per year, and the totals.
    let mut head = vec![String::new()];
    head.extend(
        p.interruption_years
            .iter()
            .map(|y| i.digits(&y.to_string())),
    );
    head.push(i.t("stats-total"));
    let mut rows: Vec<Vec<String>> = p
        .interruption_kinds
        .iter()
        .enumerate()
        .map(|(n, k)| {
            let mut r = vec![kind(k)];
            r.extend(p.interruptions_by_year.cells[n].iter().map(|c| shown(i, c)));
            r.push(shown(i, &p.interruptions_by_year.row_totals[n]));
            r
        })
        .collect();
    let mut total = vec![i.t("stats-total")];
    total.extend(
        p.interruptions_by_year
            .column_totals
            .iter()
            .map(|c| shown(i, c)),
    );
    total.push(shown(i, &p.interruptions_by_year.total));
    rows.push(total);
    let by_year = table_figure("interruptions", i.t("stats-interruptions"), head, rows);
    // By stage: a row per stage where any happened, a column per kind.
    let mut head = vec![i.t("col-stage")];
    head.extend(p.interruption_kinds.iter().map(kind));
    let rows = p
        .stages
        .iter()
        .enumerate()
        .filter(|(s, _)| {
            p.interruptions_by_stage
                .cells
                .iter()
                .any(|row| row[*s] != Cell::Count(0))
        })
        .map(|(s, code)| {
            let mut r = vec![i.t(&format!("stage-{code}"))];
            r.extend(
                p.interruptions_by_stage
                    .cells
                    .iter()
                    .map(|row| shown(i, &row[s])),
            );
            r
        })
        .collect();
    let by_stage = table_figure(
        "interruptions-stage",
        i.t("stats-interruptions-stage"),
        head,
        rows,
    );
    let days = |d: Option<i64>| d.map(|d| i.number(d)).unwrap_or_else(|| "—".into());
    let rows = p
        .durations
        .iter()
        .map(|d| {
            vec![
                format!(
                    "{} · {}",
                    i.digits(&d.year.to_string()),
                    i.country(&d.country_of_return)
                ),
                shown(i, &d.cases),
                days(d.application_to_departure_median),
                days(d.application_to_departure_p90),
                days(d.registration_to_departure_median),
                days(d.registration_to_departure_p90),
            ]
        })
        .collect();
    let head = [
        "stats-year-country",
        "stats-cases",
        "stats-app-median",
        "stats-app-p90",
        "stats-reg-median",
        "stats-reg-p90",
    ]
    .iter()
    .map(|k| i.t(k))
    .collect();
    // Protected readers get no durations (`days_to_departure` says why).
    if p.protected {
        return vec![by_year, by_stage];
    }
    let durations = table_figure("durations", i.t("stats-durations"), head, rows);
    vec![by_year, by_stage, durations]
}

/// A table of people by two dimensions, with its totals; `query` the filter its
/// downloads carry.
pub(super) fn cross_figure(
    i: &I18n,
    t: &ReturnsTable,
    query: &str,
    id: &str,
    title: String,
) -> Figure {
    let col_labels: Vec<String> = t
        .column_keys
        .iter()
        .map(|k| key_label(i, t.columns.as_deref(), &k.code, &k.name))
        .collect();
    let mut head = vec![i.t(&format!("dim-{}", t.rows.clone().unwrap_or_default()))];
    head.extend(col_labels);
    head.push(i.t("stats-total"));
    let mut rows: Vec<Vec<String>> = t
        .row_keys
        .iter()
        .enumerate()
        .map(|(n, k)| {
            let mut r = vec![key_label(i, t.rows.as_deref(), &k.code, &k.name)];
            r.extend(t.people.cells[n].iter().map(|c| shown(i, c)));
            r.push(shown(i, &t.people.row_totals[n]));
            r
        })
        .collect();
    let mut total = vec![i.t("stats-total")];
    total.extend(t.people.column_totals.iter().map(|c| shown(i, c)));
    total.push(shown(i, &t.people.total));
    rows.push(total);
    Figure {
        id: id.into(),
        title,
        bars: vec![],
        head,
        rows,
        download: format!(
            "rows={}&columns={}{query}",
            t.rows.clone().unwrap_or_default(),
            t.columns.clone().unwrap_or_default()
        ),
    }
}

fn parse_dim(s: &Option<String>) -> Option<Dim> {
    let s = s.as_deref()?;
    Dim::from_code(s)
}

pub async fn page(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    q: Result<Query<StatsParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let i = v.i;
    let Some(acc) = access(&p) else {
        return forbidden(&v);
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let mut errors = vec![];
    let (from_asked, until_asked) = (q.period.from_day(), q.period.until_day());
    // A day that is not one is left out of the figures, and said so beside its field.
    let mut field_errors: [Option<String>; 2] = [None, None];
    let mut date = |n: usize, field: &str, asked: &DayAsked| match asked.day {
        Ok(d) => d,
        Err(_) => {
            let e = i.t1("stats-bad-date", "field", i.t(field));
            errors.push(e.clone());
            field_errors[n] = Some(e);
            None
        }
    };
    let mut from = date(0, "stats-from", &from_asked);
    let mut until = date(1, "stats-until", &until_asked);
    // Protected figures are for whole months (a day's difference between two periods
    // would give that day's returns): a period that is not is left out, and said so.
    if !acc.exact {
        for wrong in homeward_domain::stats::whole_months(from, until) {
            let (n, key) = if wrong.field.as_deref() == Some("from") {
                from = None;
                (0, "stats-whole-months-from")
            } else {
                until = None;
                (1, "stats-whole-months-until")
            };
            errors.push(i.t(key));
            field_errors[n] = Some(i.t(key));
        }
    }
    let filter = StatFilter {
        from,
        until,
        offices: q
            .office
            .as_deref()
            .and_then(|o| o.parse().ok())
            .map(|o| vec![o]),
        programme: q.programme.as_deref().and_then(|p| p.parse().ok()),
        return_country: q
            .country
            .as_deref()
            .and_then(|c| homeward_domain::values::CountryCode::parse(c).ok())
            .map(String::from),
        vulnerabilities: None,
        assistance: None,
        taken_up: false,
    };
    // The downloads' links carry the filter as read, spelled as the API takes it
    // (`from=YYYY-MM-DD`, hyphenated ids, upper-case codes), whatever the form sent.
    let mut query = String::new();
    for (k, day) in [("from", filter.from), ("until", filter.until)] {
        if let Some(d) = day {
            query.push_str(&format!("&{k}={d}"));
        }
    }
    let office = filter.offices.as_ref().and_then(|o| o.first()).copied();
    for (k, id) in [("office", office), ("programme", filter.programme)] {
        if let Some(id) = id {
            query.push_str(&format!("&{k}={}", id.hyphenated()));
        }
    }
    if let Some(c) = &filter.return_country {
        query.push_str(&format!("&country={c}"));
    }
    let table = |rows: Option<Dim>, columns: Option<Dim>, by_each: Option<ByEach>| {
        let app = st.app.clone();
        let p = p.clone();
        let filter = filter.clone();
        async move {
            app.returns_table(
                &p,
                ReturnsQuery {
                    rows,
                    columns,
                    by_each,
                    filter,
                },
            )
            .await
        }
    };
    // Options taken up by month are not crossed with the year (`statistics.taken_up_by_year`).
    let by_year_refused = homeward_app::stats::taken_up_by_year(
        q.rows.as_deref().and_then(ByEach::from_code),
        parse_dim(&q.columns),
        !acc.exact,
    );
    if by_year_refused {
        errors.push(i.t("stats-taken-up-by-year"));
    }
    let result = async {
        let by_year = table(Some(Dim::Year), None, None).await?;
        let by_country = table(Some(Dim::ReturnCountry), None, None).await?;
        let by_host = table(Some(Dim::HostCountry), None, None).await?;
        // Host or transit is for readers of exact figures (`Dim::exact_only`).
        let by_transit = if acc.exact {
            Some(table(Some(Dim::HostOrTransit), None, None).await?)
        } else {
            None
        };
        let by_sex = table(Some(Dim::Sex), None, None).await?;
        let by_age = table(Some(Dim::AgeGroup), None, None).await?;
        let by_children = table(Some(Dim::Children), None, None).await?;
        let by_vuln = table(None, None, Some(ByEach::Vulnerability)).await?;
        let by_assistance = Some(table(None, None, Some(ByEach::Assistance)).await?);
        let pipeline = st.app.pipeline(&p, filter.clone()).await?;
        let each = q.rows.as_deref().and_then(ByEach::from_code);
        let cross = match (each, parse_dim(&q.rows), parse_dim(&q.columns)) {
            (Some(by), _, c) => {
                let c = c.filter(|_| !by_year_refused);
                Some(table(None, c, Some(by)).await?)
            }
            (None, Some(r), c) => Some(table(Some(r), c, None).await?),
            _ => None,
        };
        Ok::<_, homeward_app::AppError>((
            by_year,
            by_country,
            by_host,
            by_transit,
            by_sex,
            by_age,
            by_children,
            by_vuln,
            by_assistance,
            pipeline,
            cross,
        ))
    }
    .await;
    let (
        by_year,
        by_country,
        by_host,
        by_transit,
        by_sex,
        by_age,
        by_children,
        by_vuln,
        by_assistance,
        pipeline,
        cross,
    ) = match result {
        Ok(x) => x,
        Err(e) => return app_error(&v, e),
    };
    // Shares are of all returns in the selection, as the reader may see it.
    let all = by_year.people.total.count();
    let spec = |id, title_key, top, of| Spec {
        id,
        title_key,
        top,
        of,
    };
    let transit_figure = by_transit.as_ref().map(|t| {
        one_dim_figure(
            &i,
            spec("transit", "stats-by-host-or-transit", None, all),
            t,
            &query,
        )
    });
    let mut figures = vec![
        one_dim_figure(
            &i,
            spec("years", "stats-by-year", None, None),
            &by_year,
            &query,
        ),
        one_dim_figure(
            &i,
            spec("countries", "stats-top-countries", Some(10), all),
            &by_country,
            &query,
        ),
        one_dim_figure(
            &i,
            spec("hosts", "stats-top-hosts", Some(10), all),
            &by_host,
            &query,
        ),
        one_dim_figure(&i, spec("sex", "stats-by-sex", None, all), &by_sex, &query),
        one_dim_figure(&i, spec("ages", "stats-by-age", None, all), &by_age, &query),
        one_dim_figure(
            &i,
            spec("children", "stats-children", None, all),
            &by_children,
            &query,
        ),
        one_dim_figure(
            &i,
            spec("vulnerabilities", "stats-by-vulnerability", None, all),
            &by_vuln,
            &query,
        ),
    ];
    if let Some(t) = &by_assistance {
        figures.push(one_dim_figure(
            &i,
            spec("assistance", "stats-by-assistance", None, all),
            t,
            &query,
        ));
    }
    // After the host countries.
    if let Some(f) = transit_figure {
        figures.insert(3, f);
    }
    // The pipeline by stage (cases).
    let labels: Vec<String> = pipeline
        .stages
        .iter()
        .map(|s| i.t(&format!("stage-{s}")))
        .collect();
    let people: Vec<&Cell> = pipeline.people_by_stage.cells[0].iter().collect();
    let title = i.t("stats-pipeline");
    figures.push(Figure {
        id: "pipeline".into(),
        bars: bars(&i, &labels, &pipeline.cases_by_stage.cells[0]),
        title,
        head: vec![i.t("col-stage"), i.t("stats-cases"), i.t("stats-people")],
        rows: labels
            .iter()
            .zip(&pipeline.cases_by_stage.cells[0])
            .zip(people)
            .map(|((l, c), n)| vec![l.clone(), shown(&i, c), shown(&i, n)])
            .collect(),
        download: String::new(),
    });
    let tables = pipeline_tables(&i, &pipeline);
    let dim_options = |selected: &Option<String>, none: bool| -> Vec<Opt> {
        let mut v: Vec<Opt> = vec![];
        if none {
            v.push(Opt {
                value: String::new(),
                label: i.t("stats-none"),
                selected: selected.as_deref().unwrap_or("").is_empty(),
            });
        }
        // Rows may also be each vulnerability or each type of assistance (`ByEach`).
        let each = ByEach::ALL.into_iter().filter(|_| !none).map(ByEach::code);
        let dims = Dim::ALL
            .into_iter()
            .filter(|d| acc.exact || !d.exact_only())
            .map(Dim::code);
        for code in dims.chain(each) {
            let code = code.to_string();
            v.push(Opt {
                selected: selected.as_deref() == Some(code.as_str()),
                label: i.t(&format!("dim-{code}")),
                value: code,
            });
        }
        v
    };
    let offices = st
        .app
        .list_offices()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| acc.offices.as_ref().is_none_or(|mine| mine.contains(&o.id)))
        .map(|o| (o.id.to_string(), format!("{} ({})", o.name, o.code)))
        .collect();
    let programmes = st
        .app
        .list_programmes()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|pr| (pr.id.to_string(), pr.name.to_string()))
        .collect();
    let page = StatsPage {
        c: Chrome::new(&v, i.t("stats-title")),
        figures,
        tables,
        cross: cross
            .as_ref()
            .map(|t| cross_figure(&i, t, &query, "cross", i.t("stats-cross"))),
        definitions: (1..=homeward_app::stats::DEFINITIONS.len())
            .map(|n| i.t(&format!("stats-definition-{n}")))
            .collect(),
        protected: (!acc.exact).then(|| {
            i.t1(
                "stats-protected",
                "threshold",
                st.app.stats_threshold().to_string(),
            )
        }),
        dims: dim_options(&q.rows, false),
        dims2: dim_options(&q.columns, true),
        offices: options(offices, q.office.as_deref().unwrap_or(""), i.t("any")),
        programmes: options(programmes, q.programme.as_deref().unwrap_or(""), i.t("any")),
        countries: options(
            country_options(&i),
            q.country.as_deref().unwrap_or(""),
            i.t("any"),
        ),
        errors,
        from: Field::date(
            "from",
            i.t("stats-from"),
            Some(i.t("date-hint")),
            from_asked.parts,
            field_errors[0].take(),
        ),
        period: (from, until),
        until: Field::date(
            "until",
            i.t("stats-until"),
            Some(i.t("date-hint")),
            until_asked.parts,
            field_errors[1].take(),
        ),
        query,
    };
    ok(&page)
}
