//! A user pool. Settings a client sends are kept as the JSON members it sent
//! (after defaults are filled in), so Describe returns them faithfully; the few
//! that Tessera acts on have typed accessors.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::clock::Timestamp;
use crate::domain::device::DeviceTracking;
use crate::domain::mfa::{MfaMode, PoolMfaConfig};
use crate::domain::password_policy::{DEFAULT_TEMPORARY_PASSWORD_DAYS, PasswordPolicy};
use crate::domain::schema::SchemaAttribute;
use crate::ids::UserPoolId;

/// Members of CreateUserPool that UpdateUserPool may change. Update replaces
/// all of them: one the caller omits returns to its default, as in Cognito.
pub const UPDATABLE_SETTINGS: &[&str] = &[
    "Policies",
    "DeletionProtection",
    "LambdaConfig",
    "AutoVerifiedAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "MfaConfiguration",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "AdminCreateUserConfig",
    "UserPoolAddOns",
    "AccountRecoverySetting",
    "UserPoolTier",
];

/// Members fixed at creation (the last four are recent additions Tessera
/// stores and returns without acting on them).
pub const CREATE_ONLY_SETTINGS: &[&str] = &[
    "AliasAttributes",
    "UsernameAttributes",
    "UsernameConfiguration",
    "DcrConfiguration",
    "KeyConfiguration",
    "IssuerConfiguration",
    "AcrConfiguration",
];

/// `SetUserPoolMfaConfig`'s factor members, kept with the settings but not
/// members of `UserPoolType` (DescribeUserPool does not show them; an update
/// keeps them).
pub const MFA_CONFIG_SETTINGS: &[&str] = &[
    "SmsMfaConfiguration",
    "SoftwareTokenMfaConfiguration",
    "EmailMfaConfiguration",
    "WebAuthnConfiguration",
];

#[derive(Debug, Clone, PartialEq)]
pub struct UserPool {
    pub id: UserPoolId,
    pub name: String,
    pub arn: String,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// CreateUserPool members other than PoolName, Schema and UserPoolTags.
    pub settings: Map<String, Value>,
    pub schema: Vec<SchemaAttribute>,
    pub tags: BTreeMap<String, String>,
}

/// Fills in what Cognito fills in when a member is omitted.
pub fn apply_setting_defaults(settings: &mut Map<String, Value>) {
    let defaults = [
        (
            "Policies",
            json!({"PasswordPolicy": PasswordPolicy::default().to_json()}),
        ),
        ("DeletionProtection", json!("INACTIVE")),
        ("LambdaConfig", json!({})),
        (
            "VerificationMessageTemplate",
            json!({"DefaultEmailOption": "CONFIRM_WITH_CODE"}),
        ),
        (
            "UserAttributeUpdateSettings",
            json!({"AttributesRequireVerificationBeforeUpdate": []}),
        ),
        ("MfaConfiguration", json!("OFF")),
        (
            "EmailConfiguration",
            json!({"EmailSendingAccount": "COGNITO_DEFAULT"}),
        ),
        (
            "AdminCreateUserConfig",
            json!({"AllowAdminCreateUserOnly": false, "UnusedAccountValidityDays": 7}),
        ),
        ("UserPoolTier", json!("ESSENTIALS")),
    ];
    for (name, value) in defaults {
        settings.entry(name).or_insert(value);
    }
    mirror_verification_messages(settings);
    // A temporary-password validity left out, or sent as 0 (as SDKs with
    // non-optional integers do), means Cognito's 7 days.
    if let Some(policy) = settings
        .get_mut("Policies")
        .and_then(|p| p.get_mut("PasswordPolicy"))
        .and_then(Value::as_object_mut)
    {
        let days = policy
            .entry("TemporaryPasswordValidityDays")
            .or_insert(json!(0));
        if days.as_i64().unwrap_or(0) == 0 {
            *days = json!(DEFAULT_TEMPORARY_PASSWORD_DAYS);
        }
    }
}

/// The legacy top-level verification messages and their members of
/// `VerificationMessageTemplate` describe one template: Cognito returns each
/// pair filled from whichever the caller sent.
fn mirror_verification_messages(settings: &mut Map<String, Value>) {
    const PAIRS: [(&str, &str); 3] = [
        ("SmsVerificationMessage", "SmsMessage"),
        ("EmailVerificationMessage", "EmailMessage"),
        ("EmailVerificationSubject", "EmailSubject"),
    ];
    for (legacy, member) in PAIRS {
        let templated = settings
            .get("VerificationMessageTemplate")
            .and_then(|t| t.get(member))
            .cloned();
        match (settings.get(legacy).cloned(), templated) {
            (None, Some(text)) => {
                settings.insert(legacy.into(), text);
            }
            (Some(text), None) => {
                if let Some(template) = settings
                    .get_mut("VerificationMessageTemplate")
                    .and_then(Value::as_object_mut)
                {
                    template.insert(member.into(), text);
                }
            }
            _ => {}
        }
    }
}

fn string_list(settings: &Map<String, Value>, name: &str) -> Vec<String> {
    settings
        .get(name)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl UserPool {
    pub fn password_policy(&self) -> PasswordPolicy {
        self.settings
            .get("Policies")
            .and_then(|p| p.get("PasswordPolicy"))
            .map(PasswordPolicy::from_json)
            .unwrap_or_default()
    }

    /// `UsernameAttributes`: email and/or phone_number used *as* the username.
    pub fn username_attributes(&self) -> Vec<String> {
        string_list(&self.settings, "UsernameAttributes")
    }

    /// `AliasAttributes`: email, phone_number, preferred_username usable to sign in.
    pub fn alias_attributes(&self) -> Vec<String> {
        string_list(&self.settings, "AliasAttributes")
    }

    pub fn auto_verified_attributes(&self) -> Vec<String> {
        string_list(&self.settings, "AutoVerifiedAttributes")
    }

    /// Pools are case sensitive unless created with `CaseSensitive: false`.
    pub fn case_sensitive(&self) -> bool {
        self.settings
            .get("UsernameConfiguration")
            .and_then(|c| c.get("CaseSensitive"))
            .and_then(Value::as_bool)
            .unwrap_or(true)
    }

    pub fn deletion_protected(&self) -> bool {
        self.settings
            .get("DeletionProtection")
            .and_then(Value::as_str)
            == Some("ACTIVE")
    }

    /// How a username or alias is compared in this pool.
    pub fn normalize(&self, value: &str) -> String {
        if self.case_sensitive() {
            value.to_owned()
        } else {
            value.to_lowercase()
        }
    }

    /// `AdminCreateUserConfig.AllowAdminCreateUserOnly`: no self-service sign-up.
    pub fn admin_create_user_only(&self) -> bool {
        self.settings
            .get("AdminCreateUserConfig")
            .and_then(|c| c.get("AllowAdminCreateUserOnly"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// `AdminCreateUserConfig.InviteMessageTemplate`, if the pool has one.
    pub fn invite_template(&self) -> Option<&Value> {
        self.settings
            .get("AdminCreateUserConfig")
            .and_then(|c| c.get("InviteMessageTemplate"))
    }

    /// `AccountRecoverySetting.RecoveryMechanisms` names, by priority.
    pub fn recovery_mechanisms(&self) -> Vec<String> {
        let mut list: Vec<(i64, String)> = self
            .settings
            .get("AccountRecoverySetting")
            .and_then(|s| s.get("RecoveryMechanisms"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|m| {
                        Some((
                            m.get("Priority")
                                .and_then(Value::as_i64)
                                .unwrap_or(i64::MAX),
                            m.get("Name")?.as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        list.sort();
        list.into_iter().map(|(_, name)| name).collect()
    }

    /// `MfaConfiguration`.
    pub fn mfa_mode(&self) -> MfaMode {
        MfaMode::parse(
            self.settings
                .get("MfaConfiguration")
                .and_then(Value::as_str)
                .unwrap_or("OFF"),
        )
    }

    /// The second factors the pool offers.
    pub fn mfa_config(&self) -> PoolMfaConfig {
        PoolMfaConfig {
            members: MFA_CONFIG_SETTINGS
                .iter()
                .filter_map(|m| Some(((*m).to_owned(), self.settings.get(*m)?.clone())))
                .collect(),
        }
    }

    /// `DeviceConfiguration`, when the pool tracks devices.
    pub fn device_tracking(&self) -> Option<DeviceTracking> {
        DeviceTracking::of(&self.settings)
    }

    pub fn schema_attribute(&self, name: &str) -> Option<&SchemaAttribute> {
        self.schema.iter().find(|a| a.name == name)
    }
}
