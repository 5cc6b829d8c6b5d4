//! Advanced security: users' auth events (recorded while the pool's
//! `AdvancedSecurityMode` is AUDIT or ENFORCED), their feedback, and the
//! risk checks that run without AWS.
//!
//! - [`breached`]: the breached-password list, kept as SHA-1 hashes.
//! - [`risk`]: Set/DescribeRiskConfiguration and the checks the
//!   configuration asks for (IP ranges, compromised credentials).

pub mod breached;
pub mod risk;

use std::net::IpAddr;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::Services;
use crate::domain::auth_event::{AuthEvent, EventFeedback};
use crate::domain::pool::UserPool;
use crate::domain::risk::SecurityMode;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::store::StoreError;
use breached::BreachedPasswords;

/// What the risk checks hold: the breached-password list (empty unless configured).
#[derive(Debug, Default)]
pub struct RiskGuard {
    pub(crate) breached: Arc<BreachedPasswords>,
}

/// Where a request came from, as the edge saw it.
#[derive(Debug, Clone, Default)]
pub struct RequestOrigin {
    /// The socket peer.
    pub peer: Option<IpAddr>,
    /// `ContextData.IpAddress` (admin flows) or `UserContextData.IpAddress`.
    pub stated: Option<IpAddr>,
    /// The request's `User-Agent` header.
    pub user_agent: Option<String>,
}

impl RequestOrigin {
    /// The address risk checks and events use: an administrator's server
    /// states its user's address; a client's statement counts only when its
    /// app client propagates user context data, else the socket peer does.
    pub(crate) fn address(&self, admin: bool, client_propagates: bool) -> Option<IpAddr> {
        if admin || client_propagates {
            self.stated.or(self.peer)
        } else {
            self.peer
        }
    }
}

/// `EventType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    SignIn,
    SignUp,
    ForgotPassword,
    PasswordChange,
}

impl EventKind {
    fn as_str(self) -> &'static str {
        match self {
            EventKind::SignIn => "SignIn",
            EventKind::SignUp => "SignUp",
            EventKind::ForgotPassword => "ForgotPassword",
            EventKind::PasswordChange => "PasswordChange",
        }
    }
}

/// What the risk checks concluded about one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Assessment {
    /// The event was refused by a risk rule (`RiskDecision: Block`).
    pub blocked: bool,
    pub compromised: bool,
}

/// An event about to be recorded.
pub(crate) struct Draft<'a> {
    pub kind: EventKind,
    pub passed: bool,
    pub assessment: Assessment,
    /// `ChallengeResponses`: each challenge and whether it was answered right.
    pub challenges: &'a [(&'a str, bool)],
    pub ip: Option<IpAddr>,
}

/// A page of AdminListUserAuthEvents.
pub struct EventPage {
    pub events: Vec<AuthEvent>,
    pub next: Option<String>,
}

fn feedback_value(value: &str) -> Result<String> {
    match value {
        "Valid" | "Invalid" => Ok(value.to_owned()),
        _ => Err(Error::InvalidParameter(
            "FeedbackValue must be Valid or Invalid.".into(),
        )),
    }
}

pub(crate) fn require_add_ons(pool: &UserPool) -> Result<()> {
    if SecurityMode::of(pool) == SecurityMode::Off {
        return Err(Error::UserPoolAddOnNotEnabled(
            "Advanced security features are not enabled for this user pool.".into(),
        ));
    }
    Ok(())
}

fn event_not_found() -> Error {
    Error::ResourceNotFound("Auth event not found.".into())
}

/// Cognito's `AuthEventType` for an event.
pub fn event_shape(event: &AuthEvent) -> Value {
    let mut shape = event.record.as_object().cloned().unwrap_or_default();
    shape.insert("EventId".into(), json!(event.event_id));
    shape.insert("CreationDate".into(), json!(event.created.epoch_seconds()));
    if let Some(f) = &event.feedback {
        shape.insert(
            "EventFeedback".into(),
            json!({
                "FeedbackValue": f.value,
                "Provider": f.provider,
                "FeedbackDate": f.date.epoch_seconds(),
            }),
        );
    }
    Value::Object(shape)
}

impl Services {
    /// Uses `list` for the compromised-credentials check.
    pub fn with_breached_passwords(mut self, list: BreachedPasswords) -> Self {
        self.risk = RiskGuard {
            breached: Arc::new(list),
        };
        self
    }

    /// Records the event when the pool's advanced security is on; returns it.
    pub(crate) async fn record_auth_event(
        &self,
        pool: &UserPool,
        sub: &str,
        draft: Draft<'_>,
    ) -> Result<Option<AuthEvent>> {
        if SecurityMode::of(pool) == SecurityMode::Off {
            return Ok(None);
        }
        let challenges: Vec<Value> = draft
            .challenges
            .iter()
            .map(|(name, right)| {
                json!({
                    "ChallengeName": name,
                    "ChallengeResponse": if *right { "Success" } else { "Failure" },
                })
            })
            .collect();
        let mut record = json!({
            "EventType": draft.kind.as_str(),
            "EventResponse": if draft.passed { "Pass" } else { "Fail" },
            "EventRisk": {
                "RiskDecision": if draft.assessment.blocked { "Block" } else { "NoRisk" },
                "CompromisedCredentialsDetected": draft.assessment.compromised,
            },
            "ChallengeResponses": challenges,
        });
        if let Some(ip) = draft.ip {
            record["EventContextData"] = json!({"IpAddress": ip.to_string()});
        }
        let event = AuthEvent {
            pool_id: pool.id.clone(),
            sub: sub.to_owned(),
            event_id: uuid::Uuid::new_v4().to_string(),
            created: self.clock.now(),
            record,
            feedback: None,
        };
        self.store.record_auth_event(&event).await?;
        Ok(Some(event))
    }

    pub async fn admin_list_user_auth_events(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<EventPage> {
        let pool = self.pool(pool_id).await?;
        require_add_ons(&pool)?;
        let user = self.admin_named_user(&pool, username).await?;
        let page = super::page_request(max_results, next_token)?;
        let listing = self
            .store
            .list_auth_events(&pool.id, &user.sub, &page)
            .await?;
        Ok(EventPage {
            events: listing.items,
            next: super::next_token(listing.next),
        })
    }

    pub async fn admin_update_auth_event_feedback(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        event_id: &str,
        value: &str,
    ) -> Result<()> {
        let value = feedback_value(value)?;
        let pool = self.pool(pool_id).await?;
        require_add_ons(&pool)?;
        let user = self.admin_named_user(&pool, username).await?;
        self.set_feedback(&pool.id, &user.sub, event_id, value, "Admin")
            .await
    }

    /// UpdateAuthEventFeedback: the token from the event's notification
    /// vouches for the caller, so no credentials are needed.
    pub async fn update_auth_event_feedback(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        event_id: &str,
        token: &str,
        value: &str,
    ) -> Result<()> {
        let value = feedback_value(value)?;
        let pool = self.pool(pool_id).await?;
        require_add_ons(&pool)?;
        let invalid = || Error::NotAuthorized("Invalid feedback token.".into());
        let user = self
            .users
            .find(&pool, username)
            .await?
            .ok_or_else(invalid)?;
        let expected = self.feedback_token(&pool.id, &user.sub, event_id);
        if !tessera_crypto::random::ct_eq(expected.as_bytes(), token.as_bytes()) {
            return Err(invalid());
        }
        self.set_feedback(&pool.id, &user.sub, event_id, value, "User")
            .await
    }

    async fn set_feedback(
        &self,
        pool: &UserPoolId,
        sub: &str,
        event_id: &str,
        value: String,
        provider: &str,
    ) -> Result<()> {
        let feedback = EventFeedback {
            value,
            provider: provider.into(),
            date: self.clock.now(),
        };
        self.store
            .set_auth_event_feedback(pool, sub, event_id, &feedback)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => event_not_found(),
                other => other.into(),
            })
    }

    /// The token that lets the user give feedback on one event: a keyed
    /// hash of the event, so it needs no storage and names nothing else.
    pub(crate) fn feedback_token(&self, pool: &UserPoolId, sub: &str, event_id: &str) -> String {
        let message = format!("{}\n{sub}\n{event_id}", pool.as_str());
        URL_SAFE_NO_PAD.encode(
            self.sealing
                .keyed_hash("auth-event-feedback", message.as_bytes()),
        )
    }
}
