//! SetRiskConfiguration / DescribeRiskConfiguration, and the checks a risk
//! configuration asks for that run without AWS: blocked and skipped IP
//! ranges, and compromised credentials against the breached-password list.
//! Actions are taken only in ENFORCED mode; AUDIT only records.

use std::net::IpAddr;

use serde_json::{Map, Value, json};

use super::Assessment;
use crate::domain::auth_event::AuthEvent;
use crate::domain::oauth::{DocumentKind, DocumentWrite};
use crate::domain::pool::UserPool;
use crate::domain::risk::{
    CheckedEvent, RISK_MEMBERS, RiskConfiguration, SecurityMode, check_ranges,
};
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::mailer::{Medium, Message};
use crate::services::Services;
use crate::services::existence::client_not_found;
use crate::store::StoreError;

/// The document key of the pool-wide configuration.
const POOL_KEY: &str = "ALL";

/// The refusal of a sign-in from a blocked range, or with a compromised
/// password the configuration blocks.
pub(crate) fn blocked() -> Error {
    Error::NotAuthorized("Request not allowed due to security reasons.".into())
}

fn compromised_password() -> Error {
    Error::InvalidPassword(
        "The password given has been found in a data breach; choose another password.".into(),
    )
}

impl Services {
    pub async fn set_risk_configuration(
        &self,
        pool_id: &UserPoolId,
        client: Option<&ClientId>,
        members: Map<String, Value>,
    ) -> Result<Value> {
        let pool = self.pool(pool_id).await?;
        let key = self.risk_key(&pool, client).await?;
        check_ranges(&members).map_err(Error::InvalidParameter)?;
        let mut document: Map<String, Value> = members
            .into_iter()
            .filter(|(name, _)| RISK_MEMBERS.contains(&name.as_str()))
            .collect();
        document.insert(
            "LastModifiedDate".into(),
            json!(self.clock.now().epoch_seconds()),
        );
        let document = Value::Object(document);
        self.store
            .put_document(
                &pool.id,
                DocumentKind::RiskConfiguration,
                &key,
                &document,
                DocumentWrite::Upsert,
            )
            .await?;
        Ok(Self::risk_shape(&pool.id, client, document))
    }

    pub async fn describe_risk_configuration(
        &self,
        pool_id: &UserPoolId,
        client: Option<&ClientId>,
    ) -> Result<Value> {
        let pool = self.pool(pool_id).await?;
        let key = self.risk_key(&pool, client).await?;
        let document = match self.stored_risk(&pool.id, &key).await? {
            Some(d) => d,
            None => Value::Object(Map::new()),
        };
        Ok(Self::risk_shape(&pool.id, client, document))
    }

    fn risk_shape(pool: &UserPoolId, client: Option<&ClientId>, document: Value) -> Value {
        let mut shape = document.as_object().cloned().unwrap_or_default();
        shape.insert("UserPoolId".into(), json!(pool.as_str()));
        if let Some(client) = client {
            shape.insert("ClientId".into(), json!(client.as_str()));
        }
        Value::Object(shape)
    }

    /// The document key for the pool's or a client's configuration; the
    /// client must be the pool's.
    async fn risk_key(&self, pool: &UserPool, client: Option<&ClientId>) -> Result<String> {
        let Some(client) = client else {
            return Ok(POOL_KEY.to_owned());
        };
        match self.store.get_client(&pool.id, client).await {
            Ok(c) => Ok(c.id.as_str().to_owned()),
            Err(StoreError::NotFound) => Err(client_not_found(client)),
            Err(e) => Err(e.into()),
        }
    }

    async fn stored_risk(&self, pool: &UserPoolId, key: &str) -> Result<Option<Value>> {
        match self
            .store
            .get_document(pool, DocumentKind::RiskConfiguration, key)
            .await
        {
            Ok(d) => Ok(Some(d)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The configuration that applies to a client: its own, else the pool's.
    pub(crate) async fn effective_risk(
        &self,
        pool: &UserPool,
        client: Option<&ClientId>,
    ) -> Result<RiskConfiguration> {
        if SecurityMode::of(pool) == SecurityMode::Off {
            return Ok(RiskConfiguration::default());
        }
        let own = match client {
            Some(c) => self.stored_risk(&pool.id, c.as_str()).await?,
            None => None,
        };
        let document = match own {
            Some(d) => Some(d),
            None => self.stored_risk(&pool.id, POOL_KEY).await?,
        };
        Ok(RiskConfiguration {
            members: document
                .and_then(|d| d.as_object().cloned())
                .unwrap_or_default(),
        })
    }

    /// A sign-in's check before its password is tested: in ENFORCED mode a
    /// blocked range refuses it, recorded as a blocked failure. AUDIT takes
    /// no action, and the sign-in's own event records its address.
    pub(crate) async fn check_sign_in_address(
        &self,
        pool: &UserPool,
        client: &ClientId,
        user: &User,
        ip: Option<IpAddr>,
    ) -> Result<()> {
        let Some(ip) = ip else { return Ok(()) };
        if SecurityMode::of(pool) != SecurityMode::Enforced {
            return Ok(());
        }
        let config = self.effective_risk(pool, Some(client)).await?;
        if !config.blocks(ip) {
            return Ok(());
        }
        self.record_auth_event(
            pool,
            &user.sub,
            super::Draft {
                kind: super::EventKind::SignIn,
                passed: false,
                assessment: Assessment {
                    blocked: true,
                    compromised: false,
                },
                challenges: &[],
                ip: Some(ip),
            },
        )
        .await?;
        Err(blocked())
    }

    /// Whether `password` is on the breached list for an `event` the
    /// configuration checks, and whether to refuse it. Requests from a
    /// skipped range are not assessed.
    pub(crate) async fn assess_password(
        &self,
        pool: &UserPool,
        client: Option<&ClientId>,
        event: CheckedEvent,
        password: &str,
        ip: Option<IpAddr>,
    ) -> Result<Assessment> {
        let config = self.effective_risk(pool, client).await?;
        if ip.is_some_and(|ip| config.skips(ip)) {
            return Ok(Assessment::default());
        }
        let Some(block) = config.compromised_check(event) else {
            return Ok(Assessment::default());
        };
        let compromised = self.risk.breached.contains(password);
        Ok(Assessment {
            blocked: compromised && block && SecurityMode::of(pool) == SecurityMode::Enforced,
            compromised,
        })
    }

    /// Sign-up and password change refuse a blocked compromised password.
    pub(crate) fn refuse_if_blocked(assessment: Assessment) -> Result<()> {
        if assessment.blocked {
            return Err(compromised_password());
        }
        Ok(())
    }

    /// Tells the user about a risky sign-in when the pool's
    /// `NotifyConfiguration` has a template for it. The template's
    /// `{one-click-link-valid}` and `{one-click-link-invalid}` become the
    /// event's feedback token, for an app to pass to UpdateAuthEventFeedback.
    pub(crate) async fn notify_risky_sign_in(
        &self,
        pool: &UserPool,
        client: &ClientId,
        user: &User,
        event: &AuthEvent,
        assessment: Assessment,
    ) -> Result<()> {
        if !assessment.compromised && !assessment.blocked {
            return Ok(());
        }
        let Some(email) = user.attributes.get("email") else {
            return Ok(());
        };
        let config = self.effective_risk(pool, Some(client)).await?;
        let template = if assessment.blocked {
            "BlockEmail"
        } else {
            "NoActionEmail"
        };
        let Some((_, template)) = config.notify_email(template) else {
            return Ok(());
        };
        let token = self.feedback_token(&pool.id, &user.sub, &event.event_id);
        let fill = |text: &str, username: &str| {
            text.replace("{one-click-link-valid}", &token)
                .replace("{one-click-link-invalid}", &token)
                .replace("{username}", username)
                .replace("{event-id}", &event.event_id)
        };
        let text = |key: &str| template.get(key).and_then(Value::as_str);
        // In an HTML template the username is text, not markup.
        let html_username = user
            .username
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        let body = match (text("TextBody"), text("HtmlBody")) {
            (Some(plain), _) => fill(plain, &user.username),
            (None, Some(html)) => fill(html, &html_username),
            (None, None) => token.clone(),
        };
        let message = Message {
            pool_id: pool.id.clone(),
            medium: Medium::Email,
            recipient: email.clone(),
            subject: text("Subject").map(|subject| fill(subject, &user.username)),
            body,
            kind: "risk-notification",
        };
        // The sign-in stands whatever becomes of its notice, as in Cognito,
        // which notifies after the fact.
        if let Err(e) = self.messenger.deliver(message).await {
            tracing::warn!(cause = %e, "a risk notification was not delivered");
        }
        Ok(())
    }
}
