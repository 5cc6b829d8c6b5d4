//! Changing a user's attributes, shared by the admin and self-service
//! operations: schema and mutability checks, and what a new email or phone
//! number means — unverified (or, when the pool keeps the original value until
//! the new one is verified, pending), with a code sent when the pool
//! auto-verifies it. Also what a client lets its users write.

use serde_json::Value;

use super::Services;
use super::codes::{CodeDelivery, VERIFY_CODE_LIFETIME_SECONDS, medium_for};
use super::directory::UserDirectory;
use super::messages::Occasion;
use crate::domain::client_policy::ClientPolicy;
use crate::domain::code::CodePurpose;
use crate::domain::pool::UserPool;
use crate::domain::schema::{AttributeFaults, FaultWording, canonical_value};
use crate::domain::user::User;
use crate::error::{Error, Result};

fn keeps_original_until_verified(pool: &UserPool, attribute: &str) -> bool {
    pool.settings
        .get("UserAttributeUpdateSettings")
        .and_then(|s| s.get("AttributesRequireVerificationBeforeUpdate"))
        .and_then(Value::as_array)
        .is_some_and(|list| list.iter().any(|v| v.as_str() == Some(attribute)))
}

impl Services {
    /// Applies `updates` to `user` in memory; returns the (attribute, value)
    /// pairs a verification code must go to.
    pub(crate) fn apply_attribute_updates(
        pool: &UserPool,
        user: &mut User,
        updates: &[(String, String)],
    ) -> Result<Vec<(String, String)>> {
        let updates: Vec<(String, String)> = updates
            .iter()
            .map(|(name, value)| (name.clone(), canonical_value(&pool.schema, name, value)))
            .collect();
        let mut faults = AttributeFaults::new();
        for (name, value) in &updates {
            if name == "sub" {
                faults.check_mutable(&pool.schema, name);
                continue;
            }
            faults.check_value(&pool.schema, name, value);
            if user.attribute(name) != Some(value.as_str()) {
                faults.check_mutable(&pool.schema, name);
            }
        }
        faults.into_result(FaultWording::Update)?;
        let mut to_verify = Vec::new();
        for (name, value) in &updates {
            let changed = user.attribute(name) != Some(value.as_str());
            let flag = format!("{name}_verified");
            let contact = name == "email" || name == "phone_number";
            if !(changed && contact) || updates.iter().any(|(n, _)| *n == flag) {
                user.attributes.insert(name.clone(), value.clone());
                user.pending_attributes.remove(name);
                continue;
            }
            let auto_verified = pool.auto_verified_attributes().contains(name);
            if keeps_original_until_verified(pool, name) && user.is_verified(name) {
                user.pending_attributes.insert(name.clone(), value.clone());
            } else {
                user.attributes.insert(name.clone(), value.clone());
                user.attributes.insert(flag, "false".into());
            }
            if auto_verified {
                to_verify.push((name.clone(), value.clone()));
            }
        }
        user.aliases = UserDirectory::aliases_of(pool, &user.attributes);
        Ok(to_verify)
    }

    pub(crate) async fn send_verification_codes(
        &self,
        pool: &UserPool,
        user: &User,
        to_verify: Vec<(String, String)>,
        occasion: Occasion<'_>,
    ) -> Result<Vec<CodeDelivery>> {
        let mut deliveries = Vec::new();
        for (name, value) in to_verify {
            let medium = medium_for(&name);
            deliveries.push(
                self.codes
                    .issue(
                        pool,
                        user,
                        CodePurpose::VerifyAttribute(name),
                        VERIFY_CODE_LIFETIME_SECONDS,
                        (medium, &value),
                        occasion,
                    )
                    .await?,
            );
        }
        Ok(deliveries)
    }
}

/// Refuses attributes a user cannot set through this client (its
/// WriteAttributes, and never the verification flags).
pub(crate) fn check_writable<'a>(
    policy: &ClientPolicy,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<()> {
    for name in names {
        if !policy.may_write(name) {
            return Err(Error::NotAuthorized(
                "A client attempted to write unauthorized attribute".into(),
            ));
        }
    }
    Ok(())
}
