//! One operation of each scenario. Each returns the time spent waiting on the
//! server (the sum of its requests' round trips): client-side work such as the
//! SRP arithmetic is not part of the latency, though it does take the bench's CPU.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};
use tessera_crypto::srp;

use crate::api::{Api, CallError, NOOP_TARGET, now_seconds};
use crate::options::Scenario;
use crate::prepare::{Fixture, PASSWORD};

/// A client allowed `client_credentials`, for the OAuth scenario.
#[derive(Debug, Clone)]
pub struct OauthClient {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: String,
}

/// An identity pool whose identities are the prepared users', for the
/// identity-pool scenario.
#[derive(Debug, Clone)]
pub struct IdentityFixture {
    /// The `Logins` key of the fixture's user pool.
    pub login_key: String,
    /// Each prepared user's identity id and ID token.
    pub identities: Vec<(String, String)>,
}

/// What every worker shares.
pub struct Shared {
    pub fixture: Fixture,
    pub oauth: Option<OauthClient>,
    pub identity: Option<IdentityFixture>,
    /// Numbers the users the write scenarios create, across warm-up and runs.
    pub seq: AtomicU64,
}

/// One worker's own state: its connection and a random stream to pick users.
pub struct Worker {
    pub api: Api,
    rng: u64,
}

impl Worker {
    pub fn new(api: Api, seed: u64) -> Self {
        Self {
            api,
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    /// xorshift64*: cheap and good enough to spread requests over users.
    fn next(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Result<&'a T, CallError> {
        if items.is_empty() {
            return Err(CallError::Unexpected("no prepared users".into()));
        }
        let i = (self.next() % items.len() as u64) as usize;
        Ok(&items[i])
    }
}

fn unexpected(what: &str, answer: &Value) -> CallError {
    let text = answer.to_string();
    CallError::Unexpected(format!(
        "{what}: {}",
        text.chars().take(300).collect::<String>()
    ))
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |at, key| at.get(key))?.as_str()
}

/// Calls and times one request.
async fn timed(
    api: &Api,
    operation: &str,
    input: Value,
    signed: bool,
    waited: &mut Duration,
) -> Result<Value, CallError> {
    let start = Instant::now();
    let out = api.call(operation, &input, signed).await;
    *waited += start.elapsed();
    out
}

/// SignUp of a new user with an email address.
async fn sign_up(
    worker: &Worker,
    f: &Fixture,
    username: &str,
    waited: &mut Duration,
) -> Result<Value, CallError> {
    timed(
        &worker.api,
        "SignUp",
        json!({
            "ClientId": f.client_id,
            "Username": username,
            "Password": PASSWORD,
            "UserAttributes": [
                {"Name": "email", "Value": format!("{username}@bench.example.com")},
            ],
        }),
        false,
        waited,
    )
    .await
}

fn tokens_issued(out: &Value, what: &str) -> Result<(), CallError> {
    match text(out, &["AuthenticationResult", "AccessToken"]) {
        Some(_) => Ok(()),
        None => Err(unexpected(&format!("{what} gave no tokens"), out)),
    }
}

/// Runs one operation of `scenario`; the time spent waiting on the server.
pub async fn operation(
    shared: &Shared,
    worker: &mut Worker,
    scenario: Scenario,
) -> Result<Duration, CallError> {
    let f = &shared.fixture;
    let mut waited = Duration::ZERO;
    match scenario {
        Scenario::Noop => {
            let start = Instant::now();
            worker
                .api
                .post_json(NOOP_TARGET, "{}".to_owned(), false)
                .await?;
            waited += start.elapsed();
        }
        Scenario::AdminCreateUser => {
            let n = shared.seq.fetch_add(1, Ordering::Relaxed);
            let username = format!("new-{}-{n:08}", f.tag);
            timed(
                &worker.api,
                "AdminCreateUser",
                json!({
                    "UserPoolId": f.pool_id,
                    "Username": username,
                    "TemporaryPassword": PASSWORD,
                    "MessageAction": "SUPPRESS",
                    "UserAttributes": [
                        {"Name": "email", "Value": format!("{username}@bench.example.com")},
                        {"Name": "email_verified", "Value": "true"},
                    ],
                }),
                true,
                &mut waited,
            )
            .await?;
        }
        Scenario::SignUp => {
            let n = shared.seq.fetch_add(1, Ordering::Relaxed);
            let username = format!("signup-only-{}-{n:08}", f.tag);
            sign_up(worker, f, &username, &mut waited).await?;
        }
        Scenario::SignUpConfirm => {
            let n = shared.seq.fetch_add(1, Ordering::Relaxed);
            let username = format!("signup-{}-{n:08}", f.tag);
            sign_up(worker, f, &username, &mut waited).await?;
            timed(
                &worker.api,
                "AdminConfirmSignUp",
                json!({"UserPoolId": f.pool_id, "Username": username}),
                true,
                &mut waited,
            )
            .await?;
        }
        Scenario::PasswordAuth => {
            let user = worker.pick(&f.users)?.username.clone();
            let out = timed(
                &worker.api,
                "InitiateAuth",
                json!({
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "ClientId": f.client_id,
                    "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD},
                }),
                false,
                &mut waited,
            )
            .await?;
            tokens_issued(&out, "USER_PASSWORD_AUTH")?;
        }
        Scenario::SrpAuth => {
            let user = worker.pick(&f.users)?.username.clone();
            srp_sign_in(worker, f, &user, &mut waited).await?;
        }
        Scenario::Refresh => {
            let token = worker
                .pick(&f.users)?
                .refresh_token
                .clone()
                .ok_or_else(|| CallError::Unexpected("user has no refresh token".into()))?;
            let out = timed(
                &worker.api,
                "InitiateAuth",
                json!({
                    "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "ClientId": f.client_id,
                    "AuthParameters": {"REFRESH_TOKEN": token},
                }),
                false,
                &mut waited,
            )
            .await?;
            tokens_issued(&out, "REFRESH_TOKEN_AUTH")?;
        }
        Scenario::GetUser => {
            let token = worker
                .pick(&f.users)?
                .access_token
                .clone()
                .ok_or_else(|| CallError::Unexpected("user has no access token".into()))?;
            timed(
                &worker.api,
                "GetUser",
                json!({ "AccessToken": token }),
                false,
                &mut waited,
            )
            .await?;
        }
        Scenario::AdminGetUser => {
            let user = worker.pick(&f.users)?.username.clone();
            timed(
                &worker.api,
                "AdminGetUser",
                json!({"UserPoolId": f.pool_id, "Username": user}),
                true,
                &mut waited,
            )
            .await?;
        }
        Scenario::ListUsersPrefix => {
            let user = worker.pick(&f.users)?.username.clone();
            // Drop the last digit: the ten users that share the rest.
            let prefix = &user[..user.len() - 1];
            let out = timed(
                &worker.api,
                "ListUsers",
                json!({
                    "UserPoolId": f.pool_id,
                    "Filter": format!("username ^= \"{prefix}\""),
                    "Limit": 10,
                }),
                true,
                &mut waited,
            )
            .await?;
            let found = out
                .get("Users")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if found == 0 {
                return Err(unexpected(&format!("no user matched {prefix}"), &out));
            }
        }
        Scenario::Jwks => {
            let start = Instant::now();
            let body = worker
                .api
                .get(&format!("/{}/.well-known/jwks.json", f.pool_id))
                .await?;
            waited += start.elapsed();
            let keys: Value = serde_json::from_slice(&body)
                .map_err(|e| CallError::Unexpected(format!("JWKS is not JSON: {e}")))?;
            if keys
                .get("keys")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
            {
                return Err(unexpected("JWKS has no keys", &keys));
            }
        }
        Scenario::OauthClientCredentials => {
            let oauth = shared
                .oauth
                .as_ref()
                .ok_or_else(|| CallError::Unexpected("no OAuth client prepared".into()))?;
            let start = Instant::now();
            let body = worker
                .api
                .post_form(
                    &oauth.token_url,
                    format!(
                        "grant_type=client_credentials&scope={}",
                        oauth.scope.replace('/', "%2F")
                    ),
                    Some((&oauth.client_id, &oauth.client_secret)),
                )
                .await?;
            waited += start.elapsed();
            let out: Value = serde_json::from_slice(&body)
                .map_err(|e| CallError::Unexpected(format!("token answer is not JSON: {e}")))?;
            if text(&out, &["access_token"]).is_none() {
                return Err(unexpected("no access_token", &out));
            }
        }
        Scenario::IdentityCredentials => {
            let identity = shared
                .identity
                .as_ref()
                .ok_or_else(|| CallError::Unexpected("no identity pool prepared".into()))?;
            let (identity_id, token) = worker.pick(&identity.identities)?;
            let start = Instant::now();
            let out = worker
                .api
                .call_identity(
                    "GetCredentialsForIdentity",
                    &json!({
                        "IdentityId": identity_id,
                        "Logins": {identity.login_key.as_str(): token},
                    }),
                    false,
                )
                .await?;
            waited += start.elapsed();
            if text(&out, &["Credentials", "AccessKeyId"]).is_none() {
                return Err(unexpected("no credentials", &out));
            }
        }
    }
    Ok(waited)
}

/// USER_SRP_AUTH with real client arithmetic, answered without a Session (as
/// pycognito does) unless the server gave one.
async fn srp_sign_in(
    worker: &mut Worker,
    f: &Fixture,
    username: &str,
    waited: &mut Duration,
) -> Result<(), CallError> {
    let session = srp::client::start();
    let challenge = timed(
        &worker.api,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": f.client_id,
            "AuthParameters": {"USERNAME": username, "SRP_A": session.public_a_hex()},
        }),
        false,
        waited,
    )
    .await?;
    if text(&challenge, &["ChallengeName"]) != Some("PASSWORD_VERIFIER") {
        return Err(unexpected(
            "USER_SRP_AUTH gave no PASSWORD_VERIFIER",
            &challenge,
        ));
    }
    let param = |name: &str| {
        text(&challenge, &["ChallengeParameters", name])
            .ok_or_else(|| unexpected(&format!("PASSWORD_VERIFIER lacks {name}"), &challenge))
    };
    let user_id = param("USER_ID_FOR_SRP")?;
    let secret_block = param("SECRET_BLOCK")?;
    let timestamp = srp::format_timestamp(now_seconds());
    let signature = session
        .claim_signature(
            &f.pool_name,
            user_id,
            PASSWORD,
            param("SALT")?,
            param("SRP_B")?,
            secret_block,
            &timestamp,
        )
        .map_err(|e| CallError::Unexpected(format!("SRP client: {e}")))?;
    let mut answer = json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ClientId": f.client_id,
        "ChallengeResponses": {
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": secret_block,
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "TIMESTAMP": timestamp,
        },
    });
    if let Some(s) = text(&challenge, &["Session"]) {
        answer["Session"] = json!(s);
    }
    let out = timed(&worker.api, "RespondToAuthChallenge", answer, false, waited).await?;
    tokens_issued(&out, "PASSWORD_VERIFIER")
}

/// Why the OAuth scenario cannot run, or the client it runs with.
pub enum IdentityReadiness {
    Skipped(String),
    Ready(IdentityFixture),
}

/// Makes an identity pool that trusts the fixture's client, and the
/// prepared users' identities; skipped when the server gives no credentials
/// (no credential source configured, or no identity-pool API).
pub async fn prepare_identity(
    api: &Api,
    f: &Fixture,
    concurrency: usize,
) -> anyhow::Result<IdentityReadiness> {
    let region = f.pool_id.split('_').next().unwrap_or_default();
    let login_key = format!("cognito-idp.{region}.amazonaws.com/{}", f.pool_id);
    let pool = match api
        .call_identity(
            "CreateIdentityPool",
            &json!({
                "IdentityPoolName": format!("tessera_bench_{}", f.tag),
                "AllowUnauthenticatedIdentities": false,
                "CognitoIdentityProviders": [{"ProviderName": login_key, "ClientId": f.client_id}],
            }),
            true,
        )
        .await
    {
        Ok(pool) => pool,
        Err(e) => {
            return Ok(IdentityReadiness::Skipped(format!(
                "skipped: CreateIdentityPool failed ({e})"
            )));
        }
    };
    let pool_id = text(&pool, &["IdentityPoolId"])
        .context("CreateIdentityPool gave no IdentityPoolId")?
        .to_owned();
    api.call_identity(
        "SetIdentityPoolRoles",
        &json!({
            "IdentityPoolId": pool_id,
            "Roles": {"authenticated": "arn:aws:iam::123456789012:role/tessera-bench"},
        }),
        true,
    )
    .await
    .context("SetIdentityPoolRoles")?;
    let users: Vec<String> = f.users.iter().filter_map(|u| u.id_token.clone()).collect();
    let (key, pool) = (login_key.clone(), pool_id.clone());
    let identities = crate::prepare::for_each(api, users.len(), concurrency, move |api, i| {
        let (key, pool, token) = (key.clone(), pool.clone(), users[i].clone());
        async move {
            let out = api
                .call_identity(
                    "GetId",
                    &json!({"IdentityPoolId": pool, "Logins": {key.as_str(): token}}),
                    false,
                )
                .await
                .context("GetId")?;
            let id = text(&out, &["IdentityId"])
                .context("GetId gave no IdentityId")?
                .to_owned();
            Ok((id, token))
        }
    })
    .await?;
    let Some((probe_id, probe_token)) = identities.first() else {
        return Ok(IdentityReadiness::Skipped(
            "skipped: no prepared user".into(),
        ));
    };
    let probe = api
        .call_identity(
            "GetCredentialsForIdentity",
            &json!({"IdentityId": probe_id, "Logins": {login_key.as_str(): probe_token}}),
            false,
        )
        .await;
    if let Err(e) = probe {
        return Ok(IdentityReadiness::Skipped(format!(
            "skipped: the server gives no credentials ({e})"
        )));
    }
    Ok(IdentityReadiness::Ready(IdentityFixture {
        login_key,
        identities,
    }))
}

pub enum OauthReadiness {
    Skipped(String),
    Ready(OauthClient),
}

/// Probes `/oauth2/token`; when it exists, prepares a resource server and a
/// confidential client allowed `client_credentials`.
pub async fn prepare_oauth(
    api: &Api,
    f: &Fixture,
    oauth_url: Option<&str>,
) -> anyhow::Result<OauthReadiness> {
    let base = oauth_url.map_or_else(
        || api.target.url(""),
        |u| u.trim_end_matches('/').to_owned(),
    );
    let token_url = format!("{base}/oauth2/token");
    match api
        .post_form(&token_url, "grant_type=client_credentials".into(), None)
        .await
    {
        Err(CallError::Status { status: 404, .. }) => {
            return Ok(OauthReadiness::Skipped(
                "skipped: /oauth2/token answered 404".into(),
            ));
        }
        Err(CallError::Transport(e)) => {
            return Ok(OauthReadiness::Skipped(format!(
                "skipped: /oauth2/token unreachable ({e})"
            )));
        }
        // Anything else (400 invalid_client, typically) means the endpoint is there.
        _ => {}
    }
    let identifier = format!("tessera-bench-{}", f.tag);
    api.call(
        "CreateResourceServer",
        &json!({
            "UserPoolId": f.pool_id,
            "Identifier": identifier,
            "Name": "tessera-bench",
            "Scopes": [{"ScopeName": "read", "ScopeDescription": "benchmark"}],
        }),
        true,
    )
    .await
    .context("CreateResourceServer")?;
    let scope = format!("{identifier}/read");
    let client = api
        .call(
            "CreateUserPoolClient",
            &json!({
                "UserPoolId": f.pool_id,
                "ClientName": "tessera-bench-m2m",
                "GenerateSecret": true,
                "AllowedOAuthFlowsUserPoolClient": true,
                "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthScopes": [scope],
            }),
            true,
        )
        .await
        .context("CreateUserPoolClient (client_credentials)")?;
    let field = |name: &str| -> anyhow::Result<String> {
        text(&client, &["UserPoolClient", name])
            .map(str::to_owned)
            .with_context(|| format!("CreateUserPoolClient gave no {name}"))
    };
    Ok(OauthReadiness::Ready(OauthClient {
        token_url,
        client_id: field("ClientId")?,
        client_secret: field("ClientSecret")?,
        scope,
    }))
}
