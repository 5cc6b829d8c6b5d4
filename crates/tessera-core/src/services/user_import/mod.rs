//! User import jobs: GetCSVHeader, CreateUserImportJob, Start, Stop,
//! Describe and ListUserImportJobs, and the file's upload to the job's
//! pre-signed URL (served by Tessera itself, signed with a key derived from
//! the key-encryption key, good for one upload until it expires).
//!
//! - [`rows`]: the CSV header and each row read into a user.
//! - [`upload`]: `ImportUpload` — a file streamed into the store in chunks.
//! - [`worker`]: the background processing of jobs under a lease.

pub mod rows;
pub mod upload;
pub mod worker;

use crate::clock::Timestamp;
use crate::domain::import_job::{
    ImportFailure, ImportJob, ImportJobStatus, ImportProgress, UploadState,
};
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::paging::Page;
use crate::services::{Services, next_token, page_request};
use crate::store::{Conflict, StoreError};

/// How this node takes part in user imports.
#[derive(Debug, Clone)]
pub struct ImportSettings {
    /// Whether this node processes jobs (any node accepts uploads).
    pub process_jobs: bool,
    /// Rows imported and counted per atomic store write.
    pub batch_rows: usize,
    /// How long a node's claim on a job lasts without progress; another node
    /// resumes the job after that.
    pub lease_seconds: i64,
    /// How often an idle node looks for jobs to process.
    pub poll_millis: u64,
    /// The largest file an upload accepts.
    pub max_file_bytes: u64,
    /// How long a job's pre-signed URL works.
    pub upload_url_seconds: i64,
}

impl Default for ImportSettings {
    fn default() -> Self {
        Self {
            process_jobs: true,
            batch_rows: 500,
            lease_seconds: 30,
            poll_millis: 500,
            // Cognito's limit for one import file.
            max_file_bytes: 100 * 1024 * 1024,
            upload_url_seconds: 900,
        }
    }
}

/// A job that was created and never started is Expired a day after creation.
const START_WINDOW_SECONDS: i64 = crate::domain::housekeeping::IMPORT_START_WINDOW_SECONDS;

/// Where a job's upload URL points; the edge serves it.
pub const UPLOAD_PATH: &str = "/_tessera/user-import";

const SIGNATURE_PURPOSE: &str = "tessera user import upload v1";

fn job_not_found(job_id: &str) -> Error {
    Error::ResourceNotFound(format!("Import job {job_id} does not exist."))
}

fn not_found(job_id: &str) -> impl FnOnce(StoreError) -> Error + '_ {
    move |e| match e {
        StoreError::NotFound => job_not_found(job_id),
        other => other.into(),
    }
}

/// A job as the API describes it: its PreSignedUrl, and Expired once the
/// start window of a created job passed.
pub struct JobView {
    pub job: ImportJob,
    pub pre_signed_url: String,
}

impl Services {
    pub async fn get_csv_header(&self, pool_id: &UserPoolId) -> Result<Vec<String>> {
        let pool = self.pool(pool_id).await?;
        Ok(rows::csv_header(&pool))
    }

    fn upload_signature(&self, pool: &UserPoolId, job_id: &str, expires: i64) -> String {
        let message = format!("{pool}\n{job_id}\n{expires}");
        hex::encode(
            self.sealing
                .keyed_hash(SIGNATURE_PURPOSE, message.as_bytes()),
        )
    }

    fn view(&self, mut job: ImportJob) -> JobView {
        let expires = job.upload_expires.millis();
        let signature = self.upload_signature(&job.pool_id, &job.job_id, expires);
        let pre_signed_url = format!(
            "{}{UPLOAD_PATH}/{}/{}?expires={expires}&signature={signature}",
            self.deployment.public_url.trim_end_matches('/'),
            job.pool_id,
            job.job_id,
        );
        if job.status == ImportJobStatus::Created
            && self.clock.now() > job.created.plus_seconds(START_WINDOW_SECONDS)
        {
            job.status = ImportJobStatus::Expired;
        }
        JobView {
            job,
            pre_signed_url,
        }
    }

    pub async fn create_user_import_job(
        &self,
        pool_id: &UserPoolId,
        job_name: &str,
        role_arn: &str,
    ) -> Result<JobView> {
        self.pool(pool_id).await?;
        let now = self.clock.now();
        let job = ImportJob {
            pool_id: pool_id.clone(),
            job_id: format!("import-{}", tessera_crypto::random::alphanumeric(10)),
            job_name: job_name.to_owned(),
            cloud_watch_logs_role_arn: role_arn.to_owned(),
            status: ImportJobStatus::Created,
            created: now,
            started: None,
            completed: None,
            completion_message: None,
            upload_expires: now.plus_seconds(self.imports.upload_url_seconds),
            upload: UploadState::Waiting,
            progress: ImportProgress::default(),
        };
        self.store
            .create_import_job(&job)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => super::existence::pool_not_found(pool_id),
                StoreError::Conflict(Conflict::ImportJob) => {
                    Error::Internal("an import job id was drawn twice".into())
                }
                other => other.into(),
            })?;
        Ok(self.view(job))
    }

    pub async fn describe_user_import_job(
        &self,
        pool_id: &UserPoolId,
        job_id: &str,
    ) -> Result<JobView> {
        self.pool(pool_id).await?;
        let job = self
            .store
            .get_import_job(pool_id, job_id)
            .await
            .map_err(not_found(job_id))?;
        Ok(self.view(job))
    }

    pub async fn list_user_import_jobs(
        &self,
        pool_id: &UserPoolId,
        max_results: i64,
        token: Option<&str>,
    ) -> Result<Page<JobView>> {
        self.pool(pool_id).await?;
        let page = page_request(Some(max_results), token)?;
        let listing = self.store.list_import_jobs(pool_id, &page).await?;
        Ok(Page {
            items: listing.items.into_iter().map(|j| self.view(j)).collect(),
            next: next_token(listing.next),
        })
    }

    pub async fn start_user_import_job(
        &self,
        pool_id: &UserPoolId,
        job_id: &str,
    ) -> Result<JobView> {
        let pool = self.pool(pool_id).await?;
        let current = self.describe_user_import_job(pool_id, job_id).await?.job;
        if current.status != ImportJobStatus::Created {
            return Err(Error::PreconditionNotMet(format!(
                "Import job {job_id} cannot be started: its status is {}.",
                current.status.as_str()
            )));
        }
        if !matches!(current.upload, UploadState::Received { .. }) {
            return Err(Error::PreconditionNotMet(format!(
                "Import job {job_id} has no CSV file: upload it to the job's PreSignedUrl first."
            )));
        }
        if pool.auto_verified_attributes().is_empty() {
            return Err(Error::PreconditionNotMet(
                "The user pool has no auto-verified attributes (email or phone_number): \
                 imported users could not reset their passwords."
                    .into(),
            ));
        }
        let started = self
            .store
            .set_import_job_status(
                pool_id,
                job_id,
                &[ImportJobStatus::Created],
                ImportJobStatus::Pending,
                None,
            )
            .await
            .map_err(not_found(job_id))?;
        match started {
            Some(job) => Ok(self.view(job)),
            None => Err(Error::PreconditionNotMet(format!(
                "Import job {job_id} cannot be started: it was started already."
            ))),
        }
    }

    /// A job not yet picked up stops at once; one being imported stops at
    /// the end of its current batch (Stopping, then Stopped).
    pub async fn stop_user_import_job(
        &self,
        pool_id: &UserPoolId,
        job_id: &str,
    ) -> Result<JobView> {
        self.pool(pool_id).await?;
        let now = self.clock.now();
        let store = &self.store;
        let pending = store
            .set_import_job_status(
                pool_id,
                job_id,
                &[ImportJobStatus::Pending],
                ImportJobStatus::Stopped,
                Some(now),
            )
            .await
            .map_err(not_found(job_id))?;
        if let Some(job) = pending {
            return Ok(self.view(job));
        }
        let running = store
            .set_import_job_status(
                pool_id,
                job_id,
                &[ImportJobStatus::InProgress],
                ImportJobStatus::Stopping,
                None,
            )
            .await
            .map_err(not_found(job_id))?;
        match running {
            Some(job) => Ok(self.view(job)),
            None => {
                let job = self.describe_user_import_job(pool_id, job_id).await?.job;
                Err(Error::PreconditionNotMet(format!(
                    "Import job {job_id} cannot be stopped: its status is {}.",
                    job.status.as_str()
                )))
            }
        }
    }

    /// Rows of the job that failed, with their reasons (Cognito writes them
    /// to CloudWatch Logs; Tessera keeps them with the job).
    pub async fn user_import_failures(
        &self,
        pool_id: &UserPoolId,
        job_id: &str,
        after_row: u64,
        limit: usize,
    ) -> Result<Vec<ImportFailure>> {
        self.store
            .list_import_failures(pool_id, job_id, after_row, limit)
            .await
            .map_err(not_found(job_id))
    }

    /// Checks an upload URL's signature (constant time) and expiry, then
    /// takes the job's one upload.
    pub async fn begin_user_import_upload(
        &self,
        pool_id: &UserPoolId,
        job_id: &str,
        expires: i64,
        signature: &str,
    ) -> Result<upload::ImportUpload> {
        let expected = self.upload_signature(pool_id, job_id, expires);
        if !tessera_crypto::random::ct_eq(expected.as_bytes(), signature.as_bytes()) {
            return Err(Error::NotAuthorized(
                "The request signature does not match.".into(),
            ));
        }
        if self.clock.now() > Timestamp(expires) {
            return Err(Error::NotAuthorized("Request has expired".into()));
        }
        let begun = self
            .store
            .begin_import_upload(pool_id, job_id)
            .await
            .map_err(not_found(job_id))?;
        if !begun {
            return Err(Error::PreconditionNotMet(
                "This upload URL was used already: a job takes one file.".into(),
            ));
        }
        Ok(upload::ImportUpload::new(
            self.store.clone(),
            pool_id.clone(),
            job_id.to_owned(),
            self.imports.max_file_bytes,
        ))
    }
}
