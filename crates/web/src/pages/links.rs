//! Referral answer links. A caseworker issues one for an organisation without an account
//! (`/cases/{id}/referral-links`, the link shown once); whoever holds it opens
//! `/r/{secret}`, sees the referral as shared with the organisation and nothing else, and
//! records one answer. An expired, used or unknown link gets one and the same message.

use super::forbidden;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use homeward_app::AppError;
use homeward_domain::case::referrals::ReferralRecord;
use homeward_domain::ids::{CaseId, ReferralId};
use uuid::Uuid;

use super::admin::form_page_from;
use super::partner::{Answering, answer_of, referral_page, refused};
use super::{app_error, message};
use crate::WebState;
use crate::actions::In;
use crate::chrome::{ok, page};
use crate::forms::{FormData, FormErrors};
use crate::session::{SignedIn, Visitor};

/// The two forms about a case's answer links: issuing one, withdrawing a referral's.
#[derive(Clone, Copy)]
enum LinkForm {
    Issue,
    Withdraw,
}

impl LinkForm {
    /// Its title and introduction, and where it posts under the case.
    fn texts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            LinkForm::Issue => ("link-title", "link-intro", "referral-links"),
            LinkForm::Withdraw => (
                "link-withdraw-title",
                "link-withdraw-intro",
                "referral-links/withdraw",
            ),
        }
    }

    /// The referrals it offers: those a link can be issued for (waiting for something
    /// from their organisation), or those that were sent (whose links can be withdrawn).
    fn offers(self, r: &ReferralRecord) -> bool {
        match self {
            LinkForm::Issue => r.link_violations().is_empty(),
            LinkForm::Withdraw => r.was_sent(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn link_page(
    st: &WebState,
    v: &Visitor,
    p: &homeward_app::Principal,
    form: LinkForm,
    case_id: Uuid,
    f: &FormData,
    errors: &FormErrors,
    notice: Option<String>,
) -> Response {
    let view = match st.app.case_view(p, CaseId(case_id)).await {
        Ok(view) => view,
        Err(e) => return app_error(v, e),
    };
    let choices = view
        .case
        .referrals
        .referrals
        .values()
        .filter(|r| form.offers(r))
        .map(|r| {
            (
                r.request.referral_id.to_string(),
                crate::actions::referral_label(&v.i, r),
            )
        })
        .collect();
    let (title, intro, action) = form.texts();
    form_page_from(
        v,
        (
            format!("/cases/{case_id}"),
            v.i.t1("case-title", "reference", view.case.reference.to_string()),
        ),
        v.i.t(title),
        format!("/cases/{case_id}/{action}"),
        vec![In::Radios("referral_id", "f-referral", choices)],
        f,
        errors,
        notice.or_else(|| Some(v.i.t(intro))),
    )
}

pub async fn issue_form(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(case_id): Path<Uuid>,
) -> Response {
    link_page(
        &st,
        &v,
        &p,
        LinkForm::Issue,
        case_id,
        &FormData::default(),
        &FormErrors::default(),
        None,
    )
    .await
}

pub async fn issue(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(case_id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) {
        return forbidden(&v);
    }
    let mut errors = FormErrors::default();
    let Some(referral) = f.get("referral_id").parse().ok().map(ReferralId) else {
        errors.missing("referral_id", &v.i);
        return link_page(&st, &v, &p, LinkForm::Issue, case_id, &f, &errors, None).await;
    };
    match st
        .app
        .issue_referral_link(&p, CaseId(case_id), referral)
        .await
    {
        Ok(issued) => {
            // The address stays out of the message: a translated placeable is wrapped in
            // invisible isolation marks, which a copied link would carry.
            let notice = format!(
                "{} {}{}",
                v.i.t1("link-issued", "date", v.i.datetime(issued.expires_at)),
                st.public_url,
                issued.path
            );
            link_page(
                &st,
                &v,
                &p,
                LinkForm::Issue,
                case_id,
                &FormData::default(),
                &FormErrors::default(),
                Some(notice),
            )
            .await
        }
        Err(AppError::Invalid(vs)) => {
            errors.add_violations(&v.i, &vs, crate::actions::field_of);
            link_page(&st, &v, &p, LinkForm::Issue, case_id, &f, &errors, None).await
        }
        Err(e) => app_error(&v, e),
    }
}

pub async fn withdraw_form(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(case_id): Path<Uuid>,
) -> Response {
    link_page(
        &st,
        &v,
        &p,
        LinkForm::Withdraw,
        case_id,
        &FormData::default(),
        &FormErrors::default(),
        None,
    )
    .await
}

/// Ends the working links of a referral; says how many.
pub async fn withdraw(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(case_id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) {
        return forbidden(&v);
    }
    let Some(referral) = f.get("referral_id").parse().ok().map(ReferralId) else {
        let mut errors = FormErrors::default();
        errors.missing("referral_id", &v.i);
        return link_page(&st, &v, &p, LinkForm::Withdraw, case_id, &f, &errors, None).await;
    };
    match st
        .app
        .withdraw_referral_links(&p, CaseId(case_id), referral)
        .await
    {
        Ok(n) => {
            // A number, not its text: the message chooses its plural by it.
            let n = i64::try_from(n).unwrap_or(i64::MAX);
            let notice = v.i.ta("link-withdrawn", &[("count", n.into())]);
            link_page(
                &st,
                &v,
                &p,
                LinkForm::Withdraw,
                case_id,
                &FormData::default(),
                &FormErrors::default(),
                Some(notice),
            )
            .await
        }
        Err(e) => app_error(&v, e),
    }
}

fn gone(v: &Visitor) -> Response {
    message(
        v,
        StatusCode::NOT_FOUND,
        "link-gone-title",
        "link-gone-body",
    )
}

/// The language form of a page needs the anonymous CSRF token's cookie.
fn with_pre_token(mut v: Visitor, render: impl FnOnce(&Visitor) -> Response) -> Response {
    let cookie = v.ensure_pre_token();
    let mut res = render(&v);
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

pub async fn open(State(st): State<WebState>, v: Visitor, Path(secret): Path<String>) -> Response {
    match st.app.open_referral_link(&secret).await {
        Ok(r) => with_pre_token(v, |v| {
            ok(&referral_page(
                v,
                &r,
                &Answering::Link(&secret),
                &FormData::default(),
                FormErrors::default(),
            ))
        }),
        Err(AppError::NotFound) => gone(&v),
        Err(e) => app_error(&v, e),
    }
}

/// Records the answer; the link is then used up and a thank-you page says so. The link
/// in the URL is the credential: no session is needed.
pub async fn answer(
    State(st): State<WebState>,
    v: Visitor,
    Path(secret): Path<String>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    let mut errors = FormErrors::default();
    // The referral is the link's whatever the form says.
    let update = match answer_of(&v, &f, ReferralId(Uuid::nil()), &mut errors) {
        Ok(u) => u,
        Err(e) => return app_error(&v, e),
    };
    if let Some(u) = update {
        let version = f.get("version").parse::<u64>().unwrap_or(0);
        match st.app.answer_referral_link(&secret, version, u).await {
            Ok(_) => return message(&v, StatusCode::OK, "link-done-title", "link-done-body"),
            Err(AppError::NotFound) => return gone(&v),
            Err(e) => {
                if let Err(e) = refused(&v, e, &mut errors) {
                    return app_error(&v, e);
                }
            }
        }
    }
    match st.app.open_referral_link(&secret).await {
        Ok(r) => with_pre_token(v, |v| {
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &referral_page(v, &r, &Answering::Link(&secret), &f, errors),
            )
        }),
        Err(AppError::NotFound) => gone(&v),
        Err(e) => app_error(&v, e),
    }
}
