"""User pools: Create / Describe / List / Update / Delete, AddCustomAttributes
and schema rules, against real boto3.

Cognito facts used here (sources in comments next to each use):
- unknown pool: ResourceNotFoundException "User pool <id> does not exist."
- UpdateUserPool resets every omitted settable member to its default.
- DeletionProtection ACTIVE: DeleteUserPool -> InvalidParameterException.
- AddCustomAttributes duplicate: "Existing attribute already has name custom:x".
- schema violations: InvalidParameterException "Attributes did not conform to the schema: ...".
- custom attributes cannot be Required: "Required custom attributes are not supported currently."
"""

import datetime as dt
import re
import time

import pytest

from tessera_e2e.aws import POOL_ID_RE, expect_error, raw_call
from tessera_e2e.flows import attr_dict, make_user, outbox, unique

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:{}"

STANDARD_ATTRIBUTES = {
    "sub", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
    "profile", "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo",
    "locale", "phone_number", "phone_number_verified", "address", "updated_at",
}

CUSTOM_SCHEMA = [
    {"Name": "tier", "AttributeDataType": "String", "Mutable": True, "DeveloperOnlyAttribute": False,
     "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "16"}},
    {"Name": "age", "AttributeDataType": "Number", "Mutable": True, "DeveloperOnlyAttribute": False,
     "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"}},
    {"Name": "tenant", "AttributeDataType": "String", "Mutable": False, "DeveloperOnlyAttribute": False,
     "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"}},
    {"Name": "is_admin", "AttributeDataType": "Boolean", "Mutable": True, "DeveloperOnlyAttribute": False},
]


def full_pool_settings():
    """Every member a client can send to CreateUserPool (one of each kind)."""
    return dict(
        Policies={"PasswordPolicy": {
            "MinimumLength": 10, "RequireUppercase": True, "RequireLowercase": False,
            "RequireNumbers": True, "RequireSymbols": False, "TemporaryPasswordValidityDays": 3,
        }},
        DeletionProtection="INACTIVE",
        LambdaConfig={
            "PreSignUp": LAMBDA.format("pre-signup"),
            "CustomMessage": LAMBDA.format("custom-message"),
            "PostConfirmation": LAMBDA.format("post-confirmation"),
            "PreAuthentication": LAMBDA.format("pre-auth"),
            "PostAuthentication": LAMBDA.format("post-auth"),
            "DefineAuthChallenge": LAMBDA.format("define"),
            "CreateAuthChallenge": LAMBDA.format("create"),
            "VerifyAuthChallengeResponse": LAMBDA.format("verify"),
            "UserMigration": LAMBDA.format("migrate"),
        },
        # MFA OPTIONAL needs an SMS configuration and phone_number auto-verification
        # (https://github.com/aws/aws-cdk/issues/12075)
        AutoVerifiedAttributes=["email", "phone_number"],
        UsernameAttributes=["email"],
        VerificationMessageTemplate={
            "SmsMessage": "Your code is {####}",
            "EmailMessage": "Your verification code is {####}.",
            "EmailSubject": "Verify your address",
            "EmailMessageByLink": "Please click {##Verify Email##}",
            "EmailSubjectByLink": "Verify by link",
            "DefaultEmailOption": "CONFIRM_WITH_LINK",
        },
        SmsAuthenticationMessage="Your sign-in code is {####}",
        MfaConfiguration="OPTIONAL",
        UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True},
        EmailConfiguration={"EmailSendingAccount": "COGNITO_DEFAULT", "ReplyToEmailAddress": "support@example.com"},
        SmsConfiguration={"SnsCallerArn": "arn:aws:iam::123456789012:role/cognito-sms",
                          "ExternalId": "tessera-e2e", "SnsRegion": "us-east-1"},
        UserPoolTags={"env": "e2e", "team": "identity"},
        AdminCreateUserConfig={
            "AllowAdminCreateUserOnly": True,
            "InviteMessageTemplate": {
                "SMSMessage": "Hi {username}, your code is {####}",
                "EmailMessage": "Hello {username}, your temporary password is {####}",
                "EmailSubject": "Welcome to Tessera",
            },
        },
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Mutable": True, "Required": True},
            *CUSTOM_SCHEMA,
        ],
        UsernameConfiguration={"CaseSensitive": False},
        AccountRecoverySetting={"RecoveryMechanisms": [
            {"Priority": 1, "Name": "verified_email"},
            {"Priority": 2, "Name": "verified_phone_number"},
        ]},
        UserPoolTier="ESSENTIALS",
    )


def assert_contains(sent, got, path="UserPool"):
    """Everything sent is returned (the server may add defaults around it)."""
    if isinstance(sent, dict):
        assert isinstance(got, dict), f"{path}: expected object, got {got!r}"
        for k, v in sent.items():
            assert k in got, f"{path}.{k} missing; got keys {sorted(got)}"
            assert_contains(v, got[k], f"{path}.{k}")
    elif isinstance(sent, list):
        assert isinstance(got, list), f"{path}: expected list, got {got!r}"
        if all(not isinstance(x, (dict, list)) for x in sent):
            assert sorted(sent) == sorted(got), f"{path}: {got!r} != {sent!r}"
        else:
            assert len(sent) == len(got), f"{path}: {got!r} vs {sent!r}"
            for i, item in enumerate(sent):
                errors = []
                for candidate in got:
                    try:
                        assert_contains(item, candidate, f"{path}[{i}]")
                        break
                    except AssertionError as e:  # noqa: PERF203
                        errors.append(str(e))
                else:
                    raise AssertionError(f"{path}[{i}] {item!r} not found in {got!r}")
    else:
        assert got == sent, f"{path}: {got!r} != {sent!r}"


def schema_by_name(pool):
    return {a["Name"]: a for a in pool["SchemaAttributes"]}


def assert_schema_has(pool, sent_schema):
    attrs = schema_by_name(pool)
    for a in sent_schema:
        name = a["Name"] if a["Name"] in STANDARD_ATTRIBUTES else "custom:" + a["Name"]
        assert name in attrs, f"{name} not in SchemaAttributes {sorted(attrs)}"
        assert_contains({k: v for k, v in a.items() if k != "Name"}, attrs[name], f"SchemaAttributes[{name}]")


def recent(ts):
    assert isinstance(ts, dt.datetime), ts
    now = dt.datetime.now(dt.timezone.utc)
    assert abs((now - ts).total_seconds()) < 300, (ts, now)


@pytest.fixture
def cleanup(cognito):
    ids = []
    yield ids
    for pool_id in ids:
        try:
            cognito.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
            cognito.delete_user_pool(UserPoolId=pool_id)
        except Exception:  # noqa: BLE001
            pass


# ---- create / describe ----------------------------------------------------------


def test_create_minimal_pool(cognito, cleanup):
    name = unique("min")
    created = cognito.create_user_pool(PoolName=name)["UserPool"]
    cleanup.append(created["Id"])
    assert POOL_ID_RE.match(created["Id"]), created["Id"]
    assert created["Name"] == name
    assert re.fullmatch(rf"arn:aws:cognito-idp:us-east-1:\d{{12}}:userpool/{created['Id']}", created["Arn"]), created["Arn"]
    recent(created["CreationDate"])
    recent(created["LastModifiedDate"])
    assert created["EstimatedNumberOfUsers"] == 0
    assert created.get("MfaConfiguration", "OFF") == "OFF"
    assert created.get("DeletionProtection", "INACTIVE") == "INACTIVE"


def test_minimal_pool_has_standard_attributes(cognito, pool):
    # The standard attribute set as DescribeUserPool lists it for a pool created
    # with defaults (AWS CLI example "create-user-pool --pool-name MyUserPool",
    # https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-identity-provider_example_cognito-identity-provider_CreateUserPool_section.html).
    attrs = schema_by_name(cognito.describe_user_pool(UserPoolId=pool)["UserPool"])
    assert STANDARD_ATTRIBUTES <= set(attrs), sorted(STANDARD_ATTRIBUTES - set(attrs))
    assert attrs["sub"]["Required"] is True and attrs["sub"]["Mutable"] is False
    assert attrs["sub"]["AttributeDataType"] == "String"
    assert attrs["email_verified"]["AttributeDataType"] == "Boolean"
    assert attrs["phone_number_verified"]["AttributeDataType"] == "Boolean"
    assert attrs["updated_at"]["AttributeDataType"] == "Number"
    assert attrs["email"]["Required"] is False
    assert not any(n.startswith("custom:") for n in attrs)


def test_create_with_every_member_is_described_faithfully(cognito, cleanup):
    settings = full_pool_settings()
    name = unique("full")
    created = cognito.create_user_pool(PoolName=name, **settings)["UserPool"]
    cleanup.append(created["Id"])
    described = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]

    for pool in (created, described):
        assert pool["Name"] == name
        assert POOL_ID_RE.match(pool["Id"])
        for member, value in settings.items():
            if member == "Schema":
                continue
            assert member in pool, f"{member} missing from {sorted(pool)}"
            assert_contains(value, pool[member], member)
        assert_schema_has(pool, settings["Schema"])
        assert schema_by_name(pool)["email"]["Required"] is True

    # The create response is the same pool as DescribeUserPool shows.
    for key, value in created.items():
        assert described.get(key) == value, f"{key}: create {value!r} vs describe {described.get(key)!r}"


def test_alias_attributes_pool(cognito, cleanup):
    created = cognito.create_user_pool(PoolName=unique("alias"),
                                       AliasAttributes=["email", "preferred_username"],
                                       UsernameConfiguration={"CaseSensitive": True})["UserPool"]
    cleanup.append(created["Id"])
    described = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    assert sorted(described["AliasAttributes"]) == ["email", "preferred_username"]
    assert not described.get("UsernameAttributes")
    assert described["UsernameConfiguration"] == {"CaseSensitive": True}


def test_alias_and_username_attributes_are_exclusive(cognito):
    # Real message: "Only one of the aliasAttributes or usernameAttributes can be
    # set in a User Pool." (as mirrored by emulators tested against AWS).
    with expect_error("InvalidParameterException", contains=("aliasAttributes", "usernameAttributes")):
        cognito.create_user_pool(PoolName=unique("both"), AliasAttributes=["preferred_username"],
                                 UsernameAttributes=["email"])


def test_required_custom_attribute_rejected(cognito):
    # https://github.com/boto/boto3/issues/2317: "Required custom attributes are
    # not supported currently."
    with expect_error("InvalidParameterException", "Required custom attributes are not supported currently."):
        cognito.create_user_pool(PoolName=unique("reqcustom"), Schema=[
            {"Name": "dept", "AttributeDataType": "String", "Required": True, "Mutable": True},
        ])


def test_pool_name_missing_is_validation_error(lax):
    with expect_error("InvalidParameterException",
                      "1 validation error detected: Value null at 'poolName' failed to satisfy constraint: "
                      "Member must not be null"):
        lax.create_user_pool()


def test_pool_name_too_long(cognito):
    with expect_error("InvalidParameterException",
                      contains=("1 validation error detected", "at 'poolName'",
                                "Member must have length less than or equal to 128")):
        cognito.create_user_pool(PoolName="p" * 129)


def test_invalid_enum_value(lax):
    with expect_error("InvalidParameterException",
                      contains=("1 validation error detected: Value 'SOMETIMES' at 'mfaConfiguration' "
                                "failed to satisfy constraint: Member must satisfy enum value set",)):
        lax.create_user_pool(PoolName=unique("enum"), MfaConfiguration="SOMETIMES")


def test_nested_range_validation(lax):
    with expect_error("InvalidParameterException",
                      contains=("Value '5' at 'policies.passwordPolicy.minimumLength'",
                                "Member must have value greater than or equal to 6")):
        lax.create_user_pool(PoolName=unique("short"), Policies={"PasswordPolicy": {"MinimumLength": 5}})


def test_mfa_without_sms_configuration_rejected(cognito):
    # "SMS configuration and Auto verification for phone_number are required when
    # MFA is required/optional" (InvalidParameterException, quoted from the live
    # service in https://github.com/aws/aws-cdk/issues/12075)
    with expect_error("InvalidParameterException", contains=("SMS configuration",)):
        cognito.create_user_pool(PoolName=unique("mfa"), MfaConfiguration="ON")


def test_custom_attribute_name_longer_than_20_rejected_on_create(cognito):
    # Custom attribute names are at most 20 characters (model CustomAttributeNameType;
    # error text quoted in https://github.com/aws/aws-cdk/pull/14699).
    with expect_error("InvalidParameterException", contains=("Member must have length less than or equal to 20",)):
        cognito.create_user_pool(PoolName=unique("longattr"), Schema=[
            {"Name": "a" * 21, "AttributeDataType": "String", "Mutable": True},
        ])


# ---- resource not found -----------------------------------------------------------

MISSING = "us-east-1_ZZZZZZZZZ"
# Real message, observed on the live service: "User pool <id> does not exist."
# (https://github.com/aws/aws-sdk-go/issues/2436,
#  https://github.com/getmoto/moto/issues/4434)
NOT_FOUND = f"User pool {MISSING} does not exist."


@pytest.mark.parametrize("call", [
    lambda c: c.describe_user_pool(UserPoolId=MISSING),
    lambda c: c.delete_user_pool(UserPoolId=MISSING),
    lambda c: c.update_user_pool(UserPoolId=MISSING, MfaConfiguration="OFF"),
    lambda c: c.add_custom_attributes(UserPoolId=MISSING, CustomAttributes=[
        {"Name": "x", "AttributeDataType": "String"}]),
    lambda c: c.list_user_pool_clients(UserPoolId=MISSING, MaxResults=10),
    lambda c: c.create_user_pool_client(UserPoolId=MISSING, ClientName="c"),
    lambda c: c.admin_create_user(UserPoolId=MISSING, Username="u", MessageAction="SUPPRESS"),
    lambda c: c.list_users(UserPoolId=MISSING),
    lambda c: c.create_group(UserPoolId=MISSING, GroupName="g"),
], ids=["DescribeUserPool", "DeleteUserPool", "UpdateUserPool", "AddCustomAttributes",
        "ListUserPoolClients", "CreateUserPoolClient", "AdminCreateUser", "ListUsers", "CreateGroup"])
def test_unknown_pool_is_resource_not_found(cognito, call):
    with expect_error("ResourceNotFoundException", NOT_FOUND):
        call(cognito)


# ---- list ---------------------------------------------------------------------------


def test_list_pagination_across_pages(cognito, cleanup):
    prefix = unique("page")
    mine = []
    for i in range(7):
        mine.append(cognito.create_user_pool(PoolName=f"{prefix}-{i}")["UserPool"]["Id"])
    cleanup.extend(mine)

    seen, pages, token = [], 0, None
    while True:
        kw = {"MaxResults": 2}
        if token:
            kw["NextToken"] = token
        resp = cognito.list_user_pools(**kw)
        pages += 1
        assert len(resp["UserPools"]) <= 2
        seen.extend(resp["UserPools"])
        token = resp.get("NextToken")
        if not token:
            break
        assert pages < 10_000, "pagination does not terminate"
    ids = [p["Id"] for p in seen]
    assert len(ids) == len(set(ids)), "a pool appeared on two pages"
    assert set(mine) <= set(ids)
    assert pages >= 4
    by_id = {p["Id"]: p for p in seen}
    for i, pool_id in enumerate(mine):
        assert by_id[pool_id]["Name"] == f"{prefix}-{i}"
        recent(by_id[pool_id]["CreationDate"])
        recent(by_id[pool_id]["LastModifiedDate"])


def test_list_with_boto3_paginator(cognito, cleanup):
    prefix = unique("pager")
    mine = {cognito.create_user_pool(PoolName=f"{prefix}-{i}")["UserPool"]["Id"] for i in range(3)}
    cleanup.extend(mine)
    pages = list(cognito.get_paginator("list_user_pools").paginate(MaxResults=1))
    ids = [p["Id"] for page in pages for p in page["UserPools"]]
    assert mine <= set(ids)
    assert len(pages) >= 3
    assert all(len(page["UserPools"]) <= 1 for page in pages)


def test_list_max_results_upper_bound(cognito):
    resp = cognito.list_user_pools(MaxResults=60)
    assert len(resp["UserPools"]) <= 60
    # Wording from the issue contract / AWS validation framework.
    with expect_error("InvalidParameterException",
                      "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: "
                      "Member must have value less than or equal to 60"):
        cognito.list_user_pools(MaxResults=61)


def test_list_max_results_lower_bound(lax):
    with expect_error("InvalidParameterException",
                      "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
                      "Member must have value greater than or equal to 1"):
        lax.list_user_pools(MaxResults=0)


def test_list_max_results_required(lax):
    with expect_error("InvalidParameterException",
                      "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: "
                      "Member must not be null"):
        lax.list_user_pools()


def test_list_with_invalid_next_token(cognito):
    with expect_error("InvalidParameterException"):
        cognito.list_user_pools(MaxResults=5, NextToken="not-a-token-this-server-issued")


def test_list_shows_lambda_config(cognito, cleanup):
    pool_id = cognito.create_user_pool(PoolName=unique("lambda"),
                                       LambdaConfig={"PreSignUp": LAMBDA.format("p")})["UserPool"]["Id"]
    cleanup.append(pool_id)
    found = [p for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60)
             for p in page["UserPools"] if p["Id"] == pool_id]
    assert len(found) == 1
    assert found[0]["LambdaConfig"]["PreSignUp"] == LAMBDA.format("p")


# ---- update -------------------------------------------------------------------------


def test_update_resets_omitted_members_to_defaults(cognito, cleanup):
    # "If you don't provide a value for an attribute, Amazon Cognito sets it to
    # its default value." -- UpdateUserPool API reference, and
    # https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html
    # Settings fixed at creation (UsernameAttributes, UsernameConfiguration,
    # Schema, name when omitted) are kept.
    settings = full_pool_settings()
    settings["DeletionProtection"] = "ACTIVE"
    name = unique("upd")
    before = cognito.create_user_pool(PoolName=name, **settings)["UserPool"]
    cleanup.append(before["Id"])
    time.sleep(1.1)

    cognito.update_user_pool(UserPoolId=before["Id"], Policies={"PasswordPolicy": {
        "MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": True,
        "RequireNumbers": False, "RequireSymbols": True, "TemporaryPasswordValidityDays": 5}})
    after = cognito.describe_user_pool(UserPoolId=before["Id"])["UserPool"]

    # replaced
    assert_contains({"MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": True,
                     "RequireNumbers": False, "RequireSymbols": True, "TemporaryPasswordValidityDays": 5},
                    after["Policies"]["PasswordPolicy"], "PasswordPolicy")
    # reset to defaults
    assert not after.get("LambdaConfig"), after.get("LambdaConfig")
    assert after.get("MfaConfiguration", "OFF") == "OFF"
    assert after.get("DeletionProtection", "INACTIVE") == "INACTIVE"
    assert not after.get("AutoVerifiedAttributes")
    assert not after.get("SmsAuthenticationMessage") or after["SmsAuthenticationMessage"] != settings["SmsAuthenticationMessage"]
    assert not (after.get("DeviceConfiguration") or {}).get("ChallengeRequiredOnNewDevice")
    assert not (after.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly")
    invite = (after.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    assert invite.get("EmailSubject") != "Welcome to Tessera"
    vmt = after.get("VerificationMessageTemplate") or {}
    assert vmt.get("EmailSubject") != "Verify your address"
    assert vmt.get("DefaultEmailOption", "CONFIRM_WITH_CODE") == "CONFIRM_WITH_CODE"
    # fixed at creation
    assert after["Id"] == before["Id"]
    assert after["Arn"] == before["Arn"]
    assert after["Name"] == name
    assert after["UsernameAttributes"] == ["email"]
    assert after["UsernameConfiguration"] == {"CaseSensitive": False}
    assert_schema_has(after, settings["Schema"])
    assert after["CreationDate"] == before["CreationDate"]
    assert after["LastModifiedDate"] > before["LastModifiedDate"]
    # DeletionProtection went back to INACTIVE, so the pool can now be deleted.
    cognito.delete_user_pool(UserPoolId=before["Id"])
    with expect_error("ResourceNotFoundException", f"User pool {before['Id']} does not exist."):
        cognito.describe_user_pool(UserPoolId=before["Id"])


def test_update_sets_members(cognito, pool):
    cognito.update_user_pool(
        UserPoolId=pool,
        MfaConfiguration="OFF",
        AutoVerifiedAttributes=["email"],
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": True},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True, "InviteMessageTemplate": {
            "EmailSubject": "Updated invite", "EmailMessage": "Yo {username}: {####}",
            "SMSMessage": "Yo {username}: {####}"}},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]},
        UserPoolTags={"stage": "updated"},
        LambdaConfig={"PostConfirmation": LAMBDA.format("pc")},
    )
    after = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert after["AutoVerifiedAttributes"] == ["email"]
    assert after["DeviceConfiguration"] == {"ChallengeRequiredOnNewDevice": False,
                                            "DeviceOnlyRememberedOnUserPrompt": True}
    assert_contains({"AllowAdminCreateUserOnly": True, "InviteMessageTemplate": {
        "EmailSubject": "Updated invite", "EmailMessage": "Yo {username}: {####}",
        "SMSMessage": "Yo {username}: {####}"}}, after["AdminCreateUserConfig"])
    assert after["AccountRecoverySetting"] == {"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]}
    assert after["UserPoolTags"] == {"stage": "updated"}
    assert after["LambdaConfig"]["PostConfirmation"] == LAMBDA.format("pc")


def test_update_ignores_members_fixed_at_creation(server, cognito, cleanup):
    # UpdateUserPool has no UsernameAttributes/AliasAttributes/Schema members;
    # a raw request carrying them must not change the pool.
    pool_id = cognito.create_user_pool(PoolName=unique("fixed"), UsernameAttributes=["email"], Schema=[
        {"Name": "keep", "AttributeDataType": "String", "Mutable": True}])["UserPool"]["Id"]
    cleanup.append(pool_id)
    r = raw_call(server, "UpdateUserPool", {"UserPoolId": pool_id, "UsernameAttributes": ["phone_number"],
                                            "AliasAttributes": ["preferred_username"], "Schema": []})
    assert r.status_code == 200, r.text
    after = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert after["UsernameAttributes"] == ["email"]
    assert not after.get("AliasAttributes")
    assert "custom:keep" in schema_by_name(after)


def test_update_can_rename_pool(cognito, pool):
    new_name = unique("renamed")
    cognito.update_user_pool(UserPoolId=pool, PoolName=new_name)
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Name"] == new_name


# ---- delete -------------------------------------------------------------------------


def test_delete_pool(cognito):
    pool_id = cognito.create_user_pool(PoolName=unique("del"))["UserPool"]["Id"]
    cognito.delete_user_pool(UserPoolId=pool_id)
    with expect_error("ResourceNotFoundException", f"User pool {pool_id} does not exist."):
        cognito.describe_user_pool(UserPoolId=pool_id)
    with expect_error("ResourceNotFoundException", f"User pool {pool_id} does not exist."):
        cognito.delete_user_pool(UserPoolId=pool_id)
    listed = [p["Id"] for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60)
              for p in page["UserPools"]]
    assert pool_id not in listed


def test_deletion_protection_refuses_delete(cognito, cleanup):
    pool_id = cognito.create_user_pool(PoolName=unique("protected"), DeletionProtection="ACTIVE")["UserPool"]["Id"]
    cleanup.append(pool_id)
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["DeletionProtection"] == "ACTIVE"
    # Message from the live service, quoted in
    # https://github.com/localstack/localstack/issues/11947
    with expect_error("InvalidParameterException",
                      "The user pool cannot be deleted because deletion protection is activated. "
                      "Deletion protection must be inactivated first."):
        cognito.delete_user_pool(UserPoolId=pool_id)
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id
    cognito.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    cognito.delete_user_pool(UserPoolId=pool_id)
    with expect_error("ResourceNotFoundException"):
        cognito.describe_user_pool(UserPoolId=pool_id)


def test_deleting_pool_deletes_its_users_and_groups(cognito):
    pool_id = cognito.create_user_pool(PoolName=unique("delu"))["UserPool"]["Id"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="someone", MessageAction="SUPPRESS")
    cognito.create_group(UserPoolId=pool_id, GroupName="g")
    cognito.delete_user_pool(UserPoolId=pool_id)
    with expect_error("ResourceNotFoundException", f"User pool {pool_id} does not exist."):
        cognito.admin_get_user(UserPoolId=pool_id, Username="someone")
    with expect_error("ResourceNotFoundException", f"User pool {pool_id} does not exist."):
        cognito.get_group(UserPoolId=pool_id, GroupName="g")


def test_deleting_pool_deletes_its_clients(cognito):
    pool_id = cognito.create_user_pool(PoolName=unique("delc"))["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    cognito.delete_user_pool(UserPoolId=pool_id)
    with expect_error("ResourceNotFoundException"):
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)


# ---- custom attributes ----------------------------------------------------------------


def test_add_custom_attributes(cognito, pool):
    before = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    cognito.add_custom_attributes(UserPoolId=pool, CustomAttributes=[
        {"Name": "x", "AttributeDataType": "String", "Mutable": True,
         "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "32"}},
        {"Name": "score", "AttributeDataType": "Number", "Mutable": True,
         "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"}},
    ])
    after = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    attrs = schema_by_name(after)
    assert attrs["custom:x"]["AttributeDataType"] == "String"
    assert attrs["custom:x"]["StringAttributeConstraints"] == {"MinLength": "0", "MaxLength": "32"}
    assert attrs["custom:score"]["AttributeDataType"] == "Number"
    assert attrs["custom:score"]["NumberAttributeConstraints"] == {"MinValue": "1", "MaxValue": "10"}
    assert len(after["SchemaAttributes"]) == len(before["SchemaAttributes"]) + 2
    # and the new attribute is usable
    cognito.admin_create_user(UserPoolId=pool, Username=unique("u"), MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "custom:x", "Value": "hello"}])


def test_add_custom_attribute_duplicate(cognito, pool):
    cognito.add_custom_attributes(UserPoolId=pool, CustomAttributes=[{"Name": "dup", "AttributeDataType": "String"}])
    # "custom:dup: Existing attribute already has name custom:dup."
    # (https://github.com/jmaleonard/serverless-cognito-add-custom-attributes/issues/3)
    with expect_error("InvalidParameterException", contains=("Existing attribute already has name custom:dup",)):
        cognito.add_custom_attributes(UserPoolId=pool, CustomAttributes=[{"Name": "dup", "AttributeDataType": "String"}])
    # a custom attribute cannot be retyped either
    with expect_error("InvalidParameterException", contains=("custom:dup",)):
        cognito.add_custom_attributes(UserPoolId=pool, CustomAttributes=[{"Name": "dup", "AttributeDataType": "Number"}])
    attrs = schema_by_name(cognito.describe_user_pool(UserPoolId=pool)["UserPool"])
    assert attrs["custom:dup"]["AttributeDataType"] == "String"


def test_add_custom_attribute_name_too_long(cognito, pool):
    with expect_error("InvalidParameterException", contains=(
            "Member must have length less than or equal to 20",)):
        cognito.add_custom_attributes(UserPoolId=pool, CustomAttributes=[
            {"Name": "n" * 21, "AttributeDataType": "String"}])
    cognito.add_custom_attributes(UserPoolId=pool, CustomAttributes=[{"Name": "n" * 20, "AttributeDataType": "String"}])
    assert "custom:" + "n" * 20 in schema_by_name(cognito.describe_user_pool(UserPoolId=pool)["UserPool"])


# ---- schema rules on users -------------------------------------------------------------


@pytest.fixture
def schema_pool(cognito, cleanup):
    pool_id = cognito.create_user_pool(PoolName=unique("schema"), Schema=[
        {"Name": "email", "AttributeDataType": "String", "Mutable": True, "Required": True},
        *CUSTOM_SCHEMA,
    ])["UserPool"]["Id"]
    cleanup.append(pool_id)
    return pool_id


def test_required_attribute_must_be_given(cognito, schema_pool):
    # "Attributes did not conform to the schema: email: The attribute is required"
    # (https://github.com/furaiev/amazon-cognito-identity-dart-2/issues/89,
    #  https://github.com/aws-amplify/amplify-backend/issues/3117 for AdminCreateUser)
    with expect_error("InvalidParameterException",
                      contains=("Attributes did not conform to the schema", "email", "attribute is required")):
        make_user(cognito, schema_pool, unique("u"), {"custom:tier": "gold"}, password=None)
    user = make_user(cognito, schema_pool, unique("u"), {"email": "ok@example.com"}, password=None)
    assert {"Name": "email", "Value": "ok@example.com"} in user["Attributes"]


def test_unknown_attribute_rejected(cognito, schema_pool):
    # "...: custom:nope: Attribute does not exist in the schema."
    # (https://github.com/aws-amplify/amplify-flutter/issues/509)
    with expect_error("InvalidParameterException",
                      contains=("Attributes did not conform to the schema",
                                "custom:nope: Attribute does not exist in the schema")):
        make_user(cognito, schema_pool, unique("u"), {"email": "a@example.com", "custom:nope": "x"}, password=None)


def test_string_constraints(cognito, schema_pool):
    with expect_error("InvalidParameterException", contains=("custom:tier",)):
        make_user(cognito, schema_pool, unique("u"), {"email": "a@example.com", "custom:tier": "x" * 17}, password=None)
    user = make_user(cognito, schema_pool, unique("u"), {"email": "b@example.com", "custom:tier": "x" * 16},
                     password=None)
    assert {"Name": "custom:tier", "Value": "x" * 16} in user["Attributes"]


def test_number_constraints(cognito, schema_pool):
    with expect_error("InvalidParameterException", contains=("custom:age",)):
        make_user(cognito, schema_pool, unique("u"), {"email": "a@example.com", "custom:age": "151"}, password=None)
    with expect_error("InvalidParameterException", contains=("custom:age",)):
        make_user(cognito, schema_pool, unique("u"), {"email": "a@example.com", "custom:age": "not-a-number"},
                  password=None)
    user = make_user(cognito, schema_pool, unique("u"), {"email": "c@example.com", "custom:age": "150"}, password=None)
    assert {"Name": "custom:age", "Value": "150"} in user["Attributes"]


def test_boolean_custom_attribute(cognito, cleanup):
    pool_id = cognito.create_user_pool(PoolName=unique("bool"), Schema=[
        {"Name": "flag", "AttributeDataType": "Boolean", "Mutable": True}])["UserPool"]["Id"]
    cleanup.append(pool_id)
    with expect_error("InvalidParameterException", contains=("custom:flag",)):
        make_user(cognito, pool_id, unique("u"), {"custom:flag": "maybe"}, password=None)
    user = make_user(cognito, pool_id, unique("u"), {"custom:flag": "true"}, password=None)
    assert {"Name": "custom:flag", "Value": "true"} in user["Attributes"]


def test_required_standard_attribute(cognito, cleanup):
    pool_id = cognito.create_user_pool(PoolName=unique("reqname"), Schema=[
        {"Name": "name", "AttributeDataType": "String", "Mutable": True, "Required": True}])["UserPool"]["Id"]
    cleanup.append(pool_id)
    name_attr = schema_by_name(cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"])["name"]
    assert name_attr["Required"] is True
    with expect_error("InvalidParameterException",
                      "Attributes did not conform to the schema: name: The attribute is required\n"):
        make_user(cognito, pool_id, unique("u"), {}, password=None)
    make_user(cognito, pool_id, unique("u"), {"name": "Named"}, password=None)


def test_immutable_custom_attribute_cannot_be_updated(cognito, schema_pool):
    # Immutable attributes can be set when the user is created, never changed after
    # (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html).
    username = unique("imm")
    make_user(cognito, schema_pool, username, {"email": "imm@example.com", "custom:tenant": "acme"}, password=None)
    with expect_error("InvalidParameterException", contains=("custom:tenant",)):
        cognito.admin_update_user_attributes(UserPoolId=schema_pool, Username=username,
                                             UserAttributes=[{"Name": "custom:tenant", "Value": "evil"}])
    attrs = attr_dict(cognito.admin_get_user(UserPoolId=schema_pool, Username=username)["UserAttributes"])
    assert attrs["custom:tenant"] == "acme"
    # a mutable custom attribute can be updated
    cognito.admin_update_user_attributes(UserPoolId=schema_pool, Username=username,
                                         UserAttributes=[{"Name": "custom:tier", "Value": "silver"}])
    attrs = attr_dict(cognito.admin_get_user(UserPoolId=schema_pool, Username=username)["UserAttributes"])
    assert attrs["custom:tier"] == "silver"


def test_estimated_number_of_users(cognito, schema_pool):
    names = [unique("n") for _ in range(3)]
    for i, n in enumerate(names):
        make_user(cognito, schema_pool, n, {"email": f"n{i}@example.com"}, password=None)
    assert cognito.describe_user_pool(UserPoolId=schema_pool)["UserPool"]["EstimatedNumberOfUsers"] == 3
    cognito.admin_delete_user(UserPoolId=schema_pool, Username=names[0])
    assert cognito.describe_user_pool(UserPoolId=schema_pool)["UserPool"]["EstimatedNumberOfUsers"] == 2


def test_invite_message_template_is_used(server, cognito, cleanup):
    pool_id = cognito.create_user_pool(PoolName=unique("invite"), AdminCreateUserConfig={
        "AllowAdminCreateUserOnly": True,
        "InviteMessageTemplate": {
            "EmailSubject": "Your Tessera account",
            "EmailMessage": "Hello {username}, your temporary password is {####}",
            "SMSMessage": "Hello {username}: {####}",
        },
    })["UserPool"]["Id"]
    cleanup.append(pool_id)
    username = unique("inv")
    email = f"{username}@example.com"
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword="Temp#Pass1",
                              DesiredDeliveryMediums=["EMAIL"],
                              UserAttributes=[{"Name": "email", "Value": email}])
    messages = outbox(server, pool_id=pool_id, recipient=email)
    assert len(messages) == 1, messages
    msg = messages[0]
    assert msg["medium"] == "EMAIL"
    assert msg["kind"] == "invitation"
    assert msg["subject"] == "Your Tessera account"
    assert msg["body"] == f"Hello {username}, your temporary password is Temp#Pass1"
