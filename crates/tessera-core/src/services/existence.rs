//! The one place that decides what a caller learns when something it names
//! does not exist: pools and clients always say so; users say so unless the
//! client prevents user-existence errors, when the answer is the one a wrong
//! password or a wrong code would get.

use super::Services;
use super::client_context::ClientContext;
use crate::domain::pool::UserPool;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};

pub(crate) fn pool_not_found(id: &UserPoolId) -> Error {
    Error::ResourceNotFound(format!("User pool {id} does not exist."))
}

pub(crate) fn client_not_found(id: &ClientId) -> Error {
    Error::ResourceNotFound(format!("User pool client {id} does not exist."))
}

/// What an unknown user looks like when its existence is hidden.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Hidden {
    /// Sign-in: a wrong password.
    AsWrongPassword,
    /// Confirmations and resets: a wrong code.
    AsWrongCode,
}

/// What most operations say of a user that does not exist.
pub(crate) fn user_not_found() -> Error {
    Error::UserNotFound("User does not exist.".into())
}

/// What the code operations (ForgotPassword, ConfirmForgotPassword,
/// ConfirmSignUp, ResendConfirmationCode) say of a name that matches no user.
pub(crate) fn username_not_found_for_client() -> Error {
    Error::UserNotFound("Username/client id combination not found.".into())
}

/// Too many wrong codes, or wrong previous passwords in ChangePassword.
pub(crate) fn attempt_limit_exceeded() -> Error {
    Error::LimitExceeded("Attempt limit exceeded, please try after some time.".into())
}

pub(crate) fn incorrect_credentials() -> Error {
    Error::NotAuthorized("Incorrect username or password.".into())
}

pub(crate) fn wrong_code() -> Error {
    Error::CodeMismatch("Invalid verification code provided, please try again.".into())
}

/// The answer for a name that matches no user of the client's pool.
pub(crate) fn unknown_user(ctx: &ClientContext, hidden: Hidden) -> Error {
    if !ctx.policy.prevent_user_existence_errors {
        return match hidden {
            Hidden::AsWrongPassword => user_not_found(),
            Hidden::AsWrongCode => username_not_found_for_client(),
        };
    }
    match hidden {
        Hidden::AsWrongPassword => incorrect_credentials(),
        Hidden::AsWrongCode => wrong_code(),
    }
}

/// For operations that answer an unknown user with a made-up success when the
/// client hides user existence (an SRP challenge, a code "sent"): whether to
/// go on with the simulation, or `not_found`.
pub(crate) fn simulate_unknown_user(ctx: &ClientContext, not_found: fn() -> Error) -> Result<()> {
    if ctx.policy.prevent_user_existence_errors {
        Ok(())
    } else {
        Err(not_found())
    }
}

impl Services {
    /// The user a client-facing operation names (by username, alias or `sub`),
    /// or the answer `unknown_user` gives.
    pub(crate) async fn named_user(
        &self,
        ctx: &ClientContext,
        name: &str,
        hidden: Hidden,
    ) -> Result<User> {
        self.users
            .find(&ctx.pool, name)
            .await?
            .ok_or_else(|| unknown_user(ctx, hidden))
    }

    /// The user an administrator names.
    pub(crate) async fn admin_named_user(&self, pool: &UserPool, name: &str) -> Result<User> {
        self.users
            .find(pool, name)
            .await?
            .ok_or_else(user_not_found)
    }
}
