//! The CSS the classic hosted UI takes: rules on its `-customizable` classes
//! only, with no at-rules and no script. A sheet that breaks a rule is
//! refused whole, as Cognito refuses it.
//!
//! The sheet is read as a browser reads it (CSS Syntax Level 3): comments,
//! strings and unquoted `url(…)` are found first, so a `/*` inside a string
//! or a `}` inside a comment cannot hide a rule from the checks. Where a
//! browser would have to recover from an error (an unclosed string or
//! comment, an escape, a bracket that does not match) the sheet is refused
//! instead, so what is checked and what the browser applies are the same
//! rules. The sheet is stored as sent: the text checked is the text served.

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

/// CSS whitespace (after the preprocessing that turns CR and FF into LF).
fn is_css_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

fn is_css_newline(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\x0c')
}

/// One piece of the sheet, as the tokenizer finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    /// `/* … */`: nothing to a browser but a token boundary.
    Comment,
    /// A quoted string, quotes included.
    Quoted(&'a str),
    /// An unquoted `url(…)`, whole, and whether it holds only characters
    /// that read the same in either reading (see [`unquoted_url_is_plain`]).
    Url(&'a str, bool),
    /// Any other character.
    Char(char),
}

/// The characters an unquoted `url(…)` may hold: none that would open or
/// close anything if it were read as a parenthesized block instead, so the
/// two readings (browsers make it one token only after an identifier
/// exactly `url`) give the sheet the same shape.
fn unquoted_url_is_plain(contents: &str) -> bool {
    let bad = contents
        .chars()
        .any(|c| matches!(c, '{' | '}' | '[' | ']' | '(' | '"' | '\''));
    !bad && !contents.contains("/*")
}

/// Splits the sheet into comments, strings, unquoted URLs and characters,
/// refusing what a browser would only read by recovering from an error.
fn pieces(css: &str) -> Result<Vec<Piece<'_>>, String> {
    if css.contains('\\') {
        return Err("The CSS may not contain backslash escapes.".into());
    }
    if css.chars().any(|c| c.is_control() && !is_css_space(c)) {
        return Err("The CSS may not contain control characters.".into());
    }
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(c) = css[at..].chars().next() {
        let rest = &css[at..];
        if let Some(comment) = rest.strip_prefix("/*") {
            let Some(end) = comment.find("*/") else {
                return Err("The CSS has a comment without its closing */.".into());
            };
            out.push(Piece::Comment);
            at += 2 + end + 2;
            continue;
        }
        if c == '"' || c == '\'' {
            // No escapes: the string ends at its quote, and a newline first
            // would make it a bad string a browser recovers from.
            let end = rest[1..].find(|d: char| d == c || is_css_newline(d));
            let Some(end) = end.filter(|&end| rest[1 + end..].starts_with(c)) else {
                return Err("The CSS has a string without its closing quote.".into());
            };
            out.push(Piece::Quoted(&rest[..end + 2]));
            at += end + 2;
            continue;
        }
        if rest
            .get(..4)
            .is_some_and(|s| s.eq_ignore_ascii_case("url("))
        {
            let after = rest[4..].trim_start_matches(is_css_space);
            // `url("…")` is a function holding a string, read as any other.
            if !after.starts_with(['"', '\'']) {
                let Some(close) = rest.find(')') else {
                    return Err("The CSS has a url( without its closing ).".into());
                };
                let plain = unquoted_url_is_plain(&rest[4..close]);
                out.push(Piece::Url(&rest[..=close], plain));
                at += close + 1;
                continue;
            }
        }
        out.push(Piece::Char(c));
        at += c.len_utf8();
    }
    Ok(out)
}

fn check_selectors(prelude: &str) -> Result<(), String> {
    for selector in prelude.split(',').map(|s| s.trim_matches(is_css_space)) {
        if !CUSTOMIZABLE_SELECTORS.contains(&selector) {
            return Err(format!(
                "The CSS selector {selector:?} is not one of the hosted UI's customizable classes."
            ));
        }
    }
    Ok(())
}

/// Why the sheet is refused, in words for the caller; Ok for a sheet the
/// classic hosted UI can use. The sheet is to be kept exactly as checked.
pub fn check(css: &str) -> Result<(), String> {
    let pieces = pieces(css)?;

    // The forbidden words, wherever they are but in comments (strings
    // included: `url("javascript:…")`), and with the whitespace a URL
    // parser drops from inside an address taken out.
    let mut visible = String::with_capacity(css.len());
    for piece in &pieces {
        match piece {
            Piece::Comment => {}
            Piece::Quoted(text) | Piece::Url(text, _) => visible.push_str(text),
            Piece::Char(c) => visible.push(*c),
        }
    }
    let lower: String = visible
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        .collect::<String>()
        .to_lowercase();
    if let Some(word) = FORBIDDEN.iter().find(|w| lower.contains(*w)) {
        return Err(format!("The CSS may not contain {word}."));
    }

    if pieces.iter().any(|p| matches!(p, Piece::Url(_, false))) {
        return Err("The CSS has a url( value it cannot read: quote the address.".into());
    }

    // The rules: a prelude of allowed selectors, then a block of
    // declarations holding no block and no at-rule.
    let mut prelude = String::new();
    // The brackets open in the current rule's block; empty between rules.
    let mut open: Vec<char> = Vec::new();
    for piece in pieces {
        if open.is_empty() {
            match piece {
                Piece::Char('{') => {
                    check_selectors(&prelude)?;
                    prelude.clear();
                    open.push('}');
                }
                // A comment separates tokens, as whitespace would.
                Piece::Comment => prelude.push(' '),
                Piece::Quoted(text) | Piece::Url(text, _) => prelude.push_str(text),
                Piece::Char(c) => prelude.push(c),
            }
            continue;
        }
        match piece {
            Piece::Char('{') => return Err("The CSS has a rule inside a rule.".into()),
            Piece::Char('@') => return Err("The CSS may not contain at-rules.".into()),
            Piece::Char('(') => open.push(')'),
            Piece::Char('[') => open.push(']'),
            Piece::Char(c @ (')' | ']' | '}')) => {
                if open.pop() != Some(c) {
                    return Err("The CSS has brackets that do not match.".into());
                }
            }
            Piece::Char(_) | Piece::Comment | Piece::Quoted(_) | Piece::Url(..) => {}
        }
    }
    if !open.is_empty() {
        return Err("The CSS has a rule without its closing brace.".into());
    }
    if !prelude.trim_matches(is_css_space).is_empty() {
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
    fn strings_comments_and_urls_are_read_as_a_browser_reads_them() {
        for ok in [
            ".banner-customizable { font-family: \"Helvetica Neue\", 'Arial'; }",
            ".logo-customizable { content: \"/* } body { */\"; }",
            ".logo-customizable { background: url(https://cdn.example.com/a.png) no-repeat; }",
            ".logo-customizable { background: URL( \"https://cdn.example.com/a b.png\" ); }",
            ".logo-customizable/* a note */, /* another */ .label-customizable { color: rgb(0, 0, 0); }",
            ".logo-customizable { width: calc((100% - 2px) / 2); } /* { } */",
            ".label-customizable {\r\n  color: red;\r\n}\r\n",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rules_hidden_in_strings_comments_or_escapes_are_refused() {
        for (bad, says) in [
            // The review's bypass: the "comment" is two strings, and the
            // browser applies the body rule between them.
            (
                ".logo-customizable{content:\"/*\"} body{color:red} .logo-customizable{x:\"*/\"}",
                "\"body\"",
            ),
            (
                ".logo-customizable{content:'/*'} body{color:red} .logo-customizable{x:'*/'}",
                "\"body\"",
            ),
            (
                ".logo-customizable{content:\"/*\"} @import url(x.css); .logo-customizable{x:\"*/\"}",
                "@import",
            ),
            (
                ".logo-customizable{content:\"/*\"} @media print{body{color:red}} .logo-customizable{x:\"*/\"}",
                "@media",
            ),
            ("@\\69mport url(x.css);", "backslash"),
            (
                ".logo-customizable { background: url(java\\73 cript:x); }",
                "backslash",
            ),
            (".logo-\\63ustomizable { color: red; }", "backslash"),
            (".logo-customizable { content: \"a\nb\"; }", "closing quote"),
            (".logo-customizable { content: \"open; }", "closing quote"),
            (".logo-customizable { color: red; } /* open", "closing */"),
            (
                ".logo-customizable { background: url(x}body{color:red); }",
                "url(",
            ),
            (
                ".logo-customizable { background: url(a/*) } body { x:*/); }",
                "url(",
            ),
            (
                ".logo-customizable { a: (} body {color: red} .x{ ); }",
                "do not match",
            ),
            (
                ".logo-customizable { a: ({ color: red }); }",
                "rule inside a rule",
            ),
            (".logo-customizable { a: (]; }", "do not match"),
            (".logo-customizable { @layer x; color: red; }", "at-rules"),
            (
                ".logo-customizable { background: url(\"java\tscript:alert(1)\"); }",
                "javascript:",
            ),
            (".logo-customizable { color: red\u{0}; }", "control"),
            ("\u{a0}.logo-customizable { color: red; }", "selector"),
        ] {
            match check(bad) {
                Err(m) => assert!(m.contains(says), "{bad:?}: {m}"),
                Ok(()) => panic!("{bad:?} passed"),
            }
        }
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
            ".logo-customizable { color: red; } }",
            ".logo-customizable/**/:hover { color: red; }",
            "{ color: red; }",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
