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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::MODEL;
    use super::generated::{BOTOCORE_VERSION, Operation, SHAPES};
    use crate::awsjson::model::{ShapeId, ShapeKind, anchored};
    use crate::awsjson::validate::{InputError, validate_input};

    const POOL: &str = "us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

    fn validate(op: Operation, body: &Value) -> Result<(), InputError> {
        validate_input(&MODEL, op.input_shape(), body)
    }

    fn constraint(op: Operation, body: Value) -> String {
        match validate(op, &body) {
            Err(InputError::Constraint(message)) => message,
            other => panic!("expected a constraint violation, got {other:?}"),
        }
    }

    #[test]
    fn operation_table_matches_the_model() {
        assert_eq!(BOTOCORE_VERSION, "1.44.8");
        assert_eq!(Operation::ALL.len(), 23);
        for &op in Operation::ALL {
            assert_eq!(Operation::from_name(op.name()), Some(op));
            assert!(op.input_shape().is_some(), "{op:?} has an input");
        }
        assert_eq!(Operation::from_name("NoSuchOperation"), None);
        assert_eq!(Operation::from_name("getid"), None);
        let unsigned: Vec<_> = Operation::ALL
            .iter()
            .filter(|op| op.is_unsigned())
            .map(|op| op.name())
            .collect();
        assert_eq!(
            unsigned,
            [
                "GetCredentialsForIdentity",
                "GetId",
                "GetOpenIdToken",
                "UnlinkIdentity"
            ]
        );
        assert_eq!(Operation::from_name("GetId"), Some(Operation::GetId));
        assert!(Operation::GetId.is_unsigned());
        assert!(!Operation::CreateIdentityPool.is_unsigned());
        assert!(!Operation::GetOpenIdTokenForDeveloperIdentity.is_unsigned());
        // The model reuses the IdentityPool structure as UpdateIdentityPool's input.
        let update = Operation::UpdateIdentityPool.input_shape().expect("input");
        assert_eq!(MODEL.shape(update).name, "IdentityPool");
    }

    #[test]
    fn every_model_pattern_compiles() {
        for (index, shape) in SHAPES.iter().enumerate() {
            if let ShapeKind::String {
                pattern: Some(pattern),
                ..
            } = &shape.kind
            {
                assert!(
                    anchored(pattern).is_ok(),
                    "{}: {}",
                    shape.name,
                    pattern.regex
                );
                let id = ShapeId(u16::try_from(index).expect("shape index fits u16"));
                assert!(MODEL.compiled(id, pattern).is_some());
            }
        }
    }

    #[test]
    fn inputs_validate_against_the_model() {
        let body = json!({
            "IdentityPoolId": POOL,
            "AccountId": "123456789012",
            "Logins": {"cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123": "eyJ.a.b"},
            "SomeMemberFromANewerSdk": true,
        });
        assert_eq!(validate(Operation::GetId, &body), Ok(()));
        assert_eq!(
            constraint(Operation::GetId, json!({})),
            "1 validation error detected: Value null at 'identityPoolId' failed to satisfy \
             constraint: Member must not be null"
        );
        assert_eq!(
            constraint(
                Operation::GetId,
                json!({"IdentityPoolId": "us-east-1_AbCdEf123"})
            ),
            r"1 validation error detected: Value 'us-east-1_AbCdEf123' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+"
        );
        assert_eq!(
            constraint(Operation::ListIdentityPools, json!({"MaxResults": 61})),
            "1 validation error detected: Value '61' at 'maxResults' failed to satisfy \
             constraint: Member must have value less than or equal to 60"
        );
        // Java's \w and \s are ASCII-only; the pool name's class allows spaces.
        let create = |name: &str| {
            validate(
                Operation::CreateIdentityPool,
                &json!({"IdentityPoolName": name, "AllowUnauthenticatedIdentities": false}),
            )
        };
        assert_eq!(create("my pool+1@example.com"), Ok(()));
        assert!(create("é").is_err());
        assert!(matches!(
            validate(
                Operation::CreateIdentityPool,
                &json!({"IdentityPoolName": "p", "AllowUnauthenticatedIdentities": "no"}),
            ),
            Err(InputError::Serialization(_))
        ));
    }
}
