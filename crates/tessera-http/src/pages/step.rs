//! A sign-in waiting at a challenge, as a page carries it from one request
//! to the next: the sealed Session the core gave (all the core trusts), the
//! username to answer with, and what the page shows for the challenge.
//! Everything but the session is display only: a value changed in the form
//! can change what the page says, never what the core accepts.

use tessera_core::domain::mfa::MfaFactor;
use tessera_core::services::signin::challenge::Challenge;

use super::form::PostedForm;
use super::view::FormView;

/// The step a page asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// NEW_PASSWORD_REQUIRED, with the attributes the user must add.
    NewPassword { required: Vec<String> },
    /// SMS_MFA or EMAIL_OTP: a code sent to (masked) `destination`.
    SentCode {
        factor: MfaFactor,
        destination: String,
    },
    /// SOFTWARE_TOKEN_MFA.
    AuthenticatorCode { device: Option<String> },
    /// SELECT_MFA_TYPE.
    ChooseFactor { choices: Vec<MfaFactor> },
    /// MFA_SETUP with a software token associated: `secret` (base32) is
    /// only shown again when a code is refused.
    AuthenticatorSetup { secret: String },
}

/// A sign-in at a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub step: Step,
    pub session: String,
    /// The user's internal username (USER_ID_FOR_SRP), which answers carry.
    pub username: String,
    /// What the user typed to sign in, to name the account in an
    /// authenticator app.
    pub login: String,
}

impl Step {
    /// The step a challenge asks for; None for challenges the pages do not
    /// offer (custom challenges, device proofs) and for MFA_SETUP, which
    /// takes an association first (see `totp_setup`).
    pub fn of(challenge: &Challenge) -> Option<(Step, String)> {
        Some(match challenge {
            Challenge::NewPasswordRequired {
                user_id_for_srp,
                required_attributes,
                ..
            } => (
                Step::NewPassword {
                    required: required_attributes.clone(),
                },
                user_id_for_srp.clone(),
            ),
            Challenge::CodeMfa {
                factor,
                user_id_for_srp,
                delivery,
            } => (
                Step::SentCode {
                    factor: *factor,
                    destination: delivery.destination.clone(),
                },
                user_id_for_srp.clone(),
            ),
            Challenge::SoftwareTokenMfa {
                user_id_for_srp,
                friendly_device_name,
            } => (
                Step::AuthenticatorCode {
                    device: friendly_device_name.clone(),
                },
                user_id_for_srp.clone(),
            ),
            Challenge::SelectMfaType {
                user_id_for_srp,
                choices,
            } => (
                Step::ChooseFactor {
                    choices: choices.clone(),
                },
                user_id_for_srp.clone(),
            ),
            _ => return None,
        })
    }

    /// The challenge's wire name, which the form carries.
    fn name(&self) -> &'static str {
        match self {
            Step::NewPassword { .. } => "NEW_PASSWORD_REQUIRED",
            Step::SentCode { factor, .. } => factor.name(),
            Step::AuthenticatorCode { .. } => "SOFTWARE_TOKEN_MFA",
            Step::ChooseFactor { .. } => "SELECT_MFA_TYPE",
            Step::AuthenticatorSetup { .. } => "MFA_SETUP",
        }
    }
}

fn factors(text: &str) -> Vec<MfaFactor> {
    text.split_whitespace()
        .filter_map(MfaFactor::parse)
        .collect()
}

impl Pending {
    /// Puts the sign-in into the form's hidden fields.
    pub fn carry(&self, form: &mut FormView) {
        form.hide("challenge", self.step.name());
        form.hide("session", &self.session);
        form.hide("username", &self.username);
        form.hide("login", &self.login);
        match &self.step {
            Step::NewPassword { required } => form.hide("required", &required.join(" ")),
            Step::SentCode { destination, .. } => form.hide("destination", destination),
            Step::AuthenticatorCode {
                device: Some(device),
            } => form.hide("device", device),
            Step::AuthenticatorCode { device: None } => {}
            Step::ChooseFactor { choices } => form.hide(
                "choices",
                &choices
                    .iter()
                    .map(|c| c.name())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Step::AuthenticatorSetup { secret } => form.hide("secret", secret),
        }
    }

    /// The sign-in a posted form carries; None when the form does not hold one.
    pub fn read(form: &PostedForm) -> Option<Pending> {
        let step = match form.get("challenge") {
            "NEW_PASSWORD_REQUIRED" => Step::NewPassword {
                required: form
                    .get("required")
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
            },
            name @ ("SMS_MFA" | "EMAIL_OTP") => Step::SentCode {
                factor: MfaFactor::parse(name)?,
                destination: form.get("destination").to_owned(),
            },
            "SOFTWARE_TOKEN_MFA" => Step::AuthenticatorCode {
                device: form.optional("device").map(str::to_owned),
            },
            "SELECT_MFA_TYPE" => Step::ChooseFactor {
                choices: factors(form.get("choices")),
            },
            "MFA_SETUP" => Step::AuthenticatorSetup {
                secret: form.get("secret").to_owned(),
            },
            _ => return None,
        };
        let session = form.optional("session")?.to_owned();
        let username = form.optional("username")?.to_owned();
        Some(Pending {
            step,
            session,
            username,
            login: form.get("login").to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn round_trip(step: Step) {
        let pending = Pending {
            step,
            session: "sealed".into(),
            username: "u-1".into(),
            login: "alice@example.com".into(),
        };
        let mut view = FormView::default();
        pending.carry(&mut view);
        let fields: BTreeMap<String, String> =
            view.hidden.into_iter().map(|h| (h.name, h.value)).collect();
        assert_eq!(Pending::read(&PostedForm(fields)), Some(pending));
    }

    #[test]
    fn every_step_survives_the_form() {
        round_trip(Step::NewPassword {
            required: vec!["name".into(), "custom:team".into()],
        });
        round_trip(Step::SentCode {
            factor: MfaFactor::Email,
            destination: "a***@e***".into(),
        });
        round_trip(Step::AuthenticatorCode { device: None });
        round_trip(Step::AuthenticatorCode {
            device: Some("phone".into()),
        });
        round_trip(Step::ChooseFactor {
            choices: vec![MfaFactor::Sms, MfaFactor::SoftwareToken],
        });
        round_trip(Step::AuthenticatorSetup {
            secret: "ABCDEFGH".into(),
        });
    }

    #[test]
    fn a_form_without_a_session_holds_no_sign_in() {
        let fields = BTreeMap::from([("challenge".to_owned(), "SOFTWARE_TOKEN_MFA".to_owned())]);
        assert_eq!(Pending::read(&PostedForm(fields)), None);
    }
}
