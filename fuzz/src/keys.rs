//! The keys the seed corpus was made with, so that seeds are real, valid
//! requests and tokens the fuzzer mutates from: botocore's SigV4 example
//! credentials at the instant tessera-crypto's SigV4 vectors were signed, and
//! the RSA test key of its JWT vectors (PyJWT signed those tokens).

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use tessera_crypto::jwt::{PublicKey, SigningKey};

pub const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2024-05-24T12:00:00Z, in seconds: the seeds' `X-Amz-Date`.
pub const NOW: i64 = 1_716_552_000;

const JWT_VECTORS: &str =
    include_str!("../../crates/tessera-crypto/tests/vectors/jwt_rs256_vectors.json");

pub struct JwtKeys {
    pub signing: SigningKey,
    pub public: PublicKey,
}

/// The JWT vectors' test key (panics if the vectors file changed shape: the
/// fuzz build is then out of date, not the input at fault).
pub static JWT: LazyLock<JwtKeys> = LazyLock::new(|| {
    let vectors: Value = serde_json::from_str(JWT_VECTORS).expect("the JWT vectors are JSON");
    let der = STANDARD
        .decode(vectors["pkcs8_der_b64"].as_str().expect("pkcs8_der_b64"))
        .expect("base64");
    let signing = SigningKey::from_pkcs8(&der).expect("the vectors' key loads");
    let public = signing.public_key();
    JwtKeys { signing, public }
});
