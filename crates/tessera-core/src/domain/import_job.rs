//! User import jobs: a CSV file of users uploaded to the job's pre-signed
//! URL, kept in the store in chunks, imported in batches by whichever node
//! holds the job's lease.

use crate::clock::Timestamp;
use crate::domain::user::User;
use crate::ids::UserPoolId;
use crate::store::Conflict;

/// Bytes per stored chunk of an uploaded file; every chunk but the last is
/// exactly this long, so a byte offset names its chunk.
pub const CHUNK_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportJobStatus {
    Created,
    Pending,
    InProgress,
    Stopping,
    Expired,
    Stopped,
    Failed,
    Succeeded,
}

impl ImportJobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportJobStatus::Created => "Created",
            ImportJobStatus::Pending => "Pending",
            ImportJobStatus::InProgress => "InProgress",
            ImportJobStatus::Stopping => "Stopping",
            ImportJobStatus::Expired => "Expired",
            ImportJobStatus::Stopped => "Stopped",
            ImportJobStatus::Failed => "Failed",
            ImportJobStatus::Succeeded => "Succeeded",
        }
    }

    pub fn parse(s: &str) -> Option<ImportJobStatus> {
        Some(match s {
            "Created" => ImportJobStatus::Created,
            "Pending" => ImportJobStatus::Pending,
            "InProgress" => ImportJobStatus::InProgress,
            "Stopping" => ImportJobStatus::Stopping,
            "Expired" => ImportJobStatus::Expired,
            "Stopped" => ImportJobStatus::Stopped,
            "Failed" => ImportJobStatus::Failed,
            "Succeeded" => ImportJobStatus::Succeeded,
            _ => return None,
        })
    }

    /// Statuses a processing node works on (and resumes after a crash).
    pub const ACTIVE: [ImportJobStatus; 3] = [
        ImportJobStatus::Pending,
        ImportJobStatus::InProgress,
        ImportJobStatus::Stopping,
    ];
}

/// Where the job's file is: its pre-signed URL is good for one upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    /// Nothing uploaded yet; the URL works until it expires.
    Waiting,
    /// An upload is streaming in.
    Receiving,
    /// The file is stored, `bytes` long.
    Received { bytes: u64 },
}

/// How far the import got: everything before `offset` (a byte offset in the
/// file) is imported and counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportProgress {
    pub offset: u64,
    /// Data rows read so far (the header is not one).
    pub rows: u64,
    pub imported: u64,
    pub skipped: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportJob {
    pub pool_id: UserPoolId,
    /// `import-` and alphanumerics.
    pub job_id: String,
    pub job_name: String,
    pub cloud_watch_logs_role_arn: String,
    pub status: ImportJobStatus,
    pub created: Timestamp,
    pub started: Option<Timestamp>,
    pub completed: Option<Timestamp>,
    pub completion_message: Option<String>,
    /// When the pre-signed URL stops working.
    pub upload_expires: Timestamp,
    pub upload: UploadState,
    pub progress: ImportProgress,
}

/// Why one row of the file was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFailure {
    /// 1-based data row (the header is row 0).
    pub row: u64,
    pub reason: String,
}

/// One batch of rows, imported and counted in one atomic store write: the
/// users created, the rows that failed, and the position after the batch.
#[derive(Debug, Clone)]
pub struct ImportBatch {
    pub pool_id: UserPoolId,
    pub job_id: String,
    /// The node whose lease the write needs.
    pub owner: String,
    pub lease_until: Timestamp,
    /// Users to create, each with its row; one the database refuses (its
    /// username or an alias taken) fails its row with `conflict_reason`.
    pub users: Vec<(u64, User)>,
    pub failures: Vec<ImportFailure>,
    pub skipped: u64,
    /// Rows the batch covers, and the byte offset after its last one.
    pub rows: u64,
    pub next_offset: u64,
    pub conflict_reason: fn(&Conflict) -> String,
}

/// What committing a batch found.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchOutcome {
    /// Committed; the job as it now is (its status may have become Stopping).
    Committed(Box<ImportJob>),
    /// Another node holds the job now (this one's lease expired): nothing written.
    LeaseLost,
}
