//! The signed-in browser session: a sealed cookie naming the pool, the user
//! and when they signed in, good for an hour as Cognito's. It lets
//! `/oauth2/authorize` skip the sign-in page; `/logout` clears it. Sealed
//! under the key-encryption key, so every node reads it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::SignedIn;
use crate::clock::Timestamp;
use crate::domain::session::sso_max_validity_minutes;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::services::Services;

/// Cognito's hosted-UI session cookie lasts an hour.
pub const BROWSER_SESSION_SECONDS: i64 = 3600;
const PURPOSE: &[u8] = b"browser-session";

#[derive(Serialize, Deserialize)]
struct Sealed {
    pool: UserPoolId,
    sub: String,
    auth_time: i64,
    expires: i64,
}

impl Services {
    /// The cookie value for `who`, signed in to `pool`.
    pub fn seal_browser_session(&self, pool: &UserPoolId, who: &SignedIn) -> Result<String> {
        let sealed = Sealed {
            pool: pool.clone(),
            sub: who.sub.clone(),
            auth_time: who.auth_time.millis(),
            expires: who.auth_time.plus_seconds(BROWSER_SESSION_SECONDS).millis(),
        };
        let json = serde_json::to_vec(&sealed).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(URL_SAFE_NO_PAD.encode(self.sealing.seal(&json, PURPOSE)?))
    }

    /// Who the cookie says is signed in to `pool`, if it is ours, unexpired,
    /// the user can still sign in, and `client` still reuses a sign-in that
    /// old (its `SSOSession.MaxValidityMinutes`, an hour unless set).
    pub async fn open_browser_session(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        cookie: &str,
    ) -> Result<Option<SignedIn>> {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(cookie.as_bytes()) else {
            return Ok(None);
        };
        let Ok(json) = self.sealing.open(&bytes, PURPOSE) else {
            return Ok(None);
        };
        let Ok(sealed) = serde_json::from_slice::<Sealed>(&json) else {
            return Ok(None);
        };
        let now = self.clock.now().millis();
        if sealed.pool != *pool || sealed.expires <= now {
            return Ok(None);
        }
        let minutes = sso_max_validity_minutes(&self.client(pool, client).await?.settings);
        if now - sealed.auth_time > i64::from(minutes) * 60_000 {
            return Ok(None);
        }
        let Some(user) = self.users.by_sub(pool, &sealed.sub).await? else {
            return Ok(None);
        };
        if !user.can_sign_in_by_oauth() {
            return Ok(None);
        }
        Ok(Some(SignedIn {
            sub: user.sub,
            username: user.username,
            auth_time: Timestamp(sealed.auth_time),
        }))
    }
}
