//! Clients in a loop until told to stop, and what they measured.

use super::*;

/// A latency of a measurement, or a dash when no request succeeded (there is none).
pub(super) fn ms(s: &Stats, v: f64) -> String {
    if s.n == 0 {
        "—".to_string()
    } else {
        format!("{v:.1}")
    }
}

pub(super) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs `f` from `clients` concurrent tasks until `stop`; each call's latency counts when
/// it succeeds.
pub(super) async fn load<F, Fut>(clients: usize, stop: Stop, f: F) -> Measured
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

pub(super) fn outcome(status: reqwest::StatusCode) -> Outcome {
    match status.as_u16() {
        200..=299 => Outcome::Done,
        409 => Outcome::Conflict,
        _ => Outcome::Failed,
    }
}
