//! The server under test: its binary, started and watched, its data generated once, and
//! signing in.

use super::*;

/// The `homeward` binary beside this one (`cargo build --release -p homeward`).
pub(super) fn homeward_binary() -> Result<PathBuf> {
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
pub(super) fn serve(url: &str) -> Result<(Child, String)> {
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

pub(super) fn peak_rss_mib(pid: u32) -> f64 {
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
pub(super) async fn prepare(
    args: &Args,
    backend: &str,
    cases: usize,
) -> Result<(String, Generated)> {
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

pub(super) async fn token(http: &reqwest::Client, base: &str, user: &str) -> Result<String> {
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
