//! What the awsJson machinery needs of a service: its target prefix and
//! signing name, its operations, how their inputs are checked, how each is
//! called, and how the core's errors are worded for its clients. The user-pool
//! API is one instance; the identity-pool API will be another.

use std::future::Future;
use std::net::IpAddr;

use serde_json::Value;

use super::error::ApiError;
use super::validate::InputError;
use crate::router::AppState;

pub trait Service: 'static {
    type Operation: Copy + Send + Sync + 'static;
    /// The `X-Amz-Target` prefix, with its dot.
    const TARGET_PREFIX: &'static str;
    /// The SigV4 service name signed requests are scoped to.
    const SIGNING_NAME: &'static str;

    fn operation(name: &str) -> Option<Self::Operation>;
    /// The model's name of an operation (the metrics' `operation` label).
    fn operation_name(op: Self::Operation) -> &'static str;
    /// Operations clients call without AWS credentials.
    fn is_unsigned(op: Self::Operation) -> bool;
    fn validate(op: Self::Operation, input: &Value) -> Result<(), InputError>;
    fn call(
        state: &AppState,
        op: Self::Operation,
        input: Value,
        caller: &Caller,
    ) -> impl Future<Output = Result<Value, OperationError>> + Send;
    /// The service's error type and message for a core error.
    fn error(e: tessera_core::Error) -> ApiError;
}

/// Who sent a request, as the edge knows it.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The access key id a verified SigV4 signature names (signed operations).
    pub access_key_id: Option<String>,
    /// The socket peer's address.
    pub peer: Option<IpAddr>,
    /// The `User-Agent` header, when it is text.
    pub user_agent: Option<String>,
}

/// Why an operation failed: already in wire form (a request the operation
/// could not read), or a core error the service words.
#[derive(Debug)]
pub enum OperationError {
    Wire(ApiError),
    Core(tessera_core::Error),
}

impl From<ApiError> for OperationError {
    fn from(e: ApiError) -> Self {
        OperationError::Wire(e)
    }
}

impl From<tessera_core::Error> for OperationError {
    fn from(e: tessera_core::Error) -> Self {
        OperationError::Core(e)
    }
}
