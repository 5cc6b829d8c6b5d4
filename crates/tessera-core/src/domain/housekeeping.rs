//! Housekeeping: which stored records nothing needs any more, and when. Each
//! engine's `purge_expired` deletes what these cutoffs give up, so the rules
//! live here once.

use crate::clock::Timestamp;
use crate::domain::lockout;

/// A token family (and its refresh tokens) is kept this long past its expiry:
/// an access or ID token it issued just before may live up to a day (the
/// longest validity a client may set), and while one does, verifying it reads
/// the family — to accept it when live, to refuse it when revoked.
pub const TOKEN_FAMILY_RETENTION_SECONDS: i64 = 86_400;

/// An authorization code is kept this long past its expiry, so a late replay
/// still finds the family its first redemption started, to revoke it.
pub const AUTHORIZATION_CODE_RETENTION_SECONDS: i64 = 86_400;

/// A user import job created and never started is Expired this long after
/// its creation; its uploaded file (users' addresses and names) then goes.
pub const IMPORT_START_WINDOW_SECONDS: i64 = 86_400;

/// The instants before which each kind of record may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeCutoffs {
    /// One-time codes expiring at or before this (an expired code and a
    /// missing one answer alike).
    pub codes: Timestamp,
    /// Token families expiring at or before this, with their refresh tokens.
    pub token_families: Timestamp,
    /// Authorization codes expiring before this.
    pub authorization_codes: Timestamp,
    /// Failed sign-ins whose last one was at or before this are forgotten:
    /// the count would start again at the next failure anyway, and any
    /// lockout they brought has ended.
    pub sign_in_failures: Timestamp,
    /// The uploaded files of import jobs created before this and never
    /// started; an ended job's file goes whenever it is found.
    pub import_files: Timestamp,
    /// Passkey registrations whose challenge expired at or before this.
    pub passkey_registrations: Timestamp,
}

impl PurgeCutoffs {
    pub fn at(now: Timestamp) -> Self {
        Self {
            codes: now,
            token_families: now.plus_seconds(-TOKEN_FAMILY_RETENTION_SECONDS),
            authorization_codes: now.plus_seconds(-AUTHORIZATION_CODE_RETENTION_SECONDS),
            sign_in_failures: now.plus_seconds(-lockout::RESET_AFTER_SECONDS),
            import_files: now.plus_seconds(-IMPORT_START_WINDOW_SECONDS),
            passkey_registrations: now,
        }
    }
}

/// How many records of each kind a purge removed (for sign-in failures: how
/// many users' failure counts it cleared).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub codes: u64,
    pub refresh_tokens: u64,
    pub token_families: u64,
    pub authorization_codes: u64,
    pub sign_in_failures: u64,
    /// Chunks of import jobs' uploaded files.
    pub import_chunks: u64,
    pub passkey_registrations: u64,
}

impl PurgeReport {
    fn counts(&self) -> [u64; 7] {
        [
            self.codes,
            self.refresh_tokens,
            self.token_families,
            self.authorization_codes,
            self.sign_in_failures,
            self.import_chunks,
            self.passkey_registrations,
        ]
    }

    pub fn total(&self) -> u64 {
        self.counts().iter().sum()
    }

    /// Whether some kind reached `batch_limit`, so more of it may be left.
    pub fn reached(&self, batch_limit: u32) -> bool {
        self.counts().iter().any(|&n| n >= u64::from(batch_limit))
    }

    pub fn add(&mut self, other: &PurgeReport) {
        self.codes += other.codes;
        self.refresh_tokens += other.refresh_tokens;
        self.token_families += other.token_families;
        self.authorization_codes += other.authorization_codes;
        self.sign_in_failures += other.sign_in_failures;
        self.import_chunks += other.import_chunks;
        self.passkey_registrations += other.passkey_registrations;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_keep_families_and_authorization_codes_a_day_and_failures_fifteen_minutes() {
        let now = Timestamp(10_000_000_000);
        let cut = PurgeCutoffs::at(now);
        assert_eq!(cut.codes, now);
        assert_eq!(cut.token_families, Timestamp(now.0 - 86_400_000));
        assert_eq!(cut.authorization_codes, Timestamp(now.0 - 86_400_000));
        assert_eq!(cut.sign_in_failures, Timestamp(now.0 - 900_000));
        assert_eq!(cut.import_files, Timestamp(now.0 - 86_400_000));
        assert_eq!(cut.passkey_registrations, now);
    }

    #[test]
    fn a_report_reached_the_limit_when_any_kind_did() {
        let mut report = PurgeReport {
            codes: 2,
            ..Default::default()
        };
        assert!(!report.reached(3));
        report.add(&PurgeReport {
            token_families: 3,
            ..Default::default()
        });
        assert!(report.reached(3));
        assert_eq!(report.total(), 5);
    }
}
