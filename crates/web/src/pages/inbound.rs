//! Inbound referrals in the browser. A partner organisation's user refers a person to one
//! of the programme's offices and follows where each referral stands (`/partner/inbound`);
//! the office's counsellors and programme managers work the referrals received
//! (`/inbound`): register the person (the registration form, filled from the referral)
//! or decline with a reason the partner reads.

use super::forbidden;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use homeward_app::inbound::{InboundItem, InboundList};
use homeward_app::input::Parse;
use homeward_app::{AppError, Principal};
use homeward_domain::ids::{InboundId, OfficeId};
use homeward_domain::inbound::{
    self, DeclineReason, InboundConsent, InboundDetails, InboundReferral, InboundStatus,
    ReferrerView,
};
use homeward_domain::person::PersonDetails;
use homeward_store::PageRequest;
use uuid::Uuid;

use super::case::{born, enum_code};
use super::cases::Paging;
use super::directory::Line;
use super::follow_ups::{PER_PAGE, QueueQuery, WorkListPage, WorkRow};
use super::partner::{Section, line};
use super::{Queue, QueueItem, app_error, consume_flash, redirect_with};
use crate::WebState;
use crate::actions::{
    Field, In, country_options, field_of, parse_person, person_inputs, render, with_empty,
};
use crate::chrome::{Chrome, ok, page};
use crate::forms::{self, FormData, FormErrors};
use crate::i18n::I18n;
use crate::session::{SignedIn, Visitor};

/// A list's code in URLs and its title's message, for the office and for the partner.
fn list_code(l: InboundList, partner: bool) -> (&'static str, &'static str) {
    match (l, partner) {
        (InboundList::Waiting, false) => ("waiting", "inbound-waiting"),
        (InboundList::Decided, false) => ("decided", "inbound-decided"),
        (InboundList::Waiting, true) => ("waiting", "inbound-sent-waiting"),
        (InboundList::Decided, true) => ("decided", "inbound-sent-decided"),
    }
}

fn list_of(q: &QueueQuery) -> InboundList {
    InboundList::ALL
        .into_iter()
        .find(|l| Some(l.code()) == q.queue.as_deref())
        .unwrap_or(InboundList::Waiting)
}

fn status(i: &I18n, s: InboundStatus) -> String {
    i.opt("inbound_status", s.code())
}

/// What became of it, in a few words: the case's reference, the reason declined.
fn outcome(
    i: &I18n,
    status_: InboundStatus,
    reference: Option<String>,
    reason: Option<DeclineReason>,
) -> String {
    match (status_, reference, reason) {
        (InboundStatus::Registered, Some(r), _) => format!("{} ({r})", status(i, status_)),
        (InboundStatus::Declined, _, Some(d)) => {
            format!(
                "{} ({})",
                status(i, status_),
                i.opt("decline_reason", d.code())
            )
        }
        (s, _, _) => status(i, s),
    }
}

async fn office_names(st: &WebState) -> Result<Vec<(OfficeId, String)>, AppError> {
    Ok(st
        .app
        .list_offices()
        .await?
        .into_iter()
        .map(|o| (o.id, office_label(&o)))
        .collect())
}

fn office_label(o: &homeward_app::admin::OfficeView) -> String {
    format!("{} ({})", o.name, o.code)
}

fn office_name(offices: &[(OfficeId, String)], id: OfficeId) -> String {
    offices
        .iter()
        .find(|(o, _)| *o == id)
        .map(|(_, n)| n.clone())
        .unwrap_or_default()
}

fn yes_no(i: &I18n, b: bool) -> String {
    i.t(if b { "yes" } else { "no" })
}

/// What was sent: the referral's own lines, then the person.
fn detail_lines(i: &I18n, d: &InboundDetails) -> Vec<Line> {
    let mut out = vec![line(i, "f-inbound-reason", d.reason.to_string())];
    if let Some(h) = &d.household {
        out.push(line(i, "f-inbound-household", h.to_string()));
    }
    if let Some(c) = &d.country_of_return {
        out.push(line(i, "f-country", i.country(c.as_str())));
    }
    out.push(line(i, "f-inbound-urgent", yes_no(i, d.urgent)));
    out.push(line(i, "f-inbound-consent", i.date(d.consent.given_on)));
    if let Some(r) = &d.consent.representative {
        out.push(line(i, "f-inbound-representative", r.to_string()));
    }
    out
}

fn person_section(i: &I18n, p: &PersonDetails) -> Section {
    let today = homeward_app::now().date_naive();
    let mut lines = vec![
        line(i, "f-dob", born(i, &p.date_of_birth, today)),
        line(i, "f-sex", i.opt("sex", &enum_code(&p.sex))),
    ];
    if let Some(c) = &p.nationality {
        lines.push(line(i, "f-nationality", i.country(c.as_str())));
    }
    let names = crate::actions::language_options();
    let langs: Vec<String> = p
        .languages
        .iter()
        .map(|l| {
            let code = l.to_string();
            names
                .iter()
                .find(|(c, _)| *c == code)
                .map_or(code.clone(), |(_, n)| n.clone())
        })
        .collect();
    lines.push(line(i, "f-languages", i.list(langs)));
    for (label, value) in [("f-phone", &p.contact.phone), ("f-email", &p.contact.email)] {
        if let Some(v) = value {
            lines.push(Line {
                label: i.t(label),
                value: v.to_string(),
                ltr: true,
            });
        }
    }
    if let Some(a) = &p.contact.address {
        lines.push(line(i, "f-address", a.to_string()));
    }
    lines.push(line(
        i,
        "f-legal-situation",
        i.opt("legal", &enum_code(&p.legal_situation)),
    ));
    let named: Vec<String> = p
        .vulnerabilities
        .iter()
        .map(|v| i.opt("vuln", v.code()))
        .collect();
    lines.push(line(
        i,
        "f-vulnerabilities",
        if named.is_empty() {
            i.t("partner-none")
        } else {
            i.list(named)
        },
    ));
    Section {
        heading: p.name.display(),
        lines,
    }
}

/// The decision's lines: when, and what the office said.
fn decision_lines(
    i: &I18n,
    decided_at: Option<chrono::DateTime<chrono::Utc>>,
    reason: Option<DeclineReason>,
    note: Option<String>,
    reference: Option<String>,
) -> Vec<Line> {
    let mut out = vec![];
    if let Some(at) = decided_at {
        out.push(line(i, "inbound-decided-at", i.datetime(at)));
    }
    if let Some(r) = reference {
        out.push(line(i, "col-reference", r));
    }
    if let Some(r) = reason {
        out.push(line(
            i,
            "f-decline-reason",
            i.opt("decline_reason", r.code()),
        ));
    }
    if let Some(n) = note {
        out.push(line(i, "f-decline-note", n));
    }
    out
}

#[derive(Template)]
#[template(path = "inbound.html")]
pub struct InboundPage {
    pub c: Chrome,
    pub back: (String, String),
    pub status: String,
    pub urgent: bool,
    pub notice: Option<String>,
    pub summary: Vec<Line>,
    pub sections: Vec<Section>,
    /// Where to register the person, for a counsellor, while it waits.
    pub register_href: Option<String>,
    /// The case it became, for the office.
    pub case_href: Option<String>,
    pub decline_action: String,
    pub decline_fields: Vec<Field>,
    pub errors: FormErrors,
    /// Where the partner withdraws it, while it waits.
    pub withdraw_action: Option<String>,
}

// ---- the partner's side ------------------------------------------------------------

fn referral_inputs(i: &I18n, offices: &[(OfficeId, String)]) -> Vec<In> {
    let offices = offices
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    let mut out = vec![
        In::Select(
            "office",
            "f-inbound-office",
            Some("f-inbound-office-hint"),
            with_empty(offices, String::new()),
            false,
        ),
        In::Text(
            "referrer_reference",
            "f-referrer-reference",
            Some("f-referrer-reference-hint"),
        ),
        In::Heading(i.t("inbound-person-heading")),
    ];
    out.extend(person_inputs(i));
    out.extend([
        In::Heading(i.t("inbound-referral-heading")),
        In::Area("reason", "f-inbound-reason", Some("f-inbound-reason-hint")),
        In::Area(
            "household",
            "f-inbound-household",
            Some("f-inbound-household-hint"),
        ),
        In::Select(
            "country_of_return",
            "f-country",
            None,
            with_empty(country_options(i), String::new()),
            true,
        ),
        In::Check("urgent", "f-inbound-urgent", Some("f-inbound-urgent-hint")),
        In::Heading(i.t("inbound-consent-heading")),
        In::Date(
            "consent",
            "f-inbound-consent",
            Some("f-inbound-consent-hint"),
        ),
        In::Text(
            "representative",
            "f-inbound-representative",
            Some("f-inbound-representative-hint"),
        ),
    ]);
    out
}

/// Where a reason about a referral belongs in its form.
fn referral_field(path: &str) -> String {
    match path {
        "consent/given_on" => "consent-day".into(),
        "consent/representative" => "representative".into(),
        p if p.starts_with("person/") => field_of(p.trim_start_matches("person/")),
        other => field_of(other),
    }
}

/// The offices a person can be referred to, as the application says.
async fn host_offices(st: &WebState) -> Result<Vec<(OfficeId, String)>, AppError> {
    Ok(st
        .app
        .inbound_offices()
        .await?
        .iter()
        .map(|o| (o.id, office_label(o)))
        .collect())
}

async fn referral_form(st: &WebState, v: &Visitor, f: &FormData, errors: &FormErrors) -> Response {
    let offices = match host_offices(st).await {
        Ok(o) => o,
        Err(e) => return app_error(v, e),
    };
    let mut f = f.clone();
    if offices.len() == 1 && f.get("office").is_empty() {
        f.set("office", offices[0].0.to_string());
    }
    super::admin::form_page_from(
        v,
        ("/partner/inbound".into(), v.i.t("inbound-sent-title")),
        v.i.t("inbound-new-title"),
        "/partner/inbound/new".into(),
        referral_inputs(&v.i, &offices),
        &f,
        errors,
        Some(v.i.t("inbound-new-notice")),
    )
}

fn partner_only(v: &Visitor, p: &Principal) -> Option<Response> {
    inbound::referrer_of(&p.actor)
        .is_none()
        .then(|| forbidden(v))
}

pub async fn new_form(State(st): State<WebState>, SignedIn(v, p): SignedIn) -> Response {
    if let Some(no) = partner_only(&v, &p) {
        return no;
    }
    referral_form(&st, &v, &FormData::default(), &FormErrors::default()).await
}

fn parse_referral(v: &Visitor, f: &FormData, errors: &mut FormErrors) -> Option<InboundDetails> {
    let i = &v.i;
    let mut parse = Parse::default();
    let office = f.get("office").parse::<Uuid>().ok();
    if office.is_none() {
        errors.missing("office", i);
    }
    let reference = parse.opt_text("referrer_reference", &f.opt("referrer_reference"));
    let person = parse_person(f, &mut parse, i);
    let reason = match f.opt("reason") {
        Some(r) => parse.text("reason", &r),
        None => {
            errors.missing("reason", i);
            None
        }
    };
    let household = parse.opt_text("household", &f.opt("household"));
    let country = parse.opt_country("country_of_return", &f.opt("country_of_return"));
    let given_on = match forms::date(f, "consent") {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.missing("consent-day", i);
            None
        }
        Err(forms::NotADate) => {
            errors.add("consent-day", i.t("err-date-invalid"));
            None
        }
    };
    let representative = parse.opt_text("representative", &f.opt("representative"));
    errors.add_violations(i, &parse.errors, referral_field);
    let details = InboundDetails {
        office: OfficeId(office?),
        referrer_reference: reference?,
        person: person?,
        household: household?,
        country_of_return: country?,
        reason: reason?,
        urgent: f.checked("urgent"),
        consent: InboundConsent {
            given_on: given_on?,
            representative: representative?,
        },
    };
    errors.is_empty().then_some(details)
}

pub async fn submit(State(st): State<WebState>, SignedIn(v, p): SignedIn, body: Bytes) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) {
        return forbidden(&v);
    }
    if let Some(no) = partner_only(&v, &p) {
        return no;
    }
    let mut errors = FormErrors::default();
    let Some(details) = parse_referral(&v, &f, &mut errors) else {
        return referral_form(&st, &v, &f, &errors).await;
    };
    match st.app.submit_inbound(&p, details).await {
        Ok(sent) => redirect_with(&format!("/partner/inbound/{}", sent.id), "done", v.secure),
        Err(AppError::Invalid(vs)) => {
            errors.add_violations(&v.i, &vs, referral_field);
            referral_form(&st, &v, &f, &errors).await
        }
        Err(e) => app_error(&v, e),
    }
}

fn sent_row(i: &I18n, offices: &[(OfficeId, String)], r: ReferrerView) -> WorkRow {
    WorkRow {
        href: format!("/partner/inbound/{}", r.id),
        reference: r
            .referrer_reference
            .map(|x| x.to_string())
            .unwrap_or_else(|| i.day(r.submitted_at)),
        name: office_name(offices, r.office),
        cells: vec![
            i.datetime(r.submitted_at),
            outcome(
                i,
                r.status,
                r.case_reference.map(|x| x.to_string()),
                r.decline_reason,
            ),
        ],
    }
}

/// The people the partner's organisation referred, by where they stand.
pub async fn sent_list(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Query(q): Query<QueueQuery>,
) -> Response {
    let i = v.i;
    let list = list_of(&q);
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let per = PageRequest {
        page,
        per_page: PER_PAGE,
    };
    let (found, offices) = match (
        st.app.sent_inbound(&p, list, per).await,
        office_names(&st).await,
    ) {
        (Ok(f), Ok(o)) => (f, o),
        (Err(e), _) | (_, Err(e)) => return app_error(&v, e),
    };
    let paging = Paging::of(&i, found.total, found.total_exact, page, PER_PAGE);
    let (code, title) = list_code(list, true);
    let lists = InboundList::ALL.map(|l| list_code(l, true));
    let t = WorkListPage::new(
        Chrome::new(&v, i.t(title)),
        &i,
        "/partner/inbound",
        &lists,
        code,
        Some(i.t(&format!("{title}-hint"))),
        ["col-received", "col-status"].map(|h| i.t(h)).to_vec(),
        found
            .items
            .into_iter()
            .map(|r| sent_row(&i, &offices, r))
            .collect(),
        paging,
    )
    .with_lead(i.t("f-referrer-reference"), i.t("f-inbound-office"))
    .with_action("/partner/inbound/new", i.t("inbound-new-title"));
    consume_flash(&v, ok(&t))
}

fn referrer_page(v: &Visitor, r: &ReferrerView, offices: &[(OfficeId, String)]) -> InboundPage {
    let i = &v.i;
    let mut summary = vec![
        line(i, "f-inbound-office", office_name(offices, r.office)),
        line(i, "col-received", i.datetime(r.submitted_at)),
    ];
    if let Some(x) = &r.referrer_reference {
        summary.push(line(i, "f-referrer-reference", x.to_string()));
    }
    summary.extend(decision_lines(
        i,
        r.decided_at,
        r.decline_reason,
        r.decline_note.as_ref().map(|n| n.to_string()),
        r.case_reference.as_ref().map(|x| x.to_string()),
    ));
    let mut sections = vec![];
    if let Some(d) = &r.details {
        sections.push(Section {
            heading: i.t("inbound-referral-heading"),
            lines: detail_lines(i, d),
        });
        sections.push(person_section(i, &d.person));
    }
    let waiting = r.status == InboundStatus::Received;
    InboundPage {
        c: Chrome::new(v, i.t("inbound-one-title")),
        back: ("/partner/inbound".into(), i.t("inbound-sent-title")),
        status: status(i, r.status),
        urgent: r.urgent,
        notice: (!waiting).then(|| i.t("inbound-details-gone")),
        summary,
        sections,
        register_href: None,
        case_href: None,
        decline_action: String::new(),
        decline_fields: vec![],
        errors: FormErrors::default(),
        withdraw_action: waiting.then(|| format!("/partner/inbound/{}/withdraw", r.id)),
    }
}

pub async fn sent_show(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
) -> Response {
    match (
        st.app.sent_inbound_one(&p, InboundId(id)).await,
        office_names(&st).await,
    ) {
        (Ok(r), Ok(o)) => consume_flash(&v, ok(&referrer_page(&v, &r, &o))),
        (Err(e), _) | (_, Err(e)) => app_error(&v, e),
    }
}

pub async fn withdraw(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) {
        return forbidden(&v);
    }
    match st.app.withdraw_inbound(&p, InboundId(id)).await {
        Ok(_) => redirect_with(&format!("/partner/inbound/{id}"), "done", v.secure),
        Err(AppError::Refused(_)) => redirect_with(
            &format!("/partner/inbound/{id}"),
            "inbound-already-decided",
            v.secure,
        ),
        Err(e) => app_error(&v, e),
    }
}

/// The partner's home page queue: its referrals waiting at the programme.
pub(super) async fn partner_home_queue(
    st: &WebState,
    v: &Visitor,
    p: &Principal,
) -> Result<Queue, AppError> {
    let found = st
        .app
        .sent_inbound(
            p,
            InboundList::Waiting,
            PageRequest {
                page: 1,
                per_page: super::QUEUE_SIZE,
            },
        )
        .await?;
    let offices = office_names(st).await?;
    let items: Vec<QueueItem> = found
        .items
        .iter()
        .map(|r| QueueItem {
            href: format!("/partner/inbound/{}", r.id),
            reference: r
                .referrer_reference
                .as_ref()
                .map(|x| x.to_string())
                .unwrap_or_else(|| v.i.day(r.submitted_at)),
            name: office_name(&offices, r.office),
            note: v.i.t1("inbound-sent-on", "date", v.i.day(r.submitted_at)),
        })
        .collect();
    Ok(Queue {
        title: v.i.t("inbound-sent-waiting"),
        hint: Some(v.i.t("inbound-sent-waiting-hint")),
        more: Some("/partner/inbound".into()),
        items,
        total: found.total,
    })
}

// ---- the office's side -------------------------------------------------------------

/// Whether the caller takes inbound referrals at one of its offices.
pub fn takes_inbound(p: &Principal) -> bool {
    p.actor
        .offices
        .iter()
        .any(|o| inbound::may_take(&p.actor, *o))
}

fn item_row(i: &I18n, r: InboundItem) -> WorkRow {
    WorkRow {
        href: format!("/inbound/{}", r.id),
        reference: i.day(r.submitted_at),
        name: r.person_name.unwrap_or_else(|| i.t("inbound-erased")),
        cells: vec![
            r.organisation_name.to_string(),
            if r.urgent { i.t("yes") } else { String::new() },
            outcome(i, r.status, r.case_reference.map(|x| x.to_string()), None),
        ],
    }
}

/// The referrals received at the caller's offices, by where they stand.
pub async fn queue_list(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Query(q): Query<QueueQuery>,
) -> Response {
    let i = v.i;
    let list = list_of(&q);
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let found = match st
        .app
        .inbound_queue(
            &p,
            list,
            PageRequest {
                page,
                per_page: PER_PAGE,
            },
        )
        .await
    {
        Ok(f) => f,
        Err(e) => return app_error(&v, e),
    };
    let paging = Paging::of(&i, found.total, found.total_exact, page, PER_PAGE);
    let (code, title) = list_code(list, false);
    let lists = InboundList::ALL.map(|l| list_code(l, false));
    let t = WorkListPage::new(
        Chrome::new(&v, i.t(title)),
        &i,
        "/inbound",
        &lists,
        code,
        Some(i.t(&format!("{title}-hint"))),
        ["col-referred-by", "f-inbound-urgent", "col-status"]
            .map(|h| i.t(h))
            .to_vec(),
        found.items.into_iter().map(|r| item_row(&i, r)).collect(),
        paging,
    )
    .with_lead(i.t("col-received"), i.t("col-name"));
    consume_flash(&v, ok(&t))
}

/// The office's home page queue: referrals received and waiting.
pub(super) async fn home_queue(
    st: &WebState,
    v: &Visitor,
    p: &Principal,
) -> Result<Queue, AppError> {
    let found = st
        .app
        .inbound_queue(
            p,
            InboundList::Waiting,
            PageRequest {
                page: 1,
                per_page: super::QUEUE_SIZE,
            },
        )
        .await?;
    let items: Vec<QueueItem> = found
        .items
        .into_iter()
        .map(|r| QueueItem {
            href: format!("/inbound/{}", r.id),
            reference: v.i.day(r.submitted_at),
            name: r.person_name.unwrap_or_default(),
            note: if r.urgent {
                v.i.t1(
                    "inbound-from-urgent",
                    "organisation",
                    r.organisation_name.to_string(),
                )
            } else {
                v.i.t1(
                    "inbound-from",
                    "organisation",
                    r.organisation_name.to_string(),
                )
            },
        })
        .collect();
    Ok(Queue {
        title: v.i.t("inbound-waiting"),
        hint: Some(v.i.t("inbound-waiting-hint")),
        more: (found.total > items.len() as i64).then(|| "/inbound".to_string()),
        items,
        total: found.total,
    })
}

fn decline_inputs(i: &I18n) -> Vec<In> {
    vec![
        In::Radios(
            "reason",
            "f-decline-reason",
            DeclineReason::ALL
                .iter()
                .map(|r| (r.code().to_string(), i.opt("decline_reason", r.code())))
                .collect(),
        ),
        In::Area("note", "f-decline-note", Some("f-decline-note-hint")),
    ]
}

fn office_page(
    v: &Visitor,
    p: &Principal,
    r: &InboundReferral,
    offices: &[(OfficeId, String)],
    f: &FormData,
    errors: FormErrors,
) -> InboundPage {
    let i = &v.i;
    let mut summary = vec![
        line(i, "col-referred-by", r.organisation_name.to_string()),
        line(
            i,
            "f-referral-source",
            i.opt("referral", &enum_code(&r.source)),
        ),
        line(i, "col-received", i.datetime(r.submitted_at)),
        line(i, "f-inbound-office", office_name(offices, r.office)),
    ];
    if let Some(x) = &r.referrer_reference {
        summary.push(line(i, "f-referrer-reference", x.to_string()));
    }
    summary.extend(decision_lines(
        i,
        r.decided_at,
        r.decline_reason,
        r.decline_note.as_ref().map(|n| n.to_string()),
        r.case_reference.as_ref().map(|x| x.to_string()),
    ));
    let waiting = r.status == InboundStatus::Received;
    let sections = match &r.details {
        Some(d) => vec![
            Section {
                heading: i.t("inbound-referral-heading"),
                lines: detail_lines(i, d),
            },
            person_section(i, &d.person),
        ],
        None => vec![],
    };
    InboundPage {
        c: Chrome::new(
            v,
            r.details
                .as_ref()
                .map(|d| d.person.name.display())
                .unwrap_or_else(|| i.t("inbound-one-title")),
        ),
        back: ("/inbound".into(), i.t("inbound-waiting")),
        status: status(i, r.status),
        urgent: r.urgent,
        notice: r.details.is_none().then(|| i.t("inbound-erased-notice")),
        summary,
        sections,
        register_href: (waiting && p.actor.may_register_cases())
            .then(|| format!("/cases/new?inbound={}", r.id)),
        case_href: r.case_id.map(|c| format!("/cases/{c}")),
        decline_action: format!("/inbound/{}/decline", r.id),
        decline_fields: if waiting {
            render(decline_inputs(i), f, &errors, i)
        } else {
            vec![]
        },
        errors,
        withdraw_action: None,
    }
}

pub async fn show(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
) -> Response {
    match (
        st.app.inbound_for_office(&p, InboundId(id)).await,
        office_names(&st).await,
    ) {
        (Ok(r), Ok(o)) => consume_flash(
            &v,
            ok(&office_page(
                &v,
                &p,
                &r,
                &o,
                &FormData::default(),
                FormErrors::default(),
            )),
        ),
        (Err(e), _) | (_, Err(e)) => app_error(&v, e),
    }
}

pub async fn decline(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) {
        return forbidden(&v);
    }
    let i = &v.i;
    let mut errors = FormErrors::default();
    let reason = f.opt("reason").and_then(|r| DeclineReason::from_code(&r));
    if reason.is_none() {
        errors.missing("reason", i);
    }
    let mut parse = Parse::default();
    let note = parse.opt_text("note", &f.opt("note"));
    errors.add_violations(i, &parse.errors, field_of);
    if let (Some(reason), Some(note), true) = (reason, note, errors.is_empty()) {
        match st
            .app
            .decline_inbound(&p, InboundId(id), reason, note)
            .await
        {
            Ok(_) => return redirect_with(&format!("/inbound/{id}"), "done", v.secure),
            Err(AppError::Invalid(vs)) => errors.add_violations(i, &vs, field_of),
            Err(AppError::Refused(r)) if r.has("inbound.not_waiting") => {
                return redirect_with(
                    &format!("/inbound/{id}"),
                    "inbound-already-decided",
                    v.secure,
                );
            }
            Err(AppError::Refused(r)) => errors.add_violations(i, &r.violations, field_of),
            Err(e) => return app_error(&v, e),
        }
    }
    match (
        st.app.inbound_for_office(&p, InboundId(id)).await,
        office_names(&st).await,
    ) {
        (Ok(r), Ok(o)) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &office_page(&v, &p, &r, &o, &f, errors),
        ),
        (Err(e), _) | (_, Err(e)) => app_error(&v, e),
    }
}

/// The registration form filled from a referral the caller takes: the person's details,
/// the office and the country of return; the referral becomes the case's source.
pub async fn registration_form(
    st: &WebState,
    p: &Principal,
    id: Uuid,
) -> Result<FormData, AppError> {
    let r = st.app.inbound_for_office(p, InboundId(id)).await?;
    r.waiting()?;
    let d = r
        .details
        .as_ref()
        .ok_or_else(|| AppError::internal("a waiting referral without its details"))?;
    let mut f = crate::actions::person_form_of(&d.person);
    f.set("inbound", id.to_string());
    f.set("host_office", r.office.to_string());
    if let Some(c) = &d.country_of_return {
        f.set("country_of_return", c.to_string());
    }
    Ok(f)
}
