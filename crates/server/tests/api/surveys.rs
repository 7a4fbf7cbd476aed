//! Survey definitions over the API (issue #25): imported from XLSForm workbooks by
//! administrators, every bad row named at its sheet, line and column; versions never
//! changed, only superseded; read by staff and downloaded back as workbooks that import
//! as the same survey; concurrent imports store one version each.

use homeward_store::ScoreBy;
use serde_json::Value;

use crate::support::*;
use homeward_store::testing::TestDb;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook of sheets given as rows of cells.
fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet().set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, *cell).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// A small scored survey whose income indicator weighs `weight`.
fn form(weight: &str, types: [&str; 2]) -> Vec<u8> {
    form_at(weight, types, "")
}

/// `form`, with a threshold of sustainability (none when empty).
fn form_at(weight: &str, types: [&str; 2], threshold: &str) -> Vec<u8> {
    form_named("rss_test", weight, types, threshold)
}

/// `form_at`, named `key` (its form_id).
fn form_named(key: &str, weight: &str, types: [&str; 2], threshold: &str) -> Vec<u8> {
    let survey: &[&[&str]] = &[
        &[
            "type",
            "name",
            "label::English (en)",
            "label::Français (fr)",
            "indicator",
        ],
        &[types[0], "income", "Income?", "Revenu ?", "income"],
        &[types[1], "safe", "Safe?", "En sécurité ?", "safety"],
    ];
    let choices: &[&[&str]] = &[
        &[
            "list_name",
            "name",
            "label::English (en)",
            "label::Français (fr)",
            "score",
        ],
        &["level", "none", "None", "Aucun", "0"],
        &["level", "some", "Some", "Un peu", "0.5"],
        &["level", "enough", "Enough", "Assez", "1"],
        &["yn", "no", "No", "Non", "0"],
        &["yn", "yes", "Yes", "Oui", "1"],
    ];
    let indicators: &[&[&str]] = &[
        &[
            "name",
            "dimension",
            "weight",
            "label::English (en)",
            "label::Français (fr)",
        ],
        &["income", "economic", weight, "Income", "Revenu"],
        &["safety", "psychosocial", "1", "Safety", "Sécurité"],
    ];
    let dimensions: &[&[&str]] = &[
        &["dimension", "weight"],
        &["economic", "1"],
        &["psychosocial", "1"],
    ];
    workbook(&[
        ("survey", survey),
        ("choices", choices),
        (
            "settings",
            &[
                &["form_id", "form_title", "threshold"],
                &[key, "Reintegration", threshold],
            ],
        ),
        ("indicators", indicators),
        ("dimensions", dimensions),
    ])
}

fn good(weight: &str) -> Vec<u8> {
    form(weight, ["select_one level", "select_one yn"])
}

/// The test programme asks `key` at its follow-ups, as an administrator sets it.
async fn ask_survey(w: &World, key: &str) -> Resp {
    let programme = w
        .get("admin", &format!("/api/programmes/{}", w.programme))
        .await
        .ok();
    let mut settings = programme["settings"].clone();
    settings["monitoring"]["survey"] = serde_json::json!(key);
    w.send(
        Some("admin"),
        w.http
            .put(format!("{}/api/programmes/{}", w.base, w.programme))
            .json(&serde_json::json!({"settings": settings})),
    )
    .await
}

async fn import(w: &World, user: &str, body: Vec<u8>, media: &str) -> Resp {
    w.send(
        Some(user),
        w.http
            .post(format!("{}/api/surveys", w.base))
            .header("content-type", media)
            .body(body),
    )
    .await
}

async fn surveys_are_imported_versioned_and_read_back(db: &TestDb) {
    let w = World::start(db).await;
    for user in ["counsellor", "monitoring", "donor", "partner"] {
        let r = import(&w, user, good("2"), XLSX).await;
        assert_eq!(r.status, 403, "{user}: {}", r.body);
    }
    let r = w.get("partner", "/api/surveys").await;
    assert_eq!(
        r.status, 403,
        "partners do not read the programme's surveys"
    );
    let r = import(&w, "admin", b"form_id\nrss".to_vec(), "text/csv").await;
    assert_eq!(r.status, 415, "{}", r.body);
    let r = import(&w, "admin", b"not a workbook".to_vec(), XLSX).await;
    assert_eq!(r.codes(), ["xlsform.unreadable"], "{}", r.body);

    // Every bad row at its sheet, line and column, and nothing stored.
    let bad = form("heavy", ["select_one level", "begin group"]);
    let r = import(&w, "admin", bad, XLSX).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.pointers(),
        ["#/indicators/2/weight", "#/survey/3/type"],
        "{}",
        r.body
    );
    assert_eq!(
        w.get("monitoring", "/api/surveys").await.ok(),
        Value::Array(vec![])
    );

    let r = import(&w, "admin", good("2"), XLSX).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["added"], true);
    assert_eq!(r.body["survey"]["version"], 1);
    let digest = r.body["survey"]["digest"].as_str().unwrap().to_string();
    assert_eq!(digest.len(), 64);
    let one = w
        .get("monitoring", "/api/surveys/rss_test/versions/1")
        .await
        .ok();
    assert_eq!(one["title"]["fr"], "Reintegration");
    assert_eq!(one["definition"]["questions"][0]["kind"]["list"], "level");
    assert_eq!(one["definition"]["indicators"][0]["weight"], 2);
    assert_eq!(one["superseded"], false);

    // Downloaded and imported again: the same survey, nothing new.
    let xlsx = w
        .http
        .get(format!(
            "{}/api/surveys/rss_test/versions/1/xlsform",
            w.base
        ))
        .bearer_auth(w.token("counsellor"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert_eq!(
        xlsx.headers()["content-disposition"],
        "attachment; filename=\"rss_test-v1.xlsx\""
    );
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    let r = import(&w, "admin", bytes, XLSX).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.body["added"].clone(), r.body["survey"]["version"].clone()),
        (Value::Bool(false), 1.into())
    );

    // A change is the next version; the first stays as it was.
    let r = import(&w, "admin", good("3"), XLSX).await;
    assert_eq!(
        (r.status, r.body["survey"]["version"].clone()),
        (201, 2.into()),
        "{}",
        r.body
    );
    let list = w.get("donor", "/api/surveys").await.ok();
    let versions: Vec<(i64, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["version"].as_i64().unwrap(),
                s["superseded"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(versions, [(1, true), (2, false)]);
    let one = w
        .get("monitoring", "/api/surveys/rss_test/versions/1")
        .await
        .ok();
    assert_eq!(one["definition"]["indicators"][0]["weight"], 2);
    assert_eq!(one["digest"], digest.as_str());
    assert_eq!(one["superseded"], true);
    let r = w
        .get("monitoring", "/api/surveys/rss_test/versions/9")
        .await;
    assert_eq!(r.status, 404);
    let r = w
        .get("monitoring", "/api/surveys/rss_test/versions/x")
        .await;
    assert_eq!(r.status, 400);
}

/// Imports of one survey sent at once store each version once: one is added, the others
/// find it stored or are told to import again; never two versions of one number.
async fn concurrent_imports_store_one_version(db: &TestDb) {
    let w = World::start(db).await;
    let r = import(&w, "admin", good("2"), XLSX).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let send = || import(&w, "admin", good("5"), XLSX);
    let (a, b, c, d, e, f) = tokio::join!(send(), send(), send(), send(), send(), send());
    let statuses: Vec<u16> = [a, b, c, d, e, f].iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 201, 409].contains(s)),
        "{statuses:?}"
    );
    let list = w.get("admin", "/api/surveys").await.ok();
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
}

/// The template shaped like IOM's survey is downloaded by staff and imports as is.
async fn the_template_is_downloaded_and_imported(db: &TestDb) {
    let w = World::start(db).await;
    let r = w.get("partner", "/api/surveys/template").await;
    assert_eq!(r.status, 403);
    let xlsx = w
        .http
        .get(format!("{}/api/surveys/template", w.base))
        .bearer_auth(w.token("monitoring"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    let r = import(&w, "admin", bytes, XLSX).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["survey"]["key"], "reintegration_sustainability");
    assert_eq!(
        r.body["survey"]["languages"],
        serde_json::json!(["en", "fr", "es", "ar"])
    );
    let one = w
        .get(
            "monitoring",
            "/api/surveys/reintegration_sustainability/versions/1",
        )
        .await
        .ok();
    assert_eq!(
        one["definition"]["indicators"].as_array().unwrap().len(),
        15
    );
}

/// The programme asks its survey at follow-ups: answers that fit are scored by the server
/// under the version given and kept with the follow-up (withheld from roles that do not
/// read needs); answers that do not fit are named at their question; a survey other than
/// the programme's is refused.
async fn a_follow_up_records_the_programme_s_survey_with_its_scores(db: &TestDb) {
    let w = World::start(db).await;
    let r = import(&w, "admin", good("2"), XLSX).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = ask_survey(&w, "never_imported").await;
    assert_eq!(r.pointers(), ["#/settings/monitoring/survey"], "{}", r.body);
    ask_survey(&w, "rss_test").await.ok();
    let (case, awa) = w.single_adult().await;
    w.arrived(&case, &[&awa]).await;
    let answer = |income: &str, safe: &str| {
        serde_json::json!({"mode": "visit", "result": "reached", "with": [awa],
            "survey": {"key": "rss_test", "version": 1, "answers": {
                "income": {"type": "choice", "value": income},
                "safe": {"type": "choice", "value": safe}}}})
    };
    let r = w
        .cmd("monitoring", &case, "follow-ups", answer("lots", "yes"))
        .await;
    assert_eq!(r.codes(), ["answer.kind"], "{}", r.body);
    assert_eq!(r.pointers(), ["#/survey/answers/income"]);
    let mut other = answer("some", "yes");
    other["survey"]["version"] = serde_json::json!(7);
    let r = w.cmd("monitoring", &case, "follow-ups", other).await;
    assert_eq!(r.pointers(), ["#/survey/version"], "{}", r.body);
    w.cmd("monitoring", &case, "follow-ups", answer("some", "yes"))
        .await
        .ok();
    let seen = w.view("monitoring", &case).await;
    let survey = &seen["case"]["monitoring"]["follow_ups"][0]["follow_up"]["survey"];
    // Economic 0.5, psychosocial 1, weighed alike: 0.75.
    assert_eq!(survey["scores"]["composite"], 750, "{survey}");
    assert_eq!(survey["scores"]["dimensions"]["economic"], 500);
    assert_eq!(survey["response"]["version"], 1);
    assert_eq!(survey["digest"].as_str().unwrap().len(), 64);
    let withheld = w.view("approver_dkr", &case).await;
    assert_eq!(
        withheld["case"]["monitoring"]["follow_ups"][0]["follow_up"]["survey"],
        Value::Null
    );

    // A correction's answers are scored again by the server, whatever scores it sends.
    let follow_up = seen["case"]["monitoring"]["follow_ups"][0]["follow_up"].clone();
    let at = w.version(&case).await;
    let mut replacement = follow_up.clone();
    replacement["survey"]["response"]["answers"]["income"]["value"] = serde_json::json!("none");
    replacement["survey"]["response"]["answers"]["safe"]["value"] = serde_json::json!("no");
    replacement["survey"]["scores"]["composite"] = serde_json::json!(1000);
    replacement["survey"]["digest"] = serde_json::json!("0".repeat(64));
    w.cmd(
        "monitoring",
        &case,
        "corrections",
        serde_json::json!({"corrects": at, "reason": "Answers were swapped",
            "replacement": {"type": "follow_up_recorded", "data": replacement}}),
    )
    .await
    .ok();
    let seen = w.view("monitoring", &case).await;
    let survey = &seen["case"]["monitoring"]["follow_ups"][0]["follow_up"]["survey"];
    assert_eq!(survey["scores"]["composite"], 0, "{survey}");
    assert_eq!(survey["digest"], follow_up["survey"]["digest"]);
    // The impact report's kept sums lose the scores corrected and gain the new ones, as
    // a rebuild counts them from the events.
    let path = format!("/api/programmes/{}/impact", w.programme);
    let impact = w.get("monitoring", &path).await.ok();
    let total = &impact["surveys"][0]["bands"][0]["total"];
    assert_eq!(
        (
            total["returnees"].clone(),
            total["composite"]["mean"].clone()
        ),
        (1.into(), 0.into()),
        "{impact}"
    );
    let store = w.app.store();
    let kept = store.read_model_digest().await.unwrap();
    store.rebuild_read_models().await.unwrap();
    assert_eq!(store.read_model_digest().await.unwrap(), kept);
    assert_eq!(w.get("monitoring", &path).await.ok(), impact);

    // Once a later version is imported, follow-ups answer that one.
    let r = import(&w, "admin", good("3"), XLSX).await;
    assert_eq!(r.body["survey"]["version"], 2, "{}", r.body);
    let r = w
        .cmd("monitoring", &case, "follow-ups", answer("some", "yes"))
        .await;
    assert_eq!(r.codes(), ["answer.version"], "{}", r.body);
    assert_eq!(r.pointers(), ["#/survey/version"]);
}

/// Each follow-up of a programme's schedule may ask its own survey: one never imported is
/// named where it is set; a visit on arrival's day, before the first window opens (the
/// baseline), asks the programme's, and answers to a follow-up's own survey then are
/// refused naming the one asked. The case keeps the schedule's timing, not its surveys.
async fn each_scheduled_follow_up_asks_its_own_survey_or_the_programme_s(db: &TestDb) {
    let w = World::start(db).await;
    import(&w, "admin", good("1"), XLSX).await.ok();
    let path = format!("/api/programmes/{}", w.programme);
    let put = async |settings: &Value| {
        w.send(
            Some("admin"),
            w.http
                .put(format!("{}{path}", w.base))
                .json(&serde_json::json!({"settings": settings})),
        )
        .await
    };
    let mut settings = w.get("admin", &path).await.ok()["settings"].clone();
    settings["monitoring"]["survey"] = "rss_test".into();
    settings["monitoring"]["schedule"] = serde_json::json!([
        {"months_after_arrival": 3, "window_days": 30, "survey": "never_imported"},
        {"months_after_arrival": 6, "window_days": 30, "survey": "Not a name"},
        {"months_after_arrival": 12, "window_days": 30, "survey": "also_never"}
    ]);
    let r = put(&settings).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.pointers(),
        ["#/settings/monitoring/schedule/1/survey"],
        "the name's form first: {}",
        r.body
    );
    settings["monitoring"]["schedule"][1]["survey"] = Value::Null;
    let r = put(&settings).await;
    assert_eq!(
        r.pointers(),
        [
            "#/settings/monitoring/schedule/0/survey",
            "#/settings/monitoring/schedule/2/survey"
        ],
        "{}",
        r.body
    );
    import(
        &w,
        "admin",
        form_named("check_in", "1", ["select_one level", "select_one yn"], ""),
        XLSX,
    )
    .await
    .ok();
    settings["monitoring"]["schedule"][0]["survey"] = "check_in".into();
    settings["monitoring"]["schedule"][2]["survey"] = Value::Null;
    put(&settings).await.ok();
    let read = w.get("admin", &path).await.ok();
    assert_eq!(
        read["settings"]["monitoring"]["schedule"][0]["survey"],
        "check_in"
    );
    assert_eq!(
        read["settings"]["monitoring"]["schedule"][1].get("survey"),
        None,
        "{read}"
    );
    let (case, awa) = w.single_adult().await;
    w.arrived(&case, &[&awa]).await;
    let answer = |key: &str| {
        serde_json::json!({"mode": "visit", "result": "reached", "with": [awa],
            "survey": {"key": key, "version": 1, "answers": {
                "income": {"type": "choice", "value": "some"},
                "safe": {"type": "choice", "value": "yes"}}}})
    };
    let r = w
        .cmd("monitoring", &case, "follow-ups", answer("check_in"))
        .await;
    assert_eq!(r.codes(), ["follow_up.survey_other"], "{}", r.body);
    assert_eq!(r.pointers(), ["#/survey/key"]);
    assert!(
        r.body.to_string().contains("asks the survey rss_test"),
        "{}",
        r.body
    );
    w.cmd("monitoring", &case, "follow-ups", answer("rss_test"))
        .await
        .ok();
    let seen = w.view("monitoring", &case).await;
    let schedule = &seen["case"]["monitoring"]["schedule"];
    assert_eq!(schedule.as_array().map(Vec::len), Some(3), "{seen}");
    assert_eq!(schedule[0].get("survey"), None, "{schedule}");
    let survey = &seen["case"]["monitoring"]["follow_ups"][0]["follow_up"]["survey"];
    assert_eq!(survey["response"]["key"], "rss_test", "{survey}");
}

/// Returned cases of the test programme whose returnee answered the survey `rss_test` on
/// arrival, with these answers to `income` and `safe`.
async fn answered(w: &World, answers: &[(&str, &str)]) {
    for (income, safe) in answers {
        answered_by(w, &[], income, safe).await;
    }
}

/// A returned case whose returnee, with these vulnerabilities, answered the survey
/// `rss_test` on arrival.
async fn answered_by(w: &World, vulnerabilities: &[&str], income: &str, safe: &str) {
    let mut d = adult("Awa");
    d["vulnerabilities"] = serde_json::json!(vulnerabilities);
    let case = w
        .register("counsellor", w.bru, vec![member("principal", d)])
        .await;
    let awa = w.people(&case).await.remove(0);
    // Fit to travel, as the programme requires of the elderly.
    w.arrived_fit(&case, &[&awa], &[&awa]).await;
    w.cmd(
        "monitoring",
        &case,
        "follow-ups",
        serde_json::json!({"mode": "visit", "result": "reached", "with": [awa],
                "survey": {"key": "rss_test", "version": 1, "answers": {
                    "income": {"type": "choice", "value": income},
                    "safe": {"type": "choice", "value": safe}}}}),
    )
    .await
    .ok();
}

/// The impact report: returnees' scores by the follow-up they were answered at, per
/// survey version with its weights, exactly for the M&E officer of their offices; for a
/// donor, as the last settled month ended, small groups hidden.
async fn the_impact_report_tells_scores_by_time_since_return(db: &TestDb) {
    let w = World::start(db).await;
    import(&w, "admin", good("1"), XLSX).await.ok();
    ask_survey(&w, "rss_test").await.ok();
    answered(&w, &[("some", "yes"), ("some", "yes"), ("none", "no")]).await;
    let path = format!("/api/programmes/{}/impact", w.programme);
    let r = w.get("counsellor", &path).await;
    assert_eq!(r.status, 403);
    let report = w.get("monitoring", &path).await.ok();
    assert_eq!(report["own_offices_only"], true);
    let survey = &report["surveys"][0];
    assert_eq!(
        (survey["key"].clone(), survey["version"].clone()),
        ("rss_test".into(), 1.into())
    );
    assert_eq!(survey["weights"]["economic"], 1);
    let band = &survey["bands"][0];
    assert_eq!(band["band"], 0, "answered on arrival's day");
    let total = &band["total"];
    assert_eq!(total["returnees"], 3);
    // Economic (0.5 + 0.5 + 0) / 3; psychosocial (1 + 1 + 0) / 3; composite (0.75 + 0.75 + 0) / 3.
    assert_eq!(total["economic"]["mean"], 333);
    assert_eq!(total["psychosocial"]["mean"], 667);
    assert_eq!(total["composite"]["mean"], 500);
    let by_country = w
        .get("monitoring", &format!("{path}?by=return_country"))
        .await
        .ok();
    assert_eq!(
        by_country["surveys"][0]["bands"][0]["rows"][0]["group"],
        "SN"
    );
    let r = w.get("monitoring", &format!("{path}?by=shoe_size")).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(report["protected"], false);
    assert_eq!(report["as_of"], serde_json::Value::Null);
    // A donor reads the surveys recorded up to the last settled month: none of these.
    let donor = w.get("donor", &path).await.ok();
    assert_eq!(donor["protected"], true);
    assert!(donor["as_of"].is_string(), "{donor}");
    assert_eq!(donor["surveys"], serde_json::json!([]), "{donor}");
    // Once this month is settled: three returnees, fewer than the threshold (5), hidden,
    // and the total with them.
    let later = w.impact_at_months_end("donor", ScoreBy::Nothing).await;
    let total = &later["surveys"][0]["bands"][0]["total"];
    assert_eq!(total["returnees"], serde_json::Value::Null, "{later}");
    assert_eq!(total["composite"]["mean"], serde_json::Value::Null);
    // Six: shown, their means too.
    answered(&w, &[("some", "yes"), ("some", "yes"), ("some", "yes")]).await;
    let later = w.impact_at_months_end("donor", ScoreBy::Nothing).await;
    let total = &later["surveys"][0]["bands"][0]["total"];
    assert_eq!(total["returnees"], 6, "{later}");
    // Economic (0.5 × 5 + 0) / 6.
    assert_eq!(total["economic"]["mean"], 417);
    assert_eq!(total["economic"]["scored"], 6);
    // The M&E officer's, as they stand, is the same.
    let exact = w.get("monitoring", &path).await.ok();
    assert_eq!(exact["surveys"][0]["bands"][0]["total"], *total);
    // The downloads: a line per group and each band's total, with the version's weights,
    // valid HXL, the CSV and the workbook alike.
    let download = async |format: &str| {
        let res = w
            .http
            .get(format!("{}{path}.{format}?by=sex", w.base))
            .bearer_auth(w.token("monitoring"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.bytes().await.unwrap()
    };
    let csv = String::from_utf8(download("csv").await.to_vec()).unwrap();
    assert!(
        csv.starts_with("survey,survey_version,months_since_arrival,level,sex,returnees,economic_score,economic_scored,"),
        "{csv}"
    );
    assert!(csv.contains("\nrss_test,1,0,total,,6,0.417,6,"), "{csv}");
    let xlsx = download("xlsx").await;
    super::statistics::hxl_validates(
        &csv,
        &xlsx,
        &[
            "#meta+survey+code",
            "#meta+survey+version",
            "#meta+followup+months",
            "#meta+level",
            "#sex",
        ],
        "#indicator+score+composite",
    );
}

/// The share of returnees whose composite reached the threshold their survey version
/// sets, and the report by each vulnerability: a returnee counts in a row per
/// vulnerability, once in `any`, or in `none`; the kept sums are a rebuild's.
async fn the_impact_report_tells_the_share_sustainable_by_vulnerability(db: &TestDb) {
    let w = World::start(db).await;
    let r = import(
        &w,
        "admin",
        form_at("1", ["select_one level", "select_one yn"], "0.6"),
        XLSX,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["survey"]["threshold"], 600, "{}", r.body);
    ask_survey(&w, "rss_test").await.ok();
    // Composites 0.75, 0.5 and 1.
    answered_by(
        &w,
        &["elderly", "single_parent_without_support"],
        "some",
        "yes",
    )
    .await;
    answered_by(&w, &["elderly"], "none", "yes").await;
    answered_by(&w, &[], "enough", "yes").await;
    let path = format!("/api/programmes/{}/impact", w.programme);
    let report = w
        .get("monitoring", &format!("{path}?by=vulnerability"))
        .await
        .ok();
    let survey = &report["surveys"][0];
    assert_eq!(survey["threshold"], 600, "{report}");
    let band = &survey["bands"][0];
    let rows: Vec<(String, i64, i64)> = band["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["group"].as_str().unwrap().to_string(),
                r["returnees"].as_i64().unwrap(),
                r["sustainable"]["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("elderly".to_string(), 2, 1),
            ("single_parent_without_support".to_string(), 1, 1),
            ("any".to_string(), 2, 1),
            ("none".to_string(), 1, 1),
        ],
        "{report}"
    );
    let total = &band["total"];
    assert_eq!(total["returnees"], 3, "any and none, not each row");
    assert_eq!(total["sustainable"]["count"], 2);
    assert_eq!(total["sustainable"]["share"], 667);
    assert_eq!(band["rows"][0]["sustainable"]["share"], 500);
    // By assistance received: nobody has received any yet.
    let by = w
        .get("monitoring", &format!("{path}?by=assistance"))
        .await
        .ok();
    let rows = &by["surveys"][0]["bands"][0]["rows"];
    assert_eq!(rows.as_array().unwrap().len(), 1, "{by}");
    assert_eq!(rows[0]["group"], "none");
    assert_eq!(rows[0]["returnees"], 3);
    // A donor, once the month is settled: three returnees, all hidden, the total too.
    let later = w
        .impact_at_months_end("donor", ScoreBy::Vulnerability)
        .await;
    let band = &later["surveys"][0]["bands"][0];
    assert!(
        band["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["returnees"].is_null() && r["sustainable"]["share"].is_null()),
        "{later}"
    );
    assert_eq!(
        band["total"]["sustainable"]["count"],
        serde_json::Value::Null
    );
    // The download states the share and the threshold, as valid HXL.
    let res = w
        .http
        .get(format!("{}{path}.csv?by=vulnerability", w.base))
        .bearer_auth(w.token("monitoring"))
        .send()
        .await
        .unwrap();
    let csv = res.text().await.unwrap();
    assert!(
        csv.contains(",sustainable_share,sustainable,economic_weight,social_weight,psychosocial_weight,threshold\n"),
        "{csv}"
    );
    assert!(csv.contains("#indicator+sustainable+pct"), "{csv}");
    // The total: 3 returnees, ..., 0.667 sustainable, 2 of them; weights 1, none, 1;
    // the threshold 0.6.
    assert!(csv.contains(",0.667,2,1,,1,0.6\n"), "{csv}");
    let store = w.app.store();
    let kept = store.read_model_digest().await.unwrap();
    store.rebuild_read_models().await.unwrap();
    assert_eq!(store.read_model_digest().await.unwrap(), kept);
}

homeward_store::db_tests!(
    the_impact_report_tells_the_share_sustainable_by_vulnerability,
    surveys_are_imported_versioned_and_read_back,
    concurrent_imports_store_one_version,
    the_template_is_downloaded_and_imported,
    a_follow_up_records_the_programme_s_survey_with_its_scores,
    each_scheduled_follow_up_asks_its_own_survey_or_the_programme_s,
    the_impact_report_tells_scores_by_time_since_return,
);
