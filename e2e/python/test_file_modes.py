"""The data directory and the files in it are readable by their owner only: a data
directory Tessera creates is 0700, the database with its -wal and -shm files and the
generated key-encryption key are 0600, whatever the umask; a directory the operator made
keeps its mode, with a warning at start when group or others may read or write it.

Every server here runs on SQLite (`--store sqlite`, even when the suite runs on
PostgreSQL): the files are SQLite's."""

from __future__ import annotations

import contextlib
import os
import stat

from tessera_e2e.aws import make_client
from tessera_e2e.flows import make_pool

SQLITE = ["--store", "sqlite"]
KEY_FILE = "key-encryption-key"
WIDE_WARNING = "readable or writable by other local users"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextlib.contextmanager
def umask(value: int):
    """The process umask set to `value` while the block runs (a server started inside
    inherits it)."""
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def written(srv) -> None:
    """A committed write, so the WAL (and its index, -shm) exist."""
    make_pool(make_client(srv))


def data_file_modes(data_dir) -> dict[str, int]:
    """The mode of each file the server keeps in `data_dir`."""
    names = ["tessera.db", "tessera.db-wal", "tessera.db-shm", KEY_FILE]
    return {name: mode(data_dir / name) for name in names if (data_dir / name).exists()}


def test_a_fresh_data_dir_and_its_files_are_owner_only(start_server, tmp_path):
    # Under umask 000 SQLite would create the database 0666 and mkdir the directory 0777.
    data_dir = tmp_path / "parent" / "data"
    with umask(0o000):
        srv = start_server(args=SQLITE, data_dir=data_dir)
    written(srv)

    assert mode(data_dir) == 0o700
    modes = data_file_modes(data_dir)
    for name in ("tessera.db", "tessera.db-wal", KEY_FILE):
        assert name in modes, f"{name} missing from {sorted(os.listdir(data_dir))}"
    assert modes == {name: 0o600 for name in modes}, {k: oct(v) for k, v in modes.items()}
    assert WIDE_WARNING not in srv.stderr_text()

    # Started again on the directory it made: nothing to warn about, nothing changed.
    srv.restart()
    written(srv)
    assert mode(data_dir) == 0o700
    modes = data_file_modes(data_dir)
    assert modes == {name: 0o600 for name in modes}, {k: oct(v) for k, v in modes.items()}
    assert WIDE_WARNING not in srv.stderr_text()


def test_an_existing_wide_data_dir_keeps_its_mode_with_a_warning(start_server, tmp_path):
    data_dir = tmp_path / "chosen"
    data_dir.mkdir()
    os.chmod(data_dir, 0o755)
    srv = start_server(args=SQLITE, data_dir=data_dir)
    written(srv)

    assert mode(data_dir) == 0o755, "the operator's directory is left as it was"
    # The files Tessera creates in it are still its owner's only.
    modes = data_file_modes(data_dir)
    assert {"tessera.db", "tessera.db-wal", KEY_FILE} <= set(modes), sorted(modes)
    assert modes == {name: 0o600 for name in modes}, {k: oct(v) for k, v in modes.items()}

    warnings = [line for line in srv.stderr_text().splitlines() if WIDE_WARNING in line]
    assert len(warnings) == 1, srv.stderr_text()
    line = warnings[0]
    assert "WARN" in line, line
    assert str(data_dir) in line and "0755" in line, line
    key = (data_dir / KEY_FILE).read_text().strip()
    assert key not in srv.logs(), "the key-encryption key reached the log"


def test_a_group_writable_data_dir_is_warned_about_too(start_server, tmp_path):
    data_dir = tmp_path / "shared"
    data_dir.mkdir()
    os.chmod(data_dir, 0o730)
    srv = start_server(args=SQLITE, data_dir=data_dir)
    assert mode(data_dir) == 0o730
    assert any(WIDE_WARNING in line and "0730" in line for line in srv.stderr_text().splitlines()), \
        srv.stderr_text()
