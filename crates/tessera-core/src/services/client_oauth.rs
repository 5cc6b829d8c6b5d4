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

/// Schemes a redirect may never use: they run script or read local files
/// rather than reach an application (compared lowercase).
const REFUSED_SCHEMES: [&str; 4] = ["javascript", "data", "vbscript", "file"];

/// The host of a hierarchical URL as RFC 3986 reads it
/// (`scheme://[userinfo@]host[:port]/…`: after the authority's last `@`,
/// before its port), lowercase; None without `//` or without a host.
fn rfc_host(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(_) => host_port.split_inclusive(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The host a browser goes to, read as the WHATWG URL standard reads it (the
/// `url` crate): a domain lowercase, an IPv4 address dotted, an IPv6 address
/// in brackets. None for what a browser could not parse or that has no host.
fn browser_host(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    Some(match parsed.host()? {
        url::Host::Domain(name) => name.to_ascii_lowercase(),
        url::Host::Ipv4(addr) => addr.to_string(),
        url::Host::Ipv6(addr) => format!("[{addr}]"),
    })
}

/// Cognito's rules for a redirect URL: absolute, no fragment, HTTPS unless it
/// goes to loopback; app schemes (`myapp://callback`) are allowed. Tessera
/// also refuses what browsers read differently from the text (backslashes,
/// whitespace, control characters) and the schemes that run script or open
/// files.
fn check_redirect_url(url: &str) -> Result<()> {
    let invalid =
        |why: &str| Error::InvalidParameter(format!("{url} is not a valid redirect URL: {why}."));
    // Browsers read `\` as `/` in http(s) URLs and drop tabs and newlines,
    // so the host a browser goes to could differ from the one checked.
    if url
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return Err(invalid(
            "it must not contain backslashes, whitespace or control characters",
        ));
    }
    let Some(scheme) = scheme(url) else {
        return Err(invalid("it must be an absolute URL"));
    };
    if REFUSED_SCHEMES.contains(&scheme.as_str()) {
        return Err(invalid(&format!("the {scheme} scheme is not allowed")));
    }
    if url.contains('#') {
        return Err(invalid("it must not have a fragment"));
    }
    if !matches!(scheme.as_str(), "http" | "https") {
        return Ok(());
    }
    let Some(host) = rfc_host(url) else {
        return Err(invalid("it has no host"));
    };
    let Some(browser) = browser_host(url) else {
        return Err(invalid("it is not a URL a browser can follow"));
    };
    // Plain HTTP only to loopback, and only when the text and a browser agree
    // on the host: `http://127.1/`, `http://%6Cocalhost/` and the like are
    // loopback to a browser but not by their letters, so they are refused.
    if scheme == "http" && !(host == browser && LOOPBACK_HOSTS.contains(&host.as_str())) {
        // The live service's words (quoted in many deployment notes, e.g.
        // "http://…s3-website-us-east-1.amazonaws.com cannot use the HTTP protocol.").
        return Err(Error::InvalidParameter(format!(
            "{url} cannot use the HTTP protocol."
        )));
    }
    Ok(())
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
            "http://user@localhost/cb",
            "http://localhost.evil.example@localhost:3000/cb",
            "https://user:pass@app.example.com/cb",
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
            (
                "http://localhost:80@evil.example/cb",
                "cannot use the HTTP protocol",
            ),
            // Loopback to a browser, but not by the letters checked.
            ("http://127.1/cb", "cannot use the HTTP protocol"),
            ("http://2130706433/cb", "cannot use the HTTP protocol"),
            ("http://%6Cocalhost/cb", "cannot use the HTTP protocol"),
            ("http://[0:0::1]/cb", "cannot use the HTTP protocol"),
            ("https://app.example.com/cb#frag", "fragment"),
            ("/relative/path", "absolute"),
            ("https:///nohost", "no host"),
            ("http:localhost/cb", "no host"),
            ("https://app.example.com:99999/cb", "browser can follow"),
        ] {
            match check_redirect_url(bad) {
                Err(Error::InvalidParameter(m)) => assert!(m.contains(says), "{bad}: {m}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn what_browsers_read_differently_and_script_schemes_are_refused() {
        for bad in [
            // A browser reads `\` as `/` and goes to evil.example.
            "http://evil.example\\@localhost/cb",
            "https://app.example.com\\@localhost/cb",
            "http://local\thost/cb",
            "http://localhost/c\nb",
            " http://localhost/cb",
            "http://localhost/cb\u{a0}",
            "http://localhost/\u{0}cb",
            "http://localhost/\u{85}cb",
        ] {
            match check_redirect_url(bad) {
                Err(Error::InvalidParameter(m)) => {
                    assert!(
                        m.contains("backslashes, whitespace or control"),
                        "{bad:?}: {m}"
                    )
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        for (bad, scheme) in [
            ("javascript:alert(1)", "javascript"),
            ("JavaScript://%0aalert(1)", "javascript"),
            ("data:text/html,hi", "data"),
            ("VBScript:msgbox", "vbscript"),
            ("file:///etc/passwd", "file"),
        ] {
            match check_redirect_url(bad) {
                Err(Error::InvalidParameter(m)) => assert!(
                    m.ends_with(&format!("the {scheme} scheme is not allowed.")),
                    "{bad}: {m}"
                ),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
