//! Reference data: airports with scheduled service, their country and time zone.
//!
//! The table (`data/airports.csv`) is derived from the OurAirports data set as published
//! by airportdata.dev under CC BY 4.0; see `data/README.md`.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::values::{CountryCode, IataCode};

#[derive(Debug, Clone)]
pub struct Airport {
    pub iata: &'static str,
    pub country: &'static str,
    pub time_zone: Tz,
    pub name: &'static str,
}

static CSV: &str = include_str!("../data/airports.csv");

static AIRPORTS: LazyLock<Vec<Airport>> = LazyLock::new(|| {
    let mut v: Vec<Airport> = CSV.lines().skip(1).filter_map(parse_line).collect();
    v.sort_by(|a, b| a.iata.cmp(b.iata));
    v
});

fn parse_line(line: &'static str) -> Option<Airport> {
    let mut parts = line.splitn(4, ',');
    let iata = parts.next()?;
    let country = parts.next()?;
    let time_zone = parts.next()?.parse::<Tz>().ok()?;
    let name = parts.next()?.trim_matches('"');
    Some(Airport {
        iata,
        country,
        time_zone,
        name,
    })
}

pub fn lookup(code: &IataCode) -> Option<&'static Airport> {
    let all: &'static Vec<Airport> = &AIRPORTS;
    all.binary_search_by(|a| a.iata.cmp(code.as_str()))
        .ok()
        .map(|i| &all[i])
}

/// The country of a known airport.
pub fn country_of(code: &IataCode) -> Option<CountryCode> {
    lookup(code).and_then(|a| CountryCode::parse(a.country).ok())
}

/// A UTC instant shown in the airport's local time, as `2026-12-03 14:05 (+01:00)`.
pub fn local_time(code: &IataCode, at: DateTime<Utc>) -> Option<String> {
    lookup(code).map(|a| {
        at.with_timezone(&a.time_zone)
            .format("%Y-%m-%d %H:%M (%:z)")
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_row_parses() {
        let rows = CSV.lines().skip(1).count();
        assert_eq!(AIRPORTS.len(), rows, "a row failed to parse");
        assert!(rows > 4000);
    }

    #[test]
    fn local_times_follow_the_airport_time_zone() {
        let bru = IataCode::parse("BRU").unwrap();
        let at = Utc.with_ymd_and_hms(2026, 7, 1, 10, 0, 0).unwrap();
        assert_eq!(local_time(&bru, at).unwrap(), "2026-07-01 12:00 (+02:00)");
        let dss = IataCode::parse("DSS").unwrap();
        assert_eq!(country_of(&dss).unwrap().as_str(), "SN");
        assert!(lookup(&IataCode::parse("QQQ").unwrap()).is_none());
    }
}
