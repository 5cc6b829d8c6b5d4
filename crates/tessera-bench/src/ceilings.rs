//! The ceilings measured in-process, so each scenario reads as a ratio that holds
//! on a noisy machine:
//!
//! - **crypto**: the bare CPU cost of a sign-in on one thread — two RS256
//!   signatures (ID and access token) plus, for SRP, the server's challenge and
//!   claim check, or, for a plain password, one password check;
//! - **write**: durable single-row commits per second with SQLite in WAL mode and
//!   `synchronous=FULL` (Tessera's durability settings), one INSERT per
//!   transaction, on the data directory's disk.
//!
//! The HTTP ceiling is the `noop` scenario.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hdrhistogram::Histogram;
use serde::Serialize;
use serde_json::{Map, Value, json};
use tessera_crypto::jwt::SigningKey;
use tessera_crypto::srp;

use crate::procfs;

const POOL_NAME: &str = "AbCdEfGhI";
const USER_ID: &str = "bench-user-00042";
const PASSWORD: &str = crate::prepare::PASSWORD;
/// Distinct challenges the SRP loop cycles through (each needs a client claim,
/// made outside the measured loop).
const SRP_CLAIMS: usize = 8;

/// One timed loop: operations per second by wall clock and by the thread's CPU time.
#[derive(Debug, Clone, Serialize)]
pub struct Rate {
    pub operations: u64,
    pub wall_seconds: f64,
    pub cpu_seconds: Option<f64>,
    /// Per second of wall time.
    pub per_second: f64,
    /// Per second of this thread's CPU time: what one core that does nothing
    /// else would do (the figure used as the ceiling).
    pub per_cpu_second: Option<f64>,
    /// Mean µs of CPU (or wall, without /proc) per operation.
    pub us_per_operation: f64,
}

impl Rate {
    /// The ceiling figure: per CPU-second when known, else per wall-second.
    pub fn ceiling(&self) -> f64 {
        self.per_cpu_second.unwrap_or(self.per_second)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CryptoCeiling {
    /// One RS256 signature over an ID-token-sized claim set.
    pub rs256_sign: Rate,
    /// `srp::password_matches`.
    pub password_check: Rate,
    /// `srp::server_challenge` + `srp::verify_claim` (with `parse_public_a`).
    pub srp_server: Rate,
    /// USER_PASSWORD_AUTH's crypto: a password check and two signatures.
    pub password_sign_in: Rate,
    /// USER_SRP_AUTH's crypto: challenge, claim check and two signatures.
    pub srp_sign_in: Rate,
    /// The client's side of SRP, as the bench does it per sign-in
    /// (`client::start` + `claim_signature`): what bounds the bench, not the server.
    pub srp_client: Rate,
}

#[derive(Debug, Clone, Serialize)]
pub struct WriteCeiling {
    pub commits: u64,
    pub seconds: f64,
    pub commits_per_second: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

/// Runs `op` repeatedly for about `seconds` on this thread.
fn measure(seconds: f64, mut op: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Rate> {
    op()?; // caches, lazy tables
    let budget = Duration::from_secs_f64(seconds.max(0.01));
    let cpu_start = procfs::thread_cpu_seconds();
    let start = Instant::now();
    let mut operations = 0u64;
    while start.elapsed() < budget {
        op()?;
        operations += 1;
    }
    let wall_seconds = start.elapsed().as_secs_f64();
    let cpu_seconds = procfs::thread_cpu_seconds()
        .zip(cpu_start)
        .map(|(end, start)| end - start)
        .filter(|cpu| *cpu > 0.0);
    let n = operations as f64;
    Ok(Rate {
        operations,
        wall_seconds,
        cpu_seconds,
        per_second: n / wall_seconds,
        per_cpu_second: cpu_seconds.map(|cpu| n / cpu),
        us_per_operation: cpu_seconds.unwrap_or(wall_seconds) * 1e6 / n.max(1.0),
    })
}

/// Claims shaped like a Cognito ID token's, so signing costs what it does in a sign-in.
fn id_token_claims() -> Map<String, Value> {
    let v = json!({
        "sub": "3f1c0b9e-6a2d-4c55-9d8e-2b7a0f4c1e11",
        "email_verified": true,
        "iss": "http://127.0.0.1:9229/us-east-1_AbCdEfGhI",
        "cognito:username": USER_ID,
        "origin_jti": "5b0c7f0e-34a1-4a6b-8b43-0f1f9a1c2d3e",
        "aud": "3n4b5urk1ft4fl3mg5e62d9ado",
        "event_id": "0c9f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        "token_use": "id",
        "auth_time": 1_716_552_000,
        "exp": 1_716_555_600,
        "iat": 1_716_552_000,
        "jti": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "email": "bench-user-00042@bench.example.com",
    });
    match v {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The crypto ceiling, `seconds` per measured loop, on the calling thread.
pub fn crypto(seconds: f64) -> anyhow::Result<CryptoCeiling> {
    srp::warm_up();
    let err = |what: &'static str| move |e: tessera_crypto::jwt::JwtError| anyhow!("{what}: {e:?}");
    let id_key = SigningKey::generate().map_err(err("generating a key"))?;
    let access_key = SigningKey::generate().map_err(err("generating a key"))?;
    let claims = id_token_claims();
    let sign_twice = || -> anyhow::Result<()> {
        std::hint::black_box(id_key.sign(&claims).map_err(err("signing"))?);
        std::hint::black_box(access_key.sign(&claims).map_err(err("signing"))?);
        Ok(())
    };

    let verifier = srp::make_verifier(POOL_NAME, USER_ID, PASSWORD);
    let check_password = || -> anyhow::Result<()> {
        if srp::password_matches(&verifier, POOL_NAME, USER_ID, PASSWORD) {
            Ok(())
        } else {
            Err(anyhow!("the password check refused the right password"))
        }
    };

    // Client claims for a few challenges, made before the measured loop.
    let timestamp = srp::format_timestamp(1_716_552_000);
    let secret_block = vec![7u8; 512];
    let secret_block_b64 = BASE64.encode(&secret_block);
    let salt = srp::salt_hex(&verifier);
    let mut claims_made = Vec::with_capacity(SRP_CLAIMS);
    for _ in 0..SRP_CLAIMS {
        let session = srp::client::start();
        let a_hex = session.public_a_hex();
        let ephemeral = srp::server_challenge(&verifier);
        let signature = session
            .claim_signature(
                POOL_NAME,
                USER_ID,
                PASSWORD,
                &salt,
                &srp::public_b_hex(&ephemeral),
                &secret_block_b64,
                &timestamp,
            )
            .map_err(|e| anyhow!("SRP client: {e}"))?;
        claims_made.push((a_hex, ephemeral, signature));
    }
    let mut next = 0usize;
    let mut srp_server = || -> anyhow::Result<()> {
        let (a_hex, ephemeral, signature) = &claims_made[next % SRP_CLAIMS];
        next += 1;
        let a = srp::parse_public_a(a_hex).map_err(|e| anyhow!("SRP_A: {e}"))?;
        // A fresh challenge costs what the sign-in's does; the claim is checked
        // against the one its client answered.
        std::hint::black_box(srp::server_challenge(&verifier));
        if srp::verify_claim(
            &verifier,
            &a,
            ephemeral,
            POOL_NAME,
            USER_ID,
            &secret_block,
            &timestamp,
            signature,
        ) {
            Ok(())
        } else {
            Err(anyhow!("the SRP claim check refused a right claim"))
        }
    };
    let srp_client_challenge = srp::server_challenge(&verifier);
    let srp_b = srp::public_b_hex(&srp_client_challenge);
    let srp_client = || -> anyhow::Result<()> {
        let session = srp::client::start();
        std::hint::black_box(session.public_a_hex());
        std::hint::black_box(
            session
                .claim_signature(
                    POOL_NAME,
                    USER_ID,
                    PASSWORD,
                    &salt,
                    &srp_b,
                    &secret_block_b64,
                    &timestamp,
                )
                .map_err(|e| anyhow!("SRP client: {e}"))?,
        );
        Ok(())
    };

    let part = seconds / 4.0;
    let rs256_sign = measure(part / 2.0, || {
        std::hint::black_box(id_key.sign(&claims).map_err(err("signing"))?);
        Ok(())
    })?;
    let password_check = measure(part / 2.0, check_password)?;
    let srp_server_rate = measure(part / 2.0, &mut srp_server)?;
    let password_sign_in = measure(part, || {
        check_password()?;
        sign_twice()
    })?;
    let srp_sign_in = measure(part, || {
        srp_server()?;
        sign_twice()
    })?;
    let srp_client = measure(part / 2.0, srp_client)?;
    Ok(CryptoCeiling {
        rs256_sign,
        password_check,
        srp_server: srp_server_rate,
        password_sign_in,
        srp_sign_in,
        srp_client,
    })
}

/// The write ceiling: single-row durable commits for about `seconds`, in a
/// scratch database under `dir` (removed afterwards).
pub fn write(dir: &Path, seconds: f64) -> anyhow::Result<WriteCeiling> {
    let path = dir.join("write-ceiling.db");
    let result = write_at(&path, seconds);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    result
}

fn write_at(path: &Path, seconds: f64) -> anyhow::Result<WriteCeiling> {
    let conn =
        rusqlite::Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         CREATE TABLE IF NOT EXISTS row (id INTEGER PRIMARY KEY, body BLOB NOT NULL);",
    )
    .context("configuring the write-ceiling database")?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .context("reading journal_mode")?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(anyhow!("SQLite refused WAL mode (journal_mode = {mode})"));
    }
    // About the size of a user row.
    let body = vec![0x5au8; 600];
    let mut insert = conn
        .prepare("INSERT INTO row (body) VALUES (?1)")
        .context("preparing the insert")?;
    let mut latency =
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).context("creating a histogram")?;
    let budget = Duration::from_secs_f64(seconds.max(0.01));
    let start = Instant::now();
    let mut commits = 0u64;
    while start.elapsed() < budget {
        let t = Instant::now();
        conn.execute_batch("BEGIN IMMEDIATE")
            .context("beginning a transaction")?;
        insert.execute([&body]).context("inserting")?;
        conn.execute_batch("COMMIT").context("committing")?;
        latency.saturating_record(t.elapsed().as_micros().max(1) as u64);
        commits += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    Ok(WriteCeiling {
        commits,
        seconds: elapsed,
        commits_per_second: commits as f64 / elapsed,
        p50_us: latency.value_at_quantile(0.5),
        p99_us: latency.value_at_quantile(0.99),
        max_us: latency.max(),
    })
}
