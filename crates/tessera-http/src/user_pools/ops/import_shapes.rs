//! UserImportJobType, as every user import operation answers it.

use serde_json::{Value, json};
use tessera_core::services::user_import::JobView;

pub fn user_import_job(view: &JobView) -> Value {
    let job = &view.job;
    let mut shape = json!({
        "JobName": job.job_name,
        "JobId": job.job_id,
        "UserPoolId": job.pool_id.as_str(),
        "PreSignedUrl": view.pre_signed_url,
        "CreationDate": job.created.epoch_seconds(),
        "Status": job.status.as_str(),
        "CloudWatchLogsRoleArn": job.cloud_watch_logs_role_arn,
        "ImportedUsers": job.progress.imported,
        "SkippedUsers": job.progress.skipped,
        "FailedUsers": job.progress.failed,
    });
    if let Some(started) = job.started {
        shape["StartDate"] = json!(started.epoch_seconds());
    }
    if let Some(completed) = job.completed {
        shape["CompletionDate"] = json!(completed.epoch_seconds());
    }
    if let Some(message) = &job.completion_message {
        shape["CompletionMessage"] = json!(message);
    }
    shape
}
