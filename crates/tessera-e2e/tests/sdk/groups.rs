//! Groups: create, get, update, list across pages, memberships both ways,
//! delete (which ends its memberships).

use aws_sdk_cognitoidentityprovider::operation::delete_group::DeleteGroupError;
use aws_sdk_cognitoidentityprovider::operation::get_group::GetGroupError;

use crate::common::fixtures::{create_pool, create_user};
use crate::common::{Result, spawn_app};

#[tokio::test]
async fn groups_and_memberships() -> Result {
    let app = spawn_app().await?;
    let client = &app.client;
    let pool = create_pool(client, "groups").await?;
    create_user(client, &pool, "dana", "dana@example.com").await?;
    create_user(client, &pool, "eli", "eli@example.com").await?;

    let created = client
        .create_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("Administrators")
        .precedence(1)
        .role_arn("arn:aws:iam::000000000000:role/admin")
        .send()
        .await?;
    let g = created.group().expect("Group");
    assert_eq!(g.group_name(), Some("admins"));
    assert_eq!(g.precedence(), Some(1));
    client
        .create_group()
        .user_pool_id(&pool)
        .group_name("readers")
        .send()
        .await?;

    let got = client
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await?;
    let g = got.group().expect("Group");
    assert_eq!(g.description(), Some("Administrators"));
    assert_eq!(g.role_arn(), Some("arn:aws:iam::000000000000:role/admin"));
    assert_eq!(g.user_pool_id(), Some(pool.as_str()));

    client
        .update_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("Admins")
        .precedence(5)
        .send()
        .await?;
    let got = client
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await?;
    assert_eq!(got.group().and_then(|g| g.description()), Some("Admins"));
    assert_eq!(got.group().and_then(|g| g.precedence()), Some(5));

    let listed = client
        .list_groups()
        .user_pool_id(&pool)
        .limit(1)
        .send()
        .await?;
    assert_eq!(listed.groups().len(), 1);
    let rest = client
        .list_groups()
        .user_pool_id(&pool)
        .limit(1)
        .set_next_token(listed.next_token().map(str::to_owned))
        .send()
        .await?;
    let mut names: Vec<&str> = listed
        .groups()
        .iter()
        .chain(rest.groups())
        .filter_map(|g| g.group_name())
        .collect();
    names.sort();
    assert_eq!(names, ["admins", "readers"]);
    assert!(rest.next_token().is_none());

    for (user, group) in [("dana", "admins"), ("dana", "readers"), ("eli", "admins")] {
        client
            .admin_add_user_to_group()
            .user_pool_id(&pool)
            .username(user)
            .group_name(group)
            .send()
            .await?;
    }
    // Adding again is not an error.
    client
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("dana")
        .group_name("admins")
        .send()
        .await?;

    let for_dana = client
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("dana")
        .send()
        .await?;
    let mut names: Vec<&str> = for_dana
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    names.sort();
    assert_eq!(names, ["admins", "readers"]);

    let in_admins = client
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await?;
    let mut names: Vec<&str> = in_admins
        .users()
        .iter()
        .filter_map(|u| u.username())
        .collect();
    names.sort();
    assert_eq!(names, ["dana", "eli"]);

    client
        .admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("dana")
        .group_name("admins")
        .send()
        .await?;
    let in_admins = client
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await?;
    assert_eq!(
        in_admins
            .users()
            .iter()
            .filter_map(|u| u.username())
            .collect::<Vec<_>>(),
        ["eli"]
    );

    client
        .delete_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await?;
    let err = client
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .expect_err("the group is gone")
        .into_service_error();
    assert!(
        matches!(err, GetGroupError::ResourceNotFoundException(_)),
        "{err:?}"
    );
    let err = client
        .delete_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .expect_err("already deleted")
        .into_service_error();
    assert!(
        matches!(err, DeleteGroupError::ResourceNotFoundException(_)),
        "{err:?}"
    );
    let for_eli = client
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("eli")
        .send()
        .await?;
    assert!(
        for_eli.groups().is_empty(),
        "deleting a group ends its memberships"
    );
    app.shutdown().await
}
