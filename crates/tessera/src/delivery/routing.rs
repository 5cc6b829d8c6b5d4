//! Sends each message to the transport for its medium.

use std::sync::Arc;

use async_trait::async_trait;
use tessera_core::mailer::{DeliveryError, Mailer, Medium, Message};

/// One transport for email, one for SMS.
pub struct ByMedium {
    pub email: Arc<dyn Mailer>,
    pub sms: Arc<dyn Mailer>,
}

#[async_trait]
impl Mailer for ByMedium {
    async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        match message.medium {
            Medium::Email => self.email.send(message).await,
            Medium::Sms => self.sms.send(message).await,
        }
    }
}

/// Stands in for a medium nothing is configured to deliver: sending fails
/// rather than pretending the message went somewhere.
pub struct Undeliverable(pub Medium);

#[async_trait]
impl Mailer for Undeliverable {
    async fn send(&self, _: Message) -> Result<(), DeliveryError> {
        let what = match self.0 {
            Medium::Email => "no email delivery is configured (set [smtp], or enable dev_outbox)",
            Medium::Sms => {
                "no SMS delivery is configured (set [sms_webhook], or enable dev_outbox)"
            }
        };
        Err(DeliveryError(what.into()))
    }
}
