//! HTTPS: the listener's certificate, from the operator's PEM files or
//! generated once for local use, and the rustls configuration that serves it
//! (aws-lc-rs, the workspace's one crypto provider; HTTP/1.1, the only
//! protocol the server speaks).
//!
//! - [`self_signed`]: the certificate generated into the data directory.
//! - [`listener`]: the accept loop doing each connection's handshake.

pub mod listener;
pub mod self_signed;

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{InconsistentKeys, ServerConfig};
use tessera_core::clock::Timestamp;

use crate::config::{Config, TlsSource};

/// The rustls configuration serving `source`. `public_url` is what clients
/// are told to use: a self-signed certificate names its host too.
pub fn server_config(
    source: &TlsSource,
    config: &Config,
    public_url: &str,
    now: Timestamp,
) -> anyhow::Result<Arc<ServerConfig>> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let certified = match source {
        TlsSource::Files { cert, key } => load_certified_key(cert, key, &provider)?,
        TlsSource::SelfSigned => {
            let names = self_signed::subject_alt_names(
                &config.oauth_base_domain,
                self_signed::url_host(public_url).as_deref(),
            );
            let dir = config.data_dir.join(self_signed::DIR);
            self_signed::load_or_create(&dir, &names, now, &provider)?
        }
    };
    let mut server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
    // Clients that would prefer HTTP/2 settle on HTTP/1.1 in the handshake
    // rather than sending a protocol the server does not speak.
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(server))
}

/// A certificate chain and the private key matching its first certificate,
/// each file named in whatever error stops them being served.
pub fn load_certified_key(
    cert_path: &Path,
    key_path: &Path,
    provider: &CryptoProvider,
) -> anyhow::Result<CertifiedKey> {
    let certs = CertificateDer::pem_file_iter(cert_path)
        .and_then(|items| items.collect::<Result<Vec<_>, _>>())
        .map_err(|e| pem_error(e, "certificate", "certificate", cert_path))?;
    if certs.is_empty() {
        return Err(pem_error(
            pem::Error::NoItemsFound,
            "certificate",
            "certificate",
            cert_path,
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key_path)
        .map_err(|e| pem_error(e, "key", "private key", key_path))?;
    let key = provider.key_provider.load_private_key(key).map_err(|e| {
        anyhow::anyhow!(
            "TLS key {} is not a private key that can be served: {}",
            key_path.display(),
            describe(&e)
        )
    })?;
    let certified = CertifiedKey::new(certs, key);
    match certified.keys_match() {
        // Unknown: the key cannot say what its public half is, so there is
        // nothing to compare; the handshake is the test, as in rustls itself.
        Ok(()) | Err(rustls::Error::InconsistentKeys(InconsistentKeys::Unknown)) => Ok(certified),
        Err(rustls::Error::InconsistentKeys(InconsistentKeys::KeyMismatch)) => bail!(
            "TLS key {} is not the private key of the certificate in {}",
            key_path.display(),
            cert_path.display()
        ),
        Err(e) => bail!(
            "TLS certificate {} is not a valid certificate: {}",
            cert_path.display(),
            describe(&e)
        ),
    }
}

/// A rustls error without the framing it has for peers' certificates and
/// unexpected failures, which would mislead about a file of one's own.
fn describe(error: &rustls::Error) -> String {
    match error {
        rustls::Error::General(message) => message.clone(),
        rustls::Error::InvalidCertificate(reason) => format!("{reason:?}"),
        other => other.to_string(),
    }
}

/// `what` names the setting (`certificate`, `key`), `item` what the file
/// should hold.
fn pem_error(error: pem::Error, what: &str, item: &str, path: &Path) -> anyhow::Error {
    let path = path.display();
    match error {
        pem::Error::Io(e) => anyhow::anyhow!("reading TLS {what} {path}: {e}"),
        pem::Error::NoItemsFound => anyhow::anyhow!("TLS {what} {path} holds no PEM {item}"),
        pem::Error::MissingSectionEnd { end_marker } => anyhow::anyhow!(
            "TLS {what} {path} is not valid PEM: no -----END {}----- line",
            String::from_utf8_lossy(&end_marker)
        ),
        e => anyhow::anyhow!("TLS {what} {path} is not valid PEM: {e}"),
    }
}
