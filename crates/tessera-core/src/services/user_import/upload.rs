//! An upload in progress: bytes arrive in whatever pieces the connection
//! gives, leave for the store in chunks of `CHUNK_BYTES`, so at most one
//! chunk of a file is held in memory. An upload that is neither finished
//! nor abandoned (its request dropped, its finish failed) is abandoned when
//! dropped, so the job's URL works again rather than stay taken.

use std::sync::Arc;

use crate::domain::import_job::CHUNK_BYTES;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::store::Store;

pub struct ImportUpload {
    store: Arc<dyn Store>,
    pool_id: UserPoolId,
    job_id: String,
    max_bytes: u64,
    buffer: Vec<u8>,
    next_chunk: u64,
    received: u64,
    /// Finished or abandoned: nothing is left for the drop to undo.
    ended: bool,
}

impl ImportUpload {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        pool_id: UserPoolId,
        job_id: String,
        max_bytes: u64,
    ) -> Self {
        Self {
            store,
            pool_id,
            job_id,
            max_bytes,
            buffer: Vec::with_capacity(CHUNK_BYTES),
            next_chunk: 0,
            received: 0,
            ended: false,
        }
    }

    /// Takes the next bytes of the file; `LimitExceeded` past the size cap.
    pub async fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        self.received += bytes.len() as u64;
        if self.received > self.max_bytes {
            return Err(Error::LimitExceeded(format!(
                "The file is larger than the {} bytes an import accepts.",
                self.max_bytes
            )));
        }
        while !bytes.is_empty() {
            let room = CHUNK_BYTES - self.buffer.len();
            let (now, later) = bytes.split_at(room.min(bytes.len()));
            self.buffer.extend_from_slice(now);
            bytes = later;
            if self.buffer.len() == CHUNK_BYTES {
                self.flush().await?;
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        self.store
            .put_import_chunk(&self.pool_id, &self.job_id, self.next_chunk, &self.buffer)
            .await?;
        self.next_chunk += 1;
        self.buffer.clear();
        Ok(())
    }

    /// Keeps the file; the job can be started.
    pub async fn finish(mut self) -> Result<u64> {
        if !self.buffer.is_empty() {
            self.flush().await?;
        }
        self.store
            .end_import_upload(&self.pool_id, &self.job_id, Some(self.received))
            .await?;
        self.ended = true;
        Ok(self.received)
    }

    /// Drops what arrived (the upload failed or broke off); the URL works again.
    pub async fn abandon(mut self) {
        self.ended = true;
        drop_upload(
            self.store.clone(),
            self.pool_id.clone(),
            self.job_id.clone(),
        )
        .await;
    }
}

async fn drop_upload(store: Arc<dyn Store>, pool_id: UserPoolId, job_id: String) {
    if let Err(e) = store.end_import_upload(&pool_id, &job_id, None).await {
        tracing::warn!(job = %job_id, error = %e, "dropping a broken-off import upload");
    }
}

impl Drop for ImportUpload {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(drop_upload(
                self.store.clone(),
                self.pool_id.clone(),
                std::mem::take(&mut self.job_id),
            ));
        }
    }
}
