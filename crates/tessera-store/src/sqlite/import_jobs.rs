//! User import jobs, their file's chunks, progress and failed rows.

use rusqlite::{Connection, OptionalExtension, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::import_job::{
    BatchOutcome, ImportBatch, ImportFailure, ImportJob, ImportJobStatus, ImportProgress,
    UploadState,
};
use tessera_core::domain::user::User;
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError, StoreResult};

use super::codec::{CachedStatements, backend, found, is_unique_violation, pool_seq};
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
fn from_row(row: &Row<'_>) -> rusqlite::Result<(i64, ImportJob)> {
    let status: String = row.get(5)?;
    let state: String = row.get(11)?;
    let count = |i: usize| row.get::<_, i64>(i).map(|n| n as u64);
    Ok((
        row.get(0)?,
        ImportJob {
            pool_id: UserPoolId::new(row.get::<_, String>(1)?),
            job_id: row.get(2)?,
            job_name: row.get(3)?,
            cloud_watch_logs_role_arn: row.get(4)?,
            status: ImportJobStatus::parse(&status).unwrap_or(ImportJobStatus::Failed),
            created: Timestamp(row.get(6)?),
            started: row.get::<_, Option<i64>>(7)?.map(Timestamp),
            completed: row.get::<_, Option<i64>>(8)?.map(Timestamp),
            completion_message: row.get(9)?,
            upload_expires: Timestamp(row.get(10)?),
            upload: upload_state(&state, row.get(12)?),
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

fn load(conn: &Connection, pool: &UserPoolId, job_id: &str) -> StoreResult<(i64, ImportJob)> {
    found(conn.prepare_cached_query_row(
        &format!(
            "SELECT {COLUMNS} FROM user_import_jobs j JOIN pools p ON p.seq = j.pool
             WHERE p.id = ?1 AND j.job_id = ?2"
        ),
        params![pool.as_str(), job_id],
        from_row,
    ))
}

fn load_seq(conn: &Connection, seq: i64) -> StoreResult<ImportJob> {
    found(conn.prepare_cached_query_row(
        &format!(
            "SELECT {COLUMNS} FROM user_import_jobs j JOIN pools p ON p.seq = j.pool
             WHERE j.seq = ?1"
        ),
        [seq],
        from_row,
    ))
    .map(|(_, job)| job)
}

pub fn create(conn: &Connection, job: &ImportJob) -> StoreResult<()> {
    let pool = pool_seq(conn, job.pool_id.as_str())?;
    conn.execute_cached(
        "INSERT INTO user_import_jobs (pool, job_id, job_name, role_arn, status, created,
                                       upload_expires, upload_state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'waiting')",
        params![
            pool,
            job.job_id,
            job.job_name,
            job.cloud_watch_logs_role_arn,
            job.status.as_str(),
            job.created.millis(),
            job.upload_expires.millis(),
        ],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(Conflict::ImportJob)
        } else {
            backend(e)
        }
    })?;
    Ok(())
}

pub fn get(conn: &Connection, pool: &UserPoolId, job_id: &str) -> StoreResult<ImportJob> {
    load(conn, pool, job_id).map(|(_, job)| job)
}

pub fn list(
    conn: &Connection,
    pool: &UserPoolId,
    page: &PageRequest,
) -> StoreResult<Listing<ImportJob>> {
    let after: i64 = page
        .after
        .as_deref()
        .map_or(Ok(0), str::parse)
        .map_err(|_| StoreError::Backend("a malformed listing position".into()))?;
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM user_import_jobs j JOIN pools p ON p.seq = j.pool
             WHERE p.id = ?1 AND j.seq > ?2 ORDER BY j.seq LIMIT ?3"
        ))
        .map_err(backend)?;
    let rows = stmt
        .query_map(
            params![pool.as_str(), after, limit_plus_one(page.limit)],
            from_row,
        )
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (rows, next) = split_page(rows, page.limit, |(seq, _)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(_, job)| job).collect(),
        next,
    })
}

pub fn set_status(
    conn: &Connection,
    pool: &UserPoolId,
    job_id: &str,
    from: &[ImportJobStatus],
    to: ImportJobStatus,
    completed: Option<Timestamp>,
) -> StoreResult<Option<ImportJob>> {
    let (seq, job) = load(conn, pool, job_id)?;
    if !from.contains(&job.status) {
        return Ok(None);
    }
    conn.execute_cached(
        "UPDATE user_import_jobs SET status = ?2, completed = COALESCE(?3, completed)
         WHERE seq = ?1",
        params![seq, to.as_str(), completed.map(Timestamp::millis)],
    )
    .map_err(backend)?;
    load_seq(conn, seq).map(Some)
}

pub fn begin_upload(conn: &Connection, pool: &UserPoolId, job_id: &str) -> StoreResult<bool> {
    let (seq, _) = load(conn, pool, job_id)?;
    let changed = conn
        .execute_cached(
            "UPDATE user_import_jobs SET upload_state = 'receiving'
             WHERE seq = ?1 AND upload_state = 'waiting' AND status = 'Created'",
            [seq],
        )
        .map_err(backend)?;
    Ok(changed == 1)
}

fn receiving_seq(conn: &Connection, pool: &UserPoolId, job_id: &str) -> StoreResult<i64> {
    let (seq, job) = load(conn, pool, job_id)?;
    if job.upload != UploadState::Receiving {
        return Err(StoreError::NotFound);
    }
    Ok(seq)
}

pub fn put_chunk(
    conn: &Connection,
    pool: &UserPoolId,
    job_id: &str,
    index: u64,
    bytes: &[u8],
) -> StoreResult<()> {
    let seq = receiving_seq(conn, pool, job_id)?;
    conn.execute_cached(
        "INSERT OR REPLACE INTO user_import_chunks (job, idx, data) VALUES (?1, ?2, ?3)",
        params![seq, index as i64, bytes],
    )
    .map_err(backend)?;
    Ok(())
}

pub fn end_upload(
    conn: &Connection,
    pool: &UserPoolId,
    job_id: &str,
    bytes: Option<u64>,
) -> StoreResult<()> {
    let seq = receiving_seq(conn, pool, job_id)?;
    match bytes {
        Some(bytes) => conn.execute_cached(
            "UPDATE user_import_jobs SET upload_state = 'received', upload_bytes = ?2
             WHERE seq = ?1",
            params![seq, bytes as i64],
        ),
        None => conn
            .execute_cached("DELETE FROM user_import_chunks WHERE job = ?1", [seq])
            .and_then(|_| {
                conn.execute_cached(
                    "UPDATE user_import_jobs SET upload_state = 'waiting' WHERE seq = ?1",
                    [seq],
                )
            }),
    }
    .map_err(backend)?;
    Ok(())
}

pub fn get_chunk(
    conn: &Connection,
    pool: &UserPoolId,
    job_id: &str,
    index: u64,
) -> StoreResult<Vec<u8>> {
    found(conn.prepare_cached_query_row(
        "SELECT c.data FROM user_import_chunks c
         JOIN user_import_jobs j ON j.seq = c.job JOIN pools p ON p.seq = j.pool
         WHERE p.id = ?1 AND j.job_id = ?2 AND c.idx = ?3",
        params![pool.as_str(), job_id, index as i64],
        |r| r.get(0),
    ))
}

pub fn claim(
    conn: &Connection,
    owner: &str,
    now: Timestamp,
    lease_until: Timestamp,
) -> StoreResult<Option<ImportJob>> {
    let seq: Option<i64> = conn
        .prepare_cached(
            "SELECT seq FROM user_import_jobs
             WHERE status IN ('Pending', 'InProgress', 'Stopping')
               AND (lease_until IS NULL OR lease_until < ?1)
             ORDER BY created, seq LIMIT 1",
        )
        .map_err(backend)?
        .query_row([now.millis()], |r| r.get(0))
        .optional()
        .map_err(backend)?;
    let Some(seq) = seq else { return Ok(None) };
    conn.execute_cached(
        "UPDATE user_import_jobs SET lease_owner = ?2, lease_until = ?3,
             started = COALESCE(started, ?4),
             status = CASE status WHEN 'Pending' THEN 'InProgress' ELSE status END
         WHERE seq = ?1",
        params![seq, owner, lease_until.millis(), now.millis()],
    )
    .map_err(backend)?;
    load_seq(conn, seq).map(Some)
}

/// The job's row key if `owner` holds its lease.
fn leased_seq(
    conn: &Connection,
    pool: &UserPoolId,
    job_id: &str,
    owner: &str,
) -> StoreResult<Option<i64>> {
    conn.prepare_cached(
        "SELECT j.seq FROM user_import_jobs j JOIN pools p ON p.seq = j.pool
         WHERE p.id = ?1 AND j.job_id = ?2 AND j.lease_owner = ?3",
    )
    .map_err(backend)?
    .query_row(params![pool.as_str(), job_id, owner], |r| r.get(0))
    .optional()
    .map_err(backend)
}

fn insert_failure(conn: &Connection, seq: i64, failure: &ImportFailure) -> StoreResult<()> {
    conn.execute_cached(
        "INSERT OR REPLACE INTO user_import_failures (job, row_no, reason) VALUES (?1, ?2, ?3)",
        params![seq, failure.row as i64, failure.reason],
    )
    .map_err(backend)?;
    Ok(())
}

/// Creates one imported user unless the database refuses it: `Err` names
/// the uniqueness rule. Without a savepoint per user (each made SQLite copy
/// every page it touched to its sub-journal again: most of an import's
/// time), a refused alias removes the user just inserted instead, its
/// aliases and index rows going with it (ON DELETE CASCADE).
fn insert_user(conn: &Connection, pool: i64, user: &User) -> StoreResult<Result<(), Conflict>> {
    let Some(row_id) = users::insert_row(conn, pool, user)? else {
        return Ok(Err(Conflict::Username));
    };
    for alias in &user.aliases {
        let taken = conn
            .execute_cached(
                "INSERT INTO user_aliases (pool, kind, value, user_id) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
                params![pool, alias.kind.attribute(), alias.value, row_id],
            )
            .map_err(backend)?;
        if taken == 0 {
            conn.execute_cached("DELETE FROM users WHERE id = ?1", [row_id])
                .map_err(backend)?;
            return Ok(Err(Conflict::Alias(alias.clone())));
        }
    }
    users::insert_index(conn, pool, row_id, user)?;
    Ok(Ok(()))
}

pub fn commit_batch(conn: &Connection, batch: &ImportBatch) -> StoreResult<BatchOutcome> {
    let Some(seq) = leased_seq(conn, &batch.pool_id, &batch.job_id, &batch.owner)? else {
        return Ok(BatchOutcome::LeaseLost);
    };
    let pool = pool_seq(conn, batch.pool_id.as_str())?;
    let mut imported = 0u64;
    let mut failed = batch.failures.len() as u64;
    for failure in &batch.failures {
        insert_failure(conn, seq, failure)?;
    }
    for (row, user) in &batch.users {
        match insert_user(conn, pool, user)? {
            Ok(()) => imported += 1,
            Err(conflict) => {
                failed += 1;
                let reason = (batch.conflict_reason)(&conflict);
                insert_failure(conn, seq, &ImportFailure { row: *row, reason })?;
            }
        }
    }
    conn.execute_cached(
        "UPDATE user_import_jobs SET next_offset = ?2, rows_read = rows_read + ?3,
             imported = imported + ?4, skipped = skipped + ?5, failed = failed + ?6,
             lease_until = ?7
         WHERE seq = ?1",
        params![
            seq,
            batch.next_offset as i64,
            batch.rows as i64,
            imported as i64,
            batch.skipped as i64,
            failed as i64,
            batch.lease_until.millis(),
        ],
    )
    .map_err(backend)?;
    load_seq(conn, seq).map(|job| BatchOutcome::Committed(Box::new(job)))
}

pub fn finish(
    conn: &Connection,
    pool: &UserPoolId,
    job_id: &str,
    owner: &str,
    status: ImportJobStatus,
    message: &str,
    now: Timestamp,
) -> StoreResult<bool> {
    let Some(seq) = leased_seq(conn, pool, job_id, owner)? else {
        return Ok(false);
    };
    conn.execute_cached(
        "UPDATE user_import_jobs SET status = ?2, completion_message = ?3, completed = ?4,
             lease_owner = NULL, lease_until = NULL
         WHERE seq = ?1",
        params![seq, status.as_str(), message, now.millis()],
    )
    .map_err(backend)?;
    conn.execute_cached("DELETE FROM user_import_chunks WHERE job = ?1", [seq])
        .map_err(backend)?;
    Ok(true)
}

pub fn list_failures(
    conn: &Connection,
    pool: &UserPoolId,
    job_id: &str,
    after_row: u64,
    limit: usize,
) -> StoreResult<Vec<ImportFailure>> {
    let (seq, _) = load(conn, pool, job_id)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT row_no, reason FROM user_import_failures
             WHERE job = ?1 AND row_no > ?2 ORDER BY row_no LIMIT ?3",
        )
        .map_err(backend)?;
    stmt.query_map(params![seq, after_row as i64, limit as i64], |r| {
        Ok(ImportFailure {
            row: r.get::<_, i64>(0)? as u64,
            reason: r.get(1)?,
        })
    })
    .map_err(backend)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(backend)
}
