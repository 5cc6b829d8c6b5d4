//! `[[triggers]]`: which ARNs run where. Each entry, as written, is checked
//! into a [`TriggerMapping`] (one matcher, one target, a timeout) so that a
//! mistake stops the start with a message naming the entry, rather than
//! failing the first sign-up that runs it.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::Url;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::secret::Secret;

/// Cognito waits 5 s for a trigger.
pub const DEFAULT_TRIGGER_TIMEOUT: Duration = Duration::from_secs(5);

/// One `[[triggers]]` entry as written in the file: which ARNs (one matcher)
/// run where (one target).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerEntry {
    /// Matches this ARN exactly. Each entry has exactly one of `arn`,
    /// `arn_prefix`, `function` and `default = true`.
    pub arn: Option<String>,
    /// Matches every ARN starting with this.
    pub arn_prefix: Option<String>,
    /// The function name of a Lambda ARN, whatever its region, account and qualifier.
    pub function: Option<String>,
    /// Matches every ARN: at most one entry, and the last.
    pub default: Option<bool>,
    /// Run the trigger through the Lambda Invoke API at this
    /// `scheme://host[:port]`. Each entry has exactly one of
    /// `lambda_endpoint`, `url` and `command`.
    pub lambda_endpoint: Option<String>,
    /// The name the Invoke API path carries instead of the ARN (`function`
    /// for the Lambda Runtime Interface Emulator).
    pub lambda_function: Option<String>,
    /// The region Invoke requests are signed for. Default: the ARN's.
    pub region: Option<String>,
    /// Sign Invoke requests (SigV4) with this access key id and
    /// `secret_access_key` (or `secret_access_key_file`). Default: unsigned.
    pub access_key_id: Option<String>,
    /// The secret of `access_key_id`.
    pub secret_access_key: Option<Secret>,
    /// A file holding the secret of `access_key_id`.
    pub secret_access_key_file: Option<PathBuf>,
    /// POST the event as JSON to this URL; a 2xx answer's body is the response.
    pub url: Option<String>,
    /// Run this program with these arguments (no shell): the event goes in on
    /// stdin, the returned event comes out on stdout with exit status 0.
    pub command: Option<Vec<String>>,
    /// How long one run may take, at least 1.
    #[schemars(extend("default" = DEFAULT_TRIGGER_TIMEOUT.as_secs()))]
    pub timeout_seconds: Option<u64>,
}

/// A checked entry.
#[derive(Debug, Clone)]
pub struct TriggerMapping {
    /// `[[triggers]] entry 2 (function = "preSignUp")`, for messages.
    pub label: String,
    pub matcher: TriggerMatcher,
    pub target: TriggerTarget,
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerMatcher {
    Arn(String),
    ArnPrefix(String),
    Function(String),
    Default,
}

#[derive(Debug, Clone)]
pub enum TriggerTarget {
    Lambda(LambdaTarget),
    Http(Url),
    /// argv: a program and its arguments, run without a shell.
    Command(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct LambdaTarget {
    /// `scheme://host[:port]`, possibly with a path prefix.
    pub endpoint: Url,
    pub function: Option<String>,
    /// The signing region; else the ARN's.
    pub region: Option<String>,
    /// Sign with these; unsigned without (the emulator checks nothing).
    pub credentials: Option<LambdaCredentials>,
}

#[derive(Debug, Clone)]
pub struct LambdaCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

/// Checks every entry, in order. At most one is the default, and it comes
/// last: first match wins, so an entry after it could never be used.
pub fn resolve(entries: Vec<TriggerEntry>) -> anyhow::Result<Vec<TriggerMapping>> {
    let mut mappings: Vec<TriggerMapping> = Vec::with_capacity(entries.len());
    for (index, entry) in entries.into_iter().enumerate() {
        let mapping = mapping(index + 1, entry)?;
        if let Some(default) = mappings
            .iter()
            .find(|m| m.matcher == TriggerMatcher::Default)
        {
            bail!(
                "{} comes after the default mapping ({}), which matches every ARN first; \
                 keep one `default = true`, as the last entry",
                mapping.label,
                default.label
            );
        }
        mappings.push(mapping);
    }
    Ok(mappings)
}

fn mapping(number: usize, entry: TriggerEntry) -> anyhow::Result<TriggerMapping> {
    let matcher = matcher(number, &entry)?;
    let label = match &matcher {
        TriggerMatcher::Arn(arn) => format!("[[triggers]] entry {number} (arn = {arn:?})"),
        TriggerMatcher::ArnPrefix(prefix) => {
            format!("[[triggers]] entry {number} (arn_prefix = {prefix:?})")
        }
        TriggerMatcher::Function(name) => {
            format!("[[triggers]] entry {number} (function = {name:?})")
        }
        TriggerMatcher::Default => format!("[[triggers]] entry {number} (default)"),
    };
    let timeout = match entry.timeout_seconds {
        None => DEFAULT_TRIGGER_TIMEOUT,
        Some(0) => bail!("{label}: timeout_seconds must be at least 1"),
        Some(s) => Duration::from_secs(s),
    };
    let target = target(entry).with_context(|| label.clone())?;
    Ok(TriggerMapping {
        label,
        matcher,
        target,
        timeout,
    })
}

fn matcher(number: usize, entry: &TriggerEntry) -> anyhow::Result<TriggerMatcher> {
    let mut found = Vec::new();
    let named = [
        ("arn", &entry.arn),
        ("arn_prefix", &entry.arn_prefix),
        ("function", &entry.function),
    ];
    for (key, value) in named {
        let Some(value) = value else { continue };
        if value.is_empty() {
            bail!("[[triggers]] entry {number}: `{key}` is empty");
        }
        let matcher = match key {
            "arn" => TriggerMatcher::Arn(value.clone()),
            "arn_prefix" => TriggerMatcher::ArnPrefix(value.clone()),
            _ => TriggerMatcher::Function(value.clone()),
        };
        found.push((key, matcher));
    }
    if entry.default == Some(true) {
        found.push(("default = true", TriggerMatcher::Default));
    }
    match found.len() {
        1 => Ok(found.remove(0).1),
        0 => bail!(
            "[[triggers]] entry {number} matches nothing: give one of `arn`, `arn_prefix`, \
             `function` or `default = true`"
        ),
        _ => {
            let keys: Vec<&str> = found.iter().map(|(key, _)| *key).collect();
            bail!(
                "[[triggers]] entry {number} has several matchers ({}): give exactly one",
                keys.join(", ")
            )
        }
    }
}

fn target(entry: TriggerEntry) -> anyhow::Result<TriggerTarget> {
    let given = [
        ("lambda_endpoint", entry.lambda_endpoint.is_some()),
        ("url", entry.url.is_some()),
        ("command", entry.command.is_some()),
    ];
    let targets: Vec<&str> = given
        .iter()
        .filter(|(_, set)| *set)
        .map(|(k, _)| *k)
        .collect();
    if targets.len() != 1 {
        bail!(
            "give exactly one of `lambda_endpoint`, `url` and `command` (found {})",
            if targets.is_empty() {
                "none".to_owned()
            } else {
                targets.join(", ")
            }
        );
    }
    if entry.lambda_endpoint.is_none() {
        let lambda_only = [
            ("lambda_function", entry.lambda_function.is_some()),
            ("region", entry.region.is_some()),
            ("access_key_id", entry.access_key_id.is_some()),
            ("secret_access_key", entry.secret_access_key.is_some()),
            (
                "secret_access_key_file",
                entry.secret_access_key_file.is_some(),
            ),
        ];
        if let Some((key, _)) = lambda_only.iter().find(|(_, set)| *set) {
            bail!("`{key}` applies only to a `lambda_endpoint` target");
        }
    }
    if let Some(endpoint) = entry.lambda_endpoint {
        let endpoint = http_url(&endpoint, "lambda_endpoint")?;
        if endpoint.query().is_some() || endpoint.fragment().is_some() {
            bail!("lambda_endpoint must be scheme://host[:port], without a query or fragment");
        }
        let credentials = match (
            entry.access_key_id,
            entry.secret_access_key,
            entry.secret_access_key_file,
        ) {
            (None, None, None) => None,
            (Some(access_key_id), Some(secret_access_key), None) => Some(LambdaCredentials {
                access_key_id,
                secret_access_key,
            }),
            (Some(access_key_id), None, Some(path)) => Some(LambdaCredentials {
                access_key_id,
                secret_access_key: super::read_secret_file(&path)?,
            }),
            (None, _, _) => bail!("a secret access key is given without `access_key_id`"),
            (Some(_), _, _) => bail!(
                "`access_key_id` needs exactly one of `secret_access_key` and `secret_access_key_file`"
            ),
        };
        if entry.lambda_function.as_deref() == Some("") {
            bail!("`lambda_function` is empty");
        }
        return Ok(TriggerTarget::Lambda(LambdaTarget {
            endpoint,
            function: entry.lambda_function,
            region: entry.region,
            credentials,
        }));
    }
    if let Some(url) = entry.url {
        return Ok(TriggerTarget::Http(http_url(&url, "url")?));
    }
    let argv = entry.command.unwrap_or_default();
    if argv.first().is_none_or(String::is_empty) {
        bail!("`command` must name a program: [\"program\", \"argument\", …]");
    }
    Ok(TriggerTarget::Command(argv))
}

/// An http:// or https:// URL with a host. Errors never quote the value: a
/// webhook URL may carry a token.
fn http_url(value: &str, key: &str) -> anyhow::Result<Url> {
    let url = Url::parse(value).with_context(|| format!("`{key}` is not a valid URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("`{key}` must be an http:// or https:// URL");
    }
    if url.host_str().is_none() {
        bail!("`{key}` names no host");
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FileConfig;

    fn parse(toml: &str) -> anyhow::Result<Vec<TriggerMapping>> {
        let file: FileConfig = toml::from_str(toml)?;
        resolve(file.triggers)
    }

    fn refused(toml: &str) -> String {
        format!("{:#}", parse(toml).expect_err("refused"))
    }

    #[test]
    fn every_matcher_and_target_parses() {
        let dir = tempfile::tempdir().expect("tempdir");
        let secret = dir.path().join("lambda-secret");
        std::fs::write(&secret, "wJalrXUtnFEMI\n").expect("write");
        let mappings = parse(&format!(
            r#"
            [[triggers]]
            arn = "arn:aws:lambda:us-east-1:123456789012:function:exact"
            lambda_endpoint = "http://127.0.0.1:9000"
            lambda_function = "function"

            [[triggers]]
            arn_prefix = "arn:aws:lambda:eu-west-1:123456789012:"
            lambda_endpoint = "https://lambda.eu-west-1.amazonaws.com"
            region = "eu-west-1"
            access_key_id = "AKIDEXAMPLE"
            secret_access_key_file = "{}"
            timeout_seconds = 8

            [[triggers]]
            function = "webhook"
            url = "https://hooks.example.com/cognito?token=s3cr3t"

            [[triggers]]
            default = true
            command = ["python3", "/srv/handler.py"]
            "#,
            secret.display()
        ))
        .expect("parses");
        assert_eq!(mappings.len(), 4);

        let TriggerTarget::Lambda(emulator) = &mappings[0].target else {
            panic!("lambda target")
        };
        assert_eq!(
            mappings[0].matcher,
            TriggerMatcher::Arn("arn:aws:lambda:us-east-1:123456789012:function:exact".into())
        );
        assert_eq!(emulator.function.as_deref(), Some("function"));
        assert!(emulator.credentials.is_none());
        assert_eq!(mappings[0].timeout, DEFAULT_TRIGGER_TIMEOUT);

        let TriggerTarget::Lambda(aws) = &mappings[1].target else {
            panic!("lambda target")
        };
        let credentials = aws.credentials.as_ref().expect("credentials");
        assert_eq!(credentials.secret_access_key.expose(), "wJalrXUtnFEMI");
        assert_eq!(aws.region.as_deref(), Some("eu-west-1"));
        assert_eq!(mappings[1].timeout, Duration::from_secs(8));

        assert!(
            matches!(&mappings[2].target, TriggerTarget::Http(url) if url.path() == "/cognito")
        );
        assert_eq!(
            mappings[2].label,
            "[[triggers]] entry 3 (function = \"webhook\")"
        );
        assert!(
            matches!(&mappings[3].target, TriggerTarget::Command(argv) if argv[0] == "python3")
        );
        assert_eq!(mappings[3].matcher, TriggerMatcher::Default);
        assert!(!format!("{mappings:?}").contains("wJalrXUtnFEMI"));
    }

    #[test]
    fn a_mapping_needs_exactly_one_matcher() {
        let none = refused("[[triggers]]\nurl = \"http://127.0.0.1/\"\n");
        assert!(none.contains("entry 1 matches nothing"), "{none}");
        let off = refused("[[triggers]]\ndefault = false\nurl = \"http://127.0.0.1/\"\n");
        assert!(off.contains("matches nothing"), "{off}");
        let two = refused(
            "[[triggers]]\narn = \"arn:a\"\nfunction = \"f\"\nurl = \"http://127.0.0.1/\"\n",
        );
        assert!(two.contains("several matchers (arn, function)"), "{two}");
        let empty = refused("[[triggers]]\narn_prefix = \"\"\nurl = \"http://127.0.0.1/\"\n");
        assert!(empty.contains("`arn_prefix` is empty"), "{empty}");
    }

    #[test]
    fn a_mapping_needs_exactly_one_target() {
        let none = refused("[[triggers]]\nfunction = \"f\"\n");
        assert!(
            none.contains("entry 1 (function = \"f\")") && none.contains("found none"),
            "{none}"
        );
        let two = refused(
            "[[triggers]]\nfunction = \"f\"\nurl = \"http://127.0.0.1/\"\ncommand = [\"true\"]\n",
        );
        assert!(two.contains("found url, command"), "{two}");
        let stray = refused(
            "[[triggers]]\nfunction = \"f\"\nurl = \"http://127.0.0.1/\"\nregion = \"us-east-1\"\n",
        );
        assert!(
            stray.contains("`region` applies only to a `lambda_endpoint`"),
            "{stray}"
        );
    }

    #[test]
    fn bad_urls_commands_credentials_and_timeouts_are_refused() {
        for (toml, expected) in [
            ("url = \"not a url\"", "`url` is not a valid URL"),
            ("url = \"ftp://example.com/x\"", "`url` must be an http"),
            (
                "lambda_endpoint = \"file:///tmp/x\"",
                "`lambda_endpoint` must be an http",
            ),
            (
                "lambda_endpoint = \"http://127.0.0.1:9000/?x=1\"",
                "without a query",
            ),
            ("command = []", "`command` must name a program"),
            ("command = [\"\"]", "`command` must name a program"),
            (
                "lambda_endpoint = \"http://127.0.0.1:9000\"\naccess_key_id = \"AKID\"",
                "needs exactly one of `secret_access_key`",
            ),
            (
                "lambda_endpoint = \"http://127.0.0.1:9000\"\nsecret_access_key = \"k\"",
                "without `access_key_id`",
            ),
            (
                "url = \"http://127.0.0.1/\"\ntimeout_seconds = 0",
                "timeout_seconds must be at least 1",
            ),
        ] {
            let text = refused(&format!("[[triggers]]\nfunction = \"f\"\n{toml}\n"));
            assert!(
                text.contains("[[triggers]] entry 1 (function = \"f\")") && text.contains(expected),
                "{toml}: {text}"
            );
        }
        let hidden = refused(
            "[[triggers]]\nfunction = \"f\"\nurl = \"gopher://hooks.example.com/?token=s3cr3t\"\n",
        );
        assert!(!hidden.contains("s3cr3t"), "{hidden}");
    }

    #[test]
    fn one_default_and_last() {
        let two = refused(
            "[[triggers]]\ndefault = true\nurl = \"http://127.0.0.1/a\"\n\
             [[triggers]]\ndefault = true\nurl = \"http://127.0.0.1/b\"\n",
        );
        assert!(
            two.contains("entry 2 (default) comes after the default mapping ([[triggers]] entry 1"),
            "{two}"
        );
        let shadowed = refused(
            "[[triggers]]\ndefault = true\nurl = \"http://127.0.0.1/a\"\n\
             [[triggers]]\nfunction = \"f\"\nurl = \"http://127.0.0.1/b\"\n",
        );
        assert!(
            shadowed.contains("entry 2 (function = \"f\") comes after"),
            "{shadowed}"
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = toml::from_str::<FileConfig>(
            "[[triggers]]\nfunction = \"f\"\nurl = \"http://127.0.0.1/\"\ntimeout = 3\n",
        )
        .expect_err("unknown key");
        assert!(err.to_string().contains("timeout"), "{err}");
    }
}
