//! The web interface over plain HTTP: office scope, CSRF, languages, sessions that end
//! mid-form, page weight and headers. (The browser walks are in `browser.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod site;

use site::{PASSWORD, Site, demo_site, site};

struct Web<'a> {
    site: &'a Site,
    client: reqwest::Client,
    last: String,
}

struct Page {
    status: u16,
    body: String,
    url: String,
}

/// Decodes the character references askama writes (`&#34;`, `&quot;`...).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(end) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let entity = &tail[1..end];
        let c = match entity {
            "quot" => Some('"'),
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A page's text without the isolation marks Fluent puts around each argument.
fn plain(body: &str) -> String {
    body.replace(['\u{2068}', '\u{2069}'], "")
}

fn token(body: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = body.find(marker).map(|i| i + marker.len()).unwrap_or(0);
    body[start..].split('"').next().unwrap_or("").to_string()
}

impl<'a> Web<'a> {
    fn new(site: &'a Site) -> Self {
        Web {
            site,
            client: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            last: String::new(),
        }
    }

    async fn page(&mut self, res: reqwest::Response) -> Page {
        let status = res.status().as_u16();
        let url = res.url().path().to_string();
        let body = res.text().await.unwrap();
        assert!(status < 500, "{status}: {body}");
        self.last = body.clone();
        Page { status, body, url }
    }

    async fn get(&mut self, path: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.site.base))
            .send()
            .await
            .unwrap();
        self.page(res).await
    }

    /// Posts a form with the CSRF token of the last page seen.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form: Vec<(String, String)> = vec![("_csrf".into(), token(&self.last))];
        form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let res = self
            .client
            .post(format!("{}{path}", self.site.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        self.page(res).await
    }

    async fn sign_in(&mut self, user: &str) {
        self.sign_in_with(user, PASSWORD).await;
    }

    async fn sign_in_with(&mut self, user: &str, password: &str) {
        self.get("/sign-in").await;
        let p = self
            .post("/sign-in", &[("username", user), ("password", password)])
            .await;
        assert_eq!(p.url, "/home", "{user} could not sign in: {}", p.body);
    }

    async fn register(&mut self, given: &str) -> String {
        self.get("/cases/new").await;
        let office = self.site.bru.to_string();
        let programme = self.site.app.list_programmes().await.unwrap()[0]
            .id
            .to_string();
        let p = self
            .post(
                "/cases/new",
                &[
                    ("host_office", &office),
                    ("programme", &programme),
                    ("referral_source", "self_referral"),
                    ("country_of_return", "SN"),
                    ("return_kind", "origin"),
                    ("given", given),
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
            p.url.starts_with("/cases/") && p.url != "/cases/new",
            "registered: {} {}",
            p.url,
            p.body
        );
        p.url.trim_start_matches("/cases/").to_string()
    }
}

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
    // Searches by name are posted, never in a URL; the list's filters carry no names.
    assert!(
        w.get("/cases")
            .await
            .body
            .contains("<form method=\"post\" action=\"/cases\"")
    );
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
    admin.get(&path).await;
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
            ],
        )
        .await;
    assert_eq!(p.url, "/admin", "{}", p.body);
    assert_eq!(
        s.app
            .get_programme(programme.id)
            .await
            .unwrap()
            .settings
            .reflection_period_days,
        5
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_s_details_are_changed_from_a_prefilled_form() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let page = w.get(&format!("/cases/{case}")).await;
    let marker = "/do/update-person-details?person=";
    let start = page.body.find(marker).expect("a link to change the person") + marker.len();
    let person = page.body[start..start + 36].to_string();
    let form = w
        .get(&format!(
            "/cases/{case}/do/update-person-details?person={person}"
        ))
        .await;
    assert!(form.body.contains("value=\"Awa\""), "prefilled");
    assert!(form.body.contains("value=\"1990\""));
    let p = w
        .post(
            &format!("/cases/{case}/do/update-person-details"),
            &[
                ("version", "2"),
                ("person_id", &person),
                ("given", "Aïssatou"),
                ("family", "Diallo"),
                ("dob-day", "1"),
                ("dob-month", "5"),
                ("dob-year", "1990"),
                ("sex", "female"),
                ("language_1", "wo"),
                ("language_2", "fr"),
                ("legal_situation", "irregular_stay"),
                ("vulnerabilities", "medical_needs"),
            ],
        )
        .await;
    assert_eq!(p.url, format!("/cases/{case}"), "{}", p.body);
    assert!(unescape(&p.body).contains("Aïssatou Diallo"));
    assert!(p.body.contains("French"), "the new language is shown");
}

/// The rows of the table that follows `marker` in a page: each row's cells, as text.
fn table_after(body: &str, marker: &str) -> Vec<Vec<String>> {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not on the page"));
    let rest = &body[start..];
    let table = &rest[rest.find("<tbody>").unwrap()..rest.find("</tbody>").unwrap()];
    table
        .split("<tr>")
        .skip(1)
        .map(|row| {
            let mut cells = vec![];
            let mut rest = row;
            while let Some(i) = rest.find("<t") {
                let cell = &rest[i..];
                let open = cell.find('>').unwrap() + 1;
                let close = cell[open..].find('<').unwrap() + open;
                cells.push(plain(&unescape(&cell[open..close])));
                rest = &cell[close..];
            }
            cells
        })
        .collect()
}

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
        7,
        "seven charts"
    );
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
        plain(&p.body).contains("Departed on or after: enter a date such as 2026-03-31."),
        "{}",
        p.body
    );
    // A period with no departures shows zeros, not an error.
    let p = w.get("/statistics?from=2001-01-01&until=2001-12-31").await;
    assert_eq!(p.body.matches("No returns in this selection.").count(), 6);
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
