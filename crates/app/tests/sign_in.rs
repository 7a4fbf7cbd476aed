//! Failed sign-ins are throttled per account and address, per account and per address, so
//! that one noisy client (a fuzzer, someone who forgot a password) behind an office's NAT
//! locks no one else out, while guessing from one address or many is still stopped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::IpAddr;

use homeward_app::auth::SessionKind;
use homeward_app::{App, AppError, Config};
use homeward_store::Store;

async fn sign_in(app: &App, user: &str, password: &str, from: &str) -> Result<(), AppError> {
    let address: IpAddr = from.parse().unwrap();
    app.login(user, password, Some(address), SessionKind::Token, None)
        .await
        .map(|_| ())
}

fn throttled(r: Result<(), AppError>) -> bool {
    matches!(r, Err(AppError::Throttled { .. }))
}

fn refused(r: Result<(), AppError>) -> bool {
    matches!(r, Err(AppError::Unauthenticated))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_noisy_client_locks_an_account_from_its_own_address_only() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("sign-in.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    // Small limits, the defaults' shape (5, 50, 100): each attempt hashes a password.
    let config = Config {
        login_max_per_account_address: 3,
        login_max_per_account: 6,
        login_max_per_address: 10,
        ..Config::default()
    };
    let app = App::new(store, config);
    let demo = app.seed_demo(5, 7).await.unwrap();
    let user = |n: usize| {
        (
            demo.users[n].username.clone(),
            demo.users[n].password.clone(),
        )
    };
    let (awa, awa_pw) = user(0);
    let (ben, ben_pw) = user(1);
    let (cleo, cleo_pw) = user(2);
    let nat = "10.0.0.7";

    // Three wrong passwords for one account from the office's address: that account is
    // refused from there, even with the right password...
    for _ in 0..3 {
        assert!(refused(sign_in(&app, &awa, "wrong", nat).await));
    }
    assert!(throttled(sign_in(&app, &awa, &awa_pw, nat).await));
    // ...while a colleague behind the same address signs in, and the same person from
    // another address too (which ends the account's count).
    sign_in(&app, &ben, &ben_pw, nat).await.unwrap();
    sign_in(&app, &awa, &awa_pw, "10.9.9.9").await.unwrap();

    // Guessing one account from many addresses: stopped everywhere once the account has
    // had its share, whatever the address.
    for n in 0..6 {
        let from = format!("10.1.0.{n}");
        assert!(refused(sign_in(&app, &cleo, "wrong", &from).await), "{n}");
    }
    assert!(throttled(sign_in(&app, &cleo, &cleo_pw, "10.2.0.1").await));

    // Trying many accounts from one address: stopped there for every account that has
    // not signed in from it lately, and only there. Someone who has (a colleague behind
    // the office's NAT, where a fuzzer runs) still signs in.
    let (dan, dan_pw) = user(3);
    let office = "10.3.0.1";
    sign_in(&app, &ben, &ben_pw, office).await.unwrap();
    for n in 0..10 {
        assert!(
            refused(sign_in(&app, &format!("nobody{n}"), "wrong", office).await),
            "{n}"
        );
    }
    assert!(throttled(sign_in(&app, &dan, &dan_pw, office).await));
    sign_in(&app, &ben, &ben_pw, office).await.unwrap();
    sign_in(&app, &dan, &dan_pw, nat).await.unwrap();
    // Known there, but with too many wrong passwords of its own: still locked there.
    for _ in 0..3 {
        assert!(refused(sign_in(&app, &ben, "wrong", office).await));
    }
    assert!(throttled(sign_in(&app, &ben, &ben_pw, office).await));
}
