//! The background purge: a round every interval, at the services' clock (so
//! the test clock moves what counts as expired), until the server stops.
//! Counts are logged, never what was purged.

use std::sync::Arc;

use tessera_core::services::Services;
use tessera_core::services::housekeeping::PurgeRound;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::config::HousekeepingSettings;

/// The running purge task.
pub struct Housekeeper {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Housekeeper {
    /// Starts purging, unless housekeeping is off.
    pub fn spawn(services: Arc<Services>, settings: &HousekeepingSettings) -> Option<Self> {
        if !settings.enabled {
            tracing::info!("housekeeping is off: expired records stay in the store");
            return None;
        }
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(services, settings.clone(), stopped));
        Some(Self { stop, task })
    }

    /// Stops after the batch in flight, if any, and waits.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "the housekeeping task ended abnormally");
        }
    }
}

async fn run(
    services: Arc<Services>,
    settings: HousekeepingSettings,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut ticks = tokio::time::interval(settings.interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // The first tick is immediate: the first round waits one interval, so a
    // start is not slowed by it.
    ticks.tick().await;
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            _ = ticks.tick() => {}
        }
        // A round stopped between batches leaves the rest for the next start;
        // each batch is its own transaction.
        tokio::select! {
            _ = &mut stopped => return,
            outcome = services.purge_expired(settings.batch_size) => report(outcome),
        }
    }
}

fn report(outcome: tessera_core::error::Result<PurgeRound>) {
    match outcome {
        Ok(round) if round.purged.total() > 0 => {
            let p = round.purged;
            tracing::info!(
                codes = p.codes,
                refresh_tokens = p.refresh_tokens,
                token_families = p.token_families,
                authorization_codes = p.authorization_codes,
                sign_in_failures = p.sign_in_failures,
                import_chunks = p.import_chunks,
                passkey_registrations = p.passkey_registrations,
                skipped = round.skipped,
                "housekeeping purged expired records"
            );
        }
        Ok(round) if round.skipped => {
            tracing::debug!("housekeeping skipped: another node is purging");
        }
        Ok(_) => tracing::debug!("housekeeping found nothing expired"),
        Err(e) => tracing::warn!(error = %e, "housekeeping failed; retrying next interval"),
    }
}
