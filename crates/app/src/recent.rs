//! Cases this process read or changed lately, replayed, each at the version it was at.
//!
//! A command names the version its caller read. When that is the version kept here, the
//! command is decided on the kept case instead of reading and replaying its events (on
//! SQLite at 100,000 cases that read was a quarter of a command's time). This is safe
//! whoever else writes, because what is kept cannot be wrong, only old: the event log is
//! append-only, so a case's events up to a version never change, and the store writes a
//! command's events only if the case's stream is still at the version the command was
//! decided on (compare-and-set). A case changed since by another process (another server
//! behind the same load balancer, a command-line tool) makes the command conflict; the
//! caller then answers from the database (`App::execute`), as if nothing had been kept.
//!
//! Bounded by the number of events kept (least recently used cases go first), not by
//! cases: a case's history is what costs memory.

use std::sync::{Arc, Mutex, PoisonError};

use hashlink::LruCache;
use homeward_domain::ids::CaseId;
use homeward_domain::{Case, RecordedEvent};

/// Events kept, all cases together. An event takes about a kilobyte in memory with its
/// share of the replayed case (the server grew by 52 MB keeping 50,000 events of cases
/// read at 100,000 cases), so ~20 MB: the cases a few hundred users are working on, well
/// inside the server's 200 MB at a million cases (142 MB without it).
pub(crate) const MAX_EVENTS: usize = 20_000;

/// A case and the events it was replayed from.
#[derive(Debug)]
pub(crate) struct Replayed {
    pub events: Vec<RecordedEvent>,
    pub case: Case,
}

/// What the memory keeps of a case: its version, and its weight against the budget.
pub(crate) trait Kept {
    fn version(&self) -> u64;
    fn events(&self) -> usize;
}

impl Kept for Replayed {
    fn version(&self) -> u64 {
        self.case.version
    }
    fn events(&self) -> usize {
        self.events.len()
    }
}

pub(crate) struct RecentCases<T = Replayed> {
    kept: Mutex<Cases<T>>,
    max_events: usize,
}

struct Cases<T> {
    lru: LruCache<CaseId, Arc<T>>,
    events: usize,
}

impl<T: Kept> Default for RecentCases<T> {
    fn default() -> Self {
        Self::with_budget(MAX_EVENTS)
    }
}

impl<T: Kept> RecentCases<T> {
    pub(crate) fn with_budget(max_events: usize) -> Self {
        Self {
            kept: Mutex::new(Cases {
                lru: LruCache::new_unbounded(),
                events: 0,
            }),
            max_events,
        }
    }

    fn cases(&self) -> std::sync::MutexGuard<'_, Cases<T>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The case as kept, if it is kept at `version`.
    pub(crate) fn at(&self, id: CaseId, version: u64) -> Option<Arc<T>> {
        match self.cases().lru.get(&id) {
            Some(r) if r.version() == version => Some(r.clone()),
            _ => None,
        }
    }

    /// Keeps a case, unless a later version of it is kept (a read that started before a
    /// command finished must not put back the older case). A case heavier than the whole
    /// budget is not kept.
    pub(crate) fn keep(&self, id: CaseId, r: Arc<T>) {
        if r.events() > self.max_events {
            return;
        }
        let mut cases = self.cases();
        if let Some(old) = cases.lru.get(&id) {
            if old.version() > r.version() {
                return;
            }
            let old = old.events();
            cases.events -= old;
        }
        cases.events += r.events();
        cases.lru.insert(id, r);
        while cases.events > self.max_events {
            match cases.lru.remove_lru() {
                Some((_, gone)) => cases.events -= gone.events(),
                None => break,
            }
        }
    }

    /// Forgets a case (after a command on it failed in a way the kept case may explain).
    pub(crate) fn forget(&self, id: CaseId) {
        let mut cases = self.cases();
        if let Some(gone) = cases.lru.remove(&id) {
            cases.events -= gone.events();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct Fake {
        version: u64,
        events: usize,
    }

    impl Kept for Fake {
        fn version(&self) -> u64 {
            self.version
        }
        fn events(&self) -> usize {
            self.events
        }
    }

    fn id(n: u128) -> CaseId {
        CaseId(uuid::Uuid::from_u128(n))
    }

    fn fake(version: u64, events: usize) -> Arc<Fake> {
        Arc::new(Fake { version, events })
    }

    #[test]
    fn a_case_is_found_only_at_the_version_kept() {
        let recent = RecentCases::with_budget(100);
        recent.keep(id(1), fake(5, 5));
        assert!(recent.at(id(1), 5).is_some());
        assert!(recent.at(id(1), 4).is_none());
        assert!(recent.at(id(1), 6).is_none());
        assert!(recent.at(id(2), 5).is_none());
        recent.forget(id(1));
        assert!(recent.at(id(1), 5).is_none());
        assert_eq!(recent.cases().events, 0);
    }

    #[test]
    fn an_older_version_does_not_replace_a_newer_one() {
        let recent = RecentCases::with_budget(100);
        recent.keep(id(1), fake(6, 6));
        recent.keep(id(1), fake(5, 5));
        assert!(recent.at(id(1), 6).is_some());
        recent.keep(id(1), fake(7, 7));
        assert!(recent.at(id(1), 7).is_some());
        assert_eq!(recent.cases().events, 7);
    }

    #[test]
    fn the_least_recently_used_cases_go_first_when_over_budget() {
        let recent = RecentCases::with_budget(10);
        recent.keep(id(1), fake(4, 4));
        recent.keep(id(2), fake(4, 4));
        // Case 1 used again: case 2 is now the oldest.
        assert!(recent.at(id(1), 4).is_some());
        recent.keep(id(3), fake(4, 4));
        assert!(recent.at(id(2), 4).is_none());
        assert!(recent.at(id(1), 4).is_some());
        assert!(recent.at(id(3), 4).is_some());
        assert_eq!(recent.cases().events, 8);
        // Heavier than the whole budget: not kept, nothing evicted for it.
        recent.keep(id(4), fake(11, 11));
        assert!(recent.at(id(4), 11).is_none());
        assert_eq!(recent.cases().events, 8);
    }
}
