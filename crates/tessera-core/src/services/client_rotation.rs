//! Client secret rotation: AddUserPoolClientSecret, ListUserPoolClientSecrets
//! and DeleteUserPoolClientSecret. A client holds up to two secrets at once,
//! and every check accepts either ([`client_secret`](super::client_secret)).

use super::Services;
use super::client_secret::generate_secret;
use super::existence::client_not_found;
use crate::clock::Timestamp;
use crate::domain::client::{ClientSecret, MAX_CLIENT_SECRETS};
use crate::error::{Error, Result};
use crate::ids::{ClientId, ClientSecretId, UserPoolId};
use crate::store::{Conflict, StoreError};

/// What the rotation operations say about a secret. `value` is only ever the
/// secret Tessera generated, returned once by the call that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSecretDescriptor {
    pub id: ClientSecretId,
    pub created: Timestamp,
    pub value: Option<String>,
}

impl ClientSecretDescriptor {
    fn of(secret: &ClientSecret) -> Self {
        Self {
            id: secret.id.clone(),
            created: secret.created,
            value: None,
        }
    }
}

fn limit_reached(client: &ClientId) -> Error {
    Error::LimitExceeded(format!(
        "Client {client} already has the maximum of {MAX_CLIENT_SECRETS} client secrets."
    ))
}

impl Services {
    /// Adds a secret to a confidential client: `value` if the caller chose one
    /// (it is then not returned), otherwise a generated one (returned once).
    pub async fn add_client_secret(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
        value: Option<String>,
    ) -> Result<ClientSecretDescriptor> {
        self.pool(pool_id).await?;
        let client = self.client(pool_id, client_id).await?;
        // A public client stays public: giving it a secret would refuse every
        // app that signs in with it today.
        if !client.has_secret() {
            return Err(Error::InvalidParameter(format!(
                "Client {client_id} is not configured with a client secret."
            )));
        }
        if client.secrets.len() >= MAX_CLIENT_SECRETS {
            return Err(limit_reached(client_id));
        }
        let generated = value.is_none();
        let value = value.unwrap_or_else(generate_secret);
        let mut created = self.clock.now();
        loop {
            // Ids are `<client>--<millis>`: step past a secret made in the same
            // millisecond rather than collide with it.
            while client
                .secrets
                .iter()
                .any(|s| s.id == ClientSecret::id_for(client_id, created))
            {
                created = Timestamp(created.millis() + 1);
            }
            let secret = self.seal_client_secret(pool_id, client_id, &value, created, false)?;
            match self
                .store
                .add_client_secret(pool_id, client_id, &secret, MAX_CLIENT_SECRETS)
                .await
            {
                Ok(()) => {
                    return Ok(ClientSecretDescriptor {
                        value: generated.then_some(value),
                        ..ClientSecretDescriptor::of(&secret)
                    });
                }
                Err(StoreError::Conflict(Conflict::ClientSecretId)) => {
                    created = Timestamp(created.millis() + 1);
                }
                Err(StoreError::Conflict(Conflict::ClientSecretLimit)) => {
                    return Err(limit_reached(client_id));
                }
                Err(StoreError::NotFound) => return Err(client_not_found(client_id)),
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The client's current secrets, oldest first, without their values.
    pub async fn list_client_secrets(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
    ) -> Result<Vec<ClientSecretDescriptor>> {
        self.pool(pool_id).await?;
        let client = self.client(pool_id, client_id).await?;
        Ok(client
            .secrets
            .iter()
            .map(ClientSecretDescriptor::of)
            .collect())
    }

    /// Removes one secret; the client's last cannot go, as in Cognito.
    pub async fn delete_client_secret(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
        secret_id: &ClientSecretId,
    ) -> Result<()> {
        self.pool(pool_id).await?;
        self.client(pool_id, client_id).await?;
        self.store
            .delete_client_secret(pool_id, client_id, secret_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => Error::ResourceNotFound(format!(
                    "Client secret {secret_id} does not exist for client {client_id}."
                )),
                StoreError::Conflict(Conflict::LastClientSecret) => Error::InvalidParameter(
                    format!("Cannot delete the last client secret of client {client_id}."),
                ),
                other => other.into(),
            })
    }
}
