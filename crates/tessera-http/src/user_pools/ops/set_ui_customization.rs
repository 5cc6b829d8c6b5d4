//! SetUICustomization.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::{oauth_shapes, parse};
use crate::awsjson::{ApiError, OperationError};
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    /// An app client's id, or `ALL`.
    client_id: Option<String>,
    #[serde(rename = "CSS")]
    css: Option<String>,
    /// Base64, as blobs travel in awsJson (the model check has decoded it once).
    image_file: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let image = r
        .image_file
        .map(|b64| STANDARD.decode(b64))
        .transpose()
        .map_err(|e| ApiError::serialization(format!("ImageFile is not base64: {e}")))?;
    let view = state
        .services
        .set_ui_customization(&r.user_pool_id, r.client_id.as_deref(), r.css, image)
        .await?;
    Ok(json!({"UICustomization": oauth_shapes::ui_customization(Some(&view))}))
}
