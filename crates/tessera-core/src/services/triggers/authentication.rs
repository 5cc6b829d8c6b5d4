//! PreAuthentication and PostAuthentication.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Caller, Trigger, Triggers, string_map, trigger_view};
use crate::domain::user::User;
use crate::error::Result;

impl Triggers {
    /// PreAuthentication, before the password is checked: a thrown error
    /// refuses the sign-in. `validation_data` is InitiateAuth's
    /// `ClientMetadata`, which Cognito passes as `validationData` here.
    pub(crate) async fn pre_authentication(
        &self,
        caller: &Caller<'_>,
        user: &User,
        validation_data: &BTreeMap<String, String>,
    ) -> Result<()> {
        let mut request = Map::new();
        request.insert("userAttributes".into(), trigger_view(user));
        request.insert("userNotFound".into(), Value::Bool(false));
        request.insert("validationData".into(), string_map(validation_data));
        self.run(
            caller,
            Trigger::PreAuthentication,
            "PreAuthentication_Authentication",
            request,
        )
        .await?;
        Ok(())
    }

    /// PostAuthentication, once the sign-in succeeded: a thrown error fails
    /// it (and the tokens it was given are revoked).
    pub(crate) async fn post_authentication(
        &self,
        caller: &Caller<'_>,
        user: &User,
        new_device_used: bool,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<()> {
        let mut request = Map::new();
        request.insert("userAttributes".into(), trigger_view(user));
        request.insert("newDeviceUsed".into(), Value::Bool(new_device_used));
        request.insert("clientMetadata".into(), string_map(client_metadata));
        self.run(
            caller,
            Trigger::PostAuthentication,
            "PostAuthentication_Authentication",
            request,
        )
        .await?;
        Ok(())
    }
}
