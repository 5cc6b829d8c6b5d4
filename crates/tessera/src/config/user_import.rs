//! `[user_import]`: user import jobs — uploads to their pre-signed URLs and
//! the background processing of their files.
//!
//! ```toml
//! [user_import]
//! process_jobs = true        # false: this node only accepts uploads
//! batch_rows = 500
//! lease_seconds = 30
//! ```

use anyhow::bail;
use schemars::JsonSchema;
use serde::Deserialize;
use tessera_core::services::user_import::ImportSettings;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserImportFile {
    /// Whether this node processes import jobs (default true). Every node
    /// accepts uploads; on several nodes, each job is processed by one.
    #[schemars(extend("default" = ImportSettings::default().process_jobs))]
    pub process_jobs: Option<bool>,
    /// Rows imported and counted in each atomic store write (default 500).
    #[schemars(extend("default" = ImportSettings::default().batch_rows))]
    pub batch_rows: Option<usize>,
    /// How long a node's claim on a job lasts without progress, in seconds
    /// (default 30); after that another node resumes the job.
    #[schemars(extend("default" = ImportSettings::default().lease_seconds))]
    pub lease_seconds: Option<i64>,
    /// How often an idle node looks for jobs, in milliseconds (default 500).
    #[schemars(extend("default" = ImportSettings::default().poll_millis))]
    pub poll_millis: Option<u64>,
    /// The largest import file accepted, in bytes (default 100 MiB, Cognito's limit).
    #[schemars(extend("default" = ImportSettings::default().max_file_bytes))]
    pub max_file_bytes: Option<u64>,
    /// How long a job's pre-signed upload URL works, in seconds (default 900).
    #[schemars(extend("default" = ImportSettings::default().upload_url_seconds))]
    pub upload_url_seconds: Option<i64>,
}

pub fn resolve(file: UserImportFile) -> anyhow::Result<ImportSettings> {
    let mut settings = ImportSettings::default();
    if let Some(v) = file.process_jobs {
        settings.process_jobs = v;
    }
    if let Some(v) = file.batch_rows {
        if v == 0 || v > 10_000 {
            bail!("user_import.batch_rows must be between 1 and 10000");
        }
        settings.batch_rows = v;
    }
    if let Some(v) = file.lease_seconds {
        if v < 1 {
            bail!("user_import.lease_seconds must be at least 1");
        }
        settings.lease_seconds = v;
    }
    if let Some(v) = file.poll_millis {
        settings.poll_millis = v.max(10);
    }
    if let Some(v) = file.max_file_bytes {
        settings.max_file_bytes = v;
    }
    if let Some(v) = file.upload_url_seconds {
        if v < 1 {
            bail!("user_import.upload_url_seconds must be at least 1");
        }
        settings.upload_url_seconds = v;
    }
    Ok(settings)
}
