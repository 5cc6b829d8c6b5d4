//! Identity pools (the `cognito-identity` API): pools and their roles,
//! identities and the logins that find them again, the identity service's
//! OpenID tokens, and AWS credentials through a `CredentialSource`.

use std::sync::Arc;

use tessera_crypto::seal::SealingKey;

use crate::clock::Clock;
use crate::credential_source::{CredentialSource, OidcKeys};
use crate::store::Store;

pub struct IdentityService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sealing: Arc<SealingKey>,
    issuer: String,
    credentials: Arc<dyn CredentialSource>,
    oidc: Arc<dyn OidcKeys>,
}

impl IdentityService {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sealing: Arc<SealingKey>,
        public_url: &str,
        credentials: Arc<dyn CredentialSource>,
        oidc: Arc<dyn OidcKeys>,
    ) -> Self {
        Self {
            store,
            clock,
            sealing,
            issuer: format!("{}/cognito-identity", public_url.trim_end_matches('/')),
            credentials,
            oidc,
        }
    }
}
