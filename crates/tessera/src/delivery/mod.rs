//! Delivering outgoing messages (verification codes, invitations): email over
//! SMTP, SMS as a POST to an HTTP webhook, or the dev outbox — chosen per
//! medium from the config, with clients built once at start.
//!
//! - [`routing`]: sends each message to the transport for its medium.
//! - [`smtp`]: email through an SMTP relay (lettre over rustls).
//! - [`webhook`]: SMS as a JSON POST to a configured URL (reqwest over rustls).
//!
//! TLS for both is rustls with the aws-lc-rs provider and the platform
//! verifier: the system trust store, which `SSL_CERT_FILE` can extend.

pub mod routing;
pub mod smtp;
pub mod webhook;

#[cfg(test)]
mod test_servers;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tessera_core::mailer::{DevOutbox, Mailer, Medium};

use crate::config::Config;

pub use routing::{ByMedium, Undeliverable};
pub use smtp::SmtpMailer;
pub use webhook::SmsWebhook;

/// How long one delivery may take when the config names no timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The mailer the services send through. Email goes to SMTP when `[smtp]` is
/// configured, else to the dev outbox when there is one; SMS goes to the
/// webhook when `[sms_webhook]` is configured, else to the outbox. A medium
/// with neither fails each send with a `DeliveryError` saying so.
///
/// Must be called inside a Tokio runtime (the SMTP connection pool starts a
/// background task). Errors name the setting at fault: a bad From address,
/// unreadable password file, or malformed webhook URL stops the start.
pub fn build_mailer(
    config: &Config,
    outbox: Option<Arc<DevOutbox>>,
) -> anyhow::Result<Arc<dyn Mailer>> {
    let email: Arc<dyn Mailer> = match (&config.smtp, &outbox) {
        (Some(smtp), _) => Arc::new(SmtpMailer::new(smtp).context("in the [smtp] settings")?),
        (None, Some(outbox)) => outbox.clone(),
        (None, None) => Arc::new(Undeliverable(Medium::Email)),
    };
    let sms: Arc<dyn Mailer> = match (&config.sms_webhook, &outbox) {
        (Some(webhook), _) => {
            Arc::new(SmsWebhook::new(webhook).context("in the [sms_webhook] settings")?)
        }
        (None, Some(outbox)) => outbox.clone(),
        (None, None) => Arc::new(Undeliverable(Medium::Sms)),
    };
    Ok(Arc::new(ByMedium { email, sms }))
}

/// `timeout_seconds` from the config, or the default; zero is refused because
/// it would fail every delivery.
fn timeout_from(seconds: Option<u64>, setting: &str) -> anyhow::Result<Duration> {
    match seconds {
        None => Ok(DEFAULT_TIMEOUT),
        Some(0) => anyhow::bail!("{setting} must be at least 1"),
        Some(s) => Ok(Duration::from_secs(s)),
    }
}

/// The innermost cause of an error (e.g. "Connection refused (os error 111)").
pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Whether a TLS failure (handshake, certificate) is somewhere in the chain.
/// rustls errors travel inside (possibly nested) `io::Error`s, whose `source`
/// skips the error they wrap, so those are looked into as well.
pub(crate) fn is_tls_failure(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(c) = cause {
        if c.is::<rustls::Error>() {
            return true;
        }
        let wrapped = c
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref());
        if let Some(inner) = wrapped
            && is_tls_failure(inner)
        {
            return true;
        }
        cause = c.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use tessera_core::clock::SystemClock;
    use tessera_core::mailer::Message;

    use super::test_servers::{SmtpBehaviour, WebhookServer, smtp_receiver};
    use super::*;
    use crate::config::{SmsWebhookConfig, SmtpConfig, SmtpSecurity};

    fn message(medium: Medium, recipient: &str) -> Message {
        Message {
            pool_id: tessera_core::ids::UserPoolId::new("us-east-1_routing01"),
            medium,
            recipient: recipient.into(),
            subject: Some("Your code".into()),
            body: "Your code is 424242".into(),
            kind: "code",
        }
    }

    fn outbox() -> Arc<DevOutbox> {
        Arc::new(DevOutbox::new(10, false, Arc::new(SystemClock)))
    }

    fn config() -> Config {
        Config::defaults(PathBuf::from("/nonexistent"))
    }

    #[tokio::test]
    async fn email_and_sms_go_where_configured() {
        let (smtp_addr, mut mails) = smtp_receiver(SmtpBehaviour::default()).await;
        let webhook = WebhookServer::start(200).await;
        let mut config = config();
        config.smtp = Some(SmtpConfig {
            host: smtp_addr.ip().to_string(),
            port: Some(smtp_addr.port()),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            password_file: None,
            from: "Tessera <no-reply@example.com>".into(),
            timeout_seconds: Some(5),
        });
        config.sms_webhook = Some(SmsWebhookConfig {
            url: webhook.url(),
            timeout_seconds: Some(5),
        });
        let outbox = outbox();
        let mailer = build_mailer(&config, Some(outbox.clone())).expect("builds");

        mailer
            .send(message(Medium::Email, "alice@example.com"))
            .await
            .expect("email sent");
        mailer
            .send(message(Medium::Sms, "+15555550100"))
            .await
            .expect("sms sent");

        let mail = mails.recv().await.expect("mail arrives");
        assert_eq!(mail.rcpt_to, vec!["<alice@example.com>"]);
        let posted = webhook.received().await;
        assert_eq!(posted["recipient"], "+15555550100");
        assert!(outbox.messages(None, None).is_empty(), "outbox bypassed");
    }

    #[tokio::test]
    async fn outbox_takes_what_is_not_configured() {
        let webhook = WebhookServer::start(204).await;
        let mut config = config();
        config.sms_webhook = Some(SmsWebhookConfig {
            url: webhook.url(),
            timeout_seconds: None,
        });
        let outbox = outbox();
        let mailer = build_mailer(&config, Some(outbox.clone())).expect("builds");

        mailer
            .send(message(Medium::Email, "bob@example.com"))
            .await
            .expect("email kept");
        mailer
            .send(message(Medium::Sms, "+15555550101"))
            .await
            .expect("sms posted");

        let kept = outbox.messages(None, None);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].message.recipient, "bob@example.com");
        assert_eq!(webhook.received().await["recipient"], "+15555550101");
    }

    #[tokio::test]
    async fn nothing_configured_fails_clearly() {
        let mailer = build_mailer(&config(), None).expect("builds");
        let email = mailer
            .send(message(Medium::Email, "carol@example.com"))
            .await
            .expect_err("no email delivery");
        assert!(
            email
                .to_string()
                .contains("no email delivery is configured"),
            "{email}"
        );
        let sms = mailer
            .send(message(Medium::Sms, "+15555550102"))
            .await
            .expect_err("no sms delivery");
        assert!(
            sms.to_string().contains("no SMS delivery is configured"),
            "{sms}"
        );
    }

    #[tokio::test]
    async fn bad_settings_stop_the_start() {
        let mut config = config();
        config.smtp = Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port: None,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            password_file: None,
            from: "not an address".into(),
            timeout_seconds: None,
        });
        let err = build_mailer(&config, None).err().expect("bad From refused");
        let text = format!("{err:#}");
        assert!(
            text.contains("smtp.from") && text.contains("not an address"),
            "{text}"
        );

        let mut config = self::config();
        config.sms_webhook = Some(SmsWebhookConfig {
            url: "ftp://example.com/sms".into(),
            timeout_seconds: None,
        });
        let err = build_mailer(&config, None).err().expect("bad URL refused");
        assert!(format!("{err:#}").contains("sms_webhook.url"), "{err:#}");
    }
}
