"""Password policy enforcement on AdminCreateUser (TemporaryPassword) and AdminSetUserPassword.

Cognito facts used here:
- Reason texts (InvalidPasswordException): "Password not long enough", "Password must have
  uppercase characters", "... lowercase characters", "... numeric characters",
  "... symbol characters" - seen verbatim in countless client error maps.
- AdminCreateUser prefixes them with "Password did not conform with password policy: " (real
  AWS CLI/boto3 output recorded in public READMEs and code that compares str(e)). The prefix
  of AdminSetUserPassword could not be confirmed from a public source, so only the reason is
  asserted there.
- Symbols are ^ $ * . [ ] { } ( ) ? - " ! @ # % & / \\ , > < ' : ; | _ ~ ` + =
  (developer guide, user-pool-settings-policies).
- A pool created without Policies gets MinimumLength 8, all four character classes required
  and TemporaryPasswordValidityDays 7 (the defaults the CDK and AWS Config rule document).
"""

import pytest
from botocore.exceptions import ClientError

from conftest import unique

CREATE_PREFIX = "Password did not conform with password policy: "

STRICT = {
    "MinimumLength": 10,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 3,
}

# (password, reason) - each password breaks exactly one rule of STRICT
VIOLATIONS = [
    ("Ab1!cdefg", "Password not long enough"),  # 9 chars
    ("abcdefg1!x", "Password must have uppercase characters"),
    ("ABCDEFG1!X", "Password must have lowercase characters"),
    ("Abcdefgh!x", "Password must have numeric characters"),
    ("Abcdefgh1x", "Password must have symbol characters"),
]

SYMBOLS = list("^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+=")


def expect_error(code, fn, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        fn(**kwargs)
    err = excinfo.value.response["Error"]
    assert err["Code"] == code, f"expected {code}, got {err}"
    return err.get("Message", "")


def make_pool(cognito, **policy):
    return cognito.create_user_pool(
        PoolName=unique("pool"), Policies={"PasswordPolicy": policy}
    )["UserPool"]["Id"]


@pytest.fixture
def strict_pool(cognito):
    return make_pool(cognito, **STRICT)


def create(cognito, pool_id, username, password):
    return cognito.admin_create_user(
        UserPoolId=pool_id, Username=username, TemporaryPassword=password, MessageAction="SUPPRESS"
    )["User"]


def status(cognito, pool_id, username):
    return cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]


# ---------------------------------------------------------------- policy is stored


def test_policy_is_stored(cognito, strict_pool):
    stored = cognito.describe_user_pool(UserPoolId=strict_pool)["UserPool"]["Policies"]["PasswordPolicy"]
    for key, value in STRICT.items():
        assert stored[key] == value, key


# ---------------------------------------------------------------- AdminCreateUser


@pytest.mark.parametrize("password,reason", VIOLATIONS, ids=[r for _, r in VIOLATIONS])
def test_temporary_password_violations(cognito, strict_pool, password, reason):
    msg = expect_error(
        "InvalidPasswordException",
        cognito.admin_create_user,
        UserPoolId=strict_pool,
        Username="victim",
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
    )
    assert msg == CREATE_PREFIX + reason
    # nothing was created
    expect_error("UserNotFoundException", cognito.admin_get_user, UserPoolId=strict_pool, Username="victim")


def test_temporary_password_that_conforms(cognito, strict_pool):
    user = create(cognito, strict_pool, "ok", "Abcdefg1!x")  # exactly 10
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"


# ---------------------------------------------------------------- AdminSetUserPassword


@pytest.mark.parametrize("permanent", [True, False])
@pytest.mark.parametrize("password,reason", VIOLATIONS, ids=[r for _, r in VIOLATIONS])
def test_set_password_violations(cognito, strict_pool, password, reason, permanent):
    create(cognito, strict_pool, "victim", "Abcdefg1!x")
    msg = expect_error(
        "InvalidPasswordException",
        cognito.admin_set_user_password,
        UserPoolId=strict_pool,
        Username="victim",
        Password=password,
        Permanent=permanent,
    )
    assert msg.startswith("Password") and "conform" in msg, msg
    assert msg.endswith(": " + reason), msg
    assert status(cognito, strict_pool, "victim") == "FORCE_CHANGE_PASSWORD"


def test_set_password_that_conforms(cognito, strict_pool):
    create(cognito, strict_pool, "ok", "Abcdefg1!x")
    cognito.admin_set_user_password(UserPoolId=strict_pool, Username="ok", Password="Zyxwvu9#tq", Permanent=True)
    assert status(cognito, strict_pool, "ok") == "CONFIRMED"


# ---------------------------------------------------------------- individual rules


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_every_documented_symbol_counts(cognito, symbol):
    pool_id = make_pool(cognito, MinimumLength=8, RequireUppercase=True, RequireLowercase=True,
                        RequireNumbers=True, RequireSymbols=True)
    password = "Abcdefg1" + symbol
    create(cognito, pool_id, "u", password)
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="u", Password=password, Permanent=True)
    assert status(cognito, pool_id, "u") == "CONFIRMED"


def test_relaxed_policy_accepts_simple_passwords(cognito):
    pool_id = make_pool(cognito, MinimumLength=6, RequireUppercase=False, RequireLowercase=False,
                        RequireNumbers=False, RequireSymbols=False)
    create(cognito, pool_id, "a", "abcdef")
    create(cognito, pool_id, "b", "123456")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="a", Password="zzzzzz", Permanent=True)
    assert status(cognito, pool_id, "a") == "CONFIRMED"


@pytest.mark.parametrize(
    "flag,password_without,reason",
    [
        ("RequireUppercase", "abcdefgh", "Password must have uppercase characters"),
        ("RequireLowercase", "ABCDEFGH", "Password must have lowercase characters"),
        ("RequireNumbers", "abcdefgh", "Password must have numeric characters"),
        ("RequireSymbols", "abcdefgh", "Password must have symbol characters"),
    ],
)
def test_each_rule_on_its_own(cognito, flag, password_without, reason):
    policy = {
        "MinimumLength": 8,
        "RequireUppercase": False,
        "RequireLowercase": False,
        "RequireNumbers": False,
        "RequireSymbols": False,
    }
    policy[flag] = True
    pool_id = make_pool(cognito, **policy)
    msg = expect_error(
        "InvalidPasswordException",
        cognito.admin_create_user,
        UserPoolId=pool_id,
        Username="u",
        TemporaryPassword=password_without,
        MessageAction="SUPPRESS",
    )
    assert msg == CREATE_PREFIX + reason
    # with the rule off the same password is fine
    off = make_pool(cognito, **{**policy, flag: False})
    assert create(cognito, off, "u", password_without)["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_minimum_length_boundary(cognito):
    pool_id = make_pool(cognito, MinimumLength=12, RequireUppercase=True, RequireLowercase=True,
                        RequireNumbers=True, RequireSymbols=True)
    msg = expect_error(
        "InvalidPasswordException",
        cognito.admin_create_user,
        UserPoolId=pool_id,
        Username="short",
        TemporaryPassword="Abcdefghi1!",  # 11
        MessageAction="SUPPRESS",
    )
    assert msg == CREATE_PREFIX + "Password not long enough"
    assert create(cognito, pool_id, "exact", "Abcdefghij1!")["Username"] == "exact"  # 12


def test_policy_change_applies_to_new_passwords(cognito):
    pool_id = make_pool(cognito, MinimumLength=6, RequireUppercase=False, RequireLowercase=False,
                        RequireNumbers=False, RequireSymbols=False)
    create(cognito, pool_id, "u", "simple")
    cognito.update_user_pool(
        UserPoolId=pool_id,
        Policies={"PasswordPolicy": {**STRICT}},
    )
    msg = expect_error(
        "InvalidPasswordException",
        cognito.admin_set_user_password,
        UserPoolId=pool_id,
        Username="u",
        Password="simplepas1!",  # breaks only the uppercase rule of STRICT
        Permanent=True,
    )
    assert msg.endswith(": Password must have uppercase characters"), msg


# ---------------------------------------------------------------- default policy


def test_default_policy(cognito, pool):
    stored = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Policies"]["PasswordPolicy"]
    assert stored["MinimumLength"] == 8
    assert stored["RequireUppercase"] and stored["RequireLowercase"]
    assert stored["RequireNumbers"] and stored["RequireSymbols"]
    assert stored["TemporaryPasswordValidityDays"] == 7


@pytest.mark.parametrize(
    "password,reason",
    [
        ("Pa1!abc", "Password not long enough"),  # 7
        ("passw0rd!", "Password must have uppercase characters"),
        ("PASSW0RD!", "Password must have lowercase characters"),
        ("Password!", "Password must have numeric characters"),
        ("Passw0rdx", "Password must have symbol characters"),
    ],
)
def test_default_policy_is_enforced(cognito, pool, password, reason):
    msg = expect_error(
        "InvalidPasswordException",
        cognito.admin_create_user,
        UserPoolId=pool,
        Username="u",
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
    )
    assert msg == CREATE_PREFIX + reason


def test_default_policy_accepts_conforming_password(cognito, pool):
    assert create(cognito, pool, "u", "Passw0rd!")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
