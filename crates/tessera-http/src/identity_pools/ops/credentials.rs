//! GetOpenIdToken and GetCredentialsForIdentity.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::IdentityId;

use crate::awsjson::OperationError;
use crate::router::AppState;
use crate::user_pools::ops::parse;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    identity_id: IdentityId,
    #[serde(default)]
    logins: Option<BTreeMap<String, String>>,
    #[serde(default)]
    custom_role_arn: Option<String>,
}

pub async fn open_id_token(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let token = state
        .services
        .get_open_id_token(&r.identity_id, &r.logins.unwrap_or_default())
        .await?;
    Ok(json!({"IdentityId": token.identity_id, "Token": token.token}))
}

pub async fn credentials(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let answer = state
        .services
        .get_credentials_for_identity(
            &r.identity_id,
            &r.logins.unwrap_or_default(),
            r.custom_role_arn.as_deref(),
        )
        .await?;
    let c = &answer.credentials;
    Ok(json!({
        "IdentityId": answer.identity_id,
        "Credentials": {
            "AccessKeyId": c.access_key_id,
            "SecretKey": c.secret_key,
            "SessionToken": c.session_token,
            "Expiration": c.expiration.epoch_seconds(),
        },
    }))
}
