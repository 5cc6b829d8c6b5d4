"""Durability: every acknowledged write survives SIGKILL and reads back
identical after a restart on the same data directory."""

import pytest

from tessera_e2e.aws import make_client
from tessera_e2e.flows import attr_list, unique


def _strip_meta(resp):
    resp = dict(resp)
    resp.pop("ResponseMetadata", None)
    return resp


def _all_pages(call, key, token_in, token_out, **kw):
    items, token = [], None
    while True:
        if token:
            kw[token_in] = token
        resp = call(**kw)
        items.extend(resp[key])
        token = resp.get(token_out)
        if not token:
            return items


def snapshot_state(c, pool_id, client_ids, usernames, groups):
    state = {
        "pool": _strip_meta(c.describe_user_pool(UserPoolId=pool_id))["UserPool"],
        "clients": {cid: c.describe_user_pool_client(UserPoolId=pool_id, ClientId=cid)["UserPoolClient"]
                    for cid in client_ids},
        "client_list": sorted(
            _all_pages(c.list_user_pool_clients, "UserPoolClients", "NextToken", "NextToken",
                       UserPoolId=pool_id, MaxResults=60), key=lambda x: x["ClientId"]),
        "users": {u: _strip_meta(c.admin_get_user(UserPoolId=pool_id, Username=u)) for u in usernames},
        "user_list": sorted(_all_pages(c.list_users, "Users", "PaginationToken", "PaginationToken",
                                       UserPoolId=pool_id, Limit=60), key=lambda x: x["Username"]),
        "groups": sorted(_all_pages(c.list_groups, "Groups", "NextToken", "NextToken",
                                    UserPoolId=pool_id, Limit=60), key=lambda g: g["GroupName"]),
        "memberships": {u: sorted(g["GroupName"] for g in _all_pages(
            c.admin_list_groups_for_user, "Groups", "NextToken", "NextToken", UserPoolId=pool_id, Username=u))
            for u in usernames},
        "group_members": {g: sorted(u["Username"] for u in _all_pages(
            c.list_users_in_group, "Users", "NextToken", "NextToken", UserPoolId=pool_id, GroupName=g))
            for g in groups},
    }
    return state


def test_everything_survives_sigkill(start_server):
    srv = start_server()
    c = make_client(srv)
    pool_id = c.create_user_pool(
        PoolName=unique("durable"),
        Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                                     "RequireNumbers": True, "RequireSymbols": False}},
        Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True},
                {"Name": "tenant", "AttributeDataType": "String", "Mutable": False}],
        UserPoolTags={"durable": "yes"},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )["UserPool"]["Id"]
    c.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": "added", "AttributeDataType": "Number"}])
    public = c.create_user_pool_client(UserPoolId=pool_id, ClientName="public",
                                       ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                                       AccessTokenValidity=15, TokenValidityUnits={"AccessToken": "minutes"},
                                       )["UserPoolClient"]["ClientId"]
    confidential = c.create_user_pool_client(UserPoolId=pool_id, ClientName="confidential",
                                             GenerateSecret=True)["UserPoolClient"]["ClientId"]
    groups = ["admins", "editors", "viewers"]
    for i, g in enumerate(groups):
        c.create_group(UserPoolId=pool_id, GroupName=g, Description=f"{g} group", Precedence=i,
                       RoleArn=f"arn:aws:iam::123456789012:role/{g}")
    users = {
        "alice": {"email": "alice@example.com", "email_verified": "true", "name": "Alice",
                  "custom:tier": "gold", "custom:tenant": "acme", "custom:added": "7"},
        "bob": {"email": "bob@example.com", "phone_number": "+15555550100", "custom:tier": "silver"},
        "carol": {"given_name": "Carol", "family_name": "Ünïcødé"},
    }
    for u, attrs in users.items():
        c.admin_create_user(UserPoolId=pool_id, Username=u, MessageAction="SUPPRESS",
                            TemporaryPassword="Temp1234A", UserAttributes=attr_list(attrs))
    c.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password="Perm1234Z", Permanent=True)
    c.admin_disable_user(UserPoolId=pool_id, Username="carol")
    c.admin_update_user_attributes(UserPoolId=pool_id, Username="bob",
                                   UserAttributes=[{"Name": "custom:tier", "Value": "bronze"}])
    c.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    c.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="editors")
    c.admin_add_user_to_group(UserPoolId=pool_id, Username="bob", GroupName="viewers")

    before = snapshot_state(c, pool_id, [public, confidential], list(users), groups)

    # the last acknowledged write, then SIGKILL at once
    c.admin_add_user_to_group(UserPoolId=pool_id, Username="carol", GroupName="viewers")
    srv.kill()
    srv.restart()
    c = make_client(srv)
    after = snapshot_state(c, pool_id, [public, confidential], list(users), groups)

    assert after["memberships"]["carol"] == ["viewers"], "the last write before SIGKILL was lost"
    assert sorted(after["group_members"]["viewers"]) == ["bob", "carol"]
    before["memberships"]["carol"] = ["viewers"]
    before["group_members"]["viewers"] = ["bob", "carol"]
    # ListUsersInGroup / membership changes must not touch the user records themselves
    for key in before:
        assert after[key] == before[key], f"{key} differs after SIGKILL + restart"

    assert after["users"]["alice"]["UserStatus"] == "CONFIRMED"
    assert after["users"]["carol"]["Enabled"] is False
    assert after["clients"][confidential]["ClientSecret"]


def test_burst_of_writes_survives_sigkill(start_server):
    srv = start_server()
    c = make_client(srv)
    pool_id = c.create_user_pool(PoolName=unique("burst"))["UserPool"]["Id"]
    names = [f"user{i:02d}" for i in range(25)]
    for n in names:
        c.admin_create_user(UserPoolId=pool_id, Username=n, MessageAction="SUPPRESS",
                            UserAttributes=[{"Name": "email", "Value": f"{n}@example.com"}])
    srv.kill()
    srv.restart()
    c = make_client(srv)
    users = _all_pages(make_client(srv).list_users, "Users", "PaginationToken", "PaginationToken",
                       UserPoolId=pool_id, Limit=60)
    assert sorted(u["Username"] for u in users) == names
    assert c.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == 25


def test_deletes_survive_sigkill(start_server):
    srv = start_server()
    c = make_client(srv)
    keep = c.create_user_pool(PoolName=unique("keep"))["UserPool"]["Id"]
    gone = c.create_user_pool(PoolName=unique("gone"))["UserPool"]["Id"]
    client_id = c.create_user_pool_client(UserPoolId=keep, ClientName="gone")["UserPoolClient"]["ClientId"]
    c.create_group(UserPoolId=keep, GroupName="gone")
    c.admin_create_user(UserPoolId=keep, Username="gone", MessageAction="SUPPRESS")
    c.delete_user_pool(UserPoolId=gone)
    c.delete_user_pool_client(UserPoolId=keep, ClientId=client_id)
    c.delete_group(UserPoolId=keep, GroupName="gone")
    c.admin_delete_user(UserPoolId=keep, Username="gone")
    srv.kill()
    srv.restart()
    c = make_client(srv)
    ids = [p["Id"] for p in _all_pages(c.list_user_pools, "UserPools", "NextToken", "NextToken", MaxResults=60)]
    assert keep in ids and gone not in ids
    assert c.list_user_pool_clients(UserPoolId=keep, MaxResults=60)["UserPoolClients"] == []
    assert c.list_groups(UserPoolId=keep)["Groups"] == []
    assert c.list_users(UserPoolId=keep)["Users"] == []


def test_graceful_restart_keeps_data(start_server):
    srv = start_server()
    pool_id = make_client(srv).create_user_pool(PoolName=unique("graceful"))["UserPool"]["Id"]
    code = srv.stop()
    assert code == 0, f"SIGTERM should shut down cleanly, exit code {code}\n{srv.stderr_text()[-2000:]}"
    srv.start()
    assert make_client(srv).describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id


@pytest.mark.parametrize("restarts", [2])
def test_repeated_restarts_are_stable(start_server, restarts):
    srv = start_server()
    c = make_client(srv)
    pool_id = c.create_user_pool(PoolName=unique("stable"))["UserPool"]["Id"]
    first = _strip_meta(c.describe_user_pool(UserPoolId=pool_id))
    for _ in range(restarts):
        srv.kill()
        srv.restart()
        assert _strip_meta(make_client(srv).describe_user_pool(UserPoolId=pool_id)) == first
