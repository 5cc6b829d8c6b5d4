//! Processing import jobs. A node claims a job with a lease, reads its file
//! from the store chunk by chunk through the `csv` parser (never the whole
//! file in memory), and imports rows in batches: each batch's users, failed
//! rows, counters and the byte offset after it are one atomic store write,
//! so a job resumes after a crash exactly where its last batch ended. The
//! lease is renewed by every batch; a crashed node's lease runs out and
//! another node (or the same one restarted) resumes the job.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use tokio::runtime::Handle;

use super::rows::{Header, RowOutcome, read_row};
use crate::domain::import_job::{
    BatchOutcome, CHUNK_BYTES, ImportBatch, ImportFailure, ImportJob, ImportJobStatus,
};
use crate::domain::pool::UserPool;
use crate::error::{Error, Result};
use crate::services::Services;
use crate::store::{Conflict, Store, StoreError};

/// Why the database refused a row's user. The reason names the attribute,
/// never its value: it is kept with the job, and the value may be another
/// account's address, which must not outlive that account.
fn conflict_reason(conflict: &Conflict) -> String {
    match conflict {
        Conflict::Username => "User account already exists.".into(),
        Conflict::Alias(alias) => format!(
            "An account with this {} already exists.",
            alias.kind.attribute()
        ),
        other => format!("The user could not be created: {other:?}."),
    }
}

/// Processes jobs until `stop` is set: claims one, imports it, looks again.
pub async fn run(services: Arc<Services>, owner: String, stop: tokio::sync::watch::Receiver<bool>) {
    let idle = Duration::from_millis(services.imports.poll_millis);
    loop {
        if *stop.borrow() {
            return;
        }
        let now = services.clock.now();
        let lease = now.plus_seconds(services.imports.lease_seconds);
        match services.store.claim_import_job(&owner, now, lease).await {
            Ok(Some(job)) => {
                let services = services.clone();
                let owner = owner.clone();
                let stop = stop.clone();
                let job_id = job.job_id.clone();
                let handle = Handle::current();
                let ran = tokio::task::spawn_blocking(move || {
                    Processor::new(&services, owner, handle, stop).process(job)
                })
                .await;
                match ran {
                    Ok(Ok(())) => {}
                    // The lease runs out and the job is resumed from its last batch.
                    Ok(Err(e)) => tracing::warn!(job = %job_id, error = %e, "import interrupted"),
                    Err(e) => tracing::error!(job = %job_id, error = %e, "import task failed"),
                }
            }
            Ok(None) => tokio::time::sleep(idle).await,
            Err(e) => {
                tracing::warn!(error = %e, "looking for import jobs");
                tokio::time::sleep(idle).await;
            }
        }
    }
}

/// Reads a job's file from its stored chunks, from a byte offset on.
struct ChunkReader {
    store: Arc<dyn Store>,
    handle: Handle,
    job: ImportJob,
    next_chunk: u64,
    chunk: Vec<u8>,
    at: usize,
}

impl ChunkReader {
    fn new(store: Arc<dyn Store>, handle: Handle, job: ImportJob, offset: u64) -> Self {
        let chunk_bytes = CHUNK_BYTES as u64;
        Self {
            store,
            handle,
            job,
            next_chunk: offset / chunk_bytes,
            chunk: Vec::new(),
            // Skipped within the first chunk read.
            at: (offset % chunk_bytes) as usize,
        }
    }
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.chunk.len() {
            let skip = if self.chunk.is_empty() { self.at } else { 0 };
            let fetched = self.handle.block_on(self.store.get_import_chunk(
                &self.job.pool_id,
                &self.job.job_id,
                self.next_chunk,
            ));
            match fetched {
                Ok(bytes) => {
                    self.chunk = bytes;
                    self.at = skip;
                    self.next_chunk += 1;
                }
                Err(StoreError::NotFound) => return Ok(0),
                Err(e) => return Err(std::io::Error::other(e.to_string())),
            }
            if self.at >= self.chunk.len() {
                return Ok(0);
            }
        }
        let n = out.len().min(self.chunk.len() - self.at);
        out[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

struct Processor<'a> {
    services: &'a Services,
    owner: String,
    handle: Handle,
    stop: tokio::sync::watch::Receiver<bool>,
}

/// How a job's processing ended on this node.
enum End {
    Finished(ImportJobStatus, String),
    /// Another node holds the job, or this node is shutting down: leave it.
    Left,
}

fn csv_reader(reader: ChunkReader) -> csv::Reader<ChunkReader> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader)
}

fn fields(record: &csv::ByteRecord) -> Option<Vec<&str>> {
    record.iter().map(|f| std::str::from_utf8(f).ok()).collect()
}

impl<'a> Processor<'a> {
    fn new(
        services: &'a Services,
        owner: String,
        handle: Handle,
        stop: tokio::sync::watch::Receiver<bool>,
    ) -> Self {
        Self {
            services,
            owner,
            handle,
            stop,
        }
    }

    fn process(&self, job: ImportJob) -> Result<()> {
        tracing::info!(job = %job.job_id, pool = %job.pool_id, offset = job.progress.offset, "importing users");
        let end = match job.status {
            ImportJobStatus::Stopping => {
                End::Finished(ImportJobStatus::Stopped, stopped_message(&job))
            }
            _ => self.import(&job)?,
        };
        let End::Finished(status, message) = end else {
            return Ok(());
        };
        let now = self.services.clock.now();
        self.handle.block_on(self.services.store.finish_import_job(
            &job.pool_id,
            &job.job_id,
            &self.owner,
            status,
            &message,
            now,
        ))?;
        tracing::info!(job = %job.job_id, status = status.as_str(), %message, "import job ended");
        Ok(())
    }

    fn reader_at(&self, job: &ImportJob, offset: u64) -> csv::Reader<ChunkReader> {
        csv_reader(ChunkReader::new(
            self.services.store.clone(),
            self.handle.clone(),
            job.clone(),
            offset,
        ))
    }

    /// The header, and the offset of the first data row.
    fn header(
        &self,
        pool: &UserPool,
        job: &ImportJob,
    ) -> Result<std::result::Result<(Header, u64), String>> {
        let mut reader = self.reader_at(job, 0);
        let mut record = csv::ByteRecord::new();
        let read = reader
            .read_byte_record(&mut record)
            .map_err(|e| Error::Internal(format!("reading the import file: {e}")))?;
        if !read {
            return Ok(Err("The CSV file is empty.".into()));
        }
        let Some(columns) = fields(&record) else {
            return Ok(Err("The CSV header is not UTF-8.".into()));
        };
        let columns = columns.iter().map(|c| c.trim().to_owned()).collect();
        Ok(Header::parse(pool, columns).map(|h| (h, reader.position().byte())))
    }

    fn import(&self, job: &ImportJob) -> Result<End> {
        let pool = match self
            .handle
            .block_on(self.services.store.get_pool(&job.pool_id))
        {
            Ok(pool) => pool,
            Err(StoreError::NotFound) => {
                return Ok(End::Finished(
                    ImportJobStatus::Failed,
                    "The user pool was deleted.".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let (header, data_start) = match self.header(&pool, job)? {
            Ok(found) => found,
            Err(message) => return Ok(End::Finished(ImportJobStatus::Failed, message)),
        };
        let start = job.progress.offset.max(data_start);
        let mut reader = self.reader_at(job, start);
        let mut record = csv::ByteRecord::new();
        let mut row = job.progress.rows;
        let mut current = job.clone();
        let batch_rows = self.services.imports.batch_rows.max(1);
        loop {
            let mut batch = ImportBatch {
                pool_id: job.pool_id.clone(),
                job_id: job.job_id.clone(),
                owner: self.owner.clone(),
                lease_until: self.services.clock.now(),
                users: Vec::new(),
                failures: Vec::new(),
                skipped: 0,
                rows: 0,
                next_offset: start + reader.position().byte(),
                conflict_reason,
            };
            let now = self.services.clock.now();
            let mut at_end = false;
            while (batch.rows as usize) < batch_rows {
                match reader.read_byte_record(&mut record) {
                    Ok(false) => {
                        at_end = true;
                        break;
                    }
                    Ok(true) => {}
                    Err(e) if e.is_io_error() => {
                        return Err(Error::Internal(format!("reading the import file: {e}")));
                    }
                    Err(e) => {
                        return Ok(End::Finished(
                            ImportJobStatus::Failed,
                            format!("The CSV file cannot be read after row {row}: {e}"),
                        ));
                    }
                }
                row += 1;
                batch.rows += 1;
                batch.next_offset = start + reader.position().byte();
                let outcome = match fields(&record) {
                    Some(values) => read_row(self.services, &pool, &header, &values, now),
                    None => RowOutcome::Failed("The row is not UTF-8.".into()),
                };
                match outcome {
                    RowOutcome::User(user) => batch.users.push((row, *user)),
                    RowOutcome::Skipped => batch.skipped += 1,
                    RowOutcome::Failed(reason) => {
                        // The reason is the job's to report, not the log's: it may quote the row.
                        tracing::info!(job = %job.job_id, row, "import row failed");
                        batch.failures.push(ImportFailure { row, reason });
                    }
                }
            }
            if batch.rows > 0 {
                batch.lease_until = self
                    .services
                    .clock
                    .now()
                    .plus_seconds(self.services.imports.lease_seconds);
                match self
                    .handle
                    .block_on(self.services.store.commit_import_batch(&batch))?
                {
                    BatchOutcome::Committed(job) => current = *job,
                    BatchOutcome::LeaseLost => return Ok(End::Left),
                }
            }
            if current.status == ImportJobStatus::Stopping {
                return Ok(End::Finished(
                    ImportJobStatus::Stopped,
                    stopped_message(&current),
                ));
            }
            if at_end {
                return Ok(End::Finished(
                    ImportJobStatus::Succeeded,
                    completed_message(&current),
                ));
            }
            if *self.stop.borrow() {
                return Ok(End::Left);
            }
        }
    }
}

fn stopped_message(job: &ImportJob) -> String {
    let p = job.progress;
    format!(
        "Import Job Stopped after {} rows: {} users imported, {} skipped, {} failed.",
        p.rows, p.imported, p.skipped, p.failed
    )
}

fn completed_message(job: &ImportJob) -> String {
    let p = job.progress;
    if p.failed == 0 {
        "Import Job Completed Successfully.".into()
    } else {
        format!(
            "Import Job Completed: {} users imported, {} skipped, {} failed \
             (the failed rows and reasons: tessera import-failures).",
            p.imported, p.skipped, p.failed
        )
    }
}
