//! The flows that start a sign-in: USER_SRP_AUTH, USER_PASSWORD_AUTH,
//! ADMIN_USER_PASSWORD_AUTH (and its legacy name), and the refresh flows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tessera_crypto::srp;

use super::blob::{self, Encoding};
use super::{AuthOutcome, AuthRequest, incorrect, missing, require_flow};
use crate::domain::client::AppClient;
use crate::domain::pool::UserPool;
use crate::error::{Error, Result};
use crate::services::Services;

pub(crate) const SECRET_BLOCK_PURPOSE: &str = "srp-secret-block";

/// What PASSWORD_VERIFIER needs, carried inside SECRET_BLOCK (clients do not
/// always send the Session back).
#[derive(Serialize, Deserialize)]
pub(crate) struct SrpState {
    pub pool: String,
    pub client: String,
    /// `None` for the simulated challenge of an unknown user.
    pub sub: Option<String>,
    pub user_id: String,
    pub a: String,
    pub b: String,
    pub big_b: String,
    pub issued: i64,
}

impl Services {
    pub async fn initiate_auth(&self, request: AuthRequest) -> Result<AuthOutcome> {
        let (pool, client) = self
            .client_and_pool(&request.client_id, request.admin_pool.as_ref())
            .await?;
        let p = &request.parameters;
        match request.flow.as_str() {
            "USER_SRP_AUTH" => {
                require_flow(&client, "USER_SRP_AUTH")?;
                self.start_srp(&pool, &client, p).await
            }
            "USER_PASSWORD_AUTH" => {
                require_flow(&client, "USER_PASSWORD_AUTH")?;
                self.password_sign_in(&pool, &client, p).await
            }
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
                if request.admin_pool.is_none() {
                    return Err(Error::InvalidParameter(
                        "Initiate Auth method not supported.".into(),
                    ));
                }
                require_flow(&client, "ADMIN_USER_PASSWORD_AUTH")?;
                self.password_sign_in(&pool, &client, p).await
            }
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
                require_flow(&client, "REFRESH_TOKEN_AUTH")?;
                self.refresh_sign_in(&pool, &client, p).await
            }
            other => Err(Error::UnsupportedOperation(format!(
                "Tessera does not implement the {other} flow yet."
            ))),
        }
    }

    async fn password_sign_in(
        &self,
        pool: &UserPool,
        client: &AppClient,
        p: &BTreeMap<String, String>,
    ) -> Result<AuthOutcome> {
        let username = p.get("USERNAME").ok_or_else(|| missing("USERNAME"))?;
        let password = p.get("PASSWORD").ok_or_else(|| missing("PASSWORD"))?;
        let secret_hash = p.get("SECRET_HASH").map(String::as_str);
        let Some(user) = self.sign_in_user(pool, username).await? else {
            self.check_secret_hash(client, secret_hash, &[username])?;
            return Err(Self::unknown_user(client));
        };
        self.check_secret_hash(client, secret_hash, &[username, &user.username])?;
        self.check_not_locked(&user)?;
        let matched = self.password_matches(&user, password)?;
        self.settle_password_check(&user, matched).await?;
        self.after_password(pool, client, &user).await
    }

    async fn start_srp(
        &self,
        pool: &UserPool,
        client: &AppClient,
        p: &BTreeMap<String, String>,
    ) -> Result<AuthOutcome> {
        let username = p.get("USERNAME").ok_or_else(|| missing("USERNAME"))?;
        let a_hex = p.get("SRP_A").ok_or_else(|| missing("SRP_A"))?;
        srp::parse_public_a(a_hex).map_err(|_| {
            Error::InvalidParameter("SRP_A is not a valid SRP public value.".into())
        })?;
        let secret_hash = p.get("SECRET_HASH").map(String::as_str);
        let user = self.sign_in_user(pool, username).await?;
        let (verifier, sub, user_id) = match &user {
            Some(user) => {
                self.check_secret_hash(client, secret_hash, &[username, &user.username])?;
                match self.verifier(user)? {
                    Some(v) => (v, Some(user.sub.clone()), user.username.clone()),
                    None => return Err(incorrect()),
                }
            }
            None => {
                self.check_secret_hash(client, secret_hash, &[username])?;
                if !super::prevents_user_existence_errors(client) {
                    return Err(crate::error::Error::UserNotFound);
                }
                // A challenge indistinguishable from a real one, stable for
                // this name, that no password can answer.
                let seed = self.sealing.keyed_hash(
                    "simulated-srp-user",
                    format!("{}|{}", pool.id, pool.normalize(username)).as_bytes(),
                );
                let fake_id =
                    uuid::Builder::from_random_bytes(seed[..16].try_into().unwrap_or_default())
                        .into_uuid()
                        .to_string();
                (srp::fake_verifier(&seed), None, fake_id)
            }
        };
        let ephemeral = srp::server_challenge(&verifier);
        let state = SrpState {
            pool: pool.id.to_string(),
            client: client.id.to_string(),
            sub,
            user_id: user_id.clone(),
            a: a_hex.clone(),
            b: hex::encode(&ephemeral.secret_b),
            big_b: hex::encode(&ephemeral.public_b),
            issued: self.clock.now().millis(),
        };
        let secret_block = blob::seal(
            &self.sealing,
            SECRET_BLOCK_PURPOSE,
            &state,
            Encoding::Standard,
        )?;
        let mut parameters = BTreeMap::new();
        parameters.insert("SALT".into(), srp::salt_hex(&verifier));
        parameters.insert("SRP_B".into(), srp::public_b_hex(&ephemeral));
        parameters.insert("SECRET_BLOCK".into(), secret_block);
        parameters.insert("USER_ID_FOR_SRP".into(), user_id.clone());
        parameters.insert("USERNAME".into(), user_id);
        Ok(AuthOutcome::Challenge {
            name: "PASSWORD_VERIFIER".into(),
            parameters,
            session: None,
        })
    }
}
