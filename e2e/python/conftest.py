"""Shared fixtures for the Tessera end-to-end suite.

Every test talks to the real `tessera` binary over HTTP, with real boto3 or
the real AWS CLI.  The suite never builds the binary: run
`cargo build -p tessera` first (or point `TESSERA_BIN` at a binary).

Public API (other test files import or request these by name):

fixtures
    tessera_bin            path of the binary (session)
    server                 the shared default server (session, per xdist worker)
    start_server(...)      factory: a private server, stopped at teardown
    cognito                boto3 cognito-idp client on `server`
    pool                   a fresh user pool id
    pool_with_client       (pool_id, client_id)
    snapshot               `snapshot.assert_match(name, data)`
helpers (``from conftest import ...``)
    make_client(server, service="cognito-idp", **kw)
    unique(prefix)
    outbox(server, pool_id=None, recipient=None)
    aws_cli(server, *args, env=None)
    raw_call(server, operation, body=None, ...) -> requests.Response
    assert_json_error(resp, error_type=None, status=400) -> dict
    expect_error(code, message=None, contains=()) context manager for boto3
    normalize(data, keep=())
    run_tessera(bin, *args, env=None, cwd=None, timeout=30)
    free_port()

Storage: with `TESSERA_E2E_STORE` set to a postgres:// URL, every server the
suite starts (unless its test passes `--store` itself) runs on PostgreSQL,
in a schema of its own derived from its data directory, so restarts reach the
same data. Unset, servers use their embedded SQLite store.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterable

import boto3
import pytest
import requests
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
SNAPSHOT_DIR = HERE / "snapshots"

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
DEFAULT_REGION = "us-east-1"
START_TIMEOUT = 30.0

E2E_STORE = os.environ.get("TESSERA_E2E_STORE") or None

LISTEN_RE = re.compile(r"listening on (http://(\[[^\]]+\]|[^\s:/]+):(\d+))")
POOL_ID_RE = re.compile(r"^us-east-1_[0-9A-Za-z]{9}$")
CLIENT_ID_RE = re.compile(r"^[a-z0-9]{26}$")


# --------------------------------------------------------------------------
# the binary
# --------------------------------------------------------------------------


def find_binary() -> Path:
    """`$TESSERA_BIN`, else `<target dir>/debug/tessera`."""
    explicit = os.environ.get("TESSERA_BIN")
    if explicit:
        return Path(explicit).resolve()
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        target_dir = Path(target)
        if not target_dir.is_absolute():
            target_dir = REPO_ROOT / target_dir
    else:
        target_dir = REPO_ROOT / "target"
    return (target_dir / "debug" / "tessera").resolve()


def _missing_binary_message(path: Path) -> str:
    return (
        f"tessera binary not found at {path}: run `cargo build -p tessera` first "
        "(or set TESSERA_BIN to a built binary)"
    )


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
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.exit(_missing_binary_message(path), returncode=3)


@pytest.fixture(scope="session")
def tessera_bin() -> Path:
    path = find_binary()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(_missing_binary_message(path), pytrace=False)
    return path


def _clean_env(extra: dict | None = None) -> dict:
    """The process environment without TESSERA_* settings (so a developer's
    shell cannot change what a test observes), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    env.setdefault("RUST_BACKTRACE", "1")
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = str(v)
    return env


def run_tessera(bin_path, *args, env: dict | None = None, cwd=None, timeout: float = 30.0):
    """Run `tessera ARGS` to completion (help, migrate, refused starts).

    Returns a CompletedProcess with `.output` (stdout + stderr) and
    `.timed_out` (True when it was still running after `timeout` and was
    killed, e.g. because it started serving)."""
    proc = subprocess.Popen(
        [str(bin_path), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_clean_env(env),
        cwd=str(cwd) if cwd else None,
        text=True,
        start_new_session=True,
    )
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        proc.kill()
        out, err = proc.communicate()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    result.output = (out or "") + (err or "")
    result.timed_out = timed_out
    return result


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# a running server
# --------------------------------------------------------------------------


class ServerStartError(RuntimeError):
    pass


_DEFAULT = object()


class TesseraServer:
    """One `tessera serve` process (restartable on the same data dir).

    Attributes: url (what clients use), printed_url (what the server printed),
    port, data_dir, config_path, proc, cwd.
    """

    def __init__(
        self,
        bin_path: Path,
        work_dir: Path,
        *,
        data_dir=_DEFAULT,
        config_toml: str | None = None,
        env: dict | None = None,
        args: Iterable[str] | None = None,
        listen: str | None = "127.0.0.1:0",
        cwd=None,
    ):
        self.bin_path = Path(bin_path)
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.work_dir / "data" if data_dir is _DEFAULT else (Path(data_dir) if data_dir else None)
        self.config_path = None
        if config_toml is not None:
            self.config_path = self.work_dir / "tessera.toml"
            self.config_path.write_text(config_toml)
        self.env = dict(env or {})
        self.args = [str(a) for a in (args or [])]
        self.listen = listen
        self.cwd = Path(cwd) if cwd else self.work_dir
        self.stderr_path = self.work_dir / "stderr.log"
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None
        self.printed_url: str | None = None
        self.port: int | None = None
        self._stdout_lines: list[str] = []
        self._stdout_lock = threading.Lock()
        self.starts = 0

    # -- lifecycle ---------------------------------------------------------

    def command(self, listen=_DEFAULT) -> list[str]:
        listen = self.listen if listen is _DEFAULT else listen
        cmd = [str(self.bin_path), "serve"]
        if listen is not None and "--listen" not in self.args:
            cmd += ["--listen", listen]
        if self.data_dir is not None and "--data-dir" not in self.args:
            cmd += ["--data-dir", str(self.data_dir)]
        if self.config_path is not None and "--config" not in self.args:
            cmd += ["--config", str(self.config_path)]
        if E2E_STORE and "--store" not in self.args:
            cmd += ["--store", E2E_STORE]
        return cmd + self.args

    def process_env(self) -> dict:
        env = _clean_env(self.env)
        if E2E_STORE and "--store" not in self.args and "TESSERA_POSTGRES_SCHEMA" not in self.env:
            key = str(self.data_dir or self.work_dir).encode()
            env["TESSERA_POSTGRES_SCHEMA"] = "e2e_" + hashlib.sha256(key).hexdigest()[:20]
        return env

    def start(self, listen=_DEFAULT, timeout: float = START_TIMEOUT) -> "TesseraServer":
        assert self.proc is None or self.proc.poll() is not None, "already running"
        cmd = self.command(listen)
        self.starts += 1
        with open(self.stderr_path, "ab") as f:
            f.write(f"\n===== start #{self.starts}: {' '.join(cmd)} =====\n".encode())
        stderr_file = open(self.stderr_path, "ab")
        try:
            self.proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=stderr_file,
                stdin=subprocess.DEVNULL,
                env=self.process_env(),
                cwd=str(self.cwd),
                start_new_session=True,
            )
        finally:
            stderr_file.close()
        found = threading.Event()
        result: dict[str, str] = {}
        proc = self.proc

        def pump():
            assert proc.stdout is not None
            for raw in iter(proc.stdout.readline, b""):
                line = raw.decode("utf-8", "replace")
                with self._stdout_lock:
                    self._stdout_lines.append(line)
                if not found.is_set():
                    m = LISTEN_RE.search(line)
                    if m:
                        result["url"], result["host"], result["port"] = m.group(1), m.group(2), m.group(3)
                        found.set()
            proc.stdout.close()

        threading.Thread(target=pump, daemon=True, name="tessera-stdout").start()
        deadline = time.monotonic() + timeout
        while not found.wait(0.05):
            if proc.poll() is not None:
                found.wait(0.5)  # the line may still be in the pipe
                if found.is_set():
                    break
                raise ServerStartError(
                    f"tessera exited with {proc.returncode} before printing 'listening on':\n"
                    f"cmd: {' '.join(cmd)}\nstdout:\n{self.stdout_text()}\nstderr:\n{self.stderr_text()[-4000:]}"
                )
            if time.monotonic() > deadline:
                self._signal(signal.SIGKILL)
                raise ServerStartError(
                    f"tessera did not print 'listening on http://…' within {timeout}s:\n"
                    f"cmd: {' '.join(cmd)}\nstdout:\n{self.stdout_text()}\nstderr:\n{self.stderr_text()[-4000:]}"
                )
        host = result["host"]
        connect_host = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]"}.get(host, host)
        self.printed_url = result["url"]
        self.port = int(result["port"])
        self.url = f"http://{connect_host}:{self.port}"
        return self

    def _signal(self, sig):
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, sig)

    def stop(self, timeout: float = 10.0) -> int | None:
        """Graceful stop (SIGTERM, then SIGKILL after `timeout`)."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.wait(10)
        return self.proc.returncode

    def kill(self) -> int | None:
        """SIGKILL, no chance to flush anything."""
        if not self.proc:
            return None
        self._signal(signal.SIGKILL)
        self.proc.wait(10)
        return self.proc.returncode

    def restart(self, *, kill: bool = False, timeout: float = START_TIMEOUT) -> "TesseraServer":
        """Stop (or SIGKILL) and start again on the same data dir, on the same
        port when the original listen address was given (else a new port)."""
        if self.proc and self.proc.poll() is None:
            self.kill() if kill else self.stop()
        if self.listen is None or self.port is None:
            return self.start(timeout=timeout)
        host = self.listen.rsplit(":", 1)[0]
        try:
            return self.start(listen=f"{host}:{self.port}", timeout=timeout)
        except ServerStartError:
            return self.start(listen=f"{host}:0", timeout=timeout)

    @property
    def running(self) -> bool:
        return bool(self.proc) and self.proc.poll() is None

    # -- output ------------------------------------------------------------

    def stdout_text(self) -> str:
        with self._stdout_lock:
            return "".join(self._stdout_lines)

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def logs(self) -> str:
        return self.stdout_text() + self.stderr_text()

    def __repr__(self):
        return f"<TesseraServer {self.url} data_dir={self.data_dir}>"


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
    started: list[TesseraServer] = []

    def factory(config_toml=None, env=None, args=None, *, listen="127.0.0.1:0",
                data_dir=_DEFAULT, cwd=None, timeout=START_TIMEOUT):
        srv = TesseraServer(
            tessera_bin,
            tmp_path_factory.mktemp("srv"),
            data_dir=data_dir,
            config_toml=config_toml,
            env=env,
            args=args,
            listen=listen,
            cwd=cwd,
        )
        started.append(srv)
        srv.start(timeout=timeout)
        return srv

    yield factory
    for srv in started:
        with contextlib.suppress(Exception):
            srv.stop(timeout=5)


# --------------------------------------------------------------------------
# clients
# --------------------------------------------------------------------------


def make_client(server, service: str = "cognito-idp", **kw):
    """A boto3 client on `server`. Keyword arguments override the defaults
    (aws_access_key_id/aws_secret_access_key "test", region us-east-1); a
    `config` is merged over the suite's default (no retries, so every error
    surfaces as the server sent it)."""
    base = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=64,
    )
    config = kw.pop("config", None)
    if config is not None:
        base = base.merge(config)
    params = dict(
        endpoint_url=server.url if hasattr(server, "url") else str(server),
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name=DEFAULT_REGION,
        config=base,
    )
    params.update(kw)
    # A session per client: boto3's default session is not thread-safe.
    return boto3.session.Session().client(service, **params)


def unsigned_client(server, **kw):
    return make_client(server, config=Config(signature_version=UNSIGNED), **kw)


@pytest.fixture(scope="session")
def cognito(server):
    return make_client(server)


_counter = iter(range(10**9))


def unique(prefix: str = "t") -> str:
    """A name unique across runs, workers and calls: `prefix-xxxxxxxxxx-n`.
    Valid as pool, client, group and user name."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}{next(_counter)}"


@pytest.fixture
def pool(cognito):
    pool_id = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]["Id"]
    yield pool_id
    with contextlib.suppress(Exception):
        cognito.delete_user_pool(UserPoolId=pool_id)


@pytest.fixture
def pool_with_client(cognito, pool):
    client_id = cognito.create_user_pool_client(UserPoolId=pool, ClientName=unique("client"))[
        "UserPoolClient"
    ]["ClientId"]
    return pool, client_id


def outbox(server, pool_id: str | None = None, recipient: str | None = None) -> list[dict]:
    params = {}
    if pool_id is not None:
        params["pool_id"] = pool_id
    if recipient is not None:
        params["recipient"] = recipient
    r = requests.get(f"{server.url}/_tessera/outbox", params=params, timeout=10)
    r.raise_for_status()
    return r.json()["messages"]


class AwsCliError(AssertionError):
    def __init__(self, returncode, stdout, stderr, args):
        self.returncode, self.stdout, self.stderr, self.cli_args = returncode, stdout, stderr, args
        super().__init__(f"aws {' '.join(args)} exited {returncode}:\n{stderr}\n{stdout}")


def aws_cli(server, *args, env: dict | None = None, region: str = DEFAULT_REGION, timeout: float = 120):
    """Run `python -m awscli cognito-idp ARGS --endpoint-url URL --region R
    --output json` with credentials test/test; returns the parsed JSON ({}
    for an empty output) or raises AwsCliError (with .stderr)."""
    args = [str(a) for a in args]
    cmd = [sys.executable, "-m", "awscli", "cognito-idp", *args,
           "--endpoint-url", server.url, "--region", region, "--output", "json"]
    cli_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    cli_env.update(
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_MAX_ATTEMPTS="1",
        AWS_RETRY_MODE="standard",
        AWS_PAGER="",
    )
    cli_env.update(env or {})
    proc = subprocess.run(cmd, capture_output=True, text=True, env=cli_env, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise AwsCliError(proc.returncode, proc.stdout, proc.stderr, args)
    out = proc.stdout.strip()
    return json.loads(out) if out else {}


# --------------------------------------------------------------------------
# raw HTTP
# --------------------------------------------------------------------------


def sign_headers(url: str, body: bytes, headers: dict, *, access_key="test", secret_key="test",
                 region=DEFAULT_REGION, service="cognito-idp") -> dict:
    req = AWSRequest(method="POST", url=url, data=body, headers=dict(headers))
    SigV4Auth(Credentials(access_key, secret_key), service, region).add_auth(req)
    return dict(req.headers.items())


def raw_call(server, operation: str | None, body: Any = None, *, data: bytes | str | None = None,
             headers: dict | None = None, target: str | None = None, sign: bool = True,
             access_key="test", secret_key="test", region=DEFAULT_REGION,
             content_type: str | None = JSON_CONTENT_TYPE, timeout: float = 30) -> requests.Response:
    """POST / with awsJson headers.

    `operation` becomes `X-Amz-Target: AWSCognitoIdentityProviderService.<op>`
    (`target` overrides it verbatim; operation=None and target=None send no
    target header). `body` is JSON-encoded (default {}); `data` sends raw bytes
    instead. With sign=True the request carries a SigV4 signature."""
    if data is None:
        payload = json.dumps({} if body is None else body).encode()
    else:
        payload = data.encode() if isinstance(data, str) else data
    h = {}
    if content_type:
        h["Content-Type"] = content_type
    if target is not None:
        h["X-Amz-Target"] = target
    elif operation is not None:
        h["X-Amz-Target"] = TARGET_PREFIX + operation
    h.update(headers or {})
    url = server.url + "/"
    if sign:
        h = sign_headers(url, payload, h, access_key=access_key, secret_key=secret_key, region=region)
    return requests.post(url, data=payload, headers=h, timeout=timeout)


def error_type_of(resp: requests.Response) -> str | None:
    try:
        t = resp.json().get("__type")
    except ValueError:
        return None
    return t.rsplit("#", 1)[-1] if isinstance(t, str) else None


def assert_json_error(resp: requests.Response, error_type: str | Iterable[str] | None = None,
                      status: int | Iterable[int] | None = 400) -> dict:
    """Assert a Cognito-style error response and return its JSON body.

    Checks the status (`None` = any 4xx), a JSON body with string `__type` and
    `message`, `x-amzn-ErrorType` agreeing with `__type`, and a request id."""
    ctx = f"HTTP {resp.status_code} {resp.headers!r}\n{resp.text[:2000]!r}"
    if status is None:
        assert 400 <= resp.status_code < 500, ctx
    elif isinstance(status, int):
        assert resp.status_code == status, ctx
    else:
        assert resp.status_code in set(status), ctx
    try:
        body = resp.json()
    except ValueError:
        pytest.fail(f"error body is not JSON: {ctx}")
    assert isinstance(body, dict), ctx
    assert isinstance(body.get("__type"), str) and body["__type"], ctx
    assert isinstance(body.get("message"), str), ctx
    etype = body["__type"].rsplit("#", 1)[-1]
    if error_type is not None:
        allowed = {error_type} if isinstance(error_type, str) else set(error_type)
        assert etype in allowed, f"expected {allowed}, got {etype}: {ctx}"
    header = resp.headers.get("x-amzn-ErrorType")
    assert header is not None, f"no x-amzn-ErrorType header: {ctx}"
    assert header.split(":", 1)[0].rsplit("#", 1)[-1] == etype, ctx
    assert resp.headers.get("x-amzn-RequestId"), f"no x-amzn-RequestId: {ctx}"
    return body


@contextlib.contextmanager
def expect_error(code: str, message: str | None = None, contains: Iterable[str] | str = ()):
    """`with expect_error("ResourceNotFoundException", "User pool x does not exist."):`
    Asserts a botocore ClientError with that code, an exact message (if given)
    and each `contains` substring (case-insensitive). Yields the excinfo."""
    with pytest.raises(ClientError) as excinfo:
        yield excinfo
    err = excinfo.value.response["Error"]
    assert err.get("Code") == code, f"expected {code}, got {err}"
    if message is not None:
        assert err.get("Message") == message, f"message {err.get('Message')!r} != {message!r}"
    if isinstance(contains, str):
        contains = (contains,)
    for piece in contains:
        assert piece.lower() in (err.get("Message") or "").lower(), (
            f"{piece!r} not in message {err.get('Message')!r}"
        )


def wait_http_ok(url: str, timeout: float = 10.0) -> requests.Response:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = requests.get(url, timeout=2)
            if last.status_code == 200:
                return last
        except requests.RequestException as e:  # noqa: PERF203
            last = e
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered 200: {last!r}")


# --------------------------------------------------------------------------
# snapshots
# --------------------------------------------------------------------------

_TIMESTAMP_KEYS = {"CreationDate", "LastModifiedDate", "UserCreateDate", "UserLastModifiedDate",
                   "created_at", "timestamp"}
_POOL_ID_IN_TEXT = re.compile(r"\b[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+\b")
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_ARN_ACCOUNT = re.compile(r"(arn:aws:cognito-idp:[a-z0-9-]+:)\d{12}(:)")


def normalize(data: Any, keep: Iterable[str] = ()) -> Any:
    """Replace volatile values: timestamps, request ids, generated pool ids
    (unless listed in `keep`), UUIDs, client secrets, ARN account ids."""
    keep = set(keep)

    def text(s: str) -> str:
        if s in keep:
            return s
        s = _ARN_ACCOUNT.sub(r"\1<account>\2", s)
        s = _POOL_ID_IN_TEXT.sub(lambda m: m.group(0) if m.group(0) in keep else "<pool-id>", s)
        s = _UUID.sub(lambda m: m.group(0) if m.group(0) in keep else "<uuid>", s)
        return s

    def walk(v, key=None):
        if isinstance(v, dict):
            return {k: walk(x, k) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if key in _TIMESTAMP_KEYS and isinstance(v, (int, float, str)):
            return "<timestamp>"
        if key in ("ClientSecret",) and isinstance(v, str):
            return "<client-secret>"
        if key in ("ClientId",) and isinstance(v, str) and v not in keep:
            return "<client-id>"
        if key in ("RequestId", "x-amzn-RequestId") and isinstance(v, str):
            return "<request-id>"
        if isinstance(v, str):
            return text(v)
        return v

    return walk(data)


def http_snapshot(resp: requests.Response, keep: Iterable[str] = ()) -> dict:
    """The stable parts of a raw HTTP response, normalized."""
    try:
        body = resp.json()
    except ValueError:
        body = resp.text
    headers = {}
    for name in ("Content-Type", "x-amzn-ErrorType"):
        if name in resp.headers:
            headers[name] = resp.headers[name]
    return normalize({"status": resp.status_code, "headers": headers, "body": body}, keep)


class Snapshot:
    def __init__(self, update: bool, directory: Path = SNAPSHOT_DIR):
        self.update = update
        self.directory = directory

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def assert_match(self, name: str, data: Any):
        path = self.path(name)
        rendered = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        if self.update:
            self.directory.mkdir(parents=True, exist_ok=True)
            path.write_text(rendered)
            return
        if not path.exists():
            pytest.fail(
                f"snapshot {path.name} does not exist; review the output below and create it with "
                f"`pytest --snapshot-update` (or SNAPSHOT_UPDATE=1):\n{rendered}",
                pytrace=False,
            )
        expected = json.loads(path.read_text())
        if expected != json.loads(rendered):
            want = json.dumps(expected, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            diff = "".join(difflib.unified_diff(want.splitlines(True), rendered.splitlines(True),
                                                f"snapshots/{path.name}", "actual"))
            pytest.fail(f"snapshot {path.name} differs (update with --snapshot-update):\n{diff}",
                        pytrace=False)


@pytest.fixture
def snapshot(request) -> Snapshot:
    update = request.config.getoption("--snapshot-update") or os.environ.get("SNAPSHOT_UPDATE") == "1"
    return Snapshot(update)


# --------------------------------------------------------------------------
# sign-up / sign-in helpers (issue 3: test_signup, test_auth_*, test_tokens, …)
# --------------------------------------------------------------------------

import base64 as _base64
import hashlib as _hashlib
import hmac as _hmac

# Satisfies Cognito's default policy (8 chars, upper, lower, digit, symbol).
AUTH_PASSWORD = "Passw0rd!"
AUTH_NEW_PASSWORD = "N3w-Passw0rd!"

# Every flow the tests need, in the ALLOW_ form.
ALL_AUTH_FLOWS = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]

_CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def new_pool(cognito, **settings) -> str:
    """A fresh user pool with `settings` (CreateUserPool members); returns its id."""
    return cognito.create_user_pool(PoolName=unique("pool"), **settings)["UserPool"]["Id"]


def new_app_client(cognito, pool_id: str, *, secret: bool = False, flows=None, **settings) -> dict:
    """A fresh app client (the UserPoolClient dict: ClientId, ClientSecret when `secret`)."""
    return cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=unique("client"),
        GenerateSecret=secret,
        ExplicitAuthFlows=list(ALL_AUTH_FLOWS if flows is None else flows),
        **settings,
    )["UserPoolClient"]


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """Cognito's SECRET_HASH: base64(HMAC-SHA256(secret, username + client_id))."""
    digest = _hmac.new(client_secret.encode(), (username + client_id).encode(), _hashlib.sha256).digest()
    return _base64.b64encode(digest).decode()


def attr_list(attributes: dict | None) -> list[dict]:
    return [{"Name": k, "Value": v} for k, v in (attributes or {}).items()]


def attr_dict(attribute_list) -> dict:
    return {a["Name"]: a["Value"] for a in attribute_list}


def confirmed_user(cognito, pool_id: str, username: str, password: str = AUTH_PASSWORD,
                   attributes: dict | None = None) -> dict:
    """A CONFIRMED user made with the admin API (AdminCreateUser + permanent
    AdminSetUserPassword), independent of SignUp. Returns AdminGetUser's answer."""
    cognito.admin_create_user(UserPoolId=pool_id, Username=username,
                              UserAttributes=attr_list(attributes), MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password,
                                    Permanent=True)
    return cognito.admin_get_user(UserPoolId=pool_id, Username=username)


def codes_for(server, pool_id: str, recipient: str, kind: str = "code") -> list[str]:
    """Every 6-digit code sent to `recipient` in `pool_id`, oldest first."""
    found = []
    for m in outbox(server, pool_id=pool_id, recipient=recipient):
        if m.get("kind") == kind:
            hit = _CODE_RE.search(m["body"])
            assert hit, f"no 6-digit code in {m['body']!r}"
            found.append(hit.group(1))
    return found


def latest_code(server, pool_id: str, recipient: str) -> str:
    codes = codes_for(server, pool_id, recipient)
    assert codes, f"no code message for {recipient} in {outbox(server, pool_id=pool_id)!r}"
    return codes[-1]


def password_auth(cognito, client_id: str, username: str, password: str,
                  client_secret: str | None = None, secret_username: str | None = None) -> dict:
    """InitiateAuth USER_PASSWORD_AUTH; returns the whole response."""
    params = {"USERNAME": username, "PASSWORD": password}
    if client_secret is not None:
        params["SECRET_HASH"] = secret_hash(secret_username or username, client_id, client_secret)
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def sign_in(cognito, client_id: str, username: str, password: str = AUTH_PASSWORD,
            client_secret: str | None = None) -> dict:
    """USER_PASSWORD_AUTH that must succeed; returns the AuthenticationResult."""
    resp = password_auth(cognito, client_id, username, password, client_secret)
    assert "AuthenticationResult" in resp, f"expected tokens, got {resp!r}"
    return resp["AuthenticationResult"]


def srp_sign_in(server, pool_id: str, client_id: str, username: str, password: str = AUTH_PASSWORD,
                client_secret: str | None = None) -> dict:
    """USER_SRP_AUTH with pycognito's AWSSRP (the real client code); returns the
    RespondToAuthChallenge response."""
    from pycognito.aws_srp import AWSSRP

    srp = AWSSRP(username=username, password=password, pool_id=pool_id, client_id=client_id,
                 client=make_client(server), client_secret=client_secret)
    return srp.authenticate_user()


def jwt_claims(token: str) -> dict:
    """The payload of a JWT, unverified."""
    payload = token.split(".")[1]
    return json.loads(_base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def jwt_header(token: str) -> dict:
    header = token.split(".")[0]
    return json.loads(_base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))


def issuer_of(server, pool_id: str) -> str:
    """The `iss` Tessera uses by default: its listen URL + "/" + pool id."""
    return f"{server.url}/{pool_id}"


def b64url(data: bytes) -> str:
    return _base64.urlsafe_b64encode(data).rstrip(b"=").decode()
