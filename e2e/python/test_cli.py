"""The AWS CLI (v1, `python -m awscli`) against Tessera."""

import re

import pytest

from tessera_e2e.aws import POOL_ID_RE, AwsCliError, aws_cli
from tessera_e2e.flows import attr_dict, unique


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
