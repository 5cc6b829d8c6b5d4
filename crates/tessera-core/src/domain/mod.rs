//! Domain types and the rules Cognito applies to them.
//!
//! - [`pool`]: a user pool and its stored settings.
//! - [`schema`]: standard and custom attributes, and attribute-value checks.
//! - [`password_policy`]: password policy defaults and checks.
//! - [`client`]: an app client and its settings.
//! - [`code`]: one-time codes, kept as keyed hashes.
//! - [`user`]: a user, its status, attributes and aliases.
//! - [`group`]: a group.
//! - [`filter`]: the ListUsers filter grammar.

pub mod client;
pub mod code;
pub mod filter;
pub mod group;
pub mod password_policy;
pub mod pool;
pub mod schema;
pub mod user;
