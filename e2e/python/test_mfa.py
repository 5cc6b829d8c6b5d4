"""Multi-factor authentication against the running server (issue 11), with boto3
and pyotp as the authenticator app.

Cognito facts:
- SetUserPoolMfaConfig: OFF with a factor → "Invalid MFA configuration given, can't turn
  off MFA and configure an MFA together."; ON/OPTIONAL with none → "Invalid MFA
  configuration given, can't disable all MFAs with a required or optional configuration."
  (go-to-k/cdkd#1923, anomalyco/sst#5177, aws-sdk-js#4186).
- VerifySoftwareToken with a wrong code: EnableSoftwareTokenMFAException "Code mismatch and
  fail enable Software Token MFA" (aws-samples/aws-amplify-auth-starters#15).
- A wrong MFA code in a challenge: CodeMismatchException "Invalid code or auth state for the
  user." (aws-amplify/amplify-js#3066, #12887).
- Turning on SOFTWARE_TOKEN_MFA before verifying a token: InvalidParameterException "User
  does not have delivery config set to turn on SOFTWARE_TOKEN_MFA" (aws-sdk-js-v3#4645).
- TOTP: RFC 6238, SHA-1, 30 s, 6 digits (the reference's auth-flows.md); a code is taken once.

Time moves with the server's test clock, so codes of other steps are computed at the
server's time.
"""

import base64
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    admin_get_user,
    codes_for,
    confirmed_user,
    make_app_client,
    make_pool,
    sign_in,
)
from tessera_e2e.mfa import answer_totp, code, enroll, move_clock, next_step, start_sign_in, totp_pool

INVALID_CODE = "Invalid code or auth state for the user."
EXPIRED_SESSION = "Invalid session for the user, session is expired."


# ---- helpers ----------------------------------------------------------------------


@pytest.fixture
def srv(start_server):
    """A private server whose clock the test moves."""
    return start_server(env={"TESSERA_TEST_CLOCK": "true"})


# ---- the pool's configuration -------------------------------------------------------


def test_pool_mfa_configuration_rules(srv):
    cognito = make_client(srv)
    pool_id = make_pool(cognito)
    assert cognito.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"
    with expect_error("InvalidParameterException", "Invalid MFA configuration given, can't turn off MFA "
                                                   "and configure an MFA together."):
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF",
                                         SoftwareTokenMfaConfiguration={"Enabled": True})
    for mode in ("ON", "OPTIONAL"):
        with expect_error("InvalidParameterException", "Invalid MFA configuration given, can't disable all "
                                                       "MFAs with a required or optional configuration."):
            cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration=mode)
    out = cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                           SoftwareTokenMfaConfiguration={"Enabled": True})
    assert out["MfaConfiguration"] == "OPTIONAL"
    assert out["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    got = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert got["MfaConfiguration"] == "OPTIONAL" and got["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    described = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["MfaConfiguration"] == "OPTIONAL"
    assert "SoftwareTokenMfaConfiguration" not in described, "not a member of UserPoolType"


# ---- software tokens ------------------------------------------------------------------


def test_enrolling_an_authenticator_app(srv):
    cognito = make_client(srv)
    pool_id = totp_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "tina")
    token = sign_in(cognito, client_id, "tina")["AccessToken"]
    with expect_error("InvalidParameterException",
                      "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"):
        cognito.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True})
    secret = cognito.associate_software_token(AccessToken=token)["SecretCode"]
    assert len(secret) == 32 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), secret
    with expect_error("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA"):
        cognito.verify_software_token(AccessToken=token, UserCode=code(srv, secret, steps=5))
    assert cognito.verify_software_token(AccessToken=token, UserCode=code(srv, secret))["Status"] == "SUCCESS"
    assert "UserMFASettingList" not in admin_get_user(cognito, pool_id, "tina"), "verified, not yet on"
    cognito.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={
        "Enabled": True, "PreferredMfa": True})
    user = admin_get_user(cognito, pool_id, "tina")
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    me = cognito.get_user(AccessToken=token)
    assert me["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert me["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"


def test_signing_in_with_an_authenticator_code(srv):
    cognito = make_client(srv)
    pool_id = totp_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "otto")
    secret = enroll(srv, cognito, client_id, "otto")

    challenge = start_sign_in(cognito, client_id, "otto")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == "otto"
    assert "AuthenticationResult" not in challenge
    good = code(srv, secret)
    done = answer_totp(cognito, client_id, "otto", challenge["Session"], good)
    assert done["AuthenticationResult"]["AccessToken"]

    # The same code again, in a new sign-in: refused, as is every other wrong answer.
    refusals = [("the same code", good), ("a wrong code", str((int(good) + 1) % 1_000_000).zfill(6)),
                ("an empty code", ""), ("a code two steps old", code(srv, secret, steps=-2))]
    for what, user_code in refusals:
        session = start_sign_in(cognito, client_id, "otto")["Session"]
        with expect_error("CodeMismatchException", INVALID_CODE):
            answer_totp(cognito, client_id, "otto", session, user_code)
        assert what


def test_sessions_and_codes_of_others_are_refused(srv):
    cognito = make_client(srv)
    pool_id = totp_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "ana")
    confirmed_user(cognito, pool_id, "bea")
    ana = enroll(srv, cognito, client_id, "ana")
    bea = enroll(srv, cognito, client_id, "bea")
    session = start_sign_in(cognito, client_id, "ana")["Session"]
    with expect_error("CodeMismatchException", INVALID_CODE):
        answer_totp(cognito, client_id, "ana", session, code(srv, bea))
    # A session of another challenge (NEW_PASSWORD_REQUIRED), and a tampered one.
    cognito.admin_create_user(UserPoolId=pool_id, Username="cid", TemporaryPassword=AUTH_PASSWORD,
                              MessageAction="SUPPRESS")
    other = start_sign_in(cognito, client_id, "cid")
    assert other["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    session = start_sign_in(cognito, client_id, "ana")["Session"]
    tampered = session[:-4] + ("AAAA" if not session.endswith("AAAA") else "BBBB")
    for what, wrong_session in (("another challenge's session", other["Session"]), ("a tampered one", tampered)):
        with expect_error("NotAuthorizedException", EXPIRED_SESSION):
            answer_totp(cognito, client_id, "ana", wrong_session, code(srv, ana))
        assert what


def test_one_code_answered_twenty_times_at_once_signs_in_once(srv):
    cognito = make_client(srv)
    pool_id = totp_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "race")
    secret = enroll(srv, cognito, client_id, "race")
    sessions = [start_sign_in(cognito, client_id, "race")["Session"] for _ in range(20)]
    user_code = code(srv, secret)
    clients = [make_client(srv) for _ in sessions]
    barrier = threading.Barrier(len(sessions))

    def answer(pair):
        client, session = pair
        barrier.wait(timeout=60)
        try:
            answer_totp(client, client_id, "race", session, user_code)
            return "signed in"
        except ClientError as e:
            return e.response["Error"]["Code"]

    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        outcomes = list(pool.map(answer, zip(clients, sessions)))
    assert outcomes.count("signed in") == 1, outcomes
    # The others are replays: refused as wrong codes, which count toward the lockout, so
    # those past the fifth are refused by it.
    assert set(outcomes) - {"signed in"} <= {"CodeMismatchException", "NotAuthorizedException"}, outcomes


def test_a_code_of_the_previous_step_is_taken_once_and_two_steps_back_never(srv):
    cognito = make_client(srv)
    pool_id = totp_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "tim")
    secret = enroll(srv, cognito, client_id, "tim")
    next_step(srv)
    previous = code(srv, secret, steps=-1)
    session = start_sign_in(cognito, client_id, "tim")["Session"]
    assert answer_totp(cognito, client_id, "tim", session, previous)["AuthenticationResult"]
    session = start_sign_in(cognito, client_id, "tim")["Session"]
    with expect_error("CodeMismatchException", INVALID_CODE):
        answer_totp(cognito, client_id, "tim", session, previous)
    next_step(srv)
    session = start_sign_in(cognito, client_id, "tim")["Session"]
    with expect_error("CodeMismatchException", INVALID_CODE):
        answer_totp(cognito, client_id, "tim", session, code(srv, secret, steps=-2))


def test_required_mfa_sets_up_an_authenticator_during_sign_in(srv):
    cognito = make_client(srv)
    pool_id = totp_pool(cognito, mode="ON")
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "sam")
    setup = start_sign_in(cognito, client_id, "sam")
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    associated = cognito.associate_software_token(Session=setup["Session"])
    secret = associated["SecretCode"]
    verified = cognito.verify_software_token(Session=associated["Session"], UserCode=code(srv, secret),
                                             FriendlyDeviceName="laptop")
    assert verified["Status"] == "SUCCESS"
    done = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="MFA_SETUP",
                                             Session=verified["Session"], ChallengeResponses={"USERNAME": "sam"})
    assert done["AuthenticationResult"]["IdToken"]
    user = admin_get_user(cognito, pool_id, "sam")
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    next_step(srv)
    challenge = start_sign_in(cognito, client_id, "sam")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"]["FRIENDLY_DEVICE_NAME"] == "laptop"
    # MFA_SETUP answered before the token was verified does not finish a sign-in.
    confirmed_user(cognito, pool_id, "sue")
    early = start_sign_in(cognito, client_id, "sue")
    with expect_error("SoftwareTokenMFANotFoundException"):
        cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="MFA_SETUP",
                                          Session=early["Session"], ChallengeResponses={"USERNAME": "sue"})


def test_wrong_codes_count_toward_the_lockout(srv):
    # A right password does not wipe out wrong codes: they count until a sign-in completes.
    cognito = make_client(srv)
    pool_id = totp_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "lou")
    secret = enroll(srv, cognito, client_id, "lou")
    wrong = "000000" if code(srv, secret) != "000000" else "111111"
    for wrong_answers in (3, 2):
        session = start_sign_in(cognito, client_id, "lou")["Session"]
        for _ in range(wrong_answers):
            with expect_error("CodeMismatchException", INVALID_CODE):
                answer_totp(cognito, client_id, "lou", session, wrong)
    # Five wrong codes over two sign-ins: locked, the right code too.
    with expect_error("NotAuthorizedException", "Password attempts exceeded"):
        answer_totp(cognito, client_id, "lou", session, code(srv, secret))
    move_clock(srv, 2)  # the first lockout lasts a second
    assert answer_totp(cognito, client_id, "lou", session, code(srv, secret))["AuthenticationResult"]


# ---- codes by SMS and email ----------------------------------------------------------------


def test_sms_mfa_sends_a_code_to_the_users_phone(srv):
    cognito = make_client(srv)
    pool_id = make_pool(cognito, MfaConfiguration="ON", AutoVerifiedAttributes=["phone_number"],
                        SmsConfiguration={"SnsCallerArn": "arn:aws:iam::123456789012:role/sms",
                                          "ExternalId": "tessera"},
                        SmsAuthenticationMessage="Your sign-in code is {####}")
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "pia", attributes={"phone_number": "+15555550123",
                                                          "phone_number_verified": "true"})
    challenge = start_sign_in(cognito, client_id, "pia")
    assert challenge["ChallengeName"] == "SMS_MFA"
    params = challenge["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert params["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    sent = codes_for(srv, pool_id, "+15555550123", kind="authentication")[-1]
    with expect_error("CodeMismatchException", INVALID_CODE):
        cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SMS_MFA", Session=challenge["Session"],
                                          ChallengeResponses={"USERNAME": "pia", "SMS_MFA_CODE": "000000"
                                                              if sent != "000000" else "111111"})
    done = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SMS_MFA",
                                             Session=challenge["Session"],
                                             ChallengeResponses={"USERNAME": "pia", "SMS_MFA_CODE": sent})
    assert done["AuthenticationResult"]["AccessToken"]
    # Single use.
    with expect_error("CodeMismatchException", INVALID_CODE):
        cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SMS_MFA", Session=challenge["Session"],
                                          ChallengeResponses={"USERNAME": "pia", "SMS_MFA_CODE": sent})


def test_email_mfa_and_choosing_among_factors(srv):
    cognito = make_client(srv)
    pool_id = make_pool(cognito)
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                     SoftwareTokenMfaConfiguration={"Enabled": True},
                                     EmailMfaConfiguration={"Message": "Code: {####}", "Subject": "Sign in"})
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "eve", attributes={"email": "eve@example.com", "email_verified": "true"})
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="eve",
                                          EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    challenge = start_sign_in(cognito, client_id, "eve")
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "e***@e***"
    sent = codes_for(srv, pool_id, "eve@example.com", kind="authentication")[-1]
    done = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="EMAIL_OTP",
                                             Session=challenge["Session"],
                                             ChallengeResponses={"USERNAME": "eve", "EMAIL_OTP_CODE": sent})
    token = done["AuthenticationResult"]["AccessToken"]

    # Two factors on, none preferred: the user chooses.
    secret = cognito.associate_software_token(AccessToken=token)["SecretCode"]
    cognito.verify_software_token(AccessToken=token, UserCode=code(srv, secret))
    cognito.set_user_mfa_preference(AccessToken=token,
                                    SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False},
                                    EmailMfaSettings={"Enabled": True, "PreferredMfa": False})
    user = admin_get_user(cognito, pool_id, "eve")
    assert sorted(user["UserMFASettingList"]) == ["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"]
    assert "PreferredMfaSetting" not in user
    next_step(srv)
    select = start_sign_in(cognito, client_id, "eve")
    assert select["ChallengeName"] == "SELECT_MFA_TYPE"
    assert sorted(json.loads(select["ChallengeParameters"]["MFAS_CAN_CHOOSE"])) == ["EMAIL_OTP",
                                                                                     "SOFTWARE_TOKEN_MFA"]
    chosen = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SELECT_MFA_TYPE",
                                               Session=select["Session"],
                                               ChallengeResponses={"USERNAME": "eve", "ANSWER": "SOFTWARE_TOKEN_MFA"})
    assert chosen["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = answer_totp(cognito, client_id, "eve", chosen["Session"], code(srv, secret))
    assert done["AuthenticationResult"]["AccessToken"]


def test_no_software_token_secret_in_clear_in_the_data_directory(start_server):
    # SQLite, whatever store the suite runs on: the files are what is looked at.
    srv = start_server(env={"TESSERA_TEST_CLOCK": "true"}, args=["--store", "sqlite"])
    cognito = make_client(srv)
    pool_id = totp_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "kit")
    secret = enroll(srv, cognito, client_id, "kit")
    raw = base64.b32decode(secret)
    blob = b""
    for root, _, files in os.walk(srv.data_dir):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                blob += f.read()
    assert b"kit" in blob, "the data directory holds the user"
    assert secret.encode() not in blob and raw not in blob
