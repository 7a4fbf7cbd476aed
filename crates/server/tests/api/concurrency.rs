//! Writes that race: one version, many clients, another server.

use super::*;

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

/// Many clients record deliveries of one item at once, each at the version it read: the
/// plan allows five, and however the writes interleave, no more than five stand, every
/// answer is a success, a conflict or a refusal, and the log holds exactly the successes.
async fn racing_deliveries_never_exceed_the_plan(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    w.arrived(&case, &[&awa]).await;
    let item = w.approved_plan(&case, &awa, 150_000).await;
    let start = w.version(&case).await;
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (http, base, token) = (
            w.http.clone(),
            w.base.clone(),
            w.token("reintegration").to_string(),
        );
        let (case, item) = (case.clone(), item.clone());
        clients.spawn(async move {
            let mut statuses = vec![];
            for _ in 0..3 {
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
                    "version": view["version"], "item_id": item, "channel": "cash_to_returnee",
                    "amount": {"amount_minor": 30_000, "currency": "EUR"}
                });
                let res = http
                    .post(format!("{base}/api/cases/{case}/deliveries"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap();
                assert!(matches!(status, 200 | 409 | 422), "{status}: {body}");
                if status == 422 {
                    assert!(body.to_string().contains("delivery.beyond_plan"), "{body}");
                }
                statuses.push(status);
            }
            statuses
        });
    }
    let statuses: Vec<u16> = clients.join_all().await.into_iter().flatten().collect();
    let wins = statuses.iter().filter(|s| **s == 200).count() as u64;
    assert!((1..=5).contains(&wins), "{statuses:?}");
    assert_eq!(
        w.version(&case).await,
        start + wins,
        "only the successes are written"
    );
    let v = w.view("reintegration", &case).await;
    let deliveries = v["case"]["reintegration"]["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len() as u64, wins);
    let standing: i64 = deliveries
        .iter()
        .map(|d| d["value"]["amount_minor"].as_i64().unwrap())
        .sum();
    assert!(standing <= 150_000, "{standing} delivered of 150000");
}

/// Many clients record follow-ups on a few returned cases at once, each at the version it
/// read (so many conflict), one of them finding contact lost (which closes its case):
/// every request is answered (a success, a conflict, or a refusal once the case closed),
/// the log holds exactly the successes, and the follow-up counts the commits kept are
/// those a rebuild counts, the performance report unchanged by it.
async fn racing_follow_ups_keep_the_counts_a_rebuild_counts(db: &TestDb) {
    let w = World::start(db).await;
    let mut cases = vec![];
    for _ in 0..3 {
        let (case, person) = w.single_adult().await;
        w.arrived(&case, &[&person]).await;
        let start = w.version(&case).await;
        cases.push((case, person, start));
    }
    let mut clients = tokio::task::JoinSet::new();
    for n in 0..12usize {
        let (http, base, token) = (
            w.http.clone(),
            w.base.clone(),
            w.token("monitoring").to_string(),
        );
        let (case, person, _) = cases[n % cases.len()].clone();
        clients.spawn(async move {
            let mut answers = vec![];
            for i in 0..4usize {
                let view: Value = http
                    .get(format!("{base}/api/cases/{case}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                // The last client of the first case finds contact lost at its last write.
                let result = match (n, i) {
                    (9, 3) => "lost_contact",
                    (_, i) if (n + i) % 2 == 0 => "reached",
                    _ => "not_reached",
                };
                let with = if result == "reached" {
                    json!([person])
                } else {
                    json!([])
                };
                let res = http
                    .post(format!("{base}/api/cases/{case}/follow-ups"))
                    .bearer_auth(&token)
                    .json(&json!({"version": view["version"], "mode": "phone",
                        "result": result, "with": with}))
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap();
                assert!(matches!(status, 200 | 409 | 422), "{status}: {body}");
                answers.push((case.clone(), status));
            }
            answers
        });
    }
    let answers: Vec<(String, u16)> = clients.join_all().await.into_iter().flatten().collect();
    assert_eq!(answers.len(), 48, "every request answered");
    for (case, _, start) in &cases {
        let won = answers
            .iter()
            .filter(|(c, s)| c == case && *s == 200)
            .count() as u64;
        assert!(won >= 1, "{case}: {answers:?}");
        // A closure is written with its follow-up: one more event.
        let closed = w.view("monitoring", case).await["case"]["stage"] == "closed";
        assert_eq!(
            w.version(case).await,
            start + won + u64::from(closed),
            "{case}: the log holds exactly the successes"
        );
    }
    let path = format!("/api/programmes/{}/performance", w.programme);
    let report = w.get("approver", &path).await.ok();
    let store = w.app.store();
    let kept = store.read_model_digest().await.unwrap();
    store.rebuild_read_models().await.unwrap();
    assert_eq!(store.read_model_digest().await.unwrap(), kept);
    assert_eq!(w.get("approver", &path).await.ok(), report);
}

homeward_store::db_tests!(
    racing_follow_ups_keep_the_counts_a_rebuild_counts,
    racing_deliveries_never_exceed_the_plan,
    two_writes_at_one_version_let_exactly_one_through,
    a_case_changed_by_another_server_is_answered_from_the_database,
    many_clients_writing_one_case_lose_no_update,
);
