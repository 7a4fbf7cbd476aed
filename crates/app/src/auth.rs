//! Accounts, sign-in and sessions.
//!
//! Passwords are hashed with Argon2id. A browser session and an API token are both a
//! random secret handed to the client once; only its SHA-256 is stored. Sessions end after
//! an idle timeout and an absolute one; tokens after their lifetime. Failed sign-ins are
//! throttled per account and per network address.

use crate::Internally;
use std::net::IpAddr;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use homeward_domain::Violation;
use homeward_domain::access::Actor;
use homeward_domain::ids::{OfficeId, UserId};
use homeward_domain::values::TimeZone;
use homeward_store::{AuditDraft, AuthSession, UserRecord};
use sha2::{Digest, Sha256};

use crate::{App, AppError, Result, now};

/// Who is calling, and through what.
#[derive(Debug, Clone)]
pub struct Principal {
    pub actor: Actor,
    pub username: String,
    pub display_name: String,
    pub session: AuthSession,
    /// The directory generation read with the session (see `directory`).
    pub directory_generation: i64,
    /// The time zone the user enters and reads times in: their office's (`App::zone_of`).
    pub time_zone: TimeZone,
}

impl Principal {
    pub fn is_browser(&self) -> bool {
        self.session.kind == SessionKind::Browser.as_str()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Browser,
    Token,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Token => "token",
        }
    }
}

/// A secret as given to the client once.
#[derive(Debug, Clone)]
pub struct Issued {
    pub secret: String,
    pub session: AuthSession,
}

/// Shortest password a user may set.
pub const MIN_PASSWORD_LEN: usize = 12;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random secret of 256 bits, hex-encoded.
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::fill(&mut b);
    hex(&b)
}

/// A password of `len` characters that is easy to type (no look-alike characters).
pub fn random_password(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = vec![0u8; len];
    rand::fill(&mut b[..]);
    b.iter()
        .map(|x| ALPHABET[usize::from(*x) % ALPHABET.len()] as char)
        .collect()
}

pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .internal("password hashing failed")
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).ok().is_some_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

pub fn check_password_strength(password: &str, field: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::invalid(
            Violation::new(
                "password.too_short",
                format!("a password has at least {MIN_PASSWORD_LEN} characters"),
            )
            .at(field),
        ));
    }
    Ok(())
}

/// A hash to verify against when the account does not exist, so that a wrong user name
/// takes as long as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("homeward-dummy-password").unwrap_or_default());

fn actor_of(u: &UserRecord) -> Actor {
    Actor {
        user_id: u.id,
        roles: u.roles.clone(),
        offices: u.offices.clone(),
        organisation: u.organisation,
    }
}

/// How long a successful sign-in from an address keeps the account's way open from there
/// when the address is throttled for others.
const KNOWN_ADDRESS_DAYS: i64 = 90;

impl App {
    async fn throttle_check(&self, keys: &[String], at: DateTime<Utc>) -> Result<()> {
        let c = self.config();
        let since = at - c.login_window;
        for k in keys {
            // Someone who signed in from this address lately is not held back by its
            // count of other accounts (their colleagues' typos, a fuzzer next door).
            if k.starts_with("ip:") && self.known_from(keys, at).await? {
                continue;
            }
            let limit = match k.split(':').next() {
                Some("pair") => c.login_max_per_account_address,
                Some("user") => c.login_max_per_account,
                _ => c.login_max_per_address,
            };
            if self.store().count_login_failures(k, since).await? >= limit {
                return Err(AppError::Throttled {
                    retry_after_secs: c.login_window.num_seconds().max(1) as u64,
                });
            }
        }
        Ok(())
    }

    /// Whether the account of `keys` signed in from their address within
    /// `KNOWN_ADDRESS_DAYS` (kept as a mark in the sign-in counters, `known:`).
    async fn known_from(&self, keys: &[String], at: DateTime<Utc>) -> Result<bool> {
        let Some(pair) = keys.first().and_then(|k| k.strip_prefix("pair:")) else {
            return Ok(false);
        };
        let since = at - Duration::days(KNOWN_ADDRESS_DAYS);
        Ok(self
            .store()
            .count_login_failures(&format!("known:{pair}"), since)
            .await?
            > 0)
    }

    /// Signs in with a user name and password; returns a new secret of `kind`.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: Option<IpAddr>,
        kind: SessionKind,
        name: Option<String>,
    ) -> Result<Issued> {
        let at = now();
        let username = username.trim().to_lowercase();
        if username.is_empty() || username.len() > 200 || username.chars().any(char::is_control) {
            // Not a user name any account can have: nothing to look up, nothing to record.
            return Err(AppError::Unauthenticated);
        }
        // The account from this address (an unknown address counts as one), the account
        // from anywhere, and the address for any account: `Config::login_max_*`.
        let from = address.map_or_else(|| "-".to_string(), |a| a.to_string());
        let mut keys = vec![
            format!("pair:{username}|{from}"),
            format!("user:{username}"),
        ];
        if let Some(a) = address {
            keys.push(format!("ip:{a}"));
        }
        self.throttle_check(&keys, at).await?;
        let user = self.store().user_by_username(&username).await?;
        let hash = user
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.clone());
        let password = password.to_string();
        let ok = self
            .password_work(move || verify_password(&password, &hash))
            .await?;
        let user = match user {
            Some(u) if ok && u.active => u,
            _ => {
                self.store().record_login_failure(&keys, at).await?;
                self.audit(AuditDraft {
                    at,
                    actor: user.as_ref().map(|u| u.id.0),
                    action: "auth.login_failed".into(),
                    case_id: None,
                    detail: serde_json::json!({ "username": username, "address": address.map(|a| a.to_string()) }),
                })
                .await?;
                return Err(AppError::Unauthenticated);
            }
        };
        // The right password ends the account's count (from here and anywhere); the
        // address's count of other accounts stays, but no longer holds this account back
        // from here (`known_from`).
        self.store().clear_login_failures(&keys[0]).await?;
        self.store().clear_login_failures(&keys[1]).await?;
        if address.is_some()
            && let Some(pair) = keys[0].strip_prefix("pair:")
        {
            let known = format!("known:{pair}");
            self.store().clear_login_failures(&known).await?;
            self.store().record_login_failure(&[known], at).await?;
        }
        let issued = self.issue(&user, kind, name, at).await?;
        self.audit(AuditDraft {
            at,
            actor: Some(user.id.0),
            action: format!("auth.login_{}", kind.as_str()),
            case_id: None,
            detail: serde_json::json!({ "address": address.map(|a| a.to_string()) }),
        })
        .await?;
        Ok(issued)
    }

    async fn issue(
        &self,
        user: &UserRecord,
        kind: SessionKind,
        name: Option<String>,
        at: DateTime<Utc>,
    ) -> Result<Issued> {
        let secret = random_secret();
        let c = self.config();
        let (expires_at, idle) = match kind {
            SessionKind::Browser => (at + c.session_absolute, Some(c.session_idle.num_seconds())),
            SessionKind::Token => (at + c.token_lifetime, None),
        };
        let session = AuthSession {
            id: secret_hash(&secret),
            user_id: user.id.0,
            kind: kind.as_str().into(),
            name,
            csrf_token: random_secret(),
            created_at: at,
            last_seen_at: at,
            expires_at,
            idle_timeout_secs: idle,
        };
        self.store().create_session(&session).await?;
        Ok(Issued { secret, session })
    }

    /// Issues an API token to a signed-in user.
    pub async fn create_token(&self, p: &Principal, name: String) -> Result<Issued> {
        let user = self
            .store()
            .user(p.actor.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let at = now();
        let issued = self
            .issue(&user, SessionKind::Token, Some(name.clone()), at)
            .await?;
        self.audit(AuditDraft {
            at,
            actor: Some(user.id.0),
            action: "auth.token_created".into(),
            case_id: None,
            detail: serde_json::json!({ "name": name }),
        })
        .await?;
        Ok(issued)
    }

    /// Finds who holds `secret`. Expired and idle sessions are ended here. The user comes
    /// from memory when nothing in the directory has changed since it was read (see
    /// `directory`): one query per request, not four.
    pub async fn authenticate(&self, secret: &str) -> Result<Principal> {
        let id = secret_hash(secret);
        let (session, generation) = self
            .store()
            .session_in_directory(&id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let at = now();
        let idle_over = session
            .idle_timeout_secs
            .is_some_and(|s| session.last_seen_at + Duration::seconds(s) < at);
        if session.expires_at <= at || idle_over {
            self.store().delete_session(&id).await?;
            return Err(AppError::Unauthenticated);
        }
        let user_id = UserId(session.user_id);
        let user = match self.directory().user(generation, user_id) {
            Some(user) => user,
            None => {
                let user = self
                    .store()
                    .user(user_id)
                    .await?
                    .ok_or(AppError::Unauthenticated)?;
                self.directory().keep_user(generation, &user);
                user
            }
        };
        if !user.active {
            return Err(AppError::Unauthenticated);
        }
        // Record activity at most once a minute: not a write per request.
        if at - session.last_seen_at > Duration::seconds(60) {
            self.store().touch_session(&id, at).await?;
        }
        let time_zone = self.zone_of(generation, &user.offices).await?;
        Ok(Principal {
            actor: actor_of(&user),
            username: user.username,
            display_name: user.display_name,
            session,
            directory_generation: generation,
            time_zone,
        })
    }

    /// The time zone of someone working in `offices`: their office's; of several, the
    /// first by code (an office's staff share its zone); UTC for no office (an
    /// administrator, a donor, a partner).
    pub(crate) async fn zone_of(
        &self,
        generation: i64,
        offices: &std::collections::BTreeSet<OfficeId>,
    ) -> Result<TimeZone> {
        if offices.is_empty() {
            return Ok(TimeZone::UTC);
        }
        let zones = match self.directory().office_zones(generation) {
            Some(zones) => zones,
            None => {
                // By code, as the store lists them; an unknown name (edited by hand in
                // the database) reads as UTC rather than failing every request.
                let zones: std::sync::Arc<[(OfficeId, TimeZone)]> = self
                    .store()
                    .list_offices()
                    .await?
                    .into_iter()
                    .map(|o| {
                        let zone = TimeZone::parse(&o.time_zone).unwrap_or(TimeZone::UTC);
                        (o.id, zone)
                    })
                    .collect();
                self.directory()
                    .keep_office_zones(generation, zones.clone());
                zones
            }
        };
        Ok(zones
            .iter()
            .find(|(id, _)| offices.contains(id))
            .map_or(TimeZone::UTC, |(_, zone)| *zone))
    }

    pub async fn logout(&self, p: &Principal) -> Result<()> {
        self.store().delete_session(&p.session.id).await?;
        Ok(())
    }

    /// Ends every session and token of the user.
    pub async fn logout_everywhere(&self, p: &Principal) -> Result<u64> {
        let n = self.store().delete_user_sessions(p.actor.user_id).await?;
        self.audit(AuditDraft {
            at: now(),
            actor: Some(p.actor.user_id.0),
            action: "auth.logout_everywhere".into(),
            case_id: None,
            detail: serde_json::json!({ "sessions": n }),
        })
        .await?;
        Ok(n)
    }

    /// Changes one's own password, ending every other session.
    pub async fn change_password(&self, p: &Principal, current: &str, new: &str) -> Result<()> {
        check_password_strength(new, "new_password")?;
        let user = self
            .store()
            .user(p.actor.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let at = now();
        // A signed-in session guessing its own password: as strict as one address.
        let key = vec![
            format!("pair:{}|password-change", user.username),
            format!("user:{}", user.username),
        ];
        self.throttle_check(&key, at).await?;
        let (current, stored) = (current.to_string(), user.password_hash.clone());
        let ok = self
            .password_work(move || verify_password(&current, &stored))
            .await?;
        if !ok {
            self.store().record_login_failure(&key, at).await?;
            return Err(AppError::invalid(
                Violation::new("password.wrong", "the current password is wrong")
                    .at("current_password"),
            ));
        }
        let new = new.to_string();
        let hash = self.password_work(move || hash_password(&new)).await??;
        self.store()
            .update_user(
                user.id,
                &homeward_store::UserChange {
                    password_hash: Some(hash),
                    ..Default::default()
                },
            )
            .await?;
        self.store().delete_user_sessions(user.id).await?;
        self.audit(AuditDraft {
            at: now(),
            actor: Some(user.id.0),
            action: "auth.password_changed".into(),
            case_id: None,
            detail: serde_json::json!({}),
        })
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn secrets_are_random_and_stored_hashed() {
        let a = random_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_secret());
        assert_ne!(secret_hash(&a), a);
        assert_eq!(random_password(16).len(), 16);
    }
}
