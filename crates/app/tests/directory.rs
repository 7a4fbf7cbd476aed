//! Users and programme settings are kept in memory between requests; a change made by
//! another process (here: another store on the same database file, as `homeward users`
//! would) is seen by the very next request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use homeward_app::auth::SessionKind;
use homeward_app::{App, AppError, Config};
use homeward_domain::access::Role;
use homeward_store::{Store, UserChange};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_elsewhere_is_seen_by_the_next_request() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("directory.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let app = App::new(store.clone(), Config::default());
    let demo = app.seed_demo(5, 7).await.unwrap();
    let counsellor = demo
        .users
        .iter()
        .find(|u| u.role == Role::Counsellor)
        .unwrap();
    let issued = app
        .login(
            &counsellor.username,
            &counsellor.password,
            None,
            SessionKind::Token,
            Some("t".into()),
        )
        .await
        .unwrap();
    // Twice: the second time from memory.
    let p = app.authenticate(&issued.secret).await.unwrap();
    let again = app.authenticate(&issued.secret).await.unwrap();
    assert_eq!(p.actor, again.actor);
    let programme_id = store.list_programmes().await.unwrap()[0].id;
    let before = app.programme_for(&p, programme_id).await.unwrap();

    // Another process changes the programme, then the user's roles.
    let other = Store::connect(&url).await.unwrap();
    let mut row = other.list_programmes().await.unwrap()[0].clone();
    let mut settings: homeward_domain::programme::ProgrammeSettings =
        serde_json::from_str(&row.settings).unwrap();
    settings.reflection_period_days = before.reflection_period_days + 7;
    row.settings = serde_json::to_string(&settings).unwrap();
    other.update_programme(&row).await.unwrap();
    let p = app.authenticate(&issued.secret).await.unwrap();
    assert_eq!(
        app.programme_for(&p, programme_id)
            .await
            .unwrap()
            .reflection_period_days,
        before.reflection_period_days + 7
    );
    other
        .update_user(
            p.actor.user_id,
            &UserChange {
                display_name: None,
                active: None,
                roles: Some(BTreeSet::from([Role::Counsellor, Role::MovementOfficer])),
                offices: None,
                organisation: None,
                password_hash: None,
            },
        )
        .await
        .unwrap();
    let p = app.authenticate(&issued.secret).await.unwrap();
    assert!(p.actor.roles.contains(&Role::MovementOfficer));

    // Then deactivates the user: the next request is refused.
    other
        .update_user(
            p.actor.user_id,
            &UserChange {
                display_name: None,
                active: Some(false),
                roles: None,
                offices: None,
                organisation: None,
                password_hash: None,
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        app.authenticate(&issued.secret).await,
        Err(AppError::Unauthenticated)
    ));
}
