//! Acknowledged writes are on disk: a store opened again over the same
//! database reads back everything, identical.

use tessera_core::store::UserKey;

use crate::support::*;

pub async fn data_survives_dropping_and_reopening_the_store(engine: &Engine) {
    let p = pool("Durable");
    let c = client(&p.id, client_id(1));
    let g = group(&p.id, "admins");
    let mut u = user_with_email(&p.id, "Durable", "durable@example.com");
    u.username_key = "durable".into();
    u = with_attr(u, "name", "Dürable 持久");
    let plain = user(&p.id, "plain");
    {
        let store = engine.open().await;
        assert_eq!(
            store.init_meta("kek-check", b"check").await.expect("meta"),
            b"check"
        );
        store.create_pool(&p).await.expect("create_pool");
        store.create_client(&c).await.expect("create_client");
        store.create_group(&g).await.expect("create_group");
        store.create_user(&u, &[], None).await.expect("create_user");
        store
            .create_user(&plain, &[], None)
            .await
            .expect("create_user");
        store
            .add_user_to_group(&p.id, &u.sub, &g.name)
            .await
            .expect("add");
        // The last write before the store goes away.
        let mut renamed = g.clone();
        renamed.description = Some("written last".into());
        store.update_group(&renamed).await.expect("update_group");
        drop(store);
    }

    let store = engine.open().await;
    assert_eq!(
        store.get_meta("kek-check").await.expect("meta"),
        Some(b"check".to_vec())
    );
    assert_eq!(store.get_pool(&p.id).await.expect("pool"), p);
    assert_eq!(store.get_client(&p.id, &c.id).await.expect("client"), c);
    let mut expected_group = g.clone();
    expected_group.description = Some("written last".into());
    assert_eq!(
        store.get_group(&p.id, &g.name).await.expect("group"),
        expected_group
    );
    assert_eq!(
        normalized(
            store
                .get_user(&p.id, UserKey::Alias(&email_alias("durable@example.com")))
                .await
                .expect("user by alias")
        ),
        normalized(u.clone())
    );
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Username("plain"))
            .await
            .expect("plain user"),
        plain
    );
    let members = store
        .list_users_in_group(&p.id, &g.name, &page(None, 10))
        .await
        .expect("members");
    assert_eq!(
        members
            .items
            .iter()
            .map(|m| m.sub.clone())
            .collect::<Vec<_>>(),
        vec![u.sub.clone()]
    );
    assert_eq!(store.count_users(&p.id).await.expect("count"), 2);
    // Uniqueness is still held after reopening.
    assert!(
        store
            .create_user(&user(&p.id, "durable"), &[], None)
            .await
            .is_err()
    );
}
