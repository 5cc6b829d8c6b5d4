//! Answers to challenges: PASSWORD_VERIFIER (the second half of SRP) and
//! NEW_PASSWORD_REQUIRED (a user created with a temporary password).

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use tessera_crypto::srp;

use super::blob::{self, Encoding};
use super::initiate::{SECRET_BLOCK_PURPOSE, SrpState};
use super::{AuthOutcome, ChallengeAnswer, incorrect, missing, session_seconds};
use crate::domain::client::AppClient;
use crate::domain::pool::UserPool;
use crate::domain::schema::{check_mutable, check_required_present, check_value};
use crate::domain::user::{User, UserStatus};
use crate::error::{Error, Result};
use crate::services::Services;
use crate::services::client_attributes::check_writable;
use crate::services::credentials::{SET_PASSWORD_PREFIX, check_password_policy, srp_pool_name};
use crate::services::tokens::Family;
use crate::store::{StoreError, UserKey};

const SESSION_PURPOSE: &str = "auth-session";

/// The state a challenge's Session carries to its answer.
#[derive(Serialize, Deserialize)]
struct ChallengeSession {
    pool: String,
    client: String,
    sub: String,
    challenge: String,
    expires: i64,
}

fn session_expired() -> Error {
    Error::NotAuthorized("Invalid session for the user, session is expired.".into())
}

/// Challenges Cognito has that Tessera does not offer yet.
const NOT_YET: &[&str] = &[
    "SMS_MFA",
    "EMAIL_OTP",
    "SOFTWARE_TOKEN_MFA",
    "SELECT_MFA_TYPE",
    "MFA_SETUP",
    "CUSTOM_CHALLENGE",
    "SELECT_CHALLENGE",
    "DEVICE_SRP_AUTH",
    "DEVICE_PASSWORD_VERIFIER",
    "SMS_OTP",
    "PASSWORD",
    "WEB_AUTHN",
    "PASSWORD_SRP",
];

impl Services {
    pub async fn respond_to_auth_challenge(&self, answer: ChallengeAnswer) -> Result<AuthOutcome> {
        let (pool, client) = self
            .client_and_pool(&answer.client_id, answer.admin_pool.as_ref())
            .await?;
        match answer.challenge.as_str() {
            "PASSWORD_VERIFIER" => self.finish_srp(&pool, &client, &answer.responses).await,
            "NEW_PASSWORD_REQUIRED" => self.set_new_password(&pool, &client, &answer).await,
            other if NOT_YET.contains(&other) => Err(Error::UnsupportedOperation(format!(
                "Tessera does not implement the {other} challenge yet."
            ))),
            other => Err(Error::InvalidParameter(format!(
                "The challenge {other} is not one this flow issued."
            ))),
        }
    }

    async fn finish_srp(
        &self,
        pool: &UserPool,
        client: &AppClient,
        r: &BTreeMap<String, String>,
    ) -> Result<AuthOutcome> {
        let username = r.get("USERNAME").ok_or_else(|| missing("USERNAME"))?;
        let block = r
            .get("PASSWORD_CLAIM_SECRET_BLOCK")
            .ok_or_else(|| missing("PASSWORD_CLAIM_SECRET_BLOCK"))?;
        let signature = r
            .get("PASSWORD_CLAIM_SIGNATURE")
            .ok_or_else(|| missing("PASSWORD_CLAIM_SIGNATURE"))?;
        let timestamp = r.get("TIMESTAMP").ok_or_else(|| missing("TIMESTAMP"))?;
        let state: SrpState = blob::open(
            &self.sealing,
            SECRET_BLOCK_PURPOSE,
            block,
            Encoding::Standard,
        )
        .filter(|s: &SrpState| s.pool == pool.id.as_str() && s.client == client.id.as_str())
        .ok_or_else(incorrect)?;
        self.check_secret_hash(
            client,
            r.get("SECRET_HASH").map(String::as_str),
            &[username, &state.user_id],
        )?;
        let age_ms = self.clock.now().millis() - state.issued;
        if age_ms > session_seconds(client) * 1000 {
            return Err(session_expired());
        }
        let Some(sub) = &state.sub else {
            return Err(incorrect());
        };
        let user = match self.store.get_user(&pool.id, UserKey::Sub(sub)).await {
            Ok(u) => u,
            Err(StoreError::NotFound) => return Err(incorrect()),
            Err(e) => return Err(e.into()),
        };
        self.check_not_locked(&user)?;
        let verifier = self.verifier(&user)?.ok_or_else(incorrect)?;
        let matched = match (
            srp::parse_public_a(&state.a),
            hex::decode(&state.b),
            hex::decode(&state.big_b),
            STANDARD.decode(block.as_bytes()),
        ) {
            (Ok(a), Ok(secret_b), Ok(public_b), Ok(block_bytes)) => srp::verify_claim(
                &verifier,
                &a,
                &srp::ServerEphemeral { secret_b, public_b },
                srp_pool_name(&pool.id),
                &user.username,
                &block_bytes,
                timestamp,
                signature,
            ),
            _ => false,
        };
        self.settle_password_check(&user, matched).await?;
        self.after_password(pool, client, &user).await
    }

    /// NEW_PASSWORD_REQUIRED: the current attributes and the required ones
    /// still missing, as JSON strings, the way clients parse them.
    pub(crate) fn new_password_challenge(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
    ) -> Result<AuthOutcome> {
        let attributes: BTreeMap<&String, &String> = user
            .attributes
            .iter()
            .filter(|(name, _)| name.as_str() != "sub")
            .collect();
        let required: Vec<String> = pool
            .schema
            .iter()
            .filter(|a| a.required && a.name != "sub" && !user.attributes.contains_key(&a.name))
            .map(|a| format!("userAttributes.{}", a.name))
            .collect();
        let session = blob::seal(
            &self.sealing,
            SESSION_PURPOSE,
            &ChallengeSession {
                pool: pool.id.to_string(),
                client: client.id.to_string(),
                sub: user.sub.clone(),
                challenge: "NEW_PASSWORD_REQUIRED".into(),
                expires: self
                    .clock
                    .now()
                    .plus_seconds(session_seconds(client))
                    .millis(),
            },
            Encoding::UrlSafe,
        )?;
        let mut parameters = BTreeMap::new();
        parameters.insert("USER_ID_FOR_SRP".into(), user.username.clone());
        parameters.insert(
            "userAttributes".into(),
            serde_json::to_string(&attributes).map_err(|e| Error::Internal(e.to_string()))?,
        );
        parameters.insert(
            "requiredAttributes".into(),
            serde_json::to_string(&required).map_err(|e| Error::Internal(e.to_string()))?,
        );
        Ok(AuthOutcome::Challenge {
            name: "NEW_PASSWORD_REQUIRED".into(),
            parameters,
            session: Some(session),
        })
    }

    async fn set_new_password(
        &self,
        pool: &UserPool,
        client: &AppClient,
        answer: &ChallengeAnswer,
    ) -> Result<AuthOutcome> {
        let r = &answer.responses;
        let session: ChallengeSession = answer
            .session
            .as_deref()
            .and_then(|s| blob::open(&self.sealing, SESSION_PURPOSE, s, Encoding::UrlSafe))
            .filter(|s: &ChallengeSession| {
                s.pool == pool.id.as_str()
                    && s.client == client.id.as_str()
                    && s.challenge == "NEW_PASSWORD_REQUIRED"
                    && s.expires > self.clock.now().millis()
            })
            .ok_or_else(session_expired)?;
        let password = r
            .get("NEW_PASSWORD")
            .ok_or_else(|| missing("NEW_PASSWORD"))?;
        let mut user = match self
            .store
            .get_user(&pool.id, UserKey::Sub(&session.sub))
            .await
        {
            Ok(u) => u,
            Err(StoreError::NotFound) => return Err(session_expired()),
            Err(e) => return Err(e.into()),
        };
        let typed = r
            .get("USERNAME")
            .map(String::as_str)
            .unwrap_or(&user.username);
        self.check_secret_hash(
            client,
            r.get("SECRET_HASH").map(String::as_str),
            &[typed, &user.username],
        )?;
        if user.status != UserStatus::ForceChangePassword {
            return Err(session_expired());
        }
        let updates: Vec<(String, String)> = r
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("userAttributes.")
                    .map(|name| (name.to_owned(), v.clone()))
            })
            .collect();
        check_writable(client, updates.iter().map(|(n, _)| n.as_str()))?;
        for (name, value) in &updates {
            check_value(&pool.schema, name, value)?;
            if user.attributes.contains_key(name) {
                check_mutable(&pool.schema, name)?;
            }
        }
        user.attributes.extend(updates);
        check_required_present(&pool.schema, |n| user.attributes.contains_key(n))?;
        check_password_policy(pool, password, SET_PASSWORD_PREFIX)?;
        user.password = Some(self.seal_password(&pool.id, &user.username, &user.sub, password)?);
        user.password_expires = None;
        user.status = UserStatus::Confirmed;
        user.aliases = Self::aliases_of(pool, &user.attributes);
        user.modified = self.clock.now();
        self.save_user(&user, &[]).await?;
        let tokens = self.issue_tokens(pool, client, &user, Family::New).await?;
        Ok(AuthOutcome::Tokens(tokens))
    }
}
