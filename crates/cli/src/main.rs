//! `homeward`: the server and its administration commands.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::{Args, Parser, Subcommand, ValueEnum};
use homeward_app::admin::NewUser;
use homeward_app::{App, Config};
use homeward_domain::access::Role;
use homeward_domain::ids::OrganisationId;
use homeward_server::ServerOptions;
use homeward_store::Store;

/// mimalloc instead of the system allocator: the server allocates on one thread (the
/// database driver's) and frees on another (the request's), where glibc's allocator spent
/// a seventh of the CPU under command load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod malloc;

const DEFAULT_DB: &str = "sqlite:homeward.db";
const DEMO_DB: &str = "sqlite:homeward-demo.db";

#[derive(Parser)]
#[command(
    name = "homeward",
    version,
    about = "Case management for Assisted Voluntary Return and Reintegration"
)]
struct Cli {
    /// Log format.
    #[arg(long, global = true, env = "HOMEWARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

#[derive(Args, Clone)]
struct Db {
    /// `sqlite:PATH` (a local file, created if missing) or `postgres://...`.
    #[arg(long, env = "HOMEWARD_DATABASE_URL", default_value = DEFAULT_DB)]
    database_url: String,
}

#[derive(Args, Clone)]
struct Http {
    /// Address and port to listen on.
    #[arg(long, env = "HOMEWARD_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// The address users reach Homeward at; https:// makes cookies Secure.
    #[arg(long, env = "HOMEWARD_PUBLIC_URL")]
    public_url: Option<String>,
    /// Trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy.
    #[arg(long, env = "HOMEWARD_TRUST_PROXY", default_value_t = false)]
    trust_proxy: bool,
    /// Donors, auditors and administrators see no statistic below this count.
    #[arg(long, env = "HOMEWARD_STATS_THRESHOLD", default_value_t = 5,
        value_parser = clap::value_parser!(i64).range(2..=100))]
    stats_threshold: i64,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the server. Creates and migrates the database on first start and, if there is
    /// no user yet, creates an administrator and prints a one-time password.
    Serve {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        http: Http,
    },
    /// Serve a fresh database filled with a realistic demo (prints the demo sign-ins).
    Demo {
        /// The demo database; a SQLite file here is replaced.
        #[arg(long, env = "HOMEWARD_DEMO_DATABASE_URL", default_value = DEMO_DB)]
        database_url: String,
        #[command(flatten)]
        http: Http,
        /// How many cases.
        #[arg(long, default_value_t = 300)]
        cases: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Fill an empty database with generated cases (the demo's offices, programme and
    /// users), for benchmarks and load tests. The same seed and date give the same data.
    Generate {
        #[command(flatten)]
        db: Db,
        /// How many cases.
        #[arg(long)]
        cases: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Stories are told up to this day (YYYY-MM-DD, at noon UTC); today by default.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// Cases written per transaction.
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        batch: u32,
    },
    /// Create or upgrade the database schema.
    Migrate {
        #[command(flatten)]
        db: Db,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCmd,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCmd,
    },
    /// Rebuild every read model from the event log.
    RebuildProjections {
        #[command(flatten)]
        db: Db,
    },
    /// Write a consistent copy of the SQLite database, while the server runs.
    Backup {
        #[command(flatten)]
        db: Db,
        /// The new file (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user. The password is generated and printed, or read from standard input.
    Add {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// A role (repeat for several): counsellor, approver, medical_officer,
        /// movement_officer, reintegration_officer, monitoring_officer, partner,
        /// administrator, donor, auditor.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// An office code (repeat for several).
        #[arg(long = "office")]
        offices: Vec<String>,
        /// A partner user's organisation: its id in the directory (`GET /api/organisations`).
        #[arg(long)]
        organisation: Option<uuid::Uuid>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Walk the hash chain; name the first entry that does not match.
    Verify {
        #[command(flatten)]
        db: Db,
    },
}

/// Logs to standard error, filtered by `RUST_LOG` or else at `info`. sqlx warns of each
/// statement that ran over a second: worth seeing from a server, but a command that serves
/// nobody reads whole tables on purpose (`rebuild-projections` compares every read model
/// before and after), and gets only sqlx's errors.
fn init_logging(format: LogFormat, serves: bool) {
    let default = if serves {
        "info,sqlx=warn,tower_http=info"
    } else {
        "info,sqlx=error"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colours only for a person at a terminal: a log file or a collector gets plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn open(url: &str) -> Result<Store> {
    let store = Store::connect(url)
        .await
        .with_context(|| format!("opening the database {url}"))?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

async fn run_server(store: Store, http: Http) -> Result<()> {
    let config = Config {
        stats_threshold: http.stats_threshold,
        ..Config::default()
    };
    let app = App::new(store.clone(), config);
    // The statistics cube loads in the background: the server answers meanwhile (a
    // question to the statistics before it is ready waits for it).
    let warming = app.clone();
    tokio::spawn(async move {
        if let Err(e) = warming.warm_statistics().await {
            tracing::warn!(error = %e, "statistics not loaded ahead; the first question will load them");
        }
    });
    let listener = tokio::net::TcpListener::bind(&http.bind)
        .await
        .with_context(|| format!("listening on {}", http.bind))?;
    let addr = listener.local_addr()?;
    let options = ServerOptions {
        public_url: http.public_url.unwrap_or_else(|| format!("http://{addr}")),
        trust_proxy: http.trust_proxy,
    };
    eprintln!(
        "Homeward is serving on http://{addr} (API description: http://{addr}/api/openapi.json)"
    );
    tracing::info!(%addr, backend = store.backend(), "serving");
    homeward_server::serve(
        listener,
        homeward_server::router(app, options),
        shutdown_signal(),
    )
    .await?;
    store.close().await;
    Ok(())
}

/// Removes a SQLite database file and its WAL companions.
fn remove_sqlite(url: &str) -> Result<()> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.trim_start_matches("//");
        for suffix in ["", "-wal", "-shm"] {
            let p = format!("{path}{suffix}");
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("removing {p}")),
            }
        }
    }
    Ok(())
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Cmd::Serve { db, http } => {
            let store = open(&db.database_url).await?;
            let app = App::new(store.clone(), Config::default());
            if let Some((user, password)) = app.ensure_administrator().await? {
                eprintln!(
                    "\nNo user existed: created the administrator.\n  user name: {user}\n  password:  {password}\nIt is shown once. Sign in and create the other users.\n"
                );
            }
            run_server(store, http).await?;
        }
        Cmd::Demo {
            database_url,
            http,
            cases,
            seed,
        } => {
            remove_sqlite(&database_url)?;
            let store = open(&database_url).await?;
            let app = App::new(store.clone(), Config::default());
            eprintln!("Building the demo: {cases} cases...");
            let summary = app.seed_demo(cases, seed).await?;
            eprintln!(
                "\nDemo ready: {} cases in {database_url}. Sign in as:",
                summary.cases
            );
            for u in &summary.users {
                let offices = if u.offices.is_empty() {
                    "no office".to_string()
                } else {
                    u.offices.join(", ")
                };
                eprintln!(
                    "  {:<15} password {:<28} {} ({offices})",
                    u.username,
                    u.password,
                    u.role.code()
                );
            }
            eprintln!("These passwords are public: never use the demo for real data.\n");
            run_server(store, http).await?;
        }
        Cmd::Generate {
            db,
            cases,
            seed,
            as_of,
            batch,
        } => {
            let store = open(&db.database_url).await?;
            store.use_bulk_memory().await?;
            let app = App::new(store.clone(), Config::default());
            let as_of = match as_of {
                Some(d) => d
                    .and_hms_opt(12, 0, 0)
                    .map(|t| t.and_utc())
                    .context("--as-of: not a day")?,
                None => chrono::Utc::now(),
            };
            let bar = indicatif::ProgressBar::new(cases as u64).with_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{wide_bar}] {pos}/{len} cases, {per_sec}, {eta} left",
                )
                .context("progress bar")?,
            );
            let started = std::time::Instant::now();
            let summary = app
                .generate(
                    homeward_app::demo::Generate {
                        cases,
                        seed,
                        as_of,
                        batch: batch as usize,
                    },
                    |n| bar.set_position(n as u64),
                )
                .await?;
            bar.finish();
            let secs = started.elapsed().as_secs_f64();
            let events = store.count_events().await?;
            eprintln!(
                "Generated {} cases ({events} events) in {secs:.1} s: {:.0} cases/s, {:.0} events/s.",
                summary.cases,
                summary.cases as f64 / secs,
                events as f64 / secs
            );
            store.close().await;
        }
        Cmd::Migrate { db } => {
            open(&db.database_url).await?;
            println!("The database is up to date.");
        }
        Cmd::User {
            command:
                UserCmd::Add {
                    db,
                    username,
                    display_name,
                    roles,
                    offices,
                    organisation,
                    password_stdin,
                },
        } => {
            let store = open(&db.database_url).await?;
            let app = App::new(store, Config::default());
            let roles: BTreeSet<Role> = roles
                .iter()
                .map(|r| Role::from_code(r).ok_or_else(|| anyhow!("--role {r}: unknown role")))
                .collect::<Result<_>>()?;
            let known = app.list_offices().await?;
            let offices = offices
                .iter()
                .map(|code| {
                    known
                        .iter()
                        .find(|o| o.code.eq_ignore_ascii_case(code))
                        .map(|o| o.id)
                        .ok_or_else(|| anyhow!("--office {code}: no such office"))
                })
                .collect::<Result<_>>()?;
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the password")?;
                Some(s.trim_end_matches(['\n', '\r']).to_string())
            } else {
                None
            };
            let generated = password.is_none();
            let (user, password) = app
                .create_user(
                    None,
                    NewUser {
                        username,
                        display_name,
                        roles,
                        offices,
                        organisation: organisation.map(OrganisationId),
                        password,
                    },
                )
                .await
                .map_err(describe)?;
            println!("Created user {}.", user.username);
            if generated {
                println!("Password (shown once): {password}");
            }
        }
        Cmd::Audit {
            command: AuditCmd::Verify { db },
        } => {
            let store = open(&db.database_url).await?;
            match store.verify_audit().await? {
                Ok(n) => println!("The audit chain is intact: {n} entries verified."),
                Err(b) => {
                    println!(
                        "The audit chain is broken at entry {}: {}.",
                        b.seq, b.reason
                    );
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Cmd::RebuildProjections { db } => {
            let store = open(&db.database_url).await?;
            // Digests, not the rows: at a million cases the rows took 2.2 GB to compare.
            let before = store.read_model_digest().await?;
            let started = std::time::Instant::now();
            let stats = store.rebuild_read_models().await?;
            let secs = started.elapsed().as_secs_f64();
            let after = store.read_model_digest().await?;
            println!(
                "Rebuilt the read models of {} cases from {} events in {secs:.2} s ({:.0} events/s).",
                stats.cases,
                stats.events,
                stats.events as f64 / secs.max(1e-9)
            );
            if before == after {
                println!("They matched what was stored.");
            } else {
                println!("They differed from what was stored, and were replaced.");
            }
        }
        Cmd::Backup { db, to } => {
            let store = open(&db.database_url).await?;
            store.backup(&to).await?;
            println!("Backed up to {}.", to.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Turns field errors into a readable message.
fn describe(e: homeward_app::AppError) -> anyhow::Error {
    match e {
        homeward_app::AppError::Invalid(vs) => {
            let lines: Vec<String> = vs
                .iter()
                .map(|v| format!("{}: {}", v.field.clone().unwrap_or_default(), v.message))
                .collect();
            anyhow!("invalid input:\n  {}", lines.join("\n  "))
        }
        other => anyhow!(other.to_string()),
    }
}

fn main() -> ExitCode {
    malloc::bound_glibc_allocator();
    let cli = Cli::parse();
    // Before any SQLite connection, and before any thread: a command that serves nobody
    // (a rebuild, a generated programme) writes without SQLite's process-wide allocation
    // mutex. The server keeps it: its soft heap limit needs it.
    let serves = matches!(cli.command, Cmd::Serve { .. } | Cmd::Demo { .. });
    if !serves {
        homeward_store::forgo_memory_statistics();
    }
    init_logging(cli.log_format, serves);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
