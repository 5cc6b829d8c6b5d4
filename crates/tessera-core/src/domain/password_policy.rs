//! Password policy: Cognito's defaults and its checks, with its wording.

use serde_json::{Value, json};

/// How long a temporary password works when the policy does not say.
pub const DEFAULT_TEMPORARY_PASSWORD_DAYS: i64 = 7;

/// Symbols Cognito counts as special characters.
pub const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub minimum_length: usize,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub temporary_password_validity_days: i64,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: DEFAULT_TEMPORARY_PASSWORD_DAYS,
        }
    }
}

impl PasswordPolicy {
    /// A policy the caller sent: members it left out are off (length 8, 7 days).
    pub fn from_json(v: &Value) -> Self {
        let flag = |name: &str| v.get(name).and_then(Value::as_bool).unwrap_or(false);
        Self {
            minimum_length: v
                .get("MinimumLength")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(8),
            require_uppercase: flag("RequireUppercase"),
            require_lowercase: flag("RequireLowercase"),
            require_numbers: flag("RequireNumbers"),
            require_symbols: flag("RequireSymbols"),
            temporary_password_validity_days: v
                .get("TemporaryPasswordValidityDays")
                .and_then(Value::as_i64)
                .filter(|d| *d > 0)
                .unwrap_or(DEFAULT_TEMPORARY_PASSWORD_DAYS),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "MinimumLength": self.minimum_length,
            "RequireUppercase": self.require_uppercase,
            "RequireLowercase": self.require_lowercase,
            "RequireNumbers": self.require_numbers,
            "RequireSymbols": self.require_symbols,
            "TemporaryPasswordValidityDays": self.temporary_password_validity_days,
        })
    }

    /// The first rule the password breaks, worded as Cognito words it; each
    /// operation puts its own prefix before it.
    pub fn violation(&self, password: &str) -> Option<&'static str> {
        if password.chars().count() < self.minimum_length {
            return Some("Password not long enough");
        }
        if self.require_lowercase && !password.chars().any(|c| c.is_lowercase()) {
            return Some("Password must have lowercase characters");
        }
        if self.require_uppercase && !password.chars().any(|c| c.is_uppercase()) {
            return Some("Password must have uppercase characters");
        }
        if self.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            return Some("Password must have numeric characters");
        }
        if self.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c) || c == ' ') {
            return Some("Password must have symbol characters");
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_reports_the_first_broken_rule() {
        let p = PasswordPolicy::default();
        assert_eq!(p.violation("Ab1!"), Some("Password not long enough"));
        assert_eq!(
            p.violation("ABCDEFG1!"),
            Some("Password must have lowercase characters")
        );
        assert_eq!(
            p.violation("abcdefg1!"),
            Some("Password must have uppercase characters")
        );
        assert_eq!(
            p.violation("Abcdefgh!"),
            Some("Password must have numeric characters")
        );
        assert_eq!(
            p.violation("Abcdefgh1"),
            Some("Password must have symbol characters")
        );
        assert_eq!(p.violation("Abcdefg1!"), None);
    }

    #[test]
    fn omitted_members_of_a_sent_policy_are_off() {
        let p = PasswordPolicy::from_json(&json!({"MinimumLength": 6}));
        assert_eq!(p.violation("aaaaaa"), None);
        assert!(p.violation("aaaaa").is_some());
    }
}
