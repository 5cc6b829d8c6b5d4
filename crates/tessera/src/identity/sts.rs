//! AWS credentials from an STS-compatible endpoint: `AssumeRoleWithWebIdentity`
//! in the AWS Query protocol (a form POST, answered in XML). The action is
//! authorized by the web identity token itself, so the request is unsigned.
//!
//! An `ErrorResponse` answered with a 4xx status is STS refusing the role or
//! the token (`Refused("Code: Message")`); with a 5xx status, or anything
//! that is not an STS answer, the endpoint failed (`Unavailable`). Errors
//! name the endpoint by scheme, host and port, and never quote the request
//! or the credentials.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use tessera_core::clock::Timestamp;
use tessera_core::credential_source::{
    AssumeRole, AwsCredentials, CredentialError, CredentialSource,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The STS API version the Query protocol names.
const STS_VERSION: &str = "2011-06-15";

/// The most XML nodes an answer may hold: an STS answer has a few dozen, so
/// a document with more is not one (and is not worth building a tree of).
const MAX_NODES: u32 = 10_000;

pub struct StsCredentialSource {
    client: reqwest::Client,
    url: Url,
    /// `scheme://host:port`, for errors.
    endpoint: String,
    timeout: Duration,
}

impl StsCredentialSource {
    pub fn new(url: &Url, timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect would turn the POST into a GET; STS never redirects.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| anyhow::anyhow!("building the HTTP client for STS: {e}"))?;
        Ok(Self {
            client,
            url: url.clone(),
            endpoint: crate::triggers::endpoint_label(url),
            timeout,
        })
    }
}

#[async_trait]
impl CredentialSource for StsCredentialSource {
    async fn assume_role(
        &self,
        request: &AssumeRole<'_>,
    ) -> Result<AwsCredentials, CredentialError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("Action", "AssumeRoleWithWebIdentity")
            .append_pair("Version", STS_VERSION)
            .append_pair("RoleArn", request.role_arn)
            .append_pair("RoleSessionName", request.session_name)
            .append_pair("WebIdentityToken", request.web_identity_token)
            .append_pair("DurationSeconds", &request.duration_seconds.to_string())
            .finish();
        let response = self
            .client
            .post(self.url.clone())
            .header(
                CONTENT_TYPE,
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .header(ACCEPT, "text/xml")
            .body(body)
            .send()
            .await
            .map_err(|e| {
                CredentialError::Unavailable(super::request_failure(
                    &self.endpoint,
                    e,
                    self.timeout,
                ))
            })?;
        let status = response.status();
        let answer = super::read_answer(response, &self.endpoint, self.timeout)
            .await
            .map_err(CredentialError::Unavailable)?;
        read_sts_answer(status, &answer, &self.endpoint)
    }
}

/// Credentials from a successful answer, or the error an `ErrorResponse`
/// (or anything else) stands for.
fn read_sts_answer(
    status: reqwest::StatusCode,
    answer: &[u8],
    endpoint: &str,
) -> Result<AwsCredentials, CredentialError> {
    let unavailable = |what: &str| {
        CredentialError::Unavailable(format!("HTTP {} from {endpoint}: {what}", status.as_u16()))
    };
    let Ok(text) = std::str::from_utf8(answer) else {
        return Err(unavailable("not UTF-8 text"));
    };
    let options = roxmltree::ParsingOptions {
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let Ok(document) = roxmltree::Document::parse_with_options(text, options) else {
        return Err(unavailable("not XML"));
    };
    let root = document.root_element();
    if let Some(error) = sts_error(root) {
        return Err(if status.is_client_error() {
            CredentialError::Refused(error)
        } else {
            unavailable(&error)
        });
    }
    if !status.is_success() {
        return Err(unavailable("not an STS answer"));
    }
    if root.tag_name().name() != "AssumeRoleWithWebIdentityResponse" {
        return Err(unavailable("not an AssumeRoleWithWebIdentity answer"));
    }
    let credentials = child(root, "AssumeRoleWithWebIdentityResult")
        .and_then(|result| child(result, "Credentials"))
        .ok_or_else(|| unavailable("no Credentials in the answer"))?;
    let field = |name: &str| {
        child(credentials, name)
            .and_then(text_of)
            .ok_or_else(|| unavailable(&format!("no Credentials/{name} in the answer")))
    };
    let expiration = field("Expiration")?;
    let expiration = OffsetDateTime::parse(&expiration, &Rfc3339)
        .map_err(|_| unavailable("Credentials/Expiration is not an ISO 8601 date and time"))?;
    Ok(AwsCredentials {
        access_key_id: field("AccessKeyId")?,
        secret_key: field("SecretAccessKey")?,
        session_token: field("SessionToken")?,
        expiration: Timestamp(
            i64::try_from(expiration.unix_timestamp_nanos() / 1_000_000)
                .map_err(|_| unavailable("Credentials/Expiration is out of range"))?,
        ),
    })
}

/// `Code: Message` of an `ErrorResponse/Error` (STS's shape; other Query
/// services wrap it as `Response/Errors/Error`, which is read too).
fn sts_error(root: roxmltree::Node<'_, '_>) -> Option<String> {
    let error = match root.tag_name().name() {
        "ErrorResponse" => child(root, "Error")?,
        "Response" => child(child(root, "Errors")?, "Error")?,
        _ => return None,
    };
    let code = child(error, "Code").and_then(text_of);
    let message = child(error, "Message").and_then(text_of);
    Some(match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code,
        (None, Some(message)) => message,
        (None, None) => "an error without a code".to_owned(),
    })
}

/// The first child element named `name`, whatever its namespace.
fn child<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

/// An element's text, trimmed (AWS's examples wrap long values), if any.
fn text_of(node: roxmltree::Node<'_, '_>) -> Option<String> {
    let text: String = node
        .children()
        .filter(roxmltree::Node::is_text)
        .filter_map(|n| n.text())
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use crate::triggers::test_server::{Answer, TestServer};

    use super::*;

    const TOKEN: &str = "eyJraWQiOiJrMSJ9.eyJzdWIiOiJ1cy1lYXN0LTE6YWJjIn0.c2lnbmF0dXJl";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    const SESSION: &str = "FQoGZXIvYXdzEBYaDfrRLLZCXa/CB0Q36ezOd73zvNYk+uc71OZUTr5Y/JxZv1xOSMx=";

    fn request() -> AssumeRole<'static> {
        AssumeRole {
            role_arn: "arn:aws:iam::123456789012:role/Cognito_Authenticated",
            session_name: "CognitoIdentityCredentials",
            web_identity_token: TOKEN,
            duration_seconds: 3600,
        }
    }

    fn source(url: &str) -> StsCredentialSource {
        StsCredentialSource::new(&url.parse().expect("url"), Duration::from_secs(1))
            .expect("builds")
    }

    fn xml(status: u16, body: &str) -> Answer {
        Answer::text(status, body).with_header("content-type", "text/xml")
    }

    /// As moto's server answers (and AWS, whose `Expiration` has no fraction).
    fn success(expiration: &str) -> String {
        format!(
            r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>us-east-1:abc</SubjectFromWebIdentityToken>
    <Audience>us-east-1:pool</Audience>
    <Credentials>
      <AccessKeyId>ASIARZPUZDIKI5CNTDBE</AccessKeyId>
      <SecretAccessKey>{SECRET}</SecretAccessKey>
      <SessionToken>
        {SESSION}
      </SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:CognitoIdentityCredentials</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/Cognito_Authenticated/CognitoIdentityCredentials</Arn>
    </AssumedRoleUser>
    <Provider>cognito-identity.amazonaws.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#
        )
    }

    fn assert_no_secrets(error: &CredentialError) {
        let text = format!("{error} {error:?}");
        for secret in [TOKEN, SECRET, SESSION] {
            assert!(!text.contains(secret), "a secret leaked into: {text}");
        }
    }

    #[tokio::test]
    async fn posts_the_query_and_reads_the_credentials() {
        let server = TestServer::start(xml(200, &success("2026-12-04T19:15:24.750097Z"))).await;
        let credentials = source(&server.url("/"))
            .assume_role(&request())
            .await
            .expect("assumed");
        assert_eq!(
            credentials,
            AwsCredentials {
                access_key_id: "ASIARZPUZDIKI5CNTDBE".into(),
                secret_key: SECRET.into(),
                session_token: SESSION.into(),
                expiration: Timestamp(1_796_411_724_750),
            }
        );
        assert!(!format!("{credentials:?}").contains(SECRET));

        let sent = server.received().await;
        assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/"));
        assert_eq!(
            sent.header("content-type"),
            Some("application/x-www-form-urlencoded; charset=utf-8")
        );
        assert_eq!(sent.header("authorization"), None, "the action is unsigned");
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&sent.body)
            .into_owned()
            .collect();
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("Action", "AssumeRoleWithWebIdentity"),
                ("Version", "2011-06-15"),
                (
                    "RoleArn",
                    "arn:aws:iam::123456789012:role/Cognito_Authenticated"
                ),
                ("RoleSessionName", "CognitoIdentityCredentials"),
                ("WebIdentityToken", TOKEN),
                ("DurationSeconds", "3600"),
            ]
        );
    }

    #[tokio::test]
    async fn an_expiration_without_fraction_is_read() {
        let server = TestServer::start(xml(200, &success("2014-10-24T23:00:23Z"))).await;
        let credentials = source(&server.url("/"))
            .assume_role(&request())
            .await
            .expect("assumed");
        assert_eq!(credentials.expiration, Timestamp(1_414_191_623_000));
    }

    #[tokio::test]
    async fn an_error_response_is_a_refusal() {
        let refusal = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message>
  </Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>"#;
        let server = TestServer::start(xml(403, refusal)).await;
        assert_eq!(
            source(&server.url("/")).assume_role(&request()).await,
            Err(CredentialError::Refused(
                "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity".into()
            ))
        );

        let wrapped = "<Response><Errors><Error><Code>InvalidIdentityToken</Code>\
            <Message>Couldn't retrieve verification key from your identity provider</Message>\
            </Error></Errors><RequestID>r</RequestID></Response>";
        let server = TestServer::start(xml(400, wrapped)).await;
        assert_eq!(
            source(&server.url("/")).assume_role(&request()).await,
            Err(CredentialError::Refused(
                "InvalidIdentityToken: Couldn't retrieve verification key from your identity provider"
                    .into()
            ))
        );

        let server = TestServer::start(xml(
            503,
            &refusal.replace("AccessDenied", "ServiceUnavailable"),
        ))
        .await;
        let error = source(&server.url("/"))
            .assume_role(&request())
            .await
            .expect_err("fails");
        let CredentialError::Unavailable(text) = &error else {
            panic!("a server-side error is not a refusal: {error:?}");
        };
        assert!(
            text.starts_with("HTTP 503 from http://")
                && text.ends_with(
                    "ServiceUnavailable: Not authorized to perform sts:AssumeRoleWithWebIdentity"
                ),
            "{text}"
        );
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_is_unavailable() {
        let addr = TestServer::unused_addr();
        let error = source(&format!("http://{addr}/"))
            .assume_role(&request())
            .await
            .expect_err("fails");
        let CredentialError::Unavailable(text) = &error else {
            panic!("{error:?}");
        };
        assert!(
            text.contains(&format!("could not connect to http://{addr}")),
            "{text}"
        );
        assert_no_secrets(&error);

        let slow = TestServer::start(
            xml(200, &success("2014-10-24T23:00:23Z")).after(Duration::from_secs(3)),
        )
        .await;
        let error = source(&slow.url("/"))
            .assume_role(&request())
            .await
            .expect_err("times out");
        assert!(
            matches!(&error, CredentialError::Unavailable(t) if t.contains("no answer from")),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn garbage_is_unavailable_and_not_quoted() {
        for answer in [
            Answer::text(200, "s3cr3t <html>"),
            Answer::text(
                500,
                "<!doctype html><title>500 Internal Server Error</title>",
            ),
            xml(
                200,
                "<GetCallerIdentityResponse><Arn>s3cr3t</Arn></GetCallerIdentityResponse>",
            ),
            xml(200, &success("tomorrow")),
            xml(
                200,
                &success("2014-10-24T23:00:23Z")
                    .replace("<AccessKeyId>ASIARZPUZDIKI5CNTDBE</AccessKeyId>", ""),
            ),
            xml(302, "").with_header("location", "/elsewhere"),
            Answer::text(200, &format!("<a>{}</a>", "x".repeat(2 * 1024 * 1024))),
            xml(200, &format!("<a>{}</a>", "<b/>".repeat(20_000))),
        ] {
            let server = TestServer::start(answer).await;
            let error = source(&server.url("/"))
                .assume_role(&request())
                .await
                .expect_err("fails");
            let CredentialError::Unavailable(text) = &error else {
                panic!("{error:?}");
            };
            assert!(!text.contains("s3cr3t"), "{text}");
            assert_no_secrets(&error);
        }
    }
}
