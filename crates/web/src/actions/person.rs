//! A person's details as a form: its inputs, a form filled from a member, and the details parsed back.

use super::*;

/// The inputs of a person's details (adding a member, registering a case).
pub fn person_inputs(i: &I18n) -> Vec<In> {
    let langs = with_empty(language_options(), String::new());
    vec![
        In::Text("given", "f-given", Some("f-given-hint")),
        In::Text("family", "f-family", None),
        In::Text("latin_given", "f-latin-given", Some("f-latin-hint")),
        In::Text("latin_family", "f-latin-family", None),
        In::Date("dob", "f-dob", Some("f-dob-hint")),
        In::Text("birth_year", "f-birth-year", None),
        In::Radios("sex", "f-sex", enum_options(i, "sex", &SEXES)),
        In::Select(
            "nationality",
            "f-nationality",
            None,
            with_empty(country_options(i), i.t("none")),
            true,
        ),
        In::Select(
            "language_1",
            "f-languages",
            Some("f-languages-hint"),
            langs.clone(),
            true,
        ),
        In::Select("language_2", "f-language-other", None, langs.clone(), true),
        In::Select("language_3", "f-language-other", None, langs, true),
        In::Text("phone", "f-phone", None),
        In::Text("email", "f-email", None),
        In::Text("address", "f-address", None),
        In::Select(
            "legal_situation",
            "f-legal-situation",
            None,
            with_empty(enum_options(i, "legal", &LEGAL), String::new()),
            false,
        ),
        In::Checks(
            "vulnerabilities",
            "f-vulnerabilities",
            Some("f-vulnerabilities-hint"),
            enum_options(i, "vuln", &Vulnerability::ALL),
        ),
    ]
}

/// A form filled with a member's details, to change them.
pub fn person_form(m: &Member) -> FormData {
    let mut f = person_form_of(&m.details);
    f.set("person_id", m.person_id.to_string());
    f
}

/// A form filled with a person's details (a member's, or a referred person's).
pub fn person_form_of(d: &PersonDetails) -> FormData {
    let mut f = FormData::default();
    f.set("given", d.name.given.to_string());
    if let Some(x) = &d.name.family {
        f.set("family", x.to_string());
    }
    if let Some(l) = &d.name.latin {
        f.set("latin_given", l.given.to_string());
        if let Some(x) = &l.family {
            f.set("latin_family", x.to_string());
        }
    }
    match d.date_of_birth {
        DateOfBirth::Exact(b) => {
            f.set("dob-day", b.format("%-d").to_string());
            f.set("dob-month", b.format("%-m").to_string());
            f.set("dob-year", b.format("%Y").to_string());
        }
        DateOfBirth::EstimatedYear(y) => f.set("birth_year", y.to_string()),
    }
    f.set("sex", crate::pages::case::enum_code(&d.sex));
    if let Some(n) = &d.nationality {
        f.set("nationality", n.to_string());
    }
    for (n, l) in ["language_1", "language_2", "language_3"]
        .iter()
        .zip(&d.languages)
    {
        f.set(n, l.to_string());
    }
    for (n, v) in [
        ("phone", &d.contact.phone),
        ("email", &d.contact.email),
        ("address", &d.contact.address),
    ] {
        if let Some(v) = v {
            f.set(n, v.to_string());
        }
    }
    f.set(
        "legal_situation",
        crate::pages::case::enum_code(&d.legal_situation),
    );
    let mut pairs = f.pairs().to_vec();
    pairs.extend(
        d.vulnerabilities
            .iter()
            .map(|v| ("vulnerabilities".to_string(), v.code().to_string())),
    );
    FormData::from_pairs(pairs)
}

/// A person's details from the form.
pub fn parse_person(f: &FormData, p: &mut Parse, i: &I18n) -> Option<PersonDetails> {
    let given = p.text("given", f.get("given"));
    let family = p.opt_text("family", &f.opt("family"));
    let latin_given = p.opt_text::<200>("latin_given", &f.opt("latin_given"));
    let latin_family = p.opt_text("latin_family", &f.opt("latin_family"));
    let dob = match (forms::date(f, "dob"), f.opt("birth_year")) {
        (Ok(Some(d)), _) => Some(DateOfBirth::Exact(d)),
        (Ok(None), Some(y)) => match y.parse::<i32>() {
            Ok(y) => Some(DateOfBirth::EstimatedYear(y)),
            Err(_) => {
                p.push(Violation::new("date", i.t("err-date-invalid")).at("birth_year"));
                None
            }
        },
        (Ok(None), None) => {
            p.push(Violation::new("required", i.t("err-required")).at("dob-day"));
            None
        }
        (Err(_), _) => {
            p.push(Violation::new("date", i.t("err-date-invalid")).at("dob-day"));
            None
        }
    };
    let sex = choice::<Sex>(f, "sex", p, i);
    let nationality = p.opt_country("nationality", &f.opt("nationality"));
    let mut languages = vec![];
    for n in ["language_1", "language_2", "language_3"] {
        if let Some(l) = f.opt(n) {
            languages.extend(p.value(n, LanguageCode::parse(&l)));
        }
    }
    let phone = p.opt_text("phone", &f.opt("phone"));
    let email = p.opt_text("email", &f.opt("email"));
    let address = p.opt_text("address", &f.opt("address"));
    let legal = choice::<LegalSituation>(f, "legal_situation", p, i);
    let vulnerabilities = f
        .all("vulnerabilities")
        .into_iter()
        .filter_map(parse_enum)
        .collect();
    let latin = match (latin_given?, latin_family?) {
        (Some(g), family) => Some(LatinName { given: g, family }),
        (None, _) => None,
    };
    Some(PersonDetails {
        name: PersonName {
            given: given?,
            family: family?,
            latin,
        },
        date_of_birth: dob?,
        sex: sex?,
        nationality: nationality?,
        languages,
        contact: Contact {
            phone: phone?,
            email: email?,
            address: address?,
        },
        legal_situation: legal?,
        vulnerabilities,
    })
}
