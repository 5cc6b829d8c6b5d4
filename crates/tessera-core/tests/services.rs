//! Services over a real, temporary SQLite store: behaviours the HTTP API cannot
//! reach yet, and what is (not) written to disk.

use std::sync::Arc;

use serde_json::{Map, json};
use tessera_core::Error;
use tessera_core::clock::FixedClock;
use tessera_core::domain::user::UserStatus;
use tessera_core::mailer::Medium;
use tessera_core::services::Services;
use tessera_core::services::clients::CreateClient;
use tessera_core::store::Store;
use tessera_crypto::seal::SealingKey;

mod support;

use support::{Harness, START, deployment, harness};

impl Harness {
    /// Everything SQLite has written: the database file and its write-ahead log.
    fn disk_bytes(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).expect("dir") {
            all.extend(std::fs::read(entry.expect("entry").path()).expect("read"));
        }
        all
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn admin_confirm_sign_up_confirms_an_unconfirmed_user_once() {
    let h = harness();
    let pool = h.pool(json!({})).await;
    h.user(&pool, "uma", &[], "Passw0rd!").await;
    // Sign-up is not built yet: make the user UNCONFIRMED the way it will.
    let mut user = h.services.admin_get_user(&pool, "uma").await.expect("get");
    user.status = UserStatus::Unconfirmed;
    h.store.update_user(&user, &[]).await.expect("update");

    h.services
        .admin_confirm_sign_up(&pool, "uma", &Default::default())
        .await
        .expect("confirm");
    let user = h.services.admin_get_user(&pool, "uma").await.expect("get");
    assert_eq!(user.status, UserStatus::Confirmed);

    match h
        .services
        .admin_confirm_sign_up(&pool, "uma", &Default::default())
        .await
    {
        Err(Error::NotAuthorized(m)) => {
            assert_eq!(m, "User cannot be confirmed. Current status is CONFIRMED")
        }
        other => panic!("expected NotAuthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn temporary_password_expires_per_policy() {
    let h = harness();
    let pool = h
        .pool(json!({"Policies": {"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 3}}}))
        .await;
    h.user(&pool, "tia", &[], "temporary").await;
    let user = h.services.admin_get_user(&pool, "tia").await.expect("get");
    assert_eq!(user.status, UserStatus::ForceChangePassword);
    assert_eq!(user.password_expires, Some(START.plus_seconds(3 * 86_400)));
}

#[tokio::test]
async fn passwords_client_secrets_and_codes_never_reach_the_disk_in_clear() {
    let h = harness();
    let pool = h.pool(json!({"AutoVerifiedAttributes": ["email"]})).await;
    let password = "Plaintext-Passw0rd!";
    h.user(
        &pool,
        "sam",
        &[("email", "sam@example.com"), ("email_verified", "true")],
        password,
    )
    .await;
    let client = h
        .services
        .create_client(CreateClient {
            pool_id: pool.clone(),
            name: "web".into(),
            generate_secret: true,
            id: None,
            members: Map::new(),
        })
        .await
        .expect("client");
    let secret = client.secret.expect("generated secret");
    h.services
        .admin_reset_user_password(&pool, "sam")
        .await
        .expect("reset");
    let messages = h
        .outbox
        .messages(Some(pool.as_str()), Some("sam@example.com"));
    let message = messages.last().expect("code message");
    assert_eq!(message.message.medium, Medium::Email);
    let code: String = message
        .message
        .body
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    assert_eq!(code.len(), 6, "{}", message.message.body);

    let disk = h.disk_bytes();
    assert!(
        contains(&disk, "sam@example.com"),
        "the data itself is on disk"
    );
    assert!(!contains(&disk, password), "password stored in clear");
    assert!(!contains(&disk, &secret), "client secret stored in clear");
    assert!(!contains(&disk, &code), "one-time code stored in clear");

    // The secret still opens for the responses that show it.
    let described = h
        .services
        .describe_client(&pool, &client.client.id)
        .await
        .expect("describe");
    assert_eq!(described.secret.as_deref(), Some(secret.as_str()));
}

#[tokio::test]
async fn an_added_client_secret_is_sealed_and_shown_only_when_added() {
    let h = harness();
    let pool = h.pool(json!({})).await;
    let client = h
        .services
        .create_client(CreateClient {
            pool_id: pool.clone(),
            name: "rotating".into(),
            generate_secret: true,
            id: None,
            members: Map::new(),
        })
        .await
        .expect("client");
    let original = client.secret.expect("generated secret");
    let added = h
        .services
        .add_client_secret(&pool, &client.client.id, None)
        .await
        .expect("add");
    let value = added.value.expect("a generated secret is returned");
    assert_ne!(value, original);

    assert!(
        !contains(&h.disk_bytes(), &value),
        "added secret stored in clear"
    );
    let listed = h
        .services
        .list_client_secrets(&pool, &client.client.id)
        .await
        .expect("list");
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|d| d.value.is_none()));
    assert_eq!(listed[1].id, added.id);
    let described = h
        .services
        .describe_client(&pool, &client.client.id)
        .await
        .expect("describe");
    assert_eq!(described.secret.as_deref(), Some(original.as_str()));
}

#[tokio::test]
async fn a_client_secret_does_not_open_under_another_key() {
    let h = harness();
    let pool = h.pool(json!({})).await;
    let created = h
        .services
        .create_client(CreateClient {
            pool_id: pool.clone(),
            name: "web".into(),
            generate_secret: true,
            id: None,
            members: Map::new(),
        })
        .await
        .expect("client");
    let other = Services::new(
        h.store.clone(),
        Arc::new(FixedClock::new(START)),
        h.outbox.clone(),
        Arc::new(SealingKey::generate().expect("key")),
        deployment(),
    );
    assert!(matches!(
        other.describe_client(&pool, &created.client.id).await,
        Err(Error::Internal(_))
    ));
}
