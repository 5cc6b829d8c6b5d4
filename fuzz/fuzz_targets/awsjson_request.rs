//! Whole requests through the HTTP edge (`tessera_http::router`, in process,
//! over a real store): `X-Amz-Target` routing, SigV4 headers (verified
//! against the example key, or — in the local mode — only checked to be well
//! formed), the body's JSON and its model validation, and every operation's
//! request parsing behind them; the OIDC and operator routes too.
//!
//! Input: a request line `METHOD URI` (a third word `keys` verifies
//! signatures against the example key, anything else runs the local
//! any-well-formed-signature mode), `Name: value` headers, an empty line, the
//! body. The clock reads the seeds' signing instant, so signed seeds verify.
//!
//! No request is answered with a server error: an internal error from a
//! client's input is a bug.
#![no_main]

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use http::{HeaderName, HeaderValue, Method, Request, Uri};
use http_body_util::BodyExt as _;
use libfuzzer_sys::fuzz_target;
use tessera::test_clock::TestClock;
use tessera_core::clock::{FixedClock, Timestamp};
use tessera_fuzz::keys::{ACCESS_KEY_ID, NOW, SECRET_ACCESS_KEY};
use tessera_fuzz::text::message;
use tessera_fuzz::world::World;
use tessera_http::operator::MetricsExport;
use tessera_http::{AdminAuth, AppState};
use tower::ServiceExt as _;

/// No exporter: the fuzzed requests' metrics go to no recorder.
struct NoMetrics;

impl MetricsExport for NoMetrics {
    fn render(&self) -> String {
        String::new()
    }
}

struct Edge {
    world: World,
    local: Router,
    keys: Router,
}

static EDGE: LazyLock<Edge> = LazyLock::new(|| {
    // Wired as `tessera serve` wires the test clock: signatures are checked
    // against the unmoved clock, the services read it plus the offset
    // `/_tessera/clock` sets.
    let clock = Arc::new(FixedClock::new(Timestamp(NOW * 1000)));
    let test_clock = Arc::new(TestClock::new(clock.clone()));
    let world = World::with_clocks(clock.clone(), test_clock.clone());
    let state = |admin_auth| AppState {
        services: world.services.clone(),
        admin_auth,
        clock: clock.clone(),
        outbox: Some(world.outbox.clone()),
        clock_control: Some(test_clock.clone()),
        metrics: Arc::new(NoMetrics),
        body_limit: 1024 * 1024,
        request_timeout: Duration::from_secs(30),
    };
    let keys = HashMap::from([(ACCESS_KEY_ID.to_owned(), SECRET_ACCESS_KEY.to_owned())]);
    let local = tessera_http::router(state(AdminAuth::AnyWellFormedSignature));
    let keys = tessera_http::router(state(AdminAuth::Keys(Arc::new(keys))));
    Edge { world, local, keys }
});

fuzz_target!(|data: &[u8]| {
    let request = message(data);
    let mut words = request.first_line.split(|b| *b == b' ');
    let (Some(method), Some(uri)) = (words.next(), words.next()) else {
        return;
    };
    let verify_keys = words.next() == Some(b"keys");
    let (Ok(method), Ok(uri)) = (Method::from_bytes(method), Uri::try_from(uri)) else {
        return;
    };
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in &request.headers {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            builder = builder.header(name, value);
        }
    }
    let Ok(http_request) = builder.body(Body::from(request.body.to_vec())) else {
        return;
    };
    let edge = &*EDGE;
    let router = if verify_keys { &edge.keys } else { &edge.local };
    edge.world.runtime.block_on(async {
        let response = router
            .clone()
            .oneshot(http_request)
            .await
            .unwrap_or_else(|never| match never {});
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map(|collected| collected.to_bytes())
            .unwrap_or_default();
        if *tessera_fuzz::VERBOSE {
            eprintln!("{status} {}", String::from_utf8_lossy(&body));
        }
        assert!(
            !status.is_server_error(),
            "{status}: {}",
            String::from_utf8_lossy(&body)
        );
    });
});
