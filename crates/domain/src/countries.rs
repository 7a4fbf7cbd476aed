//! Reference data: each country's UN M49 region and sub-region, and its name in the
//! interface languages (`data/countries.csv`); each country's IOM regional grouping
//! (`data/iom_regions.csv`). See `data/README.md`.

use std::sync::LazyLock;

#[derive(Debug, Clone)]
pub struct CountryInfo {
    pub code: String,
    /// M49 region slug (`africa`), empty where M49 has none.
    pub region: String,
    /// M49 sub-region slug (`western-africa`).
    pub subregion: String,
    pub name_en: String,
    pub name_fr: String,
    pub name_es: String,
    pub name_ar: String,
}

static CSV: &str = include_str!("../data/countries.csv");

/// Splits one CSV line with double-quoted fields.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

static COUNTRIES: LazyLock<Vec<CountryInfo>> = LazyLock::new(|| {
    let mut v: Vec<CountryInfo> = CSV
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f = fields(l);
            (f.len() == 7).then(|| CountryInfo {
                code: f[0].clone(),
                region: f[1].clone(),
                subregion: f[2].clone(),
                name_en: f[3].clone(),
                name_fr: f[4].clone(),
                name_es: f[5].clone(),
                name_ar: f[6].clone(),
            })
        })
        .collect();
    v.sort_by(|a, b| a.code.cmp(&b.code));
    v
});

/// Every country, by code.
pub fn all() -> &'static [CountryInfo] {
    &COUNTRIES
}

pub fn info(code: &str) -> Option<&'static CountryInfo> {
    let all: &'static Vec<CountryInfo> = &COUNTRIES;
    all.binary_search_by(|c| c.code.as_str().cmp(code))
        .ok()
        .map(|i| &all[i])
}

/// The M49 region a sub-region belongs to.
pub fn region_of_subregion(subregion: &str) -> Option<&'static str> {
    let all: &'static Vec<CountryInfo> = &COUNTRIES;
    all.iter()
        .find(|c| !subregion.is_empty() && c.subregion == subregion)
        .map(|c| c.region.as_str())
}

static IOM_CSV: &str = include_str!("../data/iom_regions.csv");

/// IOM's regional groupings, as its AVRR reports use them: the geographical coverage of
/// its nine regional offices (slugs, each with the office's seat).
pub const IOM_REGIONS: [(&str, &str); 9] = [
    ("iom-european-economic-area", "Brussels"),
    ("iom-seeeca", "Vienna"),
    ("iom-west-central-africa", "Dakar"),
    ("iom-east-horn-africa", "Nairobi"),
    ("iom-southern-africa", "Pretoria"),
    ("iom-middle-east-north-africa", "Cairo"),
    ("iom-asia-pacific", "Bangkok"),
    ("iom-central-north-america-caribbean", "San José"),
    ("iom-south-america", "Buenos Aires"),
];

static IOM: LazyLock<Vec<(String, &'static str)>> = LazyLock::new(|| {
    let mut v: Vec<(String, &'static str)> = IOM_CSV
        .lines()
        .skip(1)
        .filter_map(|l| {
            let (code, region) = l.split_once(',')?;
            let slug = IOM_REGIONS
                .iter()
                .map(|(s, _)| *s)
                .find(|s| s.strip_prefix("iom-") == Some(region.trim()))?;
            Some((code.to_string(), slug))
        })
        .collect();
    v.sort();
    v
});

/// The IOM regional grouping a country belongs to (`iom-west-central-africa`); `None`
/// for a code IOM's regions do not cover (Antarctica) or that is unknown.
pub fn iom_region(code: &str) -> Option<&'static str> {
    let all: &'static Vec<(String, &'static str)> = &IOM;
    all.binary_search_by(|(c, _)| c.as_str().cmp(code))
        .ok()
        .map(|i| all[i].1)
}

/// A country's name in `lang` (`en`, `fr`, `es`, `ar`), English otherwise.
pub fn name(code: &str, lang: &str) -> Option<&'static str> {
    info(code).map(|c| match lang {
        "fr" => c.name_fr.as_str(),
        "es" => c.name_es.as_str(),
        "ar" => c.name_ar.as_str(),
        _ => c.name_en.as_str(),
    })
}

/// UN M49 numeric codes of the regions and sub-regions used here.
pub const M49: [(&str, &str); 27] = [
    ("africa", "002"),
    ("americas", "019"),
    ("asia", "142"),
    ("europe", "150"),
    ("oceania", "009"),
    ("eastern-africa", "014"),
    ("middle-africa", "017"),
    ("northern-africa", "015"),
    ("southern-africa", "018"),
    ("western-africa", "011"),
    ("caribbean", "029"),
    ("central-america", "013"),
    ("northern-america", "021"),
    ("south-america", "005"),
    ("central-asia", "143"),
    ("eastern-asia", "030"),
    ("south-eastern-asia", "035"),
    ("southern-asia", "034"),
    ("western-asia", "145"),
    ("eastern-europe", "151"),
    ("northern-europe", "154"),
    ("southern-europe", "039"),
    ("western-europe", "155"),
    ("australia-and-new-zealand", "053"),
    ("melanesia", "054"),
    ("micronesia", "057"),
    ("polynesia", "061"),
];

pub fn m49_code(slug: &str) -> Option<&'static str> {
    M49.iter().find(|(s, _)| *s == slug).map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_iso_country_has_names_and_most_have_regions() {
        for (code, _) in crate::values::countries() {
            let c = info(code).unwrap_or_else(|| panic!("{code} missing"));
            assert!(
                !c.name_fr.is_empty() && !c.name_es.is_empty() && !c.name_ar.is_empty(),
                "{code}"
            );
            if !["AQ", "BV", "HM"].contains(&code) {
                assert!(m49_code(&c.region).is_some(), "{code}: region {}", c.region);
                assert!(
                    m49_code(&c.subregion).is_some(),
                    "{code}: sub-region {}",
                    c.subregion
                );
            }
        }
        assert_eq!(name("SN", "fr"), Some("Sénégal"));
        assert_eq!(
            info("SN").map(|c| c.subregion.as_str()),
            Some("western-africa")
        );
        assert_eq!(name("IQ", "es"), Some("Irak"));
    }

    #[test]
    fn every_country_with_an_m49_region_is_in_an_iom_region() {
        for c in all() {
            if !c.region.is_empty() {
                assert!(iom_region(&c.code).is_some(), "{}: no IOM region", c.code);
            }
        }
        assert_eq!(
            IOM.len(),
            all().len() - 3,
            "one line per country but AQ, BV, HM"
        );
        for (code, region) in [
            ("SN", "iom-west-central-africa"),
            ("NE", "iom-west-central-africa"),
            ("ET", "iom-east-horn-africa"),
            ("ZA", "iom-southern-africa"),
            ("MA", "iom-middle-east-north-africa"),
            ("IQ", "iom-middle-east-north-africa"),
            ("AF", "iom-asia-pacific"),
            ("BD", "iom-asia-pacific"),
            ("BE", "iom-european-economic-area"),
            ("NO", "iom-european-economic-area"),
            ("XK", "iom-seeeca"),
            ("GE", "iom-seeeca"),
            ("TR", "iom-seeeca"),
            ("MX", "iom-central-north-america-caribbean"),
            ("CO", "iom-south-america"),
        ] {
            assert_eq!(iom_region(code), Some(region), "{code}");
        }
        assert_eq!(iom_region("AQ"), None);
        assert_eq!(iom_region("ZZ"), None);
    }

    #[test]
    fn kosovo_is_a_country_of_return_in_southern_europe_with_its_names() {
        let xk = crate::values::CountryCode::parse("xk").unwrap();
        assert_eq!(xk.as_str(), "XK");
        assert_eq!(xk.name(), "Kosovo");
        assert_eq!(name("XK", "ar"), Some("كوسوفو"));
        assert_eq!(
            info("XK").map(|c| c.subregion.as_str()),
            Some("southern-europe")
        );
        assert!(crate::values::countries().iter().any(|(c, _)| *c == "XK"));
        // Pristina's airport is in Kosovo: a flight there ends in the country of return.
        let prn = crate::values::IataCode::parse("PRN").unwrap();
        assert_eq!(crate::airports::country_of(&prn), Some(xk));
        assert!(crate::values::CountryCode::parse("XX").is_err());
    }
}
