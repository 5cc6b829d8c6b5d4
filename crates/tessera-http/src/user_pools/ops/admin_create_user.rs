//! AdminCreateUser.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;
use tessera_core::mailer::Medium;
use tessera_core::services::users::{CreateUser, MessageAction};

use super::{AttributeInput, attribute_pairs, parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    username: String,
    #[serde(default)]
    user_attributes: Vec<AttributeInput>,
    temporary_password: Option<String>,
    #[serde(default)]
    force_alias_creation: bool,
    message_action: Option<String>,
    #[serde(default)]
    desired_delivery_mediums: Vec<String>,
    #[serde(default, deserialize_with = "super::list_or_null")]
    validation_data: Vec<AttributeInput>,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let message_action = match r.message_action.as_deref() {
        Some("SUPPRESS") => MessageAction::Suppress,
        Some("RESEND") => MessageAction::Resend,
        _ => MessageAction::Send,
    };
    let delivery_mediums = r
        .desired_delivery_mediums
        .iter()
        .map(|m| {
            if m == "EMAIL" {
                Medium::Email
            } else {
                Medium::Sms
            }
        })
        .collect();
    let user = state
        .services
        .admin_create_user(CreateUser {
            pool_id: r.user_pool_id,
            username: r.username,
            attributes: attribute_pairs(r.user_attributes),
            validation_data: attribute_pairs(r.validation_data).into_iter().collect(),
            client_metadata: r.client_metadata,
            temporary_password: r.temporary_password,
            force_alias_creation: r.force_alias_creation,
            message_action,
            delivery_mediums,
        })
        .await?;
    Ok(json!({"User": shapes::user(&user)}))
}
