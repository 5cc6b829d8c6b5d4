//! The password as first factor (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH),
//! the lockout counter every password check settles, and NEW_PASSWORD_REQUIRED
//! for users holding a temporary password.

use std::collections::BTreeMap;

use super::challenge::{Challenge, ChallengeName};
use super::session::{Step, session_expired};
use super::{AuthOutcome, SigningIn, Stage};
use crate::domain::risk::CheckedEvent;
use crate::domain::schema::{AttributeFaults, FaultWording, canonical_value};
use crate::domain::user::{User, UserStatus};
use crate::error::{Error, Result};
use crate::services::Services;
use crate::services::attributes::check_writable;
use crate::services::client_context::ClientContext;
use crate::services::credentials::{SET_PASSWORD_PREFIX, check_password_policy};
use crate::services::directory::UserDirectory;
use crate::services::events::risk::blocked;
use crate::services::events::{Assessment, Draft, EventKind};
use crate::services::existence::{Hidden, incorrect_credentials, unknown_user};
use crate::services::triggers::migration::MigrationSource;
use crate::telemetry;

/// What NEW_PASSWORD_REQUIRED carries.
pub(crate) struct NewPassword<'a> {
    pub username: Option<&'a str>,
    pub new_password: &'a str,
    pub attributes: &'a [(String, String)],
    pub secret_hash: Option<&'a str>,
    pub session: Option<&'a str>,
    pub device_key: Option<&'a str>,
}

/// An admitted check, counted as a failure until it proves right. Whether the
/// failure it was counted as locks the user is known at admission, but the
/// lockout only stands if the check turns out wrong: a right answer takes the
/// failure back. So a wrong check reports itself with [`Admission::failed`],
/// which counts the lockout it brings.
#[must_use = "a wrong check calls Admission::failed, which counts the lockout it brings"]
pub(crate) struct Admission {
    locks: bool,
}

impl Admission {
    /// The check was wrong: its failure stays counted.
    pub(crate) fn failed(self) {
        if self.locks {
            telemetry::lockout();
        }
    }
}

impl Services {
    pub(crate) async fn password_sign_in(
        &self,
        ctx: &ClientContext,
        username: &str,
        password: &str,
        secret_hash: Option<&str>,
        device_key: Option<&str>,
    ) -> Result<AuthOutcome> {
        let Some(user) = self.users.sign_in_user(&ctx.pool, username).await? else {
            self.check_secret_hash(&ctx.client, secret_hash, &[username])?;
            let migrated = self
                .migrate_user(
                    ctx,
                    username,
                    MigrationSource::Authentication,
                    Some(password),
                )
                .await?;
            let Some(user) = migrated else {
                return Err(unknown_user(ctx, Hidden::AsWrongPassword));
            };
            // The function vouched for the password it was given.
            let signing_in = SigningIn {
                user,
                device_key: device_key.map(str::to_owned),
                assessment: Default::default(),
            };
            return self
                .advance(ctx, signing_in, Stage::FirstFactor, false)
                .await;
        };
        self.check_secret_hash(&ctx.client, secret_hash, &[username, &user.username])?;
        self.pre_authentication(ctx, &user).await?;
        if user.password.is_none() && user.status == UserStatus::ResetRequired {
            // An imported user has no password yet, as in Cognito: whatever
            // is tried, the answer is to reset it.
            return Err(Error::PasswordResetRequired);
        }
        self.check_sign_in_address(&ctx.pool, &ctx.client.id, &user, ctx.ip)
            .await?;
        let admission = self.admit_password_check(&user).await?;
        if !self.password_matches(&user, password)? {
            admission.failed();
            self.record_failed_password(ctx, &user).await?;
            return Err(incorrect_credentials());
        }
        let assessment = self
            .assess_password(
                &ctx.pool,
                Some(&ctx.client.id),
                CheckedEvent::SignIn,
                password,
                ctx.ip,
            )
            .await?;
        if assessment.blocked {
            return self.block_compromised_sign_in(ctx, user, assessment).await;
        }
        let signing_in = SigningIn {
            user,
            device_key: device_key.map(str::to_owned),
            assessment,
        };
        self.advance(ctx, signing_in, Stage::FirstFactor, true)
            .await
    }

    /// Records a sign-in refused for a wrong password.
    pub(crate) async fn record_failed_password(
        &self,
        ctx: &ClientContext,
        user: &User,
    ) -> Result<()> {
        self.record_auth_event(
            &ctx.pool,
            &user.sub,
            Draft {
                kind: EventKind::SignIn,
                passed: false,
                assessment: Assessment::default(),
                challenges: &[("Password", false)],
                ip: ctx.ip,
            },
        )
        .await?;
        Ok(())
    }

    /// A right but compromised password the configuration blocks: as
    /// Cognito does, the user must reset the password before signing in
    /// again (RESET_REQUIRED); the attempt is recorded and the user told.
    async fn block_compromised_sign_in(
        &self,
        ctx: &ClientContext,
        mut user: User,
        assessment: Assessment,
    ) -> Result<AuthOutcome> {
        // The password was right: its check does not count as a failure.
        self.store
            .refund_sign_in_attempt(&user.pool_id, &user.sub)
            .await?;
        user.status = UserStatus::ResetRequired;
        user.modified = self.clock.now();
        self.users.save(&user).await?;
        let event = self
            .record_auth_event(
                &ctx.pool,
                &user.sub,
                Draft {
                    kind: EventKind::SignIn,
                    passed: false,
                    assessment,
                    challenges: &[("Password", true)],
                    ip: ctx.ip,
                },
            )
            .await?;
        if let Some(event) = &event {
            self.notify_risky_sign_in(&ctx.pool, &ctx.client.id, &user, event, assessment)
                .await?;
        }
        Err(blocked())
    }

    /// Admits one password check, counted as a failure until it matches, or
    /// refuses it while the user is locked out (refused checks do not count).
    /// Admission is one atomic store write, so concurrent guesses — on one
    /// node or many — cannot outrun the lockout.
    pub(crate) async fn admit_password_check(&self, user: &User) -> Result<Admission> {
        let now = self.clock.now();
        match self
            .store
            .admit_sign_in_attempt(&user.pool_id, &user.sub, now)
            .await?
        {
            Some(state) => Ok(Admission {
                locks: state.is_locked(now),
            }),
            None => Err(Error::NotAuthorized("Password attempts exceeded".into())),
        }
    }

    /// Settles an admitted check outside a sign-in (ChangePassword,
    /// VerifySoftwareToken): a match clears the failure count its admission
    /// raised; a mismatch stays counted. A sign-in's checks stay counted until
    /// the sign-in completes (`advance`), so a right password cannot wipe out
    /// the wrong MFA codes that follow it.
    pub(crate) async fn settle_password_check(
        &self,
        user: &User,
        admission: Admission,
        matched: bool,
    ) -> Result<()> {
        if !matched {
            admission.failed();
            return Err(incorrect_credentials());
        }
        self.store
            .clear_sign_in_failures(&user.pool_id, &user.sub)
            .await?;
        Ok(())
    }

    /// NEW_PASSWORD_REQUIRED: the current attributes and the required ones
    /// still missing.
    pub(crate) fn new_password_challenge(
        &self,
        ctx: &ClientContext,
        signing_in: &SigningIn,
    ) -> Result<AuthOutcome> {
        let user = &signing_in.user;
        let user_attributes: BTreeMap<String, String> = user
            .attributes
            .iter()
            .filter(|(name, _)| name.as_str() != "sub")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let required_attributes = ctx
            .pool
            .schema
            .iter()
            .filter(|a| a.required && a.name != "sub" && !user.attributes.contains_key(&a.name))
            .map(|a| a.name.clone())
            .collect();
        let session =
            self.seal_session(ctx, signing_in.session_user(), Step::NewPasswordRequired)?;
        Ok(AuthOutcome::Challenge {
            challenge: Challenge::NewPasswordRequired {
                user_id_for_srp: user.username.clone(),
                user_attributes,
                required_attributes,
            },
            session: Some(session),
        })
    }

    pub(crate) async fn set_new_password(
        &self,
        ctx: &ClientContext,
        answer: NewPassword<'_>,
    ) -> Result<AuthOutcome> {
        let pool = &ctx.pool;
        let session = answer
            .session
            .and_then(|s| {
                self.open_session(ctx, s, ChallengeName::NewPasswordRequired)
                    .ok()
            })
            .ok_or_else(session_expired)?;
        let sub = session.user.sub.as_deref().ok_or_else(session_expired)?;
        let mut user = self
            .users
            .by_sub(&pool.id, sub)
            .await?
            .ok_or_else(session_expired)?;
        let typed = answer.username.unwrap_or(&user.username);
        self.check_secret_hash(&ctx.client, answer.secret_hash, &[typed, &user.username])?;
        if user.status != UserStatus::ForceChangePassword {
            return Err(session_expired());
        }
        let updates = answer.attributes;
        check_writable(&ctx.policy, updates.iter().map(|(n, _)| n.as_str()))?;
        let mut faults = AttributeFaults::new();
        for (name, value) in updates {
            faults.check_value(&pool.schema, name, value);
            if user.attributes.contains_key(name) {
                faults.check_mutable(&pool.schema, name);
            }
        }
        faults.into_result(FaultWording::Creation)?;
        user.attributes.extend(
            updates
                .iter()
                .map(|(name, value)| (name.clone(), canonical_value(&pool.schema, name, value))),
        );
        // This challenge names what is missing its own way (aws-sdk-js#1290).
        let missing: Vec<&str> = pool
            .schema
            .iter()
            .filter(|a| a.required && a.name != "sub" && !user.attributes.contains_key(&a.name))
            .map(|a| a.name.as_str())
            .collect();
        if let Some((last, rest)) = missing.split_last() {
            let names = if rest.is_empty() {
                (*last).to_owned()
            } else {
                format!("{} and {last}", rest.join(", "))
            };
            return Err(Error::InvalidParameter(format!(
                "Invalid attributes given, {names} is missing"
            )));
        }
        check_password_policy(pool, answer.new_password, SET_PASSWORD_PREFIX)?;
        user.password =
            Some(self.seal_password(&pool.id, &user.username, &user.sub, answer.new_password)?);
        user.password_expires = None;
        user.status = UserStatus::Confirmed;
        user.aliases = UserDirectory::aliases_of(pool, &user.attributes);
        user.modified = self.clock.now();
        self.users.save(&user).await?;
        let signing_in = SigningIn::resumed(user, &session, answer.device_key);
        self.advance(ctx, signing_in, Stage::NewPassword, false)
            .await
    }
}
