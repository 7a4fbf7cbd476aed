//! Commands under load: the counselling session against the database floor, the
//! contended mix on a few shared cases, and the reintegration and follow-up commands.

use super::*;

/// A case a client records sessions on: its id, who attends, and its version.
pub(super) struct Target {
    pub(super) case: String,
    pub(super) attendee: Value,
    pub(super) version: u64,
}

/// Cases the command benchmark records sessions on.
pub(super) const TARGET_CASES: usize = 1000;

/// A target case has at most this many events: generated cases in counselling have a
/// handful; more means an earlier run wrote on it.
pub(super) const MAX_TARGET_VERSION: u64 = 20;

/// Cases in counselling that accept a session, as many as `wanted`.
pub(super) async fn targets(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    wanted: usize,
) -> Result<Vec<Mutex<Target>>> {
    let mut out = vec![];
    // The list is newest first: the cases an earlier run on the same database recorded
    // sessions on come first, with a hundred or more events each. Those are passed over,
    // so that every run measures cases of a generated size.
    for page in 1..=100 {
        let list: Value = http
            .get(format!(
                "{base}/api/cases?stage=counselling&per_page=100&page={page}"
            ))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        for item in items {
            let Some(case) = item["id"].as_str() else {
                continue;
            };
            let view: Value = http
                .get(format!("{base}/api/cases/{case}"))
                .bearer_auth(token)
                .send()
                .await?
                .json()
                .await?;
            let attendee = json!({"member": view["case"]["members"][0]["person_id"]});
            let version = view["version"].as_u64().unwrap_or(0);
            if version > MAX_TARGET_VERSION {
                continue;
            }
            let res = http
                .post(format!("{base}/api/cases/{case}/counselling-sessions"))
                .bearer_auth(token)
                .json(&session(version, &attendee))
                .send()
                .await?;
            if res.status() == 200 {
                let v: Value = res.json().await?;
                out.push(Mutex::new(Target {
                    case: case.to_string(),
                    attendee,
                    version: v["version"].as_u64().unwrap_or(version + 1),
                }));
                if out.len() >= wanted {
                    return Ok(out);
                }
            }
        }
    }
    if out.is_empty() {
        bail!(
            "no case in counselling accepts a session: earlier runs on this database have \
             recorded sessions on every one the harness looks at (each run takes {wanted}). \
             Delete the database's marker, `<data>/<backend>-<cases>.json`, and the next run \
             generates it again"
        );
    }
    if out.len() < wanted {
        eprintln!(
            "  only {} cases in counselling accept a session (of {wanted} wanted): earlier \
             runs used the others; the clients share these",
            out.len()
        );
    }
    Ok(out)
}

pub(super) fn session(version: u64, attendee: &Value) -> Value {
    json!({
        "version": version, "language": "fr", "interpreter_present": false,
        "topics": ["return_modalities", "conditions_in_country_of_return"],
        "attendees": [attendee],
    })
}

/// Cases the contended load shares among all its clients.
pub(super) const SHARED_CASES: usize = 8;

/// The contended load (see `ContendedRun`), through one server and then two, at each
/// concurrency of 16 clients or more that the commands were measured at.
pub(super) async fn contended(
    args: &Args,
    url: &str,
    base: &str,
    http: &reqwest::Client,
    token: &str,
    commands: &[CommandRun],
) -> Result<Vec<ContendedRun>> {
    if !commands.iter().any(|c| c.clients >= 16) {
        return Ok(vec![]);
    }
    // Cases of their own: the command runs' targets have had many sessions since.
    let shared: Vec<(String, Value)> = targets(http, base, token, SHARED_CASES)
        .await?
        .into_iter()
        .map(|t| {
            let t = t.into_inner();
            (t.case, t.attendee)
        })
        .collect();
    // Notes on each: a counsellor's read of the case is then audited.
    for (case, attendee) in &shared {
        let view: Value = http
            .get(format!("{base}/api/cases/{case}"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        let mut body = session(view["version"].as_u64().unwrap_or(0), attendee);
        body["notes"] = json!("Benchmark: notes make each read of this case an audited one.");
        http.post(format!("{base}/api/cases/{case}/counselling-sessions"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
    }
    let shared = Arc::new(shared);
    let (mut second, second_base) = serve(url)?;
    let bases = Arc::new([base.to_string(), second_base]);
    let mut out = vec![];
    for servers in [1, 2] {
        for c in commands.iter().filter(|c| c.clients >= 16) {
            let clients = c.clients;
            eprintln!("  contended: {servers} server(s), {clients} clients");
            let (http, token, shared, bases) = (
                http.clone(),
                token.to_string(),
                shared.clone(),
                bases.clone(),
            );
            let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let counted = done.clone();
            let started = Instant::now();
            let m = load(
                clients,
                Stop::After(Duration::from_secs(args.seconds)),
                move |c, i| {
                    let (http, token, shared, bases, done) = (
                        http.clone(),
                        token.clone(),
                        shared.clone(),
                        bases.clone(),
                        counted.clone(),
                    );
                    async move {
                        let (case, attendee) = &shared[(c + i) % shared.len()];
                        let (here, there) =
                            (&bases[(c + i) % servers], &bases[(c + i + 1) % servers]);
                        let read = http
                            .get(format!("{here}/api/cases/{case}"))
                            .bearer_auth(&token)
                            .send()
                            .await;
                        let Ok(read) = read else {
                            return Outcome::Failed;
                        };
                        if !read.status().is_success() {
                            return Outcome::Failed;
                        }
                        let Ok(view) = read.json::<Value>().await else {
                            return Outcome::Failed;
                        };
                        let version = view["version"].as_u64().unwrap_or(0);
                        let res = http
                            .post(format!("{there}/api/cases/{case}/counselling-sessions"))
                            .bearer_auth(&token)
                            .json(&session(version, attendee))
                            .send()
                            .await;
                        let Ok(res) = res else { return Outcome::Failed };
                        match outcome(res.status()) {
                            Outcome::Done => {
                                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                Outcome::Done
                            }
                            // A conflict is an answer: the round counts.
                            Outcome::Conflict => Outcome::Done,
                            Outcome::Failed => Outcome::Failed,
                        }
                    }
                },
            )
            .await;
            let secs = started.elapsed().as_secs_f64();
            let done = done.load(std::sync::atomic::Ordering::Relaxed);
            out.push(ContendedRun {
                servers,
                clients,
                done_per_second: done as f64 / secs,
                conflicts: m.stats.n.saturating_sub(done),
                errors: m.errors,
                rounds: m.stats,
                floor: c.floor.clone(),
            });
        }
    }
    second.kill()?;
    second.wait()?;
    Ok(out)
}

pub(super) async fn commands(
    args: &Args,
    url: &str,
    base: &str,
    http: &reqwest::Client,
    token: &str,
) -> Result<Vec<CommandRun>> {
    let max = args.clients.iter().copied().max().unwrap_or(1);
    // Many cases, each visited by one client at a time and a few times in all: a real case
    // has tens of events, not the thousands one case would collect under the whole load
    // (a command replays its case's history).
    let targets = Arc::new(targets(http, base, token, TARGET_CASES.max(max)).await?);
    let store = Store::connect(url).await?;
    store
        .execute_unchecked(
            "CREATE TABLE IF NOT EXISTS bench_floor (n BIGINT NOT NULL, payload TEXT NOT NULL)",
        )
        .await?;
    let mut out = vec![];
    for &clients in &args.clients {
        eprintln!("  commands at {clients} clients");
        let payload = "x".repeat(300);
        let floor = {
            let store = store.clone();
            let payload = payload.clone();
            load(
                clients,
                Stop::After(Duration::from_secs(args.seconds)),
                move |c, i| {
                    let (store, payload) = (store.clone(), payload.clone());
                    async move {
                        match store
                            .floor_insert((c * 1_000_000 + i) as i64, &payload)
                            .await
                        {
                            Ok(()) => Outcome::Done,
                            Err(_) => Outcome::Failed,
                        }
                    }
                },
            )
            .await
        };
        let cmd = {
            let (http, base, token, targets) = (
                http.clone(),
                base.to_string(),
                token.to_string(),
                targets.clone(),
            );
            load(
                clients,
                Stop::After(Duration::from_secs(args.seconds)),
                move |c, i| {
                    let (http, base, token, targets) =
                        (http.clone(), base.clone(), token.clone(), targets.clone());
                    async move {
                        let mut t = targets[(c + i * clients) % targets.len()].lock().await;
                        let res = http
                            .post(format!("{base}/api/cases/{}/counselling-sessions", t.case))
                            .bearer_auth(&token)
                            .json(&session(t.version, &t.attendee))
                            .send()
                            .await;
                        let Ok(res) = res else { return Outcome::Failed };
                        let status = res.status();
                        let body: Value = res.json().await.unwrap_or(Value::Null);
                        if status.as_u16() == 200 {
                            t.version = body["version"].as_u64().unwrap_or(t.version + 1);
                        } else if status.as_u16() == 409 {
                            t.version = body["current_version"].as_u64().unwrap_or(t.version);
                        }
                        outcome(status)
                    }
                },
            )
            .await
        };
        out.push(CommandRun {
            clients,
            ratio: if floor.stats.per_second > 0.0 {
                cmd.stats.per_second / floor.stats.per_second
            } else {
                0.0
            },
            command: cmd.stats,
            floor: floor.stats,
            conflicts: cmd.conflicts,
            errors: cmd.errors + floor.errors,
        });
    }
    store.execute_unchecked("DROP TABLE bench_floor").await?;
    store.close().await;
    Ok(out)
}

/// A case that commands are sent to in turn (`case_commands`), at the version it is at.
pub(super) struct CaseTarget {
    pub(super) case: String,
    pub(super) version: u64,
    /// Commands sent to it so far.
    pub(super) visits: usize,
    pub(super) kind: TargetKind,
}

pub(super) enum TargetKind {
    /// A plan in force with an item open: a delivery, then a draft revision, in turn.
    Plan {
        item: Value,
        currency: Value,
        /// The plan in force as a draft of it: its items and exceptions.
        draft: Value,
    },
    /// A returnee who answered the programme's survey at least twice, differently: a
    /// follow-up that reaches them and records one of their two last answers, then the
    /// other, in turn, scored by the server (each changes the kept sums of scores).
    FollowUp { with: Value, surveys: [Value; 2] },
}

impl CaseTarget {
    /// The next command: its path under the case, its body, and which of the run's two
    /// kinds it is.
    pub(super) fn next(&mut self) -> (&'static str, Value, usize) {
        let visit = self.visits;
        self.visits += 1;
        let version = self.version;
        match &self.kind {
            TargetKind::Plan { draft, .. } if visit % 2 == 1 => {
                let mut d = draft.clone();
                d["version"] = json!(version);
                ("plan-versions", d, 1)
            }
            TargetKind::Plan { .. } => ("deliveries", delivery(self), 0),
            TargetKind::FollowUp { with, surveys } => (
                "follow-ups",
                json!({"version": version, "mode": "phone", "result": "reached",
                    "with": with, "survey": surveys[visit % 2]}),
                0,
            ),
        }
    }
}

/// A plan target has at most this many events: a generated case in reintegration has
/// tens; more means an earlier run wrote on it.
pub(super) const MAX_PLAN_TARGET_VERSION: u64 = 80;

pub(super) fn delivery(t: &CaseTarget) -> Value {
    let TargetKind::Plan { item, currency, .. } = &t.kind else {
        return Value::Null;
    };
    json!({
        "version": t.version, "item_id": item, "channel": "paid_to_vendor",
        "amount": {"amount_minor": 100, "currency": currency},
        "proof": "Benchmark receipt",
    })
}

/// Cases in reintegration whose plan in force takes a delivery of 1.00, as many as
/// `wanted`.
pub(super) async fn plan_targets(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    wanted: usize,
) -> Result<Vec<Mutex<CaseTarget>>> {
    let mut out = vec![];
    'pages: for page in 1..=100 {
        let list: Value = http
            .get(format!(
                "{base}/api/cases?stage=reintegration&per_page=100&page={page}"
            ))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        for item in items {
            let Some(case) = item["id"].as_str() else {
                continue;
            };
            let view: Value = http
                .get(format!("{base}/api/cases/{case}"))
                .bearer_auth(token)
                .send()
                .await?
                .json()
                .await?;
            let version = view["version"].as_u64().unwrap_or(0);
            let versions = view["case"]["reintegration"]["versions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let Some(plan) = versions.iter().rev().find(|v| v["status"] == "approved") else {
                continue;
            };
            if version > MAX_PLAN_TARGET_VERSION {
                continue;
            }
            let draft = json!({
                "items": plan["items"],
                "cap_exception": plan["cap_exception"],
                "budget_exception": plan["budget_exception"],
            });
            for it in plan["items"].as_array().cloned().unwrap_or_default() {
                let mut t = CaseTarget {
                    case: case.to_string(),
                    version,
                    visits: 0,
                    kind: TargetKind::Plan {
                        item: it["item_id"].clone(),
                        currency: it["value"]["currency"].clone(),
                        draft: draft.clone(),
                    },
                };
                let res = http
                    .post(format!("{base}/api/cases/{case}/deliveries"))
                    .bearer_auth(token)
                    .json(&delivery(&t))
                    .send()
                    .await?;
                if res.status() == 200 {
                    let v: Value = res.json().await?;
                    t.version = v["version"].as_u64().unwrap_or(version + 1);
                    out.push(Mutex::new(t));
                    if out.len() >= wanted {
                        break 'pages;
                    }
                    break;
                }
            }
        }
    }
    if out.is_empty() {
        bail!(
            "no case in reintegration takes a delivery on its plan in force: the generated \
             data has no plan in force with an open item, or earlier runs used them all \
             (delete `<data>/<backend>-<cases>.json` to generate the database again)"
        );
    }
    Ok(out)
}

/// Cases in monitoring whose returnee answered the programme's survey differently at two
/// follow-ups, as many as `wanted`: each takes more follow-ups with those answers.
pub(super) async fn follow_up_targets(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    wanted: usize,
) -> Result<Vec<Mutex<CaseTarget>>> {
    let mut out = vec![];
    'pages: for page in 1..=100 {
        let list: Value = http
            .get(format!(
                "{base}/api/cases?stage=monitoring&per_page=100&page={page}"
            ))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        for item in items {
            let Some(case) = item["id"].as_str() else {
                continue;
            };
            let view: Value = http
                .get(format!("{base}/api/cases/{case}"))
                .bearer_auth(token)
                .send()
                .await?
                .json()
                .await?;
            let version = view["version"].as_u64().unwrap_or(0);
            let follow_ups = view["case"]["monitoring"]["follow_ups"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let answered: Vec<&Value> = follow_ups
                .iter()
                .rev()
                .map(|f| &f["follow_up"])
                .filter(|f| f["survey"].is_object())
                .collect();
            let Some(last) = answered.first() else {
                continue;
            };
            let first = &last["survey"]["response"];
            let Some(other) = answered
                .iter()
                .map(|f| &f["survey"]["response"])
                .find(|r| r["answers"] != first["answers"])
            else {
                continue;
            };
            if version > MAX_PLAN_TARGET_VERSION {
                continue;
            }
            out.push(Mutex::new(CaseTarget {
                case: case.to_string(),
                version,
                visits: 0,
                kind: TargetKind::FollowUp {
                    with: last["with"].clone(),
                    surveys: [first.clone(), other.clone()],
                },
            }));
            if out.len() >= wanted {
                break 'pages;
            }
        }
    }
    if out.is_empty() {
        bail!(
            "no case in monitoring has the programme's survey answered differently at two \
             follow-ups: the generated data has none (delete `<data>/<backend>-<cases>.json` to generate the \
             database again)"
        );
    }
    Ok(out)
}

/// Deliveries and plan revisions, in turn, at each number of clients of `commands`.
pub(super) async fn reintegration(
    args: &Args,
    base: &str,
    http: &reqwest::Client,
    token: &str,
    commands: &[CommandRun],
) -> Result<Vec<ReintegrationRun>> {
    // Measured beside the commands' floor, at their numbers of clients.
    if commands.is_empty() {
        return Ok(vec![]);
    }
    let max = commands.iter().map(|c| c.clients).max().unwrap_or(1);
    let targets = plan_targets(http, base, token, (max * 4).max(64)).await?;
    case_commands(args, base, http, token, commands, targets, "reintegration").await
}

/// Follow-ups that reach the returnee and record the programme's survey, at each number
/// of clients of `commands`.
pub(super) async fn follow_ups(
    args: &Args,
    base: &str,
    http: &reqwest::Client,
    token: &str,
    commands: &[CommandRun],
) -> Result<Vec<ReintegrationRun>> {
    if commands.is_empty() {
        return Ok(vec![]);
    }
    let max = commands.iter().map(|c| c.clients).max().unwrap_or(1);
    let targets = follow_up_targets(http, base, token, (max * 4).max(64)).await?;
    case_commands(args, base, http, token, commands, targets, "follow-up").await
}

/// The commands of `targets`, each in turn (`CaseTarget::next`), at each number of clients of
/// `commands`, beside their floor.
pub(super) async fn case_commands(
    args: &Args,
    base: &str,
    http: &reqwest::Client,
    token: &str,
    commands: &[CommandRun],
    targets: Vec<Mutex<CaseTarget>>,
    what: &str,
) -> Result<Vec<ReintegrationRun>> {
    let targets = Arc::new(targets);
    let mut out = vec![];
    for c in commands {
        let clients = c.clients;
        eprintln!("  {what} commands at {clients} clients");
        let kinds = Arc::new([
            std::sync::atomic::AtomicUsize::new(0),
            std::sync::atomic::AtomicUsize::new(0),
        ]);
        let m = {
            let (http, base, token, targets, kinds) = (
                http.clone(),
                base.to_string(),
                token.to_string(),
                targets.clone(),
                kinds.clone(),
            );
            load(
                clients,
                Stop::After(Duration::from_secs(args.seconds)),
                move |c, i| {
                    let (http, base, token, targets, kinds) = (
                        http.clone(),
                        base.clone(),
                        token.clone(),
                        targets.clone(),
                        kinds.clone(),
                    );
                    async move {
                        let mut t = targets[(c + i * clients) % targets.len()].lock().await;
                        let (path, body, kind) = t.next();
                        let res = http
                            .post(format!("{base}/api/cases/{}/{path}", t.case))
                            .bearer_auth(&token)
                            .json(&body)
                            .send()
                            .await;
                        let Ok(res) = res else { return Outcome::Failed };
                        let status = res.status();
                        let body: Value = res.json().await.unwrap_or(Value::Null);
                        if status.as_u16() == 200 {
                            t.version = body["version"].as_u64().unwrap_or(t.version + 1);
                            kinds[kind].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        } else if status.as_u16() == 409 {
                            t.version = body["current_version"].as_u64().unwrap_or(t.version);
                        } else if !status.is_success() && std::env::var_os("BENCH_DEBUG").is_some()
                        {
                            eprintln!("    {path}: {status} {body}");
                        }
                        outcome(status)
                    }
                },
            )
            .await
        };
        out.push(ReintegrationRun {
            clients,
            ratio: if c.floor.per_second > 0.0 {
                m.stats.per_second / c.floor.per_second
            } else {
                0.0
            },
            command: m.stats,
            deliveries: kinds[0].load(std::sync::atomic::Ordering::Relaxed),
            revisions: kinds[1].load(std::sync::atomic::Ordering::Relaxed),
            floor: c.floor.clone(),
            conflicts: m.conflicts,
            errors: m.errors,
        });
    }
    Ok(out)
}
