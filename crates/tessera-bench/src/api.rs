//! A minimal awsJson 1.1 client for the user-pool and identity-pool APIs: one
//! keep-alive connection per [`Api`], SigV4 on the operations that need it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HOST, HeaderValue};
use serde_json::Value;
use tessera_crypto::sigv4::{self, Credentials, RequestToSign, Scope};

pub const USER_POOL_PREFIX: &str = "AWSCognitoIdentityProviderService.";
pub const IDENTITY_POOL_PREFIX: &str = "AWSCognitoIdentityService.";
pub const NOOP_TARGET: &str = "TesseraBenchmark.Noop";
const AWS_JSON: &str = "application/x-amz-json-1.1";
const SIGNING_NAME: &str = "cognito-idp";
const IDENTITY_SIGNING_NAME: &str = "cognito-identity";
/// How much of an error body is kept for the report.
const ERROR_BODY_CHARS: usize = 300;

/// What went wrong with one request: an HTTP error status, a transport failure,
/// or a 2xx answer that is not what the operation promises.
#[derive(Debug, Clone)]
pub enum CallError {
    Status { status: u16, body: String },
    Transport(String),
    Unexpected(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Status { status, body } => write!(f, "HTTP {status}: {body}"),
            CallError::Transport(e) => write!(f, "transport: {e}"),
            CallError::Unexpected(e) => write!(f, "unexpected answer: {e}"),
        }
    }
}

impl std::error::Error for CallError {}

impl CallError {
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn truncated(text: &str) -> String {
    let mut out: String = text.chars().take(ERROR_BODY_CHARS).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// Where the API is and how to sign for it.
#[derive(Debug, Clone)]
pub struct Target {
    pub base: Url,
    /// The `Host` header as sent and signed (`host[:port]`).
    pub host: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
}

impl Target {
    pub fn new(
        endpoint: &str,
        region: &str,
        access_key: &str,
        secret_key: &str,
    ) -> anyhow::Result<Self> {
        let base = Url::parse(endpoint).with_context(|| format!("endpoint {endpoint}"))?;
        let Some(host) = base.host_str() else {
            bail!("endpoint {endpoint} has no host");
        };
        // `port()` is None for the scheme's default port, which then is not sent.
        let host = match base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Ok(Self {
            base,
            host,
            region: region.to_owned(),
            access_key: access_key.to_owned(),
            secret_key: secret_key.to_owned(),
        })
    }

    pub fn url(&self, path: &str) -> String {
        let base = self.base.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }
}

/// One connection's worth of client: a reqwest client that keeps one idle
/// connection, so each worker reuses its own.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub target: std::sync::Arc<Target>,
    root_url: String,
}

pub fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Api {
    pub fn new(target: std::sync::Arc<Target>) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .tcp_nodelay(true)
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .context("building the HTTP client")?;
        let root_url = target.url("/");
        Ok(Self {
            http,
            target,
            root_url,
        })
    }

    /// A client of its own (its own connection) for the same target.
    pub fn fresh(&self) -> anyhow::Result<Self> {
        Self::new(self.target.clone())
    }

    /// Calls `operation` (e.g. `AdminGetUser`), signed or not, and returns the
    /// parsed answer.
    pub async fn call(
        &self,
        operation: &str,
        input: &Value,
        signed: bool,
    ) -> Result<Value, CallError> {
        let target = format!("{USER_POOL_PREFIX}{operation}");
        let body = self.post_json(&target, input.to_string(), signed).await?;
        serde_json::from_slice(&body)
            .map_err(|e| CallError::Unexpected(format!("{operation} answered non-JSON: {e}")))
    }

    /// [`call`](Self::call) for an operation of the identity-pool API.
    pub async fn call_identity(
        &self,
        operation: &str,
        input: &Value,
        signed: bool,
    ) -> Result<Value, CallError> {
        let target = format!("{IDENTITY_POOL_PREFIX}{operation}");
        let service = signed.then_some(IDENTITY_SIGNING_NAME);
        let body = self
            .post_json_for(&target, input.to_string(), service)
            .await?;
        serde_json::from_slice(&body)
            .map_err(|e| CallError::Unexpected(format!("{operation} answered non-JSON: {e}")))
    }

    /// POST / with `x_amz_target` and `body`; the raw 2xx answer.
    pub async fn post_json(
        &self,
        x_amz_target: &str,
        body: String,
        signed: bool,
    ) -> Result<Vec<u8>, CallError> {
        self.post_json_for(x_amz_target, body, signed.then_some(SIGNING_NAME))
            .await
    }

    /// [`post_json`](Self::post_json), signed for `service` when one is given.
    async fn post_json_for(
        &self,
        x_amz_target: &str,
        body: String,
        service: Option<&str>,
    ) -> Result<Vec<u8>, CallError> {
        let mut request = self
            .http
            .post(&self.root_url)
            .header(HOST, &self.target.host)
            .header(CONTENT_TYPE, AWS_JSON)
            .header("x-amz-target", x_amz_target);
        if let Some(service) = service {
            let headers: [(&str, &[u8]); 3] = [
                ("content-type", AWS_JSON.as_bytes()),
                ("host", self.target.host.as_bytes()),
                ("x-amz-target", x_amz_target.as_bytes()),
            ];
            let signature = sigv4::sign(
                &RequestToSign {
                    method: "POST",
                    path: "/",
                    query: "",
                    headers: &headers,
                    body: body.as_bytes(),
                },
                &Credentials {
                    access_key_id: &self.target.access_key,
                    secret_access_key: &self.target.secret_key,
                },
                &Scope {
                    region: &self.target.region,
                    service,
                },
                now_seconds(),
            )
            .map_err(|e| CallError::Transport(format!("signing: {e}")))?;
            request = request.header("x-amz-date", signature.x_amz_date).header(
                "authorization",
                HeaderValue::from_str(&signature.authorization)
                    .map_err(|e| CallError::Transport(format!("signing: {e}")))?,
            );
        }
        self.send(request.body(body)).await
    }

    /// GET `path` (from the endpoint's root).
    pub async fn get(&self, path: &str) -> Result<Vec<u8>, CallError> {
        self.send(self.http.get(self.target.url(path))).await
    }

    /// POST a form to `url`, with HTTP Basic credentials when given.
    pub async fn post_form(
        &self,
        url: &str,
        form: String,
        basic: Option<(&str, &str)>,
    ) -> Result<Vec<u8>, CallError> {
        let mut request = self
            .http
            .post(url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form);
        if let Some((user, password)) = basic {
            request = request.basic_auth(user, Some(password));
        }
        self.send(request).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>, CallError> {
        let response = request
            .send()
            .await
            .map_err(|e| CallError::Transport(error_chain(&e)))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| CallError::Transport(error_chain(&e)))?;
        if status.is_success() {
            Ok(body.to_vec())
        } else {
            Err(CallError::Status {
                status: status.as_u16(),
                body: truncated(&String::from_utf8_lossy(&body)),
            })
        }
    }
}

/// An error and its causes on one line (reqwest's own message is terse).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}
