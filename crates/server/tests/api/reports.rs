//! The programme reports "performance" and "impact on communities": figures, readers,
//! downloads.

use super::statistics::hxl_validates;
use super::*;

/// The performance report: withdrawals, days to departure, scheduled follow-ups by
/// where they stand (all to come after arrivals today), returnees reached, kept as a
/// rebuild counts them; exactly for the programme manager and the M&E officer, for a
/// donor as the last settled month ended, small counts hidden; and its downloads, valid
/// HXL.
async fn the_performance_report_tells_how_the_programme_works(db: &TestDb) {
    let w = World::start(db).await;
    // Withdrawn during counselling.
    let (c, pc) = w.single_adult().await;
    w.session(&c, vec![json!({"member": pc})], "wo", 5)
        .await
        .ok();
    w.cmd("counsellor", &c, "withdrawals", json!({"person_id": pc}))
        .await
        .ok();
    // Arrived today and reached today: before the first window, an extra visit that
    // holds none of the schedule's.
    let (a, pa) = w.single_adult().await;
    w.arrived(&a, &[&pa]).await;
    w.cmd(
        "monitoring",
        &a,
        "follow-ups",
        json!({"mode": "phone", "result": "reached", "with": [pa]}),
    )
    .await
    .ok();
    // Arrived today: its follow-ups are all to come.
    let (b, pb) = w.single_adult().await;
    w.arrived(&b, &[&pb]).await;
    let path = format!("/api/programmes/{}/performance", w.programme);
    let r = w.get("approver", &path).await.ok();
    assert_eq!(
        (r["cases"].clone(), r["withdrawn"].clone()),
        (3.into(), 1.into()),
        "{r}"
    );
    assert_eq!(r["withdrawn_percent"], 33.3);
    // Re-opened and withdrawn again: still one case withdrawn.
    w.cmd(
        "counsellor",
        &c,
        "reopening",
        json!({"reason": "She asked to resume"}),
    )
    .await
    .ok();
    w.cmd("counsellor", &c, "withdrawals", json!({"person_id": pc}))
        .await
        .ok();
    let again = w.get("approver", &path).await.ok();
    assert_eq!(
        (again["cases"].clone(), again["withdrawn"].clone()),
        (3.into(), 1.into()),
        "{again}"
    );
    assert_eq!(r["departures_total"]["departed"], 2);
    assert!(
        r["departures_total"]["application_to_departure_median"].is_number(),
        "{r}"
    );
    // Two returned cases, three scheduled follow-ups each, none of them due yet: nothing
    // to judge on time, nobody yet to reach.
    let total = &r["follow_ups_total"];
    assert_eq!(
        (total["upcoming"].clone(), total["held_on_time"].clone()),
        (6.into(), 0.into()),
        "{r}"
    );
    assert_eq!(total["on_time_percent"], Value::Null);
    assert_eq!(r["follow_ups"][0]["number"], 1);
    assert_eq!(r["follow_ups"][0]["months_after_arrival"], 3);
    assert_eq!(r["follow_ups"][0]["upcoming"], 2);
    assert_eq!(
        (
            r["returnees_to_reach"].clone(),
            r["reached_percent"].clone()
        ),
        (0.into(), Value::Null)
    );
    assert_eq!(r["money"]["currency"], "EUR");
    // Contact lost with the second: its case closes, and its follow-ups, none of whose
    // windows has opened, will not be held: no longer counted.
    w.cmd(
        "monitoring",
        &b,
        "follow-ups",
        json!({"mode": "phone", "result": "lost_contact"}),
    )
    .await
    .ok();
    let later = w.get("approver", &path).await.ok();
    assert_eq!(later["follow_ups_total"]["upcoming"], 3, "{later}");
    // The follow-ups' kept counts, changed by the closure without a row changing, are a
    // rebuild's.
    let store = w.app.store();
    let kept = store.read_model_digest().await.unwrap();
    store.rebuild_read_models().await.unwrap();
    assert_eq!(store.read_model_digest().await.unwrap(), kept);
    assert_eq!(w.get("approver", &path).await.ok(), later);
    assert!(w.get("monitoring", &path).await.ok()["cases"].is_number());
    assert_eq!(w.get("counsellor", &path).await.status, 403);
    // A donor reads it as the last settled month ended: nothing recorded this month, so
    // a follow-up or a case recorded now changes nothing of it.
    let settled = homeward_domain::stats::settled_month_end(homeward_app::now());
    let donor = w.get("donor", &path).await.ok();
    assert_eq!(donor["protected"], true, "{donor}");
    assert_eq!(donor["as_of"], json!(settled.to_string()), "{donor}");
    assert_eq!(donor["follow_ups"], json!([]), "{donor}");
    assert_eq!(donor["departures"], json!([]), "{donor}");
    w.cmd(
        "monitoring",
        &a,
        "follow-ups",
        json!({"mode": "visit", "result": "reached", "with": [pa]}),
    )
    .await
    .ok();
    w.single_adult().await;
    assert_eq!(w.get("donor", &path).await.ok(), donor);
    assert_eq!(w.get("approver", &path).await.ok()["cases"], 4);
    // Once this month is settled: four cases, one withdrawn, three follow-ups to come,
    // each fewer than the threshold (5), and the total with them: hidden, no share told.
    let month = w.performance_at_months_end("auditor").await;
    assert_eq!(month["as_of"], json!(this_months_end().to_string()));
    assert_eq!(
        month["follow_ups"].as_array().map(Vec::len),
        Some(3),
        "{month}"
    );
    for figure in [
        &month["cases"],
        &month["withdrawn"],
        &month["withdrawn_percent"],
        &month["follow_ups"][0]["upcoming"],
        &month["follow_ups_total"]["upcoming"],
    ] {
        assert_eq!(*figure, Value::Null, "{month}");
    }
    // Its downloads leave hidden figures empty.
    let auditor = w.app.authenticate(w.token("auditor")).await.unwrap();
    let report = w
        .app
        .performance_report_until(
            &auditor,
            homeward_domain::ids::ProgrammeId(w.programme),
            this_months_end(),
        )
        .await
        .unwrap();
    let csv = homeward_server::api::performance::long_table(&report)
        .csv()
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    for line in [
        "\ncases,,,cases,\n",
        "\nwithdrawals,,,cases,\n",
        "\nfollow_ups_upcoming,all_follow_ups,,follow_ups,\n",
    ] {
        assert!(csv.contains(line), "{line}: {csv}");
    }
    let res = w
        .http
        .get(format!("{}{path}.csv", w.base))
        .bearer_auth(w.token("admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "an administrator reads it protected");
    // The downloads: an indicator a line, valid HXL.
    let download = async |format: &str| {
        let res = w
            .http
            .get(format!("{}{path}.{format}", w.base))
            .bearer_auth(w.token("approver"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.bytes().await.unwrap()
    };
    let csv = String::from_utf8(download("csv").await.to_vec()).unwrap();
    assert!(
        csv.starts_with("indicator,breakdown,key,unit,value\n"),
        "{csv}"
    );
    assert!(csv.contains("\nwithdrawals,,,cases,1\n"), "{csv}");
    assert!(
        csv.contains("\nfollow_ups_upcoming,follow_up,1,follow_ups,1\n"),
        "{csv}"
    );
    let xlsx = download("xlsx").await;
    hxl_validates(
        &csv,
        &xlsx,
        &[
            "#indicator+code",
            "#meta+breakdown",
            "#meta+key",
            "#meta+unit",
        ],
        "#indicator+value+num",
    );
}

/// The report "impact on communities": a plan's item of community assistance is a
/// project of its country of return; its deliveries tell the people reached (refused for
/// another item), the latest counted one telling; valid HXL; its rows are a rebuild's; a
/// donor reads it as the last month ended, and one household's project not at all.
async fn the_communities_report_counts_projects_and_people_reached(db: &TestDb) {
    let w = World::start(db).await;
    let (case, awa) = w.single_adult().await;
    w.arrived(&case, &[&awa]).await;
    w.cmd(
        "reintegration",
        &case,
        "plan-versions",
        json!({"items": [
            {"assistance": "community_assistance", "form": "in_kind",
             "description": "Equipment for the village health post",
             "value": {"amount_minor": 150_000, "currency": "EUR"}},
            {"assistance": "business_development", "form": "cash",
             "description": "A grocery kiosk",
             "value": {"amount_minor": 100_000, "currency": "EUR"}}
        ]}),
    )
    .await
    .ok();
    let v = w.view("reintegration", &case).await;
    let plan = &v["case"]["reintegration"]["versions"][0];
    let version = plan["version"].clone();
    w.cmd(
        "reintegration",
        &case,
        "plan-responses",
        json!({"plan_version": version, "person_id": awa, "given_by": "person", "answer": "agreed"}),
    )
    .await
    .ok();
    w.cmd(
        "approver_dkr",
        &case,
        "plan-approvals",
        json!({"plan_version": version}),
    )
    .await
    .ok();
    let (project, kiosk) = (
        plan["items"][0]["item_id"].clone(),
        plan["items"][1]["item_id"].clone(),
    );
    let delivery = |item: &Value, cents: i64, people: Option<i64>| {
        let mut body = json!({"item_id": item, "channel": "paid_to_vendor",
            "amount": {"amount_minor": cents, "currency": "EUR"}});
        if let Some(n) = people {
            body["people_reached"] = json!(n);
        }
        body
    };
    let r = w
        .cmd(
            "reintegration",
            &case,
            "deliveries",
            delivery(&kiosk, 10_000, Some(30)),
        )
        .await;
    assert_eq!(
        r.codes(),
        ["delivery.people_reached_not_community"],
        "{}",
        r.body
    );
    assert_eq!(r.pointers(), ["#/people_reached"]);
    w.cmd(
        "reintegration",
        &case,
        "deliveries",
        delivery(&project, 50_000, Some(120)),
    )
    .await
    .ok();
    w.cmd(
        "reintegration",
        &case,
        "deliveries",
        delivery(&project, 50_000, None),
    )
    .await
    .ok();
    let path = format!("/api/programmes/{}/communities", w.programme);
    assert_eq!(w.get("counsellor", &path).await.status, 403);
    // A donor reads it as the last settled month ended: before this plan.
    let donor = w.get("donor", &path).await.ok();
    let settled = homeward_domain::stats::settled_month_end(homeward_app::now());
    assert_eq!(donor["as_of"], json!(settled.to_string()), "{donor}");
    assert_eq!(donor["protected"], json!(true));
    assert_eq!(donor["countries"], json!([]), "{donor}");
    // Once this month ended: one household's project is below the threshold, hidden with
    // the total it would be.
    let later = w.communities_at_months_end("donor").await;
    let hidden = json!({"country": "SN", "projects": null, "cases": null, "committed": null,
        "delivered": null, "delivered_percent": null, "people_reached": null,
        "projects_told": null});
    assert_eq!(later["countries"], json!([hidden]), "{later}");
    assert_eq!(later["total"]["committed"], Value::Null, "{later}");
    assert_eq!(later["total"]["people_reached"], Value::Null, "{later}");
    let r = w.get("approver", &path).await.ok();
    assert_eq!(r["currency"], "EUR");
    let senegal = json!({"country": "SN", "projects": 1, "cases": 1, "committed": 150_000,
        "delivered": 100_000, "delivered_percent": 66.7, "people_reached": 120,
        "projects_told": 1});
    assert_eq!(r["countries"], json!([senegal]), "{r}");
    assert_eq!(r["total"]["people_reached"], 120);
    assert_eq!(r["total"]["country"], Value::Null);
    let download = async |format: &str| {
        let res = w
            .http
            .get(format!("{}{path}.{format}", w.base))
            .bearer_auth(w.token("approver"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.bytes().await.unwrap()
    };
    let csv = String::from_utf8(download("csv").await.to_vec()).unwrap();
    assert!(
        csv.starts_with("level,return_country,currency,projects,households,committed,delivered,delivered_percent,people_reached,projects_told\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\ncountry,SN,EUR,1,1,1500,1000,66.7,120,1\n"),
        "{csv}"
    );
    let xlsx = download("xlsx").await;
    hxl_validates(
        &csv,
        &xlsx,
        &["#meta+level", "#country+code+origin", "#currency"],
        "#reached+community+num",
    );
    let store = w.app.store();
    let kept = store.read_model_digest().await.unwrap();
    store.rebuild_read_models().await.unwrap();
    assert_eq!(store.read_model_digest().await.unwrap(), kept);
    assert_eq!(w.get("approver", &path).await.ok(), r);
    assert_eq!(w.communities_at_months_end("donor").await, later);
}

/// A protected reader reads the report on communities from the kept sums as a month
/// ended: a country of enough households shown, its people reached where enough projects
/// told them; a delivery recorded this month changes an exact reader's figures and not
/// a donor's.
async fn a_donor_reads_community_projects_as_a_month_ended(db: &TestDb) {
    let w = World::start_with(
        db,
        homeward_app::Config {
            stats_threshold: 2,
            ..homeward_app::Config::default()
        },
    )
    .await;
    let mut projects = vec![];
    for _ in 0..3 {
        let (case, person) = w.single_adult().await;
        w.arrived(&case, &[&person]).await;
        let item = w
            .approved_plan_of(&case, &person, "community_assistance", 100_000)
            .await;
        projects.push((case, item));
    }
    let deliver = async |(case, item): &(String, String), people: Option<i64>| {
        let mut body = json!({"item_id": item, "channel": "paid_to_vendor",
            "amount": {"amount_minor": 40_000, "currency": "EUR"}});
        if let Some(n) = people {
            body["people_reached"] = json!(n);
        }
        w.cmd("reintegration", case, "deliveries", body).await.ok();
    };
    deliver(&projects[0], Some(100)).await;
    let path = format!("/api/programmes/{}/communities", w.programme);
    let donor_now = w.get("donor", &path).await.ok();
    let exact = w.get("approver", &path).await.ok();
    let later = w.communities_at_months_end("donor").await;
    // One project told its people: hidden (one plan's), and so the total's.
    // Money by country is the budget page's to tell a protected reader, not this one's.
    let sn = json!({"country": "SN", "projects": 3, "cases": 3, "committed": null,
        "delivered": null, "delivered_percent": null, "people_reached": null,
        "projects_told": 1});
    assert_eq!(later["countries"], json!([sn]), "{later}");
    assert_eq!(later["total"]["people_reached"], Value::Null, "{later}");
    assert_eq!(later["total"]["committed"], json!(300_000));
    assert_eq!(later["total"]["delivered"], json!(40_000));
    assert_eq!(
        exact["countries"][0]["people_reached"],
        json!(100),
        "{exact}"
    );
    deliver(&projects[1], Some(80)).await;
    // This month's delivery: the donor's reading does not move, an exact reader's does.
    assert_eq!(w.get("donor", &path).await.ok(), donor_now);
    let exact = w.get("approver", &path).await.ok();
    assert_eq!(
        exact["countries"][0]["people_reached"],
        json!(180),
        "{exact}"
    );
    let later = w.communities_at_months_end("donor").await;
    assert_eq!(
        later["countries"][0]["people_reached"],
        json!(180),
        "{later}"
    );
    assert_eq!(later["countries"][0]["projects_told"], json!(2));
    assert_eq!(later["total"]["people_reached"], json!(180));
    // The kept sums are a rebuild's.
    let store = w.app.store();
    let kept = store.read_model_digest().await.unwrap();
    store.rebuild_read_models().await.unwrap();
    assert_eq!(store.read_model_digest().await.unwrap(), kept);
    assert_eq!(w.communities_at_months_end("donor").await, later);
}

homeward_store::db_tests!(
    the_performance_report_tells_how_the_programme_works,
    the_communities_report_counts_projects_and_people_reached,
    a_donor_reads_community_projects_as_a_month_ended,
);
