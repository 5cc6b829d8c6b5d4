//! DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse:
//! the CUSTOM_AUTH flow's decisions, challenges and answers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{
    Caller, Trigger, Triggers, configured, flag, string_map, trigger_view, unrecognizable,
};
use crate::domain::user::User;
use crate::error::{Error, Result};

/// One round of a custom sign-in, as DefineAuthChallenge sees it in `session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    pub challenge_name: String,
    pub challenge_result: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_metadata: Option<String>,
}

impl Round {
    fn event(&self) -> Value {
        json!({
            "challengeName": self.challenge_name,
            "challengeResult": self.challenge_result,
            "challengeMetadata": self.challenge_metadata,
        })
    }
}

/// What DefineAuthChallenge decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    IssueTokens,
    Fail,
    /// The challenge to present next (`CUSTOM_CHALLENGE`, or a built-in name).
    Challenge(String),
}

/// A challenge CreateAuthChallenge wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub public: BTreeMap<String, String>,
    pub private: BTreeMap<String, String>,
    pub metadata: Option<String>,
}

fn not_configured() -> Error {
    Error::InvalidParameter(
        "Custom auth lambda trigger is not configured for the user pool.".into(),
    )
}

fn history(rounds: &[Round]) -> Value {
    Value::Array(rounds.iter().map(Round::event).collect())
}

/// A map of strings in a response; other JSON values are written as JSON.
fn string_members(value: Option<&Value>) -> Result<BTreeMap<String, String>> {
    match value {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(members)) => Ok(members
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect()),
        Some(_) => Err(unrecognizable()),
    }
}

impl Triggers {
    /// Whether the pool can run a custom sign-in at all.
    pub(crate) fn check_custom_auth(&self, caller: &Caller<'_>) -> Result<()> {
        if configured(caller.pool, Trigger::DefineAuthChallenge).is_none() {
            return Err(not_configured());
        }
        Ok(())
    }

    fn request(user: &User, client_metadata: &BTreeMap<String, String>) -> Map<String, Value> {
        let mut request = Map::new();
        request.insert("userAttributes".into(), trigger_view(user));
        request.insert("userNotFound".into(), Value::Bool(false));
        request.insert("clientMetadata".into(), string_map(client_metadata));
        request
    }

    pub(crate) async fn define_auth_challenge(
        &self,
        caller: &Caller<'_>,
        user: &User,
        rounds: &[Round],
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<Decision> {
        let mut request = Self::request(user, client_metadata);
        request.insert("session".into(), history(rounds));
        let response = self
            .run(
                caller,
                Trigger::DefineAuthChallenge,
                "DefineAuthChallenge_Authentication",
                request,
            )
            .await?
            .unwrap_or_default();
        if flag(&response, "failAuthentication")? {
            return Ok(Decision::Fail);
        }
        if flag(&response, "issueTokens")? {
            return Ok(Decision::IssueTokens);
        }
        match response.get("challengeName") {
            Some(Value::String(name)) if !name.is_empty() => Ok(Decision::Challenge(name.clone())),
            _ => Err(unrecognizable()),
        }
    }

    pub(crate) async fn create_auth_challenge(
        &self,
        caller: &Caller<'_>,
        user: &User,
        challenge_name: &str,
        rounds: &[Round],
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<Created> {
        let mut request = Self::request(user, client_metadata);
        request.insert("challengeName".into(), challenge_name.into());
        request.insert("session".into(), history(rounds));
        let response = self
            .run(
                caller,
                Trigger::CreateAuthChallenge,
                "CreateAuthChallenge_Authentication",
                request,
            )
            .await?
            .ok_or_else(not_configured)?;
        let metadata = match response.get("challengeMetadata") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(unrecognizable()),
        };
        Ok(Created {
            public: string_members(response.get("publicChallengeParameters"))?,
            private: string_members(response.get("privateChallengeParameters"))?,
            metadata,
        })
    }

    pub(crate) async fn verify_auth_challenge_response(
        &self,
        caller: &Caller<'_>,
        user: &User,
        private: &BTreeMap<String, String>,
        answer: &str,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<bool> {
        let mut request = Self::request(user, client_metadata);
        request.insert("privateChallengeParameters".into(), string_map(private));
        request.insert("challengeAnswer".into(), answer.into());
        let response = self
            .run(
                caller,
                Trigger::VerifyAuthChallengeResponse,
                "VerifyAuthChallengeResponse_Authentication",
                request,
            )
            .await?
            .ok_or_else(not_configured)?;
        flag(&response, "answerCorrect")
    }
}
