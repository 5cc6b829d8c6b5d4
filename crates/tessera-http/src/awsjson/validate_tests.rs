//! Validation of inputs against the model, message by message.

use serde_json::json;

use super::*;
use crate::awsjson::model::{ShapeId, anchored};
use crate::user_pools::MODEL;
use crate::user_pools::generated::{BOTOCORE_VERSION, Operation, SHAPES};

/// The validator against the user-pool model.
fn validate(op: Operation, body: &Value) -> Result<(), InputError> {
    validate_input(&MODEL, op.input_shape(), body)
}

const POOL: &str = "us-east-1_AbCdEf123";
const CLIENT: &str = "1example23456789";

fn constraint(op: Operation, body: Value) -> String {
    match validate(op, &body) {
        Err(InputError::Constraint(message)) => message,
        other => panic!("expected a constraint violation, got {other:?}"),
    }
}

fn serialization(op: Operation, body: Value) -> String {
    match validate(op, &body) {
        Err(InputError::Serialization(message)) => message,
        other => panic!("expected a serialization error, got {other:?}"),
    }
}

#[test]
fn operation_table_matches_the_model() {
    assert_eq!(BOTOCORE_VERSION, "1.44.8");
    assert_eq!(Operation::ALL.len(), 153);
    for &op in Operation::ALL {
        assert_eq!(Operation::from_name(op.name()), Some(op));
        assert!(op.input_shape().is_some(), "{op:?} has an input");
    }
    assert_eq!(Operation::from_name("NoSuchOperation"), None);
    assert_eq!(Operation::from_name("initiateauth"), None);
    assert_eq!(
        Operation::ALL.iter().filter(|op| op.is_unsigned()).count(),
        34
    );
    assert!(Operation::InitiateAuth.is_unsigned());
    assert!(!Operation::AdminInitiateAuth.is_unsigned());
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
fn input_shapes_are_shallow() {
    fn depth(id: ShapeId, seen: &mut Vec<u16>) -> usize {
        assert!(
            !seen.contains(&id.0),
            "recursive shape {}",
            MODEL.shape(id).name
        );
        seen.push(id.0);
        let below = match &MODEL.shape(id).kind {
            ShapeKind::Structure { members } => members
                .iter()
                .map(|m| depth(m.target, seen))
                .max()
                .unwrap_or(0),
            ShapeKind::List { member, .. } => depth(*member, seen),
            ShapeKind::Map { value, .. } => depth(*value, seen),
            _ => 0,
        };
        seen.pop();
        below + 1
    }
    for &op in Operation::ALL {
        let input = op.input_shape().expect("input");
        assert!(depth(input, &mut Vec::new()) < MAX_DEPTH);
    }
}

#[test]
fn valid_input_passes_and_unknown_members_are_ignored() {
    let body = json!({
        "UserPoolId": POOL,
        "Limit": 60,
        "AttributesToGet": ["email"],
        "SomeMemberFromANewerSdk": {"nested": [1, 2, 3]},
    });
    assert_eq!(validate(Operation::ListUsers, &body), Ok(()));
    let optional_null = json!({"UserPoolId": POOL, "Limit": null});
    assert_eq!(validate(Operation::ListUsers, &optional_null), Ok(()));
}

#[test]
fn value_above_maximum() {
    assert_eq!(
        constraint(
            Operation::ListUsers,
            json!({"UserPoolId": POOL, "Limit": 61})
        ),
        "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: \
         Member must have value less than or equal to 60"
    );
}

#[test]
fn missing_required_member() {
    assert_eq!(
        constraint(Operation::AdminGetUser, json!({"UserPoolId": POOL})),
        "1 validation error detected: Value null at 'username' failed to satisfy constraint: \
         Member must not be null"
    );
    // An explicit null is the same as absent.
    assert_eq!(
        constraint(
            Operation::InitiateAuth,
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": null})
        ),
        "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: \
         Member must not be null"
    );
}

#[test]
fn pattern_mismatch_quotes_the_model_pattern() {
    assert_eq!(
        constraint(
            Operation::AdminGetUser,
            json!({"UserPoolId": "abc", "Username": "alice"})
        ),
        r"1 validation error detected: Value 'abc' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
    );
    // Java's \w is ASCII-only.
    let accented = json!({"UserPoolId": "é_abc", "Username": "alice"});
    assert!(validate(Operation::AdminGetUser, &accented).is_err());
}

#[test]
fn length_bounds_count_characters() {
    let long_id = format!("us-east-1_{}", "a".repeat(46));
    assert_eq!(
        constraint(
            Operation::AdminGetUser,
            json!({"UserPoolId": long_id, "Username": "alice"})
        ),
        format!(
            "1 validation error detected: Value '{long_id}' at 'userPoolId' failed to satisfy \
             constraint: Member must have length less than or equal to 55"
        )
    );
    // 128 characters, more than 128 bytes.
    let username = "é".repeat(128);
    assert_eq!(
        validate(
            Operation::AdminGetUser,
            &json!({"UserPoolId": POOL, "Username": username})
        ),
        Ok(())
    );
}

#[test]
fn enum_violation_lists_the_model_values() {
    assert_eq!(
        constraint(
            Operation::CreateUserPool,
            json!({"PoolName": "p", "MfaConfiguration": "false"})
        ),
        "1 validation error detected: Value 'false' at 'mfaConfiguration' failed to satisfy \
         constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"
    );
}

#[test]
fn nested_member_path() {
    let body = json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 5}}});
    assert_eq!(
        constraint(Operation::CreateUserPool, body),
        "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' \
         failed to satisfy constraint: Member must have value greater than or equal to 6"
    );
}

#[test]
fn list_items_are_numbered_from_one() {
    let body = json!({
        "UserPoolId": POOL,
        "Username": "alice",
        "UserAttributes": [{"Name": "email", "Value": "a@example.com"}, {"Value": "x"}],
    });
    assert_eq!(
        constraint(Operation::AdminCreateUser, body),
        "1 validation error detected: Value null at 'userAttributes.2.member.name' failed to \
         satisfy constraint: Member must not be null"
    );
}

#[test]
fn list_of_scalars_reports_at_the_list() {
    let body = json!({
        "UserPoolId": POOL,
        "ClientName": "web",
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH"],
    });
    assert_eq!(
        constraint(Operation::CreateUserPoolClient, body),
        "1 validation error detected: Value '[ALLOW_USER_SRP_AUTH, ADMIN_USER_PASSWORD_AUTH]' \
         at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: \
         [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, \
         USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, \
         ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, \
         ALLOW_USER_AUTH, ALLOW_TOKEN_EXCHANGE_DELEGATION, ALLOW_TOKEN_EXCHANGE_IMPERSONATION]]"
    );
}

#[test]
fn map_keys_report_every_key_constraint() {
    let body = json!({"PoolName": "p", "UserPoolTags": {"": "v", "team": "a"}});
    assert_eq!(
        constraint(Operation::CreateUserPool, body),
        "1 validation error detected: Value '{=v, team=a}' at 'userPoolTags' failed to satisfy \
         constraint: Map keys must satisfy constraint: [Member must have length less than or \
         equal to 128, Member must have length greater than or equal to 1]"
    );
}

#[test]
fn sensitive_values_are_never_printed() {
    let password = "hunter2 with spaces";
    let message = constraint(
        Operation::SignUp,
        json!({"ClientId": CLIENT, "Username": "alice", "Password": password}),
    );
    assert_eq!(
        message,
        r"1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+"
    );
    // A sensitive member inside a list item.
    let secret = "s".repeat(2049);
    let message = constraint(
        Operation::AdminCreateUser,
        json!({
            "UserPoolId": POOL,
            "Username": "alice",
            "UserAttributes": [{"Name": "email", "Value": secret}],
        }),
    );
    assert_eq!(
        message,
        "1 validation error detected: Value at 'userAttributes.1.member.value' failed to \
         satisfy constraint: Member must have length less than or equal to 2048"
    );
    // A map marked sensitive hides its keys and values too.
    let message = constraint(
        Operation::InitiateAuth,
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": CLIENT,
            "AuthParameters": {"PASSWORD": "p".repeat(131_073)},
        }),
    );
    assert_eq!(
        message,
        "1 validation error detected: Value at 'authParameters' failed to satisfy constraint: \
         Map value must satisfy constraint: [Member must have length less than or equal to \
         131072, Member must have length greater than or equal to 0]"
    );
}

#[test]
fn several_violations_are_joined() {
    let message = constraint(
        Operation::SignUp,
        json!({"ClientId": CLIENT, "Username": "", "Password": ""}),
    );
    assert_eq!(
        message,
        r"3 validation errors detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+; Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+"
    );
}

#[test]
fn at_most_ten_violations_are_reported() {
    let attributes: Vec<Value> = (0..20).map(|_| json!({"Value": "x"})).collect();
    let body = json!({"UserPoolId": POOL, "Username": "alice", "UserAttributes": attributes});
    let message = constraint(Operation::AdminCreateUser, body);
    assert!(
        message.starts_with("10 validation errors detected: "),
        "{message}"
    );
    assert_eq!(message.matches("; ").count(), 9);
}

#[test]
fn wrong_json_types_are_serialization_errors() {
    let cases = [
        (
            json!({"UserPoolId": POOL, "Limit": "10"}),
            "class java.lang.String can not be converted to an Integer",
        ),
        (
            json!({"UserPoolId": POOL, "Limit": true}),
            "class java.lang.Boolean can not be converted to an Integer",
        ),
        (
            json!({"UserPoolId": 5}),
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String",
        ),
        (
            json!({"UserPoolId": [POOL]}),
            "Start of list found where not expected",
        ),
        (
            json!({"UserPoolId": {}}),
            "Start of structure or map found where not expected.",
        ),
        (
            json!({"UserPoolId": POOL, "AttributesToGet": "email"}),
            "Expected list or null",
        ),
        (
            json!({"UserPoolId": POOL, "AttributesToGet": {}}),
            "Start of structure or map found where not expected.",
        ),
        (json!([]), "Start of list found where not expected"),
        (json!("body"), "Expected null"),
    ];
    for (body, expected) in cases {
        assert_eq!(serialization(Operation::ListUsers, body), expected);
    }
    assert_eq!(
        serialization(
            Operation::InitiateAuth,
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT, "AuthParameters": []})
        ),
        "Start of list found where not expected"
    );
    assert_eq!(
        serialization(
            Operation::InitiateAuth,
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT, "AuthParameters": "x"})
        ),
        "Expected map or null"
    );
    assert_eq!(
        serialization(
            Operation::CreateUserPool,
            json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"RequireNumbers": "yes"}}})
        ),
        "'YES' can not be converted to an Boolean"
    );
}

#[test]
fn a_type_error_wins_over_constraint_violations() {
    let body = json!({"UserPoolId": "bad", "Limit": "ten"});
    assert_eq!(
        serialization(Operation::ListUsers, body),
        "class java.lang.String can not be converted to an Integer"
    );
}

#[test]
fn fractional_integers_are_truncated() {
    assert_eq!(
        validate(
            Operation::ListUsers,
            &json!({"UserPoolId": POOL, "Limit": 60.9})
        ),
        Ok(())
    );
    let message = constraint(
        Operation::ListUsers,
        json!({"UserPoolId": POOL, "Limit": 1e20}),
    );
    assert!(
        message.contains("Value '2147483647' at 'limit'"),
        "{message}"
    );
}

#[test]
fn timestamps_are_epoch_numbers() {
    let op = Operation::InitiatePointInTimeRecovery;
    assert_eq!(
        validate(
            op,
            &json!({"UserPoolId": POOL, "RestoreTimestamp": 1_700_000_000.5})
        ),
        Ok(())
    );
    assert_eq!(
        serialization(
            op,
            json!({"UserPoolId": POOL, "RestoreTimestamp": "2024-01-01T00:00:00Z"})
        ),
        "class java.lang.String can not be converted to milliseconds since epoch"
    );
    assert_eq!(
        constraint(op, json!({"UserPoolId": POOL})),
        "1 validation error detected: Value null at 'restoreTimestamp' failed to satisfy \
         constraint: Member must not be null"
    );
}

#[test]
fn blobs_are_base64() {
    let op = Operation::SetUICustomization;
    assert_eq!(
        validate(op, &json!({"UserPoolId": POOL, "ImageFile": "aGVsbG8="})),
        Ok(())
    );
    assert_eq!(
        serialization(op, json!({"UserPoolId": POOL, "ImageFile": "abc"})),
        "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"
    );
    assert_eq!(
        serialization(op, json!({"UserPoolId": POOL, "ImageFile": "ab!d"})),
        "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'"
    );
    assert_eq!(
        serialization(op, json!({"UserPoolId": POOL, "ImageFile": "aGVsbG9="})),
        "'aGVsbG9=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"
    );
    assert_eq!(
        serialization(op, json!({"UserPoolId": POOL, "ImageFile": 12})),
        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob"
    );
    // The bound counts decoded bytes: 131072 bytes pass, one more fails.
    let at_limit = "A".repeat(131_072 / 3 * 4) + "AAA=";
    assert_eq!(
        validate(op, &json!({"UserPoolId": POOL, "ImageFile": at_limit})),
        Ok(())
    );
    let over = "A".repeat(131_076 / 3 * 4);
    let message = constraint(op, json!({"UserPoolId": POOL, "ImageFile": over}));
    assert_eq!(
        message,
        "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=131076 \
         cap=131076]' at 'imageFile' failed to satisfy constraint: Member must have length \
         less than or equal to 131072"
    );
}

#[test]
fn hostile_bodies_do_not_panic() {
    let mut deep = json!("x");
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let bodies = [
        json!({"UserPoolId": POOL, "Username": "a", "UserAttributes": [deep.clone()]}),
        json!({"UserPoolId": POOL, "Username": "a", "Unknown": deep.clone()}),
        json!({"UserPoolId": POOL, "Username": "a", "UserAttributes": (0..100_000).map(|_| json!({})).collect::<Vec<_>>()}),
        json!({"UserPoolId": POOL, "Username": "a", "ClientMetadata": {"k": [1], "": null}}),
        json!({"UserPoolId": POOL, "Username": "a", "DesiredDeliveryMediums": [null, "SMS", 3]}),
        json!(null),
        json!(1),
    ];
    for &op in Operation::ALL {
        for body in &bodies {
            let _ = validate(op, body);
        }
    }
}
