//! Settings, layered: built-in defaults, then the TOML file (`--config`), then
//! `TESSERA_*` variables, then flags. An unknown key in the file is an error
//! naming it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::cli::{CommonArgs, ServeArgs};
use crate::secret::Secret;
use tessera_store::PostgresOptions;

mod housekeeping;
pub mod identity_pools;
mod logging;
mod rate_limits;
pub mod reference;
pub mod risk;
mod tls;
mod triggers;
mod user_import;
pub use housekeeping::HousekeepingSettings;
pub use identity_pools::{CredentialSourceChoice, CredentialsSetting, IdentityPoolSettings};
pub use logging::LogFormat;
pub use tls::{TlsSettings, TlsSource};
pub use triggers::{
    DEFAULT_TRIGGER_TIMEOUT, LambdaCredentials, LambdaTarget, TriggerEntry, TriggerMapping,
    TriggerMatcher, TriggerTarget,
};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:9229";
pub const DEFAULT_DATA_DIR: &str = "./tessera-data";
pub const DEFAULT_REGION: &str = "us-east-1";
pub const DEFAULT_ACCOUNT_ID: &str = "000000000000";
/// Browsers resolve every `*.localhost` name to loopback (RFC 6761), so a
/// prefix domain `myapp` works at `myapp.auth.localhost` with no DNS set-up.
pub const DEFAULT_OAUTH_BASE_DOMAIN: &str = "auth.localhost";
pub const DEFAULT_REQUEST_TIMEOUT_SECONDS: u64 = 30;

/// The TOML file. Every key is optional.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address to listen on, `ADDR:PORT`; port 0 picks a free port. Also
    /// `--listen` / `TESSERA_LISTEN`.
    #[schemars(extend("default" = DEFAULT_LISTEN))]
    pub listen: Option<String>,
    /// Directory for the SQLite store, the generated key-encryption key and
    /// the self-signed certificate. Also `--data-dir` / `TESSERA_DATA_DIR`.
    #[schemars(extend("default" = DEFAULT_DATA_DIR))]
    pub data_dir: Option<PathBuf>,
    /// `sqlite` (`tessera.db` in the data directory) or a
    /// `postgres://user:password@host:port/db` URL. Also `--store` /
    /// `TESSERA_STORE`.
    #[schemars(extend("default" = "sqlite"))]
    pub store: Option<Secret>,
    /// Connection pool settings for a PostgreSQL store.
    pub postgres: Option<PostgresPoolConfig>,
    /// The region in pool ids and ARNs. Also `TESSERA_REGION`.
    #[schemars(extend("default" = DEFAULT_REGION))]
    pub region: Option<String>,
    /// The account id in ARNs. Also `TESSERA_ACCOUNT_ID`.
    #[schemars(extend("default" = DEFAULT_ACCOUNT_ID))]
    pub account_id: Option<String>,
    /// Accept any well-formed SigV4 signature on a listener that is not
    /// loopback when no access keys are configured. Never in production.
    #[schemars(extend("default" = false))]
    pub insecure_accept_any_signature: Option<bool>,
    /// The key-encryption key, base64 of 32 bytes (or
    /// `key_encryption_key_file`). Default: generated on first start into
    /// `<data_dir>/key-encryption-key`. Also `TESSERA_KEY_ENCRYPTION_KEY`.
    pub key_encryption_key: Option<Secret>,
    /// A file holding the key-encryption key. Also
    /// `TESSERA_KEY_ENCRYPTION_KEY_FILE`.
    pub key_encryption_key_file: Option<PathBuf>,
    /// Access keys admin requests must be signed with (SigV4). Default: none,
    /// and any signature is accepted on a loopback listener.
    #[serde(default)]
    pub access_keys: Vec<AccessKeyConfig>,
    /// Keep outgoing messages in the dev outbox (`/_tessera/outbox`) instead
    /// of sending them. Default: on for a loopback listener, else off. Also
    /// `TESSERA_DEV_OUTBOX`.
    pub dev_outbox: Option<bool>,
    /// How long one request may take before it is answered with a timeout.
    #[schemars(extend("default" = DEFAULT_REQUEST_TIMEOUT_SECONDS))]
    pub request_timeout_seconds: Option<u64>,
    /// The test clock: `/_tessera/clock` moves the server's clock (loopback
    /// only; for end-to-end tests). Also `--test-clock` / `TESSERA_TEST_CLOCK`.
    #[schemars(extend("default" = false))]
    pub test_clock: Option<bool>,
    /// Base URL clients reach this server at; token issuers are
    /// `{public_url}/{poolId}`. Default: `http://<listen address>`
    /// (`https://` with TLS). Also `--public-url` / `TESSERA_PUBLIC_URL`.
    pub public_url: Option<String>,
    /// Prefix domains are served at `<prefix>.<oauth_base_domain>`. Also
    /// `TESSERA_OAUTH_BASE_DOMAIN`.
    #[schemars(extend("default" = DEFAULT_OAUTH_BASE_DOMAIN))]
    pub oauth_base_domain: Option<String>,
    /// Origins (`scheme://host[:port]`) allowed to use passkeys besides each
    /// pool's relying party (`https://<RelyingPartyId>` and its subdomains)
    /// and the pool's domain: for development, e.g. `http://localhost:3000`
    /// with `RelyingPartyId` `localhost`. Also `TESSERA_PASSKEY_ORIGINS`
    /// (comma-separated), which replaces the file's.
    #[serde(default)]
    pub passkey_origins: Vec<String>,
    /// Serve HTTPS with this certificate chain (PEM) and `tls_key`. Default:
    /// plain HTTP. Also `--tls-cert` / `TESSERA_TLS_CERT`.
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of `tls_cert`. Also `--tls-key` /
    /// `TESSERA_TLS_KEY`.
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a certificate generated once into `<data_dir>/tls/`.
    /// Also `--tls-self-signed` / `TESSERA_TLS_SELF_SIGNED`.
    #[schemars(extend("default" = false))]
    pub tls_self_signed: Option<bool>,
    /// Email over SMTP. Default: none (the dev outbox, or undeliverable).
    pub smtp: Option<SmtpConfig>,
    /// SMS as a JSON POST to a webhook. Default: none (the dev outbox, or
    /// undeliverable).
    pub sms_webhook: Option<SmsWebhookConfig>,
    /// Where each Lambda trigger ARN runs, tried in order; the first that
    /// matches wins.
    #[serde(default)]
    pub triggers: Vec<TriggerEntry>,
    /// Refuse a pool whose `LambdaConfig` names an ARN no mapping matches
    /// (else warn, and fail each call that would run it). Also
    /// `TESSERA_STRICT_TRIGGERS`.
    #[schemars(extend("default" = false))]
    pub strict_triggers: Option<bool>,
    /// The keys custom senders' codes are encrypted under, by KMSKeyID.
    #[serde(default)]
    pub custom_sender_keys: Vec<SenderKeyConfig>,
    /// Request-rate quotas by operation category (off unless enabled).
    #[serde(default)]
    pub rate_limits: rate_limits::RateLimitsFile,
    /// The background purge of what expired (on by default).
    #[serde(default)]
    pub housekeeping: housekeeping::HousekeepingFile,
    /// `text` or `json`: the shape of each log line on stderr. Also
    /// `TESSERA_LOG_FORMAT`, which overrides the file.
    #[schemars(extend("default" = "text"))]
    pub log_format: Option<LogFormat>,
    /// User import jobs: uploads and their processing.
    #[serde(default)]
    pub user_import: user_import::UserImportFile,
    /// What advanced security's risk checks compare against.
    #[serde(default)]
    pub risk: risk::RiskFile,
    /// Identity pools: where AWS credentials come from, and where OpenID
    /// Connect providers' keys are fetched.
    #[serde(default)]
    pub identity_pools: identity_pools::IdentityPoolsFile,
    /// User pools (with their clients, groups and users) created at start
    /// when missing; starting again changes nothing.
    #[serde(default)]
    pub pools: Vec<DeclaredPool>,
}

/// A raw AES key (base64 of 32 bytes) standing in for the KMS key a pool's
/// `LambdaConfig.KMSKeyID` names: custom senders get their codes encrypted
/// under it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SenderKeyConfig {
    /// The KMSKeyID (a key ARN) a pool's `LambdaConfig` names.
    pub kms_key_id: String,
    /// The key, base64 of 32 bytes (or `key_file`).
    pub key: Option<Secret>,
    /// A file holding the key, base64 of 32 bytes.
    pub key_file: Option<PathBuf>,
}

/// How many connections a PostgreSQL store keeps, and how long it waits.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostgresPoolConfig {
    /// The most connections this node keeps open.
    #[schemars(extend("default" = PostgresOptions::new("").max_connections))]
    pub max_connections: Option<usize>,
    /// How long opening a connection may take.
    #[schemars(extend("default" = PostgresOptions::new("").connect_timeout.as_secs()))]
    pub connect_timeout_seconds: Option<u64>,
    /// How long a request waits for a free connection.
    #[schemars(extend("default" = PostgresOptions::new("").acquire_timeout.as_secs()))]
    pub acquire_timeout_seconds: Option<u64>,
    /// Keep Tessera's tables in this schema (created if missing). Default:
    /// the connection's default schema. Also `TESSERA_POSTGRES_SCHEMA`.
    pub schema: Option<String>,
}

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum StoreChoice {
    /// `tessera.db` in the data directory.
    Sqlite,
    /// A PostgreSQL URL (it may carry a password, so it is kept as a secret).
    Postgres(Secret),
}

impl StoreChoice {
    pub fn parse(value: &Secret) -> anyhow::Result<Self> {
        let text = value.expose();
        if text == "sqlite" {
            return Ok(Self::Sqlite);
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Self::Postgres(value.clone()));
        }
        bail!("the store must be `sqlite` or a postgres:// URL")
    }
}

/// Email delivery over SMTP.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// The SMTP server's host name.
    pub host: String,
    /// Default: 25 with `security = "none"`, 587 with `"starttls"`, 465 with
    /// `"tls"`.
    pub port: Option<u16>,
    /// `none` (plain text), `starttls` (upgrade after connecting) or `tls`
    /// (TLS from the start).
    #[serde(default)]
    #[schemars(extend("default" = "starttls"))]
    pub security: SmtpSecurity,
    /// Authenticate as this user, with `password` or `password_file`.
    /// Default: no authentication.
    pub username: Option<String>,
    /// The password of `username`.
    pub password: Option<Secret>,
    /// A file holding the password of `username`.
    pub password_file: Option<PathBuf>,
    /// The From address, e.g. `Tessera <no-reply@example.com>`.
    pub from: String,
    /// How long sending one message may take.
    #[schemars(extend("default" = crate::delivery::DEFAULT_TIMEOUT.as_secs()))]
    pub timeout_seconds: Option<u64>,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    None,
    #[default]
    Starttls,
    Tls,
}

/// SMS delivery: a JSON POST `{"pool_id", "recipient", "body"}` to this URL.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsWebhookConfig {
    /// The `http://` or `https://` URL messages are POSTed to.
    pub url: String,
    /// How long one POST may take.
    #[schemars(extend("default" = crate::delivery::DEFAULT_TIMEOUT.as_secs()))]
    pub timeout_seconds: Option<u64>,
}

/// An admin access key: requests signed with it (SigV4) are accepted.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessKeyConfig {
    /// The access key id.
    pub id: String,
    /// The secret access key (or `secret_file`).
    pub secret: Option<Secret>,
    /// A file holding the secret access key.
    pub secret_file: Option<PathBuf>,
}

/// A user pool created at start when missing.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclaredPool {
    /// A fixed pool id, `<region>_<9 letters or digits>`. Default: derived
    /// from the name (the same on every machine).
    pub id: Option<String>,
    /// The pool's name.
    pub name: String,
    /// CreateUserPool members, PascalCase, as the API takes them.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub settings: toml::Table,
    /// The pool's app clients.
    #[serde(default)]
    pub clients: Vec<DeclaredClient>,
    /// The pool's groups.
    #[serde(default)]
    pub groups: Vec<DeclaredGroup>,
    /// The pool's users.
    #[serde(default)]
    pub users: Vec<DeclaredUser>,
}

/// An app client of a declared pool.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclaredClient {
    /// A fixed client id. Default: derived from the pool and the name.
    pub id: Option<String>,
    /// The client's name.
    pub name: String,
    /// Give the client a secret.
    #[serde(default)]
    #[schemars(extend("default" = false))]
    pub generate_secret: bool,
    /// CreateUserPoolClient members, PascalCase, as the API takes them.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub settings: toml::Table,
}

/// A group of a declared pool.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclaredGroup {
    /// The group's name.
    pub name: String,
    /// The group's description.
    pub description: Option<String>,
    /// The group's `Precedence`, as CreateGroup takes it.
    pub precedence: Option<i64>,
    /// The IAM role ARN the group's members get in their tokens.
    pub role_arn: Option<String>,
}

/// A user of a declared pool.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclaredUser {
    /// The username.
    pub username: String,
    /// A permanent password: the user is CONFIRMED. Default: none.
    pub password: Option<Secret>,
    /// User attributes by name, e.g. `{ email = "alice@example.com" }`.
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, String>,
    /// Names of the pool's groups the user is added to.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// The resolved settings the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub store: StoreChoice,
    pub postgres: PostgresPoolConfig,
    pub region: String,
    pub account_id: String,
    pub insecure_accept_any_signature: bool,
    pub key_encryption_key: Option<Secret>,
    pub key_encryption_key_file: Option<PathBuf>,
    pub access_keys: Vec<(String, Secret)>,
    pub dev_outbox: Option<bool>,
    /// Serve `/_tessera/clock`, which moves the clock the services read (for
    /// end-to-end tests; refused off loopback).
    pub test_clock: bool,
    pub request_timeout: Duration,
    pub body_limit: usize,
    pub public_url: Option<String>,
    /// The domain prefix domains are served under (`myapp.<this>`), lowercase.
    pub oauth_base_domain: String,
    /// Extra origins allowed to use passkeys.
    pub passkey_origins: Vec<url::Url>,
    pub tls: TlsSettings,
    pub smtp: Option<SmtpConfig>,
    pub sms_webhook: Option<SmsWebhookConfig>,
    pub triggers: Vec<TriggerMapping>,
    /// Refuse pools naming a trigger ARN no mapping matches (else warn, and
    /// fail each call that would run it).
    pub strict_triggers: bool,
    /// Custom senders' keys (base64 of 32 bytes), by KMSKeyID.
    pub custom_sender_keys: Vec<(String, Secret)>,
    pub rate_limits: tessera_core::services::limits::RateLimitSettings,
    pub housekeeping: HousekeepingSettings,
    pub log_format: LogFormat,
    pub user_import: tessera_core::services::user_import::ImportSettings,
    /// The breached-password list of the compromised-credentials check.
    pub breached_passwords_file: Option<PathBuf>,
    pub identity_pools: IdentityPoolSettings,
    pub pools: Vec<DeclaredPool>,
}

impl Config {
    /// The embedded defaults: what `tessera serve` runs with when given nothing.
    pub fn defaults(data_dir: PathBuf) -> Self {
        Self {
            listen: DEFAULT_LISTEN
                .parse()
                .unwrap_or_else(|_| ([127, 0, 0, 1], 9229).into()),
            data_dir,
            store: StoreChoice::Sqlite,
            postgres: PostgresPoolConfig::default(),
            region: DEFAULT_REGION.into(),
            account_id: DEFAULT_ACCOUNT_ID.into(),
            insecure_accept_any_signature: false,
            key_encryption_key: None,
            key_encryption_key_file: None,
            access_keys: Vec::new(),
            dev_outbox: None,
            test_clock: false,
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECONDS),
            body_limit: 1024 * 1024,
            public_url: None,
            oauth_base_domain: DEFAULT_OAUTH_BASE_DOMAIN.into(),
            passkey_origins: Vec::new(),
            tls: TlsSettings::default(),
            smtp: None,
            sms_webhook: None,
            triggers: Vec::new(),
            strict_triggers: false,
            custom_sender_keys: Vec::new(),
            rate_limits: Default::default(),
            housekeeping: HousekeepingSettings::default(),
            log_format: LogFormat::default(),
            user_import: Default::default(),
            breached_passwords_file: None,
            identity_pools: IdentityPoolSettings::default(),
            pools: Vec::new(),
        }
    }

    /// Whether outgoing messages go to the dev outbox.
    pub fn dev_outbox_enabled(&self) -> bool {
        self.dev_outbox.unwrap_or(self.listen.ip().is_loopback())
    }

    /// The URL clients reach the server at: the configured one, else the
    /// address it listens on, `https://` when TLS is on.
    pub fn public_url_at(&self, addr: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.clone(),
            None if self.tls.requested() => format!("https://{addr}"),
            None => format!("http://{addr}"),
        }
    }
}

fn read_file_config(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("in config file {}", path.display()))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A yes/no variable: `1`, `true`, `yes` and `on` are yes, anything else no.
fn env_flag(name: &str) -> Option<bool> {
    env(name).map(|v| matches!(v.as_str(), "1" | "true" | "yes" | "on"))
}

fn read_secret_file(path: &Path) -> anyhow::Result<Secret> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading secret file {}", path.display()))?;
    Ok(Secret::new(text.trim()))
}

/// Resolves settings for `migrate` (no listener involved).
pub fn resolve_common(args: &CommonArgs) -> anyhow::Result<Config> {
    let file = match &args.config {
        Some(path) => read_file_config(path)?,
        None => FileConfig::default(),
    };
    let mut config = Config::defaults(PathBuf::from(DEFAULT_DATA_DIR));
    apply_file(&mut config, file)?;
    apply_env(&mut config)?;
    if let Some(dir) = &args.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(store) = &args.store {
        config.store = StoreChoice::parse(&Secret::new(store.clone()))?;
    }
    Ok(config)
}

/// Resolves settings for `serve`.
pub fn resolve(args: &ServeArgs) -> anyhow::Result<Config> {
    let mut config = resolve_common(&args.common)?;
    if let Some(listen) = &args.listen {
        config.listen = parse_listen(listen)?;
    }
    if let Some(url) = &args.public_url {
        config.public_url = Some(url.clone());
    }
    if let Some(path) = &args.tls_cert {
        config.tls.cert = Some(path.clone());
    }
    if let Some(path) = &args.tls_key {
        config.tls.key = Some(path.clone());
    }
    if args.tls_self_signed {
        config.tls.self_signed = true;
    }
    // Checked here, with every layer in, so a bad combination stops `serve`
    // before it touches the data directory.
    config.tls.source()?;
    config.identity_pools.credential_source()?;
    if args.insecure_accept_any_signature {
        config.insecure_accept_any_signature = true;
    }
    if args.test_clock {
        config.test_clock = true;
    }
    Ok(config)
}

fn parse_listen(value: &str) -> anyhow::Result<SocketAddr> {
    value
        .parse()
        .with_context(|| format!("listen address {value:?} is not ADDR:PORT"))
}

fn apply_file(config: &mut Config, file: FileConfig) -> anyhow::Result<()> {
    if let Some(v) = file.listen {
        config.listen = parse_listen(&v)?;
    }
    if let Some(v) = file.data_dir {
        config.data_dir = v;
    }
    if let Some(v) = file.store {
        config.store = StoreChoice::parse(&v)?;
    }
    if let Some(v) = file.postgres {
        config.postgres = v;
    }
    if let Some(v) = file.region {
        config.region = v;
    }
    if let Some(v) = file.account_id {
        config.account_id = v;
    }
    if let Some(v) = file.insecure_accept_any_signature {
        config.insecure_accept_any_signature = v;
    }
    config.key_encryption_key = file.key_encryption_key;
    config.key_encryption_key_file = file.key_encryption_key_file;
    for key in file.access_keys {
        let secret = match (key.secret, key.secret_file) {
            (Some(s), None) => s,
            (None, Some(path)) => read_secret_file(&path)?,
            _ => bail!(
                "access key {}: give exactly one of `secret` and `secret_file`",
                key.id
            ),
        };
        config.access_keys.push((key.id, secret));
    }
    config.dev_outbox = file.dev_outbox;
    if let Some(v) = file.test_clock {
        config.test_clock = v;
    }
    if let Some(s) = file.request_timeout_seconds {
        config.request_timeout = Duration::from_secs(s);
    }
    config.public_url = file.public_url;
    if let Some(v) = file.oauth_base_domain {
        config.oauth_base_domain = parse_base_domain(&v)?;
    }
    config.passkey_origins = parse_origins(&file.passkey_origins)?;
    config.tls.cert = file.tls_cert;
    config.tls.key = file.tls_key;
    if let Some(v) = file.tls_self_signed {
        config.tls.self_signed = v;
    }
    config.smtp = file.smtp;
    config.sms_webhook = file.sms_webhook;
    config.triggers = triggers::resolve(file.triggers)?;
    config.rate_limits = rate_limits::resolve(file.rate_limits)?;
    config.housekeeping = housekeeping::resolve(file.housekeeping)?;
    config.user_import = user_import::resolve(file.user_import)?;
    config.breached_passwords_file = file.risk.breached_passwords_file;
    config.identity_pools = identity_pools::resolve(file.identity_pools)?;
    if let Some(v) = file.strict_triggers {
        config.strict_triggers = v;
    }
    for entry in file.custom_sender_keys {
        let key = match (entry.key, entry.key_file) {
            (Some(key), None) => key,
            (None, Some(path)) => read_secret_file(&path)?,
            _ => bail!(
                "custom sender key {}: give exactly one of `key` and `key_file`",
                entry.kms_key_id
            ),
        };
        sender_key(&key).with_context(|| format!("custom sender key {}", entry.kms_key_id))?;
        config.custom_sender_keys.push((entry.kms_key_id, key));
    }
    if let Some(v) = file.log_format {
        config.log_format = v;
    }
    config.pools = file.pools;
    Ok(())
}

/// Passkey origins: each a URL with a scheme and a host and nothing after.
fn parse_origins<S: AsRef<str>>(values: &[S]) -> anyhow::Result<Vec<url::Url>> {
    values
        .iter()
        .map(|value| {
            let value = value.as_ref().trim();
            let url = url::Url::parse(value)
                .with_context(|| format!("passkey origin {value:?} is not a URL"))?;
            if url.host_str().is_none() || url.path() != "/" || url.query().is_some() {
                bail!("passkey origin {value:?} is not an origin (like https://app.example.com)");
            }
            Ok(url)
        })
        .collect()
}

/// A base domain for prefix domains: a DNS name (letters, digits, hyphens,
/// dots), kept lowercase since Host headers are matched without case.
fn parse_base_domain(value: &str) -> anyhow::Result<String> {
    let name = value.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if name.is_empty() || !name.split('.').all(label_ok) {
        bail!("oauth_base_domain {value:?} is not a domain name (like auth.localhost)");
    }
    Ok(name)
}

/// A custom sender key's 32 bytes.
pub fn sender_key(key: &Secret) -> anyhow::Result<[u8; 32]> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key.expose().trim())
        .map_err(|_| anyhow::anyhow!("the key is not base64"))?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("the key is not 32 bytes"))
}

fn apply_env(config: &mut Config) -> anyhow::Result<()> {
    // TESSERA_LISTEN and TESSERA_DATA_DIR arrive through clap with the flags.
    if let Some(v) = env("TESSERA_POSTGRES_SCHEMA") {
        config.postgres.schema = Some(v);
    }
    if let Some(v) = env("TESSERA_REGION") {
        config.region = v;
    }
    if let Some(v) = env("TESSERA_ACCOUNT_ID") {
        config.account_id = v;
    }
    if let Some(v) = env("TESSERA_KEY_ENCRYPTION_KEY") {
        config.key_encryption_key = Some(Secret::new(v));
    }
    if let Some(v) = env("TESSERA_KEY_ENCRYPTION_KEY_FILE") {
        config.key_encryption_key_file = Some(PathBuf::from(v));
    }
    if let Some(id) = env("TESSERA_ACCESS_KEY_ID") {
        let secret = match (
            env("TESSERA_SECRET_ACCESS_KEY"),
            env("TESSERA_SECRET_ACCESS_KEY_FILE"),
        ) {
            (Some(s), _) => Secret::new(s),
            (None, Some(path)) => read_secret_file(Path::new(&path))?,
            (None, None) => bail!(
                "TESSERA_ACCESS_KEY_ID is set but neither TESSERA_SECRET_ACCESS_KEY nor TESSERA_SECRET_ACCESS_KEY_FILE is"
            ),
        };
        config.access_keys.push((id, secret));
    }
    if let Some(v) = env("TESSERA_PUBLIC_URL") {
        config.public_url = Some(v);
    }
    if let Some(v) = env("TESSERA_OAUTH_BASE_DOMAIN") {
        config.oauth_base_domain = parse_base_domain(&v)?;
    }
    if let Some(v) = env("TESSERA_PASSKEY_ORIGINS") {
        let list: Vec<&str> = v.split(',').filter(|o| !o.trim().is_empty()).collect();
        config.passkey_origins = parse_origins(&list)?;
    }
    if let Some(v) = env("TESSERA_TLS_CERT") {
        config.tls.cert = Some(PathBuf::from(v));
    }
    if let Some(v) = env("TESSERA_TLS_KEY") {
        config.tls.key = Some(PathBuf::from(v));
    }
    if let Some(v) = env_flag("TESSERA_TLS_SELF_SIGNED") {
        config.tls.self_signed = v;
    }
    if let Some(v) = env_flag("TESSERA_DEV_OUTBOX") {
        config.dev_outbox = Some(v);
    }
    if let Some(v) = env_flag("TESSERA_TEST_CLOCK") {
        config.test_clock = v;
    }
    if let Some(v) = env_flag("TESSERA_STRICT_TRIGGERS") {
        config.strict_triggers = v;
    }
    if let Some(v) = env("TESSERA_LOG_FORMAT") {
        config.log_format = LogFormat::parse(&v)?;
    }
    if let Some(v) = env("TESSERA_IDENTITY_CREDENTIALS") {
        config.identity_pools.credentials = CredentialsSetting::parse(&v)?;
    }
    if let Some(v) = env("TESSERA_IDENTITY_STS_ENDPOINT") {
        config.identity_pools.sts_endpoint = Some(identity_pools::sts_endpoint(
            &v,
            "TESSERA_IDENTITY_STS_ENDPOINT",
        )?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_file_key_is_named() {
        let err = toml::from_str::<FileConfig>("listen = \"127.0.0.1:1\"\nlisten_port = 3\n")
            .expect_err("unknown key");
        assert!(err.to_string().contains("listen_port"), "{err}");
    }

    #[test]
    fn store_is_sqlite_or_a_postgres_url_and_never_echoed() {
        let parse = |v: &str| StoreChoice::parse(&Secret::new(v));
        assert!(matches!(parse("sqlite"), Ok(StoreChoice::Sqlite)));
        assert!(matches!(
            parse("postgresql://u:pw@db/tessera"),
            Ok(StoreChoice::Postgres(_))
        ));
        let err = parse("mysql://u:hunter2@db/x").expect_err("refused");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let file: FileConfig = toml::from_str(
            "store = \"postgres://u:hunter2@db/t\"\n[postgres]\nmax_connections = 4\n",
        )
        .expect("parses");
        assert!(!format!("{file:?}").contains("hunter2"));
        let unknown = toml::from_str::<FileConfig>("[postgres]\nmax_conections = 4\n")
            .expect_err("unknown key");
        assert!(unknown.to_string().contains("max_conections"), "{unknown}");
    }

    #[test]
    fn strict_triggers_is_off_unless_set() {
        let mut config = Config::defaults(PathBuf::from("/nonexistent"));
        apply_file(&mut config, FileConfig::default()).expect("applies");
        assert!(!config.strict_triggers);
        let file: FileConfig = toml::from_str(
            "strict_triggers = true\n[[triggers]]\nfunction = \"f\"\ncommand = [\"true\"]\n",
        )
        .expect("parses");
        apply_file(&mut config, file).expect("applies");
        assert!(config.strict_triggers);
        assert_eq!(config.triggers.len(), 1);
    }

    #[test]
    fn passkey_origins_are_origins() {
        let config: FileConfig =
            toml::from_str("passkey_origins = [\"http://localhost:3000\"]\n").expect("parses");
        let origins = parse_origins(&config.passkey_origins).expect("origins");
        assert_eq!(origins[0].as_str(), "http://localhost:3000/");
        for bad in ["localhost:3000", "https://app.example.com/path", "nope"] {
            assert!(parse_origins(&[bad]).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn oauth_base_domain_is_a_lowercase_domain_name() {
        let mut config = Config::defaults(PathBuf::from("/nonexistent"));
        assert_eq!(config.oauth_base_domain, "auth.localhost");
        let file: FileConfig =
            toml::from_str("oauth_base_domain = \"Auth.Example.COM.\"\n").expect("parses");
        apply_file(&mut config, file).expect("applies");
        assert_eq!(config.oauth_base_domain, "auth.example.com");
        for bad in [
            "",
            "auth..localhost",
            "-auth.localhost",
            "auth_x.localhost",
            "a:b",
        ] {
            assert!(parse_base_domain(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn declared_resources_parse() {
        let file: FileConfig = toml::from_str(
            r#"
            [[pools]]
            id = "us-east-1_devpool01"
            name = "dev"
            settings = { MfaConfiguration = "OFF" }
            [[pools.clients]]
            name = "web"
            [[pools.users]]
            username = "alice"
            password = "Passw0rd!"
            groups = ["admins"]
            "#,
        )
        .expect("parses");
        assert_eq!(file.pools[0].clients[0].name, "web");
        assert_eq!(
            format!("{:?}", file.pools[0].users[0].password),
            "Some(Secret(***))"
        );
    }
}
