//! The classic hosted UI's customization: a CSS sheet and a logo, for one app
//! client or for every client without its own (`ALL`), kept as documents
//! keyed by the client id or `ALL`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::classic_css;
use crate::clock::Timestamp;
use crate::domain::oauth::DocumentKind;
use crate::domain::oauth::DocumentWrite;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::services::Services;

/// The key of the customization every client without its own gets.
pub const ALL_CLIENTS: &str = "ALL";

const KIND: DocumentKind = DocumentKind::UiCustomization;

/// What the hosted pages apply for a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiCustomization {
    pub css: Option<String>,
    pub image: Option<(Vec<u8>, &'static str /* content type */)>,
}

/// UICustomizationType as the API describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct UiCustomizationView {
    pub pool_id: UserPoolId,
    /// A client id, or `ALL`.
    pub client: String,
    pub css: Option<String>,
    pub css_version: String,
    /// The logo as a `data:` URL: it shows wherever the page is served,
    /// with nothing else to host.
    pub image_url: Option<String>,
    pub created: Timestamp,
    pub modified: Timestamp,
}

/// The stored document.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Stored {
    #[serde(rename = "CSS")]
    css: Option<String>,
    #[serde(rename = "CSSVersion")]
    css_version: String,
    /// The logo, base64.
    image: Option<String>,
    image_type: Option<String>,
    created: i64,
    modified: i64,
}

impl Stored {
    fn image(&self) -> Option<(Vec<u8>, &'static str)> {
        let bytes = STANDARD.decode(self.image.as_deref()?).ok()?;
        let kind = image_type(&bytes)?;
        Some((bytes, kind))
    }
}

/// The logo's content type, from its first bytes: PNG or JPEG, the formats
/// the hosted UI takes.
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Cognito's CSSVersion reads as the UTC time of the change, `yyyyMMddHHmmss`.
fn css_version(at: Timestamp) -> String {
    let seconds = at.millis().div_euclid(1000);
    let (days, time) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

fn from_document(document: serde_json::Value) -> Result<Stored> {
    serde_json::from_value(document)
        .map_err(|e| Error::Internal(format!("stored UI customization: {e}")))
}

fn view(pool_id: &UserPoolId, client: &str, stored: Stored) -> UiCustomizationView {
    let image_url = stored
        .image
        .as_ref()
        .zip(stored.image_type.as_ref())
        .map(|(image, kind)| format!("data:{kind};base64,{image}"));
    UiCustomizationView {
        pool_id: pool_id.clone(),
        client: client.to_owned(),
        css: stored.css,
        css_version: stored.css_version,
        image_url,
        created: Timestamp(stored.created),
        modified: Timestamp(stored.modified),
    }
}

impl Services {
    /// The client (an id or `ALL`; none means `ALL`) a customization call
    /// names, once known to exist.
    async fn customized_client(
        &self,
        pool_id: &UserPoolId,
        client: Option<&str>,
    ) -> Result<String> {
        self.pool(pool_id).await?;
        match client {
            None | Some(ALL_CLIENTS) => Ok(ALL_CLIENTS.to_owned()),
            Some(id) => {
                let id = ClientId::new(id);
                self.client(pool_id, &id).await?;
                Ok(id.to_string())
            }
        }
    }

    /// Replaces the client's (or `ALL`'s) CSS and logo together, as Cognito
    /// does: either left out is removed.
    pub async fn set_ui_customization(
        &self,
        pool_id: &UserPoolId,
        client: Option<&str>,
        css: Option<String>,
        image: Option<Vec<u8>>,
    ) -> Result<UiCustomizationView> {
        let key = self.customized_client(pool_id, client).await?;
        if self.store.pool_domains(pool_id).await?.is_empty() {
            // amazon-connect/voicemail-for-amazon-connect#5 quotes it.
            return Err(Error::InvalidParameter(
                "A domain must be associated with this user pool.".into(),
            ));
        }
        if let Some(css) = &css {
            classic_css::check(css).map_err(Error::InvalidParameter)?;
        }
        let image_type = match &image {
            Some(bytes) => Some(image_type(bytes).ok_or_else(|| {
                Error::InvalidParameter("The logo image must be a PNG or JPEG file.".into())
            })?),
            None => None,
        };
        let now = self.clock.now();
        let created = match self.document(pool_id, KIND, &key).await? {
            Some(existing) => from_document(existing)?.created,
            None => now.millis(),
        };
        let stored = Stored {
            css,
            css_version: css_version(now),
            image: image.map(|bytes| STANDARD.encode(bytes)),
            image_type: image_type.map(str::to_owned),
            created,
            modified: now.millis(),
        };
        let document = serde_json::to_value(&stored)
            .map_err(|e| Error::Internal(format!("UI customization: {e}")))?;
        self.store
            .put_document(pool_id, KIND, &key, &document, DocumentWrite::Upsert)
            .await?;
        Ok(view(pool_id, &key, stored))
    }

    /// The client's customization, else `ALL`'s; None when neither is set.
    pub async fn get_ui_customization(
        &self,
        pool_id: &UserPoolId,
        client: Option<&str>,
    ) -> Result<Option<UiCustomizationView>> {
        let key = self.customized_client(pool_id, client).await?;
        for key in [key.as_str(), ALL_CLIENTS] {
            if let Some(document) = self.document(pool_id, KIND, key).await? {
                return Ok(Some(view(pool_id, key, from_document(document)?)));
            }
        }
        Ok(None)
    }

    /// What the hosted pages apply for `client`: its own customization,
    /// else the pool's `ALL`.
    pub async fn ui_customization(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
    ) -> Result<Option<UiCustomization>> {
        for key in [client.as_str(), ALL_CLIENTS] {
            if let Some(document) = self.document(pool, KIND, key).await? {
                let stored = from_document(document)?;
                return Ok(Some(UiCustomization {
                    image: stored.image(),
                    css: stored.css,
                }));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_versions_read_as_utc_times() {
        // 2025-01-15T19:19:28Z, the CSSVersion of the AWS CLI's example.
        assert_eq!(css_version(Timestamp(1_736_968_768_000)), "20250115191928");
        assert_eq!(css_version(Timestamp(0)), "19700101000000");
        assert_eq!(css_version(Timestamp(951_782_400_000)), "20000229000000");
    }

    #[test]
    fn logos_are_png_or_jpeg() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"GIF89a"), None);
    }
}
