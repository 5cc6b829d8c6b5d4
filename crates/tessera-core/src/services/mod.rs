//! The operations, grouped by capability. Each public method is one Cognito
//! operation's behaviour over the `Store`; the HTTP edge parses requests and
//! calls one. Capabilities with state or rules of their own are types held by
//! `Services` (`tokens`, `users`, `codes`, `messenger`).
//!
//! - [`pools`]: user pools, custom attributes and tags.
//! - [`clients`]: app clients.
//! - [`client_oauth`]: what an app client's OAuth members may name.
//! - [`client_context`]: the pool, client and client policy a request acts for.
//! - [`client_secret`]: the one place a client secret is sealed, opened and checked.
//! - [`client_rotation`]: adding, listing and deleting a client's secrets.
//! - [`existence`]: the one place that decides what "does not exist" says.
//! - [`directory`]: `UserDirectory` — finding users, their aliases, saving them.
//! - [`users`]: admin user management.
//! - [`attributes`]: attribute changes shared by admin and self-service.
//! - [`limits`]: request-rate quotas by Cognito's operation categories.
//! - [`listing`]: the ListUsers operation.
//! - [`groups`]: groups and memberships.
//! - [`signin`]: the sign-in state machine every flow goes through.
//! - [`tokens`]: `TokenIssuer` and `SigningKeys` — keys, JWKS, issuing and authenticating tokens.
//! - [`signup`]: SignUp, ConfirmSignUp, ResendConfirmationCode.
//! - [`recovery`]: ForgotPassword, ConfirmForgotPassword.
//! - [`self_service`]: what users do with their access token.
//! - [`signout`]: RevokeToken and global sign-out.
//! - [`user_sessions`]: listing and revoking users' token sessions; the session settings.
//! - [`codes`]: `Codes` — one-time codes and where recovery codes go.
//! - [`credentials`]: passwords kept as sealed SRP verifiers; policy wording.
//! - [`messages`]: `Messenger` — invitations and code messages from pool templates.
//! - [`mfa`]: the pool's MFA configuration, software tokens, users' MFA preferences.
//! - [`devices`]: remembered devices: ConfirmDevice and the device operations.
//! - [`triggers`]: `Triggers` — Lambda triggers: events, invocation, responses.
//! - [`migration`]: users a UserMigration trigger brings in.
//! - [`domains`]: user-pool domains (prefix and custom) and the pool a Host names.
//! - [`resource_servers`]: resource servers and their custom scopes.
//! - [`branding`]: the hosted pages' look: classic UI customization, managed-login branding.
//! - [`terms`]: terms-of-use and privacy-policy documents of app clients.
//! - [`documents`]: reading a pool's configuration documents whole.
//! - [`events`]: advanced security: auth events, feedback, risk configuration and checks.
//! - [`audit`]: the append-only log of administrators' changes.
//! - [`auth_factors`]: each user's first factors for choice-based sign-in.
//! - [`oauth`]: the OAuth 2.0 / OpenID Connect provider of a pool's domain.
//! - [`housekeeping`]: purging what expired, in bounded batches.
//! - [`user_import`]: user import jobs: the CSV format, uploads, background processing.
//! - [`identity_pools`]: identity pools: identities, logins, OpenID tokens, AWS credentials.
//! - [`webauthn`]: passkeys: registration, listing, and the `WEB_AUTHN` challenge's check.

pub mod attributes;
pub mod audit;
pub mod auth_factors;
pub mod branding;
pub mod client_context;
pub mod client_oauth;
pub mod client_rotation;
pub mod client_secret;
pub mod clients;
pub mod codes;
pub mod credentials;
pub mod devices;
pub mod directory;
pub mod documents;
pub mod domains;
pub mod events;
pub mod existence;
pub mod groups;
pub mod housekeeping;
pub mod identity_pools;
pub mod limits;
pub mod listing;
pub mod messages;
pub mod mfa;
pub mod migration;
pub mod oauth;
pub mod pools;
pub mod recovery;
pub mod resource_servers;
pub mod self_service;
pub mod signin;
pub mod signout;
pub mod signup;
pub mod terms;
pub mod tokens;
pub mod triggers;
pub mod user_import;
pub mod user_sessions;
pub mod users;
pub mod webauthn;

use std::sync::Arc;

use tessera_crypto::seal::SealingKey;

use crate::clock::Clock;
use crate::credential_source::{CredentialSource, NoCredentialSource, NoOidcKeys, OidcKeys};
use crate::domain::pool::UserPool;
use crate::error::Result;
use crate::ids::UserPoolId;
use crate::invoker::TriggerInvoker;
use crate::mailer::Mailer;
use crate::store::{PageRequest, Store, StoreError};
use codes::Codes;
use directory::UserDirectory;
use messages::Messenger;
use tokens::TokenIssuer;
use triggers::{TriggerSettings, Triggers};

/// Facts about this deployment that appear in ids and ARNs.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub region: String,
    pub account_id: String,
    /// The base URL clients reach this server at; issuers are `{public_url}/{poolId}`.
    pub public_url: String,
    /// Prefix domains are served at `<prefix>.<oauth_base_domain>`, as Cognito
    /// serves them at `<prefix>.auth.<region>.amazoncognito.com`; lowercase.
    pub oauth_base_domain: String,
}

/// Everything the operations need, shared by all requests.
pub struct Services {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) sealing: Arc<SealingKey>,
    pub(crate) deployment: Deployment,
    pub(crate) tokens: TokenIssuer,
    pub(crate) users: UserDirectory,
    pub(crate) codes: Codes,
    pub(crate) messenger: Messenger,
    pub(crate) triggers: Arc<Triggers>,
    pub(crate) limits: limits::RateLimits,
    pub(crate) imports: user_import::ImportSettings,
    pub(crate) risk: events::RiskGuard,
    pub(crate) identity: identity_pools::IdentityService,
    pub(crate) passkeys: webauthn::PasskeySettings,
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
        let triggers = Arc::new(Triggers::none(&deployment.region));
        let messenger = Messenger::new(mailer, triggers.clone());
        Self {
            tokens: TokenIssuer::new(
                store.clone(),
                clock.clone(),
                sealing.clone(),
                &deployment.public_url,
            ),
            users: UserDirectory::new(store.clone()),
            codes: Codes::new(
                store.clone(),
                clock.clone(),
                sealing.clone(),
                messenger.clone(),
            ),
            messenger,
            triggers,
            limits: limits::RateLimits::new(limits::RateLimitSettings::default()),
            imports: user_import::ImportSettings::default(),
            risk: events::RiskGuard::default(),
            identity: identity_pools::IdentityService::new(
                store.clone(),
                clock.clone(),
                sealing.clone(),
                &deployment.public_url,
                Arc::new(NoCredentialSource),
                Arc::new(NoOidcKeys),
            ),
            passkeys: webauthn::PasskeySettings::default(),
            store,
            clock,
            sealing,
            deployment,
        }
    }

    /// Enforces request-rate quotas (off unless `settings.enabled`).
    pub fn with_rate_limits(mut self, settings: limits::RateLimitSettings) -> Self {
        self.limits = limits::RateLimits::new(settings);
        self
    }

    /// Passkey settings of this deployment (extra allowed origins).
    pub fn with_passkeys(mut self, settings: webauthn::PasskeySettings) -> Self {
        self.passkeys = settings;
        self
    }

    /// Where identity pools get AWS credentials (GetCredentialsForIdentity)
    /// and OpenID Connect providers' keys (their logins). Without this, the
    /// one answers `InvalidIdentityPoolConfigurationException` and the other
    /// knows no provider.
    pub fn with_identity_sources(
        mut self,
        credentials: Arc<dyn CredentialSource>,
        oidc: Arc<dyn OidcKeys>,
    ) -> Self {
        self.identity = identity_pools::IdentityService::new(
            self.store.clone(),
            self.clock.clone(),
            self.sealing.clone(),
            &self.deployment.public_url,
            credentials,
            oidc,
        );
        self
    }

    /// How this node uploads and processes user import jobs.
    pub fn with_user_import(mut self, settings: user_import::ImportSettings) -> Self {
        self.imports = settings;
        self
    }

    /// Runs the pools' Lambda triggers through `invoker`; `settings.strict`
    /// refuses a pool that names a function `invoker` cannot run. Without
    /// this, every trigger a pool names fails the calls that would run it.
    pub fn with_triggers(
        mut self,
        invoker: Arc<dyn TriggerInvoker>,
        settings: TriggerSettings,
    ) -> Self {
        self.triggers = Arc::new(Triggers::new(invoker, settings, &self.deployment.region));
        self.messenger = self.messenger.with_triggers(self.triggers.clone());
        self.codes = Codes::new(
            self.store.clone(),
            self.clock.clone(),
            self.sealing.clone(),
            self.messenger.clone(),
        );
        self
    }

    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// Whether the store answers (readiness).
    pub async fn store_ready(&self) -> Result<()> {
        self.store.get_meta("ready-check").await?;
        Ok(())
    }

    /// The pool alone, without what DescribeUserPool adds (its user count).
    pub async fn pool(&self, id: &UserPoolId) -> Result<UserPool> {
        self.store.get_pool(id).await.map_err(|e| match e {
            StoreError::NotFound => existence::pool_not_found(id),
            other => other.into(),
        })
    }
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
