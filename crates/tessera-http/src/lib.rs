//! Tessera's HTTP edge.
//!
//! - [`awsjson`]: the awsJson 1.1 machinery every AWS-style API shares —
//!   target routing, SigV4, model validation, the `Service` trait.
//! - [`user_pools`]: the Cognito user-pool API: its model, dispatch, error
//!   mapping and one file per operation.
//! - [`identity_pools`]: the Cognito identity-pool API; for now its model
//!   (written by `tools/gen_model.py --service cognito-identity`).
//! - [`authorizer`]: the forward-auth authorizer for reverse proxies.
//! - [`oauth`]: the OAuth 2.0 / OpenID Connect endpoints of a pool's domain.
//! - [`pages`]: the hosted pages (sign-in and the steps around it).
//! - [`oidc`]: each pool's JWKS and OpenID discovery document.
//! - [`operator`]: health, readiness, metrics, the dev outbox and the test clock (no CORS).
//! - [`peer`]: the address each connection came from, over TCP or TLS.
//! - [`router`]: the axum router and shared state.
//! - [`telemetry`]: request metrics, by operation or route and outcome.
//! - [`user_import`]: the upload URL of user import jobs.

pub mod authorizer;
pub mod awsjson;
pub mod identity_pools;
pub mod oauth;
pub mod oidc;
pub mod operator;
pub mod pages;
pub mod peer;
pub mod router;
pub mod telemetry;
pub mod user_import;
pub mod user_pools;

pub use router::{AdminAuth, AppState, router};
