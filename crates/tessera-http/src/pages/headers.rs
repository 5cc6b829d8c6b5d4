//! The headers every page carries: nothing cached, nothing framed, nothing
//! run, and nothing loaded or posted anywhere but where the page says.

use axum::response::Response;
use http::{HeaderValue, header};

/// What a page's Content-Security-Policy allows beyond its own origin.
#[derive(Debug, Default, Clone)]
pub struct PagePolicy {
    /// The origin (or scheme) of the client's redirect URI, for pages whose
    /// POST ends in the redirect back to the client: Chromium checks
    /// `form-action` against every redirect a form submission follows.
    pub redirect_target: Option<String>,
    /// The nonce of the inline `<style>` that carries the pool's own CSS.
    pub style_nonce: Option<String>,
}

impl PagePolicy {
    fn content_security_policy(&self) -> String {
        let style = match &self.style_nonce {
            Some(nonce) => format!("style-src 'self' 'nonce-{nonce}'"),
            None => "style-src 'self'".to_owned(),
        };
        let form_action = match &self.redirect_target {
            Some(target) => format!("form-action 'self' {target}"),
            None => "form-action 'self'".to_owned(),
        };
        format!(
            "default-src 'none'; {style}; img-src 'self' data:; {form_action}; frame-ancestors 'none'; base-uri 'none'"
        )
    }
}

/// Adds the page headers to `response`.
pub fn apply(response: &mut Response, policy: &PagePolicy) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(csp) = HeaderValue::from_str(&policy.content_security_policy()) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// The CSP source expression for a redirect URI: `scheme://host[:port]` for
/// http(s), `scheme:` for an app's own scheme (`myapp://callback`). None for
/// anything that does not parse as one, so no text from a client's settings
/// can add a directive to the policy.
pub fn redirect_source(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once(':')?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Some(format!("{scheme}:"));
    }
    let authority = rest.strip_prefix("//")?;
    let authority = authority.split(['/', '?', '#']).next().unwrap_or(authority);
    // Userinfo has no place in a source expression.
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host_ok = !host_port.is_empty()
        && host_port
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    host_ok.then(|| format!("{scheme}://{}", host_port.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_sources_are_origins_or_schemes() {
        assert_eq!(
            redirect_source("http://localhost:3000/callback?x=1").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(
            redirect_source("HTTPS://App.Example.com/cb").as_deref(),
            Some("https://app.example.com")
        );
        assert_eq!(
            redirect_source("myapp://callback").as_deref(),
            Some("myapp:")
        );
        assert_eq!(redirect_source("https://a.example; script-src *"), None);
        assert_eq!(redirect_source("https://"), None);
        assert_eq!(redirect_source("no scheme"), None);
    }

    #[test]
    fn the_policy_adds_the_redirect_origin_and_style_nonce() {
        let csp = PagePolicy {
            redirect_target: Some("http://localhost:3000".into()),
            style_nonce: Some("abc".into()),
        }
        .content_security_policy();
        assert!(csp.contains("form-action 'self' http://localhost:3000;"));
        assert!(csp.contains("style-src 'self' 'nonce-abc';"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.starts_with("default-src 'none';"));
    }
}
