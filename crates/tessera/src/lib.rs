//! Tessera: a self-hosted identity service that speaks Amazon Cognito's API.
//! This crate is the binary's library: the only place that reads the
//! environment, picks a store and wires everything together.
//!
//! - [`cli`]: command-line arguments.
//! - [`config`]: settings layered from defaults, a TOML file, `TESSERA_*` and flags.
//! - [`secret`]: a string that never prints.
//! - [`kek`]: the key-encryption key — loaded, or generated on first start.
//! - [`delivery`]: email over SMTP, SMS to a webhook, or the dev outbox, per medium.
//! - [`triggers`]: Lambda triggers run through the Lambda Invoke API, a webhook or a local command, by ARN.
//! - [`identity`]: identity pools' AWS credentials (STS, or minted locally) and OpenID Connect providers' keys.
//! - [`declared`]: pools, clients, groups and users declared in the config file.
//! - [`housekeeping`]: the background purge of expired records.
//! - [`server`]: starts the HTTP server over a store and reports where it listens.
//! - [`tls`]: HTTPS — the certificate from PEM files or self-signed, and the TLS listener.
//! - [`health`]: `tessera health`, a running server's readiness for container health checks.
//! - [`telemetry`]: the Prometheus exporter behind `/metrics`, and the log format.
//! - [`test_clock`]: the clock end-to-end tests move through `/_tessera/clock`.

pub mod cli;
pub mod config;
pub mod declared;
pub mod delivery;
pub mod health;
pub mod housekeeping;
pub mod identity;
pub mod kek;
pub mod secret;
pub mod server;
pub mod telemetry;
pub mod test_clock;
pub mod tls;
pub mod triggers;
