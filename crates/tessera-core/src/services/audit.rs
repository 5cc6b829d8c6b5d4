//! The append-only log of administrators' changes: the edge reports each
//! successful signed change; the CLI reads the log.
//!
//! A user is named in it by their `sub`, never their username (often an
//! email address): the log outlives the user, and nothing a user chose
//! stays behind once they are deleted (Cognito, too, obscures private fields
//! of its CloudTrail events).

use super::Services;
use crate::domain::auth_event::AuditEntry;
use crate::error::Result;
use crate::ids::UserPoolId;
use crate::store::{Listing, PageRequest};

/// A change the edge reports: who made it, and on what.
pub struct AdminChange {
    pub access_key_id: String,
    pub operation: String,
    pub pool_id: Option<String>,
    pub resource_type: String,
    pub resource_id: Option<String>,
    /// The username a user change names, until [`Services::name_audited_user`]
    /// has found its `sub`; never recorded.
    pub username: Option<String>,
}

impl Services {
    /// Names the user a change is about by their `sub`, once they exist:
    /// called before the change (a user about to be deleted) and after it
    /// (a user just created).
    pub async fn name_audited_user(&self, change: &mut AdminChange) {
        if change.resource_id.is_some() {
            return;
        }
        let (Some(pool), Some(username)) = (&change.pool_id, &change.username) else {
            return;
        };
        let pool = UserPoolId::new(pool.clone());
        if let Ok(user) = self.admin_get_user(&pool, username).await {
            change.resource_id = Some(user.sub.to_string());
        }
    }

    /// Appends the change to the audit log, timed now.
    pub async fn record_admin_change(&self, change: AdminChange) -> Result<()> {
        let entry = AuditEntry {
            at: self.clock.now(),
            access_key_id: change.access_key_id,
            operation: change.operation,
            pool_id: change.pool_id,
            resource_type: change.resource_type,
            resource_id: change.resource_id,
        };
        self.store.append_audit_entry(&entry).await?;
        Ok(())
    }

    /// A page of the audit log, oldest first (only `pool`'s entries when given).
    pub async fn audit_log(
        &self,
        pool: Option<&str>,
        page: &PageRequest,
    ) -> Result<Listing<AuditEntry>> {
        Ok(self.store.list_audit_entries(pool, page).await?)
    }
}
