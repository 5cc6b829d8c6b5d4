"""Talking to a server the way AWS clients do, and checking what errors come back.

boto3 clients (`make_client`, `unsigned_client`, `lax_client`), the AWS CLI (`aws_cli`),
raw awsJson 1.1 requests with or without SigV4 (`raw_call`, `sign_headers`), and the two
error checks every test uses: `expect_error` for boto3 calls and `assert_json_error` for
raw responses.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from typing import Any, Iterable, Iterator

import boto3
import pytest
import requests
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
DEFAULT_REGION = "us-east-1"

POOL_ID_RE = re.compile(r"^us-east-1_[0-9A-Za-z]{9}$")
CLIENT_ID_RE = re.compile(r"^[a-z0-9]{26}$")


def base_url(server) -> str:
    """A server's base URL; a plain URL string is accepted too."""
    return server.url if hasattr(server, "url") else str(server)


# --------------------------------------------------------------------------
# boto3 and the AWS CLI
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
        endpoint_url=base_url(server),
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name=DEFAULT_REGION,
        config=base,
    )
    params.update(kw)
    # A session per client: boto3's default session is not thread-safe.
    return boto3.session.Session().client(service, **params)


def unsigned_client(server, **kw):
    """A boto3 client that sends no SigV4 signature at all."""
    return make_client(server, config=Config(signature_version=UNSIGNED), **kw)


def lax_client(server, **kw):
    """A boto3 client that skips botocore's own parameter checks, so the server's
    validation is what answers."""
    return make_client(server, config=Config(parameter_validation=False), **kw)


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
    """`headers` plus a SigV4 signature over a POST of `body` to `url`."""
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


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------


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


class CaughtError:
    """The ClientError an `expect_error` block raised; readable once the block has ended."""

    def __init__(self, excinfo: pytest.ExceptionInfo):
        self._excinfo = excinfo

    @property
    def value(self) -> ClientError:
        return self._excinfo.value

    @property
    def error(self) -> dict:
        """botocore's `response["Error"]`: Code and Message."""
        return self.value.response["Error"]

    @property
    def code(self) -> str | None:
        return self.error.get("Code")

    @property
    def message(self) -> str:
        return self.error.get("Message", "")


@contextlib.contextmanager
def expect_error(code: str | Iterable[str], message: str | None = None,
                 contains: Iterable[str] | str = ()) -> Iterator[CaughtError]:
    """`with expect_error("ResourceNotFoundException", "User pool x does not exist."):`

    Asserts the block raises a botocore ClientError whose code is `code` (or one of
    them, given several), with an exact message (if given) and each `contains`
    substring (case-insensitive). Yields a `CaughtError` for further checks after
    the block."""
    allowed = {code} if isinstance(code, str) else set(code)
    with pytest.raises(ClientError) as excinfo:
        yield CaughtError(excinfo)
    err = excinfo.value.response["Error"]
    expected = code if isinstance(code, str) else f"one of {sorted(allowed)}"
    assert err.get("Code") in allowed, f"expected {expected}, got {err}"
    if message is not None:
        assert err.get("Message") == message, f"message {err.get('Message')!r} != {message!r}"
    if isinstance(contains, str):
        contains = (contains,)
    for piece in contains:
        assert piece.lower() in (err.get("Message") or "").lower(), (
            f"{piece!r} not in message {err.get('Message')!r}"
        )
