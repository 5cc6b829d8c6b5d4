//! The Cognito user-pool API (`AWSCognitoIdentityProviderService.*`) as an
//! awsJson [`Service`].
//!
//! - [`generated`]: every operation and input shape of the service model
//!   (written by `tools/gen_model.py`).
//! - [`audit`]: which signed operations change what, for the admin audit log.
//! - [`dispatch`]: the single `match` from operation to handler.
//! - [`errors`]: the one mapping from core errors to Cognito's types and messages.
//! - [`ops`]: one file per implemented operation.
//! - [`quotas`]: the request-rate category of each operation.

pub mod audit;
pub mod dispatch;
pub mod errors;
pub mod generated;
pub mod ops;
pub mod quotas;

use serde_json::Value;

use crate::awsjson::model::Model;
use crate::awsjson::validate::{InputError, validate_input};
use crate::awsjson::{ApiError, Caller, OperationError, Service};
use crate::router::AppState;
pub use generated::Operation;

/// The user-pool model's shapes.
pub static MODEL: Model = Model::new(generated::SHAPES);

pub struct UserPools;

impl Service for UserPools {
    type Operation = Operation;
    const TARGET_PREFIX: &'static str = "AWSCognitoIdentityProviderService.";
    const SIGNING_NAME: &'static str = "cognito-idp";

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
        caller: &Caller,
    ) -> Result<Value, OperationError> {
        let pool = input
            .get("UserPoolId")
            .and_then(Value::as_str)
            .map(|p| tessera_core::ids::UserPoolId::new(p.to_owned()));
        state
            .services
            .admit(quotas::category(op, &input), pool.as_ref())?;
        let mut change = caller
            .access_key_id
            .as_ref()
            .and_then(|key| audit::change(op, &input, key));
        if let Some(change) = change.as_mut() {
            state.services.name_audited_user(change).await;
        }
        let output = dispatch::call(state, op, input, caller).await?;
        if let Some(change) = change {
            let mut change = audit::completed(change, &output);
            state.services.name_audited_user(&mut change).await;
            // The change has taken effect: failing the call now would invite a
            // retry of something done. The failure is logged for the operator.
            if let Err(e) = state.services.record_admin_change(change).await {
                tracing::error!(cause = %e, operation = op.name(), "appending to the admin audit log");
            }
        }
        Ok(output)
    }

    fn error(e: tessera_core::Error) -> ApiError {
        errors::api_error(e)
    }
}
