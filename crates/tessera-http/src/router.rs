//! The axum router and the state every handler shares.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{any, get, post, put};
use axum::{Router, middleware};
use http::{HeaderName, Method, header};
use tessera_core::clock::Clock;
use tessera_core::mailer::DevOutbox;
use tessera_core::services::Services;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::operator::{ClockControl, MetricsExport};
use crate::{authorizer, awsjson, oauth, oidc, operator, telemetry, user_import};

/// How signed (admin) operations are authorized.
#[derive(Clone)]
pub enum AdminAuth {
    /// Verify SigV4 against these access keys (id → secret).
    Keys(Arc<HashMap<String, String>>),
    /// Accept any well-formed signature: local development only.
    AnyWellFormedSignature,
}

#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub admin_auth: AdminAuth,
    /// The clock SigV4 checks a signature's date against. With the test clock
    /// on, this stays real time while the services read the moved clock: the
    /// date is the caller's own clock, which the test clock does not move, so
    /// comparing it with a clock moved by days would refuse every signed call,
    /// and the skew window keeps its purpose (a captured request replays for
    /// minutes, not for as long as the offset).
    pub clock: Arc<dyn Clock>,
    /// Present when messages go to the dev outbox, which is then readable over HTTP.
    pub outbox: Option<Arc<DevOutbox>>,
    /// Present when the test clock is on; `/_tessera/clock` then reads and moves it.
    pub clock_control: Option<Arc<dyn ClockControl>>,
    /// What `GET /metrics` answers.
    pub metrics: Arc<dyn MetricsExport>,
    pub body_limit: usize,
    pub request_timeout: Duration,
}

/// Headers browser SDKs send, which the CORS preflight must allow.
const ALLOWED_HEADERS: &[&str] = &[
    "content-type",
    "x-amz-target",
    "x-amz-user-agent",
    "cache-control",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
];

const EXPOSED_HEADERS: &[&str] = &[
    "x-amzn-requestid",
    "x-amzn-errortype",
    "x-amzn-errormessage",
    "date",
];

fn cors() -> CorsLayer {
    let names = |list: &[&str]| -> Vec<HeaderName> {
        list.iter()
            .filter_map(|h| HeaderName::from_bytes(h.as_bytes()).ok())
            .collect()
    };
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::POST, Method::GET, Method::OPTIONS])
        .allow_headers(names(ALLOWED_HEADERS))
        .expose_headers(names(EXPOSED_HEADERS))
        .max_age(Duration::from_secs(86_400))
        .vary([header::ORIGIN])
}

pub fn router(state: AppState) -> Router {
    // What browser apps call cross-origin: the API and the OIDC documents.
    let api = Router::new()
        .route("/", post(awsjson::endpoint))
        .route("/{pool}/.well-known/jwks.json", get(oidc::jwks))
        .route(
            "/cognito-identity/.well-known/jwks_uri",
            get(oidc::identity_jwks),
        )
        .route(
            "/cognito-identity/.well-known/openid-configuration",
            get(oidc::identity_openid_configuration),
        )
        .route(
            "/{pool}/.well-known/openid-configuration",
            get(oidc::openid_configuration),
        )
        // The domain's endpoints that single-page apps call by fetch.
        .route("/oauth2/token", post(oauth::token::token))
        .route(
            "/oauth2/userInfo",
            get(oauth::userinfo::userinfo).post(oauth::userinfo::userinfo),
        )
        .route("/oauth2/revoke", post(oauth::revoke::revoke))
        .layer(cors());
    // The domain's endpoints a browser navigates to: no CORS.
    // What reverse proxies call before forwarding a request: no CORS.
    let proxies = Router::new().route("/forward-auth", any(authorizer::forward_auth));
    let browser = Router::new()
        .route("/oauth2/authorize", get(oauth::authorize::authorize))
        .route("/logout", get(oauth::logout::logout));
    // Operator endpoints get no CORS headers, so no web page a developer
    // visits can read the dev outbox (codes, temporary passwords) from a
    // local server, or move its test clock.
    let operator = Router::new()
        .route("/health", get(operator::health))
        .route("/ready", get(operator::ready))
        .route("/metrics", get(operator::metrics))
        .route("/_tessera/outbox", get(operator::outbox))
        // Other methods answer as an unknown route, as every method does when
        // the test clock is off.
        .route(
            "/_tessera/clock",
            get(operator::clock)
                .post(operator::set_clock)
                .fallback(awsjson::not_found),
        );
    // Import files, PUT to a job's pre-signed URL: streamed, under the
    // import's own size cap rather than the API's body limit.
    let uploads = Router::new().route(
        "/_tessera/user-import/{pool}/{job}",
        put(user_import::upload),
    );
    // Every route but the operator endpoints is counted: scrapes and probes
    // would only add noise to the request metrics.
    api.merge(proxies)
        .merge(uploads)
        .merge(browser)
        .merge(crate::pages::routes(&state))
        .layer(middleware::from_fn(telemetry::record))
        .merge(operator)
        .fallback(awsjson::not_found)
        .with_state(state)
}
