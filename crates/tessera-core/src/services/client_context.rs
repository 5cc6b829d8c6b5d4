//! The pool, app client and client policy a client-facing request acts for,
//! resolved once at the start of the request.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::Services;
use super::existence::client_not_found;
use crate::domain::client::AppClient;
use crate::domain::client_policy::ClientPolicy;
use crate::domain::pool::UserPool;
use crate::error::Result;
use crate::ids::{ClientId, UserPoolId};
use crate::store::StoreError;

pub struct ClientContext {
    pub pool: UserPool,
    pub client: AppClient,
    /// The client's settings, parsed once for this request.
    pub policy: ClientPolicy,
    /// The request's `ClientMetadata`, passed to the triggers it runs.
    pub client_metadata: BTreeMap<String, String>,
    /// InitiateAuth's `ClientMetadata`: Cognito gives it only to
    /// PreAuthentication and UserMigration, as `validationData`.
    pub validation_data: BTreeMap<String, String>,
    /// A sign-in on the hosted pages: it ends signed in, and the tokens come
    /// from the authorization code.
    pub hosted: bool,
    /// The address the request acts for (see `RequestOrigin::address`).
    pub ip: Option<IpAddr>,
    /// The request's `User-Agent`, which a token session shows as its device.
    pub user_agent: Option<String>,
}

impl ClientContext {
    /// `EnablePropagateAdditionalUserContextData`: the client's statement of
    /// its user's address counts. Only for a client with a secret, as in
    /// Cognito: a browser app could state any address it liked (one in a
    /// skipped range, or outside a blocked one).
    pub(crate) fn propagates_user_context(&self) -> bool {
        self.client.has_secret()
            && self
                .client
                .settings
                .get("EnablePropagateAdditionalUserContextData")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false)
    }
}

impl Services {
    /// The client and its pool; for admin calls, the client must be the named pool's.
    pub(crate) async fn client_context(
        &self,
        client_id: &ClientId,
        admin_pool: Option<&UserPoolId>,
    ) -> Result<ClientContext> {
        if let Some(pool) = admin_pool {
            self.pool(pool).await?;
        }
        let client = match self.store.find_client(client_id).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => return Err(client_not_found(client_id)),
            Err(e) => return Err(e.into()),
        };
        if admin_pool.is_some_and(|p| *p != client.pool_id) {
            return Err(client_not_found(client_id));
        }
        let pool = self.pool(&client.pool_id).await?;
        Ok(ClientContext {
            policy: client.policy(),
            pool,
            client,
            client_metadata: BTreeMap::new(),
            validation_data: BTreeMap::new(),
            hosted: false,
            ip: None,
            user_agent: None,
        })
    }
}
