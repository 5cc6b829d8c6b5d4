//! Command-line arguments. Each flag may also come from its `TESSERA_*`
//! variable; a flag given on the command line wins over the variable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// `tessera --version`: the package version and the commit it was built from
/// (see build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("TESSERA_BUILD_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version = VERSION,
    about = "A self-hosted identity service that speaks Amazon Cognito's API.",
    long_about = "Tessera serves the Cognito user-pool API (awsJson 1.1) so that boto3, the AWS CLI, \
                  the AWS SDKs and Amplify work against it unmodified. With no configuration, \
                  `tessera serve` listens on 127.0.0.1:9229 with an embedded SQLite store in \
                  ./tessera-data."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Apply pending storage migrations and exit.
    Migrate(CommonArgs),
    /// Replace a pool's token-signing keys. The old keys stay in the pool's
    /// JWKS until the tokens they signed have expired; running servers sign
    /// with the new keys within 5 seconds.
    RotateSigningKeys(RotateArgs),
    /// Print the rows of a user import job that failed, with their reasons
    /// (Cognito writes these to CloudWatch Logs), one `row<TAB>reason` a line.
    ImportFailures(ImportFailuresArgs),
    /// Print the admin audit log, oldest first: one JSON object a line with
    /// the time, the access key id that signed the change, the operation, and
    /// the pool, kind and id of what it changed.
    AuditLog(AuditLogArgs),
    /// Ask a running server whether it is ready (GET /ready): exit 0 when it
    /// is, 1 when it is not or does not answer. For container health checks
    /// (the image has no curl).
    Health(HealthArgs),
    /// Print the configuration file reference (Markdown), generated from the
    /// configuration types; docs/configuration.md is this output.
    ConfigReference,
}

#[derive(Debug, Clone, Args)]
pub struct AuditLogArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Only the changes made in this user pool.
    #[arg(long, value_name = "ID")]
    pub pool_id: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ImportFailuresArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// The user pool of the job.
    #[arg(long, value_name = "ID")]
    pub pool_id: String,

    /// The import job (`import-…`).
    #[arg(long, value_name = "ID")]
    pub job_id: String,
}

#[derive(Debug, Clone, Args)]
pub struct HealthArgs {
    /// The server's base URL. Default: http:// and the address `serve` would
    /// listen on (--listen / TESSERA_LISTEN, else 127.0.0.1:9229), with an
    /// unspecified address (0.0.0.0, [::]) read as loopback.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// The address `serve` listens on, ADDR:PORT, when --url is not given.
    #[arg(long, env = "TESSERA_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<String>,

    /// Give up after this many seconds.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// The user pool whose keys to rotate.
    #[arg(long, value_name = "ID", required_unless_present = "identity_service")]
    pub pool_id: Option<String>,

    /// Rotate the identity service's keys instead: those of identity pools'
    /// OpenID tokens (GetOpenIdToken and the tokens behind their credentials).
    #[arg(long, conflicts_with = "pool_id")]
    pub identity_service: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Directory for the SQLite store and the generated key-encryption key.
    #[arg(long, env = "TESSERA_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Where the data lives: `sqlite` (the default: tessera.db in the data
    /// directory) or a PostgreSQL URL, postgres://user:password@host:port/db,
    /// for several nodes over one database.
    #[arg(
        long,
        env = "TESSERA_STORE",
        value_name = "sqlite|URL",
        hide_env_values = true
    )]
    pub store: Option<String>,

    /// TOML configuration file; flags and TESSERA_* variables override it.
    #[arg(long, env = "TESSERA_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Address to listen on, ADDR:PORT. Port 0 picks a free port; the chosen
    /// address is printed.
    #[arg(long, env = "TESSERA_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<String>,

    /// Base URL clients reach this server at (default: http://<listen address>);
    /// tokens name `<public url>/<pool id>` as their issuer.
    #[arg(long, env = "TESSERA_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// Serve HTTPS with this certificate chain (PEM file); needs --tls-key.
    /// The default public URL is then https://<listen address>.
    #[arg(long, env = "TESSERA_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,

    /// The private key (PEM file) of --tls-cert.
    #[arg(long, env = "TESSERA_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,

    /// Serve HTTPS with a self-signed certificate for localhost (and
    /// *.localhost, the prefix domains and the public URL's host), generated
    /// once into <data dir>/tls/ and kept; the log says how to trust it. Also
    /// TESSERA_TLS_SELF_SIGNED=true, or `tls_self_signed = true` in the file.
    #[arg(long)]
    pub tls_self_signed: bool,

    /// Accept any well-formed SigV4 signature on a non-loopback listener when
    /// no access keys are configured. Never use this in production.
    #[arg(long, env = "TESSERA_INSECURE_ACCEPT_ANY_SIGNATURE")]
    pub insecure_accept_any_signature: bool,

    /// For end-to-end tests: serve /_tessera/clock, which moves the server's
    /// clock (codes, tokens, sessions and lockouts expire as if that much time
    /// had passed). Refused on a listener that is not loopback. Also
    /// TESSERA_TEST_CLOCK=true, or `test_clock = true` in the file.
    #[arg(long)]
    pub test_clock: bool,
}
