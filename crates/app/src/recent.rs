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
//! Bounded by the number of events kept, not by cases: a case's history is what costs
//! memory. Which cases stay is decided as W-TinyLFU does (see `Cases`): a case just read
//! is always kept for a while, and one kept for long gives way only to a case used
//! clearly more often, so that many users each on their own cases, or a report reading
//! every case once, do not flush what the memory holds (a least-recently-used memory
//! visited in a cycle larger than itself finds nothing: docs/decisions/0003).
//! Not moka: its TinyLFU, without this window, refuses most cases just opened once the
//! memory is full (docs/decisions/0008).

use std::sync::{Arc, Mutex, PoisonError};

use hashlink::LruCache;
use homeward_domain::ids::CaseId;
use homeward_domain::{Case, RecordedEvent};

/// Events kept, all cases together: about a kilobyte each with its share of the replayed
/// case, so ~20 MB, the cases a few hundred users are working on (docs/decisions/0003).
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

/// The memory in two parts, as W-TinyLFU keeps a cache: a case read or changed enters a
/// small `window` (a tenth of the budget), so that a case opened and then acted on is
/// kept whatever else is going on; when the window is full its least recently used case
/// moves to the `main` part if there is room, or if it has been used clearly more often
/// than each case `main` would give up for it (see `settle`). A least-recently-used memory visited in a cycle
/// larger than itself (many users each on their own cases, a report that reads every
/// case once) misses every time; this one keeps what it holds and goes on hitting it.
struct Cases<T> {
    window: Part<T>,
    main: Part<T>,
    /// How often each case was used lately (reads and keeps), aged by halving.
    uses: LruCache<CaseId, u32>,
    /// Uses recorded since the last halving.
    since_aging: usize,
}

struct Part<T> {
    lru: LruCache<CaseId, Arc<T>>,
    events: usize,
}

impl<T: Kept> Part<T> {
    fn new() -> Self {
        Self {
            lru: LruCache::new_unbounded(),
            events: 0,
        }
    }

    fn insert(&mut self, id: CaseId, r: Arc<T>) {
        self.events += r.events();
        if let Some(old) = self.lru.insert(id, r) {
            self.events -= old.events();
        }
    }

    fn remove(&mut self, id: &CaseId) -> Option<Arc<T>> {
        let gone = self.lru.remove(id)?;
        self.events -= gone.events();
        Some(gone)
    }

    fn remove_lru(&mut self) -> Option<(CaseId, Arc<T>)> {
        let (id, gone) = self.lru.remove_lru()?;
        self.events -= gone.events();
        Some((id, gone))
    }
}

/// Cases whose uses are counted, per case the budget could hold at ten events each.
const USES_PER_KEPT: usize = 4;

impl<T: Kept> Cases<T> {
    fn events(&self) -> usize {
        self.window.events + self.main.events
    }

    fn used(&mut self, id: CaseId, max_events: usize) {
        let cap = (max_events / 10).max(16) * USES_PER_KEPT;
        let n = self.uses.get(&id).copied().unwrap_or(0);
        self.uses.insert(id, n.saturating_add(1));
        while self.uses.len() > cap {
            self.uses.remove_lru();
        }
        // Old habits fade: every so many uses, every count is halved.
        self.since_aging += 1;
        if self.since_aging >= cap * 4 {
            self.since_aging = 0;
            for (_, n) in self.uses.iter_mut() {
                *n /= 2;
            }
        }
    }

    fn uses_of(&self, id: &CaseId) -> u32 {
        self.uses.peek(id).copied().unwrap_or(0)
    }
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
                window: Part::new(),
                main: Part::new(),
                uses: LruCache::new_unbounded(),
                since_aging: 0,
            }),
            max_events,
        }
    }

    fn cases(&self) -> std::sync::MutexGuard<'_, Cases<T>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn window_budget(&self) -> usize {
        (self.max_events / 10).max(1)
    }

    /// The case as kept, if it is kept at `version`.
    pub(crate) fn at(&self, id: CaseId, version: u64) -> Option<Arc<T>> {
        let mut cases = self.cases();
        cases.used(id, self.max_events);
        let found = match cases.main.lru.get(&id) {
            Some(r) => Some(r.clone()),
            None => cases.window.lru.get(&id).cloned(),
        };
        found.filter(|r| r.version() == version)
    }

    /// Keeps a case, unless a later version of it is kept (a read that started before a
    /// command finished must not put back the older case). A case heavier than the whole
    /// budget is not kept.
    pub(crate) fn keep(&self, id: CaseId, r: Arc<T>) {
        if r.events() > self.max_events {
            return;
        }
        let mut cases = self.cases();
        cases.used(id, self.max_events);
        let kept = cases
            .main
            .lru
            .peek(&id)
            .or_else(|| cases.window.lru.peek(&id));
        if kept.is_some_and(|old| old.version() > r.version()) {
            return;
        }
        if cases.main.lru.contains_key(&id) {
            cases.main.insert(id, r);
        } else {
            cases.window.insert(id, r);
        }
        self.settle(&mut cases);
    }

    /// Brings the window back to its share and the whole back to the budget.
    fn settle(&self, cases: &mut Cases<T>) {
        let main_budget = self.max_events - self.window_budget().min(self.max_events);
        while cases.window.events > self.window_budget() {
            let Some((id, candidate)) = cases.window.remove_lru() else {
                break;
            };
            if cases.main.events + candidate.events() <= main_budget {
                cases.main.insert(id, candidate);
                continue;
            }
            // Main gives up its least recently used cases for the candidate only if
            // the candidate was used clearly more often than each of them: in a cycle
            // every case is used as often as the next, but the one just used counts a
            // use or two more than the one main last saw a while ago.
            let mut room = cases.main.events;
            let mut victims = 0;
            let mut admitted = true;
            let candidate_uses = cases.uses_of(&id);
            for (victim, v) in cases.main.lru.iter() {
                if room + candidate.events() <= main_budget {
                    break;
                }
                let victim_uses = cases.uses_of(victim);
                if candidate_uses <= victim_uses + victim_uses / 2 + 1 {
                    admitted = false;
                    break;
                }
                room -= v.events();
                victims += 1;
            }
            if admitted && room + candidate.events() <= main_budget {
                for _ in 0..victims {
                    cases.main.remove_lru();
                }
                cases.main.insert(id, candidate);
            }
        }
        while cases.events() > self.max_events {
            if cases.main.remove_lru().is_none() && cases.window.remove_lru().is_none() {
                break;
            }
        }
    }

    /// Forgets a case (after a command on it failed in a way the kept case may explain).
    pub(crate) fn forget(&self, id: CaseId) {
        let mut cases = self.cases();
        cases.main.remove(&id);
        cases.window.remove(&id);
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
        assert_eq!(recent.cases().events(), 0);
    }

    #[test]
    fn an_older_version_does_not_replace_a_newer_one() {
        let recent = RecentCases::with_budget(100);
        recent.keep(id(1), fake(6, 6));
        recent.keep(id(1), fake(5, 5));
        assert!(recent.at(id(1), 6).is_some());
        recent.keep(id(1), fake(7, 7));
        assert!(recent.at(id(1), 7).is_some());
        assert_eq!(recent.cases().events(), 7);
    }

    /// Fills the main part of a memory of 100 events with nine cases of ten events, each
    /// used `uses` times.
    fn full(uses: usize) -> RecentCases<Fake> {
        let recent = RecentCases::with_budget(100);
        for n in 1..=9 {
            for _ in 1..uses {
                recent.at(id(n), 10);
            }
            recent.keep(id(n), fake(10, 10));
        }
        // Through the window into main.
        recent.keep(id(100), fake(1, 10));
        recent.forget(id(100));
        for n in 1..=9 {
            assert!(recent.at(id(n), 10).is_some(), "case {n}");
        }
        recent
    }

    #[test]
    fn a_case_just_read_is_kept_even_when_the_memory_is_full() {
        let recent = full(5);
        recent.keep(id(50), fake(8, 8));
        assert!(
            recent.at(id(50), 8).is_some(),
            "the case opened, then acted on"
        );
        assert!(recent.cases().events() <= 100);
    }

    #[test]
    fn a_case_used_more_often_displaces_the_least_recently_used_one() {
        let recent = full(1);
        for _ in 0..5 {
            recent.at(id(50), 10);
        }
        recent.keep(id(50), fake(10, 10));
        // Pushed out of the window by another case: main gives up its oldest for it.
        recent.keep(id(51), fake(10, 10));
        assert!(recent.at(id(50), 10).is_some());
        assert!(
            recent.at(id(1), 10).is_none(),
            "the least recently used case went"
        );
        assert!(recent.at(id(2), 10).is_some());
        assert!(recent.cases().events() <= 100);
    }

    #[test]
    fn a_case_used_less_often_does_not_displace_one_used_more() {
        let recent = full(5);
        recent.keep(id(50), fake(10, 10));
        recent.keep(id(51), fake(10, 10));
        assert!(recent.at(id(50), 10).is_none(), "used once, against five");
        for n in 1..=9 {
            assert!(recent.at(id(n), 10).is_some(), "case {n}");
        }
    }

    /// Users each on their own cases, visited in turn: more cases than the memory holds.
    /// A least-recently-used memory misses every time; this one keeps most of what it
    /// holds.
    #[test]
    fn a_cycle_larger_than_the_memory_still_finds_cases() {
        let recent = RecentCases::with_budget(100);
        let mut versions = [1u64; 30];
        let mut hits = 0;
        for round in 0..10 {
            for (n, v) in versions.iter_mut().enumerate() {
                let case = id(n as u128);
                let found = recent.at(case, *v).is_some();
                if round >= 5 && found {
                    hits += 1;
                }
                // A command on it: the next version is kept.
                *v += 1;
                recent.keep(case, fake(*v, 5));
                assert!(recent.cases().events() <= 100);
            }
        }
        // 30 cases of 5 events against a budget of 100: at most 20 fit.
        assert!(hits >= 5 * 12, "{hits} hits of 150 visits");
    }

    #[test]
    fn the_budget_holds_and_the_counts_stay_true_whatever_happens() {
        let recent = RecentCases::with_budget(50);
        let mut x: u64 = 7;
        for _ in 0..5_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let case = id(u128::from(x >> 60));
            let version = (x >> 40) % 8;
            match (x >> 20) % 4 {
                0 => {
                    recent.at(case, version);
                }
                1 => recent.forget(case),
                _ => recent.keep(case, fake(version, ((x >> 8) % 60) as usize)),
            }
            let cases = recent.cases();
            assert!(cases.events() <= 50);
            let window: usize = cases.window.lru.iter().map(|(_, r)| r.events()).sum();
            let main: usize = cases.main.lru.iter().map(|(_, r)| r.events()).sum();
            assert_eq!((window, main), (cases.window.events, cases.main.events));
            assert!(
                cases
                    .window
                    .lru
                    .iter()
                    .all(|(k, _)| !cases.main.lru.contains_key(k)),
                "a case in both parts"
            );
        }
    }
}
