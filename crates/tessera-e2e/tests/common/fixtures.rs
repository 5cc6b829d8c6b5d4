//! Builders shared by the test modules: attribute helpers, and the pool and
//! user most admin-API tests start from.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, AttributeDataType, AttributeType, MessageTemplateType,
    PasswordPolicyType, SchemaAttributeType, StringAttributeConstraintsType, UserPoolPolicyType,
    UserType,
};

pub fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("name is set")
}

pub fn attribute<'a>(attributes: &'a [AttributeType], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

pub fn user_attribute<'a>(user: &'a UserType, name: &str) -> Option<&'a str> {
    attribute(user.attributes(), name)
}

/// A pool with a password policy, a custom attribute, an invitation template and a tag.
pub async fn create_pool(client: &Client, name: &str) -> anyhow::Result<String> {
    let out = client
        .create_user_pool()
        .pool_name(name)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(10)
                        .require_uppercase(true)
                        .require_lowercase(true)
                        .require_numbers(true)
                        .require_symbols(false)
                        .temporary_password_validity_days(3)
                        .build(),
                )
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("team")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .string_attribute_constraints(
                    StringAttributeConstraintsType::builder()
                        .min_length("1")
                        .max_length("32")
                        .build(),
                )
                .build(),
        )
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .invite_message_template(
                    MessageTemplateType::builder()
                        .email_subject("Welcome to Tessera")
                        .email_message("Hello {username}, your temporary password is {####}")
                        .sms_message("Hi {username}: {####}")
                        .build(),
                )
                .build(),
        )
        .user_pool_tags("project", "tessera")
        .send()
        .await?;
    Ok(out
        .user_pool()
        .and_then(|p| p.id())
        .expect("CreateUserPool returns the pool id")
        .to_owned())
}

/// A user with a verified email, created without an invitation (so with
/// no message in the outbox).
pub async fn create_user(
    client: &Client,
    pool: &str,
    username: &str,
    email: &str,
) -> anyhow::Result<UserType> {
    let out = client
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .user_attributes(attr("email", email))
        .user_attributes(attr("email_verified", "true"))
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await?;
    Ok(out
        .user()
        .expect("AdminCreateUser returns the user")
        .clone())
}
