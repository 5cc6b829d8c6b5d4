//! User-pool domains: a prefix (`myapp`, served at `myapp.<base domain>`) or
//! a custom domain (`auth.example.com`, served wherever its DNS points at
//! this server), at most one of each per pool and each unique across pools;
//! and which pool a request's `Host` names.

use serde_json::{Map, Value, json};

use super::Services;
use crate::domain::oauth::PoolDomain;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::store::{Conflict, StoreError};

/// CreateUserPoolDomain / UpdateUserPoolDomain, parsed.
pub struct DomainInput {
    pub pool_id: UserPoolId,
    pub domain: String,
    /// `CustomDomainConfig` as sent: only custom domains have one.
    pub custom_domain_config: Option<Map<String, Value>>,
    pub managed_login_version: Option<i64>,
}

/// A domain as the domain operations describe it.
pub struct DomainView {
    pub domain: PoolDomain,
    /// 1 (the classic hosted UI) or 2 (managed login).
    pub managed_login_version: i64,
    /// What a custom domain's DNS alias points at: this server's public
    /// host, where Cognito names its CloudFront distribution. None for a
    /// prefix, which Tessera serves under its base domain.
    pub alias_target: Option<String>,
}

/// The pool a hosted request is for, and which pages its domain serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedDomain {
    pub pool_id: UserPoolId,
    /// 1 (the classic hosted UI) or 2 (managed login).
    pub managed_login_version: i64,
}

fn stored_version(domain: &PoolDomain) -> i64 {
    domain
        .settings
        .get("ManagedLoginVersion")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

fn hosted(domain: PoolDomain) -> HostedDomain {
    HostedDomain {
        managed_login_version: stored_version(&domain),
        pool_id: domain.pool_id,
    }
}

/// Cognito's words for a prefix outside its pattern (quoted in
/// mineiros-io/terraform-aws-cognito-user-pool#69).
const INVALID_PREFIX: &str = "The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$";

/// Words a prefix may not contain anywhere (aws-amplify/amplify-cli#3854:
/// `newcognito` is refused).
const RESERVED_WORDS: [&str; 3] = ["aws", "amazon", "cognito"];

fn no_such_domain() -> Error {
    // What Update and Delete say of a domain the pool does not have, and of
    // a pool that does not exist (aws-amplify/amplify-cli's hosted-UI tests).
    Error::InvalidParameter("No such domain or user pool exists.".into())
}

/// `^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`: one DNS label, lowercase.
fn is_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    let inner_ok = bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
    inner_ok
        && (1..=63).contains(&bytes.len())
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
}

fn prefix_name(domain: &str) -> Result<String> {
    if !is_label(domain) {
        return Err(Error::InvalidParameter(INVALID_PREFIX.into()));
    }
    if let Some(word) = RESERVED_WORDS.iter().find(|w| domain.contains(*w)) {
        return Err(Error::InvalidParameter(format!(
            "Domain cannot contain reserved word: {word}"
        )));
    }
    Ok(domain.to_owned())
}

/// A custom domain is a fully-qualified name of two labels or more; DNS names
/// are case-insensitive, so it is kept lowercase. An all-digit last label
/// makes an IPv4 address, not a domain name.
fn custom_name(domain: &str) -> Result<String> {
    let name = domain.to_ascii_lowercase();
    let numeric_tld = name
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()));
    if name.split('.').count() < 2 || !name.split('.').all(is_label) || numeric_tld {
        return Err(Error::InvalidParameter(format!(
            "The custom domain {domain} is not a fully-qualified domain name."
        )));
    }
    Ok(name)
}

/// Whether `name` is the base domain or a name under it, where only prefix
/// domains are served (both lowercase, without trailing dot).
fn under_base_domain(name: &str, base: &str) -> bool {
    name == base
        || name
            .strip_suffix(base)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// A custom domain may not take a name this server already answers for: the
/// base domain or any name under it (a prefix's, taken or not yet), nor the
/// host of the public URL (Tessera's words: Cognito's own base domain and
/// endpoints are not names a customer could hold).
fn check_custom_name_is_free(name: &str, base: &str, public_host: &str) -> Result<()> {
    let base = host_name(base);
    if under_base_domain(name, &base) {
        return Err(Error::InvalidParameter(format!(
            "The custom domain {name} cannot be {base} or a name under it: prefix domains are served there."
        )));
    }
    if name == public_host {
        return Err(Error::InvalidParameter(format!(
            "The custom domain {name} is the host of this server's public URL."
        )));
    }
    Ok(())
}

fn managed_login_version(version: Option<i64>) -> Result<i64> {
    match version.unwrap_or(1) {
        v @ (1 | 2) => Ok(v),
        v => Err(Error::InvalidParameter(format!(
            "ManagedLoginVersion {v} is not valid: use 1 (hosted UI classic) or 2 (managed login)."
        ))),
    }
}

/// The host part of a `Host` header: without the port, without a trailing
/// dot, lowercase.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = match host.strip_prefix('[') {
        // An IPv6 literal: never a pool's domain, but not to be cut at a colon.
        Some(_) => host.split_inclusive(']').next().unwrap_or(host),
        None => host.split(':').next().unwrap_or(host),
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The host of a URL (`http://id.example.com:9229/x` → `id.example.com`).
fn url_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    host_name(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

impl Services {
    /// The domain prefix domains are served under.
    pub fn oauth_base_domain(&self) -> &str {
        &self.deployment.oauth_base_domain
    }

    /// The pool whose domain `host` (a `Host` header, port and all) names:
    /// `<prefix>.<base domain>` or a custom domain, without regard to case.
    pub async fn pool_for_host(&self, host: &str) -> Result<Option<HostedDomain>> {
        let name = host_name(host);
        let prefix = name
            .strip_suffix(self.oauth_base_domain())
            .and_then(|rest| rest.strip_suffix('.'))
            .filter(|p| !p.is_empty() && !p.contains('.'));
        if let Some(prefix) = prefix
            && let Some(found) = self.find_domain(prefix).await?
            && !found.custom
        {
            return Ok(Some(hosted(found)));
        }
        // Names under the base domain and the public host are never a custom
        // domain's, even one stored before they were refused.
        if under_base_domain(&name, &host_name(self.oauth_base_domain()))
            || name == url_host(&self.deployment.public_url)
        {
            return Ok(None);
        }
        Ok(self
            .find_domain(&name)
            .await?
            .filter(|d| d.custom)
            .map(hosted))
    }

    async fn find_domain(&self, name: &str) -> Result<Option<PoolDomain>> {
        match self.store.get_domain(name).await {
            Ok(found) => Ok(Some(found)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn domain_view(&self, domain: PoolDomain) -> DomainView {
        let managed_login_version = stored_version(&domain);
        let alias_target = domain.custom.then(|| url_host(&self.deployment.public_url));
        DomainView {
            domain,
            managed_login_version,
            alias_target,
        }
    }

    pub async fn create_domain(&self, input: DomainInput) -> Result<DomainView> {
        self.pool(&input.pool_id).await?;
        let custom = input.custom_domain_config.is_some();
        let name = if custom {
            let name = custom_name(&input.domain)?;
            check_custom_name_is_free(
                &name,
                self.oauth_base_domain(),
                &url_host(&self.deployment.public_url),
            )?;
            name
        } else {
            prefix_name(&input.domain)?
        };
        let version = managed_login_version(input.managed_login_version)?;
        let existing = self.store.pool_domains(&input.pool_id).await?;
        if existing.iter().any(|d| d.custom == custom) {
            // aws/aws-cdk#10062 quotes it.
            return Err(Error::InvalidParameter(
                "User pool already has a domain configured.".into(),
            ));
        }
        let mut settings = Map::new();
        settings.insert("ManagedLoginVersion".into(), json!(version));
        if let Some(config) = input.custom_domain_config {
            settings.insert("CustomDomainConfig".into(), Value::Object(config));
        }
        let domain = PoolDomain {
            domain: name,
            pool_id: input.pool_id,
            custom,
            settings: Value::Object(settings),
        };
        self.store
            .create_domain(&domain)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(Conflict::Domain) => Error::InvalidParameter(
                    "Domain already associated with another user pool.".into(),
                ),
                other => other.into(),
            })?;
        Ok(self.domain_view(domain))
    }

    /// None for a domain no pool has: Cognito then describes it as `{}`.
    pub async fn describe_domain(&self, domain: &str) -> Result<Option<DomainView>> {
        let found = self.find_domain(&domain.to_ascii_lowercase()).await?;
        Ok(found.map(|d| self.domain_view(d)))
    }

    /// The pool's own domain by that name.
    async fn pool_domain(&self, pool_id: &UserPoolId, domain: &str) -> Result<PoolDomain> {
        self.find_domain(&domain.to_ascii_lowercase())
            .await?
            .filter(|d| &d.pool_id == pool_id)
            .ok_or_else(no_such_domain)
    }

    /// Changes the managed-login version and a custom domain's certificate;
    /// a domain's name never changes.
    pub async fn update_domain(&self, input: DomainInput) -> Result<DomainView> {
        let mut domain = self.pool_domain(&input.pool_id, &input.domain).await?;
        let settings = domain.settings.as_object_mut().ok_or_else(|| {
            Error::Internal(format!("domain {} has no settings object", domain.domain))
        })?;
        if let Some(config) = input.custom_domain_config {
            if !domain.custom {
                // aws/aws-cdk#25712 quotes it.
                return Err(Error::InvalidParameter(
                    "User pool should have a custom domain associated, failed to update the certificate."
                        .into(),
                ));
            }
            settings.insert("CustomDomainConfig".into(), Value::Object(config));
        }
        if input.managed_login_version.is_some() {
            let version = managed_login_version(input.managed_login_version)?;
            settings.insert("ManagedLoginVersion".into(), json!(version));
        }
        self.store
            .update_domain(&domain)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => no_such_domain(),
                other => other.into(),
            })?;
        Ok(self.domain_view(domain))
    }

    pub async fn delete_domain(&self, pool_id: &UserPoolId, domain: &str) -> Result<()> {
        let found = self.pool_domain(pool_id, domain).await?;
        self.store
            .delete_domain(pool_id, &found.domain)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => no_such_domain(),
                other => other.into(),
            })
    }

    /// The pool's prefix and custom domain, for DescribeUserPool.
    pub(crate) async fn domain_names(
        &self,
        pool_id: &UserPoolId,
    ) -> Result<(Option<String>, Option<String>)> {
        let domains = self.store.pool_domains(pool_id).await?;
        let name = |custom: bool| {
            domains
                .iter()
                .find(|d| d.custom == custom)
                .map(|d| d.domain.clone())
        };
        Ok((name(false), name(true)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_follow_cognitos_pattern_and_avoid_its_reserved_words() {
        assert_eq!(prefix_name("my-app-1").ok().as_deref(), Some("my-app-1"));
        let too_long = "a".repeat(64);
        for bad in [
            "MyApp",
            "my_app",
            "-app",
            "app-",
            "a.b",
            "",
            too_long.as_str(),
        ] {
            assert!(
                matches!(prefix_name(bad), Err(Error::InvalidParameter(m)) if m == INVALID_PREFIX),
                "{bad:?}"
            );
        }
        for (name, word) in [
            ("newcognito", "cognito"),
            ("my-aws-app", "aws"),
            ("amazonia", "amazon"),
        ] {
            assert!(
                matches!(prefix_name(name), Err(Error::InvalidParameter(m)) if m.ends_with(word)),
                "{name}"
            );
        }
    }

    #[test]
    fn custom_domains_are_lowercase_fully_qualified_names() {
        assert_eq!(
            custom_name("Auth.Example.com").ok().as_deref(),
            Some("auth.example.com")
        );
        for bad in [
            "example",
            "auth..example.com",
            "auth.-x.com",
            "auth.exa_mple.com",
            "10.0.0.1",
            "127.0.0.1",
        ] {
            assert!(custom_name(bad).is_err(), "{bad:?}");
        }
        assert!(custom_name("auth.example.com1").is_ok());
    }

    #[test]
    fn custom_domains_stay_off_the_base_domain_and_the_public_host() {
        let check =
            |name: &str| check_custom_name_is_free(name, "auth.localhost", "id.example.com");
        for ok in [
            "auth.example.com",
            "auth.localhost.example.com",
            "myauth.localhost",
            "xauth.localhost",
            "example.id.example.com",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        for (bad, says) in [
            (
                "auth.localhost",
                "cannot be auth.localhost or a name under it",
            ),
            (
                "myapp.auth.localhost",
                "cannot be auth.localhost or a name under it",
            ),
            (
                "a.b.auth.localhost",
                "cannot be auth.localhost or a name under it",
            ),
            ("id.example.com", "is the host of this server's public URL"),
        ] {
            match check(bad) {
                Err(Error::InvalidParameter(m)) => assert!(m.contains(says), "{bad}: {m}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        // A base domain configured with capitals or a trailing dot is the same name.
        assert!(check_custom_name_is_free("x.auth.localhost", "Auth.Localhost.", "h").is_err());
    }

    #[test]
    fn host_headers_lose_port_case_and_trailing_dot() {
        assert_eq!(
            host_name("MyApp.Auth.Localhost:9229"),
            "myapp.auth.localhost"
        );
        assert_eq!(host_name("auth.example.com."), "auth.example.com");
        assert_eq!(host_name("[::1]:9229"), "[::1]");
        assert_eq!(url_host("http://127.0.0.1:9229/x"), "127.0.0.1");
        assert_eq!(url_host("https://id.example.com"), "id.example.com");
    }
}
