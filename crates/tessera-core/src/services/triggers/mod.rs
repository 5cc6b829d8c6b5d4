//! Lambda triggers: which function a pool's `LambdaConfig` names for each
//! trigger, Cognito's event envelope, one invocation with Cognito's timeout
//! and retry rules and its errors, and (in the modules below) each trigger's
//! request and how its response is honoured.
//!
//! - [`sign_up`]: PreSignUp and PostConfirmation.
//! - [`authentication`]: PreAuthentication and PostAuthentication.
//! - [`token_generation`]: the PreTokenGeneration trigger.
//! - [`migration`]: the UserMigration trigger.
//! - [`message`]: the CustomMessage trigger.
//! - [`custom_auth`]: the CUSTOM_AUTH flow's three triggers.
//! - [`sender`]: CustomEmailSender and CustomSMSSender.

pub mod authentication;
pub mod custom_auth;
pub mod message;
pub mod migration;
pub mod sender;
pub mod sign_up;
pub mod token_generation;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::domain::pool::UserPool;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::invoker::{InvokeError, NoInvoker, TriggerInvoker};
use crate::telemetry;

/// Cognito retries a trigger that timed out or was throttled; three attempts
/// in all.
const ATTEMPTS: usize = 3;

/// The most of a function's error message passed on to the caller.
const MAX_FUNCTION_MESSAGE: usize = 1024;

/// Cognito's name of each trigger: its `LambdaConfig` member and the prefix of
/// its error messages ("PreSignUp failed with error …").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    PreSignUp,
    PostConfirmation,
    PreAuthentication,
    PostAuthentication,
    PreTokenGeneration,
    CustomMessage,
    UserMigration,
    DefineAuthChallenge,
    CreateAuthChallenge,
    VerifyAuthChallengeResponse,
    CustomEmailSender,
    CustomSmsSender,
}

impl Trigger {
    pub fn name(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
            Trigger::CustomMessage => "CustomMessage",
            Trigger::UserMigration => "UserMigration",
            Trigger::DefineAuthChallenge => "DefineAuthChallenge",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge",
            Trigger::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Trigger::CustomEmailSender => "CustomEmailSender",
            Trigger::CustomSmsSender => "CustomSMSSender",
        }
    }
}

/// The function a pool names for a trigger, and the event version it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Configured {
    pub arn: String,
    /// `"1"`, or `"2"` / `"3"` for PreTokenGeneration V2_0 / V3_0.
    pub version: &'static str,
}

/// The function `pool` names for `trigger`, if any. PreTokenGeneration may be
/// named twice; `PreTokenGenerationConfig` (with its version) wins, as in
/// Cognito.
pub fn configured(pool: &UserPool, trigger: Trigger) -> Option<Configured> {
    let config = pool.settings.get("LambdaConfig")?;
    if let (Trigger::PreTokenGeneration, Some(versioned)) =
        (trigger, config.get("PreTokenGenerationConfig"))
    {
        let arn = versioned.get("LambdaArn").and_then(Value::as_str)?;
        let version = match versioned.get("LambdaVersion").and_then(Value::as_str) {
            Some("V2_0") => "2",
            Some("V3_0") => "3",
            _ => "1",
        };
        return Some(Configured {
            arn: arn.to_owned(),
            version,
        });
    }
    // The custom senders are named with their version, as
    // `{LambdaVersion, LambdaArn}`; the others by ARN alone.
    let named = config.get(trigger.name())?;
    let arn = named
        .as_str()
        .or_else(|| named.get("LambdaArn").and_then(Value::as_str))?;
    Some(Configured {
        arn: arn.to_owned(),
        version: "1",
    })
}

/// Every ARN a `LambdaConfig` names, for strict mode's check.
fn named_arns(lambda_config: &Value) -> Vec<String> {
    let Some(config) = lambda_config.as_object() else {
        return Vec::new();
    };
    let mut arns = Vec::new();
    for (member, value) in config {
        match value {
            Value::String(arn) if member != "KMSKeyID" => arns.push(arn.clone()),
            Value::Object(versioned) => {
                if let Some(Value::String(arn)) = versioned.get("LambdaArn") {
                    arns.push(arn.clone());
                }
            }
            _ => {}
        }
    }
    arns
}

/// Who called: the envelope's `callerContext` and `userName`.
#[derive(Debug, Clone)]
pub struct Caller<'a> {
    pub pool: &'a UserPool,
    /// The app client the call came through (`None` for admin calls without one).
    pub client_id: Option<&'a str>,
    pub username: &'a str,
}

/// How triggers run, besides the invoker.
#[derive(Default)]
pub struct TriggerSettings {
    /// Refuse pools that name an ARN no invoker resolves (or a KMSKeyID with
    /// no sender key).
    pub strict: bool,
    /// The raw AES key the custom senders' codes are encrypted under, by the
    /// pool's `KMSKeyID`.
    pub sender_keys: BTreeMap<String, [u8; 32]>,
}

/// Runs triggers through the configured invoker.
pub struct Triggers {
    invoker: Arc<dyn TriggerInvoker>,
    strict: bool,
    sender_keys: BTreeMap<String, [u8; 32]>,
    region: String,
}

impl Triggers {
    pub fn new(invoker: Arc<dyn TriggerInvoker>, settings: TriggerSettings, region: &str) -> Self {
        Self {
            invoker,
            strict: settings.strict,
            sender_keys: settings.sender_keys,
            region: region.to_owned(),
        }
    }

    pub fn none(region: &str) -> Self {
        Self::new(Arc::new(NoInvoker), TriggerSettings::default(), region)
    }

    /// In strict mode, a `LambdaConfig` naming an ARN with no invoker is
    /// refused when a pool is created or updated; otherwise it is accepted
    /// with a warning, and each call that runs it fails as an unreachable
    /// function does.
    pub fn check_lambda_config(&self, lambda_config: &Value) -> Result<()> {
        for arn in named_arns(lambda_config) {
            if self.invoker.resolves(&arn) {
                continue;
            }
            if self.strict {
                return Err(Error::InvalidParameter(format!(
                    "No trigger invoker is configured for {arn}."
                )));
            }
            tracing::warn!(%arn, "a pool names a trigger function no invoker is configured for");
        }
        let names_sender = ["CustomEmailSender", "CustomSMSSender"]
            .iter()
            .any(|member| lambda_config.get(*member).is_some());
        let key_id = lambda_config.get("KMSKeyID").and_then(Value::as_str);
        if names_sender && !key_id.is_some_and(|id| self.sender_keys.contains_key(id)) {
            let named = key_id.unwrap_or("(none)");
            if self.strict {
                return Err(Error::InvalidParameter(format!(
                    "No custom sender key is configured for the KMSKeyID {named}."
                )));
            }
            tracing::warn!(
                key_id = named,
                "a pool names a custom sender but no sender key is configured for its KMSKeyID"
            );
        }
        Ok(())
    }

    /// Cognito's envelope around `request`.
    fn event(
        &self,
        caller: &Caller<'_>,
        version: &str,
        source: &str,
        request: Map<String, Value>,
    ) -> Value {
        json!({
            "version": version,
            "triggerSource": source,
            "region": self.region,
            "userPoolId": caller.pool.id.as_str(),
            "userName": caller.username,
            "callerContext": {
                "awsSdkVersion": "aws-sdk-unknown-unknown",
                "clientId": caller.client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE"),
            },
            "request": request,
            "response": {},
        })
    }

    /// Runs `trigger` for `source` when the pool names a function for it, and
    /// returns the `response` member of the event it returned (`None` when
    /// the pool names none). Timeouts are retried; the outcome and duration
    /// of each call are logged, never the event.
    pub async fn run(
        &self,
        caller: &Caller<'_>,
        trigger: Trigger,
        source: &str,
        request: Map<String, Value>,
    ) -> Result<Option<Map<String, Value>>> {
        let Some(function) = configured(caller.pool, trigger) else {
            return Ok(None);
        };
        let event = self.event(caller, function.version, source, request);
        let started = Instant::now();
        let mut outcome = Err(InvokeError::Timeout);
        for attempt in 1..=ATTEMPTS {
            outcome = self.invoker.invoke(&function.arn, &event).await;
            let again = matches!(outcome, Err(InvokeError::Timeout | InvokeError::Throttled));
            if !again || attempt == ATTEMPTS {
                break;
            }
        }
        let took = started.elapsed();
        let millis = took.as_millis() as u64;
        let mut kind = outcome.as_ref().err().map_or("ok", InvokeError::kind);
        if let Err(cause) = &outcome {
            // The cause (what could not be reached, what came back) is the
            // operator's; the caller gets Cognito's wording.
            tracing::warn!(trigger = source, arn = %function.arn, millis, %cause, "trigger invocation failed");
        }
        let result = outcome
            .map_err(|e| invoke_error(trigger, e))
            .and_then(|returned| match returned.get("response") {
                Some(Value::Object(response)) => Ok(response.clone()),
                Some(Value::Null) | None => Ok(Map::new()),
                Some(_) => {
                    kind = "invalid_response";
                    Err(unrecognizable())
                }
            });
        telemetry::trigger(trigger.name(), source, kind, took);
        match &result {
            Ok(_) => tracing::info!(
                trigger = source, arn = %function.arn, millis, outcome = "ok", "trigger ran"
            ),
            Err(e) => tracing::warn!(
                trigger = source, arn = %function.arn, millis, outcome = %e, "trigger failed"
            ),
        }
        result.map(Some)
    }
}

pub(crate) fn unrecognizable() -> Error {
    Error::InvalidLambdaResponse("Unrecognizable lambda output".into())
}

/// Cognito's error for a failed invocation: the function's own failure is the
/// caller's (`UserLambdaValidationException`, "PreSignUp failed with error
/// …", re:Post's Lambda trigger errors article); a function that cannot be
/// run is Cognito's ("PreSignUp invocation failed due to error …").
fn invoke_error(trigger: Trigger, e: InvokeError) -> Error {
    let name = trigger.name();
    match e {
        InvokeError::Function(message) => {
            // A function's message reaches the caller: bounded.
            let message: String = message.chars().take(MAX_FUNCTION_MESSAGE).collect();
            Error::UserLambdaValidation(format!("{name} failed with error {message}."))
        }
        InvokeError::Malformed(_) => unrecognizable(),
        InvokeError::Timeout => Error::UnexpectedLambda(format!(
            "{name} invocation failed due to error TimeoutException."
        )),
        InvokeError::Throttled => Error::UnexpectedLambda(format!(
            "{name} invocation failed due to error TooManyRequestsException."
        )),
        InvokeError::NotMapped => Error::UnexpectedLambda(format!(
            "{name} invocation failed due to error ResourceNotFoundException."
        )),
        InvokeError::Unreachable(_) => Error::UnexpectedLambda(format!(
            "{name} invocation failed due to error ServiceException."
        )),
    }
}

/// A string map (attributes, `ClientMetadata`, `ValidationData`) as events hold it.
pub fn string_map(entries: &BTreeMap<String, String>) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// A boolean member of a response: absent or null is false; anything but a
/// boolean is an answer Cognito cannot read.
pub(crate) fn flag(response: &Map<String, Value>, name: &str) -> Result<bool> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(unrecognizable()),
    }
}

/// A user's attributes as every trigger after sign-up sees them: with
/// `cognito:user_status` (and the aliases Cognito adds).
pub(crate) fn trigger_view(user: &User) -> Value {
    let mut attributes = user.attributes.clone();
    attributes.insert("cognito:user_status".into(), user.status.as_str().into());
    for alias in &user.aliases {
        let name = alias.kind.attribute();
        if matches!(name, "email" | "phone_number") {
            attributes.insert(format!("cognito:{name}_alias"), alias.value.clone());
        }
    }
    string_map(&attributes)
}
