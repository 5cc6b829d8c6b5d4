//! The address a connection came from, over any listener whose addresses
//! are socket addresses: plain TCP and the TLS listener alike. (axum knows
//! the peer of its own TCP listener only.)

use std::net::{IpAddr, SocketAddr};

use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::serve::{IncomingStream, Listener};
use http::Extensions;
use http::request::Parts;

#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

/// A listener whose connections come from socket addresses.
pub trait SocketListener: Listener<Addr = SocketAddr> {}

impl SocketListener for tokio::net::TcpListener {}

impl<L: SocketListener> Connected<IncomingStream<'_, L>> for Peer {
    fn connect_info(stream: IncomingStream<'_, L>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// The peer's IP address as a handler argument (none when the server was
/// not started with it, as in tests of the router alone).
pub struct PeerIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerIp(peer_ip(&parts.extensions)))
    }
}

/// The peer's address, when the server was started with it.
pub fn peer_ip(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<Peer>>()
        .map(|info| info.0.0.ip())
}
