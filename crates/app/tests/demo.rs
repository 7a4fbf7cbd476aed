//! The demo data set is built through the domain: every story must be accepted, and the
//! result must cover every stage.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use homeward_app::{App, Config};
use homeward_domain::disclosure::{intervals, with_lines, withstands_arithmetic};
use homeward_domain::stats::{Cell, Counts, Published, Shape};
use homeward_store::Store;

/// An empty SQLite database in a temporary folder (kept while the first value lives),
/// and the application over it.
async fn fresh() -> (tempfile::TempDir, Store, App) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("demo.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let app = App::new(store.clone(), Config::default());
    (dir, store, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_covers_every_stage_and_its_log_verifies() {
    let (_dir, store, app) = fresh().await;
    let summary = app.seed_demo(300, 7).await.unwrap();
    assert_eq!(summary.users.len(), 12);
    let (cases, people) = store.read_model_snapshot().await.unwrap();
    // The stories' cases, and one registered from a partner's referral.
    assert_eq!(cases.len(), 301);
    assert_eq!(summary.cases, 301);
    assert!(people.len() > 300, "families have several members");
    let stages: BTreeSet<&str> = cases.iter().map(|c| c.stage.code()).collect();
    for s in [
        "registered",
        "counselling",
        "applied",
        "approved",
        "pre_departure",
        "ready_to_depart",
        "arrived",
        "reintegration",
        "monitoring",
        "withdrawn",
        "rejected",
        "closed",
    ] {
        assert!(stages.contains(s), "no demo case is {s}: {stages:?}");
    }
    assert!(cases.iter().any(|c| c.vulnerabilities != 0));
    // Life after return: plans in every state, deliveries in two currencies, a declined
    // item, an approved exception, a delivery countersigned.
    let mut statuses = BTreeSet::new();
    let mut plan_work = BTreeSet::new();
    let mut currencies = BTreeSet::new();
    let (mut declined, mut exception, mut countersigned, mut needs) = (false, false, false, false);
    // Monitoring: follow-ups in every state today, and contact lost after failed attempts.
    use homeward_domain::case::monitoring::SlotStatus;
    let today = homeward_app::now().date_naive();
    let mut slot_states = BTreeSet::new();
    let mut lost_by_follow_ups = false;
    // Referrals in every state, one made without consent waiting for approval.
    let mut referral_states = BTreeSet::new();
    let mut unreached = false;
    // Follow-ups that asked the returnee about the services they were referred for.
    let mut services_asked = false;
    // Returnees whose survey was answered before the first follow-up (the baseline), and
    // again at one.
    let (mut baselines, mut followed_baselines) = (0, 0);
    // What the plans commit on each budget line, as the domain counts it.
    let mut by_line: std::collections::BTreeMap<uuid::Uuid, (i64, i64)> = Default::default();
    let (mut budget_exceptions, mut excepted_lines) = (0, BTreeSet::new());
    let programme = &app.list_programmes().await.unwrap()[0];
    let funding = &programme.settings.funding;
    for row in &cases {
        let events = store.load_events(row.case_id).await.unwrap();
        let case = homeward_domain::Case::replay(&events).unwrap();
        let bands: Vec<u32> = homeward_domain::stats::band_scores(&case)
            .iter()
            .map(|b| b.band)
            .collect();
        if bands.first() == Some(&0) {
            baselines += 1;
            followed_baselines += usize::from(bands.len() > 1);
        }
        if let Some(arrived) = case.dates.arrived {
            for slot in case.monitoring.scheduled(arrived.date_naive()) {
                slot_states.insert(match slot.status(today) {
                    SlotStatus::Held { on_time, .. } => format!("held, on time {on_time}"),
                    other => format!("{other:?}"),
                });
            }
        }
        unreached |=
            case.stage != homeward_domain::Stage::Closed && case.monitoring.failures_in_a_row() > 0;
        lost_by_follow_ups |= case.outcome
            == Some(homeward_domain::case::records::Outcome::LostContact)
            && case.monitoring.failures_in_a_row() > 0;
        referral_states.extend(case.referrals.referrals.values().map(|r| r.status));
        services_asked |= case
            .monitoring
            .follow_ups
            .iter()
            .any(|f| !f.follow_up.services.is_empty());
        plan_work.extend(case.plan_work());
        let r = case.reintegration;
        for (line, c) in r.committed_by_line() {
            by_line.entry(line.0).or_default().0 += c;
        }
        for (line, d) in r.disbursed_by_line() {
            by_line.entry(line.0).or_default().1 += d;
        }
        if let Some(v) = r.in_force().filter(|v| v.budget_exception.is_some()) {
            budget_exceptions += 1;
            excepted_lines.extend(v.items.iter().filter_map(|i| i.budget_line));
        }
        // Every item of a plan draws on a line of the programme's grants, for its type.
        for item in r.versions.iter().flat_map(|v| &v.items) {
            let line = item.budget_line.expect("a demo item draws on a line");
            let (_, l) = programme
                .settings
                .budget_line(line)
                .expect("a line of the grants");
            assert_eq!(l.assistance, item.assistance);
        }
        statuses.extend(r.versions.iter().map(|v| v.status));
        currencies.extend(
            r.deliveries
                .iter()
                .map(|d| d.delivery.amount.currency.to_string()),
        );
        declined |= !r.declined_items.is_empty();
        exception |= r.versions.iter().any(|v| v.approved_above_cap);
        countersigned |= r.deliveries.iter().any(|d| d.countersigned_by.is_some());
        needs |= !r.needs.is_empty();
    }
    assert!(
        services_asked,
        "no follow-up asked about a referral's service"
    );
    // The store's budget rows sum to what the domain says each case commits and
    // disburses, and every line of both grants is drawn on.
    let cells = store.budget_cells(programme.id, None, None).await.unwrap();
    let mut stored: std::collections::BTreeMap<uuid::Uuid, (i64, i64)> = Default::default();
    for c in &cells {
        let e = stored.entry(c.line_id).or_default();
        e.0 += c.committed;
        e.1 += c.disbursed;
    }
    assert_eq!(stored, by_line);
    // No line is committed beyond its amount but by plans approved with an exception; the
    // demo's smallest line runs out, and its last plans carry one.
    let over: Vec<_> = funding
        .iter()
        .flat_map(|g| &g.lines)
        .filter(|l| {
            by_line
                .get(&l.line_id.0)
                .is_some_and(|(c, _)| Some(*c) > programme.settings.line_limit(l.line_id))
        })
        .collect();
    assert!(!over.is_empty(), "no line ran out: {by_line:?}");
    assert!(budget_exceptions > 0);
    for l in over {
        assert!(
            excepted_lines.contains(&l.line_id),
            "{l:?} over without an exception"
        );
    }
    assert_eq!(funding.len(), 2);
    for l in funding.iter().flat_map(|g| &g.lines) {
        assert!(
            by_line.get(&l.line_id.0).is_some_and(|(c, _)| *c > 0),
            "no plan commits {:?} {:?}",
            l.assistance,
            l.country
        );
    }
    for s in homeward_domain::case::referrals::ReferralStatus::ALL {
        assert!(
            referral_states.contains(&s),
            "no demo referral is {s:?}: {referral_states:?}"
        );
    }
    use homeward_domain::case::reintegration::PlanStatus;
    for s in [
        PlanStatus::Draft,
        PlanStatus::Returned,
        PlanStatus::Approved,
    ] {
        assert!(statuses.contains(&s), "no plan is {s:?}: {statuses:?}");
    }
    // Every plan queue has work in it.
    for w in homeward_domain::case::reintegration::PlanWork::ALL {
        assert!(plan_work.contains(&w), "no plan waits {w:?}: {plan_work:?}");
    }
    assert!(currencies.len() >= 2, "deliveries in {currencies:?}");
    assert!(
        funding
            .iter()
            .any(|g| g.budget_rate.is_some() && g.currency != programme.settings.currency),
        "a grant in another currency, at a budget rate"
    );
    assert!(declined && exception && countersigned && needs);
    for state in [
        "held, on time true",
        "held, on time false",
        "Upcoming",
        "Due",
        "Overdue",
        "Missed",
    ] {
        assert!(
            slot_states.contains(state),
            "no follow-up is {state}: {slot_states:?}"
        );
    }
    assert!(
        baselines > 10 && followed_baselines > 5,
        "baselines: {baselines}, then followed up: {followed_baselines}"
    );
    assert!(
        lost_by_follow_ups,
        "no case closed as lost contact after follow-ups"
    );
    assert!(
        unreached,
        "no open case whose last follow-up did not reach the returnee"
    );
    assert!(store.verify_audit().await.unwrap().is_ok());
    // Inbound referrals in every state; the registered one is a case that names it.
    use homeward_domain::inbound::InboundStatus;
    let offices: Vec<_> = app
        .list_offices()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    let inbound = store
        .inbound_for_offices(
            &offices,
            InboundStatus::ALL,
            homeward_store::PageRequest {
                page: 1,
                per_page: 100,
            },
        )
        .await
        .unwrap()
        .items;
    for s in InboundStatus::ALL {
        assert!(
            inbound.iter().any(|r| r.status == *s),
            "no inbound referral is {s:?}"
        );
    }
    let registered = inbound.iter().find(|r| r.case_id.is_some()).unwrap();
    let events = store
        .load_events(registered.case_id.unwrap())
        .await
        .unwrap();
    let case = homeward_domain::Case::replay(&events).unwrap();
    assert_eq!(case.referral.inbound, Some(registered.id));
    // Every person of a departed case is a return; nobody else is.
    let stats = store.stats_snapshot().await.unwrap();
    let departed_people: i64 = cases
        .iter()
        .filter(|c| c.departed_at.is_some())
        .map(|c| c.members)
        .sum();
    assert!(departed_people > 0);
    assert_eq!(stats.returns.len() as i64, departed_people);
    assert!(
        !stats.interruptions.is_empty(),
        "withdrawals, rejections, no-shows"
    );
    assert!(!stats.follow_ups.is_empty(), "scheduled follow-ups");
    store.rebuild_read_models().await.unwrap();
    assert_eq!(store.read_model_snapshot().await.unwrap(), (cases, people));
    assert_eq!(
        store.stats_snapshot().await.unwrap(),
        stats,
        "the statistics rebuild the same"
    );
    assert!(
        app.seed_demo(1, 1).await.is_err(),
        "only into an empty database"
    );
}

/// Counts as an exact table publishes them.
fn counts_of(p: &Published) -> Counts {
    let n = |c: &Cell| c.count().unwrap();
    Counts {
        cells: p.cells.iter().map(|r| r.iter().map(n).collect()).collect(),
        row_totals: p.row_totals.iter().map(n).collect(),
        column_totals: p.column_totals.iter().map(n).collect(),
        total: n(&p.total),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_a_donor_gets_from_the_demo_withstands_the_audit() {
    use homeward_app::admin::NewUser;
    use homeward_app::auth::SessionKind;
    use homeward_app::stats::{ByEach, ReturnsQuery, ReturnsTable};
    use homeward_domain::access::Role;
    use homeward_store::{Dim, StatFilter};

    let (_dir, store, app) = fresh().await;
    app.seed_demo(300, 11).await.unwrap();
    // Exact figures for every office: an approver of them all.
    let offices = app
        .list_offices()
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    let password = "an oracle of every office".to_string();
    app.create_user(
        None,
        NewUser {
            username: "oracle".into(),
            display_name: "Every office".into(),
            roles: [Role::Approver].into_iter().collect(),
            offices,
            organisation: None,
            password: Some(password.clone()),
        },
    )
    .await
    .unwrap();
    let sign_in = |user: &'static str, password: String| {
        let app = app.clone();
        async move {
            let issued = app
                .login(
                    user,
                    &password,
                    None,
                    SessionKind::Token,
                    Some("test".into()),
                )
                .await
                .unwrap();
            app.authenticate(&issued.secret).await.unwrap()
        }
    };
    let exact = sign_in("oracle", password).await;
    let donor = sign_in("donor", "demo-donor-2026".into()).await;
    let threshold = app.stats_threshold();
    // Households counted directly: by year, and in all.
    let returns = store.stats_snapshot().await.unwrap().returns;
    let t = app
        .returns_table(
            &exact,
            ReturnsQuery {
                rows: Some(Dim::Year),
                columns: Some(Dim::Sex),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let households: BTreeSet<_> = returns.iter().map(|r| r.case_id).collect();
    assert_eq!(t.cases.total.count(), Some(households.len() as i64));
    for (i, year) in t.row_keys.iter().enumerate() {
        let in_year: BTreeSet<_> = returns
            .iter()
            .filter(|r| r.year.to_string() == year.code)
            .map(|r| r.case_id)
            .collect();
        assert_eq!(
            t.cases.row_totals[i].count(),
            Some(in_year.len() as i64),
            "households in {}",
            year.code
        );
    }
    // Every dimension a donor may group by, alone and crossed with every other.
    let dims: Vec<Option<Dim>> = std::iter::once(None)
        .chain(Dim::ALL.into_iter().filter(|d| !d.exact_only()).map(Some))
        .collect();
    let last_month = homeward_domain::stats::last_whole_month(chrono::Utc::now().date_naive());
    // Households fall in several keys of a dimension of their people.
    let person = |d: Option<Dim>| d.is_some_and(Dim::describes_people);
    let (mut audited, mut jointly) = (0, 0);
    // Tables by each vulnerability and by each option taken up (by the month taken up).
    let each = std::iter::once(None).chain(ByEach::ALL.into_iter().map(Some));
    for by_each in each {
        let by_vulnerability = by_each.is_some();
        for &rows in &dims {
            for &columns in &dims {
                if (rows.is_some() && rows == columns) || (by_vulnerability && rows.is_some()) {
                    continue;
                }
                // Options taken up by month are not crossed with the year.
                if by_each == Some(ByEach::Assistance) && columns == Some(Dim::Year) {
                    continue;
                }
                let q = ReturnsQuery {
                    rows,
                    columns,
                    by_each,
                    filter: StatFilter::default(),
                };
                // A donor's figures end with the last whole month.
                let mut until_last_month = q.clone();
                until_last_month.filter.until = Some(last_month);
                // Options taken up, as a donor counts them: by the month taken up, once
                // its recording is settled.
                if by_each == Some(ByEach::Assistance) {
                    until_last_month.filter.taken_up = true;
                    until_last_month.filter.until =
                        Some(homeward_domain::stats::settled_month_end(chrono::Utc::now()));
                }
                let all = app.returns_table(&exact, until_last_month).await.unwrap();
                let shown = app.returns_table(&donor, q).await.unwrap();
                if by_each == Some(ByEach::Assistance) && rows.is_none() && columns.is_none() {
                    // The demo's returnees took up options in months now past.
                    assert!(
                        all.people.total.count().unwrap_or(0) >= 20,
                        "{:?}",
                        all.people
                    );
                }
                // The attacker also asks for the one-dimensional table of each dimension,
                // and takes every total from wherever it is shown.
                let alone = |d: Option<Dim>| ReturnsQuery {
                    rows: d,
                    columns: None,
                    by_each: None,
                    filter: StatFilter::default(),
                };
                let crossed = rows.is_some() && columns.is_some() && !by_vulnerability;
                let (by_rows, by_columns) = if crossed {
                    (
                        Some(app.returns_table(&donor, alone(rows)).await.unwrap()),
                        Some(app.returns_table(&donor, alone(columns)).await.unwrap()),
                    )
                } else {
                    (None, None)
                };
                let any_row = shown
                    .row_keys
                    .iter()
                    .position(|k| by_vulnerability && k.code == "any");
                for (published, exact, shape, line) in [
                    (
                        &shown.people,
                        &all.people,
                        Shape {
                            rows_partition: !by_vulnerability,
                            columns_partition: true,
                            any_row,
                        },
                        (|t: &ReturnsTable| t.people.clone()) as fn(&ReturnsTable) -> Published,
                    ),
                    (
                        &shown.cases,
                        &all.cases,
                        Shape {
                            rows_partition: !by_vulnerability && !person(rows),
                            columns_partition: !person(columns),
                            any_row,
                        },
                        |t: &ReturnsTable| t.cases.clone(),
                    ),
                ] {
                    let counts = counts_of(exact);
                    let figures = published
                        .cells
                        .iter()
                        .flatten()
                        .chain(&published.row_totals)
                        .chain(&published.column_totals)
                        .chain([&published.total]);
                    let truth = exact
                        .cells
                        .iter()
                        .flatten()
                        .chain(&exact.row_totals)
                        .chain(&exact.column_totals)
                        .chain([&exact.total]);
                    for (p, e) in figures.zip(truth) {
                        if let Cell::Count(n) = p {
                            assert_eq!(Some(*n), e.count(), "{rows:?} x {columns:?}");
                            assert!(
                                *n == 0 || *n >= threshold,
                                "{n} shown in {rows:?} x {columns:?}"
                            );
                        }
                    }
                    assert!(
                        withstands_arithmetic(&counts, published, shape, threshold),
                        "{rows:?} x {columns:?} (by each {by_each:?}): {:?}",
                        intervals(&counts, published, shape)
                    );
                    audited += 1;
                    if let (Some(r), Some(c)) = (&by_rows, &by_columns) {
                        let joint = with_lines(published, &line(r), &line(c));
                        assert!(
                            withstands_arithmetic(&counts, &joint, shape, threshold),
                            "{rows:?} x {columns:?} with its one-dimensional tables: {:?}",
                            intervals(&counts, &joint, shape)
                        );
                        jointly += 1;
                    }
                }
            }
        }
    }
    assert!(audited > 400, "{audited}");
    assert!(jointly > 380, "{jointly}");
}
