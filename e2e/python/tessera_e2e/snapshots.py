"""Exact-JSON snapshots of responses, with the volatile values normalized away.

`normalize` replaces timestamps, generated ids, UUIDs, secrets and account ids;
`http_snapshot` keeps the stable parts of a raw response; `Snapshot.assert_match`
compares with (or, when updating, writes) `snapshots/<name>.json`.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any, Iterable

import pytest
import requests

SNAPSHOT_DIR = Path(__file__).resolve().parent.parent / "snapshots"

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
    """Compares data with `<directory>/<name>.json`, or (re)writes it when `update`."""

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
