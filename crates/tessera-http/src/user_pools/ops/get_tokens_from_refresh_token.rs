//! GetTokensFromRefreshToken: refresh, rotating the refresh token when the client asks for it.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::ClientId;
use tessera_core::services::signin::refresh::RefreshRequest;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    refresh_token: String,
    client_id: ClientId,
    client_secret: Option<String>,
    device_key: Option<String>,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let tokens = state
        .services
        .get_tokens_from_refresh_token(RefreshRequest {
            client_id: r.client_id,
            refresh_token: r.refresh_token,
            client_secret: r.client_secret,
            device_key: r.device_key,
            client_metadata: r.client_metadata,
        })
        .await?;
    Ok(json!({"AuthenticationResult": shapes::authentication_result(&tokens)}))
}
