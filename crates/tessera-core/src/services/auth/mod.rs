//! Sign-in: InitiateAuth / AdminInitiateAuth, RespondToAuthChallenge /
//! AdminRespondToAuthChallenge and the refresh flows.
//!
//! - [`blob`]: sealed Session and SECRET_BLOCK strings.
//! - [`initiate`]: the flows that start a sign-in.
//! - [`respond`]: answering PASSWORD_VERIFIER and NEW_PASSWORD_REQUIRED.
//! - [`refresh`]: REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken.

pub mod blob;
pub mod initiate;
pub mod refresh;
pub mod respond;

use std::collections::BTreeMap;

use serde_json::Value;

use super::Services;
use super::tokens::{Family, TokenSet};
use crate::domain::client::AppClient;
use crate::domain::pool::UserPool;
use crate::domain::user::{Alias, AliasKind, User, UserStatus};
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::store::{StoreError, UserKey};

pub struct AuthRequest {
    pub client_id: ClientId,
    pub flow: String,
    pub parameters: BTreeMap<String, String>,
    /// AdminInitiateAuth: the pool the signed caller named.
    pub admin_pool: Option<UserPoolId>,
}

pub struct ChallengeAnswer {
    pub client_id: ClientId,
    pub challenge: String,
    pub responses: BTreeMap<String, String>,
    pub session: Option<String>,
    pub admin_pool: Option<UserPoolId>,
}

pub enum AuthOutcome {
    Tokens(TokenSet),
    Challenge {
        name: String,
        parameters: BTreeMap<String, String>,
        session: Option<String>,
    },
}

pub(crate) fn incorrect() -> Error {
    Error::NotAuthorized("Incorrect username or password.".into())
}

pub(crate) fn missing(parameter: &str) -> Error {
    Error::InvalidParameter(format!("Missing required parameter {parameter}"))
}

fn flows(client: &AppClient) -> Vec<&str> {
    client
        .settings
        .get("ExplicitAuthFlows")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Whether the client lets `flow` run. A client listing only the legacy names
/// keeps the legacy rule: SRP and refresh are always on.
fn flow_allowed(client: &AppClient, flow: &str) -> bool {
    let list = flows(client);
    let legacy = !list.iter().any(|f| f.starts_with("ALLOW_"));
    match flow {
        "USER_SRP_AUTH" => legacy || list.contains(&"ALLOW_USER_SRP_AUTH"),
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            legacy || list.contains(&"ALLOW_REFRESH_TOKEN_AUTH")
        }
        "USER_PASSWORD_AUTH" => {
            list.contains(&"ALLOW_USER_PASSWORD_AUTH") || list.contains(&"USER_PASSWORD_AUTH")
        }
        "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
            list.contains(&"ALLOW_ADMIN_USER_PASSWORD_AUTH") || list.contains(&"ADMIN_NO_SRP_AUTH")
        }
        _ => false,
    }
}

pub(crate) fn require_flow(client: &AppClient, flow: &str) -> Result<()> {
    if flow_allowed(client, flow) {
        return Ok(());
    }
    Err(Error::InvalidParameter(match flow {
        "USER_PASSWORD_AUTH" => "USER_PASSWORD_AUTH flow not enabled for this client".into(),
        "USER_SRP_AUTH" => "USER_SRP_AUTH flow not enabled for this client".into(),
        _ => "Auth flow not enabled for this client".into(),
    }))
}

pub(crate) fn prevents_user_existence_errors(client: &AppClient) -> bool {
    client
        .settings
        .get("PreventUserExistenceErrors")
        .and_then(Value::as_str)
        == Some("ENABLED")
}

/// Minutes a challenge Session stays good for (AuthSessionValidity, 3–15).
pub(crate) fn session_seconds(client: &AppClient) -> i64 {
    client
        .settings
        .get("AuthSessionValidity")
        .and_then(Value::as_i64)
        .unwrap_or(3)
        .clamp(3, 15)
        * 60
}

impl Services {
    /// The client and its pool; for admin calls, the client must be the named pool's.
    pub(crate) async fn client_and_pool(
        &self,
        client_id: &ClientId,
        admin_pool: Option<&UserPoolId>,
    ) -> Result<(UserPool, AppClient)> {
        if let Some(pool) = admin_pool {
            self.pool(pool).await?;
        }
        let client = match self.store.find_client(client_id).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => {
                return Err(Error::ResourceNotFound(format!(
                    "User pool client {client_id} does not exist."
                )));
            }
            Err(e) => return Err(e.into()),
        };
        if admin_pool.is_some_and(|p| *p != client.pool_id) {
            return Err(Error::ResourceNotFound(format!(
                "User pool client {client_id} does not exist."
            )));
        }
        let pool = self.pool(&client.pool_id).await?;
        Ok((pool, client))
    }

    /// Checks SECRET_HASH for clients with a secret. Clients may hash the
    /// username they typed or the internal one; any of `usernames` is accepted.
    pub(crate) fn check_secret_hash(
        &self,
        client: &AppClient,
        given: Option<&str>,
        usernames: &[&str],
    ) -> Result<()> {
        let Some(secret) = self.open_client_secret(client)? else {
            return Ok(());
        };
        let Some(given) = given else {
            return Err(Error::NotAuthorized(format!(
                "Client {} is configured for secret but secret was not received",
                client.id
            )));
        };
        let ok = usernames.iter().any(|u| {
            tessera_crypto::srp::secret_hash_matches(&secret, u, client.id.as_str(), given)
        });
        if ok {
            Ok(())
        } else {
            Err(Error::NotAuthorized(format!(
                "Unable to verify secret hash for client {}",
                client.id
            )))
        }
    }

    /// The user a sign-in names: by username or by a sign-in alias (never by `sub`).
    pub(crate) async fn sign_in_user(&self, pool: &UserPool, name: &str) -> Result<Option<User>> {
        let key = pool.normalize(name);
        match self.store.get_user(&pool.id, UserKey::Username(&key)).await {
            Ok(u) => return Ok(Some(u)),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        for kind in AliasKind::ALL {
            let alias = Alias {
                kind,
                value: key.clone(),
            };
            match self.store.get_user(&pool.id, UserKey::Alias(&alias)).await {
                Ok(u) => return Ok(Some(u)),
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(None)
    }

    /// The answer for a name that matches no user: Cognito's "does not exist",
    /// or — when the client prevents user-existence errors — the same answer
    /// as a wrong password.
    pub(crate) fn unknown_user(client: &AppClient) -> Error {
        if prevents_user_existence_errors(client) {
            incorrect()
        } else {
            Error::UserNotFound
        }
    }

    /// Refuses while the user is locked out; failures then do not count.
    pub(crate) fn check_not_locked(&self, user: &User) -> Result<()> {
        if user.sign_in_failures.is_locked(self.clock.now()) {
            return Err(Error::NotAuthorized("Password attempts exceeded".into()));
        }
        Ok(())
    }

    /// Records the outcome of a password check in the user's lockout counter.
    pub(crate) async fn settle_password_check(&self, user: &User, matched: bool) -> Result<()> {
        if matched {
            if user.sign_in_failures.count > 0 {
                self.store
                    .clear_sign_in_failures(&user.pool_id, &user.sub)
                    .await?;
            }
            Ok(())
        } else {
            self.store
                .record_sign_in_failure(&user.pool_id, &user.sub, self.clock.now())
                .await?;
            Err(incorrect())
        }
    }

    /// What follows a correct password: refusals by state, the new-password
    /// challenge, or tokens.
    pub(crate) async fn after_password(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
    ) -> Result<AuthOutcome> {
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        match user.status {
            UserStatus::Unconfirmed => return Err(Error::UserNotConfirmed),
            UserStatus::ResetRequired => return Err(Error::PasswordResetRequired),
            UserStatus::ForceChangePassword => {
                if user
                    .password_expires
                    .is_some_and(|at| at <= self.clock.now())
                {
                    return Err(Error::NotAuthorized(
                        "Temporary password has expired and must be reset by an administrator."
                            .into(),
                    ));
                }
                return self.new_password_challenge(pool, client, user);
            }
            _ => {}
        }
        let tokens = self.issue_tokens(pool, client, user, Family::New).await?;
        Ok(AuthOutcome::Tokens(tokens))
    }
}
