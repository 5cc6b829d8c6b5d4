//! Identities: GetId (a guest identity, or the identity a login already
//! has, or a new one), linking logins as Cognito links them (a guest that
//! logs in becomes that login's identity unless the login already has one),
//! the identity operations, and developer-authenticated identities.

use std::collections::BTreeMap;

use super::logins::VerifiedLogin;
use super::{identity_not_found, logins_do_not_match, pool_not_found};
use crate::domain::identity_pool::{Identity, IdentityLogin, IdentityPool};
use crate::error::{Error, Result};
use crate::ids::{IdentityId, IdentityPoolId};
use crate::paging::Page;
use crate::services::{Services, next_token, page_request};
use crate::store::{Conflict, StoreError};

/// DeleteIdentities' largest batch.
const MAX_DELETE: usize = 60;

/// LookupDeveloperIdentity's answer.
#[derive(Debug)]
pub struct DeveloperLookup {
    pub identity_id: IdentityId,
    pub developer_user_ids: Vec<String>,
    pub next: Option<String>,
}

fn unauthenticated_not_allowed() -> Error {
    Error::NotAuthorized("Unauthenticated access is not supported for this identity pool.".into())
}

fn no_developer_provider() -> Error {
    Error::InvalidParameter("The identity pool has no DeveloperProviderName.".into())
}

impl Services {
    pub(crate) async fn identity(&self, id: &IdentityId) -> Result<Identity> {
        self.store.get_identity(id).await.map_err(|e| match e {
            StoreError::NotFound => identity_not_found(id),
            other => other.into(),
        })
    }

    /// A new identity of the pool holding `logins` (none: a guest); `None`
    /// when another identity took one of the logins meanwhile.
    async fn new_identity(
        &self,
        pool: &IdentityPool,
        logins: Vec<IdentityLogin>,
    ) -> Result<Option<Identity>> {
        let now = self.clock.now();
        let mut logins = logins;
        logins.sort();
        logins.dedup();
        let identity = Identity {
            pool_id: pool.id.clone(),
            id: IdentityId::new(format!(
                "{}:{}",
                self.deployment.region,
                uuid::Uuid::new_v4()
            )),
            created: now,
            modified: now,
            logins,
        };
        match self.store.create_identity(&identity).await {
            Ok(()) => Ok(Some(identity)),
            Err(StoreError::Conflict(Conflict::IdentityLogin)) => Ok(None),
            Err(StoreError::NotFound) => Err(pool_not_found(&pool.id)),
            Err(e) => Err(e.into()),
        }
    }

    /// Links `logins` to the identity; `None` when another identity took one meanwhile.
    async fn link(&self, id: &IdentityId, logins: &[IdentityLogin]) -> Result<Option<Identity>> {
        match self
            .store
            .link_identity_logins(id, logins, self.clock.now())
            .await
        {
            Ok(()) => Ok(Some(self.identity(id).await?)),
            Err(StoreError::Conflict(Conflict::IdentityLogin)) => Ok(None),
            Err(StoreError::NotFound) => Err(identity_not_found(id)),
            Err(e) => Err(e.into()),
        }
    }

    async fn holder(&self, pool: &IdentityPool, login: &IdentityLogin) -> Result<Option<Identity>> {
        match self.store.find_identity_by_login(&pool.id, login).await {
            Ok(identity) => Ok(Some(identity)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The identity checked logins stand for, linking to it the logins it
    /// lacks. The identity a login (or the developer token) already has wins;
    /// `start`, the identity the caller named, must then be that identity or a
    /// guest (a guest logging in as a user who has an identity is given that
    /// one, as Cognito does); an authenticated `start` must hold one of the
    /// logins, so no one links their login to another's identity. With no
    /// identity found, `start` or a new identity gets the logins. Concurrent
    /// first logins of one user agree on one identity: the store refuses a
    /// second holder of a login, and the lookup runs again.
    pub(crate) async fn identity_for_logins(
        &self,
        pool: &IdentityPool,
        start: Option<Identity>,
        verified: &[VerifiedLogin],
    ) -> Result<Identity> {
        for _ in 0..3 {
            let mut found = match verified.iter().find_map(|l| l.identity.clone()) {
                Some(id) => {
                    let identity = self.identity(&id).await?;
                    if identity.pool_id != pool.id {
                        return Err(logins_do_not_match());
                    }
                    Some(identity)
                }
                None => None,
            };
            let logins: Vec<IdentityLogin> = verified
                .iter()
                .filter(|l| l.identity.is_none())
                .map(|l| l.login.clone())
                .collect();
            for login in &logins {
                if let Some(holder) = self.holder(pool, login).await? {
                    match &found {
                        Some(f) if f.id != holder.id => return Err(logins_do_not_match()),
                        _ => found = Some(holder),
                    }
                }
            }
            let target = match (start.clone(), found) {
                (Some(start), Some(found)) if start.id != found.id && !start.logins.is_empty() => {
                    return Err(logins_do_not_match());
                }
                (Some(start), None) if !start.logins.is_empty() => {
                    return Err(logins_do_not_match());
                }
                (_, Some(found)) => Some(found),
                (start, None) => start,
            };
            let outcome = match target {
                None => self.new_identity(pool, logins).await?,
                Some(identity) => {
                    let missing: Vec<IdentityLogin> = logins
                        .into_iter()
                        .filter(|l| !identity.logins.contains(l))
                        .collect();
                    if missing.is_empty() {
                        return Ok(identity);
                    }
                    self.link(&identity.id, &missing).await?
                }
            };
            if let Some(identity) = outcome {
                return Ok(identity);
            }
        }
        Err(Error::Internal("logins kept changing hands".into()))
    }

    /// GetId.
    pub async fn get_id(
        &self,
        pool_id: &IdentityPoolId,
        logins: &BTreeMap<String, String>,
    ) -> Result<IdentityId> {
        let pool = self.identity_pool(pool_id).await?;
        if logins.is_empty() {
            if !pool.allow_unauthenticated {
                return Err(unauthenticated_not_allowed());
            }
            return self
                .new_identity(&pool, Vec::new())
                .await?
                .map(|identity| identity.id)
                .ok_or_else(|| {
                    Error::Internal("a guest identity has no logins to conflict".into())
                });
        }
        let verified = self.verify_logins(&pool, logins).await?;
        Ok(self.identity_for_logins(&pool, None, &verified).await?.id)
    }

    /// The identity and its pool, for the unsigned operations that name an
    /// identity: without logins it must be a guest of a pool that allows
    /// guests; with logins, the logins are checked and linked.
    /// `admit` refuses what the pool does not allow before anything is
    /// linked, so such a refusal changes nothing.
    pub(crate) async fn identity_with_logins(
        &self,
        id: &IdentityId,
        logins: &BTreeMap<String, String>,
        admit: impl FnOnce(&IdentityPool) -> Result<()>,
    ) -> Result<(IdentityPool, Identity, Vec<VerifiedLogin>)> {
        let identity = self.identity(id).await?;
        let pool = self.identity_pool(&identity.pool_id).await?;
        admit(&pool)?;
        if logins.is_empty() {
            if !identity.logins.is_empty() {
                return Err(logins_do_not_match());
            }
            if !pool.allow_unauthenticated {
                return Err(unauthenticated_not_allowed());
            }
            return Ok((pool, identity, Vec::new()));
        }
        let verified = self.verify_logins(&pool, logins).await?;
        let identity = self
            .identity_for_logins(&pool, Some(identity), &verified)
            .await?;
        Ok((pool, identity, verified))
    }

    pub async fn describe_identity(&self, id: &IdentityId) -> Result<Identity> {
        self.identity(id).await
    }

    pub async fn list_identities(
        &self,
        pool_id: &IdentityPoolId,
        max_results: i64,
        next: Option<&str>,
    ) -> Result<Page<Identity>> {
        let page = page_request(Some(max_results), next)?;
        let listing = self
            .store
            .list_identities(pool_id, &page)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => pool_not_found(pool_id),
                other => other.into(),
            })?;
        Ok(Page {
            items: listing.items,
            next: next_token(listing.next),
        })
    }

    /// DeleteIdentities: ids that do not exist are not an error.
    pub async fn delete_identities(&self, ids: &[IdentityId]) -> Result<()> {
        if ids.len() > MAX_DELETE {
            return Err(Error::InvalidParameter(format!(
                "At most {MAX_DELETE} identities can be deleted at once."
            )));
        }
        Ok(self.store.delete_identities(ids).await?)
    }

    /// UnlinkIdentity: the logins prove the caller is the identity; the
    /// providers named in `remove` are unlinked from it.
    pub async fn unlink_identity(
        &self,
        id: &IdentityId,
        logins: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<()> {
        let identity = self.identity(id).await?;
        let pool = self.identity_pool(&identity.pool_id).await?;
        let verified = self.verify_logins(&pool, logins).await?;
        if !verified
            .iter()
            .any(|l| identity.logins.contains(&l.login) || l.identity.as_ref() == Some(id))
        {
            return Err(logins_do_not_match());
        }
        let providers: Vec<String> = remove
            .iter()
            .map(|key| match self.canonical_provider(key) {
                Some(canonical) => canonical,
                None => key.clone(),
            })
            .collect();
        let gone: Vec<IdentityLogin> = identity
            .logins
            .iter()
            .filter(|l| providers.contains(&l.provider))
            .cloned()
            .collect();
        self.unlink(&identity, &gone).await
    }

    /// Removes logins from an identity. One left with none is deleted, as
    /// Cognito makes it inaccessible: kept, it would pass for a guest, and
    /// anyone who knows its id could link their login to it and act as it.
    async fn unlink(&self, identity: &Identity, gone: &[IdentityLogin]) -> Result<()> {
        if gone.is_empty() {
            return Ok(());
        }
        if identity.logins.iter().all(|l| gone.contains(l)) {
            return Ok(self
                .store
                .delete_identities(std::slice::from_ref(&identity.id))
                .await?);
        }
        self.store
            .unlink_identity_logins(&identity.id, gone, self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound => identity_not_found(&identity.id),
                other => other.into(),
            })
    }

    /// The name a login key is stored under: a user pool's canonical name
    /// for either of its keys, the key itself otherwise.
    fn canonical_provider(&self, key: &str) -> Option<String> {
        let pool = self.user_pool_of_login_key(key)?;
        Some(format!(
            "cognito-idp.{}.amazonaws.com/{pool}",
            pool.region()
        ))
    }

    /// The pool's developer provider, checked against the name a call gives.
    fn developer_provider<'a>(pool: &'a IdentityPool, named: Option<&str>) -> Result<&'a str> {
        let provider = pool
            .developer_provider_name
            .as_deref()
            .ok_or_else(no_developer_provider)?;
        match named {
            Some(n) if n != provider => Err(Error::InvalidParameter(format!(
                "{n} is not the developer provider of this identity pool."
            ))),
            _ => Ok(provider),
        }
    }

    /// The identity of a developer user, and whether it was just made. With
    /// `identity_id`, the user is linked to that identity, which must not
    /// hold another user of the provider.
    pub(crate) async fn developer_identity(
        &self,
        pool: &IdentityPool,
        user_id: &str,
        identity_id: Option<&IdentityId>,
    ) -> Result<Identity> {
        let provider = Self::developer_provider(pool, None)?;
        let login = IdentityLogin {
            provider: provider.to_owned(),
            subject: user_id.to_owned(),
        };
        if let Some(holder) = self.holder(pool, &login).await? {
            return match identity_id {
                Some(id) if *id != holder.id => Err(Error::DeveloperUserAlreadyRegistered(
                    "The developer user is already registered with another identity.".into(),
                )),
                _ => Ok(holder),
            };
        }
        let outcome = match identity_id {
            None => self.new_identity(pool, vec![login.clone()]).await?,
            Some(id) => {
                let identity = self.identity(id).await?;
                if identity.pool_id != pool.id {
                    return Err(identity_not_found(id));
                }
                if identity.logins.iter().any(|l| l.provider == provider) {
                    return Err(Error::DeveloperUserAlreadyRegistered(
                        "The identity is already linked to another developer user.".into(),
                    ));
                }
                self.link(id, std::slice::from_ref(&login)).await?
            }
        };
        match outcome {
            Some(identity) => Ok(identity),
            // Another request registered the user first.
            None => match (self.holder(pool, &login).await?, identity_id) {
                (Some(holder), None) => Ok(holder),
                _ => Err(Error::DeveloperUserAlreadyRegistered(
                    "The developer user is already registered with another identity.".into(),
                )),
            },
        }
    }

    pub async fn lookup_developer_identity(
        &self,
        pool_id: &IdentityPoolId,
        identity_id: Option<&IdentityId>,
        developer_user_id: Option<&str>,
        max_results: Option<i64>,
        next: Option<&str>,
    ) -> Result<DeveloperLookup> {
        let pool = self.identity_pool(pool_id).await?;
        let provider = Self::developer_provider(&pool, None)?;
        let identity = match (developer_user_id, identity_id) {
            (Some(user), id) => {
                let login = IdentityLogin {
                    provider: provider.to_owned(),
                    subject: user.to_owned(),
                };
                let holder = self.holder(&pool, &login).await?.ok_or_else(|| {
                    Error::ResourceNotFound(format!("Developer user '{user}' not found."))
                })?;
                if id.is_some_and(|id| *id != holder.id) {
                    return Err(Error::ResourceNotFound(format!(
                        "Developer user '{user}' is not linked to that identity."
                    )));
                }
                holder
            }
            (None, Some(id)) => {
                let identity = self.identity(id).await?;
                if identity.pool_id != pool.id {
                    return Err(identity_not_found(id));
                }
                identity
            }
            (None, None) => {
                return Err(Error::InvalidParameter(
                    "Either IdentityId or DeveloperUserIdentifier must be given.".into(),
                ));
            }
        };
        let page = page_request(max_results, next)?;
        let mut users: Vec<String> = identity
            .logins
            .iter()
            .filter(|l| l.provider == provider)
            .map(|l| l.subject.clone())
            .filter(|s| page.after.as_ref().is_none_or(|after| s > after))
            .collect();
        let next = (users.len() > page.limit).then(|| users[page.limit - 1].clone());
        users.truncate(page.limit);
        Ok(DeveloperLookup {
            identity_id: identity.id,
            developer_user_ids: users,
            next: next_token(next),
        })
    }

    /// MergeDeveloperIdentities: the source user's identity is merged into
    /// the destination user's, which keeps every login of both.
    pub async fn merge_developer_identities(
        &self,
        pool_id: &IdentityPoolId,
        provider_name: &str,
        source_user: &str,
        destination_user: &str,
    ) -> Result<IdentityId> {
        let pool = self.identity_pool(pool_id).await?;
        let provider = Self::developer_provider(&pool, Some(provider_name))?;
        let find = |user: &str| IdentityLogin {
            provider: provider.to_owned(),
            subject: user.to_owned(),
        };
        let not_found =
            |user: &str| Error::ResourceNotFound(format!("Developer user '{user}' not found."));
        let source = self
            .holder(&pool, &find(source_user))
            .await?
            .ok_or_else(|| not_found(source_user))?;
        let destination = self
            .holder(&pool, &find(destination_user))
            .await?
            .ok_or_else(|| not_found(destination_user))?;
        if source.id != destination.id {
            self.store
                .merge_identities(&source.id, &destination.id, self.clock.now())
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => identity_not_found(&source.id),
                    other => other.into(),
                })?;
        }
        Ok(destination.id)
    }

    pub async fn unlink_developer_identity(
        &self,
        pool_id: &IdentityPoolId,
        identity_id: &IdentityId,
        provider_name: &str,
        user_id: &str,
    ) -> Result<()> {
        let pool = self.identity_pool(pool_id).await?;
        let provider = Self::developer_provider(&pool, Some(provider_name))?;
        let identity = self.identity(identity_id).await?;
        let login = IdentityLogin {
            provider: provider.to_owned(),
            subject: user_id.to_owned(),
        };
        if identity.pool_id != pool.id || !identity.logins.contains(&login) {
            return Err(Error::ResourceNotFound(format!(
                "Developer user '{user_id}' is not linked to identity '{identity_id}'."
            )));
        }
        self.unlink(&identity, &[login]).await
    }
}
