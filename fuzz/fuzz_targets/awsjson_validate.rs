//! The awsJson body against the user-pool model: the operation named by
//! `X-Amz-Target`'s suffix, its body parsed as JSON and checked against the
//! operation's input shape, worded as Coral words it.
//!
//! Input: line 1 the operation name (a name no operation has picks one by its
//! bytes, so every input shape is reached), the rest the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tessera_fuzz::text::fields;
use tessera_http::awsjson::validate::{InputError, validate_input};
use tessera_http::user_pools::{MODEL, Operation};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let [name, body] = fields(input, 2)[..] else {
        return;
    };
    let op = Operation::from_name(name).unwrap_or_else(|| {
        let pick = name
            .bytes()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
        Operation::ALL[pick % Operation::ALL.len()]
    });
    assert_eq!(Operation::from_name(op.name()), Some(op));
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return;
    };
    match validate_input(&MODEL, op.input_shape(), &value) {
        Ok(()) | Err(InputError::Serialization(_)) => {}
        Err(InputError::Constraint(message)) => {
            let count = message
                .split_once(' ')
                .and_then(|(n, _)| n.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("no count in {message:?}"));
            let expected = if count == 1 {
                "1 validation error detected: ".to_owned()
            } else {
                format!("{count} validation errors detected: ")
            };
            assert!(count >= 1, "{message:?}");
            assert!(message.starts_with(&expected), "{message:?}");
        }
    }
});
