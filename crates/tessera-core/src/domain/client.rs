//! An app client. Like pools, its settings are the members the caller sent,
//! with Cognito's defaults filled in.

use serde_json::{Map, Value, json};

use crate::clock::Timestamp;
use crate::domain::client_policy::ClientPolicy;
use crate::ids::{ClientId, UserPoolId};

#[derive(Debug, Clone, PartialEq)]
pub struct AppClient {
    pub pool_id: UserPoolId,
    pub id: ClientId,
    pub name: String,
    /// The sealed client secret, if one was generated.
    pub secret: Option<Vec<u8>>,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// CreateUserPoolClient members other than UserPoolId, ClientName and GenerateSecret.
    pub settings: Map<String, Value>,
}

impl AppClient {
    /// What the client's settings mean; parse once per request.
    pub fn policy(&self) -> ClientPolicy {
        ClientPolicy::from_settings(&self.settings)
    }
}

/// Members UpdateUserPoolClient replaces (omitted ones return to defaults).
pub const UPDATABLE_SETTINGS: &[&str] = &[
    "RefreshTokenValidity",
    "AccessTokenValidity",
    "IdTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
    "ExplicitAuthFlows",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData",
    "AuthSessionValidity",
    "RefreshTokenRotation",
];

pub fn apply_setting_defaults(settings: &mut Map<String, Value>) {
    let defaults = [
        ("RefreshTokenValidity", json!(30)),
        ("AccessTokenValidity", json!(60)),
        ("IdTokenValidity", json!(60)),
        (
            "TokenValidityUnits",
            json!({"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}),
        ),
        (
            "ExplicitAuthFlows",
            json!([
                "ALLOW_REFRESH_TOKEN_AUTH",
                "ALLOW_CUSTOM_AUTH",
                "ALLOW_USER_SRP_AUTH"
            ]),
        ),
        ("AllowedOAuthFlowsUserPoolClient", json!(false)),
        ("PreventUserExistenceErrors", json!("LEGACY")),
        ("EnableTokenRevocation", json!(true)),
        ("EnablePropagateAdditionalUserContextData", json!(false)),
        ("AuthSessionValidity", json!(3)),
    ];
    for (name, value) in defaults {
        settings.entry(name).or_insert(value);
    }
    // Units the caller left out of TokenValidityUnits keep their defaults.
    if let Some(units) = settings
        .get_mut("TokenValidityUnits")
        .and_then(Value::as_object_mut)
    {
        for (k, v) in [
            ("AccessToken", "minutes"),
            ("IdToken", "minutes"),
            ("RefreshToken", "days"),
        ] {
            units.entry(k).or_insert(json!(v));
        }
    }
}
