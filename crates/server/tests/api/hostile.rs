//! Bad and hostile input, and storage that fails: a clear 4xx or 503, nothing written.

use super::*;

/// JSON of any shape, with the field names and kinds of value the API reads (but never a
/// `version`, so that no body can be a valid command by chance), strings with control
/// characters, right-to-left marks and extreme lengths, and numbers at the edges.
pub(super) fn hostile_json(person: &str) -> impl proptest::strategy::Strategy<Value = Value> {
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
                    // A random object can be a valid password reset ({"password": a
                    // long string}): it is made to a user the test never sends as, so
                    // that the sessions it sends with stay valid (a reset ends them).
                    path.replace("{case_id}", &case)
                        .replace("{user_id}", &w.users["counsellor2"].to_string())
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
            // A connection each: a server may close one whose body it refused before
            // reading it all, and a pooled connection reused just then fails to send
            // (hyper's IncompleteMessage), which is the client's race, not an answer.
            let req = w
                .http
                .request(method.parse().unwrap(), &url)
                .header("connection", "close");
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
    // Valid JSON of the wrong shape is never "not valid JSON" (serde reports an enum
    // given two keys as a syntax error): 422, with where.
    let mut two_keys = adult("Awa");
    two_keys["date_of_birth"] = json!({"estimated_year": 1990, "exact": null});
    let r = w
        .post(
            "counsellor",
            "/api/cases",
            json!({
                "host_office": w.bru,
                "programme": w.programme,
                "referral": {"source": "self_referral"},
                "proposal": {"country_of_return": "SN", "return_kind": "origin"},
                "members": [{"relationship": "principal", "details": two_keys}]
            }),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.body["type"], "/problems/invalid-input", "{}", r.body);
    assert_eq!(r.pointers(), vec!["#/members/0/details/date_of_birth"]);
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

pub(super) fn person_with_birth(date: &str) -> Value {
    let mut p = adult("Awa");
    p["date_of_birth"] = json!({"exact": date});
    p
}

homeward_store::db_tests!(
    hostile_bodies_to_every_endpoint_get_a_4xx_and_write_nothing,
    when_storage_is_full_or_read_only_writes_get_503_reads_go_on_and_it_recovers,
    bad_input_gets_a_4xx_with_field_pointers_and_writes_nothing,
);
