//! The fixture of the time-dependent tests: one pool and one app client on a
//! spawned app, the sign-in flows as one-line calls, and the messages the
//! tests expect.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthError;
use aws_sdk_cognitoidentityprovider::operation::confirm_forgot_password::ConfirmForgotPasswordError;
use aws_sdk_cognitoidentityprovider::operation::confirm_sign_up::ConfirmSignUpError;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder;
use aws_sdk_cognitoidentityprovider::operation::get_tokens_from_refresh_token::GetTokensFromRefreshTokenError;
use aws_sdk_cognitoidentityprovider::operation::get_user::GetUserError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{
    InitiateAuthError, InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType, ExplicitAuthFlowsType,
    MessageActionType, PasswordPolicyType, TimeUnitsType, TokenValidityUnitsType,
    UserPoolPolicyType, UserStatusType, VerifiedAttributeType,
};
use tessera_core::clock::Clock;
use tessera_crypto::srp;

use crate::common::fixtures::{attr, create_user};
use crate::common::{Result, TestApp, spawn_app};

pub const PASSWORD: &str = "Correct-Horse-42";
pub const WRONG: &str = "Wrong-Horse-99";
pub const INCORRECT: &str = "Incorrect username or password.";
pub const LOCKED: &str = "Password attempts exceeded";
pub const SESSION_EXPIRED: &str = "Invalid session for the user, session is expired.";
pub const EXPIRED_CODE: &str = "Invalid code provided, please request a code again.";
pub const MISMATCHED_CODE: &str = "Invalid verification code provided, please try again.";

pub type SdkResult<T, E> = std::result::Result<T, SdkError<E>>;

/// The app's fixed clock, in whole seconds.
pub fn now_secs(app: &TestApp) -> i64 {
    app.clock.now().millis() / 1000
}

/// A spawned app with one pool and one app client in it.
pub struct Fixture {
    pub app: TestApp,
    pub pool: String,
    pub client: String,
}

/// A pool that auto-verifies email and accepts [`PASSWORD`] and [`WRONG`];
/// `pool` and `client` adjust the CreateUserPool / CreateUserPoolClient calls.
/// The client allows the password, SRP, admin-password and refresh flows.
pub async fn fixture(
    pool: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
    client: impl FnOnce(CreateUserPoolClientFluentBuilder) -> CreateUserPoolClientFluentBuilder,
) -> anyhow::Result<Fixture> {
    let app = spawn_app().await?;
    let request = app
        .client
        .create_user_pool()
        .pool_name("timed")
        .auto_verified_attributes(VerifiedAttributeType::Email);
    let created = pool(request).send().await?;
    let pool_id = created
        .user_pool()
        .and_then(|p| p.id())
        .expect("CreateUserPool returns the pool id")
        .to_owned();
    let request = app
        .client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth);
    let created = client(request).send().await?;
    let client_id = created
        .user_pool_client()
        .and_then(|c| c.client_id())
        .expect("CreateUserPoolClient returns the client id")
        .to_owned();
    Ok(Fixture {
        app,
        pool: pool_id,
        client: client_id,
    })
}

pub fn password_policy(temporary_password_days: i32) -> UserPoolPolicyType {
    UserPoolPolicyType::builder()
        .password_policy(
            PasswordPolicyType::builder()
                .minimum_length(8)
                .require_uppercase(true)
                .require_lowercase(true)
                .require_numbers(true)
                .require_symbols(true)
                .temporary_password_validity_days(temporary_password_days)
                .build(),
        )
        .build()
}

pub fn minutes_everywhere() -> TokenValidityUnitsType {
    TokenValidityUnitsType::builder()
        .access_token(TimeUnitsType::Minutes)
        .id_token(TimeUnitsType::Minutes)
        .refresh_token(TimeUnitsType::Minutes)
        .build()
}

impl Fixture {
    pub fn sdk(&self) -> &aws_sdk_cognitoidentityprovider::Client {
        &self.app.client
    }

    pub fn pool_name(&self) -> &str {
        self.pool
            .split_once('_')
            .map_or(self.pool.as_str(), |(_, name)| name)
    }

    /// A CONFIRMED user with a verified email and a permanent password.
    pub async fn confirmed_user(&self, username: &str) -> Result {
        create_user(
            self.sdk(),
            &self.pool,
            username,
            &format!("{username}@example.com"),
        )
        .await?;
        self.sdk()
            .admin_set_user_password()
            .user_pool_id(&self.pool)
            .username(username)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await?;
        Ok(())
    }

    /// A FORCE_CHANGE_PASSWORD user whose temporary password is `temporary`.
    pub async fn invited_user(&self, username: &str, temporary: &str) -> Result {
        self.sdk()
            .admin_create_user()
            .user_pool_id(&self.pool)
            .username(username)
            .temporary_password(temporary)
            .user_attributes(attr("email", &format!("{username}@example.com")))
            .user_attributes(attr("email_verified", "true"))
            .message_action(MessageActionType::Suppress)
            .send()
            .await?;
        Ok(())
    }

    pub async fn status(&self, username: &str) -> anyhow::Result<UserStatusType> {
        let user = self
            .sdk()
            .admin_get_user()
            .user_pool_id(&self.pool)
            .username(username)
            .send()
            .await?;
        Ok(user
            .user_status()
            .expect("AdminGetUser returns a status")
            .clone())
    }

    /// InitiateAuth USER_PASSWORD_AUTH.
    pub async fn password_auth(
        &self,
        username: &str,
        password: &str,
    ) -> SdkResult<InitiateAuthOutput, InitiateAuthError> {
        self.sdk()
            .initiate_auth()
            .client_id(&self.client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
    }

    /// USER_PASSWORD_AUTH that must end in tokens.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> anyhow::Result<AuthenticationResultType> {
        let out = self.password_auth(username, password).await?;
        Ok(out
            .authentication_result()
            .unwrap_or_else(|| panic!("tokens expected, got {out:?}"))
            .clone())
    }

    /// AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH.
    pub async fn admin_password_auth(
        &self,
        username: &str,
        password: &str,
    ) -> SdkResult<
        aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthOutput,
        AdminInitiateAuthError,
    > {
        self.sdk()
            .admin_initiate_auth()
            .user_pool_id(&self.pool)
            .client_id(&self.client)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
    }

    /// InitiateAuth REFRESH_TOKEN_AUTH.
    pub async fn refresh(
        &self,
        refresh_token: &str,
    ) -> SdkResult<InitiateAuthOutput, InitiateAuthError> {
        self.sdk()
            .initiate_auth()
            .client_id(&self.client)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh_token)
            .send()
            .await
    }

    pub async fn tokens_from_refresh_token(
        &self,
        refresh_token: &str,
    ) -> SdkResult<AuthenticationResultType, GetTokensFromRefreshTokenError> {
        self.sdk()
            .get_tokens_from_refresh_token()
            .client_id(&self.client)
            .refresh_token(refresh_token)
            .send()
            .await
            .map(|out| {
                out.authentication_result()
                    .expect("GetTokensFromRefreshToken returns tokens")
                    .clone()
            })
    }

    pub async fn get_user(&self, access_token: &str) -> SdkResult<String, GetUserError> {
        self.sdk()
            .get_user()
            .access_token(access_token)
            .send()
            .await
            .map(|out| out.username().to_owned())
    }

    /// USER_SRP_AUTH: the client's SRP state and the PASSWORD_VERIFIER parameters.
    pub async fn srp_start(
        &self,
        username: &str,
    ) -> anyhow::Result<(srp::client::ClientSession, HashMap<String, String>)> {
        let session = srp::client::start();
        let out = self
            .sdk()
            .initiate_auth()
            .client_id(&self.client)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("SRP_A", session.public_a_hex())
            .send()
            .await?;
        assert_eq!(
            out.challenge_name(),
            Some(&ChallengeNameType::PasswordVerifier)
        );
        let parameters = out
            .challenge_parameters()
            .expect("PASSWORD_VERIFIER has parameters")
            .clone();
        Ok((session, parameters))
    }

    /// Answers PASSWORD_VERIFIER with `password`, as pycognito does: without a
    /// Session, with TIMESTAMP read from the app's clock.
    pub async fn srp_answer(
        &self,
        session: &srp::client::ClientSession,
        parameters: &HashMap<String, String>,
        password: &str,
    ) -> anyhow::Result<SdkResult<RespondToAuthChallengeOutput, RespondToAuthChallengeError>> {
        let param = |name: &str| {
            parameters
                .get(name)
                .unwrap_or_else(|| panic!("PASSWORD_VERIFIER lacks {name}"))
                .as_str()
        };
        let user_id = param("USER_ID_FOR_SRP");
        let timestamp = srp::format_timestamp(now_secs(&self.app));
        let signature = session.claim_signature(
            self.pool_name(),
            user_id,
            password,
            param("SALT"),
            param("SRP_B"),
            param("SECRET_BLOCK"),
            &timestamp,
        )?;
        Ok(self
            .sdk()
            .respond_to_auth_challenge()
            .client_id(&self.client)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .challenge_responses("USERNAME", user_id)
            .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", param("SECRET_BLOCK"))
            .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
            .challenge_responses("TIMESTAMP", timestamp)
            .send()
            .await)
    }

    /// A whole SRP sign-in with `password`, answered at once.
    pub async fn srp_sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> anyhow::Result<SdkResult<RespondToAuthChallengeOutput, RespondToAuthChallengeError>> {
        let (session, parameters) = self.srp_start(username).await?;
        self.srp_answer(&session, &parameters, password).await
    }

    pub async fn respond_new_password(
        &self,
        username: &str,
        session: &str,
        new_password: &str,
    ) -> SdkResult<RespondToAuthChallengeOutput, RespondToAuthChallengeError> {
        self.sdk()
            .respond_to_auth_challenge()
            .client_id(&self.client)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(session)
            .challenge_responses("USERNAME", username)
            .challenge_responses("NEW_PASSWORD", new_password)
            .send()
            .await
    }

    /// USER_PASSWORD_AUTH with a temporary password, which must answer
    /// NEW_PASSWORD_REQUIRED; its Session.
    pub async fn new_password_session(
        &self,
        username: &str,
        temporary: &str,
    ) -> anyhow::Result<String> {
        let out = self.password_auth(username, temporary).await?;
        assert_eq!(
            out.challenge_name(),
            Some(&ChallengeNameType::NewPasswordRequired),
            "{out:?}"
        );
        Ok(out
            .session()
            .expect("NEW_PASSWORD_REQUIRED has a Session")
            .to_owned())
    }

    pub async fn sign_up(&self, username: &str) -> Result {
        let out = self
            .sdk()
            .sign_up()
            .client_id(&self.client)
            .username(username)
            .password(PASSWORD)
            .user_attributes(attr("email", &format!("{username}@example.com")))
            .send()
            .await?;
        assert!(!out.user_confirmed());
        assert!(out.code_delivery_details().is_some(), "{out:?}");
        Ok(())
    }

    pub fn code_for(&self, username: &str) -> String {
        self.app
            .latest_code(&self.pool, &format!("{username}@example.com"))
            .unwrap_or_else(|| panic!("no code in the outbox for {username}"))
    }

    pub async fn confirm_sign_up(
        &self,
        username: &str,
        code: &str,
    ) -> SdkResult<(), ConfirmSignUpError> {
        self.sdk()
            .confirm_sign_up()
            .client_id(&self.client)
            .username(username)
            .confirmation_code(code)
            .send()
            .await
            .map(|_| ())
    }

    pub async fn forgot_password(&self, username: &str) -> Result {
        self.sdk()
            .forgot_password()
            .client_id(&self.client)
            .username(username)
            .send()
            .await?;
        Ok(())
    }

    pub async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        password: &str,
    ) -> SdkResult<(), ConfirmForgotPasswordError> {
        self.sdk()
            .confirm_forgot_password()
            .client_id(&self.client)
            .username(username)
            .confirmation_code(code)
            .password(password)
            .send()
            .await
            .map(|_| ())
    }

    /// `n` sign-ins with the wrong password, each refused as a wrong password.
    pub async fn fail_password(&self, username: &str, n: usize) {
        for attempt in 1..=n {
            let result = self.password_auth(username, WRONG).await;
            let err = result
                .expect_err("a wrong password is refused")
                .into_service_error();
            assert!(
                matches!(err, InitiateAuthError::NotAuthorizedException(_)),
                "attempt {attempt}: {err:?}"
            );
            assert_eq!(err.message(), Some(INCORRECT), "attempt {attempt}");
        }
    }

    pub async fn jwks_kids(&self) -> anyhow::Result<Vec<String>> {
        let url = format!(
            "{}/{}/.well-known/jwks.json",
            self.app.server.url(),
            self.pool
        );
        let body: serde_json::Value = reqwest::get(url).await?.error_for_status()?.json().await?;
        Ok(body["keys"]
            .as_array()
            .expect("JWKS has keys")
            .iter()
            .map(|k| k["kid"].as_str().expect("each key has a kid").to_owned())
            .collect())
    }
}

pub fn tokens(out: &InitiateAuthOutput) -> &AuthenticationResultType {
    out.authentication_result()
        .unwrap_or_else(|| panic!("tokens expected, got {out:?}"))
}

pub fn access_token(result: &AuthenticationResultType) -> &str {
    result.access_token().expect("an access token")
}

pub fn refresh_token(result: &AuthenticationResultType) -> &str {
    result.refresh_token().expect("a refresh token")
}

pub fn kid(token: &str) -> String {
    tessera_crypto::jwt::peek_kid(token).expect("a JWT with a kid")
}

pub fn wrong_code(right: &str) -> String {
    let n: u32 = right.parse().expect("a numeric code");
    format!("{:06}", (n + 1) % 1_000_000)
}
