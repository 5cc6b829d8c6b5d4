"""The whole journey in one test (issue 3, Proof): SignUp → code read from the dev outbox →
ConfirmSignUp → SRP sign-in with pycognito → GetUser → refresh (REFRESH_TOKEN_AUTH and
GetTokensFromRefreshToken) → ChangePassword → GlobalSignOut → refresh refused.
"""

import jwt
import pytest
from jwt import PyJWKClient

from tessera_e2e.aws import expect_error
from tessera_e2e.flows import (
    AUTH_NEW_PASSWORD,
    AUTH_PASSWORD,
    REVOKED_ACCESS,
    WRONG_PASSWORD,
    attr_dict,
    attr_list,
    issuer_of,
    latest_code,
    make_app_client,
    make_pool,
    outbox,
    secret_hash,
    srp_sign_in,
)


@pytest.mark.parametrize("with_secret", [False, True], ids=["public-client", "secret-client"])
def test_sign_up_to_sign_out(server, cognito, with_secret):
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"])
    client = make_app_client(cognito, pool_id, secret=with_secret)
    client_id, secret = client["ClientId"], client.get("ClientSecret")
    extra = (lambda username: {"SecretHash": secret_hash(username, client_id, secret)}) if secret else (lambda username: {})
    iss = issuer_of(server, pool_id)
    jwks = PyJWKClient(f"{iss}/.well-known/jwks.json", cache_keys=False)

    # 1. SignUp: unconfirmed, a code on its way.
    signed_up = cognito.sign_up(ClientId=client_id, Username="journey", Password=AUTH_PASSWORD,
                                UserAttributes=attr_list({"email": "journey@example.com", "name": "J. Ourney"}),
                                **extra("journey"))
    assert signed_up["UserConfirmed"] is False
    assert signed_up["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"

    # 2. The code, read from the dev outbox.
    assert [m["kind"] for m in outbox(server, pool_id=pool_id, recipient="journey@example.com")] == ["code"]
    code = latest_code(server, pool_id, "journey@example.com")

    # 3. ConfirmSignUp.
    cognito.confirm_sign_up(ClientId=client_id, Username="journey", ConfirmationCode=code, **extra("journey"))
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="journey")["UserStatus"] == "CONFIRMED"

    # 4. SRP sign-in with pycognito, and the tokens verified from the JWKS.
    auth = srp_sign_in(server, pool_id, client_id, "journey", client_secret=secret)["AuthenticationResult"]
    id_claims = jwt.decode(auth["IdToken"], jwks.get_signing_key_from_jwt(auth["IdToken"]).key,
                           algorithms=["RS256"], audience=client_id, issuer=iss)
    assert id_claims["sub"] == signed_up["UserSub"]
    assert id_claims["email_verified"] is True
    assert id_claims["name"] == "J. Ourney"
    access_claims = jwt.decode(auth["AccessToken"], jwks.get_signing_key_from_jwt(auth["AccessToken"]).key,
                               algorithms=["RS256"], issuer=iss, options={"verify_aud": False})
    assert access_claims["client_id"] == client_id and access_claims["token_use"] == "access"

    # 5. GetUser.
    me = cognito.get_user(AccessToken=auth["AccessToken"])
    assert me["Username"] == "journey"
    assert attr_dict(me["UserAttributes"])["email"] == "journey@example.com"

    # 6. Refresh, both ways.
    refresh_params = {"REFRESH_TOKEN": auth["RefreshToken"]}
    if secret:
        refresh_params["SECRET_HASH"] = secret_hash("journey", client_id, secret)
    refreshed = cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters=refresh_params)["AuthenticationResult"]
    assert cognito.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "journey"
    secret_arg = {"ClientSecret": secret} if secret else {}
    fresher = cognito.get_tokens_from_refresh_token(RefreshToken=auth["RefreshToken"], ClientId=client_id,
                                                    **secret_arg)["AuthenticationResult"]
    assert cognito.get_user(AccessToken=fresher["AccessToken"])["Username"] == "journey"

    # 7. ChangePassword, then the new password signs in (SRP) and the old one does not.
    cognito.change_password(AccessToken=fresher["AccessToken"], PreviousPassword=AUTH_PASSWORD,
                            ProposedPassword=AUTH_NEW_PASSWORD)
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        srp_sign_in(server, pool_id, client_id, "journey", AUTH_PASSWORD, client_secret=secret)
    second = srp_sign_in(server, pool_id, client_id, "journey", AUTH_NEW_PASSWORD,
                         client_secret=secret)["AuthenticationResult"]

    # 8. GlobalSignOut.
    cognito.global_sign_out(AccessToken=second["AccessToken"])

    # 9. Every refresh token of the user is refused, and so are the old access tokens.
    for token in (auth["RefreshToken"], second["RefreshToken"]):
        params = {"REFRESH_TOKEN": token}
        if secret:
            params["SECRET_HASH"] = secret_hash("journey", client_id, secret)
        with expect_error("NotAuthorizedException"):
            cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params)
    with expect_error("NotAuthorizedException"):
        cognito.get_tokens_from_refresh_token(RefreshToken=second["RefreshToken"], ClientId=client_id, **secret_arg)
    with expect_error("NotAuthorizedException", REVOKED_ACCESS):
        cognito.get_user(AccessToken=second["AccessToken"])
