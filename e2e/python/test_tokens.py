"""ID and access tokens verified by a real JWT library from the JWKS URL (issue 3, Build 4).

PyJWT's PyJWKClient fetches `{iss}/.well-known/jwks.json` and `jwt.decode` checks the RS256
signature, `iss`, `aud` (ID token) and `exp` exactly as a resource server would.

Cognito facts (shared/reference/tokens.md, from the developer guide's ID/access token pages):
- header: exactly {"kid", "alg": "RS256"}; ID token claims sub, aud, iss, token_use "id",
  auth_time, iat, exp, cognito:username, jti, origin_jti, readable attributes
  (email_verified / phone_number_verified as JSON booleans, custom:* always strings),
  cognito:groups when in a group;
- access token: sub, iss, client_id (no aud), token_use "access", scope
  "aws.cognito.signin.user.admin" for native-API sign-ins, auth_time, iat, exp, jti,
  origin_jti, username, cognito:groups;
- exp - iat = the client's IdTokenValidity / AccessTokenValidity; ExpiresIn = access lifetime.
"""

import re
import time

import jwt
import pytest
import requests
from jwt import PyJWKClient

from tessera_e2e.aws import make_client
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    attr_dict,
    confirmed_user,
    is_uuid,
    issuer_of,
    jwt_claims,
    jwt_header,
    make_app_client,
    make_pool,
    sign_in,
    srp_sign_in,
    verify_token,
)

SCOPE = "aws.cognito.signin.user.admin"


@pytest.fixture
def rich(cognito):
    """A pool with a custom attribute, two groups and a user in both."""
    pool_id = make_pool(cognito, Schema=[
        {"Name": "tier", "AttributeDataType": "Number", "Mutable": True},
        {"Name": "team", "AttributeDataType": "String", "Mutable": True},
    ])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    user = confirmed_user(cognito, pool_id, "alice", attributes={
        "email": "alice@example.com", "email_verified": "true",
        "phone_number": "+15555550123", "phone_number_verified": "false",
        "given_name": "Alice", "custom:tier": "3", "custom:team": "blue",
    })
    for group in ("admins", "readers"):
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName=group)
    sub = attr_dict(user["UserAttributes"])["sub"]
    return pool_id, client_id, sub


# ---------------------------------------------------------------- JWKS and discovery


def test_jwks_document(server, cognito):
    pool_id = make_pool(cognito)
    r = requests.get(f"{issuer_of(server, pool_id)}/.well-known/jwks.json", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    keys = r.json()["keys"]
    assert keys
    for k in keys:
        assert k["kty"] == "RSA"
        assert k["alg"] == "RS256"
        assert k["use"] == "sig"
        assert k["e"] == "AQAB"
        assert isinstance(k["kid"], str) and k["kid"]
        assert re.fullmatch(r"[A-Za-z0-9_-]+", k["n"])
        # RSA 2048: a 256-byte modulus.
        n = int.from_bytes(jwt.utils.base64url_decode(k["n"]), "big")
        assert n.bit_length() == 2048
        assert not set(k) & {"d", "p", "q", "dp", "dq", "qi"}, "private key material in the JWKS"
    assert len({k["kid"] for k in keys}) == len(keys)


def test_openid_configuration(server, cognito):
    pool_id = make_pool(cognito)
    iss = issuer_of(server, pool_id)
    r = requests.get(f"{iss}/.well-known/openid-configuration", timeout=10)
    assert r.status_code == 200
    doc = r.json()
    assert doc["issuer"] == iss
    assert doc["jwks_uri"] == f"{iss}/.well-known/jwks.json"
    assert "RS256" in doc["id_token_signing_alg_values_supported"]


def test_openid_configuration_names_only_endpoints_that_answer(server, cognito):
    """An OIDC client follows every endpoint discovery names, so naming one
    that is not served (the OAuth endpoints, before OAuth exists) breaks it."""
    pool_id = make_pool(cognito)
    doc = requests.get(
        f"{issuer_of(server, pool_id)}/.well-known/openid-configuration", timeout=10
    ).json()
    urls = {k: v for k, v in doc.items() if k.endswith(("_endpoint", "_uri"))}
    assert set(urls) == {"jwks_uri"}
    for name, url in urls.items():
        assert requests.get(url, timeout=10).status_code == 200, name


def test_each_pool_has_its_own_keys(server, cognito):
    a, b = make_pool(cognito), make_pool(cognito)
    kids = [{k["kid"] for k in requests.get(f"{issuer_of(server, p)}/.well-known/jwks.json", timeout=10).json()["keys"]}
            for p in (a, b)]
    assert kids[0] and kids[1]
    assert not kids[0] & kids[1]


def test_jwks_of_unknown_pool(server):
    r = requests.get(f"{server.url}/us-east-1_Nope12345/.well-known/jwks.json", timeout=10)
    assert r.status_code in (400, 404)


# ---------------------------------------------------------------- verification with PyJWT


def test_pyjwt_verifies_id_token(server, cognito, rich):
    pool_id, client_id, sub = rich
    auth = sign_in(cognito, client_id, "alice")
    claims = verify_token(auth["IdToken"], server, pool_id, audience=client_id)
    assert claims["token_use"] == "id"
    assert claims["aud"] == client_id
    assert claims["iss"] == issuer_of(server, pool_id)
    assert claims["sub"] == sub


def test_pyjwt_verifies_access_token(server, cognito, rich):
    pool_id, client_id, sub = rich
    auth = sign_in(cognito, client_id, "alice")
    claims = verify_token(auth["AccessToken"], server, pool_id)
    assert claims["token_use"] == "access"
    assert claims["client_id"] == client_id
    assert claims["sub"] == sub


def test_pyjwt_refuses_wrong_audience_and_issuer(server, cognito, rich):
    pool_id, client_id, _ = rich
    token = sign_in(cognito, client_id, "alice")["IdToken"]
    with pytest.raises(jwt.InvalidAudienceError):
        verify_token(token, server, pool_id, audience="someotherclient")
    with pytest.raises(jwt.InvalidIssuerError):
        verify_token(token, server, pool_id, audience=client_id, issuer=f"{server.url}/us-east-1_Other1234")


def test_header_is_exactly_kid_and_alg(server, cognito, rich):
    pool_id, client_id, _ = rich
    auth = sign_in(cognito, client_id, "alice")
    jwks = requests.get(f"{issuer_of(server, pool_id)}/.well-known/jwks.json", timeout=10).json()
    kids = {k["kid"] for k in jwks["keys"]}
    for token in (auth["IdToken"], auth["AccessToken"]):
        header = jwt_header(token)
        assert set(header) == {"kid", "alg"}, header
        assert header["alg"] == "RS256"
        assert header["kid"] in kids


def test_tokens_from_srp_verify_too(server, cognito, rich):
    pool_id, client_id, sub = rich
    auth = srp_sign_in(server, pool_id, client_id, "alice")["AuthenticationResult"]
    assert verify_token(auth["IdToken"], server, pool_id, audience=client_id)["sub"] == sub
    assert verify_token(auth["AccessToken"], server, pool_id)["sub"] == sub


# ---------------------------------------------------------------- claims


def test_id_token_claims(server, cognito, rich):
    pool_id, client_id, sub = rich
    before = int(time.time())
    auth = sign_in(cognito, client_id, "alice")
    c = verify_token(auth["IdToken"], server, pool_id, audience=client_id)
    assert c["cognito:username"] == "alice"
    assert c["email"] == "alice@example.com"
    assert c["email_verified"] is True
    assert c["phone_number"] == "+15555550123"
    assert c["phone_number_verified"] is False
    assert c["given_name"] == "Alice"
    # Custom attributes are always strings, whatever their type.
    assert c["custom:tier"] == "3"
    assert c["custom:team"] == "blue"
    assert sorted(c["cognito:groups"]) == ["admins", "readers"]
    assert isinstance(c["auth_time"], int) and before - 5 <= c["auth_time"] <= int(time.time()) + 5
    assert isinstance(c["iat"], int) and isinstance(c["exp"], int)
    assert c["exp"] - c["iat"] == 3600
    assert is_uuid(c["jti"])
    assert is_uuid(c["origin_jti"])
    assert "password" not in str(c).lower()


def test_access_token_claims(server, cognito, rich):
    pool_id, client_id, sub = rich
    auth = sign_in(cognito, client_id, "alice")
    c = verify_token(auth["AccessToken"], server, pool_id)
    assert c["token_use"] == "access"
    assert c["scope"] == SCOPE
    assert c["username"] == "alice"
    assert c["client_id"] == client_id
    assert "aud" not in c
    assert sorted(c["cognito:groups"]) == ["admins", "readers"]
    assert c["exp"] - c["iat"] == 3600
    assert auth["ExpiresIn"] == 3600
    assert is_uuid(c["jti"]) and is_uuid(c["origin_jti"])
    # No user attributes in the access token.
    assert "email" not in c and "custom:tier" not in c


def test_id_and_access_tokens_share_session_claims(cognito, rich):
    _, client_id, _ = rich
    auth = sign_in(cognito, client_id, "alice")
    i, a = jwt_claims(auth["IdToken"]), jwt_claims(auth["AccessToken"])
    assert i["origin_jti"] == a["origin_jti"]
    assert i["auth_time"] == a["auth_time"]
    assert i["jti"] != a["jti"]
    assert i["sub"] == a["sub"]


def test_each_sign_in_is_a_new_session(cognito, rich):
    _, client_id, _ = rich
    first = jwt_claims(sign_in(cognito, client_id, "alice")["AccessToken"])
    second = jwt_claims(sign_in(cognito, client_id, "alice")["AccessToken"])
    assert first["origin_jti"] != second["origin_jti"]
    assert first["jti"] != second["jti"]


def test_no_groups_claim_without_groups(server, cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "bob", attributes={"email": "bob@example.com"})
    auth = sign_in(cognito, client_id, "bob")
    assert "cognito:groups" not in jwt_claims(auth["IdToken"])
    assert "cognito:groups" not in jwt_claims(auth["AccessToken"])
    # An email that was never verified: email_verified is false or absent, never true.
    assert jwt_claims(auth["IdToken"]).get("email_verified", False) is False


def test_email_username_pool_claims(server, cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    sub = confirmed_user(cognito, pool_id, "carol@example.com")["Username"]
    auth = sign_in(cognito, client_id, "carol@example.com")
    assert verify_token(auth["IdToken"], server, pool_id, audience=client_id)["cognito:username"] == sub
    assert verify_token(auth["AccessToken"], server, pool_id)["username"] == sub


def test_client_read_attributes_limit_id_token(server, cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, ReadAttributes=["email", "email_verified"])["ClientId"]
    confirmed_user(cognito, pool_id, "dan", attributes={
        "email": "dan@example.com", "email_verified": "true", "given_name": "Dan", "family_name": "Doe"})
    c = verify_token(sign_in(cognito, client_id, "dan")["IdToken"], server, pool_id, audience=client_id)
    assert c["email"] == "dan@example.com"
    assert c["email_verified"] is True
    assert "given_name" not in c and "family_name" not in c
    assert c["cognito:username"] == "dan"


def test_lifetimes_follow_client_settings(server, cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(
        cognito, pool_id, IdTokenValidity=17, AccessTokenValidity=23, RefreshTokenValidity=2,
        TokenValidityUnits={"IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "days"},
    )["ClientId"]
    confirmed_user(cognito, pool_id, "eve")
    auth = sign_in(cognito, client_id, "eve")
    assert auth["ExpiresIn"] == 23 * 60
    i = verify_token(auth["IdToken"], server, pool_id, audience=client_id)
    a = verify_token(auth["AccessToken"], server, pool_id)
    assert i["exp"] - i["iat"] == 17 * 60
    assert a["exp"] - a["iat"] == 23 * 60


def test_lifetime_in_hours(server, cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, IdTokenValidity=2, AccessTokenValidity=5,
                               TokenValidityUnits={"IdToken": "hours", "AccessToken": "hours"})["ClientId"]
    confirmed_user(cognito, pool_id, "fay")
    auth = sign_in(cognito, client_id, "fay")
    assert auth["ExpiresIn"] == 5 * 3600
    assert jwt_claims(auth["IdToken"])["exp"] - jwt_claims(auth["IdToken"])["iat"] == 2 * 3600


def test_refresh_token_is_opaque_and_well_formed(cognito, rich):
    _, client_id, _ = rich
    refresh = sign_in(cognito, client_id, "alice")["RefreshToken"]
    # TokenModelType pattern from the service model.
    assert re.fullmatch(r"[A-Za-z0-9\-_=.]+", refresh)
    assert "alice" not in refresh


def test_token_kid_of_one_pool_unknown_to_another(server, cognito, rich):
    pool_id, client_id, _ = rich
    other = make_pool(cognito)
    token = sign_in(cognito, client_id, "alice")["AccessToken"]
    with pytest.raises(jwt.PyJWKClientError):
        PyJWKClient(f"{issuer_of(server, other)}/.well-known/jwks.json", cache_keys=False).get_signing_key_from_jwt(token)


# ---------------------------------------------------------------- public URL


def _sign_in_on(srv):
    c = make_client(srv)
    pool_id = make_pool(c)
    client_id = make_app_client(c, pool_id)["ClientId"]
    confirmed_user(c, pool_id, "gail")
    return pool_id, client_id, sign_in(c, client_id, "gail")


def _check_public_url(srv, public):
    pool_id, client_id, auth = _sign_in_on(srv)
    iss = f"{public}/{pool_id}"
    for token in (auth["IdToken"], auth["AccessToken"]):
        assert jwt_claims(token)["iss"] == iss
    # The JWKS and discovery are served by this server whatever the public URL says.
    doc = requests.get(f"{srv.url}/{pool_id}/.well-known/openid-configuration", timeout=10).json()
    assert doc["issuer"] == iss
    assert doc["jwks_uri"] == f"{iss}/.well-known/jwks.json"
    verify_token(auth["IdToken"], srv, pool_id, audience=client_id, issuer=iss)


def test_default_issuer_is_listen_url(server, cognito):
    pool_id, _, auth = _sign_in_on(server)
    assert jwt_claims(auth["IdToken"])["iss"] == f"http://127.0.0.1:{server.port}/{pool_id}"


def test_public_url_from_config_file(start_server):
    srv = start_server(config_toml='public_url = "https://id.example.test"\n')
    _check_public_url(srv, "https://id.example.test")


def test_public_url_from_environment(start_server):
    srv = start_server(env={"TESSERA_PUBLIC_URL": "https://env.example.test"})
    _check_public_url(srv, "https://env.example.test")


def test_public_url_from_flag(start_server):
    srv = start_server(args=["--public-url", "https://flag.example.test"])
    _check_public_url(srv, "https://flag.example.test")


def test_public_url_precedence(start_server):
    srv = start_server(config_toml='public_url = "https://file.example.test"\n',
                       env={"TESSERA_PUBLIC_URL": "https://env.example.test"},
                       args=["--public-url", "https://flag.example.test"])
    _check_public_url(srv, "https://flag.example.test")
    srv2 = start_server(config_toml='public_url = "https://file.example.test"\n',
                        env={"TESSERA_PUBLIC_URL": "https://env.example.test"})
    _check_public_url(srv2, "https://env.example.test")


def test_public_url_with_path(start_server):
    srv = start_server(config_toml='public_url = "https://example.test/auth"\n')
    _check_public_url(srv, "https://example.test/auth")


def test_tokens_survive_restart(start_server):
    srv = start_server()
    pool_id, client_id, auth = _sign_in_on(srv)
    srv.restart()
    # Signing keys are persisted (sealed): tokens issued before a restart still verify
    # against the JWKS and are accepted by the server.
    verify_token(auth["IdToken"], srv, pool_id, audience=client_id,
           issuer=jwt_claims(auth["IdToken"])["iss"])
    c = make_client(srv)
    assert c.get_user(AccessToken=auth["AccessToken"])["Username"] == "gail"
    assert sign_in(c, client_id, "gail", AUTH_PASSWORD)["AccessToken"]
