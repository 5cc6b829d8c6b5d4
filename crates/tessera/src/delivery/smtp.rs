//! Email through an SMTP relay. One `AsyncSmtpTransport` (with its connection
//! pool) is built at start and shared by every send.
//!
//! Errors name the server and what went wrong, never the message body (it
//! holds codes and temporary passwords) nor the credentials: the server's own
//! reply text is quoted only after anything from either has been masked.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tessera_core::mailer::{DeliveryError, Mailer, Message};

use crate::config::{SmtpConfig, SmtpSecurity};
use crate::secret::Secret;

/// The subject when the message carries none.
const DEFAULT_SUBJECT: &str = "Your verification code";
/// The longest stretch of a server reply quoted in an error.
const MAX_REPLY_CHARS: usize = 200;

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// `host:port`, for errors.
    server: String,
    timeout: Duration,
    /// Kept only to mask them in anything the server says back.
    credentials: Option<(String, Secret)>,
}

impl SmtpMailer {
    /// Checks the settings and builds the transport; nothing connects yet.
    pub fn new(config: &SmtpConfig) -> anyhow::Result<Self> {
        let from: Mailbox = config
            .from
            .parse()
            .with_context(|| format!("smtp.from {:?} is not a valid email address", config.from))?;
        let timeout = super::timeout_from(config.timeout_seconds, "smtp.timeout_seconds")?;
        let credentials = credentials(config)?;
        // The connection pool starts a cleanup task as it is built.
        tokio::runtime::Handle::try_current()
            .context("the SMTP transport must be built inside a Tokio runtime")?;

        let host = config.host.as_str();
        let tls_parameters = || {
            TlsParameters::new(host.to_owned())
                .with_context(|| format!("setting up TLS for smtp.host {host:?}"))
        };
        // Equivalent to lettre's `builder_dangerous`, `starttls_relay` and
        // `relay`, with the port the config gives.
        let (tls, default_port) = match config.security {
            SmtpSecurity::None => (Tls::None, 25),
            SmtpSecurity::Starttls => (Tls::Required(tls_parameters()?), 587),
            SmtpSecurity::Tls => (Tls::Wrapper(tls_parameters()?), 465),
        };
        let port = config.port.unwrap_or(default_port);
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .tls(tls)
            .timeout(Some(timeout));
        if let Some((username, password)) = &credentials {
            if config.security == SmtpSecurity::None {
                tracing::warn!(
                    host,
                    "smtp.security is \"none\": the SMTP password will cross the network in clear text"
                );
            }
            builder = builder.credentials(Credentials::new(
                username.clone(),
                password.expose().to_owned(),
            ));
        }
        let server = format!("{host}:{port}");
        tracing::info!(server, security = ?config.security, "email delivery through SMTP");
        Ok(Self {
            transport: builder.build(),
            from,
            server,
            timeout,
            credentials,
        })
    }

    /// A `DeliveryError` naming the server and the cause.
    fn failure(&self, error: &lettre::transport::smtp::Error, body: &str) -> DeliveryError {
        let server = &self.server;
        let text = if error.is_timeout() {
            format!(
                "SMTP server {server} did not answer within {} s",
                self.timeout.as_secs()
            )
        } else if let Some(code) = error.status() {
            let meaning = match u16::from(code) {
                530 | 534 | 535 | 538 => "authentication failed",
                421 => "the server is unavailable",
                400..=499 => "the server refused the message for now",
                _ => "the server refused the message",
            };
            // The source is the server's reply text.
            let reply = std::error::Error::source(error)
                .map(|s| format!(": {}", self.mask(&s.to_string(), body)))
                .unwrap_or_default();
            format!("SMTP server {server} answered {code}, {meaning}{reply}")
        } else if error.is_tls() || super::is_tls_failure(error) {
            let cause = self.mask(&super::root_cause(error), body);
            format!("TLS with SMTP server {server} failed: {cause}")
        } else {
            // Connection and network errors ("Connection refused (os error
            // 111)"), and the client's own ("STARTTLS is not supported").
            let cause = self.mask(&super::root_cause(error), body);
            format!("SMTP delivery through {server} failed: {cause}")
        };
        DeliveryError(text)
    }

    /// Text from the server or the network, on one line, with anything it
    /// repeats of the body or the credentials masked, then shortened.
    fn mask(&self, text: &str, body: &str) -> String {
        let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut secrets: Vec<&str> = sensitive_words(body).collect();
        secrets.push(body.trim());
        if let Some((username, password)) = &self.credentials {
            secrets.push(username);
            secrets.push(password.expose());
        }
        // Longest first, so a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
            if text.contains(secret) {
                text = text.replace(secret, "***");
            }
        }
        // Shortened after masking, so no secret is cut in two and half-kept.
        text.chars().take(MAX_REPLY_CHARS).collect()
    }
}

/// Words of the body that could be a code or a temporary password: any with a
/// digit in it, without surrounding punctuation.
fn sensitive_words(body: &str) -> impl Iterator<Item = &str> {
    body.split_whitespace()
        .flat_map(|w| [w, w.trim_matches(|c: char| c.is_ascii_punctuation())])
        .filter(|w| w.len() >= 4 && w.chars().any(|c| c.is_ascii_digit()))
}

/// The username and password to authenticate with, if any.
fn credentials(config: &SmtpConfig) -> anyhow::Result<Option<(String, Secret)>> {
    let password = match (&config.password, &config.password_file) {
        (Some(_), Some(_)) => bail!("give at most one of smtp.password and smtp.password_file"),
        (Some(p), None) => Some(p.clone()),
        (None, Some(path)) => Some(read_password_file(path)?),
        (None, None) => None,
    };
    match (&config.username, password) {
        (Some(username), Some(password)) => Ok(Some((username.clone(), password))),
        (None, None) => Ok(None),
        (Some(_), None) => {
            bail!("smtp.username is set but neither smtp.password nor smtp.password_file is")
        }
        (None, Some(_)) => bail!("an SMTP password is set but smtp.username is not"),
    }
}

fn read_password_file(path: &Path) -> anyhow::Result<Secret> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading smtp.password_file {}", path.display()))?;
    // Only the line ending an editor or `echo` adds: spaces may be part of it.
    Ok(Secret::new(text.trim_end_matches(['\r', '\n'])))
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        let to: Mailbox = message
            .recipient
            .parse()
            .map_err(|_| DeliveryError("the recipient is not a valid email address".into()))?;
        let subject = message.subject.as_deref().unwrap_or(DEFAULT_SUBJECT);
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| DeliveryError(format!("could not compose the email: {e}")))?;

        // lettre's timeout bounds each step; this bounds the whole delivery.
        match tokio::time::timeout(self.timeout, self.transport.send(email)).await {
            Ok(Ok(_)) => {
                tracing::debug!(
                    server = %self.server,
                    pool = %message.pool_id,
                    kind = message.kind,
                    "email delivered to the SMTP server"
                );
                Ok(())
            }
            Ok(Err(e)) => Err(self.failure(&e, &message.body)),
            Err(_) => Err(DeliveryError(format!(
                "SMTP server {} did not finish within {} s",
                self.server,
                self.timeout.as_secs()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use tessera_core::ids::UserPoolId;
    use tessera_core::mailer::Medium;

    use super::super::test_servers::{SmtpBehaviour, smtp_receiver};
    use super::*;

    const BODY: &str = "Your confirmation code is 913374. Temporary password: Tmp-Pa55!";

    fn settings(addr: std::net::SocketAddr) -> SmtpConfig {
        SmtpConfig {
            host: addr.ip().to_string(),
            port: Some(addr.port()),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            password_file: None,
            from: "Tessera <no-reply@example.com>".into(),
            timeout_seconds: Some(5),
        }
    }

    fn message(subject: Option<&str>) -> Message {
        Message {
            pool_id: UserPoolId::new("us-east-1_smtptest1"),
            medium: Medium::Email,
            recipient: "alice@example.com".into(),
            subject: subject.map(str::to_owned),
            body: BODY.into(),
            kind: "code",
        }
    }

    fn assert_no_secrets(error: &DeliveryError) {
        let text = error.to_string();
        for secret in ["913374", "Tmp-Pa55", "hunter2-smtp", BODY] {
            assert!(!text.contains(secret), "{secret:?} leaked into: {text}");
        }
    }

    #[tokio::test]
    async fn message_arrives_with_subject_body_and_recipient() {
        let (addr, mut received) = smtp_receiver(SmtpBehaviour::default()).await;
        let mailer = SmtpMailer::new(&settings(addr)).expect("builds");

        mailer
            .send(message(Some("Your code")))
            .await
            .expect("delivered");
        let mail = received.recv().await.expect("arrives");
        assert_eq!(mail.mail_from, "<no-reply@example.com>");
        assert_eq!(mail.rcpt_to, vec!["<alice@example.com>"]);
        assert!(
            mail.data.contains("Subject: Your code\r\n"),
            "{}",
            mail.data
        );
        assert!(
            mail.data.contains("To: alice@example.com\r\n"),
            "{}",
            mail.data
        );
        assert!(
            mail.data
                .contains("Content-Type: text/plain; charset=utf-8"),
            "{}",
            mail.data
        );
        assert!(mail.data.contains(BODY), "{}", mail.data);

        // The second message reuses the pooled connection, once lettre's
        // spawned task has parked it back in the pool.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        mailer.send(message(None)).await.expect("delivered");
        let mail = received.recv().await.expect("arrives");
        assert!(
            mail.data
                .contains(&format!("Subject: {DEFAULT_SUBJECT}\r\n")),
            "{}",
            mail.data
        );
        assert_eq!(mail.connection, 1, "one connection for both messages");
    }

    #[tokio::test]
    async fn credentials_come_from_the_password_file() {
        let behaviour = SmtpBehaviour {
            // base64 of "\0mailer\0hunter2-smtp"
            accept_auth: Some("AUTH PLAIN AG1haWxlcgBodW50ZXIyLXNtdHA=".into()),
            ..SmtpBehaviour::default()
        };
        let (addr, mut received) = smtp_receiver(behaviour).await;
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        writeln!(file, "hunter2-smtp").expect("write");
        let mut config = settings(addr);
        config.username = Some("mailer".into());
        config.password_file = Some(file.path().to_owned());

        let mailer = SmtpMailer::new(&config).expect("builds");
        mailer.send(message(None)).await.expect("delivered");
        assert!(received.recv().await.is_some());
    }

    #[tokio::test]
    async fn refused_authentication_is_a_delivery_error() {
        let behaviour = SmtpBehaviour {
            accept_auth: Some("AUTH PLAIN something-else".into()),
            ..SmtpBehaviour::default()
        };
        let (addr, _received) = smtp_receiver(behaviour).await;
        let mut config = settings(addr);
        config.username = Some("mailer".into());
        config.password = Some(Secret::new("hunter2-smtp"));

        let mailer = SmtpMailer::new(&config).expect("builds");
        let error = mailer.send(message(None)).await.expect_err("refused");
        assert!(
            error.to_string().contains("535")
                && error.to_string().contains("authentication failed"),
            "{error}"
        );
        assert_no_secrets(&error);
    }

    #[tokio::test]
    async fn connection_refused_is_a_delivery_error() {
        // Bind, then close, so the port is known to be free.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);

        let mailer = SmtpMailer::new(&settings(addr)).expect("builds");
        let error = mailer.send(message(None)).await.expect_err("refused");
        let text = error.to_string();
        assert!(text.contains(&addr.to_string()), "{text}");
        assert!(text.to_lowercase().contains("connection refused"), "{text}");
        assert_no_secrets(&error);
    }

    #[tokio::test]
    async fn rejected_recipient_is_a_delivery_error() {
        let behaviour = SmtpBehaviour {
            // A server that quotes part of the message back must not leak it.
            reject_rcpt: Some("550 5.1.1 mailbox unavailable (code 913374)".into()),
            ..SmtpBehaviour::default()
        };
        let (addr, mut received) = smtp_receiver(behaviour).await;
        let mailer = SmtpMailer::new(&settings(addr)).expect("builds");

        let error = mailer.send(message(None)).await.expect_err("rejected");
        let text = error.to_string();
        assert!(text.contains("550"), "{text}");
        assert!(text.contains("mailbox unavailable"), "{text}");
        assert_no_secrets(&error);
        assert!(received.try_recv().is_err(), "nothing delivered");
    }

    #[tokio::test]
    async fn silent_server_times_out() {
        let behaviour = SmtpBehaviour {
            silent: true,
            ..SmtpBehaviour::default()
        };
        let (addr, _received) = smtp_receiver(behaviour).await;
        let mut config = settings(addr);
        config.timeout_seconds = Some(1);

        let mailer = SmtpMailer::new(&config).expect("builds");
        let error = mailer.send(message(None)).await.expect_err("times out");
        assert!(error.to_string().contains("within 1 s"), "{error}");
    }

    #[tokio::test]
    async fn starttls_is_required_when_configured() {
        // The test server offers no STARTTLS: the message must not go in clear.
        let (addr, mut received) = smtp_receiver(SmtpBehaviour::default()).await;
        let mut config = settings(addr);
        config.security = SmtpSecurity::Starttls;

        let mailer = SmtpMailer::new(&config).expect("builds");
        let error = mailer.send(message(None)).await.expect_err("no STARTTLS");
        assert!(error.to_string().contains("STARTTLS"), "{error}");
        assert!(received.try_recv().is_err(), "nothing delivered");
    }

    #[tokio::test]
    async fn implicit_tls_to_a_plain_server_fails() {
        let (addr, _received) = smtp_receiver(SmtpBehaviour::default()).await;
        let mut config = settings(addr);
        config.security = SmtpSecurity::Tls;

        let mailer = SmtpMailer::new(&config).expect("builds");
        let error = mailer.send(message(None)).await.expect_err("TLS fails");
        let text = error.to_string();
        assert!(
            text.contains(&format!("TLS with SMTP server {addr}")),
            "{text}"
        );
    }

    #[test]
    fn outside_a_runtime_is_an_error_not_a_panic() {
        let config = settings("127.0.0.1:25".parse().expect("addr"));
        let err = SmtpMailer::new(&config).err().expect("no runtime");
        assert!(err.to_string().contains("Tokio runtime"), "{err}");
    }

    #[test]
    fn credential_settings_are_checked() {
        let addr = "127.0.0.1:25".parse().expect("addr");
        let mut config = settings(addr);
        config.username = Some("mailer".into());
        let err = credentials(&config).expect_err("password missing");
        assert!(err.to_string().contains("smtp.password"), "{err}");

        config.password = Some(Secret::new("x"));
        config.password_file = Some("/nonexistent".into());
        let err = credentials(&config).expect_err("both given");
        assert!(err.to_string().contains("at most one"), "{err}");
    }
}
