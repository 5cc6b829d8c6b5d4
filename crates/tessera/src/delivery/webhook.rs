//! SMS as a JSON POST `{"pool_id", "recipient", "body"}` to a configured URL;
//! the receiver hands it to whatever SMS gateway the operator uses. One HTTP
//! client (with its connection pool) is built at start.
//!
//! Errors name the endpoint by scheme, host and port only — a webhook URL's
//! path or query often carries a token — and never quote the reply, which
//! may echo the message.

use std::time::Duration;

use anyhow::{Context, bail};
use async_trait::async_trait;
use reqwest::Url;
use serde::Serialize;
use tessera_core::mailer::{DeliveryError, Mailer, Message};

use crate::config::SmsWebhookConfig;

pub struct SmsWebhook {
    client: reqwest::Client,
    url: Url,
    /// `scheme://host:port`, for logs and errors.
    endpoint: String,
    timeout: Duration,
}

#[derive(Serialize)]
struct Payload<'a> {
    pool_id: &'a str,
    recipient: &'a str,
    body: &'a str,
}

impl SmsWebhook {
    pub fn new(config: &SmsWebhookConfig) -> anyhow::Result<Self> {
        let url = Url::parse(&config.url).context("sms_webhook.url is not a valid URL")?;
        if !matches!(url.scheme(), "http" | "https") {
            bail!("sms_webhook.url must be an http:// or https:// URL");
        }
        let Some(host) = url.host_str() else {
            bail!("sms_webhook.url names no host");
        };
        let endpoint = match url.port_or_known_default() {
            Some(port) => format!("{}://{host}:{port}", url.scheme()),
            None => format!("{}://{host}", url.scheme()),
        };
        let timeout = super::timeout_from(config.timeout_seconds, "sms_webhook.timeout_seconds")?;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect would turn the POST into a GET; treat it as a failure.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("building the HTTP client for sms_webhook")?;
        tracing::info!(endpoint, "SMS delivery through a webhook");
        Ok(Self {
            client,
            url,
            endpoint,
            timeout,
        })
    }

    fn failure(&self, error: reqwest::Error) -> DeliveryError {
        let endpoint = &self.endpoint;
        let text = if error.is_timeout() {
            format!(
                "SMS webhook {endpoint} did not answer within {} s",
                self.timeout.as_secs()
            )
        } else if super::is_tls_failure(&error) {
            format!(
                "TLS with SMS webhook {endpoint} failed: {}",
                super::root_cause(&error)
            )
        } else if error.is_connect() {
            format!(
                "could not connect to SMS webhook {endpoint}: {}",
                super::root_cause(&error)
            )
        } else {
            format!(
                "request to SMS webhook {endpoint} failed: {}",
                super::root_cause(&error.without_url())
            )
        };
        DeliveryError(text)
    }
}

#[async_trait]
impl Mailer for SmsWebhook {
    async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        let payload = Payload {
            pool_id: message.pool_id.as_str(),
            recipient: &message.recipient,
            body: &message.body,
        };
        let response = self
            .client
            .post(self.url.clone())
            .json(&payload)
            .send()
            .await
            .map_err(|e| self.failure(e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(DeliveryError(format!(
                "SMS webhook {} answered {status}",
                self.endpoint
            )));
        }
        tracing::debug!(
            endpoint = %self.endpoint,
            pool = %message.pool_id,
            kind = message.kind,
            "SMS handed to the webhook"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tessera_core::ids::UserPoolId;
    use tessera_core::mailer::Medium;

    use super::super::test_servers::WebhookServer;
    use super::*;

    fn settings(url: String) -> SmsWebhookConfig {
        SmsWebhookConfig {
            url,
            timeout_seconds: Some(5),
        }
    }

    fn message() -> Message {
        Message {
            pool_id: UserPoolId::new("us-east-1_smstest01"),
            medium: Medium::Sms,
            recipient: "+15555550123".into(),
            subject: None,
            body: "Your code is 551177".into(),
            kind: "code",
        }
    }

    fn assert_no_secrets(error: &DeliveryError) {
        let text = error.to_string();
        for secret in ["551177", "s3cr3t-token", "/sms", "the webhook's reply"] {
            assert!(!text.contains(secret), "{secret:?} leaked into: {text}");
        }
    }

    #[tokio::test]
    async fn webhook_receives_the_json() {
        let server = WebhookServer::start(200).await;
        let webhook = SmsWebhook::new(&settings(server.url())).expect("builds");

        webhook.send(message()).await.expect("delivered");
        let body = server.received().await;
        assert_eq!(
            body,
            serde_json::json!({
                "pool_id": "us-east-1_smstest01",
                "recipient": "+15555550123",
                "body": "Your code is 551177",
            })
        );
    }

    #[tokio::test]
    async fn server_error_is_a_delivery_error_with_the_status() {
        let server = WebhookServer::start(500).await;
        let webhook = SmsWebhook::new(&settings(server.url())).expect("builds");

        let error = webhook.send(message()).await.expect_err("500");
        let text = error.to_string();
        assert!(text.contains("500"), "{text}");
        assert!(text.contains(&server.addr().to_string()), "{text}");
        assert_no_secrets(&error);
    }

    #[tokio::test]
    async fn redirect_is_not_followed() {
        let server = WebhookServer::start(302).await;
        let webhook = SmsWebhook::new(&settings(server.url())).expect("builds");
        let error = webhook.send(message()).await.expect_err("302");
        assert!(error.to_string().contains("302"), "{error}");
    }

    #[tokio::test]
    async fn connection_refused_is_a_delivery_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        let url = format!("http://{addr}/sms?token=s3cr3t-token");
        let webhook = SmsWebhook::new(&settings(url)).expect("builds");

        let error = webhook.send(message()).await.expect_err("refused");
        let text = error.to_string();
        assert!(text.contains("could not connect"), "{text}");
        assert!(text.contains(&addr.to_string()), "{text}");
        assert_no_secrets(&error);
    }

    #[tokio::test]
    async fn https_uses_rustls() {
        // A plain HTTP server behind an https:// URL: the TLS handshake fails,
        // which shows the rustls client is in place (and does not panic for
        // want of a crypto provider).
        let server = WebhookServer::start(200).await;
        let url = format!("https://{}/sms?token=s3cr3t-token", server.addr());
        let webhook = SmsWebhook::new(&settings(url)).expect("builds");

        let error = webhook.send(message()).await.expect_err("no TLS server");
        assert!(
            error.to_string().contains("TLS with SMS webhook"),
            "{error}"
        );
        assert_no_secrets(&error);
    }

    #[test]
    fn url_is_checked_at_start() {
        for url in ["not a url", "ftp://example.com/sms", "file:///tmp/sms"] {
            let err = SmsWebhook::new(&settings(url.into()))
                .err()
                .expect("refused");
            assert!(err.to_string().contains("sms_webhook.url"), "{url}: {err}");
        }
        let err = SmsWebhook::new(&SmsWebhookConfig {
            url: "http://example.com/".into(),
            timeout_seconds: Some(0),
        })
        .err()
        .expect("zero timeout refused");
        assert!(err.to_string().contains("timeout_seconds"), "{err}");
    }
}
