//! A caseworker's day: work queues, deadlines, notes, owners, approvals, a person's details.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_s_details_are_changed_from_a_prefilled_form() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let page = w.get(&format!("/cases/{case}")).await;
    let marker = "/do/update-person-details?person=";
    let start = page.body.find(marker).expect("a link to change the person") + marker.len();
    let person = page.body[start..start + 36].to_string();
    let form = w
        .get(&format!(
            "/cases/{case}/do/update-person-details?person={person}"
        ))
        .await;
    assert!(form.body.contains("value=\"Awa\""), "prefilled");
    assert!(form.body.contains("value=\"1990\""));
    let p = w
        .post(
            &format!("/cases/{case}/do/update-person-details"),
            &[
                ("version", "2"),
                ("person_id", &person),
                ("given", "Aïssatou"),
                ("family", "Diallo"),
                ("dob-day", "1"),
                ("dob-month", "5"),
                ("dob-year", "1990"),
                ("sex", "female"),
                ("language_1", "wo"),
                ("language_2", "fr"),
                ("legal_situation", "irregular_stay"),
                ("vulnerabilities", "medical_needs"),
            ],
        )
        .await;
    assert_eq!(p.url, format!("/cases/{case}"), "{}", p.body);
    assert!(unescape(&p.body).contains("Aïssatou Diallo"));
    assert!(p.body.contains("French"), "the new language is shown");
}

/// Every work queue lists all its cases, whatever their stage among the queue's, waiting
/// longest first (or the soonest flight first), paged; the home page shows its first ten,
/// its whole count and a link to the rest; a role without the queue is refused it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_work_queue_shows_all_its_cases_in_order_and_the_home_page_links_to_them() {
    use homeward_domain::case::reintegration::PlanWork;
    use homeward_web::pages::queues::{CASE_QUEUES, Dated};
    let s = demo_site(300).await;
    let (rows, _) = s.app.store().read_model_snapshot().await.unwrap();
    let now = homeward_app::now();
    let mut approvals_excepted = 0;
    for user in [
        "counsellor",
        "approver",
        "movement",
        "medical",
        "reintegration",
        "monitoring",
    ] {
        let password = format!("demo-{user}-2026");
        let issued = s
            .app
            .login(
                user,
                &password,
                None,
                homeward_app::auth::SessionKind::Token,
                None,
            )
            .await
            .unwrap();
        let actor = s.app.authenticate(&issued.secret).await.unwrap().actor;
        let mut w = Web::new(&s);
        w.sign_in_with(user, &password).await;
        let home = plain(&w.get("/home").await.body);
        for q in &CASE_QUEUES {
            let first = w.get(&format!("/queues/{}", q.slug)).await;
            if !actor.has_any(q.roles) {
                assert_eq!(first.status, 403, "{user} /queues/{}", q.slug);
                continue;
            }
            assert_eq!(first.status, 200, "{user} /queues/{}", q.slug);
            // What the queue must hold: its stages, in the reader's offices, in its order.
            let mut want: Vec<&homeward_store::CaseRow> = rows
                .iter()
                .filter(|r| q.stages.contains(&r.stage))
                .filter(|r| {
                    actor
                        .offices
                        .iter()
                        .any(|o| *o == r.host_office || Some(*o) == r.return_office)
                })
                .filter(|r| {
                    !q.this_week
                        || r.departs_at
                            .is_some_and(|d| d >= now && d < now + chrono::Duration::days(7))
                })
                .filter(|r| !q.unreached || r.unreached > 0)
                .filter(|r| {
                    // A plan queue: only what its plan waits for, in the cases the
                    // reader's offices lead (the office of return after arrival).
                    let lead = match (r.arrived_at, r.return_office) {
                        (Some(_), Some(o)) => o,
                        _ => r.host_office,
                    };
                    q.plan_work.is_empty()
                        || (q.plan_work.iter().any(|w| r.plan_work == Some(*w))
                            && actor.offices.iter().any(|o| *o == lead))
                })
                .collect();
            match q.dated {
                Dated::WaitingSince => want.sort_by_key(|r| (r.updated_at, r.case_id)),
                Dated::Flight => {
                    want.sort_by_key(|r| (r.departs_at.is_none(), r.departs_at, r.case_id))
                }
                Dated::Submitted => {
                    want.sort_by_key(|r| (r.applied_at.is_none(), r.applied_at, r.case_id))
                }
            }
            // The approver's queue names the exceptions each plan asks them to accept.
            let excepted = want
                .iter()
                .filter(|r| {
                    r.plan_work.map(|w| w.code()) == Some("to_approve") && r.plan_exceptions != 0
                })
                .count();
            let want: Vec<String> = want.iter().map(|r| r.reference.clone()).collect();
            let mut got = references(&first.body);
            let mut notes = plain(&first.body).matches(" · exception: ").count();
            for page in 2.. {
                let next = w.get(&format!("/queues/{}?page={page}", q.slug)).await;
                let refs = references(&next.body);
                if refs.is_empty() {
                    break;
                }
                notes += plain(&next.body).matches(" · exception: ").count();
                got.extend(refs);
            }
            assert_eq!(got, want, "{user}: queue {}", q.slug);
            let shows_exceptions = q.plan_work.contains(&PlanWork::ToApprove);
            assert_eq!(
                notes,
                if shows_exceptions { excepted } else { 0 },
                "{user}: exceptions in {}",
                q.slug
            );
            approvals_excepted += usize::from(shows_exceptions) * excepted;
            // The home page: the count, the first ten, and "see all" when there is more.
            let title = homeward_web::i18n::I18n::new(homeward_web::i18n::Lang::En).t(q.title);
            let section = home
                .split("<section class=\"queue\"")
                .find(|sec| sec.contains(&format!(">{title} <")))
                .unwrap_or_else(|| panic!("{user}: no {} queue on the home page", q.slug));
            assert!(
                section.contains(&format!("<span class=\"count\">{}</span>", want.len())),
                "{user}: {} counts {}",
                q.slug,
                want.len()
            );
            let shown = references(section);
            assert_eq!(shown, want[..want.len().min(10)], "{user}: {}", q.slug);
            assert_eq!(
                section.contains(&format!("href=\"/queues/{}\"", q.slug)),
                want.len() > 10,
                "{user}: see all {}",
                q.slug
            );
        }
    }
    assert!(
        approvals_excepted > 0,
        "the demo has plans waiting for approval with an exception"
    );
}

/// What happens next says the next step and who takes it: a registered case needs an
/// information session (not "consent is missing"), first on the page, before the record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_case_says_an_information_session_comes_next_and_who_holds_it() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let page = plain(&unescape(&w.get(&format!("/cases/{case}")).await.body));
    let i = homeward_web::i18n::I18n::new(homeward_web::i18n::Lang::En);
    let next = i.t("next-hold_information_session");
    let at = page.find(&next).expect("the next step on the case page");
    assert!(page[at..].contains(&i.t("role-counsellor")));
    assert!(!page.contains(&i.t("rule-consent-missing")), "{page}");
    assert!(
        at < page.find(&i.t("case-timeline")).unwrap(),
        "what happens next comes before the record"
    );
    // "Print" works without JavaScript: it opens the case as it prints.
    assert!(page.contains(&format!("href=\"/cases/{case}/print\"")));
    let print = w.get(&format!("/cases/{case}/print")).await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains("<body class=\"print-view\">"));
    assert!(plain(&unescape(&print.body)).contains(&i.t("case-print-hint")));
}

/// My work first: the home page lists the cases I own; the case page names its
/// caseworker, who can be changed to someone of the leading office; the list filters to
/// my cases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_cases_come_first_and_a_case_names_its_caseworker_who_can_be_changed() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let reference = references(&w.get(&format!("/cases/{case}")).await.body)[0].clone();
    let home = plain(&w.get("/home").await.body);
    let mine = home
        .split("<section class=\"queue\"")
        .nth(1)
        .expect("a first queue");
    assert!(mine.contains(">My cases <"), "my work first: {mine}");
    assert!(mine.contains(&reference));
    let page = plain(&unescape(&w.get(&format!("/cases/{case}")).await.body));
    assert!(page.contains("Caseworker") && page.contains("Test counsellor"));
    let form = w
        .get(&format!("/cases/{case}/do/assign-caseworker"))
        .await
        .body;
    assert!(
        form.contains("Test approver"),
        "staff of the leading office"
    );
    assert!(
        !form.contains("Test counsellor_ams"),
        "not another office's"
    );
    let approver = form
        .split("<option value=\"")
        .find(|o| o.contains(">Test approver<"))
        .and_then(|o| o.split('"').next())
        .unwrap()
        .to_string();
    let done = w
        .post(
            &format!("/cases/{case}/do/assign-caseworker"),
            &[("user_id", approver.as_str())],
        )
        .await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    assert!(plain(&unescape(&done.body)).contains("Test approver"));
    let listed = w.get("/cases?mine=1").await.body;
    assert!(!listed.contains(&reference), "no longer mine");
    let mut approver_web = Web::new(&s);
    approver_web.sign_in("approver").await;
    assert!(
        approver_web
            .get("/cases?mine=1")
            .await
            .body
            .contains(&reference)
    );
}

/// A note from its form: its flag shows at the top of the case page, its text among the
/// notes; an empty note names the field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_raises_a_flag_shown_at_the_top_of_the_case() {
    let s = site().await;
    let mut w = Web::new(&s);
    w.sign_in("counsellor").await;
    let case = w.register("Awa").await;
    let path = format!("/cases/{case}/do/add-note");
    w.get(&path).await;
    let empty = w.post(&path, &[("sensitivity", "")]).await;
    assert_eq!(empty.status, 422);
    assert!(plain(&unescape(&empty.body)).contains("Enter the note."));
    w.get(&path).await;
    let done = w
        .post(
            &path,
            &[
                ("text", "Her brother calls asking where she lives."),
                ("sensitivity", "trafficking"),
                ("raises", "risk"),
            ],
        )
        .await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    let page = plain(&unescape(&done.body));
    let head = &page[..page.find("case-grid").unwrap()];
    assert!(head.contains(">Risk<"), "the flag at the top: {head}");
    assert!(page.contains("Her brother calls asking where she lives."));
}

/// A role that works on no cases gets a home page that says what it can do here, with
/// links, and nothing about figures to a partner who reads none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_without_cases_see_what_they_can_do_from_their_home_page() {
    let s = demo_site(20).await;
    for (user, links, absent) in [
        ("admin", &["/admin", "/audit", "/account"][..], "/queues/"),
        ("donor", &["/statistics", "/account"][..], "/admin\">"),
        ("auditor", &["/audit", "/account"][..], "/admin\">"),
        ("partner", &["/partner", "/account"][..], "/statistics\">"),
    ] {
        let mut w = Web::new(&s);
        w.sign_in_with(user, &format!("demo-{user}-2026")).await;
        let home = w.get("/home").await.body;
        let main = &home[home.find("<main").unwrap()..];
        for l in links {
            assert!(
                main.contains(&format!("href=\"{l}\"")),
                "{user}: {l} in {main}"
            );
        }
        assert!(!main.contains(absent), "{user}: {absent}");
    }
}

/// Approving shows what is approved (who returns, each with their consent, where to, with
/// what assistance, the screening) and takes a comment, shown with the decision on the
/// case page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_shows_what_is_approved_and_keeps_the_approver_s_comment() {
    let s = demo_site(120).await;
    let mut w = Web::new(&s);
    w.sign_in_with("approver", "demo-approver-2026").await;
    // Each application says since when it waits and by when it is to be decided, by the
    // programme's days: the longest waiting come first, and the demo's oldest have waited
    // months (the newest may still be due).
    let queue = w.get("/queues/approve").await;
    let noted = plain(&queue.body);
    assert!(noted.contains("Overdue: waiting since "), "{noted}");
    let issued = s
        .app
        .login(
            "admin",
            "demo-admin-2026",
            None,
            homeward_app::auth::SessionKind::Token,
            None,
        )
        .await
        .unwrap();
    let admin = s.app.authenticate(&issued.secret).await.unwrap();
    let programme = s.app.list_programmes().await.unwrap().remove(0);
    let mut settings = programme.settings.clone();
    settings.decide_within_days = 3650;
    s.app
        .update_programme(&admin, programme.id, None, Some(settings))
        .await
        .unwrap();
    let queue = w.get("/queues/approve").await;
    let noted = plain(&queue.body);
    assert!(noted.contains("; due by "), "{noted}");
    assert!(!noted.contains("Overdue"), "ten years to decide: {noted}");
    let case = queue
        .body
        .split("href=\"/cases/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_string)
        .expect("the demo has an application to decide");
    // A note dated two days back is an entry recorded late, which the approver is shown.
    use chrono::Datelike;
    let back = (chrono::Utc::now() - chrono::Duration::days(2)).date_naive();
    let note = format!("/cases/{case}/do/add-note");
    w.get(&note).await;
    let noted = w
        .post(
            &note,
            &[
                ("text", "The family confirmed the date by phone."),
                ("sensitivity", ""),
                ("occurred-day", &back.day().to_string()),
                ("occurred-month", &back.month().to_string()),
                ("occurred-year", &back.year().to_string()),
            ],
        )
        .await;
    assert_eq!(noted.url, format!("/cases/{case}"), "{}", noted.body);
    let path = format!("/cases/{case}/do/approve-application");
    let form = w.get(&path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let text = plain(&unescape(&form.body));
    for shown in [
        "years old",
        "consent given on",
        "Returning to ",
        "Screened as eligible: ",
        "Reintegration package for this household: up to ",
        "Recorded more than a day after they happened: Note added",
        "Comment (optional)",
    ] {
        assert!(text.contains(shown), "{shown}: {text}");
    }
    assert!(
        text.contains("Assistance proposed: ") || text.contains("No assistance is proposed."),
        "{text}"
    );
    let done = w
        .post(
            &path,
            &[(
                "comment",
                "Consent and screening checked; the family travels together.",
            )],
        )
        .await;
    assert_eq!(done.url, format!("/cases/{case}"), "{}", done.body);
    let page = plain(&unescape(&done.body));
    assert!(page.contains("Approved — "), "{page}");
    assert!(
        page.contains("Consent and screening checked; the family travels together."),
        "{page}"
    );
}

/// The programme manager's "due and overdue" lists every kind of deadline of the offices'
/// cases, each whole, paged and in order, with its count on the tab and on the home page;
/// an office chosen narrows every list to it; other roles are refused the page. The
/// approval queue keeps the longest-submitted application first even after a newer note.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn due_and_overdue_lists_every_kind_of_deadline_of_the_offices_cases() {
    use homeward_web::pages::deadlines::Kind;
    let s = demo_site(300).await;
    let mut w = Web::new(&s);
    w.sign_in_with("approver", "demo-approver-2026").await;
    // A note on the application submitted first does not move it down the approval queue.
    let oldest = references(&w.get("/queues/approve").await.body)
        .first()
        .cloned()
        .expect("the demo has applications");
    let (rows, _) = s.app.store().read_model_snapshot().await.unwrap();
    let case = rows.iter().find(|r| r.reference == oldest).unwrap().case_id;
    let note = format!("/cases/{case}/do/add-note");
    w.get(&note).await;
    let noted = w
        .post(
            &note,
            &[("text", "Called the family."), ("sensitivity", "")],
        )
        .await;
    assert_eq!(noted.url, format!("/cases/{case}"), "{}", noted.body);
    assert_eq!(
        references(&w.get("/queues/approve").await.body).first(),
        Some(&oldest)
    );

    let issued = s
        .app
        .login(
            "approver",
            "demo-approver-2026",
            None,
            homeward_app::auth::SessionKind::Token,
            None,
        )
        .await
        .unwrap();
    let who = s.app.authenticate(&issued.secret).await.unwrap();
    // A case preparing to leave whose principal's travel documents now run out the day
    // after tomorrow, before the flight: a deadline of its own kind.
    let now = homeward_app::now();
    let leaving = rows
        .iter()
        .find(|r| {
            r.stage.code() == "pre_departure"
                && r.host_office.0 == s.bru.0
                && r.departs_at
                    .is_some_and(|d| d > now + chrono::Duration::days(3))
        })
        .expect("the demo has a case preparing to leave")
        .clone();
    let issued = s
        .app
        .login(
            "movement",
            "demo-movement-2026",
            None,
            homeward_app::auth::SessionKind::Token,
            None,
        )
        .await
        .unwrap();
    let movement = s.app.authenticate(&issued.secret).await.unwrap();
    let expires = now.date_naive() + chrono::Duration::days(2);
    let id = leaving.case_id;
    let view = s.app.case_view(&movement, id).await.unwrap();
    let principal = view.case.members[0].person_id;
    let mut version = view.version;
    for d in view.case.documents_of(principal) {
        let mut d = d.clone();
        d.expires_on = Some(expires);
        version = s
            .app
            .execute(
                &movement,
                id,
                version,
                None,
                homeward_domain::Command::RecordTravelDocument(d),
            )
            .await
            .unwrap()
            .version;
    }
    let (rows, _) = s.app.store().read_model_snapshot().await.unwrap();
    let expiring = rows.iter().find(|r| r.case_id == leaving.case_id).unwrap();
    assert_eq!(expiring.documents_expire_on, Some(expires));
    // Every case's two deadlines in the list are the domain's, from its events.
    for r in &rows {
        let events = s.app.store().load_events(r.case_id).await.unwrap();
        let case = homeward_domain::Case::replay(&events).unwrap();
        assert_eq!(
            (r.items_due_on, r.documents_expire_on),
            (
                case.reintegration.items_due(),
                homeward_domain::case::guard::travel_document_expires_before_flight(&case)
            ),
            "{}",
            r.reference
        );
    }
    let today = now.date_naive();
    let in_offices = |r: &&homeward_store::CaseRow, only: Option<uuid::Uuid>| {
        who.actor.offices.iter().any(|o| {
            only.is_none_or(|x| x == o.0) && (*o == r.host_office || Some(*o) == r.return_office)
        })
    };
    let staged = |r: &homeward_store::CaseRow, stages: &[&str]| stages.contains(&r.stage.code());
    let before = ["approved", "pre_departure", "ready_to_depart"];
    let after = ["arrived", "reintegration", "monitoring"];
    // What each list of cases must hold, in its order.
    let want = |kind: Kind, only: Option<uuid::Uuid>| -> Option<Vec<String>> {
        let mut of: Vec<&homeward_store::CaseRow> =
            rows.iter().filter(|r| in_offices(r, only)).collect();
        match kind {
            Kind::Applications => {
                of.retain(|r| r.stage.code() == "applied");
                of.sort_by_key(|r| (r.applied_at, r.case_id));
            }
            Kind::Flights => {
                of.retain(|r| staged(r, &before) && r.departs_at.is_some_and(|d| d < now));
                of.sort_by_key(|r| (r.departs_at, r.case_id));
            }
            Kind::Documents => {
                of.retain(|r| staged(r, &before) && r.documents_expire_on.is_some());
                of.sort_by_key(|r| (r.documents_expire_on, r.case_id));
            }
            Kind::Items => {
                of.retain(|r| staged(r, &after) && r.items_due_on.is_some_and(|d| d < today));
                of.sort_by_key(|r| (r.items_due_on, r.case_id));
            }
            Kind::Referrals | Kind::FollowUps => return None,
        }
        Some(of.iter().map(|r| r.reference.clone()).collect())
    };
    // Referrals and follow-ups: the same lists as their own queues, in one office or all.
    let waiting = async |kind: Kind, office: Option<homeward_domain::ids::OfficeId>| {
        let page = homeward_store::PageRequest {
            page: 1,
            per_page: 200,
        };
        match kind {
            Kind::Referrals => s
                .app
                .referrals_waiting(
                    &who,
                    office,
                    homeward_app::cases::ReferralQueue::Overdue,
                    today,
                    page,
                )
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|r| r.case.reference)
                .collect::<Vec<_>>(),
            _ => s
                .app
                .follow_ups_waiting(
                    &who,
                    office,
                    homeward_app::cases::FollowUpQueue::Overdue,
                    today,
                    page,
                )
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|f| f.case.reference)
                .collect(),
        }
    };
    let read_all = async |w: &mut Web, first: &str| {
        let mut got = references(&w.get(first).await.body);
        for page in 2.. {
            let refs = references(&w.get(&format!("{first}&page={page}")).await.body);
            if refs.is_empty() {
                break;
            }
            got.extend(refs);
        }
        got
    };
    let home = plain(&w.get("/home").await.body);
    let brussels = s.bru.0;
    for kind in Kind::ALL {
        let (code, _) = kind.code();
        let got = read_all(&mut w, &format!("/deadlines?queue={code}")).await;
        let expected = match want(kind, None) {
            Some(want) => want,
            None => waiting(kind, None).await,
        };
        assert_eq!(got, expected, "{code}");
        // The count on the home page and on the tab.
        let title = homeward_web::i18n::I18n::new(homeward_web::i18n::Lang::En).t(kind.code().1);
        assert!(
            home.contains(&format!(
                "href=\"/deadlines?queue={code}\">{title}</a> <span class=\"count\">{}</span>",
                expected.len()
            )),
            "{code}: {home}"
        );
        // One office chosen: only its cases.
        let want_here = match want(kind, Some(brussels)) {
            Some(want) => want,
            None => waiting(kind, Some(s.bru)).await,
        };
        let got = read_all(
            &mut w,
            &format!("/deadlines?office={brussels}&queue={code}"),
        )
        .await;
        assert_eq!(got, want_here, "{code} in Brussels");
    }
    // The demo has work of most kinds (every kind is exercised by the rules' own tests).
    for code in [
        "applications",
        "flights",
        "documents",
        "items",
        "follow-ups",
    ] {
        assert!(
            !read_all(&mut w, &format!("/deadlines?queue={code}"))
                .await
                .is_empty(),
            "the demo has {code} due"
        );
    }
    // An office that is not the reader's (Dakar's, or none) or no id at all is not found.
    for office in [
        s.dkr.0.to_string(),
        uuid::Uuid::new_v4().to_string(),
        "nope".into(),
    ] {
        for kind in Kind::ALL {
            let page = w
                .get(&format!(
                    "/deadlines?office={office}&queue={}",
                    kind.code().0
                ))
                .await;
            assert_eq!(page.status, 404, "{office} {kind:?}");
        }
    }
    let mut c = Web::new(&s);
    c.sign_in_with("counsellor", "demo-counsellor-2026").await;
    assert_eq!(c.get("/deadlines").await.status, 403);
}
