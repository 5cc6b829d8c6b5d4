"""App clients: Create / Describe / List / Update / Delete.

Cognito facts used:
- unknown client: ResourceNotFoundException "User pool client <id> does not exist."
  (live-service text quoted in https://github.com/aws-amplify/amplify-flutter/issues/740)
- default ExplicitAuthFlows: ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH
  (UserPoolClientType.ExplicitAuthFlows in the API reference)
- token revocation is activated automatically for new clients (CreateUserPoolClient docs)
- UpdateUserPoolClient resets omitted members to defaults
  (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html)
- out-of-range token lifetimes: InvalidParameterException "Invalid range for token validity"
  (https://github.com/awsdocs/aws-cloudformation-user-guide/pull/828; access/ID 5 min-1 day,
  refresh 60 min-10 years)
- unknown attribute in ReadAttributes: InvalidParameterException
  "Invalid read attributes specified while creating a client"
  (https://github.com/aws/aws-cdk/issues/34379)
"""

import datetime as dt
import re
import time

import pytest

from tessera_e2e.aws import CLIENT_ID_RE, expect_error
from tessera_e2e.flows import unique

FULL_CLIENT = dict(
    RefreshTokenValidity=10,
    AccessTokenValidity=30,
    IdTokenValidity=2,
    TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "days"},
    ReadAttributes=["email", "email_verified", "name", "custom:tier"],
    WriteAttributes=["email", "name", "custom:tier"],
    ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                       "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    SupportedIdentityProviders=["COGNITO"],
    CallbackURLs=["https://app.example.com/callback", "http://localhost:3000/callback"],
    LogoutURLs=["https://app.example.com/logout"],
    DefaultRedirectURI="https://app.example.com/callback",
    AllowedOAuthFlows=["code"],
    AllowedOAuthScopes=["openid", "email", "profile"],
    AllowedOAuthFlowsUserPoolClient=True,
    PreventUserExistenceErrors="ENABLED",
    EnableTokenRevocation=True,
    EnablePropagateAdditionalUserContextData=False,
    AuthSessionValidity=10,
)

UNORDERED = {"ReadAttributes", "WriteAttributes", "ExplicitAuthFlows", "SupportedIdentityProviders",
             "CallbackURLs", "LogoutURLs", "AllowedOAuthFlows", "AllowedOAuthScopes"}


def assert_client_has(client, settings):
    for key, value in settings.items():
        assert key in client, f"{key} missing from {sorted(client)}"
        if key in UNORDERED:
            assert sorted(client[key]) == sorted(value), (key, client[key], value)
        else:
            assert client[key] == value, (key, client[key], value)


@pytest.fixture
def attr_pool(cognito):
    pool_id = cognito.create_user_pool(PoolName=unique("clients"), Schema=[
        {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
    ])["UserPool"]["Id"]
    yield pool_id
    cognito.delete_user_pool(UserPoolId=pool_id)


def test_create_minimal_client(cognito, pool):
    name = unique("web")
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName=name)["UserPoolClient"]
    assert CLIENT_ID_RE.match(client["ClientId"]), client["ClientId"]
    assert client["ClientName"] == name
    assert client["UserPoolId"] == pool
    assert "ClientSecret" not in client
    for key in ("CreationDate", "LastModifiedDate"):
        assert isinstance(client[key], dt.datetime)
        assert abs((dt.datetime.now(dt.timezone.utc) - client[key]).total_seconds()) < 300
    assert sorted(client["ExplicitAuthFlows"]) == sorted(
        ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"])
    assert client["EnableTokenRevocation"] is True
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])["UserPoolClient"]
    assert described == client


def test_client_ids_are_unique(cognito, pool):
    ids = {cognito.create_user_pool_client(UserPoolId=pool, ClientName="same-name")["UserPoolClient"]["ClientId"]
           for _ in range(5)}
    assert len(ids) == 5
    assert all(CLIENT_ID_RE.match(i) for i in ids)


def test_create_with_every_setting(cognito, attr_pool):
    created = cognito.create_user_pool_client(UserPoolId=attr_pool, ClientName=unique("full"),
                                              **FULL_CLIENT)["UserPoolClient"]
    described = cognito.describe_user_pool_client(UserPoolId=attr_pool,
                                                  ClientId=created["ClientId"])["UserPoolClient"]
    assert_client_has(created, FULL_CLIENT)
    assert_client_has(described, FULL_CLIENT)
    assert described == created


def test_generate_secret(cognito, pool):
    created = cognito.create_user_pool_client(UserPoolId=pool, ClientName=unique("conf"),
                                              GenerateSecret=True)["UserPoolClient"]
    secret = created["ClientSecret"]
    # model: ClientSecretType 24-64 chars of [\w+]
    assert re.fullmatch(r"[\w+]{24,64}", secret), secret
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=created["ClientId"])["UserPoolClient"]
    assert described["ClientSecret"] == secret
    other = cognito.create_user_pool_client(UserPoolId=pool, ClientName=unique("conf"),
                                            GenerateSecret=True)["UserPoolClient"]
    assert other["ClientSecret"] != secret
    listed = cognito.list_user_pool_clients(UserPoolId=pool, MaxResults=60)["UserPoolClients"]
    assert all("ClientSecret" not in c for c in listed)


def test_generate_secret_false_has_no_secret(cognito, pool):
    created = cognito.create_user_pool_client(UserPoolId=pool, ClientName=unique("pub"),
                                              GenerateSecret=False)["UserPoolClient"]
    assert "ClientSecret" not in created
    assert "ClientSecret" not in cognito.describe_user_pool_client(
        UserPoolId=pool, ClientId=created["ClientId"])["UserPoolClient"]


def test_list_clients_paginated(cognito, pool):
    made = {}
    for i in range(5):
        c = cognito.create_user_pool_client(UserPoolId=pool, ClientName=f"client-{i}")["UserPoolClient"]
        made[c["ClientId"]] = c["ClientName"]
    seen, pages, token = [], 0, None
    while True:
        kw = {"UserPoolId": pool, "MaxResults": 2}
        if token:
            kw["NextToken"] = token
        resp = cognito.list_user_pool_clients(**kw)
        pages += 1
        assert len(resp["UserPoolClients"]) <= 2
        seen.extend(resp["UserPoolClients"])
        token = resp.get("NextToken")
        if not token:
            break
        assert pages < 100
    assert pages == 3
    assert {c["ClientId"]: c["ClientName"] for c in seen} == made
    assert len(seen) == 5
    for c in seen:
        assert c["UserPoolId"] == pool
        assert set(c) == {"ClientId", "ClientName", "UserPoolId"}, c


def test_list_clients_boto3_paginator(cognito, pool):
    for i in range(3):
        cognito.create_user_pool_client(UserPoolId=pool, ClientName=f"p-{i}")
    pages = list(cognito.get_paginator("list_user_pool_clients").paginate(
        UserPoolId=pool, PaginationConfig={"PageSize": 1}))
    names = sorted(c["ClientName"] for page in pages for c in page["UserPoolClients"])
    assert names == ["p-0", "p-1", "p-2"]


def test_list_clients_max_results_validation(cognito, pool):
    with expect_error("InvalidParameterException",
                      "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: "
                      "Member must have value less than or equal to 60"):
        cognito.list_user_pool_clients(UserPoolId=pool, MaxResults=61)


def test_list_clients_of_empty_pool(cognito, pool):
    resp = cognito.list_user_pool_clients(UserPoolId=pool, MaxResults=10)
    assert resp["UserPoolClients"] == []
    assert "NextToken" not in resp


def test_update_client_replaces_settings(cognito, attr_pool):
    created = cognito.create_user_pool_client(UserPoolId=attr_pool, ClientName=unique("upd"),
                                              GenerateSecret=True, **FULL_CLIENT)["UserPoolClient"]
    time.sleep(1.1)
    new = dict(
        ClientName="renamed",
        RefreshTokenValidity=60,
        AccessTokenValidity=1,
        IdTokenValidity=1,
        TokenValidityUnits={"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "minutes"},
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        ReadAttributes=["email"],
        WriteAttributes=["email"],
        PreventUserExistenceErrors="LEGACY",
        EnableTokenRevocation=False,
        AuthSessionValidity=15,
    )
    updated = cognito.update_user_pool_client(UserPoolId=attr_pool, ClientId=created["ClientId"],
                                              **new)["UserPoolClient"]
    described = cognito.describe_user_pool_client(UserPoolId=attr_pool,
                                                  ClientId=created["ClientId"])["UserPoolClient"]
    for client in (updated, described):
        assert_client_has(client, new)
        assert client["ClientId"] == created["ClientId"]
        assert client["ClientSecret"] == created["ClientSecret"]
        assert client["CreationDate"] == created["CreationDate"]
        assert client["LastModifiedDate"] > created["LastModifiedDate"]
        # omitted OAuth settings are reset, not kept
        assert not client.get("CallbackURLs"), client.get("CallbackURLs")
        assert not client.get("LogoutURLs")
        assert not client.get("AllowedOAuthFlows")
        assert not client.get("AllowedOAuthScopes")
        assert not client.get("AllowedOAuthFlowsUserPoolClient")
        assert not client.get("DefaultRedirectURI")
    assert described == updated


def test_update_unknown_client(cognito, pool):
    missing = "a" * 26
    with expect_error("ResourceNotFoundException", f"User pool client {missing} does not exist."):
        cognito.update_user_pool_client(UserPoolId=pool, ClientId=missing, ClientName="x")


def test_delete_client(cognito, pool_with_client):
    pool_id, client_id = pool_with_client
    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with expect_error("ResourceNotFoundException", f"User pool client {client_id} does not exist."):
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with expect_error("ResourceNotFoundException", f"User pool client {client_id} does not exist."):
        cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    listed = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    assert client_id not in [c["ClientId"] for c in listed]


def test_unknown_client(cognito, pool):
    missing = "0123456789abcdefghijklmnop"
    with expect_error("ResourceNotFoundException", f"User pool client {missing} does not exist."):
        cognito.describe_user_pool_client(UserPoolId=pool, ClientId=missing)


def test_client_of_another_pool_is_not_found(cognito, pool_with_client):
    _, client_id = pool_with_client
    other = cognito.create_user_pool(PoolName=unique("other"))["UserPool"]["Id"]
    try:
        with expect_error("ResourceNotFoundException", f"User pool client {client_id} does not exist."):
            cognito.describe_user_pool_client(UserPoolId=other, ClientId=client_id)
    finally:
        cognito.delete_user_pool(UserPoolId=other)


def test_client_in_unknown_pool(cognito):
    with expect_error("ResourceNotFoundException", "User pool us-east-1_ZZZZZZZZZ does not exist."):
        cognito.describe_user_pool_client(UserPoolId="us-east-1_ZZZZZZZZZ", ClientId="a" * 26)


def test_auth_session_validity_range(lax, pool):
    with expect_error("InvalidParameterException",
                      contains=("Value '2' at 'authSessionValidity'",
                                "Member must have value greater than or equal to 3")):
        lax.create_user_pool_client(UserPoolId=pool, ClientName="x", AuthSessionValidity=2)
    with expect_error("InvalidParameterException",
                      contains=("Value '16' at 'authSessionValidity'",
                                "Member must have value less than or equal to 15")):
        lax.create_user_pool_client(UserPoolId=pool, ClientName="x", AuthSessionValidity=16)


def test_token_validity_units_are_applied_to_range(cognito, pool):
    # 2 minutes is below the 5-minute floor for access tokens.
    with expect_error("InvalidParameterException", contains=("token validity",)):
        cognito.create_user_pool_client(UserPoolId=pool, ClientName="x", AccessTokenValidity=2,
                                        TokenValidityUnits={"AccessToken": "minutes"})
    # 3651 days is above the 10-year ceiling for refresh tokens.
    with expect_error("InvalidParameterException", contains=("token validity",)):
        cognito.create_user_pool_client(UserPoolId=pool, ClientName="x", RefreshTokenValidity=3651,
                                        TokenValidityUnits={"RefreshToken": "days"})
    # the same numbers are fine in other units
    ok = cognito.create_user_pool_client(UserPoolId=pool, ClientName="x", AccessTokenValidity=2,
                                         TokenValidityUnits={"AccessToken": "hours"})["UserPoolClient"]
    assert ok["AccessTokenValidity"] == 2
    assert ok["TokenValidityUnits"]["AccessToken"] == "hours"


def test_unknown_read_attribute_rejected(cognito, pool):
    with expect_error("InvalidParameterException", contains=("read attributes",)):
        cognito.create_user_pool_client(UserPoolId=pool, ClientName="x", ReadAttributes=["custom:missing"])


def test_legacy_and_allow_flows_cannot_mix(cognito, pool):
    # "values with ALLOW_ prefix cannot be used along with values without ALLOW_ prefix"
    # (ExplicitAuthFlows in the API reference)
    with expect_error("InvalidParameterException"):
        cognito.create_user_pool_client(UserPoolId=pool, ClientName="x",
                                        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "USER_PASSWORD_AUTH"])


def test_invalid_explicit_auth_flow(lax, pool):
    with expect_error("InvalidParameterException",
                      contains=("at 'explicitAuthFlows'", "Member must satisfy enum value set")):
        lax.create_user_pool_client(UserPoolId=pool, ClientName="x", ExplicitAuthFlows=["ALLOW_MAGIC"])


def test_client_name_required(lax, pool):
    with expect_error("InvalidParameterException",
                      "1 validation error detected: Value null at 'clientName' failed to satisfy constraint: "
                      "Member must not be null"):
        lax.create_user_pool_client(UserPoolId=pool)
