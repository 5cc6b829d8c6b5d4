//! CreateManagedLoginBranding.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{ClientId, UserPoolId};
use tessera_core::services::branding::managed_login::BrandingInput;

use super::{list_or_null, oauth_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

/// The style members CreateManagedLoginBranding and
/// UpdateManagedLoginBranding share.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct StyleInput {
    #[serde(default)]
    use_cognito_provided_values: bool,
    settings: Option<Value>,
    #[serde(default, deserialize_with = "list_or_null")]
    assets: Vec<Value>,
}

impl From<StyleInput> for BrandingInput {
    fn from(s: StyleInput) -> Self {
        BrandingInput {
            use_cognito_provided_values: s.use_cognito_provided_values,
            settings: s.settings,
            assets: s.assets,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: ClientId,
    #[serde(flatten)]
    style: StyleInput,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let branding = state
        .services
        .create_managed_login_branding(&r.user_pool_id, &r.client_id, r.style.into())
        .await?;
    Ok(json!({
        "ManagedLoginBranding": oauth_shapes::managed_login_branding(&r.user_pool_id, &branding)
    }))
}
