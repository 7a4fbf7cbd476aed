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

    /// Posts a form with the CSRF token of the last page seen, and the digest of the
    /// settings it was opened on where it has one (as a browser sends them back).
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form: Vec<(String, String)> = vec![("_csrf".into(), token(&self.last))];
        let marker = "name=\"settings_digest\" value=\"";
        if let Some(at) = self.last.find(marker)
            && !fields.iter().any(|(k, _)| *k == "settings_digest")
        {
            let digest = self.last[at + marker.len()..]
                .split('"')
                .next()
                .unwrap_or("");
            form.push(("settings_digest".into(), digest.to_string()));
        }
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
        self.register_with(given, &[]).await
    }

    /// Registers a case with more fields (`occurred-day`, ...).
    async fn register_with(&mut self, given: &str, more: &[(&str, &str)]) -> String {
        self.get("/cases/new").await;
        let office = self.site.bru.to_string();
        let programme = self.site.app.list_programmes().await.unwrap()[0]
            .id
            .to_string();
        let mut fields = vec![
            ("host_office", office.as_str()),
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
        ];
        fields.extend_from_slice(more);
        let p = self.post("/cases/new", &fields).await;
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

/// Form fields as `Web::post` takes them.
fn as_pairs<'a>(fields: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Each value of `attr="..."` in a page, as the browser would read it.
fn attributes(body: &str, attr: &str) -> Vec<String> {
    let marker = format!(" {attr}=\"");
    body.match_indices(&marker)
        .filter_map(|(i, _)| body[i + marker.len()..].split('"').next())
        .map(unescape)
        .collect()
}

/// A form as a careless or hostile client might fill it: the form's own field names and
/// offered values (so that many bodies get past parsing into the rules), mixed with
/// names and values no form offers.
fn hostile_form(
    names: Vec<String>,
    values: Vec<String>,
) -> impl proptest::strategy::Strategy<Value = Vec<(String, String)>> {
    use proptest::prelude::*;
    let name = prop_oneof![
        4 => proptest::sample::select(names),
        1 => "[a-z_\\-\\[\\]0-9]{0,12}",
        1 => any::<String>(),
    ];
    let value = prop_oneof![
        4 => proptest::sample::select(values),
        2 => any::<String>(),
        1 => "-?[0-9]{1,25}",
        1 => Just(String::new()),
        1 => "[ \t\r\n]{1,5}",
        1 => (1usize..20_000).prop_map(|n| "é".repeat(n)),
        1 => proptest::sample::select(vec![
            "<script>alert(1)</script>",
            "'; DROP TABLE events; --",
            "1e309",
            "NaN",
            "2026-02-30",
            "-1",
            "18446744073709551616",
            "00000000-0000-0000-0000-000000000000",
            "\u{0}",
            "\u{202e}",
        ])
        .prop_map(String::from),
    ];
    proptest::collection::vec((name, value), 0..24)
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

/// The references a page lists, in order (`class="ref">REF<`).
fn references(body: &str) -> Vec<String> {
    let marker = "class=\"ref\">";
    body.match_indices(marker)
        .filter_map(|(i, _)| body[i + marker.len()..].split('<').next())
        .map(str::to_string)
        .collect()
}

/// Every work queue lists all its cases, whatever their stage among the queue's, waiting
/// longest first (or the soonest flight first), paged; the home page shows its first ten,
/// its whole count and a link to the rest; a role without the queue is refused it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_work_queue_shows_all_its_cases_in_order_and_the_home_page_links_to_them() {
    use homeward_domain::case::reintegration::PlanWork;
    use homeward_web::pages::queues::{CASE_QUEUES, Dated};
    let s = demo_site(300).await;
    let (rows, _) = s.app.store().read_model_snapshot().await.unwrap();
    let now = homeward_app::now();
    let mut approvals_excepted = 0;
    for user in [
        "counsellor",
        "approver",
        "movement",
        "medical",
        "reintegration",
        "monitoring",
    ] {
        let password = format!("demo-{user}-2026");
        let issued = s
            .app
            .login(
                user,
                &password,
                None,
                homeward_app::auth::SessionKind::Token,
                None,
            )
            .await
            .unwrap();
        let actor = s.app.authenticate(&issued.secret).await.unwrap().actor;
        let mut w = Web::new(&s);
        w.sign_in_with(user, &password).await;
        let home = plain(&w.get("/home").await.body);
        for q in &CASE_QUEUES {
            let first = w.get(&format!("/queues/{}", q.slug)).await;
            if !actor.has_any(q.roles) {
                assert_eq!(first.status, 403, "{user} /queues/{}", q.slug);
                continue;
            }
            assert_eq!(first.status, 200, "{user} /queues/{}", q.slug);
            // What the queue must hold: its stages, in the reader's offices, in its order.
            let mut want: Vec<&homeward_store::CaseRow> = rows
                .iter()
                .filter(|r| q.stages.iter().any(|st| st.code() == r.stage))
                .filter(|r| {
                    actor
                        .offices
                        .iter()
                        .any(|o| o.0 == r.host_office || Some(o.0) == r.return_office)
                })
                .filter(|r| {
                    !q.this_week
                        || r.departs_at
                            .is_some_and(|d| d >= now && d < now + chrono::Duration::days(7))
                })
                .filter(|r| !q.unreached || r.unreached > 0)
                .filter(|r| {
                    // A plan queue: only what its plan waits for, in the cases the
                    // reader's offices lead (the office of return after arrival).
                    let lead = match (r.arrived_at, r.return_office) {
                        (Some(_), Some(o)) => o,
                        _ => r.host_office,
                    };
                    q.plan_work.is_empty()
                        || (q
                            .plan_work
                            .iter()
                            .any(|w| r.plan_work.as_deref() == Some(w.code()))
                            && actor.offices.iter().any(|o| o.0 == lead))
                })
                .collect();
            match q.dated {
                Dated::WaitingSince => want.sort_by_key(|r| (r.updated_at, r.case_id)),
                Dated::Flight => {
                    want.sort_by_key(|r| (r.departs_at.is_none(), r.departs_at, r.case_id))
                }
                Dated::Submitted => {
                    want.sort_by_key(|r| (r.applied_at.is_none(), r.applied_at, r.case_id))
                }
            }
            // The approver's queue names the exceptions each plan asks them to accept.
            let excepted = want
                .iter()
                .filter(|r| r.plan_work.as_deref() == Some("to_approve") && r.plan_exceptions != 0)
                .count();
            let want: Vec<String> = want.iter().map(|r| r.reference.clone()).collect();
            let mut got = references(&first.body);
            let mut notes = plain(&first.body).matches(" · exception: ").count();
            for page in 2.. {
                let next = w.get(&format!("/queues/{}?page={page}", q.slug)).await;
                let refs = references(&next.body);
                if refs.is_empty() {
                    break;
                }
                notes += plain(&next.body).matches(" · exception: ").count();
                got.extend(refs);
            }
            assert_eq!(got, want, "{user}: queue {}", q.slug);
            let shows_exceptions = q.plan_work.contains(&PlanWork::ToApprove);
            assert_eq!(
                notes,
                if shows_exceptions { excepted } else { 0 },
                "{user}: exceptions in {}",
                q.slug
            );
            approvals_excepted += usize::from(shows_exceptions) * excepted;
            // The home page: the count, the first ten, and "see all" when there is more.
            let title = homeward_web::i18n::I18n::new(homeward_web::i18n::Lang::En).t(q.title);
            let section = home
                .split("<section class=\"queue\"")
                .find(|sec| sec.contains(&format!(">{title} <")))
                .unwrap_or_else(|| panic!("{user}: no {} queue on the home page", q.slug));
            assert!(
                section.contains(&format!("<span class=\"count\">{}</span>", want.len())),
                "{user}: {} counts {}",
                q.slug,
                want.len()
            );
            let shown = references(section);
            assert_eq!(shown, want[..want.len().min(10)], "{user}: {}", q.slug);
            assert_eq!(
                section.contains(&format!("href=\"/queues/{}\"", q.slug)),
                want.len() > 10,
                "{user}: see all {}",
                q.slug
            );
        }
    }
    assert!(
        approvals_excepted > 0,
        "the demo has plans waiting for approval with an exception"
    );
}

/// What happens next says the next step and who takes it: a registered case needs an
/// information session (not "consent is missing"), first on the page, before the record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_case_says_an_information_session_comes_next_and_who_holds_it() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let page = plain(&unescape(&w.get(&format!("/cases/{case}")).await.body));
    let i = homeward_web::i18n::I18n::new(homeward_web::i18n::Lang::En);
    let next = i.t("next-hold_information_session");
    let at = page.find(&next).expect("the next step on the case page");
    assert!(page[at..].contains(&i.t("role-counsellor")));
    assert!(!page.contains(&i.t("rule-consent-missing")), "{page}");
    assert!(
        at < page.find(&i.t("case-timeline")).unwrap(),
        "what happens next comes before the record"
    );
    // "Print" works without JavaScript: it opens the case as it prints.
    assert!(page.contains(&format!("href=\"/cases/{case}/print\"")));
    let print = w.get(&format!("/cases/{case}/print")).await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains("<body class=\"print-view\">"));
    assert!(plain(&unescape(&print.body)).contains(&i.t("case-print-hint")));
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

/// My work first: the home page lists the cases I own; the case page names its
/// caseworker, who can be changed to someone of the leading office; the list filters to
/// my cases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_cases_come_first_and_a_case_names_its_caseworker_who_can_be_changed() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let reference = references(&w.get(&format!("/cases/{case}")).await.body)[0].clone();
    let home = plain(&w.get("/home").await.body);
    let mine = home
        .split("<section class=\"queue\"")
        .nth(1)
        .expect("a first queue");
    assert!(mine.contains(">My cases <"), "my work first: {mine}");
    assert!(mine.contains(&reference));
    let page = plain(&unescape(&w.get(&format!("/cases/{case}")).await.body));
    assert!(page.contains("Caseworker") && page.contains("Test counsellor"));
    let form = w
        .get(&format!("/cases/{case}/do/assign-caseworker"))
        .await
        .body;
    assert!(
        form.contains("Test approver"),
        "staff of the leading office"
    );
    assert!(
        !form.contains("Test counsellor_ams"),
        "not another office's"
    );
    let approver = form
        .split("<option value=\"")
        .find(|o| o.contains(">Test approver<"))
        .and_then(|o| o.split('"').next())
        .unwrap()
        .to_string();
    let done = w
        .post(
            &format!("/cases/{case}/do/assign-caseworker"),
            &[("user_id", approver.as_str())],
        )
        .await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    assert!(plain(&unescape(&done.body)).contains("Test approver"));
    let listed = w.get("/cases?mine=1").await.body;
    assert!(!listed.contains(&reference), "no longer mine");
    let mut approver_web = Web::new(&s);
    approver_web.sign_in("approver").await;
    assert!(
        approver_web
            .get("/cases?mine=1")
            .await
            .body
            .contains(&reference)
    );
}

/// A note from its form: its flag shows at the top of the case page, its text among the
/// notes; an empty note names the field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_raises_a_flag_shown_at_the_top_of_the_case() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let path = format!("/cases/{case}/do/add-note");
    w.get(&path).await;
    let empty = w.post(&path, &[("sensitivity", "")]).await;
    assert_eq!(empty.status, 422);
    assert!(plain(&unescape(&empty.body)).contains("Enter the note."));
    w.get(&path).await;
    let done = w
        .post(
            &path,
            &[
                ("text", "Her brother calls asking where she lives."),
                ("sensitivity", "trafficking"),
                ("raises", "risk"),
            ],
        )
        .await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    let page = plain(&unescape(&done.body));
    let head = &page[..page.find("case-grid").unwrap()];
    assert!(head.contains(">Risk<"), "the flag at the top: {head}");
    assert!(page.contains("Her brother calls asking where she lives."));
}

/// A role that works on no cases gets a home page that says what it can do here, with
/// links, and nothing about figures to a partner who reads none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_without_cases_see_what_they_can_do_from_their_home_page() {
    let s = demo_site(20).await;
    for (user, links, absent) in [
        ("admin", &["/admin", "/audit", "/account"][..], "/queues/"),
        ("donor", &["/statistics", "/account"][..], "/admin\">"),
        ("auditor", &["/audit", "/account"][..], "/admin\">"),
        ("partner", &["/partner", "/account"][..], "/statistics\">"),
    ] {
        let mut w = Web::new(&s);
        w.sign_in_with(user, &format!("demo-{user}-2026")).await;
        let home = w.get("/home").await.body;
        let main = &home[home.find("<main").unwrap()..];
        for l in links {
            assert!(
                main.contains(&format!("href=\"{l}\"")),
                "{user}: {l} in {main}"
            );
        }
        assert!(!main.contains(absent), "{user}: {absent}");
    }
}

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
/// every state, held on time or late, days to departure; not offered to a donor.
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
    assert!(page.body.contains("/performance.csv"), "downloads");
    let mut d = Web::new(&s);
    d.sign_in_with("donor", "demo-donor-2026").await;
    assert!(
        !d.get("/statistics")
            .await
            .body
            .contains("/statistics/performance")
    );
    assert_eq!(d.get("/statistics/performance").await.status, 403);
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
    let mut d = Web::new(&s);
    d.sign_in_with("donor", "demo-donor-2026").await;
    assert!(
        !d.get("/statistics")
            .await
            .body
            .contains("/statistics/communities")
    );
    assert_eq!(d.get("/statistics/communities").await.status, 403);
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
    let body = plain(&unescape(&page.body));
    for shown in [
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

/// The value of a hidden or filled input of an HTML page.
fn input_value(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = page.find(&marker)?;
    let tag_start = page[..at].rfind('<')?;
    let tag = &page[tag_start..at + page[at..].find('>')?];
    let v = tag.find("value=\"")? + "value=\"".len();
    Some(tag[v..].split('"').next()?.to_string())
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
    for row in rows.iter().filter(|r| r.stage == "monitoring") {
        let events = s
            .app
            .store()
            .load_events(homeward_domain::ids::CaseId(row.case_id))
            .await
            .unwrap();
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

/// Approving shows what is approved (who returns, each with their consent, where to, with
/// what assistance, the screening) and takes a comment, shown with the decision on the
/// case page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_shows_what_is_approved_and_keeps_the_approver_s_comment() {
    let s = demo_site(120).await;
    let mut w = Web::new(&s);
    w.sign_in_with("approver", "demo-approver-2026").await;
    // Each application says since when it waits and by when it is to be decided, by the
    // programme's days: the longest waiting come first, and the demo's oldest have waited
    // months (the newest may still be due).
    let queue = w.get("/queues/approve").await;
    let noted = plain(&queue.body);
    assert!(noted.contains("Overdue: waiting since "), "{noted}");
    let issued = s
        .app
        .login(
            "admin",
            "demo-admin-2026",
            None,
            homeward_app::auth::SessionKind::Token,
            None,
        )
        .await
        .unwrap();
    let admin = s.app.authenticate(&issued.secret).await.unwrap();
    let programme = s.app.list_programmes().await.unwrap().remove(0);
    let mut settings = programme.settings.clone();
    settings.decide_within_days = 3650;
    s.app
        .update_programme(&admin, programme.id, None, Some(settings))
        .await
        .unwrap();
    let queue = w.get("/queues/approve").await;
    let noted = plain(&queue.body);
    assert!(noted.contains("; due by "), "{noted}");
    assert!(!noted.contains("Overdue"), "ten years to decide: {noted}");
    let case = queue
        .body
        .split("href=\"/cases/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_string)
        .expect("the demo has an application to decide");
    // A note dated two days back is an entry recorded late, which the approver is shown.
    use chrono::Datelike;
    let back = (chrono::Utc::now() - chrono::Duration::days(2)).date_naive();
    let note = format!("/cases/{case}/do/add-note");
    w.get(&note).await;
    let noted = w
        .post(
            &note,
            &[
                ("text", "The family confirmed the date by phone."),
                ("sensitivity", ""),
                ("occurred-day", &back.day().to_string()),
                ("occurred-month", &back.month().to_string()),
                ("occurred-year", &back.year().to_string()),
            ],
        )
        .await;
    assert_eq!(noted.url, format!("/cases/{case}"), "{}", noted.body);
    let path = format!("/cases/{case}/do/approve-application");
    let form = w.get(&path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let text = plain(&unescape(&form.body));
    for shown in [
        "years old",
        "consent given on",
        "Returning to ",
        "Screened as eligible: ",
        "Reintegration package for this household: up to ",
        "Recorded more than a day after they happened: Note added",
        "Comment (optional)",
    ] {
        assert!(text.contains(shown), "{shown}: {text}");
    }
    assert!(
        text.contains("Assistance proposed: ") || text.contains("No assistance is proposed."),
        "{text}"
    );
    let done = w
        .post(
            &path,
            &[(
                "comment",
                "Consent and screening checked; the family travels together.",
            )],
        )
        .await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    let page = plain(&unescape(&done.body));
    assert!(page.contains("Approved — "), "{page}");
    assert!(
        page.contains("Consent and screening checked; the family travels together."),
        "{page}"
    );
}

/// The programme manager's "due and overdue" lists every kind of deadline of the offices'
/// cases, each whole, paged and in order, with its count on the tab and on the home page;
/// an office chosen narrows every list to it; other roles are refused the page. The
/// approval queue keeps the longest-submitted application first even after a newer note.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn due_and_overdue_lists_every_kind_of_deadline_of_the_offices_cases() {
    use homeward_web::pages::deadlines::Kind;
    let s = demo_site(300).await;
    let mut w = Web::new(&s);
    w.sign_in_with("approver", "demo-approver-2026").await;
    // A note on the application submitted first does not move it down the approval queue.
    let oldest = references(&w.get("/queues/approve").await.body)
        .first()
        .cloned()
        .expect("the demo has applications");
    let (rows, _) = s.app.store().read_model_snapshot().await.unwrap();
    let case = rows.iter().find(|r| r.reference == oldest).unwrap().case_id;
    let note = format!("/cases/{case}/do/add-note");
    w.get(&note).await;
    let noted = w
        .post(
            &note,
            &[("text", "Called the family."), ("sensitivity", "")],
        )
        .await;
    assert_eq!(noted.url, format!("/cases/{case}"), "{}", noted.body);
    assert_eq!(
        references(&w.get("/queues/approve").await.body).first(),
        Some(&oldest)
    );

    let issued = s
        .app
        .login(
            "approver",
            "demo-approver-2026",
            None,
            homeward_app::auth::SessionKind::Token,
            None,
        )
        .await
        .unwrap();
    let who = s.app.authenticate(&issued.secret).await.unwrap();
    // A case preparing to leave whose principal's travel documents now run out the day
    // after tomorrow, before the flight: a deadline of its own kind.
    let now = homeward_app::now();
    let leaving = rows
        .iter()
        .find(|r| {
            r.stage == "pre_departure"
                && r.host_office == s.bru.0
                && r.departs_at
                    .is_some_and(|d| d > now + chrono::Duration::days(3))
        })
        .expect("the demo has a case preparing to leave")
        .clone();
    let issued = s
        .app
        .login(
            "movement",
            "demo-movement-2026",
            None,
            homeward_app::auth::SessionKind::Token,
            None,
        )
        .await
        .unwrap();
    let movement = s.app.authenticate(&issued.secret).await.unwrap();
    let expires = now.date_naive() + chrono::Duration::days(2);
    let id = homeward_domain::ids::CaseId(leaving.case_id);
    let view = s.app.case_view(&movement, id).await.unwrap();
    let principal = view.case.members[0].person_id;
    let mut version = view.version;
    for d in view.case.documents_of(principal) {
        let mut d = d.clone();
        d.expires_on = Some(expires);
        version = s
            .app
            .execute(
                &movement,
                id,
                version,
                None,
                homeward_domain::Command::RecordTravelDocument(d),
            )
            .await
            .unwrap()
            .version;
    }
    let (rows, _) = s.app.store().read_model_snapshot().await.unwrap();
    let expiring = rows.iter().find(|r| r.case_id == leaving.case_id).unwrap();
    assert_eq!(expiring.documents_expire_on, Some(expires));
    // Every case's two deadlines in the list are the domain's, from its events.
    for r in &rows {
        let events = s
            .app
            .store()
            .load_events(homeward_domain::ids::CaseId(r.case_id))
            .await
            .unwrap();
        let case = homeward_domain::Case::replay(&events).unwrap();
        assert_eq!(
            (r.items_due_on, r.documents_expire_on),
            (
                case.reintegration.items_due(),
                homeward_domain::case::guard::travel_document_expires_before_flight(&case)
            ),
            "{}",
            r.reference
        );
    }
    let today = now.date_naive();
    let in_offices = |r: &&homeward_store::CaseRow, only: Option<uuid::Uuid>| {
        who.actor.offices.iter().any(|o| {
            only.is_none_or(|x| x == o.0) && (o.0 == r.host_office || Some(o.0) == r.return_office)
        })
    };
    let staged = |r: &homeward_store::CaseRow, stages: &[&str]| stages.contains(&r.stage.as_str());
    let before = ["approved", "pre_departure", "ready_to_depart"];
    let after = ["arrived", "reintegration", "monitoring"];
    // What each list of cases must hold, in its order.
    let want = |kind: Kind, only: Option<uuid::Uuid>| -> Option<Vec<String>> {
        let mut of: Vec<&homeward_store::CaseRow> =
            rows.iter().filter(|r| in_offices(r, only)).collect();
        match kind {
            Kind::Applications => {
                of.retain(|r| r.stage == "applied");
                of.sort_by_key(|r| (r.applied_at, r.case_id));
            }
            Kind::Flights => {
                of.retain(|r| staged(r, &before) && r.departs_at.is_some_and(|d| d < now));
                of.sort_by_key(|r| (r.departs_at, r.case_id));
            }
            Kind::Documents => {
                of.retain(|r| staged(r, &before) && r.documents_expire_on.is_some());
                of.sort_by_key(|r| (r.documents_expire_on, r.case_id));
            }
            Kind::Items => {
                of.retain(|r| staged(r, &after) && r.items_due_on.is_some_and(|d| d < today));
                of.sort_by_key(|r| (r.items_due_on, r.case_id));
            }
            Kind::Referrals | Kind::FollowUps => return None,
        }
        Some(of.iter().map(|r| r.reference.clone()).collect())
    };
    // Referrals and follow-ups: the same lists as their own queues, in one office or all.
    let waiting = async |kind: Kind, office: Option<homeward_domain::ids::OfficeId>| {
        let page = homeward_store::PageRequest {
            page: 1,
            per_page: 200,
        };
        match kind {
            Kind::Referrals => s
                .app
                .referrals_waiting(
                    &who,
                    office,
                    homeward_app::cases::ReferralQueue::Overdue,
                    today,
                    page,
                )
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|r| r.case.reference)
                .collect::<Vec<_>>(),
            _ => s
                .app
                .follow_ups_waiting(
                    &who,
                    office,
                    homeward_app::cases::FollowUpQueue::Overdue,
                    today,
                    page,
                )
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|f| f.case.reference)
                .collect(),
        }
    };
    let read_all = async |w: &mut Web, first: &str| {
        let mut got = references(&w.get(first).await.body);
        for page in 2.. {
            let refs = references(&w.get(&format!("{first}&page={page}")).await.body);
            if refs.is_empty() {
                break;
            }
            got.extend(refs);
        }
        got
    };
    let home = plain(&w.get("/home").await.body);
    let brussels = s.bru.0;
    for kind in Kind::ALL {
        let (code, _) = kind.code();
        let got = read_all(&mut w, &format!("/deadlines?queue={code}")).await;
        let expected = match want(kind, None) {
            Some(want) => want,
            None => waiting(kind, None).await,
        };
        assert_eq!(got, expected, "{code}");
        // The count on the home page and on the tab.
        let title = homeward_web::i18n::I18n::new(homeward_web::i18n::Lang::En).t(kind.code().1);
        assert!(
            home.contains(&format!(
                "href=\"/deadlines?queue={code}\">{title}</a> <span class=\"count\">{}</span>",
                expected.len()
            )),
            "{code}: {home}"
        );
        // One office chosen: only its cases.
        let want_here = match want(kind, Some(brussels)) {
            Some(want) => want,
            None => waiting(kind, Some(s.bru)).await,
        };
        let got = read_all(
            &mut w,
            &format!("/deadlines?office={brussels}&queue={code}"),
        )
        .await;
        assert_eq!(got, want_here, "{code} in Brussels");
    }
    // The demo has work of most kinds (every kind is exercised by the rules' own tests).
    for code in [
        "applications",
        "flights",
        "documents",
        "items",
        "follow-ups",
    ] {
        assert!(
            !read_all(&mut w, &format!("/deadlines?queue={code}"))
                .await
                .is_empty(),
            "the demo has {code} due"
        );
    }
    // An office that is not the reader's (Dakar's, or none) or no id at all is not found.
    for office in [
        s.dkr.0.to_string(),
        uuid::Uuid::new_v4().to_string(),
        "nope".into(),
    ] {
        for kind in Kind::ALL {
            let page = w
                .get(&format!(
                    "/deadlines?office={office}&queue={}",
                    kind.code().0
                ))
                .await;
            assert_eq!(page.status, 404, "{office} {kind:?}");
        }
    }
    let mut c = Web::new(&s);
    c.sign_in_with("counsellor", "demo-counsellor-2026").await;
    assert_eq!(c.get("/deadlines").await.status, 403);
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

/// An XLSForm workbook of a small scored survey; its second question's type is `second`.
fn survey_workbook(second: &str) -> Vec<u8> {
    let sheets: [(&str, Vec<Vec<&str>>); 5] = [
        (
            "survey",
            vec![
                vec![
                    "type",
                    "name",
                    "label::English (en)",
                    "label::Français (fr)",
                    "indicator",
                    "relevant",
                ],
                vec![
                    "select_one yn",
                    "work",
                    "Do you work?",
                    "Travaillez-vous ?",
                    "work",
                    "",
                ],
                vec![
                    second,
                    "safe",
                    "Do you feel safe?",
                    "Vous sentez-vous en sécurité ?",
                    "safety",
                    "${work} = 'yes'",
                ],
            ],
        ),
        (
            "choices",
            vec![
                vec![
                    "list_name",
                    "name",
                    "label::English (en)",
                    "label::Français (fr)",
                    "score",
                ],
                vec!["yn", "no", "No", "Non", "0"],
                vec!["yn", "yes", "Yes", "Oui", "1"],
                vec!["yn", "dk", "Does not know", "Ne sait pas", ""],
            ],
        ),
        (
            "settings",
            vec![
                vec!["form_id", "form_title"],
                vec!["rss_web", "Reintegration check"],
            ],
        ),
        (
            "indicators",
            vec![
                vec![
                    "name",
                    "dimension",
                    "weight",
                    "label::English (en)",
                    "label::Français (fr)",
                ],
                vec!["work", "economic", "1", "Work", "Travail"],
                vec!["safety", "psychosocial", "1", "Safety", "Sécurité"],
            ],
        ),
        (
            "dimensions",
            vec![
                vec!["dimension", "weight"],
                vec!["economic", "1"],
                vec!["psychosocial", "1"],
            ],
        ),
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet().set_name(name).unwrap();
        for (r, cells) in rows.iter().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, *cell).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
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

/// A demo case in monitoring, and its principal returnee.
async fn case_in_monitoring(s: &Site) -> (uuid::Uuid, String) {
    let (rows, _) = s.app.store().read_model_snapshot().await.unwrap();
    let case = rows
        .iter()
        .find(|r| r.stage == "monitoring")
        .expect("a demo case in monitoring")
        .case_id;
    let events = s
        .app
        .store()
        .load_events(homeward_domain::ids::CaseId(case))
        .await
        .unwrap();
    let principal = homeward_domain::Case::replay(&events).unwrap().members[0]
        .person_id
        .to_string();
    (case, principal)
}

/// The template survey's best option of every scored question, as the form names them;
/// no children of school age, so the schooling question is not asked.
fn best_answers() -> Vec<(String, String)> {
    use homeward_domain::survey::QuestionKind;
    let template = homeward_app::survey_template::reintegration_sustainability().unwrap();
    let mut answers: Vec<(String, String)> = vec![];
    for q in &template.questions {
        let best = q
            .kind
            .choices()
            .iter()
            .filter(|c| c.score.is_some())
            .max_by_key(|c| c.score)
            .map(|c| c.name.clone());
        match (&q.kind, best) {
            (QuestionKind::SelectOne { .. } | QuestionKind::SelectMultiple { .. }, Some(b))
                if q.name != "schooling" =>
            {
                answers.push((format!("survey-{}", q.name), b));
            }
            (_, Some(_)) => {}
            (QuestionKind::SelectOne { .. }, None) => {
                answers.push((format!("survey-{}", q.name), "no".into()))
            }
            _ => {}
        }
    }
    answers
}

/// A follow-up that reaches the returnee asks the programme's survey on the same form, in
/// the reader's language; a required question left empty is named; the answers are
/// scored and the case page shows the scores over time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_asks_the_programme_s_survey_and_the_case_shows_the_scores() {
    let s = demo_site(60).await;
    let (case, principal) = case_in_monitoring(&s).await;
    let mut w = Web::new(&s);
    w.sign_in_with("monitoring", "demo-monitoring-2026").await;
    let path = format!("/cases/{case}/do/record-follow-up");
    let form = w.get(&path).await.body;
    assert!(form.contains("name=\"survey-income_sources\""), "{form}");
    assert!(
        form.contains("name=\"survey_version\" value=\"1\""),
        "{form}"
    );
    let answers = best_answers();
    let mut fields: Vec<(&str, &str)> = vec![
        ("mode", "visit"),
        ("result", "reached"),
        ("with", &principal),
        ("survey_key", "reintegration_sustainability"),
        ("survey_version", "1"),
    ];
    // The first question left empty: named, and nothing recorded.
    fields.extend(
        answers
            .iter()
            .skip(1)
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let missing = w.post(&path, &fields).await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(
        missing.body.contains("href=\"#survey-income_sources\""),
        "{}",
        missing.body
    );
    w.get(&path).await;
    let mut fields: Vec<(&str, &str)> = vec![
        ("mode", "visit"),
        ("result", "reached"),
        ("with", &principal),
        ("survey_key", "reintegration_sustainability"),
        ("survey_version", "1"),
    ];
    fields.extend(answers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    // A choice made before its condition was undone (a radio cannot be cleared): the
    // question is not asked, and its answer is left out, not refused.
    fields.push(("survey-schooling", "no"));
    let done = w.post(&path, &fields).await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    let page = plain(&unescape(&done.body));
    assert!(page.contains("Reintegration scores over time"), "{page}");
    assert!(page.contains("reintegration_sustainability v1"), "{page}");
    // The best answers: 1 in every dimension and overall.
    let table = table_after(&done.body, "Reintegration scores over time");
    assert_eq!(
        table.last().map(|r| r[2..].to_vec()),
        Some(vec!["1".to_string(), "1".into(), "1".into(), "1".into()]),
        "{table:?}"
    );
    // The programme's report: the M&E officer reads the scores by time since return,
    // with the survey's version and weights; by sex, each group named.
    let report = w.get("/statistics").await.body;
    assert!(report.contains("href=\"/statistics/impact\""), "{report}");
    let page = plain(&unescape(&w.get("/statistics/impact?by=sex").await.body));
    for shown in [
        "Reintegration sustainability (template shaped like IOM's survey; placeholder weights), version 1",
        "Weights of the dimensions in the composite: Economic 1, Social 1, Psychosocial 1.",
        "follow-up",
        "Female",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    // By vulnerability, with the share at or above the threshold the demo programme set.
    let body = w.get("/statistics/impact?by=vulnerability").await.body;
    let page = plain(&unescape(&body));
    for shown in [
        "Sustainable: a composite of 0.5 or more, the threshold this survey version sets.",
        "Sustainable (share)",
        "Any vulnerability",
        "No vulnerability",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    let table = table_after(&body, "Sustainable: a composite of");
    let total = table.last().unwrap();
    assert_eq!(total.len(), 7, "{table:?}");
    assert!(total[6].ends_with('%'), "{table:?}");
    // A donor reads it too, as the last settled month ended: today's survey is not in it.
    let mut d = Web::new(&s);
    d.sign_in_with("donor", "demo-donor-2026").await;
    assert!(
        d.get("/statistics")
            .await
            .body
            .contains("href=\"/statistics/impact\"")
    );
    let page = plain(&unescape(&d.get("/statistics/impact").await.body));
    for shown in [
        "are hidden (—)",
        "Surveys are counted as they stood at the end of",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
}

/// On a phone the follow-up is filled in one question at a time without JavaScript: the
/// follow-up itself, then each question its answers so far ask (the schooling question
/// skipped), each step sent to the server with what the others hold; back shows the
/// previous answer; the last step records it as the whole form does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_survey_is_filled_in_one_question_at_a_time() {
    let s = demo_site(60).await;
    let (case, principal) = case_in_monitoring(&s).await;
    let mut w = Web::new(&s);
    w.sign_in_with("monitoring", "demo-monitoring-2026").await;
    let path = format!("/cases/{case}/do/record-follow-up");
    // The whole form offers the steps.
    assert!(
        w.get(&path)
            .await
            .body
            .contains("name=\"_step\" value=\"steps\"")
    );
    let first = w.get(&format!("{path}?steps=1")).await.body;
    assert!(first.contains("name=\"mode\""), "{first}");
    assert!(!first.contains("name=\"survey-income_sources\""), "{first}");
    assert!(plain(&first).contains("Step 1 of"), "{first}");
    // What a browser sends: every hidden input, and what the step asks.
    let hidden = |body: &str| -> Vec<(String, String)> {
        let marker = "<input type=\"hidden\" name=\"";
        body.split(marker)
            .skip(1)
            .filter_map(|rest| {
                let (name, rest) = rest.split_once('"')?;
                let value = rest.split("value=\"").nth(1)?.split('"').next()?;
                Some((unescape(name), unescape(value)))
            })
            .filter(|(name, _)| name != "_csrf")
            .collect()
    };
    let version = hidden(&first)
        .into_iter()
        .find(|(k, _)| k == "version")
        .map(|(_, v)| v)
        .unwrap();
    let answers: std::collections::BTreeMap<String, String> = best_answers().into_iter().collect();
    let mut sent: Vec<(String, String)> = hidden(&first);
    sent.extend(
        [
            ("mode", "visit"),
            ("result", "reached"),
            ("with", principal.as_str()),
            ("_step", "next"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let mut shown: Vec<String> = vec![];
    let mut went_back = false;
    loop {
        let fields: Vec<(&str, &str)> =
            sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let page = w.post(&path, &fields).await;
        if page.url == format!("/cases/{case}") {
            break;
        }
        assert_eq!(page.status, 200, "{}", page.body);
        let carried = hidden(&page.body);
        // The case's version the form was opened at, step after step: a change
        // meanwhile is a conflict when it is recorded.
        assert!(carried.contains(&("version".to_string(), version.clone())));
        let at = carried
            .iter()
            .find(|(k, _)| k == "_at")
            .map(|(_, v)| v.clone())
            .unwrap();
        let question = format!("survey-{at}");
        assert!(
            page.body.contains(&format!("name=\"{question}\"")),
            "{}",
            page.body
        );
        assert_eq!(
            page.body.matches("name=\"survey-").count()
                - page.body.matches("type=\"hidden\" name=\"survey-").count(),
            page.body.matches(&format!("name=\"{question}\"")).count(),
            "one question a step: {}",
            page.body
        );
        // Back once, at the third question: the second, its answer chosen.
        if shown.len() == 2 && !went_back {
            went_back = true;
            let mut back = carried.clone();
            back.push((question.clone(), answers[&question].clone()));
            back.push(("_step".into(), "back".into()));
            let fields: Vec<(&str, &str)> =
                back.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let previous = w.post(&path, &fields).await.body;
            let before = format!("survey-{}", shown[1]);
            assert!(
                previous.contains(&format!(
                    "name=\"{before}\" value=\"{}\" checked",
                    answers[&before]
                )),
                "{previous}"
            );
            sent = hidden(&previous);
            assert!(sent.contains(&("_at".to_string(), shown[1].clone())));
            // As a browser sends the option checked.
            sent.push((before.clone(), answers[&before].clone()));
            sent.push(("_step".into(), "next".into()));
            continue;
        }
        if !shown.contains(&at) {
            shown.push(at.clone());
        }
        let last = !page.body.contains("value=\"next\"");
        sent = carried;
        // Questions not scored (numbers, text) are left empty, as on the whole form.
        if let Some(a) = answers.get(&question) {
            sent.push((question.clone(), a.clone()));
        }
        if !last {
            sent.push(("_step".into(), "next".into()));
        }
    }
    assert!(!shown.contains(&"schooling".to_string()), "{shown:?}");
    for q in answers.keys() {
        assert!(
            shown.iter().any(|a| format!("survey-{a}") == *q),
            "{q}: {shown:?}"
        );
    }
    let done = w.get(&format!("/cases/{case}")).await.body;
    let table = table_after(&done, "Reintegration scores over time");
    assert_eq!(
        table.last().map(|r| r[2..].to_vec()),
        Some(vec!["1".to_string(), "1".into(), "1".into(), "1".into()]),
        "{table:?}"
    );
}
