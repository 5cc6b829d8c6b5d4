//! Request metrics, recorded by one middleware around every route but the
//! operator endpoints. awsJson calls count under their operation, every other
//! route under its path template; the outcome is `ok` or the error's type
//! (the Cognito `__type`, or the OAuth `error` code). Labels come from the
//! service model and the router's own routes, so the series stay bounded.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics::SharedString;

/// awsJson requests by `operation` and `outcome`.
pub const API_REQUESTS: &str = "tessera_api_requests_total";
/// Their duration by `operation`.
pub const API_DURATION: &str = "tessera_api_request_duration_seconds";
/// Requests to the other routes (OAuth, hosted pages, OIDC documents,
/// forward-auth) by `route` and `outcome`.
pub const HTTP_REQUESTS: &str = "tessera_http_requests_total";
/// Their duration by `route`.
pub const HTTP_DURATION: &str = "tessera_http_request_duration_seconds";

/// The operation an awsJson response answered: the model's name of it, or
/// `unknown` for a target no served API has. Set by the awsJson endpoint.
#[derive(Debug, Clone, Copy)]
pub struct ApiOperation(pub &'static str);

/// The error type of an error response, set where errors become responses.
#[derive(Debug, Clone, Copy)]
pub struct ErrorType(pub &'static str);

pub fn describe() {
    metrics::describe_counter!(
        API_REQUESTS,
        "awsJson API requests by operation (X-Amz-Target) and outcome (ok or the error __type)."
    );
    metrics::describe_histogram!(
        API_DURATION,
        metrics::Unit::Seconds,
        "awsJson API request duration by operation."
    );
    metrics::describe_counter!(
        HTTP_REQUESTS,
        "Requests to the OAuth, hosted-page, OIDC and forward-auth routes by route and \
         outcome (ok, the OAuth error code, or the HTTP status of another failure)."
    );
    metrics::describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "Duration of requests to the OAuth, hosted-page, OIDC and forward-auth routes by route."
    );
}

/// The middleware: times the request and counts it by what answered it.
pub async fn record(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let response = next.run(request).await;
    let took = started.elapsed().as_secs_f64();
    let outcome = outcome(&response);
    match (response.extensions().get::<ApiOperation>(), route) {
        (Some(ApiOperation(operation)), _) => {
            metrics::counter!(API_REQUESTS, "operation" => *operation, "outcome" => outcome)
                .increment(1);
            metrics::histogram!(API_DURATION, "operation" => *operation).record(took);
        }
        (None, Some(route)) => {
            metrics::counter!(HTTP_REQUESTS, "route" => route.clone(), "outcome" => outcome)
                .increment(1);
            metrics::histogram!(HTTP_DURATION, "route" => route).record(took);
        }
        // Only routes are wrapped, so every request has its template.
        (None, None) => {}
    }
    response
}

fn outcome(response: &Response) -> SharedString {
    if let Some(ErrorType(kind)) = response.extensions().get::<ErrorType>() {
        return SharedString::from(*kind);
    }
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        // Bounded: a failure no error type names (a page's own refusal)
        // counts under its status code.
        SharedString::from(status.as_u16().to_string())
    } else {
        SharedString::from("ok")
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::StatusCode;

    use super::*;

    fn response(status: StatusCode, error: Option<&'static str>) -> Response {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = status;
        if let Some(kind) = error {
            response.extensions_mut().insert(ErrorType(kind));
        }
        response
    }

    #[test]
    fn outcome_is_the_error_type_else_ok_or_the_failing_status() {
        let of = |status, error| outcome(&response(status, error)).to_string();
        assert_eq!(of(StatusCode::OK, None), "ok");
        assert_eq!(of(StatusCode::FOUND, None), "ok");
        assert_eq!(
            of(StatusCode::BAD_REQUEST, Some("NotAuthorizedException")),
            "NotAuthorizedException"
        );
        assert_eq!(
            of(StatusCode::UNAUTHORIZED, Some("invalid_client")),
            "invalid_client"
        );
        assert_eq!(of(StatusCode::NOT_FOUND, None), "404");
        assert_eq!(of(StatusCode::SERVICE_UNAVAILABLE, None), "503");
    }
}
