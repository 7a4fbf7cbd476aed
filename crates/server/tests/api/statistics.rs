//! The statistics: definitions, totals, exports.

use super::*;

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
    // A donor's figures end with the last whole month: these returns, all of this
    // month, are not counted yet. Asked on two days, "no end" would otherwise differ by
    // the returns of the days between.
    let t = w
        .get("donor", "/api/statistics/returns?rows=sex")
        .await
        .ok();
    assert_eq!(t["protected"], true);
    assert_eq!(t["people"]["total"], 0, "{t}");
    let this_month = chrono::Utc::now().format("%Y-%m-01").to_string();
    let t = w
        .get(
            "donor",
            &format!("/api/statistics/returns?rows=year&from={this_month}"),
        )
        .await
        .ok();
    assert_eq!(t["people"]["total"], 0, "the month under way: {t}");
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
        .bearer_auth(w.token("approver"))
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
        .bearer_auth(w.token("approver"))
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
    hxl_validates(
        &csv,
        &xlsx,
        &["#date+year", "#country+code+origin"],
        "#affected+returned+num",
    );
}

/// Validates the CSV and the XLSX of one table with the `libhxl` Python package (pip
/// install libhxl, which reads XLSX with xlrd3), and checks that both hold the same
/// hashtags and the same lines: skipped with a notice where it is missing, except in CI.
pub(super) fn hxl_validates(csv: &str, xlsx: &[u8], first: &[&str], among: &str) {
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
        for path in sys.argv[1:3]:\n\
        \x20   src = hxl.data(path, opts)\n\
        \x20   tags = [c.display_tag for c in src.columns]\n\
        \x20   first = sys.argv[3].split(',')\n\
        \x20   assert tags[:len(first)] == first, (path, tags)\n\
        \x20   assert sys.argv[4] in tags, tags\n\
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
        .arg(first.join(","))
        .arg(among)
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

/// Regions in IOM's scheme beside M49's, and returns from the countries a programme marks
/// as countries of transit.
async fn regions_by_iom_and_returns_from_countries_of_transit(db: &TestDb) {
    let w = World::start(db).await;
    let (a, pa) = w.single_adult().await;
    w.approve(&a, &[&pa]).await;
    w.prepare(&a).await;
    w.cmd("movement", &a, "ready-to-depart", json!({}))
        .await
        .ok();
    w.cmd("movement", &a, "departure", json!({})).await.ok();
    let keys = |t: &Value| -> Vec<String> {
        t["row_keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["code"].as_str().unwrap().to_string())
            .collect()
    };
    // Senegal: Western Africa in M49, West and Central Africa in IOM's regions.
    let t = w
        .get(
            "approver",
            "/api/statistics/returns?rows=return_region_iom&columns=return_subregion",
        )
        .await
        .ok();
    assert_eq!(keys(&t), vec!["iom-west-central-africa"]);
    assert_eq!(t["column_keys"][0]["code"], "western-africa");
    assert_eq!(t["people"]["cells"], json!([[1]]));
    let t = w
        .get("approver", "/api/statistics/returns?rows=host_region_iom")
        .await
        .ok();
    assert_eq!(keys(&t), vec!["iom-european-economic-area"], "Belgium");
    // The download names the scheme, in its header and its hashtag.
    let csv = w
        .http
        .get(format!(
            "{}/api/statistics/returns.csv?rows=return_region_iom",
            w.base
        ))
        .bearer_auth(w.token("approver"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("return_region_iom,people,cases"),
        "{csv}"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("#region+code+origin+iom,"),
        "{csv}"
    );
    // Belgium is a host country like any other until the programme marks it as transit.
    let t = w
        .get("approver", "/api/statistics/returns?rows=host_or_transit")
        .await
        .ok();
    assert_eq!(keys(&t), vec!["host"]);
    let programmes = w.get("admin", "/api/programmes").await.ok();
    let programme = programmes
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == json!(w.programme))
        .unwrap();
    let mut settings = programme["settings"].clone();
    settings["transit_countries"] = json!(["NE"]);
    let put = |settings: Value| {
        w.http
            .put(format!("{}/api/programmes/{}", w.base, w.programme))
            .bearer_auth(w.token("admin"))
            .json(&json!({ "settings": settings }))
            .send()
    };
    let r = put(settings.clone()).await.unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["code"], "programme.transit_not_host",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["pointer"], "#/settings/transit_countries",
        "{body}"
    );
    settings["transit_countries"] = json!(["BE"]);
    assert_eq!(put(settings.clone()).await.unwrap().status(), 200);
    // A return counts as the settings stood when it departed: the first one stays from a
    // host country, the next one is from a country of transit.
    let by_kind = "/api/statistics/returns?rows=host_or_transit&columns=host_country";
    let t = w.get("approver", by_kind).await.ok();
    assert_eq!(keys(&t), vec!["host"], "{t}");
    let (b, pb) = w.single_adult().await;
    w.approve(&b, &[&pb]).await;
    w.prepare(&b).await;
    w.cmd("movement", &b, "ready-to-depart", json!({}))
        .await
        .ok();
    w.cmd("movement", &b, "departure", json!({})).await.ok();
    let t = w.get("approver", by_kind).await.ok();
    assert_eq!(keys(&t), vec!["host", "transit"], "{t}");
    assert_eq!(t["people"]["cells"], json!([[1], [1]]));
    // Unmarked again, the figures stay as they were counted.
    settings["transit_countries"] = json!([]);
    assert_eq!(put(settings).await.unwrap().status(), 200);
    assert_eq!(w.get("approver", by_kind).await.ok(), t);
    // Not for protected readers: its keys sum host countries as no reference data does,
    // so the host-country tables' suppression could not hold against it.
    w.get("donor", "/api/statistics/returns?rows=host_or_transit")
        .await
        .refused(422, "statistics.exact_only");
    w.get(
        "donor",
        "/api/statistics/returns?rows=sex&columns=host_or_transit",
    )
    .await
    .refused(422, "statistics.exact_only");
    // A table needs two different dimensions.
    w.get("approver", "/api/statistics/returns?rows=sex&columns=sex")
        .await
        .refused(422, "statistics.same_dimension");
    // Days to departure are for readers of exact figures: a line's count would repeat a
    // cell of households that a protected table may hide as cover.
    let pl = w.get("donor", "/api/statistics/pipeline").await.ok();
    assert_eq!(pl["durations"], json!([]), "{pl}");
    let pl = w.get("approver", "/api/statistics/pipeline").await.ok();
    assert_eq!(pl["durations"][0]["cases"], 2, "{pl}");
}

/// Reintegration options taken up: people and households who received each type of
/// assistance, counted once a delivery counts, a person in as many rows as types, the
/// household's items for each member; with columns; in the downloads with HXL.
async fn options_taken_up_count_whom_each_type_of_assistance_reached(db: &TestDb) {
    let w = World::start(db).await;
    let case = w
        .register(
            "counsellor",
            w.bru,
            vec![
                member("principal", adult("Mariam")),
                member("spouse", adult("Moussa")),
            ],
        )
        .await;
    let people = w.people(&case).await;
    w.arrived(&case, &[&people[0], &people[1]]).await;
    let item = |assistance: &str, beneficiary: Option<&String>, cents: i64| {
        json!({"assistance": assistance, "form": "cash", "description": "Support",
               "beneficiary": beneficiary,
               "value": {"amount_minor": cents, "currency": "EUR"}})
    };
    w.cmd(
        "reintegration",
        &case,
        "plan-versions",
        json!({"items": [
            item("reintegration_allowance", None, 20_000),
            item("vocational_training", Some(&people[1]), 30_000),
            item("housing", None, 10_000),
        ]}),
    )
    .await
    .ok();
    w.cmd(
        "reintegration",
        &case,
        "plan-responses",
        json!({"plan_version": 1, "person_id": people[0], "given_by": "person", "answer": "agreed"}),
    )
    .await
    .ok();
    w.cmd(
        "approver_dkr",
        &case,
        "plan-approvals",
        json!({"plan_version": 1}),
    )
    .await
    .ok();
    let v = w
        .get("reintegration", &format!("/api/cases/{case}"))
        .await
        .ok();
    let items = v["case"]["reintegration"]["versions"][0]["items"].clone();
    for n in [0, 1] {
        w.cmd(
            "reintegration",
            &case,
            "deliveries",
            json!({"item_id": items[n]["item_id"], "channel": "cash_to_returnee",
                   "amount": {"amount_minor": 5_000, "currency": "EUR"}}),
        )
        .await
        .ok();
    }
    let t = w
        .get("approver", "/api/statistics/returns?rows=assistance")
        .await
        .ok();
    assert_eq!(t["rows"], "assistance");
    let row = |t: &Value, code: &str| {
        let n = t["row_keys"]
            .as_array()
            .unwrap()
            .iter()
            .position(|k| k["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {t}"));
        (
            t["people"]["row_totals"][n].clone(),
            t["cases"]["row_totals"][n].clone(),
        )
    };
    assert_eq!(row(&t, "reintegration_allowance"), (json!(2), json!(1)));
    assert_eq!(
        row(&t, "vocational_training"),
        (json!(1), json!(1)),
        "the person it was for"
    );
    assert_eq!(
        row(&t, "housing"),
        (json!(0), json!(0)),
        "planned, not delivered"
    );
    let keys = t["row_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 16, "every type, then any: {t}");
    assert_eq!(keys[15]["code"], "any");
    assert_eq!(row(&t, "any"), (json!(2), json!(1)));
    assert_eq!(t["people"]["total"], json!(2), "each person once");
    // With columns; not as columns.
    let t = w
        .get(
            "approver",
            "/api/statistics/returns?rows=assistance&columns=sex",
        )
        .await
        .ok();
    assert_eq!(t["columns"], "sex");
    w.get("approver", "/api/statistics/returns?columns=assistance")
        .await
        .refused(422, "statistics.dimension");
    // A donor's are counted by the month each option was taken up, as it ended: this
    // month's deliveries are not counted yet (a delivery comes months after the
    // departure: counted by departure, past months would change with each one).
    let t = w
        .get("donor", "/api/statistics/returns?rows=assistance")
        .await
        .ok();
    assert_eq!(t["protected"], true, "{t}");
    assert_eq!(t["row_keys"].as_array().unwrap().len(), 16, "{t}");
    assert_eq!(t["people"]["total"], json!(0), "{t}");
    // By month, a person may take up options in two years: not crossed with the year.
    w.get(
        "donor",
        "/api/statistics/returns?rows=assistance&columns=year",
    )
    .await
    .refused(422, "statistics.taken_up_by_year");
    w.get(
        "donor",
        "/api/statistics/returns?rows=assistance&columns=sex",
    )
    .await
    .ok();
    assert!(
        t["definitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str().unwrap().contains("first taken up")),
        "{t}"
    );
    let download = |ext: &'static str| {
        let w = &w;
        async move {
            let res = w
                .http
                .get(format!(
                    "{}/api/statistics/returns.{ext}?rows=assistance&columns=sex",
                    w.base
                ))
                .bearer_auth(w.token("approver"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.bytes().await.unwrap().to_vec()
        }
    };
    let csv = String::from_utf8(download("csv").await).unwrap();
    assert!(
        csv.contains("assistance,sex,people,cases\n#sector+assistance,#sex,"),
        "{csv}"
    );
    assert!(csv.contains("\nvocational_training,female,1,1\n"), "{csv}");
    hxl_validates(
        &csv,
        &download("xlsx").await,
        &["#sector+assistance", "#sex"],
        "#affected+returned+num",
    );
}

/// The performance report: withdrawals, days to departure, scheduled follow-ups by
/// where they stand (all to come after arrivals today), returnees reached; for the
/// programme manager and the M&E officer, not yet for a donor; and its downloads, valid
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
    assert!(w.get("monitoring", &path).await.ok()["cases"].is_number());
    assert_eq!(w.get("donor", &path).await.status, 403);
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
    assert!(csv.contains("\nwithdrawals,,,withdrawals,1\n"), "{csv}");
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
    let sn = json!({"country": "SN", "projects": 3, "cases": 3, "committed": 300_000,
        "delivered": 40_000, "delivered_percent": 13.3, "people_reached": null,
        "projects_told": 1});
    assert_eq!(later["countries"], json!([sn]), "{later}");
    assert_eq!(later["total"]["people_reached"], Value::Null, "{later}");
    assert_eq!(later["total"]["committed"], json!(300_000));
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
    the_communities_report_counts_projects_and_people_reached,
    a_donor_reads_community_projects_as_a_month_ended,
    the_performance_report_tells_how_the_programme_works,
    statistics_count_returns_people_and_households_by_definition,
    regions_by_iom_and_returns_from_countries_of_transit,
    options_taken_up_count_whom_each_type_of_assistance_reached,
);
