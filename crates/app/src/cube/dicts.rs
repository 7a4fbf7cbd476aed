//! The cube's dictionaries (each column's values as small numbers), a returned person
//! in those numbers, the axes a question counts by and a filter compiled to numbers.

use super::*;

/// Values of one column, each given a small number in order of first sight.
#[derive(Debug, Default)]
pub(super) struct Dict {
    pub(super) codes: Vec<String>,
    pub(super) index: HashMap<String, u16>,
}

impl Dict {
    pub(super) fn intern(&mut self, code: &str) -> Result<u16> {
        if let Some(&n) = self.index.get(code) {
            return Ok(n);
        }
        let n = u16::try_from(self.codes.len()).map_err(|_| {
            AppError::internal(format!(
                "more than {} distinct values in a statistics column",
                u16::MAX
            ))
        })?;
        self.codes.push(code.to_string());
        self.index.insert(code.to_string(), n);
        Ok(n)
    }

    pub(super) fn get(&self, code: &str) -> Option<u16> {
        self.index.get(code).copied()
    }

    pub(super) fn len(&self) -> usize {
        self.codes.len()
    }
}

/// One returned person: every value as its number in the column's dictionary (28 bytes:
/// a million returned people take 28 MB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Person {
    /// Departure date, as days from the common era.
    pub(super) day: i32,
    pub(super) vulnerabilities: u32,
    pub(super) host: u16,
    pub(super) ret: u16,
    pub(super) programme: u16,
    pub(super) office: u16,
    pub(super) year: u16,
    pub(super) sex: u16,
    pub(super) age: u16,
    pub(super) legal: u16,
    pub(super) host_or_transit: u16,
    /// The assistance received: a mask of `AssistanceType::bit` (15 types).
    pub(super) assistance: u16,
}

/// Every dictionary. A place is a country with its region and sub-region (as the row
/// gives them), so that one number serves the three dimensions.
#[derive(Debug, Default)]
pub(super) struct Dicts {
    pub(super) years: Dict,
    pub(super) places: Dict,
    /// place -> (country, region, sub-region), numbers in `countries`, `regions`, `subregions`.
    pub(super) place_parts: Vec<(u16, u16, u16)>,
    pub(super) countries: Dict,
    pub(super) regions: Dict,
    pub(super) subregions: Dict,
    pub(super) sexes: Dict,
    pub(super) ages: Dict,
    pub(super) legal: Dict,
    pub(super) programmes: Dict,
    pub(super) offices: Dict,
    pub(super) host_or_transit: Dict,
}

impl Dicts {
    pub(super) fn place(&mut self, country: &str, region: &str, subregion: &str) -> Result<u16> {
        let key = format!("{country}\t{region}\t{subregion}");
        if let Some(n) = self.places.get(&key) {
            return Ok(n);
        }
        let parts = (
            self.countries.intern(country)?,
            self.regions.intern(region)?,
            self.subregions.intern(subregion)?,
        );
        let n = self.places.intern(&key)?;
        self.place_parts.push(parts);
        Ok(n)
    }

    pub(super) fn person(&mut self, r: &ReturnRow) -> Result<Person> {
        Ok(Person {
            vulnerabilities: u32::try_from(r.vulnerabilities).map_err(|_| {
                AppError::internal(format!(
                    "vulnerabilities {} of case {} are not a mask of 32 bits",
                    r.vulnerabilities, r.case_id
                ))
            })?,
            day: r.departed_on.num_days_from_ce(),
            host: self.place(&r.host_country, &r.host_region, &r.host_subregion)?,
            ret: self.place(&r.return_country, &r.return_region, &r.return_subregion)?,
            programme: self.programmes.intern(&r.programme.to_string())?,
            office: self.offices.intern(&r.office.to_string())?,
            year: self.years.intern(&r.year.to_string())?,
            sex: self.sexes.intern(&r.sex)?,
            age: self.ages.intern(&r.age_group)?,
            legal: self.legal.intern(&r.legal_situation)?,
            host_or_transit: self.host_or_transit.intern(&r.host_or_transit)?,
            assistance: u16::try_from(r.assistance).map_err(|_| {
                AppError::internal(format!(
                    "assistance {} of case {} is not a mask of 16 bits",
                    r.assistance, r.case_id
                ))
            })?,
        })
    }

    /// A dimension as an axis: its keys, and which key each value of its column is
    /// (`source`).
    pub(super) fn axis(&self, dim: Dim) -> Axis {
        let same = |d: &Dict| Axis {
            codes: d.codes.clone(),
            map: (0..d.len() as u32).collect(),
        };
        let part = |pick: fn(&(u16, u16, u16)) -> u16, d: &Dict| Axis {
            codes: d.codes.clone(),
            map: self
                .place_parts
                .iter()
                .map(|p| u32::from(pick(p)))
                .collect(),
        };
        match dim {
            Dim::Year => same(&self.years),
            Dim::HostCountry | Dim::ReturnCountry => part(|p| p.0, &self.countries),
            Dim::HostRegion | Dim::ReturnRegion => part(|p| p.1, &self.regions),
            Dim::HostSubregion | Dim::ReturnSubregion => part(|p| p.2, &self.subregions),
            Dim::HostIomRegion | Dim::ReturnIomRegion => {
                // IOM's regions are reference data over the countries, not a column: a
                // correction to them needs no rebuild. The last key: no region.
                let regions = homeward_domain::countries::IOM_REGIONS;
                let unknown = regions.len() as u32;
                Axis {
                    codes: regions
                        .iter()
                        .map(|(slug, _)| slug.to_string())
                        .chain([String::new()])
                        .collect(),
                    map: self
                        .place_parts
                        .iter()
                        .map(|p| {
                            let country = self.countries.codes.get(p.0 as usize);
                            country
                                .and_then(|c| homeward_domain::countries::iom_region(c))
                                .and_then(|r| regions.iter().position(|(s, _)| *s == r))
                                .map_or(unknown, |n| n as u32)
                        })
                        .collect(),
                }
            }
            Dim::HostOrTransit => same(&self.host_or_transit),
            Dim::Sex => same(&self.sexes),
            Dim::AgeGroup => same(&self.ages),
            Dim::Children => Axis {
                codes: vec![CHILDREN.into(), ADULTS.into(), String::new()],
                map: self
                    .ages
                    .codes
                    .iter()
                    .map(
                        |code| match AgeGroup::from_code(code).map(AgeGroup::childhood) {
                            Some(CHILDREN) => 0,
                            Some(_) => 1,
                            None => 2,
                        },
                    )
                    .collect(),
            },
            Dim::LegalSituation => same(&self.legal),
            Dim::Programme => same(&self.programmes),
            Dim::Office => same(&self.offices),
        }
    }
}

/// A day (from the common era) as its month: months from the common era.
pub(super) fn month_of(day: i32) -> i32 {
    NaiveDate::from_num_days_from_ce_opt(day)
        .map_or(i32::MIN, |d| d.year() * 12 + d.month0() as i32)
}

/// Which value of a person a dimension reads.
pub(super) fn source(dim: Dim, p: &Person) -> usize {
    let value = match dim {
        Dim::HostOrTransit => p.host_or_transit,
        Dim::Year => p.year,
        Dim::HostCountry | Dim::HostRegion | Dim::HostSubregion | Dim::HostIomRegion => p.host,
        Dim::ReturnCountry | Dim::ReturnRegion | Dim::ReturnSubregion | Dim::ReturnIomRegion => {
            p.ret
        }
        Dim::Sex => p.sex,
        Dim::AgeGroup | Dim::Children => p.age,
        Dim::LegalSituation => p.legal,
        Dim::Programme => p.programme,
        Dim::Office => p.office,
    };
    usize::from(value)
}

#[derive(Debug)]
pub(super) struct Axis {
    pub(super) codes: Vec<String>,
    /// value of the column -> key
    pub(super) map: Vec<u32>,
}

/// A filter, with its values as dictionary numbers. `None` in a field: no condition.
pub(super) struct Compiled {
    pub(super) from: Option<i32>,
    pub(super) until: Option<i32>,
    pub(super) offices: Option<Vec<bool>>,
    pub(super) programme: Option<Option<u16>>,
    /// place -> whether its country is the one asked
    pub(super) return_places: Option<Vec<bool>>,
    pub(super) vulnerabilities: Option<i64>,
    pub(super) assistance: Option<i64>,
}

impl Compiled {
    pub(super) fn new(d: &Dicts, f: &StatFilter) -> Self {
        Compiled {
            from: f.from.map(|x| x.num_days_from_ce()),
            until: f.until.map(|x| x.num_days_from_ce()),
            offices: f.offices.as_ref().map(|asked| {
                let mut allowed = vec![false; d.offices.len()];
                for o in asked {
                    if let Some(n) = d.offices.get(&o.to_string()) {
                        allowed[n as usize] = true;
                    }
                }
                allowed
            }),
            programme: f.programme.map(|p| d.programmes.get(&p.to_string())),
            return_places: f.return_country.as_ref().map(|c| {
                let country = d.countries.get(c);
                d.place_parts
                    .iter()
                    .map(|parts| Some(parts.0) == country)
                    .collect()
            }),
            vulnerabilities: f.vulnerabilities,
            assistance: f.assistance,
        }
    }

    pub(super) fn admits(&self, p: &Person) -> bool {
        self.from.is_none_or(|d| p.day >= d)
            && self.until.is_none_or(|d| p.day <= d)
            && self
                .offices
                .as_ref()
                .is_none_or(|o| o.get(p.office as usize).copied().unwrap_or(false))
            && self.programme.is_none_or(|n| n == Some(p.programme))
            && self
                .return_places
                .as_ref()
                .is_none_or(|r| r.get(p.ret as usize).copied().unwrap_or(false))
            && self
                .vulnerabilities
                .is_none_or(|m| i64::from(p.vulnerabilities) & m != 0)
            && self
                .assistance
                .is_none_or(|m| i64::from(p.assistance) & m != 0)
    }
}
