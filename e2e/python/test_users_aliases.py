"""Username rules: case sensitivity, username attributes (email / phone as username) and
alias attributes (sign-in with a verified email / phone / preferred_username).

Sources for Cognito behaviour:
- UsernameConfigurationType (API reference): CaseSensitive=true "is the default value";
  false makes username, preferred_username and email alias case-insensitive.
- User pool attributes guide: with UsernameAttributes the Username becomes a generated
  UUID (the `sub`) and the email/phone is the sign-in value.
- AdminCreateUser API reference, ForceAliasCreation: true migrates an existing alias to the
  new user (without it the create is refused; see test_verified_email_alias_is_unique for
  which exception).
- AWS engineer on aws-sdk-ios#515: an email becomes an alias only once verified; verifying it
  on another user migrates the alias.
"""

import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import unique

PW = "Passw0rd!"


def expect_error(code, fn, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        fn(**kwargs)
    err = excinfo.value.response["Error"]
    assert err["Code"] == code, f"expected {code}, got {err}"
    return err.get("Message", "")


def make_pool(cognito, **kwargs):
    return cognito.create_user_pool(PoolName=unique("pool"), **kwargs)["UserPool"]["Id"]


def attrs(attribute_list):
    return {a["Name"]: a["Value"] for a in attribute_list}


def create(cognito, pool_id, username, attributes=None, **kwargs):
    return cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[{"Name": k, "Value": v} for k, v in (attributes or {}).items()],
        TemporaryPassword=PW,
        MessageAction="SUPPRESS",
        **kwargs,
    )["User"]


def get(cognito, pool_id, username):
    return cognito.admin_get_user(UserPoolId=pool_id, Username=username)


def is_uuid(value):
    try:
        return str(uuid.UUID(value)) == value
    except (ValueError, TypeError):
        return False


# ---------------------------------------------------------------- case sensitivity


def test_default_pool_is_case_sensitive(cognito, pool):
    # UsernameConfigurationType: CaseSensitive true "is the default value" when omitted.
    first = create(cognito, pool, "Alice")
    expect_error("UserNotFoundException", cognito.admin_get_user, UserPoolId=pool, Username="alice")
    expect_error("UserNotFoundException", cognito.admin_get_user, UserPoolId=pool, Username="ALICE")
    second = create(cognito, pool, "alice")  # a different user
    assert attrs(first["Attributes"])["sub"] != attrs(second["Attributes"])["sub"]
    assert get(cognito, pool, "Alice")["Username"] == "Alice"
    assert get(cognito, pool, "alice")["Username"] == "alice"


def test_explicit_case_sensitive_pool(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": True})
    create(cognito, pool_id, "Bob")
    expect_error("UserNotFoundException", cognito.admin_get_user, UserPoolId=pool_id, Username="bob")
    create(cognito, pool_id, "bob")
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 2


def test_case_insensitive_pool_finds_any_case(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    sub = attrs(create(cognito, pool_id, "Alice")["Attributes"])["sub"]
    for spelling in ("alice", "ALICE", "aLiCe", "Alice"):
        user = get(cognito, pool_id, spelling)
        assert attrs(user["UserAttributes"])["sub"] == sub
        assert user["Username"].lower() == "alice"


def test_case_insensitive_pool_refuses_case_variant(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    create(cognito, pool_id, "alice")
    for variant in ("ALICE", "Alice"):
        expect_error(
            "UsernameExistsException",
            cognito.admin_create_user,
            UserPoolId=pool_id,
            Username=variant,
            TemporaryPassword=PW,
            MessageAction="SUPPRESS",
        )
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 1


def test_case_insensitive_pool_admin_ops_use_any_case(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    create(cognito, pool_id, "Carol")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="CAROL")
    assert get(cognito, pool_id, "carol")["Enabled"] is False
    cognito.admin_update_user_attributes(
        UserPoolId=pool_id, Username="cArOl", UserAttributes=[{"Name": "given_name", "Value": "C"}]
    )
    assert attrs(get(cognito, pool_id, "Carol")["UserAttributes"])["given_name"] == "C"
    cognito.admin_delete_user(UserPoolId=pool_id, Username="carol")
    expect_error("UserNotFoundException", cognito.admin_get_user, UserPoolId=pool_id, Username="Carol")


# ---------------------------------------------------------------- UsernameAttributes = email


@pytest.fixture
def email_username_pool(cognito):
    return make_pool(cognito, UsernameAttributes=["email"])


def test_email_as_username_stores_sub_as_username(cognito, email_username_pool):
    pool_id = email_username_pool
    user = create(cognito, pool_id, "dora@example.com")
    a = attrs(user["Attributes"])
    assert a["email"] == "dora@example.com"
    assert is_uuid(user["Username"]), user["Username"]
    assert user["Username"] == a["sub"]

    by_email = get(cognito, pool_id, "dora@example.com")
    assert by_email["Username"] == a["sub"]
    by_sub = get(cognito, pool_id, a["sub"])
    assert attrs(by_sub["UserAttributes"])["email"] == "dora@example.com"

    listed = cognito.list_users(UserPoolId=pool_id)["Users"]
    assert [u["Username"] for u in listed] == [a["sub"]]


def test_email_username_pool_rejects_non_email_username(cognito, email_username_pool):
    msg = expect_error(
        "InvalidParameterException",
        cognito.admin_create_user,
        UserPoolId=email_username_pool,
        Username="not-an-email",
        TemporaryPassword=PW,
        MessageAction="SUPPRESS",
    )
    assert msg == "Username should be an email."  # Cognito's wording (SignUp/AdminCreateUser)


def test_email_username_pool_rejects_duplicate_email(cognito, email_username_pool):
    create(cognito, email_username_pool, "eve@example.com")
    msg = expect_error(
        "UsernameExistsException",
        cognito.admin_create_user,
        UserPoolId=email_username_pool,
        Username="eve@example.com",
        TemporaryPassword=PW,
        MessageAction="SUPPRESS",
    )
    # Cognito's wording when the email is the username (aws-sdk-js#4308 and many client maps)
    assert msg == "An account with the given email already exists."
    assert len(cognito.list_users(UserPoolId=email_username_pool)["Users"]) == 1


def test_email_username_admin_ops_by_email(cognito, email_username_pool):
    pool_id = email_username_pool
    create(cognito, pool_id, "finn@example.com")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="finn@example.com")
    assert get(cognito, pool_id, "finn@example.com")["Enabled"] is False
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="finn@example.com", Password=PW, Permanent=True)
    assert get(cognito, pool_id, "finn@example.com")["UserStatus"] == "CONFIRMED"
    cognito.admin_delete_user(UserPoolId=pool_id, Username="finn@example.com")
    expect_error("UserNotFoundException", cognito.admin_get_user, UserPoolId=pool_id, Username="finn@example.com")
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_phone_as_username(cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["phone_number"])
    user = create(cognito, pool_id, "+15555550110")
    a = attrs(user["Attributes"])
    assert a["phone_number"] == "+15555550110"
    assert is_uuid(user["Username"]) and user["Username"] == a["sub"]
    assert get(cognito, pool_id, "+15555550110")["Username"] == a["sub"]
    expect_error(
        "InvalidParameterException",
        cognito.admin_create_user,
        UserPoolId=pool_id,
        Username="plainname",
        TemporaryPassword=PW,
        MessageAction="SUPPRESS",
    )
    expect_error(
        "UsernameExistsException",
        cognito.admin_create_user,
        UserPoolId=pool_id,
        Username="+15555550110",
        TemporaryPassword=PW,
        MessageAction="SUPPRESS",
    )


def test_email_or_phone_as_username(cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["email", "phone_number"])
    by_mail = create(cognito, pool_id, "gus@example.com")
    by_phone = create(cognito, pool_id, "+15555550111")
    assert attrs(by_mail["Attributes"])["email"] == "gus@example.com"
    assert attrs(by_phone["Attributes"])["phone_number"] == "+15555550111"
    assert is_uuid(by_mail["Username"]) and is_uuid(by_phone["Username"])
    expect_error(
        "InvalidParameterException",
        cognito.admin_create_user,
        UserPoolId=pool_id,
        Username="neither",
        TemporaryPassword=PW,
        MessageAction="SUPPRESS",
    )


# ---------------------------------------------------------------- AliasAttributes = email


@pytest.fixture
def email_alias_pool(cognito):
    return make_pool(cognito, AliasAttributes=["email"])


def test_verified_email_alias_finds_user(cognito, email_alias_pool):
    pool_id = email_alias_pool
    create(cognito, pool_id, "hugo", {"email": "hugo@example.com", "email_verified": "true"})
    user = get(cognito, pool_id, "hugo@example.com")
    assert user["Username"] == "hugo"
    cognito.admin_disable_user(UserPoolId=pool_id, Username="hugo@example.com")
    assert get(cognito, pool_id, "hugo")["Enabled"] is False


def test_unverified_email_is_not_an_alias(cognito, email_alias_pool):
    pool_id = email_alias_pool
    create(cognito, pool_id, "iris", {"email": "iris@example.com"})
    expect_error("UserNotFoundException", cognito.admin_get_user, UserPoolId=pool_id, Username="iris@example.com")
    # ... and a second user may carry the same unverified email
    create(cognito, pool_id, "iris2", {"email": "iris@example.com"})
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 2


def test_verified_email_alias_is_unique(cognito, email_alias_pool):
    pool_id = email_alias_pool
    create(cognito, pool_id, "jade", {"email": "jade@example.com", "email_verified": "true"})
    # The AdminCreateUser prose says AliasExistsException, but the service model lists no
    # AliasExistsException for AdminCreateUser and the field sees UsernameExistsException with
    # "An account with the email already exists." (boto/boto3#3213; production code that
    # notes "Cognito raises UsernameExistsException for more than just usernames").
    msg = expect_error(
        "UsernameExistsException",
        cognito.admin_create_user,
        UserPoolId=pool_id,
        Username="jade2",
        UserAttributes=[
            {"Name": "email", "Value": "jade@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
        TemporaryPassword=PW,
        MessageAction="SUPPRESS",
    )
    assert msg == "An account with the email already exists."
    expect_error("UserNotFoundException", cognito.admin_get_user, UserPoolId=pool_id, Username="jade2")
    assert get(cognito, pool_id, "jade@example.com")["Username"] == "jade"


def test_force_alias_creation_moves_alias(cognito, email_alias_pool):
    pool_id = email_alias_pool
    create(cognito, pool_id, "kim", {"email": "kim@example.com", "email_verified": "true"})
    create(
        cognito,
        pool_id,
        "kim2",
        {"email": "kim@example.com", "email_verified": "true"},
        ForceAliasCreation=True,
    )
    assert get(cognito, pool_id, "kim@example.com")["Username"] == "kim2"
    # the previous owner keeps the attribute but no longer holds it as a verified alias
    old = attrs(get(cognito, pool_id, "kim")["UserAttributes"])
    assert old.get("email_verified") != "true"


def test_username_in_email_format_refused_in_email_alias_pool(cognito, email_alias_pool):
    msg = expect_error(
        "InvalidParameterException",
        cognito.admin_create_user,
        UserPoolId=email_alias_pool,
        Username="lena@example.com",
        TemporaryPassword=PW,
        MessageAction="SUPPRESS",
    )
    # Cognito's wording as collected by client error maps
    assert msg == "Username cannot be of email format, since user pool is configured for email alias."


def test_case_insensitive_pool_email_alias_any_case(cognito):
    # UsernameConfigurationType: CaseSensitive=false also makes the email alias case-insensitive
    pool_id = make_pool(cognito, AliasAttributes=["email"], UsernameConfiguration={"CaseSensitive": False})
    create(cognito, pool_id, "mona", {"email": "Mona@Example.com", "email_verified": "true"})
    assert get(cognito, pool_id, "mona@example.com")["Username"].lower() == "mona"
    assert get(cognito, pool_id, "MONA@EXAMPLE.COM")["Username"].lower() == "mona"


# ---------------------------------------------------------------- AliasAttributes = phone_number


def test_username_in_phone_format_refused_in_phone_alias_pool(cognito):
    # Developer guide (user pool attributes): with phone_number as an alias, Cognito "doesn't
    # accept a user name ... that matches a valid phone number format".
    pool_id = make_pool(cognito, AliasAttributes=["phone_number"])
    expect_error(
        "InvalidParameterException",
        cognito.admin_create_user,
        UserPoolId=pool_id,
        Username="+15555550199",
        TemporaryPassword=PW,
        MessageAction="SUPPRESS",
    )


@pytest.fixture
def phone_alias_pool(cognito):
    return make_pool(cognito, AliasAttributes=["phone_number"])


def test_verified_phone_alias_finds_user(cognito, phone_alias_pool):
    pool_id = phone_alias_pool
    create(cognito, pool_id, "nick", {"phone_number": "+15555550120", "phone_number_verified": "true"})
    assert get(cognito, pool_id, "+15555550120")["Username"] == "nick"


def test_unverified_phone_is_not_an_alias(cognito, phone_alias_pool):
    pool_id = phone_alias_pool
    create(cognito, pool_id, "olly", {"phone_number": "+15555550121"})
    expect_error("UserNotFoundException", cognito.admin_get_user, UserPoolId=pool_id, Username="+15555550121")


def test_verified_phone_alias_is_unique(cognito, phone_alias_pool):
    pool_id = phone_alias_pool
    create(cognito, pool_id, "pete", {"phone_number": "+15555550122", "phone_number_verified": "true"})
    # see test_verified_email_alias_is_unique for the exception type; the wording follows
    # Cognito's "An account with the phone_number already exists." (seen on ConfirmSignUp)
    msg = expect_error(
        "UsernameExistsException",
        cognito.admin_create_user,
        UserPoolId=pool_id,
        Username="pete2",
        UserAttributes=[
            {"Name": "phone_number", "Value": "+15555550122"},
            {"Name": "phone_number_verified", "Value": "true"},
        ],
        TemporaryPassword=PW,
        MessageAction="SUPPRESS",
    )
    assert msg == "An account with the phone_number already exists."
    create(
        cognito,
        pool_id,
        "pete2",
        {"phone_number": "+15555550122", "phone_number_verified": "true"},
        ForceAliasCreation=True,
    )
    assert get(cognito, pool_id, "+15555550122")["Username"] == "pete2"
    assert attrs(get(cognito, pool_id, "pete")["UserAttributes"]).get("phone_number_verified") != "true"


# ---------------------------------------------------------------- AliasAttributes = preferred_username


def test_preferred_username_alias_finds_user(cognito):
    pool_id = make_pool(cognito, AliasAttributes=["preferred_username", "email"])
    create(cognito, pool_id, "rose")
    # Developer guide: a preferred_username alias is set once the account is confirmed.
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="rose", Password=PW, Permanent=True)
    cognito.admin_update_user_attributes(
        UserPoolId=pool_id, Username="rose", UserAttributes=[{"Name": "preferred_username", "Value": "rosie"}]
    )
    assert get(cognito, pool_id, "rosie")["Username"] == "rose"
    # an alias of one user is not a username for anybody else
    expect_error("UserNotFoundException", cognito.admin_get_user, UserPoolId=pool_id, Username="rosy")


def test_aliases_are_scoped_to_their_pool(cognito):
    a = make_pool(cognito, AliasAttributes=["email"])
    b = make_pool(cognito, AliasAttributes=["email"])
    create(cognito, a, "sara", {"email": "sara@example.com", "email_verified": "true"})
    create(cognito, b, "sara", {"email": "sara@example.com", "email_verified": "true"})
    assert get(cognito, a, "sara@example.com")["Username"] == "sara"
    assert get(cognito, b, "sara@example.com")["Username"] == "sara"
