//! Housekeeping: one purge round deletes what expired, batch after batch
//! (each bounded, each its own transaction), yielding between batches so
//! requests keep their share of the store.

use crate::domain::housekeeping::PurgeReport;
use crate::error::Result;

use super::Services;

/// What a purge round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeRound {
    pub purged: PurgeReport,
    /// Another node was purging, so this one stopped (PostgreSQL).
    pub skipped: bool,
}

impl Services {
    /// Purges what expired as of the services' clock, at most `batch_limit`
    /// records of each kind per batch, until a batch leaves nothing behind.
    pub async fn purge_expired(&self, batch_limit: u32) -> Result<PurgeRound> {
        let batch_limit = batch_limit.max(1);
        let now = self.clock.now();
        let mut round = PurgeRound::default();
        loop {
            let Some(batch) = self.store.purge_expired(now, batch_limit).await? else {
                round.skipped = true;
                return Ok(round);
            };
            round.purged.add(&batch);
            if !batch.reached(batch_limit) {
                return Ok(round);
            }
            tokio::task::yield_now().await;
        }
    }
}
