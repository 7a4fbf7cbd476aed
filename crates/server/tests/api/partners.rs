//! Partner organisations' users: they see only the referrals addressed to their
//! organisation, and in them only the data the people consented to share; they answer
//! them; they reach nothing else (the whole endpoint matrix); every read of personal data
//! is in the audit log.

use super::directory::shelter;
use super::*;

const PASSWORD: &str = "partner-password-2026";

/// Two organisations and a partner user for each, signed in as "keur" and "other".
pub(super) async fn partners(w: &mut World) -> (String, String) {
    let mut ids = vec![];
    for name in ["Keur Yakaar", "Other shelter"] {
        let o = w
            .post("admin", "/api/organisations", shelter(name, &["SN"]))
            .await
            .ok();
        ids.push(o["id"].as_str().unwrap().to_string());
    }
    // A partner belongs to one organisation and has no other role or office.
    let r = w
        .post(
            "admin",
            "/api/users",
            json!({
                "username": "lone", "display_name": "No organisation", "roles": ["partner"],
            }),
        )
        .await;
    assert_eq!(r.codes(), ["user.partner_organisation"], "{}", r.body);
    let r = w
        .post(
            "admin",
            "/api/users",
            json!({
                "username": "mixed", "display_name": "Mixed", "roles": ["partner", "counsellor"],
                "offices": [w.bru], "organisation": ids[0],
            }),
        )
        .await;
    assert_eq!(
        r.codes(),
        ["user.partner_alone", "user.partner_offices"],
        "{}",
        r.body
    );
    let r = w
        .post(
            "admin",
            "/api/users",
            json!({
                "username": "staff", "display_name": "Staff", "roles": ["counsellor"],
                "organisation": ids[0],
            }),
        )
        .await;
    assert_eq!(r.codes(), ["user.organisation_not_partner"], "{}", r.body);
    for (username, org) in [("keur", &ids[0]), ("other", &ids[1])] {
        let r = w
            .post(
                "admin",
                "/api/users",
                json!({
                    "username": username, "display_name": username, "roles": ["partner"],
                    "organisation": org, "password": PASSWORD,
                }),
            )
            .await
            .ok();
        assert_eq!(r["user"]["organisation"], json!(org));
        w.sign_in(username, PASSWORD).await;
    }
    (ids.remove(0), ids.remove(0))
}

fn referral(id: &str, organisation: &str, person: &str, shared: Value) -> Value {
    json!({
        "referral_id": id,
        "organisation": organisation,
        "service": "reception",
        "country": "SN",
        "people": [person],
        "consent_for": [person],
        "shared": shared,
        "answer_within_days": 7,
        "note": "Arrives on the evening flight.",
    })
}

const KY_REFERRAL: &str = "018f0000-0000-7000-8000-0000000000a1";
const OTHER_REFERRAL: &str = "018f0000-0000-7000-8000-0000000000b2";

async fn a_partner_sees_its_referrals_with_only_the_data_consented_and_answers_them(db: &TestDb) {
    let mut w = World::start(db).await;
    let (ky, other) = partners(&mut w).await;
    let (case, awa) = w.single_adult().await;
    let mut d = adult("Awa");
    d["contact"] = json!({"phone": "+221 77 000 00 00"});
    d["vulnerabilities"] = json!(["victim_of_trafficking"]);
    w.cmd(
        "counsellor",
        &case,
        "person-updates",
        json!({"person_id": awa, "details": d}),
    )
    .await
    .ok();
    w.cmd(
        "counsellor",
        &case,
        "referrals",
        referral(
            KY_REFERRAL,
            &ky,
            &awa,
            json!(["identity", "vulnerabilities"]),
        ),
    )
    .await
    .ok();
    w.cmd(
        "counsellor",
        &case,
        "referrals",
        referral(OTHER_REFERRAL, &other, &awa, json!(["identity"])),
    )
    .await
    .ok();

    let counts = w.get("keur", "/api/partner/counts").await.ok();
    assert_eq!(
        (counts["waiting"].clone(), counts["active"].clone()),
        (json!(1), json!(0))
    );
    let list = w
        .get("keur", "/api/partner/referrals?list=waiting")
        .await
        .ok();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["referral_id"], KY_REFERRAL);
    assert!(
        !list.to_string().contains("Awa"),
        "a list shows no personal data: {list}"
    );

    let path = format!("/api/partner/referrals/{case}/{KY_REFERRAL}");
    let seen = w.get("keur", &path).await.ok();
    let text = seen.to_string();
    assert!(
        seen["people"][0]["identity"]["name"]
            .as_str()
            .unwrap()
            .contains("Awa")
    );
    assert_eq!(
        seen["people"][0]["contact"],
        Value::Null,
        "contact was not shared"
    );
    assert_eq!(
        seen["people"][0]["vulnerabilities"],
        json!([]),
        "nor trafficking history"
    );
    for secret in ["+221", "victim_of_trafficking", OTHER_REFERRAL] {
        assert!(
            !text.contains(secret),
            "{secret} reached the partner: {text}"
        );
    }
    // The other organisation's partner does not see it, and sees only its own.
    assert_eq!(w.get("other", &path).await.status, 404);
    let theirs = w
        .get("other", "/api/partner/referrals?list=waiting")
        .await
        .ok();
    assert_eq!(theirs["items"][0]["referral_id"], OTHER_REFERRAL);
    assert_eq!(theirs["total"], 1);

    // Answering: its own steps, on its own referral, at the version read.
    let step = |referral: &str, step: &str, version: &Value| {
        json!({"referral_id": referral, "step": step, "version": version,
               "receiver": "Fatou Sarr, reception centre"})
    };
    let version = seen["version"].clone();
    let url = format!("{}/api/cases/{case}/referral-steps", w.base);
    let send = |user: &'static str, body: Value| {
        let req = w.http.post(url.clone()).json(&body);
        w.send(Some(user), req)
    };
    let r = send("other", step(KY_REFERRAL, "accepted", &version)).await;
    assert_eq!(r.status, 404, "another organisation's referral: {}", r.body);
    let r = send("keur", step(OTHER_REFERRAL, "accepted", &version)).await;
    assert_eq!(r.status, 404, "{}", r.body);
    // Dated when recorded: a late answer cannot be made to look on time.
    let mut backdated = step(KY_REFERRAL, "accepted", &version);
    backdated["occurred_at"] = json!(chrono::Utc::now() - chrono::Duration::days(1));
    let r = send("keur", backdated).await;
    assert_eq!(r.codes(), ["time.not_backdated"], "{}", r.body);
    let r = send("keur", step(KY_REFERRAL, "accepted", &version)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let version = r.ok()["version"].clone();
    let r = send("keur", step(KY_REFERRAL, "closed", &version)).await;
    assert_eq!(r.status, 403, "closing is the sender's: {}", r.body);
    let counts = w.get("keur", "/api/partner/counts").await.ok();
    assert_eq!(
        (counts["waiting"].clone(), counts["active"].clone()),
        (json!(0), json!(1))
    );
    let staff = w.view("counsellor", &case).await;
    assert_eq!(
        staff["case"]["referrals"]["referrals"][KY_REFERRAL]["status"],
        "accepted"
    );

    // Revoked: the partner sees that it was, and nothing personal any more.
    w.cmd(
        "counsellor",
        &case,
        "referral-steps",
        json!({"referral_id": KY_REFERRAL, "step": "revoked", "reason": "Consent withdrawn"}),
    )
    .await
    .ok();
    let seen = w.get("keur", &path).await.ok();
    assert_eq!(seen["status"], "revoked");
    assert_eq!(seen["data_shown"], false);
    assert!(!seen.to_string().contains("Awa"));

    // Each read that showed personal data, and only those, is in the audit log.
    let log = w.get("auditor", "/api/audit?per_page=200").await.ok();
    let reads: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "referral.partner_read")
        .collect();
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert!(reads[0]["detail"].as_str().unwrap().contains(KY_REFERRAL));
}

async fn a_partner_reaches_nothing_else(db: &TestDb) {
    let mut w = World::start(db).await;
    let (ky, other) = partners(&mut w).await;
    let (case, awa) = w.single_adult().await;
    w.cmd(
        "counsellor",
        &case,
        "referrals",
        referral(KY_REFERRAL, &ky, &awa, json!(["identity"])),
    )
    .await
    .ok();
    w.cmd(
        "counsellor",
        &case,
        "referrals",
        referral(OTHER_REFERRAL, &other, &awa, json!(["identity"])),
    )
    .await
    .ok();
    let programme = w.programme.to_string();
    let user = w.get("admin", "/api/users").await.ok()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let events = w.events().await;
    let doc = w
        .send(None, w.http.get(format!("{}/api/openapi.json", w.base)))
        .await
        .ok();
    // What a partner may use: its own lists and referrals, its session, the directory
    // and the programme's offices (reference data, nothing personal).
    let allowed = |path: &str| {
        path.starts_with("/api/partner/")
            || path == "/api/offices"
            || path.starts_with("/api/session")
            || path == "/api/tokens"
            || path.starts_with("/api/organisations")
            || matches!(path, "/healthz" | "/readyz" | "/api/openapi.json")
    };
    let mut tried = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{case_id}", &case)
            .replace("{referral_id}", OTHER_REFERRAL)
            .replace("{programme_id}", &programme)
            .replace("{organisation_id}", &other)
            .replace("{user_id}", &user);
        for method in ops.as_object().unwrap().keys() {
            if allowed(path) {
                continue;
            }
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = if path.ends_with("/referral-steps") {
                json!({"referral_id": OTHER_REFERRAL, "step": "accepted", "version": 1})
            } else if path.ends_with("/notes") {
                json!({"text": "A partner writes on the case", "version": 1})
            } else if path.ends_with("/referral-exception-decisions") {
                json!({"referral_id": KY_REFERRAL, "approved": true, "version": 1})
            } else if path.ends_with("/search") {
                json!({"q": "awa"})
            } else {
                json!({})
            };
            let r = w
                .send(
                    Some("keur"),
                    w.http
                        .request(m, format!("{}{concrete}", w.base))
                        .json(&body),
                )
                .await;
            tried += 1;
            // Bodies that parse reach the rules, which find no case for a partner.
            let parses = ["/referral-steps", "/notes", "/referral-exception-decisions"];
            if method == "post" && parses.iter().any(|p| path.ends_with(p)) {
                assert_eq!(r.status, 404, "{method} {path}: {}", r.body);
            }
            let text = r.body.to_string();
            assert!(
                !text.contains("Awa") && !text.contains(&case) && !text.contains(OTHER_REFERRAL),
                "{method} {path} showed a partner the case: {} {text}",
                r.status
            );
            if (200..300).contains(&r.status) {
                // Only lists that are empty for a partner answer at all.
                let empty = r.body["total"] == json!(0)
                    || r.body["items"] == json!([])
                    || r.body.as_array().is_some_and(|a| a.is_empty());
                assert!(empty, "{method} {path} answered a partner: {text}");
            }
        }
    }
    assert!(tried >= 60, "{tried} operations tried");
    assert_eq!(w.events().await, events, "a partner wrote nothing");
    let log = w.get("auditor", "/api/audit?per_page=200").await.ok();
    assert!(
        !log.to_string().contains("case.read_sensitive"),
        "a partner read nothing sensitive"
    );
}

/// The value of a hidden input of an HTML page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).unwrap() + marker.len();
    page[at..].split('"').next().unwrap().to_string()
}

async fn an_organisation_without_an_account_answers_once_through_its_link(db: &TestDb) {
    let w = World::start(db).await;
    let ky = w
        .post(
            "admin",
            "/api/organisations",
            shelter("Keur Yakaar", &["SN"]),
        )
        .await
        .ok()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (case, awa) = w.single_adult().await;
    w.cmd(
        "counsellor",
        &case,
        "referrals",
        referral(KY_REFERRAL, &ky, &awa, json!(["identity"])),
    )
    .await
    .ok();
    let issue_url = format!("{}/api/cases/{case}/referrals/{KY_REFERRAL}/links", w.base);
    let issue = |user: &'static str| w.send(Some(user), w.http.post(issue_url.clone()));
    // Only who answers for the case's referrals issues a link.
    for user in ["counsellor_ams", "donor", "partner"] {
        assert_eq!(issue(user).await.status, 404, "{user}");
    }
    assert_eq!(issue("approver").await.status, 403);
    let issued = issue("counsellor").await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    let path = issued.body["path"].as_str().unwrap().to_string();
    assert!(path.starts_with("/r/") && path.len() > 60, "{path}");
    let expires: chrono::DateTime<chrono::Utc> =
        issued.body["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours();
    assert!(
        (7 * 24 - 1..=7 * 24).contains(&days),
        "the referral's 7 days: {days} h"
    );

    // No account: the link is the credential.
    let get = || async {
        w.http
            .get(format!("{}{path}", w.base))
            .send()
            .await
            .unwrap()
    };
    let page = get().await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Awa"), "{page}");
    let version = hidden(&page, "version");
    let post = |fields: Vec<(&'static str, String)>| {
        let req = w.http.post(format!("{}{path}", w.base)).form(&fields);
        async move { req.send().await.unwrap() }
    };
    // An answer the form refuses, or the rules (a page read before the case changed),
    // leaves the link working.
    let refused = post(vec![
        ("step", "declined".into()),
        ("version", version.clone()),
    ])
    .await;
    assert_eq!(refused.status(), 422);
    let stale = post(vec![("step", "accepted".into()), ("version", "0".into())]).await;
    assert_eq!(stale.status(), 422);
    assert!(
        stale
            .text()
            .await
            .unwrap()
            .contains("Someone else changed this case")
    );
    assert_eq!(get().await.status(), 200);
    let events = w.events().await;
    let done = post(vec![
        ("step", "accepted".into()),
        ("version", version.clone()),
        ("answered_by", "Fatou Sarr".into()),
        ("referral_id", OTHER_REFERRAL.into()),
    ])
    .await;
    assert_eq!(done.status(), 200, "{}", done.text().await.unwrap());
    assert_eq!(w.events().await, events + 1);
    // Used: it opens nothing and answers nothing any more.
    assert_eq!(get().await.status(), 404);
    let again = post(vec![
        ("step", "declined".into()),
        ("reason", "No".into()),
        ("version", version),
    ])
    .await;
    assert_eq!(again.status(), 404);
    assert_eq!(w.events().await, events + 1);

    let view = w.view("counsellor", &case).await;
    let r = &view["case"]["referrals"]["referrals"][KY_REFERRAL];
    assert_eq!(r["status"], "accepted");
    assert_eq!(r["steps"][0]["answered_by"], "Fatou Sarr");
    assert_eq!(
        r["steps"][0]["by"], issued.body["link_id"],
        "the link's own id"
    );
    // A link sent to the wrong address is withdrawn.
    let second = issue("counsellor").await.body["path"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("{}{second}", w.base);
    assert_eq!(w.http.get(&url).send().await.unwrap().status(), 200);
    let withdrawn = w
        .send(Some("counsellor"), w.http.delete(issue_url.clone()))
        .await
        .ok();
    assert_eq!(withdrawn["withdrawn"], 1);
    assert_eq!(w.http.get(&url).send().await.unwrap().status(), 404);
    // Nothing is left to answer: no new link.
    w.cmd(
        "counsellor",
        &case,
        "referral-steps",
        json!({"referral_id": KY_REFERRAL, "step": "revoked", "reason": "Consent withdrawn"}),
    )
    .await
    .ok();
    assert_eq!(
        issue("counsellor").await.codes(),
        ["referral.link_not_needed"]
    );
    let log = w
        .get("auditor", "/api/audit?per_page=200")
        .await
        .ok()
        .to_string();
    for action in [
        "referral.link_issued",
        "referral.link_read",
        "referral.link_used",
    ] {
        assert!(log.contains(action), "{action} is audited");
    }
}

async fn a_referral_without_consent_reaches_the_organisation_only_once_a_second_person_approves(
    db: &TestDb,
) {
    let mut w = World::start(db).await;
    let (ky, _) = partners(&mut w).await;
    let (case, awa) = w.single_adult().await;
    let mut body = referral(KY_REFERRAL, &ky, &awa, json!(["identity"]));
    body["consent_for"] = json!([]);
    let r = w.cmd("counsellor", &case, "referrals", body.clone()).await;
    assert_eq!(r.codes(), ["referral.consent_missing"]);
    body["exception"] = json!({"ground": "legal_obligation", "reason": "A court order."});
    let r = w.cmd("counsellor", &case, "referrals", body.clone()).await;
    assert_eq!(r.codes(), ["referral.exception_not_allowed"]);
    assert_eq!(r.pointers(), ["#/exception/ground"]);
    body["exception"] = json!({"ground": "risk_to_life",
        "reason": "She is in danger tonight and cannot be reached to consent."});
    w.cmd("counsellor", &case, "referrals", body).await.ok();
    let path = format!("/api/partner/referrals/{case}/{KY_REFERRAL}");
    assert_eq!(
        w.get("keur", &path).await.status,
        404,
        "nothing is sent yet"
    );
    assert_eq!(
        w.get("keur", "/api/partner/counts").await.ok()["waiting"],
        0
    );
    let decide = |approved: bool| json!({"referral_id": KY_REFERRAL, "approved": approved});
    let r = w
        .cmd(
            "counsellor",
            &case,
            "referral-exception-decisions",
            decide(true),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    w.cmd(
        "approver",
        &case,
        "referral-exception-decisions",
        decide(true),
    )
    .await
    .ok();
    assert_eq!(
        w.get("keur", "/api/partner/counts").await.ok()["waiting"],
        1
    );
    assert_eq!(w.get("keur", &path).await.ok()["status"], "sent");
}

async fn referral_figures_count_each_referral_once_for_the_offices_read(db: &TestDb) {
    let w = World::start(db).await;
    let mut ids = vec![];
    for name in ["Keur Yakaar", "Other shelter"] {
        let o = w
            .post("admin", "/api/organisations", shelter(name, &["SN"]))
            .await
            .ok();
        ids.push(o["id"].as_str().unwrap().to_string());
    }
    let refer = |case: String, person: String, org: String, id: &'static str| {
        let w = &w;
        async move {
            w.cmd(
                "counsellor",
                &case,
                "referrals",
                referral(id, &org, &person, json!(["identity"])),
            )
            .await
            .ok();
            case
        }
    };
    let (a, awa) = w.single_adult().await;
    let a = refer(
        a,
        awa,
        ids[0].clone(),
        "018f0000-0000-7000-8000-0000000000c1",
    )
    .await;
    w.cmd(
        "counsellor",
        &a,
        "referral-steps",
        json!({"referral_id": "018f0000-0000-7000-8000-0000000000c1", "step": "accepted"}),
    )
    .await
    .ok();
    let (b, bo) = w.single_adult().await;
    let b = refer(
        b,
        bo,
        ids[1].clone(),
        "018f0000-0000-7000-8000-0000000000c2",
    )
    .await;
    w.cmd(
        "counsellor",
        &b,
        "referral-steps",
        json!({"referral_id": "018f0000-0000-7000-8000-0000000000c2", "step": "declined",
               "reason": "No places"}),
    )
    .await
    .ok();
    let (c, co) = w.single_adult().await;
    refer(
        c,
        co,
        ids[0].clone(),
        "018f0000-0000-7000-8000-0000000000c3",
    )
    .await;

    let f = w.get("approver", "/api/statistics/referrals").await.ok();
    let total = &f["total"];
    assert_eq!(total["referrals"], 3, "{f}");
    assert_eq!(total["answered"], 2);
    assert_eq!(total["mean_days_to_answer"], 0.0);
    assert_eq!(total["outcomes"]["in_hand"], 1);
    assert_eq!(total["outcomes"]["declined"], 1);
    assert_eq!(total["outcomes"]["waiting"], 1);
    // Each line adds up to its count, and the lines to the total.
    for by in ["by_service", "by_organisation"] {
        let lines = f[by].as_array().unwrap();
        let sum: i64 = lines.iter().map(|l| l["referrals"].as_i64().unwrap()).sum();
        assert_eq!(sum, 3, "{by}");
        for l in lines {
            let outcomes: i64 = l["outcomes"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_i64().unwrap())
                .sum();
            assert!(l["answered"].is_i64(), "exact readers see it");
            assert_eq!(outcomes, l["referrals"].as_i64().unwrap(), "{by}: {l}");
        }
    }
    let keur = &f["by_organisation"][0];
    assert_eq!(
        (keur["name"].clone(), keur["referrals"].clone()),
        (json!("Keur Yakaar"), json!(2))
    );
    // Another office's programme manager counts none of them; protected readers get none.
    assert_eq!(
        w.get("approver_dkr", "/api/statistics/referrals")
            .await
            .ok()["total"]["referrals"],
        0
    );
    assert_eq!(
        w.get("counsellor", "/api/statistics/referrals")
            .await
            .status,
        403
    );
    assert_eq!(f["protected"], false);
    // A period with none of them.
    let none = w
        .get("approver", "/api/statistics/referrals?until=2020-01-31")
        .await
        .ok();
    assert_eq!(none["total"]["referrals"], 0);
}

/// The referral figures as a protected reader (a donor) gets them: every office's, in
/// whole months, no count below the threshold shown, and no hidden one that the
/// published figures let anyone narrow to less than the threshold (the disclosure audit).
async fn protected_readers_get_referral_figures_that_withstand_arithmetic(db: &TestDb) {
    use chrono::Datelike;
    use homeward_domain::disclosure::{Shape, withstands_arithmetic};
    use homeward_domain::stats::{Cell, Counts, Published};
    let w = World::start(db).await;
    let mut orgs = vec![];
    for name in ["Keur Yakaar", "Other shelter"] {
        let o = w
            .post("admin", "/api/organisations", shelter(name, &["SN"]))
            .await
            .ok();
        orgs.push(o["id"].as_str().unwrap().to_string());
    }
    // (organisation, need, answer): 5 waiting and 2 in hand at the first, 1 declined
    // and 1 waiting at the second.
    let plan: [(usize, &str, Option<&str>); 9] = [
        (0, "reception", None),
        (0, "reception", None),
        (0, "reception", None),
        (0, "reception", None),
        (0, "reception", None),
        (0, "shelter", Some("accepted")),
        (0, "shelter", Some("accepted")),
        (1, "reception", Some("declined")),
        (1, "shelter", None),
    ];
    // Sent 45 days ago: in a month before this one, whatever today is (a protected
    // reader's figures end with the last whole month).
    for (n, (org, need, answer)) in plan.iter().enumerate() {
        let case = w
            .register_ago(
                "counsellor",
                w.bru,
                vec![member("principal", adult("Awa"))],
                70,
            )
            .await;
        let person = w.people(&case).await.remove(0);
        let id = format!("018f0000-0000-7000-8000-0000000001{n:02}");
        let mut body = referral(&id, &orgs[*org], &person, json!(["identity"]));
        body["service"] = json!(need);
        body["occurred_at"] = json!(ago(45));
        w.cmd("counsellor", &case, "referrals", body).await.ok();
        if let Some(step) = answer {
            w.cmd(
                "counsellor",
                &case,
                "referral-steps",
                json!({"referral_id": id, "step": step, "reason": "No places",
                       "occurred_at": ago(44)}),
            )
            .await
            .ok();
        }
    }
    // One more sent today: the month under way is not in a protected reader's figures.
    let (today, awa) = w.single_adult().await;
    w.cmd(
        "counsellor",
        &today,
        "referrals",
        referral(
            "018f0000-0000-7000-8000-0000000001ff",
            &orgs[0],
            &awa,
            json!(["identity"]),
        ),
    )
    .await
    .ok();
    let f = w.get("donor", "/api/statistics/referrals").await.ok();
    // What the programme manager reads of the same period: up to the last whole month.
    let last = chrono::Utc::now()
        .date_naive()
        .with_day(1)
        .unwrap()
        .pred_opt()
        .unwrap();
    let exact = w
        .get(
            "approver",
            &format!("/api/statistics/referrals?until={last}"),
        )
        .await
        .ok();
    assert_eq!(exact["total"]["referrals"], 9, "{exact}");
    assert_eq!(
        w.get("approver", "/api/statistics/referrals").await.ok()["total"]["referrals"],
        10,
        "exact readers see the month under way"
    );
    assert_eq!(f["protected"], true, "{f}");
    assert_eq!(f["total"]["referrals"], 9, "the total is not small: {f}");
    assert_eq!(f["total"]["answered"], Value::Null, "{f}");
    assert_eq!(
        f["total"]["mean_days_to_answer"],
        Value::Null,
        "three answers are fewer than the threshold"
    );
    let codes: Vec<String> = f["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        f["by_organisation"],
        json!([]),
        "one table only: a second would share its totals"
    );
    for by in ["by_service"] {
        // What the donor got, and the exact counts the programme manager reads.
        let cell = |line: &Value, code: &str| -> Cell {
            match line["outcomes"].get(code) {
                None => Cell::Count(0),
                Some(Value::Null) => Cell::Suppressed,
                Some(v) => Cell::Count(v.as_i64().unwrap()),
            }
        };
        let shown = |v: &Value| v.as_i64().map_or(Cell::Suppressed, Cell::Count);
        let lines = f[by].as_array().unwrap();
        let exact_lines = exact[by].as_array().unwrap();
        assert_eq!(lines.len(), exact_lines.len());
        let published = Published {
            cells: lines
                .iter()
                .map(|l| codes.iter().map(|c| cell(l, c)).collect())
                .collect(),
            row_totals: lines.iter().map(|l| shown(&l["referrals"])).collect(),
            column_totals: codes.iter().map(|c| cell(&f["total"], c)).collect(),
            total: shown(&f["total"]["referrals"]),
        };
        let counts = Counts::additive(
            &exact_lines
                .iter()
                .map(|l| {
                    codes
                        .iter()
                        .map(|c| l["outcomes"][c].as_i64().unwrap_or(0))
                        .collect()
                })
                .collect::<Vec<Vec<i64>>>(),
        );
        let every = published
            .cells
            .iter()
            .flatten()
            .chain(&published.row_totals)
            .chain(&published.column_totals)
            .chain(std::iter::once(&published.total));
        for c in every {
            if let Cell::Count(n) = c {
                assert!(*n == 0 || *n >= 5, "{by}: a small count is shown: {f}");
            }
        }
        assert!(
            published
                .cells
                .iter()
                .flatten()
                .any(|c| *c == Cell::Suppressed),
            "{by}: small counts are hidden"
        );
        assert!(
            withstands_arithmetic(&counts, &published, Shape::ADDITIVE, 5),
            "{by}: a hidden count can be worked out: {f}"
        );
    }
    // Whole months only: two periods a day apart would give that day's referrals.
    let r = w
        .get("donor", "/api/statistics/referrals?from=2026-01-02")
        .await;
    assert_eq!(r.codes(), ["period.whole_months"], "{}", r.body);
    let r = w
        .get(
            "donor",
            "/api/statistics/referrals?from=2026-01-01&until=2026-12-31",
        )
        .await
        .ok();
    assert_eq!(r["protected"], true);
}

/// Many answers through one link at once: exactly one is recorded, the others are told
/// the link no longer works, and nothing else is written.
async fn one_link_records_one_answer_however_many_arrive_at_once(db: &TestDb) {
    let w = World::start(db).await;
    let ky = w
        .post(
            "admin",
            "/api/organisations",
            shelter("Keur Yakaar", &["SN"]),
        )
        .await
        .ok()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (case, awa) = w.single_adult().await;
    w.cmd(
        "counsellor",
        &case,
        "referrals",
        referral(KY_REFERRAL, &ky, &awa, json!(["identity"])),
    )
    .await
    .ok();
    let issued = w
        .send(
            Some("counsellor"),
            w.http.post(format!(
                "{}/api/cases/{case}/referrals/{KY_REFERRAL}/links",
                w.base
            )),
        )
        .await
        .ok();
    let url = format!("{}{}", w.base, issued["path"].as_str().unwrap());
    let page = w.http.get(&url).send().await.unwrap().text().await.unwrap();
    let version = hidden(&page, "version");
    let events = w.events().await;
    let mut answers = tokio::task::JoinSet::new();
    for n in 0..8 {
        let req = w.http.post(&url).form(&[
            ("step", "accepted".to_string()),
            ("version", version.clone()),
            ("answered_by", format!("Clerk {n}")),
        ]);
        answers.spawn(async move { req.send().await.unwrap().status().as_u16() });
    }
    let statuses = answers.join_all().await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 404),
        "{statuses:?}"
    );
    assert_eq!(w.events().await, events + 1);
    let view = w.view("counsellor", &case).await;
    let steps = &view["case"]["referrals"]["referrals"][KY_REFERRAL]["steps"];
    assert_eq!(steps.as_array().unwrap().len(), 1);
}

homeward_store::db_tests!(
    protected_readers_get_referral_figures_that_withstand_arithmetic,
    one_link_records_one_answer_however_many_arrive_at_once,
    referral_figures_count_each_referral_once_for_the_offices_read,
    a_referral_without_consent_reaches_the_organisation_only_once_a_second_person_approves,
    a_partner_sees_its_referrals_with_only_the_data_consented_and_answers_them,
    a_partner_reaches_nothing_else,
    an_organisation_without_an_account_answers_once_through_its_link,
);
