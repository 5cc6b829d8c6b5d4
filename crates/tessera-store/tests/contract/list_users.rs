//! `list_users`: unfiltered and with the ListUsers filters (`=` exact, `^=`
//! prefix), paginated with no duplicates or gaps.

use std::sync::Arc;

use tessera_core::domain::filter::{Match, UserFilter};
use tessera_core::domain::user::{User, UserStatus};
use tessera_core::ids::UserPoolId;
use tessera_core::store::Store;

use crate::support::*;

fn exact(attribute: &'static str, value: &str) -> UserFilter {
    UserFilter {
        attribute,
        matching: Match::Exact,
        value: value.to_owned(),
    }
}

fn prefix(attribute: &'static str, value: &str) -> UserFilter {
    UserFilter {
        attribute,
        matching: Match::Prefix,
        value: value.to_owned(),
    }
}

/// Every user the filter lists, following pages of `limit`.
async fn listed(
    store: &Arc<dyn Store>,
    pool: &UserPoolId,
    filter: Option<UserFilter>,
    limit: usize,
) -> Vec<User> {
    collect_pages(limit, |pg| {
        let store = store.clone();
        let pool = pool.clone();
        let filter = filter.clone();
        async move { store.list_users(&pool, filter.as_ref(), &pg).await }
    })
    .await
}

/// The usernames the filter lists, following pages of `limit`, in listing order.
async fn listed_names(
    store: &Arc<dyn Store>,
    pool: &UserPoolId,
    filter: Option<UserFilter>,
    limit: usize,
) -> Vec<String> {
    listed(store, pool, filter, limit)
        .await
        .into_iter()
        .map(|u| u.username)
        .collect()
}

/// Creates one user per value of `attribute`, named `u<index>`; returns the names.
async fn users_with(
    store: &Arc<dyn Store>,
    pool: &UserPoolId,
    attribute: &str,
    values: &[&str],
) -> Vec<String> {
    let mut names = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let name = format!("u{i:03}");
        store
            .create_user(&with_attr(user(pool, &name), attribute, value), &[], None)
            .await
            .expect("create_user");
        names.push(name);
    }
    names
}

fn names_of(names: &[String], values: &[&str], keep: impl Fn(&str) -> bool) -> Vec<String> {
    names
        .iter()
        .zip(values)
        .filter(|(_, v)| keep(v))
        .map(|(n, _)| n.clone())
        .collect()
}

async fn new_pool(store: &Arc<dyn Store>, suffix: &str) -> UserPoolId {
    let p = pool(suffix);
    store.create_pool(&p).await.expect("create_pool");
    p.id
}

pub async fn unfiltered_pages_through_every_user_once(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "ListAll").await;
    let other = new_pool(&store, "ListOther").await;
    let mut expected = Vec::new();
    for i in 0..23 {
        let u = user_with_email(&p, &format!("user{i:02}"), &format!("u{i}@example.com"));
        store.create_user(&u, &[], None).await.expect("create_user");
        expected.push(u.sub);
        if i % 4 == 0 {
            store
                .create_user(&user(&other, &format!("user{i:02}")), &[], None)
                .await
                .expect("create in the other pool");
        }
    }
    for limit in [1, 4, 23, 60] {
        let got = listed(&store, &p, None, limit).await;
        assert!(
            got.iter().all(|u| u.aliases.len() == 1),
            "listed users come with their aliases"
        );
        assert_same_set(
            &format!("unfiltered, limit {limit}"),
            got.into_iter().map(|u| u.sub).collect(),
            expected.clone(),
        );
    }
}

pub async fn exact_filter_pages_without_duplicates_or_gaps(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "Exact").await;
    // Matching users are interleaved with near misses, so pages cannot follow creation order.
    let mut values = Vec::new();
    for i in 0..14 {
        values.push("Smith");
        values.push(if i % 2 == 0 { "Smithson" } else { "smith" });
        if i % 3 == 0 {
            values.push("Smit");
        }
    }
    let names = users_with(&store, &p, "family_name", &values).await;
    store
        .create_user(&user(&p, "no-family-name"), &[], None)
        .await
        .expect("create");
    let expected = names_of(&names, &values, |v| v == "Smith");
    assert_eq!(expected.len(), 14);
    for limit in [1, 3, 5, 14] {
        assert_same_set(
            &format!("family_name = Smith, limit {limit}"),
            listed_names(&store, &p, Some(exact("family_name", "Smith")), limit).await,
            expected.clone(),
        );
    }
}

pub async fn prefix_filter_pages_without_duplicates_or_gaps(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "Prefix").await;
    let values = [
        "ab@example.com",
        "abc@example.com",
        "b@example.com",
        "ab.zed@example.com",
        "a@example.com",
        "abz@example.com",
        "xab@example.com",
        "ab0@example.com",
        "aab@example.com",
        "ab_1@example.com",
        "ab-2@example.com",
        "ac@example.com",
        "ab~@example.com",
        "abcdefghijklmnopqrstuvwxyz@example.com",
        "ab+tag@example.com",
        "Ab@example.com",
        "abab@example.com",
        "ab9@example.com",
        "b-ab@example.com",
        "ab!@example.com",
        "ab%@example.com",
    ];
    let names = users_with(&store, &p, "email", &values).await;
    let expected = names_of(&names, &values, |v| v.starts_with("ab"));
    assert_eq!(expected.len(), 14);
    for limit in [1, 2, 3, 4, 7, 14] {
        assert_same_set(
            &format!("email ^= ab, limit {limit}"),
            listed_names(&store, &p, Some(prefix("email", "ab")), limit).await,
            expected.clone(),
        );
    }
}

pub async fn prefix_filter_pages_through_equal_values(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "Ties").await;
    let mut values = Vec::new();
    for i in 0..11 {
        values.push("Ann");
        if i < 4 {
            values.push("Anna");
        }
        if i < 3 {
            values.push("Annie");
        }
        if i < 5 {
            values.push("Bob");
        }
    }
    let names = users_with(&store, &p, "name", &values).await;
    let expected = names_of(&names, &values, |v| v.starts_with("Ann"));
    assert_eq!(expected.len(), 18);
    for limit in [1, 2, 5, 11] {
        assert_same_set(
            &format!("name ^= Ann, limit {limit}"),
            listed_names(&store, &p, Some(prefix("name", "Ann")), limit).await,
            expected.clone(),
        );
        assert_same_set(
            &format!("name = Ann, limit {limit}"),
            listed_names(&store, &p, Some(exact("name", "Ann")), limit).await,
            names_of(&names, &values, |v| v == "Ann"),
        );
    }
}

pub async fn prefix_does_not_match_shorter_or_other_values(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "NoMatch").await;
    let values = [
        "a", "ab", "abc", "abcd", "abd", "b", "bab", "aab", "ac", "ab c", "abb",
    ];
    let names = users_with(&store, &p, "given_name", &values).await;
    for wanted in ["abc", "ab", "b", "a", "abcde", "z", "ab c", "bb"] {
        let got = listed_names(&store, &p, Some(prefix("given_name", wanted)), 2).await;
        assert_same_set(
            &format!("given_name ^= {wanted:?}"),
            got,
            names_of(&names, &values, |v| v.starts_with(wanted)),
        );
    }
}

pub async fn exact_does_not_match_prefixes_or_extensions(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "ExactOnly").await;
    let values = ["ab", "abc", "a", "ab ", " ab", "AB"];
    let names = users_with(&store, &p, "given_name", &values).await;
    for wanted in ["ab", "a", "abc", "b", "ab "] {
        assert_same_set(
            &format!("given_name = {wanted:?}"),
            listed_names(&store, &p, Some(exact("given_name", wanted)), 3).await,
            names_of(&names, &values, |v| v == wanted),
        );
    }
}

pub async fn unicode_prefixes_match_by_characters(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "Unicode").await;
    let values = [
        "été",
        "ete",
        "étage",
        "éa",
        "e\u{301}te", // e + combining acute: starts with "e", not "é"
        "日本語",
        "日本",
        "日曜",
        "🙂smile",
        "🙂",
        "🙃",
        "Ωmega",
        "ω",
        "\u{FFFD}x",
        "\u{FFFF}y",
        "z\u{10000}",
        "ée",
        "éz",
        "éé",
        "é",
    ];
    let names = users_with(&store, &p, "name", &values).await;
    for wanted in [
        "é", "e", "日本", "日", "🙂", "🙃", "Ω", "\u{FFFD}", "\u{FFFF}", "z", "éé",
    ] {
        for limit in [1, 2, 50] {
            assert_same_set(
                &format!("name ^= {wanted:?}, limit {limit}"),
                listed_names(&store, &p, Some(prefix("name", wanted)), limit).await,
                names_of(&names, &values, |v| v.starts_with(wanted)),
            );
        }
    }
    assert_same_set(
        "name = 日本",
        listed_names(&store, &p, Some(exact("name", "日本")), 1).await,
        names_of(&names, &values, |v| v == "日本"),
    );
}

/// A prefix listing bounded above by "prefix + U+10FFFF" misses values that
/// continue with U+10FFFF itself; the contract is "starts with", whatever follows.
pub async fn prefix_matches_values_continuing_with_the_highest_code_point(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "MaxChar").await;
    let values = ["ab\u{10FFFF}", "ab\u{10FFFF}z", "ab", "ac"];
    let names = users_with(&store, &p, "name", &values).await;
    assert_same_set(
        "name ^= ab",
        listed_names(&store, &p, Some(prefix("name", "ab")), 10).await,
        names_of(&names, &values, |v| v.starts_with("ab")),
    );
}

pub async fn empty_prefix_matches_users_having_the_attribute(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "EmptyPrefix").await;
    let values = ["x", "y", "", "zzz", "日本", "\u{10FFFE}"];
    let names = users_with(&store, &p, "name", &values).await;
    store
        .create_user(&user(&p, "no-name"), &[], None)
        .await
        .expect("create");
    store
        .create_user(
            &with_attr(user(&p, "nickname-only"), "nickname", "x"),
            &[],
            None,
        )
        .await
        .expect("create");
    assert_same_set(
        "name ^= \"\"",
        listed_names(&store, &p, Some(prefix("name", "")), 2).await,
        names,
    );
}

pub async fn filters_follow_updates_and_deletes(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "Follow").await;
    let u = with_attr(user(&p, "tess"), "family_name", "Old");
    store.create_user(&u, &[], None).await.expect("create");
    let bystander = with_attr(user(&p, "uma"), "family_name", "Older");
    store
        .create_user(&bystander, &[], None)
        .await
        .expect("create");

    let mut changed = u.clone();
    changed
        .attributes
        .insert("family_name".into(), "New".into());
    changed.modified = later(1);
    store.update_user(&changed, &[]).await.expect("update");

    assert_eq!(
        listed_names(&store, &p, Some(exact("family_name", "Old")), 5).await,
        Vec::<String>::new(),
        "the old value no longer matches"
    );
    assert_eq!(
        listed_names(&store, &p, Some(prefix("family_name", "Old")), 5).await,
        vec!["uma".to_owned()]
    );
    assert_eq!(
        listed_names(&store, &p, Some(exact("family_name", "New")), 5).await,
        vec!["tess".to_owned()]
    );
    assert_eq!(
        listed_names(&store, &p, Some(prefix("family_name", "Ne")), 5).await,
        vec!["tess".to_owned()]
    );

    // Removing the attribute removes the user from its filters.
    let mut removed = changed.clone();
    removed.attributes.remove("family_name");
    store.update_user(&removed, &[]).await.expect("update");
    assert!(
        listed_names(&store, &p, Some(prefix("family_name", "")), 5)
            .await
            .iter()
            .all(|n| n != "tess")
    );

    store.delete_user(&p, &bystander.sub).await.expect("delete");
    assert_eq!(
        listed_names(&store, &p, Some(prefix("family_name", "Old")), 5).await,
        Vec::<String>::new(),
        "a deleted user is not listed"
    );
}

pub async fn filters_on_username_status_and_enabled(engine: &Engine) {
    let store = engine.open().await;
    let p = new_pool(&store, "Builtin").await;
    // In a case-insensitive pool the key is lower-cased; `username` filters on the key.
    let mut zed = user(&p, "Zed");
    zed.username_key = "zed".into();
    zed.status = UserStatus::ForceChangePassword;
    store.create_user(&zed, &[], None).await.expect("create");
    let mut zelda = user(&p, "zelda");
    zelda.enabled = false;
    store.create_user(&zelda, &[], None).await.expect("create");
    let yann = user(&p, "yann");
    store.create_user(&yann, &[], None).await.expect("create");

    let names = |f| {
        let store = store.clone();
        let p = p.clone();
        async move {
            let mut n = listed_names(&store, &p, Some(f), 1).await;
            n.sort();
            n
        }
    };
    assert_eq!(names(exact("username", "zed")).await, vec!["Zed"]);
    assert_eq!(names(prefix("username", "ze")).await, vec!["Zed", "zelda"]);
    assert_eq!(
        names(exact("cognito:user_status", "FORCE_CHANGE_PASSWORD")).await,
        vec!["Zed"]
    );
    assert_eq!(
        names(exact("cognito:user_status", "CONFIRMED")).await,
        vec!["yann", "zelda"]
    );
    assert_eq!(names(exact("status", "Disabled")).await, vec!["zelda"]);
    assert_eq!(names(exact("status", "Enabled")).await, vec!["Zed", "yann"]);
    assert_eq!(names(exact("sub", &yann.sub)).await, vec!["yann"]);

    // Status and enabled changes move users between these filters.
    let mut enabled = zelda.clone();
    enabled.enabled = true;
    enabled.status = UserStatus::ResetRequired;
    store.update_user(&enabled, &[]).await.expect("update");
    assert_eq!(
        names(exact("status", "Disabled")).await,
        Vec::<String>::new()
    );
    assert_eq!(
        names(exact("cognito:user_status", "RESET_REQUIRED")).await,
        vec!["zelda"]
    );
}

pub async fn filters_are_scoped_to_the_pool(engine: &Engine) {
    let store = engine.open().await;
    let a = new_pool(&store, "FilterA").await;
    let b = new_pool(&store, "FilterB").await;
    store
        .create_user(
            &with_attr(user(&a, "in-a"), "email", "same@example.com"),
            &[],
            None,
        )
        .await
        .expect("create");
    store
        .create_user(
            &with_attr(user(&b, "in-b"), "email", "same@example.com"),
            &[],
            None,
        )
        .await
        .expect("create");
    assert_eq!(
        listed_names(&store, &a, Some(exact("email", "same@example.com")), 5).await,
        vec!["in-a"]
    );
    assert_eq!(
        listed_names(&store, &b, Some(prefix("email", "same")), 5).await,
        vec!["in-b"]
    );
}
