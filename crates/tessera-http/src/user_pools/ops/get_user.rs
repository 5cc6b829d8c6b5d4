//! GetUser.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let user = state.services.get_user(&r.access_token).await?;
    let mut out = json!({
        "Username": user.username,
        "UserAttributes": shapes::attributes(&user),
    });
    shapes::add_mfa_settings(&mut out, &user);
    Ok(out)
}
