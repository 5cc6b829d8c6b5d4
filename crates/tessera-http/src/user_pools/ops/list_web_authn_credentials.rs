//! ListWebAuthnCredentials: the signed-in user's passkeys, oldest first.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::domain::webauthn::Passkey;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    next_token: Option<String>,
    max_results: Option<i64>,
}

fn description(k: &Passkey) -> Value {
    let mut out = json!({
        "CredentialId": k.credential_id,
        "FriendlyCredentialName": k.name,
        "RelyingPartyId": k.relying_party_id,
        "AuthenticatorTransports": k.transports,
        "CreatedAt": k.created.epoch_seconds(),
    });
    if let Some(attachment) = &k.attachment {
        out["AuthenticatorAttachment"] = json!(attachment);
    }
    out
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let page = state
        .services
        .list_webauthn_credentials(&r.access_token, r.max_results, r.next_token.as_deref())
        .await?;
    let credentials: Vec<Value> = page.passkeys.iter().map(description).collect();
    Ok(shapes::with_token(
        json!({"Credentials": credentials}),
        "NextToken",
        page.next,
    ))
}
