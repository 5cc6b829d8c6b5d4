//! The upload URL of a user import job (its `PreSignedUrl`, which points at
//! Tessera rather than S3): `PUT {public_url}/_tessera/user-import/{pool}/{job}
//! ?expires=…&signature=…` with the CSV file as the body. The body streams
//! into the store in chunks under the import's own size cap (the API's body
//! limit does not apply). Headers Cognito tells uploaders to send, such as
//! `x-amz-server-side-encryption: aws:kms`, are accepted and ignored.
//! Refusals answer in S3's XML error format, as a client of a pre-signed S3
//! URL expects: `403 AccessDenied` (bad signature, expired, already used),
//! `404 NoSuchKey` (no such job), `400 EntityTooLarge`, `500 InternalError`.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use http_body_util::BodyExt;
use serde::Deserialize;
use tessera_core::Error;
use tessera_core::ids::UserPoolId;

use crate::router::AppState;

/// How long an upload may send nothing before it is dropped (and its URL
/// freed), so a stalled client cannot hold a job's one upload.
const IDLE: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Deserialize)]
struct Signed {
    expires: i64,
    signature: String,
}

fn s3_error(status: StatusCode, code: &str, message: &str) -> Response {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message></Error>",
        escape(message)
    );
    (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

fn refusal(e: Error) -> Response {
    match e {
        Error::NotAuthorized(m) | Error::PreconditionNotMet(m) => {
            s3_error(StatusCode::FORBIDDEN, "AccessDenied", &m)
        }
        Error::ResourceNotFound(m) => s3_error(StatusCode::NOT_FOUND, "NoSuchKey", &m),
        Error::LimitExceeded(m) => s3_error(StatusCode::BAD_REQUEST, "EntityTooLarge", &m),
        other => {
            tracing::error!(cause = %other, "user import upload");
            s3_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "We encountered an internal error. Please try again.",
            )
        }
    }
}

pub async fn upload(
    State(state): State<AppState>,
    Path((pool, job_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let Some(signed) = query
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str::<Signed>(q).ok())
    else {
        return s3_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "The upload URL must carry its expires and signature parameters.",
        );
    };
    let pool = UserPoolId::new(pool);
    let mut upload = match state
        .services
        .begin_user_import_upload(&pool, &job_id, signed.expires, &signed.signature)
        .await
    {
        Ok(upload) => upload,
        Err(e) => return refusal(e),
    };
    let mut body = body;
    loop {
        let Ok(next) = tokio::time::timeout(IDLE, body.frame()).await else {
            tracing::info!(job = %job_id, "an import upload stalled");
            upload.abandon().await;
            return s3_error(
                StatusCode::BAD_REQUEST,
                "RequestTimeout",
                "Your socket connection to the server was not read from or written to within the timeout period.",
            );
        };
        match next {
            None => break,
            Some(Ok(frame)) => {
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                if let Err(e) = upload.write(&data).await {
                    upload.abandon().await;
                    return refusal(e);
                }
            }
            Some(Err(e)) => {
                tracing::info!(job = %job_id, error = %e, "an import upload broke off");
                upload.abandon().await;
                return s3_error(
                    StatusCode::BAD_REQUEST,
                    "IncompleteBody",
                    "The upload ended before its body did.",
                );
            }
        }
    }
    match upload.finish().await {
        Ok(bytes) => {
            tracing::info!(job = %job_id, bytes, "import file uploaded");
            StatusCode::OK.into_response()
        }
        Err(e) => refusal(e),
    }
}
