//! UpdateTerms: changes the members it is given.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;
use tessera_core::services::terms::TermsInput;

use super::{oauth_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    terms_id: String,
    terms_name: Option<String>,
    terms_source: Option<String>,
    enforcement: Option<String>,
    links: Option<BTreeMap<String, String>>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let terms = state
        .services
        .update_terms(
            &r.user_pool_id,
            &r.terms_id,
            TermsInput {
                terms_name: r.terms_name,
                terms_source: r.terms_source,
                enforcement: r.enforcement,
                links: r.links,
            },
        )
        .await?;
    Ok(json!({"Terms": oauth_shapes::terms(&r.user_pool_id, &terms)}))
}
