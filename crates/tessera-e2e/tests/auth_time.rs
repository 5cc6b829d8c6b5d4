//! Time-dependent sign-in behaviour, driven through the real SDK against a
//! spawned Tessera whose clock the test moves: token, code, session and
//! temporary-password lifetimes, lockout and its release, refresh-token
//! rotation with its grace period, and signing-key rotation in the JWKS.

mod common;

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
    AttributeType, AuthFlowType, AuthenticationResultType, ChallengeNameType,
    ExplicitAuthFlowsType, FeatureType, MessageActionType, PasswordPolicyType,
    RefreshTokenRotationType, TimeUnitsType, TokenValidityUnitsType, UserPoolPolicyType,
    UserStatusType, VerifiedAttributeType,
};
use common::{TestApp, spawn_app};
use tessera_core::clock::Clock;
use tessera_crypto::srp;

type Result = anyhow::Result<()>;

const PASSWORD: &str = "Correct-Horse-42";
const WRONG: &str = "Wrong-Horse-99";
const INCORRECT: &str = "Incorrect username or password.";
const LOCKED: &str = "Password attempts exceeded";
const SESSION_EXPIRED: &str = "Invalid session for the user, session is expired.";
const EXPIRED_CODE: &str = "Invalid code provided, please request a code again.";
const MISMATCHED_CODE: &str = "Invalid verification code provided, please try again.";

/// Asserts `result` failed with the service error `pattern` and exactly `message`.
macro_rules! assert_refused {
    ($result:expr, $pattern:pat, $message:expr $(,)?) => {{
        let err = $result
            .expect_err("the call should have been refused")
            .into_service_error();
        assert!(matches!(err, $pattern), "unexpected error: {err:?}");
        assert_eq!(err.message(), Some($message), "{err:?}");
    }};
}

type SdkResult<T, E> = std::result::Result<T, SdkError<E>>;

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("name is set")
}

/// The app's fixed clock, in whole seconds.
fn now_secs(app: &TestApp) -> i64 {
    app.clock.now().millis() / 1000
}

/// A spawned app with one pool and one app client in it.
struct Fixture {
    app: TestApp,
    pool: String,
    client: String,
}

/// A pool that auto-verifies email and accepts [`PASSWORD`] and [`WRONG`];
/// `pool` and `client` adjust the CreateUserPool / CreateUserPoolClient calls.
/// The client allows the password, SRP, admin-password and refresh flows.
async fn fixture(
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

fn password_policy(temporary_password_days: i32) -> UserPoolPolicyType {
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

fn minutes_everywhere() -> TokenValidityUnitsType {
    TokenValidityUnitsType::builder()
        .access_token(TimeUnitsType::Minutes)
        .id_token(TimeUnitsType::Minutes)
        .refresh_token(TimeUnitsType::Minutes)
        .build()
}

impl Fixture {
    fn sdk(&self) -> &aws_sdk_cognitoidentityprovider::Client {
        &self.app.client
    }

    fn pool_name(&self) -> &str {
        self.pool
            .split_once('_')
            .map_or(self.pool.as_str(), |(_, name)| name)
    }

    /// A CONFIRMED user with a verified email and a permanent password.
    async fn confirmed_user(&self, username: &str) -> Result {
        self.sdk()
            .admin_create_user()
            .user_pool_id(&self.pool)
            .username(username)
            .user_attributes(attr("email", &format!("{username}@example.com")))
            .user_attributes(attr("email_verified", "true"))
            .message_action(MessageActionType::Suppress)
            .send()
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
    async fn invited_user(&self, username: &str, temporary: &str) -> Result {
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

    async fn status(&self, username: &str) -> anyhow::Result<UserStatusType> {
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
    async fn password_auth(
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
    async fn sign_in(
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
    async fn admin_password_auth(
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
    async fn refresh(
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

    async fn tokens_from_refresh_token(
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

    async fn get_user(&self, access_token: &str) -> SdkResult<String, GetUserError> {
        self.sdk()
            .get_user()
            .access_token(access_token)
            .send()
            .await
            .map(|out| out.username().to_owned())
    }

    /// USER_SRP_AUTH: the client's SRP state and the PASSWORD_VERIFIER parameters.
    async fn srp_start(
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
    async fn srp_answer(
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
    async fn srp_sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> anyhow::Result<SdkResult<RespondToAuthChallengeOutput, RespondToAuthChallengeError>> {
        let (session, parameters) = self.srp_start(username).await?;
        self.srp_answer(&session, &parameters, password).await
    }

    async fn respond_new_password(
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
    async fn new_password_session(
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

    async fn sign_up(&self, username: &str) -> Result {
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

    fn code_for(&self, username: &str) -> String {
        self.app
            .latest_code(&self.pool, &format!("{username}@example.com"))
            .unwrap_or_else(|| panic!("no code in the outbox for {username}"))
    }

    async fn confirm_sign_up(
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

    async fn forgot_password(&self, username: &str) -> Result {
        self.sdk()
            .forgot_password()
            .client_id(&self.client)
            .username(username)
            .send()
            .await?;
        Ok(())
    }

    async fn confirm_forgot_password(
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
    async fn fail_password(&self, username: &str, n: usize) {
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

    async fn jwks_kids(&self) -> anyhow::Result<Vec<String>> {
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

fn tokens(out: &InitiateAuthOutput) -> &AuthenticationResultType {
    out.authentication_result()
        .unwrap_or_else(|| panic!("tokens expected, got {out:?}"))
}

fn access_token(result: &AuthenticationResultType) -> &str {
    result.access_token().expect("an access token")
}

fn refresh_token(result: &AuthenticationResultType) -> &str {
    result.refresh_token().expect("a refresh token")
}

fn kid(token: &str) -> String {
    tessera_crypto::jwt::peek_kid(token).expect("a JWT with a kid")
}

fn wrong_code(right: &str) -> String {
    let n: u32 = right.parse().expect("a numeric code");
    format!("{:06}", (n + 1) % 1_000_000)
}

// ---------------------------------------------------------------- tokens

#[tokio::test]
async fn access_token_expires_and_refresh_token_auth_renews_it() -> Result {
    let f = fixture(
        |p| p,
        |c| {
            c.access_token_validity(5)
                .id_token_validity(5)
                .token_validity_units(minutes_everywhere())
                .refresh_token_validity(60)
        },
    )
    .await?;
    f.confirmed_user("ada").await?;
    let first = f.sign_in("ada", PASSWORD).await?;
    assert_eq!(first.expires_in(), 300);
    assert_eq!(f.get_user(access_token(&first)).await?, "ada");

    f.app.clock.advance_seconds(299);
    assert_eq!(
        f.get_user(access_token(&first)).await?,
        "ada",
        "valid until its exp"
    );

    f.app.clock.advance_seconds(2); // 301 s after sign-in
    assert_refused!(
        f.get_user(access_token(&first)).await,
        GetUserError::NotAuthorizedException(_),
        "Access Token has expired",
    );

    let renewed = f.refresh(refresh_token(&first)).await?;
    let renewed = tokens(&renewed);
    assert_eq!(
        renewed.refresh_token(),
        None,
        "REFRESH_TOKEN_AUTH keeps the refresh token"
    );
    assert!(renewed.id_token().is_some());
    assert_eq!(renewed.expires_in(), 300);
    assert_eq!(f.get_user(access_token(renewed)).await?, "ada");
    assert_refused!(
        f.get_user(access_token(&first)).await,
        GetUserError::NotAuthorizedException(_),
        "Access Token has expired",
    );

    // The renewed token lives its own five minutes.
    f.app.clock.advance_seconds(301);
    assert_refused!(
        f.get_user(access_token(renewed)).await,
        GetUserError::NotAuthorizedException(_),
        "Access Token has expired",
    );
    f.app.shutdown().await
}

#[tokio::test]
async fn refresh_token_expires_after_its_validity() -> Result {
    let f = fixture(
        |p| p,
        |c| {
            c.access_token_validity(5)
                .id_token_validity(5)
                .token_validity_units(minutes_everywhere())
                .refresh_token_validity(60)
        },
    )
    .await?;
    f.confirmed_user("bea").await?;
    let signed_in = f.sign_in("bea", PASSWORD).await?;
    let refresh = refresh_token(&signed_in).to_owned();

    f.app.clock.advance_seconds(3599);
    let renewed = f.refresh(&refresh).await?;
    assert_eq!(f.get_user(access_token(tokens(&renewed))).await?, "bea");
    f.tokens_from_refresh_token(&refresh).await?;

    f.app.clock.advance_seconds(2); // 60 min + 1 s after sign-in
    assert_refused!(
        f.refresh(&refresh).await,
        InitiateAuthError::NotAuthorizedException(_),
        "Refresh Token has expired",
    );
    assert_refused!(
        f.tokens_from_refresh_token(&refresh).await,
        GetTokensFromRefreshTokenError::NotAuthorizedException(_),
        "Refresh Token has expired",
    );
    // A new sign-in starts a new refresh token.
    let again = f.sign_in("bea", PASSWORD).await?;
    f.refresh(refresh_token(&again)).await?;
    f.app.shutdown().await
}

// ---------------------------------------------------------------- codes

#[tokio::test]
async fn confirmation_code_expires_after_a_day_and_a_resent_one_works() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.sign_up("early").await?;
    f.sign_up("late").await?;
    let early_code = f.code_for("early");
    let late_code = f.code_for("late");

    f.app.clock.advance_seconds(86_399);
    f.confirm_sign_up("early", &early_code).await?;
    assert_eq!(f.status("early").await?, UserStatusType::Confirmed);

    f.app.clock.advance_seconds(2); // 24 h + 1 s after sign-up
    assert_refused!(
        f.confirm_sign_up("late", &late_code).await,
        ConfirmSignUpError::ExpiredCodeException(_),
        EXPIRED_CODE,
    );
    assert_eq!(f.status("late").await?, UserStatusType::Unconfirmed);

    f.sdk()
        .resend_confirmation_code()
        .client_id(&f.client)
        .username("late")
        .send()
        .await?;
    let resent = f.code_for("late");
    f.confirm_sign_up("late", &resent).await?;
    assert_eq!(f.status("late").await?, UserStatusType::Confirmed);
    f.sign_in("late", PASSWORD).await?;
    f.app.shutdown().await
}

#[tokio::test]
async fn forgot_password_code_expires_after_an_hour() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("cyd").await?;
    let new_password = "Brand-New-Pass-7";

    f.forgot_password("cyd").await?;
    let stale = f.code_for("cyd");
    f.app.clock.advance_seconds(3601);
    assert_refused!(
        f.confirm_forgot_password("cyd", &stale, new_password).await,
        ConfirmForgotPasswordError::ExpiredCodeException(_),
        EXPIRED_CODE,
    );
    f.sign_in("cyd", PASSWORD).await?; // the password did not change

    f.forgot_password("cyd").await?;
    let fresh = f.code_for("cyd");
    assert_ne!(fresh, stale);
    f.app.clock.advance_seconds(3599);
    f.confirm_forgot_password("cyd", &fresh, new_password)
        .await?;
    f.sign_in("cyd", new_password).await?;
    assert_refused!(
        f.password_auth("cyd", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        INCORRECT,
    );
    f.app.shutdown().await
}

#[tokio::test]
async fn five_wrong_confirmation_codes_use_up_the_code() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.sign_up("dee").await?;
    let right = f.code_for("dee");
    let wrong = wrong_code(&right);

    for attempt in 1..=4 {
        let err = f
            .confirm_sign_up("dee", &wrong)
            .await
            .expect_err("a wrong code is refused")
            .into_service_error();
        assert!(
            matches!(err, ConfirmSignUpError::CodeMismatchException(_)),
            "attempt {attempt}: {err:?}"
        );
        assert_eq!(err.message(), Some(MISMATCHED_CODE), "attempt {attempt}");
    }
    assert_refused!(
        f.confirm_sign_up("dee", &wrong).await,
        ConfirmSignUpError::TooManyFailedAttemptsException(_),
        "Too many failed attempts, please request a code again.",
    );
    // The code is gone: even the right one no longer works.
    assert_refused!(
        f.confirm_sign_up("dee", &right).await,
        ConfirmSignUpError::ExpiredCodeException(_),
        EXPIRED_CODE,
    );
    assert_eq!(f.status("dee").await?, UserStatusType::Unconfirmed);

    f.sdk()
        .resend_confirmation_code()
        .client_id(&f.client)
        .username("dee")
        .send()
        .await?;
    let fresh = f.code_for("dee");
    f.confirm_sign_up("dee", &fresh).await?;
    assert_eq!(f.status("dee").await?, UserStatusType::Confirmed);
    f.app.shutdown().await
}

// ---------------------------------------------------------------- sessions

#[tokio::test]
async fn new_password_session_expires_after_auth_session_validity() -> Result {
    let f = fixture(|p| p, |c| c).await?; // AuthSessionValidity: 3 minutes by default
    let temporary = "Temp-Pass-123";
    f.invited_user("eve", temporary).await?;

    let stale = f.new_password_session("eve", temporary).await?;
    f.app.clock.advance_seconds(181);
    assert_refused!(
        f.respond_new_password("eve", &stale, "Final-Pass-456")
            .await,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        SESSION_EXPIRED,
    );
    assert_eq!(f.status("eve").await?, UserStatusType::ForceChangePassword);

    let fresh = f.new_password_session("eve", temporary).await?;
    f.app.clock.advance_seconds(170);
    let out = f
        .respond_new_password("eve", &fresh, "Final-Pass-456")
        .await?;
    let result = out
        .authentication_result()
        .unwrap_or_else(|| panic!("tokens expected, got {out:?}"));
    assert_eq!(f.get_user(access_token(result)).await?, "eve");
    assert_eq!(f.status("eve").await?, UserStatusType::Confirmed);
    f.sign_in("eve", "Final-Pass-456").await?;
    f.app.shutdown().await
}

#[tokio::test]
async fn auth_session_validity_of_the_client_is_honoured() -> Result {
    let f = fixture(|p| p, |c| c.auth_session_validity(15)).await?;
    let temporary = "Temp-Pass-123";
    f.invited_user("fay", temporary).await?;

    let stale = f.new_password_session("fay", temporary).await?;
    f.app.clock.advance_seconds(15 * 60 + 1);
    assert_refused!(
        f.respond_new_password("fay", &stale, "Final-Pass-456")
            .await,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        SESSION_EXPIRED,
    );

    let fresh = f.new_password_session("fay", temporary).await?;
    f.app.clock.advance_seconds(15 * 60 - 1);
    let out = f
        .respond_new_password("fay", &fresh, "Final-Pass-456")
        .await?;
    assert!(out.authentication_result().is_some(), "{out:?}");
    assert_eq!(f.status("fay").await?, UserStatusType::Confirmed);
    f.app.shutdown().await
}

#[tokio::test]
async fn srp_password_verifier_expires_with_the_auth_session() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("gil").await?;

    let (session, parameters) = f.srp_start("gil").await?;
    f.app.clock.advance_seconds(181);
    assert_refused!(
        f.srp_answer(&session, &parameters, PASSWORD).await?,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        SESSION_EXPIRED,
    );

    // Answered in time, without a Session: tokens.
    let (session, parameters) = f.srp_start("gil").await?;
    f.app.clock.advance_seconds(120);
    let out = f.srp_answer(&session, &parameters, PASSWORD).await??;
    let result = out
        .authentication_result()
        .unwrap_or_else(|| panic!("tokens expected, got {out:?}"));
    assert_eq!(f.get_user(access_token(result)).await?, "gil");
    f.app.shutdown().await
}

#[tokio::test]
async fn temporary_password_expires_after_its_validity_days() -> Result {
    let f = fixture(|p| p.policies(password_policy(1)), |c| c).await?;
    let temporary = "Temp-Pass-123";
    f.invited_user("hal", temporary).await?;

    f.app.clock.advance_seconds(86_399);
    f.new_password_session("hal", temporary).await?;

    f.app.clock.advance_seconds(2); // 1 day + 1 s after creation
    let expired = "Temporary password has expired and must be reset by an administrator.";
    assert_refused!(
        f.password_auth("hal", temporary).await,
        InitiateAuthError::NotAuthorizedException(_),
        expired,
    );
    assert_refused!(
        f.srp_sign_in("hal", temporary).await?,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        expired,
    );
    assert_refused!(
        f.admin_password_auth("hal", temporary).await,
        AdminInitiateAuthError::NotAuthorizedException(_),
        expired,
    );

    // An administrator sets a new temporary password: the user can go on.
    let second = "Temp-Pass-456";
    f.sdk()
        .admin_set_user_password()
        .user_pool_id(&f.pool)
        .username("hal")
        .password(second)
        .permanent(false)
        .send()
        .await?;
    let session = f.new_password_session("hal", second).await?;
    f.respond_new_password("hal", &session, "Final-Pass-789")
        .await?;
    assert_eq!(f.status("hal").await?, UserStatusType::Confirmed);
    f.app.shutdown().await
}

// ---------------------------------------------------------------- lockout

#[tokio::test]
async fn five_failures_lock_the_user_for_a_second() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("ivy").await?;

    f.fail_password("ivy", 5).await;
    assert_refused!(
        f.password_auth("ivy", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    let result = f.sign_in("ivy", PASSWORD).await?;
    assert_eq!(f.get_user(access_token(&result)).await?, "ivy");
    f.app.shutdown().await
}

#[tokio::test]
async fn lockout_doubles_with_each_further_failure() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("jo").await?;

    f.fail_password("jo", 5).await; // 5th failure: locked 1 s
    // Attempts during a lockout are refused without counting.
    assert_refused!(
        f.password_auth("jo", WRONG).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    f.fail_password("jo", 1).await; // 6th failure: locked 2 s
    assert_refused!(
        f.password_auth("jo", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    assert_refused!(
        f.password_auth("jo", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1); // 2 s after the 6th failure: open
    f.fail_password("jo", 1).await; // 7th failure: locked 4 s
    f.app.clock.advance_seconds(3);
    assert_refused!(
        f.password_auth("jo", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    f.sign_in("jo", PASSWORD).await?;
    f.app.shutdown().await
}

#[tokio::test]
async fn lockout_is_one_counter_across_every_flow() -> Result {
    let f = fixture(|p| p, |c| c).await?;

    // Failures with USER_PASSWORD_AUTH lock out SRP and ADMIN_USER_PASSWORD_AUTH.
    f.confirmed_user("kim").await?;
    f.fail_password("kim", 5).await;
    assert_refused!(
        f.srp_sign_in("kim", PASSWORD).await?,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        LOCKED,
    );
    assert_refused!(
        f.admin_password_auth("kim", PASSWORD).await,
        AdminInitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    let out = f.srp_sign_in("kim", PASSWORD).await??;
    assert!(out.authentication_result().is_some(), "{out:?}");

    // Failures in different flows add up.
    f.confirmed_user("lee").await?;
    f.fail_password("lee", 2).await;
    for _ in 0..2 {
        assert_refused!(
            f.srp_sign_in("lee", WRONG).await?,
            RespondToAuthChallengeError::NotAuthorizedException(_),
            INCORRECT,
        );
    }
    assert_refused!(
        f.admin_password_auth("lee", WRONG).await,
        AdminInitiateAuthError::NotAuthorizedException(_),
        INCORRECT,
    );
    assert_refused!(
        f.password_auth("lee", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    assert_refused!(
        f.srp_sign_in("lee", PASSWORD).await?,
        RespondToAuthChallengeError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1);
    let out = f.admin_password_auth("lee", PASSWORD).await?;
    assert!(out.authentication_result().is_some(), "{out:?}");
    f.app.shutdown().await
}

#[tokio::test]
async fn failure_count_restarts_after_fifteen_quiet_minutes() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("max").await?;
    f.confirmed_user("ned").await?;
    f.confirmed_user("oli").await?;

    // Four failures, 15 quiet minutes, four more: never locked.
    f.fail_password("max", 4).await;
    // Less than 15 minutes is not enough: the 5th failure still locks.
    f.fail_password("ned", 4).await;
    f.app.clock.advance_seconds(15 * 60 - 1);
    f.fail_password("ned", 1).await;
    assert_refused!(
        f.password_auth("ned", PASSWORD).await,
        InitiateAuthError::NotAuthorizedException(_),
        LOCKED,
    );
    f.app.clock.advance_seconds(1); // 15 min after max's 4th failure
    f.fail_password("max", 4).await;
    f.sign_in("max", PASSWORD).await?;

    // After a lockout, too.
    f.fail_password("oli", 5).await;
    f.app.clock.advance_seconds(15 * 60);
    f.fail_password("oli", 4).await;
    f.sign_in("oli", PASSWORD).await?;
    f.app.shutdown().await
}

// ---------------------------------------------------------------- rotation

#[tokio::test]
async fn refresh_token_rotation_with_a_grace_period() -> Result {
    let f = fixture(
        |p| p,
        |c| {
            c.refresh_token_rotation(
                RefreshTokenRotationType::builder()
                    .feature(FeatureType::Enabled)
                    .retry_grace_period_seconds(10)
                    .build()
                    .expect("feature is set"),
            )
        },
    )
    .await?;
    f.confirmed_user("pam").await?;
    let signed_in = f.sign_in("pam", PASSWORD).await?;
    let original = refresh_token(&signed_in).to_owned();

    let rotated = f.tokens_from_refresh_token(&original).await?;
    let next = refresh_token(&rotated).to_owned();
    assert_ne!(next, original, "rotation hands out a new refresh token");
    assert!(rotated.id_token().is_some());
    assert_eq!(f.get_user(access_token(&rotated)).await?, "pam");

    // The old one is still good within the grace period.
    f.app.clock.advance_seconds(10 - 1);
    let retried = f.tokens_from_refresh_token(&original).await?;
    assert_eq!(f.get_user(access_token(&retried)).await?, "pam");

    f.app.clock.advance_seconds(2); // 11 s after the rotation
    assert_refused!(
        f.tokens_from_refresh_token(&original).await,
        GetTokensFromRefreshTokenError::RefreshTokenReuseException(_),
        "The refresh token has already been used.",
    );
    assert_refused!(
        f.refresh(&original).await,
        InitiateAuthError::NotAuthorizedException(_),
        "Invalid Refresh Token",
    );

    let again = f.tokens_from_refresh_token(&next).await?;
    assert_ne!(refresh_token(&again), next);
    assert_eq!(f.get_user(access_token(&again)).await?, "pam");
    f.app.shutdown().await
}

#[tokio::test]
async fn without_rotation_the_refresh_token_stays() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("quin").await?;
    let signed_in = f.sign_in("quin", PASSWORD).await?;
    let token = refresh_token(&signed_in).to_owned();

    let refreshed = f.tokens_from_refresh_token(&token).await?;
    assert_eq!(refreshed.refresh_token(), None, "{refreshed:?}");
    assert_eq!(f.get_user(access_token(&refreshed)).await?, "quin");

    f.app.clock.advance_seconds(11);
    let again = f.tokens_from_refresh_token(&token).await?;
    assert_eq!(again.refresh_token(), None);
    let via_initiate = f.refresh(&token).await?;
    assert_eq!(
        f.get_user(access_token(tokens(&via_initiate))).await?,
        "quin"
    );
    f.app.shutdown().await
}

#[tokio::test]
async fn signing_key_rotation_shows_in_the_jwks() -> Result {
    let f = fixture(|p| p, |c| c).await?;
    f.confirmed_user("rae").await?;
    let before = f.sign_in("rae", PASSWORD).await?;
    let old_id_kid = kid(before.id_token().expect("an ID token"));
    let old_access_kid = kid(access_token(&before));
    assert_ne!(
        old_id_kid, old_access_kid,
        "ID and access tokens use different keys"
    );
    let mut published = f.jwks_kids().await?;
    published.sort();
    let mut expected = vec![old_id_kid.clone(), old_access_kid.clone()];
    expected.sort();
    assert_eq!(published, expected);

    f.app.rotate_signing_keys(&f.pool).await?;

    // Old and new keys are published; tokens signed with the old ones still work.
    let published = f.jwks_kids().await?;
    assert_eq!(published.len(), 4, "{published:?}");
    assert!(published.contains(&old_id_kid) && published.contains(&old_access_kid));
    assert_eq!(f.get_user(access_token(&before)).await?, "rae");

    // Once the server has reloaded its keys (it caches them for 30 s), new
    // tokens are signed with the new keys.
    f.app.clock.advance_seconds(31);
    let after = f.sign_in("rae", PASSWORD).await?;
    let new_id_kid = kid(after.id_token().expect("an ID token"));
    let new_access_kid = kid(access_token(&after));
    assert!(!expected.contains(&new_id_kid) && !expected.contains(&new_access_kid));
    assert!(published.contains(&new_id_kid) && published.contains(&new_access_kid));
    assert_eq!(f.get_user(access_token(&after)).await?, "rae");

    // A day after the rotation no token signed by the old keys can be alive:
    // they leave the JWKS.
    f.app.clock.advance_seconds(86_400 - 31 + 1);
    let mut published = f.jwks_kids().await?;
    published.sort();
    let mut expected = vec![new_id_kid, new_access_kid];
    expected.sort();
    assert_eq!(published, expected);
    f.app.shutdown().await
}
