//! Pages: sign-in, home, and the frame's own forms (language, sign-out).

pub mod account;
pub mod action;
pub mod admin;
pub mod budget;
pub mod case;
pub mod cases;
pub mod communities;
pub mod deadlines;
pub mod directory;
pub mod follow_ups;
pub mod funding;
pub mod impact;
pub mod inbound;
pub mod links;
pub mod partner;
pub mod performance;
pub mod queues;
pub mod referral_stats;
pub mod referrals;
pub mod register;
pub mod stats;
pub mod surveys;
pub mod trends;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use homeward_app::auth::SessionKind;
use homeward_app::{AppError, Principal};
use homeward_domain::access::Role;
use homeward_store::PageRequest;
use serde::Deserialize;

use crate::WebState;
use crate::chrome::{Chrome, ok, page};
use crate::forms::FormData;
use crate::session::{FLASH_COOKIE, LANG_COOKIE, SESSION_COOKIE, SignedIn, Visitor, set_cookie};

/// A page that only says something (not found, not allowed, an error).
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub c: Chrome,
    pub heading: String,
    pub body: String,
}

pub fn message(v: &Visitor, status: StatusCode, heading_key: &str, body_key: &str) -> Response {
    let heading = v.i.t(heading_key);
    page(
        status,
        &MessagePage {
            c: Chrome::new(v, heading.clone()),
            heading,
            body: v.i.t(body_key),
        },
    )
}

/// How an application error is shown on a page.
/// The reader's offices, by code, as choices: (id, "Name (CODE)"); none if the offices
/// cannot be read (a filter then offers only "any").
pub async fn my_offices(st: &WebState, p: &Principal) -> Vec<(String, String)> {
    st.app
        .list_offices()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| p.actor.offices.contains(&o.id))
        .map(|o| (o.id.to_string(), format!("{} ({})", o.name, o.code)))
        .collect()
}

/// 403: this reader may not do or see this.
pub fn forbidden(v: &Visitor) -> Response {
    message(
        v,
        StatusCode::FORBIDDEN,
        "forbidden-title",
        "forbidden-body",
    )
}

/// 404: nothing here, or nothing this reader may know of.
pub fn not_found_page(v: &Visitor) -> Response {
    message(
        v,
        StatusCode::NOT_FOUND,
        "not-found-title",
        "not-found-body",
    )
}

pub fn app_error(v: &Visitor, e: AppError) -> Response {
    match e {
        AppError::NotFound => not_found_page(v),
        AppError::Forbidden(_) => forbidden(v),
        AppError::Unauthenticated => Redirect::to("/sign-in?expired=1").into_response(),
        AppError::Unavailable(_) => message(
            v,
            StatusCode::SERVICE_UNAVAILABLE,
            "error-title",
            "unavailable-body",
        ),
        other => {
            tracing::error!(error = %other, "page failed");
            message(
                v,
                StatusCode::INTERNAL_SERVER_ERROR,
                "error-title",
                "error-body",
            )
        }
    }
}

/// Sends the browser on, with a message for the next page.
pub fn redirect_with(to: &str, flash: &str, secure: bool) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(FLASH_COOKIE, flash, 30, secure),
    );
    res
}

/// Clears a message once shown.
pub fn consume_flash(v: &Visitor, mut res: Response) -> Response {
    if v.flash.is_some() {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(FLASH_COOKIE, "", 0, v.secure),
        );
    }
    res
}

/// The "not found" page, for any path nothing else answers.
pub async fn not_found(state: WebState, req: axum::extract::Request) -> Response {
    use axum::extract::FromRequestParts;
    let (mut parts, _) = req.into_parts();
    let Ok(v) = Visitor::from_request_parts(&mut parts, &state).await;
    not_found_page(&v)
}

pub async fn root(v: Visitor) -> Redirect {
    if v.principal.is_some() {
        Redirect::to("/home")
    } else {
        Redirect::to("/sign-in")
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub c: Chrome,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub username: String,
    /// A form interrupted by the end of the session, carried through sign-in.
    pub resume_path: String,
    pub resume_data: String,
}

#[derive(Deserialize)]
pub struct SignInQuery {
    pub expired: Option<String>,
    pub password_changed: Option<String>,
}

pub async fn sign_in_form(mut v: Visitor, Query(q): Query<SignInQuery>) -> Response {
    if v.principal.is_some() {
        return Redirect::to("/home").into_response();
    }
    let cookie = v.ensure_pre_token();
    let t = SignInPage {
        c: Chrome::new(&v, v.i.t("sign-in-title")),
        error: None,
        notice: match (q.expired, q.password_changed) {
            (_, Some(_)) => Some(v.i.t("account-password-changed")),
            (Some(_), None) => Some(v.i.t("session-expired")),
            (None, None) => None,
        },
        username: String::new(),
        resume_path: String::new(),
        resume_data: String::new(),
    };
    let mut res = ok(&t);
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// The sign-in page shown in place of a form whose session ended, keeping what was typed.
pub fn sign_in_to_resume(mut v: Visitor, form: &FormData) -> Response {
    let cookie = v.ensure_pre_token();
    let data: Vec<(String, String)> = form
        .pairs()
        .iter()
        .filter(|(k, _)| k != "_csrf")
        .cloned()
        .collect();
    let t = SignInPage {
        c: Chrome::new(&v, v.i.t("sign-in-title")),
        error: None,
        notice: Some(v.i.t("session-expired")),
        username: String::new(),
        resume_path: v.path.clone(),
        resume_data: serde_json::to_string(&data).unwrap_or_default(),
    };
    let mut res = page(StatusCode::UNAUTHORIZED, &t);
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// Only paths of this site, and only forms: never an open redirect.
fn safe_resume(path: &str) -> bool {
    path.starts_with("/cases/") && !path.contains("//") && !path.contains('\\')
}

pub async fn sign_in(State(st): State<WebState>, v: Visitor, body: Bytes) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) {
        return Redirect::to("/sign-in").into_response();
    }
    let username = f.get("username").to_string();
    let result = st
        .app
        .login(
            &username,
            f.get("password"),
            None,
            SessionKind::Browser,
            None,
        )
        .await;
    match result {
        Ok(issued) => {
            let max_age = (issued.session.expires_at - issued.session.created_at).num_seconds();
            let resume = f.get("resume_path").to_string();
            let mut res = if safe_resume(&resume) {
                // Back to the interrupted form, with what was typed.
                match st.app.authenticate(&issued.secret).await {
                    Ok(p) => {
                        let data: Vec<(String, String)> =
                            serde_json::from_str(f.get("resume_data")).unwrap_or_default();
                        let v2 = Visitor {
                            principal: Some(p.clone()),
                            path: resume.clone(),
                            ..v
                        };
                        resume_form(&st, v2, p, &resume, FormData::from_pairs(data)).await
                    }
                    Err(_) => Redirect::to("/home").into_response(),
                }
            } else {
                Redirect::to("/home").into_response()
            };
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &issued.secret, max_age, st.secure_cookies),
            );
            res
        }
        Err(e) => {
            let error = match e {
                AppError::Throttled { retry_after_secs } => v.i.ta(
                    "sign-in-throttled",
                    &[("minutes", (retry_after_secs.div_ceil(60) as i64).into())],
                ),
                AppError::Unauthenticated => v.i.t("sign-in-failed"),
                other => return app_error(&v, other),
            };
            let t = SignInPage {
                c: Chrome::new(&v, v.i.t("sign-in-title")),
                error: Some(error),
                notice: None,
                username,
                resume_path: f.get("resume_path").to_string(),
                resume_data: f.get("resume_data").to_string(),
            };
            page(StatusCode::UNAUTHORIZED, &t)
        }
    }
}

async fn resume_form(
    st: &WebState,
    v: Visitor,
    p: Principal,
    path: &str,
    data: FormData,
) -> Response {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["cases", "new"] => register::render(st, &v, &p, &data, &Default::default()).await,
        ["cases", case_id, "do", action] => match case_id.parse() {
            Ok(id) => action::render_form(st, &v, &p, id, action, &data, &Default::default()).await,
            Err(_) => Redirect::to("/home").into_response(),
        },
        _ => Redirect::to("/home").into_response(),
    }
}

pub async fn sign_out(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if v.csrf_ok(f.get("_csrf")) {
        let _ = st.app.logout(&p).await;
    }
    let mut res = Redirect::to("/sign-in").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, st.secure_cookies),
    );
    res
}

pub async fn sign_out_everywhere(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if v.csrf_ok(f.get("_csrf")) {
        let _ = st.app.logout_everywhere(&p).await;
    }
    let mut res = Redirect::to("/sign-in").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, st.secure_cookies),
    );
    res
}

/// Remembers the chosen language and returns to the page it was chosen on.
pub async fn set_language(State(st): State<WebState>, mut v: Visitor, body: Bytes) -> Response {
    let f = FormData::parse(&body);
    let back = f.get("back");
    let back = if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/"
    };
    let cookie = v.ensure_pre_token();
    let mut res = Redirect::to(back).into_response();
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    if v.csrf_ok(f.get("_csrf"))
        && let Some(lang) = crate::i18n::Lang::from_code(f.get("lang"))
    {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                LANG_COOKIE,
                lang.code(),
                60 * 60 * 24 * 365,
                st.secure_cookies,
            ),
        );
    }
    res
}

/// A queue of the home page.
pub struct Queue {
    pub title: String,
    pub hint: Option<String>,
    pub items: Vec<QueueItem>,
    pub total: i64,
    pub more: Option<String>,
}

pub struct QueueItem {
    pub href: String,
    pub reference: String,
    pub name: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub c: Chrome,
    pub queues: Vec<Queue>,
    pub reads_cases: bool,
    /// For roles that work on no cases: what they can do here.
    pub tasks: Vec<Task>,
    /// For those who answer for offices: how many of each kind of deadline are due.
    pub deadlines: Vec<DeadlineCount>,
}

/// A kind of deadline on the home page: where its list is, what it is, how many.
pub struct DeadlineCount {
    pub href: String,
    pub label: String,
    pub count: String,
}

/// Something a role can do, with where.
pub struct Task {
    /// Where; none for what cannot be done here yet.
    pub href: Option<&'static str>,
    pub label: String,
    pub hint: String,
}

/// What a role that works on no cases (administrator, donor, auditor, partner) can do.
fn tasks(v: &Visitor, p: &Principal) -> Vec<Task> {
    let a = &p.actor;
    let task = |href: &'static str, key: &str| Task {
        href: Some(href).filter(|h| !h.is_empty()),
        label: v.i.t(key),
        hint: v.i.t(&format!("{key}-hint")),
    };
    let mut out = vec![];
    if homeward_app::stats::access(p).is_some() {
        out.push(task("/statistics", "task-statistics"));
    }
    if a.may_administer() {
        out.push(task("/admin", "task-admin"));
    }
    if a.may_read_audit() {
        out.push(task("/audit", "task-audit"));
    }
    if a.partner_of().is_some() {
        out.push(task("/partner", "task-partner"));
        out.push(task("/partner/inbound/new", "task-refer"));
        out.push(task("/partner/inbound", "task-referred"));
    }
    out.push(task("/account", "task-account"));
    out
}

const QUEUE_SIZE: u32 = 10;

/// The first cases of a queue, with how many it has and a link to all of them.
async fn case_queue(
    st: &WebState,
    v: &Visitor,
    p: &Principal,
    q: &queues::CaseQueue,
) -> Result<Queue, AppError> {
    let page = q
        .read(
            st,
            p,
            PageRequest {
                page: 1,
                per_page: QUEUE_SIZE,
            },
        )
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for c in &page.items {
        items.push(QueueItem {
            href: format!("/cases/{}", c.id),
            reference: c.reference.clone(),
            name: c.principal_name.clone(),
            note: q.note(st, p, &v.i, c).await,
        });
    }
    Ok(Queue {
        title: v.i.t(q.title),
        hint: q.hint.map(|h| v.i.t(h)),
        more: (page.total > items.len() as i64).then(|| format!("/queues/{}", q.slug)),
        items,
        total: page.total,
    })
}

/// The open cases the reader owns, waiting longest first.
async fn my_cases(st: &WebState, v: &Visitor, p: &Principal) -> Result<Queue, AppError> {
    use homeward_domain::Stage;
    let filter = homeward_store::CaseFilter {
        owner: Some(p.actor.user_id),
        stages: Stage::ALL
            .into_iter()
            .filter(|s| *s != Stage::Closed)
            .collect(),
        order: homeward_store::ListOrder::LongestWaiting,
        ..Default::default()
    };
    let page = st
        .app
        .list_cases(
            p,
            &filter,
            PageRequest {
                page: 1,
                per_page: QUEUE_SIZE,
            },
        )
        .await?;
    let items: Vec<QueueItem> = page
        .items
        .iter()
        .map(|c| QueueItem {
            href: format!("/cases/{}", c.id),
            reference: c.reference.clone(),
            name: c.principal_name.clone(),
            note: format!(
                "{} — {}",
                v.i.t(&format!("stage-{}", c.stage.code())),
                v.i.t1("home-waiting-since", "date", v.i.day(c.updated_at))
            ),
        })
        .collect();
    Ok(Queue {
        title: v.i.t("home-mine"),
        hint: Some(v.i.t("home-mine-hint")),
        more: (page.total > items.len() as i64).then(|| "/cases?mine=1".to_string()),
        items,
        total: page.total,
    })
}

/// A queue of follow-ups waiting in the reader's offices, soonest due first.
async fn follow_up_queue(
    st: &WebState,
    v: &Visitor,
    p: &Principal,
    queue: homeward_app::cases::FollowUpQueue,
) -> Result<Queue, AppError> {
    let (code, title) = follow_ups::queue_code(queue);
    let page = st
        .app
        .follow_ups_waiting(
            p,
            None,
            queue,
            homeward_app::now().date_naive(),
            PageRequest {
                page: 1,
                per_page: QUEUE_SIZE,
            },
        )
        .await?;
    let items: Vec<QueueItem> = page
        .items
        .into_iter()
        .map(|f| QueueItem {
            href: format!("/cases/{}", f.case.id),
            reference: f.case.reference,
            name: f.case.principal_name,
            note: v.i.ta(
                "home-follow-up-item",
                &[
                    ("number", f.number.into()),
                    ("date", v.i.date(f.due).into()),
                ],
            ),
        })
        .collect();
    Ok(Queue {
        title: v.i.t(title),
        hint: Some(v.i.t(&format!("{title}-hint"))),
        more: (page.total > items.len() as i64).then(|| format!("/follow-ups?queue={code}")),
        items,
        total: page.total,
    })
}

/// A queue of referrals waiting for an answer past their time in the reader's offices.
async fn referral_queue(
    st: &WebState,
    v: &Visitor,
    p: &Principal,
    queue: homeward_app::cases::ReferralQueue,
) -> Result<Queue, AppError> {
    let (code, title) = referrals::queue_code(queue);
    let page = st
        .app
        .referrals_waiting(
            p,
            None,
            queue,
            homeward_app::now().date_naive(),
            PageRequest {
                page: 1,
                per_page: QUEUE_SIZE,
            },
        )
        .await?;
    let items: Vec<QueueItem> = page
        .items
        .into_iter()
        .map(|r| QueueItem {
            href: format!("/cases/{}", r.case.id),
            reference: r.case.reference,
            name: r.case.principal_name,
            note: v.i.ta(
                "home-referral-item",
                &[
                    ("organisation", r.organisation_name.into()),
                    ("date", v.i.date(r.due).into()),
                ],
            ),
        })
        .collect();
    Ok(Queue {
        title: v.i.t(title),
        hint: Some(v.i.t(&format!("{title}-hint"))),
        more: (page.total > items.len() as i64).then(|| format!("/referrals?queue={code}")),
        items,
        total: page.total,
    })
}

pub async fn home(State(st): State<WebState>, SignedIn(v, p): SignedIn) -> Response {
    let a = &p.actor;
    let mut queues = vec![];
    let result: Result<(), AppError> = async {
        // My work first: the open cases I own, waiting longest first.
        if a.reads_cases() {
            queues.push(my_cases(&st, &v, &p).await?);
        }
        // The follow-ups (overdue, due, not reached) come before the list of cases in
        // monitoring.
        const AFTER_FOLLOW_UPS: [&str; 2] = ["not-reached", "monitoring"];
        for q in queues::CASE_QUEUES
            .iter()
            .filter(|q| q.for_actor(&p) && !AFTER_FOLLOW_UPS.contains(&q.slug))
        {
            queues.push(case_queue(&st, &v, &p, q).await?);
        }
        if a.has(Role::MonitoringOfficer) || a.has(Role::ReintegrationOfficer) {
            use homeward_app::cases::FollowUpQueue;
            queues.push(follow_up_queue(&st, &v, &p, FollowUpQueue::Overdue).await?);
            queues.push(follow_up_queue(&st, &v, &p, FollowUpQueue::Due).await?);
        }
        // Referrals overdue for those who refer; escalated ones for programme managers.
        {
            use homeward_app::cases::ReferralQueue;
            use homeward_domain::CommandKind;
            if a.has_any(CommandKind::MakeReferral.spec().roles) {
                queues.push(referral_queue(&st, &v, &p, ReferralQueue::Overdue).await?);
            }
            if a.has(Role::Approver) {
                queues.push(referral_queue(&st, &v, &p, ReferralQueue::Escalated).await?);
            }
        }
        for slug in AFTER_FOLLOW_UPS {
            if let Some(q) = queues::CaseQueue::of(slug).filter(|q| q.for_actor(&p)) {
                queues.push(case_queue(&st, &v, &p, q).await?);
            }
        }
        // People referred to the offices, waiting to be registered or declined.
        if inbound::takes_inbound(&p) {
            queues.push(inbound::home_queue(&st, &v, &p).await?);
        }
        // A partner's referrals, by where they stand, and the people it referred.
        if a.partner_of().is_some() {
            queues.extend(partner::home_queues(&st, &v, &p).await?);
            queues.push(inbound::partner_home_queue(&st, &v, &p).await?);
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        return app_error(&v, e);
    }
    // Every kind of deadline in the offices, counted, first for those who answer for them.
    let deadlines = match deadlines::for_actor(&p) {
        true => match deadlines::counts(&st, &p, &v.i, None, None).await {
            Ok(counts) => counts
                .into_iter()
                .map(|(kind, n)| {
                    let (code, title) = kind.code();
                    DeadlineCount {
                        href: format!("/deadlines?queue={code}"),
                        label: v.i.t(title),
                        count: v.i.number(n),
                    }
                })
                .collect(),
            Err(e) => return app_error(&v, e),
        },
        false => vec![],
    };
    let t = HomePage {
        deadlines,
        c: Chrome::new(&v, v.i.t("home-title")),
        queues,
        reads_cases: a.reads_cases(),
        tasks: if a.reads_cases() {
            vec![]
        } else {
            tasks(&v, &p)
        },
    };
    consume_flash(&v, ok(&t))
}
