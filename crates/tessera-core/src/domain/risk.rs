//! Advanced security: the pool's mode (`UserPoolAddOns`), a risk
//! configuration as SetRiskConfiguration sent it, and the IP ranges it names.

use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::domain::pool::UserPool;

/// `UserPoolAddOns.AdvancedSecurityMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityMode {
    Off,
    /// Risks are assessed and events recorded; no action is taken.
    Audit,
    /// Events recorded and the configured actions taken.
    Enforced,
}

impl SecurityMode {
    pub fn of(pool: &UserPool) -> SecurityMode {
        match pool
            .settings
            .get("UserPoolAddOns")
            .and_then(|a| a.get("AdvancedSecurityMode"))
            .and_then(Value::as_str)
        {
            Some("AUDIT") => SecurityMode::Audit,
            Some("ENFORCED") => SecurityMode::Enforced,
            _ => SecurityMode::Off,
        }
    }
}

/// An IPv4 or IPv6 range in CIDR notation (`192.0.2.0/24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    base: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(text: &str) -> Option<IpRange> {
        let (addr, prefix) = text.split_once('/')?;
        let base: IpAddr = addr.parse().ok()?;
        // Digits only: `u8::from_str` would also take a leading `+`.
        if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let prefix: u8 = prefix.parse().ok()?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(IpRange { base, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match (self.base, ip) {
            (IpAddr::V4(_), IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => return false,
            },
            (_, ip) => ip,
        };
        let (base, addr, bits) = match (self.base, ip) {
            (IpAddr::V4(b), IpAddr::V4(a)) => {
                (u128::from(b.to_bits()), u128::from(a.to_bits()), 32)
            }
            (IpAddr::V6(b), IpAddr::V6(a)) => (b.to_bits(), a.to_bits(), 128),
            _ => return false,
        };
        let shift = bits - u32::from(self.prefix);
        if shift >= 128 {
            return true;
        }
        (base >> shift) == (addr >> shift)
    }
}

/// Which events a compromised-credentials check covers (`EventFilter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckedEvent {
    SignIn,
    SignUp,
    PasswordChange,
}

impl CheckedEvent {
    fn filter_name(self) -> &'static str {
        match self {
            CheckedEvent::SignIn => "SIGN_IN",
            CheckedEvent::SignUp => "SIGN_UP",
            CheckedEvent::PasswordChange => "PASSWORD_CHANGE",
        }
    }
}

/// A stored risk configuration: the members SetRiskConfiguration sent, kept
/// whole so DescribeRiskConfiguration returns them as sent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RiskConfiguration {
    pub members: Map<String, Value>,
}

/// The configuration members SetRiskConfiguration takes.
pub const RISK_MEMBERS: &[&str] = &[
    "CompromisedCredentialsRiskConfiguration",
    "AccountTakeoverRiskConfiguration",
    "RiskExceptionConfiguration",
];

impl RiskConfiguration {
    fn ranges(&self, list: &str) -> Vec<IpRange> {
        self.members
            .get("RiskExceptionConfiguration")
            .and_then(|r| r.get(list))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .filter_map(IpRange::parse)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `BlockedIPRangeList`: sign-ins from these never succeed.
    pub fn blocks(&self, ip: IpAddr) -> bool {
        self.ranges("BlockedIPRangeList")
            .iter()
            .any(|r| r.contains(ip))
    }

    /// `SkippedIPRangeList`: requests from these are not assessed for risk.
    pub fn skips(&self, ip: IpAddr) -> bool {
        self.ranges("SkippedIPRangeList")
            .iter()
            .any(|r| r.contains(ip))
    }

    /// Whether the compromised-credentials check covers `event`, and whether
    /// its action is BLOCK. An absent `EventFilter` covers every event.
    pub fn compromised_check(&self, event: CheckedEvent) -> Option<bool> {
        let config = self
            .members
            .get("CompromisedCredentialsRiskConfiguration")?;
        let covered = match config.get("EventFilter").and_then(Value::as_array) {
            Some(filter) if !filter.is_empty() => filter
                .iter()
                .any(|f| f.as_str() == Some(event.filter_name())),
            _ => true,
        };
        let block = config
            .get("Actions")
            .and_then(|a| a.get("EventAction"))
            .and_then(Value::as_str)
            == Some("BLOCK");
        covered.then_some(block)
    }

    /// The member of `NotifyConfiguration` named `template` (`BlockEmail`,
    /// `NoActionEmail`) with its sender, when the pool asked for notices.
    pub fn notify_email(&self, template: &str) -> Option<(&Map<String, Value>, &Value)> {
        let notify = self
            .members
            .get("AccountTakeoverRiskConfiguration")?
            .get("NotifyConfiguration")?
            .as_object()?;
        Some((notify, notify.get(template)?))
    }
}

/// Checks what the model cannot: every range is a CIDR block.
pub fn check_ranges(members: &Map<String, Value>) -> Result<(), String> {
    let Some(exceptions) = members.get("RiskExceptionConfiguration") else {
        return Ok(());
    };
    for list in ["BlockedIPRangeList", "SkippedIPRangeList"] {
        for range in exceptions
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let text = range.as_str().unwrap_or_default();
            if IpRange::parse(text).is_none() {
                return Err(format!(
                    "Invalid IP range {text} in {list}: use CIDR notation, such as 192.0.2.0/24."
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    #[test]
    fn ranges_parse_and_contain_as_cidr_says() {
        let r = IpRange::parse("192.0.2.0/24").expect("v4");
        assert!(r.contains(ip("192.0.2.200")));
        assert!(!r.contains(ip("192.0.3.1")));
        assert!(r.contains(ip("::ffff:192.0.2.7")));
        assert!(
            IpRange::parse("0.0.0.0/0")
                .expect("a range")
                .contains(ip("8.8.8.8"))
        );
        let v6 = IpRange::parse("2001:db8::/32").expect("v6");
        assert!(v6.contains(ip("2001:db8:1::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("192.0.2.1")));
        for bad in [
            "192.0.2.0",
            "192.0.2.0/33",
            "x/8",
            "192.0.2.0/+8",
            "::/129",
            "1.2.3.4/",
        ] {
            assert_eq!(IpRange::parse(bad), None, "{bad}");
        }
    }
}
