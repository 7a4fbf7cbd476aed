//! Users, programme settings and offices' time zones kept in memory, for as long as the directory generation
//! they were loaded under is the one the database holds.
//!
//! Every change to users, their roles and offices, or programmes raises the generation in
//! its own transaction (triggers; migration 0007), whichever process makes it. A request
//! reads the generation with its session, in one query; what is kept under another
//! generation is dropped before anything is looked up. A request therefore never acts on
//! a user or programme older than what was committed before its session was read, as if
//! it had read them from the database at that moment: a deactivated user's next request
//! is refused, without a user lookup per request.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use homeward_domain::ids::{OfficeId, ProgrammeId, UserId};
use homeward_domain::programme::ProgrammeSettings;
use homeward_domain::values::TimeZone;
use homeward_store::UserRecord;

/// Beyond this many entries the memory starts again empty (directories are small; this
/// only bounds it).
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub(crate) struct Directory {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    generation: i64,
    users: HashMap<UserId, UserRecord>,
    programmes: HashMap<ProgrammeId, ProgrammeSettings>,
    /// Every office's time zone, by code.
    office_zones: Option<std::sync::Arc<[(OfficeId, TimeZone)]>>,
}

impl Kept {
    /// What is kept, if it was loaded under `generation`; emptied otherwise.
    fn at(&mut self, generation: i64) -> &mut Kept {
        if self.generation != generation || self.users.len() + self.programmes.len() >= MAX_ENTRIES
        {
            *self = Kept {
                generation,
                ..Kept::default()
            };
        }
        self
    }
}

impl Directory {
    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn user(&self, generation: i64, id: UserId) -> Option<UserRecord> {
        self.kept().at(generation).users.get(&id).cloned()
    }

    /// Keeps a user read after the generation was: if the generation has moved since, the
    /// next request sees the new number and drops it.
    pub(crate) fn keep_user(&self, generation: i64, user: &UserRecord) {
        self.kept()
            .at(generation)
            .users
            .insert(user.id, user.clone());
    }

    pub(crate) fn office_zones(
        &self,
        generation: i64,
    ) -> Option<std::sync::Arc<[(OfficeId, TimeZone)]>> {
        self.kept().at(generation).office_zones.clone()
    }

    pub(crate) fn keep_office_zones(
        &self,
        generation: i64,
        zones: std::sync::Arc<[(OfficeId, TimeZone)]>,
    ) {
        self.kept().at(generation).office_zones = Some(zones);
    }

    pub(crate) fn programme(&self, generation: i64, id: ProgrammeId) -> Option<ProgrammeSettings> {
        self.kept().at(generation).programmes.get(&id).cloned()
    }

    pub(crate) fn keep_programme(
        &self,
        generation: i64,
        id: ProgrammeId,
        settings: &ProgrammeSettings,
    ) {
        self.kept()
            .at(generation)
            .programmes
            .insert(id, settings.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use uuid::Uuid;

    fn user(n: u128) -> UserRecord {
        UserRecord {
            id: UserId(Uuid::from_u128(n)),
            username: format!("u{n}"),
            display_name: format!("User {n}"),
            password_hash: String::new(),
            active: true,
            organisation: None,
            created_at: Utc::now(),
            roles: Default::default(),
            offices: Default::default(),
        }
    }

    #[test]
    fn what_is_kept_is_given_back_under_its_generation_only() {
        let d = Directory::default();
        let u = user(1);
        d.keep_user(3, &u);
        assert_eq!(d.user(3, u.id), Some(u.clone()));
        // Another generation: nothing kept is given back, and it is gone for good.
        assert_eq!(d.user(4, u.id), None);
        assert_eq!(d.user(3, u.id), None);
    }

    #[test]
    fn the_memory_is_bounded() {
        let d = Directory::default();
        for n in 0..(MAX_ENTRIES as u128 + 5) {
            d.keep_user(1, &user(n));
        }
        assert!(d.kept().users.len() <= MAX_ENTRIES);
    }
}
