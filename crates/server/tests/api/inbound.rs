//! Inbound referrals: a partner organisation refers a person to an office; a counsellor
//! there registers the person as a case, which names its source, or declines with a
//! reason; the partner follows where its referral stands and sees nothing else. A
//! referral becomes one case at most, however many counsellors register it at once.

use chrono::{Duration, Utc};
use homeward_domain::ids::OfficeId;
use uuid::Uuid;

use super::partners::partners;
use super::*;

fn referral(office: &OfficeId, person: Value, reference: &str) -> Value {
    json!({
        "office": office,
        "referrer_reference": reference,
        "person": person,
        "household": "Her son, 4, would return with her.",
        "country_of_return": "SN",
        "reason": "Wishes to go home; her residence permit was refused.",
        "urgent": false,
        "consent": {"given_on": ago(2).date_naive()},
    })
}

fn registration(w: &World, person: Value) -> Value {
    json!({
        "host_office": w.bru,
        "programme": w.programme,
        "proposal": {"country_of_return": "SN", "return_kind": "origin"},
        "members": [member("principal", person)],
    })
}

async fn sent(w: &World, user: &str, body: Value) -> String {
    let r = w.post(user, "/api/partner/inbound", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["status"], "received");
    r.body["id"].as_str().unwrap().to_string()
}

async fn withdraw(w: &World, user: &str, id: &str) -> Resp {
    w.send(
        Some(user),
        w.http
            .post(format!("{}/api/partner/inbound/{id}/withdrawal", w.base)),
    )
    .await
}

async fn audited(w: &World, action: &str) -> usize {
    let log = w.get("auditor", "/api/audit?per_page=200").await.ok();
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .count()
}

async fn a_partner_refers_a_person_who_is_registered_with_the_referral_as_source(db: &TestDb) {
    let mut w = World::start(db).await;
    let (ky, _other) = partners(&mut w).await;
    // What is wrong is named, field by field, and nothing is sent.
    let mut bad = referral(&w.bru, child("Moussa", "2015-03-01"), "KY-1");
    bad["consent"]["given_on"] = json!((Utc::now() + Duration::days(3)).date_naive());
    let r = w.post("keur", "/api/partner/inbound", bad).await;
    let mut codes = r.codes();
    codes.sort();
    assert_eq!(
        codes,
        [
            "inbound.consent_in_future",
            "inbound.representative_required"
        ],
        "{}",
        r.body
    );
    let mut nowhere = referral(&w.bru, adult("Awa"), "KY-1");
    nowhere["office"] = json!(Uuid::nil());
    assert_eq!(
        w.post("keur", "/api/partner/inbound", nowhere)
            .await
            .codes(),
        ["office.unknown"]
    );
    // Dakar is an office of return: nobody there registers cases.
    assert_eq!(
        w.post(
            "keur",
            "/api/partner/inbound",
            referral(&w.dkr, adult("Awa"), "x")
        )
        .await
        .codes(),
        ["inbound.not_a_host_office"]
    );
    // Only partners refer; staff register.
    assert_eq!(
        w.post(
            "counsellor",
            "/api/partner/inbound",
            referral(&w.bru, adult("Awa"), "x")
        )
        .await
        .status,
        403
    );
    let id = sent(&w, "keur", referral(&w.bru, adult("Awa"), "KY-2026-17")).await;
    // The partner sees what it sent while it waits; the other organisation sees nothing.
    let mine = w
        .get("keur", &format!("/api/partner/inbound/{id}"))
        .await
        .ok();
    assert_eq!(mine["details"]["person"]["name"]["given"], "Awa");
    assert_eq!(mine["referrer_reference"], "KY-2026-17");
    assert_eq!(audited(&w, "inbound.referrer_read").await, 1);
    w.get("other", &format!("/api/partner/inbound/{id}"))
        .await
        .missing();
    let theirs = w
        .get("other", "/api/partner/inbound?list=waiting")
        .await
        .ok();
    assert_eq!(theirs["total"], 0);
    let list = w
        .get("keur", "/api/partner/inbound?list=waiting")
        .await
        .ok();
    assert_eq!(list["total"], 1);
    assert_eq!(
        list["items"][0]["details"],
        Value::Null,
        "lists carry no details"
    );
    // The office's queue: counsellors and programme managers of the office only.
    let queue = w
        .get("counsellor", "/api/inbound-referrals?list=waiting")
        .await
        .ok();
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["person_name"], "Awa Diallo");
    assert_eq!(queue["items"][0]["organisation_name"], "Keur Yakaar");
    assert_eq!(queue["items"][0]["source"], "partner");
    for user in ["counsellor_ams", "approver_dkr"] {
        let q = w
            .get(user, "/api/inbound-referrals?list=waiting")
            .await
            .ok();
        assert_eq!(q["total"], 0, "{user}");
        w.get(user, &format!("/api/inbound-referrals/{id}"))
            .await
            .missing();
    }
    for user in ["movement", "admin", "donor", "keur"] {
        let r = w.get(user, "/api/inbound-referrals?list=waiting").await;
        assert_eq!(r.status, 403, "{user}: {}", r.body);
        w.get(user, &format!("/api/inbound-referrals/{id}"))
            .await
            .missing();
    }
    let whole = w
        .get("approver", &format!("/api/inbound-referrals/{id}"))
        .await
        .ok();
    assert_eq!(
        whole["details"]["reason"],
        "Wishes to go home; her residence permit was refused."
    );
    assert_eq!(audited(&w, "inbound.read").await, 1);
    // A programme manager watches the queue; registering is a counsellor's.
    let r = w
        .post(
            "approver",
            &format!("/api/inbound-referrals/{id}/registration"),
            registration(&w, adult("Awa")),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    // Registered: the case names the referral and its organisation as its source.
    let r = w
        .post(
            "counsellor",
            &format!("/api/inbound-referrals/{id}/registration"),
            registration(&w, adult("Awa")),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let case = r.body["case_id"].as_str().unwrap().to_string();
    let reference = r.body["reference"].as_str().unwrap().to_string();
    let view = w.view("counsellor", &case).await;
    let source = &view["case"]["referral"];
    assert_eq!(source["source"], "partner");
    assert_eq!(source["referred_by"], "Keur Yakaar");
    assert_eq!(source["organisation"], json!(ky));
    assert_eq!(source["inbound"], json!(id));
    // Once: a second registration, a decline or a withdrawal is refused.
    w.post(
        "counsellor2",
        &format!("/api/inbound-referrals/{id}/registration"),
        registration(&w, adult("Awa")),
    )
    .await
    .refused(422, "inbound.not_waiting");
    w.post(
        "counsellor",
        &format!("/api/inbound-referrals/{id}/decline"),
        json!({"reason": "not_eligible"}),
    )
    .await
    .refused(422, "inbound.not_waiting");
    withdraw(&w, "keur", &id)
        .await
        .refused(422, "inbound.not_waiting");
    // The partner sees that it was registered and the case's reference, no details.
    let now = w
        .get("keur", &format!("/api/partner/inbound/{id}"))
        .await
        .ok();
    assert_eq!(now["status"], "registered");
    assert_eq!(now["case_reference"], json!(reference));
    assert_eq!(now["details"], Value::Null);
    assert_eq!(
        audited(&w, "inbound.referrer_read").await,
        1,
        "no details, no audit"
    );
    let decided = w
        .get("keur", "/api/partner/inbound?list=decided")
        .await
        .ok();
    assert_eq!(decided["total"], 1);
    // The partner still reaches no case.
    w.get("keur", &format!("/api/cases/{case}")).await.missing();
    assert_eq!(audited(&w, "inbound.submitted").await, 1);
    // The case's registration names the referral it came from.
    let log = w.get("auditor", "/api/audit?per_page=200").await.ok();
    let registration = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "case.register")
        .unwrap()
        .clone();
    // The detail is the JSON text the audit chain hashes.
    let detail: Value = serde_json::from_str(registration["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["inbound"], json!(id), "{registration}");
}

async fn an_office_declines_with_a_reason_the_partner_reads_and_a_partner_withdraws(db: &TestDb) {
    let mut w = World::start(db).await;
    partners(&mut w).await;
    let declined = sent(&w, "keur", referral(&w.bru, adult("Binta"), "KY-2")).await;
    let withdrawn = sent(&w, "keur", referral(&w.bru, adult("Fatou"), "KY-3")).await;
    // A child referred with a representative's consent is accepted.
    let mut child_referral = referral(&w.bru, child("Moussa", "2015-03-01"), "KY-4");
    child_referral["consent"]["representative"] = json!("Guardian ad litem, Brussels");
    child_referral["urgent"] = json!(true);
    let urgent = sent(&w, "keur", child_referral).await;
    // Waiting: urgent first, then oldest first.
    let queue = w
        .get("counsellor", "/api/inbound-referrals?list=waiting")
        .await
        .ok();
    let order: Vec<&str> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [urgent.as_str(), declined.as_str(), withdrawn.as_str()]
    );
    w.post(
        "counsellor",
        &format!("/api/inbound-referrals/{declined}/decline"),
        json!({"reason": "other"}),
    )
    .await
    .refused(422, "inbound.note_required");
    let r = w
        .post(
            "approver",
            &format!("/api/inbound-referrals/{declined}/decline"),
            json!({"reason": "other", "note": "We could not reach her: please ask her to call us."}),
        )
        .await
        .ok();
    assert_eq!(r["status"], "declined");
    let seen = w
        .get("keur", &format!("/api/partner/inbound/{declined}"))
        .await
        .ok();
    assert_eq!(seen["decline_reason"], "other");
    assert_eq!(
        seen["decline_note"],
        "We could not reach her: please ask her to call us."
    );
    assert_eq!(seen["details"], Value::Null);
    // Only the organisation that sent it withdraws it.
    withdraw(&w, "other", &withdrawn).await.missing();
    let r = withdraw(&w, "keur", &withdrawn).await.ok();
    assert_eq!(r["status"], "withdrawn");
    // Withdrawn: the person no longer wishes to be referred; nothing of them is kept.
    let erased = w
        .get("counsellor", &format!("/api/inbound-referrals/{withdrawn}"))
        .await
        .ok();
    assert_eq!(erased["details"], Value::Null);
    assert_eq!(erased["referrer_reference"], "KY-3");
    assert!(!erased.to_string().contains("Fatou"), "{erased}");
    let events = w.events().await;
    w.post(
        "counsellor",
        &format!("/api/inbound-referrals/{withdrawn}/registration"),
        registration(&w, adult("Fatou")),
    )
    .await
    .refused(422, "inbound.not_waiting");
    assert_eq!(w.events().await, events, "no case for a withdrawn referral");
    let queue = w
        .get("counsellor", "/api/inbound-referrals?list=waiting")
        .await
        .ok();
    assert_eq!(queue["total"], 1);
    let decided = w
        .get("counsellor", "/api/inbound-referrals?list=decided")
        .await
        .ok();
    assert_eq!(decided["total"], 2);
    // A counsellor of another office cannot register it, even into their own office.
    let mut elsewhere = registration(&w, child("Moussa", "2015-03-01"));
    elsewhere["host_office"] = json!(w.ams);
    w.post(
        "counsellor_ams",
        &format!("/api/inbound-referrals/{urgent}/registration"),
        elsewhere,
    )
    .await
    .refused(422, "inbound.unknown");
}

/// Many counsellors register the same referral at once: exactly one case is written, the
/// others are told it was taken, and a decline racing them loses or wins whole.
async fn a_referral_becomes_one_case_however_many_register_it_at_once(db: &TestDb) {
    let mut w = World::start(db).await;
    partners(&mut w).await;
    let id = sent(&w, "keur", referral(&w.bru, adult("Awa"), "KY-9")).await;
    let events = w.events().await;
    let mut tries = tokio::task::JoinSet::new();
    for n in 0..8 {
        let (user, path, body) = if n == 3 {
            (
                "approver",
                format!("/api/inbound-referrals/{id}/decline"),
                json!({"reason": "unreachable"}),
            )
        } else {
            (
                if n % 2 == 0 {
                    "counsellor"
                } else {
                    "counsellor2"
                },
                format!("/api/inbound-referrals/{id}/registration"),
                registration(&w, adult("Awa")),
            )
        };
        let req = w
            .http
            .post(format!("{}{path}", w.base))
            .bearer_auth(w.token(user))
            .json(&body);
        tries.spawn(async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        });
    }
    let answers = tries.join_all().await;
    let won: Vec<_> = answers.iter().filter(|(s, _)| *s < 300).collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    for (status, body) in &answers {
        if *status >= 300 {
            assert_eq!(*status, 422, "{body}");
            assert_eq!(body["errors"][0]["code"], "inbound.not_waiting", "{body}");
        }
    }
    let one = w
        .get("counsellor", &format!("/api/inbound-referrals/{id}"))
        .await
        .ok();
    let cases = w.get("counsellor", "/api/cases").await.ok();
    if won[0].1["case_id"].is_string() {
        assert_eq!(one["status"], "registered");
        assert_eq!(one["case_id"], won[0].1["case_id"]);
        assert_eq!(cases["total"], 1, "one case");
    } else {
        assert_eq!(one["status"], "declined");
        assert_eq!(w.events().await, events, "no case");
        assert_eq!(cases["total"], 0);
    }
}

homeward_store::db_tests!(
    a_partner_refers_a_person_who_is_registered_with_the_referral_as_source,
    an_office_declines_with_a_reason_the_partner_reads_and_a_partner_withdraws,
    a_referral_becomes_one_case_however_many_register_it_at_once,
);
