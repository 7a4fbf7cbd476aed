//! Administration: users, offices, programmes, grants and budget lines, surveys; the account page.

use super::*;

/// An administrator keeps a programme's grants and budget lines on forms of their own:
/// each change saved as the programme's settings, under the domain's rules, each error
/// beside its field; a grant in another currency states its budget rate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_keep_a_programmes_grants_and_budget_lines_on_forms() {
    let s = site().await;
    let mut admin = Web::new(&s);
    admin.sign_in("admin").await;
    let programme = s.app.list_programmes().await.unwrap().remove(0);
    let funding = format!("/admin/programmes/{}/funding", programme.id);
    assert!(
        admin
            .get("/admin")
            .await
            .body
            .contains(&format!("href=\"{funding}\"")),
        "linked from the programmes"
    );
    let page = admin.get(&funding).await;
    assert_eq!(page.status, 200);
    assert!(plain(&page.body).contains("No grants yet"), "{}", page.body);
    let new_grant = format!("{funding}/grants/new");
    let year = chrono::Datelike::year(&chrono::Utc::now()).to_string();
    let grant = |currency: &'static str, rate: &'static str, amount: &'static str| {
        vec![
            ("donor", "European Union".to_string()),
            ("reference", "AMIF-WEB-01".to_string()),
            ("starts-day", "1".to_string()),
            ("starts-month", "1".to_string()),
            ("starts-year", year.clone()),
            ("ends-day", "31".to_string()),
            ("ends-month", "12".to_string()),
            ("ends-year", year.clone()),
            ("currency", currency.to_string()),
            ("budget_rate", rate.to_string()),
            ("amount", amount.to_string()),
        ]
    };
    admin.get(&new_grant).await;
    // In another currency without its rate: refused beside the rate, nothing saved.
    let fields = grant("USD", "", "1000");
    let pairs = as_pairs(&fields);
    let r = admin.post(&new_grant, &pairs).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("href=\"#budget_rate\""), "{}", r.body);
    assert!(
        s.app
            .get_programme(programme.id)
            .await
            .unwrap()
            .settings
            .funding
            .is_empty()
    );
    let fields = grant("XOF", "655.957", "1000000");
    let pairs = as_pairs(&fields);
    let r = admin.post(&new_grant, &pairs).await;
    assert_eq!(r.url, funding, "{}", r.body);
    let saved = s
        .app
        .get_programme(programme.id)
        .await
        .unwrap()
        .settings
        .funding;
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].amount, 1_000_000);
    assert_eq!(
        saved[0].budget_rate.as_ref().map(|r| r.to_string()),
        Some("655.957".to_string())
    );
    let text = plain(&unescape(&r.body));
    assert!(text.contains("budget rate: 1 EUR = 655.957 XOF"), "{text}");
    // A line beyond the grant is refused at its amount; within it, saved.
    let new_line = format!("{funding}/grants/{}/lines/new", saved[0].grant_id.0);
    admin.get(&new_line).await;
    let r = admin
        .post(
            &new_line,
            &[
                ("assistance", "housing"),
                ("country", ""),
                ("amount", "2000000"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("href=\"#amount\""), "{}", r.body);
    assert!(
        plain(&unescape(&r.body)).contains("add up to more than the grant"),
        "{}",
        r.body
    );
    let r = admin
        .post(
            &new_line,
            &[
                ("assistance", "housing"),
                ("country", ""),
                ("amount", "500000"),
            ],
        )
        .await;
    assert_eq!(r.url, funding, "{}", r.body);
    assert!(plain(&unescape(&r.body)).contains("Housing — any country"));
    let line = s
        .app
        .get_programme(programme.id)
        .await
        .unwrap()
        .settings
        .funding[0]
        .lines[0]
        .clone();
    assert_eq!(line.amount, 500_000);
    // Changed, then removed.
    let edit = format!(
        "{funding}/grants/{}/lines/{}",
        saved[0].grant_id.0, line.line_id.0
    );
    let form = admin.get(&edit).await.body;
    assert!(
        form.contains("value=\"500000\""),
        "the amount as typed: {form}"
    );
    let r = admin
        .post(
            &edit,
            &[
                ("assistance", "housing"),
                ("country", ""),
                ("amount", "600000"),
            ],
        )
        .await;
    assert_eq!(r.url, funding, "{}", r.body);
    let grants = s
        .app
        .get_programme(programme.id)
        .await
        .unwrap()
        .settings
        .funding;
    assert_eq!(grants[0].lines[0].amount, 600_000);
    assert_eq!(grants[0].lines[0].line_id, line.line_id, "the same line");
    admin.get(&edit).await;
    let r = admin
        .post(
            &edit,
            &[
                ("assistance", "housing"),
                ("country", ""),
                ("amount", "600000"),
                ("remove", "on"),
            ],
        )
        .await;
    assert_eq!(r.url, funding, "{}", r.body);
    let grants = s
        .app
        .get_programme(programme.id)
        .await
        .unwrap()
        .settings
        .funding;
    assert!(grants[0].lines.is_empty());
    // Two administrators: the one who saves over the other's change is told, and
    // nothing of theirs is written.
    let grant_form = format!("{funding}/grants/{}", grants[0].grant_id.0);
    let opened = admin.get(&grant_form).await.body;
    assert!(opened.contains("name=\"settings_digest\""), "{opened}");
    let mut other = Web::new(&s);
    other.sign_in("admin").await;
    other.get(&new_line).await;
    let r = other
        .post(
            &new_line,
            &[
                ("assistance", "housing"),
                ("country", ""),
                ("amount", "100"),
            ],
        )
        .await;
    assert_eq!(r.url, funding, "{}", r.body);
    let fields = grant("XOF", "655.957", "999999");
    let pairs = as_pairs(&fields);
    let r = admin.post(&grant_form, &pairs).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        plain(&unescape(&r.body))
            .contains("changed the programme's settings since this form was opened"),
        "{}",
        r.body
    );
    let grants = s
        .app
        .get_programme(programme.id)
        .await
        .unwrap()
        .settings
        .funding;
    assert_eq!(grants[0].amount, 1_000_000, "the stale form wrote nothing");
    assert_eq!(grants[0].lines.len(), 1, "the other's line stays");
    // A grant with lines keeps its currency.
    admin.get(&grant_form).await;
    let fields = grant("EUR", "", "1000000");
    let pairs = as_pairs(&fields);
    let r = admin.post(&grant_form, &pairs).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("href=\"#currency\""), "{}", r.body);
    // The rate as people write it: Arabic-Indic digits, a decimal comma.
    admin.get(&grant_form).await;
    let fields = grant("XOF", "٦٥٥٫٩٥٧", "1000000");
    let pairs = as_pairs(&fields);
    let r = admin.post(&grant_form, &pairs).await;
    assert_eq!(r.url, funding, "{}", r.body);
    // "655,957" could be 655957 or 655.957: refused at the rate, not read either way.
    admin.get(&grant_form).await;
    let fields = grant("XOF", "655,957", "1000000");
    let pairs = as_pairs(&fields);
    let r = admin.post(&grant_form, &pairs).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("href=\"#budget_rate\""), "{}", r.body);
    let fields = grant("XOF", "655.957", "1.000.000");
    let pairs = as_pairs(&fields);
    let r = admin.post(&grant_form, &pairs).await;
    assert_eq!(r.url, funding, "{}", r.body);
    let grants = s
        .app
        .get_programme(programme.id)
        .await
        .unwrap()
        .settings
        .funding;
    assert_eq!(
        grants[0].budget_rate.as_ref().map(|r| r.to_string()),
        Some("655.957".to_string())
    );
    assert_eq!(grants[0].amount, 1_000_000);
    // A new grant's form sent twice (a double click, a reload) saves one grant.
    let form = admin.get(&new_grant).await.body;
    let hidden = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let at = form
            .find(&marker)
            .unwrap_or_else(|| panic!("{name} in {form}"));
        form[at + marker.len()..]
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let mut fields = grant("EUR", "", "5000");
    fields.push(("grant_id", hidden("grant_id")));
    fields.push(("settings_digest", hidden("settings_digest")));
    let pairs = as_pairs(&fields);
    let r = admin.post(&new_grant, &pairs).await;
    assert_eq!(r.url, funding, "{}", r.body);
    let r = admin.post(&new_grant, &pairs).await;
    assert_eq!(r.url, funding, "the second finds it saved: {}", r.body);
    // Sent again changed: not a third grant, nor silently dropped: the form says the
    // settings changed since it was opened.
    let changed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (*k, if *k == "amount" { "6000" } else { *v }))
        .collect();
    let r = admin.post(&new_grant, &changed).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let grants = s
        .app
        .get_programme(programme.id)
        .await
        .unwrap()
        .settings
        .funding;
    assert_eq!(grants.len(), 2, "{grants:?}");
    assert_eq!(grants[1].amount, 500_000, "as first saved");
    // Removed, with its lines, by its form.
    let second = format!("{funding}/grants/{}", grants[1].grant_id.0);
    assert!(admin.get(&second).await.body.contains("name=\"remove\""));
    let mut fields = grant("EUR", "", "5000");
    fields.push(("remove", "on".to_string()));
    let pairs = as_pairs(&fields);
    let r = admin.post(&second, &pairs).await;
    assert_eq!(r.url, funding, "{}", r.body);
    let grants = s
        .app
        .get_programme(programme.id)
        .await
        .unwrap()
        .settings
        .funding;
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0].reference.to_string(), "AMIF-WEB-01");
    // Only an administrator.
    let mut counsellor = Web::new(&s);
    counsellor.sign_in("counsellor").await;
    assert_eq!(counsellor.get(&funding).await.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_manage_users_offices_and_programmes_and_auditors_verify_the_log() {
    let s = site().await;
    let mut admin = Web::new(&s);
    admin.sign_in("admin").await;
    assert!(admin.get("/admin").await.body.contains("counsellor_ams"));
    admin.get("/admin/offices/new").await;
    let p = admin
        .post(
            "/admin/offices/new",
            &[
                ("code", "tbs"),
                ("name", "Tbilisi office"),
                ("country", "GE"),
            ],
        )
        .await;
    assert_eq!(p.url, "/admin", "{}", p.body);
    assert!(p.body.contains("TBS"));
    let bad = admin
        .post(
            "/admin/offices/new",
            &[("code", "!"), ("name", ""), ("country", "ZZ")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("href=\"#code\"") && bad.body.contains("href=\"#country\""),
        "each field in the error summary"
    );
    admin.get("/admin/users/new").await;
    let created = admin
        .post(
            "/admin/users/new",
            &[
                ("username", "nino"),
                ("display_name", "Nino"),
                ("roles", "counsellor"),
            ],
        )
        .await;
    assert!(created.body.contains("nino"), "{}", created.body);
    let programme = s.app.list_programmes().await.unwrap().remove(0);
    let path = format!("/admin/programmes/{}", programme.id);
    // The programme's form with these days to reflect and to decide.
    let with_days = |reflection: &'static str, decide: &'static str| {
        [
            ("name", "AVRR Belgium"),
            ("reflection_period_days", reflection),
            ("decide_within_days", decide),
            ("host_countries", "BE, NL"),
            ("return_countries", "SN, GE"),
            ("categories", "irregular migrant"),
            ("health_mode", "always"),
            ("currency", "EUR"),
        ]
    };
    admin.get(&path).await;
    let p = admin.post(&path, &with_days("5", "7")).await;
    assert_eq!(p.url, "/admin", "{}", p.body);
    let saved = s.app.get_programme(programme.id).await.unwrap().settings;
    assert_eq!(saved.reflection_period_days, 5);
    assert_eq!(saved.decide_within_days, 7);
    // Numbers that are not whole days say so, beside their fields, and change nothing.
    admin.get(&path).await;
    let wrong = admin.post(&path, &with_days("three", "0")).await;
    assert_eq!(wrong.status, 422);
    let said = plain(&unescape(&wrong.body));
    assert!(
        said.contains("Enter a whole number of days, such as 3."),
        "{said}"
    );
    assert!(
        said.contains("Enter a whole number of days, 1 or more"),
        "{said}"
    );
    assert_eq!(
        s.app.get_programme(programme.id).await.unwrap().settings,
        saved
    );
    // Protection on arrival: elderly people depart once medical care or reception is
    // accepted in the country of return; the form shows it ticked when opened again.
    let form = admin.get(&path).await.body;
    assert!(form.contains("name=\"protection_elderly\""), "{form}");
    let p = admin
        .post(
            &path,
            &[
                ("name", "AVRR Belgium"),
                ("reflection_period_days", "5"),
                ("host_countries", "BE, NL"),
                ("return_countries", "SN, GE"),
                ("categories", "irregular migrant"),
                ("health_mode", "always"),
                ("currency", "EUR"),
                ("protection_elderly", "medical_care"),
                ("protection_elderly", "reception"),
            ],
        )
        .await;
    assert_eq!(p.url, "/admin", "{}", p.body);
    let saved = s.app.get_programme(programme.id).await.unwrap().settings;
    assert_eq!(saved.decide_within_days, 10, "left empty: the default");
    assert_eq!(
        saved.reception_services(homeward_domain::person::Vulnerability::Elderly),
        [
            homeward_domain::organisation::ServiceType::Reception,
            homeward_domain::organisation::ServiceType::MedicalCare
        ]
        .into()
    );
    let form = admin.get(&path).await.body;
    assert!(
        form.contains("name=\"protection_elderly\" value=\"medical_care\" checked")
            || form.contains("value=\"medical_care\" checked"),
        "{form}"
    );
    // The monitoring schedule: months after arrival, one with its own window; windows
    // that overlap are refused, named beside the field.
    let base = [
        ("name", "AVRR Belgium"),
        ("reflection_period_days", "5"),
        ("host_countries", "BE, NL"),
        ("return_countries", "SN, GE"),
        ("categories", "irregular migrant"),
        ("health_mode", "always"),
        ("currency", "EUR"),
        ("follow_up_window", "30"),
        ("lost_contact_after", "4"),
    ];
    admin.get(&path).await;
    let overlapping = admin
        .post(
            &path,
            &[&base[..], &[("follow_up_months", "3, 4")]].concat(),
        )
        .await;
    assert_eq!(overlapping.status, 422);
    assert!(
        overlapping.body.contains("href=\"#follow_up_months\"")
            && overlapping.body.contains("windows overlap"),
        "{}",
        overlapping.body
    );
    admin.get(&path).await;
    let p = admin
        .post(
            &path,
            &[&base[..], &[("follow_up_months", "3, 6, 12:45")]].concat(),
        )
        .await;
    assert_eq!(p.url, "/admin", "{}", p.body);
    let m = s
        .app
        .get_programme(programme.id)
        .await
        .unwrap()
        .settings
        .monitoring;
    let slots: Vec<(u8, u16)> = m
        .schedule
        .iter()
        .map(|f| (f.months_after_arrival, f.window_days))
        .collect();
    assert_eq!(slots, vec![(3, 30), (6, 30), (12, 45)]);
    assert_eq!(m.lost_contact_after, 4);
    let form = admin.get(&path).await;
    assert!(
        form.body.contains("value=\"3, 6, 12:45\""),
        "the form shows the schedule as typed"
    );

    let mut auditor = Web::new(&s);
    auditor.sign_in("auditor").await;
    let log = auditor.get("/audit").await;
    assert_eq!(log.status, 200);
    assert!(log.body.contains("office.create") && log.body.contains("programme.update"));
    assert!(log.body.contains("notice--success"), "the chain verifies");

    let mut counsellor = Web::new(&s);
    counsellor.sign_in("counsellor").await;
    assert_eq!(counsellor.get("/admin").await.status, 403);
    assert_eq!(counsellor.get("/audit").await.status, 403);
}

/// The account page: who you are (roles, offices), your password changed with every
/// mistake named beside its field, and every session ended after the change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_shows_roles_and_offices_and_changes_the_password() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let home = w.get("/home").await;
    assert!(
        home.body.contains("href=\"/account\""),
        "the name links to the account"
    );
    assert!(
        !home.body.contains("action=\"/sign-out-everywhere\""),
        "signing out everywhere is on the account page"
    );
    let account = plain(&w.get("/account").await.body);
    assert!(
        account.contains("Counsellor") && account.contains("BRU"),
        "{account}"
    );
    assert!(account.contains("action=\"/sign-out-everywhere\""));
    let wrong = w
        .post(
            "/account/password",
            &[
                ("current_password", "not my password"),
                ("new_password", "a much longer new password"),
                ("confirm_password", "a much longer new password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.body.contains("href=\"#current_password\""),
        "{}",
        wrong.body
    );
    w.get("/account").await;
    let differ = w
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a much longer new password"),
                ("confirm_password", "another one entirely"),
            ],
        )
        .await;
    assert_eq!(differ.status, 422);
    assert!(differ.body.contains("href=\"#confirm_password\""));
    w.get("/account").await;
    let short = w
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("href=\"#new_password\""));
    w.get("/account").await;
    let done = w
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a much longer new password"),
                ("confirm_password", "a much longer new password"),
            ],
        )
        .await;
    assert_eq!(done.url, "/sign-in", "{}", done.body);
    assert!(plain(&unescape(&done.body)).contains("Your password is changed"));
    // The old session is gone; the new password signs in.
    assert!(w.get("/home").await.url.starts_with("/sign-in"));
    let mut again = Web::new(&s);
    again
        .sign_in_with("counsellor", "a much longer new password")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_import_a_survey_from_xlsform_and_staff_read_it() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("admin").await;
    assert!(w.get("/home").await.body.contains("href=\"/surveys\""));
    let list = plain(&w.get("/surveys").await.body);
    assert!(list.contains("No survey has been imported yet."), "{list}");
    let client = w.client.clone();
    let upload = |bytes: Vec<u8>, csrf: String| {
        let boundary = "homeward-survey-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"rss.xlsx\"\r\n\
             Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        )
        .into_bytes();
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
        client
            .post(format!("{}/surveys/import", s.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
    };
    // Every bad row named at its sheet, line and column, and nothing imported.
    let form = w.get("/surveys/import").await.body;
    assert!(form.contains("enctype=\"multipart/form-data\""), "{form}");
    let bad = upload(survey_workbook("begin group"), token(&form))
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 422);
    let page = plain(&unescape(&bad.text().await.unwrap()));
    assert!(
        page.contains("Sheet survey, line 3, column type: Homeward does not read this type"),
        "{page}"
    );
    assert!(plain(&w.get("/surveys").await.body).contains("No survey"));

    let form = w.get("/surveys/import").await.body;
    let good = upload(survey_workbook("select_one yn"), token(&form))
        .await
        .unwrap();
    assert_eq!(good.url().path(), "/surveys/rss_web/1");
    let page = plain(&unescape(&good.text().await.unwrap()));
    for shown in [
        "The survey was imported as a new version.",
        "Do you feel safe?",
        "Asked only when the answer to “Do you work?” is Yes.",
        "Does not know",
        "Not scored",
        "Weights are set by the programme.",
        "This version sets no threshold of sustainability",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    // The same workbook again: nothing new.
    let form = w.get("/surveys/import").await.body;
    let again = upload(survey_workbook("select_one yn"), token(&form))
        .await
        .unwrap();
    assert_eq!(again.url().path(), "/surveys/rss_web/1");
    assert!(plain(&again.text().await.unwrap()).contains("latest version already"));
    let xlsx = w
        .client
        .get(format!("{}/surveys/rss_web/1/xlsform", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        xlsx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let back = homeward_app::xlsform::survey_from_xlsx(&xlsx.bytes().await.unwrap(), 1).unwrap();
    assert_eq!(back.key, "rss_web");
    // The programme's form offers it to ask at follow-ups.
    let programme = s.app.list_programmes().await.unwrap()[0].id;
    let form = w.get(&format!("/admin/programmes/{programme}")).await.body;
    assert!(
        form.contains("<option value=\"rss_web\">Reintegration check (rss_web)</option>"),
        "{form}"
    );

    // Staff read it, in their language where the survey has it; only administrators
    // import.
    let mut c = Web::new(&s);
    c.sign_in("counsellor").await;
    assert_eq!(c.get("/surveys/import").await.status, 403);
    c.post("/language", &[("lang", "fr")]).await;
    let fr = plain(&unescape(&c.get("/surveys/rss_web/1").await.body));
    assert!(fr.contains("Vous sentez-vous en sécurité ?"), "{fr}");
    assert_eq!(c.get("/surveys/rss_web/2").await.status, 404);
    assert_eq!(c.get("/surveys/rss_web/x").await.status, 404);
}
