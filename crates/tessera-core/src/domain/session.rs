//! User sessions: a pool's session tracking (SetUserPoolSessionConfiguration),
//! an app client's SSO-session validity, and what a token session shows of
//! itself (its id, its latest use, the device that used it).
//!
//! A token session is a token family: one sign-in, its refresh tokens and the
//! access tokens they yield. Its id is derived from the family's `origin_jti`,
//! so every family has one without a stored column.

use serde_json::{Map, Value, json};

use crate::clock::Timestamp;

/// The pool settings members SetUserPoolSessionConfiguration keeps. They are
/// not members of `UserPoolType`: DescribeUserPool leaves them out and
/// UpdateUserPool keeps them.
pub const POOL_SESSION_SETTINGS: &[&str] = &["UserSessionTracking", "TokenSession"];

/// The client settings member SetUserPoolClientSessionConfiguration keeps,
/// left out of `UserPoolClientType` and kept by UpdateUserPoolClient.
pub const CLIENT_SESSION_SETTINGS: &[&str] = &["SSOSession"];

/// `MaxPerUser` when the pool never set one.
pub const DEFAULT_MAX_SESSIONS_PER_USER: u32 = 20;

/// `SSOSession.MaxValidityMinutes` when the client never set one.
pub const DEFAULT_SSO_MAX_VALIDITY_MINUTES: u32 = 60;

/// The most sessions one listing answers: Cognito returns all of a user's
/// sessions "in a single page of up to 125 sessions".
pub const MAX_LISTED_SESSIONS: usize = 125;

/// The longest `DeviceType` and `LastIPAddress` Cognito returns.
const MAX_DEVICE_TYPE_CHARS: usize = 1024;
const MAX_IP_CHARS: usize = 128;

/// A pool's session tracking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSessionConfig {
    /// `UserSessionTracking: ENABLED` (the default is DISABLED).
    pub tracking: bool,
    /// `TokenSession.MaxPerUser`: beyond it, a new sign-in evicts the least
    /// recently used token session.
    pub max_per_user: u32,
}

impl PoolSessionConfig {
    /// The configuration the pool's settings hold, Cognito's defaults for
    /// what they do not.
    pub fn of(settings: &Map<String, Value>) -> Self {
        Self {
            tracking: settings.get("UserSessionTracking").and_then(Value::as_str)
                == Some("ENABLED"),
            max_per_user: settings
                .get("TokenSession")
                .and_then(|t| t.get("MaxPerUser"))
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(DEFAULT_MAX_SESSIONS_PER_USER),
        }
    }

    /// The settings members that hold it.
    pub fn members(&self) -> [(&'static str, Value); 2] {
        [
            (
                "UserSessionTracking",
                json!(if self.tracking { "ENABLED" } else { "DISABLED" }),
            ),
            ("TokenSession", json!({"MaxPerUser": self.max_per_user})),
        ]
    }
}

/// An app client's `SSOSession.MaxValidityMinutes`.
pub fn sso_max_validity_minutes(settings: &Map<String, Value>) -> u32 {
    settings
        .get("SSOSession")
        .and_then(|s| s.get("MaxValidityMinutes"))
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(DEFAULT_SSO_MAX_VALIDITY_MINUTES)
}

/// A token session's latest use: set by its sign-in, overwritten by each
/// refresh while the pool tracks sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionActivity {
    pub at: Timestamp,
    /// The address the request acted for, as text.
    pub ip: Option<String>,
    /// The request's `User-Agent`, from which `DeviceType` is read.
    pub user_agent: Option<String>,
}

impl SessionActivity {
    /// Activity at `at` from what the request showed, cut to what Cognito keeps.
    pub fn new(at: Timestamp, ip: Option<String>, user_agent: Option<&str>) -> Self {
        Self {
            at,
            ip: ip.map(|ip| truncate(&ip, MAX_IP_CHARS)),
            user_agent: user_agent.map(|ua| truncate(ua, MAX_DEVICE_TYPE_CHARS)),
        }
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// The session id of the token family `origin_jti`: `tkn` and 25 lowercase
/// letters and digits (`^(tkn|sso)[a-z0-9]{25}$`), the first 128 bits of a
/// SHA-256 of the family's name in base 36. Stable, and tells nothing of the
/// family's tokens.
pub fn token_session_id(origin_jti: &str) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let digest = tessera_crypto::digest::sha256(format!("token-session:{origin_jti}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let mut n = u128::from_be_bytes(bytes);
    // 36^25 > 2^128, so 25 digits hold any 128-bit number.
    let mut digits = [b'0'; 25];
    for d in digits.iter_mut().rev() {
        *d = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    format!("tkn{}", String::from_utf8_lossy(&digits))
}

/// `DeviceType`: the operating system and the browser or app a user agent
/// names ("Chrome, Windows", "Boto3, Linux"), `unknown` when it names neither.
pub fn device_type(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.filter(|ua| !ua.trim().is_empty()) else {
        return "unknown".into();
    };
    let lower = ua.to_ascii_lowercase();
    let os = [
        ("windows", "Windows"),
        ("iphone", "iOS"),
        ("ipad", "iOS"),
        ("android", "Android"),
        ("mac os x", "macOS"),
        ("macintosh", "macOS"),
        ("os/macos", "macOS"),
        ("os/darwin", "macOS"),
        ("cros", "ChromeOS"),
        ("linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| lower.contains(needle))
    .map(|(_, name)| *name);
    // Browsers name each other for compatibility: the most specific first.
    let browser = [
        ("edg/", "Edge"),
        ("opr/", "Opera"),
        ("firefox/", "Firefox"),
        ("chrome/", "Chrome"),
        ("chromium/", "Chromium"),
        ("safari/", "Safari"),
    ]
    .iter()
    .find(|(needle, _)| lower.contains(needle))
    .map(|(_, name)| (*name).to_owned());
    // Otherwise the first product token: an SDK or app (`Boto3/1.44.8 …`).
    let app = browser.or_else(|| {
        ua.split_whitespace()
            .next()
            .and_then(|token| token.split('/').next())
            .filter(|name| !name.is_empty() && *name != "Mozilla")
            .map(str::to_owned)
    });
    match (app, os) {
        (Some(app), Some(os)) => format!("{app}, {os}"),
        (Some(app), None) => app,
        (None, Some(os)) => os.to_owned(),
        (None, None) => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_have_cognitos_form_and_are_stable() {
        let id = token_session_id("5a0e8a52-6f0b-4a59-9d0f-000000000001");
        assert_eq!(id.len(), 28);
        assert!(id.starts_with("tkn"));
        assert!(
            id[3..]
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );
        assert_eq!(id, token_session_id("5a0e8a52-6f0b-4a59-9d0f-000000000001"));
        assert_ne!(id, token_session_id("5a0e8a52-6f0b-4a59-9d0f-000000000002"));
    }

    #[test]
    fn device_types_name_the_browser_or_app_and_the_system() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                      (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(device_type(Some(chrome)), "Chrome, Windows");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) \
                      AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device_type(Some(safari)), "Safari, iOS");
        let boto = "Boto3/1.44.8 md/Botocore#1.44.8 ua/2.1 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.2";
        assert_eq!(device_type(Some(boto)), "Boto3, Linux");
        assert_eq!(device_type(Some("curl/8.5.0")), "curl");
        assert_eq!(device_type(None), "unknown");
        assert_eq!(device_type(Some("  ")), "unknown");
    }

    #[test]
    fn pool_configuration_defaults_to_disabled_and_twenty() {
        let none = PoolSessionConfig::of(&Map::new());
        assert_eq!(
            none,
            PoolSessionConfig {
                tracking: false,
                max_per_user: 20
            }
        );
        let mut settings = Map::new();
        let set = PoolSessionConfig {
            tracking: true,
            max_per_user: 3,
        };
        settings.extend(set.members().map(|(k, v)| (k.to_owned(), v)));
        assert_eq!(PoolSessionConfig::of(&settings), set);
    }

    #[test]
    fn activity_keeps_what_cognito_keeps() {
        let long = "x".repeat(2000);
        let a = SessionActivity::new(Timestamp(5), Some("203.0.113.9".into()), Some(&long));
        assert_eq!(a.user_agent.map(|ua| ua.len()), Some(1024));
        assert_eq!(a.ip.as_deref(), Some("203.0.113.9"));
    }
}
