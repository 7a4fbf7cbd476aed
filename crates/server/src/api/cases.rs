//! Cases: registration, reads, lists, and one endpoint per lifecycle command.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, NaiveDate, Utc};
use homeward_app::cases::Executed;
use homeward_app::views::{CaseSummary, CaseView, PersonSummary, TimelineEntry};
use homeward_app::{App, Principal};
use homeward_domain::Command;
use homeward_domain::Stage;
use homeward_domain::case::records::*;
use homeward_domain::ids::*;
use homeward_domain::person::Vulnerability;
use homeward_store::{CaseFilter, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::dto::*;
use crate::exact::{Day, Id};
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::problem::{ApiResult, Problem, ProblemDoc};
use crate::state::AppState;
use homeward_app::input::Parse;

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageOut<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    /// How many match; a lower bound when `total_exact` is false.
    pub total: i64,
    /// False when counting stopped at `total`: more than that many match. A case list that
    /// is not a search counts up to 10,000 cases (or the end of the page asked for); a
    /// search counts up to 1,000 cases, and all of them on a page past the thousandth.
    pub total_exact: bool,
}

impl<T> PageOut<T> {
    /// The page asked for, with what the store found.
    pub fn of(asked: PageRequest, found: homeward_store::Page<T>) -> Self {
        PageOut {
            items: found.items,
            page: asked.page,
            per_page: asked.per_page,
            total: found.total,
            total_exact: found.total_exact,
        }
    }
}

pub const MAX_PER_PAGE: u32 = 200;

pub fn page_request(page: Option<u32>, per_page: Option<u32>) -> ApiResult<PageRequest> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(50);
    let mut errs = vec![];
    if page == 0 {
        errs.push(Problem::field("page.invalid", "page", "pages count from 1"));
    }
    if per_page == 0 || per_page > MAX_PER_PAGE {
        errs.push(Problem::field(
            "page.size",
            "per_page",
            format!("per_page is between 1 and {MAX_PER_PAGE}"),
        ));
    }
    if errs.is_empty() {
        Ok(PageRequest { page, per_page })
    } else {
        Err(Problem::invalid(errs))
    }
}

async fn run(
    app: &App,
    who: &Principal,
    case_id: Uuid,
    version: u64,
    occurred_at: Option<DateTime<Utc>>,
    cmd: Command,
) -> ApiResult<Json<Executed>> {
    Ok(Json(
        app.execute(who, CaseId(case_id), version, occurred_at, cmd)
            .await?,
    ))
}

/// Defines the endpoint of one lifecycle command.
macro_rules! command {
    ($fn:ident, $path:tt, $dto:ty, $summary:tt, |$b:ident, $p:ident, $app:ident, $who:ident| $build:expr) => {
        #[utoipa::path(
            post,
            path = $path,
            tag = "lifecycle",
            summary = $summary,
            params(("case_id" = Uuid, Path, description = "The case")),
            request_body = $dto,
            responses(
                (status = 200, description = "Recorded; the case's new version", body = Executed),
                (status = 400, description = "Malformed JSON", body = ProblemDoc, content_type = "application/problem+json"),
                (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
                (status = 403, description = "Your role or office may not do this", body = ProblemDoc, content_type = "application/problem+json"),
                (status = 404, description = "No such case for you", body = ProblemDoc, content_type = "application/problem+json"),
                (status = 409, description = "The case changed since you read it", body = ProblemDoc, content_type = "application/problem+json"),
                (status = 413, description = "Body too large", body = ProblemDoc, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields, or refused by the rules (each reason listed)", body = ProblemDoc, content_type = "application/problem+json"),
            ),
            security(("bearer" = []), ("session_cookie" = []))
        )]
        pub async fn $fn(
            State(state): State<AppState>,
            Auth($who): Auth,
            ApiPath(Id(case_id)): ApiPath<Id>,
            ApiJson($b): ApiJson<$dto>,
        ) -> ApiResult<Json<Executed>> {
            let $app = &state.app;
            let (version, occurred_at) = ($b.version, $b.occurred_at);
            #[allow(unused_mut)]
            let mut $p = Parse::exact();
            let built: Option<Command> = $build;
            let cmd = $p.finish(built)?;
            run($app, &$who, case_id, version, occurred_at.map(|t| t.0), cmd).await
        }
    };
}

/// Defines the endpoints of a module's lifecycle commands, each as `command!` does
/// (entries end with `;`), and the function named by `routes`, which routes and documents
/// them all: a command's endpoint is written in one place.
macro_rules! commands {
    (routes = $routes:ident; $($fn:ident, $path:tt, $dto:ty, $summary:tt, |$b:ident, $p:ident, $app:ident, $who:ident| $build:expr;)*) => {
        $(command!($fn, $path, $dto, $summary, |$b, $p, $app, $who| $build);)*

        /// This module's lifecycle commands, routed and documented.
        pub(crate) fn $routes(
            router: utoipa_axum::router::OpenApiRouter<AppState>,
        ) -> utoipa_axum::router::OpenApiRouter<AppState> {
            router$(.routes(utoipa_axum::routes!($fn)))*
        }
    };
}

commands! {
    routes = case_command_routes;
    add_member,
    "/api/cases/{case_id}/members",
    AddMemberIn,
    "Add a family member",
    |b, p, _app, _who| b.parse(&mut p).map(Command::AddMember);
    remove_member,
    "/api/cases/{case_id}/member-removals",
    RemoveMemberIn,
    "Remove a member (who stays)",
    |b, p, _app, _who| p
        .text("reason", &b.reason)
        .map(|reason| Command::RemoveMember {
            person_id: PersonId(b.person_id.0),
            reason
        });
    update_person,
    "/api/cases/{case_id}/person-updates",
    UpdatePersonIn,
    "Update a person's details (a change, not a correction)",
    |b, p, _app, _who| b.details.parse(&mut p, "details").map(|details| {
        Command::UpdatePersonDetails {
            person_id: PersonId(b.person_id.0),
            details,
        }
    });
    record_session,
    "/api/cases/{case_id}/counselling-sessions",
    SessionIn,
    "Record a counselling session",
    |b, p, _app, who| b
        .parse(&mut p, who.actor.user_id)
        .map(Command::RecordCounsellingSession);
    screen_eligibility,
    "/api/cases/{case_id}/eligibility-screenings",
    ScreeningIn,
    "Screen eligibility",
    |b, p, _app, _who| p
        .text("category", &b.category)
        .map(|category| Command::ScreenEligibility(ScreeningFacts {
            removal_procedure: b.removal_procedure,
            admissibility: b.admissibility,
            category,
        }));
    record_consent,
    "/api/cases/{case_id}/consents",
    ConsentIn,
    "Record a voluntary return declaration",
    |b, p, _app, _who| p.opt_text("statement", &b.statement).map(|statement| {
        Command::RecordConsent(ConsentDeclaration {
            person_id: PersonId(b.person_id.0),
            given_by: b.given_by,
            no_pressure_attested: b.no_pressure_attested,
            right_to_withdraw_explained: b.right_to_withdraw_explained,
            data_processing_consent: b.data_processing_consent,
            statement,
        })
    });
    reconfirm_consent,
    "/api/cases/{case_id}/consent-reconfirmations",
    ReconfirmIn,
    "Re-confirm consent after the proposal changed",
    |b, p, _app, _who| p.opt_text("statement", &b.statement).map(|statement| {
        Command::ReconfirmConsent(ConsentReconfirmation {
            person_id: PersonId(b.person_id.0),
            given_by: b.given_by,
            no_pressure_attested: b.no_pressure_attested,
            statement,
        })
    });
    withdraw,
    "/api/cases/{case_id}/withdrawals",
    WithdrawIn,
    "Record a withdrawal (before departure only)",
    |b, p, _app, _who| p
        .opt_text("own_words", &b.own_words)
        .map(|own_words| Command::Withdraw {
            person_id: PersonId(b.person_id.0),
            own_words,
            whole_case: b.whole_case,
        });
    reopen,
    "/api/cases/{case_id}/reopening",
    ReasonIn,
    "Re-open a withdrawn case into counselling",
    |b, p, _app, _who| p
        .text("reason", &b.reason)
        .map(|reason| Command::Reopen { reason });
    assess_capacity,
    "/api/cases/{case_id}/capacity-assessments",
    CapacityIn,
    "Record a professional's capacity assessment",
    |b, p, _app, _who| {
        let professional = p.text("professional", &b.professional);
        let qualification = p.text("qualification", &b.qualification);
        let notes = p.opt_text("notes", &b.notes);
        (|| {
            Some(Command::AssessCapacity(CapacityAssessment {
                person_id: PersonId(b.person_id.0),
                professional: professional?,
                qualification: qualification?,
                lacks_capacity: b.lacks_capacity,
                notes: notes?,
            }))
        })()
    };
    determine_best_interests,
    "/api/cases/{case_id}/best-interests-determinations",
    BestInterestsIn,
    "Record a best-interests determination for a child",
    |b, p, _app, _who| {
        let by = p.text("determined_by", &b.determined_by);
        let notes = p.opt_text("notes", &b.notes);
        (|| {
            Some(Command::DetermineBestInterests(
                BestInterestsDetermination {
                    person_id: PersonId(b.person_id.0),
                    determined_by: by?,
                    return_in_best_interests: b.return_in_best_interests,
                    notes: notes?,
                },
            ))
        })()
    };
    appoint_representative,
    "/api/cases/{case_id}/representatives",
    RepresentativeIn,
    "Record a legal guardian or representative",
    |b, p, _app, _who| b.parse(&mut p).map(Command::AppointRepresentative);
    submit_application,
    "/api/cases/{case_id}/application",
    NoData,
    "Submit the application",
    |_b, p, _app, _who| Some(Command::SubmitApplication);
    approve_application,
    "/api/cases/{case_id}/approval",
    ApproveIn,
    "Approve the application (not your own submission), with a comment if you wish",
    |b, p, _app, _who| p
        .opt_text("comment", &b.comment)
        .map(|comment| Command::ApproveApplication { comment });
    reject_application,
    "/api/cases/{case_id}/rejection",
    ReasonIn,
    "Reject the application with a reason",
    |b, p, _app, _who| p
        .text("reason", &b.reason)
        .map(|reason| Command::RejectApplication { reason });
    change_proposal,
    "/api/cases/{case_id}/proposal",
    ProposalChangeIn,
    "Change the proposal (consent must then be re-confirmed)",
    |b, p, _app, _who| b
        .proposal
        .parse(&mut p, "proposal")
        .map(Command::ChangeProposal);
    assign_return_office,
    "/api/cases/{case_id}/return-office",
    ReturnOfficeIn,
    "Assign the office of the country of return",
    |b, p, app, _who| Some(Command::AssignReturnOffice(
        app.office_ref(OfficeId(b.office_id.0), "office_id").await?
    ));
    record_health_assessment,
    "/api/cases/{case_id}/health-assessments",
    HealthIn,
    "Record a health assessment (medical officers)",
    |b, p, _app, _who| {
        let by = p.text("assessed_by", &b.assessed_by);
        let details = p.opt_text("medical_details", &b.medical_details);
        (|| {
            Some(Command::RecordHealthAssessment(HealthAssessment {
                person_id: PersonId(b.person_id.0),
                fitness: b.fitness,
                assessed_by: by?,
                medical_details: details?,
            }))
        })()
    };
    record_risk_assessment,
    "/api/cases/{case_id}/risk-assessments",
    RiskIn,
    "Record a risk assessment (victims of trafficking)",
    |b, p, _app, _who| p
        .opt_text("notes", &b.notes)
        .map(|notes| Command::RecordRiskAssessment(RiskAssessment {
            person_id: PersonId(b.person_id.0),
            conclusion: b.conclusion,
            notes,
        }));
    record_travel_document,
    "/api/cases/{case_id}/travel-documents",
    DocumentIn,
    "Record or update an identity or travel document",
    |b, p, _app, _who| b.parse(&mut p).map(Command::RecordTravelDocument);
    assign_escort,
    "/api/cases/{case_id}/escorts",
    EscortIn,
    "Assign an escort",
    |b, p, _app, _who| b.parse(&mut p).map(Command::AssignEscort);
    release_escort,
    "/api/cases/{case_id}/escort-releases",
    EscortReleaseIn,
    "Release an escort",
    |b, p, _app, _who| p
        .opt_text("reason", &b.reason)
        .map(|reason| Command::ReleaseEscort {
            escort_id: EscortId(b.escort_id.0),
            reason
        });
    arrange_shelter,
    "/api/cases/{case_id}/shelters",
    ShelterIn,
    "Arrange temporary shelter",
    |b, p, _app, _who| p
        .text("place", &b.place)
        .map(|place| Command::ArrangeShelter(Shelter {
            place,
            from: b.from.0,
            until: b.until.map(NaiveDate::from)
        }));
    set_itinerary,
    "/api/cases/{case_id}/itinerary",
    ItineraryIn,
    "Book or change the itinerary",
    |b, p, _app, _who| b.parse(&mut p).map(Command::SetItinerary);
    pay_allowance,
    "/api/cases/{case_id}/allowances",
    AllowanceIn,
    "Record a departure allowance paid",
    |b, p, _app, _who| {
        let amount = p.money("amount", b.amount.amount_minor, &b.amount.currency);
        let note = p.opt_text("note", &b.note);
        (|| {
            Some(Command::PayAllowance(Allowance {
                person_id: b.person_id.map(|Id(id)| PersonId(id)),
                kind: b.kind,
                amount: amount?,
                note: note?,
            }))
        })()
    };
    mark_ready_to_depart,
    "/api/cases/{case_id}/ready-to-depart",
    NoData,
    "Mark the case ready to depart (runs the departure guard)",
    |_b, p, _app, _who| Some(Command::MarkReadyToDepart);
    confirm_departure,
    "/api/cases/{case_id}/departure",
    NoData,
    "Confirm departure (runs the departure guard)",
    |_b, p, _app, _who| Some(Command::ConfirmDeparture);
    record_no_show,
    "/api/cases/{case_id}/no-show",
    NoShowIn,
    "Record a no-show at departure",
    |b, p, _app, _who| p
        .opt_text("reason", &b.reason)
        .map(|reason| Command::RecordNoShow { reason });
    record_arrival,
    "/api/cases/{case_id}/arrival",
    ArrivalIn,
    "Record arrival and reception; hands the case over",
    |b, p, _app, _who| b.parse(&mut p).map(Command::RecordArrival);
    start_reintegration,
    "/api/cases/{case_id}/reintegration",
    NoData,
    "Start reintegration",
    |_b, p, _app, _who| Some(Command::StartReintegration);
    start_monitoring,
    "/api/cases/{case_id}/monitoring",
    NoData,
    "Start monitoring",
    |_b, p, _app, _who| Some(Command::StartMonitoring);
    close_case,
    "/api/cases/{case_id}/closure",
    CloseIn,
    "Close the case with an outcome",
    |b, p, _app, _who| p.opt_text("note", &b.note).map(|note| Command::Close {
        outcome: b.outcome,
        note
    });
    correct,
    "/api/cases/{case_id}/corrections",
    CorrectionIn,
    "Correct an earlier detail (the original stays in the timeline)",
    |b, p, _app, _who| b
        .parse(&mut p)
        .map(|(replacement, reason)| Command::Correct {
            corrects: b.corrects,
            occurred_at: b.corrected_occurred_at.map(|t| t.0),
            replacement,
            reason,
        });
}

/// Registers a new case with its principal applicant and family.
#[utoipa::path(
    post,
    path = "/api/cases",
    tag = "cases",
    request_body = RegisterCaseIn,
    responses(
        (status = 201, description = "Registered", body = Executed, headers(("location" = String, description = "The case"))),
        (status = 400, description = "Malformed JSON", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a counsellor", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn register_case(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<RegisterCaseIn>,
) -> ApiResult<impl IntoResponse> {
    let input = body.parse()?;
    registered(state.app.register_case(&who, input).await?)
}

/// `201 Created` for a new case, with its location.
pub(crate) fn registered(done: Executed) -> ApiResult<impl IntoResponse> {
    let location = HeaderValue::from_str(&format!("/api/cases/{}", done.case_id)).map_err(|e| {
        Problem::from(homeward_app::AppError::internal_from(
            "the new case's location",
            e,
        ))
    })?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(done),
    ))
}

/// A case, as your role may see it. The `ETag` is the case's version.
#[utoipa::path(
    get,
    path = "/api/cases/{case_id}",
    tag = "cases",
    params(("case_id" = Uuid, Path, description = "The case")),
    responses(
        (status = 200, description = "The case", body = CaseView),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such case for you", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn get_case(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(case_id)): ApiPath<Id>,
) -> ApiResult<impl IntoResponse> {
    let view = state.app.case_view(&who, CaseId(case_id)).await?;
    let etag = HeaderValue::from_str(&format!("\"{}\"", view.version)).ok();
    let mut headers = HeaderMap::new();
    if let Some(e) = etag {
        headers.insert(header::ETAG, e);
    }
    Ok((headers, Json(view)))
}

/// Every event of a case, oldest first, corrections beside what they correct.
#[utoipa::path(
    get,
    path = "/api/cases/{case_id}/timeline",
    tag = "cases",
    params(("case_id" = Uuid, Path, description = "The case")),
    responses(
        (status = 200, description = "The timeline", body = Vec<TimelineEntry>),
        (status = 404, description = "No such case for you", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn get_timeline(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiPath(Id(case_id)): ApiPath<Id>,
) -> ApiResult<Json<Vec<TimelineEntry>>> {
    Ok(Json(state.app.timeline(&who, CaseId(case_id)).await?))
}

/// Filters of the case list that carry no personal data (they travel in the URL).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListQuery {
    pub stage: Option<Stage>,
    /// Cases hosted by, or returning to, this office.
    pub office: Option<Id>,
    /// ISO 3166-1 alpha-2.
    #[param(value_type = Option<homeward_domain::values::CountryCode>)]
    pub country: Option<String>,
    pub programme: Option<Id>,
    pub vulnerability: Option<Vulnerability>,
    /// Cases this user owns (their caseworker).
    pub owner: Option<Id>,
    /// Cases whose reintegration plan waits for this: its draft, the returnee's answer,
    /// or a second person's approval (the work queues of reintegration officers and
    /// approvers).
    pub plan_work: Option<homeward_domain::case::reintegration::PlanWork>,
    /// Only the cases one of your offices leads: the host office until arrival, then the
    /// office of return (the cases whose commands your offices may issue).
    #[serde(default)]
    pub led: bool,
    /// From 1 (the default).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295.0)]
    pub page: Option<u32>,
    /// From 1 to 200 (50 by default).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

fn filter_of(
    stage: Option<Stage>,
    office: Option<Id>,
    country: &Option<String>,
    programme: Option<Id>,
    vulnerability: Option<Vulnerability>,
) -> ApiResult<CaseFilter> {
    let country = match country.as_deref() {
        None => None,
        Some(c) => Some(
            homeward_domain::values::CountryCode::parse_exact(c)
                .map_err(|e| Problem::invalid(vec![Problem::field(e.code, "country", e.message)]))?
                .to_string(),
        ),
    };
    Ok(CaseFilter {
        stage,
        office: office.map(|Id(id)| OfficeId(id)),
        country_of_return: country,
        programme: programme.map(Uuid::from),
        vulnerabilities: vulnerability.map(|v| v.bit()),
        ..CaseFilter::default()
    })
}

/// Your offices' cases, most recently changed first.
#[utoipa::path(
    get,
    path = "/api/cases",
    tag = "cases",
    params(CaseListQuery),
    responses(
        (status = 200, description = "A page of cases", body = PageOut<CaseSummary>),
        (status = 422, description = "Invalid filter", body = ProblemDoc, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn list_cases(
    State(state): State<AppState>,
    Auth(who): Auth,
    query: Result<Query<CaseListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<PageOut<CaseSummary>>> {
    let Query(q) = query.map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-query",
            "Invalid query string",
        )
        .detail(e.body_text())
    })?;
    let page = page_request(q.page, q.per_page)?;
    let mut filter = filter_of(q.stage, q.office, &q.country, q.programme, q.vulnerability)?;
    filter.owner = q.owner.map(|Id(id)| homeward_domain::ids::UserId(id));
    filter.plan_work = q.plan_work.into_iter().collect();
    filter.led_in_scope = q.led;
    let result = state.app.list_cases(&who, &filter, page).await?;
    Ok(Json(PageOut {
        items: result.items,
        page: page.page,
        per_page: page.per_page,
        total: result.total,
        total_exact: result.total_exact,
    }))
}

/// A search that may carry personal data: sent in a body, never in the URL.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchIn {
    /// Names or the start of each word (any script, accents and case ignored; other
    /// spellings found by sound), or a reference prefix.
    pub q: Option<String>,
    pub birth_date: Option<Day>,
    pub stage: Option<Stage>,
    pub office: Option<Id>,
    #[schema(value_type = Option<homeward_domain::values::CountryCode>)]
    pub country: Option<String>,
    pub programme: Option<Id>,
    pub vulnerability: Option<Vulnerability>,
    /// From 1 (the default).
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 4294967295.0)]
    pub page: Option<u32>,
    /// From 1 to 200 (50 by default).
    #[schema(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

impl SearchIn {
    fn filter(&self) -> ApiResult<CaseFilter> {
        let mut f = filter_of(
            self.stage,
            self.office,
            &self.country,
            self.programme,
            self.vulnerability,
        )?;
        f.text = self.q.clone().filter(|t| !t.trim().is_empty());
        f.birth_date = self.birth_date.map(NaiveDate::from);
        Ok(f)
    }
}

/// Searches your offices' cases by name, reference or date of birth.
#[utoipa::path(
    post,
    path = "/api/cases/search",
    tag = "cases",
    request_body = SearchIn,
    responses((status = 200, description = "A page of cases", body = PageOut<CaseSummary>)),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn search_cases(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<SearchIn>,
) -> ApiResult<Json<PageOut<CaseSummary>>> {
    let page = page_request(body.page, body.per_page)?;
    let result = state.app.list_cases(&who, &body.filter()?, page).await?;
    Ok(Json(PageOut {
        items: result.items,
        page: page.page,
        per_page: page.per_page,
        total: result.total,
        total_exact: result.total_exact,
    }))
}

/// Searches people on your offices' cases by name and date of birth.
#[utoipa::path(
    post,
    path = "/api/people/search",
    tag = "people",
    request_body = SearchIn,
    responses((status = 200, description = "A page of people", body = PageOut<PersonSummary>)),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn search_people(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<SearchIn>,
) -> ApiResult<Json<PageOut<PersonSummary>>> {
    let page = page_request(body.page, body.per_page)?;
    let result = state.app.search_people(&who, &body.filter()?, page).await?;
    Ok(Json(PageOut {
        items: result.items,
        page: page.page,
        per_page: page.per_page,
        total: result.total,
        total_exact: result.total_exact,
    }))
}

mod monitoring;
mod plan;
mod referrals;
pub use monitoring::*;
pub use plan::*;
pub use referrals::*;
