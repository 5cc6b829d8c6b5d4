//! `SigningKeys`: each pool's two RS256 keys (ID and access, as in Cognito),
//! created on first use and sealed at rest, with the keys retired by a
//! rotation kept for verifying and publishing until their tokens expire. Opened
//! keys are cached briefly, since another node may rotate them.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde_json::{Value, json};
use tessera_crypto::jwt::{PublicKey, SigningKey};
use tessera_crypto::seal::SealingKey;

use crate::clock::{Clock, Timestamp};
use crate::domain::signing_key::{KeyPurpose, SigningKeyRecord};
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::services::existence::pool_not_found;
use crate::store::{Store, StoreError};

/// A retired key stays in the JWKS this long: the longest an ID or access token lives.
const RETIRED_KEY_PUBLISHED_SECONDS: i64 = 86_400;
/// How long a node signs with keys it read before looking again (another
/// node may have rotated them).
const KEY_CACHE_SECONDS: i64 = 5;

/// A key tokens are verified with: what it signs, and since when it is retired.
struct VerifyingKey {
    key: PublicKey,
    purpose: KeyPurpose,
    retired: Option<Timestamp>,
}

/// A pool's keys, opened.
pub(crate) struct PoolKeys {
    loaded: Timestamp,
    pub(crate) id: SigningKey,
    pub(crate) access: SigningKey,
    verifying: HashMap<String, VerifyingKey>,
}

impl PoolKeys {
    /// The key `kid` names, if it signs `purpose` tokens and its tokens can
    /// still be live at `now`: an access token signed with the ID-token key,
    /// or with a key retired longer ago than any token lives, is no token.
    pub(crate) fn verifying(
        &self,
        kid: &str,
        purpose: KeyPurpose,
        now: Timestamp,
    ) -> Option<&PublicKey> {
        self.verifying
            .get(kid)
            .filter(|k| k.purpose == purpose && still_published(k.retired, now))
            .map(|k| &k.key)
    }

    pub(crate) fn knows(&self, kid: &str) -> bool {
        self.verifying.contains_key(kid)
    }
}

/// Whether a key retired at `retired` still vouches for tokens at `now`.
fn still_published(retired: Option<Timestamp>, now: Timestamp) -> bool {
    retired.is_none_or(|at| at.plus_seconds(RETIRED_KEY_PUBLISHED_SECONDS) > now)
}

pub(crate) struct SigningKeys {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sealing: Arc<SealingKey>,
    cache: RwLock<HashMap<UserPoolId, Arc<PoolKeys>>>,
}

fn key_aad(pool: &UserPoolId, kid: &str) -> Vec<u8> {
    format!("signing-key|{pool}|{kid}").into_bytes()
}

impl SigningKeys {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sealing: Arc<SealingKey>,
    ) -> Self {
        Self {
            store,
            clock,
            sealing,
            cache: RwLock::default(),
        }
    }

    fn new_records(&self, pool: &UserPoolId) -> Result<Vec<SigningKeyRecord>> {
        let now = self.clock.now();
        [KeyPurpose::IdToken, KeyPurpose::AccessToken]
            .into_iter()
            .map(|purpose| {
                let key = SigningKey::generate()
                    .map_err(|e| Error::Internal(format!("generating a signing key: {e:?}")))?;
                Ok(SigningKeyRecord {
                    pool_id: pool.clone(),
                    kid: key.kid().to_owned(),
                    purpose,
                    private_key: self
                        .sealing
                        .seal(&key.to_pkcs8(), &key_aad(pool, key.kid()))?,
                    public_jwk: key.public_key().to_jwk().to_string(),
                    created: now,
                    retired: None,
                })
            })
            .collect()
    }

    /// The pool's keys as stored, creating them on first use.
    async fn stored(&self, pool: &UserPoolId) -> Result<Vec<SigningKeyRecord>> {
        let keys = match self.store.signing_keys(pool).await {
            Ok(keys) => keys,
            Err(StoreError::NotFound) => return Err(pool_not_found(pool)),
            Err(e) => return Err(e.into()),
        };
        if !keys.is_empty() {
            return Ok(keys);
        }
        let fresh = self.new_records(pool)?;
        Ok(self.store.init_signing_keys(pool, &fresh).await?)
    }

    fn open(&self, pool: &UserPoolId, records: &[SigningKeyRecord]) -> Result<PoolKeys> {
        let active = |purpose: KeyPurpose| -> Result<SigningKey> {
            let record = records
                .iter()
                .rev()
                .find(|r| r.purpose == purpose && r.retired.is_none())
                .ok_or_else(|| Error::Internal("pool has no active signing key".into()))?;
            let der = self
                .sealing
                .open(&record.private_key, &key_aad(pool, &record.kid))?;
            SigningKey::from_pkcs8(&der)
                .map_err(|e| Error::Internal(format!("opening a signing key: {e:?}")))
        };
        let mut verifying = HashMap::new();
        for record in records {
            let jwk: Value = serde_json::from_str(&record.public_jwk)
                .map_err(|e| Error::Internal(e.to_string()))?;
            let key = PublicKey::from_jwk(&jwk)
                .map_err(|e| Error::Internal(format!("reading a public key: {e:?}")))?;
            verifying.insert(
                record.kid.clone(),
                VerifyingKey {
                    key,
                    purpose: record.purpose,
                    retired: record.retired,
                },
            );
        }
        Ok(PoolKeys {
            loaded: self.clock.now(),
            id: active(KeyPurpose::IdToken)?,
            access: active(KeyPurpose::AccessToken)?,
            verifying,
        })
    }

    /// Opened keys, from the cache unless stale or `reload`. A reload (for a
    /// token naming a key id the cache lacks) happens at most once a second
    /// per pool: anyone can send such a token, and each reload reads the
    /// store and opens the private keys.
    pub(crate) async fn opened(&self, pool: &UserPoolId, reload: bool) -> Result<Arc<PoolKeys>> {
        let now = self.clock.now();
        {
            let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
            if let Some(keys) = cache.get(pool) {
                let fresh_for = if reload { 1 } else { KEY_CACHE_SECONDS };
                if keys.loaded.plus_seconds(fresh_for) > now {
                    return Ok(keys.clone());
                }
            }
        }
        let records = self.stored(pool).await?;
        let keys = Arc::new(self.open(pool, &records)?);
        self.cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(pool.clone(), keys.clone());
        Ok(keys)
    }

    /// The pool's JWKS: active keys and those retired too recently for their tokens to have expired.
    pub(crate) async fn jwks(&self, pool: &UserPoolId) -> Result<Value> {
        let now = self.clock.now();
        let keys: Vec<Value> = self
            .stored(pool)
            .await?
            .iter()
            .filter(|r| still_published(r.retired, now))
            .filter_map(|r| serde_json::from_str(&r.public_jwk).ok())
            .collect();
        Ok(json!({ "keys": keys }))
    }

    /// New keys for the pool; the old ones stay published until their tokens expire.
    pub(crate) async fn rotate(&self, pool: &UserPoolId) -> Result<()> {
        self.stored(pool).await?;
        let fresh = self.new_records(pool)?;
        self.store
            .rotate_signing_keys(pool, &fresh, self.clock.now())
            .await?;
        self.cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(pool);
        Ok(())
    }
}

impl crate::services::Services {
    /// The pool's JWKS.
    pub async fn jwks(&self, pool_id: &UserPoolId) -> Result<Value> {
        self.pool(pool_id).await?;
        self.tokens.keys().jwks(pool_id).await
    }

    /// New signing keys for the pool; running nodes switch within seconds.
    pub async fn rotate_signing_keys(&self, pool_id: &UserPoolId) -> Result<()> {
        self.pool(pool_id).await?;
        self.tokens.keys().rotate(pool_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(purpose: KeyPurpose, retired: Option<Timestamp>) -> (String, VerifyingKey) {
        let signing = SigningKey::generate().expect("key");
        (
            signing.kid().to_owned(),
            VerifyingKey {
                key: signing.public_key(),
                purpose,
                retired,
            },
        )
    }

    #[test]
    fn access_tokens_verify_only_with_live_access_token_keys() {
        let now = Timestamp(10_000_000_000);
        let (active, a) = key(KeyPurpose::AccessToken, None);
        let (recent, b) = key(KeyPurpose::AccessToken, Some(now.plus_seconds(-3600)));
        let (old, c) = key(KeyPurpose::AccessToken, Some(now.plus_seconds(-86_401)));
        let (id_key, d) = key(KeyPurpose::IdToken, None);
        let keys = PoolKeys {
            loaded: now,
            id: SigningKey::generate().expect("key"),
            access: SigningKey::generate().expect("key"),
            verifying: HashMap::from([
                (active.clone(), a),
                (recent.clone(), b),
                (old.clone(), c),
                (id_key.clone(), d),
            ]),
        };
        let access = |kid: &str| keys.verifying(kid, KeyPurpose::AccessToken, now).is_some();
        assert!(access(&active));
        assert!(
            access(&recent),
            "retired an hour ago: its tokens may still live"
        );
        assert!(
            !access(&old),
            "retired over a day ago: no token of it is live"
        );
        assert!(!access(&id_key), "the ID-token key signs no access token");
        assert!(!access("unknown"));
        assert!(keys.knows(&old) && !keys.knows("unknown"));
    }
}
