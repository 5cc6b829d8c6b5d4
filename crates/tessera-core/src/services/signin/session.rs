//! The sign-in session: everything a flow needs between two requests, sealed
//! (AES-GCM under the key-encryption key) so any node can answer the next
//! step. It travels as the challenge's `Session`, or — for SRP, whose clients
//! do not always send the Session back — as `SECRET_BLOCK`. Sealing and
//! opening, with every check on what was opened, happen here and only here.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::challenge::ChallengeName;
use crate::domain::code::CodePurpose;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::services::Services;
use crate::services::client_context::ClientContext;
use crate::services::triggers::custom_auth::Round;
use crate::services::webauthn::assertion::PasskeyState;

/// Bound into the seal, so no other sealed value opens as a session.
const PURPOSE: &[u8] = b"sign-in-session";
/// Sessions of another layout do not open; they live minutes, so an upgrade
/// only ends the sign-ins in flight.
const VERSION: u8 = 1;

/// Who is signing in, and on which device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SessionUser {
    /// `None` for the simulated challenge of an unknown user.
    pub sub: Option<String>,
    /// The internal username (USER_ID_FOR_SRP).
    pub username: String,
    /// The `DEVICE_KEY` the client sent last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
}

/// SRP's state between its two requests: A, and the server's ephemeral pair
/// (hex). Checked in `srp.rs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SrpState {
    pub a: String,
    pub b: String,
    pub big_b: String,
}

/// The step the sign-in waits at, with that step's own state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step")]
pub(crate) enum Step {
    /// SRP's second half; in a custom sign-in, the rounds before it.
    PasswordVerifier {
        #[serde(flatten)]
        srp: SrpState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        custom: Option<Vec<Round>>,
    },
    NewPasswordRequired,
    /// An MFA code is out; in a custom sign-in whose DefineAuthChallenge
    /// asked for it, the rounds before it.
    SoftwareTokenMfa {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        custom: Option<Vec<Round>>,
    },
    SmsMfa {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        custom: Option<Vec<Round>>,
    },
    EmailOtp {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        custom: Option<Vec<Round>>,
    },
    /// A passwordless code is out by email or SMS: once answered, the user
    /// is proven and MFA is done, as after an MFA code.
    EmailSignInCode,
    SmsOtp,
    /// A passkey's assertion is awaited: what its challenge asked, and the
    /// one-time code that lets the challenge be answered once.
    WebAuthn {
        passkey: PasskeyState,
        once: String,
    },
    /// USER_AUTH's first factors (challenge names) offered to choose from.
    SelectChallenge {
        available: Vec<String>,
    },
    /// The factors (wire names) offered to choose from.
    SelectMfaType {
        choices: Vec<String>,
    },
    /// `verified` once VerifySoftwareToken accepted a code in this sign-in.
    MfaSetup {
        verified: bool,
    },
    /// The password (and any second factor) is proven; the device is next.
    DeviceSrpAuth,
    /// A custom challenge is out: the rounds before it, and its private
    /// parameters and metadata (for VerifyAuthChallengeResponse and the
    /// round's record).
    CustomChallenge {
        rounds: Vec<Round>,
        private: BTreeMap<String, String>,
        metadata: Option<String>,
    },
    /// Device SRP's second half, like PasswordVerifier's.
    DevicePasswordVerifier {
        #[serde(flatten)]
        srp: SrpState,
    },
}

impl Step {
    /// The rounds of the custom sign-in an MFA step belongs to.
    pub(crate) fn custom_rounds(&self) -> Option<&Vec<Round>> {
        match self {
            Step::SoftwareTokenMfa { custom }
            | Step::SmsMfa { custom }
            | Step::EmailOtp { custom } => custom.as_ref(),
            _ => None,
        }
    }

    /// The purpose of the code a code step waits for.
    pub(crate) fn code_purpose(&self) -> CodePurpose {
        match self {
            Step::EmailSignInCode | Step::SmsOtp => CodePurpose::SignInPasswordless,
            _ => CodePurpose::SignInMfa,
        }
    }

    fn challenge(&self) -> ChallengeName {
        match self {
            Step::PasswordVerifier { .. } => ChallengeName::PasswordVerifier,
            Step::NewPasswordRequired => ChallengeName::NewPasswordRequired,
            Step::SoftwareTokenMfa { .. } => ChallengeName::SoftwareTokenMfa,
            Step::SmsMfa { .. } => ChallengeName::SmsMfa,
            Step::EmailOtp { .. } => ChallengeName::EmailOtp,
            Step::EmailSignInCode => ChallengeName::EmailOtp,
            Step::SmsOtp => ChallengeName::SmsOtp,
            Step::SelectChallenge { .. } => ChallengeName::SelectChallenge,
            Step::WebAuthn { .. } => ChallengeName::WebAuthn,
            Step::SelectMfaType { .. } => ChallengeName::SelectMfaType,
            Step::MfaSetup { .. } => ChallengeName::MfaSetup,
            Step::DeviceSrpAuth => ChallengeName::DeviceSrpAuth,
            Step::CustomChallenge { .. } => ChallengeName::CustomChallenge,
            Step::DevicePasswordVerifier { .. } => ChallengeName::DevicePasswordVerifier,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SignInSession {
    v: u8,
    pub pool: UserPoolId,
    pub client: ClientId,
    pub user: SessionUser,
    /// Milliseconds since the epoch.
    pub expires: i64,
    pub step: Step,
    /// Begun on the hosted pages: it ends in an authorization code, so the
    /// API does not take it (that would skip the client's flows and the
    /// scopes OAuth grants), nor the pages an API sign-in.
    #[serde(default)]
    pub hosted: bool,
}

/// Why a session was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionFault {
    /// Not sealed by us, another layout, another pool, client or step.
    Unreadable,
    Expired,
}

pub(crate) fn session_expired() -> Error {
    Error::NotAuthorized("Invalid session for the user, session is expired.".into())
}

/// SRP clients base64-decode SECRET_BLOCK with the standard alphabet and sign
/// its bytes; the Session only needs to be opaque.
fn uses_standard_base64(challenge: ChallengeName) -> bool {
    matches!(
        challenge,
        ChallengeName::PasswordVerifier | ChallengeName::DevicePasswordVerifier
    )
}

impl Services {
    /// Seals a session for `step`, good for the client's AuthSessionValidity.
    pub(crate) fn seal_session(
        &self,
        ctx: &ClientContext,
        user: SessionUser,
        step: Step,
    ) -> Result<String> {
        let challenge = step.challenge();
        let session = SignInSession {
            v: VERSION,
            pool: ctx.pool.id.clone(),
            client: ctx.client.id.clone(),
            user,
            expires: self
                .clock
                .now()
                .plus_seconds(ctx.policy.auth_session_seconds)
                .millis(),
            step,
            hosted: ctx.hosted,
        };
        let json = serde_json::to_vec(&session).map_err(|e| Error::Internal(e.to_string()))?;
        let sealed = self.sealing.seal(&json, PURPOSE)?;
        Ok(if uses_standard_base64(challenge) {
            STANDARD.encode(sealed)
        } else {
            URL_SAFE_NO_PAD.encode(sealed)
        })
    }

    /// Opens a session issued to this client of this pool for `challenge`, unexpired.
    pub(crate) fn open_session(
        &self,
        ctx: &ClientContext,
        text: &str,
        challenge: ChallengeName,
    ) -> Result<SignInSession, SessionFault> {
        let session = self.open_any_session(text, challenge)?;
        if session.pool != ctx.pool.id
            || session.client != ctx.client.id
            || session.hosted != ctx.hosted
        {
            return Err(SessionFault::Unreadable);
        }
        Ok(session)
    }

    /// Opens a session for `challenge` whatever its client, for the operations
    /// that carry a Session but no client id (AssociateSoftwareToken,
    /// VerifySoftwareToken); the caller resolves the client it names.
    pub(crate) fn open_any_session(
        &self,
        text: &str,
        challenge: ChallengeName,
    ) -> Result<SignInSession, SessionFault> {
        let bytes = if uses_standard_base64(challenge) {
            STANDARD.decode(text.as_bytes())
        } else {
            URL_SAFE_NO_PAD.decode(text.as_bytes())
        }
        .map_err(|_| SessionFault::Unreadable)?;
        let json = self
            .sealing
            .open(&bytes, PURPOSE)
            .map_err(|_| SessionFault::Unreadable)?;
        let session: SignInSession =
            serde_json::from_slice(&json).map_err(|_| SessionFault::Unreadable)?;
        if session.v != VERSION || session.step.challenge() != challenge {
            return Err(SessionFault::Unreadable);
        }
        if session.expires <= self.clock.now().millis() {
            return Err(SessionFault::Expired);
        }
        Ok(session)
    }
}
