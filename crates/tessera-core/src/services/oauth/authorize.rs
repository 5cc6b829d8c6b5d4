//! An authorization request (`/oauth2/authorize`, and the hosted pages that
//! carry its parameters) checked against its client, in RFC 6749's order:
//! the client and the redirect URI first, because an error about either is
//! shown on the page instead of being sent to a URI not known to be the
//! client's (§4.1.2.1); then the rest, whose errors go back to the client.

use std::collections::{BTreeMap, BTreeSet};

use super::{OAuthFault, STANDARD_SCOPES};
use crate::domain::client::AppClient;
use crate::domain::client_policy::ClientPolicy;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::services::Services;
use crate::store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Code,
    /// The implicit grant: tokens in the redirect's fragment.
    Token,
}

/// An authorization request that holds for its client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub pool_id: UserPoolId,
    pub client_id: ClientId,
    pub redirect_uri: String,
    pub response_type: ResponseType,
    pub state: Option<String>,
    /// The scopes granted: those asked for, or all the client's.
    pub scopes: Vec<String>,
    /// PKCE (S256 only, as Cognito).
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    /// `prompt=login`: sign in again even with a browser session.
    pub force_login: bool,
    /// `prompt=none`: never show a page; without a browser session the
    /// client hears `login_required` (OpenID Connect Core §3.1.2.1).
    pub silent: bool,
    /// `lang`: the language the pages are asked to speak.
    pub lang: Option<String>,
}

impl AuthorizeRequest {
    /// The request's parameters, as the hosted pages carry them from page to
    /// page (and back to `/oauth2/authorize`).
    pub fn parameters(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("client_id", self.client_id.as_str().to_owned()),
            ("redirect_uri", self.redirect_uri.clone()),
            (
                "response_type",
                match self.response_type {
                    ResponseType::Code => "code",
                    ResponseType::Token => "token",
                }
                .to_owned(),
            ),
            ("scope", self.scopes.join(" ")),
        ];
        if let Some(state) = &self.state {
            out.push(("state", state.clone()));
        }
        if let Some(challenge) = &self.code_challenge {
            out.push(("code_challenge", challenge.clone()));
            out.push(("code_challenge_method", "S256".to_owned()));
        }
        if let Some(nonce) = &self.nonce {
            out.push(("nonce", nonce.clone()));
        }
        if let Some(lang) = &self.lang {
            out.push(("lang", lang.clone()));
        }
        out
    }
}

/// Why an authorization request is refused, and where the refusal goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeRefusal {
    /// Shown on the page: the client or the redirect URI is not good.
    Page(String),
    /// Sent back to the (registered) redirect URI, with the request's state.
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        fault: OAuthFault,
        /// The implicit grant answers in the fragment, errors too (RFC 6749 §4.2.2.1).
        in_fragment: bool,
    },
}

impl Services {
    /// Checks an authorization request for the pool whose domain it reached.
    pub async fn check_authorize(
        &self,
        pool_id: &UserPoolId,
        params: &BTreeMap<String, String>,
    ) -> Result<std::result::Result<AuthorizeRequest, AuthorizeRefusal>> {
        let page = |m: &str| Ok(Err(AuthorizeRefusal::Page(m.to_owned())));
        let Some(client_id) = params.get("client_id").filter(|c| !c.is_empty()) else {
            return page("The request has no client_id.");
        };
        let client = match self
            .store
            .get_client(pool_id, &ClientId::new(client_id.clone()))
            .await
        {
            Ok(client) => client,
            Err(StoreError::NotFound) => {
                return page("The client_id is not an app client of this user pool.");
            }
            Err(e) => return Err(e.into()),
        };
        let policy = client.policy();
        let Some(redirect_uri) = params.get("redirect_uri") else {
            return page("The request has no redirect_uri.");
        };
        // Exact string comparison, as RFC 6749 §3.1.2.3 and OAuth 2.1 ask:
        // no normalization, so no lookalike slips through.
        if !policy.oauth.callback_urls.iter().any(|u| u == redirect_uri) {
            return page("The redirect_uri is not one of the app client's callback URLs.");
        }
        let refuse = |fault: OAuthFault| {
            Ok(Err(AuthorizeRefusal::Redirect {
                redirect_uri: redirect_uri.clone(),
                state: params.get("state").cloned(),
                fault,
                in_fragment: params.get("response_type").is_some_and(|t| t == "token"),
            }))
        };
        if !policy.oauth.enabled {
            return refuse(OAuthFault::UnauthorizedClient(
                "The app client is not allowed to use OAuth flows.".into(),
            ));
        }
        // The hosted pages sign in the pool's own users: the client must
        // list COGNITO among its identity providers.
        if !policy
            .oauth
            .identity_providers
            .iter()
            .any(|p| p == "COGNITO")
        {
            return refuse(OAuthFault::UnauthorizedClient(
                "The app client does not support the COGNITO identity provider.".into(),
            ));
        }
        let response_type = match params.get("response_type").map(String::as_str) {
            None | Some("") => {
                return refuse(OAuthFault::InvalidRequest(
                    "response_type is missing.".into(),
                ));
            }
            Some("code") => ResponseType::Code,
            Some("token") => ResponseType::Token,
            Some(_) => return refuse(OAuthFault::UnsupportedResponseType),
        };
        let flow = match response_type {
            ResponseType::Code => "code",
            ResponseType::Token => "implicit",
        };
        if !policy.oauth.flows.iter().any(|f| f == flow) {
            return refuse(OAuthFault::UnauthorizedClient(format!(
                "The app client does not allow the {flow} grant."
            )));
        }
        let live = self.resource_server_scopes(pool_id).await?;
        let scopes = match granted_scopes(&policy, params.get("scope").map(String::as_str), &live) {
            Some(scopes) => scopes,
            None => return refuse(OAuthFault::InvalidScope),
        };
        let code_challenge = match (
            params.get("code_challenge").filter(|c| !c.is_empty()),
            params.get("code_challenge_method").map(String::as_str),
        ) {
            (None, None) => None,
            (Some(challenge), Some("S256")) if is_s256_challenge(challenge) => {
                Some(challenge.clone())
            }
            (Some(_), Some("S256")) => {
                return refuse(OAuthFault::InvalidRequest(
                    "code_challenge is not a base64url SHA-256 digest.".into(),
                ));
            }
            (Some(_), None) | (None, Some(_)) => {
                return refuse(OAuthFault::InvalidRequest(
                    "code_challenge and code_challenge_method go together.".into(),
                ));
            }
            (Some(_), Some(_)) => {
                return refuse(OAuthFault::InvalidRequest(
                    "Only the S256 code_challenge_method is supported.".into(),
                ));
            }
        };
        if response_type == ResponseType::Token && code_challenge.is_some() {
            return refuse(OAuthFault::InvalidRequest(
                "PKCE applies to the code grant only.".into(),
            ));
        }
        if params
            .get("identity_provider")
            .is_some_and(|p| p.as_str() != "COGNITO")
        {
            return refuse(OAuthFault::InvalidRequest(
                "The identity provider is not configured for the app client.".into(),
            ));
        }
        // OpenID Connect Core §3.1.2.1: a space-separated list, where
        // `none` stands alone.
        let prompts: Vec<&str> = params
            .get("prompt")
            .map(|p| p.split(' ').filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        if prompts.contains(&"none") && prompts.len() > 1 {
            return refuse(OAuthFault::InvalidRequest(
                "prompt=none cannot be combined with other values.".into(),
            ));
        }
        Ok(Ok(AuthorizeRequest {
            pool_id: pool_id.clone(),
            client_id: client.id.clone(),
            redirect_uri: redirect_uri.clone(),
            response_type,
            state: params.get("state").cloned(),
            scopes,
            code_challenge,
            nonce: params.get("nonce").filter(|n| !n.is_empty()).cloned(),
            force_login: prompts.contains(&"login"),
            silent: prompts.contains(&"none"),
            lang: params.get("lang").filter(|l| !l.is_empty()).cloned(),
        }))
    }

    /// The app client an OAuth endpoint names, in the pool whose domain the
    /// request reached.
    pub(crate) async fn oauth_client(
        &self,
        pool_id: &UserPoolId,
        client_id: &str,
    ) -> Result<Option<AppClient>> {
        match self
            .store
            .get_client(pool_id, &ClientId::new(client_id.to_owned()))
            .await
        {
            Ok(client) => Ok(Some(client)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(Error::from(e)),
        }
    }
}

/// The scopes a request is granted: every scope asked for must be the
/// client's and still exist (a resource server's scope removed since the
/// client was configured is no longer granted); none asked for grants all
/// the client's that exist. `None` when one asked for is not grantable.
pub(crate) fn granted_scopes(
    policy: &ClientPolicy,
    asked: Option<&str>,
    live: &BTreeSet<String>,
) -> Option<Vec<String>> {
    let grantable: Vec<&String> = policy
        .oauth
        .scopes
        .iter()
        .filter(|s| STANDARD_SCOPES.contains(&s.as_str()) || live.contains(s.as_str()))
        .collect();
    let asked: Vec<&str> = asked
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    if asked.is_empty() {
        return Some(grantable.into_iter().cloned().collect());
    }
    let mut granted: Vec<String> = Vec::new();
    for scope in asked {
        if !grantable.iter().any(|g| *g == scope) {
            return None;
        }
        if !granted.iter().any(|g| g == scope) {
            granted.push(scope.to_owned());
        }
    }
    Some(granted)
}

/// A base64url SHA-256 digest: 43 characters of the URL-safe alphabet.
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
