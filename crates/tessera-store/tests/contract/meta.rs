//! The meta table: small named values kept with the data.

use crate::support::Engine;

pub async fn missing_key_reads_as_none(engine: &Engine) {
    let store = engine.open().await;
    assert_eq!(
        store.get_meta("never-written").await.expect("get_meta"),
        None
    );
}

pub async fn init_meta_keeps_the_first_value(engine: &Engine) {
    let store = engine.open().await;
    let first = store
        .init_meta("kek-check", b"\x00first\xff")
        .await
        .expect("first init_meta");
    assert_eq!(
        first, b"\x00first\xff",
        "the first init returns its own value"
    );

    let second = store
        .init_meta("kek-check", b"second")
        .await
        .expect("second init_meta");
    assert_eq!(
        second, b"\x00first\xff",
        "a later init returns the kept value"
    );
    assert_eq!(
        store.get_meta("kek-check").await.expect("get_meta"),
        Some(b"\x00first\xff".to_vec())
    );

    // Keys are independent.
    let other = store.init_meta("other", b"x").await.expect("init other");
    assert_eq!(other, b"x");
    assert_eq!(
        store.get_meta("kek-check").await.expect("get_meta"),
        Some(b"\x00first\xff".to_vec())
    );
}

pub async fn concurrent_init_meta_agrees_on_one_value(engine: &Engine) {
    let store = engine.open().await;
    let tasks: Vec<_> = (0..20u8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.init_meta("race", &[i]).await })
        })
        .collect();
    let mut kept = Vec::new();
    for task in tasks {
        kept.push(task.await.expect("task").expect("init_meta"));
    }
    let stored = store
        .get_meta("race")
        .await
        .expect("get_meta")
        .expect("a value was kept");
    assert!(
        kept.iter().all(|v| *v == stored),
        "every caller must be told the one value kept ({stored:?}); got {kept:?}"
    );
}
