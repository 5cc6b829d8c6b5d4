//! Store latency: each engine call records its duration under the engine
//! and the `Store` method it serves (both bounded: two engines, the trait's
//! method names).

use std::time::Instant;

/// The histogram every engine call records into.
pub const STORE_DURATION: &str = "tessera_store_operation_duration_seconds";

pub fn describe() {
    metrics::describe_histogram!(
        STORE_DURATION,
        metrics::Unit::Seconds,
        "Store call duration by engine (sqlite, postgres) and operation (the Store method)."
    );
}

pub(crate) fn record(engine: &'static str, operation: &'static str, started: Instant) {
    metrics::histogram!(STORE_DURATION, "engine" => engine, "operation" => operation)
        .record(started.elapsed().as_secs_f64());
}
