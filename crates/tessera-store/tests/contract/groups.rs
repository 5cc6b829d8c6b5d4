//! Groups and memberships.

use tessera_core::ids::GroupName;
use tessera_core::store::{Conflict, UserKey};

use crate::support::*;

pub async fn create_then_get_returns_the_same_record(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Groups");
    store.create_pool(&p).await.expect("create_pool");
    let g = group(&p.id, "admins");
    store.create_group(&g).await.expect("create_group");
    assert_eq!(store.get_group(&p.id, &g.name).await.expect("get_group"), g);

    let mut bare = group(&p.id, "bare ünïcode");
    bare.description = None;
    bare.precedence = None;
    bare.role_arn = None;
    store.create_group(&bare).await.expect("create_group");
    assert_eq!(store.get_group(&p.id, &bare.name).await.expect("get"), bare);
}

pub async fn get_missing_group_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("NoGroup");
    store.create_pool(&p).await.expect("create_pool");
    assert_not_found(
        "get_group",
        store.get_group(&p.id, &GroupName::new("nobody")).await,
    );
    assert_not_found(
        "create_group in a missing pool",
        store.create_group(&group(&pool_id("Absent"), "x")).await,
    );
}

pub async fn duplicate_group_name_conflicts(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DupGroup");
    store.create_pool(&p).await.expect("create_pool");
    let g = group(&p.id, "ops");
    store.create_group(&g).await.expect("create_group");
    let mut again = g.clone();
    again.description = Some("second".into());
    assert_conflict(
        "second create_group",
        store.create_group(&again).await,
        Conflict::GroupName,
    );
    assert_eq!(store.get_group(&p.id, &g.name).await.expect("get"), g);
}

pub async fn same_group_name_in_another_pool_is_fine(engine: &Engine) {
    let store = engine.open().await;
    let a = pool("GroupA");
    let b = pool("GroupB");
    store.create_pool(&a).await.expect("create a");
    store.create_pool(&b).await.expect("create b");
    let ga = group(&a.id, "ops");
    let mut gb = group(&b.id, "ops");
    gb.precedence = Some(99);
    store.create_group(&ga).await.expect("create in a");
    store.create_group(&gb).await.expect("create in b");
    assert_eq!(store.get_group(&a.id, &ga.name).await.expect("a"), ga);
    assert_eq!(store.get_group(&b.id, &gb.name).await.expect("b"), gb);
}

pub async fn update_replaces_description_precedence_and_role(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("UpdGroup");
    store.create_pool(&p).await.expect("create_pool");
    let g = group(&p.id, "devs");
    store.create_group(&g).await.expect("create_group");

    let mut changed = g.clone();
    changed.description = Some("changed".into());
    changed.precedence = Some(0);
    changed.role_arn = None;
    changed.modified = later(10);
    store.update_group(&changed).await.expect("update_group");
    assert_eq!(store.get_group(&p.id, &g.name).await.expect("get"), changed);

    let mut cleared = changed.clone();
    cleared.description = None;
    cleared.precedence = None;
    store.update_group(&cleared).await.expect("update_group");
    assert_eq!(store.get_group(&p.id, &g.name).await.expect("get"), cleared);
}

pub async fn update_missing_group_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("UpdNoGroup");
    store.create_pool(&p).await.expect("create_pool");
    assert_not_found(
        "update_group",
        store.update_group(&group(&p.id, "ghosts")).await,
    );
    assert_not_found(
        "no group appeared",
        store.get_group(&p.id, &GroupName::new("ghosts")).await,
    );
}

pub async fn delete_removes_the_group_and_its_memberships(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DelGroup");
    store.create_pool(&p).await.expect("create_pool");
    let doomed = group(&p.id, "doomed");
    let kept = group(&p.id, "kept");
    store.create_group(&doomed).await.expect("create");
    store.create_group(&kept).await.expect("create");
    let u = user(&p.id, "vic");
    store.create_user(&u, &[], None).await.expect("create_user");
    for g in [&doomed, &kept] {
        store
            .add_user_to_group(&p.id, &u.sub, &g.name)
            .await
            .expect("add");
    }

    store
        .delete_group(&p.id, &doomed.name)
        .await
        .expect("delete_group");

    assert_not_found("deleted group", store.get_group(&p.id, &doomed.name).await);
    let groups = store
        .list_groups_for_user(&p.id, &u.sub, &page(None, 10))
        .await
        .expect("groups for user");
    assert_eq!(
        groups
            .items
            .iter()
            .map(|g| g.name.clone())
            .collect::<Vec<_>>(),
        vec![kept.name.clone()]
    );
    // The user itself is untouched.
    store
        .get_user(&p.id, UserKey::Sub(&u.sub))
        .await
        .expect("user survives its group");
    // A group created again under the name starts without members.
    store.create_group(&doomed).await.expect("re-create");
    let members = store
        .list_users_in_group(&p.id, &doomed.name, &page(None, 10))
        .await
        .expect("members");
    assert!(
        members.items.is_empty(),
        "memberships survived delete_group"
    );
}

pub async fn delete_missing_group_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DelNoGroup");
    store.create_pool(&p).await.expect("create_pool");
    assert_not_found(
        "delete_group",
        store.delete_group(&p.id, &GroupName::new("none")).await,
    );
}

pub async fn list_pages_through_the_pools_groups_once(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("ListGroups");
    let other = pool("ListGroupsOther");
    store.create_pool(&p).await.expect("create_pool");
    store.create_pool(&other).await.expect("create_pool");
    let mut expected = Vec::new();
    for i in 0..12 {
        let g = group(&p.id, &format!("group-{i:02}"));
        store.create_group(&g).await.expect("create_group");
        expected.push(g.name);
        if i % 3 == 0 {
            store
                .create_group(&group(&other.id, &format!("group-{i:02}")))
                .await
                .expect("create in other");
        }
    }
    for limit in [1, 5, 12] {
        let got = collect_pages(limit, |pg| {
            let store = store.clone();
            let id = p.id.clone();
            async move { store.list_groups(&id, &pg).await }
        })
        .await;
        assert!(got.iter().all(|g| g.pool_id == p.id));
        assert_same_set(
            &format!("list_groups, limit {limit}"),
            got.into_iter().map(|g| g.name).collect(),
            expected.clone(),
        );
    }
}

pub async fn adding_a_member_twice_is_idempotent(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Idem");
    store.create_pool(&p).await.expect("create_pool");
    let g = group(&p.id, "team");
    store.create_group(&g).await.expect("create_group");
    let u = user(&p.id, "wes");
    store.create_user(&u, &[], None).await.expect("create_user");
    store
        .add_user_to_group(&p.id, &u.sub, &g.name)
        .await
        .expect("first add");
    store
        .add_user_to_group(&p.id, &u.sub, &g.name)
        .await
        .expect("second add is not an error");
    let members = store
        .list_users_in_group(&p.id, &g.name, &page(None, 10))
        .await
        .expect("members");
    assert_eq!(
        members
            .items
            .iter()
            .map(|u| u.sub.clone())
            .collect::<Vec<_>>(),
        vec![u.sub.clone()]
    );
    let groups = store
        .list_groups_for_user(&p.id, &u.sub, &page(None, 10))
        .await
        .expect("groups");
    assert_eq!(groups.items.len(), 1);
}

pub async fn adding_a_missing_user_or_to_a_missing_group_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("AddMissing");
    store.create_pool(&p).await.expect("create_pool");
    let g = group(&p.id, "real");
    store.create_group(&g).await.expect("create_group");
    let u = user(&p.id, "xena");
    store.create_user(&u, &[], None).await.expect("create_user");
    assert_not_found(
        "missing user",
        store.add_user_to_group(&p.id, &new_sub(), &g.name).await,
    );
    assert_not_found(
        "missing group",
        store
            .add_user_to_group(&p.id, &u.sub, &GroupName::new("imaginary"))
            .await,
    );
    let other = pool("AddOther");
    store.create_pool(&other).await.expect("create_pool");
    let og = group(&other.id, "real");
    store.create_group(&og).await.expect("create_group");
    assert_not_found(
        "a user of another pool",
        store.add_user_to_group(&other.id, &u.sub, &og.name).await,
    );
    assert!(
        store
            .list_groups_for_user(&p.id, &u.sub, &page(None, 10))
            .await
            .expect("groups")
            .items
            .is_empty()
    );
}

pub async fn remove_takes_the_user_out(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Remove");
    store.create_pool(&p).await.expect("create_pool");
    let g = group(&p.id, "club");
    store.create_group(&g).await.expect("create_group");
    let stays = user(&p.id, "yuri");
    let leaves = user(&p.id, "zoe");
    for u in [&stays, &leaves] {
        store.create_user(u, &[], None).await.expect("create_user");
        store
            .add_user_to_group(&p.id, &u.sub, &g.name)
            .await
            .expect("add");
    }
    store
        .remove_user_from_group(&p.id, &leaves.sub, &g.name)
        .await
        .expect("remove");
    let members = store
        .list_users_in_group(&p.id, &g.name, &page(None, 10))
        .await
        .expect("members");
    assert_eq!(
        members
            .items
            .iter()
            .map(|u| u.sub.clone())
            .collect::<Vec<_>>(),
        vec![stays.sub.clone()]
    );
    assert!(
        store
            .list_groups_for_user(&p.id, &leaves.sub, &page(None, 10))
            .await
            .expect("groups")
            .items
            .is_empty()
    );
    // The user and the group both remain.
    store
        .get_user(&p.id, UserKey::Sub(&leaves.sub))
        .await
        .expect("user");
    store.get_group(&p.id, &g.name).await.expect("group");
}

pub async fn deleting_a_user_removes_its_memberships(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("UserGone");
    store.create_pool(&p).await.expect("create_pool");
    let g = group(&p.id, "club");
    store.create_group(&g).await.expect("create_group");
    let u = user(&p.id, "amy");
    store.create_user(&u, &[], None).await.expect("create_user");
    store
        .add_user_to_group(&p.id, &u.sub, &g.name)
        .await
        .expect("add");
    store.delete_user(&p.id, &u.sub).await.expect("delete_user");
    let members = store
        .list_users_in_group(&p.id, &g.name, &page(None, 10))
        .await
        .expect("members");
    assert!(members.items.is_empty(), "a deleted user is still a member");
    // The same username again is a new user, not a member.
    let again = user(&p.id, "amy");
    store
        .create_user(&again, &[], None)
        .await
        .expect("re-create");
    assert!(
        store
            .list_groups_for_user(&p.id, &again.sub, &page(None, 10))
            .await
            .expect("groups")
            .items
            .is_empty()
    );
}

pub async fn list_groups_for_user_pages_without_duplicates(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("UserGroups");
    store.create_pool(&p).await.expect("create_pool");
    let u = user(&p.id, "ben");
    let other = user(&p.id, "cat");
    store.create_user(&u, &[], None).await.expect("create");
    store.create_user(&other, &[], None).await.expect("create");
    let mut expected = Vec::new();
    for i in 0..11 {
        let g = group(&p.id, &format!("g{i:02}"));
        store.create_group(&g).await.expect("create_group");
        if i % 4 != 3 {
            store
                .add_user_to_group(&p.id, &u.sub, &g.name)
                .await
                .expect("add");
            expected.push(g.name.clone());
        }
        if i % 2 == 0 {
            store
                .add_user_to_group(&p.id, &other.sub, &g.name)
                .await
                .expect("add other");
        }
    }
    for limit in [1, 3, 8] {
        let got = collect_pages(limit, |pg| {
            let store = store.clone();
            let (id, sub) = (p.id.clone(), u.sub.clone());
            async move { store.list_groups_for_user(&id, &sub, &pg).await }
        })
        .await;
        for g in &got {
            assert_eq!(
                g,
                &store.get_group(&p.id, &g.name).await.expect("get"),
                "listed groups are whole records"
            );
        }
        assert_same_set(
            &format!("list_groups_for_user, limit {limit}"),
            got.into_iter().map(|g| g.name).collect(),
            expected.clone(),
        );
    }
}

pub async fn list_users_in_group_pages_without_duplicates(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("GroupUsers");
    store.create_pool(&p).await.expect("create_pool");
    let g = group(&p.id, "big");
    let small = group(&p.id, "small");
    store.create_group(&g).await.expect("create_group");
    store.create_group(&small).await.expect("create_group");
    let mut expected = Vec::new();
    for i in 0..17 {
        let u = user_with_email(&p.id, &format!("m{i:02}"), &format!("m{i}@example.com"));
        store.create_user(&u, &[], None).await.expect("create_user");
        if i % 5 != 2 {
            store
                .add_user_to_group(&p.id, &u.sub, &g.name)
                .await
                .expect("add");
            expected.push(u.sub.clone());
        }
        if i % 3 == 0 {
            store
                .add_user_to_group(&p.id, &u.sub, &small.name)
                .await
                .expect("add small");
        }
    }
    for limit in [1, 4, 13, 60] {
        let got = collect_pages(limit, |pg| {
            let store = store.clone();
            let (id, name) = (p.id.clone(), g.name.clone());
            async move { store.list_users_in_group(&id, &name, &pg).await }
        })
        .await;
        assert!(
            got.iter()
                .all(|u| u.aliases.len() == 1 && u.pool_id == p.id),
            "listed members are whole records"
        );
        assert_same_set(
            &format!("list_users_in_group, limit {limit}"),
            got.into_iter().map(|u| u.sub).collect(),
            expected.clone(),
        );
    }
}
