//! Hit rates of Homeward's kept cases (`crates/app/src/recent.rs`, compiled here as it
//! is: W-TinyLFU weighed by events) against moka's sync cache (TinyLFU, weighed by
//! events), on the workloads of docs/decisions/0003 and 0008. Run with
//! `cargo run --release` in this folder; it prints a Markdown table.
#![allow(dead_code)]

#[path = "../../../crates/app/src/recent.rs"]
mod recent;

use std::sync::Arc;

use homeward_domain::ids::CaseId;
use recent::{Kept, RecentCases};

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

trait Memory {
    fn at(&self, id: u128, version: u64) -> bool;
    fn keep(&self, id: u128, version: u64, events: usize);
}

fn case(id: u128) -> CaseId {
    CaseId(uuid::Uuid::from_u128(id))
}

impl Memory for RecentCases<Fake> {
    fn at(&self, id: u128, version: u64) -> bool {
        RecentCases::at(self, case(id), version).is_some()
    }
    fn keep(&self, id: u128, version: u64, events: usize) {
        RecentCases::keep(self, case(id), Arc::new(Fake { version, events }))
    }
}

struct Moka(moka::sync::Cache<CaseId, Arc<Fake>>);
impl Moka {
    fn new(budget: u64) -> Self {
        Moka(
            moka::sync::Cache::builder()
                .max_capacity(budget)
                .weigher(|_, v: &Arc<Fake>| v.events as u32)
                .build(),
        )
    }
}
impl Memory for Moka {
    fn at(&self, id: u128, version: u64) -> bool {
        self.0.get(&case(id)).is_some_and(|r| r.version == version)
    }
    fn keep(&self, id: u128, version: u64, events: usize) {
        self.0.insert(case(id), Arc::new(Fake { version, events }));
        self.0.run_pending_tasks();
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Homeward's budget of events kept.
const BUDGET: usize = recent::MAX_EVENTS;

fn events_of(case: u128) -> usize {
    5 + (case as usize * 7919) % 16
}

/// Users each on their own cases, in turn: every visit reads the case at the version
/// last written and writes the next. `cases` × ~12 events against the budget.
fn cycle(m: &dyn Memory, cases: u128) -> f64 {
    let mut versions = vec![1u64; cases as usize];
    let (mut hits, mut visits) = (0u64, 0u64);
    for round in 0..20 {
        for c in 0..cases {
            let v = &mut versions[c as usize];
            let found = m.at(c, *v);
            if round >= 10 {
                visits += 1;
                hits += u64::from(found);
            }
            *v += 1;
            m.keep(c, *v, events_of(c));
        }
    }
    hits as f64 / visits as f64
}

/// A skewed office: a fifth of the cases get four fifths of the commands.
fn skewed(m: &dyn Memory, cases: u128, seed: u64) -> f64 {
    let mut rng = Rng(seed);
    let mut versions = vec![1u64; cases as usize];
    let (mut hits, mut visits) = (0u64, 0u64);
    for i in 0..200_000 {
        let hot = rng.below(5) < 4;
        let c = if hot {
            rng.below((cases / 5) as u64) as u128
        } else {
            rng.below(cases as u64) as u128
        };
        let v = &mut versions[c as usize];
        let found = m.at(c, *v);
        if i >= 100_000 {
            visits += 1;
            hits += u64::from(found);
        }
        *v += 1;
        m.keep(c, *v, events_of(c));
    }
    hits as f64 / visits as f64
}

/// A case opened (read, kept) and then acted on, while the memory is full of cases used
/// often: is the case found when the command comes?
fn open_then_act(m: &dyn Memory, seed: u64) -> f64 {
    let mut rng = Rng(seed);
    // Fill with popular cases, each used many times.
    for c in 0..2_000u128 {
        for _ in 0..8 {
            m.at(c, 1);
        }
        m.keep(c, 1, 10);
    }
    let (mut hits, mut visits) = (0u64, 0u64);
    for n in 0..5_000u128 {
        let c = 1_000_000 + n;
        // Someone opens it: read from the database, kept.
        m.at(c, 1);
        m.keep(c, 1, 10);
        // Other people keep working on the popular ones meanwhile.
        for _ in 0..3 {
            let p = rng.below(2_000) as u128;
            m.at(p, 1);
        }
        // The command on the case just opened.
        visits += 1;
        hits += u64::from(m.at(c, 1));
        m.keep(c, 2, 11);
    }
    hits as f64 / visits as f64
}

fn main() {
    let ours = || RecentCases::<Fake>::with_budget(BUDGET);
    let moka = || Moka::new(BUDGET as u64);
    println!("workload | Homeward (W-TinyLFU, recent.rs) | moka 0.12 (TinyLFU)");
    println!("---|---|---");
    for cases in [1_000u128, 2_000, 3_000, 6_000] {
        println!(
            "cycle of {cases} cases (~{} events) | {:.3} | {:.3}",
            cases as usize * 12,
            cycle(&ours(), cases),
            cycle(&moka(), cases)
        );
    }
    for cases in [5_000u128, 20_000] {
        println!(
            "skewed, {cases} cases | {:.3} | {:.3}",
            skewed(&ours(), cases, 7),
            skewed(&moka(), cases, 7)
        );
    }
    println!(
        "opened then acted on, memory full of busy cases | {:.3} | {:.3}",
        open_then_act(&ours(), 11),
        open_then_act(&moka(), 11)
    );
}
