"""Several Tessera nodes over one PostgreSQL database behave as one Cognito user pool service.

Every test runs two `tessera serve` processes (separate ports and data directories) with the
same `--store` URL, the same key-encryption key and the same `--public-url`, and proves that
no state that matters lives only in one process:

- pools, clients and users created on one node are seen by the other; a sign-up code sent by
  node 1 confirms the user on node 2;
- an SRP sign-in may start on one node and finish on the other;
- tokens issued by either node are accepted by both (refresh, GetUser), and a GlobalSignOut on
  one node revokes them on the other; so does revoking one user session (RevokeUserSession),
  which leaves the user's other sessions working on both;
- the lockout counter (5 failures, then "Password attempts exceeded") is one counter for both;
- `tessera rotate-signing-keys` run against the database reaches every node's JWKS and signer
  within seconds, and tokens signed with the new key verify against the other node's JWKS;
- 100 concurrent SignUps of one username over both nodes create exactly one user;
- MFA: a SOFTWARE_TOKEN_MFA challenge (after USER_PASSWORD_AUTH or SRP) issued by one node is
  answered on the other; a TOTP code taken on one node is a replay on the other, and one code
  answered at once over both nodes signs in once; MFA_SETUP hops between nodes at every step;
  an SMS or email code sent by one node is taken on the other, once;
- a database outage makes both nodes answer 503 on /ready and InternalErrorException (HTTP 500)
  on API calls, quickly and without reporting a write that was not stored; when the database
  comes back both nodes recover on their own, and every acknowledged write is there.

The database is a private PostgreSQL cluster (private_postgres.py) started for this module, so
that the outage test can stop it without disturbing the machine's shared server.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import SimpleNamespace

import pyotp
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP, generate_hash_device

from private_postgres import PostgresUnavailable, PrivatePostgres
from tessera_e2e.aws import assert_json_error, expect_error, make_client, raw_call
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    LOCKED,
    REVOKED_ACCESS,
    REVOKED_REFRESH,
    WRONG_PASSWORD,
    admin_get_user,
    assert_tokens,
    attr_dict,
    codes_for,
    confirmed_user,
    fail_sign_in,
    jwt_claims,
    jwt_header,
    latest_code,
    make_app_client,
    make_pool,
    checks_the_lockout_allows,
    parallel_wrong_passwords,
    password_auth,
    pool_with_user,
    refresh,
    sign_in,
    sign_up,
    srp_start,
    unique,
    user_status,
    verify_token,
)
from tessera_e2e.server import TesseraServer, run_tessera

pytestmark = pytest.mark.slow

# Both nodes name this as their public URL, so a token's issuer does not depend on which node
# issued it (nothing needs to resolve the host: clients use each node's listen URL).
PUBLIC_URL = "http://tessera.test"

# Bounds: generous for a loaded machine, but a hang still fails the test.
KEY_ROTATION_TIMEOUT = 15.0  # the nodes' signing-key cache lives 5 s
CALL_TIMEOUT = 15.0  # an API call while the database is down must fail within this
RECOVERY_TIMEOUT = 30.0


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def shared_db():
    """A private PostgreSQL cluster and the key-encryption key every node on it shares."""
    try:
        pg = PrivatePostgres()
    except PostgresUnavailable as e:
        pytest.fail(f"the multi-node tests need a private PostgreSQL server: {e}", pytrace=False)
    try:
        pg.init().start()
    except PostgresUnavailable as e:
        pg.destroy()
        pytest.fail(f"could not start a private PostgreSQL server: {e}", pytrace=False)
    kek = base64.b64encode(os.urandom(32)).decode()
    try:
        yield SimpleNamespace(pg=pg, kek=kek, env={"TESSERA_KEY_ENCRYPTION_KEY": kek})
    finally:
        pg.destroy()


def start_nodes(start_server, shared_db, env: dict | None = None) -> tuple:
    """Two running nodes on the shared database, each with a data directory of its own."""
    started = []
    for _ in range(2):
        node = start_server(env={**shared_db.env, **(env or {})},
                            args=["--store", shared_db.pg.url, "--public-url", PUBLIC_URL])
        r = requests.get(f"{node.url}/ready", timeout=10)
        assert r.status_code == 200 and r.json() == {"status": "ready"}, (r.status_code, r.text, node.stderr_text())
        started.append(node)
    assert started[0].port != started[1].port and started[0].data_dir != started[1].data_dir
    return tuple(started)


@pytest.fixture
def nodes(start_server, shared_db):
    """Two running nodes on the shared database, each with a data directory of its own."""
    return start_nodes(start_server, shared_db)


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll `predicate` until it returns something truthy (returned), or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


def issuer(pool_id: str) -> str:
    return f"{PUBLIC_URL}/{pool_id}"


def jwks(node, pool_id) -> dict:
    r = requests.get(f"{node.url}/{pool_id}/.well-known/jwks.json", timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def kids(node, pool_id) -> set[str]:
    return {key["kid"] for key in jwks(node, pool_id)["keys"]}


def wait_ready(node, status: int, timeout: float) -> dict:
    """Poll `node`'s /ready until it answers `status`; returns the JSON body. (Polled, not
    awaited: a node notices the database's state on its next query.)"""

    def check():
        r = requests.get(f"{node.url}/ready", timeout=CALL_TIMEOUT)
        return r.json() if r.status_code == status else None

    return wait_for(check, timeout, f"{node.url}/ready to answer {status}")


# ---------------------------------------------------------------- shared state


def test_pool_user_and_sign_up_code_shared(nodes):
    n1, n2 = nodes
    c1, c2 = make_client(n1), make_client(n2)
    pool_id = make_pool(c1, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(c1, pool_id)["ClientId"]
    # Created on node 1, described by node 2.
    assert c2.describe_user_pool(UserPoolId=pool_id)["UserPool"]["AutoVerifiedAttributes"] == ["email"]
    assert c2.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]["ClientId"] == client_id

    username = unique("user")
    email = f"{username}@example.com"
    answer = sign_up(c1, client_id, username, email=email)
    assert answer["UserConfirmed"] is False
    assert user_status(c2, pool_id, username) == "UNCONFIRMED"

    # The dev outbox is per process: node 1 sent the code, node 2 never saw it ...
    code = latest_code(n1, pool_id, email)
    assert codes_for(n2, pool_id, email) == []
    # ... yet node 2 accepts it, because the code itself is in the database.
    c2.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
    for cognito in (c1, c2):
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
        assert user["UserStatus"] == "CONFIRMED"
        assert attr_dict(user["UserAttributes"])["email_verified"] == "true"
    # The confirmed user signs in on either node.
    for cognito in (c1, c2):
        assert jwt_claims(sign_in(cognito, client_id, username)["AccessToken"])["username"] == username


@pytest.mark.parametrize("with_session", [False, True], ids=["pycognito-no-session", "identity-js-session"])
def test_srp_started_on_one_node_finished_on_the_other(nodes, with_session):
    n1, n2 = nodes
    c1, c2 = make_client(n1), make_client(n2)
    pool_id, client_id = pool_with_user(c1)
    srp, params, challenge = srp_start(c1, pool_id, client_id, "alice")
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    # pycognito's own arithmetic (A, S, HKDF, PASSWORD_CLAIM_SIGNATURE) over node 1's B and
    # SECRET_BLOCK; the answer goes to node 2, which never saw the InitiateAuth.
    answer = srp.process_challenge(challenge["ChallengeParameters"], params)
    extra = {}
    if with_session:
        # amazon-cognito-identity-js style: USERNAME = USER_ID_FOR_SRP and the Session echoed.
        answer["USERNAME"] = challenge["ChallengeParameters"]["USER_ID_FOR_SRP"]
        if challenge.get("Session"):
            extra["Session"] = challenge["Session"]
    result = c2.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses=answer, **extra)
    tokens = result["AuthenticationResult"]
    claims = verify_token(tokens["AccessToken"], n2, pool_id, issuer=issuer(pool_id))
    assert claims["username"] == "alice" and claims["iss"] == issuer(pool_id)
    id_claims = verify_token(tokens["IdToken"], n1, pool_id, audience=client_id, issuer=issuer(pool_id))
    assert id_claims["cognito:username"] == "alice"


def test_tokens_refresh_and_global_sign_out_across_nodes(nodes):
    n1, n2 = nodes
    c1, c2 = make_client(n1), make_client(n2)
    pool_id, client_id = pool_with_user(c1)

    from_node2 = sign_in(c2, client_id, "alice")
    assert jwt_claims(from_node2["AccessToken"])["iss"] == issuer(pool_id)
    # Node 1 refreshes node 2's refresh token ...
    from_node1 = refresh(c1, client_id, from_node2["RefreshToken"])
    assert jwt_claims(from_node1["AccessToken"])["iss"] == issuer(pool_id)
    # ... and each node accepts the other's access token.
    assert c2.get_user(AccessToken=from_node1["AccessToken"])["Username"] == "alice"
    assert c1.get_user(AccessToken=from_node2["AccessToken"])["Username"] == "alice"

    # A sign-out on node 2 revokes on node 1 too: the refresh token and node 1's access token.
    c2.global_sign_out(AccessToken=from_node2["AccessToken"])
    with expect_error("NotAuthorizedException", REVOKED_REFRESH):
        refresh(c1, client_id, from_node2["RefreshToken"])
    with expect_error("NotAuthorizedException", REVOKED_ACCESS):
        c1.get_user(AccessToken=from_node1["AccessToken"])
    # A fresh sign-in afterwards works everywhere.
    fresh = sign_in(c1, client_id, "alice")
    assert c2.get_user(AccessToken=fresh["AccessToken"])["Username"] == "alice"


def test_revoking_a_session_on_one_node_ends_its_tokens_on_the_other(nodes):
    """The sessions proof over two nodes: three sign-ins (two on node 1, one on node 2) list as
    three sessions on either node; revoking one on node 1 refuses its refresh token
    (REFRESH_TOKEN_AUTH) and its access token (GetUser) on node 2, and the other two keep working
    there."""
    n1, n2 = nodes
    c1, c2 = make_client(n1), make_client(n2)
    pool_id, client_id = pool_with_user(c1)
    c1.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 20})
    signed_in = [sign_in(c1, client_id, "alice"), sign_in(c2, client_id, "alice"),
                 sign_in(c1, client_id, "alice")]
    for cognito in (c1, c2):
        assert len(cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"]) == 3
    # Node 2 names the session of node 2's sign-in; node 1 revokes it.
    (target,) = [s["SessionId"] for s in
                 c2.list_user_sessions(AccessToken=signed_in[1]["AccessToken"])["Sessions"]
                 if s["IsCurrentSession"]]
    c1.revoke_user_session(AccessToken=signed_in[0]["AccessToken"], SessionId=target)
    with expect_error("NotAuthorizedException", REVOKED_REFRESH):
        refresh(c2, client_id, signed_in[1]["RefreshToken"])
    with expect_error("NotAuthorizedException", REVOKED_ACCESS):
        c2.get_user(AccessToken=signed_in[1]["AccessToken"])
    for alive in (signed_in[0], signed_in[2]):
        assert c2.get_user(AccessToken=alive["AccessToken"])["Username"] == "alice"
        assert refresh(c2, client_id, alive["RefreshToken"])["AccessToken"]
    left = c2.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"]
    assert len(left) == 2 and target not in {s["SessionId"] for s in left}


def test_lockout_counts_failures_on_both_nodes(nodes):
    n1, n2 = nodes
    clients = [make_client(n1), make_client(n2)]
    pool_id, client_id = pool_with_user(clients[0])

    # Five failures, alternating nodes: 3 on node 1, 2 on node 2. Neither node alone reaches 5,
    # so only a shared counter locks the user.
    fail_sign_in(clients, client_id, "alice", 5)
    started = time.monotonic()
    # Locked on both nodes: even the right password is refused.
    for node, cognito in ((2, clients[1]), (1, clients[0])):
        try:
            answer = password_auth(cognito, client_id, "alice", AUTH_PASSWORD)
        except ClientError as e:
            err = e.response["Error"]
            assert (err["Code"], err["Message"]) == ("NotAuthorizedException", LOCKED), err
        else:
            pytest.fail(f"node {node} signed alice in {time.monotonic() - started:.2f}s after the fifth "
                        f"failure, inside the first (1 s) lockout: {answer}")

    # Attempts during a lockout do not count, so polling with the right password ends when the
    # (1 s) lockout does.
    def signed_in():
        try:
            return password_auth(clients[1], client_id, "alice", AUTH_PASSWORD)["AuthenticationResult"]
        except ClientError as e:
            assert e.response["Error"]["Message"] == LOCKED, e.response
            return None

    wait_for(signed_in, 10, "the lockout to end", interval=0.2)


def test_parallel_wrong_passwords_over_both_nodes_reach_the_check_five_times(nodes):
    # The lockout bounds guesses exactly across nodes too: 25 guesses at once on each node,
    # five reach the password check in all.
    n1, n2 = nodes
    clients = [make_client(n) for n in (n1, n2) for _ in range(25)]
    # Five, unless the round outlasts a lockout (checks_the_lockout_allows).
    for round_ in range(3):
        pool_id, client_id = pool_with_user(clients[0])
        started = time.monotonic()
        answers = parallel_wrong_passwords(clients, client_id, "alice")
        elapsed = time.monotonic() - started
        checked = answers[("NotAuthorizedException", WRONG_PASSWORD)]
        assert 5 <= checked <= checks_the_lockout_allows(elapsed), (round_, elapsed, answers)
        assert answers[("NotAuthorizedException", LOCKED)] == 50 - checked, (round_, answers)


# ---------------------------------------------------------------- signing keys


def test_key_rotation_reaches_every_node(nodes, shared_db, tessera_bin, tmp_path):
    n1, n2 = nodes
    c1, c2 = make_client(n1), make_client(n2)
    pool_id, client_id = pool_with_user(c1)

    # A sign-in makes sure the pool's keys exist; both nodes publish the same ones.
    before_tokens = sign_in(c1, client_id, "alice")
    old_kid = jwt_header(before_tokens["AccessToken"])["kid"]
    before = kids(n1, pool_id)
    assert old_kid in before
    assert kids(n2, pool_id) == before

    result = run_tessera(tessera_bin, "rotate-signing-keys", "--pool-id", pool_id,
                         "--store", shared_db.pg.url, "--data-dir", tmp_path / "cli-data",
                         env=shared_db.env, timeout=60)
    assert result.returncode == 0 and not result.timed_out, result.output

    # Node 2 publishes the new key(s) and keeps the old ones for the tokens they signed.
    def node2_has_new_kid():
        published = kids(n2, pool_id)
        return published if published - before else None

    after = wait_for(node2_has_new_kid, KEY_ROTATION_TIMEOUT, "a new kid in node 2's JWKS")
    assert before <= after, (before, after)
    wait_for(lambda: kids(n1, pool_id) == after, KEY_ROTATION_TIMEOUT, "node 1's JWKS to match node 2's")

    # Node 1 signs with a new key within the signing-key cache's lifetime.
    def signed_with_new_key():
        tokens = sign_in(c1, client_id, "alice")
        return tokens if jwt_header(tokens["AccessToken"])["kid"] not in before else None

    new_tokens = wait_for(signed_with_new_key, KEY_ROTATION_TIMEOUT, "node 1 to sign with the new key",
                          interval=0.5)
    assert jwt_header(new_tokens["AccessToken"])["kid"] in after
    # Verified by a resource server that only knows node 2's JWKS.
    assert verify_token(new_tokens["AccessToken"], n2, pool_id, issuer=issuer(pool_id))["username"] == "alice"
    id_claims = verify_token(new_tokens["IdToken"], n2, pool_id, audience=client_id, issuer=issuer(pool_id))
    assert id_claims["cognito:username"] == "alice"
    # Tokens signed before the rotation still verify, and still work on the API.
    assert verify_token(before_tokens["AccessToken"], n2, pool_id, issuer=issuer(pool_id))["username"] == "alice"
    assert c2.get_user(AccessToken=before_tokens["AccessToken"])["Username"] == "alice"
    assert c2.get_user(AccessToken=new_tokens["AccessToken"])["Username"] == "alice"


# ---------------------------------------------------------------- concurrency


def test_concurrent_sign_up_of_one_username_over_both_nodes(nodes):
    n1, n2 = nodes
    admin = make_client(n1)
    pool_id = make_pool(admin)
    client_id = make_app_client(admin, pool_id)["ClientId"]
    username = unique("racer")
    per_node = 50
    clients = [make_client(n) for n in (n1, n2) for _ in range(per_node)]
    barrier = threading.Barrier(len(clients))

    def attempt(cognito):
        barrier.wait(timeout=60)
        try:
            return ("ok", cognito.sign_up(ClientId=client_id, Username=username, Password=AUTH_PASSWORD))
        except ClientError as e:
            return (e.response["Error"]["Code"], e.response["Error"].get("Message"))
        except Exception as e:  # noqa: BLE001 - a transport failure is a finding too
            return (type(e).__name__, str(e))

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        outcomes = list(pool.map(attempt, clients))
    counts = Counter(code for code, _ in outcomes)
    unexpected = [o for o in outcomes if o[0] not in ("ok", "UsernameExistsException")]
    assert counts == Counter({"ok": 1, "UsernameExistsException": 2 * per_node - 1}), (counts, unexpected[:5])

    winner = next(answer for code, answer in outcomes if code == "ok")
    for cognito in (make_client(n1), make_client(n2)):
        users = cognito.list_users(UserPoolId=pool_id)["Users"]
        assert [u["Username"] for u in users] == [username]
        assert attr_dict(users[0]["Attributes"])["sub"] == winner["UserSub"]


# ---------------------------------------------------------------- multi-factor authentication

# The server's answer to a wrong, spent or replayed MFA code (as test_mfa.py asserts).
INVALID_MFA_CODE = "Invalid code or auth state for the user."
SMS_CONFIGURATION = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "ExternalId": "tessera"}
# A clocked node's clock starts this far behind real time and only moves forward, one TOTP step
# at a time: TOTP steps must move forward (each is taken once), while tokens must never come
# from the future (PyJWT refuses an `iat` ahead of its own clock).
CLOCK_START = -600
TOTP_STEP = 30


class SharedClock:
    """The test clocks of both nodes, moved together: every node reads the same time, so a
    TOTP code computed for one is the code of the same step on the other. (The nodes run on one
    machine, so the same offset from its clock is the same time.)"""

    def __init__(self, nodes, offset: int):
        self.nodes = nodes
        self.offset = None
        self.set(offset)

    def set(self, offset: int) -> None:
        assert offset <= 0, "a clock ahead of real time would issue tokens from the future"
        for node in self.nodes:
            r = requests.post(f"{node.url}/_tessera/clock", json={"offset_seconds": offset}, timeout=10)
            assert r.status_code == 200 and r.json()["offset_seconds"] == offset, (r.status_code, r.text)
        self.offset = offset

    def next_step(self) -> None:
        """Both nodes into the next 30-second step."""
        self.set(self.offset + TOTP_STEP)

    def now(self) -> float:
        readings = [requests.get(f"{node.url}/_tessera/clock", timeout=10).json() for node in self.nodes]
        assert all(r["offset_seconds"] == self.offset for r in readings), readings
        nows = [r["now"] for r in readings]
        assert max(nows) - min(nows) <= 2, f"the nodes' clocks disagree: {readings}"
        return nows[0]

    def code(self, secret: str, steps: int = 0) -> str:
        """The authenticator's code at the nodes' time, `steps` steps away (the server accepts
        one step either way)."""
        return pyotp.TOTP(secret).at(self.now() + TOTP_STEP * steps)


@pytest.fixture
def clocked_nodes(start_server, shared_db):
    """Two nodes with the test clock on, and the SharedClock that moves both: (n1, n2, clock)."""
    n1, n2 = start_nodes(start_server, shared_db, env={"TESSERA_TEST_CLOCK": "true"})
    return n1, n2, SharedClock((n1, n2), CLOCK_START)


def totp_pool(cognito, mode: str = "OPTIONAL") -> tuple[str, str]:
    """A pool with authenticator apps on (MfaConfiguration `mode`) and an app client allowing
    every flow: (pool_id, client_id)."""
    pool_id = make_pool(cognito)
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration=mode,
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    return pool_id, make_app_client(cognito, pool_id)["ClientId"]


def enroll_totp(clock: SharedClock, associate_on, verify_on, client_id: str, username: str,
                device: str = "phone") -> str:
    """A signed-in user (no MFA yet) associates an authenticator app on one node, verifies it
    on another, and makes it the preferred factor; returns the secret. The clock then moves to
    the next step, since the code used to verify is spent."""
    token = sign_in(associate_on, client_id, username)["AccessToken"]
    secret = associate_on.associate_software_token(AccessToken=token)["SecretCode"]
    verified = verify_on.verify_software_token(AccessToken=token, UserCode=clock.code(secret),
                                               FriendlyDeviceName=device)
    assert verified["Status"] == "SUCCESS", verified
    associate_on.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={
        "Enabled": True, "PreferredMfa": True})
    clock.next_step()
    return secret


def start_sign_in(cognito, client_id: str, username: str) -> dict:
    """InitiateAuth USER_PASSWORD_AUTH with the right password; returns the whole answer."""
    return password_auth(cognito, client_id, username, AUTH_PASSWORD)


def answer_mfa(cognito, client_id: str, challenge: str, session: str, username: str, user_code: str) -> dict:
    """RespondToAuthChallenge for an MFA challenge (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP)."""
    key = {"SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE", "SMS_MFA": "SMS_MFA_CODE",
           "EMAIL_OTP": "EMAIL_OTP_CODE"}[challenge]
    return cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName=challenge, Session=session,
                                             ChallengeResponses={"USERNAME": username, key: user_code})


def answer_totp(cognito, client_id: str, username: str, session: str, user_code: str) -> dict:
    return answer_mfa(cognito, client_id, "SOFTWARE_TOKEN_MFA", session, username, user_code)


def other_code(user_code: str) -> str:
    """A six-digit code that is not `user_code`."""
    return str((int(user_code) + 1) % 1_000_000).zfill(6)


def assert_verified_tokens(auth: dict, nodes, pool_id: str, client_id: str, username: str) -> None:
    """Three tokens whose signatures verify against every node's JWKS, with the pool's shared
    issuer, and which every node's API accepts."""
    assert_tokens(auth)
    for node in nodes:
        claims = verify_token(auth["AccessToken"], node, pool_id, issuer=issuer(pool_id))
        assert claims["username"] == username and claims["token_use"] == "access", claims
        id_claims = verify_token(auth["IdToken"], node, pool_id, audience=client_id, issuer=issuer(pool_id))
        assert id_claims["cognito:username"] == username and id_claims["token_use"] == "id", id_claims
        assert make_client(node).get_user(AccessToken=auth["AccessToken"])["Username"] == username


@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "USER_SRP_AUTH"])
def test_software_token_challenge_issued_by_one_node_answered_on_the_other(clocked_nodes, flow):
    n1, n2, clock = clocked_nodes
    c1, c2 = make_client(n1), make_client(n2)
    pool_id, client_id = totp_pool(c1)
    confirmed_user(c1, pool_id, "otto")
    # Associated on node 1, verified on node 2 (the pending secret lives in the database).
    secret = enroll_totp(clock, c1, c2, client_id, "otto")
    for cognito in (c1, c2):
        user = admin_get_user(cognito, pool_id, "otto")
        assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"], user
        assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA", user

    # Node 1 checks the password (or the SRP proof) and issues the challenge ...
    if flow == "USER_PASSWORD_AUTH":
        challenge = start_sign_in(c1, client_id, "otto")
    else:
        srp, params, first = srp_start(c1, pool_id, client_id, "otto")
        assert first["ChallengeName"] == "PASSWORD_VERIFIER"
        challenge = c1.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=srp.process_challenge(first["ChallengeParameters"], params))
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA", challenge
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == "otto"
    assert challenge["ChallengeParameters"]["FRIENDLY_DEVICE_NAME"] == "phone"
    assert "AuthenticationResult" not in challenge and challenge["Session"]

    # ... node 2, which never saw the sign-in, takes the answer and issues the tokens.
    done = answer_totp(c2, client_id, "otto", challenge["Session"], clock.code(secret))
    assert "ChallengeName" not in done, done
    assert_verified_tokens(done["AuthenticationResult"], (n1, n2), pool_id, client_id, "otto")
    # The new refresh token works on the node that started the sign-in.
    refreshed = refresh(c1, client_id, done["AuthenticationResult"]["RefreshToken"])
    assert c2.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "otto"


def test_a_totp_code_taken_on_one_node_is_a_replay_on_the_other(clocked_nodes):
    n1, n2, clock = clocked_nodes
    c1, c2 = make_client(n1), make_client(n2)
    pool_id, client_id = totp_pool(c1)
    confirmed_user(c1, pool_id, "rita")
    secret = enroll_totp(clock, c2, c1, client_id, "rita")

    good = clock.code(secret)
    first = start_sign_in(c1, client_id, "rita")
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert_tokens(answer_totp(c1, client_id, "rita", first["Session"], good)["AuthenticationResult"])

    # A second sign-in, started and answered on node 2, with the code node 1 took: a replay.
    second = start_sign_in(c2, client_id, "rita")
    assert second["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with expect_error("CodeMismatchException", INVALID_MFA_CODE):
        answer_totp(c2, client_id, "rita", second["Session"], good)
    # A code of the step before the one taken is refused too, though still in the window.
    previous = clock.code(secret, steps=-1)
    if previous != good:
        with expect_error("CodeMismatchException", INVALID_MFA_CODE):
            answer_totp(c2, client_id, "rita", second["Session"], previous)
    # The refusals were about the code, not the session: the next step's code signs in on node 2 ...
    later = clock.code(secret, steps=1)
    done = answer_totp(c2, client_id, "rita", second["Session"], later)
    assert_verified_tokens(done["AuthenticationResult"], (n1, n2), pool_id, client_id, "rita")
    # ... and is spent for node 1 in turn.
    third = start_sign_in(c1, client_id, "rita")
    with expect_error("CodeMismatchException", INVALID_MFA_CODE):
        answer_totp(c1, client_id, "rita", third["Session"], later)


def test_one_totp_code_answered_at_once_over_both_nodes_signs_in_once(clocked_nodes):
    n1, n2, clock = clocked_nodes
    c1, c2 = make_client(n1), make_client(n2)
    pool_id, client_id = totp_pool(c1)
    # Every pairing of the node that issues a challenge and the node that is answered, three
    # times: 12 sign-ins, answered by one client (one thread) each.
    pairings = [(c1, n1), (c1, n2), (c2, n1), (c2, n2)] * 3
    answerers = [make_client(answer_node) for _, answer_node in pairings]
    for round_ in range(3):
        username = f"race{round_}"
        confirmed_user(c1, pool_id, username)
        secret = enroll_totp(clock, c1, c2, client_id, username)
        # Separate sign-ins, each with its own Session.
        attempts = []
        for (starter, _), answerer in zip(pairings, answerers):
            challenge = start_sign_in(starter, client_id, username)
            assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA", challenge
            attempts.append((answerer, challenge["Session"]))
        user_code = clock.code(secret)
        barrier = threading.Barrier(len(attempts))

        def answer(attempt):
            cognito, session = attempt
            barrier.wait(timeout=60)
            try:
                return "signed in", answer_totp(cognito, client_id, username, session, user_code)
            except ClientError as e:
                return (e.response["Error"]["Code"], e.response["Error"]["Message"]), None

        with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
            outcomes = list(pool.map(answer, attempts))
        counts = Counter(outcome for outcome, _ in outcomes)
        assert counts["signed in"] == 1, (round_, counts)
        # Every other answer is a replay, refused as a wrong code; wrong codes count toward the
        # lockout, so once five are counted the rest are refused by it.
        refused = {("CodeMismatchException", INVALID_MFA_CODE), ("NotAuthorizedException", LOCKED)}
        assert set(counts) - {"signed in"} <= refused, (round_, counts)
        assert counts[("CodeMismatchException", INVALID_MFA_CODE)] >= 4, (round_, counts)
        winner = next(result for outcome, result in outcomes if outcome == "signed in")
        assert_verified_tokens(winner["AuthenticationResult"], (n1, n2), pool_id, client_id, username)


def test_mfa_setup_moves_between_nodes_at_every_step(clocked_nodes):
    n1, n2, clock = clocked_nodes
    c1, c2 = make_client(n1), make_client(n2)
    pool_id, client_id = totp_pool(c1, mode="ON")
    confirmed_user(c1, pool_id, "sam")

    # Node 1: the password, then MFA_SETUP (MFA is required and sam has no factor).
    setup = start_sign_in(c1, client_id, "sam")
    assert setup["ChallengeName"] == "MFA_SETUP", setup
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    # Node 2: AssociateSoftwareToken by Session.
    associated = c2.associate_software_token(Session=setup["Session"])
    secret = associated["SecretCode"]
    assert len(secret) == 32 and associated["Session"]
    # Answering MFA_SETUP before the token is verified finishes nothing, on either node.
    with expect_error("SoftwareTokenMFANotFoundException"):
        c1.respond_to_auth_challenge(ClientId=client_id, ChallengeName="MFA_SETUP",
                                     Session=associated["Session"], ChallengeResponses={"USERNAME": "sam"})
    # Node 1: VerifySoftwareToken by the Session node 2 returned, with the secret node 2 made.
    setup_code = clock.code(secret)
    verified = c1.verify_software_token(Session=associated["Session"], UserCode=setup_code,
                                        FriendlyDeviceName="laptop")
    assert verified["Status"] == "SUCCESS" and verified["Session"], verified
    # Node 2: MFA_SETUP answered with node 1's Session → tokens.
    done = c2.respond_to_auth_challenge(ClientId=client_id, ChallengeName="MFA_SETUP",
                                        Session=verified["Session"], ChallengeResponses={"USERNAME": "sam"})
    assert "ChallengeName" not in done, done
    assert_verified_tokens(done["AuthenticationResult"], (n1, n2), pool_id, client_id, "sam")
    for cognito in (c1, c2):
        user = admin_get_user(cognito, pool_id, "sam")
        assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"], user
        assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA", user

    # The next sign-in asks node 2's question about the authenticator node 1 verified; the code
    # VerifySoftwareToken took is spent, the next step's is not.
    challenge = start_sign_in(c2, client_id, "sam")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA", challenge
    assert challenge["ChallengeParameters"]["FRIENDLY_DEVICE_NAME"] == "laptop"
    with expect_error("CodeMismatchException", INVALID_MFA_CODE):
        answer_totp(c2, client_id, "sam", challenge["Session"], setup_code)
    clock.next_step()
    again = answer_totp(c1, client_id, "sam", challenge["Session"], clock.code(secret))
    assert_verified_tokens(again["AuthenticationResult"], (n1, n2), pool_id, client_id, "sam")


@pytest.mark.parametrize("factor", ["SMS_MFA", "EMAIL_OTP"])
def test_a_code_sent_by_one_node_is_taken_once_on_the_other(nodes, factor):
    n1, n2 = nodes
    c1, c2 = make_client(n1), make_client(n2)
    if factor == "SMS_MFA":
        # MFA required, and the user's verified phone number makes SMS its factor.
        pool_id = make_pool(c1, MfaConfiguration="ON", AutoVerifiedAttributes=["phone_number"],
                            SmsConfiguration=SMS_CONFIGURATION,
                            SmsAuthenticationMessage="Your sign-in code is {####}")
        recipient, medium, destination = "+15555550123", "SMS", "+*******0123"
        attributes = {"phone_number": recipient, "phone_number_verified": "true"}
    else:
        pool_id = make_pool(c1)
        c1.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                    EmailMfaConfiguration={"Message": "Code: {####}", "Subject": "Sign in"})
        recipient, medium, destination = "mia@example.com", "EMAIL", "m***@e***"
        attributes = {"email": recipient, "email_verified": "true"}
    client_id = make_app_client(c1, pool_id)["ClientId"]
    confirmed_user(c1, pool_id, "mia", attributes=attributes)
    if factor == "EMAIL_OTP":
        c2.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="mia",
                                         EmailMfaSettings={"Enabled": True, "PreferredMfa": True})

    def sent(node) -> list[str]:
        return codes_for(node, pool_id, recipient, kind="authentication")

    # Node 1 checks the password and sends the code; node 2's outbox has nothing.
    challenge = start_sign_in(c1, client_id, "mia")
    assert challenge["ChallengeName"] == factor, challenge
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == medium
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == destination
    assert len(sent(n1)) == 1 and sent(n2) == [], (sent(n1), sent(n2))
    code = sent(n1)[0]
    session = challenge["Session"]

    # Node 2: a wrong code is refused without ending the challenge; the code node 1 sent signs in.
    with expect_error("CodeMismatchException", INVALID_MFA_CODE):
        answer_mfa(c2, client_id, factor, session, "mia", other_code(code))
    done = answer_mfa(c2, client_id, factor, session, "mia", code)
    assert "ChallengeName" not in done, done
    assert_verified_tokens(done["AuthenticationResult"], (n1, n2), pool_id, client_id, "mia")
    # Only once: the same answer again is refused on both nodes.
    for cognito in (c2, c1):
        with expect_error("CodeMismatchException", INVALID_MFA_CODE):
            answer_mfa(cognito, client_id, factor, session, "mia", code)

    # A new sign-in on node 2 sends a new code from node 2; the first one is no answer to it,
    # and node 1 takes the new one.
    second = start_sign_in(c2, client_id, "mia")
    assert second["ChallengeName"] == factor, second
    assert sent(n1) == [code] and len(sent(n2)) == 1, (sent(n1), sent(n2))
    new_code = sent(n2)[0]
    if new_code != code:
        with expect_error("CodeMismatchException", INVALID_MFA_CODE):
            answer_mfa(c1, client_id, factor, second["Session"], "mia", code)
    again = answer_mfa(c1, client_id, factor, second["Session"], "mia", new_code)
    assert_verified_tokens(again["AuthenticationResult"], (n1, n2), pool_id, client_id, "mia")
    with expect_error("CodeMismatchException", INVALID_MFA_CODE):
        answer_mfa(c2, client_id, factor, second["Session"], "mia", new_code)


# ---------------------------------------------------------------- database outage


@dataclass
class Outcome:
    username: str
    node: int
    code: str  # "ok", an error code, or the exception's type for transport failures
    status: int | None
    started: float
    seconds: float


class BackgroundWriter(threading.Thread):
    """AdminCreateUser with a new username per call, alternating nodes, until stopped; records
    every call's outcome."""

    def __init__(self, nodes, pool_id):
        super().__init__(daemon=True, name="outage-writer")
        # A read timeout well above CALL_TIMEOUT: a hung call is recorded, not waited out.
        config = Config(read_timeout=CALL_TIMEOUT + 5, connect_timeout=5)
        self.clients = [make_client(n, config=config) for n in nodes]
        self.pool_id = pool_id
        self.prefix = unique("outage")
        self.outcomes: list[Outcome] = []
        self.lock = threading.Lock()
        self.halt = threading.Event()

    def run(self):
        i = 0
        while not self.halt.is_set():
            node = i % 2
            username = f"{self.prefix}-{i:04d}"
            started = time.monotonic()
            status = 200
            try:
                self.clients[node].admin_create_user(UserPoolId=self.pool_id, Username=username,
                                                     MessageAction="SUPPRESS")
                code = "ok"
            except ClientError as e:
                code = e.response["Error"]["Code"]
                status = e.response["ResponseMetadata"].get("HTTPStatusCode")
            except Exception as e:  # noqa: BLE001 - a transport failure is a finding too
                code, status = f"{type(e).__name__}: {e}", None
            with self.lock:
                self.outcomes.append(Outcome(username, node, code, status, started, time.monotonic() - started))
            i += 1
            self.halt.wait(0.05)  # pace the calls; failures during the outage come back fast

    def snapshot(self) -> list[Outcome]:
        with self.lock:
            return list(self.outcomes)

    def count(self, code: str, since: float = 0.0, node: int | None = None) -> int:
        return sum(1 for o in self.snapshot()
                   if o.code == code and o.started >= since and (node is None or o.node == node))


def test_database_outage_and_recovery(nodes, shared_db):
    n1, n2 = nodes
    pg = shared_db.pg
    c1, c2 = make_client(n1), make_client(n2)
    pool_id = make_pool(c1)
    existing = unique("before")
    c1.admin_create_user(UserPoolId=pool_id, Username=existing, MessageAction="SUPPRESS")

    writer = BackgroundWriter(nodes, pool_id)
    writer.start()
    refused = []  # usernames whose AdminCreateUser was sent while the database was surely down
    try:
        wait_for(lambda: writer.count("ok") >= 6, RECOVERY_TIMEOUT, "writes before the outage")

        pg.stop()
        down_since = time.monotonic()

        # Both nodes notice: /ready answers 503 ...
        for node in nodes:
            assert wait_ready(node, 503, CALL_TIMEOUT) == {"status": "unavailable"}
        # ... and API calls, reads and writes, fail fast with Cognito's internal error.
        for node in nodes:
            username = unique("refused")
            refused.append(username)
            for operation, body in (
                ("AdminCreateUser", {"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS"}),
                ("AdminGetUser", {"UserPoolId": pool_id, "Username": existing}),
                ("DescribeUserPool", {"UserPoolId": pool_id}),
            ):
                started = time.monotonic()
                resp = raw_call(node, operation, body, timeout=CALL_TIMEOUT + 5)
                elapsed = time.monotonic() - started
                assert elapsed < CALL_TIMEOUT, f"{operation} on {node.url} took {elapsed:.1f}s during the outage"
                assert_json_error(resp, "InternalErrorException", status=500)
        # The background writer sees the outage on both nodes too, for a few calls each.
        for node in (0, 1):
            wait_for(lambda: writer.count("InternalErrorException", since=down_since, node=node) >= 5,
                     RECOVERY_TIMEOUT, f"failed background writes on node {node + 1}")

        pg.start()  # same port, same data
        up_since = time.monotonic()

        # Both nodes recover on their own: no restart.
        for node in nodes:
            assert wait_ready(node, 200, RECOVERY_TIMEOUT) == {"status": "ready"}
        for node in (0, 1):
            wait_for(lambda: writer.count("ok", since=up_since, node=node) >= 2, RECOVERY_TIMEOUT,
                     f"successful background writes on node {node + 1} after the outage")
    finally:
        writer.halt.set()
        writer.join(timeout=CALL_TIMEOUT + 10)
        if not pg.running:
            pg.start()  # later tests in this module need the database
    assert not writer.is_alive(), "the background writer hung"
    assert n1.running and n2.running, "a node exited during the outage"

    outcomes = writer.snapshot()
    # Every call ended with success or Cognito's internal error (HTTP 500), never a hang, a
    # dropped connection or another error.
    odd = [o for o in outcomes if not (o.code == "ok" or (o.code == "InternalErrorException" and o.status == 500))]
    assert not odd, odd[:5]
    slow = [o for o in outcomes if o.seconds >= CALL_TIMEOUT]
    assert not slow, slow[:5]

    # No acknowledged write was lost: each is there, whichever node is asked.
    acknowledged = [o for o in outcomes if o.code == "ok"]
    for o in acknowledged:
        for cognito in (c1, c2):
            assert cognito.admin_get_user(UserPoolId=pool_id, Username=o.username)["Username"] == o.username
    # Writes refused while the database was down were not applied later either.
    refused += [o.username for o in outcomes
                if o.code != "ok" and o.started >= down_since and o.started + o.seconds < up_since]
    for username in refused:
        with expect_error("UserNotFoundException"):
            c2.admin_get_user(UserPoolId=pool_id, Username=username)

    # New writes succeed on both nodes, and each node sees the other's.
    for writer_client, reader in ((c1, c2), (c2, c1)):
        username = unique("after")
        writer_client.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
        assert reader.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert c2.admin_get_user(UserPoolId=pool_id, Username=existing)["Username"] == existing


# ---------------------------------------------------------------- migrations


def test_migrate_applies_to_postgres_and_never_prints_the_password(shared_db, tessera_bin, tmp_path):
    # The private cluster trusts every connection, so a password in the URL is
    # accepted and ignored: what matters is that nothing prints it.
    secret = "s3cret-Pa55word"
    url = shared_db.pg.url.replace("postgres@", f"postgres:{secret}@")
    env = {**shared_db.env, "TESSERA_POSTGRES_SCHEMA": unique("migrate").lower().replace("-", "_")}
    for _ in range(2):  # a second run finds nothing pending and succeeds
        result = run_tessera(tessera_bin, "migrate", "--store", url, "--data-dir", tmp_path / "data",
                             env=env, timeout=60)
        assert result.returncode == 0 and not result.timed_out, result.output
        assert f"migrations applied to postgres://127.0.0.1:{shared_db.pg.port}/postgres" in result.stdout
        assert secret not in result.output
    # Help lists TESSERA_STORE without echoing the value the environment holds.
    help_text = run_tessera(tessera_bin, "serve", "--help", env={"TESSERA_STORE": url}).output
    assert "TESSERA_STORE" in help_text and secret not in help_text


# ---------------------------------------------------------------- declared resources


def test_nodes_starting_together_create_declared_resources_once(shared_db, tessera_bin, tmp_path):
    """Every node runs the same config: nodes starting at the same moment over one
    database must not create a declared pool, client or user twice, nor refuse to start."""
    pool_name = unique("declared")
    config = f"""
[[pools]]
name = "{pool_name}"
[[pools.clients]]
name = "web"
settings = {{ ExplicitAuthFlows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }}
[[pools.groups]]
name = "admins"
[[pools.users]]
username = "alice"
password = "{AUTH_PASSWORD}"
groups = ["admins"]
"""
    for round_ in range(3):
        env = {**shared_db.env, "TESSERA_POSTGRES_SCHEMA": f"declared_{os.getpid()}_{round_}_{time.time_ns()}"}
        servers = [
            TesseraServer(tessera_bin, tmp_path / f"r{round_}n{i}", config_toml=config, env=env,
                          args=["--store", shared_db.pg.url, "--public-url", PUBLIC_URL])
            for i in range(2)
        ]
        try:
            with ThreadPoolExecutor(2) as pool:
                for started in pool.map(lambda s: s.start(), servers):
                    assert started.running, started.stderr_text()
            c1, c2 = make_client(servers[0]), make_client(servers[1])
            pools = [p for p in c1.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == pool_name]
            assert len(pools) == 1, pools
            pool_id = pools[0]["Id"]
            assert [p["Id"] for p in c2.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == pool_name] == [pool_id]
            clients = c2.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
            assert [c["ClientName"] for c in clients] == ["web"], clients
            tokens = c2.initiate_auth(
                ClientId=clients[0]["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "alice", "PASSWORD": AUTH_PASSWORD},
            )["AuthenticationResult"]
            assert jwt_claims(tokens["AccessToken"])["cognito:groups"] == ["admins"]
            assert len(c1.list_users(UserPoolId=pool_id)["Users"]) == 1
        finally:
            for s in servers:
                s.stop()


def test_an_unreachable_database_refuses_start_clearly(tessera_bin, tmp_path):
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    result = run_tessera(tessera_bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", tmp_path / "data",
                         "--store", "postgres://tessera:hunter2-secret@127.0.0.1:1/tessera", timeout=60)
    assert not result.timed_out and result.returncode != 0, result.output
    assert "Connection refused" in result.output, result.output
    assert "hunter2-secret" not in result.output


def test_a_malformed_database_url_is_named_without_its_password(tessera_bin, tmp_path):
    result = run_tessera(tessera_bin, "migrate", "--data-dir", tmp_path / "data",
                         "--store", "postgres://tessera:hunter2-secret@db.invalid:notaport/tessera", timeout=30)
    assert result.returncode != 0, result.output
    assert "invalid value for option `port`" in result.output, result.output
    assert "hunter2-secret" not in result.output


# ---------------------------------------------------------------- remembered devices


def test_a_device_confirmed_on_one_node_proves_itself_across_both(nodes):
    n1, n2 = nodes
    c1, c2 = make_client(n1), make_client(n2)
    pool_id = make_pool(c1, DeviceConfiguration={"ChallengeRequiredOnNewDevice": True,
                                                 "DeviceOnlyRememberedOnUserPrompt": False})
    client_id = make_app_client(c1, pool_id)["ClientId"]
    confirmed_user(c1, pool_id, "dev")
    first = password_auth(c1, client_id, "dev", AUTH_PASSWORD)["AuthenticationResult"]
    meta = first["NewDeviceMetadata"]
    device_password, verifier = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    c2.confirm_device(AccessToken=first["AccessToken"], DeviceKey=meta["DeviceKey"],
                      DeviceSecretVerifierConfig=verifier)

    def device_answers(srp):
        return {"USERNAME": "dev", "DEVICE_KEY": meta["DeviceKey"], "SRP_A": format(srp.large_a_value, "x")}

    def srp_for_device():
        return AWSSRP(username="dev", password=AUTH_PASSWORD, pool_id=pool_id, client_id=client_id, client=c1,
                      device_key=meta["DeviceKey"], device_group_key=meta["DeviceGroupKey"],
                      device_password=device_password)

    # Each step on another node: password on 1, DEVICE_SRP_AUTH on 2 (with its Session),
    # DEVICE_PASSWORD_VERIFIER on 1.
    started = c1.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "dev", "PASSWORD": AUTH_PASSWORD, "DEVICE_KEY": meta["DeviceKey"]})
    assert started["ChallengeName"] == "DEVICE_SRP_AUTH"
    srp = srp_for_device()
    challenge = c2.respond_to_auth_challenge(ClientId=client_id, ChallengeName="DEVICE_SRP_AUTH",
                                             Session=started["Session"], ChallengeResponses=device_answers(srp))
    done = c1.respond_to_auth_challenge(ClientId=client_id, ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                        ChallengeResponses=srp.process_device_challenge(
                                            challenge["ChallengeParameters"]))
    assert jwt_claims(done["AuthenticationResult"]["AccessToken"])["device_key"] == meta["DeviceKey"]

    # pycognito's way, with no Session: the pending challenge node 1 kept is found by node 2.
    c1.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "dev", "PASSWORD": AUTH_PASSWORD, "DEVICE_KEY": meta["DeviceKey"]})
    srp = srp_for_device()
    challenge = c2.respond_to_auth_challenge(ClientId=client_id, ChallengeName="DEVICE_SRP_AUTH",
                                             ChallengeResponses=device_answers(srp))
    done = c2.respond_to_auth_challenge(ClientId=client_id, ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                        ChallengeResponses=srp.process_device_challenge(
                                            challenge["ChallengeParameters"]))
    assert "NewDeviceMetadata" not in done["AuthenticationResult"]

    # Forgotten on node 2: node 1 refuses the device's refresh token and its key.
    token = done["AuthenticationResult"]["RefreshToken"]
    assert refresh(c1, client_id, token, DEVICE_KEY=meta["DeviceKey"])["AccessToken"]
    c2.admin_forget_device(UserPoolId=pool_id, Username="dev", DeviceKey=meta["DeviceKey"])
    with expect_error("NotAuthorizedException", "Invalid Refresh Token."):
        refresh(c1, client_id, token, DEVICE_KEY=meta["DeviceKey"])
    with expect_error("ResourceNotFoundException", "Device does not exist."):
        c1.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
            "USERNAME": "dev", "PASSWORD": AUTH_PASSWORD, "DEVICE_KEY": meta["DeviceKey"]})


# ---------------------------------------------------------------- OAuth across nodes


def test_oauth_code_and_browser_session_across_nodes(nodes):
    # The pool's domain is reached through each node's own port, with the domain's name in the
    # Host header (what a load balancer in front of both forwards).
    from tessera_e2e.hosted import Browser, callback_params

    n1, n2 = nodes
    cognito = make_client(n1)
    pool_id = make_pool(cognito)
    prefix = unique("nodes").lower()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    callback = "https://app.example.com/callback"
    client_id = make_app_client(cognito, pool_id, AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
                                AllowedOAuthScopes=["openid", "email"], CallbackURLs=[callback],
                                SupportedIdentityProviders=["COGNITO"])["ClientId"]
    confirmed_user(cognito, pool_id, "nia", attributes={"email": "nia@example.com", "email_verified": "true"})
    host = {"Host": f"{prefix}.auth.localhost"}
    query = (f"response_type=code&client_id={client_id}&redirect_uri={callback}"
             "&scope=openid+email&state=s")

    browser = Browser()
    browser.session.headers.update(host)
    page = browser.follow(browser.get(f"{n1.url}/oauth2/authorize?{query}"), stop_at=callback)
    assert page.status_code == 200, page.text[:300]
    done = browser.follow(browser.submit(page, {"username": "nia", "password": AUTH_PASSWORD}), stop_at=callback)
    code = callback_params(done)["code"]

    form = {"grant_type": "authorization_code", "client_id": client_id, "code": code, "redirect_uri": callback}
    redeemed = requests.post(f"{n2.url}/oauth2/token", data=form, headers=host, timeout=10)
    assert redeemed.status_code == 200, redeemed.text
    assert verify_token(redeemed.json()["id_token"], n1, pool_id, issuer=issuer(pool_id))["email"] == "nia@example.com"
    replay = requests.post(f"{n1.url}/oauth2/token", data=form, headers=host, timeout=10)
    assert replay.json()["error"] == "invalid_grant", "a code is spent on every node"

    # The browser session made on node 1 lets node 2 skip the sign-in page.
    again = browser.get(f"{n2.url}/oauth2/authorize?{query}")
    assert again.status_code == 302 and again.headers["Location"].startswith(callback), again.headers
    assert "code" in callback_params(again)


# ---------------------------------------------------------------- rate limits are per node


def test_rate_limits_are_kept_per_node(start_server, shared_db):
    # README, "Rate limits": each node keeps its own buckets, so N nodes admit N times a
    # category's rate between them.
    config = "[rate_limits]\nenabled = true\n[rate_limits.rps]\nUserRead = 2\n"
    n1, n2 = (start_server(config_toml=config, env=shared_db.env,
                           args=["--store", shared_db.pg.url, "--public-url", PUBLIC_URL]) for _ in range(2))
    c1, c2 = make_client(n1), make_client(n2)
    pool_id = make_pool(c1)
    confirmed_user(c1, pool_id, "pam")
    time.sleep(1.1)

    def burst(client, n):
        out = []
        for _ in range(n):
            try:
                client.admin_get_user(UserPoolId=pool_id, Username="pam")
                out.append("ok")
            except ClientError as e:
                out.append(e.response["Error"]["Code"])
        return out

    first = burst(c1, 4)
    assert first[:2] == ["ok", "ok"] and "TooManyRequestsException" in first[2:], first
    assert burst(c2, 2) == ["ok", "ok"], "the other node's bucket is its own"
