//! Token families and refresh tokens. Every sign-in starts a family named by
//! its `origin_jti`; the refresh tokens and access tokens it yields belong to
//! it, so revoking the family revokes them all.

use crate::clock::Timestamp;
use crate::domain::session::SessionActivity;
use crate::ids::{ClientId, UserPoolId};

#[derive(Debug, Clone, PartialEq)]
pub struct TokenFamily {
    pub origin_jti: String,
    pub pool_id: UserPoolId,
    pub sub: String,
    pub client_id: ClientId,
    pub auth_time: Timestamp,
    /// When the family's refresh tokens stop working.
    pub expires: Timestamp,
    pub revoked: bool,
    /// The device the sign-in was on, in a pool that tracks devices: its
    /// refresh tokens work only from that device.
    pub device_key: Option<String>,
    /// The scopes an OAuth sign-in was granted (space-separated, as the
    /// `scope` claim), kept for its refreshes; `None` for an API sign-in,
    /// whose tokens carry the native scope.
    pub scopes: Option<String>,
    /// The sign-in's latest use, which ListUserSessions shows.
    pub activity: SessionActivity,
}

/// A refresh token as stored: only its keyed hash.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshTokenRecord {
    pub token_hash: Vec<u8>,
    pub origin_jti: String,
    pub created: Timestamp,
    /// Set when rotation replaced this token; it keeps working for the grace period.
    pub superseded: Option<Timestamp>,
}
