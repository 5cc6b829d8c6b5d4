//! Passkeys (WebAuthn): registering a signed-in user's passkeys
//! (StartWebAuthnRegistration, CompleteWebAuthnRegistration), listing and
//! deleting them, and the `WEB_AUTHN` sign-in challenge's two halves (the
//! credential request options, and the assertion's verification) that the
//! sign-in state machine calls.
//!
//! The ceremonies are kanidm's `webauthn-rs-core`: it checks the challenge,
//! origin, relying-party id hash, signature, user-verification flag and sign
//! counter; this module only chooses the relying party and the policy from
//! the pool, and stores what the library hands back (public keys only).
//!
//! - [`relying_party`]: the pool's relying-party id, allowed origins and policy.
//! - [`registration`]: registering, listing and deleting passkeys.
//! - [`assertion`]: the sign-in challenge and the assertion's check.

pub mod assertion;
pub mod registration;
pub mod relying_party;

use url::Url;

/// Deployment settings of passkeys, held by `Services`.
#[derive(Debug, Clone, Default)]
pub struct PasskeySettings {
    /// Origins allowed besides the relying party's own (`https://<rp id>` and
    /// its subdomains) and the pool's domain: for development, e.g.
    /// `http://localhost:3000`.
    pub extra_origins: Vec<Url>,
}
