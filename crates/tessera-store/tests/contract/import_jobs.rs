//! User import jobs: created and listed per pool, status changes only from
//! the expected statuses, one upload per job in chunks, one node's lease at
//! a time, and a batch (users, failed rows, progress) written all or nothing.

use tessera_core::domain::import_job::{
    BatchOutcome, ImportBatch, ImportFailure, ImportJob, ImportJobStatus, ImportProgress,
    UploadState,
};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Conflict, Store, UserKey};

use crate::support::*;

fn job(pool: &UserPoolId, n: u32) -> ImportJob {
    ImportJob {
        pool_id: pool.clone(),
        job_id: format!("import-{n:010}"),
        job_name: format!("job ünï {n}"),
        cloud_watch_logs_role_arn: "arn:aws:iam::123456789012:role/Import".into(),
        status: ImportJobStatus::Created,
        created: later(i64::from(n)),
        started: None,
        completed: None,
        completion_message: None,
        upload_expires: later(900),
        upload: UploadState::Waiting,
        progress: ImportProgress::default(),
    }
}

fn reason(conflict: &Conflict) -> String {
    format!("refused: {conflict:?}")
}

/// A pool with a job whose file is uploaded and which is Pending.
async fn pending_job(store: &dyn Store, suffix: &str) -> ImportJob {
    let p = pool(suffix);
    store.create_pool(&p).await.expect("create_pool");
    let j = job(&p.id, 1);
    store
        .create_import_job(&j)
        .await
        .expect("create_import_job");
    assert!(
        store
            .begin_import_upload(&p.id, &j.job_id)
            .await
            .expect("begin")
    );
    store
        .put_import_chunk(&p.id, &j.job_id, 0, b"header\n")
        .await
        .expect("chunk");
    store
        .end_import_upload(&p.id, &j.job_id, Some(7))
        .await
        .expect("end");
    store
        .set_import_job_status(
            &p.id,
            &j.job_id,
            &[ImportJobStatus::Created],
            ImportJobStatus::Pending,
            None,
        )
        .await
        .expect("start")
        .expect("was Created")
}

fn batch(
    job: &ImportJob,
    owner: &str,
    users: Vec<(u64, tessera_core::domain::user::User)>,
) -> ImportBatch {
    ImportBatch {
        pool_id: job.pool_id.clone(),
        job_id: job.job_id.clone(),
        owner: owner.into(),
        lease_until: later(60),
        users,
        failures: vec![ImportFailure {
            row: 2,
            reason: "bad row".into(),
        }],
        skipped: 1,
        rows: 4,
        next_offset: 123,
        conflict_reason: reason,
    }
}

pub async fn create_get_and_list_round_trip(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Imports");
    let other = pool("ImportsOther");
    store.create_pool(&p).await.expect("create_pool");
    store.create_pool(&other).await.expect("create_pool");
    let jobs: Vec<ImportJob> = (1..=5).map(|n| job(&p.id, n)).collect();
    for j in &jobs {
        store.create_import_job(j).await.expect("create_import_job");
    }
    store
        .create_import_job(&job(&other.id, 9))
        .await
        .expect("another pool's job");
    assert_eq!(
        store
            .get_import_job(&p.id, &jobs[2].job_id)
            .await
            .expect("get"),
        jobs[2]
    );
    assert_conflict(
        "same id",
        store.create_import_job(&jobs[0]).await,
        Conflict::ImportJob,
    );
    assert_not_found(
        "job of another pool",
        store.get_import_job(&other.id, &jobs[0].job_id).await,
    );
    let listed = collect_pages(2, |request| {
        let store = store.clone();
        let id = p.id.clone();
        async move { store.list_import_jobs(&id, &request).await }
    })
    .await;
    assert_eq!(listed, jobs, "oldest first, every job once");
}

pub async fn status_changes_only_from_the_given_statuses(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("ImportStatus");
    store.create_pool(&p).await.expect("create_pool");
    let j = job(&p.id, 1);
    store.create_import_job(&j).await.expect("create");
    let refused = store
        .set_import_job_status(
            &p.id,
            &j.job_id,
            &[ImportJobStatus::InProgress],
            ImportJobStatus::Stopping,
            None,
        )
        .await
        .expect("set");
    assert_eq!(refused, None);
    let stopped = store
        .set_import_job_status(
            &p.id,
            &j.job_id,
            &[ImportJobStatus::Created],
            ImportJobStatus::Stopped,
            Some(later(5)),
        )
        .await
        .expect("set")
        .expect("was Created");
    assert_eq!(
        (stopped.status, stopped.completed),
        (ImportJobStatus::Stopped, Some(later(5)))
    );
    assert_not_found(
        "missing job",
        store
            .set_import_job_status(&p.id, "import-missing", &[], ImportJobStatus::Stopped, None)
            .await,
    );
}

pub async fn one_upload_per_job_and_a_broken_one_can_be_retried(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("ImportUpload");
    store.create_pool(&p).await.expect("create_pool");
    let j = job(&p.id, 1);
    store.create_import_job(&j).await.expect("create");
    assert!(
        store
            .begin_import_upload(&p.id, &j.job_id)
            .await
            .expect("begin")
    );
    assert!(
        !store
            .begin_import_upload(&p.id, &j.job_id)
            .await
            .expect("second begin")
    );
    store
        .put_import_chunk(&p.id, &j.job_id, 0, b"partial")
        .await
        .expect("chunk");
    store
        .end_import_upload(&p.id, &j.job_id, None)
        .await
        .expect("abandon");
    assert_not_found(
        "dropped chunk",
        store.get_import_chunk(&p.id, &j.job_id, 0).await,
    );
    assert!(
        store
            .begin_import_upload(&p.id, &j.job_id)
            .await
            .expect("retry")
    );
    let big = vec![7u8; 1 << 20];
    store
        .put_import_chunk(&p.id, &j.job_id, 0, &big)
        .await
        .expect("chunk 0");
    store
        .put_import_chunk(&p.id, &j.job_id, 1, b"tail")
        .await
        .expect("chunk 1");
    store
        .end_import_upload(&p.id, &j.job_id, Some((1 << 20) + 4))
        .await
        .expect("end");
    assert!(
        !store
            .begin_import_upload(&p.id, &j.job_id)
            .await
            .expect("after the upload")
    );
    assert_eq!(
        store
            .get_import_chunk(&p.id, &j.job_id, 0)
            .await
            .expect("0"),
        big
    );
    assert_eq!(
        store
            .get_import_chunk(&p.id, &j.job_id, 1)
            .await
            .expect("1"),
        b"tail"
    );
    assert_not_found(
        "past the end",
        store.get_import_chunk(&p.id, &j.job_id, 2).await,
    );
    let got = store.get_import_job(&p.id, &j.job_id).await.expect("get");
    assert_eq!(
        got.upload,
        UploadState::Received {
            bytes: (1 << 20) + 4
        }
    );
}

pub async fn a_lease_is_held_by_one_node_until_it_expires(engine: &Engine) {
    let store = engine.open().await;
    let j = pending_job(store.as_ref(), "ImportLease").await;
    let claimed = store
        .claim_import_job("a", later(0), later(30))
        .await
        .expect("claim")
        .expect("a job");
    assert_eq!(
        (claimed.job_id.as_str(), claimed.status),
        (j.job_id.as_str(), ImportJobStatus::InProgress)
    );
    assert_eq!(claimed.started, Some(later(0)));
    assert_eq!(
        store
            .claim_import_job("b", later(10), later(40))
            .await
            .expect("claim"),
        None
    );
    let taken = store
        .claim_import_job("b", later(31), later(60))
        .await
        .expect("claim")
        .expect("expired lease");
    assert_eq!(taken.started, Some(later(0)), "the start date stays");
    let stale = store
        .commit_import_batch(&batch(&j, "a", vec![]))
        .await
        .expect("commit");
    assert_eq!(stale, BatchOutcome::LeaseLost);
    assert!(
        !store
            .finish_import_job(
                &j.pool_id,
                &j.job_id,
                "a",
                ImportJobStatus::Succeeded,
                "done",
                later(70)
            )
            .await
            .expect("finish")
    );
    assert!(
        store
            .finish_import_job(
                &j.pool_id,
                &j.job_id,
                "b",
                ImportJobStatus::Succeeded,
                "done",
                later(70)
            )
            .await
            .expect("finish")
    );
    let done = store
        .get_import_job(&j.pool_id, &j.job_id)
        .await
        .expect("get");
    assert_eq!(done.status, ImportJobStatus::Succeeded);
    assert_eq!(done.completion_message.as_deref(), Some("done"));
    assert_not_found(
        "chunks dropped",
        store.get_import_chunk(&j.pool_id, &j.job_id, 0).await,
    );
    assert_eq!(
        store
            .claim_import_job("c", later(200), later(230))
            .await
            .expect("claim"),
        None
    );
}

pub async fn a_batch_imports_counts_and_records_failures_at_once(engine: &Engine) {
    let store = engine.open().await;
    let j = pending_job(store.as_ref(), "ImportBatch").await;
    let existing = user_with_email(&j.pool_id, "old", "old@example.com");
    store
        .create_user(&existing, &[], None)
        .await
        .expect("existing user");
    store
        .claim_import_job("a", later(0), later(30))
        .await
        .expect("claim")
        .expect("job");
    let users = vec![
        (1, user_with_email(&j.pool_id, "new1", "new1@example.com")),
        (3, user(&j.pool_id, "old")),
        (4, user_with_email(&j.pool_id, "new2", "old@example.com")),
        (5, user_with_email(&j.pool_id, "new3", "new3@example.com")),
        (6, user_with_email(&j.pool_id, "new3", "other@example.com")),
    ];
    let mut b = batch(&j, "a", users);
    b.rows = 7;
    let BatchOutcome::Committed(after) = store.commit_import_batch(&b).await.expect("commit")
    else {
        panic!("the lease is held");
    };
    assert_eq!(
        after.progress,
        ImportProgress {
            offset: 123,
            rows: 7,
            imported: 2,
            skipped: 1,
            failed: 4
        }
    );
    for name in ["new1", "new3"] {
        store
            .get_user(&j.pool_id, UserKey::Username(name))
            .await
            .expect("imported");
    }
    assert_not_found(
        "refused for its alias",
        store.get_user(&j.pool_id, UserKey::Username("new2")).await,
    );
    let kept = store
        .get_user(&j.pool_id, UserKey::Alias(&email_alias("new3@example.com")))
        .await;
    assert_eq!(kept.expect("alias").username, "new3");
    let failures = store
        .list_import_failures(&j.pool_id, &j.job_id, 0, 100)
        .await
        .expect("failures");
    let rows: Vec<u64> = failures.iter().map(|f| f.row).collect();
    assert_eq!(rows, vec![2, 3, 4, 6]);
    assert_eq!(failures[0].reason, "bad row");
    assert_eq!(failures[1].reason, reason(&Conflict::Username));
    assert_eq!(
        failures[2].reason,
        reason(&Conflict::Alias(email_alias("old@example.com")))
    );
    let page = store
        .list_import_failures(&j.pool_id, &j.job_id, 3, 1)
        .await
        .expect("page");
    assert_eq!(page.iter().map(|f| f.row).collect::<Vec<_>>(), vec![4]);
    assert_eq!(store.count_users(&j.pool_id).await.expect("count"), 3);
}

/// Whether the job's file still has its first chunk.
async fn has_file(store: &dyn Store, job: &ImportJob) -> bool {
    match store.get_import_chunk(&job.pool_id, &job.job_id, 0).await {
        Ok(_) => true,
        Err(tessera_core::store::StoreError::NotFound) => false,
        Err(e) => panic!("get_import_chunk: {e}"),
    }
}

pub async fn files_go_once_their_job_ended_or_was_never_started_in_a_day(engine: &Engine) {
    let store = engine.open().await;
    let store = store.as_ref();
    let pending = pending_job(store, "purgepending").await;
    let stopped = pending_job(store, "purgestopped").await;
    store
        .set_import_job_status(
            &stopped.pool_id,
            &stopped.job_id,
            &[ImportJobStatus::Pending],
            ImportJobStatus::Stopped,
            Some(later(2)),
        )
        .await
        .expect("stop")
        .expect("was Pending");
    // Uploaded, never started.
    let p = pool("purgeunstarted");
    store.create_pool(&p).await.expect("create_pool");
    let unstarted = job(&p.id, 1);
    store.create_import_job(&unstarted).await.expect("create");
    assert!(
        store
            .begin_import_upload(&p.id, &unstarted.job_id)
            .await
            .expect("begin")
    );
    store
        .put_import_chunk(&p.id, &unstarted.job_id, 0, b"header\n")
        .await
        .expect("chunk");
    store
        .end_import_upload(&p.id, &unstarted.job_id, Some(7))
        .await
        .expect("end");

    let window = tessera_core::domain::housekeeping::IMPORT_START_WINDOW_SECONDS;
    let within = unstarted.created.plus_seconds(window - 1);
    while store
        .purge_expired(within, 1)
        .await
        .expect("purge")
        .expect("not locked")
        .import_chunks
        > 0
    {}
    assert!(!has_file(store, &stopped).await, "an ended job's file goes");
    assert!(
        has_file(store, &pending).await,
        "a job still to run keeps its file"
    );
    assert!(has_file(store, &unstarted).await, "it may still be started");

    let past = unstarted.created.plus_seconds(window + 1);
    store
        .purge_expired(past, 100)
        .await
        .expect("purge")
        .expect("not locked");
    assert!(
        !has_file(store, &unstarted).await,
        "Expired: nothing will read it"
    );
    assert!(has_file(store, &pending).await);
}
