//! A user: status, attributes, the password credential and the aliases that
//! must be unique in the pool.

use std::collections::BTreeMap;

use crate::clock::Timestamp;
use crate::domain::lockout::FailureState;
use crate::domain::mfa::{MfaFactor, UserMfa};
use crate::ids::UserPoolId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Unconfirmed,
    Confirmed,
    Archived,
    Compromised,
    Unknown,
    ResetRequired,
    ForceChangePassword,
    ExternalProvider,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::Archived => "ARCHIVED",
            UserStatus::Compromised => "COMPROMISED",
            UserStatus::Unknown => "UNKNOWN",
            UserStatus::ResetRequired => "RESET_REQUIRED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            UserStatus::ExternalProvider => "EXTERNAL_PROVIDER",
        }
    }

    pub fn parse(s: &str) -> Option<UserStatus> {
        Some(match s {
            "UNCONFIRMED" => UserStatus::Unconfirmed,
            "CONFIRMED" => UserStatus::Confirmed,
            "ARCHIVED" => UserStatus::Archived,
            "COMPROMISED" => UserStatus::Compromised,
            "UNKNOWN" => UserStatus::Unknown,
            "RESET_REQUIRED" => UserStatus::ResetRequired,
            "FORCE_CHANGE_PASSWORD" => UserStatus::ForceChangePassword,
            "EXTERNAL_PROVIDER" => UserStatus::ExternalProvider,
            _ => return None,
        })
    }
}

/// Which kind of sign-in name an alias is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AliasKind {
    Email,
    PhoneNumber,
    PreferredUsername,
}

impl AliasKind {
    pub const ALL: [AliasKind; 3] = [
        AliasKind::Email,
        AliasKind::PhoneNumber,
        AliasKind::PreferredUsername,
    ];

    pub fn attribute(self) -> &'static str {
        match self {
            AliasKind::Email => "email",
            AliasKind::PhoneNumber => "phone_number",
            AliasKind::PreferredUsername => "preferred_username",
        }
    }

    pub fn from_attribute(name: &str) -> Option<AliasKind> {
        AliasKind::ALL.into_iter().find(|k| k.attribute() == name)
    }
}

/// A unique sign-in name other than the username, normalized for the pool.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Alias {
    pub kind: AliasKind,
    pub value: String,
}

/// What happens to the attributes of a user whose alias another user takes
/// (ForceAliasCreation): the contact now signs in someone else, so it is no
/// longer verified for this one. Returns whether anything changed.
pub fn release_alias(attributes: &mut BTreeMap<String, String>, kind: AliasKind) -> bool {
    match attributes.get_mut(&format!("{}_verified", kind.attribute())) {
        Some(verified) if verified != "false" => {
            *verified = "false".into();
            true
        }
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub pool_id: UserPoolId,
    /// The immutable `sub` UUID; the store's key for the user.
    pub sub: String,
    pub username: String,
    /// `username` as the pool compares it (lower-cased in case-insensitive pools).
    pub username_key: String,
    pub status: UserStatus,
    pub enabled: bool,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// Every attribute, `sub` included.
    pub attributes: BTreeMap<String, String>,
    /// New values waiting for verification before they replace the current
    /// ones (the pool's AttributesRequireVerificationBeforeUpdate).
    pub pending_attributes: BTreeMap<String, String>,
    /// The sealed password credential; opaque to the store.
    pub password: Option<Vec<u8>>,
    /// When a temporary password stops working.
    pub password_expires: Option<Timestamp>,
    pub aliases: Vec<Alias>,
    /// Read-only here: changed only through the store's sign-in failure methods,
    /// so an update of the user never overwrites a concurrent failure count.
    pub sign_in_failures: FailureState,
    pub mfa: UserMfa,
}

impl User {
    /// Whether the user has what `factor` sends codes to, or checks them with.
    /// Whether a finished sign-in (a browser session, an authorization
    /// code) still stands for this user: enabled and confirmed.
    pub fn can_sign_in_by_oauth(&self) -> bool {
        self.enabled && self.status == UserStatus::Confirmed
    }

    pub fn can_use_mfa(&self, factor: MfaFactor) -> bool {
        match factor {
            MfaFactor::Sms => self.attribute("phone_number").is_some(),
            MfaFactor::Email => self.attribute("email").is_some(),
            MfaFactor::SoftwareToken => self.mfa.software_token.is_some(),
        }
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    pub fn is_verified(&self, attribute: &str) -> bool {
        self.attribute(&format!("{attribute}_verified")) == Some("true")
    }
}

/// Attributes ListUsers can filter on, with the value each takes for a user.
pub const FILTERABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

impl User {
    /// The values the store indexes for ListUsers filters.
    pub fn filter_values(&self) -> Vec<(&'static str, String)> {
        FILTERABLE
            .iter()
            .filter_map(|&attr| {
                let value = match attr {
                    "username" => Some(self.username_key.clone()),
                    "cognito:user_status" => Some(self.status.as_str().to_owned()),
                    "status" => Some(if self.enabled { "Enabled" } else { "Disabled" }.to_owned()),
                    other => self.attributes.get(other).cloned(),
                }?;
                Some((attr, value))
            })
            .collect()
    }
}
