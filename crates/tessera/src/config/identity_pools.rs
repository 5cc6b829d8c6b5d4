//! `[identity_pools]`: where identity pools' AWS credentials come from, and
//! where OpenID Connect providers' keys are fetched.
//!
//! ```toml
//! [identity_pools]
//! credentials = "sts"                      # "none" (default) | "sts" | "local"
//! sts_endpoint = "http://127.0.0.1:5000"   # required with "sts"
//! [identity_pools.oidc_issuers]
//! "login.example.com" = "http://127.0.0.1:7000"
//! [identity_pools.oidc_client_ids]
//! "login.example.com" = ["my-app"]
//! ```
//!
//! `credentials` and `sts_endpoint` are layered on their own (file, then
//! `TESSERA_IDENTITY_CREDENTIALS` / `TESSERA_IDENTITY_STS_ENDPOINT`); whether
//! they combine into a credential source is decided once every layer is in.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use reqwest::Url;
use schemars::JsonSchema;
use serde::Deserialize;

/// Where identity pools' AWS credentials come from, and which OpenID Connect
/// providers are reached somewhere other than their issuer URL.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityPoolsFile {
    /// Where GetCredentialsForIdentity gets AWS credentials: `none` (it
    /// answers `InvalidIdentityPoolConfigurationException`), `sts` (STS's
    /// `AssumeRoleWithWebIdentity` at `sts_endpoint`) or `local` (minted by
    /// this server for local development; AWS does not accept them). Also
    /// `TESSERA_IDENTITY_CREDENTIALS`.
    #[schemars(extend("default" = "none"))]
    pub credentials: Option<CredentialsSetting>,
    /// The STS-compatible endpoint, an `http://` or `https://` URL (e.g.
    /// `https://sts.us-east-1.amazonaws.com`); required with `credentials =
    /// "sts"`. Also `TESSERA_IDENTITY_STS_ENDPOINT`.
    pub sts_endpoint: Option<String>,
    /// Base URLs to fetch OpenID Connect providers' discovery documents and
    /// keys from, by issuer (`host[/path]`, as identity pools name the
    /// provider), in place of `https://{issuer}`: for tests and air-gapped
    /// installs, e.g. `"login.example.com" = "http://127.0.0.1:7000"`.
    #[serde(default)]
    pub oidc_issuers: BTreeMap<String, String>,
    /// The client ids an OpenID Connect provider's ID tokens must be issued
    /// to (their `aud`), by issuer (`host[/path]`): what IAM's OIDC provider
    /// registration lists for Cognito. A provider of an identity pool's
    /// `OpenIdConnectProviderARNs` with none here is refused.
    #[serde(default)]
    pub oidc_client_ids: BTreeMap<String, Vec<String>>,
}

/// `credentials` as written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CredentialsSetting {
    /// No credentials: GetCredentialsForIdentity is refused.
    #[default]
    None,
    /// `AssumeRoleWithWebIdentity` at `sts_endpoint`.
    Sts,
    /// Credentials minted locally, shaped like STS's, valid nowhere.
    Local,
}

impl CredentialsSetting {
    /// Reads `TESSERA_IDENTITY_CREDENTIALS`.
    pub fn parse(value: &str) -> anyhow::Result<Self> {
        match value {
            "none" => Ok(Self::None),
            "sts" => Ok(Self::Sts),
            "local" => Ok(Self::Local),
            other => {
                bail!("identity pool credentials must be `none`, `sts` or `local`, not {other:?}")
            }
        }
    }
}

/// The settings as layered, before they are checked together.
#[derive(Debug, Clone, Default)]
pub struct IdentityPoolSettings {
    pub credentials: CredentialsSetting,
    pub sts_endpoint: Option<Url>,
    /// Base URLs by issuer (`host[/path]`, lowercase host).
    pub oidc_issuers: BTreeMap<String, Url>,
    /// Accepted `aud` values by issuer (`host[/path]`, lowercase host).
    pub oidc_client_ids: BTreeMap<String, Vec<String>>,
}

/// The credential source the server builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSourceChoice {
    None,
    Sts(Url),
    Local,
}

impl IdentityPoolSettings {
    /// The credential source to build, once every layer is in.
    pub fn credential_source(&self) -> anyhow::Result<CredentialSourceChoice> {
        match (self.credentials, &self.sts_endpoint) {
            (CredentialsSetting::None, _) => Ok(CredentialSourceChoice::None),
            (CredentialsSetting::Local, _) => Ok(CredentialSourceChoice::Local),
            (CredentialsSetting::Sts, Some(endpoint)) => {
                Ok(CredentialSourceChoice::Sts(endpoint.clone()))
            }
            (CredentialsSetting::Sts, None) => bail!(
                "[identity_pools] credentials = \"sts\" needs `sts_endpoint` \
                 (or TESSERA_IDENTITY_STS_ENDPOINT): the STS-compatible URL to call"
            ),
        }
    }
}

/// The file's section, each value checked on its own.
pub fn resolve(file: IdentityPoolsFile) -> anyhow::Result<IdentityPoolSettings> {
    let sts_endpoint = file
        .sts_endpoint
        .as_deref()
        .map(|v| sts_endpoint(v, "[identity_pools] sts_endpoint"))
        .transpose()?;
    let mut oidc_issuers = BTreeMap::new();
    for (issuer, base) in file.oidc_issuers {
        let what = format!("[identity_pools.oidc_issuers] {issuer:?}");
        let key = issuer_key(&issuer).with_context(|| what.clone())?;
        let base = http_url(&base, &what)?;
        if base.query().is_some() || base.fragment().is_some() {
            bail!("{what}: the base URL must have no query or fragment");
        }
        oidc_issuers.insert(key, base);
    }
    let mut oidc_client_ids = BTreeMap::new();
    for (issuer, ids) in file.oidc_client_ids {
        let what = format!("[identity_pools.oidc_client_ids] {issuer:?}");
        let key = issuer_key(&issuer).with_context(|| what.clone())?;
        if ids.iter().any(|id| id.is_empty()) {
            bail!("{what}: a client id is empty");
        }
        oidc_client_ids.insert(key, ids);
    }
    Ok(IdentityPoolSettings {
        credentials: file.credentials.unwrap_or_default(),
        sts_endpoint,
        oidc_issuers,
        oidc_client_ids,
    })
}

/// `sts_endpoint` or `TESSERA_IDENTITY_STS_ENDPOINT` (named by `what`).
pub fn sts_endpoint(value: &str, what: &str) -> anyhow::Result<Url> {
    let url = http_url(value, what)?;
    if url.query().is_some() || url.fragment().is_some() {
        bail!("{what} must be scheme://host[:port][/path], without a query or fragment");
    }
    Ok(url)
}

/// An http:// or https:// URL with a host and no user name or password.
/// Errors name the setting, never quote the value: a URL may carry a secret.
fn http_url(value: &str, what: &str) -> anyhow::Result<Url> {
    let url = Url::parse(value).map_err(|e| anyhow::anyhow!("{what} is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("{what} is not an http:// or https:// URL");
    }
    if url.host_str().is_none() {
        bail!("{what} names no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        bail!("{what} must not carry a user name or password");
    }
    Ok(url)
}

/// An issuer as identity pools name it: `host[:port][/path]`, without a
/// scheme. The host is lowercased (host names have no case); the path is kept.
pub fn issuer_key(issuer: &str) -> anyhow::Result<String> {
    if issuer.contains("://") {
        bail!("not an issuer (host[/path], without a scheme)");
    }
    let url = Url::parse(&format!("https://{issuer}")).ok().filter(|u| {
        u.host_str().is_some()
            && u.username().is_empty()
            && u.password().is_none()
            && u.query().is_none()
            && u.fragment().is_none()
    });
    let Some(url) = url else {
        bail!("not an issuer (host[/path], without a scheme)");
    };
    let host = url.host_str().unwrap_or_default();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path().trim_end_matches('/');
    Ok(format!("{host}{port}{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FileConfig;

    fn parse(toml: &str) -> anyhow::Result<IdentityPoolSettings> {
        let file: FileConfig = toml::from_str(toml)?;
        resolve(file.identity_pools)
    }

    fn refused(toml: &str) -> String {
        format!("{:#}", parse(toml).expect_err("refused"))
    }

    #[test]
    fn oidc_client_ids_are_keyed_by_issuer() {
        let settings = parse(
            "[identity_pools.oidc_client_ids]\n\"Login.Example.com/tenant\" = [\"app-1\", \"app-2\"]\n",
        )
        .expect("valid");
        assert_eq!(
            settings.oidc_client_ids.get("login.example.com/tenant"),
            Some(&vec!["app-1".to_owned(), "app-2".to_owned()])
        );
        assert!(
            refused("[identity_pools.oidc_client_ids]\n\"login.example.com\" = [\"\"]\n")
                .contains("empty")
        );
        assert!(
            refused("[identity_pools.oidc_client_ids]\n\"https://login.example.com\" = [\"a\"]\n")
                .contains("not an issuer")
        );
    }

    #[test]
    fn nothing_configured_means_no_credentials_and_no_overrides() {
        let settings = parse("").expect("valid");
        assert_eq!(settings.credentials, CredentialsSetting::None);
        assert_eq!(
            settings.credential_source().expect("valid"),
            CredentialSourceChoice::None
        );
        assert!(settings.oidc_issuers.is_empty());
    }

    #[test]
    fn every_setting_parses() {
        let settings = parse(
            r#"
            [identity_pools]
            credentials = "sts"
            sts_endpoint = "http://127.0.0.1:5000"
            [identity_pools.oidc_issuers]
            "Login.Example.com" = "http://127.0.0.1:7000"
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC/" = "http://127.0.0.1:7001/pool"
            "#,
        )
        .expect("valid");
        assert_eq!(
            settings.credential_source().expect("valid"),
            CredentialSourceChoice::Sts("http://127.0.0.1:5000".parse().expect("url"))
        );
        let issuers: Vec<(&str, &str)> = settings
            .oidc_issuers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            issuers,
            [
                (
                    "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC",
                    "http://127.0.0.1:7001/pool"
                ),
                ("login.example.com", "http://127.0.0.1:7000/"),
            ]
        );
        let local = parse("[identity_pools]\ncredentials = \"local\"\n").expect("valid");
        assert_eq!(
            local.credential_source().expect("valid"),
            CredentialSourceChoice::Local
        );
    }

    #[test]
    fn sts_needs_an_http_endpoint() {
        let missing = parse("[identity_pools]\ncredentials = \"sts\"\n")
            .expect("layered")
            .credential_source()
            .expect_err("refused");
        assert!(
            missing.to_string().contains("needs `sts_endpoint`"),
            "{missing}"
        );
        for (endpoint, says) in [
            ("ftp://sts.example.com", "not an http:// or https:// URL"),
            ("sts.example.com", "not a URL"),
            ("https://sts.example.com/?Action=x", "without a query"),
            ("https://user:pw@sts.example.com", "user name or password"),
        ] {
            let err = refused(&format!(
                "[identity_pools]\ncredentials = \"sts\"\nsts_endpoint = {endpoint:?}\n"
            ));
            assert!(err.contains("sts_endpoint") && err.contains(says), "{err}");
        }
        assert!(
            !refused(
                "[identity_pools]\ncredentials = \"sts\"\nsts_endpoint = \"https://u:hunter2@h\"\n"
            )
            .contains("hunter2")
        );
    }

    #[test]
    fn unknown_values_and_keys_are_refused() {
        assert!(refused("[identity_pools]\ncredentials = \"aws\"\n").contains("aws"));
        assert!(refused("[identity_pools]\nsts_url = \"http://h\"\n").contains("sts_url"));
        let err = refused("[identity_pools.oidc_issuers]\n\"login.example.com\" = \"file:///x\"\n");
        assert!(err.contains("login.example.com"), "{err}");
        let err = refused(
            "[identity_pools.oidc_issuers]\n\"https://login.example.com\" = \"http://h\"\n",
        );
        assert!(err.contains("not an issuer"), "{err}");
        assert_eq!(
            CredentialsSetting::parse("local").expect("valid"),
            CredentialsSetting::Local
        );
        let err = CredentialsSetting::parse("STS").expect_err("refused");
        assert!(
            err.to_string().contains("`none`, `sts` or `local`"),
            "{err}"
        );
    }
}
