//! PreTokenGeneration: V1_0 (ID token claims, groups) and V2_0 / V3_0 (both
//! tokens' claims, any JSON values, the access token's scopes).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Caller, Trigger, Triggers, configured, string_map, trigger_view, unrecognizable};
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::services::tokens::{ClaimChanges, Customization, GroupClaims};

/// What the tokens are for (the trigger's `triggerSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Authentication,
    NewPasswordChallenge,
    AuthenticateDevice,
    RefreshTokens,
    /// A sign-in on the hosted pages, its tokens from the code exchange.
    HostedAuth,
    /// A machine's token (`client_credentials`), for V3_0 functions only.
    ClientCredentials,
}

impl TokenSource {
    fn name(self) -> &'static str {
        match self {
            TokenSource::Authentication => "TokenGeneration_Authentication",
            TokenSource::NewPasswordChallenge => "TokenGeneration_NewPasswordChallenge",
            TokenSource::AuthenticateDevice => "TokenGeneration_AuthenticateDevice",
            TokenSource::RefreshTokens => "TokenGeneration_RefreshTokens",
            TokenSource::HostedAuth => "TokenGeneration_HostedAuth",
            TokenSource::ClientCredentials => "TokenGeneration_ClientCredentials",
        }
    }
}

/// Claims no trigger may add, change or suppress: the ones that say whose
/// token it is, who issued it, for whom and until when.
const RESERVED: [&str; 20] = [
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "c_hash",
    "cognito:username",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
    "event_id",
    "cognito:groups",
];

/// And in an access token, besides.
const RESERVED_ACCESS: [&str; 5] = ["client_id", "scope", "username", "device_key", "version"];

impl Triggers {
    /// PreTokenGeneration for `user`'s tokens, when the pool names one.
    pub(crate) async fn pre_token_generation(
        &self,
        caller: &Caller<'_>,
        source: TokenSource,
        user: &User,
        groups: &GroupClaims,
        scopes: &[String],
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<Customization> {
        let Some(function) = configured(caller.pool, Trigger::PreTokenGeneration) else {
            return Ok(Customization::default());
        };
        let versioned = function.version != "1";
        let mut request = Map::new();
        request.insert("userAttributes".into(), trigger_view(user));
        request.insert(
            "groupConfiguration".into(),
            json!({
                "groupsToOverride": groups.names,
                "iamRolesToOverride": groups.roles,
                "preferredRole": groups.preferred_role,
            }),
        );
        if versioned {
            request.insert("scopes".into(), json!(scopes));
        }
        request.insert("clientMetadata".into(), string_map(client_metadata));
        let Some(response) = self
            .run(caller, Trigger::PreTokenGeneration, source.name(), request)
            .await?
        else {
            return Ok(Customization::default());
        };
        if versioned {
            version_two(&response, groups)
        } else {
            version_one(&response, groups)
        }
    }
}

impl Triggers {
    /// PreTokenGeneration for a machine's access token: only a V3_0
    /// function hears of it (Cognito's V1 and V2 events are for users), with
    /// no user attributes or groups, and only the access token to change.
    pub(crate) async fn pre_client_token_generation(
        &self,
        caller: &Caller<'_>,
        scopes: &[String],
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<Customization> {
        if configured(caller.pool, Trigger::PreTokenGeneration).is_none_or(|f| f.version != "3") {
            return Ok(Customization::default());
        }
        let mut request = Map::new();
        request.insert("userAttributes".into(), json!({}));
        request.insert(
            "groupConfiguration".into(),
            json!({"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null}),
        );
        request.insert("scopes".into(), json!(scopes));
        request.insert("clientMetadata".into(), string_map(client_metadata));
        let Some(response) = self
            .run(
                caller,
                Trigger::PreTokenGeneration,
                TokenSource::ClientCredentials.name(),
                request,
            )
            .await?
        else {
            return Ok(Customization::default());
        };
        let customization = version_two(&response, &GroupClaims::default())?;
        // A machine token has no ID token and no groups to change.
        Ok(Customization {
            groups: None,
            id: ClaimChanges::default(),
            ..customization
        })
    }
}

fn version_one(response: &Map<String, Value>, groups: &GroupClaims) -> Result<Customization> {
    let Some(details) = object(response.get("claimsOverrideDetails"))? else {
        return Ok(Customization::default());
    };
    let id = changes(details, false)?;
    // V1_0 claims are strings.
    if id.add.values().any(|v| !v.is_string()) {
        return Err(unrecognizable());
    }
    Ok(Customization {
        groups: group_override(details, groups)?,
        id,
        ..Default::default()
    })
}

fn version_two(response: &Map<String, Value>, groups: &GroupClaims) -> Result<Customization> {
    let Some(details) = object(response.get("claimsAndScopeOverrideDetails"))? else {
        return Ok(Customization::default());
    };
    let id = match object(details.get("idTokenGeneration"))? {
        Some(token) => changes(token, false)?,
        None => ClaimChanges::default(),
    };
    let (access, scopes_add, scopes_suppress) = match object(details.get("accessTokenGeneration"))?
    {
        Some(token) => (
            changes(token, true)?,
            strings(token.get("scopesToAdd"))?,
            strings(token.get("scopesToSuppress"))?,
        ),
        None => Default::default(),
    };
    Ok(Customization {
        groups: group_override(details, groups)?,
        id,
        access,
        scopes_add,
        scopes_suppress,
    })
}

/// `claimsToAddOrOverride` and `claimsToSuppress`, reserved claims refused.
fn changes(token: &Map<String, Value>, access: bool) -> Result<ClaimChanges> {
    let add = object(token.get("claimsToAddOrOverride"))?
        .cloned()
        .unwrap_or_default();
    let suppress = strings(token.get("claimsToSuppress"))?;
    let reserved =
        |name: &str| RESERVED.contains(&name) || (access && RESERVED_ACCESS.contains(&name));
    if let Some(name) = add
        .keys()
        .map(String::as_str)
        .chain(suppress.iter().map(String::as_str))
        .find(|name| reserved(name))
    {
        return Err(Error::InvalidLambdaResponse(format!(
            "PreTokenGeneration cannot add, override or suppress the claim {name}."
        )));
    }
    Ok(ClaimChanges { add, suppress })
}

/// `groupOverrideDetails`: each member given replaces the user's.
fn group_override(
    details: &Map<String, Value>,
    groups: &GroupClaims,
) -> Result<Option<GroupClaims>> {
    let Some(o) = object(details.get("groupOverrideDetails"))? else {
        return Ok(None);
    };
    let list = |name: &str, current: &Vec<String>| -> Result<Vec<String>> {
        match o.get(name) {
            None | Some(Value::Null) => Ok(current.clone()),
            some => strings(some),
        }
    };
    let preferred_role = match o.get("preferredRole") {
        None => groups.preferred_role.clone(),
        Some(Value::Null) => None,
        Some(Value::String(role)) => Some(role.clone()),
        Some(_) => return Err(unrecognizable()),
    };
    Ok(Some(GroupClaims {
        names: list("groupsToOverride", &groups.names)?,
        roles: list("iamRolesToOverride", &groups.roles)?,
        preferred_role,
    }))
}

fn object(value: Option<&Value>) -> Result<Option<&Map<String, Value>>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(unrecognizable()),
    }
}

fn strings(value: Option<&Value>) -> Result<Vec<String>> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(unrecognizable))
            .collect(),
        Some(_) => Err(unrecognizable()),
    }
}
