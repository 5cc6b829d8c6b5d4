//! One file per implemented operation: its request, its response, and a
//! `handle` that calls one service method.

pub mod shapes;

pub mod add_custom_attributes;
pub mod admin_add_user_to_group;
pub mod admin_confirm_sign_up;
pub mod admin_create_user;
pub mod admin_delete_user;
pub mod admin_delete_user_attributes;
pub mod admin_disable_user;
pub mod admin_enable_user;
pub mod admin_get_user;
pub mod admin_list_groups_for_user;
pub mod admin_remove_user_from_group;
pub mod admin_reset_user_password;
pub mod admin_set_user_password;
pub mod admin_update_user_attributes;
pub mod create_group;
pub mod create_user_pool;
pub mod create_user_pool_client;
pub mod delete_group;
pub mod delete_user_pool;
pub mod delete_user_pool_client;
pub mod describe_user_pool;
pub mod describe_user_pool_client;
pub mod get_group;
pub mod list_groups;
pub mod list_tags_for_resource;
pub mod list_user_pool_clients;
pub mod list_user_pools;
pub mod list_users;
pub mod list_users_in_group;
pub mod tag_resource;
pub mod untag_resource;
pub mod update_group;
pub mod update_user_pool;
pub mod update_user_pool_client;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::awsjson::ApiError;

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

pub(crate) fn attribute_pairs(list: Vec<AttributeInput>) -> Vec<(String, String)> {
    list.into_iter()
        .map(|a| (a.name, a.value.unwrap_or_default()))
        .collect()
}
