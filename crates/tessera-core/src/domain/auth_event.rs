//! What advanced security keeps: a user's auth events (AdminListUserAuthEvents)
//! and the append-only log of administrators' changes.

use serde_json::Value;

use crate::clock::Timestamp;
use crate::ids::UserPoolId;

/// One auth event of a user. `record` holds the members of Cognito's
/// `AuthEventType` that never change once recorded (EventType,
/// EventResponse, EventRisk, ChallengeResponses, EventContextData); the id,
/// date and feedback are kept beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthEvent {
    pub pool_id: UserPoolId,
    /// The user's sub.
    pub sub: String,
    pub event_id: String,
    pub created: Timestamp,
    pub record: Value,
    pub feedback: Option<EventFeedback>,
}

/// `EventFeedbackType`: what an administrator or the user said about an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFeedback {
    /// `Valid` or `Invalid`.
    pub value: String,
    /// `Admin`, or `User` for feedback given with the event's token.
    pub provider: String,
    pub date: Timestamp,
}

/// One signed administrative change: who (the SigV4 access key id), which
/// operation, and on what. Never secrets or attribute values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: Timestamp,
    pub access_key_id: String,
    pub operation: String,
    /// The pool the change was made in (absent for CreateUserPool's
    /// request, which names none until it succeeds).
    pub pool_id: Option<String>,
    /// `UserPool`, `UserPoolClient`, `User`, `Group`, …
    pub resource_type: String,
    /// The resource's id or name within the pool, when it has one.
    pub resource_id: Option<String>,
}
