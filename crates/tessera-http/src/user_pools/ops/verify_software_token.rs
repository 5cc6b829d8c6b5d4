//! VerifySoftwareToken: registers the associated TOTP secret once a code of
//! it is given.

use serde::Deserialize;
use serde_json::{Value, json};

use super::associate_software_token::holder;
use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: Option<String>,
    session: Option<String>,
    user_code: String,
    friendly_device_name: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let verification = state
        .services
        .verify_software_token(
            holder(r.access_token, r.session)?,
            &r.user_code,
            r.friendly_device_name,
        )
        .await?;
    let mut out = json!({"Status": "SUCCESS"});
    if let Some(session) = verification.session {
        out["Session"] = json!(session);
    }
    Ok(out)
}
