//! The append-only log of administrators' changes: the edge reports each
//! successful signed change; the CLI reads the log.

use super::Services;
use crate::domain::auth_event::AuditEntry;
use crate::error::Result;
use crate::store::{Listing, PageRequest};

/// A change the edge reports: who made it, and on what.
pub struct AdminChange {
    pub access_key_id: String,
    pub operation: String,
    pub pool_id: Option<String>,
    pub resource_type: String,
    pub resource_id: Option<String>,
}

impl Services {
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
