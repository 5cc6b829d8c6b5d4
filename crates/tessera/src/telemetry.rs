//! What the server tells its operator: the Prometheus exporter behind
//! `GET /metrics`, and the log subscriber in the configured format.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tessera_http::operator::MetricsExport;
use tokio::task::JoinHandle;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Histogram buckets, in seconds: from an indexed read to a slow trigger.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often recorded histogram samples are folded into their buckets
/// between scrapes (each scrape folds them too), bounding their memory.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The `metrics` facade has one recorder per process: every server started
/// in it (tests start several) reports through this one.
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The installed exporter, as `GET /metrics` renders it.
#[derive(Clone)]
pub struct Prometheus(PrometheusHandle);

impl MetricsExport for Prometheus {
    fn render(&self) -> String {
        self.0.render()
    }
}

/// Installs the exporter as the process's recorder (once), with every
/// metric's help text.
pub fn install() -> anyhow::Result<Prometheus> {
    let builder = PrometheusBuilder::new().set_buckets(BUCKETS)?;
    let handle = HANDLE.get_or_init(|| {
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            // Only an embedder that installed its own recorder gets here:
            // its recorder receives the metrics, and /metrics stays empty.
            tracing::warn!("another metrics recorder is installed; /metrics reports nothing");
        }
        tessera_core::telemetry::describe();
        tessera_store::telemetry::describe();
        tessera_http::telemetry::describe();
        handle
    });
    Ok(Prometheus(handle.clone()))
}

/// Folds histogram samples into buckets every few seconds, for as long as
/// the returned guard lives.
pub fn upkeep(exporter: &Prometheus) -> Upkeep {
    let handle = exporter.0.clone();
    Upkeep(tokio::spawn(async move {
        let mut every = tokio::time::interval(UPKEEP_EVERY);
        loop {
            every.tick().await;
            handle.run_upkeep();
        }
    }))
}

/// Stops the upkeep task when dropped.
pub struct Upkeep(JoinHandle<()>);

impl Drop for Upkeep {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Logs to stderr in `format`; which lines, `TESSERA_LOG` says (`info` by
/// default).
pub fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_env("TESSERA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        // Colour only for a person at a terminal; files and log shippers get plain text.
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        // The event's fields beside timestamp, level, target and message, not
        // nested under `fields`: what log shippers index without a mapping.
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}
