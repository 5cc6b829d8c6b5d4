//! How a pool's hosted pages look.
//!
//! - [`ui_customization`]: the classic hosted UI's CSS and logo, per app
//!   client or for `ALL`, and what the pages apply for a client.
//! - [`classic_css`]: the CSS the classic hosted UI takes.
//! - [`managed_login`]: managed-login branding styles, one per app client.
//! - [`managed_look`]: what a style (and the client's terms) gives the
//!   pages of a managed-login domain.

pub mod classic_css;
pub mod managed_login;
pub mod managed_look;
pub mod ui_customization;

pub use ui_customization::UiCustomization;
