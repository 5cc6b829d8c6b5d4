"""Housekeeping and deletion, against the real binary and its store.

The background purge: with the test clock and a one-second interval, expired one-time
codes, token families with their refresh tokens and lapsed sign-in failures leave the
store (counted in its tables), and nothing is purged before it may be.

Deletion: after AdminDeleteUser, DeleteUser and DeleteUserPool, no row of any table
refers to what was deleted; on SQLite, its distinctive strings are in none of the data
directory's files (database, -wal, -shm), though they were before.

The store is the suite's: SQLite in the server's data directory, or PostgreSQL in the
server's schema with TESSERA_E2E_STORE (read with psql).
"""

from __future__ import annotations

import secrets
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    WRONG_PASSWORD,
    confirmed_user,
    make_app_client,
    make_pool,
    password_auth,
    refresh,
    sign_in,
)
from tessera_e2e.server import E2E_STORE

DAY = 86_400
# Rounds every second, in batches of two: every kind needs several.
CONFIG = "[housekeeping]\ninterval_seconds = 1\nbatch_size = 2\n"
TEST_CLOCK = {"TESSERA_TEST_CLOCK": "true"}
PURGE_TIMEOUT = 30.0


class StoreProbe:
    """Reads the server's store behind its back: SQLite read-only, PostgreSQL by psql."""

    def __init__(self, server):
        self.server = server
        if E2E_STORE:
            self.schema = server.process_env()["TESSERA_POSTGRES_SCHEMA"]
        else:
            self.path = Path(server.data_dir) / "tessera.db"

    def rows(self, sql: str) -> list[tuple]:
        if E2E_STORE:
            out = subprocess.run(
                ["psql", E2E_STORE, "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                 "-c", f"SET search_path TO {self.schema}", "-c", sql],
                capture_output=True, text=True, timeout=30, check=True,
            ).stdout
            return [tuple(line.split("\t")) for line in out.splitlines() if line and line != "SET"]
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            return [tuple(str(v) for v in row) for row in conn.execute(sql).fetchall()]
        finally:
            conn.close()

    def count(self, sql: str) -> int:
        return int(self.rows(sql)[0][0])

    def tables_with(self, column: str) -> list[str]:
        if E2E_STORE:
            return [r[0] for r in self.rows(
                "SELECT table_name FROM information_schema.columns "
                f"WHERE table_schema = current_schema() AND column_name = '{column}'")]
        tables = [r[0] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [t for t in tables
                if column in [r[1] for r in self.rows(f"PRAGMA table_info({t})")]]

    def all_tables(self) -> list[str]:
        if E2E_STORE:
            return [r[0] for r in self.rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
        return [r[0] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def rows_mentioning(self, needle: str) -> dict[str, int]:
        """Rows of every table whose text holds `needle`, by table (only tables having some)."""
        found = {}
        for table in self.all_tables():
            if E2E_STORE:
                n = self.count(f"SELECT count(*) FROM {table} AS r WHERE r::text LIKE '%{needle}%'")
            else:
                columns = [r[1] for r in self.rows(f"PRAGMA table_info({table})")]
                where = " OR ".join(f"CAST({c} AS TEXT) LIKE '%{needle}%'" for c in columns)
                n = self.count(f"SELECT count(*) FROM {table} WHERE {where}")
            if n:
                found[table] = n
        return found

    def referring(self, column: str, value) -> dict[str, int]:
        """Rows whose `column` is `value`, by table (only tables having some)."""
        found = {}
        for table in self.tables_with(column):
            n = self.count(f"SELECT count(*) FROM {table} WHERE {column} = {value}")
            if n:
                found[table] = n
        return found


def distinctive(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(6)}"


def files_holding(data_dir: Path, needles: list[str]) -> dict[str, list[str]]:
    """The needles each file under `data_dir` holds (UTF-8 bytes), by file name."""
    held = {}
    for path in sorted(p for p in Path(data_dir).rglob("*") if p.is_file()):
        data = path.read_bytes()
        hits = [n for n in needles if n.encode() in data]
        if hits:
            held[path.name] = hits
    return held


def wait_for(what: str, check, timeout: float = PURGE_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def set_offset(server, seconds: int) -> None:
    r = requests.post(f"{server.url}/_tessera/clock", json={"offset_seconds": seconds}, timeout=10)
    assert r.status_code == 200, r.text


@pytest.fixture
def purging(start_server):
    return start_server(CONFIG, env=TEST_CLOCK)


def expiring_records(cognito, pool_id: str, client_id: str, username: str) -> dict:
    """A sign-in (family + refresh token), one rotation-free refresh, a reset code and a
    failed sign-in, for `username`; returns the sign-in's tokens."""
    tokens = sign_in(cognito, client_id, username)
    refresh(cognito, client_id, tokens["RefreshToken"])
    cognito.forgot_password(ClientId=client_id, Username=username)
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(cognito, client_id, username, "not-the-password")
    return tokens


COUNTS = {
    "codes": "SELECT count(*) FROM codes",
    "token_families": "SELECT count(*) FROM token_families",
    "refresh_tokens": "SELECT count(*) FROM refresh_tokens",
    "sign_in_failures": "SELECT count(*) FROM users WHERE last_failed_sign_in IS NOT NULL",
}


def counts(probe: StoreProbe) -> dict[str, int]:
    return {kind: probe.count(sql) for kind, sql in COUNTS.items()}


def test_expired_codes_tokens_and_failures_are_purged_after_expiry_and_not_before(purging):
    cognito = make_client(purging)
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    users = [distinctive("hk") for _ in range(3)]
    for username in users:
        confirmed_user(cognito, pool_id, username,
                       attributes={"email": f"{username}@example.com", "email_verified": "true"})
        expiring_records(cognito, pool_id, client_id, username)
    probe = StoreProbe(purging)
    before = counts(probe)
    assert before == {"codes": 3, "token_families": 3, "refresh_tokens": 3, "sign_in_failures": 3}, before

    # Several rounds pass with nothing expired: everything stays.
    time.sleep(3)
    assert counts(probe) == before

    # Twenty minutes on: the failures no longer count, so they go; the reset codes
    # (an hour) and the tokens (thirty days) stay.
    set_offset(purging, 20 * 60)
    wait_for("the lapsed failures to go", lambda: counts(probe)["sign_in_failures"] == 0)
    assert counts(probe) == {**before, "sign_in_failures": 0}

    # Two hours on, the codes have expired.
    set_offset(purging, 2 * 3600)
    wait_for("the expired codes to go", lambda: counts(probe)["codes"] == 0)
    assert counts(probe)["token_families"] == 3

    # Thirty days and a half on, the refresh tokens have expired but an access token of
    # the last refresh could still be alive: the families stay for a day.
    set_offset(purging, 30 * DAY + DAY // 2)
    time.sleep(3)
    assert counts(probe)["token_families"] == 3
    assert counts(probe)["refresh_tokens"] == 3

    set_offset(purging, 31 * DAY + 60)
    wait_for("the families and refresh tokens to go",
             lambda: counts(probe) == {kind: 0 for kind in COUNTS})
    logged = [line for line in purging.stderr_text().splitlines() if "housekeeping" in line]
    assert any("housekeeping purged expired records" in line for line in logged), logged
    assert not [line for line in logged if any(u in line for u in users)], "counts, never whose"


def test_with_housekeeping_off_nothing_is_purged(start_server):
    srv = start_server("[housekeeping]\nenabled = false\ninterval_seconds = 1\n", env=TEST_CLOCK)
    cognito = make_client(srv)
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    username = distinctive("off")
    confirmed_user(cognito, pool_id, username,
                   attributes={"email": f"{username}@example.com", "email_verified": "true"})
    expiring_records(cognito, pool_id, client_id, username)
    set_offset(srv, 40 * DAY)
    time.sleep(3)
    assert counts(StoreProbe(srv)) == {kind: 1 for kind in COUNTS}


# ---- deletion ---------------------------------------------------------------------------


def user_with_everything(cognito, pool_id: str, client_id: str) -> dict:
    """A user with distinctive username, email and attribute value, signed in (tokens,
    a refresh), in a group, with a reset code and a failed sign-in."""
    username = distinctive("zqdel")
    user = {
        "username": username,
        "email": f"{distinctive('mail')}@example.org",
        "note": distinctive("note"),
    }
    got = confirmed_user(cognito, pool_id, username, attributes={
        "email": user["email"], "email_verified": "true", "custom:note": user["note"]})
    user["sub"] = next(a["Value"] for a in got["UserAttributes"] if a["Name"] == "sub")
    group = distinctive("grp")
    cognito.create_group(UserPoolId=pool_id, GroupName=group)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    user["tokens"] = expiring_records(cognito, pool_id, client_id, username)
    return user


def needles_of(user: dict) -> list[str]:
    return [user["username"], user["email"], user["note"], user["sub"]]


NOTE = [{"Name": "note", "AttributeDataType": "String", "Mutable": True}]


def deletion_pool(cognito) -> tuple[str, str]:
    pool_id = make_pool(cognito, AliasAttributes=["email"], Schema=NOTE)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    return pool_id, client_id


def families_of(probe: StoreProbe, row_id: str) -> list[str]:
    return [r[0] for r in probe.rows(f"SELECT origin_jti FROM token_families WHERE user_id = {row_id}")]


def assert_user_gone(srv, probe: StoreProbe, user: dict, row_id: str, families: list[str]) -> None:
    assert probe.referring("user_id", row_id) == {}, "rows still refer to the deleted user"
    for jti in families:
        assert probe.count(f"SELECT count(*) FROM refresh_tokens WHERE origin_jti = '{jti}'") == 0
    assert probe.count(f"SELECT count(*) FROM users WHERE id = {row_id}") == 0
    for needle in needles_of(user):
        rows = probe.rows_mentioning(needle)
        if needle == user["sub"]:
            # The admin audit log names the users administrators changed by their sub (never
            # their username): a system-made id, kept by design as the log outlives them.
            rows.pop("admin_audit_log", None)
        assert rows == {}, needle
    if not E2E_STORE:
        personal = [n for n in needles_of(user) if n != user["sub"]]
        assert files_holding(srv.data_dir, personal) == {}, "deleted data is still on disk"


def user_row_id(probe: StoreProbe, sub: str) -> str:
    return probe.rows(f"SELECT id FROM users WHERE sub = '{sub}'")[0][0]


def assert_on_disk_first(srv, probe: StoreProbe, user: dict, row_id: str) -> None:
    """What the deletion must remove is there first, so its absence later means something."""
    refs = probe.referring("user_id", row_id)
    for table in ("codes", "token_families", "memberships", "user_aliases"):
        assert refs.get(table), (table, refs)
    if not E2E_STORE:
        held = files_holding(srv.data_dir, needles_of(user))
        found = {n for hits in held.values() for n in hits}
        assert found == set(needles_of(user)), held


def test_admin_delete_user_leaves_nothing_of_the_user(purging):
    cognito = make_client(purging)
    pool_id, client_id = deletion_pool(cognito)
    user = user_with_everything(cognito, pool_id, client_id)
    bystander = user_with_everything(cognito, pool_id, client_id)
    probe = StoreProbe(purging)
    row_id = user_row_id(probe, user["sub"])
    assert_on_disk_first(purging, probe, user, row_id)
    families = families_of(probe, row_id)

    cognito.admin_delete_user(UserPoolId=pool_id, Username=user["username"])
    assert_user_gone(purging, probe, user, row_id, families)
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool_id, Username=user["username"])
    # The other user of the pool is untouched, and can still sign in.
    assert probe.referring("user_id", user_row_id(probe, bystander["sub"]))
    sign_in(cognito, client_id, bystander["username"], AUTH_PASSWORD)


def test_delete_user_by_the_user_leaves_nothing_of_the_user(purging):
    cognito = make_client(purging)
    pool_id, client_id = deletion_pool(cognito)
    user = user_with_everything(cognito, pool_id, client_id)
    probe = StoreProbe(purging)
    row_id = user_row_id(probe, user["sub"])
    assert_on_disk_first(purging, probe, user, row_id)
    families = families_of(probe, row_id)

    cognito.delete_user(AccessToken=user["tokens"]["AccessToken"])
    assert_user_gone(purging, probe, user, row_id, families)
    with expect_error("NotAuthorizedException"):
        cognito.get_user(AccessToken=user["tokens"]["AccessToken"])


def test_delete_user_pool_leaves_nothing_of_the_pool(purging):
    cognito = make_client(purging)
    pool_name = distinctive("zqpool")
    pool_id = cognito.create_user_pool(
        PoolName=pool_name, AliasAttributes=["email"], Schema=NOTE,
    )["UserPool"]["Id"]
    client_name = distinctive("zqclient")
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName=client_name,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    domain = distinctive("zqdomain")
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    server_id = distinctive("zqapi")
    cognito.create_resource_server(UserPoolId=pool_id, Identifier=server_id, Name=server_id)
    user = user_with_everything(cognito, pool_id, client_id)
    other_pool = make_pool(cognito)
    probe = StoreProbe(purging)
    seq = probe.rows(f"SELECT seq FROM pools WHERE id = '{pool_id}'")[0][0]
    needles = [pool_id, pool_name, client_id, client_name, domain, server_id, *needles_of(user)]
    pool_tables = probe.referring("pool", seq)
    for table in ("clients", "users", "user_aliases", "user_index", "memberships", "groups",
                  "domains", "pool_documents", "signing_keys"):
        assert pool_tables.get(table), (table, pool_tables)
    if not E2E_STORE:
        held = files_holding(purging.data_dir, needles)
        assert {n for hits in held.values() for n in hits} == set(needles), held

    cognito.delete_user_pool(UserPoolId=pool_id)
    assert probe.referring("pool", seq) == {}, "rows still refer to the deleted pool"
    assert probe.count("SELECT count(*) FROM token_families") == 0
    assert probe.count("SELECT count(*) FROM refresh_tokens") == 0
    # The admin audit log outlives the pool by design: it keeps the ids of what administrators
    # changed (the pool, its client, domain and resource server), and nothing else of it.
    audited = {pool_id, client_id, domain, server_id, user["sub"]}
    for needle in needles:
        rows = probe.rows_mentioning(needle)
        if needle in audited:
            rows.pop("admin_audit_log", None)
        assert rows == {}, needle
    if not E2E_STORE:
        personal = [n for n in needles if n not in audited]
        assert files_holding(purging.data_dir, personal) == {}, "deleted data is still on disk"
    cognito.describe_user_pool(UserPoolId=other_pool)
    with expect_error("ResourceNotFoundException"):
        cognito.describe_user_pool(UserPoolId=pool_id)
