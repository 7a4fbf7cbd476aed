//! Follow-ups and their surveys.

use super::*;

/// An administrator chooses a survey for each follow-up of the programme's schedule on
/// its form; a follow-up recorded in that follow-up's time asks it, and one on a day in
/// another's time (here the baseline, before the first window opens) asks the
/// programme's: the form shows the survey the day it gives asks, and answers given to
/// another are named, not recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_follow_up_of_the_schedule_asks_the_survey_chosen_for_it() {
    let s = demo_site(60).await;
    let today = chrono::Utc::now().date_naive();
    // A demo case in monitoring whose follow-up time today is a scheduled one's.
    let (rows, _) = s.app.store().read_model_snapshot().await.unwrap();
    let mut found = None;
    for r in rows.iter().filter(|r| r.stage.code() == "monitoring") {
        let events = s.app.store().load_events(r.case_id).await.unwrap();
        let case = homeward_domain::Case::replay(&events).unwrap();
        let arrived = case.dates.arrived.unwrap().date_naive();
        if let Some(slot) = case.monitoring.slot_at(arrived, today)
            && arrived + chrono::Days::new(1) < today
        {
            let months = slot.months_after_arrival;
            let principal = case.members[0].person_id.0.to_string();
            found = Some((case.id.0, case.programme, principal, arrived, months));
            break;
        }
    }
    let (case, programme, principal, arrived, months) =
        found.expect("a case in a follow-up's time");
    let survey =
        homeward_app::xlsform::survey_from_xlsx(&survey_workbook("select_one yn"), 1).unwrap();
    s.app.add_survey_version(None, survey).await.unwrap();

    // The programme's form: a survey to choose for each follow-up, the programme's by
    // default.
    let mut admin = Web::new(&s);
    admin.sign_in_with("admin", "demo-admin-2026").await;
    let path = format!("/admin/programmes/{}", programme.0);
    let form = admin.get(&path).await.body;
    let field = format!("follow_up_survey_{months}");
    for m in [3, 6, 12] {
        assert!(
            form.contains(&format!("name=\"follow_up_survey_{m}\"")),
            "{m}: {form}"
        );
    }
    assert!(
        plain(&unescape(&form)).contains(&format!("Survey at the {months}-month follow-up")),
        "{form}"
    );
    let mut fields = form_values(&form, &path);
    assert!(
        fields.contains(&(field.clone(), String::new())),
        "{fields:?}"
    );
    fields.retain(|(k, _)| *k != field && k != "_csrf" && k != "settings_digest");
    // A survey never imported is named at its own choice (as a changed page could send).
    let mut wrong = fields.clone();
    wrong.push((field.clone(), "never_imported".into()));
    let refused = admin.post(&path, &as_pairs_owned(&wrong)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains(&format!("href=\"#{field}\"")),
        "{}",
        refused.body
    );
    admin.get(&path).await;
    fields.push((field.clone(), "rss_web".into()));
    let saved = admin.post(&path, &as_pairs_owned(&fields)).await;
    assert_eq!(saved.url, "/admin", "{}", saved.body);
    let settings = s.app.get_programme(programme).await.unwrap().settings;
    let slot = settings
        .monitoring
        .schedule
        .iter()
        .find(|x| x.months_after_arrival == months)
        .unwrap();
    assert_eq!(slot.survey.as_deref(), Some("rss_web"));
    assert_eq!(
        settings.monitoring.survey.as_deref(),
        Some("reintegration_sustainability"),
        "the programme's own survey is kept"
    );
    let form = admin.get(&path).await.body;
    assert!(
        form_values(&form, &path).contains(&(field.clone(), "rss_web".into())),
        "{form}"
    );

    // Today, in that follow-up's time: its survey.
    let mut w = Web::new(&s);
    w.sign_in_with("monitoring", "demo-monitoring-2026").await;
    let action = format!("/cases/{case}/do/record-follow-up");
    let form = w.get(&action).await.body;
    assert!(form.contains("name=\"survey-work\""), "{form}");
    assert!(!form.contains("name=\"survey-income_sources\""), "{form}");
    assert_eq!(input_value(&form, "survey_key").as_deref(), Some("rss_web"));
    // Its answers, given for a day before the first window opens: that day asks the
    // programme's survey, which the form now shows, without the answers given to another.
    let baseline = arrived + chrono::Days::new(1);
    let (day, month, year) = (
        baseline.format("%d").to_string(),
        baseline.format("%m").to_string(),
        baseline.format("%Y").to_string(),
    );
    let answers = [
        ("mode", "visit"),
        ("result", "reached"),
        ("with", principal.as_str()),
        ("survey_key", "rss_web"),
        ("survey_version", "1"),
        ("survey-work", "yes"),
        ("survey-safe", "yes"),
    ];
    let mut then = answers.to_vec();
    then.extend([
        ("occurred-day", day.as_str()),
        ("occurred-month", month.as_str()),
        ("occurred-year", year.as_str()),
    ]);
    let before = s
        .app
        .store()
        .load_events(homeward_domain::ids::CaseId(case))
        .await
        .unwrap()
        .len();
    let other = w.post(&action, &then).await;
    assert_eq!(other.status, 422, "{}", other.body);
    let said = plain(&unescape(&other.body));
    assert!(
        said.contains("A follow-up on this day asks another survey (or none): the form now shows the one it asks."),
        "{said}"
    );
    assert!(
        other.body.contains("name=\"survey-income_sources\""),
        "{}",
        other.body
    );
    assert!(
        !other.body.contains("name=\"survey-work\""),
        "{}",
        other.body
    );
    assert_eq!(
        input_value(&other.body, "survey_key").as_deref(),
        Some("reintegration_sustainability")
    );
    let after = s
        .app
        .store()
        .load_events(homeward_domain::ids::CaseId(case))
        .await
        .unwrap()
        .len();
    assert_eq!(before, after, "nothing recorded");
    // One question at a time, the day given at the first step decides the survey the
    // next steps ask, and the other survey's answers are not carried into it.
    let form = w.get(&action).await.body;
    let version = input_value(&form, "version").unwrap();
    let mut step = then.clone();
    step.extend([
        ("version", version.as_str()),
        ("_at", ""),
        ("_step", "next"),
    ]);
    let next = w.post(&action, &step).await;
    assert_eq!(next.status, 200, "{}", next.body);
    assert_eq!(
        input_value(&next.body, "survey_key").as_deref(),
        Some("reintegration_sustainability"),
        "{}",
        next.body
    );
    assert!(!next.body.contains("name=\"survey-work\""), "{}", next.body);
    assert!(
        next.body.contains("name=\"survey-income_sources\""),
        "{}",
        next.body
    );
    // With no answer given, the day's other survey is no reason to refuse the follow-up.
    let visit: Vec<(&str, &str)> = then
        .iter()
        .filter(|(k, _)| !k.starts_with("survey-"))
        .copied()
        .collect();
    w.get(&action).await;
    let recorded = w.post(&action, &visit).await;
    assert_eq!(recorded.url, format!("/cases/{case}"), "{}", recorded.body);
    // Today: recorded, scored under the follow-up's survey.
    w.get(&action).await;
    let done = w.post(&action, &answers).await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    assert!(
        plain(&unescape(&done.body)).contains("rss_web v1"),
        "{}",
        done.body
    );
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
