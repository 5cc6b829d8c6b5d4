"""Hostile and malformed requests: each gets a 4xx Cognito-style JSON error,
and the server stays up and keeps serving afterwards."""

import json

import pytest
import requests

from tessera_e2e.aws import TARGET_PREFIX, assert_json_error, raw_call
from tessera_e2e.flows import unique

MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def still_serving(server):
    """After every test here: health is OK and a normal call works."""
    yield
    r = requests.get(server.url + "/health", timeout=10)
    assert r.status_code == 200, "health check failed after bad input"
    ok = raw_call(server, "ListUserPools", {"MaxResults": 1})
    assert ok.status_code == 200, ok.text
    assert server.running, f"server died:\n{server.stderr_text()[-3000:]}"


@pytest.fixture
def pool_id(server):
    r = raw_call(server, "CreateUserPool", {"PoolName": unique("bad")})
    assert r.status_code == 200, r.text
    pid = r.json()["UserPool"]["Id"]
    yield pid
    raw_call(server, "DeleteUserPool", {"UserPoolId": pid})


# ---- malformed bodies -----------------------------------------------------------


@pytest.mark.parametrize("data", [
    b"{",
    b"{\"PoolName\": ",
    b"not json at all",
    b"{'PoolName': 'single quotes'}",
    b"{\"PoolName\": \"x\",}",
    b"\xff\xfe\x00garbage",
], ids=["open-brace", "truncated", "text", "single-quotes", "trailing-comma", "binary"])
def test_malformed_json(server, data):
    r = raw_call(server, "CreateUserPool", data=data)
    assert_json_error(r, "SerializationException", 400)


@pytest.mark.parametrize("data", [b"[]", b"[{\"PoolName\": \"x\"}]", b"\"a string\"", b"42", b"null", b"true"],
                         ids=["empty-array", "array", "string", "number", "null", "bool"])
def test_non_object_json(server, data):
    r = raw_call(server, "CreateUserPool", data=data)
    assert_json_error(r, status=None)


def test_empty_body_on_operation_with_required_members(server):
    r = raw_call(server, "CreateUserPool", data=b"")
    body = assert_json_error(r, ("SerializationException", "InvalidParameterException"), 400)
    if body["__type"].endswith("InvalidParameterException"):
        assert "poolName" in body["message"]


# ---- wrong member types --------------------------------------------------------------


@pytest.mark.parametrize("op, body", [
    ("ListUserPools", {"MaxResults": "ten"}),
    ("ListUserPools", {"MaxResults": 1.5}),
    ("ListUserPools", {"MaxResults": True}),
    ("CreateUserPool", {"PoolName": 123}),
    ("CreateUserPool", {"PoolName": ["a"]}),
    ("CreateUserPool", {"PoolName": "x", "AutoVerifiedAttributes": "email"}),
    ("CreateUserPool", {"PoolName": "x", "Policies": "strong"}),
    ("CreateUserPool", {"PoolName": "x", "UserPoolTags": ["a", "b"]}),
    ("CreateUserPool", {"PoolName": "x", "Policies": {"PasswordPolicy": {"MinimumLength": "8"}}}),
    ("CreateUserPool", {"PoolName": "x", "Schema": [{"Name": "a", "Mutable": "yes"}]}),
], ids=lambda v: json.dumps(v) if isinstance(v, dict) else v)
def test_wrong_member_types(server, op, body):
    r = raw_call(server, op, body)
    assert_json_error(r, "SerializationException", 400)


def test_wrong_type_in_user_attributes(server, pool_id):
    r = raw_call(server, "AdminCreateUser", {"UserPoolId": pool_id, "Username": "u",
                                             "UserAttributes": {"email": "a@example.com"}})
    assert_json_error(r, "SerializationException", 400)


def test_null_required_member(server):
    r = raw_call(server, "CreateUserPool", {"PoolName": None})
    body = assert_json_error(r, ("InvalidParameterException", "SerializationException"), 400)
    if body["__type"].endswith("InvalidParameterException"):
        assert "Value null at 'poolName'" in body["message"], body


def test_unknown_members_are_ignored(server):
    # Newer SDKs add members; requests must not be rejected for them.
    r = raw_call(server, "ListUserPools", {"MaxResults": 1, "SomeFutureMember": {"x": [1, 2]}})
    assert r.status_code == 200, r.text


# ---- size limits ------------------------------------------------------------------------


def test_body_over_one_mib(server):
    payload = json.dumps({"PoolName": "big", "Padding": "x" * (MIB + 1024)}).encode()
    try:
        r = raw_call(server, "CreateUserPool", data=payload, timeout=60)
    except requests.ConnectionError as e:
        pytest.fail(f"server reset the connection instead of answering 413/400 JSON: {e}")
    assert_json_error(r, status=(413, 400))


def test_body_just_under_limit_is_processed(server):
    # Unknown members are ignored, so a 900 KiB request is an ordinary request.
    name = unique("padded")
    payload = json.dumps({"PoolName": name, "Padding": "x" * (900 * 1024)}).encode()
    r = raw_call(server, "CreateUserPool", data=payload, timeout=60)
    assert r.status_code == 200, r.text[:500]
    pid = r.json()["UserPool"]["Id"]
    assert r.json()["UserPool"]["Name"] == name
    raw_call(server, "DeleteUserPool", {"UserPoolId": pid})


def test_deeply_nested_json(server):
    depth = 100_000
    payload = b'{"PoolName": "deep", "Nested": ' + b"[" * depth + b"]" * depth + b"}"
    r = raw_call(server, "CreateUserPool", data=payload, timeout=60)
    assert_json_error(r, status=(400, 413))


def test_deeply_nested_objects(server):
    depth = 5_000
    payload = b'{"PoolName": "deep", "Nested": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
    r = raw_call(server, "CreateUserPool", data=payload, timeout=60)
    assert_json_error(r, status=(400, 413))


# ---- targets ---------------------------------------------------------------------------------


def test_unknown_target(server):
    r = raw_call(server, None, {}, target=TARGET_PREFIX + "DropAllTables")
    assert_json_error(r, "UnknownOperationException", 400)


def test_garbage_target(server):
    r = raw_call(server, None, {}, target="\u00e9\u00e9\u00e9".encode().decode("latin-1"))
    assert_json_error(r, status=None)


def test_missing_target(server):
    r = raw_call(server, None, {"PoolName": "x"})
    assert_json_error(r, status=None)


def test_empty_target(server):
    r = raw_call(server, None, {"PoolName": "x"}, target="")
    assert_json_error(r, status=None)


# ---- unknown ids --------------------------------------------------------------------------------


def test_unknown_pool_id(server):
    r = raw_call(server, "DescribeUserPool", {"UserPoolId": "us-east-1_NoSuchPoo"})
    body = assert_json_error(r, "ResourceNotFoundException", 400)
    assert body["message"] == "User pool us-east-1_NoSuchPoo does not exist."


def test_malformed_pool_id(server):
    r = raw_call(server, "DescribeUserPool", {"UserPoolId": "no underscore here"})
    body = assert_json_error(r, "InvalidParameterException", 400)
    assert "at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern" \
        in body["message"], body


def test_unknown_client_id(server, pool_id):
    r = raw_call(server, "DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": "abcdefghijklmnopqrstuvwxyz"})
    body = assert_json_error(r, "ResourceNotFoundException", 400)
    assert body["message"] == "User pool client abcdefghijklmnopqrstuvwxyz does not exist."


def test_unknown_user(server, pool_id):
    r = raw_call(server, "AdminGetUser", {"UserPoolId": pool_id, "Username": "nobody"})
    body = assert_json_error(r, "UserNotFoundException", 400)
    assert body["message"] == "User does not exist."


# ---- usernames ------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", [
    "u" * 129,                    # over the 128 limit
    "has space",                  # whitespace is not in the username pattern
    "tab\tname",
    "nul\u0000byte",
    "",
], ids=["too-long", "space", "tab", "nul", "empty"])
def test_invalid_usernames(server, pool_id, username):
    r = raw_call(server, "AdminCreateUser", {"UserPoolId": pool_id, "Username": username,
                                             "MessageAction": "SUPPRESS"})
    body = assert_json_error(r, "InvalidParameterException", 400)
    assert "username" in body["message"].lower(), body


@pytest.mark.parametrize("username", [
    "u" * 128,
    "用户名",
    "señor.ñandú",
    "e\u0301tude",               # combining acute accent (\p{M})
    "😀emoji",                    # \p{So}
    "straße@example.com",
    "Ωmega-π_3.14",
], ids=["max-length", "cjk", "spanish", "combining", "emoji", "email-like", "greek"])
def test_unusual_valid_usernames_round_trip(server, pool_id, username):
    r = raw_call(server, "AdminCreateUser", {"UserPoolId": pool_id, "Username": username,
                                             "MessageAction": "SUPPRESS"})
    assert r.status_code == 200, r.text
    assert r.json()["User"]["Username"] == username
    got = raw_call(server, "AdminGetUser", {"UserPoolId": pool_id, "Username": username})
    assert got.status_code == 200, got.text
    assert got.json()["Username"] == username


def test_lone_surrogate_in_json(server, pool_id):
    payload = ('{"UserPoolId": "%s", "Username": "bad\\ud800x", "MessageAction": "SUPPRESS"}' % pool_id).encode()
    r = raw_call(server, "AdminCreateUser", data=payload)
    assert_json_error(r, ("SerializationException", "InvalidParameterException"), 400)


def test_huge_attribute_value(server, pool_id):
    r = raw_call(server, "AdminCreateUser", {"UserPoolId": pool_id, "Username": "bigattr", "MessageAction": "SUPPRESS",
                                             "UserAttributes": [{"Name": "name", "Value": "v" * 2049}]})
    body = assert_json_error(r, "InvalidParameterException", 400)
    assert "2048" in body["message"] or "name" in body["message"], body


def test_many_requests_with_bad_input_in_a_row(server):
    for i in range(50):
        r = raw_call(server, "CreateUserPool", data=b"{" * (i + 1))
        assert_json_error(r, "SerializationException", 400)
