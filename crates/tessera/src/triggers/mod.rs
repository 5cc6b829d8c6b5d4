//! Running Lambda triggers. Each ARN a pool's `LambdaConfig` names is routed
//! by the `[[triggers]]` mappings, tried in order (first match wins), to one
//! way of running it, built once at start:
//!
//! - [`lambda`]: the Lambda Invoke API (AWS Lambda, LocalStack, the Runtime
//!   Interface Emulator), SigV4-signed when given keys.
//! - [`http`]: the event as a JSON POST to a URL (a webhook).
//! - [`command`]: a local program, the event on stdin, the result on stdout.
//!
//! Each adapter makes one attempt bounded by its mapping's timeout; the core
//! retries timeouts and turns failures into Cognito's errors. What they log
//! or report never holds the event, the answer, or a URL past its
//! `scheme://host:port`.

pub mod command;
pub mod http;
pub mod lambda;

#[cfg(test)]
pub(crate) mod test_server;

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use tessera_core::clock::SystemClock;
use tessera_core::invoker::{InvokeError, TriggerInvoker};

use crate::config::{Config, TriggerMatcher, TriggerTarget};

pub use command::CommandInvoker;
pub use http::HttpInvoker;
pub use lambda::LambdaInvoker;

/// The most an answer may hold: Lambda's limit on a synchronous response.
const MAX_ANSWER_BYTES: usize = 6 * 1024 * 1024;

/// The invoker the services run triggers through: every configured mapping,
/// in order. With none, every ARN is unmapped.
///
/// Must be called inside a Tokio runtime.
pub fn build_invoker(config: &Config) -> anyhow::Result<Arc<dyn TriggerInvoker>> {
    let mut routes = Vec::with_capacity(config.triggers.len());
    for mapping in &config.triggers {
        let (invoker, target): (Box<dyn TriggerInvoker>, String) = match &mapping.target {
            TriggerTarget::Lambda(target) => (
                Box::new(LambdaInvoker::new(
                    target,
                    mapping.timeout,
                    &config.region,
                    Arc::new(SystemClock),
                )?),
                format!("Lambda Invoke API at {}", endpoint_label(&target.endpoint)),
            ),
            TriggerTarget::Http(url) => (
                Box::new(HttpInvoker::new(url, mapping.timeout)?),
                format!("POST to {}", endpoint_label(url)),
            ),
            TriggerTarget::Command(argv) => (
                Box::new(CommandInvoker::new(argv, mapping.timeout)),
                format!("command {}", argv.first().map_or("", String::as_str)),
            ),
        };
        tracing::info!(
            mapping = %mapping.label,
            target,
            timeout_seconds = mapping.timeout.as_secs(),
            "trigger mapping"
        );
        routes.push(Route {
            label: mapping.label.clone(),
            matcher: mapping.matcher.clone(),
            invoker,
        });
    }
    Ok(Arc::new(Routes(routes)))
}

/// The mappings, in the order they are tried.
pub struct Routes(Vec<Route>);

struct Route {
    label: String,
    matcher: TriggerMatcher,
    invoker: Box<dyn TriggerInvoker>,
}

impl Routes {
    fn route(&self, arn: &str) -> Option<&Route> {
        self.0.iter().find(|route| matches(&route.matcher, arn))
    }
}

#[async_trait]
impl TriggerInvoker for Routes {
    fn resolves(&self, arn: &str) -> bool {
        self.route(arn).is_some()
    }

    async fn invoke(&self, arn: &str, event: &Value) -> Result<Value, InvokeError> {
        let Some(route) = self.route(arn) else {
            return Err(InvokeError::NotMapped);
        };
        tracing::debug!(%arn, mapping = %route.label, "running a trigger");
        route.invoker.invoke(arn, event).await
    }
}

fn matches(matcher: &TriggerMatcher, arn: &str) -> bool {
    match matcher {
        TriggerMatcher::Arn(exact) => arn == exact,
        TriggerMatcher::ArnPrefix(prefix) => arn.starts_with(prefix.as_str()),
        TriggerMatcher::Function(name) => lambda_arn(arn).is_some_and(|a| a.function == name),
        TriggerMatcher::Default => true,
    }
}

/// The parts of `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`
/// the adapters use.
#[derive(Debug, PartialEq, Eq)]
struct LambdaArn<'a> {
    region: &'a str,
    function: &'a str,
}

fn lambda_arn(arn: &str) -> Option<LambdaArn<'_>> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", region, _, "function", function]
        | ["arn", _, "lambda", region, _, "function", function, _] => {
            Some(LambdaArn { region, function })
        }
        _ => None,
    }
}

/// The event a function returned: a JSON object, or `Malformed` saying what
/// came instead (never quoting it: it may hold the user's attributes).
fn returned_event(answer: &[u8]) -> Result<Value, InvokeError> {
    let what = match serde_json::from_slice::<Value>(answer) {
        Ok(event @ Value::Object(_)) => return Ok(event),
        Ok(Value::Null) => "null",
        Ok(Value::Array(_)) => "a JSON array",
        Ok(_) => "a JSON scalar",
        Err(_) if answer.iter().all(u8::is_ascii_whitespace) => "nothing",
        Err(_) => "not JSON",
    };
    Err(InvokeError::Malformed(format!(
        "{what} ({} bytes), not a JSON object",
        answer.len()
    )))
}

/// The `errorMessage` of a JSON object, the shape in which Lambda runtimes
/// report a function that threw.
fn error_message(answer: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(answer).ok()?;
    value.get("errorMessage")?.as_str().map(str::to_owned)
}

/// The start of a free-form failure text, trimmed, for a `Function` message.
fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 500;
    let text = text.trim();
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// One HTTP client per mapping, with its timeout over the whole exchange.
fn http_client(timeout: std::time::Duration) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        // A redirect would turn the POST into a GET; treat it as a failure.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| anyhow::anyhow!("building an HTTP client for triggers: {e}"))
}

/// `scheme://host:port`: a URL's path or query may carry a token.
pub(crate) fn endpoint_label(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port_or_known_default() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// A failed exchange: `Timeout` (which the core retries) or `Unreachable`
/// with the innermost cause, the URL stripped.
fn request_failure(endpoint: &str, error: reqwest::Error) -> InvokeError {
    use crate::delivery::{is_tls_failure, root_cause};
    if error.is_timeout() {
        return InvokeError::Timeout;
    }
    let error = error.without_url();
    InvokeError::Unreachable(if is_tls_failure(&error) {
        format!("TLS with {endpoint} failed: {}", root_cause(&error))
    } else if error.is_connect() {
        format!("could not connect to {endpoint}: {}", root_cause(&error))
    } else {
        format!("request to {endpoint} failed: {}", root_cause(&error))
    })
}

/// The body, up to [`MAX_ANSWER_BYTES`].
async fn read_answer(
    mut response: reqwest::Response,
    endpoint: &str,
) -> Result<Vec<u8>, InvokeError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| request_failure(endpoint, e))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(InvokeError::Malformed(format!(
                "an answer over {MAX_ANSWER_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::test_server::{Answer, TestServer};
    use super::*;
    use crate::config::TriggerMapping;

    const PRE_SIGN_UP: &str = "arn:aws:lambda:us-east-1:123456789012:function:preSignUp";

    fn mapping(matcher: TriggerMatcher, url: &str) -> TriggerMapping {
        TriggerMapping {
            label: format!("{matcher:?}"),
            matcher,
            target: TriggerTarget::Http(url.parse().expect("url")),
            timeout: std::time::Duration::from_secs(5),
        }
    }

    #[test]
    fn lambda_arns_give_region_and_function_name() {
        assert_eq!(
            lambda_arn(PRE_SIGN_UP),
            Some(LambdaArn {
                region: "us-east-1",
                function: "preSignUp"
            })
        );
        assert_eq!(
            lambda_arn("arn:aws-cn:lambda:cn-north-1:123456789012:function:f:prod"),
            Some(LambdaArn {
                region: "cn-north-1",
                function: "f"
            })
        );
        for other in [
            "arn:aws:sns:us-east-1:123456789012:topic",
            "arn:aws:lambda:us-east-1:123456789012:layer:l:1",
            "arn:aws:lambda:us-east-1:123456789012:function:f:1:x",
            "preSignUp",
        ] {
            assert_eq!(lambda_arn(other), None, "{other}");
        }
    }

    #[test]
    fn matchers() {
        let exact = TriggerMatcher::Arn(PRE_SIGN_UP.into());
        assert!(matches(&exact, PRE_SIGN_UP));
        assert!(!matches(&exact, &format!("{PRE_SIGN_UP}:prod")));
        let prefix = TriggerMatcher::ArnPrefix("arn:aws:lambda:us-east-1:123456789012:".into());
        assert!(matches(&prefix, PRE_SIGN_UP));
        assert!(!matches(
            &prefix,
            "arn:aws:lambda:eu-west-1:123456789012:function:preSignUp"
        ));
        let function = TriggerMatcher::Function("preSignUp".into());
        assert!(matches(&function, PRE_SIGN_UP));
        assert!(matches(
            &function,
            "arn:aws:lambda:eu-west-1:999999999999:function:preSignUp:$LATEST"
        ));
        assert!(!matches(
            &function,
            "arn:aws:lambda:us-east-1:1:function:preSignUpV2"
        ));
        assert!(!matches(&function, "preSignUp"));
        assert!(matches(&TriggerMatcher::Default, "anything"));
    }

    #[tokio::test]
    async fn first_match_wins_and_unmatched_is_not_mapped() {
        let exact = TestServer::start(Answer::json(200, json!({"by": "exact"}))).await;
        let prefix = TestServer::start(Answer::json(200, json!({"by": "prefix"}))).await;
        let by_name = TestServer::start(Answer::json(200, json!({"by": "function"}))).await;
        let mut config = Config::defaults(PathBuf::from("/nonexistent"));
        config.triggers = vec![
            mapping(TriggerMatcher::Arn(PRE_SIGN_UP.into()), &exact.url("/")),
            mapping(
                TriggerMatcher::ArnPrefix("arn:aws:lambda:us-east-1:".into()),
                &prefix.url("/"),
            ),
            mapping(TriggerMatcher::Function("custom".into()), &by_name.url("/")),
        ];
        let invoker = build_invoker(&config).expect("builds");
        let event = json!({"triggerSource": "PreSignUp_SignUp"});

        let answer = invoker.invoke(PRE_SIGN_UP, &event).await.expect("runs");
        assert_eq!(answer["by"], "exact");
        let other = "arn:aws:lambda:us-east-1:123456789012:function:custom";
        let answer = invoker.invoke(other, &event).await.expect("runs");
        assert_eq!(answer["by"], "prefix", "the earlier prefix beats the name");
        let elsewhere = "arn:aws:lambda:eu-west-1:123456789012:function:custom";
        let answer = invoker.invoke(elsewhere, &event).await.expect("runs");
        assert_eq!(answer["by"], "function");

        let unmapped = "arn:aws:lambda:eu-west-1:123456789012:function:other";
        assert!(invoker.resolves(PRE_SIGN_UP) && invoker.resolves(elsewhere));
        assert!(!invoker.resolves(unmapped));
        assert_eq!(
            invoker.invoke(unmapped, &event).await,
            Err(InvokeError::NotMapped)
        );
    }

    #[tokio::test]
    async fn the_default_takes_the_rest_and_no_mapping_takes_nothing() {
        let fallback = TestServer::start(Answer::json(200, json!({"by": "default"}))).await;
        let mut config = Config::defaults(PathBuf::from("/nonexistent"));
        config.triggers = vec![mapping(TriggerMatcher::Default, &fallback.url("/"))];
        let invoker = build_invoker(&config).expect("builds");
        assert!(invoker.resolves("arn:aws:lambda:ap-south-1:1:function:x"));
        let answer = invoker
            .invoke("arn:aws:lambda:ap-south-1:1:function:x", &json!({}))
            .await
            .expect("runs");
        assert_eq!(answer["by"], "default");

        let none = build_invoker(&Config::defaults(PathBuf::from("/nonexistent"))).expect("builds");
        assert!(!none.resolves(PRE_SIGN_UP));
        assert_eq!(
            none.invoke(PRE_SIGN_UP, &json!({})).await,
            Err(InvokeError::NotMapped)
        );
    }

    #[test]
    fn answers_that_are_not_events_are_described_not_quoted() {
        assert_eq!(returned_event(b" {\"a\": 1}\n"), Ok(json!({"a": 1})));
        for (answer, what) in [
            (&b"null"[..], "null ("),
            (b"[1]", "a JSON array"),
            (b"\"s3cr3t\"", "a JSON scalar"),
            (b"  ", "nothing"),
            (b"s3cr3t <html>", "not JSON"),
        ] {
            let Err(InvokeError::Malformed(text)) = returned_event(answer) else {
                panic!("{answer:?} accepted")
            };
            assert!(text.starts_with(what), "{text}");
            assert!(!text.contains("s3cr3t"), "{text}");
        }
        assert_eq!(excerpt(&"é".repeat(600)).chars().count(), 501);
    }
}
