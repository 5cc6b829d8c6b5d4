//! Time-dependent sign-in behaviour, driven through the real SDK against a
//! spawned Tessera whose clock the test moves: token, code, session and
//! temporary-password lifetimes, lockout and its release, refresh-token
//! rotation with its grace period, and signing-key rotation in the JWKS.
//!
//! Each test moves its own app's clock, so they run side by side with the
//! rest of the suite.
//!
//! - `fixture`: the pool, client and sign-in calls every test here uses.
//! - `tokens`: access- and refresh-token lifetimes.
//! - `codes`: confirmation and forgot-password codes: expiry and failed attempts.
//! - `sessions`: challenge sessions and temporary passwords.
//! - `lockout`: failed sign-ins, the lockout they earn, and its release.
//! - `rotation`: refresh-token rotation and signing-key rotation.

/// Asserts `result` failed with the service error `pattern` and exactly `message`.
macro_rules! assert_refused {
    ($result:expr, $pattern:pat, $message:expr $(,)?) => {{
        let err = $result
            .expect_err("the call should have been refused")
            .into_service_error();
        assert!(matches!(err, $pattern), "unexpected error: {err:?}");
        assert_eq!(err.message(), Some($message), "{err:?}");
    }};
}

// The macro above is in scope for the modules declared after it.
mod codes;
mod fixture;
mod lockout;
mod rotation;
mod sessions;
mod tokens;
