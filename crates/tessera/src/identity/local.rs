//! Credentials minted here, for local development without AWS: shaped like
//! STS's temporary credentials (an `ASIA` access key id, a 40-character
//! secret, a long session token) so SDKs and apps accept them, but valid
//! nowhere: AWS refuses them. Every mint is logged at WARN for that reason.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use tessera_core::clock::Clock;
use tessera_core::credential_source::{
    AssumeRole, AwsCredentials, CredentialError, CredentialSource,
};
use tessera_crypto::random;

/// Random bytes in a session token (base64: 4 characters per 3 bytes), in
/// the range of the tokens STS hands out, which SDKs must not assume a size of.
const SESSION_TOKEN_BYTES: usize = 480;

pub struct LocalCredentialSource {
    clock: Arc<dyn Clock>,
}

impl LocalCredentialSource {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock }
    }
}

#[async_trait]
impl CredentialSource for LocalCredentialSource {
    async fn assume_role(
        &self,
        request: &AssumeRole<'_>,
    ) -> Result<AwsCredentials, CredentialError> {
        // STS refuses what is not a role ARN; so does this, so a role
        // misconfigured in development fails here as it would against AWS.
        if !is_role_arn(request.role_arn) {
            return Err(CredentialError::Refused(format!(
                "ValidationError: {:?} is not an IAM role ARN",
                request.role_arn
            )));
        }
        let mut token = [0u8; SESSION_TOKEN_BYTES];
        random::fill(&mut token);
        let credentials = AwsCredentials {
            // STS's temporary keys start with ASIA: 16 more uppercase letters or digits.
            access_key_id: format!(
                "ASIA{}",
                random::alphanumeric_lower(16).to_ascii_uppercase()
            ),
            secret_key: random::alphanumeric(40),
            session_token: base64::engine::general_purpose::STANDARD.encode(token),
            expiration: self
                .clock
                .now()
                .plus_seconds(i64::from(request.duration_seconds)),
        };
        tracing::warn!(
            role_arn = request.role_arn,
            access_key_id = %credentials.access_key_id,
            duration_seconds = request.duration_seconds,
            "minted local development credentials: these are not AWS credentials and AWS refuses them"
        );
        Ok(credentials)
    }
}

/// `arn:<partition>:iam::<account>:role/<path/>name`.
fn is_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "iam", "", account, resource]
            if !partition.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource.strip_prefix("role/").is_some_and(|name| !name.is_empty())
    )
}

#[cfg(test)]
mod tests {
    use tessera_core::clock::{FixedClock, Timestamp};

    use super::*;

    fn request(role_arn: &str) -> AssumeRole<'_> {
        AssumeRole {
            role_arn,
            session_name: "CognitoIdentityCredentials",
            web_identity_token: "eyJ.token.sig",
            duration_seconds: 3600,
        }
    }

    #[tokio::test]
    async fn minted_credentials_have_sts_shape_and_expire_by_the_clock() {
        let clock = Arc::new(FixedClock::new(Timestamp(1_700_000_000_000)));
        let source = LocalCredentialSource::new(clock.clone());
        let role = "arn:aws:iam::123456789012:role/service-role/Cognito_Authenticated";
        let first = source.assume_role(&request(role)).await.expect("minted");

        let key = first.access_key_id.strip_prefix("ASIA").expect("ASIA…");
        assert_eq!(key.len(), 16);
        assert!(
            key.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            "{key}"
        );
        assert_eq!(first.secret_key.len(), 40);
        assert!(first.secret_key.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(first.session_token.len(), 640);
        assert_eq!(first.expiration, Timestamp(1_700_003_600_000));

        clock.advance_seconds(60);
        let second = source.assume_role(&request(role)).await.expect("minted");
        assert_eq!(second.expiration, Timestamp(1_700_003_660_000));
        assert_ne!(first.access_key_id, second.access_key_id);
        assert_ne!(first.secret_key, second.secret_key);
        assert_ne!(first.session_token, second.session_token);
    }

    #[tokio::test]
    async fn what_is_not_a_role_arn_is_refused() {
        let source = LocalCredentialSource::new(Arc::new(FixedClock::new(Timestamp(0))));
        for arn in [
            "",
            "Cognito_Authenticated",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::123:role/r",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::123456789012:role/",
        ] {
            assert!(
                matches!(
                    source.assume_role(&request(arn)).await,
                    Err(CredentialError::Refused(_))
                ),
                "{arn:?} accepted"
            );
        }
        assert!(is_role_arn("arn:aws-cn:iam::123456789012:role/r"));
    }
}
