//! A partner organisation's pages: its referrals by where they stand, and one referral
//! as `case::shared` shows it (only the data the people consented to share), with the
//! form to record the organisation's answer. Nothing else of a case is reachable.

use super::forbidden;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use homeward_app::AppError;
use homeward_app::input::Parse;
use homeward_app::partners::{PartnerList, PartnerReferralItem};
use homeward_domain::Command;
use homeward_domain::case::referrals::{AnswerStatus, ReferralStatus, ReferralUpdate};
use homeward_domain::case::shared::{SharedPerson, SharedReferral};
use homeward_domain::ids::{CaseId, ReferralId};
use homeward_store::PageRequest;
use uuid::Uuid;

use super::case::{born, enum_code};
use super::cases::Paging;
use super::directory::Line;
use super::follow_ups::{PER_PAGE, QueueQuery, WorkListPage, WorkRow};
use super::{Queue, QueueItem, app_error, consume_flash, redirect_with};
use crate::WebState;
use crate::actions::{Field, In, render};
use crate::chrome::{Chrome, ok, page};
use crate::forms::{FormData, FormErrors};
use crate::i18n::I18n;
use crate::session::{SignedIn, Visitor};

/// The list's code in URLs and its title's message.
pub fn list_code(l: PartnerList) -> (&'static str, &'static str) {
    match l {
        PartnerList::Waiting => ("waiting", "partner-waiting"),
        PartnerList::Active => ("active", "partner-active"),
        PartnerList::Finished => ("finished", "partner-finished"),
    }
}

fn href(r: &PartnerReferralItem) -> String {
    format!("/partner/referrals/{}/{}", r.case_id.0, r.referral_id.0)
}

fn service(i: &I18n, r: &PartnerReferralItem) -> String {
    r.service
        .map(|s| i.opt("service", s.code()))
        .unwrap_or_default()
}

fn due(i: &I18n, r: &PartnerReferralItem) -> String {
    if r.overdue {
        i.t1("case-referral-overdue", "date", i.date(r.due))
    } else {
        i.date(r.due)
    }
}

fn row(i: &I18n, r: PartnerReferralItem) -> WorkRow {
    WorkRow {
        href: href(&r),
        name: service(i, &r),
        cells: vec![
            i.date(r.sent),
            due(i, &r),
            r.status
                .map(|s| i.opt("referral_status", s.code()))
                .unwrap_or_default(),
        ],
        reference: r.case_reference,
    }
}

/// The home page's queues of a partner: the first referrals of each list.
pub(super) async fn home_queues(
    st: &WebState,
    v: &Visitor,
    p: &homeward_app::Principal,
) -> Result<Vec<Queue>, AppError> {
    let today = homeward_app::now().date_naive();
    let mut out = vec![];
    for list in PartnerList::ALL {
        let (code, title) = list_code(list);
        let found = st
            .app
            .partner_referrals(
                p,
                list,
                today,
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
                href: href(&r),
                name: service(&v.i, &r),
                note: v.i.t1("partner-due", "date", due(&v.i, &r)),
                reference: r.case_reference,
            })
            .collect();
        out.push(Queue {
            title: v.i.t(title),
            hint: Some(v.i.t(&format!("{title}-hint"))),
            more: (found.total > items.len() as i64).then(|| format!("/partner?queue={code}")),
            items,
            total: found.total,
        });
    }
    Ok(out)
}

pub async fn list(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Query(q): Query<QueueQuery>,
) -> Response {
    let i = v.i;
    let list = PartnerList::ALL
        .into_iter()
        .find(|l| Some(list_code(*l).0) == q.queue.as_deref())
        .unwrap_or(PartnerList::Waiting);
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let today = homeward_app::now().date_naive();
    let result = match st
        .app
        .partner_referrals(
            &p,
            list,
            today,
            PageRequest {
                page,
                per_page: PER_PAGE,
            },
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let paging = Paging::of(&i, result.total, result.total_exact, page, PER_PAGE);
    let (code, title) = list_code(list);
    let lists = PartnerList::ALL.map(list_code);
    let t = WorkListPage::new(
        Chrome::new(&v, i.t(title)),
        &i,
        "/partner",
        &lists,
        code,
        Some(i.t(&format!("{title}-hint"))),
        [
            "col-service",
            "col-referred",
            "col-answer-due",
            "col-status",
        ]
        .map(|h| i.t(h))
        .to_vec(),
        result.items.into_iter().map(|r| row(&i, r)).collect(),
        paging,
    );
    consume_flash(&v, ok(&t))
}

/// A group of what is shown, under its heading.
pub struct Section {
    pub heading: String,
    pub lines: Vec<Line>,
}

/// A step as listed.
pub struct StepLine {
    pub when: String,
    pub label: String,
    pub detail: Option<String>,
}

#[derive(Template)]
#[template(path = "partner_referral.html")]
pub struct ReferralPage {
    pub c: Chrome,
    /// Where "back" goes (a partner's lists; none on a link's page).
    pub back: Option<(String, String)>,
    pub status: String,
    pub overdue: bool,
    pub notice: Option<String>,
    pub summary: Vec<Line>,
    pub sections: Vec<Section>,
    pub steps: Vec<StepLine>,
    pub action: String,
    pub version: u64,
    pub form_fields: Vec<Field>,
    pub errors: FormErrors,
}

/// A summary line: a translated label and its value.
pub(super) fn line(i: &I18n, label: &str, value: String) -> Line {
    Line {
        label: i.t(label),
        value,
        ltr: false,
    }
}

fn summary(i: &I18n, r: &SharedReferral) -> Vec<Line> {
    let mut out = vec![
        line(i, "col-reference", r.case_reference.to_string()),
        line(i, "col-service", i.opt("service", r.service.code())),
    ];
    if let Some(c) = &r.country {
        out.push(line(i, "partner-country", i.country(c.as_str())));
    }
    out.push(line(i, "col-referred", i.datetime(r.sent_at)));
    let answer = match r.answer {
        AnswerStatus::Answered => None,
        AnswerStatus::Waiting { due } => Some(i.date(due)),
        AnswerStatus::Overdue { due } | AnswerStatus::Escalated { due } => {
            Some(i.t1("case-referral-overdue", "date", i.date(due)))
        }
    };
    if let Some(a) = answer {
        out.push(line(i, "col-answer-due", a));
    }
    if let Some(n) = &r.note {
        out.push(line(i, "partner-asked", n.to_string()));
    }
    if let Some(who) = &r.receiver {
        out.push(line(i, "partner-receiver", who.to_string()));
    }
    let groups: Vec<String> = r
        .shared
        .iter()
        .map(|g| i.opt("data_group", &enum_code(g)))
        .collect();
    out.push(line(i, "partner-shared", i.list(groups)));
    out
}

fn person_section(i: &I18n, n: usize, person: &SharedPerson, today: chrono::NaiveDate) -> Section {
    let mut lines = vec![];
    let heading = match &person.identity {
        Some(id) => {
            lines.push(line(i, "f-dob", born(i, &id.date_of_birth, today)));
            lines.push(line(i, "f-sex", i.opt("sex", &enum_code(&id.sex))));
            if let Some(c) = &id.nationality {
                lines.push(line(i, "f-nationality", i.country(c.as_str())));
            }
            id.name.clone()
        }
        None => i.t1("partner-person", "n", i.number(n as i64)),
    };
    if let Some(c) = &person.contact {
        let ltr = |label: &str, value: String| Line {
            label: i.t(label),
            value,
            ltr: true,
        };
        if let Some(v) = &c.phone {
            lines.push(ltr("f-phone", v.to_string()));
        }
        if let Some(v) = &c.email {
            lines.push(ltr("f-email", v.to_string()));
        }
        if let Some(v) = &c.address {
            lines.push(line(i, "f-address", v.to_string()));
        }
        let langs: Vec<String> = c.languages.iter().map(|l| l.to_string()).collect();
        if !langs.is_empty() {
            lines.push(line(i, "f-languages", i.list(langs)));
        }
    }
    if let Some(vs) = &person.vulnerabilities {
        let named: Vec<String> = vs.iter().map(|v| i.opt("vuln", v.code())).collect();
        lines.push(line(
            i,
            "f-vulnerabilities",
            if named.is_empty() {
                i.t("partner-none")
            } else {
                i.list(named)
            },
        ));
    }
    if let Some(m) = &person.medical {
        lines.push(line(
            i,
            "f-fitness",
            m.fitness
                .map(|f| i.opt("fitness", &enum_code(&f)))
                .unwrap_or_else(|| i.t("partner-not-assessed")),
        ));
        if let Some(d) = &m.details {
            lines.push(line(i, "f-medical-details", d.to_string()));
        }
    }
    if let Some(pr) = &person.protection {
        let mut history = vec![];
        if pr.victim_of_trafficking {
            history.push(i.opt("vuln", "victim_of_trafficking"));
        }
        if pr.victim_of_violence {
            history.push(i.opt("vuln", "victim_of_violence"));
        }
        lines.push(line(
            i,
            "partner-protection",
            if history.is_empty() {
                i.t("partner-none")
            } else {
                i.list(history)
            },
        ));
        lines.push(line(
            i,
            "partner-risk",
            pr.risk
                .map(|r| i.opt("risk", &enum_code(&r)))
                .unwrap_or_else(|| i.t("partner-not-assessed")),
        ));
        if let Some(n) = &pr.risk_notes {
            lines.push(line(i, "partner-risk-notes", n.to_string()));
        }
    }
    Section { heading, lines }
}

fn sections(i: &I18n, r: &SharedReferral, today: chrono::NaiveDate) -> Vec<Section> {
    let mut out: Vec<Section> = r
        .people
        .iter()
        .enumerate()
        .map(|(n, person)| person_section(i, n + 1, person, today))
        .collect();
    if let Some(family) = &r.family {
        out.push(Section {
            heading: i.t("partner-family"),
            lines: family
                .iter()
                .map(|m| Line {
                    label: i.opt("relationship", &enum_code(&m.relationship)),
                    value: i.ta(
                        "partner-relative",
                        &[
                            ("sex", i.opt("sex", &enum_code(&m.sex)).into()),
                            ("age", i.number(i64::from(m.age)).into()),
                        ],
                    ),
                    ltr: false,
                })
                .collect(),
        });
    }
    if let Some(j) = &r.journey {
        let mut lines: Vec<Line> = j
            .legs
            .iter()
            .map(|l| Line {
                label: format!("{} {}", l.carrier, l.flight_number),
                value: format!(
                    "{} {} → {} {}",
                    l.from,
                    i.datetime(l.departs_at),
                    l.to,
                    i.datetime(l.arrives_at)
                ),
                ltr: true,
            })
            .collect();
        if lines.is_empty() {
            lines.push(line(i, "partner-journey", i.t("partner-no-flights")));
        }
        if let Some(at) = j.arrived_at {
            lines.push(line(i, "partner-arrived", i.datetime(at)));
        }
        out.push(Section {
            heading: i.t("partner-journey"),
            lines,
        });
    }
    out
}

fn steps(i: &I18n, r: &SharedReferral) -> Vec<StepLine> {
    let mut out = vec![StepLine {
        when: i.datetime(r.sent_at),
        label: i.opt("referral_status", ReferralStatus::Sent.code()),
        detail: None,
    }];
    out.extend(r.steps.iter().map(|s| {
        let detail = match (s.said.as_ref().map(|w| w.to_string()), &s.note) {
            (Some(a), Some(n)) => Some(format!("{a} — {n}")),
            (Some(a), None) => Some(a),
            (None, Some(n)) => Some(n.to_string()),
            (None, None) => None,
        };
        let mut label = i.opt("referral_status", s.status.code());
        if let Some(who) = &s.answered_by {
            label = format!(
                "{label} ({})",
                i.t1("referral-answered-by", "name", who.to_string())
            );
        }
        StepLine {
            when: i.datetime(s.at),
            label,
            detail,
        }
    }));
    out
}

/// Who answers on the page: a partner user, or whoever holds a referral's link.
pub enum Answering<'a> {
    Partner,
    Link(&'a str),
}

fn inputs(i: &I18n, r: &SharedReferral, who: &Answering) -> Vec<In> {
    if r.your_steps.is_empty() {
        return vec![];
    }
    let options = r
        .your_steps
        .iter()
        .map(|s| (s.code().to_string(), i.opt("referral_status", s.code())))
        .collect();
    let mut out = vec![];
    if let Answering::Link(_) = who {
        // No account says who answered: they say it.
        out.push(In::Text(
            "answered_by",
            "link-answered-by",
            Some("link-answered-by-hint"),
        ));
    }
    out.extend([
        In::Radios("step", "f-referral-step", options),
        In::Area("reason", "f-referral-reason", Some("partner-reason-hint")),
        In::Area("what", "f-referral-what", Some("f-referral-what-hint")),
        In::Text(
            "receiver",
            "f-referral-receiver",
            Some("f-referral-receiver-hint"),
        ),
        In::Area("note", "f-referral-step-note", None),
    ]);
    out
}

pub fn referral_page(
    v: &Visitor,
    r: &SharedReferral,
    who: &Answering,
    f: &FormData,
    errors: FormErrors,
) -> ReferralPage {
    let i = &v.i;
    let today = homeward_app::now().date_naive();
    let notice = if !r.data_shown {
        Some(i.t("partner-data-withdrawn"))
    } else {
        None
    };
    let (back, action) = match who {
        Answering::Partner => (
            Some(("/partner".to_string(), i.t("partner-title"))),
            format!("/partner/referrals/{}/{}", r.case_id.0, r.referral_id.0),
        ),
        Answering::Link(secret) => (None, format!("/r/{secret}")),
    };
    ReferralPage {
        c: Chrome::new(
            v,
            format!(
                "{} — {}",
                i.opt("service", r.service.code()),
                r.case_reference
            ),
        ),
        back,
        status: i.opt("referral_status", r.status.code()),
        overdue: matches!(
            r.answer,
            AnswerStatus::Overdue { .. } | AnswerStatus::Escalated { .. }
        ),
        notice,
        summary: summary(i, r),
        sections: sections(i, r, today),
        steps: steps(i, r),
        action,
        version: r.version,
        form_fields: render(inputs(i, r, who), f, &errors, i),
        errors,
    }
}

/// The answer a submitted form asks for (its referral set by the caller), with every
/// problem of its fields in `errors`.
pub fn answer_of(
    v: &Visitor,
    f: &FormData,
    referral: ReferralId,
    errors: &mut FormErrors,
) -> Result<Option<ReferralUpdate>, AppError> {
    let mut parse = Parse::default();
    let chosen = f
        .opt("step")
        .and_then(|s| ReferralStatus::ALL.into_iter().find(|x| x.code() == s));
    let step = match chosen {
        Some(s) => {
            homeward_app::input::referral_step(&mut parse, s, &f.opt("reason"), &f.opt("what"))
        }
        None => {
            errors.missing("step", &v.i);
            None
        }
    };
    let note = parse.opt_text("note", &f.opt("note"));
    let receiver = parse.opt_text("receiver", &f.opt("receiver"));
    let answered_by = parse.opt_text("answered_by", &f.opt("answered_by"));
    let built = (|| {
        Some(ReferralUpdate {
            referral_id: referral,
            step: step?,
            note: note?,
            receiver: receiver?,
            answered_by: answered_by?,
        })
    })();
    match parse.finish(built) {
        Ok(u) if errors.is_empty() => Ok(Some(u)),
        Ok(_) => Ok(None),
        Err(AppError::Invalid(vs)) => {
            errors.add_violations(&v.i, &vs, crate::actions::field_of);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Adds what an answer's refusal says to the form's errors; other errors are returned.
pub fn refused(v: &Visitor, e: AppError, errors: &mut FormErrors) -> Result<(), AppError> {
    match e {
        AppError::Invalid(vs) => errors.add_violations(&v.i, &vs, crate::actions::field_of),
        AppError::Refused(r) => {
            errors.add_violations(&v.i, &r.violations, crate::actions::field_of)
        }
        AppError::Conflict { .. } => errors.add("", v.i.t("conflict-body")),
        other => return Err(other),
    }
    Ok(())
}

pub async fn show(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path((case_id, referral_id)): Path<(Uuid, Uuid)>,
) -> Response {
    match st
        .app
        .partner_referral(&p, CaseId(case_id), ReferralId(referral_id))
        .await
    {
        Ok(r) => consume_flash(
            &v,
            ok(&referral_page(
                &v,
                &r,
                &Answering::Partner,
                &FormData::default(),
                FormErrors::default(),
            )),
        ),
        Err(e) => app_error(&v, e),
    }
}

/// Records the organisation's answer; on a refusal the page shows again with every
/// reason at its field and what was typed.
pub async fn answer(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path((case_id, referral_id)): Path<(Uuid, Uuid)>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) {
        return forbidden(&v);
    }
    let (case, referral) = (CaseId(case_id), ReferralId(referral_id));
    let mut errors = FormErrors::default();
    let update = match answer_of(&v, &f, referral, &mut errors) {
        Ok(u) => u,
        Err(e) => return app_error(&v, e),
    };
    if let Some(mut u) = update {
        // A partner's account says who answered.
        u.answered_by = None;
        let version = f.get("version").parse::<u64>().unwrap_or(0);
        match st
            .app
            .execute(&p, case, version, None, Command::UpdateReferral(u))
            .await
        {
            Ok(_) => {
                return redirect_with(
                    &format!("/partner/referrals/{case_id}/{referral_id}"),
                    "done",
                    v.secure,
                );
            }
            Err(e) => {
                if let Err(e) = refused(&v, e, &mut errors) {
                    return app_error(&v, e);
                }
            }
        }
    }
    match st.app.partner_referral(&p, case, referral).await {
        Ok(r) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &referral_page(&v, &r, &Answering::Partner, &f, errors),
        ),
        Err(e) => app_error(&v, e),
    }
}
