//! The one place a client secret is sealed, opened and checked: as the secret
//! itself (GetTokensFromRefreshToken, RevokeToken) or as a SECRET_HASH
//! computed from it, always in constant time.

use super::Services;
use crate::domain::client::AppClient;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};

/// Binds a sealed client secret to its client, so it cannot be moved to another row.
fn secret_aad(pool: &UserPoolId, client: &ClientId) -> Vec<u8> {
    format!("client-secret|{pool}|{client}").into_bytes()
}

impl Services {
    pub(crate) fn seal_client_secret(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        secret: &str,
    ) -> Result<Vec<u8>> {
        Ok(self
            .sealing
            .seal(secret.as_bytes(), &secret_aad(pool, client))?)
    }

    pub(crate) fn open_client_secret(&self, client: &AppClient) -> Result<Option<String>> {
        client
            .secret
            .as_deref()
            .map(|sealed| {
                let bytes = self
                    .sealing
                    .open(sealed, &secret_aad(&client.pool_id, &client.id))?;
                String::from_utf8(bytes)
                    .map_err(|_| Error::Internal("client secret is not UTF-8".into()))
            })
            .transpose()
    }

    /// Whether `given` is the client's secret; a client without one accepts anything.
    pub(crate) fn client_secret_matches(
        &self,
        client: &AppClient,
        given: Option<&str>,
    ) -> Result<bool> {
        Ok(match self.open_client_secret(client)? {
            Some(secret) => tessera_crypto::random::ct_eq(
                secret.as_bytes(),
                given.unwrap_or_default().as_bytes(),
            ),
            None => true,
        })
    }

    /// Checks SECRET_HASH for clients with a secret. Clients may hash the
    /// username they typed or the internal one; any of `usernames` is accepted.
    pub(crate) fn check_secret_hash(
        &self,
        client: &AppClient,
        given: Option<&str>,
        usernames: &[&str],
    ) -> Result<()> {
        self.check_secret_hash_for(client, given, usernames, SecretHashUse::Other)
    }

    /// [`check_secret_hash`](Self::check_secret_hash), in the wording of the
    /// operation that needs it.
    pub(crate) fn check_secret_hash_for(
        &self,
        client: &AppClient,
        given: Option<&str>,
        usernames: &[&str],
        used_for: SecretHashUse,
    ) -> Result<()> {
        let Some(secret) = self.open_client_secret(client)? else {
            return Ok(());
        };
        let id = &client.id;
        let Some(given) = given else {
            return Err(Error::NotAuthorized(match used_for {
                SecretHashUse::SrpStart => {
                    format!(
                        "Client {id} is configured with secret but SECRET_HASH was not received"
                    )
                }
                _ => format!("Client {id} is configured for secret but secret was not received"),
            }));
        };
        let ok = usernames
            .iter()
            .any(|u| tessera_crypto::srp::secret_hash_matches(&secret, u, id.as_str(), given));
        if ok {
            return Ok(());
        }
        Err(Error::NotAuthorized(match used_for {
            SecretHashUse::Refresh => format!("SecretHash does not match for the client: {id}"),
            _ => format!("Unable to verify secret hash for client {id}"),
        }))
    }
}

/// Where a SECRET_HASH is checked: Cognito words the refusals of a few
/// operations its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SecretHashUse {
    /// USER_SRP_AUTH's first step (aws-amplify/amplify-android#2504).
    SrpStart,
    /// REFRESH_TOKEN_AUTH (NabuCasa/pycognito#196).
    Refresh,
    Other,
}
