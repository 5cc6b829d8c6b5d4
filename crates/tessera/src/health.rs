//! `tessera health`: asks a running server's `/ready` whether it can serve,
//! so a container's health check needs nothing but the binary.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::cli::HealthArgs;
use crate::config::DEFAULT_LISTEN;

/// The URL `/ready` is asked at: `--url`, else the listen address over HTTP.
pub fn ready_url(args: &HealthArgs) -> anyhow::Result<reqwest::Url> {
    let base = match &args.url {
        Some(url) => url.clone(),
        None => {
            let listen = args.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
            let addr: SocketAddr = listen
                .parse()
                .with_context(|| format!("listen address {listen:?} is not ADDR:PORT"))?;
            format!("http://{}", reachable(addr))
        }
    };
    let mut url = reqwest::Url::parse(&base).with_context(|| format!("{base:?} is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("{base} is not an http:// or https:// URL");
    }
    let path = format!("{}/ready", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url)
}

/// A server listening on every address is reached at loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// Ok when the server answers `/ready` with 200 in time.
pub async fn check(args: &HealthArgs) -> anyhow::Result<String> {
    let url = ready_url(args)?;
    let timeout = Duration::from_secs(args.timeout_seconds.max(1));
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("building an HTTP client")?;
    let response = client
        .get(url.clone())
        .send()
        .await
        .with_context(|| format!("{url} did not answer"))?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        bail!("{url} answered {status}: not ready");
    }
    Ok(format!("{url}: ready"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: Option<&str>, listen: Option<&str>) -> HealthArgs {
        HealthArgs {
            url: url.map(str::to_owned),
            listen: listen.map(str::to_owned),
            timeout_seconds: 5,
        }
    }

    #[test]
    fn the_listen_address_is_reached_at_loopback() {
        let url = |a: HealthArgs| ready_url(&a).expect("a URL").to_string();
        assert_eq!(url(args(None, None)), "http://127.0.0.1:9229/ready");
        assert_eq!(
            url(args(None, Some("0.0.0.0:8080"))),
            "http://127.0.0.1:8080/ready"
        );
        assert_eq!(
            url(args(None, Some("[::]:8080"))),
            "http://[::1]:8080/ready"
        );
        assert_eq!(
            url(args(Some("https://id.example.com/"), Some("0.0.0.0:1"))),
            "https://id.example.com/ready"
        );
        assert!(ready_url(&args(None, Some("nonsense"))).is_err());
        assert!(ready_url(&args(Some("ftp://x"), None)).is_err());
    }
}
