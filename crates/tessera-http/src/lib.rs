//! Tessera's HTTP edge.
//!
//! - [`model`]: the service model's operations and input constraints (generated).
//! - [`awsjson`]: the awsJson 1.1 endpoint — target parsing, SigV4, validation,
//!   dispatch, and the one mapping from core errors to Cognito's.
//! - [`ops`]: one file per implemented operation.
//! - [`oidc`]: each pool's JWKS and OpenID discovery document.
//! - [`operator`]: health, readiness and the dev outbox.
//! - [`router`]: the axum router and shared state.

pub mod awsjson;
pub mod model;
pub mod oidc;
pub mod operator;
pub mod ops;
pub mod router;

pub use router::{AdminAuth, AppState, router};
