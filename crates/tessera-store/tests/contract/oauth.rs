//! A pool's configuration documents, domains and authorization codes.

use serde_json::json;
use tessera_core::domain::oauth::{
    AuthorizationCode, DocumentKind, DocumentWrite, PoolDomain, Redemption,
};
use tessera_core::store::Conflict;

use crate::support::*;

pub async fn documents_are_written_read_listed_and_deleted_by_kind(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Documents");
    store.create_pool(&p).await.expect("create_pool");
    let kind = DocumentKind::ResourceServer;
    for n in 0..5 {
        let doc = json!({"Identifier": format!("api-{n}"), "Scopes": [{"ScopeName": "read"}]});
        store
            .put_document(
                &p.id,
                kind,
                &format!("api-{n}"),
                &doc,
                DocumentWrite::Create,
            )
            .await
            .expect("put_document");
    }
    let other = json!({"CSS": ".banner {}"});
    store
        .put_document(
            &p.id,
            DocumentKind::UiCustomization,
            "api-0",
            &other,
            DocumentWrite::Upsert,
        )
        .await
        .expect("a key may repeat under another kind");
    assert_eq!(
        store.get_document(&p.id, kind, "api-3").await.expect("get"),
        json!({"Identifier": "api-3", "Scopes": [{"ScopeName": "read"}]})
    );
    let keys = collect_pages(2, |request| {
        let store = store.clone();
        let id = p.id.clone();
        async move { store.list_documents(&id, kind, &request).await }
    })
    .await
    .into_iter()
    .map(|(key, _)| key)
    .collect::<Vec<_>>();
    assert_eq!(keys, ["api-0", "api-1", "api-2", "api-3", "api-4"]);

    assert_conflict(
        "create over an existing key",
        store
            .put_document(&p.id, kind, "api-1", &json!({}), DocumentWrite::Create)
            .await,
        Conflict::Document,
    );
    store
        .put_document(
            &p.id,
            kind,
            "api-1",
            &json!({"v": 2}),
            DocumentWrite::Replace,
        )
        .await
        .expect("replace");
    assert_eq!(
        store.get_document(&p.id, kind, "api-1").await.expect("get"),
        json!({"v": 2})
    );
    assert_not_found(
        "replace a missing key",
        store
            .put_document(&p.id, kind, "nothing", &json!({}), DocumentWrite::Replace)
            .await,
    );
    store
        .delete_document(&p.id, kind, "api-1")
        .await
        .expect("delete");
    assert_not_found(
        "get after delete",
        store.get_document(&p.id, kind, "api-1").await,
    );
    assert_not_found(
        "delete again",
        store.delete_document(&p.id, kind, "api-1").await,
    );
    assert_eq!(
        store
            .get_document(&p.id, DocumentKind::UiCustomization, "api-0")
            .await
            .expect("the other kind is untouched"),
        other
    );
}

fn domain(p: &tessera_core::domain::pool::UserPool, name: &str, custom: bool) -> PoolDomain {
    PoolDomain {
        domain: name.into(),
        pool_id: p.id.clone(),
        custom,
        settings: json!({"ManagedLoginVersion": 1}),
    }
}

pub async fn domains_are_unique_across_pools(engine: &Engine) {
    let store = engine.open().await;
    let (a, b) = (pool("DomainA"), pool("DomainB"));
    store.create_pool(&a).await.expect("create_pool");
    store.create_pool(&b).await.expect("create_pool");
    let prefix = domain(&a, "myapp", false);
    store.create_domain(&prefix).await.expect("create_domain");
    store
        .create_domain(&domain(&a, "auth.example.com", true))
        .await
        .expect("a custom domain beside the prefix");
    assert_conflict(
        "another pool taking the prefix",
        store.create_domain(&domain(&b, "myapp", false)).await,
        Conflict::Domain,
    );
    assert_eq!(store.get_domain("myapp").await.expect("get_domain"), prefix);
    let names: Vec<_> = store
        .pool_domains(&a.id)
        .await
        .expect("pool_domains")
        .into_iter()
        .map(|d| d.domain)
        .collect();
    assert_eq!(names, ["auth.example.com", "myapp"]);
    assert!(store.pool_domains(&b.id).await.expect("none").is_empty());
    assert_not_found(
        "domains of a missing pool",
        store.pool_domains(&pool_id("Gone")).await,
    );

    let mut updated = prefix.clone();
    updated.settings = json!({"ManagedLoginVersion": 2});
    store.update_domain(&updated).await.expect("update_domain");
    assert_eq!(store.get_domain("myapp").await.expect("get"), updated);
    assert_not_found(
        "another pool deleting the domain",
        store.delete_domain(&b.id, "myapp").await,
    );
    store
        .delete_domain(&a.id, "myapp")
        .await
        .expect("delete_domain");
    assert_not_found("get after delete", store.get_domain("myapp").await);
    store
        .create_domain(&domain(&b, "myapp", false))
        .await
        .expect("a deleted domain is free again");
    store.delete_pool(&a.id).await.expect("delete_pool");
    assert_not_found(
        "a deleted pool's domain",
        store.get_domain("auth.example.com").await,
    );
}

fn code(
    p: &tessera_core::domain::pool::UserPool,
    hash: &[u8],
    expires_in: i64,
) -> AuthorizationCode {
    AuthorizationCode {
        code_hash: hash.to_vec(),
        pool_id: p.id.clone(),
        expires: later(expires_in),
        grant: b"sealed grant".to_vec(),
    }
}

pub async fn an_authorization_code_is_redeemed_once(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Codes");
    store.create_pool(&p).await.expect("create_pool");
    let c = code(&p, b"hash-1", 300);
    store.put_authorization_code(&c, T0).await.expect("put");
    assert_eq!(
        store
            .redeem_authorization_code(b"hash-1", "family-1", later(10))
            .await
            .expect("first"),
        Redemption::Granted(c.clone())
    );
    assert!(
        !store
            .authorization_code_replayed(b"hash-1")
            .await
            .expect("replayed")
    );
    assert_eq!(
        store
            .redeem_authorization_code(b"hash-1", "family-2", later(20))
            .await
            .expect("second"),
        Redemption::Replayed {
            family: "family-1".into()
        }
    );
    assert!(
        store
            .authorization_code_replayed(b"hash-1")
            .await
            .expect("replayed")
    );
    assert_not_found(
        "an unknown code",
        store
            .redeem_authorization_code(b"nope", "f", later(10))
            .await,
    );

    store
        .put_authorization_code(&code(&p, b"hash-2", 300), T0)
        .await
        .expect("put");
    assert_not_found(
        "an expired code",
        store
            .redeem_authorization_code(b"hash-2", "f", later(300))
            .await,
    );
}

pub async fn concurrent_redemptions_of_one_code_grant_exactly_one(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("CodeRace");
    store.create_pool(&p).await.expect("create_pool");
    store
        .put_authorization_code(&code(&p, b"race", 300), T0)
        .await
        .expect("put");
    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .redeem_authorization_code(b"race", &format!("family-{n}"), later(1))
                    .await
                    .expect("redeem")
            })
        })
        .collect();
    let mut granted = 0;
    let mut families = std::collections::BTreeSet::new();
    for task in tasks {
        match task.await.expect("task") {
            Redemption::Granted(_) => granted += 1,
            Redemption::Replayed { family } => {
                families.insert(family);
            }
        }
    }
    assert_eq!(granted, 1);
    assert_eq!(
        families.len(),
        1,
        "every replay names the one winner: {families:?}"
    );
}

pub async fn old_codes_are_dropped_a_day_after_expiry(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("CodeSweep");
    store.create_pool(&p).await.expect("create_pool");
    store
        .put_authorization_code(&code(&p, b"old", 300), T0)
        .await
        .expect("put");
    store
        .redeem_authorization_code(b"old", "family-old", later(1))
        .await
        .expect("redeem");
    store
        .put_authorization_code(&code(&p, b"new", 2 * 86_400), later(86_400 + 301))
        .await
        .expect("put later");
    assert_not_found(
        "a code swept after a day",
        store.authorization_code_replayed(b"old").await,
    );
}
