"""The test clock: with `test_clock` on (loopback only), `POST /_tessera/clock` moves the
running server's clock, so tokens, codes and lockouts expire as they would after that much
time, against the real binary. Off, the endpoint answers as an unknown route. SigV4 keeps
checking signature dates against real time, the caller's clock.

The expiry facts and messages are those the in-process tests assert with a fixed clock
(crates/tessera-e2e/tests/sdk/auth_time/)."""

from __future__ import annotations

import datetime
import json
import re
import time
from unittest import mock

import botocore.auth
import pytest
import requests

from tessera_e2e.aws import assert_json_error, expect_error, make_client, sign_headers
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    LOCKED,
    confirmed_user,
    fail_sign_in,
    latest_code,
    make_app_client,
    make_pool,
    outbox,
    refresh,
    sign_in,
    sign_up,
    unique,
    user_status,
)
from tessera_e2e.server import run_tessera

ON = {"TESSERA_TEST_CLOCK": "true"}
KEY_ID = "AKIATESSERACLOCK0001"
SECRET = "tessera-clock-secret-0123456789abcdefAB"
KEY_ENV = {"TESSERA_ACCESS_KEY_ID": KEY_ID, "TESSERA_SECRET_ACCESS_KEY": SECRET}

ACCESS_EXPIRED = "Access Token has expired"
EXPIRED_CODE = "Invalid code provided, please request a code again."
DAY = 86_400


# ---- helpers (local to this file) ---------------------------------------------


def clock_url(server) -> str:
    return f"{server.url}/_tessera/clock"


def read_clock(server) -> dict:
    r = requests.get(clock_url(server), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def set_offset(server, seconds: int) -> dict:
    """Moves the server's clock to real time + `seconds`; returns its reading."""
    r = requests.post(clock_url(server), json={"offset_seconds": seconds}, timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["offset_seconds"] == seconds, body
    return body


@pytest.fixture
def clocked(start_server):
    """A private server with the test clock on."""
    return start_server(env=ON)


# ---- the endpoint -------------------------------------------------------------


def test_reads_and_moves_the_clock(clocked):
    reading = read_clock(clocked)
    assert reading["offset_seconds"] == 0
    assert abs(reading["now"] - time.time()) < 60, reading

    moved = set_offset(clocked, 3 * DAY)
    assert abs(moved["now"] - (time.time() + 3 * DAY)) < 60, moved
    assert read_clock(clocked)["offset_seconds"] == 3 * DAY
    assert "test clock is on" in clocked.stderr_text(), "the server warns at start"

    # The services read it: a pool created now was created three days from now.
    cognito = make_client(clocked)
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"])
    created = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["CreationDate"]
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3)
    assert abs((created - future).total_seconds()) < 60, created

    # ... and so does the dev outbox.
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    username = unique("ann")
    email = f"{username}@example.com"
    sign_up(cognito, client_id, username, email=email)
    sent = outbox(clocked, pool_id=pool_id, recipient=email)[-1]["sent_at"]
    assert abs(sent - (time.time() + 3 * DAY)) < 60, sent

    # Back to real time; negative offsets are allowed too.
    set_offset(clocked, 0)
    assert abs(read_clock(clocked)["now"] - time.time()) < 60
    set_offset(clocked, -60)


@pytest.mark.parametrize("body", [b"", b"{}", b'{"offset_seconds": "1"}', b'{"offset_seconds": 1.5}',
                                  b'{"offset_seconds": 1, "other": 2}', b"not json"])
def test_a_malformed_change_is_refused(clocked, body):
    r = requests.post(clock_url(clocked), data=body, headers={"Content-Type": "application/json"},
                      timeout=10)
    assert r.status_code == 400, r.text
    assert r.json()["__type"] == "SerializationException", r.text
    assert read_clock(clocked)["offset_seconds"] == 0


def test_a_change_that_is_not_json_is_refused(clocked):
    # A web page may POST text or a form to a local server without a CORS preflight: such a
    # body never moves the clock.
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Content-Type": content_type} if content_type else {}
        r = requests.post(clock_url(clocked), data=b'{"offset_seconds": 3600}', headers=headers,
                          timeout=10)
        assert r.status_code == 400, (content_type, r.text)
        assert r.json()["__type"] == "SerializationException", r.text
    assert read_clock(clocked)["offset_seconds"] == 0


def test_an_offset_beyond_a_hundred_years_is_refused(clocked):
    r = requests.post(clock_url(clocked), json={"offset_seconds": 200 * 365 * DAY}, timeout=10)
    assert r.status_code == 400, r.text
    assert r.json()["__type"] == "InvalidParameterException", r.text
    assert read_clock(clocked)["offset_seconds"] == 0


def unknown_route(server, method: str, path: str) -> dict:
    r = requests.request(method, f"{server.url}{path}", json={"offset_seconds": 1}, timeout=10)
    assert r.status_code == 404, r.text
    return r.json()


def test_off_by_default_the_endpoint_is_an_unknown_route(server):
    for method in ("GET", "POST", "PUT"):
        body = unknown_route(server, method, "/_tessera/clock")
        elsewhere = unknown_route(server, method, "/_tessera/nothing-here")
        assert body["__type"] == elsewhere["__type"], (body, elsewhere)
        assert body["message"] == f"No route for {method} /_tessera/clock.", body


@pytest.mark.parametrize(
    "how, on",
    [
        ({"args": ["--test-clock"]}, True),
        ({"config_toml": "test_clock = true\n"}, True),
        ({"env": {"TESSERA_TEST_CLOCK": "1"}}, True),
        ({"env": {"TESSERA_TEST_CLOCK": "false"}}, False),
        # The environment overrides the file, the flag overrides both.
        ({"config_toml": "test_clock = true\n", "env": {"TESSERA_TEST_CLOCK": "false"}}, False),
        ({"env": {"TESSERA_TEST_CLOCK": "false"}, "args": ["--test-clock"]}, True),
    ],
    ids=["flag", "file", "env", "env-off", "env-over-file", "flag-over-env"],
)
def test_enabled_only_when_asked(start_server, how, on):
    srv = start_server(**how)
    r = requests.get(clock_url(srv), timeout=10)
    assert r.status_code == (200 if on else 404), r.text
    assert ("test clock is on" in srv.stderr_text()) == on


def test_refused_on_a_listener_that_is_not_loopback(tessera_bin, tmp_path, start_server):
    # Access keys are configured, so the test clock is the only reason to refuse.
    result = run_tessera(tessera_bin, "serve", "--listen", "0.0.0.0:0", "--data-dir", tmp_path / "d",
                         "--test-clock", env=KEY_ENV, timeout=20)
    assert not result.timed_out, f"started with the test clock on 0.0.0.0:\n{result.output}"
    assert result.returncode != 0, result.output
    assert "listening on" not in result.output
    assert re.search(r"refusing to start with the test clock on 0\.0\.0\.0:0", result.output), result.output
    assert "loopback" in result.output

    # The same server without the test clock starts.
    srv = start_server(listen="0.0.0.0:0", env=KEY_ENV)
    assert requests.get(f"{srv.url}/health", timeout=10).status_code == 200


# ---- SigV4 stays on real time -------------------------------------------------


def signed_list_user_pools(server, signed_at: datetime.datetime) -> requests.Response:
    url = server.url + "/"
    body = json.dumps({"MaxResults": 1}).encode()
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=signed_at):
        headers = sign_headers(url, body, {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
        }, access_key=KEY_ID, secret_key=SECRET)
    return requests.post(url, data=body, headers=headers, timeout=10)


def test_signed_calls_are_checked_against_real_time(start_server):
    srv = start_server(env={**ON, **KEY_ENV})
    set_offset(srv, 10 * DAY)
    cognito = make_client(srv, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
    pool_id = make_pool(cognito)  # boto3 signs with the real time: accepted
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id

    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert signed_list_user_pools(srv, now).status_code == 200
    # A signature dated in the moved clock's time is ten days early for real time.
    r = signed_list_user_pools(srv, now + datetime.timedelta(days=10))
    err = assert_json_error(r, "InvalidSignatureException")
    assert err["message"].startswith("Signature not yet current"), err


# ---- expiry against the running binary ----------------------------------------


def test_an_access_token_expires_after_its_lifetime(clocked):
    cognito = make_client(clocked)
    pool_id = make_pool(cognito)
    client_id = make_app_client(
        cognito, pool_id, AccessTokenValidity=5, IdTokenValidity=5, RefreshTokenValidity=60,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "minutes"},
    )["ClientId"]
    confirmed_user(cognito, pool_id, "ada")
    tokens = sign_in(cognito, client_id, "ada")
    assert tokens["ExpiresIn"] == 300

    set_offset(clocked, 290)
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "ada"

    set_offset(clocked, 310)
    with expect_error("NotAuthorizedException", ACCESS_EXPIRED):
        cognito.get_user(AccessToken=tokens["AccessToken"])

    # The refresh token (an hour) still renews it, and the renewed token lives its own
    # five minutes.
    renewed = refresh(cognito, client_id, tokens["RefreshToken"])
    assert cognito.get_user(AccessToken=renewed["AccessToken"])["Username"] == "ada"
    set_offset(clocked, 310 + 310)
    with expect_error("NotAuthorizedException", ACCESS_EXPIRED):
        cognito.get_user(AccessToken=renewed["AccessToken"])


def test_a_confirmation_code_expires_after_a_day(clocked):
    cognito = make_client(clocked)
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    for name in ("early", "late"):
        sign_up(cognito, client_id, name, email=f"{name}@example.com")
    early = latest_code(clocked, pool_id, "early@example.com")
    late = latest_code(clocked, pool_id, "late@example.com")

    set_offset(clocked, DAY - 60)
    cognito.confirm_sign_up(ClientId=client_id, Username="early", ConfirmationCode=early)
    assert user_status(cognito, pool_id, "early") == "CONFIRMED"

    set_offset(clocked, DAY + 60)
    with expect_error("ExpiredCodeException", EXPIRED_CODE):
        cognito.confirm_sign_up(ClientId=client_id, Username="late", ConfirmationCode=late)
    assert user_status(cognito, pool_id, "late") == "UNCONFIRMED"

    cognito.resend_confirmation_code(ClientId=client_id, Username="late")
    resent = latest_code(clocked, pool_id, "late@example.com")
    cognito.confirm_sign_up(ClientId=client_id, Username="late", ConfirmationCode=resent)
    assert user_status(cognito, pool_id, "late") == "CONFIRMED"
    sign_in(cognito, client_id, "late")


def test_a_lockout_passes_after_its_seconds(clocked):
    cognito = make_client(clocked)
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "ivy")

    fail_sign_in(cognito, client_id, "ivy", 5)  # the 5th failure locks for a second
    with expect_error("NotAuthorizedException", LOCKED):
        sign_in(cognito, client_id, "ivy")
    set_offset(clocked, 2)
    fail_sign_in(cognito, client_id, "ivy", 1)  # the 6th: two seconds
    with expect_error("NotAuthorizedException", LOCKED):
        sign_in(cognito, client_id, "ivy")
    set_offset(clocked, 5)
    sign_in(cognito, client_id, "ivy", AUTH_PASSWORD)


def test_the_failure_count_restarts_after_fifteen_quiet_minutes(clocked):
    cognito = make_client(clocked)
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "max")

    fail_sign_in(cognito, client_id, "max", 4)
    set_offset(clocked, 15 * 60 + 5)
    fail_sign_in(cognito, client_id, "max", 4)  # counted afresh: never five
    sign_in(cognito, client_id, "max")
