//! Invitation messages built from a pool's templates and sent through the Mailer.

use serde_json::Value;

use super::Services;
use crate::domain::pool::UserPool;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::mailer::{Medium, Message};

const DEFAULT_INVITE_SUBJECT: &str = "Your temporary password";
const DEFAULT_INVITE_MESSAGE: &str =
    "Your username is {username} and temporary password is {####}.";

fn fill(template: &str, username: &str, code: &str) -> String {
    template
        .replace("{username}", username)
        .replace("{####}", code)
}

impl Services {
    /// Sends the AdminCreateUser invitation by each requested medium the user
    /// has a destination for. Returns the mediums used.
    pub(crate) async fn send_invitation(
        &self,
        pool: &UserPool,
        user: &User,
        temporary_password: &str,
        mediums: &[Medium],
    ) -> Result<Vec<Medium>> {
        let template = pool.invite_template();
        let text = |member: &str, default: &str| {
            template
                .and_then(|t| t.get(member))
                .and_then(Value::as_str)
                .unwrap_or(default)
                .to_owned()
        };
        let mut used = Vec::new();
        for &medium in mediums {
            let (destination, subject, body) = match medium {
                Medium::Email => (
                    user.attribute("email"),
                    Some(text("EmailSubject", DEFAULT_INVITE_SUBJECT)),
                    text("EmailMessage", DEFAULT_INVITE_MESSAGE),
                ),
                Medium::Sms => (
                    user.attribute("phone_number"),
                    None,
                    text("SMSMessage", DEFAULT_INVITE_MESSAGE),
                ),
            };
            let Some(recipient) = destination else {
                continue;
            };
            self.mailer
                .send(Message {
                    pool_id: pool.id.clone(),
                    medium,
                    recipient: recipient.to_owned(),
                    subject,
                    body: fill(&body, &user.username, temporary_password),
                    kind: "invitation",
                })
                .await
                .map_err(|e| Error::CodeDeliveryFailure(e.to_string()))?;
            used.push(medium);
        }
        Ok(used)
    }
}
