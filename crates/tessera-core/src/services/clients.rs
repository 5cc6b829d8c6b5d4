//! App clients: create, describe, list, update, delete.

use serde_json::{Map, Value};

use super::client_oauth::STANDARD_SCOPES;
use super::client_secret::generate_secret;
use super::existence::client_not_found;
use super::{Services, next_token, page_request};
use crate::domain::client::{AppClient, UPDATABLE_SETTINGS, apply_setting_defaults};
use crate::domain::client_policy::{ClientPolicy, unit_seconds};
use crate::domain::pool::UserPool;
use crate::domain::session::CLIENT_SESSION_SETTINGS;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::paging::Page;
use crate::store::{Conflict, StoreError};

pub struct CreateClient {
    pub pool_id: UserPoolId,
    pub name: String,
    pub generate_secret: bool,
    /// Fixed id (declared in configuration); generated when absent.
    pub id: Option<ClientId>,
    pub members: Map<String, Value>,
}

pub struct UpdateClient {
    pub pool_id: UserPoolId,
    pub id: ClientId,
    pub name: Option<String>,
    pub members: Map<String, Value>,
}

/// A client with its secret opened, for the responses that show it.
pub struct ClientView {
    pub client: AppClient,
    pub secret: Option<String>,
}

const CLIENT_ID_LEN: usize = 26;

fn keep_settings(members: &Map<String, Value>) -> Map<String, Value> {
    members
        .iter()
        .filter(|(k, v)| UPDATABLE_SETTINGS.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn strings<'a>(settings: &'a Map<String, Value>, name: &str) -> Vec<&'a str> {
    settings
        .get(name)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Which operation a client's settings come from: they word refusals apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Writing {
    Creating,
    Updating,
}

/// Cognito's cross-member rules for a client's settings.
fn check_settings(
    pool: &UserPool,
    settings: &Map<String, Value>,
    has_secret: bool,
    writing: Writing,
) -> Result<()> {
    let policy = ClientPolicy::from_settings(settings);
    let oauth = &policy.oauth;
    let flow = |name: &str| oauth.flows.iter().any(|f| f == name);
    if flow("client_credentials") {
        if !has_secret {
            return Err(Error::InvalidOAuthFlow(
                "client_credentials flow can not be selected if client does not have a client secret.".into(),
            ));
        }
        if oauth.flows.len() > 1 {
            return Err(Error::InvalidOAuthFlow(
                "client_credentials flow can not be selected with either code or implicit flow."
                    .into(),
            ));
        }
        // A machine client has no user to describe: only resource-server
        // scopes (hashicorp/terraform-provider-aws#4984 quotes the refusal
        // of openid; Cognito names the first standard scope it meets).
        if let Some(standard) = oauth
            .scopes
            .iter()
            .find(|s| STANDARD_SCOPES.contains(&s.as_str()))
        {
            return Err(Error::InvalidOAuthFlow(format!(
                "{standard} is not supported with client_credentials flow"
            )));
        }
    }
    if oauth.enabled && (oauth.flows.is_empty() || oauth.scopes.is_empty()) {
        return Err(Error::InvalidParameter(
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.".into(),
        ));
    }
    // cisagov/crossfeed#440 quotes Cognito's refusal.
    if (flow("code") || flow("implicit")) && oauth.callback_urls.is_empty() {
        return Err(Error::InvalidOAuthFlow(
            "CallbackUrls can not be empty when code flow or implicit flow is selected".into(),
        ));
    }
    let auth_flows = strings(settings, "ExplicitAuthFlows");
    let legacy = [
        "ADMIN_NO_SRP_AUTH",
        "CUSTOM_AUTH_FLOW_ONLY",
        "USER_PASSWORD_AUTH",
    ];
    if auth_flows.iter().any(|f| legacy.contains(f))
        && auth_flows.iter().any(|f| f.starts_with("ALLOW_"))
    {
        return Err(Error::InvalidParameter(
            "The ExplicitAuthFlows values ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH can't be combined with ALLOW_ values.".into(),
        ));
    }
    // A client on the ALLOW_ names must keep refresh on (aws/aws-cdk#7625).
    if auth_flows.iter().any(|f| f.starts_with("ALLOW_"))
        && !auth_flows.contains(&"ALLOW_REFRESH_TOKEN_AUTH")
    {
        return Err(Error::InvalidParameter(
            "REFRESH_TOKEN_AUTH should always be allowed.".into(),
        ));
    }
    let verb = match writing {
        Writing::Creating => "creating",
        Writing::Updating => "updating",
    };
    let invalid = |kind: &str| {
        Error::InvalidParameter(format!(
            "Invalid {kind} attributes specified while {verb} a client"
        ))
    };
    for (list, kind) in [
        (&policy.read_attributes, "read"),
        (&policy.write_attributes, "write"),
    ] {
        for name in list.iter().flatten() {
            let known = pool.schema_attribute(name).is_some();
            if !known || (kind == "write" && name == "sub") {
                return Err(invalid(kind));
            }
        }
    }
    // Users must be able to give every required attribute.
    if let Some(writable) = &policy.write_attributes {
        let required_left_out = pool
            .schema
            .iter()
            .any(|a| a.required && a.name != "sub" && !writable.contains(&a.name));
        if required_left_out {
            return Err(invalid("write"));
        }
    }
    check_token_validity(settings)
}

/// Effective ranges: access and ID tokens 5 minutes to 1 day, refresh tokens
/// 1 hour to 10 years, each in its unit.
fn check_token_validity(settings: &Map<String, Value>) -> Result<()> {
    let checks = [
        ("AccessTokenValidity", "AccessToken", "minutes", 300, 86_400),
        ("IdTokenValidity", "IdToken", "minutes", 300, 86_400),
        (
            "RefreshTokenValidity",
            "RefreshToken",
            "days",
            3600,
            315_360_000,
        ),
    ];
    for (member, token, default_unit, min, max) in checks {
        if let Some(v) = settings.get(member).and_then(Value::as_i64) {
            let seconds = v.saturating_mul(unit_seconds(settings, token, default_unit));
            if !(min..=max).contains(&seconds) {
                return Err(Error::InvalidParameter(format!(
                    "Invalid range for token validity: {member} must be between {min} seconds and {max} seconds."
                )));
            }
        }
    }
    Ok(())
}

impl Services {
    pub async fn create_client(&self, input: CreateClient) -> Result<ClientView> {
        let pool = self.pool(&input.pool_id).await?;
        let mut settings = keep_settings(&input.members);
        check_settings(&pool, &settings, input.generate_secret, Writing::Creating)?;
        self.check_client_oauth(&pool.id, &ClientPolicy::from_settings(&settings).oauth)
            .await?;
        apply_setting_defaults(&mut settings);
        let now = self.clock.now();
        let secret = input.generate_secret.then(generate_secret);
        loop {
            let id = input.id.clone().unwrap_or_else(|| {
                ClientId::new(tessera_crypto::random::alphanumeric_lower(CLIENT_ID_LEN))
            });
            let secrets = secret
                .as_deref()
                .map(|s| self.seal_client_secret(&pool.id, &id, s, now, true))
                .into_iter()
                .collect::<Result<_>>()?;
            let client = AppClient {
                pool_id: pool.id.clone(),
                id,
                name: input.name.clone(),
                secrets,
                created: now,
                modified: now,
                settings: settings.clone(),
            };
            match self.store.create_client(&client).await {
                Ok(()) => {
                    return Ok(ClientView { client, secret });
                }
                Err(StoreError::Conflict(Conflict::ClientId)) if input.id.is_none() => continue,
                Err(StoreError::Conflict(Conflict::ClientId)) => {
                    return Err(Error::InvalidParameter(format!(
                        "User pool client {} already exists.",
                        client.id
                    )));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    pub async fn describe_client(&self, pool_id: &UserPoolId, id: &ClientId) -> Result<ClientView> {
        self.pool(pool_id).await?;
        let client = self.client(pool_id, id).await?;
        let secret = self.described_client_secret(&client)?;
        Ok(ClientView { client, secret })
    }

    pub(crate) async fn client(&self, pool_id: &UserPoolId, id: &ClientId) -> Result<AppClient> {
        self.store
            .get_client(pool_id, id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => client_not_found(id),
                other => other.into(),
            })
    }

    pub async fn list_clients(
        &self,
        pool_id: &UserPoolId,
        max: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<AppClient>> {
        self.pool(pool_id).await?;
        let listing = self
            .store
            .list_clients(pool_id, &page_request(max, token)?)
            .await?;
        Ok(Page {
            items: listing.items,
            next: next_token(listing.next),
        })
    }

    pub async fn update_client(&self, input: UpdateClient) -> Result<ClientView> {
        let pool = self.pool(&input.pool_id).await?;
        let mut client = self.client(&input.pool_id, &input.id).await?;
        let mut settings = keep_settings(&input.members);
        check_settings(&pool, &settings, client.has_secret(), Writing::Updating)?;
        self.check_client_oauth(&pool.id, &ClientPolicy::from_settings(&settings).oauth)
            .await?;
        apply_setting_defaults(&mut settings);
        // SetUserPoolClientSessionConfiguration's member is not UpdateUserPoolClient's to change.
        for member in CLIENT_SESSION_SETTINGS {
            if let Some(value) = client.settings.get(*member) {
                settings.insert((*member).to_owned(), value.clone());
            }
        }
        client.settings = settings;
        if let Some(name) = input.name {
            client.name = name;
        }
        client.modified = self.clock.now();
        self.store
            .update_client(&client)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => client_not_found(&client.id),
                other => other.into(),
            })?;
        let secret = self.described_client_secret(&client)?;
        Ok(ClientView { client, secret })
    }

    pub async fn delete_client(&self, pool_id: &UserPoolId, id: &ClientId) -> Result<()> {
        self.pool(pool_id).await?;
        self.store
            .delete_client(pool_id, id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => client_not_found(id),
                other => other.into(),
            })
    }
}
