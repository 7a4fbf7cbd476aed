//! The stakeholder directory over the API: kept by administrators and programme
//! managers, read by everyone signed in, searched by country, service, stage and name.

use serde_json::{Value, json};

use crate::support::*;
use homeward_store::testing::TestDb;

fn shelter(name: &str, countries: &[&str]) -> Value {
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

homeward_store::db_tests!(the_directory_is_kept_by_managers_and_searched_by_everyone,);
