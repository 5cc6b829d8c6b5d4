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

import pytest

from tessera_e2e.aws import expect_error
from tessera_e2e.flows import AUTH_PASSWORD, admin_get_user, attr_dict, is_uuid, make_pool, make_user


# ---------------------------------------------------------------- case sensitivity


def test_default_pool_is_case_sensitive(cognito, pool):
    # UsernameConfigurationType: CaseSensitive true "is the default value" when omitted.
    first = make_user(cognito, pool, "Alice")
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool, Username="alice")
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool, Username="ALICE")
    second = make_user(cognito, pool, "alice")  # a different user
    assert attr_dict(first["Attributes"])["sub"] != attr_dict(second["Attributes"])["sub"]
    assert admin_get_user(cognito, pool, "Alice")["Username"] == "Alice"
    assert admin_get_user(cognito, pool, "alice")["Username"] == "alice"


def test_explicit_case_sensitive_pool(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": True})
    make_user(cognito, pool_id, "Bob")
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool_id, Username="bob")
    make_user(cognito, pool_id, "bob")
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 2


def test_case_insensitive_pool_finds_any_case(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    sub = attr_dict(make_user(cognito, pool_id, "Alice")["Attributes"])["sub"]
    for spelling in ("alice", "ALICE", "aLiCe", "Alice"):
        user = admin_get_user(cognito, pool_id, spelling)
        assert attr_dict(user["UserAttributes"])["sub"] == sub
        assert user["Username"].lower() == "alice"


def test_case_insensitive_pool_refuses_case_variant(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    make_user(cognito, pool_id, "alice")
    for variant in ("ALICE", "Alice"):
        with expect_error("UsernameExistsException"):
            cognito.admin_create_user(UserPoolId=pool_id, Username=variant, TemporaryPassword=AUTH_PASSWORD,
                                      MessageAction="SUPPRESS")
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 1


def test_case_insensitive_pool_admin_ops_use_any_case(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    make_user(cognito, pool_id, "Carol")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="CAROL")
    assert admin_get_user(cognito, pool_id, "carol")["Enabled"] is False
    cognito.admin_update_user_attributes(
        UserPoolId=pool_id, Username="cArOl", UserAttributes=[{"Name": "given_name", "Value": "C"}]
    )
    assert attr_dict(admin_get_user(cognito, pool_id, "Carol")["UserAttributes"])["given_name"] == "C"
    cognito.admin_delete_user(UserPoolId=pool_id, Username="carol")
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool_id, Username="Carol")


# ---------------------------------------------------------------- UsernameAttributes = email


@pytest.fixture
def email_username_pool(cognito):
    return make_pool(cognito, UsernameAttributes=["email"])


def test_email_as_username_stores_sub_as_username(cognito, email_username_pool):
    pool_id = email_username_pool
    user = make_user(cognito, pool_id, "dora@example.com")
    a = attr_dict(user["Attributes"])
    assert a["email"] == "dora@example.com"
    assert is_uuid(user["Username"]), user["Username"]
    assert user["Username"] == a["sub"]

    by_email = admin_get_user(cognito, pool_id, "dora@example.com")
    assert by_email["Username"] == a["sub"]
    by_sub = admin_get_user(cognito, pool_id, a["sub"])
    assert attr_dict(by_sub["UserAttributes"])["email"] == "dora@example.com"

    listed = cognito.list_users(UserPoolId=pool_id)["Users"]
    assert [u["Username"] for u in listed] == [a["sub"]]


def test_email_username_pool_rejects_non_email_username(cognito, email_username_pool):
    # Cognito's wording (SignUp/AdminCreateUser)
    with expect_error("InvalidParameterException", "Username should be an email."):
        cognito.admin_create_user(UserPoolId=email_username_pool, Username="not-an-email",
                                  TemporaryPassword=AUTH_PASSWORD, MessageAction="SUPPRESS")


def test_email_username_pool_rejects_duplicate_email(cognito, email_username_pool):
    make_user(cognito, email_username_pool, "eve@example.com")
    # Cognito's wording when the email is the username (aws-sdk-js#4308 and many client maps)
    with expect_error("UsernameExistsException", "An account with the given email already exists."):
        cognito.admin_create_user(UserPoolId=email_username_pool, Username="eve@example.com",
                                  TemporaryPassword=AUTH_PASSWORD, MessageAction="SUPPRESS")
    assert len(cognito.list_users(UserPoolId=email_username_pool)["Users"]) == 1


def test_email_username_admin_ops_by_email(cognito, email_username_pool):
    pool_id = email_username_pool
    make_user(cognito, pool_id, "finn@example.com")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="finn@example.com")
    assert admin_get_user(cognito, pool_id, "finn@example.com")["Enabled"] is False
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="finn@example.com", Password=AUTH_PASSWORD,
                                    Permanent=True)
    assert admin_get_user(cognito, pool_id, "finn@example.com")["UserStatus"] == "CONFIRMED"
    cognito.admin_delete_user(UserPoolId=pool_id, Username="finn@example.com")
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool_id, Username="finn@example.com")
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_phone_as_username(cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["phone_number"])
    user = make_user(cognito, pool_id, "+15555550110")
    a = attr_dict(user["Attributes"])
    assert a["phone_number"] == "+15555550110"
    assert is_uuid(user["Username"]) and user["Username"] == a["sub"]
    assert admin_get_user(cognito, pool_id, "+15555550110")["Username"] == a["sub"]
    with expect_error("InvalidParameterException"):
        cognito.admin_create_user(UserPoolId=pool_id, Username="plainname", TemporaryPassword=AUTH_PASSWORD,
                                  MessageAction="SUPPRESS")
    with expect_error("UsernameExistsException"):
        cognito.admin_create_user(UserPoolId=pool_id, Username="+15555550110", TemporaryPassword=AUTH_PASSWORD,
                                  MessageAction="SUPPRESS")


def test_email_or_phone_as_username(cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["email", "phone_number"])
    by_mail = make_user(cognito, pool_id, "gus@example.com")
    by_phone = make_user(cognito, pool_id, "+15555550111")
    assert attr_dict(by_mail["Attributes"])["email"] == "gus@example.com"
    assert attr_dict(by_phone["Attributes"])["phone_number"] == "+15555550111"
    assert is_uuid(by_mail["Username"]) and is_uuid(by_phone["Username"])
    with expect_error("InvalidParameterException"):
        cognito.admin_create_user(UserPoolId=pool_id, Username="neither", TemporaryPassword=AUTH_PASSWORD,
                                  MessageAction="SUPPRESS")


# ---------------------------------------------------------------- AliasAttributes = email


@pytest.fixture
def email_alias_pool(cognito):
    return make_pool(cognito, AliasAttributes=["email"])


def test_verified_email_alias_finds_user(cognito, email_alias_pool):
    pool_id = email_alias_pool
    make_user(cognito, pool_id, "hugo", {"email": "hugo@example.com", "email_verified": "true"})
    user = admin_get_user(cognito, pool_id, "hugo@example.com")
    assert user["Username"] == "hugo"
    cognito.admin_disable_user(UserPoolId=pool_id, Username="hugo@example.com")
    assert admin_get_user(cognito, pool_id, "hugo")["Enabled"] is False


def test_unverified_email_is_not_an_alias(cognito, email_alias_pool):
    pool_id = email_alias_pool
    make_user(cognito, pool_id, "iris", {"email": "iris@example.com"})
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool_id, Username="iris@example.com")
    # ... and a second user may carry the same unverified email
    make_user(cognito, pool_id, "iris2", {"email": "iris@example.com"})
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 2


def test_verified_email_alias_is_unique(cognito, email_alias_pool):
    pool_id = email_alias_pool
    make_user(cognito, pool_id, "jade", {"email": "jade@example.com", "email_verified": "true"})
    # The AdminCreateUser prose says AliasExistsException, but the service model lists no
    # AliasExistsException for AdminCreateUser and the field sees UsernameExistsException with
    # "An account with the email already exists." (boto/boto3#3213; production code that
    # notes "Cognito raises UsernameExistsException for more than just usernames").
    with expect_error("UsernameExistsException", "An account with the email already exists."):
        cognito.admin_create_user(UserPoolId=pool_id, Username="jade2",
                                  UserAttributes=[
            {"Name": "email", "Value": "jade@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
                                  TemporaryPassword=AUTH_PASSWORD, MessageAction="SUPPRESS")
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool_id, Username="jade2")
    assert admin_get_user(cognito, pool_id, "jade@example.com")["Username"] == "jade"


def test_force_alias_creation_moves_alias(cognito, email_alias_pool):
    pool_id = email_alias_pool
    make_user(cognito, pool_id, "kim", {"email": "kim@example.com", "email_verified": "true"})
    make_user(
        cognito,
        pool_id,
        "kim2",
        {"email": "kim@example.com", "email_verified": "true"},
        ForceAliasCreation=True,
    )
    assert admin_get_user(cognito, pool_id, "kim@example.com")["Username"] == "kim2"
    # the previous owner keeps the attribute but no longer holds it as a verified alias
    old = attr_dict(admin_get_user(cognito, pool_id, "kim")["UserAttributes"])
    assert old.get("email_verified") != "true"


def test_username_in_email_format_refused_in_email_alias_pool(cognito, email_alias_pool):
    # Cognito's wording as collected by client error maps
    with expect_error("InvalidParameterException",
                      "Username cannot be of email format, since user pool is configured for email alias."):
        cognito.admin_create_user(UserPoolId=email_alias_pool, Username="lena@example.com",
                                  TemporaryPassword=AUTH_PASSWORD, MessageAction="SUPPRESS")


def test_case_insensitive_pool_email_alias_any_case(cognito):
    # UsernameConfigurationType: CaseSensitive=false also makes the email alias case-insensitive
    pool_id = make_pool(cognito, AliasAttributes=["email"], UsernameConfiguration={"CaseSensitive": False})
    make_user(cognito, pool_id, "mona", {"email": "Mona@Example.com", "email_verified": "true"})
    assert admin_get_user(cognito, pool_id, "mona@example.com")["Username"].lower() == "mona"
    assert admin_get_user(cognito, pool_id, "MONA@EXAMPLE.COM")["Username"].lower() == "mona"


# ---------------------------------------------------------------- AliasAttributes = phone_number


def test_username_in_phone_format_refused_in_phone_alias_pool(cognito):
    # Developer guide (user pool attributes): with phone_number as an alias, Cognito "doesn't
    # accept a user name ... that matches a valid phone number format".
    pool_id = make_pool(cognito, AliasAttributes=["phone_number"])
    with expect_error("InvalidParameterException"):
        cognito.admin_create_user(UserPoolId=pool_id, Username="+15555550199", TemporaryPassword=AUTH_PASSWORD,
                                  MessageAction="SUPPRESS")


@pytest.fixture
def phone_alias_pool(cognito):
    return make_pool(cognito, AliasAttributes=["phone_number"])


def test_verified_phone_alias_finds_user(cognito, phone_alias_pool):
    pool_id = phone_alias_pool
    make_user(cognito, pool_id, "nick", {"phone_number": "+15555550120", "phone_number_verified": "true"})
    assert admin_get_user(cognito, pool_id, "+15555550120")["Username"] == "nick"


def test_unverified_phone_is_not_an_alias(cognito, phone_alias_pool):
    pool_id = phone_alias_pool
    make_user(cognito, pool_id, "olly", {"phone_number": "+15555550121"})
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool_id, Username="+15555550121")


def test_verified_phone_alias_is_unique(cognito, phone_alias_pool):
    pool_id = phone_alias_pool
    make_user(cognito, pool_id, "pete", {"phone_number": "+15555550122", "phone_number_verified": "true"})
    # see test_verified_email_alias_is_unique for the exception type; the wording follows
    # Cognito's "An account with the phone_number already exists." (seen on ConfirmSignUp)
    with expect_error("UsernameExistsException", "An account with the phone_number already exists."):
        cognito.admin_create_user(UserPoolId=pool_id, Username="pete2",
                                  UserAttributes=[
            {"Name": "phone_number", "Value": "+15555550122"},
            {"Name": "phone_number_verified", "Value": "true"},
        ],
                                  TemporaryPassword=AUTH_PASSWORD, MessageAction="SUPPRESS")
    make_user(
        cognito,
        pool_id,
        "pete2",
        {"phone_number": "+15555550122", "phone_number_verified": "true"},
        ForceAliasCreation=True,
    )
    assert admin_get_user(cognito, pool_id, "+15555550122")["Username"] == "pete2"
    assert attr_dict(admin_get_user(cognito, pool_id, "pete")["UserAttributes"]).get("phone_number_verified") != "true"


# ---------------------------------------------------------------- AliasAttributes = preferred_username


def test_preferred_username_alias_finds_user(cognito):
    pool_id = make_pool(cognito, AliasAttributes=["preferred_username", "email"])
    make_user(cognito, pool_id, "rose")
    # Developer guide: a preferred_username alias is set once the account is confirmed.
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="rose", Password=AUTH_PASSWORD, Permanent=True)
    cognito.admin_update_user_attributes(
        UserPoolId=pool_id, Username="rose", UserAttributes=[{"Name": "preferred_username", "Value": "rosie"}]
    )
    assert admin_get_user(cognito, pool_id, "rosie")["Username"] == "rose"
    # an alias of one user is not a username for anybody else
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool_id, Username="rosy")


def test_aliases_are_scoped_to_their_pool(cognito):
    a = make_pool(cognito, AliasAttributes=["email"])
    b = make_pool(cognito, AliasAttributes=["email"])
    make_user(cognito, a, "sara", {"email": "sara@example.com", "email_verified": "true"})
    make_user(cognito, b, "sara", {"email": "sara@example.com", "email_verified": "true"})
    assert admin_get_user(cognito, a, "sara@example.com")["Username"] == "sara"
    assert admin_get_user(cognito, b, "sara@example.com")["Username"] == "sara"
