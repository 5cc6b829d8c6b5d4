//! The configuration file reference (docs/configuration.md), rendered from
//! the JSON Schema of [`FileConfig`](super::FileConfig): each key's name and
//! type come from the types, its description from the field's doc comment
//! and its default from `#[schemars(extend("default" = ...))]` (or a serde
//! default), so the reference cannot drift from what the server reads.
//!
//! A new section is covered by deriving `JsonSchema` next to `Deserialize`
//! on its types and writing a doc comment on every field.

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// Where the generated reference is kept in the repository.
pub const DOCS_PATH: &str = "docs/configuration.md";

const PREAMBLE: &str = "\
# Configuration reference

<!-- Generated from the configuration types by `tessera config-reference`; do not edit.
     Regenerate: cargo run -q -p tessera -- config-reference > docs/configuration.md -->

`tessera serve --config FILE` (or `TESSERA_CONFIG=FILE`) reads a TOML file.
Every top-level key is optional; built-in defaults suit local development. `TESSERA_*`
variables and command-line flags override the file (see the README's
configuration section and `tessera serve --help`). A key not listed here is an
error that names it.
";

/// The reference, as Markdown.
pub fn markdown() -> String {
    let schema = schemars::schema_for!(super::FileConfig);
    let root = schema.as_value();
    let defs = root
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut out = String::from(PREAMBLE);
    let mut pending = vec![Section {
        heading: "Top-level keys".to_owned(),
        path: String::new(),
        schema: root.clone(),
    }];
    while !pending.is_empty() {
        let section = pending.remove(0);
        let nested = render_section(&mut out, &section, &defs);
        // Depth-first: a section's subsections follow it, in key order.
        pending.splice(0..0, nested);
    }
    out
}

struct Section {
    heading: String,
    /// The dotted path of the table (`smtp`, `pools.clients`); empty at the top.
    path: String,
    schema: Value,
}

/// What one key holds, as the reference shows it.
struct Shape {
    type_name: String,
    /// A table or array of tables with keys of its own, documented in a
    /// section after this one.
    nested: Option<(String, Value)>,
}

fn render_section(out: &mut String, section: &Section, defs: &Map<String, Value>) -> Vec<Section> {
    let _ = write!(out, "\n## {}\n\n", section.heading);
    if !section.path.is_empty()
        && let Some(text) = description(&section.schema)
    {
        let _ = write!(out, "{text}\n\n");
    }
    let Some(properties) = section.schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    out.push_str("| Key | Type | Default | Description |\n| --- | --- | --- | --- |\n");
    let required: Vec<&str> = section
        .schema
        .get("required")
        .and_then(Value::as_array)
        .map(|keys| keys.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut nested = Vec::new();
    for (key, property) in properties {
        let path = if section.path.is_empty() {
            key.clone()
        } else {
            format!("{}.{key}", section.path)
        };
        let shape = shape(property, defs, &path);
        let target = resolve(property, defs);
        let text = description(property)
            .or_else(|| target.as_ref().and_then(description))
            .unwrap_or_default();
        let default = match property.get("default") {
            Some(value) => format!("`{}`", toml_literal(value)),
            None if required.contains(&key.as_str()) => "required".to_owned(),
            None => "—".to_owned(),
        };
        let _ = writeln!(
            out,
            "| `{key}` | {} | {default} | {} |",
            cell(&shape.type_name),
            cell(&text)
        );
        if let Some((heading, schema)) = shape.nested {
            nested.push(Section {
                heading,
                path,
                schema,
            });
        }
    }
    nested
}

/// The schema a property stands for, past `$ref`s and the `null` of an
/// `Option`.
fn resolve(schema: &Value, defs: &Map<String, Value>) -> Option<Value> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return defs.get(name).and_then(|d| resolve(d, defs));
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        let mut not_null = options
            .iter()
            .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"));
        if let (Some(only), None) = (not_null.next(), not_null.next()) {
            return resolve(only, defs);
        }
    }
    Some(schema.clone())
}

fn has_keys(schema: &Value) -> bool {
    schema.get("properties").is_some()
}

fn shape(property: &Value, defs: &Map<String, Value>, path: &str) -> Shape {
    let plain = |type_name: String| Shape {
        type_name,
        nested: None,
    };
    let Some(schema) = resolve(property, defs) else {
        return plain("any".to_owned());
    };
    if has_keys(&schema) {
        return Shape {
            type_name: format!("table, see [{path}]"),
            nested: Some((format!("`[{path}]`"), schema)),
        };
    }
    if type_of(&schema) == Some("array")
        && let Some(items) = schema.get("items").and_then(|i| resolve(i, defs))
        && has_keys(&items)
    {
        return Shape {
            type_name: format!("array of tables, see [[{path}]]"),
            nested: Some((format!("`[[{path}]]`"), items)),
        };
    }
    plain(type_name(&schema, defs))
}

/// The JSON type of a schema, leaving out the `null` of an `Option`.
fn type_of(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    }
}

fn type_name(schema: &Value, defs: &Map<String, Value>) -> String {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values.iter().map(toml_literal).collect();
        return format!("one of {}", values.join(", "));
    }
    if let Some(values) = schema.get("oneOf").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .filter_map(|v| v.get("const"))
            .map(toml_literal)
            .collect();
        return format!("one of {}", values.join(", "));
    }
    let secret = schema.get("writeOnly") == Some(&Value::Bool(true));
    match type_of(schema) {
        Some("string") if secret => "string (secret)".to_owned(),
        Some("string") => "string".to_owned(),
        Some("boolean") => "boolean".to_owned(),
        Some("integer") => "integer".to_owned(),
        Some("number") => "number".to_owned(),
        Some("array") => match schema.get("items").and_then(|i| resolve(i, defs)) {
            Some(items) => format!("array of {}", type_name(&items, defs)),
            None => "array".to_owned(),
        },
        Some("object") => match schema.get("additionalProperties") {
            Some(Value::Bool(true)) | None => "table".to_owned(),
            Some(values) => match resolve(values, defs) {
                Some(values) => format!("table of {}", type_name(&values, defs)),
                None => "table".to_owned(),
            },
        },
        _ => "any".to_owned(),
    }
}

/// A doc comment: schemars splits off a first paragraph as the title.
fn description(schema: &Value) -> Option<String> {
    let parts: Vec<&str> = ["title", "description"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_str))
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// A value as it would be written in the TOML file.
fn toml_literal(value: &Value) -> String {
    match value {
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(toml_literal).collect();
            format!("[{}]", items.join(", "))
        }
        // JSON's strings, numbers and booleans are written as TOML's.
        other => other.to_string(),
    }
}

/// Text fit for one Markdown table cell.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// The committed reference is the generated one. `UPDATE_CONFIG_REFERENCE=1`
    /// rewrites it.
    #[test]
    fn config_reference_matches_the_committed_docs() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(DOCS_PATH);
        let generated = markdown();
        if std::env::var_os("UPDATE_CONFIG_REFERENCE").is_some() {
            std::fs::write(&path, &generated).expect("writing the reference");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{DOCS_PATH} differs from the configuration types; regenerate it with \
             `UPDATE_CONFIG_REFERENCE=1 cargo test -p tessera config_reference` \
             (or `cargo run -q -p tessera -- config-reference > {DOCS_PATH}`)"
        );
    }

    #[test]
    fn every_key_is_documented() {
        let text = markdown();
        let undocumented: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("| `") && l.ends_with("|  |"))
            .collect();
        assert!(
            undocumented.is_empty(),
            "keys without a doc comment:\n{}",
            undocumented.join("\n")
        );
    }

    #[test]
    fn keys_types_defaults_and_sections_are_rendered() {
        let text = markdown();
        for expected in [
            "| `listen` | string | `\"127.0.0.1:9229\"` |",
            "| `smtp` | table, see [smtp] |",
            "## `[smtp]`",
            "| `security` | one of \"none\", \"starttls\", \"tls\" | `\"starttls\"` |",
            "## `[[pools.clients]]`",
            "| `name` | string | required |",
            "| `key_encryption_key` | string (secret) |",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from\n{text}");
        }
    }
}
