"""The command line and configuration: help texts, unknown keys, precedence
(flags > TESSERA_* env > TOML file > defaults), declared resources created
idempotently at start, and `tessera migrate`.

TOML keys assumed for the three settings: `listen`, `data_dir`, `region`
(the snake_case of the flags/env names)."""

import re
import socket

import pytest
import requests

from tessera_e2e.aws import make_client
from tessera_e2e.flows import attr_dict, unique
from tessera_e2e.server import TesseraServer, free_port, run_tessera

# ---- help ------------------------------------------------------------------------


def test_top_level_help(tessera_bin):
    r = run_tessera(tessera_bin, "--help")
    assert r.returncode == 0, r.output
    assert "serve" in r.stdout and "migrate" in r.stdout, r.stdout


def test_serve_help(tessera_bin):
    r = run_tessera(tessera_bin, "serve", "--help")
    assert r.returncode == 0, r.output
    for flag in ("--listen", "--data-dir", "--config", "--insecure-accept-any-signature"):
        assert flag in r.stdout, f"{flag} not documented:\n{r.stdout}"


def test_migrate_help(tessera_bin):
    r = run_tessera(tessera_bin, "migrate", "--help")
    assert r.returncode == 0, r.output
    assert "--data-dir" in r.stdout, r.stdout


def test_unknown_flag_fails(tessera_bin):
    r = run_tessera(tessera_bin, "serve", "--no-such-flag", timeout=10)
    assert not r.timed_out
    assert r.returncode != 0
    assert "--no-such-flag" in r.output


# ---- config file errors -----------------------------------------------------------


def _run_with_config(tessera_bin, tmp_path, text):
    cfg = tmp_path / "tessera.toml"
    cfg.write_text(text)
    return run_tessera(tessera_bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", tmp_path / "d",
                       "--config", cfg, timeout=15)


def test_unknown_top_level_key_is_named(tessera_bin, tmp_path):
    r = _run_with_config(tessera_bin, tmp_path, 'bogus_setting = "x"\n')
    assert not r.timed_out, "server started despite an unknown key"
    assert r.returncode != 0
    assert "bogus_setting" in r.output, r.output


def test_unknown_nested_key_is_named(tessera_bin, tmp_path):
    r = _run_with_config(tessera_bin, tmp_path, '[[pools]]\nname = "p"\ncolour = "blue"\n')
    assert not r.timed_out, "server started despite an unknown key"
    assert r.returncode != 0
    assert "colour" in r.output, r.output


def test_invalid_toml_fails(tessera_bin, tmp_path):
    r = _run_with_config(tessera_bin, tmp_path, "this is = = not toml\n")
    assert not r.timed_out
    assert r.returncode != 0


def test_missing_config_file_fails(tessera_bin, tmp_path):
    r = run_tessera(tessera_bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", tmp_path / "d",
                    "--config", tmp_path / "nope.toml", timeout=15)
    assert not r.timed_out
    assert r.returncode != 0
    assert "nope.toml" in r.output, r.output


# ---- precedence -------------------------------------------------------------------


def test_listen_from_file(start_server):
    port = free_port()
    srv = start_server(config_toml=f'listen = "127.0.0.1:{port}"\n', listen=None)
    assert srv.port == port
    assert make_client(srv).list_user_pools(MaxResults=1)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_env_beats_file_for_listen(start_server):
    file_port, env_port = free_port(), free_port()
    srv = start_server(config_toml=f'listen = "127.0.0.1:{file_port}"\n',
                       env={"TESSERA_LISTEN": f"127.0.0.1:{env_port}"}, listen=None)
    assert srv.port == env_port


def test_flag_beats_env_and_file_for_listen(start_server):
    file_port, env_port, flag_port = free_port(), free_port(), free_port()
    srv = start_server(config_toml=f'listen = "127.0.0.1:{file_port}"\n',
                       env={"TESSERA_LISTEN": f"127.0.0.1:{env_port}"},
                       listen=f"127.0.0.1:{flag_port}")
    assert srv.port == flag_port


def test_port_zero_prints_chosen_port(start_server):
    srv = start_server()
    assert srv.port and srv.port != 0
    assert f"listening on http://127.0.0.1:{srv.port}" in srv.stdout_text()


def _populated(path):
    return path.is_dir() and any(path.iterdir())


def test_data_dir_precedence(start_server, tmp_path):
    file_dir, env_dir, flag_dir = tmp_path / "from-file", tmp_path / "from-env", tmp_path / "from-flag"
    cfg = f'data_dir = "{file_dir}"\n'
    start_server(config_toml=cfg, data_dir=None).stop()
    assert _populated(file_dir)

    start_server(config_toml=cfg, env={"TESSERA_DATA_DIR": str(env_dir)}, data_dir=None).stop()
    assert _populated(env_dir)

    start_server(config_toml=cfg, env={"TESSERA_DATA_DIR": str(env_dir / "unused")}, data_dir=flag_dir).stop()
    assert _populated(flag_dir)
    assert not (env_dir / "unused").exists() or not _populated(env_dir / "unused")


def test_data_dir_env_is_used(start_server, tmp_path):
    env_dir = tmp_path / "env-data"
    srv = start_server(env={"TESSERA_DATA_DIR": str(env_dir)}, data_dir=None)
    pool_id = make_client(srv).create_user_pool(PoolName=unique("envdir"))["UserPool"]["Id"]
    srv.restart()
    assert make_client(srv).describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id
    assert _populated(env_dir)


def test_default_region(server, cognito):
    pool_id = cognito.create_user_pool(PoolName=unique("region"))["UserPool"]["Id"]
    assert pool_id.startswith("us-east-1_")
    cognito.delete_user_pool(UserPoolId=pool_id)


def test_region_from_env(start_server):
    srv = start_server(env={"TESSERA_REGION": "eu-west-1"})
    client = make_client(srv, region_name="eu-west-1")
    pool = client.create_user_pool(PoolName=unique("eu"))["UserPool"]
    assert re.fullmatch(r"eu-west-1_[0-9A-Za-z]{9}", pool["Id"]), pool["Id"]
    assert pool["Arn"].startswith("arn:aws:cognito-idp:eu-west-1:")


def test_region_env_beats_file(start_server):
    srv = start_server(config_toml='region = "ap-south-1"\n', env={"TESSERA_REGION": "eu-central-1"})
    pool_id = make_client(srv, region_name="eu-central-1").create_user_pool(PoolName=unique("r"))["UserPool"]["Id"]
    assert pool_id.startswith("eu-central-1_"), pool_id


def test_region_from_file(start_server):
    srv = start_server(config_toml='region = "ap-south-1"\n')
    pool_id = make_client(srv, region_name="ap-south-1").create_user_pool(PoolName=unique("r"))["UserPool"]["Id"]
    assert pool_id.startswith("ap-south-1_"), pool_id


def test_no_flags_at_all_uses_defaults(start_server, tmp_path):
    # `tessera serve` with nothing: 127.0.0.1:9229 and ./tessera-data
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", 9229))
        except OSError:
            pytest.skip("port 9229 is taken on this machine")
    srv = start_server(listen=None, data_dir=None, cwd=tmp_path)
    assert srv.port == 9229
    assert "listening on http://127.0.0.1:9229" in srv.stdout_text()
    assert _populated(tmp_path / "tessera-data")


# ---- declared resources -----------------------------------------------------------

DECLARED = """
[[pools]]
id = "us-east-1_devpool01"
name = "dev"
settings = { MfaConfiguration = "OFF", UsernameConfiguration = { CaseSensitive = false }, Policies = { PasswordPolicy = { MinimumLength = 9, RequireUppercase = true, RequireLowercase = true, RequireNumbers = true, RequireSymbols = true } } }

[[pools.clients]]
id = "devclient00000000000000001"
name = "web"
generate_secret = false
settings = { ExplicitAuthFlows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }

[[pools.clients]]
name = "backend"
generate_secret = true

[[pools.groups]]
name = "admins"
description = "Admins"
precedence = 1

[[pools.groups]]
name = "readers"

[[pools.users]]
username = "alice"
password = "Passw0rd!x"
attributes = { email = "alice@example.com", email_verified = "true" }
groups = ["admins"]

[[pools.users]]
username = "bob"
password = "Secr3t!pass"
attributes = { email = "bob@example.com", name = "Bob" }

[[pools]]
name = "second-declared"
"""


def _check_declared(srv):
    c = make_client(srv)
    pool = c.describe_user_pool(UserPoolId="us-east-1_devpool01")["UserPool"]
    assert pool["Name"] == "dev"
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 9

    clients = c.list_user_pool_clients(UserPoolId="us-east-1_devpool01", MaxResults=60)["UserPoolClients"]
    assert sorted(x["ClientName"] for x in clients) == ["backend", "web"]
    web = c.describe_user_pool_client(UserPoolId="us-east-1_devpool01",
                                      ClientId="devclient00000000000000001")["UserPoolClient"]
    assert web["ClientName"] == "web"
    assert "ClientSecret" not in web
    assert sorted(web["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    backend_id = next(x["ClientId"] for x in clients if x["ClientName"] == "backend")
    backend = c.describe_user_pool_client(UserPoolId="us-east-1_devpool01", ClientId=backend_id)["UserPoolClient"]
    assert backend["ClientSecret"]

    groups = {g["GroupName"]: g for g in c.list_groups(UserPoolId="us-east-1_devpool01")["Groups"]}
    assert sorted(groups) == ["admins", "readers"]
    assert groups["admins"]["Description"] == "Admins"
    assert groups["admins"]["Precedence"] == 1

    alice = c.admin_get_user(UserPoolId="us-east-1_devpool01", Username="alice")
    assert alice["UserStatus"] == "CONFIRMED"
    attrs = attr_dict(alice["UserAttributes"])
    assert attrs["email"] == "alice@example.com"
    assert attrs["email_verified"] == "true"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", attrs["sub"])
    assert [g["GroupName"] for g in c.admin_list_groups_for_user(
        UserPoolId="us-east-1_devpool01", Username="alice")["Groups"]] == ["admins"]
    bob = c.admin_get_user(UserPoolId="us-east-1_devpool01", Username="bob")
    assert bob["UserStatus"] == "CONFIRMED"
    assert {"Name": "name", "Value": "Bob"} in bob["UserAttributes"]
    assert c.admin_list_groups_for_user(UserPoolId="us-east-1_devpool01", Username="bob")["Groups"] == []

    users = c.list_users(UserPoolId="us-east-1_devpool01")["Users"]
    assert sorted(u["Username"] for u in users) == ["alice", "bob"]

    pools = [p for page in c.get_paginator("list_user_pools").paginate(MaxResults=60) for p in page["UserPools"]]
    assert [p["Name"] for p in pools].count("dev") == 1
    assert [p["Name"] for p in pools].count("second-declared") == 1
    return alice["UserAttributes"], [p["Id"] for p in pools if p["Name"] == "second-declared"][0]


def test_declared_resources_created_and_idempotent(start_server):
    srv = start_server(config_toml=DECLARED)
    first_attrs, second_pool_id = _check_declared(srv)
    srv.restart()
    attrs, pool_id = _check_declared(srv)
    assert attrs == first_attrs, "alice was recreated (new sub) on restart"
    assert pool_id == second_pool_id, "the id-less declared pool was recreated on restart"
    srv.restart()
    attrs, pool_id = _check_declared(srv)
    assert attrs == first_attrs
    assert pool_id == second_pool_id


def test_declared_resources_do_not_undo_api_changes(start_server):
    srv = start_server(config_toml=DECLARED)
    c = make_client(srv)
    c.create_group(UserPoolId="us-east-1_devpool01", GroupName="made-by-api")
    c.admin_add_user_to_group(UserPoolId="us-east-1_devpool01", Username="bob", GroupName="readers")
    srv.restart()
    c = make_client(srv)
    names = sorted(g["GroupName"] for g in c.list_groups(UserPoolId="us-east-1_devpool01")["Groups"])
    assert names == ["admins", "made-by-api", "readers"]
    assert [g["GroupName"] for g in c.admin_list_groups_for_user(
        UserPoolId="us-east-1_devpool01", Username="bob")["Groups"]] == ["readers"]


def test_declared_pool_with_invalid_settings_refuses_start(tessera_bin, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[[pools]]\nname = "bad"\nsettings = { MfaConfiguration = "SOMETIMES" }\n')
    r = run_tessera(tessera_bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", tmp_path / "d",
                    "--config", cfg, timeout=8)
    # Declared settings must go through the same validation as CreateUserPool;
    # otherwise an invalid value (here MfaConfiguration "SOMETIMES") is stored.
    assert not r.timed_out, "server started with an invalid declared pool (and stored it)"
    assert r.returncode != 0
    assert "SOMETIMES" in r.output or "MfaConfiguration" in r.output or "mfaConfiguration" in r.output, r.output


# ---- dev outbox ------------------------------------------------------------------


def test_dev_outbox_is_off_on_non_loopback_listener(start_server):
    # The outbox holds temporary passwords; it is a loopback-only default.
    srv = start_server(listen="0.0.0.0:0", env={"TESSERA_ACCESS_KEY_ID": "AKIAOUTBOX0000000001",
                                                  "TESSERA_SECRET_ACCESS_KEY": "outbox-secret"})
    r = requests.get(srv.url + "/_tessera/outbox", timeout=10)
    assert r.status_code == 404, r.text


def test_dev_outbox_is_on_by_default_on_loopback(server):
    r = requests.get(server.url + "/_tessera/outbox", timeout=10)
    assert r.status_code == 200
    assert isinstance(r.json()["messages"], list)


# ---- migrate ------------------------------------------------------------------------


def test_migrate_then_serve(tessera_bin, tmp_path, start_server):
    data = tmp_path / "migrated"
    r = run_tessera(tessera_bin, "migrate", "--data-dir", data, timeout=60)
    assert r.returncode == 0, r.output
    assert _populated(data)
    again = run_tessera(tessera_bin, "migrate", "--data-dir", data, timeout=60)
    assert again.returncode == 0, again.output
    srv = start_server(data_dir=data)
    assert make_client(srv).list_user_pools(MaxResults=1)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_migrate_existing_store_keeps_data(tessera_bin, start_server):
    srv = start_server()
    c = make_client(srv)
    pool_id = c.create_user_pool(PoolName=unique("keep"))["UserPool"]["Id"]
    srv.stop()
    r = run_tessera(tessera_bin, "migrate", "--data-dir", srv.data_dir, timeout=60)
    assert r.returncode == 0, r.output
    srv.start()
    assert make_client(srv).describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id


def test_restart_keeps_port(start_server):
    srv = start_server()
    port = srv.port
    srv.restart()
    assert srv.port == port
    assert isinstance(srv, TesseraServer)
