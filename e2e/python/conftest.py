"""pytest hooks and fixtures for the Tessera end-to-end suite.

Every test talks to the real `tessera` binary over HTTP, with real boto3 or
the real AWS CLI.  The suite never builds the binary: run
`cargo build -p tessera` first (or point `TESSERA_BIN` at a binary).

The helpers live in the `tessera_e2e` package (its docstring lists them all);
this file only turns them into fixtures:

    tessera_bin            path of the binary (session)
    server                 the shared default server (session, per xdist worker)
    start_server(...)      factory: a private server, stopped at teardown
    cognito                boto3 cognito-idp client on `server` (session)
    lax                    boto3 client on `server` without botocore's parameter checks
    pool                   a fresh user pool id, deleted at teardown
    pool_with_client       (pool_id, client_id)
    snapshot               `snapshot.assert_match(name, data)`

Options: `--snapshot-update` (or SNAPSHOT_UPDATE=1) rewrites snapshots/*.json.
Storage: `TESSERA_E2E_STORE=postgres://...` runs every server on PostgreSQL
(see tessera_e2e.server).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from tessera_e2e.aws import lax_client, make_client
from tessera_e2e.flows import make_pool, unique
from tessera_e2e.server import ServerFactory, TesseraServer, find_binary, is_runnable, missing_binary_message
from tessera_e2e.snapshots import Snapshot


def pytest_addoption(parser):
    parser.addoption(
        "--snapshot-update",
        action="store_true",
        default=False,
        help="(re)write e2e/python/snapshots/*.json instead of comparing",
    )


def pytest_sessionstart(session):
    # Fail the whole session once, clearly, instead of erroring every test.
    config = session.config
    if config.option.collectonly or getattr(config.option, "help", False):
        return
    path = find_binary()
    if not is_runnable(path):
        pytest.exit(missing_binary_message(path), returncode=3)


@pytest.fixture(scope="session")
def tessera_bin() -> Path:
    path = find_binary()
    if not is_runnable(path):
        pytest.fail(missing_binary_message(path), pytrace=False)
    return path


@pytest.fixture(scope="session")
def server(tessera_bin, tmp_path_factory):
    srv = TesseraServer(tessera_bin, tmp_path_factory.mktemp("server"))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def start_server(tessera_bin, tmp_path_factory):
    """Factory: start_server(config_toml=None, env=None, args=None, *,
    listen="127.0.0.1:0", data_dir=<fresh dir>, cwd=None, timeout=30).

    `listen=None` / `data_dir=None` leave the flag out (for precedence tests).
    Everything started here is stopped at teardown."""
    factory = ServerFactory(tessera_bin, lambda: tmp_path_factory.mktemp("srv"))
    yield factory
    factory.stop_all()


@pytest.fixture(scope="session")
def cognito(server):
    return make_client(server)


@pytest.fixture
def lax(server):
    return lax_client(server)


@pytest.fixture
def pool(cognito):
    pool_id = make_pool(cognito)
    yield pool_id
    with contextlib.suppress(Exception):
        cognito.delete_user_pool(UserPoolId=pool_id)


@pytest.fixture
def pool_with_client(cognito, pool):
    client_id = cognito.create_user_pool_client(UserPoolId=pool, ClientName=unique("client"))[
        "UserPoolClient"
    ]["ClientId"]
    return pool, client_id


@pytest.fixture
def snapshot(request) -> Snapshot:
    update = request.config.getoption("--snapshot-update") or os.environ.get("SNAPSHOT_UPDATE") == "1"
    return Snapshot(update)
