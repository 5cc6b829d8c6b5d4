//! A pool's schema: the standard attributes every pool has, custom attributes
//! added at creation or later, and checks on attribute values against them.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttribute {
    pub name: String,
    pub attribute_data_type: String,
    pub developer_only_attribute: bool,
    pub mutable: bool,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_attribute_constraints: Option<NumberConstraints>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_attribute_constraints: Option<StringConstraints>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct NumberConstraints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct StringConstraints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<String>,
}

/// A schema entry as a caller sends it in CreateUserPool or AddCustomAttributes.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttributeInput {
    pub name: Option<String>,
    pub attribute_data_type: Option<String>,
    pub developer_only_attribute: Option<bool>,
    pub mutable: Option<bool>,
    pub required: Option<bool>,
    pub number_attribute_constraints: Option<NumberConstraints>,
    pub string_attribute_constraints: Option<StringConstraints>,
}

/// Cognito's standard attributes, in the order DescribeUserPool lists them.
const STANDARD: &[(&str, &str)] = &[
    ("sub", "String"),
    ("name", "String"),
    ("given_name", "String"),
    ("family_name", "String"),
    ("middle_name", "String"),
    ("nickname", "String"),
    ("preferred_username", "String"),
    ("profile", "String"),
    ("picture", "String"),
    ("website", "String"),
    ("email", "String"),
    ("email_verified", "Boolean"),
    ("gender", "String"),
    ("birthdate", "String"),
    ("zoneinfo", "String"),
    ("locale", "String"),
    ("phone_number", "String"),
    ("phone_number_verified", "Boolean"),
    ("address", "String"),
    ("updated_at", "Number"),
    ("identities", "String"),
];

const MAX_CUSTOM_ATTRIBUTES: usize = 50;

fn standard_attribute(name: &str, data_type: &str) -> SchemaAttribute {
    let (min, max) = match name {
        "sub" => (Some("1"), Some("2048")),
        "birthdate" => (Some("10"), Some("10")),
        "identities" => (None, None),
        _ => (Some("0"), Some("2048")),
    };
    SchemaAttribute {
        name: name.to_owned(),
        attribute_data_type: data_type.to_owned(),
        developer_only_attribute: false,
        mutable: name != "sub",
        required: name == "sub",
        number_attribute_constraints: (data_type == "Number").then(|| NumberConstraints {
            min_value: Some("0".into()),
            max_value: None,
        }),
        string_attribute_constraints: (data_type == "String").then(|| StringConstraints {
            min_length: min.map(str::to_owned),
            max_length: max.map(str::to_owned),
        }),
    }
}

fn is_standard(name: &str) -> bool {
    STANDARD.iter().any(|(n, _)| *n == name)
}

/// The schema of a new pool: the standard attributes, adjusted and extended by
/// what the caller sent.
pub fn build_schema(inputs: &[SchemaAttributeInput]) -> Result<Vec<SchemaAttribute>> {
    let mut schema: Vec<SchemaAttribute> = STANDARD
        .iter()
        .map(|(n, t)| standard_attribute(n, t))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for input in inputs {
        let name = input.name.clone().unwrap_or_default();
        if !seen.insert(name.clone()) {
            return Err(Error::InvalidParameter(format!(
                "Duplicate attribute name: {name}"
            )));
        }
        if is_standard(&name) {
            let attr = schema
                .iter_mut()
                .find(|a| a.name == name)
                .ok_or_else(|| Error::Internal("standard attribute missing".into()))?;
            adjust_standard(attr, input)?;
        } else {
            add_custom(&mut schema, input)?;
        }
    }
    Ok(schema)
}

fn adjust_standard(attr: &mut SchemaAttribute, input: &SchemaAttributeInput) -> Result<()> {
    let changes_type = input
        .attribute_data_type
        .as_ref()
        .is_some_and(|t| *t != attr.attribute_data_type);
    if changes_type || input.developer_only_attribute == Some(true) {
        return Err(Error::InvalidParameter(format!(
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {}",
            attr.name
        )));
    }
    check_constraints(&attr.name, &attr.attribute_data_type, input)?;
    if attr.name == "sub" {
        return Ok(());
    }
    if let Some(r) = input.required {
        attr.required = r;
    }
    if let Some(m) = input.mutable {
        attr.mutable = m;
    }
    if let Some(c) = &input.string_attribute_constraints
        && attr.string_attribute_constraints.is_some()
    {
        attr.string_attribute_constraints = Some(c.clone());
    }
    if let Some(c) = &input.number_attribute_constraints
        && attr.number_attribute_constraints.is_some()
    {
        attr.number_attribute_constraints = Some(c.clone());
    }
    Ok(())
}

/// Adds one custom attribute; shared by CreateUserPool and AddCustomAttributes.
pub fn add_custom(schema: &mut Vec<SchemaAttribute>, input: &SchemaAttributeInput) -> Result<()> {
    let bare = input.name.clone().unwrap_or_default();
    let bare = bare.strip_prefix("custom:").unwrap_or(&bare).to_owned();
    if bare.is_empty() || bare.chars().count() > 20 {
        return Err(Error::InvalidParameter(format!(
            "Invalid custom attribute name: {bare}. The name must be between 1 and 20 characters."
        )));
    }
    let developer_only = input.developer_only_attribute.unwrap_or(false);
    let name = if developer_only {
        format!("dev:custom:{bare}")
    } else {
        format!("custom:{bare}")
    };
    // The error names the attribute as a caller knows it, and the one holding the name.
    if let Some(existing) = schema
        .iter()
        .find(|a| a.name == format!("custom:{bare}") || a.name == format!("dev:custom:{bare}"))
    {
        return Err(Error::InvalidParameter(format!(
            "custom:{bare}: Existing attribute already has name {}.",
            existing.name
        )));
    }
    if input.required == Some(true) {
        return Err(Error::InvalidParameter(
            "Required custom attributes are not supported currently.".into(),
        ));
    }
    if schema.iter().filter(|a| is_custom(&a.name)).count() >= MAX_CUSTOM_ATTRIBUTES {
        return Err(Error::LimitExceeded(format!(
            "A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
        )));
    }
    let data_type = input.attribute_data_type.clone().ok_or_else(|| {
        Error::InvalidParameter(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
                .into(),
        )
    })?;
    check_constraints(input.name.as_deref().unwrap_or_default(), &data_type, input)?;
    schema.push(SchemaAttribute {
        name,
        developer_only_attribute: developer_only,
        mutable: input.mutable.unwrap_or(true),
        required: false,
        number_attribute_constraints: if data_type == "Number" {
            Some(
                input
                    .number_attribute_constraints
                    .clone()
                    .unwrap_or_default(),
            )
        } else {
            None
        },
        string_attribute_constraints: if data_type == "String" {
            Some(
                input
                    .string_attribute_constraints
                    .clone()
                    .unwrap_or_default(),
            )
        } else {
            None
        },
        attribute_data_type: data_type,
    });
    Ok(())
}

/// Longest a string attribute may be.
const MAX_STRING_LENGTH: u64 = 2048;

/// Cognito's checks on the constraints of an attribute of `data_type` (the
/// constraints of the other type are ignored, as Cognito ignores them).
/// `name` is the attribute as the caller named it.
fn check_constraints(name: &str, data_type: &str, input: &SchemaAttributeInput) -> Result<()> {
    let invalid =
        |kind: &str| Error::InvalidParameter(format!("Invalid {kind} for schema attribute {name}"));
    match data_type {
        "String" => {
            let Some(c) = &input.string_attribute_constraints else {
                return Ok(());
            };
            let length = |v: &Option<String>| -> Result<Option<u64>> {
                v.as_deref()
                    .map(|v| v.parse::<u64>())
                    .transpose()
                    .map_err(|_| invalid("StringAttributeConstraints"))
            };
            let (min, max) = (length(&c.min_length)?, length(&c.max_length)?);
            if min.max(max).is_some_and(|n| n > MAX_STRING_LENGTH) {
                return Err(Error::InvalidParameter(format!(
                    "user.{name}: String attributes cannot have a length of more than {MAX_STRING_LENGTH}"
                )));
            }
            if let (Some(min), Some(max)) = (min, max)
                && max < min
            {
                return Err(Error::InvalidParameter(format!(
                    "user.{name}: Max length cannot be less than min length."
                )));
            }
        }
        "Number" => {
            let Some(c) = &input.number_attribute_constraints else {
                return Ok(());
            };
            let value = |v: &Option<String>| -> Result<Option<f64>> {
                v.as_deref()
                    .map(|v| v.parse::<f64>().ok().filter(|n| n.is_finite()))
                    .map(|n| n.ok_or_else(|| invalid("NumberAttributeConstraints")))
                    .transpose()
            };
            if let (Some(min), Some(max)) = (value(&c.min_value)?, value(&c.max_value)?)
                && max < min
            {
                return Err(Error::InvalidParameter(format!(
                    "user.{name}: Max value cannot be less than min value."
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

pub fn is_custom(name: &str) -> bool {
    name.starts_with("custom:") || name.starts_with("dev:custom:")
}

/// How an operation words the attribute faults it found: one line per
/// attribute, each ending in a newline, under the operation's own heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultWording {
    /// SignUp, AdminCreateUser and a challenge's new attributes:
    /// `Attributes did not conform to the schema: email: …\n`.
    Creation,
    /// UpdateUserAttributes and AdminUpdateUserAttributes: `user.email: …\n`.
    Update,
    /// DeleteUserAttributes and AdminDeleteUserAttributes:
    /// `Invalid user attributes: user.email: …\n`.
    Deletion,
}

/// Every attribute fault of one request, collected so the answer names each.
#[derive(Debug, Default)]
pub struct AttributeFaults {
    lines: Vec<(String, Fault)>,
    /// A value Cognito refuses with an error of its own (an email or phone
    /// number that is not one); reported when no schema fault is.
    format: Option<Error>,
}

impl AttributeFaults {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: &str, reason: &str) {
        self.lines
            .push((name.to_owned(), Fault::Reason(reason.to_owned())));
    }

    /// Checks one attribute value against its schema entry.
    pub fn check_value(&mut self, schema: &[SchemaAttribute], name: &str, value: &str) {
        let Some(attr) = schema.iter().find(|a| a.name == name) else {
            return self.add(name, "Attribute does not exist in the schema.");
        };
        if let Some(reason) = type_fault(attr, value) {
            return self.add(name, &reason);
        }
        let format = match name {
            "email" if !looks_like_email(value) => "Invalid email address format.",
            "phone_number" if !looks_like_phone(value) => "Invalid phone number format.",
            _ => return,
        };
        self.format
            .get_or_insert_with(|| Error::InvalidParameter(format.into()));
    }

    /// An attribute that is immutable may be set at creation, never changed.
    pub fn check_mutable(&mut self, schema: &[SchemaAttribute], name: &str) {
        if schema.iter().any(|a| a.name == name && !a.mutable) {
            self.lines.push((name.to_owned(), Fault::Immutable));
        }
    }

    /// Required attributes the given set lacks.
    pub fn check_required(&mut self, schema: &[SchemaAttribute], present: impl Fn(&str) -> bool) {
        for attr in schema.iter().filter(|a| a.required && a.name != "sub") {
            if !present(&attr.name) {
                self.add(&attr.name, "The attribute is required");
            }
        }
    }

    /// `Ok` when nothing was found; otherwise every fault, as `wording` words them.
    pub fn into_result(self, wording: FaultWording) -> Result<()> {
        if self.lines.is_empty() {
            return self.format.map_or(Ok(()), Err);
        }
        let (heading, label) = match wording {
            FaultWording::Creation => ("Attributes did not conform to the schema: ", ""),
            FaultWording::Update => ("", "user."),
            FaultWording::Deletion => ("Invalid user attributes: ", "user."),
        };
        let lines: String = self
            .lines
            .iter()
            .map(|(name, fault)| {
                let reason = match fault {
                    Fault::Reason(reason) => reason.as_str(),
                    // Updates say it shorter (aws-amplify/amplify-swift#3981).
                    Fault::Immutable if wording == FaultWording::Update => {
                        "Attribute cannot be updated."
                    }
                    Fault::Immutable => {
                        "Attribute cannot be updated. (changing an immutable attribute)"
                    }
                };
                format!("{label}{name}: {reason}\n")
            })
            .collect();
        Err(Error::InvalidParameter(format!("{heading}{lines}")))
    }
}

/// One attribute's fault.
#[derive(Debug)]
enum Fault {
    Reason(String),
    /// An immutable attribute given a new value; worded by the operation.
    Immutable,
}

/// What is wrong with `value` for the attribute's type and constraints.
fn type_fault(attr: &SchemaAttribute, value: &str) -> Option<String> {
    let bound = |v: &Option<String>| v.as_deref().and_then(|m| m.parse::<f64>().ok());
    match attr.attribute_data_type.as_str() {
        "String" => {
            let len = value.chars().count();
            let c = attr.string_attribute_constraints.as_ref()?;
            let (min, max) = (bound(&c.min_length), bound(&c.max_length));
            if let Some(max) = max.filter(|max| len as f64 > *max) {
                return Some(format!("String must be no longer than {max} characters"));
            }
            if let Some(min) = min.filter(|min| (len as f64) < *min) {
                return Some(format!("String must be no shorter than {min} characters"));
            }
            None
        }
        "Number" => {
            let Ok(n) = value.parse::<f64>() else {
                return Some("Number must be a valid number".into());
            };
            let c = attr.number_attribute_constraints.as_ref()?;
            if let Some(min) = bound(&c.min_value).filter(|min| n < *min) {
                return Some(format!("Number must be at least {min}"));
            }
            if let Some(max) = bound(&c.max_value).filter(|max| n > *max) {
                return Some(format!("Number must be at most {max}"));
            }
            None
        }
        "Boolean" if canonical_boolean(value).is_none() => {
            Some("Boolean must be true or false".into())
        }
        "DateTime" if value.is_empty() => Some("DateTime must not be empty".into()),
        _ => None,
    }
}

/// `true` / `false` in any case (administrators send `True`, as Cognito
/// accepts), in the form Tessera stores.
fn canonical_boolean(value: &str) -> Option<&'static str> {
    if value.eq_ignore_ascii_case("true") {
        Some("true")
    } else if value.eq_ignore_ascii_case("false") {
        Some("false")
    } else {
        None
    }
}

/// The value as stored: Boolean attributes as `true` / `false`, the rest as given.
pub fn canonical_value(schema: &[SchemaAttribute], name: &str, value: &str) -> String {
    let boolean = schema
        .iter()
        .any(|a| a.name == name && a.attribute_data_type == "Boolean");
    match canonical_boolean(value) {
        Some(b) if boolean => b.to_owned(),
        _ => value.to_owned(),
    }
}

fn looks_like_email(v: &str) -> bool {
    match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !v.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// E.164: a plus sign and up to fifteen digits.
fn looks_like_phone(v: &str) -> bool {
    v.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(name: &str) -> SchemaAttributeInput {
        SchemaAttributeInput {
            name: Some(name.into()),
            attribute_data_type: Some("String".into()),
            ..Default::default()
        }
    }

    #[test]
    fn custom_attributes_get_their_prefix_and_cannot_repeat() {
        let mut schema = build_schema(&[custom("team")]).expect("schema");
        assert!(schema.iter().any(|a| a.name == "custom:team"));
        assert!(add_custom(&mut schema, &custom("team")).is_err());
    }

    fn faults(check: impl FnOnce(&mut AttributeFaults), wording: FaultWording) -> Result<()> {
        let mut faults = AttributeFaults::new();
        check(&mut faults);
        faults.into_result(wording)
    }

    fn message(result: Result<()>) -> String {
        match result {
            Err(Error::InvalidParameter(m)) => m,
            other => panic!("expected InvalidParameter, got {other:?}"),
        }
    }

    #[test]
    fn required_standard_attribute_is_enforced() {
        let schema = build_schema(&[SchemaAttributeInput {
            name: Some("email".into()),
            required: Some(true),
            ..Default::default()
        }])
        .expect("schema");
        let missing = |f: &mut AttributeFaults| f.check_required(&schema, |_| false);
        assert_eq!(
            message(faults(missing, FaultWording::Creation)),
            "Attributes did not conform to the schema: email: The attribute is required\n"
        );
        let present = |f: &mut AttributeFaults| f.check_required(&schema, |n| n == "email");
        assert!(faults(present, FaultWording::Creation).is_ok());
    }

    #[test]
    fn values_are_checked_against_types() {
        let schema = build_schema(&[]).expect("schema");
        let check = |name: &str, value: &str| {
            faults(
                |f| f.check_value(&schema, name, value),
                FaultWording::Update,
            )
        };
        assert!(check("email", "a@b.c").is_ok());
        assert!(check("email", "nope").is_err());
        assert!(check("phone_number", "+15555550100").is_ok());
        assert!(check("phone_number", "555").is_err());
        assert!(check("email_verified", "yes").is_err());
        assert!(check("email_verified", "True").is_ok());
        assert!(check("custom:missing", "x").is_err());
        assert_eq!(canonical_value(&schema, "email_verified", "True"), "true");
        assert_eq!(canonical_value(&schema, "name", "True"), "True");
    }

    #[test]
    fn every_fault_is_listed_one_per_line_in_the_operations_wording() {
        let schema = build_schema(&[]).expect("schema");
        let both = |f: &mut AttributeFaults| {
            f.check_value(&schema, "custom:a", "x");
            f.check_value(&schema, "email", "not an email");
            f.check_value(&schema, "custom:b", "y");
        };
        assert_eq!(
            message(faults(both, FaultWording::Deletion)),
            "Invalid user attributes: user.custom:a: Attribute does not exist in the schema.\n\
             user.custom:b: Attribute does not exist in the schema.\n"
        );
        // A bad email alone is its own error.
        let email = |f: &mut AttributeFaults| f.check_value(&schema, "email", "not an email");
        assert_eq!(
            message(faults(email, FaultWording::Update)),
            "Invalid email address format."
        );
    }

    #[test]
    fn constraints_are_checked_as_cognito_checks_them() {
        let with = |name: &str,
                    data_type: &str,
                    string: Option<(&str, &str)>,
                    number: Option<(&str, &str)>| {
            SchemaAttributeInput {
                name: Some(name.into()),
                attribute_data_type: Some(data_type.into()),
                string_attribute_constraints: string.map(|(min, max)| StringConstraints {
                    min_length: Some(min.into()).filter(|v: &String| !v.is_empty()),
                    max_length: Some(max.into()).filter(|v: &String| !v.is_empty()),
                }),
                number_attribute_constraints: number.map(|(min, max)| NumberConstraints {
                    min_value: Some(min.into()).filter(|v: &String| !v.is_empty()),
                    max_value: Some(max.into()).filter(|v: &String| !v.is_empty()),
                }),
                ..Default::default()
            }
        };
        let cases = [
            (
                with("email", "String", Some(("", "many")), None),
                "Invalid StringAttributeConstraints for schema attribute email",
            ),
            (
                with("updated_at", "Number", None, Some(("x", ""))),
                "Invalid NumberAttributeConstraints for schema attribute updated_at",
            ),
            (
                with("email", "String", Some(("", "2049")), None),
                "user.email: String attributes cannot have a length of more than 2048",
            ),
            (
                with("team", "String", Some(("2", "1")), None),
                "user.team: Max length cannot be less than min length.",
            ),
            (
                with("age", "Number", None, Some(("2", "1"))),
                "user.age: Max value cannot be less than min value.",
            ),
            (
                SchemaAttributeInput {
                    name: Some("team".into()),
                    ..Default::default()
                },
                "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
            ),
            (
                with("email", "Number", None, None),
                "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(message(build_schema(&[input]).map(|_| ())), expected);
        }
        // The other type's constraints are ignored.
        assert!(
            build_schema(&[with("team", "String", Some(("1", "9")), Some(("x", "y")))]).is_ok()
        );
    }
}
