//! Who sees and does what: offices, sensitive data, sessions, sign-in, administration.

use super::*;

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
    // An office works in a time zone: UTC unless said, set and changed by name, refused
    // (and nothing changed) when the tz database has no such name.
    assert_eq!(o["time_zone"], "UTC");
    let office = format!("/api/offices/{}", o["id"].as_str().unwrap());
    let changed = w
        .patch("admin", &office, json!({"time_zone": "Asia/Tbilisi"}))
        .await
        .ok();
    assert_eq!(
        (changed["time_zone"].as_str(), changed["name"].as_str()),
        (Some("Asia/Tbilisi"), Some("Tbilisi"))
    );
    let r = w
        .patch(
            "admin",
            &office,
            json!({"time_zone": "Caucasus/Tbilisi", "name": "Renamed"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.pointers(), vec!["#/time_zone"], "{}", r.body);
    let listed = w.get("admin", "/api/offices").await.ok();
    let tbs = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "TBS")
        .unwrap();
    assert_eq!(
        (tbs["name"].as_str(), tbs["time_zone"].as_str()),
        (Some("Tbilisi"), Some("Asia/Tbilisi"))
    );
    assert_eq!(
        w.patch("counsellor", &office, json!({"time_zone": "UTC"}))
            .await
            .status,
        403
    );
    assert_eq!(
        w.patch(
            "admin",
            &format!("/api/offices/{}", uuid::Uuid::new_v4()),
            json!({"time_zone": "UTC"})
        )
        .await
        .status,
        404
    );
    let r = w
        .post(
            "admin",
            "/api/offices",
            json!({"code": "ODS", "name": "Odesa", "country": "UA", "time_zone": "Europe/Atlantis"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["#/time_zone"], "{}", r.body);
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

homeward_store::db_tests!(
    a_case_of_another_office_does_not_exist_for_you,
    medical_details_reach_only_the_medical_role_and_each_sensitive_read_is_audited,
    browser_sessions_need_the_csrf_token_and_end_on_logout,
    a_session_ends_after_its_idle_timeout,
    sign_in_is_throttled_per_account,
    administrators_manage_users_offices_and_programmes,
);
