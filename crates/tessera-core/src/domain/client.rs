//! An app client. Like pools, its settings are the members the caller sent,
//! with Cognito's defaults filled in.

use serde_json::{Map, Value, json};

use crate::clock::Timestamp;
use crate::domain::client_policy::ClientPolicy;
use crate::ids::{ClientId, ClientSecretId, UserPoolId};

#[derive(Debug, Clone, PartialEq)]
pub struct AppClient {
    pub pool_id: UserPoolId,
    pub id: ClientId,
    pub name: String,
    /// The current secrets, oldest first: none for a public client, two
    /// while one is being rotated out.
    pub secrets: Vec<ClientSecret>,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// CreateUserPoolClient members other than UserPoolId, ClientName and GenerateSecret.
    pub settings: Map<String, Value>,
}

/// One of a client's secrets, sealed.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSecret {
    pub id: ClientSecretId,
    pub sealed: Vec<u8>,
    pub created: Timestamp,
    /// Made with the client by CreateUserPoolClient. DescribeUserPoolClient
    /// shows only this one, as Cognito does; secrets added later are shown
    /// once, by AddUserPoolClientSecret.
    pub initial: bool,
}

/// How many secrets a client may hold at once (AddUserPoolClientSecret:
/// "Supports up to 2 active secrets per app client").
pub const MAX_CLIENT_SECRETS: usize = 2;

impl ClientSecret {
    /// Cognito's form, `<client-id>--<epoch-create-time>`; milliseconds, so
    /// a secret added just after the client was made gets an id of its own.
    pub fn id_for(client: &ClientId, created: Timestamp) -> ClientSecretId {
        ClientSecretId::new(format!("{client}--{}", created.millis()))
    }
}

impl AppClient {
    /// A confidential client: every request must prove one of its secrets.
    pub fn has_secret(&self) -> bool {
        !self.secrets.is_empty()
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_ids_are_the_client_and_the_creation_time() {
        let id = ClientSecret::id_for(&ClientId::new("abc123"), Timestamp(1_700_000_000_123));
        assert_eq!(id.as_str(), "abc123--1700000000123");
    }
}
