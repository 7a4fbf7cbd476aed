//! A case's journey through the API: consent, approval, departure, withdrawal.

use super::*;

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
    reintegration_plan(&w, &case).await;
    w.cmd("reintegration", &case, "monitoring", json!({}))
        .await
        .ok();
    // Not completed while its follow-ups (at 3, 6 and 12 months) are to come.
    let r = w
        .cmd(
            "reintegration",
            &case,
            "closure",
            json!({"outcome": "completed"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.codes(), vec!["closure.follow_up_pending"; 3]);
    follow_ups_until_contact_is_lost(&w, &case, &awa).await;
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
        "needs_assessed",
        "plan_drafted",
        "plan_approved",
        "delivery_recorded",
        "follow_ups_scheduled",
        "follow_up_recorded",
        "case_closed",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert!(timeline[0]["actor_name"].as_str().is_some());
}

/// Follow-ups through the API: the monitoring officer records one that reached the
/// returnee (its notes withheld from the approver), a reach needs who took part, and
/// three attempts in a row that do not reach her close the case as lost contact.
async fn follow_ups_until_contact_is_lost(w: &World, case: &str, awa: &str) {
    let v = w.view("monitoring", case).await;
    let schedule = &v["case"]["monitoring"]["schedule"];
    assert_eq!(schedule.as_array().unwrap().len(), 3, "{schedule}");
    let r = w
        .cmd(
            "monitoring",
            case,
            "follow-ups",
            json!({"mode": "visit", "result": "reached", "language": "klingon"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.pointers().contains(&"#/language".to_string()),
        "{}",
        r.body
    );
    let r = w
        .cmd(
            "monitoring",
            case,
            "follow-ups",
            json!({"mode": "visit", "result": "reached"}),
        )
        .await;
    assert_eq!(r.codes(), vec!["follow_up.nobody"], "{}", r.body);
    // The services of referrals the returnee is asked about are the case's own.
    let r = w
        .cmd(
            "monitoring",
            case,
            "follow-ups",
            json!({"mode": "visit", "result": "reached", "with": [awa],
                   "services": [{"referral_id": uuid::Uuid::nil(), "received": "received"}]}),
        )
        .await;
    assert_eq!(r.codes(), vec!["follow_up.unknown_referral"], "{}", r.body);
    assert_eq!(r.pointers(), vec!["#/services/0/referral_id"]);
    w.cmd(
        "monitoring",
        case,
        "follow-ups",
        json!({"mode": "visit", "result": "reached", "with": [awa], "language": "wo",
               "notes": "Settled with her mother; the kiosk opens next month."}),
    )
    .await
    .ok();
    let seen = w.view("monitoring", case).await;
    let follow_up = &seen["case"]["monitoring"]["follow_ups"][0]["follow_up"];
    assert_eq!(follow_up["result"], "reached");
    assert!(follow_up["notes"].as_str().is_some());
    let withheld = w.view("approver_dkr", case).await;
    assert_eq!(
        withheld["case"]["monitoring"]["follow_ups"][0]["follow_up"]["notes"],
        Value::Null
    );
    for n in 1..=3 {
        let done = w
            .cmd(
                "monitoring",
                case,
                "follow-ups",
                json!({"mode": "phone", "result": "not_reached"}),
            )
            .await
            .ok();
        let want = if n < 3 { "monitoring" } else { "closed" };
        assert_eq!(done["stage"], want, "after {n} attempts");
    }
    let v = w.view("monitoring", case).await;
    assert_eq!(v["case"]["outcome"], "lost_contact");
}

/// The cases whose plan waits for `work` among those `user`'s offices lead, as `user`
/// lists them (each row saying so).
async fn waiting(w: &World, user: &str, work: &str) -> Vec<String> {
    let page = w
        .get(
            user,
            &format!("/api/cases?plan_work={work}&led=true&per_page=200"),
        )
        .await
        .ok();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert_eq!(row["plan_work"], work, "{row}");
            row["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// The plan through the API: needs (health needs read only by who may), a draft, the
/// returnee's agreement, approval by an approver of the office of return (never the
/// drafter's role), a delivery refused beyond the plan, then the plan delivered.
async fn reintegration_plan(w: &World, case: &str) {
    assert!(
        waiting(w, "reintegration", "to_draft")
            .await
            .contains(&case.to_string())
    );
    let p = w.people(case).await;
    w.cmd(
        "reintegration",
        case,
        "needs-assessments",
        json!({"person_id": p[0], "skills": "Tailoring", "health_needs": "Diabetes follow-up"}),
    )
    .await
    .ok();
    w.cmd(
        "reintegration",
        case,
        "plan-versions",
        json!({"items": [{
            "assistance": "in_kind_business_set_up",
            "form": "in_kind",
            "description": "Sewing machines",
            "value": {"amount_minor": 150000, "currency": "EUR"}
        }]}),
    )
    .await
    .ok();
    // The plan waits for the returnee's answer: on the officer's queue, not the approver's.
    assert!(
        waiting(w, "reintegration", "to_agree")
            .await
            .contains(&case.to_string())
    );
    assert!(
        !waiting(w, "approver_dkr", "to_approve")
            .await
            .contains(&case.to_string())
    );
    let v = w.view("reintegration", case).await;
    let r = &v["case"]["reintegration"];
    assert_eq!(
        r["needs"][0]["assessment"]["health_needs"],
        "Diabetes follow-up"
    );
    assert_eq!(r["versions"][0]["status"], "draft");
    let item = r["versions"][0]["items"][0]["item_id"]
        .as_str()
        .unwrap()
        .to_string();
    let approval = json!({"plan_version": 1, "comment": "Within the package"});
    let early = w
        .cmd("approver_dkr", case, "plan-approvals", approval.clone())
        .await;
    assert_eq!(early.status, 422, "{}", early.body);
    assert!(
        early.body.to_string().contains("plan.not_agreed"),
        "{}",
        early.body
    );
    w.cmd(
        "reintegration",
        case,
        "plan-responses",
        json!({"plan_version": 1, "person_id": p[0], "given_by": "person", "answer": "agreed"}),
    )
    .await
    .ok();
    assert!(
        waiting(w, "approver_dkr", "to_approve")
            .await
            .contains(&case.to_string())
    );
    assert!(
        !waiting(w, "reintegration", "to_agree")
            .await
            .contains(&case.to_string())
    );
    // The host office's approver reads the case but does not lead it: not on its queue.
    assert!(
        !waiting(w, "approver", "to_approve")
            .await
            .contains(&case.to_string())
    );
    let all = w
        .get("approver", "/api/cases?plan_work=to_approve&per_page=200")
        .await
        .ok();
    assert!(
        all.to_string().contains(case),
        "without `led`, every case read"
    );
    let drafter = w
        .cmd("reintegration", case, "plan-approvals", approval.clone())
        .await;
    assert_eq!(drafter.status, 403, "{}", drafter.body);
    let host = w
        .cmd("approver", case, "plan-approvals", approval.clone())
        .await;
    assert_eq!(
        host.status, 403,
        "the office of return leads: {}",
        host.body
    );
    w.cmd("approver_dkr", case, "plan-approvals", approval)
        .await
        .ok();
    for work in ["to_draft", "to_agree", "to_approve"] {
        assert!(
            !waiting(w, "reintegration", work)
                .await
                .contains(&case.to_string()),
            "{work}"
        );
    }
    let v = w.view("approver_dkr", case).await;
    let r = &v["case"]["reintegration"];
    assert_eq!(r["versions"][0]["status"], "approved");
    assert!(
        r["needs"][0]["assessment"]["health_needs"].is_null(),
        "an approver does not read health needs: {r}"
    );
    let beyond = w
        .cmd(
            "reintegration",
            case,
            "deliveries",
            json!({"item_id": item, "channel": "paid_to_vendor",
                   "amount": {"amount_minor": 150001, "currency": "EUR"}}),
        )
        .await;
    assert_eq!(beyond.status, 422, "{}", beyond.body);
    assert!(
        beyond.body.to_string().contains("delivery.beyond_plan"),
        "{}",
        beyond.body
    );
    let bad_rate = w
        .cmd(
            "reintegration",
            case,
            "deliveries",
            json!({"item_id": item, "channel": "paid_to_vendor",
                   "amount": {"amount_minor": 150000, "currency": "XOF"},
                   "exchange": {"rate": "1,5", "on": "2026-01-01"}}),
        )
        .await;
    assert_eq!(bad_rate.status, 422, "{}", bad_rate.body);
    assert!(
        bad_rate.body.to_string().contains("exchange/rate"),
        "{}",
        bad_rate.body
    );
    w.cmd(
        "reintegration",
        case,
        "deliveries",
        json!({"item_id": item, "channel": "paid_to_vendor", "proof": "Invoice 42",
               "delivery_id": "0190f0a0-0000-7000-8000-000000000042",
               "amount": {"amount_minor": 150000, "currency": "EUR"}}),
    )
    .await
    .ok();
    // Above the programme's threshold: a second person signs.
    let sign = json!({"delivery_id": "0190f0a0-0000-7000-8000-000000000042"});
    let own = w
        .cmd(
            "reintegration",
            case,
            "delivery-countersignatures",
            sign.clone(),
        )
        .await;
    assert_eq!(own.status, 422, "{}", own.body);
    assert!(
        own.body.to_string().contains("delivery.four_eyes"),
        "{}",
        own.body
    );
    w.cmd("approver_dkr", case, "delivery-countersignatures", sign)
        .await
        .ok();
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
    // Someone in the country of return takes the child in, and is named.
    w.cmd("movement", &case, "ready-to-depart", json!({}))
        .await
        .refused(422, "protection.reception_referral_missing");
    let org = w
        .post(
            "admin",
            "/api/organisations",
            json!({
                "name": "Dakar child protection service",
                "kind": "child_protection",
                "countries": ["SN"],
                "services": ["child_protection", "reception"],
                "stages": ["immediate_assistance"],
            }),
        )
        .await
        .ok();
    let referral = "018f0000-0000-7000-8000-0000000000c1";
    w.cmd(
        "counsellor",
        &case,
        "referrals",
        json!({
            "referral_id": referral,
            "organisation": org["id"],
            "service": "child_protection",
            "country": "SN",
            "people": [kid],
            "consent_for": [kid],
            "shared": ["identity", "family"],
            "answer_within_days": 5,
        }),
    )
    .await
    .ok();
    w.cmd(
        "counsellor",
        &case,
        "referral-steps",
        json!({"referral_id": referral, "step": "accepted"}),
    )
    .await
    .ok();
    w.cmd("movement", &case, "ready-to-depart", json!({}))
        .await
        .refused(422, "protection.child_receiver_missing");
    w.cmd(
        "counsellor",
        &case,
        "referral-steps",
        json!({"referral_id": referral, "step": "in_progress", "receiver": "Social worker A. Sarr"}),
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
    // A comment is checked like any text, and goes on record with the decision.
    w.cmd("approver", &case, "approval", json!({"comment": "a\u{7}b"}))
        .await
        .refused(422, "text.control_characters");
    w.cmd(
        "approver",
        &case,
        "approval",
        json!({"comment": "Consent and screening checked."}),
    )
    .await
    .ok();
    let view = w
        .get("counsellor", &format!("/api/cases/{case}"))
        .await
        .ok();
    assert_eq!(
        view["case"]["application"]["comment"], "Consent and screening checked.",
        "{view}"
    );
    let timeline = w
        .get("counsellor", &format!("/api/cases/{case}/timeline"))
        .await
        .ok();
    let approved = timeline
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "application_approved")
        .unwrap();
    assert_eq!(
        approved["data"]["comment"],
        "Consent and screening checked."
    );
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

/// A case's caseworker: who registered it, then whoever is assigned among the leading
/// office's staff; the case list filters by it, on both databases.
async fn a_case_has_a_caseworker_and_the_list_filters_by_owner(db: &TestDb) {
    let w = World::start(db).await;
    let (case, _) = w.single_adult().await;
    let (other, _) = w.single_adult().await;
    let me = w.users["counsellor"];
    let colleague = w.users["counsellor2"];
    let v = w.view("counsellor", &case).await;
    assert_eq!(v["case"]["owner"], json!(me));
    // Someone of another office, or who works on no cases, cannot own it.
    for (user, code) in [
        ("counsellor_ams", "caseworker.office"),
        ("admin", "caseworker.role"),
    ] {
        let r = w
            .cmd(
                "counsellor",
                &case,
                "caseworker",
                json!({"user_id": w.users[user]}),
            )
            .await;
        assert!(r.codes().contains(&code.to_string()), "{user}: {}", r.body);
    }
    let r = w
        .cmd(
            "counsellor",
            &case,
            "caseworker",
            json!({"user_id": uuid::Uuid::nil()}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.pointers().contains(&"#/user_id".to_string()),
        "{}",
        r.body
    );
    w.cmd(
        "counsellor",
        &case,
        "caseworker",
        json!({"user_id": colleague}),
    )
    .await
    .ok();
    let mine = w
        .get("counsellor", &format!("/api/cases?owner={me}"))
        .await
        .ok();
    let ids: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![other.as_str()]);
    let theirs = w
        .get("counsellor", &format!("/api/cases?owner={colleague}"))
        .await
        .ok();
    assert_eq!(theirs["items"][0]["id"], json!(case));
    assert_eq!(theirs["items"][0]["owner"], json!(colleague));
    assert_eq!(theirs["total"], 1);
}

/// Notes: a note of a sensitive kind is read (and written) only by the roles that may
/// read that kind, in the case and in the timeline; the flag it raises shows to all.
async fn a_sensitive_note_is_withheld_from_who_may_not_read_it_and_its_flag_shows(db: &TestDb) {
    let w = World::start(db).await;
    let (case, _) = w.single_adult().await;
    let r = w
        .cmd(
            "movement",
            &case,
            "notes",
            json!({"text": "Seen by a doctor", "sensitivity": "medical"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    w.cmd(
        "counsellor",
        &case,
        "notes",
        json!({"text": "Her brother calls asking where she lives: give no address.",
               "sensitivity": "trafficking", "raises": "risk"}),
    )
    .await
    .ok();
    w.cmd(
        "movement",
        &case,
        "notes",
        json!({"text": "Prefers an aisle seat."}),
    )
    .await
    .ok();
    let counsellor = w.view("counsellor", &case).await;
    assert_eq!(counsellor["case"]["notes"].as_array().unwrap().len(), 2);
    let movement = w.view("movement", &case).await;
    let notes = movement["case"]["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["note"]["text"], "Prefers an aisle seat.");
    assert_eq!(movement["case"]["flags"], json!(["risk"]));
    let timeline = w
        .get("movement", &format!("/api/cases/{case}/timeline"))
        .await
        .ok();
    assert!(
        !timeline.to_string().contains("give no address"),
        "{timeline}"
    );
}

homeward_store::db_tests!(
    a_sensitive_note_is_withheld_from_who_may_not_read_it_and_its_flag_shows,
    a_case_has_a_caseworker_and_the_list_filters_by_owner,
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
);
