//! The `WEB_AUTHN` assertion check, refusing what WebAuthn says to refuse.
//! A software authenticator here (an ES256 key, the authenticator data and
//! client data an authenticator and a browser would send) answers the
//! challenges `passkey_request_options` issues, over a real store:
//! assertions for another origin or relying party, a replay, a lowered or
//! equal sign counter, a missing user-verification flag when required, a
//! wrong challenge or signature are refused with `NotAuthorizedException`.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use tessera_core::Error;
use tessera_core::domain::pool::UserPool;
use tessera_core::domain::user::User;
use tessera_core::domain::webauthn::Passkey;
use tessera_core::services::webauthn::assertion::PasskeyState;
use tessera_core::store::{Store, UserKey};

mod support;

use support::{Harness, START, harness};

const RP: &str = "auth.example.com";
const ORIGIN: &str = "https://auth.example.com";
/// Authenticator data flags: user present, user verified.
const UP: u8 = 0x01;
const UV: u8 = 0x04;

struct Authenticator {
    key: EcdsaKeyPair,
    id: Vec<u8>,
}

impl Authenticator {
    fn new(id: &[u8]) -> Self {
        Authenticator {
            key: EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).expect("key"),
            id: id.to_vec(),
        }
    }

    /// The library's record of this credential, as registration stores it.
    fn credential(&self) -> String {
        let point = self.key.public_key().as_ref();
        let (x, y) = (&point[1..33], &point[33..65]);
        json!({
            "cred_id": URL_SAFE_NO_PAD.encode(&self.id),
            "cred": {"type_": "ES256", "key": {"EC_EC2": {"curve": "SECP256R1", "x": x, "y": y}}},
            "counter": 0,
            "transports": null,
            "user_verified": true,
            "backup_eligible": false,
            "backup_state": false,
            "registration_policy": "required",
            "extensions": {},
            "attestation": {"data": "None", "metadata": "None"},
            "attestation_format": "none",
        })
        .to_string()
    }

    /// An `AuthenticationResponseJSON` for `challenge`, as the browser at
    /// `origin` would hand it over from an authenticator asked for `rp_id`.
    fn assert(
        &self,
        challenge: &str,
        origin: &str,
        rp_id: &str,
        flags: u8,
        counter: u32,
    ) -> String {
        self.assert_signed_by(&self.key, challenge, origin, rp_id, flags, counter)
    }

    fn assert_signed_by(
        &self,
        key: &EcdsaKeyPair,
        challenge: &str,
        origin: &str,
        rp_id: &str,
        flags: u8,
        counter: u32,
    ) -> String {
        let mut auth_data = digest(&SHA256, rp_id.as_bytes()).as_ref().to_vec();
        auth_data.push(flags);
        auth_data.extend_from_slice(&counter.to_be_bytes());
        let client_data = json!({
            "type": "webauthn.get",
            "challenge": challenge,
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string();
        let mut signed = auth_data.clone();
        signed.extend_from_slice(digest(&SHA256, client_data.as_bytes()).as_ref());
        let signature = key.sign(&SystemRandom::new(), &signed).expect("sign");
        json!({
            "id": URL_SAFE_NO_PAD.encode(&self.id),
            "rawId": URL_SAFE_NO_PAD.encode(&self.id),
            "type": "public-key",
            "response": {
                "authenticatorData": URL_SAFE_NO_PAD.encode(&auth_data),
                "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data.as_bytes()),
                "signature": URL_SAFE_NO_PAD.encode(signature.as_ref()),
                "userHandle": null,
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }
}

struct Setting {
    h: Harness,
    pool: UserPool,
    user: User,
}

async fn setting(user_verification: &str) -> Setting {
    let h = harness();
    let pool_id = h.pool(json!({})).await;
    let mut members = Map::new();
    members.insert(
        "WebAuthnConfiguration".into(),
        json!({"RelyingPartyId": RP, "UserVerification": user_verification}),
    );
    h.services
        .set_user_pool_mfa_config(&pool_id, Some("OFF"), &members)
        .await
        .expect("mfa config");
    h.user(&pool_id, "alice", &[], "Passw0rd!").await;
    let pool = h.services.pool(&pool_id).await.expect("pool");
    let user = h
        .store
        .get_user(&pool_id, UserKey::Username("alice"))
        .await
        .expect("user");
    Setting { h, pool, user }
}

impl Setting {
    async fn register(&self, authenticator: &Authenticator) {
        self.h
            .store
            .create_passkey(&Passkey {
                pool_id: self.user.pool_id.clone(),
                sub: self.user.sub.clone(),
                credential_id: URL_SAFE_NO_PAD.encode(&authenticator.id),
                name: "Passkey".into(),
                relying_party_id: RP.into(),
                attachment: Some("platform".into()),
                transports: vec!["internal".into()],
                credential: authenticator.credential(),
                created: START,
                last_used: None,
                last_challenge: None,
            })
            .await
            .expect("create_passkey");
    }

    async fn challenge(&self) -> PasskeyState {
        self.h
            .services
            .passkey_request_options(&self.pool, &self.user)
            .await
            .expect("options")
            .state
    }

    async fn verify(&self, state: &PasskeyState, credential: &str) -> Result<(), Error> {
        self.h
            .services
            .verify_passkey_assertion(&self.pool, &self.user, state, credential)
            .await
    }
}

fn assert_refused(what: &str, result: Result<(), Error>) {
    match result {
        Err(Error::NotAuthorized(_)) => {}
        other => panic!("{what}: expected NotAuthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn the_options_name_the_relying_party_the_passkeys_and_the_policy() {
    let s = setting("required").await;
    assert!(
        !s.h.services
            .user_has_passkeys(&s.pool, &s.user)
            .await
            .expect("has")
    );
    assert_refused(
        "a user without a passkey",
        s.h.services
            .passkey_request_options(&s.pool, &s.user)
            .await
            .map(|_| ()),
    );
    let a = Authenticator::new(b"credential-one");
    s.register(&a).await;
    assert!(
        s.h.services
            .user_has_passkeys(&s.pool, &s.user)
            .await
            .expect("has")
    );
    let challenge =
        s.h.services
            .passkey_request_options(&s.pool, &s.user)
            .await
            .expect("options");
    let options: Value = serde_json::from_str(&challenge.options_json).expect("JSON");
    assert_eq!(options["rpId"], RP);
    assert_eq!(options["userVerification"], "required");
    assert_eq!(options["challenge"], challenge.state.challenge.as_str());
    assert_eq!(
        options["allowCredentials"][0]["id"],
        URL_SAFE_NO_PAD.encode(b"credential-one")
    );
    assert_eq!(options["allowCredentials"][0]["type"], "public-key");
    assert_eq!(challenge.state.relying_party_id, RP);
    // The state travels in the sealed sign-in session.
    let carried: PasskeyState =
        serde_json::from_str(&serde_json::to_string(&challenge.state).expect("ser")).expect("de");
    assert_eq!(carried, challenge.state);
}

#[tokio::test]
async fn a_right_assertion_signs_in_once_and_its_replay_is_refused() {
    let s = setting("required").await;
    let a = Authenticator::new(b"credential-one");
    s.register(&a).await;
    let state = s.challenge().await;
    let answer = a.assert(&state.challenge, ORIGIN, RP, UP | UV, 1);
    s.verify(&state, &answer)
        .await
        .expect("the right assertion");
    assert_refused("the same assertion again", s.verify(&state, &answer).await);
    let listed =
        s.h.store
            .list_passkeys(
                &s.user.pool_id,
                &s.user.sub,
                &tessera_core::store::PageRequest {
                    after: None,
                    limit: 10,
                },
            )
            .await
            .expect("list");
    assert_eq!(listed.items[0].last_used, Some(START));
    assert!(listed.items[0].credential.contains("\"counter\":1"));
}

#[tokio::test]
async fn a_lowered_or_equal_counter_is_refused_and_a_higher_one_accepted() {
    let s = setting("required").await;
    let a = Authenticator::new(b"credential-one");
    s.register(&a).await;
    let state = s.challenge().await;
    s.verify(&state, &a.assert(&state.challenge, ORIGIN, RP, UP | UV, 5))
        .await
        .expect("counter 5");
    for counter in [5, 4] {
        let state = s.challenge().await;
        assert_refused(
            &format!("counter {counter} after 5"),
            s.verify(
                &state,
                &a.assert(&state.challenge, ORIGIN, RP, UP | UV, counter),
            )
            .await,
        );
    }
    let state = s.challenge().await;
    s.verify(&state, &a.assert(&state.challenge, ORIGIN, RP, UP | UV, 6))
        .await
        .expect("counter 6");
}

#[tokio::test]
async fn an_authenticator_without_a_counter_cannot_replay_either() {
    let s = setting("required").await;
    let a = Authenticator::new(b"credential-one");
    s.register(&a).await;
    let state = s.challenge().await;
    let answer = a.assert(&state.challenge, ORIGIN, RP, UP | UV, 0);
    s.verify(&state, &answer).await.expect("counter 0");
    assert_refused("the replay", s.verify(&state, &answer).await);
    let state = s.challenge().await;
    s.verify(&state, &a.assert(&state.challenge, ORIGIN, RP, UP | UV, 0))
        .await
        .expect("a fresh challenge");
}

#[tokio::test]
async fn assertions_for_another_origin_or_relying_party_are_refused() {
    let s = setting("required").await;
    let a = Authenticator::new(b"credential-one");
    s.register(&a).await;
    let state = s.challenge().await;
    for (what, origin, rp) in [
        ("another origin", "https://evil.example.org", RP),
        (
            "a look-alike origin",
            "https://auth.example.com.evil.org",
            RP,
        ),
        ("http instead of https", "http://auth.example.com", RP),
        ("another relying party", ORIGIN, "evil.example.org"),
    ] {
        assert_refused(
            what,
            s.verify(&state, &a.assert(&state.challenge, origin, rp, UP | UV, 1))
                .await,
        );
    }
    // A subdomain of the relying party is its origin too.
    s.verify(
        &state,
        &a.assert(
            &state.challenge,
            "https://app.auth.example.com",
            RP,
            UP | UV,
            1,
        ),
    )
    .await
    .expect("a subdomain");
}

#[tokio::test]
async fn user_verification_missing_when_required_is_refused() {
    let s = setting("required").await;
    let a = Authenticator::new(b"credential-one");
    s.register(&a).await;
    let state = s.challenge().await;
    assert_refused(
        "no UV flag",
        s.verify(&state, &a.assert(&state.challenge, ORIGIN, RP, UP, 1))
            .await,
    );
    assert_refused(
        "no UP flag",
        s.verify(&state, &a.assert(&state.challenge, ORIGIN, RP, UV, 1))
            .await,
    );
    s.verify(&state, &a.assert(&state.challenge, ORIGIN, RP, UP | UV, 1))
        .await
        .expect("both flags");
}

#[tokio::test]
async fn another_challenge_signature_or_credential_is_refused() {
    let s = setting("required").await;
    let a = Authenticator::new(b"credential-one");
    s.register(&a).await;
    let first = s.challenge().await;
    let second = s.challenge().await;
    assert_refused(
        "an answer to another challenge",
        s.verify(&second, &a.assert(&first.challenge, ORIGIN, RP, UP | UV, 1))
            .await,
    );
    let stranger = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).expect("key");
    assert_refused(
        "a signature by another key",
        s.verify(
            &second,
            &a.assert_signed_by(&stranger, &second.challenge, ORIGIN, RP, UP | UV, 1),
        )
        .await,
    );
    let unknown = Authenticator::new(b"credential-two");
    assert_refused(
        "a credential the challenge did not allow",
        s.verify(
            &second,
            &unknown.assert(&second.challenge, ORIGIN, RP, UP | UV, 1),
        )
        .await,
    );
    assert_refused("not a credential", s.verify(&second, "{}").await);
    s.verify(
        &second,
        &a.assert(&second.challenge, ORIGIN, RP, UP | UV, 1),
    )
    .await
    .expect("the right answer still works");
}

#[tokio::test]
async fn a_deleted_passkey_no_longer_verifies() {
    let s = setting("preferred").await;
    let a = Authenticator::new(b"credential-one");
    s.register(&a).await;
    let state = s.challenge().await;
    assert_eq!(
        state.user_verification,
        tessera_core::domain::webauthn::UserVerification::Preferred
    );
    s.h.store
        .delete_passkey(
            &s.user.pool_id,
            &s.user.sub,
            &URL_SAFE_NO_PAD.encode(b"credential-one"),
        )
        .await
        .expect("delete");
    assert_refused(
        "a deleted passkey",
        s.verify(&state, &a.assert(&state.challenge, ORIGIN, RP, UP | UV, 1))
            .await,
    );
}
