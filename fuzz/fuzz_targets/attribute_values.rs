//! Attribute values against a pool's schema: a schema built from fuzzed
//! CreateUserPool `Schema` entries and AddCustomAttributes entries, then
//! attribute values checked against it as SignUp, AdminCreateUser and the
//! update and delete operations check them.
//!
//! Input: line 1 the `Schema` member's JSON (an array of SchemaAttributeType;
//! empty for the standard schema alone), line 2 AddCustomAttributes'
//! `CustomAttributes` (the same; may be empty), then one `name=value` per line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::Error;
use tessera_core::domain::schema::{
    AttributeFaults, FaultWording, SchemaAttributeInput, add_custom, build_schema, canonical_value,
};
use tessera_fuzz::text::fields;

fn entries(json: &str) -> Option<Vec<SchemaAttributeInput>> {
    if json.trim().is_empty() {
        return Some(Vec::new());
    }
    serde_json::from_str(json).ok()
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let [schema, added, values] = fields(input, 3)[..] else {
        return;
    };
    let (Some(inputs), Some(added)) = (entries(schema), entries(added)) else {
        return;
    };
    let Ok(mut schema) = build_schema(&inputs) else {
        return;
    };
    for custom in &added {
        let _ = add_custom(&mut schema, custom);
    }
    let pairs: Vec<(&str, &str)> = values
        .split('\n')
        .filter_map(|line| line.split_once('='))
        .collect();
    for wording in [
        FaultWording::Creation,
        FaultWording::Update,
        FaultWording::Deletion,
    ] {
        let mut faults = AttributeFaults::new();
        for (name, value) in &pairs {
            faults.check_value(&schema, name, value);
            faults.check_mutable(&schema, name);
        }
        faults.check_required(&schema, |name| pairs.iter().any(|(n, _)| *n == name));
        match faults.into_result(wording) {
            Ok(()) | Err(Error::InvalidParameter(_)) => {}
            Err(other) => panic!("attribute faults gave {other:?}"),
        }
    }
    for (name, value) in &pairs {
        let stored = canonical_value(&schema, name, value);
        let boolean = schema
            .iter()
            .any(|a| a.name == *name && a.attribute_data_type == "Boolean");
        if boolean && value.eq_ignore_ascii_case("true") {
            assert_eq!(stored, "true");
        }
    }
});
