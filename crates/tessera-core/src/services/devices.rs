//! Remembered devices: ConfirmDevice, and reading, remembering and forgetting
//! a user's devices by access token or as an administrator. A device's SRP
//! verifier is sealed at rest, bound to its key and owner; the group key its
//! SRP mixes in is derived, so no node stores one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tessera_crypto::srp::Verifier;

use super::{Services, next_token, page_request};
use crate::domain::device::{Device, device_group_key};
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::store::{Conflict, StoreError};

/// Whose devices an operation acts on.
pub enum DeviceOwner<'a> {
    /// The user behind an access token (ConfirmDevice, GetDevice, …).
    AccessToken(&'a str),
    /// A user named by an administrator (AdminGetDevice, …).
    Admin {
        pool: &'a UserPoolId,
        username: &'a str,
    },
}

/// ConfirmDevice's members.
pub struct ConfirmDevice {
    pub access_token: String,
    pub device_key: String,
    pub device_name: Option<String>,
    /// `DeviceSecretVerifierConfig.Salt`, base64.
    pub salt: Option<String>,
    /// `DeviceSecretVerifierConfig.PasswordVerifier`, base64.
    pub password_verifier: Option<String>,
}

/// A page of devices.
pub struct DevicePage {
    pub devices: Vec<Device>,
    pub next: Option<String>,
}

pub(crate) fn device_not_found() -> Error {
    Error::ResourceNotFound("Device does not exist.".into())
}

fn verifier_aad(device: &Device) -> Vec<u8> {
    format!("device|{}|{}|{}", device.pool_id, device.sub, device.key).into_bytes()
}

impl Services {
    /// The `DeviceGroupKey` of the user's devices.
    pub(crate) fn device_group_key(&self, user: &User) -> String {
        device_group_key(&self.sealing.keyed_hash(
            "device-group-key",
            format!("{}|{}", user.pool_id, user.sub).as_bytes(),
        ))
    }

    /// The device's opened SRP verifier.
    pub(crate) fn device_verifier(&self, device: &Device) -> Result<Verifier> {
        let bytes = self.sealing.open(&device.verifier, &verifier_aad(device))?;
        Verifier::from_bytes(&bytes)
            .map_err(|e| Error::Internal(format!("a stored device verifier: {e:?}")))
    }

    /// The user's device with `key`.
    pub(crate) async fn user_device(&self, user: &User, key: &str) -> Result<Device> {
        self.store
            .get_device(&user.pool_id, &user.sub, key)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => device_not_found(),
                other => other.into(),
            })
    }

    async fn device_owner(&self, owner: DeviceOwner<'_>) -> Result<User> {
        match owner {
            DeviceOwner::AccessToken(token) => Ok(self.authenticate(token).await?.user),
            DeviceOwner::Admin { pool, username } => {
                let pool = self.pool(pool).await?;
                self.admin_named_user(&pool, username).await
            }
        }
    }

    /// ConfirmDevice: the device a sign-in was given (its access token's
    /// `device_key`) gets the client's verifier; it is remembered at once
    /// unless the pool remembers devices only when the user says so, which
    /// `UserConfirmationNecessary` tells the client.
    pub async fn confirm_device(&self, request: ConfirmDevice) -> Result<bool> {
        let auth = self.authenticate(&request.access_token).await?;
        if auth.device_key.as_deref() != Some(request.device_key.as_str()) {
            return Err(Error::InvalidParameter("Invalid device key given.".into()));
        }
        let (Some(salt), Some(verifier)) = (&request.salt, &request.password_verifier) else {
            return Err(Error::InvalidParameter(
                "DeviceSecretVerifierConfig with a Salt and a PasswordVerifier is required.".into(),
            ));
        };
        let invalid = || Error::InvalidParameter("Invalid device secret verifier config.".into());
        let verifier = Verifier::from_parts(
            STANDARD.decode(salt).map_err(|_| invalid())?,
            STANDARD.decode(verifier).map_err(|_| invalid())?,
        )
        .map_err(|_| invalid())?;
        let on_prompt_only = auth
            .pool
            .device_tracking()
            .is_some_and(|t| t.remember_on_prompt_only);
        let now = self.clock.now();
        let mut device = Device {
            pool_id: auth.user.pool_id.clone(),
            sub: auth.user.sub.clone(),
            key: request.device_key,
            name: request.device_name,
            verifier: Vec::new(),
            remembered: !on_prompt_only,
            created: now,
            modified: now,
            last_authenticated: Some(now),
            pending_challenge: None,
        };
        device.verifier = self
            .sealing
            .seal(&verifier.to_bytes(), &verifier_aad(&device))?;
        match self.store.create_device(&device).await {
            Ok(()) => Ok(on_prompt_only),
            Err(StoreError::Conflict(Conflict::DeviceKey)) => {
                Err(Error::DeviceKeyExists("Device key already exists.".into()))
            }
            Err(StoreError::NotFound) => Err(crate::services::existence::user_not_found()),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get_device(&self, owner: DeviceOwner<'_>, key: &str) -> Result<Device> {
        let user = self.device_owner(owner).await?;
        self.user_device(&user, key).await
    }

    pub async fn list_devices(
        &self,
        owner: DeviceOwner<'_>,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<DevicePage> {
        let user = self.device_owner(owner).await?;
        let page = page_request(limit, token)?;
        let listing = self
            .store
            .list_devices(&user.pool_id, &user.sub, &page)
            .await?;
        Ok(DevicePage {
            devices: listing.items,
            next: next_token(listing.next),
        })
    }

    /// UpdateDeviceStatus: `remembered` or `not_remembered`.
    pub async fn update_device_status(
        &self,
        owner: DeviceOwner<'_>,
        key: &str,
        remembered: bool,
    ) -> Result<()> {
        let user = self.device_owner(owner).await?;
        let mut device = self.user_device(&user, key).await?;
        device.remembered = remembered;
        device.modified = self.clock.now();
        self.store
            .update_device(&device)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => device_not_found(),
                other => other.into(),
            })
    }

    /// ForgetDevice: the device is gone, and with it its sign-ins' refresh
    /// tokens (they work only from their device).
    pub async fn forget_device(&self, owner: DeviceOwner<'_>, key: &str) -> Result<()> {
        let user = self.device_owner(owner).await?;
        self.store
            .delete_device(&user.pool_id, &user.sub, key)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => device_not_found(),
                other => other.into(),
            })
    }
}
