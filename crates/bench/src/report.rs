//! The machine measured on, and the report in Markdown.

use super::*;

pub(super) fn machine() -> Machine {
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

pub(super) fn mark(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

pub(super) fn markdown(r: &Report) -> String {
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
