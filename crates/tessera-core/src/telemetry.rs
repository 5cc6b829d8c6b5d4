//! The metrics the core records, through the `metrics` facade (the binary
//! installs the exporter; without one, recording does nothing). Every label
//! takes values from a fixed set — flow, challenge and trigger names, outcome
//! kinds — never a user, pool or client: the number of series stays bounded.

use std::time::Duration;

/// Sign-in steps by `flow` and `result`.
pub const SIGN_INS: &str = "tessera_sign_ins_total";
/// Failed checks that locked a user out.
pub const LOCKOUTS: &str = "tessera_lockouts_total";
/// Trigger invocations by `trigger`, `source` and `outcome`.
pub const TRIGGER_INVOCATIONS: &str = "tessera_trigger_invocations_total";
/// Their duration (every attempt of one invocation) by `trigger`.
pub const TRIGGER_DURATION: &str = "tessera_trigger_duration_seconds";
/// Messages handed to a mailer or a custom sender, by `channel` and `outcome`.
pub const DELIVERIES: &str = "tessera_message_deliveries_total";

/// Gives each metric its help text; the binary calls it once the exporter
/// is installed.
pub fn describe() {
    metrics::describe_counter!(
        SIGN_INS,
        "Sign-in steps by flow (the AuthFlow that started one, HOSTED_UI for the \
         hosted sign-in page, or the challenge answered) and result (success, \
         challenge, failure)."
    );
    metrics::describe_counter!(
        LOCKOUTS,
        "Failed password or code checks that locked the user out."
    );
    metrics::describe_counter!(
        TRIGGER_INVOCATIONS,
        "Lambda trigger invocations by trigger, trigger source and outcome."
    );
    metrics::describe_histogram!(
        TRIGGER_DURATION,
        metrics::Unit::Seconds,
        "Duration of trigger invocations, retries included, by trigger."
    );
    metrics::describe_counter!(
        DELIVERIES,
        "Messages by channel (email, sms, custom_email_sender, custom_sms_sender) \
         and outcome (ok, failed)."
    );
}

pub(crate) fn sign_in(flow: &'static str, result: &'static str) {
    metrics::counter!(SIGN_INS, "flow" => flow, "result" => result).increment(1);
}

pub(crate) fn lockout() {
    metrics::counter!(LOCKOUTS).increment(1);
}

pub(crate) fn trigger(trigger: &'static str, source: &str, outcome: &'static str, took: Duration) {
    metrics::counter!(
        TRIGGER_INVOCATIONS,
        "trigger" => trigger,
        "source" => source.to_owned(),
        "outcome" => outcome
    )
    .increment(1);
    metrics::histogram!(TRIGGER_DURATION, "trigger" => trigger).record(took.as_secs_f64());
}

pub(crate) fn delivery(channel: &'static str, delivered: bool) {
    let outcome = if delivered { "ok" } else { "failed" };
    metrics::counter!(DELIVERIES, "channel" => channel, "outcome" => outcome).increment(1);
}
