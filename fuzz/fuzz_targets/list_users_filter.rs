//! ListUsers' `Filter`: `attribute = "value"` or `attribute ^= "value"`.
//! Never panics; a filter that parses says the same once written back in its
//! canonical form (quotes and backslashes escaped).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::domain::filter::{Match, parse};

fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(Some(filter)) = parse(input) else {
        return;
    };
    let operator = match filter.matching {
        Match::Exact => "=",
        Match::Prefix => "^=",
    };
    let again = format!("{} {operator} {}", filter.attribute, quoted(&filter.value));
    let reparsed = parse(&again)
        .unwrap_or_else(|e| panic!("{again:?} (from {input:?}) no longer parses: {e}"))
        .unwrap_or_else(|| panic!("{again:?} (from {input:?}) parses as no filter"));
    assert_eq!(reparsed, filter, "{again:?} from {input:?}");
});
