"""A throw-away PostgreSQL server for tests that must stop and start the database.

The machine's shared PostgreSQL (127.0.0.1:5432) is used by other tests at the same time, so a
test that simulates a database outage needs a server of its own: `PrivatePostgres` runs
`initdb` into a temporary directory and `pg_ctl` on a free port, with trust authentication for
the `postgres` superuser. `stop()` / `start()` take it down and bring it back on the same port
with the same data, which is what an outage looks like to its clients.

`initdb` and `postgres` refuse to run as root; as root, both run as the `postgres` user via
`runuser`, on a directory that user owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tessera_e2e.server import free_port

PG_TIMEOUT = 60.0


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries cannot be found or run."""


def find_bindir() -> Path:
    """The directory holding initdb / pg_ctl: `pg_config --bindir` when it has them, else the
    newest /usr/lib/postgresql/<version>/bin."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass

    def version_key(path: str):
        name = Path(path).parent.name
        return (0, int(name)) if name.isdigit() else (-1, 0)

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version_key, reverse=True)]
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: looked in "
        f"{[str(c) for c in candidates] or '`pg_config --bindir` and /usr/lib/postgresql/*/bin'}; "
        "install the Debian package postgresql (e.g. `apt-get install postgresql`)"
    )


class PrivatePostgres:
    """One private PostgreSQL cluster. Attributes: url, port, root (the temporary directory)."""

    def __init__(self, bindir: Path | None = None):
        self.bindir = bindir or find_bindir()
        self.as_root = os.geteuid() == 0
        # Short path: the Unix socket lives here too, and socket paths are limited to ~107 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="tessera-pg-", dir="/tmp"))
        self.data_dir = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self.port: int | None = None
        self.running = False
        if self.as_root:
            # The cluster's owner must be able to reach and write the directory.
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, "postgres", "postgres")

    @property
    def url(self) -> str:
        assert self.port is not None, "not initialised"
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    # -- running the tools ---------------------------------------------------

    def _run(self, tool: str, *args: str, timeout: float = PG_TIMEOUT) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / tool), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        # A neutral locale: initdb fails on a locale the machine does not have.
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                              stdin=subprocess.DEVNULL, cwd=str(self.root))
        if proc.returncode != 0:
            raise PostgresUnavailable(
                f"`{' '.join(cmd)}` exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}\n"
                f"server log:\n{self.log_text()[-3000:]}"
            )
        return proc

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except (FileNotFoundError, PermissionError):
            return ""

    # -- lifecycle -------------------------------------------------------------

    def init(self) -> "PrivatePostgres":
        self._run("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        return self

    def start(self) -> "PrivatePostgres":
        """Start the server: on a free port the first time, on the same port (same data) after."""
        assert not self.running, "already running"
        first = self.port is None
        for attempt in range(3):
            if first:
                self.port = free_port()
            # fsync off: the tests never crash the machine, and a clean or fast shutdown
            # still writes every committed transaction.
            options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                       "-c fsync=off -c max_connections=200")
            try:
                self._run("pg_ctl", "-D", str(self.data_dir), "-o", options, "-w", "-t", "60",
                          "-l", str(self.log_path), "start", timeout=PG_TIMEOUT + 10)
            except PostgresUnavailable:
                # The first time, another process may have taken the free port meanwhile.
                if first and attempt < 2:
                    continue
                raise
            self.running = True
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Fast shutdown: clients are disconnected, committed data is kept."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-t", "60", "stop", "-m", "fast",
                      timeout=PG_TIMEOUT + 10)
            self.running = False

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __repr__(self):
        return f"<PrivatePostgres port={self.port} root={self.root} running={self.running}>"
