"""USER_SRP_AUTH with a real SRP client: pycognito's AWSSRP (issue 3, Proof: "Real SRP clients").

pycognito computes every client value itself (A, x, S, the HKDF key and the
PASSWORD_CLAIM_SIGNATURE) exactly as amazon-cognito-identity-js does, and never sends the
Session back for PASSWORD_VERIFIER (shared/reference/srp.md), so a completed sign-in here
proves Tessera's SRP math and its Session-less PASSWORD_VERIFIER.
"""

import base64
import re
import uuid

import pytest
from pycognito.aws_srp import N_HEX

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    WRONG_PASSWORD,
    assert_tokens,
    attr_dict,
    confirmed_user,
    jwt_claims,
    make_app_client,
    make_pool,
    pool_with_user,
    pycognito_user,
    secret_hash,
    srp_sign_in,
    srp_start,
)

N = int(N_HEX, 16)


@pytest.fixture
def srp_pool(cognito):
    return pool_with_user(cognito, attributes={"email": "alice@example.com"})


# ---------------------------------------------------------------- happy paths


def test_pycognito_srp_without_secret(server, srp_pool):
    pool_id, client_id = srp_pool
    auth = assert_tokens(srp_sign_in(server, pool_id, client_id, "alice")["AuthenticationResult"])
    assert jwt_claims(auth["AccessToken"])["username"] == "alice"
    assert jwt_claims(auth["IdToken"])["cognito:username"] == "alice"


def test_pycognito_srp_with_client_secret(server, cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    confirmed_user(cognito, pool_id, "bob")
    auth = assert_tokens(srp_sign_in(server, pool_id, client["ClientId"], "bob",
                                     client_secret=client["ClientSecret"])["AuthenticationResult"])
    assert jwt_claims(auth["AccessToken"])["client_id"] == client["ClientId"]


def test_password_verifier_challenge_shape(cognito, srp_pool):
    pool_id, client_id = srp_pool
    _, _, resp = srp_start(cognito, pool_id, client_id, "alice")
    assert resp["ChallengeName"] == "PASSWORD_VERIFIER"
    params = resp["ChallengeParameters"]
    # srp.md: SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP, USERNAME.
    assert set(params) == {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP", "USERNAME"}
    assert params["USER_ID_FOR_SRP"] == "alice"
    assert params["USERNAME"] == "alice"
    assert re.fullmatch(r"[0-9a-fA-F]+", params["SRP_B"])
    b = int(params["SRP_B"], 16)
    assert 0 < b < N and b % N != 0
    # SALT in canonical padHex form (no redundant leading zero byte), which pycognito needs.
    salt = params["SALT"]
    assert re.fullmatch(r"[0-9a-fA-F]+", salt) and len(salt) % 2 == 0
    assert not salt.startswith("00") or salt[2] in "89abcdefABCDEF"
    assert base64.b64decode(params["SECRET_BLOCK"], validate=True)


def test_each_initiate_gets_a_fresh_b(cognito, srp_pool):
    pool_id, client_id = srp_pool
    _, _, first = srp_start(cognito, pool_id, client_id, "alice")
    _, _, second = srp_start(cognito, pool_id, client_id, "alice")
    assert first["ChallengeParameters"]["SRP_B"] != second["ChallengeParameters"]["SRP_B"]
    assert first["ChallengeParameters"]["SALT"] == second["ChallengeParameters"]["SALT"]


def test_respond_without_session_like_pycognito(cognito, srp_pool):
    pool_id, client_id = srp_pool
    srp, params, resp = srp_start(cognito, pool_id, client_id, "alice")
    answer = srp.process_challenge(resp["ChallengeParameters"], params)
    result = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                               ChallengeResponses=answer)
    assert_tokens(result["AuthenticationResult"])
    assert result["ChallengeParameters"] == {}


def test_respond_with_session_like_amazon_cognito_identity_js(cognito, srp_pool):
    pool_id, client_id = srp_pool
    srp, params, resp = srp_start(cognito, pool_id, client_id, "alice")
    answer = srp.process_challenge(resp["ChallengeParameters"], params)
    # amazon-cognito-identity-js answers with USERNAME = USER_ID_FOR_SRP and echoes the Session
    # when there is one.
    answer["USERNAME"] = resp["ChallengeParameters"]["USER_ID_FOR_SRP"]
    extra = {"Session": resp["Session"]} if resp.get("Session") else {}
    result = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                               ChallengeResponses=answer, **extra)
    assert_tokens(result["AuthenticationResult"])


def test_admin_initiate_auth_with_srp(server, srp_pool):
    pool_id, client_id = srp_pool
    admin = make_client(server)
    srp, params, resp = srp_start(admin, pool_id, client_id, "alice", admin=True)
    assert resp["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = srp.process_challenge(resp["ChallengeParameters"], params)
    result = admin.admin_respond_to_auth_challenge(UserPoolId=pool_id, ClientId=client_id,
                                                   ChallengeName="PASSWORD_VERIFIER",
                                                   ChallengeResponses=answer)
    assert_tokens(result["AuthenticationResult"])


def test_pycognito_cognito_class_authenticates_and_verifies_tokens(server, srp_pool):
    pool_id, client_id = srp_pool
    # pycognito's high-level class: SRP sign-in, then it verifies both tokens against
    # {endpoint_url}/{pool}/.well-known/jwks.json with issuer {endpoint_url}/{pool}.
    u = pycognito_user(server, pool_id, client_id, "alice")
    u.authenticate(password=AUTH_PASSWORD)
    assert u.id_claims["cognito:username"] == "alice"
    assert u.id_claims["email"] == "alice@example.com"
    assert u.access_claims["token_use"] == "access"
    assert u.token_type == "Bearer"
    user = u.get_user()
    assert user.email == "alice@example.com"


# ---------------------------------------------------------------- username variants


def test_email_as_username_uses_sub_for_srp(server, cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    sub = confirmed_user(cognito, pool_id, "carol@example.com")["Username"]
    assert str(uuid.UUID(sub)) == sub
    _, _, resp = srp_start(cognito, pool_id, client_id, "carol@example.com")
    # srp.md: USER_ID_FOR_SRP is the internal username, the UUID, not the email typed.
    assert resp["ChallengeParameters"]["USER_ID_FOR_SRP"] == sub
    auth = assert_tokens(srp_sign_in(server, pool_id, client_id, "carol@example.com")["AuthenticationResult"])
    assert jwt_claims(auth["IdToken"])["cognito:username"] == sub
    assert jwt_claims(auth["IdToken"])["email"] == "carol@example.com"


def test_email_as_username_with_client_secret(server, cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["email"])
    client = make_app_client(cognito, pool_id, secret=True)
    sub = confirmed_user(cognito, pool_id, "dora@example.com")["Username"]
    # pycognito hashes the email for InitiateAuth and the UUID for RespondToAuthChallenge.
    auth = assert_tokens(srp_sign_in(server, pool_id, client["ClientId"], "dora@example.com",
                                     client_secret=client["ClientSecret"])["AuthenticationResult"])
    assert jwt_claims(auth["AccessToken"])["username"] == sub


def test_case_insensitive_pool(server, cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    canonical = confirmed_user(cognito, pool_id, "Erin")["Username"]
    for typed in ("erin", "ERIN", "eRiN"):
        _, _, resp = srp_start(cognito, pool_id, client_id, typed)
        assert resp["ChallengeParameters"]["USER_ID_FOR_SRP"] == canonical
        auth = assert_tokens(srp_sign_in(server, pool_id, client_id, typed)["AuthenticationResult"])
        assert jwt_claims(auth["AccessToken"])["username"] == canonical


def test_case_sensitive_pool_refuses_other_case(server, cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "Fay")
    # LEGACY client: an unknown username is reported as such ("User does not exist.").
    with expect_error("UserNotFoundException", "User does not exist."):
        srp_sign_in(server, pool_id, client_id, "fay")


def test_verified_email_alias(server, cognito):
    pool_id = make_pool(cognito, AliasAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "gina", attributes={"email": "gina@example.com", "email_verified": "true"})
    _, _, resp = srp_start(cognito, pool_id, client_id, "gina@example.com")
    # Developer guide: USER_ID_FOR_SRP "contains the user's actual user name, not an alias".
    assert resp["ChallengeParameters"]["USER_ID_FOR_SRP"] == "gina"
    auth = assert_tokens(srp_sign_in(server, pool_id, client_id, "gina@example.com")["AuthenticationResult"])
    assert jwt_claims(auth["AccessToken"])["username"] == "gina"


def test_preferred_username_alias(server, cognito):
    pool_id = make_pool(cognito, AliasAttributes=["preferred_username"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "hank", attributes={"preferred_username": "hanky"})
    auth = assert_tokens(srp_sign_in(server, pool_id, client_id, "hanky")["AuthenticationResult"])
    assert jwt_claims(auth["AccessToken"])["username"] == "hank"


def test_unicode_password(server, cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    password = "Pässw0rd!ñ€"
    confirmed_user(cognito, pool_id, "ivan", password=password)
    assert_tokens(srp_sign_in(server, pool_id, client_id, "ivan", password=password)["AuthenticationResult"])
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        srp_sign_in(server, pool_id, client_id, "ivan", password="Passw0rd!n€")


# ---------------------------------------------------------------- refusals


def test_wrong_password(server, srp_pool):
    pool_id, client_id = srp_pool
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        srp_sign_in(server, pool_id, client_id, "alice", password="Wrong-Passw0rd!")


def test_wrong_password_with_client_secret(server, cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    confirmed_user(cognito, pool_id, "jill")
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        srp_sign_in(server, pool_id, client["ClientId"], "jill", password="Wrong-Passw0rd!",
                    client_secret=client["ClientSecret"])


def test_secret_client_without_secret_hash(cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    client_id = client["ClientId"]
    confirmed_user(cognito, pool_id, "kim")
    # The live wording has changed over time: "Client <id> is configured for secret but secret
    # was not received" (older CLI outputs in public READMEs) and "Client <id> is configured with
    # secret but SECRET_HASH was not received" (amplify-android#2504, 2025 logs); both start so.
    with expect_error("NotAuthorizedException", contains=f"Client {client_id} is configured") as caught:
        srp_start(cognito, pool_id, client_id, "kim")
    assert "secret" in caught.message


def test_secret_hash_also_checked_on_the_challenge_response(cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    confirmed_user(cognito, pool_id, "lena")
    srp, params, resp = srp_start(cognito, pool_id, client_id, "lena", client_secret=secret)
    answer = srp.process_challenge(resp["ChallengeParameters"], params)
    answer["SECRET_HASH"] = secret_hash("lena", client_id, "not-the-secret")
    with expect_error("NotAuthorizedException", f"Unable to verify secret hash for client {client_id}"):
        cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses=answer)


def test_tampered_secret_block(cognito, srp_pool):
    pool_id, client_id = srp_pool
    srp, params, resp = srp_start(cognito, pool_id, client_id, "alice")
    challenge = dict(resp["ChallengeParameters"])
    raw = bytearray(base64.b64decode(challenge["SECRET_BLOCK"]))
    raw[len(raw) // 2] ^= 0x01
    challenge["SECRET_BLOCK"] = base64.b64encode(bytes(raw)).decode()
    # The client signs the tampered block consistently; only the server can tell.
    answer = srp.process_challenge(challenge, params)
    with expect_error("NotAuthorizedException"):
        cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses=answer)


def test_secret_block_bound_to_its_client(cognito, srp_pool):
    pool_id, client_id = srp_pool
    other_client = make_app_client(cognito, pool_id)["ClientId"]
    srp, params, resp = srp_start(cognito, pool_id, client_id, "alice")
    answer = srp.process_challenge(resp["ChallengeParameters"], params)
    with expect_error("NotAuthorizedException"):
        cognito.respond_to_auth_challenge(ClientId=other_client, ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses=answer)


def test_signature_over_other_timestamp_refused(cognito, srp_pool):
    pool_id, client_id = srp_pool
    srp, params, resp = srp_start(cognito, pool_id, client_id, "alice")
    answer = srp.process_challenge(resp["ChallengeParameters"], params)
    # The signature covers TIMESTAMP: changing it after signing must break the proof.
    parts = answer["TIMESTAMP"].split(" ")
    parts[-1] = str(int(parts[-1]) - 1)
    answer["TIMESTAMP"] = " ".join(parts)
    with expect_error("NotAuthorizedException"):
        cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses=answer)


@pytest.mark.parametrize("a_value", [0, N, 2 * N], ids=["zero", "N", "2N"])
def test_srp_a_congruent_to_zero_refused(cognito, srp_pool, a_value):
    pool_id, client_id = srp_pool
    # A ≡ 0 (mod N) would let a client force S = 0 without the password (SRP-6a safety check).
    with expect_error({"NotAuthorizedException", "InvalidParameterException"}):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": "alice", "SRP_A": format(a_value, "x")})


def test_srp_a_not_hex_refused(cognito, srp_pool):
    pool_id, client_id = srp_pool
    with expect_error({"NotAuthorizedException", "InvalidParameterException"}):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": "alice", "SRP_A": "not-hex!"})


def test_missing_srp_a(cognito, srp_pool):
    pool_id, client_id = srp_pool
    with expect_error("InvalidParameterException"):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "alice"})


def test_user_status_after_srp_sign_in_unchanged(server, cognito, srp_pool):
    pool_id, client_id = srp_pool
    srp_sign_in(server, pool_id, client_id, "alice")
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert attr_dict(user["UserAttributes"])["email"] == "alice@example.com"
