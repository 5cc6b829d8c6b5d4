//! Managed-login branding styles: one per app client, kept as a document
//! keyed by the client id, with an `id/<style id>` document pointing at it
//! so a style is found by either.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clock::Timestamp;
use crate::domain::oauth::{DocumentKind, DocumentWrite};
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::services::Services;
use crate::store::{Conflict, StoreError};

const KIND: DocumentKind = DocumentKind::ManagedLoginBranding;

/// A style as stored and described (ManagedLoginBrandingType).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedLoginBranding {
    pub managed_login_branding_id: String,
    pub client_id: ClientId,
    pub use_cognito_provided_values: bool,
    /// The branding editor's settings document, as written.
    pub settings: Option<Value>,
    /// AssetType objects as written (category, color mode, extension,
    /// base64 bytes, resource id).
    #[serde(default)]
    pub assets: Vec<Value>,
    pub creation_date: Timestamp,
    pub last_modified_date: Timestamp,
}

/// What Create and Update are given.
pub struct BrandingInput {
    pub use_cognito_provided_values: bool,
    pub settings: Option<Value>,
    pub assets: Vec<Value>,
}

fn id_key(id: &str) -> String {
    format!("id/{id}")
}

fn not_found(what: &str) -> Error {
    Error::ResourceNotFound(format!("Managed login branding {what} does not exist."))
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("managed login branding: {e}"))
}

/// Cognito's defaults come from Cognito alone: a request for them names
/// nothing else.
fn check(input: &BrandingInput) -> Result<()> {
    if input.use_cognito_provided_values && (input.settings.is_some() || !input.assets.is_empty()) {
        return Err(Error::InvalidParameter(
            "When UseCognitoProvidedValues is true, omit Settings and Assets.".into(),
        ));
    }
    Ok(())
}

/// `update` laid over `base`: objects merge member by member, anything else
/// replaces.
fn merge(base: &mut Value, update: Value) {
    match (base, update) {
        (Value::Object(base), Value::Object(update)) => {
            for (key, value) in update {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, update) => *base = update,
    }
}

/// An asset replaces the one of the same category and color mode.
fn merge_assets(assets: &mut Vec<Value>, updates: Vec<Value>) {
    let slot = |a: &Value| (a.get("Category").cloned(), a.get("ColorMode").cloned());
    for update in updates {
        match assets.iter_mut().find(|a| slot(a) == slot(&update)) {
            Some(existing) => *existing = update,
            None => assets.push(update),
        }
    }
}

impl Services {
    pub async fn create_managed_login_branding(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
        input: BrandingInput,
    ) -> Result<ManagedLoginBranding> {
        self.pool(pool_id).await?;
        self.client(pool_id, client_id).await?;
        check(&input)?;
        let now = self.clock.now();
        let branding = ManagedLoginBranding {
            managed_login_branding_id: uuid::Uuid::new_v4().to_string(),
            client_id: client_id.clone(),
            use_cognito_provided_values: input.use_cognito_provided_values,
            settings: input.settings,
            assets: input.assets,
            creation_date: now,
            last_modified_date: now,
        };
        let document = serde_json::to_value(&branding).map_err(internal)?;
        self.store
            .put_document(
                pool_id,
                KIND,
                client_id.as_str(),
                &document,
                DocumentWrite::Create,
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict(Conflict::Document) => Error::ManagedLoginBrandingExists(
                    format!("App client {client_id} already has a managed login branding style."),
                ),
                other => other.into(),
            })?;
        let pointer = serde_json::json!({"ClientId": client_id});
        let id = id_key(&branding.managed_login_branding_id);
        if let Err(e) = self
            .store
            .put_document(pool_id, KIND, &id, &pointer, DocumentWrite::Create)
            .await
        {
            // Without its pointer the style could not be found by id.
            let _ = self
                .store
                .delete_document(pool_id, KIND, client_id.as_str())
                .await;
            return Err(e.into());
        }
        Ok(branding)
    }

    pub async fn describe_managed_login_branding(
        &self,
        pool_id: &UserPoolId,
        id: &str,
    ) -> Result<ManagedLoginBranding> {
        self.pool(pool_id).await?;
        let client = self
            .document(pool_id, KIND, &id_key(id))
            .await?
            .and_then(|p| p.get("ClientId").and_then(Value::as_str).map(ClientId::new))
            .ok_or_else(|| not_found(id))?;
        self.branding_of(pool_id, &client)
            .await?
            .filter(|b| b.managed_login_branding_id == id)
            .ok_or_else(|| not_found(id))
    }

    pub async fn describe_managed_login_branding_by_client(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
    ) -> Result<ManagedLoginBranding> {
        self.pool(pool_id).await?;
        self.branding_of(pool_id, client_id)
            .await?
            .ok_or_else(|| not_found(&format!("for app client {client_id}")))
    }

    async fn branding_of(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
    ) -> Result<Option<ManagedLoginBranding>> {
        self.document(pool_id, KIND, client_id.as_str())
            .await?
            .map(|d| serde_json::from_value(d).map_err(internal))
            .transpose()
    }

    /// Keeps what the request leaves out (Cognito preserves the settings an
    /// update does not name); `UseCognitoProvidedValues` starts over.
    pub async fn update_managed_login_branding(
        &self,
        pool_id: &UserPoolId,
        id: &str,
        input: BrandingInput,
    ) -> Result<ManagedLoginBranding> {
        check(&input)?;
        let mut branding = self.describe_managed_login_branding(pool_id, id).await?;
        if input.use_cognito_provided_values {
            branding.use_cognito_provided_values = true;
            branding.settings = None;
            branding.assets.clear();
        } else {
            if let Some(settings) = input.settings {
                let base = branding
                    .settings
                    .get_or_insert_with(|| Value::Object(Map::new()));
                merge(base, settings);
                branding.use_cognito_provided_values = false;
            }
            if !input.assets.is_empty() {
                merge_assets(&mut branding.assets, input.assets);
                branding.use_cognito_provided_values = false;
            }
        }
        branding.last_modified_date = self.clock.now();
        let document = serde_json::to_value(&branding).map_err(internal)?;
        self.store
            .put_document(
                pool_id,
                KIND,
                branding.client_id.as_str(),
                &document,
                DocumentWrite::Replace,
            )
            .await
            .map_err(|e| match e {
                StoreError::NotFound => not_found(id),
                other => other.into(),
            })?;
        Ok(branding)
    }

    pub async fn delete_managed_login_branding(
        &self,
        pool_id: &UserPoolId,
        id: &str,
    ) -> Result<()> {
        let branding = self.describe_managed_login_branding(pool_id, id).await?;
        let gone = |e: StoreError| match e {
            StoreError::NotFound => not_found(id),
            other => other.into(),
        };
        self.store
            .delete_document(pool_id, KIND, branding.client_id.as_str())
            .await
            .map_err(gone)?;
        self.store
            .delete_document(pool_id, KIND, &id_key(id))
            .await
            .map_err(gone)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn updates_merge_settings_and_replace_assets_by_slot() {
        let mut settings = json!({"components": {"form": {"borderRadius": 8, "logo": "left"}}});
        merge(
            &mut settings,
            json!({"components": {"form": {"borderRadius": 4}}, "x": 1}),
        );
        assert_eq!(
            settings,
            json!({"components": {"form": {"borderRadius": 4, "logo": "left"}}, "x": 1})
        );
        let logo = |mode: &str, ext: &str| json!({"Category": "FORM_LOGO", "ColorMode": mode, "Extension": ext});
        let mut assets = vec![logo("LIGHT", "PNG"), logo("DARK", "PNG")];
        merge_assets(
            &mut assets,
            vec![logo("DARK", "SVG"), logo("DYNAMIC", "PNG")],
        );
        assert_eq!(
            assets,
            vec![
                logo("LIGHT", "PNG"),
                logo("DARK", "SVG"),
                logo("DYNAMIC", "PNG")
            ]
        );
    }
}
