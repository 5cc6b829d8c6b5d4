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

from tessera_e2e.aws import expect_error
from tessera_e2e.flows import make_pool, make_user, user_status

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


@pytest.fixture
def strict_pool(cognito):
    return make_pool(cognito, password_policy=STRICT)


# ---------------------------------------------------------------- policy is stored


def test_policy_is_stored(cognito, strict_pool):
    stored = cognito.describe_user_pool(UserPoolId=strict_pool)["UserPool"]["Policies"]["PasswordPolicy"]
    for key, value in STRICT.items():
        assert stored[key] == value, key


# ---------------------------------------------------------------- AdminCreateUser


@pytest.mark.parametrize("password,reason", VIOLATIONS, ids=[r for _, r in VIOLATIONS])
def test_temporary_password_violations(cognito, strict_pool, password, reason):
    with expect_error("InvalidPasswordException", CREATE_PREFIX + reason):
        cognito.admin_create_user(UserPoolId=strict_pool, Username="victim", TemporaryPassword=password,
                                  MessageAction="SUPPRESS")
    # nothing was created
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=strict_pool, Username="victim")


def test_temporary_password_that_conforms(cognito, strict_pool):
    user = make_user(cognito, strict_pool, "ok", password="Abcdefg1!x")  # exactly 10
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"


# ---------------------------------------------------------------- AdminSetUserPassword


@pytest.mark.parametrize("permanent", [True, False])
@pytest.mark.parametrize("password,reason", VIOLATIONS, ids=[r for _, r in VIOLATIONS])
def test_set_password_violations(cognito, strict_pool, password, reason, permanent):
    make_user(cognito, strict_pool, "victim", password="Abcdefg1!x")
    with expect_error("InvalidPasswordException") as caught:
        cognito.admin_set_user_password(UserPoolId=strict_pool, Username="victim", Password=password,
                                        Permanent=permanent)
    assert caught.message.startswith("Password") and "conform" in caught.message, caught.message
    assert caught.message.endswith(": " + reason), caught.message
    assert user_status(cognito, strict_pool, "victim") == "FORCE_CHANGE_PASSWORD"


def test_set_password_that_conforms(cognito, strict_pool):
    make_user(cognito, strict_pool, "ok", password="Abcdefg1!x")
    cognito.admin_set_user_password(UserPoolId=strict_pool, Username="ok", Password="Zyxwvu9#tq", Permanent=True)
    assert user_status(cognito, strict_pool, "ok") == "CONFIRMED"


# ---------------------------------------------------------------- individual rules


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_every_documented_symbol_counts(cognito, symbol):
    pool_id = make_pool(cognito, password_policy=dict(
        MinimumLength=8, RequireUppercase=True, RequireLowercase=True,
        RequireNumbers=True, RequireSymbols=True))
    password = "Abcdefg1" + symbol
    make_user(cognito, pool_id, "u", password=password)
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="u", Password=password, Permanent=True)
    assert user_status(cognito, pool_id, "u") == "CONFIRMED"


def test_relaxed_policy_accepts_simple_passwords(cognito):
    pool_id = make_pool(cognito, password_policy=dict(
        MinimumLength=6, RequireUppercase=False, RequireLowercase=False,
        RequireNumbers=False, RequireSymbols=False))
    make_user(cognito, pool_id, "a", password="abcdef")
    make_user(cognito, pool_id, "b", password="123456")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="a", Password="zzzzzz", Permanent=True)
    assert user_status(cognito, pool_id, "a") == "CONFIRMED"


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
    pool_id = make_pool(cognito, password_policy=policy)
    with expect_error("InvalidPasswordException", CREATE_PREFIX + reason):
        cognito.admin_create_user(UserPoolId=pool_id, Username="u", TemporaryPassword=password_without,
                                  MessageAction="SUPPRESS")
    # with the rule off the same password is fine
    off = make_pool(cognito, password_policy={**policy, flag: False})
    assert make_user(cognito, off, "u", password=password_without)["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_minimum_length_boundary(cognito):
    pool_id = make_pool(cognito, password_policy=dict(
        MinimumLength=12, RequireUppercase=True, RequireLowercase=True,
        RequireNumbers=True, RequireSymbols=True))
    with expect_error("InvalidPasswordException", CREATE_PREFIX + "Password not long enough"):
        cognito.admin_create_user(UserPoolId=pool_id, Username="short", TemporaryPassword="Abcdefghi1!",  # 11
                                  MessageAction="SUPPRESS")
    assert make_user(cognito, pool_id, "exact", password="Abcdefghij1!")["Username"] == "exact"  # 12


def test_policy_change_applies_to_new_passwords(cognito):
    pool_id = make_pool(cognito, password_policy=dict(
        MinimumLength=6, RequireUppercase=False, RequireLowercase=False,
        RequireNumbers=False, RequireSymbols=False))
    make_user(cognito, pool_id, "u", password="simple")
    cognito.update_user_pool(
        UserPoolId=pool_id,
        Policies={"PasswordPolicy": {**STRICT}},
    )
    with expect_error("InvalidPasswordException") as caught:
        # "simplepas1!" breaks only the uppercase rule of STRICT
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="u", Password="simplepas1!", Permanent=True)
    assert caught.message.endswith(": Password must have uppercase characters"), caught.message


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
    with expect_error("InvalidPasswordException", CREATE_PREFIX + reason):
        cognito.admin_create_user(UserPoolId=pool, Username="u", TemporaryPassword=password,
                                  MessageAction="SUPPRESS")


def test_default_policy_accepts_conforming_password(cognito, pool):
    assert make_user(cognito, pool, "u", password="Passw0rd!")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
