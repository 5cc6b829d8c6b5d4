//! StartWebAuthnRegistration, CompleteWebAuthnRegistration,
//! ListWebAuthnCredentials and DeleteWebAuthnCredential: a signed-in user's
//! passkeys, by access token.
//!
//! The registration challenge is kept server-side (one per user, for
//! `CEREMONY_SECONDS`) rather than sealed into the options: Cognito answers
//! a Complete whose Start is gone with `WebAuthnChallengeNotFoundException`,
//! and taking the stored challenge makes each one answerable once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, Credential, RegisterPublicKeyCredential, RegistrationState,
};

use super::relying_party::{CEREMONY_SECONDS, ceremony_fault, passkeys_enabled, policy};
use crate::domain::user::User;
use crate::domain::webauthn::{Passkey, PasskeyRegistration, WebAuthnFault};
use crate::error::{Error, Result};
use crate::services::tokens::verify::Authenticated;
use crate::services::{Services, next_token, page_request};
use crate::store::{Conflict, PageRequest, StoreError};

/// A page of ListWebAuthnCredentials.
pub struct PasskeyPage {
    pub passkeys: Vec<Passkey>,
    pub next: Option<String>,
}

/// ListWebAuthnCredentials's `MaxResults` cap (the model's 20).
const MAX_LISTED: i64 = 20;

/// The name Cognito generates when the user gives none: the kind of
/// authenticator the browser reported.
fn friendly_name(attachment: Option<&str>) -> String {
    match attachment {
        Some("platform") => "Platform passkey".into(),
        Some("cross-platform") => "Security key".into(),
        _ => "Passkey".into(),
    }
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("passkey record: {e}"))
}

impl Services {
    async fn passkey_holder(&self, access_token: &str) -> Result<Authenticated> {
        let auth = self.authenticate(access_token).await?;
        if !passkeys_enabled(&auth.pool) {
            return Err(Error::WebAuthn(WebAuthnFault::NotEnabled));
        }
        Ok(auth)
    }

    /// Every passkey of the user (a user has few).
    pub(crate) async fn all_passkeys(&self, user: &User) -> Result<Vec<Passkey>> {
        let mut all = Vec::new();
        let mut page = PageRequest {
            after: None,
            limit: crate::services::MAX_PAGE,
        };
        loop {
            let listing = self
                .store
                .list_passkeys(&user.pool_id, &user.sub, &page)
                .await?;
            all.extend(listing.items);
            match listing.next {
                Some(after) => page.after = Some(after),
                None => return Ok(all),
            }
        }
    }

    /// StartWebAuthnRegistration: the `CredentialCreationOptions` document
    /// (WebAuthn's `PublicKeyCredentialCreationOptionsJSON`).
    pub async fn start_webauthn_registration(&self, access_token: &str) -> Result<Value> {
        let auth = self.passkey_holder(access_token).await?;
        let rp = self.relying_party(&auth.pool).await?;
        let user = &auth.user;
        let existing = self.all_passkeys(user).await?;
        let excluded = existing
            .iter()
            .filter_map(|k| URL_SAFE_NO_PAD.decode(&k.credential_id).ok())
            .collect();
        let display = user
            .attributes
            .get("email")
            .unwrap_or(&user.username)
            .clone();
        let builder = rp
            .core
            .new_challenge_register_builder(user.sub.as_bytes(), &user.username, &display)
            .map_err(|e| ceremony_fault(&e))?
            .attestation(AttestationConveyancePreference::None)
            .user_verification_policy(policy(rp.verification))
            .exclude_credentials(Some(excluded))
            // Passkeys are discoverable credentials.
            .require_resident_key(true);
        let (options, state) = rp
            .core
            .generate_challenge_register(builder)
            .map_err(|e| ceremony_fault(&e))?;
        self.store
            .put_passkey_registration(&PasskeyRegistration {
                pool_id: user.pool_id.clone(),
                sub: user.sub.clone(),
                client_id: auth.client_id.as_str().to_owned(),
                state: serde_json::to_string(&state).map_err(internal)?,
                expires: self.clock.now().plus_seconds(CEREMONY_SECONDS),
            })
            .await
            .map_err(|e| match e {
                StoreError::NotFound => Error::NotAuthorized("Invalid Access Token".into()),
                e => e.into(),
            })?;
        serde_json::to_value(options.public_key).map_err(internal)
    }

    /// CompleteWebAuthnRegistration: checks the `RegistrationResponseJSON`
    /// against the pending challenge and stores the new passkey.
    pub async fn complete_webauthn_registration(
        &self,
        access_token: &str,
        credential: &Value,
    ) -> Result<()> {
        let auth = self.passkey_holder(access_token).await?;
        let rp = self.relying_party(&auth.pool).await?;
        let response: RegisterPublicKeyCredential = serde_json::from_value(credential.clone())
            .map_err(|_| {
                Error::InvalidParameter("The credential is not a valid WebAuthn response.".into())
            })?;
        let user = &auth.user;
        let pending = match self
            .store
            .take_passkey_registration(&user.pool_id, &user.sub)
            .await
        {
            Ok(pending) if pending.expires > self.clock.now() => pending,
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(Error::WebAuthn(WebAuthnFault::ChallengeNotFound));
            }
            Err(e) => return Err(e.into()),
        };
        if pending.client_id != auth.client_id.as_str() {
            return Err(Error::WebAuthn(WebAuthnFault::ClientMismatch));
        }
        let state: RegistrationState = serde_json::from_str(&pending.state).map_err(internal)?;
        let registered: Credential = rp
            .core
            .register_credential(&response, &state, None)
            .map_err(|e| ceremony_fault(&e))?;
        let attachment = credential
            .get("authenticatorAttachment")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let transports = credential
            .pointer("/response/transports")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let passkey = Passkey {
            pool_id: user.pool_id.clone(),
            sub: user.sub.clone(),
            credential_id: URL_SAFE_NO_PAD.encode(registered.cred_id.as_slice()),
            name: friendly_name(attachment.as_deref()),
            relying_party_id: rp.id,
            attachment,
            transports,
            credential: serde_json::to_string(&registered).map_err(internal)?,
            created: self.clock.now(),
            last_used: None,
            last_challenge: None,
        };
        match self.store.create_passkey(&passkey).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(Conflict::PasskeyId)) => Err(Error::InvalidParameter(
                "The passkey credential is already registered.".into(),
            )),
            Err(StoreError::NotFound) => Err(Error::NotAuthorized("Invalid Access Token".into())),
            Err(e) => Err(e.into()),
        }
    }

    /// ListWebAuthnCredentials: the caller's passkeys, oldest first.
    pub async fn list_webauthn_credentials(
        &self,
        access_token: &str,
        max_results: Option<i64>,
        next_token_in: Option<&str>,
    ) -> Result<PasskeyPage> {
        let auth = self.authenticate(access_token).await?;
        let limit = max_results.filter(|n| *n > 0).unwrap_or(MAX_LISTED);
        let page = page_request(Some(limit.min(MAX_LISTED)), next_token_in)?;
        let listing = self
            .store
            .list_passkeys(&auth.user.pool_id, &auth.user.sub, &page)
            .await?;
        Ok(PasskeyPage {
            passkeys: listing.items,
            next: next_token(listing.next),
        })
    }

    /// DeleteWebAuthnCredential: one of the caller's passkeys, by id.
    pub async fn delete_webauthn_credential(
        &self,
        access_token: &str,
        credential_id: &str,
    ) -> Result<()> {
        let auth = self.authenticate(access_token).await?;
        match self
            .store
            .delete_passkey(&auth.user.pool_id, &auth.user.sub, credential_id)
            .await
        {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound) => {
                Err(Error::ResourceNotFound("Credential not found.".into()))
            }
            Err(e) => Err(e.into()),
        }
    }
}
