//! The programme's money: grants and budget lines, plans that draw on them, and the
//! budget page (DESIGN.md, "Assistance, grants and budgets").

use super::*;

const LINE: &str = "0b0d0000-0000-0000-0000-00000000000a";
const HOUSING: &str = "0b0d0000-0000-0000-0000-00000000000b";

/// The test programme funded by one grant: 2,000.00 for business development in any
/// country, 500.00 for housing in Senegal.
async fn funded(w: &World) {
    fund(w, "EUR", None, 300_000, 200_000).await.ok();
}

/// Gives the test programme one grant in `currency` (at `rate`, if given) of `amount`,
/// with a business development line of `business` and a housing line in Senegal.
async fn fund(w: &World, currency: &str, rate: Option<&str>, amount: i64, business: i64) -> Resp {
    let p = w
        .get("admin", &format!("/api/programmes/{}", w.programme))
        .await
        .ok();
    let mut settings = p["settings"].clone();
    let year = chrono::Datelike::year(&chrono::Utc::now());
    settings["funding"] = json!([{
        "grant_id": "06a70000-0000-0000-0000-000000000001",
        "donor": "European Union", "reference": "AMIF-TEST-01",
        "starts": format!("{}-01-01", year - 1), "ends": format!("{}-12-31", year + 1),
        "currency": currency, "amount": amount,
        "lines": [
            {"line_id": LINE, "assistance": "business_development", "country": null, "amount": business},
            {"line_id": HOUSING, "assistance": "housing", "country": "SN", "amount": 50_000}
        ]
    }]);
    if let Some(rate) = rate {
        settings["funding"][0]["budget_rate"] = json!(rate);
    }
    w.send(
        Some("admin"),
        w.http
            .put(format!("{}/api/programmes/{}", w.base, w.programme))
            .json(&json!({"settings": settings})),
    )
    .await
}

/// A grant in francs CFA for a programme in euros: plans commit on its lines at the
/// agreement's budget rate; the line's figures are in francs, the programme's in euros;
/// a plan that would take the line beyond its francs needs an exception.
async fn a_grant_in_another_currency_holds_plans_at_its_budget_rate(db: &TestDb) {
    let w = World::start(db).await;
    let r = fund(&w, "XOF", None, 2_000_000, 1_000_000).await;
    r.refused(422, "funding.budget_rate_required");
    assert_eq!(r.pointers(), ["#/settings/funding/0/budget_rate"]);
    fund(&w, "XOF", Some("655.957"), 2_000_000, 1_000_000)
        .await
        .ok();
    // The programme's currency stays once it has grants (their rates are against it).
    let p = w
        .get("admin", &format!("/api/programmes/{}", w.programme))
        .await
        .ok();
    let mut settings = p["settings"].clone();
    settings["currency"] = json!("USD");
    let r = w
        .send(
            Some("admin"),
            w.http
                .put(format!("{}/api/programmes/{}", w.base, w.programme))
                .json(&json!({"settings": settings})),
        )
        .await;
    r.refused(422, "programme.currency_in_use");
    assert_eq!(r.pointers(), ["#/settings/currency"]);
    let case = agreed_plan(&w, 100_000).await;
    w.cmd(
        "approver_dkr",
        &case,
        "plan-approvals",
        json!({"plan_version": 1}),
    )
    .await
    .ok();
    let page = w
        .get(
            "approver_dkr",
            &format!("/api/programmes/{}/budget", w.programme),
        )
        .await
        .ok();
    let grant = &page["grants"][0];
    assert_eq!(grant["currency"], json!("XOF"));
    assert_eq!(grant["budget_rate"], json!("655.957"));
    let line = &grant["lines"][0]["figures"];
    assert_eq!(line["budget"], json!(1_000_000));
    assert_eq!(
        line["committed"],
        json!(655_957),
        "1,000.00 euros in francs"
    );
    assert_eq!(line["remaining"], json!(344_043));
    // The programme's total, in euros: the lines' francs converted back, rounded down.
    assert_eq!(page["currency"], json!("EUR"));
    assert_eq!(page["total"]["committed"], json!(100_000));
    assert_eq!(
        page["total"]["budget"],
        json!(152_449 + 7_622),
        "1,000,000 and 50,000 francs"
    );
    // 524.49 euros are left on the line: 524.50 would take it beyond its francs.
    let (other, awa) = w.single_adult().await;
    w.arrived(&other, &[&awa]).await;
    let draft = |cents: i64| {
        json!({"items": [{
            "assistance": "business_development", "form": "in_kind",
            "description": "A sewing machine", "budget_line": LINE,
            "value": {"amount_minor": cents, "currency": "EUR"}
        }]})
    };
    w.cmd("reintegration", &other, "plan-versions", draft(52_450))
        .await
        .refused(422, "budget.over_committed");
    w.cmd("reintegration", &other, "plan-versions", draft(52_449))
        .await
        .ok();
    // The downloads name each line's currency.
    let res = w
        .http
        .get(format!(
            "{}/api/programmes/{}/budget.csv",
            w.base, w.programme
        ))
        .bearer_auth(w.token("approver_dkr"))
        .send()
        .await
        .unwrap();
    let csv = res.text().await.unwrap();
    assert!(
        csv.contains("line,European Union,AMIF-TEST-01,business_development,,XOF,1000000,655957,"),
        "{csv}"
    );
    assert!(csv.contains("\ntotal,,,,,EUR,1600.71,1000,"), "{csv}");
    // Its lines in the figures, the grant keeps its rate (its past months were shown at
    // it); an amended rate is a new grant.
    let r = fund(&w, "XOF", Some("650"), 2_000_000, 1_000_000).await;
    r.refused(422, "funding.rate_in_use");
    assert!(
        r.pointers()
            .contains(&"#/settings/funding/0/budget_rate".to_string()),
        "{:?}",
        r.pointers()
    );
    // The same rate written otherwise is the same rate.
    fund(&w, "XOF", Some("655.9570"), 2_000_000, 1_000_000)
        .await
        .ok();
}

/// An arrived case with a plan of `cents` on the business line, agreed by the returnee.
async fn agreed_plan(w: &World, cents: i64) -> String {
    let (case, awa) = w.single_adult().await;
    w.arrived(&case, &[&awa]).await;
    w.cmd(
        "reintegration",
        &case,
        "plan-versions",
        json!({"items": [{
            "assistance": "business_development", "form": "in_kind",
            "description": "Tools for a tailoring workshop",
            "value": {"amount_minor": cents, "currency": "EUR"},
            "budget_line": LINE
        }]}),
    )
    .await
    .ok();
    w.cmd(
        "reintegration",
        &case,
        "plan-responses",
        json!({"plan_version": 1, "person_id": awa, "given_by": "person", "answer": "agreed"}),
    )
    .await
    .ok();
    case
}

/// Two plans that each fit what is left of a line, but not together, approved at the
/// same moment: exactly one is approved, whatever the interleaving (the second is
/// refused by the rule, or by the store's check of the line in the commit's
/// transaction), and the budget page says what the one approved commits.
async fn plans_approved_at_once_never_take_a_line_beyond_its_amount(db: &TestDb) {
    let w = World::start(db).await;
    funded(&w).await;
    // An item without a line, on a funded programme, is refused where it is.
    let (case, awa) = w.single_adult().await;
    w.arrived(&case, &[&awa]).await;
    let r = w
        .cmd(
            "reintegration",
            &case,
            "plan-versions",
            json!({"items": [{
                "assistance": "business_development", "form": "cash",
                "description": "A grocery kiosk",
                "value": {"amount_minor": 10_000, "currency": "EUR"}
            }]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.codes(), ["budget.line_required"]);
    assert_eq!(r.pointers(), ["#/items/0/budget_line"]);

    let (a, b) = (
        agreed_plan(&w, 150_000).await,
        agreed_plan(&w, 150_000).await,
    );
    let approve = |case: String| {
        let w = &w;
        async move {
            w.cmd(
                "approver_dkr",
                &case,
                "plan-approvals",
                json!({"plan_version": 1}),
            )
            .await
        }
    };
    let (ra, rb) = tokio::join!(approve(a.clone()), approve(b.clone()));
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, [200, 422], "{} {}", ra.body, rb.body);
    let refused = if ra.status == 422 { &ra } else { &rb };
    assert_eq!(
        refused.codes(),
        ["budget.over_committed"],
        "{}",
        refused.body
    );
    // The one refused is drafted again with an exception, and approved by a second
    // person: the line is committed beyond its amount, on the record.
    let other = if ra.status == 422 { &a } else { &b };
    let v = w.view("reintegration", other).await;
    let item = v["case"]["reintegration"]["versions"][0]["items"][0].clone();
    w.cmd(
        "reintegration",
        other,
        "plan-versions",
        json!({"items": [item], "budget_exception": "The donor agreed to the overrun in writing."}),
    )
    .await
    .ok();
    let awa = w.people(other).await[0].clone();
    w.cmd(
        "reintegration",
        other,
        "plan-responses",
        json!({"plan_version": 2, "person_id": awa, "given_by": "person", "answer": "agreed"}),
    )
    .await
    .ok();
    w.cmd(
        "approver_dkr",
        other,
        "plan-approvals",
        json!({"plan_version": 2}),
    )
    .await
    .ok();

    // The budget page: the line's money, its households, what is left.
    let page = w
        .get(
            "approver_dkr",
            &format!("/api/programmes/{}/budget", w.programme),
        )
        .await
        .ok();
    let line = &page["grants"][0]["lines"][0]["figures"];
    assert_eq!(line["budget"], json!(200_000));
    assert_eq!(line["committed"], json!(300_000));
    assert_eq!(line["disbursed"], json!(0));
    assert_eq!(line["remaining"], json!(-100_000));
    assert_eq!(line["households"], json!(2));
    assert_eq!(line["per_household"], json!(150_000));
    assert_eq!(page["total"]["households"], json!(2));
    let by_type = page["by_assistance"].as_array().unwrap();
    assert_eq!(by_type.len(), 1);
    assert_eq!(by_type[0]["key"], json!("business_development"));
    assert_eq!(by_type[0]["figures"]["committed"], json!(300_000));
    assert_eq!(page["by_country"][0]["key"], json!("SN"));

    // A delivery counts as disbursed on its line.
    let item_id = v["case"]["reintegration"]["versions"][0]["items"][0]["item_id"].clone();
    w.cmd(
        "reintegration",
        other,
        "deliveries",
        json!({"item_id": item_id, "channel": "paid_to_vendor",
               "amount": {"amount_minor": 60_000, "currency": "EUR"}}),
    )
    .await
    .ok();
    let page = w
        .get(
            "approver_dkr",
            &format!("/api/programmes/{}/budget", w.programme),
        )
        .await
        .ok();
    let line = &page["grants"][0]["lines"][0]["figures"];
    assert_eq!(line["disbursed"], json!(60_000));
    assert_eq!(line["executed_percent"], json!(30.0));

    // A donor reads it as the last whole month ended: before these plans.
    let read = w
        .get("donor", &format!("/api/programmes/{}/budget", w.programme))
        .await
        .ok();
    let settled = homeward_domain::stats::settled_month_end(homeward_app::now());
    assert_eq!(read["as_of"], json!(settled.to_string()), "{read}");
    assert_eq!(
        read["grants"][0]["lines"][0]["figures"]["committed"],
        json!(0)
    );
    assert_eq!(
        read["grants"][0]["lines"][0]["figures"]["budget"],
        json!(200_000)
    );
    assert_eq!(
        page["as_of"],
        Value::Null,
        "exact readers read them as they stand"
    );
    // Once this month ended, protected: two households are below the threshold, so
    // neither they nor their money are shown; the line's budget is.
    let donor = w.budget_at_months_end("donor").await;
    assert_eq!(donor["protected"], json!(true));
    let line = &donor["grants"][0]["lines"][0]["figures"];
    assert_eq!(line["budget"], json!(200_000));
    assert_eq!(line["committed"], Value::Null);
    assert_eq!(line["households"], Value::Null);
    // Nor the grant's money, which is theirs (the housing line has no one), nor the
    // programme's: each would be the two households' plans.
    assert_eq!(donor["grants"][0]["figures"]["budget"], json!(250_000));
    assert_eq!(donor["grants"][0]["figures"]["committed"], Value::Null);
    assert_eq!(
        donor["grants"][0]["lines"][1]["figures"]["committed"],
        json!(0)
    );
    assert_eq!(donor["total"]["committed"], Value::Null);
    assert_eq!(donor["total"]["households"], Value::Null);
    assert_eq!(
        donor["by_assistance"][0]["figures"]["committed"],
        Value::Null
    );
    assert_eq!(donor["by_country"][0]["figures"]["committed"], Value::Null);
    // The approver reads their own offices' households: against no budget by type.
    assert_eq!(page["own_offices_only"], json!(true));
    assert_eq!(by_type[0]["figures"]["budget"], Value::Null);
    // Who reads no statistics reads no budget.
    let r = w
        .get(
            "counsellor",
            &format!("/api/programmes/{}/budget", w.programme),
        )
        .await;
    assert_eq!(r.status, 403);

    // The line is in use: the programme cannot drop it or hold less than it commits.
    let p = w
        .get("admin", &format!("/api/programmes/{}", w.programme))
        .await
        .ok();
    let mut settings = p["settings"].clone();
    settings["funding"][0]["lines"][0]["amount"] = json!(100_000);
    let r = w
        .send(
            Some("admin"),
            w.http
                .put(format!("{}/api/programmes/{}", w.base, w.programme))
                .json(&json!({"settings": settings})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.codes(), ["funding.line_in_use"]);

    // The downloads: the same figures, with HXL hashtags.
    let download = |ext: &'static str| {
        let w = &w;
        async move {
            let res = w
                .http
                .get(format!(
                    "{}/api/programmes/{}/budget.{ext}",
                    w.base, w.programme
                ))
                .bearer_auth(w.token("approver_dkr"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.bytes().await.unwrap().to_vec()
        }
    };
    let csv = String::from_utf8(download("csv").await).unwrap();
    let xlsx = download("xlsx").await;
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("level,donor,grant,assistance_type")
    );
    assert!(lines.next().unwrap().starts_with("#meta+level,#org+funder"));
    assert!(
        csv.contains("line,European Union,AMIF-TEST-01,business_development,,EUR,2000,3000,600,-1000,30,2,2,1500,1500"),
        "{csv}"
    );
    super::statistics::hxl_validates(
        &csv,
        &xlsx,
        &["#meta+level", "#org+funder"],
        "#value+committed",
    );
}

/// A donor cannot work out a small line's money from the tables they read: a line hidden
/// only to cover the small one (with enough households of its own) hides its assistance
/// type's row too, else the type's money less nothing would be the cover line's, and the
/// grant's total less the lines shown the small one's.
async fn a_line_hidden_as_cover_hides_its_type_from_a_donor(db: &TestDb) {
    let w = World::start(db).await;
    let allowance = "0b0d0000-0000-0000-0000-00000000000c";
    let p = w
        .get("admin", &format!("/api/programmes/{}", w.programme))
        .await
        .ok();
    let mut settings = p["settings"].clone();
    let year = chrono::Datelike::year(&chrono::Utc::now());
    settings["funding"] = json!([{
        "grant_id": "06a70000-0000-0000-0000-000000000001",
        "donor": "European Union", "reference": "AMIF-TEST-01",
        "starts": format!("{}-01-01", year - 1), "ends": format!("{}-12-31", year + 1),
        "currency": "EUR", "amount": 10_000_000,
        "lines": [
            {"line_id": HOUSING, "assistance": "housing", "country": "SN", "amount": 1_000_000},
            {"line_id": LINE, "assistance": "business_development", "country": null, "amount": 1_000_000},
            {"line_id": allowance, "assistance": "reintegration_allowance", "country": null, "amount": 1_000_000}
        ]
    }]);
    w.send(
        Some("admin"),
        w.http
            .put(format!("{}/api/programmes/{}", w.base, w.programme))
            .json(&json!({"settings": settings})),
    )
    .await
    .ok();
    // One household on housing, five on business development, six on the allowance
    // (the statistics' threshold is 5).
    for (line, assistance, households) in [
        (HOUSING, "housing", 1),
        (LINE, "business_development", 5),
        (allowance, "reintegration_allowance", 6),
    ] {
        for _ in 0..households {
            let (case, awa) = w.single_adult().await;
            w.arrived(&case, &[&awa]).await;
            w.cmd(
                "reintegration",
                &case,
                "plan-versions",
                json!({"items": [{
                    "assistance": assistance, "form": "cash", "description": "Support",
                    "value": {"amount_minor": 10_000, "currency": "EUR"},
                    "budget_line": line
                }]}),
            )
            .await
            .ok();
            w.cmd(
                "reintegration",
                &case,
                "plan-responses",
                json!({"plan_version": 1, "person_id": awa, "given_by": "person", "answer": "agreed"}),
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
        }
    }
    let donor = w.budget_at_months_end("donor").await;
    let lines = donor["grants"][0]["lines"].as_array().unwrap();
    let committed = |n: usize| lines[n]["figures"]["committed"].clone();
    assert_eq!(committed(0), Value::Null, "one household: hidden");
    assert_eq!(
        committed(1),
        Value::Null,
        "the smallest other, hidden as cover"
    );
    assert_eq!(committed(2), json!(60_000));
    assert_eq!(
        donor["grants"][0]["figures"]["committed"],
        json!(120_000),
        "the hidden lines hold six households together"
    );
    // Each type's row: the cover line's type would give the cover line's money.
    for k in donor["by_assistance"].as_array().unwrap() {
        let hidden = k["key"] != "reintegration_allowance";
        assert_eq!(
            k["figures"]["committed"].is_null(),
            hidden,
            "{}: {donor}",
            k["key"]
        );
    }
}

homeward_store::db_tests!(
    plans_approved_at_once_never_take_a_line_beyond_its_amount,
    a_grant_in_another_currency_holds_plans_at_its_budget_rate,
    a_line_hidden_as_cover_hides_its_type_from_a_donor,
);
