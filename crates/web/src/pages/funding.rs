//! A programme's funding, for administrators: its grants and their budget lines, each
//! added and changed on a form of its own (no script needed). Every change is the
//! programme's settings saved again, so the domain's rules hold as they do through the
//! API (`funding_violations`; a line that plans draw on stays, with at least what they
//! commit: `lines_in_use_violations`), each reported at its field.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use homeward_app::AppError;
use homeward_domain::case::reintegration::AssistanceType;
use homeward_domain::funding::{BudgetLine, Grant};
use homeward_domain::ids::{BudgetLineId, GrantId, ProgrammeId};
use homeward_domain::programme::Programme;
use homeward_domain::values::{CountryCode, CurrencyCode, Money, ShortText};
use uuid::Uuid;

use super::admin::{add_app_errors, form_page_from, major_units as major};
use super::{app_error, consume_flash, forbidden, not_found_page, redirect_with};
use crate::WebState;
use crate::actions::{In, parse_amount};
use crate::chrome::{Chrome, ok};
use crate::forms::{FormData, FormErrors, date};
use crate::i18n::I18n;
use crate::session::{SignedIn, Visitor};

#[derive(Template)]
#[template(path = "funding.html")]
pub struct FundingPage {
    pub c: Chrome,
    pub programme_href: String,
    pub new_grant_href: String,
    pub grants: Vec<GrantView>,
}

pub struct GrantView {
    pub title: String,
    pub details: String,
    pub edit_href: String,
    pub new_line_href: String,
    pub lines: Vec<LineView>,
}

pub struct LineView {
    pub label: String,
    pub amount: String,
    pub edit_href: String,
}

fn base(id: Uuid) -> String {
    format!("/admin/programmes/{id}/funding")
}

fn shown(i: &I18n, minor: u64, currency: &CurrencyCode) -> String {
    match i64::try_from(minor)
        .ok()
        .and_then(|m| Money::new(m, currency.clone()).ok())
    {
        Some(m) => i.money(&m),
        None => format!("{minor} {currency}"),
    }
}

async fn programme(st: &WebState, v: &Visitor, id: Uuid) -> Result<Programme, Response> {
    st.app
        .get_programme(ProgrammeId(id))
        .await
        .map_err(|e| app_error(v, e))
}

/// The programme's grants and lines, with links to change them.
pub async fn overview(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
) -> Response {
    if !p.actor.may_administer() {
        return forbidden(&v);
    }
    let pr = match programme(&st, &v, id).await {
        Ok(pr) => pr,
        Err(r) => return r,
    };
    let i = v.i;
    let grants = pr
        .settings
        .funding
        .iter()
        .map(|g| {
            let mut details = i.ta(
                "funding-grant-details",
                &[
                    ("starts", i.date(g.starts).into()),
                    ("ends", i.date(g.ends).into()),
                    ("amount", shown(&i, g.amount, &g.currency).into()),
                ],
            );
            if let Some(rate) = &g.budget_rate {
                details.push_str(" · ");
                details.push_str(&i.ta(
                    "budget-rate",
                    &[
                        ("programme", pr.settings.currency.to_string().into()),
                        ("rate", rate.to_string().into()),
                        ("grant", g.currency.to_string().into()),
                    ],
                ));
            }
            let grant_href = format!("{}/grants/{}", base(id), g.grant_id.0);
            GrantView {
                title: format!("{} — {}", g.donor, g.reference),
                details,
                new_line_href: format!("{grant_href}/lines/new"),
                lines: g
                    .lines
                    .iter()
                    .map(|l| LineView {
                        label: line_label(&i, l),
                        amount: shown(&i, l.amount, &g.currency),
                        edit_href: format!("{grant_href}/lines/{}", l.line_id.0),
                    })
                    .collect(),
                edit_href: grant_href,
            }
        })
        .collect();
    let t = FundingPage {
        c: Chrome::new(&v, i.t1("funding-title", "programme", pr.name.to_string())),
        programme_href: format!("/admin/programmes/{id}"),
        new_grant_href: format!("{}/grants/new", base(id)),
        grants,
    };
    consume_flash(&v, ok(&t))
}

fn line_label(i: &I18n, l: &BudgetLine) -> String {
    let country = match &l.country {
        Some(c) => i.country(c.as_str()),
        None => i.t("budget-any-country"),
    };
    format!("{} — {country}", i.opt("assistance", l.assistance.code()))
}

/// The grant form's fields: a new grant's carries the id it will have (a second
/// submission of the form finds it saved), an existing one's may remove it.
fn grant_inputs(existing: bool) -> Vec<In> {
    let mut inputs = vec![
        In::Hidden("settings_digest"),
        In::Hidden("grant_id"),
        In::Text("donor", "funding-donor", None),
        In::Text(
            "reference",
            "funding-reference",
            Some("funding-reference-hint"),
        ),
        In::Date("starts", "funding-starts", None),
        In::Date("ends", "funding-ends", Some("funding-ends-hint")),
        In::Text(
            "currency",
            "funding-currency",
            Some("funding-currency-hint"),
        ),
        In::Text(
            "budget_rate",
            "funding-budget-rate",
            Some("funding-budget-rate-hint"),
        ),
        In::Text("amount", "funding-amount", Some("funding-amount-hint")),
    ];
    if existing {
        inputs.push(In::Check(
            "remove",
            "funding-grant-remove",
            Some("funding-grant-remove-hint"),
        ));
    }
    inputs
}

/// The line form's fields; `current`: the country of the line it changes, offered even
/// if the programme no longer lists it (else saving would widen the line unnoticed).
fn line_inputs(i: &I18n, pr: &Programme, current: Option<&BudgetLine>) -> Vec<In> {
    let existing = current.is_some();
    let kept = current
        .and_then(|l| l.country.clone())
        .filter(|c| !pr.settings.return_countries.contains(c));
    let types = AssistanceType::ALL
        .iter()
        .map(|a| (a.code().to_string(), i.opt("assistance", a.code())))
        .collect();
    let countries = std::iter::once((String::new(), i.t("budget-any-country")))
        .chain(
            pr.settings
                .return_countries
                .iter()
                .chain(kept.as_ref())
                .map(|c| (c.to_string(), i.country(c.as_str()))),
        )
        .collect();
    let mut inputs = vec![
        In::Hidden("settings_digest"),
        In::Select("assistance", "funding-line-assistance", None, types, false),
        In::Select(
            "country",
            "funding-line-country",
            Some("funding-line-country-hint"),
            countries,
            false,
        ),
        In::Text("amount", "funding-amount", Some("funding-line-amount-hint")),
    ];
    if existing {
        inputs.push(In::Check(
            "remove",
            "funding-line-remove",
            Some("funding-line-remove-hint"),
        ));
    }
    inputs
}

fn set_date(f: &mut FormData, name: &str, d: chrono::NaiveDate) {
    use chrono::Datelike;
    f.set(&format!("{name}-day"), d.day().to_string());
    f.set(&format!("{name}-month"), d.month().to_string());
    f.set(&format!("{name}-year"), d.year().to_string());
}

/// What a form opens with: the digest of the settings it was opened on.
fn opened(pr: &Programme) -> FormData {
    let mut f = FormData::default();
    f.set(
        "settings_digest",
        homeward_app::admin::settings_digest(&pr.settings),
    );
    f
}

fn grant_data(pr: &Programme, g: &Grant) -> FormData {
    let mut f = opened(pr);
    f.set("donor", g.donor.to_string());
    f.set("reference", g.reference.to_string());
    set_date(&mut f, "starts", g.starts);
    set_date(&mut f, "ends", g.ends);
    f.set("currency", g.currency.to_string());
    if let Some(r) = &g.budget_rate {
        f.set("budget_rate", r.to_string());
    }
    f.set("amount", major(g.amount, &g.currency));
    f
}

fn line_data(pr: &Programme, l: &BudgetLine, currency: &CurrencyCode) -> FormData {
    let mut f = opened(pr);
    f.set("assistance", l.assistance.code());
    if let Some(c) = &l.country {
        f.set("country", c.to_string());
    }
    f.set("amount", major(l.amount, currency));
    f
}

/// A grant as the form gives it (`id` and `lines` kept from the grant it changes), or
/// every field's error.
fn read_grant(
    i: &I18n,
    f: &FormData,
    id: GrantId,
    lines: Vec<BudgetLine>,
    errors: &mut FormErrors,
) -> Option<Grant> {
    let text = |name: &str, errors: &mut FormErrors| match ShortText::parse(f.get(name)) {
        Ok(t) => Some(t),
        Err(e) if e.code == "text.empty" => {
            errors.missing(name, i);
            None
        }
        Err(e) => {
            errors.add(name, e.message);
            None
        }
    };
    let donor = text("donor", errors);
    let reference = text("reference", errors);
    let day = |name: &str, errors: &mut FormErrors| match date(f, name) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.missing(&format!("{name}-day"), i);
            None
        }
        Err(_) => {
            errors.add(&format!("{name}-day"), i.t("err-date-invalid"));
            None
        }
    };
    let starts = day("starts", errors);
    let ends = day("ends", errors);
    let currency = match CurrencyCode::parse(f.get("currency")) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.add("currency", e.message);
            None
        }
    };
    // As people write it (`parse_rate`): a decimal comma, Arabic-Indic digits.
    let budget_rate = match f.get("budget_rate").trim() {
        "" => Some(None),
        r => match crate::actions::parse_rate(r) {
            Ok(r) => Some(Some(r)),
            Err(e) => {
                errors.add("budget_rate", e.message);
                None
            }
        },
    };
    let amount = currency.as_ref().and_then(|c| amount(i, f, c, errors));
    Some(Grant {
        grant_id: id,
        donor: donor?,
        reference: reference?,
        starts: starts?,
        ends: ends?,
        currency: currency?,
        budget_rate: budget_rate?,
        amount: amount?,
        lines,
    })
}

/// The `amount` field in minor units of `currency`.
fn amount(i: &I18n, f: &FormData, currency: &CurrencyCode, errors: &mut FormErrors) -> Option<u64> {
    match parse_amount(f.get("amount"), currency).and_then(|m| u64::try_from(m.amount_minor).ok()) {
        Some(a) => Some(a),
        None => {
            errors.add(
                "amount",
                i.t1("funding-amount-invalid", "currency", currency.to_string()),
            );
            None
        }
    }
}

fn read_line(
    i: &I18n,
    f: &FormData,
    id: BudgetLineId,
    currency: &CurrencyCode,
    errors: &mut FormErrors,
) -> Option<BudgetLine> {
    let assistance = AssistanceType::from_code(f.get("assistance"));
    if assistance.is_none() {
        errors.missing("assistance", i);
    }
    let country = match f.get("country").trim() {
        "" => Some(None),
        c => match CountryCode::parse(c) {
            Ok(c) => Some(Some(c)),
            Err(e) => {
                errors.add("country", e.message);
                None
            }
        },
    };
    let amount = amount(i, f, currency, errors);
    Some(BudgetLine {
        line_id: id,
        assistance: assistance?,
        country: country?,
        amount: amount?,
    })
}

/// Saves the programme with `funding`, its errors at the form's fields (a rule about the
/// grant's or line's field named by its last part: `settings/funding/0/lines/1/amount`
/// is the line form's `amount`; one about the lines or the funding as a whole, such as a
/// line in use, at `whole`: what the form changed that could break it).
async fn save(
    st: &WebState,
    (v, f): (&Visitor, &FormData),
    p: &homeward_app::Principal,
    pr: &Programme,
    funding: Vec<Grant>,
    errors: &mut FormErrors,
    whole: &str,
) -> Result<(), Response> {
    let mut settings = pr.settings.clone();
    settings.funding = funding;
    match st
        .app
        .update_programme_seen(
            p,
            pr.id,
            None,
            Some(settings),
            f.opt("settings_digest").as_deref(),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(AppError::Invalid(vs)) => {
            errors.add_violations(&v.i, &vs, |path| {
                let last = path.rsplit('/').next().unwrap_or(path);
                match last {
                    "starts" | "ends" => format!("{last}-day"),
                    // A grant's lines, or the whole of its funding.
                    "lines" | "funding" => whole.to_string(),
                    other => other.to_string(),
                }
            });
            Err(Response::default())
        }
        Err(e) => match add_app_errors(errors, v, e) {
            Some(r) => Err(r),
            None => Err(Response::default()),
        },
    }
}

fn back(v: &Visitor, id: Uuid, pr: &Programme) -> (String, String) {
    (
        base(id),
        v.i.t1("funding-title", "programme", pr.name.to_string()),
    )
}

/// A grant's form: a new one (`grant` None) or one to change.
pub async fn grant_form(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path((id, grant)): Path<(Uuid, String)>,
) -> Response {
    if !p.actor.may_administer() {
        return forbidden(&v);
    }
    let pr = match programme(&st, &v, id).await {
        Ok(pr) => pr,
        Err(r) => return r,
    };
    let data = match grant.as_str() {
        "new" => {
            let mut f = opened(&pr);
            f.set("currency", pr.settings.currency.to_string());
            f.set("grant_id", homeward_app::new_id().to_string());
            f
        }
        g => match find_grant(&pr, g) {
            Some(g) => grant_data(&pr, g),
            None => return not_found_page(&v),
        },
    };
    form_page_from(
        &v,
        back(&v, id, &pr),
        grant_heading(&v.i, &grant),
        format!("{}/grants/{grant}", base(id)),
        grant_inputs(grant != "new"),
        &data,
        &FormErrors::default(),
        None,
    )
}

/// The grant form's heading: a new grant, or one changed.
fn grant_heading(i: &I18n, grant: &str) -> String {
    i.t(if grant == "new" {
        "funding-new-grant"
    } else {
        "funding-edit-grant"
    })
}

fn find_grant<'p>(pr: &'p Programme, id: &str) -> Option<&'p Grant> {
    let id: Uuid = id.parse().ok()?;
    pr.settings.funding.iter().find(|g| g.grant_id.0 == id)
}

pub async fn save_grant(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path((id, grant)): Path<(Uuid, String)>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_administer() {
        return forbidden(&v);
    }
    let pr = match programme(&st, &v, id).await {
        Ok(pr) => pr,
        Err(r) => return r,
    };
    let (grant_id, lines) = match grant.as_str() {
        // The id the form was opened with: sent again as it was saved (a double click, a
        // reload), it is done; sent again changed, it changes that grant (the digest
        // then tells that the settings changed since the form was opened).
        "new" => match f.get("grant_id").parse().ok().map(GrantId) {
            Some(key) => match pr.settings.funding.iter().find(|g| g.grant_id == key) {
                Some(saved) => {
                    let mut ignored = FormErrors::default();
                    let again = read_grant(&v.i, &f, key, saved.lines.clone(), &mut ignored);
                    if again.as_ref() == Some(saved) {
                        return redirect_with(&base(id), "done", v.secure);
                    }
                    (key, saved.lines.clone())
                }
                None => (key, vec![]),
            },
            None => (GrantId(homeward_app::new_id()), vec![]),
        },
        g => match find_grant(&pr, g) {
            Some(g) => (g.grant_id, g.lines.clone()),
            None => return not_found_page(&v),
        },
    };
    let mut errors = FormErrors::default();
    if grant != "new" && f.checked("remove") {
        let funding = pr
            .settings
            .funding
            .iter()
            .filter(|g| g.grant_id != grant_id)
            .cloned()
            .collect();
        match save(&st, (&v, &f), &p, &pr, funding, &mut errors, "remove").await {
            Ok(()) => return redirect_with(&base(id), "done", v.secure),
            Err(r) if errors.is_empty() => return r,
            Err(_) => {}
        }
    } else if let Some(g) = read_grant(&v.i, &f, grant_id, lines, &mut errors) {
        // A line no longer held by a changed rate is the rate's doing.
        let rate_changed =
            find_grant(&pr, &grant).is_some_and(|old| match (&old.budget_rate, &g.budget_rate) {
                (Some(a), Some(b)) => !a.same_as(b),
                (a, b) => a.is_some() != b.is_some(),
            });
        let whole = if rate_changed {
            "budget_rate"
        } else {
            "amount"
        };
        let mut funding = pr.settings.funding.clone();
        match funding.iter_mut().find(|x| x.grant_id == grant_id) {
            Some(x) => *x = g.clone(),
            None => funding.push(g.clone()),
        }
        match save(&st, (&v, &f), &p, &pr, funding, &mut errors, whole).await {
            Ok(()) => return redirect_with(&base(id), "done", v.secure),
            Err(r) if errors.is_empty() => return r,
            Err(_) => {
                // Sent twice at once: the other request saved it as it is here.
                let now = st.app.get_programme(ProgrammeId(id)).await.ok();
                let saved = now
                    .as_ref()
                    .and_then(|pr| pr.settings.funding.iter().find(|x| x.grant_id == grant_id));
                if grant == "new" && saved == Some(&g) {
                    return redirect_with(&base(id), "done", v.secure);
                }
            }
        }
    }
    form_page_from(
        &v,
        back(&v, id, &pr),
        grant_heading(&v.i, &grant),
        format!("{}/grants/{grant}", base(id)),
        grant_inputs(grant != "new"),
        &f,
        &errors,
        None,
    )
}

/// A budget line's form: a new one of the grant, or one to change (or remove).
pub async fn line_form(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path((id, grant, line)): Path<(Uuid, String, String)>,
) -> Response {
    if !p.actor.may_administer() {
        return forbidden(&v);
    }
    let pr = match programme(&st, &v, id).await {
        Ok(pr) => pr,
        Err(r) => return r,
    };
    let Some(g) = find_grant(&pr, &grant) else {
        return not_found_page(&v);
    };
    let current = find_line(g, &line);
    let data = match (line.as_str(), current) {
        ("new", _) => opened(&pr),
        (_, Some(l)) => line_data(&pr, l, &g.currency),
        (_, None) => return not_found_page(&v),
    };
    form_page_from(
        &v,
        back(&v, id, &pr),
        line_heading(&v.i, g, &line),
        format!("{}/grants/{grant}/lines/{line}", base(id)),
        line_inputs(&v.i, &pr, current),
        &data,
        &FormErrors::default(),
        None,
    )
}

fn line_heading(i: &I18n, g: &Grant, line: &str) -> String {
    i.ta(
        if line == "new" {
            "funding-new-line"
        } else {
            "funding-edit-line"
        },
        &[
            ("reference", g.reference.to_string().into()),
            ("currency", g.currency.to_string().into()),
        ],
    )
}

fn find_line<'g>(g: &'g Grant, id: &str) -> Option<&'g BudgetLine> {
    let id: Uuid = id.parse().ok()?;
    g.lines.iter().find(|l| l.line_id.0 == id)
}

pub async fn save_line(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path((id, grant, line)): Path<(Uuid, String, String)>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_administer() {
        return forbidden(&v);
    }
    let pr = match programme(&st, &v, id).await {
        Ok(pr) => pr,
        Err(r) => return r,
    };
    let Some(g) = find_grant(&pr, &grant) else {
        return not_found_page(&v);
    };
    let line_id = match line.as_str() {
        "new" => BudgetLineId(homeward_app::new_id()),
        l => match find_line(g, l) {
            Some(l) => l.line_id,
            None => return not_found_page(&v),
        },
    };
    let (grant_id, currency) = (g.grant_id, g.currency.clone());
    let mut errors = FormErrors::default();
    let remove = line != "new" && f.checked("remove");
    let read = match remove {
        true => None,
        false => read_line(&v.i, &f, line_id, &currency, &mut errors),
    };
    if remove || read.is_some() {
        // A rule about the line as a whole sits at what the form changed of it.
        let before = find_line(g, &line);
        let whole = match (remove, before, &read) {
            (true, _, _) => "remove",
            (false, Some(b), Some(l)) if b.assistance != l.assistance => "assistance",
            (false, Some(b), Some(l)) if b.country != l.country => "country",
            _ => "amount",
        };
        let mut funding = pr.settings.funding.clone();
        if let Some(g) = funding.iter_mut().find(|x| x.grant_id == grant_id) {
            g.lines.retain(|l| l.line_id != line_id);
            if let Some(l) = read {
                // In its place, or last when it is new.
                let at = pr
                    .settings
                    .funding
                    .iter()
                    .find(|x| x.grant_id == grant_id)
                    .and_then(|x| x.lines.iter().position(|l| l.line_id == line_id))
                    .unwrap_or(g.lines.len());
                g.lines.insert(at.min(g.lines.len()), l);
            }
        }
        match save(&st, (&v, &f), &p, &pr, funding, &mut errors, whole).await {
            Ok(()) => return redirect_with(&base(id), "done", v.secure),
            Err(r) if errors.is_empty() => return r,
            Err(_) => {}
        }
    }
    form_page_from(
        &v,
        back(&v, id, &pr),
        line_heading(&v.i, g, &line),
        format!("{}/grants/{grant}/lines/{line}", base(id)),
        line_inputs(&v.i, &pr, find_line(g, &line)),
        &f,
        &errors,
        None,
    )
}
