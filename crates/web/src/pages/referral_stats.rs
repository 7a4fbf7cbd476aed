//! The referral figures of the reader's offices (`App::referral_figures`): by need and by
//! organisation, each outcome, answered, and the mean days to answer.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use homeward_app::referral_stats::{ReferralFigures, ReferralLine};

use super::{app_error, consume_flash};
use crate::WebState;
use crate::actions::Field;
use crate::chrome::{Chrome, ok};
use crate::forms::{DayAsked, PeriodQuery};
use crate::i18n::I18n;
use crate::session::SignedIn;

pub struct Table {
    pub title: String,
    pub rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "referral_stats.html")]
pub struct ReferralStatsPage {
    pub c: Chrome,
    /// The period's first and last day, each asked as day, month and year.
    pub from: Field,
    pub until: Field,
    pub head: Vec<String>,
    pub tables: Vec<Table>,
    /// Small counts hidden: say so, and how.
    pub protected: bool,
    /// A period that is not whole months, for a protected reader.
    pub period_error: Option<String>,
}

/// A figure: a number, or "—" where it is hidden from the reader.
fn figure(i: &I18n, n: Option<i64>) -> String {
    n.map_or_else(|| "—".into(), |n| i.number(n))
}

fn row(i: &I18n, label: String, l: &ReferralLine, f: &ReferralFigures) -> Vec<String> {
    let mut out = vec![label];
    out.extend(f.outcomes.iter().map(|o| {
        // An outcome not counted is 0; one counted and hidden is null.
        figure(i, l.outcomes.get(o.code()).copied().unwrap_or(Some(0)))
    }));
    out.push(figure(i, l.referrals));
    if !f.protected {
        out.push(figure(i, l.answered));
    }
    out.push(
        l.mean_days_to_answer
            .map(|d| i.digits(&format!("{d:.1}")))
            .unwrap_or_else(|| "–".into()),
    );
    out
}

pub async fn page(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let i = v.i;
    // A day that is not one is left out, as the statistics page does, and said so beside
    // its field.
    let (from_asked, until_asked) = (q.from_day(), q.until_day());
    let (from, until) = (
        from_asked.day.ok().flatten(),
        until_asked.day.ok().flatten(),
    );
    let field = |name: &str, key: &str, asked: DayAsked| {
        let error = asked
            .day
            .is_err()
            .then(|| i.t1("stats-bad-date", "field", i.t(key)));
        Field::date(name, i.t(key), Some(i.t("date-hint")), asked.parts, error)
    };
    let (from_field, until_field) = (
        field("from", "rstats-from", from_asked),
        field("until", "rstats-until", until_asked),
    );
    let (f, period_error) = match st.app.referral_figures(&p, from, until).await {
        Ok(f) => (f, None),
        // A protected reader's period is whole months: the figures of all time, with why.
        Err(homeward_app::AppError::Invalid(vs)) => {
            match st.app.referral_figures(&p, None, None).await {
                Ok(f) => (f, vs.first().map(|v| crate::forms::rule_message(&i, v))),
                Err(e) => return app_error(&v, e),
            }
        }
        Err(e) => return app_error(&v, e),
    };
    let mut head = vec![String::new()];
    head.extend(
        f.outcomes
            .iter()
            .map(|o| i.opt("referral_outcome", o.code())),
    );
    head.push(i.t("rstats-total"));
    if !f.protected {
        head.push(i.t("rstats-answered"));
    }
    head.push(i.t("rstats-mean-days"));
    head[0] = i.t("col-service");
    let mut by_service: Vec<Vec<String>> = f
        .by_service
        .iter()
        .map(|l| row(&i, i.opt("service", &l.key), l, &f))
        .collect();
    if f.total.referrals != Some(0) {
        by_service.push(row(&i, i.t("rstats-total"), &f.total, &f));
    }
    let by_organisation = f
        .by_organisation
        .iter()
        .map(|l| row(&i, l.name.clone(), l, &f))
        .collect();
    let t = ReferralStatsPage {
        c: Chrome::new(&v, i.t("rstats-title")),
        from: from_field,
        until: until_field,
        head,
        protected: f.protected,
        period_error,
        tables: {
            let mut tables = vec![Table {
                title: i.t("rstats-by-service"),
                rows: by_service,
            }];
            // A protected reader gets one table (see `App::referral_figures`).
            if !f.protected {
                tables.push(Table {
                    title: i.t("rstats-by-organisation"),
                    rows: by_organisation,
                });
            }
            tables
        },
    };
    consume_flash(&v, ok(&t))
}
