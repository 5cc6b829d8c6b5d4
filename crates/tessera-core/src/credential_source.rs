//! Outside systems identity pools reach: a `CredentialSource` that turns an
//! identity's OpenID token into temporary AWS credentials for a role (an
//! STS-compatible endpoint, or credentials minted locally for development),
//! and `OidcKeys`, which fetches an OpenID Connect provider's signing keys.
//! Both are implemented outside the core, which never opens a socket.

use async_trait::async_trait;
use serde_json::Value;

use crate::clock::Timestamp;

/// What STS's `AssumeRoleWithWebIdentity` is asked.
#[derive(Debug, Clone)]
pub struct AssumeRole<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    /// The identity service's OpenID token for the identity.
    pub web_identity_token: &'a str,
    pub duration_seconds: u32,
}

/// Temporary credentials, in GetCredentialsForIdentity's terms.
#[derive(Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_key: String,
    pub session_token: String,
    pub expiration: Timestamp,
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// No credential source is configured.
    #[error("no credential source is configured")]
    NotConfigured,
    /// The source answered and refused (STS's error code and message).
    #[error("the credential source refused: {0}")]
    Refused(String),
    /// It could not be reached or answered something unreadable; the cause, for the log.
    #[error("the credential source failed: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait CredentialSource: Send + Sync + 'static {
    async fn assume_role(
        &self,
        request: &AssumeRole<'_>,
    ) -> Result<AwsCredentials, CredentialError>;
}

/// No credential source: every request is `NotConfigured`.
pub struct NoCredentialSource;

#[async_trait]
impl CredentialSource for NoCredentialSource {
    async fn assume_role(&self, _: &AssumeRole<'_>) -> Result<AwsCredentials, CredentialError> {
        Err(CredentialError::NotConfigured)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OidcKeysError {
    /// The issuer is not one this server may fetch from.
    #[error("the issuer is not configured")]
    UnknownIssuer,
    /// Its documents could not be fetched or read; the cause, for the log.
    #[error("fetching the issuer's keys failed: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait OidcKeys: Send + Sync + 'static {
    /// The JWKS (`{"keys": […]}`) of the OpenID Connect provider whose
    /// issuer is `https://{issuer_host}` (or the URL the configuration puts
    /// in its place), read through its discovery document's `jwks_uri`,
    /// with the issuer its discovery document names.
    async fn jwks(&self, issuer_host: &str) -> Result<(String, Value), OidcKeysError>;

    /// The client ids the provider's ID tokens must be issued to (its `aud`),
    /// as IAM's OIDC provider registration lists them for Cognito; none
    /// configured means none is accepted.
    fn client_ids(&self, issuer_host: &str) -> Vec<String>;
}

/// No OIDC provider can be reached: every issuer is unknown.
pub struct NoOidcKeys;

#[async_trait]
impl OidcKeys for NoOidcKeys {
    async fn jwks(&self, _: &str) -> Result<(String, Value), OidcKeysError> {
        Err(OidcKeysError::UnknownIssuer)
    }

    fn client_ids(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
}
