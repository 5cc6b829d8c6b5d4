//! Micro benchmark of the SRP operations, one thread.
//!
//! Run: `cargo bench -p tessera-crypto --bench srp` (release profile). Prints, per
//! operation, µs per operation: the median over several rounds of this thread's CPU
//! time, and the best and median wall time. On an idle machine they agree; on a
//! machine shared with other work compare the CPU and best-wall figures.

use std::hint::black_box;
use std::time::Instant;

use tessera_crypto::srp::{self, client};

const POOL: &str = "AbCdEf123";
const USER: &str = "7d0c4a5e-1f2b-4c3d-9e8f-a1b2c3d4e5f6";
const PASSWORD: &str = "Correct-Horse-Battery-9!";
const TIMESTAMP: &str = "Tue Mar 5 09:07:03 UTC 2024";
const ROUNDS: usize = 7;

/// CPU time of this thread in seconds (`/proc/thread-self/schedstat`, Linux), so that
/// other processes on a busy machine inflate the figures less. Its resolution is a
/// scheduler tick, hence rounds of at least [`ROUND_SECONDS`].
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns * 1e-9)
}

/// Minimum length of one measured round.
const ROUND_SECONDS: f64 = 0.08;

fn measure(name: &str, mut op: impl FnMut()) {
    let start = Instant::now();
    op(); // warms caches and sizes the rounds
    let once = start.elapsed().as_secs_f64().max(1e-7);
    let per_round = ((ROUND_SECONDS / once).ceil() as usize).max(1);
    let mut cpu: Vec<f64> = Vec::with_capacity(ROUNDS);
    let mut wall: Vec<f64> = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let (cpu_start, wall_start) = (cpu_seconds(), Instant::now());
        for _ in 0..per_round {
            op();
        }
        let elapsed = wall_start.elapsed().as_secs_f64();
        wall.push(elapsed * 1e6 / per_round as f64);
        let used = cpu_seconds()
            .zip(cpu_start)
            .map_or(elapsed, |(end, start)| end - start);
        cpu.push(used * 1e6 / per_round as f64);
    }
    cpu.sort_by(f64::total_cmp);
    wall.sort_by(f64::total_cmp);
    println!(
        "{name:<36} cpu median {:>8.1} µs | wall best {:>8.1} µs  median {:>8.1} µs",
        cpu[ROUNDS / 2],
        wall[0],
        wall[ROUNDS / 2]
    );
}

fn main() {
    let start = Instant::now();
    srp::warm_up();
    println!(
        "{:<34} {:>9.1} ms (once per process)",
        "warm_up (fixed-base table)",
        start.elapsed().as_secs_f64() * 1e3
    );

    let v = srp::make_verifier(POOL, USER, PASSWORD);
    let session = client::start();
    let a_hex = session.public_a_hex();
    let public_a = srp::parse_public_a(&a_hex).expect("A");
    let e = srp::server_challenge(&v);
    let block = vec![7u8; 512];
    let block_b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&block)
    };
    let signature = session
        .claim_signature(
            POOL,
            USER,
            PASSWORD,
            &srp::salt_hex(&v),
            &srp::public_b_hex(&e),
            &block_b64,
            TIMESTAMP,
        )
        .expect("signature");
    assert!(srp::verify_claim(
        &v, &public_a, &e, POOL, USER, &block, TIMESTAMP, &signature
    ));

    measure("make_verifier", || {
        black_box(srp::make_verifier(POOL, USER, PASSWORD));
    });
    measure("password_matches", || {
        assert!(srp::password_matches(black_box(&v), POOL, USER, PASSWORD));
    });
    measure("fake_verifier", || {
        black_box(srp::fake_verifier(b"pool/unknown-user"));
    });
    measure("parse_public_a", || {
        black_box(srp::parse_public_a(black_box(&a_hex)).expect("A"));
    });
    measure("server_challenge", || {
        black_box(srp::server_challenge(black_box(&v)));
    });
    measure("verify_claim", || {
        assert!(srp::verify_claim(
            black_box(&v),
            &public_a,
            &e,
            POOL,
            USER,
            &block,
            TIMESTAMP,
            &signature
        ));
    });
    measure("server total (challenge + verify)", || {
        let e = srp::server_challenge(&v);
        black_box(srp::verify_claim(
            &v, &public_a, &e, POOL, USER, &block, TIMESTAMP, &signature,
        ));
    });
    measure("client::start (256-bit a)", || {
        black_box(client::start());
    });
    measure("client claim_signature (256-bit a)", || {
        black_box(
            session
                .claim_signature(
                    POOL,
                    USER,
                    PASSWORD,
                    &srp::salt_hex(&v),
                    &srp::public_b_hex(&e),
                    &block_b64,
                    TIMESTAMP,
                )
                .expect("signature"),
        );
    });
    measure("secret_hash", || {
        black_box(srp::secret_hash("secret", "alice", "1example23456789"));
    });
}
