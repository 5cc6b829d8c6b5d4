//! Remembered devices: what a pool's `DeviceConfiguration` asks, and a
//! user's device as stored once `ConfirmDevice` gave it a verifier.

use serde_json::{Map, Value};

use crate::clock::Timestamp;
use crate::ids::UserPoolId;

/// `DeviceConfiguration`: present (with any member) means the pool tracks devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeviceTracking {
    /// `ChallengeRequiredOnNewDevice`: a remembered device stands in for the
    /// second factor (only new or forgotten devices are asked for one).
    pub remembered_device_skips_mfa: bool,
    /// `DeviceOnlyRememberedOnUserPrompt`: a confirmed device stays
    /// `not_remembered` until `UpdateDeviceStatus` remembers it.
    pub remember_on_prompt_only: bool,
}

impl DeviceTracking {
    /// The tracking a pool's settings ask for, if any.
    pub fn of(settings: &Map<String, Value>) -> Option<DeviceTracking> {
        let config = settings.get("DeviceConfiguration")?.as_object()?;
        let flag = |name: &str| config.get(name).and_then(Value::as_bool).unwrap_or(false);
        Some(DeviceTracking {
            remembered_device_skips_mfa: flag("ChallengeRequiredOnNewDevice"),
            remember_on_prompt_only: flag("DeviceOnlyRememberedOnUserPrompt"),
        })
    }
}

/// A confirmed device of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub pool_id: UserPoolId,
    /// The owner's sub.
    pub sub: String,
    /// `{region}_{uuid}`, unique across pools.
    pub key: String,
    /// `DeviceName` from ConfirmDevice (the client's user agent, usually).
    pub name: Option<String>,
    /// The device's SRP verifier (salt and v), sealed to the device.
    pub verifier: Vec<u8>,
    /// `dev:device_remembered_status` is `remembered`.
    pub remembered: bool,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// The last sign-in the device proved itself in.
    pub last_authenticated: Option<Timestamp>,
    /// The sealed session of a device challenge issued without a `Session`
    /// the client will send back (pycognito answers DEVICE_SRP_AUTH without one).
    pub pending_challenge: Option<String>,
}

/// A new device key: the pool's region and a random UUID, as Cognito's
/// `{region}_{uuid}`.
pub fn new_device_key(pool: &UserPoolId) -> String {
    format!("{}_{}", pool.region(), uuid::Uuid::new_v4())
}

/// The `DeviceGroupKey` a user's devices share: `-` and nine letters or
/// digits drawn from `seed` (a keyed hash of the user), so every node
/// derives the same one and nothing is stored for it.
pub fn device_group_key(seed: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut key = String::from("-");
    key.extend(
        seed.iter()
            .take(9)
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])),
    );
    key
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn any_member_of_device_configuration_turns_tracking_on() {
        let settings = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert_eq!(DeviceTracking::of(&settings(json!({}))), None);
        assert_eq!(
            DeviceTracking::of(&settings(json!({"DeviceConfiguration": {}}))),
            Some(DeviceTracking::default())
        );
        assert_eq!(
            DeviceTracking::of(&settings(json!({"DeviceConfiguration": {
                "ChallengeRequiredOnNewDevice": true,
                "DeviceOnlyRememberedOnUserPrompt": false,
            }}))),
            Some(DeviceTracking {
                remembered_device_skips_mfa: true,
                remember_on_prompt_only: false,
            })
        );
    }

    #[test]
    fn keys_have_cognitos_shapes() {
        let key = new_device_key(&UserPoolId::new("eu-west-1_AbCdEf123"));
        let (region, id) = key.split_once('_').expect("region_uuid");
        assert_eq!(region, "eu-west-1");
        assert!(uuid::Uuid::parse_str(id).is_ok());
        let group = device_group_key(&[0u8, 61, 62, 200, 7, 8, 9, 10, 11, 12]);
        assert_eq!(group.len(), 10);
        assert!(group.starts_with("-A9A"));
        assert!(group[1..].chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
