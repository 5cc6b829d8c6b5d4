"""Remembered devices against the running server (issue 11), with boto3 and pycognito's
device SRP (AWSSRP with device_key, device_group_key and device_password, and its
generate_hash_device for the verifier ConfirmDevice registers).

Cognito facts:
- With device tracking on, a sign-in's AuthenticationResult carries NewDeviceMetadata
  (DeviceKey "{region}_{uuid}", DeviceGroupKey); the client confirms the device with
  ConfirmDevice and its SRP verifier, and later signs in with DEVICE_KEY, proving the device
  with DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER (the reference's srp.md and
  auth-flows.md; the AWS blog "Tracking and remembering devices using Amazon Cognito Your
  User Pools").
- A remembered device skips MFA when the pool sets ChallengeRequiredOnNewDevice (same blog).
- With device tracking, a refresh token works only from its device (DEVICE_KEY in
  REFRESH_TOKEN_AUTH), only once that device was confirmed, and not after ForgetDevice:
  "Invalid Refresh Token." otherwise (aws/aws-sdk-java#2841, aws/aws-sdk-java-v2#1389,
  aws-amplify/amplify-android#2506, aws-amplify/amplify-js#2962 quoting the blog).
- ConfirmDevice answers UserConfirmationNecessary: true when devices are remembered only
  on the user's say-so (DeviceOnlyRememberedOnUserPrompt), and the client then calls
  UpdateDeviceStatus (amazon-cognito-identity-js's confirmDevice / setDeviceStatusRemembered).
- DeviceAttributes hold device_status "valid", device_name and dev:device_remembered_status
  "remembered" / "not_remembered" (the DeviceType examples in the API reference).
"""

import base64
import os
import re

import pytest
from pycognito.aws_srp import AWSSRP, generate_hash_device

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    WRONG_PASSWORD,
    attr_dict,
    confirmed_user,
    jwt_claims,
    make_app_client,
    make_pool,
    password_auth,
    refresh,
)
from tessera_e2e.mfa import answer_totp, code, enroll, start_sign_in

DEVICE_KEY = re.compile(r"^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NO_DEVICE = "Device does not exist."
INVALID_REFRESH = "Invalid Refresh Token."

ALWAYS = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
ON_PROMPT = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}


@pytest.fixture
def srv(start_server):
    """A private server whose clock the MFA tests move."""
    return start_server(env={"TESSERA_TEST_CLOCK": "true"})


def device_pool(cognito, devices=ALWAYS, mfa: str | None = None) -> tuple[str, str]:
    pool_id = make_pool(cognito, DeviceConfiguration=devices)
    if mfa:
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration=mfa,
                                         SoftwareTokenMfaConfiguration={"Enabled": True})
    return pool_id, make_app_client(cognito, pool_id)["ClientId"]


def confirm(cognito, auth: dict, name: str = "laptop") -> dict:
    """ConfirmDevice for the device a sign-in gave, with pycognito's verifier; returns the
    device's key, group key and password and ConfirmDevice's answer."""
    meta = auth["NewDeviceMetadata"]
    password, verifier = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    answer = cognito.confirm_device(AccessToken=auth["AccessToken"], DeviceKey=meta["DeviceKey"],
                                    DeviceName=name, DeviceSecretVerifierConfig=verifier)
    return {"key": meta["DeviceKey"], "group": meta["DeviceGroupKey"], "password": password,
            "verifier": verifier, "answer": answer}


def device_srp(cognito, pool_id, client_id, username, device, password=AUTH_PASSWORD) -> dict:
    """pycognito's whole USER_SRP_AUTH with the device: PASSWORD_VERIFIER, DEVICE_SRP_AUTH,
    DEVICE_PASSWORD_VERIFIER."""
    srp = AWSSRP(username=username, password=password, pool_id=pool_id, client_id=client_id, client=cognito,
                 device_key=device["key"], device_group_key=device["group"], device_password=device["password"])
    return srp.authenticate_user()


def remembered_status(device: dict) -> str:
    return attr_dict(device["DeviceAttributes"])["dev:device_remembered_status"]


# ---- a new device ---------------------------------------------------------------------


def test_a_sign_in_in_a_tracking_pool_gets_a_new_device(srv):
    cognito = make_client(srv)
    pool_id, client_id = device_pool(cognito)
    confirmed_user(cognito, pool_id, "dana")
    auth = password_auth(cognito, client_id, "dana", AUTH_PASSWORD)["AuthenticationResult"]
    meta = auth["NewDeviceMetadata"]
    assert DEVICE_KEY.match(meta["DeviceKey"]), meta
    assert re.fullmatch(r"-[A-Za-z0-9]{9}", meta["DeviceGroupKey"]), meta
    assert jwt_claims(auth["AccessToken"])["device_key"] == meta["DeviceKey"]
    assert "device_key" not in jwt_claims(auth["IdToken"])
    # Each sign-in without a device is a new device; the group key is the user's.
    again = password_auth(cognito, client_id, "dana", AUTH_PASSWORD)["AuthenticationResult"]["NewDeviceMetadata"]
    assert again["DeviceKey"] != meta["DeviceKey"] and again["DeviceGroupKey"] == meta["DeviceGroupKey"]
    # Nothing is listed until the client confirms the device.
    assert cognito.list_devices(AccessToken=auth["AccessToken"])["Devices"] == []


def test_a_pool_without_device_tracking_gives_no_device(srv):
    cognito = make_client(srv)
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "nia")
    auth = password_auth(cognito, client_id, "nia", AUTH_PASSWORD)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in auth
    assert "device_key" not in jwt_claims(auth["AccessToken"])
    # A refresh token without a device refreshes without DEVICE_KEY.
    assert refresh(cognito, client_id, auth["RefreshToken"])["AccessToken"]


def test_confirm_device_and_read_it_back(srv):
    cognito = make_client(srv)
    pool_id, client_id = device_pool(cognito)
    confirmed_user(cognito, pool_id, "ivo")
    auth = password_auth(cognito, client_id, "ivo", AUTH_PASSWORD)["AuthenticationResult"]
    device = confirm(cognito, auth)
    assert device["answer"]["UserConfirmationNecessary"] is False, "remembered without asking the user"

    got = cognito.get_device(AccessToken=auth["AccessToken"], DeviceKey=device["key"])["Device"]
    assert got["DeviceKey"] == device["key"]
    assert attr_dict(got["DeviceAttributes"]) == {
        "device_status": "valid", "device_name": "laptop", "dev:device_remembered_status": "remembered"}
    for member in ("DeviceCreateDate", "DeviceLastModifiedDate", "DeviceLastAuthenticatedDate"):
        assert got[member], member
    assert got == cognito.admin_get_device(UserPoolId=pool_id, Username="ivo", DeviceKey=device["key"])["Device"]
    listed = cognito.list_devices(AccessToken=auth["AccessToken"])
    assert [d["DeviceKey"] for d in listed["Devices"]] == [device["key"]]
    assert "PaginationToken" not in listed
    admin_listed = cognito.admin_list_devices(UserPoolId=pool_id, Username="ivo")
    assert [d["DeviceKey"] for d in admin_listed["Devices"]] == [device["key"]]

    # Confirming it again, or a key this sign-in was not given, is refused.
    with expect_error("DeviceKeyExistsException", "Device key already exists."):
        cognito.confirm_device(AccessToken=auth["AccessToken"], DeviceKey=device["key"],
                               DeviceSecretVerifierConfig=device["verifier"])
    with expect_error("InvalidParameterException", "Invalid device key given."):
        cognito.confirm_device(AccessToken=auth["AccessToken"], DeviceKey="us-east-1_" + "0" * 8 + "-0000-4000-8000-"
                               + "0" * 12, DeviceSecretVerifierConfig=device["verifier"])


def test_devices_remembered_only_on_the_users_say_so(srv):
    cognito = make_client(srv)
    pool_id, client_id = device_pool(cognito, devices=ON_PROMPT)
    confirmed_user(cognito, pool_id, "pat")
    auth = password_auth(cognito, client_id, "pat", AUTH_PASSWORD)["AuthenticationResult"]
    device = confirm(cognito, auth)
    assert device["answer"]["UserConfirmationNecessary"] is True
    token = auth["AccessToken"]
    assert remembered_status(cognito.get_device(AccessToken=token, DeviceKey=device["key"])["Device"]) \
        == "not_remembered"
    cognito.update_device_status(AccessToken=token, DeviceKey=device["key"], DeviceRememberedStatus="remembered")
    assert remembered_status(cognito.get_device(AccessToken=token, DeviceKey=device["key"])["Device"]) \
        == "remembered"
    cognito.admin_update_device_status(UserPoolId=pool_id, Username="pat", DeviceKey=device["key"],
                                       DeviceRememberedStatus="not_remembered")
    assert remembered_status(cognito.admin_get_device(UserPoolId=pool_id, Username="pat",
                                                      DeviceKey=device["key"])["Device"]) == "not_remembered"


def test_listing_devices_page_by_page(srv):
    cognito = make_client(srv)
    pool_id, client_id = device_pool(cognito)
    confirmed_user(cognito, pool_id, "lou")
    keys = set()
    for i in range(3):
        auth = password_auth(cognito, client_id, "lou", AUTH_PASSWORD)["AuthenticationResult"]
        keys.add(confirm(cognito, auth, name=f"device {i}")["key"])
    seen, token, pages = [], None, 0
    while True:
        kw = {"PaginationToken": token} if token else {}
        page = cognito.admin_list_devices(UserPoolId=pool_id, Username="lou", Limit=2, **kw)
        seen += [d["DeviceKey"] for d in page["Devices"]]
        pages += 1
        token = page.get("PaginationToken")
        if not token:
            break
    assert pages == 2 and len(seen) == 3 and set(seen) == keys


# ---- signing in on a remembered device --------------------------------------------------


def test_device_srp_sign_in_with_pycognito(srv):
    cognito = make_client(srv)
    pool_id, client_id = device_pool(cognito)
    confirmed_user(cognito, pool_id, "rey")
    first = password_auth(cognito, client_id, "rey", AUTH_PASSWORD)["AuthenticationResult"]
    device = confirm(cognito, first)

    tokens = device_srp(cognito, pool_id, client_id, "rey", device)
    result = tokens["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result, "the device proved itself: no new device"
    assert jwt_claims(result["AccessToken"])["device_key"] == device["key"]
    assert jwt_claims(result["AccessToken"])["username"] == "rey"

    # A wrong device password fails the device's proof.
    wrong = dict(device, password=base64.standard_b64encode(os.urandom(40)).decode())
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        device_srp(cognito, pool_id, client_id, "rey", wrong)


def test_device_srp_with_the_challenge_session(srv):
    """The exchange as the SDKs make it: DEVICE_KEY at InitiateAuth, the Session passed
    on to DEVICE_SRP_AUTH."""
    cognito = make_client(srv)
    pool_id, client_id = device_pool(cognito)
    confirmed_user(cognito, pool_id, "sol")
    device = confirm(cognito, password_auth(cognito, client_id, "sol", AUTH_PASSWORD)["AuthenticationResult"])
    started = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "sol", "PASSWORD": AUTH_PASSWORD, "DEVICE_KEY": device["key"]})
    assert started["ChallengeName"] == "DEVICE_SRP_AUTH"
    assert "AuthenticationResult" not in started and started["Session"]

    srp = AWSSRP(username="sol", password=AUTH_PASSWORD, pool_id=pool_id, client_id=client_id, client=cognito,
                 device_key=device["key"], device_group_key=device["group"], device_password=device["password"])
    srp_a = format(srp.large_a_value, "x")
    verifier = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="DEVICE_SRP_AUTH", Session=started["Session"],
        ChallengeResponses={"USERNAME": "sol", "DEVICE_KEY": device["key"], "SRP_A": srp_a})
    assert verifier["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    params = verifier["ChallengeParameters"]
    assert params["DEVICE_KEY"] == device["key"] and params["USERNAME"] == "sol"
    for name in ("SALT", "SRP_B", "SECRET_BLOCK"):
        assert params[name], name
    done = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                             ChallengeResponses=srp.process_device_challenge(params))
    assert jwt_claims(done["AuthenticationResult"]["AccessToken"])["device_key"] == device["key"]


def test_an_unknown_device_key_is_refused(srv):
    cognito = make_client(srv)
    pool_id, client_id = device_pool(cognito)
    confirmed_user(cognito, pool_id, "ugo")
    with expect_error("ResourceNotFoundException", NO_DEVICE):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
            "USERNAME": "ugo", "PASSWORD": AUTH_PASSWORD, "DEVICE_KEY": "us-east-1_nothing"})


def test_a_remembered_device_skips_mfa_and_a_forgotten_one_does_not(srv):
    cognito = make_client(srv)
    pool_id, client_id = device_pool(cognito, mfa="OPTIONAL")
    confirmed_user(cognito, pool_id, "mo")
    secret = enroll(srv, cognito, client_id, "mo")

    # The first sign-in on this device answers the TOTP challenge, then confirms the device.
    challenge = start_sign_in(cognito, client_id, "mo")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    first = answer_totp(cognito, client_id, "mo", challenge["Session"], code(srv, secret))["AuthenticationResult"]
    device = confirm(cognito, first)

    # Now the device proves itself instead of a code.
    second = device_srp(cognito, pool_id, client_id, "mo", device)["AuthenticationResult"]
    assert jwt_claims(second["AccessToken"])["device_key"] == device["key"]

    # Not remembered: the device still signs in, and the code is asked for again.
    cognito.update_device_status(AccessToken=second["AccessToken"], DeviceKey=device["key"],
                                 DeviceRememberedStatus="not_remembered")
    asked = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "mo", "PASSWORD": AUTH_PASSWORD, "DEVICE_KEY": device["key"]})
    assert asked["ChallengeName"] == "SOFTWARE_TOKEN_MFA"

    # Forgotten: gone from the list, and the key is refused.
    cognito.update_device_status(AccessToken=second["AccessToken"], DeviceKey=device["key"],
                                 DeviceRememberedStatus="remembered")
    cognito.forget_device(AccessToken=second["AccessToken"], DeviceKey=device["key"])
    assert cognito.list_devices(AccessToken=second["AccessToken"])["Devices"] == []
    with expect_error("ResourceNotFoundException", NO_DEVICE):
        cognito.get_device(AccessToken=second["AccessToken"], DeviceKey=device["key"])
    with expect_error("ResourceNotFoundException", NO_DEVICE):
        device_srp(cognito, pool_id, client_id, "mo", device)
    assert start_sign_in(cognito, client_id, "mo")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


# ---- refresh tokens are bound to their device -------------------------------------------


def test_a_refresh_token_works_only_from_its_confirmed_device(srv):
    cognito = make_client(srv)
    pool_id, client_id = device_pool(cognito)
    confirmed_user(cognito, pool_id, "rui")
    auth = password_auth(cognito, client_id, "rui", AUTH_PASSWORD)["AuthenticationResult"]
    key = auth["NewDeviceMetadata"]["DeviceKey"]

    # Not confirmed yet: refused even with its key.
    with expect_error("NotAuthorizedException", INVALID_REFRESH):
        refresh(cognito, client_id, auth["RefreshToken"], DEVICE_KEY=key)
    confirm(cognito, auth)
    refreshed = refresh(cognito, client_id, auth["RefreshToken"], DEVICE_KEY=key)
    assert jwt_claims(refreshed["AccessToken"])["device_key"] == key
    # Without its key, or with another device's, refused.
    with expect_error("NotAuthorizedException", INVALID_REFRESH):
        refresh(cognito, client_id, auth["RefreshToken"])
    other = password_auth(cognito, client_id, "rui", AUTH_PASSWORD)["AuthenticationResult"]
    confirm(cognito, other, name="phone")
    with expect_error("NotAuthorizedException", INVALID_REFRESH):
        refresh(cognito, client_id, auth["RefreshToken"], DEVICE_KEY=other["NewDeviceMetadata"]["DeviceKey"])
    # GetTokensFromRefreshToken takes the key as DeviceKey.
    got = cognito.get_tokens_from_refresh_token(RefreshToken=auth["RefreshToken"], ClientId=client_id,
                                                DeviceKey=key)
    assert got["AuthenticationResult"]["AccessToken"]

    # A forgotten device's refresh tokens stop working; the other device's do not.
    cognito.admin_forget_device(UserPoolId=pool_id, Username="rui", DeviceKey=key)
    with expect_error("NotAuthorizedException", INVALID_REFRESH):
        refresh(cognito, client_id, auth["RefreshToken"], DEVICE_KEY=key)
    assert refresh(cognito, client_id, other["RefreshToken"],
                   DEVICE_KEY=other["NewDeviceMetadata"]["DeviceKey"])["AccessToken"]


# ---- errors ---------------------------------------------------------------------------


def test_device_operations_name_what_is_missing(srv):
    cognito = make_client(srv)
    pool_id, client_id = device_pool(cognito)
    confirmed_user(cognito, pool_id, "eli")
    auth = password_auth(cognito, client_id, "eli", AUTH_PASSWORD)["AuthenticationResult"]
    token, missing = auth["AccessToken"], "us-east-1_00000000-0000-4000-8000-000000000000"
    with expect_error("ResourceNotFoundException", NO_DEVICE):
        cognito.get_device(AccessToken=token, DeviceKey=missing)
    with expect_error("ResourceNotFoundException", NO_DEVICE):
        cognito.update_device_status(AccessToken=token, DeviceKey=missing, DeviceRememberedStatus="remembered")
    with expect_error("ResourceNotFoundException", NO_DEVICE):
        cognito.forget_device(AccessToken=token, DeviceKey=missing)
    with expect_error("ResourceNotFoundException", NO_DEVICE):
        cognito.admin_get_device(UserPoolId=pool_id, Username="eli", DeviceKey=missing)
    with expect_error("UserNotFoundException", "User does not exist."):
        cognito.admin_list_devices(UserPoolId=pool_id, Username="nobody")
    with expect_error("UserNotFoundException", "User does not exist."):
        cognito.admin_forget_device(UserPoolId=pool_id, Username="nobody", DeviceKey=missing)
    with expect_error("NotAuthorizedException"):
        cognito.list_devices(AccessToken="not-a-token")
    with expect_error("InvalidParameterException"):
        cognito.confirm_device(AccessToken=token, DeviceKey=auth["NewDeviceMetadata"]["DeviceKey"],
                               DeviceSecretVerifierConfig={"PasswordVerifier": "***", "Salt": "***"})
    # Another user's device is not this user's.
    confirmed_user(cognito, pool_id, "fay")
    fay = password_auth(cognito, client_id, "fay", AUTH_PASSWORD)["AuthenticationResult"]
    fays = confirm(cognito, fay)
    with expect_error("ResourceNotFoundException", NO_DEVICE):
        cognito.get_device(AccessToken=token, DeviceKey=fays["key"])
    with expect_error("ResourceNotFoundException", NO_DEVICE):
        cognito.forget_device(AccessToken=token, DeviceKey=fays["key"])
    assert cognito.get_device(AccessToken=fay["AccessToken"], DeviceKey=fays["key"])["Device"]


def test_no_device_verifier_in_clear_in_the_data_directory(start_server):
    # SQLite, whatever store the suite runs on: the files are what is looked at.
    srv = start_server(args=["--store", "sqlite"])
    cognito = make_client(srv)
    pool_id, client_id = device_pool(cognito)
    confirmed_user(cognito, pool_id, "vic")
    device = confirm(cognito, password_auth(cognito, client_id, "vic", AUTH_PASSWORD)["AuthenticationResult"])
    verifier = base64.standard_b64decode(device["verifier"]["PasswordVerifier"])
    blob = b""
    for root, _, files in os.walk(srv.data_dir):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                blob += f.read()
    assert device["key"].encode() in blob, "the data directory holds the device"
    assert verifier not in blob and device["verifier"]["PasswordVerifier"].encode() not in blob
    assert verifier.hex().encode() not in blob
