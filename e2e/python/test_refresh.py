"""Refreshing sessions: REFRESH_TOKEN_AUTH / REFRESH_TOKEN and GetTokensFromRefreshToken
with the client's RefreshTokenRotation (issue 3, Build 3-4).

Cognito facts:
- Refresh without rotation answers a new IdToken and AccessToken and no RefreshToken;
  auth_time and origin_jti stay those of the original sign-in (tokens.md).
- RefreshTokenRotationType (API reference): rotation "must be completed with
  GetTokensFromRefreshToken"; RetryGracePeriodSeconds 0 "immediately invalidates the submitted
  refresh token"; a rotated-out token is refused with RefreshTokenReuseException (model docs:
  "thrown when your application requests token refresh with a refresh token that has been
  invalidated by refresh-token rotation").
- GetTokensFromRefreshToken without rotation "issues new ID and access tokens only" (model).
- A refresh token used with another app client is refused with NotAuthorizedException (re:Post
  "Invalid Refresh Token" article; the message became "Refresh Token has different Client" in
  2022, aws-sdk-js#4016, so only the type is asserted).
"""

import pytest

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    confirmed_user,
    jwt_claims,
    make_app_client,
    make_pool,
    pool_with_user,
    refresh,
    secret_hash,
    sign_in,
)


@pytest.fixture
def session(cognito):
    pool_id, client_id = pool_with_user(cognito, attributes={"email": "alice@example.com", "given_name": "Alice"})
    return pool_id, client_id, sign_in(cognito, client_id, "alice")


@pytest.mark.parametrize("flow", ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"])
def test_refresh_token_auth(cognito, session, flow):
    pool_id, client_id, auth = session
    new = refresh(cognito, client_id, auth["RefreshToken"], flow=flow)
    assert "RefreshToken" not in new
    assert new["TokenType"] == "Bearer"
    assert new["ExpiresIn"] == 3600
    old_id, new_id = jwt_claims(auth["IdToken"]), jwt_claims(new["IdToken"])
    old_access, new_access = jwt_claims(auth["AccessToken"]), jwt_claims(new["AccessToken"])
    assert new_id["auth_time"] == old_id["auth_time"]
    assert new_access["auth_time"] == old_access["auth_time"]
    assert new_id["origin_jti"] == old_id["origin_jti"]
    assert new_access["origin_jti"] == old_access["origin_jti"]
    assert new_access["jti"] != old_access["jti"]
    assert new_id["jti"] != old_id["jti"]
    assert new_id["cognito:username"] == "alice"
    assert new_access["username"] == "alice"
    assert cognito.get_user(AccessToken=new["AccessToken"])["Username"] == "alice"


def test_refresh_token_can_be_used_again(cognito, session):
    _, client_id, auth = session
    for _ in range(3):
        assert refresh(cognito, client_id, auth["RefreshToken"])["AccessToken"]


def test_admin_initiate_auth_refresh(server, session):
    pool_id, client_id, auth = session
    admin = make_client(server)
    new = admin.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                    AuthParameters={"REFRESH_TOKEN": auth["RefreshToken"]})["AuthenticationResult"]
    assert jwt_claims(new["AccessToken"])["username"] == "alice"


def test_refreshed_id_token_reflects_current_attributes_and_groups(cognito, session):
    pool_id, client_id, auth = session
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="alice",
                                         UserAttributes=[{"Name": "given_name", "Value": "Alicia"}])
    cognito.create_group(UserPoolId=pool_id, GroupName="editors")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="editors")
    new = refresh(cognito, client_id, auth["RefreshToken"])
    assert jwt_claims(new["IdToken"])["given_name"] == "Alicia"
    assert jwt_claims(new["IdToken"])["cognito:groups"] == ["editors"]
    assert jwt_claims(new["AccessToken"])["cognito:groups"] == ["editors"]


def test_refresh_with_client_secret(cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    confirmed_user(cognito, pool_id, "bob")
    auth = sign_in(cognito, client_id, "bob", client_secret=secret)
    new = refresh(cognito, client_id, auth["RefreshToken"], SECRET_HASH=secret_hash("bob", client_id, secret))
    assert jwt_claims(new["AccessToken"])["username"] == "bob"
    with expect_error("NotAuthorizedException"):
        refresh(cognito, client_id, auth["RefreshToken"])
    # REFRESH_TOKEN_AUTH words a wrong SECRET_HASH its own way (NabuCasa/pycognito#196).
    with expect_error("NotAuthorizedException", f"SecretHash does not match for the client: {client_id}"):
        refresh(cognito, client_id, auth["RefreshToken"], SECRET_HASH=secret_hash("bob", client_id, "wrong"))


def test_refresh_with_secret_in_email_username_pool(cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["email"])
    client = make_app_client(cognito, pool_id, secret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    sub = confirmed_user(cognito, pool_id, "carol@example.com")["Username"]
    auth = sign_in(cognito, client_id, "carol@example.com", client_secret=secret)
    # srp.md: for REFRESH_TOKEN_AUTH the hash is over the internal username (the UUID here).
    new = refresh(cognito, client_id, auth["RefreshToken"], SECRET_HASH=secret_hash(sub, client_id, secret))
    assert jwt_claims(new["AccessToken"])["username"] == sub


def test_refresh_token_of_another_client(cognito, session):
    pool_id, client_id, auth = session
    other = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("NotAuthorizedException"):
        refresh(cognito, other, auth["RefreshToken"])


def test_refresh_token_of_another_pool(cognito, session):
    _, _, auth = session
    other_pool = make_pool(cognito)
    other_client = make_app_client(cognito, other_pool)["ClientId"]
    with expect_error("NotAuthorizedException"):
        refresh(cognito, other_client, auth["RefreshToken"])


def test_garbage_refresh_token(cognito, session):
    _, client_id, auth = session
    # "Invalid Refresh Token." with its period (a wire dump in aws/aws-sdk-cpp#1789).
    with expect_error("NotAuthorizedException", "Invalid Refresh Token."):
        refresh(cognito, client_id, "not-a-refresh-token")
    tampered = auth["RefreshToken"][:-6] + ("AAAAAA" if not auth["RefreshToken"].endswith("AAAAAA") else "BBBBBB")
    with expect_error("NotAuthorizedException"):
        refresh(cognito, client_id, tampered)


def test_access_token_is_not_a_refresh_token(cognito, session):
    _, client_id, auth = session
    with expect_error("NotAuthorizedException"):
        refresh(cognito, client_id, auth["AccessToken"])
    with expect_error("NotAuthorizedException"):
        refresh(cognito, client_id, auth["IdToken"])


def test_refresh_keeps_client_lifetimes(cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, IdTokenValidity=10, AccessTokenValidity=20,
                               TokenValidityUnits={"IdToken": "minutes", "AccessToken": "minutes"})["ClientId"]
    confirmed_user(cognito, pool_id, "dan")
    new = refresh(cognito, client_id, sign_in(cognito, client_id, "dan")["RefreshToken"])
    assert new["ExpiresIn"] == 20 * 60
    i, a = jwt_claims(new["IdToken"]), jwt_claims(new["AccessToken"])
    assert i["exp"] - i["iat"] == 10 * 60
    assert a["exp"] - a["iat"] == 20 * 60


# ---------------------------------------------------------------- GetTokensFromRefreshToken


def test_get_tokens_from_refresh_token_without_rotation(cognito, session):
    _, client_id, auth = session
    resp = cognito.get_tokens_from_refresh_token(RefreshToken=auth["RefreshToken"], ClientId=client_id)
    new = resp["AuthenticationResult"]
    assert "RefreshToken" not in new
    assert jwt_claims(new["AccessToken"])["origin_jti"] == jwt_claims(auth["AccessToken"])["origin_jti"]
    assert cognito.get_user(AccessToken=new["AccessToken"])["Username"] == "alice"
    # Still usable: nothing rotated.
    assert refresh(cognito, client_id, auth["RefreshToken"])["AccessToken"]


def test_get_tokens_from_refresh_token_with_secret(cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    confirmed_user(cognito, pool_id, "erin")
    token = sign_in(cognito, client_id, "erin", client_secret=secret)["RefreshToken"]
    new = cognito.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client_id, ClientSecret=secret)
    assert jwt_claims(new["AuthenticationResult"]["AccessToken"])["username"] == "erin"
    with expect_error("NotAuthorizedException"):
        cognito.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client_id)
    with expect_error("NotAuthorizedException"):
        cognito.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client_id, ClientSecret="wrong" + secret[5:])


def test_get_tokens_from_refresh_token_of_another_client(cognito, session):
    pool_id, _, auth = session
    other = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("NotAuthorizedException"):
        cognito.get_tokens_from_refresh_token(RefreshToken=auth["RefreshToken"], ClientId=other)


@pytest.fixture
def rotating(cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, RefreshTokenRotation={"Feature": "ENABLED",
                                                                        "RetryGracePeriodSeconds": 0})["ClientId"]
    confirmed_user(cognito, pool_id, "fay")
    return pool_id, client_id, sign_in(cognito, client_id, "fay")


def test_rotation_issues_new_refresh_token(cognito, rotating):
    _, client_id, auth = rotating
    first = auth["RefreshToken"]
    resp = cognito.get_tokens_from_refresh_token(RefreshToken=first, ClientId=client_id)["AuthenticationResult"]
    second = resp["RefreshToken"]
    assert second and second != first
    assert jwt_claims(resp["AccessToken"])["username"] == "fay"
    third = cognito.get_tokens_from_refresh_token(RefreshToken=second, ClientId=client_id)["AuthenticationResult"]
    assert third["RefreshToken"] not in (first, second)


def test_rotated_out_token_is_refused(cognito, rotating):
    _, client_id, auth = rotating
    first = auth["RefreshToken"]
    cognito.get_tokens_from_refresh_token(RefreshToken=first, ClientId=client_id)
    with expect_error("RefreshTokenReuseException"):
        cognito.get_tokens_from_refresh_token(RefreshToken=first, ClientId=client_id)


def test_rotation_grace_period(cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, RefreshTokenRotation={"Feature": "ENABLED",
                                                                        "RetryGracePeriodSeconds": 60})["ClientId"]
    confirmed_user(cognito, pool_id, "gus")
    first = sign_in(cognito, client_id, "gus")["RefreshToken"]
    second = cognito.get_tokens_from_refresh_token(RefreshToken=first, ClientId=client_id)["AuthenticationResult"]
    # Within the grace period the submitted token still works (a client retry).
    retry = cognito.get_tokens_from_refresh_token(RefreshToken=first, ClientId=client_id)["AuthenticationResult"]
    assert retry["AccessToken"]
    assert second["RefreshToken"]
