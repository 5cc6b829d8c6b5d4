//! Lambda triggers in process: each trigger's event, how its response is
//! honoured, and Cognito's errors for a failing function, through a
//! `TriggerInvoker` the test scripts.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::{Value, json};
use tessera_core::Error;
use tessera_core::domain::user::UserStatus;
use tessera_core::invoker::{InvokeError, TriggerInvoker};
use tessera_core::services::signin::{AuthOutcome, InitiateAuth, RespondToChallenge};
use tessera_core::services::signup::SignUp;
use tessera_core::services::triggers::TriggerSettings;

mod support;

use support::{Harness, harness};

const PASSWORD: &str = "Passw0rd!";
const ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:hook";
const KMS_KEY: &str = "arn:aws:kms:us-east-1:000000000000:key/test";

type Script = dyn Fn(&Value) -> Result<Value, InvokeError> + Send + Sync;

/// Answers every event with the script's result, and keeps the events.
struct Scripted {
    script: Box<Script>,
    events: Mutex<Vec<Value>>,
}

#[async_trait]
impl TriggerInvoker for Scripted {
    fn resolves(&self, arn: &str) -> bool {
        arn == ARN
    }

    async fn invoke(&self, _arn: &str, event: &Value) -> Result<Value, InvokeError> {
        self.events.lock().expect("events").push(event.clone());
        (self.script)(event)
    }
}

/// The event with `response` set: what a function returns.
fn respond(event: &Value, response: Value) -> Result<Value, InvokeError> {
    let mut event = event.clone();
    event["response"] = response;
    Ok(event)
}

struct Setting {
    h: Harness,
    invoker: Arc<Scripted>,
    pool: tessera_core::ids::UserPoolId,
    client: tessera_core::ids::ClientId,
}

impl Setting {
    async fn new(lambda_config: Value, script: Box<Script>) -> Setting {
        let invoker = Arc::new(Scripted {
            script,
            events: Mutex::new(Vec::new()),
        });
        let Harness {
            services,
            store,
            clock,
            outbox,
            dir,
        } = harness();
        let h = Harness {
            services: services.with_triggers(
                invoker.clone(),
                TriggerSettings {
                    strict: true,
                    sender_keys: BTreeMap::from([(KMS_KEY.to_owned(), [7; 32])]),
                },
            ),
            store,
            clock,
            outbox,
            dir,
        };
        let pool = h.pool(json!({"LambdaConfig": lambda_config})).await;
        let client = h
            .client(
                &pool,
                json!({"ExplicitAuthFlows": [
                    "ALLOW_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"
                ]}),
            )
            .await;
        Setting {
            h,
            invoker,
            pool,
            client,
        }
    }

    fn events(&self) -> Vec<Value> {
        self.invoker.events.lock().expect("events").clone()
    }

    async fn sign_up(&self, username: &str) -> Result<bool, Error> {
        self.h
            .services
            .sign_up(SignUp {
                client_id: self.client.clone(),
                username: username.into(),
                password: Some(PASSWORD.into()),
                attributes: vec![("email".into(), format!("{username}@example.com"))],
                secret_hash: None,
                validation_data: BTreeMap::from([("invite".into(), "abc".into())]),
                client_metadata: BTreeMap::from([("app".into(), "web".into())]),
            })
            .await
            .map(|r| r.confirmed)
    }

    async fn initiate(&self, flow: &str, params: &[(&str, &str)]) -> Result<AuthOutcome, Error> {
        self.h
            .services
            .initiate_auth(InitiateAuth {
                client_id: self.client.clone(),
                flow: flow.into(),
                parameters: params
                    .iter()
                    .map(|(k, v)| ((*k).into(), (*v).into()))
                    .collect(),
                admin_pool: None,
                client_metadata: BTreeMap::new(),
                origin: Default::default(),
                session: None,
            })
            .await
    }

    async fn confirmed_user(&self, name: &str) {
        self.h.user(&self.pool, name, &[], "Temp0rary!").await;
        self.h
            .services
            .admin_set_user_password(&self.pool, name, PASSWORD, true)
            .await
            .expect("permanent password");
    }
}

fn message(e: Error) -> (String, String) {
    let debug = format!("{e:?}");
    (
        debug.split('(').next().unwrap_or_default().to_owned(),
        e.to_string(),
    )
}

#[tokio::test]
async fn pre_sign_up_sees_the_request_and_can_confirm_the_user() {
    let s = Setting::new(
        json!({"PreSignUp": ARN}),
        Box::new(|event| {
            respond(
                event,
                json!({"autoConfirmUser": true, "autoVerifyEmail": true}),
            )
        }),
    )
    .await;
    assert!(s.sign_up("ann").await.expect("sign-up"), "UserConfirmed");
    let event = &s.events()[0];
    assert_eq!(event["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(event["version"], "1");
    assert_eq!(event["userPoolId"], s.pool.as_str());
    assert_eq!(event["userName"], "ann");
    assert_eq!(event["callerContext"]["clientId"], s.client.as_str());
    assert_eq!(
        event["request"]["userAttributes"],
        json!({"email": "ann@example.com"})
    );
    assert_eq!(event["request"]["validationData"], json!({"invite": "abc"}));
    assert_eq!(event["request"]["clientMetadata"], json!({"app": "web"}));
    let user =
        s.h.services
            .admin_get_user(&s.pool, "ann")
            .await
            .expect("user");
    assert_eq!(user.status, UserStatus::Confirmed);
    assert_eq!(user.attribute("email_verified"), Some("true"));
}

#[tokio::test]
async fn a_failing_function_is_cognitos_error_and_leaves_nothing_behind() {
    let cases: [(InvokeError, &str, &str); 5] = [
        (
            InvokeError::Function("Nope".into()),
            "UserLambdaValidation",
            "PreSignUp failed with error Nope.",
        ),
        (
            InvokeError::Timeout,
            "UnexpectedLambda",
            "PreSignUp invocation failed due to error TimeoutException.",
        ),
        (
            InvokeError::Throttled,
            "UnexpectedLambda",
            "PreSignUp invocation failed due to error TooManyRequestsException.",
        ),
        (
            InvokeError::Unreachable("refused".into()),
            "UnexpectedLambda",
            "PreSignUp invocation failed due to error ServiceException.",
        ),
        (
            InvokeError::Malformed("[]".into()),
            "InvalidLambdaResponse",
            "Unrecognizable lambda output",
        ),
    ];
    for (failure, kind, text) in cases {
        let retried = matches!(failure, InvokeError::Timeout | InvokeError::Throttled);
        let s = Setting::new(
            json!({"PreSignUp": ARN}),
            Box::new(move |_| Err(failure.clone())),
        )
        .await;
        let e = s.sign_up("bob").await.expect_err("refused");
        assert_eq!(message(e), (kind.to_owned(), text.to_owned()));
        assert!(s.h.services.admin_get_user(&s.pool, "bob").await.is_err());
        // A timed-out or throttled function is tried three times in all, the others once.
        assert_eq!(s.events().len(), if retried { 3 } else { 1 }, "{text}");
    }
}

#[tokio::test]
async fn pre_token_generation_adds_and_suppresses_claims_but_not_reserved_ones() {
    let s = Setting::new(
        json!({"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": ARN}}),
        Box::new(|event| {
            let claims = if event["userName"] == "bad" {
                json!({"sub": "someone-else"})
            } else {
                json!({"tenant": {"id": 7}, "roles": ["a", "b"]})
            };
            respond(
                event,
                json!({"claimsAndScopeOverrideDetails": {
                    "idTokenGeneration": {"claimsToAddOrOverride": claims},
                    "accessTokenGeneration": {"scopesToAdd": ["custom/read"]},
                }}),
            )
        }),
    )
    .await;
    s.confirmed_user("cal").await;
    let outcome = s
        .initiate(
            "USER_PASSWORD_AUTH",
            &[("USERNAME", "cal"), ("PASSWORD", PASSWORD)],
        )
        .await;
    let Ok(AuthOutcome::Tokens(tokens)) = outcome else {
        panic!("tokens");
    };
    let event = &s.events()[0];
    assert_eq!(event["version"], "2");
    assert_eq!(event["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(
        event["request"]["scopes"],
        json!(["aws.cognito.signin.user.admin"])
    );
    let claims = |token: &str| -> Value {
        use base64::Engine as _;
        let payload = token.split('.').nth(1).expect("payload");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64");
        serde_json::from_slice(&bytes).expect("json")
    };
    let id = claims(&tokens.id_token);
    assert_eq!(id["tenant"], json!({"id": 7}));
    assert_eq!(id["roles"], json!(["a", "b"]));
    assert_eq!(
        claims(&tokens.access_token)["scope"],
        "aws.cognito.signin.user.admin custom/read"
    );

    s.confirmed_user("bad").await;
    let refused = s
        .initiate(
            "USER_PASSWORD_AUTH",
            &[("USERNAME", "bad"), ("PASSWORD", PASSWORD)],
        )
        .await;
    match refused {
        Err(Error::InvalidLambdaResponse(m)) => assert_eq!(
            m,
            "PreTokenGeneration cannot add, override or suppress the claim sub."
        ),
        Err(e) => panic!("expected InvalidLambdaResponse, got {e:?}"),
        Ok(_) => panic!("expected InvalidLambdaResponse, got tokens"),
    }
}

#[tokio::test]
async fn custom_auth_runs_rounds_until_the_functions_decide() {
    // Define: tokens after one right answer, failure after two wrong ones.
    let s = Setting::new(
        json!({
            "DefineAuthChallenge": ARN,
            "CreateAuthChallenge": ARN,
            "VerifyAuthChallengeResponse": ARN,
        }),
        Box::new(|event| match event["triggerSource"].as_str() {
            Some("DefineAuthChallenge_Authentication") => {
                let rounds = event["request"]["session"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let right = rounds.iter().any(|r| r["challengeResult"] == true);
                let wrong = rounds
                    .iter()
                    .filter(|r| r["challengeResult"] == false)
                    .count();
                if right {
                    respond(
                        event,
                        json!({"issueTokens": true, "failAuthentication": false}),
                    )
                } else if wrong >= 2 {
                    respond(
                        event,
                        json!({"issueTokens": false, "failAuthentication": true}),
                    )
                } else {
                    respond(event, json!({"challengeName": "CUSTOM_CHALLENGE"}))
                }
            }
            Some("CreateAuthChallenge_Authentication") => respond(
                event,
                json!({
                    "publicChallengeParameters": {"hint": "the colour of the sky"},
                    "privateChallengeParameters": {"answer": "blue"},
                    "challengeMetadata": "QUESTION-1",
                }),
            ),
            Some("VerifyAuthChallengeResponse_Authentication") => {
                let correct = event["request"]["challengeAnswer"]
                    == event["request"]["privateChallengeParameters"]["answer"];
                respond(event, json!({"answerCorrect": correct}))
            }
            other => panic!("unexpected trigger {other:?}"),
        }),
    )
    .await;
    s.confirmed_user("dee").await;
    let answer = |session: String, text: &'static str| {
        let s = &s;
        async move {
            s.h.services
                .respond_to_auth_challenge(RespondToChallenge {
                    client_id: s.client.clone(),
                    challenge: "CUSTOM_CHALLENGE".into(),
                    responses: BTreeMap::from([
                        ("USERNAME".into(), "dee".into()),
                        ("ANSWER".into(), text.into()),
                    ]),
                    session: Some(session),
                    admin_pool: None,
                    client_metadata: BTreeMap::new(),
                    origin: Default::default(),
                })
                .await
        }
    };
    let challenge = |outcome: Result<AuthOutcome, Error>| match outcome {
        Ok(AuthOutcome::Challenge {
            challenge,
            session: Some(session),
        }) => (format!("{challenge:?}"), session),
        Ok(AuthOutcome::Tokens(_) | AuthOutcome::SignedIn(_)) => panic!("a challenge, not the end"),
        Ok(AuthOutcome::Challenge { session: None, .. }) => panic!("a session"),
        Err(e) => panic!("a challenge, not {e:?}"),
    };

    // A wrong answer, then the right one.
    let (shown, session) = challenge(s.initiate("CUSTOM_AUTH", &[("USERNAME", "dee")]).await);
    assert!(shown.contains("the colour of the sky"), "{shown}");
    let (_, session) = challenge(answer(session, "green").await);
    let done = answer(session, "blue").await;
    assert!(matches!(done, Ok(AuthOutcome::Tokens(_))));
    let define_sessions: Vec<Value> = s
        .events()
        .iter()
        .filter(|e| e["triggerSource"] == "DefineAuthChallenge_Authentication")
        .map(|e| e["request"]["session"].clone())
        .collect();
    assert_eq!(
        define_sessions.last().expect("define"),
        &json!([
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "QUESTION-1"},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "QUESTION-1"},
        ])
    );

    // Two wrong answers end the sign-in.
    let (_, session) = challenge(s.initiate("CUSTOM_AUTH", &[("USERNAME", "dee")]).await);
    let (_, session) = challenge(answer(session, "red").await);
    match answer(session, "grey").await {
        Err(Error::NotAuthorized(m)) => assert_eq!(m, "Incorrect username or password."),
        other => panic!("expected NotAuthorized, got {:?}", other.err()),
    }
}

#[tokio::test]
async fn user_migration_creates_the_user_with_the_password_it_was_given() {
    let s = Setting::new(
        json!({"UserMigration": ARN}),
        Box::new(|event| {
            if event["request"]["password"] != "Passw0rd!" {
                return Err(InvokeError::Function("Bad password".into()));
            }
            respond(
                event,
                json!({
                    "userAttributes": {"email": "old@example.com", "email_verified": "true"},
                    "finalUserStatus": "CONFIRMED",
                    "messageAction": "SUPPRESS",
                }),
            )
        }),
    )
    .await;
    let wrong = s
        .initiate(
            "USER_PASSWORD_AUTH",
            &[("USERNAME", "old"), ("PASSWORD", "Wr0ng-Passw0rd!")],
        )
        .await;
    assert!(
        matches!(&wrong, Err(Error::UserLambdaValidation(m)) if m == "UserMigration failed with error Bad password."),
        "{:?}",
        wrong.err()
    );
    assert!(s.h.services.admin_get_user(&s.pool, "old").await.is_err());

    let outcome = s
        .initiate(
            "USER_PASSWORD_AUTH",
            &[("USERNAME", "old"), ("PASSWORD", PASSWORD)],
        )
        .await;
    assert!(matches!(outcome, Ok(AuthOutcome::Tokens(_))));
    let event = &s.events()[1];
    assert_eq!(event["triggerSource"], "UserMigration_Authentication");
    assert_eq!(event["userName"], "old");
    let user =
        s.h.services
            .admin_get_user(&s.pool, "old")
            .await
            .expect("migrated");
    assert_eq!(user.status, UserStatus::Confirmed);
    assert_eq!(user.attribute("email"), Some("old@example.com"));
    // Known now: the next sign-in needs no function.
    let again = s
        .initiate(
            "USER_PASSWORD_AUTH",
            &[("USERNAME", "old"), ("PASSWORD", PASSWORD)],
        )
        .await;
    assert!(matches!(again, Ok(AuthOutcome::Tokens(_))));
    assert_eq!(s.events().len(), 2);
}

/// CreateUserPool with `lambda_config` in strict mode: the refusal's message.
async fn strict_refusal(lambda_config: Value) -> String {
    let s = Setting::new(json!({}), Box::new(|event| Ok(event.clone()))).await;
    let refused =
        s.h.services
            .create_pool(tessera_core::services::pools::CreatePool {
                name: "p".into(),
                members: json!({ "LambdaConfig": lambda_config })
                    .as_object()
                    .cloned()
                    .expect("object"),
                schema: Vec::new(),
                tags: Default::default(),
            })
            .await;
    match refused {
        Err(Error::InvalidParameter(m)) => m,
        other => panic!("expected InvalidParameter, got {:?}", other.err()),
    }
}

#[tokio::test]
async fn strict_mode_refuses_a_pool_naming_a_function_no_invoker_runs() {
    assert_eq!(
        strict_refusal(
            json!({"PreSignUp": "arn:aws:lambda:us-east-1:000000000000:function:other"})
        )
        .await,
        "No trigger invoker is configured for arn:aws:lambda:us-east-1:000000000000:function:other."
    );
}

#[tokio::test]
async fn strict_mode_refuses_a_custom_sender_without_a_key() {
    assert_eq!(
        strict_refusal(json!({
            "CustomSMSSender": {"LambdaVersion": "V1_0", "LambdaArn": ARN},
            "KMSKeyID": "arn:aws:kms:us-east-1:000000000000:key/unknown",
        }))
        .await,
        "No custom sender key is configured for the KMSKeyID arn:aws:kms:us-east-1:000000000000:key/unknown."
    );
}

#[tokio::test]
async fn custom_auth_can_ask_for_the_password_by_srp_first() {
    // Define: the password by SRP after SRP_A, then one custom round.
    let s = Setting::new(
        json!({
            "DefineAuthChallenge": ARN,
            "CreateAuthChallenge": ARN,
            "VerifyAuthChallengeResponse": ARN,
        }),
        Box::new(|event| match event["triggerSource"].as_str() {
            Some("DefineAuthChallenge_Authentication") => {
                let rounds = event["request"]["session"].as_array().cloned().unwrap_or_default();
                let last = rounds.last().map(|r| r["challengeName"].clone());
                let response = match last.as_ref().and_then(Value::as_str) {
                    Some("SRP_A") => json!({"challengeName": "PASSWORD_VERIFIER"}),
                    Some("PASSWORD_VERIFIER") => json!({"challengeName": "CUSTOM_CHALLENGE"}),
                    _ => json!({"issueTokens": true}),
                };
                respond(event, response)
            }
            Some("CreateAuthChallenge_Authentication") => respond(
                event,
                json!({"publicChallengeParameters": {"q": "2+2"}, "privateChallengeParameters": {"a": "4"}}),
            ),
            Some("VerifyAuthChallengeResponse_Authentication") => respond(
                event,
                json!({"answerCorrect": event["request"]["challengeAnswer"] == "4"}),
            ),
            other => panic!("unexpected trigger {other:?}"),
        }),
    )
    .await;
    s.confirmed_user("eve").await;
    let client = tessera_crypto::srp::client::start();
    let started = s
        .initiate(
            "CUSTOM_AUTH",
            &[
                ("USERNAME", "eve"),
                ("SRP_A", &client.public_a_hex()),
                ("CHALLENGE_NAME", "SRP_A"),
            ],
        )
        .await;
    let Ok(AuthOutcome::Challenge {
        challenge:
            tessera_core::services::signin::challenge::Challenge::PasswordVerifier {
                salt,
                srp_b,
                secret_block,
                user_id_for_srp,
            },
        ..
    }) = started
    else {
        panic!("PASSWORD_VERIFIER first, got {:?}", started.err());
    };
    let timestamp = tessera_crypto::srp::format_timestamp(1_800_000_000);
    let pool_name = s.pool.as_str().split_once('_').expect("pool id").1;
    let signature = client
        .claim_signature(
            pool_name,
            &user_id_for_srp,
            PASSWORD,
            &salt,
            &srp_b,
            &secret_block,
            &timestamp,
        )
        .expect("signature");
    let respond_to = |challenge: &str, responses: Vec<(&str, String)>, session: Option<String>| {
        let s = &s;
        let challenge = challenge.to_owned();
        let responses: BTreeMap<String, String> = responses
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        async move {
            s.h.services
                .respond_to_auth_challenge(RespondToChallenge {
                    client_id: s.client.clone(),
                    challenge,
                    responses,
                    session,
                    admin_pool: None,
                    client_metadata: BTreeMap::new(),
                    origin: Default::default(),
                })
                .await
        }
    };
    let verified = respond_to(
        "PASSWORD_VERIFIER",
        vec![
            ("USERNAME", "eve".into()),
            ("PASSWORD_CLAIM_SECRET_BLOCK", secret_block.clone()),
            ("PASSWORD_CLAIM_SIGNATURE", signature),
            ("TIMESTAMP", timestamp),
        ],
        None,
    )
    .await;
    let Ok(AuthOutcome::Challenge {
        session: Some(session),
        challenge,
    }) = verified
    else {
        panic!("then the custom challenge, got {:?}", verified.err());
    };
    assert_eq!(challenge.name().as_str(), "CUSTOM_CHALLENGE");
    let done = respond_to(
        "CUSTOM_CHALLENGE",
        vec![("USERNAME", "eve".into()), ("ANSWER", "4".into())],
        Some(session),
    )
    .await;
    assert!(matches!(done, Ok(AuthOutcome::Tokens(_))));
    let last_define = s
        .events()
        .into_iter()
        .rev()
        .find(|e| e["triggerSource"] == "DefineAuthChallenge_Authentication")
        .expect("define");
    assert_eq!(
        last_define["request"]["session"],
        json!([
            {"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": null},
            {"challengeName": "PASSWORD_VERIFIER", "challengeResult": true, "challengeMetadata": null},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": null},
        ])
    );
}

#[tokio::test]
async fn a_custom_email_sender_gets_the_code_encrypted_and_tessera_sends_nothing() {
    let s = Setting::new(
        json!({
            "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": ARN},
            "KMSKeyID": KMS_KEY,
        }),
        Box::new(|event| {
            let mut event = event.clone();
            // The function's answer is ignored; a refusal too.
            event["response"] = json!("ignored");
            Ok(event)
        }),
    )
    .await;
    let pool =
        s.h.pool(json!({
            "AutoVerifiedAttributes": ["email"],
            "LambdaConfig": {
                "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": ARN},
                "KMSKeyID": KMS_KEY,
            },
        }))
        .await;
    let client = s.h.client(&pool, json!({})).await;
    s.h.services
        .sign_up(SignUp {
            client_id: client,
            username: "fox".into(),
            password: Some(PASSWORD.into()),
            attributes: vec![("email".into(), "fox@example.com".into())],
            secret_hash: None,
            validation_data: BTreeMap::new(),
            client_metadata: BTreeMap::new(),
        })
        .await
        .expect("sign-up");
    let event = s.events().pop().expect("the sender ran");
    assert_eq!(event["triggerSource"], "CustomEmailSender_SignUp");
    assert_eq!(event["request"]["type"], "customEmailSenderRequestV1");
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "fox@example.com"
    );
    use base64::Engine as _;
    let message = base64::engine::general_purpose::STANDARD
        .decode(event["request"]["code"].as_str().expect("code"))
        .expect("base64");
    let opened = tessera_crypto::encryption_sdk::decrypt(&message, &[7; 32], "tessera", KMS_KEY)
        .expect("the configured key opens it");
    let code = String::from_utf8(opened.plaintext).expect("text");
    assert_eq!(code.len(), 6);
    assert_eq!(
        opened.encryption_context,
        vec![("userpool-id".to_owned(), pool.as_str().to_owned())]
    );
    assert!(
        s.h.outbox.messages(Some(pool.as_str()), None).is_empty(),
        "the function sends the message, not Tessera"
    );
}
