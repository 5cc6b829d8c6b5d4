//! What every page of a sign-in knows: the authorization request it serves
//! (checked anew on each request, from the query string every page and form
//! carries), the pool and app it is for, how they look, and the browser's
//! CSRF token.
//!
//! How they look depends on the domain, as in Cognito: a classic hosted-UI
//! domain (version 1) applies the pool's UI customization, a managed-login
//! domain (version 2) the app client's branding style.

use std::collections::BTreeMap;

use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::HeaderMap;
use tessera_core::domain::pool::UserPool;
use tessera_core::ids::ClientId;
use tessera_core::services::branding::managed_look::SignUpTerms;
use tessera_core::services::oauth::authorize::AuthorizeRequest;

use super::csrf::{self, CsrfToken};
use super::headers::{PagePolicy, redirect_source};
use super::internal_error;
use super::theme::theme_css;
use crate::oauth::authorize::{query_string, refusal_response};
use crate::oauth::domain::DomainPool;
use crate::router::AppState;

/// A managed-login domain, whose pages take the client's branding style.
const MANAGED_LOGIN: i64 = 2;

/// How the pages look for one pool and app.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The pool's name: whose account the user signs in to.
    pub brand: String,
    /// The app client's name: what the user signs in to use.
    pub app: String,
    /// The logo (UI customization or branding style), as a `data:` URI.
    pub logo: Option<String>,
    /// The branding style's favicon, as a `data:` URI.
    pub favicon: Option<String>,
    /// The branding style as custom properties, after our sheet.
    pub theme_css: Option<String>,
    /// The pool's CSS (UI customization), after our sheet.
    pub custom_css: Option<String>,
    /// The nonce that lets the inline style through the page's policy.
    pub style_nonce: Option<String>,
}

impl Chrome {
    /// The look of a page that serves no known pool (an error page).
    pub fn plain() -> Chrome {
        Chrome {
            brand: "Tessera".into(),
            app: String::new(),
            logo: None,
            favicon: None,
            theme_css: None,
            custom_css: None,
            style_nonce: None,
        }
    }

    /// The first letter of the brand, shown as its mark when there is no logo.
    pub fn initial(&self) -> String {
        self.brand
            .chars()
            .find(|c| c.is_alphanumeric())
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default()
    }

    /// The style's and the pool's CSS with its nonce, as it may go inside
    /// `<style>`: CSS has no use for `<` outside strings, where its escape
    /// means the same, and without it the sheet cannot close the element.
    pub fn inline_style(&self) -> Option<InlineStyle> {
        let css: String = [&self.theme_css, &self.custom_css]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n");
        Some(InlineStyle {
            css: css.replace('<', "\\3c "),
            nonce: self.style_nonce.clone()?,
        })
    }
}

/// The pool's CSS as the page carries it.
pub struct InlineStyle {
    pub css: String,
    pub nonce: String,
}

/// A page of a sign-in, for one authorization request.
pub struct PageContext {
    pub request: AuthorizeRequest,
    pub pool: UserPool,
    pub chrome: Chrome,
    pub csrf: CsrfToken,
    /// The app client's secret, when it has one: the pages act for the
    /// client, so they send the SECRET_HASH its calls need.
    client_secret: Option<String>,
    /// The request's parameters as a query string, for links and form actions.
    pub query: String,
    /// Whether the domain serves managed login (version 2).
    pub managed_login: bool,
    /// The browser's address, for the sign-in steps' risk checks; set by
    /// the handlers that sign in ([`PageContext::with_peer`]).
    pub peer: Option<std::net::IpAddr>,
}

impl PageContext {
    /// The context of a page at `params`, or the response that ends the
    /// request there (a refused authorization request, a failure).
    pub async fn load(
        state: &AppState,
        domain: &DomainPool,
        params: &BTreeMap<String, String>,
        headers: &HeaderMap,
    ) -> Result<PageContext, Response> {
        let services = &state.services;
        let pool_id = &domain.pool;
        let request = match services.check_authorize(pool_id, params).await {
            Ok(Ok(request)) => request,
            Ok(Err(refusal)) => return Err(refusal_response(refusal)),
            Err(e) => return Err(internal_error(e)),
        };
        let pool = services.pool(pool_id).await.map_err(internal_error)?;
        let client = services
            .describe_client(pool_id, &request.client_id)
            .await
            .map_err(internal_error)?;
        let managed_login = domain.managed_login_version == MANAGED_LOGIN;
        let look = if managed_login {
            managed_look(state, pool_id, &request.client_id).await?
        } else {
            classic_look(state, pool_id, &request.client_id).await?
        };
        let style_nonce = (look.theme_css.is_some() || look.custom_css.is_some())
            .then(|| URL_SAFE_NO_PAD.encode(tessera_crypto::random::bytes::<16>()));
        let query = query_string(&request.parameters());
        let client_secret = services
            .any_client_secret(&client.client)
            .map_err(internal_error)?;
        Ok(PageContext {
            chrome: Chrome {
                brand: pool.name.clone(),
                app: client.client.name,
                logo: look.logo,
                favicon: look.favicon,
                theme_css: look.theme_css,
                custom_css: look.custom_css,
                style_nonce,
            },
            csrf: csrf::token_for(state, headers),
            client_secret,
            pool,
            request,
            query,
            managed_login,
            peer: None,
        })
    }

    /// This context, for a request from `peer`.
    pub fn with_peer(self, peer: Option<std::net::IpAddr>) -> PageContext {
        PageContext { peer, ..self }
    }

    /// The terms documents the sign-up page links to: a managed-login
    /// domain's, when the client has both kinds.
    pub async fn sign_up_terms(&self, state: &AppState) -> Result<Option<SignUpTerms>, Response> {
        if !self.managed_login {
            return Ok(None);
        }
        state
            .services
            .sign_up_terms(&self.pool.id, &self.request.client_id)
            .await
            .map_err(internal_error)
    }

    /// `path` with the request's parameters (and `extra` ones) as its query.
    pub fn url(&self, path: &str, extra: &[(&str, String)]) -> String {
        if extra.is_empty() {
            format!("{path}?{}", self.query)
        } else {
            format!("{path}?{}&{}", self.query, query_string(extra))
        }
    }

    /// The SECRET_HASH of the client's calls for `username`, when it has a secret.
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.client_secret.as_ref().map(|secret| {
            tessera_crypto::srp::secret_hash(secret, username, self.request.client_id.as_str())
        })
    }

    /// The policy of a page whose form may end in the redirect to the client.
    pub fn redirecting_policy(&self) -> PagePolicy {
        PagePolicy {
            redirect_target: redirect_source(&self.request.redirect_uri),
            style_nonce: self.chrome.style_nonce.clone(),
        }
    }

    /// The policy of a page whose form stays on the pages.
    pub fn policy(&self) -> PagePolicy {
        PagePolicy {
            redirect_target: None,
            style_nonce: self.chrome.style_nonce.clone(),
        }
    }
}

/// What a page's look is made of, before its nonce.
#[derive(Default)]
struct Look {
    logo: Option<String>,
    favicon: Option<String>,
    theme_css: Option<String>,
    custom_css: Option<String>,
}

/// The classic hosted UI's look: the pool's UI customization for the client.
async fn classic_look(
    state: &AppState,
    pool_id: &tessera_core::ids::UserPoolId,
    client_id: &ClientId,
) -> Result<Look, Response> {
    let customization = state
        .services
        .ui_customization(pool_id, client_id)
        .await
        .map_err(internal_error)?;
    Ok(match customization {
        Some(c) => Look {
            custom_css: c.css.filter(|css| !css.trim().is_empty()),
            logo: c
                .image
                .map(|(bytes, kind)| format!("data:{kind};base64,{}", STANDARD.encode(bytes))),
            ..Look::default()
        },
        None => Look::default(),
    })
}

/// Managed login's look: the client's branding style, or ours when it has
/// none or uses Cognito's values.
async fn managed_look(
    state: &AppState,
    pool_id: &tessera_core::ids::UserPoolId,
    client_id: &ClientId,
) -> Result<Look, Response> {
    let look = state
        .services
        .managed_look(pool_id, client_id)
        .await
        .map_err(internal_error)?;
    Ok(match look {
        Some(look) => Look {
            theme_css: Some(theme_css(&look)),
            logo: look.logo.map(|l| l.data_uri()),
            favicon: look.favicon.map(|f| f.data_uri()),
            custom_css: None,
        },
        None => Look::default(),
    })
}
