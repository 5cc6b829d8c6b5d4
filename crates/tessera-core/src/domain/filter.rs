//! The ListUsers filter grammar: `attribute = "value"` (exact) or
//! `attribute ^= "value"` (starts with), on the attributes Cognito allows.

use crate::domain::user::FILTERABLE;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    Exact,
    Prefix,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFilter {
    pub attribute: &'static str,
    pub matching: Match,
    pub value: String,
}

fn invalid() -> Error {
    Error::InvalidParameter("Error while parsing filter.".into())
}

/// Parses a filter; `Ok(None)` for the empty filter, which lists everyone.
pub fn parse(input: &str) -> Result<Option<UserFilter>> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let name_end = input
        .find(|c: char| c.is_whitespace() || c == '=' || c == '^')
        .ok_or_else(invalid)?;
    let name = &input[..name_end];
    let rest = input[name_end..].trim_start();
    let (matching, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (Match::Prefix, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (Match::Exact, r)
    } else {
        return Err(invalid());
    };
    let quoted = rest.trim();
    let inner = quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or_else(invalid)?;
    let value = unescape(inner)?;
    let attribute = FILTERABLE
        .iter()
        .copied()
        .find(|a| *a == name)
        .ok_or_else(|| Error::InvalidParameter(format!("Invalid search attribute: {name}")))?;
    Ok(Some(UserFilter {
        attribute,
        matching,
        value,
    }))
}

/// Backslash escapes a quote or a backslash; an unescaped quote inside is an error.
fn unescape(s: &str) -> Result<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next().ok_or_else(invalid)?),
            '"' => return Err(invalid()),
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_operators_with_or_without_spaces() {
        let f = parse(r#"email ^= "ali""#).expect("ok").expect("some");
        assert_eq!(f.attribute, "email");
        assert_eq!(f.matching, Match::Prefix);
        assert_eq!(f.value, "ali");
        let f = parse(r#"cognito:user_status="CONFIRMED""#)
            .expect("ok")
            .expect("some");
        assert_eq!(f.attribute, "cognito:user_status");
        assert_eq!(f.matching, Match::Exact);
    }

    #[test]
    fn empty_filter_lists_all_and_bad_filters_are_refused() {
        assert_eq!(parse("  ").expect("ok"), None);
        for bad in [
            "email",
            "email = alice",
            r#"custom:team = "x""#,
            r#"email != "x""#,
            r#"email = "a"b""#,
            r#"= "x""#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn escaped_quotes_are_kept() {
        let f = parse(r#"name = "a\"b""#).expect("ok").expect("some");
        assert_eq!(f.value, "a\"b");
    }

    #[test]
    fn odd_input_is_an_error_not_a_panic() {
        for s in ["^", "=", "\"", "a^", "a ^", "é=\"", "\u{0}=\"\\"] {
            assert!(parse(s).is_err(), "{s:?}");
        }
    }
}
