//! The audit log, page by page, for those who may read it.

use super::*;

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub c: Chrome,
    pub chain: String,
    pub chain_ok: bool,
    pub rows: Vec<AuditRow>,
    pub page_label: String,
    pub prev: Option<u32>,
    pub next: Option<u32>,
}

pub struct AuditRow {
    pub seq: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case: String,
    pub detail: String,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub page: Option<u32>,
}

pub async fn audit(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let i = v.i;
    let page_no = q.map(|Query(q)| q.page).ok().flatten().unwrap_or(1).max(1);
    let per_page = 50;
    let entries = match st
        .app
        .audit_log(
            &p,
            PageRequest {
                page: page_no,
                per_page,
            },
        )
        .await
    {
        Ok(e) => e,
        Err(AppError::Forbidden(_)) => return forbidden(&v),
        Err(e) => return app_error(&v, e),
    };
    let report = match st.app.verify_audit_chain().await {
        Ok(r) => r,
        Err(e) => return app_error(&v, e),
    };
    let users = st.app.store().list_users().await.unwrap_or_default();
    let name = |id: Option<Uuid>| -> String {
        match id {
            None => i.t("audit-system"),
            Some(id) => users
                .iter()
                .find(|u| u.id.0 == id)
                .map(|u| u.username.clone())
                .unwrap_or_else(|| id.to_string()),
        }
    };
    let pages = (entries.total.max(1) as u32).div_ceil(per_page);
    let t = AuditPage {
        c: Chrome::new(&v, i.t("audit-title")),
        chain_ok: report.valid,
        chain: if report.valid {
            i.ta(
                "audit-chain-ok",
                &[("count", (report.entries as i64).into())],
            )
        } else {
            i.ta(
                "audit-chain-broken",
                &[
                    ("seq", report.first_break.unwrap_or(0).into()),
                    ("reason", report.reason.unwrap_or_default().into()),
                ],
            )
        },
        rows: entries
            .items
            .into_iter()
            .map(|e| AuditRow {
                seq: i.number(e.seq),
                at: i.datetime(e.at),
                actor: name(e.actor),
                action: e.action,
                case: e.case_id.map(|c| c.to_string()).unwrap_or_default(),
                detail: e.detail,
            })
            .collect(),
        page_label: i.ta(
            "page-of",
            &[
                ("page", i.number(i64::from(page_no)).into()),
                ("pages", i.number(i64::from(pages)).into()),
            ],
        ),
        prev: (page_no > 1).then(|| page_no - 1),
        next: (page_no < pages).then(|| page_no + 1),
    };
    ok(&t)
}
