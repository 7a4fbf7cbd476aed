//! A running Homeward for the web tests: two host offices and an office of return, a
//! programme, and users of several roles, all with one password.
#![allow(dead_code)]

use std::collections::BTreeSet;

use homeward_app::admin::NewUser;
use homeward_app::{App, Config};
use homeward_domain::access::Role;
use homeward_domain::ids::OfficeId;
use homeward_store::testing::TestDb;

pub const PASSWORD: &str = "browser-test-password";

/// An organisation of the directory working in Belgium, offering one service.
pub async fn belgian_organisation(
    app: &App,
    name: &str,
    kind: homeward_domain::organisation::OrganisationKind,
    service: homeward_domain::organisation::ServiceType,
) -> homeward_domain::ids::OrganisationId {
    use homeward_domain::organisation::*;
    let details = OrganisationDetails {
        name: homeward_domain::values::ShortText::parse(name).unwrap(),
        kind,
        countries: ["BE".parse().unwrap()].into(),
        services: [service].into(),
        stages: [ServiceStage::Return].into(),
        languages: Default::default(),
        contact: None,
        email: None,
        phone: None,
        address: None,
        active: true,
    };
    app.create_organisation(None, details).await.unwrap().id
}

/// A partner user `username` of `organisation`, with the common password.
pub async fn partner_user(
    app: &App,
    username: &str,
    organisation: homeward_domain::ids::OrganisationId,
) {
    app.create_user(
        None,
        NewUser {
            username: username.into(),
            display_name: format!("{username} (partner)"),
            roles: [Role::Partner].into(),
            offices: BTreeSet::new(),
            organisation: Some(organisation),
            password: Some(PASSWORD.into()),
        },
    )
    .await
    .unwrap();
}

pub struct Site {
    pub base: String,
    pub app: App,
    pub bru: OfficeId,
    pub ams: OfficeId,
    pub dkr: OfficeId,
    _db: TestDb,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// The programme asks the template survey at its follow-ups, imported as its XLSForm
/// workbook is (so that importing that workbook again adds nothing).
pub async fn ask_template_survey(app: &App) {
    let template = homeward_app::survey_template::reintegration_sustainability().unwrap();
    let xlsx = homeward_app::xlsform::survey_to_xlsx(&template).unwrap();
    let survey = homeward_app::xlsform::survey_from_xlsx(&xlsx, 1).unwrap();
    let key = survey.key.clone();
    app.add_survey_version(None, survey).await.unwrap();
    let issued = app
        .login(
            "admin",
            PASSWORD,
            None,
            homeward_app::auth::SessionKind::Token,
            None,
        )
        .await
        .unwrap();
    let admin = app.authenticate(&issued.secret).await.unwrap();
    let programme = app.list_programmes().await.unwrap().remove(0);
    let mut settings = programme.settings.clone();
    settings.monitoring.survey = Some(key);
    app.update_programme(&admin, programme.id, None, Some(settings))
        .await
        .unwrap();
}

pub async fn site() -> Site {
    let db = TestDb::sqlite().await.unwrap();
    let app = App::new(db.store.clone(), Config::default());
    let bru = app
        .create_office_unchecked(None, "BRU", "Brussels office", "BE", "Europe/Brussels")
        .await
        .unwrap()
        .id;
    let ams = app
        .create_office_unchecked(None, "AMS", "Amsterdam office", "NL", "Europe/Amsterdam")
        .await
        .unwrap()
        .id;
    let dkr = app
        .create_office_unchecked(None, "DKR", "Dakar office", "SN", "Africa/Dakar")
        .await
        .unwrap()
        .id;
    let mut settings = homeward_app::demo::demo_programme_settings().unwrap();
    settings.host_countries = ["BE".parse().unwrap(), "NL".parse().unwrap()]
        .into_iter()
        .collect();
    app.create_programme(None, "AVRR-BE", "AVRR Belgium", settings)
        .await
        .unwrap();
    for (name, role, offices) in [
        ("counsellor", Role::Counsellor, vec![bru]),
        ("counsellor_ams", Role::Counsellor, vec![ams]),
        ("approver", Role::Approver, vec![bru]),
        ("approver_dkr", Role::Approver, vec![dkr]),
        ("movement", Role::MovementOfficer, vec![bru]),
        ("reintegration", Role::ReintegrationOfficer, vec![dkr]),
        ("admin", Role::Administrator, vec![]),
        ("auditor", Role::Auditor, vec![]),
    ] {
        app.create_user(
            None,
            NewUser {
                username: name.into(),
                display_name: format!("Test {name}"),
                roles: [role].into_iter().collect(),
                offices: offices.into_iter().collect::<BTreeSet<_>>(),
                organisation: None,
                password: Some(PASSWORD.into()),
            },
        )
        .await
        .unwrap();
    }
    start(db, app, bru, ams, dkr).await
}

/// The demo (users named by role, passwords `demo-<user>-2026`), served.
pub async fn demo_site(cases: usize) -> Site {
    let db = TestDb::sqlite().await.unwrap();
    let app = App::new(db.store.clone(), Config::default());
    app.seed_demo(cases, 7).await.unwrap();
    let offices = app.list_offices().await.unwrap();
    let id = |code: &str| offices.iter().find(|o| o.code == code).unwrap().id;
    let (bru, ams, dkr) = (id("BRU"), id("AMS"), id("DKR"));
    start(db, app, bru, ams, dkr).await
}

async fn start(db: TestDb, app: App, bru: OfficeId, ams: OfficeId, dkr: OfficeId) -> Site {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let options = homeward_server::ServerOptions {
        public_url: base.clone(),
        ..homeward_server::ServerOptions::default()
    };
    let router = homeward_server::router(app.clone(), options);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(homeward_server::serve(listener, router, async {
        let _ = rx.await;
    }));
    Site {
        base,
        app,
        bru,
        ams,
        dkr,
        _db: db,
        _shutdown: tx,
    }
}
