//! `Codes`: one-time codes — a random 6-digit code, kept as a keyed hash with
//! its expiry, sent by email or SMS with the pool's verification template, and
//! checked with bounded wrong attempts. Also where recovery codes go.

use std::sync::Arc;

use tessera_crypto::seal::SealingKey;

use super::existence::{attempt_limit_exceeded, wrong_code};
use super::messages::{Messenger, Occasion};
use crate::clock::Clock;
use crate::domain::code::{CodeCheck, CodePurpose, CodeRecord};
use crate::domain::pool::UserPool;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::mailer::Medium;
use crate::store::Store;

/// A password-reset code works for an hour, as in Cognito.
pub const RESET_CODE_LIFETIME_SECONDS: i64 = 3600;
/// An attribute-verification code works for a day, as in Cognito.
pub const VERIFY_CODE_LIFETIME_SECONDS: i64 = 86_400;
/// A sign-up confirmation code works for a day, as in Cognito.
pub const CONFIRM_CODE_LIFETIME_SECONDS: i64 = 86_400;
/// Wrong tries after which a code is discarded.
const MAX_CODE_FAILURES: u32 = 5;

/// Where a code went, as CodeDeliveryDetails reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDelivery {
    /// Masked: `a***@e***` or `+*******0123`.
    pub destination: String,
    pub medium: Medium,
    pub attribute: String,
}

/// Cognito's masking of a destination.
pub fn mask(medium: Medium, destination: &str) -> String {
    match medium {
        Medium::Email => {
            let (local, domain) = destination.split_once('@').unwrap_or((destination, ""));
            let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
            format!("{}***@{}***", first(local), first(domain))
        }
        Medium::Sms => {
            let chars: Vec<char> = destination.chars().collect();
            let keep = chars.len().saturating_sub(4);
            chars
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 && *c == '+' || i >= keep {
                        *c
                    } else {
                        '*'
                    }
                })
                .collect()
        }
    }
}

/// Where a code went, masked.
fn delivery(medium: Medium, destination: &str) -> CodeDelivery {
    CodeDelivery {
        destination: mask(medium, destination),
        medium,
        attribute: match medium {
            Medium::Email => "email".into(),
            Medium::Sms => "phone_number".into(),
        },
    }
}

/// The medium a code for this attribute travels by.
pub fn medium_for(attribute: &str) -> Medium {
    if attribute == "phone_number" {
        Medium::Sms
    } else {
        Medium::Email
    }
}

/// Issues, sends and checks one-time codes.
pub(crate) struct Codes {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sealing: Arc<SealingKey>,
    messenger: Messenger,
}

impl Codes {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sealing: Arc<SealingKey>,
        messenger: Messenger,
    ) -> Self {
        Self {
            store,
            clock,
            sealing,
            messenger,
        }
    }

    fn hash(&self, user: &User, purpose: &CodePurpose, code: &str) -> Vec<u8> {
        let message = format!("{}|{}|{}|{code}", user.pool_id, user.sub, purpose.key());
        self.sealing
            .keyed_hash("one-time-code", message.as_bytes())
            .to_vec()
    }

    /// A random 6-digit code for `purpose` and the record that stores it.
    pub(crate) fn fresh(
        &self,
        user: &User,
        purpose: CodePurpose,
        lifetime_seconds: i64,
    ) -> (String, CodeRecord) {
        let code = format!("{:06}", tessera_crypto::random::below(1_000_000));
        let record = CodeRecord {
            pool_id: user.pool_id.clone(),
            sub: user.sub.clone(),
            code_hash: self.hash(user, &purpose, &code),
            purpose,
            expires: self.clock.now().plus_seconds(lifetime_seconds),
        };
        (code, record)
    }

    /// Stores `code` again after a check used it up, for a step that failed
    /// after the check (a trigger refusing the confirmation): the user may
    /// give the same code again.
    pub(crate) async fn restore(
        &self,
        user: &User,
        purpose: CodePurpose,
        code: &str,
        lifetime_seconds: i64,
    ) -> Result<()> {
        let record = CodeRecord {
            pool_id: user.pool_id.clone(),
            sub: user.sub.clone(),
            code_hash: self.hash(user, &purpose, code),
            purpose,
            expires: self.clock.now().plus_seconds(lifetime_seconds),
        };
        self.store.put_code(&record).await?;
        Ok(())
    }

    /// Sends a code already stored, and says where it went.
    pub(crate) async fn send(
        &self,
        pool: &UserPool,
        user: &User,
        code: &str,
        medium: Medium,
        destination: &str,
        occasion: Occasion<'_>,
    ) -> Result<CodeDelivery> {
        self.messenger
            .send_code(pool, user, medium, destination, code, occasion)
            .await?;
        Ok(delivery(medium, destination))
    }

    /// Stores a fresh sign-in code for `purpose` (MFA's or a passwordless
    /// sign-in's) and sends it with the pool's authentication message; it
    /// lives as long as the sign-in's session.
    pub(crate) async fn issue_sign_in_code(
        &self,
        pool: &UserPool,
        user: &User,
        purpose: CodePurpose,
        lifetime_seconds: i64,
        (medium, destination): (Medium, &str),
        occasion: Occasion<'_>,
    ) -> Result<CodeDelivery> {
        let (code, record) = self.fresh(user, purpose, lifetime_seconds);
        self.store.put_code(&record).await?;
        self.messenger
            .send_authentication_code(pool, user, medium, destination, &code, occasion)
            .await?;
        Ok(delivery(medium, destination))
    }

    /// Stores a fresh code for `purpose` (replacing an older one) and sends it.
    pub(crate) async fn issue(
        &self,
        pool: &UserPool,
        user: &User,
        purpose: CodePurpose,
        lifetime_seconds: i64,
        (medium, destination): (Medium, &str),
        occasion: Occasion<'_>,
    ) -> Result<CodeDelivery> {
        let (code, record) = self.fresh(user, purpose, lifetime_seconds);
        self.store.put_code(&record).await?;
        self.send(pool, user, &code, medium, destination, occasion)
            .await
    }

    /// Checks and uses up a code, answering as Cognito does when it is wrong.
    pub(crate) async fn check(&self, user: &User, purpose: &CodePurpose, code: &str) -> Result<()> {
        let hash = self.hash(user, purpose, code);
        let outcome = self
            .store
            .check_code(
                &user.pool_id,
                &user.sub,
                purpose,
                &hash,
                self.clock.now(),
                MAX_CODE_FAILURES,
            )
            .await?;
        match outcome {
            CodeCheck::Valid => Ok(()),
            CodeCheck::Mismatch => Err(wrong_code()),
            CodeCheck::Expired | CodeCheck::Missing => Err(Error::ExpiredCode(
                "Invalid code provided, please request a code again.".into(),
            )),
            CodeCheck::TooManyFailures => Err(attempt_limit_exceeded()),
        }
    }

    /// Where account-recovery codes go: the pool's recovery mechanisms in
    /// priority order, or (when it has none) a verified phone, then a verified email.
    pub(crate) fn recovery_destination(pool: &UserPool, user: &User) -> Option<(Medium, String)> {
        let email = || {
            user.is_verified("email")
                .then(|| user.attribute("email"))
                .flatten()
                .map(|e| (Medium::Email, e.to_owned()))
        };
        let phone = || {
            user.is_verified("phone_number")
                .then(|| user.attribute("phone_number"))
                .flatten()
                .map(|p| (Medium::Sms, p.to_owned()))
        };
        let mechanisms = pool.recovery_mechanisms();
        if mechanisms.is_empty() {
            return phone().or_else(email);
        }
        mechanisms.iter().find_map(|m| match m.as_str() {
            "verified_email" => email(),
            "verified_phone_number" => phone(),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_masked_like_cognito() {
        assert_eq!(mask(Medium::Email, "jane@example.com"), "j***@e***");
        assert_eq!(mask(Medium::Sms, "+15555550123"), "+*******0123");
    }
}
