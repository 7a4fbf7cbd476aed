//! Events as stored, decoded: a row each (`EventRow`), or a case's events joined into one
//! text by a rebuild's read (`decode_joined`).

use chrono::{DateTime, Utc};
use homeward_domain::RecordedEvent;
use homeward_domain::ids::UserId;
use uuid::Uuid;

use crate::{Result, StoreError};

#[derive(Debug, Clone)]
pub(crate) struct EventRow {
    pub(crate) case_id: Uuid,
    pub(crate) version: i64,
    event_type: String,
    event_version: i64,
    /// The event's JSON as stored, parsed once, straight into the event (a rebuild
    /// decodes every event in the log).
    payload: sqlx::types::Json<Box<serde_json::value::RawValue>>,
    actor: Uuid,
    occurred_at: DateTime<Utc>,
    recorded_at: DateTime<Utc>,
}

from_row!(EventRow {
    case_id,
    version,
    event_type,
    event_version,
    payload,
    actor,
    occurred_at,
    recorded_at
});

impl EventRow {
    pub(crate) fn decode(self) -> Result<RecordedEvent> {
        StoredEvent {
            case_id: self.case_id,
            version: self.version,
            event_type: &self.event_type,
            event_version: self.event_version,
            payload: self.payload.0.get(),
            actor: self.actor,
            occurred_at: self.occurred_at,
            recorded_at: self.recorded_at,
        }
        .decode()
    }
}

/// An event's payload as stored, with its type name and schema version. Every version
/// ever written must decode for ever (the fixtures in `tests/fixtures/events` hold one
/// of each); an older version is read here into the current form.
pub fn decode_event(
    event_type: &str,
    event_version: i64,
    payload: &str,
) -> std::result::Result<homeward_domain::Event, String> {
    // Older forms, read into the current one: events that had no data at version 1.
    let bare = match (event_type, event_version) {
        // Confirmed before departures were told apart.
        ("departure_confirmed", 1) => Some(homeward_domain::Event::DepartureConfirmed {
            host_or_transit: None,
        }),
        // Approved before approvals took a comment.
        ("application_approved", 1) => {
            Some(homeward_domain::Event::ApplicationApproved { comment: None })
        }
        _ => None,
    };
    if let Some(event) = bare {
        // `{"type": "<event_type>"}`, nothing more.
        let v1: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(payload).map_err(|e| e.to_string())?;
        if v1.len() != 1 || v1.get("type").and_then(|t| t.as_str()) != Some(event_type) {
            return Err(format!("not a {event_type} of schema version 1"));
        }
        return Ok(event);
    }
    let event: homeward_domain::Event = serde_json::from_str(payload).map_err(|e| e.to_string())?;
    if event.kind() != event_type {
        return Err(format!("payload is a {}", event.kind()));
    }
    if i64::from(event.schema_version()) != event_version {
        return Err("unknown event schema version".into());
    }
    Ok(event)
}

/// An event as stored, its payload not parsed yet.
struct StoredEvent<'a> {
    case_id: Uuid,
    version: i64,
    event_type: &'a str,
    event_version: i64,
    payload: &'a str,
    actor: Uuid,
    occurred_at: DateTime<Utc>,
    recorded_at: DateTime<Utc>,
}

impl StoredEvent<'_> {
    fn decode(&self) -> Result<RecordedEvent> {
        let corrupt = |what: String| {
            StoreError::Corrupt(format!(
                "case {} event {} ({} v{}): {what}",
                self.case_id, self.version, self.event_type, self.event_version
            ))
        };
        let event = decode_event(self.event_type, self.event_version, self.payload)
            .map_err(|e| corrupt(e.to_string()))?;
        Ok(RecordedEvent {
            meta: homeward_domain::case::EventMeta {
                version: u64::try_from(self.version).map_err(|e| corrupt(e.to_string()))?,
                actor: UserId(self.actor),
                occurred_at: self.occurred_at,
                recorded_at: self.recorded_at,
            },
            event,
        })
    }
}

/// The events of a batch of cases, as a rebuild reads them.
pub(crate) enum EventBatch {
    /// One row per event, in any order (the replay sorts them by case and version).
    Rows(Vec<EventRow>),
    /// One text per case, its events joined (`JOINED_EVENT`, `JOINED_FIELD`): SQLite's
    /// driver hands each row over with an allocation per column and a wake-up of the
    /// reading task; a case's events in one row read the log several times faster.
    Joined(Vec<(Uuid, String)>),
}

/// Between the events of a case read joined, and between their fields (version, type,
/// schema version, actor in hex, occurred, recorded, payload). Neither can occur inside a
/// field: JSON writes control characters escaped, and the others are numbers, codes,
/// hexadecimal and dates.
const JOINED_EVENT: char = '\u{1e}';
const JOINED_FIELD: char = '\u{1f}';

/// The events of a case read joined, in version order.
pub(crate) fn decode_joined(case_id: Uuid, joined: &str) -> Result<Vec<RecordedEvent>> {
    let mut events = joined
        .split(JOINED_EVENT)
        .map(|text| {
            let corrupt = |what: &str| {
                StoreError::Corrupt(format!(
                    "case {case_id}: an event whose {what} is unreadable"
                ))
            };
            let mut fields = text.splitn(7, JOINED_FIELD);
            let mut field = |name: &str| fields.next().ok_or_else(|| corrupt(name));
            let version = field("version")?;
            let version = version.parse().map_err(|_| corrupt("version"))?;
            let event_type = field("type")?;
            let event_version = field("schema version")?;
            let event_version = event_version
                .parse()
                .map_err(|_| corrupt("schema version"))?;
            let actor = Uuid::try_parse(field("actor")?).map_err(|_| corrupt("actor"))?;
            let occurred_at = stored_time(field("time of occurrence")?)
                .ok_or_else(|| corrupt("time of occurrence"))?;
            let recorded_at = stored_time(field("time of recording")?)
                .ok_or_else(|| corrupt("time of recording"))?;
            let payload = field("payload")?;
            StoredEvent {
                case_id,
                version,
                event_type,
                event_version,
                payload,
                actor,
                occurred_at,
                recorded_at,
            }
            .decode()
        })
        .collect::<Result<Vec<_>>>()?;
    events.sort_by_key(|e| e.meta.version);
    Ok(events)
}

/// A time as SQLite's driver stores it (RFC 3339), or as it also reads it.
fn stored_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// A stored event joined as SQLite's rebuild reads it.
    fn joined(version: i64, kind: &str, payload: &str, occurred: &str) -> String {
        [
            version.to_string(),
            kind.to_string(),
            "1".to_string(),
            "01A222867DC97237AC1E262F2749C4BA".to_string(),
            occurred.to_string(),
            "2024-11-14T11:14:00+00:00".to_string(),
            payload.to_string(),
        ]
        .join(&JOINED_FIELD.to_string())
    }

    #[test]
    fn events_read_joined_decode_in_version_order() {
        let case = Uuid::from_u128(7);
        let reopened = serde_json::to_string(&homeward_domain::Event::CaseReopened {
            reason: homeward_domain::values::LongText::parse("asked again; a \"quote\"").unwrap(),
        })
        .unwrap();
        let submitted =
            serde_json::to_string(&homeward_domain::Event::ApplicationSubmitted).unwrap();
        let text = [
            joined(2, "case_reopened", &reopened, "2024-11-14 09:14:00.250"),
            joined(
                1,
                "application_submitted",
                &submitted,
                "2024-11-14T09:14:00.123456789+00:00",
            ),
        ]
        .join(&JOINED_EVENT.to_string());
        let events = decode_joined(case, &text).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].meta.version, 1);
        assert_eq!(
            events[0].event,
            homeward_domain::Event::ApplicationSubmitted
        );
        assert_eq!(
            events[0].meta.occurred_at.to_rfc3339(),
            "2024-11-14T09:14:00.123456789+00:00"
        );
        assert_eq!(events[1].meta.version, 2);
        assert_eq!(events[1].event.kind(), "case_reopened");
        assert_eq!(events[1].meta.occurred_at.timestamp_millis() % 1000, 250);
        assert_eq!(
            events[1].meta.actor.0.to_string(),
            "01a22286-7dc9-7237-ac1e-262f2749c4ba"
        );
        // A control character in a text is escaped in JSON: never a separator.
        let json = serde_json::to_string("a\u{1e}b\u{1f}c").unwrap();
        assert!(!json.contains(JOINED_EVENT) && !json.contains(JOINED_FIELD));
    }

    #[test]
    fn an_unreadable_joined_event_is_an_error_that_names_the_field() {
        let case = Uuid::from_u128(7);
        let submitted =
            serde_json::to_string(&homeward_domain::Event::ApplicationSubmitted).unwrap();
        let good = joined(
            1,
            "application_submitted",
            &submitted,
            "2024-11-14T09:14:00+00:00",
        );
        for (text, field) in [
            (good.replacen('1', "x", 1), "version"),
            (
                good.replace("01A222867DC97237AC1E262F2749C4BA", "nobody"),
                "actor",
            ),
            (
                good.replace("2024-11-14T09:14:00+00:00", "yesterday"),
                "time of occurrence",
            ),
            (
                good.split(JOINED_FIELD)
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(&JOINED_FIELD.to_string()),
                "actor",
            ),
            (
                joined(1, "case_reopened", &submitted, "2024-11-14T09:14:00+00:00"),
                "payload is a application_submitted",
            ),
            (String::new(), "version"),
        ] {
            let err = decode_joined(case, &text).unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
    }
}
