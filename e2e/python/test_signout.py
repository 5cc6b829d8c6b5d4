"""Sign-out and revocation (issue 3, Build 6): RevokeToken, GlobalSignOut,
AdminUserGlobalSignOut, AdminDisableUser, AdminDeleteUser.

Cognito facts:
- RevokeToken revokes that refresh token and every access token issued from it; other refresh
  tokens of the user are unaffected (re:Post "revoke JWT tokens" article; API reference).
  Refresh afterwards: NotAuthorizedException "Refresh Token has been revoked" (same article;
  live output also in amplify-swift#3344).
- After GlobalSignOut / AdminUserGlobalSignOut access tokens are refused by Cognito's own APIs
  with NotAuthorizedException "Access Token has been revoked" (amplify-js#3540,
  aws-sdk-java#2449).
- RevokeToken with an access token: UnsupportedTokenTypeException (model); with revocation
  disabled on the client: UnsupportedOperationException (tokens.md).
- A disabled user signing in: NotAuthorizedException "User is disabled." (moto#6552 quoting the
  service); AdminDisableUser "deactivates a user and revokes all access tokens for the user"
  (API reference; cognito-local#381 shows refresh refused too).
- Revoked tokens stay cryptographically valid for third parties until they expire.
"""

import jwt
import pytest
from botocore.exceptions import ClientError
from jwt import PyJWKClient

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    REVOKED_ACCESS,
    REVOKED_REFRESH,
    attr_list,
    confirmed_user,
    issuer_of,
    make_app_client,
    make_pool,
    pool_with_user,
    refresh,
    sign_in,
)


@pytest.fixture
def two_sessions(cognito):
    pool_id, client_id = pool_with_user(cognito, attributes={"email": "alice@example.com"})
    return pool_id, client_id, sign_in(cognito, client_id, "alice"), sign_in(cognito, client_id, "alice")


def access_refused(cognito, token, message=None):
    """Every access-token operation refuses `token`."""
    calls = [
        lambda: cognito.get_user(AccessToken=token),
        lambda: cognito.update_user_attributes(AccessToken=token,
                                               UserAttributes=attr_list({"given_name": "X"})),
        lambda: cognito.change_password(AccessToken=token, PreviousPassword=AUTH_PASSWORD,
                                        ProposedPassword="An0ther-Passw0rd!"),
        lambda: cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="email"),
        lambda: cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["given_name"]),
        lambda: cognito.global_sign_out(AccessToken=token),
        lambda: cognito.delete_user(AccessToken=token),
    ]
    for call in calls:
        with expect_error("NotAuthorizedException", message):
            call()


# ---------------------------------------------------------------- RevokeToken


def test_revoke_token(cognito, two_sessions):
    pool_id, client_id, one, two = two_sessions
    # The access token minted by refreshing belongs to the same family.
    refreshed = refresh(cognito, client_id, one["RefreshToken"])["AccessToken"]
    assert cognito.revoke_token(Token=one["RefreshToken"], ClientId=client_id)["ResponseMetadata"]["HTTPStatusCode"] == 200
    with expect_error("NotAuthorizedException", REVOKED_REFRESH):
        refresh(cognito, client_id, one["RefreshToken"])
    for token in (one["AccessToken"], refreshed):
        with expect_error("NotAuthorizedException", REVOKED_ACCESS):
            cognito.get_user(AccessToken=token)
    # The other session is untouched.
    assert cognito.get_user(AccessToken=two["AccessToken"])["Username"] == "alice"
    assert refresh(cognito, client_id, two["RefreshToken"])["AccessToken"]
    # The user can sign in again.
    assert cognito.get_user(AccessToken=sign_in(cognito, client_id, "alice")["AccessToken"])["Username"] == "alice"


def test_revoked_access_token_refused_everywhere(cognito, two_sessions):
    _, client_id, one, _ = two_sessions
    cognito.revoke_token(Token=one["RefreshToken"], ClientId=client_id)
    access_refused(cognito, one["AccessToken"])


def test_revoke_token_with_secret(cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    confirmed_user(cognito, pool_id, "bob")
    auth = sign_in(cognito, client_id, "bob", client_secret=secret)
    with pytest.raises(ClientError):
        cognito.revoke_token(Token=auth["RefreshToken"], ClientId=client_id)
    # A wrong secret differs from the right one in its first character, whatever that is.
    wrong = ("y" if secret[0] == "x" else "x") + secret[1:]
    with pytest.raises(ClientError):
        cognito.revoke_token(Token=auth["RefreshToken"], ClientId=client_id, ClientSecret=wrong)
    # Neither refused call revoked anything.
    assert cognito.get_user(AccessToken=auth["AccessToken"])["Username"] == "bob"
    cognito.revoke_token(Token=auth["RefreshToken"], ClientId=client_id, ClientSecret=secret)
    with expect_error("NotAuthorizedException", REVOKED_ACCESS):
        cognito.get_user(AccessToken=auth["AccessToken"])


def test_revoke_token_of_another_client_revokes_nothing(cognito, two_sessions):
    pool_id, client_id, one, _ = two_sessions
    other = make_app_client(cognito, pool_id)["ClientId"]
    try:
        cognito.revoke_token(Token=one["RefreshToken"], ClientId=other)
    except ClientError as e:
        # The model declares these for a request the client may not make.
        assert e.response["Error"]["Code"] in {"UnauthorizedException", "InvalidParameterException",
                                               "NotAuthorizedException"}
    assert refresh(cognito, client_id, one["RefreshToken"])["AccessToken"]
    assert cognito.get_user(AccessToken=one["AccessToken"])["Username"] == "alice"


def test_revoke_token_refuses_access_tokens(cognito, two_sessions):
    _, client_id, one, _ = two_sessions
    with expect_error("UnsupportedTokenTypeException"):
        cognito.revoke_token(Token=one["AccessToken"], ClientId=client_id)
    assert cognito.get_user(AccessToken=one["AccessToken"])["Username"] == "alice"


def test_revoke_token_when_revocation_disabled(cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, EnableTokenRevocation=False)["ClientId"]
    confirmed_user(cognito, pool_id, "carol")
    auth = sign_in(cognito, client_id, "carol")
    with expect_error("UnsupportedOperationException"):
        cognito.revoke_token(Token=auth["RefreshToken"], ClientId=client_id)
    assert refresh(cognito, client_id, auth["RefreshToken"])["AccessToken"]


def test_revoked_tokens_still_verify_for_third_parties(server, cognito, two_sessions):
    pool_id, client_id, one, _ = two_sessions
    cognito.revoke_token(Token=one["RefreshToken"], ClientId=client_id)
    iss = issuer_of(server, pool_id)
    key = PyJWKClient(f"{iss}/.well-known/jwks.json", cache_keys=False).get_signing_key_from_jwt(one["IdToken"]).key
    claims = jwt.decode(one["IdToken"], key, algorithms=["RS256"], audience=client_id, issuer=iss)
    assert claims["cognito:username"] == "alice"


# ---------------------------------------------------------------- GlobalSignOut


def test_global_sign_out(cognito, two_sessions):
    _, client_id, one, two = two_sessions
    cognito.global_sign_out(AccessToken=one["AccessToken"])
    for session in (one, two):
        with expect_error("NotAuthorizedException", REVOKED_REFRESH):
            refresh(cognito, client_id, session["RefreshToken"])
        with expect_error("NotAuthorizedException", REVOKED_ACCESS):
            cognito.get_user(AccessToken=session["AccessToken"])
    # A new sign-in after the sign-out works, and its tokens too.
    fresh = sign_in(cognito, client_id, "alice")
    assert cognito.get_user(AccessToken=fresh["AccessToken"])["Username"] == "alice"
    assert refresh(cognito, client_id, fresh["RefreshToken"])["AccessToken"]


def test_global_sign_out_refuses_old_tokens_everywhere(cognito, two_sessions):
    _, _, one, two = two_sessions
    cognito.global_sign_out(AccessToken=one["AccessToken"])
    access_refused(cognito, two["AccessToken"], REVOKED_ACCESS)


def test_global_sign_out_across_clients(cognito, two_sessions):
    pool_id, client_id, one, _ = two_sessions
    other = make_app_client(cognito, pool_id)["ClientId"]
    elsewhere = sign_in(cognito, other, "alice")
    cognito.global_sign_out(AccessToken=one["AccessToken"])
    with expect_error("NotAuthorizedException", REVOKED_REFRESH):
        refresh(cognito, other, elsewhere["RefreshToken"])


def test_global_sign_out_is_per_user(cognito, two_sessions):
    pool_id, client_id, one, _ = two_sessions
    confirmed_user(cognito, pool_id, "bob")
    bob = sign_in(cognito, client_id, "bob")
    cognito.global_sign_out(AccessToken=one["AccessToken"])
    assert cognito.get_user(AccessToken=bob["AccessToken"])["Username"] == "bob"
    assert refresh(cognito, client_id, bob["RefreshToken"])["AccessToken"]


def test_admin_user_global_sign_out(server, cognito, two_sessions):
    pool_id, client_id, one, two = two_sessions
    make_client(server).admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
    for session in (one, two):
        with expect_error("NotAuthorizedException", REVOKED_REFRESH):
            refresh(cognito, client_id, session["RefreshToken"])
        with expect_error("NotAuthorizedException", REVOKED_ACCESS):
            cognito.get_user(AccessToken=session["AccessToken"])
    assert sign_in(cognito, client_id, "alice")["AccessToken"]


def test_admin_user_global_sign_out_unknown_user(server, cognito):
    pool_id = make_pool(cognito)
    with expect_error("UserNotFoundException"):
        make_client(server).admin_user_global_sign_out(UserPoolId=pool_id, Username="ghost")


# ---------------------------------------------------------------- disable / delete


def test_admin_disable_user(server, cognito, two_sessions):
    pool_id, client_id, one, _ = two_sessions
    cognito.admin_disable_user(UserPoolId=pool_id, Username="alice")
    with expect_error("NotAuthorizedException", "User is disabled."):
        sign_in(cognito, client_id, "alice")
    with expect_error("NotAuthorizedException"):
        refresh(cognito, client_id, one["RefreshToken"])
    with expect_error("NotAuthorizedException"):
        cognito.get_user(AccessToken=one["AccessToken"])
    cognito.admin_enable_user(UserPoolId=pool_id, Username="alice")
    fresh = sign_in(cognito, client_id, "alice")
    assert cognito.get_user(AccessToken=fresh["AccessToken"])["Username"] == "alice"
    # Disabling revoked the tokens issued before; enabling again does not bring them back.
    with expect_error("NotAuthorizedException"):
        cognito.get_user(AccessToken=one["AccessToken"])
    with expect_error("NotAuthorizedException"):
        refresh(cognito, client_id, one["RefreshToken"])


def test_admin_delete_user(cognito, two_sessions):
    pool_id, client_id, one, _ = two_sessions
    cognito.admin_delete_user(UserPoolId=pool_id, Username="alice")
    for call in (lambda: refresh(cognito, client_id, one["RefreshToken"]),
                 lambda: cognito.get_user(AccessToken=one["AccessToken"])):
        # aws-sdk-android#366 reports "User does not exist." (UserNotFoundException) for a
        # deleted user's session; NotAuthorizedException is the other declared answer.
        with expect_error({"NotAuthorizedException", "UserNotFoundException"}):
            call()


def test_recreated_user_does_not_inherit_old_tokens(cognito, two_sessions):
    pool_id, client_id, one, _ = two_sessions
    cognito.admin_delete_user(UserPoolId=pool_id, Username="alice")
    confirmed_user(cognito, pool_id, "alice")
    for call in (lambda: refresh(cognito, client_id, one["RefreshToken"]),
                 lambda: cognito.get_user(AccessToken=one["AccessToken"])):
        with expect_error({"NotAuthorizedException", "UserNotFoundException"}):
            call()
