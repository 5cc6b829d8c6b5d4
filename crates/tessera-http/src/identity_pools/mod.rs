//! The Cognito identity-pool API (`AWSCognitoIdentityService.*`) as an
//! awsJson [`Service`], on the same listener as the user-pool API.
//!
//! - [`generated`]: every operation and input shape of the service model
//!   (written by `tools/gen_model.py`).
//! - [`dispatch`]: the single `match` from operation to handler.
//! - [`errors`]: the one mapping from core errors to the identity service's types.
//! - [`ops`]: the operations, one file per resource.

pub mod dispatch;
pub mod errors;
pub mod generated;
pub mod ops;

use serde_json::Value;

use crate::awsjson::model::Model;
use crate::awsjson::validate::{InputError, validate_input};
use crate::awsjson::{ApiError, Caller, OperationError, Service};
use crate::router::AppState;
pub use generated::Operation;

/// The identity-pool model's shapes.
pub static MODEL: Model = Model::new(generated::SHAPES);

pub struct IdentityPools;

impl Service for IdentityPools {
    type Operation = Operation;
    const TARGET_PREFIX: &'static str = "AWSCognitoIdentityService.";
    const SIGNING_NAME: &'static str = "cognito-identity";

    fn operation(name: &str) -> Option<Operation> {
        Operation::from_name(name)
    }

    fn operation_name(op: Operation) -> &'static str {
        op.name()
    }

    fn is_unsigned(op: Operation) -> bool {
        op.is_unsigned()
    }

    fn validate(op: Operation, input: &Value) -> Result<(), InputError> {
        validate_input(&MODEL, op.input_shape(), input)
    }

    async fn call(
        state: &AppState,
        op: Operation,
        input: Value,
        _caller: &Caller,
    ) -> Result<Value, OperationError> {
        dispatch::call(state, op, input).await
    }

    fn error(e: tessera_core::Error) -> ApiError {
        errors::api_error(e)
    }
}
