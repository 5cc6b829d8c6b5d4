//! Second factors outside the sign-in itself: the pool's MFA configuration,
//! software tokens, and users' MFA preferences. The MFA challenges are steps of
//! the sign-in state machine (`signin::mfa`).
//!
//! - [`pool_config`]: SetUserPoolMfaConfig, GetUserPoolMfaConfig.
//! - [`software_token`]: AssociateSoftwareToken, VerifySoftwareToken, AdminDeleteSoftwareToken.
//! - [`preferences`]: (Admin)SetUserMFAPreference, (Admin)SetUserSettings.

pub mod pool_config;
pub mod preferences;
pub mod software_token;
