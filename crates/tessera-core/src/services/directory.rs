//! `UserDirectory`: finding a pool's users by the names callers give, the
//! aliases a user holds, and writing users back with the database's
//! uniqueness refusals worded as Cognito words them.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::existence::user_not_found;
use crate::domain::code::CodeRecord;
use crate::domain::pool::UserPool;
use crate::domain::user::{Alias, AliasKind, User};
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::store::{Conflict, Store, StoreError, StoreResult, UserKey};

/// Which operation creates a user: they word a taken username differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Creation {
    AdminCreateUser,
    SignUp,
}

pub(crate) struct UserDirectory {
    store: Arc<dyn Store>,
}

fn found(result: StoreResult<User>) -> Result<Option<User>> {
    match result {
        Ok(user) => Ok(Some(user)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

impl UserDirectory {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// The user a sign-in names: by username or by a sign-in alias (never by `sub`).
    pub(crate) async fn sign_in_user(&self, pool: &UserPool, name: &str) -> Result<Option<User>> {
        let key = pool.normalize(name);
        if let Some(user) = found(self.store.get_user(&pool.id, UserKey::Username(&key)).await)? {
            return Ok(Some(user));
        }
        for kind in AliasKind::ALL {
            let alias = Alias {
                kind,
                value: key.clone(),
            };
            if let Some(user) = found(self.store.get_user(&pool.id, UserKey::Alias(&alias)).await)?
            {
                return Ok(Some(user));
            }
        }
        Ok(None)
    }

    /// The user a caller names: by username, then by alias, then by `sub`.
    pub(crate) async fn find(&self, pool: &UserPool, name: &str) -> Result<Option<User>> {
        if let Some(user) = self.sign_in_user(pool, name).await? {
            return Ok(Some(user));
        }
        if uuid::Uuid::parse_str(name).is_ok() {
            return self.by_sub(&pool.id, name).await;
        }
        Ok(None)
    }

    pub(crate) async fn by_sub(&self, pool: &UserPoolId, sub: &str) -> Result<Option<User>> {
        found(self.store.get_user(pool, UserKey::Sub(sub)).await)
    }

    /// The sign-in names other than the username this user holds in its pool:
    /// username attributes always, alias attributes once verified
    /// (`preferred_username` needs no verification).
    pub(crate) fn aliases_of(pool: &UserPool, attributes: &BTreeMap<String, String>) -> Vec<Alias> {
        let username_attrs = pool.username_attributes();
        let alias_attrs = pool.alias_attributes();
        AliasKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let attr = kind.attribute();
                let value = attributes.get(attr)?;
                let verified = attributes
                    .get(&format!("{attr}_verified"))
                    .map(String::as_str)
                    == Some("true");
                let counts = username_attrs.iter().any(|a| a == attr)
                    || (alias_attrs.iter().any(|a| a == attr)
                        && (kind == AliasKind::PreferredUsername || verified));
                counts.then(|| Alias {
                    kind,
                    value: pool.normalize(value),
                })
            })
            .collect()
    }

    /// Creates the user, with its first one-time code when it has one, in one
    /// write; `take` aliases move to it from whoever holds them.
    pub(crate) async fn create(
        &self,
        pool: &UserPool,
        user: &User,
        take: &[Alias],
        code: Option<&CodeRecord>,
        by: Creation,
    ) -> Result<()> {
        self.store
            .create_user(user, take, code)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(Conflict::Username) => Error::UsernameExists(match by {
                    Creation::AdminCreateUser => "User account already exists".into(),
                    Creation::SignUp => "User already exists".into(),
                }),
                // A taken alias is reported as a taken username when creating.
                StoreError::Conflict(Conflict::Alias(alias)) => {
                    let attr = alias.kind.attribute();
                    if pool.username_attributes().iter().any(|a| a == attr) {
                        Error::UsernameExists(format!(
                            "An account with the given {attr} already exists."
                        ))
                    } else {
                        Error::UsernameExists(format!("An account with the {attr} already exists."))
                    }
                }
                other => other.into(),
            })
    }

    /// Replaces the user's record and aliases.
    pub(crate) async fn save(&self, user: &User) -> Result<()> {
        self.store
            .update_user(user, &[])
            .await
            .map_err(|e| match e {
                StoreError::NotFound => user_not_found(),
                StoreError::Conflict(Conflict::Alias(alias)) => Error::AliasExists(format!(
                    "An account with the given {} already exists.",
                    alias.kind.attribute()
                )),
                other => other.into(),
            })
    }

    /// Saves a user ConfirmSignUp confirmed; `take` aliases move to it
    /// (ForceAliasCreation).
    pub(crate) async fn save_confirmation(&self, user: &User, take: &[Alias]) -> Result<()> {
        self.store
            .update_user(user, take)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => user_not_found(),
                StoreError::Conflict(Conflict::Alias(alias)) => Error::AliasExists(format!(
                    "An account with the {} already exists.",
                    alias.kind.attribute()
                )),
                other => other.into(),
            })
    }

    /// Saves the disabled user and ends every sign-in of it, together.
    pub(crate) async fn disable(&self, user: &User) -> Result<()> {
        self.store
            .disable_user(user)
            .await
            .map_err(not_found_as_user)
    }

    /// Saves the user's new password and clears its failed sign-ins, together.
    pub(crate) async fn complete_password_reset(&self, user: &User) -> Result<()> {
        self.store
            .complete_password_reset(user)
            .await
            .map_err(not_found_as_user)
    }

    pub(crate) async fn delete(&self, pool: &UserPoolId, sub: &str) -> Result<()> {
        self.store
            .delete_user(pool, sub)
            .await
            .map_err(not_found_as_user)
    }
}

fn not_found_as_user(e: StoreError) -> Error {
    match e {
        StoreError::NotFound => user_not_found(),
        other => other.into(),
    }
}
