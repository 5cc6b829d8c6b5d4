//! Request-rate quotas by Cognito's operation categories (developer guide,
//! "Quotas in Amazon Cognito": "Amazon Cognito user pools API operation
//! categories and request rate quotas"), with its default rates as the
//! starting point. Off unless configured: local development and CI want no
//! throttling.
//!
//! Each category has one token bucket for the node (Cognito's quotas are
//! for the whole account, all pools together), and a pool may have its own
//! rates on top. Buckets live in the node's memory: N nodes admit N times
//! the rate between them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::services::Services;

/// Cognito's operation categories for user pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    UserAuthentication,
    /// RespondToAuthChallenge and its admin twin: "a separate quota that is
    /// three times the UserAuthentication quota".
    UserAuthChallenge,
    UserCreation,
    UserFederation,
    UserAccountRecovery,
    UserRead,
    UserUpdate,
    UserToken,
    UserResourceRead,
    UserResourceUpdate,
    UserList,
    UserPoolRead,
    UserPoolUpdate,
    UserPoolResourceRead,
    UserPoolResourceUpdate,
    UserPoolClientRead,
    UserPoolClientUpdate,
    ClientAuthentication,
    /// `/oauth2/token` redeeming an authorization code: Cognito gives it
    /// "the same limits as UserAuthentication" without counting it there.
    AuthorizationCodeGrant,
    LimitManagement,
}

impl Category {
    pub const ALL: [Category; 20] = [
        Category::UserAuthentication,
        Category::UserAuthChallenge,
        Category::UserCreation,
        Category::UserFederation,
        Category::UserAccountRecovery,
        Category::UserRead,
        Category::UserUpdate,
        Category::UserToken,
        Category::UserResourceRead,
        Category::UserResourceUpdate,
        Category::UserList,
        Category::UserPoolRead,
        Category::UserPoolUpdate,
        Category::UserPoolResourceRead,
        Category::UserPoolResourceUpdate,
        Category::UserPoolClientRead,
        Category::UserPoolClientUpdate,
        Category::ClientAuthentication,
        Category::AuthorizationCodeGrant,
        Category::LimitManagement,
    ];

    /// The name configuration uses (Cognito's, and `UserAuthChallenge` and
    /// `AuthorizationCodeGrant` for the quotas Cognito keeps apart without
    /// naming them).
    pub fn name(self) -> &'static str {
        match self {
            Category::UserAuthentication => "UserAuthentication",
            Category::UserAuthChallenge => "UserAuthChallenge",
            Category::UserCreation => "UserCreation",
            Category::UserFederation => "UserFederation",
            Category::UserAccountRecovery => "UserAccountRecovery",
            Category::UserRead => "UserRead",
            Category::UserUpdate => "UserUpdate",
            Category::UserToken => "UserToken",
            Category::UserResourceRead => "UserResourceRead",
            Category::UserResourceUpdate => "UserResourceUpdate",
            Category::UserList => "UserList",
            Category::UserPoolRead => "UserPoolRead",
            Category::UserPoolUpdate => "UserPoolUpdate",
            Category::UserPoolResourceRead => "UserPoolResourceRead",
            Category::UserPoolResourceUpdate => "UserPoolResourceUpdate",
            Category::UserPoolClientRead => "UserPoolClientRead",
            Category::UserPoolClientUpdate => "UserPoolClientUpdate",
            Category::ClientAuthentication => "ClientAuthentication",
            Category::AuthorizationCodeGrant => "AuthorizationCodeGrant",
            Category::LimitManagement => "LimitManagement",
        }
    }

    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Cognito's default quota, requests per second.
    pub fn default_rps(self) -> f64 {
        match self {
            Category::UserAuthentication
            | Category::AuthorizationCodeGrant
            | Category::UserRead
            | Category::UserToken => 120.0,
            Category::UserAuthChallenge => 360.0,
            Category::UserCreation | Category::UserResourceRead => 50.0,
            Category::UserFederation | Category::UserUpdate | Category::UserResourceUpdate => 25.0,
            Category::UserAccountRecovery | Category::UserList => 30.0,
            Category::UserPoolResourceRead => 20.0,
            Category::UserPoolRead
            | Category::UserPoolUpdate
            | Category::UserPoolResourceUpdate
            | Category::UserPoolClientRead
            | Category::UserPoolClientUpdate => 15.0,
            Category::ClientAuthentication => 150.0,
            Category::LimitManagement => 1.0,
        }
    }
}

/// What the operator configured.
#[derive(Debug, Clone, Default)]
pub struct RateLimitSettings {
    pub enabled: bool,
    /// Rates in place of Cognito's defaults, for the whole node.
    pub rates: HashMap<Category, f64>,
    /// Rates for one pool's requests, beside the node's.
    pub pools: HashMap<UserPoolId, HashMap<Category, f64>>,
}

/// A bucket holding at most a second's worth of requests.
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn take(&mut self, rate: f64, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(rate.max(1.0));
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub struct RateLimits {
    settings: RateLimitSettings,
    buckets: Mutex<HashMap<(Option<UserPoolId>, Category), Bucket>>,
}

impl RateLimits {
    pub fn new(settings: RateLimitSettings) -> Self {
        RateLimits {
            settings,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn take(&self, key: (Option<UserPoolId>, Category), rate: f64) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        buckets
            .entry(key)
            .or_insert(Bucket {
                tokens: rate.max(1.0),
                at: now,
            })
            .take(rate, now)
    }

    /// Whether a request of `category` (for `pool`, when it names one) is
    /// within its quotas; it counts against them if so.
    pub fn admit(&self, category: Category, pool: Option<&UserPoolId>) -> bool {
        if !self.settings.enabled {
            return true;
        }
        if let Some(pool) = pool
            && let Some(rate) = self
                .settings
                .pools
                .get(pool)
                .and_then(|rates| rates.get(&category))
            && !self.take((Some(pool.clone()), category), *rate)
        {
            return false;
        }
        let rate = self
            .settings
            .rates
            .get(&category)
            .copied()
            .unwrap_or_else(|| category.default_rps());
        self.take((None, category), rate)
    }
}

impl Services {
    /// Refuses a request over its category's quota, in Cognito's words.
    pub fn admit(&self, category: Category, pool: Option<&UserPoolId>) -> Result<()> {
        if self.limits.admit(category, pool) {
            Ok(())
        } else {
            Err(Error::TooManyRequests("Rate exceeded".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_admits_its_rate_then_refills() {
        let start = Instant::now();
        let mut bucket = Bucket {
            tokens: 2.0,
            at: start,
        };
        assert!(bucket.take(2.0, start));
        assert!(bucket.take(2.0, start));
        assert!(!bucket.take(2.0, start));
        assert!(bucket.take(2.0, start + std::time::Duration::from_millis(500)));
        assert!(!bucket.take(2.0, start + std::time::Duration::from_millis(500)));
    }

    #[test]
    fn off_admits_everything_and_names_round_trip() {
        let limits = RateLimits::new(RateLimitSettings::default());
        assert!((0..1000).all(|_| limits.admit(Category::LimitManagement, None)));
        for c in Category::ALL {
            assert_eq!(Category::parse(c.name()), Some(c));
        }
    }

    #[test]
    fn a_pools_own_rate_applies_beside_the_nodes() {
        let pool = UserPoolId::new("us-east-1_a".to_owned());
        let limits = RateLimits::new(RateLimitSettings {
            enabled: true,
            rates: HashMap::new(),
            pools: [(pool.clone(), [(Category::UserRead, 1.0)].into())].into(),
        });
        assert!(limits.admit(Category::UserRead, Some(&pool)));
        assert!(!limits.admit(Category::UserRead, Some(&pool)));
        assert!(
            limits.admit(Category::UserRead, None),
            "the node's own quota is 120"
        );
    }
}
