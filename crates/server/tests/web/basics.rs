//! Office scope, CSRF, languages, sessions that end mid-form, page weight and headers, hostile forms, time zones.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_of_another_office_cannot_be_reached_by_url_and_administrators_open_no_case() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    assert!(
        w.get(&format!("/cases/{case}"))
            .await
            .body
            .contains("Awa Diallo")
    );
    // The list filters by office and programme.
    let listed = |body: String| body.contains("Awa Diallo");
    assert!(listed(
        w.get(&format!("/cases?office={}", s.bru)).await.body
    ));
    assert!(!listed(
        w.get(&format!("/cases?office={}", s.ams)).await.body
    ));
    let programme = s.app.list_programmes().await.unwrap()[0].id;
    assert!(listed(
        w.get(&format!("/cases?programme={programme}&stage=registered"))
            .await
            .body
    ));
    assert!(!listed(w.get("/cases?stage=departed").await.body));

    for user in ["counsellor_ams", "admin", "auditor"] {
        let mut other = Web::new(&s);
        other.sign_in(user).await;
        for path in [
            format!("/cases/{case}"),
            format!("/cases/{case}/do/record-consent"),
        ] {
            let p = other.get(&path).await;
            assert_eq!(p.status, 404, "{user} reached {path}");
            assert!(!p.body.contains("Diallo"), "{user} saw a name on {path}");
        }
        let list = other.get("/cases").await;
        assert!(
            !list.body.contains("Diallo"),
            "{user} sees the case in the list"
        );
        let found = other.post("/cases", &[("q", "awa")]).await;
        assert!(
            !found.body.contains("Diallo"),
            "{user} finds the case by name"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_form_needs_its_csrf_token() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let before = s.app.store().count_events().await.unwrap();
    w.last = String::new(); // forget the token
    let p = w
        .post(&format!("/cases/{case}/do/withdraw"), &[("own_words", "x")])
        .await;
    assert_eq!(p.status, 403);
    assert_eq!(
        s.app.store().count_events().await.unwrap(),
        before,
        "nothing written"
    );
    // Nor can a sign-in be forged.
    let mut stranger = Web::new(&s);
    let p = stranger
        .post(
            "/sign-in",
            &[("username", "counsellor"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(p.url, "/sign-in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chosen_language_is_remembered_and_arabic_reads_right_to_left() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    assert!(w.last.contains("<html lang=\"en\" dir=\"ltr\">"));
    let p = w
        .post("/language", &[("lang", "ar"), ("back", "/cases")])
        .await;
    assert_eq!(p.url, "/cases");
    assert!(
        p.body.contains("<html lang=\"ar\" dir=\"rtl\">"),
        "{}",
        &p.body[..200]
    );
    let home = w.get("/home").await;
    assert!(home.body.contains("dir=\"rtl\""), "remembered");
    // A back link elsewhere is refused: no open redirect.
    let p = w
        .post("/language", &[("lang", "fr"), ("back", "//evil.example/")])
        .await;
    assert_eq!(p.url, "/home");
    assert!(p.body.contains("<html lang=\"fr\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_ends_while_a_form_is_open_keeps_what_was_typed() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    w.get(&format!("/cases/{case}/do/withdraw")).await;
    // Every session of the user ends (an administrator reset, a timeout...).
    let user = s
        .app
        .store()
        .user_by_username("counsellor")
        .await
        .unwrap()
        .unwrap();
    s.app.store().delete_user_sessions(user.id).await.unwrap();
    let words = "Je préfère rester chez ma sœur";
    let p = w
        .post(
            &format!("/cases/{case}/do/withdraw"),
            &[("own_words", words)],
        )
        .await;
    assert_eq!(p.status, 401);
    assert!(
        p.body.contains("resume_data"),
        "the sign-in page carries the form"
    );
    let data = {
        let marker = "name=\"resume_data\" value=\"";
        let start = p.body.find(marker).unwrap() + marker.len();
        unescape(p.body[start..].split('"').next().unwrap())
    };
    let path = format!("/cases/{case}/do/withdraw");
    let back = w
        .post(
            "/sign-in",
            &[
                ("username", "counsellor"),
                ("password", PASSWORD),
                ("resume_path", &path),
                ("resume_data", &data),
            ],
        )
        .await;
    assert!(
        unescape(&back.body).contains(words),
        "the typed words are back in the form"
    );
    assert!(back.body.contains("name=\"own_words\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_light_compressed_and_locked_down() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let res = w
        .client
        .get(format!("{}/cases/{case}", s.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
    let bytes = res.bytes().await.unwrap();
    assert!(
        bytes.len() < 50 * 1024,
        "the case page is {} bytes compressed",
        bytes.len()
    );
    // Static assets are cached for good under their content hash.
    let css = w
        .last
        .split("href=\"/static/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let res = w
        .client
        .get(format!("{}/static/{css}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(
        w.client
            .get(format!("{}/static/app.0000000000.css", s.base))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // The icon browsers ask every site for (its 404 was the only console error).
    let icon = reqwest::get(format!("{}/favicon.ico", s.base))
        .await
        .unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/vnd.microsoft.icon");
    assert!(icon.bytes().await.unwrap().starts_with(&[0, 0, 1, 0]));
    // Searches by name are posted, never in a URL; the list's filters carry no names.
    assert!(
        w.get("/cases")
            .await
            .body
            .contains("<form method=\"post\" action=\"/cases\"")
    );
}

/// Every form of the site, posted by the users who may use it, with random and malformed
/// bodies: never a 5xx, and nothing written unless the form was accepted (the answer
/// leaves the form's address, as a success does). The JSON API's hostile-input test
/// (tests/api) does the same for the API, on both databases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_forms_get_a_4xx_or_the_form_again_and_write_nothing() {
    use proptest::strategy::{Strategy, ValueTree};
    use reqwest::header::CONTENT_TYPE;
    let s = site().await;
    let mut counsellor = Web::new(&s);
    counsellor.sign_in("counsellor").await;
    let case = counsellor.register("Awa").await;
    let mut clients = vec![("counsellor", counsellor)];
    for user in ["approver", "movement", "admin"] {
        let mut w = Web::new(&s);
        w.sign_in(user).await;
        clients.push((user, w));
    }
    let mut stranger = Web::new(&s);
    stranger.get("/sign-in").await;
    clients.push(("stranger", stranger));
    let user_id = s
        .app
        .store()
        // Not one of the users posting: a form accepted at random may deactivate it.
        .user_by_username("counsellor_ams")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let programme = s.app.list_programmes().await.unwrap()[0].id;
    // (who posts, where)
    let mut forms: Vec<(usize, String)> = vec![];
    for kind in homeward_domain::case::CommandKind::ALL {
        let slug = kind.name().replace('_', "-");
        for who in 0..3 {
            forms.push((who, format!("/cases/{case}/do/{slug}")));
        }
    }
    forms.push((0, "/cases/new".into()));
    forms.push((1, "/cases".into()));
    forms.push((2, "/language".into()));
    for path in [
        "/admin/users/new".to_string(),
        format!("/admin/users/{user_id}"),
        "/admin/offices/new".into(),
        format!("/admin/offices/{}", s.bru),
        "/admin/programmes/new".into(),
        "/directory/new".into(),
        format!("/admin/programmes/{programme}"),
    ] {
        forms.push((3, path));
    }
    forms.push((4, "/sign-in".into()));

    let store = s.app.store();
    let world = || async {
        format!(
            "{} {:?} {:?} {:?} {:?} {:?}",
            store.count_events().await.unwrap(),
            store.read_model_snapshot().await.unwrap(),
            store.list_users().await.unwrap(),
            store.list_offices().await.unwrap(),
            store.list_programmes().await.unwrap(),
            store.list_organisations().await.unwrap(),
        )
    };
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let mut accepted = 0;
    for round in 0..8 {
        for (n, (who, path)) in forms.iter().enumerate() {
            let (user, w) = &mut clients[*who];
            // The form's page gives the names and values a browser would send, and this
            // session's CSRF token.
            let form_page = if path == "/cases" || path == "/language" {
                w.get("/home").await
            } else {
                w.get(path).await
            };
            let csrf = token(&form_page.body);
            assert!(!csrf.is_empty(), "{user}: no CSRF token on {path}");
            let mut names = attributes(&form_page.body, "name");
            names.retain(|n| n != "_csrf");
            names.push("version".into());
            let mut values = attributes(&form_page.body, "value");
            values.retain(|v| *v != csrf);
            values.push(String::new());
            let mut fields = hostile_form(names, values)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            let url = format!("{}{path}", s.base);
            let form = "application/x-www-form-urlencoded";
            let req = w.client.post(&url);
            let req = match (round + n) % 6 {
                // Filled in at random, with the session's token.
                0..=2 => {
                    fields.insert(0, ("_csrf".into(), csrf));
                    req.form(&fields)
                }
                // Without the token, or with another.
                3 => {
                    if round % 2 == 0 {
                        fields.insert(0, ("_csrf".into(), "forged".into()));
                    }
                    req.form(&fields)
                }
                // Not a form: broken escapes, bytes that are not UTF-8, NULs.
                4 => {
                    let mut body = format!("_csrf={csrf}&").into_bytes();
                    body.extend_from_slice(b"%zz=%E0%A4%A&\xff\xfe=\x00&&=&version=%");
                    body.extend(
                        (0..(n * 31 + round * 7) % 200).map(|i| ((i * 151 + n) % 256) as u8),
                    );
                    req.header(CONTENT_TYPE, form).body(body)
                }
                // JSON, or no content type at all.
                _ => {
                    let body = format!("{{\"_csrf\": \"{csrf}\", \"version\": 1}}");
                    if round % 2 == 0 {
                        req.header(CONTENT_TYPE, "application/json").body(body)
                    } else {
                        req.body(body)
                    }
                }
            };
            let before = world().await;
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let landed = res.url().path().to_string();
            let body = res.text().await.unwrap();
            assert!(status < 500, "{user} POST {path}: {status} {body}");
            *statuses.entry(status).or_default() += 1;
            // Accepted, and redirected to what it made, or (a user with a generated
            // password) the form again with the password shown once: a write may follow.
            if (landed != *path && landed != "/sign-in" && status == 200)
                || (status == 200 && body.contains("notice--success"))
            {
                accepted += 1;
            } else {
                assert!(
                    world().await == before,
                    "{user} POST {path} ({status}, at {landed}) changed something"
                );
            }
            w.last = body;
        }
    }
    eprintln!("hostile forms: {statuses:?}, {accepted} accepted");
    // The bodies reached the rules (forms shown again with their errors) and the
    // CSRF check (refused), not only a parser's first line.
    assert!(
        statuses.get(&422).copied().unwrap_or(0) > 20,
        "{statuses:?}"
    );
    assert!(
        statuses.get(&403).copied().unwrap_or(0) > 20,
        "{statuses:?}"
    );
}

/// The error summary says what to do and names the field, in the page's language:
/// "Choose the office", "Enter the given name", never "This is required." (nor English on
/// an Arabic page), and the date of birth's message agrees with its hint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_form_names_every_field_to_fill_in_the_readers_language() {
    let s = site().await;
    for lang in ["en", "ar"] {
        let i = homeward_web::i18n::I18n::new(homeward_web::i18n::Lang::from_code(lang).unwrap());
        let mut w = Web::new(&s);
        w.sign_in("counsellor").await;
        if lang != "en" {
            w.post("/language", &[("lang", lang), ("back", "/home")])
                .await;
        }
        w.get("/cases/new").await;
        let p = w.post("/cases/new", &[]).await;
        assert_eq!(p.status, 422);
        let body = plain(&unescape(&p.body));
        for key in [
            "f-host-office-missing",
            "field-programme-missing",
            "f-referral-source-missing",
            "f-country-missing",
            "f-given-missing",
            "f-dob-missing",
            "f-sex-missing",
        ] {
            assert!(body.contains(&i.t(key)), "{lang}: no {key} in {body}");
        }
        assert!(!body.contains(&i.t("err-required")), "{lang}: {body}");
        assert!(!body.contains("must not be empty"), "{lang}");
        // A field without a message of its own is still named.
        let case = w.register("Awa").await;
        w.get(&format!("/cases/{case}/do/remove-member")).await;
        let p = w
            .post(&format!("/cases/{case}/do/remove-member"), &[])
            .await;
        let body = plain(&unescape(&p.body));
        assert!(body.contains(&i.t("f-reason-missing")), "{lang}: {body}");
    }
}

/// Times are entered and read in the time zone of the reader's office, named beside them:
/// a time typed on a form (Arabic-Indic digits too) is the office's wall-clock time, the
/// timeline shows it back as typed, and an administrator's change of the office's zone
/// changes what its staff read from their next page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn times_are_entered_and_read_in_the_time_zone_of_the_reader_s_office() {
    use chrono::{Datelike, TimeZone};
    let s = site().await;
    let zone = |name| homeward_domain::values::TimeZone::parse(name).unwrap().0;
    let (brussels, dakar) = (zone("Europe/Brussels"), zone("Africa/Dakar"));
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    // Registered three days ago (in Brussels), so that yesterday is after it.
    let three = chrono::Utc::now().with_timezone(&brussels).date_naive() - chrono::Days::new(3);
    let (d, m, y) = (
        three.day().to_string(),
        three.month().to_string(),
        three.year().to_string(),
    );
    let case = w
        .register_with(
            "Awa",
            &[
                ("occurred-day", &d),
                ("occurred-month", &m),
                ("occurred-year", &y),
            ],
        )
        .await;
    let note = format!("/cases/{case}/do/add-note");
    let form = plain(&unescape(&w.get(&note).await.body));
    let zone_now = chrono::Utc::now().with_timezone(&brussels).format("%Z");
    assert!(
        form.contains(&format!(
            "In your office's time: Europe/Brussels, {zone_now}"
        )),
        "{form}"
    );
    // Yesterday at 10:00 in Brussels, typed with Arabic-Indic digits.
    let day = chrono::Utc::now().with_timezone(&brussels).date_naive() - chrono::Days::new(1);
    let done = w
        .post(
            &note,
            &[
                ("text", "Met the family at the office."),
                ("sensitivity", ""),
                ("occurred-day", &day.day().to_string()),
                ("occurred-month", &day.month().to_string()),
                ("occurred-year", &day.year().to_string()),
                ("occurred-time", "١٠:٠٠"),
            ],
        )
        .await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    let events = s
        .app
        .store()
        .load_events(homeward_domain::ids::CaseId(case.parse().unwrap()))
        .await
        .unwrap();
    let at = events.last().unwrap().meta.occurred_at;
    let local = brussels
        .from_local_datetime(&day.and_hms_opt(10, 0, 0).unwrap())
        .single()
        .unwrap();
    assert_eq!(at, local.with_timezone(&chrono::Utc));
    // The timeline says it as it was typed, with the zone's name.
    let page = plain(&unescape(&done.body));
    let shown = format!("10:00 {}", local.format("%Z"));
    assert!(page.contains(&shown), "{shown}: {page}");
    // The office moves to Dakar's time: the same moment reads as Dakar's clock.
    let mut admin = Web::new(&s);
    admin.sign_in("admin").await;
    let office = format!("/admin/offices/{}", s.bru);
    let edit = admin.get(&office).await;
    assert_eq!(edit.status, 200);
    assert!(
        edit.body
            .contains("<option value=\"Europe/Brussels\" selected")
    );
    let saved = admin
        .post(
            &office,
            &[("name", "Brussels office"), ("time_zone", "Africa/Dakar")],
        )
        .await;
    assert_eq!(saved.url, "/admin", "{}", saved.body);
    assert!(plain(&saved.body).contains("Africa/Dakar"));
    let refused = admin
        .post(
            &office,
            &[("name", "Brussels office"), ("time_zone", "Mars/Olympus")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        plain(&unescape(&refused.body)).contains("Choose a time zone of the list"),
        "{}",
        refused.body
    );
    let page = plain(&unescape(&w.get(&format!("/cases/{case}")).await.body));
    let in_dakar = at.with_timezone(&dakar).format("%H:%M GMT").to_string();
    assert!(page.contains(&in_dakar), "{in_dakar}: {page}");
    assert!(!page.contains(&shown), "{page}");
    // The account page names the zone and where it comes from.
    let account = plain(&unescape(&w.get("/account").await.body));
    assert!(account.contains("Africa/Dakar, GMT"), "{account}");
}
