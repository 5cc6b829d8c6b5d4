//! Authorization codes: 32 random bytes, kept as a keyed hash with the grant
//! sealed beside it, good for five minutes and redeemed once on any node. A
//! second redemption is refused and revokes what the first one got (RFC
//! 6749 §4.1.2: the code may have been stolen).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::SignedIn;
use super::authorize::AuthorizeRequest;
use crate::clock::Timestamp;
use crate::domain::oauth::{AuthorizationCode, Redemption};
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::services::Services;
use crate::store::StoreError;

/// Cognito's authorization codes live five minutes.
const CODE_SECONDS: i64 = 300;
/// Bound into the seal, so no other sealed value opens as a grant.
const PURPOSE: &[u8] = b"authorization-code";

/// What a code stands for, sealed at rest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CodeGrant {
    pub client_id: ClientId,
    pub redirect_uri: String,
    pub sub: String,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    /// Milliseconds since the epoch.
    pub auth_time: i64,
}

/// A redeemed code's grant, and the family its tokens must start.
pub(crate) struct Redeemed {
    pub grant: CodeGrant,
    pub origin_jti: String,
    pub code_hash: Vec<u8>,
}

fn invalid_grant() -> Error {
    Error::OAuth(super::OAuthFault::InvalidGrant(
        "The authorization code is not valid.".into(),
    ))
}

impl Services {
    fn code_hash(&self, code: &str) -> Vec<u8> {
        self.sealing
            .keyed_hash("authorization-code", code.as_bytes())
            .to_vec()
    }

    /// A new code for `request`, signed in as `who`.
    pub async fn issue_authorization_code(
        &self,
        request: &AuthorizeRequest,
        who: &SignedIn,
    ) -> Result<String> {
        let code = URL_SAFE_NO_PAD.encode(tessera_crypto::random::bytes::<32>());
        let grant = CodeGrant {
            client_id: request.client_id.clone(),
            redirect_uri: request.redirect_uri.clone(),
            sub: who.sub.clone(),
            scopes: request.scopes.clone(),
            code_challenge: request.code_challenge.clone(),
            nonce: request.nonce.clone(),
            auth_time: who.auth_time.millis(),
        };
        let json = serde_json::to_vec(&grant).map_err(|e| Error::Internal(e.to_string()))?;
        let now = self.clock.now();
        self.store
            .put_authorization_code(
                &AuthorizationCode {
                    code_hash: self.code_hash(&code),
                    pool_id: request.pool_id.clone(),
                    expires: now.plus_seconds(CODE_SECONDS),
                    grant: self.sealing.seal(&json, PURPOSE)?,
                },
                now,
            )
            .await?;
        Ok(code)
    }

    /// Claims `code` for a new token family; a replay revokes the family the
    /// first redemption started.
    pub(crate) async fn redeem_code(&self, pool: &UserPoolId, code: &str) -> Result<Redeemed> {
        let code_hash = self.code_hash(code);
        let origin_jti = uuid::Uuid::new_v4().to_string();
        let redemption = match self
            .store
            .redeem_authorization_code(&code_hash, &origin_jti, self.clock.now())
            .await
        {
            Ok(r) => r,
            Err(StoreError::NotFound) => return Err(invalid_grant()),
            Err(e) => return Err(e.into()),
        };
        let stored = match redemption {
            Redemption::Granted(stored) => stored,
            Redemption::Replayed { family } => {
                match self.store.revoke_token_family(&family).await {
                    Ok(()) | Err(StoreError::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
                tracing::warn!("an authorization code was redeemed twice; its tokens are revoked");
                return Err(invalid_grant());
            }
        };
        if stored.pool_id != *pool {
            return Err(invalid_grant());
        }
        let json = self.sealing.open(&stored.grant, PURPOSE)?;
        let grant: CodeGrant =
            serde_json::from_slice(&json).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Redeemed {
            grant,
            origin_jti,
            code_hash,
        })
    }

    /// After the first redemption's family exists: if the code was replayed
    /// meanwhile, the replay could not revoke a family not yet written, so
    /// the family is revoked here and the redemption refused.
    pub(crate) async fn settle_redemption(&self, redeemed: &Redeemed) -> Result<()> {
        if self
            .store
            .authorization_code_replayed(&redeemed.code_hash)
            .await?
        {
            self.store.revoke_token_family(&redeemed.origin_jti).await?;
            return Err(invalid_grant());
        }
        Ok(())
    }
}

impl CodeGrant {
    pub(crate) fn auth_time(&self) -> Timestamp {
        Timestamp(self.auth_time)
    }
}

/// RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge, verifier 43–128
/// unreserved characters.
pub(crate) fn pkce_holds(challenge: &str, verifier: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    let computed = URL_SAFE_NO_PAD.encode(tessera_crypto::digest::sha256(verifier.as_bytes()));
    well_formed && tessera_crypto::random::ct_eq(computed.as_bytes(), challenge.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::pkce_holds;

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_holds(challenge, verifier));
        assert!(!pkce_holds(
            challenge,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj"
        ));
        assert!(!pkce_holds(challenge, "short"));
    }
}
