//! A purge round over a real SQLite store: it follows the services' clock and
//! loops over bounded batches until nothing expired is left.

use serde_json::json;
use tessera_core::clock::Clock;
use tessera_core::domain::code::{CodePurpose, CodeRecord};
use tessera_core::store::Store;

mod support;

use support::harness;

#[tokio::test]
async fn a_round_follows_the_clock_and_loops_over_batches_until_nothing_is_left() {
    let h = harness();
    let pool = h.pool(json!({})).await;
    for n in 0..7 {
        let name = format!("user{n}");
        h.user(&pool, &name, &[], "Passw0rd!").await;
        let user = h.services.admin_get_user(&pool, &name).await.expect("get");
        h.store
            .put_code(&CodeRecord {
                pool_id: pool.clone(),
                sub: user.sub,
                purpose: CodePurpose::ResetPassword,
                code_hash: vec![n; 32],
                expires: h.clock.now().plus_seconds(60),
            })
            .await
            .expect("put_code");
    }
    let early = h.services.purge_expired(3).await.expect("purge");
    assert_eq!(early.purged.codes, 0, "no code has expired yet");
    assert!(!early.skipped);

    h.clock.advance_seconds(60);
    let round = h.services.purge_expired(3).await.expect("purge");
    assert_eq!(round.purged.codes, 7, "batches of three, then one");
    assert!(!round.skipped);
    let again = h.services.purge_expired(3).await.expect("purge");
    assert_eq!(again.purged.total(), 0, "nothing is left to purge");
}
