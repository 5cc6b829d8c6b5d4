//! Pools, clients, groups and users declared in the config file, created at
//! start when missing. Running it again changes nothing, and several nodes
//! running it at once over one database create each resource once: a pool or
//! client declared without an id gets one derived from its name, so every
//! node creates the same one, and a create that loses to another node's is
//! taken as done.

use anyhow::Context;
use serde_json::{Map, Value};
use tessera_core::Error;
use tessera_core::domain::schema::SchemaAttributeInput;
use tessera_core::ids::{ClientId, GroupName, UserPoolId};
use tessera_core::services::Services;
use tessera_core::services::clients::CreateClient;
use tessera_core::services::groups::GroupInput;
use tessera_core::services::pools::CreatePool;
use tessera_core::services::users::{CreateUser, MessageAction};
use tessera_crypto::derived;

use tessera_http::awsjson::Service;
use tessera_http::user_pools::{Operation, UserPools};

use crate::config::{DeclaredClient, DeclaredPool, DeclaredUser};

fn members(table: &toml::Table) -> anyhow::Result<Map<String, Value>> {
    match serde_json::to_value(table)? {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}

/// Declared resources pass the same input checks as the operation that
/// creates them, so a file cannot store what the API would refuse.
fn check(
    op: Operation,
    mut input: Map<String, Value>,
    required: &[(&str, Value)],
) -> anyhow::Result<()> {
    for (name, value) in required {
        input.insert((*name).to_owned(), value.clone());
    }
    UserPools::validate(op, &Value::Object(input)).map_err(|e| anyhow::anyhow!("{}", e.message()))
}

/// Creates what is missing; `region` prefixes the ids derived for pools.
pub async fn apply(
    services: &Services,
    region: &str,
    pools: &[DeclaredPool],
) -> anyhow::Result<()> {
    for declared in pools {
        let pool_id = ensure_pool(services, region, declared)
            .await
            .with_context(|| format!("declared pool {:?}", declared.name))?;
        for client in &declared.clients {
            ensure_client(services, &pool_id, client)
                .await
                .with_context(|| format!("declared client {:?}", client.name))?;
        }
        for group in &declared.groups {
            let created = services
                .create_group(GroupInput {
                    pool_id: pool_id.clone(),
                    name: GroupName::new(&group.name),
                    description: group.description.clone(),
                    precedence: group.precedence,
                    role_arn: group.role_arn.clone(),
                })
                .await;
            match created {
                Ok(_) | Err(Error::GroupExists(_)) => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("declared group {:?}", group.name));
                }
            }
        }
        for user in &declared.users {
            ensure_user(services, &pool_id, user)
                .await
                .with_context(|| format!("declared user {:?}", user.username))?;
        }
    }
    Ok(())
}

async fn ensure_pool(
    services: &Services,
    region: &str,
    declared: &DeclaredPool,
) -> anyhow::Result<UserPoolId> {
    let mut members = members(&declared.settings)?;
    check(
        Operation::CreateUserPool,
        members.clone(),
        &[("PoolName", Value::from(declared.name.as_str()))],
    )?;
    let schema: Vec<SchemaAttributeInput> = match members.remove("Schema") {
        Some(v) => serde_json::from_value(v).context("Schema")?,
        None => Vec::new(),
    };
    let tags = match members.remove("UserPoolTags") {
        Some(v) => serde_json::from_value(v).context("UserPoolTags")?,
        None => Default::default(),
    };
    let input = CreatePool {
        name: declared.name.clone(),
        members,
        schema,
        tags,
    };
    let id = match &declared.id {
        Some(id) => UserPoolId::new(id),
        None => {
            // A pool created before ids were derived is found by its name.
            let mut token = None;
            loop {
                let page = services.list_pools(60, token.as_deref()).await?;
                if let Some(p) = page.items.iter().find(|p| p.name == declared.name) {
                    return Ok(p.id.clone());
                }
                match page.next {
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
            UserPoolId::new(format!(
                "{region}_{}",
                derived::alphanumeric(format!("pool {}", declared.name).as_bytes(), 9)
            ))
        }
    };
    match services.describe_pool(&id).await {
        Ok(_) => return Ok(id),
        Err(Error::ResourceNotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    match services.create_pool_with_id(id.clone(), input).await {
        Ok(pool) => Ok(pool.id),
        Err(e) => match services.describe_pool(&id).await {
            Ok(_) => Ok(id),
            Err(_) => Err(e.into()),
        },
    }
}

async fn ensure_client(
    services: &Services,
    pool_id: &UserPoolId,
    declared: &DeclaredClient,
) -> anyhow::Result<()> {
    if declared.id.is_none() {
        // A client created before ids were derived is found by its name.
        let mut token = None;
        loop {
            let page = services
                .list_clients(pool_id, Some(60), token.as_deref())
                .await?;
            if page.items.iter().any(|c| c.name == declared.name) {
                return Ok(());
            }
            match page.next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    let id = match &declared.id {
        Some(id) => ClientId::new(id),
        None => ClientId::new(derived::alphanumeric_lower(
            format!("client {pool_id} {}", declared.name).as_bytes(),
            26,
        )),
    };
    match services.describe_client(pool_id, &id).await {
        Ok(_) => return Ok(()),
        Err(Error::ResourceNotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let settings = members(&declared.settings)?;
    check(
        Operation::CreateUserPoolClient,
        settings.clone(),
        &[
            ("UserPoolId", Value::from(pool_id.as_str())),
            ("ClientName", Value::from(declared.name.as_str())),
        ],
    )?;
    let created = services
        .create_client(CreateClient {
            pool_id: pool_id.clone(),
            name: declared.name.clone(),
            generate_secret: declared.generate_secret,
            id: Some(id.clone()),
            members: settings,
        })
        .await;
    match created {
        Ok(_) => Ok(()),
        Err(e) => match services.describe_client(pool_id, &id).await {
            Ok(_) => Ok(()),
            Err(_) => Err(e.into()),
        },
    }
}

async fn ensure_user(
    services: &Services,
    pool_id: &UserPoolId,
    declared: &DeclaredUser,
) -> anyhow::Result<()> {
    match services.admin_get_user(pool_id, &declared.username).await {
        Ok(_) => return Ok(()),
        Err(Error::UserNotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let created = services
        .admin_create_user(CreateUser {
            validation_data: Default::default(),
            client_metadata: Default::default(),
            pool_id: pool_id.clone(),
            username: declared.username.clone(),
            attributes: declared
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            temporary_password: None,
            force_alias_creation: false,
            message_action: MessageAction::Suppress,
            delivery_mediums: Vec::new(),
        })
        .await;
    match created {
        Ok(_) => {}
        // Another node created it just now, and sets it up.
        Err(Error::UsernameExists(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    if let Some(password) = &declared.password {
        services
            .admin_set_user_password(pool_id, &declared.username, password.expose(), true)
            .await?;
    }
    for group in &declared.groups {
        services
            .admin_add_user_to_group(pool_id, &declared.username, &GroupName::new(group))
            .await?;
    }
    Ok(())
}
