//! The OAuth configuration the OAuth endpoints and hosted pages read, over a
//! real store: the pool a Host header names, a pool's resource-server scopes,
//! and the UI customization a client's pages apply.

use serde_json::{Map, json};
use tessera_core::ids::ClientId;
use tessera_core::services::branding::UiCustomization;
use tessera_core::services::domains::DomainInput;
use tessera_core::services::resource_servers::{ResourceServer, ResourceServerScope};

mod support;

use support::harness;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

fn certificate() -> Map<String, serde_json::Value> {
    json!({"CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/x"})
        .as_object()
        .cloned()
        .expect("an object")
}

#[tokio::test]
async fn a_host_names_a_pool_by_prefix_under_the_base_domain_or_by_custom_domain() {
    let h = harness();
    let (a, b) = (h.pool(json!({})).await, h.pool(json!({})).await);
    for (pool, domain, config) in [
        (&a, "myapp", None),
        (&b, "auth.example.com", Some(certificate())),
    ] {
        h.services
            .create_domain(DomainInput {
                pool_id: pool.clone(),
                domain: domain.into(),
                custom_domain_config: config,
                managed_login_version: None,
            })
            .await
            .expect("create_domain");
    }
    assert_eq!(h.services.oauth_base_domain(), "auth.localhost");
    for (host, pool) in [
        ("myapp.auth.localhost:9229", Some(&a)),
        ("MyApp.Auth.LocalHost", Some(&a)),
        ("myapp.auth.localhost.", Some(&a)),
        ("auth.example.com", Some(&b)),
        ("Auth.Example.COM:443", Some(&b)),
        // A prefix is only a prefix under the base domain.
        ("myapp", None),
        ("myapp.example.com", None),
        ("x.myapp.auth.localhost", None),
        ("auth.localhost", None),
        ("other.auth.localhost", None),
        ("127.0.0.1:9229", None),
        ("[::1]:9229", None),
    ] {
        let found = h.services.pool_for_host(host).await.expect("pool_for_host");
        assert_eq!(found.as_ref().map(|d| &d.pool_id), pool, "{host}");
    }
}

#[tokio::test]
async fn a_pools_scopes_are_every_identifier_slash_scope() {
    let h = harness();
    let pool = h.pool(json!({})).await;
    assert!(
        h.services
            .resource_server_scopes(&pool)
            .await
            .expect("scopes")
            .is_empty()
    );
    for (identifier, scopes) in [
        ("orders", vec!["read", "write"]),
        ("https://api.example.com/v1", vec!["admin"]),
    ] {
        let server = ResourceServer {
            identifier: identifier.into(),
            name: "api".into(),
            scopes: scopes
                .into_iter()
                .map(|s| ResourceServerScope {
                    scope_name: s.into(),
                    scope_description: "d".into(),
                })
                .collect(),
        };
        h.services
            .create_resource_server(&pool, server)
            .await
            .expect("create_resource_server");
    }
    let scopes = h
        .services
        .resource_server_scopes(&pool)
        .await
        .expect("scopes");
    assert_eq!(
        scopes.into_iter().collect::<Vec<_>>(),
        [
            "https://api.example.com/v1/admin",
            "orders/read",
            "orders/write"
        ]
    );
}

#[tokio::test]
async fn a_client_gets_its_own_customization_else_the_pools() {
    let h = harness();
    let pool = h.pool(json!({})).await;
    let (web, mobile) = (
        h.client(&pool, json!({})).await,
        h.client(&pool, json!({})).await,
    );
    assert_eq!(
        h.services
            .ui_customization(&pool, &web)
            .await
            .expect("none"),
        None
    );
    h.services
        .create_domain(DomainInput {
            pool_id: pool.clone(),
            domain: "looks".into(),
            custom_domain_config: None,
            managed_login_version: None,
        })
        .await
        .expect("create_domain");
    let all = ".banner-customizable { background-color: navy; }";
    h.services
        .set_ui_customization(&pool, Some("ALL"), Some(all.into()), Some(PNG.to_vec()))
        .await
        .expect("ALL");
    let mine = ".label-customizable { font-weight: 700; }";
    h.services
        .set_ui_customization(&pool, Some(mobile.as_str()), Some(mine.into()), None)
        .await
        .expect("mobile");
    assert_eq!(
        h.services.ui_customization(&pool, &web).await.expect("web"),
        Some(UiCustomization {
            css: Some(all.into()),
            image: Some((PNG.to_vec(), "image/png")),
        })
    );
    assert_eq!(
        h.services
            .ui_customization(&pool, &mobile)
            .await
            .expect("mobile"),
        Some(UiCustomization {
            css: Some(mine.into()),
            image: None,
        })
    );
    let stranger = ClientId::new("unknownclient");
    assert!(
        h.services
            .ui_customization(&pool, &stranger)
            .await
            .expect("any")
            .is_some()
    );
}
