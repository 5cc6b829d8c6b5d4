//! Reading a pool's configuration documents (resource servers, UI
//! customization, branding, terms) without caring about pages or absence.

use serde_json::Value;

use super::{MAX_PAGE, Services, next_token, page_request};
use crate::domain::oauth::DocumentKind;
use crate::error::Result;
use crate::ids::UserPoolId;
use crate::paging::Page;
use crate::store::{PageRequest, StoreError};

impl Services {
    /// The document, or None when the pool has none under that key.
    pub(crate) async fn document(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        key: &str,
    ) -> Result<Option<Value>> {
        match self.store.get_document(pool, kind, key).await {
            Ok(document) => Ok(Some(document)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every document of `kind` the pool has, by key, all pages read.
    pub(crate) async fn all_documents(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
    ) -> Result<Vec<(String, Value)>> {
        let mut all = Vec::new();
        let mut page = PageRequest {
            after: None,
            limit: MAX_PAGE,
        };
        loop {
            let listing = self.store.list_documents(pool, kind, &page).await?;
            all.extend(listing.items);
            match listing.next {
                Some(after) => page.after = Some(after),
                None => return Ok(all),
            }
        }
    }

    /// One page of the pool's documents of `kind`, each read by `decode`,
    /// for the List operations.
    pub(crate) async fn document_page<T>(
        &self,
        pool: &UserPoolId,
        kind: DocumentKind,
        max: Option<i64>,
        token: Option<&str>,
        decode: impl Fn(Value) -> Result<T>,
    ) -> Result<Page<T>> {
        let listing = self
            .store
            .list_documents(pool, kind, &page_request(max, token)?)
            .await?;
        Ok(Page {
            items: listing
                .items
                .into_iter()
                .map(|(_, document)| decode(document))
                .collect::<Result<_>>()?,
            next: next_token(listing.next),
        })
    }
}
