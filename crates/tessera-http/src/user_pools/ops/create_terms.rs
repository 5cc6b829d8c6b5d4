//! CreateTerms.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{ClientId, UserPoolId};
use tessera_core::services::terms::TermsInput;

use super::{oauth_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: ClientId,
    terms_name: String,
    terms_source: String,
    enforcement: String,
    links: Option<BTreeMap<String, String>>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let terms = state
        .services
        .create_terms(
            &r.user_pool_id,
            &r.client_id,
            TermsInput {
                terms_name: Some(r.terms_name),
                terms_source: Some(r.terms_source),
                enforcement: Some(r.enforcement),
                links: r.links,
            },
        )
        .await?;
    Ok(json!({"Terms": oauth_shapes::terms(&r.user_pool_id, &terms)}))
}
