//! The self-signed certificate for local HTTPS: generated on first start
//! into `<data dir>/tls/` (the key readable by its owner only) and served
//! again on every start after, so that trusting it once is enough. It is
//! replaced, with a warning, only when it no longer fits: unreadable, about
//! to expire, or not naming a host the server is now reached at.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use rcgen::{CertificateParams, DnType, ExtendedKeyUsagePurpose, KeyPair};
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use tessera_core::clock::Timestamp;

use super::load_certified_key;

/// Under the data directory.
pub const DIR: &str = "tls";
const CERT_FILE: &str = "cert.pem";
const KEY_FILE: &str = "key.pem";

/// Apple's platforms refuse TLS server certificates valid for longer than
/// 825 days, even ones the user trusts by hand.
const VALIDITY_DAYS: i64 = 820;
/// A certificate this close to expiring is replaced at start rather than
/// left to fail while the server runs.
const RENEW_WITHIN_DAYS: i64 = 30;
/// Backdating covers clients whose clocks are a little behind.
const BACKDATE_DAYS: i64 = 1;
/// A wildcard covers any one label; this one stands for all of them when
/// checking that a kept certificate still has the wildcard.
const WILDCARD_PROBE: &str = "tessera-probe";

/// The names the certificate is for: loopback by every name local clients
/// use for it, every prefix domain (a wildcard matches exactly the one
/// label a prefix is), and the host the public URL names.
pub fn subject_alt_names(oauth_base_domain: &str, public_host: Option<&str>) -> Vec<String> {
    let mut names: Vec<String> = vec![
        "localhost".into(),
        "*.localhost".into(),
        format!("*.{oauth_base_domain}"),
        "127.0.0.1".into(),
        "::1".into(),
    ];
    names.extend(public_host.map(str::to_owned));
    let mut seen = std::collections::HashSet::new();
    names.retain(|name| seen.insert(name.clone()));
    names
}

/// The host a URL names (an IPv6 address without its brackets), lowercase.
pub fn url_host(public_url: &str) -> Option<String> {
    let url = url::Url::parse(public_url).ok()?;
    Some(match url.host()? {
        url::Host::Domain(name) => name.to_ascii_lowercase(),
        url::Host::Ipv4(ip) => ip.to_string(),
        url::Host::Ipv6(ip) => ip.to_string(),
    })
}

/// The kept certificate when it still fits `names`, else a new one, written
/// to `dir`; either way the log says where it is and how to trust it.
pub fn load_or_create(
    dir: &Path,
    names: &[String],
    now: Timestamp,
    provider: &Arc<CryptoProvider>,
) -> anyhow::Result<CertifiedKey> {
    let cert_path = dir.join(CERT_FILE);
    let key_path = dir.join(KEY_FILE);
    if cert_path.exists() || key_path.exists() {
        let kept = load_certified_key(&cert_path, &key_path, provider)
            .and_then(|kept| fits(&kept, names, now, provider).map(|()| kept));
        match kept {
            Ok(kept) => {
                log_trust(&cert_path, "serving HTTPS with the self-signed certificate");
                return Ok(kept);
            }
            Err(e) => tracing::warn!(
                cert = %cert_path.display(),
                "replacing the self-signed certificate ({e:#}); \
                 clients that trusted the old one must trust the new one"
            ),
        }
    }
    let (cert_pem, key_pem) = generate(names, now)?;
    create_dir(dir)?;
    // The key first: a start interrupted between the two leaves a pair that
    // does not match, which the next start replaces.
    write_atomically(&key_path, key_pem.as_bytes(), 0o600)?;
    write_atomically(&cert_path, cert_pem.as_bytes(), 0o644)?;
    let created = load_certified_key(&cert_path, &key_path, provider)?;
    log_trust(
        &cert_path,
        "generated a self-signed certificate and serving HTTPS with it",
    );
    Ok(created)
}

fn log_trust(cert_path: &Path, what: &str) {
    tracing::info!(
        cert = %cert_path.display(),
        "{what}; to trust it, point SSL_CERT_FILE, REQUESTS_CA_BUNDLE, AWS_CA_BUNDLE or \
         NODE_EXTRA_CA_CERTS at {}, or add it to the system's trust store (see the README)",
        cert_path.display()
    );
}

/// A certificate (PEM) for `names` and its private key (PKCS#8 PEM).
fn generate(names: &[String], now: Timestamp) -> anyhow::Result<(String, String)> {
    let now = time::OffsetDateTime::from_unix_timestamp(now.millis().div_euclid(1000))
        .context("the clock is outside the range of certificate dates")?;
    let mut params =
        CertificateParams::new(names.to_vec()).context("naming the self-signed certificate")?;
    params.not_before = now - time::Duration::days(BACKDATE_DAYS);
    params.not_after = now + time::Duration::days(VALIDITY_DAYS);
    params
        .distinguished_name
        .push(DnType::CommonName, "Tessera local development");
    // Apple's platforms also require the server-authentication usage.
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .context("generating the self-signed certificate's key")?;
    let cert = params
        .self_signed(&key)
        .context("signing the self-signed certificate")?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Whether a client trusting `kept` accepts it for every name, now and for
/// the next `RENEW_WITHIN_DAYS`: checked as rustls checks a server.
fn fits(
    kept: &CertifiedKey,
    names: &[String],
    now: Timestamp,
    provider: &Arc<CryptoProvider>,
) -> anyhow::Result<()> {
    let cert = kept.end_entity_cert()?;
    let mut roots = RootCertStore::empty();
    roots.add(cert.clone())?;
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .context("checking the kept certificate")?;
    let soon = now.plus_seconds(RENEW_WITHIN_DAYS * 24 * 60 * 60);
    for at in [now, soon] {
        let unix = UnixTime::since_unix_epoch(Duration::from_millis(
            u64::try_from(at.millis()).unwrap_or(0),
        ));
        for name in names {
            let probe = match name.strip_prefix("*.") {
                // rustls, like OpenSSL, honours no wildcard directly under a
                // top-level name (`*.localhost`): there is nothing to check.
                // Such a name is in the certificate for laxer clients.
                Some(parent) if !parent.contains('.') => continue,
                Some(parent) => format!("{WILDCARD_PROBE}.{parent}"),
                None => name.clone(),
            };
            // A name no client can ask for cannot make the certificate unfit.
            let Ok(server_name) = ServerName::try_from(probe.as_str()) else {
                continue;
            };
            verifier
                .verify_server_cert(cert, &[], &server_name, &[], unix)
                .with_context(|| {
                    if at == now {
                        format!("it is not valid for {name}")
                    } else {
                        format!("it is not valid for {name} {RENEW_WITHIN_DAYS} days from now")
                    }
                })?;
        }
    }
    Ok(())
}

/// The directory, owner-only like the data directory it is in.
fn create_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// Writes `path` whole or not at all (through a temporary file renamed over
/// it), created with `mode`.
fn write_atomically(path: &Path, contents: &[u8], mode: u32) -> anyhow::Result<()> {
    let temporary = path.with_extension("pem.new");
    // A leftover from an interrupted start may have another mode; start afresh.
    match std::fs::remove_file(&temporary) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("removing {}", temporary.display()));
        }
        _ => {}
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&temporary)
        .with_context(|| format!("creating {}", temporary.display()))?;
    file.write_all(contents)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn names_cover_loopback_prefix_domains_and_the_public_host() {
        assert_eq!(
            subject_alt_names("auth.localhost", Some("127.0.0.1")),
            [
                "localhost",
                "*.localhost",
                "*.auth.localhost",
                "127.0.0.1",
                "::1"
            ]
        );
        assert_eq!(
            subject_alt_names("auth.example.com", Some("id.example.com")),
            [
                "localhost",
                "*.localhost",
                "*.auth.example.com",
                "127.0.0.1",
                "::1",
                "id.example.com"
            ]
        );
        assert_eq!(url_host("https://[::1]:9229/base").as_deref(), Some("::1"));
        assert_eq!(
            url_host("https://ID.Example.com").as_deref(),
            Some("id.example.com")
        );
        assert_eq!(url_host("not a url"), None);
    }

    #[test]
    fn a_kept_certificate_is_reused_until_it_stops_fitting() {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let dir = tempfile::tempdir().expect("temp dir");
        let tls = dir.path().join(DIR);
        let now = Timestamp(1_767_225_600_000); // 2026-01-01
        let names = subject_alt_names("auth.localhost", Some("127.0.0.1"));
        let first = load_or_create(&tls, &names, now, &provider).expect("created");
        let key_mode = std::fs::metadata(tls.join(KEY_FILE))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(key_mode & 0o777, 0o600);
        fits(&first, &names, now, &provider).expect("fits the names it was made for");

        let again = load_or_create(&tls, &names, now, &provider).expect("reused");
        assert_eq!(again.cert, first.cert);

        // A new public host, or an expiry within the renewal window: replaced.
        let wider = subject_alt_names("auth.localhost", Some("id.example.com"));
        let renamed = load_or_create(&tls, &wider, now, &provider).expect("replaced");
        assert_ne!(renamed.cert, first.cert);
        let late = now.plus_seconds((VALIDITY_DAYS - 10) * 24 * 60 * 60);
        let renewed = load_or_create(&tls, &wider, late, &provider).expect("renewed");
        assert_ne!(renewed.cert, renamed.cert);
        fits(&renewed, &wider, late, &provider).expect("fits from then on");
    }
}
