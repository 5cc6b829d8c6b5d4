//! Services over a real temporary SQLite store (in /dev/shm when there is
//! one, so that its synchronous commits cost no disk flushes; see
//! [`scratch_dir`]), on a fixed
//! clock, with one pool, one client and two users at fixed names: the seeds
//! name them. Built once per fuzzing process.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value, json};
use tessera_core::clock::{Clock, FixedClock, Timestamp};
use tessera_core::ids::{ClientId, UserPoolId};
use tessera_core::mailer::DevOutbox;
use tessera_core::services::clients::CreateClient;
use tessera_core::services::pools::CreatePool;
use tessera_core::services::users::{CreateUser, MessageAction};
use tessera_core::services::{Deployment, Services};
use tessera_crypto::seal::SealingKey;
use tessera_store::SqliteStore;

pub const POOL_ID: &str = "us-east-1_FuzzPool1";
pub const CLIENT_ID: &str = "1example23456789fuzzclient";
/// Confirmed, with [`PASSWORD`].
pub const CONFIRMED_USER: &str = "alice";
/// FORCE_CHANGE_PASSWORD, with [`PASSWORD`] as its temporary password.
pub const NEW_PASSWORD_USER: &str = "bob";
pub const PASSWORD: &str = "Passw0rd!";

pub struct World {
    pub runtime: tokio::runtime::Runtime,
    pub services: Arc<Services>,
    /// The fixed clock under the services' clock (which may add an offset).
    pub clock: Arc<FixedClock>,
    pub outbox: Arc<DevOutbox>,
    /// The key the services seal with, for targets that seal on purpose.
    pub sealing: Arc<SealingKey>,
    pub pool: UserPoolId,
    pub client: ClientId,
    /// The `sub` of each user, by name.
    pub subs: Vec<(String, String)>,
    /// Where the store is.
    pub dir: PathBuf,
}

const SCRATCH_PREFIX: &str = "tessera-fuzz-";

/// A directory of this process's own, `tessera-fuzz-<pid>-<kind>` in /dev/shm
/// (else the temporary directory). A fuzzing process ends without running
/// destructors, so each new one first removes those of processes that are gone.
pub fn scratch_dir(kind: &str) -> PathBuf {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    sweep(&base);
    let dir = base.join(format!("{SCRATCH_PREFIX}{}-{kind}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Removes the scratch directories of processes that no longer run.
fn sweep(base: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(SCRATCH_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl World {
    /// A world whose clock reads `now`.
    pub fn new(now: Timestamp) -> World {
        let clock = Arc::new(FixedClock::new(now));
        World::with_clocks(clock.clone(), clock)
    }

    /// A world whose services read `services_clock`, which reads `clock`.
    pub fn with_clocks(clock: Arc<FixedClock>, services_clock: Arc<dyn Clock>) -> World {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let dir = scratch_dir("store");
        let store = Arc::new(SqliteStore::open(dir.join("fuzz.db")).expect("the store"));
        let outbox = Arc::new(DevOutbox::new(100, true, services_clock.clone()));
        let sealing = Arc::new(SealingKey::generate().expect("a key"));
        let services = Arc::new(Services::new(
            store,
            services_clock,
            outbox.clone(),
            sealing.clone(),
            Deployment {
                region: "us-east-1".into(),
                account_id: "000000000000".into(),
                public_url: "http://127.0.0.1:9229".into(),
                oauth_base_domain: "auth.localhost".into(),
            },
        ));
        let pool = UserPoolId::new(POOL_ID);
        let client = ClientId::new(CLIENT_ID);
        let subs = runtime.block_on(async {
            services
                .create_pool_with_id(
                    pool.clone(),
                    CreatePool {
                        name: "fuzz".into(),
                        members: Map::new(),
                        schema: Vec::new(),
                        tags: Default::default(),
                    },
                )
                .await
                .expect("the pool");
            services
                .create_client(CreateClient {
                    pool_id: pool.clone(),
                    name: "web".into(),
                    generate_secret: false,
                    id: Some(client.clone()),
                    members: object(json!({
                        "ExplicitAuthFlows": [
                            "ALLOW_USER_SRP_AUTH",
                            "ALLOW_USER_PASSWORD_AUTH",
                            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                            "ALLOW_REFRESH_TOKEN_AUTH"
                        ]
                    })),
                })
                .await
                .expect("the client");
            let mut subs = Vec::new();
            for name in [CONFIRMED_USER, NEW_PASSWORD_USER] {
                let user = services
                    .admin_create_user(CreateUser {
                        validation_data: Default::default(),
                        client_metadata: Default::default(),
                        pool_id: pool.clone(),
                        username: name.into(),
                        attributes: vec![("email".into(), format!("{name}@example.com"))],
                        temporary_password: Some(PASSWORD.into()),
                        force_alias_creation: false,
                        message_action: MessageAction::Suppress,
                        delivery_mediums: Vec::new(),
                    })
                    .await
                    .expect("a user");
                subs.push((name.to_owned(), user.sub.clone()));
            }
            services
                .admin_set_user_password(&pool, CONFIRMED_USER, PASSWORD, true)
                .await
                .expect("a permanent password");
            subs
        });
        World {
            runtime,
            services,
            clock,
            outbox,
            sealing,
            pool,
            client,
            subs,
            dir,
        }
    }

    pub fn sub(&self, name: &str) -> &str {
        self.subs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, sub)| sub.as_str())
            .unwrap_or("")
    }
}
