//! PreSignUp and PostConfirmation.

use std::collections::BTreeMap;

use serde_json::Map;

use super::{Caller, Trigger, Triggers, flag, string_map, trigger_view};
use crate::domain::user::User;
use crate::error::Result;

/// Where a sign-up came from (PreSignUp's `triggerSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpSource {
    SignUp,
    AdminCreateUser,
}

/// Where a confirmation came from (PostConfirmation's `triggerSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmationSource {
    ConfirmSignUp,
    ConfirmForgotPassword,
}

/// What PreSignUp's response asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreSignUp {
    pub auto_confirm: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

impl Triggers {
    /// PreSignUp, before the user exists: a thrown error refuses the sign-up.
    pub(crate) async fn pre_sign_up(
        &self,
        caller: &Caller<'_>,
        source: SignUpSource,
        attributes: &BTreeMap<String, String>,
        validation_data: &BTreeMap<String, String>,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<PreSignUp> {
        let source = match source {
            SignUpSource::SignUp => "PreSignUp_SignUp",
            SignUpSource::AdminCreateUser => "PreSignUp_AdminCreateUser",
        };
        let mut request = Map::new();
        request.insert("userAttributes".into(), string_map(attributes));
        request.insert("validationData".into(), string_map(validation_data));
        request.insert("clientMetadata".into(), string_map(client_metadata));
        let Some(response) = self
            .run(caller, Trigger::PreSignUp, source, request)
            .await?
        else {
            return Ok(PreSignUp::default());
        };
        Ok(PreSignUp {
            auto_confirm: flag(&response, "autoConfirmUser")?,
            auto_verify_email: flag(&response, "autoVerifyEmail")?,
            auto_verify_phone: flag(&response, "autoVerifyPhone")?,
        })
    }

    /// PostConfirmation, with the user as confirmed (before it is saved so, so
    /// that a thrown error leaves the user unconfirmed, as in Cognito).
    pub(crate) async fn post_confirmation(
        &self,
        caller: &Caller<'_>,
        source: ConfirmationSource,
        user: &User,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<()> {
        let source = match source {
            ConfirmationSource::ConfirmSignUp => "PostConfirmation_ConfirmSignUp",
            ConfirmationSource::ConfirmForgotPassword => "PostConfirmation_ConfirmForgotPassword",
        };
        let mut request = Map::new();
        request.insert("userAttributes".into(), trigger_view(user));
        request.insert("clientMetadata".into(), string_map(client_metadata));
        self.run(caller, Trigger::PostConfirmation, source, request)
            .await?;
        Ok(())
    }
}
