//! Crashes: the server, under concurrent writes, is killed with SIGKILL at random
//! moments, twenty times, on SQLite and on PostgreSQL. After each kill, every write that
//! was answered with success is in the log, the read models equal a rebuild from the log,
//! the audit chain verifies, and SQLite's integrity check passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use homeward_domain::ids::CaseId;
use homeward_store::Store;
use homeward_store::testing::TestDb;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

const KILLS: usize = 20;
const CLIENTS: usize = 6;

/// Starts `homeward serve` on `url` at a free port; returns the child and its address.
fn serve(url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_homeward"))
        .args(["serve", "--database-url", url, "--bind", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.strip_prefix("Homeward is serving on ")
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the server did not start");
    (child, base)
}

/// What the clients were told had succeeded: each case, and the version it reached.
type Acknowledged = Arc<Mutex<Vec<(String, u64)>>>;

fn registration(office: &Value, programme: &Value, n: usize) -> Value {
    json!({
        "host_office": office,
        "programme": programme,
        "referral": {"source": "self_referral"},
        "proposal": {"country_of_return": "SN", "return_kind": "origin"},
        "members": [{"relationship": "principal", "details": {
            "name": {"given": format!("Crash{n}"), "family": "Diallo"},
            "date_of_birth": {"exact": "1990-05-01"},
            "sex": "female", "nationality": "SN", "languages": ["wo"],
            "legal_situation": "irregular_stay"
        }}],
    })
}

/// A client: registers a case, records a session on it, and again, until the server dies.
async fn client(
    base: String,
    token: String,
    office: Value,
    programme: Value,
    id: usize,
    acked: Acknowledged,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    for n in 0.. {
        let Ok(res) = http
            .post(format!("{base}/api/cases"))
            .bearer_auth(&token)
            .json(&registration(&office, &programme, id * 10_000 + n))
            .send()
            .await
        else {
            return;
        };
        if res.status() != 201 {
            assert!(
                res.status().is_server_error() || res.status() == 503,
                "registration: {}",
                res.status()
            );
            return;
        }
        let Ok(body) = res.json::<Value>().await else {
            return;
        };
        let case = body["case_id"].as_str().unwrap().to_string();
        acked
            .lock()
            .unwrap()
            .push((case.clone(), body["version"].as_u64().unwrap()));
        let Ok(res) = http
            .get(format!("{base}/api/cases/{case}"))
            .bearer_auth(&token)
            .send()
            .await
        else {
            return;
        };
        let Ok(view) = res.json::<Value>().await else {
            return;
        };
        let person = view["case"]["members"][0]["person_id"].clone();
        assert!(person.is_string(), "{view}");
        let session = json!({
            "version": body["version"], "language": "wo", "interpreter_present": false,
            "topics": ["return_modalities"], "attendees": [{"member": person}]
        });
        let Ok(res) = http
            .post(format!("{base}/api/cases/{case}/counselling-sessions"))
            .bearer_auth(&token)
            .json(&session)
            .send()
            .await
        else {
            return;
        };
        if res.status() == 200 {
            let Ok(body) = res.json::<Value>().await else {
                return;
            };
            acked
                .lock()
                .unwrap()
                .push((case, body["version"].as_u64().unwrap()));
        }
    }
}

async fn check(url: &str, acked: &[(String, u64)]) {
    let store = Store::connect(url).await.unwrap();
    for (case, version) in acked {
        let events = store
            .load_events(CaseId(case.parse().unwrap()))
            .await
            .unwrap();
        assert!(
            events.len() as u64 >= *version,
            "case {case} acknowledged at version {version}, found {}",
            events.len()
        );
    }
    let before = (
        store.read_model_snapshot().await.unwrap(),
        store.stats_snapshot().await.unwrap(),
    );
    store.rebuild_read_models().await.unwrap();
    let after = (
        store.read_model_snapshot().await.unwrap(),
        store.stats_snapshot().await.unwrap(),
    );
    assert!(
        before == after,
        "the read models differ from a rebuild from the log"
    );
    assert!(
        store.verify_audit().await.unwrap().is_ok(),
        "the audit chain is broken"
    );
    assert_eq!(
        store.integrity_check().await.unwrap(),
        vec!["ok".to_string()]
    );
    store.close().await;
}

async fn crash_repeatedly(db: &TestDb) {
    let url = db.url();
    db.store.close().await;
    let out = Command::new(env!("CARGO_BIN_EXE_homeward"))
        .args([
            "generate",
            "--database-url",
            &url,
            "--cases",
            "10",
            "--seed",
            "3",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let acked: Acknowledged = Arc::default();
    let mut rng = StdRng::seed_from_u64(42);
    let (mut token, mut office, mut programme) = (String::new(), Value::Null, Value::Null);
    for kill in 0..KILLS {
        let (mut child, base) = serve(&url);
        if token.is_empty() {
            let http = reqwest::Client::new();
            let t: Value = http.post(format!("{base}/api/tokens")).json(&json!({"username": "counsellor", "password": "demo-counsellor-2026", "name": "crash test"})).send().await.unwrap().json().await.unwrap();
            token = t["token"].as_str().unwrap().to_string();
            let get = |path: &str| http.get(format!("{base}{path}")).bearer_auth(&token).send();
            let offices: Value = get("/api/offices").await.unwrap().json().await.unwrap();
            office = offices
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["code"] == "BRU")
                .unwrap()["id"]
                .clone();
            let programmes: Value = get("/api/programmes").await.unwrap().json().await.unwrap();
            programme = programmes[0]["id"].clone();
        }
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                tokio::spawn(client(
                    base.clone(),
                    token.clone(),
                    office.clone(),
                    programme.clone(),
                    kill * CLIENTS + c,
                    acked.clone(),
                ))
            })
            .collect();
        // Kill at a random moment once the load is running (on a busy machine a fixed
        // window could end before the server has answered anything).
        let progress = || acked.lock().unwrap().iter().map(|(_, v)| *v).sum::<u64>();
        let (start, waited) = (progress(), std::time::Instant::now());
        while progress() < start + 2 * CLIENTS as u64 && waited.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng.random_range(50..400))).await;
        child.kill().unwrap();
        child.wait().unwrap();
        for c in clients {
            c.await.unwrap();
        }
        let acked_now = acked.lock().unwrap().clone();
        check(&url, &acked_now).await;
    }
    let n = acked.lock().unwrap().len();
    assert!(
        n > KILLS,
        "the clients wrote too little to test anything: {n}"
    );
    let sessions = acked.lock().unwrap().iter().filter(|(_, v)| *v > 2).count();
    assert!(
        sessions > KILLS,
        "too few sessions were recorded to test updates: {sessions}"
    );
    eprintln!("{KILLS} kills, {n} acknowledged writes ({sessions} sessions), all found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_loses_no_acknowledged_write_when_killed() {
    let db = TestDb::sqlite().await.unwrap();
    crash_repeatedly(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_loses_no_acknowledged_write_when_killed() {
    let Some(db) = TestDb::postgres().await.unwrap() else {
        return;
    };
    crash_repeatedly(&db).await;
    db.finish().await.unwrap();
}
