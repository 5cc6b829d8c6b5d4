//! CustomMessage: the function writes the text of a code or invitation
//! message around Cognito's placeholders, which are then filled in.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Caller, Trigger, Triggers, string_map, trigger_view, unrecognizable};
use crate::domain::user::User;
use crate::error::Result;
use crate::mailer::Medium;

/// The placeholder of the code (or temporary password) in a message.
pub const CODE_PARAMETER: &str = "{####}";
/// The placeholder of the username in an invitation.
pub const USERNAME_PARAMETER: &str = "{username}";

/// Why a message is sent (CustomMessage's `triggerSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageSource {
    SignUp,
    AdminCreateUser,
    ResendCode,
    ForgotPassword,
    UpdateUserAttribute,
    VerifyUserAttribute,
    Authentication,
}

impl MessageSource {
    /// The part of the `triggerSource` after the trigger's name, shared by
    /// CustomMessage and the custom senders.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            MessageSource::SignUp => "SignUp",
            MessageSource::AdminCreateUser => "AdminCreateUser",
            MessageSource::ResendCode => "ResendCode",
            MessageSource::ForgotPassword => "ForgotPassword",
            MessageSource::UpdateUserAttribute => "UpdateUserAttribute",
            MessageSource::VerifyUserAttribute => "VerifyUserAttribute",
            MessageSource::Authentication => "Authentication",
        }
    }
}

/// A message a function wrote, placeholders unfilled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomText {
    pub subject: Option<String>,
    pub body: String,
}

impl Triggers {
    /// CustomMessage for a message by `medium`; `None` when the pool names
    /// no function or the function left this medium's text alone. A text
    /// without the code's placeholder cannot carry the code, so the pool's
    /// own message is sent instead.
    pub(crate) async fn custom_message(
        &self,
        caller: &Caller<'_>,
        source: MessageSource,
        user: &User,
        medium: Medium,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<Option<CustomText>> {
        let mut request = Map::new();
        request.insert("userAttributes".into(), trigger_view(user));
        request.insert("codeParameter".into(), CODE_PARAMETER.into());
        request.insert("linkParameter".into(), Value::Null);
        request.insert(
            "usernameParameter".into(),
            match source {
                MessageSource::AdminCreateUser => USERNAME_PARAMETER.into(),
                _ => Value::Null,
            },
        );
        request.insert("clientMetadata".into(), string_map(client_metadata));
        let name = format!("CustomMessage_{}", source.suffix());
        let Some(response) = self
            .run(caller, Trigger::CustomMessage, &name, request)
            .await?
        else {
            return Ok(None);
        };
        let text = |name: &str| match response.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(unrecognizable()),
        };
        let (subject, body) = match medium {
            Medium::Email => (text("emailSubject")?, text("emailMessage")?),
            Medium::Sms => (None, text("smsMessage")?),
        };
        Ok(body
            .filter(|b| b.contains(CODE_PARAMETER))
            .map(|body| CustomText { subject, body }))
    }
}
