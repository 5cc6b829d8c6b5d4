//! The awsJson 1.1 endpoint: `POST /` with the operation in `X-Amz-Target`,
//! shared by every service it serves.
//!
//! - [`service`]: the `Service` trait a served API implements.
//! - [`error`]: `ApiError`, the wire form of every error.
//! - [`auth`]: SigV4 for signed operations.
//! - [`model`]: service-model shapes (one generated table per service).
//! - [`validate`]: input checks against a model, worded as AWS words them.

pub mod auth;
pub mod error;
pub mod model;
pub mod service;
pub mod validate;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::Value;
use tracing::Instrument;

use crate::identity_pools::IdentityPools;
use crate::router::AppState;
use crate::telemetry::ApiOperation;
use crate::user_pools::UserPools;
pub use error::ApiError;
pub use service::{Caller, OperationError, Service};

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// Answers `{}` after reading and parsing the body like any operation, and
/// touches nothing else: the benchmark's measure of the HTTP stack's ceiling.
pub const NOOP_TARGET: &str = "TesseraBenchmark.Noop";

pub async fn endpoint(State(state): State<AppState>, request: Request) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let span = tracing::info_span!("request", id = %request_id, target = %target);
    let outcome = tokio::time::timeout(state.request_timeout, handle(&state, request))
        .instrument(span.clone())
        .await;
    let mut response = match outcome {
        Ok(Ok(value)) => ok(value),
        Ok(Err(error)) => {
            span.in_scope(|| tracing::info!(error = error.kind(), "request refused"));
            error.into_response()
        }
        Err(_) => {
            span.in_scope(|| tracing::warn!("request timed out"));
            ApiError::internal("Request timed out.").into_response()
        }
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-requestid", v);
    }
    response
        .extensions_mut()
        .insert(ApiOperation(operation_label(&target)));
    response
}

/// The operation `target` names, as the model names it: the metrics label,
/// bounded by the model (any other target is `unknown`).
fn operation_label(target: &str) -> &'static str {
    if target == NOOP_TARGET {
        return NOOP_TARGET;
    }
    if let Some(name) = target.strip_prefix(UserPools::TARGET_PREFIX) {
        return UserPools::operation(name).map_or("unknown", UserPools::operation_name);
    }
    target
        .strip_prefix(IdentityPools::TARGET_PREFIX)
        .and_then(IdentityPools::operation)
        .map_or("unknown", IdentityPools::operation_name)
}

fn ok(value: Value) -> Response {
    let mut response = Response::new(Body::from(value.to_string()));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

async fn handle(state: &AppState, request: Request) -> Result<Value, ApiError> {
    let (parts, body) = request.into_parts();
    let target = parts
        .headers
        .get("x-amz-target")
        .ok_or_else(|| ApiError::unknown_operation("Missing X-Amz-Target header."))?
        .to_str()
        .map_err(|_| ApiError::unknown_operation("Invalid X-Amz-Target header."))?
        .to_owned();
    if target == NOOP_TARGET {
        parse_json(&read_body(body, state.body_limit).await?)?;
        return Ok(Value::Object(Default::default()));
    }
    if let Some(name) = target.strip_prefix(UserPools::TARGET_PREFIX) {
        return serve::<UserPools>(state, &parts, body, &target, name).await;
    }
    if let Some(name) = target.strip_prefix(IdentityPools::TARGET_PREFIX) {
        return serve::<IdentityPools>(state, &parts, body, &target, name).await;
    }
    Err(ApiError::unknown_operation(&format!(
        "Unknown operation {target}."
    )))
}

/// One operation of service `S`: its signature, body, input checks, and call.
async fn serve<S: Service>(
    state: &AppState,
    parts: &http::request::Parts,
    body: Body,
    target: &str,
    name: &str,
) -> Result<Value, ApiError> {
    let op = S::operation(name)
        .ok_or_else(|| ApiError::unknown_operation(&format!("Unknown operation {target}.")))?;
    let bytes = read_body(body, state.body_limit).await?;
    let mut caller = Caller {
        access_key_id: None,
        peer: crate::peer::peer_ip(&parts.extensions),
        user_agent: parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    if !S::is_unsigned(op) {
        caller.access_key_id = Some(auth::check(state, parts, &bytes, S::SIGNING_NAME)?);
    }
    let input = parse_json(&bytes)?;
    S::validate(op, &input)?;
    S::call(state, op, input, &caller)
        .await
        .map_err(|e| match e {
            OperationError::Wire(wire) => wire,
            OperationError::Core(core) => S::error(core),
        })
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLargeException",
            format!("Request body is larger than {limit} bytes."),
        )
    })
}

fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    // awsJson clients send `{}` for empty input; an empty body means the same.
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::serialization(
            "Start of structure or map found where not expected.",
        )),
        Err(_) => Err(ApiError::serialization("Invalid JSON in request body.")),
    }
}

pub async fn not_found(request: Request) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "UnknownOperationException",
        format!(
            "No route for {} {}.",
            request.method(),
            request.uri().path()
        ),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_come_from_the_model() {
        assert_eq!(
            operation_label("AWSCognitoIdentityProviderService.InitiateAuth"),
            "InitiateAuth"
        );
        assert_eq!(operation_label("AWSCognitoIdentityService.GetId"), "GetId");
        assert_eq!(operation_label(NOOP_TARGET), NOOP_TARGET);
        for other in [
            "",
            "AWSCognitoIdentityProviderService.NoSuchOperation",
            "AWSCognitoIdentityService.NoSuchOperation",
            "AWSCognitoIdentityService.InitiateAuth",
            "alice@example.com",
        ] {
            assert_eq!(operation_label(other), "unknown", "{other:?}");
        }
    }
}
