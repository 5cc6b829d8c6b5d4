//! UpdateManagedLoginBranding: what the request leaves out is kept.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::create_managed_login_branding::StyleInput;
use super::{oauth_shapes, parse};
use crate::awsjson::{ApiError, OperationError};
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    // The model makes neither required; a style is still named by both.
    user_pool_id: Option<UserPoolId>,
    managed_login_branding_id: Option<String>,
    #[serde(flatten)]
    style: StyleInput,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let (Some(pool_id), Some(id)) = (r.user_pool_id, r.managed_login_branding_id) else {
        return Err(ApiError::invalid_parameter(
            "UserPoolId and ManagedLoginBrandingId are required to update a branding style.",
        )
        .into());
    };
    let branding = state
        .services
        .update_managed_login_branding(&pool_id, &id, r.style.into())
        .await?;
    Ok(json!({
        "ManagedLoginBranding": oauth_shapes::managed_login_branding(&pool_id, &branding)
    }))
}
