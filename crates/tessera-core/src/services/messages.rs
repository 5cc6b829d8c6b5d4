//! `Messenger`: invitations and code messages built from a pool's templates
//! (or written by its CustomMessage trigger) and sent through the Mailer.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::triggers::message::{CODE_PARAMETER, MessageSource, USERNAME_PARAMETER};
use super::triggers::{Caller, Triggers};

use crate::domain::pool::UserPool;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::mailer::{Mailer, Medium, Message};
use crate::telemetry;

const DEFAULT_CODE_SUBJECT: &str = "Your verification code";
const DEFAULT_CODE_MESSAGE: &str = "Your verification code is {####}.";
const DEFAULT_AUTH_SUBJECT: &str = "Your sign-in code";
const DEFAULT_AUTH_MESSAGE: &str = "Your authentication code is {####}.";
const DEFAULT_INVITE_SUBJECT: &str = "Your temporary password";
const DEFAULT_INVITE_MESSAGE: &str =
    "Your username is {username} and temporary password is {####}.";

fn fill(template: &str, username: &str, code: &str) -> String {
    template
        .replace(USERNAME_PARAMETER, username)
        .replace(CODE_PARAMETER, code)
}

/// A template text: the member of `VerificationMessageTemplate`, else the
/// legacy top-level member, else Cognito's default.
fn verification_text(pool: &UserPool, member: &str, legacy: &str, default: &str) -> String {
    pool.settings
        .get("VerificationMessageTemplate")
        .and_then(|t| t.get(member))
        .or_else(|| pool.settings.get(legacy))
        .and_then(Value::as_str)
        .unwrap_or(default)
        .to_owned()
}

/// `ClientMetadata` for operations that take none.
pub(crate) static NO_METADATA: BTreeMap<String, String> = BTreeMap::new();

/// Why a message goes out, and the request's `ClientMetadata`, for the
/// pool's CustomMessage trigger.
#[derive(Clone, Copy)]
pub(crate) struct Occasion<'a> {
    pub source: MessageSource,
    pub client_id: Option<&'a str>,
    pub client_metadata: &'a BTreeMap<String, String>,
}

#[derive(Clone)]
pub(crate) struct Messenger {
    mailer: Arc<dyn Mailer>,
    triggers: Arc<Triggers>,
}

impl<'a> Occasion<'a> {
    pub(crate) fn new(
        source: MessageSource,
        client_id: Option<&'a str>,
        client_metadata: &'a BTreeMap<String, String>,
    ) -> Self {
        Self {
            source,
            client_id,
            client_metadata,
        }
    }

    /// An occasion of an operation without `ClientMetadata`.
    pub(crate) fn of(source: MessageSource, client_id: Option<&'a str>) -> Self {
        Self::new(source, client_id, &NO_METADATA)
    }
}

impl Messenger {
    pub(crate) fn new(mailer: Arc<dyn Mailer>, triggers: Arc<Triggers>) -> Self {
        Self { mailer, triggers }
    }

    /// The same mailer, with the pools' CustomMessage run through `triggers`.
    pub(crate) fn with_triggers(&self, triggers: Arc<Triggers>) -> Self {
        Self::new(self.mailer.clone(), triggers)
    }

    /// Whether the pool's custom sender for `medium` took the message (with
    /// `secret`, the code or temporary password, encrypted).
    async fn custom_sent(
        &self,
        pool: &UserPool,
        user: &User,
        medium: Medium,
        occasion: Occasion<'_>,
        secret: &str,
    ) -> Result<bool> {
        let caller = Caller {
            pool,
            client_id: occasion.client_id,
            username: &user.username,
        };
        self.triggers
            .custom_send(
                &caller,
                medium,
                occasion.source,
                user,
                secret,
                occasion.client_metadata,
            )
            .await
    }

    /// The pool's text, or the one its CustomMessage trigger wrote.
    async fn text(
        &self,
        pool: &UserPool,
        user: &User,
        medium: Medium,
        occasion: Occasion<'_>,
        default: (Option<String>, String),
    ) -> Result<(Option<String>, String)> {
        let caller = Caller {
            pool,
            client_id: occasion.client_id,
            username: &user.username,
        };
        let custom = self
            .triggers
            .custom_message(
                &caller,
                occasion.source,
                user,
                medium,
                occasion.client_metadata,
            )
            .await?;
        Ok(match custom {
            Some(text) => (text.subject.or(default.0), text.body),
            None => default,
        })
    }

    /// Sends a one-time code with the pool's verification template.
    pub(crate) async fn send_code(
        &self,
        pool: &UserPool,
        user: &User,
        medium: Medium,
        destination: &str,
        code: &str,
        occasion: Occasion<'_>,
    ) -> Result<()> {
        if self.custom_sent(pool, user, medium, occasion, code).await? {
            return Ok(());
        }
        let default = match medium {
            Medium::Email => (
                Some(verification_text(
                    pool,
                    "EmailSubject",
                    "EmailVerificationSubject",
                    DEFAULT_CODE_SUBJECT,
                )),
                verification_text(
                    pool,
                    "EmailMessage",
                    "EmailVerificationMessage",
                    DEFAULT_CODE_MESSAGE,
                ),
            ),
            Medium::Sms => (
                None,
                verification_text(
                    pool,
                    "SmsMessage",
                    "SmsVerificationMessage",
                    DEFAULT_CODE_MESSAGE,
                ),
            ),
        };
        let (subject, body) = self.text(pool, user, medium, occasion, default).await?;
        self.deliver(Message {
            pool_id: pool.id.clone(),
            medium,
            recipient: destination.to_owned(),
            subject,
            body: fill(&body, &user.username, code),
            kind: "code",
        })
        .await
    }

    /// Sends a sign-in (MFA) code with the pool's authentication templates:
    /// `SmsAuthenticationMessage` for SMS, `EmailMfaConfiguration` for email.
    pub(crate) async fn send_authentication_code(
        &self,
        pool: &UserPool,
        user: &User,
        medium: Medium,
        destination: &str,
        code: &str,
        occasion: Occasion<'_>,
    ) -> Result<()> {
        if self.custom_sent(pool, user, medium, occasion, code).await? {
            return Ok(());
        }
        let config = pool.mfa_config();
        let default = match medium {
            Medium::Email => (
                Some(
                    config
                        .text("EmailMfaConfiguration", "Subject")
                        .unwrap_or(DEFAULT_AUTH_SUBJECT),
                ),
                config
                    .text("EmailMfaConfiguration", "Message")
                    .unwrap_or(DEFAULT_AUTH_MESSAGE),
            ),
            Medium::Sms => (
                None,
                pool.settings
                    .get("SmsAuthenticationMessage")
                    .and_then(Value::as_str)
                    .unwrap_or(DEFAULT_AUTH_MESSAGE),
            ),
        };
        let default = (default.0.map(str::to_owned), default.1.to_owned());
        let (subject, body) = self.text(pool, user, medium, occasion, default).await?;
        self.deliver(Message {
            pool_id: pool.id.clone(),
            medium,
            recipient: destination.to_owned(),
            subject,
            body: fill(&body, &user.username, code),
            kind: "authentication",
        })
        .await
    }

    pub(crate) async fn deliver(&self, message: Message) -> Result<()> {
        let medium = message.medium;
        let sent = self.mailer.send(message).await;
        let channel = match medium {
            Medium::Email => "email",
            Medium::Sms => "sms",
        };
        telemetry::delivery(channel, sent.is_ok());
        sent.map_err(|e| {
            tracing::warn!(cause = %e, "message delivery failed");
            Error::CodeDeliveryFailure(match medium {
                // amazon-cognito-identity-js#307 quotes Cognito's email wording.
                Medium::Email => "Invalid email provided/Unable to send the email".into(),
                Medium::Sms => "Unable to deliver the message.".into(),
            })
        })
    }

    /// Sends the AdminCreateUser invitation by each requested medium the user
    /// has a destination for. Returns the mediums used.
    pub(crate) async fn send_invitation(
        &self,
        pool: &UserPool,
        user: &User,
        temporary_password: &str,
        mediums: &[Medium],
        occasion: Occasion<'_>,
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
            if self
                .custom_sent(pool, user, medium, occasion, temporary_password)
                .await?
            {
                used.push(medium);
                continue;
            }
            let (subject, body) = self
                .text(pool, user, medium, occasion, (subject, body))
                .await?;
            self.deliver(Message {
                pool_id: pool.id.clone(),
                medium,
                recipient: recipient.to_owned(),
                subject,
                body: fill(&body, &user.username, temporary_password),
                kind: "invitation",
            })
            .await?;
            used.push(medium);
        }
        Ok(used)
    }
}
