//! The input fields of the pages' forms, each with its label, the
//! autocomplete token password managers and phones read, and the error bound
//! to it.

use tessera_core::domain::password_policy::PasswordPolicy;
use tessera_core::domain::pool::UserPool;

/// One labelled input.
#[derive(Debug, Clone)]
pub struct Field {
    /// The form field's name, as the handler reads it.
    pub name: String,
    pub label: String,
    /// The input's `type`.
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub inputmode: Option<&'static str>,
    /// Shown again after a refused submission (never for a password).
    pub value: String,
    pub required: bool,
    /// Guidance under the input (a password policy, a format).
    pub hint: Option<String>,
    /// What was wrong with the value sent.
    pub error: Option<String>,
    /// Whether the page opens with the cursor here.
    pub autofocus: bool,
}

impl Field {
    fn new(name: &str, label: &str, kind: &'static str, autocomplete: &'static str) -> Field {
        Field {
            name: name.to_owned(),
            label: label.to_owned(),
            kind,
            autocomplete,
            inputmode: None,
            value: String::new(),
            required: true,
            hint: None,
            error: None,
            autofocus: false,
        }
    }

    /// The element id: the name with only characters safe in a fragment.
    pub fn id(&self) -> String {
        let safe: String = self
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("field-{safe}")
    }

    pub fn hint_id(&self) -> String {
        format!("{}-hint", self.id())
    }

    pub fn error_id(&self) -> String {
        format!("{}-error", self.id())
    }

    /// The ids `aria-describedby` names: the error first, then the hint.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.error.is_some() {
            ids.push(self.error_id());
        }
        if self.hint.is_some() {
            ids.push(self.hint_id());
        }
        ids.join(" ")
    }

    /// Whether the value is typed exactly as meant (names, codes,
    /// addresses): no capitals or spelling corrections added.
    pub fn verbatim(&self) -> bool {
        matches!(
            self.autocomplete,
            "username"
                | "email"
                | "one-time-code"
                | "current-password"
                | "new-password"
                | "url"
                | "tel"
        )
    }

    pub fn with_value(mut self, value: &str) -> Field {
        self.value = value.to_owned();
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Field {
        self.hint = Some(hint.into());
        self
    }

    pub fn optional(mut self) -> Field {
        self.required = false;
        self
    }

    /// The username a pool signs in with: an email address or phone number
    /// when those are its usernames.
    pub fn username(pool: &UserPool) -> Field {
        let attributes = pool.username_attributes();
        let email = attributes.iter().any(|a| a == "email");
        let phone = attributes.iter().any(|a| a == "phone_number");
        match (email, phone) {
            (true, false) => Field::new("username", "Email address", "email", "username"),
            (false, true) => Field::new("username", "Phone number", "tel", "username"),
            (true, true) => Field::new(
                "username",
                "Email address or phone number",
                "text",
                "username",
            ),
            (false, false) => Field::new("username", "Username", "text", "username"),
        }
    }

    /// Free text, like a name the user gives a device.
    pub fn text(name: &str, label: &str) -> Field {
        Field::new(name, label, "text", "off")
    }

    pub fn current_password() -> Field {
        Field::new("password", "Password", "password", "current-password")
    }

    /// A password being chosen, with the pool's policy under it.
    pub fn new_password(name: &str, label: &str, pool: &UserPool) -> Field {
        Field::new(name, label, "password", "new-password")
            .with_hint(policy_text(&pool.password_policy()))
    }

    /// A one-time code (sent, or from an authenticator app).
    pub fn code(name: &str, label: &str) -> Field {
        let mut field = Field::new(name, label, "text", "one-time-code");
        field.inputmode = Some("numeric");
        field
    }

    /// An attribute the user gives at sign-up or when choosing a new password.
    pub fn attribute(name: &str, form_name: &str) -> Field {
        let (label, kind, autocomplete, hint) = match name {
            "email" => ("Email address", "email", "email", None),
            "phone_number" => (
                "Phone number",
                "tel",
                "tel",
                Some("With the country code, like +14155550123."),
            ),
            "name" => ("Full name", "text", "name", None),
            "given_name" => ("First name", "text", "given-name", None),
            "family_name" => ("Last name", "text", "family-name", None),
            "middle_name" => ("Middle name", "text", "additional-name", None),
            "nickname" => ("Nickname", "text", "nickname", None),
            "preferred_username" => ("Preferred username", "text", "username", None),
            "birthdate" => ("Date of birth", "date", "bday", None),
            "address" => ("Address", "text", "street-address", None),
            "gender" => ("Gender", "text", "sex", None),
            "locale" => ("Locale", "text", "language", None),
            "zoneinfo" => ("Time zone", "text", "off", None),
            "website" => ("Website", "url", "url", None),
            "profile" => ("Profile page", "url", "url", None),
            "picture" => ("Picture URL", "url", "photo", None),
            _ => ("", "text", "off", None),
        };
        let label = if label.is_empty() {
            humanize(name.strip_prefix("custom:").unwrap_or(name))
        } else {
            label.to_owned()
        };
        let mut field = Field::new(form_name, &label, kind, autocomplete);
        if kind == "tel" {
            field.inputmode = Some("tel");
        }
        if let Some(hint) = hint {
            field.hint = Some(hint.to_owned());
        }
        field
    }
}

/// `favorite_color` → `Favorite color`.
fn humanize(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A password policy in words: "At least 8 characters, with an uppercase
/// letter, a lowercase letter, a number and a symbol."
pub fn policy_text(policy: &PasswordPolicy) -> String {
    let mut parts = Vec::new();
    if policy.require_uppercase {
        parts.push("an uppercase letter");
    }
    if policy.require_lowercase {
        parts.push("a lowercase letter");
    }
    if policy.require_numbers {
        parts.push("a number");
    }
    if policy.require_symbols {
        parts.push("a symbol");
    }
    let length = format!("At least {} characters", policy.minimum_length);
    match parts.split_last() {
        None => format!("{length}."),
        Some((last, [])) => format!("{length}, with {last}."),
        Some((last, rest)) => format!("{length}, with {} and {last}.", rest.join(", ")),
    }
}

/// Marks the first field with an error (else the first field) as where the
/// page opens, and binds `error` to the field `name` when given.
pub fn settle(fields: &mut [Field], error: Option<(&str, String)>) {
    if let Some((name, message)) = error
        && let Some(field) = fields.iter_mut().find(|f| f.name == name)
    {
        field.error = Some(message);
    }
    for field in fields.iter_mut() {
        field.autofocus = false;
    }
    let focus = fields
        .iter()
        .position(|f| f.error.is_some())
        .or_else(|| fields.iter().position(|f| f.value.is_empty()))
        .unwrap_or(0);
    if let Some(field) = fields.get_mut(focus) {
        field.autofocus = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_read_as_sentences() {
        assert_eq!(
            policy_text(&PasswordPolicy::default()),
            "At least 8 characters, with an uppercase letter, a lowercase letter, a number and a symbol."
        );
        let only_length = PasswordPolicy {
            minimum_length: 12,
            require_uppercase: false,
            require_lowercase: false,
            require_numbers: false,
            require_symbols: false,
            temporary_password_validity_days: 7,
        };
        assert_eq!(policy_text(&only_length), "At least 12 characters.");
        let numbers = PasswordPolicy {
            require_numbers: true,
            ..only_length
        };
        assert_eq!(
            policy_text(&numbers),
            "At least 12 characters, with a number."
        );
    }

    #[test]
    fn errors_are_bound_and_focused() {
        let mut fields = vec![
            Field::attribute("email", "email").with_value("a@b.c"),
            Field::attribute("custom:favorite_color", "custom:favorite_color"),
        ];
        settle(
            &mut fields,
            Some(("custom:favorite_color", "Required.".into())),
        );
        assert_eq!(fields[1].label, "Favorite color");
        assert_eq!(fields[1].id(), "field-custom-favorite-color");
        assert_eq!(
            fields[1].described_by(),
            "field-custom-favorite-color-error"
        );
        assert!(fields[1].autofocus && !fields[0].autofocus);
    }
}
