"""Groups: CreateGroup / GetGroup / ListGroups / UpdateGroup / DeleteGroup and memberships
(AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup).

Constraints from the service model: GroupName 1..128, Precedence >= 0, RoleArn 20..2048 chars
matching `arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+...`,
Limit 0..60.
"""

from tessera_e2e.aws import expect_error
from tessera_e2e.flows import make_pool, make_user, recent

ROLE = "arn:aws:iam::123456789012:role/TesseraAdmins"
OTHER_ROLE = "arn:aws:iam::123456789012:role/service-role/TesseraReaders"
MISSING_POOL = "us-east-1_Nope12345"


def collect(fn, item_key, page_size, **kwargs):
    """Follow NextToken to the end; return the list of pages."""
    pages, token = [], None
    while True:
        args = dict(Limit=page_size, **kwargs)
        if token:
            args["NextToken"] = token
        resp = fn(**args)
        assert len(resp[item_key]) <= page_size
        pages.append(resp[item_key])
        token = resp.get("NextToken")
        if not token:
            return pages
        assert len(pages) < 100, "pagination does not terminate"


def groups_of(cognito, pool_id, username):
    return sorted(g["GroupName"] for g in cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)["Groups"])


def members_of(cognito, pool_id, group):
    return sorted(u["Username"] for u in cognito.list_users_in_group(UserPoolId=pool_id, GroupName=group)["Users"])


# ---------------------------------------------------------------- CreateGroup / GetGroup


def test_create_group_with_all_fields(cognito, pool):
    group = cognito.create_group(
        UserPoolId=pool, GroupName="admins", Description="The admins", Precedence=1, RoleArn=ROLE
    )["Group"]
    assert group["GroupName"] == "admins"
    assert group["UserPoolId"] == pool
    assert group["Description"] == "The admins"
    assert group["Precedence"] == 1
    assert group["RoleArn"] == ROLE
    assert recent(group["CreationDate"]) and recent(group["LastModifiedDate"])

    got = cognito.get_group(UserPoolId=pool, GroupName="admins")["Group"]
    assert got == group


def test_create_minimal_group(cognito, pool):
    group = cognito.create_group(UserPoolId=pool, GroupName="plain")["Group"]
    assert group["GroupName"] == "plain"
    assert group["UserPoolId"] == pool
    assert "RoleArn" not in group
    assert "Precedence" not in group
    assert not group.get("Description")


def test_precedence_zero_is_kept(cognito, pool):
    group = cognito.create_group(UserPoolId=pool, GroupName="top", Precedence=0)["Group"]
    assert group["Precedence"] == 0
    assert cognito.get_group(UserPoolId=pool, GroupName="top")["Group"]["Precedence"] == 0


def test_unicode_group_name(cognito, pool):
    cognito.create_group(UserPoolId=pool, GroupName="équipe-北京")
    assert cognito.get_group(UserPoolId=pool, GroupName="équipe-北京")["Group"]["GroupName"] == "équipe-北京"


def test_duplicate_group(cognito, pool):
    cognito.create_group(UserPoolId=pool, GroupName="dup", Description="first")
    with expect_error("GroupExistsException") as caught:
        cognito.create_group(UserPoolId=pool, GroupName="dup")
    assert "already exists" in caught.message
    assert cognito.get_group(UserPoolId=pool, GroupName="dup")["Group"]["Description"] == "first"


def test_same_group_name_in_two_pools(cognito):
    a, b = make_pool(cognito), make_pool(cognito)
    cognito.create_group(UserPoolId=a, GroupName="shared", Description="a")
    cognito.create_group(UserPoolId=b, GroupName="shared", Description="b")
    assert cognito.get_group(UserPoolId=a, GroupName="shared")["Group"]["Description"] == "a"
    assert cognito.get_group(UserPoolId=b, GroupName="shared")["Group"]["Description"] == "b"


def test_invalid_role_arn_is_rejected(cognito, pool):
    # at least 20 characters, so botocore's client-side min-length check lets it through
    with expect_error("InvalidParameterException") as caught:
        cognito.create_group(UserPoolId=pool, GroupName="badrole", RoleArn="this-is-not-a-valid-role-arn")
    assert "rolearn" in caught.message.lower()
    with expect_error("ResourceNotFoundException"):
        cognito.get_group(UserPoolId=pool, GroupName="badrole")


def test_create_group_in_unknown_pool(cognito):
    with expect_error("ResourceNotFoundException"):
        cognito.create_group(UserPoolId=MISSING_POOL, GroupName="g")


def test_get_unknown_group(cognito, pool):
    with expect_error("ResourceNotFoundException") as caught:
        cognito.get_group(UserPoolId=pool, GroupName="nope")
    # Cognito says "Group not found." (field reports: aws-aspnet-cognito-identity-provider#85 and others)
    assert caught.message.startswith("Group not found"), caught.message


# ---------------------------------------------------------------- ListGroups


def test_list_groups_paginated(cognito, pool):
    expected = sorted(f"group-{i:02d}" for i in range(12))
    for name in expected:
        cognito.create_group(UserPoolId=pool, GroupName=name)
    pages = collect(cognito.list_groups, "Groups", 5, UserPoolId=pool)
    collected = [g["GroupName"] for page in pages for g in page]
    assert len(pages) >= 3
    assert len(collected) == len(set(collected)), "duplicates across pages"
    assert sorted(collected) == expected
    assert all(g["UserPoolId"] == pool for page in pages for g in page)


def test_list_groups_empty_and_unknown_pool(cognito, pool):
    resp = cognito.list_groups(UserPoolId=pool)
    assert resp["Groups"] == []
    assert "NextToken" not in resp
    with expect_error("ResourceNotFoundException"):
        cognito.list_groups(UserPoolId=MISSING_POOL)


def test_list_groups_limit_above_60_rejected(cognito, pool):
    with expect_error("InvalidParameterException"):
        cognito.list_groups(UserPoolId=pool, Limit=61)


# ---------------------------------------------------------------- UpdateGroup / DeleteGroup


def test_update_group(cognito, pool):
    created = cognito.create_group(
        UserPoolId=pool, GroupName="editors", Description="old", Precedence=5, RoleArn=ROLE
    )["Group"]
    updated = cognito.update_group(
        UserPoolId=pool, GroupName="editors", Description="new", Precedence=2, RoleArn=OTHER_ROLE
    )["Group"]
    assert updated["GroupName"] == "editors"
    assert updated["Description"] == "new"
    assert updated["Precedence"] == 2
    assert updated["RoleArn"] == OTHER_ROLE
    assert updated["CreationDate"] == created["CreationDate"]
    assert updated["LastModifiedDate"] >= created["LastModifiedDate"]
    assert cognito.get_group(UserPoolId=pool, GroupName="editors")["Group"] == updated


def test_update_group_with_invalid_role_arn(cognito, pool):
    cognito.create_group(UserPoolId=pool, GroupName="g1", RoleArn=ROLE)
    with expect_error("InvalidParameterException"):
        cognito.update_group(UserPoolId=pool, GroupName="g1", RoleArn="arn-but-not-really-an-arn")
    assert cognito.get_group(UserPoolId=pool, GroupName="g1")["Group"]["RoleArn"] == ROLE


def test_update_unknown_group(cognito, pool):
    with expect_error("ResourceNotFoundException"):
        cognito.update_group(UserPoolId=pool, GroupName="nope", Description="x")


def test_delete_group(cognito, pool):
    cognito.create_group(UserPoolId=pool, GroupName="doomed")
    cognito.delete_group(UserPoolId=pool, GroupName="doomed")
    with expect_error("ResourceNotFoundException"):
        cognito.get_group(UserPoolId=pool, GroupName="doomed")
    assert cognito.list_groups(UserPoolId=pool)["Groups"] == []
    with expect_error("ResourceNotFoundException"):
        cognito.delete_group(UserPoolId=pool, GroupName="doomed")


def test_delete_group_removes_memberships(cognito, pool):
    make_user(cognito, pool, "ann")
    cognito.create_group(UserPoolId=pool, GroupName="doomed")
    cognito.create_group(UserPoolId=pool, GroupName="kept")
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="ann", GroupName="doomed")
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="ann", GroupName="kept")

    cognito.delete_group(UserPoolId=pool, GroupName="doomed")
    assert groups_of(cognito, pool, "ann") == ["kept"]

    # a new group with the old name starts empty
    cognito.create_group(UserPoolId=pool, GroupName="doomed")
    assert members_of(cognito, pool, "doomed") == []


# ---------------------------------------------------------------- memberships


def test_add_and_list_membership(cognito, pool):
    for name in ("ben", "cat"):
        make_user(cognito, pool, name)
    cognito.create_group(UserPoolId=pool, GroupName="staff", Precedence=3)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="ben", GroupName="staff")

    assert members_of(cognito, pool, "staff") == ["ben"]
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="ben")["Groups"]
    assert [g["GroupName"] for g in groups] == ["staff"]
    assert groups[0]["Precedence"] == 3 and groups[0]["UserPoolId"] == pool
    assert groups_of(cognito, pool, "cat") == []

    user = cognito.list_users_in_group(UserPoolId=pool, GroupName="staff")["Users"][0]
    assert user["Username"] == "ben"
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user["Enabled"] is True
    assert any(a["Name"] == "sub" for a in user["Attributes"])


def test_add_user_to_group_is_idempotent(cognito, pool):
    make_user(cognito, pool, "dan")
    cognito.create_group(UserPoolId=pool, GroupName="g")
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="dan", GroupName="g")
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="dan", GroupName="g")
    assert members_of(cognito, pool, "g") == ["dan"]
    assert groups_of(cognito, pool, "dan") == ["g"]


def test_add_user_to_group_errors(cognito, pool):
    make_user(cognito, pool, "eli")
    cognito.create_group(UserPoolId=pool, GroupName="g")
    with expect_error("ResourceNotFoundException") as caught:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username="eli", GroupName="nope")
    assert caught.message.startswith("Group not found"), caught.message
    with expect_error("UserNotFoundException", "User does not exist."):
        cognito.admin_add_user_to_group(UserPoolId=pool, Username="ghost", GroupName="g")
    with expect_error("ResourceNotFoundException"):
        cognito.admin_add_user_to_group(UserPoolId=MISSING_POOL, Username="eli", GroupName="g")


def test_remove_user_from_group(cognito, pool):
    make_user(cognito, pool, "fay")
    for g in ("a", "b"):
        cognito.create_group(UserPoolId=pool, GroupName=g)
        cognito.admin_add_user_to_group(UserPoolId=pool, Username="fay", GroupName=g)
    cognito.admin_remove_user_from_group(UserPoolId=pool, Username="fay", GroupName="a")
    assert groups_of(cognito, pool, "fay") == ["b"]
    assert members_of(cognito, pool, "a") == []
    assert members_of(cognito, pool, "b") == ["fay"]


def test_remove_user_from_group_errors(cognito, pool):
    make_user(cognito, pool, "gil")
    cognito.create_group(UserPoolId=pool, GroupName="g")
    with expect_error("ResourceNotFoundException"):
        cognito.admin_remove_user_from_group(UserPoolId=pool, Username="gil", GroupName="nope")
    with expect_error("UserNotFoundException"):
        cognito.admin_remove_user_from_group(UserPoolId=pool, Username="ghost", GroupName="g")


def test_list_groups_for_unknown_user(cognito, pool):
    with expect_error("UserNotFoundException", "User does not exist."):
        cognito.admin_list_groups_for_user(UserPoolId=pool, Username="ghost")


def test_list_users_in_unknown_group(cognito, pool):
    with expect_error("ResourceNotFoundException"):
        cognito.list_users_in_group(UserPoolId=pool, GroupName="nope")


def test_admin_list_groups_for_user_paginated(cognito, pool):
    make_user(cognito, pool, "hal")
    expected = sorted(f"team-{i}" for i in range(8))
    for g in expected:
        cognito.create_group(UserPoolId=pool, GroupName=g)
        cognito.admin_add_user_to_group(UserPoolId=pool, Username="hal", GroupName=g)
    cognito.create_group(UserPoolId=pool, GroupName="not-mine")

    pages = collect(cognito.admin_list_groups_for_user, "Groups", 3, UserPoolId=pool, Username="hal")
    collected = [g["GroupName"] for page in pages for g in page]
    assert len(pages) >= 3
    assert len(collected) == len(set(collected))
    assert sorted(collected) == expected


def test_list_users_in_group_paginated(cognito, pool):
    cognito.create_group(UserPoolId=pool, GroupName="crowd")
    expected = sorted(f"member-{i}" for i in range(9))
    for name in expected:
        make_user(cognito, pool, name)
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=name, GroupName="crowd")
    make_user(cognito, pool, "outsider")

    pages = collect(cognito.list_users_in_group, "Users", 4, UserPoolId=pool, GroupName="crowd")
    collected = [u["Username"] for page in pages for u in page]
    assert len(pages) >= 3
    assert len(collected) == len(set(collected))
    assert sorted(collected) == expected


def test_deleting_user_removes_memberships(cognito, pool):
    for name in ("ivy", "joe"):
        make_user(cognito, pool, name)
    cognito.create_group(UserPoolId=pool, GroupName="g")
    for name in ("ivy", "joe"):
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=name, GroupName="g")

    cognito.admin_delete_user(UserPoolId=pool, Username="ivy")
    assert members_of(cognito, pool, "g") == ["joe"]

    # a new user with the same username is a different user: no inherited membership
    make_user(cognito, pool, "ivy")
    assert groups_of(cognito, pool, "ivy") == []
    assert members_of(cognito, pool, "g") == ["joe"]
