//! The load loop: a fixed number of workers, each with its own keep-alive
//! connection, running one scenario's operations back to back — first an
//! unmeasured warm-up, then (all together) the measured run, bounded by time and
//! by operation count.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use tokio::sync::Barrier;

use crate::api::Api;
use crate::options::Scenario;
use crate::procfs;
use crate::scenarios::{Shared, Worker, operation};

/// Errors kept (with their bodies) per scenario.
pub const FIRST_ERRORS_KEPT: usize = 5;
/// Longest latency the histograms hold: 10 minutes, in µs.
const MAX_LATENCY_US: u64 = 600_000_000;

#[derive(Debug, Clone, Copy)]
pub struct LoadSettings {
    pub concurrency: usize,
    pub duration: Duration,
    pub requests: Option<u64>,
    pub warmup: Duration,
}

/// A scenario's measured run.
pub struct Measured {
    pub ok: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Latency of each successful operation, in µs.
    pub latency_us: Histogram<u64>,
    pub first_errors: Vec<String>,
    /// CPU seconds the bench used during the measured run.
    pub bench_cpu_s: Option<f64>,
    /// CPU seconds the server used, when its process is known.
    pub server_cpu_s: Option<f64>,
}

fn histogram() -> anyhow::Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).context("creating a histogram")
}

struct WorkerResult {
    ok: u64,
    errors: u64,
    latency_us: Histogram<u64>,
    first_errors: Vec<String>,
}

pub async fn run(
    shared: Arc<Shared>,
    api: &Api,
    scenario: Scenario,
    settings: LoadSettings,
    server_pid: Option<u32>,
) -> anyhow::Result<Measured> {
    let concurrency = settings.concurrency.max(1);
    let barrier = Arc::new(Barrier::new(concurrency + 1));
    let remaining = Arc::new(AtomicI64::new(
        settings
            .requests
            .map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX)),
    ));
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let mut worker = Worker::new(api.fresh()?, w as u64 + 1);
        let (shared, barrier, remaining) = (shared.clone(), barrier.clone(), remaining.clone());
        let mut latency_us = histogram()?;
        tasks.spawn(async move {
            let warm_until = Instant::now() + settings.warmup;
            while Instant::now() < warm_until {
                let _ = operation(&shared, &mut worker, scenario).await;
            }
            barrier.wait().await;
            let until = Instant::now() + settings.duration;
            let (mut ok, mut errors, mut first_errors) = (0, 0, Vec::new());
            while Instant::now() < until && remaining.fetch_sub(1, Ordering::Relaxed) > 0 {
                match operation(&shared, &mut worker, scenario).await {
                    Ok(waited) => {
                        ok += 1;
                        latency_us.saturating_record(waited.as_micros().max(1) as u64);
                    }
                    Err(e) => {
                        errors += 1;
                        if first_errors.len() < FIRST_ERRORS_KEPT {
                            first_errors.push(e.to_string());
                        }
                    }
                }
            }
            WorkerResult {
                ok,
                errors,
                latency_us,
                first_errors,
            }
        });
    }

    barrier.wait().await;
    let start = Instant::now();
    let bench_cpu_start = procfs::cpu_seconds(std::process::id());
    let server_cpu_start = server_pid.and_then(procfs::cpu_seconds);

    let mut total = Measured {
        ok: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latency_us: histogram()?,
        first_errors: Vec::new(),
        bench_cpu_s: None,
        server_cpu_s: None,
    };
    while let Some(joined) = tasks.join_next().await {
        let r = joined.context("a load worker failed")?;
        total.ok += r.ok;
        total.errors += r.errors;
        total
            .latency_us
            .add(&r.latency_us)
            .context("merging histograms")?;
        for e in r.first_errors {
            if total.first_errors.len() < FIRST_ERRORS_KEPT {
                total.first_errors.push(e);
            }
        }
    }
    total.elapsed = start.elapsed();
    let spent = |start: Option<f64>, end: Option<f64>| Some(end? - start?);
    total.bench_cpu_s = spent(bench_cpu_start, procfs::cpu_seconds(std::process::id()));
    total.server_cpu_s = spent(server_cpu_start, server_pid.and_then(procfs::cpu_seconds));
    Ok(total)
}
