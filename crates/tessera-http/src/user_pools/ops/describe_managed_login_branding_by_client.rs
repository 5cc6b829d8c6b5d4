//! DescribeManagedLoginBrandingByClient.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{ClientId, UserPoolId};

use super::{oauth_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: ClientId,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let branding = state
        .services
        .describe_managed_login_branding_by_client(&r.user_pool_id, &r.client_id)
        .await?;
    Ok(json!({
        "ManagedLoginBranding": oauth_shapes::managed_login_branding(&r.user_pool_id, &branding)
    }))
}
