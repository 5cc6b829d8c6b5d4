"""Account recovery: ForgotPassword / ConfirmForgotPassword honouring AccountRecoverySetting,
and AdminResetUserPassword completed through the same path (issue 3, Build 6).

Cognito facts:
- ForgotPassword answers CodeDeliveryDetails, e.g. {"AttributeName": "email", "DeliveryMedium":
  "EMAIL", "Destination": "a***@e***"} (API reference example).
- No verified email or phone: InvalidParameterException "Cannot reset password for the user as
  there is no registered/verified email or phone_number" (live text quoted in ttoss#1030).
- A RESET_REQUIRED user signing in with the right password: PasswordResetRequiredException
  "Password reset required for the user" (amazon-cognito-identity-js#468, amplify-js#4890).
- Wrong code: CodeMismatchException "Invalid verification code provided, please try again."
  (amplify-js#11738, from ConfirmForgotPassword).
- PreventUserExistenceErrors ENABLED: ForgotPassword for an unknown user answers a simulated
  CodeDeliveryDetails (UserPoolClientType docs: "password recovery return a response indicating
  a code was sent to a simulated destination").
"""

import pytest

from tessera_e2e.aws import expect_error
from tessera_e2e.flows import (
    AUTH_NEW_PASSWORD,
    AUTH_PASSWORD,
    WRONG_PASSWORD,
    codes_for,
    confirmed_user,
    latest_code,
    make_app_client,
    make_pool,
    outbox,
    password_auth,
    pool_with_user,
    secret_hash,
    sign_in,
    srp_sign_in,
)

NO_RECOVERY = "Cannot reset password for the user as there is no registered/verified email or phone_number"


@pytest.fixture
def verified(cognito):
    return pool_with_user(cognito, attributes={"email": "alice@example.com", "email_verified": "true"})


def test_forgot_password_round_trip(cognito, server, verified):
    pool_id, client_id = verified
    resp = cognito.forgot_password(ClientId=client_id, Username="alice")
    assert resp["CodeDeliveryDetails"] == {
        "Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    (msg,) = outbox(server, pool_id=pool_id, recipient="alice@example.com")
    assert msg["kind"] == "code" and msg["medium"] == "EMAIL"
    code = latest_code(server, pool_id, "alice@example.com")
    cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=code,
                                    Password=AUTH_NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", AUTH_NEW_PASSWORD)["AccessToken"]
    assert srp_sign_in(server, pool_id, client_id, "alice", AUTH_NEW_PASSWORD)["AuthenticationResult"]
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(cognito, client_id, "alice", AUTH_PASSWORD)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == "CONFIRMED"


def test_forgot_password_uses_pool_template(cognito, server):
    pool_id = make_pool(cognito, VerificationMessageTemplate={
        "DefaultEmailOption": "CONFIRM_WITH_CODE", "EmailSubject": "Reset", "EmailMessage": "Reset code {####}!"})
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "bob", attributes={"email": "bob@example.com", "email_verified": "true"})
    cognito.forgot_password(ClientId=client_id, Username="bob")
    (msg,) = outbox(server, pool_id=pool_id, recipient="bob@example.com")
    assert msg["subject"] == "Reset"
    assert msg["body"] == f"Reset code {latest_code(server, pool_id, 'bob@example.com')}!"


def test_confirm_forgot_password_wrong_code(cognito, server, verified):
    pool_id, client_id = verified
    cognito.forgot_password(ClientId=client_id, Username="alice")
    code = latest_code(server, pool_id, "alice@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with expect_error("CodeMismatchException", "Invalid verification code provided, please try again."):
        cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=wrong,
                                        Password=AUTH_NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", AUTH_PASSWORD)["AccessToken"]


def test_confirm_forgot_password_code_is_single_use(cognito, server, verified):
    pool_id, client_id = verified
    cognito.forgot_password(ClientId=client_id, Username="alice")
    code = latest_code(server, pool_id, "alice@example.com")
    cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=code,
                                    Password=AUTH_NEW_PASSWORD)
    with expect_error({"ExpiredCodeException", "CodeMismatchException"}):
        cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=code,
                                        Password="Th1rd-Passw0rd!")
    assert sign_in(cognito, client_id, "alice", AUTH_NEW_PASSWORD)["AccessToken"]


def test_confirm_forgot_password_without_request(cognito, verified):
    _, client_id = verified
    with expect_error({"ExpiredCodeException", "CodeMismatchException"}):
        cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode="123456",
                                        Password=AUTH_NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", AUTH_PASSWORD)["AccessToken"]


def test_confirm_forgot_password_enforces_policy(cognito, server, verified):
    pool_id, client_id = verified
    cognito.forgot_password(ClientId=client_id, Username="alice")
    code = latest_code(server, pool_id, "alice@example.com")
    with expect_error("InvalidPasswordException", contains="Password not long enough"):
        cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=code,
                                        Password="Sh0rt!")
    assert sign_in(cognito, client_id, "alice", AUTH_PASSWORD)["AccessToken"]


def test_forgot_password_with_client_secret(cognito, server):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    confirmed_user(cognito, pool_id, "carol", attributes={"email": "carol@example.com", "email_verified": "true"})
    with expect_error("NotAuthorizedException"):
        cognito.forgot_password(ClientId=client_id, Username="carol")
    h = secret_hash("carol", client_id, secret)
    cognito.forgot_password(ClientId=client_id, Username="carol", SecretHash=h)
    code = latest_code(server, pool_id, "carol@example.com")
    with expect_error("NotAuthorizedException"):
        cognito.confirm_forgot_password(ClientId=client_id, Username="carol", ConfirmationCode=code,
                                        Password=AUTH_NEW_PASSWORD)
    cognito.confirm_forgot_password(ClientId=client_id, Username="carol", ConfirmationCode=code,
                                    Password=AUTH_NEW_PASSWORD, SecretHash=h)
    assert sign_in(cognito, client_id, "carol", AUTH_NEW_PASSWORD, client_secret=secret)["AccessToken"]


# ---------------------------------------------------------------- AccountRecoverySetting


def _both_verified(cognito, mechanisms):
    pool_id = make_pool(cognito, AccountRecoverySetting={"RecoveryMechanisms": mechanisms})
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "dan", attributes={
        "email": "dan@example.com", "email_verified": "true",
        "phone_number": "+15555550142", "phone_number_verified": "true"})
    return pool_id, client_id


def test_recovery_prefers_verified_phone_when_first(cognito, server):
    pool_id, client_id = _both_verified(cognito, [
        {"Name": "verified_phone_number", "Priority": 1}, {"Name": "verified_email", "Priority": 2}])
    resp = cognito.forgot_password(ClientId=client_id, Username="dan")
    assert resp["CodeDeliveryDetails"] == {
        "Destination": "+*******0142", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    assert codes_for(server, pool_id, "+15555550142")
    assert codes_for(server, pool_id, "dan@example.com") == []
    code = latest_code(server, pool_id, "+15555550142")
    cognito.confirm_forgot_password(ClientId=client_id, Username="dan", ConfirmationCode=code,
                                    Password=AUTH_NEW_PASSWORD)
    assert sign_in(cognito, client_id, "dan", AUTH_NEW_PASSWORD)["AccessToken"]


def test_recovery_prefers_verified_email_when_first(cognito, server):
    pool_id, client_id = _both_verified(cognito, [
        {"Name": "verified_email", "Priority": 1}, {"Name": "verified_phone_number", "Priority": 2}])
    resp = cognito.forgot_password(ClientId=client_id, Username="dan")
    assert resp["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert resp["CodeDeliveryDetails"]["AttributeName"] == "email"
    assert codes_for(server, pool_id, "dan@example.com")
    assert codes_for(server, pool_id, "+15555550142") == []


def test_recovery_falls_back_to_next_verified_mechanism(cognito, server):
    pool_id = make_pool(cognito, AccountRecoverySetting={"RecoveryMechanisms": [
        {"Name": "verified_phone_number", "Priority": 1}, {"Name": "verified_email", "Priority": 2}]})
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "erin", attributes={
        "email": "erin@example.com", "email_verified": "true", "phone_number": "+15555550143"})
    resp = cognito.forgot_password(ClientId=client_id, Username="erin")
    assert resp["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert codes_for(server, pool_id, "+15555550143") == []


def test_unverified_email_cannot_recover(cognito, server):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "fay", attributes={"email": "fay@example.com"})
    with expect_error("InvalidParameterException", NO_RECOVERY):
        cognito.forgot_password(ClientId=client_id, Username="fay")
    assert outbox(server, pool_id=pool_id) == []


def test_forgot_password_unknown_user_legacy(cognito, verified):
    _, client_id = verified
    with expect_error("UserNotFoundException"):
        cognito.forgot_password(ClientId=client_id, Username="ghost")


def test_forgot_password_unknown_user_prevent_existence_errors(cognito, server):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    resp = cognito.forgot_password(ClientId=client_id, Username="ghost")
    details = resp["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] in {"EMAIL", "SMS"}
    assert details["Destination"]
    assert outbox(server, pool_id=pool_id) == []
    # And the simulated answer is stable for the same username.
    assert cognito.forgot_password(ClientId=client_id, Username="ghost")["CodeDeliveryDetails"] == details


# ---------------------------------------------------------------- AdminResetUserPassword


def test_admin_reset_user_password_completes_through_confirm_forgot_password(cognito, server, verified):
    pool_id, client_id = verified
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="alice")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == "RESET_REQUIRED"
    with expect_error("PasswordResetRequiredException", "Password reset required for the user"):
        password_auth(cognito, client_id, "alice", AUTH_PASSWORD)
    with expect_error("PasswordResetRequiredException", "Password reset required for the user"):
        srp_sign_in(server, pool_id, client_id, "alice", AUTH_PASSWORD)
    code = latest_code(server, pool_id, "alice@example.com")
    cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=code,
                                    Password=AUTH_NEW_PASSWORD)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == "CONFIRMED"
    assert sign_in(cognito, client_id, "alice", AUTH_NEW_PASSWORD)["AccessToken"]


def test_reset_required_user_with_wrong_password(cognito, verified):
    pool_id, client_id = verified
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="alice")
    # The reset is only revealed to someone who knows the password (amplify-js#4890).
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(cognito, client_id, "alice", "Wrong-Passw0rd!")


def test_reset_required_user_can_request_a_new_code(cognito, server, verified):
    pool_id, client_id = verified
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="alice")
    cognito.forgot_password(ClientId=client_id, Username="alice")
    code = latest_code(server, pool_id, "alice@example.com")
    cognito.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=code,
                                    Password=AUTH_NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", AUTH_NEW_PASSWORD)["AccessToken"]
