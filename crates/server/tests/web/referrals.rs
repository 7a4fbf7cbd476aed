//! Referrals and the stakeholder directory, from the office's and the partner's side.

use super::*;

#[tokio::test]
async fn the_directory_is_searched_by_caseworkers_and_kept_by_programme_managers() {
    let s = demo_site(5).await;
    let mut c = Web::new(&s);
    c.sign_in_with("counsellor", "demo-counsellor-2026").await;
    assert!(c.get("/home").await.body.contains("href=\"/directory\""));
    let all = plain(&c.get("/directory").await.body);
    assert!(
        all.contains("Tbilisi Reception and Shelter Centre"),
        "{all}"
    );
    assert!(
        !all.contains("Baghdad Legal Aid Clinic"),
        "an organisation that no longer works is not offered"
    );
    // Searched by country and service together, without JavaScript (a GET form).
    let ge = plain(&c.get("/directory?country=GE&service=shelter").await.body);
    assert!(ge.contains("Tbilisi Reception and Shelter Centre"));
    assert!(!ge.contains("Kutaisi Vocational College") && !ge.contains("Keur Yakaar"));
    assert!(ge.contains("2 organisations"), "{ge}");
    let gone = plain(&c.get("/directory?country=IQ&inactive=1").await.body);
    assert!(gone.contains("Baghdad Legal Aid Clinic") && gone.contains("No longer working"));
    // Caseworkers read it; they do not keep it.
    assert!(!all.contains("href=\"/directory/new\""));
    assert_eq!(c.get("/directory/new").await.status, 403);

    let mut m = Web::new(&s);
    m.sign_in_with("approver", "demo-approver-2026").await;
    m.get("/directory/new").await;
    let empty = m.post("/directory/new", &[("name", "")]).await;
    assert_eq!(empty.status, 422);
    let summary = plain(&empty.body);
    for field in ["#name", "#kind", "#countries", "#services", "#stages"] {
        assert!(
            summary.contains(&format!("href=\"{field}\"")),
            "{field} in the error summary"
        );
    }
    assert!(summary.contains("Choose at least one service it offers."));
    let added = m
        .post(
            "/directory/new",
            &[
                ("name", "Tbilisi Legal Aid Bureau"),
                ("kind", "migrant_support"),
                ("countries", "GE"),
                ("services", "legal_aid"),
                ("services", "housing"),
                ("stages", "reintegration"),
                ("languages", "ka, en"),
                ("email", "help@legal.example.org"),
                ("active", "yes"),
            ],
        )
        .await;
    assert!(added.url.starts_with("/directory/"), "{}", added.body);
    let page = plain(&added.body);
    assert!(page.contains("Legal aid, Housing") && page.contains("help@legal.example.org"));
    // The edit form starts from what is recorded; taking "still working" off hides it.
    let edit = format!("{}/edit", added.url);
    let form = m.get(&edit).await.body;
    assert!(form.contains("value=\"Tbilisi Legal Aid Bureau\""));
    assert!(
        form.contains("value=\"legal_aid\" checked")
            || form.contains("value=\"legal_aid\"  checked")
    );
    let changed = m
        .post(
            &edit,
            &[
                ("name", "Tbilisi Legal Aid Bureau"),
                ("kind", "migrant_support"),
                ("countries", "GE"),
                ("services", "legal_aid"),
                ("stages", "reintegration"),
            ],
        )
        .await;
    assert!(
        changed.body.contains("No longer working"),
        "{}",
        changed.body
    );
    let found = plain(&c.get("/directory?service=legal_aid&country=GE").await.body);
    assert!(!found.contains("Tbilisi Legal Aid Bureau"));
    // In Arabic, names of services and the list separator are the language's own.
    c.post("/language", &[("lang", "ar")]).await;
    let ar = plain(&c.get("/directory?country=SN").await.body);
    assert!(ar.contains("الاستقبال عند الوصول، الإيواء"), "{ar}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referral_is_made_with_consent_and_followed_to_its_answer_from_the_case_page() {
    use homeward_domain::organisation::*;
    let s = site().await;
    let org = site::belgian_organisation(
        &s.app,
        "Brussels Legal Aid Desk",
        OrganisationKind::MigrantSupport,
        ServiceType::LegalAid,
    )
    .await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let path = format!("/cases/{case}/do/make-referral");
    let form = w.get(&path).await.body;
    assert!(plain(&unescape(&form)).contains("Brussels Legal Aid Desk (BE) — Legal aid"));
    let person = {
        let marker = "name=\"people\" value=\"";
        let at = form.find(marker).unwrap() + marker.len();
        form[at..].split('"').next().unwrap().to_string()
    };
    let empty = w.post(&path, &[("note", "")]).await;
    assert_eq!(empty.status, 422);
    let summary = plain(&unescape(&empty.body));
    for field in [
        "#organisation",
        "#country",
        "#service",
        "#answer_within_days",
    ] {
        assert!(
            summary.contains(&format!("href=\"{field}\"")),
            "{field}: {summary}"
        );
    }
    let org_id = org.0.to_string();
    let fields = |consent: bool| {
        let mut f = vec![
            ("organisation", org_id.as_str()),
            ("service", "legal_aid"),
            ("country", "BE"),
            ("people", person.as_str()),
            ("shared", "identity"),
            ("answer_within_days", "7"),
            ("note", "Needs advice on her asylum file before she leaves."),
        ];
        if consent {
            f.push(("consent_for", person.as_str()));
        }
        f
    };
    w.get(&path).await;
    let no_consent = w.post(&path, &fields(false)).await;
    assert_eq!(no_consent.status, 422);
    let page = plain(&unescape(&no_consent.body));
    assert!(
        page.contains("Awa Diallo: Record the person's consent to this referral"),
        "named per person: {page}"
    );
    w.get(&path).await;
    let done = w.post(&path, &fields(true)).await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    let page = plain(&unescape(&done.body));
    assert!(
        page.contains("Brussels Legal Aid Desk — Legal aid"),
        "{page}"
    );
    assert!(page.contains("Sent · answer due"));
    assert!(page.contains("Get Brussels Legal Aid Desk's answer to the referral for Legal aid"));
    // The answer, then the service delivered.
    let step = format!("/cases/{case}/do/update-referral");
    let form = w.get(&step).await.body;
    let referral = {
        let marker = "name=\"referral_id\" value=\"";
        let at = form.find(marker).unwrap() + marker.len();
        form[at..].split('"').next().unwrap().to_string()
    };
    let declined = w
        .post(&step, &[("referral_id", &referral), ("step", "declined")])
        .await;
    assert_eq!(declined.status, 422);
    assert!(declined.body.contains("href=\"#reason\""));
    w.get(&step).await;
    let accepted = w
        .post(&step, &[("referral_id", &referral), ("step", "accepted")])
        .await;
    assert_eq!(accepted.url, format!("/cases/{case}"), "{}", accepted.body);
    assert!(plain(&unescape(&accepted.body)).contains(": Accepted"));
    // Arabic names the referral's status in Arabic.
    w.post("/language", &[("lang", "ar")]).await;
    let ar = plain(&unescape(&w.get(&format!("/cases/{case}")).await.body));
    assert!(ar.contains("مقبولة"), "{ar}");
}

/// A partner organisation's user finds the referrals addressed to it on its home page,
/// sees in each only what was shared, answers it, and reaches no case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_answers_its_referrals_from_its_own_pages_and_reaches_no_case() {
    use homeward_domain::organisation::*;
    let s = site().await;
    let org = site::belgian_organisation(
        &s.app,
        "Brussels Legal Aid Desk",
        OrganisationKind::MigrantSupport,
        ServiceType::LegalAid,
    )
    .await;
    site::partner_user(&s.app, "liaison", org).await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let path = format!("/cases/{case}/do/make-referral");
    let form = w.get(&path).await.body;
    let person = {
        let marker = "name=\"people\" value=\"";
        let at = form.find(marker).unwrap() + marker.len();
        form[at..].split('"').next().unwrap().to_string()
    };
    let org_id = org.0.to_string();
    let done = w
        .post(
            &path,
            &[
                ("organisation", org_id.as_str()),
                ("service", "legal_aid"),
                ("country", "BE"),
                ("people", person.as_str()),
                ("consent_for", person.as_str()),
                ("shared", "identity"),
                ("answer_within_days", "7"),
                ("note", "Needs advice on her asylum file before she leaves."),
            ],
        )
        .await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);

    let mut partner = Web::new(&s);
    partner.sign_in("liaison").await;
    let home = plain(&unescape(&partner.get("/home").await.body));
    assert!(home.contains("Waiting for your answer"), "{home}");
    let link = {
        let marker = "href=\"/partner/referrals/";
        let at = home.find(marker).expect("the referral on the home page") + "href=\"".len();
        home[at..].split('"').next().unwrap().to_string()
    };
    assert!(link.starts_with(&format!("/partner/referrals/{case}/")));
    let list = partner.get("/partner?queue=waiting").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&link), "{}", list.body);
    let body = partner.get(&link).await.body;
    let version = {
        let marker = "name=\"version\" value=\"";
        let at = body.find(marker).unwrap() + marker.len();
        body[at..].split('"').next().unwrap().to_string()
    };
    let page = plain(&unescape(&body));
    assert!(page.contains("Awa"), "{page}");
    assert!(page.contains("Needs advice on her asylum file"));
    assert!(
        !page.contains("Languages the person understands"),
        "contact was not shared: {page}"
    );
    // Declining needs a reason; accepting is recorded and shown.
    let declined = partner
        .post(&link, &[("step", "declined"), ("version", &version)])
        .await;
    assert_eq!(declined.status, 422);
    assert!(
        declined.body.contains("href=\"#reason\""),
        "{}",
        declined.body
    );
    partner.get(&link).await;
    let accepted = partner
        .post(&link, &[("step", "accepted"), ("version", &version)])
        .await;
    assert_eq!(
        (accepted.status, &accepted.url),
        (200, &link),
        "{}",
        accepted.body
    );
    assert!(
        plain(&unescape(&accepted.body)).contains("Accepted</span>"),
        "the status: {}",
        accepted.body
    );
    // The case itself, its list and its timeline do not exist for a partner.
    assert_eq!(partner.get(&format!("/cases/{case}")).await.status, 404);
    assert_eq!(
        partner
            .get(&format!("/cases/{case}/do/add-note"))
            .await
            .status,
        404
    );
    assert!(!partner.get("/cases").await.body.contains("Awa"));
    // The caseworker sees the partner's answer on the case.
    let staff = plain(&unescape(&w.get(&format!("/cases/{case}")).await.body));
    assert!(staff.contains(": Accepted"), "{staff}");
    // For an organisation without an account, a link: shown once, opened without one.
    assert!(staff.contains(&format!("href=\"/cases/{case}/referral-links\"")));
    let form = w.get(&format!("/cases/{case}/referral-links")).await.body;
    let referral = link.rsplit('/').next().unwrap().to_string();
    assert!(form.contains(&format!("value=\"{referral}\"")), "{form}");
    let issued = w
        .post(
            &format!("/cases/{case}/referral-links"),
            &[("referral_id", referral.as_str())],
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    let url = {
        let at = issued.body.find("http://").expect("the link is shown");
        issued.body[at..]
            .split(|c: char| c.is_whitespace() || c == '<')
            .next()
            .unwrap()
            .to_string()
    };
    assert!(url.contains("/r/"), "{url}");
    let outsider = reqwest::Client::new();
    let opened = outsider.get(&url).send().await.unwrap();
    assert_eq!(opened.status(), 200);
    let opened = opened.text().await.unwrap();
    assert!(opened.contains("Awa") && opened.contains("name=\"answered_by\""));
    assert!(
        !opened.contains("href=\"/cases"),
        "nothing of the case beyond the referral"
    );
    // Sent to the wrong address: withdrawn from the case page.
    let staff = w.get(&format!("/cases/{case}")).await.body;
    assert!(staff.contains(&format!("href=\"/cases/{case}/referral-links/withdraw\"")));
    w.get(&format!("/cases/{case}/referral-links/withdraw"))
        .await;
    let withdrawn = w
        .post(
            &format!("/cases/{case}/referral-links/withdraw"),
            &[("referral_id", referral.as_str())],
        )
        .await;
    assert!(
        withdrawn.body.contains("One link withdrawn."),
        "{}",
        withdrawn.body
    );
    assert_eq!(outsider.get(&url).send().await.unwrap().status(), 404);
}

/// A referral without consent is made with its ground and reason, waits for a programme
/// manager's approval, and is sent once approved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referral_without_consent_is_approved_by_a_programme_manager_before_it_is_sent() {
    use homeward_domain::organisation::*;
    let s = site().await;
    let org = site::belgian_organisation(
        &s.app,
        "Brussels Child Protection",
        OrganisationKind::ChildProtection,
        ServiceType::ChildProtection,
    )
    .await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let path = format!("/cases/{case}/do/make-referral");
    let form = w.get(&path).await.body;
    let person = {
        let marker = "name=\"people\" value=\"";
        let at = form.find(marker).unwrap() + marker.len();
        form[at..].split('"').next().unwrap().to_string()
    };
    let org_id = org.0.to_string();
    let mut fields = vec![
        ("organisation", org_id.as_str()),
        ("service", "child_protection"),
        ("country", "BE"),
        ("people", person.as_str()),
        ("shared", "identity"),
        ("answer_within_days", "3"),
        ("exception_ground", "child_protection_emergency"),
    ];
    let no_reason = w.post(&path, &fields).await;
    assert_eq!(no_reason.status, 422);
    assert!(
        no_reason.body.contains("href=\"#exception_reason\""),
        "{}",
        no_reason.body
    );
    fields.push((
        "exception_reason",
        "No guardian can be reached before tonight.",
    ));
    w.get(&path).await;
    let made = w.post(&path, &fields).await;
    assert_eq!(made.url, format!("/cases/{case}"), "{}", made.body);
    let page = plain(&unescape(&made.body));
    assert!(page.contains("Waiting for approval (no consent)"), "{page}");
    // The programme manager decides, from the case's next step.
    let mut m = Web::new(&s);
    m.sign_in("approver").await;
    let case_page = plain(&unescape(&m.get(&format!("/cases/{case}")).await.body));
    assert!(case_page.contains("made without consent"), "{case_page}");
    let decide = format!("/cases/{case}/do/decide-referral-exception");
    let form = m.get(&decide).await.body;
    let referral = {
        let marker = "name=\"referral_id\" value=\"";
        let at = form.find(marker).unwrap() + marker.len();
        form[at..].split('"').next().unwrap().to_string()
    };
    let done = m
        .post(&decide, &[("referral_id", &referral), ("approved", "yes")])
        .await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    assert!(plain(&unescape(&done.body)).contains("Sent · answer due"));
}

/// Referrals not answered in time wait on the home page of those who refer (escalated
/// ones on the programme manager's), each queue whole on its own page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referrals_waiting_for_an_answer_are_on_the_home_page_and_listed_whole() {
    let s = demo_site(120).await;
    let mut w = Web::new(&s);
    w.sign_in_with("reintegration", "demo-reintegration-2026")
        .await;
    let home = plain(&w.get("/home").await.body);
    assert!(home.contains("Referrals waiting for an answer"), "{home}");
    let page = w.get("/referrals?queue=overdue").await;
    assert_eq!(page.status, 200);
    let body = plain(&unescape(&page.body));
    assert!(
        body.contains("Answer due") && body.contains("class=\"ref\""),
        "{body}"
    );
    assert!(body.contains("href=\"/referrals?queue=escalated\""));
    let mut m = Web::new(&s);
    m.sign_in_with("approver-return", "demo-approver-return-2026")
        .await;
    let home = plain(&m.get("/home").await.body);
    assert!(home.contains("Referrals escalated to you"), "{home}");
    assert_eq!(m.get("/referrals?queue=escalated").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_pasted_from_a_spreadsheet_is_imported_and_each_bad_line_named() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("admin").await;
    assert!(
        w.get("/directory")
            .await
            .body
            .contains("href=\"/directory/import\"")
    );
    w.get("/directory/import").await;
    let bad = "name\tkind\tcountries\tservices\tstages\nKeur Yakaar\tshelter\tSN\tshelter\timmediate_assistance\n";
    let r = w.post("/directory/import", &[("file", bad)]).await;
    assert_eq!(r.status, 422);
    let page = plain(&unescape(&r.body));
    assert!(
        page.contains("Line 2, kind: \"shelter\" is not one of the codes this column takes."),
        "{page}"
    );
    let good = "name\tkind\tcountries\tservices\tstages\nKeur Yakaar\tprotection_shelter\tSN\tshelter\timmediate_assistance\n";
    w.get("/directory/import").await;
    let r = w.post("/directory/import", &[("file", good)]).await;
    assert_eq!(r.status, 200);
    assert!(plain(&r.body).contains("1 added, 0 updated."), "{}", r.body);
    assert!(plain(&w.get("/directory").await.body).contains("Keur Yakaar"));

    // An Excel workbook uploaded from the same page, as a browser sends a file.
    let form = w.get("/directory/import").await.body;
    assert!(
        form.contains("enctype=\"multipart/form-data\"") && form.contains("type=\"file\""),
        "{form}"
    );
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows: [[&str; 5]; 3] = [
        ["name", "kind", "countries", "services", "stages"],
        [
            "Thiès Training",
            "receiving_community",
            "SN",
            "vocational_training",
            "reintegration",
        ],
        ["Nowhere", "bank", "SN", "shelter", "return"],
    ];
    for (r, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    let client = w.client.clone();
    let upload = |bytes: Vec<u8>, csrf: String| {
        let boundary = "homeward-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"directory.xlsx\"\r\n\
             Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        )
        .into_bytes();
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\r\n--{boundary}--\r\n").into_bytes());
        client
            .post(format!("{}/directory/import", s.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
    };
    let bad = upload(book.save_to_buffer().unwrap(), token(&form))
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 422);
    let page = plain(&unescape(&bad.text().await.unwrap()));
    assert!(
        page.contains("Line 3, kind: \"bank\" is not one of the codes this column takes."),
        "{page}"
    );
    assert!(page.contains("href=\"#upload\""), "{page}");
    let sheet = book.worksheet_from_index(0).unwrap();
    sheet.write_string(2, 1, "migrant_support").unwrap();
    let form = w.get("/directory/import").await.body;
    let good = upload(book.save_to_buffer().unwrap(), token(&form))
        .await
        .unwrap();
    assert_eq!(good.status().as_u16(), 200);
    assert!(
        plain(&good.text().await.unwrap()).contains("2 added, 0 updated."),
        "the workbook's two organisations"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_refers_a_person_whom_the_office_registers_from_a_filled_in_form() {
    use homeward_domain::organisation::*;
    let s = site().await;
    let org = site::belgian_organisation(
        &s.app,
        "Brussels Migrant Desk",
        OrganisationKind::MigrantSupport,
        ServiceType::LegalAid,
    )
    .await;
    site::partner_user(&s.app, "desk", org).await;
    let mut partner = Web::new(&s);
    partner.sign_in("desk").await;
    let home = plain(&unescape(&partner.get("/home").await.body));
    assert!(home.contains("href=\"/partner/inbound/new\""), "{home}");
    // An empty form names what is missing; a child needs a representative.
    partner.get("/partner/inbound/new").await;
    let empty = partner.post("/partner/inbound/new", &[]).await;
    assert_eq!(empty.status, 422);
    for field in ["office", "given", "reason", "consent-day"] {
        assert!(
            empty.body.contains(&format!("href=\"#{field}\"")),
            "{field}: {}",
            empty.body
        );
    }
    let office = s.bru.to_string();
    let fields = |given: &'static str, year: &'static str| {
        vec![
            ("office", office.clone()),
            ("referrer_reference", format!("BMD-{given}")),
            ("given", given.to_string()),
            ("family", "Diallo".to_string()),
            ("dob-day", "1".to_string()),
            ("dob-month", "5".to_string()),
            ("dob-year", year.to_string()),
            ("sex", "female".to_string()),
            ("nationality", "SN".to_string()),
            ("language_1", "wo".to_string()),
            ("legal_situation", "irregular_stay".to_string()),
            ("reason", "Wishes to go home to Thiès.".to_string()),
            ("country_of_return", "SN".to_string()),
            ("consent-day", "1".to_string()),
            ("consent-month", "12".to_string()),
            ("consent-year", "2026".to_string()),
        ]
    };
    let send = |f: &Vec<(&'static str, String)>| {
        f.iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<(&str, String)>>()
    };
    partner.get("/partner/inbound/new").await;
    let child = send(&fields("Mariama", "2015"));
    let refs: Vec<(&str, &str)> = child.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = partner.post("/partner/inbound/new", &refs).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("href=\"#representative\""),
        "{}",
        refused.body
    );
    assert_eq!(
        input_value(&refused.body, "given").as_deref(),
        Some("Mariama")
    );
    let adult = send(&fields("Awa", "1990"));
    let refs: Vec<(&str, &str)> = adult.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let sent = partner.post("/partner/inbound/new", &refs).await;
    assert!(
        sent.url.starts_with("/partner/inbound/"),
        "{} {}",
        sent.url,
        sent.body
    );
    let sent_url = sent.url.clone();
    let shown = plain(&unescape(&sent.body));
    assert!(shown.contains("Waiting"), "{shown}");
    assert!(shown.contains("Wishes to go home to Thiès."), "{shown}");
    let list = plain(&unescape(&partner.get("/partner/inbound").await.body));
    assert!(list.contains("BMD-Awa"), "{list}");

    // The office: on the counsellor's home page, opened, registered from a filled form.
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let home = plain(&unescape(&w.get("/home").await.body));
    assert!(home.contains("Referred to us"), "{home}");
    assert!(home.contains("from Brussels Migrant Desk"), "{home}");
    let id = sent_url.trim_start_matches("/partner/inbound/");
    let one = plain(&unescape(&w.get(&format!("/inbound/{id}")).await.body));
    assert!(one.contains("Wishes to go home to Thiès."), "{one}");
    assert!(one.contains(&format!("/cases/new?inbound={id}")), "{one}");
    let form = w.get(&format!("/cases/new?inbound={id}")).await.body;
    assert_eq!(input_value(&form, "inbound").as_deref(), Some(id));
    assert_eq!(input_value(&form, "given").as_deref(), Some("Awa"));
    assert!(
        !form.contains("name=\"referral_source\""),
        "the referral is the source"
    );
    let programme = s.app.list_programmes().await.unwrap()[0].id.to_string();
    let registered = w
        .post(
            "/cases/new",
            &[
                ("inbound", id),
                ("host_office", &office),
                ("programme", &programme),
                ("country_of_return", "SN"),
                ("return_kind", "origin"),
                ("given", "Awa"),
                ("family", "Diallo"),
                ("dob-day", "1"),
                ("dob-month", "5"),
                ("dob-year", "1990"),
                ("sex", "female"),
                ("language_1", "wo"),
                ("legal_situation", "irregular_stay"),
            ],
        )
        .await;
    assert!(
        registered.url.starts_with("/cases/") && registered.url != "/cases/new",
        "{} {}",
        registered.url,
        registered.body
    );
    let case_page = plain(&unescape(&registered.body));
    assert!(
        case_page.contains("Brussels Migrant Desk"),
        "the source: {case_page}"
    );
    // Registering it again is refused with the reason, and writes nothing.
    w.get(&format!("/inbound/{id}")).await;
    let again = w.get(&format!("/cases/new?inbound={id}")).await;
    assert_eq!(again.url, format!("/inbound/{id}"));
    let again = plain(&unescape(&again.body));
    assert!(
        again.contains("This referral had already been dealt with."),
        "{again}"
    );
    assert!(again.contains("Open the case"), "{again}");

    // The partner sees it registered, without the person's details any more.
    let after = plain(&unescape(&partner.get(&sent_url).await.body));
    assert!(after.contains("Registered"), "{after}");
    assert!(!after.contains("Wishes to go home"), "{after}");
    assert!(!after.contains("name=\"_csrf\" value=\"\""));

    // A second referral, declined with a reason the partner reads.
    partner.get("/partner/inbound/new").await;
    let other = send(&fields("Binta", "1985"));
    let refs: Vec<(&str, &str)> = other.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let second = partner.post("/partner/inbound/new", &refs).await.url;
    let id2 = second.trim_start_matches("/partner/inbound/").to_string();
    let mut m = Web::new(&s);
    m.sign_in("approver").await;
    let page = m.get(&format!("/inbound/{id2}")).await.body;
    assert!(
        !page.contains("/cases/new?inbound="),
        "a programme manager does not register"
    );
    let no_note = m
        .post(&format!("/inbound/{id2}/decline"), &[("reason", "other")])
        .await;
    assert_eq!(no_note.status, 422);
    assert!(no_note.body.contains("href=\"#note\""), "{}", no_note.body);
    let declined = m
        .post(
            &format!("/inbound/{id2}/decline"),
            &[
                ("reason", "other"),
                ("note", "Please call our Antwerp office."),
            ],
        )
        .await;
    assert_eq!(declined.url, format!("/inbound/{id2}"), "{}", declined.body);
    // Declining it again says it was dealt with, on its page.
    let again = m
        .post(
            &format!("/inbound/{id2}/decline"),
            &[("reason", "unreachable")],
        )
        .await;
    assert_eq!(again.url, format!("/inbound/{id2}"));
    assert!(
        plain(&unescape(&again.body)).contains("This referral had already been dealt with."),
        "{}",
        again.body
    );
    // The office's lists are in the navigation of those who take referrals.
    assert!(again.body.contains("href=\"/inbound\""), "{}", again.body);
    let read = plain(&unescape(&partner.get(&second).await.body));
    assert!(read.contains("Please call our Antwerp office."), "{read}");
    assert!(read.contains("Declined"), "{read}");
    // The partner reaches neither the office's list nor the case.
    assert_eq!(partner.get("/inbound").await.status, 403);
    assert_eq!(partner.get(&format!("/inbound/{id}")).await.status, 404);
}

/// A follow-up asks the returnee whether they received the services they were referred
/// for; the case page says what they said under each referral.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_records_whether_the_returnee_received_a_referred_service() {
    let s = demo_site(120).await;
    // A case in monitoring with a referral sent.
    let (rows, _) = s.app.store().read_model_snapshot().await.unwrap();
    let mut found = None;
    for row in rows.iter().filter(|r| r.stage.code() == "monitoring") {
        let events = s.app.store().load_events(row.case_id).await.unwrap();
        let case = homeward_domain::Case::replay(&events).unwrap();
        if let Some(r) = case.referrals.referrals.values().find(|r| r.was_sent()) {
            let principal = case.members[0].person_id;
            found = Some((row.case_id, r.request.referral_id, principal));
            break;
        }
    }
    let (case, referral, principal) = found.expect("a demo case in monitoring with a referral");
    let mut w = Web::new(&s);
    w.sign_in_with("monitoring", "demo-monitoring-2026").await;
    let path = format!("/cases/{case}/do/record-follow-up");
    let form = w.get(&path).await.body;
    assert!(
        form.contains(&format!(
            "name=\"services_not_received\" value=\"{referral}\""
        )),
        "{form}"
    );
    let (referral, principal) = (referral.to_string(), principal.to_string());
    // Ticked twice: refused, named.
    let twice = w
        .post(
            &path,
            &[
                ("mode", "phone"),
                ("result", "reached"),
                ("with", &principal),
                ("services_received", &referral),
                ("services_not_received", &referral),
            ],
        )
        .await;
    assert_eq!(twice.status, 422, "{}", twice.body);
    assert!(
        plain(&unescape(&twice.body)).contains("Tick each service once"),
        "{}",
        twice.body
    );
    assert!(
        twice.body.contains("href=\"#services_received\""),
        "the error leads to the field: {}",
        twice.body
    );
    w.get(&path).await;
    let done = w
        .post(
            &path,
            &[
                ("mode", "phone"),
                ("result", "reached"),
                ("with", &principal),
                ("services_not_received", &referral),
            ],
        )
        .await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    assert!(
        plain(&unescape(&done.body)).contains("the returnee said of the service: not received"),
        "{}",
        done.body
    );
}
