//! The programme pages: a programme's settings (packages, protection, reintegration
//! rules, the monitoring schedule and its surveys), created and edited by administrators.

use super::*;

/// The surveys a programme may ask at follow-ups, by name, with their latest title; none
/// first.
async fn survey_options(
    st: &WebState,
    p: &homeward_app::auth::Principal,
    i: &crate::i18n::I18n,
) -> Result<Vec<(String, String)>, AppError> {
    let mut out = vec![(String::new(), i.t("admin-monitoring-survey-none"))];
    for v in st.app.surveys(p).await?.iter().rev() {
        if !out.iter().any(|(k, _)| *k == v.survey.key) {
            let title = v.survey.text(&v.survey.title, i.code()).to_string();
            out.push((v.survey.key.clone(), format!("{title} ({})", v.survey.key)));
        }
    }
    out[1..].sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// The months of the follow-ups the form's schedule names ("3, 6, 12:45"), each once, in
/// its order: each has a survey of its own to choose (`follow_up_survey_<months>`).
fn schedule_months(f: &FormData) -> Vec<u8> {
    let mut out = vec![];
    for entry in f
        .get("follow_up_months")
        .split([',', ';', ' '])
        .filter(|e| !e.is_empty())
    {
        let months = entry.split(':').next().unwrap_or(entry).trim();
        if let Ok(m) = months.parse::<u8>()
            && !out.contains(&m)
        {
            out.push(m);
        }
    }
    out
}

/// The field of the survey of the follow-up at `months` after arrival.
fn slot_survey_field(months: u8) -> String {
    format!("follow_up_survey_{months}")
}

/// The app's refusals named at the form's fields: a scheduled follow-up's survey at its
/// own choice.
fn at_form_fields(e: AppError, f: &FormData) -> AppError {
    let AppError::Invalid(vs) = e else {
        return e;
    };
    let months = schedule_months(f);
    AppError::Invalid(
        vs.into_iter()
            .map(|v| {
                let slot = v
                    .field
                    .as_deref()
                    .and_then(|p| p.strip_prefix("settings/monitoring/schedule/"))
                    .and_then(|p| p.strip_suffix("/survey"))
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| months.get(n).copied());
                match slot {
                    Some(m) => v.at(slot_survey_field(m)),
                    None => v,
                }
            })
            .collect(),
    )
}

/// The programme form's inputs; a survey to choose for each follow-up the schedule in
/// `f` names.
fn programme_inputs(
    v: &Visitor,
    new: bool,
    surveys: Vec<(String, String)>,
    f: &FormData,
) -> Vec<In> {
    let i = v.i;
    // A follow-up asks its own survey or, by default, the programme's (never "none").
    let slot_surveys: Vec<(String, String)> =
        std::iter::once((String::new(), i.t("admin-follow-up-survey-programme")))
            .chain(surveys.iter().skip(1).cloned())
            .collect();
    let vulns: Vec<(String, String)> = Vulnerability::ALL
        .iter()
        .map(|x| (x.code().to_string(), i.opt("vuln", x.code())))
        .collect();
    let mut inputs = vec![];
    if new {
        inputs.push(In::Text("code", "admin-programme-code", None));
    }
    inputs.extend([
        In::Text("name", "admin-programme-name", None),
        In::Text(
            "reflection_period_days",
            "admin-reflection",
            Some("admin-reflection-hint"),
        ),
        In::Text(
            "decide_within_days",
            "admin-decide-days",
            Some("admin-decide-days-hint"),
        ),
        In::Text(
            "host_countries",
            "admin-host-countries",
            Some("admin-countries-hint"),
        ),
        In::Text(
            "transit_countries",
            "admin-transit-countries",
            Some("admin-transit-countries-hint"),
        ),
        In::Text(
            "return_countries",
            "admin-return-countries",
            Some("admin-return-countries-hint"),
        ),
        In::Area(
            "categories",
            "admin-categories",
            Some("admin-categories-hint"),
        ),
        In::Radios(
            "health_mode",
            "admin-health",
            vec![
                ("always".into(), i.t("admin-health-always")),
                (
                    "vulnerabilities".into(),
                    i.t("admin-health-vulnerabilities"),
                ),
            ],
        ),
        In::Checks(
            "health_vulnerabilities",
            "admin-health-for",
            None,
            vulns.clone(),
        ),
        In::Checks(
            "escort_required_for",
            "admin-escorts",
            Some("admin-escorts-hint"),
            vulns,
        ),
        In::Check("risk_assessment_for_trafficking", "admin-risk", None),
        In::Checks(
            "consent_exceptions",
            "admin-consent-exceptions",
            Some("admin-consent-exceptions-hint"),
            ExceptionGround::ALL
                .iter()
                .map(|g| (g.code().to_string(), i.opt("exception_ground", g.code())))
                .collect(),
        ),
        In::Text("currency", "admin-currency", None),
        In::Text(
            "package_on_arrival",
            "admin-package-on-arrival",
            Some("admin-package-hint"),
        ),
        In::Text("package_per_adult", "admin-package-per-adult", None),
        In::Text("package_per_dependant", "admin-package-per-dependant", None),
        In::Text(
            "package_per_vulnerable",
            "admin-package-per-vulnerable",
            None,
        ),
        In::Text(
            "second_signature_above",
            "admin-second-signature",
            Some("admin-second-signature-hint"),
        ),
        In::Text(
            "follow_up_months",
            "admin-follow-ups",
            Some("admin-follow-ups-hint"),
        ),
        In::Text(
            "follow_up_window",
            "admin-follow-up-window",
            Some("admin-follow-up-window-hint"),
        ),
        In::Text(
            "lost_contact_after",
            "admin-lost-contact-after",
            Some("admin-lost-contact-after-hint"),
        ),
        In::Select(
            "monitoring_survey",
            "admin-monitoring-survey",
            Some("admin-monitoring-survey-hint"),
            surveys,
            false,
        ),
    ]);
    for (n, months) in schedule_months(f).into_iter().enumerate() {
        inputs.push(In::Question {
            name: slot_survey_field(months),
            label: i.ta(
                "admin-follow-up-survey",
                &[("months", i64::from(months).into())],
            ),
            hint: (n == 0).then(|| i.t("admin-follow-up-survey-hint")),
            kind: "select",
            options: slot_surveys.clone(),
        });
    }
    inputs.push(In::Heading(i.t("admin-protection")));
    let services: Vec<(String, String)> = ServiceType::ALL
        .iter()
        .map(|x| (x.code().to_string(), i.opt("service", x.code())))
        .collect();
    for (_, name, label, hint) in PROTECTION_FIELDS {
        inputs.push(In::Checks(name, label, hint, services.clone()));
    }
    if !new {
        // The settings as the form was opened: a save over someone else's is refused.
        inputs.push(In::Hidden("settings_digest"));
    }
    inputs
}

/// The programme form's fields for protection on arrival, one per vulnerability: its
/// name, its label, and what applies when it is left empty.
const PROTECTION_FIELDS: [(Vulnerability, &str, &str, Option<&str>); 6] = [
    (
        Vulnerability::VictimOfTrafficking,
        "protection_victim_of_trafficking",
        "opt-vuln-victim_of_trafficking",
        Some("admin-protection-default-trafficking"),
    ),
    (
        Vulnerability::UnaccompaniedOrSeparatedChild,
        "protection_unaccompanied_or_separated_child",
        "opt-vuln-unaccompanied_or_separated_child",
        Some("admin-protection-default-child"),
    ),
    (
        Vulnerability::MedicalNeeds,
        "protection_medical_needs",
        "opt-vuln-medical_needs",
        Some("admin-protection-default-medical"),
    ),
    (
        Vulnerability::VictimOfViolence,
        "protection_victim_of_violence",
        "opt-vuln-victim_of_violence",
        Some("admin-protection-default-none"),
    ),
    (
        Vulnerability::Elderly,
        "protection_elderly",
        "opt-vuln-elderly",
        Some("admin-protection-default-none"),
    ),
    (
        Vulnerability::SingleParentWithoutSupport,
        "protection_single_parent_without_support",
        "opt-vuln-single_parent_without_support",
        Some("admin-protection-default-none"),
    ),
];

/// The package's amounts, typed in major units of the programme's currency.
const PACKAGE_FIELDS: [&str; 4] = [
    "package_on_arrival",
    "package_per_adult",
    "package_per_dependant",
    "package_per_vulnerable",
];

/// Minor units written in major units ("615.00").
pub(in crate::pages) fn major_units(minor: u64, currency: &CurrencyCode) -> String {
    match i64::try_from(minor)
        .ok()
        .and_then(|m| Money::new(m, currency.clone()).ok())
    {
        Some(m) => m
            .to_string()
            .trim_end_matches(currency.as_str())
            .trim()
            .to_string(),
        None => minor.to_string(),
    }
}

fn programme_form_data(pr: &Programme) -> FormData {
    let s = &pr.settings;
    let mut pairs = vec![
        ("name".to_string(), pr.name.to_string()),
        (
            "settings_digest".to_string(),
            homeward_app::admin::settings_digest(s),
        ),
        (
            "reflection_period_days".into(),
            s.reflection_period_days.to_string(),
        ),
        (
            "decide_within_days".into(),
            s.decide_within_days.to_string(),
        ),
        (
            "host_countries".into(),
            s.host_countries
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "transit_countries".into(),
            s.transit_countries
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "return_countries".into(),
            s.return_countries
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "categories".into(),
            s.categories
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("currency".into(), s.currency.to_string()),
    ];
    match &s.health_assessment {
        HealthAssessmentRule::Always => pairs.push(("health_mode".into(), "always".into())),
        HealthAssessmentRule::ForVulnerabilities(set) => {
            pairs.push(("health_mode".into(), "vulnerabilities".into()));
            pairs.extend(
                set.iter()
                    .map(|x| ("health_vulnerabilities".to_string(), x.code().to_string())),
            );
        }
    }
    pairs.extend(
        s.escort_required_for
            .iter()
            .map(|x| ("escort_required_for".to_string(), x.code().to_string())),
    );
    pairs.extend(
        s.consent_exceptions
            .iter()
            .map(|g| ("consent_exceptions".to_string(), g.code().to_string())),
    );
    for (v, name, _, _) in PROTECTION_FIELDS {
        if let Some(set) = s.protection_on_arrival.get(&v) {
            pairs.extend(set.iter().map(|x| (name.to_string(), x.code().to_string())));
        }
    }
    if s.risk_assessment_for_trafficking {
        pairs.push(("risk_assessment_for_trafficking".into(), "yes".into()));
    }
    let r = &s.reintegration;
    if let Some(p) = &r.package {
        let amounts = [
            p.on_arrival_per_person,
            p.per_adult,
            p.per_dependant,
            p.per_vulnerable_person,
        ];
        for (name, minor) in PACKAGE_FIELDS.into_iter().zip(amounts) {
            pairs.push((name.into(), major_units(minor, &s.currency)));
        }
    }
    if let Some(t) = r.second_signature_above {
        pairs.push(("second_signature_above".into(), major_units(t, &s.currency)));
    }
    let m = &s.monitoring;
    // One window for all, as typed; a follow-up whose window differs says its own.
    let window = m.schedule.first().map_or(30, |f| f.window_days);
    let months = m
        .schedule
        .iter()
        .map(|f| match f.window_days == window {
            true => f.months_after_arrival.to_string(),
            false => format!("{}:{}", f.months_after_arrival, f.window_days),
        })
        .collect::<Vec<_>>()
        .join(", ");
    pairs.push(("follow_up_months".into(), months));
    pairs.push(("follow_up_window".into(), window.to_string()));
    pairs.push((
        "lost_contact_after".into(),
        m.lost_contact_after.to_string(),
    ));
    pairs.push((
        "monitoring_survey".into(),
        m.survey.clone().unwrap_or_default(),
    ));
    for slot in &m.schedule {
        if let Some(key) = &slot.survey {
            pairs.push((slot_survey_field(slot.months_after_arrival), key.clone()));
        }
    }
    FormData::from_pairs(pairs)
}

/// Settings from the form; every invalid field named.
fn parse_settings(v: &Visitor, f: &FormData, errors: &mut FormErrors) -> Option<ProgrammeSettings> {
    let i = v.i;
    let vulns = |name: &str| -> BTreeSet<Vulnerability> {
        f.all(name)
            .into_iter()
            .filter_map(|c| Vulnerability::ALL.into_iter().find(|x| x.code() == c))
            .collect()
    };
    let countries = |name: &str, errors: &mut FormErrors| -> BTreeSet<CountryCode> {
        let mut out = BTreeSet::new();
        for code in f.get(name).split([',', ' ', ';']).filter(|c| !c.is_empty()) {
            match CountryCode::parse(code) {
                Ok(c) => {
                    out.insert(c);
                }
                Err(e) => errors.add(name, e.message),
            }
        }
        out
    };
    let host = countries("host_countries", errors);
    let transit = countries("transit_countries", errors);
    let returns = countries("return_countries", errors);
    let days = f.get("reflection_period_days").trim().parse::<u16>().ok();
    match f.get("reflection_period_days").trim() {
        "" => errors.missing("reflection_period_days", &i),
        _ if days.is_none() => errors.add("reflection_period_days", i.t("err-days")),
        _ => {}
    }
    // Empty: the default.
    let decide_days = match f.get("decide_within_days").trim() {
        "" => Some(ProgrammeSettings::DEFAULT_DECIDE_WITHIN_DAYS),
        d => d.parse::<u16>().ok().filter(|d| *d > 0),
    };
    if decide_days.is_none() {
        errors.add("decide_within_days", i.t("err-days-positive"));
    }
    let mut categories = BTreeSet::new();
    for line in f
        .get("categories")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        match ShortText::parse(line) {
            Ok(c) => {
                categories.insert(c);
            }
            Err(e) => errors.add("categories", e.message),
        }
    }
    let currency = CurrencyCode::parse(f.get("currency"))
        .map_err(|e| errors.add("currency", e.message))
        .ok();
    let health = match f.get("health_mode") {
        "always" => HealthAssessmentRule::Always,
        _ => HealthAssessmentRule::ForVulnerabilities(vulns("health_vulnerabilities")),
    };
    // An amount in major units of the currency, or nothing when left empty.
    let minor = |name: &str, errors: &mut FormErrors| -> Option<u64> {
        let text = f.get(name).trim();
        let c = currency.as_ref()?;
        if text.is_empty() {
            return None;
        }
        let m =
            crate::actions::parse_amount(text, c).and_then(|m| u64::try_from(m.amount_minor).ok());
        if m.is_none() {
            errors.add(name, i.t1("f-amount-hint", "currency", c.to_string()));
        }
        m
    };
    let amounts: Vec<Option<u64>> = PACKAGE_FIELDS.iter().map(|n| minor(n, errors)).collect();
    let package = match amounts[..] {
        [
            Some(on_arrival_per_person),
            Some(per_adult),
            Some(per_dependant),
            Some(per_vulnerable_person),
        ] => Some(Package {
            on_arrival_per_person,
            per_adult,
            per_dependant,
            per_vulnerable_person,
        }),
        _ => {
            if PACKAGE_FIELDS.iter().any(|n| !f.get(n).trim().is_empty()) {
                for n in PACKAGE_FIELDS.iter().filter(|n| f.get(n).trim().is_empty()) {
                    errors.add(n, i.t("admin-package-all"));
                }
            }
            None
        }
    };
    let second_signature_above = minor("second_signature_above", errors);
    let monitoring = parse_monitoring(v, f, errors);
    if !errors.is_empty() {
        return None;
    }
    Some(ProgrammeSettings {
        reflection_period_days: days?,
        decide_within_days: decide_days?,
        host_countries: host,
        transit_countries: transit,
        return_countries: returns,
        categories,
        health_assessment: health,
        escort_required_for: vulns("escort_required_for"),
        consent_exceptions: f
            .all("consent_exceptions")
            .into_iter()
            .filter_map(|c| ExceptionGround::ALL.into_iter().find(|g| g.code() == c))
            .collect(),
        risk_assessment_for_trafficking: f.checked("risk_assessment_for_trafficking"),
        currency: currency?,
        reintegration: ReintegrationRules {
            package,
            second_signature_above,
        },
        monitoring: monitoring?,
        protection_on_arrival: PROTECTION_FIELDS
            .iter()
            .map(|(v, name, _, _)| {
                let set: BTreeSet<ServiceType> = f
                    .all(name)
                    .into_iter()
                    .filter_map(ServiceType::from_code)
                    .collect();
                (*v, set)
            })
            .filter(|(_, set)| !set.is_empty())
            .collect(),
        // Grants are not on this form: an edit keeps them (see `edit_programme`).
        funding: vec![],
    })
}

/// The monitoring schedule from the form: months after arrival ("3, 6, 12"), each with
/// the common window or its own ("12:45"); the domain's rules name what cannot be used.
fn parse_monitoring(v: &Visitor, f: &FormData, errors: &mut FormErrors) -> Option<MonitoringRules> {
    let i = v.i;
    let standard = MonitoringRules::standard();
    // A number, or the standard schedule's when left empty.
    let number = |name: &str, empty: u16, errors: &mut FormErrors| -> Option<u16> {
        let text = f.get(name).trim();
        if text.is_empty() {
            return Some(empty);
        }
        let n = text.parse::<u16>().ok();
        if n.is_none() {
            errors.add(name, i.t("admin-whole-number"));
        }
        n
    };
    let window = number(
        "follow_up_window",
        standard.schedule.first().map_or(30, |s| s.window_days),
        errors,
    );
    let lost_contact_after = number(
        "lost_contact_after",
        u16::from(standard.lost_contact_after),
        errors,
    )
    .and_then(|n| {
        u8::try_from(n).ok().or_else(|| {
            errors.add("lost_contact_after", i.t("admin-whole-number"));
            None
        })
    });
    let mut schedule = vec![];
    for entry in f
        .get("follow_up_months")
        .split([',', ';', ' '])
        .filter(|e| !e.is_empty())
    {
        let (months, own) = match entry.split_once(':') {
            Some((m, w)) => (m, Some(w)),
            None => (entry, None),
        };
        let months = months.trim().parse::<u8>().ok();
        let own = own.map(|w| w.trim().parse::<u16>().ok());
        match (months, own.unwrap_or(window)) {
            (Some(months_after_arrival), Some(window_days)) => schedule.push(FollowUpSlot {
                months_after_arrival,
                window_days,
                survey: f.opt(&slot_survey_field(months_after_arrival)),
            }),
            _ => errors.add(
                "follow_up_months",
                i.t1("admin-follow-ups-invalid", "entry", entry.to_string()),
            ),
        }
    }
    let rules = MonitoringRules {
        schedule,
        lost_contact_after: lost_contact_after?,
        survey: f.opt("monitoring_survey"),
    };
    errors.add_violations(&i, &rules.violations(), |path| match path {
        "lost_contact_after" => "lost_contact_after".to_string(),
        "survey" => "monitoring_survey".to_string(),
        p if p.ends_with("window_days") => "follow_up_window".to_string(),
        p if p.ends_with("/survey") => p
            .strip_prefix("schedule/")
            .and_then(|p| p.strip_suffix("/survey"))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| rules.schedule.get(n))
            .map_or("follow_up_months".to_string(), |s| {
                slot_survey_field(s.months_after_arrival)
            }),
        _ => "follow_up_months".to_string(),
    });
    errors.is_empty().then_some(rules)
}

pub async fn new_programme_form(State(st): State<WebState>, SignedIn(v, p): SignedIn) -> Response {
    if !p.actor.may_administer() {
        return forbidden(&v);
    }
    let mut f = FormData::default();
    f.set("reflection_period_days", "3");
    f.set("currency", "EUR");
    f.set("health_mode", "vulnerabilities");
    f.set("risk_assessment_for_trafficking", "yes");
    let surveys = match survey_options(&st, &p, &v.i).await {
        Ok(o) => o,
        Err(e) => return app_error(&v, e),
    };
    form_page(
        &v,
        v.i.t("admin-add-programme"),
        "/admin/programmes/new".into(),
        programme_inputs(&v, true, surveys, &f),
        &f,
        &FormErrors::default(),
        None,
    )
}

pub async fn new_programme(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_administer() {
        return forbidden(&v);
    }
    let mut errors = FormErrors::default();
    if let Some(settings) = parse_settings(&v, &f, &mut errors) {
        match st
            .app
            .create_programme(Some(&p), f.get("code"), f.get("name"), settings)
            .await
        {
            Ok(_) => return redirect_with("/admin", "done", v.secure),
            Err(e) => {
                if let Some(r) = add_app_errors(&mut errors, &v, at_form_fields(e, &f)) {
                    return r;
                }
            }
        }
    }
    let surveys = match survey_options(&st, &p, &v.i).await {
        Ok(o) => o,
        Err(e) => return app_error(&v, e),
    };
    form_page(
        &v,
        v.i.t("admin-add-programme"),
        "/admin/programmes/new".into(),
        programme_inputs(&v, true, surveys, &f),
        &f,
        &errors,
        None,
    )
}

pub async fn edit_programme_form(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
) -> Response {
    if !p.actor.may_administer() {
        return forbidden(&v);
    }
    let surveys = match survey_options(&st, &p, &v.i).await {
        Ok(o) => o,
        Err(e) => return app_error(&v, e),
    };
    match st.app.get_programme(ProgrammeId(id)).await {
        Ok(pr) => {
            let f = programme_form_data(&pr);
            form_page(
                &v,
                pr.name.to_string(),
                format!("/admin/programmes/{id}"),
                programme_inputs(&v, false, surveys, &f),
                &f,
                &FormErrors::default(),
                None,
            )
        }
        Err(e) => app_error(&v, e),
    }
}

pub async fn edit_programme(
    State(st): State<WebState>,
    SignedIn(v, p): SignedIn,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !v.csrf_ok(f.get("_csrf")) || !p.actor.may_administer() {
        return forbidden(&v);
    }
    let mut errors = FormErrors::default();
    if let Some(mut settings) = parse_settings(&v, &f, &mut errors) {
        // The form does not show the programme's grants: they stay as they are.
        match st.app.get_programme(ProgrammeId(id)).await {
            Ok(pr) => settings.funding = pr.settings.funding,
            Err(e) => return app_error(&v, e),
        }
        match st
            .app
            .update_programme_seen(
                &p,
                ProgrammeId(id),
                Some(f.get("name")),
                Some(settings),
                f.opt("settings_digest").as_deref(),
            )
            .await
        {
            Ok(_) => return redirect_with("/admin", "done", v.secure),
            Err(e) => {
                if let Some(r) = add_app_errors(&mut errors, &v, at_form_fields(e, &f)) {
                    return r;
                }
            }
        }
    }
    let surveys = match survey_options(&st, &p, &v.i).await {
        Ok(o) => o,
        Err(e) => return app_error(&v, e),
    };
    form_page(
        &v,
        v.i.t("admin-programmes"),
        format!("/admin/programmes/{id}"),
        programme_inputs(&v, false, surveys, &f),
        &f,
        &errors,
        None,
    )
}
