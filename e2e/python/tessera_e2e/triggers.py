"""Lambda triggers as the server's HTTP invoker reaches them: a webhook the test controls.

`TriggerServer` is a small threaded HTTP server on 127.0.0.1 (a free port) standing in for
every Lambda function a pool names. It records each event it is sent (parsed JSON, oldest
first) and answers with its current `handler(event)`:

- a returned dict is the function's result, sent as a 200 JSON body (the HTTP invoker reads a
  2xx body as the returned event);
- a raised exception is the function throwing: 400 `{"errorMessage": str(e), "errorType": "Error"}`;
- a returned `Answer(status, body)` is sent verbatim (garbage, a bare 500, ...).

`delay` (seconds) holds every answer back, to outlast the invoker's timeout.

    with TriggerServer() as hooks:
        hooks.handler = respond(autoConfirmUser=True)
        ...
        assert hooks.sources() == ["PreSignUp_SignUp"]

Handlers: `echo` (the event back, unchanged), `respond(**members)` (the event back with
`response` updated), `refuse(message)` (throws), `garbage(body)`, `by_source({...})`.
Configuration: `lambda_arn(name)`, `mapping_toml(url, ...)` (one `[[triggers]]` entry),
`unreachable_url()` (a URL nothing listens on).
"""

from __future__ import annotations

import contextlib
import copy
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from .server import free_port

# The account every test ARN is in; the module's server maps every function of it to the hook.
ACCOUNT = "123456789012"
REGION = "us-east-1"


def lambda_arn(function: str, account: str = ACCOUNT, region: str = REGION) -> str:
    """`arn:aws:lambda:<region>:<account>:function:<function>`"""
    return f"arn:aws:lambda:{region}:{account}:function:{function}"


def mapping_toml(url: str, *, timeout_seconds: int | None = 1, **matcher) -> str:
    """One `[[triggers]]` entry sending to `url`. `matcher` is one of default=True,
    arn="...", arn_prefix="...", function="..." (default: default=True)."""
    if not matcher:
        matcher = {"default": True}
    lines = ["[[triggers]]"]
    for key, value in matcher.items():
        lines.append(f"{key} = {json.dumps(value)}")
    lines.append(f"url = {json.dumps(url)}")
    if timeout_seconds is not None:
        lines.append(f"timeout_seconds = {int(timeout_seconds)}")
    return "\n".join(lines) + "\n"


def unreachable_url() -> str:
    """An http:// URL on a loopback port nothing listens on (a refused connection)."""
    return f"http://127.0.0.1:{free_port()}/hook"


# --------------------------------------------------------------------------
# answers and handlers
# --------------------------------------------------------------------------


class TriggerError(Exception):
    """What a handler raises to make the function throw (any exception will do)."""


@dataclass
class Answer:
    """An answer sent verbatim: status, body (bytes or str), content type."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = "application/json"


def echo(event: dict) -> dict:
    """The event back, unchanged (a function that does nothing)."""
    return event


def respond(**members) -> Callable[[dict], dict]:
    """A handler returning the event with `response` updated by `members`."""

    def handler(event: dict) -> dict:
        response = event.get("response") or {}
        response.update(copy.deepcopy(members))
        event["response"] = response
        return event

    return handler


def refuse(message: str) -> Callable[[dict], dict]:
    """A handler that throws `message`."""

    def handler(event: dict) -> dict:
        raise TriggerError(message)

    return handler


def garbage(body: bytes | str = b"this is not JSON", status: int = 200,
            content_type: str = "text/plain") -> Callable[[dict], Answer]:
    """A handler answering `body` verbatim."""

    def handler(event: dict) -> Answer:
        return Answer(status, body, content_type)

    return handler


def by_source(handlers: dict[str, Callable], default: Callable = echo) -> Callable:
    """A handler choosing by `triggerSource` (exact name, or a prefix such as "PreSignUp_")."""

    def handler(event: dict):
        source = event.get("triggerSource", "")
        for key, chosen in handlers.items():
            if source == key or (key.endswith("_") and source.startswith(key)):
                return chosen(event)
        return default(event)

    return handler


# --------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------


@dataclass
class Received:
    """One request the hook got: path, headers (lower-case names), raw body, parsed event
    (None when the body was not JSON)."""

    path: str
    headers: dict[str, str]
    body: bytes
    event: Any = None
    answered: dict = field(default_factory=dict)


class TriggerServer:
    """A webhook standing in for Lambda functions; see the module docstring."""

    def __init__(self, path: str = "/hook"):
        self.path = path
        self.handler: Callable[[dict], Any] = echo
        self.delay: float = 0.0
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> "TriggerServer":
        hook = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                hook._serve(self)

            def do_GET(self):
                self.send_response(405)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="trigger-hook")
        self._thread.start()
        return self

    def close(self) -> None:
        self._wake.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "TriggerServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "not started"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def reset(self) -> None:
        """Back to a function that echoes the event, without delay, nothing recorded; any
        answer still held back is let go."""
        with self._lock:
            self._received.clear()
            self.handler = echo
            self.delay = 0.0
            self._wake.set()
            self._wake = threading.Event()

    # -- what was received -------------------------------------------------

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    @property
    def events(self) -> list[dict]:
        """Every event received, oldest first (deep copies, as sent)."""
        return [copy.deepcopy(r.event) for r in self.received]

    def sources(self, pool_id: str | None = None) -> list[str]:
        """The `triggerSource` of every event (of one pool), in order."""
        return [e.get("triggerSource") for e in self.events if pool_id is None or e.get("userPoolId") == pool_id]

    def of(self, source: str, pool_id: str | None = None) -> list[dict]:
        """Every event of `source` (of one pool), in order."""
        return [e for e in self.events
                if e.get("triggerSource") == source and (pool_id is None or e.get("userPoolId") == pool_id)]

    def only(self, source: str, pool_id: str | None = None) -> dict:
        """The one event of `source`; fails unless there is exactly one."""
        found = self.of(source, pool_id)
        assert len(found) == 1, f"expected one {source} event, got {len(found)}: sources {self.sources()}"
        return found[0]

    def clear(self) -> None:
        with self._lock:
            self._received.clear()

    # -- answering ---------------------------------------------------------

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        try:
            event = json.loads(body)
        except ValueError:
            event = None
        record = Received(path=request.path, headers={k.lower(): v for k, v in request.headers.items()},
                          body=body, event=copy.deepcopy(event))
        with self._lock:
            self._received.append(record)
            handler, delay, wake = self.handler, self.delay, self._wake
        if delay:
            wake.wait(delay)
        try:
            result = handler(copy.deepcopy(event))
        except Exception as e:  # the function threw
            answer = Answer(400, json.dumps({"errorMessage": str(e), "errorType": "Error"}))
        else:
            answer = result if isinstance(result, Answer) else Answer(200, json.dumps(result))
        data = answer.body.encode() if isinstance(answer.body, str) else answer.body
        record.answered = {"status": answer.status, "body": data}
        with contextlib.suppress(OSError):  # the invoker may have given up (timeout)
            request.send_response(answer.status)
            request.send_header("Content-Type", answer.content_type)
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
            request.wfile.flush()
