//! The storage test suite. Every test runs unchanged on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod case_list;
mod commits;
mod integrity;

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
        decide_within_days: 10,
        host_countries: [CountryCode::parse("BE").unwrap()].into_iter().collect(),
        transit_countries: BTreeSet::new(),
        return_countries: BTreeSet::new(),
        categories: BTreeSet::new(),
        health_assessment: HealthAssessmentRule::ForVulnerabilities(BTreeSet::new()),
        escort_required_for: BTreeSet::new(),
        risk_assessment_for_trafficking: true,
        currency: CurrencyCode::parse("EUR").unwrap(),
        reintegration: Default::default(),
        monitoring: Default::default(),
        protection_on_arrival: Default::default(),
        consent_exceptions: Default::default(),
        funding: vec![],
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
                    organisation: None,
                    inbound: None,
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
                committed_elsewhere: &homeward_domain::case::NOTHING_ELSEWHERE,
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
                committed_elsewhere: &homeward_domain::case::NOTHING_ELSEWHERE,
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
                    person_id: homeward_domain::ids::PersonId(Uuid::new_v4()),
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

async fn users_offices_programmes_and_sessions(db: &TestDb) {
    db.store
        .create_office(&OfficeRow {
            id: OFFICE_A,
            code: "BRU".into(),
            name: "Brussels".into(),
            country: "BE".into(),
            created_at: now(),
            time_zone: "Europe/Brussels".into(),
        })
        .await
        .unwrap();
    // An office's time zone and name change; the directory's generation moves with them.
    let before = db.store.directory_generation().await.unwrap();
    assert!(
        db.store
            .update_office(OFFICE_A, None, Some("Europe/Paris"))
            .await
            .unwrap()
    );
    let office = db.store.office(OFFICE_A).await.unwrap().unwrap();
    assert_eq!(
        (office.name.as_str(), office.time_zone.as_str()),
        ("Brussels", "Europe/Paris")
    );
    assert!(db.store.directory_generation().await.unwrap() > before);
    assert!(
        db.store
            .update_office(OFFICE_A, Some("Brussels"), Some("Europe/Brussels"))
            .await
            .unwrap()
    );
    assert!(
        !db.store
            .update_office(OfficeId(Uuid::new_v4()), Some("Nowhere"), None)
            .await
            .unwrap()
    );
    assert!(matches!(
        db.store
            .create_office(&OfficeRow {
                id: OfficeId(Uuid::new_v4()),
                code: "BRU".into(),
                name: "x".into(),
                country: "BE".into(),
                created_at: now(),
                time_zone: "UTC".into(),
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
        organisation: None,
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
        id: homeward_domain::ids::ProgrammeId(Uuid::new_v4()),
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

async fn organisations_are_kept_by_name(db: &TestDb) {
    let at = now();
    let row = |name: &str| OrganisationRow {
        id: OrganisationId(Uuid::new_v4()),
        name: name.into(),
        details: format!("{{\"name\":\"{name}\"}}"),
        created_at: at,
        updated_at: at,
    };
    let (b, a) = (row("Tbilisi shelter"), row("Dakar shelter"));
    db.store.create_organisation(&b).await.unwrap();
    db.store.create_organisation(&a).await.unwrap();
    let names: Vec<_> = db
        .store
        .list_organisations()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(names, ["Dakar shelter", "Tbilisi shelter"]);
    let mut changed = b.clone();
    changed.name = "Abkhazia shelter".into();
    changed.details = "{}".into();
    changed.updated_at = at + Duration::seconds(1);
    db.store.update_organisation(&changed).await.unwrap();
    assert_eq!(
        db.store.organisation(b.id).await.unwrap(),
        Some(changed.clone())
    );
    assert_eq!(db.store.list_organisations().await.unwrap()[0], changed);
    assert_eq!(
        db.store
            .organisation(OrganisationId(Uuid::new_v4()))
            .await
            .unwrap(),
        None
    );
    let mut missing = changed;
    missing.id = OrganisationId(Uuid::new_v4());
    assert!(matches!(
        db.store.update_organisation(&missing).await,
        Err(StoreError::NotFound)
    ));
}

homeward_store::db_tests!(
    users_offices_programmes_and_sessions,
    organisations_are_kept_by_name,
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
