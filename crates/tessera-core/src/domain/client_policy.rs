//! What an app client's settings mean, parsed once: which sign-in flows it
//! allows, whether it hides user existence, how long its sessions and tokens
//! live, refresh-token rotation, revocation, attribute permissions and its
//! OAuth members. Services read these typed values, never the raw JSON.

use serde_json::{Map, Value};

/// A sign-in flow of InitiateAuth / AdminInitiateAuth, by what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    UserSrp,
    UserPassword,
    /// ADMIN_USER_PASSWORD_AUTH and its legacy name ADMIN_NO_SRP_AUTH.
    AdminUserPassword,
    /// REFRESH_TOKEN_AUTH and its legacy name REFRESH_TOKEN.
    Refresh,
    CustomAuth,
    UserAuth,
}

impl FlowKind {
    /// The flow Cognito's wire name (current or legacy) names.
    pub fn parse(name: &str) -> Option<FlowKind> {
        Some(match name {
            "USER_SRP_AUTH" => FlowKind::UserSrp,
            "USER_PASSWORD_AUTH" => FlowKind::UserPassword,
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => FlowKind::AdminUserPassword,
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => FlowKind::Refresh,
            "CUSTOM_AUTH" => FlowKind::CustomAuth,
            "USER_AUTH" => FlowKind::UserAuth,
            _ => return None,
        })
    }

    /// The current wire name.
    pub fn name(self) -> &'static str {
        match self {
            FlowKind::UserSrp => "USER_SRP_AUTH",
            FlowKind::UserPassword => "USER_PASSWORD_AUTH",
            FlowKind::AdminUserPassword => "ADMIN_USER_PASSWORD_AUTH",
            FlowKind::Refresh => "REFRESH_TOKEN_AUTH",
            FlowKind::CustomAuth => "CUSTOM_AUTH",
            FlowKind::UserAuth => "USER_AUTH",
        }
    }
}

/// The flows a client's `ExplicitAuthFlows` turn on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFlows {
    srp: bool,
    password: bool,
    admin_password: bool,
    refresh: bool,
    custom: bool,
    user_auth: bool,
}

impl AuthFlows {
    fn from_names(names: &[&str]) -> Self {
        let has = |name: &str| names.contains(&name);
        // A client listing only the legacy names keeps the legacy rule: SRP
        // and refresh are always on.
        let legacy = !names.iter().any(|f| f.starts_with("ALLOW_"));
        AuthFlows {
            srp: legacy || has("ALLOW_USER_SRP_AUTH"),
            password: has("ALLOW_USER_PASSWORD_AUTH") || has("USER_PASSWORD_AUTH"),
            admin_password: has("ALLOW_ADMIN_USER_PASSWORD_AUTH") || has("ADMIN_NO_SRP_AUTH"),
            refresh: legacy || has("ALLOW_REFRESH_TOKEN_AUTH"),
            custom: has("ALLOW_CUSTOM_AUTH") || has("CUSTOM_AUTH_FLOW_ONLY"),
            user_auth: has("ALLOW_USER_AUTH"),
        }
    }

    pub fn allows(&self, flow: FlowKind) -> bool {
        match flow {
            FlowKind::UserSrp => self.srp,
            FlowKind::UserPassword => self.password,
            FlowKind::AdminUserPassword => self.admin_password,
            FlowKind::Refresh => self.refresh,
            FlowKind::CustomAuth => self.custom,
            FlowKind::UserAuth => self.user_auth,
        }
    }
}

/// Seconds each kind of token lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetimes {
    pub access: i64,
    pub id: i64,
    pub refresh: i64,
}

/// `RefreshTokenRotation`: whether GetTokensFromRefreshToken replaces the
/// refresh token, and how long a replaced one keeps working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshRotation {
    pub enabled: bool,
    pub grace_seconds: i64,
}

/// The client's OAuth 2.0 members.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OAuthSettings {
    /// `AllowedOAuthFlowsUserPoolClient`.
    pub enabled: bool,
    pub flows: Vec<String>,
    pub scopes: Vec<String>,
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
    pub default_redirect_uri: Option<String>,
    pub identity_providers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPolicy {
    pub auth_flows: AuthFlows,
    pub prevent_user_existence_errors: bool,
    /// How long a challenge's Session stays good (AuthSessionValidity, 3–15 minutes).
    pub auth_session_seconds: i64,
    pub lifetimes: TokenLifetimes,
    pub refresh_rotation: RefreshRotation,
    pub token_revocation: bool,
    /// `ReadAttributes`; `None` (or an empty list) means every attribute.
    pub read_attributes: Option<Vec<String>>,
    /// `WriteAttributes`; `None` (or an empty list) means every attribute.
    pub write_attributes: Option<Vec<String>>,
    pub oauth: OAuthSettings,
}

fn strings<'a>(settings: &'a Map<String, Value>, member: &str) -> Vec<&'a str> {
    settings
        .get(member)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn owned(list: Vec<&str>) -> Vec<String> {
    list.into_iter().map(str::to_owned).collect()
}

/// A validity member in seconds, in the unit `TokenValidityUnits` gives it.
fn seconds_in(settings: &Map<String, Value>, member: &str, unit: &str, default_unit: &str) -> i64 {
    let value = settings.get(member).and_then(Value::as_i64).unwrap_or(60);
    value.saturating_mul(unit_seconds(settings, unit, default_unit))
}

/// Seconds per unit of one token's validity.
pub fn unit_seconds(settings: &Map<String, Value>, token: &str, default_unit: &str) -> i64 {
    let unit = settings
        .get("TokenValidityUnits")
        .and_then(|u| u.get(token))
        .and_then(Value::as_str)
        .unwrap_or(default_unit);
    match unit {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        _ => 86_400,
    }
}

impl ClientPolicy {
    /// The policy of a client's stored settings (Cognito's defaults already filled in).
    pub fn from_settings(s: &Map<String, Value>) -> ClientPolicy {
        let rotation = s.get("RefreshTokenRotation");
        let listed = |member: &str| Some(owned(strings(s, member))).filter(|l| !l.is_empty());
        ClientPolicy {
            auth_flows: AuthFlows::from_names(&strings(s, "ExplicitAuthFlows")),
            prevent_user_existence_errors: s
                .get("PreventUserExistenceErrors")
                .and_then(Value::as_str)
                == Some("ENABLED"),
            auth_session_seconds: s
                .get("AuthSessionValidity")
                .and_then(Value::as_i64)
                .unwrap_or(3)
                .clamp(3, 15)
                * 60,
            lifetimes: TokenLifetimes {
                access: seconds_in(s, "AccessTokenValidity", "AccessToken", "minutes"),
                id: seconds_in(s, "IdTokenValidity", "IdToken", "minutes"),
                refresh: seconds_in(s, "RefreshTokenValidity", "RefreshToken", "days"),
            },
            refresh_rotation: RefreshRotation {
                enabled: rotation
                    .and_then(|r| r.get("Feature"))
                    .and_then(Value::as_str)
                    == Some("ENABLED"),
                grace_seconds: rotation
                    .and_then(|r| r.get("RetryGracePeriodSeconds"))
                    .and_then(Value::as_i64)
                    .unwrap_or(0),
            },
            token_revocation: s
                .get("EnableTokenRevocation")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            read_attributes: listed("ReadAttributes"),
            write_attributes: listed("WriteAttributes"),
            oauth: OAuthSettings {
                enabled: s
                    .get("AllowedOAuthFlowsUserPoolClient")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                flows: owned(strings(s, "AllowedOAuthFlows")),
                scopes: owned(strings(s, "AllowedOAuthScopes")),
                callback_urls: owned(strings(s, "CallbackURLs")),
                logout_urls: owned(strings(s, "LogoutURLs")),
                default_redirect_uri: s
                    .get("DefaultRedirectURI")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                identity_providers: owned(strings(s, "SupportedIdentityProviders")),
            },
        }
    }

    /// Whether the client may read `attribute` (`sub` always).
    pub fn may_read(&self, attribute: &str) -> bool {
        attribute == "sub"
            || self
                .read_attributes
                .as_ref()
                .is_none_or(|list| list.iter().any(|a| a == attribute))
    }

    /// Whether a user may set `attribute` through this client: never `sub` or
    /// the verification flags, which only an administrator or a code may set.
    pub fn may_write(&self, attribute: &str) -> bool {
        !matches!(
            attribute,
            "sub" | "email_verified" | "phone_number_verified"
        ) && self
            .write_attributes
            .as_ref()
            .is_none_or(|list| list.iter().any(|a| a == attribute))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::client::apply_setting_defaults;

    fn policy(settings: Value) -> ClientPolicy {
        let mut map = settings.as_object().cloned().unwrap_or_default();
        apply_setting_defaults(&mut map);
        ClientPolicy::from_settings(&map)
    }

    #[test]
    fn defaults_are_cognitos() {
        let p = policy(json!({}));
        assert!(p.auth_flows.allows(FlowKind::UserSrp));
        assert!(p.auth_flows.allows(FlowKind::Refresh));
        assert!(!p.auth_flows.allows(FlowKind::UserPassword));
        assert!(!p.auth_flows.allows(FlowKind::AdminUserPassword));
        assert!(!p.prevent_user_existence_errors);
        assert_eq!(p.auth_session_seconds, 180);
        assert_eq!(
            p.lifetimes,
            TokenLifetimes {
                access: 3600,
                id: 3600,
                refresh: 30 * 86_400
            }
        );
        assert!(!p.refresh_rotation.enabled);
        assert!(p.token_revocation);
        assert!(p.may_read("email") && p.may_write("email"));
        assert!(!p.may_write("email_verified"));
    }

    #[test]
    fn legacy_flow_names_keep_srp_and_refresh_on() {
        let p = policy(json!({"ExplicitAuthFlows": ["ADMIN_NO_SRP_AUTH"]}));
        assert!(p.auth_flows.allows(FlowKind::AdminUserPassword));
        assert!(p.auth_flows.allows(FlowKind::UserSrp));
        assert!(p.auth_flows.allows(FlowKind::Refresh));
        let p = policy(json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}));
        assert!(p.auth_flows.allows(FlowKind::UserPassword));
        assert!(!p.auth_flows.allows(FlowKind::UserSrp));
        assert!(!p.auth_flows.allows(FlowKind::Refresh));
    }

    #[test]
    fn units_session_validity_and_attribute_lists() {
        let p = policy(json!({
            "AccessTokenValidity": 2,
            "TokenValidityUnits": {"AccessToken": "hours"},
            "AuthSessionValidity": 99,
            "ReadAttributes": ["email"],
            "WriteAttributes": [],
            "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10},
        }));
        assert_eq!(p.lifetimes.access, 7200);
        assert_eq!(p.auth_session_seconds, 15 * 60);
        assert!(p.may_read("sub") && p.may_read("email") && !p.may_read("name"));
        assert!(p.may_write("name"));
        assert_eq!(
            p.refresh_rotation,
            RefreshRotation {
                enabled: true,
                grace_seconds: 10
            }
        );
    }

    #[test]
    fn flow_names_round_trip() {
        for kind in [
            FlowKind::UserSrp,
            FlowKind::UserPassword,
            FlowKind::AdminUserPassword,
            FlowKind::Refresh,
            FlowKind::CustomAuth,
            FlowKind::UserAuth,
        ] {
            assert_eq!(FlowKind::parse(kind.name()), Some(kind));
        }
        assert_eq!(
            FlowKind::parse("ADMIN_NO_SRP_AUTH"),
            Some(FlowKind::AdminUserPassword)
        );
        assert_eq!(FlowKind::parse("REFRESH_TOKEN"), Some(FlowKind::Refresh));
        assert_eq!(FlowKind::parse("nope"), None);
    }
}
