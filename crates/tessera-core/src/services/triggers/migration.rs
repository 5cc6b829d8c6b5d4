//! UserMigration: a user the pool does not know, looked up in another
//! identity store at sign-in or at ForgotPassword, and created with what the
//! function returns.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Caller, Trigger, Triggers, configured, flag, string_map, unrecognizable};
use crate::domain::user::UserStatus;
use crate::error::Result;

/// Where the migration was asked for (its `triggerSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationSource {
    /// Sign-in with a password, which the event carries.
    Authentication,
    ForgotPassword,
}

/// The user a UserMigration function returned.
#[derive(Debug, Clone)]
pub struct Migrated {
    pub attributes: Vec<(String, String)>,
    pub status: UserStatus,
    pub force_alias_creation: bool,
}

impl Triggers {
    /// Whether the pool names a UserMigration function.
    pub(crate) fn migrates(&self, caller: &Caller<'_>) -> bool {
        configured(caller.pool, Trigger::UserMigration).is_some()
    }

    /// UserMigration for the typed `username` (the envelope's `userName`).
    /// `None` when the pool names no function or the function found no user
    /// (it returned no attributes).
    pub(crate) async fn user_migration(
        &self,
        caller: &Caller<'_>,
        source: MigrationSource,
        password: Option<&str>,
        validation_data: &BTreeMap<String, String>,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<Option<Migrated>> {
        let (name, status) = match source {
            MigrationSource::Authentication => {
                ("UserMigration_Authentication", UserStatus::Confirmed)
            }
            MigrationSource::ForgotPassword => {
                ("UserMigration_ForgotPassword", UserStatus::ResetRequired)
            }
        };
        let mut request = Map::new();
        if let Some(password) = password {
            request.insert("password".into(), Value::String(password.into()));
        }
        request.insert("validationData".into(), string_map(validation_data));
        request.insert("clientMetadata".into(), string_map(client_metadata));
        let Some(response) = self
            .run(caller, Trigger::UserMigration, name, request)
            .await?
        else {
            return Ok(None);
        };
        let attributes = match response.get("userAttributes") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Object(attributes)) => attributes
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    Value::Bool(b) => Ok((k.clone(), b.to_string())),
                    Value::Number(n) => Ok((k.clone(), n.to_string())),
                    _ => Err(unrecognizable()),
                })
                .collect::<Result<Vec<_>>>()?,
            Some(_) => return Err(unrecognizable()),
        };
        // A sign-in's user may be created CONFIRMED or RESET_REQUIRED; a
        // ForgotPassword's is always RESET_REQUIRED.
        let status = match (source, response.get("finalUserStatus")) {
            (MigrationSource::ForgotPassword, _) => status,
            (_, None | Some(Value::Null)) => status,
            (_, Some(Value::String(s))) if s == "CONFIRMED" => UserStatus::Confirmed,
            (_, Some(Value::String(s))) if s == "RESET_REQUIRED" => UserStatus::ResetRequired,
            _ => return Err(unrecognizable()),
        };
        // No welcome message is sent to a migrated user, so `messageAction`
        // is only checked.
        match response.get("messageAction") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s == "SUPPRESS" || s == "RESEND" => {}
            _ => return Err(unrecognizable()),
        }
        Ok(Some(Migrated {
            attributes,
            status,
            force_alias_creation: flag(&response, "forceAliasCreation")?,
        }))
    }
}
