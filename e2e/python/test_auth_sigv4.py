"""SigV4 verification of signed operations: permissive local mode, configured
access keys (env and config file), the AWS error types for bad or missing
signatures, unsigned operations, and the non-loopback safety rule."""

import json
import re
import uuid

import pytest
import requests
from botocore.exceptions import ClientError

from tessera_e2e.aws import (
    assert_json_error,
    aws_cli,
    expect_error,
    make_client,
    raw_call,
    sign_headers,
    unsigned_client,
)
from tessera_e2e.flows import unique
from tessera_e2e.server import run_tessera

KEY_ID = "AKIATESSERAE2E000001"
SECRET = "tessera-e2e-secret-0123456789abcdefABCDEF"
KEY_ENV = {"TESSERA_ACCESS_KEY_ID": KEY_ID, "TESSERA_SECRET_ACCESS_KEY": SECRET}

AUTH_ERRORS = {
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "MissingAuthenticationTokenException",
    "IncompleteSignatureException",
    "AccessDeniedException",
}


@pytest.fixture
def keyed_server(start_server):
    return start_server(env=KEY_ENV)


# ---- permissive local mode -------------------------------------------------


def test_local_mode_accepts_any_well_formed_signature(server):
    client = make_client(server, aws_access_key_id="AKIA" + uuid.uuid4().hex[:16].upper(),
                         aws_secret_access_key=uuid.uuid4().hex)
    assert isinstance(client.list_user_pools(MaxResults=5)["UserPools"], list)


def test_local_mode_accepts_signature_for_other_region(server):
    # The dev mode checks well-formedness, not which key or scope signed.
    client = make_client(server, region_name="eu-west-1")
    assert isinstance(client.list_user_pools(MaxResults=5)["UserPools"], list)


def test_local_mode_rejects_malformed_authorization(server):
    r = raw_call(server, "ListUserPools", {"MaxResults": 1}, sign=False,
                 headers={"Authorization": "AWS4-HMAC-SHA256 this is not a signature"})
    assert_json_error(r, status=None)


def test_local_mode_announced_at_start(server):
    logs = server.logs().lower()
    assert re.search(r"signature|sigv4|credential|access key", logs), logs[-2000:]


# ---- keys from the environment --------------------------------------------


def test_correct_key_is_accepted(keyed_server):
    client = make_client(keyed_server, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
    pool_id = client.create_user_pool(PoolName=unique("auth"))["UserPool"]["Id"]
    assert client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id


def test_unknown_key_is_unrecognized(keyed_server):
    client = make_client(keyed_server, aws_access_key_id="AKIANOTCONFIGURED000", aws_secret_access_key=SECRET)
    with expect_error("UnrecognizedClientException"):
        client.list_user_pools(MaxResults=5)


def test_wrong_secret_is_invalid_signature(keyed_server):
    client = make_client(keyed_server, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET + "x")
    with expect_error("InvalidSignatureException"):
        client.list_user_pools(MaxResults=5)


def test_missing_signature_on_signed_operation(keyed_server):
    client = unsigned_client(keyed_server)
    with expect_error("MissingAuthenticationTokenException"):
        client.list_user_pools(MaxResults=5)


def test_auth_errors_are_cognito_style_json(keyed_server):
    r = raw_call(keyed_server, "ListUserPools", {"MaxResults": 1}, sign=False)
    assert_json_error(r, "MissingAuthenticationTokenException", status=None)
    r = raw_call(keyed_server, "ListUserPools", {"MaxResults": 1}, access_key="AKIANOTCONFIGURED000",
                 secret_key=SECRET)
    assert_json_error(r, "UnrecognizedClientException", status=None)


def test_tampered_body_fails_signature(keyed_server):
    url = keyed_server.url + "/"
    signed_body = json.dumps({"MaxResults": 1}).encode()
    headers = sign_headers(url, signed_body, {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
    }, access_key=KEY_ID, secret_key=SECRET)
    sent_body = json.dumps({"MaxResults": 2}).encode()
    headers["Content-Length"] = str(len(sent_body))
    r = requests.post(url, data=sent_body, headers=headers, timeout=10)
    assert_json_error(r, "InvalidSignatureException", status=None)


def test_tampered_target_fails_signature(keyed_server):
    url = keyed_server.url + "/"
    body = json.dumps({"MaxResults": 1}).encode()
    headers = sign_headers(url, body, {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
    }, access_key=KEY_ID, secret_key=SECRET)
    headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService.ListUserPoolClients"
    r = requests.post(url, data=body, headers=headers, timeout=10)
    assert_json_error(r, "InvalidSignatureException", status=None)


def test_signature_scoped_to_another_service(keyed_server):
    url = keyed_server.url + "/"
    body = json.dumps({"MaxResults": 1}).encode()
    headers = sign_headers(url, body, {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
    }, access_key=KEY_ID, secret_key=SECRET, service="s3")
    r = requests.post(url, data=body, headers=headers, timeout=10)
    assert_json_error(r, "InvalidSignatureException", status=None)


def test_stale_signature_is_rejected(keyed_server):
    # AWS rejects a request signed more than 5 minutes ago ("Signature expired").
    import datetime
    from unittest import mock

    import botocore.auth

    real = datetime.datetime

    class AnHourAgo(real):
        @classmethod
        def utcnow(cls):
            return real.utcnow() - datetime.timedelta(hours=1)

        @classmethod
        def now(cls, tz=None):
            return real.now(tz) - datetime.timedelta(hours=1)

    url = keyed_server.url + "/"
    body = json.dumps({"MaxResults": 1}).encode()
    with mock.patch.object(botocore.auth.datetime, "datetime", AnHourAgo):
        headers = sign_headers(url, body, {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
        }, access_key=KEY_ID, secret_key=SECRET)
    r = requests.post(url, data=body, headers=headers, timeout=10)
    err = assert_json_error(r, "InvalidSignatureException", status=None)
    assert "expired" in err["message"].lower(), err


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.initiate_auth(ClientId="a" * 26, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "u", "PASSWORD": "p"}),
        lambda c: c.sign_up(ClientId="a" * 26, Username="someone", Password="Passw0rd!"),
    ],
    ids=["InitiateAuth", "SignUp"],
)
def test_unsigned_operations_never_need_a_signature(keyed_server, call):
    # boto3 sends these without SigV4 even when credentials exist; whatever the
    # server answers (not built yet, unknown client, ...) it must not be an
    # authentication failure.
    client = unsigned_client(keyed_server)
    try:
        call(client)
    except ClientError as e:
        assert e.response["Error"]["Code"] not in AUTH_ERRORS, e.response["Error"]


def test_aws_cli_with_configured_key(keyed_server):
    out = aws_cli(keyed_server, "list-user-pools", "--max-results", "10",
                  env={"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET})
    assert isinstance(out["UserPools"], list)


# ---- keys from the config file --------------------------------------------


def test_keys_from_config_file(start_server):
    srv = start_server(config_toml=f"""
[[access_keys]]
id = "{KEY_ID}"
secret = "{SECRET}"

[[access_keys]]
id = "AKIASECONDKEY0000002"
secret = "second-secret"
""")
    good = make_client(srv, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
    assert isinstance(good.list_user_pools(MaxResults=5)["UserPools"], list)
    second = make_client(srv, aws_access_key_id="AKIASECONDKEY0000002", aws_secret_access_key="second-secret")
    assert isinstance(second.list_user_pools(MaxResults=5)["UserPools"], list)
    with expect_error("InvalidSignatureException"):
        make_client(srv, aws_access_key_id=KEY_ID, aws_secret_access_key="nope").list_user_pools(MaxResults=5)
    with expect_error("UnrecognizedClientException"):
        make_client(srv).list_user_pools(MaxResults=5)  # test/test: not configured


# ---- non-loopback listeners ------------------------------------------------


def test_non_loopback_without_keys_refuses_to_start(tessera_bin, tmp_path):
    result = run_tessera(tessera_bin, "serve", "--listen", "0.0.0.0:0", "--data-dir", tmp_path / "d",
                         timeout=20)
    assert not result.timed_out, f"server started on 0.0.0.0 without keys:\n{result.output}"
    assert result.returncode != 0, result.output
    text = result.output.lower()
    assert "listening on" not in text
    assert re.search(r"insecure|access.?key|signature|loopback", text), result.output


def test_non_loopback_with_insecure_flag_starts(start_server):
    srv = start_server(listen="0.0.0.0:0", args=["--insecure-accept-any-signature"])
    assert make_client(srv).list_user_pools(MaxResults=1)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_non_loopback_with_keys_starts_and_verifies(start_server):
    srv = start_server(listen="0.0.0.0:0", env=KEY_ENV)
    ok = make_client(srv, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
    assert ok.list_user_pools(MaxResults=1)["ResponseMetadata"]["HTTPStatusCode"] == 200
    with expect_error("UnrecognizedClientException"):
        make_client(srv).list_user_pools(MaxResults=1)
