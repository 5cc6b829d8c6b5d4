//! User import jobs, their file's chunks, progress and failed rows.

use std::collections::{HashMap, HashSet};

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::import_job::{
    BatchOutcome, ImportBatch, ImportFailure, ImportJob, ImportJobStatus, ImportProgress,
    UploadState,
};
use tessera_core::domain::user::User;
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Listing, PageRequest, StoreError};
use tokio_postgres::Row;

use super::codec::{
    Failure, PgResult, execute, pool_seq, query, query_found, query_opt, to_json, unique_as,
};
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

/// The batch's users, inserted set-wise (a handful of statements for the
/// whole batch rather than several per user: on a network round trip each,
/// per-user statements made a 100,000-row import take minutes). A user the
/// database refuses — its username or an alias taken, by an existing user
/// or an earlier one of the batch — is left out (removed again when its
/// username went in but an alias did not) and fails its row.
async fn insert_users(
    c: &impl GenericClient,
    batch: &ImportBatch,
    failures: &mut Vec<ImportFailure>,
) -> PgResult<u64> {
    if batch.users.is_empty() {
        return Ok(0);
    }
    let pool = pool_seq(c, batch.pool_id.as_str()).await?;
    let users: Vec<&User> = batch.users.iter().map(|(_, u)| u).collect();
    let column = |f: fn(&User) -> String| users.iter().map(|u| f(u)).collect::<Vec<String>>();
    let json = |f: fn(&User) -> PgResult<String>| {
        users
            .iter()
            .map(|u| f(u))
            .collect::<PgResult<Vec<String>>>()
    };
    let rows = query(
        c,
        "INSERT INTO users (pool, sub, username, username_key, status, enabled, created,
                            modified, attributes, password, password_expires,
                            pending_attributes, mfa)
         SELECT $1::int8, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[],
                                        $6::bool[], $7::int8[], $8::int8[], $9::text[],
                                        $10::bytea[], $11::int8[], $12::text[], $13::text[])
         ON CONFLICT DO NOTHING
         RETURNING sub, id",
        &[
            &pool,
            &column(|u| u.sub.clone()),
            &column(|u| u.username.clone()),
            &column(|u| u.username_key.clone()),
            &column(|u| u.status.as_str().to_owned()),
            &users.iter().map(|u| u.enabled).collect::<Vec<_>>(),
            &users.iter().map(|u| u.created.millis()).collect::<Vec<_>>(),
            &users
                .iter()
                .map(|u| u.modified.millis())
                .collect::<Vec<_>>(),
            &json(|u| to_json(&u.attributes))?,
            &users.iter().map(|u| u.password.clone()).collect::<Vec<_>>(),
            &users
                .iter()
                .map(|u| u.password_expires.map(Timestamp::millis))
                .collect::<Vec<_>>(),
            &json(|u| to_json(&u.pending_attributes))?,
            &json(|u| to_json(&u.mfa))?,
        ],
    )
    .await?;
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(rows.len());
    for row in &rows {
        ids.insert(row.try_get(0)?, row.try_get(1)?);
    }
    let (mut kinds, mut values, mut owners) = (Vec::new(), Vec::new(), Vec::new());
    for user in &users {
        if let Some(id) = ids.get(&user.sub) {
            for alias in &user.aliases {
                kinds.push(alias.kind.attribute());
                values.push(alias.value.clone());
                owners.push(*id);
            }
        }
    }
    let taken = query(
        c,
        "INSERT INTO user_aliases (pool, kind, value, user_id)
         SELECT $1::int8, * FROM UNNEST($2::text[], $3::text[], $4::int8[])
         ON CONFLICT DO NOTHING
         RETURNING user_id, kind, value",
        &[&pool, &kinds, &values, &owners],
    )
    .await?;
    let mut held: HashSet<(i64, String, String)> = HashSet::with_capacity(taken.len());
    for row in &taken {
        held.insert((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
    }
    let mut refused = Vec::new();
    let (mut attrs, mut index_values, mut index_owners) = (Vec::new(), Vec::new(), Vec::new());
    for (row, user) in &batch.users {
        let Some(&id) = ids.get(&user.sub) else {
            failures.push(ImportFailure {
                row: *row,
                reason: (batch.conflict_reason)(&Conflict::Username),
            });
            continue;
        };
        let missing = user
            .aliases
            .iter()
            .find(|a| !held.contains(&(id, a.kind.attribute().to_owned(), a.value.clone())));
        if let Some(alias) = missing {
            refused.push(id);
            failures.push(ImportFailure {
                row: *row,
                reason: (batch.conflict_reason)(&Conflict::Alias(alias.clone())),
            });
            continue;
        }
        for (attr, value) in user.filter_values() {
            attrs.push(attr);
            index_values.push(value.into_bytes());
            index_owners.push(id);
        }
    }
    if !refused.is_empty() {
        // Their aliases and index rows go with them (ON DELETE CASCADE).
        execute(c, "DELETE FROM users WHERE id = ANY($1)", &[&refused]).await?;
    }
    execute(
        c,
        "INSERT INTO user_index (pool, attr, value, user_id)
         SELECT $1::int8, * FROM UNNEST($2::text[], $3::bytea[], $4::int8[])
         ON CONFLICT DO NOTHING",
        &[&pool, &attrs, &index_values, &index_owners],
    )
    .await?;
    Ok((batch.users.len() - failures.len()) as u64)
}

pub async fn commit_batch(c: &impl GenericClient, batch: &ImportBatch) -> PgResult<BatchOutcome> {
    let Some(seq) = leased_seq(c, &batch.pool_id, &batch.job_id, &batch.owner).await? else {
        return Ok(BatchOutcome::LeaseLost);
    };
    let mut refused = Vec::new();
    let imported = insert_users(c, batch, &mut refused).await?;
    let failures: Vec<&ImportFailure> = batch.failures.iter().chain(&refused).collect();
    execute(
        c,
        "INSERT INTO user_import_failures (job, row_no, reason)
         SELECT $1::int8, * FROM UNNEST($2::int8[], $3::text[])
         ON CONFLICT (job, row_no) DO NOTHING",
        &[
            &seq,
            &failures.iter().map(|f| f.row as i64).collect::<Vec<_>>(),
            &failures
                .iter()
                .map(|f| f.reason.clone())
                .collect::<Vec<_>>(),
        ],
    )
    .await?;
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
            &(failures.len() as i64),
            &batch.lease_until.millis(),
        ],
    )
    .await?;
    load_seq(c, seq)
        .await
        .map(|job| BatchOutcome::Committed(Box::new(job)))
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
