"""Lambda triggers through the HTTP invoker: every event a pool's `LambdaConfig` fires reaches a
webhook the test controls (tessera_e2e.triggers.TriggerServer), is checked member by member,
and what the hook answers is seen in the API's answers, the users, the tokens and the outbox.

The module shares one server and one hook. The server's `[[triggers]]` send every function of
account 123456789012 to the hook (`arn_prefix`), the function named "unreachable" to a port
nothing listens on, and leave other accounts unmapped; every entry has timeout_seconds = 1.
Each test makes its own pool and starts with a hook that echoes the event, records nothing
older, and answers at once.

Cognito facts (the suite's /work/shared/reference/triggers.md, which gathers the developer
guide's trigger pages, and the pages and models named):
- Envelope: version "1" ("2" for PreTokenGenerationConfig LambdaVersion V2_0), triggerSource,
  region, userPoolId, userName, callerContext {awsSdkVersion, clientId}, request, response;
  attribute values in userAttributes are strings. The function returns the whole event.
- Errors: a function that throws fails the call with UserLambdaValidationException
  "<Trigger> failed with error <message>." (e.g. "PostConfirmation failed with error …",
  quoted from live Cognito in dabit3/full-stack-serverless-code#108 and
  aws-amplify/amplify-cli#7576); an answer Cognito cannot read is
  InvalidLambdaResponseException; a function that cannot be run is UnexpectedLambdaException
  ("… invocation failed due to error AccessDeniedException", amazon-cognito-auth-js#223).
  Cognito waits 5 s and retries a timed-out function, three attempts in all.
- PreSignUp (developer guide, "Pre sign-up Lambda trigger"): request userAttributes,
  validationData (SignUp/AdminCreateUser ValidationData), clientMetadata; response
  autoConfirmUser, autoVerifyEmail, autoVerifyPhone. PreSignUp_SignUp for SignUp,
  PreSignUp_AdminCreateUser for AdminCreateUser. An auto-confirmed user reaches
  PostConfirmation at sign-up (KensioSoftware/yulin#462, checked against the trigger-source
  table).
- PostConfirmation: PostConfirmation_ConfirmSignUp for ConfirmSignUp, AdminConfirmSignUp and
  auto-confirmation; PostConfirmation_ConfirmForgotPassword for ConfirmForgotPassword;
  userAttributes carry cognito:user_status and sub.
- ClientMetadata (botocore's cognito-idp model, InitiateAuthRequest / AdminInitiateAuthRequest
  ClientMetadata): InitiateAuth's ClientMetadata is passed only to PreSignUp,
  PreAuthentication and UserMigration, as their validationData; InitiateAuth "also invokes
  the functions for the following triggers, but doesn't pass ClientMetadata: Post
  authentication, Custom message, Pre token generation, …". RespondToAuthChallenge,
  ConfirmSignUp, ForgotPassword, ConfirmForgotPassword, SignUp and AdminCreateUser pass theirs
  as clientMetadata.
- PreAuthentication: request userAttributes, validationData, userNotFound (set only with
  PreventUserExistenceErrors). Not run for refresh tokens.
- PostAuthentication: request userAttributes, newDeviceUsed, clientMetadata.
- PreTokenGeneration (developer guide, "Pre token generation Lambda trigger"): sources
  TokenGeneration_Authentication, _NewPasswordChallenge (after an admin-created user sets a
  new password), _RefreshTokens, …; request groupConfiguration {groupsToOverride,
  iamRolesToOverride, preferredRole}; V1_0 response claimsOverrideDetails
  {claimsToAddOrOverride, claimsToSuppress, groupOverrideDetails} customizes the ID token
  (groups: both tokens); claims that cannot be modified include iss and sub. V2_0: version
  "2", request.scopes, claimsAndScopeOverrideDetails {idTokenGeneration,
  accessTokenGeneration {…, scopesToAdd, scopesToSuppress}, groupOverrideDetails}, claim
  values of any JSON type.
- UserMigration (developer guide, "Migrate user Lambda trigger"): run for a username the pool
  does not know at sign-in with a password (UserMigration_Authentication, request.password =
  the typed password, userName = the typed username) or at ForgotPassword
  (UserMigration_ForgotPassword, no password); response userAttributes, finalUserStatus,
  messageAction, …; once created the user signs in without the trigger.
- CustomMessage: sources _SignUp, _AdminCreateUser, _ResendCode, _ForgotPassword,
  _UpdateUserAttribute, _VerifyUserAttribute, _Authentication; request codeParameter (the
  placeholder "{####}" Cognito replaces with the code), usernameParameter (AdminCreateUser);
  response emailSubject, emailMessage, smsMessage.

Tessera's own rules (its trigger configuration): an HTTP hook's 2xx body is the returned
event; a non-2xx body {"errorMessage": …} is the function throwing; a timeout is
"<Trigger> invocation failed due to error TimeoutException.", a refused connection "…
ServiceException.", an unmapped ARN "… ResourceNotFoundException." (or, with
strict_triggers, CreateUserPool/UpdateUserPool refuse the pool: InvalidParameterException
"No trigger invoker is configured for <arn>."), an answer that is not an event
InvalidLambdaResponseException "Unrecognizable lambda output".
"""

from __future__ import annotations

import re
import time

import pytest

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    AUTH_NEW_PASSWORD,
    AUTH_PASSWORD,
    admin_get_user,
    attr_dict,
    attr_list,
    assert_tokens,
    codes_for,
    confirmed_user,
    is_uuid,
    latest_code,
    make_app_client,
    make_pool,
    make_user,
    outbox,
    password_auth,
    refresh,
    sign_in,
    srp_sign_in,
    srp_start,
    user_status,
    verify_token,
)
from tessera_e2e.server import ServerFactory
from tessera_e2e.triggers import (
    Answer,
    TriggerServer,
    by_source,
    echo,
    garbage,
    lambda_arn,
    mapping_toml,
    refuse,
    respond,
    unreachable_url,
)

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"
UNREACHABLE = lambda_arn("unreachable")
UNMAPPED = lambda_arn("nowhere", account="999999999999")
LEGACY_PASSWORD = "Legacy-Passw0rd!"


# ---- fixtures and helpers -------------------------------------------------------------


@pytest.fixture(scope="module")
def hooks():
    with TriggerServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_hooks(hooks):
    hooks.reset()
    yield
    hooks.reset()


@pytest.fixture(scope="module")
def srv(tessera_bin, tmp_path_factory, hooks):
    config = (mapping_toml(unreachable_url(), function="unreachable")
              + mapping_toml(hooks.url, arn_prefix=lambda_arn("")))
    factory = ServerFactory(tessera_bin, lambda: tmp_path_factory.mktemp("triggers"))
    yield factory(config_toml=config)
    factory.stop_all()


@pytest.fixture(scope="module")
def idp(srv):
    return make_client(srv)


def arn_for(trigger: str) -> str:
    """The test ARN of a trigger: function "preSignUp" for PreSignUp, and so on."""
    return lambda_arn(trigger[0].lower() + trigger[1:])


def trigger_pool(idp, *triggers: str, lambda_config: dict | None = None, **settings) -> tuple[str, str]:
    """A pool naming the hook for each of `triggers` (plus `lambda_config`), and an app client
    allowing every flow: (pool_id, client_id)."""
    config = {name: arn_for(name) for name in triggers}
    config.update(lambda_config or {})
    pool_id = make_pool(idp, LambdaConfig=config, **settings)
    return pool_id, make_app_client(idp, pool_id)["ClientId"]


ANY_CLIENT = object()


def assert_envelope(event: dict, source: str, pool_id: str, username: str, client_id,
                    version: str = "1") -> dict:
    """Every member of Cognito's envelope (`client_id` ANY_CLIENT: any string); returns the
    event's request."""
    assert set(event) == {"version", "triggerSource", "region", "userPoolId", "userName", "callerContext",
                          "request", "response"}, sorted(event)
    assert event["version"] == version
    assert event["triggerSource"] == source
    assert event["region"] == "us-east-1"
    assert event["userPoolId"] == pool_id
    assert event["userName"] == username
    caller = event["callerContext"]
    assert set(caller) == {"awsSdkVersion", "clientId"}, caller
    assert isinstance(caller["awsSdkVersion"], str) and caller["awsSdkVersion"]
    if client_id is not ANY_CLIENT:
        assert caller["clientId"] == client_id
    assert event["response"] == {}
    assert isinstance(event["request"], dict)
    return event["request"]


def assert_no_user(idp, pool_id: str, username: str) -> None:
    with expect_error("UserNotFoundException", "User does not exist."):
        idp.admin_get_user(UserPoolId=pool_id, Username=username)


def no_metadata(request: dict) -> bool:
    """Cognito leaves the metadata out of the trigger (absent or empty)."""
    return request.get("clientMetadata") in (None, {})


# ---- the event envelope and PreSignUp ----------------------------------------------------


def test_pre_sign_up_event_carries_the_sign_up(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PreSignUp", AutoVerifiedAttributes=["email"])
    out = idp.sign_up(ClientId=client_id, Username="ada", Password=AUTH_PASSWORD,
                      UserAttributes=attr_list({"email": "ada@example.com", "name": "Ada"}),
                      ValidationData=attr_list({"invite": "X-42"}),
                      ClientMetadata={"campaign": "spring", "locale": "en"})

    (received,) = hooks.received
    assert received.path == "/hook"
    assert received.headers["content-type"].startswith("application/json")
    (event,) = hooks.events
    request = assert_envelope(event, "PreSignUp_SignUp", pool_id, "ada", client_id)
    assert request == {
        "userAttributes": {"email": "ada@example.com", "name": "Ada"},
        "validationData": {"invite": "X-42"},
        "clientMetadata": {"campaign": "spring", "locale": "en"},
    }, "no sub, no status: the user does not exist yet"

    # The function returned the event as it came: an ordinary sign-up.
    assert out["UserConfirmed"] is False
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert user_status(idp, pool_id, "ada") == "UNCONFIRMED"
    assert len(codes_for(srv, pool_id, "ada@example.com")) == 1


def test_pre_sign_up_auto_confirms_and_verifies(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PreSignUp", "PostConfirmation", AutoVerifiedAttributes=["email"])
    hooks.handler = by_source({"PreSignUp_SignUp": respond(autoConfirmUser=True, autoVerifyEmail=True)})
    out = idp.sign_up(ClientId=client_id, Username="bea", Password=AUTH_PASSWORD,
                      UserAttributes=attr_list({"email": "bea@example.com"}))
    assert out["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in out, "nothing to confirm: no code sent"
    user = admin_get_user(idp, pool_id, "bea")
    assert user["UserStatus"] == "CONFIRMED"
    assert attr_dict(user["UserAttributes"])["email_verified"] == "true"
    assert outbox(srv, pool_id=pool_id) == []
    # The auto-confirmed user reaches PostConfirmation, at sign-up.
    assert hooks.sources() == ["PreSignUp_SignUp", "PostConfirmation_ConfirmSignUp"]
    confirmed = hooks.only("PostConfirmation_ConfirmSignUp")
    request = assert_envelope(confirmed, "PostConfirmation_ConfirmSignUp", pool_id, "bea", client_id)
    assert request["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert request["userAttributes"]["sub"] == out["UserSub"]
    assert request["userAttributes"]["email_verified"] == "true"
    assert_tokens(sign_in(idp, client_id, "bea"))

    # autoConfirmUser alone confirms without verifying the address.
    hooks.handler = by_source({"PreSignUp_SignUp": respond(autoConfirmUser=True)})
    assert idp.sign_up(ClientId=client_id, Username="cy", Password=AUTH_PASSWORD,
                       UserAttributes=attr_list({"email": "cy@example.com"}))["UserConfirmed"] is True
    user = admin_get_user(idp, pool_id, "cy")
    assert user["UserStatus"] == "CONFIRMED"
    assert attr_dict(user["UserAttributes"]).get("email_verified", "false") == "false"


def test_pre_sign_up_auto_confirms_company_addresses_and_refuses_others(srv, idp, hooks):
    """The classic example: confirm @mycompany.com sign-ups at once, refuse everyone else."""

    def company_only(event):
        email = event["request"]["userAttributes"].get("email", "")
        if not email.endswith("@mycompany.com"):
            raise ValueError("Sign-up is limited to mycompany.com addresses")
        event["response"]["autoConfirmUser"] = True
        event["response"]["autoVerifyEmail"] = True
        return event

    pool_id, client_id = trigger_pool(idp, "PreSignUp", AutoVerifiedAttributes=["email"])
    hooks.handler = company_only
    assert idp.sign_up(ClientId=client_id, Username="emp", Password=AUTH_PASSWORD,
                       UserAttributes=attr_list({"email": "emp@mycompany.com"}))["UserConfirmed"] is True
    assert user_status(idp, pool_id, "emp") == "CONFIRMED"

    with expect_error("UserLambdaValidationException",
                      "PreSignUp failed with error Sign-up is limited to mycompany.com addresses."):
        idp.sign_up(ClientId=client_id, Username="outsider", Password=AUTH_PASSWORD,
                    UserAttributes=attr_list({"email": "someone@elsewhere.com"}))
    assert_no_user(idp, pool_id, "outsider")
    assert outbox(srv, pool_id=pool_id) == []
    assert hooks.sources() == ["PreSignUp_SignUp", "PreSignUp_SignUp"]


def test_pre_sign_up_for_admin_create_user(srv, idp, hooks):
    pool_id, _ = trigger_pool(idp, "PreSignUp")
    idp.admin_create_user(UserPoolId=pool_id, Username="dan", TemporaryPassword=AUTH_PASSWORD,
                          MessageAction="SUPPRESS",
                          UserAttributes=attr_list({"email": "dan@example.com"}),
                          ValidationData=attr_list({"source": "hr-import"}),
                          ClientMetadata={"batch": "7"})
    request = assert_envelope(hooks.only("PreSignUp_AdminCreateUser"), "PreSignUp_AdminCreateUser",
                              pool_id, "dan", NO_CLIENT)
    assert request["userAttributes"] == {"email": "dan@example.com"}
    assert request["validationData"] == {"source": "hr-import"}
    assert request["clientMetadata"] == {"batch": "7"}
    assert user_status(idp, pool_id, "dan") == "FORCE_CHANGE_PASSWORD"

    hooks.handler = refuse("Not on the HR list")
    with expect_error("UserLambdaValidationException", "PreSignUp failed with error Not on the HR list."):
        make_user(idp, pool_id, "eli", {"email": "eli@example.com"})
    assert_no_user(idp, pool_id, "eli")


# ---- PostConfirmation ------------------------------------------------------------------------


def test_post_confirmation_after_confirm_sign_up(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PostConfirmation", AutoVerifiedAttributes=["email"])
    sub = idp.sign_up(ClientId=client_id, Username="fay", Password=AUTH_PASSWORD,
                      UserAttributes=attr_list({"email": "fay@example.com"}))["UserSub"]
    assert hooks.events == [], "nothing confirmed yet"
    code = latest_code(srv, pool_id, "fay@example.com")
    idp.confirm_sign_up(ClientId=client_id, Username="fay", ConfirmationCode=code,
                        ClientMetadata={"came_from": "email-link"})
    request = assert_envelope(hooks.only("PostConfirmation_ConfirmSignUp"), "PostConfirmation_ConfirmSignUp",
                              pool_id, "fay", client_id)
    attributes = request["userAttributes"]
    assert attributes["cognito:user_status"] == "CONFIRMED"
    assert attributes["sub"] == sub
    assert attributes["email"] == "fay@example.com"
    assert attributes["email_verified"] == "true", "the code went to the address"
    assert all(isinstance(v, str) for v in attributes.values()), attributes
    assert request["clientMetadata"] == {"came_from": "email-link"}
    assert user_status(idp, pool_id, "fay") == "CONFIRMED"


def test_what_post_confirmation_changes_in_the_user_stays(srv, idp, hooks):
    # A PostConfirmation function commonly writes to the user it confirms (the developer
    # guide's "populate additional attributes"); the confirmation keeps what it wrote.
    pool_id, client_id = trigger_pool(idp, "PostConfirmation", AutoVerifiedAttributes=["email"])
    idp.sign_up(ClientId=client_id, Username="gil", Password=AUTH_PASSWORD,
                UserAttributes=attr_list({"email": "gil@example.com"}))
    admin = make_client(srv)

    def post_confirmation(event):
        admin.admin_update_user_attributes(UserPoolId=event["userPoolId"], Username=event["userName"],
                                           UserAttributes=attr_list({"name": "Gil from the CRM"}))
        return event

    hooks.handler = post_confirmation
    idp.confirm_sign_up(ClientId=client_id, Username="gil",
                        ConfirmationCode=latest_code(srv, pool_id, "gil@example.com"))
    user = idp.admin_get_user(UserPoolId=pool_id, Username="gil")
    assert user["UserStatus"] == "CONFIRMED"
    attributes = attr_dict(user["UserAttributes"])
    assert attributes["name"] == "Gil from the CRM"
    assert attributes["email_verified"] == "true"


def test_post_confirmation_failure_leaves_the_user_unconfirmed(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PostConfirmation", AutoVerifiedAttributes=["email"])
    idp.sign_up(ClientId=client_id, Username="gus", Password=AUTH_PASSWORD,
                UserAttributes=attr_list({"email": "gus@example.com"}))
    code = latest_code(srv, pool_id, "gus@example.com")
    hooks.handler = refuse("CRM is down")
    with expect_error("UserLambdaValidationException", "PostConfirmation failed with error CRM is down."):
        idp.confirm_sign_up(ClientId=client_id, Username="gus", ConfirmationCode=code)
    assert user_status(idp, pool_id, "gus") == "UNCONFIRMED"
    with expect_error("UserNotConfirmedException"):
        password_auth(idp, client_id, "gus", AUTH_PASSWORD)

    # Once the function works again, the same code confirms the user.
    hooks.handler = echo
    idp.confirm_sign_up(ClientId=client_id, Username="gus", ConfirmationCode=code)
    assert user_status(idp, pool_id, "gus") == "CONFIRMED"
    assert hooks.sources() == ["PostConfirmation_ConfirmSignUp"] * 2
    assert_tokens(sign_in(idp, client_id, "gus"))


def test_admin_confirm_sign_up_runs_post_confirmation(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PostConfirmation")
    idp.sign_up(ClientId=client_id, Username="hal", Password=AUTH_PASSWORD)
    hooks.handler = refuse("Not yet")
    with expect_error("UserLambdaValidationException", "PostConfirmation failed with error Not yet."):
        idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="hal")
    assert user_status(idp, pool_id, "hal") == "UNCONFIRMED"

    hooks.reset()
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="hal", ClientMetadata={"by": "support"})
    request = assert_envelope(hooks.only("PostConfirmation_ConfirmSignUp"), "PostConfirmation_ConfirmSignUp",
                              pool_id, "hal", NO_CLIENT)
    assert request["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert is_uuid(request["userAttributes"]["sub"])
    assert request["clientMetadata"] == {"by": "support"}
    assert user_status(idp, pool_id, "hal") == "CONFIRMED"


def test_post_confirmation_after_confirm_forgot_password(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PostConfirmation")
    confirmed_user(idp, pool_id, "ivy", attributes={"email": "ivy@example.com", "email_verified": "true"})
    assert hooks.events == []
    idp.forgot_password(ClientId=client_id, Username="ivy")
    hooks.handler = refuse("Audit log unavailable")
    with expect_error("UserLambdaValidationException",
                      "PostConfirmation failed with error Audit log unavailable."):
        idp.confirm_forgot_password(ClientId=client_id, Username="ivy", Password=AUTH_NEW_PASSWORD,
                                    ConfirmationCode=latest_code(srv, pool_id, "ivy@example.com"))
    # The reset did not happen: the old password still works, the new one does not.
    assert_tokens(sign_in(idp, client_id, "ivy", AUTH_PASSWORD))
    with expect_error("NotAuthorizedException"):
        password_auth(idp, client_id, "ivy", AUTH_NEW_PASSWORD)

    hooks.reset()
    idp.forgot_password(ClientId=client_id, Username="ivy")
    idp.confirm_forgot_password(ClientId=client_id, Username="ivy", Password=AUTH_NEW_PASSWORD,
                                ConfirmationCode=latest_code(srv, pool_id, "ivy@example.com"),
                                ClientMetadata={"channel": "web"})
    request = assert_envelope(hooks.only("PostConfirmation_ConfirmForgotPassword"),
                              "PostConfirmation_ConfirmForgotPassword", pool_id, "ivy", client_id)
    assert request["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert request["userAttributes"]["email"] == "ivy@example.com"
    assert request["clientMetadata"] == {"channel": "web"}
    assert_tokens(sign_in(idp, client_id, "ivy", AUTH_NEW_PASSWORD))


# ---- PreAuthentication and PostAuthentication ----------------------------------------------


def test_pre_authentication_event_and_refusal(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PreAuthentication")
    user = confirmed_user(idp, pool_id, "jo", attributes={"email": "jo@example.com"})
    sub = attr_dict(user["UserAttributes"])["sub"]
    auth = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "jo", "PASSWORD": AUTH_PASSWORD},
                             ClientMetadata={"device": "kiosk-3"})
    assert_tokens(auth["AuthenticationResult"])
    request = assert_envelope(hooks.only("PreAuthentication_Authentication"),
                              "PreAuthentication_Authentication", pool_id, "jo", client_id)
    assert request["userAttributes"]["sub"] == sub
    assert request["userAttributes"]["email"] == "jo@example.com"
    assert request["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert request["validationData"] == {"device": "kiosk-3"}, "InitiateAuth's ClientMetadata"
    assert request.get("userNotFound", False) is False

    # AdminInitiateAuth runs it too, for the client named.
    hooks.reset()
    idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": "jo", "PASSWORD": AUTH_PASSWORD},
                            ClientMetadata={"device": "backend"})
    request = assert_envelope(hooks.only("PreAuthentication_Authentication"),
                              "PreAuthentication_Authentication", pool_id, "jo", client_id)
    assert request["validationData"] == {"device": "backend"}

    hooks.handler = refuse("Account is suspended")
    with expect_error("UserLambdaValidationException",
                      "PreAuthentication failed with error Account is suspended.") as caught:
        password_auth(idp, client_id, "jo", AUTH_PASSWORD)
    assert "AuthenticationResult" not in caught.value.response


def test_pre_authentication_refuses_srp_at_initiate_auth(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PreAuthentication")
    confirmed_user(idp, pool_id, "kim")
    hooks.handler = refuse("Outside office hours")
    with expect_error("UserLambdaValidationException",
                      "PreAuthentication failed with error Outside office hours.") as caught:
        srp_start(idp, pool_id, client_id, "kim")
    assert "ChallengeName" not in caught.value.response
    assert hooks.sources() == ["PreAuthentication_Authentication"]

    hooks.reset()
    assert_tokens(srp_sign_in(srv, pool_id, client_id, "kim")["AuthenticationResult"])
    assert hooks.sources() == ["PreAuthentication_Authentication"], "once per sign-in, at its start"


def test_post_authentication_event(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PostAuthentication")
    confirmed_user(idp, pool_id, "lou", attributes={"email": "lou@example.com"})
    assert_tokens(sign_in(idp, client_id, "lou"))
    request = assert_envelope(hooks.only("PostAuthentication_Authentication"),
                              "PostAuthentication_Authentication", pool_id, "lou", client_id)
    assert request["newDeviceUsed"] is False
    assert request["userAttributes"]["email"] == "lou@example.com"
    assert request["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert is_uuid(request["userAttributes"]["sub"])

    # SRP: the trigger runs when the password verifier is answered, with that call's metadata.
    hooks.reset()
    srp, params, started = srp_start(idp, pool_id, client_id, "lou")
    assert hooks.events == []
    done = idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=srp.process_challenge(started["ChallengeParameters"],
                                                                                  params),
                                         ClientMetadata={"app": "ios"})
    assert_tokens(done["AuthenticationResult"])
    request = hooks.only("PostAuthentication_Authentication")["request"]
    assert request["clientMetadata"] == {"app": "ios"}
    assert request["newDeviceUsed"] is False


def test_post_authentication_failure_issues_nothing(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PostAuthentication")
    confirmed_user(idp, pool_id, "max")
    hooks.handler = refuse("Session quota reached")
    with expect_error("UserLambdaValidationException",
                      "PostAuthentication failed with error Session quota reached.") as caught:
        password_auth(idp, client_id, "max", AUTH_PASSWORD)
    assert "AuthenticationResult" not in caught.value.response

    with expect_error("UserLambdaValidationException",
                      "PostAuthentication failed with error Session quota reached.") as caught:
        srp_sign_in(srv, pool_id, client_id, "max")
    assert "AuthenticationResult" not in caught.value.response
    assert hooks.sources() == ["PostAuthentication_Authentication"] * 2

    hooks.handler = echo
    assert_tokens(sign_in(idp, client_id, "max"))


def test_initiate_auth_client_metadata_reaches_only_pre_authentication(srv, idp, hooks):
    """botocore's model: InitiateAuth's ClientMetadata goes to PreSignUp, PreAuthentication and
    UserMigration only; PostAuthentication and PreTokenGeneration run without it."""
    pool_id, client_id = trigger_pool(idp, "PreAuthentication", "PostAuthentication", "PreTokenGeneration")
    confirmed_user(idp, pool_id, "ned")
    idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "ned", "PASSWORD": AUTH_PASSWORD},
                      ClientMetadata={"secret_sauce": "yes"})
    assert sorted(hooks.sources()) == ["PostAuthentication_Authentication", "PreAuthentication_Authentication",
                                       "TokenGeneration_Authentication"]
    assert hooks.sources()[0] == "PreAuthentication_Authentication"
    assert hooks.only("PreAuthentication_Authentication")["request"]["validationData"] == {"secret_sauce": "yes"}
    post = hooks.only("PostAuthentication_Authentication")["request"]
    assert no_metadata(post), post
    tokens = hooks.only("TokenGeneration_Authentication")["request"]
    assert no_metadata(tokens), tokens


# ---- PreTokenGeneration ------------------------------------------------------------------------


def group_pool(idp, *triggers, lambda_config=None) -> tuple[str, str]:
    pool_id, client_id = trigger_pool(idp, *triggers, lambda_config=lambda_config)
    confirmed_user(idp, pool_id, "olga", attributes={"email": "olga@example.com", "email_verified": "true"})
    for group in ("admins", "staff"):
        idp.create_group(UserPoolId=pool_id, GroupName=group)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="olga", GroupName=group)
    return pool_id, client_id


def test_pre_token_generation_v1_customizes_the_id_token(srv, idp, hooks):
    pool_id, client_id = group_pool(idp, "PreTokenGeneration")
    hooks.handler = respond(claimsOverrideDetails={
        "claimsToAddOrOverride": {"custom:tenant_id": "t-1", "plan": "gold"},
        "claimsToSuppress": ["email"],
        "groupOverrideDetails": {"groupsToOverride": ["tenant-admins"]},
    })
    auth = assert_tokens(sign_in(idp, client_id, "olga"))

    request = assert_envelope(hooks.only("TokenGeneration_Authentication"), "TokenGeneration_Authentication",
                              pool_id, "olga", client_id)
    groups = request["groupConfiguration"]
    assert sorted(groups["groupsToOverride"]) == ["admins", "staff"]
    assert groups["iamRolesToOverride"] == []
    assert groups.get("preferredRole") is None
    assert request["userAttributes"]["email"] == "olga@example.com"
    assert "scopes" not in request, "V2_0 and later only"

    id_claims = verify_token(auth["IdToken"], srv, pool_id, audience=client_id)
    assert id_claims["custom:tenant_id"] == "t-1"
    assert id_claims["plan"] == "gold"
    assert "email" not in id_claims
    assert id_claims["email_verified"] is True, "only what was suppressed goes"
    assert id_claims["cognito:groups"] == ["tenant-admins"]
    assert id_claims["cognito:username"] == "olga"
    access = verify_token(auth["AccessToken"], srv, pool_id)
    assert access["cognito:groups"] == ["tenant-admins"], "groups change in both tokens"
    assert "custom:tenant_id" not in access and "plan" not in access, "V1_0 claims are the ID token's"
    assert access["scope"] == ADMIN_SCOPE


def test_pre_token_generation_sources(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PreTokenGeneration", "PreAuthentication", "PostAuthentication")
    confirmed_user(idp, pool_id, "pam")
    hooks.handler = by_source({"TokenGeneration_": respond(claimsOverrideDetails={
        "claimsToAddOrOverride": {"custom:tenant_id": "t-1"}})})
    auth = sign_in(idp, client_id, "pam")
    assert "TokenGeneration_Authentication" in hooks.sources()

    hooks.clear()
    fresh = refresh(idp, client_id, auth["RefreshToken"])
    assert hooks.sources() == ["TokenGeneration_RefreshTokens"], "no pre/post authentication on a refresh"
    request = assert_envelope(hooks.only("TokenGeneration_RefreshTokens"), "TokenGeneration_RefreshTokens",
                              pool_id, "pam", client_id)
    assert request["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert verify_token(fresh["IdToken"], srv, pool_id)["custom:tenant_id"] == "t-1"

    # An admin-created user setting the new password it must choose.
    make_user(idp, pool_id, "quin", {"email": "quin@example.com"})
    hooks.clear()
    challenge = password_auth(idp, client_id, "quin", AUTH_PASSWORD)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                         Session=challenge["Session"],
                                         ChallengeResponses={"USERNAME": "quin", "NEW_PASSWORD": AUTH_NEW_PASSWORD})
    assert_tokens(done["AuthenticationResult"])
    assert "TokenGeneration_NewPasswordChallenge" in hooks.sources()
    assert "TokenGeneration_Authentication" not in hooks.sources()
    assert_envelope(hooks.only("TokenGeneration_NewPasswordChallenge"), "TokenGeneration_NewPasswordChallenge",
                    pool_id, "quin", client_id)
    assert verify_token(done["AuthenticationResult"]["IdToken"], srv, pool_id)["custom:tenant_id"] == "t-1"


@pytest.mark.parametrize("details", [
    {"claimsToAddOrOverride": {"sub": "someone-else"}},
    {"claimsToAddOrOverride": {"iss": "https://evil.example"}},
], ids=["sub", "iss"])
def test_pre_token_generation_cannot_change_who_or_whence(srv, idp, hooks, details):
    pool_id, client_id = trigger_pool(idp, "PreTokenGeneration")
    confirmed_user(idp, pool_id, "rex")
    hooks.handler = respond(claimsOverrideDetails=details)
    with expect_error("InvalidLambdaResponseException") as caught:
        password_auth(idp, client_id, "rex", AUTH_PASSWORD)
    assert "AuthenticationResult" not in caught.value.response


def test_pre_token_generation_v2_customizes_both_tokens(srv, idp, hooks):
    pool_id, client_id = group_pool(idp, lambda_config={
        "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": arn_for("PreTokenGeneration")}})
    extra = {"tier": 3, "roles": ["reader", "writer"], "org": {"id": "o-1", "name": "Acme"}, "plan": "pro"}
    hooks.handler = respond(claimsAndScopeOverrideDetails={
        "idTokenGeneration": {"claimsToAddOrOverride": extra, "claimsToSuppress": ["email"]},
        "accessTokenGeneration": {"claimsToAddOrOverride": extra, "scopesToAdd": ["custom/read"]},
    })
    auth = assert_tokens(sign_in(idp, client_id, "olga"))

    request = assert_envelope(hooks.only("TokenGeneration_Authentication"), "TokenGeneration_Authentication",
                              pool_id, "olga", client_id, version="2")
    assert request["scopes"] == [ADMIN_SCOPE]
    assert sorted(request["groupConfiguration"]["groupsToOverride"]) == ["admins", "staff"]

    id_claims = verify_token(auth["IdToken"], srv, pool_id, audience=client_id)
    access = verify_token(auth["AccessToken"], srv, pool_id)
    for claims in (id_claims, access):
        for name, value in extra.items():
            assert claims[name] == value, (name, claims)
    assert "email" not in id_claims
    assert set(access["scope"].split()) == {ADMIN_SCOPE, "custom/read"}
    assert sorted(access["cognito:groups"]) == ["admins", "staff"]
    # The access token still works for the user's own calls.
    assert idp.get_user(AccessToken=auth["AccessToken"])["Username"] == "olga"


def test_pre_token_generation_cannot_make_a_token_too_long(srv, idp, hooks):
    # Claims a trigger adds could make an ID token longer than a proxy takes in one header
    # line; Tessera refuses the sign-in (at most 8,192 characters per token, README "Lambda
    # triggers") instead of handing out a token that fails later, or a truncated one.
    pool_id, client_id = trigger_pool(idp, "PreTokenGeneration")
    confirmed_user(idp, pool_id, "tess")

    def profile(chars):
        return respond(claimsOverrideDetails={"claimsToAddOrOverride": {"custom:profile": "x" * chars}})

    hooks.handler = profile(4000)
    fits = assert_tokens(password_auth(idp, client_id, "tess", AUTH_PASSWORD)["AuthenticationResult"])
    assert 6000 < len(fits["IdToken"]) <= 8192, len(fits["IdToken"])
    assert verify_token(fits["IdToken"], srv, pool_id)["custom:profile"] == "x" * 4000

    # About 10,000 characters of ID token.
    hooks.handler = profile(6700)
    with expect_error("InvalidLambdaResponseException") as caught:
        password_auth(idp, client_id, "tess", AUTH_PASSWORD)
    message = caught.value.response["Error"]["Message"]
    assert "ID token" in message and "8192" in message, message
    length = int(re.search(r"token (\d+) characters", message).group(1))
    assert 9500 < length < 10500, length
    assert "AuthenticationResult" not in caught.value.response

    # The same refusal when the claims are added at a refresh; the refresh token stays good.
    hooks.handler = profile(10)
    signed_in = password_auth(idp, client_id, "tess", AUTH_PASSWORD)["AuthenticationResult"]
    hooks.handler = profile(6700)
    with expect_error("InvalidLambdaResponseException"):
        refresh(idp, client_id, signed_in["RefreshToken"])
    hooks.handler = profile(10)
    assert verify_token(refresh(idp, client_id, signed_in["RefreshToken"])["IdToken"], srv,
                        pool_id)["custom:profile"] == "x" * 10


# ---- UserMigration --------------------------------------------------------------------------------


def legacy_directory(event):
    """An older identity store that knows "legacy-*" users and their LEGACY_PASSWORD."""
    name = event["userName"]
    if not name.startswith("legacy-"):
        raise ValueError("User not found in the legacy directory")
    if event["triggerSource"] == "UserMigration_Authentication":
        if event["request"].get("password") != LEGACY_PASSWORD:
            raise ValueError("Bad password")
        status = "CONFIRMED"
    else:
        status = "RESET_REQUIRED"
    event["response"].update(
        userAttributes={"email": f"{name}@legacy.example", "email_verified": "true"},
        finalUserStatus=status,
        messageAction="SUPPRESS",
    )
    return event


def test_user_migration_at_sign_in(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "UserMigration")
    hooks.handler = legacy_directory
    auth = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "legacy-ann", "PASSWORD": LEGACY_PASSWORD},
                             ClientMetadata={"origin": "old-app"})
    tokens = assert_tokens(auth["AuthenticationResult"])
    request = assert_envelope(hooks.only("UserMigration_Authentication"), "UserMigration_Authentication",
                              pool_id, "legacy-ann", client_id)
    assert request["password"] == LEGACY_PASSWORD
    assert request["validationData"] == {"origin": "old-app"}, "InitiateAuth's ClientMetadata"

    user = admin_get_user(idp, pool_id, "legacy-ann")
    assert user["UserStatus"] == "CONFIRMED"
    attrs = attr_dict(user["UserAttributes"])
    assert attrs["email"] == "legacy-ann@legacy.example"
    assert attrs["email_verified"] == "true"
    assert is_uuid(attrs["sub"])
    assert verify_token(tokens["IdToken"], srv, pool_id)["sub"] == attrs["sub"]
    assert outbox(srv, pool_id=pool_id) == [], "messageAction SUPPRESS"

    # Now a user of the pool: no more migration, the password is the pool's.
    hooks.clear()
    assert_tokens(sign_in(idp, client_id, "legacy-ann", LEGACY_PASSWORD))
    with expect_error("NotAuthorizedException"):
        password_auth(idp, client_id, "legacy-ann", "Wrong-Passw0rd!")
    assert hooks.events == []


def test_user_migration_refused(srv, idp, hooks):
    """The function throwing (a wrong legacy password, an unknown user): the sign-in fails and no
    user is created. Cognito's exact error here is not pinned down by the sources above, so
    only a failure is required (with the usual message when it is UserLambdaValidationException)."""
    pool_id, client_id = trigger_pool(idp, "UserMigration")
    hooks.handler = legacy_directory
    for username, password in (("legacy-ben", "Wrong-Passw0rd!"), ("stranger", LEGACY_PASSWORD)):
        with expect_error(["UserLambdaValidationException", "NotAuthorizedException",
                           "UserNotFoundException"]) as caught:
            password_auth(idp, client_id, username, password)
        if caught.code == "UserLambdaValidationException":
            assert caught.message.startswith("UserMigration failed with error "), caught.message
        assert "AuthenticationResult" not in caught.value.response
        assert_no_user(idp, pool_id, username)
    assert hooks.sources() == ["UserMigration_Authentication"] * 2


def test_user_migration_at_forgot_password(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "UserMigration")
    hooks.handler = legacy_directory
    out = idp.forgot_password(ClientId=client_id, Username="legacy-bo")
    request = assert_envelope(hooks.only("UserMigration_ForgotPassword"), "UserMigration_ForgotPassword",
                              pool_id, "legacy-bo", client_id)
    assert "password" not in request, "no password at ForgotPassword"
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert out["CodeDeliveryDetails"]["AttributeName"] == "email"
    user = admin_get_user(idp, pool_id, "legacy-bo")
    assert user["UserStatus"] == "RESET_REQUIRED"
    assert attr_dict(user["UserAttributes"])["email"] == "legacy-bo@legacy.example"

    code = latest_code(srv, pool_id, "legacy-bo@legacy.example")
    idp.confirm_forgot_password(ClientId=client_id, Username="legacy-bo", ConfirmationCode=code,
                                Password=AUTH_NEW_PASSWORD)
    assert user_status(idp, pool_id, "legacy-bo") == "CONFIRMED"
    hooks.clear()
    assert_tokens(sign_in(idp, client_id, "legacy-bo", AUTH_NEW_PASSWORD))
    assert hooks.events == []


def test_user_migration_at_forgot_password_without_a_contact_creates_no_one(srv, idp, hooks):
    # A migrated user who could not receive the reset code is not left behind.
    pool_id, client_id = trigger_pool(idp, "UserMigration")
    hooks.handler = respond(userAttributes={"email": "nobody@legacy.example"}, finalUserStatus="RESET_REQUIRED")
    with expect_error("InvalidParameterException"):
        idp.forgot_password(ClientId=client_id, Username="legacy-no-contact")
    assert hooks.sources() == ["UserMigration_ForgotPassword"]
    assert_no_user(idp, pool_id, "legacy-no-contact")


def test_user_migration_attributes_the_pool_cannot_take(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "UserMigration")
    hooks.handler = respond(userAttributes={"custom:nope": "x"}, finalUserStatus="CONFIRMED")
    with expect_error("InvalidLambdaResponseException"):
        password_auth(idp, client_id, "legacy-odd", AUTH_PASSWORD)
    assert_no_user(idp, pool_id, "legacy-odd")


def test_forgot_password_client_metadata_reaches_its_triggers(srv, idp, hooks):
    """ForgotPassword's ClientMetadata is the clientMetadata of the triggers it runs
    (botocore's model, ForgotPasswordRequest; the migrate-user page: clientMetadata comes
    from "the ClientMetadata parameter in the AdminRespondToAuthChallenge and ForgotPassword
    API actions")."""
    pool_id, client_id = trigger_pool(idp, "UserMigration", "CustomMessage")
    hooks.handler = legacy_directory
    idp.forgot_password(ClientId=client_id, Username="legacy-cy", ClientMetadata={"origin": "old-app"})
    assert hooks.sources() == ["UserMigration_ForgotPassword", "CustomMessage_ForgotPassword"]
    for event in hooks.events:
        assert event["request"].get("clientMetadata") == {"origin": "old-app"}, event


# ---- CustomMessage ------------------------------------------------------------------------------


def branded(event):
    """A CustomMessage function writing its own subject and body around Cognito's placeholders."""
    request, source = event["request"], event["triggerSource"]
    if source == "CustomMessage_AdminCreateUser":
        message = (f"[{source}] Welcome {request['usernameParameter']}, "
                   f"your temporary password is {request['codeParameter']}")
    else:
        message = f"[{source}] Your ACME code is {request['codeParameter']}"
    event["response"].update(emailSubject=f"ACME: {source}", emailMessage=message, smsMessage=message)
    return event


def assert_branded(srv, pool_id: str, recipient: str, source: str, code: str | None = None) -> str:
    """The last message to `recipient` is `branded`'s for `source`; returns its code."""
    message = outbox(srv, pool_id=pool_id, recipient=recipient)[-1]
    assert message["subject"] == f"ACME: {source}", message
    prefix = f"[{source}] Your ACME code is "
    assert message["body"].startswith(prefix), message
    sent = message["body"][len(prefix):]
    assert sent.isdigit() and len(sent) == 6, message
    if code is not None:
        assert sent == code
    return sent


def test_custom_message_at_sign_up_and_resend(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "CustomMessage", AutoVerifiedAttributes=["email"])
    # A function that changes nothing: Cognito's own message goes.
    idp.sign_up(ClientId=client_id, Username="plain", Password=AUTH_PASSWORD,
                UserAttributes=attr_list({"email": "plain@example.com"}))
    (default,) = outbox(srv, pool_id=pool_id, recipient="plain@example.com")
    assert default["subject"] == "Your verification code"
    assert default["body"] == f"Your verification code is {latest_code(srv, pool_id, 'plain@example.com')}."

    hooks.reset()
    hooks.handler = branded
    idp.sign_up(ClientId=client_id, Username="una", Password=AUTH_PASSWORD,
                UserAttributes=attr_list({"email": "una@example.com"}), ClientMetadata={"brand": "acme"})
    request = assert_envelope(hooks.only("CustomMessage_SignUp"), "CustomMessage_SignUp", pool_id, "una",
                              client_id)
    assert request["codeParameter"] == "{####}"
    assert request["userAttributes"]["email"] == "una@example.com"
    assert request["clientMetadata"] == {"brand": "acme"}
    first = assert_branded(srv, pool_id, "una@example.com", "CustomMessage_SignUp")

    idp.resend_confirmation_code(ClientId=client_id, Username="una")
    request = assert_envelope(hooks.only("CustomMessage_ResendCode"), "CustomMessage_ResendCode", pool_id, "una",
                              client_id)
    assert request["codeParameter"] == "{####}"
    code = assert_branded(srv, pool_id, "una@example.com", "CustomMessage_ResendCode")
    assert code in (first, latest_code(srv, pool_id, "una@example.com"))
    idp.confirm_sign_up(ClientId=client_id, Username="una", ConfirmationCode=code)
    assert user_status(idp, pool_id, "una") == "CONFIRMED"


def test_custom_message_at_forgot_password(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "CustomMessage")
    confirmed_user(idp, pool_id, "vic", attributes={"email": "vic@example.com", "email_verified": "true"})
    hooks.handler = branded
    idp.forgot_password(ClientId=client_id, Username="vic")
    request = assert_envelope(hooks.only("CustomMessage_ForgotPassword"), "CustomMessage_ForgotPassword",
                              pool_id, "vic", client_id)
    assert request["codeParameter"] == "{####}"
    code = assert_branded(srv, pool_id, "vic@example.com", "CustomMessage_ForgotPassword")
    idp.confirm_forgot_password(ClientId=client_id, Username="vic", ConfirmationCode=code,
                                Password=AUTH_NEW_PASSWORD)
    assert_tokens(sign_in(idp, client_id, "vic", AUTH_NEW_PASSWORD))


def test_custom_message_for_an_invitation(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "CustomMessage")
    hooks.handler = branded
    temporary = "Temp0rary-Pass!"
    idp.admin_create_user(UserPoolId=pool_id, Username="wes", TemporaryPassword=temporary,
                          DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=attr_list({"email": "wes@example.com", "email_verified": "true"}))
    request = assert_envelope(hooks.only("CustomMessage_AdminCreateUser"), "CustomMessage_AdminCreateUser",
                              pool_id, "wes", NO_CLIENT)
    assert request["codeParameter"] == "{####}"
    assert request["usernameParameter"] == "{username}"
    (message,) = outbox(srv, pool_id=pool_id, recipient="wes@example.com")
    assert message["subject"] == "ACME: CustomMessage_AdminCreateUser"
    assert message["body"] == (f"[CustomMessage_AdminCreateUser] Welcome wes, "
                               f"your temporary password is {temporary}")
    assert password_auth(idp, client_id, "wes", temporary)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_custom_message_for_attribute_verification_and_update(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "CustomMessage", AutoVerifiedAttributes=["email"])
    confirmed_user(idp, pool_id, "xia", attributes={"email": "xia@example.com"})
    token = sign_in(idp, client_id, "xia")["AccessToken"]
    hooks.handler = branded

    idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    request = assert_envelope(hooks.only("CustomMessage_VerifyUserAttribute"), "CustomMessage_VerifyUserAttribute",
                              pool_id, "xia", ANY_CLIENT)
    assert request["codeParameter"] == "{####}"
    code = assert_branded(srv, pool_id, "xia@example.com", "CustomMessage_VerifyUserAttribute")
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)

    idp.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"email": "xia@new.example"}))
    request = assert_envelope(hooks.only("CustomMessage_UpdateUserAttribute"), "CustomMessage_UpdateUserAttribute",
                              pool_id, "xia", ANY_CLIENT)
    assert request["codeParameter"] == "{####}"
    assert request["userAttributes"]["email"] == "xia@new.example"
    code = assert_branded(srv, pool_id, "xia@new.example", "CustomMessage_UpdateUserAttribute")
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    attrs = attr_dict(admin_get_user(idp, pool_id, "xia")["UserAttributes"])
    assert attrs["email"] == "xia@new.example" and attrs["email_verified"] == "true"


def test_custom_message_for_a_signed_in_users_call_names_its_client(srv, idp, hooks):
    """A call with an access token comes through the token's app client: callerContext.clientId
    is that client (CLIENT_ID_NOT_APPLICABLE is for calls "not via an app client", such as
    the admin API: awslabs/swift-aws-lambda-events#71)."""
    pool_id, client_id = trigger_pool(idp, "CustomMessage", AutoVerifiedAttributes=["email"])
    confirmed_user(idp, pool_id, "zoe", attributes={"email": "zoe@example.com"})
    token = sign_in(idp, client_id, "zoe")["AccessToken"]
    idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    idp.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"email": "zoe@new.example"}))
    assert hooks.sources() == ["CustomMessage_VerifyUserAttribute", "CustomMessage_UpdateUserAttribute"]
    assert [e["callerContext"]["clientId"] for e in hooks.events] == [client_id, client_id]


def test_custom_message_gets_each_calls_client_metadata(srv, idp, hooks):
    """Every call that sends a message passes its ClientMetadata to CustomMessage as
    clientMetadata (botocore's model: the ClientMetadata of SignUp, ResendConfirmationCode,
    GetUserAttributeVerificationCode, UpdateUserAttributes, AdminUpdateUserAttributes and
    AdminCreateUser "provides the data that you assigned to the ClientMetadata parameter").
    Every call is made; the mismatches are reported together."""
    pool_id, client_id = trigger_pool(idp, "CustomMessage", AutoVerifiedAttributes=["email"])
    calls = {
        "CustomMessage_SignUp": lambda meta: idp.sign_up(
            ClientId=client_id, Username="amy", Password=AUTH_PASSWORD,
            UserAttributes=attr_list({"email": "amy@example.com"}), ClientMetadata=meta),
        "CustomMessage_ResendCode": lambda meta: idp.resend_confirmation_code(
            ClientId=client_id, Username="amy", ClientMetadata=meta),
        "CustomMessage_AdminCreateUser": lambda meta: idp.admin_create_user(
            UserPoolId=pool_id, Username="bob", TemporaryPassword=AUTH_PASSWORD, DesiredDeliveryMediums=["EMAIL"],
            UserAttributes=attr_list({"email": "bob@example.com", "email_verified": "true"}), ClientMetadata=meta),
    }
    mismatches = []

    def check(source, call):
        hooks.clear()
        meta = {"call": source}
        call(meta)
        got = hooks.only(source)["request"].get("clientMetadata")
        if got != meta:
            mismatches.append(f"{source}: clientMetadata {got!r}, sent {meta!r}")

    for source, call in calls.items():
        check(source, call)
    confirmed_user(idp, pool_id, "cat", attributes={"email": "cat@example.com"})
    token = sign_in(idp, client_id, "cat")["AccessToken"]
    check("CustomMessage_VerifyUserAttribute", lambda meta: idp.get_user_attribute_verification_code(
        AccessToken=token, AttributeName="email", ClientMetadata=meta))
    check("CustomMessage_UpdateUserAttribute", lambda meta: idp.update_user_attributes(
        AccessToken=token, UserAttributes=attr_list({"email": "cat@new.example"}), ClientMetadata=meta))
    check("CustomMessage_UpdateUserAttribute", lambda meta: idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="cat", UserAttributes=attr_list({"email": "cat@newer.example"}),
        ClientMetadata=meta))
    assert not mismatches, "\n".join(mismatches)


def test_custom_message_for_an_email_mfa_code(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "CustomMessage")
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                 EmailMfaConfiguration={"Message": "Code: {####}", "Subject": "Sign in"})
    confirmed_user(idp, pool_id, "yan", attributes={"email": "yan@example.com", "email_verified": "true"})
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="yan",
                                      EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    hooks.handler = branded
    challenge = password_auth(idp, client_id, "yan", AUTH_PASSWORD)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    request = assert_envelope(hooks.only("CustomMessage_Authentication"), "CustomMessage_Authentication",
                              pool_id, "yan", client_id)
    assert request["codeParameter"] == "{####}"
    code = assert_branded(srv, pool_id, "yan@example.com", "CustomMessage_Authentication")
    done = idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="EMAIL_OTP", Session=challenge["Session"],
                                         ChallengeResponses={"USERNAME": "yan", "EMAIL_OTP_CODE": code})
    assert_tokens(done["AuthenticationResult"])


# ---- when the function cannot be run or answers nonsense ---------------------------------------


def sign_up_refused(idp, client_id, username, code, message=None):
    with expect_error(code, message):
        idp.sign_up(ClientId=client_id, Username=username, Password=AUTH_PASSWORD,
                    UserAttributes=attr_list({"email": f"{username}@example.com"}))


def test_a_function_that_times_out_is_tried_three_times(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PreSignUp", AutoVerifiedAttributes=["email"])
    hooks.delay = 2.5  # the mapping's timeout_seconds is 1
    started = time.monotonic()
    sign_up_refused(idp, client_id, "slow", "UnexpectedLambdaException",
                    "PreSignUp invocation failed due to error TimeoutException.")
    elapsed = time.monotonic() - started
    assert len(hooks.events) == 3, hooks.sources()
    assert all(e == hooks.events[0] for e in hooks.events), "the same event each time"
    assert 2.5 < elapsed < 10, elapsed
    assert_no_user(idp, pool_id, "slow")
    assert outbox(srv, pool_id=pool_id) == []


def test_a_throttled_function_is_tried_three_times(srv, idp, hooks):
    # Cognito retries throttled invocations as it does timed-out ones (the reference's
    # triggers.md: "retried up to 3 times on timeout/throttle").
    pool_id, client_id = trigger_pool(idp, "PreSignUp")
    hooks.handler = lambda event: Answer(429, b'{"message": "Rate exceeded"}')
    sign_up_refused(idp, client_id, "busy", "UnexpectedLambdaException",
                    "PreSignUp invocation failed due to error TooManyRequestsException.")
    assert len(hooks.events) == 3, hooks.sources()
    assert_no_user(idp, pool_id, "busy")


def test_an_unreachable_function(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, lambda_config={"PreSignUp": UNREACHABLE})
    sign_up_refused(idp, client_id, "lonely", "UnexpectedLambdaException",
                    "PreSignUp invocation failed due to error ServiceException.")
    assert_no_user(idp, pool_id, "lonely")
    assert hooks.events == []


@pytest.mark.parametrize("answer", [
    garbage(b"this is not JSON"),
    garbage(b"", content_type="application/json"),
    garbage(b"[1, 2]", content_type="application/json"),
    garbage(b"null", content_type="application/json"),
    garbage(b'{"response": "yes"}', content_type="application/json"),
], ids=["text", "empty", "array", "null", "response-not-object"])
def test_an_answer_that_is_not_an_event(srv, idp, hooks, answer):
    pool_id, client_id = trigger_pool(idp, "PreSignUp")
    hooks.handler = answer
    sign_up_refused(idp, client_id, "garbled", "InvalidLambdaResponseException", "Unrecognizable lambda output")
    assert len(hooks.events) == 1, "not retried"
    assert_no_user(idp, pool_id, "garbled")


def test_a_failure_without_an_error_message_is_the_functions_infrastructure(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, "PreSignUp")
    hooks.handler = garbage(b"Internal Server Error", status=500)
    with expect_error("UnexpectedLambdaException", contains="PreSignUp invocation failed due to error"):
        idp.sign_up(ClientId=client_id, Username="broken", Password=AUTH_PASSWORD)
    assert_no_user(idp, pool_id, "broken")


def test_an_unmapped_function_without_strict_mode(srv, idp, hooks):
    pool_id, client_id = trigger_pool(idp, lambda_config={"PreSignUp": UNMAPPED})
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"] == {"PreSignUp": UNMAPPED}
    sign_up_refused(idp, client_id, "orphan", "UnexpectedLambdaException",
                    "PreSignUp invocation failed due to error ResourceNotFoundException.")
    assert_no_user(idp, pool_id, "orphan")
    # A pool naming nothing for PreSignUp is not affected by the unmapped PostConfirmation it names.
    other, other_client = trigger_pool(idp, lambda_config={"PostConfirmation": UNMAPPED})
    idp.sign_up(ClientId=other_client, Username="fine", Password=AUTH_PASSWORD)
    with expect_error("UnexpectedLambdaException",
                      "PostConfirmation invocation failed due to error ResourceNotFoundException."):
        idp.admin_confirm_sign_up(UserPoolId=other, Username="fine")
    assert user_status(idp, other, "fine") == "UNCONFIRMED"
    assert hooks.events == []


def test_strict_mode_refuses_pools_naming_unmapped_functions(start_server, hooks):
    known = lambda_arn("known")
    server = start_server(config_toml="strict_triggers = true\n\n" + mapping_toml(hooks.url, arn=known))
    idp = make_client(server)
    name = "strict-pool"
    for config in ({"PreSignUp": UNMAPPED},
                   {"PreSignUp": known, "PostConfirmation": UNMAPPED},
                   {"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": UNMAPPED}}):
        with expect_error("InvalidParameterException", f"No trigger invoker is configured for {UNMAPPED}."):
            idp.create_user_pool(PoolName=name, LambdaConfig=config)
    assert [p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]] == []

    pool_id = idp.create_user_pool(PoolName=name, LambdaConfig={"PreSignUp": known})["UserPool"]["Id"]
    with expect_error("InvalidParameterException", f"No trigger invoker is configured for {UNMAPPED}."):
        idp.update_user_pool(UserPoolId=pool_id, LambdaConfig={"PreSignUp": known, "CustomMessage": UNMAPPED})
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"] == {"PreSignUp": known}

    # The mapped function runs.
    client_id = make_app_client(idp, pool_id)["ClientId"]
    hooks.handler = respond(autoConfirmUser=True)
    assert idp.sign_up(ClientId=client_id, Username="zed", Password=AUTH_PASSWORD)["UserConfirmed"] is True
    assert hooks.sources() == ["PreSignUp_SignUp"]


# ---- observability ------------------------------------------------------------------------------


def test_each_invocation_is_logged_without_the_events_secrets(srv, idp, hooks):
    # One log line per invocation: trigger source, ARN, duration and outcome; never the
    # passwords, codes or tokens the events and answers carry.
    arns = {name: lambda_arn(f"observed-{name}") for name in ("PreSignUp", "CustomMessage", "UserMigration")}
    pool_id, client_id = trigger_pool(idp, lambda_config=arns, AutoVerifiedAttributes=["email"])
    hooks.handler = by_source({"UserMigration_": legacy_directory, "CustomMessage_": branded})
    secret = "Observed-Passw0rd!"
    idp.sign_up(ClientId=client_id, Username="obi", Password=secret,
                UserAttributes=[{"Name": "email", "Value": "obi@example.com"}])
    code = assert_branded(srv, pool_id, "obi@example.com", "CustomMessage_SignUp")
    auth = assert_tokens(password_auth(idp, client_id, "legacy-obi", LEGACY_PASSWORD)["AuthenticationResult"])
    hooks.handler = refuse("No more sign-ups")
    sign_up_refused(idp, client_id, "obi2", "UserLambdaValidationException")

    def lines(arn):
        return [line for line in srv.stderr_text().splitlines() if arn in line]

    deadline = time.time() + 5
    while time.time() < deadline and len(lines(arns["PreSignUp"])) < 2:
        time.sleep(0.05)
    for name, source in (("PreSignUp", "PreSignUp_SignUp"), ("CustomMessage", "CustomMessage_SignUp"),
                         ("UserMigration", "UserMigration_Authentication")):
        logged = lines(arns[name])
        assert logged, f"no log line for {name}"
        assert re.search(rf'trigger="?{source}"?', logged[0]), logged[0]
        assert re.search(r"millis=\d+", logged[0]), logged[0]
        assert "trigger ran" in logged[0] and re.search(r'outcome="?ok', logged[0]), logged[0]
    failed = lines(arns["PreSignUp"])[-1]
    assert "trigger failed" in failed and "No more sign-ups" in failed, failed
    # Leaving out the dev outbox's own lines: on loopback it shows each message as delivered,
    # code and all, by design (README, "The dev outbox").
    text = "\n".join(line for line in srv.logs().splitlines() if "dev outbox" not in line)
    for value in (secret, LEGACY_PASSWORD, f"code is {code}", auth["IdToken"], auth["AccessToken"],
                  auth["RefreshToken"]):
        assert value not in text
    # A six-digit code could match a timestamp's digits by chance; the invocation lines hold none.
    assert not any(code in line for arn in arns.values() for line in lines(arn))


# ---- PreTokenGeneration V3_0 for machine tokens -------------------------------------------------


def machine_pool(idp, version: str):
    """A pool with a domain, a resource server and a client_credentials client, whose
    PreTokenGeneration is `version`: (pool_id, client_id, secret, domain URL)."""
    from tessera_e2e.flows import unique
    pool_id, _ = trigger_pool(idp, lambda_config={"PreTokenGenerationConfig": {
        "LambdaVersion": version, "LambdaArn": arn_for("PreTokenGeneration")}})
    prefix = unique("m2m").lower()
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    idp.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders",
                               Scopes=[{"ScopeName": "read", "ScopeDescription": "read"},
                                       {"ScopeName": "write", "ScopeDescription": "write"}])
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="machine", GenerateSecret=True,
                                         AllowedOAuthFlowsUserPoolClient=True,
                                         AllowedOAuthFlows=["client_credentials"],
                                         AllowedOAuthScopes=["orders/read", "orders/write"])["UserPoolClient"]
    return pool_id, client["ClientId"], client["ClientSecret"], prefix


def machine_token(srv, prefix, client_id, secret, **form):
    import requests
    from tessera_e2e.hosted import domain_url, resolve_localhost_subdomains
    resolve_localhost_subdomains()
    return requests.post(f"{domain_url(srv, prefix)}/oauth2/token",
                         data={"grant_type": "client_credentials", **form}, auth=(client_id, secret), timeout=10)


def test_pre_token_generation_v3_customizes_machine_tokens(srv, idp, hooks):
    # Cognito sends V3_0 functions TokenGeneration_ClientCredentials for client_credentials
    # (developer guide, "Pre token generation Lambda trigger": "version three … access token
    # customization for machine-to-machine (M2M) client-credentials grants"), version "3",
    # request.scopes and the token request's aws_client_metadata as clientMetadata.
    pool_id, client_id, secret, prefix = machine_pool(idp, "V3_0")
    hooks.handler = respond(claimsAndScopeOverrideDetails={"accessTokenGeneration": {
        "claimsToAddOrOverride": {"tenant": "t-9"}, "scopesToAdd": ["orders/audit"]}})
    answer = machine_token(srv, prefix, client_id, secret, scope="orders/read",
                           aws_client_metadata='{"caller": "billing"}')
    assert answer.status_code == 200, answer.text
    request = assert_envelope(hooks.only("TokenGeneration_ClientCredentials"), "TokenGeneration_ClientCredentials",
                              pool_id, client_id, client_id, version="3")
    assert request["scopes"] == ["orders/read"]
    assert request["clientMetadata"] == {"caller": "billing"}
    assert request["userAttributes"] == {}
    claims = verify_token(answer.json()["access_token"], srv, pool_id)
    assert claims["tenant"] == "t-9" and claims["sub"] == client_id
    assert set(claims["scope"].split()) == {"orders/read", "orders/audit"}

    hooks.handler = refuse("No machines today")
    refused = machine_token(srv, prefix, client_id, secret)
    assert refused.status_code == 400 and "access_token" not in refused.text


def test_a_v2_function_is_not_run_for_machine_tokens(srv, idp, hooks):
    pool_id, client_id, secret, prefix = machine_pool(idp, "V2_0")
    answer = machine_token(srv, prefix, client_id, secret)
    assert answer.status_code == 200, answer.text
    assert hooks.events == []
