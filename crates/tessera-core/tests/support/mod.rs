//! The harness of the core's tests: services over a real, temporary SQLite
//!
//! Each test binary that includes it uses a part of it.
#![allow(dead_code)]
//! store, a fixed clock and a captured outbox.

use std::sync::Arc;

use serde_json::{Map, Value};
use tessera_core::clock::{FixedClock, Timestamp};
use tessera_core::ids::{ClientId, UserPoolId};
use tessera_core::mailer::DevOutbox;
use tessera_core::services::clients::CreateClient;
use tessera_core::services::pools::CreatePool;
use tessera_core::services::users::{CreateUser, MessageAction};
use tessera_core::services::{Deployment, Services};
use tessera_crypto::seal::SealingKey;
use tessera_store::SqliteStore;

pub const START: Timestamp = Timestamp(1_800_000_000_000);

pub struct Harness {
    pub services: Services,
    pub store: Arc<SqliteStore>,
    pub clock: Arc<FixedClock>,
    pub outbox: Arc<DevOutbox>,
    pub dir: tempfile::TempDir,
}

pub fn deployment() -> Deployment {
    Deployment {
        region: "us-east-1".into(),
        account_id: "000000000000".into(),
        public_url: "http://127.0.0.1:9229".into(),
        oauth_base_domain: "auth.localhost".into(),
    }
}

pub fn harness() -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path().join("t.db")).expect("store"));
    let clock = Arc::new(FixedClock::new(START));
    let outbox = Arc::new(DevOutbox::new(100, false, clock.clone()));
    let services = Services::new(
        store.clone(),
        clock.clone(),
        outbox.clone(),
        Arc::new(SealingKey::generate().expect("key")),
        deployment(),
    );
    Harness {
        services,
        store,
        clock,
        outbox,
        dir,
    }
}

fn object(members: Value) -> Map<String, Value> {
    serde_json::from_value(members).expect("an object")
}

impl Harness {
    pub async fn pool(&self, members: Value) -> UserPoolId {
        self.services
            .create_pool(CreatePool {
                name: "p".into(),
                members: object(members),
                schema: Vec::new(),
                tags: Default::default(),
            })
            .await
            .expect("pool")
            .id
    }

    pub async fn client(&self, pool: &UserPoolId, members: Value) -> ClientId {
        self.services
            .create_client(CreateClient {
                pool_id: pool.clone(),
                name: "web".into(),
                generate_secret: false,
                id: None,
                members: object(members),
            })
            .await
            .expect("client")
            .client
            .id
    }

    /// A user created by an administrator, holding `password` as its temporary password.
    pub async fn user(
        &self,
        pool: &UserPoolId,
        name: &str,
        attrs: &[(&str, &str)],
        password: &str,
    ) {
        self.services
            .admin_create_user(CreateUser {
                validation_data: Default::default(),
                client_metadata: Default::default(),
                pool_id: pool.clone(),
                username: name.into(),
                attributes: attrs
                    .iter()
                    .map(|(k, v)| ((*k).into(), (*v).into()))
                    .collect(),
                temporary_password: Some(password.into()),
                force_alias_creation: false,
                message_action: MessageAction::Suppress,
                delivery_mediums: Vec::new(),
            })
            .await
            .expect("user");
    }
}
