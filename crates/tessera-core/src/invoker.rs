//! Lambda triggers reach code through a `TriggerInvoker`. A pool's
//! `LambdaConfig` names ARNs, as in Cognito; the server's configuration maps
//! each ARN to a way of running it (the Lambda Invoke API, an HTTP POST, a
//! local command), implemented outside the core. The core builds each event
//! and reads the event returned (`services::triggers`); it never opens a
//! socket or spawns a process.

use async_trait::async_trait;
use serde_json::Value;

/// Why an invocation gave no event back. The core turns each into Cognito's
/// error for the trigger (`UserLambdaValidationException`,
/// `UnexpectedLambdaException`, `InvalidLambdaResponseException`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    /// No invoker is configured for the ARN.
    #[error("no trigger invoker is configured for the ARN")]
    NotMapped,
    /// The function ran and failed (it threw): its error message.
    #[error("the function failed: {0}")]
    Function(String),
    /// It did not answer within the invoker's timeout.
    #[error("the function did not answer in time")]
    Timeout,
    /// The function's host refused the call for now (HTTP 429).
    #[error("the function's host is throttling calls")]
    Throttled,
    /// It could not be reached or started; the cause, for the log.
    #[error("the function could not be invoked: {0}")]
    Unreachable(String),
    /// It answered something that is not a JSON object; what, for the log.
    #[error("the function's answer is not an event: {0}")]
    Malformed(String),
}

impl InvokeError {
    /// The kind of failure, for the trigger metric's `outcome` label.
    pub fn kind(&self) -> &'static str {
        match self {
            InvokeError::NotMapped => "not_mapped",
            InvokeError::Function(_) => "function_error",
            InvokeError::Timeout => "timeout",
            InvokeError::Throttled => "throttled",
            InvokeError::Unreachable(_) => "unreachable",
            InvokeError::Malformed(_) => "malformed",
        }
    }
}

#[async_trait]
pub trait TriggerInvoker: Send + Sync + 'static {
    /// Whether `arn` maps to a way of running it.
    fn resolves(&self, arn: &str) -> bool;

    /// Runs the function behind `arn` with `event` (one attempt, bounded by
    /// the invoker's timeout) and returns the event it returned.
    async fn invoke(&self, arn: &str, event: &Value) -> Result<Value, InvokeError>;
}

/// No trigger configuration: every ARN is unmapped, so a pool that names one
/// fails the calls that would run it (never a silent skip).
pub struct NoInvoker;

#[async_trait]
impl TriggerInvoker for NoInvoker {
    fn resolves(&self, _arn: &str) -> bool {
        false
    }

    async fn invoke(&self, _arn: &str, _event: &Value) -> Result<Value, InvokeError> {
        Err(InvokeError::NotMapped)
    }
}
