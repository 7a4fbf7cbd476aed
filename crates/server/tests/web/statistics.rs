//! The statistics and programme report pages, each as the API counts it.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_pages_show_the_numbers_of_the_statistics_service_to_whom_may_see_them() {
    let s = demo_site(120).await;
    let principal = |user: &'static str| {
        let app = s.app.clone();
        async move {
            let issued = app
                .login(
                    user,
                    &format!("demo-{user}-2026"),
                    None,
                    homeward_app::auth::SessionKind::Token,
                    None,
                )
                .await
                .unwrap();
            app.authenticate(&issued.secret).await.unwrap()
        }
    };
    let manager = principal("approver").await;
    let by_year = s
        .app
        .returns_table(
            &manager,
            homeward_app::stats::ReturnsQuery {
                rows: Some(homeward_store::Dim::Year),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!by_year.row_keys.is_empty(), "the demo has departures");

    let mut w = Web::new(&s);
    w.sign_in_with("approver", "demo-approver-2026").await;
    assert!(w.get("/home").await.body.contains("href=\"/statistics\""));
    let p = w.get("/statistics").await;
    assert_eq!(p.status, 200);
    assert_eq!(
        p.body.matches("<ul class=\"bars\"").count(),
        10,
        "ten charts: years, countries of return, host countries, host or transit, sex, \
         age, children, vulnerabilities, reintegration options taken up, the pipeline"
    );
    // The host-or-transit chart names its keys; the demo's hosts are all destinations.
    assert!(plain(&p.body).contains("Returns from host and transit countries"));
    assert!(plain(&p.body).contains("Top host countries"));
    // The years table says what the service says, exactly, for the manager.
    let rows = table_after(&p.body, "id=\"years-h\"");
    assert_eq!(rows.len(), by_year.row_keys.len());
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(row[0], by_year.row_keys[n].code);
        assert_eq!(
            row[1],
            by_year.people.cells[n][0].count().unwrap().to_string(),
            "{row:?}"
        );
        assert_eq!(
            row[2],
            by_year.cases.cells[n][0].count().unwrap().to_string(),
            "{row:?}"
        );
    }
    assert!(
        !p.body.contains("are not shown"),
        "managers see exact numbers"
    );
    // Shares of all returns: women, children.
    let total: i64 = by_year
        .people
        .cells
        .iter()
        .map(|r| r[0].count().unwrap())
        .sum();
    let by_sex = table_after(&p.body, "id=\"sex-h\"");
    let women: i64 = by_sex.iter().find(|r| r[0] == "Female").unwrap()[1]
        .replace(',', "")
        .parse()
        .unwrap();
    let share = (women as f64 * 100.0 / total as f64).round() as i64;
    assert_eq!(
        by_sex.iter().find(|r| r[0] == "Female").unwrap()[3],
        format!("{share}%")
    );
    // Reintegration options taken up: each type of assistance, then any, as the
    // service counts them (a person in as many rows as types received).
    let taken = s
        .app
        .returns_table(
            &manager,
            homeward_app::stats::ReturnsQuery {
                by_each: Some(homeward_app::stats::ByEach::Assistance),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        taken.people.total.count().unwrap() > 0,
        "the demo delivers assistance"
    );
    let rows = table_after(&p.body, "id=\"assistance-h\"");
    assert_eq!(rows.len(), taken.row_keys.len());
    assert_eq!(rows[0][0], "Reintegration allowance");
    assert_eq!(rows.last().unwrap()[0], "Any reintegration option");
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(
            row[1].replace(',', ""),
            taken.people.cells[n][0].count().unwrap().to_string(),
            "{row:?}"
        );
    }
    let children = table_after(&p.body, "id=\"children-h\"");
    assert_eq!(children[0][0], "Children (under 18)");
    let ages = table_after(&p.body, "id=\"ages-h\"");
    let under_18: i64 = ages
        .iter()
        .filter(|r| ["0-4", "5-11", "12-17"].contains(&r[0].as_str()))
        .map(|r| r[1].parse::<i64>().unwrap())
        .sum();
    assert_eq!(
        children[0][1],
        under_18.to_string(),
        "children are the three youngest age groups"
    );

    // The way home: interruptions by year and stage, days to departure, as the service
    // counts them.
    let pipeline = s.app.pipeline(&manager, Default::default()).await.unwrap();
    let interruptions = table_after(&p.body, "id=\"interruptions-h\"");
    assert_eq!(interruptions[0][0], "Withdrawals");
    assert_eq!(
        interruptions.last().unwrap().last().unwrap(),
        &pipeline
            .interruptions_by_year
            .total
            .count()
            .unwrap()
            .to_string()
    );
    let durations = table_after(&p.body, "id=\"durations-h\"");
    assert_eq!(durations.len(), pipeline.durations.len());
    let first = &pipeline.durations[0];
    assert_eq!(
        durations[0][2],
        first.application_to_departure_median.unwrap().to_string()
    );
    // Rows by each type of assistance, crossed with a dimension.
    let p = w.get("/statistics?rows=assistance&columns=sex").await;
    assert!(
        p.body.contains("<option value=\"assistance\" selected"),
        "offered as rows"
    );
    let cross = table_after(&p.body, "id=\"cross-table\"");
    assert_eq!(cross[0][0], "Reintegration allowance");
    // Any two dimensions; the last row is the total.
    let p = w.get("/statistics?rows=sex&columns=age_group").await;
    let cross = table_after(&p.body, "id=\"cross-table\"");
    let total: i64 = by_year
        .people
        .cells
        .iter()
        .map(|r| r[0].count().unwrap())
        .sum();
    assert_eq!(cross.last().unwrap()[0], "Total");
    assert_eq!(
        cross.last().unwrap().last().unwrap().replace(',', ""),
        total.to_string()
    );
    assert!(
        unescape(&p.body)
            .contains("href=\"/api/statistics/returns.csv?rows=sex&columns=age_group\"")
    );
    // The link downloads, in the browser's session.
    assert!(
        unescape(&p.body)
            .contains("href=\"/api/statistics/returns.xlsx?rows=sex&columns=age_group\"")
    );
    let csv = w
        .get("/api/statistics/returns.csv?rows=sex&columns=age_group")
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.lines().any(|l| l.starts_with("#sex,#age+group")),
        "HXL hashtags: {}",
        csv.body
    );

    // A date that is not one is named, and the figures still show.
    let p = w.get("/statistics?from=31/03/2026").await;
    assert_eq!(p.status, 200);
    assert!(
        plain(&p.body).contains("Departed on or after: enter a real date, such as 31 3 2026."),
        "{}",
        p.body
    );
    // The period is asked as day, month and year in the page's language (no browser's
    // "mm/dd/yyyy"), Arabic-Indic digits read as the same numbers; links carry the day read.
    let iso = w.get("/statistics?from=2025-01-01").await;
    for asked in [
        "from-day=1&from-month=1&from-year=2025",
        "from-day=%D9%A1&from-month=%D9%A1&from-year=%D9%A2%D9%A0%D9%A2%D9%A5",
    ] {
        let p = w.get(&format!("/statistics?{asked}")).await;
        assert_eq!(p.status, 200);
        assert!(!p.body.contains("error-summary"), "{asked}: {}", p.body);
        assert!(p.body.contains("from=2025-01-01"), "{asked}");
        assert_eq!(
            table_after(&p.body, "id=\"years-h\""),
            table_after(&iso.body, "id=\"years-h\""),
            "{asked}"
        );
    }
    assert!(!iso.body.contains("type=\"date\""));
    assert!(
        iso.body
            .contains("name=\"from-day\" type=\"text\" inputmode=\"numeric\" value=\"1\"")
    );
    let p = w
        .get("/statistics/referrals?from-day=31&from-month=2&from-year=2026")
        .await;
    assert_eq!(p.status, 200);
    assert!(
        plain(&p.body).contains("From: enter a real date, such as 31 3 2026."),
        "{}",
        p.body
    );
    // A period with no departures shows zeros, not an error.
    let p = w.get("/statistics?from=2001-01-01&until=2001-12-31").await;
    assert_eq!(p.body.matches("No returns in this selection.").count(), 9);
    assert_eq!(
        p.body.matches("<ul class=\"bars\"").count(),
        1,
        "only the pipeline"
    );

    // Donors see protected figures and are told so; counsellors see none.
    let mut donor = Web::new(&s);
    donor.sign_in_with("donor", "demo-donor-2026").await;
    let p = donor.get("/statistics").await;
    assert_eq!(p.status, 200);
    assert!(plain(&p.body).contains("Counts below 5 are not shown"));
    // Host or transit and days to departure are for readers of exact figures.
    assert!(!p.body.contains("value=\"host_or_transit\""), "not offered");
    assert!(!plain(&p.body).contains("Returns from host and transit countries"));
    assert!(!p.body.contains("id=\"durations-h\""));
    assert!(plain(&p.body).contains("Top host countries"));
    // Options taken up, counted by the month taken up, as the service gives them to a
    // donor (a hidden count shown as such).
    let taken = s
        .app
        .returns_table(
            &principal("donor").await,
            homeward_app::stats::ReturnsQuery {
                by_each: Some(homeward_app::stats::ByEach::Assistance),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(taken.protected);
    assert!(taken.people.total.count().unwrap() > 0, "{taken:?}");
    let rows = table_after(&p.body, "id=\"assistance-h\"");
    assert_eq!(rows.len(), taken.row_keys.len());
    for (n, row) in rows.iter().enumerate() {
        match taken.people.cells[n][0].count() {
            Some(c) => assert_eq!(row[1].replace(',', ""), c.to_string(), "{row:?}"),
            None => assert!(row[1].parse::<i64>().is_err(), "{row:?}"),
        }
    }
    // By month, options taken up are not crossed with the year: said, and shown alone.
    let crossed = donor.get("/statistics?rows=assistance&columns=year").await;
    assert_eq!(crossed.status, 200);
    assert!(
        plain(&crossed.body).contains("so they are not crossed with the year"),
        "{}",
        crossed.body
    );
    assert_eq!(
        table_after(&crossed.body, "id=\"cross-table\"")[0][0],
        "Reintegration allowance"
    );
    // A donor's period is whole months: a day-level one is named and left out.
    let p = donor
        .get("/statistics?from=2026-03-02&until=2026-03-31")
        .await;
    assert_eq!(p.status, 200);
    assert!(
        plain(&p.body)
            .contains("protected figures cover whole months; enter the first day of a month"),
        "{}",
        p.body
    );
    let mut counsellor = Web::new(&s);
    counsellor
        .sign_in_with("counsellor", "demo-counsellor-2026")
        .await;
    assert!(
        !counsellor
            .get("/home")
            .await
            .body
            .contains("href=\"/statistics\"")
    );
    assert_eq!(counsellor.get("/statistics").await.status, 403);
}

/// A programme manager of the offices of return reads the referral figures of the demo
/// from the statistics page; a donor reads them protected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referral_figures_are_read_from_the_statistics_page_by_programme_managers() {
    let s = demo_site(120).await;
    let mut m = Web::new(&s);
    m.sign_in_with("approver-return", "demo-approver-return-2026")
        .await;
    let stats = m.get("/statistics").await.body;
    assert!(stats.contains("href=\"/statistics/referrals\""), "{stats}");
    let page = m.get("/statistics/referrals").await;
    assert_eq!(page.status, 200);
    let body = plain(&unescape(&page.body));
    assert!(
        body.contains("By organisation") && body.contains("Mean days to answer"),
        "{body}"
    );
    assert!(
        body.contains("<td class=\"num\">"),
        "figures are shown: {body}"
    );
    // A donor reads them protected: small counts hidden, no count of answers, and a
    // period of whole months; a day in the middle of a month is refused with why.
    let mut d = Web::new(&s);
    d.sign_in_with("donor", "demo-donor-2026").await;
    assert!(
        d.get("/statistics")
            .await
            .body
            .contains("href=\"/statistics/referrals\"")
    );
    let page = d.get("/statistics/referrals").await;
    assert_eq!(page.status, 200);
    let body = plain(&unescape(&page.body));
    assert!(
        body.contains("Counts below the threshold are hidden"),
        "{body}"
    );
    assert!(!body.contains(">Answered</th>"), "{body}");
    let odd = plain(&unescape(
        &d.get("/statistics/referrals?from=2026-03-15").await.body,
    ));
    assert!(
        odd.contains("Protected figures cover whole months"),
        "{odd}"
    );
}

/// The demo's budget, read from the statistics page: each grant and line with what is
/// committed and disbursed, as the API says; a donor reads it protected; a counsellor
/// reads no budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_page_shows_every_line_as_the_api_counts_it() {
    let s = demo_site(150).await;
    let mut m = Web::new(&s);
    m.sign_in_with("approver-return", "demo-approver-return-2026")
        .await;
    assert!(
        m.get("/statistics")
            .await
            .body
            .contains("href=\"/statistics/budget\"")
    );
    let page = m.get("/statistics/budget").await;
    assert_eq!(page.status, 200);
    let body = plain(&unescape(&page.body));
    let programmes: serde_json::Value =
        serde_json::from_str(&m.get("/api/programmes").await.body).unwrap();
    let id = programmes[0]["id"].as_str().unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&m.get(&format!("/api/programmes/{id}/budget")).await.body).unwrap();
    // English money: thousands with commas, two decimals, the currency after (each
    // grant's own).
    let money = |minor: i64, currency: &str| {
        let major = (minor / 100).to_string();
        let mut grouped = String::new();
        for (n, c) in major.chars().enumerate() {
            if n > 0 && (major.len() - n).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{grouped}.{:02} {currency}", minor % 100)
    };
    let grants = report["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 2);
    assert!(
        grants.iter().any(|g| g["budget_rate"].is_string()),
        "the demo has a grant in kroner"
    );
    let mut committed_any = false;
    for g in grants {
        assert!(body.contains(g["reference"].as_str().unwrap()), "{body}");
        let currency = g["currency"].as_str().unwrap();
        let eur = |minor| money(minor, currency);
        if let Some(rate) = g["budget_rate"].as_str() {
            assert!(
                body.contains(&format!("budget rate: 1 EUR = {rate} {currency}")),
                "{body}"
            );
        }
        for l in g["lines"].as_array().unwrap() {
            let f = &l["figures"];
            let committed = f["committed"].as_i64().unwrap();
            committed_any |= committed > 0;
            assert!(body.contains(&eur(f["budget"].as_i64().unwrap())), "{body}");
            assert!(
                body.contains(&eur(committed)),
                "{} in {body}",
                eur(committed)
            );
            assert!(body.contains(&eur(f["disbursed"].as_i64().unwrap())));
        }
    }
    assert!(
        committed_any,
        "the demo's plans draw on its lines: {report}"
    );
    assert!(body.contains("By assistance type") && body.contains("By country of return"));
    assert!(page.body.contains("href=\"/api/programmes/"), "downloads");

    let mut d = Web::new(&s);
    d.sign_in_with("donor", "demo-donor-2026").await;
    let body = plain(&unescape(&d.get("/statistics/budget").await.body));
    assert!(
        body.contains("Figures about fewer households than the threshold are hidden"),
        "{body}"
    );
    let mut c = Web::new(&s);
    c.sign_in_with("counsellor", "demo-counsellor-2026").await;
    assert_eq!(c.get("/statistics/budget").await.status, 403);
}

/// The performance page tells the demo's programme as the API counts it: follow-ups in
/// every state, held on time or late, days to departure; to a donor as the last settled
/// month ended, small counts hidden.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_performance_page_tells_the_programme_as_the_api_counts_it() {
    let s = demo_site(150).await;
    let mut m = Web::new(&s);
    m.sign_in_with("approver", "demo-approver-2026").await;
    assert!(
        m.get("/statistics")
            .await
            .body
            .contains("href=\"/statistics/performance\"")
    );
    let page = m.get("/statistics/performance").await;
    assert_eq!(page.status, 200);
    let body = plain(&unescape(&page.body));
    let programmes: serde_json::Value =
        serde_json::from_str(&m.get("/api/programmes").await.body).unwrap();
    let id = programmes[0]["id"].as_str().unwrap();
    let r: serde_json::Value = serde_json::from_str(
        &m.get(&format!("/api/programmes/{id}/performance"))
            .await
            .body,
    )
    .unwrap();
    let total = &r["follow_ups_total"];
    let n = |v: &serde_json::Value| v.as_i64().unwrap();
    // The demo's follow-ups are in every state.
    for state in ["held_on_time", "held_late", "upcoming"] {
        assert!(n(&total[state]) > 0, "{state}: {r}");
    }
    // Each follow-up of the schedule and the total agree.
    for state in [
        "upcoming",
        "due",
        "overdue",
        "missed",
        "held_on_time",
        "held_late",
    ] {
        let sum: i64 = r["follow_ups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| n(&f[state]))
            .sum();
        assert_eq!(sum, n(&total[state]), "{state}");
    }
    assert!(n(&r["returnees_reached"]) <= n(&r["returnees_to_reach"]));
    assert!(n(&r["departures_total"]["departed"]) > 0);
    let headline = table_after(&page.body, "id=\"performance-headline\"");
    let number = |v: &serde_json::Value| n(v).to_string();
    assert!(headline.contains(&vec!["Cases registered".to_string(), number(&r["cases"])]));
    assert!(headline.contains(&vec![
        "Returned cases reached".to_string(),
        number(&r["returnees_reached"])
    ]));
    let follow_ups = table_after(&page.body, "id=\"performance-follow-ups\"");
    assert_eq!(
        follow_ups[0][0],
        "Follow-up 1 (at 3 months in the programme's schedule)"
    );
    let last = follow_ups.last().unwrap();
    assert_eq!(
        last[..3].to_vec(),
        vec![
            "All follow-ups".to_string(),
            number(&total["held_on_time"]),
            number(&total["held_late"])
        ]
    );
    assert!(body.contains("Days from application to departure"));
    // Charts: a bar per year's median days and per follow-up's share on time, each
    // saying the table's figure.
    let charts = page.body.matches("class=\"bars__row\"").count();
    let years = r["departures"].as_array().unwrap();
    assert_eq!(
        charts,
        years.len() + r["follow_ups"].as_array().unwrap().len()
    );
    assert!(page.body.contains("id=\"performance-departures-chart\""));
    let first = years[0]["application_to_departure_median"]
        .as_i64()
        .unwrap();
    assert!(
        page.body
            .contains(&format!("<span class=\"bars__value\">{first}</span>")),
        "{first}"
    );
    assert!(page.body.contains("/performance.csv"), "downloads");
    // A donor reads it protected, as the last settled month ended: the page says so and
    // shows what the API shows, a dash where it hides a figure.
    let mut d = Web::new(&s);
    d.sign_in_with("donor", "demo-donor-2026").await;
    assert!(
        d.get("/statistics")
            .await
            .body
            .contains("href=\"/statistics/performance\"")
    );
    let page = d.get("/statistics/performance").await;
    assert_eq!(page.status, 200);
    let r: serde_json::Value = serde_json::from_str(
        &d.get(&format!("/api/programmes/{id}/performance"))
            .await
            .body,
    )
    .unwrap();
    assert_eq!(r["protected"], true, "{r}");
    let body = plain(&unescape(&page.body));
    assert!(body.contains("Counts below 5 are hidden"), "{body}");
    assert!(body.contains("Follow-ups are counted as recorded up to the end of"));
    let shown = |v: &serde_json::Value| v.as_i64().map_or("—".to_string(), |n| n.to_string());
    let headline = table_after(&page.body, "id=\"performance-headline\"");
    for (label, figure) in [
        ("Cases registered", &r["cases"]),
        ("Cases withdrawn", &r["withdrawn"]),
        ("Returned cases reached", &r["returnees_reached"]),
    ] {
        assert!(
            headline.contains(&vec![label.to_string(), shown(figure)]),
            "{label}: {headline:?} {r}"
        );
    }
    assert!(r["cases"].as_i64().is_some_and(|n| n >= 5), "{r}");
    let follow_ups = table_after(&page.body, "id=\"performance-follow-ups\"");
    let total = &r["follow_ups_total"];
    assert_eq!(
        follow_ups.last().unwrap()[1..7].to_vec(),
        [
            "held_on_time",
            "held_late",
            "missed",
            "overdue",
            "due",
            "upcoming"
        ]
        .map(|k| shown(&total[k]))
        .to_vec(),
        "{r}"
    );
    let mut c = Web::new(&s);
    c.sign_in_with("counsellor", "demo-counsellor-2026").await;
    assert_eq!(c.get("/statistics/performance").await.status, 403);
}

/// The report on communities tells the demo's community projects as the API counts
/// them: by country of return, the total's projects, households and people reached; not
/// offered to a donor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_communities_page_tells_the_projects_as_the_api_counts_them() {
    let s = demo_site(150).await;
    let mut m = Web::new(&s);
    m.sign_in_with("approver", "demo-approver-2026").await;
    assert!(
        m.get("/statistics")
            .await
            .body
            .contains("href=\"/statistics/communities\"")
    );
    let page = m.get("/statistics/communities").await;
    assert_eq!(page.status, 200);
    let programmes: serde_json::Value =
        serde_json::from_str(&m.get("/api/programmes").await.body).unwrap();
    let id = programmes[0]["id"].as_str().unwrap();
    let r: serde_json::Value = serde_json::from_str(
        &m.get(&format!("/api/programmes/{id}/communities"))
            .await
            .body,
    )
    .unwrap();
    let n = |v: &serde_json::Value| v.as_i64().unwrap();
    let total = &r["total"];
    assert!(
        n(&total["projects"]) > 0,
        "the demo has community projects: {r}"
    );
    assert!(n(&total["people_reached"]) > 0, "and people reached: {r}");
    let countries = r["countries"].as_array().unwrap();
    for field in [
        "projects",
        "cases",
        "people_reached",
        "committed",
        "delivered",
    ] {
        let sum: i64 = countries.iter().map(|c| n(&c[field])).sum();
        assert_eq!(sum, n(&total[field]), "{field}");
    }
    let table = table_after(&page.body, "id=\"communities-table\"");
    assert_eq!(table.len(), countries.len() + 1, "{table:?}");
    let last = table.last().unwrap();
    let digits = |cell: &str| cell.replace(',', "");
    assert_eq!(
        [digits(&last[1]), digits(&last[2]), digits(&last[6])],
        [
            n(&total["projects"]).to_string(),
            n(&total["cases"]).to_string(),
            n(&total["people_reached"]).to_string()
        ],
        "{table:?}"
    );
    let body = plain(&unescape(&page.body));
    assert!(
        body.contains("People reached by country of return"),
        "{body}"
    );
    assert!(page.body.contains("/communities.csv"), "downloads");
    // A donor reads it protected, as the last settled month ended.
    let mut d = Web::new(&s);
    d.sign_in_with("donor", "demo-donor-2026").await;
    assert!(
        d.get("/statistics")
            .await
            .body
            .contains("/statistics/communities")
    );
    let donor = d.get("/statistics/communities").await;
    assert_eq!(donor.status, 200);
    let body = plain(&unescape(&donor.body));
    assert!(body.contains("are hidden (—)"), "{body}");
    assert!(body.contains("as they stood at the end of"), "{body}");
    let r: serde_json::Value = serde_json::from_str(
        &d.get(&format!("/api/programmes/{id}/communities"))
            .await
            .body,
    )
    .unwrap();
    assert_eq!(r["protected"], true, "{r}");
    let table = table_after(&donor.body, "id=\"communities-table\"");
    assert_eq!(table.len(), r["countries"].as_array().unwrap().len() + 1);
    // Every figure shown is of at least the threshold of households.
    for c in r["countries"].as_array().unwrap() {
        assert!(
            c["cases"].is_null() || c["cases"].as_i64().unwrap() >= 5,
            "{c}"
        );
    }
}

/// Trends and needs: the demo's returnees by country and by vulnerability, year by
/// year, as the returns API counts them, and the baseline's scores by country of return;
/// a donor reads them protected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trends_page_tells_returns_by_year_and_needs_on_arrival() {
    let s = demo_site(150).await;
    let mut m = Web::new(&s);
    m.sign_in_with("approver", "demo-approver-2026").await;
    assert!(
        m.get("/statistics")
            .await
            .body
            .contains("href=\"/statistics/trends\"")
    );
    let page = m.get("/statistics/trends").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let programmes: serde_json::Value =
        serde_json::from_str(&m.get("/api/programmes").await.body).unwrap();
    let id = programmes[0]["id"].as_str().unwrap();
    let api: serde_json::Value = serde_json::from_str(
        &m.get(&format!(
            "/api/statistics/returns?rows=return_country&columns=year&programme={id}"
        ))
        .await
        .body,
    )
    .unwrap();
    let by_country = table_after(&page.body, "id=\"trends-0\"");
    // A row per country and the total; its last cell the grand total, as the API's.
    assert_eq!(
        by_country.len(),
        api["row_keys"].as_array().unwrap().len() + 1,
        "{by_country:?}"
    );
    let total = api["people"]["total"]["count"]
        .as_i64()
        .or_else(|| api["people"]["total"].as_i64())
        .unwrap_or_else(|| panic!("{api}"));
    assert_eq!(
        by_country.last().unwrap().last().unwrap().replace(',', ""),
        total.to_string()
    );
    // The trend as bars: one per year, each that year's returnees.
    let bars: Vec<&str> = page
        .body
        .split("class=\"bars__value\">")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .collect();
    let years = api["column_keys"].as_array().unwrap().len();
    assert!(years > 1, "{api}");
    assert_eq!(bars.len(), years, "{bars:?}");
    let last = &api["people"]["column_totals"][years - 1];
    let last = last["count"].as_i64().or_else(|| last.as_i64()).unwrap();
    assert_eq!(bars[years - 1].replace(',', ""), last.to_string());
    let body = plain(&unescape(&page.body));
    for shown in [
        "Returnees year by year",
        "Returnees by vulnerability and year of departure",
        "Needs on arrival",
        ", by country of return",
    ] {
        assert!(body.contains(shown), "{shown}: {body}");
    }
    assert!(
        page.body.contains("/impact.csv?by=return_country"),
        "downloads"
    );
    assert!(
        unescape(&page.body)
            .contains("/api/statistics/returns.csv?rows=return_country&columns=year"),
        "{}",
        page.body
    );
    let mut d = Web::new(&s);
    d.sign_in_with("donor", "demo-donor-2026").await;
    let page = d.get("/statistics/trends").await;
    assert_eq!(page.status, 200);
    let page = plain(&unescape(&page.body));
    assert!(page.contains("are not shown (—)"), "{page}");
    assert!(
        page.contains("Surveys are counted as they stood at the end of"),
        "{page}"
    );
}
