//! The single writer, with group commit: writes queue for one thread that owns
//! the write connection; it takes every write waiting, runs each inside its own
//! savepoint of one IMMEDIATE transaction, commits once (one fsync for the
//! group under `synchronous=FULL`), and only then answers each caller. A write
//! that fails rolls back its savepoint alone; a failed commit fails them all.
//! Nothing is acknowledged before it is durable.
//!
//! A write that erases (a user, a pool, identities) asks for a WAL
//! checkpoint: after its group commits, the WAL is copied into the database
//! and truncated before anyone is answered, so old page images of what was
//! erased do not stay in the `-wal` file (with `secure_delete` on, the
//! database file's pages are zeroed as rows leave them).

use std::sync::mpsc;

use rusqlite::Connection;
use tessera_core::store::{StoreError, StoreResult};
use tokio::sync::oneshot;

use super::codec::{CachedStatements, backend};

/// Most writes committed together; bounds the latency a long queue adds.
const MAX_GROUP: usize = 128;

/// Delivers a write's result once its group's commit outcome is known.
type Finish = Box<dyn FnOnce(StoreResult<()>) + Send>;

/// One queued write.
trait Job: Send {
    /// Runs the write: whether it succeeded, and how to answer once committed.
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Finish);
    /// Answers without running (the transaction could not start).
    fn refuse(self: Box<Self>, error: StoreError);
    /// Whether the WAL is to be checkpointed and truncated after the commit.
    fn erases(&self) -> bool;
}

struct Pending<T, F> {
    write: F,
    reply: oneshot::Sender<StoreResult<T>>,
    erases: bool,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Finish) {
        let result = (self.write)(conn);
        let ok = result.is_ok();
        let reply = self.reply;
        (
            ok,
            Box::new(move |commit: StoreResult<()>| {
                let _ = reply.send(commit.and(result));
            }),
        )
    }

    fn refuse(self: Box<Self>, error: StoreError) {
        let _ = self.reply.send(Err(error));
    }

    fn erases(&self) -> bool {
        self.erases
    }
}

#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
}

impl Writer {
    /// Starts the writer thread, which owns `conn` until every `Writer` is dropped.
    pub fn start(conn: Connection) -> StoreResult<Writer> {
        let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
        std::thread::Builder::new()
            .name("tessera-sqlite-writer".into())
            .spawn(move || run(conn, queue))
            .map_err(|e| StoreError::Backend(format!("starting the writer thread: {e}")))?;
        Ok(Writer { jobs })
    }

    pub async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.queue(f, false).await
    }

    /// As [`write`](Self::write), then checkpoints and truncates the WAL
    /// before answering.
    pub async fn erase<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.queue(f, true).await
    }

    async fn queue<T, F>(&self, f: F, erases: bool) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Box::new(Pending {
                write: f,
                reply,
                erases,
            }))
            .map_err(|_| StoreError::Backend("the writer thread has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Backend("the writer thread dropped a write".into()))?
    }
}

fn run(conn: Connection, queue: mpsc::Receiver<Box<dyn Job>>) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        commit_group(&conn, group);
    }
}

fn commit_group(conn: &Connection, group: Vec<Box<dyn Job>>) {
    if let Err(e) = conn.execute_cached("BEGIN IMMEDIATE", []) {
        let error = backend(e);
        for job in group {
            job.refuse(error.clone());
        }
        return;
    }
    let mut finishes = Vec::with_capacity(group.len());
    let erases = group.iter().any(|job| job.erases());
    for job in group {
        let savepoint = conn.execute_cached("SAVEPOINT write", []);
        // A panicking write must not take the writer thread (and every later
        // write) with it: its work is rolled back and its caller sees an error.
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(conn)));
        let (ok, finish) = match ran {
            Ok(outcome) => (outcome.0, Some(outcome.1)),
            Err(_) => (false, None),
        };
        let settled = match (savepoint, ok) {
            (Ok(_), true) => conn.execute_cached("RELEASE write", []),
            (Ok(_), false) => conn
                .execute_cached("ROLLBACK TO write", [])
                .and_then(|_| conn.execute_cached("RELEASE write", [])),
            (Err(e), _) => Err(e),
        };
        if let Some(finish) = finish {
            finishes.push((finish, settled.map(drop).map_err(backend)));
        }
    }
    let commit = conn.execute_cached("COMMIT", []).map(drop).map_err(backend);
    if commit.is_err() {
        let _ = conn.execute_cached("ROLLBACK", []);
    } else if erases {
        truncate_wal(conn);
    }
    for (finish, settled) in finishes {
        finish(settled.and(commit.clone()));
    }
}

/// Copies the WAL into the database and empties it. Readers of an older
/// snapshot hold it up (for the busy timeout at most); if one still does, the
/// WAL keeps its frames until the next erasing write or checkpoint, and the
/// write stands: it is committed.
fn truncate_wal(conn: &Connection) {
    let outcome = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        r.get::<_, i64>(0)
    });
    match outcome {
        Ok(0) => {}
        Ok(_) => tracing::warn!("a reader held up truncating the WAL after an erasing write"),
        Err(e) => tracing::warn!(error = %e, "truncating the WAL after an erasing write failed"),
    }
}
