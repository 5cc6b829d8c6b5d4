"""Packaging: the systemd unit passes `systemd-analyze verify` and stays well
sandboxed; the container image's settings (its ENV, USER, VOLUME and
HEALTHCHECK, read from the Dockerfile) serve and pass their own health check
with the binary under test; the configuration reference is the binary's.

Building and running the image itself needs a container runtime; the README's
"Deploying" section has the commands."""

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tessera_e2e.server import run_tessera

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "packaging/systemd/tessera.service"
DOCKERFILE = REPO / "Dockerfile"
# systemd-analyze's exposure scale is 0.0 (locked down) to 10.0; the unit
# scores 1.1. --threshold takes it times ten.
MAX_EXPOSURE = 2.0


def systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.fail("systemd-analyze is missing: install Debian's `systemd` (scripts/ensure-test-tools does)",
                    pytrace=False)
    return path


@pytest.fixture
def unit_for(tmp_path, tessera_bin):
    """The unit, with ExecStart pointing at the binary under test (verify
    checks that the program exists)."""
    text = UNIT.read_text()
    assert "ExecStart=/usr/local/bin/tessera serve" in text
    unit = tmp_path / "tessera.service"
    unit.write_text(text.replace("/usr/local/bin/tessera", str(tessera_bin)))
    return unit


def test_systemd_unit_verifies(unit_for):
    r = subprocess.run([systemd_analyze(), "verify", str(unit_for)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    # verify warns (exit 0) about unknown or misspelt settings.
    assert "Unknown" not in r.stderr and "Ignoring" not in r.stderr, r.stderr


def test_systemd_unit_is_sandboxed(unit_for):
    r = subprocess.run(
        [systemd_analyze(), "security", "--offline=yes", f"--threshold={int(MAX_EXPOSURE * 10)}", str(unit_for)],
        capture_output=True, text=True,
    )
    m = re.search(r"Overall exposure level for tessera.service: (\d+\.\d+)", r.stdout)
    assert m, r.stdout + r.stderr
    assert r.returncode == 0 and float(m.group(1)) <= MAX_EXPOSURE, r.stdout
    settings = dict(
        line.split("=", 1) for line in UNIT.read_text().splitlines() if "=" in line and not line.startswith("#")
    )
    for key, value in {
        "Type": "exec", "Restart": "on-failure", "DynamicUser": "yes", "StateDirectory": "tessera",
        "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
        "NoNewPrivileges": "yes", "CapabilityBoundingSet": "", "MemoryDenyWriteExecute": "yes",
        "LockPersonality": "yes", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "Environment": "TESSERA_DATA_DIR=/var/lib/tessera",
    }.items():
        assert settings.get(key) == value, (key, settings.get(key))


def dockerfile_runtime_stage() -> list[tuple[str, str]]:
    """The last stage's instructions, (INSTRUCTION, arguments), continuation
    lines joined."""
    text = re.sub(r"\s*\\\n\s*", " ", DOCKERFILE.read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((word.upper(), rest.strip()))
    return stages[-1]


def image_env(stage) -> dict:
    env = {}
    for word, rest in stage:
        if word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def test_dockerfile_runs_unprivileged_with_data_in_a_volume():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM rust:\$\{RUST_VERSION\}-slim-bookworm AS build$", text, re.M)
    assert re.search(r"^ARG RUST_VERSION=1\.95$", text, re.M)
    stage = dockerfile_runtime_stage()
    words = dict(stage)
    assert words["FROM"] == "debian:bookworm-slim"
    runs = [rest for word, rest in stage if word == "RUN"]
    assert runs == ["install -d -m 0700 -o 10001 -g 10001 /var/lib/tessera"], "the runtime stage installs nothing"
    assert words["USER"] == "10001:10001"
    assert words["VOLUME"] == '["/var/lib/tessera"]'
    assert image_env(stage) == {"TESSERA_LISTEN": "0.0.0.0:9229", "TESSERA_DATA_DIR": "/var/lib/tessera"}
    copies = [rest for word, rest in stage if word == "COPY"]
    assert copies == [
        "--from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt",
        "--from=build /out/usr/local/bin/tessera /usr/local/bin/tessera",
    ]
    ignore = [line for line in (REPO / ".dockerignore").read_text().splitlines() if not line.startswith("#")]
    assert ignore == ["*", "!Cargo.toml", "!Cargo.lock", "!crates/"], "the build context is the workspace only"


def test_image_settings_serve_and_pass_the_image_health_check(tessera_bin, start_server, tmp_path):
    """The image's environment and commands, run with the binary under test:
    what `docker run` starts answers the HEALTHCHECK command."""
    stage = dockerfile_runtime_stage()
    words = dict(stage)
    entrypoint = [str(tessera_bin) if a == "tessera" else a for a in json.loads(words["ENTRYPOINT"])]
    assert entrypoint == [str(tessera_bin)]
    health = re.fullmatch(r"--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ CMD (\[.*\])",
                          words["HEALTHCHECK"])
    assert health, words["HEALTHCHECK"]
    health_cmd = json.loads(health.group(1))
    assert health_cmd[:2] == ["tessera", "health"]
    env = image_env(stage)
    # The volume and the port are the test's own; the image listens on every
    # address, where admin requests need a key.
    env["TESSERA_DATA_DIR"] = str(tmp_path / "volume")
    env.update(TESSERA_ACCESS_KEY_ID="AKIDPACKAGING0001", TESSERA_SECRET_ACCESS_KEY="packaging-secret")
    srv = start_server(env=env, args=None, listen="0.0.0.0:0", data_dir=None)
    env["TESSERA_LISTEN"] = f"0.0.0.0:{srv.port}"
    r = run_tessera(tessera_bin, *health_cmd[1:], env=env, timeout=15)
    assert r.returncode == 0, r.output
    assert f"http://127.0.0.1:{srv.port}/ready: ready" in r.stdout
    assert (tmp_path / "volume" / "key-encryption-key").is_file()
    srv.stop()
    r = run_tessera(tessera_bin, *health_cmd[1:], env=env, timeout=15)
    assert r.returncode == 1, r.output


def test_configuration_reference_is_the_binarys(tessera_bin):
    r = run_tessera(tessera_bin, "config-reference", timeout=10)
    assert r.returncode == 0, r.output
    committed = (REPO / "docs/configuration.md").read_text()
    assert r.stdout == committed, (
        "docs/configuration.md differs from `tessera config-reference`: regenerate it with "
        "`cargo run -q -p tessera -- config-reference > docs/configuration.md`"
    )
    for key in ("| `listen` | string | `\"127.0.0.1:9229\"` |", "## `[smtp]`", "## `[[triggers]]`"):
        assert key in r.stdout
