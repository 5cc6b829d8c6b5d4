//! One file per implemented operation: its request, its response, and a
//! `handle` that calls one service method.

pub mod add_custom_attributes;
pub mod add_user_pool_client_secret;
pub mod admin_add_user_to_group;
pub mod admin_confirm_sign_up;
pub mod admin_create_user;
pub mod admin_delete_software_token;
pub mod admin_delete_user;
pub mod admin_delete_user_attributes;
pub mod admin_disable_user;
pub mod admin_enable_user;
pub mod admin_forget_device;
pub mod admin_get_device;
pub mod admin_get_user;
pub mod admin_get_user_auth_factors;
pub mod admin_initiate_auth;
pub mod admin_list_devices;
pub mod admin_list_groups_for_user;
pub mod admin_list_user_auth_events;
pub mod admin_list_user_sessions;
pub mod admin_remove_user_from_group;
pub mod admin_reset_user_password;
pub mod admin_respond_to_auth_challenge;
pub mod admin_revoke_user_session;
pub mod admin_set_user_mfa_preference;
pub mod admin_set_user_password;
pub mod admin_set_user_settings;
pub mod admin_update_auth_event_feedback;
pub mod admin_update_device_status;
pub mod admin_update_user_attributes;
pub mod admin_user_global_sign_out;
pub mod associate_software_token;
pub mod change_password;
pub mod complete_web_authn_registration;
pub mod confirm_device;
pub mod confirm_forgot_password;
pub mod confirm_sign_up;
pub mod create_group;
pub mod create_managed_login_branding;
pub mod create_resource_server;
pub mod create_terms;
pub mod create_user_import_job;
pub mod create_user_pool;
pub mod create_user_pool_client;
pub mod create_user_pool_domain;
pub mod delete_group;
pub mod delete_managed_login_branding;
pub mod delete_resource_server;
pub mod delete_terms;
pub mod delete_user;
pub mod delete_user_attributes;
pub mod delete_user_pool;
pub mod delete_user_pool_client;
pub mod delete_user_pool_client_secret;
pub mod delete_user_pool_domain;
pub mod delete_web_authn_credential;
pub mod describe_managed_login_branding;
pub mod describe_managed_login_branding_by_client;
pub mod describe_resource_server;
pub mod describe_risk_configuration;
pub mod describe_terms;
pub mod describe_terms_by_client;
pub mod describe_user_import_job;
pub mod describe_user_pool;
pub mod describe_user_pool_client;
pub mod describe_user_pool_domain;
pub mod forget_device;
pub mod forgot_password;
pub mod get_csv_header;
pub mod get_device;
pub mod get_group;
pub mod get_tokens_from_refresh_token;
pub mod get_ui_customization;
pub mod get_user;
pub mod get_user_attribute_verification_code;
pub mod get_user_auth_factors;
pub mod get_user_pool_client_session_configuration;
pub mod get_user_pool_mfa_config;
pub mod get_user_pool_session_configuration;
pub mod global_sign_out;
pub mod import_shapes;
pub mod initiate_auth;
pub mod list_devices;
pub mod list_groups;
pub mod list_resource_servers;
pub mod list_tags_for_resource;
pub mod list_terms;
pub mod list_user_import_jobs;
pub mod list_user_pool_client_secrets;
pub mod list_user_pool_clients;
pub mod list_user_pools;
pub mod list_user_sessions;
pub mod list_users;
pub mod list_users_in_group;
pub mod list_web_authn_credentials;
pub mod oauth_shapes;
pub mod resend_confirmation_code;
pub mod respond_to_auth_challenge;
pub mod revoke_token;
pub mod revoke_user_session;
pub mod set_risk_configuration;
pub mod set_ui_customization;
pub mod set_user_mfa_preference;
pub mod set_user_pool_client_session_configuration;
pub mod set_user_pool_mfa_config;
pub mod set_user_pool_session_configuration;
pub mod set_user_settings;
pub mod shapes;
pub mod sign_up;
pub mod start_user_import_job;
pub mod start_web_authn_registration;
pub mod stop_user_import_job;
pub mod tag_resource;
pub mod untag_resource;
pub mod update_auth_event_feedback;
pub mod update_device_status;
pub mod update_group;
pub mod update_managed_login_branding;
pub mod update_resource_server;
pub mod update_terms;
pub mod update_user_attributes;
pub mod update_user_pool;
pub mod update_user_pool_client;
pub mod update_user_pool_domain;
pub mod verify_software_token;
pub mod verify_user_attribute;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::awsjson::{ApiError, Caller};
use tessera_core::services::events::RequestOrigin;

/// The request members after the model's checks; a shape the model allows
/// but this struct cannot hold is still a serialization error, not a panic.
pub(crate) fn parse<T: DeserializeOwned>(input: Value) -> Result<T, ApiError> {
    serde_json::from_value(input).map_err(|e| ApiError::serialization(e.to_string()))
}

/// `{"Name": …, "Value": …}` as requests carry attributes.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeInput {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
}

/// A string map in which a `null` value means the entry is absent
/// (amazon-cognito-identity-js sends `"DEVICE_KEY": null` when refreshing).
pub(crate) fn string_map<'de, D>(
    d: D,
) -> Result<std::collections::BTreeMap<String, String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw: Option<std::collections::BTreeMap<String, Option<String>>> =
        Deserialize::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect())
}

/// A list in which `null` means absent (amazon-cognito-identity-js sends
/// `"ValidationData": null` when the app passes none).
pub(crate) fn list_or_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

pub(crate) fn attribute_pairs(list: Vec<AttributeInput>) -> Vec<(String, String)> {
    list.into_iter()
        .map(|a| (a.name, a.value.unwrap_or_default()))
        .collect()
}

/// `ContextData` / `UserContextData`: only the stated address is read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ContextDataInput {
    #[serde(default)]
    pub ip_address: Option<String>,
}

/// Where a sign-in came from: the socket peer, and the address the request
/// states (an unreadable one is ignored, as if not stated).
pub(crate) fn origin(caller: &Caller, stated: Option<&ContextDataInput>) -> RequestOrigin {
    RequestOrigin {
        peer: caller.peer,
        stated: stated
            .and_then(|c| c.ip_address.as_deref())
            .and_then(|ip| ip.trim().parse().ok()),
        user_agent: caller.user_agent.clone(),
    }
}
