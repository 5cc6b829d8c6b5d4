//! SetIdentityPoolRoles, GetIdentityPoolRoles, SetPrincipalTagAttributeMap,
//! GetPrincipalTagAttributeMap.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::domain::identity_pool::{
    AmbiguousRoleResolution, MappingRule, MatchType, PrincipalTagMap, RoleMapping, RoleMappingType,
};
use tessera_core::ids::IdentityPoolId;

use crate::awsjson::OperationError;
use crate::router::AppState;
use crate::user_pools::ops::parse;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RuleInput {
    claim: String,
    match_type: MatchType,
    value: String,
    #[serde(rename = "RoleARN")]
    role_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RulesInput {
    rules: Vec<RuleInput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MappingInput {
    #[serde(rename = "Type")]
    kind: RoleMappingType,
    #[serde(default)]
    ambiguous_role_resolution: Option<AmbiguousRoleResolution>,
    #[serde(default)]
    rules_configuration: Option<RulesInput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SetRoles {
    identity_pool_id: IdentityPoolId,
    roles: BTreeMap<String, String>,
    #[serde(default)]
    role_mappings: Option<BTreeMap<String, MappingInput>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolRef {
    identity_pool_id: IdentityPoolId,
}

fn name<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

pub async fn set_roles(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: SetRoles = parse(input)?;
    let mappings = r
        .role_mappings
        .unwrap_or_default()
        .into_iter()
        .map(|(key, m)| {
            let rules = m
                .rules_configuration
                .map(|c| c.rules)
                .unwrap_or_default()
                .into_iter()
                .map(|rule| MappingRule {
                    claim: rule.claim,
                    match_type: rule.match_type,
                    value: rule.value,
                    role_arn: rule.role_arn,
                })
                .collect();
            (
                key,
                RoleMapping {
                    kind: m.kind,
                    ambiguous: m.ambiguous_role_resolution,
                    rules,
                },
            )
        })
        .collect();
    state
        .services
        .set_identity_pool_roles(&r.identity_pool_id, r.roles, mappings)
        .await?;
    Ok(json!({}))
}

pub async fn get_roles(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: PoolRef = parse(input)?;
    let pool = state.services.identity_pool(&r.identity_pool_id).await?;
    let mappings: serde_json::Map<String, Value> = pool
        .role_mappings
        .iter()
        .map(|(key, m)| {
            let mut out = json!({"Type": name(&m.kind)});
            if let Some(ambiguous) = m.ambiguous {
                out["AmbiguousRoleResolution"] = name(&ambiguous);
            }
            if !m.rules.is_empty() {
                let rules: Vec<Value> = m
                    .rules
                    .iter()
                    .map(|rule| {
                        json!({
                            "Claim": rule.claim,
                            "MatchType": name(&rule.match_type),
                            "Value": rule.value,
                            "RoleARN": rule.role_arn,
                        })
                    })
                    .collect();
                out["RulesConfiguration"] = json!({"Rules": rules});
            }
            (key.clone(), out)
        })
        .collect();
    let mut out = json!({"IdentityPoolId": pool.id, "Roles": pool.roles});
    if !mappings.is_empty() {
        out["RoleMappings"] = Value::Object(mappings);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PrincipalTagsRequest {
    identity_pool_id: IdentityPoolId,
    identity_provider_name: String,
    #[serde(default)]
    use_defaults: Option<bool>,
    #[serde(default)]
    principal_tags: Option<BTreeMap<String, String>>,
}

fn principal_tags_answer(r: &PrincipalTagsRequest, map: &PrincipalTagMap) -> Value {
    json!({
        "IdentityPoolId": r.identity_pool_id,
        "IdentityProviderName": r.identity_provider_name,
        "UseDefaults": map.use_defaults,
        "PrincipalTags": map.tags,
    })
}

pub async fn set_principal_tags(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: PrincipalTagsRequest = parse(input)?;
    let map = PrincipalTagMap {
        use_defaults: r.use_defaults.unwrap_or(false),
        tags: r.principal_tags.clone().unwrap_or_default(),
    };
    state
        .services
        .set_principal_tag_attribute_map(
            &r.identity_pool_id,
            &r.identity_provider_name,
            map.clone(),
        )
        .await?;
    Ok(principal_tags_answer(&r, &map))
}

pub async fn get_principal_tags(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: PrincipalTagsRequest = parse(input)?;
    let map = state
        .services
        .principal_tag_attribute_map(&r.identity_pool_id, &r.identity_provider_name)
        .await?;
    Ok(principal_tags_answer(&r, &map))
}
