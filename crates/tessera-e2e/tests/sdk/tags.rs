//! Tags on a pool: tag, list, untag, and the same tags in DescribeUserPool.

use crate::common::fixtures::create_pool;
use crate::common::{Result, spawn_app};

#[tokio::test]
async fn tags_on_a_pool() -> Result {
    let app = spawn_app().await?;
    let client = &app.client;
    let pool = create_pool(client, "tags").await?;
    let arn = client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await?
        .user_pool()
        .and_then(|p| p.arn())
        .expect("Arn")
        .to_owned();

    client
        .tag_resource()
        .resource_arn(&arn)
        .tags("cost-center", "42")
        .tags("project", "renamed")
        .send()
        .await?;
    let tags = client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await?;
    let tags = tags.tags().expect("Tags");
    assert_eq!(tags.get("cost-center").map(String::as_str), Some("42"));
    assert_eq!(
        tags.get("project").map(String::as_str),
        Some("renamed"),
        "tagging an existing key replaces its value"
    );

    client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("project")
        .send()
        .await?;
    let tags = client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await?;
    let tags = tags.tags().expect("Tags");
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert!(tags.contains_key("cost-center"));

    let described = client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await?;
    assert_eq!(
        described.user_pool().and_then(|p| p.user_pool_tags()),
        Some(tags),
        "DescribeUserPool shows the same tags"
    );
    app.shutdown().await
}
