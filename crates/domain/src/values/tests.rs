use super::*;

proptest::proptest! {
    /// The schema's pattern and length say exactly what a text accepts, so that a
    /// client generated from the API's document sends no text the server refuses,
    /// and the server refuses every text the document rules out.
    #[test]
    fn the_text_pattern_says_exactly_what_a_text_accepts(
        s in proptest::collection::vec(proptest::prop_oneof![
            proptest::sample::select(vec![
                ' ', '\t', '\n', '\r', '\u{0}', '\u{7}', '\u{b}', '\u{c}', '\u{1f}', '\u{7f}',
                '\u{85}', '\u{9f}', '\u{a0}', '\u{1680}', '\u{2003}', '\u{2028}', '\u{202f}',
                '\u{3000}', '\u{feff}', '\u{200b}', 'a', 'é', 'ب', '1', '.',
            ]),
            proptest::char::any(),
        ], 0..24)
    ) {
        let s: String = s.into_iter().collect();
        let pattern = regex::Regex::new(TEXT_PATTERN).unwrap();
        let by_schema = pattern.is_match(&s) && s.chars().count() <= 20;
        proptest::prop_assert_eq!(Text::<20>::parse(&s).is_ok(), by_schema, "{:?}", s);
        // Blank, or a text: what an optional text (`Parse::opt_text`) accepts.
        let optional = regex::Regex::new(OPTIONAL_TEXT_PATTERN).unwrap();
        let blank_or_text = match Text::<20>::parse(&s) {
            Err(e) => e.code == "text.empty",
            Ok(_) => true,
        };
        proptest::prop_assert_eq!(
            blank_or_text,
            optional.is_match(&s) && s.chars().count() <= 20,
            "{:?}", s
        );
    }
}

proptest::proptest! {
    /// The schema's pattern (and its `not`) say exactly what a rate accepts.
    #[test]
    fn the_rate_pattern_says_exactly_what_a_rate_accepts(
        s in "[ 0-9.]{0,3}[0-9.]{0,20}"
    ) {
        let pattern = regex::Regex::new(&ExchangeRate::pattern()).unwrap();
        let zero = regex::Regex::new(ExchangeRate::ZERO_PATTERN).unwrap();
        let by_schema = pattern.is_match(&s) && !zero.is_match(&s);
        proptest::prop_assert_eq!(ExchangeRate::parse_exact(&s).is_ok(), by_schema, "{:?}", s);
    }
}

#[test]
fn a_time_zone_is_a_name_of_the_tz_database() {
    assert_eq!(
        TimeZone::parse(" Africa/Dakar ").unwrap().name(),
        "Africa/Dakar"
    );
    assert_eq!(TimeZone::parse("UTC").unwrap(), TimeZone::UTC);
    for wrong in ["", "CET+1", "Europe/Atlantis", "africa dakar"] {
        assert_eq!(
            TimeZone::parse(wrong).unwrap_err().code,
            "time_zone.unknown",
            "{wrong}"
        );
    }
    // Brussels is an hour ahead in winter: 23:30 UTC is already the next day there.
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-03T23:30:00Z")
        .unwrap()
        .to_utc();
    let brussels = TimeZone::parse("Europe/Brussels").unwrap();
    assert_eq!(brussels.day_of(at).to_string(), "2026-12-04");
    assert_eq!(TimeZone::UTC.day_of(at).to_string(), "2026-12-03");
}

#[test]
fn spellings_of_one_name_sound_the_same_and_other_names_do_not() {
    for group in [
        &["Mohamed", "Mohammed", "Muhammad", "Mouhamed"][..],
        &["Aïcha", "Aisha", "Aysha", "Aicha"],
        &["Fatima", "Fatouma", "Fatuma"],
        &["Diallo", "Dialo"],
        &["Oksana", "Oxana"],
        &["Djibril", "Jibril"],
        &["Khalid", "Kalid", "Khaled"],
        &["Nguyễn", "Nguyen"],
        &["Ahmed", "Ahmad"],
    ] {
        let keys: Vec<String> = group.iter().map(|n| sound_key(n)).collect();
        assert!(
            keys.iter().all(|k| *k == keys[0]),
            "{group:?} sound {keys:?}"
        );
    }
    assert_ne!(sound_key("Mamadou"), sound_key("Mohamed"));
    assert_ne!(sound_key("Awa"), sound_key("Ava"));
    assert_ne!(sound_key("Diallo"), sound_key("Diop"));
}

#[test]
fn a_person_is_found_by_each_word_and_its_sound() {
    assert_eq!(
        name_tokens("Aïcha  N'Diaye Diallo"),
        vec![
            "aicha", "~asa", "ndiaye", "~nda", "n", "~n", "diaye", "~da", "diallo", "~dala"
        ]
    );
    assert!(name_tokens("").is_empty());
}

#[test]
fn only_the_names_own_separators_divide_its_words() {
    // Transliteration writes Georgian ძ as "z'" and თ as "t`", Cyrillic ь as "'":
    // letters inside one word, not separators.
    assert_eq!(name_tokens("ბერიძე"), vec!["berize", "~barasa"]);
    assert_eq!(name_tokens("Наталья"), vec!["natalia", "~natala"]);
    assert_eq!(search_words("დავითh"), vec!["davith"]);
    assert_eq!(sound_key("davith"), sound_key("davit"));
    // "Awa" sounds like any name made of vowels: no Georgian or Russian name is found
    // by it through a fragment of its transliteration.
    let awa = format!("~{}", sound_key("Awa"));
    for name in ["ბერიძე", "კაპანაძე", "Наталья", "Ольга", "Игорь"]
    {
        assert!(
            !name_tokens(name).contains(&awa),
            "{name}: {:?}",
            name_tokens(name)
        );
    }
    // A name's own apostrophe, hyphen or middle dot does divide it, in any form.
    for written in ["N'Diaye", "N’Diaye", "N-Diaye", "N\u{2011}Diaye"] {
        assert_eq!(search_words(written), vec!["n", "diaye"], "{written}");
        assert_eq!(name_tokens(written)[0], "ndiaye", "{written}");
    }
    assert_eq!(search_words("ジョン・スミス").len(), 2);
    // Combining marks stay in their word; a script without spaces gives syllables.
    assert_eq!(search_words("مُحَمَّد").len(), 1);
    assert_eq!(search_words("गीता"), vec!["giitaa"]);
    assert_eq!(search_words("王小明"), vec!["wang", "xiao", "ming"]);
    assert_eq!(search_key("  Наталья  N'DIAYE "), "natalia n diaye");
}

#[test]
fn country_codes_are_checked_against_iso_3166() {
    assert_eq!(
        CountryCode::parse("sn").map(|c| c.to_string()),
        Ok("SN".into())
    );
    assert!(CountryCode::parse("XX").is_err());
    assert!(CountryCode::parse("SEN").is_err());
    assert_eq!(CountryCode::parse("SN").map(|c| c.name()), Ok("Senegal"));
}

#[test]
fn a_machine_sends_codes_exactly_as_they_are_kept() {
    // What a person types is forgiven; what the API or a stored event holds is not.
    for (input, ok) in [("SN", true), ("sn", false), (" SN", false), ("SN ", false)] {
        assert_eq!(CountryCode::parse_exact(input).is_ok(), ok, "{input:?}");
        assert!(CountryCode::parse(input).is_ok(), "{input:?}");
    }
    let refused = CountryCode::parse_exact("sn").unwrap_err();
    assert_eq!(refused.code, "value.not_exact");
    assert!(refused.message.contains("'SN'"), "{}", refused.message);
    // An unknown code is refused for being unknown, not for its spelling.
    assert_eq!(
        CountryCode::parse_exact("zz").unwrap_err().code,
        "country.unknown"
    );
    assert!(serde_json::from_str::<CountryCode>("\"sn\"").is_err());
    assert!(serde_json::from_str::<CountryCode>("\"SN\"").is_ok());
    // A language is written in lower case; its three-letter form is still accepted.
    assert_eq!(
        LanguageCode::parse_exact("fra").map(String::from),
        Ok("fr".into())
    );
    assert!(LanguageCode::parse_exact("FR").is_err());
    assert!(CurrencyCode::parse_exact("eur").is_err());
    assert!(CurrencyCode::parse_exact("EUR").is_ok());
    assert!(IataCode::parse_exact("bru").is_err());
    assert!(IataCode::parse_exact("BRU").is_ok());
    assert!(ExchangeRate::parse_exact(" 1.5").is_err());
    assert!(ExchangeRate::parse_exact("1.5").is_ok());
    assert!(TimeZone::parse_exact("Africa/Dakar ").is_err());
    assert!(TimeZone::parse_exact("Africa/Dakar").is_ok());
}

#[test]
fn language_codes_take_the_shortest_form() {
    assert_eq!(
        LanguageCode::parse("fra").map(String::from),
        Ok("fr".into())
    );
    assert_eq!(LanguageCode::parse("FR").map(String::from), Ok("fr".into()));
    assert_eq!(
        LanguageCode::parse("prs").map(String::from),
        Ok("prs".into())
    );
    assert!(LanguageCode::parse("zz").is_err());
    assert!(LanguageCode::parse("english").is_err());
    assert_eq!(LanguageCode::parse("fra"), LanguageCode::parse("fr"));
}

#[test]
fn money_is_integer_minor_units_and_never_negative() {
    let eur = CurrencyCode::parse("EUR").unwrap();
    assert!(Money::new(-1, eur.clone()).is_err());
    let m = Money::new(12345, eur).unwrap();
    assert_eq!(m.to_string(), "123.45 EUR");
    let xof = CurrencyCode::parse("xof").unwrap();
    assert_eq!(xof.minor_unit_exponent(), 0);
    assert!(CurrencyCode::parse("EURO").is_err());
    assert!(CurrencyCode::parse("ABC").is_err());
    // 1 EUR = 655.957 XOF: 10.00 EUR is 6560 XOF (6559.57, rounded).
    let rate = ExchangeRate::parse("655.957").unwrap();
    let xof = CurrencyCode::parse("XOF").unwrap();
    let eur = CurrencyCode::parse("EUR").unwrap();
    let ten = Money::new(1000, eur.clone()).unwrap();
    assert_eq!(rate.convert(&ten, &xof).unwrap().amount_minor, 6560);
    // And back: 6560 XOF at 0.00152449 is 10.00 EUR.
    let back = ExchangeRate::parse("0.00152449").unwrap();
    let paid = Money::new(6560, xof).unwrap();
    assert_eq!(back.convert(&paid, &eur).unwrap().amount_minor, 1000);
    for bad in [
        "",
        "0",
        "0.000",
        "-1",
        "1,5",
        "1.",
        ".5",
        "1e3",
        "1.0000000000001",
    ] {
        assert!(ExchangeRate::parse(bad).is_err(), "{bad:?} accepted");
    }
    let huge = Money::new(i64::MAX, eur.clone()).unwrap();
    assert!(
        ExchangeRate::parse("999999")
            .unwrap()
            .convert(&huge, &eur)
            .is_none()
    );
}

#[test]
fn money_read_from_json_is_checked_too() {
    assert!(serde_json::from_str::<Money>(r#"{"amount_minor": -1, "currency": "EUR"}"#).is_err());
    assert!(serde_json::from_str::<Money>(r#"{"amount_minor": 1, "currency": "EUR"}"#).is_ok());
}

#[test]
fn text_is_trimmed_bounded_and_non_empty() {
    assert!(ShortText::parse("   ").is_err());
    assert_eq!(
        ShortText::parse("  Awa ").map(String::from),
        Ok("Awa".into())
    );
    assert!(ShortText::parse(&"x".repeat(201)).is_err());
    assert!(ShortText::parse(&"é".repeat(200)).is_ok());
    assert!(ShortText::parse("a\u{0}b").is_err());
}

proptest::proptest! {
    /// What `within` allows, converted back, never comes to more than the amount it
    /// was taken from, whatever the rate and the currencies' minor units.
    #[test]
    fn what_a_rate_allows_converts_back_within_the_amount(
        amount in 0i64..1_000_000_000_000_000,
        whole in 0u64..100_000,
        frac in 0u64..1_000_000,
        currencies in proptest::sample::select(vec![
            ("EUR", "XOF"), ("XOF", "EUR"), ("EUR", "USD"), ("KWD", "JPY"), ("JPY", "KWD"),
        ]),
    ) {
        proptest::prop_assume!(whole > 0 || frac > 0);
        let rate = ExchangeRate::parse(&format!("{whole}.{frac:06}")).unwrap();
        let (from, to) = (
            CurrencyCode::parse(currencies.0).unwrap(),
            CurrencyCode::parse(currencies.1).unwrap(),
        );
        let amount = Money::new(amount, from.clone()).unwrap();
        if let Some(allowed) = rate.within(&amount, &to) {
            let back = rate.convert(&allowed, &from);
            proptest::prop_assert!(
                back.as_ref().is_none_or(|b| b.amount_minor <= amount.amount_minor),
                "{allowed:?} at {rate:?} is {back:?}, more than {amount:?}"
            );
        }
    }
}

#[test]
fn iata_codes_are_three_letters() {
    assert!(IataCode::parse("bru").is_ok());
    assert!(IataCode::parse("BR1").is_err());
    assert!(IataCode::parse("BRUX").is_err());
}

#[test]
fn search_keys_fold_case_accents_and_scripts() {
    assert_eq!(search_key("Aïcha  N'DIAYE"), "aicha n diaye");
    assert_eq!(search_key("Aicha n diaye"), "aicha n diaye");
    assert!(!search_key("محمد").is_empty());
}
