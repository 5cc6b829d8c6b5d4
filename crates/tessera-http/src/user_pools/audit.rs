//! What the admin audit log records of a signed operation: which operations
//! change something, and the pool, kind and id of what they change. Only
//! identifiers are taken from requests, never secrets or attribute values.

use serde_json::Value;
use tessera_core::services::audit::AdminChange;

use super::Operation;

/// The kind of resource an operation changes and the members naming it,
/// by the words of its name (most specific first).
const RESOURCES: &[(&str, &str, &[&str])] = &[
    ("UserPoolClient", "UserPoolClient", &["ClientId"]),
    ("UserPoolDomain", "UserPoolDomain", &["Domain"]),
    ("UserPool", "UserPool", &[]),
    ("CustomAttributes", "UserPool", &[]),
    ("Device", "Device", &["DeviceKey"]),
    ("AuthEvent", "AuthEvent", &["EventId"]),
    ("User", "User", &["Username"]),
    ("Group", "Group", &["GroupName"]),
    ("ResourceServer", "ResourceServer", &["Identifier"]),
    ("RiskConfiguration", "RiskConfiguration", &["ClientId"]),
    ("UICustomization", "UICustomization", &["ClientId"]),
    (
        "ManagedLoginBranding",
        "ManagedLoginBranding",
        &["ManagedLoginBrandingId"],
    ),
    ("Terms", "Terms", &["TermsId"]),
    ("Resource", "Tags", &["ResourceArn"]),
];

/// Signed operations that read, or sign a user in, change nothing an
/// administrator answers for.
fn changes_something(op: Operation) -> bool {
    let name = op.name();
    let reads = ["Describe", "Get", "List", "AdminGet", "AdminList"];
    !reads.iter().any(|verb| name.starts_with(verb))
        && !matches!(
            op,
            Operation::AdminInitiateAuth | Operation::AdminRespondToAuthChallenge
        )
}

fn resource(op: Operation) -> (&'static str, &'static [&'static str]) {
    let name = op.name();
    RESOURCES
        .iter()
        .find(|(word, _, _)| name.contains(word))
        .map_or(("Other", &[][..]), |(_, kind, keys)| (*kind, *keys))
}

fn first_string(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        .map(str::to_owned)
}

/// The change a signed call of `op` would make, before it runs.
pub fn change(op: Operation, input: &Value, access_key_id: &str) -> Option<AdminChange> {
    if !changes_something(op) {
        return None;
    }
    let (kind, keys) = resource(op);
    // Users are recorded by their sub, which the services look up.
    let (resource_id, username) = if kind == "User" {
        (None, first_string(input, keys))
    } else {
        (first_string(input, keys), None)
    };
    Some(AdminChange {
        access_key_id: access_key_id.to_owned(),
        operation: op.name().to_owned(),
        pool_id: first_string(input, &["UserPoolId"]),
        resource_type: kind.to_owned(),
        resource_id,
        username,
    })
}

/// Fills in what only the answer names: a created pool's or resource's id.
pub fn completed(mut change: AdminChange, output: &Value) -> AdminChange {
    let (_, keys) = resource_of(&change.operation);
    for created in output.as_object().into_iter().flat_map(|o| o.values()) {
        if change.pool_id.is_none() {
            change.pool_id = first_string(created, &["Id", "UserPoolId"]);
        }
        if change.resource_id.is_none() && change.username.is_none() {
            change.resource_id = first_string(created, keys);
        }
    }
    change
}

fn resource_of(operation: &str) -> (&'static str, &'static [&'static str]) {
    Operation::from_name(operation).map_or(("Other", &[][..]), resource)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_name_their_pool_kind_and_id_and_reads_are_not_changes() {
        let c = change(
            Operation::AdminCreateUser,
            &json!({"UserPoolId": "us-east-1_a", "Username": "ann", "TemporaryPassword": "x"}),
            "AKID",
        )
        .expect("a change");
        assert_eq!(
            (
                c.pool_id.as_deref(),
                c.resource_type.as_str(),
                c.resource_id.as_deref()
            ),
            (Some("us-east-1_a"), "User", None)
        );
        assert_eq!(
            c.username.as_deref(),
            Some("ann"),
            "for the services to name by sub"
        );
        let created = completed(
            change(Operation::CreateUserPool, &json!({"PoolName": "p"}), "AKID").expect("change"),
            &json!({"UserPool": {"Id": "us-east-1_b", "Name": "p"}}),
        );
        assert_eq!(created.pool_id.as_deref(), Some("us-east-1_b"));
        assert_eq!(created.resource_type, "UserPool");
        let client = completed(
            change(
                Operation::CreateUserPoolClient,
                &json!({"UserPoolId": "us-east-1_b", "ClientName": "web"}),
                "AKID",
            )
            .expect("change"),
            &json!({"UserPoolClient": {"ClientId": "abc", "ClientSecret": "s"}}),
        );
        assert_eq!(client.resource_id.as_deref(), Some("abc"));
        // Rotating a client's secrets changes the client; only its id is kept.
        let added = completed(
            change(
                Operation::AddUserPoolClientSecret,
                &json!({"UserPoolId": "us-east-1_b", "ClientId": "abc", "ClientSecret": "custom"}),
                "AKID",
            )
            .expect("change"),
            &json!({"ClientSecretDescriptor": {"ClientSecretId": "abc--1", "ClientSecretValue": "v"}}),
        );
        assert_eq!(
            (added.resource_type.as_str(), added.resource_id.as_deref()),
            ("UserPoolClient", Some("abc"))
        );
        assert_eq!(added.username, None);
        assert!(
            change(
                Operation::DeleteUserPoolClientSecret,
                &json!({"UserPoolId": "us-east-1_b", "ClientId": "abc", "ClientSecretId": "abc--1"}),
                "AKID",
            )
            .is_some()
        );
        for read in [
            Operation::AdminGetUser,
            Operation::ListUsers,
            Operation::DescribeRiskConfiguration,
            Operation::AdminListUserAuthEvents,
            Operation::AdminInitiateAuth,
            Operation::ListUserPoolClientSecrets,
        ] {
            assert!(
                change(read, &json!({}), "AKID").is_none(),
                "{}",
                read.name()
            );
        }
    }
}
