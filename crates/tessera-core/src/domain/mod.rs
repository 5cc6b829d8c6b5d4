//! Domain types and the rules Cognito applies to them.
//!
//! - [`auth_event`]: users' auth events and the admin audit log.
//! - [`auth_factor`]: first factors of choice-based sign-in a pool allows.
//! - [`pool`]: a user pool and its stored settings.
//! - [`schema`]: standard and custom attributes, and attribute-value checks.
//! - [`password_policy`]: password policy defaults and checks.
//! - [`client`]: an app client and its settings.
//! - [`client_policy`]: what a client's settings mean, typed.
//! - [`code`]: one-time codes, kept as keyed hashes.
//! - [`device`]: remembered devices and the pool's device tracking.
//! - [`user`]: a user, its status, attributes and aliases.
//! - [`group`]: a group.
//! - [`identity_pool`]: identity pools, their identities and linked logins.
//! - [`import_job`]: user import jobs, their uploaded files and progress.
//! - [`filter`]: the ListUsers filter grammar.
//! - [`lockout`]: lockout after repeated failed sign-ins.
//! - [`housekeeping`]: which stored records may be purged, and when.
//! - [`mfa`]: second factors: what a pool allows and a user prefers.
//! - [`oauth`]: domains, configuration documents and authorization codes.
//! - [`risk`]: advanced security's mode, risk configurations and IP ranges.
//! - [`session`]: user sessions: pool and client session settings, token sessions' ids and activity.
//! - [`signing_key`]: a pool's token-signing keys.
//! - [`token`]: token families and refresh tokens.
//! - [`webauthn`]: passkeys: the pool's WebAuthn configuration and users' credentials.

pub mod auth_event;
pub mod auth_factor;
pub mod client;
pub mod client_policy;
pub mod code;
pub mod device;
pub mod filter;
pub mod group;
pub mod housekeeping;
pub mod identity_pool;
pub mod import_job;
pub mod lockout;
pub mod mfa;
pub mod oauth;
pub mod password_policy;
pub mod pool;
pub mod risk;
pub mod schema;
pub mod session;
pub mod signing_key;
pub mod token;
pub mod user;
pub mod webauthn;
