//! Lockout after repeated failed sign-ins, as Cognito documents it: from the
//! fifth failure the user is locked for 1 s, doubling with each further
//! failure up to 15 minutes; failures during a lockout do not count; the count
//! starts again after 15 minutes without a failure. One counter per user,
//! across every sign-in flow.
//!
//! Each password check is admitted before it runs and counted as a failure
//! then, atomically in the store (a match clears the count afterwards): so
//! however many guesses arrive at once, on one node or many, no more reach
//! the password check than sequential ones would.

use crate::clock::Timestamp;

const FREE_FAILURES: u32 = 4;
const MAX_LOCKOUT_SECONDS: i64 = 15 * 60;
/// Failures this long ago no longer count.
pub const RESET_AFTER_SECONDS: i64 = 15 * 60;
// Housekeeping forgets failures once they no longer count, trusting that a
// lockout has ended by then.
const _: () = assert!(MAX_LOCKOUT_SECONDS <= RESET_AFTER_SECONDS);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailureState {
    pub count: u32,
    pub last_failure: Option<Timestamp>,
    pub locked_until: Option<Timestamp>,
}

impl FailureState {
    pub fn is_locked(&self, now: Timestamp) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// Admits one password check at `now`: the state with it counted as a
    /// failure, or `None` while locked (a refused check does not count).
    pub fn admit(&self, now: Timestamp) -> Option<FailureState> {
        (!self.is_locked(now)).then(|| self.after_failure(now))
    }

    /// The state after an admitted check turned out right, while the sign-in
    /// it belongs to goes on to another step: the check no longer counts, and
    /// a lockout it alone brought is lifted.
    pub fn refund(&self) -> FailureState {
        let count = self.count.saturating_sub(1);
        FailureState {
            count,
            last_failure: self.last_failure,
            locked_until: self.locked_until.filter(|_| count > FREE_FAILURES),
        }
    }

    /// The state after one more failure at `now` (the caller has checked the
    /// user is not locked).
    pub fn after_failure(&self, now: Timestamp) -> FailureState {
        let stale = self
            .last_failure
            .is_some_and(|last| last.plus_seconds(RESET_AFTER_SECONDS) <= now);
        let count = if stale {
            1
        } else {
            self.count.saturating_add(1)
        };
        let locked_until = (count > FREE_FAILURES).then(|| {
            let exponent = (count - FREE_FAILURES - 1).min(20);
            now.plus_seconds((1i64 << exponent).min(MAX_LOCKOUT_SECONDS))
        });
        FailureState {
            count,
            last_failure: Some(now),
            locked_until,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifth_failure_locks_for_a_second_then_doubling_to_fifteen_minutes() {
        let t0 = Timestamp(1_000_000);
        let mut s = FailureState::default();
        for _ in 0..4 {
            s = s.after_failure(t0);
            assert!(!s.is_locked(t0));
        }
        s = s.after_failure(t0);
        assert_eq!(s.locked_until, Some(t0.plus_seconds(1)));
        assert!(s.is_locked(t0));
        assert!(!s.is_locked(t0.plus_seconds(1)));
        s = s.after_failure(t0.plus_seconds(1));
        assert_eq!(s.locked_until, Some(t0.plus_seconds(1 + 2)));
        for _ in 0..30 {
            s = s.after_failure(t0.plus_seconds(2));
        }
        assert_eq!(s.locked_until, Some(t0.plus_seconds(2 + 900)));
    }

    #[test]
    fn admitting_counts_until_locked_then_refuses_without_counting() {
        let t0 = Timestamp(5_000_000);
        let mut s = FailureState::default();
        let mut admitted = 0;
        for _ in 0..50 {
            if let Some(next) = s.admit(t0) {
                s = next;
                admitted += 1;
            }
        }
        assert_eq!(admitted, 5, "five checks, then the lockout");
        assert_eq!(s.count, 5);
        assert!(
            s.admit(t0.plus_seconds(1)).is_some(),
            "admitted once the second passed"
        );
    }

    #[test]
    fn a_refund_takes_one_check_back_and_the_lockout_it_brought() {
        let t0 = Timestamp(7_000_000);
        let mut s = FailureState::default();
        for _ in 0..5 {
            s = s.admit(t0).expect("admitted");
        }
        assert!(s.is_locked(t0));
        let refunded = s.refund();
        assert_eq!(refunded.count, 4);
        assert!(!refunded.is_locked(t0), "four failures lock no one");
        let mut six = s;
        six = six.after_failure(t0.plus_seconds(1));
        assert!(
            six.refund().is_locked(t0.plus_seconds(1)),
            "five failures still do"
        );
    }

    #[test]
    fn count_restarts_after_fifteen_quiet_minutes() {
        let t0 = Timestamp(0);
        let mut s = FailureState::default();
        for _ in 0..6 {
            s = s.after_failure(t0);
        }
        let later = t0.plus_seconds(15 * 60);
        let s = s.after_failure(later);
        assert_eq!(s.count, 1);
        assert_eq!(s.locked_until, None);
    }
}
