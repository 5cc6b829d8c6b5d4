//! Command-line options and the scenario names.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use serde::Serialize;

/// Load generator for Cognito-compatible user-pool endpoints: throughput and
/// latency of each scenario, beside the ceilings measured in the same run.
#[derive(Debug, Clone, Parser)]
#[command(name = "tessera-bench", version)]
pub struct Options {
    /// The endpoint to load (any Cognito-compatible user-pool API).
    #[arg(
        long,
        default_value = "http://127.0.0.1:9229",
        conflicts_with = "spawn"
    )]
    pub endpoint: String,

    /// Start this `tessera` binary (`serve --listen 127.0.0.1:0`) on a temporary
    /// data directory and load it, instead of `--endpoint`.
    #[arg(long, value_name = "PATH_TO_TESSERA")]
    pub spawn: Option<PathBuf>,

    /// With --spawn: pin the server with `taskset -c CPUS` (e.g. `0`). Pin the
    /// bench itself on the others: `taskset -c 1 tessera-bench …`.
    #[arg(long, value_name = "CPUS", requires = "spawn")]
    pub server_cpus: Option<String>,

    /// Without --spawn: the server's process id, to report its CPU use and memory
    /// (same machine only).
    #[arg(long, value_name = "PID", conflicts_with = "spawn")]
    pub server_pid: Option<u32>,

    /// Region in the SigV4 credential scope.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,

    /// Access key id for SigV4-signed (admin) calls. With --spawn, the server is
    /// configured with this key pair, so signatures are verified for real.
    #[arg(long, env = "AWS_ACCESS_KEY_ID", default_value = "tessera-bench")]
    pub access_key: String,

    /// Secret access key for SigV4-signed calls.
    #[arg(
        long,
        env = "AWS_SECRET_ACCESS_KEY",
        default_value = "tessera-bench-secret",
        hide_env_values = true
    )]
    pub secret_key: String,

    /// Scenario to run (repeatable), or `all`.
    #[arg(long = "scenario", value_enum, default_value = "all")]
    pub scenarios: Vec<ScenarioArg>,

    /// Requests in flight at once: that many workers, one keep-alive connection each.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,

    /// Measured length of each scenario, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,

    /// Stop each scenario after this many operations (whichever of this and
    /// --duration comes first).
    #[arg(long)]
    pub requests: Option<u64>,

    /// Unmeasured run before each scenario, in seconds.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,

    /// Users prepared for the sign-in and read scenarios.
    #[arg(long, default_value_t = 256)]
    pub users: usize,

    /// Extra users created in the pool before the scenarios (to load a larger pool).
    #[arg(long, default_value_t = 0)]
    pub populate: usize,

    /// Seconds spent on each in-process ceiling (crypto, write); 0 skips them.
    #[arg(long, default_value_t = 2.0)]
    pub ceiling_seconds: f64,

    /// Where the write ceiling's database (and a spawned server's data) go;
    /// a temporary directory when not given. Put it on the server's disk.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,

    /// Base URL of the OAuth endpoints (`/oauth2/token`); the endpoint when not given.
    #[arg(long)]
    pub oauth_url: Option<String>,

    /// Keep the pool the run created (it is deleted at the end otherwise).
    #[arg(long)]
    pub keep_pool: bool,

    /// Also write the report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Print nothing while running.
    #[arg(long)]
    pub quiet: bool,
}

/// A `--scenario` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScenarioArg {
    All,
    Noop,
    AdminCreateUser,
    SignUp,
    SignUpConfirm,
    PasswordAuth,
    SrpAuth,
    Refresh,
    GetUser,
    AdminGetUser,
    ListUsersPrefix,
    Jwks,
    OauthClientCredentials,
    IdentityCredentials,
}

/// One scenario: what each operation of it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// `TesseraBenchmark.Noop`: the HTTP stack alone (the HTTP ceiling).
    Noop,
    /// AdminCreateUser (signed), a new user each time.
    AdminCreateUser,
    /// SignUp, a new (unconfirmed) user each time.
    SignUp,
    /// SignUp, then AdminConfirmSignUp (signed): two requests per operation.
    SignUpConfirm,
    /// InitiateAuth USER_PASSWORD_AUTH.
    PasswordAuth,
    /// InitiateAuth USER_SRP_AUTH, then RespondToAuthChallenge PASSWORD_VERIFIER.
    SrpAuth,
    /// InitiateAuth REFRESH_TOKEN_AUTH.
    Refresh,
    /// GetUser with an access token.
    GetUser,
    /// AdminGetUser (signed).
    AdminGetUser,
    /// ListUsers (signed) with `username ^= "…"`.
    ListUsersPrefix,
    /// GET `/{poolId}/.well-known/jwks.json`.
    Jwks,
    /// POST `/oauth2/token` with `grant_type=client_credentials`.
    OauthClientCredentials,
    /// GetCredentialsForIdentity (unsigned) with a user's ID token: the token
    /// verified, an OpenID token signed, credentials from the server's source.
    IdentityCredentials,
}

impl Scenario {
    /// Every scenario, in the order `all` runs them: the HTTP ceiling first, reads,
    /// sign-ins, then the scenarios that grow the pool.
    pub const ALL: [Scenario; 13] = [
        Scenario::Noop,
        Scenario::Jwks,
        Scenario::AdminGetUser,
        Scenario::GetUser,
        Scenario::ListUsersPrefix,
        Scenario::PasswordAuth,
        Scenario::SrpAuth,
        Scenario::Refresh,
        Scenario::AdminCreateUser,
        Scenario::SignUp,
        Scenario::SignUpConfirm,
        Scenario::OauthClientCredentials,
        Scenario::IdentityCredentials,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Noop => "noop",
            Scenario::AdminCreateUser => "admin-create-user",
            Scenario::SignUp => "sign-up",
            Scenario::SignUpConfirm => "sign-up-confirm",
            Scenario::PasswordAuth => "password-auth",
            Scenario::SrpAuth => "srp-auth",
            Scenario::Refresh => "refresh",
            Scenario::GetUser => "get-user",
            Scenario::AdminGetUser => "admin-get-user",
            Scenario::ListUsersPrefix => "list-users-prefix",
            Scenario::Jwks => "jwks",
            Scenario::OauthClientCredentials => "oauth-client-credentials",
            Scenario::IdentityCredentials => "identity-credentials",
        }
    }

    /// HTTP requests in one operation.
    pub fn requests_per_op(self) -> u64 {
        match self {
            Scenario::SignUpConfirm | Scenario::SrpAuth => 2,
            _ => 1,
        }
    }

    /// Whether the scenario needs the prepared users (and their tokens).
    pub fn needs_users(self) -> bool {
        matches!(
            self,
            Scenario::PasswordAuth
                | Scenario::SrpAuth
                | Scenario::Refresh
                | Scenario::GetUser
                | Scenario::AdminGetUser
                | Scenario::ListUsersPrefix
                | Scenario::IdentityCredentials
        )
    }

    /// Whether the scenario needs each prepared user's tokens.
    pub fn needs_tokens(self) -> bool {
        matches!(
            self,
            Scenario::Refresh | Scenario::GetUser | Scenario::IdentityCredentials
        )
    }
}

impl Options {
    /// The scenarios asked for, each once, in `all`'s order.
    pub fn selected(&self) -> Vec<Scenario> {
        let wanted = |s: Scenario| {
            self.scenarios.iter().any(|arg| {
                *arg == ScenarioArg::All
                    || arg
                        .to_possible_value()
                        .is_some_and(|v| v.get_name() == s.name())
            })
        };
        Scenario::ALL.into_iter().filter(|s| wanted(*s)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_names_match_their_flags() {
        for s in Scenario::ALL {
            let opts = Options::parse_from(["tessera-bench", "--scenario", s.name()]);
            assert_eq!(opts.selected(), vec![s]);
        }
        let all = Options::parse_from(["tessera-bench"]);
        assert_eq!(all.selected(), Scenario::ALL.to_vec());
    }
}
