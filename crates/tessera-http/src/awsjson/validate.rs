//! Checks a request body against its operation's input shape and words the failures as AWS's
//! Coral framework does.
//!
//! Coral first deserializes the body (a wrong JSON type stops everything with a
//! `SerializationException`), then checks constraints and reports them together:
//! `N validation error(s) detected: Value '…' at 'a.b' failed to satisfy constraint: …; Value …`.
//! The wording below is taken from real Cognito answers quoted in public issues, and, for the
//! type errors and the list/map forms Cognito threads do not show, from dynalite's
//! reverse-engineering of Coral (mhart/dynalite's `validations` module).

use std::fmt;

use serde_json::{Map, Value};

use super::model::{Bounds, Model, ShapeId, ShapeKind};

/// Why a request body does not fit its operation's input shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// A member had the wrong JSON type (string where a number belongs, …): AWS answers SerializationException.
    Serialization(String),
    /// Constraint violations: AWS answers InvalidParameterException with Coral's wording.
    Constraint(String),
}

impl InputError {
    pub fn message(&self) -> &str {
        match self {
            InputError::Serialization(message) | InputError::Constraint(message) => message,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for InputError {}

/// Nesting bound for the walk. The model's input shapes are far shallower (a test checks), so
/// this only matters if a future model turns recursive.
const MAX_DEPTH: usize = 64;

/// Coral lists at most this many violations (dynalite stops collecting at ten as well).
const MAX_REPORTED: usize = 10;

/// Checks `body` against an operation's input shape in `model`. Members the model does not
/// know are ignored, as newer SDKs send members older models lack; JSON `null` counts as absent.
pub fn validate_input(
    model: &'static Model,
    input: Option<ShapeId>,
    body: &Value,
) -> Result<(), InputError> {
    let Some(input) = input else {
        return Ok(());
    };
    let mut walk = Walk {
        model,
        path: Vec::new(),
        violations: Vec::new(),
    };
    let empty = Value::Object(Map::new());
    let body = if body.is_null() { &empty } else { body };
    walk.value(input, body, 0, false)
        .map_err(InputError::Serialization)?;
    match walk.violations.len() {
        0 => Ok(()),
        1 => Err(InputError::Constraint(format!(
            "1 validation error detected: {}",
            walk.violations[0]
        ))),
        n => Err(InputError::Constraint(format!(
            "{n} validation errors detected: {}",
            walk.violations.join("; ")
        ))),
    }
}

/// One walk over a body: the current member path and the violations found so far.
struct Walk {
    model: &'static Model,
    /// lowerCamelCase segments; list items add `N.member` (1-based), map values `key.member`.
    path: Vec<String>,
    violations: Vec<String>,
}

/// A scalar member's value after Coral's conversion.
enum Scalar<'a> {
    Str(&'a str),
    Int(i64),
    Double(f64),
    /// Booleans and timestamps carry no constraints.
    Unconstrained,
    Blob {
        decoded_len: u64,
    },
}

impl Walk {
    /// Walks `value` as shape `id`. `Err` is a serialization failure, which ends the walk.
    fn value(
        &mut self,
        id: ShapeId,
        value: &Value,
        depth: usize,
        in_sensitive: bool,
    ) -> Result<(), String> {
        if value.is_null() {
            return Ok(());
        }
        if depth > MAX_DEPTH {
            return Err("Maximum nesting depth exceeded".to_owned());
        }
        let m = self.model;
        let shape = m.shape(id);
        let hide_value = in_sensitive || shape.holds_sensitive;
        let in_sensitive = in_sensitive || shape.sensitive;
        match &shape.kind {
            ShapeKind::Structure { members } => {
                let object = match value {
                    Value::Object(object) => object,
                    Value::Array(_) => return Err(START_OF_LIST.to_owned()),
                    _ => return Err("Expected null".to_owned()),
                };
                for member in *members {
                    self.path.push(lower_first(member.name));
                    match object.get(member.name) {
                        Some(child) if !child.is_null() => {
                            self.value(member.target, child, depth + 1, in_sensitive)?;
                        }
                        _ if member.required => {
                            self.report(Shown::Null, false, "Member must not be null")
                        }
                        _ => {}
                    }
                    self.path.pop();
                }
            }
            ShapeKind::Document => {}
            ShapeKind::List { member, length } => {
                let items = match value {
                    Value::Array(items) => items,
                    Value::Object(_) => return Err(START_OF_OBJECT.to_owned()),
                    _ => return Err("Expected list or null".to_owned()),
                };
                self.length(items.len(), *length, value, hide_value);
                if is_scalar(m, *member) {
                    let mut failed = false;
                    for item in items.iter().filter(|item| !item.is_null()) {
                        failed |= !violations(m, *member, &scalar(m, *member, item)?).is_empty();
                    }
                    if failed {
                        let constraint = bracketed(m, "Member must satisfy constraint", *member);
                        self.report(Shown::Json(value), hide_value, &constraint);
                    }
                } else {
                    for (index, item) in items.iter().enumerate() {
                        self.path.push((index + 1).to_string());
                        self.path.push("member".to_owned());
                        self.value(*member, item, depth + 1, in_sensitive)?;
                        self.path.truncate(self.path.len() - 2);
                    }
                }
            }
            ShapeKind::Map {
                key,
                value: target,
                length,
            } => {
                let entries = match value {
                    Value::Object(entries) => entries,
                    Value::Array(_) => return Err(START_OF_LIST.to_owned()),
                    _ => return Err("Expected map or null".to_owned()),
                };
                self.length(entries.len(), *length, value, hide_value);
                if entries
                    .keys()
                    .any(|k| !violations(m, *key, &Scalar::Str(k)).is_empty())
                {
                    let constraint = bracketed(m, "Map keys must satisfy constraint", *key);
                    self.report(Shown::Json(value), hide_value, &constraint);
                }
                if is_scalar(m, *target) {
                    let mut failed = false;
                    for item in entries.values().filter(|item| !item.is_null()) {
                        failed |= !violations(m, *target, &scalar(m, *target, item)?).is_empty();
                    }
                    if failed {
                        let constraint = bracketed(m, "Map value must satisfy constraint", *target);
                        self.report(Shown::Json(value), hide_value, &constraint);
                    }
                } else {
                    for (name, item) in entries {
                        self.path.push(name.clone());
                        self.path.push("member".to_owned());
                        self.value(*target, item, depth + 1, in_sensitive)?;
                        self.path.truncate(self.path.len() - 2);
                    }
                }
            }
            _ => {
                let scalar = scalar(m, id, value)?;
                for constraint in violations(m, id, &scalar) {
                    self.report(Shown::Scalar(&scalar), hide_value, &constraint);
                }
            }
        }
        Ok(())
    }

    /// Item-count bounds of a list or map.
    fn length(&mut self, len: usize, bounds: Bounds, value: &Value, hide_value: bool) {
        if let Some(constraint) = length_violation(len as u64, bounds) {
            self.report(Shown::Json(value), hide_value, &constraint);
        }
    }

    /// Records one violation at the current path. Sensitive values are left out altogether, as
    /// AWS does (`Value at 'password' failed …`); an absent one prints as `null`.
    fn report(&mut self, value: Shown<'_>, hide_value: bool, constraint: &str) {
        if self.violations.len() >= MAX_REPORTED {
            return;
        }
        let value = match value {
            Shown::Null => "Value null".to_owned(),
            _ if hide_value => "Value".to_owned(),
            Shown::Json(json) => format!("Value '{}'", render(json, 0)),
            Shown::Scalar(scalar) => format!("Value '{}'", scalar_text(scalar)),
        };
        self.violations.push(format!(
            "{value} at '{}' failed to satisfy constraint: {constraint}",
            self.path.join(".")
        ));
    }
}

/// What a violation prints as the offending value.
enum Shown<'a> {
    Null,
    Json(&'a Value),
    /// Scalars print as Coral converted them (`61.9` for an integer prints `61`).
    Scalar(&'a Scalar<'a>),
}

const START_OF_LIST: &str = "Start of list found where not expected";
const START_OF_OBJECT: &str = "Start of structure or map found where not expected.";
const BIG_NUMBER: &str = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";

fn is_scalar(m: &Model, id: ShapeId) -> bool {
    !matches!(
        m.shape(id).kind,
        ShapeKind::Structure { .. }
            | ShapeKind::List { .. }
            | ShapeKind::Map { .. }
            | ShapeKind::Document
    )
}

/// Converts a JSON value to a scalar shape the way Coral does, or words its refusal.
fn scalar<'v>(m: &Model, id: ShapeId, value: &'v Value) -> Result<Scalar<'v>, String> {
    // `target` completes Coral's "can not be converted to …", grammar included.
    let refuse = |target: &str| match value {
        Value::Bool(_) => format!("class java.lang.Boolean can not be converted to {target}"),
        Value::Number(_) => format!("{BIG_NUMBER} can not be converted to {target}"),
        Value::String(_) => format!("class java.lang.String can not be converted to {target}"),
        Value::Array(_) => START_OF_LIST.to_owned(),
        Value::Object(_) | Value::Null => START_OF_OBJECT.to_owned(),
    };
    match (&m.shape(id).kind, value) {
        (ShapeKind::String { .. }, Value::String(s)) => Ok(Scalar::Str(s)),
        (ShapeKind::String { .. }, _) => Err(refuse("an String")),
        // Coral truncates fractions and saturates at the type's range.
        (ShapeKind::Integer { .. }, Value::Number(n)) => Ok(Scalar::Int(
            integral(n).clamp(i64::from(i32::MIN), i64::from(i32::MAX)),
        )),
        (ShapeKind::Integer { .. }, _) => Err(refuse("an Integer")),
        (ShapeKind::Long { .. }, Value::Number(n)) => Ok(Scalar::Int(integral(n))),
        (ShapeKind::Long { .. }, _) => Err(refuse("an Long")),
        (ShapeKind::Double { .. }, Value::Number(n)) => {
            Ok(Scalar::Double(n.as_f64().unwrap_or(f64::NAN)))
        }
        (ShapeKind::Double { .. }, _) => Err(refuse("an Double")),
        (ShapeKind::Boolean, Value::Bool(_)) => Ok(Scalar::Unconstrained),
        // Coral itself also accepts a few spellings such as "true"; request structs would not,
        // so every string is refused here, in Coral's words.
        (ShapeKind::Boolean, Value::String(s)) => Err(format!(
            "'{}' can not be converted to an Boolean",
            s.to_uppercase()
        )),
        (ShapeKind::Boolean, _) => Err(refuse("an Boolean")),
        (ShapeKind::Timestamp, Value::Number(_)) => Ok(Scalar::Unconstrained),
        (ShapeKind::Timestamp, _) => Err(refuse("milliseconds since epoch")),
        (ShapeKind::Blob { .. }, Value::String(s)) => {
            base64_decoded_len(s).map(|decoded_len| Scalar::Blob { decoded_len })
        }
        (ShapeKind::Blob { .. }, _) => Err(refuse("a Blob")),
        (
            ShapeKind::Structure { .. }
            | ShapeKind::List { .. }
            | ShapeKind::Map { .. }
            | ShapeKind::Document,
            _,
        ) => Err(START_OF_OBJECT.to_owned()),
    }
}

fn integral(n: &serde_json::Number) -> i64 {
    n.as_i64()
        .or_else(|| n.as_u64().map(|_| i64::MAX))
        // `as` truncates toward zero and saturates, which is the conversion wanted.
        .unwrap_or_else(|| n.as_f64().map_or(0, |f| f as i64))
}

/// Decoded size of a base64 blob, or Coral's refusal (wording from dynalite).
fn base64_decoded_len(s: &str) -> Result<u64, String> {
    let refuse = |why: String| format!("'{s}' can not be converted to a Blob: {why}");
    if !s.len().is_multiple_of(4) {
        return Err(refuse(format!(
            "Base64 encoded length is expected a multiple of 4 bytes but found: {}",
            s.len()
        )));
    }
    let padding = s.bytes().rev().take_while(|&b| b == b'=').count();
    // `=` is one byte, so this slice ends on a character boundary.
    let data = &s[..s.len() - padding];
    if let Some(bad) = data
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '+' || c == '/'))
    {
        return Err(refuse(format!("Invalid Base64 character: '{bad}'")));
    }
    if padding > 2 {
        return Err(refuse("Invalid Base64 character: '='".to_owned()));
    }
    // The bits left over by the last character must be zero.
    let unused_bits_mask = match padding {
        1 => 0b11,
        2 => 0b1111,
        _ => 0,
    };
    if let Some(last) = data.bytes().last()
        && base64_value(last) & unused_bits_mask != 0
    {
        return Err(refuse(
            "Invalid last non-pad Base64 character dectected".to_owned(),
        ));
    }
    Ok((s.len() / 4 * 3 - padding) as u64)
}

fn base64_value(b: u8) -> u8 {
    match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        _ => 63,
    }
}

/// The constraints `value` breaks, in the order Cognito reports them (length before pattern).
fn violations(m: &Model, id: ShapeId, value: &Scalar<'_>) -> Vec<String> {
    let mut found = Vec::new();
    match (&m.shape(id).kind, value) {
        (
            ShapeKind::String {
                length,
                pattern,
                enum_values,
            },
            Scalar::Str(s),
        ) => {
            found.extend(length_violation(s.chars().count() as u64, *length));
            if let Some(pattern) = pattern
                && m.compiled(id, pattern)
                    .is_some_and(|regex| !regex.is_match(s))
            {
                found.push(format!(
                    "Member must satisfy regular expression pattern: {}",
                    pattern.model
                ));
            }
            if !enum_values.is_empty() && !enum_values.contains(s) {
                found.push(enum_constraint(enum_values));
            }
        }
        (ShapeKind::Integer { min, max } | ShapeKind::Long { min, max }, Scalar::Int(n)) => {
            if let Some(min) = min.filter(|min| n < min) {
                found.push(format!(
                    "Member must have value greater than or equal to {min}"
                ));
            }
            if let Some(max) = max.filter(|max| n > max) {
                found.push(format!(
                    "Member must have value less than or equal to {max}"
                ));
            }
        }
        (ShapeKind::Double { min, max }, Scalar::Double(n)) => {
            if let Some(min) = min.filter(|min| n < min) {
                found.push(format!(
                    "Member must have value greater than or equal to {}",
                    java_double(min)
                ));
            }
            if let Some(max) = max.filter(|max| n > max) {
                found.push(format!(
                    "Member must have value less than or equal to {}",
                    java_double(max)
                ));
            }
        }
        (ShapeKind::Blob { length }, Scalar::Blob { decoded_len }) => {
            found.extend(length_violation(*decoded_len, *length));
        }
        _ => {}
    }
    found
}

fn length_violation(len: u64, bounds: Bounds) -> Option<String> {
    if let Some(min) = bounds.min.filter(|&min| len < min) {
        return Some(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    bounds
        .max
        .filter(|&max| len > max)
        .map(|max| format!("Member must have length less than or equal to {max}"))
}

fn enum_constraint(values: &[&str]) -> String {
    format!(
        "Member must satisfy enum value set: [{}]",
        values.join(", ")
    )
}

/// `prefix: [every constraint of the shape]`, Coral's form for list members, map keys and map
/// values. It lists all of the shape's constraints, maximum before minimum, as in
/// `Map value must satisfy constraint: [Member must have length less than or equal to 128,
/// Member must have length greater than or equal to 1, Member must satisfy regular expression
/// pattern: …]` (aws/aws-cdk#31795).
fn bracketed(m: &Model, prefix: &str, id: ShapeId) -> String {
    let mut all = Vec::new();
    let lengths = |all: &mut Vec<String>, bounds: Bounds| {
        all.extend(
            bounds
                .max
                .map(|max| format!("Member must have length less than or equal to {max}")),
        );
        all.extend(
            bounds
                .min
                .map(|min| format!("Member must have length greater than or equal to {min}")),
        );
    };
    match &m.shape(id).kind {
        ShapeKind::String {
            length,
            pattern,
            enum_values,
        } => {
            lengths(&mut all, *length);
            all.extend(pattern.as_ref().map(|p| {
                format!(
                    "Member must satisfy regular expression pattern: {}",
                    p.model
                )
            }));
            if !enum_values.is_empty() {
                all.push(enum_constraint(enum_values));
            }
        }
        ShapeKind::Integer { min, max } | ShapeKind::Long { min, max } => {
            all.extend(
                max.map(|max| format!("Member must have value less than or equal to {max}")),
            );
            all.extend(
                min.map(|min| format!("Member must have value greater than or equal to {min}")),
            );
        }
        ShapeKind::Double { min, max } => {
            all.extend(max.map(|max| {
                format!(
                    "Member must have value less than or equal to {}",
                    java_double(max)
                )
            }));
            all.extend(min.map(|min| {
                format!(
                    "Member must have value greater than or equal to {}",
                    java_double(min)
                )
            }));
        }
        ShapeKind::Blob { length } => lengths(&mut all, *length),
        _ => {}
    }
    format!("{prefix}: [{}]", all.join(", "))
}

fn scalar_text(scalar: &Scalar<'_>) -> String {
    match scalar {
        Scalar::Str(s) => (*s).to_owned(),
        Scalar::Int(n) => n.to_string(),
        Scalar::Double(f) => java_double(*f),
        Scalar::Unconstrained => String::new(),
        // Coral prints the blob's ByteBuffer.
        Scalar::Blob { decoded_len } => {
            format!("java.nio.HeapByteBuffer[pos=0 lim={decoded_len} cap={decoded_len}]")
        }
    }
}

/// Java's `Double.toString` for the plain values models use (`1.0`, not `1`).
fn java_double(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e7 {
        format!("{f:.1}")
    } else {
        f.to_string()
    }
}

/// A value as Coral prints it: Java's `toString` of the deserialized value (strings bare,
/// lists `[a, b]`, maps `{k=v}`), e.g. `Value '[ADMIN_USER_PASSWORD_AUTH]' at 'explicitAuthFlows'`.
fn render(value: &Value, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return "…".to_owned();
    }
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|item| render(item, depth + 1)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}={}", render(v, depth + 1)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => java_double(f),
            _ => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
    }
}

/// Coral's member path segment: the member name with its first letter lowered
/// (`UserPoolId` → `userPoolId`).
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
