//! Password credentials: a user's password is kept only as Cognito's SRP
//! verifier (salt and g^x), sealed at rest. Both SRP and plain-password
//! sign-ins check against it. Also the password policy's per-operation wording
//! and generated temporary passwords.

use tessera_crypto::random::CharacterClasses;
use tessera_crypto::srp::{self, Verifier};

use super::Services;
use crate::domain::password_policy::PasswordPolicy;
use crate::domain::pool::UserPool;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;

/// How AdminCreateUser words a policy violation.
pub(crate) const CREATE_PASSWORD_PREFIX: &str = "Password did not conform with password policy";
/// How AdminSetUserPassword, ChangePassword and the reset flows word it.
pub(crate) const SET_PASSWORD_PREFIX: &str = "Password does not conform to policy";
/// How SignUp words it.
pub(crate) const SIGN_UP_PASSWORD_PREFIX: &str = "Password did not conform with policy";
const GENERATED_PASSWORD_MIN: usize = 12;

/// The pool name SRP mixes into x: the part of the pool id after `_`.
pub(crate) fn srp_pool_name(pool: &UserPoolId) -> &str {
    pool.as_str()
        .split_once('_')
        .map_or(pool.as_str(), |(_, name)| name)
}

fn password_aad(pool: &UserPoolId, sub: &str) -> Vec<u8> {
    format!("password|{pool}|{sub}").into_bytes()
}

/// A temporary password that satisfies the pool's policy.
pub(crate) fn generated_password(policy: &PasswordPolicy) -> String {
    tessera_crypto::random::password(
        policy.minimum_length.max(GENERATED_PASSWORD_MIN),
        CharacterClasses {
            upper: policy.require_uppercase,
            lower: policy.require_lowercase,
            digit: policy.require_numbers,
            symbol: policy.require_symbols,
        },
    )
}

/// `prefix` is the operation's own opening words: Cognito's operations differ there.
pub(crate) fn check_password_policy(pool: &UserPool, password: &str, prefix: &str) -> Result<()> {
    match pool.password_policy().violation(password) {
        Some(reason) => Err(Error::InvalidPassword(format!("{prefix}: {reason}"))),
        None => Ok(()),
    }
}

impl Services {
    /// The sealed verifier for `password`. `username` is the user's internal
    /// username, which SRP clients receive as USER_ID_FOR_SRP.
    pub(crate) fn seal_password(
        &self,
        pool: &UserPoolId,
        username: &str,
        sub: &str,
        password: &str,
    ) -> Result<Vec<u8>> {
        let verifier = srp::make_verifier(srp_pool_name(pool), username, password);
        Ok(self
            .sealing
            .seal(&verifier.to_bytes(), &password_aad(pool, sub))?)
    }

    pub(crate) fn verifier(&self, user: &User) -> Result<Option<Verifier>> {
        let Some(sealed) = &user.password else {
            return Ok(None);
        };
        let bytes = self
            .sealing
            .open(sealed, &password_aad(&user.pool_id, &user.sub))?;
        Verifier::from_bytes(&bytes)
            .map(Some)
            .map_err(|e| Error::Internal(format!("stored verifier: {e:?}")))
    }

    /// Whether `password` is the user's password (one modular exponentiation).
    pub(crate) fn password_matches(&self, user: &User, password: &str) -> Result<bool> {
        Ok(self.verifier(user)?.is_some_and(|v| {
            srp::password_matches(&v, srp_pool_name(&user.pool_id), &user.username, password)
        }))
    }
}
