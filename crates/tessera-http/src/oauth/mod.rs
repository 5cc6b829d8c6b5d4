//! The OAuth 2.0 / OpenID Connect endpoints of a pool's domain. Each handler
//! parses, calls the core (`services::oauth`), and renders; the rules live
//! in the core.
//!
//! - [`domain`]: which pool a request is for, by its Host.
//! - [`authorize`]: `/oauth2/authorize`, and where every page sign-in ends.
//! - [`token`]: the token endpoint, `/oauth2/token`.
//! - [`userinfo`]: the claims endpoint, `/oauth2/userInfo`.
//! - [`revoke`]: revocation, `/oauth2/revoke`.
//! - [`logout`]: sign-out, `/logout`.
//! - [`client_auth`]: client credentials from Basic or the form.
//! - [`form`]: form bodies as OAuth reads them.
//! - [`browser`]: the browser-session cookie.
//! - [`error`]: OAuth's error responses and the one mapping from core errors to them.

pub mod authorize;
pub mod browser;
pub mod client_auth;
pub mod domain;
pub mod error;
pub mod form;
pub mod logout;
pub mod revoke;
pub mod token;
pub mod userinfo;
