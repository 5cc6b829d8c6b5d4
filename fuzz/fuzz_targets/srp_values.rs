//! SRP values from clients and from storage: SRP_A (hex), a stored verifier
//! (bytes), A kept in server state (bytes), TIMESTAMP, PASSWORD_CLAIM_* against
//! pycognito's vector, and SECRET_HASH.
//!
//! Input: a first byte picking the value, then:
//! - `A` SRP_A hex; what parses writes back (hex and bytes) as the same A;
//! - `a` A as big-endian bytes;
//! - `V` a verifier's encoding; what reads writes back byte for byte;
//! - `T` a TIMESTAMP; what parses formats back to the same instant;
//! - `C` lines SRP_A, PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP,
//!   PASSWORD_CLAIM_SIGNATURE, USER_ID_FOR_SRP: only pycognito's own claim
//!   verifies (the seed holds it);
//! - `H` lines client secret, username, client id, SECRET_HASH.
#![no_main]

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tessera_crypto::srp::{self, PublicA, ServerEphemeral, Verifier};
use tessera_fuzz::text::fields;

const PYCOGNITO: &str =
    include_str!("../../crates/tessera-crypto/tests/vectors/srp_pycognito_vectors.json");

/// pycognito's first case: the server's side, and what the client sent.
struct Vector {
    pool_name: String,
    user_id: String,
    verifier: Verifier,
    ephemeral: ServerEphemeral,
    a: PublicA,
    secret_block: Vec<u8>,
    timestamp: String,
    signature: Vec<u8>,
}

static VECTOR: LazyLock<Vector> = LazyLock::new(|| {
    let doc: Value = serde_json::from_str(PYCOGNITO).expect("the SRP vectors are JSON");
    let case = &doc["cases"][0];
    let text = |key: &str| case[key].as_str().expect("a vector field").to_owned();
    let bytes = |key: &str| hex::decode(text(key)).expect("a hex field");
    let vector = Vector {
        verifier: srp::make_verifier_with_salt(
            &bytes("salt_bytes_hex"),
            &text("pool_name"),
            &text("user_id_for_srp"),
            &text("password"),
        ),
        ephemeral: ServerEphemeral {
            secret_b: bytes("b_hex"),
            public_b: hex::decode(format!("{:0>768}", text("srp_b"))).expect("SRP_B"),
        },
        a: srp::parse_public_a(&text("srp_a")).expect("SRP_A"),
        secret_block: STANDARD
            .decode(text("secret_block_b64"))
            .expect("SECRET_BLOCK"),
        timestamp: text("timestamp"),
        signature: STANDARD.decode(text("signature")).expect("signature"),
        pool_name: text("pool_name"),
        user_id: text("user_id_for_srp"),
    };
    assert!(
        srp::verify_claim(
            &vector.verifier,
            &vector.a,
            &vector.ephemeral,
            &vector.pool_name,
            &vector.user_id,
            &vector.secret_block,
            &vector.timestamp,
            &STANDARD.encode(&vector.signature),
        ),
        "pycognito's claim verifies"
    );
    vector
});

fn public_a(a: PublicA) {
    assert_eq!(PublicA::from_bytes(&a.to_bytes()), Ok(a.clone()));
    assert_eq!(srp::parse_public_a(&a.to_hex()), Ok(a.clone()));
    let _ = format!("{a:?}");
}

fn claim(input: &str) {
    let [srp_a, block, timestamp, signature, user_id] = fields(input, 5)[..] else {
        return;
    };
    let Ok(a) = srp::parse_public_a(srp_a) else {
        return;
    };
    let v = &*VECTOR;
    let block = STANDARD
        .decode(block)
        .unwrap_or_else(|_| block.as_bytes().to_vec());
    let user_id = if user_id.is_empty() {
        &v.user_id
    } else {
        user_id
    };
    let verified = srp::verify_claim(
        &v.verifier,
        &a,
        &v.ephemeral,
        &v.pool_name,
        user_id,
        &block,
        timestamp,
        signature,
    );
    if verified {
        assert_eq!(a, v.a);
        assert_eq!(block, v.secret_block);
        assert_eq!(timestamp, v.timestamp);
        assert_eq!(user_id, v.user_id);
        assert_eq!(
            STANDARD.decode(signature.trim()).ok(),
            Some(v.signature.clone())
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else {
        return;
    };
    let text = std::str::from_utf8(rest);
    match (mode, text) {
        (b'A', Ok(hex)) => {
            if let Ok(a) = srp::parse_public_a(hex) {
                public_a(a);
            }
        }
        (b'a', _) => {
            if let Ok(a) = PublicA::from_bytes(rest) {
                public_a(a);
            }
        }
        (b'V', _) => {
            if let Ok(v) = Verifier::from_bytes(rest) {
                assert_eq!(v.to_bytes(), rest);
                let _ = srp::salt_hex(&v);
                let _ = format!("{v:?}");
            }
        }
        (b'T', Ok(timestamp)) => {
            if let Some(at) = srp::parse_timestamp(timestamp) {
                let formatted = srp::format_timestamp(at);
                assert_eq!(srp::parse_timestamp(&formatted), Some(at), "{formatted}");
            }
        }
        (b'C', Ok(input)) => claim(input),
        (b'H', Ok(input)) => {
            let [secret, username, client_id, given] = fields(input, 4)[..] else {
                return;
            };
            let matches = srp::secret_hash_matches(secret, username, client_id, given);
            let expected = srp::secret_hash(secret, username, client_id);
            if given.trim() == expected {
                assert!(matches);
            }
        }
        _ => {}
    }
});
