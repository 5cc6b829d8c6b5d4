//! The token endpoint: the client authenticated (HTTP Basic or the form
//! body), then its grant — an authorization code (with PKCE), a refresh
//! token, or its own credentials (`client_credentials`).

use super::SignedIn;
use super::authorize::AuthorizeRequest;
use super::codes::pkce_holds;
use super::{OAuthFault, STANDARD_SCOPES, authorize::granted_scopes};
use crate::domain::client::AppClient;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::services::Services;
use crate::services::signin::refresh::RefreshRequest;
use crate::services::tokens::{Family, OAuthGrant};
use crate::services::triggers::Caller;
use crate::services::triggers::token_generation::TokenSource;

/// The client's credentials as the request carried them.
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: Option<String>,
}

pub enum TokenGrant {
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
    },
    ClientCredentials {
        scope: Option<String>,
        /// `aws_client_metadata`: what a V3_0 PreTokenGeneration gets as
        /// `clientMetadata`.
        client_metadata: std::collections::BTreeMap<String, String>,
    },
}

/// What the token endpoint answers.
#[derive(Debug, Clone)]
pub struct OAuthTokens {
    /// Only with the `openid` scope.
    pub id_token: Option<String>,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
}

fn fault(f: OAuthFault) -> Error {
    Error::OAuth(f)
}

fn has_openid(scopes: &[String]) -> bool {
    scopes.iter().any(|s| s == "openid")
}

impl Services {
    /// Authenticates the client of a token-endpoint request.
    async fn authenticated_client(
        &self,
        pool: &UserPoolId,
        credentials: &ClientCredentials,
    ) -> Result<AppClient> {
        let client = self
            .oauth_client(pool, &credentials.client_id)
            .await?
            .ok_or_else(|| fault(OAuthFault::InvalidClient))?;
        // A client with secrets must prove one; one without must not claim one.
        let matches = if client.has_secret() {
            credentials.client_secret.is_some()
                && self.client_secret_matches(&client, credentials.client_secret.as_deref())?
        } else {
            credentials.client_secret.is_none()
        };
        if !matches {
            return Err(fault(OAuthFault::InvalidClient));
        }
        Ok(client)
    }

    /// The user an OAuth grant is for, if it can still sign in: the same
    /// rule as the browser session's.
    async fn oauth_user(&self, pool: &UserPoolId, sub: &str) -> Result<User> {
        self.users
            .by_sub(pool, sub)
            .await?
            .filter(User::can_sign_in_by_oauth)
            .ok_or_else(|| fault(OAuthFault::InvalidGrant("The user cannot sign in.".into())))
    }

    /// `/oauth2/token` for the pool whose domain the request reached.
    pub async fn oauth_token(
        &self,
        pool: &UserPoolId,
        credentials: ClientCredentials,
        grant: TokenGrant,
    ) -> Result<OAuthTokens> {
        let client = self.authenticated_client(pool, &credentials).await?;
        match grant {
            TokenGrant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => {
                self.redeem_authorization_code(pool, &client, &code, redirect_uri, code_verifier)
                    .await
            }
            TokenGrant::RefreshToken { refresh_token } => {
                let tokens = self
                    .get_tokens_from_refresh_token(RefreshRequest {
                        client_id: client.id.clone(),
                        refresh_token,
                        client_secret: credentials.client_secret,
                        device_key: None,
                        client_metadata: Default::default(),
                    })
                    .await
                    .map_err(|e| match e {
                        Error::NotAuthorized(m) | Error::RefreshTokenReuse(m) => {
                            fault(OAuthFault::InvalidGrant(m))
                        }
                        Error::InvalidParameter(m) => fault(OAuthFault::UnauthorizedClient(m)),
                        other => other,
                    })?;
                let family = self.store.get_token_family(&tokens.origin_jti).await?.0;
                let openid = family
                    .scopes
                    .as_deref()
                    .is_none_or(|s| s.split(' ').any(|s| s == "openid"));
                Ok(OAuthTokens {
                    id_token: openid.then_some(tokens.id_token),
                    access_token: tokens.access_token,
                    refresh_token: tokens.refresh_token,
                    expires_in: tokens.expires_in,
                })
            }
            TokenGrant::ClientCredentials {
                scope,
                client_metadata,
            } => {
                self.client_credentials(pool, &client, scope.as_deref(), &client_metadata)
                    .await
            }
        }
    }

    async fn redeem_authorization_code(
        &self,
        pool: &UserPoolId,
        client: &AppClient,
        code: &str,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    ) -> Result<OAuthTokens> {
        let policy = client.policy();
        if !policy.oauth.enabled || !policy.oauth.flows.iter().any(|f| f == "code") {
            return Err(fault(OAuthFault::UnauthorizedClient(
                "The app client does not allow the code grant.".into(),
            )));
        }
        // The code is spent from here on, whatever follows.
        let redeemed = self.redeem_code(pool, code).await?;
        let grant = &redeemed.grant;
        let refused = |m: &str| Err(fault(OAuthFault::InvalidGrant(m.to_owned())));
        if grant.client_id != client.id {
            return refused("The authorization code was issued to another client.");
        }
        if redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
            return refused("The redirect_uri is not the one the code was issued for.");
        }
        match (&grant.code_challenge, code_verifier.as_deref()) {
            (Some(challenge), Some(verifier)) if pkce_holds(challenge, verifier) => {}
            (None, None) => {}
            _ => return refused("The code_verifier does not match the code_challenge."),
        }
        let user = self.oauth_user(pool, &grant.sub).await?;
        let ctx = self.client_context(&client.id, Some(pool)).await?;
        let tokens = self
            .issue_tokens(
                &ctx,
                &user,
                Family::New {
                    device_key: None,
                    oauth: Some(OAuthGrant {
                        origin_jti: redeemed.origin_jti.clone(),
                        scopes: grant.scopes.clone(),
                        nonce: grant.nonce.clone(),
                        auth_time: grant.auth_time(),
                    }),
                },
                TokenSource::HostedAuth,
            )
            .await?;
        self.settle_redemption(&redeemed).await?;
        Ok(OAuthTokens {
            id_token: has_openid(&grant.scopes).then_some(tokens.id_token),
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            expires_in: tokens.expires_in,
        })
    }

    /// A machine's own access token: a client with a secret, the flow
    /// allowed, and only the resource servers' scopes.
    async fn client_credentials(
        &self,
        pool: &UserPoolId,
        client: &AppClient,
        scope: Option<&str>,
        client_metadata: &std::collections::BTreeMap<String, String>,
    ) -> Result<OAuthTokens> {
        let policy = client.policy();
        if !client.has_secret()
            || !policy.oauth.enabled
            || !policy.oauth.flows.iter().any(|f| f == "client_credentials")
        {
            return Err(fault(OAuthFault::UnauthorizedClient(
                "The app client does not allow the client_credentials grant.".into(),
            )));
        }
        let live = self.resource_server_scopes(pool).await?;
        let mut scopes =
            granted_scopes(&policy, scope, &live).ok_or_else(|| fault(OAuthFault::InvalidScope))?;
        // A machine has no user: only the resource servers' scopes are its
        // to ask for, and the user scopes a client lists are not granted.
        let custom = |s: &String| !STANDARD_SCOPES.contains(&s.as_str());
        if scope.is_some() && !scopes.iter().all(custom) {
            return Err(fault(OAuthFault::InvalidScope));
        }
        scopes.retain(custom);
        if scopes.is_empty() {
            return Err(fault(OAuthFault::InvalidScope));
        }
        let pool = self.pool(pool).await?;
        let caller = Caller {
            pool: &pool,
            client_id: Some(client.id.as_str()),
            username: client.id.as_str(),
        };
        let customization = self
            .triggers
            .pre_client_token_generation(&caller, &scopes, client_metadata)
            .await?;
        let access_token = self
            .tokens
            .issue_client_token(&pool, client, &policy, &scopes, &customization)
            .await?;
        Ok(OAuthTokens {
            id_token: None,
            access_token,
            refresh_token: None,
            expires_in: policy.lifetimes.access,
        })
    }

    /// The implicit grant: the tokens straight into the redirect, without a
    /// refresh token (Cognito never gives one there).
    pub async fn implicit_grant(
        &self,
        request: &AuthorizeRequest,
        who: &SignedIn,
    ) -> Result<OAuthTokens> {
        let ctx = self
            .client_context(&request.client_id, Some(&request.pool_id))
            .await?;
        let user = self.oauth_user(&request.pool_id, &who.sub).await?;
        let tokens = self
            .issue_tokens(
                &ctx,
                &user,
                Family::New {
                    device_key: None,
                    oauth: Some(OAuthGrant {
                        origin_jti: uuid::Uuid::new_v4().to_string(),
                        scopes: request.scopes.clone(),
                        nonce: request.nonce.clone(),
                        auth_time: who.auth_time,
                    }),
                },
                TokenSource::HostedAuth,
            )
            .await?;
        Ok(OAuthTokens {
            id_token: has_openid(&request.scopes).then_some(tokens.id_token),
            access_token: tokens.access_token,
            refresh_token: None,
            expires_in: tokens.expires_in,
        })
    }

    /// `/oauth2/revoke`: as RevokeToken, for a client of this domain's pool
    /// that authenticated.
    pub async fn revoke_oauth_token(
        &self,
        pool: &UserPoolId,
        token: &str,
        credentials: &ClientCredentials,
    ) -> Result<()> {
        let client = self.authenticated_client(pool, credentials).await?;
        self.revoke_token(token, &client.id, credentials.client_secret.as_deref())
            .await
    }

    /// The sign-out URLs of a client of this domain's pool, if it is one.
    pub async fn logout_client(
        &self,
        pool: &UserPoolId,
        client_id: &str,
    ) -> Result<Option<Vec<String>>> {
        Ok(self
            .oauth_client(pool, client_id)
            .await?
            .map(|c| c.policy().oauth.logout_urls))
    }
}
