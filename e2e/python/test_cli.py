"""The AWS CLI (v1, `python -m awscli`) against Tessera; and tessera's own
commands that are not the server: `--version` and `health`."""

import re
import shutil
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from tessera_e2e.aws import POOL_ID_RE, AwsCliError, aws_cli
from tessera_e2e.flows import attr_dict, unique
from tessera_e2e.server import free_port, run_tessera

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli_pool(server):
    name = unique("cli")
    out = aws_cli(server, "create-user-pool", "--pool-name", name)
    yield out["UserPool"]
    try:
        aws_cli(server, "delete-user-pool", "--user-pool-id", out["UserPool"]["Id"])
    except AwsCliError:
        pass


def test_create_user_pool(server, cli_pool):
    assert POOL_ID_RE.match(cli_pool["Id"]), cli_pool
    assert cli_pool["Name"].startswith("cli-")
    assert re.fullmatch(r"arn:aws:cognito-idp:us-east-1:\d{12}:userpool/" + cli_pool["Id"], cli_pool["Arn"])


def test_create_user_pool_with_options(server):
    out = aws_cli(server, "create-user-pool", "--pool-name", unique("cliopt"),
                  "--username-attributes", "email",
                  "--auto-verified-attributes", "email",
                  "--mfa-configuration", "OFF",
                  "--policies", "PasswordPolicy={MinimumLength=12,RequireUppercase=true,RequireLowercase=true,"
                                "RequireNumbers=true,RequireSymbols=false}",
                  "--user-pool-tags", "team=cli,env=test")
    pool = out["UserPool"]
    try:
        assert pool["UsernameAttributes"] == ["email"]
        assert pool["AutoVerifiedAttributes"] == ["email"]
        assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
        assert pool["UserPoolTags"] == {"team": "cli", "env": "test"}
        described = aws_cli(server, "describe-user-pool", "--user-pool-id", pool["Id"])["UserPool"]
        assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    finally:
        aws_cli(server, "delete-user-pool", "--user-pool-id", pool["Id"])


def test_list_user_pools(server, cli_pool):
    # --max-results switches the CLI's own pagination off: one call, one page.
    page = aws_cli(server, "list-user-pools", "--max-results", "60")
    assert isinstance(page["UserPools"], list) and len(page["UserPools"]) <= 60
    for p in page["UserPools"]:
        assert POOL_ID_RE.match(p["Id"]) and p["Name"]


def test_list_user_pools_pages(start_server):
    srv = start_server()  # a private server: exactly the pools made here
    made = {aws_cli(srv, "create-user-pool", "--pool-name", f"clipage-{i}")["UserPool"]["Id"]: f"clipage-{i}"
            for i in range(5)}
    pools, token, calls = [], None, 0
    while True:
        extra = ["--next-token", token] if token else []
        page = aws_cli(srv, "list-user-pools", "--max-results", "2", *extra)
        calls += 1
        assert len(page["UserPools"]) <= 2
        pools += page["UserPools"]
        token = page.get("NextToken")
        if not token:
            break
        assert calls < 10
    assert calls == 3
    assert {p["Id"]: p["Name"] for p in pools} == made


def test_admin_create_user_and_get_user(server, cli_pool):
    pool_id = cli_pool["Id"]
    created = aws_cli(server, "admin-create-user", "--user-pool-id", pool_id, "--username", "cliuser",
                      "--user-attributes", "Name=email,Value=cli@example.com", "Name=name,Value=Cli User",
                      "--temporary-password", "Temp1234!x", "--message-action", "SUPPRESS")["User"]
    assert created["Username"] == "cliuser"
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert created["Enabled"] is True
    attrs = attr_dict(created["Attributes"])
    assert attrs["email"] == "cli@example.com"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", attrs["sub"])

    got = aws_cli(server, "admin-get-user", "--user-pool-id", pool_id, "--username", "cliuser")
    assert got["Username"] == "cliuser"
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    got_attrs = attr_dict(got["UserAttributes"])
    assert got_attrs["sub"] == attrs["sub"]
    assert got_attrs["name"] == "Cli User"
    # AWS CLI v1 prints awsJson timestamps as received: epoch seconds
    assert isinstance(got["UserCreateDate"], (int, float))


def test_create_client_with_secret(server, cli_pool):
    out = aws_cli(server, "create-user-pool-client", "--user-pool-id", cli_pool["Id"], "--client-name", "cli",
                  "--generate-secret", "--explicit-auth-flows", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
    client = out["UserPoolClient"]
    assert re.fullmatch(r"[a-z0-9]{26}", client["ClientId"])
    assert client["ClientSecret"]
    assert sorted(client["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]


def test_cli_error_reporting(server):
    with pytest.raises(AwsCliError) as ei:
        aws_cli(server, "describe-user-pool", "--user-pool-id", "us-east-1_ZZZZZZZZZ")
    assert ei.value.returncode != 0
    assert "ResourceNotFoundException" in ei.value.stderr
    assert "User pool us-east-1_ZZZZZZZZZ does not exist." in ei.value.stderr


def test_cli_admin_get_unknown_user(server, cli_pool):
    with pytest.raises(AwsCliError) as ei:
        aws_cli(server, "admin-get-user", "--user-pool-id", cli_pool["Id"], "--username", "ghost")
    assert "UserNotFoundException" in ei.value.stderr


def test_cli_delete_user_pool(server):
    pool_id = aws_cli(server, "create-user-pool", "--pool-name", unique("clidel"))["UserPool"]["Id"]
    assert aws_cli(server, "delete-user-pool", "--user-pool-id", pool_id) == {}
    with pytest.raises(AwsCliError) as ei:
        aws_cli(server, "describe-user-pool", "--user-pool-id", pool_id)
    assert "ResourceNotFoundException" in ei.value.stderr


# ---- tessera --version and tessera health ------------------------------------------


def _git(*args):
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True).stdout.strip()


def test_version_names_the_package_version_and_the_commit(tessera_bin):
    r = run_tessera(tessera_bin, "--version", timeout=10)
    assert r.returncode == 0, r.output
    version = tomllib.loads((REPO / "Cargo.toml").read_text())["workspace"]["package"]["version"]
    m = re.fullmatch(r"tessera (\S+) \((\S+)\)\n", r.stdout)
    assert m, r.stdout
    assert m.group(1) == version
    if shutil.which("git") is None or subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--git-dir"], capture_output=True
    ).returncode != 0:
        pytest.skip("not a git checkout: the commit cannot be compared")
    head = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no") != ""
    # A binary built from this checkout names its commit, with -dirty when
    # tracked files differed from it.
    expected = {head, f"{head}-dirty"} if dirty else {head}
    assert m.group(2) in expected, f"binary built from {m.group(2)}, checkout is at {head} (rebuild it)"


def test_health_is_ok_for_a_ready_server(tessera_bin, server):
    r = run_tessera(tessera_bin, "health", "--url", server.url, timeout=15)
    assert r.returncode == 0, r.output
    assert f"{server.url}/ready: ready" in r.stdout


def test_health_reads_the_listen_address_and_reaches_every_address_at_loopback(tessera_bin, server):
    # As in the container image: TESSERA_LISTEN=0.0.0.0:<port> for the server,
    # and the health check asks 127.0.0.1 on that port.
    r = run_tessera(tessera_bin, "health", env={"TESSERA_LISTEN": f"0.0.0.0:{server.port}"}, timeout=15)
    assert r.returncode == 0, r.output
    assert f"http://127.0.0.1:{server.port}/ready: ready" in r.stdout


def test_health_fails_when_nothing_answers(tessera_bin):
    port = free_port()
    started = time.monotonic()
    r = run_tessera(tessera_bin, "health", "--listen", f"127.0.0.1:{port}", "--timeout-seconds", "2", timeout=15)
    assert not r.timed_out
    assert r.returncode == 1, r.output
    assert f"http://127.0.0.1:{port}/ready did not answer" in r.output
    assert time.monotonic() - started < 10


def test_health_fails_when_the_answer_is_not_ready(tessera_bin, server):
    # /nothing/ready is no route: 404 is not a ready server.
    r = run_tessera(tessera_bin, "health", "--url", f"{server.url}/nothing", timeout=15)
    assert r.returncode == 1, r.output
    assert "answered 404 Not Found: not ready" in r.output


def test_health_refuses_a_bad_url(tessera_bin):
    for bad in (["--url", "ftp://127.0.0.1:1"], ["--url", "not a url"], ["--listen", "nowhere"]):
        r = run_tessera(tessera_bin, "health", *bad, timeout=15)
        assert r.returncode == 1, (bad, r.output)
        assert "panicked" not in r.output, r.output
