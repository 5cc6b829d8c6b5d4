//! Which attributes an app client may read and write (ReadAttributes /
//! WriteAttributes; an empty list means all), and the ones no user may set.

use serde_json::Value;

use crate::domain::client::AppClient;
use crate::domain::user::User;
use crate::error::{Error, Result};

fn listed<'a>(client: &'a AppClient, member: &str) -> Option<Vec<&'a str>> {
    client
        .settings
        .get(member)
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .map(|a| a.iter().filter_map(Value::as_str).collect())
}

/// The attributes the client may read (`sub` always).
pub(crate) fn readable<'a>(client: &AppClient, user: &'a User) -> Vec<(&'a String, &'a String)> {
    let allowed = listed(client, "ReadAttributes");
    user.attributes
        .iter()
        .filter(|(name, _)| match &allowed {
            Some(list) => name.as_str() == "sub" || list.contains(&name.as_str()),
            None => true,
        })
        .collect()
}

/// Refuses attributes a user cannot set through this client: those outside
/// its WriteAttributes, and the verification flags, which only an
/// administrator or a verification code may set.
pub(crate) fn check_writable<'a>(
    client: &AppClient,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<()> {
    let allowed = listed(client, "WriteAttributes");
    for name in names {
        let permitted = name != "sub"
            && name != "email_verified"
            && name != "phone_number_verified"
            && allowed.as_ref().is_none_or(|list| list.contains(&name));
        if !permitted {
            return Err(Error::NotAuthorized(
                "A client attempted to write unauthorized attribute".into(),
            ));
        }
    }
    Ok(())
}
