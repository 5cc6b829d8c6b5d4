//! The identity-pool operations, one file per resource, and the shapes
//! their answers share.

pub mod credentials;
pub mod developer;
pub mod identities;
pub mod pools;
pub mod roles;
pub mod shapes;
pub mod tags;
