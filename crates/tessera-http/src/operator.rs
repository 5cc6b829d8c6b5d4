//! Operator endpoints: liveness, readiness and the dev outbox.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::awsjson::ApiError;
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
