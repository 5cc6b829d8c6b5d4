//! `tessera-bench`: a load generator for any Cognito-compatible user-pool
//! endpoint, reporting each scenario beside the ceilings measured in the same
//! run (issue 5). [`run`] is the whole bench; `main` only parses and prints.
//!
//! - [`options`]: command-line options and the scenario names.
//! - [`api`]: a small awsJson client with SigV4 (one keep-alive connection each).
//! - [`spawn`]: `--spawn`: starts `tessera serve`, optionally pinned with `taskset`.
//! - [`prepare`]: the pool, app client and users the scenarios need, made via the API.
//! - [`scenarios`]: one operation of each scenario.
//! - [`load`]: the fixed-concurrency load loop with warm-up and latency histograms.
//! - [`ceilings`]: the crypto and write ceilings, measured in-process.
//! - [`procfs`]: CPU time, memory and machine facts from `/proc`.
//! - [`report`]: figures, ratios to ceilings, targets; table and JSON.

pub mod api;
pub mod ceilings;
pub mod load;
pub mod options;
pub mod prepare;
pub mod procfs;
pub mod report;
pub mod scenarios;
pub mod spawn;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use anyhow::Context;

pub use options::{Options, Scenario};
pub use report::Report;

use api::{Api, Target};
use load::LoadSettings;
use report::{Ceilings, Machine, ScenarioReport, ServerInfo, Settings};
use scenarios::{IdentityReadiness, OauthReadiness, Shared};
use spawn::SpawnedServer;

/// Runs the bench as `opts` says: ceilings, preparation, every selected
/// scenario; returns the evaluated report (and writes `--json` if asked).
pub async fn run(opts: &Options) -> anyhow::Result<Report> {
    let say = |message: &str| {
        if !opts.quiet {
            eprintln!("tessera-bench: {message}");
        }
    };
    let load_average_start = procfs::load_average();

    let temp;
    let data_dir: PathBuf = match &opts.data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            dir.clone()
        }
        None => {
            temp = tempfile::Builder::new()
                .prefix("tessera-bench-")
                .tempdir()
                .context("creating a temporary directory")?;
            temp.path().to_owned()
        }
    };

    let server = match &opts.spawn {
        Some(binary) => {
            let s = SpawnedServer::start(
                binary,
                opts.server_cpus.as_deref(),
                &data_dir.join("server"),
                &opts.access_key,
                &opts.secret_key,
            )
            .await?;
            say(&format!(
                "started {} (pid {}) at {}, log in {}",
                binary.display(),
                s.pid,
                s.url,
                s.log.display()
            ));
            Some(s)
        }
        None => None,
    };
    let endpoint = server
        .as_ref()
        .map_or_else(|| opts.endpoint.clone(), |s| s.url.clone());
    let server_pid = server.as_ref().map(|s| s.pid).or(opts.server_pid);
    let selected = opts.selected();

    // Ceilings first, while nothing else runs.
    let mut ceilings = Ceilings::default();
    if opts.ceiling_seconds > 0.0 {
        let seconds = opts.ceiling_seconds;
        say("measuring the crypto ceiling");
        ceilings.crypto = Some(
            tokio::task::spawn_blocking(move || ceilings::crypto(seconds))
                .await
                .context("the crypto ceiling's thread failed")??,
        );
        say("measuring the write ceiling");
        let dir = data_dir.clone();
        ceilings.write = Some(
            tokio::task::spawn_blocking(move || ceilings::write(&dir, seconds))
                .await
                .context("the write ceiling's thread failed")??,
        );
    }

    let target = Arc::new(Target::new(
        &endpoint,
        &opts.region,
        &opts.access_key,
        &opts.secret_key,
    )?);
    let api = Api::new(target)?;
    let tag = hex::encode(tessera_crypto::random::bytes::<4>());
    say("creating a pool and an app client");
    let mut fixture = prepare::create_pool_and_client(&api, &tag).await?;
    let users = if selected.iter().any(|s| s.needs_users()) {
        opts.users.max(1)
    } else {
        0
    };
    if users > 0 {
        let with_tokens = selected.iter().any(|s| s.needs_tokens());
        say(&format!("preparing {users} users"));
        fixture.users =
            prepare::prepare_users(&api, &fixture, users, with_tokens, opts.concurrency).await?;
    }
    if opts.populate > 0 {
        say(&format!(
            "populating the pool with {} more users",
            opts.populate
        ));
        prepare::populate(&api, &fixture, opts.populate, opts.concurrency).await?;
    }
    let rss_kib_before_scenarios = server_pid.and_then(procfs::rss_kib);

    let mut oauth = None;
    let mut oauth_skipped = None;
    if selected.contains(&Scenario::OauthClientCredentials) {
        match scenarios::prepare_oauth(&api, &fixture, opts.oauth_url.as_deref()).await? {
            OauthReadiness::Skipped(reason) => oauth_skipped = Some(reason),
            OauthReadiness::Ready(client) => oauth = Some(client),
        }
    }
    let mut identity = None;
    let mut identity_skipped = None;
    if selected.contains(&Scenario::IdentityCredentials) {
        match scenarios::prepare_identity(&api, &fixture, opts.concurrency).await? {
            IdentityReadiness::Skipped(reason) => identity_skipped = Some(reason),
            IdentityReadiness::Ready(prepared) => identity = Some(prepared),
        }
    }
    let pool_id = fixture.pool_id.clone();
    let shared = Arc::new(Shared {
        fixture,
        oauth,
        identity,
        seq: AtomicU64::new(0),
    });
    let settings = LoadSettings {
        concurrency: opts.concurrency.max(1),
        duration: Duration::from_secs_f64(opts.duration.max(0.0)),
        requests: opts.requests,
        warmup: Duration::from_secs_f64(opts.warmup.max(0.0)),
    };
    let mut reports = Vec::with_capacity(selected.len());
    for scenario in selected {
        let skipped = match scenario {
            Scenario::OauthClientCredentials => oauth_skipped.as_ref(),
            Scenario::IdentityCredentials => identity_skipped.as_ref(),
            _ => None,
        };
        if let Some(reason) = skipped {
            say(&format!("{}: {reason}", scenario.name()));
            reports.push(ScenarioReport::skipped(scenario, reason.clone()));
            continue;
        }
        say(&format!("running {}", scenario.name()));
        let measured = load::run(shared.clone(), &api, scenario, settings, server_pid).await?;
        let report = ScenarioReport::measured(scenario, &measured);
        say(&format!(
            "{}: {:.1} ops/s, {} errors",
            scenario.name(),
            report.operations_per_s,
            report.errors
        ));
        reports.push(report);
    }

    let rss_kib_end = server_pid.and_then(procfs::rss_kib);
    if server.is_none()
        && !opts.keep_pool
        && let Err(e) = prepare::delete_pool(&api, &pool_id).await
    {
        say(&format!("could not delete pool {pool_id}: {e:#}"));
    }
    let server_info = match (&server, server_pid) {
        (Some(s), _) => Some(ServerInfo {
            pid: s.pid,
            cpus: opts.server_cpus.clone(),
            listening_ms: Some(s.started_in.as_secs_f64() * 1e3),
            first_response_ms: s.first_response_in.map(|d| d.as_secs_f64() * 1e3),
            users_before_scenarios: users + opts.populate,
            rss_kib_before_scenarios,
            rss_kib_end,
            data_bytes_end: Some(s.data_bytes()),
        }),
        (None, Some(pid)) => Some(ServerInfo {
            pid,
            cpus: None,
            listening_ms: None,
            first_response_ms: None,
            users_before_scenarios: users + opts.populate,
            rss_kib_before_scenarios,
            rss_kib_end,
            data_bytes_end: None,
        }),
        (None, None) => None,
    };
    if let Some(s) = server {
        s.stop().await;
    }

    let mut report = Report {
        machine: Machine {
            bench_cpus: procfs::available_cpus(),
            cpu_model: procfs::cpu_model(),
            load_average_start,
            load_average_end: procfs::load_average(),
        },
        endpoint,
        server: server_info,
        settings: Settings {
            concurrency: settings.concurrency,
            duration_s: opts.duration,
            requests: opts.requests,
            warmup_s: opts.warmup,
            users,
            populate: opts.populate,
        },
        ceilings,
        scenarios: reports,
    };
    report.evaluate();
    if let Some(path) = &opts.json {
        let text = serde_json::to_string_pretty(&report).context("serializing the report")?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(report)
}
