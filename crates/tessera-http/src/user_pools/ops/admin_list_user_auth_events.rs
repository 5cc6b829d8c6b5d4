//! AdminListUserAuthEvents: a user's auth events, newest first.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;
use tessera_core::services::events::event_shape;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    username: String,
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let page = state
        .services
        .admin_list_user_auth_events(
            &r.user_pool_id,
            &r.username,
            r.max_results,
            r.next_token.as_deref(),
        )
        .await?;
    let events: Vec<Value> = page.events.iter().map(event_shape).collect();
    Ok(shapes::with_token(
        json!({"AuthEvents": events}),
        "NextToken",
        page.next,
    ))
}
