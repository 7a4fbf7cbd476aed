//! The storage test suite. Every test runs unchanged on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use homeward_domain::access::Role;
use homeward_domain::case::records::*;
use homeward_domain::case::{Context, EventMeta, RegisterCase, decide, register};
use homeward_domain::ids::*;
use homeward_domain::person::*;
use homeward_domain::programme::{HealthAssessmentRule, ProgrammeSettings};
use homeward_domain::values::*;
use homeward_domain::{Case, Command, RecordedEvent};
use homeward_store::testing::TestDb;
use homeward_store::*;
use uuid::Uuid;

const OFFICE_A: OfficeId = OfficeId(Uuid::from_u128(0xA));
const OFFICE_B: OfficeId = OfficeId(Uuid::from_u128(0xB));
const ACTOR: UserId = UserId(Uuid::from_u128(0x1));

fn t(s: &str) -> ShortText {
    ShortText::parse(s).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 10, 0, 0).unwrap()
}

fn settings() -> ProgrammeSettings {
    ProgrammeSettings {
        reflection_period_days: 3,
        host_countries: [CountryCode::parse("BE").unwrap()].into_iter().collect(),
        return_countries: BTreeSet::new(),
        categories: BTreeSet::new(),
        health_assessment: HealthAssessmentRule::ForVulnerabilities(BTreeSet::new()),
        escort_required_for: BTreeSet::new(),
        risk_assessment_for_trafficking: true,
        currency: CurrencyCode::parse("EUR").unwrap(),
    }
}

/// A case as the application would build it: events from `decide`, rows from `project`.
struct NewCase {
    id: CaseId,
    events: Vec<RecordedEvent>,
}

impl NewCase {
    fn register(
        office: OfficeId,
        reference: &str,
        given: &str,
        born: NaiveDate,
        vulns: &[Vulnerability],
        country: &str,
    ) -> NewCase {
        let id = CaseId(Uuid::new_v4());
        let p = settings();
        let details = PersonDetails {
            name: PersonName {
                given: t(given),
                family: Some(t("Diallo")),
                latin: None,
            },
            date_of_birth: DateOfBirth::Exact(born),
            sex: Sex::Female,
            nationality: Some(CountryCode::parse(country).unwrap()),
            languages: vec![LanguageCode::parse("fr").unwrap()],
            contact: Contact::default(),
            legal_situation: LegalSituation::IrregularStay,
            vulnerabilities: vulns.iter().copied().collect(),
        };
        let evs = register(
            RegisterCase {
                case_id: id,
                reference: t(reference),
                host_office: office,
                host_country: CountryCode::parse("BE").unwrap(),
                programme: ProgrammeId(Uuid::from_u128(0x9)),
                referral: Referral {
                    source: ReferralSource::SelfReferral,
                    referred_by: None,
                },
                proposal: Proposal {
                    country_of_return: CountryCode::parse(country).unwrap(),
                    return_kind: ReturnKind::Origin,
                    place_of_return: None,
                    assistance_package: vec![],
                },
                members: vec![Member {
                    person_id: PersonId(Uuid::new_v4()),
                    relationship: Relationship::Principal,
                    details,
                }],
            },
            &Context {
                actor: ACTOR,
                occurred_at: now(),
                now: now(),
                programme: &p,
                history: &[],
            },
        )
        .unwrap();
        let mut c = NewCase { id, events: vec![] };
        c.push(evs, now());
        c
    }

    fn push(&mut self, evs: Vec<homeward_domain::Event>, at: DateTime<Utc>) -> Vec<RecordedEvent> {
        let mut new = vec![];
        for e in evs {
            let r = RecordedEvent {
                meta: EventMeta {
                    version: self.events.len() as u64 + new.len() as u64 + 1,
                    actor: ACTOR,
                    occurred_at: at,
                    recorded_at: at,
                },
                event: e,
            };
            new.push(r);
        }
        self.events.extend(new.clone());
        new
    }

    fn decide(&mut self, cmd: Command, at: DateTime<Utc>) -> Vec<RecordedEvent> {
        let case = Case::replay(&self.events).unwrap();
        let p = settings();
        let evs = decide(
            &case,
            cmd,
            &Context {
                actor: ACTOR,
                occurred_at: at,
                now: at,
                programme: &p,
                history: &self.events,
            },
        )
        .unwrap();
        self.push(evs, at)
    }

    fn commit(&self, new: &[RecordedEvent]) -> Commit {
        let case = Case::replay(&self.events).unwrap();
        // The case as the events before these left it.
        let read = &self.events[..self.events.len() - new.len()];
        let before = (!read.is_empty()).then(|| Case::replay(read).unwrap());
        Commit::of(
            before.as_ref(),
            &case,
            &self.events,
            new.len(),
            AuditDraft {
                at: now(),
                actor: Some(ACTOR.0),
                action: "case.test".into(),
                case_id: Some(self.id.0),
                detail: serde_json::json!({"events": new.len()}),
            },
        )
    }

    /// The commit of all its events, with people written as the projection writes them
    /// but with the names given here (and no date of birth).
    fn with_people(&self, names: &[(&str, &str)]) -> Commit {
        let mut commit = self.commit(&self.events);
        let row = commit.people.as_ref().unwrap()[0].clone();
        commit.people = Some(
            names
                .iter()
                .map(|(given, family)| PersonRow {
                    person_id: Uuid::new_v4(),
                    given_name: (*given).into(),
                    family_name: Some((*family).into()),
                    search_name: search_key(&format!("{given} {family}")),
                    birth_date: None,
                    ..row.clone()
                })
                .collect(),
        );
        commit
    }

    async fn save_all(&self, store: &Store) {
        store.append(self.commit(&self.events)).await.unwrap();
    }
}

fn session_cmd(person: PersonId) -> Command {
    Command::RecordCounsellingSession(CounsellingSession {
        session_id: SessionId(Uuid::new_v4()),
        counsellor: ACTOR,
        language: LanguageCode::parse("fr").unwrap(),
        interpreter_present: false,
        topics: INFORMING_TOPICS.into_iter().collect(),
        attendees: [Attendee::Member(person)].into_iter().collect(),
        notes: None,
    })
}

fn scope(offices: &[OfficeId]) -> Scope {
    Scope {
        offices: offices.to_vec(),
    }
}

fn page() -> PageRequest {
    PageRequest {
        page: 1,
        per_page: 50,
    }
}

fn person_of(c: &NewCase) -> PersonId {
    Case::replay(&c.events).unwrap().members[0].person_id
}

async fn events_round_trip_with_their_metadata(db: &TestDb) {
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-1",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    let p = person_of(&c);
    let new = c.decide(session_cmd(p), now() + Duration::hours(1));
    db.store.append(c.commit(&new)).await.unwrap();
    let loaded = db.store.load_events(c.id).await.unwrap();
    assert_eq!(loaded, c.events);
    assert_eq!(Case::replay(&loaded).unwrap().version, 3);
}

async fn a_write_at_a_stale_version_is_a_conflict_and_writes_nothing(db: &TestDb) {
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-2",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    let p = person_of(&c);
    let first = c.decide(session_cmd(p), now());
    db.store.append(c.commit(&first)).await.unwrap();
    let events_before = db.store.count_events().await.unwrap();
    let audit_before = db.store.list_audit(page()).await.unwrap().total;
    // A second writer read version 2 and writes on it.
    let mut stale = c.commit(&first);
    stale.expected_version = 2;
    match db.store.append(stale).await {
        Err(StoreError::Conflict { current }) => assert_eq!(current, 3),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(db.store.count_events().await.unwrap(), events_before);
    assert_eq!(
        db.store.list_audit(page()).await.unwrap().total,
        audit_before
    );
    // Registering the same case twice is a conflict too.
    match db.store.append(c.commit(&c.events[..2])).await {
        Err(StoreError::Conflict { .. }) => {}
        other => panic!("expected a conflict, got {other:?}"),
    }
}

async fn a_group_that_only_conflicts_leaves_the_audit_lock_free(db: &TestDb) {
    // The writer keeps its connection between groups. A group whose every commit
    // conflicted once left that connection idle in its transaction, holding the audit
    // lock until a next group came; an audited read on another connection (what would
    // bring that next group) then waited for ever.
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-C1",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    let p = person_of(&c);
    let first = c.decide(session_cmd(p), now());
    db.store.append(c.commit(&first)).await.unwrap();
    for stale_at in [1, 2] {
        let mut stale = c.commit(&first);
        stale.expected_version = stale_at;
        assert!(matches!(
            db.store.append(stale).await,
            Err(StoreError::Conflict { current: 3 })
        ));
        let draft = AuditDraft {
            at: now(),
            actor: Some(ACTOR.0),
            action: "case.read_sensitive".into(),
            case_id: Some(c.id.0),
            detail: serde_json::json!({}),
        };
        let audited = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            db.store.append_audit(&draft),
        )
        .await
        .expect("an audit entry written while no transaction is open waits for nothing");
        audited.unwrap();
    }
    assert_eq!(db.store.verify_audit().await.unwrap(), Ok(4));
}

async fn concurrent_writes_at_one_version_let_exactly_one_through(db: &TestDb) {
    let c = NewCase::register(
        OFFICE_A,
        "A-2026-3",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    let p = person_of(&c);
    let mut tasks = vec![];
    for _ in 0..8 {
        let store = db.store.clone();
        let mut mine = NewCase {
            id: c.id,
            events: c.events.clone(),
        };
        tasks.push(tokio::spawn(async move {
            let new = mine.decide(session_cmd(p), now());
            store.append(mine.commit(&new)).await
        }));
    }
    let mut ok = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict { .. }) => conflicts += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((ok, conflicts), (1, 7));
    assert_eq!(db.store.load_events(c.id).await.unwrap().len(), 3);
}

async fn a_group_commit_answers_each_commit_for_itself(db: &TestDb) {
    // Three cases; one group: a session on the first, a stale write on the second, a
    // broken commit (two events at one version) registering a fourth, and a session
    // on the third.
    let mut cases = vec![];
    for i in 0..3 {
        let c = NewCase::register(
            OFFICE_A,
            &format!("A-2026-G{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        c.save_all(&db.store).await;
        cases.push(c);
    }
    let audit_before = db.store.list_audit(page()).await.unwrap().total;
    let p0 = person_of(&cases[0]);
    let first = cases[0].decide(session_cmd(p0), now());
    let first = cases[0].commit(&first);
    let p1 = person_of(&cases[1]);
    let mut stale = NewCase {
        id: cases[1].id,
        events: cases[1].events.clone(),
    };
    let new = stale.decide(session_cmd(p1), now());
    let mut stale = stale.commit(&new);
    stale.expected_version = 1;
    let fourth = NewCase::register(
        OFFICE_A,
        "A-2026-G4",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    let mut broken = fourth.commit(&fourth.events);
    broken.events[1].meta.version = 1;
    let p2 = person_of(&cases[2]);
    let last = cases[2].decide(session_cmd(p2), now());
    let last = cases[2].commit(&last);
    let outcomes = db
        .store
        .append_group(&[&first, &stale, &broken, &last])
        .await;
    assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
    assert!(
        matches!(outcomes[1], Err(StoreError::Conflict { current: 2 })),
        "{:?}",
        outcomes[1]
    );
    assert!(
        matches!(outcomes[2], Err(StoreError::Duplicate(_))),
        "{:?}",
        outcomes[2]
    );
    assert!(outcomes[3].is_ok(), "{:?}", outcomes[3]);
    assert_eq!(
        db.store.load_events(cases[0].id).await.unwrap(),
        cases[0].events
    );
    assert_eq!(db.store.load_events(cases[1].id).await.unwrap().len(), 2);
    assert!(db.store.load_events(fourth.id).await.unwrap().is_empty());
    assert_eq!(
        db.store.load_events(cases[2].id).await.unwrap(),
        cases[2].events
    );
    // One audit entry for each commit that was written, chained.
    assert_eq!(
        db.store.list_audit(page()).await.unwrap().total,
        audit_before + 2
    );
    assert_eq!(
        db.store.verify_audit().await.unwrap(),
        Ok(audit_before as u64 + 2)
    );

    // Without a failing commit, the group is one transaction, chained in order; a case
    // may be written twice in it, and its row is the later one's.
    let mut more = vec![];
    for c in &mut cases {
        let p = person_of(c);
        let new = c.decide(session_cmd(p), now() + Duration::hours(1));
        more.push(c.commit(&new));
    }
    let p0 = person_of(&cases[0]);
    let again = cases[0].decide(session_cmd(p0), now() + Duration::hours(2));
    more.push(cases[0].commit(&again));
    let outcomes = db
        .store
        .append_group(&more.iter().collect::<Vec<_>>())
        .await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    for c in &cases {
        assert_eq!(db.store.load_events(c.id).await.unwrap(), c.events);
    }
    let row = db
        .store
        .case_row(&scope(&[OFFICE_A]), cases[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.version, 5);
    assert_eq!(
        db.store.verify_audit().await.unwrap(),
        Ok(audit_before as u64 + 6)
    );
}

async fn many_writers_at_once_are_grouped_and_each_answered(db: &TestDb) {
    // Forty writers on twenty cases: two per case at the same version, so one of each
    // pair wins whichever group the writer puts them in.
    let mut cases = vec![];
    for i in 0..20 {
        let c = NewCase::register(
            OFFICE_A,
            &format!("A-2026-M{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        c.save_all(&db.store).await;
        cases.push(c);
    }
    let mut tasks = vec![];
    for c in &cases {
        let p = person_of(c);
        for _ in 0..2 {
            let store = db.store.clone();
            let mut mine = NewCase {
                id: c.id,
                events: c.events.clone(),
            };
            tasks.push(tokio::spawn(async move {
                let new = mine.decide(session_cmd(p), now());
                store.append(mine.commit(&new)).await
            }));
        }
    }
    let (mut ok, mut conflicts) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict { current: 3 }) => conflicts += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((ok, conflicts), (20, 20));
    for c in &cases {
        assert_eq!(db.store.load_events(c.id).await.unwrap().len(), 3);
    }
    assert_eq!(db.store.verify_audit().await.unwrap(), Ok(40));
}

async fn read_models_follow_each_commit(db: &TestDb) {
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-4",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[Vulnerability::Elderly],
        "SN",
    );
    c.save_all(&db.store).await;
    let row = db
        .store
        .case_row(&scope(&[OFFICE_A]), c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.stage, "registered");
    assert_eq!(row.version, 2);
    assert_eq!(row.vulnerabilities, Vulnerability::Elderly.bit());
    let p = person_of(&c);
    let new = c.decide(session_cmd(p), now());
    db.store.append(c.commit(&new)).await.unwrap();
    let row = db
        .store
        .case_row(&scope(&[OFFICE_A]), c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.stage, "counselling");
    assert_eq!(row.version, 3);
    assert_eq!(row.first_counselling_at, Some(now()));
}

async fn office_scope_is_enforced_by_the_queries(db: &TestDb) {
    let a = NewCase::register(
        OFFICE_A,
        "A-2026-5",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    let b = NewCase::register(
        OFFICE_B,
        "B-2026-1",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    a.save_all(&db.store).await;
    b.save_all(&db.store).await;
    let only_a = scope(&[OFFICE_A]);
    assert!(db.store.case_row(&only_a, b.id).await.unwrap().is_none());
    let list = db
        .store
        .list_cases(&only_a, &CaseFilter::default(), page())
        .await
        .unwrap();
    assert_eq!((list.total, list.items.len()), (1, 1));
    assert_eq!(list.items[0].case_id, a.id.0);
    let f = CaseFilter {
        text: Some("awa".into()),
        ..CaseFilter::default()
    };
    let people = db.store.search_people(&only_a, &f, page()).await.unwrap();
    assert_eq!(people.total, 1);
    assert!(people.items.iter().all(|p| p.case_id == a.id.0));
    let none = db
        .store
        .list_cases(&scope(&[]), &CaseFilter::default(), page())
        .await
        .unwrap();
    assert_eq!(none.total, 0);
}

async fn the_office_of_return_sees_the_case_it_was_assigned(db: &TestDb) {
    let mut c = NewCase::register(
        OFFICE_A,
        "A-2026-6",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    assert!(
        db.store
            .case_row(&scope(&[OFFICE_B]), c.id)
            .await
            .unwrap()
            .is_none()
    );
    let new = c.decide(
        Command::AssignReturnOffice(OfficeRef {
            office_id: OFFICE_B,
            country: CountryCode::parse("SN").unwrap(),
        }),
        now(),
    );
    db.store.append(c.commit(&new)).await.unwrap();
    assert!(
        db.store
            .case_row(&scope(&[OFFICE_B]), c.id)
            .await
            .unwrap()
            .is_some()
    );
}

async fn the_case_list_filters_searches_and_pages(db: &TestDb) {
    let dob = NaiveDate::from_ymd_opt(1988, 7, 14).unwrap();
    let cases = [
        NewCase::register(
            OFFICE_A,
            "BRU-2026-00010",
            "Aïcha",
            dob,
            &[Vulnerability::VictimOfTrafficking],
            "SN",
        ),
        NewCase::register(
            OFFICE_A,
            "BRU-2026-00011",
            "Mariam",
            NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
            &[Vulnerability::Elderly],
            "GE",
        ),
        NewCase::register(
            OFFICE_A,
            "BRU-2026-00012",
            "Oksana",
            NaiveDate::from_ymd_opt(1999, 2, 2).unwrap(),
            &[],
            "UA",
        ),
    ];
    for c in &cases {
        c.save_all(&db.store).await;
    }
    let s = scope(&[OFFICE_A]);
    let q = |f: CaseFilter| {
        let store = db.store.clone();
        let s = s.clone();
        async move { store.list_cases(&s, &f, page()).await.unwrap() }
    };
    let r = q(CaseFilter {
        text: Some("aicha".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 1, "accents and case are folded");
    assert_eq!(r.items[0].reference, "BRU-2026-00010");
    let r = q(CaseFilter {
        text: Some("bru-2026-0001".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 3, "reference prefix");
    let r = q(CaseFilter {
        country_of_return: Some("GE".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 1);
    let r = q(CaseFilter {
        vulnerabilities: Some(
            Vulnerability::Elderly.bit() | Vulnerability::VictimOfTrafficking.bit(),
        ),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 2);
    let r = q(CaseFilter {
        birth_date: Some(dob),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 1);
    let r = q(CaseFilter {
        text: Some("diallo".into()),
        birth_date: Some(dob),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 1, "name and date of birth together");
    let r = q(CaseFilter {
        stage: Some(homeward_domain::Stage::Departed),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 0);
    let r = q(CaseFilter {
        text: Some("100%_".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(r.total, 0, "wildcards in the search text are literal");
    for nothing in ["!!!", "%", "\u{0}"] {
        let r = q(CaseFilter {
            text: Some(nothing.into()),
            ..Default::default()
        })
        .await;
        assert_eq!(r.total, 0, "{nothing:?} matches nothing, not everything");
        let p = db
            .store
            .search_people(
                &s,
                &CaseFilter {
                    text: Some(nothing.into()),
                    ..Default::default()
                },
                page(),
            )
            .await
            .unwrap();
        assert_eq!(p.total, 0, "{nothing:?} finds nobody");
    }
    let two = db
        .store
        .list_cases(
            &s,
            &CaseFilter::default(),
            PageRequest {
                page: 2,
                per_page: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!((two.total, two.items.len()), (3, 1));
}

async fn the_case_list_by_office_is_every_case_in_scope_newest_first(db: &TestDb) {
    // Cases on both sides of three offices, some without an office of return, with
    // ties in their update time; each list equals its cases chosen and sorted here.
    let office_c = OfficeId(Uuid::from_u128(0xC));
    let offices = [OFFICE_A, OFFICE_B, office_c];
    let mut rows = vec![];
    for i in 0..24_u32 {
        let vulns: &[Vulnerability] = if i % 3 == 0 {
            &[Vulnerability::Elderly]
        } else {
            &[]
        };
        let country = ["SN", "GE"][(i % 2) as usize];
        let c = NewCase::register(
            offices[(i % 3) as usize],
            &format!("M-2026-{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            vulns,
            country,
        );
        let mut commit = c.commit(&c.events);
        commit.case_row.return_office = [None, Some(OFFICE_A), Some(OFFICE_B), Some(office_c)]
            [(i / 3 % 4) as usize]
            .map(|o| o.0);
        commit.case_row.updated_at = now() + Duration::minutes(i64::from(i * 7 % 5));
        rows.push(commit.case_row.clone());
        db.store.append(commit).await.unwrap();
    }
    let filters = [
        ("none", CaseFilter::default()),
        (
            "office B",
            CaseFilter {
                office: Some(OFFICE_B),
                ..Default::default()
            },
        ),
        (
            "office C",
            CaseFilter {
                office: Some(office_c),
                ..Default::default()
            },
        ),
        (
            "elderly",
            CaseFilter {
                vulnerabilities: Some(Vulnerability::Elderly.bit()),
                ..Default::default()
            },
        ),
        (
            "Georgia, office A",
            CaseFilter {
                country_of_return: Some("GE".into()),
                office: Some(OFFICE_A),
                ..Default::default()
            },
        ),
    ];
    let scopes = [
        vec![OFFICE_A],
        vec![OFFICE_B],
        vec![OFFICE_A, OFFICE_B],
        offices.to_vec(),
        vec![OFFICE_B, OFFICE_B],
    ];
    for (name, f) in &filters {
        for s in &scopes {
            let mut expected: Vec<&CaseRow> = rows
                .iter()
                .filter(|r| {
                    let seen = |o: Option<Uuid>| o.is_some_and(|o| s.iter().any(|x| x.0 == o));
                    let named = |o: OfficeId| r.host_office == o.0 || r.return_office == Some(o.0);
                    (seen(Some(r.host_office)) || seen(r.return_office))
                        && f.office.is_none_or(named)
                        && f.vulnerabilities.is_none_or(|m| r.vulnerabilities & m != 0)
                        && f.country_of_return
                            .as_ref()
                            .is_none_or(|c| &r.country_of_return == c)
                })
                .collect();
            expected.sort_by(|a, b| {
                b.updated_at
                    .cmp(&a.updated_at)
                    .then(a.case_id.cmp(&b.case_id))
            });
            let want: Vec<Uuid> = expected.iter().map(|r| r.case_id).collect();
            let mut got = vec![];
            for n in 1..=(want.len() as u32 / 4 + 2) {
                let p = db
                    .store
                    .list_cases(
                        &scope(s),
                        f,
                        PageRequest {
                            page: n,
                            per_page: 4,
                        },
                    )
                    .await
                    .unwrap();
                assert_eq!(p.total, want.len() as i64, "{name}, scope {s:?}: total");
                got.extend(p.items.iter().map(|r| r.case_id));
            }
            assert_eq!(got, want, "{name}, scope {s:?}: pages");
        }
    }
}

async fn a_case_list_counts_up_to_its_bound_and_a_search_counts_all(db: &TestDb) {
    let n = COUNT_BOUND + 10;
    let audit = AuditDraft {
        at: now(),
        actor: None,
        action: "cases.generated".into(),
        case_id: None,
        detail: serde_json::json!({}),
    };
    let mut batch = vec![];
    for i in 0..n {
        let c = NewCase::register(
            OFFICE_A,
            &format!("L-{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        let commit = c.commit(&c.events);
        batch.push(homeward_store::NewCase {
            case_id: c.id,
            events: c.events,
            case_row: commit.case_row,
            people: commit.people.unwrap(),
            stats: commit.stats.unwrap(),
        });
        if batch.len() == 1000 || i == n - 1 {
            db.store
                .append_new_cases(&batch, &[], &audit)
                .await
                .unwrap();
            batch.clear();
        }
    }
    let s = scope(&[OFFICE_A]);
    let all = CaseFilter::default();
    let first = db
        .store
        .list_cases(
            &s,
            &all,
            PageRequest {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (first.total, first.total_exact, first.items.len()),
        (COUNT_BOUND, false, 50),
        "more than the bound"
    );
    let last = db
        .store
        .list_cases(
            &s,
            &all,
            PageRequest {
                page: 201,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (last.total, last.total_exact, last.items.len()),
        (n, true, 10),
        "a page past the bound counts to its end"
    );
    let b = CaseFilter {
        office: Some(OFFICE_B),
        ..Default::default()
    };
    let none = db
        .store
        .list_cases(
            &s,
            &b,
            PageRequest {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!((none.total, none.total_exact), (0, true));
    // Every case has an Awa: a search finds more than its bound, and says so; its
    // pages are the list's, read in the list's order up to the bound, gathered and
    // counted past it.
    let awa = CaseFilter {
        text: Some("Awa".into()),
        ..Default::default()
    };
    let found = db
        .store
        .list_cases(
            &s,
            &awa,
            PageRequest {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (found.total, found.total_exact),
        (SEARCH_BOUND, false),
        "more than the search's bound"
    );
    assert_eq!(found.items, first.items);
    let past = db
        .store
        .list_cases(
            &s,
            &awa,
            PageRequest {
                page: 21,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (past.total, past.total_exact),
        (n, true),
        "a page past the search's bound counts all"
    );
    let listed = db
        .store
        .list_cases(
            &s,
            &all,
            PageRequest {
                page: 21,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(past.items, listed.items);
    // More than the bound found, but none among the newest ten thousand cases: the
    // page is gathered (and counted) instead of read newest first.
    let mut older = vec![];
    for i in 0..=SEARCH_BOUND {
        let c = NewCase::register(
            OFFICE_A,
            &format!("O-{i}"),
            "X",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        let mut commit = c.with_people(&[("Fatou", "Sow")]);
        commit.case_row.updated_at = now() - Duration::days(1) - Duration::minutes(i);
        older.push(commit.case_row.case_id);
        batch.push(homeward_store::NewCase {
            case_id: c.id,
            events: c.events,
            case_row: commit.case_row,
            people: commit.people.unwrap(),
            stats: commit.stats.unwrap(),
        });
    }
    db.store
        .append_new_cases(&batch, &[], &audit)
        .await
        .unwrap();
    let fatou = CaseFilter {
        text: Some("fatou".into()),
        ..Default::default()
    };
    let found = db
        .store
        .list_cases(
            &s,
            &fatou,
            PageRequest {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!((found.total, found.total_exact), (SEARCH_BOUND + 1, true));
    assert_eq!(
        found.items.iter().map(|r| r.case_id).collect::<Vec<_>>(),
        older[..50]
    );
}

async fn a_search_that_finds_more_than_its_bound_is_read_in_the_lists_order(db: &TestDb) {
    // Cases of three offices, some with another office of return, with ties in their
    // update time; most have a Fatou (one of them twice), some only in a reference.
    // Every page equals the cases chosen and sorted here, whichever way it is read.
    let office_c = OfficeId(Uuid::from_u128(0xC));
    let offices = [OFFICE_A, OFFICE_B, office_c];
    let audit = AuditDraft {
        at: now(),
        actor: None,
        action: "cases.generated".into(),
        case_id: None,
        detail: serde_json::json!({}),
    };
    let n = (SEARCH_BOUND as u32) * 2;
    let (mut rows, mut batch) = (vec![], vec![]);
    for i in 0..n {
        let reference = if i % 50 == 5 {
            format!("FATOU-{i}")
        } else {
            format!("F-2026-{i}")
        };
        let c = NewCase::register(
            offices[(i % 3) as usize],
            &reference,
            "X",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        let names: &[(&str, &str)] = match i % 5 {
            0 => &[("Moussa", "Sow")],
            1 => &[("Fatou", "Sow"), ("Fatou", "Sow")],
            _ => &[("Moussa", "Sow"), ("Fatou", "Ba")],
        };
        let mut commit = c.with_people(names);
        commit.case_row.return_office = [None, Some(OFFICE_A), Some(OFFICE_B), Some(office_c)]
            [(i / 3 % 4) as usize]
            .map(|o| o.0);
        commit.case_row.updated_at = now() + Duration::minutes(i64::from(i * 7 % 301));
        rows.push((commit.case_row.clone(), i % 5 != 0 || i % 50 == 5));
        batch.push(homeward_store::NewCase {
            case_id: c.id,
            events: c.events,
            case_row: commit.case_row,
            people: commit.people.unwrap(),
            stats: commit.stats.unwrap(),
        });
    }
    db.store
        .append_new_cases(&batch, &[], &audit)
        .await
        .unwrap();
    let fatou = CaseFilter {
        text: Some("fatou".into()),
        ..Default::default()
    };
    let sow = CaseFilter {
        text: Some("fatou sow".into()),
        ..Default::default()
    };
    for (name, f, s) in [
        ("fatou, A and B", &fatou, vec![OFFICE_A, OFFICE_B]),
        ("fatou, all", &fatou, offices.to_vec()),
        ("fatou sow, all", &sow, offices.to_vec()),
        (
            "fatou, office C",
            &CaseFilter {
                office: Some(office_c),
                ..fatou.clone()
            },
            vec![OFFICE_A],
        ),
    ] {
        let mut expected: Vec<&CaseRow> = rows
            .iter()
            .filter(|(r, is_fatou)| {
                let seen = |o: Option<Uuid>| o.is_some_and(|o| s.iter().any(|x| x.0 == o));
                let named = |o: OfficeId| r.host_office == o.0 || r.return_office == Some(o.0);
                let matches = if f.text.as_deref() == Some("fatou sow") {
                    r.reference.starts_with("F-")
                        && rows
                            .iter()
                            .position(|(x, _)| x.case_id == r.case_id)
                            .unwrap()
                            % 5
                            == 1
                } else {
                    *is_fatou
                };
                (seen(Some(r.host_office)) || seen(r.return_office))
                    && f.office.is_none_or(named)
                    && matches
            })
            .map(|(r, _)| r)
            .collect();
        expected.sort_by(|a, b| {
            b.updated_at
                .cmp(&a.updated_at)
                .then(a.case_id.cmp(&b.case_id))
        });
        let want: Vec<Uuid> = expected.iter().map(|r| r.case_id).collect();
        let per_page = 40;
        for number in [1, 2, 25, 26, want.len() as u32 / per_page + 1] {
            let p = db
                .store
                .list_cases(
                    &scope(&s),
                    f,
                    PageRequest {
                        page: number,
                        per_page,
                    },
                )
                .await
                .unwrap();
            let from = ((number - 1) * per_page) as usize;
            let slice = &want[from.min(want.len())..(from + per_page as usize).min(want.len())];
            let got: Vec<Uuid> = p.items.iter().map(|r| r.case_id).collect();
            assert_eq!(got, slice, "{name}: page {number}");
            let end = i64::from(number * per_page);
            let bounded = want.len() as i64 > SEARCH_BOUND && end <= SEARCH_BOUND;
            let total = if bounded {
                (SEARCH_BOUND, false)
            } else {
                (want.len() as i64, true)
            };
            assert_eq!(
                (p.total, p.total_exact),
                total,
                "{name}: page {number}'s total"
            );
        }
    }
}

async fn a_search_lists_each_case_once_and_every_word_narrows(db: &TestDb) {
    // People written as the projection writes them, with the names given here: two
    // people of one case share a name in Georgian script (no reference can match it)
    // and in Latin letters; the words of a search are matched whatever their order.
    let names: [&[(&str, &str)]; 5] = [
        &[("ნინო", "ბერიძე"), ("ნინო", "ბერიძე")],
        &[
            ("Aminata", "Diallo"),
            ("Aminata", "Diallo"),
            ("Moussa", "Diallo"),
        ],
        &[("Aminata", "Diop")],
        &[("Fatou", "Diallo")],
        &[("Наталья", "Ковальчук")],
    ];
    let mut ids = vec![];
    for (i, people) in names.iter().enumerate() {
        let c = NewCase::register(
            OFFICE_A,
            &format!("S-2026-{i}"),
            "X",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        let mut commit = c.with_people(people);
        commit.case_row.updated_at = now() + Duration::minutes(i as i64);
        db.store.append(commit).await.unwrap();
        ids.push(c.id.0);
    }
    let s = scope(&[OFFICE_A]);
    for (text, want) in [
        ("ნინო", vec![ids[0]]),
        ("ნინო ბერიძე", vec![ids[0]]),
        ("aminata", vec![ids[2], ids[1]]),
        ("aminata diallo", vec![ids[1]]),
        ("diallo aminata", vec![ids[1]]),
        ("diallo", vec![ids[3], ids[1]]),
        ("moussa diop", vec![]),
        // Letters transliterated with an apostrophe (ძ "z'", ь "'") do not split a
        // word: no stray "e" that sounds like "Awa", and the Cyrillic name is found
        // as written and in Latin letters.
        ("awa", vec![]),
        ("Наталья", vec![ids[4]]),
        ("natalia kovalchuk", vec![ids[4]]),
    ] {
        let f = CaseFilter {
            text: Some(text.into()),
            ..Default::default()
        };
        let r = db.store.list_cases(&s, &f, page()).await.unwrap();
        let got: Vec<Uuid> = r.items.iter().map(|c| c.case_id).collect();
        assert_eq!(got, want, "{text}: each case once, newest first");
        assert_eq!(
            (r.total, r.total_exact),
            (want.len() as i64, true),
            "{text}: total"
        );
    }
    // A page past the last still says how many there are.
    let f = CaseFilter {
        text: Some("diallo".into()),
        ..Default::default()
    };
    let past = db
        .store
        .list_cases(
            &s,
            &f,
            PageRequest {
                page: 3,
                per_page: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!((past.total, past.items.len()), (2, 0));
    // People are people: both of the first case's are found.
    let f = CaseFilter {
        text: Some("ნინო".into()),
        ..Default::default()
    };
    let people = db.store.search_people(&s, &f, page()).await.unwrap();
    assert_eq!((people.total, people.items.len()), (2, 2));
    let f = CaseFilter {
        text: Some("diallo aminata".into()),
        ..Default::default()
    };
    let people = db.store.search_people(&s, &f, page()).await.unwrap();
    assert_eq!((people.total, people.items.len()), (2, 2));
}

async fn a_load_past_one_statements_parameters_is_written_whole(db: &TestDb) {
    // Rows are gathered into one statement up to 30,000 parameters, then sent and a new
    // one begun: 3,000 cases' rows alone (22 parameters each) are past PostgreSQL's 65,535
    // a statement.
    let audit = AuditDraft {
        at: now(),
        actor: None,
        action: "cases.generated".into(),
        case_id: None,
        detail: serde_json::json!({}),
    };
    let mut batch = vec![];
    for i in 0..3000 {
        let c = NewCase::register(
            OFFICE_A,
            &format!("W-{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        let commit = c.commit(&c.events);
        batch.push(homeward_store::NewCase {
            case_id: c.id,
            events: c.events,
            case_row: commit.case_row,
            people: commit.people.unwrap(),
            stats: commit.stats.unwrap(),
        });
    }
    let events: usize = batch.iter().map(|c| c.events.len()).sum();
    assert!(events * 8 > 30_000, "{events} events: not past the bound");
    db.store
        .append_new_cases(&batch, &[], &audit)
        .await
        .unwrap();
    assert_eq!(db.store.count_events().await.unwrap(), events as i64);
    let (rows, people) = db.store.read_model_snapshot().await.unwrap();
    assert_eq!((rows.len(), people.len()), (3000, 3000));
    assert_eq!(
        db.store
            .list_audit(PageRequest {
                page: 1,
                per_page: 10
            })
            .await
            .unwrap()
            .total,
        1
    );
}

async fn a_commit_waits_for_whoever_holds_the_audit_lock(db: &TestDb) {
    // The lock that orders the audit chain and the events' positions with commits:
    // PostgreSQL's advisory lock, taken with the transaction's BEGIN; SQLite's one
    // write lock. Held here by another connection, as another process would hold it.
    use sqlx::Connection;
    let url = db.url();
    let (mut pg, mut lite) = (None, None);
    if db.sqlite_url().is_some() {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .unwrap();
        lite = Some(conn);
    } else {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT pg_advisory_lock({POSTGRES_AUDIT_LOCK})"
        )))
        .execute(&mut conn)
        .await
        .unwrap();
        pg = Some(conn);
    }
    let c = NewCase::register(
        OFFICE_A,
        "A-2026-L1",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    let store = db.store.clone();
    let commit = c.commit(&c.events);
    let writing = tokio::spawn(async move { store.append(commit).await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !writing.is_finished(),
        "the commit did not wait for the lock"
    );
    assert_eq!(db.store.count_events().await.unwrap(), 0);
    if let Some(mut conn) = lite {
        sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
    }
    if let Some(mut conn) = pg {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT pg_advisory_unlock({POSTGRES_AUDIT_LOCK})"
        )))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    writing.await.unwrap().unwrap();
    assert_eq!(
        db.store.count_events().await.unwrap(),
        c.events.len() as i64
    );
    assert_eq!(
        db.store
            .list_audit(PageRequest {
                page: 1,
                per_page: 10
            })
            .await
            .unwrap()
            .total,
        1
    );
}

async fn the_case_list_finds_the_departures_of_a_window(db: &TestDb) {
    let c = NewCase::register(
        OFFICE_A,
        "A-2026-D1",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    let mut commit = c.commit(&c.events);
    commit.case_row.departs_at = Some(now() + Duration::days(3));
    db.store.append(commit).await.unwrap();
    let s = scope(&[OFFICE_A]);
    let window = |from: i64, to: i64| CaseFilter {
        departing: Some((now() + Duration::days(from), now() + Duration::days(to))),
        ..Default::default()
    };
    assert_eq!(
        db.store
            .list_cases(&s, &window(0, 7), page())
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        db.store
            .list_cases(&s, &window(4, 7), page())
            .await
            .unwrap()
            .total,
        0
    );
    let row = db.store.case_row(&s, c.id).await.unwrap().unwrap();
    assert_eq!(row.departs_at, Some(now() + Duration::days(3)));
}

async fn a_rebuild_from_the_log_equals_what_was_stored(db: &TestDb) {
    let mut cases = vec![];
    for i in 0..5 {
        let c = NewCase::register(
            OFFICE_A,
            &format!("A-2026-R{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[Vulnerability::MedicalNeeds],
            "SN",
        );
        c.save_all(&db.store).await;
        cases.push(c);
    }
    // Later events of the cases after all their first ones: a case's events are not
    // side by side in the log (PostgreSQL's rebuild reads them in the table's order).
    for (i, c) in cases.iter_mut().enumerate().filter(|(i, _)| i % 2 == 0) {
        let p = person_of(c);
        let new = c.decide(session_cmd(p), now() + Duration::minutes(i as i64));
        db.store.append(c.commit(&new)).await.unwrap();
    }
    let stored = db.store.read_model_snapshot().await.unwrap();
    assert_eq!(stored.0.len(), 5);
    // Damage the read models; the rebuild restores them from the log.
    db.store
        .execute_unchecked("DELETE FROM case_people")
        .await
        .unwrap();
    db.store
        .execute_unchecked("UPDATE case_summaries SET stage = 'closed'")
        .await
        .unwrap();
    let indexes = db.store.read_model_indexes().await.unwrap();
    assert!(indexes.len() >= 10, "{indexes:?}");
    let memory = db.store.writer_memory().await.unwrap();
    let stats = db.store.rebuild_read_models().await.unwrap();
    // The memory the rebuild took is given back.
    assert_eq!(db.store.writer_memory().await.unwrap(), memory);
    assert_eq!(
        stats,
        RebuildStats {
            cases: 5,
            events: 13
        }
    );
    assert_eq!(db.store.read_model_snapshot().await.unwrap(), stored);
    // The indexes dropped for the load are there again, as the migrations made them.
    assert_eq!(db.store.read_model_indexes().await.unwrap(), indexes);
    // A log the rebuild cannot replay: it fails, and changes nothing.
    db.store
        .execute_unchecked(
            "INSERT INTO events (case_id, version, event_type, event_version, payload, actor, \
             occurred_at, recorded_at) SELECT case_id, version + 100, 'nonsense', 1, '{}', \
             actor, occurred_at, recorded_at FROM events WHERE version = 1 LIMIT 1",
        )
        .await
        .unwrap();
    let failed = db.store.rebuild_read_models().await;
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(db.store.read_model_snapshot().await.unwrap(), stored);
    assert_eq!(db.store.read_model_indexes().await.unwrap(), indexes);
    assert_eq!(db.store.writer_memory().await.unwrap(), memory);
    // The rebuild does not check foreign keys row by row (PostgreSQL drops them and
    // adds them again; SQLite rebuilds on a connection of its own without them): the
    // writer still refuses a search word of no case (a person's id for the case's).
    let orphan = db
        .store
        .execute_unchecked(
            "INSERT INTO person_tokens (token, person_id, case_id) \
             SELECT 'orphan', person_id, person_id FROM case_people LIMIT 1",
        )
        .await;
    assert!(orphan.is_err(), "{orphan:?}");
    // Nor does PostgreSQL keep the primary keys during the load: they are there again,
    // and a row twice is refused.
    for table in ["person_tokens", "case_people", "case_summaries"] {
        let twice = db
            .store
            .execute_unchecked(&format!(
                "INSERT INTO {table} SELECT * FROM {table} LIMIT 1"
            ))
            .await;
        assert!(twice.is_err(), "{table}: {twice:?}");
    }
}

async fn the_event_log_is_append_only(db: &TestDb) {
    let c = NewCase::register(
        OFFICE_A,
        "A-2026-7",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    assert!(
        db.store
            .execute_unchecked("UPDATE events SET event_type = 'x'")
            .await
            .is_err()
    );
    assert!(
        db.store
            .execute_unchecked("DELETE FROM events")
            .await
            .is_err()
    );
    assert!(
        db.store
            .execute_unchecked("DELETE FROM audit_log")
            .await
            .is_err()
    );
    assert_eq!(db.store.load_events(c.id).await.unwrap(), c.events);
}

async fn the_audit_chain_verifies_and_names_an_altered_entry(db: &TestDb) {
    for i in 0..5 {
        db.store
            .append_audit(&AuditDraft {
                at: now() + Duration::seconds(i),
                actor: Some(ACTOR.0),
                action: format!("test.{i}"),
                case_id: None,
                detail: serde_json::json!({"i": i}),
            })
            .await
            .unwrap();
    }
    assert_eq!(db.store.verify_audit().await.unwrap(), Ok(5));
    let disable = match db.store.backend() {
        "sqlite" => "DROP TRIGGER audit_append_only_update",
        _ => "ALTER TABLE audit_log DISABLE TRIGGER audit_append_only",
    };
    db.store.execute_unchecked(disable).await.unwrap();
    db.store
        .execute_unchecked("UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = 3")
        .await
        .unwrap();
    let broken = db.store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 3);
}

async fn reference_numbers_count_per_key(db: &TestDb) {
    assert_eq!(db.store.next_reference_number("BRU-2026").await.unwrap(), 1);
    assert_eq!(db.store.next_reference_number("BRU-2026").await.unwrap(), 2);
    assert_eq!(db.store.next_reference_number("DKR-2026").await.unwrap(), 1);
}

async fn users_offices_programmes_and_sessions(db: &TestDb) {
    db.store
        .create_office(&OfficeRow {
            id: OFFICE_A.0,
            code: "BRU".into(),
            name: "Brussels".into(),
            country: "BE".into(),
            created_at: now(),
        })
        .await
        .unwrap();
    assert!(matches!(
        db.store
            .create_office(&OfficeRow {
                id: Uuid::new_v4(),
                code: "BRU".into(),
                name: "x".into(),
                country: "BE".into(),
                created_at: now()
            })
            .await,
        Err(StoreError::Duplicate(_))
    ));
    let user = UserRecord {
        id: UserId(Uuid::new_v4()),
        username: "awa.counsellor".into(),
        display_name: "Awa".into(),
        password_hash: "$argon2id$...".into(),
        active: true,
        roles: [Role::Counsellor].into_iter().collect(),
        offices: [OFFICE_A].into_iter().collect(),
        created_at: now(),
    };
    let generation = db.store.directory_generation().await.unwrap();
    db.store.create_user(&user).await.unwrap();
    // Every change to users, roles, offices and programmes raises the directory
    // generation, in its own transaction.
    let created = db.store.directory_generation().await.unwrap();
    assert!(created > generation);
    assert!(matches!(
        db.store
            .create_user(&UserRecord {
                id: UserId(Uuid::new_v4()),
                ..user.clone()
            })
            .await,
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(
        db.store.directory_generation().await.unwrap(),
        created,
        "a refused change changes nothing"
    );
    assert_eq!(
        db.store
            .user_by_username("awa.counsellor")
            .await
            .unwrap()
            .unwrap(),
        user
    );
    db.store
        .update_user(
            user.id,
            &UserChange {
                roles: Some([Role::Approver, Role::Counsellor].into_iter().collect()),
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let updated = db.store.directory_generation().await.unwrap();
    assert!(updated > created);
    let u = db.store.user(user.id).await.unwrap().unwrap();
    assert_eq!(u.roles.len(), 2);
    assert!(!u.active);
    assert_eq!(db.store.count_users().await.unwrap(), 1);

    let s = AuthSession {
        id: "abc".into(),
        user_id: user.id.0,
        kind: "browser".into(),
        name: None,
        csrf_token: "csrf".into(),
        created_at: now(),
        last_seen_at: now(),
        expires_at: now() + Duration::hours(8),
        idle_timeout_secs: Some(1800),
    };
    db.store.create_session(&s).await.unwrap();
    db.store
        .touch_session("abc", now() + Duration::minutes(5))
        .await
        .unwrap();
    let (read, generation) = db.store.session_in_directory("abc").await.unwrap().unwrap();
    assert_eq!(
        (read.id.as_str(), generation),
        ("abc", updated),
        "sessions are not the directory"
    );
    assert_eq!(
        db.store
            .session_in_directory("abc")
            .await
            .unwrap()
            .unwrap()
            .0
            .last_seen_at,
        now() + Duration::minutes(5)
    );
    assert_eq!(db.store.delete_user_sessions(user.id).await.unwrap(), 1);
    assert!(
        db.store
            .session_in_directory("abc")
            .await
            .unwrap()
            .is_none()
    );

    db.store
        .record_login_failure(&["user:x".into(), "ip:1".into()], now())
        .await
        .unwrap();
    db.store
        .record_login_failure(&["user:x".into()], now() + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(
        db.store
            .count_login_failures("user:x", now())
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        db.store
            .count_login_failures("user:x", now() + Duration::seconds(30))
            .await
            .unwrap(),
        1
    );
    db.store.clear_login_failures("user:x").await.unwrap();
    assert_eq!(
        db.store
            .count_login_failures("user:x", now())
            .await
            .unwrap(),
        0
    );

    let prog = ProgrammeRow {
        id: Uuid::new_v4(),
        code: "AVRR-BE".into(),
        name: "AVRR Belgium".into(),
        settings: serde_json::to_string(&settings()).unwrap(),
        created_at: now(),
        updated_at: now(),
    };
    db.store.create_programme(&prog).await.unwrap();
    let mut changed = prog.clone();
    changed.name = "AVRR Belgium 2026".into();
    let before = db.store.directory_generation().await.unwrap();
    db.store.update_programme(&changed).await.unwrap();
    assert!(db.store.directory_generation().await.unwrap() > before);
    assert_eq!(
        db.store.programme(prog.id).await.unwrap().unwrap().name,
        "AVRR Belgium 2026"
    );
    assert_eq!(db.store.list_programmes().await.unwrap().len(), 1);
}

homeward_store::db_tests!(
    events_round_trip_with_their_metadata,
    a_write_at_a_stale_version_is_a_conflict_and_writes_nothing,
    a_group_that_only_conflicts_leaves_the_audit_lock_free,
    concurrent_writes_at_one_version_let_exactly_one_through,
    a_group_commit_answers_each_commit_for_itself,
    many_writers_at_once_are_grouped_and_each_answered,
    read_models_follow_each_commit,
    office_scope_is_enforced_by_the_queries,
    the_office_of_return_sees_the_case_it_was_assigned,
    the_case_list_filters_searches_and_pages,
    the_case_list_by_office_is_every_case_in_scope_newest_first,
    a_case_list_counts_up_to_its_bound_and_a_search_counts_all,
    a_search_that_finds_more_than_its_bound_is_read_in_the_lists_order,
    a_search_lists_each_case_once_and_every_word_narrows,
    a_load_past_one_statements_parameters_is_written_whole,
    a_commit_waits_for_whoever_holds_the_audit_lock,
    the_case_list_finds_the_departures_of_a_window,
    a_rebuild_from_the_log_equals_what_was_stored,
    the_event_log_is_append_only,
    the_audit_chain_verifies_and_names_an_altered_entry,
    reference_numbers_count_per_key,
    users_offices_programmes_and_sessions,
);

#[tokio::test]
async fn a_sqlite_backup_is_a_consistent_copy() {
    let db = TestDb::sqlite().await.unwrap();
    let c = NewCase::register(
        OFFICE_A,
        "A-2026-9",
        "Awa",
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        &[],
        "SN",
    );
    c.save_all(&db.store).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backup.db");
    db.store.backup(&path).await.unwrap();
    assert!(db.store.backup(&path).await.is_err(), "never overwrites");
    let copy = Store::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    assert_eq!(copy.load_events(c.id).await.unwrap(), c.events);
    assert_eq!(copy.verify_audit().await.unwrap(), Ok(1));
    db.finish().await.unwrap();
}

#[tokio::test]
async fn memory_statistics_stay_once_sqlite_has_started() {
    // A process that already has a connection (a server) keeps SQLite's memory statistics,
    // which its soft heap limit needs: asked too late, SQLite refuses and nothing changes.
    let store = Store::connect("sqlite::memory:").await.unwrap();
    assert!(!homeward_store::forgo_memory_statistics());
    store.migrate().await.unwrap();
    store.close().await;
}

#[tokio::test]
async fn an_unknown_database_url_is_refused() {
    assert!(matches!(
        Store::connect("mysql://x").await,
        Err(StoreError::Unsupported(_))
    ));
}

#[tokio::test]
async fn an_in_memory_database_rebuilds_on_its_one_connection() {
    // Its one connection is the writer's: the rebuild reads the events on it.
    let store = Store::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    for i in 0..3 {
        let c = NewCase::register(
            OFFICE_A,
            &format!("A-2026-M{i}"),
            "Awa",
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
            "SN",
        );
        c.save_all(&store).await;
    }
    let stored = store.read_model_snapshot().await.unwrap();
    let stats = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        store.rebuild_read_models(),
    )
    .await
    .expect("the rebuild does not wait for a second connection")
    .unwrap();
    assert_eq!(stats.cases, 3);
    assert_eq!(store.read_model_snapshot().await.unwrap(), stored);
}
