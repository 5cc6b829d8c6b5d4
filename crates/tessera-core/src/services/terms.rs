//! Terms documents: the terms-of-use and privacy-policy links managed login
//! shows an app client's users, one of each name per client, kept as
//! documents keyed `<client id>/<terms name>` so the database holds that
//! rule.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Services;
use crate::clock::Timestamp;
use crate::domain::oauth::{DocumentKind, DocumentWrite};
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::paging::Page;
use crate::store::{Conflict, StoreError};

const KIND: DocumentKind = DocumentKind::Terms;

/// TermsType without the pool id, as stored and described.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Terms {
    pub terms_id: String,
    pub client_id: ClientId,
    /// `terms-of-use` or `privacy-policy`.
    pub terms_name: String,
    pub terms_source: String,
    pub enforcement: String,
    /// URL by language (`cognito:default`, `cognito:spanish`, …).
    #[serde(default)]
    pub links: BTreeMap<String, String>,
    pub creation_date: Timestamp,
    pub last_modified_date: Timestamp,
}

/// CreateTerms / UpdateTerms members; Update changes only those it is given.
#[derive(Default)]
pub struct TermsInput {
    pub terms_name: Option<String>,
    pub terms_source: Option<String>,
    pub enforcement: Option<String>,
    pub links: Option<BTreeMap<String, String>>,
}

fn key(client: &ClientId, name: &str) -> String {
    format!("{client}/{name}")
}

fn not_found(what: &str) -> Error {
    Error::ResourceNotFound(format!("Terms {what} do not exist."))
}

fn exists(client: &ClientId, name: &str) -> Error {
    Error::TermsExists(format!(
        "App client {client} already has terms documents named {name}."
    ))
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("terms: {e}"))
}

impl Services {
    async fn put_terms(
        &self,
        pool_id: &UserPoolId,
        terms: &Terms,
        write: DocumentWrite,
    ) -> Result<()> {
        let document = serde_json::to_value(terms).map_err(internal)?;
        let key = key(&terms.client_id, &terms.terms_name);
        self.store
            .put_document(pool_id, KIND, &key, &document, write)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(Conflict::Document) => {
                    exists(&terms.client_id, &terms.terms_name)
                }
                StoreError::NotFound => not_found(&terms.terms_id),
                other => other.into(),
            })
    }

    pub async fn create_terms(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
        input: TermsInput,
    ) -> Result<Terms> {
        self.pool(pool_id).await?;
        self.client(pool_id, client_id).await?;
        let now = self.clock.now();
        let terms = Terms {
            terms_id: uuid::Uuid::new_v4().to_string(),
            client_id: client_id.clone(),
            terms_name: input.terms_name.unwrap_or_default(),
            terms_source: input.terms_source.unwrap_or_default(),
            enforcement: input.enforcement.unwrap_or_default(),
            links: input.links.unwrap_or_default(),
            creation_date: now,
            last_modified_date: now,
        };
        self.put_terms(pool_id, &terms, DocumentWrite::Create)
            .await?;
        Ok(terms)
    }

    /// A client's terms documents.
    pub(crate) async fn terms_of_client(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
    ) -> Result<Vec<Terms>> {
        let prefix = format!("{client_id}/");
        self.all_documents(pool_id, KIND)
            .await?
            .into_iter()
            .filter(|(key, _)| key.starts_with(&prefix))
            .map(|(_, document)| serde_json::from_value(document).map_err(internal))
            .collect()
    }

    /// Terms by id: a pool has two per client at most, so they are searched.
    pub async fn describe_terms(&self, pool_id: &UserPoolId, terms_id: &str) -> Result<Terms> {
        self.pool(pool_id).await?;
        for (_, document) in self.all_documents(pool_id, KIND).await? {
            let terms: Terms = serde_json::from_value(document).map_err(internal)?;
            if terms.terms_id == terms_id {
                return Ok(terms);
            }
        }
        Err(not_found(terms_id))
    }

    pub async fn describe_terms_by_client(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
        name: &str,
    ) -> Result<Terms> {
        self.pool(pool_id).await?;
        let document = self
            .document(pool_id, KIND, &key(client_id, name))
            .await?
            .ok_or_else(|| not_found(&format!("{name} of app client {client_id}")))?;
        serde_json::from_value(document).map_err(internal)
    }

    pub async fn list_terms(
        &self,
        pool_id: &UserPoolId,
        max: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<Terms>> {
        self.pool(pool_id).await?;
        self.document_page(pool_id, KIND, max, token, |d| {
            serde_json::from_value(d).map_err(internal)
        })
        .await
    }

    /// A new name moves the terms to their new key, refused when the client
    /// already has terms of that name.
    pub async fn update_terms(
        &self,
        pool_id: &UserPoolId,
        terms_id: &str,
        input: TermsInput,
    ) -> Result<Terms> {
        let mut terms = self.describe_terms(pool_id, terms_id).await?;
        let old_name = terms.terms_name.clone();
        if let Some(name) = input.terms_name {
            terms.terms_name = name;
        }
        if let Some(source) = input.terms_source {
            terms.terms_source = source;
        }
        if let Some(enforcement) = input.enforcement {
            terms.enforcement = enforcement;
        }
        if let Some(links) = input.links {
            terms.links = links;
        }
        terms.last_modified_date = self.clock.now();
        if terms.terms_name == old_name {
            self.put_terms(pool_id, &terms, DocumentWrite::Replace)
                .await?;
        } else {
            self.put_terms(pool_id, &terms, DocumentWrite::Create)
                .await?;
            self.store
                .delete_document(pool_id, KIND, &key(&terms.client_id, &old_name))
                .await?;
        }
        Ok(terms)
    }

    pub async fn delete_terms(&self, pool_id: &UserPoolId, terms_id: &str) -> Result<()> {
        let terms = self.describe_terms(pool_id, terms_id).await?;
        self.store
            .delete_document(pool_id, KIND, &key(&terms.client_id, &terms.terms_name))
            .await
            .map_err(|e| match e {
                StoreError::NotFound => not_found(terms_id),
                other => other.into(),
            })
    }
}
