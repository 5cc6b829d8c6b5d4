//! Which relying party a pool's passkeys belong to, and which origins may
//! use them.
//!
//! Cognito's relying-party id is `WebAuthnConfiguration.RelyingPartyId`, else
//! the pool's domain (its custom domain, else its prefix domain); a pool with
//! neither refuses with `WebAuthnConfigurationMissingException`. The origins
//! allowed are `https://<rp id>` and its subdomains (what WebAuthn lets an RP
//! id serve), the pool's domain as this server serves it (scheme and port of
//! its public URL), and the deployment's configured extra origins.

use std::time::Duration;

use url::Url;
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_core::error::WebauthnError;
use webauthn_rs_core::proto::UserVerificationPolicy;

use crate::domain::auth_factor::AuthFactor;
use crate::domain::pool::UserPool;
use crate::domain::webauthn::{UserVerification, WebAuthnFault, WebAuthnSettings};
use crate::error::{Error, Result};
use crate::services::Services;

/// How long a browser may take over a ceremony, and how long a registration
/// challenge is kept.
pub(crate) const CEREMONY_SECONDS: i64 = 300;

pub(crate) struct RelyingParty {
    pub id: String,
    pub verification: UserVerification,
    pub core: WebauthnCore,
}

pub(crate) fn policy(verification: UserVerification) -> UserVerificationPolicy {
    match verification {
        UserVerification::Required => UserVerificationPolicy::Required,
        UserVerification::Preferred => UserVerificationPolicy::Preferred,
    }
}

/// Whether the pool lets its users sign in with passkeys: `WEB_AUTHN` among
/// its `SignInPolicy.AllowedFirstAuthFactors`.
pub(crate) fn passkeys_enabled(pool: &UserPool) -> bool {
    pool.allowed_first_factors().contains(&AuthFactor::WebAuthn)
}

/// The library's refusals of a ceremony, as Cognito names them.
pub(crate) fn ceremony_fault(e: &WebauthnError) -> Error {
    use WebauthnError as E;
    let fault = match e {
        E::InvalidRPOrigin | E::CredentialCrossOrigin => WebAuthnFault::OriginNotAllowed,
        E::InvalidRPIDHash => WebAuthnFault::RelyingPartyMismatch,
        E::MismatchedChallenge | E::ChallengeNotFound => WebAuthnFault::ChallengeNotFound,
        E::ParseBase64Failure(_)
        | E::ParseCBORFailure(_)
        | E::ParseJSONFailure(_)
        | E::ParseNOMFailure
        | E::ParseInsufficientBytesAvailable
        | E::InvalidClientDataType => {
            return Error::InvalidParameter(
                "The credential is not a valid WebAuthn response.".into(),
            );
        }
        _ => WebAuthnFault::CredentialNotSupported,
    };
    Error::WebAuthn(fault)
}

fn origin(text: &str) -> Result<Url> {
    Url::parse(text).map_err(|_| Error::WebAuthn(WebAuthnFault::ConfigurationMissing))
}

impl Services {
    pub(crate) async fn relying_party(&self, pool: &UserPool) -> Result<RelyingParty> {
        let settings = WebAuthnSettings::of(&pool.settings);
        let domain = self.domain_url(&pool.id).await?;
        let id = match (&settings.relying_party_id, &domain) {
            (Some(id), _) => id.clone(),
            (None, Some(url)) => origin(url)?
                .host_str()
                .map(str::to_owned)
                .ok_or(Error::WebAuthn(WebAuthnFault::ConfigurationMissing))?,
            (None, None) => return Err(Error::WebAuthn(WebAuthnFault::ConfigurationMissing)),
        };
        let mut origins = vec![origin(&format!("https://{id}"))?];
        if let Some(url) = &domain {
            origins.push(origin(url)?);
        }
        origins.extend(self.passkeys.extra_origins.iter().cloned());
        let core = WebauthnCore::new_unsafe_experts_only(
            &pool.name,
            &id,
            origins,
            Duration::from_secs(CEREMONY_SECONDS.unsigned_abs()),
            Some(true),
            None,
        );
        Ok(RelyingParty {
            id,
            verification: settings.user_verification(),
            core,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn passkeys_are_enabled_by_the_sign_in_policy() {
        let mut pool = crate::domain::pool::UserPool {
            id: crate::ids::UserPoolId::new("us-east-1_x".to_owned()),
            name: "p".into(),
            arn: String::new(),
            created: crate::clock::Timestamp(0),
            modified: crate::clock::Timestamp(0),
            settings: serde_json::Map::new(),
            schema: Vec::new(),
            tags: Default::default(),
        };
        assert!(!passkeys_enabled(&pool));
        pool.settings.insert(
            "Policies".into(),
            json!({"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}),
        );
        assert!(passkeys_enabled(&pool));
    }
}
