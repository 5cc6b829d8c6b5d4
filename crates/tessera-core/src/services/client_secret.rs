//! The one place a client secret is sealed, opened and checked: as the secret
//! itself (GetTokensFromRefreshToken, RevokeToken, the token endpoint) or as a
//! SECRET_HASH computed from it, always in constant time. A client being
//! rotated holds two secrets, and every check accepts either.

use super::Services;
use crate::clock::Timestamp;
use crate::domain::client::{AppClient, ClientSecret};
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};

const CLIENT_SECRET_LEN: usize = 51;

/// A secret of the length and alphabet Cognito generates.
pub(crate) fn generate_secret() -> String {
    tessera_crypto::random::alphanumeric_lower(CLIENT_SECRET_LEN)
}

/// Binds a sealed client secret to its client and id, so it cannot be moved
/// to another row. The secret made with the client keeps the binding to the
/// client alone that it had before clients could hold several: it is the only
/// initial one, and secrets sealed then still open.
fn secret_aad(pool: &UserPoolId, client: &ClientId, secret: &ClientSecret) -> Vec<u8> {
    if secret.initial {
        format!("client-secret|{pool}|{client}").into_bytes()
    } else {
        format!("client-secret|{pool}|{client}|{}", secret.id).into_bytes()
    }
}

impl Services {
    /// A new secret for `client`, sealed; `initial` for the one made with it.
    pub(crate) fn seal_client_secret(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        value: &str,
        created: Timestamp,
        initial: bool,
    ) -> Result<ClientSecret> {
        let mut secret = ClientSecret {
            id: ClientSecret::id_for(client, created),
            sealed: Vec::new(),
            created,
            initial,
        };
        secret.sealed = self
            .sealing
            .seal(value.as_bytes(), &secret_aad(pool, client, &secret))?;
        Ok(secret)
    }

    fn open_one(&self, client: &AppClient, secret: &ClientSecret) -> Result<String> {
        let bytes = self.sealing.open(
            &secret.sealed,
            &secret_aad(&client.pool_id, &client.id, secret),
        )?;
        String::from_utf8(bytes).map_err(|_| Error::Internal("client secret is not UTF-8".into()))
    }

    /// Every current secret of the client, oldest first.
    pub(crate) fn open_client_secrets(&self, client: &AppClient) -> Result<Vec<String>> {
        client
            .secrets
            .iter()
            .map(|s| self.open_one(client, s))
            .collect()
    }

    /// The secret DescribeUserPoolClient shows: the one made with the client,
    /// while it is current.
    pub(crate) fn described_client_secret(&self, client: &AppClient) -> Result<Option<String>> {
        client
            .secrets
            .iter()
            .find(|s| s.initial)
            .map(|s| self.open_one(client, s))
            .transpose()
    }

    /// A current secret of the client, for pages that sign in on its behalf
    /// (any one passes the checks).
    pub fn any_client_secret(&self, client: &AppClient) -> Result<Option<String>> {
        client
            .secrets
            .first()
            .map(|s| self.open_one(client, s))
            .transpose()
    }

    /// Whether `given` is one of the client's secrets; a client without one
    /// accepts anything. Every secret is compared, in constant time, so the
    /// time taken does not say which one matched.
    pub(crate) fn client_secret_matches(
        &self,
        client: &AppClient,
        given: Option<&str>,
    ) -> Result<bool> {
        let secrets = self.open_client_secrets(client)?;
        if secrets.is_empty() {
            return Ok(true);
        }
        let given = given.unwrap_or_default().as_bytes();
        Ok(secrets.iter().fold(false, |matched, secret| {
            matched | tessera_crypto::random::ct_eq(secret.as_bytes(), given)
        }))
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
        let secrets = self.open_client_secrets(client)?;
        if secrets.is_empty() {
            return Ok(());
        }
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
        // Every pairing is checked (no short cut on a match), so the time
        // taken does not say which secret the caller holds.
        let ok = secrets.iter().fold(false, |matched, secret| {
            usernames.iter().fold(matched, |matched, u| {
                matched | tessera_crypto::srp::secret_hash_matches(secret, u, id.as_str(), given)
            })
        });
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
