//! Users and their aliases: create, get by each key, update, delete, and
//! `take_aliases` (ForceAliasCreation).

use tessera_core::domain::user::{AliasKind, UserStatus};
use tessera_core::store::{Conflict, UserKey};

use crate::support::*;

pub async fn create_then_get_by_username_sub_and_alias(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Users");
    store.create_pool(&p).await.expect("create_pool");
    let mut u = user_with_email(&p.id, "Alice", "alice@example.com");
    u.username_key = "alice".into();
    u = with_attr(u, "phone_number", "+15555550100");
    u = with_attr(u, "name", "Alice Ünïcode 名前");
    u.aliases.push(phone_alias("+15555550100"));
    u.status = UserStatus::ForceChangePassword;
    u.password_expires = Some(later(7 * 86_400));
    store.create_user(&u, &[], None).await.expect("create_user");

    let expected = normalized(u.clone());
    let by_username = store
        .get_user(&p.id, UserKey::Username("alice"))
        .await
        .expect("by username key");
    assert_eq!(normalized(by_username), expected);
    let by_sub = store
        .get_user(&p.id, UserKey::Sub(&u.sub))
        .await
        .expect("by sub");
    assert_eq!(normalized(by_sub), expected);
    let by_email = store
        .get_user(&p.id, UserKey::Alias(&email_alias("alice@example.com")))
        .await
        .expect("by email alias");
    assert_eq!(normalized(by_email), expected);
    let by_phone = store
        .get_user(&p.id, UserKey::Alias(&phone_alias("+15555550100")))
        .await
        .expect("by phone alias");
    assert_eq!(normalized(by_phone), expected);

    // The lookup is by the key, not by the username as spelled.
    assert_not_found(
        "lookup by the display spelling",
        store.get_user(&p.id, UserKey::Username("Alice")).await,
    );
}

pub async fn get_missing_user_is_not_found_by_every_key(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("NoUser");
    store.create_pool(&p).await.expect("create_pool");
    assert_not_found(
        "by username",
        store.get_user(&p.id, UserKey::Username("ghost")).await,
    );
    assert_not_found(
        "by sub",
        store.get_user(&p.id, UserKey::Sub(&new_sub())).await,
    );
    assert_not_found(
        "by alias",
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("ghost@example.com")))
            .await,
    );
    // An attribute that is not an alias does not resolve as one.
    let u = with_attr(user(&p.id, "carol"), "email", "carol@example.com");
    store.create_user(&u, &[], None).await.expect("create_user");
    assert_not_found(
        "unaliased email",
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("carol@example.com")))
            .await,
    );
    assert_not_found(
        "in a missing pool",
        store
            .get_user(&pool_id("Absent"), UserKey::Username("carol"))
            .await,
    );
}

pub async fn users_and_aliases_are_scoped_to_their_pool(engine: &Engine) {
    let store = engine.open().await;
    let a = pool("ScopeA");
    let b = pool("ScopeB");
    store.create_pool(&a).await.expect("create a");
    store.create_pool(&b).await.expect("create b");
    let ua = user_with_email(&a.id, "dave", "dave@example.com");
    let ub = user_with_email(&b.id, "dave", "dave@example.com");
    store
        .create_user(&ua, &[], None)
        .await
        .expect("create in a");
    store
        .create_user(&ub, &[], None)
        .await
        .expect("the same username and alias in another pool");
    assert_eq!(
        store
            .get_user(&a.id, UserKey::Username("dave"))
            .await
            .expect("a")
            .sub,
        ua.sub
    );
    assert_eq!(
        store
            .get_user(&b.id, UserKey::Alias(&email_alias("dave@example.com")))
            .await
            .expect("b")
            .sub,
        ub.sub
    );
    assert_not_found(
        "a's user through b",
        store.get_user(&b.id, UserKey::Sub(&ua.sub)).await,
    );
    assert_not_found(
        "a's user deleted through b",
        store.delete_user(&b.id, &ua.sub).await,
    );
}

pub async fn create_in_missing_pool_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    assert_not_found(
        "create_user without its pool",
        store
            .create_user(&user(&pool_id("Absent"), "erin"), &[], None)
            .await,
    );
}

pub async fn duplicate_username_conflicts_and_changes_nothing(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DupUser");
    store.create_pool(&p).await.expect("create_pool");
    let first = user_with_email(&p.id, "frank", "frank@example.com");
    store
        .create_user(&first, &[], None)
        .await
        .expect("create_user");

    // Same username key, a different sub and a fresh alias.
    let second = user_with_email(&p.id, "frank", "other@example.com");
    assert_conflict(
        "second create_user",
        store.create_user(&second, &[], None).await,
        Conflict::Username,
    );
    assert_not_found(
        "the refused user's sub",
        store.get_user(&p.id, UserKey::Sub(&second.sub)).await,
    );
    assert_not_found(
        "the refused user's alias",
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("other@example.com")))
            .await,
    );
    assert_eq!(
        normalized(
            store
                .get_user(&p.id, UserKey::Username("frank"))
                .await
                .expect("first")
        ),
        normalized(first)
    );
    assert_eq!(store.count_users(&p.id).await.expect("count"), 1);
}

pub async fn duplicate_alias_conflicts_and_creates_nothing(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DupAlias");
    store.create_pool(&p).await.expect("create_pool");
    let holder = user_with_email(&p.id, "gina", "shared@example.com");
    store
        .create_user(&holder, &[], None)
        .await
        .expect("create_user");

    let taker = user_with_email(&p.id, "hank", "shared@example.com");
    assert_conflict(
        "create with a held alias",
        store.create_user(&taker, &[], None).await,
        Conflict::Alias(email_alias("shared@example.com")),
    );
    assert_not_found(
        "the refused user",
        store.get_user(&p.id, UserKey::Username("hank")).await,
    );
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("shared@example.com")))
            .await
            .expect("alias")
            .sub,
        holder.sub
    );
    assert_eq!(store.count_users(&p.id).await.expect("count"), 1);
    // The refused username is free.
    store
        .create_user(&user(&p.id, "hank"), &[], None)
        .await
        .expect("the username was not taken by the refused create");
}

pub async fn create_taking_an_alias_moves_it(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("TakeCreate");
    store.create_pool(&p).await.expect("create_pool");
    let mut old = user_with_email(&p.id, "ivan", "move@example.com");
    old.aliases.push(phone_alias("+15555550111"));
    old = with_attr(old, "phone_number", "+15555550111");
    store
        .create_user(&old, &[], None)
        .await
        .expect("create old");

    let new = user_with_email(&p.id, "judy", "move@example.com");
    store
        .create_user(&new, &[email_alias("move@example.com")], None)
        .await
        .expect("create taking the alias");

    let resolved = store
        .get_user(&p.id, UserKey::Alias(&email_alias("move@example.com")))
        .await
        .expect("alias resolves");
    assert_eq!(resolved.sub, new.sub, "the alias now signs in the new user");

    let previous = store
        .get_user(&p.id, UserKey::Username("ivan"))
        .await
        .expect("old user still exists");
    assert_eq!(
        previous.aliases,
        vec![phone_alias("+15555550111")],
        "the old user lost only the taken alias"
    );
    assert_eq!(
        previous.attribute("email"),
        Some("move@example.com"),
        "the attribute itself is kept"
    );
    assert_eq!(
        previous.attribute("email_verified"),
        Some("false"),
        "the contact that now signs in someone else is no longer verified for the old holder"
    );
}

pub async fn taking_an_unheld_alias_is_fine(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("TakeFree");
    store.create_pool(&p).await.expect("create_pool");
    let u = user_with_email(&p.id, "kim", "free@example.com");
    store
        .create_user(&u, &[email_alias("free@example.com")], None)
        .await
        .expect("take an alias nobody holds");
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("free@example.com")))
            .await
            .expect("alias")
            .sub,
        u.sub
    );
}

pub async fn update_replaces_the_record_and_aliases(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("UpdUser");
    store.create_pool(&p).await.expect("create_pool");
    let u = user_with_email(&p.id, "leo", "leo@example.com");
    store.create_user(&u, &[], None).await.expect("create_user");

    let mut changed = u.clone();
    changed.status = UserStatus::ResetRequired;
    changed.enabled = false;
    changed.modified = later(30);
    changed.password = Some(vec![1, 2, 3]);
    changed.password_expires = Some(later(86_400));
    changed.attributes.remove("email");
    changed.attributes.remove("email_verified");
    changed
        .attributes
        .insert("phone_number".into(), "+15555550122".into());
    changed
        .attributes
        .insert("custom:team".into(), "blue".into());
    changed.aliases = vec![phone_alias("+15555550122")];
    store.update_user(&changed, &[]).await.expect("update_user");

    let got = store
        .get_user(&p.id, UserKey::Sub(&u.sub))
        .await
        .expect("get");
    assert_eq!(normalized(got), normalized(changed.clone()));
    assert_not_found(
        "the dropped alias",
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("leo@example.com")))
            .await,
    );
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Alias(&phone_alias("+15555550122")))
            .await
            .expect("the new alias")
            .sub,
        u.sub
    );
    // The dropped alias is free for someone else.
    store
        .create_user(&user_with_email(&p.id, "mia", "leo@example.com"), &[], None)
        .await
        .expect("freed alias");

    // A password can be cleared too.
    let mut cleared = changed;
    cleared.password = None;
    cleared.password_expires = None;
    store.update_user(&cleared, &[]).await.expect("update");
    let got = store
        .get_user(&p.id, UserKey::Sub(&u.sub))
        .await
        .expect("get");
    assert_eq!(got.password, None);
    assert_eq!(got.password_expires, None);
}

pub async fn update_to_a_held_alias_conflicts_and_changes_nothing(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("UpdConflict");
    store.create_pool(&p).await.expect("create_pool");
    let holder = user_with_email(&p.id, "nina", "held@example.com");
    let other = user_with_email(&p.id, "omar", "omar@example.com");
    store.create_user(&holder, &[], None).await.expect("create");
    store.create_user(&other, &[], None).await.expect("create");

    let mut changed = other.clone();
    changed
        .attributes
        .insert("email".into(), "held@example.com".into());
    changed.attributes.insert("name".into(), "Omar".into());
    changed.aliases = vec![email_alias("held@example.com")];
    changed.modified = later(5);
    assert_conflict(
        "update to a held alias",
        store.update_user(&changed, &[]).await,
        Conflict::Alias(email_alias("held@example.com")),
    );
    assert_eq!(
        normalized(
            store
                .get_user(&p.id, UserKey::Sub(&other.sub))
                .await
                .expect("get")
        ),
        normalized(other.clone()),
        "a refused update leaves the record as it was"
    );
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("omar@example.com")))
            .await
            .expect("old alias kept")
            .sub,
        other.sub
    );
    assert_eq!(
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("held@example.com")))
            .await
            .expect("holder kept")
            .sub,
        holder.sub
    );
}

pub async fn update_taking_an_alias_moves_it(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("TakeUpdate");
    store.create_pool(&p).await.expect("create_pool");
    let holder = user_with_email(&p.id, "pam", "wanted@example.com");
    let other = user(&p.id, "quinn");
    store.create_user(&holder, &[], None).await.expect("create");
    store.create_user(&other, &[], None).await.expect("create");

    let mut changed = other.clone();
    changed = with_attr(changed, "email", "wanted@example.com");
    changed = with_attr(changed, "email_verified", "true");
    changed.aliases = vec![email_alias("wanted@example.com")];
    store
        .update_user(&changed, &[email_alias("wanted@example.com")])
        .await
        .expect("update taking the alias");

    assert_eq!(
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("wanted@example.com")))
            .await
            .expect("alias")
            .sub,
        other.sub
    );
    let previous = store
        .get_user(&p.id, UserKey::Sub(&holder.sub))
        .await
        .expect("holder");
    assert!(
        previous.aliases.iter().all(|a| a.kind != AliasKind::Email),
        "the previous holder lost the alias: {:?}",
        previous.aliases
    );
    assert_eq!(previous.attribute("email_verified"), Some("false"));
}

pub async fn update_missing_user_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("UpdGhost");
    store.create_pool(&p).await.expect("create_pool");
    let ghost = user_with_email(&p.id, "ghost", "ghost@example.com");
    assert_not_found("update_user", store.update_user(&ghost, &[]).await);
    assert_not_found(
        "no user appeared",
        store.get_user(&p.id, UserKey::Username("ghost")).await,
    );
    assert_not_found(
        "no alias appeared",
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("ghost@example.com")))
            .await,
    );
}

pub async fn delete_frees_username_and_aliases(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DelUser");
    store.create_pool(&p).await.expect("create_pool");
    let u = user_with_email(&p.id, "rita", "rita@example.com");
    store.create_user(&u, &[], None).await.expect("create");
    store.delete_user(&p.id, &u.sub).await.expect("delete_user");
    assert_not_found("by sub", store.get_user(&p.id, UserKey::Sub(&u.sub)).await);
    assert_not_found(
        "by username",
        store.get_user(&p.id, UserKey::Username("rita")).await,
    );
    assert_not_found(
        "by alias",
        store
            .get_user(&p.id, UserKey::Alias(&email_alias("rita@example.com")))
            .await,
    );
    let again = user_with_email(&p.id, "rita", "rita@example.com");
    store
        .create_user(&again, &[], None)
        .await
        .expect("username and alias are free again");
}

pub async fn delete_missing_user_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("DelGhost");
    store.create_pool(&p).await.expect("create_pool");
    assert_not_found("delete_user", store.delete_user(&p.id, &new_sub()).await);
    let u = user(&p.id, "sam");
    store.create_user(&u, &[], None).await.expect("create");
    store
        .delete_user(&p.id, &u.sub)
        .await
        .expect("first delete");
    assert_not_found("second delete", store.delete_user(&p.id, &u.sub).await);
}
