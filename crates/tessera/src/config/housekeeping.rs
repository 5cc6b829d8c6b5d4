//! `[housekeeping]`: the background purge of expired one-time codes, token
//! families and their refresh tokens, authorization codes and lapsed sign-in
//! failures.
//!
//! ```toml
//! [housekeeping]
//! enabled = true
//! interval_seconds = 300
//! batch_size = 500
//! ```

use std::time::Duration;

use anyhow::bail;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HousekeepingFile {
    /// Purge in the background (default: on). With several nodes on one
    /// PostgreSQL database, each may keep it on: one purges at a time.
    #[schemars(extend("default" = HousekeepingSettings::default().enabled))]
    pub enabled: Option<bool>,
    /// Seconds between purge rounds (default: 300, at least 1).
    #[schemars(extend("default" = HousekeepingSettings::default().interval.as_secs()))]
    pub interval_seconds: Option<u64>,
    /// Most records of each kind one transaction deletes (default: 500, at
    /// least 1); a round runs batches until nothing expired is left.
    #[schemars(extend("default" = HousekeepingSettings::default().batch_size))]
    pub batch_size: Option<u32>,
}

/// The resolved settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HousekeepingSettings {
    pub enabled: bool,
    pub interval: Duration,
    pub batch_size: u32,
}

impl Default for HousekeepingSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            interval: Duration::from_secs(300),
            batch_size: 500,
        }
    }
}

pub fn resolve(file: HousekeepingFile) -> anyhow::Result<HousekeepingSettings> {
    let defaults = HousekeepingSettings::default();
    let interval = file
        .interval_seconds
        .map_or(defaults.interval, Duration::from_secs);
    if interval.is_zero() {
        bail!("[housekeeping] interval_seconds must be at least 1");
    }
    let batch_size = file.batch_size.unwrap_or(defaults.batch_size);
    if batch_size == 0 {
        bail!("[housekeeping] batch_size must be at least 1");
    }
    Ok(HousekeepingSettings {
        enabled: file.enabled.unwrap_or(defaults.enabled),
        interval,
        batch_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> anyhow::Result<HousekeepingSettings> {
        resolve(toml::from_str(toml_text)?)
    }

    #[test]
    fn defaults_purge_every_five_minutes_in_batches_of_five_hundred() {
        assert_eq!(parse("").expect("valid"), HousekeepingSettings::default());
        assert_eq!(
            HousekeepingSettings::default(),
            HousekeepingSettings {
                enabled: true,
                interval: Duration::from_secs(300),
                batch_size: 500,
            }
        );
    }

    #[test]
    fn settings_are_read_and_zeroes_refused() {
        let read = parse("enabled = false\ninterval_seconds = 2\nbatch_size = 7\n").expect("valid");
        assert_eq!(
            read,
            HousekeepingSettings {
                enabled: false,
                interval: Duration::from_secs(2),
                batch_size: 7,
            }
        );
        let zero = parse("interval_seconds = 0").expect_err("refused");
        assert!(zero.to_string().contains("interval_seconds"), "{zero}");
        let zero = parse("batch_size = 0").expect_err("refused");
        assert!(zero.to_string().contains("batch_size"), "{zero}");
        assert!(parse("every = 3").is_err(), "an unknown key is an error");
    }
}
