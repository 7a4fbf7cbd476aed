//! Homeward's web interface: server-rendered HTML over the same application services as
//! the JSON API. Every page works without JavaScript; a small script only enhances
//! (searchable pickers). Every string is in the Fluent catalogues, in English, French,
//! Spanish and Arabic (right to left).

pub mod actions;
pub mod assets;
pub mod chrome;
pub mod forms;
pub mod i18n;
pub mod pages;
pub mod session;
pub mod survey_words;

use axum::Router;
use axum::routing::{get, post};
use homeward_app::App;

/// What the web interface needs from the server.
#[derive(Clone)]
pub struct WebState {
    pub app: App,
    /// Mark cookies `Secure` (the site is served over TLS).
    pub secure_cookies: bool,
    /// Where users reach the site (`https://homeward.example.org`): links given to
    /// people outside, such as a referral's answer link, start with it.
    pub public_url: String,
}

/// Every page of the web interface.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(pages::root))
        .route("/sign-in", get(pages::sign_in_form).post(pages::sign_in))
        .route("/sign-out", post(pages::sign_out))
        .route("/sign-out-everywhere", post(pages::sign_out_everywhere))
        .route("/language", post(pages::set_language))
        .route("/home", get(pages::home))
        .route("/account", get(pages::account::show))
        .route("/account/password", post(pages::account::change_password))
        .route("/cases", get(pages::cases::list).post(pages::cases::search))
        .route("/follow-ups", get(pages::follow_ups::list))
        .route("/deadlines", get(pages::deadlines::list))
        .route("/referrals", get(pages::referrals::list))
        .route("/partner", get(pages::partner::list))
        .route("/partner/inbound", get(pages::inbound::sent_list))
        .route(
            "/partner/inbound/new",
            get(pages::inbound::new_form).post(pages::inbound::submit),
        )
        .route(
            "/partner/inbound/{inbound_id}",
            get(pages::inbound::sent_show),
        )
        .route(
            "/partner/inbound/{inbound_id}/withdraw",
            post(pages::inbound::withdraw),
        )
        .route("/inbound", get(pages::inbound::queue_list))
        .route("/inbound/{inbound_id}", get(pages::inbound::show))
        .route(
            "/inbound/{inbound_id}/decline",
            post(pages::inbound::decline),
        )
        .route(
            "/cases/{case_id}/referral-links",
            get(pages::links::issue_form).post(pages::links::issue),
        )
        .route(
            "/cases/{case_id}/referral-links/withdraw",
            get(pages::links::withdraw_form).post(pages::links::withdraw),
        )
        .route(
            "/r/{secret}",
            get(pages::links::open).post(pages::links::answer),
        )
        .route(
            "/partner/referrals/{case_id}/{referral_id}",
            get(pages::partner::show).post(pages::partner::answer),
        )
        .route("/queues/{slug}", get(pages::queues::show))
        .route(
            "/cases/new",
            get(pages::register::form).post(pages::register::submit),
        )
        .route("/cases/{case_id}", get(pages::case::show))
        .route("/cases/{case_id}/print", get(pages::case::print))
        .route(
            "/cases/{case_id}/do/{action}",
            get(pages::action::form).post(pages::action::submit),
        )
        .route("/directory", get(pages::directory::list))
        .route(
            "/directory/new",
            get(pages::directory::new_form).post(pages::directory::create),
        )
        .route(
            "/directory/import",
            get(pages::directory::import_form).post(pages::directory::import),
        )
        .route("/directory/{organisation_id}", get(pages::directory::show))
        .route(
            "/directory/{organisation_id}/edit",
            get(pages::directory::edit_form).post(pages::directory::edit),
        )
        .route("/surveys", get(pages::surveys::list))
        .route(
            "/surveys/import",
            get(pages::surveys::import_form).post(pages::surveys::import),
        )
        .route("/surveys/template.xlsx", get(pages::surveys::template))
        .route("/surveys/{key}/{version}", get(pages::surveys::show))
        .route(
            "/surveys/{key}/{version}/xlsform",
            get(pages::surveys::xlsform),
        )
        .route("/admin", get(pages::admin::index))
        .route(
            "/admin/users/new",
            get(pages::admin::new_user_form).post(pages::admin::new_user),
        )
        .route(
            "/admin/users/{user_id}",
            get(pages::admin::edit_user_form).post(pages::admin::edit_user),
        )
        .route(
            "/admin/offices/new",
            get(pages::admin::new_office_form).post(pages::admin::new_office),
        )
        .route(
            "/admin/offices/{office_id}",
            get(pages::admin::edit_office_form).post(pages::admin::edit_office),
        )
        .route(
            "/admin/programmes/new",
            get(pages::admin::new_programme_form).post(pages::admin::new_programme),
        )
        .route(
            "/admin/programmes/{programme_id}",
            get(pages::admin::edit_programme_form).post(pages::admin::edit_programme),
        )
        .route(
            "/admin/programmes/{programme_id}/funding",
            get(pages::funding::overview),
        )
        .route(
            "/admin/programmes/{programme_id}/funding/grants/{grant}",
            get(pages::funding::grant_form).post(pages::funding::save_grant),
        )
        .route(
            "/admin/programmes/{programme_id}/funding/grants/{grant}/lines/{line}",
            get(pages::funding::line_form).post(pages::funding::save_line),
        )
        .route("/audit", get(pages::admin::audit))
        .route("/statistics", get(pages::stats::page))
        .route("/statistics/referrals", get(pages::referral_stats::page))
        .route("/statistics/budget", get(pages::budget::page))
        .route("/statistics/impact", get(pages::impact::page))
        .route("/statistics/performance", get(pages::performance::page))
        .route("/statistics/communities", get(pages::communities::page))
        .route("/statistics/trends", get(pages::trends::page))
        .route("/static/{file}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
        .with_state(state)
}
