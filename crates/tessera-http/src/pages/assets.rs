//! The pages' one stylesheet, compiled into the binary.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};

const STYLESHEET: &str = include_str!("static/tessera.css");

/// `GET /static/tessera.css`. Cached for an hour: it changes only with the
/// binary.
pub async fn stylesheet() -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
