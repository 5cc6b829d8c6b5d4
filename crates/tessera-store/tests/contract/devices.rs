//! Confirmed devices: created once per key, scoped to their owner, listed
//! oldest first page by page, updated in their mutable parts only, and gone
//! with their owner.

use tessera_core::clock::Timestamp;
use tessera_core::domain::device::Device;
use tessera_core::store::Conflict;

use crate::support::*;

fn device(pool: &tessera_core::ids::UserPoolId, sub: &str, n: u32) -> Device {
    Device {
        pool_id: pool.clone(),
        sub: sub.to_owned(),
        key: format!("us-east-1_00000000-0000-4000-8000-{n:012}"),
        name: Some(format!("Browser ünï {n}")),
        verifier: vec![0, 1, 2, 255, n as u8],
        remembered: n.is_multiple_of(2),
        created: later(i64::from(n)),
        modified: later(i64::from(n)),
        last_authenticated: None,
        pending_challenge: None,
    }
}

pub async fn create_then_get_round_trips_and_a_taken_key_conflicts(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Devices");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "alice");
    let other = user(&p.id, "bob");
    store.create_user(&u, &[], None).await.expect("create_user");
    store
        .create_user(&other, &[], None)
        .await
        .expect("create_user");
    let mut d = device(&p.id, &u.sub, 1);
    d.last_authenticated = Some(later(5));
    d.pending_challenge = Some("sealed".into());
    store.create_device(&d).await.expect("create_device");
    assert_eq!(
        store
            .get_device(&p.id, &u.sub, &d.key)
            .await
            .expect("get_device"),
        d
    );
    assert_conflict(
        "the same key again",
        store.create_device(&d).await,
        Conflict::DeviceKey,
    );
    let mut stolen = d.clone();
    stolen.sub = other.sub.clone();
    assert_conflict(
        "the key for another user",
        store.create_device(&stolen).await,
        Conflict::DeviceKey,
    );
    assert_not_found(
        "another user's device",
        store.get_device(&p.id, &other.sub, &d.key).await,
    );
    assert_not_found(
        "an unknown key",
        store.get_device(&p.id, &u.sub, "us-east-1_unknown").await,
    );
    assert_not_found(
        "a device of a missing user",
        store.create_device(&device(&p.id, &new_sub(), 2)).await,
    );
}

pub async fn list_pages_through_the_users_devices_oldest_first(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DeviceList");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "carol");
    let other = user(&p.id, "dave");
    store.create_user(&u, &[], None).await.expect("create_user");
    store
        .create_user(&other, &[], None)
        .await
        .expect("create_user");
    let mut keys = Vec::new();
    for n in 0..7 {
        let d = device(&p.id, &u.sub, n);
        store.create_device(&d).await.expect("create_device");
        keys.push(d.key);
    }
    store
        .create_device(&device(&p.id, &other.sub, 100))
        .await
        .expect("create_device");
    for limit in [1, 3, 7, 60] {
        let got = collect_pages(limit, |page| {
            let store = store.clone();
            let (pool, sub) = (p.id.clone(), u.sub.clone());
            async move { store.list_devices(&pool, &sub, &page).await }
        })
        .await;
        let got: Vec<String> = got.into_iter().map(|d| d.key).collect();
        assert_eq!(got, keys, "limit {limit}: the user's devices, oldest first");
    }
    assert_not_found(
        "the devices of a missing user",
        store.list_devices(&p.id, &new_sub(), &page(None, 10)).await,
    );
}

pub async fn update_changes_status_dates_and_challenge_but_not_the_verifier(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DeviceUpdate");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "erin");
    store.create_user(&u, &[], None).await.expect("create_user");
    let d = device(&p.id, &u.sub, 1);
    store.create_device(&d).await.expect("create_device");
    let mut changed = d.clone();
    changed.remembered = !d.remembered;
    changed.name = None;
    changed.modified = later(50);
    changed.last_authenticated = Some(Timestamp(later(60).0 + 1));
    changed.pending_challenge = Some("sealed session".into());
    changed.verifier = vec![7; 3];
    store.update_device(&changed).await.expect("update_device");
    let read = store
        .get_device(&p.id, &u.sub, &d.key)
        .await
        .expect("get_device");
    assert_eq!(
        read,
        Device {
            verifier: d.verifier.clone(),
            ..changed.clone()
        },
        "everything but the verifier changed"
    );
    changed.pending_challenge = None;
    store.update_device(&changed).await.expect("update_device");
    assert_eq!(
        store
            .get_device(&p.id, &u.sub, &d.key)
            .await
            .expect("get_device")
            .pending_challenge,
        None
    );
    let mut missing = d.clone();
    missing.key = "us-east-1_missing".into();
    assert_not_found(
        "update of a missing device",
        store.update_device(&missing).await,
    );
}

pub async fn delete_removes_the_device_and_deleting_the_user_removes_all(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DeviceDelete");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "frank");
    store.create_user(&u, &[], None).await.expect("create_user");
    let (d1, d2) = (device(&p.id, &u.sub, 1), device(&p.id, &u.sub, 2));
    store.create_device(&d1).await.expect("create_device");
    store.create_device(&d2).await.expect("create_device");
    store
        .delete_device(&p.id, &u.sub, &d1.key)
        .await
        .expect("delete_device");
    assert_not_found(
        "a deleted device",
        store.get_device(&p.id, &u.sub, &d1.key).await,
    );
    assert_not_found(
        "deleting it again",
        store.delete_device(&p.id, &u.sub, &d1.key).await,
    );
    store.delete_user(&p.id, &u.sub).await.expect("delete_user");
    // The key is free again: no row of the deleted user's remains.
    let again = user(&p.id, "frank");
    store
        .create_user(&again, &[], None)
        .await
        .expect("create_user");
    store
        .create_device(&device(&p.id, &again.sub, 2))
        .await
        .expect("the deleted user's device key is free");
}
