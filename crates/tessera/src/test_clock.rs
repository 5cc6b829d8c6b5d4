//! The test clock: a clock that reads another one (the system clock, in the
//! binary) plus an offset that `POST /_tessera/clock` moves, so end-to-end
//! tests can make codes, tokens, sessions and lockouts expire against the
//! running binary. Off unless `test_clock` is set, and refused on any listener
//! that is not loopback: whoever can reach the endpoint can make every token
//! and code on the server expire, or outlive its lifetime.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use anyhow::bail;
use tessera_core::clock::{Clock, Timestamp};
use tessera_http::operator::ClockControl;

/// The largest offset accepted, either way: a hundred years, far beyond any
/// lifetime the server keeps, and far from overflowing a timestamp.
pub const MAX_OFFSET_SECONDS: i64 = 100 * 366 * 86_400;

/// `base` plus an offset in whole seconds.
pub struct TestClock {
    base: Arc<dyn Clock>,
    offset_seconds: AtomicI64,
}

impl TestClock {
    pub fn new(base: Arc<dyn Clock>) -> Self {
        Self {
            base,
            offset_seconds: AtomicI64::new(0),
        }
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        self.base
            .now()
            .plus_seconds(self.offset_seconds.load(Ordering::SeqCst))
    }
}

impl ClockControl for TestClock {
    fn offset_seconds(&self) -> i64 {
        self.offset_seconds.load(Ordering::SeqCst)
    }

    fn set_offset_seconds(&self, seconds: i64) -> Result<(), String> {
        if !(-MAX_OFFSET_SECONDS..=MAX_OFFSET_SECONDS).contains(&seconds) {
            return Err(format!(
                "offset_seconds must be between -{MAX_OFFSET_SECONDS} and {MAX_OFFSET_SECONDS}"
            ));
        }
        self.offset_seconds.store(seconds, Ordering::SeqCst);
        Ok(())
    }
}

/// Refuses the test clock on a listener other machines may reach.
pub fn check_listener(listen: SocketAddr) -> anyhow::Result<()> {
    if !listen.ip().is_loopback() {
        bail!(
            "refusing to start with the test clock on {listen}: the test clock is for tests \
             and only allowed on a loopback listener (127.0.0.1 or ::1); turn off test_clock \
             (TESSERA_TEST_CLOCK, --test-clock) or listen on loopback"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use tessera_core::clock::FixedClock;

    use super::*;

    #[test]
    fn reads_the_base_clock_plus_the_offset() {
        let base = Arc::new(FixedClock::new(Timestamp(1_000_000)));
        let clock = TestClock::new(base.clone());
        assert_eq!(clock.now(), Timestamp(1_000_000));
        clock.set_offset_seconds(90).expect("in range");
        assert_eq!(clock.now(), Timestamp(1_090_000));
        base.advance_seconds(1);
        assert_eq!(clock.now(), Timestamp(1_091_000));
        clock.set_offset_seconds(-10).expect("in range");
        assert_eq!(clock.now(), Timestamp(991_000));
        assert_eq!(clock.offset_seconds(), -10);
    }

    #[test]
    fn refuses_offsets_out_of_range() {
        let clock = TestClock::new(Arc::new(FixedClock::new(Timestamp(0))));
        assert!(clock.set_offset_seconds(MAX_OFFSET_SECONDS + 1).is_err());
        assert!(clock.set_offset_seconds(-MAX_OFFSET_SECONDS - 1).is_err());
        assert!(clock.set_offset_seconds(i64::MIN).is_err());
        assert_eq!(clock.offset_seconds(), 0);
    }

    #[test]
    fn only_loopback_listeners_are_allowed() {
        for ok in ["127.0.0.1:0", "127.0.0.2:9229", "[::1]:0"] {
            assert!(check_listener(ok.parse().expect("addr")).is_ok(), "{ok}");
        }
        for refused in ["0.0.0.0:0", "[::]:0", "192.168.1.5:9229"] {
            let err = check_listener(refused.parse().expect("addr")).expect_err(refused);
            assert!(err.to_string().contains("test clock"), "{err}");
        }
    }
}
