//! Issuing one-time codes: a random 6-digit code, kept as a keyed hash with
//! its expiry, and sent by email or SMS with the pool's verification template.

use super::Services;
use crate::domain::code::{CodePurpose, CodeRecord};
use crate::domain::pool::UserPool;
use crate::domain::user::User;
use crate::error::Result;
use crate::mailer::Medium;

/// A password-reset code works for an hour, as in Cognito.
pub const RESET_CODE_LIFETIME_SECONDS: i64 = 3600;
/// An attribute-verification code works for a day, as in Cognito.
pub const VERIFY_CODE_LIFETIME_SECONDS: i64 = 86_400;

impl Services {
    pub(crate) fn code_hash(&self, user: &User, purpose: &CodePurpose, code: &str) -> Vec<u8> {
        let message = format!("{}|{}|{}|{code}", user.pool_id, user.sub, purpose.key());
        self.sealing
            .keyed_hash("one-time-code", message.as_bytes())
            .to_vec()
    }

    /// Stores a fresh code for `purpose` (replacing an older one) and sends it.
    pub(crate) async fn issue_code(
        &self,
        pool: &UserPool,
        user: &User,
        purpose: CodePurpose,
        lifetime_seconds: i64,
        medium: Medium,
        destination: &str,
    ) -> Result<()> {
        let code = format!("{:06}", tessera_crypto::random::below(1_000_000));
        let record = CodeRecord {
            pool_id: pool.id.clone(),
            sub: user.sub.clone(),
            code_hash: self.code_hash(user, &purpose, &code),
            purpose,
            expires: self.clock.now().plus_seconds(lifetime_seconds),
        };
        self.store.put_code(&record).await?;
        self.send_code(pool, user, medium, destination, &code).await
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
