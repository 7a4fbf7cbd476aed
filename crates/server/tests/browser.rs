//! End-to-end tests of the web interface in a real headless Chromium (Debian's
//! `chromium` and `chromium-driver`), against the real server on a real database.
//!
//! A case is taken through its whole lifecycle by the right roles, with a refused
//! departure and a withdrawal: once in English and once in Arabic, with every page
//! checked by axe-core against WCAG 2.1 A and AA and screenshots written to
//! `target/test-artifacts/browser/`; and once more with JavaScript disabled.
//!
//! Without Chromium the tests are skipped with a notice, except under `CI=true`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod site;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{Datelike, Utc};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use site::{PASSWORD, site};

const AXE: &str = include_str!("vendor/axe.min.js");

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver, or explains why not.
fn driver() -> Option<Driver> {
    let bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(bin) = bin else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("chromedriver is required in CI (apt-get install chromium chromium-driver)");
        }
        eprintln!("skipping the browser tests: chromium-driver is not installed");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Some(Driver { child, port })
}

struct Browser {
    c: Client,
    base: String,
    label: &'static str,
    axe: bool,
    step: usize,
}

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts/browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Browser {
    async fn open(driver: &Driver, base: &str, label: &'static str, javascript: bool) -> Browser {
        // This walk's screenshots replace the previous run's.
        if let Ok(entries) = std::fs::read_dir(artifacts()) {
            for e in entries.flatten() {
                if e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{label}-"))
                {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let mut caps = serde_json::Map::new();
        let mut prefs = json!({});
        if !javascript {
            prefs = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--window-size=1280,1000", "--lang=en-GB"],
                "prefs": prefs,
            }),
        );
        // chromedriver speaks plain HTTP on the loopback: no TLS needed.
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap();
        Browser {
            c,
            base: base.to_string(),
            label,
            axe: javascript,
            step: 0,
        }
    }

    async fn go(&mut self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
        self.check(path).await;
    }

    async fn path(&self) -> String {
        self.c.current_url().await.unwrap().path().to_string()
    }

    async fn text(&self) -> String {
        self.c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Checks the page: no axe violation of WCAG 2.1 A/AA; a screenshot.
    async fn check(&mut self, name: &str) {
        self.step += 1;
        let png = self.c.screenshot().await.unwrap();
        // Stable names: case ids become "case".
        let name: Vec<&str> = name
            .trim_matches('/')
            .split('/')
            .map(|s| {
                if s.len() == 36 && s.contains('-') {
                    "case"
                } else {
                    s
                }
            })
            .collect();
        let file = format!("{}-{:02}-{}.png", self.label, self.step, name.join("_"));
        std::fs::write(artifacts().join(file), png).unwrap();
        if !self.axe {
            return;
        }
        self.c.execute(AXE, vec![]).await.unwrap();
        let result = self
            .c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                    .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.html)}))))
                    .catch(e => done([{id: 'axe-error', help: String(e)}]));",
                vec![],
            )
            .await
            .unwrap();
        let violations = result.as_array().cloned().unwrap_or_default();
        let path = self.path().await;
        assert!(
            violations.is_empty(),
            "{} {path}: accessibility violations: {}",
            self.label,
            Value::Array(violations)
        );
    }

    async fn fill(&self, id: &str, text: &str) {
        let e = self
            .c
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"));
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    async fn choose(&self, name: &str, value: &str) {
        let css = format!("input[name='{name}'][value='{value}']");
        self.c
            .find(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Chooses the first option of a radio group.
    async fn first(&self, name: &str) {
        let css = format!("input[name='{name}']");
        self.c
            .find(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    async fn select(&self, id: &str, value: &str) {
        self.c
            .find(Locator::Id(id))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }

    async fn date(&self, prefix: &str, d: chrono::NaiveDate) {
        self.fill(&format!("{prefix}-day"), &d.day().to_string())
            .await;
        self.fill(&format!("{prefix}-month"), &d.month().to_string())
            .await;
        self.fill(&format!("{prefix}-year"), &d.year().to_string())
            .await;
    }

    /// Opens "When did this happen?" and backdates the step.
    async fn happened(&self, days_ago: i64) {
        self.c
            .find(Locator::Css("details.details summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        self.date(
            "occurred",
            (Utc::now() - chrono::Duration::days(days_ago)).date_naive(),
        )
        .await;
    }

    /// Clicks something that loads a new page, and waits for it.
    async fn click_and_wait(&self, css: &str) {
        let old = self.c.find(Locator::Css("html")).await.unwrap();
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
        for _ in 0..100 {
            // The old page's root goes stale once the new page is there.
            if old.attr("lang").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for _ in 0..100 {
            let state = self
                .c
                .execute("return document.readyState", vec![])
                .await
                .ok();
            if state.as_ref().and_then(|s| s.as_str()) == Some("complete") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Submits the main form and checks the page it leads to.
    async fn submit(&mut self, name: &str) {
        self.click_and_wait("main form button[type='submit']").await;
        self.check(name).await;
    }

    async fn sign_in(&mut self, user: &str) {
        self.go("/sign-in").await;
        self.fill("username", user).await;
        self.fill("password", PASSWORD).await;
        self.submit("home").await;
        assert_eq!(self.path().await, "/home", "{user} signed in");
    }

    async fn sign_out(&mut self) {
        self.click_and_wait("form[action='/sign-out'] button").await;
        assert_eq!(self.path().await, "/sign-in");
    }

    async fn language(&mut self, code: &str) {
        self.select("lang-select", code).await;
        self.click_and_wait("form.lang-form button").await;
        let mut lang = None;
        for _ in 0..50 {
            let html = self.c.find(Locator::Css("html")).await.unwrap();
            lang = html.attr("lang").await.ok().flatten();
            if lang.as_deref() == Some(code) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(lang.as_deref(), Some(code));
        let dir = self
            .c
            .find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("dir")
            .await
            .unwrap();
        assert_eq!(
            dir.as_deref(),
            Some(if code == "ar" { "rtl" } else { "ltr" })
        );
        self.check("language").await;
    }

    /// The page at a 390 px wide phone viewport: nothing wider than the screen (no
    /// sideways scrolling), the accessibility check passed, a screenshot kept; then the
    /// desktop size again.
    async fn phone_fits(&mut self, name: &str) {
        self.c.set_window_size(390, 844).await.unwrap();
        // The page lays itself out again at the new size.
        tokio::time::sleep(Duration::from_millis(500)).await;
        // Besides the page's width: every element shown within the screen's edges (a table
        // scrolls in its own box; the skip link waits off-screen until focused), and every
        // checkbox or radio label beside its box, wrapping there, not below it.
        let widths = self
            .c
            .execute(
                "const d = document.documentElement; \
                 const rtl = getComputedStyle(d).direction === 'rtl'; \
                 const shown = e => { const r = e.getBoundingClientRect(); \
                   return r.width > 1 && r.height > 1; }; \
                 const name = e => e.tagName + '.' + e.className + ' ' + \
                   (e.textContent || '').trim().slice(0, 40); \
                 const wide = [...document.querySelectorAll('body *')] \
                   .filter(e => shown(e) && !e.closest('.table-wrap, .skip-link, .visually-hidden')) \
                   .filter(e => { const r = e.getBoundingClientRect(); \
                     return r.right > d.clientWidth + 1 || r.left < -1; }) \
                   .slice(0, 3).map(name).join(' | '); \
                 const below = [...document.querySelectorAll('.choice')].filter(c => { \
                   const i = c.querySelector('.choice__input'); \
                   const l = c.querySelector('.choice__label'); \
                   if (!i || !l || !shown(i)) return false; \
                   const a = i.getBoundingClientRect(), b = l.getBoundingClientRect(); \
                   const beside = rtl ? b.right <= a.left + 1 : b.left >= a.right - 1; \
                   return !(beside && b.top < a.bottom); \
                 }).slice(0, 3).map(name).join(' | '); \
                 return [window.innerWidth, d.scrollWidth, d.clientWidth, wide, below];",
                vec![],
            )
            .await
            .unwrap();
        let (inner, scroll) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
        let (wide, below) = (widths[3].as_str().unwrap(), widths[4].as_str().unwrap());
        assert!(
            wide.is_empty(),
            "{} {name}: wider than the screen: {wide}",
            self.label
        );
        assert!(
            below.is_empty(),
            "{} {name}: labels below their box: {below}",
            self.label
        );
        assert!(
            inner <= 400,
            "{}: the viewport is {inner} px wide",
            self.label
        );
        assert!(
            scroll <= inner,
            "{} {name}: the page is {scroll} px wide on a {inner} px screen",
            self.label
        );
        self.check(name).await;
        self.c.set_window_size(1280, 1000).await.unwrap();
    }

    /// Runs the step `slug` on the case: opens its form from the case page's actions.
    async fn step(&mut self, case: &str, slug: &str) {
        self.go(&format!("/cases/{case}/do/{slug}")).await;
    }
}

/// Registers a case through the form; returns its id.
async fn register(b: &mut Browser, given: &str) -> String {
    b.go("/cases/new").await;
    b.choose("referral_source", "self_referral").await;
    b.select("country_of_return", "SN").await;
    b.fill("given", given).await;
    b.fill("family", "Diallo").await;
    b.date("dob", chrono::NaiveDate::from_ymd_opt(1990, 5, 1).unwrap())
        .await;
    b.choose("sex", "female").await;
    b.select("nationality", "SN").await;
    // With JavaScript, a long picker has a filter box, labelled in the page's language.
    if b.axe {
        let label =
            b.c.find(Locator::Css("label[for='nationality-filter']"))
                .await
                .expect("the filter box's label")
                .text()
                .await
                .unwrap();
        let lang =
            b.c.find(Locator::Css("html"))
                .await
                .unwrap()
                .attr("lang")
                .await
                .unwrap()
                .unwrap_or_default();
        let i = homeward_web::i18n::I18n::new(homeward_web::i18n::Lang::from_code(&lang).unwrap());
        assert_eq!(
            label.replace(['\u{2068}', '\u{2069}'], ""),
            i.t1("picker-filter", "field", i.t("f-nationality"))
                .replace(['\u{2068}', '\u{2069}'], ""),
        );
    }
    b.select("language_1", "wo").await;
    b.select("legal_situation", "irregular_stay").await;
    b.date(
        "occurred",
        (Utc::now() - chrono::Duration::days(10)).date_naive(),
    )
    .await;
    b.submit("case-registered").await;
    let path = b.path().await;
    assert!(path.starts_with("/cases/"), "registered: {path}");
    path.trim_start_matches("/cases/").to_string()
}

/// The whole lifecycle, by four roles, through the browser.
async fn walk(driver: &Driver, label: &'static str, lang: &str, javascript: bool) {
    let site = site().await;
    // The programme asks a survey at follow-ups, filled in one question at a time below.
    site::ask_template_survey(&site.app).await;
    // A legal aid desk of the directory, and its partner user.
    let desk = site::belgian_organisation(
        &site.app,
        "Brussels Legal Aid Desk",
        homeward_domain::organisation::OrganisationKind::MigrantSupport,
        homeward_domain::organisation::ServiceType::LegalAid,
    )
    .await;
    site::partner_user(&site.app, "liaison", desk).await;
    let mut b = Browser::open(driver, &site.base, label, javascript).await;

    // The counsellor registers, counsels, takes consent, screens and applies.
    b.sign_in("counsellor").await;
    if lang != "en" {
        b.language(lang).await;
    }
    let case = register(&mut b, "Awa").await;
    // Awa is referred to the legal aid desk; its partner answers at the end of the walk.
    b.step(&case, "make-referral").await;
    b.select("organisation", &desk.to_string()).await;
    b.choose("country", "BE").await;
    b.select("service", "legal_aid").await;
    b.first("people").await;
    b.first("consent_for").await;
    b.choose("shared", "identity").await;
    b.fill("answer_within_days", "7").await;
    b.submit("referral-made").await;
    assert_eq!(
        b.path().await,
        format!("/cases/{case}"),
        "{label}: referred"
    );
    // A link for an organisation without an account, opened without signing in.
    b.go(&format!("/cases/{case}/referral-links")).await;
    b.first("referral_id").await;
    b.submit("link-issued").await;
    let text = b.text().await;
    let link = text[text.find("/r/").expect("the link is shown")..]
        .split(char::is_whitespace)
        .next()
        .unwrap()
        .to_string();
    b.go(&format!("/cases/{case}/referral-links/withdraw"))
        .await;
    b.sign_out().await;
    b.go(&link).await;
    assert!(
        b.text().await.contains("Awa"),
        "{label}: the link opens the referral"
    );
    // The desk's partner declines it from its own pages; the counsellor closes it.
    b.sign_in("liaison").await;
    b.click_and_wait("main a[href^='/partner/referrals/']")
        .await;
    b.check("partner-referral").await;
    b.choose("step", "declined").await;
    b.fill("reason", "We take no new files this month.").await;
    b.submit("partner-answered").await;
    assert!(
        b.text()
            .await
            .contains(&expected(lang, "opt-referral_status-declined")),
        "{label}: the partner's answer is recorded"
    );
    // The desk refers a person to the programme; the counsellor registers her from it.
    b.go("/partner/inbound/new").await;
    b.check("inbound-new").await;
    b.select("office", &site.bru.to_string()).await;
    b.fill("given", "Mariam").await;
    b.fill("family", "Sow").await;
    b.date("dob", chrono::NaiveDate::from_ymd_opt(1988, 3, 4).unwrap())
        .await;
    b.choose("sex", "female").await;
    b.select("language_1", "fr").await;
    b.select("legal_situation", "irregular_stay").await;
    b.fill("reason", "Wishes to return to Dakar.").await;
    b.select("country_of_return", "SN").await;
    b.date("consent", Utc::now().date_naive()).await;
    b.submit("inbound-sent").await;
    assert!(
        b.path().await.starts_with("/partner/inbound/"),
        "{label}: the referral is sent"
    );
    b.sign_out().await;
    b.sign_in("counsellor").await;
    b.click_and_wait("main a[href^='/inbound/']").await;
    b.check("inbound-received").await;
    b.click_and_wait("main a[href^='/cases/new?inbound=']")
        .await;
    b.check("inbound-register").await;
    b.submit("inbound-registered").await;
    assert!(
        b.text().await.contains("Mariam"),
        "{label}: registered from the referral"
    );
    b.step(&case, "update-referral").await;
    b.first("referral_id").await;
    b.choose("step", "closed").await;
    b.submit("referral-closed").await;
    assert_eq!(b.path().await, format!("/cases/{case}"), "{label}: closed");
    b.step(&case, "record-counselling-session").await;
    b.select("language", "wo").await;
    for t in [
        "return_modalities",
        "conditions_in_country_of_return",
        "return_by_own_means",
        "options_to_stay",
    ] {
        b.choose("topics", t).await;
    }
    b.c.find(Locator::Css("input[name='attendees']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.fill("notes", "Wishes to go home to Thiès.").await;
    b.happened(5).await;
    b.submit("session-recorded").await;
    b.step(&case, "record-consent").await;
    // Without the attestations, the form says what is missing, next to each field.
    b.submit("consent-refused").await;
    assert!(
        b.c.find(Locator::Css(".error-summary")).await.is_ok(),
        "{label}: consent without attestations"
    );
    // On a 390 px phone the form and the case page do not scroll sideways, in either
    // direction of writing.
    {
        b.phone_fits("consent-form-phone").await;
        b.go(&format!("/cases/{case}")).await;
        b.phone_fits("case-phone").await;
        b.step(&case, "record-consent").await;
    }
    b.choose("no_pressure_attested", "yes").await;
    b.choose("right_to_withdraw_explained", "yes").await;
    b.choose("data_processing_consent", "yes").await;
    b.submit("consent-recorded").await;
    assert_eq!(b.path().await, format!("/cases/{case}"));
    b.step(&case, "screen-eligibility").await;
    b.choose("removal_procedure", "not_initiated").await;
    b.choose("admissibility", "national").await;
    b.c.find(Locator::Css("input[name='category']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.submit("screened").await;
    b.step(&case, "submit-application").await;
    b.submit("applied").await;

    // A second case: the person changes their mind and withdraws.
    let other = register(&mut b, "Fatou").await;
    b.step(&other, "withdraw").await;
    b.fill("own_words", "I will stay with my sister.").await;
    b.submit("withdrawn").await;
    assert_eq!(b.path().await, format!("/cases/{other}"));
    b.sign_out().await;

    // The programme manager approves.
    b.sign_in("approver").await;
    b.go(&format!("/cases/{case}")).await;
    b.step(&case, "approve-application").await;
    b.submit("approved").await;
    // ... and looks at the programme's figures (charts and tables), the period asked as
    // day, month and year, and at what is due and overdue in the offices (also on a phone).
    b.go("/statistics?rows=sex&columns=age_group").await;
    b.go("/statistics/referrals").await;
    b.go("/statistics/budget").await;
    b.go("/statistics/impact?by=sex").await;
    b.go("/statistics/performance").await;
    b.phone_fits("performance-phone").await;
    b.go("/statistics/communities").await;
    b.go("/statistics/trends").await;
    b.go("/deadlines?queue=applications").await;
    b.go("/deadlines?queue=flights").await;
    b.phone_fits("deadlines-phone").await;
    b.sign_out().await;

    // The movement officer: departure is refused until documents and itinerary are in.
    b.sign_in("movement").await;
    b.go("/cases").await;
    b.step(&case, "mark-ready-to-depart").await;
    b.submit("departure-refused").await;
    assert!(
        b.c.find(Locator::Css(".error-summary")).await.is_ok(),
        "{label}: departure without documents"
    );
    b.step(&case, "record-travel-document").await;
    b.choose("kind", "passport").await;
    b.choose("status", "held").await;
    b.fill("number", "A1234567").await;
    b.date(
        "expires",
        chrono::NaiveDate::from_ymd_opt(2031, 1, 1).unwrap(),
    )
    .await;
    b.submit("document").await;
    b.step(&case, "set-itinerary").await;
    let flight = (Utc::now() + chrono::Duration::days(7)).date_naive();
    b.fill("leg1_carrier", "Brussels Airlines").await;
    b.fill("leg1_flight", "SN203").await;
    b.fill("leg1_from", "BRU").await;
    b.fill("leg1_to", "DSS").await;
    b.date("leg1_departs", flight).await;
    b.fill("leg1_departs-time", "10:40").await;
    b.date("leg1_arrives", flight).await;
    b.fill("leg1_arrives-time", "15:55").await;
    b.submit("itinerary").await;
    b.step(&case, "assign-return-office").await;
    b.c.find(Locator::Css("input[name='office_id']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.submit("return-office").await;
    b.step(&case, "mark-ready-to-depart").await;
    b.submit("ready").await;
    b.step(&case, "confirm-departure").await;
    b.submit("departed").await;
    b.sign_out().await;

    // The office of return receives, then follows up. Its queues and the account page
    // pass the accessibility check too.
    b.sign_in("reintegration").await;
    b.go("/queues/arrivals").await;
    b.go("/follow-ups?queue=overdue").await;
    b.go("/account").await;
    b.go(&format!("/cases/{case}")).await;
    b.step(&case, "record-arrival").await;
    b.choose("reception", "office").await;
    b.fill("onward_transport", "Bus to Thiès").await;
    b.submit("arrived").await;
    b.step(&case, "start-reintegration").await;
    b.submit("reintegration").await;
    // The plan: drafted with the returnee, agreed, approved by a second person of the
    // office of return, delivered.
    b.step(&case, "draft-plan").await;
    b.select("item1_assistance", "in_kind_business_set_up")
        .await;
    b.select("item1_form", "in_kind").await;
    b.fill("item1_description", "Sewing machines").await;
    b.fill("item1_value", "1000").await;
    b.submit("plan-drafted").await;
    b.step(&case, "respond-to-plan").await;
    b.first("person_id").await;
    b.choose("given_by", "person").await;
    b.choose("answer", "agreed").await;
    b.submit("plan-agreed").await;
    b.sign_out().await;
    b.sign_in("approver_dkr").await;
    b.step(&case, "approve-plan").await;
    b.submit("plan-approved").await;
    b.sign_out().await;
    b.sign_in("reintegration").await;
    b.step(&case, "record-delivery").await;
    b.first("item_id").await;
    b.choose("channel", "paid_to_vendor").await;
    b.fill("amount", "1000").await;
    b.fill("proof", "Invoice 42").await;
    b.submit("delivered").await;
    b.go(&format!("/cases/{case}")).await;
    let page = b.c.source().await.unwrap();
    assert!(
        page.contains("Sewing machines"),
        "the plan is on the case page"
    );
    // The print view (what "Print" opens without JavaScript) passes the checks too.
    b.go(&format!("/cases/{case}/print")).await;
    b.step(&case, "start-monitoring").await;
    b.submit("monitoring").await;
    // Follow-ups: one that reached her, then contact found lost, which closes the case.
    // Its survey one question at a time, as on a phone: the follow-up, then a question,
    // each step within the screen; then the whole form again.
    b.step(&case, "record-follow-up").await;
    b.click_and_wait("button[name='_step'][value='steps']")
        .await;
    assert!(
        b.c.find(Locator::Css("#step-progress")).await.is_ok(),
        "{label}: one question at a time"
    );
    b.phone_fits("follow-up-step-phone").await;
    b.click_and_wait("button[name='_step'][value='next']").await;
    assert!(
        b.c.find(Locator::Css("input[name^='survey-']:not([type='hidden'])"))
            .await
            .is_ok(),
        "{label}: a question of the survey"
    );
    b.phone_fits("survey-question-phone").await;
    b.click_and_wait("button[name='_step'][value='all']").await;
    b.choose("mode", "visit").await;
    b.choose("result", "reached").await;
    b.first("with").await;
    b.select("language", "wo").await;
    b.fill("notes", "The workshop has its first customers.")
        .await;
    b.submit("follow-up").await;
    assert!(
        b.text()
            .await
            .contains(&expected(lang, "case-follow-up-schedule")),
        "{label}: the follow-up schedule is on the case page"
    );
    b.step(&case, "record-follow-up").await;
    b.choose("mode", "phone").await;
    b.choose("result", "lost_contact").await;
    b.submit("closed").await;
    let stage =
        b.c.find(Locator::Css(".tag--stage"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    assert!(!stage.is_empty());
    // Nothing more to do on a closed case.
    assert!(
        b.text()
            .await
            .contains(&expected(lang, "case-actions-none")),
        "{label}: closed case offers nothing"
    );
    b.sign_out().await;

    // The case list and a search by name.
    b.sign_in("counsellor").await;
    if lang != "en" {
        b.language(lang).await;
    }
    b.go("/cases").await;
    b.fill("q", "awa").await;
    b.click_and_wait("form[action='/cases'] button[type='submit']")
        .await;
    b.check("search").await;
    assert!(
        b.text().await.contains("Awa Diallo"),
        "{label}: search by name"
    );
    b.sign_out().await;

    // Administration and the audit log.
    b.sign_in("admin").await;
    b.go("/admin").await;
    b.go("/admin/users/new").await;
    b.go("/admin/offices/new").await;
    b.click_and_wait("a[href='/admin']").await;
    // An office's page: its name and time zone.
    b.click_and_wait("a[href^='/admin/offices/']:not([href$='/new'])")
        .await;
    b.check("office").await;
    b.click_and_wait("a[href='/admin']").await;
    b.click_and_wait("a[href^='/admin/programmes/0']:not([href$='/funding'])")
        .await;
    b.check("programme").await;
    // The programme's grants and budget lines, and the forms that change them.
    b.click_and_wait("a[href='/admin']").await;
    b.click_and_wait("a[href$='/funding']").await;
    b.check("funding").await;
    b.click_and_wait("a[href$='/funding/grants/new']").await;
    b.check("grant").await;
    // A survey imported from its XLSForm workbook, uploaded as a person picks a file.
    b.go("/surveys").await;
    let workbook = std::env::temp_dir().join(format!(
        "homeward-survey-{label}-{}.xlsx",
        std::process::id()
    ));
    let template = homeward_app::survey_template::reintegration_sustainability().unwrap();
    std::fs::write(
        &workbook,
        homeward_app::xlsform::survey_to_xlsx(&template).unwrap(),
    )
    .unwrap();
    b.go("/surveys/import").await;
    b.c.find(Locator::Css("input[name='upload']"))
        .await
        .unwrap()
        .send_keys(workbook.to_str().unwrap())
        .await
        .unwrap();
    b.submit("survey").await;
    let _ = std::fs::remove_file(&workbook);
    assert_eq!(
        b.path().await,
        "/surveys/reintegration_sustainability/1",
        "{label}: the survey imported"
    );
    b.phone_fits("survey-phone").await;
    b.sign_out().await;
    b.sign_in("auditor").await;
    b.go("/audit").await;
    assert!(
        b.c.find(Locator::Css(".notice--success")).await.is_ok(),
        "{label}: the audit chain verifies"
    );
    // ... and reads the programme's performance, protected (as the last month ended).
    b.go("/statistics/performance").await;
    assert!(
        b.c.find(Locator::Id("as-of")).await.is_ok(),
        "{label}: the protected report says its day"
    );
    b.sign_out().await;
    b.c.close().await.unwrap();
}

fn expected(lang: &str, key: &str) -> String {
    let i = homeward_web::i18n::I18n::new(homeward_web::i18n::Lang::from_code(lang).unwrap());
    i.t(key)
}

/// The accessibility check is worth something only if it catches a violation.
async fn axe_finds_violations(driver: &Driver) {
    let mut b = Browser::open(driver, "", "axe", true).await;
    b.c.goto("data:text/html,<html><body><img src='x.png'><input type='text'></body></html>")
        .await
        .unwrap();
    b.c.execute(AXE, vec![]).await.unwrap();
    let found = b
        .c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}).then(r => done(r.violations.length));",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        found.as_u64().unwrap_or(0) >= 2,
        "axe did not find an image without text and an unlabelled input"
    );
    b.step = 0;
    b.c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_goes_through_its_lifecycle_in_the_browser_in_english_and_arabic_and_without_javascript()
 {
    let Some(driver) = driver() else { return };
    // chromedriver takes a moment to listen.
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", driver.port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    axe_finds_violations(&driver).await;
    // Each walk has its own site (database and server) and its own browser session: they
    // run side by side, most of each one's time being spent waiting on the browser.
    tokio::join!(
        walk(&driver, "en", "en", true),
        walk(&driver, "ar", "ar", true),
        walk(&driver, "nojs", "en", false),
    );
}
