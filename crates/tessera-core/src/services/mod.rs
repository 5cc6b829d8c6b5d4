//! The operations, grouped by resource. Each method is one Cognito operation's
//! behaviour over the `Store`; the HTTP edge parses requests and calls one.
//!
//! - [`pools`]: user pools, custom attributes and tags.
//! - [`attributes`]: attribute changes shared by admin and self-service.
//! - [`auth`]: sign-in flows and challenges.
//! - [`client_attributes`]: what a client may read and write.
//! - [`clients`]: app clients.
//! - [`users`]: admin user management.
//! - [`listing`]: the ListUsers operation.
//! - [`groups`]: groups and memberships.
//! - [`tokens`]: signing keys, JWKS, issuing and authenticating tokens.
//! - [`signup`]: SignUp, ConfirmSignUp, ResendConfirmationCode.
//! - [`recovery`]: ForgotPassword, ConfirmForgotPassword.
//! - [`self_service`]: what users do with their access token.
//! - [`signout`]: RevokeToken and global sign-out.
//! - [`codes`]: one-time codes and where recovery codes go.
//! - [`credentials`]: passwords kept as sealed SRP verifiers; policy wording.
//! - [`messages`]: invitations and code messages from pool templates.

pub mod attributes;
pub mod auth;
pub mod client_attributes;
pub mod clients;
pub mod codes;
pub mod credentials;
pub mod groups;
pub mod listing;
pub mod messages;
pub mod pools;
pub mod recovery;
pub mod self_service;
pub mod signout;
pub mod signup;
pub mod tokens;
pub mod users;

use std::sync::Arc;

use tessera_crypto::seal::SealingKey;

use crate::clock::Clock;
use crate::domain::pool::UserPool;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::mailer::Mailer;
use crate::store::{PageRequest, Store, StoreError};

/// Facts about this deployment that appear in ids and ARNs.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub region: String,
    pub account_id: String,
    /// The base URL clients reach this server at; issuers are `{public_url}/{poolId}`.
    pub public_url: String,
}

/// Everything the operations need, shared by all requests.
pub struct Services {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) mailer: Arc<dyn Mailer>,
    pub(crate) sealing: Arc<SealingKey>,
    pub(crate) deployment: Deployment,
    /// Opened signing keys per pool; a cache, refreshed from the store.
    pub(crate) key_cache:
        std::sync::RwLock<std::collections::HashMap<UserPoolId, Arc<tokens::PoolKeys>>>,
}

/// The largest page any listing returns.
pub const MAX_PAGE: usize = 60;

impl Services {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        mailer: Arc<dyn Mailer>,
        sealing: Arc<SealingKey>,
        deployment: Deployment,
    ) -> Self {
        Self {
            store,
            clock,
            mailer,
            sealing,
            deployment,
            key_cache: Default::default(),
        }
    }

    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// Whether the store answers (readiness).
    pub async fn store_ready(&self) -> Result<()> {
        self.store.get_meta("ready-check").await?;
        Ok(())
    }

    pub(crate) async fn pool(&self, id: &UserPoolId) -> Result<UserPool> {
        self.store.get_pool(id).await.map_err(|e| match e {
            StoreError::NotFound => pool_not_found(id),
            other => other.into(),
        })
    }
}

pub(crate) fn pool_not_found(id: &UserPoolId) -> Error {
    Error::ResourceNotFound(format!("User pool {id} does not exist."))
}

/// Builds a store page request from an operation's limit and opaque token.
pub(crate) fn page_request(limit: Option<i64>, token: Option<&str>) -> Result<PageRequest> {
    let limit = match limit {
        None | Some(0) => MAX_PAGE,
        Some(n) => usize::try_from(n).unwrap_or(MAX_PAGE).min(MAX_PAGE),
    };
    let after = token.map(crate::paging::decode).transpose()?;
    Ok(PageRequest { after, limit })
}

pub(crate) fn next_token(next: Option<String>) -> Option<String> {
    next.as_deref().map(crate::paging::encode)
}
