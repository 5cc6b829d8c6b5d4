//! Identity pools' outside systems, behind the core's traits, built once at
//! start from `[identity_pools]`:
//!
//! - [`sts`]: AWS credentials from an STS-compatible endpoint's
//!   `AssumeRoleWithWebIdentity` (AWS STS, moto, LocalStack).
//! - [`local`]: credentials minted here for local development, shaped like
//!   STS's and accepted by nothing.
//! - [`oidc_keys`]: OpenID Connect providers' signing keys, through their
//!   discovery documents.
//!
//! Each makes one bounded attempt (timeout, answer size); the core decides
//! what a failure becomes. Nothing here logs or reports a web identity
//! token, a secret access key or a session token.

pub mod local;
pub mod oidc_keys;
pub mod sts;

use std::sync::Arc;
use std::time::Duration;

use tessera_core::clock::Clock;
use tessera_core::credential_source::{CredentialSource, NoCredentialSource, OidcKeys};

use crate::config::{Config, CredentialSourceChoice};

pub use local::LocalCredentialSource;
pub use oidc_keys::HttpOidcKeys;
pub use sts::StsCredentialSource;

/// How long one STS call or one OIDC document fetch may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The most an answer may hold: far over any STS answer, discovery document
/// or key set, far under what would strain memory.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The credential source `[identity_pools] credentials` names. `clock` is
/// the services' (locally minted credentials expire by it).
pub fn build_credential_source(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<dyn CredentialSource>> {
    Ok(match config.identity_pools.credential_source()? {
        CredentialSourceChoice::None => Arc::new(NoCredentialSource),
        CredentialSourceChoice::Sts(endpoint) => {
            tracing::info!(
                endpoint = %crate::triggers::endpoint_label(&endpoint),
                "identity pool credentials from STS AssumeRoleWithWebIdentity"
            );
            Arc::new(StsCredentialSource::new(&endpoint, DEFAULT_TIMEOUT)?)
        }
        CredentialSourceChoice::Local => {
            tracing::warn!(
                "identity pools: GetCredentialsForIdentity mints local development credentials; \
                 they are not AWS credentials and AWS refuses them (never in production)"
            );
            Arc::new(LocalCredentialSource::new(clock))
        }
    })
}

/// The OIDC key fetcher, with `[identity_pools.oidc_issuers]`'s base URLs.
pub fn build_oidc_keys(config: &Config) -> anyhow::Result<Arc<dyn OidcKeys>> {
    for (issuer, base) in &config.identity_pools.oidc_issuers {
        tracing::info!(
            issuer,
            base = %crate::triggers::endpoint_label(base),
            "OpenID Connect issuer fetched from a configured base URL"
        );
    }
    Ok(Arc::new(HttpOidcKeys::new(
        config.identity_pools.oidc_issuers.clone(),
        config.identity_pools.oidc_client_ids.clone(),
        DEFAULT_TIMEOUT,
    )?))
}

/// A failed exchange, the URL stripped (`endpoint` says where), with the
/// innermost cause.
fn request_failure(endpoint: &str, error: reqwest::Error, timeout: Duration) -> String {
    use crate::delivery::{is_tls_failure, root_cause};
    if error.is_timeout() {
        return format!(
            "no answer from {endpoint} within {} s",
            timeout.as_secs_f32()
        );
    }
    let error = error.without_url();
    if is_tls_failure(&error) {
        format!("TLS with {endpoint} failed: {}", root_cause(&error))
    } else if error.is_connect() {
        format!("could not connect to {endpoint}: {}", root_cause(&error))
    } else if error.is_redirect() {
        format!("{endpoint} redirected too often or to an insecure URL")
    } else {
        format!("request to {endpoint} failed: {}", root_cause(&error))
    }
}

/// The body, up to [`MAX_ANSWER_BYTES`].
async fn read_answer(
    mut response: reqwest::Response,
    endpoint: &str,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(format!("{endpoint} answered over {MAX_ANSWER_BYTES} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| request_failure(endpoint, e, timeout))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(format!("{endpoint} answered over {MAX_ANSWER_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use tessera_core::clock::{FixedClock, Timestamp};
    use tessera_core::credential_source::{AssumeRole, CredentialError};

    use super::*;
    use crate::config::CredentialsSetting;

    fn request() -> AssumeRole<'static> {
        AssumeRole {
            role_arn: "arn:aws:iam::123456789012:role/Authenticated",
            session_name: "CognitoIdentityCredentials",
            web_identity_token: "eyJ.token.sig",
            duration_seconds: 3600,
        }
    }

    #[tokio::test]
    async fn the_configured_source_is_built() {
        let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(Timestamp(1_700_000_000_000)));
        let mut config = Config::defaults(PathBuf::from("/nonexistent"));
        let none = build_credential_source(&config, clock.clone()).expect("builds");
        assert_eq!(
            none.assume_role(&request()).await,
            Err(CredentialError::NotConfigured)
        );

        config.identity_pools.credentials = CredentialsSetting::Local;
        let local = build_credential_source(&config, clock.clone()).expect("builds");
        let minted = local.assume_role(&request()).await.expect("minted");
        assert_eq!(minted.expiration, Timestamp(1_700_003_600_000));

        config.identity_pools.credentials = CredentialsSetting::Sts;
        let Err(err) = build_credential_source(&config, clock.clone()) else {
            panic!("sts without an endpoint is refused");
        };
        assert!(err.to_string().contains("sts_endpoint"), "{err}");
        config.identity_pools.sts_endpoint = Some(
            format!(
                "http://{}",
                crate::triggers::test_server::TestServer::unused_addr()
            )
            .parse()
            .expect("url"),
        );
        let sts = build_credential_source(&config, clock).expect("builds");
        assert!(matches!(
            sts.assume_role(&request()).await,
            Err(CredentialError::Unavailable(_))
        ));
        assert!(build_oidc_keys(&config).is_ok());
    }
}
