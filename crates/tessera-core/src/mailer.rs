//! Outgoing messages (email and SMS) go through a `Mailer`. The dev outbox
//! keeps them in memory for developers and tests to read.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;
use serde::Serialize;

use crate::ids::UserPoolId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Medium {
    Email,
    Sms,
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub pool_id: UserPoolId,
    pub medium: Medium,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    /// What the message is for, e.g. `invitation`.
    pub kind: &'static str,
}

#[derive(Debug, thiserror::Error)]
#[error("message delivery failed: {0}")]
pub struct DeliveryError(pub String);

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, message: Message) -> Result<(), DeliveryError>;
}

/// A message the outbox kept, numbered in arrival order.
#[derive(Debug, Clone, Serialize)]
pub struct StoredMessage {
    pub id: u64,
    #[serde(flatten)]
    pub message: Message,
    pub sent_at: f64,
}

/// Keeps the newest `capacity` messages, and in dev mode also writes them to
/// the log: they hold codes and temporary passwords, so never outside dev mode.
pub struct DevOutbox {
    capacity: usize,
    echo_to_log: bool,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
    inner: Mutex<(u64, VecDeque<StoredMessage>)>,
}

impl DevOutbox {
    pub fn new(
        capacity: usize,
        echo_to_log: bool,
        clock: std::sync::Arc<dyn crate::clock::Clock>,
    ) -> Self {
        Self {
            capacity,
            echo_to_log,
            clock,
            inner: Mutex::new((0, VecDeque::new())),
        }
    }

    /// Messages in arrival order, optionally for one pool and/or one recipient.
    pub fn messages(&self, pool: Option<&str>, recipient: Option<&str>) -> Vec<StoredMessage> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .1
            .iter()
            .filter(|m| pool.is_none_or(|p| m.message.pool_id.as_str() == p))
            .filter(|m| recipient.is_none_or(|r| m.message.recipient == r))
            .cloned()
            .collect()
    }
}

#[async_trait]
impl Mailer for DevOutbox {
    async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        let sent_at = self.clock.now().epoch_seconds();
        if self.echo_to_log {
            tracing::info!(
                pool = %message.pool_id,
                medium = ?message.medium,
                recipient = %message.recipient,
                body = %message.body,
                "dev outbox"
            );
        }
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard.0 += 1;
        let id = guard.0;
        guard.1.push_back(StoredMessage {
            id,
            message,
            sent_at,
        });
        while guard.1.len() > self.capacity {
            guard.1.pop_front();
        }
        Ok(())
    }
}
