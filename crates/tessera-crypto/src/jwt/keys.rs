//! RSA keys for RS256: the private [`SigningKey`] and the public [`PublicKey`] a
//! JWKS publishes.
//!
//! Key ids look like Cognito's (44 characters of standard base64 ending in `=`):
//! SHA-256 over the public key's SubjectPublicKeyInfo DER. Being derived rather
//! than stored, a kid cannot drift from its key, and a key re-imported from
//! PKCS#8 keeps it.

use std::fmt;

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
    RsaPublicKeyComponents,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as BASE64URL};
use serde_json::{Map, Value, json};

use super::{ALGORITHM, JwtError, compact};

/// Modulus sizes a [`PublicKey`] may have, in bits (what RS256 verification allows).
const MODULUS_BITS: std::ops::RangeInclusive<usize> = 2048..=8192;

/// An RSA private key that signs tokens, with its key id. Generated keys are
/// RSA-2048 with e = 65537, as Cognito's. `Debug` never shows key material.
pub struct SigningKey {
    key_pair: RsaKeyPair,
    public: PublicKey,
    /// `{"kid":"…","alg":"RS256"}`, the header of every token this key signs.
    header_json: String,
}

impl SigningKey {
    /// A fresh RSA-2048 key (e = 65537) from AWS-LC.
    ///
    /// # Errors
    /// [`JwtError::Crypto`] if AWS-LC fails to generate a key.
    pub fn generate() -> Result<Self, JwtError> {
        let key_pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| JwtError::Crypto)?;
        Self::from_key_pair(key_pair)
    }

    /// Reads a key written by [`SigningKey::to_pkcs8`] (or any unencrypted PKCS#8
    /// RSA key of 2048 to 8192 bits). The kid is derived again, identically.
    ///
    /// # Errors
    /// [`JwtError::Malformed`] if `der` is not such a key.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, JwtError> {
        let key_pair = RsaKeyPair::from_pkcs8(der).map_err(|_| {
            JwtError::Malformed("not a PKCS#8 RSA private key of 2048 to 8192 bits")
        })?;
        Self::from_key_pair(key_pair)
    }

    fn from_key_pair(key_pair: RsaKeyPair) -> Result<Self, JwtError> {
        let public_key = key_pair.public_key();
        let spki: PublicKeyX509Der<'static> = public_key.as_der().map_err(|_| JwtError::Crypto)?;
        let kid = BASE64.encode(digest(&SHA256, spki.as_ref()));
        let components = RsaPublicKeyComponents::<Vec<u8>>::from(public_key);
        let public = PublicKey::new(kid, components.n, components.e)?;
        let header_json = format!(
            r#"{{"kid":{},"alg":"{ALGORITHM}"}}"#,
            Value::from(public.kid())
        );
        Ok(Self {
            key_pair,
            public,
            header_json,
        })
    }

    /// The private key as unencrypted PKCS#8 v1 DER, for the caller to seal at
    /// rest. AWS-LC wipes its own buffer; the caller should wipe this copy once
    /// sealed (for instance by holding it in a `zeroize::Zeroizing`).
    ///
    /// # Panics
    /// Never in practice: AWS-LC only fails to encode a key it could not have loaded.
    #[must_use]
    pub fn to_pkcs8(&self) -> Vec<u8> {
        #[allow(clippy::expect_used)]
        let der: Pkcs8V1Der<'static> = self
            .key_pair
            .as_der()
            .expect("AWS-LC encodes an RSA key it holds as PKCS#8");
        der.as_ref().to_vec()
    }

    /// The key id: standard base64 of SHA-256 over the SubjectPublicKeyInfo DER.
    #[must_use]
    pub fn kid(&self) -> &str {
        self.public.kid()
    }

    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// Signs `claims` as a compact JWS with header `{"kid":"…","alg":"RS256"}`
    /// (that order, no `typ`) and the claims serialized by serde_json as they are.
    ///
    /// # Errors
    /// [`JwtError::Crypto`] if AWS-LC fails to sign.
    pub fn sign(&self, claims: &Map<String, Value>) -> Result<String, JwtError> {
        let payload_json = serde_json::to_vec(claims)
            .map_err(|_| JwtError::Malformed("claims cannot be serialized as JSON"))?;
        self.sign_json(self.header_json.as_bytes(), &payload_json)
    }

    /// Signs the exact header and payload bytes given (tests use it to reproduce
    /// other implementations' tokens byte for byte).
    pub(super) fn sign_json(
        &self,
        header_json: &[u8],
        payload_json: &[u8],
    ) -> Result<String, JwtError> {
        compact::assemble(header_json, payload_json, |signing_input| {
            let mut signature = vec![0; self.key_pair.public_modulus_len()];
            // PKCS#1 v1.5 is deterministic; AWS-LC ignores the generator here.
            self.key_pair
                .sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    signing_input,
                    &mut signature,
                )
                .map_err(|_| JwtError::Crypto)?;
            Ok(signature)
        })
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

/// An RSA public key with its key id: one entry of a JWKS, ready to verify RS256.
#[derive(Clone)]
pub struct PublicKey {
    kid: String,
    /// Modulus, big-endian, no leading zero byte.
    n: Vec<u8>,
    /// Public exponent, big-endian, no leading zero byte.
    e: Vec<u8>,
    /// Parsed once, so that verifying does not re-parse the key every time.
    verifier: ParsedPublicKey,
}

impl PublicKey {
    fn new(kid: String, n: Vec<u8>, e: Vec<u8>) -> Result<Self, JwtError> {
        let verifier = RsaPublicKeyComponents { n: &n, e: &e }
            .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
            .map_err(|_| JwtError::Malformed("not a valid RSA public key"))?;
        Ok(Self {
            kid,
            n,
            e,
            verifier,
        })
    }

    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JWKS entry, as Cognito publishes it:
    /// `{"alg":"RS256","e":"AQAB","kid":"…","kty":"RSA","n":"…","use":"sig"}`
    /// (n and e unpadded base64url, without leading zero bytes).
    #[must_use]
    pub fn to_jwk(&self) -> Value {
        // Written in alphabetical order, so the order is Cognito's whether or not
        // serde_json's `preserve_order` is on.
        json!({
            "alg": ALGORITHM,
            "e": BASE64URL.encode(&self.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": BASE64URL.encode(&self.n),
            "use": "sig",
        })
    }

    /// Reads one JWKS entry. `kty` must be `RSA` and `kid` present; `alg` and
    /// `use`, when present, must be `RS256` and `sig`. The modulus must be 2048 to
    /// 8192 bits and the exponent odd, at least 3 and at most 32 bits. Leading zero
    /// bytes in `n`/`e`, which some encoders emit, are tolerated.
    ///
    /// # Errors
    /// [`JwtError::UnsupportedAlgorithm`] for another `alg`, else [`JwtError::Malformed`].
    pub fn from_jwk(v: &Value) -> Result<Self, JwtError> {
        let jwk = v
            .as_object()
            .ok_or(JwtError::Malformed("JWK is not a JSON object"))?;
        if member(jwk, "kty")? != Some("RSA") {
            return Err(JwtError::Malformed("JWK kty is not RSA"));
        }
        if let Some(alg) = member(jwk, "alg")?
            && alg != ALGORITHM
        {
            return Err(JwtError::UnsupportedAlgorithm(alg.to_owned()));
        }
        if member(jwk, "use")?.is_some_and(|key_use| key_use != "sig") {
            return Err(JwtError::Malformed("JWK use is not sig"));
        }
        let kid = member(jwk, "kid")?
            .filter(|kid| !kid.is_empty())
            .ok_or(JwtError::Malformed("JWK has no kid"))?;
        let n = unsigned(member(jwk, "n")?.ok_or(JwtError::Malformed("JWK has no n"))?)?;
        let e = unsigned(member(jwk, "e")?.ok_or(JwtError::Malformed("JWK has no e"))?)?;
        if !MODULUS_BITS.contains(&bit_len(&n)) {
            return Err(JwtError::Malformed("JWK modulus is not 2048 to 8192 bits"));
        }
        if !(2..=32).contains(&bit_len(&e)) || e.last().is_none_or(|low| low % 2 == 0) {
            return Err(JwtError::Malformed(
                "JWK exponent is not odd, from 3 to 32 bits",
            ));
        }
        Self::new(kid.to_owned(), n, e)
    }

    /// Checks an RS256 signature over `message`.
    pub(super) fn verify_signature(
        &self,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), JwtError> {
        self.verifier
            .verify_sig(message, signature)
            .map_err(|_| JwtError::BadSignature)
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.kid == other.kid && self.n == other.n && self.e == other.e
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kid", &self.kid)
            .field("bits", &bit_len(&self.n))
            .finish_non_exhaustive()
    }
}

/// A JWK member that must be a string when present.
fn member<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, JwtError> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(JwtError::Malformed("JWK member is not a string")),
    }
}

/// A base64url (unpadded) big-endian unsigned integer, without leading zero bytes.
fn unsigned(encoded: &str) -> Result<Vec<u8>, JwtError> {
    let mut bytes = BASE64URL
        .decode(encoded)
        .map_err(|_| JwtError::Malformed("JWK n or e is not unpadded base64url"))?;
    let zeros = bytes.iter().take_while(|&&byte| byte == 0).count();
    bytes.drain(..zeros);
    Ok(bytes)
}

/// Bit length of a big-endian unsigned integer without leading zero bytes.
fn bit_len(be: &[u8]) -> usize {
    match be.first() {
        None => 0,
        Some(&top) => (be.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
    }
}
