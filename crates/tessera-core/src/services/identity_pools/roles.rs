//! Roles and role mappings (SetIdentityPoolRoles / GetIdentityPoolRoles),
//! principal-tag maps, and choosing the role of a request as Cognito does:
//! the unauthenticated role without logins; otherwise the role mapping of
//! the login's provider (Token: the token's `cognito:preferred_role`, or a
//! `CustomRoleArn` among its `cognito:roles`; Rules: the first rule that
//! matches), falling back per `AmbiguousRoleResolution`; otherwise the
//! authenticated role.

use std::collections::BTreeMap;

use serde_json::Value;

use super::logins::VerifiedLogin;
use super::pools::user_pool_of_provider;
use crate::domain::identity_pool::{
    AmbiguousRoleResolution, IdentityPool, MappingRule, MatchType, PrincipalTagMap, RoleMapping,
    RoleMappingType,
};
use crate::error::{Error, Result};
use crate::ids::IdentityPoolId;
use crate::services::Services;

const MAX_RULES: usize = 25;

fn no_role() -> Error {
    Error::InvalidIdentityPoolConfiguration(
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.".into(),
    )
}

fn check_mappings(pool: &IdentityPool, mappings: &BTreeMap<String, RoleMapping>) -> Result<()> {
    for (key, mapping) in mappings {
        let known = match key.rsplit_once(':') {
            Some((provider, client)) if user_pool_of_provider(provider).is_some() => pool
                .cognito_identity_providers
                .iter()
                .any(|p| p.provider_name == provider && p.client_id == client),
            _ => {
                pool.supported_login_providers.contains_key(key)
                    || pool
                        .open_id_connect_provider_arns
                        .iter()
                        .any(|arn| arn.ends_with(&format!(":oidc-provider/{key}")))
                    || pool.saml_provider_arns.iter().any(|arn| arn == key)
            }
        };
        if !known {
            return Err(Error::InvalidParameter(format!(
                "Role mapping key {key} is not an identity provider of this identity pool."
            )));
        }
        if mapping.ambiguous.is_none() {
            return Err(Error::InvalidParameter(format!(
                "AmbiguousRoleResolution must be specified for the role mapping of {key}."
            )));
        }
        match mapping.kind {
            RoleMappingType::Rules if mapping.rules.is_empty() => {
                return Err(Error::InvalidParameter(format!(
                    "RulesConfiguration must be specified for the Rules role mapping of {key}."
                )));
            }
            RoleMappingType::Token if !mapping.rules.is_empty() => {
                return Err(Error::InvalidParameter(format!(
                    "RulesConfiguration cannot be specified for the Token role mapping of {key}."
                )));
            }
            _ => {}
        }
        if mapping.rules.len() > MAX_RULES {
            return Err(Error::InvalidParameter(format!(
                "A role mapping can have at most {MAX_RULES} rules."
            )));
        }
    }
    Ok(())
}

/// Whether the claim's value (a string, or each string of an array such as
/// `cognito:groups`) satisfies the rule.
fn rule_matches(rule: &MappingRule, claims: &serde_json::Map<String, Value>) -> bool {
    let values: Vec<&str> = match claims.get(&rule.claim) {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => return false,
    };
    let wanted = rule.value.as_str();
    match rule.match_type {
        MatchType::Equals => values.contains(&wanted),
        MatchType::Contains => values.iter().any(|v| v.contains(wanted)),
        MatchType::StartsWith => values.iter().any(|v| v.starts_with(wanted)),
        MatchType::NotEqual => !values.is_empty() && !values.contains(&wanted),
    }
}

fn strings(claims: &serde_json::Map<String, Value>, name: &str) -> Vec<String> {
    match claims.get(name) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// The role of an authenticated request with these logins.
pub(crate) fn choose_role(
    pool: &IdentityPool,
    logins: &[VerifiedLogin],
    custom_role_arn: Option<&str>,
) -> Result<String> {
    let default = || pool.roles.get("authenticated").cloned().ok_or_else(no_role);
    let Some((login, mapping)) = logins
        .iter()
        .find_map(|l| pool.role_mappings.get(&l.mapping_key).map(|m| (l, m)))
    else {
        return default();
    };
    let chosen = match mapping.kind {
        RoleMappingType::Token => {
            let roles = strings(&login.claims, "cognito:roles");
            match custom_role_arn {
                Some(custom) if roles.iter().any(|r| r == custom) => Some(custom.to_owned()),
                Some(_) => {
                    return Err(Error::NotAuthorized(
                        "CustomRoleArn is not one of the roles the token allows.".into(),
                    ));
                }
                None => login
                    .claims
                    .get("cognito:preferred_role")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            }
        }
        RoleMappingType::Rules => mapping
            .rules
            .iter()
            .find(|rule| rule_matches(rule, &login.claims))
            .map(|rule| rule.role_arn.clone()),
    };
    match (chosen, mapping.ambiguous) {
        (Some(role), _) => Ok(role),
        (None, Some(AmbiguousRoleResolution::Deny)) => Err(Error::NotAuthorized(format!(
            "The ambiguous role mapping rules for: {} denied this request.",
            login.mapping_key
        ))),
        (None, _) => default(),
    }
}

/// The principal tags of a request: each mapped claim of the first login
/// whose provider has a principal-tag map.
pub(crate) fn principal_tags(
    pool: &IdentityPool,
    logins: &[VerifiedLogin],
) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    for login in logins {
        let Some(map) = pool.principal_tags.get(&login.login.provider) else {
            continue;
        };
        let mut wanted = map.tags.clone();
        if map.use_defaults {
            wanted
                .entry("client".into())
                .or_insert_with(|| "aud".into());
            wanted
                .entry("username".into())
                .or_insert_with(|| "sub".into());
        }
        for (tag, claim) in wanted {
            if let Some(value) = login.claims.get(&claim).and_then(Value::as_str) {
                tags.insert(tag, value.to_owned());
            }
        }
        break;
    }
    tags
}

impl Services {
    pub async fn set_identity_pool_roles(
        &self,
        id: &IdentityPoolId,
        roles: BTreeMap<String, String>,
        mappings: BTreeMap<String, RoleMapping>,
    ) -> Result<()> {
        if let Some(other) = roles
            .keys()
            .find(|k| *k != "authenticated" && *k != "unauthenticated")
        {
            return Err(Error::InvalidParameter(format!(
                "Invalid role type {other}: roles are authenticated and unauthenticated."
            )));
        }
        self.modify_identity_pool(id, |pool| {
            check_mappings(pool, &mappings)?;
            pool.roles = roles.clone();
            pool.role_mappings = mappings.clone();
            Ok(())
        })
        .await?;
        Ok(())
    }

    pub async fn set_principal_tag_attribute_map(
        &self,
        id: &IdentityPoolId,
        provider: &str,
        map: PrincipalTagMap,
    ) -> Result<()> {
        self.modify_identity_pool(id, |pool| {
            pool.principal_tags.insert(provider.to_owned(), map.clone());
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// The provider's principal-tag map; none set yet reads as the defaults off.
    pub async fn principal_tag_attribute_map(
        &self,
        id: &IdentityPoolId,
        provider: &str,
    ) -> Result<PrincipalTagMap> {
        let pool = self.identity_pool(id).await?;
        Ok(pool
            .principal_tags
            .get(provider)
            .cloned()
            .unwrap_or(PrincipalTagMap {
                use_defaults: false,
                tags: BTreeMap::new(),
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(claim: &str, match_type: MatchType, value: &str) -> MappingRule {
        MappingRule {
            claim: claim.into(),
            match_type,
            value: value.into(),
            role_arn: "arn:aws:iam::123456789012:role/x".into(),
        }
    }

    #[test]
    fn rules_match_strings_and_each_string_of_an_array() {
        let claims = json!({"cognito:groups": ["staff", "admins"], "email": "a@example.com"});
        let claims = claims.as_object().expect("an object");
        assert!(rule_matches(
            &rule("cognito:groups", MatchType::Contains, "admins"),
            claims
        ));
        assert!(rule_matches(
            &rule("cognito:groups", MatchType::Equals, "staff"),
            claims
        ));
        assert!(!rule_matches(
            &rule("cognito:groups", MatchType::Equals, "adm"),
            claims
        ));
        assert!(rule_matches(
            &rule("email", MatchType::StartsWith, "a@"),
            claims
        ));
        assert!(rule_matches(
            &rule("email", MatchType::NotEqual, "b@example.com"),
            claims
        ));
        assert!(!rule_matches(
            &rule("email", MatchType::NotEqual, "a@example.com"),
            claims
        ));
        assert!(!rule_matches(
            &rule("missing", MatchType::NotEqual, "x"),
            claims
        ));
    }
}
