//! The Lambda Invoke API: `POST {endpoint}/2015-03-31/functions/{name}/invocations`
//! with the event as the body, `X-Amz-Invocation-Type: RequestResponse`, as
//! AWS Lambda, LocalStack and the Lambda Runtime Interface Emulator take it.
//! With keys configured the request is SigV4-signed (signing name `lambda`).
//!
//! A function that threw answers 200 with `X-Amz-Function-Error` and an
//! `{"errorMessage", "errorType"}` body. The Runtime Interface Emulator sends
//! that body without the header (aws-lambda-runtime-interface-emulator
//! issue 20), so such a body with no `triggerSource` counts as a throw too:
//! a Cognito event always has one, and taking the error for an event would
//! let the call succeed as though the function had changed nothing.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use serde_json::Value;
use tessera_core::clock::Clock;
use tessera_core::invoker::{InvokeError, TriggerInvoker};
use tessera_crypto::sigv4::{Credentials, RequestToSign, Scope, sign};

use crate::config::{LambdaCredentials, LambdaTarget};

const INVOCATION_TYPE: &str = "RequestResponse";

pub struct LambdaInvoker {
    client: reqwest::Client,
    /// The endpoint URL without a trailing slash; the Invoke path follows it.
    base: String,
    /// `scheme://host:port`, for errors and logs.
    endpoint: String,
    /// Sent in the path instead of the ARN.
    function: Option<String>,
    region: Option<String>,
    /// The server's region, for an ARN that names none.
    default_region: String,
    credentials: Option<LambdaCredentials>,
    /// The time a signature carries; the system clock outside tests.
    clock: Arc<dyn Clock>,
}

impl LambdaInvoker {
    pub fn new(
        target: &LambdaTarget,
        timeout: Duration,
        default_region: &str,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            client: super::http_client(timeout)?,
            base: target.endpoint.as_str().trim_end_matches('/').to_owned(),
            endpoint: super::endpoint_label(&target.endpoint),
            function: target.function.clone(),
            region: target.region.clone(),
            default_region: default_region.to_owned(),
            credentials: target.credentials.clone(),
            clock,
        })
    }

    /// The region to sign for: the configured one, else the ARN's.
    fn region<'a>(&'a self, arn: &'a str) -> &'a str {
        self.region
            .as_deref()
            .or_else(|| super::lambda_arn(arn).map(|a| a.region))
            .unwrap_or(&self.default_region)
    }

    fn sign(
        &self,
        credentials: &LambdaCredentials,
        url: &reqwest::Url,
        host: &str,
        body: &[u8],
        region: &str,
    ) -> Result<tessera_crypto::sigv4::SignedHeaders, InvokeError> {
        let headers: [(&str, &[u8]); 3] = [
            ("host", host.as_bytes()),
            ("content-type", b"application/json"),
            ("x-amz-invocation-type", INVOCATION_TYPE.as_bytes()),
        ];
        let request = RequestToSign {
            method: "POST",
            path: url.path(),
            query: url.query().unwrap_or_default(),
            headers: &headers,
            body,
        };
        let keys = Credentials {
            access_key_id: &credentials.access_key_id,
            secret_access_key: credentials.secret_access_key.expose(),
        };
        let scope = Scope {
            region,
            service: "lambda",
        };
        sign(&request, &keys, &scope, self.clock.now().millis() / 1000)
            .map_err(|e| InvokeError::Unreachable(format!("signing the Invoke request: {e}")))
    }
}

#[async_trait]
impl TriggerInvoker for LambdaInvoker {
    fn resolves(&self, _arn: &str) -> bool {
        true
    }

    async fn invoke(&self, arn: &str, event: &Value) -> Result<Value, InvokeError> {
        let name = self.function.as_deref().unwrap_or(arn);
        let url = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.base,
            encode_segment(name)
        );
        let url = reqwest::Url::parse(&url)
            .map_err(|e| InvokeError::Unreachable(format!("the Invoke URL: {e}")))?;
        let body = event.to_string().into_bytes();
        let mut request = self
            .client
            .post(url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header("X-Amz-Invocation-Type", INVOCATION_TYPE);
        if let Some(credentials) = &self.credentials {
            // Sent as signed: the signature covers the exact Host value.
            let host = match url.port() {
                Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
                None => url.host_str().unwrap_or_default().to_owned(),
            };
            let signed = self.sign(credentials, &url, &host, &body, self.region(arn))?;
            request = request
                .header(HOST, host)
                .header("X-Amz-Date", signed.x_amz_date)
                .header(AUTHORIZATION, signed.authorization);
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| super::request_failure(&self.endpoint, e))?;
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let function_error = header("x-amz-function-error");
        // `ResourceNotFoundException:http://internal.amazon.com/…` on AWS.
        let error_type = header("x-amzn-errortype")
            .map(|t| t.split(':').next().unwrap_or_default().to_owned())
            .filter(|t| !t.is_empty());
        let answer = super::read_answer(response, &self.endpoint).await?;
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(InvokeError::Throttled);
        }
        if status != StatusCode::OK {
            let status = status.as_u16();
            let endpoint = &self.endpoint;
            return Err(InvokeError::Unreachable(match error_type {
                Some(kind) => format!("HTTP {status} ({kind}) from {endpoint}"),
                None => format!("HTTP {status} from {endpoint}"),
            }));
        }
        if let Some(kind) = function_error {
            let message = super::error_message(&answer).unwrap_or_else(|| {
                let text = super::excerpt(&String::from_utf8_lossy(&answer));
                if text.is_empty() { kind } else { text }
            });
            return Err(InvokeError::Function(message));
        }
        let event = super::returned_event(&answer)?;
        // The emulator's throw (see the module's header).
        if event.get("triggerSource").is_none()
            && event.get("errorType").is_some()
            && let Some(message) = super::error_message(&answer)
        {
            return Err(InvokeError::Function(message));
        }
        Ok(event)
    }
}

/// Percent-encodes all but the unreserved characters, as the AWS SDKs encode
/// a function ARN in the path (`arn%3Aaws%3Alambda%3A…`).
fn encode_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tessera_core::clock::{FixedClock, Timestamp};
    use tessera_crypto::sigv4::{RequestToVerify, verify};

    use super::super::test_server::{Answer, TestServer};
    use super::*;
    use crate::secret::Secret;

    const ARN: &str = "arn:aws:lambda:eu-west-1:123456789012:function:preSignUp:prod";
    /// 2024-05-01T12:00:00Z.
    const NOW: i64 = 1_714_564_800;

    fn event() -> Value {
        json!({"version": "1", "triggerSource": "PreSignUp_SignUp", "request": {}, "response": {}})
    }

    fn invoker(endpoint: &str, configure: impl FnOnce(&mut LambdaTarget)) -> LambdaInvoker {
        let mut target = LambdaTarget {
            endpoint: endpoint.parse().expect("url"),
            function: None,
            region: None,
            credentials: None,
        };
        configure(&mut target);
        LambdaInvoker::new(
            &target,
            Duration::from_secs(2),
            "us-east-1",
            Arc::new(FixedClock::new(Timestamp(NOW * 1000))),
        )
        .expect("builds")
    }

    #[tokio::test]
    async fn posts_the_event_to_the_invoke_path_and_returns_the_answer() {
        let returned =
            json!({"triggerSource": "PreSignUp_SignUp", "response": {"autoConfirmUser": true}});
        let server = TestServer::start(Answer::json(200, returned.clone())).await;
        let lambda = invoker(&server.url(""), |_| {});

        assert_eq!(lambda.invoke(ARN, &event()).await, Ok(returned));
        let request = server.received().await;
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.path,
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3ApreSignUp%3Aprod/invocations"
        );
        assert_eq!(
            request.header("x-amz-invocation-type"),
            Some("RequestResponse")
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(
            request.header("authorization"),
            None,
            "no keys, no signature"
        );
        assert_eq!(request.json(), event());
    }

    #[tokio::test]
    async fn the_emulator_takes_its_function_name() {
        let server = TestServer::start(Answer::json(200, json!({"triggerSource": "x"}))).await;
        let lambda = invoker(&server.url("/"), |t| t.function = Some("function".into()));
        lambda.invoke(ARN, &event()).await.expect("answers");
        assert_eq!(
            server.received().await.path,
            "/2015-03-31/functions/function/invocations"
        );
    }

    #[tokio::test]
    async fn keys_sign_the_request_with_sigv4() {
        let server = TestServer::start(Answer::json(200, json!({"triggerSource": "x"}))).await;
        let with_keys = |region: Option<&str>| {
            let region = region.map(str::to_owned);
            invoker(&server.url(""), move |t| {
                t.region = region;
                t.credentials = Some(LambdaCredentials {
                    access_key_id: "AKIDEXAMPLE".into(),
                    secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                });
            })
        };

        for (lambda, region) in [
            (with_keys(None), "eu-west-1"),
            (with_keys(Some("ca-central-1")), "ca-central-1"),
        ] {
            lambda.invoke(ARN, &event()).await.expect("answers");
            let request = server.received().await;
            let authorization = request.header("authorization").expect("signed");
            assert!(
                authorization.starts_with(&format!(
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/{region}/lambda/aws4_request, \
                     SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type, Signature="
                )),
                "{authorization}"
            );
            assert_eq!(request.header("x-amz-date"), Some("20240501T120000Z"));
            let headers: Vec<(&str, &[u8])> = request
                .headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_slice()))
                .collect();
            let received = RequestToVerify {
                method: &request.method,
                path: &request.path,
                query: "",
                headers: &headers,
                body: &request.body,
                service: "lambda",
            };
            let auth = received.authorization().expect("parses");
            verify(
                &received,
                &auth,
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                NOW,
            )
            .expect("the signature verifies");
            assert!(
                verify(&received, &auth, "another secret", NOW).is_err(),
                "and only with the secret"
            );
        }
    }

    #[tokio::test]
    async fn a_function_error_is_its_error_message() {
        let thrown =
            json!({"errorMessage": "Invalid email domain", "errorType": "Error", "trace": []});
        let server = TestServer::start(
            Answer::json(200, thrown).with_header("X-Amz-Function-Error", "Unhandled"),
        )
        .await;
        let lambda = invoker(&server.url(""), |_| {});
        assert_eq!(
            lambda.invoke(ARN, &event()).await,
            Err(InvokeError::Function("Invalid email domain".into()))
        );

        let server = TestServer::start(
            Answer::text(200, "  Process exited before completing request\n")
                .with_header("X-Amz-Function-Error", "Unhandled"),
        )
        .await;
        let lambda = invoker(&server.url(""), |_| {});
        assert_eq!(
            lambda.invoke(ARN, &event()).await,
            Err(InvokeError::Function(
                "Process exited before completing request".into()
            ))
        );
    }

    #[tokio::test]
    async fn the_emulators_error_without_the_header_is_a_function_error() {
        let thrown = json!({"errorMessage": "boom", "errorType": "Exception", "requestId": "r", "stackTrace": []});
        let server = TestServer::start(Answer::json(200, thrown)).await;
        let lambda = invoker(&server.url(""), |_| {});
        assert_eq!(
            lambda.invoke(ARN, &event()).await,
            Err(InvokeError::Function("boom".into()))
        );
    }

    #[tokio::test]
    async fn an_answer_that_is_not_an_event_is_malformed() {
        let server = TestServer::start(Answer::text(200, "OK")).await;
        let lambda = invoker(&server.url(""), |_| {});
        assert!(matches!(
            lambda.invoke(ARN, &event()).await,
            Err(InvokeError::Malformed(_))
        ));
    }

    #[tokio::test]
    async fn other_statuses_are_unreachable_with_the_error_type() {
        let server = TestServer::start(
            Answer::json(
                404,
                json!({"Type": "User", "Message": "Function not found: arn:…"}),
            )
            .with_header(
                "x-amzn-ErrorType",
                "ResourceNotFoundException:http://internal.amazon.com/",
            ),
        )
        .await;
        let lambda = invoker(&server.url(""), |_| {});
        assert_eq!(
            lambda.invoke(ARN, &event()).await,
            Err(InvokeError::Unreachable(format!(
                "HTTP 404 (ResourceNotFoundException) from http://{}",
                server.addr()
            )))
        );

        let server = TestServer::start(Answer::text(502, "")).await;
        let lambda = invoker(&server.url(""), |_| {});
        assert_eq!(
            lambda.invoke(ARN, &event()).await,
            Err(InvokeError::Unreachable(format!(
                "HTTP 502 from http://{}",
                server.addr()
            )))
        );
    }

    #[tokio::test]
    async fn a_slow_function_times_out() {
        let server = TestServer::start(
            Answer::json(200, json!({"triggerSource": "x"})).after(Duration::from_secs(5)),
        )
        .await;
        let lambda = invoker(&server.url(""), |_| {});
        assert_eq!(
            lambda.invoke(ARN, &event()).await,
            Err(InvokeError::Timeout)
        );
    }

    #[tokio::test]
    async fn nothing_listening_is_unreachable() {
        let addr = TestServer::unused_addr();
        let lambda = invoker(&format!("http://{addr}"), |_| {});
        let Err(InvokeError::Unreachable(cause)) = lambda.invoke(ARN, &event()).await else {
            panic!("not unreachable")
        };
        assert!(
            cause.starts_with(&format!("could not connect to http://{addr}")),
            "{cause}"
        );
    }
}
