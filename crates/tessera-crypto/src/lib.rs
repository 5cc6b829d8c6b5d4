//! Tessera's cryptography: pure and synchronous (no I/O, no clock reads, no async),
//! built on AWS-LC, checked against vectors from real clients.
//!
//! - [`sigv4`]: verifies AWS Signature Version 4 on incoming requests, with AWS's error wording, and signs requests for Tessera's own clients.
//! - [`seal`]: AES-256-GCM sealing of secrets at rest under a key-encryption key.
//! - [`jwt`]: RS256 ID/access tokens as Cognito issues them: signing, verifying, JWKS keys.
//! - [`digest`]: SHA-256 for PKCE and `at_hash`; SHA-1 for breached-password lists.
//! - [`derived`]: identifiers derived from a seed, the same on every node.
//! - [`random`]: secure random bytes, identifiers, temporary passwords, constant-time equality.
//! - [`srp`]: Cognito's SRP-6a (server side, password check, and a client for tests), SECRET_HASH.
//! - [`totp`]: RFC 6238 one-time passwords (software-token MFA) and their base32 secrets.
//! - [`encryption_sdk`]: AWS Encryption SDK messages under a raw AES keyring, as custom sender triggers get their code.

pub mod derived;
pub mod digest;
pub mod encryption_sdk;
pub mod jwt;
pub mod random;
pub mod seal;
pub mod sigv4;
pub mod srp;
pub mod totp;
