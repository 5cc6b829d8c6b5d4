//! The flows that start a sign-in, typed: read once from InitiateAuth's
//! `AuthFlow` and `AuthParameters`.

use std::collections::BTreeMap;

use tessera_crypto::srp::{self, PublicA};

use super::missing;
use crate::domain::client_policy::FlowKind;
use crate::error::{Error, Result};

/// USER_AUTH's step-up parameters: refused rather than ignored.
const STEP_UP: [&str; 3] = ["TARGET_ACR_VALUES", "ACCESS_TOKEN", "MAX_AGE"];

/// What a flow proves first.
#[derive(Debug, Clone)]
pub enum AuthFlow {
    /// USER_SRP_AUTH: the password proven by SRP, over two requests.
    Srp {
        username: String,
        /// Boxed: A is 384 bytes, the other flows a few pointers.
        srp_a: Box<PublicA>,
    },
    /// USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH: the password itself.
    Password { username: String, password: String },
    /// CUSTOM_AUTH: the pool's challenge triggers decide; SRP_A when the
    /// client starts with SRP (CUSTOM_WITH_SRP), which they see in the
    /// session history.
    Custom {
        username: String,
        srp_a: Option<Box<PublicA>>,
    },
    /// USER_AUTH: the user's choice of first factor, or the server's offer of
    /// the ones available (SELECT_CHALLENGE).
    UserAuth {
        username: String,
        /// `PREFERRED_CHALLENGE`, as sent: a factor the user may not have.
        preferred: Option<String>,
        /// With `PASSWORD` preferred.
        password: Option<String>,
        /// With `PASSWORD_SRP` preferred.
        srp_a: Option<Box<PublicA>>,
        /// ConfirmSignUp's Session: InitiateAuth's member, not a parameter.
        session: Option<String>,
    },
    /// The refresh flows: a refresh token instead of a password.
    Refresh {
        refresh_token: String,
        /// The name the client typed, when it sends one (for SECRET_HASH).
        username: Option<String>,
    },
}

impl AuthFlow {
    /// The `AuthFlow` name, for the sign-in metric (the admin and user
    /// variants of a flow share one).
    pub fn name(&self) -> &'static str {
        match self {
            AuthFlow::Srp { .. } => "USER_SRP_AUTH",
            AuthFlow::Password { .. } => "USER_PASSWORD_AUTH",
            AuthFlow::Custom { .. } => "CUSTOM_AUTH",
            AuthFlow::Refresh { .. } => "REFRESH_TOKEN_AUTH",
            AuthFlow::UserAuth { .. } => "USER_AUTH",
        }
    }
}

/// A flow with the members every flow may carry.
#[derive(Debug, Clone)]
pub struct SignInStart {
    pub flow: AuthFlow,
    pub secret_hash: Option<String>,
    /// The remembered device the client signs in on, if it has one.
    pub device_key: Option<String>,
}

impl SignInStart {
    /// Reads the parameters of `kind`.
    pub fn parse(kind: FlowKind, p: &BTreeMap<String, String>) -> Result<SignInStart> {
        let get = |key: &str| p.get(key).cloned().ok_or_else(|| missing(key));
        let flow = match kind {
            FlowKind::UserSrp => {
                let username = get("USERNAME")?;
                let srp_a = parse_a(&get("SRP_A")?)?;
                AuthFlow::Srp {
                    username,
                    srp_a: Box::new(srp_a),
                }
            }
            FlowKind::UserPassword | FlowKind::AdminUserPassword => AuthFlow::Password {
                username: get("USERNAME")?,
                password: get("PASSWORD")?,
            },
            FlowKind::Refresh => AuthFlow::Refresh {
                refresh_token: get("REFRESH_TOKEN")?,
                username: p.get("USERNAME").cloned(),
            },
            FlowKind::CustomAuth => AuthFlow::Custom {
                username: get("USERNAME")?,
                srp_a: p
                    .get("SRP_A")
                    .map(|a| parse_a(a))
                    .transpose()?
                    .map(Box::new),
            },
            FlowKind::UserAuth if STEP_UP.iter().any(|k| p.contains_key(*k)) => {
                return Err(Error::UnsupportedOperation(
                    "Tessera does not implement step-up authentication (TARGET_ACR_VALUES, \
                     ACCESS_TOKEN, MAX_AGE) yet."
                        .into(),
                ));
            }
            FlowKind::UserAuth => AuthFlow::UserAuth {
                username: get("USERNAME")?,
                preferred: p.get("PREFERRED_CHALLENGE").cloned(),
                password: p.get("PASSWORD").cloned(),
                srp_a: p
                    .get("SRP_A")
                    .map(|a| parse_a(a))
                    .transpose()?
                    .map(Box::new),
                session: None,
            },
        };
        Ok(SignInStart {
            flow,
            secret_hash: p.get("SECRET_HASH").cloned(),
            device_key: p.get("DEVICE_KEY").cloned(),
        })
    }
}

pub(crate) fn parse_a(text: &str) -> Result<PublicA> {
    srp::parse_public_a(text)
        .map_err(|_| Error::InvalidParameter("SRP_A is not a valid SRP public value.".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn each_flow_reads_its_parameters() {
        let s = SignInStart::parse(
            FlowKind::UserPassword,
            &map(&[("USERNAME", "u"), ("PASSWORD", "p"), ("SECRET_HASH", "h")]),
        )
        .expect("parses");
        assert!(
            matches!(s.flow, AuthFlow::Password { ref username, ref password }
            if username == "u" && password == "p")
        );
        assert_eq!(s.secret_hash.as_deref(), Some("h"));
        let s =
            SignInStart::parse(FlowKind::Refresh, &map(&[("REFRESH_TOKEN", "t")])).expect("parses");
        assert!(
            matches!(s.flow, AuthFlow::Refresh { ref refresh_token, username: None } if refresh_token == "t")
        );
    }

    #[test]
    fn bad_and_missing_parameters_are_named() {
        let e = SignInStart::parse(FlowKind::UserSrp, &map(&[("USERNAME", "u")]));
        assert!(
            matches!(e, Err(Error::InvalidParameter(m)) if m == "Missing required parameter SRP_A")
        );
        let e = SignInStart::parse(
            FlowKind::UserSrp,
            &map(&[("USERNAME", "u"), ("SRP_A", "0")]),
        );
        assert!(
            matches!(e, Err(Error::InvalidParameter(m)) if m == "SRP_A is not a valid SRP public value.")
        );
        assert!(matches!(
            SignInStart::parse(
                FlowKind::UserAuth,
                &map(&[("USERNAME", "u"), ("TARGET_ACR_VALUES", "urn:x")])
            ),
            Err(Error::UnsupportedOperation(_))
        ));
        let e = SignInStart::parse(FlowKind::UserAuth, &BTreeMap::new());
        assert!(
            matches!(e, Err(Error::InvalidParameter(m)) if m == "Missing required parameter USERNAME")
        );
    }
}
