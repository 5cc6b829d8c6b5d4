//! User import jobs, their file's chunks, progress and failed rows.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::import_job::{
    BatchOutcome, ImportBatch, ImportFailure, ImportJob, ImportJobStatus, ImportProgress,
    UploadState,
};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError};
use tokio_postgres::Row;

use super::codec::{
    Failure, PgResult, execute, pool_seq, query, query_found, query_opt, unique_as,
};
use super::users;
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str = "j.seq, p.id, j.job_id, j.job_name, j.role_arn, j.status, j.created, \
                       j.started, j.completed, j.completion_message, j.upload_expires, \
                       j.upload_state, j.upload_bytes, j.next_offset, j.rows_read, j.imported, \
                       j.skipped, j.failed";

fn upload_state(name: &str, bytes: Option<i64>) -> UploadState {
    match (name, bytes) {
        ("received", Some(b)) => UploadState::Received { bytes: b as u64 },
        ("receiving", _) => UploadState::Receiving,
        _ => UploadState::Waiting,
    }
}

/// The job's row key and the job.
fn from_row(row: &Row) -> PgResult<(i64, ImportJob)> {
    let status: &str = row.try_get(5)?;
    let state: &str = row.try_get(11)?;
    let count = |i: usize| row.try_get::<_, i64>(i).map(|n| n as u64);
    Ok((
        row.try_get(0)?,
        ImportJob {
            pool_id: UserPoolId::new(row.try_get::<_, String>(1)?),
            job_id: row.try_get(2)?,
            job_name: row.try_get(3)?,
            cloud_watch_logs_role_arn: row.try_get(4)?,
            status: ImportJobStatus::parse(status).unwrap_or(ImportJobStatus::Failed),
            created: Timestamp(row.try_get(6)?),
            started: row.try_get::<_, Option<i64>>(7)?.map(Timestamp),
            completed: row.try_get::<_, Option<i64>>(8)?.map(Timestamp),
            completion_message: row.try_get(9)?,
            upload_expires: Timestamp(row.try_get(10)?),
            upload: upload_state(state, row.try_get(12)?),
            progress: ImportProgress {
                offset: count(13)?,
                rows: count(14)?,
                imported: count(15)?,
                skipped: count(16)?,
                failed: count(17)?,
            },
        },
    ))
}

/// The job, its row locked for the rest of the transaction.
async fn load(
    c: &impl GenericClient,
    pool: &UserPoolId,
    job_id: &str,
) -> PgResult<(i64, ImportJob)> {
    let row = query_found(
        c,
        &format!(
            "SELECT {COLUMNS} FROM user_import_jobs j JOIN pools p ON p.seq = j.pool
             WHERE p.id = $1 AND j.job_id = $2 FOR UPDATE OF j"
        ),
        &[&pool.as_str(), &job_id],
    )
    .await?;
    from_row(&row)
}

async fn load_seq(c: &impl GenericClient, seq: i64) -> PgResult<ImportJob> {
    let row = query_found(
        c,
        &format!(
            "SELECT {COLUMNS} FROM user_import_jobs j JOIN pools p ON p.seq = j.pool
             WHERE j.seq = $1"
        ),
        &[&seq],
    )
    .await?;
    from_row(&row).map(|(_, job)| job)
}

pub async fn create(c: &impl GenericClient, job: &ImportJob) -> PgResult<()> {
    let pool = pool_seq(c, job.pool_id.as_str()).await?;
    execute(
        c,
        "INSERT INTO user_import_jobs (pool, job_id, job_name, role_arn, status, created,
                                       upload_expires, upload_state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'waiting')",
        &[
            &pool,
            &job.job_id,
            &job.job_name,
            &job.cloud_watch_logs_role_arn,
            &job.status.as_str(),
            &job.created.millis(),
            &job.upload_expires.millis(),
        ],
    )
    .await
    .map_err(unique_as(Conflict::ImportJob))?;
    Ok(())
}

pub async fn get(c: &impl GenericClient, pool: &UserPoolId, job_id: &str) -> PgResult<ImportJob> {
    let row = query_found(
        c,
        &format!(
            "SELECT {COLUMNS} FROM user_import_jobs j JOIN pools p ON p.seq = j.pool
             WHERE p.id = $1 AND j.job_id = $2"
        ),
        &[&pool.as_str(), &job_id],
    )
    .await?;
    from_row(&row).map(|(_, job)| job)
}

pub async fn list(
    c: &impl GenericClient,
    pool: &UserPoolId,
    page: &PageRequest,
) -> PgResult<Listing<ImportJob>> {
    let after: i64 = page
        .after
        .as_deref()
        .map_or(Ok(0), str::parse)
        .map_err(|_| Failure::Store(StoreError::Backend("a malformed listing position".into())))?;
    let rows = query(
        c,
        &format!(
            "SELECT {COLUMNS} FROM user_import_jobs j JOIN pools p ON p.seq = j.pool
             WHERE p.id = $1 AND j.seq > $2 ORDER BY j.seq LIMIT $3"
        ),
        &[&pool.as_str(), &after, &limit_plus_one(page.limit)],
    )
    .await?;
    let rows = rows.iter().map(from_row).collect::<PgResult<Vec<_>>>()?;
    let (rows, next) = split_page(rows, page.limit, |(seq, _)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(_, job)| job).collect(),
        next,
    })
}

pub async fn set_status(
    c: &impl GenericClient,
    pool: &UserPoolId,
    job_id: &str,
    from: &[ImportJobStatus],
    to: ImportJobStatus,
    completed: Option<Timestamp>,
) -> PgResult<Option<ImportJob>> {
    let (seq, job) = load(c, pool, job_id).await?;
    if !from.contains(&job.status) {
        return Ok(None);
    }
    execute(
        c,
        "UPDATE user_import_jobs SET status = $2, completed = COALESCE($3, completed)
         WHERE seq = $1",
        &[&seq, &to.as_str(), &completed.map(Timestamp::millis)],
    )
    .await?;
    load_seq(c, seq).await.map(Some)
}

pub async fn begin_upload(
    c: &impl GenericClient,
    pool: &UserPoolId,
    job_id: &str,
) -> PgResult<bool> {
    let (seq, _) = load(c, pool, job_id).await?;
    let changed = execute(
        c,
        "UPDATE user_import_jobs SET upload_state = 'receiving'
         WHERE seq = $1 AND upload_state = 'waiting' AND status = 'Created'",
        &[&seq],
    )
    .await?;
    Ok(changed == 1)
}

async fn receiving_seq(c: &impl GenericClient, pool: &UserPoolId, job_id: &str) -> PgResult<i64> {
    let (seq, job) = load(c, pool, job_id).await?;
    if job.upload != UploadState::Receiving {
        return Err(Failure::Store(StoreError::NotFound));
    }
    Ok(seq)
}

pub async fn put_chunk(
    c: &impl GenericClient,
    pool: &UserPoolId,
    job_id: &str,
    index: u64,
    bytes: &[u8],
) -> PgResult<()> {
    let seq = receiving_seq(c, pool, job_id).await?;
    execute(
        c,
        "INSERT INTO user_import_chunks (job, idx, data) VALUES ($1, $2, $3)
         ON CONFLICT (job, idx) DO UPDATE SET data = EXCLUDED.data",
        &[&seq, &(index as i64), &bytes],
    )
    .await?;
    Ok(())
}

pub async fn end_upload(
    c: &impl GenericClient,
    pool: &UserPoolId,
    job_id: &str,
    bytes: Option<u64>,
) -> PgResult<()> {
    let seq = receiving_seq(c, pool, job_id).await?;
    match bytes {
        Some(bytes) => {
            execute(
                c,
                "UPDATE user_import_jobs SET upload_state = 'received', upload_bytes = $2
                 WHERE seq = $1",
                &[&seq, &(bytes as i64)],
            )
            .await?;
        }
        None => {
            execute(c, "DELETE FROM user_import_chunks WHERE job = $1", &[&seq]).await?;
            execute(
                c,
                "UPDATE user_import_jobs SET upload_state = 'waiting' WHERE seq = $1",
                &[&seq],
            )
            .await?;
        }
    }
    Ok(())
}

pub async fn get_chunk(
    c: &impl GenericClient,
    pool: &UserPoolId,
    job_id: &str,
    index: u64,
) -> PgResult<Vec<u8>> {
    let row = query_found(
        c,
        "SELECT c.data FROM user_import_chunks c
         JOIN user_import_jobs j ON j.seq = c.job JOIN pools p ON p.seq = j.pool
         WHERE p.id = $1 AND j.job_id = $2 AND c.idx = $3",
        &[&pool.as_str(), &job_id, &(index as i64)],
    )
    .await?;
    Ok(row.try_get(0)?)
}

pub async fn claim(
    c: &impl GenericClient,
    owner: &str,
    now: Timestamp,
    lease_until: Timestamp,
) -> PgResult<Option<ImportJob>> {
    // SKIP LOCKED: nodes claiming at once each take a different job.
    let row = query_opt(
        c,
        "SELECT seq FROM user_import_jobs
         WHERE status IN ('Pending', 'InProgress', 'Stopping')
           AND (lease_until IS NULL OR lease_until < $1)
         ORDER BY created, seq LIMIT 1 FOR UPDATE SKIP LOCKED",
        &[&now.millis()],
    )
    .await?;
    let Some(row) = row else { return Ok(None) };
    let seq: i64 = row.try_get(0)?;
    execute(
        c,
        "UPDATE user_import_jobs SET lease_owner = $2, lease_until = $3,
             started = COALESCE(started, $4),
             status = CASE status WHEN 'Pending' THEN 'InProgress' ELSE status END
         WHERE seq = $1",
        &[&seq, &owner, &lease_until.millis(), &now.millis()],
    )
    .await?;
    load_seq(c, seq).await.map(Some)
}

/// The job's row key, locked, if `owner` holds its lease.
async fn leased_seq(
    c: &impl GenericClient,
    pool: &UserPoolId,
    job_id: &str,
    owner: &str,
) -> PgResult<Option<i64>> {
    let row = query_opt(
        c,
        "SELECT j.seq FROM user_import_jobs j JOIN pools p ON p.seq = j.pool
         WHERE p.id = $1 AND j.job_id = $2 AND j.lease_owner = $3 FOR UPDATE OF j",
        &[&pool.as_str(), &job_id, &owner],
    )
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

async fn insert_failure(c: &impl GenericClient, seq: i64, failure: &ImportFailure) -> PgResult<()> {
    execute(
        c,
        "INSERT INTO user_import_failures (job, row_no, reason) VALUES ($1, $2, $3)
         ON CONFLICT (job, row_no) DO UPDATE SET reason = EXCLUDED.reason",
        &[&seq, &(failure.row as i64), &failure.reason],
    )
    .await?;
    Ok(())
}

pub async fn commit_batch(c: &impl GenericClient, batch: &ImportBatch) -> PgResult<BatchOutcome> {
    let Some(seq) = leased_seq(c, &batch.pool_id, &batch.job_id, &batch.owner).await? else {
        return Ok(BatchOutcome::LeaseLost);
    };
    let mut imported = 0u64;
    let mut failed = batch.failures.len() as u64;
    for failure in &batch.failures {
        insert_failure(c, seq, failure).await?;
    }
    for (row, user) in &batch.users {
        // Each user in its own savepoint: a refused one leaves the others.
        c.batch_execute("SAVEPOINT import_user").await?;
        match users::create(c, user, &[]).await {
            Ok(()) => {
                c.batch_execute("RELEASE SAVEPOINT import_user").await?;
                imported += 1;
            }
            Err(Failure::Store(StoreError::Conflict(conflict))) => {
                c.batch_execute("ROLLBACK TO SAVEPOINT import_user; RELEASE SAVEPOINT import_user")
                    .await?;
                failed += 1;
                let reason = (batch.conflict_reason)(&conflict);
                insert_failure(c, seq, &ImportFailure { row: *row, reason }).await?;
            }
            Err(e) => return Err(e),
        }
    }
    execute(
        c,
        "UPDATE user_import_jobs SET next_offset = $2, rows_read = rows_read + $3,
             imported = imported + $4, skipped = skipped + $5, failed = failed + $6,
             lease_until = $7
         WHERE seq = $1",
        &[
            &seq,
            &(batch.next_offset as i64),
            &(batch.rows as i64),
            &(imported as i64),
            &(batch.skipped as i64),
            &(failed as i64),
            &batch.lease_until.millis(),
        ],
    )
    .await?;
    load_seq(c, seq).await.map(BatchOutcome::Committed)
}

pub async fn finish(
    c: &impl GenericClient,
    pool: &UserPoolId,
    job_id: &str,
    owner: &str,
    status: ImportJobStatus,
    message: &str,
    now: Timestamp,
) -> PgResult<bool> {
    let Some(seq) = leased_seq(c, pool, job_id, owner).await? else {
        return Ok(false);
    };
    execute(
        c,
        "UPDATE user_import_jobs SET status = $2, completion_message = $3, completed = $4,
             lease_owner = NULL, lease_until = NULL
         WHERE seq = $1",
        &[&seq, &status.as_str(), &message, &now.millis()],
    )
    .await?;
    execute(c, "DELETE FROM user_import_chunks WHERE job = $1", &[&seq]).await?;
    Ok(true)
}

pub async fn list_failures(
    c: &impl GenericClient,
    pool: &UserPoolId,
    job_id: &str,
    after_row: u64,
    limit: usize,
) -> PgResult<Vec<ImportFailure>> {
    let rows = query(
        c,
        "SELECT f.row_no, f.reason FROM user_import_failures f
         JOIN user_import_jobs j ON j.seq = f.job JOIN pools p ON p.seq = j.pool
         WHERE p.id = $1 AND j.job_id = $2 AND f.row_no > $3 ORDER BY f.row_no LIMIT $4",
        &[
            &pool.as_str(),
            &job_id,
            &(after_row as i64),
            &(limit as i64),
        ],
    )
    .await?;
    if rows.is_empty() {
        // NotFound for an unknown job, as SQLite answers.
        get(c, pool, job_id).await?;
    }
    rows.iter()
        .map(|r| {
            Ok(ImportFailure {
                row: r.try_get::<_, i64>(0)? as u64,
                reason: r.try_get(1)?,
            })
        })
        .collect()
}
