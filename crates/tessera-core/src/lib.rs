//! Tessera's domain: what a user pool, app client, user and group are, the rules
//! Cognito applies to them, and the traits the outside world plugs into.
//!
//! - [`error`]: the core error type, named for what went wrong.
//! - [`ids`]: newtypes for identifiers (`UserPoolId`, `ClientId`, …).
//! - [`credential_source`]: `CredentialSource` (AWS credentials for identity pools) and `OidcKeys`.
//! - [`clock`]: the `Clock` trait; no other module reads the system time.
//! - [`domain`]: pools, schema, clients, users, groups, password policy, ListUsers filters.
//! - [`store`]: the `Store` trait every storage engine implements, and `StoreError`.
//! - [`mailer`]: the `Mailer` trait and the dev outbox.
//! - [`invoker`]: the `TriggerInvoker` trait Lambda triggers run through.
//! - [`paging`]: opaque pagination tokens.
//! - [`services`]: the operations, one service per resource, over a `Store`.
//! - [`telemetry`]: the metrics the core records (sign-ins, lockouts, triggers, deliveries).

pub mod clock;
pub mod credential_source;
pub mod domain;
pub mod error;
pub mod ids;
pub mod invoker;
pub mod mailer;
pub mod paging;
pub mod services;
pub mod store;
pub mod telemetry;

pub use error::Error;
