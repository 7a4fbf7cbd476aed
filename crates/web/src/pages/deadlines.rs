//! Due and overdue: every kind of deadline of an office's cases, for the programme manager
//! who answers for the office. One list per kind, each with how many it holds, as the
//! domain defines each deadline: applications waiting for a decision, each due by the
//! programme's days or overdue after them (`ProgrammeSettings::decision_overdue`), flights
//! that left without the case (`next::departure`'s `FlightPassed`), travel
//! documents running out before the flight (`guard::travel_document_expires_before_flight`),
//! plan items past their due day (`Reintegration::items_due`), referrals unanswered past
//! their time (`ReferralRecord::answer_status`) and follow-ups whose window closed
//! (`ScheduledFollowUp::status`).

use super::{forbidden, not_found_page};
use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::Response;
use homeward_app::cases::{FollowUpQueue, ReferralQueue};
use homeward_app::views::CaseSummary;
use homeward_app::{AppError, Principal};
use homeward_domain::Stage;
use homeward_domain::access::Role;
use homeward_domain::ids::{OfficeId, ProgrammeId, UserId};
use homeward_domain::programme::ProgrammeSettings;
use homeward_store::{CaseFilter, ListOrder, Page, PageRequest};
use serde::Deserialize;

use super::cases::Paging;
use super::follow_ups::{PER_PAGE, WorkListPage, WorkRow};
use super::{app_error, consume_flash};
use crate::WebState;
use crate::actions::{Opt, options};
use crate::chrome::{Chrome, ok};
use crate::i18n::I18n;
use crate::session::SignedIn;

/// A kind of deadline: one list of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Applications waiting for a decision, longest waiting first (each due or overdue).
    Applications,
    /// Booked flights that have left while the case has not departed.
    Flights,
    /// Someone's last travel document runs out before the booked flight.
    Documents,
    /// Items of a plan in force not delivered by their due day.
    Items,
    /// Referrals not answered by their due day.
    Referrals,
    /// Follow-ups whose window has closed, not yet held.
    FollowUps,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Applications,
        Kind::Flights,
        Kind::Documents,
        Kind::Items,
        Kind::Referrals,
        Kind::FollowUps,
    ];

    /// Its code in URLs (`/deadlines?queue=`) and its title's message.
    pub fn code(self) -> (&'static str, &'static str) {
        match self {
            Kind::Applications => ("applications", "deadlines-applications"),
            Kind::Flights => ("flights", "deadlines-flights"),
            Kind::Documents => ("documents", "deadlines-documents"),
            Kind::Items => ("items", "deadlines-items"),
            Kind::Referrals => ("referrals", "deadlines-referrals"),
            Kind::FollowUps => ("follow-ups", "deadlines-follow-ups"),
        }
    }

    fn of(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code().0 == code)
    }

    /// The headers of its columns after the reference and the name.
    fn headers(self) -> [&'static str; 4] {
        match self {
            Kind::Applications => ["col-stage", "col-submitted", "col-decision", "col-country"],
            Kind::Flights => ["col-stage", "col-flight", "col-owner", "col-country"],
            Kind::Documents => ["col-stage", "col-expires", "col-flight", "col-country"],
            Kind::Items => ["col-stage", "col-due", "col-owner", "col-country"],
            Kind::Referrals => super::referrals::HEADERS,
            Kind::FollowUps => super::follow_ups::HEADERS,
        }
    }

    /// The cases of a kind read from the case list: which, and in which order.
    fn filter(self, office: Option<OfficeId>) -> Option<CaseFilter> {
        let now = homeward_app::now();
        let f = CaseFilter {
            office,
            ..CaseFilter::default()
        };
        Some(match self {
            Kind::Applications => CaseFilter {
                stages: vec![Stage::Applied],
                order: ListOrder::OldestApplication,
                ..f
            },
            // Every flight booked before now (no flight leaves before 1970; PostgreSQL takes
            // no timestamp before 4713 BC).
            Kind::Flights => CaseFilter {
                stages: Stage::PREPARING.to_vec(),
                departing: Some((chrono::DateTime::<chrono::Utc>::UNIX_EPOCH, now)),
                order: ListOrder::SoonestDeparture,
                ..f
            },
            Kind::Documents => CaseFilter {
                stages: Stage::PREPARING.to_vec(),
                documents_expiring: true,
                order: ListOrder::DocumentsExpire,
                ..f
            },
            Kind::Items => CaseFilter {
                stages: Stage::AFTER_ARRIVAL.to_vec(),
                items_due_before: Some(now.date_naive()),
                order: ListOrder::ItemsDue,
                ..f
            },
            Kind::Referrals | Kind::FollowUps => return None,
        })
    }

    /// A page of its rows in the reader's offices (or the one chosen).
    async fn read(
        self,
        st: &WebState,
        p: &Principal,
        i: &I18n,
        office: Option<OfficeId>,
        page: PageRequest,
    ) -> Result<Page<WorkRow>, AppError> {
        let today = homeward_app::now().date_naive();
        match self {
            Kind::Referrals => Ok(st
                .app
                .referrals_waiting(p, office, ReferralQueue::Overdue, today, page)
                .await?
                .map(|r| super::referrals::row(i, r))),
            Kind::FollowUps => Ok(st
                .app
                .follow_ups_waiting(p, office, FollowUpQueue::Overdue, today, page)
                .await?
                .map(|f| super::follow_ups::row(i, f))),
            _ => {
                let Some(filter) = self.filter(office) else {
                    return Ok(Page {
                        items: vec![],
                        total: 0,
                        total_exact: true,
                    });
                };
                let cases = st.app.list_cases(p, &filter, page).await?;
                // Each application is due by its own programme's days.
                let mut programmes: BTreeMap<ProgrammeId, ProgrammeSettings> = BTreeMap::new();
                if self == Kind::Applications {
                    for c in &cases.items {
                        if let std::collections::btree_map::Entry::Vacant(e) =
                            programmes.entry(c.programme)
                        {
                            e.insert(st.app.programme_for(p, c.programme).await?);
                        }
                    }
                }
                let owned: Vec<UserId> = cases.items.iter().filter_map(|c| c.owner).collect();
                let owners = st.app.user_names(&owned).await?;
                Ok(cases.map(|c| self.case_row(i, &c, programmes.get(&c.programme), &owners)))
            }
        }
    }

    fn case_row(
        self,
        i: &I18n,
        c: &CaseSummary,
        settings: Option<&ProgrammeSettings>,
        owners: &BTreeMap<UserId, String>,
    ) -> WorkRow {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| i.date(d)).unwrap_or_default();
        let flight = c.departs_at.map(|at| i.datetime(at)).unwrap_or_default();
        let owner = c
            .owner
            .and_then(|o| owners.get(&o).cloned())
            .unwrap_or_else(|| i.t("none"));
        let stage = i.t(&format!("stage-{}", c.stage.code()));
        let cells = match self {
            Kind::Applications => {
                let submitted = c.applied_at.map(|a| a.date_naive());
                vec![
                    stage,
                    date(submitted),
                    match (settings, submitted) {
                        (Some(s), Some(d)) => {
                            let due = i.date(s.decision_due(d));
                            match s.decision_overdue(d, homeward_app::now().date_naive()) {
                                true => i.t1("deadlines-decision-overdue", "due", due),
                                false => i.t1("deadlines-decision-due", "due", due),
                            }
                        }
                        _ => String::new(),
                    },
                    i.country(&c.country_of_return),
                ]
            }
            Kind::Flights => vec![stage, flight, owner, i.country(&c.country_of_return)],
            Kind::Documents => vec![
                stage,
                date(c.documents_expire_on),
                flight,
                i.country(&c.country_of_return),
            ],
            Kind::Items => vec![
                stage,
                date(c.items_due_on),
                owner,
                i.country(&c.country_of_return),
            ],
            // Rows of their own (`read`).
            Kind::Referrals | Kind::FollowUps => vec![],
        };
        WorkRow {
            href: format!("/cases/{}", c.id),
            reference: c.reference.clone(),
            name: c.principal_name.clone(),
            cells,
        }
    }
}

/// Who has the page: those who decide for an office (programme managers).
pub fn for_actor(p: &Principal) -> bool {
    p.actor.has(Role::Approver)
}

#[derive(Debug, Deserialize)]
pub struct DeadlinesQuery {
    pub queue: Option<String>,
    pub office: Option<String>,
    pub page: Option<u32>,
}

/// How many each kind holds in the reader's offices (or the one chosen); `known`, one
/// kind's count already read with its page.
pub async fn counts(
    st: &WebState,
    p: &Principal,
    i: &I18n,
    office: Option<OfficeId>,
    known: Option<(Kind, i64)>,
) -> Result<Vec<(Kind, i64)>, AppError> {
    let mut out = Vec::with_capacity(Kind::ALL.len());
    for kind in Kind::ALL {
        if let Some((k, n)) = known.filter(|(k, _)| *k == kind) {
            out.push((k, n));
            continue;
        }
        let page = kind
            .read(
                st,
                p,
                i,
                office,
                PageRequest {
                    page: 1,
                    per_page: 1,
                },
            )
            .await?;
        out.push((kind, page.total));
    }
    Ok(out)
}

/// The offices the reader answers for, to choose one.
async fn office_options(st: &WebState, p: &Principal, i: &I18n, chosen: &str) -> Vec<Opt> {
    let offices = super::my_offices(st, p).await;
    options(offices, chosen, i.t("deadlines-all-offices"))
}

pub async fn list(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Query(q): Query<DeadlinesQuery>,
) -> Response {
    if !for_actor(&p) {
        return forbidden(&v);
    }
    let i = v.i;
    let kind = q
        .queue
        .as_deref()
        .and_then(Kind::of)
        .unwrap_or(Kind::Applications);
    // One of the reader's offices, or all of them; any other office is not found.
    let chosen = q.office.as_deref().unwrap_or("").trim();
    let office = match chosen {
        "" => None,
        o => match uuid::Uuid::parse_str(o).map(OfficeId) {
            Ok(id) if p.actor.case_scope().contains(&id) => Some(id),
            _ => {
                return not_found_page(&v);
            }
        },
    };
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let result: Result<_, AppError> = async {
        let rows = kind
            .read(
                &st,
                &p,
                &i,
                office,
                PageRequest {
                    page,
                    per_page: PER_PAGE,
                },
            )
            .await?;
        let counts = counts(&st, &p, &i, office, Some((kind, rows.total))).await?;
        Ok((counts, rows))
    }
    .await;
    let (counts, rows) = match result {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let paging = Paging::of(&i, rows.total, rows.total_exact, page, PER_PAGE);
    let (code, title) = kind.code();
    let path = match office {
        Some(o) => format!("/deadlines?office={o}"),
        None => "/deadlines".to_string(),
    };
    let kinds = Kind::ALL.map(Kind::code);
    let mut t = WorkListPage::new(
        Chrome::new(&v, i.t("deadlines-title")),
        &i,
        &path,
        &kinds,
        code,
        Some(i.t(&format!("{title}-hint"))),
        kind.headers().map(|h| i.t(h)).to_vec(),
        rows.items,
        paging,
    );
    for (tab, (_, n)) in t.tabs.iter_mut().zip(&counts) {
        tab.label = format!("{} ({})", tab.label, i.number(*n));
    }
    t.tabs_label = i.t("deadlines-kinds");
    t.heading = Some(i.t(title));
    t.office = Some(office_options(&st, &p, &i, chosen).await);
    t.queue = Some(code.to_string());
    consume_flash(&v, ok(&t))
}
