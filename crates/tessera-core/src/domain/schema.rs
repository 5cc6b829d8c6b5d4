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
    if let Some(t) = &input.attribute_data_type
        && *t != attr.attribute_data_type
    {
        return Err(Error::InvalidParameter(format!(
            "{}: You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {}",
            attr.name, attr.name
        )));
    }
    if input.developer_only_attribute == Some(true) {
        return Err(Error::InvalidParameter(format!(
            "{}: You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {}",
            attr.name, attr.name
        )));
    }
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
    if schema.iter().any(|a| {
        a.name == name
            || a.name == format!("custom:{bare}")
            || a.name == format!("dev:custom:{bare}")
    }) {
        return Err(Error::InvalidParameter(format!(
            "{name}: Existing attribute already has name {name}."
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
    let data_type = input
        .attribute_data_type
        .clone()
        .unwrap_or_else(|| "String".to_owned());
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

pub fn is_custom(name: &str) -> bool {
    name.starts_with("custom:") || name.starts_with("dev:custom:")
}

fn schema_error(name: &str, reason: &str) -> Error {
    Error::InvalidParameter(format!(
        "Attributes did not conform to the schema: {name}: {reason}"
    ))
}

/// Checks one attribute value against its schema entry.
pub fn check_value(schema: &[SchemaAttribute], name: &str, value: &str) -> Result<()> {
    let attr = schema
        .iter()
        .find(|a| a.name == name)
        .ok_or_else(|| schema_error(name, "Attribute does not exist in the schema."))?;
    match attr.attribute_data_type.as_str() {
        "String" => {
            let len = value.chars().count();
            if let Some(c) = &attr.string_attribute_constraints {
                if let Some(max) = c
                    .max_length
                    .as_deref()
                    .and_then(|m| m.parse::<usize>().ok())
                    && len > max
                {
                    return Err(schema_error(
                        name,
                        &format!("String must be no longer than {max} characters"),
                    ));
                }
                if let Some(min) = c
                    .min_length
                    .as_deref()
                    .and_then(|m| m.parse::<usize>().ok())
                    && len < min
                {
                    return Err(schema_error(
                        name,
                        &format!("String must be no shorter than {min} characters"),
                    ));
                }
            }
        }
        "Number" => {
            let n: f64 = value
                .parse()
                .map_err(|_| schema_error(name, "Number must be a valid number"))?;
            if let Some(c) = &attr.number_attribute_constraints {
                if let Some(min) = c.min_value.as_deref().and_then(|m| m.parse::<f64>().ok())
                    && n < min
                {
                    return Err(schema_error(
                        name,
                        &format!("Number must be at least {min}"),
                    ));
                }
                if let Some(max) = c.max_value.as_deref().and_then(|m| m.parse::<f64>().ok())
                    && n > max
                {
                    return Err(schema_error(name, &format!("Number must be at most {max}")));
                }
            }
        }
        "Boolean" if value != "true" && value != "false" => {
            return Err(schema_error(name, "Boolean must be true or false"));
        }
        "DateTime" if value.is_empty() => {
            return Err(schema_error(name, "DateTime must not be empty"));
        }
        _ => {}
    }
    match name {
        "email" if !looks_like_email(value) => Err(Error::InvalidParameter(
            "Invalid email address format.".into(),
        )),
        "phone_number" if !looks_like_phone(value) => Err(Error::InvalidParameter(
            "Invalid phone number format.".into(),
        )),
        _ => Ok(()),
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

/// Required attributes the given set lacks, as Cognito reports the first one.
pub fn check_required_present(
    schema: &[SchemaAttribute],
    present: impl Fn(&str) -> bool,
) -> Result<()> {
    for attr in schema.iter().filter(|a| a.required && a.name != "sub") {
        if !present(&attr.name) {
            return Err(schema_error(&attr.name, "The attribute is required"));
        }
    }
    Ok(())
}

/// An attribute that is immutable may be set at creation, never changed.
pub fn check_mutable(schema: &[SchemaAttribute], name: &str) -> Result<()> {
    match schema.iter().find(|a| a.name == name) {
        Some(a) if !a.mutable => Err(schema_error(
            name,
            "Attribute cannot be updated. (changing an immutable attribute)",
        )),
        _ => Ok(()),
    }
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

    #[test]
    fn required_standard_attribute_is_enforced() {
        let schema = build_schema(&[SchemaAttributeInput {
            name: Some("email".into()),
            required: Some(true),
            ..Default::default()
        }])
        .expect("schema");
        assert!(check_required_present(&schema, |_| false).is_err());
        assert!(check_required_present(&schema, |n| n == "email").is_ok());
    }

    #[test]
    fn values_are_checked_against_types() {
        let schema = build_schema(&[]).expect("schema");
        assert!(check_value(&schema, "email", "a@b.c").is_ok());
        assert!(check_value(&schema, "email", "nope").is_err());
        assert!(check_value(&schema, "phone_number", "+15555550100").is_ok());
        assert!(check_value(&schema, "phone_number", "555").is_err());
        assert!(check_value(&schema, "email_verified", "yes").is_err());
        assert!(check_value(&schema, "custom:missing", "x").is_err());
    }
}
