//! What the pages say when the core refuses a step: the core's error bound
//! to the field it is about, or to the whole form; and the notices a page
//! can be sent to show. User-existence hiding and lockout are the core's:
//! its messages are shown as they come.

use tessera_core::Error;

/// The fields of a form that a refusal can be about.
#[derive(Debug, Clone, Copy, Default)]
pub struct Roles {
    pub username: Option<&'static str>,
    pub password: Option<&'static str>,
    pub new_password: Option<&'static str>,
    pub code: Option<&'static str>,
}

/// Where a refusal shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Field(&'static str, String),
    Form(String),
}

impl Refusal {
    /// The field error, for [`super::fields::settle`].
    pub fn field(&self) -> Option<(&str, String)> {
        match self {
            Refusal::Field(name, message) => Some((name, message.clone())),
            Refusal::Form(_) => None,
        }
    }

    pub fn form(&self) -> Option<String> {
        match self {
            Refusal::Form(message) => Some(message.clone()),
            Refusal::Field(..) => None,
        }
    }
}

fn at(field: Option<&'static str>, message: String) -> Refusal {
    match field {
        Some(name) => Refusal::Field(name, message),
        None => Refusal::Form(message),
    }
}

/// The refusal a user can act on, or the error back when it is a failure of
/// ours (shown as the internal-error page).
pub fn refusal(e: Error, roles: Roles) -> Result<Refusal, Error> {
    Ok(match e {
        Error::NotAuthorized(m) => at(roles.password, m),
        Error::UserNotFound(m) | Error::UsernameExists(m) => at(roles.username, m),
        Error::InvalidPassword(m) => at(roles.new_password.or(roles.password), m),
        Error::CodeMismatch(_) => at(
            roles.code,
            "That code isn't right. Check it and try again.".into(),
        ),
        Error::EnableSoftwareTokenMfa(_) => at(
            roles.code,
            "That code isn't right. Check the code your authenticator app shows now and try again."
                .into(),
        ),
        Error::ExpiredCode(_) => at(
            roles.code,
            "That code has expired. Ask for a new one.".into(),
        ),
        Error::UserNotConfirmed => Refusal::Form("Your account is not confirmed yet.".into()),
        Error::PasswordResetRequired => {
            Refusal::Form("You need to reset your password before you sign in.".into())
        }
        Error::InvalidParameter(m)
        | Error::AliasExists(m)
        | Error::LimitExceeded(m)
        | Error::CodeDeliveryFailure(m)
        | Error::UnsupportedUserState(m)
        | Error::SoftwareTokenMfaNotFound(m)
        | Error::UnsupportedOperation(m)
        | Error::UserLambdaValidation(m)
        | Error::UnexpectedLambda(m)
        | Error::InvalidLambdaResponse(m) => Refusal::Form(m),
        other => return Err(other),
    })
}

/// The notices a page can be redirected to with `notice=<name>`: fixed
/// texts, so the parameter cannot make the page say anything else.
pub fn notice(name: &str) -> Option<&'static str> {
    match name {
        "confirmed" => Some("Your account is confirmed. Sign in to continue."),
        "password_reset" => Some("Your password has been reset. Sign in with your new password."),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_go_to_their_field_or_the_form() {
        let login = Roles {
            username: Some("username"),
            password: Some("password"),
            ..Roles::default()
        };
        assert_eq!(
            refusal(
                Error::NotAuthorized("Incorrect username or password.".into()),
                login
            )
            .ok(),
            Some(Refusal::Field(
                "password",
                "Incorrect username or password.".into()
            ))
        );
        assert_eq!(
            refusal(Error::CodeMismatch("x".into()), login).ok(),
            Some(Refusal::Form(
                "That code isn't right. Check it and try again.".into()
            ))
        );
        assert!(refusal(Error::Internal("disk".into()), login).is_err());
        assert!(notice("confirmed").is_some());
        assert_eq!(notice("<script>"), None);
    }
}
