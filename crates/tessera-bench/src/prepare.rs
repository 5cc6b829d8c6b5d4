//! What the scenarios need, made through the API itself: a pool with a password
//! policy the bench's passwords satisfy, an app client with the sign-in flows, and
//! confirmed users with known passwords (and, when asked, their tokens).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};

use crate::api::Api;

/// Every bench password: upper, lower, digit and symbol, 20 characters.
pub const PASSWORD: &str = "Bench-Passw0rd-2024!";

#[derive(Debug, Clone)]
pub struct PreparedUser {
    pub username: String,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Fixture {
    pub pool_id: String,
    /// The pool id after `_`: what SRP mixes into x.
    pub pool_name: String,
    pub client_id: String,
    /// A tag unique to this run, in the names of the users it creates.
    pub tag: String,
    pub users: Vec<PreparedUser>,
}

/// The name of prepared user `i`: zero-padded, so `username ^= "bench-user-0001"`
/// selects ten of them.
pub fn user_name(i: usize) -> String {
    format!("bench-user-{i:05}")
}

fn field<'a>(v: &'a Value, path: &[&str]) -> anyhow::Result<&'a str> {
    let mut at = v;
    for key in path {
        at = at
            .get(key)
            .ok_or_else(|| anyhow!("answer lacks {}: {v}", path.join(".")))?;
    }
    at.as_str()
        .ok_or_else(|| anyhow!("{} is not a string: {v}", path.join(".")))
}

pub async fn create_pool_and_client(api: &Api, tag: &str) -> anyhow::Result<Fixture> {
    let pool = api
        .call(
            "CreateUserPool",
            &json!({
                "PoolName": format!("tessera-bench-{tag}"),
                "Policies": {"PasswordPolicy": {
                    "MinimumLength": 8,
                    "RequireUppercase": true,
                    "RequireLowercase": true,
                    "RequireNumbers": true,
                    "RequireSymbols": true,
                }},
            }),
            true,
        )
        .await
        .context("CreateUserPool")?;
    let pool_id = field(&pool, &["UserPool", "Id"])?.to_owned();
    let client = api
        .call(
            "CreateUserPoolClient",
            &json!({
                "UserPoolId": pool_id,
                "ClientName": "tessera-bench",
                "GenerateSecret": false,
                "ExplicitAuthFlows": [
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                ],
            }),
            true,
        )
        .await
        .context("CreateUserPoolClient")?;
    let client_id = field(&client, &["UserPoolClient", "ClientId"])?.to_owned();
    let pool_name = pool_id
        .split_once('_')
        .map_or(pool_id.as_str(), |(_, name)| name)
        .to_owned();
    Ok(Fixture {
        pool_id,
        pool_name,
        client_id,
        tag: tag.to_owned(),
        users: Vec::new(),
    })
}

/// A confirmed user with [`PASSWORD`]: AdminCreateUser (no message), then
/// AdminSetUserPassword permanent.
pub async fn create_confirmed_user(api: &Api, pool_id: &str, username: &str) -> anyhow::Result<()> {
    api.call(
        "AdminCreateUser",
        &json!({
            "UserPoolId": pool_id,
            "Username": username,
            "TemporaryPassword": PASSWORD,
            "MessageAction": "SUPPRESS",
            "UserAttributes": [
                {"Name": "email", "Value": format!("{username}@bench.example.com")},
                {"Name": "email_verified", "Value": "true"},
            ],
        }),
        true,
    )
    .await
    .with_context(|| format!("AdminCreateUser {username}"))?;
    api.call(
        "AdminSetUserPassword",
        &json!({
            "UserPoolId": pool_id,
            "Username": username,
            "Password": PASSWORD,
            "Permanent": true,
        }),
        true,
    )
    .await
    .with_context(|| format!("AdminSetUserPassword {username}"))?;
    Ok(())
}

/// USER_PASSWORD_AUTH: (access token, refresh token).
pub async fn password_sign_in(
    api: &Api,
    client_id: &str,
    username: &str,
) -> anyhow::Result<(String, String, String)> {
    let out = api
        .call(
            "InitiateAuth",
            &json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": client_id,
                "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD},
            }),
            false,
        )
        .await
        .with_context(|| format!("InitiateAuth USER_PASSWORD_AUTH {username}"))?;
    Ok((
        field(&out, &["AuthenticationResult", "AccessToken"])?.to_owned(),
        field(&out, &["AuthenticationResult", "RefreshToken"])?.to_owned(),
        field(&out, &["AuthenticationResult", "IdToken"])?.to_owned(),
    ))
}

/// Runs `job(i)` for `i` in `0..count` on up to `concurrency` connections.
pub async fn for_each<F, Fut, T>(
    api: &Api,
    count: usize,
    concurrency: usize,
    job: F,
) -> anyhow::Result<Vec<T>>
where
    F: Fn(Api, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<T>> + Send,
    T: Send + 'static,
{
    let job = Arc::new(job);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.clamp(1, count.max(1)) {
        let (api, job, next) = (api.fresh()?, job.clone(), next.clone());
        tasks.spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<_, anyhow::Error>(done);
                }
                done.push((i, job(api.clone(), i).await?));
            }
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(joined) = tasks.join_next().await {
        all.extend(joined.context("a preparation task failed")??);
    }
    all.sort_by_key(|(i, _)| *i);
    if all.len() != count {
        bail!("prepared {} of {count}", all.len());
    }
    Ok(all.into_iter().map(|(_, t)| t).collect())
}

/// `count` confirmed users, signed in once each when `with_tokens`.
pub async fn prepare_users(
    api: &Api,
    fixture: &Fixture,
    count: usize,
    with_tokens: bool,
    concurrency: usize,
) -> anyhow::Result<Vec<PreparedUser>> {
    let (pool_id, client_id) = (fixture.pool_id.clone(), fixture.client_id.clone());
    for_each(api, count, concurrency, move |api, i| {
        let (pool_id, client_id) = (pool_id.clone(), client_id.clone());
        async move {
            let username = user_name(i);
            create_confirmed_user(&api, &pool_id, &username).await?;
            let (access_token, refresh_token, id_token) = if with_tokens {
                let (a, r, i) = password_sign_in(&api, &client_id, &username).await?;
                (Some(a), Some(r), Some(i))
            } else {
                (None, None, None)
            };
            Ok(PreparedUser {
                username,
                access_token,
                refresh_token,
                id_token,
            })
        }
    })
    .await
}

/// `count` more users (no password set), to make the pool larger.
pub async fn populate(
    api: &Api,
    fixture: &Fixture,
    count: usize,
    concurrency: usize,
) -> anyhow::Result<()> {
    let (pool_id, tag) = (fixture.pool_id.clone(), fixture.tag.clone());
    for_each(api, count, concurrency, move |api, i| {
        let (pool_id, tag) = (pool_id.clone(), tag.clone());
        async move {
            let username = format!("filler-{tag}-{i:07}");
            api.call(
                "AdminCreateUser",
                &json!({
                    "UserPoolId": pool_id,
                    "Username": username,
                    "TemporaryPassword": PASSWORD,
                    "MessageAction": "SUPPRESS",
                    "UserAttributes": [
                        {"Name": "email", "Value": format!("{username}@bench.example.com")},
                    ],
                }),
                true,
            )
            .await
            .with_context(|| format!("AdminCreateUser {username}"))?;
            Ok(())
        }
    })
    .await?;
    Ok(())
}

pub async fn delete_pool(api: &Api, pool_id: &str) -> anyhow::Result<()> {
    api.call("DeleteUserPool", &json!({ "UserPoolId": pool_id }), true)
        .await
        .context("DeleteUserPool")?;
    Ok(())
}
