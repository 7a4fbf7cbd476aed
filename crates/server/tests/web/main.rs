//! The web interface over plain HTTP: office scope, CSRF, languages, sessions that end
//! mid-form, page weight and headers. (The browser walks are in `browser.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../site/mod.rs"]
mod site;

mod admin;
mod basics;
mod monitoring;
mod referrals;
mod statistics;
mod work;

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

/// The references a page lists, in order (`class="ref">REF<`).
fn references(body: &str) -> Vec<String> {
    let marker = "class=\"ref\">";
    body.match_indices(marker)
        .filter_map(|(i, _)| body[i + marker.len()..].split('<').next())
        .map(str::to_string)
        .collect()
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

/// Owned pairs as `post` takes them.
fn as_pairs_owned(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// What a browser sends back from the page's form posting to `action`, as the page shows
/// it: text and hidden inputs, checked boxes and radios, each select's chosen option (its
/// first when none is chosen), text areas.
fn form_values(page: &str, action: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let marker = format!(" {name}=\"");
        let at = tag.find(&marker)? + marker.len();
        Some(unescape(tag[at..].split('"').next()?))
    };
    let start = page
        .find(&format!("action=\"{action}\""))
        .expect("the form");
    let form = &page[start..start + page[start..].find("</form>").unwrap_or(0)];
    let mut out = vec![];
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag = &rest[..end];
        let name = attr(tag, "name");
        if let (true, Some(name)) = (tag.starts_with("<input "), name.clone()) {
            let kind = attr(tag, "type").unwrap_or_default();
            let checked = tag.contains(" checked");
            if !matches!(kind.as_str(), "file" | "submit")
                && (checked || !matches!(kind.as_str(), "checkbox" | "radio"))
            {
                out.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if let (true, Some(name)) = (tag.starts_with("<select "), name.clone()) {
            let body = &rest[end..rest.find("</select>").unwrap_or(end)];
            let options: Vec<(bool, String)> = body
                .split("<option")
                .skip(1)
                .map(|o| {
                    let head = &o[..o.find('>').unwrap_or(o.len())];
                    (
                        head.contains(" selected"),
                        attr(head, "value").unwrap_or_default(),
                    )
                })
                .collect();
            let chosen = options.iter().find(|o| o.0).or(options.first());
            if let Some((_, value)) = chosen {
                out.push((name, value.clone()));
            }
        } else if let (true, Some(name)) = (tag.starts_with("<textarea "), name) {
            let text = &rest[end..rest.find("</textarea>").unwrap_or(end)];
            out.push((name, unescape(text)));
        }
        rest = &rest[end..];
    }
    out
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

/// A demo case in monitoring, and its principal returnee.
async fn case_in_monitoring(s: &Site) -> (uuid::Uuid, String) {
    let (rows, _) = s.app.store().read_model_snapshot().await.unwrap();
    let case = rows
        .iter()
        .find(|r| r.stage.code() == "monitoring")
        .expect("a demo case in monitoring")
        .case_id
        .0;
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
