//! Identity pools: the pool records, their identities and the logins that
//! find an identity again (each login held by one identity of its pool), and
//! the identity service's install-wide signing keys.

use std::collections::BTreeMap;
use std::sync::Arc;

use tessera_core::clock::Timestamp;
use tessera_core::domain::identity_pool::{
    AmbiguousRoleResolution, CognitoProvider, Identity, IdentityLogin, IdentityPool, MappingRule,
    MatchType, PrincipalTagMap, RoleMapping, RoleMappingType,
};
use tessera_core::domain::signing_key::{KeyPurpose, SigningKeyRecord};
use tessera_core::ids::{IdentityId, IdentityPoolId, UserPoolId};
use tessera_core::store::{Conflict, IDENTITY_KEYS, Store, StoreError};

use crate::support::*;

fn identity_pool_id(suffix: &str) -> IdentityPoolId {
    IdentityPoolId::new(format!("us-east-1:00000000-0000-4000-9000-{suffix:0>12}"))
}

/// A pool with every part of its record set, so a round trip checks them all.
fn identity_pool(suffix: &str) -> IdentityPool {
    let provider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123";
    IdentityPool {
        id: identity_pool_id(suffix),
        name: format!("identities {suffix} — ünïcode"),
        created: T0,
        allow_unauthenticated: true,
        allow_classic_flow: false,
        supported_login_providers: BTreeMap::from([(
            "accounts.google.com".to_owned(),
            "123.apps.googleusercontent.com".to_owned(),
        )]),
        developer_provider_name: Some("login.example".into()),
        open_id_connect_provider_arns: vec![
            "arn:aws:iam::000000000000:oidc-provider/issuer.example".into(),
        ],
        cognito_identity_providers: vec![CognitoProvider {
            provider_name: provider.into(),
            client_id: "a".repeat(26),
            server_side_token_check: true,
        }],
        saml_provider_arns: Vec::new(),
        tags: BTreeMap::from([("team".to_owned(), "identity".to_owned())]),
        roles: BTreeMap::from([
            (
                "authenticated".to_owned(),
                "arn:aws:iam::000000000000:role/auth".to_owned(),
            ),
            (
                "unauthenticated".to_owned(),
                "arn:aws:iam::000000000000:role/unauth".to_owned(),
            ),
        ]),
        role_mappings: BTreeMap::from([(
            provider.to_owned(),
            RoleMapping {
                kind: RoleMappingType::Rules,
                ambiguous: Some(AmbiguousRoleResolution::Deny),
                rules: vec![MappingRule {
                    claim: "custom:dept".into(),
                    match_type: MatchType::StartsWith,
                    value: "eng".into(),
                    role_arn: "arn:aws:iam::000000000000:role/eng".into(),
                }],
            },
        )]),
        principal_tags: BTreeMap::from([(
            provider.to_owned(),
            PrincipalTagMap {
                use_defaults: false,
                tags: BTreeMap::from([("dept".to_owned(), "custom:dept".to_owned())]),
            },
        )]),
        version: 0,
    }
}

fn login(provider: &str, subject: &str) -> IdentityLogin {
    IdentityLogin {
        provider: provider.to_owned(),
        subject: subject.to_owned(),
    }
}

/// The `n`th identity of the pool with `logins`, created `n` seconds after
/// `T0`; its id ends with the pool's suffix, so ids differ across pools.
fn identity(pool: &IdentityPoolId, n: u32, logins: &[IdentityLogin]) -> Identity {
    let mut logins = logins.to_vec();
    logins.sort();
    let pool_suffix = &pool.as_str()[pool.as_str().len() - 8..];
    Identity {
        pool_id: pool.clone(),
        id: IdentityId::new(format!(
            "us-east-1:10000000-0000-4000-8000-{pool_suffix}{n:04}"
        )),
        created: later(i64::from(n)),
        modified: later(i64::from(n)),
        logins,
    }
}

async fn new_pool(store: &Arc<dyn Store>, suffix: &str) -> IdentityPool {
    let p = identity_pool(suffix);
    store
        .create_identity_pool(&p)
        .await
        .expect("create_identity_pool");
    p
}

async fn new_identity(
    store: &Arc<dyn Store>,
    pool: &IdentityPoolId,
    n: u32,
    logins: &[IdentityLogin],
) -> Identity {
    let i = identity(pool, n, logins);
    store.create_identity(&i).await.expect("create_identity");
    i
}

pub async fn create_then_get_returns_the_same_record(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "1").await;
    assert_eq!(store.get_identity_pool(&p.id).await.expect("get"), p);

    let mut bare = identity_pool("2");
    bare.supported_login_providers.clear();
    bare.developer_provider_name = None;
    bare.cognito_identity_providers.clear();
    bare.role_mappings.clear();
    bare.principal_tags.clear();
    bare.roles.clear();
    bare.tags.clear();
    store.create_identity_pool(&bare).await.expect("create");
    assert_eq!(store.get_identity_pool(&bare.id).await.expect("get"), bare);
}

pub async fn missing_or_duplicate_pools(engine: &Engine) {
    let store = engine.open().await;
    let absent = identity_pool_id("404");
    assert_not_found("get_identity_pool", store.get_identity_pool(&absent).await);
    assert_not_found(
        "update_identity_pool",
        store.update_identity_pool(&identity_pool("404")).await,
    );
    assert_not_found("no pool appeared", store.get_identity_pool(&absent).await);
    assert_not_found(
        "delete_identity_pool",
        store.delete_identity_pool(&absent).await,
    );

    let p = new_pool(&store, "3").await;
    let mut again = identity_pool("3");
    again.name = "another name".into();
    assert_conflict(
        "second create_identity_pool",
        store.create_identity_pool(&again).await,
        Conflict::PoolId,
    );
    assert_eq!(
        store.get_identity_pool(&p.id).await.expect("get"),
        p,
        "the refused create changed nothing"
    );
}

pub async fn update_replaces_the_record_but_not_its_id_or_creation_date(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "4").await;
    let mut changed = p.clone();
    changed.name = "renamed".into();
    changed.allow_unauthenticated = false;
    changed.allow_classic_flow = true;
    changed.roles.remove("unauthenticated");
    changed.role_mappings.clear();
    changed
        .saml_provider_arns
        .push("arn:aws:iam::000000000000:saml-provider/corp".into());
    changed.tags.insert("env".into(), "test".into());
    store
        .update_identity_pool(&changed)
        .await
        .expect("update_identity_pool");
    changed.version = 1;
    assert_eq!(store.get_identity_pool(&p.id).await.expect("get"), changed);

    let mut redated = changed.clone();
    redated.created = later(999);
    store
        .update_identity_pool(&redated)
        .await
        .expect("update_identity_pool");
    assert_eq!(
        store.get_identity_pool(&p.id).await.expect("get").created,
        T0,
        "the creation date never changes"
    );
}

pub async fn a_stale_update_conflicts_and_the_first_update_stays(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "21").await;
    let mut first = store.get_identity_pool(&p.id).await.expect("first read");
    let mut second = store.get_identity_pool(&p.id).await.expect("second read");
    first.name = "first".into();
    second.name = "second".into();
    second.tags.clear();
    store
        .update_identity_pool(&first)
        .await
        .expect("the first update");
    assert_conflict(
        "an update of what another update replaced",
        store.update_identity_pool(&second).await,
        Conflict::Changed,
    );
    first.version = 1;
    assert_eq!(
        store.get_identity_pool(&p.id).await.expect("get"),
        first,
        "the refused update changed nothing"
    );
    second.version = u64::MAX;
    assert_conflict(
        "an update at a version never stored",
        store.update_identity_pool(&second).await,
        Conflict::Changed,
    );
    assert_eq!(store.get_identity_pool(&p.id).await.expect("get"), first);
}

pub async fn the_version_counts_up_and_reads_return_it(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "22").await;
    let other = new_pool(&store, "23").await;
    for n in 1..=3u64 {
        let mut pool = store.get_identity_pool(&p.id).await.expect("get");
        assert_eq!(pool.version, n - 1);
        pool.tags.insert(format!("update-{n}"), String::new());
        store.update_identity_pool(&pool).await.expect("update");
        pool.version = n;
        assert_eq!(store.get_identity_pool(&p.id).await.expect("get"), pool);
        assert_eq!(
            store
                .list_identity_pools(&page(None, 10))
                .await
                .expect("list")
                .items,
            vec![pool, other.clone()],
            "the listing has each pool's version"
        );
    }
    let mut ahead = store.get_identity_pool(&p.id).await.expect("get");
    ahead.version += 1;
    assert_conflict(
        "an update at a version not reached yet",
        store.update_identity_pool(&ahead).await,
        Conflict::Changed,
    );
    assert_eq!(
        store
            .get_identity_pool(&other.id)
            .await
            .expect("get")
            .version,
        0,
        "another pool's updates leave its version alone"
    );
}

pub async fn create_stores_version_zero_whatever_the_record_says(engine: &Engine) {
    let store = engine.open().await;
    let mut p = identity_pool("24");
    p.version = 7;
    store.create_identity_pool(&p).await.expect("create");
    p.version = 0;
    assert_eq!(store.get_identity_pool(&p.id).await.expect("get"), p);
    assert_eq!(
        store
            .list_identity_pools(&page(None, 10))
            .await
            .expect("list")
            .items,
        vec![p.clone()]
    );
    p.version = 7;
    assert_conflict(
        "an update at the version create was given",
        store.update_identity_pool(&p).await,
        Conflict::Changed,
    );
    p.version = 0;
    store
        .update_identity_pool(&p)
        .await
        .expect("an update at version 0");
}

pub async fn updating_a_deleted_pool_is_not_found(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "25").await;
    let read = store.get_identity_pool(&p.id).await.expect("get");
    store.delete_identity_pool(&p.id).await.expect("delete");
    assert_not_found(
        "an update of a deleted pool",
        store.update_identity_pool(&read).await,
    );
    assert_not_found(
        "the update brought nothing back",
        store.get_identity_pool(&p.id).await,
    );
}

/// Read-modify-write loops on one pool, as the identity service runs them:
/// each change takes effect once, whatever they interleave with.
pub async fn concurrent_updates_of_one_pool_all_take_effect(engine: &Engine) {
    let store = engine.open().await;
    let mut p = identity_pool("26");
    p.tags.clear();
    store.create_identity_pool(&p).await.expect("create");
    let writers = 12;
    let barrier = Arc::new(tokio::sync::Barrier::new(writers));
    let mut tasks = Vec::new();
    for n in 0..writers {
        let (store, barrier, id) = (store.clone(), barrier.clone(), p.id.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            loop {
                let mut pool = store.get_identity_pool(&id).await.expect("get");
                pool.tags.insert(format!("writer-{n}"), String::new());
                match store.update_identity_pool(&pool).await {
                    Ok(()) => break,
                    Err(StoreError::Conflict(Conflict::Changed)) => continue,
                    Err(other) => panic!("a concurrent update: {other:?}"),
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let stored = store.get_identity_pool(&p.id).await.expect("get");
    assert_eq!(
        stored.tags.keys().cloned().collect::<Vec<_>>(),
        {
            let mut all: Vec<_> = (0..writers).map(|n| format!("writer-{n}")).collect();
            all.sort();
            all
        },
        "every writer's change is stored"
    );
    assert_eq!(stored.version, writers as u64, "one version per update");
}

pub async fn list_pages_through_the_pools_oldest_first(engine: &Engine) {
    let store = engine.open().await;
    let listing = store
        .list_identity_pools(&page(None, 10))
        .await
        .expect("list");
    assert!(listing.items.is_empty() && listing.next.is_none());
    let mut expected = Vec::new();
    // Ids sorting against the order the pools are created in.
    for i in (0..7).rev() {
        let mut p = identity_pool(&format!("{i}0"));
        p.created = later(i64::from(7 - i));
        store.create_identity_pool(&p).await.expect("create");
        expected.push(p);
    }
    for limit in [1, 3, 7, 60] {
        let got = collect_pages(limit, |pg| {
            let store = store.clone();
            async move { store.list_identity_pools(&pg).await }
        })
        .await;
        assert_eq!(got, expected, "limit {limit}: every pool, oldest first");
    }
    let exact = store
        .list_identity_pools(&page(None, 7))
        .await
        .expect("list");
    assert_eq!(exact.items.len(), 7);
    assert!(
        exact.next.is_none(),
        "a page that holds the last item exactly has no next"
    );
}

pub async fn delete_removes_the_pool_with_its_identities_and_logins(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "5").await;
    let other = new_pool(&store, "6").await;
    let google = login("accounts.google.com", "g-1");
    let doomed = new_identity(&store, &p.id, 1, std::slice::from_ref(&google)).await;
    let unauthenticated = new_identity(&store, &p.id, 2, &[]).await;
    let kept = new_identity(&store, &other.id, 1, std::slice::from_ref(&google)).await;

    store
        .delete_identity_pool(&p.id)
        .await
        .expect("delete_identity_pool");
    assert_not_found("get after delete", store.get_identity_pool(&p.id).await);
    for i in [&doomed, &unauthenticated] {
        assert_not_found("an identity of the pool", store.get_identity(&i.id).await);
    }
    assert_not_found(
        "a login of the pool",
        store.find_identity_by_login(&p.id, &google).await,
    );
    assert_not_found(
        "the identities of a deleted pool",
        store.list_identities(&p.id, &page(None, 10)).await,
    );
    assert_eq!(
        store
            .list_identity_pools(&page(None, 10))
            .await
            .expect("list")
            .items,
        vec![other.clone()]
    );
    assert_eq!(store.get_identity(&kept.id).await.expect("kept"), kept);

    // A pool created again with the same id starts empty, its logins free.
    store.create_identity_pool(&p).await.expect("re-create");
    assert!(
        store
            .list_identities(&p.id, &page(None, 10))
            .await
            .expect("list")
            .items
            .is_empty(),
        "identities survived delete_identity_pool"
    );
    new_identity(&store, &p.id, 3, std::slice::from_ref(&google)).await;
}

pub async fn create_identity_with_logins_then_get_and_find_by_each(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "7").await;
    let logins = [
        login("graph.facebook.com", "fb-1"),
        login("accounts.google.com", "g-1"),
        login("accounts.google.com", "G-0 ünï"),
    ];
    // Handed over unsorted: logins come back by provider, then subject.
    let mut i = identity(&p.id, 1, &[]);
    i.logins = logins.to_vec();
    store.create_identity(&i).await.expect("create_identity");
    i.logins.sort();
    assert_eq!(store.get_identity(&i.id).await.expect("get_identity"), i);
    for l in &logins {
        assert_eq!(
            store
                .find_identity_by_login(&p.id, l)
                .await
                .expect("find_identity_by_login"),
            i,
            "found by {l:?}"
        );
    }

    let unauthenticated = new_identity(&store, &p.id, 2, &[]).await;
    assert_eq!(
        store.get_identity(&unauthenticated.id).await.expect("get"),
        unauthenticated
    );

    // The same login in another pool is another identity's.
    let other = new_pool(&store, "8").await;
    let elsewhere = new_identity(&store, &other.id, 1, &logins[..1]).await;
    assert_eq!(
        store
            .find_identity_by_login(&other.id, &logins[0])
            .await
            .expect("find in the other pool"),
        elsewhere
    );

    assert_not_found(
        "get a missing identity",
        store.get_identity(&identity(&p.id, 99, &[]).id).await,
    );
    assert_not_found(
        "find by an unknown login",
        store
            .find_identity_by_login(&p.id, &login("accounts.google.com", "nobody"))
            .await,
    );
    assert_not_found(
        "find in a missing pool",
        store
            .find_identity_by_login(&identity_pool_id("404"), &logins[0])
            .await,
    );
    let stray = identity(&identity_pool_id("404"), 1, &[]);
    assert_not_found(
        "create in a missing pool",
        store.create_identity(&stray).await,
    );
    assert_not_found("no identity appeared", store.get_identity(&stray.id).await);
}

pub async fn a_login_held_by_another_identity_conflicts_and_changes_nothing(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "9").await;
    let held = login("accounts.google.com", "held");
    let holder = new_identity(&store, &p.id, 1, std::slice::from_ref(&held)).await;

    let free = login("graph.facebook.com", "free");
    let refused = identity(&p.id, 2, &[free.clone(), held.clone()]);
    assert_conflict(
        "create_identity with a held login",
        store.create_identity(&refused).await,
        Conflict::IdentityLogin,
    );
    assert_not_found(
        "the refused identity",
        store.get_identity(&refused.id).await,
    );
    assert_not_found(
        "the refused identity's other login",
        store.find_identity_by_login(&p.id, &free).await,
    );

    let other = new_identity(&store, &p.id, 3, &[]).await;
    // The free login comes first, so a partial link would have stored it.
    assert_conflict(
        "link_identity_logins with a held login",
        store
            .link_identity_logins(&other.id, &[free.clone(), held.clone()], later(50))
            .await,
        Conflict::IdentityLogin,
    );
    assert_eq!(
        store.get_identity(&other.id).await.expect("get"),
        other,
        "the refused link changed neither logins nor the modified date"
    );
    assert_eq!(store.get_identity(&holder.id).await.expect("get"), holder);
    assert_not_found(
        "the refused link's free login",
        store.find_identity_by_login(&p.id, &free).await,
    );
}

pub async fn linking_adds_logins_and_keeps_those_held_already(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "10").await;
    let first = login("accounts.google.com", "g-1");
    let mut i = new_identity(&store, &p.id, 1, std::slice::from_ref(&first)).await;

    let added = login("cognito-idp.us-east-1.amazonaws.com/us-east-1_X", "sub-1");
    store
        .link_identity_logins(&i.id, &[first.clone(), added.clone()], later(60))
        .await
        .expect("link a held login and a new one");
    i.logins.push(added.clone());
    i.logins.sort();
    i.modified = later(60);
    assert_eq!(store.get_identity(&i.id).await.expect("get"), i);

    store
        .link_identity_logins(&i.id, std::slice::from_ref(&added), later(70))
        .await
        .expect("linking again is no conflict");
    i.modified = later(70);
    assert_eq!(store.get_identity(&i.id).await.expect("get"), i);
    assert_eq!(
        store
            .find_identity_by_login(&p.id, &added)
            .await
            .expect("find"),
        i
    );

    assert_not_found(
        "link to a missing identity",
        store
            .link_identity_logins(&identity(&p.id, 99, &[]).id, &[], later(80))
            .await,
    );
}

pub async fn unlinking_removes_only_the_identitys_own_logins(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "11").await;
    let (a, b) = (
        login("accounts.google.com", "a"),
        login("accounts.google.com", "b"),
    );
    let theirs = login("graph.facebook.com", "theirs");
    let mut i = new_identity(&store, &p.id, 1, &[a.clone(), b.clone()]).await;
    let other = new_identity(&store, &p.id, 2, std::slice::from_ref(&theirs)).await;

    store
        .unlink_identity_logins(&i.id, &[a.clone(), theirs.clone()], later(40))
        .await
        .expect("unlink_identity_logins");
    i.logins = vec![b.clone()];
    i.modified = later(40);
    assert_eq!(store.get_identity(&i.id).await.expect("get"), i);
    assert_eq!(
        store.get_identity(&other.id).await.expect("get"),
        other,
        "another identity's login stays with it"
    );
    assert_not_found(
        "the unlinked login",
        store.find_identity_by_login(&p.id, &a).await,
    );

    // The unlinked login is free for another identity.
    store
        .link_identity_logins(&other.id, std::slice::from_ref(&a), later(45))
        .await
        .expect("link the freed login");
    assert_eq!(
        store
            .find_identity_by_login(&p.id, &a)
            .await
            .expect("find")
            .id,
        other.id
    );

    assert_not_found(
        "unlink from a missing identity",
        store
            .unlink_identity_logins(&identity(&p.id, 99, &[]).id, &[b], later(50))
            .await,
    );
}

pub async fn merge_moves_the_logins_and_deletes_the_source(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "12").await;
    let (s1, s2, d1) = (
        login("login.example", "dev-1"),
        login("accounts.google.com", "g-1"),
        login("login.example", "dev-0"),
    );
    let source = new_identity(&store, &p.id, 1, &[s1.clone(), s2.clone()]).await;
    let mut destination = new_identity(&store, &p.id, 2, std::slice::from_ref(&d1)).await;
    let bystander = new_identity(&store, &p.id, 3, &[login("login.example", "x")]).await;

    store
        .merge_identities(&source.id, &destination.id, later(90))
        .await
        .expect("merge_identities");
    assert_not_found("the merged source", store.get_identity(&source.id).await);
    destination.logins = vec![s1.clone(), s2.clone(), d1.clone()];
    destination.logins.sort();
    destination.modified = later(90);
    assert_eq!(
        store.get_identity(&destination.id).await.expect("get"),
        destination
    );
    for l in [&s1, &s2, &d1] {
        assert_eq!(
            store
                .find_identity_by_login(&p.id, l)
                .await
                .expect("find")
                .id,
            destination.id
        );
    }
    assert_eq!(
        store.get_identity(&bystander.id).await.expect("get"),
        bystander
    );

    let gone = source.id.clone();
    assert_not_found(
        "merge from a missing source",
        store
            .merge_identities(&gone, &destination.id, later(95))
            .await,
    );
    assert_not_found(
        "merge into a missing destination",
        store
            .merge_identities(&bystander.id, &gone, later(95))
            .await,
    );
    let elsewhere_pool = new_pool(&store, "13").await;
    let elsewhere = new_identity(&store, &elsewhere_pool.id, 1, &[]).await;
    assert_not_found(
        "merge into another pool's identity",
        store
            .merge_identities(&bystander.id, &elsewhere.id, later(95))
            .await,
    );
    store
        .merge_identities(&destination.id, &destination.id, later(99))
        .await
        .expect("merge into itself");
    assert_eq!(
        store.get_identity(&destination.id).await.expect("get"),
        destination,
        "merging an identity into itself leaves it alone"
    );
    assert_eq!(
        store.get_identity(&bystander.id).await.expect("get"),
        bystander,
        "refused merges changed nothing"
    );
}

pub async fn delete_identities_deletes_those_that_exist(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "14").await;
    let gone_login = login("accounts.google.com", "gone");
    let a = new_identity(&store, &p.id, 1, std::slice::from_ref(&gone_login)).await;
    let b = new_identity(&store, &p.id, 2, &[]).await;
    let kept = new_identity(&store, &p.id, 3, &[login("accounts.google.com", "kept")]).await;
    let missing = identity(&p.id, 99, &[]).id;

    store
        .delete_identities(&[a.id.clone(), missing.clone(), b.id.clone()])
        .await
        .expect("delete_identities");
    for i in [&a, &b] {
        assert_not_found("a deleted identity", store.get_identity(&i.id).await);
    }
    assert_not_found(
        "a deleted identity's login",
        store.find_identity_by_login(&p.id, &gone_login).await,
    );
    assert_eq!(store.get_identity(&kept.id).await.expect("get"), kept);
    store
        .delete_identities(&[missing])
        .await
        .expect("deleting only missing identities");
    store
        .delete_identities(&[])
        .await
        .expect("deleting no identities");
    // The deleted identity's login is free again.
    new_identity(&store, &p.id, 4, &[gone_login]).await;
}

pub async fn list_identities_pages_through_the_pools_identities_oldest_first(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "15").await;
    let other = new_pool(&store, "16").await;
    let mut expected = Vec::new();
    // Ids sorting against the order the identities are created in.
    for n in (0..7).rev() {
        let mut i = identity(&p.id, n, &[login("login.example", &format!("u{n}"))]);
        i.created = later(i64::from(10 - n));
        store.create_identity(&i).await.expect("create_identity");
        expected.push(i);
    }
    new_identity(&store, &other.id, 1, &[]).await;
    for limit in [1, 3, 7, 60] {
        let got = collect_pages(limit, |pg| {
            let store = store.clone();
            let pool = p.id.clone();
            async move { store.list_identities(&pool, &pg).await }
        })
        .await;
        assert_eq!(
            got, expected,
            "limit {limit}: the pool's identities, oldest first"
        );
    }
    let exact = store
        .list_identities(&p.id, &page(None, 7))
        .await
        .expect("list");
    assert_eq!(exact.items.len(), 7);
    assert!(
        exact.next.is_none(),
        "a page that holds the last item exactly has no next"
    );
    assert_not_found(
        "the identities of a missing pool",
        store
            .list_identities(&identity_pool_id("404"), &page(None, 10))
            .await,
    );
}

pub async fn concurrent_claims_of_one_login_admit_exactly_one(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "18").await;
    let contested = login("accounts.google.com", "contested");
    // Half create an identity with the login, half link it to one they have.
    let mut linkers = Vec::new();
    for n in 0..25 {
        linkers.push(new_identity(&store, &p.id, n, &[]).await.id);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let mut tasks = Vec::new();
    for n in 0..50 {
        let (store, barrier, contested) = (store.clone(), barrier.clone(), contested.clone());
        let linker = linkers.get(n).cloned();
        let created = identity(&p.id, 100 + n as u32, std::slice::from_ref(&contested));
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let outcome = match &linker {
                Some(id) => {
                    store
                        .link_identity_logins(id, std::slice::from_ref(&contested), later(500))
                        .await
                }
                None => store.create_identity(&created).await,
            };
            (linker.unwrap_or(created.id), outcome)
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        match t.await.expect("task") {
            (id, Ok(())) => winners.push(id),
            (_, Err(StoreError::Conflict(Conflict::IdentityLogin))) => {}
            (_, other) => panic!("a claim of a held login: {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one claim wins: {winners:?}");
    assert_eq!(
        store
            .find_identity_by_login(&p.id, &contested)
            .await
            .expect("find")
            .id,
        winners[0]
    );
}

/// Reads beside merges see each identity whole: the source as it was, or
/// the destination with both logins and its new modification date, never an
/// identity row with logins from the other side of the merge.
pub async fn reads_beside_merges_see_each_identity_whole(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "27").await;
    let mut pairs = Vec::new();
    for n in 0..30 {
        let source = new_identity(
            &store,
            &p.id,
            2 * n,
            &[login("accounts.google.com", &format!("a-{n}"))],
        )
        .await;
        let destination = new_identity(
            &store,
            &p.id,
            2 * n + 1,
            &[login("login.example", &format!("b-{n}"))],
        )
        .await;
        let mut merged = destination.clone();
        merged.logins.extend(source.logins.clone());
        merged.logins.sort();
        merged.modified = later(1000);
        pairs.push((source, destination, merged));
    }
    let pairs = Arc::new(pairs);
    let merging = {
        let (store, pairs) = (store.clone(), pairs.clone());
        tokio::spawn(async move {
            for (source, destination, _) in pairs.iter() {
                store
                    .merge_identities(&source.id, &destination.id, later(1000))
                    .await
                    .expect("merge");
            }
        })
    };
    let mut readers = Vec::new();
    for _ in 0..3 {
        let (store, pairs, pool) = (store.clone(), pairs.clone(), p.id.clone());
        let merging = merging.abort_handle();
        readers.push(tokio::spawn(async move {
            while !merging.is_finished() {
                for (source, destination, merged) in pairs.iter() {
                    let found = store
                        .find_identity_by_login(&pool, &source.logins[0])
                        .await
                        .expect("find");
                    assert!(
                        found == *source || found == *merged,
                        "find_identity_by_login beside a merge: {found:?}"
                    );
                    let got = store.get_identity(&destination.id).await.expect("get");
                    assert!(
                        got == *destination || got == *merged,
                        "get_identity beside a merge: {got:?}"
                    );
                }
                let listed = store
                    .list_identities(&pool, &page(None, 60))
                    .await
                    .expect("list");
                for identity in &listed.items {
                    assert!(
                        pairs
                            .iter()
                            .any(|(s, d, m)| identity == s || identity == d || identity == m),
                        "list_identities beside a merge: {identity:?}"
                    );
                }
            }
        }));
    }
    merging.await.expect("merging");
    for r in readers {
        r.await.expect("a reader");
    }
}

/// An ID-token key created `seconds` after `T0`, as the identity service
/// would hand it over (the pool id it carries is not kept).
fn identity_key(kid: &str, seconds: i64) -> SigningKeyRecord {
    signing_key(
        &UserPoolId::new("ignored"),
        kid,
        KeyPurpose::IdToken,
        later(seconds),
    )
}

/// `keys` as the store returns them: carrying [`IDENTITY_KEYS`] as pool id.
fn as_stored(keys: &[SigningKeyRecord], retired: Option<Timestamp>) -> Vec<SigningKeyRecord> {
    keys.iter()
        .cloned()
        .map(|mut k| {
            k.pool_id = UserPoolId::new(IDENTITY_KEYS);
            k.retired = retired.or(k.retired);
            k
        })
        .collect()
}

pub async fn identity_keys_are_set_once_and_rotated(engine: &Engine) {
    let store = engine.open().await;
    assert_eq!(
        store.identity_signing_keys().await.expect("keys"),
        Vec::<SigningKeyRecord>::new()
    );
    let first = [identity_key("first", 0)];
    assert_eq!(
        store
            .init_identity_signing_keys(&first)
            .await
            .expect("init"),
        as_stored(&first, None)
    );
    assert_eq!(
        store
            .init_identity_signing_keys(&[identity_key("second", 5)])
            .await
            .expect("second init"),
        as_stored(&first, None),
        "a second init keeps the first keys"
    );

    // Handed over newest first, with kids sorting against their age.
    let rotated = [identity_key("a-newer", 20), identity_key("z-older", 10)];
    store
        .rotate_identity_signing_keys(&rotated, later(10))
        .await
        .expect("rotate");
    let mut expected = as_stored(&first, Some(later(10)));
    expected.extend(as_stored(&[rotated[1].clone(), rotated[0].clone()], None));
    assert_eq!(
        store.identity_signing_keys().await.expect("keys"),
        expected,
        "the first key retired, the new ones oldest first"
    );

    // A key already retired keeps the time it was retired at.
    let third = [identity_key("third", 30)];
    store
        .rotate_identity_signing_keys(&third, later(30))
        .await
        .expect("second rotation");
    let mut expected = as_stored(&first, Some(later(10)));
    expected.extend(as_stored(
        &[rotated[1].clone(), rotated[0].clone()],
        Some(later(30)),
    ));
    expected.extend(as_stored(&third, None));
    assert_eq!(store.identity_signing_keys().await.expect("keys"), expected);

    // They are no user pool's keys, and a user pool's are not theirs.
    let up = pool("IdentityKeysApart");
    store.create_pool(&up).await.expect("create_pool");
    assert_eq!(
        store.signing_keys(&up.id).await.expect("pool keys"),
        Vec::<SigningKeyRecord>::new()
    );
    store
        .init_signing_keys(
            &up.id,
            &[signing_key(&up.id, "pool", KeyPurpose::IdToken, T0)],
        )
        .await
        .expect("init pool keys");
    assert_eq!(store.identity_signing_keys().await.expect("keys"), expected);
}

pub async fn concurrent_identity_key_inits_agree_on_one_set(engine: &Engine) {
    let store = engine.open().await;
    let n = 16;
    let proposals: Vec<Vec<SigningKeyRecord>> = (0..n)
        .map(|i| {
            vec![
                identity_key(&format!("proposal{i}-a"), 0),
                identity_key(&format!("proposal{i}-b"), 1),
            ]
        })
        .collect();
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = proposals
        .iter()
        .cloned()
        .map(|keys| {
            let store = store.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                store.init_identity_signing_keys(&keys).await
            })
        })
        .collect();
    let kept = {
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.expect("task").expect("init"));
        }
        let kept = store.identity_signing_keys().await.expect("keys");
        for r in results {
            assert_eq!(r, kept, "an init returned a set other than the one kept");
        }
        kept
    };
    assert!(
        proposals.iter().any(|p| as_stored(p, None) == kept),
        "the stored keys are one whole proposal"
    );
}

pub async fn identity_pools_survive_dropping_and_reopening_the_store(engine: &Engine) {
    let p = identity_pool("17");
    let mut i = identity(&p.id, 1, &[login("accounts.google.com", "durable")]);
    let keys = [identity_key("durable", 0)];
    {
        let store = engine.open().await;
        store.create_identity_pool(&p).await.expect("create pool");
        store.create_identity(&i).await.expect("create identity");
        store
            .init_identity_signing_keys(&keys)
            .await
            .expect("init keys");
        // The last write before the store goes away.
        store
            .link_identity_logins(&i.id, &[login("login.example", "dev")], later(5))
            .await
            .expect("link");
        drop(store);
    }

    let store = engine.open().await;
    assert_eq!(store.get_identity_pool(&p.id).await.expect("pool"), p);
    i.logins.push(login("login.example", "dev"));
    i.logins.sort();
    i.modified = later(5);
    assert_eq!(store.get_identity(&i.id).await.expect("identity"), i);
    assert_eq!(
        store.identity_signing_keys().await.expect("keys"),
        as_stored(&keys, None)
    );
    // Uniqueness is still held after reopening.
    assert_conflict(
        "a held login after reopening",
        store
            .create_identity(&identity(&p.id, 2, &[login("login.example", "dev")]))
            .await,
        Conflict::IdentityLogin,
    );
}
