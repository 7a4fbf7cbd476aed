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

mod commands;
mod load;
mod reads;
mod report;
mod server;

use commands::*;
use load::*;
use reads::*;
use report::*;
use server::*;

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
