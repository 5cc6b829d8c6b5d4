"""ListUsers: the Filter grammar, AttributesToGet, Limit and PaginationToken.

Spec (ListUsers API reference, Filter member): `AttributeName Filter-Type "AttributeValue"`,
`=` for exact and `^=` for prefix match, quotes inside the value escaped with a backslash,
empty filter lists everybody. Searchable: username (case-sensitive), email, phone_number,
name, given_name, family_name, preferred_username, cognito:user_status (case-insensitive),
status (Enabled/Disabled, case-sensitive), sub. Custom attributes aren't searchable.
Limit is 0..60 (model QueryLimitType).
"""

import pytest

from tessera_e2e.aws import expect_error
from tessera_e2e.flows import AUTH_PASSWORD, attr_dict, make_user

MISSING_POOL = "us-east-1_Nope12345"


def names(resp):
    return sorted(u["Username"] for u in resp["Users"])


def search(cognito, pool_id, filter_string, **kwargs):
    return names(cognito.list_users(UserPoolId=pool_id, Filter=filter_string, **kwargs))


PEOPLE = {
    "alice": {
        "email": "alice@example.com",
        "phone_number": "+15555550001",
        "name": "Alice Liddell",
        "given_name": "Alice",
        "family_name": "Liddell",
        "preferred_username": "ally",
    },
    "alfred": {
        "email": "alfred@example.org",
        "phone_number": "+15555550002",
        "name": "Alfred Pennyworth",
        "given_name": "Alfred",
        "family_name": "Pennyworth",
        "preferred_username": "alf",
    },
    "Bob": {
        "email": "bob@example.com",
        "phone_number": "+445555550003",
        "name": "Bob Builder",
        "given_name": "Bob",
        "family_name": "Builder",
        "preferred_username": "bobby",
    },
    "carol": {"email": "carol@example.net", "given_name": "Carol"},
}


@pytest.fixture
def people(cognito, pool):
    """A pool with four users: alice (CONFIRMED), alfred (disabled), Bob, carol."""
    subs = {}
    for username, a in PEOPLE.items():
        subs[username] = attr_dict(make_user(cognito, pool, username, a)["Attributes"])["sub"]
    cognito.admin_set_user_password(UserPoolId=pool, Username="alice", Password=AUTH_PASSWORD, Permanent=True)
    cognito.admin_disable_user(UserPoolId=pool, Username="alfred")
    return pool, subs


# ---------------------------------------------------------------- no filter


def test_no_filter_and_empty_filter_list_everybody(cognito, people):
    pool_id, _ = people
    everybody = sorted(PEOPLE)
    assert names(cognito.list_users(UserPoolId=pool_id)) == everybody
    assert search(cognito, pool_id, "") == everybody


def test_listed_user_shape(cognito, people):
    pool_id, subs = people
    users = {u["Username"]: u for u in cognito.list_users(UserPoolId=pool_id)["Users"]}
    alice = users["alice"]
    assert alice["UserStatus"] == "CONFIRMED"
    assert alice["Enabled"] is True
    assert alice["UserCreateDate"] <= alice["UserLastModifiedDate"]
    a = attr_dict(alice["Attributes"])
    assert a["sub"] == subs["alice"]
    assert a["email"] == "alice@example.com"
    assert users["alfred"]["Enabled"] is False
    assert users["Bob"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_list_users_unknown_pool(cognito):
    with expect_error("ResourceNotFoundException"):
        cognito.list_users(UserPoolId=MISSING_POOL)


def test_list_users_empty_pool(cognito, pool):
    resp = cognito.list_users(UserPoolId=pool)
    assert resp["Users"] == []
    assert "PaginationToken" not in resp


# ---------------------------------------------------------------- exact and prefix matches


@pytest.mark.parametrize(
    "attribute,value,expected",
    [
        ("username", "alice", ["alice"]),
        ("email", "bob@example.com", ["Bob"]),
        ("phone_number", "+15555550002", ["alfred"]),
        ("name", "Alice Liddell", ["alice"]),
        ("given_name", "Carol", ["carol"]),
        ("family_name", "Builder", ["Bob"]),
        ("preferred_username", "alf", ["alfred"]),
        ("email", "nobody@example.com", []),
    ],
)
def test_exact_match(cognito, people, attribute, value, expected):
    pool_id, _ = people
    assert search(cognito, pool_id, f'{attribute} = "{value}"') == expected


@pytest.mark.parametrize(
    "attribute,prefix,expected",
    [
        ("username", "al", ["alfred", "alice"]),
        ("email", "alice@", ["alice"]),
        ("phone_number", "+1555", ["alfred", "alice"]),
        ("phone_number", "+44", ["Bob"]),
        ("name", "Al", ["alfred", "alice"]),
        ("given_name", "Ca", ["carol"]),
        ("family_name", "Pen", ["alfred"]),
        ("preferred_username", "bob", ["Bob"]),
        ("given_name", "Zed", []),
    ],
)
def test_prefix_match(cognito, people, attribute, prefix, expected):
    pool_id, _ = people
    assert search(cognito, pool_id, f'{attribute} ^= "{prefix}"') == expected


def test_exact_match_is_not_a_prefix_match(cognito, people):
    pool_id, _ = people
    assert search(cognito, pool_id, 'given_name = "Al"') == []
    assert search(cognito, pool_id, 'email = "alice@example.co"') == []


def test_username_filter_is_case_sensitive(cognito, people):
    pool_id, _ = people
    assert search(cognito, pool_id, 'username = "Bob"') == ["Bob"]
    assert search(cognito, pool_id, 'username = "bob"') == []
    assert search(cognito, pool_id, 'username ^= "b"') == []


def test_sub_filter(cognito, people):
    pool_id, subs = people
    assert search(cognito, pool_id, f'sub = "{subs["carol"]}"') == ["carol"]


def test_user_status_filter(cognito, people):
    pool_id, _ = people
    assert search(cognito, pool_id, 'cognito:user_status = "CONFIRMED"') == ["alice"]
    assert search(cognito, pool_id, 'cognito:user_status = "FORCE_CHANGE_PASSWORD"') == ["Bob", "alfred", "carol"]
    # documented as case-insensitive
    assert search(cognito, pool_id, 'cognito:user_status = "confirmed"') == ["alice"]
    assert search(cognito, pool_id, 'cognito:user_status = "UNCONFIRMED"') == []


def test_enabled_status_filter(cognito, people):
    pool_id, _ = people
    assert search(cognito, pool_id, 'status = "Disabled"') == ["alfred"]
    assert search(cognito, pool_id, 'status = "Enabled"') == ["Bob", "alice", "carol"]


def test_filter_reflects_updates(cognito, people):
    pool_id, _ = people
    cognito.admin_update_user_attributes(
        UserPoolId=pool_id, Username="carol", UserAttributes=[{"Name": "family_name", "Value": "Danvers"}]
    )
    assert search(cognito, pool_id, 'family_name = "Danvers"') == ["carol"]
    cognito.admin_delete_user_attributes(UserPoolId=pool_id, Username="carol", UserAttributeNames=["family_name"])
    assert search(cognito, pool_id, 'family_name = "Danvers"') == []
    cognito.admin_enable_user(UserPoolId=pool_id, Username="alfred")
    assert search(cognito, pool_id, 'status = "Disabled"') == []
    cognito.admin_delete_user(UserPoolId=pool_id, Username="Bob")
    assert search(cognito, pool_id, 'email ^= "bob"') == []


# ---------------------------------------------------------------- grammar details


@pytest.mark.parametrize(
    "filter_string",
    [
        'email = "alice@example.com"',
        'email="alice@example.com"',  # production code commonly sends it without spaces
        'email  =  "alice@example.com"',
    ],
)
def test_spaces_around_operator_are_optional(cognito, people, filter_string):
    pool_id, _ = people
    assert search(cognito, pool_id, filter_string) == ["alice"]


def test_prefix_operator_without_spaces(cognito, people):
    pool_id, _ = people
    assert search(cognito, pool_id, 'email^="alice"') == ["alice"]


def test_escaped_quote_in_value(cognito, pool):
    make_user(cognito, pool, "quoted", {"given_name": 'Jo"hn'})
    make_user(cognito, pool, "plain", {"given_name": "John"})
    # API reference: quotation marks within the value are escaped with a backslash
    assert search(cognito, pool, 'given_name = "Jo\\"hn"') == ["quoted"]
    assert search(cognito, pool, 'given_name ^= "Jo\\""') == ["quoted"]


def test_unicode_values(cognito, pool):
    make_user(cognito, pool, "zoe1", {"given_name": "Zoë", "family_name": "Ñúñez"})
    make_user(cognito, pool, "zoe2", {"given_name": "Zoéa"})
    make_user(cognito, pool, "zoe3", {"given_name": "Zoe"})
    make_user(cognito, pool, "taro", {"name": "山田太郎"})
    make_user(cognito, pool, "hanako", {"name": "山本花子"})
    assert search(cognito, pool, 'given_name ^= "Zo"') == ["zoe1", "zoe2", "zoe3"]
    assert search(cognito, pool, 'given_name ^= "Zoë"') == ["zoe1"]
    assert search(cognito, pool, 'given_name = "Zoë"') == ["zoe1"]
    assert search(cognito, pool, 'family_name = "Ñúñez"') == ["zoe1"]
    assert search(cognito, pool, 'name ^= "山"') == ["hanako", "taro"]
    assert search(cognito, pool, 'name ^= "山田"') == ["taro"]


@pytest.mark.parametrize(
    "filter_string",
    [
        "email = alice@example.com",  # value not quoted
        'email "alice@example.com"',  # no operator
        'email != "alice@example.com"',  # unknown operator
        'email = "alice@example.com',  # unterminated quote
        "email =",
        "gibberish",
    ],
)
def test_malformed_filter(cognito, people, filter_string):
    pool_id, _ = people
    with expect_error("InvalidParameterException") as caught:
        cognito.list_users(UserPoolId=pool_id, Filter=filter_string)
    # Cognito's wording seen in the field (aws-sdk-php#1088, aws-aspnet-cognito-identity-provider#235)
    assert caught.message.startswith("Error while parsing filter"), caught.message


@pytest.mark.parametrize(
    "filter_string",
    [
        'custom:team = "red"',
        'locale = "en"',
        'address = "Main St"',
        'email_verified = "true"',
    ],
)
def test_unsearchable_attribute(cognito, people, filter_string):
    pool_id, _ = people
    with expect_error("InvalidParameterException"):
        cognito.list_users(UserPoolId=pool_id, Filter=filter_string)


# ---------------------------------------------------------------- AttributesToGet


def test_attributes_to_get(cognito, people):
    pool_id, _ = people
    resp = cognito.list_users(UserPoolId=pool_id, AttributesToGet=["email"])
    assert sorted(u["Username"] for u in resp["Users"]) == sorted(PEOPLE)
    for user in resp["Users"]:
        returned = attr_dict(user["Attributes"])
        assert returned["email"] == PEOPLE[user["Username"]]["email"]
        assert "given_name" not in returned and "phone_number" not in returned
        assert set(returned) <= {"email", "sub"}
        assert "UserStatus" in user and "Enabled" in user


def test_attributes_to_get_with_filter(cognito, people):
    pool_id, _ = people
    resp = cognito.list_users(
        UserPoolId=pool_id, Filter='family_name ^= "L"', AttributesToGet=["given_name", "family_name"]
    )
    assert [u["Username"] for u in resp["Users"]] == ["alice"]
    returned = attr_dict(resp["Users"][0]["Attributes"])
    assert returned["given_name"] == "Alice" and returned["family_name"] == "Liddell"
    assert "email" not in returned


# ---------------------------------------------------------------- Limit and pagination


def test_limit_above_60_is_rejected(cognito, pool):
    with expect_error("InvalidParameterException") as caught:
        cognito.list_users(UserPoolId=pool, Limit=61)
    # constraint violations name the member ("... at 'limit' failed to satisfy constraint ...")
    assert "limit" in caught.message.lower()


def test_limit_60_is_accepted(cognito, pool):
    make_user(cognito, pool, "one")
    assert names(cognito.list_users(UserPoolId=pool, Limit=60)) == ["one"]


def _collect(cognito, pool_id, page_size, **kwargs):
    pages, token = [], None
    while True:
        args = dict(UserPoolId=pool_id, Limit=page_size, **kwargs)
        if token:
            args["PaginationToken"] = token
        resp = cognito.list_users(**args)
        assert len(resp["Users"]) <= page_size
        pages.append([u["Username"] for u in resp["Users"]])
        token = resp.get("PaginationToken")
        if not token:
            return pages
        assert len(pages) < 100, "pagination does not terminate"


def test_pagination_across_several_pages(cognito, pool):
    expected = sorted(f"page-user-{i:02d}" for i in range(25))
    for username in expected:
        make_user(cognito, pool, username)
    pages = _collect(cognito, pool, 7)
    collected = [u for page in pages for u in page]
    assert len(pages) >= 4
    assert len(collected) == len(set(collected)), "duplicates across pages"
    assert sorted(collected) == expected, "users missing across pages"


def test_pagination_with_filter(cognito, pool):
    wanted = []
    for i in range(20):
        team = "red" if i % 2 == 0 else "blue"
        username = f"{team}-{i:02d}"
        make_user(cognito, pool, username, {"given_name": team})
        if team == "red":
            wanted.append(username)
    pages = _collect(cognito, pool, 3, Filter='given_name = "red"')
    collected = [u for page in pages for u in page]
    assert len(collected) == len(set(collected))
    assert sorted(collected) == sorted(wanted)
    assert len(pages) >= 4


def test_boto3_paginator(cognito, pool):
    expected = sorted(f"pg-{i:02d}" for i in range(11))
    for username in expected:
        make_user(cognito, pool, username)
    paginator = cognito.get_paginator("list_users")
    pages = list(paginator.paginate(UserPoolId=pool, PaginationConfig={"PageSize": 4}))
    collected = [u["Username"] for p in pages for u in p["Users"]]
    assert len(pages) >= 3
    assert sorted(collected) == expected


def test_exact_page_boundary_has_no_dangling_empty_page(cognito, pool):
    for i in range(6):
        make_user(cognito, pool, f"b{i}")
    pages = _collect(cognito, pool, 3)
    collected = [u for page in pages for u in page]
    assert sorted(collected) == sorted(f"b{i}" for i in range(6))
    # a trailing empty page is tolerated by clients, but never more than one
    assert sum(1 for p in pages if not p) <= 1
