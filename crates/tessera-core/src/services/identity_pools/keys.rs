//! The identity service's signing keys: one RS256 key set for the whole
//! install (Cognito's identity service has one issuer, not one per pool),
//! created on first use, sealed at rest, rotatable, with retired keys kept
//! published until the longest-lived OpenID token they signed expires.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde_json::{Map, Value, json};
use tessera_crypto::jwt::{PublicKey, SigningKey};
use tessera_crypto::seal::SealingKey;

use crate::clock::{Clock, Timestamp};
use crate::domain::signing_key::{KeyPurpose, SigningKeyRecord};
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::store::{IDENTITY_KEYS, Store};

/// The longest an OpenID token lives (GetOpenIdTokenForDeveloperIdentity's maximum).
pub(crate) const LONGEST_TOKEN_SECONDS: i64 = 86_400;
/// How long a node signs with keys it read before looking again.
const KEY_CACHE_SECONDS: i64 = 5;

struct Opened {
    loaded: Timestamp,
    active: SigningKey,
    /// kid → key and when it was retired.
    verifying: HashMap<String, (PublicKey, Option<Timestamp>)>,
    /// Every key's JWK and when it was retired, for the JWKS.
    jwks: Vec<(Value, Option<Timestamp>)>,
}

pub(crate) struct IdentityKeys {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sealing: Arc<SealingKey>,
    cache: RwLock<Option<Arc<Opened>>>,
}

fn aad(kid: &str) -> Vec<u8> {
    format!("identity-signing-key|{kid}").into_bytes()
}

fn published(retired: Option<Timestamp>, now: Timestamp) -> bool {
    retired.is_none_or(|at| at.plus_seconds(LONGEST_TOKEN_SECONDS) > now)
}

impl IdentityKeys {
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

    fn new_record(&self) -> Result<SigningKeyRecord> {
        let key = SigningKey::generate()
            .map_err(|e| Error::Internal(format!("generating a signing key: {e:?}")))?;
        Ok(SigningKeyRecord {
            pool_id: UserPoolId::new(IDENTITY_KEYS),
            kid: key.kid().to_owned(),
            purpose: KeyPurpose::IdToken,
            private_key: self.sealing.seal(&key.to_pkcs8(), &aad(key.kid()))?,
            public_jwk: key.public_key().to_jwk().to_string(),
            created: self.clock.now(),
            retired: None,
        })
    }

    async fn stored(&self) -> Result<Vec<SigningKeyRecord>> {
        let keys = self.store.identity_signing_keys().await?;
        if !keys.is_empty() {
            return Ok(keys);
        }
        let fresh = [self.new_record()?];
        Ok(self.store.init_identity_signing_keys(&fresh).await?)
    }

    fn open(&self, records: &[SigningKeyRecord]) -> Result<Opened> {
        let record = records
            .iter()
            .rev()
            .find(|r| r.retired.is_none())
            .ok_or_else(|| Error::Internal("the identity service has no active key".into()))?;
        let der = self.sealing.open(&record.private_key, &aad(&record.kid))?;
        let active = SigningKey::from_pkcs8(&der)
            .map_err(|e| Error::Internal(format!("opening a signing key: {e:?}")))?;
        let mut verifying = HashMap::new();
        let mut jwks = Vec::new();
        for record in records {
            let jwk: Value = serde_json::from_str(&record.public_jwk)
                .map_err(|e| Error::Internal(e.to_string()))?;
            let key = PublicKey::from_jwk(&jwk)
                .map_err(|e| Error::Internal(format!("reading a public key: {e:?}")))?;
            verifying.insert(record.kid.clone(), (key, record.retired));
            jwks.push((jwk, record.retired));
        }
        Ok(Opened {
            loaded: self.clock.now(),
            active,
            verifying,
            jwks,
        })
    }

    /// Opened keys, from the cache unless stale; `reload` (a token naming a
    /// key the cache lacks) rereads at most once a second.
    async fn opened(&self, reload: bool) -> Result<Arc<Opened>> {
        let now = self.clock.now();
        if let Some(keys) = self
            .cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            let fresh_for = if reload { 1 } else { KEY_CACHE_SECONDS };
            if keys.loaded.plus_seconds(fresh_for) > now {
                return Ok(keys.clone());
            }
        }
        let keys = Arc::new(self.open(&self.stored().await?)?);
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = Some(keys.clone());
        Ok(keys)
    }

    pub(crate) async fn sign(&self, claims: &Map<String, Value>) -> Result<String> {
        self.opened(false)
            .await?
            .active
            .sign(claims)
            .map_err(|e| Error::Internal(format!("signing an OpenID token: {e:?}")))
    }

    /// The claims of a token these keys signed; `None` when it is not one.
    pub(crate) async fn verify(&self, token: &str) -> Result<Option<Map<String, Value>>> {
        let Ok(kid) = tessera_crypto::jwt::peek_kid(token) else {
            return Ok(None);
        };
        let mut keys = self.opened(false).await?;
        if !keys.verifying.contains_key(&kid) {
            keys = self.opened(true).await?;
        }
        let now = self.clock.now();
        Ok(keys
            .verifying
            .get(&kid)
            .filter(|(_, retired)| published(*retired, now))
            .and_then(|(key, _)| tessera_crypto::jwt::verify(token, key).ok()))
    }

    /// The JWKS, from the cache: anyone may fetch it, as often as they like.
    pub(crate) async fn jwks(&self) -> Result<Value> {
        let now = self.clock.now();
        let opened = self.opened(false).await?;
        let keys: Vec<&Value> = opened
            .jwks
            .iter()
            .filter(|(_, retired)| published(*retired, now))
            .map(|(jwk, _)| jwk)
            .collect();
        Ok(json!({ "keys": keys }))
    }

    pub(crate) async fn rotate(&self) -> Result<()> {
        self.stored().await?;
        let fresh = [self.new_record()?];
        self.store
            .rotate_identity_signing_keys(&fresh, self.clock.now())
            .await?;
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}
