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

homeward_store::db_tests!(
    statistics_count_returns_people_and_households_by_definition,
    regions_by_iom_and_returns_from_countries_of_transit,
    options_taken_up_count_whom_each_type_of_assistance_reached,
);
