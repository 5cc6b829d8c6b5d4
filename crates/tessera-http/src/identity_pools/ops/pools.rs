//! CreateIdentityPool, DescribeIdentityPool, UpdateIdentityPool,
//! DeleteIdentityPool, ListIdentityPools.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::domain::identity_pool::CognitoProvider;
use tessera_core::ids::IdentityPoolId;
use tessera_core::services::identity_pools::pools::IdentityPoolInput;

use super::shapes;
use crate::awsjson::OperationError;
use crate::router::AppState;
use crate::user_pools::ops::parse;
use crate::user_pools::ops::shapes::with_token;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProviderInput {
    provider_name: String,
    client_id: String,
    #[serde(default)]
    server_side_token_check: Option<bool>,
}

/// The members CreateIdentityPool and UpdateIdentityPool share.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolMembers {
    identity_pool_name: String,
    allow_unauthenticated_identities: bool,
    #[serde(default)]
    allow_classic_flow: Option<bool>,
    #[serde(default)]
    supported_login_providers: Option<BTreeMap<String, String>>,
    #[serde(default)]
    developer_provider_name: Option<String>,
    #[serde(default, rename = "OpenIdConnectProviderARNs")]
    open_id_connect_provider_arns: Option<Vec<String>>,
    #[serde(default)]
    cognito_identity_providers: Option<Vec<ProviderInput>>,
    #[serde(default, rename = "SamlProviderARNs")]
    saml_provider_arns: Option<Vec<String>>,
    #[serde(default)]
    identity_pool_tags: Option<BTreeMap<String, String>>,
}

impl PoolMembers {
    fn input(self) -> IdentityPoolInput {
        IdentityPoolInput {
            name: self.identity_pool_name,
            allow_unauthenticated: self.allow_unauthenticated_identities,
            allow_classic_flow: self.allow_classic_flow,
            supported_login_providers: self.supported_login_providers.unwrap_or_default(),
            developer_provider_name: self.developer_provider_name,
            open_id_connect_provider_arns: self.open_id_connect_provider_arns.unwrap_or_default(),
            cognito_identity_providers: self
                .cognito_identity_providers
                .unwrap_or_default()
                .into_iter()
                .map(|p| CognitoProvider {
                    provider_name: p.provider_name,
                    client_id: p.client_id,
                    server_side_token_check: p.server_side_token_check.unwrap_or(false),
                })
                .collect(),
            saml_provider_arns: self.saml_provider_arns.unwrap_or_default(),
            tags: self.identity_pool_tags,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolRef {
    identity_pool_id: IdentityPoolId,
}

pub async fn create(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let members: PoolMembers = parse(input)?;
    let pool = state.services.create_identity_pool(members.input()).await?;
    Ok(shapes::identity_pool(&pool))
}

pub async fn describe(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: PoolRef = parse(input)?;
    let pool = state.services.identity_pool(&r.identity_pool_id).await?;
    Ok(shapes::identity_pool(&pool))
}

pub async fn update(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: PoolRef = parse(input.clone())?;
    let members: PoolMembers = parse(input)?;
    let pool = state
        .services
        .update_identity_pool(&r.identity_pool_id, members.input())
        .await?;
    Ok(shapes::identity_pool(&pool))
}

pub async fn delete(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: PoolRef = parse(input)?;
    state
        .services
        .delete_identity_pool(&r.identity_pool_id)
        .await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListRequest {
    max_results: i64,
    #[serde(default)]
    next_token: Option<String>,
}

pub async fn list(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: ListRequest = parse(input)?;
    let page = state
        .services
        .list_identity_pools(r.max_results, r.next_token.as_deref())
        .await?;
    let pools: Vec<Value> = page
        .items
        .iter()
        .map(|p| json!({"IdentityPoolId": p.id, "IdentityPoolName": p.name}))
        .collect();
    Ok(with_token(
        json!({"IdentityPools": pools}),
        "NextToken",
        page.next,
    ))
}
