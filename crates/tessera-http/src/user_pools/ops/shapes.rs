//! Response shapes shared by several operations (UserPoolType, UserType, …).

use serde_json::{Map, Value, json};
use tessera_core::domain::auth_factor::AuthFactor;
use tessera_core::domain::client::AppClient;
use tessera_core::domain::device::Device;
use tessera_core::domain::group::Group;
use tessera_core::domain::mfa::MfaFactor;
use tessera_core::domain::pool::{MFA_CONFIG_SETTINGS, UserPool};
use tessera_core::domain::session::{
    CLIENT_SESSION_SETTINGS, POOL_SESSION_SETTINGS, PoolSessionConfig,
};
use tessera_core::domain::user::User;
use tessera_core::ids::UserPoolId;
use tessera_core::services::client_rotation::ClientSecretDescriptor;
use tessera_core::services::clients::ClientView;
use tessera_core::services::codes::CodeDelivery;
use tessera_core::services::mfa::pool_config::MfaConfigView;
use tessera_core::services::signin::AuthOutcome;
use tessera_core::services::signin::challenge::Challenge;
use tessera_core::services::tokens::TokenSet;
use tessera_core::services::user_sessions::SessionView;

use crate::awsjson::ApiError;

/// UserPoolType: the stored settings plus what Cognito computes.
pub fn user_pool(pool: &UserPool, estimated_users: u64) -> Value {
    let mut out: Map<String, Value> = pool
        .settings
        .iter()
        .filter(|(k, _)| {
            !MFA_CONFIG_SETTINGS.contains(&k.as_str())
                && !POOL_SESSION_SETTINGS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.insert("Id".into(), json!(pool.id));
    out.insert("Name".into(), json!(pool.name));
    out.insert("Arn".into(), json!(pool.arn));
    out.insert("CreationDate".into(), json!(pool.created.epoch_seconds()));
    out.insert(
        "LastModifiedDate".into(),
        json!(pool.modified.epoch_seconds()),
    );
    out.insert("SchemaAttributes".into(), json!(pool.schema));
    out.insert("EstimatedNumberOfUsers".into(), json!(estimated_users));
    out.insert("UserPoolTags".into(), json!(pool.tags));
    Value::Object(out)
}

/// UserPoolDescriptionType, as ListUserPools returns it.
pub fn user_pool_description(pool: &UserPool) -> Value {
    json!({
        "Id": pool.id,
        "Name": pool.name,
        "LambdaConfig": pool.settings.get("LambdaConfig").cloned().unwrap_or_else(|| json!({})),
        "LastModifiedDate": pool.modified.epoch_seconds(),
        "CreationDate": pool.created.epoch_seconds(),
    })
}

/// UserPoolClientType, with the secret where Cognito shows it.
pub fn client(view: &ClientView) -> Value {
    let c = &view.client;
    let mut out: Map<String, Value> = c
        .settings
        .iter()
        .filter(|(k, _)| !CLIENT_SESSION_SETTINGS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.insert("UserPoolId".into(), json!(c.pool_id));
    out.insert("ClientName".into(), json!(c.name));
    out.insert("ClientId".into(), json!(c.id));
    if let Some(secret) = &view.secret {
        out.insert("ClientSecret".into(), json!(secret));
    }
    out.insert("LastModifiedDate".into(), json!(c.modified.epoch_seconds()));
    out.insert("CreationDate".into(), json!(c.created.epoch_seconds()));
    Value::Object(out)
}

/// ClientSecretDescriptorType; the value only where the service returns one.
pub fn client_secret(d: &ClientSecretDescriptor) -> Value {
    let mut out = json!({
        "ClientSecretId": d.id,
        "ClientSecretCreateDate": d.created.epoch_seconds(),
    });
    if let Some(value) = &d.value {
        out["ClientSecretValue"] = json!(value);
    }
    out
}

/// UserPoolClientDescription, as ListUserPoolClients returns it.
pub fn client_description(c: &AppClient) -> Value {
    json!({"ClientId": c.id, "UserPoolId": c.pool_id, "ClientName": c.name})
}

pub fn attributes(user: &User) -> Value {
    Value::Array(
        user.attributes
            .iter()
            .map(|(name, value)| json!({"Name": name, "Value": value}))
            .collect(),
    )
}

/// UserType, as AdminCreateUser, ListUsers and ListUsersInGroup return it.
pub fn user(user: &User) -> Value {
    json!({
        "Username": user.username,
        "Attributes": attributes(user),
        "UserCreateDate": user.created.epoch_seconds(),
        "UserLastModifiedDate": user.modified.epoch_seconds(),
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
    })
}

/// A user's MFA members of GetUser / AdminGetUser, added to `out`: the
/// enabled factors, the preferred one, and the legacy `MFAOptions` for SMS.
/// Members without a value are left out, as Cognito leaves them out.
pub fn add_mfa_settings(out: &mut Value, user: &User) {
    add_mfa_factors(out, user);
    if user.mfa.preferences.sms.enabled {
        out["MFAOptions"] = json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]);
    }
}

/// The enabled factors and the preferred one, when there are.
fn add_mfa_factors(out: &mut Value, user: &User) {
    let preferences = &user.mfa.preferences;
    let enabled = preferences.enabled();
    if !enabled.is_empty() {
        out["UserMFASettingList"] = json!(enabled.iter().map(|f| f.name()).collect::<Vec<_>>());
    }
    if let Some(preferred) = preferences.preferred() {
        out["PreferredMfaSetting"] = json!(preferred.name());
    }
}

/// GetUserAuthFactors / AdminGetUserAuthFactors output: the user's MFA
/// members as GetUser gives them, and its first factors.
pub fn auth_factors(user: &User, factors: &[AuthFactor]) -> Value {
    let mut out = json!({
        "Username": user.username,
        "ConfiguredUserAuthFactors": factors.iter().map(|f| f.name()).collect::<Vec<_>>(),
    });
    add_mfa_factors(&mut out, user);
    out
}

/// SetUserPoolMfaConfig / GetUserPoolMfaConfig output.
pub fn mfa_config(config: &MfaConfigView) -> Value {
    let mut out = Value::Object(config.factors.members.clone());
    out["MfaConfiguration"] = json!(config.mode);
    out
}

/// GroupType.
pub fn group(g: &Group) -> Value {
    let mut out = Map::new();
    out.insert("GroupName".into(), json!(g.name));
    out.insert("UserPoolId".into(), json!(g.pool_id));
    if let Some(d) = &g.description {
        out.insert("Description".into(), json!(d));
    }
    if let Some(r) = &g.role_arn {
        out.insert("RoleArn".into(), json!(r));
    }
    if let Some(p) = g.precedence {
        out.insert("Precedence".into(), json!(p));
    }
    out.insert("LastModifiedDate".into(), json!(g.modified.epoch_seconds()));
    out.insert("CreationDate".into(), json!(g.created.epoch_seconds()));
    Value::Object(out)
}

/// Adds `name: value` when there is a value (pagination tokens).
pub fn with_token(mut v: Value, name: &str, token: Option<String>) -> Value {
    if let (Some(t), Some(obj)) = (token, v.as_object_mut()) {
        obj.insert(name.into(), json!(t));
    }
    v
}

/// AuthenticationResultType.
pub fn authentication_result(tokens: &TokenSet) -> Value {
    let mut out = json!({
        "AccessToken": tokens.access_token,
        "ExpiresIn": tokens.expires_in,
        "TokenType": "Bearer",
        "IdToken": tokens.id_token,
    });
    if let Some(refresh) = &tokens.refresh_token {
        out["RefreshToken"] = json!(refresh);
    }
    if let Some(device) = &tokens.new_device {
        out["NewDeviceMetadata"] = json!({
            "DeviceKey": device.key,
            "DeviceGroupKey": device.group_key,
        });
    }
    out
}

/// InitiateAuth / RespondToAuthChallenge output: tokens, or the next challenge.
pub fn auth_outcome(outcome: AuthOutcome) -> Value {
    match outcome {
        AuthOutcome::Tokens(tokens) => json!({
            "AuthenticationResult": authentication_result(&tokens),
            "ChallengeParameters": {},
        }),
        AuthOutcome::Challenge { challenge, session } => {
            let name = challenge.name().as_str();
            // SELECT_CHALLENGE's offer is a member of its own, not a parameter.
            let available = match &challenge {
                Challenge::SelectChallenge { available } => Some(json!(
                    available.iter().map(|c| c.as_str()).collect::<Vec<_>>()
                )),
                _ => None,
            };
            let mut out = json!({
                "ChallengeName": name,
                "ChallengeParameters": challenge_parameters(challenge),
            });
            if let Some(available) = available {
                out["AvailableChallenges"] = available;
            }
            if let Some(session) = session {
                out["Session"] = json!(session);
            }
            out
        }
        // Only the hosted pages' sign-ins end this way; the API's end in tokens.
        AuthOutcome::SignedIn(_) => json!({"ChallengeParameters": {}}),
    }
}

/// A challenge's `ChallengeParameters`, named and encoded as Cognito sends
/// them: the attribute lists of NEW_PASSWORD_REQUIRED are JSON inside strings.
fn challenge_parameters(challenge: Challenge) -> Value {
    match challenge {
        Challenge::PasswordVerifier {
            salt,
            srp_b,
            secret_block,
            user_id_for_srp,
        } => json!({
            "SALT": salt,
            "SRP_B": srp_b,
            "SECRET_BLOCK": secret_block,
            "USERNAME": user_id_for_srp,
            "USER_ID_FOR_SRP": user_id_for_srp,
        }),
        Challenge::NewPasswordRequired {
            user_id_for_srp,
            user_attributes,
            required_attributes,
        } => {
            let required: Vec<String> = required_attributes
                .iter()
                .map(|name| format!("userAttributes.{name}"))
                .collect();
            json!({
                "USER_ID_FOR_SRP": user_id_for_srp,
                "userAttributes": Value::from(user_attributes_json(&user_attributes)),
                "requiredAttributes": Value::from(json!(required).to_string()),
            })
        }
        Challenge::SoftwareTokenMfa {
            user_id_for_srp,
            friendly_device_name,
        } => {
            let mut out = json!({"USER_ID_FOR_SRP": user_id_for_srp});
            if let Some(name) = friendly_device_name {
                out["FRIENDLY_DEVICE_NAME"] = json!(name);
            }
            out
        }
        Challenge::CodeMfa {
            user_id_for_srp,
            delivery,
            ..
        }
        | Challenge::SignInCode {
            user_id_for_srp,
            delivery,
            ..
        } => json!({
            "USER_ID_FOR_SRP": user_id_for_srp,
            "CODE_DELIVERY_DELIVERY_MEDIUM": delivery.medium,
            "CODE_DELIVERY_DESTINATION": delivery.destination,
        }),
        Challenge::SelectMfaType {
            user_id_for_srp,
            choices,
        } => json!({
            "USER_ID_FOR_SRP": user_id_for_srp,
            "MFAS_CAN_CHOOSE": factor_list(&choices),
        }),
        Challenge::MfaSetup {
            user_id_for_srp,
            can_set_up,
        } => json!({
            "USER_ID_FOR_SRP": user_id_for_srp,
            "MFAS_CAN_SETUP": factor_list(&can_set_up),
        }),
        Challenge::Custom {
            username,
            parameters,
        } => {
            let mut out: serde_json::Map<String, Value> = parameters
                .into_iter()
                .map(|(k, v)| (k, Value::from(v)))
                .collect();
            out.insert("USERNAME".into(), json!(username));
            Value::Object(out)
        }
        // Nothing names the user yet: the offer is the same for a name that
        // matches no user.
        Challenge::SelectChallenge { .. } => json!({}),
        Challenge::WebAuthn { options_json } => json!({"CREDENTIAL_REQUEST_OPTIONS": options_json}),
        Challenge::DeviceSrpAuth { user_id_for_srp } => json!({
            "USERNAME": user_id_for_srp,
            "USER_ID_FOR_SRP": user_id_for_srp,
        }),
        Challenge::DevicePasswordVerifier {
            salt,
            srp_b,
            secret_block,
            user_id_for_srp,
            device_key,
        } => json!({
            "SALT": salt,
            "SRP_B": srp_b,
            "SECRET_BLOCK": secret_block,
            "USERNAME": user_id_for_srp,
            "USER_ID_FOR_SRP": user_id_for_srp,
            "DEVICE_KEY": device_key,
        }),
    }
}

/// A JSON array of factor names, inside a string, as Cognito sends it.
fn factor_list(factors: &[MfaFactor]) -> String {
    json!(factors.iter().map(|f| f.name()).collect::<Vec<_>>()).to_string()
}

fn user_attributes_json(attributes: &std::collections::BTreeMap<String, String>) -> String {
    json!(attributes).to_string()
}

/// CodeDeliveryDetailsType.
pub fn code_delivery(d: &CodeDelivery) -> Value {
    json!({
        "Destination": d.destination,
        "DeliveryMedium": d.medium,
        "AttributeName": d.attribute,
    })
}

/// DeviceType: the device's attributes as Cognito names them, and its dates.
pub fn device(d: &Device) -> Value {
    let mut attributes = vec![json!({"Name": "device_status", "Value": "valid"})];
    if let Some(name) = &d.name {
        attributes.push(json!({"Name": "device_name", "Value": name}));
    }
    attributes.push(json!({
        "Name": "dev:device_remembered_status",
        "Value": if d.remembered { "remembered" } else { "not_remembered" },
    }));
    let mut out = json!({
        "DeviceKey": d.key,
        "DeviceAttributes": attributes,
        "DeviceCreateDate": d.created.epoch_seconds(),
        "DeviceLastModifiedDate": d.modified.epoch_seconds(),
    });
    if let Some(at) = d.last_authenticated {
        out["DeviceLastAuthenticatedDate"] = json!(at.epoch_seconds());
    }
    out
}

/// `DeviceRememberedStatus` (the model has checked its value): whether the
/// device is to be remembered.
pub fn remembered_status(status: Option<&str>) -> Result<bool, ApiError> {
    match status {
        Some(status) => Ok(status == "remembered"),
        None => Err(ApiError::bad_request(
            "InvalidParameterException",
            "DeviceRememberedStatus is required.",
        )),
    }
}

/// Get/SetUserPoolSessionConfiguration's answer.
pub fn pool_session_configuration(pool: &UserPoolId, config: &PoolSessionConfig) -> Value {
    let mut out = Map::new();
    out.insert("UserPoolId".into(), json!(pool));
    out.extend(config.members().map(|(k, v)| (k.to_owned(), v)));
    Value::Object(out)
}

/// SessionDescriptionType: a token session. No geo-IP database is at hand,
/// so `LastLocation` is left out, as Cognito leaves out what it cannot resolve.
pub fn session(s: &SessionView) -> Value {
    let mut out = json!({
        "SessionId": s.session_id,
        "SessionType": "TOKEN",
        "ClientId": s.client_id,
        "CreateDate": s.created.epoch_seconds(),
        "LastActiveDate": s.last_active.epoch_seconds(),
        "DeviceType": s.device_type,
        "IsCurrentSession": s.current,
    });
    if let Some(ip) = &s.last_ip {
        out["LastIPAddress"] = json!(ip);
    }
    out
}
