//! The audit chain: each entry carries a SHA-256 over its own content and the hash of the
//! entry before it, so that altering, inserting or removing any entry breaks the chain
//! from that entry on.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append; the store gives it its sequence number and hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDraft {
    pub at: DateTime<Utc>,
    pub actor: Option<Uuid>,
    /// What was done: a command name (`case.record_consent`), `case.read_sensitive`,
    /// `user.create`, `auth.login_failed`...
    pub action: String,
    pub case_id: Option<Uuid>,
    /// JSON detail: which fields were read, what changed (never passwords).
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<Uuid>,
    pub action: String,
    pub case_id: Option<Uuid>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

from_row!(AuditEntry {
    seq,
    at,
    actor,
    action,
    case_id,
    detail,
    prev_hash,
    hash
});

/// The first entry whose content or link does not match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("audit entry {seq}: {reason}")]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

/// Timestamps are hashed at microsecond precision, which both databases keep exactly.
pub fn truncate_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

pub fn hash(
    seq: i64,
    at: DateTime<Utc>,
    actor: Option<Uuid>,
    action: &str,
    case_id: Option<Uuid>,
    detail: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    let actor = actor.map(|a| a.to_string()).unwrap_or_default();
    let case_id = case_id.map(|c| c.to_string()).unwrap_or_default();
    let content = format!(
        "{seq}\n{}\n{actor}\n{action}\n{case_id}\n{detail}\n{prev_hash}",
        at.timestamp_micros()
    );
    h.update(content.as_bytes());
    h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
}

/// Builds the entry that follows `prev` (sequence and hash).
pub fn seal(draft: &AuditDraft, prev_seq: i64, prev_hash: &str) -> AuditEntry {
    let seq = prev_seq + 1;
    let at = truncate_micros(draft.at);
    let detail = draft.detail.to_string();
    let hash = hash(
        seq,
        at,
        draft.actor,
        &draft.action,
        draft.case_id,
        &detail,
        prev_hash,
    );
    AuditEntry {
        seq,
        at,
        actor: draft.actor,
        action: draft.action.clone(),
        case_id: draft.case_id,
        detail,
        prev_hash: prev_hash.to_string(),
        hash,
    }
}

/// Checks one entry against the hash of the one before and the sequence expected.
pub fn check(e: &AuditEntry, prev_hash: &str, expected_seq: i64) -> Result<(), ChainBreak> {
    if e.seq != expected_seq {
        return Err(ChainBreak {
            seq: e.seq,
            reason: format!("expected entry {expected_seq}: entries are missing"),
        });
    }
    if e.prev_hash != prev_hash {
        return Err(ChainBreak {
            seq: e.seq,
            reason: "does not link to the entry before it".into(),
        });
    }
    let expected = hash(
        e.seq,
        e.at,
        e.actor,
        &e.action,
        e.case_id,
        &e.detail,
        &e.prev_hash,
    );
    if expected != e.hash {
        return Err(ChainBreak {
            seq: e.seq,
            reason: "its content does not match its hash: it was altered".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(action: &str) -> AuditDraft {
        AuditDraft {
            at: Utc::now(),
            actor: Some(Uuid::nil()),
            action: action.into(),
            case_id: None,
            detail: serde_json::json!({"x": 1}),
        }
    }

    #[test]
    fn a_chain_verifies_and_any_alteration_is_found() {
        let a = seal(&draft("a"), 0, GENESIS);
        let b = seal(&draft("b"), a.seq, &a.hash);
        assert!(check(&a, GENESIS, 1).is_ok());
        assert!(check(&b, &a.hash, 2).is_ok());
        let mut altered = b.clone();
        altered.action = "c".into();
        assert_eq!(check(&altered, &a.hash, 2).unwrap_err().seq, 2);
        assert!(check(&b, GENESIS, 2).is_err(), "relinked");
        assert!(check(&b, &a.hash, 3).is_err(), "missing entry");
    }
}
