//! Reads under load (the case, its page, lists, search, statistics) against the
//! server's floor.

use super::*;

/// A name as someone might mistype it: a doubled letter made single, or a vowel changed.
pub(super) fn misspell(name: &str, rng: &mut StdRng) -> String {
    let chars: Vec<char> = name.chars().collect();
    if let Some(i) = (1..chars.len()).find(|&i| chars[i] == chars[i - 1]) {
        let mut c = chars.clone();
        c.remove(i);
        return c.into_iter().collect();
    }
    let vowels: Vec<usize> = (1..chars.len())
        .filter(|&i| "aeiou".contains(chars[i]))
        .collect();
    match vowels.choose(rng) {
        Some(&i) => {
            let mut c = chars.clone();
            c[i] = if chars[i] == 'o' { 'u' } else { 'e' };
            c.into_iter().collect()
        }
        None => format!("{name}h"),
    }
}

pub(super) struct Person {
    pub(super) case: String,
    pub(super) given: String,
    pub(super) family: String,
    pub(super) birth_date: Option<String>,
}

#[allow(clippy::too_many_lines)]
pub(super) async fn reads(
    args: &Args,
    base: &str,
    http: &reqwest::Client,
    counsellor: &str,
    approver: &str,
) -> Result<Vec<ReadRun>> {
    let donor = token(http, base, "donor").await?;
    // The statistics cube loads in the background as the server starts, and the first
    // question waits for it: waited for here, before anything is measured (the load would
    // otherwise slow the reads measured meanwhile), and reported.
    let started = Instant::now();
    loop {
        let r = http
            .get(format!("{base}/api/statistics/returns?rows=year"))
            .bearer_auth(approver)
            .send()
            .await?;
        // The server's request timeout (30 s) can pass before the load ends (a million
        // cases on a cold disk): ask again, for up to five minutes.
        if r.status() == reqwest::StatusCode::REQUEST_TIMEOUT
            && started.elapsed() < Duration::from_secs(300)
        {
            continue;
        }
        r.error_for_status()?;
        break;
    }
    let cube_load = started.elapsed().as_secs_f64();
    eprintln!("  statistics ready after {cube_load:.1} s");
    // The programme whose budget page is read.
    let programmes: Value = http
        .get(format!("{base}/api/programmes"))
        .bearer_auth(approver)
        .send()
        .await?
        .json()
        .await?;
    let programme = programmes[0]["id"].as_str().unwrap_or_default().to_string();
    // Cases and people to ask for, from the first pages of the list.
    let mut people = vec![];
    for page in 1..=5 {
        let list: Value = http
            .get(format!("{base}/api/cases?per_page=100&page={page}"))
            .bearer_auth(counsellor)
            .send()
            .await?
            .json()
            .await?;
        for item in list["items"].as_array().cloned().unwrap_or_default() {
            let Some(case) = item["id"].as_str() else {
                continue;
            };
            people.push(case.to_string());
        }
    }
    // Sixty people with a date of birth, for "search by name and date of birth"; and
    // up to sixty whose year of birth is only estimated (stored without a date), searched
    // by name alone, measured apart: the two are different searches.
    let mut sample = vec![];
    let mut undated = vec![];
    for case in &people {
        if sample.len() >= 60 && undated.len() >= 60 {
            break;
        }
        let view: Value = http
            .get(format!("{base}/api/cases/{case}"))
            .bearer_auth(counsellor)
            .send()
            .await?
            .json()
            .await?;
        let m = &view["case"]["members"][0]["details"];
        let person = Person {
            case: case.clone(),
            given: m["name"]["given"].as_str().unwrap_or("").to_string(),
            family: m["name"]["family"].as_str().unwrap_or("").to_string(),
            birth_date: m["date_of_birth"]["exact"].as_str().map(str::to_string),
        };
        match (&person.birth_date, sample.len(), undated.len()) {
            (Some(_), n, _) if n < 60 => sample.push(person),
            (None, _, n) if n < 60 => undated.push(person),
            _ => {}
        }
    }
    if people.is_empty() || sample.is_empty() || undated.is_empty() {
        bail!("no case to read");
    }
    // The browser's session, for the HTML page.
    let browser = reqwest::Client::builder().cookie_store(true).build()?;
    browser
        .post(format!("{base}/api/session"))
        .json(&json!({"username": "counsellor", "password": "demo-counsellor-2026"}))
        .send()
        .await?
        .error_for_status()?;
    let ids = Arc::new(people);
    let sample = Arc::new(sample);
    let mut out = vec![];
    let mut rng = StdRng::seed_from_u64(7);
    let exact_queries: Arc<Vec<Value>> = Arc::new(
        sample
            .iter()
            .map(|p| json!({"q": format!("{} {}", p.given, p.family), "birth_date": p.birth_date}))
            .collect(),
    );
    let variant_queries: Arc<Vec<Value>> = Arc::new(
        sample
            .iter()
            .map(|p| json!({"q": format!("{} {}", misspell(&p.given, &mut rng), misspell(&p.family, &mut rng)), "birth_date": p.birth_date}))
            .collect(),
    );
    let name_queries: Arc<Vec<Value>> = Arc::new(
        undated
            .iter()
            .map(|p| json!({"q": format!("{} {}", p.given, p.family)}))
            .collect(),
    );
    // Whether each search finds the person it was looking for.
    let mut found = BTreeMap::new();
    for (label, queries, people) in [
        ("exact", &exact_queries, sample.as_slice()),
        ("variant", &variant_queries, sample.as_slice()),
        ("name", &name_queries, undated.as_slice()),
    ] {
        let mut hits = 0;
        for (q, p) in queries.iter().zip(people.iter()) {
            let r: Value = http
                .post(format!("{base}/api/cases/search"))
                .bearer_auth(counsellor)
                .json(q)
                .send()
                .await?
                .json()
                .await?;
            if r["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i["id"] == p.case.as_str()))
            {
                hits += 1;
            } else {
                eprintln!("  {label} search did not find its person: {q}");
            }
        }
        found.insert(label, (hits, queries.len()));
    }
    let kinds: Vec<(&str, Option<String>)> = vec![
        ("case (API)", None),
        ("case page (HTML)", None),
        (
            "case list: newest first",
            Some("no filter, pages 1 to 10: the counsellor's first screen".to_string()),
        ),
        ("case list: stage, country and office", None),
        (
            "search: name and date of birth",
            Some(format!(
                "finds the person {} of {} times",
                found["exact"].0, found["exact"].1
            )),
        ),
        (
            "search: misspelt name and date of birth",
            Some(format!(
                "finds the person {} of {} times",
                found["variant"].0, found["variant"].1
            )),
        ),
        (
            "search: name alone (year of birth estimated)",
            Some(format!(
                "no target: people without a date of birth; finds the person {} of {} times \
                 on the first page",
                found["name"].0, found["name"].1
            )),
        ),
        (
            "statistics: returns by year",
            Some(format!(
                "the figures were ready {cube_load:.1} s after the server started serving"
            )),
        ),
        ("statistics: country of return by sex", None),
        (
            "statistics: country of return by age group, protected",
            Some("as a donor sees it: small cells suppressed".to_string()),
        ),
        (
            "statistics: pipeline and durations",
            Some("cases by stage, interruptions, days to departure".to_string()),
        ),
        (
            "budget: the programme's page",
            Some("every grant and line, by assistance type and country".to_string()),
        ),
        (
            "budget: the programme's page, protected",
            Some("as a donor sees it".to_string()),
        ),
        (
            "impact: scores by follow-up and sex",
            Some("survey scores per version, follow-up and sex, exactly".to_string()),
        ),
        (
            "impact: scores by follow-up and country of return",
            Some("survey scores per version, follow-up and country, exactly".to_string()),
        ),
        (
            "impact: scores by follow-up and sex, protected",
            Some("as a donor sees it, as the last settled month ended".to_string()),
        ),
        (
            "performance: the programme's report",
            Some("time to departure, withdrawals, follow-ups on time, money".to_string()),
        ),
        (
            "performance: the programme's report, protected",
            Some("as a donor sees it, as the last settled month ended".to_string()),
        ),
    ];
    for clients in [1usize, 16] {
        let floor = {
            let (http, base) = (http.clone(), base.to_string());
            load(clients, Stop::Count(args.samples), move |_, _| {
                let (http, base) = (http.clone(), base.clone());
                async move {
                    match http.get(format!("{base}/healthz")).send().await {
                        Ok(r) => outcome(r.status()),
                        Err(_) => Outcome::Failed,
                    }
                }
            })
            .await
        };
        for (name, note) in &kinds {
            eprintln!("  {name} at {clients} clients");
            let programme = programme.clone();
            let (http, browser, base, counsellor, approver, donor, ids, exact, variant, names) = (
                http.clone(),
                browser.clone(),
                base.to_string(),
                counsellor.to_string(),
                approver.to_string(),
                donor.clone(),
                ids.clone(),
                exact_queries.clone(),
                variant_queries.clone(),
                name_queries.clone(),
            );
            let name_owned = name.to_string();
            let stop = Stop::CountWithin(args.samples, Duration::from_secs(args.sample_seconds));
            let m = load(clients, stop, move |c, i| {
                let (http, browser, base, counsellor, approver, donor, ids, exact, variant, names) = (
                    http.clone(),
                    browser.clone(),
                    base.clone(),
                    counsellor.clone(),
                    approver.clone(),
                    donor.clone(),
                    ids.clone(),
                    exact.clone(),
                    variant.clone(),
                    names.clone(),
                );
                let name = name_owned.clone();
                let programme = programme.clone();
                async move {
                    let k = (c * 7919 + i * 104_729) % ids.len();
                    let req = match name.as_str() {
                        "case (API)" => http
                            .get(format!("{base}/api/cases/{}", ids[k]))
                            .bearer_auth(&counsellor),
                        "case page (HTML)" => browser.get(format!("{base}/cases/{}", ids[k])),
                        "case list: newest first" => http
                            .get(format!("{base}/api/cases?per_page=50&page={}", k % 10 + 1))
                            .bearer_auth(&counsellor),
                        "case list: stage, country and office" => {
                            let stage = [
                                "counselling",
                                "applied",
                                "approved",
                                "pre_departure",
                                "arrived",
                            ][k % 5];
                            let country = ["SN", "NG", "GE", "IQ", "MA"][(k / 5) % 5];
                            http.get(format!(
                                "{base}/api/cases?stage={stage}&country={country}&per_page=50"
                            ))
                            .bearer_auth(&counsellor)
                        }
                        "search: name and date of birth" => http
                            .post(format!("{base}/api/cases/search"))
                            .bearer_auth(&counsellor)
                            .json(&exact[k % exact.len()]),
                        "search: misspelt name and date of birth" => http
                            .post(format!("{base}/api/cases/search"))
                            .bearer_auth(&counsellor)
                            .json(&variant[k % variant.len()]),
                        "search: name alone (year of birth estimated)" => http
                            .post(format!("{base}/api/cases/search"))
                            .bearer_auth(&counsellor)
                            .json(&names[k % names.len()]),
                        "statistics: returns by year" => http
                            .get(format!("{base}/api/statistics/returns?rows=year"))
                            .bearer_auth(&approver),
                        "statistics: country of return by age group, protected" => http
                            .get(format!(
                                "{base}/api/statistics/returns?rows=return_country&columns=age_group"
                            ))
                            .bearer_auth(&donor),
                        "statistics: pipeline and durations" => http
                            .get(format!("{base}/api/statistics/pipeline"))
                            .bearer_auth(&approver),
                        "budget: the programme's page" => http
                            .get(format!("{base}/api/programmes/{programme}/budget"))
                            .bearer_auth(&approver),
                        "budget: the programme's page, protected" => http
                            .get(format!("{base}/api/programmes/{programme}/budget"))
                            .bearer_auth(&donor),
                        "impact: scores by follow-up and sex" => http
                            .get(format!("{base}/api/programmes/{programme}/impact?by=sex"))
                            .bearer_auth(&approver),
                        "performance: the programme's report" => http
                            .get(format!("{base}/api/programmes/{programme}/performance"))
                            .bearer_auth(&approver),
                        "performance: the programme's report, protected" => http
                            .get(format!("{base}/api/programmes/{programme}/performance"))
                            .bearer_auth(&donor),
                        "impact: scores by follow-up and sex, protected" => http
                            .get(format!("{base}/api/programmes/{programme}/impact?by=sex"))
                            .bearer_auth(&donor),
                        "impact: scores by follow-up and country of return" => http
                            .get(format!(
                                "{base}/api/programmes/{programme}/impact?by=return_country"
                            ))
                            .bearer_auth(&approver),
                        _ => http
                            .get(format!(
                                "{base}/api/statistics/returns?rows=return_country&columns=sex"
                            ))
                            .bearer_auth(&approver),
                    };
                    match req.send().await {
                        Ok(r) => {
                            let status = r.status();
                            // The whole body, as a client waits for it.
                            match r.bytes().await {
                                Ok(_) => outcome(status),
                                Err(_) => Outcome::Failed,
                            }
                        }
                        Err(_) => Outcome::Failed,
                    }
                }
            })
            .await;
            out.push(ReadRun {
                name: name.to_string(),
                clients,
                read: m.stats,
                floor: floor.stats.clone(),
                errors: m.errors + m.conflicts,
                note: note.clone(),
            });
        }
    }
    Ok(out)
}
