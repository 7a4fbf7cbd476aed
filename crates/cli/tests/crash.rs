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
        // A read may meet the storage unavailable too (a connection the database ended
        // while the server was paused): said so, and this client stops like the others.
        if res.status() != 200 {
            assert!(res.status().is_server_error(), "read: {}", res.status());
            return;
        }
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
    if before != after {
        // Say where: which read model, and its first row that differs.
        let first = |a: &[String], b: &[String]| {
            a.iter()
                .zip(b)
                .find(|(x, y)| x != y)
                .map(|(x, y)| format!("{x}\n  rebuilt: {y}"))
                .unwrap_or_else(|| format!("{} rows, rebuilt {}", a.len(), b.len()))
        };
        fn dbg(v: &[impl std::fmt::Debug]) -> Vec<String> {
            v.iter().map(|r| format!("{r:?}")).collect()
        }
        let parts = [
            ("cases", dbg(&before.0.0), dbg(&after.0.0)),
            ("people", dbg(&before.0.1), dbg(&after.0.1)),
            ("returns", dbg(&before.1.returns), dbg(&after.1.returns)),
            (
                "interruptions",
                dbg(&before.1.interruptions),
                dbg(&after.1.interruptions),
            ),
            (
                "follow-ups",
                dbg(&before.1.follow_ups),
                dbg(&after.1.follow_ups),
            ),
            (
                "referrals",
                dbg(&before.1.referrals),
                dbg(&after.1.referrals),
            ),
        ];
        let differ: Vec<String> = parts
            .iter()
            .filter(|(_, a, b)| a != b)
            .map(|(name, a, b)| format!("{name}: {}", first(a, b)))
            .collect();
        panic!(
            "the read models differ from a rebuild from the log:\n{}",
            differ.join("\n")
        );
    }
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

/// Ten generated cases (with the demo's offices, programme and users) on `db`, whose store
/// is closed: the database's URL.
async fn generated(db: &TestDb) -> String {
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
    url
}

/// What the clients need: the demo counsellor's token, the Brussels office, the programme.
async fn counsellor_at(base: &str) -> (String, Value, Value) {
    let http = reqwest::Client::new();
    let t: Value = http
        .post(format!("{base}/api/tokens"))
        .json(&json!({"username": "counsellor", "password": "demo-counsellor-2026", "name": "crash test"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = t["token"].as_str().unwrap().to_string();
    let get = |path: &str| http.get(format!("{base}{path}")).bearer_auth(&token).send();
    let offices: Value = get("/api/offices").await.unwrap().json().await.unwrap();
    let office = offices
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == "BRU")
        .unwrap()["id"]
        .clone();
    let programmes: Value = get("/api/programmes").await.unwrap().json().await.unwrap();
    (token, office, programmes[0]["id"].clone())
}

/// The sum of the versions acknowledged so far: grows with every write a client is told of.
fn progress(acked: &Acknowledged) -> u64 {
    acked.lock().unwrap().iter().map(|(_, v)| *v).sum()
}

/// Waits until `acked` has grown by `by`, for `within` at most; whether it did.
async fn grows(acked: &Acknowledged, by: u64, within: Duration) -> bool {
    let (start, waited) = (progress(acked), std::time::Instant::now());
    while waited.elapsed() < within {
        if progress(acked) >= start + by {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

fn clients_of(
    base: &str,
    (token, office, programme): &(String, Value, Value),
    first: usize,
    acked: &Acknowledged,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..CLIENTS)
        .map(|c| {
            tokio::spawn(client(
                base.to_string(),
                token.clone(),
                office.clone(),
                programme.clone(),
                first + c,
                acked.clone(),
            ))
        })
        .collect()
}

async fn crash_repeatedly(db: &TestDb) {
    let url = generated(db).await;
    let acked: Acknowledged = Arc::default();
    let mut rng = StdRng::seed_from_u64(42);
    let mut who = None;
    for kill in 0..KILLS {
        let (mut child, base) = serve(&url);
        if who.is_none() {
            who = Some(counsellor_at(&base).await);
        }
        let clients = clients_of(&base, who.as_ref().unwrap(), kill * CLIENTS, &acked);
        // Kill at a random moment once the load is running (on a busy machine a fixed
        // window could end before the server has answered anything).
        grows(&acked, 2 * CLIENTS as u64, Duration::from_secs(10)).await;
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

/// Two servers on one database, each with clients of its own; one is killed (SIGKILL) in
/// the middle of the load. The other goes on writing, and nothing either acknowledged is
/// lost.
async fn kill_one_of_two(db: &TestDb) {
    let url = generated(db).await;
    let (mut killed, killed_base) = serve(&url);
    let (mut survivor, survivor_base) = serve(&url);
    let who = counsellor_at(&killed_base).await;
    let (acked_killed, acked_survivor): (Acknowledged, Acknowledged) = Default::default();
    let mut clients = clients_of(&killed_base, &who, 0, &acked_killed);
    clients.extend(clients_of(&survivor_base, &who, CLIENTS, &acked_survivor));
    assert!(grows(&acked_killed, 2 * CLIENTS as u64, Duration::from_secs(20)).await);
    tokio::time::sleep(Duration::from_millis(
        StdRng::seed_from_u64(7).random_range(50..400),
    ))
    .await;
    killed.kill().unwrap();
    killed.wait().unwrap();
    assert!(
        grows(&acked_survivor, 4 * CLIENTS as u64, Duration::from_secs(30)).await,
        "the surviving server stopped writing when the other was killed"
    );
    survivor.kill().unwrap();
    survivor.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let mut acked = acked_killed.lock().unwrap().clone();
    acked.extend(acked_survivor.lock().unwrap().iter().cloned());
    check(&url, &acked).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_one_of_two_servers_killed_the_other_goes_on() {
    let db = TestDb::sqlite().await.unwrap();
    kill_one_of_two(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_one_of_two_servers_killed_the_other_goes_on() {
    let Some(db) = TestDb::postgres().await.unwrap() else {
        return;
    };
    kill_one_of_two(&db).await;
    db.finish().await.unwrap();
}

/// Sends a signal to a process (`STOP`, `CONT`).
fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{name}");
}

/// Registers a case on `base` and waits for the answer; its status and how long it took.
async fn register_on(base: &str, who: &(String, Value, Value), n: usize) -> (u16, Duration) {
    let started = std::time::Instant::now();
    let res = reqwest::Client::new()
        .post(format!("{base}/api/cases"))
        .bearer_auth(&who.0)
        .json(&registration(&who.1, &who.2, n))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_server_paused_inside_a_transaction_stalls_the_other_only_for_a_while() {
    // A server whose process stops (paused, cut off) while one of its connections is in
    // the middle of a transaction holding the audit lock: the other server answers 503
    // within the lock's wait (`waits::LOCK`), and writes again once the database has
    // ended the stopped session (`waits::IDLE_IN_TRANSACTION`), with no restart.
    use homeward_store::waits;
    use sqlx::Connection;
    let Some(db) = TestDb::postgres().await.unwrap() else {
        return;
    };
    let url = generated(&db).await;
    let (mut paused, paused_base) = serve(&url);
    let (mut other, other_base) = serve(&url);
    let who = counsellor_at(&paused_base).await;
    let acked: Acknowledged = Arc::default();
    let clients = clients_of(&paused_base, &who, 0, &acked);
    assert!(grows(&acked, 2 * CLIENTS as u64, Duration::from_secs(20)).await);
    // Stop the process until it is stopped with the lock held, idle in its transaction
    // (the other server's sessions are never idle in a transaction for that long).
    let mut pg = sqlx::PgConnection::connect(&url).await.unwrap();
    let (class, key) = homeward_store::POSTGRES_AUDIT_LOCK
        .split_once(", ")
        .unwrap();
    let held_idle = format!(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND a.state = 'idle in transaction' \
         AND a.state_change < clock_timestamp() - interval '100 milliseconds' \
         AND (l.classid::bigint, l.objid::bigint, l.objsubid) = \
         ({class}, ({key})::bigint & 4294967295, 2)"
    );
    let mut caught = false;
    for _ in 0..300 {
        signal(&paused, "STOP");
        tokio::time::sleep(Duration::from_millis(150)).await;
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(held_idle.clone()))
            .fetch_one(&mut pg)
            .await
            .unwrap();
        if n > 0 {
            caught = true;
            break;
        }
        signal(&paused, "CONT");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(caught, "the server was never stopped inside a transaction");
    let stopped = std::time::Instant::now();
    // The other server: each write answered within the lock's wait and a margin, with a
    // 503 while the lock is held, until one goes through.
    let margin = Duration::from_secs(10);
    let mut n = 1_000_000;
    loop {
        n += 1;
        let (status, took) = register_on(&other_base, &who, n).await;
        assert!(took < waits::LOCK + margin, "a write waited {took:?}");
        if status == 201 {
            break;
        }
        assert_eq!(status, 503, "while the lock is held");
        assert!(
            stopped.elapsed() < waits::IDLE_IN_TRANSACTION + margin,
            "the other server still cannot write after {:?}",
            stopped.elapsed()
        );
    }
    eprintln!(
        "the other server wrote again {:?} after the pause, after {} refusals",
        stopped.elapsed(),
        n - 1_000_001
    );
    let ready = reqwest::get(format!("{other_base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    // The paused server, resumed, writes again by itself (its session was ended).
    signal(&paused, "CONT");
    let mut written = false;
    for _ in 0..20 {
        n += 1;
        if register_on(&paused_base, &who, n).await.0 == 201 {
            written = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(written, "the resumed server did not recover");
    paused.kill().unwrap();
    paused.wait().unwrap();
    other.kill().unwrap();
    other.wait().unwrap();
    // Its clients end with it.
    for c in clients {
        c.await.unwrap();
    }
    pg.close().await.unwrap();
    let acked = acked.lock().unwrap().clone();
    check(&url, &acked).await;
    db.finish().await.unwrap();
}
