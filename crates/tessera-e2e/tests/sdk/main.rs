//! The real `aws-sdk-cognitoidentityprovider` client against a spawned
//! Tessera: what an SDK user does, and what they get back.
//!
//! One test binary for the whole suite, because each binary links the SDK
//! and that link is the slow part of a build. Tests are named
//! `<module>::<test>`:
//!
//! - `pools`: user pools, created to deleted.
//! - `clients`: app clients with a secret, created to deleted.
//! - `users`: admin users: attributes, ListUsers, status, passwords.
//! - `groups`: groups and memberships.
//! - `tags`: tags on a pool.
//! - `errors`: typed SDK errors, and an operation not built yet.
//! - `durability`: concurrent creates, and reading back after a restart.
//! - `access_keys`: SigV4 against configured access keys.
//! - `auth_time`: time-dependent sign-in behaviour under a moving clock.
//!
//! The harness (`spawn_app`) and the shared builders are in `tests/common/`.

#[path = "../common/mod.rs"]
mod common;

mod access_keys;
mod auth_time;
mod clients;
mod durability;
mod errors;
mod groups;
mod pools;
mod tags;
mod users;
