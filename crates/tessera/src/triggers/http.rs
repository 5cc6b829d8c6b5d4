//! A trigger as a webhook: the event as a JSON POST to a configured URL, the
//! returned event as a 2xx answer's body. A non-2xx answer whose body is
//! `{"errorMessage": …}` fails the trigger the way a Lambda function that
//! throws does; any other non-2xx is a function that could not be run.
//!
//! Errors name the URL by scheme, host and port only (its path or query may
//! carry a token) and never quote the answer.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::Url;
use serde_json::Value;
use tessera_core::invoker::{InvokeError, TriggerInvoker};

pub struct HttpInvoker {
    client: reqwest::Client,
    url: Url,
    /// `scheme://host:port`, for errors and logs.
    endpoint: String,
}

impl HttpInvoker {
    pub fn new(url: &Url, timeout: Duration) -> anyhow::Result<Self> {
        Ok(Self {
            client: super::http_client(timeout)?,
            url: url.clone(),
            endpoint: super::endpoint_label(url),
        })
    }
}

#[async_trait]
impl TriggerInvoker for HttpInvoker {
    fn resolves(&self, _arn: &str) -> bool {
        true
    }

    async fn invoke(&self, _arn: &str, event: &Value) -> Result<Value, InvokeError> {
        let response = self
            .client
            .post(self.url.clone())
            .json(event)
            .send()
            .await
            .map_err(|e| super::request_failure(&self.endpoint, e))?;
        let status = response.status();
        let answer = super::read_answer(response, &self.endpoint).await?;
        if status.is_success() {
            return super::returned_event(&answer);
        }
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(InvokeError::Throttled);
        }
        Err(match super::error_message(&answer) {
            Some(message) => InvokeError::Function(message),
            None => {
                InvokeError::Unreachable(format!("HTTP {} from {}", status.as_u16(), self.endpoint))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_server::{Answer, TestServer};
    use super::*;

    const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:preSignUp";

    fn event() -> Value {
        json!({"triggerSource": "PreSignUp_SignUp", "request": {"userAttributes": {}}, "response": {}})
    }

    fn invoker(url: &str) -> HttpInvoker {
        HttpInvoker::new(&url.parse().expect("url"), Duration::from_secs(2)).expect("builds")
    }

    fn assert_no_secrets(error: &InvokeError) {
        let text = error.to_string();
        for secret in ["s3cr3t", "/hook"] {
            assert!(!text.contains(secret), "{secret:?} leaked into: {text}");
        }
    }

    #[tokio::test]
    async fn posts_the_event_and_returns_the_answer() {
        let returned =
            json!({"triggerSource": "PreSignUp_SignUp", "response": {"autoVerifyEmail": true}});
        let server = TestServer::start(Answer::json(200, returned.clone())).await;
        let hook = invoker(&server.url("/hook?token=s3cr3t"));

        assert_eq!(hook.invoke(ARN, &event()).await, Ok(returned));
        let request = server.received().await;
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/hook")
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(request.json(), event());
    }

    #[tokio::test]
    async fn an_error_message_fails_the_trigger() {
        let server = TestServer::start(Answer::json(
            400,
            json!({"errorMessage": "Sign-up is closed"}),
        ))
        .await;
        assert_eq!(
            invoker(&server.url("/hook")).invoke(ARN, &event()).await,
            Err(InvokeError::Function("Sign-up is closed".into()))
        );
    }

    #[tokio::test]
    async fn other_failures_are_unreachable_without_secrets() {
        for status in [500, 302, 404] {
            let server = TestServer::start(Answer::text(status, "s3cr3t detail")).await;
            let error = invoker(&server.url("/hook?token=s3cr3t"))
                .invoke(ARN, &event())
                .await
                .expect_err("fails");
            assert_eq!(
                error,
                InvokeError::Unreachable(format!("HTTP {status} from http://{}", server.addr()))
            );
            assert_no_secrets(&error);
        }

        let addr = TestServer::unused_addr();
        let error = invoker(&format!("http://{addr}/hook?token=s3cr3t"))
            .invoke(ARN, &event())
            .await
            .expect_err("refused");
        assert!(
            error
                .to_string()
                .contains(&format!("could not connect to http://{addr}")),
            "{error}"
        );
        assert_no_secrets(&error);
    }

    #[tokio::test]
    async fn https_uses_rustls() {
        // A plain HTTP server behind an https:// URL: the handshake fails,
        // which shows the rustls client is in place.
        let server = TestServer::start(Answer::json(200, json!({}))).await;
        let error = invoker(&format!("https://{}/hook?token=s3cr3t", server.addr()))
            .invoke(ARN, &event())
            .await
            .expect_err("no TLS server");
        assert!(error.to_string().contains("TLS with https://"), "{error}");
        assert_no_secrets(&error);
    }

    #[tokio::test]
    async fn a_non_event_answer_is_malformed() {
        for answer in [
            Answer::text(200, "accepted"),
            Answer::json(200, json!([1, 2])),
        ] {
            let server = TestServer::start(answer).await;
            assert!(matches!(
                invoker(&server.url("/hook")).invoke(ARN, &event()).await,
                Err(InvokeError::Malformed(_))
            ));
        }
    }

    #[tokio::test]
    async fn a_slow_webhook_times_out() {
        let server =
            TestServer::start(Answer::json(200, json!({})).after(Duration::from_secs(5))).await;
        assert_eq!(
            invoker(&server.url("/hook")).invoke(ARN, &event()).await,
            Err(InvokeError::Timeout)
        );
    }
}
