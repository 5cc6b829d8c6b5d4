"""The `tessera` binary and the servers the suite runs from it.

Finding the binary (`TESSERA_BIN`, else the cargo target directory), running it to
completion (`run_tessera`), and `TesseraServer`, one restartable `tessera serve` process.
The suite never builds the binary: run `cargo build -p tessera` first.

Storage: with `TESSERA_E2E_STORE` set to a postgres:// URL, every server started here
(unless its test passes `--store` itself) runs on PostgreSQL, in a schema of its own derived
from its data directory, so restarts reach the same data. Unset, servers use their embedded
SQLite store.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterable

REPO_ROOT = Path(__file__).resolve().parent.parent.parent.parent
START_TIMEOUT = 30.0

# Read once: the suite's choice of store, not something a test may change.
E2E_STORE = os.environ.get("TESSERA_E2E_STORE") or None

LISTEN_RE = re.compile(r"listening on ((https?)://(\[[^\]]+\]|[^\s:/]+):(\d+))")

# "Not given": lets `data_dir=None` / `listen=None` mean "leave the flag out".
DEFAULT = object()


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


def is_runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def missing_binary_message(path: Path) -> str:
    return (
        f"tessera binary not found at {path}: run `cargo build -p tessera` first "
        "(or set TESSERA_BIN to a built binary)"
    )


def clean_env(extra: dict | None = None) -> dict:
    """The process environment without TESSERA_* settings (so a developer's
    shell cannot change what a test observes), plus `extra` (None removes a key)."""
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
        env=clean_env(env),
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
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# a running server
# --------------------------------------------------------------------------


class ServerStartError(RuntimeError):
    pass


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
        data_dir=DEFAULT,
        config_toml: str | None = None,
        env: dict | None = None,
        args: Iterable[str] | None = None,
        listen: str | None = "127.0.0.1:0",
        cwd=None,
    ):
        self.bin_path = Path(bin_path)
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.work_dir / "data" if data_dir is DEFAULT else (Path(data_dir) if data_dir else None)
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

    def command(self, listen=DEFAULT) -> list[str]:
        listen = self.listen if listen is DEFAULT else listen
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
        env = clean_env(self.env)
        if E2E_STORE and "--store" not in self.args and "TESSERA_POSTGRES_SCHEMA" not in self.env:
            key = str(self.data_dir or self.work_dir).encode()
            env["TESSERA_POSTGRES_SCHEMA"] = "e2e_" + hashlib.sha256(key).hexdigest()[:20]
        return env

    def start(self, listen=DEFAULT, timeout: float = START_TIMEOUT) -> "TesseraServer":
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
                        result["url"], result["scheme"] = m.group(1), m.group(2)
                        result["host"], result["port"] = m.group(3), m.group(4)
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
                    f"tessera did not print 'listening on http(s)://…' within {timeout}s:\n"
                    f"cmd: {' '.join(cmd)}\nstdout:\n{self.stdout_text()}\nstderr:\n{self.stderr_text()[-4000:]}"
                )
        host = result["host"]
        connect_host = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]"}.get(host, host)
        self.printed_url = result["url"]
        self.port = int(result["port"])
        self.url = f"{result['scheme']}://{connect_host}:{self.port}"
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


class ServerFactory:
    """Starts private servers in fresh directories and stops them all at the end
    (what the `start_server` fixture hands to a test)."""

    def __init__(self, bin_path: Path, make_dir):
        self.bin_path = bin_path
        self.make_dir = make_dir  # () -> a fresh directory
        self.started: list[TesseraServer] = []

    def __call__(self, config_toml=None, env=None, args=None, *, listen="127.0.0.1:0",
                 data_dir=DEFAULT, cwd=None, timeout=START_TIMEOUT) -> TesseraServer:
        srv = TesseraServer(self.bin_path, self.make_dir(), data_dir=data_dir, config_toml=config_toml,
                            env=env, args=args, listen=listen, cwd=cwd)
        self.started.append(srv)
        srv.start(timeout=timeout)
        return srv

    def stop_all(self) -> None:
        for srv in self.started:
            with contextlib.suppress(Exception):
                srv.stop(timeout=5)
