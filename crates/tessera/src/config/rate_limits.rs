//! `[rate_limits]`: request-rate quotas by Cognito's operation categories.
//!
//! ```toml
//! [rate_limits]
//! enabled = true
//! [rate_limits.rps]                     # in place of Cognito's defaults
//! UserAuthentication = 50
//! [rate_limits.pools."us-east-1_AbCdEfGhI"]
//! UserCreation = 5
//! ```

use std::collections::{BTreeMap, HashMap};

use anyhow::bail;
use schemars::JsonSchema;
use serde::Deserialize;
use tessera_core::ids::UserPoolId;
use tessera_core::services::limits::{Category, RateLimitSettings};

/// Request-rate quotas by Cognito's operation categories.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitsFile {
    /// Enforce the quotas: a call over its category's rate is answered
    /// `TooManyRequestsException`.
    #[schemars(extend("default" = false))]
    pub enabled: Option<bool>,
    /// Requests per second by category name (e.g. `UserAuthentication`), in
    /// place of Cognito's default quotas, for every pool.
    #[serde(default)]
    pub rps: BTreeMap<String, f64>,
    /// Requests per second by category for one pool, by pool id, over `rps`.
    #[serde(default)]
    pub pools: BTreeMap<String, BTreeMap<String, f64>>,
}

fn rates(table: &BTreeMap<String, f64>, what: &str) -> anyhow::Result<HashMap<Category, f64>> {
    table
        .iter()
        .map(|(name, rps)| {
            let Some(category) = Category::parse(name) else {
                let known: Vec<_> = Category::ALL.iter().map(|c| c.name()).collect();
                bail!(
                    "{what}: {name} is not a category (one of {})",
                    known.join(", ")
                );
            };
            if !(rps.is_finite() && *rps > 0.0) {
                bail!("{what}: {name} must be a positive number of requests per second");
            }
            Ok((category, *rps))
        })
        .collect()
}

pub fn resolve(file: RateLimitsFile) -> anyhow::Result<RateLimitSettings> {
    let mut pools = HashMap::new();
    for (pool, table) in &file.pools {
        pools.insert(
            UserPoolId::new(pool.clone()),
            rates(table, &format!("[rate_limits.pools.\"{pool}\"]"))?,
        );
    }
    Ok(RateLimitSettings {
        enabled: file.enabled.unwrap_or(false),
        rates: rates(&file.rps, "[rate_limits.rps]")?,
        pools,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_categories_and_bad_rates_are_refused() {
        let file = |rps: &[(&str, f64)]| RateLimitsFile {
            enabled: Some(true),
            rps: rps.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
            pools: BTreeMap::new(),
        };
        assert!(resolve(file(&[("UserRead", 3.0)])).is_ok());
        let Err(err) = resolve(file(&[("UserReads", 3.0)])) else {
            panic!("an unknown category is refused");
        };
        let err = err.to_string();
        assert!(err.contains("UserReads is not a category"), "{err}");
        assert!(resolve(file(&[("UserRead", 0.0)])).is_err());
        assert!(
            !resolve(RateLimitsFile::default()).expect("empty").enabled,
            "off by default"
        );
    }
}
