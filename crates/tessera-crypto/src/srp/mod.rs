//! Cognito's SRP-6a variant (`USER_SRP_AUTH`, `PASSWORD_SRP`, device SRP): the server
//! side, the password check every other password flow uses, and a client
//! ([`client`]) that computes exactly what amazon-cognito-identity-js and pycognito
//! compute, for tests and the load generator.
//!
//! The formulas and encodings are those of `shared/reference/srp.md`:
//! g = 2, N = the RFC 3526 3072-bit prime, SHA-256 throughout,
//! k = H(padHex(N) ‖ padHex(g)), x = H(padHex(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)),
//! v = g^x, B = k·v + g^b, u = H(padHex(A) ‖ padHex(B)), S = (A·v^u)^b,
//! K = HKDF-SHA256(ikm = padHex(S), salt = padHex(u), info = "Caldera Derived Key")[..16],
//! signature = HMAC-SHA256(K, poolName ‖ userId ‖ SECRET_BLOCK ‖ TIMESTAMP).
//! Every `padHex` here is the minimal two's-complement big-endian encoding of a
//! non-negative integer (a `00` byte in front when the top bit is set).
//!
//! Costs (CPU time on one core of the reference machine, release build, measured with
//! `cargo bench -p tessera-crypto --bench srp`): a password check or a new verifier is
//! one fixed-base power of g, ≈ 0.12 ms, from a 1 MiB table built once per process
//! (≈ 10 ms, see [`warm_up`]); a challenge is one fixed-base power, ≈ 0.13 ms; checking
//! a claim is two 256-bit exponentiations of variable bases, ≈ 1.55 ms.
//! Secret exponents (x, b) are 256 bits, the size SHA-256 gives x and the 128-bit
//! security level of the 3072-bit group asks of b. All arithmetic on secrets is
//! constant-time (see `group.rs`).
//!
//! The crate does no I/O and reads no clock: timestamps are formatted and parsed here,
//! the caller checks them against its `Clock`.

mod group;
mod timestamp;

pub mod client;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod vector_tests;

use std::fmt;

use aws_lc_rs::{digest, hmac};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::random;
use group::{BYTES, LIMBS, Limbs};

pub use timestamp::{format_timestamp, parse_timestamp};

/// The RFC 3526 §4 3072-bit MODP prime (group 15), upper-case hex without breaks.
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D",
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D",
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9",
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B",
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31",
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// Bytes of randomness in a new salt (what the SDKs use for device verifiers).
const SALT_LEN: usize = 16;
/// Bytes in the server's secret exponent b.
const SECRET_B_LEN: usize = 32;
/// Version byte of [`Verifier::to_bytes`].
const VERIFIER_ENCODING_V1: u8 = 1;
/// HKDF info, followed by the counter byte 0x01.
const HKDF_INFO: &[u8] = b"Caldera Derived Key\x01";
/// Longest SRP_A / SRP_B hex accepted (768 digits plus generous leading zeros).
const MAX_PUBLIC_HEX: usize = 2048;

/// What can be wrong with SRP input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    /// SRP_A (or SRP_B) is not hex, is too long, or is ≡ 0 mod N / not below N.
    #[error("the SRP public value is malformed or out of range")]
    InvalidPublicValue,
    /// A stored verifier that does not decode, or whose v is not in 1..N.
    #[error("the SRP verifier is malformed")]
    InvalidVerifier,
    /// PASSWORD_VERIFIER challenge parameters a client cannot use (bad SALT,
    /// SECRET_BLOCK, or u = 0).
    #[error("the SRP challenge parameters are malformed")]
    InvalidChallenge,
}

/// A password verifier: the salt and v = g^x, both big-endian. Store it sealed.
///
/// `verifier` is 384 bytes as produced here; other lengths (for instance a device
/// verifier that arrived as padHex bytes with a leading `00`) are read by value.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    pub salt: Vec<u8>,
    pub verifier: Vec<u8>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("salt", &format_args!("<{} bytes>", self.salt.len()))
            .field("verifier", &"<redacted>")
            .finish()
    }
}

impl Verifier {
    /// `0x01 ‖ salt length (u16, big-endian) ‖ salt ‖ v (384 bytes)`: 403 bytes for
    /// a 16-byte salt. (A hand-built salt longer than 65,535 bytes is cut to that.)
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let salt = &self.salt[..self.salt.len().min(usize::from(u16::MAX))];
        let v = group::from_be_bytes(&self.verifier).unwrap_or([0; LIMBS]);
        let mut out = Vec::with_capacity(3 + salt.len() + BYTES);
        out.push(VERIFIER_ENCODING_V1);
        out.extend_from_slice(&(salt.len() as u16).to_be_bytes());
        out.extend_from_slice(salt);
        out.extend_from_slice(&group::to_be_bytes(&v));
        out
    }

    /// A verifier a client computed (ConfirmDevice's `DeviceSecretVerifierConfig`),
    /// refusing a v outside `1..N`.
    pub fn from_parts(salt: Vec<u8>, verifier: Vec<u8>) -> Result<Self, SrpError> {
        let verifier = Self { salt, verifier };
        verifier_value(&verifier).ok_or(SrpError::InvalidVerifier)?;
        Ok(verifier)
    }

    /// Reads [`Verifier::to_bytes`]'s encoding, refusing anything else and any v
    /// outside `1..N`.
    pub fn from_bytes(b: &[u8]) -> Result<Self, SrpError> {
        let [version, len_hi, len_lo, rest @ ..] = b else {
            return Err(SrpError::InvalidVerifier);
        };
        let salt_len = usize::from(u16::from_be_bytes([*len_hi, *len_lo]));
        if *version != VERIFIER_ENCODING_V1 || rest.len() != salt_len + BYTES {
            return Err(SrpError::InvalidVerifier);
        }
        let (salt, verifier) = rest.split_at(salt_len);
        let verifier = Self {
            salt: salt.to_vec(),
            verifier: verifier.to_vec(),
        };
        verifier_value(&verifier).ok_or(SrpError::InvalidVerifier)?;
        Ok(verifier)
    }
}

/// A client's public value A, checked to be in `1..N`.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicA(Limbs);

impl fmt::Debug for PublicA {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = hex_of(&self.0);
        write!(f, "PublicA({}…)", &hex[..hex.len().min(16)])
    }
}

impl PublicA {
    /// A as 384 big-endian bytes (to keep in SECRET_BLOCK or server state).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        group::to_be_bytes(&self.0).to_vec()
    }

    /// Reads A back from big-endian bytes, with the checks of [`parse_public_a`].
    pub fn from_bytes(b: &[u8]) -> Result<Self, SrpError> {
        let a = group::from_be_bytes(b).ok_or(SrpError::InvalidPublicValue)?;
        public_value(a).map(Self)
    }

    /// A as plain lower-case hex (what the SDKs send as SRP_A).
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex_of(&self.0)
    }
}

/// The server's ephemeral pair for one challenge: the secret b and B, both big-endian
/// (b 32 bytes, B 384 bytes). Keep b secret (sealed in SECRET_BLOCK or server state).
#[derive(Clone, PartialEq, Eq)]
pub struct ServerEphemeral {
    pub secret_b: Vec<u8>,
    pub public_b: Vec<u8>,
}

impl fmt::Debug for ServerEphemeral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerEphemeral")
            .field("secret_b", &"<redacted>")
            .field("public_b", &format_args!("<{} bytes>", self.public_b.len()))
            .finish()
    }
}

/// Builds the fixed-base table for powers of g (≈ 1 MiB, a few ms) now, so the first
/// sign-in does not pay for it. Optional: every operation builds it on first use.
pub fn warm_up() {
    group::warm_up();
}

/// A verifier for `password` with a fresh random 16-byte salt.
///
/// `pool_name` is the part of the UserPoolId after `_`; `user_id` is USER_ID_FOR_SRP,
/// the user's internal username.
#[must_use]
pub fn make_verifier(pool_name: &str, user_id: &str, password: &str) -> Verifier {
    make_verifier_with_salt(&random::bytes::<SALT_LEN>(), pool_name, user_id, password)
}

/// A verifier for `password` with the given salt (its integer value is what counts:
/// leading zero bytes do not change SALT on the wire or x).
#[must_use]
pub fn make_verifier_with_salt(
    salt: &[u8],
    pool_name: &str,
    user_id: &str,
    password: &str,
) -> Verifier {
    let x = x_exponent(salt, pool_name, user_id, password);
    let v = group::from_mont(&group::pow_g(&x));
    Verifier {
        salt: salt.to_vec(),
        verifier: group::to_be_bytes(&v).to_vec(),
    }
}

/// Whether `password` is the one `v` was made from (for USER_PASSWORD_AUTH and every
/// other flow that receives the password): recomputes g^x and compares in constant
/// time. False for a malformed verifier.
#[must_use]
pub fn password_matches(v: &Verifier, pool_name: &str, user_id: &str, password: &str) -> bool {
    let x = x_exponent(&v.salt, pool_name, user_id, password);
    let candidate = group::from_mont(&group::pow_g(&x));
    match verifier_value(v) {
        Some(stored) => group::ct_eq(&candidate, &stored),
        None => false,
    }
}

/// A deterministic verifier for a user that does not exist (PreventUserExistenceErrors):
/// the same seed always gives the same salt and v, so repeated attempts see the same
/// SALT. Pass a seed no client can compute (e.g. an HMAC of pool id and username under
/// a server key). Cheap (hashing only, no exponentiation), and no password matches it.
#[must_use]
pub fn fake_verifier(seed: &[u8]) -> Verifier {
    let key = hmac::Key::new(hmac::HMAC_SHA256, seed);
    let salt = hmac::sign(&key, b"tessera srp fake salt").as_ref()[..SALT_LEN].to_vec();
    let mut v_bytes = Vec::with_capacity(BYTES);
    let mut counter = 0u8;
    while v_bytes.len() < BYTES {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(b"tessera srp fake verifier");
        ctx.update(&[counter]);
        v_bytes.extend_from_slice(ctx.sign().as_ref());
        counter = counter.wrapping_add(1);
    }
    v_bytes.truncate(BYTES);
    let mut v = group::reduce(&group::from_be_bytes(&v_bytes).unwrap_or([0; LIMBS]));
    if group::ct_is_zero(&v) {
        v[0] = 1;
    }
    Verifier {
        salt,
        verifier: group::to_be_bytes(&v).to_vec(),
    }
}

/// Parses SRP_A: hex in any case (leading zeros allowed), refusing anything that is
/// not a number in `1..N` (so A ≡ 0 mod N, A = N and malformed input are refused).
pub fn parse_public_a(hex: &str) -> Result<PublicA, SrpError> {
    parse_public_hex(hex).map(PublicA)
}

/// Server step 1: a fresh 256-bit b and B = (k·v + g^b) mod N, never 0.
///
/// A malformed verifier (one [`Verifier::from_bytes`] would refuse) still gets a
/// well-formed challenge, which no claim can then answer: [`verify_claim`] refuses it.
#[must_use]
pub fn server_challenge(v: &Verifier) -> ServerEphemeral {
    loop {
        let e = challenge_with_secret(v, random::bytes::<SECRET_B_LEN>());
        // b = 0 or B ≡ 0 happen with probability ≈ 2^-256; draw again rather than use them.
        if e.public_b.iter().any(|byte| *byte != 0) && e.secret_b.iter().any(|byte| *byte != 0) {
            return e;
        }
    }
}

/// B = (k·v + g^b) mod N for a given b (the vectors fix b).
fn challenge_with_secret(v: &Verifier, secret_b: [u8; SECRET_B_LEN]) -> ServerEphemeral {
    let kv = group::times_k(&verifier_value(v).unwrap_or([0; LIMBS]));
    let b = group::exponent_256(&secret_b).unwrap_or([0; 4]);
    let gb = group::from_mont(&group::pow_g(&b));
    ServerEphemeral {
        secret_b: secret_b.to_vec(),
        public_b: group::to_be_bytes(&group::add_mod(&kv, &gb)).to_vec(),
    }
}

/// SALT as sent to clients: padHex of the salt's integer value, lower-case.
#[must_use]
pub fn salt_hex(v: &Verifier) -> String {
    pad_hex(&v.salt)
}

/// SRP_B as sent to clients: lower-case hex without leading zeros.
#[must_use]
pub fn public_b_hex(e: &ServerEphemeral) -> String {
    let digits = hex::encode(&e.public_b);
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Server step 2: whether PASSWORD_CLAIM_SIGNATURE (standard base64) is the HMAC a
/// client knowing the password computes over
/// `pool_name ‖ user_id ‖ secret_block ‖ timestamp` (`secret_block` = the decoded
/// PASSWORD_CLAIM_SECRET_BLOCK, `timestamp` = TIMESTAMP exactly as received).
/// Constant-time in everything secret; false on any malformed input.
#[allow(clippy::too_many_arguments)] // the protocol's inputs, each a distinct string
#[must_use]
pub fn verify_claim(
    v: &Verifier,
    a: &PublicA,
    e: &ServerEphemeral,
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
    signature_b64: &str,
) -> bool {
    let Ok(given) = BASE64.decode(signature_b64.trim()) else {
        return false;
    };
    let Some(v_int) = verifier_value(v) else {
        return false;
    };
    // b = 0 would make S = 1 for every password; b is 256 random bits, so this only
    // refuses a damaged ServerEphemeral.
    let Some(b) = group::exponent_256(&e.secret_b).filter(|b| *b != [0; 4]) else {
        return false;
    };
    let Some(public_b) = group::from_be_bytes(&e.public_b) else {
        return false;
    };
    let u = u_value(&a.0, &public_b);
    if u == [0; 4] {
        return false;
    }
    // S = (A · v^u)^b
    let v_u = group::pow(&group::to_mont(&v_int), &u);
    let base = group::mul(&group::to_mont(&a.0), &v_u);
    let s = group::from_mont(&group::pow(&base, &b));
    let key = session_key(&s, &u);
    let expected = claim_hmac(&key, pool_name, user_id, secret_block, timestamp);
    random::ct_eq(expected.as_ref(), &given)
}

/// SECRET_HASH = base64(HMAC-SHA256(key = client secret, msg = username ‖ client id)).
#[must_use]
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    BASE64.encode(secret_hash_raw(client_secret, username, client_id).as_ref())
}

/// Whether `given` is the SECRET_HASH for this username and client (constant-time).
#[must_use]
pub fn secret_hash_matches(
    client_secret: &str,
    username: &str,
    client_id: &str,
    given: &str,
) -> bool {
    let Ok(given) = BASE64.decode(given.trim()) else {
        return false;
    };
    random::ct_eq(
        secret_hash_raw(client_secret, username, client_id).as_ref(),
        &given,
    )
}

fn secret_hash_raw(client_secret: &str, username: &str, client_id: &str) -> hmac::Tag {
    let key = hmac::Key::new(hmac::HMAC_SHA256, client_secret.as_bytes());
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(username.as_bytes());
    ctx.update(client_id.as_bytes());
    ctx.sign()
}

// ---------------------------------------------------------------------------------
// Shared pieces (also used by `client`)
// ---------------------------------------------------------------------------------

/// The minimal two's-complement big-endian bytes of a non-negative big-endian number:
/// leading zero bytes dropped, one `00` added back when the top bit is set, `[0]` for 0.
fn pad_bytes(be: &[u8]) -> Vec<u8> {
    let first = be.iter().position(|b| *b != 0).unwrap_or(be.len());
    let digits = &be[first..];
    let mut out = Vec::with_capacity(digits.len() + 1);
    if digits.first().is_none_or(|b| *b >= 0x80) {
        out.push(0);
    }
    out.extend_from_slice(digits);
    out
}

/// padHex of a big-endian number, lower-case.
fn pad_hex(be: &[u8]) -> String {
    hex::encode(pad_bytes(be))
}

/// Plain lower-case hex of a number, no leading zeros ("0" for zero).
fn hex_of(x: &Limbs) -> String {
    let digits = hex::encode(group::to_be_bytes(x));
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in parts {
        ctx.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// x = H(padHex(salt) ‖ H(utf8(poolName ‖ userId ‖ ":" ‖ password))) as an exponent.
fn x_exponent(salt: &[u8], pool_name: &str, user_id: &str, password: &str) -> [u64; 4] {
    let inner = sha256(&[
        pool_name.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    let x = sha256(&[&pad_bytes(salt), &inner]);
    group::exponent_256(&x).unwrap_or([0; 4])
}

/// u = H(padHex(A) ‖ padHex(B)) as an exponent.
fn u_value(a: &Limbs, b: &Limbs) -> [u64; 4] {
    let u = sha256(&[
        &pad_bytes(&group::to_be_bytes(a)),
        &pad_bytes(&group::to_be_bytes(b)),
    ]);
    group::exponent_256(&u).unwrap_or([0; 4])
}

fn exponent_be_bytes(e: &[u64; 4]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, limb) in e.iter().enumerate() {
        out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

/// K = HKDF-SHA256(ikm = padHex(S), salt = padHex(u), info = "Caldera Derived Key")[..16].
fn session_key(s: &Limbs, u: &[u64; 4]) -> [u8; 16] {
    let salt = hmac::Key::new(hmac::HMAC_SHA256, &pad_bytes(&exponent_be_bytes(u)));
    let prk = hmac::sign(&salt, &pad_bytes(&group::to_be_bytes(s)));
    let prk = hmac::Key::new(hmac::HMAC_SHA256, prk.as_ref());
    let okm = hmac::sign(&prk, HKDF_INFO);
    let mut key = [0u8; 16];
    key.copy_from_slice(&okm.as_ref()[..16]);
    key
}

fn claim_hmac(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> hmac::Tag {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(pool_name.as_bytes());
    ctx.update(user_id.as_bytes());
    ctx.update(secret_block);
    ctx.update(timestamp.as_bytes());
    ctx.sign()
}

/// v as a number in `1..N`, or `None`.
fn verifier_value(v: &Verifier) -> Option<Limbs> {
    let value = group::from_be_bytes(&v.verifier)?;
    (group::ct_lt_n(&value) && !group::ct_is_zero(&value)).then_some(value)
}

/// A public value in `1..N`.
fn public_value(x: Limbs) -> Result<Limbs, SrpError> {
    if group::ct_lt_n(&x) && !group::ct_is_zero(&x) {
        Ok(x)
    } else {
        Err(SrpError::InvalidPublicValue)
    }
}

/// Hex (any case, leading zeros allowed, nothing else) of a number in `1..N`.
fn parse_public_hex(hex: &str) -> Result<Limbs, SrpError> {
    if hex.is_empty() || hex.len() > MAX_PUBLIC_HEX {
        return Err(SrpError::InvalidPublicValue);
    }
    let digits = hex.trim_start_matches('0');
    if digits.len() > 2 * BYTES {
        return Err(SrpError::InvalidPublicValue);
    }
    let padded = if digits.len() % 2 == 1 {
        format!("0{digits}")
    } else {
        digits.to_owned()
    };
    let bytes = hex::decode(padded).map_err(|_| SrpError::InvalidPublicValue)?;
    let value = group::from_be_bytes(&bytes).ok_or(SrpError::InvalidPublicValue)?;
    public_value(value)
}
