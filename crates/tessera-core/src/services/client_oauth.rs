//! What an app client's OAuth members may name: scopes the pool defines,
//! redirect URLs a browser may safely be sent to, identity providers the
//! pool has.

use super::Services;
use crate::domain::client_policy::OAuthSettings;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;

/// The scopes every pool has (CreateUserPoolClient's AllowedOAuthScopes).
pub const STANDARD_SCOPES: [&str; 5] = [
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// The identity provider of the pool's own users; federation adds others.
const COGNITO_PROVIDER: &str = "COGNITO";

/// Hosts a callback may reach over plain HTTP: the loopback names Cognito
/// allows for testing (CreateUserPoolClient's CallbackURLs).
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// A URL's scheme, lowercase, if it starts with one (RFC 3986 §3.1).
fn scheme(url: &str) -> Option<String> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (first_ok && rest_ok).then(|| scheme.to_ascii_lowercase())
}

/// The host of a hierarchical URL (`scheme://[user@]host[:port]/…`), lowercase.
fn host(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(_) => host_port.split_inclusive(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Cognito's rules for a redirect URL: absolute, no fragment, HTTPS unless it
/// goes to loopback; app schemes (`myapp://callback`) are allowed.
fn check_redirect_url(url: &str) -> Result<()> {
    let invalid =
        |why: &str| Error::InvalidParameter(format!("{url} is not a valid redirect URL: {why}."));
    let Some(scheme) = scheme(url) else {
        return Err(invalid("it must be an absolute URL"));
    };
    if url.contains('#') {
        return Err(invalid("it must not have a fragment"));
    }
    match scheme.as_str() {
        "http" => match host(url) {
            Some(host) if LOOPBACK_HOSTS.contains(&host.as_str()) => Ok(()),
            // The live service's words (quoted in many deployment notes, e.g.
            // "http://…s3-website-us-east-1.amazonaws.com cannot use the HTTP protocol.").
            _ => Err(Error::InvalidParameter(format!(
                "{url} cannot use the HTTP protocol."
            ))),
        },
        "https" if host(url).is_none() => Err(invalid("it has no host")),
        _ => Ok(()),
    }
}

impl Services {
    /// Checks a client's OAuth members against the pool they belong to.
    pub(crate) async fn check_client_oauth(
        &self,
        pool_id: &UserPoolId,
        oauth: &OAuthSettings,
    ) -> Result<()> {
        for provider in &oauth.identity_providers {
            if provider != COGNITO_PROVIDER {
                // lgallard/terraform-aws-cognito-user-pool#71 quotes it.
                return Err(Error::InvalidParameter(format!(
                    "The provider {provider} does not exist for User Pool {pool_id}."
                )));
            }
        }
        for url in oauth
            .callback_urls
            .iter()
            .chain(&oauth.logout_urls)
            .chain(&oauth.default_redirect_uri)
        {
            check_redirect_url(url)?;
        }
        if let Some(default) = &oauth.default_redirect_uri
            && !oauth.callback_urls.contains(default)
        {
            return Err(Error::InvalidParameter(format!(
                "DefaultRedirectURI {default} must be one of the CallbackURLs."
            )));
        }
        let custom: Vec<&String> = oauth
            .scopes
            .iter()
            .filter(|s| !STANDARD_SCOPES.contains(&s.as_str()))
            .collect();
        if !custom.is_empty() {
            let defined = self.resource_server_scopes(pool_id).await?;
            if let Some(unknown) = custom.into_iter().find(|s| !defined.contains(*s)) {
                // awsdocs/aws-cloudformation-user-guide#564 quotes it.
                return Err(Error::ScopeDoesNotExist(format!(
                    "Invalid scope requested: {unknown}"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_urls_are_absolute_without_fragment_and_https_off_loopback() {
        for ok in [
            "https://app.example.com/callback?x=1",
            "http://localhost:3000/cb",
            "http://127.0.0.1/cb",
            "http://[::1]:8080/",
            "HTTP://LOCALHOST/cb",
            "myapp://callback",
            "com.example.app:/oauth",
        ] {
            assert!(check_redirect_url(ok).is_ok(), "{ok}");
        }
        for (bad, says) in [
            ("http://app.example.com/cb", "cannot use the HTTP protocol"),
            (
                "http://localhost.evil.example/cb",
                "cannot use the HTTP protocol",
            ),
            (
                "http://localhost@evil.example/cb",
                "cannot use the HTTP protocol",
            ),
            ("https://app.example.com/cb#frag", "fragment"),
            ("/relative/path", "absolute"),
            ("https:///nohost", "no host"),
        ] {
            match check_redirect_url(bad) {
                Err(Error::InvalidParameter(m)) => assert!(m.contains(says), "{bad}: {m}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
