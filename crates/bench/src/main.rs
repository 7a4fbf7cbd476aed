//! The benchmark harness. For each database and size it generates (once) a programme of
//! cases through the domain, serves it with the real `homeward` binary, and measures,
//! each beside a baseline taken in the same run on the same machine:
//!
//! - commands over HTTP (recording a counselling session) at several numbers of
//!   concurrent clients, against the database floor: a bare single-row insert transaction
//!   through the same writer;
//! - the reintegration officer's commands on plans in force, in turn on each case: a
//!   delivery (which writes the case's budget rows and the programme's budget sums in its
//!   transaction) and a draft revision of the plan (checked against the budget lines it
//!   draws on), against the same floor;
//! - reads (the case, its page, the filtered list, search by name and date of birth,
//!   statistics), against the server's floor: a request that touches no data;
//! - rebuilding every read model from the event log;
//! - the server's peak resident memory.
//!
//! It writes `report.json` and `report.md`. Targets are reported against, never asserted.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use homeward_app::demo::Generate;
use homeward_app::{App, Config};
use homeward_store::Store;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[derive(Parser)]
#[command(about = "Measure Homeward against its baselines; write report.json and report.md")]
struct Args {
    /// Numbers of cases to measure at (each generated once per database, then kept).
    #[arg(long, value_delimiter = ',', default_value = "100000")]
    cases: Vec<usize>,
    /// Databases: sqlite, postgres.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    backends: Vec<String>,
    /// The PostgreSQL server (databases `homeward_bench_<cases>` are created on it).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
    /// Where generated databases are kept between runs.
    #[arg(long, default_value = "target/bench-data")]
    data: PathBuf,
    /// Where the report is written.
    #[arg(long, default_value = "bench")]
    out: PathBuf,
    /// Seconds of load per throughput figure.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Requests per latency figure.
    #[arg(long, default_value_t = 400)]
    samples: usize,
    /// At most this many seconds per latency figure (fewer samples if it runs out).
    #[arg(long, default_value_t = 30)]
    sample_seconds: u64,
    /// Only generate the databases (kept for later runs), measure nothing: generating
    /// several at once, while the machine is not measuring, saves time.
    #[arg(long)]
    prepare_only: bool,
    /// Skip the rebuild of every read model (at a million cases it takes 10 to 30 minutes).
    #[arg(long)]
    skip_rebuild: bool,
    /// Skip the reads (case page, list, search, statistics): measure commands alone.
    #[arg(long)]
    skip_reads: bool,
    /// Concurrent clients for commands.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    clients: Vec<usize>,
    /// Measure nothing: write report.md again from report.json.
    #[arg(long)]
    render_only: bool,
}

/// Latencies and rate of one measurement.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
struct Stats {
    /// Requests that succeeded.
    n: usize,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

#[derive(Debug, Serialize, Deserialize)]
struct CommandRun {
    clients: usize,
    command: Stats,
    floor: Stats,
    /// The command's rate over the floor's.
    ratio: f64,
    conflicts: usize,
    errors: usize,
}

/// The reintegration officer's commands: deliveries of 1.00 on an open item of a plan in
/// force and draft revisions of that plan (its items and exceptions as they are), in turn
/// on each case, each case visited by one client at a time.
#[derive(Debug, Serialize, Deserialize)]
struct ReintegrationRun {
    clients: usize,
    command: Stats,
    deliveries: usize,
    revisions: usize,
    /// The database floor at the same concurrency (from the commands' runs).
    floor: Stats,
    ratio: f64,
    conflicts: usize,
    errors: usize,
}

/// The load that once hung PostgreSQL: clients read a case with counselling notes (an
/// audited read, under the audit lock) on one server and record a session at the version
/// they read on another (or the same) server, all on a few shared cases, so that most
/// commands conflict.
#[derive(Debug, Serialize, Deserialize)]
struct ContendedRun {
    servers: usize,
    clients: usize,
    /// A read and the command that follows it, whatever the command's answer.
    rounds: Stats,
    /// Commands done per second (the others conflicted).
    done_per_second: f64,
    conflicts: usize,
    errors: usize,
    /// The database floor at the same concurrency (from the commands' runs).
    floor: Stats,
}

#[derive(Debug, Serialize, Deserialize)]
struct ReadRun {
    name: String,
    clients: usize,
    read: Stats,
    /// The server's floor at the same concurrency.
    floor: Stats,
    errors: usize,
    note: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, Clone)]
struct Generated {
    cases: usize,
    events: i64,
    seconds: f64,
    bytes: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Rebuild {
    events: i64,
    seconds: f64,
    events_per_second: f64,
    /// When and at which commit, if an earlier run measured it: a run with
    /// `--skip-rebuild` keeps the figure of the run it replaces, saying so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    measured: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Run {
    backend: String,
    cases: usize,
    /// When and at which commit this run was measured (a report gathers runs).
    #[serde(default)]
    date: String,
    #[serde(default)]
    commit: String,
    generated: Generated,
    commands: Vec<CommandRun>,
    /// Deliveries and plan revisions (none in reports from before they were measured).
    #[serde(default)]
    reintegration: Vec<ReintegrationRun>,
    /// Follow-ups with the programme's survey (none in reports from before they were
    /// measured; `deliveries` counts them, `revisions` none).
    #[serde(default)]
    follow_ups: Vec<ReintegrationRun>,
    /// Sensitive reads and commands on shared cases, through one and two servers.
    #[serde(default)]
    contended: Vec<ContendedRun>,
    reads: Vec<ReadRun>,
    /// Not measured when skipped (`--skip-rebuild`).
    #[serde(default)]
    rebuild: Option<Rebuild>,
    server_peak_rss_mib: f64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Machine {
    cpus: usize,
    memory_gib: f64,
    cpu_model: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Report {
    date: String,
    commit: String,
    machine: Machine,
    runs: Vec<Run>,
}

enum Outcome {
    Done,
    Conflict,
    Failed,
}

enum Stop {
    After(Duration),
    Count(usize),
    /// This many requests, or fewer if the time runs out first (a slow read at a million
    /// cases would otherwise hold the run for many minutes).
    CountWithin(usize, Duration),
}

struct Measured {
    stats: Stats,
    conflicts: usize,
    errors: usize,
}

/// A latency of a measurement, or a dash when no request succeeded (there is none).
fn ms(s: &Stats, v: f64) -> String {
    if s.n == 0 {
        "—".to_string()
    } else {
        format!("{v:.1}")
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs `f` from `clients` concurrent tasks until `stop`; each call's latency counts when
/// it succeeds.
async fn load<F, Fut>(clients: usize, stop: Stop, f: F) -> Measured
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let f = Arc::new(f);
    let started = Instant::now();
    let per_client = match stop {
        Stop::Count(n) | Stop::CountWithin(n, _) => Some(n.div_ceil(clients)),
        Stop::After(_) => None,
    };
    let deadline = match stop {
        Stop::After(d) | Stop::CountWithin(_, d) => Some(started + d),
        Stop::Count(_) => None,
    };
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..clients {
        let f = f.clone();
        tasks.spawn(async move {
            let (mut ms, mut conflicts, mut errors) = (vec![], 0, 0);
            for i in 0.. {
                if per_client.is_some_and(|n| i >= n)
                    || deadline.is_some_and(|d| Instant::now() >= d)
                {
                    break;
                }
                let t = Instant::now();
                match f(c, i).await {
                    Outcome::Done => ms.push(t.elapsed().as_secs_f64() * 1000.0),
                    Outcome::Conflict => conflicts += 1,
                    Outcome::Failed => errors += 1,
                }
            }
            (ms, conflicts, errors)
        });
    }
    let (mut all, mut conflicts, mut errors) = (vec![], 0, 0);
    while let Some(Ok((ms, c, e))) = tasks.join_next().await {
        all.extend(ms);
        conflicts += c;
        errors += e;
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    Measured {
        stats: Stats {
            n: all.len(),
            per_second: all.len() as f64 / secs,
            p50_ms: percentile(&all, 50.0),
            p99_ms: percentile(&all, 99.0),
        },
        conflicts,
        errors,
    }
}

fn outcome(status: reqwest::StatusCode) -> Outcome {
    match status.as_u16() {
        200..=299 => Outcome::Done,
        409 => Outcome::Conflict,
        _ => Outcome::Failed,
    }
}

/// The `homeward` binary beside this one (`cargo build --release -p homeward`).
fn homeward_binary() -> Result<PathBuf> {
    let me = std::env::current_exe()?;
    let bin = me.with_file_name("homeward");
    if !bin.exists() {
        bail!(
            "{} is missing: build it first (cargo build --release -p homeward)",
            bin.display()
        );
    }
    Ok(bin)
}

/// `homeward serve` on a free port; the child and its address.
fn serve(url: &str) -> Result<(Child, String)> {
    let mut child = Command::new(homeward_binary()?)
        .args(["serve", "--database-url", url, "--bind", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().context("the server's stderr")?;
    let (tx, rx) = std::sync::mpsc::channel();
    // What the server said before it served (or instead): shown if it does not start.
    let said = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let heard = said.clone();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.strip_prefix("Homeward is serving on ")
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            } else if tx.is_some()
                && let Ok(mut lines) = heard.lock()
            {
                lines.push(line);
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(300)) {
        Ok(base) => Ok((child, base)),
        Err(_) => {
            let _ = child.kill();
            let lines = said.lock().map(|l| l.join("\n")).unwrap_or_default();
            bail!("the server did not start; it said:\n{lines}")
        }
    }
}

fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(0.0)
}

/// The database of `cases` cases on `backend`, generated unless a previous run left it.
async fn prepare(args: &Args, backend: &str, cases: usize) -> Result<(String, Generated)> {
    std::fs::create_dir_all(&args.data)?;
    let marker = args.data.join(format!("{backend}-{cases}.json"));
    let url = match backend {
        "sqlite" => format!(
            "sqlite:{}",
            args.data.join(format!("sqlite-{cases}.db")).display()
        ),
        "postgres" => format!("{}/homeward_bench_{cases}", args.postgres),
        other => bail!("unknown backend {other}: sqlite or postgres"),
    };
    if let Ok(text) = std::fs::read_to_string(&marker)
        && let Ok(g) = serde_json::from_str::<Generated>(&text)
    {
        eprintln!("{backend}, {cases} cases: kept from a previous run");
        return Ok((url, g));
    }
    match backend {
        "sqlite" => {
            let path = args.data.join(format!("sqlite-{cases}.db"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        _ => {
            let admin = Store::connect(&format!("{}/postgres", args.postgres)).await?;
            admin
                .execute_unchecked(&format!("DROP DATABASE IF EXISTS homeward_bench_{cases}"))
                .await?;
            admin
                .execute_unchecked(&format!("CREATE DATABASE homeward_bench_{cases}"))
                .await?;
            admin.close().await;
        }
    }
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    store.use_bulk_memory().await?;
    let app = App::new(store.clone(), Config::default());
    eprintln!("{backend}: generating {cases} cases...");
    let started = Instant::now();
    let step = (cases / 10).max(1);
    app.generate(
        Generate {
            cases,
            seed: 2026,
            as_of: chrono::DateTime::parse_from_rfc3339("2026-11-01T12:00:00Z")?.to_utc(),
            batch: 2000,
        },
        |n| {
            if n % step < 2000 {
                eprintln!("  {n} cases, {:.0} s", started.elapsed().as_secs_f64());
            }
        },
    )
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    let events = store.count_events().await?;
    store.close().await;
    let bytes = match backend {
        "sqlite" => std::fs::metadata(args.data.join(format!("sqlite-{cases}.db")))
            .ok()
            .map(|m| m.len()),
        _ => None,
    };
    let g = Generated {
        cases,
        events,
        seconds,
        bytes,
    };
    std::fs::write(&marker, serde_json::to_string_pretty(&g)?)?;
    Ok((url, g))
}

async fn token(http: &reqwest::Client, base: &str, user: &str) -> Result<String> {
    let t: Value = http
        .post(format!("{base}/api/tokens"))
        .json(&json!({"username": user, "password": format!("demo-{user}-2026"), "name": "benchmark"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    t["token"]
        .as_str()
        .map(str::to_string)
        .context("no token in the answer")
}

/// A case a client records sessions on: its id, who attends, and its version.
struct Target {
    case: String,
    attendee: Value,
    version: u64,
}

/// Cases the command benchmark records sessions on.
const TARGET_CASES: usize = 1000;

/// A target case has at most this many events: generated cases in counselling have a
/// handful; more means an earlier run wrote on it.
const MAX_TARGET_VERSION: u64 = 20;

/// Cases in counselling that accept a session, as many as `wanted`.
async fn targets(
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

fn session(version: u64, attendee: &Value) -> Value {
    json!({
        "version": version, "language": "fr", "interpreter_present": false,
        "topics": ["return_modalities", "conditions_in_country_of_return"],
        "attendees": [attendee],
    })
}

/// Cases the contended load shares among all its clients.
const SHARED_CASES: usize = 8;

/// The contended load (see `ContendedRun`), through one server and then two, at each
/// concurrency of 16 clients or more that the commands were measured at.
async fn contended(
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

async fn commands(
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
struct CaseTarget {
    case: String,
    version: u64,
    /// Commands sent to it so far.
    visits: usize,
    kind: TargetKind,
}

enum TargetKind {
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
    fn next(&mut self) -> (&'static str, Value, usize) {
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
const MAX_PLAN_TARGET_VERSION: u64 = 80;

fn delivery(t: &CaseTarget) -> Value {
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
async fn plan_targets(
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
async fn follow_up_targets(
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
async fn reintegration(
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
async fn follow_ups(
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
async fn case_commands(
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

/// A name as someone might mistype it: a doubled letter made single, or a vowel changed.
fn misspell(name: &str, rng: &mut StdRng) -> String {
    let chars: Vec<char> = name.chars().collect();
    if let Some(i) = (1..chars.len()).find(|&i| chars[i] == chars[i - 1]) {
        let mut c = chars.clone();
        c.remove(i);
        return c.into_iter().collect();
    }
    let vowels: Vec<usize> = (1..chars.len())
        .filter(|&i| "aeiou".contains(chars[i]))
        .collect();
    match vowels.choose(rng) {
        Some(&i) => {
            let mut c = chars.clone();
            c[i] = if chars[i] == 'o' { 'u' } else { 'e' };
            c.into_iter().collect()
        }
        None => format!("{name}h"),
    }
}

struct Person {
    case: String,
    given: String,
    family: String,
    birth_date: Option<String>,
}

#[allow(clippy::too_many_lines)]
async fn reads(
    args: &Args,
    base: &str,
    http: &reqwest::Client,
    counsellor: &str,
    approver: &str,
) -> Result<Vec<ReadRun>> {
    let donor = token(http, base, "donor").await?;
    // The statistics cube loads in the background as the server starts, and the first
    // question waits for it: waited for here, before anything is measured (the load would
    // otherwise slow the reads measured meanwhile), and reported.
    let started = Instant::now();
    loop {
        let r = http
            .get(format!("{base}/api/statistics/returns?rows=year"))
            .bearer_auth(approver)
            .send()
            .await?;
        // The server's request timeout (30 s) can pass before the load ends (a million
        // cases on a cold disk): ask again, for up to five minutes.
        if r.status() == reqwest::StatusCode::REQUEST_TIMEOUT
            && started.elapsed() < Duration::from_secs(300)
        {
            continue;
        }
        r.error_for_status()?;
        break;
    }
    let cube_load = started.elapsed().as_secs_f64();
    eprintln!("  statistics ready after {cube_load:.1} s");
    // The programme whose budget page is read.
    let programmes: Value = http
        .get(format!("{base}/api/programmes"))
        .bearer_auth(approver)
        .send()
        .await?
        .json()
        .await?;
    let programme = programmes[0]["id"].as_str().unwrap_or_default().to_string();
    // Cases and people to ask for, from the first pages of the list.
    let mut people = vec![];
    for page in 1..=5 {
        let list: Value = http
            .get(format!("{base}/api/cases?per_page=100&page={page}"))
            .bearer_auth(counsellor)
            .send()
            .await?
            .json()
            .await?;
        for item in list["items"].as_array().cloned().unwrap_or_default() {
            let Some(case) = item["id"].as_str() else {
                continue;
            };
            people.push(case.to_string());
        }
    }
    // Sixty people with a date of birth, for "search by name and date of birth"; and
    // up to sixty whose year of birth is only estimated (stored without a date), searched
    // by name alone, measured apart: the two are different searches.
    let mut sample = vec![];
    let mut undated = vec![];
    for case in &people {
        if sample.len() >= 60 && undated.len() >= 60 {
            break;
        }
        let view: Value = http
            .get(format!("{base}/api/cases/{case}"))
            .bearer_auth(counsellor)
            .send()
            .await?
            .json()
            .await?;
        let m = &view["case"]["members"][0]["details"];
        let person = Person {
            case: case.clone(),
            given: m["name"]["given"].as_str().unwrap_or("").to_string(),
            family: m["name"]["family"].as_str().unwrap_or("").to_string(),
            birth_date: m["date_of_birth"]["exact"].as_str().map(str::to_string),
        };
        match (&person.birth_date, sample.len(), undated.len()) {
            (Some(_), n, _) if n < 60 => sample.push(person),
            (None, _, n) if n < 60 => undated.push(person),
            _ => {}
        }
    }
    if people.is_empty() || sample.is_empty() || undated.is_empty() {
        bail!("no case to read");
    }
    // The browser's session, for the HTML page.
    let browser = reqwest::Client::builder().cookie_store(true).build()?;
    browser
        .post(format!("{base}/api/session"))
        .json(&json!({"username": "counsellor", "password": "demo-counsellor-2026"}))
        .send()
        .await?
        .error_for_status()?;
    let ids = Arc::new(people);
    let sample = Arc::new(sample);
    let mut out = vec![];
    let mut rng = StdRng::seed_from_u64(7);
    let exact_queries: Arc<Vec<Value>> = Arc::new(
        sample
            .iter()
            .map(|p| json!({"q": format!("{} {}", p.given, p.family), "birth_date": p.birth_date}))
            .collect(),
    );
    let variant_queries: Arc<Vec<Value>> = Arc::new(
        sample
            .iter()
            .map(|p| json!({"q": format!("{} {}", misspell(&p.given, &mut rng), misspell(&p.family, &mut rng)), "birth_date": p.birth_date}))
            .collect(),
    );
    let name_queries: Arc<Vec<Value>> = Arc::new(
        undated
            .iter()
            .map(|p| json!({"q": format!("{} {}", p.given, p.family)}))
            .collect(),
    );
    // Whether each search finds the person it was looking for.
    let mut found = BTreeMap::new();
    for (label, queries, people) in [
        ("exact", &exact_queries, sample.as_slice()),
        ("variant", &variant_queries, sample.as_slice()),
        ("name", &name_queries, undated.as_slice()),
    ] {
        let mut hits = 0;
        for (q, p) in queries.iter().zip(people.iter()) {
            let r: Value = http
                .post(format!("{base}/api/cases/search"))
                .bearer_auth(counsellor)
                .json(q)
                .send()
                .await?
                .json()
                .await?;
            if r["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i["id"] == p.case.as_str()))
            {
                hits += 1;
            } else {
                eprintln!("  {label} search did not find its person: {q}");
            }
        }
        found.insert(label, (hits, queries.len()));
    }
    let kinds: Vec<(&str, Option<String>)> = vec![
        ("case (API)", None),
        ("case page (HTML)", None),
        (
            "case list: newest first",
            Some("no filter, pages 1 to 10: the counsellor's first screen".to_string()),
        ),
        ("case list: stage, country and office", None),
        (
            "search: name and date of birth",
            Some(format!(
                "finds the person {} of {} times",
                found["exact"].0, found["exact"].1
            )),
        ),
        (
            "search: misspelt name and date of birth",
            Some(format!(
                "finds the person {} of {} times",
                found["variant"].0, found["variant"].1
            )),
        ),
        (
            "search: name alone (year of birth estimated)",
            Some(format!(
                "no target: people without a date of birth; finds the person {} of {} times \
                 on the first page",
                found["name"].0, found["name"].1
            )),
        ),
        (
            "statistics: returns by year",
            Some(format!(
                "the figures were ready {cube_load:.1} s after the server started serving"
            )),
        ),
        ("statistics: country of return by sex", None),
        (
            "statistics: country of return by age group, protected",
            Some("as a donor sees it: small cells suppressed".to_string()),
        ),
        (
            "statistics: pipeline and durations",
            Some("cases by stage, interruptions, days to departure".to_string()),
        ),
        (
            "budget: the programme's page",
            Some("every grant and line, by assistance type and country".to_string()),
        ),
        (
            "budget: the programme's page, protected",
            Some("as a donor sees it".to_string()),
        ),
        (
            "impact: scores by follow-up and sex",
            Some("survey scores per version, follow-up and sex, exactly".to_string()),
        ),
        (
            "impact: scores by follow-up and country of return",
            Some("survey scores per version, follow-up and country, exactly".to_string()),
        ),
        (
            "impact: scores by follow-up and sex, protected",
            Some("as a donor sees it, as the last settled month ended".to_string()),
        ),
        (
            "performance: the programme's report",
            Some("time to departure, withdrawals, follow-ups on time, money".to_string()),
        ),
    ];
    for clients in [1usize, 16] {
        let floor = {
            let (http, base) = (http.clone(), base.to_string());
            load(clients, Stop::Count(args.samples), move |_, _| {
                let (http, base) = (http.clone(), base.clone());
                async move {
                    match http.get(format!("{base}/healthz")).send().await {
                        Ok(r) => outcome(r.status()),
                        Err(_) => Outcome::Failed,
                    }
                }
            })
            .await
        };
        for (name, note) in &kinds {
            eprintln!("  {name} at {clients} clients");
            let programme = programme.clone();
            let (http, browser, base, counsellor, approver, donor, ids, exact, variant, names) = (
                http.clone(),
                browser.clone(),
                base.to_string(),
                counsellor.to_string(),
                approver.to_string(),
                donor.clone(),
                ids.clone(),
                exact_queries.clone(),
                variant_queries.clone(),
                name_queries.clone(),
            );
            let name_owned = name.to_string();
            let stop = Stop::CountWithin(args.samples, Duration::from_secs(args.sample_seconds));
            let m = load(clients, stop, move |c, i| {
                let (http, browser, base, counsellor, approver, donor, ids, exact, variant, names) = (
                    http.clone(),
                    browser.clone(),
                    base.clone(),
                    counsellor.clone(),
                    approver.clone(),
                    donor.clone(),
                    ids.clone(),
                    exact.clone(),
                    variant.clone(),
                    names.clone(),
                );
                let name = name_owned.clone();
                let programme = programme.clone();
                async move {
                    let k = (c * 7919 + i * 104_729) % ids.len();
                    let req = match name.as_str() {
                        "case (API)" => http
                            .get(format!("{base}/api/cases/{}", ids[k]))
                            .bearer_auth(&counsellor),
                        "case page (HTML)" => browser.get(format!("{base}/cases/{}", ids[k])),
                        "case list: newest first" => http
                            .get(format!("{base}/api/cases?per_page=50&page={}", k % 10 + 1))
                            .bearer_auth(&counsellor),
                        "case list: stage, country and office" => {
                            let stage = [
                                "counselling",
                                "applied",
                                "approved",
                                "pre_departure",
                                "arrived",
                            ][k % 5];
                            let country = ["SN", "NG", "GE", "IQ", "MA"][(k / 5) % 5];
                            http.get(format!(
                                "{base}/api/cases?stage={stage}&country={country}&per_page=50"
                            ))
                            .bearer_auth(&counsellor)
                        }
                        "search: name and date of birth" => http
                            .post(format!("{base}/api/cases/search"))
                            .bearer_auth(&counsellor)
                            .json(&exact[k % exact.len()]),
                        "search: misspelt name and date of birth" => http
                            .post(format!("{base}/api/cases/search"))
                            .bearer_auth(&counsellor)
                            .json(&variant[k % variant.len()]),
                        "search: name alone (year of birth estimated)" => http
                            .post(format!("{base}/api/cases/search"))
                            .bearer_auth(&counsellor)
                            .json(&names[k % names.len()]),
                        "statistics: returns by year" => http
                            .get(format!("{base}/api/statistics/returns?rows=year"))
                            .bearer_auth(&approver),
                        "statistics: country of return by age group, protected" => http
                            .get(format!(
                                "{base}/api/statistics/returns?rows=return_country&columns=age_group"
                            ))
                            .bearer_auth(&donor),
                        "statistics: pipeline and durations" => http
                            .get(format!("{base}/api/statistics/pipeline"))
                            .bearer_auth(&approver),
                        "budget: the programme's page" => http
                            .get(format!("{base}/api/programmes/{programme}/budget"))
                            .bearer_auth(&approver),
                        "budget: the programme's page, protected" => http
                            .get(format!("{base}/api/programmes/{programme}/budget"))
                            .bearer_auth(&donor),
                        "impact: scores by follow-up and sex" => http
                            .get(format!("{base}/api/programmes/{programme}/impact?by=sex"))
                            .bearer_auth(&approver),
                        "performance: the programme's report" => http
                            .get(format!("{base}/api/programmes/{programme}/performance"))
                            .bearer_auth(&approver),
                        "impact: scores by follow-up and sex, protected" => http
                            .get(format!("{base}/api/programmes/{programme}/impact?by=sex"))
                            .bearer_auth(&donor),
                        "impact: scores by follow-up and country of return" => http
                            .get(format!(
                                "{base}/api/programmes/{programme}/impact?by=return_country"
                            ))
                            .bearer_auth(&approver),
                        _ => http
                            .get(format!(
                                "{base}/api/statistics/returns?rows=return_country&columns=sex"
                            ))
                            .bearer_auth(&approver),
                    };
                    match req.send().await {
                        Ok(r) => {
                            let status = r.status();
                            // The whole body, as a client waits for it.
                            match r.bytes().await {
                                Ok(_) => outcome(status),
                                Err(_) => Outcome::Failed,
                            }
                        }
                        Err(_) => Outcome::Failed,
                    }
                }
            })
            .await;
            out.push(ReadRun {
                name: name.to_string(),
                clients,
                read: m.stats,
                floor: floor.stats.clone(),
                errors: m.errors + m.conflicts,
                note: note.clone(),
            });
        }
    }
    Ok(out)
}

async fn measure(args: &Args, backend: &str, cases: usize, with_commands: bool) -> Result<Run> {
    let (url, generated) = prepare(args, backend, cases).await?;
    eprintln!("{backend}, {cases} cases: serving");
    let (mut child, base) = serve(&url)?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let result = async {
        let counsellor = token(&http, &base, "counsellor").await?;
        let approver = token(&http, &base, "approver").await?;
        let reads = if args.skip_reads {
            vec![]
        } else {
            reads(args, &base, &http, &counsellor, &approver).await?
        };
        let commands = if with_commands {
            commands(args, &url, &base, &http, &counsellor).await?
        } else {
            vec![]
        };
        let officer = token(&http, &base, "reintegration").await?;
        let plans = reintegration(args, &base, &http, &officer, &commands).await?;
        let monitoring = token(&http, &base, "monitoring").await?;
        let follow_ups = follow_ups(args, &base, &http, &monitoring, &commands).await?;
        let contended = contended(args, &url, &base, &http, &counsellor, &commands).await?;
        Ok::<_, anyhow::Error>((reads, commands, plans, follow_ups, contended))
    }
    .await;
    let rss = peak_rss_mib(child.id());
    child.kill()?;
    child.wait()?;
    let (reads, commands, plans, follow_ups, contended) = result?;
    let rebuild = if args.skip_rebuild {
        None
    } else {
        eprintln!("{backend}, {cases} cases: rebuilding the read models");
        let store = Store::connect(&url).await?;
        let events = store.count_events().await?;
        let started = Instant::now();
        store.rebuild_read_models().await?;
        let seconds = started.elapsed().as_secs_f64();
        store.close().await;
        Some(Rebuild {
            events,
            seconds,
            events_per_second: events as f64 / seconds,
            measured: None,
        })
    };
    Ok(Run {
        backend: backend.to_string(),
        cases,
        date: String::new(),
        commit: String::new(),
        generated,
        commands,
        reintegration: plans,
        follow_ups,
        contended,
        reads,
        rebuild,
        server_peak_rss_mib: rss,
    })
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    Machine {
        cpus: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        memory_gib: meminfo
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
            .map(|kib| kib / 1024.0 / 1024.0)
            .unwrap_or(0.0),
        cpu_model: cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .unwrap_or("unknown")
            .trim()
            .to_string(),
    }
}

fn mark(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

fn markdown(r: &Report) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "# Homeward benchmark report\n\n{} · commit `{}` · {} CPUs ({}) · {:.0} GiB\n\n\
         Every figure is measured beside its baseline, in the same run on the same machine: \
         ratios travel between machines, absolute numbers do not. The load generator runs on \
         the same machine as the server and the database.\n",
        r.date, r.commit, r.machine.cpus, r.machine.cpu_model, r.machine.memory_gib
    ));
    let mut commits: Vec<&str> = r.runs.iter().map(|run| run.commit.as_str()).collect();
    commits.sort_unstable();
    commits.dedup();
    if commits.len() > 1 {
        s.push_str(
            "\nIts runs come from more than one invocation of the harness (each keeps the runs \
             of the sizes and databases it does not measure): each section names its own date \
             and commit, and bench/README.md the machines.\n",
        );
    }
    for run in &r.runs {
        s.push_str(&format!(
            "\n## {} · {} cases · {} events\n\nMeasured {} at commit `{}`. Generated in {:.0} s ({:.0} cases/s{}).\n",
            run.backend,
            run.cases,
            run.generated.events,
            run.date,
            run.commit,
            run.generated.seconds,
            run.generated.cases as f64 / run.generated.seconds.max(0.001),
            run.generated
                .bytes
                .map(|b| format!(", {:.1} GB", b as f64 / 1e9))
                .unwrap_or_default()
        ));
        if !run.commands.is_empty() {
            s.push_str("\n### Commands: record a counselling session over HTTP\n\n| clients | commands/s | p50 ms | p99 ms | floor inserts/s | floor p50 ms | floor p99 ms | ratio to floor | target ≥ 0.5 | conflicts | errors |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
            for c in &run.commands {
                s.push_str(&format!(
                    "| {} | {:.0} | {} | {} | {:.0} | {:.1} | {:.1} | {:.2} | {} | {} | {} |\n",
                    c.clients,
                    c.command.per_second,
                    ms(&c.command, c.command.p50_ms),
                    ms(&c.command, c.command.p99_ms),
                    c.floor.per_second,
                    c.floor.p50_ms,
                    c.floor.p99_ms,
                    c.ratio,
                    mark(c.ratio >= 0.5),
                    c.conflicts,
                    c.errors
                ));
            }
            if run.backend == "sqlite"
                && let Some(c) = run.commands.iter().find(|c| c.clients == 64)
            {
                s.push_str(&format!(
                    "\np99 at 64 clients: {} ms (target < 20 ms: {}).\n",
                    ms(&c.command, c.command.p99_ms),
                    mark(c.command.n > 0 && c.command.p99_ms < 20.0)
                ));
            }
        }
        if !run.reintegration.is_empty() {
            s.push_str("\n### Reintegration commands: a delivery, then a draft revision of the plan in force\n\nIn turn on each case. A delivery writes the case's budget rows and the programme's budget sums in its transaction; a draft revision is checked against the budget lines it draws on.\n\n| clients | commands/s | p50 ms | p99 ms | deliveries | draft revisions | floor inserts/s | ratio to floor | conflicts | errors |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for c in &run.reintegration {
                s.push_str(&format!(
                    "| {} | {:.0} | {} | {} | {} | {} | {:.0} | {:.2} | {} | {} |\n",
                    c.clients,
                    c.command.per_second,
                    ms(&c.command, c.command.p50_ms),
                    ms(&c.command, c.command.p99_ms),
                    c.deliveries,
                    c.revisions,
                    c.floor.per_second,
                    c.ratio,
                    c.conflicts,
                    c.errors
                ));
            }
        }
        if !run.follow_ups.is_empty() {
            s.push_str("\n### Follow-up commands: a follow-up that reaches the returnee, with the programme's survey\n\nIn turn on each case in monitoring, alternating two different answers the returnee gave, so that each changes the scores' kept sums. The server scores the survey (reading its stored version), writes the case's statistics rows and the survey scores' kept sums in its transaction.\n\n| clients | commands/s | p50 ms | p99 ms | follow-ups | floor inserts/s | ratio to floor | conflicts | errors |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for c in &run.follow_ups {
                s.push_str(&format!(
                    "| {} | {:.0} | {} | {} | {} | {:.0} | {:.2} | {} | {} |\n",
                    c.clients,
                    c.command.per_second,
                    ms(&c.command, c.command.p50_ms),
                    ms(&c.command, c.command.p99_ms),
                    c.deliveries,
                    c.floor.per_second,
                    c.ratio,
                    c.conflicts,
                    c.errors
                ));
            }
        }
        if !run.contended.is_empty() {
            s.push_str(&format!("\n### Contended: audited reads and commands on {SHARED_CASES} shared cases\n\nEach round reads a case with counselling notes (audited) on one server and records a session at the version read on the next, so most commands conflict. Every request must be answered: errors are failures.\n\n| servers | clients | rounds/s | p50 ms | p99 ms | commands done/s | conflicts | floor inserts/s | rounds to floor | errors |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"));
            for c in &run.contended {
                s.push_str(&format!(
                    "| {} | {} | {:.0} | {} | {} | {:.0} | {} | {:.0} | {:.2} | {} |\n",
                    c.servers,
                    c.clients,
                    c.rounds.per_second,
                    ms(&c.rounds, c.rounds.p50_ms),
                    ms(&c.rounds, c.rounds.p99_ms),
                    c.done_per_second,
                    c.conflicts,
                    c.floor.per_second,
                    c.rounds.per_second / c.floor.per_second.max(1e-9),
                    c.errors
                ));
            }
        }
        s.push_str("\n### Reads\n\n| read | clients | requests | p50 ms | p99 ms | per second | server floor p50 / p99 ms | errors | note |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for rd in &run.reads {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {:.0} | {:.2} / {:.2} | {} | {} |\n",
                rd.name,
                rd.clients,
                rd.read.n,
                ms(&rd.read, rd.read.p50_ms),
                ms(&rd.read, rd.read.p99_ms),
                rd.read.per_second,
                rd.floor.p50_ms,
                rd.floor.p99_ms,
                rd.errors,
                rd.note.clone().unwrap_or_default()
            ));
        }
        let rebuilt = match &run.rebuild {
            Some(r) => format!(
                "Rebuilt every read model from {} events in {:.1} s: {:.0} events/s (target ≥ 100,000: {}).{}",
                r.events,
                r.seconds,
                r.events_per_second,
                mark(r.events_per_second >= 100_000.0),
                r.measured
                    .as_ref()
                    .map(|m| format!(" Measured {m}, by an earlier run of this size and database (this one skipped the rebuild)."))
                    .unwrap_or_default()
            ),
            None => "The rebuild was not measured in this run (`--skip-rebuild`).".to_string(),
        };
        s.push_str(&format!(
            "\n### Rebuild and memory\n\n{rebuilt}\n\
             Server peak resident memory: {:.0} MiB (target < 200 MiB: {}).\n",
            run.server_peak_rss_mib,
            mark(run.server_peak_rss_mib < 200.0)
        ));
    }
    s
}

#[tokio::main]
async fn main() -> Result<()> {
    // Before this process opens SQLite: it generates and rebuilds as `homeward generate`
    // and `homeward rebuild-projections` do (the server, another process, keeps SQLite's
    // memory statistics). Its floor's inserts run so too, a little faster if anything: the
    // ratio to the floor errs low.
    homeward_store::forgo_memory_statistics();
    let args = Args::parse();
    homeward_binary()?;
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let json_path = args.out.join("report.json");
    let md_path = args.out.join("report.md");
    // The report keeps the runs of earlier invocations that this one does not repeat
    // (another size or database), each with its own date and commit.
    let earlier = std::fs::read_to_string(&json_path)
        .with_context(|| format!("reading {}", json_path.display()))
        .and_then(|t| {
            serde_json::from_str::<Report>(&t)
                .with_context(|| format!("{} is not a report", json_path.display()))
        });
    if args.render_only {
        std::fs::write(&md_path, markdown(&earlier?))?;
        eprintln!("wrote {}", md_path.display());
        return Ok(());
    }
    let mut runs: Vec<Run> = earlier.map(|r| r.runs).unwrap_or_default();
    if args.prepare_only {
        for backend in &args.backends {
            for &cases in &args.cases {
                let (_, g) = prepare(&args, backend, cases).await?;
                eprintln!(
                    "{backend}, {cases} cases: {} events, generated in {:.0} s",
                    g.events, g.seconds
                );
            }
        }
        return Ok(());
    }
    let date = || chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    for backend in &args.backends {
        for (n, &cases) in args.cases.iter().enumerate() {
            // Commands once per database, on the first size.
            let mut run = measure(&args, backend, cases, n == 0).await?;
            run.date = date();
            run.commit = commit.clone();
            let same = |r: &Run| r.backend == run.backend && r.cases == run.cases;
            if run.rebuild.is_none()
                && let Some(old) = runs.iter().find(|r| same(r))
                && let Some(mut rebuilt) = old.rebuild.clone()
            {
                rebuilt
                    .measured
                    .get_or_insert_with(|| format!("{} at `{}`", old.date, old.commit));
                run.rebuild = Some(rebuilt);
            }
            runs.retain(|r| !same(r));
            runs.push(run);
        }
    }
    runs.sort_by(|a, b| (&a.backend, a.cases).cmp(&(&b.backend, b.cases)));
    let report = Report {
        date: date(),
        commit,
        machine: machine(),
        runs,
    };
    std::fs::create_dir_all(&args.out)?;
    std::fs::write(&json_path, serde_json::to_string_pretty(&report)?)?;
    std::fs::write(&md_path, markdown(&report))?;
    eprintln!("wrote {} and {}", json_path.display(), md_path.display());
    Ok(())
}
