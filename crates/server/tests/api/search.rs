//! Finding people and cases, and read models that equal a rebuild.

use super::*;

async fn people_are_found_by_any_spelling_of_their_names_and_their_date_of_birth(db: &TestDb) {
    let w = World::start(db).await;
    let mut aicha = adult("Aïcha");
    aicha["name"]["family"] = json!("N'Diaye");
    let mut mohamed = adult("Mohamed");
    mohamed["date_of_birth"] = json!({"exact": "1985-02-11"});
    let mut mamadou = adult("Mamadou");
    mamadou["date_of_birth"] = json!({"exact": "1985-02-11"});
    let a = w
        .register("counsellor", w.bru, vec![member("principal", aicha)])
        .await;
    let m = w
        .register(
            "counsellor",
            w.bru,
            vec![
                member("principal", mohamed),
                member("spouse", adult("Fatouma")),
            ],
        )
        .await;
    let d = w
        .register("counsellor", w.bru, vec![member("principal", mamadou)])
        .await;
    let w = &w;
    let cases = |q: Value| async move {
        let r = w.post("counsellor", "/api/cases/search", q).await.ok();
        let mut ids: Vec<String> = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };
    // As written, folded, by the start of a word, or by another spelling.
    assert_eq!(cases(json!({"q": "aicha ndiaye"})).await, vec![a.clone()]);
    assert_eq!(cases(json!({"q": "AISHA N'DIAYE"})).await, vec![a.clone()]);
    assert_eq!(
        cases(json!({"q": "ays"})).await,
        Vec::<String>::new(),
        "a prefix is of the word as written"
    );
    assert_eq!(cases(json!({"q": "aysha"})).await, vec![a.clone()]);
    assert_eq!(
        cases(json!({"q": "Muhammad Diallo"})).await,
        vec![m.clone()]
    );
    assert_eq!(
        cases(json!({"q": "fatima"})).await,
        vec![m.clone()],
        "the spouse is found too"
    );
    assert_eq!(
        cases(json!({"q": "Mamadou"})).await,
        vec![d.clone()],
        "Mamadou is not Mohamed"
    );
    // Every word must match the same person.
    assert_eq!(
        cases(json!({"q": "Mohamed Fatouma"})).await,
        Vec::<String>::new()
    );
    // With a date of birth: only people born that day.
    assert_eq!(
        cases(json!({"q": "Dialo", "birth_date": "1985-02-11"})).await,
        sorted(vec![&m, &d])
    );
    assert_eq!(
        cases(json!({"q": "Dialo", "birth_date": "1990-05-01"})).await,
        vec![m.clone()],
        "Fatouma Diallo"
    );
    assert_eq!(
        cases(json!({"birth_date": "1985-02-11"})).await,
        sorted(vec![&m, &d])
    );
    let people = w
        .post("counsellor", "/api/people/search", json!({"q": "mouhamed"}))
        .await
        .ok();
    assert_eq!(people["total"], 1);
    assert_eq!(people["items"][0]["given_name"], "Mohamed");
    // The words are read models too: a rebuild from the log finds the same.
    w.app.store().rebuild_read_models().await.unwrap();
    assert_eq!(cases(json!({"q": "aysha"})).await, vec![a.clone()]);
    // A database from before the search words gets them at its next start.
    w.app
        .store()
        .execute_unchecked("DELETE FROM person_tokens")
        .await
        .unwrap();
    assert_eq!(cases(json!({"q": "aysha"})).await, Vec::<String>::new());
    w.app.store().migrate().await.unwrap();
    assert_eq!(cases(json!({"q": "aysha"})).await, vec![a]);
}

async fn each_command_rewrites_the_read_models_it_changes_and_they_equal_a_rebuild(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    // A session changes the case row only; a change of name changes the people rows
    // and the words they are found by; a departure, the statistics.
    w.session(&case, vec![json!({"member": awa})], "wo", 5)
        .await
        .ok();
    let mut renamed = adult("Aminata");
    renamed["name"]["family"] = json!("Sow");
    w.cmd(
        "counsellor",
        &case,
        "person-updates",
        json!({"person_id": awa, "details": renamed}),
    )
    .await
    .ok();
    let wr = &w;
    let found = |q: &'static str| async move {
        wr.post("counsellor", "/api/cases/search", json!({"q": q}))
            .await
            .ok()["total"]
            .clone()
    };
    assert_eq!(found("aminata sow").await, 1);
    assert_eq!(found("awa").await, 0);
    let (b, pb) = w.single_adult().await;
    w.approve(&b, &[&pb]).await;
    w.prepare(&b).await;
    w.cmd("movement", &b, "ready-to-depart", json!({}))
        .await
        .ok();
    w.cmd("movement", &b, "departure", json!({})).await.ok();
    let stats = w.app.store().stats_snapshot().await.unwrap();
    assert_eq!(stats.returns.len(), 1);
    let models = w.app.store().read_model_snapshot().await.unwrap();
    w.app.store().rebuild_read_models().await.unwrap();
    assert_eq!(w.app.store().read_model_snapshot().await.unwrap(), models);
    assert_eq!(w.app.store().stats_snapshot().await.unwrap(), stats);
    assert_eq!(found("aminata").await, 1);
}

homeward_store::db_tests!(
    people_are_found_by_any_spelling_of_their_names_and_their_date_of_birth,
    each_command_rewrites_the_read_models_it_changes_and_they_equal_a_rebuild,
);
