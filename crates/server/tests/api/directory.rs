//! The stakeholder directory over the API: kept by administrators and programme
//! managers, read by everyone signed in, searched by country, service, stage and name.

use serde_json::{Value, json};

use crate::support::*;
use homeward_store::testing::TestDb;

pub(crate) fn shelter(name: &str, countries: &[&str]) -> Value {
    json!({
        "name": name,
        "kind": "protection_shelter",
        "countries": countries,
        "services": ["shelter", "reception"],
        "stages": ["immediate_assistance"],
        "languages": ["ka", "en"],
        "email": "desk@shelter.example.org",
    })
}

async fn the_directory_is_kept_by_managers_and_searched_by_everyone(db: &TestDb) {
    let w = World::start(db).await;
    // Caseworkers, partners and donors read it; they do not change it.
    for user in ["counsellor", "partner", "donor"] {
        let r = w
            .post(user, "/api/organisations", shelter("Not mine", &["GE"]))
            .await;
        assert_eq!(r.status, 403, "{user}: {}", r.body);
    }
    let added = w
        .post(
            "admin",
            "/api/organisations",
            shelter("Tbilisi Reception Centre", &["GE"]),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let id = added.body["id"].as_str().unwrap().to_string();
    assert_eq!(added.body["active"], true, "active unless said otherwise");
    let by_manager = w
        .post(
            "approver",
            "/api/organisations",
            json!({
                "name": "Dakar Legal Aid",
                "kind": "migrant_support",
                "countries": ["SN"],
                "services": ["legal_aid"],
                "stages": ["reintegration"],
            }),
        )
        .await;
    assert_eq!(by_manager.status, 201, "{}", by_manager.body);

    // Every rule at its field, and nothing written.
    let bad = w
        .post(
            "admin",
            "/api/organisations",
            json!({
                "name": "Nowhere",
                "kind": "police",
                "countries": [],
                "services": [],
                "stages": [],
                "email": "0032 2 000 00 00",
            }),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(
        bad.pointers(),
        ["#/countries", "#/services", "#/stages", "#/email"]
    );
    let unknown = w
        .post(
            "admin",
            "/api/organisations",
            json!({"name": "X", "kind": "bank", "countries": ["GE"], "services": ["cash"], "stages": ["return"]}),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert_eq!(unknown.pointers(), ["#/kind"]);

    let names = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = w.get("counsellor", "/api/organisations").await.ok();
    assert_eq!(names(all), ["Dakar Legal Aid", "Tbilisi Reception Centre"]);
    for (query, expected) in [
        ("?country=GE", vec!["Tbilisi Reception Centre"]),
        ("?service=legal_aid", vec!["Dakar Legal Aid"]),
        ("?country=SN&service=shelter", vec![]),
        (
            "?stage=immediate_assistance",
            vec!["Tbilisi Reception Centre"],
        ),
        ("?kind=migrant_support", vec!["Dakar Legal Aid"]),
        ("?name=tbilisi%20recep", vec!["Tbilisi Reception Centre"]),
        ("?name=centre%20dakar", vec![]),
    ] {
        let found = w
            .get("counsellor", &format!("/api/organisations{query}"))
            .await
            .ok();
        assert_eq!(names(found), expected, "{query}");
    }
    let r = w.get("counsellor", "/api/organisations?service=bank").await;
    assert_eq!(r.status, 400, "{}", r.body);

    // A change replaces the description; an organisation that stops working is kept
    // but no longer offered.
    let mut closed = shelter("Tbilisi Reception Centre (closed)", &["GE", "AM"]);
    closed["active"] = json!(false);
    let r = w
        .send(
            Some("approver"),
            w.http
                .put(format!("{}/api/organisations/{id}", w.base))
                .json(&closed),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["countries"], json!(["AM", "GE"]));
    let r = w
        .send(
            Some("counsellor"),
            w.http
                .put(format!("{}/api/organisations/{id}", w.base))
                .json(&closed),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        names(
            w.get("counsellor", "/api/organisations?country=GE")
                .await
                .ok()
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        names(
            w.get("counsellor", "/api/organisations?country=GE&inactive=true")
                .await
                .ok()
        ),
        ["Tbilisi Reception Centre (closed)"]
    );
    let one = w
        .get("partner", &format!("/api/organisations/{id}"))
        .await
        .ok();
    assert_eq!(one["active"], false);
    let missing = w
        .get(
            "counsellor",
            "/api/organisations/00000000-0000-0000-0000-000000000000",
        )
        .await;
    assert_eq!(missing.status, 404);

    // Each change is in the audit log, with who made it.
    let log = w.get("admin", "/api/audit?per_page=100").await.ok();
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("organisation."))
        .collect();
    assert_eq!(actions.len(), 3, "{actions:?}");
}

async fn a_referral_goes_to_an_organisation_that_can_take_it_and_records_each_answer(db: &TestDb) {
    let w = World::start(db).await;
    let add = |body: Value| async { w.post("admin", "/api/organisations", body).await.ok() };
    let shelter_id = add(shelter("Keur Yakaar", &["SN"])).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut closed = shelter("Closed shelter", &["SN"]);
    closed["active"] = json!(false);
    let closed_id = add(closed).await["id"].as_str().unwrap().to_string();
    let (case, person) = w.single_adult().await;
    let referral = |organisation: &str, service: &str, consent: bool| {
        json!({
            "organisation": organisation,
            "service": service,
            "country": "SN",
            "people": [person],
            "consent_for": if consent { json!([person]) } else { json!([]) },
            "shared": ["identity", "contact"],
            "answer_within_days": 7,
            "note": "Arrives on the evening flight.",
        })
    };
    let events = w.events().await;
    // The directory's refusal comes with the rules' own, each at its field.
    let r = w
        .cmd(
            "counsellor",
            &case,
            "referrals",
            referral(&shelter_id, "legal_aid", false),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.codes(), ["referral.service_not_offered"]);
    let r = w
        .cmd(
            "counsellor",
            &case,
            "referrals",
            referral(&closed_id, "shelter", true),
        )
        .await;
    assert_eq!(r.codes(), ["referral.organisation_inactive"]);
    let r = w
        .cmd(
            "counsellor",
            &case,
            "referrals",
            referral("00000000-0000-0000-0000-000000000001", "shelter", true),
        )
        .await;
    assert_eq!(r.codes(), ["referral.organisation_unknown"]);
    assert_eq!(r.pointers(), ["#/organisation"]);
    let r = w
        .cmd(
            "counsellor",
            &case,
            "referrals",
            referral(&shelter_id, "shelter", false),
        )
        .await;
    assert_eq!(r.codes(), ["referral.consent_missing"]);
    // The organisation works in Senegal, not in Belgium; Georgia is neither side of
    // this case's journey.
    let mut here = referral(&shelter_id, "shelter", true);
    here["country"] = json!("BE");
    let r = w.cmd("counsellor", &case, "referrals", here).await;
    assert_eq!(r.codes(), ["referral.country_not_served"]);
    assert_eq!(r.pointers(), ["#/country"]);
    // Medical data is shared by medical officers only.
    let mut medical = referral(&shelter_id, "shelter", true);
    medical["shared"] = json!(["identity", "medical"]);
    let r = w.cmd("counsellor", &case, "referrals", medical).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(w.events().await, events, "nothing written");

    let mut sent = referral(&shelter_id, "shelter", true);
    let id = "018f0000-0000-7000-8000-00000000abcd";
    sent["referral_id"] = json!(id);
    let r = w.cmd("counsellor", &case, "referrals", sent).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let view = w.view("counsellor", &case).await;
    let made = &view["case"]["referrals"]["referrals"][id];
    assert_eq!(made["status"], "sent");
    assert_eq!(made["request"]["organisation_name"], "Keur Yakaar");
    assert!(
        view["next_steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["step"] == "referral_answer" && s["referral_id"] == id),
        "{}",
        view["next_steps"]
    );
    // Steps in order; each missing text named.
    let step = |step: &str| json!({"referral_id": id, "step": step});
    let r = w
        .cmd("counsellor", &case, "referral-steps", step("declined"))
        .await;
    assert_eq!(r.pointers(), ["#/reason"]);
    let r = w
        .cmd("counsellor", &case, "referral-steps", step("closed"))
        .await;
    assert_eq!(r.codes(), ["referral.step_not_allowed"]);
    for s in ["accepted", "in_progress"] {
        let r = w.cmd("counsellor", &case, "referral-steps", step(s)).await;
        assert_eq!(r.status, 200, "{s}: {}", r.body);
    }
    let mut delivered = step("delivered");
    delivered["what"] = json!("Met at the airport; three nights' shelter");
    assert_eq!(
        w.cmd("counsellor", &case, "referral-steps", delivered)
            .await
            .status,
        200
    );
    let view = w.view("approver", &case).await;
    let done = &view["case"]["referrals"]["referrals"][id];
    assert_eq!(done["status"], "delivered");
    assert_eq!(done["steps"].as_array().unwrap().len(), 3);
    let timeline = w
        .get("counsellor", &format!("/api/cases/{case}/timeline"))
        .await
        .ok();
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .filter(|k| k.starts_with("referral"))
        .collect();
    assert_eq!(
        kinds,
        [
            "referral_made",
            "referral_updated",
            "referral_updated",
            "referral_updated"
        ]
    );

    // A referral sent nine days ago with three days to answer is overdue for those who
    // refer, and escalated to the programme manager; another office sees neither.
    let late_id = "018f0000-0000-7000-8000-00000000beef".to_string();
    let mut late = referral(&shelter_id, "shelter", true);
    late["occurred_at"] = json!(ago(9));
    late["answer_within_days"] = json!(3);
    late["referral_id"] = json!(late_id);
    let r = w.cmd("counsellor", &case, "referrals", late).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let ids = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["referral_id"].as_str().unwrap().to_string())
            .collect()
    };
    for (user, queue, want) in [
        ("counsellor", "overdue", vec![late_id.clone()]),
        ("approver", "escalated", vec![late_id.clone()]),
        ("counsellor_ams", "overdue", vec![]),
    ] {
        let got = w
            .get(user, &format!("/api/referrals?queue={queue}"))
            .await
            .ok();
        assert_eq!(ids(got), want, "{user} {queue}");
    }
    let page = w
        .get("counsellor", "/api/referrals?queue=overdue")
        .await
        .ok();
    assert_eq!(page["items"][0]["organisation_name"], "Keur Yakaar");
    assert_eq!(page["items"][0]["service"], "shelter");
    let r = w.get("counsellor", "/api/referrals?queue=soon").await;
    assert_eq!(r.status, 400, "{}", r.body);
}

async fn a_directory_file_is_imported_whole_or_not_at_all(db: &TestDb) {
    let w = World::start(db).await;
    let send = |user: &'static str, body: &'static str, content_type: &'static str| {
        w.send(
            Some(user),
            w.http
                .post(format!("{}/api/organisations/import", w.base))
                .header("content-type", content_type)
                .body(body),
        )
    };
    let bad = "name,kind,countries,services,stages,email\n\
        Keur Yakaar,protection_shelter,SN,shelter;reception,immediate_assistance,desk@ky.example.org\n\
        Nowhere,bank,ZZ,shelter,,\n\
        Keur Yakaar,ngo,SN,shelter,return,\n";
    let r = send("admin", bad, "text/csv").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.pointers(),
        [
            "#/line/3/kind",
            "#/line/3/countries",
            "#/line/3/countries",
            "#/line/3/stages",
            "#/line/4/kind",
            "#/line/4/name",
        ],
        "{}",
        r.body
    );
    assert!(
        w.get("admin", "/api/organisations")
            .await
            .ok()
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing written"
    );
    let r = send("admin", "nom,kind\nX,police\n", "text/csv").await;
    assert!(
        r.codes().contains(&"import.unknown_column".to_string()),
        "{}",
        r.body
    );
    assert!(r.codes().contains(&"import.missing_column".to_string()));
    assert_eq!(send("counsellor", bad, "text/csv").await.status, 403);
    assert_eq!(send("admin", bad, "application/json").await.status, 415);

    // Tab-separated, as a spreadsheet copies it; then again, which updates.
    let good = "name\tkind\tcountries\tservices\tstages\tactive\n\
        Keur Yakaar\tprotection_shelter\tSN\tshelter; reception\timmediate_assistance\tyes\n\
        Thiès Training\treceiving_community\tSN\tvocational_training\treintegration\tno\n";
    let r = send("approver", good, "text/tab-separated-values").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body, json!({"added": 2, "updated": 0}));
    let r = send("approver", good, "text/csv").await;
    assert_eq!(r.body, json!({"added": 0, "updated": 2}));
    let all = w
        .get("counsellor", "/api/organisations?inactive=true")
        .await
        .ok();
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[0]["services"], json!(["reception", "shelter"]));
    assert_eq!(all[1]["active"], false);
}

/// A workbook whose first sheet holds `rows` (numbers written as numbers, as a
/// spreadsheet keeps a phone number typed without a plus sign).
fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) => sheet.write_number(r, c, n).unwrap(),
                Err(_) => sheet.write_string(r, c, *cell).unwrap(),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

async fn an_excel_workbook_is_imported_and_each_bad_row_named(db: &TestDb) {
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let w = World::start(db).await;
    let send = |body: Vec<u8>| {
        w.send(
            Some("admin"),
            w.http
                .post(format!("{}/api/organisations/import", w.base))
                .header("content-type", XLSX)
                .body(body),
        )
    };
    let header: &[&str] = &["name", "kind", "countries", "services", "stages", "phone"];
    let bad = workbook(&[
        header,
        &[
            "Keur Yakaar",
            "protection_shelter",
            "SN",
            "shelter",
            "return",
            "221338000000",
        ],
        &["Nowhere", "bank", "SN", "shelter", "return", ""],
    ]);
    let r = send(bad).await;
    assert_eq!(r.status, 422, "{}", r.body);
    // Lines are the sheet's row numbers: the header is row 1.
    assert_eq!(r.pointers(), ["#/line/3/kind"], "{}", r.body);
    let r = send(b"not a workbook".to_vec()).await;
    assert_eq!(r.codes(), ["import.unreadable"], "{}", r.body);
    let good = workbook(&[
        header,
        &[
            "Keur Yakaar",
            "protection_shelter",
            "SN",
            "shelter; reception",
            "return",
            "221338000000",
        ],
    ]);
    let r = send(good).await;
    assert_eq!(r.body, json!({"added": 1, "updated": 0}), "{}", r.body);
    let all = w.get("counsellor", "/api/organisations").await.ok();
    assert_eq!(
        all[0]["phone"], "221338000000",
        "a number cell reads as written"
    );
    assert_eq!(all[0]["services"], json!(["reception", "shelter"]));
}

homeward_store::db_tests!(
    an_excel_workbook_is_imported_and_each_bad_row_named,
    a_directory_file_is_imported_whole_or_not_at_all,
    the_directory_is_kept_by_managers_and_searched_by_everyone,
    a_referral_goes_to_an_organisation_that_can_take_it_and_records_each_answer,
);
