//! The identity service's OpenID tokens (GetOpenIdToken for the basic flow,
//! GetOpenIdTokenForDeveloperIdentity for a developer's backend) and AWS
//! credentials for an identity (GetCredentialsForIdentity, the enhanced
//! flow): the role chosen as Cognito chooses it, then the OpenID token
//! exchanged at the configured `CredentialSource`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::DEVELOPER_LOGIN_KEY;
use super::keys::LONGEST_TOKEN_SECONDS;
use super::logins::VerifiedLogin;
use super::roles::{choose_role, principal_tags};
use crate::credential_source::{AssumeRole, AwsCredentials, CredentialError};
use crate::domain::identity_pool::{Identity, IdentityLogin, IdentityPool};
use crate::error::{Error, Result};
use crate::ids::{IdentityId, IdentityPoolId};
use crate::services::Services;

/// GetOpenIdToken's tokens live ten minutes, as Cognito's do.
const OPEN_ID_TOKEN_SECONDS: i64 = 600;
/// GetOpenIdTokenForDeveloperIdentity's default duration.
const DEVELOPER_TOKEN_SECONDS: i64 = 900;
/// GetCredentialsForIdentity's credentials last an hour.
const CREDENTIALS_SECONDS: u32 = 3600;
/// The session name STS is given, as Cognito names its sessions.
const SESSION_NAME: &str = "CognitoIdentityCredentials";

/// An OpenID token and the identity it is for.
#[derive(Debug)]
pub struct OpenIdToken {
    pub identity_id: IdentityId,
    pub token: String,
}

/// Credentials and the identity they are for (which may be another than the
/// one asked for, when the login already had an identity).
#[derive(Debug)]
pub struct IdentityCredentials {
    pub identity_id: IdentityId,
    pub credentials: AwsCredentials,
}

/// What GetOpenIdTokenForDeveloperIdentity is asked.
#[derive(Debug)]
pub struct DeveloperTokenRequest {
    pub pool_id: IdentityPoolId,
    pub identity_id: Option<IdentityId>,
    pub logins: BTreeMap<String, String>,
    pub principal_tags: BTreeMap<String, String>,
    pub token_duration: Option<i64>,
}

fn amr(logins: &[VerifiedLogin]) -> Vec<String> {
    if logins.is_empty() {
        return vec!["unauthenticated".into()];
    }
    let mut amr = vec!["authenticated".to_owned()];
    for entry in logins.iter().flat_map(|l| &l.amr) {
        if !amr.contains(entry) {
            amr.push(entry.clone());
        }
    }
    amr
}

impl Services {
    async fn sign_open_id_token(
        &self,
        pool: &IdentityPool,
        identity: &Identity,
        amr: Vec<String>,
        tags: &BTreeMap<String, String>,
        seconds: i64,
    ) -> Result<String> {
        let now = self.clock.now().millis() / 1000;
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(identity.id.as_str()));
        claims.insert("aud".into(), json!(pool.id.as_str()));
        claims.insert("amr".into(), json!(amr));
        claims.insert("iss".into(), json!(self.identity.issuer()));
        claims.insert("exp".into(), json!(now + seconds));
        claims.insert("iat".into(), json!(now));
        if !tags.is_empty() {
            // The session-tags claim STS reads: each tag's values as a list.
            let tags: Map<String, Value> =
                tags.iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
            claims.insert(
                "https://aws.amazon.com/tags".into(),
                json!({ "principal_tags": tags }),
            );
        }
        self.identity.keys.sign(&claims).await
    }

    /// GetOpenIdToken (basic flow).
    pub async fn get_open_id_token(
        &self,
        id: &IdentityId,
        logins: &BTreeMap<String, String>,
    ) -> Result<OpenIdToken> {
        let (pool, identity, verified) = self
            .identity_with_logins(id, logins, |pool| {
                if pool.allow_classic_flow {
                    Ok(())
                } else {
                    Err(Error::InvalidParameter(
                        "Basic (classic) flow is not enabled, please use enhanced flow.".into(),
                    ))
                }
            })
            .await?;
        let tags = principal_tags(&pool, &verified);
        let token = self
            .sign_open_id_token(
                &pool,
                &identity,
                amr(&verified),
                &tags,
                OPEN_ID_TOKEN_SECONDS,
            )
            .await?;
        Ok(OpenIdToken {
            identity_id: identity.id,
            token,
        })
    }

    /// GetOpenIdTokenForDeveloperIdentity: the developer user's identity
    /// (registered on first use), with any other logins linked to it.
    pub async fn get_open_id_token_for_developer_identity(
        &self,
        request: DeveloperTokenRequest,
    ) -> Result<OpenIdToken> {
        let pool = self.identity_pool(&request.pool_id).await?;
        let provider = pool.developer_provider_name.clone().ok_or_else(|| {
            Error::InvalidParameter("The identity pool has no DeveloperProviderName.".into())
        })?;
        let seconds = request.token_duration.unwrap_or(DEVELOPER_TOKEN_SECONDS);
        if !(1..=LONGEST_TOKEN_SECONDS).contains(&seconds) {
            return Err(Error::InvalidParameter(format!(
                "TokenDuration must be from 1 to {LONGEST_TOKEN_SECONDS} seconds."
            )));
        }
        let mut others = request.logins;
        let user = others.remove(&provider).ok_or_else(|| {
            Error::InvalidParameter(format!(
                "Logins must include the developer provider {provider}."
            ))
        })?;
        // The other logins are checked before anything is registered.
        let mut verified = self.verify_logins(&pool, &others).await?;
        let mut identity = self
            .developer_identity(&pool, &user, request.identity_id.as_ref())
            .await?;
        let developer = VerifiedLogin {
            login: IdentityLogin {
                provider: provider.clone(),
                subject: user.clone(),
            },
            claims: Map::new(),
            mapping_key: provider.clone(),
            amr: vec![provider.clone(), format!("{provider}:{}:{user}", pool.id)],
            identity: None,
        };
        verified.insert(0, developer);
        if verified.len() > 1 {
            // The identity holds the developer login, so the others link to
            // it unless another identity has one of them.
            identity = self
                .identity_for_logins(&pool, Some(identity), &verified)
                .await?;
        }
        let amr = amr(&verified);
        let token = self
            .sign_open_id_token(&pool, &identity, amr, &request.principal_tags, seconds)
            .await?;
        Ok(OpenIdToken {
            identity_id: identity.id,
            token,
        })
    }

    /// GetCredentialsForIdentity (enhanced flow).
    pub async fn get_credentials_for_identity(
        &self,
        id: &IdentityId,
        logins: &BTreeMap<String, String>,
        custom_role_arn: Option<&str>,
    ) -> Result<IdentityCredentials> {
        let (pool, identity, verified) = self.identity_with_logins(id, logins, |_| Ok(())).await?;
        let role = if verified.is_empty() {
            pool.roles.get("unauthenticated").cloned().ok_or_else(|| {
                Error::InvalidIdentityPoolConfiguration(
                    "Invalid identity pool configuration. Check assigned IAM roles for this pool."
                        .into(),
                )
            })?
        } else {
            choose_role(&pool, &verified, custom_role_arn)?
        };
        // A developer token's own claims carry the tags its backend set.
        let tags = match verified
            .iter()
            .find(|l| l.login.provider == DEVELOPER_LOGIN_KEY)
        {
            Some(developer) => developer_tags(&developer.claims),
            None => principal_tags(&pool, &verified),
        };
        let token = self
            .sign_open_id_token(
                &pool,
                &identity,
                amr(&verified),
                &tags,
                OPEN_ID_TOKEN_SECONDS,
            )
            .await?;
        let credentials = self
            .identity
            .credentials
            .assume_role(&AssumeRole {
                role_arn: &role,
                session_name: SESSION_NAME,
                web_identity_token: &token,
                duration_seconds: CREDENTIALS_SECONDS,
            })
            .await
            .map_err(|e| match e {
                CredentialError::NotConfigured => Error::InvalidIdentityPoolConfiguration(
                    "Tessera has no credential source: set [identity_pools] credentials to \"sts\" or, for local development, \"local\"."
                        .into(),
                ),
                CredentialError::Refused(why) => {
                    tracing::info!(role = %role, reason = %why, "the credential source refused the role");
                    Error::InvalidIdentityPoolConfiguration(
                        "Invalid identity pool configuration. Check assigned IAM roles for this pool."
                            .into(),
                    )
                }
                CredentialError::Unavailable(cause) => {
                    tracing::warn!(%cause, "the credential source failed");
                    Error::ExternalService("The credential source did not answer.".into())
                }
            })?;
        Ok(IdentityCredentials {
            identity_id: identity.id,
            credentials,
        })
    }
}

/// The principal tags a developer OpenID token carries.
fn developer_tags(claims: &Map<String, Value>) -> BTreeMap<String, String> {
    claims
        .get("https://aws.amazon.com/tags")
        .and_then(|t| t.get("principal_tags"))
        .and_then(Value::as_object)
        .map(|tags| {
            tags.iter()
                .filter_map(|(k, v)| {
                    let value = v.as_array()?.first()?.as_str()?;
                    Some((k.clone(), value.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default()
}
