//! The CSS the classic hosted UI takes: rules on its `-customizable` classes
//! only, with no at-rules and no script. A sheet that breaks a rule is
//! refused whole, as Cognito refuses it.

/// The selectors the developer guide lists ("Customizing hosted UI (classic)
/// branding"), with the two states it allows.
pub const CUSTOMIZABLE_SELECTORS: [&str; 18] = [
    ".background-customizable",
    ".banner-customizable",
    ".errorMessage-customizable",
    ".idpButton-customizable",
    ".idpButton-customizable:hover",
    ".idpDescription-customizable",
    ".inputField-customizable",
    ".inputField-customizable:focus",
    ".label-customizable",
    ".legalText-customizable",
    ".logo-customizable",
    ".passwordCheck-valid-customizable",
    ".passwordCheck-notValid-customizable",
    ".redirect-customizable",
    ".socialButton-customizable",
    ".submitButton-customizable",
    ".submitButton-customizable:hover",
    ".textDescription-customizable",
];

/// What the guide forbids in property values besides the selectors.
const FORBIDDEN: [&str; 7] = [
    "@import",
    "@supports",
    "@page",
    "@media",
    "javascript:",
    "expression(",
    "<script",
];

fn without_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = match rest[start + 2..].find("*/") {
            Some(end) => &rest[start + 2 + end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Why the sheet is refused, in words for the caller; Ok for a sheet the
/// classic hosted UI can use.
pub fn check(css: &str) -> Result<(), String> {
    let css = without_comments(css);
    let lower = css.to_ascii_lowercase();
    if let Some(word) = FORBIDDEN.iter().find(|w| lower.contains(*w)) {
        return Err(format!("The CSS may not contain {word}."));
    }
    let mut rest = css.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err("The CSS has a rule without its closing brace.".into());
        };
        for selector in rest[..open].split(',').map(str::trim) {
            if !CUSTOMIZABLE_SELECTORS.contains(&selector) {
                return Err(format!(
                    "The CSS selector {selector:?} is not one of the hosted UI's customizable classes."
                ));
            }
        }
        let body = &rest[open + 1..open + close];
        if body.contains('{') {
            return Err("The CSS has a rule inside a rule.".into());
        }
        rest = &rest[open + close + 1..];
    }
    if !rest.trim().is_empty() {
        return Err("The CSS has text outside its rules.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cognitos_template_classes_pass() {
        let css = "/* ours */\n.logo-customizable { max-width: 60%; }\n\
                   .submitButton-customizable:hover, .banner-customizable { color: #fff; }\n";
        assert_eq!(check(css), Ok(()));
        assert_eq!(check(""), Ok(()));
    }

    #[test]
    fn other_selectors_at_rules_and_script_are_refused() {
        for bad in [
            "body { color: red; }",
            ".label-customizable p { color: red; }",
            ".logo-customizable:active { color: red; }",
            "@media print { .logo-customizable { color: red; } }",
            "@import url(x.css);",
            ".logo-customizable { background: url(javascript:alert(1)); }",
            ".logo-customizable { color: red; ",
            ".logo-customizable { color: red; } stray",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
