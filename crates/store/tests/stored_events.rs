//! Events as stored decode for ever: one fixture per event type and schema version, each
//! a payload as the store wrote it. A renamed field or variant fails here before it can
//! make a stored case unreadable. A new event type, or a new version of one, needs its
//! fixture (`<type>.v<version>.json`, the payload as stored).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use homeward_store::decode_event;

fn fixtures() -> BTreeMap<(String, i64), String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let stem = name
            .strip_suffix(".json")
            .unwrap_or_else(|| panic!("{name}: not a .json fixture"));
        let (kind, version) = stem
            .rsplit_once(".v")
            .unwrap_or_else(|| panic!("{name}: named <type>.v<version>.json"));
        let version: i64 = version.parse().unwrap();
        found.insert(
            (kind.to_string(), version),
            std::fs::read_to_string(&path).unwrap(),
        );
    }
    found
}

/// Every event type the domain has, as serde names them: the list an unknown type's
/// error gives (a type added to the enum is in it without anyone listing it here).
fn event_types() -> BTreeSet<String> {
    let err = serde_json::from_str::<homeward_domain::Event>(r#"{"type": "?", "data": null}"#)
        .unwrap_err()
        .to_string();
    let expected = err
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("serde's message changed: {err}"));
    expected
        .split(", ")
        .map(|t| t.trim_matches(|c: char| c == '`' || c.is_whitespace()))
        .map(|t| t.split('`').next().unwrap_or(t).to_string())
        .collect()
}

/// The first place where `stored` holds something `written` does not (a JSON pointer).
fn lost(stored: &serde_json::Value, written: &serde_json::Value, at: String) -> Option<String> {
    use serde_json::Value;
    match (stored, written) {
        (Value::Object(s), Value::Object(w)) => s.iter().find_map(|(k, v)| match w.get(k) {
            Some(wv) => lost(v, wv, format!("{at}/{k}")),
            None => Some(format!("{at}/{k}")),
        }),
        (Value::Array(s), Value::Array(w)) if s.len() == w.len() => s
            .iter()
            .zip(w)
            .enumerate()
            .find_map(|(i, (a, b))| lost(a, b, format!("{at}/{i}"))),
        (s, w) if s == w => None,
        _ => Some(if at.is_empty() { "/".into() } else { at }),
    }
}

#[test]
fn every_stored_event_fixture_still_decodes_and_round_trips() {
    let fixtures = fixtures();
    assert!(!fixtures.is_empty());
    for ((kind, version), payload) in &fixtures {
        let event = decode_event(kind, *version, payload)
            .unwrap_or_else(|e| panic!("{kind} v{version} no longer decodes: {e}"));
        assert_eq!(event.kind(), kind);
        // Nothing stored is dropped: what is written now holds every field of the
        // fixture (an optional field renamed would otherwise read as absent).
        let stored: serde_json::Value = serde_json::from_str(payload).unwrap();
        let written = serde_json::to_value(&event).unwrap();
        if let Some(path) = lost(&stored, &written, String::new()) {
            panic!("{kind} v{version}: {path} is stored but no longer read");
        }
        // What is written now decodes to the same event.
        let again = serde_json::to_string(&event).unwrap();
        let decoded = decode_event(kind, i64::from(event.schema_version()), &again).unwrap();
        assert_eq!(decoded, event, "{kind} v{version} does not round-trip");
    }
}

#[test]
fn every_event_type_has_a_fixture_at_its_current_version() {
    let fixtures = fixtures();
    let types = event_types();
    assert!(types.len() >= 35, "{types:?}");
    for kind in &types {
        let latest = fixtures
            .iter()
            .filter(|((k, _), _)| k == kind)
            .max_by_key(|((_, v), _)| *v)
            .unwrap_or_else(|| {
                panic!(
                    "no fixture for the event type {kind}: add tests/fixtures/events/{kind}.v1.json"
                )
            });
        let ((_, version), payload) = latest;
        let event = decode_event(kind, *version, payload).unwrap();
        assert_eq!(
            i64::from(event.schema_version()),
            *version,
            "{kind} is at schema version {}: add its fixture",
            event.schema_version()
        );
    }
    // No fixture of a type that does not exist (a typo would test nothing).
    for (kind, _) in fixtures.keys() {
        assert!(types.contains(kind), "a fixture of an unknown type: {kind}");
    }
}

#[test]
fn a_renamed_field_is_caught() {
    let fixtures = fixtures();
    let payload = &fixtures[&("shelter_arranged".to_string(), 1)];
    let renamed = payload.replace("\"place\"", "\"location\"");
    assert!(decode_event("shelter_arranged", 1, &renamed).is_err());
    assert!(decode_event("shelter_arranged", 2, payload).is_err());
    assert!(decode_event("case_closed", 1, payload).is_err());
    // An optional field renamed decodes (as absent): the comparison finds it.
    let stored: serde_json::Value = serde_json::from_str(payload).unwrap();
    let mut written = stored.clone();
    let until = written["data"]
        .as_object_mut()
        .unwrap()
        .remove("until")
        .unwrap();
    written["data"]["ends"] = until;
    assert_eq!(
        lost(&stored, &written, String::new()).as_deref(),
        Some("/data/until")
    );
}

/// Events that had no data at version 1 read as the current form with nothing in it;
/// each form decodes only at its own version.
#[test]
fn events_without_data_at_version_1_read_as_their_current_form() {
    use homeward_domain::Event;
    use homeward_domain::stats::HostOrTransit;
    let fixtures = fixtures();
    let cases = [
        // Confirmed before departures were told apart: neither host nor transit.
        (
            "departure_confirmed",
            Event::DepartureConfirmed {
                host_or_transit: None,
            },
            Event::DepartureConfirmed {
                host_or_transit: Some(HostOrTransit::Transit),
            },
        ),
        // Approved before approvals took a comment: none.
        (
            "application_approved",
            Event::ApplicationApproved { comment: None },
            Event::ApplicationApproved {
                comment: homeward_domain::values::LongText::parse(
                    "Consent and screening checked; the family travels together.",
                )
                .ok(),
            },
        ),
    ];
    for (kind, old, new) in cases {
        let v1 = &fixtures[&(kind.to_string(), 1)];
        let v2 = &fixtures[&(kind.to_string(), 2)];
        assert_eq!(decode_event(kind, 1, v1).unwrap(), old, "{kind}");
        assert_eq!(decode_event(kind, 2, v2).unwrap(), new, "{kind}");
        assert!(decode_event(kind, 2, v1).is_err(), "{kind}");
        assert!(decode_event(kind, 1, v2).is_err(), "{kind}");
        assert!(decode_event(kind, 3, v2).is_err(), "{kind}");
    }
}
