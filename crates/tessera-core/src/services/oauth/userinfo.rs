//! `/oauth2/userInfo`: the user's claims for an access token with `openid`,
//! by its scopes, as OpenID Connect Core §5.4 groups them: `email` gives
//! `email` and `email_verified`, `phone` the phone number and its flag,
//! `profile` every other attribute the client may read.

use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::ids::UserPoolId;
use crate::services::Services;

/// Claims each scope adds; `profile` adds the rest.
const EMAIL_CLAIMS: &[&str] = &["email", "email_verified"];
const PHONE_CLAIMS: &[&str] = &["phone_number", "phone_number_verified"];

impl Services {
    /// The claims, and the pool whose token it is.
    pub async fn userinfo(&self, access_token: &str) -> Result<(UserPoolId, Map<String, Value>)> {
        let caller = self.authenticate_scoped(access_token, "openid").await?;
        let scopes = caller.scopes;
        let has = |s: &str| scopes.iter().any(|g| g == s);
        let ctx = self
            .client_context(&caller.client_id, Some(&caller.pool.id))
            .await?;
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(caller.user.sub));
        for (name, value) in &caller.user.attributes {
            if name == "sub" || !ctx.policy.may_read(name) {
                continue;
            }
            let wanted = if EMAIL_CLAIMS.contains(&name.as_str()) {
                has("email")
            } else if PHONE_CLAIMS.contains(&name.as_str()) {
                has("phone")
            } else {
                has("profile")
            };
            if wanted {
                // Cognito answers the verification flags as strings here.
                claims.insert(name.clone(), json!(value));
            }
        }
        claims.insert("username".into(), json!(caller.user.username));
        Ok((caller.pool.id, claims))
    }
}
