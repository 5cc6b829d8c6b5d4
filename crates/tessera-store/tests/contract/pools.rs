//! Pools: create, get, list, update, delete (with its cascade), count_users.

use serde_json::json;
use tessera_core::store::{Conflict, UserKey};

use crate::support::*;

pub async fn create_then_get_returns_the_same_record(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("RoundTrip");
    store.create_pool(&p).await.expect("create_pool");
    assert_eq!(store.get_pool(&p.id).await.expect("get_pool"), p);
}

pub async fn get_missing_pool_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    assert_not_found("get_pool", store.get_pool(&pool_id("Missing")).await);
}

pub async fn duplicate_pool_id_conflicts(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Dup");
    store.create_pool(&p).await.expect("create_pool");
    let mut again = pool("Dup");
    again.name = "another name".into();
    assert_conflict(
        "second create_pool",
        store.create_pool(&again).await,
        Conflict::PoolId,
    );
    assert_eq!(
        store.get_pool(&p.id).await.expect("get_pool").name,
        p.name,
        "the refused create changed nothing"
    );
}

pub async fn update_replaces_the_record(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Update");
    store.create_pool(&p).await.expect("create_pool");

    let mut changed = p.clone();
    changed.name = "renamed".into();
    changed.modified = later(60);
    changed
        .settings
        .insert("MfaConfiguration".into(), json!("OPTIONAL"));
    changed.settings.remove("AliasAttributes");
    changed.schema.pop();
    changed.tags.clear();
    changed.tags.insert("new".into(), "tag".into());
    store.update_pool(&changed).await.expect("update_pool");

    assert_eq!(store.get_pool(&p.id).await.expect("get_pool"), changed);
}

pub async fn update_missing_pool_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    assert_not_found("update_pool", store.update_pool(&pool("Nope")).await);
    assert_not_found(
        "get after update of a missing pool",
        store.get_pool(&pool_id("Nope")).await,
    );
}

pub async fn delete_removes_the_pool(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Delete");
    store.create_pool(&p).await.expect("create_pool");
    store.delete_pool(&p.id).await.expect("delete_pool");
    assert_not_found("get after delete", store.get_pool(&p.id).await);
    let listing = store.list_pools(&page(None, 10)).await.expect("list");
    assert!(listing.items.is_empty(), "deleted pool still listed");
}

pub async fn delete_missing_pool_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    assert_not_found("delete_pool", store.delete_pool(&pool_id("Gone")).await);
    let p = pool("Twice");
    store.create_pool(&p).await.expect("create_pool");
    store.delete_pool(&p.id).await.expect("first delete");
    assert_not_found("second delete", store.delete_pool(&p.id).await);
}

pub async fn list_is_empty_without_pools(engine: &Engine) {
    let store = engine.open().await;
    let listing = store.list_pools(&page(None, 5)).await.expect("list_pools");
    assert!(listing.items.is_empty());
    assert!(listing.next.is_none());
}

pub async fn list_pages_through_every_pool_once(engine: &Engine) {
    let store = engine.open().await;
    let mut expected = Vec::new();
    for i in 0..11 {
        let p = pool(&format!("List{i:02}"));
        store.create_pool(&p).await.expect("create_pool");
        expected.push(p);
    }
    let got = collect_pages(3, |pg| {
        let store = store.clone();
        async move { store.list_pools(&pg).await }
    })
    .await;
    // Items are whole records, not just ids.
    for p in &got {
        let original = expected.iter().find(|e| e.id == p.id).expect("known pool");
        assert_eq!(p, original);
    }
    assert_same_set(
        "list_pools",
        got.into_iter().map(|p| p.id).collect(),
        expected.into_iter().map(|p| p.id).collect(),
    );
}

pub async fn list_with_a_limit_beyond_the_count_has_no_next(engine: &Engine) {
    let store = engine.open().await;
    for i in 0..3 {
        store
            .create_pool(&pool(&format!("Few{i}")))
            .await
            .expect("create_pool");
    }
    let listing = store.list_pools(&page(None, 3)).await.expect("list");
    assert_eq!(listing.items.len(), 3);
    assert!(
        listing.next.is_none(),
        "a page that holds the last item exactly has no next"
    );
    let listing = store.list_pools(&page(None, 60)).await.expect("list");
    assert_eq!(listing.items.len(), 3);
    assert!(listing.next.is_none());
}

pub async fn delete_cascades_to_clients_users_groups_and_memberships(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Cascade");
    store.create_pool(&p).await.expect("create_pool");
    let c = client(&p.id, client_id(1));
    store.create_client(&c).await.expect("create_client");
    let u = user_with_email(&p.id, "alice", "alice@example.com");
    store.create_user(&u, &[], None).await.expect("create_user");
    let g = group(&p.id, "admins");
    store.create_group(&g).await.expect("create_group");
    store
        .add_user_to_group(&p.id, &u.sub, &g.name)
        .await
        .expect("add_user_to_group");

    store.delete_pool(&p.id).await.expect("delete_pool");

    assert_not_found("pool", store.get_pool(&p.id).await);
    assert_not_found("client", store.get_client(&p.id, &c.id).await);
    assert_not_found(
        "user by username",
        store.get_user(&p.id, UserKey::Username("alice")).await,
    );
    assert_not_found("group", store.get_group(&p.id, &g.name).await);

    // A pool created again with the same id starts empty: nothing of the old
    // one is listed, resolvable, or still holding a unique name.
    store.create_pool(&p).await.expect("re-create the pool");
    assert!(
        store
            .list_clients(&p.id, &page(None, 10))
            .await
            .expect("list_clients")
            .items
            .is_empty(),
        "clients survived delete_pool"
    );
    assert!(
        store
            .list_users(&p.id, None, &page(None, 10))
            .await
            .expect("list_users")
            .items
            .is_empty(),
        "users survived delete_pool"
    );
    assert!(
        store
            .list_groups(&p.id, &page(None, 10))
            .await
            .expect("list_groups")
            .items
            .is_empty(),
        "groups survived delete_pool"
    );
    assert_eq!(store.count_users(&p.id).await.expect("count"), 0);
    assert_not_found(
        "old user by sub",
        store.get_user(&p.id, UserKey::Sub(&u.sub)).await,
    );
    assert_not_found(
        "old user by alias",
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("alice@example.com")))
            .await,
    );
    store
        .create_client(&c)
        .await
        .expect("the old client id is free again");
    let again = user_with_email(&p.id, "alice", "alice@example.com");
    store
        .create_user(&again, &[], None)
        .await
        .expect("the old username and alias are free again");
    store
        .create_group(&g)
        .await
        .expect("the old group name is free again");
    let memberships = store
        .list_users_in_group(&p.id, &g.name, &page(None, 10))
        .await
        .expect("list_users_in_group");
    assert!(
        memberships.items.is_empty(),
        "memberships survived delete_pool"
    );
    let groups_for_user = store
        .list_groups_for_user(&p.id, &again.sub, &page(None, 10))
        .await
        .expect("list_groups_for_user");
    assert!(groups_for_user.items.is_empty());
}

pub async fn delete_leaves_other_pools_alone(engine: &Engine) {
    let store = engine.open().await;
    let doomed = pool("Doomed");
    let kept = pool("Kept");
    for p in [&doomed, &kept] {
        store.create_pool(p).await.expect("create_pool");
        store
            .create_client(&client(
                &p.id,
                client_id(if p.id == doomed.id { 1 } else { 2 }),
            ))
            .await
            .expect("create_client");
        store
            .create_user(&user_with_email(&p.id, "bob", "bob@example.com"), &[], None)
            .await
            .expect("create_user");
        store
            .create_group(&group(&p.id, "staff"))
            .await
            .expect("create_group");
    }
    let kept_user = store
        .get_user(&kept.id, UserKey::Username("bob"))
        .await
        .expect("kept user");
    store
        .add_user_to_group(&kept.id, &kept_user.sub, &group(&kept.id, "staff").name)
        .await
        .expect("add");

    store.delete_pool(&doomed.id).await.expect("delete_pool");

    assert_eq!(store.get_pool(&kept.id).await.expect("kept pool"), kept);
    store
        .get_client(&kept.id, &client_id(2))
        .await
        .expect("kept client");
    assert_eq!(
        store
            .get_user(&kept.id, UserKey::Alias(&email_alias("bob@example.com")))
            .await
            .expect("kept user by alias")
            .sub,
        kept_user.sub
    );
    let members = store
        .list_users_in_group(&kept.id, &group(&kept.id, "staff").name, &page(None, 10))
        .await
        .expect("members");
    assert_eq!(members.items.len(), 1);
    assert_eq!(store.count_users(&kept.id).await.expect("count"), 1);
}

pub async fn count_users_counts_the_pools_own_users(engine: &Engine) {
    let store = engine.open().await;
    let a = pool("CountA");
    let b = pool("CountB");
    store.create_pool(&a).await.expect("create a");
    store.create_pool(&b).await.expect("create b");
    assert_eq!(store.count_users(&a.id).await.expect("count"), 0);
    let mut subs = Vec::new();
    for i in 0..5 {
        let u = user(&a.id, &format!("user{i}"));
        subs.push(u.sub.clone());
        store.create_user(&u, &[], None).await.expect("create_user");
    }
    store
        .create_user(&user(&b.id, "user0"), &[], None)
        .await
        .expect("create in b");
    assert_eq!(store.count_users(&a.id).await.expect("count a"), 5);
    assert_eq!(store.count_users(&b.id).await.expect("count b"), 1);
    store.delete_user(&a.id, &subs[0]).await.expect("delete");
    assert_eq!(store.count_users(&a.id).await.expect("count a"), 4);
}
