//! A confirmed device proving itself at the end of a sign-in: DEVICE_SRP_AUTH
//! (the client's A) and DEVICE_PASSWORD_VERIFIER (its proof), SRP with the
//! device's verifier, the user's `DeviceGroupKey` for pool name and the
//! device key for username.
//!
//! pycognito answers DEVICE_SRP_AUTH without the `Session` it was issued
//! with, and amazon-cognito-identity-js with an earlier one, so the session
//! is also kept on the device until the device proves itself; either way the
//! password (and any second factor) came first.

use tessera_crypto::srp;

use super::challenge::{Challenge, ChallengeName};
use super::flow::parse_a;
use super::session::{SessionFault, SrpState, Step, session_expired};
use super::srp::SrpProof;
use super::{AuthOutcome, SigningIn, Stage};
use crate::domain::device::Device;
use crate::domain::user::User;
use crate::error::Result;
use crate::services::Services;
use crate::services::client_context::ClientContext;
use crate::services::devices::device_not_found;
use crate::services::existence::{incorrect_credentials, user_not_found};
use crate::store::StoreError;

/// What DEVICE_SRP_AUTH carries.
pub(crate) struct DeviceStart<'a> {
    pub username: &'a str,
    pub device_key: &'a str,
    pub srp_a: &'a str,
    pub secret_hash: Option<&'a str>,
    pub session: Option<&'a str>,
}

/// What DEVICE_PASSWORD_VERIFIER carries.
pub(crate) struct DeviceClaim<'a> {
    pub username: &'a str,
    pub device_key: &'a str,
    pub secret_block: &'a str,
    pub signature: &'a str,
    pub timestamp: &'a str,
    pub secret_hash: Option<&'a str>,
}

impl Services {
    /// The confirmed device the client says it is on, in a pool that tracks
    /// devices; a key the user has no device for is refused (clients then
    /// sign in again without it).
    pub(crate) async fn presented_device(
        &self,
        ctx: &ClientContext,
        signing_in: &SigningIn,
    ) -> Result<Option<Device>> {
        match (&signing_in.device_key, ctx.pool.device_tracking()) {
            (Some(key), Some(_)) => self.user_device(&signing_in.user, key).await.map(Some),
            _ => Ok(None),
        }
    }

    /// DEVICE_SRP_AUTH, its session kept on the device as well.
    pub(crate) async fn device_challenge(
        &self,
        ctx: &ClientContext,
        signing_in: &SigningIn,
        mut device: Device,
    ) -> Result<AuthOutcome> {
        let session = self.seal_session(ctx, signing_in.session_user(), Step::DeviceSrpAuth)?;
        device.pending_challenge = Some(session.clone());
        self.store.update_device(&device).await?;
        Ok(AuthOutcome::Challenge {
            challenge: Challenge::DeviceSrpAuth {
                user_id_for_srp: signing_in.user.username.clone(),
            },
            session: Some(session),
        })
    }

    /// The user and device a device answer names, its SECRET_HASH checked.
    async fn answering_device(
        &self,
        ctx: &ClientContext,
        username: &str,
        device_key: &str,
        secret_hash: Option<&str>,
    ) -> Result<(User, Device)> {
        let user = self
            .users
            .sign_in_user(&ctx.pool, username)
            .await?
            .ok_or_else(user_not_found)?;
        self.check_secret_hash(&ctx.client, secret_hash, &[username, &user.username])?;
        let device = self.user_device(&user, device_key).await?;
        Ok((user, device))
    }

    /// DEVICE_SRP_AUTH: B from the device's verifier, and the session sealed
    /// into SECRET_BLOCK for the proof.
    pub(crate) async fn start_device_srp(
        &self,
        ctx: &ClientContext,
        start: DeviceStart<'_>,
    ) -> Result<AuthOutcome> {
        let (user, device) = self
            .answering_device(ctx, start.username, start.device_key, start.secret_hash)
            .await?;
        // The Session sent if it is this step's, else the one kept on the
        // device: amazon-cognito-identity-js sends the MFA challenge's
        // Session here, after a code led to this step.
        let this_step = |text: &str| {
            self.open_session(ctx, text, ChallengeName::DeviceSrpAuth)
                .ok()
                .filter(|session| {
                    session.user.sub.as_deref() == Some(user.sub.as_str())
                        && session.user.device_key.as_deref() == Some(device.key.as_str())
                })
        };
        let session = start
            .session
            .and_then(this_step)
            .or_else(|| device.pending_challenge.as_deref().and_then(this_step))
            .ok_or_else(session_expired)?;
        let srp_a = parse_a(start.srp_a)?;
        let verifier = self.device_verifier(&device)?;
        let (state, ephemeral) = SrpState::start(&verifier, &srp_a);
        let secret_block = self.seal_session(
            ctx,
            session.user.clone(),
            Step::DevicePasswordVerifier { srp: state },
        )?;
        Ok(AuthOutcome::Challenge {
            challenge: Challenge::DevicePasswordVerifier {
                salt: srp::salt_hex(&verifier),
                srp_b: srp::public_b_hex(&ephemeral),
                secret_block,
                user_id_for_srp: user.username,
                device_key: device.key,
            },
            session: None,
        })
    }

    /// DEVICE_PASSWORD_VERIFIER: the device's proof; the sign-in completes.
    pub(crate) async fn finish_device_srp(
        &self,
        ctx: &ClientContext,
        claim: DeviceClaim<'_>,
    ) -> Result<AuthOutcome> {
        let session = self
            .open_session(
                ctx,
                claim.secret_block,
                ChallengeName::DevicePasswordVerifier,
            )
            .map_err(|fault| match fault {
                SessionFault::Unreadable => incorrect_credentials(),
                SessionFault::Expired => session_expired(),
            })?;
        let (user, mut device) = self
            .answering_device(ctx, claim.username, claim.device_key, claim.secret_hash)
            .await?;
        let Step::DevicePasswordVerifier { srp: state } = &session.step else {
            return Err(incorrect_credentials());
        };
        if session.user.sub.as_deref() != Some(user.sub.as_str())
            || session.user.device_key.as_deref() != Some(device.key.as_str())
        {
            return Err(incorrect_credentials());
        }
        let verifier = self.device_verifier(&device)?;
        let group_key = self.device_group_key(&user);
        let matched = state.proves(
            &verifier,
            &group_key,
            &device.key,
            &SrpProof {
                secret_block: claim.secret_block,
                timestamp: claim.timestamp,
                signature: claim.signature,
            },
        );
        if !matched {
            return Err(incorrect_credentials());
        }
        device.last_authenticated = Some(self.clock.now());
        device.pending_challenge = None;
        self.store
            .update_device(&device)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => device_not_found(),
                other => other.into(),
            })?;
        let signing_in = SigningIn {
            assessment: Default::default(),
            user,
            device_key: Some(device.key),
        };
        self.advance(ctx, signing_in, Stage::Device, false).await
    }
}
