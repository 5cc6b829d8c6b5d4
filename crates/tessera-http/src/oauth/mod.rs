//! The OAuth 2.0 / OpenID Connect surface. Only its error type exists yet;
//! the endpoints (`/oauth2/*`, `/logout`) come with the OAuth issue.
//!
//! - [`error`]: OAuth's error responses and the one mapping from core errors to them.

pub mod error;
