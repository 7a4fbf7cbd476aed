//! Several servers on one database, as DESIGN.md's growth path runs them ("several
//! servers behind a load balancer share one PostgreSQL"): each server here has its own
//! store (pools, group writer) and its own memory, as a process of its own would.

use homeward_store::testing::TestDb;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use homeward_domain::ids::CaseId;
use serde_json::{Value, json};

use crate::support::*;

/// Clients at once, and for how long.
const CLIENTS: usize = 32;
const LOAD: Duration = Duration::from_secs(6);
/// Far longer than any wait the store allows (`homeward_store::waits`) plus the work: a
/// request not answered within it is a server that hangs.
const ANSWER_WITHIN: Duration = Duration::from_secs(30);
/// The shared cases the commands contend for.
const SHARED: usize = 8;

/// A command a client was told had been done: on which case, at which version it was
/// read, the version it made, and the marker its notes carry.
struct Acked {
    case: String,
    read: u64,
    made: u64,
    marker: String,
}

#[derive(Default)]
struct Tally {
    acked: Vec<Acked>,
    /// Reads of a case or its timeline answered (each one of counselling notes).
    sensitive_reads: usize,
    conflicts: usize,
    by_server: BTreeMap<String, usize>,
    failures: Vec<String>,
}

struct Client {
    n: usize,
    http: reqwest::Client,
    servers: [String; 2],
    cases: Vec<(String, String)>,
    counsellor: String,
    approver: String,
}

impl Client {
    /// Sends and reads the answer; a request not answered in time, or answered with a
    /// status outside `expected`, is a failure.
    async fn send(
        &self,
        tally: &mut Tally,
        what: &str,
        req: reqwest::RequestBuilder,
        expected: &[u16],
    ) -> Option<(u16, Value)> {
        let answered = req.timeout(ANSWER_WITHIN).send().await;
        let res = match answered {
            Ok(res) => res,
            Err(e) => {
                tally.failures.push(format!("{what}: no answer ({e})"));
                return None;
            }
        };
        let status = res.status().as_u16();
        let body = match res.text().await {
            Ok(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
            Err(e) => {
                tally
                    .failures
                    .push(format!("{what}: the body did not arrive ({e})"));
                return None;
            }
        };
        if !expected.contains(&status) {
            tally.failures.push(format!("{what}: {status} {body}"));
            return None;
        }
        Some((status, body))
    }

    async fn run(self, until: Instant) -> Tally {
        let mut tally = Tally::default();
        let mut i = 0;
        while Instant::now() < until {
            i += 1;
            let here = &self.servers[(self.n + i) % 2];
            let there = &self.servers[(self.n + i + 1) % 2];
            *tally.by_server.entry(here.clone()).or_default() += 1;
            let (case, person) = &self.cases[(self.n + i) % self.cases.len()];
            match (self.n * 7 + i) % 10 {
                // Read a case on one server, record a session at that version on the other.
                0..=4 => {
                    self.read_and_record(&mut tally, here, there, case, person, i)
                        .await
                }
                5 => {
                    let req = self.http.get(format!("{here}/api/cases?per_page=5"));
                    self.send(
                        &mut tally,
                        "list",
                        req.bearer_auth(&self.counsellor),
                        &[200],
                    )
                    .await;
                }
                6 => {
                    let req = self.http.post(format!("{here}/api/tokens")).json(&json!({
                        "username": "counsellor2", "password": PASSWORD, "name": "load"
                    }));
                    self.send(&mut tally, "token", req, &[201]).await;
                }
                7 => {
                    let req = self.http.post(format!("{here}/api/session")).json(&json!({
                        "username": "counsellor2", "password": PASSWORD
                    }));
                    self.send(&mut tally, "sign-in", req, &[200]).await;
                }
                8 => {
                    let req = self.http.get(format!("{here}/api/statistics/pipeline"));
                    self.send(
                        &mut tally,
                        "statistics",
                        req.bearer_auth(&self.approver),
                        &[200],
                    )
                    .await;
                }
                _ => {
                    let req = self.http.get(format!("{here}/api/cases/{case}/timeline"));
                    if self
                        .send(
                            &mut tally,
                            "timeline",
                            req.bearer_auth(&self.counsellor),
                            &[200],
                        )
                        .await
                        .is_some()
                    {
                        tally.sensitive_reads += 1;
                    }
                }
            }
        }
        tally
    }

    async fn read_and_record(
        &self,
        tally: &mut Tally,
        here: &str,
        there: &str,
        case: &str,
        person: &str,
        i: usize,
    ) {
        let req = self.http.get(format!("{here}/api/cases/{case}"));
        let Some((_, view)) = self
            .send(tally, "read", req.bearer_auth(&self.counsellor), &[200])
            .await
        else {
            return;
        };
        tally.sensitive_reads += 1;
        let Some(read) = view["version"].as_u64() else {
            tally.failures.push(format!("read: no version in {view}"));
            return;
        };
        let marker = format!("load-{}-{i}", self.n);
        let req = self
            .http
            .post(format!("{there}/api/cases/{case}/counselling-sessions"))
            .bearer_auth(&self.counsellor)
            .json(&json!({
                "version": read,
                "language": "wo", "interpreter_present": false, "topics": ["return_modalities"],
                "attendees": [{"member": person}],
                "notes": marker,
            }));
        match self.send(tally, "command", req, &[200, 409]).await {
            Some((200, done)) => match done["version"].as_u64() {
                Some(made) => tally.acked.push(Acked {
                    case: case.to_string(),
                    read,
                    made,
                    marker,
                }),
                None => tally
                    .failures
                    .push(format!("command: no version in {done}")),
            },
            Some(_) => tally.conflicts += 1,
            None => {}
        }
    }
}

/// The audit entries written after `after`, by action.
async fn audit_actions_after(w: &World, after: i64) -> HashMap<String, usize> {
    let mut actions = HashMap::new();
    let mut seq = after;
    loop {
        let chunk = w.app.store().audit_chunk(seq, 500).await.unwrap();
        let Some(last) = chunk.last() else { break };
        seq = last.seq;
        for e in chunk {
            *actions.entry(e.action).or_default() += 1;
        }
    }
    actions
}

async fn two_servers_under_mixed_load_answer_every_request_and_lose_nothing(db: &TestDb) {
    // The load that hung PostgreSQL for good: many clients reading cases with
    // counselling notes (each read audited, so under the audit lock) and recording
    // sessions at the version they read on a few cases (so most conflict), with
    // sign-ins, tokens, lists and statistics, through two servers.
    let mut w = World::start(db).await;
    let other = w.another_process(db).await;
    let mut cases = vec![];
    for _ in 0..SHARED {
        let (case, awa) = w.single_adult().await;
        w.session(&case, vec![json!({"member": awa})], "wo", 3)
            .await
            .ok();
        cases.push((case, awa));
    }
    let mut before = HashMap::new();
    for (case, _) in &cases {
        before.insert(case.clone(), w.version(case).await);
    }
    let audit_mark = w.app.store().verify_audit().await.unwrap().unwrap() as i64;
    let until = Instant::now() + LOAD;
    let mut clients = tokio::task::JoinSet::new();
    for n in 0..CLIENTS {
        let client = Client {
            n,
            http: reqwest::Client::new(),
            servers: [w.base.clone(), other.clone()],
            cases: cases.clone(),
            counsellor: w
                .token(if n % 2 == 0 {
                    "counsellor"
                } else {
                    "counsellor2"
                })
                .to_string(),
            approver: w.token("approver").to_string(),
        };
        clients.spawn(client.run(until));
    }
    let tallies = clients.join_all().await;
    let failures: Vec<&String> = tallies.iter().flat_map(|t| &t.failures).collect();
    assert!(
        failures.is_empty(),
        "{} requests failed, the first: {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    let acked: Vec<&Acked> = tallies.iter().flat_map(|t| &t.acked).collect();
    let conflicts: usize = tallies.iter().map(|t| t.conflicts).sum();
    let sensitive_reads: usize = tallies.iter().map(|t| t.sensitive_reads).sum();
    let requests: usize = tallies.iter().flat_map(|t| t.by_server.values()).sum();
    eprintln!(
        "{requests} rounds: {} commands acknowledged, {conflicts} conflicts, {sensitive_reads} sensitive reads",
        acked.len()
    );
    assert!(
        !acked.is_empty() && conflicts > 0,
        "{} acknowledged, {conflicts} conflicts",
        acked.len()
    );
    for server in [&w.base, &other] {
        assert!(
            tallies
                .iter()
                .any(|t| t.by_server.get(server).copied().unwrap_or(0) > 0)
        );
    }

    // Every acknowledged command is in the log exactly once, at the version it was
    // told, and nothing else was written.
    let mut made_per_case: HashMap<&str, HashSet<u64>> = HashMap::new();
    for a in &acked {
        assert!(
            made_per_case.entry(&a.case).or_default().insert(a.made),
            "two clients told version {} of {}",
            a.made,
            a.case
        );
    }
    let mut written = 0;
    let mut logged = String::new();
    for (case, _) in &cases {
        let events = w
            .app
            .store()
            .load_events(CaseId(case.parse().unwrap()))
            .await
            .unwrap();
        let versions: Vec<u64> = events.iter().map(|e| e.meta.version).collect();
        assert_eq!(versions, (1..=events.len() as u64).collect::<Vec<_>>());
        written += events.len() as u64 - before[case];
        for e in &events {
            logged.push_str(&serde_json::to_string(&e.event).unwrap());
            logged.push('\n');
        }
    }
    let told: u64 = acked.iter().map(|a| a.made - a.read).sum();
    assert_eq!(written, told, "events written beyond what was acknowledged");
    for a in &acked {
        let needle = format!("\"{}\"", a.marker);
        assert_eq!(
            logged.matches(&needle).count(),
            1,
            "{} in the log",
            a.marker
        );
    }

    // Every read of counselling notes answered is in the audit chain, and the chain
    // verifies.
    let actions = audit_actions_after(&w, audit_mark).await;
    assert_eq!(
        actions.get("case.read_sensitive").copied().unwrap_or(0),
        sensitive_reads,
        "{actions:?}"
    );
    let entries = w.app.store().verify_audit().await.unwrap().unwrap() as i64;
    assert!(entries >= audit_mark + (acked.len() + sensitive_reads) as i64);
}

async fn a_sign_out_or_a_new_password_on_one_server_is_honoured_by_the_other(db: &TestDb) {
    let mut w = World::start(db).await;
    let other = w.another_process(db).await;
    let token = |base: String| {
        let http = w.http.clone();
        async move {
            let res = http
                .post(format!("{base}/api/tokens"))
                .json(&json!({
                    "username": "counsellor2", "password": PASSWORD, "name": "two servers"
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
            res.json::<Value>().await.unwrap()["token"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let whoami = |base: String, token: String| {
        let http = w.http.clone();
        async move {
            http.get(format!("{base}/api/session"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Each server answers the other's tokens (both read them before).
    let (on_a, on_b) = (token(w.base.clone()).await, token(other.clone()).await);
    for base in [&w.base, &other] {
        assert_eq!(whoami(base.clone(), on_a.clone()).await, 200);
        assert_eq!(whoami(base.clone(), on_b.clone()).await, 200);
    }
    // Signed out on B, a token is refused by A at its next request.
    let res = w
        .http
        .delete(format!("{other}/api/session"))
        .bearer_auth(&on_a)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(whoami(w.base.clone(), on_a.clone()).await, 401);
    assert_eq!(whoami(other.clone(), on_b.clone()).await, 200);
    // A new password set on A ends every session, B's included.
    let res = w
        .http
        .post(format!("{}/api/session/password", w.base))
        .bearer_auth(&on_b)
        .json(&json!({
            "current_password": PASSWORD, "new_password": "a brand new passphrase"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(whoami(other.clone(), on_b.clone()).await, 401);
    assert_eq!(whoami(w.base.clone(), on_b).await, 401);
    // B takes the new password and refuses the old one.
    let res = w
        .http
        .post(format!("{other}/api/tokens"))
        .json(&json!({
            "username": "counsellor2", "password": PASSWORD, "name": "old"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = w
        .http
        .post(format!("{other}/api/tokens"))
        .json(&json!({
            "username": "counsellor2", "password": "a brand new passphrase", "name": "new"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

async fn each_server_lists_and_counts_what_the_other_wrote(db: &TestDb) {
    let mut w = World::start(db).await;
    let other = w.another_process(db).await;
    let seen = |base: String| {
        let (http, counsellor, approver) = (
            w.http.clone(),
            w.token("counsellor").to_string(),
            w.token("approver").to_string(),
        );
        async move {
            let list: Value = http
                .get(format!("{base}/api/cases?per_page=100"))
                .bearer_auth(&counsellor)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let pipeline: Value = http
                .get(format!("{base}/api/statistics/pipeline"))
                .bearer_auth(&approver)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (
                list["total"].as_u64().unwrap(),
                pipeline["cases_by_stage"]["total"].as_u64().unwrap(),
                list,
            )
        }
    };
    // Both have read (and the statistics have loaded) before the writes.
    let (listed, counted, _) = seen(w.base.clone()).await;
    assert_eq!(seen(other.clone()).await.0, listed);
    for (writer, reader) in [
        (other.clone(), w.base.clone()),
        (w.base.clone(), other.clone()),
    ] {
        let before = seen(reader.clone()).await;
        let r = w
            .post_to(
                &writer,
                "counsellor",
                "/api/cases",
                json!({
                    "host_office": w.bru, "programme": w.programme,
                    "referral": {"source": "self_referral"},
                    "proposal": {"country_of_return": "SN", "return_kind": "origin"},
                    "members": [member("principal", adult("Fatou"))],
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.body["case_id"].as_str().unwrap().to_string();
        let (l, c, list) = seen(reader.clone()).await;
        assert_eq!(
            (l, c),
            (before.0 + 1, before.1 + 1),
            "{reader} sees what {writer} wrote"
        );
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["id"] == json!(id)),
            "{list}"
        );
    }
    let (l, c, _) = seen(w.base.clone()).await;
    assert_eq!((l, c), (listed + 2, counted + 2));
}

homeward_store::db_tests!(
    two_servers_under_mixed_load_answer_every_request_and_lose_nothing,
    a_sign_out_or_a_new_password_on_one_server_is_honoured_by_the_other,
    each_server_lists_and_counts_what_the_other_wrote,
);
