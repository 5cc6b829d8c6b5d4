//! Operator endpoints: liveness, readiness, metrics, the dev outbox and the
//! test clock.

use axum::Json;
use axum::body::to_bytes;
use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use serde::Deserialize;
use serde_json::json;
use tessera_core::clock::Clock;

use crate::awsjson::{self, ApiError};
use crate::router::AppState;

pub async fn health() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// Ready when the store answers.
pub async fn ready(State(state): State<AppState>) -> Response {
    match state.services.store_ready().await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable"})),
        )
            .into_response(),
    }
}

/// The metrics recorded so far in Prometheus's text format (implemented where
/// the binary installs the exporter, `tessera::metrics`).
pub trait MetricsExport: Send + Sync {
    fn render(&self) -> String;
}

/// Prometheus's text exposition format, version 0.0.4.
const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `GET /metrics`: for Prometheus to scrape.
pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)],
        state.metrics.render(),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct OutboxQuery {
    pool_id: Option<String>,
    recipient: Option<String>,
}

/// `GET /_tessera/outbox?pool_id=…&recipient=…`: messages the dev outbox kept.
pub async fn outbox(State(state): State<AppState>, Query(q): Query<OutboxQuery>) -> Response {
    match &state.outbox {
        Some(outbox) => Json(json!({
            "messages": outbox.messages(q.pool_id.as_deref(), q.recipient.as_deref())
        }))
        .into_response(),
        None => ApiError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            "The dev outbox is not enabled on this server.",
        )
        .into_response(),
    }
}

/// A clock whose offset from the one it reads can be moved: the test clock
/// (implemented where the binary is wired, `tessera::test_clock`).
pub trait ClockControl: Clock {
    fn offset_seconds(&self) -> i64;
    /// Sets the offset; refuses one out of the range the clock accepts.
    fn set_offset_seconds(&self, seconds: i64) -> Result<(), String>;
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    offset_seconds: i64,
}

/// The largest `POST /_tessera/clock` body read.
const CLOCK_BODY_LIMIT: usize = 4096;

fn clock_reading(control: &dyn ClockControl) -> Response {
    Json(json!({
        "offset_seconds": control.offset_seconds(),
        "now": control.now().epoch_seconds(),
    }))
    .into_response()
}

/// `GET /_tessera/clock`: `{"offset_seconds", "now"}` (now in epoch seconds,
/// as the API's timestamps). Without the test clock, the answer of an unknown
/// route: nothing tells a caller the endpoint exists.
pub async fn clock(State(state): State<AppState>, request: Request) -> Response {
    match &state.clock_control {
        Some(control) => clock_reading(control.as_ref()),
        None => awsjson::not_found(request).await,
    }
}

/// `POST /_tessera/clock` with `{"offset_seconds": N}`: the server's clock
/// reads real time plus N seconds from now on; answers as `GET`.
pub async fn set_clock(State(state): State<AppState>, request: Request) -> Response {
    let Some(control) = state.clock_control.clone() else {
        return awsjson::not_found(request).await;
    };
    // A JSON body only: a web page can send a cross-origin form or text POST
    // without asking first, but not this one.
    let json = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return ApiError::serialization("The body must be application/json.").into_response();
    }
    let body = match to_bytes(request.into_body(), CLOCK_BODY_LIMIT).await {
        Ok(body) => body,
        Err(_) => {
            return ApiError::invalid_parameter(format!(
                "The body must be at most {CLOCK_BODY_LIMIT} bytes."
            ))
            .into_response();
        }
    };
    let change: ClockChange = match serde_json::from_slice(&body) {
        Ok(change) => change,
        Err(e) => {
            return ApiError::serialization(format!(
                "Expected {{\"offset_seconds\": <integer>}}: {e}"
            ))
            .into_response();
        }
    };
    if let Err(reason) = control.set_offset_seconds(change.offset_seconds) {
        return ApiError::invalid_parameter(reason).into_response();
    }
    tracing::info!(offset_seconds = change.offset_seconds, "test clock moved");
    clock_reading(control.as_ref())
}
