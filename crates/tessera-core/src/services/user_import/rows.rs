//! The CSV format Cognito imports: the header GetCSVHeader gives a pool, and
//! each row read into a user as Cognito's rules allow (or the reason not).

use std::collections::BTreeMap;

use crate::clock::Timestamp;
use crate::domain::pool::UserPool;
use crate::domain::schema::is_custom;
use crate::domain::user::{User, UserStatus};
use crate::error::Error;
use crate::services::Services;
use crate::services::directory::UserDirectory;

pub const USERNAME: &str = "cognito:username";
pub const MFA_ENABLED: &str = "cognito:mfa_enabled";

/// Attributes a pool has that an import does not set.
const NOT_IMPORTED: &[&str] = &["sub", "identities"];

/// GetCSVHeader: the pool's standard attributes in schema order, its custom
/// attributes, then `cognito:mfa_enabled` and `cognito:username`.
pub fn csv_header(pool: &UserPool) -> Vec<String> {
    let (custom, standard): (Vec<_>, Vec<_>) = pool
        .schema
        .iter()
        .filter(|a| !NOT_IMPORTED.contains(&a.name.as_str()))
        .partition(|a| is_custom(&a.name));
    standard
        .into_iter()
        .chain(custom)
        .map(|a| a.name.clone())
        .chain([MFA_ENABLED.to_owned(), USERNAME.to_owned()])
        .collect()
}

/// A file's header, checked against the pool's: every column present, none
/// unknown or repeated, in any order (as Cognito requires).
pub struct Header {
    columns: Vec<String>,
}

impl Header {
    pub fn parse(pool: &UserPool, columns: Vec<String>) -> Result<Header, String> {
        let expected = csv_header(pool);
        let mut faults = Vec::new();
        for (i, column) in columns.iter().enumerate() {
            if !expected.contains(column) {
                faults.push(format!("unknown column {column:?}"));
            } else if columns[..i].contains(column) {
                faults.push(format!("column {column:?} appears twice"));
            }
        }
        let missing: Vec<&str> = expected
            .iter()
            .filter(|c| !columns.contains(c))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            faults.push(format!("missing columns {}", missing.join(", ")));
        }
        if faults.is_empty() {
            Ok(Header { columns })
        } else {
            Err(format!(
                "The CSV header does not match the user pool's (GetCSVHeader): {}.",
                faults.join("; ")
            ))
        }
    }

    pub fn columns(&self) -> usize {
        self.columns.len()
    }
}

/// What one data row comes to.
pub enum RowOutcome {
    User(Box<User>),
    /// Every field empty.
    Skipped,
    Failed(String),
}

/// `true` / `false` in any case, or empty.
fn flag(value: &str, column: &str) -> Result<Option<bool>, String> {
    if value.is_empty() {
        Ok(None)
    } else if value.eq_ignore_ascii_case("true") {
        Ok(Some(true))
    } else if value.eq_ignore_ascii_case("false") {
        Ok(Some(false))
    } else {
        Err(format!("{column} must be true or false, not {value:?}."))
    }
}

fn reason(e: Error) -> String {
    e.to_string().trim_end().replace('\n', " ")
}

/// The user a row describes, imported as RESET_REQUIRED without a password
/// (Cognito imports no passwords), or why the row cannot be imported.
pub fn read_row(
    services: &Services,
    pool: &UserPool,
    header: &Header,
    fields: &[&str],
    now: Timestamp,
) -> RowOutcome {
    if fields.iter().all(|f| f.is_empty()) {
        return RowOutcome::Skipped;
    }
    match build_user(services, pool, header, fields, now) {
        Ok(user) => RowOutcome::User(Box::new(user)),
        Err(reason) => RowOutcome::Failed(reason),
    }
}

fn build_user(
    services: &Services,
    pool: &UserPool,
    header: &Header,
    fields: &[&str],
    now: Timestamp,
) -> Result<User, String> {
    if fields.len() != header.columns() {
        return Err(format!(
            "The row has {} fields; the header has {}.",
            fields.len(),
            header.columns()
        ));
    }
    let mut username = "";
    let mut mfa_enabled = None;
    let mut given = Vec::new();
    for (column, value) in header.columns.iter().zip(fields) {
        match column.as_str() {
            USERNAME => username = value,
            MFA_ENABLED => mfa_enabled = flag(value, MFA_ENABLED)?,
            _ if value.is_empty() => {}
            "email_verified" | "phone_number_verified" => {
                if let Some(v) = flag(value, column)? {
                    given.push((column.clone(), v.to_string()));
                }
            }
            _ => given.push((column.clone(), (*value).to_owned())),
        }
    }
    if username.is_empty() {
        return Err(format!("{USERNAME} is required."));
    }
    let Some(mfa_enabled) = mfa_enabled else {
        return Err(format!("{MFA_ENABLED} is required (true or false)."));
    };
    let mut attributes = Services::checked_attributes(pool, &given).map_err(reason)?;
    for contact in ["email", "phone_number"] {
        if attributes
            .get(&format!("{contact}_verified"))
            .map(String::as_str)
            == Some("true")
            && !attributes.contains_key(contact)
        {
            return Err(format!(
                "{contact}_verified is true but {contact} is empty."
            ));
        }
    }
    let auto_verified = pool.auto_verified_attributes();
    let verified =
        |a: &String| attributes.get(&format!("{a}_verified")).map(String::as_str) == Some("true");
    if !auto_verified.iter().any(verified) {
        let names: Vec<String> = auto_verified
            .iter()
            .map(|a| format!("{a}_verified"))
            .collect();
        return Err(format!(
            "The user needs a verified auto-verified attribute: {} must be true.",
            names.join(" or ")
        ));
    }
    if mfa_enabled && !attributes.contains_key("phone_number") {
        return Err(format!("{MFA_ENABLED} is true but phone_number is empty."));
    }
    let sub = uuid::Uuid::new_v4().to_string();
    let username = services
        .username_for(pool, username, &sub, &mut attributes)
        .map_err(reason)?;
    Services::check_required(pool, &attributes).map_err(reason)?;
    attributes.insert("sub".into(), sub.clone());
    let mut user = User {
        pool_id: pool.id.clone(),
        sub,
        username_key: pool.normalize(&username),
        username,
        status: UserStatus::ResetRequired,
        enabled: true,
        created: now,
        modified: now,
        aliases: UserDirectory::aliases_of(pool, &attributes),
        attributes,
        pending_attributes: BTreeMap::new(),
        password: None,
        password_expires: None,
        sign_in_failures: Default::default(),
        mfa: Default::default(),
    };
    user.mfa.preferences.sms.enabled = mfa_enabled;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::{SchemaAttributeInput, build_schema};
    use crate::ids::UserPoolId;

    fn pool_with_custom(name: &str) -> UserPool {
        let schema = build_schema(&[SchemaAttributeInput {
            name: Some(name.into()),
            attribute_data_type: Some("String".into()),
            ..Default::default()
        }])
        .expect("schema");
        UserPool {
            id: UserPoolId::new("us-east-1_AbCdEfGhI"),
            name: "p".into(),
            arn: String::new(),
            created: Timestamp(0),
            modified: Timestamp(0),
            settings: Default::default(),
            schema,
            tags: Default::default(),
        }
    }

    #[test]
    fn the_header_lists_standard_then_custom_attributes_then_cognitos_columns() {
        let header = csv_header(&pool_with_custom("tier"));
        assert_eq!(header.first().map(String::as_str), Some("name"));
        assert!(!header.iter().any(|c| c == "sub" || c == "identities"));
        assert_eq!(
            &header[header.len() - 3..],
            ["custom:tier", MFA_ENABLED, USERNAME]
        );
    }

    #[test]
    fn a_header_in_any_order_is_accepted_and_a_wrong_one_names_its_faults() {
        let pool = pool_with_custom("tier");
        let mut columns = csv_header(&pool);
        columns.reverse();
        assert!(Header::parse(&pool, columns.clone()).is_ok());
        columns.retain(|c| c != MFA_ENABLED);
        columns.push("shoe_size".into());
        columns.push(USERNAME.into());
        let Err(message) = Header::parse(&pool, columns) else {
            panic!("a wrong header passed");
        };
        assert!(
            message.contains("unknown column \"shoe_size\""),
            "{message}"
        );
        assert!(message.contains("appears twice"), "{message}");
        assert!(
            message.contains("missing columns cognito:mfa_enabled"),
            "{message}"
        );
    }

    #[test]
    fn flags_are_true_false_or_empty() {
        assert_eq!(flag("TRUE", "x"), Ok(Some(true)));
        assert_eq!(flag("false", "x"), Ok(Some(false)));
        assert_eq!(flag("", "x"), Ok(None));
        assert!(flag("yes", "x").is_err());
    }
}
