//! CustomEmailSender and CustomSMSSender: the pool's function delivers a code
//! message instead of Tessera, given the code encrypted in the AWS Encryption
//! SDK's message format. Cognito encrypts it under the pool's KMS key
//! (`LambdaConfig.KMSKeyID`); Tessera has no KMS, so it encrypts under a raw
//! AES key the server configures for that key id, which the function's SDK
//! opens with a raw AES keyring instead of a KMS one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};
use tessera_crypto::encryption_sdk;

use super::message::MessageSource;
use super::{Caller, Trigger, Triggers, configured, string_map, trigger_view};
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::mailer::Medium;
use crate::telemetry;

/// The raw AES keyring's key namespace; its key name is the pool's KMSKeyID.
pub const KEY_NAMESPACE: &str = "tessera";

fn sender(medium: Medium) -> Trigger {
    match medium {
        Medium::Email => Trigger::CustomEmailSender,
        Medium::Sms => Trigger::CustomSmsSender,
    }
}

/// The pool's `LambdaConfig.KMSKeyID`.
fn kms_key_id(caller: &Caller<'_>) -> Option<String> {
    caller
        .pool
        .settings
        .get("LambdaConfig")?
        .get("KMSKeyID")?
        .as_str()
        .map(str::to_owned)
}

impl Triggers {
    /// Hands a code (or temporary password) to the pool's custom sender for
    /// `medium`: `false` when the pool names none and Tessera sends the
    /// message itself. Cognito invokes the senders asynchronously, so the
    /// function's own failure is only logged (Tessera waits for the answer,
    /// within the mapping's timeout); a key Tessera cannot encrypt with fails
    /// the call, since the code could reach no one.
    pub(crate) async fn custom_send(
        &self,
        caller: &Caller<'_>,
        medium: Medium,
        source: MessageSource,
        user: &User,
        code: &str,
        client_metadata: &std::collections::BTreeMap<String, String>,
    ) -> Result<bool> {
        let trigger = sender(medium);
        if configured(caller.pool, trigger).is_none() {
            return Ok(false);
        }
        let name = trigger.name();
        let channel = match medium {
            Medium::Email => "custom_email_sender",
            Medium::Sms => "custom_sms_sender",
        };
        let key_id = kms_key_id(caller).unwrap_or_default();
        let Some(key) = self.sender_keys.get(&key_id) else {
            telemetry::delivery(channel, false);
            tracing::warn!(%key_id, "no custom sender key is configured for the pool's KMSKeyID");
            return Err(Error::UnexpectedLambda(format!(
                "{name} invocation failed due to error NotFoundException."
            )));
        };
        let context = [("userpool-id".to_owned(), caller.pool.id.as_str().to_owned())];
        let ciphertext =
            encryption_sdk::encrypt(code.as_bytes(), key, KEY_NAMESPACE, &key_id, &context)
                .map_err(|e| Error::Internal(format!("encrypting a code for {name}: {e:?}")))?;
        let mut request = Map::new();
        request.insert(
            "type".into(),
            Value::from(match medium {
                Medium::Email => "customEmailSenderRequestV1",
                Medium::Sms => "customSMSSenderRequestV1",
            }),
        );
        request.insert("code".into(), Value::from(STANDARD.encode(ciphertext)));
        request.insert("clientMetadata".into(), string_map(client_metadata));
        request.insert("userAttributes".into(), trigger_view(user));
        let source = format!("{name}_{}", source.suffix());
        // Run already logged a failure; the message is the function's to
        // send, so its failure is the delivery's.
        let ran = self.run(caller, trigger, &source, request).await;
        telemetry::delivery(channel, ran.is_ok());
        Ok(true)
    }
}
