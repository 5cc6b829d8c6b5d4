//! TLS connections for axum. Each connection's handshake runs in a task of
//! its own, with a deadline, so a slow or broken client holds up no other
//! and a failed handshake ends only its own connection.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// Long enough for a client across the world, short enough that clients
/// which connect and never speak do not pile up.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections through their handshake, waiting for axum to take them.
const READY_QUEUE: usize = 64;
/// The content type of a TLS handshake record: the first byte a TLS client
/// sends.
const TLS_HANDSHAKE: u8 = 0x16;
const PLAIN_HTTP_BODY: &str = "This port serves HTTPS only: use an https:// URL.\n";

/// What `axum::serve` takes connections from when TLS is on.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local_addr: SocketAddr,
    accepting: JoinHandle<()>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> io::Result<Self> {
        let local_addr = tcp.local_addr()?;
        let (sender, ready) = mpsc::channel(READY_QUEUE);
        let accepting = tokio::spawn(accept_loop(tcp, TlsAcceptor::from(config), sender));
        Ok(Self {
            ready,
            local_addr,
            accepting,
        })
    }
}

impl Drop for TlsListener {
    /// axum drops its listener when shutting down; the TCP listener goes with
    /// it, so new connections are refused as they are without TLS.
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl tessera_http::peer::SocketListener for TlsListener {}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept loop never ends on its own; only dropping this
            // listener stops it, and then nothing calls `accept` again.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}

async fn accept_loop(
    mut tcp: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        // axum's own accept for plain TCP: it passes over connections reset
        // before they were taken and backs off when out of file descriptors.
        let (stream, peer) = axum::serve::Listener::accept(&mut tcp).await;
        let acceptor = acceptor.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake(&acceptor, stream)).await {
                // Sending fails only once the server is shutting down.
                Ok(Ok(Some(tls))) => drop(ready.send((tls, peer)).await),
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

/// The connection through its handshake, or `None` when the client closed
/// before sending anything or spoke plain HTTP (and was told to use https).
async fn handshake(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
) -> io::Result<Option<TlsStream<TcpStream>>> {
    let mut first = [0u8; 1];
    if stream.peek(&mut first).await? == 0 {
        return Ok(None);
    }
    if first[0] != TLS_HANDSHAKE {
        refuse_plain_http(stream).await;
        return Ok(None);
    }
    acceptor.accept(stream).await.map(Some)
}

/// Answers a plain HTTP request with a plain HTTP error saying what to do,
/// as nginx does, rather than a TLS alert the client's HTTP parser cannot
/// read.
async fn refuse_plain_http(mut stream: TcpStream) {
    // Read the request first: closing a socket with unread data in it
    // resets the connection, and the client may then never see the answer.
    let mut request = [0u8; 8192];
    let _ = stream.read(&mut request).await;
    let answer = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{PLAIN_HTTP_BODY}",
        PLAIN_HTTP_BODY.len()
    );
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}
