"""awsJson 1.1 wire protocol: headers, request ids, error shape, CORS,
unknown/missing targets, not-yet-built operations, health."""

import time

import pytest
import requests

from tessera_e2e.aws import JSON_CONTENT_TYPE, TARGET_PREFIX, assert_json_error, raw_call
from tessera_e2e.flows import outbox, unique


def test_success_response_headers_and_body(server):
    r = raw_call(server, "ListUserPools", {"MaxResults": 1})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0].strip() == JSON_CONTENT_TYPE
    assert r.headers.get("x-amzn-RequestId")
    body = r.json()
    assert isinstance(body, dict)
    assert isinstance(body["UserPools"], list)


def test_request_ids_are_unique_per_request(server):
    ids = {raw_call(server, "ListUserPools", {"MaxResults": 1}).headers["x-amzn-RequestId"] for _ in range(5)}
    assert len(ids) == 5


def test_boto3_sees_request_id(cognito):
    meta = cognito.list_user_pools(MaxResults=1)["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert meta["RequestId"]


def test_error_shape_and_headers(server):
    r = raw_call(server, "DescribeUserPool", {"UserPoolId": "us-east-1_ZZZZZZZZZ"})
    body = assert_json_error(r, "ResourceNotFoundException", 400)
    assert r.headers["Content-Type"].split(";")[0].strip() == JSON_CONTENT_TYPE
    assert body["message"] == "User pool us-east-1_ZZZZZZZZZ does not exist."


def test_operation_without_output_returns_empty_object(server):
    created = raw_call(server, "CreateUserPool", {"PoolName": unique("proto")})
    assert created.status_code == 200, created.text
    pool_id = created.json()["UserPool"]["Id"]
    r = raw_call(server, "DeleteUserPool", {"UserPoolId": pool_id})
    assert r.status_code == 200, r.text
    assert r.json() == {}
    assert r.headers.get("x-amzn-RequestId")


def test_timestamps_are_epoch_seconds_numbers(server):
    before = time.time()
    r = raw_call(server, "CreateUserPool", {"PoolName": unique("proto")})
    after = time.time()
    assert r.status_code == 200, r.text
    pool = r.json()["UserPool"]
    try:
        for key in ("CreationDate", "LastModifiedDate"):
            value = pool[key]
            # awsJson timestamps are JSON numbers of epoch seconds, not strings or millis
            assert isinstance(value, (int, float)) and not isinstance(value, bool), (key, value)
            assert before - 5 <= value <= after + 5, (key, value, before, after)
    finally:
        raw_call(server, "DeleteUserPool", {"UserPoolId": pool["Id"]})


def test_unknown_operation(server):
    r = raw_call(server, None, {}, target=TARGET_PREFIX + "NoSuchOperation")
    assert_json_error(r, "UnknownOperationException", 400)


def test_unknown_service_prefix(server):
    r = raw_call(server, None, {"MaxResults": 1}, target="AWSSomethingElse.ListUserPools")
    assert_json_error(r, "UnknownOperationException", 400)


def test_missing_target_header(server):
    r = raw_call(server, None, {"MaxResults": 1})
    assert_json_error(r, status=None)


@pytest.mark.parametrize(
    "operation, body",
    [
        # Log delivery is not built yet.
        ("GetLogDeliveryConfiguration", {"UserPoolId": "us-east-1_ZZZZZZZZZ"}),
    ],
)
def test_not_yet_built_operation_names_itself(server, operation, body):
    r = raw_call(server, operation, body)
    err = assert_json_error(r, status=400)
    assert err["__type"] != "UnknownOperationException", "the operation is in the model; it must be known"
    assert operation in err["message"], err


def test_not_yet_built_operation_through_boto3(cognito):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as ei:
        cognito.get_log_delivery_configuration(UserPoolId="us-east-1_ZZZZZZZZZ")
    err = ei.value.response["Error"]
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "GetLogDeliveryConfiguration" in err["Message"]


REQUESTED_HEADERS = ["content-type", "x-amz-target", "x-amz-user-agent", "cache-control"]
SIGV4_HEADERS = ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
                 "amz-sdk-invocation-id", "amz-sdk-request"]


def _preflight(server, headers):
    return requests.options(
        server.url + "/",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": ",".join(headers),
        },
        timeout=10,
    )


def _allowed(value):
    return {h.strip().lower() for h in (value or "").split(",") if h.strip()}


@pytest.mark.parametrize("headers", [REQUESTED_HEADERS, SIGV4_HEADERS], ids=["browser-sdk", "sigv4"])
def test_cors_preflight(server, headers):
    r = _preflight(server, headers)
    assert 200 <= r.status_code < 300, (r.status_code, r.headers, r.text)
    origin = r.headers.get("Access-Control-Allow-Origin")
    assert origin in ("*", "http://localhost:3000"), r.headers
    allowed = _allowed(r.headers.get("Access-Control-Allow-Headers"))
    assert "*" in allowed or set(headers) <= allowed, (headers, allowed)
    methods = _allowed(r.headers.get("Access-Control-Allow-Methods"))
    assert "*" in methods or "post" in methods, methods


def test_operator_endpoints_answer_no_cross_origin_reads(server):
    # The dev outbox holds codes and temporary passwords: a web page the developer visits
    # must not read it from their local server, so it carries no CORS headers.
    r = requests.get(f"{server.url}/_tessera/outbox", headers={"Origin": "http://evil.example"},
                     timeout=10)
    assert r.status_code == 200
    assert "Access-Control-Allow-Origin" not in r.headers, r.headers
    pre = requests.options(f"{server.url}/_tessera/outbox", timeout=10, headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in pre.headers, pre.headers


def test_cors_headers_on_actual_response(server):
    ok = raw_call(server, "ListUserPools", {"MaxResults": 1}, headers={"Origin": "http://localhost:3000"})
    assert ok.status_code == 200
    assert ok.headers.get("Access-Control-Allow-Origin") in ("*", "http://localhost:3000"), ok.headers
    err = raw_call(server, "DescribeUserPool", {"UserPoolId": "us-east-1_ZZZZZZZZZ"},
                   headers={"Origin": "http://localhost:3000"})
    assert err.status_code == 400
    assert err.headers.get("Access-Control-Allow-Origin") in ("*", "http://localhost:3000"), err.headers


def test_browser_style_request_with_extra_headers(server):
    # amazon-cognito-identity-js sends X-Amz-User-Agent and Cache-Control: no-store.
    r = raw_call(
        server,
        "ListUserPools",
        {"MaxResults": 1},
        headers={"X-Amz-User-Agent": "aws-amplify/6.0 js", "Cache-Control": "no-store"},
    )
    assert r.status_code == 200, r.text


def test_health(server):
    r = requests.get(server.url + "/health", timeout=10)
    assert r.status_code == 200


def test_content_type_application_json_also_accepted_or_rejected_cleanly(server):
    # Some hand-written clients send application/json; the server must either
    # serve it or answer a Cognito-style error, never a plain-text rejection.
    r = raw_call(server, "ListUserPools", {"MaxResults": 1}, content_type="application/json")
    if r.status_code != 200:
        assert_json_error(r, status=None)
    else:
        assert "UserPools" in r.json()


def test_outbox_filters(server, cognito):
    pools = [cognito.create_user_pool(PoolName=unique("outbox"))["UserPool"]["Id"] for _ in range(2)]
    try:
        emails = {}
        for pool_id in pools:
            username = unique("mail")
            emails[pool_id] = f"{username}@example.com"
            cognito.admin_create_user(UserPoolId=pool_id, Username=username, DesiredDeliveryMediums=["EMAIL"],
                                      UserAttributes=[{"Name": "email", "Value": emails[pool_id]}])
        # a suppressed invitation is not sent at all
        cognito.admin_create_user(UserPoolId=pools[0], Username=unique("quiet"), MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": "quiet@example.com"}])
        for pool_id in pools:
            msgs = outbox(server, pool_id=pool_id)
            assert [m["recipient"] for m in msgs] == [emails[pool_id]], msgs
            assert all(m["pool_id"] == pool_id and m["medium"] == "EMAIL" for m in msgs)
        by_recipient = outbox(server, recipient=emails[pools[1]])
        assert [m["pool_id"] for m in by_recipient] == [pools[1]]
        everything = outbox(server)
        assert {emails[p] for p in pools} <= {m["recipient"] for m in everything}
        assert "quiet@example.com" not in {m["recipient"] for m in everything}
        assert len({m["id"] for m in everything}) == len(everything)
    finally:
        for pool_id in pools:
            cognito.delete_user_pool(UserPoolId=pool_id)
