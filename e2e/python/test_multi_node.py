"""Several Tessera nodes over one PostgreSQL database behave as one Cognito user pool service.

Every test runs two `tessera serve` processes (separate ports and data directories) with the
same `--store` URL, the same key-encryption key and the same `--public-url`, and proves that
no state that matters lives only in one process:

- pools, clients and users created on one node are seen by the other; a sign-up code sent by
  node 1 confirms the user on node 2;
- an SRP sign-in may start on one node and finish on the other;
- tokens issued by either node are accepted by both (refresh, GetUser), and a GlobalSignOut on
  one node revokes them on the other;
- the lockout counter (5 failures, then "Password attempts exceeded") is one counter for both;
- `tessera rotate-signing-keys` run against the database reaches every node's JWKS and signer
  within seconds, and tokens signed with the new key verify against the other node's JWKS;
- 100 concurrent SignUps of one username over both nodes create exactly one user;
- a database outage makes both nodes answer 503 on /ready and InternalErrorException (HTTP 500)
  on API calls, quickly and without reporting a write that was not stored; when the database
  comes back both nodes recover on their own, and every acknowledged write is there.

The database is a private PostgreSQL cluster (private_postgres.py) started for this module, so
that the outage test can stop it without disturbing the machine's shared server.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from private_postgres import PostgresUnavailable, PrivatePostgres
from tessera_e2e.aws import assert_json_error, expect_error, make_client, raw_call
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    LOCKED,
    REVOKED_ACCESS,
    REVOKED_REFRESH,
    WRONG_PASSWORD,
    attr_dict,
    codes_for,
    fail_sign_in,
    jwt_claims,
    jwt_header,
    latest_code,
    make_app_client,
    make_pool,
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


@pytest.fixture
def nodes(start_server, shared_db):
    """Two running nodes on the shared database, each with a data directory of its own."""
    started = []
    for _ in range(2):
        node = start_server(env=shared_db.env, args=["--store", shared_db.pg.url, "--public-url", PUBLIC_URL])
        r = requests.get(f"{node.url}/ready", timeout=10)
        assert r.status_code == 200 and r.json() == {"status": "ready"}, (r.status_code, r.text, node.stderr_text())
        started.append(node)
    assert started[0].port != started[1].port and started[0].data_dir != started[1].data_dir
    return tuple(started)


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
    for round_ in range(3):
        pool_id, client_id = pool_with_user(clients[0])
        answers = parallel_wrong_passwords(clients, client_id, "alice")
        assert answers[("NotAuthorizedException", WRONG_PASSWORD)] == 5, (round_, answers)
        assert answers[("NotAuthorizedException", LOCKED)] == 45, (round_, answers)


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
