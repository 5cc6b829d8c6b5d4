//! What holds under load and across a restart: concurrent creates of one
//! username admit exactly one, and everything written reads back identical
//! from the same data directory.

use aws_sdk_cognitoidentityprovider::operation::admin_create_user::AdminCreateUserError;

use crate::common::fixtures::{create_pool, create_user};
use crate::common::{Result, spawn_app};

#[tokio::test]
async fn fifty_concurrent_creates_of_one_username_admit_exactly_one() -> Result {
    let app = spawn_app().await?;
    let pool = create_pool(&app.client, "race").await?;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let client = app.client.clone();
            let pool = pool.clone();
            tokio::spawn(async move {
                client
                    .admin_create_user()
                    .user_pool_id(pool)
                    .username("contested")
                    .message_action(
                        aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress,
                    )
                    .send()
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    let mut exists = 0;
    let mut other = Vec::new();
    for t in tasks {
        match t.await? {
            Ok(_) => ok += 1,
            Err(e) => match e.into_service_error() {
                AdminCreateUserError::UsernameExistsException(_) => exists += 1,
                e => other.push(format!("{e:?}")),
            },
        }
    }
    assert!(other.is_empty(), "unexpected errors: {other:?}");
    assert_eq!((ok, exists), (1, 49));
    let users = app.client.list_users().user_pool_id(&pool).send().await?;
    assert_eq!(users.users().len(), 1);
    app.shutdown().await
}

#[tokio::test]
async fn everything_written_is_read_back_after_a_restart() -> Result {
    let app = spawn_app().await?;
    let pool = create_pool(&app.client, "durable").await?;
    let created = app
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("confidential")
        .generate_secret(true)
        .send()
        .await?;
    let client_id = created
        .user_pool_client()
        .and_then(|c| c.client_id())
        .expect("ClientId")
        .to_owned();
    let secret = created
        .user_pool_client()
        .and_then(|c| c.client_secret())
        .expect("ClientSecret")
        .to_owned();
    let user = create_user(&app.client, &pool, "frida", "frida@example.com").await?;
    app.client
        .create_group()
        .user_pool_id(&pool)
        .group_name("staff")
        .precedence(2)
        .send()
        .await?;
    app.client
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("frida")
        .group_name("staff")
        .send()
        .await?;
    let pool_before = app
        .client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await?
        .user_pool()
        .cloned()
        .expect("UserPool");

    let app = app.restart().await?;
    let client = &app.client;

    let pool_after = client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await?
        .user_pool()
        .cloned()
        .expect("UserPool");
    assert_eq!(pool_after, pool_before, "the pool reads back identical");
    let described = client
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await?;
    assert_eq!(
        described.user_pool_client().and_then(|c| c.client_secret()),
        Some(secret.as_str()),
        "the sealed secret opens again after a restart"
    );
    let got = client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("frida")
        .send()
        .await?;
    assert_eq!(got.user_attributes(), user.attributes());
    assert_eq!(got.user_status(), user.user_status());
    let groups = client
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("frida")
        .send()
        .await?;
    assert_eq!(
        groups
            .groups()
            .iter()
            .map(|g| (g.group_name(), g.precedence()))
            .collect::<Vec<_>>(),
        [(Some("staff"), Some(2))]
    );
    app.shutdown().await
}
