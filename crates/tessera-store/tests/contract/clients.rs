//! App clients: create, get, list, update, delete; their secrets.

use serde_json::json;
use tessera_core::clock::Timestamp;
use tessera_core::ids::ClientSecretId;
use tessera_core::store::{Conflict, StoreError};

use crate::support::*;

pub async fn create_then_get_returns_the_same_record(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Clients");
    store.create_pool(&p).await.expect("create_pool");
    let c = client(&p.id, client_id(1));
    store.create_client(&c).await.expect("create_client");
    assert_eq!(store.get_client(&p.id, &c.id).await.expect("get_client"), c);

    // A client without a secret keeps having none.
    let mut public = client(&p.id, client_id(2));
    public.secrets.clear();
    store.create_client(&public).await.expect("create_client");
    assert_eq!(
        store.get_client(&p.id, &public.id).await.expect("get"),
        public
    );
}

pub async fn get_missing_client_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("NoClient");
    store.create_pool(&p).await.expect("create_pool");
    assert_not_found("get_client", store.get_client(&p.id, &client_id(9)).await);
    assert_not_found(
        "get_client in a missing pool",
        store.get_client(&pool_id("Absent"), &client_id(9)).await,
    );
}

pub async fn client_is_not_found_through_another_pool(engine: &Engine) {
    let store = engine.open().await;
    let a = pool("OwnerA");
    let b = pool("OtherB");
    store.create_pool(&a).await.expect("create a");
    store.create_pool(&b).await.expect("create b");
    let c = client(&a.id, client_id(1));
    store.create_client(&c).await.expect("create_client");
    assert_not_found(
        "client read through the wrong pool",
        store.get_client(&b.id, &c.id).await,
    );
    let mut hijack = c.clone();
    hijack.pool_id = b.id.clone();
    hijack.name = "hijacked".into();
    assert_not_found(
        "client updated through the wrong pool",
        store.update_client(&hijack).await,
    );
    assert_not_found(
        "client deleted through the wrong pool",
        store.delete_client(&b.id, &c.id).await,
    );
    assert_eq!(
        store.get_client(&a.id, &c.id).await.expect("still there"),
        c
    );
}

pub async fn create_in_missing_pool_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    assert_not_found(
        "create_client without its pool",
        store
            .create_client(&client(&pool_id("Absent"), client_id(1)))
            .await,
    );
}

pub async fn duplicate_client_id_conflicts(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DupClient");
    store.create_pool(&p).await.expect("create_pool");
    let c = client(&p.id, client_id(1));
    store.create_client(&c).await.expect("create_client");
    let mut again = c.clone();
    again.name = "second".into();
    assert_conflict(
        "second create_client",
        store.create_client(&again).await,
        Conflict::ClientId,
    );
    assert_eq!(store.get_client(&p.id, &c.id).await.expect("get"), c);
}

/// Client ids are global: InitiateAuth and the OAuth endpoints name a client
/// by id alone, so one id can never belong to two pools.
pub async fn duplicate_client_id_in_another_pool_conflicts(engine: &Engine) {
    let store = engine.open().await;
    let a = pool("GlobalA");
    let b = pool("GlobalB");
    store.create_pool(&a).await.expect("create a");
    store.create_pool(&b).await.expect("create b");
    store
        .create_client(&client(&a.id, client_id(7)))
        .await
        .expect("create in a");
    assert_conflict(
        "same client id in another pool",
        store.create_client(&client(&b.id, client_id(7))).await,
        Conflict::ClientId,
    );
}

pub async fn update_replaces_name_settings_and_modified(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("UpdClient");
    store.create_pool(&p).await.expect("create_pool");
    let c = client(&p.id, client_id(1));
    store.create_client(&c).await.expect("create_client");

    let mut changed = c.clone();
    changed.name = "renamed".into();
    changed.modified = later(90);
    changed.settings.remove("CallbackURLs");
    changed
        .settings
        .insert("AccessTokenValidity".into(), json!(5));
    changed
        .settings
        .insert("ReadAttributes".into(), json!(["email", "name"]));
    store.update_client(&changed).await.expect("update_client");

    assert_eq!(
        store.get_client(&p.id, &c.id).await.expect("get_client"),
        changed
    );
}

pub async fn update_missing_client_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("UpdMissing");
    store.create_pool(&p).await.expect("create_pool");
    assert_not_found(
        "update_client",
        store.update_client(&client(&p.id, client_id(3))).await,
    );
    assert_not_found(
        "no client appeared",
        store.get_client(&p.id, &client_id(3)).await,
    );
}

pub async fn delete_removes_the_client(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DelClient");
    store.create_pool(&p).await.expect("create_pool");
    let keep = client(&p.id, client_id(1));
    let doomed = client(&p.id, client_id(2));
    store.create_client(&keep).await.expect("create");
    store.create_client(&doomed).await.expect("create");
    store
        .delete_client(&p.id, &doomed.id)
        .await
        .expect("delete_client");
    assert_not_found("deleted client", store.get_client(&p.id, &doomed.id).await);
    assert_eq!(store.get_client(&p.id, &keep.id).await.expect("kept"), keep);
    let listing = store
        .list_clients(&p.id, &page(None, 10))
        .await
        .expect("list");
    assert_eq!(
        listing
            .items
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>(),
        vec![keep.id.clone()]
    );
}

pub async fn delete_missing_client_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DelMissing");
    store.create_pool(&p).await.expect("create_pool");
    assert_not_found(
        "delete_client",
        store.delete_client(&p.id, &client_id(4)).await,
    );
}

pub async fn list_pages_through_the_pools_clients_once(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("ListClients");
    let other = pool("OtherClients");
    store.create_pool(&p).await.expect("create_pool");
    store.create_pool(&other).await.expect("create_pool");
    let mut expected = Vec::new();
    for i in 0..13 {
        let c = client(&p.id, client_id(100 + i));
        store.create_client(&c).await.expect("create_client");
        expected.push(c.id);
    }
    for i in 0..4 {
        store
            .create_client(&client(&other.id, client_id(200 + i)))
            .await
            .expect("create in other pool");
    }
    let got = collect_pages(4, |pg| {
        let store = store.clone();
        let id = p.id.clone();
        async move { store.list_clients(&id, &pg).await }
    })
    .await;
    assert!(
        got.iter()
            .all(|c| c.pool_id == p.id && c.secrets.len() == 1)
    );
    assert_same_set(
        "list_clients",
        got.into_iter().map(|c| c.id).collect(),
        expected,
    );
}

pub async fn added_secrets_are_listed_oldest_first_up_to_the_limit(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Rotating");
    store.create_pool(&p).await.expect("create_pool");
    let c = client(&p.id, client_id(301));
    store.create_client(&c).await.expect("create_client");
    let added = client_secret(&c.id, Timestamp(T0.millis() + 5), false);
    store
        .add_client_secret(&p.id, &c.id, &added, 2)
        .await
        .expect("add_client_secret");

    let got = store.get_client(&p.id, &c.id).await.expect("get_client");
    assert_eq!(got.secrets, vec![c.secrets[0].clone(), added.clone()]);
    assert_eq!(
        store.find_client(&c.id).await.expect("find_client").secrets,
        got.secrets
    );
    let listed = store
        .list_clients(&p.id, &page(None, 10))
        .await
        .expect("list_clients");
    assert_eq!(listed.items[0].secrets, got.secrets);

    let third = client_secret(&c.id, Timestamp(T0.millis() + 9), false);
    assert!(matches!(
        store.add_client_secret(&p.id, &c.id, &third, 2).await,
        Err(StoreError::Conflict(Conflict::ClientSecretLimit))
    ));
    // An update of the client's settings leaves its secrets alone.
    let mut renamed = got.clone();
    renamed.name = "renamed".into();
    store.update_client(&renamed).await.expect("update_client");
    assert_eq!(
        store.get_client(&p.id, &c.id).await.expect("get").secrets,
        got.secrets
    );
}

pub async fn a_secret_id_is_unique_per_client(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("SameSecretId");
    store.create_pool(&p).await.expect("create_pool");
    let c = client(&p.id, client_id(311));
    store.create_client(&c).await.expect("create_client");
    assert!(matches!(
        store
            .add_client_secret(&p.id, &c.id, &c.secrets[0], 3)
            .await,
        Err(StoreError::Conflict(Conflict::ClientSecretId))
    ));
}

pub async fn adding_a_secret_to_a_missing_client_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("NoSecretClient");
    let other = pool("OtherSecretPool");
    store.create_pool(&p).await.expect("create_pool");
    store.create_pool(&other).await.expect("create_pool");
    let c = client(&other.id, client_id(321));
    store.create_client(&c).await.expect("create_client");
    let s = client_secret(&c.id, Timestamp(T0.millis() + 1), false);
    assert_not_found(
        "add_client_secret to a missing client",
        store.add_client_secret(&p.id, &client_id(322), &s, 2).await,
    );
    assert_not_found(
        "add_client_secret through another pool",
        store.add_client_secret(&p.id, &c.id, &s, 2).await,
    );
    assert_not_found(
        "delete_client_secret through another pool",
        store
            .delete_client_secret(&p.id, &c.id, &c.secrets[0].id)
            .await,
    );
}

pub async fn deleting_a_secret_keeps_the_others_but_never_the_last(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("RetireSecret");
    store.create_pool(&p).await.expect("create_pool");
    let c = client(&p.id, client_id(331));
    store.create_client(&c).await.expect("create_client");
    let added = client_secret(&c.id, Timestamp(T0.millis() + 5), false);
    store
        .add_client_secret(&p.id, &c.id, &added, 2)
        .await
        .expect("add_client_secret");

    assert_not_found(
        "delete_client_secret of an unknown id",
        store
            .delete_client_secret(&p.id, &c.id, &ClientSecretId::new("nope--1"))
            .await,
    );
    store
        .delete_client_secret(&p.id, &c.id, &c.secrets[0].id)
        .await
        .expect("delete_client_secret");
    assert_eq!(
        store.get_client(&p.id, &c.id).await.expect("get").secrets,
        vec![added.clone()]
    );
    assert!(matches!(
        store.delete_client_secret(&p.id, &c.id, &added.id).await,
        Err(StoreError::Conflict(Conflict::LastClientSecret))
    ));
    assert_eq!(
        store.get_client(&p.id, &c.id).await.expect("get").secrets,
        vec![added]
    );
}

pub async fn secrets_go_with_their_client(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("SecretsCascade");
    store.create_pool(&p).await.expect("create_pool");
    let c = client(&p.id, client_id(341));
    store.create_client(&c).await.expect("create_client");
    store
        .delete_client(&p.id, &c.id)
        .await
        .expect("delete_client");
    // The id is free again, with none of the old client's secrets.
    let mut again = client(&p.id, client_id(341));
    again.secrets.clear();
    store.create_client(&again).await.expect("create again");
    assert!(
        store
            .get_client(&p.id, &again.id)
            .await
            .expect("get")
            .secrets
            .is_empty()
    );
}
