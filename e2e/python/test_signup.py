"""Self-service sign-up: SignUp, ConfirmSignUp, ResendConfirmationCode (issue 3, Build 1-2).

Cognito facts used here (sources next to each assertion):
- SignUp answers {UserConfirmed, UserSub, CodeDeliveryDetails?}; CodeDeliveryDetails only when an
  attribute is auto-verified (amplify-ui#6629: no CodeDeliveryDetails without auto verification).
- Masked destinations: email "a***@e***" (AWS ForgotPassword / GetUserAttributeVerificationCode
  API reference examples), phone "+" + stars + last four digits (amplify-js#2341 shows
  "+********1234").
- Cognito's default verification message is "Your verification code is {####}." with subject
  "Your verification code" (the defaults the CDK documents for userVerification).
"""

import pytest
from botocore.exceptions import ClientError

from tessera_e2e.aws import expect_error, raw_call
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    admin_get_user,
    attr_dict,
    attr_list,
    codes_for,
    is_uuid,
    latest_code,
    make_app_client,
    make_pool,
    outbox,
    secret_hash,
    sign_up,
)

EMAIL_POOL = {"AutoVerifiedAttributes": ["email"]}


@pytest.fixture
def email_pool(cognito):
    pool_id = make_pool(cognito, **EMAIL_POOL)
    client = make_app_client(cognito, pool_id)
    return pool_id, client["ClientId"]


# ---------------------------------------------------------------- SignUp


def test_sign_up_answer(cognito, email_pool):
    pool_id, client_id = email_pool
    resp = sign_up(cognito, client_id, "alice", email="alice@example.com")
    assert resp["UserConfirmed"] is False
    assert is_uuid(resp["UserSub"]), resp["UserSub"]
    # Shape and masking as in the API reference examples: "a***@e***".
    assert resp["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }


def test_signed_up_user_is_unconfirmed_with_unverified_email(cognito, email_pool):
    pool_id, client_id = email_pool
    sub = sign_up(cognito, client_id, "bob", email="bob@example.com")["UserSub"]
    user = admin_get_user(cognito, pool_id, "bob")
    assert user["UserStatus"] == "UNCONFIRMED"
    assert user["Enabled"] is True
    attrs = attr_dict(user["UserAttributes"])
    assert attrs["sub"] == sub
    assert attrs["email"] == "bob@example.com"
    assert attrs.get("email_verified", "false") == "false"


def test_sign_up_sends_code_with_default_template(cognito, server, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "carol", email="carol@example.com")
    msgs = outbox(server, pool_id=pool_id, recipient="carol@example.com")
    assert len(msgs) == 1
    m = msgs[0]
    assert m["medium"] == "EMAIL"
    assert m["kind"] == "code"
    assert m["subject"] == "Your verification code"
    code = latest_code(server, pool_id, "carol@example.com")
    assert m["body"] == f"Your verification code is {code}."


def test_sign_up_uses_pool_verification_template(cognito, server):
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"], VerificationMessageTemplate={
        "DefaultEmailOption": "CONFIRM_WITH_CODE",
        "EmailSubject": "Welcome to Tessera",
        "EmailMessage": "Hello {username}, your code: {####} (end)",
    })
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    sign_up(cognito, client_id, "dave", email="dave@example.com")
    (m,) = outbox(server, pool_id=pool_id, recipient="dave@example.com")
    assert m["subject"] == "Welcome to Tessera"
    code = latest_code(server, pool_id, "dave@example.com")
    assert m["body"] == f"Hello dave, your code: {code} (end)"


def test_sign_up_with_auto_verified_phone_sends_sms(cognito, server):
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["phone_number"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    resp = sign_up(cognito, client_id, "erin", phone_number="+15555550123")
    # amplify-js#2341: phone destinations keep "+" and the last four digits.
    assert resp["CodeDeliveryDetails"] == {
        "Destination": "+*******0123",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    (m,) = outbox(server, pool_id=pool_id, recipient="+15555550123")
    assert m["medium"] == "SMS"
    assert m["kind"] == "code"


def test_sign_up_without_auto_verification_sends_nothing(cognito, server):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    resp = sign_up(cognito, client_id, "frank", email="frank@example.com")
    assert resp["UserConfirmed"] is False
    # amplify-ui#6629: no CodeDeliveryDetails when no attribute is auto-verified.
    assert "CodeDeliveryDetails" not in resp
    assert outbox(server, pool_id=pool_id) == []
    assert admin_get_user(cognito, pool_id, "frank")["UserStatus"] == "UNCONFIRMED"


def test_sign_up_accepts_validation_data_and_client_metadata(cognito, email_pool):
    pool_id, client_id = email_pool
    resp = cognito.sign_up(
        ClientId=client_id, Username="gina", Password=AUTH_PASSWORD,
        UserAttributes=attr_list({"email": "gina@example.com"}),
        ValidationData=[{"Name": "invite", "Value": "xyz"}],
        ClientMetadata={"source": "e2e"},
    )
    assert resp["UserConfirmed"] is False
    assert admin_get_user(cognito, pool_id, "gina")["UserStatus"] == "UNCONFIRMED"


def test_duplicate_username(cognito, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "hank", email="hank@example.com")
    # "User already exists" - real SignUp wording (amazon-cognito-identity-js#386, ttoss#1030).
    with expect_error("UsernameExistsException", "User already exists"):
        sign_up(cognito, client_id, "hank", email="other@example.com")


def test_duplicate_username_in_case_insensitive_pool(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    sign_up(cognito, client_id, "Ivy")
    with expect_error("UsernameExistsException"):
        sign_up(cognito, client_id, "ivy")


def test_password_policy(cognito, email_pool):
    pool_id, client_id = email_pool
    # SignUp's wording, "Password did not conform with policy: <reason>" (reported from the
    # live service, e.g. anomalyco/guide#216; reasons as in test_passwords.py).
    with expect_error("InvalidPasswordException", "Password did not conform with policy: Password not long enough"):
        sign_up(cognito, client_id, "jack", password="Ab1!xyz", email="jack@example.com")
    with expect_error("InvalidPasswordException",
                      "Password did not conform with policy: Password must have symbol characters"):
        sign_up(cognito, client_id, "jack", password="Abcdefg12", email="jack@example.com")
    with expect_error("UserNotFoundException"):
        admin_get_user(cognito, pool_id, "jack")


def test_relaxed_password_policy(cognito):
    pool_id = make_pool(cognito, Policies={"PasswordPolicy": {
        "MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": True,
        "RequireNumbers": False, "RequireSymbols": False}})
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    assert sign_up(cognito, client_id, "kate", password="simple")["UserConfirmed"] is False


def test_unknown_client(cognito):
    with expect_error("ResourceNotFoundException"):
        cognito.sign_up(ClientId="nosuchclient0000000000000a", Username="x", Password=AUTH_PASSWORD)


# ---------------------------------------------------------------- attributes


def test_attribute_outside_schema_refused(cognito, email_pool):
    pool_id, client_id = email_pool
    with expect_error("InvalidParameterException"):
        sign_up(cognito, client_id, "liam", email="liam@example.com", **{"custom:nope": "x"})
    with expect_error("UserNotFoundException"):
        admin_get_user(cognito, pool_id, "liam")


def test_client_write_attributes_enforced(cognito):
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(cognito, pool_id, WriteAttributes=["email"])["ClientId"]
    # "A client attempted to write unauthorized attribute" (NotAuthorizedException), the live
    # answer quoted in aws-sdk-js#1319 and padok-team/cognito-scanner#6.
    with expect_error("NotAuthorizedException", "A client attempted to write unauthorized attribute"):
        sign_up(cognito, client_id, "mia", email="mia@example.com", given_name="Mia")
    with expect_error("UserNotFoundException"):
        admin_get_user(cognito, pool_id, "mia")
    sign_up(cognito, client_id, "mia", email="mia@example.com")
    assert "given_name" not in attr_dict(admin_get_user(cognito, pool_id, "mia")["UserAttributes"])


def test_email_verified_cannot_be_self_set(cognito, email_pool):
    pool_id, client_id = email_pool
    # aws-sdk-js#3603: SignUp with email_verified fails with "A client attempted to write
    # unauthorized attribute".
    with expect_error("NotAuthorizedException", "A client attempted to write unauthorized attribute"):
        sign_up(cognito, client_id, "noah", email="noah@example.com", email_verified="true")
    with expect_error("UserNotFoundException"):
        admin_get_user(cognito, pool_id, "noah")


def test_phone_number_verified_cannot_be_self_set(cognito):
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["phone_number"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("NotAuthorizedException", "A client attempted to write unauthorized attribute"):
        sign_up(cognito, client_id, "olga", phone_number="+15555550100", phone_number_verified="true")


# ---------------------------------------------------------------- client secret


@pytest.fixture
def secret_pool(cognito):
    pool_id = make_pool(cognito, **EMAIL_POOL)
    client = make_app_client(cognito, pool_id, secret=True)
    return pool_id, client["ClientId"], client["ClientSecret"]


def test_secret_client_requires_secret_hash(cognito, secret_pool):
    pool_id, client_id, _ = secret_pool
    with expect_error("NotAuthorizedException", contains="secret"):
        sign_up(cognito, client_id, "paul", email="paul@example.com")
    with expect_error("UserNotFoundException"):
        admin_get_user(cognito, pool_id, "paul")


def test_secret_client_wrong_secret_hash(cognito, secret_pool):
    pool_id, client_id, secret = secret_pool
    # "Unable to verify secret hash for client <client id>" (live output quoted in
    # scientifichackers/flutter_cognito_plugin#24 and ArranJacques/laravel-aws-cognito-auth#26).
    with expect_error("NotAuthorizedException", f"Unable to verify secret hash for client {client_id}"):
        cognito.sign_up(ClientId=client_id, Username="quinn", Password=AUTH_PASSWORD,
                        SecretHash=secret_hash("someone-else", client_id, secret),
                        UserAttributes=attr_list({"email": "quinn@example.com"}))
    with expect_error("UserNotFoundException"):
        admin_get_user(cognito, pool_id, "quinn")


def test_secret_client_sign_up_and_confirm(cognito, server, secret_pool):
    pool_id, client_id, secret = secret_pool
    h = secret_hash("rita", client_id, secret)
    cognito.sign_up(ClientId=client_id, Username="rita", Password=AUTH_PASSWORD, SecretHash=h,
                    UserAttributes=attr_list({"email": "rita@example.com"}))
    code = latest_code(server, pool_id, "rita@example.com")
    with expect_error("NotAuthorizedException"):
        cognito.confirm_sign_up(ClientId=client_id, Username="rita", ConfirmationCode=code)
    cognito.confirm_sign_up(ClientId=client_id, Username="rita", ConfirmationCode=code, SecretHash=h)
    assert admin_get_user(cognito, pool_id, "rita")["UserStatus"] == "CONFIRMED"


# ---------------------------------------------------------------- ConfirmSignUp


def test_confirm_sign_up(cognito, server, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "sam", email="sam@example.com")
    code = latest_code(server, pool_id, "sam@example.com")
    assert len(code) == 6 and code.isdigit()
    cognito.confirm_sign_up(ClientId=client_id, Username="sam", ConfirmationCode=code)
    user = admin_get_user(cognito, pool_id, "sam")
    assert user["UserStatus"] == "CONFIRMED"
    # Confirming through the emailed code verifies the auto-verified attribute.
    assert attr_dict(user["UserAttributes"])["email_verified"] == "true"


def test_confirm_with_wrong_code(cognito, server, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "tom", email="tom@example.com")
    code = latest_code(server, pool_id, "tom@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    # "Invalid verification code provided, please try again." (amplify-js#11738, live output).
    with expect_error("CodeMismatchException", "Invalid verification code provided, please try again."):
        cognito.confirm_sign_up(ClientId=client_id, Username="tom", ConfirmationCode=wrong)
    assert admin_get_user(cognito, pool_id, "tom")["UserStatus"] == "UNCONFIRMED"
    cognito.confirm_sign_up(ClientId=client_id, Username="tom", ConfirmationCode=code)
    assert admin_get_user(cognito, pool_id, "tom")["UserStatus"] == "CONFIRMED"


def test_reused_code_and_already_confirmed_user(cognito, server, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "uma", email="uma@example.com")
    code = latest_code(server, pool_id, "uma@example.com")
    cognito.confirm_sign_up(ClientId=client_id, Username="uma", ConfirmationCode=code)
    # "User cannot be confirmed. Current status is CONFIRMED" (NotAuthorizedException, live output
    # quoted in furaiev/amazon-cognito-identity-dart-2#80).
    with expect_error("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED"):
        cognito.confirm_sign_up(ClientId=client_id, Username="uma", ConfirmationCode=code)


def test_code_is_per_user(cognito, server, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "vic", email="vic@example.com")
    sign_up(cognito, client_id, "wes", email="wes@example.com")
    vic_code = latest_code(server, pool_id, "vic@example.com")
    wes_code = latest_code(server, pool_id, "wes@example.com")
    if vic_code != wes_code:
        with expect_error("CodeMismatchException"):
            cognito.confirm_sign_up(ClientId=client_id, Username="wes", ConfirmationCode=vic_code)
    cognito.confirm_sign_up(ClientId=client_id, Username="wes", ConfirmationCode=wes_code)
    assert admin_get_user(cognito, pool_id, "vic")["UserStatus"] == "UNCONFIRMED"
    assert admin_get_user(cognito, pool_id, "wes")["UserStatus"] == "CONFIRMED"


def test_confirm_unknown_user(cognito, email_pool):
    _, client_id = email_pool
    # LEGACY (the API default) reveals unknown users with UserNotFoundException.
    with expect_error("UserNotFoundException"):
        cognito.confirm_sign_up(ClientId=client_id, Username="nobody", ConfirmationCode="123456")


def test_too_many_wrong_codes_are_bounded(cognito, server, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "xena", email="xena@example.com")
    code = latest_code(server, pool_id, "xena@example.com")
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    seen = []
    for _ in range(30):
        with pytest.raises(ClientError) as excinfo:
            cognito.confirm_sign_up(ClientId=client_id, Username="xena", ConfirmationCode=wrong)
        seen.append(excinfo.value.response["Error"]["Code"])
        if seen[-1] != "CodeMismatchException":
            break
    # Guessing is bounded (issue 3: "a bounded number of wrong attempts"): Cognito stops
    # comparing with TooManyFailedAttemptsException / LimitExceededException (model docs).
    assert seen[-1] in {"TooManyFailedAttemptsException", "LimitExceededException"}, seen
    assert admin_get_user(cognito, pool_id, "xena")["UserStatus"] == "UNCONFIRMED"


def test_email_username_pool_sign_up(cognito, server):
    pool_id = make_pool(cognito, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    resp = cognito.sign_up(ClientId=client_id, Username="yara@example.com", Password=AUTH_PASSWORD)
    sub = resp["UserSub"]
    user = admin_get_user(cognito, pool_id, "yara@example.com")
    # With UsernameAttributes the internal username is the generated UUID, the sub.
    assert user["Username"] == sub
    assert attr_dict(user["UserAttributes"])["email"] == "yara@example.com"
    code = latest_code(server, pool_id, "yara@example.com")
    cognito.confirm_sign_up(ClientId=client_id, Username="yara@example.com", ConfirmationCode=code)
    assert admin_get_user(cognito, pool_id, sub)["UserStatus"] == "CONFIRMED"


def test_email_username_pool_refuses_non_email(cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("InvalidParameterException"):
        cognito.sign_up(ClientId=client_id, Username="plainname", Password=AUTH_PASSWORD)


# ---------------------------------------------------------------- ResendConfirmationCode


def test_resend_confirmation_code(cognito, server, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "zoe", email="zoe@example.com")
    resp = cognito.resend_confirmation_code(ClientId=client_id, Username="zoe")
    assert resp["CodeDeliveryDetails"] == {
        "Destination": "z***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    codes = codes_for(server, pool_id, "zoe@example.com")
    assert len(codes) == 2
    cognito.confirm_sign_up(ClientId=client_id, Username="zoe", ConfirmationCode=codes[-1])
    assert admin_get_user(cognito, pool_id, "zoe")["UserStatus"] == "CONFIRMED"


def test_resend_for_unknown_user(cognito, email_pool):
    _, client_id = email_pool
    with expect_error("UserNotFoundException"):
        cognito.resend_confirmation_code(ClientId=client_id, Username="ghost")


def test_null_lists_are_absent(server, cognito):
    # amazon-cognito-identity-js sends "ValidationData": null when the app passes none
    # (its README's sign-up example: userPool.signUp(name, password, attributes, null, cb)).
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    resp = raw_call(server, "SignUp", {"ClientId": client_id, "Username": "nul", "Password": AUTH_PASSWORD,
                                       "UserAttributes": None, "ValidationData": None, "ClientMetadata": None},
                    sign=False)
    assert resp.status_code == 200, resp.text
    assert resp.json()["UserConfirmed"] is False
    resp = raw_call(server, "AdminCreateUser", {"UserPoolId": pool_id, "Username": "nil", "ValidationData": None,
                                                "MessageAction": "SUPPRESS"})
    assert resp.status_code == 200, resp.text
