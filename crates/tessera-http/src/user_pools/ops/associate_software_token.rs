//! AssociateSoftwareToken: a new TOTP secret, by access token or by the
//! Session of an MFA_SETUP challenge.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::services::mfa::software_token::TokenHolder;

use super::parse;
use crate::awsjson::{ApiError, OperationError};
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: Option<String>,
    session: Option<String>,
}

/// The one credential a software-token request must carry.
pub(crate) fn holder(
    access_token: Option<String>,
    session: Option<String>,
) -> Result<TokenHolder, ApiError> {
    match (access_token, session) {
        (Some(token), None) => Ok(TokenHolder::AccessToken(token)),
        (None, Some(session)) => Ok(TokenHolder::Session(session)),
        _ => Err(ApiError::invalid_parameter(
            "Exactly one of AccessToken and Session is required.",
        )),
    }
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let association = state
        .services
        .associate_software_token(holder(r.access_token, r.session)?)
        .await?;
    let mut out = json!({"SecretCode": association.secret_code});
    if let Some(session) = association.session {
        out["Session"] = json!(session);
    }
    Ok(out)
}
