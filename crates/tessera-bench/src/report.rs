//! The report: every scenario's figures beside the ceiling that bounds it and
//! issue 5's target for it, as a table for people and JSON for machines.

use std::fmt::Write as _;

use serde::Serialize;

use crate::ceilings::{CryptoCeiling, WriteCeiling};
use crate::load::Measured;
use crate::options::Scenario;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub endpoint: String,
    pub server: Option<ServerInfo>,
    pub settings: Settings,
    pub ceilings: Ceilings,
    pub scenarios: Vec<ScenarioReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// CPUs the bench may run on (after any `taskset`).
    pub bench_cpus: usize,
    pub cpu_model: Option<String>,
    pub load_average_start: Option<f64>,
    pub load_average_end: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServerInfo {
    pub pid: u32,
    /// `taskset -c` list, when pinned.
    pub cpus: Option<String>,
    /// Spawned: process start to the `listening on` line.
    pub listening_ms: Option<f64>,
    /// Spawned: process start to the first answered request.
    pub first_response_ms: Option<f64>,
    /// Users in the pool when the scenarios started.
    pub users_before_scenarios: usize,
    pub rss_kib_before_scenarios: Option<u64>,
    pub rss_kib_end: Option<u64>,
    /// Spawned: the data directory's size at the end.
    pub data_bytes_end: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub concurrency: usize,
    pub duration_s: f64,
    pub requests: Option<u64>,
    pub warmup_s: f64,
    pub users: usize,
    pub populate: usize,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Ceilings {
    /// The `noop` scenario's operations per second, when it ran.
    pub http_noop_per_s: Option<f64>,
    pub crypto: Option<CryptoCeiling>,
    pub write: Option<WriteCeiling>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub p50_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
    pub mean_us: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioReport {
    pub scenario: Scenario,
    /// `ok`, or why it did not run (`skipped: …`).
    pub status: String,
    pub operations: u64,
    pub requests_per_operation: u64,
    pub errors: u64,
    pub elapsed_s: f64,
    pub operations_per_s: f64,
    pub requests_per_s: f64,
    pub latency: Option<Latency>,
    /// Share of one CPU the bench used (100 = one core busy).
    pub bench_cpu_percent: Option<f64>,
    /// Share of one CPU the server used, when its process is known.
    pub server_cpu_percent: Option<f64>,
    /// Server CPU µs per operation (all its threads).
    pub server_cpu_us_per_operation: Option<f64>,
    /// 1e6 / `server_cpu_us_per_operation`: operations per second one fully
    /// busy server core would answer — the server's capacity even when the
    /// bench, not the server, was the bottleneck.
    pub server_capacity_per_s: Option<f64>,
    pub first_errors: Vec<String>,
    pub ceiling: Option<CeilingRatio>,
    pub targets: Vec<TargetCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CeilingRatio {
    pub name: &'static str,
    pub per_second: f64,
    /// operations_per_s / per_second.
    pub ratio: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetCheck {
    pub target: String,
    pub met: bool,
}

impl ScenarioReport {
    pub fn skipped(scenario: Scenario, reason: String) -> Self {
        Self {
            scenario,
            status: reason,
            operations: 0,
            requests_per_operation: scenario.requests_per_op(),
            errors: 0,
            elapsed_s: 0.0,
            operations_per_s: 0.0,
            requests_per_s: 0.0,
            latency: None,
            bench_cpu_percent: None,
            server_cpu_percent: None,
            server_cpu_us_per_operation: None,
            server_capacity_per_s: None,
            first_errors: Vec::new(),
            ceiling: None,
            targets: Vec::new(),
        }
    }

    pub fn measured(scenario: Scenario, m: &Measured) -> Self {
        let elapsed_s = m.elapsed.as_secs_f64().max(1e-9);
        let operations_per_s = m.ok as f64 / elapsed_s;
        let h = &m.latency_us;
        let latency = (m.ok > 0).then(|| Latency {
            p50_us: h.value_at_quantile(0.5),
            p99_us: h.value_at_quantile(0.99),
            p999_us: h.value_at_quantile(0.999),
            max_us: h.max(),
            mean_us: h.mean(),
        });
        let server_cpu_us_per_operation = m
            .server_cpu_s
            .filter(|s| m.ok > 0 && *s > 0.0)
            .map(|s| s * 1e6 / m.ok as f64);
        Self {
            scenario,
            status: "ok".into(),
            operations: m.ok,
            requests_per_operation: scenario.requests_per_op(),
            errors: m.errors,
            elapsed_s,
            operations_per_s,
            requests_per_s: operations_per_s * scenario.requests_per_op() as f64,
            latency,
            bench_cpu_percent: m.bench_cpu_s.map(|s| 100.0 * s / elapsed_s),
            server_cpu_percent: m.server_cpu_s.map(|s| 100.0 * s / elapsed_s),
            server_cpu_us_per_operation,
            server_capacity_per_s: server_cpu_us_per_operation.map(|us| 1e6 / us),
            first_errors: m.first_errors.clone(),
            ceiling: None,
            targets: Vec::new(),
        }
    }

    pub fn is_skipped(&self) -> bool {
        self.status.starts_with("skipped")
    }
}

impl Report {
    /// Fills each scenario's ceiling ratio and its checks against issue 5's targets.
    pub fn evaluate(&mut self) {
        let noop = self
            .scenarios
            .iter()
            .find(|s| s.scenario == Scenario::Noop && !s.is_skipped())
            .map(|s| s.operations_per_s);
        self.ceilings.http_noop_per_s = noop;
        let write = self.ceilings.write.as_ref().map(|w| w.commits_per_second);
        let crypto_password = self
            .ceilings
            .crypto
            .as_ref()
            .map(|c| c.password_sign_in.ceiling());
        let crypto_srp = self
            .ceilings
            .crypto
            .as_ref()
            .map(|c| c.srp_sign_in.ceiling());
        for s in &mut self.scenarios {
            if s.is_skipped() {
                continue;
            }
            let (name, ceiling) = match s.scenario {
                Scenario::AdminCreateUser | Scenario::SignUp | Scenario::SignUpConfirm => {
                    ("write", write)
                }
                Scenario::PasswordAuth => ("crypto password sign-in", crypto_password),
                Scenario::SrpAuth => ("crypto SRP sign-in", crypto_srp),
                _ => ("http noop", noop),
            };
            s.ceiling = ceiling.filter(|c| *c > 0.0).map(|per_second| CeilingRatio {
                name,
                per_second,
                ratio: s.operations_per_s / per_second,
            });
            let ratio = s.ceiling.as_ref().map(|c| c.ratio);
            let mut check = |target: String, met: Option<bool>| {
                if let Some(met) = met {
                    s.targets.push(TargetCheck { target, met });
                }
            };
            match s.scenario {
                Scenario::GetUser | Scenario::AdminGetUser => {
                    check("≥ 50% of noop".into(), ratio.map(|r| r >= 0.5));
                }
                // (SignUpConfirm is two commits per operation; `sign-up` carries the
                // SignUp target.)
                Scenario::AdminCreateUser | Scenario::SignUp => {
                    check("≥ 50% of write".into(), ratio.map(|r| r >= 0.5));
                }
                Scenario::PasswordAuth => {
                    check("≥ 70% of crypto".into(), ratio.map(|r| r >= 0.7));
                    let ops = s.operations_per_s;
                    check("≥ 1,500/s".into(), Some(ops >= 1500.0));
                }
                Scenario::SrpAuth => {
                    check("≥ 70% of crypto".into(), ratio.map(|r| r >= 0.7));
                    let ops = s.operations_per_s;
                    check("≥ 400/s".into(), Some(ops >= 400.0));
                }
                _ => {}
            }
            let errors = s.errors;
            check("0 errors".into(), Some(errors == 0));
        }
    }

    /// The report as text tables.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let m = &self.machine;
        let load = |l: Option<f64>| l.map_or("?".into(), |l| format!("{l:.2}"));
        let _ = writeln!(
            out,
            "machine: {} | bench CPUs: {} | load average {} → {}",
            m.cpu_model.as_deref().unwrap_or("unknown CPU"),
            m.bench_cpus,
            load(m.load_average_start),
            load(m.load_average_end),
        );
        let st = &self.settings;
        let _ = writeln!(
            out,
            "endpoint: {} | concurrency {} | {} s per scenario{} | warm-up {} s | {} prepared users{}",
            self.endpoint,
            st.concurrency,
            st.duration_s,
            st.requests
                .map_or(String::new(), |n| format!(" or {n} operations")),
            st.warmup_s,
            st.users,
            if st.populate > 0 {
                format!(" + {} filler users", st.populate)
            } else {
                String::new()
            },
        );
        if let Some(s) = &self.server {
            let ms = |v: Option<f64>| v.map_or("?".into(), |v| format!("{v:.0} ms"));
            let mib =
                |v: Option<u64>| v.map_or("?".into(), |v| format!("{:.1} MiB", v as f64 / 1024.0));
            let _ = writeln!(
                out,
                "server: pid {}{} | listening after {}, first answer after {} | RSS {} before scenarios ({} users), {} at end{}",
                s.pid,
                s.cpus
                    .as_ref()
                    .map_or(String::new(), |c| format!(" on CPU {c}")),
                ms(s.listening_ms),
                ms(s.first_response_ms),
                mib(s.rss_kib_before_scenarios),
                s.users_before_scenarios,
                mib(s.rss_kib_end),
                s.data_bytes_end.map_or(String::new(), |b| format!(
                    " | data {:.1} MiB",
                    b as f64 / 1048576.0
                )),
            );
        }

        out.push_str("\nceilings (in-process, one thread):\n");
        if let Some(c) = &self.ceilings.crypto {
            let rate = |name: &str, r: &crate::ceilings::Rate, unit: &str| {
                format!(
                    "  {name:<38} {:>9.0} {unit}/s per core  ({:.0} µs each)\n",
                    r.ceiling(),
                    r.us_per_operation
                )
            };
            out.push_str(&rate("RS256 signature", &c.rs256_sign, "sig"));
            out.push_str(&rate("SRP password check (g^x)", &c.password_check, "op"));
            out.push_str(&rate(
                "SRP server (challenge + claim check)",
                &c.srp_server,
                "op",
            ));
            out.push_str(&rate(
                "crypto: password sign-in (check + 2 sig)",
                &c.password_sign_in,
                "sign-in",
            ));
            out.push_str(&rate(
                "crypto: SRP sign-in (SRP + 2 sig)",
                &c.srp_sign_in,
                "sign-in",
            ));
            out.push_str(&rate(
                "bench-side SRP client math",
                &c.srp_client,
                "sign-in",
            ));
        } else {
            out.push_str("  crypto: not measured\n");
        }
        match &self.ceilings.write {
            Some(w) => {
                let _ = writeln!(
                    out,
                    "  {:<38} {:>9.0} commit/s  (p50 {} µs, p99 {} µs; WAL, synchronous=FULL)",
                    "write: durable single-row commits", w.commits_per_second, w.p50_us, w.p99_us
                );
            }
            None => out.push_str("  write: not measured\n"),
        }
        if let Some(n) = self.ceilings.http_noop_per_s {
            let _ = writeln!(out, "  {:<38} {n:>9.0} req/s", "http: noop scenario");
        }

        let _ = writeln!(
            out,
            "\n{:<25} {:>9} {:>9} {:>8} {:>8} {:>8} {:>6} {:>6} {:>6} {:>9} {:>9} {:>20}  targets",
            "scenario",
            "ops/s",
            "req/s",
            "p50 ms",
            "p99 ms",
            "p99.9 ms",
            "errors",
            "bench%",
            "srv%",
            "srv µs/op",
            "srv cap/s",
            "vs ceiling"
        );
        for s in &self.scenarios {
            if s.is_skipped() {
                let _ = writeln!(out, "{:<25} {}", s.scenario.name(), s.status);
                continue;
            }
            let ms =
                |us: Option<u64>| us.map_or("-".into(), |us| format!("{:.2}", us as f64 / 1000.0));
            let pct = |p: Option<f64>| p.map_or("-".into(), |p| format!("{p:.0}"));
            let ceiling = s.ceiling.as_ref().map_or("-".into(), |c| {
                format!("{:.0}% of {}", 100.0 * c.ratio, short_ceiling(c.name))
            });
            let targets: Vec<String> = s
                .targets
                .iter()
                .map(|t| format!("{} {}", if t.met { "✓" } else { "✗" }, t.target))
                .collect();
            let _ = writeln!(
                out,
                "{:<25} {:>9.1} {:>9.1} {:>8} {:>8} {:>8} {:>6} {:>6} {:>6} {:>9} {:>9} {:>20}  {}",
                s.scenario.name(),
                s.operations_per_s,
                s.requests_per_s,
                ms(s.latency.as_ref().map(|l| l.p50_us)),
                ms(s.latency.as_ref().map(|l| l.p99_us)),
                ms(s.latency.as_ref().map(|l| l.p999_us)),
                s.errors,
                pct(s.bench_cpu_percent),
                pct(s.server_cpu_percent),
                s.server_cpu_us_per_operation
                    .map_or("-".into(), |us| format!("{us:.0}")),
                s.server_capacity_per_s
                    .map_or("-".into(), |n| format!("{n:.0}")),
                ceiling,
                targets.join(", "),
            );
        }
        for s in &self.scenarios {
            if !s.first_errors.is_empty() {
                let _ = writeln!(out, "\nfirst errors of {}:", s.scenario.name());
                for e in &s.first_errors {
                    let _ = writeln!(out, "  {e}");
                }
            }
        }
        out
    }
}

fn short_ceiling(name: &str) -> &str {
    match name {
        "crypto password sign-in" | "crypto SRP sign-in" => "crypto",
        "http noop" => "noop",
        other => other,
    }
}
