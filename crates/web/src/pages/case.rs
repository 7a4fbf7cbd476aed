//! The case page: summary, people, what happens next, the actions possible now (and why
//! others are not), the records, and the timeline of every event.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use homeward_app::Principal;
use homeward_app::views::CaseView;
use homeward_domain::access::may_offer;
use homeward_domain::case::allowed_stages;
use homeward_domain::case::next::NextStep;
use homeward_domain::ids::CaseId;
use homeward_domain::{CommandKind, Stage};
use uuid::Uuid;

mod monitoring;
mod plan;
mod referrals;

use super::{app_error, consume_flash};
use crate::WebState;
use crate::actions::{offered, slug};
use crate::chrome::{Chrome, ok};
use crate::forms::rule_message;
use crate::i18n::I18n;
use crate::session::{SignedIn, Visitor};

pub struct PersonRow {
    /// Where to change this person's details, for roles that may.
    pub edit: Option<String>,
    pub name: String,
    pub latin: Option<String>,
    pub relationship: String,
    pub born: String,
    pub sex: String,
    pub nationality: String,
    pub languages: String,
    pub legal: String,
    pub vulnerabilities: String,
    pub consent: String,
}

pub struct ActionLink {
    pub href: String,
    pub label: String,
}

pub struct Blocked {
    pub label: String,
    pub reason: String,
}

pub struct Line {
    pub label: String,
    pub value: String,
}

pub struct TimelineRow {
    pub when: String,
    pub recorded: String,
    pub who: String,
    pub what: String,
    pub detail: String,
    pub corrected: Option<String>,
}

/// A next step, written out.
pub struct StepLine {
    pub text: String,
    pub by: String,
    pub overdue: bool,
}

/// A next step in the reader's language: what, from whom, by or since when.
pub fn step_line(i: &I18n, case: &homeward_domain::Case, s: &NextStep) -> StepLine {
    let json = serde_json::to_value(s.step).unwrap_or_default();
    let code = json["step"].as_str().unwrap_or_default().to_string();
    let mut args: Vec<(&str, fluent_templates::fluent_bundle::FluentValue)> = vec![(
        "date",
        s.date.map_or_else(|| "—".to_string(), |d| i.date(d)).into(),
    )];
    for key in ["version", "items", "number"] {
        if let Some(n) = json[key].as_i64() {
            args.push((key, n.into()));
        }
    }
    if let Some(due) = json["due"].as_str().and_then(|d| d.parse().ok()) {
        args.push(("due", i.date(due).into()));
    }
    // A referral's step names its organisation and its need.
    if let Some(r) = json["referral_id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .and_then(|id| case.referrals.get(homeward_domain::ids::ReferralId(id)))
    {
        args.push((
            "organisation",
            r.request.organisation_name.to_string().into(),
        ));
        args.push(("service", i.opt("service", r.request.service.code()).into()));
    }
    StepLine {
        text: i.ta(&format!("next-{code}"), &args),
        by: i.t(&format!("role-{}", s.by.code())),
        overdue: s.overdue,
    }
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub c: Chrome,
    pub case_id: String,
    pub reference: String,
    pub name: String,
    pub stage: String,
    pub summary: Vec<Line>,
    pub people: Vec<PersonRow>,
    /// Flags raised by notes (risk, contact lost, urgent), shown first.
    pub flags: Vec<String>,
    /// What the case waits for, who takes it, overdue first.
    pub steps: Vec<StepLine>,
    pub next: Vec<String>,
    pub departure_ok: bool,
    pub actions: Vec<ActionLink>,
    pub blocked: Vec<Blocked>,
    pub records: Vec<(String, Vec<Line>)>,
    /// The returnee's survey scores over time, when follow-ups answered surveys.
    pub scores: Option<monitoring::ScoreHistory>,
    /// Where to issue an answer link for a referral, when one waits for its organisation
    /// and the reader may answer for it.
    pub answer_link: Option<String>,
    /// Where to withdraw a referral's links, for whoever may answer for its referrals.
    pub withdraw_links: Option<String>,
    pub timeline: Vec<TimelineRow>,
    pub withheld: Option<String>,
}

pub fn stage_label(i: &I18n, s: Stage) -> String {
    i.t(&format!("stage-{}", s.code()))
}

pub async fn show(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(case_id): Path<Uuid>,
) -> Response {
    match build(&st, &v, &p, CaseId(case_id)).await {
        Ok(page) => consume_flash(&v, ok(&page)),
        Err(e) => app_error(&v, e),
    }
}

/// The case as it prints, as a page of its own: what "Print" opens without JavaScript
/// (the browser's Print command prints it).
pub async fn print(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(case_id): Path<Uuid>,
) -> Response {
    match build(&st, &v, &p, CaseId(case_id)).await {
        Ok(mut page) => {
            page.c.print_view = true;
            ok(&page)
        }
        Err(e) => app_error(&v, e),
    }
}

async fn build(
    st: &WebState,
    v: &Visitor,
    p: &Principal,
    id: CaseId,
) -> Result<CasePage, homeward_app::AppError> {
    let i = v.i;
    let view = st.app.case_view(p, id).await?;
    let timeline = st.app.timeline(p, id).await?;
    let offices: HashMap<Uuid, String> = st
        .app
        .list_offices()
        .await?
        .into_iter()
        .map(|o| (o.id.0, format!("{} ({})", o.name, o.code)))
        .collect();
    let programme = st.app.get_programme(view.case.programme).await?;
    let case = &view.case;
    let names: HashMap<_, _> = case
        .members
        .iter()
        .chain(&case.removed_members)
        .map(|m| (m.person_id, m.details.name.display()))
        .collect();
    let name_of = |id: &homeward_domain::ids::PersonId| names.get(id).cloned().unwrap_or_default();
    let today = homeward_app::now().date_naive();

    let mut summary = vec![
        Line {
            label: i.t("field-stage"),
            value: stage_label(&i, case.stage),
        },
        Line {
            label: i.t("case-caseworker"),
            value: view.owner_name.clone().unwrap_or_else(|| i.t("none")),
        },
        Line {
            label: i.t("field-host-office"),
            value: offices
                .get(&case.host_office.0)
                .cloned()
                .unwrap_or_default(),
        },
        Line {
            label: i.t("field-return-office"),
            value: case
                .return_office
                .and_then(|o| offices.get(&o.0).cloned())
                .unwrap_or_else(|| i.t("none")),
        },
        Line {
            label: i.t("field-programme"),
            value: programme.name.to_string(),
        },
        Line {
            label: i.t("field-country-of-return"),
            value: i.country(case.proposal.country_of_return.as_str()),
        },
        Line {
            label: i.t("field-place-of-return"),
            value: case
                .proposal
                .place_of_return
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_else(|| i.t("none")),
        },
        Line {
            label: i.t("field-referral"),
            value: {
                let source = i.opt("referral", &enum_code(&case.referral.source));
                match &case.referral.referred_by {
                    Some(by) => format!("{source} — {by}"),
                    None => source,
                }
            },
        },
    ];
    if let Some(d) = case.dates.registered {
        summary.push(Line {
            label: i.t("field-registered"),
            value: i.day(d),
        });
    }
    if let Some(o) = case.outcome {
        let code = serde_json::to_value(o)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        summary.push(Line {
            label: i.t("field-outcome"),
            value: i.opt("outcome", &code),
        });
    }

    let people = case
        .members
        .iter()
        .map(|m| {
            let d = &m.details;
            let born = born(&i, &d.date_of_birth, today);
            let status = view.consent.iter().find(|c| c.person_id == m.person_id);
            let consent = match (case.consents.get(&m.person_id), status.map(|s| s.path)) {
                (_, Some("covered_by_family")) => i.t("case-consent-covered"),
                (Some(c), _) if c.withdrawn_at.is_some() => i.t1(
                    "case-consent-withdrawn",
                    "date",
                    i.day(c.withdrawn_at.unwrap_or(c.given_at)),
                ),
                (Some(c), _) => i.t1("case-consent-given", "date", i.day(c.given_at)),
                (None, _) => match status.and_then(|s| s.possible_from) {
                    Some(from) => i.t1("case-consent-possible-from", "date", i.day(from)),
                    None => i.t("case-consent-not-informed"),
                },
            };
            PersonRow {
                edit: (may_offer(&p.actor, case, CommandKind::UpdatePersonDetails).is_ok()
                    && allowed_stages(CommandKind::UpdatePersonDetails).contains(&case.stage))
                .then(|| {
                    format!(
                        "/cases/{}/do/update-person-details?person={}",
                        case.id, m.person_id
                    )
                }),
                name: d.name.display(),
                latin: d.name.latin.as_ref().map(|l| {
                    format!(
                        "{} {}",
                        l.given,
                        l.family.as_ref().map(|f| f.to_string()).unwrap_or_default()
                    )
                }),
                relationship: i.opt("relationship", &enum_code(&m.relationship)),
                born,
                sex: i.opt("sex", &enum_code(&d.sex)),
                nationality: d
                    .nationality
                    .as_ref()
                    .map(|c| i.country(c.as_str()))
                    .unwrap_or_else(|| i.t("none")),
                languages: d
                    .languages
                    .iter()
                    .map(|l| l.name().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                legal: i.opt("legal", &enum_code(&d.legal_situation)),
                vulnerabilities: d
                    .vulnerabilities
                    .iter()
                    .map(|x| i.opt("vuln", x.code()))
                    .collect::<Vec<_>>()
                    .join(", "),
                consent,
            }
        })
        .collect();

    let mut next = vec![];
    let preparing = matches!(
        case.stage,
        Stage::Approved | Stage::PreDeparture | Stage::ReadyToDepart
    );
    // The conditions departure waits for, once it is being prepared (before, the next
    // step says what comes first: an information session, not "consent is missing").
    for cond in &view.departure_conditions {
        if preparing {
            let who = cond
                .person_id
                .map(|p| format!("{}: ", name_of(&p)))
                .unwrap_or_default();
            next.push(format!("{who}{}", rule_message(&i, cond)));
        }
    }
    let steps: Vec<StepLine> = view
        .next_steps
        .iter()
        .map(|s| step_line(&i, &view.case, s))
        .collect();
    // A flight that has left is not "every condition met".
    let flight_passed = view
        .next_steps
        .iter()
        .any(|s| s.step == homeward_domain::case::next::Step::FlightPassed);
    let departure_ok = preparing && view.departure_conditions.is_empty() && !flight_passed;

    let mut actions = vec![];
    let mut blocked = vec![];
    for kind in offered() {
        if may_offer(&p.actor, case, kind).is_err() {
            continue;
        }
        // A referral's step is offered while one may still take it.
        if kind == CommandKind::UpdateReferral && !case.referrals.any_unfinished() {
            continue;
        }
        let label = i.t(&format!("action-{}", kind.name()));
        if allowed_stages(kind).contains(&case.stage) {
            actions.push(ActionLink {
                href: format!("/cases/{}/do/{}", case.id, slug(kind)),
                label,
            });
        } else if matches!(
            kind,
            CommandKind::MarkReadyToDepart
                | CommandKind::ConfirmDeparture
                | CommandKind::RecordConsent
                | CommandKind::SubmitApplication
                | CommandKind::ApproveApplication
                | CommandKind::RecordArrival
        ) {
            blocked.push(Blocked {
                label,
                reason: i.t1(
                    "case-action-unavailable",
                    "stage",
                    stage_label(&i, case.stage),
                ),
            });
        }
    }

    let records = records(&i, &view, &name_of, &programme.settings);
    let answer_link = (may_offer(&p.actor, case, CommandKind::UpdateReferral).is_ok()
        && case
            .referrals
            .referrals
            .values()
            .any(|r| r.link_violations().is_empty()))
    .then(|| format!("/cases/{}/referral-links", case.id.0));
    let withdraw_links = (may_offer(&p.actor, case, CommandKind::UpdateReferral).is_ok()
        && case.referrals.referrals.values().any(|r| r.was_sent()))
    .then(|| format!("/cases/{}/referral-links/withdraw", case.id.0));

    let timeline = timeline
        .into_iter()
        .rev()
        .map(|e| {
            let person = e
                .data
                .as_ref()
                .and_then(|d| {
                    d.get("person_id")
                        .or_else(|| d.get("declaration").and_then(|x| x.get("person_id")))
                })
                .and_then(|x| x.as_str())
                .and_then(|s| s.parse::<Uuid>().ok())
                .map(|u| name_of(&homeward_domain::ids::PersonId(u)))
                .unwrap_or_default();
            TimelineRow {
                when: i.datetime(e.occurred_at),
                recorded: i.datetime(e.recorded_at),
                who: e.actor_name.unwrap_or_default(),
                what: i.t(&format!("event-{}", e.kind)),
                detail: person,
                corrected: (!e.corrected_by.is_empty()).then(|| {
                    i.t1(
                        "timeline-corrected",
                        "versions",
                        e.corrected_by
                            .iter()
                            .map(|v| i.number(*v as i64))
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                }),
            }
        })
        .collect();

    let withheld_kinds: Vec<String> = view
        .withheld
        .iter()
        .map(|k| i.t(&format!("sensitive-{}", enum_code(k))))
        .collect();
    Ok(CasePage {
        case_id: id.0.to_string(),
        c: Chrome::new(
            v,
            i.t1("case-title", "reference", case.reference.to_string()),
        ),
        reference: case.reference.to_string(),
        name: case
            .principal()
            .map(|m| m.details.name.display())
            .unwrap_or_default(),
        stage: stage_label(&i, case.stage),
        summary,
        people,
        flags: case
            .flags
            .iter()
            .map(|f| i.opt("flag", &enum_code(f)))
            .collect(),
        steps,
        next,
        departure_ok,
        actions,
        blocked,
        records,
        scores: monitoring::score_history(&i, case),
        answer_link,
        withdraw_links,
        timeline,
        withheld: (!withheld_kinds.is_empty())
            .then(|| i.t1("case-withheld", "kinds", withheld_kinds.join(", "))),
    })
}

/// A date of birth as shown: the date and the age today, or "~1990" for an estimated year.
pub fn born(
    i: &I18n,
    dob: &homeward_domain::person::DateOfBirth,
    today: chrono::NaiveDate,
) -> String {
    match *dob {
        homeward_domain::person::DateOfBirth::Exact(b) => {
            format!("{} ({})", i.date(b), i.number(i64::from(dob.age_on(today))))
        }
        homeward_domain::person::DateOfBirth::EstimatedYear(y) => {
            format!("~{}", i.digits(&y.to_string()))
        }
    }
}

pub fn enum_code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn records(
    i: &I18n,
    view: &CaseView,
    name_of: &dyn Fn(&homeward_domain::ids::PersonId) -> String,
    programme: &homeward_domain::programme::ProgrammeSettings,
) -> Vec<(String, Vec<Line>)> {
    let case = &view.case;
    let mut out = vec![];
    let sessions: Vec<Line> = case
        .sessions
        .iter()
        .map(|s| {
            let topics = s
                .session
                .topics
                .iter()
                .map(|t| i.opt("topic", &enum_code(t)))
                .collect::<Vec<_>>()
                .join(", ");
            let mut value = format!("{} — {}", s.session.language.name(), topics);
            if let Some(n) = &s.session.notes {
                value.push_str(&format!(" — {n}"));
            }
            Line {
                label: i.datetime(s.at),
                value,
            }
        })
        .collect();
    out.push((i.t("case-sessions"), sessions));
    // The application: when it was submitted, and the decision with the approver's
    // comment or the rejection's reason.
    let application: Vec<Line> = case
        .application
        .iter()
        .flat_map(|a| {
            let decision = a.decided_at.zip(a.approved).map(|(at, approved)| {
                let said = if approved {
                    a.comment.as_ref()
                } else {
                    a.rejection_reason.as_ref()
                };
                let what = i.t(if approved {
                    "case-application-approved"
                } else {
                    "case-application-rejected"
                });
                Line {
                    label: i.t("case-application-decision"),
                    value: format!(
                        "{what} — {}{}",
                        i.datetime(at),
                        said.map(|t| format!(" — {t}")).unwrap_or_default()
                    ),
                }
            });
            std::iter::once(Line {
                label: i.t("case-application-submitted"),
                value: i.datetime(a.submitted_at),
            })
            .chain(decision)
        })
        .collect();
    out.push((i.t("case-application"), application));
    let docs: Vec<Line> = case
        .documents
        .values()
        .map(|d| Line {
            label: name_of(&d.person_id),
            value: format!(
                "{} — {}{}",
                i.opt("doc", &enum_code(&d.kind)),
                i.opt("docstatus", &enum_code(&d.status)),
                d.expires_on
                    .map(|e| format!(" — {} {}", i.t("f-expires"), i.date(e)))
                    .unwrap_or_default()
            ),
        })
        .collect();
    out.push((i.t("case-documents"), docs));
    let health: Vec<Line> = case
        .health
        .values()
        .map(|h| Line {
            label: name_of(&h.person_id),
            value: format!(
                "{}{}",
                i.opt("fitness", &enum_code(&h.fitness)),
                h.medical_details
                    .as_ref()
                    .map(|d| format!(" — {d}"))
                    .unwrap_or_default()
            ),
        })
        .collect();
    out.push((i.t("case-health"), health));
    let legs: Vec<Line> = view
        .itinerary_local_times
        .iter()
        .zip(case.itinerary.iter().flat_map(|it| &it.legs))
        .map(|(local, leg)| Line {
            label: format!(
                "{} {} {} → {}",
                leg.carrier, leg.flight_number, leg.from, leg.to
            ),
            value: format!(
                "{} → {}",
                local
                    .departs_local
                    .clone()
                    .unwrap_or_else(|| i.datetime(leg.departs_at)),
                local
                    .arrives_local
                    .clone()
                    .unwrap_or_else(|| i.datetime(leg.arrives_at))
            ),
        })
        .collect();
    out.push((i.t("case-itinerary"), legs));
    let escorts: Vec<Line> = case
        .escorts
        .values()
        .map(|e| Line {
            label: format!("{} ({})", e.name, i.opt("escort", &enum_code(&e.kind))),
            value: e
                .accompanies
                .iter()
                .map(name_of)
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    out.push((i.t("case-escorts"), escorts));
    let allowances: Vec<Line> = case
        .allowances
        .iter()
        .map(|a| Line {
            label: a
                .person_id
                .as_ref()
                .map(name_of)
                .unwrap_or_else(|| i.t("f-household")),
            value: format!(
                "{} — {}",
                i.opt("assist", &enum_code(&a.kind)),
                i.money(&a.amount)
            ),
        })
        .collect();
    out.push((i.t("case-allowances"), allowances));
    out.extend(plan::plan_sections(
        i,
        &case.reintegration,
        name_of,
        programme,
    ));
    let notes: Vec<Line> = case
        .notes
        .iter()
        .map(|r| {
            let n = &r.note;
            let mut label = i.datetime(r.at);
            if let Some(k) = n.sensitivity {
                label.push_str(&format!(
                    " — {}",
                    i.t(&format!("sensitive-{}", enum_code(&k)))
                ));
            }
            let mut value = n.text.to_string();
            if let Some(f) = n.raises {
                value.push_str(&format!(
                    " ({})",
                    i.t1("case-flag-raised", "flag", i.opt("flag", &enum_code(&f)))
                ));
            }
            if let Some(f) = n.clears {
                value.push_str(&format!(
                    " ({})",
                    i.t1("case-flag-cleared", "flag", i.opt("flag", &enum_code(&f)))
                ));
            }
            Line { label, value }
        })
        .collect();
    out.push((i.t("case-notes"), notes));
    out.extend(monitoring::monitoring_sections(
        i,
        case,
        homeward_app::now().date_naive(),
        name_of,
    ));
    out.extend(referrals::referral_sections(
        i,
        case,
        homeward_app::now().date_naive(),
        name_of,
    ));
    out.retain(|(_, lines)| !lines.is_empty());
    out
}
