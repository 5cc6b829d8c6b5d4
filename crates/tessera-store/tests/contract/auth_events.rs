//! Auth events: kept per user, listed newest first page by page, feedback
//! replaced in place, gone with their owner. The admin audit log: appended,
//! listed oldest first, by pool or whole, and outliving the pool it names.

use serde_json::json;
use tessera_core::domain::auth_event::{AuditEntry, AuthEvent, EventFeedback};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{PageRequest, Store};

use crate::support::*;

fn event(pool: &tessera_core::ids::UserPoolId, sub: &str, n: u32) -> AuthEvent {
    AuthEvent {
        pool_id: pool.clone(),
        sub: sub.to_owned(),
        event_id: format!("00000000-0000-4000-8000-{n:012}"),
        created: later(i64::from(n)),
        record: json!({"EventType": "SignIn", "EventResponse": "Pass", "n": n, "ünï": "✓"}),
        feedback: None,
    }
}

fn entry(pool: Option<&str>, n: u32) -> AuditEntry {
    AuditEntry {
        at: later(i64::from(n)),
        access_key_id: "AKIDEXAMPLE".into(),
        operation: "AdminCreateUser".into(),
        pool_id: pool.map(str::to_owned),
        resource_type: "User".into(),
        resource_id: Some(format!("user{n}")),
    }
}

pub async fn events_are_listed_newest_first_page_by_page_per_user(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Events");
    store.create_pool(&p).await.expect("create_pool");
    let alice = user(&p.id, "alice");
    let bob = user(&p.id, "bob");
    store.create_user(&alice, &[], None).await.expect("alice");
    store.create_user(&bob, &[], None).await.expect("bob");
    for n in 1..=5 {
        store
            .record_auth_event(&event(&p.id, &alice.sub, n))
            .await
            .expect("record");
    }
    store
        .record_auth_event(&event(&p.id, &bob.sub, 9))
        .await
        .expect("record bob's");
    let all = collect_pages(2, |page| {
        let store = store.clone();
        let (pool, sub) = (p.id.clone(), alice.sub.clone());
        async move { store.list_auth_events(&pool, &sub, &page).await }
    })
    .await;
    let expected: Vec<AuthEvent> = (1..=5).rev().map(|n| event(&p.id, &alice.sub, n)).collect();
    assert_eq!(all, expected, "alice's events, newest first");
    assert_not_found(
        "events of an unknown user",
        store
            .list_auth_events(&p.id, &new_sub(), &page(None, 10))
            .await,
    );
    assert_not_found(
        "an event recorded for an unknown user",
        store.record_auth_event(&event(&p.id, &new_sub(), 7)).await,
    );
}

pub async fn feedback_replaces_in_place_and_is_scoped_to_the_owner(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Feedback");
    store.create_pool(&p).await.expect("create_pool");
    let alice = user(&p.id, "alice");
    let bob = user(&p.id, "bob");
    store.create_user(&alice, &[], None).await.expect("alice");
    store.create_user(&bob, &[], None).await.expect("bob");
    let e = event(&p.id, &alice.sub, 1);
    store.record_auth_event(&e).await.expect("record");
    for (value, provider, at) in [("Invalid", "Admin", 10), ("Valid", "User", 11)] {
        let feedback = EventFeedback {
            value: value.into(),
            provider: provider.into(),
            date: later(at),
        };
        store
            .set_auth_event_feedback(&p.id, &alice.sub, &e.event_id, &feedback)
            .await
            .expect("set feedback");
        let got = event_of(store.as_ref(), &p.id, &alice.sub, &e.event_id)
            .await
            .expect("alice's event");
        assert_eq!(got.feedback, Some(feedback));
        assert_eq!(got.record, e.record, "the record never changes");
    }
    let feedback = EventFeedback {
        value: "Valid".into(),
        provider: "Admin".into(),
        date: later(12),
    };
    assert!(
        event_of(store.as_ref(), &p.id, &bob.sub, &e.event_id)
            .await
            .is_none(),
        "another user's event"
    );
    assert_not_found(
        "feedback on another user's event",
        store
            .set_auth_event_feedback(&p.id, &bob.sub, &e.event_id, &feedback)
            .await,
    );
    assert_not_found(
        "feedback on an unknown event",
        store
            .set_auth_event_feedback(&p.id, &alice.sub, "nope", &feedback)
            .await,
    );
}

pub async fn events_go_with_their_user(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("EventsGone");
    store.create_pool(&p).await.expect("create_pool");
    let alice = user(&p.id, "alice");
    store.create_user(&alice, &[], None).await.expect("alice");
    let e = event(&p.id, &alice.sub, 1);
    store.record_auth_event(&e).await.expect("record");
    store.delete_user(&p.id, &alice.sub).await.expect("delete");
    let again = user(&p.id, "alice");
    store.create_user(&again, &[], None).await.expect("again");
    let listing = store
        .list_auth_events(&p.id, &again.sub, &page(None, 10))
        .await
        .expect("list");
    assert!(listing.items.is_empty(), "a new user starts with no events");
    store
        .record_auth_event(&e.clone().with_sub(&again.sub))
        .await
        .expect("an event id of a deleted user's event is free again");
}

trait WithSub {
    fn with_sub(self, sub: &str) -> Self;
}

impl WithSub for AuthEvent {
    fn with_sub(mut self, sub: &str) -> Self {
        self.sub = sub.to_owned();
        self
    }
}

pub async fn the_audit_log_lists_oldest_first_by_pool_and_outlives_the_pool(engine: &Engine) {
    let store = engine.open().await;
    let p = pool("Audited");
    store.create_pool(&p).await.expect("create_pool");
    let other = pool("Other");
    store.create_pool(&other).await.expect("create_pool");
    let mut expected_all = Vec::new();
    for n in 1..=5 {
        let which = if n % 2 == 0 { &other.id } else { &p.id };
        let e = entry(Some(which.as_str()), n);
        store.append_audit_entry(&e).await.expect("append");
        expected_all.push(e);
    }
    let e = entry(None, 6);
    store.append_audit_entry(&e).await.expect("append");
    expected_all.push(e);
    store.delete_pool(&p.id).await.expect("delete_pool");
    let all = collect_pages(2, |page| {
        let store = store.clone();
        async move { store.list_audit_entries(None, &page).await }
    })
    .await;
    assert_eq!(all, expected_all, "every entry, oldest first");
    let of_pool = collect_pages(1, |page| {
        let store = store.clone();
        let id = p.id.as_str().to_owned();
        async move { store.list_audit_entries(Some(&id), &page).await }
    })
    .await;
    let expected: Vec<AuditEntry> = [1, 3, 5]
        .into_iter()
        .map(|n| entry(Some(p.id.as_str()), n))
        .collect();
    assert_eq!(of_pool, expected, "the deleted pool's entries remain");
}

/// The user's event with `event_id`, as the listing gives it.
async fn event_of(
    store: &dyn Store,
    pool: &UserPoolId,
    sub: &str,
    event_id: &str,
) -> Option<AuthEvent> {
    store
        .list_auth_events(
            pool,
            sub,
            &PageRequest {
                after: None,
                limit: 60,
            },
        )
        .await
        .expect("list_auth_events")
        .items
        .into_iter()
        .find(|e| e.event_id == event_id)
}
