//! The `WEB_AUTHN` sign-in challenge: the credential request options the
//! challenge carries, and the check of the assertion that answers it. The
//! sign-in state machine carries `PasskeyState` in its sealed session
//! between the two.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::json;
use webauthn_rs_core::proto::{
    AllowCredentials, AuthenticationState, Credential, PublicKeyCredential,
    PublicKeyCredentialRequestOptions,
};

use super::relying_party::{CEREMONY_SECONDS, policy};
use crate::domain::pool::UserPool;
use crate::domain::user::User;
use crate::domain::webauthn::{Passkey, UserVerification};
use crate::error::{Error, Result};
use crate::services::Services;
use crate::store::{Conflict, StoreError};

/// What a `WEB_AUTHN` challenge asked, kept until its answer: the challenge,
/// the passkeys it allowed, and the relying party and verification policy
/// it was issued under. No secret beyond the challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyState {
    /// The challenge, base64url without padding.
    pub challenge: String,
    /// The allowed credential ids, base64url without padding.
    pub credential_ids: Vec<String>,
    pub user_verification: UserVerification,
    pub relying_party_id: String,
}

/// A `WEB_AUTHN` challenge: `options_json` is its
/// `ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS` (a JSON string of
/// `PublicKeyCredentialRequestOptionsJSON`, which Amplify `JSON.parse`s).
#[derive(Debug, Clone)]
pub struct PasskeyChallenge {
    pub options_json: String,
    pub state: PasskeyState,
}

/// Every failed assertion answers the same (RespondToAuthChallenge has no
/// WebAuthn exceptions in the model); the cause is logged.
pub(crate) fn refused(cause: &str) -> Error {
    tracing::info!(cause, "passkey assertion refused");
    Error::NotAuthorized("Incorrect passkey.".into())
}

fn library_credential(passkey: &Passkey) -> Result<Credential> {
    serde_json::from_str(&passkey.credential)
        .map_err(|e| Error::Internal(format!("passkey record: {e}")))
}

impl Services {
    /// The user's passkeys registered for the pool's current relying party.
    async fn usable_passkeys(&self, user: &User, rp_id: &str) -> Result<Vec<Passkey>> {
        let mut passkeys = self.all_passkeys(user).await?;
        passkeys.retain(|k| k.relying_party_id == rp_id);
        Ok(passkeys)
    }

    /// Whether the user has a passkey for the pool's current relying party
    /// (for SELECT_CHALLENGE and GetUserAuthFactors); none when the pool
    /// names no relying party.
    pub async fn user_has_passkeys(&self, pool: &UserPool, user: &User) -> Result<bool> {
        let rp = match self.relying_party(pool).await {
            Ok(rp) => rp,
            Err(Error::WebAuthn(_)) => return Ok(false),
            Err(e) => return Err(e),
        };
        Ok(!self.usable_passkeys(user, &rp.id).await?.is_empty())
    }

    /// A new `WEB_AUTHN` challenge for the user: the options allow each of
    /// the user's passkeys for the pool's relying party. A user without one
    /// is refused with `NotAuthorizedException`.
    pub async fn passkey_request_options(
        &self,
        pool: &UserPool,
        user: &User,
    ) -> Result<PasskeyChallenge> {
        let rp = self.relying_party(pool).await?;
        let passkeys = self.usable_passkeys(user, &rp.id).await?;
        if passkeys.is_empty() {
            return Err(Error::NotAuthorized(
                "The user has no passkey registered.".into(),
            ));
        }
        let credentials = passkeys
            .iter()
            .map(library_credential)
            .collect::<Result<Vec<_>>>()?;
        let builder = rp
            .core
            .new_challenge_authenticate_builder(credentials, Some(policy(rp.verification)))
            .map_err(|e| Error::Internal(format!("passkey challenge: {e}")))?;
        let (options, _) = rp
            .core
            .generate_challenge_authenticate(builder)
            .map_err(|e| Error::Internal(format!("passkey challenge: {e}")))?;
        let challenge = URL_SAFE_NO_PAD.encode(options.public_key.challenge.as_slice());
        let options_json = serde_json::to_string(&options.public_key)
            .map_err(|e| Error::Internal(format!("passkey challenge: {e}")))?;
        Ok(PasskeyChallenge {
            options_json,
            state: PasskeyState {
                challenge,
                credential_ids: passkeys.into_iter().map(|k| k.credential_id).collect(),
                user_verification: rp.verification,
                relying_party_id: rp.id,
            },
        })
    }

    /// Whether the pool names a relying party passkeys can be used with.
    pub(crate) async fn passkeys_configured(&self, pool: &UserPool) -> Result<bool> {
        match self.relying_party(pool).await {
            Ok(_) => Ok(true),
            Err(Error::WebAuthn(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Request options shaped like [`Self::passkey_request_options`]' for a
    /// name whose existence the client hides (no user, or one without a
    /// usable passkey): a made-up credential id, stable for the name, that no
    /// authenticator holds, and a state that no assertion answers.
    pub(crate) async fn simulated_passkey_options(
        &self,
        pool: &UserPool,
        seed: &[u8; 32],
    ) -> Result<PasskeyChallenge> {
        let rp = self.relying_party(pool).await?;
        let challenge = tessera_crypto::random::bytes::<32>().to_vec();
        let options = PublicKeyCredentialRequestOptions {
            challenge: challenge.clone(),
            timeout: u32::try_from(CEREMONY_SECONDS * 1000).ok(),
            rp_id: rp.id.clone(),
            allow_credentials: vec![AllowCredentials {
                type_: "public-key".into(),
                id: seed[..16].to_vec(),
                // As the library writes the credentials it stores.
                transports: None,
            }],
            user_verification: policy(rp.verification),
            hints: None,
            extensions: None,
        };
        let options_json = serde_json::to_string(&options)
            .map_err(|e| Error::Internal(format!("passkey challenge: {e}")))?;
        Ok(PasskeyChallenge {
            options_json,
            state: PasskeyState {
                challenge: URL_SAFE_NO_PAD.encode(&challenge),
                credential_ids: Vec::new(),
                user_verification: rp.verification,
                relying_party_id: rp.id,
            },
        })
    }

    /// Checks the `AuthenticationResponseJSON` answering `state`'s challenge
    /// (challenge, origin, relying-party id hash, signature with the stored
    /// public key, user verification when required, a sign counter that
    /// moved up when the authenticator keeps one), then records the use. An
    /// assertion is accepted once: presenting it again is refused.
    pub async fn verify_passkey_assertion(
        &self,
        pool: &UserPool,
        user: &User,
        state: &PasskeyState,
        credential_json: &str,
    ) -> Result<()> {
        let rp = self.relying_party(pool).await?;
        if rp.id != state.relying_party_id {
            return Err(refused("the pool's relying party changed"));
        }
        let response: PublicKeyCredential =
            serde_json::from_str(credential_json).map_err(|_| refused("unreadable credential"))?;
        let credential_id = URL_SAFE_NO_PAD.encode(response.raw_id.as_slice());
        if !state.credential_ids.contains(&credential_id) {
            return Err(refused("credential not allowed by the challenge"));
        }
        let stored = self
            .usable_passkeys(user, &rp.id)
            .await?
            .into_iter()
            .find(|k| k.credential_id == credential_id)
            .ok_or_else(|| refused("credential no longer registered"))?;
        let mut credential = library_credential(&stored)?;
        // The library's own persisted form of an authentication state, with
        // the one credential this answer names.
        let ceremony: AuthenticationState = serde_json::from_value(json!({
            "credentials": [credential],
            "policy": policy(state.user_verification),
            "challenge": state.challenge,
            "appid": null,
            "allow_backup_eligible_upgrade": false,
        }))
        .map_err(|e| Error::Internal(format!("passkey state: {e}")))?;
        let result = rp
            .core
            .authenticate_credential(&response, &ceremony)
            .map_err(|e| refused(&e.to_string()))?;
        if result.counter() > credential.counter {
            credential.counter = result.counter();
        }
        credential.backup_state = result.backup_state();
        let used = Passkey {
            credential: serde_json::to_string(&credential)
                .map_err(|e| Error::Internal(format!("passkey record: {e}")))?,
            last_used: Some(self.clock.now()),
            last_challenge: Some(state.challenge.clone()),
            ..stored.clone()
        };
        match self
            .store
            .record_passkey_use(&used, &stored.credential)
            .await
        {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(Conflict::Changed) | StoreError::NotFound) => {
                Err(refused("replayed or concurrent assertion"))
            }
            Err(e) => Err(e.into()),
        }
    }
}
