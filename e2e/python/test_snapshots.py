"""Exact JSON of representative responses and errors, volatile values
normalized (timestamps, generated ids, request ids, secrets, account ids).

Snapshots live in e2e/python/snapshots/; (re)write them with
`pytest test_snapshots.py --snapshot-update` (or SNAPSHOT_UPDATE=1) after
reviewing the output, never to make a failing comparison pass blindly."""

import pytest

from tessera_e2e.aws import TARGET_PREFIX, raw_call
from tessera_e2e.server import TesseraServer
from tessera_e2e.snapshots import http_snapshot

POOL = "us-east-1_snapshot1"
CLIENT = "snapclient0000000000000001"

CONFIG = f"""
[[pools]]
id = "{POOL}"
name = "snapshots"
settings = {{ MfaConfiguration = "OFF", DeletionProtection = "INACTIVE", UsernameConfiguration = {{ CaseSensitive = false }}, AutoVerifiedAttributes = ["email"], Policies = {{ PasswordPolicy = {{ MinimumLength = 8, RequireUppercase = true, RequireLowercase = true, RequireNumbers = true, RequireSymbols = false, TemporaryPasswordValidityDays = 7 }} }} }}

[[pools.clients]]
id = "{CLIENT}"
name = "web"
generate_secret = false
settings = {{ ExplicitAuthFlows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], AccessTokenValidity = 60, IdTokenValidity = 60, RefreshTokenValidity = 30, TokenValidityUnits = {{ AccessToken = "minutes", IdToken = "minutes", RefreshToken = "days" }}, PreventUserExistenceErrors = "ENABLED", EnableTokenRevocation = true, AuthSessionValidity = 3, ReadAttributes = ["email", "name"], WriteAttributes = ["name"] }}

[[pools.groups]]
name = "admins"
description = "Admins"
precedence = 1
"""

KEEP = (POOL, CLIENT)


@pytest.fixture(scope="module")
def snap_server(tessera_bin, tmp_path_factory):
    srv = TesseraServer(tessera_bin, tmp_path_factory.mktemp("snapshots"), config_toml=CONFIG)
    srv.start()
    yield srv
    srv.stop()


def test_describe_user_pool_client(snap_server, snapshot):
    r = raw_call(snap_server, "DescribeUserPoolClient", {"UserPoolId": POOL, "ClientId": CLIENT})
    assert r.status_code == 200, r.text
    snapshot.assert_match("describe_user_pool_client", http_snapshot(r, KEEP))


def test_describe_user_pool(snap_server, snapshot):
    r = raw_call(snap_server, "DescribeUserPool", {"UserPoolId": POOL})
    assert r.status_code == 200, r.text
    snapshot.assert_match("describe_user_pool", http_snapshot(r, KEEP))


def test_list_user_pool_clients(snap_server, snapshot):
    r = raw_call(snap_server, "ListUserPoolClients", {"UserPoolId": POOL, "MaxResults": 10})
    assert r.status_code == 200, r.text
    snapshot.assert_match("list_user_pool_clients", http_snapshot(r, KEEP))


def test_get_group(snap_server, snapshot):
    r = raw_call(snap_server, "GetGroup", {"UserPoolId": POOL, "GroupName": "admins"})
    assert r.status_code == 200, r.text
    snapshot.assert_match("get_group", http_snapshot(r, KEEP))


def test_admin_create_user(snap_server, snapshot):
    r = raw_call(snap_server, "AdminCreateUser", {
        "UserPoolId": POOL, "Username": "snapuser", "MessageAction": "SUPPRESS",
        "TemporaryPassword": "Temp1234", "UserAttributes": [{"Name": "email", "Value": "snap@example.com"},
                                                            {"Name": "name", "Value": "Snap Shot"}]})
    assert r.status_code == 200, r.text
    snapshot.assert_match("admin_create_user", http_snapshot(r, KEEP))


def test_validation_error(snap_server, snapshot):
    r = raw_call(snap_server, "ListUserPools", {"MaxResults": 61})
    assert r.status_code == 400
    snapshot.assert_match("error_validation_max_results", http_snapshot(r, KEEP))


def test_validation_error_missing_member(snap_server, snapshot):
    r = raw_call(snap_server, "CreateUserPool", {})
    assert r.status_code == 400
    snapshot.assert_match("error_validation_missing_pool_name", http_snapshot(r, KEEP))


def test_resource_not_found_pool(snap_server, snapshot):
    r = raw_call(snap_server, "DescribeUserPool", {"UserPoolId": "us-east-1_ZZZZZZZZZ"})
    assert r.status_code == 400
    snapshot.assert_match("error_pool_not_found", http_snapshot(r, ("us-east-1_ZZZZZZZZZ",)))


def test_resource_not_found_client(snap_server, snapshot):
    r = raw_call(snap_server, "DescribeUserPoolClient", {"UserPoolId": POOL, "ClientId": "a" * 26})
    assert r.status_code == 400
    snapshot.assert_match("error_client_not_found", http_snapshot(r, KEEP))


def test_user_not_found(snap_server, snapshot):
    r = raw_call(snap_server, "AdminGetUser", {"UserPoolId": POOL, "Username": "nobody"})
    assert r.status_code == 400
    snapshot.assert_match("error_user_not_found", http_snapshot(r, KEEP))


def test_serialization_error(snap_server, snapshot):
    r = raw_call(snap_server, "ListUserPools", {"MaxResults": "ten"})
    assert r.status_code == 400
    snapshot.assert_match("error_serialization_wrong_type", http_snapshot(r, KEEP))


def test_unknown_operation(snap_server, snapshot):
    r = raw_call(snap_server, None, {}, target=TARGET_PREFIX + "NoSuchOperation")
    assert r.status_code == 400
    snapshot.assert_match("error_unknown_operation", http_snapshot(r, KEEP))


def test_not_yet_built(snap_server, snapshot):
    r = raw_call(snap_server, "GetLogDeliveryConfiguration", {"UserPoolId": POOL})
    assert r.status_code == 400
    snapshot.assert_match("error_not_yet_built", http_snapshot(r, KEEP))
