//! The JSON API, driven over real HTTP against the real server, on SQLite and on
//! PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod servers;
mod support;

use homeward_store::testing::TestDb;
use serde_json::{Value, json};
use support::*;

/// JSON of any shape, with the field names and kinds of value the API reads (but never a
/// `version`, so that no body can be a valid command by chance), strings with control
/// characters, right-to-left marks and extreme lengths, and numbers at the edges.
fn hostile_json(person: &str) -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let person = person.to_string();
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(f64::MAX),
            Just(-0.0),
            Just(1e-300),
            any::<f64>().prop_filter("finite", |f| f.is_finite())
        ]
        .prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::from),
        "[\\x00-\\x1f\\u{202e}\\u{200f}a-z]{0,20}".prop_map(Value::from),
        (0usize..20_000).prop_map(|n| Value::from("x".repeat(n))),
        prop_oneof![
            Just("2026-02-30"),
            Just("1899-01-01"),
            Just("9999-12-31T23:59:59Z"),
            Just("EUR"),
            Just("XX"),
            Just("fr"),
            Just("DSS"),
            Just("00000000-0000-0000-0000-000000000000")
        ]
        .prop_map(Value::from),
        Just(Value::from(person)),
    ];
    let key = prop_oneof![
        prop_oneof![
            Just("person_id"),
            Just("member"),
            Just("members"),
            Just("details"),
            Just("name"),
            Just("given"),
            Just("family"),
            Just("date_of_birth"),
            Just("sex"),
            Just("language"),
            Just("languages"),
            Just("topics"),
            Just("attendees"),
            Just("occurred_at"),
            Just("amount"),
            Just("amount_minor"),
            Just("currency"),
            Just("flights"),
            Just("kind"),
            Just("outcome"),
            Just("reason"),
            Just("username"),
            Just("password"),
            Just("roles"),
            Just("offices"),
            Just("code"),
            Just("country"),
            Just("settings"),
            Just("host_office"),
            Just("programme"),
            Just("proposal"),
            Just("corrects"),
            Just("replacement"),
        ]
        .prop_map(str::to_string),
        "\\PC{0,12}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

async fn a_single_adult_goes_through_the_whole_lifecycle(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    let v = w.view("counsellor", &case).await;
    assert_eq!(v["case"]["stage"], "registered");
    assert!(v["case"]["reference"].as_str().unwrap().starts_with("BRU-"));
    w.approve(&case, &[&awa]).await;
    w.prepare(&case).await;
    w.cmd(
        "movement",
        &case,
        "return-office",
        json!({"office_id": w.dkr}),
    )
    .await
    .ok();
    w.cmd("movement", &case, "ready-to-depart", json!({}))
        .await
        .ok();
    w.cmd(
        "movement",
        &case,
        "allowances",
        json!({"kind": "pocket_money", "amount": {"amount_minor": 25000, "currency": "EUR"}}),
    )
    .await
    .ok();
    let v = w.view("movement", &case).await;
    let local = &v["itinerary_local_times"][0];
    assert_eq!(local["to"], "DSS");
    assert!(
        local["departs_local"].as_str().unwrap().contains("(+0"),
        "{local}"
    );
    let d = w.cmd("movement", &case, "departure", json!({})).await.ok();
    assert_eq!(d["stage"], "departed");
    // The office of the country of return receives the case and leads from then on.
    w.cmd(
        "reintegration",
        &case,
        "arrival",
        json!({"reception": "office", "onward_transport": "Bus to Thiès"}),
    )
    .await
    .ok();
    let v = w.view("reintegration", &case).await;
    assert_eq!(v["case"]["stage"], "arrived");
    assert_eq!(v["lead_office"], json!(w.dkr));
    // The host office keeps read access but no longer acts.
    w.view("counsellor", &case).await;
    let r = w
        .cmd(
            "counsellor",
            &case,
            "closure",
            json!({"outcome": "completed"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    w.cmd("reintegration", &case, "reintegration", json!({}))
        .await
        .ok();
    w.cmd("reintegration", &case, "monitoring", json!({}))
        .await
        .ok();
    let closed = w
        .cmd(
            "reintegration",
            &case,
            "closure",
            json!({"outcome": "completed"}),
        )
        .await
        .ok();
    assert_eq!(closed["stage"], "closed");
    let timeline = w
        .get("counsellor", &format!("/api/cases/{case}/timeline"))
        .await
        .ok();
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    for k in [
        "case_registered",
        "member_added",
        "counselling_session_recorded",
        "consent_recorded",
        "application_approved",
        "departure_confirmed",
        "arrival_recorded",
        "case_closed",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert!(timeline[0]["actor_name"].as_str().is_some());
}

async fn a_family_departs_once_every_adult_consented(db: &TestDb) {
    let w = World::start(db).await;
    let case = w
        .register(
            "counsellor",
            w.bru,
            vec![
                member("principal", adult("Awa")),
                member("spouse", adult("Moussa")),
                member("child", child("Fatou", "2017-03-01")),
            ],
        )
        .await;
    let p = w.people(&case).await;
    w.session(
        &case,
        vec![json!({"member": p[0]}), json!({"member": p[1]})],
        "fr",
        5,
    )
    .await
    .ok();
    w.consent(&case, &p[0], "person").await.ok();
    w.consent(&case, &p[2], "person")
        .await
        .refused(422, "consent.covered_by_family");
    w.screen(&case, "not_initiated").await.ok();
    // No application without every adult's consent, the missing one named.
    let r = w.cmd("counsellor", &case, "application", json!({})).await;
    r.refused(422, "consent.missing");
    assert_eq!(
        r.body["errors"][0]["person_id"],
        json!(p[1]),
        "Moussa's consent is missing"
    );
    w.consent(&case, &p[1], "person").await.ok();
    w.cmd("counsellor", &case, "application", json!({}))
        .await
        .ok();
    w.cmd("approver", &case, "approval", json!({})).await.ok();
    w.prepare(&case).await;
    w.cmd("movement", &case, "ready-to-depart", json!({}))
        .await
        .ok();
    w.cmd("movement", &case, "departure", json!({})).await.ok();
}

async fn an_unaccompanied_child_departs_through_the_capacity_path(db: &TestDb) {
    let w = World::start(db).await;
    let mut d = child("Ibrahima", "2011-06-01");
    d["vulnerabilities"] = json!(["unaccompanied_or_separated_child"]);
    let case = w
        .register("counsellor", w.bru, vec![member("principal", d)])
        .await;
    let kid = w.people(&case).await.remove(0);
    w.cmd("counsellor", &case, "representatives", json!({
        "occurred_at": ago(9), "person_id": kid, "name": "Mariama Ba", "kind": "legal_guardian", "languages": ["fr"]
    })).await.ok();
    w.session(
        &case,
        vec![json!({"member": kid}), json!({"representative_of": kid})],
        "fr",
        5,
    )
    .await
    .ok();
    w.screen(&case, "not_initiated").await.ok();
    let r = w.cmd("counsellor", &case, "application", json!({})).await;
    for code in [
        "capacity.assessment_missing",
        "capacity.best_interests_missing",
        "consent.representative_missing",
    ] {
        r.refused(422, code);
    }
    w.cmd(
        "counsellor",
        &case,
        "consents",
        json!({
            "person_id": kid, "given_by": "person", "no_pressure_attested": true,
            "right_to_withdraw_explained": true, "data_processing_consent": true
        }),
    )
    .await
    .refused(422, "consent.representative_required");
    w.cmd("counsellor", &case, "capacity-assessments", json!({
        "person_id": kid, "professional": "Dr. N. Sow", "qualification": "Child psychologist", "lacks_capacity": true
    })).await.ok();
    w.cmd("counsellor", &case, "best-interests-determinations", json!({
        "person_id": kid, "determined_by": "Child protection panel", "return_in_best_interests": true
    })).await.ok();
    w.consent(&case, &kid, "representative").await.ok();
    w.cmd("counsellor", &case, "application", json!({}))
        .await
        .ok();
    w.cmd("approver", &case, "approval", json!({})).await.ok();
    w.prepare(&case).await;
    w.cmd("movement", &case, "ready-to-depart", json!({}))
        .await
        .refused(422, "escort.child_escort_missing");
    w.cmd(
        "movement",
        &case,
        "escorts",
        json!({"kind": "child", "name": "K. Fall", "accompanies": [kid]}),
    )
    .await
    .ok();
    w.cmd("movement", &case, "ready-to-depart", json!({}))
        .await
        .ok();
    w.cmd("movement", &case, "departure", json!({})).await.ok();
}

async fn consent_is_refused_before_the_reflection_period_ends(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    w.session(&case, vec![json!({"member": awa})], "wo", 1)
        .await
        .ok();
    let r = w.consent(&case, &awa, "person").await;
    r.refused(422, "consent.reflection_period");
    assert!(r.body["errors"][0]["params"]["from_date"].is_string());
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("consent can be recorded from")
    );
}

async fn consent_needs_an_information_session_in_a_language_understood(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    w.session(&case, vec![json!({"member": awa})], "en", 5)
        .await
        .ok();
    w.consent(&case, &awa, "person")
        .await
        .refused(422, "consent.no_information_session");
}

async fn an_approver_never_decides_their_own_submission(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    w.session(&case, vec![json!({"member": awa})], "wo", 5)
        .await
        .ok();
    w.consent(&case, &awa, "person").await.ok();
    w.screen(&case, "not_initiated").await.ok();
    // A counsellor who is also an approver submits, then tries to approve.
    w.app
        .store()
        .update_user(
            w.users["counsellor"],
            &homeward_store::UserChange {
                roles: Some(
                    [
                        homeward_domain::Role::Counsellor,
                        homeward_domain::Role::Approver,
                    ]
                    .into_iter()
                    .collect(),
                ),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    w.cmd("counsellor", &case, "application", json!({}))
        .await
        .ok();
    w.cmd("counsellor", &case, "approval", json!({}))
        .await
        .refused(422, "approval.own_submission");
    // Without the approver role, the request is forbidden.
    let r = w.cmd("counsellor2", &case, "approval", json!({})).await;
    assert_eq!(r.status, 403, "{}", r.body);
    w.cmd("approver", &case, "approval", json!({})).await.ok();
}

async fn departure_needs_fitness_to_travel_where_required(db: &TestDb) {
    let w = World::start(db).await;
    let mut d = adult("Awa");
    d["vulnerabilities"] = json!(["medical_needs"]);
    let case = w
        .register("counsellor", w.bru, vec![member("principal", d)])
        .await;
    let awa = w.people(&case).await.remove(0);
    w.approve(&case, &[&awa]).await;
    w.prepare(&case).await;
    w.cmd("movement", &case, "ready-to-depart", json!({}))
        .await
        .refused(422, "health.assessment_missing");
    // Only the medical officer records a health assessment.
    let body = json!({"person_id": awa, "fitness": "not_fit", "assessed_by": "Dr. Ndiaye", "medical_details": "Unstable angina"});
    assert_eq!(
        w.cmd("movement", &case, "health-assessments", body.clone())
            .await
            .status,
        403
    );
    w.cmd("medical", &case, "health-assessments", body)
        .await
        .ok();
    w.cmd("movement", &case, "ready-to-depart", json!({}))
        .await
        .refused(422, "health.not_fit");
}

async fn departure_after_a_changed_proposal_needs_reconfirmed_consent(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    w.approve(&case, &[&awa]).await;
    w.prepare(&case).await;
    w.cmd("counsellor", &case, "proposal", json!({"proposal": {
        "country_of_return": "SN", "return_kind": "origin", "place_of_return": "Dakar", "assistance_package": []
    }})).await.ok();
    w.cmd("movement", &case, "ready-to-depart", json!({}))
        .await
        .refused(422, "consent.stale");
    w.cmd(
        "counsellor",
        &case,
        "consent-reconfirmations",
        json!({"person_id": awa, "given_by": "person", "no_pressure_attested": true}),
    )
    .await
    .ok();
    w.cmd("movement", &case, "ready-to-depart", json!({}))
        .await
        .ok();
}

async fn an_initiated_removal_procedure_makes_a_case_ineligible(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    w.session(&case, vec![json!({"member": awa})], "wo", 5)
        .await
        .ok();
    w.screen(&case, "initiated").await.ok();
    w.cmd("counsellor", &case, "application", json!({}))
        .await
        .refused(422, "eligibility.removal_procedure_initiated");
}

async fn withdrawal_after_departure_is_refused(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    w.approve(&case, &[&awa]).await;
    w.prepare(&case).await;
    w.cmd("movement", &case, "ready-to-depart", json!({}))
        .await
        .ok();
    w.cmd("movement", &case, "departure", json!({})).await.ok();
    w.cmd(
        "counsellor",
        &case,
        "withdrawals",
        json!({"person_id": awa, "own_words": "I changed my mind"}),
    )
    .await
    .refused(422, "withdrawal.after_departure");
}

async fn withdrawal_and_reopening_before_departure(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    w.approve(&case, &[&awa]).await;
    let r = w
        .cmd(
            "counsellor",
            &case,
            "withdrawals",
            json!({"person_id": awa, "own_words": "Je reste avec ma sœur."}),
        )
        .await
        .ok();
    assert_eq!(r["stage"], "withdrawn");
    let v = w.view("counsellor", &case).await;
    assert_eq!(
        v["case"]["consents"][&awa]["withdrawal_words"],
        "Je reste avec ma sœur."
    );
    let r = w
        .cmd(
            "counsellor",
            &case,
            "reopening",
            json!({"reason": "She asked to resume"}),
        )
        .await
        .ok();
    assert_eq!(r["stage"], "counselling");
}

async fn two_writes_at_one_version_let_exactly_one_through(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    let version = w.version(&case).await;
    let body = |n: i64| {
        json!({
            "version": version,
            "occurred_at": ago(n),
            "language": "wo", "interpreter_present": false, "topics": ["return_modalities"],
            "attendees": [{"member": awa}]
        })
    };
    let path = format!("/api/cases/{case}/counselling-sessions");
    let (a, b) = tokio::join!(
        w.post("counsellor", &path, body(1)),
        w.post("counsellor2", &path, body(2))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let conflict = if a.status == 409 { a } else { b };
    assert_eq!(conflict.body["current_version"], json!(version + 1));
    assert_eq!(w.version(&case).await, version + 1);
}

async fn a_case_changed_by_another_server_is_answered_from_the_database(db: &TestDb) {
    // Each server keeps the cases it has just read or changed; a command at the version
    // it keeps is decided without reading the case again.
    let mut w = World::start(db).await;
    let other = w.another_server().await;
    let (case, awa) = w.single_adult().await;
    let path = format!("/api/cases/{case}/counselling-sessions");
    let session = |version: u64, attendee: &str| {
        json!({
            "version": version,
            "language": "wo", "interpreter_present": false, "topics": ["return_modalities"],
            "attendees": [{"member": attendee}]
        })
    };
    let v = w.version(&case).await;
    w.post("counsellor", &path, session(v, &awa)).await.ok();
    // The other server changes the case: what the first one keeps is now old.
    w.post_to(&other, "counsellor", &path, session(v + 1, &awa))
        .await
        .ok();
    let stale = w.post("counsellor", &path, session(v + 1, &awa)).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.body["current_version"], json!(v + 2));
    // Decided on the old case kept in memory, this command would be refused (no such
    // attendee); the database says the caller's version is old, and so does the answer.
    w.post("counsellor", &path, session(v + 2, &awa)).await.ok();
    w.post_to(&other, "counsellor", &path, session(v + 3, &awa))
        .await
        .ok();
    let nobody = uuid::Uuid::now_v7().to_string();
    let stale = w.post("counsellor", &path, session(v + 3, &nobody)).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.body["current_version"], json!(v + 4));
    // At the current version both servers go on, and no event was lost or doubled.
    let done = w.post("counsellor", &path, session(v + 4, &awa)).await.ok();
    assert_eq!(done["version"], json!(v + 5));
    let done = w
        .post_to(&other, "counsellor", &path, session(v + 5, &awa))
        .await
        .ok();
    assert_eq!(done["version"], json!(v + 6));
    let done = w.post("counsellor", &path, session(v + 6, &awa)).await.ok();
    assert_eq!(done["version"], json!(v + 7));
    let events = w
        .app
        .store()
        .load_events(homeward_domain::ids::CaseId(case.parse().unwrap()))
        .await
        .unwrap();
    let versions: Vec<u64> = events.iter().map(|e| e.meta.version).collect();
    assert_eq!(versions, (1..=v + 7).collect::<Vec<_>>());
    assert_eq!(w.view("counsellor", &case).await["version"], json!(v + 7));
}

async fn hostile_bodies_to_every_endpoint_get_a_4xx_and_write_nothing(db: &TestDb) {
    use proptest::strategy::{Strategy, ValueTree};
    let w = World::start(db).await;
    let (case, person) = w.single_adult().await;
    let doc = w
        .send(None, w.http.get(format!("{}/api/openapi.json", w.base)))
        .await
        .ok();
    let mut endpoints = vec![];
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch"] {
            // Signing out is a write of its own kind: it is tested elsewhere.
            if ops.get(method).is_some() && !path.contains("logout") {
                endpoints.push((
                    method.to_uppercase(),
                    path.replace("{case_id}", &case)
                        .replace("{user_id}", &w.users["counsellor"].to_string())
                        .replace("{programme_id}", &w.programme.to_string()),
                ));
            }
        }
    }
    assert!(endpoints.len() > 40, "{endpoints:?}");
    let before = (
        w.events().await,
        w.app.store().read_model_snapshot().await.unwrap(),
        w.get("admin", "/api/users").await.ok(),
        w.get("admin", "/api/offices").await.ok(),
        w.get("admin", "/api/programmes").await.ok(),
    );
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let bodies = hostile_json(&person);
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for round in 0..24 {
        for (n, (method, path)) in endpoints.iter().enumerate() {
            let url = format!("{}{path}", w.base);
            let req = w.http.request(method.parse().unwrap(), &url);
            let req = match (round + n) % 6 {
                // Bytes that are not JSON, JSON cut short, nesting past any limit.
                0 => {
                    let bytes: Vec<u8> = (0..(n * 37 + round * 11) % 300)
                        .map(|i| ((i * 131 + n * 7 + round) % 256) as u8)
                        .collect();
                    req.header("content-type", "application/json").body(bytes)
                }
                1 => req.header("content-type", "application/json").body(format!(
                    "{{\"version\": 1, \"person_id\": \"{person}\", \"x\": [1, 2, {{\"y\": \""
                )),
                2 => req.header("content-type", "application/json").body(format!(
                    "{}{}",
                    "[".repeat(5000),
                    "]".repeat(5000)
                )),
                _ => req.json(&bodies.new_tree(&mut runner).unwrap().current()),
            };
            let user = if path.starts_with("/api/cases") || path.starts_with("/api/people") {
                "counsellor"
            } else {
                "admin"
            };
            let r = w.send(Some(user), req).await;
            // A search may find something, and a change of nothing (`{}`, or nulls) is
            // no change; everything else must be refused. Nothing may be written
            // either way (checked at the end).
            let read = (path.ends_with("/search") || method != "POST") && r.status == 200;
            assert!(
                read || (400..500).contains(&r.status),
                "{method} {path}: {} {}",
                r.status,
                r.body
            );
            *statuses.entry(r.status).or_default() += 1;
        }
    }
    eprintln!("hostile bodies: {statuses:?}");
    assert!(
        statuses.contains_key(&400) && statuses.contains_key(&422),
        "{statuses:?}"
    );
    let after = (
        w.events().await,
        w.app.store().read_model_snapshot().await.unwrap(),
        w.get("admin", "/api/users").await.ok(),
        w.get("admin", "/api/offices").await.ok(),
        w.get("admin", "/api/programmes").await.ok(),
    );
    assert!(before == after, "a hostile body changed something");
}

async fn when_storage_is_full_or_read_only_writes_get_503_reads_go_on_and_it_recovers(db: &TestDb) {
    let w = World::start(db).await;
    // A case with nothing sensitive in it, and one with counselling notes.
    let (plain, _) = w.single_adult().await;
    let (noted, awa) = w.single_adult().await;
    let sqlite = db.store.backend() == "sqlite";
    // A session with a long note: a row that needs new pages.
    let session = |v: u64| {
        json!({
            "version": v, "language": "wo", "interpreter_present": false,
            "topics": ["return_modalities"], "attendees": [{"member": awa}],
            "notes": "Une longue note. ".repeat(500),
        })
    };
    let write_session = || async {
        let v = w.version(&noted).await;
        w.post(
            "counsellor",
            &format!("/api/cases/{noted}/counselling-sessions"),
            session(v),
        )
        .await
    };
    write_session().await.ok();
    for fault in ["full", "read-only"] {
        // SQLite: its own errors (the writer may not grow the file; may not write).
        // PostgreSQL: the errors it gives for a full disk and a read-only database.
        let (break_sql, mend_sql) = match (sqlite, fault) {
            (true, "full") => (
                "PRAGMA max_page_count = 1".to_string(),
                "PRAGMA max_page_count = 4294967294".to_string(),
            ),
            (true, _) => (
                "PRAGMA query_only = ON".to_string(),
                "PRAGMA query_only = OFF".to_string(),
            ),
            (false, _) => {
                let state = if fault == "full" { "53100" } else { "25006" };
                (format!(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                     RAISE EXCEPTION 'storage fault' USING ERRCODE = '{state}'; END $$; \
                     CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON case_streams FOR EACH ROW EXECUTE FUNCTION refuse(); \
                     CREATE TRIGGER refuse BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse();"
                ), "DROP TRIGGER refuse ON case_streams; DROP TRIGGER refuse ON audit_log; DROP FUNCTION refuse();".to_string())
            }
        };
        let events = w.events().await;
        let v = w.version(&noted).await;
        db.store.execute_unchecked(&break_sql).await.unwrap();
        let r = write_session().await;
        assert_eq!(r.status, 503, "{fault}: {}", r.body);
        assert_eq!(
            r.body["type"].as_str().unwrap().rsplit('/').next(),
            Some("storage-unavailable")
        );
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains("nothing was changed")
        );
        assert_eq!(r.headers["retry-after"], "5");
        // Reads go on.
        assert_eq!(
            w.get("counsellor", &format!("/api/cases/{plain}"))
                .await
                .status,
            200
        );
        assert_eq!(w.get("counsellor", "/api/cases").await.status, 200);
        // SQLite's page limit binds only the connection it was set on, which the
        // store replaces after SQLite aborts a transaction: on SQLite the rest is
        // checked with a read-only database.
        if fault == "read-only" || !sqlite {
            let r = w.post("counsellor", "/api/cases", json!({"host_office": w.bru, "programme": w.programme, "referral": {"source": "self_referral"}, "proposal": {"country_of_return": "SN", "return_kind": "origin"}, "members": [member("principal", adult("Ndeye"))]})).await;
            assert_eq!(r.status, 503, "{fault}: {}", r.body);
            // A read of counselling notes is recorded in the audit log, or not made.
            assert_eq!(
                w.get("counsellor", &format!("/api/cases/{noted}"))
                    .await
                    .status,
                503
            );
        }
        assert_eq!(w.events().await, events, "nothing written");
        // Storage comes back: the next write goes through, with no restart.
        db.store.execute_unchecked(&mend_sql).await.unwrap();
        write_session().await.ok();
        assert_eq!(w.version(&noted).await, v + 1);
        assert_eq!(
            w.get("counsellor", &format!("/api/cases/{noted}"))
                .await
                .status,
            200
        );
    }
}

async fn many_clients_writing_one_case_lose_no_update(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    let start = w.version(&case).await;
    // 12 clients, 4 writes each, each at the version it has just read.
    let mut clients = tokio::task::JoinSet::new();
    for n in 0..12 {
        let (http, base, token) = (
            w.http.clone(),
            w.base.clone(),
            w.token(if n % 2 == 0 {
                "counsellor"
            } else {
                "counsellor2"
            })
            .to_string(),
        );
        let (case, awa) = (case.clone(), awa.clone());
        clients.spawn(async move {
            let mut statuses = vec![];
            for _ in 0..4 {
                let view: Value = http
                    .get(format!("{base}/api/cases/{case}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let body = json!({
                    "version": view["version"],

                    "language": "wo", "interpreter_present": false, "topics": ["return_modalities"],
                    "attendees": [{"member": awa}]
                });
                let res = http
                    .post(format!("{base}/api/cases/{case}/counselling-sessions"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap();
                assert!(status == 200 || status == 409, "{status}: {body}");
                if status == 409 {
                    assert!(
                        body["current_version"].as_u64().unwrap()
                            > view["version"].as_u64().unwrap(),
                        "{body}"
                    );
                }
                statuses.push(status);
            }
            statuses
        });
    }
    let statuses: Vec<u16> = clients.join_all().await.into_iter().flatten().collect();
    let wins = statuses.iter().filter(|s| **s == 200).count() as u64;
    let losses = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!(
        wins as usize + losses,
        48,
        "only successes and conflicts: {statuses:?}"
    );
    assert!(wins >= 1);
    // Every success is one session in the log; nothing else was written.
    assert_eq!(w.version(&case).await, start + wins);
    let view = w.view("counsellor", &case).await;
    assert_eq!(view["version"], json!(start + wins));
}

async fn a_case_of_another_office_does_not_exist_for_you(db: &TestDb) {
    let w = World::start(db).await;
    let (case, _) = w.single_adult().await;
    let ams_case = w
        .register(
            "counsellor_ams",
            w.ams,
            vec![member("principal", adult("Oksana"))],
        )
        .await;
    for user in [
        "counsellor_ams",
        "admin",
        "partner",
        "donor",
        "auditor",
        "reintegration",
    ] {
        let r = w.get(user, &format!("/api/cases/{case}")).await;
        assert_eq!(r.status, 404, "{user} reached the case: {}", r.body);
        assert_eq!(
            w.get(user, &format!("/api/cases/{case}/timeline"))
                .await
                .status,
            404
        );
        let r = w.cmd(user, &case, "counselling-sessions", json!({"language": "fr", "interpreter_present": false, "topics": [], "attendees": []})).await;
        assert_eq!(r.status, 404, "{user}: {}", r.body);
    }
    let list = w.get("counsellor_ams", "/api/cases").await.ok();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], json!(ams_case));
    let found = w
        .post("counsellor_ams", "/api/cases/search", json!({"q": "awa"}))
        .await
        .ok();
    assert_eq!(found["total"], 0);
    let found = w
        .post("counsellor_ams", "/api/people/search", json!({"q": "awa"}))
        .await
        .ok();
    assert_eq!(found["total"], 0);
    for user in ["admin", "partner", "donor", "auditor"] {
        assert_eq!(
            w.get(user, "/api/cases").await.ok()["total"],
            0,
            "{user} sees cases"
        );
        assert_eq!(
            w.post(user, "/api/people/search", json!({"q": "a"}))
                .await
                .ok()["total"],
            0,
            "{user} sees people"
        );
    }
    let found = w
        .post("counsellor", "/api/people/search", json!({"q": "AWA"}))
        .await
        .ok();
    assert_eq!(found["total"], 1);
}

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

async fn medical_details_reach_only_the_medical_role_and_each_sensitive_read_is_audited(
    db: &TestDb,
) {
    let w = World::start(db).await;
    let mut d = adult("Awa");
    d["vulnerabilities"] = json!(["medical_needs", "victim_of_trafficking"]);
    let case = w
        .register("counsellor", w.bru, vec![member("principal", d)])
        .await;
    let awa = w.people(&case).await.remove(0);
    w.approve(&case, &[&awa]).await;
    w.cmd("medical", &case, "health-assessments", json!({
        "person_id": awa, "fitness": "fit", "assessed_by": "Dr. Ndiaye", "medical_details": "Insulin-dependent diabetes"
    })).await.ok();
    let medic = w.view("medical", &case).await;
    assert_eq!(
        medic["case"]["health"][&awa]["medical_details"],
        "Insulin-dependent diabetes"
    );
    for user in ["counsellor", "approver", "movement"] {
        let v = w.view(user, &case).await;
        assert!(
            v["case"]["health"][&awa]["medical_details"].is_null(),
            "{user} read medical details"
        );
        assert!(
            v["withheld"]
                .as_array()
                .unwrap()
                .contains(&json!("medical"))
        );
        let timeline = w
            .get(user, &format!("/api/cases/{case}/timeline"))
            .await
            .ok();
        assert!(
            !timeline.to_string().contains("Insulin"),
            "{user} read medical details in the timeline"
        );
    }
    // The movement officer does not learn of the trafficking, nor read counselling notes.
    let v = w.view("movement", &case).await;
    assert!(!v.to_string().contains("victim_of_trafficking"));
    assert!(!v.to_string().contains("Wants to go home"));
    assert!(
        v["departure_conditions"]
            .to_string()
            .contains("protection.requirement_unmet")
    );
    // Nor from a refusal.
    w.prepare(&case).await;
    let r = w.cmd("movement", &case, "ready-to-depart", json!({})).await;
    r.refused(422, "protection.requirement_unmet");
    assert!(
        !r.body.to_string().contains("risk assessment"),
        "{}",
        r.body
    );
    assert!(!r.body.to_string().contains("trafficking"), "{}", r.body);
    let c = w.view("counsellor", &case).await;
    assert!(c.to_string().contains("victim_of_trafficking"));
    assert!(c.to_string().contains("Wants to go home"));
    // Every sensitive read is in the audit log.
    let log = w.get("auditor", "/api/audit?per_page=200").await.ok();
    let reads: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "case.read_sensitive")
        .collect();
    let medic_id = json!(w.users["medical"]);
    assert!(
        reads
            .iter()
            .any(|e| e["actor"] == medic_id && e["detail"].as_str().unwrap().contains("medical"))
    );
    let counsellor_id = json!(w.users["counsellor"]);
    assert!(reads.iter().any(|e| e["actor"] == counsellor_id
        && e["detail"].as_str().unwrap().contains("counselling_notes")));
    let chain = w.get("auditor", "/api/audit/verification").await.ok();
    assert_eq!(chain["valid"], true);
    assert_eq!(w.get("counsellor", "/api/audit").await.status, 403);
}

async fn bad_input_gets_a_4xx_with_field_pointers_and_writes_nothing(db: &TestDb) {
    let w = World::start(db).await;
    let (case, _) = w.single_adult().await;
    let before = w.events().await;
    let audit_before = w.get("auditor", "/api/audit").await.ok()["total"].clone();
    // Malformed JSON.
    let r = w
        .send(
            Some("counsellor"),
            w.http
                .post(format!("{}/api/cases", w.base))
                .header("content-type", "application/json")
                .body("{\"host_office\": "),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.body["type"], "/problems/malformed-json");
    // A field of the wrong type names its path.
    let r = w
        .post("counsellor", "/api/cases", json!({"host_office": 5}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["#/host_office"]);
    // Unknown codes, a birth in the future, negative money: every field named at once.
    let mut person = adult("Awa");
    person["nationality"] = json!("XX");
    person["languages"] = json!(["fr", "zz"]);
    person["date_of_birth"] = json!({"exact": "2099-01-01"});
    let r = w.post("counsellor", "/api/cases", json!({
        "host_office": w.bru, "programme": w.programme,
        "referral": {"source": "partner", "referred_by": ""},
        "proposal": {"country_of_return": "QQ", "return_kind": "origin",
            "assistance_package": [{"kind": "pocket_money", "amount": {"amount_minor": -5, "currency": "EURO"}}]},
        "members": [{"relationship": "principal", "details": person}]
    })).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let pointers = r.pointers();
    for p in [
        "#/members/0/details/nationality",
        "#/members/0/details/languages/1",
        "#/proposal/country_of_return",
        "#/proposal/assistance_package/0/amount/currency",
        "#/proposal/assistance_package/0/amount/amount_minor",
    ] {
        assert!(pointers.contains(&p.to_string()), "{p} not in {pointers:?}");
    }
    let r = w.post("counsellor", "/api/cases", json!({
        "host_office": w.bru, "programme": w.programme,
        "referral": {"source": "partner"},
        "proposal": {"country_of_return": "SN", "return_kind": "origin"},
        "members": [{"relationship": "principal", "details": person_with_birth("2099-01-01")}]
    })).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.pointers()
            .contains(&"#/members/0/details/date_of_birth".to_string()),
        "{}",
        r.body
    );
    // An unknown field is refused, not ignored.
    let r = w
        .cmd(
            "counsellor",
            &case,
            "application",
            json!({"surprise": true}),
        )
        .await;
    assert_eq!(r.status, 422);
    // A body too large.
    let big = json!({"version": 1, "reason": "x".repeat(300_000)});
    let r = w
        .post("counsellor", &format!("/api/cases/{case}/reopening"), big)
        .await;
    assert_eq!(r.status, 413);
    // Not JSON at all.
    let r = w
        .send(
            Some("counsellor"),
            w.http.post(format!("{}/api/cases", w.base)).body("hello"),
        )
        .await;
    assert_eq!(r.status, 415);
    // An occurred_at in the future.
    let r = w
        .cmd(
            "counsellor",
            &case,
            "counselling-sessions",
            json!({
                "occurred_at": chrono::Utc::now() + chrono::Duration::days(2),
                "language": "fr", "interpreter_present": false, "topics": [], "attendees": []
            }),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.pointers().contains(&"#/occurred_at".to_string()));
    // Control characters and impossible dates: refused, never a server error.
    let r = w
        .send(
            None,
            w.http
                .post(format!("{}/api/session", w.base))
                .json(&json!({"username": "a\u{0}b", "password": "x"})),
        )
        .await;
    assert_eq!(r.status, 401);
    let r = w
        .post("counsellor", "/api/cases/search", json!({"q": "\u{0}"}))
        .await
        .ok();
    assert_eq!(r["total"], 0);
    let r = w
        .cmd(
            "counsellor",
            &case,
            "counselling-sessions",
            json!({
                "occurred_at": "-5000-01-01T00:00:00Z",
                "language": "fr", "interpreter_present": false, "topics": [], "attendees": []
            }),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = w
        .send(
            None,
            w.http
                .post(format!("{}/api/tokens", w.base))
                .json(&json!({"username": "x", "password": "y", "name": "a\u{0}"})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(w.events().await, before, "nothing was written");
    assert_eq!(
        w.get("auditor", "/api/audit").await.ok()["total"],
        audit_before
    );
}

async fn browser_sessions_need_the_csrf_token_and_end_on_logout(db: &TestDb) {
    let w = World::start(db).await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = client
        .post(format!("{}/api/session", w.base))
        .json(&json!({"username": "counsellor", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP: no Secure attribute"
    );
    let s: Value = login.json().await.unwrap();
    let csrf = s["csrf_token"].as_str().unwrap().to_string();
    let body = json!({"q": "x"});
    let r = client
        .post(format!("{}/api/cases/search", w.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a change without the CSRF token");
    let r = client
        .post(format!("{}/api/cases/search", w.base))
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client
        .get(format!("{}/api/session", w.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client
        .delete(format!("{}/api/session", w.base))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = client
        .get(format!("{}/api/session", w.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

async fn a_session_ends_after_its_idle_timeout(db: &TestDb) {
    let w = World::start(db).await;
    let login = w
        .http
        .post(format!("{}/api/session", w.base))
        .json(&json!({"username": "counsellor", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    let secret = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let me = |secret: String| {
        let w = &w;
        async move {
            w.http
                .get(format!("{}/api/session", w.base))
                .header("cookie", format!("homeward_session={secret}"))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me(secret.clone()).await, 200);
    // Thirty-one minutes without a request.
    let idle = homeward_app::now() - chrono::Duration::minutes(31);
    w.app
        .store()
        .touch_session(&homeward_app::auth::secret_hash(&secret), idle)
        .await
        .unwrap();
    assert_eq!(me(secret.clone()).await, 401);
    assert_eq!(me(secret).await, 401, "and it stays ended");
}

async fn sign_in_is_throttled_per_account(db: &TestDb) {
    let w = World::start(db).await;
    for _ in 0..5 {
        let r = w
            .send(
                None,
                w.http
                    .post(format!("{}/api/session", w.base))
                    .json(&json!({"username": "approver", "password": "wrong"})),
            )
            .await;
        assert_eq!(r.status, 401);
    }
    let r = w
        .send(
            None,
            w.http
                .post(format!("{}/api/session", w.base))
                .json(&json!({"username": "approver", "password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, 429, "even the right password waits");
    assert!(r.headers.get("retry-after").is_some());
    // Another account is not affected.
    let r = w
        .send(
            None,
            w.http
                .post(format!("{}/api/tokens", w.base))
                .json(&json!({"username": "medical", "password": PASSWORD, "name": "script"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let token = r.body["token"].as_str().unwrap();
    let me = w
        .send(
            None,
            w.http
                .get(format!("{}/api/session", w.base))
                .bearer_auth(token),
        )
        .await
        .ok();
    assert_eq!(me["user"]["username"], "medical");
}

async fn administrators_manage_users_offices_and_programmes(db: &TestDb) {
    let w = World::start(db).await;
    let o = w
        .post(
            "admin",
            "/api/offices",
            json!({"code": "tbs", "name": "Tbilisi", "country": "GE"}),
        )
        .await
        .ok();
    assert_eq!(o["code"], "TBS");
    assert_eq!(
        w.post(
            "admin",
            "/api/offices",
            json!({"code": "TBS", "name": "x", "country": "GE"})
        )
        .await
        .status,
        409
    );
    let r = w
        .post(
            "admin",
            "/api/offices",
            json!({"code": "!", "name": "", "country": "ZZ"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers().len(), 3, "{}", r.body);
    assert_eq!(
        w.post(
            "counsellor",
            "/api/offices",
            json!({"code": "X1", "name": "x", "country": "GE"})
        )
        .await
        .status,
        403
    );
    let u = w.post("admin", "/api/users", json!({"username": "nino", "display_name": "Nino", "roles": ["reintegration_officer"], "offices": [o["id"]]})).await.ok();
    let password = u["password"].as_str().unwrap().to_string();
    let r = w
        .send(
            None,
            w.http
                .post(format!("{}/api/tokens", w.base))
                .json(&json!({"username": "nino", "password": password, "name": "t"})),
        )
        .await;
    assert_eq!(r.status, 201);
    let id = u["user"]["id"].as_str().unwrap();
    w.send(
        Some("admin"),
        w.http
            .patch(format!("{}/api/users/{id}", w.base))
            .json(&json!({"active": false})),
    )
    .await
    .ok();
    let token = r.body["token"].as_str().unwrap();
    let r = w
        .send(
            None,
            w.http
                .get(format!("{}/api/session", w.base))
                .bearer_auth(token),
        )
        .await;
    assert_eq!(r.status, 401, "deactivation ends the user's sessions");
    // Nobody grants themselves access to cases.
    let me = w.users["admin"];
    let r = w
        .send(
            Some("admin"),
            w.http
                .patch(format!("{}/api/users/{me}", w.base))
                .json(&json!({"roles": ["administrator", "counsellor"]})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let programmes = w.get("counsellor", "/api/programmes").await.ok();
    assert_eq!(programmes.as_array().unwrap().len(), 1);
    assert_eq!(w.get("counsellor", "/api/users").await.status, 403);
}

async fn statistics_count_returns_people_and_households_by_definition(db: &TestDb) {
    let w = World::start(db).await;
    // A: a single adult who departs.
    let (a, awa) = w.single_adult().await;
    w.approve(&a, &[&awa]).await;
    w.prepare(&a).await;
    w.cmd("movement", &a, "ready-to-depart", json!({}))
        .await
        .ok();
    w.cmd("movement", &a, "departure", json!({})).await.ok();
    // B: a family of two adults and a child who depart.
    let b = w
        .register(
            "counsellor",
            w.bru,
            vec![
                member("principal", adult("Mariam")),
                member("spouse", adult("Moussa")),
                member("child", child("Fatou", "2017-03-01")),
            ],
        )
        .await;
    let pb = w.people(&b).await;
    w.approve(&b, &[&pb[0], &pb[1]]).await;
    w.prepare(&b).await;
    w.cmd("movement", &b, "ready-to-depart", json!({}))
        .await
        .ok();
    w.cmd("movement", &b, "departure", json!({})).await.ok();
    // C: withdrawn during counselling: not a return.
    let (c, pc) = w.single_adult().await;
    w.session(&c, vec![json!({"member": pc})], "wo", 5)
        .await
        .ok();
    w.cmd("counsellor", &c, "withdrawals", json!({"person_id": pc}))
        .await
        .ok();
    // D: ready, then a no-show: not a return.
    let (d, pd) = w.single_adult().await;
    w.approve(&d, &[&pd]).await;
    w.prepare(&d).await;
    w.cmd("movement", &d, "ready-to-depart", json!({}))
        .await
        .ok();
    w.cmd("movement", &d, "no-show", json!({})).await.ok();
    // E: withdrawn after approval, re-opened, and then departs: one return.
    let (e, pe) = w.single_adult().await;
    w.approve(&e, &[&pe]).await;
    w.cmd("counsellor", &e, "withdrawals", json!({"person_id": pe}))
        .await
        .ok();
    w.cmd(
        "counsellor",
        &e,
        "reopening",
        json!({"reason": "She asked to resume"}),
    )
    .await
    .ok();
    w.consent(&e, &pe, "person").await.ok();
    w.cmd("counsellor", &e, "application", json!({})).await.ok();
    w.cmd("approver", &e, "approval", json!({})).await.ok();
    w.prepare(&e).await;
    w.cmd("movement", &e, "ready-to-depart", json!({}))
        .await
        .ok();
    w.cmd("movement", &e, "departure", json!({})).await.ok();

    let year = chrono::Utc::now().format("%Y").to_string();
    // The programme manager sees exact numbers.
    let t = w
        .get("approver", "/api/statistics/returns?rows=year")
        .await
        .ok();
    assert_eq!(t["row_keys"][0]["code"], year);
    assert_eq!(t["people"]["cells"][0][0], 5, "{t}");
    assert_eq!(t["cases"]["cells"][0][0], 3, "{t}");
    assert_eq!(t["protected"], false);
    let t = w
        .get(
            "approver",
            "/api/statistics/returns?rows=sex&columns=age_group",
        )
        .await
        .ok();
    let rows: Vec<&str> = t["row_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["code"].as_str().unwrap())
        .collect();
    let cols: Vec<&str> = t["column_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["code"].as_str().unwrap())
        .collect();
    assert_eq!(rows, vec!["female", "male"]);
    assert_eq!(cols, vec!["5-11", "25-59"], "age groups youngest first");
    assert_eq!(t["people"]["cells"], json!([[0, 4], [1, 0]]));
    assert_eq!(t["people"]["total"], 5);
    // Households count in every cell one of their people is in, and once in a total:
    // B (two women and a boy) is in both rows; three households departed.
    assert_eq!(t["cases"]["cells"], json!([[0, 3], [1, 0]]));
    assert_eq!(t["cases"]["row_totals"], json!([3, 1]));
    assert_eq!(t["cases"]["column_totals"], json!([1, 3]));
    assert_eq!(t["cases"]["total"], 3, "households counted once: {t}");
    // A year without returns is in the series, at 0.
    let since = year.parse::<i32>().unwrap() - 2;
    let t = w
        .get(
            "approver",
            &format!("/api/statistics/returns?rows=year&from={since}-01-01"),
        )
        .await
        .ok();
    let years: Vec<&str> = t["row_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        years,
        vec![since.to_string(), (since + 1).to_string(), year.clone()]
    );
    assert_eq!(t["people"]["cells"], json!([[0], [0], [5]]));
    let t = w
        .get("approver", "/api/statistics/returns?rows=children")
        .await
        .ok();
    let keys: Vec<&str> = t["row_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["code"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["under_18", "18_and_over"]);
    assert_eq!(
        t["people"]["cells"],
        json!([[1], [4]]),
        "one child, four adults"
    );
    assert_eq!(
        t["cases"]["cells"],
        json!([[1], [3]]),
        "the child's household; three with adults"
    );
    let t = w
        .get("approver", "/api/statistics/returns?rows=vulnerability")
        .await
        .ok();
    let any = t["row_keys"]
        .as_array()
        .unwrap()
        .iter()
        .position(|k| k["code"] == "any")
        .unwrap();
    assert_eq!(any, 6, "any vulnerability comes last");
    // The total counts people with any vulnerability once, not the sum of the rows.
    assert_eq!(t["people"]["total"], t["people"]["row_totals"][any], "{t}");
    let t = w
        .get("approver", "/api/statistics/returns?rows=return_region")
        .await
        .ok();
    assert_eq!(t["row_keys"][0]["code"], "africa");
    // Donors see no count under 5, nor one they could derive.
    let t = w
        .get("donor", "/api/statistics/returns?rows=sex")
        .await
        .ok();
    assert_eq!(t["protected"], true);
    assert_eq!(
        t["people"]["cells"],
        json!([[null], [null]]),
        "4 and 1 are both under 5"
    );
    assert_eq!(t["people"]["total"], 5);
    // A donor's periods are whole months: two periods a day apart would give that
    // day's returns by subtraction.
    let r = w
        .get(
            "donor",
            &format!("/api/statistics/returns?rows=year&from={year}-03-02&until={year}-12-28"),
        )
        .await;
    r.refused(422, "period.whole_months");
    assert_eq!(r.pointers().len(), 2, "{}", r.body);
    w.get(
        "donor",
        &format!("/api/statistics/returns?rows=year&from={year}-03-01&until={year}-12-31"),
    )
    .await
    .ok();
    w.get(
        "approver",
        &format!("/api/statistics/returns?rows=year&from={year}-03-02&until={year}-12-28"),
    )
    .await
    .ok();
    let t = w
        .get("donor", "/api/statistics/returns?rows=year")
        .await
        .ok();
    assert_eq!(t["people"]["cells"][0][0], 5, "5 is published");
    assert_eq!(
        t["cases"]["cells"][0][0],
        Value::Null,
        "3 households are not"
    );
    // The pipeline: withdrawals at the stage they happened at, the no-show.
    let pl = w.get("approver", "/api/statistics/pipeline").await.ok();
    let kinds: Vec<&str> = pl["interruption_kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let stages: Vec<&str> = pl["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let at = |kind: &str, stage: &str| {
        pl["interruptions_by_stage"]["cells"][kinds.iter().position(|k| *k == kind).unwrap()]
            [stages.iter().position(|s| *s == stage).unwrap()]
        .clone()
    };
    assert_eq!(at("withdrawal", "counselling"), 1);
    assert_eq!(at("withdrawal", "approved"), 1);
    assert_eq!(at("no_show", "ready_to_depart"), 1);
    assert_eq!(pl["interruptions_by_year"]["total"], 3);
    let departed = stages.iter().position(|s| *s == "departed").unwrap();
    assert_eq!(pl["cases_by_stage"]["cells"][0][departed], 3);
    assert_eq!(pl["people_by_stage"]["cells"][0][departed], 5);
    assert_eq!(pl["durations"][0]["cases"], 3);
    // Statistics are not for case workers.
    assert_eq!(
        w.get("counsellor", "/api/statistics/returns").await.status,
        403
    );
    // The CSV carries a HXL hashtag row under its headers.
    let res = w
        .http
        .get(format!(
            "{}/api/statistics/returns.csv?rows=year&columns=return_country",
            w.base
        ))
        .bearer_auth(w.token("donor"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    // The header row first, then the hashtags: what spreadsheet and HXL tools expect.
    assert_eq!(
        csv.lines().next(),
        Some("year,return_country,people,cases"),
        "{csv}"
    );
    assert!(
        csv.contains(
            "#date+year,#country+code+origin,#affected+returned+num,#affected+returned+hh+num"
        ),
        "{csv}"
    );
    let res = w
        .http
        .get(format!(
            "{}/api/statistics/returns.xlsx?rows=year&columns=return_country",
            w.base
        ))
        .bearer_auth(w.token("donor"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let xlsx = res.bytes().await.unwrap();
    assert!(xlsx.starts_with(b"PK"), "a zip archive");
    hxl_validates(&csv, &xlsx);
}

async fn the_openapi_document_describes_every_route(db: &TestDb) {
    let w = World::start(db).await;
    let doc = w
        .send(None, w.http.get(format!("{}/api/openapi.json", w.base)))
        .await
        .ok();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 45, "{} paths", paths.len());
    // Every documented operation exists on the server (no 404 "no such endpoint",
    // no 405); unauthenticated calls are refused as documented.
    for (path, ops) in paths {
        let concrete = path
            .replace("{case_id}", &uuid::Uuid::nil().to_string())
            .replace("{programme_id}", &uuid::Uuid::nil().to_string())
            .replace("{user_id}", &uuid::Uuid::nil().to_string());
        for method in ops.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = w
                .send(
                    None,
                    w.http
                        .request(m, format!("{}{concrete}", w.base))
                        .header("content-type", "application/json")
                        .body("{}"),
                )
                .await;
            assert_ne!(r.status, 405, "{method} {path}");
            assert!(
                r.body.get("type") != Some(&json!("/problems/not-found")) || r.status != 404,
                "{method} {path} is not served"
            );
            let documented: Vec<&String> = ops[method]["responses"]
                .as_object()
                .map(|o| o.keys().collect())
                .unwrap_or_default();
            assert!(
                documented.iter().any(|s| *s == &r.status.to_string())
                    || r.status == 401
                    || r.status == 422
                    || r.status == 400,
                "{method} {path} answered {} which is not documented ({documented:?})",
                r.status
            );
        }
    }
    assert_eq!(
        w.send(None, w.http.get(format!("{}/readyz", w.base)))
            .await
            .status,
        200
    );
    assert_eq!(
        w.send(None, w.http.get(format!("{}/nope", w.base)))
            .await
            .status,
        404
    );
}

homeward_store::db_tests!(
    a_single_adult_goes_through_the_whole_lifecycle,
    a_family_departs_once_every_adult_consented,
    an_unaccompanied_child_departs_through_the_capacity_path,
    consent_is_refused_before_the_reflection_period_ends,
    consent_needs_an_information_session_in_a_language_understood,
    an_approver_never_decides_their_own_submission,
    departure_needs_fitness_to_travel_where_required,
    departure_after_a_changed_proposal_needs_reconfirmed_consent,
    an_initiated_removal_procedure_makes_a_case_ineligible,
    withdrawal_after_departure_is_refused,
    withdrawal_and_reopening_before_departure,
    two_writes_at_one_version_let_exactly_one_through,
    a_case_changed_by_another_server_is_answered_from_the_database,
    hostile_bodies_to_every_endpoint_get_a_4xx_and_write_nothing,
    when_storage_is_full_or_read_only_writes_get_503_reads_go_on_and_it_recovers,
    many_clients_writing_one_case_lose_no_update,
    a_case_of_another_office_does_not_exist_for_you,
    people_are_found_by_any_spelling_of_their_names_and_their_date_of_birth,
    each_command_rewrites_the_read_models_it_changes_and_they_equal_a_rebuild,
    medical_details_reach_only_the_medical_role_and_each_sensitive_read_is_audited,
    bad_input_gets_a_4xx_with_field_pointers_and_writes_nothing,
    browser_sessions_need_the_csrf_token_and_end_on_logout,
    a_session_ends_after_its_idle_timeout,
    sign_in_is_throttled_per_account,
    administrators_manage_users_offices_and_programmes,
    statistics_count_returns_people_and_households_by_definition,
    the_openapi_document_describes_every_route,
);

fn person_with_birth(date: &str) -> Value {
    let mut p = adult("Awa");
    p["date_of_birth"] = json!({"exact": date});
    p
}

/// The contract check that every test's responses pass is worth something only if it
/// catches a response that does not match.
#[tokio::test]
#[should_panic(expected = "does not match")]
async fn the_contract_check_catches_a_body_that_does_not_match() {
    let db = homeward_store::testing::TestDb::sqlite().await.unwrap();
    let w = World::start(&db).await;
    let path = format!("/api/cases/{}", uuid::Uuid::nil());
    w.contract.check(
        "GET",
        &path,
        200,
        "application/json",
        &json!({"case": 5, "version": "x"}),
    );
}

#[tokio::test]
#[should_panic(expected = "status not documented")]
async fn the_contract_check_catches_an_undocumented_status() {
    let db = homeward_store::testing::TestDb::sqlite().await.unwrap();
    let w = World::start(&db).await;
    w.contract
        .check("GET", "/api/cases", 201, "application/json", &json!({}));
}

/// Validates the CSV and the XLSX of one table with the `libhxl` Python package (pip
/// install libhxl, which reads XLSX with xlrd3), and checks that both hold the same
/// hashtags and the same lines: skipped with a notice where it is missing, except in CI.
fn hxl_validates(csv: &str, xlsx: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("returns.csv");
    let xlsx_path = dir.path().join("returns.xlsx");
    std::fs::write(&csv_path, csv).unwrap();
    std::fs::write(&xlsx_path, xlsx).unwrap();
    let script = "import sys, hxl\n\
        opts = hxl.InputOptions(allow_local=True)\n\
        def norm(v):\n\
        \x20   if isinstance(v, float) and v.is_integer(): return str(int(v))\n\
        \x20   return '' if v is None else str(v)\n\
        seen = []\n\
        for path in sys.argv[1:]:\n\
        \x20   src = hxl.data(path, opts)\n\
        \x20   tags = [c.display_tag for c in src.columns]\n\
        \x20   assert tags[:2] == ['#date+year', '#country+code+origin'], (path, tags)\n\
        \x20   assert '#affected+returned+num' in tags, tags\n\
        \x20   rows = [[norm(v) for v in r.values] for r in src]\n\
        \x20   assert len(rows) >= 1, rows\n\
        \x20   report = hxl.validate(hxl.data(path, opts))\n\
        \x20   assert report['is_valid'], (path, report)\n\
        \x20   seen.append((tags, rows))\n\
        assert seen[0] == seen[1], seen\n\
        print('hxl ok', seen[0][0], len(seen[0][1]))\n";
    match std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&csv_path)
        .arg(&xlsx_path)
        .output()
    {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            let err = String::from_utf8_lossy(&out.stderr);
            if err.contains("No module named 'hxl'") && std::env::var("CI").as_deref() != Ok("true")
            {
                eprintln!(
                    "skipping the HXL validation: libhxl is not installed (pip install libhxl)"
                );
                return;
            }
            panic!("the downloads do not validate as HXL, or differ: {err}\n{csv}");
        }
        Err(e) => panic!("python3: {e}"),
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_keep_their_own_policy() {
    let db = homeward_store::testing::TestDb::sqlite().await.unwrap();
    let w = World::start(&db).await;
    for (method, path, status) in [
        (reqwest::Method::GET, "/api/cases", 401),
        (reqwest::Method::GET, "/api/no-such-thing", 404),
        (reqwest::Method::DELETE, "/api/openapi.json", 405),
        (reqwest::Method::GET, "/api/openapi.json", 200),
        (reqwest::Method::GET, "/sign-in", 200),
        (reqwest::Method::GET, "/no-such-page", 404),
    ] {
        let r = w
            .http
            .request(method.clone(), format!("{}{path}", w.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{method} {path}");
        let h = r.headers();
        let header = |name: &str| {
            h.get(name)
                .unwrap_or_else(|| panic!("{method} {path}: no {name}"))
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert!(!header("cache-control").is_empty(), "{path}");
        let csp = header("content-security-policy");
        if path == "/sign-in" {
            // The page's own policy, which lets it load its styles.
            assert!(csp.contains("style-src"), "{path}: {csp}");
        } else if path.starts_with("/api") {
            assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        }
    }
}
