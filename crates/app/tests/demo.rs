//! The demo data set is built through the domain: every story must be accepted, and the
//! result must cover every stage.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use homeward_app::{App, Config};
use homeward_store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_covers_every_stage_and_its_log_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("demo.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let app = App::new(store.clone(), Config::default());
    let summary = app.seed_demo(300, 7).await.unwrap();
    assert_eq!(summary.users.len(), 10);
    let (cases, people) = store.read_model_snapshot().await.unwrap();
    assert_eq!(cases.len(), 300);
    assert!(people.len() > 300, "families have several members");
    let stages: BTreeSet<&str> = cases.iter().map(|c| c.stage.as_str()).collect();
    for s in [
        "registered",
        "counselling",
        "applied",
        "approved",
        "pre_departure",
        "ready_to_depart",
        "arrived",
        "reintegration",
        "monitoring",
        "withdrawn",
        "rejected",
        "closed",
    ] {
        assert!(stages.contains(s), "no demo case is {s}: {stages:?}");
    }
    assert!(cases.iter().any(|c| c.vulnerabilities != 0));
    assert!(store.verify_audit().await.unwrap().is_ok());
    // Every person of a departed case is a return; nobody else is.
    let stats = store.stats_snapshot().await.unwrap();
    let departed_people: i64 = cases
        .iter()
        .filter(|c| c.departed_at.is_some())
        .map(|c| c.members)
        .sum();
    assert!(departed_people > 0);
    assert_eq!(stats.returns.len() as i64, departed_people);
    assert!(
        !stats.interruptions.is_empty(),
        "withdrawals, rejections, no-shows"
    );
    store.rebuild_read_models().await.unwrap();
    assert_eq!(store.read_model_snapshot().await.unwrap(), (cases, people));
    assert_eq!(
        store.stats_snapshot().await.unwrap(),
        stats,
        "the statistics rebuild the same"
    );
    assert!(
        app.seed_demo(1, 1).await.is_err(),
        "only into an empty database"
    );
}
