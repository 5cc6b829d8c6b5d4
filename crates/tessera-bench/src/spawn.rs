//! `--spawn`: starts `tessera serve` on a free port and a fresh data directory,
//! optionally pinned with `taskset`, configured with the bench's access key so
//! admin calls are verified for real. Stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long the server may take to say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(30);
const LISTENING: &str = "listening on ";

pub struct SpawnedServer {
    child: Child,
    pub pid: u32,
    pub url: String,
    pub data_dir: PathBuf,
    pub log: PathBuf,
    /// From spawning the process to reading where it listens.
    pub started_in: Duration,
    /// From spawning the process to the first answered request (`GET /health`).
    pub first_response_in: Option<Duration>,
}

impl SpawnedServer {
    pub async fn start(
        binary: &Path,
        cpus: Option<&str>,
        data_dir: &Path,
        access_key: &str,
        secret_key: &str,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let log = data_dir.join("server.log");
        let log_file =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let server_args = [
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            &data_dir.join("data").display().to_string(),
        ]
        .map(str::to_owned);
        let mut command = match cpus {
            Some(cpus) => {
                let mut c = Command::new("taskset");
                c.arg("-c").arg(cpus).arg(binary);
                c
            }
            None => Command::new(binary),
        };
        command
            .args(server_args)
            .env("TESSERA_ACCESS_KEY_ID", access_key)
            .env("TESSERA_SECRET_ACCESS_KEY", secret_key)
            // The identity-pool scenario measures Tessera's side of
            // GetCredentialsForIdentity, not an STS's.
            .env("TESSERA_IDENTITY_CREDENTIALS", "local")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true);
        let spawned_at = Instant::now();
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pid = child
            .id()
            .ok_or_else(|| anyhow!("the server exited at once"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("no stdout from the server"))?;
        let mut lines = BufReader::new(stdout).lines();
        let url = tokio::time::timeout(START_TIMEOUT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(url) = line.trim().strip_prefix(LISTENING) {
                    return Ok(url.to_owned());
                }
            }
            bail!("the server exited before listening; see {}", log.display())
        })
        .await
        .map_err(|_| anyhow!("the server did not start within {START_TIMEOUT:?}"))??;
        let started_in = spawned_at.elapsed();
        // Keep reading stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let first_response_in = first_response(&url, spawned_at).await;
        Ok(Self {
            child,
            pid,
            url,
            data_dir: data_dir.to_owned(),
            log,
            started_in,
            first_response_in,
        })
    }

    /// Bytes on disk of the server's data directory.
    pub fn data_bytes(&self) -> u64 {
        crate::procfs::dir_size(&self.data_dir.join("data"))
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Polls `GET /health` until it answers (or a few seconds pass).
async fn first_response(url: &str, spawned_at: Instant) -> Option<Duration> {
    let client = reqwest::Client::builder().no_proxy().build().ok()?;
    let health = format!("{}/health", url.trim_end_matches('/'));
    for _ in 0..5_000 {
        if client.get(&health).send().await.is_ok() {
            return Some(spawned_at.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    None
}
