//! The sign-in session blobs a client hands back: SRP's
//! `PASSWORD_CLAIM_SECRET_BLOCK` (PASSWORD_VERIFIER) and the challenge's
//! `Session` (NEW_PASSWORD_REQUIRED), through `Services::respond_to_auth_challenge`
//! over a real store with a pool, a client and two users.
//!
//! Input: a first byte picking the challenge and what the blob is, then lines.
//! - `S` PASSWORD_VERIFIER with the blob as sent: lines SECRET_BLOCK,
//!   PASSWORD_CLAIM_SIGNATURE, TIMESTAMP, USERNAME, then `KEY=VALUE` responses;
//! - `N` NEW_PASSWORD_REQUIRED with the blob as sent: lines Session,
//!   NEW_PASSWORD, USERNAME (empty: none), then `KEY=VALUE` responses
//!   (`userAttributes.<name>=…`);
//! - `G` any challenge: lines ChallengeName, the blob (sent as the Session
//!   and as PASSWORD_CLAIM_SECRET_BLOCK), then `KEY=VALUE` responses
//!   (`USERNAME`, `SMS_MFA_CODE`, `SOFTWARE_TOKEN_MFA_CODE`, `ANSWER`, …);
//! - `s`, `n` and `g`: the same, but the first line is a session's JSON, which is
//!   sealed under the server's own key (as the server seals it) before it is
//!   sent, so that what happens after a session opens is fuzzed too. In it
//!   `{POOL}`, `{CLIENT}`, `{ALICE}`, `{BOB}` (the users' `sub`s) and
//!   `{EXPIRES}` (a minute from now) are replaced first.
//!
//! A blob the server did not seal is always refused, as a wrong password or
//! session (NotAuthorized), a missing parameter (InvalidParameter) or a
//! challenge not built yet (UnsupportedOperation); nothing ever fails
//! internally or panics.
#![no_main]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use libfuzzer_sys::fuzz_target;
use tessera_core::Error;
use tessera_core::clock::{Clock, Timestamp};
use tessera_core::services::signin::challenge::Challenge;
use tessera_core::services::signin::{AuthOutcome, InitiateAuth, RespondToChallenge};
use tessera_crypto::srp;
use tessera_fuzz::world::{self, CONFIRMED_USER, NEW_PASSWORD_USER, PASSWORD, World};

/// What the core binds into a session's seal (`services/signin/session.rs`).
/// Checked when the world is built: if the core changes it, the build says so.
const SESSION_PURPOSE: &[u8] = b"sign-in-session";

/// 2027-01-15T08:00:00Z.
const START: Timestamp = Timestamp(1_800_000_000_000);
/// More than the longest lockout and the failure counter's reset, so that
/// failed claims never lock the users out of the rest of the run.
const STEP_SECONDS: i64 = 16 * 60;

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let world = World::new(START);
    // A real SRP challenge, to check the seal's purpose against the core's.
    let client = srp::client::start();
    let outcome = world
        .runtime
        .block_on(world.services.initiate_auth(InitiateAuth {
            client_id: world.client.clone(),
            flow: "USER_SRP_AUTH".into(),
            parameters: BTreeMap::from([
                ("USERNAME".to_owned(), CONFIRMED_USER.to_owned()),
                ("SRP_A".to_owned(), client.public_a_hex()),
            ]),
            admin_pool: None,
            client_metadata: Default::default(),
            origin: Default::default(),
            session: None,
        }));
    let Ok(AuthOutcome::Challenge {
        challenge: Challenge::PasswordVerifier { secret_block, .. },
        ..
    }) = outcome
    else {
        panic!("USER_SRP_AUTH did not answer with a PASSWORD_VERIFIER challenge");
    };
    let sealed = STANDARD
        .decode(secret_block)
        .expect("SECRET_BLOCK is base64");
    let plain = world
        .sealing
        .open(&sealed, SESSION_PURPOSE)
        .expect("the session's seal purpose is still b\"sign-in-session\"");
    if std::env::var_os("TESSERA_FUZZ_SHOW_SESSION").is_some() {
        eprintln!("{}", String::from_utf8_lossy(&plain));
    }
    world
});

fn responses<'a>(pairs: &mut BTreeMap<String, String>, lines: impl Iterator<Item = &'a str>) {
    for line in lines {
        if let Some((key, value)) = line.split_once('=') {
            pairs.insert(key.to_owned(), value.to_owned());
        }
    }
}

fn seal(world: &World, json: &str, standard: bool) -> String {
    let expires = world.clock.now().plus_seconds(60).millis().to_string();
    let json = json
        .replace("{POOL}", world::POOL_ID)
        .replace("{CLIENT}", world::CLIENT_ID)
        .replace("{ALICE}", world.sub(CONFIRMED_USER))
        .replace("{BOB}", world.sub(NEW_PASSWORD_USER))
        .replace("{EXPIRES}", &expires);
    let sealed = world
        .sealing
        .seal(json.as_bytes(), SESSION_PURPOSE)
        .expect("sealing");
    if standard {
        STANDARD.encode(sealed)
    } else {
        URL_SAFE_NO_PAD.encode(sealed)
    }
}

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let world = &*WORLD;
    world.clock.advance_seconds(STEP_SECONDS);
    let sealed = mode.is_ascii_lowercase();
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let blob = lines.next().unwrap_or("");
    let mut pairs = BTreeMap::new();
    let (challenge, session) = match mode.to_ascii_uppercase() {
        b'S' => {
            let block = if sealed {
                seal(world, blob, true)
            } else {
                blob.to_owned()
            };
            let [signature, timestamp, username] = [(); 3].map(|()| lines.next().unwrap_or(""));
            pairs.insert("PASSWORD_CLAIM_SECRET_BLOCK".to_owned(), block);
            pairs.insert("PASSWORD_CLAIM_SIGNATURE".to_owned(), signature.to_owned());
            pairs.insert("TIMESTAMP".to_owned(), timestamp.to_owned());
            pairs.insert("USERNAME".to_owned(), username.to_owned());
            ("PASSWORD_VERIFIER", None)
        }
        b'N' => {
            let session = if sealed {
                seal(world, blob, false)
            } else {
                blob.to_owned()
            };
            let [new_password, username] = [(); 2].map(|()| lines.next().unwrap_or(""));
            pairs.insert("NEW_PASSWORD".to_owned(), new_password.to_owned());
            if !username.is_empty() {
                pairs.insert("USERNAME".to_owned(), username.to_owned());
            }
            ("NEW_PASSWORD_REQUIRED", Some(session))
        }
        b'G' => {
            let challenge = blob;
            let blob = lines.next().unwrap_or("");
            // The SRP steps carry their session as SECRET_BLOCK, in standard base64.
            let srp = challenge.ends_with("PASSWORD_VERIFIER");
            let session = if sealed {
                seal(world, blob, srp)
            } else {
                blob.to_owned()
            };
            pairs.insert("PASSWORD_CLAIM_SECRET_BLOCK".to_owned(), session.clone());
            (challenge, Some(session))
        }
        _ => return,
    };
    responses(&mut pairs, lines);
    let outcome =
        world.runtime.block_on(
            world
                .services
                .respond_to_auth_challenge(RespondToChallenge {
                    client_id: world.client.clone(),
                    challenge: challenge.to_owned(),
                    responses: pairs,
                    session,
                    admin_pool: None,
                    client_metadata: Default::default(),
                    origin: Default::default(),
                }),
        );
    if *tessera_fuzz::VERBOSE {
        match &outcome {
            Ok(AuthOutcome::Tokens(_)) => eprintln!("tokens"),
            Ok(AuthOutcome::Challenge { challenge, .. }) => eprintln!("{:?}", challenge.name()),
            Ok(AuthOutcome::SignedIn(_)) => eprintln!("signed in"),
            Err(e) => eprintln!("{e:?}"),
        }
    }
    match outcome {
        Err(Error::Internal(cause)) => panic!("internal error: {cause}"),
        Err(
            Error::NotAuthorized(_) | Error::InvalidParameter(_) | Error::UnsupportedOperation(_),
        ) => {}
        Err(other) if !sealed => panic!("a blob we did not seal gave {other:?}"),
        Err(_) => {}
        Ok(_) if !sealed || challenge == "PASSWORD_VERIFIER" => {
            panic!("{challenge} was answered without a valid claim or a session we sealed")
        }
        Ok(_) => {
            // A session we sealed ourselves may well be answered (a new
            // password was set, say). Put the user back as it was.
            world
                .runtime
                .block_on(world.services.admin_set_user_password(
                    &world.pool,
                    NEW_PASSWORD_USER,
                    PASSWORD,
                    false,
                ))
                .expect("the user's temporary password back");
        }
    }
});
