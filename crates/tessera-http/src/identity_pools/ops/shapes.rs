//! Output shapes of the identity-pool API.

use serde_json::{Value, json};
use tessera_core::domain::identity_pool::{Identity, IdentityPool};

/// IdentityPool (CreateIdentityPool, DescribeIdentityPool, UpdateIdentityPool).
pub fn identity_pool(pool: &IdentityPool) -> Value {
    let providers: Vec<Value> = pool
        .cognito_identity_providers
        .iter()
        .map(|p| {
            json!({
                "ProviderName": p.provider_name,
                "ClientId": p.client_id,
                "ServerSideTokenCheck": p.server_side_token_check,
            })
        })
        .collect();
    let mut out = json!({
        "IdentityPoolId": pool.id,
        "IdentityPoolName": pool.name,
        "AllowUnauthenticatedIdentities": pool.allow_unauthenticated,
        "AllowClassicFlow": pool.allow_classic_flow,
        "SupportedLoginProviders": pool.supported_login_providers,
        "OpenIdConnectProviderARNs": pool.open_id_connect_provider_arns,
        "CognitoIdentityProviders": providers,
        "SamlProviderARNs": pool.saml_provider_arns,
        "IdentityPoolTags": pool.tags,
    });
    if let (Some(name), Some(obj)) = (&pool.developer_provider_name, out.as_object_mut()) {
        obj.insert("DeveloperProviderName".into(), json!(name));
    }
    out
}

/// IdentityDescription: the providers of its logins, not the users.
pub fn identity(identity: &Identity) -> Value {
    let mut providers: Vec<&str> = identity
        .logins
        .iter()
        .map(|l| l.provider.as_str())
        .collect();
    // Logins come ordered by provider, so a provider's repeats are adjacent.
    providers.dedup();
    json!({
        "IdentityId": identity.id,
        "Logins": providers,
        "CreationDate": identity.created.epoch_seconds(),
        "LastModifiedDate": identity.modified.epoch_seconds(),
    })
}
