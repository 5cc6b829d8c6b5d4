//! One-time codes (confirmation, password reset, attribute verification),
//! kept only as keyed hashes.

use crate::clock::Timestamp;
use crate::ids::UserPoolId;

/// What a code proves; a user holds at most one live code per purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodePurpose {
    ConfirmSignUp,
    ResetPassword,
    VerifyAttribute(String),
    /// An SMS or email code of a sign-in's MFA step.
    SignInMfa,
    /// A passwordless sign-in's code (EMAIL_OTP or SMS_OTP as first factor):
    /// apart from MFA's, so asking for one never replaces a pending MFA code.
    SignInPasswordless,
    /// The one sign-in ConfirmSignUp's Session allows.
    SignUpSignIn,
    /// The one answer a WEB_AUTHN challenge takes.
    PasskeySignIn,
}

impl CodePurpose {
    pub fn key(&self) -> String {
        match self {
            CodePurpose::ConfirmSignUp => "confirm-sign-up".into(),
            CodePurpose::ResetPassword => "reset-password".into(),
            CodePurpose::VerifyAttribute(a) => format!("verify:{a}"),
            CodePurpose::SignInMfa => "sign-in-mfa".into(),
            CodePurpose::SignInPasswordless => "sign-in-passwordless".into(),
            CodePurpose::SignUpSignIn => "sign-up-sign-in".into(),
            CodePurpose::PasskeySignIn => "passkey-sign-in".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CodeRecord {
    pub pool_id: UserPoolId,
    pub sub: String,
    pub purpose: CodePurpose,
    pub code_hash: Vec<u8>,
    pub expires: Timestamp,
}

/// What checking a code found. A matching code is used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Valid,
    Mismatch,
    Expired,
    /// No code was issued for this purpose (or it was used already).
    Missing,
    /// Too many wrong tries: the code is gone and a new one must be requested.
    TooManyFailures,
}
