//! Resource servers: the custom scopes (`<identifier>/<scope name>`) a pool's
//! app clients may be allowed and its access tokens may carry. Each is kept
//! as a document keyed by its identifier.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Services;
use crate::domain::oauth::{DocumentKind, DocumentWrite};
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::paging::Page;
use crate::store::{Conflict, StoreError};

/// ResourceServerType without the pool id, as stored and described.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServer {
    pub identifier: String,
    pub name: String,
    #[serde(default)]
    pub scopes: Vec<ResourceServerScope>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerScope {
    pub scope_name: String,
    pub scope_description: String,
}

impl ResourceServer {
    /// Its scopes as tokens and app clients name them.
    pub fn full_scopes(&self) -> impl Iterator<Item = String> + '_ {
        self.scopes
            .iter()
            .map(|s| format!("{}/{}", self.identifier, s.scope_name))
    }
}

const KIND: DocumentKind = DocumentKind::ResourceServer;

fn not_found(identifier: &str) -> Error {
    Error::ResourceNotFound(format!("Resource server {identifier} does not exist."))
}

fn from_document(document: serde_json::Value) -> Result<ResourceServer> {
    serde_json::from_value(document)
        .map_err(|e| Error::Internal(format!("stored resource server: {e}")))
}

fn to_document(server: &ResourceServer) -> Result<serde_json::Value> {
    serde_json::to_value(server).map_err(|e| Error::Internal(format!("resource server: {e}")))
}

/// A scope may be listed once per server: it is one name in the tokens.
fn check_scopes(server: &ResourceServer) -> Result<()> {
    let mut seen = BTreeSet::new();
    for scope in &server.scopes {
        if !seen.insert(scope.scope_name.as_str()) {
            return Err(Error::InvalidParameter(format!(
                "Duplicate scope name {} in resource server {}.",
                scope.scope_name, server.identifier
            )));
        }
    }
    Ok(())
}

impl Services {
    pub async fn create_resource_server(
        &self,
        pool_id: &UserPoolId,
        server: ResourceServer,
    ) -> Result<ResourceServer> {
        self.pool(pool_id).await?;
        check_scopes(&server)?;
        self.store
            .put_document(
                pool_id,
                KIND,
                &server.identifier,
                &to_document(&server)?,
                DocumentWrite::Create,
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict(Conflict::Document) => Error::InvalidParameter(format!(
                    "{} already exists in user pool {pool_id}.",
                    server.identifier
                )),
                other => other.into(),
            })?;
        Ok(server)
    }

    pub async fn describe_resource_server(
        &self,
        pool_id: &UserPoolId,
        identifier: &str,
    ) -> Result<ResourceServer> {
        self.pool(pool_id).await?;
        let document = self.document(pool_id, KIND, identifier).await?;
        from_document(document.ok_or_else(|| not_found(identifier))?)
    }

    pub async fn list_resource_servers(
        &self,
        pool_id: &UserPoolId,
        max: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<ResourceServer>> {
        self.pool(pool_id).await?;
        self.document_page(pool_id, KIND, max, token, from_document)
            .await
    }

    /// Replaces the name and the scopes; scopes left out are gone, and app
    /// clients that allowed them simply no longer get them.
    pub async fn update_resource_server(
        &self,
        pool_id: &UserPoolId,
        server: ResourceServer,
    ) -> Result<ResourceServer> {
        self.pool(pool_id).await?;
        check_scopes(&server)?;
        self.store
            .put_document(
                pool_id,
                KIND,
                &server.identifier,
                &to_document(&server)?,
                DocumentWrite::Replace,
            )
            .await
            .map_err(|e| match e {
                StoreError::NotFound => not_found(&server.identifier),
                other => other.into(),
            })?;
        Ok(server)
    }

    pub async fn delete_resource_server(
        &self,
        pool_id: &UserPoolId,
        identifier: &str,
    ) -> Result<()> {
        self.pool(pool_id).await?;
        self.store
            .delete_document(pool_id, KIND, identifier)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => not_found(identifier),
                other => other.into(),
            })
    }

    /// Every `identifier/scope` the pool's resource servers define.
    pub async fn resource_server_scopes(&self, pool: &UserPoolId) -> Result<BTreeSet<String>> {
        let mut scopes = BTreeSet::new();
        for (_, document) in self.all_documents(pool, KIND).await? {
            scopes.extend(from_document(document)?.full_scopes());
        }
        Ok(scopes)
    }
}
