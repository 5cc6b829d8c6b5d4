//! SignUp.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::ClientId;
use tessera_core::services::signup::SignUp;

use super::{AttributeInput, attribute_pairs, parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    client_id: ClientId,
    username: String,
    password: Option<String>,
    secret_hash: Option<String>,
    #[serde(default)]
    user_attributes: Vec<AttributeInput>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let result = state
        .services
        .sign_up(SignUp {
            client_id: r.client_id,
            username: r.username,
            password: r.password,
            attributes: attribute_pairs(r.user_attributes),
            secret_hash: r.secret_hash,
        })
        .await?;
    let mut out = json!({"UserConfirmed": result.confirmed, "UserSub": result.user_sub});
    if let Some(d) = &result.delivery {
        out["CodeDeliveryDetails"] = shapes::code_delivery(d);
    }
    Ok(out)
}
