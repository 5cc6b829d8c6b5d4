//! The HTTPS settings: a certificate and key from PEM files, or a
//! self-signed certificate for local use. Each of the three settings is
//! layered on its own (file, then environment, then flags); whether they
//! combine into something servable is decided once every layer is in.

use std::path::PathBuf;

use anyhow::bail;

/// The three settings as layered, before they are checked together.
#[derive(Debug, Clone, Default)]
pub struct TlsSettings {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub self_signed: bool,
}

/// Where the listener's certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// A certificate chain and its private key, PEM, provided by the operator.
    Files { cert: PathBuf, key: PathBuf },
    /// A certificate generated once and kept in the data directory.
    SelfSigned,
}

impl TlsSettings {
    /// Whether any of the settings asks for TLS (the default public URL is
    /// then `https://`), valid together or not.
    pub fn requested(&self) -> bool {
        self.cert.is_some() || self.key.is_some() || self.self_signed
    }

    /// The certificate to serve, or `None` for plain HTTP.
    pub fn source(&self) -> anyhow::Result<Option<TlsSource>> {
        match (&self.cert, &self.key, self.self_signed) {
            (None, None, false) => Ok(None),
            (None, None, true) => Ok(Some(TlsSource::SelfSigned)),
            (Some(cert), Some(key), false) => Ok(Some(TlsSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            })),
            (Some(_), Some(_), true) => bail!(
                "tls_self_signed is set together with tls_cert and tls_key: \
                 serve either the given certificate or a self-signed one, not both"
            ),
            (Some(_), None, _) => bail!("tls_cert is set without tls_key: give both"),
            (None, Some(_), _) => bail!("tls_key is set without tls_cert: give both"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(cert: Option<&str>, key: Option<&str>, self_signed: bool) -> TlsSettings {
        TlsSettings {
            cert: cert.map(PathBuf::from),
            key: key.map(PathBuf::from),
            self_signed,
        }
    }

    #[test]
    fn a_certificate_needs_its_key_and_excludes_self_signed() {
        assert_eq!(settings(None, None, false).source().expect("plain"), None);
        assert_eq!(
            settings(None, None, true).source().expect("self-signed"),
            Some(TlsSource::SelfSigned)
        );
        assert_eq!(
            settings(Some("c.pem"), Some("k.pem"), false)
                .source()
                .expect("files"),
            Some(TlsSource::Files {
                cert: "c.pem".into(),
                key: "k.pem".into()
            })
        );
        for (cert, key, self_signed, named) in [
            (Some("c.pem"), None, false, "tls_key"),
            (None, Some("k.pem"), false, "tls_cert"),
            (Some("c.pem"), None, true, "tls_key"),
            (Some("c.pem"), Some("k.pem"), true, "tls_self_signed"),
        ] {
            let given = settings(cert, key, self_signed);
            assert!(given.requested());
            let err = given.source().expect_err("refused");
            assert!(err.to_string().contains(named), "{err}");
        }
        assert!(!settings(None, None, false).requested());
    }
}
