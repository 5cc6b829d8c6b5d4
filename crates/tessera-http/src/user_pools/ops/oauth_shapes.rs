//! Response shapes of the OAuth configuration operations: domains, resource
//! servers, UI customization, managed-login branding and terms.

use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;
use tessera_core::services::branding::managed_login::ManagedLoginBranding;
use tessera_core::services::branding::ui_customization::UiCustomizationView;
use tessera_core::services::domains::DomainView;
use tessera_core::services::resource_servers::ResourceServer;
use tessera_core::services::terms::Terms;

/// CreateUserPoolDomain's and UpdateUserPoolDomain's answer.
pub fn domain_change(view: &DomainView) -> Value {
    let mut out = json!({"ManagedLoginVersion": view.managed_login_version});
    if let Some(target) = &view.alias_target {
        out["CloudFrontDomain"] = json!(target);
    }
    out
}

/// DomainDescriptionType.
pub fn domain_description(view: &DomainView, account_id: &str) -> Value {
    let d = &view.domain;
    let mut out = json!({
        "UserPoolId": d.pool_id,
        "AWSAccountId": account_id,
        "Domain": d.domain,
        "Status": "ACTIVE",
        "ManagedLoginVersion": view.managed_login_version,
    });
    if let Some(target) = &view.alias_target {
        out["CloudFrontDistribution"] = json!(target);
    }
    if let Some(config) = d.settings.get("CustomDomainConfig") {
        out["CustomDomainConfig"] = config.clone();
    }
    out
}

/// ResourceServerType.
pub fn resource_server(pool_id: &UserPoolId, server: &ResourceServer) -> Value {
    let scopes: Vec<Value> = server
        .scopes
        .iter()
        .map(|s| json!({"ScopeName": s.scope_name, "ScopeDescription": s.scope_description}))
        .collect();
    json!({
        "UserPoolId": pool_id,
        "Identifier": server.identifier,
        "Name": server.name,
        "Scopes": scopes,
    })
}

/// UICustomizationType; `{}` when nothing is set.
pub fn ui_customization(view: Option<&UiCustomizationView>) -> Value {
    let Some(v) = view else {
        return json!({});
    };
    let mut out = json!({
        "UserPoolId": v.pool_id,
        "ClientId": v.client,
        "CSSVersion": v.css_version,
        "CreationDate": v.created.epoch_seconds(),
        "LastModifiedDate": v.modified.epoch_seconds(),
    });
    if let Some(css) = &v.css {
        out["CSS"] = json!(css);
    }
    if let Some(url) = &v.image_url {
        out["ImageUrl"] = json!(url);
    }
    out
}

/// ManagedLoginBrandingType (the client it styles is not part of it).
pub fn managed_login_branding(pool_id: &UserPoolId, b: &ManagedLoginBranding) -> Value {
    let mut out = json!({
        "ManagedLoginBrandingId": b.managed_login_branding_id,
        "UserPoolId": pool_id,
        "UseCognitoProvidedValues": b.use_cognito_provided_values,
        "Assets": b.assets,
        "CreationDate": b.creation_date.epoch_seconds(),
        "LastModifiedDate": b.last_modified_date.epoch_seconds(),
    });
    if let Some(settings) = &b.settings {
        out["Settings"] = settings.clone();
    }
    out
}

/// TermsType.
pub fn terms(pool_id: &UserPoolId, t: &Terms) -> Value {
    json!({
        "TermsId": t.terms_id,
        "UserPoolId": pool_id,
        "ClientId": t.client_id,
        "TermsName": t.terms_name,
        "TermsSource": t.terms_source,
        "Enforcement": t.enforcement,
        "Links": t.links,
        "CreationDate": t.creation_date.epoch_seconds(),
        "LastModifiedDate": t.last_modified_date.epoch_seconds(),
    })
}

/// TermsDescriptionType, as ListTerms gives it.
pub fn terms_description(t: &Terms) -> Value {
    json!({
        "TermsId": t.terms_id,
        "TermsName": t.terms_name,
        "Enforcement": t.enforcement,
        "CreationDate": t.creation_date.epoch_seconds(),
        "LastModifiedDate": t.last_modified_date.epoch_seconds(),
    })
}
