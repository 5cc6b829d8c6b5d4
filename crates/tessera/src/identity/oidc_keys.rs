//! OpenID Connect providers' signing keys, fetched the way relying parties
//! find them: the issuer's discovery document
//! (`{issuer}/.well-known/openid-configuration`) names its `jwks_uri`, which
//! holds the key set. The issuer is `https://{issuer}` unless
//! `[identity_pools.oidc_issuers]` gives a base URL in its place (tests,
//! air-gapped installs).
//!
//! Every fetch is bounded: a timeout, an answer size limit, a few
//! redirects. An issuer reached over https is never followed to plain http,
//! by a redirect or by its `jwks_uri`. Nothing is cached here.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Url;
use reqwest::header::ACCEPT;
use serde_json::Value;
use tessera_core::credential_source::{OidcKeys, OidcKeysError};

use crate::config::identity_pools::issuer_key;

/// Redirects followed per fetch (a provider may move its documents once or
/// twice; a chain longer than this is a loop or a trap).
const MAX_REDIRECTS: usize = 3;

pub struct HttpOidcKeys {
    client: reqwest::Client,
    /// Base URLs by issuer (`host[/path]`), in place of `https://{issuer}`.
    issuers: BTreeMap<String, Url>,
    /// Accepted `aud` values by issuer.
    client_ids: BTreeMap<String, Vec<String>>,
    timeout: Duration,
}

impl HttpOidcKeys {
    pub fn new(
        issuers: BTreeMap<String, Url>,
        client_ids: BTreeMap<String, Vec<String>>,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            let from_https = attempt.previous().iter().any(|u| u.scheme() == "https");
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if from_https && attempt.url().scheme() != "https" {
                attempt.error("a redirect from https to plain http")
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(redirects)
            .build()
            .map_err(|e| {
                anyhow::anyhow!("building the HTTP client for OpenID Connect keys: {e}")
            })?;
        Ok(Self {
            client,
            issuers,
            client_ids,
            timeout,
        })
    }

    /// A JSON object from `url`; `what` names the document in errors.
    async fn fetch(
        &self,
        url: Url,
        what: &str,
    ) -> Result<serde_json::Map<String, Value>, OidcKeysError> {
        let label = format!("{}{}", crate::triggers::endpoint_label(&url), url.path());
        let unavailable = |cause: String| OidcKeysError::Unavailable(format!("{what}: {cause}"));
        let response = self
            .client
            .get(url)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| unavailable(super::request_failure(&label, e, self.timeout)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(unavailable(format!(
                "HTTP {} from {label}",
                status.as_u16()
            )));
        }
        let body = super::read_answer(response, &label, self.timeout)
            .await
            .map_err(unavailable)?;
        match serde_json::from_slice(&body) {
            Ok(Value::Object(object)) => Ok(object),
            _ => Err(unavailable(format!(
                "{label} answered something other than a JSON object"
            ))),
        }
    }
}

#[async_trait]
impl OidcKeys for HttpOidcKeys {
    async fn jwks(&self, issuer_host: &str) -> Result<(String, Value), OidcKeysError> {
        let key = issuer_key(issuer_host).map_err(|_| OidcKeysError::UnknownIssuer)?;
        let (base, configured) = match self.issuers.get(&key) {
            Some(base) => (base.clone(), true),
            None => (
                Url::parse(&format!("https://{key}")).map_err(|_| OidcKeysError::UnknownIssuer)?,
                false,
            ),
        };
        let discovery = Url::parse(&format!(
            "{}/.well-known/openid-configuration",
            base.as_str().trim_end_matches('/')
        ))
        .map_err(|e| OidcKeysError::Unavailable(format!("the discovery URL of {key}: {e}")))?;
        let document = self.fetch(discovery, "the discovery document").await?;
        let issuer = document
            .get("issuer")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                OidcKeysError::Unavailable(format!(
                    "the discovery document of {key} names no issuer"
                ))
            })?
            .to_owned();
        let jwks_uri = document
            .get("jwks_uri")
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok())
            .filter(|u| u.scheme() == "https" || (configured && u.scheme() == "http"))
            .ok_or_else(|| {
                OidcKeysError::Unavailable(format!(
                    "the discovery document of {key} names no https jwks_uri"
                ))
            })?;
        let jwks = self.fetch(jwks_uri, "the key set").await?;
        if !jwks.get("keys").is_some_and(Value::is_array) {
            return Err(OidcKeysError::Unavailable(format!(
                "the key set of {key} has no \"keys\" array"
            )));
        }
        Ok((issuer, Value::Object(jwks)))
    }

    fn client_ids(&self, issuer_host: &str) -> Vec<String> {
        issuer_key(issuer_host)
            .ok()
            .and_then(|key| self.client_ids.get(&key).cloned())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::triggers::test_server::{Answer, TestServer};

    use super::*;

    fn keys() -> Value {
        json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": "0vx7", "e": "AQAB"}]})
    }

    fn fetcher(issuers: &[(&str, String)]) -> HttpOidcKeys {
        let issuers = issuers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.parse().expect("url")))
            .collect();
        HttpOidcKeys::new(issuers, BTreeMap::new(), Duration::from_secs(1)).expect("builds")
    }

    fn unavailable(result: Result<(String, Value), OidcKeysError>) -> String {
        match result {
            Err(OidcKeysError::Unavailable(cause)) => cause,
            other => panic!("not unavailable: {other:?}"),
        }
    }

    #[tokio::test]
    async fn discovery_then_jwks_at_the_configured_base() {
        let jwks = TestServer::start(Answer::json(200, keys())).await;
        let discovery = TestServer::start(Answer::json(
            200,
            json!({"issuer": "https://login.example.com", "jwks_uri": jwks.url("/keys.json")}),
        ))
        .await;
        let oidc = fetcher(&[("login.example.com", discovery.url("/base/"))]);

        let (issuer, set) = oidc.jwks("Login.Example.com").await.expect("fetched");
        assert_eq!(issuer, "https://login.example.com");
        assert_eq!(set, keys());
        let asked = discovery.received().await;
        assert_eq!(
            (asked.method.as_str(), asked.path.as_str()),
            ("GET", "/base/.well-known/openid-configuration")
        );
        assert_eq!(jwks.received().await.path, "/keys.json");
    }

    #[tokio::test]
    async fn other_issuers_are_reached_over_https() {
        let addr = TestServer::unused_addr();
        let cause = unavailable(fetcher(&[]).jwks(&addr.to_string()).await);
        assert!(
            cause.contains(&format!("https://{addr}/.well-known/openid-configuration")),
            "{cause}"
        );
        for not_an_issuer in ["https://login.example.com", "", "login.example.com?x=1"] {
            assert!(
                matches!(
                    fetcher(&[]).jwks(not_an_issuer).await,
                    Err(OidcKeysError::UnknownIssuer)
                ),
                "{not_an_issuer:?}"
            );
        }
    }

    #[tokio::test]
    async fn oversize_slow_and_looping_answers_are_refused() {
        let big = TestServer::start(Answer::text(200, &" ".repeat(2 * 1024 * 1024))).await;
        let cause = unavailable(
            fetcher(&[("big.example", big.url("/"))])
                .jwks("big.example")
                .await,
        );
        assert!(cause.contains("over 1048576 bytes"), "{cause}");

        let slow =
            TestServer::start(Answer::json(200, json!({})).after(Duration::from_secs(3))).await;
        let cause = unavailable(
            fetcher(&[("slow.example", slow.url("/"))])
                .jwks("slow.example")
                .await,
        );
        assert!(cause.contains("no answer from"), "{cause}");

        let looping =
            TestServer::start(Answer::text(302, "").with_header("location", "/again")).await;
        let cause = unavailable(
            fetcher(&[("loop.example", looping.url("/"))])
                .jwks("loop.example")
                .await,
        );
        assert!(cause.contains("redirected too often"), "{cause}");
    }

    #[tokio::test]
    async fn documents_that_are_not_what_they_should_be_are_unavailable() {
        let no_keys = TestServer::start(Answer::json(200, json!({"keys": "none"}))).await;
        for (document, says) in [
            (json!({"jwks_uri": no_keys.url("/")}), "names no issuer"),
            (json!({"issuer": "https://i"}), "no https jwks_uri"),
            (
                json!({"issuer": "https://i", "jwks_uri": "ftp://i/keys"}),
                "no https jwks_uri",
            ),
            (
                json!({"issuer": "https://i", "jwks_uri": no_keys.url("/")}),
                "no \"keys\" array",
            ),
            (json!(["not", "an", "object"]), "other than a JSON object"),
        ] {
            let discovery = TestServer::start(Answer::json(200, document)).await;
            let cause = unavailable(
                fetcher(&[("i.example", discovery.url("/"))])
                    .jwks("i.example")
                    .await,
            );
            assert!(cause.contains(says), "{cause}");
        }
        let missing = TestServer::start(Answer::text(404, "not here")).await;
        let cause = unavailable(
            fetcher(&[("i.example", missing.url("/"))])
                .jwks("i.example")
                .await,
        );
        assert!(cause.contains("HTTP 404 from http://"), "{cause}");
    }
}
