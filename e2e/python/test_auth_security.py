"""Security negatives, one test each (issue 3, Build 7 and the Proof's negative cases).

Time-dependent negatives (expired tokens, expired codes and sessions, long lockouts) are proven
by the Rust end-to-end suite with a fixed clock; here only what real time allows.

Cognito facts:
- Wrong password, and unknown user with PreventUserExistenceErrors ENABLED:
  NotAuthorizedException "Incorrect username or password."; unknown user with LEGACY:
  UserNotFoundException "User does not exist." (developer guide, "Managing error responses").
- USER_SRP_AUTH for an unknown user with ENABLED: a simulated PASSWORD_VERIFIER challenge whose
  values are stable for the same username, then NotAuthorizedException (same page).
- Unconfirmed: UserNotConfirmedException "User is not confirmed." (live output quoted in
  jagregory/cognito-local#337). Disabled: NotAuthorizedException "User is disabled."
- Lockout: after 5 failed sign-ins the user is locked for 1 s, doubling after each further
  failure; attempts during a lockout fail with NotAuthorizedException "Password attempts
  exceeded" (developer guide, "Authentication" / lockout behavior; amazon-cognito-identity-js#257).
- An email is usable as an alias only once verified (AWS engineer on aws-sdk-ios#515).
"""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
import requests
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pycognito.aws_srp import N_HEX

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    LOCKED,
    WRONG_PASSWORD,
    attr_dict,
    attr_list,
    b64url,
    confirmed_user,
    fail_sign_in,
    issuer_of,
    jwt_claims,
    jwt_header,
    latest_code,
    make_app_client,
    make_pool,
    checks_the_lockout_allows,
    parallel_wrong_passwords,
    password_auth,
    pool_with_user,
    secret_hash,
    sign_in,
    sign_up,
    srp_sign_in,
    srp_start,
)


@pytest.fixture
def pool_user(cognito):
    return pool_with_user(cognito, attributes={"email": "alice@example.com"})


# ---------------------------------------------------------------- wrong password / unknown user


def test_wrong_password_every_flow(server, cognito, pool_user):
    pool_id, client_id = pool_user
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(cognito, client_id, "alice", "Wrong-Passw0rd!")
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        srp_sign_in(server, pool_id, client_id, "alice", "Wrong-Passw0rd!")
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        make_client(server).admin_initiate_auth(
            UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": "Wrong-Passw0rd!"})


def test_unknown_user_legacy(server, cognito, pool_user):
    pool_id, client_id = pool_user
    with expect_error("UserNotFoundException", "User does not exist."):
        password_auth(cognito, client_id, "ghost", AUTH_PASSWORD)
    with expect_error("UserNotFoundException", "User does not exist."):
        srp_sign_in(server, pool_id, client_id, "ghost")
    with expect_error("UserNotFoundException", "User does not exist."):
        make_client(server).admin_initiate_auth(
            UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ghost", "PASSWORD": AUTH_PASSWORD})


@pytest.fixture
def hiding(cognito):
    """A client with PreventUserExistenceErrors ENABLED, and a real user."""
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    confirmed_user(cognito, pool_id, "alice")
    return pool_id, client_id


def test_unknown_user_hidden_in_password_flows(server, cognito, hiding):
    pool_id, client_id = hiding
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(cognito, client_id, "ghost", AUTH_PASSWORD)
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        make_client(server).admin_initiate_auth(
            UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ghost", "PASSWORD": AUTH_PASSWORD})


def test_unknown_user_hidden_in_srp(server, cognito, hiding):
    pool_id, client_id = hiding
    _, _, real = srp_start(cognito, pool_id, client_id, "alice")
    _, _, first = srp_start(cognito, pool_id, client_id, "ghost")
    _, _, again = srp_start(cognito, pool_id, client_id, "ghost")
    _, _, other = srp_start(cognito, pool_id, client_id, "phantom")
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    # Same shape as a real user's challenge.
    assert set(first["ChallengeParameters"]) == set(real["ChallengeParameters"])
    # Stable for the same username (a real user's salt never changes either)…
    for key in ("SALT", "USER_ID_FOR_SRP"):
        assert first["ChallengeParameters"][key] == again["ChallengeParameters"][key], key
    # …and not shared by all unknown users.
    assert first["ChallengeParameters"]["SALT"] != other["ChallengeParameters"]["SALT"]
    # Finishing the exchange fails exactly like a wrong password.
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        srp_sign_in(server, pool_id, client_id, "ghost")
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        srp_sign_in(server, pool_id, client_id, "alice", "Wrong-Passw0rd!")


def test_unknown_user_hidden_with_secret_client(server, cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True, PreventUserExistenceErrors="ENABLED")
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        srp_sign_in(server, pool_id, client["ClientId"], "ghost", client_secret=client["ClientSecret"])


# ---------------------------------------------------------------- user state


def test_disabled_user(server, cognito, pool_user):
    pool_id, client_id = pool_user
    cognito.admin_disable_user(UserPoolId=pool_id, Username="alice")
    with expect_error("NotAuthorizedException", "User is disabled."):
        password_auth(cognito, client_id, "alice", AUTH_PASSWORD)
    with expect_error("NotAuthorizedException", "User is disabled."):
        srp_sign_in(server, pool_id, client_id, "alice")


def test_unconfirmed_user(server, cognito):
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    sign_up(cognito, client_id, "bob", email="bob@example.com")
    with expect_error("UserNotConfirmedException", "User is not confirmed."):
        password_auth(cognito, client_id, "bob", AUTH_PASSWORD)
    with expect_error("UserNotConfirmedException", "User is not confirmed."):
        srp_sign_in(server, pool_id, client_id, "bob")
    # Confirmed, the same password works.
    cognito.confirm_sign_up(ClientId=client_id, Username="bob",
                            ConfirmationCode=latest_code(server, pool_id, "bob@example.com"))
    assert sign_in(cognito, client_id, "bob")["AccessToken"]


def test_unverified_email_is_not_a_sign_in_alias(server, cognito):
    pool_id = make_pool(cognito, AliasAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "carol", attributes={"email": "carol@example.com"})
    with expect_error("UserNotFoundException"):
        password_auth(cognito, client_id, "carol@example.com", AUTH_PASSWORD)
    with expect_error("UserNotFoundException"):
        srp_sign_in(server, pool_id, client_id, "carol@example.com")
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="carol",
                                         UserAttributes=attr_list({"email_verified": "true"}))
    assert jwt_claims(sign_in(cognito, client_id, "carol@example.com")["AccessToken"])["username"] == "carol"


def test_self_changed_email_is_not_an_alias_until_verified(server, cognito):
    pool_id = make_pool(cognito, AliasAttributes=["email"], AutoVerifiedAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "dave", attributes={"email": "dave@example.com", "email_verified": "true"})
    token = sign_in(cognito, client_id, "dave@example.com")["AccessToken"]
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"email": "victim@example.com"}))
    with expect_error("UserNotFoundException"):
        password_auth(cognito, client_id, "victim@example.com", AUTH_PASSWORD)


# ---------------------------------------------------------------- client authentication


def test_wrong_secret_hash(server, cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    confirmed_user(cognito, pool_id, "erin")
    message = f"Unable to verify secret hash for client {client_id}"
    with expect_error("NotAuthorizedException", message):
        password_auth(cognito, client_id, "erin", AUTH_PASSWORD, client_secret="not-the-secret")
    with expect_error("NotAuthorizedException", message):
        srp_sign_in(server, pool_id, client_id, "erin", client_secret="not-the-secret")
    # A hash made for another username does not pass either.
    with expect_error("NotAuthorizedException", message):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
            "USERNAME": "erin", "PASSWORD": AUTH_PASSWORD,
            "SECRET_HASH": secret_hash("mallory", client_id, secret)})


def test_flow_not_allowed_for_client(server, cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, flows=["ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    confirmed_user(cognito, pool_id, "fay")
    with expect_error("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"):
        password_auth(cognito, client_id, "fay", AUTH_PASSWORD)
    with expect_error("InvalidParameterException", "USER_SRP_AUTH is not enabled for the client."):
        srp_sign_in(server, pool_id, client_id, "fay")


# ---------------------------------------------------------------- forged and misused tokens


def _b64json(obj):
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def _public_pems(server, pool_id, kid):
    jwks = requests.get(f"{issuer_of(server, pool_id)}/.well-known/jwks.json", timeout=10).json()
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid)).key
    return [
        key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1),
    ]


@pytest.fixture
def signed_in(cognito, pool_user):
    pool_id, client_id = pool_user
    return pool_id, client_id, sign_in(cognito, client_id, "alice")


def test_tampered_access_token(cognito, signed_in):
    pool_id, client_id, auth = signed_in
    confirmed_user(cognito, pool_id, "bob")
    bob_sub = attr_dict(cognito.admin_get_user(UserPoolId=pool_id, Username="bob")["UserAttributes"])["sub"]
    header, payload, signature = auth["AccessToken"].split(".")
    claims = jwt_claims(auth["AccessToken"])
    claims.update(username="bob", sub=bob_sub)
    forged = ".".join([header, _b64json(claims), signature])
    with expect_error("NotAuthorizedException"):
        cognito.get_user(AccessToken=forged)
    # A flipped signature byte is refused too.
    sig = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    sig[0] ^= 0x01
    with expect_error("NotAuthorizedException"):
        cognito.get_user(AccessToken=".".join([header, payload, b64url(bytes(sig))]))


def test_alg_none_token(cognito, signed_in):
    _, _, auth = signed_in
    header = jwt_header(auth["AccessToken"])
    claims = jwt_claims(auth["AccessToken"])
    for alg in ("none", "None", "NONE"):
        forged = f"{_b64json({'kid': header['kid'], 'alg': alg})}.{_b64json(claims)}."
        with expect_error("NotAuthorizedException"):
            cognito.get_user(AccessToken=forged)


def test_hs256_signed_with_public_key(server, cognito, signed_in):
    pool_id, _, auth = signed_in
    header = jwt_header(auth["AccessToken"])
    claims = jwt_claims(auth["AccessToken"])
    for pem in _public_pems(server, pool_id, header["kid"]):
        signing_input = f"{_b64json({'kid': header['kid'], 'alg': 'HS256'})}.{_b64json(claims)}"
        sig = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
        with expect_error("NotAuthorizedException"):
            cognito.get_user(AccessToken=f"{signing_input}.{b64url(sig)}")


def test_token_signed_by_another_key(cognito, signed_in):
    _, _, auth = signed_in
    header = jwt_header(auth["AccessToken"])
    claims = jwt_claims(auth["AccessToken"])
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for kid in (header["kid"], "attacker-key"):
        forged = jwt.encode(claims, attacker, algorithm="RS256", headers={"kid": kid})
        with expect_error("NotAuthorizedException"):
            cognito.get_user(AccessToken=forged)


def test_id_token_is_not_an_access_token(cognito, signed_in):
    _, _, auth = signed_in
    with expect_error("NotAuthorizedException"):
        cognito.get_user(AccessToken=auth["IdToken"])
    with expect_error("NotAuthorizedException"):
        cognito.global_sign_out(AccessToken=auth["IdToken"])
    assert cognito.get_user(AccessToken=auth["AccessToken"])["Username"] == "alice"


def test_refresh_token_is_not_an_access_token(cognito, signed_in):
    _, _, auth = signed_in
    with expect_error("NotAuthorizedException"):
        cognito.get_user(AccessToken=auth["RefreshToken"])


def test_garbage_access_token(cognito):
    # "Invalid Access Token" (live message quoted in awslabs/aws-amplify-identity-broker#538).
    with expect_error("NotAuthorizedException", "Invalid Access Token"):
        cognito.get_user(AccessToken="not-a-jwt")
    with expect_error("NotAuthorizedException"):
        cognito.get_user(AccessToken="a.b.c")


FOREIGN = """
[[pools]]
id = "us-east-1_Foreign01"
name = "foreign"

[[pools.clients]]
id = "foreignclient0000000000001"
name = "web"
generate_secret = false
settings = { ExplicitAuthFlows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }

[[pools.users]]
username = "alice"
password = "Passw0rd!"
attributes = { email = "alice@example.com", email_verified = "true" }
"""


def test_token_from_a_foreign_pool_with_the_same_id(start_server):
    # Two deployments with an identical pool id, client id and user: only the signing keys
    # differ, so a token of one must be worthless on the other.
    a, b = start_server(config_toml=FOREIGN), start_server(config_toml=FOREIGN)
    ca, cb = make_client(a), make_client(b)
    client_id = "foreignclient0000000000001"
    from_a = sign_in(ca, client_id, "alice")
    from_b = sign_in(cb, client_id, "alice")
    assert ca.get_user(AccessToken=from_a["AccessToken"])["Username"] == "alice"
    with expect_error("NotAuthorizedException"):
        ca.get_user(AccessToken=from_b["AccessToken"])
    with expect_error("NotAuthorizedException"):
        cb.get_user(AccessToken=from_a["AccessToken"])
    with expect_error("NotAuthorizedException"):
        ca.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                         AuthParameters={"REFRESH_TOKEN": from_b["RefreshToken"]})
    assert jwt_header(from_a["AccessToken"])["kid"] != jwt_header(from_b["AccessToken"])["kid"]


# ---------------------------------------------------------------- SRP protocol abuse


@pytest.mark.parametrize("factor", [0, 1, 2])
def test_srp_a_multiple_of_n(cognito, pool_user, factor):
    pool_id, client_id = pool_user
    a_hex = format(factor * int(N_HEX, 16), "x")
    # srp.md: A ≡ 0 (mod N) is refused (NotAuthorizedException / InvalidParameterException).
    with expect_error({"NotAuthorizedException", "InvalidParameterException"}):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": "alice", "SRP_A": a_hex})


def test_forged_password_claim_signature(cognito, pool_user):
    pool_id, client_id = pool_user
    srp, params, resp = srp_start(cognito, pool_id, client_id, "alice")
    answer = srp.process_challenge(resp["ChallengeParameters"], params)
    answer["PASSWORD_CLAIM_SIGNATURE"] = base64.b64encode(b"\x00" * 32).decode()
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses=answer)


def test_password_verifier_for_another_user(cognito, pool_user):
    pool_id, client_id = pool_user
    confirmed_user(cognito, pool_id, "bob")
    srp, params, resp = srp_start(cognito, pool_id, client_id, "alice")
    answer = srp.process_challenge(resp["ChallengeParameters"], params)
    answer["USERNAME"] = "bob"
    try:
        result = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                                   ChallengeResponses=answer)
    except ClientError as e:
        assert e.response["Error"]["Code"] in {"NotAuthorizedException", "InvalidParameterException"}
    else:
        # Answering for the user the SECRET_BLOCK was made for is tolerable; bob's tokens are not.
        assert jwt_claims(result["AuthenticationResult"]["AccessToken"])["username"] == "alice"


def test_new_password_without_a_challenge_in_progress(cognito, pool_user):
    pool_id, client_id = pool_user
    # Answering NEW_PASSWORD_REQUIRED without the Session of such a challenge must not set a
    # password.
    for extra in ({}, {"Session": "x" * 40}):
        with expect_error({"NotAuthorizedException", "InvalidParameterException"}):
            cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                              ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": "Hijack3d-Passw0rd!"},
                                              **extra)
    assert sign_in(cognito, client_id, "alice")["AccessToken"]
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(cognito, client_id, "alice", "Hijack3d-Passw0rd!")


# ---------------------------------------------------------------- lockout


def test_lockout_and_release(cognito, pool_user):
    pool_id, client_id = pool_user
    fail_sign_in(cognito, client_id, "alice", 5)
    started = time.monotonic()
    # Locked: even the right password is refused with the lockout message.
    with expect_error("NotAuthorizedException", LOCKED):
        password_auth(cognito, client_id, "alice", AUTH_PASSWORD)
    assert time.monotonic() - started < 1.0, "the first lockout lasts 1 s; this check came too late"
    time.sleep(2.5)
    assert sign_in(cognito, client_id, "alice")["AccessToken"]


def test_lockout_applies_to_srp_and_is_per_user(server, cognito, pool_user):
    pool_id, client_id = pool_user
    confirmed_user(cognito, pool_id, "bob")
    fail_sign_in(cognito, client_id, "alice", 5)
    # An SRP exchange is two round trips plus client-side arithmetic, too slow to land inside
    # the first 1 s lockout on a loaded machine: let it pass and fail once more, which doubles
    # the next lockout to 2 s.
    time.sleep(1.2)
    fail_sign_in(cognito, client_id, "alice", 1)
    started = time.monotonic()
    with expect_error("NotAuthorizedException", LOCKED):
        srp_sign_in(server, pool_id, client_id, "alice")
    assert time.monotonic() - started < 2.0, "the second lockout lasts 2 s; this check came too late"
    # Another user of the same pool is not affected.
    assert sign_in(cognito, client_id, "bob")["AccessToken"]
    time.sleep(3)
    assert srp_sign_in(server, pool_id, client_id, "alice")["AuthenticationResult"]


def test_parallel_wrong_passwords_reach_the_check_no_more_than_the_lockout_allows(server, cognito):
    # Fifty guesses at once against one account: only the five the lockout allows may reach the
    # password check ("Incorrect username or password."); the rest are refused by the lockout the
    # fifth one starts ("Password attempts exceeded") — as if they had come one after another.
    # A round slower than the first lockout's second may see it lapse (see
    # checks_the_lockout_allows); on an unloaded machine that is exactly five.
    clients = [make_client(server) for _ in range(50)]
    for round_ in range(5):
        pool_id, client_id = pool_with_user(cognito)
        started = time.monotonic()
        answers = parallel_wrong_passwords(clients, client_id, "alice")
        elapsed = time.monotonic() - started
        checked = answers[("NotAuthorizedException", WRONG_PASSWORD)]
        assert 5 <= checked <= checks_the_lockout_allows(elapsed), (round_, elapsed, answers)
        assert answers[("NotAuthorizedException", LOCKED)] == 50 - checked, (round_, answers)


def test_one_failure_counter_across_flows(server, cognito, pool_user):
    pool_id, client_id = pool_user
    admin = make_client(server)
    for _ in range(2):
        with expect_error("NotAuthorizedException", WRONG_PASSWORD):
            srp_sign_in(server, pool_id, client_id, "alice", "Wrong-Passw0rd!")
    for _ in range(2):
        with expect_error("NotAuthorizedException", WRONG_PASSWORD):
            admin.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "alice", "PASSWORD": "Wrong-Passw0rd!"})
    fail_sign_in(cognito, client_id, "alice", 1)
    started = time.monotonic()
    with expect_error("NotAuthorizedException", LOCKED):
        password_auth(cognito, client_id, "alice", AUTH_PASSWORD)
    assert time.monotonic() - started < 1.0, "the first lockout lasts 1 s; this check came too late"
    time.sleep(2.5)
    assert sign_in(cognito, client_id, "alice")["AccessToken"]


def test_lockout_is_kept_in_the_store(start_server):
    srv = start_server()
    c = make_client(srv)
    pool_id = make_pool(c)
    client_id = make_app_client(c, pool_id)["ClientId"]
    confirmed_user(c, pool_id, "gail")
    fail_sign_in(c, client_id, "gail", 5)
    time.sleep(1.5)  # the first (1 s) lockout is over
    srv.restart()
    c = make_client(srv)
    # Kept in the store, the counter now stands at 5: a sixth failure locks the user for 2 s,
    # so the right password right after it is refused. Had the restart forgotten the
    # failures, this would be failure number 1 and the sign-in would succeed.
    fail_sign_in(c, client_id, "gail", 1)
    started = time.monotonic()
    with expect_error("NotAuthorizedException", LOCKED):
        password_auth(c, client_id, "gail", AUTH_PASSWORD)
    assert time.monotonic() - started < 2.0
