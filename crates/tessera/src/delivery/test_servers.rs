//! Minimal servers for the delivery tests: an SMTP receiver speaking just
//! enough of the protocol, and an HTTP endpoint recording JSON posts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, mpsc};

/// One message the SMTP receiver accepted.
#[derive(Debug)]
pub struct Received {
    /// Which connection (1, 2, …) carried it.
    pub connection: usize,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// Headers and body as sent after DATA, lines joined with CRLF.
    pub data: String,
}

#[derive(Debug, Clone, Default)]
pub struct SmtpBehaviour {
    /// Advertise AUTH and accept only this exact AUTH line (else 535).
    pub accept_auth: Option<String>,
    /// Answer RCPT with this reply instead of 250.
    pub reject_rcpt: Option<String>,
    /// Accept connections but never say anything.
    pub silent: bool,
}

pub async fn smtp_receiver(
    behaviour: SmtpBehaviour,
) -> (SocketAddr, mpsc::UnboundedReceiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = mpsc::unbounded_channel();
    let connections = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let number = connections.fetch_add(1, Ordering::SeqCst) + 1;
            let (behaviour, tx) = (behaviour.clone(), tx.clone());
            tokio::spawn(async move {
                if behaviour.silent {
                    // Hold the connection open without a greeting.
                    let _stream = stream;
                    tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                    return;
                }
                let _ = smtp_session(stream, number, &behaviour, &tx).await;
            });
        }
    });
    (addr, rx)
}

async fn smtp_session(
    stream: TcpStream,
    connection: usize,
    behaviour: &SmtpBehaviour,
    tx: &mpsc::UnboundedSender<Received>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 test.local ESMTP\r\n").await?;
    let mut mail_from = String::new();
    let mut rcpt_to = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" | "HELO" => {
                if behaviour.accept_auth.is_some() {
                    "250-test.local\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME".into()
                } else {
                    "250-test.local\r\n250 8BITMIME".into()
                }
            }
            "AUTH" => match &behaviour.accept_auth {
                Some(expected) if *expected == line => "235 2.7.0 Authentication successful".into(),
                _ => "535 5.7.8 Authentication credentials invalid".into(),
            },
            "MAIL" => {
                mail_from = address(&line);
                rcpt_to.clear();
                "250 2.1.0 Ok".into()
            }
            "RCPT" => match &behaviour.reject_rcpt {
                Some(reply) => reply.clone(),
                None => {
                    rcpt_to.push(address(&line));
                    "250 2.1.5 Ok".into()
                }
            },
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = Vec::new();
                while let Some(line) = lines.next_line().await? {
                    if line == "." {
                        break;
                    }
                    data.push(line.strip_prefix('.').map_or(line.clone(), str::to_owned));
                }
                let _ = tx.send(Received {
                    connection,
                    mail_from: std::mem::take(&mut mail_from),
                    rcpt_to: std::mem::take(&mut rcpt_to),
                    data: data.join("\r\n"),
                });
                "250 2.0.0 Ok: queued".into()
            }
            "RSET" | "NOOP" => "250 2.0.0 Ok".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Command not recognized".into(),
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
    Ok(())
}

/// `<a@b>` from `MAIL FROM:<a@b> SIZE=…` or `RCPT TO:<a@b>`.
fn address(line: &str) -> String {
    line.split_once(':')
        .map(|(_, rest)| rest.split_whitespace().next().unwrap_or_default())
        .unwrap_or_default()
        .to_owned()
}

/// An HTTP endpoint that records each JSON body posted to `/sms` and answers
/// with a fixed status.
pub struct WebhookServer {
    addr: SocketAddr,
    bodies: Arc<Mutex<mpsc::UnboundedReceiver<serde_json::Value>>>,
}

impl WebhookServer {
    pub async fn start(status: u16) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let status = StatusCode::from_u16(status).expect("status");
        let app = axum::Router::new()
            .route(
                "/sms",
                axum::routing::post(
                    move |State(tx): State<mpsc::UnboundedSender<serde_json::Value>>,
                          Json(body): Json<serde_json::Value>| async move {
                        let _ = tx.send(body);
                        (status, "the webhook's reply")
                    },
                ),
            )
            .with_state(tx);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            bodies: Arc::new(Mutex::new(rx)),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/sms?token=s3cr3t-token", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The next JSON body posted.
    pub async fn received(&self) -> serde_json::Value {
        self.bodies.lock().await.recv().await.expect("a post")
    }
}
